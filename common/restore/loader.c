/*
 * loader.c — a restore's data: the members in order of size, streamed from
 * the archive through the codec, hashed and counted, into COPY FROM STDIN
 * (or a large object) over the job's connections; checking them all
 * without a server for --verify.  See job.h.
 */
#include "restore/job.h"

#include <errno.h>
#include <libpq/libpq-fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pg/conn.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/progress.h"

static int
cmp_items(const void *x, const void *y)
{
	const item *a = x, *b = y;

	return a->stored < b->stored ? 1 : a->stored > b->stored ? -1 : strcmp(a->ct.member, b->ct.member);
}

void
plan_items(job *j)
{
	const meta_doc *m = &j->a->m;
	size_t n = m->n_los;

	for (size_t i = 0; i < m->n_tables; i++)
		n += m->tables[i].n_members;
	j->items = xcalloc(n ? n : 1, sizeof(*j->items));
	j->sch.table_left = xcalloc(m->n_tables ? m->n_tables : 1, sizeof(*j->sch.table_left));
	for (size_t i = 0; i < m->n_tables; i++)
		j->sch.table_left[i] = (int64_t) m->tables[i].n_members;
	for (size_t i = 0; i < m->n_tables; i++) {
		const meta_table *t = &m->tables[i];

		for (size_t k = 0; k < t->n_members; k++) {
			item *it = &j->items[j->n_items++];

			it->ct.member = t->members[k].member;
			it->ct.schema = t->schema;
			it->ct.table = t->name;
			it->ct.columns = t->columns;
			it->ct.n_columns = t->n_columns;
			it->rows = t->members[k].rows;
			it->raw_bytes = t->members[k].raw_bytes;
			it->sha256 = t->members[k].sha256;
			it->stored = t->members[k].stored_bytes;
			it->whole = t->n_members == 1;
			it->table_ix = (long) i;
		}
	}
	for (size_t i = 0; i < m->n_los; i++) {
		item *it = &j->items[j->n_items++];

		it->ct.member = m->los[i].member;
		it->table_ix = -1;
		it->lo_oid = m->los[i].oid;
		it->rows = -1;
		it->raw_bytes = m->los[i].bytes;
		it->sha256 = m->los[i].sha256;
		it->stored = m->los[i].stored_bytes;
	}
	qsort(j->items, j->n_items, sizeof(*j->items), cmp_items);
	for (size_t i = 0; i < j->n_items; i++)
		j->total_raw += j->items[i].raw_bytes;
}

static item *
take_item(job *j)
{
	item *it = NULL;

	pthread_mutex_lock(&j->lock);
	if (j->next < j->n_items) {
		it = &j->items[j->next++];
		j->sch.loading++;
	}
	pthread_mutex_unlock(&j->lock);
	return it;
}

/* An item is loaded (or failed): its table may now be complete. */
static void
item_done(job *j, const item *it)
{
	pthread_mutex_lock(&j->lock);
	j->sch.loading--;
	if (it->table_ix >= 0)
		j->sch.table_left[it->table_ix]--;
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->lock);
}

static int
member_sink(void *arg, const void *data, size_t len)
{
	member_in *mi = arg;
	const char *p = data, *end = p + len;

	/* a member that inflates beyond its declared size stops here, not in the server */
	if ((int64_t) len > mi->limit - mi->raw) {
		mi->too_big = true;
		return -1;
	}
	if (mi->hash_raw)
		hash_update(mi->h, data, len);
	mi->raw += (int64_t) len;
	if (!mi->conn)
		while ((p = memchr(p, '\n', (size_t) (end - p))) != NULL) {
			mi->newlines++;
			p++;
		}
	if (mi->share && share_feed(mi->share, data, len) < 0) {
		mi->server_failed = true;
		return -1;
	}
	if (mi->copy && PQputCopyData(mi->conn, data, (int) len) != 1) {
		mi->server_failed = true;
		return -1;
	}
	if (mi->lo_fd >= 0) {
		for (size_t off = 0; off < len;) {
			int n = lo_write(mi->conn, mi->lo_fd, (const char *) data + off, len - off);

			if (n <= 0) {
				mi->server_failed = true;
				return -1;
			}
			off += (size_t) n;
		}
	}
	return 0;
}

/*
 * Decoding a member stopped: say why, unless the server did (its message
 * comes from the load).  True when the archive is at fault.
 */
static bool
decode_failed(job *j, const item *it, const member_in *mi, const codec_stream *cs)
{
	if (mi->too_big)
		log_error("archive \"%s\": member \"%s\" holds more than the %lld bytes its meta.json says",
		    j->a->path, it->ct.member, (long long) it->raw_bytes);
	else if (!mi->server_failed)
		log_error("archive \"%s\": member \"%s\" is corrupt: %s", j->a->path, it->ct.member, cs->error);
	return !mi->server_failed;
}

/*
 * Decompress a member through mi.  Returns 0, or -1 after logging (with
 * *integrity set when the archive is at fault).
 */
int
stream_member(job *j, const item *it, member_in *mi, char *buf, bool *integrity)
{
	const tarball_entry *e = tarball_index_find(&j->a->ix, it->ct.member);
	codec_stream cs;
	int64_t off = 0;
	char sha[HASH_HEX_LEN + 1];
	int rc = 0;

	*integrity = false;
	mi->h = hash_new();
	mi->hash_raw = j->a->m.format_version < META_FIRST_STORED_SHA;
	mi->limit = it->raw_bytes;
	if (codec_decoder(&cs, j->a->codec, member_sink, mi) < 0) {
		log_error("%s", cs.error);
		hash_free(mi->h);
		return -1;
	}
	while (rc == 0 && off < e->size) {
		size_t want = (size_t) (e->size - off < READ_BUF ? e->size - off : READ_BUF);
		ssize_t n = pread(j->a->fd, buf, want, e->offset + off);

		if (n <= 0) {
			log_error("could not read \"%s\": %s", j->a->path,
			    n < 0 ? strerror(errno) : "unexpected end of file");
			rc = -1;
			break;
		}
		if (job_stopping(j)) {
			rc = -1;
			break;
		}
		if (!mi->hash_raw)
			hash_update(mi->h, buf, (size_t) n);
		if (codec_write(&cs, buf, (size_t) n) < 0) {
			*integrity = decode_failed(j, it, mi, &cs);
			rc = -1;
			break;
		}
		off += n;
		progress_add_bytes((uint64_t) n);
	}
	if (rc == 0 && codec_finish(&cs) < 0) {
		*integrity = decode_failed(j, it, mi, &cs);
		rc = -1;
	}
	codec_free(&cs);
	hash_final_hex(mi->h, sha);
	hash_free(mi->h);
	mi->h = NULL;
	if (rc == 0 && (strcmp(sha, it->sha256) != 0 || mi->raw != it->raw_bytes)) {
		log_error("archive \"%s\": member \"%s\" does not match its SHA-256 in meta.json", j->a->path,
		    it->ct.member);
		*integrity = true;
		rc = -1;
	}
	if (rc == 0 && !mi->conn && it->rows >= 0 && mi->newlines != it->rows) {
		log_error("archive \"%s\": member \"%s\" holds %lld rows, its meta.json says %lld", j->a->path,
		    it->ct.member, (long long) mi->newlines, (long long) it->rows);
		*integrity = true;
		rc = -1;
	}
	return rc;
}

/* The server loaded rows; the meta says it->rows. */
int
check_rows(job *j, const item *it, int64_t rows)
{
	if (rows == it->rows) {
		atomic_fetch_add(&j->rows, rows);
		return 0;
	}
	log_error("archive \"%s\": member \"%s\" loaded %lld rows, its meta.json says %lld", j->a->path,
	    it->ct.member, (long long) rows, (long long) it->rows);
	return -1;
}

/* COPY one table member into the new database over one connection. */
static int
load_table(job *j, PGconn *conn, const item *it, char *buf)
{
	member_in mi = {.conn = conn, .lo_fd = -1, .copy = true};
	bool integrity = false;
	bool freeze = it->whole && !j->o->owners;
	int64_t rows = 0;
	int rc;

	if (copy_in_begin(conn, &it->ct, freeze) < 0) {
		if (freeze)
			PQclear(PQexec(conn, "ROLLBACK"));
		job_fail(j, false);
		return -1;
	}
	rc = stream_member(j, it, &mi, buf, &integrity);
	/* the server's side of a failure is said here; the archive's was said already */
	if (copy_in_end(conn, &it->ct, freeze, rc == 0, integrity || job_stopping(j), &rows) < 0)
		rc = -1;
	if (rc == 0 && check_rows(j, it, rows) < 0) {
		integrity = true;
		rc = -1;
	}
	if (rc < 0)
		job_fail(j, integrity);
	return rc;
}

/* Create and fill one large object, in its own transaction. */
static int
load_lo(job *j, PGconn *conn, const item *it, char *buf)
{
	member_in mi = {.conn = conn, .lo_fd = -1};
	bool integrity = false;
	int rc = conn_exec(conn, "BEGIN");

	if (rc == 0 && lo_create(conn, it->lo_oid) != it->lo_oid) {
		conn_log_error(conn, NULL, "could not create a large object");
		log_detail("large object %u", it->lo_oid);
		rc = -1;
	}
	if (rc == 0 && (mi.lo_fd = lo_open(conn, it->lo_oid, INV_WRITE)) < 0) {
		conn_log_error(conn, NULL, "could not open a large object");
		rc = -1;
	}
	if (rc == 0) {
		rc = stream_member(j, it, &mi, buf, &integrity);
		if (rc < 0 && mi.server_failed)
			conn_log_error(conn, NULL, "could not write a large object");
	}
	if (rc == 0 && lo_close(conn, mi.lo_fd) < 0) {
		conn_log_error(conn, NULL, "could not close a large object");
		rc = -1;
	}
	if (rc == 0)
		rc = conn_exec(conn, "COMMIT");
	else
		(void) PQclear(PQexec(conn, "ROLLBACK"));
	if (rc < 0)
		job_fail(j, integrity);
	return rc;
}

/* --verify: decompress and check one member, keep nothing. */
static int
check_item(job *j, const item *it, char *buf)
{
	member_in mi = {.lo_fd = -1};
	bool integrity;
	int rc = stream_member(j, it, &mi, buf, &integrity);

	if (rc < 0)
		job_fail(j, integrity);
	else if (it->rows > 0)
		atomic_fetch_add(&j->rows, it->rows);
	return rc;
}

void *
data_worker(void *arg)
{
	worker *w = arg;
	job *j = w->j;
	char *buf = xmalloc(READ_BUF);
	item *it;

	PGconn *conn = j->conns ? j->conns[w->id] : NULL;
	struct share *sh;

	while (!job_stopping(j) && (it = take_item(j))) {
		int rc;

		if (!conn)
			rc = check_item(j, it, buf);
		else if (!it->ct.table)
			rc = load_lo(j, conn, it, buf);
		else if (worth_sharing(j, it))
			rc = load_table_shared(j, w->id, conn, it, buf);
		else
			rc = load_table(j, conn, it, buf);
		item_done(j, it);
		if (rc < 0)
			break;
		progress_item_done();
	}
	/* nothing left to take: help with large members, build the indexes of complete tables */
	while (conn && !job_stopping(j)) {
		int r;

		if ((sh = share_join(j, w->id))) {
			share_help(sh, conn);
			continue;
		}
		if ((r = early_work(j, w->id)) != 0) {
			if (r < 0)
				break;
			continue;
		}
		pthread_mutex_lock(&j->lock);
		if (j->sch.loading == 0) {
			pthread_mutex_unlock(&j->lock);
			break;
		}
		timed_wait(&j->cond, &j->lock, 50);
		pthread_mutex_unlock(&j->lock);
	}
	free(buf);
	return NULL;
}

/* Run fn on n threads (the calling thread is one of them); 0 or -1 when the job failed. */
int
run_threads(job *j, int n, void *(*fn)(void *))
{
	worker *w = xcalloc((size_t) n, sizeof(*w));
	int started = 1;

	for (int i = 0; i < n; i++) {
		w[i].j = j;
		w[i].id = i;
	}
	for (int i = 1; i < n; i++, started++)
		if (pthread_create(&w[i].thread, NULL, fn, &w[i]) != 0) {
			log_warning("could not start a thread; going on with %d", started);
			break;
		}
	fn(&w[0]);
	for (int i = 1; i < started; i++)
		pthread_join(w[i].thread, NULL);
	free(w);
	return job_stopping(j) ? -1 : 0;
}

