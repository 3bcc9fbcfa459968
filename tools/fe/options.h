/*
 * options.h — option-parsing helpers shared by the tools (PostgreSQL's
 * option_parse_int): bounds-checked integers, non-empty strings, and the
 * error for an option used without the one it belongs to.
 */
#ifndef DBT_OPTIONS_H
#define DBT_OPTIONS_H

#include <stdbool.h>

#include "util/progress.h"
#include "util/status.h"

/* What parsing returns besides a status when --help or --version is done: exit 0. */
#define FE_STOP (-1)

/* Parse "auto", "always" or "never"; logs naming the option and returns -1 otherwise. */
int opt_parse_when(const char *value, const char *option, enum opt_when *out);
/* Parse a whole decimal integer within [lo, hi]; logs naming the option and returns -1 otherwise. */
int opt_parse_int(const char *value, const char *option, int lo, int hi, int *out);
int opt_nonempty(const char *value, const char *option);
/* Logs "OPTION can only be used with OTHER" and returns the usage exit status. */
int opt_conflict(const char *option, const char *other);

/*
 * The options every tool takes: -d/--dbname, -o/--dir, -j/--jobs,
 * --config, --progress, -q/--quiet, -v/--verbose.  A tool puts
 * OPT_COMMON_LONGOPTS in its getopt_long table and OPT_COMMON_SHORTOPTS in
 * its short option string, and hands every option to opt_common_parse() first.
 */
enum { OPT_COMMON_CONFIG = 200, OPT_COMMON_PROGRESS };

#define OPT_COMMON_SHORTOPTS "d:o:j:qv"
#define OPT_COMMON_LONGOPTS \
	{"dbname", required_argument, NULL, 'd'}, \
	{"dir", required_argument, NULL, 'o'}, \
	{"jobs", required_argument, NULL, 'j'}, \
	{"config", required_argument, NULL, OPT_COMMON_CONFIG}, \
	{"progress", required_argument, NULL, OPT_COMMON_PROGRESS}, \
	{"quiet", no_argument, NULL, 'q'}, \
	{"verbose", no_argument, NULL, 'v'}

typedef struct opt_common {
	const char *dbname;          /* -d; NULL when not given */
	const char *dir;             /* -o */
	const char *config;          /* --config */
	int jobs;                    /* -j; -1 when not given */
	enum opt_when progress;      /* --progress */
	int verbose;                 /* -v, counted */
	bool quiet;                  /* -q */
} opt_common;

void opt_common_init(opt_common *o);
/* 1: c was a common option and is stored; 0: not a common option; -1: bad value (logged). */
int opt_common_parse(int c, const char *arg, opt_common *o);
/* The log level -q and -v ask for. */
int opt_common_log_level(const opt_common *o);

#endif
