/*
 * cache.c — db-restore's and db-reset's --cache=list|clear; see cache.h.
 */
#include "fe/cache.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archive/instant.h"
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

/*
 * The templates --cache=list shows: those of kind, and for db-restore the
 * instant snapshots' too (it restores them), most recently used first.
 */
static int
list_templates(PGconn *maint, const char *kind, tcache_entry **v, size_t *n)
{
	size_t k = 0;

	if (strcmp(kind, "restore") != 0)
		return tcache_list(maint, kind, true, v, n);
	if (tcache_list(maint, NULL, true, v, n) < 0)
		return -1;
	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*v)[i].kind, kind) == 0 || strcmp((*v)[i].kind, INSTANT_KIND) == 0) {
			(*v)[k++] = (*v)[i];
		} else {
			free((*v)[i].db);
			free((*v)[i].label);
		}
	}
	*n = k;
	return 0;
}

/* --cache=clear leaves the instant snapshots: say so, and how they go. */
static void
note_instants(PGconn *maint, const char *kind)
{
	tcache_entry *v;
	size_t n;

	if (strcmp(kind, "restore") != 0 || tcache_list(maint, INSTANT_KIND, false, &v, &n) < 0)
		return;
	if (n > 0)
		log_info("kept the database%s of %zu instant snapshot%s: db-snapshot --delete or --prune removes %s",
		    n == 1 ? "" : "s", n, n == 1 ? "" : "s", n == 1 ? "it" : "them");
	tcache_free(v, n);
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

		if (list_templates(maint, kind, &v, &n) == 0 && spare_list(maint, true, &s, &ns) == 0) {
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
			note_instants(maint, kind);
			rc = DBT_OK;
		}
	}
	PQfinish(maint);
	return rc;
}
