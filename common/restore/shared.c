/*
 * shared.c — one large member loaded over several connections; see job.h.
 */
#include "restore/job.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/strbuf.h"

/*
 * Sharing one large member among connections.  The worker that takes it
 * (the producer) reads, decompresses and checks it, cuts the COPY text into
 * chunks of whole rows (in text format a raw newline only ever ends a row)
 * and queues them; workers with nothing left to do join as helpers, each
 * with its own COPY into the same table, and so does the producer when the
 * queue is full.  Memory stays bounded by the queue.  The rows land in a
 * different physical order than in the source.
 */
#define SHARE_MIN_BYTES (32ll << 20)    /* never share members with less COPY text */
#define SHARE_CHUNK (1u << 20)
#define SHARE_QUEUE 4

typedef struct chunk {
	char *data;
	size_t len;
} chunk;

typedef struct share {
	job *j;
	const item *it;
	PGconn *own;                 /* the producer's connection */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	chunk q[SHARE_QUEUE];
	size_t head, count;
	bool done;                   /* no more chunks will come */
	bool failed;
	int helpers;
	int64_t rows;                /* loaded by the helpers */
	strbuf cur;                  /* the chunk being filled */
} share;

static int
send_chunk(PGconn *conn, chunk *c)
{
	int rc = PQputCopyData(conn, c->data, (int) c->len) == 1 ? 0 : -1;

	free(c->data);
	c->data = NULL;
	return rc;
}

/* Queue a chunk, or send it on the producer's own connection when the queue is full. */
static int
share_push(share *sh, chunk c)
{
	pthread_mutex_lock(&sh->lock);
	if (sh->count < SHARE_QUEUE && sh->helpers > 0) {
		sh->q[(sh->head + sh->count) % SHARE_QUEUE] = c;
		sh->count++;
		pthread_cond_broadcast(&sh->cond);
		pthread_mutex_unlock(&sh->lock);
		return 0;
	}
	pthread_mutex_unlock(&sh->lock);
	return send_chunk(sh->own, &c);
}

/*
 * The chunk being filled becomes the chunk handed on (no copy of its bytes);
 * the part after its last whole row starts the next one.
 */
int
share_feed(share *sh, const char *data, size_t len)
{
	sb_append_len(&sh->cur, data, len);
	if (sh->cur.len >= SHARE_CHUNK) {
		size_t keep = sh->cur.len;
		strbuf next;
		chunk c;

		while (keep > 0 && sh->cur.data[keep - 1] != '\n')
			keep--;
		if (keep > 0) {
			sb_init(&next);
			sb_reserve(&next, SHARE_CHUNK + READ_BUF);
			sb_append_len(&next, sh->cur.data + keep, sh->cur.len - keep);
			c.len = keep;
			c.data = sb_steal(&sh->cur);
			sh->cur = next;
			return share_push(sh, c);
		}
	}
	return 0;
}

/* pthread_cond_timedwait for ms milliseconds. */
void
timed_wait(pthread_cond_t *cond, pthread_mutex_t *lock, int ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += (long) ms * 1000 * 1000;
	while (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(cond, lock, &until);
}

/* Take the next chunk; false when there are no more (or the job is stopping). */
static bool
share_pop(share *sh, chunk *c)
{
	bool got = false;

	pthread_mutex_lock(&sh->lock);
	for (;;) {
		if (sh->count > 0) {
			*c = sh->q[sh->head];
			sh->head = (sh->head + 1) % SHARE_QUEUE;
			sh->count--;
			got = true;
			break;
		}
		if (sh->done || sh->failed || job_stopping(sh->j))
			break;
		timed_wait(&sh->cond, &sh->lock, 100);
	}
	pthread_mutex_unlock(&sh->lock);
	return got;
}

/* A helper's part: its own COPY fed from the queue. */
void
share_help(share *sh, PGconn *conn)
{
	chunk c;
	int64_t rows = 0;
	bool ok = copy_in_begin(conn, &sh->it->ct, false) == 0;
	bool began = ok;

	while (share_pop(sh, &c))
		if (!ok || send_chunk(conn, &c) < 0) {
			free(c.data);
			ok = false;
		}
	if (began && copy_in_end(conn, &sh->it->ct, false, ok && !sh->failed && !job_stopping(sh->j),
	    job_stopping(sh->j), &rows) < 0)
		ok = false;
	/* the producer frees sh once the last helper is gone: nothing of it is touched after that */
	if (!ok)
		job_fail(sh->j, false);
	pthread_mutex_lock(&sh->lock);
	sh->rows += rows;
	if (!ok)
		sh->failed = true;
	sh->helpers--;
	pthread_cond_broadcast(&sh->cond);
	pthread_mutex_unlock(&sh->lock);
}

static void
share_free(share *sh)
{
	for (size_t k = 0; k < sh->count; k++)
		free(sh->q[(sh->head + k) % SHARE_QUEUE].data);
	sb_free(&sh->cur);
	pthread_mutex_destroy(&sh->lock);
	pthread_cond_destroy(&sh->cond);
	free(sh);
}

/* Join a member another worker is loading; NULL when there is none to help with. */
share *
share_join(job *j, int self)
{
	share *found = NULL;

	pthread_mutex_lock(&j->lock);
	for (int i = 0; i < j->n_conns && !found; i++) {
		share *sh = j->shares[i];

		if (!sh || i == self)
			continue;
		pthread_mutex_lock(&sh->lock);
		if (!sh->done && !sh->failed) {
			sh->helpers++;
			found = sh;
		}
		pthread_mutex_unlock(&sh->lock);
	}
	pthread_mutex_unlock(&j->lock);
	return found;
}

/*
 * Share a member when it is large and holds so much of the data (more than
 * 1.5 connections' fair part) that the other connections would otherwise
 * run out of work long before it is loaded.  A member loaded alone is
 * written frozen (COPY FREEZE), which makes everything that reads it next
 * cheaper, so sharing is kept for when it pays.
 */
bool
worth_sharing(const job *j, const item *it)
{
	return j->n_conns > 1 && it->raw_bytes >= SHARE_MIN_BYTES &&
	    (double) it->raw_bytes * 2 * j->n_conns > (double) j->total_raw * 3;
}

/* Load a large member over this connection and those that come to help. */
int
load_table_shared(job *j, int self, PGconn *conn, const item *it, char *buf)
{
	share *sh = xcalloc(1, sizeof(*sh));
	member_in mi = {.conn = conn, .lo_fd = -1, .share = sh};
	bool integrity = false;
	int64_t rows = 0;
	chunk c;
	int rc;

	sh->j = j;
	sh->it = it;
	sh->own = conn;
	sb_init(&sh->cur);
	sb_reserve(&sh->cur, SHARE_CHUNK + READ_BUF);
	pthread_mutex_init(&sh->lock, NULL);
	pthread_cond_init(&sh->cond, NULL);
	if (copy_in_begin(conn, &it->ct, false) < 0) {
		job_fail(j, false);
		share_free(sh);
		return -1;
	}
	pthread_mutex_lock(&j->lock);
	j->shares[self] = sh;
	pthread_mutex_unlock(&j->lock);

	rc = stream_member(j, it, &mi, buf, &integrity);
	if (rc == 0 && sh->cur.len > 0) {
		chunk last = {.len = sh->cur.len};

		last.data = sb_steal(&sh->cur);
		if (share_push(sh, last) < 0)
			rc = -1;
	}
	/* no more chunks: tell the helpers, and drain the queue here too */
	pthread_mutex_lock(&sh->lock);
	sh->done = true;
	if (rc < 0)
		sh->failed = true;
	pthread_cond_broadcast(&sh->cond);
	pthread_mutex_unlock(&sh->lock);
	while (share_pop(sh, &c)) {
		if (rc < 0)
			free(c.data);
		else if (send_chunk(conn, &c) < 0)
			rc = -1;
	}
	if (copy_in_end(conn, &it->ct, false, rc == 0 && !job_stopping(j), integrity || job_stopping(j), &rows) < 0)
		rc = -1;

	/* no one joins from now on; wait for those who did */
	pthread_mutex_lock(&j->lock);
	j->shares[self] = NULL;
	pthread_mutex_unlock(&j->lock);
	pthread_mutex_lock(&sh->lock);
	while (sh->helpers > 0)
		pthread_cond_wait(&sh->cond, &sh->lock);
	rows += sh->rows;
	if (sh->failed)
		rc = -1;
	pthread_mutex_unlock(&sh->lock);
	if (rc == 0 && check_rows(j, it, rows) < 0) {
		integrity = true;
		rc = -1;
	}
	if (rc < 0)
		job_fail(j, integrity);
	share_free(sh);
	return rc;
}
