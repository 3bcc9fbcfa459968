/*
 * tcache.c — the template cache; see tcache.h.
 */
#include "replace/tcache.h"

#include <stdlib.h>
#include <string.h>

#include "pg/dbadmin.h"
#include "util/log.h"
#include "util/mem.h"

#define TC_COMMENT_TAG "db-tools cache 1 "

char *
tcache_db_name(const char *role, const char *key)
{
	char *text = xasprintf("%s\n%s", role, key);
	char hex[HASH_HEX_LEN + 1];

	hash_hex_of(text, strlen(text), hex);
	free(text);
	return xasprintf(TC_PREFIX "%.16s", hex);
}

/* The current role's name as this connection logged in. */
static const char *
role_of(PGconn *conn)
{
	const char *u = PQuser(conn);

	return u ? u : "";
}

static bool
is_hex64(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == HASH_HEX_LEN;
}

/*
 * Whether name is the template's name for role and key: tcache_db_name's, or
 * the key's first 16 digits alone, as templates were named before they
 * belonged to a role.
 */
static bool
is_name_for(const char *name, const char *role, const char *key)
{
	char *expect = tcache_db_name(role, key);
	char legacy[sizeof(TC_PREFIX) + 16];
	bool ok;

	snprintf(legacy, sizeof(legacy), TC_PREFIX "%.16s", key);
	ok = strcmp(name, expect) == 0 || strcmp(name, legacy) == 0;
	free(expect);
	return ok;
}

/* Parse a template's comment; false when it is not one of ours. */
static bool
parse_comment(const char *c, tcache_entry *e)
{
	long long created, used;
	int off = 0;

	if (!c || strncmp(c, TC_COMMENT_TAG, strlen(TC_COMMENT_TAG)) != 0)
		return false;
	c += strlen(TC_COMMENT_TAG);
	if (sscanf(c, "kind=%15s key=%64s created=%lld used=%lld label=%n", e->kind, e->key, &created,
	    &used, &off) != 4 || off == 0 || !is_hex64(e->key))
		return false;
	e->created = (time_t) created;
	e->used_us = used;
	e->used = (time_t) (used / 1000000);
	e->label = xstrdup(c + off);
	return true;
}

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* used is in microseconds, so that uses within one second keep their order */
static char *
make_comment(const char *kind, const char *key, time_t created, long long used, const char *label)
{
	return xasprintf(TC_COMMENT_TAG "kind=%s key=%s created=%lld used=%lld label=%s", kind, key,
	    (long long) created, (long long) used, label);
}

static int
by_used_desc(const void *a, const void *b)
{
	const tcache_entry *x = a, *y = b;

	return x->used_us < y->used_us ? 1 : x->used_us > y->used_us ? -1 : strcmp(x->db, y->db);
}

/*
 * One look at the server: the role's templates of kind (NULL: every kind),
 * most recently used first; with incomplete, also the names of the role's
 * databases under the prefix that never got their comment (a run killed
 * between creating one and describing it leaves a whole copy that nothing
 * else would find).
 */
static int
scan(PGconn *conn, const char *kind, bool with_size, tcache_entry **out, size_t *n, char ***incomplete,
    size_t *n_incomplete)
{
	dbadmin_info *dbs;
	size_t nd, k = 0;
	tcache_entry *v;

	*out = NULL;
	*n = 0;
	if (incomplete) {
		*incomplete = NULL;
		*n_incomplete = 0;
	}
	if (dbadmin_list(conn, TC_PREFIX, with_size, &dbs, &nd) < 0)
		return -1;
	v = xcalloc(nd ? nd : 1, sizeof(*v));
	if (incomplete)
		*incomplete = xcalloc(nd ? nd : 1, sizeof(**incomplete));
	for (size_t i = 0; i < nd; i++) {
		tcache_entry e;

		memset(&e, 0, sizeof(e));
		/* another role's templates are not this role's cache, whoever it is */
		if (!dbs[i].owned)
			continue;
		if (!parse_comment(dbs[i].comment, &e)) {
			if (incomplete)
				(*incomplete)[(*n_incomplete)++] = xstrdup(dbs[i].name);
			continue;
		}
		if (!is_name_for(dbs[i].name, role_of(conn), e.key) ||
		    (kind && strcmp(kind, e.kind) != 0)) {
			free(e.label);
			continue;
		}
		e.db = xstrdup(dbs[i].name);
		e.bytes = dbs[i].bytes;
		v[k++] = e;
	}
	dbadmin_info_free(dbs, nd);
	qsort(v, k, sizeof(*v), by_used_desc);
	*out = v;
	*n = k;
	return 0;
}

int
tcache_list(PGconn *conn, const char *kind, bool with_size, tcache_entry **out, size_t *n)
{
	return scan(conn, kind, with_size, out, n, NULL, NULL);
}

void
tcache_free(tcache_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].db);
		free(v[i].label);
	}
	free(v);
}

/* The entry for kind/key, or NULL; the caller frees the list (all, n). */
static tcache_entry *
find(PGconn *conn, const char *kind, const char *key, tcache_entry **all, size_t *n, int *rc)
{
	*rc = tcache_list(conn, kind, false, all, n);
	if (*rc < 0)
		return NULL;
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*all)[i].key, key) == 0)
			return &(*all)[i];
	return NULL;
}

int
tcache_lookup(PGconn *conn, const char *kind, const char *key, char **db)
{
	tcache_entry *all;
	size_t n;
	int rc;
	tcache_entry *e = find(conn, kind, key, &all, &n, &rc);

	if (db)
		*db = NULL;
	if (rc < 0)
		return -1;
	rc = e != NULL;
	if (e && db)
		*db = xstrdup(e->db);
	tcache_free(all, n);
	return rc;
}

int
tcache_touch(PGconn *conn, const char *kind, const char *key)
{
	tcache_entry *all;
	size_t n;
	int rc;
	tcache_entry *e = find(conn, kind, key, &all, &n, &rc);

	if (rc < 0)
		return -1;
	if (e) {
		char *c = make_comment(kind, key, e->created, now_us(), e->label);

		rc = dbadmin_set_comment(conn, e->db, c, NULL, 0);
		free(c);
	}
	tcache_free(all, n);
	return rc;
}

int
tcache_evict(PGconn *conn, const char *kind, int keep)
{
	tcache_entry *all;
	char **incomplete;
	size_t n, n_incomplete;
	int dropped = 0;

	if (scan(conn, kind, false, &all, &n, &incomplete, &n_incomplete) < 0)
		return -1;
	for (size_t i = 0; i < n_incomplete && dropped >= 0; i++) {
		log_verbose("dropping \"%s\", a template left unfinished by an interrupted run", incomplete[i]);
		dropped = dbadmin_drop(conn, incomplete[i]) < 0 ? -1 : dropped + 1;
	}
	strv_free(incomplete, n_incomplete);
	if (dropped < 0) {
		tcache_free(all, n);
		return -1;
	}
	for (size_t i = keep < 0 ? n : (size_t) keep; i < n; i++) {
		log_verbose("dropping template \"%s\" (%s, last used %lld)", all[i].db, all[i].label,
		    (long long) all[i].used);
		if (dbadmin_drop(conn, all[i].db) < 0) {
			tcache_free(all, n);
			return -1;
		}
		dropped++;
	}
	tcache_free(all, n);
	return dropped;
}

int
tcache_adopt(PGconn *conn, const char *built, const char *kind, const char *key, const char *label,
    char **db)
{
	char *name = tcache_db_name(role_of(conn), key);
	char *comment;
	time_t now = time(NULL);
	int rc;

	*db = NULL;
	if ((rc = dbadmin_exists(conn, name)) != 0) {
		if (rc > 0)
			log_error("database \"%s\" exists already", name);
		free(name);
		return -1;
	}
	comment = make_comment(kind, key, now, now_us(), label);
	rc = dbadmin_allow_connections(conn, built, false);
	if (rc == 0)
		rc = dbadmin_set_comment(conn, built, comment, NULL, 0);
	if (rc == 0)
		rc = dbadmin_rename(conn, built, name);
	free(comment);
	if (rc < 0) {
		free(name);
		return -1;
	}
	*db = name;
	return 0;
}

int
tcache_drop(PGconn *conn, const char *kind, const char *key)
{
	char *db;
	int rc = tcache_lookup(conn, kind, key, &db);

	if (rc == 1) {
		log_verbose("dropping template \"%s\"", db);
		rc = dbadmin_drop(conn, db) < 0 ? -1 : 1;
		free(db);
	}
	return rc;
}

int
tcache_store(PGconn *conn, const char *from, const char *kind, const char *key, const char *label,
    int keep)
{
	char *db = tcache_db_name(role_of(conn), key);
	char *comment;
	time_t now = time(NULL);
	dbadmin_info *same;
	size_t n_same;
	bool foreign = false;
	int rc;

	if (keep <= 0) {
		free(db);
		return tcache_evict(conn, kind, 0) < 0 ? -1 : 0;
	}
	/*
	 * A stale one of ours under the same name (an earlier run killed
	 * half-way) goes first; a database of another role's is left alone.
	 */
	if (dbadmin_list(conn, db, false, &same, &n_same) < 0) {
		free(db);
		return -1;
	}
	for (size_t i = 0; i < n_same; i++)
		foreign = foreign || (strcmp(same[i].name, db) == 0 && !same[i].owned);
	dbadmin_info_free(same, n_same);
	if (foreign) {
		log_warning("database \"%s\" belongs to another role; not keeping a template", db);
		free(db);
		return -1;
	}
	rc = dbadmin_drop(conn, db);
	/* copying from a database with sessions still ending would wait for them */
	if (rc == 0)
		rc = dbadmin_terminate(conn, from, DBA_TERMINATE_WAIT_MS);
	if (rc == 0)
		rc = dbadmin_create(conn, db, from, NULL, NULL, 0);
	if (rc == 0)
		rc = dbadmin_allow_connections(conn, db, false);
	if (rc == 0) {
		comment = make_comment(kind, key, now, now_us(), label);
		rc = dbadmin_set_comment(conn, db, comment, NULL, 0);
		free(comment);
	}
	if (rc < 0)
		(void) dbadmin_drop(conn, db);
	free(db);
	if (rc == 0 && tcache_evict(conn, kind, keep) < 0)
		rc = -1;
	return rc;
}
