/*
 * clone.h — instant snapshots: db-snapshot --instant clones the source
 * database into a template on its own server (a file copy, seconds at any
 * size) and writes the marker DIR/<stamp>_<NAME>.instant that names it
 * (archive/instant.h).  The clone needs the source to itself: like the
 * swap of a restore, it closes the source to new connections, ends the
 * sessions there, copies, and opens it again, all under the per-database
 * lock that restores and resets of it take.  --export writes the normal
 * archive of an instant snapshot from a clone of its template, never from
 * the live database; --delete and --prune drop the template with the
 * marker.
 */
#ifndef DBT_CLONE_H
#define DBT_CLONE_H

#include <stdbool.h>
#include <stdint.h>

#include "archive/instant.h"
#include "pg/guard.h"
#include "snapshot/snapshot.h"
#include "util/progress.h"
#include "util/status.h"

/* What an instant snapshot is about to do, for the front end to show before it asks. */
typedef struct clone_plan {
	const char *database;        /* the source */
	const char *host, *port, *user;
	const char *name;            /* the snapshot's NAME */
	const char *marker;          /* the marker's path */
	int64_t bytes;               /* the source's size: what the template takes on the server */
	int sessions;                /* other sessions on the source, ended; -1: unknown */
} clone_plan;

typedef struct clone_opts {
	const char *conninfo;        /* the source database */
	const char *dir;             /* where the marker goes */
	const char *name;            /* NAME; NULL: the git branch, else the database's name */
	guard_policy guard;          /* the production guard, --force */
	int64_t spare_budget;        /* a ready spare of the template is made when this allows */
	const char *spare_log;
	enum opt_when progress;
	/* Show the plan and ask: DBT_OK to go on.  NULL: go on. */
	dbt_status (*confirm)(void *arg, const clone_plan *plan);
	void *confirm_arg;
} clone_opts;

typedef struct clone_result {
	char *marker_path;
	char *name;
	char *database;
	char *template_db;
	int64_t bytes;
	int sessions_ended;
	double seconds;              /* without the time at the question */
} clone_result;

/* Take an instant snapshot; logs what went wrong, and leaves nothing of a failed one. */
dbt_status clone_take(const clone_opts *o, clone_result *r);
void clone_result_free(clone_result *r);
/*
 * Drop the template an instant snapshot's marker names (the role's own, on
 * conninfo's server), and its spare: DBT_OK also when it was gone already.
 */
dbt_status clone_drop(const char *conninfo, const instant_marker *m);
/*
 * Write the normal archive of the instant snapshot m into o->dir (or
 * o->file), under its name and time, read from a clone of its template made
 * for the purpose and dropped after.  o->conninfo reaches its server.
 */
dbt_status clone_export(const snapshot_opts *o, const instant_marker *m, snapshot_result *r);

#endif
