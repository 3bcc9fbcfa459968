/*
 * spare.h — the ready spare of a cached template: one clone of it, made in
 * the background after a run that used or made the template, so that the
 * next restore of the same archive (or db-reset --fast of the same inputs)
 * takes the spare by renaming it instead of copying the template.
 *
 * A spare is "db_tools_spare_<the template's 16 hex digits>", owned by the
 * role, ALLOW_CONNECTIONS false, described by its comment:
 *   db-tools spare 1 key=<64 hex> template_created=<epoch s> created=<epoch s>
 * It belongs to the template of that key made at that time: a spare whose
 * template is gone or was made again is stale, and dropped.  CREATE DATABASE
 * is atomic, so a spare exists only whole; a builder is a session with
 * application_name SPARE_APPNAME, cancelled (its copy rolled back) by any
 * run that needs the cache.  The server does the copy: the builder's own
 * process runs at the lowest priority and, where it may, lowers the
 * backend's too.
 */
#ifndef DBT_SPARE_H
#define DBT_SPARE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "replace/tcache.h"
#include "util/progress.h"

#define SPARE_PREFIX "db_tools_spare_"
#define SPARE_APPNAME "db-tools spare"

typedef struct spare_entry {
	char *db;
	char key[HASH_HEX_LEN + 1];
	time_t template_created, created;
	int64_t bytes;
	bool ready;                  /* whole and described */
	bool building;               /* a builder's CREATE DATABASE runs for it (not in pg_database yet) */
} spare_entry;

/* The spare's name for a template's name; caller frees. */
char *spare_name(const char *template_db);
/*
 * Cancel the role's spare builders and wait (up to a few seconds) for them
 * to end: a run that uses the cache first makes sure no copy of a template
 * is under way.  0, or -1 after logging.
 */
int spare_stop_builders(PGconn *maint);
/*
 * Take the ready spare of the template for kind/key as into: rename it
 * (into must not exist) and open it to connections.  1 when taken, 0 when there is none
 * (a stale one is dropped), -1 after logging.
 */
int spare_take(PGconn *maint, const char *kind, const char *key, const char *into);
/*
 * Make into from the template tmpl of kind/key: its ready spare when
 * try_spare and there is one (*took true), else a clone.  0, or -1 after
 * logging.
 */
int spare_or_clone(PGconn *maint, const char *kind, const char *key, const char *tmpl, bool try_spare,
    const char *into, enum opt_when progress, bool *took);
/* 1 when the template for kind/key has a ready spare, 0 when not, -1 after logging. */
int spare_ready(PGconn *maint, const char *kind, const char *key);
/*
 * The spare of template t among s (spare_list's): a ready one made of t as
 * it is now, or one being built under its name, else one a killed builder
 * left under its name (neither ready nor building); NULL when none.
 */
const spare_entry *spare_of(const tcache_entry *t, const spare_entry *s, size_t n);
/* The role's spares, ready ones and those being built. */
int spare_list(PGconn *maint, bool with_size, spare_entry **out, size_t *n);
void spare_free(spare_entry *v, size_t n);
/*
 * Drop the role's spares: all, or those whose template is gone or was made
 * again and those a killed builder left undescribed (call it after
 * spare_stop_builders).  How many, or -1.
 */
int spare_drop(PGconn *maint, bool all);

typedef struct spare_request {
	const char *conninfo;        /* the server, as the foreground run reached it */
	char *template_db;
	char key[HASH_HEX_LEN + 1];
	time_t template_created;
	int64_t budget;              /* bytes all the role's spares may take; 0: none */
	const char *log_path;        /* the builder's line goes here (NULL: nowhere) */
} spare_request;

/*
 * Whether a spare should be built for the template of kind/key now: 1 with
 * *req filled (free it with spare_request_free), 0 when not (there is one,
 * or the budget or the server's free disk forbid it: said at info level),
 * -1 after logging.
 */
int spare_plan(PGconn *maint, const char *kind, const char *key, int64_t budget, spare_request *req);
void spare_request_free(spare_request *req);
/*
 * Start the builder, detached: it outlives this process, runs at the
 * lowest CPU and I/O priority, and appends one line to req->log_path.
 * Returns at once; 0, or -1 after logging when it could not be started.
 */
int spare_launch(const spare_request *req);
/*
 * Build the spare in this process (what the detached builder runs): 0 when
 * built or not needed, -1 when it failed or was cancelled.  *line gets the
 * line for the log (caller frees).
 */
int spare_build(const spare_request *req, char **line);

/*
 * Before a run uses the cache: stop the builders, drop stale and leftover
 * spares; then 1 when the template for kind/key has a ready spare, 0 when
 * not, -1 after logging.
 */
int spare_prepare(PGconn *maint, const char *kind, const char *key);
/*
 * After a run that used or made the template for kind/key: start a
 * builder for its spare, when the budget and the server's disk allow one
 * and there is none (said at info level).  Never fails the run.
 */
void spare_offer(const char *conninfo, const char *kind, const char *key, int64_t budget, const char *log_path);

#endif
