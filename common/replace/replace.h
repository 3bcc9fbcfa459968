/*
 * replace.h — replacing a database without ever losing it, shared by
 * db-restore and db-reset: the new database is built beside the target as
 * <db>__restoring_<stamp>, then swapped in (close the door, end the
 * sessions, rename both in one transaction, open the doors); the replaced
 * one is kept as <db>__pre_<stamp> and old copies are pruned.  A per-target
 * advisory lock keeps two runs apart, and the next run cleans up what a
 * killed one left.  Design notes: ../shared/DESIGN.md ("Restore: never
 * destroy before it works").
 */
#ifndef DBT_REPLACE_H
#define DBT_REPLACE_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "pg/guard.h"
#include "util/progress.h"
#include "util/status.h"

#define RP_SUFFIX_BUILDING "__restoring_"
#define RP_SUFFIX_PREVIOUS "__pre_"

/*
 * The start of every run that replaces a database: the target's name
 * (validated; template0/template1 refused), a maintenance connection, the
 * production guard (passed with guard->force).  what: "restore into", "reset".
 * *target and *maint are the caller's to free,
 * whatever it is.
 */
dbt_status replace_open(const char *conninfo, const guard_policy *guard, const char *appname,
    const char *what, char **target, PGconn **maint);
/* Take the per-target lock (held until maint closes); -1 after logging. */
int replace_lock(PGconn *maint, const char *target);
/* Drop the databases a killed run left; open doors it left closed. */
int replace_clean_leftovers(PGconn *maint, const char *target);
/*
 * What the names of target's copies start with: target + suffix, or, when
 * a stamp and a "_NNN" would not fit after that within 63 bytes, target
 * shortened + "_" + 8 hex digits of SHA-256(target) + suffix.  Caller frees.
 */
char *replace_copy_prefix(const char *target, const char *suffix);
/* replace_copy_prefix + a UTC stamp, not taken yet; caller frees. */
char *replace_fresh_name(PGconn *maint, const char *target, const char *suffix);
/*
 * Put built in target's place; *previous gets the replaced database's new
 * name (caller frees; NULL when target did not exist).  Returns 0, or -1
 * after logging with the target untouched (built is left to the caller).
 */
int replace_swap_in(PGconn *maint, const char *built, const char *target, bool exists, char **previous);
/*
 * A failed run's end: drop built, saying that target is as it was (or, when
 * it did not exist, still does not).
 */
void replace_abandon(PGconn *maint, const char *built, const char *target, bool exists);
/* Keep the newest keep __pre_ copies of target; *dropped says how many went. */
int replace_prune_previous(PGconn *maint, const char *target, int keep, int *dropped);

/*
 * The one sequence that replaces a database, for every tool that does:
 * open (name checks, maintenance connection, production guard), prepare,
 * show the plan and confirm, lock and clean up after killed runs, check
 * the target's sessions, build beside the target, swap, keep or prune the
 * previous copies; on any failure or interrupt after the build started,
 * drop the half-built database.
 */
typedef struct replace_task {
	const char *conninfo;
	guard_policy guard;
	const char *appname;         /* "db-restore" */
	const char *what;            /* for the guard's messages: "restore into", "reset" */
	int keep_previous;
	enum opt_when progress;      /* the progress line: the swap is shown as a step */
	void *ctx;
	/* after the target is known, before the plan (cache lookups, checks) */
	dbt_status (*prepare)(void *ctx, PGconn *maint, const char *target, bool exists);
	/* show the plan through the front end and confirm: DBT_OK to go on */
	dbt_status (*plan)(void *ctx, PGconn *maint, const char *target, bool exists);
	/* fill the new database built (created by the callback); its sessions closed on return */
	dbt_status (*build)(void *ctx, PGconn *maint, const char *built);
} replace_task;

typedef struct replace_outcome {
	char *target;                /* caller frees */
	bool target_existed;
	char *previous;              /* the replaced database's new name; NULL when none is kept */
	int previous_dropped;
	double t_swap;
	double t_plan;               /* spent showing the plan and waiting for the answer */
} replace_outcome;

/* Run the task; the outcome filled as far as it got. */
dbt_status replace_run(const replace_task *t, replace_outcome *out);

#endif
