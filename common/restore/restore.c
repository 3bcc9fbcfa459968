/*
 * restore.c — the restore job's orchestration; see restore.h and job.h.
 *
 * Shape of a run:
 *   archive:   index the tar (headers only), parse and check meta.json, check
 *              that the member list is exactly the meta's
 *   server:    connect to the maintenance database, production guard, show
 *              what is about to happen, confirm, take the per-target lock,
 *              clean up what a killed run left
 *   build:     CREATE DATABASE <db>__restoring_<stamp> (a FILE_COPY clone of
 *              a cached template when there is one), else: pre-data; COPY
 *              FROM STDIN over N connections, each member's SHA-256 and row
 *              count checked; sequences; post-data with index builds spread
 *              over the N connections; keep a template for next time
 *   swap:      close the door on the target, end its sessions, rename it to
 *              <db>__pre_<stamp> and the new one to <db> in one transaction,
 *              open the doors, prune old __pre_ copies
 * Any failure before the swap drops the new database; the target is not
 * touched until then.
 */
#include "restore/job.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "pg/conn.h"
#include "pg/dbadmin.h"
#include "project/command.h"
#include "project/migrate.h"
#include "replace/replace.h"
#include "replace/spare.h"
#include "replace/tcache.h"
#include "util/log.h"
#include "util/monotime.h"
#include "util/progress.h"
#include "util/strbuf.h"

#define CACHE_KIND "restore"
#define SESSION_SETTINGS \
	"SET row_security = off; SET synchronous_commit = off;" \
	" SET maintenance_work_mem = '256MB'"

/* ---- connections to the new database ---- */

static int
open_conns(job *j, PGconn *maint, const char *db, int n)
{
	j->conns = xcalloc((size_t) n, sizeof(*j->conns));
	j->shares = xcalloc((size_t) n, sizeof(*j->shares));
	j->conn_script = xcalloc((size_t) n, sizeof(*j->conn_script));
	j->conn_epoch = xcalloc((size_t) n, sizeof(*j->conn_epoch));
	j->conn_parallel = xmalloc((size_t) n * sizeof(*j->conn_parallel));
	j->sch.busy = xcalloc((size_t) n * 2, sizeof(*j->sch.busy));
	j->sch.n_slots = 2 * n;
	j->sch.tables = j->a->m.tables;
	j->intr_slots = xmalloc((size_t) n * sizeof(*j->intr_slots));
	j->n_conns = n;
	for (int i = 0; i < n; i++) {
		j->intr_slots[i] = -1;
		j->conn_parallel[i] = -1;
	}
	if (conn_open_like_n(maint, db, "db-restore", j->conns, n) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		j->intr_slots[i] = intr_register_conn(j->conns[i]);
	for (int i = 0; i < n; i++)
		if (conn_pin_session(j->conns[i], SESSION_SETTINGS) < 0)
			return -1;
	return 0;
}

static void
close_conns(job *j)
{
	/*
	 * The sessions' end is not waited for: a session leaves the server's list
	 * a few ms after its client hangs up, while its process takes 10-40 ms
	 * more to exit; the swap and the template copy wait (dbadmin_terminate) for
	 * the list alone.
	 */
	for (int i = 0; j->conns && i < j->n_conns; i++) {
		if (j->intr_slots[i] >= 0)
			intr_unregister_conn(j->intr_slots[i]);
		PQfinish(j->conns[i]);
	}
	free(j->conns);
	free(j->shares);
	free(j->intr_slots);
	free(j->conn_script);
	free(j->conn_epoch);
	free(j->conn_parallel);
	free(j->sch.busy);
	j->shares = NULL;
	j->conn_script = NULL;
	j->conn_epoch = NULL;
	j->conn_parallel = NULL;
	j->sch.busy = NULL;
	j->sch.n_slots = 0;
	j->conns = NULL;
	j->intr_slots = NULL;
	j->n_conns = 0;
}

/* ---- showing, confirming ---- */

/* Whether the archive was taken on the server maint is connected to (as far as its meta says). */
static bool
same_server(const meta_doc *m, PGconn *maint)
{
	const char *host = PQhost(maint), *port = PQport(maint);
	bool local_src = !m->src_host || !*m->src_host || m->src_host[0] == '/';
	bool local_dst = !host || !*host || host[0] == '/';

	if (local_src != local_dst || (!local_src && strcmp(m->src_host, host) != 0))
		return false;
	return !m->src_port || !port || strcmp(m->src_port, port) == 0;
}

/* ---- the run ---- */

/* The statements of sc still to run (not done during the load, not settings). */
static int64_t
statements_left(const script *sc)
{
	int64_t n = 0;

	for (size_t i = 0; i < sc->n; i++)
		if (sc->v[i].state != ST_DONE && sc->v[i].k.cls != STMT_SKIP && sc->v[i].k.cls != STMT_SESSION)
			n++;
	return n;
}

static int
load_archive(job *j, PGconn *maint, const char *built)
{
	meta_totals t;
	script pre, post;
	uint64_t total = 0;
	double t0;
	int rc = -1;

	memset(&pre, 0, sizeof(pre));
	memset(&post, 0, sizeof(post));
	if (open_conns(j, maint, built, j->o->jobs) < 0) {
		job_fail(j, false);
		return -1;
	}
	plan_items(j);
	for (size_t i = 0; i < j->n_items; i++)
		total += (uint64_t) j->items[i].stored;
	meta_totals_of(&j->a->m, &t);
	if (script_load(j, &j->a->m.pre_data, &pre) < 0 || script_load(j, &j->a->m.post_data, &post) < 0)
		goto out;
	t0 = monotime();
	progress_start(j->o->progress, "schema", NULL, 0, 0);
	if (script_run(j, &pre) < 0)
		goto out;
	log_verbose("pre-data schema created in %.2f s", monotime() - t0);
	t0 = monotime();
	j->post = &post;
	progress_start(j->o->progress, "loading", "members", total, (int64_t) j->n_items);
	rc = run_threads(j, j->n_conns, data_worker);
	if (rc < 0)
		goto out;
	log_verbose("data loaded (and some indexes built) in %.2f s", monotime() - t0);
	rc = -1;
	if (set_sequences(j) < 0)
		goto out;
	t0 = monotime();
	/* from here on every statement run counts (the index builds done early do not) */
	j->count_statements = true;
	progress_start(j->o->progress, "indexes and constraints", "statements", 0, statements_left(&post));
	if (script_run(j, &post) < 0)
		goto out;
	log_verbose("the rest of post-data built in %.2f s", monotime() - t0);
	rc = 0;
out:
	j->count_statements = false;
	j->post = NULL;
	sched_script_free(&pre);
	sched_script_free(&post);
	return rc;
}

/*
 * The template cache's key for this restore: the archive's, or with
 * --owners (whose result differs: owners and grants kept) one of its own.
 */
static void
cache_key(const archive_in *a, bool owners, char key[HASH_HEX_LEN + 1])
{
	char *text;

	if (!owners) {
		memcpy(key, a->key, sizeof(a->key));
		return;
	}
	text = xasprintf("%s --owners", a->key);
	hash_hex_of(text, strlen(text), key);
	free(text);
}

/* --migrate: bring the restored database up to the project's migrations. */
static int
migrate_built(const restore_opts *o, PGconn *maint, const char *built, restore_result *r)
{
	migrate_file *v;
	size_t n;
	PGconn *conn;
	int rc;

	if (o->migrations_command)
		return command_run(maint, built, o->migrations_command, "migrations", NULL, 0);
	if (!o->migrations_dir) {
		log_warning("--migrate: no \"migrations\" in the configuration; nothing to apply");
		return 0;
	}
	if (migrate_scan(o->migrations_dir, &v, &n) < 0)
		return -1;
	if (!(conn = conn_open_like(maint, built, "db-restore"))) {
		migrate_free(v, n);
		return -1;
	}
	rc = migrate_apply(conn, v, n, &r->migrations);
	if (rc == 0)
		log_info("applied %d pending migration%s", r->migrations, r->migrations == 1 ? "" : "s");
	PQfinish(conn);
	migrate_free(v, n);
	return rc;
}

/* The snapshot's locale for a message: "LC_COLLATE en_US.UTF-8, ICU locale sv-SE"; caller frees. */
static char *
locale_text(const meta_doc *m)
{
	strbuf sb;

	sb_init(&sb);
	sb_appendf(&sb, "LC_COLLATE %s", m->lc_collate ? m->lc_collate : "?");
	if (m->locale_provider && strcmp(m->locale_provider, "libc") != 0) {
		sb_appendf(&sb, ", %s locale %s", strcmp(m->locale_provider, "icu") == 0 ? "ICU" :
		    m->locale_provider, m->provider_locale ? m->provider_locale : "?");
		if (m->icu_rules)
			sb_append(&sb, " with rules");
	}
	return sb_steal(&sb);
}

/*
 * The source database's own settings (ALTER DATABASE ... SET) and comment,
 * which neither the schema nor a template clone carries.  They are applied
 * once everything is loaded, so that a setting such as
 * default_transaction_read_only cannot get in the way of the load; one the
 * server refuses is a warning.
 */
static void
apply_db_properties(PGconn *maint, const char *built, const meta_doc *m)
{
	char err[512];

	for (size_t i = 0; i < m->n_db_settings; i++) {
		const char *s = m->db_settings[i];

		if (dbadmin_apply_setting(maint, built, s, err, sizeof(err)) < 0)
			log_warning("could not apply the database setting %.*s: %s", (int) strcspn(s, "="), s,
			    err);
	}
	if (m->db_comment && dbadmin_set_comment(maint, built, m->db_comment, err, sizeof(err)) < 0)
		log_warning("could not set the database's comment: %s", err);
}

static void
fill_result(restore_result *r, const archive_in *a)
{
	meta_totals t;

	meta_totals_of(&a->m, &t);
	r->tables = t.tables;
	r->rows = t.rows;
	r->bytes = t.raw_bytes;
	r->large_objects = t.large_objects;
	r->sequences = (int64_t) a->m.n_sequences;
}

/* What a restore's steps share (the replace_task callbacks' context). */
typedef struct restore_ctx {
	archive_in *a;
	const restore_opts *o;
	restore_result *r;
	char key[HASH_HEX_LEN + 1];  /* the template cache's */
	const char *kind;            /* of template: CACHE_KIND, or INSTANT_KIND for an instant snapshot */
	const instant_marker *instant;  /* an instant snapshot's marker; NULL for an archive */
	char *tmpl;                  /* the template to clone, when there is one */
	bool spare;                  /* and it has a ready spare, taken instead */
	job j;
} restore_ctx;

static dbt_status
restore_prepare(void *arg, PGconn *maint, const char *target, bool exists)
{
	restore_ctx *c = arg;
	dbt_status rc;

	(void) target;
	(void) exists;
	/* an instant snapshot is its template: there is nothing else to restore it from */
	if (c->instant || (c->o->use_cache && c->o->cache_size > 0)) {
		int spare = spare_prepare(maint, c->kind, c->key);

		if (spare < 0 || tcache_lookup(maint, c->kind, c->key, &c->tmpl) < 0)
			return DBT_FAILED;
		c->spare = c->tmpl && spare == 1 && c->o->use_cache;
	}
	if (c->instant && !c->tmpl) {
		instant_not_here(c->instant, PQuser(maint));
		return DBT_FAILED;
	}
	if (c->o->owners && !c->instant && (rc = check_owner_roles(c->a, maint)) != DBT_OK)
		return rc;
	return DBT_OK;
}

/* Show what is about to happen, through the front end, and ask. */
static dbt_status
restore_plan_confirm(void *arg, PGconn *maint, const char *target, bool exists)
{
	restore_ctx *c = arg;
	const meta_doc *m = &c->a->m;
	restore_plan p = {
		.archive = c->a->path, .archive_bytes = c->a->ix.file_size, .meta = m,
		.target = target, .host = PQhost(maint), .port = PQport(maint), .user = PQuser(maint),
		.server_major = PQserverVersion(maint) / 10000, .target_exists = exists,
		.keep_previous = c->o->keep_previous, .from_cache = c->tmpl != NULL, .from_spare = c->spare,
		.instant = c->instant,
		/* an instant snapshot runs no schema: it is the role's own copy of a database */
		.foreign = !c->instant && ((m->src_database && strcmp(m->src_database, target) != 0) ||
		    !same_server(m, maint)),
		.trust_archive = c->o->trust_archive,
		.sessions = exists ? dbadmin_count_sessions(maint, target) : 0,
		.migrate = c->o->migrate,
	};
	dbt_status rc;

	if (!c->o->confirm)
		return DBT_OK;
	if (c->o->migrations_dir)
		p.project_head = migrate_newest(c->o->migrations_dir);
	rc = c->o->confirm(c->o->confirm_arg, &p);
	free(p.project_head);
	return rc;
}

/* Create the database in the archive's locale, else (with a warning) the server's default. */
static int
create_for_archive(const archive_in *a, PGconn *maint, const char *built)
{
	char err[512];
	dbadmin_locale loc = {a->m.encoding, a->m.lc_collate, a->m.lc_ctype, a->m.locale_provider,
	    a->m.provider_locale, a->m.icu_rules};
	dbadmin_locale enc_only = {.encoding = a->m.encoding};
	char *what;

	if (dbadmin_create(maint, built, NULL, &loc, err, sizeof(err)) == 0)
		return 0;
	what = locale_text(&a->m);
	log_warning("could not create the database with the snapshot's locale (%s): %s", what, err);
	log_detail("using the server's default locale with encoding %s", a->m.encoding);
	free(what);
	return dbadmin_create(maint, built, NULL, &enc_only, NULL, 0);
}

static dbt_status
restore_build(void *arg, PGconn *maint, const char *built)
{
	restore_ctx *c = arg;
	const restore_opts *o = c->o;
	int rc;

	if (c->tmpl) {
		if (spare_or_clone(maint, c->kind, c->key, c->tmpl, c->spare, built, o->progress,
		    &c->r->from_spare) < 0)
			return DBT_FAILED;
		(void) tcache_touch(maint, c->kind, c->key);
		c->r->from_cache = true;
	} else {
		log_info("restoring into a new database \"%s\"", built);
		if (create_for_archive(c->a, maint, built) < 0)
			return DBT_FAILED;
		c->j.a = c->a;
		c->j.o = o;
		pthread_mutex_init(&c->j.lock, NULL);
		pthread_cond_init(&c->j.cond, NULL);
		rc = load_archive(&c->j, maint, built);
		close_conns(&c->j);
		if (rc < 0) {
			progress_stop();
			return atomic_load(&c->j.integrity) ? DBT_INTEGRITY : DBT_FAILED;
		}
		if (o->use_cache && o->cache_size > 0) {
			const char *base = strrchr(c->a->path, '/');

			progress_start(o->progress, "keeping a template", NULL, 0, 0);
			if (tcache_store(maint, built, CACHE_KIND, c->key, base ? base + 1 : c->a->path,
			    o->cache_size) == 0)
				c->r->cached = true;
			else
				log_warning("could not keep a template for the next restore of this archive");
		}
		progress_stop();
	}
	/* migrations first: the database's own settings (read-only, a short statement_timeout) could stop them */
	if (o->migrate && migrate_built(o, maint, built, c->r) < 0)
		return DBT_FAILED;
	apply_db_properties(maint, built, &c->a->m);
	return DBT_OK;
}

dbt_status
restore_run(const restore_opts *o, restore_result *r)
{
	archive_in a;
	instant_marker im;
	restore_ctx c;
	replace_outcome out;
	replace_task t = {
		.conninfo = o->conninfo, .guard = o->guard,
		.appname = "db-restore", .what = "restore into",
		.keep_previous = o->keep_previous, .progress = o->progress, .ctx = &c,
		.prepare = restore_prepare, .plan = restore_plan_confirm, .build = restore_build,
	};
	int rc;
	double t0 = monotime();

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	memset(&out, 0, sizeof(out));
	memset(&im, 0, sizeof(im));
	c.a = &a;
	c.o = o;
	c.r = r;
	c.kind = CACHE_KIND;
	r->archive = xstrdup(o->archive);
	if (instant_is_marker(o->archive)) {
		rc = archive_open_instant(o->archive, &a, &im);
		c.instant = &im;
		c.kind = INSTANT_KIND;
		r->instant = true;
		r->bytes = im.bytes;
		memcpy(c.key, a.key, sizeof(c.key));
	} else {
		rc = archive_open(o->archive, &a);
		if (rc == DBT_OK) {
			fill_result(r, &a);
			cache_key(&a, o->owners, c.key);
			rc = check_schema_statements(&a, o->trust_archive);
		}
	}
	if (rc == DBT_OK) {
		rc = replace_run(&t, &out);
		if (rc == DBT_OK && o->use_cache && (c.instant || o->cache_size > 0) && (c.tmpl || r->cached))
			spare_offer(o->conninfo, c.kind, c.key, o->spare_budget, o->spare_log);
		r->target = out.target;
		r->target_existed = out.target_existed;
		r->previous = out.previous;
		r->previous_dropped = out.previous_dropped;
	}
	if (c.j.items) {
		pthread_mutex_destroy(&c.j.lock);
		pthread_cond_destroy(&c.j.cond);
	}
	free(c.j.items);
	free(c.j.sch.table_left);
	close_conns(&c.j);
	free(c.tmpl);
	archive_close(&a);
	instant_free(&im);
	/* the work, not the wait at the prompt */
	r->seconds = monotime() - t0 - out.t_plan;
	return rc;
}

dbt_status
restore_verify(const char *archive, int jobs, enum opt_when progress, bool trust, restore_result *r)
{
	archive_in a;
	job j;
	restore_opts o = {.jobs = jobs, .progress = progress};
	char *text;
	uint64_t total = 0;
	int rc;
	double t0 = monotime();

	memset(r, 0, sizeof(*r));
	memset(&j, 0, sizeof(j));
	r->archive = xstrdup(archive);
	rc = archive_open(archive, &a);
	if (rc != DBT_OK)
		goto out;
	fill_result(r, &a);
	if ((rc = check_schema_statements(&a, trust)) != DBT_OK)
		goto out;
	if ((rc = read_schema(&a, &a.m.pre_data, &text)) != DBT_OK)
		goto out;
	free(text);
	if ((rc = read_schema(&a, &a.m.post_data, &text)) != DBT_OK)
		goto out;
	free(text);
	j.a = &a;
	j.o = &o;
	j.verify_only = true;
	pthread_mutex_init(&j.lock, NULL);
	pthread_cond_init(&j.cond, NULL);
	plan_items(&j);
	for (size_t i = 0; i < j.n_items; i++)
		total += (uint64_t) j.items[i].stored;
	progress_start(progress, "verify", "members", total, (int64_t) j.n_items);
	rc = run_threads(&j, jobs, data_worker);
	progress_stop();
	if (rc < 0)
		rc = atomic_load(&j.integrity) ? DBT_INTEGRITY : DBT_FAILED;
	pthread_mutex_destroy(&j.lock);
	pthread_cond_destroy(&j.cond);
	free(j.items);
	free(j.sch.table_left);
out:
	archive_close(&a);
	r->seconds = monotime() - t0;
	return rc;
}

dbt_status
restore_describe(const char *archive, meta_doc *m, int64_t *archive_bytes)
{
	archive_in a;
	dbt_status rc = archive_open(archive, &a);

	memset(m, 0, sizeof(*m));
	*archive_bytes = 0;
	if (rc == DBT_OK) {
		/* the description moves out of the archive's reader */
		*m = a.m;
		a.have_meta = false;
		*archive_bytes = a.ix.file_size;
	}
	archive_close(&a);
	return rc;
}

void
restore_result_free(restore_result *r)
{
	free(r->archive);
	free(r->target);
	free(r->previous);
	memset(r, 0, sizeof(*r));
}
