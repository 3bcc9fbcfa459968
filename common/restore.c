/*
 * restore.c — the restore job; see restore.h.
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
#include "restore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libpq/libpq-fs.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "conn.h"
#include "dbadmin.h"
#include "exitcode.h"
#include "hash.h"
#include "interrupt.h"
#include "log.h"
#include "meta.h"
#include "progress.h"
#include "quote.h"
#include "migrate.h"
#include "monotime.h"
#include "replace.h"
#include "reset.h"
#include "snapname.h"
#include "sqlscript.h"
#include "stmtclass.h"
#include "strbuf.h"
#include "tarball.h"
#include "tcache.h"

#define READ_BUF (256 * 1024)
#define SCHEMA_MAX (1024u << 20)      /* a schema section larger than this is refused */
#define CACHE_KIND "restore"
#define SESSION_SETTINGS \
	"SET row_security = off; SET synchronous_commit = off;" \
	" SET maintenance_work_mem = '256MB'"

/* ---- the archive ---- */

typedef struct archive_in {
	const char *path;
	tb_index ix;
	snap_meta m;
	bool have_meta;
	const codec_ops *codec;
	char key[HASH_HEX_LEN + 1];    /* SHA-256 of meta.json: the cache key */
	int fd;
} archive_in;

static void
archive_close(archive_in *a)
{
	if (a->fd >= 0)
		close(a->fd);
	if (a->have_meta)
		meta_free(&a->m);
	tb_index_free(&a->ix);
	a->fd = -1;
	a->have_meta = false;
}

static int integrity_error(const char *path, const char *fmt, ...) LOG_PRINTF(2, 3);

static int
integrity_error(const char *path, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("archive \"%s\" is unusable: %s", path, msg);
	return EXIT_INTEGRITY;
}

/*
 * The member must be in the tar with the size the meta gives, and be named
 * by the meta only once: claimed[] marks the tar's entries already named.
 */
static int
check_member(archive_in *a, const char *member, int64_t size, bool *claimed)
{
	const tb_entry *e = tb_index_find(&a->ix, member);

	if (!e)
		return integrity_error(a->path, "member \"%s\" is missing (a truncated or edited archive?)",
		    member);
	if (e->size != size) {
		return integrity_error(a->path, "member \"%s\" holds %lld bytes, its meta.json says %lld",
		    member, (long long) e->size, (long long) size);
	}
	if (claimed[e - a->ix.entries])
		return integrity_error(a->path, "member \"%s\" is listed twice in its meta.json", member);
	claimed[e - a->ix.entries] = true;
	return EXIT_OK;
}

/* Every member the meta names is in the tar once, and the tar holds nothing else. */
static int
check_members(archive_in *a)
{
	const snap_meta *m = &a->m;
	bool *claimed = xcalloc(a->ix.n_entries ? a->ix.n_entries : 1, sizeof(*claimed));
	int rc = check_member(a, m->pre_data.member, m->pre_data.bytes, claimed);

	if (rc == EXIT_OK)
		rc = check_member(a, m->post_data.member, m->post_data.bytes, claimed);
	for (size_t i = 0; rc == EXIT_OK && i < m->n_tables; i++)
		for (size_t k = 0; rc == EXIT_OK && k < m->tables[i].n_members; k++)
			rc = check_member(a, m->tables[i].members[k].member,
			    m->tables[i].members[k].stored_bytes, claimed);
	for (size_t i = 0; rc == EXIT_OK && i < m->n_los; i++)
		rc = check_member(a, m->los[i].member, m->los[i].stored_bytes, claimed);
	for (size_t i = 0; rc == EXIT_OK && i < a->ix.n_entries; i++)
		if (!claimed[i] && strcmp(a->ix.entries[i].name, META_MEMBER) != 0)
			rc = integrity_error(a->path, "member \"%s\" is not listed in its meta.json",
			    a->ix.entries[i].name);
	free(claimed);
	return rc;
}

/* Index the archive and check its structure.  Returns an exit status. */
static int
archive_open(const char *path, archive_in *a)
{
	char err[512];
	int rc;

	memset(a, 0, sizeof(*a));
	a->path = path;
	a->fd = -1;
	rc = tb_index_open(path, META_MAX_BYTES, &a->ix, err, sizeof(err));
	if (rc == TB_INDEX_IO) {
		log_error("%s", err);
		return EXIT_FAILURE_;
	}
	if (rc != TB_INDEX_OK)
		return integrity_error(path, "%s", err);
	if (!a->ix.meta)
		return integrity_error(path, "%s",
		    "it has no meta.json member: not a db-snapshot archive, or a truncated one");
	rc = meta_from_json(a->ix.meta, a->ix.meta_len, &a->m, err, sizeof(err));
	if (rc == META_TOO_NEW)
		return integrity_error(path, "%s (install a newer db-tools to restore it)", err);
	if (rc != META_OK)
		return integrity_error(path, "meta.json: %s", err);
	a->have_meta = true;
	a->codec = codec_find(a->m.codec);
	if (!a->codec)
		return integrity_error(path, "unknown codec \"%s\"", a->m.codec);
	hash_hex_of(a->ix.meta, a->ix.meta_len, a->key);

	if ((rc = check_members(a)) != EXIT_OK)
		return rc;
	a->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (a->fd < 0) {
		log_error("could not open \"%s\": %s", path, strerror(errno));
		return EXIT_FAILURE_;
	}
	return EXIT_OK;
}

/* Read a whole (small) member into memory, checking its SHA-256. */
static int
read_schema(archive_in *a, const meta_schema *s, char **out)
{
	const tb_entry *e = tb_index_find(&a->ix, s->member);
	char sha[HASH_HEX_LEN + 1];
	char *buf;
	size_t got = 0;

	*out = NULL;
	if ((uint64_t) e->size > SCHEMA_MAX)
		return integrity_error(a->path, "member \"%s\" is too large", s->member);
	buf = xmalloc((size_t) e->size + 1);
	while (got < (size_t) e->size) {
		ssize_t n = pread(a->fd, buf + got, (size_t) e->size - got, e->offset + (off_t) got);

		if (n <= 0) {
			log_error("could not read \"%s\": %s", a->path, n < 0 ? strerror(errno) : "unexpected end of file");
			free(buf);
			return EXIT_FAILURE_;
		}
		got += (size_t) n;
	}
	buf[got] = '\0';
	hash_hex_of(buf, got, sha);
	if (strcmp(sha, s->sha256) != 0) {
		free(buf);
		return integrity_error(a->path, "member \"%s\" does not match its SHA-256 in meta.json",
		    s->member);
	}
	/* SQL text has no NUL byte: one would end the script there, and the rest never run */
	if (memchr(buf, '\0', got)) {
		free(buf);
		return integrity_error(a->path, "member \"%s\" contains a NUL byte", s->member);
	}
	*out = buf;
	return EXIT_OK;
}

/*
 * read_schema, then split the text into statements (*text and *st the
 * caller's to free).  Returns an exit status, the archive's faults logged.
 */
static int
read_statements(archive_in *a, const meta_schema *ms, char **text, sql_stmt **st, size_t *n)
{
	char err[256];
	int rc = read_schema(a, ms, text);

	if (rc != EXIT_OK)
		return rc;
	if (sql_split(*text, strlen(*text), st, n, err, sizeof(err)) < 0) {
		free(*text);
		*text = NULL;
		return integrity_error(a->path, "member \"%s\": %s", ms->member, err);
	}
	return EXIT_OK;
}

/* ---- the job shared by the threads ---- */

typedef struct item {
	const char *member;
	const char *schema, *table;  /* NULL for a large object */
	char **columns;
	size_t n_columns;
	int64_t rows, raw_bytes;
	const char *sha256;
	uint32_t lo_oid;
	int64_t stored;
	bool whole;                  /* the table's only member */
	long table_ix;               /* index into the meta's tables; -1 for a large object */
} item;

struct script;

typedef struct job {
	archive_in *a;
	const rst_opts *o;
	bool verify_only;
	PGconn **conns;              /* jobs connections to the new database (NULL when verifying) */
	struct share **shares;       /* per connection: the large member it is sharing, if any */
	int *intr_slots;
	int n_conns;
	item *items;
	size_t n_items;
	size_t next;
	size_t loading;              /* items taken and not finished */
	int64_t total_raw;           /* COPY text of all items */
	int64_t *table_left;         /* per meta table: members not loaded yet */
	pthread_mutex_t lock;
	pthread_cond_t cond;         /* an item or a statement finished */
	atomic_bool failed;
	atomic_bool integrity;       /* the failure is the archive's fault */
	atomic_llong rows;
	/* schema statements (see "schema scripts") */
	struct script *post;         /* post-data, whose index builds may start during the load */
	struct script **conn_script; /* per connection: the script its settings come from */
	int *conn_epoch;             /* per connection: session statements of it applied */
	int *conn_parallel;          /* per connection: parallel index builds allowed (1), not (0), unknown (-1) */
	const struct pd_stmt **busy; /* the statements running now (2 slots per connection) */
	struct script *batch_script;
	size_t batch_lo, batch_hi;
	enum stmt_class batch_cls;
} job;

static bool
job_stopping(job *j)
{
	return atomic_load(&j->failed) || intr_pending();
}

static void
job_fail(job *j, bool integrity)
{
	if (integrity)
		atomic_store(&j->integrity, true);
	atomic_store(&j->failed, true);
}

static int
cmp_items(const void *x, const void *y)
{
	const item *a = x, *b = y;

	return a->stored < b->stored ? 1 : a->stored > b->stored ? -1 : strcmp(a->member, b->member);
}

static void
plan_items(job *j)
{
	const snap_meta *m = &j->a->m;
	size_t n = m->n_los;

	for (size_t i = 0; i < m->n_tables; i++)
		n += m->tables[i].n_members;
	j->items = xcalloc(n ? n : 1, sizeof(*j->items));
	j->table_left = xcalloc(m->n_tables ? m->n_tables : 1, sizeof(*j->table_left));
	for (size_t i = 0; i < m->n_tables; i++)
		j->table_left[i] = (int64_t) m->tables[i].n_members;
	for (size_t i = 0; i < m->n_tables; i++) {
		const meta_table *t = &m->tables[i];

		for (size_t k = 0; k < t->n_members; k++) {
			item *it = &j->items[j->n_items++];

			it->member = t->members[k].member;
			it->schema = t->schema;
			it->table = t->name;
			it->columns = t->columns;
			it->n_columns = t->n_columns;
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

		it->member = m->los[i].member;
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
		j->loading++;
	}
	pthread_mutex_unlock(&j->lock);
	return it;
}

/* An item is loaded (or failed): its table may now be complete. */
static void
item_done(job *j, const item *it)
{
	pthread_mutex_lock(&j->lock);
	j->loading--;
	if (it->table_ix >= 0)
		j->table_left[it->table_ix]--;
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->lock);
}

/* ---- streaming one member ---- */

struct share;

typedef struct member_in {
	hash_ctx *h;
	int64_t raw;
	int64_t newlines;
	PGconn *conn;
	int lo_fd;                   /* >= 0: write into this large object */
	bool copy;                   /* PQputCopyData */
	struct share *share;         /* rows go to the connections sharing this member */
	bool server_failed;
	int64_t limit;               /* the member's raw_bytes: more is refused before it is sent */
	bool too_big;
} member_in;

static int share_feed(struct share *sh, const char *data, size_t len);

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
		    j->a->path, it->member, (long long) it->raw_bytes);
	else if (!mi->server_failed)
		log_error("archive \"%s\": member \"%s\" is corrupt: %s", j->a->path, it->member, cs->error);
	return !mi->server_failed;
}

/*
 * Decompress a member through mi.  Returns 0, or -1 after logging (with
 * *integrity set when the archive is at fault).
 */
static int
stream_member(job *j, const item *it, member_in *mi, char *buf, bool *integrity)
{
	const tb_entry *e = tb_index_find(&j->a->ix, it->member);
	codec_stream cs;
	int64_t off = 0;
	char sha[HASH_HEX_LEN + 1];
	int rc = 0;

	*integrity = false;
	mi->h = hash_new();
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
		    it->member);
		*integrity = true;
		rc = -1;
	}
	if (rc == 0 && !mi->conn && it->rows >= 0 && mi->newlines != it->rows) {
		log_error("archive \"%s\": member \"%s\" holds %lld rows, its meta.json says %lld", j->a->path,
		    it->member, (long long) mi->newlines, (long long) it->rows);
		*integrity = true;
		rc = -1;
	}
	return rc;
}

/*
 * Start COPY ... FROM STDIN for the item's table on conn.  With freeze the
 * COPY runs in a transaction that first truncates the (empty) table, so
 * that COPY FREEZE writes the rows frozen: the index builds and foreign key
 * checks that read them next need not set hint bits (copy_end commits).
 */
static int
copy_begin(PGconn *conn, const item *it, bool freeze)
{
	strbuf sql;
	PGresult *res;
	int rc = 0;

	sb_init(&sql);
	if (freeze) {
		sb_append(&sql, "BEGIN; TRUNCATE ONLY ");
		q_qualified(&sql, it->schema, it->table);
		sb_append(&sql, "; ");
	}
	sb_append(&sql, "COPY ");
	q_qualified(&sql, it->schema, it->table);
	if (it->n_columns > 0) {
		sb_append(&sql, " (");
		for (size_t c = 0; c < it->n_columns; c++) {
			if (c)
				sb_append(&sql, ", ");
			q_ident(&sql, it->columns[c]);
		}
		sb_append(&sql, ")");
	}
	sb_append(&sql, freeze ? " FROM STDIN WITH (FREEZE)" : " FROM STDIN");
	res = PQexec(conn, sql.data);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		conn_log_error(conn, res, "could not start loading a table");
		log_detail("table %s.%s, member \"%s\"", it->schema, it->table, it->member);
		rc = -1;
	}
	PQclear(res);
	sb_free(&sql);
	return rc;
}

#define COPY_ABORTED "db-restore stopped this load"

/*
 * End the COPY (aborting it unless ok) and add the rows the server loaded
 * to *rows; commit or roll back copy_begin's transaction when freeze.
 * Unless quiet, says why the load failed on the server's side: its error
 * (not the abort asked for here), or the connection lost.  Returns 0 or -1.
 */
static int
copy_end(PGconn *conn, const item *it, bool freeze, bool ok, bool quiet, int64_t *rows)
{
	PGresult *res;
	int rc = ok ? 0 : -1;
	bool said = quiet;

	if (PQputCopyEnd(conn, ok ? NULL : COPY_ABORTED) != 1)
		rc = -1;
	while ((res = PQgetResult(conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

			if (!said && !(msg && strstr(msg, COPY_ABORTED))) {
				conn_log_error(conn, res, "could not load a table");
				log_detail("table %s.%s, member \"%s\"", it->schema, it->table, it->member);
				said = true;
			}
			rc = -1;
		} else
			*rows += strtoll(PQcmdTuples(res), NULL, 10);
		PQclear(res);
	}
	if (rc < 0 && !said && PQstatus(conn) == CONNECTION_BAD) {
		conn_log_error(conn, NULL, "lost the connection while loading a table");
		log_detail("table %s.%s, member \"%s\"", it->schema, it->table, it->member);
	}
	if (freeze) {
		if (rc == 0)
			rc = conn_exec(conn, "COMMIT");
		else
			PQclear(PQexec(conn, "ROLLBACK"));
	}
	return rc;
}

/* The server loaded rows; the meta says it->rows. */
static int
check_rows(job *j, const item *it, int64_t rows)
{
	if (rows == it->rows) {
		atomic_fetch_add(&j->rows, rows);
		return 0;
	}
	log_error("archive \"%s\": member \"%s\" loaded %lld rows, its meta.json says %lld", j->a->path,
	    it->member, (long long) rows, (long long) it->rows);
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

	if (copy_begin(conn, it, freeze) < 0) {
		if (freeze)
			PQclear(PQexec(conn, "ROLLBACK"));
		job_fail(j, false);
		return -1;
	}
	rc = stream_member(j, it, &mi, buf, &integrity);
	/* the server's side of a failure is said here; the archive's was said already */
	if (copy_end(conn, it, freeze, rc == 0, integrity || job_stopping(j), &rows) < 0)
		rc = -1;
	if (rc == 0 && check_rows(j, it, rows) < 0) {
		integrity = true;
		rc = -1;
	}
	if (rc < 0)
		job_fail(j, integrity);
	return rc;
}

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
static int
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
static void
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
static void
share_help(share *sh, PGconn *conn)
{
	chunk c;
	int64_t rows = 0;
	bool ok = copy_begin(conn, sh->it, false) == 0;
	bool began = ok;

	while (share_pop(sh, &c))
		if (!ok || send_chunk(conn, &c) < 0) {
			free(c.data);
			ok = false;
		}
	if (began && copy_end(conn, sh->it, false, ok && !sh->failed && !job_stopping(sh->j),
	    job_stopping(sh->j), &rows) < 0)
		ok = false;
	pthread_mutex_lock(&sh->lock);
	sh->rows += rows;
	if (!ok)
		sh->failed = true;
	sh->helpers--;
	pthread_cond_broadcast(&sh->cond);
	pthread_mutex_unlock(&sh->lock);
	if (!ok)
		job_fail(sh->j, false);
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
static share *
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
static bool
worth_sharing(const job *j, const item *it)
{
	return j->n_conns > 1 && it->raw_bytes >= SHARE_MIN_BYTES &&
	    (double) it->raw_bytes * 2 * j->n_conns > (double) j->total_raw * 3;
}

/* Load a large member over this connection and those that come to help. */
static int
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
	if (copy_begin(conn, it, false) < 0) {
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
	if (copy_end(conn, it, false, rc == 0 && !job_stopping(j), integrity || job_stopping(j), &rows) < 0)
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

typedef struct worker {
	job *j;
	int id;
	pthread_t thread;
} worker;

static int early_work(job *j, int c);

static void *
data_worker(void *arg)
{
	worker *w = arg;
	job *j = w->j;
	char *buf = xmalloc(READ_BUF);
	item *it;

	PGconn *conn = j->conns ? j->conns[w->id] : NULL;
	share *sh;

	while (!job_stopping(j) && (it = take_item(j))) {
		int rc;

		if (!conn)
			rc = check_item(j, it, buf);
		else if (!it->table)
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
		if (j->loading == 0) {
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
static int
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

/* ---- schema scripts ---- */

/*
 * A schema section is run statement by statement.  Session settings (SET,
 * set_config) are not run where they stand but replayed on a connection up
 * to the point of the statement it runs next ("epochs"), so statements can
 * run on any connection and out of place.  Index builds and primary key,
 * unique and exclusion constraints depend only on their table's data: they
 * run in parallel, and start during the data load as soon as their table is
 * complete (as pg_restore -j does).  Foreign keys run in parallel among
 * themselves, never two on the same table at once.  Everything else runs
 * in order on the first connection.
 */
enum stmt_state { ST_PENDING, ST_RUNNING, ST_DONE };

typedef struct pd_stmt {
	sql_stmt st;
	stmt_kind k;                 /* its class and the tables it locks */
	int epoch;                   /* session statements before this one */
	long meta_table;             /* STMT_INDEX on a table of the archive: its index, else -1 */
	enum stmt_state state;       /* under job.lock */
} pd_stmt;

typedef struct script {
	const meta_schema *ms;
	char *text;
	pd_stmt *v;
	size_t n;
	size_t *sessions;            /* indexes of the session statements, in order */
	size_t n_sessions;
} script;

static void
script_free(script *sc)
{
	for (size_t i = 0; i < sc->n; i++)
		stmt_kind_free(&sc->v[i].k);
	free(sc->v);
	free(sc->sessions);
	free(sc->text);
	memset(sc, 0, sizeof(*sc));
}

typedef struct key_ix {
	char *key;
	long ix;
} key_ix;

static int
key_ix_cmp(const void *a, const void *b)
{
	return strcmp(((const key_ix *) a)->key, ((const key_ix *) b)->key);
}

/* Read, check, split and classify a schema section. */
static int
script_load(job *j, const meta_schema *ms, script *sc)
{
	const snap_meta *m = &j->a->m;
	sql_stmt *st;
	key_ix *keys;
	int rc, epoch = 0;

	memset(sc, 0, sizeof(*sc));
	sc->ms = ms;
	if ((rc = read_statements(j->a, ms, &sc->text, &st, &sc->n)) != EXIT_OK) {
		job_fail(j, rc == EXIT_INTEGRITY);
		return -1;
	}
	keys = xcalloc(m->n_tables ? m->n_tables : 1, sizeof(*keys));
	for (size_t i = 0; i < m->n_tables; i++) {
		keys[i].key = stmt_table_key(m->tables[i].schema, m->tables[i].name);
		keys[i].ix = (long) i;
	}
	qsort(keys, m->n_tables, sizeof(*keys), key_ix_cmp);
	sc->v = xcalloc(sc->n ? sc->n : 1, sizeof(*sc->v));
	sc->sessions = xcalloc(sc->n ? sc->n : 1, sizeof(*sc->sessions));
	for (size_t i = 0; i < sc->n; i++) {
		pd_stmt *p = &sc->v[i];

		p->st = st[i];
		p->meta_table = -1;
		stmt_classify(sc->text, &p->st, j->o->owners, &p->k);
		p->epoch = epoch;
		if (p->k.cls == STMT_SESSION) {
			sc->sessions[sc->n_sessions++] = i;
			epoch++;
		}
		if (p->k.cls == STMT_INDEX) {
			key_ix probe = {.key = p->k.tables[0]};
			key_ix *hit = bsearch(&probe, keys, m->n_tables, sizeof(*keys), key_ix_cmp);

			if (hit)
				p->meta_table = hit->ix;
		}
	}
	for (size_t i = 0; i < m->n_tables; i++)
		free(keys[i].key);
	free(keys);
	free(st);
	return 0;
}

static int
exec_sql(job *j, PGconn *conn, const script *sc, const pd_stmt *p)
{
	strbuf sql;
	PGresult *res;
	int rc = 0;
	double t0 = monotime();

	sb_init(&sql);
	sb_append_len(&sql, sc->text + p->st.start, p->st.len);
	res = PQexec(conn, sql.data);
	log_debug("%s, line %d: %.3f s: %.60s", sc->ms->member, p->st.line, monotime() - t0, sql.data);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		if (!job_stopping(j)) {
			char *what = xasprintf("%s, line %d", sc->ms->member, p->st.line);

			conn_log_error(conn, res, what);
			log_detail("statement: %.300s%s", sql.data, sql.len > 300 ? " ..." : "");
			free(what);
		}
		job_fail(j, false);
		rc = -1;
	}
	PQclear(res);
	sb_free(&sql);
	return rc;
}

/* Run statement p on connection c, with c's session settings brought to p's epoch. */
static int
exec_on(job *j, int c, script *sc, const pd_stmt *p)
{
	int from;

	if (j->conn_script[c] != sc) {
		j->conn_script[c] = sc;
		j->conn_epoch[c] = 0;
	}
	/* settings are absolute: going back means replaying from the start */
	from = j->conn_epoch[c] <= p->epoch ? j->conn_epoch[c] : 0;
	for (int k = from; k < p->epoch; k++)
		if (exec_sql(j, j->conns[c], sc, &sc->v[sc->sessions[k]]) < 0)
			return -1;
	j->conn_epoch[c] = p->epoch;
	return exec_sql(j, j->conns[c], sc, p);
}

/*
 * Would p wait for a lock a running statement holds?  CREATE INDEX takes a
 * SHARE lock, which only the exclusive kinds (adding a key or a foreign
 * key) conflict with.
 */
static bool
conflicts(job *j, const pd_stmt *p)
{
	for (int t = 0; t < 2; t++)
		for (int i = 0; p->k.tables[t] && i < 2 * j->n_conns; i++)
			if (j->busy[i] && strcmp(j->busy[i]->k.tables[0], p->k.tables[t]) == 0 &&
			    (!p->k.shared_lock || !j->busy[i]->k.shared_lock))
				return true;
			else if (j->busy[i] && j->busy[i]->k.tables[1] &&
			    strcmp(j->busy[i]->k.tables[1], p->k.tables[t]) == 0)
				return true;
	return false;
}

static void
set_busy(job *j, const pd_stmt *p, bool busy)
{
	for (int i = 0; i < 2 * j->n_conns; i++)
		if (busy ? j->busy[i] == NULL : j->busy[i] == p) {
			j->busy[i] = busy ? p : NULL;
			break;
		}
}

/*
 * The work a statement stands for, to tell a big index build from the small
 * ones beside it: the COPY text of the table it indexes, or -1 when unknown
 * (a foreign key, an index on a table the archive doesn't hold).
 */
static int64_t
stmt_weight(const job *j, const pd_stmt *p)
{
	return p->meta_table >= 0 ? j->a->m.tables[p->meta_table].raw_bytes : -1;
}

static void
add_weight(const job *j, const pd_stmt *p, int64_t *sum, bool *unknown)
{
	int64_t w = stmt_weight(j, p);

	if (w < 0)
		*unknown = true;
	else
		*sum += w;
}

/*
 * Under j->lock: the first pending statement of class cls in [lo, hi) whose
 * tables are free (and, when early, whose table is completely loaded); it
 * is marked running.  *alone says whether it is, in effect, the only work
 * left now: nothing loading, and everything else running or pending of
 * known weight and together under an eighth of its own.
 */
static pd_stmt *
claim(job *j, script *sc, size_t lo, size_t hi, enum stmt_class cls, bool early, bool *alone)
{
	pd_stmt *got = NULL;
	bool unknown = j->loading > 0;
	int64_t others = 0;

	for (int i = 0; i < 2 * j->n_conns; i++)
		if (j->busy[i])
			add_weight(j, j->busy[i], &others, &unknown);
	for (size_t i = lo; i < hi; i++) {
		pd_stmt *p = &sc->v[i];

		if (p->state != ST_PENDING || p->k.cls != cls)
			continue;
		if (got || (early && (p->meta_table < 0 || j->table_left[p->meta_table] > 0)) ||
		    conflicts(j, p)) {
			add_weight(j, p, &others, &unknown);
			continue;
		}
		got = p;
	}
	if (got) {
		got->state = ST_RUNNING;
		set_busy(j, got, true);
	}
	*alone = got && !unknown && stmt_weight(j, got) >= 0 && others <= stmt_weight(j, got) / 8;
	return got;
}

/*
 * Run a claimed statement.  An index build that is in effect the only work
 * left may use the server's parallel maintenance workers, up to one less
 * than the connections (the leader works too), within the server's own
 * max_parallel_maintenance_workers; beside other work it is better without
 * them (the cores are already busy, and the workers' coordination costs CPU).
 */
static int
run_claimed(job *j, int c, script *sc, pd_stmt *p, bool alone)
{
	int rc = 0;

	if (p->k.cls == STMT_INDEX && j->conn_parallel[c] != (alone ? 1 : 0)) {
		char sql[256];

		snprintf(sql, sizeof(sql),
		    "SELECT pg_catalog.set_config('max_parallel_maintenance_workers',"
		    " LEAST(s.reset_val::int, %d)::text, false)"
		    " FROM pg_catalog.pg_settings s WHERE s.name = 'max_parallel_maintenance_workers'",
		    j->n_conns - 1);
		rc = conn_exec(j->conns[c], alone ? sql : "SET max_parallel_maintenance_workers = 0");
		j->conn_parallel[c] = alone ? 1 : 0;
	}
	if (rc == 0)
		rc = exec_on(j, c, sc, p);
	else
		job_fail(j, false);

	pthread_mutex_lock(&j->lock);
	p->state = ST_DONE;
	set_busy(j, p, false);
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->lock);
	return rc;
}

/*
 * During the data load: build one index whose table is complete.  Returns
 * 1 when it ran one, 0 when there is none to run now.
 */
static int
early_work(job *j, int c)
{
	pd_stmt *p;
	bool alone;

	if (!j->post)
		return 0;
	pthread_mutex_lock(&j->lock);
	p = claim(j, j->post, 0, j->post->n, STMT_INDEX, true, &alone);
	pthread_mutex_unlock(&j->lock);
	if (!p)
		return 0;
	return run_claimed(j, c, j->post, p, alone) < 0 ? -1 : 1;
}

/* A batch: statements of one class in [lo, hi), run by every connection. */
static void *
batch_worker(void *arg)
{
	worker *w = arg;
	job *j = w->j;

	pthread_mutex_lock(&j->lock);
	while (!job_stopping(j)) {
		bool alone, left = false;
		pd_stmt *p = claim(j, j->batch_script, j->batch_lo, j->batch_hi, j->batch_cls, false,
		    &alone);

		if (p) {
			pthread_mutex_unlock(&j->lock);
			if (run_claimed(j, w->id, j->batch_script, p, alone) < 0)
				return NULL;
			pthread_mutex_lock(&j->lock);
			continue;
		}
		for (size_t i = j->batch_lo; i < j->batch_hi && !left; i++)
			left = j->batch_script->v[i].k.cls == j->batch_cls &&
			    j->batch_script->v[i].state != ST_DONE;
		if (!left)
			break;
		pthread_cond_wait(&j->cond, &j->lock);
	}
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

/* Run a schema section: parallel batches of index builds and foreign keys, the rest in order. */
static int
script_run(job *j, script *sc)
{
	for (size_t i = 0; i < sc->n;) {
		pd_stmt *p = &sc->v[i];
		size_t k;

		if (job_stopping(j))
			return -1;
		switch (p->k.cls) {
		case STMT_SKIP:
		case STMT_SESSION:
			i++;
			break;
		case STMT_FOREIGN_META:
			log_error("archive \"%s\": member \"%s\", line %d: unexpected psql command \"%.40s\"",
			    j->a->path, sc->ms->member, p->st.line, sc->text + p->st.start);
			job_fail(j, true);
			return -1;
		case STMT_INDEX:
		case STMT_FKEY:
			for (k = i + 1; k < sc->n && (sc->v[k].k.cls == p->k.cls || sc->v[k].k.cls == STMT_SKIP ||
			    sc->v[k].k.cls == STMT_SESSION); k++)
				;
			j->batch_script = sc;
			j->batch_lo = i;
			j->batch_hi = k;
			j->batch_cls = p->k.cls;
			if (run_threads(j, j->n_conns, batch_worker) < 0)
				return -1;
			i = k;
			break;
		case STMT_RUN:
			if (p->state == ST_PENDING && exec_on(j, 0, sc, p) < 0)
				return -1;
			p->state = ST_DONE;
			i++;
			break;
		}
	}
	return 0;
}

static int
set_sequences(job *j)
{
	const snap_meta *m = &j->a->m;
	strbuf sql, name;
	int rc;

	if (m->n_sequences == 0)
		return 0;
	sb_init(&sql);
	sb_init(&name);
	for (size_t i = 0; i < m->n_sequences; i++) {
		sb_reset(&name);
		q_qualified(&name, m->sequences[i].schema, m->sequences[i].name);
		sb_append(&sql, "SELECT pg_catalog.setval(");
		q_literal(&sql, name.data);
		sb_appendf(&sql, ", %lld, %s);", (long long) m->sequences[i].last_value,
		    m->sequences[i].is_called ? "true" : "false");
	}
	rc = conn_exec(j->conns[0], sql.data);
	if (rc < 0)
		job_fail(j, false);
	sb_free(&sql);
	sb_free(&name);
	return rc;
}

/* ---- connections to the new database ---- */

static int
open_conns(job *j, PGconn *maint, const char *db, int n)
{
	j->conns = xcalloc((size_t) n, sizeof(*j->conns));
	j->shares = xcalloc((size_t) n, sizeof(*j->shares));
	j->conn_script = xcalloc((size_t) n, sizeof(*j->conn_script));
	j->conn_epoch = xcalloc((size_t) n, sizeof(*j->conn_epoch));
	j->conn_parallel = xmalloc((size_t) n * sizeof(*j->conn_parallel));
	j->busy = xcalloc((size_t) n * 2, sizeof(*j->busy));
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
	 * more to exit; the swap and the template copy wait (dba_terminate) for
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
	free(j->busy);
	j->shares = NULL;
	j->conn_script = NULL;
	j->conn_epoch = NULL;
	j->conn_parallel = NULL;
	j->busy = NULL;
	j->conns = NULL;
	j->intr_slots = NULL;
	j->n_conns = 0;
}

/* ---- showing, confirming ---- */

/* Whether the archive was taken on the server maint is connected to (as far as its meta says). */
static bool
same_server(const snap_meta *m, PGconn *maint)
{
	const char *host = PQhost(maint), *port = PQport(maint);
	bool local_src = !m->src_host || !*m->src_host || m->src_host[0] == '/';
	bool local_dst = !host || !*host || host[0] == '/';

	if (local_src != local_dst || (!local_src && strcmp(m->src_host, host) != 0))
		return false;
	return !m->src_port || !port || strcmp(m->src_port, port) == 0;
}

static void
show_plan(const archive_in *a, PGconn *maint, const char *target, bool exists,
    const rst_opts *o, bool from_cache)
{
	const snap_meta *m = &a->m;
	meta_totals t;
	char when[32], age[32], size[32], raw[32];
	char *pre, *name, *src;
	strbuf from;
	struct tm tm;
	time_t now = time(NULL);

	meta_totals_of(m, &t);
	gmtime_r(&m->created_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	sn_format_age((long long) (now - m->created_at), age, sizeof(age));
	sn_format_size((unsigned long long) a->ix.file_size, size, sizeof(size));
	sn_format_size((unsigned long long) t.raw_bytes, raw, sizeof(raw));
	/* what an archive says is shown as one line of plain text each */
	name = str_visible(m->name);
	src = str_visible(m->src_database ? m->src_database : "");
	sb_init(&from);
	sb_append_visible(&from, m->src_host ? m->src_host : "local");
	sb_append_char(&from, ':');
	sb_append_visible(&from, m->src_port ? m->src_port : "");
	if (m->git_branch) {
		sb_append(&from, ", git branch ");
		sb_append_visible(&from, m->git_branch);
	}
	if (m->git_commit) {
		sb_append(&from, " @ ");
		sb_append_visible(&from, m->git_commit);
	}
	log_plain("archive   %s (%s)\n", a->path, size);
	if (strcmp(age, "future") == 0)
		log_plain("snapshot  \"%s\", taken %s (in the future: a clock is wrong)\n", name, when);
	else
		log_plain("snapshot  \"%s\", taken %s (%s ago)\n", name, when, age);
	log_plain("source    database \"%s\" on %s\n", src, from.data);
	sb_free(&from);
	free(name);
	log_plain("contents  %lld tables, %lld rows, %zu sequences, %lld large objects (%s of data)\n",
	    (long long) t.tables, (long long) t.rows, m->n_sequences, (long long) t.large_objects, raw);
	pre = rp_copy_prefix(target, RP_SUFFIX_PREVIOUS);
	log_plain("target    database \"%s\" (host=%s port=%s user=%s): %s%s%s\n", target,
	    PQhost(maint), PQport(maint), PQuser(maint),
	    !exists ? "does not exist, will be created" :
	    o->keep_previous > 0 ? "will be replaced; the current one is kept as " :
	    "will be replaced; the current one is dropped after the swap",
	    exists && o->keep_previous > 0 ? pre : "", exists && o->keep_previous > 0 ? "<time>" : "");
	free(pre);
	if (from_cache)
		log_plain("method    clone of the cached template (the archive's data is not read)\n");
	if (m->src_database && strcmp(m->src_database, target) != 0)
		log_warning("this snapshot was taken from database \"%s\", not \"%s\"", src, target);
	/* someone else's archive: say what running its schema means */
	if ((m->src_database && strcmp(m->src_database, target) != 0) || !same_server(m, maint))
		log_plain("trust     the archive's schema runs with the privileges of \"%s\"%s\n",
		    PQuser(maint), o->trust_archive ? " (--trust-archive: all of it)" :
		    " (only statements pg_dump writes are accepted)");
	free(src);
	if (m->server_version_num / 10000 > PQserverVersion(maint) / 10000) {
		log_warning("this snapshot comes from PostgreSQL %d, and the target server runs %d",
		    m->server_version_num / 10000, PQserverVersion(maint) / 10000);
		log_detail("a schema that uses what %d does not have fails to load; the target is then left as it is",
		    PQserverVersion(maint) / 10000);
	}
}

/* The newest migration in dir: its version (the leading part before '_'), compared as numbers. */
static char *
newest_migration(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *best = NULL;

	if (!d)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		char *version;

		if (de->d_name[0] == '.' || !strchr("0123456789", de->d_name[0]))
			continue;
		version = xasprintf("%.*s", (int) strcspn(de->d_name, "_.-"), de->d_name);
		/* in the runner's order: numeric, so 10_y comes after 9_x */
		if (!best || mig_version_cmp(version, best) > 0) {
			free(best);
			best = version;
		} else
			free(version);
	}
	closedir(d);
	return best;
}

static void
note_migrations(const archive_in *a, const cfg *c)
{
	char *newest;

	if (!c || !c->migrations_dir || !(newest = newest_migration(c->migrations_dir)))
		return;
	if (!a->m.migration_head)
		log_info("note: the archive records no migration head; the project's newest migration is %s",
		    newest);
	else if (mig_version_cmp(a->m.migration_head, newest) != 0)
		log_info("note: the archive's migration head is %s; the project's newest migration is %s",
		    a->m.migration_head, newest);
	free(newest);
}

/* ---- the run ---- */

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
	if (script_run(j, &pre) < 0)
		goto out;
	log_verbose("pre-data schema created in %.2f s", monotime() - t0);
	t0 = monotime();
	j->post = &post;
	progress_start(j->o->progress, "restore", total, (int64_t) j->n_items);
	rc = run_threads(j, j->n_conns, data_worker);
	progress_stop();
	if (rc < 0)
		goto out;
	log_verbose("data loaded (and some indexes built) in %.2f s", monotime() - t0);
	rc = -1;
	if (set_sequences(j) < 0)
		goto out;
	t0 = monotime();
	if (script_run(j, &post) < 0)
		goto out;
	log_verbose("the rest of post-data built in %.2f s", monotime() - t0);
	rc = 0;
out:
	j->post = NULL;
	script_free(&pre);
	script_free(&post);
	return rc;
}

/*
 * An archive's schema runs as the restoring role, so one from someone else
 * may hold only the statements pg_dump writes (stmt_refusal): anything else
 * refuses the archive (exit 4) before anything runs, unless trusted.
 */
static int
check_schema_statements(archive_in *a, bool trust)
{
	const meta_schema *parts[] = {&a->m.pre_data, &a->m.post_data};
	int rc = EXIT_OK;

	if (trust)
		return EXIT_OK;
	for (size_t p = 0; p < 2 && rc == EXIT_OK; p++) {
		char *text;
		sql_stmt *st;
		size_t n;

		if ((rc = read_statements(a, parts[p], &text, &st, &n)) != EXIT_OK)
			break;
		for (size_t i = 0; i < n && rc == EXIT_OK; i++) {
			const char *why = stmt_refusal(text, &st[i]);
			char *stmt, *shown;

			if (!why)
				continue;
			stmt = xasprintf("%.*s", (int) (st[i].len > 120 ? 120 : st[i].len), text + st[i].start);
			shown = str_visible(stmt);
			rc = integrity_error(a->path, "member \"%s\", line %d: %s: %s%s", parts[p]->member,
			    st[i].line, why, shown, st[i].len > 120 ? "..." : "");
			log_hint("its schema would run with your privileges; --trust-archive runs it anyway, "
			    "if you trust whoever made it");
			free(shown);
			free(stmt);
		}
		free(st);
		free(text);
	}
	return rc;
}

/* Add the roles that schema script s gives objects to (ALTER ... OWNER TO) to *roles. */
static int
collect_owner_roles(archive_in *a, const meta_schema *ms, char ***roles, size_t *n_roles)
{
	char *text;
	sql_stmt *st;
	size_t n;
	int rc = read_statements(a, ms, &text, &st, &n);

	if (rc != EXIT_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		char *role = stmt_owner_role(text, &st[i]);
		bool known = false;

		for (size_t k = 0; role && k < *n_roles; k++)
			known = known || strcmp((*roles)[k], role) == 0;
		if (!role || known) {
			free(role);
			continue;
		}
		*roles = xrealloc(*roles, (*n_roles + 1) * sizeof(**roles));
		(*roles)[(*n_roles)++] = role;
	}
	free(st);
	free(text);
	return EXIT_OK;
}

/*
 * --owners: every role the archive gives objects to must exist, and the
 * current role must be able to give them its objects (be a superuser or a
 * member).  Checked before anything is created.  Returns an exit status.
 */
static int
check_owner_roles(archive_in *a, PGconn *maint)
{
	char **roles = NULL;
	size_t n_roles = 0, bad = 0;
	strbuf list;
	int rc = collect_owner_roles(a, &a->m.pre_data, &roles, &n_roles);

	if (rc == EXIT_OK)
		rc = collect_owner_roles(a, &a->m.post_data, &roles, &n_roles);
	sb_init(&list);
	for (size_t i = 0; rc == EXIT_OK && i < n_roles; i++) {
		const char *params[1] = {roles[i]};
		PGresult *res = PQexecParams(maint,
		    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1),"
		    "       (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)"
		    "       OR coalesce((SELECT pg_catalog.pg_has_role(oid, 'MEMBER')"
		    "                      FROM pg_catalog.pg_roles WHERE rolname = $1), false)",
		    1, NULL, params, NULL, NULL, 0);

		if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
			conn_log_error(maint, res, "could not look up the archive's owners");
			rc = EXIT_FAILURE_;
		} else if (strcmp(PQgetvalue(res, 0, 0), "t") != 0 || strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
			char *name = str_visible(roles[i]);

			sb_appendf(&list, "%s\"%s\" (%s)", bad++ ? ", " : "", name,
			    strcmp(PQgetvalue(res, 0, 0), "t") != 0 ? "does not exist" : "not a member");
			free(name);
		}
		PQclear(res);
	}
	if (rc == EXIT_OK && bad > 0) {
		log_error("--owners: role \"%s\" cannot give objects to %s of the archive's owners",
		    PQuser(maint), bad == 1 ? "one" : "some");
		log_detail("%s", list.data);
		log_hint("restore without --owners (everything then belongs to you), create the roles, "
		    "or restore as a superuser; nothing was changed");
		rc = EXIT_FAILURE_;
	}
	sb_free(&list);
	strv_free(roles, n_roles);
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
migrate_built(const rst_opts *o, PGconn *maint, const char *built, rst_result *r)
{
	const cfg *c = o->cfg;
	mig_file *v;
	size_t n;
	PGconn *conn;
	int rc;

	if (c->migrations_command)
		return rs_run_command(maint, built, c->migrations_command, "migrations", NULL, 0);
	if (!c->migrations_dir) {
		log_warning("--migrate: no \"migrations\" in the configuration; nothing to apply");
		return 0;
	}
	if (mig_scan(c->migrations_dir, &v, &n) < 0)
		return -1;
	if (!(conn = conn_open_like(maint, built, "db-restore"))) {
		mig_free(v, n);
		return -1;
	}
	rc = mig_apply(conn, v, n, &r->migrations);
	if (rc == 0)
		log_info("applied %d pending migration%s", r->migrations, r->migrations == 1 ? "" : "s");
	PQfinish(conn);
	mig_free(v, n);
	return rc;
}

/* The snapshot's locale for a message: "LC_COLLATE en_US.UTF-8, ICU locale sv-SE"; caller frees. */
static char *
locale_text(const snap_meta *m)
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
apply_db_properties(PGconn *maint, const char *built, const snap_meta *m)
{
	char err[512];

	for (size_t i = 0; i < m->n_db_settings; i++) {
		const char *s = m->db_settings[i];

		if (dba_apply_setting(maint, built, s, err, sizeof(err)) < 0)
			log_warning("could not apply the database setting %.*s: %s", (int) strcspn(s, "="), s,
			    err);
	}
	if (m->db_comment && dba_set_comment(maint, built, m->db_comment, err, sizeof(err)) < 0)
		log_warning("could not set the database's comment: %s", err);
}

static void
fill_result(rst_result *r, const archive_in *a)
{
	meta_totals t;

	meta_totals_of(&a->m, &t);
	r->tables = t.tables;
	r->rows = t.rows;
	r->bytes = t.raw_bytes;
	r->large_objects = t.large_objects;
	r->sequences = (int64_t) a->m.n_sequences;
}

/* What a restore's steps share (the rp_task callbacks' context). */
typedef struct restore_ctx {
	archive_in *a;
	const rst_opts *o;
	rst_result *r;
	char key[HASH_HEX_LEN + 1];  /* the template cache's */
	char *tmpl;                  /* the template to clone, when there is one */
	job j;
} restore_ctx;

static int
restore_prepare(void *arg, PGconn *maint, const char *target, bool exists)
{
	restore_ctx *c = arg;
	int rc;

	(void) target;
	(void) exists;
	if (c->o->use_cache && c->o->cache_size > 0 &&
	    tc_lookup(maint, CACHE_KIND, c->key, &c->tmpl) < 0)
		return EXIT_FAILURE_;
	if (c->o->owners && (rc = check_owner_roles(c->a, maint)) != EXIT_OK)
		return rc;
	return EXIT_OK;
}

static void
restore_plan(void *arg, PGconn *maint, const char *target, bool exists)
{
	restore_ctx *c = arg;

	show_plan(c->a, maint, target, exists, c->o, c->tmpl != NULL);
	note_migrations(c->a, c->o->cfg);
}

/* Create the database in the archive's locale, else (with a warning) the server's default. */
static int
create_for_archive(const archive_in *a, PGconn *maint, const char *built)
{
	char err[512];
	dba_locale loc = {a->m.encoding, a->m.lc_collate, a->m.lc_ctype, a->m.locale_provider,
	    a->m.provider_locale, a->m.icu_rules};
	dba_locale enc_only = {.encoding = a->m.encoding};
	char *what;

	if (dba_create(maint, built, NULL, &loc, err, sizeof(err)) == 0)
		return 0;
	what = locale_text(&a->m);
	log_warning("could not create the database with the snapshot's locale (%s): %s", what, err);
	log_detail("using the server's default locale with encoding %s", a->m.encoding);
	free(what);
	return dba_create(maint, built, NULL, &enc_only, NULL, 0);
}

static int
restore_build(void *arg, PGconn *maint, const char *built)
{
	restore_ctx *c = arg;
	const rst_opts *o = c->o;
	int rc;

	if (c->tmpl) {
		log_info("cloning the cached template \"%s\"", c->tmpl);
		if (dba_create(maint, built, c->tmpl, NULL, NULL, 0) < 0)
			return EXIT_FAILURE_;
		(void) tc_touch(maint, CACHE_KIND, c->key);
		c->r->from_cache = true;
	} else {
		log_info("restoring into a new database \"%s\"", built);
		if (create_for_archive(c->a, maint, built) < 0)
			return EXIT_FAILURE_;
		c->j.a = c->a;
		c->j.o = o;
		pthread_mutex_init(&c->j.lock, NULL);
		pthread_cond_init(&c->j.cond, NULL);
		rc = load_archive(&c->j, maint, built);
		close_conns(&c->j);
		if (rc < 0)
			return atomic_load(&c->j.integrity) ? EXIT_INTEGRITY : EXIT_FAILURE_;
		if (o->use_cache && o->cache_size > 0) {
			const char *base = strrchr(c->a->path, '/');

			if (tc_store(maint, built, CACHE_KIND, c->key, base ? base + 1 : c->a->path,
			    o->cache_size) == 0)
				c->r->cached = true;
			else
				log_warning("could not keep a template for the next restore of this archive");
		}
	}
	/* migrations first: the database's own settings (read-only, a short statement_timeout) could stop them */
	if (o->migrate && migrate_built(o, maint, built, c->r) < 0)
		return EXIT_FAILURE_;
	apply_db_properties(maint, built, &c->a->m);
	return EXIT_OK;
}

int
rst_run(const rst_opts *o, rst_result *r)
{
	archive_in a;
	restore_ctx c;
	rp_outcome out;
	rp_task t = {
		.conninfo = o->conninfo, .cfg = o->cfg, .force = o->force, .yes = o->yes,
		.appname = "db-restore", .what = "restore into", .question = "Restore?", .verb = "restore",
		.keep_previous = o->keep_previous, .ctx = &c,
		.prepare = restore_prepare, .plan = restore_plan, .build = restore_build,
	};
	int rc;
	double t0 = monotime();

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	memset(&out, 0, sizeof(out));
	c.a = &a;
	c.o = o;
	c.r = r;
	r->archive = xstrdup(o->archive);
	rc = archive_open(o->archive, &a);
	if (rc == EXIT_OK) {
		fill_result(r, &a);
		rc = check_schema_statements(&a, o->trust_archive);
	}
	if (rc == EXIT_OK) {
		cache_key(&a, o->owners, c.key);
		rc = rp_replace(&t, &out);
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
	free(c.j.table_left);
	close_conns(&c.j);
	free(c.tmpl);
	archive_close(&a);
	r->seconds = monotime() - t0;
	return rc;
}

int
rst_verify(const char *archive, int jobs, enum opt_when progress, bool trust, rst_result *r)
{
	archive_in a;
	job j;
	rst_opts o = {.jobs = jobs, .progress = progress};
	char *text;
	uint64_t total = 0;
	int rc;
	double t0 = monotime();

	memset(r, 0, sizeof(*r));
	memset(&j, 0, sizeof(j));
	r->archive = xstrdup(archive);
	rc = archive_open(archive, &a);
	if (rc != EXIT_OK)
		goto out;
	fill_result(r, &a);
	if ((rc = check_schema_statements(&a, trust)) != EXIT_OK)
		goto out;
	if ((rc = read_schema(&a, &a.m.pre_data, &text)) != EXIT_OK)
		goto out;
	free(text);
	if ((rc = read_schema(&a, &a.m.post_data, &text)) != EXIT_OK)
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
	progress_start(progress, "verify", total, (int64_t) j.n_items);
	rc = run_threads(&j, jobs, data_worker);
	progress_stop();
	if (rc < 0)
		rc = atomic_load(&j.integrity) ? EXIT_INTEGRITY : EXIT_FAILURE_;
	pthread_mutex_destroy(&j.lock);
	pthread_cond_destroy(&j.cond);
	free(j.items);
	free(j.table_left);
out:
	archive_close(&a);
	r->seconds = monotime() - t0;
	return rc;
}

void
rst_result_free(rst_result *r)
{
	free(r->archive);
	free(r->target);
	free(r->previous);
	memset(r, 0, sizeof(*r));
}

char *
rst_result_json(const rst_result *r)
{
	json_object *o = json_object_new_object();
	char *s;

	json_object_object_add(o, "archive", json_object_new_string(r->archive ? r->archive : ""));
	json_object_object_add(o, "target", r->target ? json_object_new_string(r->target) : NULL);
	json_object_object_add(o, "target_existed", json_object_new_boolean(r->target_existed));
	json_object_object_add(o, "previous", r->previous ? json_object_new_string(r->previous) : NULL);
	json_object_object_add(o, "previous_dropped", json_object_new_int(r->previous_dropped));
	json_object_object_add(o, "from_cache", json_object_new_boolean(r->from_cache));
	json_object_object_add(o, "cached", json_object_new_boolean(r->cached));
	json_object_object_add(o, "migrations_applied", json_object_new_int(r->migrations));
	json_object_object_add(o, "tables", json_object_new_int64(r->tables));
	json_object_object_add(o, "rows", json_object_new_int64(r->rows));
	json_object_object_add(o, "sequences", json_object_new_int64(r->sequences));
	json_object_object_add(o, "large_objects", json_object_new_int64(r->large_objects));
	json_object_object_add(o, "bytes", json_object_new_int64(r->bytes));
	json_object_object_add(o, "seconds", json_object_new_double(r->seconds));
	s = xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}
