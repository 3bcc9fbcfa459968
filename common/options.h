/*
 * options.h — option-parsing helpers shared by the tools (PostgreSQL's
 * option_parse_int): bounds-checked integers, non-empty strings, and the
 * error for an option used without the one it belongs to.
 */
#ifndef DBT_OPTIONS_H
#define DBT_OPTIONS_H

/* The value of --progress, --split and the like. */
enum opt_when { WHEN_AUTO, WHEN_ALWAYS, WHEN_NEVER };

/* Parse "auto", "always" or "never"; logs naming the option and returns -1 otherwise. */
int opt_parse_when(const char *value, const char *option, enum opt_when *out);
/* Parse a whole decimal integer within [lo, hi]; logs naming the option and returns -1 otherwise. */
int opt_parse_int(const char *value, const char *option, int lo, int hi, int *out);
int opt_nonempty(const char *value, const char *option);
/* Logs "OPTION can only be used with OTHER" and returns the usage exit status. */
int opt_conflict(const char *option, const char *other);

#endif
