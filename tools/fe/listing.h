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

#include "archive/snapdir.h"
#include "project/migrate.h"
#include "replace/spare.h"
#include "replace/tcache.h"
#include "reset/reset.h"

/* Scan dir and print its snapshots to f; 0, or -1 after logging. */
int fe_list_snapshots(FILE *f, const char *dir, bool json);
/* One snapshot on stderr, before a question about it: name, time, source, contents, files. */
void fe_print_snapshot(const snapdir_entry *e, time_t now);
/* s as one shell word: as it is when that is safe, else in single quotes.  Caller frees. */
char *fe_shell_word(const char *s);
/*
 * A snapshot's filters as the options that made them, one line of plain
 * text: "-T audit_log, --exclude-table-data events".  Caller frees.
 */
char *fe_filters_text(const meta_filters *mf);
/* The cached templates v[0..n), their ages as of now. */
void fe_print_templates(FILE *f, const tcache_entry *v, size_t n, const spare_entry *s, size_t ns, bool json,
    time_t now);
/* "spares' log PATH; last: LINE", when the spares' builders have written to it. */
void fe_print_spare_log(FILE *f, const char *path);
/*
 * An archive's contents (db-restore --contents): where it came from, its
 * tables with rows and sizes, sequences and large objects; with json, its
 * meta.json (db-tools(5)).  0, or -1 when f could not be written.
 */
int fe_print_contents(FILE *f, const char *path, int64_t archive_bytes, const meta_doc *m, bool json,
    time_t now);
/* db-restore --contents of an instant snapshot: its marker, described (or as JSON); a status. */
dbt_status fe_print_instant(FILE *f, const char *path, bool json);
/* "migrations: 3 applied, 1 pending, head 0003" and what changed or is missing. */
void fe_print_migrations(FILE *f, const migrate_state *st);
/* db-reset --status; 0, or -1 when f could not be written. */
int fe_print_reset_status(FILE *f, const reset_state *st, const char *migrations_command);

#endif
