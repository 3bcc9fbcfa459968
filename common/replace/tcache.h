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

#include "util/hash.h"

#define TC_PREFIX "db_tools_cache_"

typedef struct tcache_entry {
	char *db;
	char kind[16];
	char key[HASH_HEX_LEN + 1];
	time_t created, used;
	long long used_us;      /* orders uses within one second */
	char *label;
	int64_t bytes;
} tcache_entry;

/* The cache's templates of kind (NULL: every kind), most recently used first. */
int tcache_list(PGconn *conn, const char *kind, bool with_size, tcache_entry **out, size_t *n);
void tcache_free(tcache_entry *v, size_t n);
/* The name of role's template for key; caller frees. */
char *tcache_db_name(const char *role, const char *key);
/*
 * 1 when the current role has a template for kind/key (its name in *db,
 * which the caller frees, when db is not NULL), 0 when not, -1 after logging.
 */
int tcache_lookup(PGconn *conn, const char *kind, const char *key, char **db);
/* Record a use (for least-recently-used eviction). */
int tcache_touch(PGconn *conn, const char *kind, const char *key);
/*
 * Copy database from (which nobody may be connected to) into the template
 * for kind/key, then drop the least recently used beyond keep.
 */
int tcache_store(PGconn *conn, const char *from, const char *kind, const char *key, const char *label,
    int keep);
/*
 * Drop templates of kind (NULL: all) beyond the newest keep, and the role's
 * templates a killed run never described; returns how many were dropped or -1.
 */
int tcache_evict(PGconn *conn, const char *kind, int keep);
/*
 * Make the database built (which nobody may be connected to) the template
 * for kind/key, as it is: closed to connections, described, then renamed
 * in one step (so that it never shows as a template without its
 * description).  *db gets its name (caller frees).  0, or -1 after logging
 * (built is the caller's to drop).
 */
int tcache_adopt(PGconn *conn, const char *built, const char *kind, const char *key, const char *label,
    char **db);
/* Drop the template for kind/key: 1 dropped, 0 there was none, -1 after logging. */
int tcache_drop(PGconn *conn, const char *kind, const char *key);

#endif
