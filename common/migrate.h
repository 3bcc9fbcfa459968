/*
 * migrate.h — the built-in migration runner.
 *
 * A migrations directory holds files named <version>_<name>.sql, applied
 * in numeric version order, each in its own transaction unless it holds
 * the line "-- db-tools:no-transaction" (for CREATE INDEX CONCURRENTLY and
 * the like).  Applied ones are recorded in public.db_tools_migrations:
 * version, name, checksum (SHA-256 of the file), applied_at, duration.
 * A file changed since it was applied, or a gap (a pending version older
 * than the newest applied one), is reported by mig_status().
 */
#ifndef DBT_MIGRATE_H
#define DBT_MIGRATE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hash.h"

#define MIG_TABLE "db_tools_migrations"
#define MIG_NO_TXN_MARKER "-- db-tools:no-transaction"

typedef struct mig_file {
	char *version;               /* digits, leading zeros kept */
	char *name;                  /* the file name */
	char *path;
	char sha256[HASH_HEX_LEN + 1];
} mig_file;

/* The migration files of dir in version order.  Returns 0, or -1 after logging. */
int mig_scan(const char *dir, mig_file **out, size_t *n);
void mig_free(mig_file *v, size_t n);
/* Compare two versions numerically. */
int mig_version_cmp(const char *a, const char *b);

typedef struct mig_state {
	size_t applied, pending;
	char **changed;              /* applied files whose checksum differs */
	size_t n_changed;
	char **gaps;                 /* pending files older than the newest applied */
	size_t n_gaps;
	char **missing;              /* applied versions with no file any more */
	size_t n_missing;
	char *head;                  /* newest applied version, NULL when none */
} mig_state;

/* Compare the database's record with the files.  Returns 0, or -1 after logging. */
int mig_status(PGconn *conn, const mig_file *v, size_t n, mig_state *st);
void mig_state_free(mig_state *st);
void mig_print_status(FILE *f, const mig_file *v, size_t n, const mig_state *st);

/*
 * Apply the pending migrations (creating the tracking table if needed).
 * Refuses (-1 after logging) when a file changed or there is a gap.
 * *applied counts what was applied.
 */
int mig_apply(PGconn *conn, const mig_file *v, size_t n, int *applied);

#endif
