/*
 * snapshot.c — the snapshot job; see snapshot.h.
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
#include "snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq/libpq-fs.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "codec.h"
#include "conn.h"
#include "fsutil.h"
#include "hash.h"
#include "interrupt.h"
#include "log.h"
#include "meta.h"
#include "monotime.h"
#include "pgdump.h"
#include "quote.h"
#include "snapname.h"
#include "spool.h"
#include "strbuf.h"
#include "tarball.h"
#include "vcs.h"

#define SPOOL_MEM (1u << 20)            /* memory part of each spool */
#define CHUNK_BYTES (64ull << 20)       /* split heap files larger than this */
#define MAX_CHUNKS 256
#define LO_BUF (256 * 1024)
#define BATCH_BYTES (128 * 1024)
/*
 * Every session of a snapshot: row-level security off, so that a policy
 * makes COPY fail instead of leaving rows out (as pg_dump does).
 */
#define SNAPSHOT_SESSION "SET row_security = off;"

typedef struct work_item {
	long table;              /* index into job.meta.tables; -1: the large objects */
	int part;                /* 0: the whole table; else 1..nparts */
	uint32_t blk_from;       /* chunk: first block */
	uint32_t blk_to;         /* chunk: end block (exclusive); 0 = to the end */
	uint64_t est_bytes;
} work_item;

typedef struct job {
	const snap_opts *o;
	const codec_ops *codec;
	PGconn *main;
	char *snapshot_id;
	char *dir;
	time_t mtime;
	cat_table *tables;
	size_t n_tables;
	snap_meta meta;
	atomic_int *parts_left;     /* per table, for the tables-done counter */
	uint32_t *lo_oids;
	size_t n_lo_oids;
	work_item *items;
	size_t n_items;
	size_t next_item;
	tarball *tb;
	pthread_mutex_t lock;
	pthread_cond_t gate;        /* data members wait until pre-data is in the tar */
	bool gate_open;
	atomic_bool failed;
	PGcancel **cancels;         /* one per worker, for stopping the others on failure */
	int main_slot;              /* the main connection's interrupt registration */
} job;

typedef struct worker {
	job *j;
	int id;
	pthread_t thread;
	PGconn *conn;
	int intr_slot;
	spool sp;
	codec_stream cs;            /* encoder, reused for every member */
	bool cs_ready;
	char *batch;                /* BATCH_BYTES, reused for every member */
	int rc;
} worker;

char *
snap_member_name(size_t index, const char *schema, const char *table, int part,
    const char *extension)
{
	strbuf sb;
	const char *parts[2] = {schema, table};

	sb_init(&sb);
	sb_appendf(&sb, "data/%04zu_", index);
	for (int k = 0; k < 2; k++) {
		size_t n = 0;

		if (k)
			sb_append_char(&sb, '.');
		for (const char *p = parts[k]; *p && n < 48; p++, n++) {
			unsigned char c = (unsigned char) *p;

			sb_append_char(&sb, (c < 128 && (c == '_' || c == '-' ||
			    (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			    ? (char) c : '_');
		}
	}
	if (part > 0)
		sb_appendf(&sb, ".part%03d", part);
	sb_append(&sb, extension);
	return sb_steal(&sb);
}

/* ---- failure handling shared by workers and the main thread ---- */

static void
job_fail(job *j)
{
	char errbuf[256];

	if (atomic_exchange(&j->failed, true))
		return;
	pthread_mutex_lock(&j->lock);
	j->gate_open = true;
	pthread_cond_broadcast(&j->gate);
	for (int i = 0; i < j->o->jobs; i++)
		if (j->cancels[i])
			(void) PQcancel(j->cancels[i], errbuf, sizeof(errbuf));
	pthread_mutex_unlock(&j->lock);
}

static bool
job_stopping(job *j)
{
	return atomic_load(&j->failed) || intr_pending();
}

static void
open_gate(job *j)
{
	pthread_mutex_lock(&j->lock);
	j->gate_open = true;
	pthread_cond_broadcast(&j->gate);
	pthread_mutex_unlock(&j->lock);
}

static int
wait_gate(job *j)
{
	pthread_mutex_lock(&j->lock);
	while (!j->gate_open)
		pthread_cond_wait(&j->gate, &j->lock);
	pthread_mutex_unlock(&j->lock);
	return job_stopping(j) ? -1 : 0;
}

static work_item *
take_item(job *j)
{
	work_item *it = NULL;

	pthread_mutex_lock(&j->lock);
	if (j->next_item < j->n_items)
		it = &j->items[j->next_item++];
	pthread_mutex_unlock(&j->lock);
	return it;
}

/* ---- one member: COPY -> hash + codec -> spool -> tar ---- */

/*
 * COPY hands over one row at a time; rows are gathered into a batch so the
 * hash, the codec and the progress counter see large pieces.
 */
typedef struct member_out {
	codec_stream *cs;     /* the worker's encoder, reset for each member */
	hash_ctx *h;
	int64_t raw;
	int64_t rows;
	char *batch;          /* the worker's BATCH_BYTES buffer */
	size_t batch_len;
} member_out;

static int
member_begin(job *j, worker *w, member_out *m)
{
	int rc;

	memset(m, 0, sizeof(*m));
	m->batch = w->batch;
	m->cs = &w->cs;
	spool_reset(&w->sp);
	if (w->cs_ready)
		rc = codec_reset(&w->cs);
	else if ((rc = codec_encoder(&w->cs, j->codec, j->o->level, spool_sink, &w->sp)) == 0)
		w->cs_ready = true;
	if (rc < 0) {
		log_error("%s", w->cs.error);
		return -1;
	}
	m->h = hash_new();
	return 0;
}

static int
member_consume(member_out *m, const void *data, size_t len)
{
	hash_update(m->h, data, len);
	m->raw += (int64_t) len;
	progress_add_bytes(len);
	if (codec_write(m->cs, data, len) < 0) {
		log_error("%s", m->cs->error);
		return -1;
	}
	return 0;
}

static int
member_flush(member_out *m)
{
	int rc = m->batch_len ? member_consume(m, m->batch, m->batch_len) : 0;

	m->batch_len = 0;
	return rc;
}

static int
member_write(member_out *m, const void *data, size_t len)
{
	if (m->batch_len + len > BATCH_BYTES && member_flush(m) < 0)
		return -1;
	if (len >= BATCH_BYTES)
		return member_consume(m, data, len);
	memcpy(m->batch + m->batch_len, data, len);
	m->batch_len += len;
	return 0;
}

/* Finish compression and append the spool to the tar; fills the member's meta. */
static int
member_end(job *j, worker *w, member_out *m, const char *name, int64_t *raw, int64_t *stored,
    char sha[HASH_HEX_LEN + 1])
{
	int rc = member_flush(m);

	if (rc == 0 && (rc = codec_finish(m->cs)) < 0)
		log_error("%s", m->cs->error);
	hash_final_hex(m->h, sha);
	hash_free(m->h);
	m->h = NULL;
	if (rc < 0 || wait_gate(j) < 0)
		return -1;
	if (tb_add_spool(j->tb, name, &w->sp, j->mtime) < 0)
		return -1;
	*raw = m->raw;
	*stored = (int64_t) w->sp.size;
	spool_reset(&w->sp);
	return 0;
}

static void
member_abort(member_out *m)
{
	hash_free(m->h);
	m->h = NULL;
}

static void
copy_sql(strbuf *sql, const meta_table *t, const work_item *it)
{
	sb_reset(sql);
	if (it->part == 0) {
		sb_append(sql, "COPY ");
		q_qualified(sql, t->schema, t->name);
		if (t->n_columns > 0) {
			sb_append(sql, " (");
			for (size_t c = 0; c < t->n_columns; c++) {
				if (c)
					sb_append(sql, ", ");
				q_ident(sql, t->columns[c]);
			}
			sb_append(sql, ")");
		}
		sb_append(sql, " TO STDOUT");
		return;
	}
	sb_append(sql, "COPY (SELECT ");
	for (size_t c = 0; c < t->n_columns; c++) {
		if (c)
			sb_append(sql, ", ");
		q_ident(sql, t->columns[c]);
	}
	sb_append(sql, " FROM ONLY ");
	q_qualified(sql, t->schema, t->name);
	sb_appendf(sql, " WHERE ctid >= '(%u,0)'::pg_catalog.tid", it->blk_from);
	if (it->blk_to)
		sb_appendf(sql, " AND ctid < '(%u,0)'::pg_catalog.tid", it->blk_to);
	sb_append(sql, ") TO STDOUT");
}

/*
 * A COPY of table t failed.  Row-level security is off in every session, so
 * a role under a policy gets an error rather than a snapshot with fewer rows.
 */
static void
copy_error(PGconn *conn, const PGresult *res, const meta_table *t)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	strbuf what;

	sb_init(&what);
	sb_append(&what, "could not copy table ");
	q_qualified(&what, t->schema, t->name);
	conn_log_error(conn, res, what.data);
	sb_free(&what);
	if (state && strcmp(state, "42501") == 0 && primary && strstr(primary, "row-level security"))
		log_hint("a snapshot must hold every row: take it as the table's owner, as a superuser, "
		    "or as a role with BYPASSRLS");
}

/*
 * Lock table t in the worker's transaction without waiting.  The main
 * connection already holds ACCESS SHARE on every table; a session that
 * asks for a conflicting lock (TRUNCATE, ALTER, DROP) waits for it, and a
 * worker that waited behind that session would wait for the main
 * connection too: a cycle the server cannot see, with the application's
 * queries on the table queued behind it.  So a worker never waits: it
 * names the session in the way and the snapshot stops, which lets it go
 * on.  (pg_dump's parallel workers do the same.)
 */
static int
lock_table_nowait(worker *w, const meta_table *t)
{
	strbuf sql, name;
	PGresult *res;
	const char *state;
	int rc = 0;

	sb_init(&sql);
	sb_init(&name);
	q_qualified(&name, t->schema, t->name);
	sb_appendf(&sql, "SAVEPOINT db_tools_lock; LOCK TABLE ONLY %s IN ACCESS SHARE MODE NOWAIT;"
	    " RELEASE SAVEPOINT db_tools_lock", name.data);
	res = PQexec(w->conn, sql.data);
	if (PQresultStatus(res) == PGRES_COMMAND_OK)
		goto out;
	rc = -1;
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (!state || strcmp(state, "55P03") != 0) {
		conn_log_error(w->conn, res, "could not lock a table");
		goto out;
	}
	PQclear(res);
	res = NULL;
	log_error("table %s is waiting to be changed by another session; the snapshot stops so that "
	    "neither waits for the other", name.data);
	if (conn_exec(w->conn, "ROLLBACK TO SAVEPOINT db_tools_lock") == 0) {
		const char *params[1] = {name.data};

		res = PQexecParams(w->conn,
		    "SELECT a.pid, coalesce(a.usename, ''), a.application_name,"
		    "       left(regexp_replace(a.query, '\\s+', ' ', 'g'), 200)"
		    "  FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid"
		    " WHERE l.locktype = 'relation' AND l.relation = $1::regclass AND NOT l.granted"
		    "   AND l.mode = 'AccessExclusiveLock' ORDER BY a.pid", 1, NULL, params, NULL, NULL, 0);
		for (int i = 0; PQresultStatus(res) == PGRES_TUPLES_OK && i < PQntuples(res) && i < 5; i++) {
			char *query = str_visible(PQgetvalue(res, i, 3));

			log_detail("pid %s, user \"%s\", application \"%s\": %s", PQgetvalue(res, i, 0),
			    PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), query);
			free(query);
		}
	}
	log_hint("take the snapshot again once that session is done");
out:
	PQclear(res);
	sb_free(&sql);
	sb_free(&name);
	return rc;
}

static int
copy_item(job *j, worker *w, const work_item *it)
{
	meta_table *t = &j->meta.tables[it->table];
	meta_member *mm = &t->members[it->part > 0 ? it->part - 1 : 0];
	strbuf sql;
	PGresult *res;
	member_out m;
	char *buf;
	int n, rc = -1;
	bool write_failed = false;

	if (lock_table_nowait(w, t) < 0)
		return -1;
	sb_init(&sql);
	copy_sql(&sql, t, it);
	log_debug("worker %d: %s", w->id, sql.data);
	if (member_begin(j, w, &m) < 0) {
		sb_free(&sql);
		return -1;
	}
	res = PQexec(w->conn, sql.data);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		if (!job_stopping(j))
			copy_error(w->conn, res, t);
		PQclear(res);
		member_abort(&m);
		sb_free(&sql);
		return -1;
	}
	PQclear(res);
	/*
	 * After a write error the COPY is cancelled (job_fail) but still read
	 * to its end: libpq leaves COPY mode only through PQgetCopyData.
	 */
	while ((n = PQgetCopyData(w->conn, &buf, 0)) > 0) {
		if (!write_failed && member_write(&m, buf, (size_t) n) < 0) {
			write_failed = true;
			job_fail(j);
		}
		PQfreemem(buf);
		m.rows++;
	}
	/* -1: end of COPY (check the final result); -2: failure */
	res = PQgetResult(w->conn);
	if (n == -1 && !write_failed && PQresultStatus(res) == PGRES_COMMAND_OK)
		rc = 0;
	else if (!job_stopping(j))
		copy_error(w->conn, res, t);
	PQclear(res);
	while ((res = PQgetResult(w->conn)))
		PQclear(res);
	sb_free(&sql);
	if (rc < 0) {
		member_abort(&m);
		return -1;
	}
	mm->rows = m.rows;
	if (member_end(j, w, &m, mm->member, &mm->raw_bytes, &mm->stored_bytes, mm->sha256) < 0)
		return -1;
	if (atomic_fetch_sub(&j->parts_left[it->table], 1) == 1)
		progress_item_done();
	log_debug("worker %d: %s: %lld rows", w->id, mm->member, (long long) mm->rows);
	return 0;
}

static int
copy_large_objects(job *j, worker *w)
{
	char *buf = xmalloc(LO_BUF);
	int rc = 0;

	for (size_t i = 0; i < j->meta.n_los && rc == 0; i++) {
		meta_lo *lo = &j->meta.los[i];
		member_out m;
		int fd, n;

		if (job_stopping(j) || member_begin(j, w, &m) < 0) {
			rc = -1;
			break;
		}
		fd = lo_open(w->conn, lo->oid, INV_READ);
		if (fd < 0) {
			log_error("could not open large object %u: %s", lo->oid, PQerrorMessage(w->conn));
			member_abort(&m);
			rc = -1;
			break;
		}
		while ((n = lo_read(w->conn, fd, buf, LO_BUF)) > 0) {
			if (member_write(&m, buf, (size_t) n) < 0) {
				rc = -1;
				break;
			}
		}
		if (n < 0) {
			log_error("could not read large object %u: %s", lo->oid, PQerrorMessage(w->conn));
			rc = -1;
		}
		lo_close(w->conn, fd);
		if (rc < 0) {
			member_abort(&m);
			break;
		}
		rc = member_end(j, w, &m, lo->member, &lo->bytes, &lo->stored_bytes, lo->sha256);
	}
	free(buf);
	if (rc == 0)
		progress_item_done();
	return rc;
}

static int
worker_connect(job *j, worker *w)
{
	strbuf sql;
	int rc;

	w->conn = conn_open_like(j->main, NULL, "db-snapshot");
	if (!w->conn || conn_pin_session(w->conn, SNAPSHOT_SESSION) < 0)
		return -1;
	pthread_mutex_lock(&j->lock);
	j->cancels[w->id] = PQgetCancel(w->conn);
	pthread_mutex_unlock(&j->lock);
	w->intr_slot = intr_register_conn(w->conn);
	sb_init(&sql);
	sb_append(&sql, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET TRANSACTION SNAPSHOT ");
	q_literal(&sql, j->snapshot_id);
	rc = conn_exec(w->conn, sql.data);
	sb_free(&sql);
	return rc;
}

static void *
worker_main(void *arg)
{
	worker *w = arg;
	job *j = w->j;
	work_item *it;

	w->rc = 0;
	w->batch = xmalloc(BATCH_BYTES);
	spool_init(&w->sp, j->dir, SPOOL_MEM);
	if (worker_connect(j, w) < 0) {
		w->rc = -1;
		job_fail(j);
	}
	while (w->rc == 0 && !job_stopping(j) && (it = take_item(j))) {
		int rc = it->table < 0 ? copy_large_objects(j, w) : copy_item(j, w, it);

		if (rc < 0) {
			w->rc = -1;
			job_fail(j);
		}
	}
	if (w->rc == 0 && job_stopping(j))
		w->rc = -1;
	if (w->conn) {
		intr_unregister_conn(w->intr_slot);
		if (w->rc == 0)
			(void) conn_exec(w->conn, "COMMIT");
		PQfinish(w->conn);
		w->conn = NULL;
	}
	if (w->cs_ready)
		codec_free(&w->cs);
	spool_free(&w->sp);
	free(w->batch);
	return NULL;
}

/* ---- planning ---- */

static int
cmp_items(const void *a, const void *b)
{
	const work_item *x = a, *y = b;

	if (x->est_bytes != y->est_bytes)
		return x->est_bytes < y->est_bytes ? 1 : -1;
	return x->table < y->table ? -1 : x->table > y->table;
}

/*
 * Splitting a table needs TID range scans (PostgreSQL 14+) and more than one
 * worker.  It costs server work: a range scan goes through the shared buffer
 * pool instead of the small ring a whole-table COPY uses, and each range is
 * a query of its own.  With the server on this machine every worker keeps
 * about two CPUs busy (its backend and itself), so splitting pays only when
 * there are CPUs to spare: at least twice as many as workers.
 */
static bool
split_pays(const job *j, const cat_db *db)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (j->o->split == WHEN_ALWAYS && db->server_version_num < 140000)
		log_warning("--split=always: tables are copied whole, since splitting them needs "
		    "PostgreSQL 14 or newer (the server runs %d)", db->server_version_num / 10000);
	else if (j->o->split == WHEN_ALWAYS && j->o->jobs < 2)
		log_warning("--split=always: tables are copied whole, since splitting them needs -j 2 or more");
	if (j->o->split == WHEN_NEVER || j->o->jobs < 2 || db->server_version_num < 140000 ||
	    db->block_size == 0)
		return false;
	if (j->o->split == WHEN_ALWAYS)
		return true;
	return !conn_is_local(j->main) || ncpu >= 2L * j->o->jobs;
}

/* Fill meta.tables from the catalog and cut the work into items, largest first. */
static uint64_t
plan(job *j, const cat_db *db)
{
	bool can_chunk = split_pays(j, db);
	uint64_t total = 0;
	size_t cap = j->n_tables + 1;

	j->meta.n_tables = j->n_tables;
	j->meta.tables = xcalloc(j->n_tables ? j->n_tables : 1, sizeof(meta_table));
	j->parts_left = xcalloc(j->n_tables ? j->n_tables : 1, sizeof(atomic_int));
	j->items = xcalloc(cap, sizeof(work_item));
	for (size_t i = 0; i < j->n_tables; i++) {
		cat_table *ct = &j->tables[i];
		meta_table *t = &j->meta.tables[i];
		uint64_t blocks = ct->heap_bytes / db->block_size;
		int nparts = 1;

		t->schema = xstrdup(ct->schema);
		t->name = xstrdup(ct->name);
		t->kind = xstrdup(ct->kind);
		t->n_columns = ct->n_columns;
		t->columns = strv_dup(ct->columns, ct->n_columns);
		if (can_chunk && ct->n_columns > 0 && ct->heap_bytes > CHUNK_BYTES) {
			uint64_t want = (ct->heap_bytes + CHUNK_BYTES - 1) / CHUNK_BYTES;

			nparts = want > MAX_CHUNKS ? MAX_CHUNKS : (int) want;
		}
		t->n_members = (size_t) nparts;
		t->members = xcalloc((size_t) nparts, sizeof(meta_member));
		atomic_init(&j->parts_left[i], nparts);
		if (j->n_items + (size_t) nparts + 1 > cap) {
			cap = (j->n_items + (size_t) nparts + 1) * 2;
			j->items = xrealloc(j->items, cap * sizeof(work_item));
		}
		for (int p = 0; p < nparts; p++) {
			work_item *it = &j->items[j->n_items++];
			uint64_t step = (blocks + (uint64_t) nparts - 1) / (uint64_t) nparts;

			memset(it, 0, sizeof(*it));
			it->table = (long) i;
			if (nparts == 1) {
				it->part = 0;
				it->est_bytes = ct->heap_bytes + ct->toast_bytes;
			} else {
				it->part = p + 1;
				it->blk_from = (uint32_t) (step * (uint64_t) p);
				it->blk_to = p + 1 == nparts ? 0 : (uint32_t) (step * (uint64_t) (p + 1));
				it->est_bytes = (ct->heap_bytes + ct->toast_bytes) / (uint64_t) nparts;
			}
			t->members[p].member = snap_member_name(i + 1, ct->schema, ct->name,
			    it->part, j->codec->extension);
		}
		total += ct->heap_bytes + ct->toast_bytes;
	}
	qsort(j->items, j->n_items, sizeof(work_item), cmp_items);
	return total;
}

/* ---- the pieces of snap_run ---- */

static int
begin_snapshot(job *j)
{
	if (conn_exec(j->main, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY, DEFERRABLE") < 0)
		return -1;
	j->snapshot_id = conn_query_value(j->main, "SELECT pg_catalog.pg_export_snapshot()", NULL);
	return j->snapshot_id ? 0 : -1;
}

static void
fill_source(job *j, const cat_db *db, const pgdump_prog *pgd)
{
	snap_meta *m = &j->meta;
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
}

/*
 * Remove the .partial files a killed snapshot left in dir: those of a stem
 * ("<stamp>_<name>") whose .tar.partial no live run holds locked (tb_create).
 */
static void
remove_stale_partials(const char *dir)
{
	static const char *const kinds[] = {".tar.partial", ".meta.partial", ".schema.partial"};
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

		for (k = 0; k < 3; k++)
			if (len > strlen(kinds[k]) && strcmp(n + len - strlen(kinds[k]), kinds[k]) == 0)
				break;
		if (k == 3)
			continue;
		/* the schema file is hidden: ".<stem>.schema.partial" */
		stem = xasprintf("%.*s", (int) (len - strlen(kinds[k]) - (k == 2)), n + (k == 2));
		tar = xasprintf("%s.tar", stem);
		if ((k == 2) != (n[0] == '.') || !sn_parse_filename(tar, ".tar", &when, &name)) {
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
	sn_format_size(avail, a, sizeof(a));
	sn_format_size(need, n, sizeof(n));
	log_error("not enough free space in \"%s\": %s available, the data to copy takes %s", dir, a, n);
	log_hint("free some space, or write the snapshot elsewhere with -o DIR");
	return -1;
}

static void
job_free(job *j)
{
	free(j->snapshot_id);
	free(j->dir);
	cat_tables_free(j->tables, j->n_tables);
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

static char *
default_name(const char *dbname, const char *branch)
{
	char *n = sn_sanitize(branch ? branch : dbname);

	if (!*n || sn_name_problem(n)) {
		free(n);
		n = xstrdup("snapshot");
	}
	return n;
}

static void
summarize(job *j, snap_result *r, uint64_t archive_bytes, double seconds, const char *tar_path,
    const char *meta_path)
{
	meta_totals t;

	meta_totals_of(&j->meta, &t);
	r->tar_path = xstrdup(tar_path);
	r->meta_path = xstrdup(meta_path);
	r->name = xstrdup(j->meta.name);
	r->archive_bytes = archive_bytes;
	r->raw_bytes = t.raw_bytes;
	r->rows = t.rows;
	r->tables = t.tables;
	r->sequences = (int64_t) j->meta.n_sequences;
	r->large_objects = t.large_objects;
	r->seconds = seconds;
}

int
snap_run(const snap_opts *o, snap_result *r)
{
	job j;
	cat_db db = {0};
	pgdump_prog pgd = {0};
	worker *workers = NULL;
	spool pre_sp = {.fd = -1}, post_sp = {.fd = -1};
	bool schema_created = false;
	char stamp[SN_STAMP_LEN + 1];
	char *tar_path = NULL, *meta_path = NULL, *tar_tmp = NULL, *meta_tmp = NULL;
	char *schema_tmp = NULL;
	char *meta_json = NULL;
	char *branch = NULL, *commit = NULL;
	uint64_t est_total, lo_disk = 0, archive_bytes = 0;
	double t0;
	time_t started;
	int rc = -1, nworkers = 0;
	bool tar_created = false, meta_created = false;

	memset(&j, 0, sizeof(j));
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&j.lock, NULL);
	pthread_cond_init(&j.gate, NULL);
	atomic_init(&j.failed, false);
	j.o = o;
	j.main_slot = -1;
	j.codec = codec_default();
	j.cancels = xcalloc((size_t) o->jobs, sizeof(PGcancel *));
	t0 = monotime();
	started = time(NULL);
	j.mtime = started;

	/* where the files go; fail before touching the database */
	if (fs_mkdir_p(o->dir, 0700) < 0)
		goto out;
	j.dir = xstrdup(o->dir);

	j.main = conn_open(o->conninfo, "db-snapshot");
	if (!j.main || conn_pin_session(j.main, SNAPSHOT_SESSION) < 0)
		goto out;
	j.main_slot = intr_register_conn(j.main);
	if (cat_db_info(j.main, &db) < 0)
		goto out;
	if (pgd_find(db.server_version_num, &pgd) < 0)
		goto out;
	log_verbose("using %s (pg_dump %s) for PostgreSQL %s", pgd.path, pgd.version, db.server_version);

	vcs_git_info(".", &branch, &commit);
	j.meta.name = o->name ? xstrdup(o->name) : default_name(db.name, branch);
	j.meta.git_branch = branch;
	j.meta.git_commit = commit;
	j.meta.created_at = started;
	sn_stamp(started, stamp);
	tar_path = xasprintf("%s/%s_%s.tar", o->dir, stamp, j.meta.name);
	meta_path = xasprintf("%s/%s_%s.meta", o->dir, stamp, j.meta.name);
	tar_tmp = xasprintf("%s.partial", tar_path);
	meta_tmp = xasprintf("%s.partial", meta_path);
	schema_tmp = xasprintf("%s/.%s_%s.schema.partial", o->dir, stamp, j.meta.name);
	if (access(tar_path, F_OK) == 0 || access(meta_path, F_OK) == 0) {
		log_error("\"%s\" already exists", tar_path);
		log_hint("wait a second or choose another NAME");
		goto out;
	}

	/* the consistent moment */
	if (begin_snapshot(&j) < 0)
		goto out;
	log_verbose("exported snapshot %s", j.snapshot_id);
	if (cat_tables(j.main, &j.tables, &j.n_tables) < 0 ||
	    cat_lock_tables(j.main, j.tables, j.n_tables) < 0 ||
	    cat_sequences(j.main, &j.meta.sequences, &j.meta.n_sequences) < 0 ||
	    cat_large_objects(j.main, &j.lo_oids, &j.n_lo_oids, &lo_disk) < 0 ||
	    cat_migration_head(j.main, &j.meta.migration_table, &j.meta.migration_head) < 0)
		goto out;
	fill_source(&j, &db, &pgd);
	est_total = plan(&j, &db);
	if (j.n_lo_oids > 0) {
		work_item *it;

		j.meta.n_los = j.n_lo_oids;
		j.meta.los = xcalloc(j.n_lo_oids, sizeof(meta_lo));
		for (size_t i = 0; i < j.n_lo_oids; i++) {
			j.meta.los[i].oid = j.lo_oids[i];
			j.meta.los[i].member = xasprintf("large-objects/%u%s", j.lo_oids[i], j.codec->extension);
		}
		/* largest-first order puts it early when pg_largeobject is big */
		it = &j.items[j.n_items++];
		memset(it, 0, sizeof(*it));
		it->table = -1;
		it->est_bytes = lo_disk;
		qsort(j.items, j.n_items, sizeof(work_item), cmp_items);
		est_total += lo_disk;
	}
	log_verbose("%zu tables in %zu work items, %zu sequences, %zu large objects, about %llu bytes",
	    j.n_tables, j.n_items, j.meta.n_sequences, j.meta.n_los, (unsigned long long) est_total);
	remove_stale_partials(o->dir);
	/* a snapshot is durable only once its directory is fsynced: find out now if that cannot be */
	if (fs_fsync_dir(o->dir) < 0) {
		log_error("could not fsync directory \"%s\": %s", o->dir, strerror(errno));
		log_hint("db-snapshot needs to read the directory it writes into, to make a snapshot durable");
		goto out;
	}
	if (check_space(o->dir, est_total) < 0)
		goto out;

	j.tb = tb_create(tar_tmp);
	if (!j.tb)
		goto out;
	tar_created = true;

	progress_start(o->progress, "snapshot", est_total,
	    (int64_t) j.n_tables + (j.meta.n_los > 0 ? 1 : 0));
	workers = xcalloc((size_t) o->jobs, sizeof(worker));
	for (int i = 0; i < o->jobs && (size_t) i < (j.n_items ? j.n_items : 1); i++) {
		workers[i].j = &j;
		workers[i].id = i;
		workers[i].intr_slot = -1;
		if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0) {
			log_error("could not start a worker thread");
			job_fail(&j);
			break;
		}
		nworkers++;
	}

	/*
	 * Schema, while the workers copy: one pg_dump into a custom-format file
	 * beside the archive, then pg_restore per section.  Pre-data goes into
	 * the tar first; data members wait for it (the gate).
	 */
	j.meta.pre_data.member = xstrdup("schema/pre-data.sql");
	j.meta.post_data.member = xstrdup("schema/post-data.sql");
	spool_init(&pre_sp, o->dir, SPOOL_MEM);
	spool_init(&post_sp, o->dir, SPOOL_MEM);
	schema_created = true;
	if (pgd_dump_schema(&pgd, j.main, j.snapshot_id, schema_tmp) < 0 ||
	    pgd_restore_section(&pgd, schema_tmp, "pre-data", &pre_sp, &j.meta.pre_data.bytes,
	        j.meta.pre_data.sha256) < 0 ||
	    job_stopping(&j) ||
	    tb_add_spool(j.tb, j.meta.pre_data.member, &pre_sp, j.mtime) < 0)
		job_fail(&j);
	open_gate(&j);
	if (!job_stopping(&j) &&
	    pgd_restore_section(&pgd, schema_tmp, "post-data", &post_sp, &j.meta.post_data.bytes,
	        j.meta.post_data.sha256) < 0)
		job_fail(&j);
	unlink(schema_tmp);
	schema_created = false;
	for (int i = 0; i < nworkers; i++)
		pthread_join(workers[i].thread, NULL);
	progress_stop();
	if (job_stopping(&j))
		goto out;
	for (int i = 0; i < nworkers; i++)
		if (workers[i].rc != 0)
			goto out;
	if (tb_add_spool(j.tb, j.meta.post_data.member, &post_sp, j.mtime) < 0)
		goto out;

	/* the description, last; the same bytes in the tar and beside it */
	meta_sum_tables(&j.meta);
	j.meta.duration_seconds = monotime() - t0;
	meta_json = meta_to_json(&j.meta);
	if (tb_add_mem(j.tb, META_MEMBER, meta_json, strlen(meta_json), j.mtime) < 0)
		goto out;
	{
		tarball *tb = j.tb;
		struct stat st;

		j.tb = NULL;
		if (tb_close(tb) < 0)
			goto out;
		archive_bytes = stat(tar_tmp, &st) == 0 ? (uint64_t) st.st_size : 0;
	}
	if (intr_pending())
		goto out;
	if (fs_write_new_file(meta_tmp, meta_json, strlen(meta_json)) < 0)
		goto out;
	meta_created = true;
	/* the transaction stays open until here so that nothing we read could vanish */
	(void) conn_exec(j.main, "COMMIT");
	if (fs_rename_noclobber(tar_tmp, tar_path) < 0)
		goto out;
	tar_created = false;
	if (fs_rename_noclobber(meta_tmp, meta_path) < 0) {
		/* the .tar alone is a complete snapshot (meta.json inside); keep it */
		log_warning("the archive is complete but has no .meta sidecar; its meta.json member describes it");
		unlink(meta_tmp);
		meta_created = false;
		goto out_ok;
	}
	meta_created = false;
out_ok:
	if (fs_fsync_dir(o->dir) < 0)
		log_warning("the snapshot is written, but could not be made durable (fsync of \"%s\": %s)",
		    o->dir, strerror(errno));
	summarize(&j, r, archive_bytes, monotime() - t0, tar_path, meta_path);
	rc = 0;
out:
	if (rc != 0) {
		job_fail(&j);
		progress_stop();
	}
	if (j.tb)
		tb_abort(j.tb);
	if (tar_created)
		unlink(tar_tmp);
	if (meta_created)
		unlink(meta_tmp);
	if (schema_created)
		unlink(schema_tmp);
	spool_free(&pre_sp);
	spool_free(&post_sp);
	free(workers);
	free(meta_json);
	free(tar_path);
	free(meta_path);
	free(tar_tmp);
	free(meta_tmp);
	free(schema_tmp);
	pgd_free(&pgd);
	cat_db_free(&db);
	job_free(&j);
	return rc;
}

void
snap_result_free(snap_result *r)
{
	free(r->tar_path);
	free(r->meta_path);
	free(r->name);
	memset(r, 0, sizeof(*r));
}
