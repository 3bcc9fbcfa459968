/*
 * restore.h — restoring a snapshot archive: check it, show it, confirm,
 * build the database beside the target, verify, swap; template cache for
 * repeat restores.  Design notes: ../shared/DESIGN.md ("Restore: never
 * destroy before it works"); manual: db-restore(1).
 *
 * The parts: reader.c (the archive and its checks), loader.c and shared.c
 * (the data), sched.c and schedule.c (the schema), restore.c (this API);
 * job.h ties them together.
 */
#ifndef DBT_RESTORE_H
#define DBT_RESTORE_H

#include <stdbool.h>
#include <stdint.h>

#include "archive/instant.h"
#include "archive/meta.h"
#include "pg/guard.h"
#include "util/progress.h"
#include "util/status.h"

/* What a restore is about to do, for the front end to show before it asks. */
typedef struct restore_plan {
	const char *archive;         /* its path */
	int64_t archive_bytes;
	const meta_doc *meta;        /* what the archive says: untrusted text (str_visible) */
	const char *target;
	const char *host, *port, *user;  /* the target server and the restoring role */
	int server_major;            /* the target server's */
	bool target_exists;
	int keep_previous;
	bool from_cache;             /* a clone of the cached template */
	bool from_spare;             /* its ready spare, renamed */
	bool foreign;                /* from another database or server: its schema runs as user */
	bool trust_archive;
	char *project_head;          /* the project's newest migration; NULL when none or unknown */
	int sessions;                /* other sessions on the target, ended at the swap; -1: unknown */
	bool migrate;                /* --migrate: pending migrations are applied before the swap */
	const instant_marker *instant;  /* an instant snapshot's marker (archive is its path); NULL: an archive */
} restore_plan;

typedef struct restore_opts {
	const char *conninfo;        /* target; NULL: libpq defaults */
	const char *archive;         /* path of the .tar, or of an instant snapshot's marker */
	int jobs;
	guard_policy guard;          /* the production guard, --force */
	bool owners;                 /* keep OWNER TO / GRANT / REVOKE */
	bool use_cache;              /* clone a cached template when there is one, keep one after */
	int cache_size;              /* templates kept per server */
	int64_t spare_budget;        /* bytes the ready spares may take (0: none made) */
	const char *spare_log;       /* where a spare's builder writes its line */
	int keep_previous;           /* __pre_ copies kept */
	bool migrate;                /* apply pending migrations before the swap */
	const char *migrations_dir;  /* the project's, for --migrate and the plan; NULL: none */
	const char *migrations_command;
	bool trust_archive;          /* run schema statements pg_dump does not write too */
	enum opt_when progress;
	/*
	 * Show the plan and ask: DBT_OK to go on, DBT_REFUSED (having said why)
	 * not to.  NULL: go on without showing it.
	 */
	dbt_status (*confirm)(void *arg, const restore_plan *plan);
	void *confirm_arg;
} restore_opts;

typedef struct restore_result {
	char *archive;
	char *target;
	char *previous;              /* the replaced database's new name; NULL when none is kept */
	bool target_existed;
	bool from_cache;
	bool from_spare;             /* the cached template's ready spare was taken (a rename) */
	bool instant;                /* an instant snapshot (no counts; bytes: its size on the server) */
	bool cached;                 /* a template was kept for next time */
	int64_t tables, rows, sequences, large_objects, bytes;
	int previous_dropped;
	int migrations;              /* applied by --migrate */
	double seconds;
} restore_result;

/* Logs what went wrong. */
dbt_status restore_run(const restore_opts *o, restore_result *r);
/*
 * Check every member completely (and, unless trust, that the schema holds
 * only statements pg_dump writes); restores nothing.
 */
dbt_status restore_verify(const char *archive, int jobs, enum opt_when progress, bool trust,
    restore_result *r);
void restore_result_free(restore_result *r);
/*
 * What an archive holds, without restoring or reading its data: its
 * structure and meta.json are checked as a restore checks them (exit
 * statuses alike), then *m gets the description (meta_free it) and
 * *archive_bytes the file's size.
 */
dbt_status restore_describe(const char *archive, meta_doc *m, int64_t *archive_bytes);

#endif
