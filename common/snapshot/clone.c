/*
 * clone.c — instant snapshots; see clone.h.
 */
#include "snapshot/clone.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "archive/snapname.h"
#include "pg/conn.h"
#include "pg/dbadmin.h"
#include "project/vcs.h"
#include "replace/replace.h"
#include "replace/spare.h"
#include "replace/tcache.h"
#include "snapshot/catalog.h"
#include "util/fsutil.h"
#include "util/hash.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/monotime.h"

#define EXPORT_PREFIX "db_tools_export_"
#define APPNAME "db-snapshot"

/* pg_database_size(name); -1 after logging. */
static int64_t
database_size(PGconn *maint, const char *name)
{
	const char *params[1] = {name};
	PGresult *res = conn_query_params(maint, "SELECT pg_catalog.pg_database_size($1)", 1, params);
	int64_t bytes = -1;

	if (res && PQntuples(res) == 1)
		bytes = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return bytes;
}

/* The .instant.partial files a run killed while writing its marker left (a minute old: not a live run's). */
static void
remove_stale_partials(const char *dir, time_t now)
{
	static const char ext[] = INSTANT_EXT ".partial";
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		struct stat st;
		char *path;

		if (len <= sizeof(ext) - 1 || strcmp(de->d_name + len - (sizeof(ext) - 1), ext) != 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && now - st.st_mtime > 60 && unlink(path) == 0)
			log_verbose("removed \"%s\", left by an interrupted run", path);
		free(path);
	}
	closedir(d);
}

/* The marker's path for name at t in dir, which must not exist yet; NULL after logging. */
static char *
marker_path(const char *dir, const char *name, time_t t)
{
	char *path;
	bool made = access(dir, F_OK) != 0;

	if (fs_mkdir_p(dir, 0700) < 0) {
		log_error("could not create directory \"%s\": %s", dir, strerror(errno));
		return NULL;
	}
	if (made)
		(void) vcs_ignore_dir(dir);
	remove_stale_partials(dir, t);
	path = instant_path(dir, name, t);
	if (access(path, F_OK) == 0) {
		log_error("\"%s\" already exists", path);
		log_hint("wait a second or choose another NAME");
		free(path);
		return NULL;
	}
	return path;
}

/*
 * Copy db into built, with db to itself: closed to new connections (where
 * the role may close it), its sessions ended, the copy made, and opened
 * again whatever happened.
 */
static int
copy_source(PGconn *maint, const char *db, const char *built)
{
	/* one closed already (by its owner) stays as it is */
	bool shut = dbadmin_allows_connections(maint, db) == 0;
	bool closed = !shut && dbadmin_allow_connections(maint, db, false) == 0;
	int rc = -1;

	if (!closed && !shut)
		log_warning("could not close \"%s\" to new connections; a session that connects during the copy "
		    "makes it fail", db);
	/* a session that got in between the end of the others and the copy: end it and try again */
	for (int attempt = 0; attempt < 3 && rc < 0 && !intr_pending(); attempt++) {
		char err[512];

		if (dbadmin_terminate(maint, db, DBA_TERMINATE_WAIT_MS) < 0)
			break;
		rc = dbadmin_create(maint, built, db, NULL, err, sizeof(err));
		if (rc < 0)
			log_verbose("copying \"%s\" failed: %s", db, err);
		if (rc < 0 && (closed || shut || attempt == 2))
			log_error("could not copy database \"%s\": %s", db, err);
		if (closed || shut)
			break;
	}
	/* twice: an interrupt that cancelled the copy may cancel this too */
	if (closed && dbadmin_allow_connections(maint, db, true) < 0 &&
	    dbadmin_allow_connections(maint, db, true) < 0) {
		log_warning("\"%s\" does not accept connections", db);
		log_hint("open it: ALTER DATABASE \"%s\" ALLOW_CONNECTIONS true", db);
	}
	return rc;
}

/* Fill the marker of a snapshot of db taken now into m (the template's fields after). */
static int
describe_source(PGconn *maint, const char *db, const char *name, instant_marker *m)
{
	const char *host = PQhost(maint);
	char *branch = NULL, *commit = NULL;

	memset(m, 0, sizeof(*m));
	vcs_git_info(".", &branch, &commit);
	m->name = name ? xstrdup(name) : snapshot_default_name(db, branch);
	m->database = xstrdup(db);
	m->host = host && *host ? xstrdup(host) : NULL;
	m->port = xstrdup(PQport(maint));
	m->user = xstrdup(PQuser(maint));
	m->server_version_num = PQserverVersion(maint);
	m->server_version = xstrdup(PQparameterStatus(maint, "server_version") ?
	    PQparameterStatus(maint, "server_version") : "");
	m->server_version[strcspn(m->server_version, " ")] = '\0';
	m->git_branch = branch;
	m->git_commit = commit;
	return catalog_db_props(maint, db, &m->db_settings, &m->n_db_settings, &m->db_comment);
}

/* The template's key: unique to this snapshot (the role's name is part of the template's name). */
static void
snapshot_key(const instant_marker *m, char key[HASH_HEX_LEN + 1])
{
	struct timespec ts;
	char *text;

	clock_gettime(CLOCK_REALTIME, &ts);
	text = xasprintf("instant\n%s\n%s\n%lld.%09ld\n%d", m->database, m->name, (long long) ts.tv_sec,
	    ts.tv_nsec, (int) getpid());
	hash_hex_of(text, strlen(text), key);
	free(text);
}

/* Under the source's lock: copy it, make the copy the template, write the marker. */
static dbt_status
take_locked(const clone_opts *o, PGconn *maint, instant_marker *m, const char *path, clone_result *r)
{
	char *built, *label;
	dbt_status rc = DBT_FAILED;

	if (replace_clean_leftovers(maint, m->database) < 0 || dbadmin_check_sessions(maint, m->database) < 0)
		return DBT_FAILED;
	r->sessions_ended = dbadmin_count_sessions(maint, m->database);
	if (!(built = replace_fresh_name(maint, m->database, RP_SUFFIX_BUILDING)))
		return DBT_FAILED;
	progress_start(o->progress, "cloning the database", NULL, 0, 0);
	if (copy_source(maint, m->database, built) < 0) {
		progress_stop();
		free(built);
		return DBT_FAILED;
	}
	progress_stop();
	snapshot_key(m, m->key);
	m->template_db = tcache_db_name(PQuser(maint), m->key);
	m->bytes = database_size(maint, built);
	if (m->bytes < 0)
		m->bytes = 0;
	label = xasprintf("instant snapshot \"%s\" of \"%s\"", m->name, m->database);
	/*
	 * The marker first, then the copy becomes the template in one rename:
	 * whenever this stops, what is left is visible (a marker --delete
	 * removes, a __restoring_ copy the next run drops), never a template
	 * that nothing lists.
	 */
	if (!intr_pending() && instant_write(path, m) == DBT_OK) {
		char *db = NULL;

		if (!intr_pending() && tcache_adopt(maint, built, INSTANT_KIND, m->key, label, &db) == 0)
			rc = DBT_OK;
		else if (unlink(path) != 0)
			log_warning("could not remove \"%s\": %s", path, strerror(errno));
		free(db);
	}
	if (rc != DBT_OK)
		(void) dbadmin_drop(maint, built);
	free(label);
	free(built);
	return rc;
}

dbt_status
clone_take(const clone_opts *o, clone_result *r)
{
	char *db = NULL, *path = NULL;
	PGconn *maint = NULL;
	instant_marker m;
	double t0 = monotime(), t_plan = 0;
	dbt_status rc;
	int exists, slot = -1;

	memset(r, 0, sizeof(*r));
	memset(&m, 0, sizeof(m));
	rc = replace_open(o->conninfo, &o->guard, APPNAME, "take an instant snapshot of", &db, &maint);
	if (rc != DBT_OK)
		goto out;
	rc = DBT_FAILED;
	/* an interrupt cancels the copy (the server drops what it made); the source is opened again */
	slot = intr_register_conn(maint);
	if ((exists = dbadmin_exists(maint, db)) <= 0) {
		if (exists == 0)
			log_error("database \"%s\" does not exist", db);
		goto out;
	}
	if (describe_source(maint, db, o->name, &m) < 0)
		goto out;
	if (o->confirm) {
		/* the marker's time is the copy's, after the question */
		char *marker = xasprintf("%s/<time>_%s" INSTANT_EXT, o->dir, m.name);
		clone_plan p = {
			.database = db, .host = PQhost(maint), .port = PQport(maint), .user = PQuser(maint),
			.name = m.name, .marker = marker, .bytes = database_size(maint, db),
			.sessions = dbadmin_count_sessions(maint, db),
		};
		double t1 = monotime();

		rc = o->confirm(o->confirm_arg, &p);
		t_plan = monotime() - t1;
		free(marker);
		if (rc != DBT_OK)
			goto out;
		rc = DBT_FAILED;
	}
	m.created_at = time(NULL);
	if (!(path = marker_path(o->dir, m.name, m.created_at)) || replace_lock(maint, db) < 0)
		goto out;
	rc = take_locked(o, maint, &m, path, r);
	if (rc == DBT_OK) {
		r->marker_path = path;
		path = NULL;
		r->name = xstrdup(m.name);
		r->database = xstrdup(db);
		r->template_db = xstrdup(m.template_db);
		r->bytes = m.bytes;
	} else if (intr_pending()) {
		log_error("interrupted; nothing was kept");
	}
out:
	if (slot >= 0)
		intr_unregister_conn(slot);
	if (maint)
		PQfinish(maint);
	/* the spare after the lock is gone: the builder is a process of its own */
	if (rc == DBT_OK)
		spare_offer(o->conninfo, INSTANT_KIND, m.key, o->spare_budget, o->spare_log);
	instant_free(&m);
	free(path);
	free(db);
	r->seconds = monotime() - t0 - t_plan;
	return rc;
}

void
clone_result_free(clone_result *r)
{
	free(r->marker_path);
	free(r->name);
	free(r->database);
	free(r->template_db);
	memset(r, 0, sizeof(*r));
}

static bool
same_text(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Whether maint reaches the server and role the marker records. */
static bool
same_place(PGconn *maint, const instant_marker *m)
{
	const char *host = PQhost(maint);

	return same_text(PQuser(maint), m->user) && same_text(PQport(maint), m->port) &&
	    same_text(host && *host ? host : NULL, m->host);
}

/* The maintenance connection and the template of m; DBT_OK with *tmpl, or a status after logging. */
static dbt_status
open_template(const char *conninfo, const instant_marker *m, PGconn **maint, char **tmpl)
{
	int found;

	*tmpl = NULL;
	if (!(*maint = dbadmin_connect_maintenance(conninfo, m->database, APPNAME)))
		return DBT_FAILED;
	if ((found = tcache_lookup(*maint, INSTANT_KIND, m->key, tmpl)) < 0)
		return DBT_FAILED;
	if (found == 0) {
		instant_not_here(m, PQuser(*maint));
		return DBT_FAILED;
	}
	return DBT_OK;
}

dbt_status
clone_drop(const char *conninfo, const instant_marker *m)
{
	PGconn *maint = dbadmin_connect_maintenance(conninfo, m->database, APPNAME);
	int rc;

	if (!maint) {
		log_hint("the instant snapshot's database is on the server; the marker is kept until it is dropped");
		return DBT_FAILED;
	}
	/* a builder copying the template would hold up its DROP */
	rc = spare_stop_builders(maint) < 0 ? -1 : tcache_drop(maint, INSTANT_KIND, m->key);
	if (rc == 0 && !same_place(maint, m)) {
		/* not here, but maybe where it was taken: the marker is all that finds it */
		instant_not_here(m, PQuser(maint));
		PQfinish(maint);
		return DBT_FAILED;
	}
	if (rc == 0)
		log_info("the instant snapshot's database was gone already");
	if (rc >= 0)
		rc = spare_drop(maint, false) < 0 ? -1 : 0;
	PQfinish(maint);
	return rc < 0 ? DBT_FAILED : DBT_OK;
}

/* Drop the export clones killed runs left: those whose run's lock is free. */
static int
drop_stale_exports(PGconn *maint)
{
	dbadmin_info *v;
	size_t n;
	int rc = 0;

	if (dbadmin_list(maint, EXPORT_PREFIX, false, &v, &n) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *lock = xasprintf("export %s", v[i].name);

		if (v[i].owned && dbadmin_try_lock(maint, lock, 0) == 1) {
			log_verbose("dropping \"%s\", left by an interrupted export", v[i].name);
			rc = dbadmin_drop(maint, v[i].name);
		}
		free(lock);
	}
	dbadmin_info_free(v, n);
	return rc;
}

dbt_status
clone_export(const snapshot_opts *o, const instant_marker *m, snapshot_result *r)
{
	snapshot_origin origin = {
		.database = m->database, .created_at = m->created_at, .git_branch = m->git_branch,
		.git_commit = m->git_commit, .db_settings = m->db_settings, .n_db_settings = m->n_db_settings,
		.db_comment = m->db_comment,
	};
	snapshot_opts eo = *o;
	PGconn *maint = NULL;
	char *tmpl = NULL, *copy = NULL, *lock = NULL;
	dbt_status rc;

	memset(r, 0, sizeof(*r));
	rc = open_template(o->conninfo, m, &maint, &tmpl);
	if (rc != DBT_OK)
		goto out;
	rc = DBT_FAILED;
	copy = xasprintf(EXPORT_PREFIX "%.16s_%d", m->key, (int) getpid());
	lock = xasprintf("export %s", copy);
	if (drop_stale_exports(maint) < 0 || dbadmin_try_lock(maint, lock, 0) != 1)
		goto out;
	log_info("exporting \"%s\" from a copy of its database \"%s\"", m->name, tmpl);
	progress_start(o->progress, "copying the snapshot's database", NULL, 0, 0);
	if (dbadmin_create(maint, copy, tmpl, NULL, NULL, 0) < 0) {
		progress_stop();
		goto out;
	}
	progress_stop();
	eo.dbname = copy;
	eo.origin = &origin;
	eo.name = m->name;
	rc = snapshot_run(&eo, r);
	if (dbadmin_drop(maint, copy) < 0)
		log_warning("could not drop \"%s\"; the next export drops it", copy);
out:
	PQfinish(maint);
	free(lock);
	free(copy);
	free(tmpl);
	return rc;
}
