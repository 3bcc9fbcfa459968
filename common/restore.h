/*
 * restore.h — restoring a snapshot archive: check it, show it, confirm,
 * build the database beside the target, verify, swap; template cache for
 * repeat restores.  Design notes: ../shared/DESIGN.md ("Restore: never
 * destroy before it works"); manual: db-restore(1).
 */
#ifndef DBT_RESTORE_H
#define DBT_RESTORE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "options.h"

typedef struct rst_opts {
	const char *conninfo;        /* target; NULL: libpq defaults */
	const char *archive;         /* path of the .tar */
	int jobs;
	bool yes;                    /* do not ask */
	bool force;                  /* past the production guard */
	bool owners;                 /* keep OWNER TO / GRANT / REVOKE */
	bool use_cache;              /* clone a cached template when there is one, keep one after */
	int cache_size;              /* templates kept per server */
	int keep_previous;           /* __pre_ copies kept */
	bool migrate;                /* apply pending migrations before the swap */
	bool trust_archive;          /* run schema statements pg_dump does not write too */
	enum opt_when progress;
	const cfg *cfg;
} rst_opts;

typedef struct rst_result {
	char *archive;
	char *target;
	char *previous;              /* the replaced database's new name; NULL when none is kept */
	bool target_existed;
	bool from_cache;
	bool cached;                 /* a template was kept for next time */
	int64_t tables, rows, sequences, large_objects, bytes;
	int previous_dropped;
	int migrations;              /* applied by --migrate */
	double seconds;
} rst_result;

/* Returns an exit status (exitcode.h); logs what went wrong. */
int rst_run(const rst_opts *o, rst_result *r);
/*
 * Check every member completely (and, unless trust, that the schema holds
 * only statements pg_dump writes); restores nothing.  Returns an exit status.
 */
int rst_verify(const char *archive, int jobs, enum opt_when progress, bool trust, rst_result *r);
void rst_result_free(rst_result *r);
/* The result as a JSON document (caller frees). */
char *rst_result_json(const rst_result *r);

#endif
