/*
 * cache.c — db-restore's and db-reset's --cache=list|clear; see cache.h.
 */
#include "fe/cache.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fe/listing.h"
#include "pg/dbadmin.h"
#include "replace/tcache.h"
#include "util/log.h"

int
fe_parse_cache_action(const char *value, enum fe_cache_action *out)
{
	if (strcmp(value, "list") == 0)
		*out = FE_CACHE_LIST;
	else if (strcmp(value, "clear") == 0)
		*out = FE_CACHE_CLEAR;
	else {
		log_error("invalid value \"%s\" for option --cache", value);
		log_hint("use \"list\" or \"clear\"");
		return -1;
	}
	return 0;
}

dbt_status
fe_cache_command(const char *conninfo, const char *kind, enum fe_cache_action action, bool json,
    const char *appname)
{
	char *target = dbadmin_target_name(conninfo);
	PGconn *maint;
	tcache_entry *v;
	size_t n;
	dbt_status rc = DBT_FAILED;

	if (!target)
		return DBT_FAILED;
	maint = dbadmin_connect_maintenance(conninfo, target, appname);
	free(target);
	if (!maint)
		return DBT_FAILED;
	if (action == FE_CACHE_LIST) {
		if (tcache_list(maint, kind, true, &v, &n) == 0) {
			fe_print_templates(stdout, v, n, json, time(NULL));
			tcache_free(v, n);
			rc = fflush(stdout) == 0 ? DBT_OK : DBT_FAILED;
		}
	} else {
		int dropped = tcache_evict(maint, kind, 0);

		if (dropped >= 0) {
			log_info("dropped %d cached template%s", dropped, dropped == 1 ? "" : "s");
			rc = DBT_OK;
		}
	}
	PQfinish(maint);
	return rc;
}
