/*
 * migrate.h — the built-in migration runner.
 *
 * A migrations directory holds files named <version>_<name>.sql, applied
 * in numeric version order, each in its own transaction unless it holds
 * the line "-- db-tools:no-transaction" (for CREATE INDEX CONCURRENTLY and
 * the like).  Applied ones are recorded in public.db_tools_migrations:
 * version, name, checksum (SHA-256 of the file), applied_at, duration.
 * A file changed since it was applied, or a gap (a pending version older
 * than the newest applied one), is reported by migrate_status().
 */
#ifndef DBT_MIGRATE_H
#define DBT_MIGRATE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/hash.h"

#define MIG_TABLE "db_tools_migrations"
#define MIG_NO_TXN_MARKER "-- db-tools:no-transaction"

typedef struct migrate_file {
	char *version;               /* digits, leading zeros kept */
	char *name;                  /* the file name */
	char *path;
	char sha256[HASH_HEX_LEN + 1];
} migrate_file;

/* The migration files of dir in version order.  Returns 0, or -1 after logging. */
int migrate_scan(const char *dir, migrate_file **out, size_t *n);
void migrate_free(migrate_file *v, size_t n);
/* Compare two versions numerically. */
int migrate_version_cmp(const char *a, const char *b);

typedef struct migrate_state {
	size_t applied, pending;
	char **pending_names;        /* the pending files, in order */
	size_t n_pending_names;
	char **changed;              /* applied files whose checksum differs */
	size_t n_changed;
	char **gaps;                 /* pending files older than the newest applied */
	size_t n_gaps;
	char **missing;              /* applied versions with no file any more */
	size_t n_missing;
	char *head;                  /* newest applied version, NULL when none */
} migrate_state;

/* Compare the database's record with the files.  Returns 0, or -1 after logging. */
int migrate_status(PGconn *conn, const migrate_file *v, size_t n, migrate_state *st);
void migrate_state_free(migrate_state *st);

/*
 * -1 after logging why when st stands in the way of applying migrations:
 * a file changed since it was applied, a gap, an applied file gone; else 0.
 */
int migrate_refuse(const migrate_state *st);
/*
 * Apply the pending migrations (creating the tracking table if needed).
 * Refuses (-1 after logging) when a file changed, there is a gap, or an
 * applied migration's file is gone.
 * *applied counts what was applied.
 */
int migrate_apply(PGconn *conn, const migrate_file *v, size_t n, int *applied);

/* The newest migration in dir (its version, compared as numbers, like the runner); NULL when none. */
char *migrate_newest(const char *dir);

#endif
