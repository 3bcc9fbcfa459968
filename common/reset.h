/*
 * reset.h — rebuilding a development database: create it beside the
 * target, migrate (built-in runner or a command), seed (built-in runner or
 * a command), keep the result as a template keyed by the inputs, swap it
 * in; --fast clones that template when the inputs are unchanged.
 * Manual: db-reset(1).
 */
#ifndef DBT_RESET_H
#define DBT_RESET_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "options.h"
#include "seed.h"

typedef struct rs_opts {
	const char *conninfo;
	const cfg *cfg;
	seed_vars counts;            /* after precedence: -c > SEED_<NAME>_COUNT > config */
	seed_vars sets;              /* --set */
	long long rng_seed;
	bool no_seed;
	bool yes, force;
	bool fast;                   /* clone the cached result when the inputs match */
	bool use_cache;              /* keep a template of the result */
	int cache_size;
	int keep_previous;
	enum opt_when progress;
} rs_opts;

typedef struct rs_result {
	char *target;
	char *previous;
	bool target_existed, from_cache, cached;
	int migrations;              /* applied by the built-in runner */
	char *rows_json;             /* rows per table after seeding */
	double t_create, t_migrate, t_seed, t_cache, t_swap, seconds;
} rs_result;

/*
 * Run a migrate or seed command with sh -c, DATABASE_URL and PG* pointing
 * at database db on maint's server (the password through PGPASSWORD only),
 * plus extra "NAME=value" environment; its output goes to stderr.  what
 * names it in messages.  Returns 0, or -1 after logging its exit status.
 */
int rs_run_command(PGconn *maint, const char *db, const char *command, const char *what,
    char **extra, size_t n_extra);
/* Returns an exit status (exitcode.h); logs what went wrong. */
int rs_run(const rs_opts *o, rs_result *r);
/* --status: migrations applied, pending, changed; the last seed run.  Returns an exit status. */
int rs_status(const char *conninfo, const cfg *c);
void rs_result_free(rs_result *r);
char *rs_result_json(const rs_result *r);

#endif
