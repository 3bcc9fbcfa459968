/*
 * tcache.h — template databases that make repeat restores (and fast resets)
 * a file copy: "db_tools_cache_<16 hex digits of SHA-256(role \n key)>",
 * ALLOW_CONNECTIONS false, described by their comment:
 *   db-tools cache 1 kind=KIND key=<64 hex> created=<epoch s> used=<epoch us> label=LABEL
 * The cache is the current role's: only templates it owns are listed, used,
 * evicted or cleared; another role's are never touched.  The number kept per
 * kind is bounded; the least recently used go first.
 */
#ifndef DBT_TCACHE_H
#define DBT_TCACHE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "hash.h"

#define TC_PREFIX "db_tools_cache_"

typedef struct tc_entry {
	char *db;
	char kind[16];
	char key[HASH_HEX_LEN + 1];
	time_t created, used;
	long long used_us;      /* orders uses within one second */
	char *label;
	int64_t bytes;
} tc_entry;

/* The cache's templates of kind (NULL: every kind), most recently used first. */
int tc_list(PGconn *conn, const char *kind, bool with_size, tc_entry **out, size_t *n);
void tc_free(tc_entry *v, size_t n);
/* The name of role's template for key; caller frees. */
char *tc_db_name(const char *role, const char *key);
/*
 * 1 when the current role has a template for kind/key (its name in *db,
 * which the caller frees, when db is not NULL), 0 when not, -1 after logging.
 */
int tc_lookup(PGconn *conn, const char *kind, const char *key, char **db);
/* Record a use (for least-recently-used eviction). */
int tc_touch(PGconn *conn, const char *kind, const char *key);
/*
 * Copy database from (which nobody may be connected to) into the template
 * for kind/key, then drop the least recently used beyond keep.
 */
int tc_store(PGconn *conn, const char *from, const char *kind, const char *key, const char *label,
    int keep);
/*
 * Drop templates of kind (NULL: all) beyond the newest keep, and the role's
 * templates a killed run never described; returns how many were dropped or -1.
 */
int tc_evict(PGconn *conn, const char *kind, int keep);
void tc_print(FILE *f, const tc_entry *v, size_t n, bool json, time_t now);
/* What --cache asks for. */
enum tc_action { TC_ACTION_NONE, TC_ACTION_LIST, TC_ACTION_CLEAR };
/* Parse "list" or "clear"; logs naming --cache and returns -1 otherwise. */
int tc_parse_action(const char *value, enum tc_action *out);
/*
 * --cache=list (print kind's templates on the server conninfo reaches) or
 * --cache=clear (drop them).  Returns an exit status.
 */
int tc_manage(const char *conninfo, const char *kind, enum tc_action action, bool json,
    const char *appname);

#endif
