/*
 * settings.h — every setting's precedence and default, in one place:
 *   command line > environment > db-tools.json > built-in default.
 * The tools resolve their settings here and hand the library explicit
 * values; nothing below tools/ reads the configuration or the environment
 * for a setting.  The defaults are documented in db-tools(5).
 */
#ifndef DBT_FE_SETTINGS_H
#define DBT_FE_SETTINGS_H

#include <stdbool.h>

#include "archive/codec.h"
#include "fe/config.h"
#include "fe/options.h"
#include "pg/guard.h"
#include "project/seed.h"

#define FE_DEFAULT_DIR "backups"
#define FE_DEFAULT_JOBS 2
#define FE_DEFAULT_COMPRESSION "gzip:1"
#define FE_DEFAULT_CACHE_SIZE 3
#define FE_DEFAULT_KEEP_PREVIOUS 1
#define FE_DEFAULT_SPARE_BUDGET (4LL << 30)

typedef struct fe_settings {
	const char *conninfo;        /* -d > $DATABASE_URL > "database" > libpq's defaults (NULL) */
	const char *dir;             /* -o > "backups_dir" > ./backups */
	int jobs;                    /* -j > "jobs" > 2 */
	const codec_ops *codec;      /* -Z > "compression" > gzip */
	int level;                   /* its level: as given, else the codec's default (gzip: 1) */
	int cache_size;              /* "cache_size" > 3 */
	guard_policy guard;          /* $ENV & co., "allowed_hosts", --force */
	const char *pg_dump;         /* $DB_TOOLS_PG_DUMP: the pg_dump to use; NULL: find one */
	char *env_reason;            /* guard.env_reason's storage */
} fe_settings;

/*
 * Resolve the common settings from the command line (oc; compression is
 * -Z, NULL when not given), the environment and the configuration c (which
 * must outlive out).  0, or -1 after logging a bad -Z (a usage error).
 */
int fe_settings_resolve(const opt_common *oc, const char *compression, bool force, const cfg *c,
    fe_settings *out);
void fe_settings_free(fe_settings *s);

/* "NODE_ENV is set to \"production\"" when ENV, APP_ENV, RAILS_ENV or NODE_ENV says so; caller frees. */
char *fe_production_env(void);

/*
 * Seed counts: -c (cli) > SEED_<NAME>_COUNT > the configuration's
 * "counts".  The environment is looked up for every name the
 * configuration knows.  0, or -1 after logging a bad value.
 */
int fe_seed_counts(const seed_vars *cli, const cfg *c, seed_vars *out);
/*
 * Every -c name (cli) must be a variable the seed files in seeds_dir use:
 * 0, or -1 after logging the unknown name with the closest one used (a
 * usage error; --set takes free-form variables).  Nothing is checked
 * without a seeds directory (a seed command gets the counts as
 * SEED_<NAME>_COUNT and may use any).
 */
int fe_check_counts(const seed_vars *cli, const char *seeds_dir);
/*
 * The ready spares: their budget, --spare-budget (flag, NULL when not
 * given) > $DB_TOOLS_SPARE_BUDGET > "spare_budget" > 4 GiB, and the file
 * their builders write to: $XDG_STATE_HOME/db-tools/spares.log, else
 * ~/.local/state/db-tools/spares.log (its directory made, 0700; *log NULL
 * when there is no home).  0, or -1 after logging a bad size.
 */
int fe_spare_settings(const char *flag, const cfg *c, long long *budget, char **log);
/* The RNG seed: --rng-seed (cli, -1 when absent) > $SEED_RNG_SEED > "rng_seed" > 0.  0 or -1. */
int fe_rng_seed(long long cli, const cfg *c, long long *out);

#endif
