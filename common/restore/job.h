/*
 * job.h — the state a restore's threads share (internal to restore/):
 * the items to load, the connections, the schema scripts; and the parts
 * that work on it:
 *   loader.c    the data: plan the members, stream each one from the
 *               archive through the codec into COPY (or a large object),
 *               check its SHA-256 and row count; the worker threads
 *   shared.c    one large member loaded over several connections
 *   schedule.c  the schema sections, run as sched.c decides
 *   restore.c   the orchestration (restore.h)
 */
#ifndef DBT_RESTORE_JOB_H
#define DBT_RESTORE_JOB_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "archive/codec.h"
#include "pg/copy.h"
#include "restore/reader.h"
#include "restore/restore.h"
#include "restore/sched.h"
#include "util/hash.h"
#include "util/interrupt.h"

#define READ_BUF (256 * 1024)

typedef struct item {
	copy_target ct;              /* its table (schema, table NULL for a large object) and member */
	int64_t rows, raw_bytes;
	const char *sha256;
	uint32_t lo_oid;
	int64_t stored;
	bool whole;                  /* the table's only member */
	long table_ix;               /* index into the meta's tables; -1 for a large object */
} item;

struct share;

typedef struct job {
	archive_in *a;
	const restore_opts *o;
	bool verify_only;
	bool count_statements;       /* post-data after the load: each statement run is progress */
	PGconn **conns;              /* jobs connections to the new database (NULL when verifying) */
	struct share **shares;       /* per connection: the large member it is sharing, if any */
	int *intr_slots;
	int n_conns;
	item *items;
	size_t n_items;
	size_t next;
	int64_t total_raw;           /* COPY text of all items */
	pthread_mutex_t lock;
	pthread_cond_t cond;         /* an item or a statement finished */
	atomic_bool failed;
	atomic_bool integrity;       /* the failure is the archive's fault */
	atomic_llong rows;
	/* schema statements (see "schema scripts") */
	script *post;         /* post-data, whose index builds may start during the load */
	script **conn_script; /* per connection: the script its settings come from */
	int *conn_epoch;             /* per connection: session statements of it applied */
	int *conn_parallel;          /* per connection: parallel index builds allowed (1), not (0), unknown (-1) */
	sched sch;                   /* what runs now; members loading; tables left to load */
	script *batch_script;
	size_t batch_lo, batch_hi;
	enum stmt_class batch_cls;
} job;

typedef struct worker {
	job *j;
	int id;
	pthread_t thread;
} worker;

/* One member being read: where its bytes go, and what they add up to. */
typedef struct member_in {
	hash_ctx *h;
	bool hash_raw;               /* format 1-2: the SHA-256 is of the decoded bytes */
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

static inline bool
job_stopping(job *j)
{
	return atomic_load(&j->failed) || intr_pending();
}

static inline void
job_fail(job *j, bool integrity)
{
	if (integrity)
		atomic_store(&j->integrity, true);
	atomic_store(&j->failed, true);
}

/* loader.c */
/* The items to load, largest first; the tables' member counts. */
void plan_items(job *j);
/* Read, decode and check one member into mi; *integrity says whether a failure is the archive's. */
int stream_member(job *j, const item *it, member_in *mi, char *buf, bool *integrity);
/* The server loaded rows; the meta says it->rows.  0, or -1 after logging. */
int check_rows(job *j, const item *it, int64_t rows);
/* A thread of the data load (or of --verify, without connections). */
void *data_worker(void *arg);
/* Run fn on n threads (the calling thread is one of them); 0, or -1 when the job failed. */
int run_threads(job *j, int n, void *(*fn)(void *));

/* shared.c */
bool worth_sharing(const job *j, const item *it);
int load_table_shared(job *j, int self, PGconn *conn, const item *it, char *buf);
int share_feed(struct share *sh, const char *data, size_t len);
/* Join a member another worker is loading; NULL when there is none to help with. */
struct share *share_join(job *j, int self);
void share_help(struct share *sh, PGconn *conn);
/* pthread_cond_timedwait for ms milliseconds. */
void timed_wait(pthread_cond_t *cond, pthread_mutex_t *lock, int ms);

/* schedule.c */
int script_load(job *j, const meta_schema *ms, script *sc);
int script_run(job *j, script *sc);
/* During the data load: build one index whose table is complete (1), none now (0), failed (-1). */
int early_work(job *j, int c);
int set_sequences(job *j);

#endif
