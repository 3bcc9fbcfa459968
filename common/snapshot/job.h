/*
 * job.h — the state a snapshot's threads share (internal to snapshot/),
 * and the parts that work on it:
 *   plan.c      the tables' members and the work items, largest first
 *   worker.c    the workers: COPY TO STDOUT -> codec -> SHA-256 + spool -> tar
 *   snapshot.c  the driver (snapshot.h): exported snapshot, catalogs,
 *               schema through pg_dump, meta.json, the files' final names
 */
#ifndef DBT_SNAPSHOT_JOB_H
#define DBT_SNAPSHOT_JOB_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "archive/codec.h"
#include "archive/meta.h"
#include "archive/tarball.h"
#include "pg/pgdump.h"
#include "snapshot/catalog.h"
#include "snapshot/filter.h"
#include "snapshot/snapshot.h"
#include "util/spool.h"

/*
 * Every session of a snapshot: row-level security off, so that a policy
 * makes COPY fail instead of leaving rows out (as pg_dump does).
 */
#define SNAPSHOT_SESSION "SET row_security = off;"
#define SPOOL_MEM (1u << 20)            /* memory part of each spool */

typedef struct work_item {
	long table;              /* index into job.meta.tables; -1: the large objects */
	int part;                /* 0: the whole table; else 1..nparts */
	uint32_t blk_from;       /* chunk: first block */
	uint32_t blk_to;         /* chunk: end block (exclusive); 0 = to the end */
	uint64_t est_bytes;
} work_item;

typedef struct job {
	const snapshot_opts *o;
	const codec_ops *codec;
	PGconn *main;
	char *snapshot_id;
	char *dir;
	time_t mtime;
	catalog_table *tables;      /* those the filters select */
	size_t n_tables;
	size_t n_data_tables;       /* those of them whose data is copied */
	filter flt;                 /* -t -T -n -N --exclude-table-data -b, resolved */
	pgdump_obj *omit;           /* schema entries left out (filter_dependencies) */
	size_t n_omit;
	dbt_status status;          /* DBT_USAGE when the filters were refused */
	meta_doc meta;
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
	hash_ctx *stored_hash;      /* SHA-256 of the member's stored bytes, while one is open */
	char *batch;                /* BATCH_BYTES, reused for every member */
	int rc;
} worker;

/* plan.c */
#define PLAN_CHUNK_BYTES (64ull << 20)  /* the smallest range a table is cut into */
#define PLAN_MAX_CHUNKS 256
/*
 * The size of the ranges large tables are cut into: PLAN_CHUNK_BYTES where
 * CPUs are to spare (spread), else a worker's share of total_bytes.
 */
uint64_t plan_chunk_bytes(uint64_t total_bytes, int jobs, bool spread);
/* How many ranges a heap of heap_bytes becomes (1: whole; chunk_bytes 0: never cut). */
int plan_table_parts(uint64_t heap_bytes, uint64_t chunk_bytes);
/*
 * Fill meta.tables from the catalog and cut the work into items, largest
 * first (none for a table whose data is excluded); their total size.
 */
uint64_t plan(job *j, const catalog_db *db);
/* Largest first (again, after an item was added). */
void sort_items(job *j);

/* worker.c */
/* Stop everything: the flag, and a cancel of every worker's COPY. */
void job_fail(job *j);
bool job_stopping(job *j);
/* Pre-data is in the tar: data members may follow. */
void open_gate(job *j);
/* A worker thread (arg: its worker). */
void *worker_main(void *arg);

#endif
