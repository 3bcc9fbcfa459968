/*
 * worker.c — a snapshot's workers: each joins the exported snapshot and
 * takes work items (a table, a ctid range of one, or the large objects),
 * COPY TO STDOUT -> SHA-256 + codec -> spool -> tar member.  See job.h.
 */
#include "snapshot/job.h"

#include <errno.h>
#include <libpq/libpq-fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg/conn.h"
#include "pg/copy.h"
#include "sql/quote.h"
#include "util/hash.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/progress.h"
#include "util/strbuf.h"

#define LO_BUF (256 * 1024)
#define BATCH_BYTES (128 * 1024)

/* ---- failure handling shared by workers and the main thread ---- */

void
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

bool
job_stopping(job *j)
{
	return atomic_load(&j->failed) || intr_pending();
}

void
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

/* ---- one member: COPY -> codec -> hash + spool -> tar ---- */

/*
 * COPY hands over one row at a time; rows are gathered into a batch so the
 * codec and the progress counter see large pieces.  The SHA-256 is of the
 * member as stored (compressed): what "sha256sum" of the extracted member
 * gives, and a third or less of the bytes the COPY text would be.
 */
typedef struct member_out {
	worker *w;
	int64_t raw;
	int64_t rows;
	size_t batch_len;
} member_out;

/* The encoder's output: hashed, then spooled until the tar takes it. */
static int
stored_sink(void *arg, const void *data, size_t len)
{
	worker *w = arg;

	hash_update(w->stored_hash, data, len);
	return spool_write(&w->sp, data, len);
}

static int
member_begin(job *j, worker *w, member_out *m)
{
	int rc;

	memset(m, 0, sizeof(*m));
	m->w = w;
	spool_reset(&w->sp);
	if (w->cs_ready)
		rc = codec_reset(&w->cs);
	else if ((rc = codec_encoder(&w->cs, j->codec, j->o->level, stored_sink, w)) == 0)
		w->cs_ready = true;
	if (rc < 0) {
		log_error("%s", w->cs.error);
		return -1;
	}
	w->stored_hash = hash_new();
	return 0;
}

static int
member_consume(member_out *m, const void *data, size_t len)
{
	m->raw += (int64_t) len;
	progress_add_bytes(len);
	if (codec_write(&m->w->cs, data, len) < 0) {
		log_error("%s", m->w->cs.error);
		return -1;
	}
	return 0;
}

static int
member_flush(member_out *m)
{
	int rc = m->batch_len ? member_consume(m, m->w->batch, m->batch_len) : 0;

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
	memcpy(m->w->batch + m->batch_len, data, len);
	m->batch_len += len;
	return 0;
}

static void
member_abort(member_out *m)
{
	hash_free(m->w->stored_hash);
	m->w->stored_hash = NULL;
}

/* Finish compression and append the spool to the tar; fills the member's meta. */
static int
member_end(job *j, worker *w, member_out *m, const char *name, int64_t *raw, int64_t *stored,
    char sha[HASH_HEX_LEN + 1])
{
	int rc = member_flush(m);

	if (rc == 0 && (rc = codec_finish(&w->cs)) < 0)
		log_error("%s", w->cs.error);
	hash_final_hex(w->stored_hash, sha);
	member_abort(m);
	if (rc < 0 || wait_gate(j) < 0)
		return -1;
	if (tarball_add_spool(j->tb, name, &w->sp, j->mtime) < 0)
		return -1;
	*raw = m->raw;
	*stored = (int64_t) w->sp.size;
	spool_reset(&w->sp);
	return 0;
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
	{
		copy_target ct = {.schema = t->schema, .table = t->name, .columns = t->columns,
		    .n_columns = t->n_columns};

		copy_out_sql(&sql, &ct, it->part > 0, it->blk_from, it->blk_to);
	}
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

void *
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

