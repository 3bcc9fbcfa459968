/*
 * replace.c — replacing a database safely; see replace.h.
 */
#include "replace/replace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "archive/snapname.h"
#include "pg/conn.h"
#include "pg/dbadmin.h"
#include "pg/guard.h"
#include "sql/quote.h"
#include "util/hash.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/monotime.h"
#include "util/status.h"
#include "util/strbuf.h"

#define LOCK_WAIT_MS 5000

dbt_status
replace_open(const char *conninfo, const guard_policy *guard, const char *appname, const char *what,
    char **target_out, PGconn **maint_out)
{
	char *target, *reason;
	const char *problem;
	PGconn *maint;

	*target_out = NULL;
	*maint_out = NULL;
	if (!(target = dbadmin_target_name(conninfo)))
		return DBT_FAILED;
	*target_out = target;
	if ((problem = dbadmin_name_problem(target))) {
		log_error("invalid target database name \"%s\": %s", target, problem);
		return DBT_USAGE;
	}
	if (strcmp(target, "template0") == 0 || strcmp(target, "template1") == 0) {
		log_error("refusing to %s the template database \"%s\"", what, target);
		return DBT_REFUSED;
	}
	/* the maintenance database: what a tool connects to when nothing else is named */
	if (strcmp(target, "postgres") == 0) {
		if (!guard->force) {
			log_error("refusing to %s \"postgres\": it is the server's maintenance database, "
			    "not a development database", what);
			log_hint("name the database with -d NAME, DATABASE_URL or \"database\" in db-tools.json; "
			    "pass --force if you really mean \"postgres\"");
			return DBT_REFUSED;
		}
		log_warning("going on with the maintenance database \"postgres\" as the target (--force)");
	}
	if (!(maint = dbadmin_connect_maintenance(conninfo, target, appname)))
		return DBT_FAILED;
	*maint_out = maint;
	if ((reason = guard_production_reason(maint, guard))) {
		if (!guard->force) {
			log_error("refusing to %s \"%s\": it looks like production: %s", what, target, reason);
			log_hint("pass --force if you really mean it");
			free(reason);
			return DBT_REFUSED;
		}
		log_warning("going on although the target looks like production (--force): %s", reason);
		free(reason);
	}
	return DBT_OK;
}

int
replace_lock(PGconn *maint, const char *target)
{
	switch (dbadmin_try_lock(maint, target, LOCK_WAIT_MS)) {
	case 1:
		return 0;
	case 0:
		log_error("another db-tools run is replacing \"%s\"", target);
		return -1;
	default:
		return -1;
	}
}

/* ---- leftovers, swap, pruning ---- */

/* <prefix><YYYYMMDD-HHMMSS>[_N] */
static bool
is_stamped(const char *name, const char *prefix)
{
	size_t pl = strlen(prefix);
	const char *s = name + pl;

	if (strncmp(name, prefix, pl) != 0 || strlen(s) < SN_STAMP_LEN)
		return false;
	for (int i = 0; i < SN_STAMP_LEN; i++)
		if (i == 8 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return false;
	s += SN_STAMP_LEN;
	return *s == '\0' || (*s == '_' && s[1] && strspn(s + 1, "0123456789") == strlen(s + 1));
}

char *
replace_copy_prefix(const char *target, const char *suffix)
{
	static const char placeholder[] = "YYYYMMDD-HHMMSS_NNN";
	char hex[HASH_HEX_LEN + 1];
	char *tag, *name;

	if (strlen(target) + strlen(suffix) + strlen(placeholder) <= DBA_NAME_MAX)
		return xasprintf("%s%s", target, suffix);
	/* cut: 8 hex digits of the whole name keep two long names that start alike apart */
	hash_hex_of(target, strlen(target), hex);
	tag = xasprintf("_%.8s%s%s", hex, suffix, placeholder);
	name = dbadmin_derived_name(target, tag);
	name[strlen(name) - strlen(placeholder)] = '\0';
	free(tag);
	return name;
}

/* Drop the __restoring_ databases a killed run left; open doors it left closed. */
int
replace_clean_leftovers(PGconn *maint, const char *target)
{
	char *prefix = replace_copy_prefix(target, RP_SUFFIX_BUILDING);
	char *pre = replace_copy_prefix(target, RP_SUFFIX_PREVIOUS);
	dbadmin_info *v;
	size_t n;
	int rc = 0, found = 0;

	if (dbadmin_list(maint, prefix, false, &v, &n) < 0) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!is_stamped(v[i].name, prefix))
			continue;
		log_info("dropping \"%s\", left by an interrupted run", v[i].name);
		rc = dbadmin_drop(maint, v[i].name);
		found++;
	}
	dbadmin_info_free(v, n);
	if (rc == 0 && found > 0 && dbadmin_allows_connections(maint, target) == 0) {
		log_info("allowing connections to \"%s\" again (an interrupted run had stopped them)",
		    target);
		rc = dbadmin_allow_connections(maint, target, true);
	}
	if (rc == 0 && dbadmin_list(maint, pre, false, &v, &n) == 0) {
		for (size_t i = 0; rc == 0 && i < n; i++)
			if (is_stamped(v[i].name, pre) && !v[i].allow_connections) {
				log_info("allowing connections to \"%s\" again", v[i].name);
				rc = dbadmin_allow_connections(maint, v[i].name, true);
			}
		dbadmin_info_free(v, n);
	}
out:
	free(prefix);
	free(pre);
	return rc;
}

/* A name base+suffix+stamp that no database has yet. */
char *
replace_fresh_name(PGconn *maint, const char *target, const char *suffix)
{
	char stamp[SN_STAMP_LEN + 1];
	char *prefix = replace_copy_prefix(target, suffix);

	snapname_stamp(time(NULL), stamp);
	for (int k = 1; k < 1000; k++) {
		char *name = k == 1 ? xasprintf("%s%s", prefix, stamp) : xasprintf("%s%s_%d", prefix, stamp, k);
		int e = dbadmin_exists(maint, name);

		if (e == 0) {
			free(prefix);
			return name;
		}
		free(name);
		if (e < 0)
			break;
	}
	if (!intr_pending())
		log_error("could not find a free database name starting \"%s\"", prefix);
	free(prefix);
	return NULL;
}

static int
cmp_names_desc(const void *a, const void *b)
{
	return -strcmp(((const dbadmin_info *) a)->name, ((const dbadmin_info *) b)->name);
}

/* Keep the newest keep __pre_ copies of target. */
int
replace_prune_previous(PGconn *maint, const char *target, int keep, int *dropped)
{
	char *pre = replace_copy_prefix(target, RP_SUFFIX_PREVIOUS);
	dbadmin_info *v;
	size_t n;
	int rc = 0, kept = 0;

	*dropped = 0;
	if (dbadmin_list(maint, pre, false, &v, &n) < 0) {
		free(pre);
		return -1;
	}
	qsort(v, n, sizeof(*v), cmp_names_desc);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!is_stamped(v[i].name, pre))
			continue;
		if (kept++ < keep)
			continue;
		log_verbose("dropping previous copy \"%s\"", v[i].name);
		rc = dbadmin_drop(maint, v[i].name);
		if (rc == 0)
			(*dropped)++;
	}
	dbadmin_info_free(v, n);
	free(pre);
	return rc;
}

/*
 * Put built in target's place.  Returns 0, or -1 after logging with the
 * target untouched (built is left for the caller to drop).
 */
int
replace_swap_in(PGconn *maint, const char *built, const char *target, bool exists, char **previous)
{
	PGresult *res;
	strbuf sql;
	char *pre;

	*previous = NULL;
	/* a session still ending on built would make the rename wait for it */
	if (dbadmin_terminate(maint, built, DBA_TERMINATE_WAIT_MS) < 0)
		return -1;
	if (!exists)
		return dbadmin_rename(maint, built, target);
	if (dbadmin_check_sessions(maint, target) < 0 || dbadmin_allow_connections(maint, target, false) < 0)
		return -1;
	if (dbadmin_terminate(maint, target, DBA_TERMINATE_WAIT_MS) < 0 ||
	    !(pre = replace_fresh_name(maint, target, RP_SUFFIX_PREVIOUS))) {
		(void) dbadmin_allow_connections(maint, target, true);
		return -1;
	}
	sb_init(&sql);
	sb_append(&sql, "BEGIN; ALTER DATABASE ");
	q_ident(&sql, target);
	sb_append(&sql, " RENAME TO ");
	q_ident(&sql, pre);
	sb_append(&sql, "; ALTER DATABASE ");
	q_ident(&sql, built);
	sb_append(&sql, " RENAME TO ");
	q_ident(&sql, target);
	sb_append(&sql, "; COMMIT");
	res = PQexec(maint, sql.data);
	sb_free(&sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		conn_log_error(maint, res, "could not swap the databases");
		PQclear(res);
		PQclear(PQexec(maint, "ROLLBACK"));
		(void) dbadmin_allow_connections(maint, target, true);
		free(pre);
		return -1;
	}
	PQclear(res);
	if (dbadmin_allow_connections(maint, pre, true) < 0)
		log_warning("the previous database is kept as \"%s\" but does not accept connections", pre);
	*previous = pre;
	return 0;
}

void
replace_abandon(PGconn *maint, const char *built, const char *target, bool exists)
{
	/* say what is true now, not what should be: look */
	int now = PQstatus(maint) == CONNECTION_OK ? dbadmin_exists(maint, target) : -1;

	if (now < 0)
		log_info("dropping the half-built database \"%s\"", built);
	else if (exists && now == 0)
		log_warning("database \"%s\" no longer exists: something other than this run dropped or "
		    "renamed it", target);
	else
		log_info("dropping the half-built database \"%s\"; \"%s\" %s", built, target,
		    exists ? "is as it was" : now ? "exists, made by someone else meanwhile" : "was not created");
	if (dbadmin_drop(maint, built) < 0)
		log_warning("could not drop \"%s\"; the next run for \"%s\" will", built, target);
}

dbt_status
replace_run(const replace_task *t, replace_outcome *out)
{
	PGconn *maint = NULL;
	char *target = NULL, *built = NULL;
	dbt_status rc;
	int exists = 0;
	double t0;

	memset(out, 0, sizeof(*out));
	rc = replace_open(t->conninfo, &t->guard, t->appname, t->what, &target, &maint);
	if (target)
		out->target = xstrdup(target);
	if (rc != DBT_OK)
		goto out;
	rc = DBT_FAILED;
	if ((exists = dbadmin_exists(maint, target)) < 0)
		goto out;
	out->target_existed = exists;
	if ((rc = t->prepare(t->ctx, maint, target, exists)) != DBT_OK)
		goto out;

	t0 = monotime();
	rc = t->plan(t->ctx, maint, target, exists);
	out->t_plan = monotime() - t0;
	if (rc != DBT_OK)
		goto out;
	rc = DBT_FAILED;

	if (replace_lock(maint, target) < 0 || replace_clean_leftovers(maint, target) < 0 ||
	    (exists && dbadmin_check_sessions(maint, target) < 0))
		goto out;
	if (!(built = replace_fresh_name(maint, target, RP_SUFFIX_BUILDING)))
		goto out;
	if ((rc = t->build(t->ctx, maint, built)) != DBT_OK || intr_pending()) {
		if (rc == DBT_OK)
			rc = DBT_FAILED;
		replace_abandon(maint, built, target, exists > 0);
		goto out;
	}

	t0 = monotime();
	log_verbose("swapping \"%s\" into place", built);
	progress_start(t->progress, "swapping", NULL, 0, 0);
	if (replace_swap_in(maint, built, target, exists, &out->previous) < 0) {
		rc = DBT_FAILED;
		replace_abandon(maint, built, target, exists > 0);
		goto out;
	}
	if (exists && replace_prune_previous(maint, target, t->keep_previous, &out->previous_dropped) < 0)
		log_warning("could not drop older copies of \"%s\"", target);
	if (out->previous && t->keep_previous == 0) {
		free(out->previous);
		out->previous = NULL;
	}
	out->t_swap = monotime() - t0;
	rc = DBT_OK;
out:
	progress_stop();
	free(built);
	free(target);
	PQfinish(maint);
	return rc;
}
