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

#include "pg/guard.h"
#include "project/migrate.h"
#include "project/seed.h"
#include "util/progress.h"
#include "util/status.h"

/* What a reset is about to do, for the front end to show before it asks. */
typedef struct reset_plan {
	const char *target;
	const char *host, *port, *user;
	bool target_exists;
	const char *migrations_dir, *migrations_command;
	size_t n_migrations;         /* files in migrations_dir */
	bool no_seed;
	const char *seeds_dir, *seeds_command;
	size_t n_seeds;              /* files in seeds_dir */
	const seed_vars *counts;
	long long rng_seed;
	bool from_cache;             /* --fast, and the inputs' result is cached */
	bool from_spare;             /* and its ready spare is taken (a rename) */
	const char *fast_miss;       /* --fast, and it is not: why, a line each */
	int sessions;                /* other sessions on the target, ended at the swap; -1: unknown */
	bool in_place;               /* reset_migrate: the pending migrations, on the target as it is */
	char *const *pending;        /* their files (built-in runner) */
	size_t n_pending;
} reset_plan;

typedef struct reset_opts {
	const char *conninfo;
	guard_policy guard;          /* the production guard, --force */
	const char *migrations_dir;  /* the project's inputs; NULL: none */
	const char *migrations_command;
	const char *seeds_dir;
	const char *seeds_command;
	seed_vars counts;            /* after precedence: -c > SEED_<NAME>_COUNT > config */
	seed_vars sets;              /* --set */
	long long rng_seed;
	bool no_seed;
	bool fast;                   /* clone the cached result when the inputs match */
	const char *project;         /* the configuration file (absolute), NULL when none: tells
	                              * this project's cached resets from others' */
	bool use_cache;              /* keep a template of the result */
	int cache_size;
	int64_t spare_budget;        /* bytes the ready spares may take (0: none made) */
	const char *spare_log;       /* where a spare's builder writes its line */
	int keep_previous;
	enum opt_when progress;
	/* show the plan and ask: DBT_OK to go on; NULL: go on without showing it */
	dbt_status (*confirm)(void *arg, const reset_plan *plan);
	void *confirm_arg;
} reset_opts;

typedef struct reset_result {
	char *target;
	char *previous;
	bool target_existed, from_cache, from_spare, cached;
	int migrations;              /* applied by the built-in runner */
	char *rows_json;             /* rows per table after seeding */
	double t_create, t_migrate, t_seed, t_cache, t_swap, seconds;
} reset_result;

/* --status: the database's migrations and its last seed run. */
typedef struct reset_state {
	char *database;
	bool have_migrations;        /* migrations_dir was given and read */
	migrate_state migrations;
	int seed_table;              /* the seed record: 1 there, 0 none, -1 could not tell */
	char *seeded_at, *counts, *rng_seed, *rows, *status;  /* the last seed run, when there is one */
} reset_state;

/* Logs what went wrong. */
dbt_status reset_run(const reset_opts *o, reset_result *r);
/*
 * Apply the pending migrations to the target as it is, without a reset
 * (the production guard, the plan and its confirmation as for reset_run;
 * the same refusals as migrate_apply before anything is asked).  Each
 * file runs in its own transaction: a failing one leaves those before it
 * applied.
 */
dbt_status reset_migrate(const reset_opts *o, reset_result *r);
/* --status of the database conninfo names, against the files of migrations_dir (may be NULL). */
dbt_status reset_status(const char *conninfo, const char *migrations_dir, reset_state *st);
void reset_state_free(reset_state *st);
void reset_result_free(reset_result *r);

#endif
