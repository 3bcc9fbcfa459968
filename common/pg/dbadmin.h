/*
 * dbadmin.h — database lifecycle on a maintenance connection: create, clone
 * (CREATE DATABASE ... TEMPLATE ... STRATEGY FILE_COPY), rename, drop, close
 * the door (ALLOW_CONNECTIONS false), terminate sessions, list.
 *
 * A tool that replaces a database never connects to it: it works from
 * "postgres", or from "template1" when the database itself is "postgres"
 * (DSLR#15).  Every name is validated before it reaches SQL (DSLR#27) and
 * quoted as an identifier.
 */
#ifndef DBT_DBADMIN_H
#define DBT_DBADMIN_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

#define DBA_NAME_MAX 63   /* NAMEDATALEN - 1 */

/*
 * The database a conninfo names once libpq has applied its defaults
 * (PGDATABASE, the user name, service files); caller frees; NULL after logging.
 */
char *dbadmin_target_name(const char *conninfo);
/* Why a database name cannot be used, or NULL when it can. */
const char *dbadmin_name_problem(const char *name);
/* Connect as conninfo would, but to the maintenance database for target. */
PGconn *dbadmin_connect_maintenance(const char *conninfo, const char *target, const char *appname);

/*
 * base + suffix, base shortened (at a UTF-8 character boundary) so that the
 * whole fits in DBA_NAME_MAX bytes; caller frees.
 */
char *dbadmin_derived_name(const char *base, const char *suffix);

/* 1 when it exists, 0 when not, -1 after logging. */
int dbadmin_exists(PGconn *conn, const char *name);
/* What a database created from template0 is created with; NULL fields take the server's default. */
typedef struct dbadmin_locale {
	const char *encoding;
	const char *lc_collate, *lc_ctype;
	const char *provider;        /* LOCALE_PROVIDER: "libc", "icu" (15+) or "builtin" (17+) */
	const char *provider_locale; /* ICU_LOCALE for "icu", BUILTIN_LOCALE for "builtin" */
	const char *icu_rules;       /* ICU_RULES (16+) */
} dbadmin_locale;

/*
 * The CREATE DATABASE statement dbadmin_create runs on a server of version
 * server_version_num (PQserverVersion).  Before 15, where libc is the only
 * provider, LOCALE_PROVIDER libc is left out; any other provider is asked
 * for anyway, for the server to refuse.
 */
void dbadmin_create_sql(strbuf *sql, const char *name, const char *template, const dbadmin_locale *loc,
    int server_version_num);
/*
 * CREATE DATABASE name.  template NULL means template0 with loc (which may
 * be NULL); otherwise a FILE_COPY clone of template.
 * With errbuf the server's message goes there instead of being logged.
 */
int dbadmin_create(PGconn *conn, const char *name, const char *template, const dbadmin_locale *loc,
    char *errbuf, size_t errsize);
int dbadmin_rename(PGconn *conn, const char *from, const char *to);
/* DROP DATABASE IF EXISTS name WITH (FORCE). */
int dbadmin_drop(PGconn *conn, const char *name);
int dbadmin_allow_connections(PGconn *conn, const char *name, bool allow);
/* 1 when the database allows connections, 0 when not, -1 after logging (or absent). */
int dbadmin_allows_connections(PGconn *conn, const char *name);
/*
 * 0 when the current role may end every other session on name (autovacuum
 * workers aside); otherwise -1 after naming the sessions it may not end.
 */
int dbadmin_check_sessions(PGconn *conn, const char *name);
/* How many other sessions are connected to name (autovacuum workers aside); -1 after logging. */
int dbadmin_count_sessions(PGconn *conn, const char *name);
/* How long the tools give sessions being terminated to go. */
#define DBA_TERMINATE_WAIT_MS 10000
/*
 * Terminate every other session on name and wait (up to timeout_ms) until
 * they are gone.  Returns 0, or -1 after logging who is still there.
 */
int dbadmin_terminate(PGconn *conn, const char *name, int timeout_ms);
/*
 * Set (text) or remove (NULL) the database's comment.  With errbuf the
 * server's message goes there instead of being logged.
 */
int dbadmin_set_comment(PGconn *conn, const char *name, const char *text, char *errbuf,
    size_t errsize);
/*
 * ALTER DATABASE name SET ... for one "param=value" entry of
 * pg_db_role_setting, quoted as pg_dump does: list parameters such as
 * search_path element by element.  -1 (nothing appended) without "=".
 */
int dbadmin_setting_sql(strbuf *sql, const char *name, const char *setting);
/* Run dbadmin_setting_sql's statement; the server's message goes to errbuf. */
int dbadmin_apply_setting(PGconn *conn, const char *name, const char *setting, char *errbuf,
    size_t errsize);

typedef struct dbadmin_info {
	char *name;
	char *comment;          /* NULL when none */
	bool allow_connections;
	bool owned;             /* owned by the current role itself */
	int64_t bytes;
} dbadmin_info;
/*
 * Databases whose name starts with prefix (byte-wise), sorted by name;
 * with_size adds pg_database_size() (0 for those the role may not connect
 * to).  Returns 0 or -1 after logging.
 */
int dbadmin_list(PGconn *conn, const char *prefix, bool with_size, dbadmin_info **out, size_t *n);
void dbadmin_info_free(dbadmin_info *v, size_t n);

/*
 * Session advisory lock on a key derived from text, retrying for up to
 * wait_ms; 1 taken, 0 held by another session, -1 error.
 */
int dbadmin_try_lock(PGconn *conn, const char *text, int wait_ms);

#endif
