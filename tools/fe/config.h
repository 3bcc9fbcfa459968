/*
 * config.h — db-tools.json and setting precedence.
 *
 * The file is found by --config FILE, else $DB_TOOLS_CONFIG, else by walking
 * up from the working directory.  Precedence for every setting:
 * command line > environment > file > built-in default (cfg_pick_*).
 * The format is documented in man/db-tools.5.
 */
#ifndef DBT_CONFIG_H
#define DBT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CFG_FILE_NAME "db-tools.json"

struct json_object;

typedef struct cfg {
	char *path;                 /* file that was loaded, NULL when none */
	char *dir;                  /* its directory: relative paths in the file start here */
	char *database;             /* "database" */
	char *backups_dir;          /* "backups_dir", made relative to dir */
	int jobs;                   /* "jobs", -1 when absent */
	char *compression;          /* "compression": a -Z spec ("zstd:3"; a level n as "n"), NULL when absent */
	int retention_keep;         /* "retention": {"keep"}, -1 when absent */
	long long retention_age;    /* "retention": {"older_than"} in seconds, -1 when absent */
	int cache_size;             /* "cache_size", -1 when absent */
	long long spare_budget;     /* "spare_budget" in bytes, -1 when absent */
	char *migrations_dir;       /* "migrations": {"dir"}, made relative to dir */
	char *migrations_command;   /* "migrations": {"command"} */
	char *seeds_dir;            /* "seeds": {"dir"}, made relative to dir */
	char *seeds_command;        /* "seeds": {"command"} */
	char **count_names;         /* "seeds": {"counts": {name: n}} */
	long long *count_values;
	size_t n_counts;
	long long rng_seed;         /* "seeds": {"rng_seed"}, -1 when absent */
	char **allowed_hosts;       /* "allowed_hosts" */
	size_t n_allowed_hosts;
	struct json_object *root;   /* the whole document, for keys read by one tool only */
} cfg;

/*
 * Find and load the configuration.  explicit_path is --config (may be NULL).
 * Returns 0 (with cfg->path NULL when there is no file), or -1 after logging
 * what is wrong with the file: the tools treat that as a usage error.
 */
int cfg_load(const char *explicit_path, cfg *c);
/* Parse a document already in memory; path/dir name it in messages and resolve paths. */
int cfg_parse(const char *text, const char *path, const char *dir, cfg *c);
void cfg_free(cfg *c);

/* The first of cli, $env_name, file_value, fallback that is set and non-empty. */
const char *cfg_pick_str(const char *cli, const char *env_name, const char *file_value,
    const char *fallback);
/* The first of cli, file_value, fallback that is >= 0. */
int cfg_pick_int(int cli, int file_value, int fallback);

/* Search upwards from start_dir for db-tools.json; caller frees; NULL when none. */
char *cfg_find_upwards(const char *start_dir);

#endif
