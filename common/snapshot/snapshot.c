/*
 * snapshot.c — the snapshot job's driver; see snapshot.h and job.h.
 *
 * Shape of a run:
 *   main connection: BEGIN REPEATABLE READ, READ ONLY, DEFERRABLE;
 *                    pg_export_snapshot(); read catalogs; LOCK tables
 *   N workers:       connect, SET TRANSACTION SNAPSHOT, take work items
 *                    (a table, a ctid-range chunk of a large table, or the
 *                    large objects), COPY TO STDOUT -> codec -> spool -> tar
 *   main thread:     pg_dump (both schema sections, custom format),
 *                    pg_restore pre-data (written first, then data may
 *                    follow) and post-data, join workers, post-data,
 *                    meta.json (last member), fsync, rename .partial files.
 * Memory is bounded: per worker one codec state and a spool whose memory
 * part is capped (SPOOL_MEM); libpq holds at most one row at a time.
 */
#include "snapshot/job.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "archive/snapname.h"
#include "pg/conn.h"
#include "pg/pgdump.h"
#include "project/vcs.h"
#include "util/format.h"
#include "util/fsutil.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/monotime.h"
#include "util/progress.h"
#include "util/version.h"

static int
begin_snapshot(job *j)
{
	if (conn_exec(j->main, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY, DEFERRABLE") < 0)
		return -1;
	j->snapshot_id = conn_query_value(j->main, "SELECT pg_catalog.pg_export_snapshot()", NULL);
	return j->snapshot_id ? 0 : -1;
}

static void
fill_source(job *j, const catalog_db *db, const pgdump_prog *pgd)
{
	meta_doc *m = &j->meta;
	const char *host = PQhost(j->main);

	m->format_version = META_FORMAT_VERSION;
	m->tool_version = xstrdup(DB_TOOLS_VERSION);
	m->src_database = xstrdup(db->name);
	m->src_host = host && *host ? xstrdup(host) : NULL;
	m->src_port = xstrdup(PQport(j->main));
	m->src_user = xstrdup(PQuser(j->main));
	m->server_version = xstrdup(db->server_version);
	m->server_version_num = db->server_version_num;
	m->pg_dump_version = xstrdup(pgd->version);
	m->encoding = xstrdup(db->encoding);
	m->lc_collate = xstrdup(db->lc_collate);
	m->lc_ctype = xstrdup(db->lc_ctype);
	m->locale_provider = xstrdup(db->locale_provider);
	m->provider_locale = db->provider_locale ? xstrdup(db->provider_locale) : NULL;
	m->icu_rules = db->icu_rules ? xstrdup(db->icu_rules) : NULL;
	m->n_db_settings = db->n_settings;
	m->db_settings = strv_dup(db->settings, db->n_settings);
	m->db_comment = db->comment ? xstrdup(db->comment) : NULL;
	m->codec = xstrdup(j->codec->name);
	m->compression_level = j->o->level;
	/* the filters as given: what the restore shows, and part of the cache key with the rest */
	if (j->o->filters && meta_filters_any(j->o->filters)) {
		m->filters.present = true;
		m->filters.large_objects = j->o->filters->large_objects;
		for (int k = 0; k < MF_KINDS; k++) {
			m->filters.n[k] = j->o->filters->n[k];
			m->filters.patterns[k] = strv_dup(j->o->filters->patterns[k], j->o->filters->n[k]);
		}
	}
}

/*
 * Remove the .partial files a killed snapshot left in dir: those of a stem
 * ("<stamp>_<name>") whose .tar.partial no live run holds locked (tarball_create).
 */
static void
remove_stale_partials(const char *dir)
{
	static const char *const kinds[] = {".tar.partial", ".meta.partial", ".schema.partial", ".list.partial"};
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		size_t len = strlen(n), k;
		char *stem, *tar, *path, *name;
		time_t when;
		int fd;
		bool live = false;

		for (k = 0; k < 4; k++)
			if (len > strlen(kinds[k]) && strcmp(n + len - strlen(kinds[k]), kinds[k]) == 0)
				break;
		if (k == 4)
			continue;
		/* the schema file and its list are hidden: ".<stem>.schema.partial" */
		stem = xasprintf("%.*s", (int) (len - strlen(kinds[k]) - (k >= 2)), n + (k >= 2));
		tar = xasprintf("%s.tar", stem);
		if ((k >= 2) != (n[0] == '.') || !snapname_parse_filename(tar, ".tar", &when, &name)) {
			free(tar);
			free(stem);
			continue;
		}
		free(name);
		free(tar);
		tar = xasprintf("%s/%s.tar.partial", dir, stem);
		fd = open(tar, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0) {
			live = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
			close(fd);
		}
		path = xasprintf("%s/%s", dir, n);
		if (!live) {
			if (unlink(path) == 0)
				log_info("removed \"%s\", left by an interrupted snapshot", path);
			else if (errno != ENOENT)
				log_warning("could not remove \"%s\": %s", path, strerror(errno));
		}
		free(path);
		free(tar);
		free(stem);
	}
	closedir(d);
}

static int
check_space(const char *dir, uint64_t need)
{
	uint64_t avail;
	char a[32], n[32];

	if (fs_free_bytes(dir, &avail) < 0)
		return -1;
	if (avail >= need)
		return 0;
	fmt_size(avail, a, sizeof(a));
	fmt_size(need, n, sizeof(n));
	log_error("not enough free space in \"%s\": %s available, the data to copy takes %s", dir, a, n);
	log_hint("free some space, or write the snapshot elsewhere with -o DIR");
	return -1;
}

static void
job_free(job *j)
{
	free(j->snapshot_id);
	free(j->dir);
	catalog_tables_free(j->tables, j->n_tables);
	filter_free(&j->flt);
	free(j->omit);
	meta_free(&j->meta);
	free(j->parts_left);
	free(j->lo_oids);
	free(j->items);
	if (j->cancels) {
		for (int i = 0; i < j->o->jobs; i++)
			if (j->cancels[i])
				PQfreeCancel(j->cancels[i]);
		free(j->cancels);
	}
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->gate);
	intr_unregister_conn(j->main_slot);
	if (j->main)
		PQfinish(j->main);
}

char *
snapshot_default_name(const char *dbname, const char *branch)
{
	char *n = snapname_sanitize(branch ? branch : dbname);

	if (!*n || snapname_name_problem(n)) {
		free(n);
		n = xstrdup("snapshot");
	}
	return n;
}

static void
summarize(job *j, snapshot_result *r, uint64_t archive_bytes, double seconds, const char *tar_path,
    const char *meta_path)
{
	meta_totals t;

	meta_totals_of(&j->meta, &t);
	r->tar_path = tar_path ? xstrdup(tar_path) : NULL;
	r->meta_path = meta_path ? xstrdup(meta_path) : NULL;
	r->name = xstrdup(j->meta.name);
	r->archive_bytes = archive_bytes;
	r->raw_bytes = t.raw_bytes;
	r->rows = t.rows;
	r->tables = t.tables;
	r->sequences = (int64_t) j->meta.n_sequences;
	r->large_objects = t.large_objects;
	r->data_excluded = t.data_excluded;
	r->filters.present = j->meta.filters.present;
	r->filters.large_objects = j->meta.filters.large_objects;
	for (int k = 0; k < MF_KINDS; k++) {
		r->filters.n[k] = j->meta.filters.n[k];
		r->filters.patterns[k] = strv_dup(j->meta.filters.patterns[k], j->meta.filters.n[k]);
	}
	r->seconds = seconds;
}

/* The files of one snapshot: final names, the .partial files while writing, what exists now. */
typedef struct outputs {
	char *tar_path, *meta_path;
	char *tar_tmp, *meta_tmp, *schema_tmp;
	char *list_tmp;             /* pg_restore's list of what the schema keeps (filtered snapshots) */
	bool tar_created, meta_created, schema_created, list_created;
	spool pre_sp, post_sp;      /* the schema sections between pg_restore and the tar */
	char *meta_json;
} outputs;

/*
 * Where the temporary files (spools, the schema dump) go with -f: beside
 * FILE, or for standard output in $TMPDIR (else /tmp).
 */
static char *
work_dir(const char *file)
{
	const char *slash = strrchr(file, '/');

	if (strcmp(file, "-") == 0)
		return xstrdup(fs_temp_dir());
	if (!slash)
		return xstrdup(".");
	return slash == file ? xstrdup("/") : xasprintf("%.*s", (int) (slash - file), file);
}

/* Where the files go (made first: fail before touching the database), the connection, pg_dump. */
static int
open_source(job *j, catalog_db *db, pgdump_prog *pgd)
{
	const snapshot_opts *o = j->o;

	if (!o->file) {
		/* made here, inside a git work tree: it ignores its own contents (.gitignore "*") */
		bool made = access(o->dir, F_OK) != 0;

		if (fs_mkdir_p(o->dir, 0700) < 0)
			return -1;
		if (made)
			(void) vcs_ignore_dir(o->dir);
		j->dir = xstrdup(o->dir);
	} else
		j->dir = work_dir(o->file);
	j->main = conn_open_db(o->conninfo, o->dbname, "db-snapshot");
	if (!j->main || conn_pin_session(j->main, SNAPSHOT_SESSION) < 0)
		return -1;
	j->main_slot = intr_register_conn(j->main);
	if (catalog_db_info(j->main, db) < 0 || pgdump_find(db->server_version_num, o->pg_dump, pgd) < 0)
		return -1;
	if (o->origin) {
		const snapshot_origin *g = o->origin;

		free(db->name);
		db->name = xstrdup(g->database);
		strv_free(db->settings, db->n_settings);
		db->settings = strv_dup(g->db_settings, g->n_db_settings);
		db->n_settings = g->n_db_settings;
		free(db->comment);
		db->comment = g->db_comment ? xstrdup(g->db_comment) : NULL;
	}
	log_verbose("using %s (pg_dump %s) for PostgreSQL %s", pgd->path, pgd->version, db->server_version);
	return 0;
}

/* The snapshot's name (NAME, else the git branch, else the database) and its files' names. */
static int
name_outputs(job *j, const catalog_db *db, outputs *out)
{
	const snapshot_opts *o = j->o;
	char stamp[SN_STAMP_LEN + 1];
	char *branch = NULL, *commit = NULL;

	if (o->origin) {
		branch = o->origin->git_branch ? xstrdup(o->origin->git_branch) : NULL;
		commit = o->origin->git_commit ? xstrdup(o->origin->git_commit) : NULL;
	} else {
		vcs_git_info(".", &branch, &commit);
	}
	j->meta.name = o->name ? xstrdup(o->name) : snapshot_default_name(db->name, branch);
	j->meta.git_branch = branch;
	j->meta.git_commit = commit;
	j->meta.created_at = j->mtime;
	snapname_stamp(j->mtime, stamp);
	out->schema_tmp = xasprintf("%s/.%s_%s.schema.partial", j->dir, stamp, j->meta.name);
	out->list_tmp = xasprintf("%s/.%s_%s.list.partial", j->dir, stamp, j->meta.name);
	if (o->file && strcmp(o->file, "-") == 0)
		return 0;               /* standard output: no file of its own */
	if (o->file) {
		out->tar_path = xstrdup(o->file);
		out->tar_tmp = xasprintf("%s.partial", out->tar_path);
		if (access(out->tar_path, F_OK) == 0) {
			log_error("\"%s\" already exists", out->tar_path);
			log_hint("remove it first, or choose another file");
			return -1;
		}
		return 0;
	}
	out->tar_path = xasprintf("%s/%s_%s.tar", o->dir, stamp, j->meta.name);
	out->meta_path = xasprintf("%s/%s_%s.meta", o->dir, stamp, j->meta.name);
	out->tar_tmp = xasprintf("%s.partial", out->tar_path);
	out->meta_tmp = xasprintf("%s.partial", out->meta_path);
	if (access(out->tar_path, F_OK) == 0 || access(out->meta_path, F_OK) == 0) {
		log_error("\"%s\" already exists", out->tar_path);
		log_hint("wait a second or choose another NAME");
		return -1;
	}
	return 0;
}

/* The large objects: one work item, and their members in the meta. */
static void
plan_large_objects(job *j, uint64_t lo_disk, uint64_t *est_total)
{
	work_item *it;

	if (j->n_lo_oids == 0)
		return;
	j->meta.n_los = j->n_lo_oids;
	j->meta.los = xcalloc(j->n_lo_oids, sizeof(meta_lo));
	for (size_t i = 0; i < j->n_lo_oids; i++) {
		j->meta.los[i].oid = j->lo_oids[i];
		j->meta.los[i].member = xasprintf("large-objects/%u%s", j->lo_oids[i], j->codec->extension);
	}
	/* largest-first order puts it early when pg_largeobject is big */
	it = &j->items[j->n_items++];
	memset(it, 0, sizeof(*it));
	it->table = -1;
	it->est_bytes = lo_disk;
	sort_items(j);
	*est_total += lo_disk;
}

/*
 * A migration head is the snapshot's only when its tracking table is in it
 * with its rows: else the restored database has no such record of it.
 */
static void
forget_filtered_migrations(job *j)
{
	const char *qualified = j->meta.migration_table;

	if (!qualified || !j->flt.active)
		return;
	for (size_t i = 0; i < j->n_tables; i++) {
		size_t ns = strlen(j->tables[i].schema);

		if (strncmp(qualified, j->tables[i].schema, ns) == 0 && qualified[ns] == '.' &&
		    strcmp(qualified + ns + 1, j->tables[i].name) == 0 && !j->tables[i].data_excluded)
			return;
	}
	log_verbose("migration table %s is not in the snapshot (or without its rows): no migration head recorded",
	    qualified);
	free(j->meta.migration_table);
	free(j->meta.migration_head);
	j->meta.migration_table = j->meta.migration_head = NULL;
}

/*
 * The consistent moment: export the snapshot, read the catalogs and lock
 * the tables in it, plan the work; check that the directory can hold it.
 */
static int
read_source(job *j, const catalog_db *db, const pgdump_prog *pgd, uint64_t *est_total)
{
	const snapshot_opts *o = j->o;
	uint64_t lo_disk = 0;

	if (begin_snapshot(j) < 0)
		return -1;
	log_verbose("exported snapshot %s", j->snapshot_id);
	/* the filters, matched in the snapshot: the same tables as pg_dump's, since it shares it */
	if ((j->status = filter_resolve(j->main, db->name, o->filters, &j->flt)) != DBT_OK)
		return -1;
	if (catalog_tables(j->main, &j->tables, &j->n_tables) < 0)
		return -1;
	filter_tables(&j->flt, j->tables, &j->n_tables);
	if (catalog_lock_tables(j->main, j->tables, j->n_tables) < 0 ||
	    catalog_sequences(j->main, &j->flt, &j->meta.sequences, &j->meta.n_sequences) < 0 ||
	    (j->flt.large_objects &&
	     catalog_large_objects(j->main, &j->lo_oids, &j->n_lo_oids, &lo_disk) < 0) ||
	    catalog_migration_head(j->main, &j->meta.migration_table, &j->meta.migration_head) < 0 ||
	    filter_dependencies(j->main, &j->flt, &j->omit, &j->n_omit) < 0)
		return -1;
	forget_filtered_migrations(j);
	fill_source(j, db, pgd);
	*est_total = plan(j, db);
	plan_large_objects(j, lo_disk, est_total);
	log_verbose("%zu tables in %zu work items, %zu sequences, %zu large objects, about %llu bytes",
	    j->n_tables, j->n_items, j->meta.n_sequences, j->meta.n_los, (unsigned long long) *est_total);
	if (j->n_data_tables < j->n_tables)
		log_verbose("%zu tables without their data (--exclude-table-data)", j->n_tables - j->n_data_tables);
	if (j->flt.active && !j->flt.large_objects)
		log_verbose("large objects left out: -t and -n leave them out unless -b is given (as pg_dump does)");
	if (!o->file)
		remove_stale_partials(o->dir);
	if (o->file && strcmp(o->file, "-") == 0)
		return 0;               /* a stream: neither durable here nor measurable */
	/* a snapshot is durable only once its directory is fsynced: find out now if that cannot be */
	if (fs_fsync_dir(j->dir) < 0) {
		log_error("could not fsync directory \"%s\": %s", j->dir, strerror(errno));
		log_hint("db-snapshot needs to read the directory it writes into, to make a snapshot durable");
		return -1;
	}
	return check_space(j->dir, *est_total);
}

/* pg_dump's options for the snapshot's filters (NULL: none). */
static const pgdump_filters *
dump_filters(const job *j, pgdump_filters *pf)
{
	static const enum pgdump_filter_kind kinds[MF_KINDS] = {
		[MF_TABLE] = PGDUMP_TABLE,
		[MF_EXCLUDE_TABLE] = PGDUMP_EXCLUDE_TABLE,
		[MF_SCHEMA] = PGDUMP_SCHEMA,
		[MF_EXCLUDE_SCHEMA] = PGDUMP_EXCLUDE_SCHEMA,
		[MF_EXCLUDE_TABLE_DATA] = PGDUMP_EXCLUDE_TABLE_DATA,
	};

	if (!j->flt.active)
		return NULL;
	memset(pf, 0, sizeof(*pf));
	for (int k = 0; k < MF_KINDS; k++) {
		pf->patterns[kinds[k]] = j->o->filters->patterns[k];
		pf->n[kinds[k]] = j->o->filters->n[k];
	}
	return pf;
}

/*
 * A filtered snapshot's schema leaves out what would fail in a new
 * database: foreign keys to what is left out (filter_dependencies), and
 * the CREATE SCHEMA public that pg_dump writes for -n.  0 with *list NULL
 * for an unfiltered snapshot (everything), else -1 after logging.
 */
static int
write_list(job *j, const pgdump_prog *pgd, outputs *out, const char **list)
{
	pgdump_omit omit = {.objs = j->omit, .n_objs = j->n_omit, .public_schema = true};

	*list = NULL;
	if (!j->flt.active)
		return 0;
	out->list_created = true;
	if (pgdump_write_list(pgd, out->schema_tmp, &omit, out->list_tmp) < 0)
		return -1;
	*list = out->list_tmp;
	return 0;
}

/*
 * Schema, while the workers copy: one pg_dump into a custom-format file
 * beside the archive, then pg_restore per section.  Pre-data goes into
 * the tar first; data members wait for it (the gate).
 */
static void
write_schema(job *j, const pgdump_prog *pgd, outputs *out)
{
	pgdump_filters pf;
	const char *list = NULL;

	j->meta.pre_data.member = xstrdup("schema/pre-data.sql");
	j->meta.post_data.member = xstrdup("schema/post-data.sql");
	spool_init(&out->pre_sp, j->dir, SPOOL_MEM);
	spool_init(&out->post_sp, j->dir, SPOOL_MEM);
	out->schema_created = true;
	if (pgdump_dump_schema(pgd, j->main, j->snapshot_id, dump_filters(j, &pf), out->schema_tmp) < 0 ||
	    write_list(j, pgd, out, &list) < 0 ||
	    pgdump_restore_section(pgd, out->schema_tmp, "pre-data", list, &out->pre_sp,
	        &j->meta.pre_data.bytes, j->meta.pre_data.sha256) < 0 ||
	    job_stopping(j) ||
	    tarball_add_spool(j->tb, j->meta.pre_data.member, &out->pre_sp, j->mtime) < 0)
		job_fail(j);
	open_gate(j);
	if (!job_stopping(j) &&
	    pgdump_restore_section(pgd, out->schema_tmp, "post-data", list, &out->post_sp,
	        &j->meta.post_data.bytes, j->meta.post_data.sha256) < 0)
		job_fail(j);
	unlink(out->schema_tmp);
	out->schema_created = false;
	if (out->list_created)
		unlink(out->list_tmp);
	out->list_created = false;
}

/* The data (workers) and the schema (this thread) into the tar; then post-data. */
static int
write_contents(job *j, const pgdump_prog *pgd, outputs *out, uint64_t est_total)
{
	const snapshot_opts *o = j->o;
	worker *workers;
	int nworkers = 0, rc = 0;

	if (!out->tar_tmp)
		j->tb = tarball_open_stream(STDOUT_FILENO, "standard output");
	else if ((j->tb = tarball_create(out->tar_tmp)))
		out->tar_created = true;
	if (!j->tb)
		return -1;
	progress_start(o->progress, "snapshot", "tables", est_total,
	    (int64_t) j->n_data_tables + (j->meta.n_los > 0 ? 1 : 0));
	workers = xcalloc((size_t) o->jobs, sizeof(worker));
	for (int i = 0; i < o->jobs && (size_t) i < (j->n_items ? j->n_items : 1); i++) {
		workers[i].j = j;
		workers[i].id = i;
		workers[i].intr_slot = -1;
		if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0) {
			log_error("could not start a worker thread");
			job_fail(j);
			break;
		}
		nworkers++;
	}
	write_schema(j, pgd, out);
	for (int i = 0; i < nworkers; i++)
		pthread_join(workers[i].thread, NULL);
	progress_stop();
	for (int i = 0; i < nworkers; i++)
		if (workers[i].rc != 0)
			rc = -1;
	free(workers);
	if (job_stopping(j) || rc < 0)
		return -1;
	return tarball_add_spool(j->tb, j->meta.post_data.member, &out->post_sp, j->mtime);
}

/*
 * The description, last (the same bytes in the tar and beside it); close
 * the tar, write the sidecar, end the transaction, give the files their
 * names, fsync the directory.
 */
static int
finish_outputs(job *j, outputs *out, double t0, uint64_t *archive_bytes)
{
	tarball *tb = j->tb;

	meta_sum_tables(&j->meta);
	j->meta.duration_seconds = monotime() - t0;
	out->meta_json = meta_to_json(&j->meta);
	if (tarball_add_mem(j->tb, META_MEMBER, out->meta_json, strlen(out->meta_json), j->mtime) < 0)
		return -1;
	j->tb = NULL;
	if (tarball_close(tb, archive_bytes) < 0)
		return -1;
	if (!out->tar_tmp) {
		/* standard output: the stream is complete once meta.json and the end are written */
		(void) conn_exec(j->main, "COMMIT");
		return 0;
	}
	/* the sidecar (not with -f FILE), written before the transaction ends */
	if (intr_pending() || (out->meta_tmp &&
	    fs_write_new_file(out->meta_tmp, out->meta_json, strlen(out->meta_json)) < 0))
		return -1;
	out->meta_created = out->meta_tmp != NULL;
	/* the transaction stays open until here so that nothing we read could vanish */
	(void) conn_exec(j->main, "COMMIT");
	if (fs_rename_noclobber(out->tar_tmp, out->tar_path) < 0)
		return -1;
	out->tar_created = false;
	if (out->meta_tmp && fs_rename_noclobber(out->meta_tmp, out->meta_path) < 0) {
		/* the .tar alone is a complete snapshot (meta.json inside); keep it */
		log_warning("the archive is complete but has no .meta sidecar; its meta.json member describes it");
		unlink(out->meta_tmp);
	}
	out->meta_created = false;
	/* j->dir: the snapshot directory, or the directory of -f FILE */
	if (fs_fsync_dir(j->dir) < 0)
		log_warning("the snapshot is written, but could not be made durable (fsync of \"%s\": %s)",
		    j->dir, strerror(errno));
	return 0;
}

/* Remove what a failed run wrote, and free the names. */
static void
outputs_free(outputs *out)
{
	if (out->tar_created)
		unlink(out->tar_tmp);
	if (out->meta_created)
		unlink(out->meta_tmp);
	if (out->schema_created)
		unlink(out->schema_tmp);
	if (out->list_created)
		unlink(out->list_tmp);
	spool_free(&out->pre_sp);
	spool_free(&out->post_sp);
	free(out->meta_json);
	free(out->tar_path);
	free(out->meta_path);
	free(out->tar_tmp);
	free(out->meta_tmp);
	free(out->schema_tmp);
	free(out->list_tmp);
}

dbt_status
snapshot_run(const snapshot_opts *o, snapshot_result *r)
{
	job j;
	catalog_db db = {0};
	pgdump_prog pgd = {0};
	outputs out = {.pre_sp = {.fd = -1}, .post_sp = {.fd = -1}};
	uint64_t est_total = 0, archive_bytes = 0;
	double t0 = monotime();
	dbt_status status;
	int rc;

	memset(&j, 0, sizeof(j));
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&j.lock, NULL);
	pthread_cond_init(&j.gate, NULL);
	atomic_init(&j.failed, false);
	j.o = o;
	j.main_slot = -1;
	j.codec = o->codec ? o->codec : codec_default();
	j.cancels = xcalloc((size_t) o->jobs, sizeof(PGcancel *));
	j.mtime = o->origin ? o->origin->created_at : time(NULL);

	rc = open_source(&j, &db, &pgd);
	if (rc == 0)
		rc = name_outputs(&j, &db, &out);
	if (rc == 0)
		rc = read_source(&j, &db, &pgd, &est_total);
	if (rc == 0)
		rc = write_contents(&j, &pgd, &out, est_total);
	if (rc == 0)
		rc = finish_outputs(&j, &out, t0, &archive_bytes);
	if (rc == 0)
		summarize(&j, r, archive_bytes, monotime() - t0, out.tar_path, out.meta_path);
	else {
		job_fail(&j);
		progress_stop();
	}
	if (j.tb)
		tarball_abort(j.tb);
	outputs_free(&out);
	pgdump_free(&pgd);
	catalog_db_free(&db);
	status = rc == 0 ? DBT_OK : j.status == DBT_USAGE ? DBT_USAGE : DBT_FAILED;
	job_free(&j);
	return status;
}

void
snapshot_result_free(snapshot_result *r)
{
	free(r->tar_path);
	free(r->meta_path);
	free(r->name);
	meta_filters_free(&r->filters);
	memset(r, 0, sizeof(*r));
}
