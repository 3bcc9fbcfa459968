/*
 * conn.c — libpq connections; see conn.h.
 */
#include "pg/conn.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sql/quote.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/strbuf.h"

/*
 * Server notices ("database ... does not exist, skipping" from the tools'
 * own DROP ... IF EXISTS) are debugging detail, not news: shown with -vv.
 */
static void
notice_to_log(void *arg, const char *message)
{
	size_t len = strlen(message);

	(void) arg;
	while (len > 0 && message[len - 1] == '\n')
		len--;
	log_debug("server: %.*s", (int) len, message);
}

void
conn_route_notices(PGconn *conn)
{
	PQsetNoticeProcessor(conn, notice_to_log, NULL);
}

char *
conn_redact(const char *msg)
{
	static const char *const keys[] = {"password=", "sslpassword="};
	strbuf out;
	const char *p = msg;

	sb_init(&out);
	while (*p) {
		const char *at, *colon, *end;
		size_t k;

		/* scheme://user:SECRET@host */
		if (strncmp(p, "://", 3) == 0 && (at = strpbrk(p + 3, "@/ \"?")) && *at == '@' &&
		    (colon = memchr(p + 3, ':', (size_t) (at - p - 3)))) {
			sb_append_len(&out, p, (size_t) (colon + 1 - p));
			sb_append(&out, "***");
			p = at;
			continue;
		}
		/* password=SECRET, sslpassword=SECRET, quoted or not */
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (strncmp(p, keys[k], strlen(keys[k])) == 0 && (p == msg || !isalnum((unsigned char) p[-1])))
				break;
		if (k < sizeof(keys) / sizeof(keys[0])) {
			sb_append(&out, keys[k]);
			p += strlen(keys[k]);
			if (*p == '\'') {
				for (end = p + 1; *end && *end != '\''; end += end[0] == '\\' && end[1] ? 2 : 1)
					;
				end += *end == '\'';
			} else
				end = p + strcspn(p, " &\"");
			sb_append(&out, "***");
			p = end;
			continue;
		}
		sb_append_char(&out, *p++);
	}
	return sb_steal(&out);
}

/* log_error("<what>: <libpq's message>"), any password in the message hidden */
static void
log_libpq_error(const char *what, const char *msg)
{
	char *safe = conn_redact(msg);

	log_error("%s: %s", what, safe[strspn(safe, " \n")] ? safe : "unknown error");
	free(safe);
}

PGconn *
conn_open(const char *conninfo, const char *appname)
{
	return conn_open_db(conninfo, NULL, appname);
}

PGconn *
conn_open_db(const char *conninfo, const char *dbname, const char *appname)
{
	/* with expand_dbname, a later "dbname" overrides the one conninfo names */
	const char *keys[4], *vals[4];
	int k = 0;
	PGconn *conn;

	if (conninfo && *conninfo) {
		keys[k] = "dbname";
		vals[k++] = conninfo;
	}
	if (dbname) {
		keys[k] = "dbname";
		vals[k++] = dbname;
	}
	keys[k] = "fallback_application_name";
	vals[k++] = appname;
	keys[k] = NULL;
	vals[k] = NULL;
	conn = PQconnectdbParams(keys, vals, 1);
	if (!conn) {
		log_error("out of memory while connecting");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		log_libpq_error("could not connect to the database", PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	conn_route_notices(conn);
	return conn;
}

/* Log why a connection to dbname failed and free it. */
static void
connect_failed(PGconn *c, const char *dbname)
{
	char *what = xasprintf("could not connect to database \"%s\"", dbname);

	log_libpq_error(what, c ? PQerrorMessage(c) : "out of memory");
	free(what);
	PQfinish(c);
}

/*
 * Start n connections like conn's to dbname and drive them to the end
 * together, so their backends start in parallel: the time of one
 * connection instead of n.
 */
int
conn_open_like_n(PGconn *conn, const char *dbname, const char *appname, PGconn **out, int n)
{
	char *password = NULL;
	char *ci = conn_child_conninfo(conn, dbname, &password, NULL);
	const char *name = dbname ? dbname : PQdb(conn);
	PostgresPollingStatusType *st = xcalloc((size_t) (n ? n : 1), sizeof(*st));
	struct pollfd *pfd = xcalloc((size_t) (n ? n : 1), sizeof(*pfd));
	const char *keys[4], *vals[4];
	int k = 0, left = n, rc = 0;

	keys[k] = "dbname";
	vals[k++] = ci;
	if (password) {
		keys[k] = "password";
		vals[k++] = password;
	}
	keys[k] = "fallback_application_name";
	vals[k++] = appname;
	keys[k] = NULL;
	vals[k] = NULL;
	for (int i = 0; i < n; i++)
		out[i] = NULL;
	for (int i = 0; i < n; i++) {
		out[i] = PQconnectStartParams(keys, vals, 1);
		st[i] = PGRES_POLLING_WRITING;
		if (!out[i] || PQstatus(out[i]) == CONNECTION_BAD) {
			connect_failed(out[i], name);
			out[i] = NULL;
			rc = -1;
			left = 0;
			break;
		}
	}
	free(ci);
	free_secret(password);
	while (left > 0 && rc == 0) {
		int m = 0;

		for (int i = 0; i < n; i++) {
			if (st[i] == PGRES_POLLING_OK)
				continue;
			pfd[m].fd = PQsocket(out[i]);
			pfd[m].events = st[i] == PGRES_POLLING_READING ? POLLIN : POLLOUT;
			pfd[m].revents = 0;
			m++;
		}
		if (poll(pfd, (nfds_t) m, -1) < 0) {
			if (errno == EINTR && !intr_pending())
				continue;
			log_error("could not connect to database \"%s\": %s", name,
			    errno == EINTR ? "interrupted" : strerror(errno));
			rc = -1;
			break;
		}
		m = 0;
		for (int i = 0; i < n && rc == 0; i++) {
			if (st[i] == PGRES_POLLING_OK)
				continue;
			if (pfd[m++].revents == 0)
				continue;
			st[i] = PQconnectPoll(out[i]);
			if (st[i] == PGRES_POLLING_FAILED) {
				connect_failed(out[i], name);
				out[i] = NULL;
				rc = -1;
			} else if (st[i] == PGRES_POLLING_OK) {
				conn_route_notices(out[i]);
				left--;
			}
		}
	}
	if (rc < 0)
		for (int i = 0; i < n; i++) {
			PQfinish(out[i]);
			out[i] = NULL;
		}
	free(st);
	free(pfd);
	return rc;
}

PGconn *
conn_open_like(PGconn *conn, const char *dbname, const char *appname)
{
	PGconn *c;

	return conn_open_like_n(conn, dbname, appname, &c, 1) < 0 ? NULL : c;
}

void
conn_log_error(PGconn *conn, const PGresult *res, const char *what)
{
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
	const char *context = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
	const char *msg;

	if (primary) {
		log_error("%s: %s", what, primary);
		if (detail)
			log_detail("%s", detail);
		if (context)
			log_detail("%.300s", context);
		if (hint)
			log_hint("%s", hint);
		return;
	}
	msg = conn ? PQerrorMessage(conn) : "no connection";
	log_libpq_error(what, msg);
}

int
conn_exec(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);

	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		conn_log_error(conn, res, "query failed");
		log_detail("query was: %.200s", sql);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

PGresult *
conn_query_params(PGconn *conn, const char *sql, int n, const char *const *params)
{
	PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		conn_log_error(conn, res, "query failed");
		PQclear(res);
		return NULL;
	}
	return res;
}

PGresult *
conn_query(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		conn_log_error(conn, res, "query failed");
		log_detail("query was: %.200s", sql);
		PQclear(res);
		return NULL;
	}
	return res;
}

char *
conn_query_value(PGconn *conn, const char *sql, bool *is_null)
{
	PGresult *res = conn_query(conn, sql);
	char *v;

	if (is_null)
		*is_null = false;
	if (!res)
		return NULL;
	if (PQntuples(res) != 1 || PQnfields(res) < 1) {
		log_error("query returned %d rows instead of 1: %.200s", PQntuples(res), sql);
		PQclear(res);
		return NULL;
	}
	if (PQgetisnull(res, 0, 0)) {
		if (is_null)
			*is_null = true;
		PQclear(res);
		return NULL;
	}
	v = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

int
conn_pin_session(PGconn *conn, const char *more)
{
	strbuf sql;
	int rc;
	const char *server_enc = PQparameterStatus(conn, "server_encoding");

	if (!server_enc) {
		log_error("the server did not report its encoding");
		return -1;
	}
	sb_init(&sql);
	sb_append(&sql, "SET client_encoding = ");
	q_literal(&sql, server_enc);
	sb_append(&sql,
	    "; SET DateStyle = ISO; SET IntervalStyle = postgres; SET extra_float_digits = 3;"
	    " SET statement_timeout = 0; SET lock_timeout = 0;"
	    " SET idle_in_transaction_session_timeout = 0;"
	    " SELECT pg_catalog.set_config('search_path', '', false);");
	if (more)
		sb_appendf(&sql, " %s", more);
	rc = conn_exec(conn, sql.data);
	sb_free(&sql);
	if (rc == 0 && PQclientEncoding(conn) != pg_char_to_encoding(server_enc)) {
		log_error("could not set client encoding to \"%s\"", server_enc);
		return -1;
	}
	return rc;
}

char *
conn_child_conninfo(PGconn *conn, const char *dbname, char **password, char **secrets)
{
	PQconninfoOption *opts = PQconninfo(conn);
	strbuf sb, sec;

	*password = NULL;
	sb_init(&sb);
	sb_init(&sec);
	for (PQconninfoOption *o = opts; o && o->keyword; o++) {
		const char *val = o->val;

		if (strcmp(o->keyword, "password") == 0) {
			if (val && *val)
				*password = xstrdup(val);
			continue;
		}
		/* "*": a secret (sslpassword): never in a string that may reach a command line */
		if (secrets && strchr(o->dispchar, '*')) {
			if (val && *val && !strchr(val, '\n'))
				sb_appendf(&sec, "%s=%s\n", o->keyword, val);
			continue;
		}
		if (strcmp(o->keyword, "dbname") == 0 && dbname)
			val = dbname;
		/* "D" = debug options, never useful to pass on */
		if (!val || !*val || strchr(o->dispchar, 'D'))
			continue;
		if (strcmp(o->keyword, "host") == 0 || strcmp(o->keyword, "hostaddr") == 0 ||
		    strcmp(o->keyword, "port") == 0) {
			/* PQconninfo reports the list given; keep the one actually used */
			if (strcmp(o->keyword, "host") == 0 && PQhost(conn))
				val = PQhost(conn);
			else if (strcmp(o->keyword, "port") == 0 && PQport(conn))
				val = PQport(conn);
			else if (strcmp(o->keyword, "hostaddr") == 0 && PQhostaddr(conn))
				val = PQhostaddr(conn);
		}
		if (sb.len)
			sb_append_char(&sb, ' ');
		sb_appendf(&sb, "%s=", o->keyword);
		q_conninfo_value(&sb, val);
	}
	PQconninfoFree(opts);
	if (secrets)
		*secrets = sec.len ? sb_steal(&sec) : NULL;
	if (sec.data) {
		explicit_bzero(sec.data, sec.len);
		sb_free(&sec);
	}
	return sb_steal(&sb);
}

bool
conn_addr_is_local(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_UNIX)
		return true;
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *) sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *) sa)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

bool
conn_host_is_local(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (!host || !*host || host[0] == '/' || host[0] == '@')
		return true;
	if (strcmp(host, "localhost") == 0)
		return true;
	/* an address written out, not a name that only starts like one ("127.example.com") */
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

bool
conn_is_local(PGconn *conn)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);

	/*
	 * Both the name and the address actually connected to: "host=localhost
	 * hostaddr=<remote>" is remote, and so is a tunnel named after the host
	 * it leads to ("host=db.example.com hostaddr=127.0.0.1").
	 */
	if (!conn_host_is_local(PQhost(conn)))
		return false;
	if (PQsocket(conn) < 0 || getpeername(PQsocket(conn), (struct sockaddr *) &peer, &len) < 0)
		return false;
	return conn_addr_is_local((const struct sockaddr *) &peer);
}

static void
uri_encode(strbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char) *s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~')
			sb_append_char(sb, (char) c);
		else
			sb_appendf(sb, "%%%02X", c);
	}
}

char *
conn_uri(PGconn *conn, const char *dbname)
{
	strbuf sb;

	sb_init(&sb);
	sb_append(&sb, "postgresql:///");
	uri_encode(&sb, dbname);
	sb_append(&sb, "?host=");
	uri_encode(&sb, PQhost(conn));
	sb_append(&sb, "&port=");
	uri_encode(&sb, PQport(conn));
	sb_append(&sb, "&user=");
	uri_encode(&sb, PQuser(conn));
	return sb_steal(&sb);
}
