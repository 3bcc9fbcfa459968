/*
 * cache.c — db-restore's and db-reset's --cache=list|clear; see cache.h.
 */
#include "fe/cache.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fe/listing.h"
#include "pg/dbadmin.h"
#include "replace/spare.h"
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
    const char *appname, const char *spare_log)
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
		spare_entry *s;
		size_t ns;

		if (tcache_list(maint, kind, true, &v, &n) == 0 && spare_list(maint, true, &s, &ns) == 0) {
			fe_print_templates(stdout, v, n, s, ns, json, time(NULL));
			if (!json && spare_log)
				fe_print_spare_log(stdout, spare_log);
			tcache_free(v, n);
			spare_free(s, ns);
			rc = fflush(stdout) == 0 ? DBT_OK : DBT_FAILED;
		}
	} else {
		/* builders first (one copying a template would hold up its DROP); then the spares left stale */
		int dropped = spare_stop_builders(maint) < 0 ? -1 : tcache_evict(maint, kind, 0);
		int spares = dropped < 0 ? -1 : spare_drop(maint, false);

		if (dropped >= 0 && spares >= 0) {
			log_info("dropped %d cached template%s and %d spare%s", dropped, dropped == 1 ? "" : "s", spares,
			    spares == 1 ? "" : "s");
			rc = DBT_OK;
		}
	}
	PQfinish(maint);
	return rc;
}
