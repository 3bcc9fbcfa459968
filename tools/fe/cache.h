/*
 * cache.h — the --cache option of db-restore and db-reset: list or clear
 * the current role's cached templates of one kind on the target's server.
 */
#ifndef DBT_FE_CACHE_H
#define DBT_FE_CACHE_H

#include <stdbool.h>

#include "util/status.h"

/* What --cache asks for. */
enum fe_cache_action { FE_CACHE_NONE, FE_CACHE_LIST, FE_CACHE_CLEAR };

/* Parse "list" or "clear"; logs naming --cache and returns -1 otherwise. */
int fe_parse_cache_action(const char *value, enum fe_cache_action *out);
/*
 * --cache=list (print kind's templates on the server conninfo reaches, with
 * their spares, as a table or JSON on stdout, and the last line of the
 * spares' log spare_log) or --cache=clear (drop them and their spares).
 */
dbt_status fe_cache_command(const char *conninfo, const char *kind, enum fe_cache_action action,
    bool json, const char *appname, const char *spare_log);

#endif
