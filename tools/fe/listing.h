/*
 * listing.h — what the tools list on stdout, as a table for people or as
 * JSON: the snapshots of a directory, the cached templates, a database's
 * migrations and last seed run.
 */
#ifndef DBT_FE_LISTING_H
#define DBT_FE_LISTING_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "project/migrate.h"
#include "replace/tcache.h"
#include "reset/reset.h"

/* Scan dir and print its snapshots to f; 0, or -1 after logging. */
int fe_list_snapshots(FILE *f, const char *dir, bool json);
/* The cached templates v[0..n), their ages as of now. */
void fe_print_templates(FILE *f, const tcache_entry *v, size_t n, bool json, time_t now);
/* "migrations: 3 applied, 1 pending, head 0003" and what changed or is missing. */
void fe_print_migrations(FILE *f, const migrate_state *st);
/* db-reset --status; 0, or -1 when f could not be written. */
int fe_print_reset_status(FILE *f, const reset_state *st, const char *migrations_command);

#endif
