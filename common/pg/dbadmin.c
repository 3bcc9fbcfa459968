/*
 * dbadmin.c — database lifecycle; see dbadmin.h.
 */
#include "pg/dbadmin.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "pg/conn.h"
#include "sql/quote.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/strbuf.h"

char *
dbadmin_target_name(const char *conninfo)
{
	const char *keys[] = {"dbname", NULL};
	const char *vals[] = {conninfo, NULL};
	PGconn *c;
	char *name = NULL;

	/* PQconnectStart resolves the options (defaults, service file) without waiting for the server. */
	c = conninfo && *conninfo ? PQconnectStartParams(keys, vals, 1) :
	    PQconnectStartParams(keys + 1, vals + 1, 0);
	if (!c) {
		log_error("out of memory");
		return NULL;
	}
	if (PQdb(c) && *PQdb(c))
		name = xstrdup(PQdb(c));
	else {
		char *msg = conn_redact(PQerrorMessage(c));

		log_error("could not work out the target database: %s",
		    msg[strspn(msg, " \n")] ? msg : "no database name");
		free(msg);
	}
	PQfinish(c);
	return name;
}

const char *
dbadmin_name_problem(const char *name)
{
	if (!name || !*name)
		return "the name is empty";
	if (strlen(name) > DBA_NAME_MAX)
		return "the name is longer than 63 bytes";
	return NULL;
}

PGconn *
dbadmin_connect_maintenance(const char *conninfo, const char *target, const char *appname)
{
	const char *maint = strcmp(target, "postgres") == 0 ? "template1" : "postgres";
	PGconn *c = conn_open_db(conninfo, maint, appname);

	if (!c)
		log_detail("db-tools connects to the maintenance database \"%s\" to create, rename and drop databases",
		    maint);
	return c;
}

char *
dbadmin_derived_name(const char *base, const char *suffix)
{
	size_t sl = strlen(suffix), bl = strlen(base);

	if (bl + sl > DBA_NAME_MAX) {
		bl = sl < DBA_NAME_MAX ? DBA_NAME_MAX - sl : 0;
		/* do not cut a multi-byte character in half */
		while (bl > 0 && ((unsigned char) base[bl] & 0xC0) == 0x80)
			bl--;
	}
	return xasprintf("%.*s%s", (int) bl, base, suffix);
}

/* Run a one-parameter query expecting tuples. */
static PGresult *
query1(PGconn *conn, const char *sql, const char *param)
{
	const char *params[1] = {param};

	return conn_query_params(conn, sql, param ? 1 : 0, params);
}

int
dbadmin_exists(PGconn *conn, const char *name)
{
	PGresult *res = query1(conn, "SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1", name);
	int rc;

	if (!res)
		return -1;
	rc = PQntuples(res) > 0;
	PQclear(res);
	return rc;
}

int
dbadmin_allows_connections(PGconn *conn, const char *name)
{
	PGresult *res = query1(conn,
	    "SELECT datallowconn FROM pg_catalog.pg_database WHERE datname = $1", name);
	int rc = -1;

	if (res && PQntuples(res) == 1)
		rc = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return rc;
}

/* Run a statement; on failure log it, or (errbuf) only describe it there. */
static int
exec_ddl_err(PGconn *conn, strbuf *sql, const char *what, char *errbuf, size_t errsize)
{
	int slot = intr_register_conn(conn);
	PGresult *res = PQexec(conn, sql->data);
	int rc = 0;

	intr_unregister_conn(slot);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

		if (errbuf)
			snprintf(errbuf, errsize, "%s", primary ? primary : PQerrorMessage(conn));
		else
			conn_log_error(conn, res, what);
		rc = -1;
	}
	PQclear(res);
	sb_free(sql);
	return rc;
}

static int
exec_ddl(PGconn *conn, strbuf *sql, const char *what)
{
	return exec_ddl_err(conn, sql, what, NULL, 0);
}

static void
create_option(strbuf *sql, const char *option, const char *value)
{
	if (!value)
		return;
	sb_appendf(sql, " %s ", option);
	q_literal(sql, value);
}

void
dbadmin_create_sql(strbuf *sql, const char *name, const char *template, const dbadmin_locale *loc,
    int server_version_num)
{
	sb_append(sql, "CREATE DATABASE ");
	q_ident(sql, name);
	sb_append(sql, " TEMPLATE ");
	if (template) {
		q_ident(sql, template);
		/* 15 added WAL_LOG, and STRATEGY to choose; before it every clone is a file copy */
		if (server_version_num >= 150000)
			sb_append(sql, " STRATEGY FILE_COPY");
		return;
	}
	sb_append(sql, "template0");
	if (!loc)
		return;
	create_option(sql, "ENCODING", loc->encoding);
	create_option(sql, "LC_COLLATE", loc->lc_collate);
	create_option(sql, "LC_CTYPE", loc->lc_ctype);
	if (!loc->provider || (strcmp(loc->provider, "libc") == 0 && server_version_num < 150000))
		return;
	create_option(sql, "LOCALE_PROVIDER", loc->provider);
	if (strcmp(loc->provider, "icu") == 0) {
		create_option(sql, "ICU_LOCALE", loc->provider_locale);
		create_option(sql, "ICU_RULES", loc->icu_rules);
	} else if (strcmp(loc->provider, "builtin") == 0)
		create_option(sql, "BUILTIN_LOCALE", loc->provider_locale);
}

int
dbadmin_create(PGconn *conn, const char *name, const char *template, const dbadmin_locale *loc,
    char *errbuf, size_t errsize)
{
	strbuf sql;
	char *what = xasprintf("could not create database \"%s\"", name);
	int rc;

	sb_init(&sql);
	dbadmin_create_sql(&sql, name, template, loc, PQserverVersion(conn));
	rc = exec_ddl_err(conn, &sql, what, errbuf, errsize);
	free(what);
	return rc;
}

int
dbadmin_rename(PGconn *conn, const char *from, const char *to)
{
	strbuf sql;
	char *what = xasprintf("could not rename database \"%s\" to \"%s\"", from, to);
	int rc;

	sb_init(&sql);
	sb_append(&sql, "ALTER DATABASE ");
	q_ident(&sql, from);
	sb_append(&sql, " RENAME TO ");
	q_ident(&sql, to);
	rc = exec_ddl(conn, &sql, what);
	free(what);
	return rc;
}

int
dbadmin_drop(PGconn *conn, const char *name)
{
	strbuf sql;
	char *what = xasprintf("could not drop database \"%s\"", name);
	int rc;

	sb_init(&sql);
	sb_append(&sql, "DROP DATABASE IF EXISTS ");
	q_ident(&sql, name);
	sb_append(&sql, " WITH (FORCE)");
	rc = exec_ddl(conn, &sql, what);
	free(what);
	return rc;
}

int
dbadmin_allow_connections(PGconn *conn, const char *name, bool allow)
{
	strbuf sql;
	char *what = xasprintf("could not %s connections to database \"%s\"",
	    allow ? "allow" : "stop", name);
	int rc;

	sb_init(&sql);
	sb_append(&sql, "ALTER DATABASE ");
	q_ident(&sql, name);
	sb_append(&sql, allow ? " ALLOW_CONNECTIONS true" : " ALLOW_CONNECTIONS false");
	rc = exec_ddl(conn, &sql, what);
	free(what);
	return rc;
}

int
dbadmin_set_comment(PGconn *conn, const char *name, const char *text, char *errbuf, size_t errsize)
{
	strbuf sql;
	char *what = xasprintf("could not set the comment of database \"%s\"", name);
	int rc;

	sb_init(&sql);
	sb_append(&sql, "COMMENT ON DATABASE ");
	q_ident(&sql, name);
	sb_append(&sql, " IS ");
	if (text)
		q_literal(&sql, text);
	else
		sb_append(&sql, "NULL");
	rc = exec_ddl_err(conn, &sql, what, errbuf, errsize);
	free(what);
	return rc;
}

/* The parameters whose values are lists of quoted names (pg_dump's variable_is_guc_list_quote). */
static bool
is_list_param(const char *name)
{
	static const char *const lists[] = {"local_preload_libraries", "search_path",
	    "session_preload_libraries", "shared_preload_libraries", "temp_tablespaces",
	    "unix_socket_directories"};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (strcasecmp(name, lists[i]) == 0)
			return true;
	return false;
}

/*
 * Append value, a list as PostgreSQL writes it ("$user", public), as one
 * literal per element; false (nothing appended) when it does not parse.
 */
static bool
append_list_literals(strbuf *sql, const char *value)
{
	strbuf out, item;
	const char *p = value;
	bool ok = true;

	sb_init(&out);
	sb_init(&item);
	while (isspace((unsigned char) *p))
		p++;
	while (ok && *p) {
		sb_reset(&item);
		if (*p == '"') {
			for (p++;; p++) {
				if (!*p) {
					ok = false;
					break;
				}
				if (*p == '"') {
					if (p[1] != '"')
						break;
					p++;
				}
				sb_append_char(&item, *p);
			}
			if (ok)
				p++;
		} else {
			while (*p && *p != ',' && !isspace((unsigned char) *p))
				sb_append_char(&item, *p++);
			ok = item.len > 0;
		}
		while (ok && isspace((unsigned char) *p))
			p++;
		if (!ok)
			break;
		if (out.len > 0)
			sb_append(&out, ", ");
		q_literal(&out, item.len ? item.data : "");
		if (*p == ',') {
			p++;
			while (isspace((unsigned char) *p))
				p++;
			ok = *p != '\0';
		} else if (*p)
			ok = false;
	}
	ok = ok && out.len > 0;
	if (ok)
		sb_append(sql, out.data);
	sb_free(&out);
	sb_free(&item);
	return ok;
}

int
dbadmin_setting_sql(strbuf *sql, const char *name, const char *setting)
{
	const char *eq = strchr(setting, '=');
	char *param;

	if (!eq || eq == setting)
		return -1;
	param = xasprintf("%.*s", (int) (eq - setting), setting);
	sb_append(sql, "ALTER DATABASE ");
	q_ident(sql, name);
	sb_append(sql, " SET ");
	q_ident(sql, param);
	sb_append(sql, " TO ");
	if (!is_list_param(param) || !append_list_literals(sql, eq + 1))
		q_literal(sql, eq + 1);
	free(param);
	return 0;
}

int
dbadmin_apply_setting(PGconn *conn, const char *name, const char *setting, char *errbuf,
    size_t errsize)
{
	strbuf sql;

	sb_init(&sql);
	if (dbadmin_setting_sql(&sql, name, setting) < 0) {
		snprintf(errbuf, errsize, "not of the form name=value");
		sb_free(&sql);
		return -1;
	}
	return exec_ddl_err(conn, &sql, "could not apply a database setting", errbuf, errsize);
}

/*
 * Whether the current role may end session a of pg_stat_activity, as
 * pg_terminate_backend decides: a superuser may end any; anyone else only
 * sessions of roles that are not superusers and whose privileges it has
 * (or with pg_signal_backend's).  Asking pg_terminate_backend about the
 * others would be an error, not a "false".
 */
#define CAN_END_SESSION \
	"((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)" \
	" OR (a.usesysid IS NOT NULL" \
	"     AND NOT (SELECT rolsuper FROM pg_catalog.pg_roles r WHERE r.oid = a.usesysid)" \
	"     AND (pg_catalog.pg_has_role(a.usesysid, 'USAGE')" \
	"          OR pg_catalog.pg_has_role('pg_signal_backend', 'USAGE'))))"
/*
 * The sessions that stand in the way: autovacuum workers are not among them
 * (renaming or dropping the database ends those itself).
 */
#define OTHER_SESSIONS \
	" FROM pg_catalog.pg_stat_activity a" \
	" WHERE a.datname = $1 AND a.pid <> pg_catalog.pg_backend_pid()" \
	"   AND a.backend_type IS DISTINCT FROM 'autovacuum worker'"

int
dbadmin_check_sessions(PGconn *conn, const char *name)
{
	/*
	 * A backend without a role yet (or any more) is one starting or exiting,
	 * on its way out by itself: dbadmin_terminate waits for it.
	 */
	PGresult *res = query1(conn,
	    "SELECT a.pid, a.usename, a.application_name" OTHER_SESSIONS
	    "   AND a.usesysid IS NOT NULL AND NOT " CAN_END_SESSION " ORDER BY a.pid", name);
	int n;

	if (!res)
		return -1;
	n = PQntuples(res);
	if (n > 0) {
		log_error("%d session%s on database \"%s\" cannot be ended by role \"%s\"", n,
		    n == 1 ? "" : "s", name, PQuser(conn));
		for (int i = 0; i < n && i < 5; i++)
			log_detail("pid %s, user \"%s\", application \"%s\"", PQgetvalue(res, i, 0),
			    PQgetvalue(res, i, 1), PQgetvalue(res, i, 2));
		log_hint("close %s, or ask a superuser to (ending other roles' sessions needs superuser "
		    "or the pg_signal_backend role); nothing was changed", n == 1 ? "it" : "them");
	}
	PQclear(res);
	return n > 0 ? -1 : 0;
}

int
dbadmin_count_sessions(PGconn *conn, const char *name)
{
	PGresult *res = query1(conn, "SELECT pg_catalog.count(*)" OTHER_SESSIONS, name);
	int n = res ? atoi(PQgetvalue(res, 0, 0)) : -1;

	PQclear(res);
	return n;
}

int
dbadmin_terminate(PGconn *conn, const char *name, int timeout_ms)
{
	/* short naps first: a terminated backend is usually gone within a millisecond or two */
	long nap_us = 500;

	for (long waited_us = 0;; waited_us += nap_us, nap_us = nap_us < 32000 ? nap_us * 2 : nap_us) {
		PGresult *res = query1(conn,
		    "SELECT a.pid, a.usename, a.application_name,"
		    "       CASE WHEN " CAN_END_SESSION " THEN pg_catalog.pg_terminate_backend(a.pid) END"
		    OTHER_SESSIONS, name);
		struct timespec nap = {0, nap_us * 1000};
		int left;

		if (!res)
			return -1;
		left = PQntuples(res);
		if (left == 0) {
			PQclear(res);
			return 0;
		}
		if (waited_us >= (long) timeout_ms * 1000 || intr_pending()) {
			log_error("%d session%s on database \"%s\" did not end", left, left == 1 ? "" : "s",
			    name);
			for (int i = 0; i < left && i < 5; i++)
				log_detail("pid %s, user \"%s\", application \"%s\"%s", PQgetvalue(res, i, 0),
				    PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
				    strcmp(PQgetvalue(res, i, 3), "t") == 0 ? "" : " (not allowed to terminate it)");
			log_hint("ending other users' sessions needs superuser or the pg_signal_backend role");
			PQclear(res);
			return -1;
		}
		PQclear(res);
		nanosleep(&nap, NULL);
	}
}

int
dbadmin_list(PGconn *conn, const char *prefix, bool with_size, dbadmin_info **out, size_t *n)
{
	/* the size only of what the role may connect to: pg_database_size() refuses the rest */
	PGresult *res = query1(conn, with_size ?
	    "SELECT datname, pg_catalog.shobj_description(oid, 'pg_database'), datallowconn,"
	    "       CASE WHEN pg_catalog.has_database_privilege(oid, 'CONNECT')"
	    "            THEN pg_catalog.pg_database_size(oid) END,"
	    "       datdba = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)"
	    "  FROM pg_catalog.pg_database WHERE left(datname, length($1)) = $1 ORDER BY datname" :
	    "SELECT datname, pg_catalog.shobj_description(oid, 'pg_database'), datallowconn, 0,"
	    "       datdba = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)"
	    "  FROM pg_catalog.pg_database WHERE left(datname, length($1)) = $1 ORDER BY datname",
	    prefix);
	dbadmin_info *v;
	int rows;

	*out = NULL;
	*n = 0;
	if (!res)
		return -1;
	rows = PQntuples(res);
	v = xcalloc(rows ? (size_t) rows : 1, sizeof(*v));
	for (int i = 0; i < rows; i++) {
		v[i].name = xstrdup(PQgetvalue(res, i, 0));
		v[i].comment = PQgetisnull(res, i, 1) ? NULL : xstrdup(PQgetvalue(res, i, 1));
		v[i].allow_connections = strcmp(PQgetvalue(res, i, 2), "t") == 0;
		v[i].bytes = strtoll(PQgetvalue(res, i, 3), NULL, 10);
		v[i].owned = strcmp(PQgetvalue(res, i, 4), "t") == 0;
	}
	PQclear(res);
	*out = v;
	*n = (size_t) rows;
	return 0;
}

void
dbadmin_info_free(dbadmin_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].comment);
	}
	free(v);
}

int
dbadmin_try_lock(PGconn *conn, const char *text, int wait_ms)
{
	struct timespec nap = {0, 100 * 1000 * 1000};

	for (int waited = 0;; waited += 100) {
		PGresult *res = query1(conn,
		    "SELECT pg_catalog.pg_try_advisory_lock(pg_catalog.hashtext('db-tools:' || $1))", text);
		int rc;

		if (!res)
			return -1;
		rc = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		PQclear(res);
		/* a killed client's session may take a moment to end */
		if (rc || waited >= wait_ms || intr_pending())
			return rc;
		nanosleep(&nap, NULL);
	}
}
