/*
 * seed.h — the built-in seed runner.
 *
 * Seed files (*.sql in a directory) run in name order.  psql-style
 * variables are replaced first: :name by the value, :'name' by it as a
 * string literal, :"name" as a quoted identifier; never inside string
 * literals, quoted identifiers, comments or dollar-quoted bodies, and '::'
 * casts are left alone, so the same files run under psql -v name=value.
 * Before each file setseed() is called with a value derived from the RNG
 * seed and the file's name, and the session runs without parallel workers,
 * so the same files, counts and seed give the same data.  Every run is
 * recorded in public.seed_metadata.
 */
#ifndef DBT_SEED_H
#define DBT_SEED_H

#include <libpq-fe.h>
#include <stddef.h>

#include "pg/sqlrun.h"
#include "util/hash.h"
#include "util/strbuf.h"

#define SEED_TABLE "seed_metadata"

typedef struct seed_var {
	char *name;
	char *value;
} seed_var;

typedef struct seed_vars {
	seed_var *v;
	size_t n;
} seed_vars;

/* Set (or replace) a variable. */
void sv_set(seed_vars *vs, const char *name, const char *value);
const char *sv_get(const seed_vars *vs, const char *name);
void sv_free(seed_vars *vs);

/*
 * Append text with its variables replaced to out.  Returns 0, or -1 with
 * err saying "line N: unknown variable :name".
 */
int seed_substitute(const char *text, size_t len, const seed_vars *vs, strbuf *out, char *err,
    size_t errsize);

/* Add the name of every variable text refers to to names (values ""), once each. */
void seed_text_variables(const char *text, size_t len, seed_vars *names);
/* The same for every file of v; -1 after logging when a file cannot be read. */
int seed_files_variables(const sql_file *v, size_t n, seed_vars *names);

/* The seed files: sqlrun_scan_dir(dir, "seeds", ...) (sqlrun.h). */

/* The value setseed() gets before file name, in [-1, 1). */
double seed_setseed_value(long long rng_seed, const char *name);

/* Run the files on conn.  Returns 0, or -1 after logging (file and line). */
int seed_run(PGconn *conn, const sql_file *v, size_t n, const seed_vars *vs, long long rng_seed);

/*
 * Record a run in public.seed_metadata: seed version, counts (a JSON
 * object), rng_seed, rows per table, duration.  rows_json gets the rows per
 * table (caller frees) when not NULL.
 */
int seed_record(PGconn *conn, const char *seed_version, const char *counts_json, long long rng_seed,
    double duration_ms, char **rows_json);

#endif
