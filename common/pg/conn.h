/*
 * conn.h — libpq connections: open, pin the session, run statements, and
 * describe a connection for people and for child processes without ever
 * exposing its password.
 */
#ifndef DBT_CONN_H
#define DBT_CONN_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "util/strbuf.h"

/*
 * Connect.  conninfo may be NULL (libpq defaults: PG* variables, service
 * files, .pgpass), a database name, "key=value" pairs or a URI; it goes to
 * libpq untouched.  Logs and returns NULL on failure.
 */
PGconn *conn_open(const char *conninfo, const char *appname);
/* The same, to database dbname instead of the one conninfo names (NULL: that one). */
PGconn *conn_open_db(const char *conninfo, const char *dbname, const char *appname);
/*
 * A copy of msg (a libpq message, which may quote the whole connection
 * string) with passwords shown as ***: the user:password of a URI and the
 * password= and sslpassword= values.  Caller frees.
 */
char *conn_redact(const char *msg);
/* Send the server's notices to the log at verbose level (conn_open* do this). */
void conn_route_notices(PGconn *conn);
/* Same server and credentials as conn, another database (NULL: the same). */
PGconn *conn_open_like(PGconn *conn, const char *dbname, const char *appname);
/*
 * n such connections into out[], connected in parallel.  On failure (logged)
 * none is left open and -1 is returned.
 */
int conn_open_like_n(PGconn *conn, const char *dbname, const char *appname, PGconn **out, int n);
/*
 * Pin the session the way pg_dump does: DateStyle ISO, IntervalStyle postgres,
 * extra_float_digits 3, client_encoding = server encoding, empty search_path,
 * no statement/lock/idle timeouts; then the statements in more (may be NULL),
 * all in one round trip.
 */
int conn_pin_session(PGconn *conn, const char *more);
/* Run a statement that returns no rows; logs the server's message on failure. */
int conn_exec(PGconn *conn, const char *sql);
/* Run a query expecting tuples; returns the result or NULL after logging. */
PGresult *conn_query(PGconn *conn, const char *sql);
/* The same with n text parameters ($1...). */
PGresult *conn_query_params(PGconn *conn, const char *sql, int n, const char *const *params);
/* Single value of a one-row query, caller frees; NULL after logging (or for SQL NULL: *is_null). */
char *conn_query_value(PGconn *conn, const char *sql, bool *is_null);
/* Log a libpq error: the first line of the server message and its detail/hint. */
void conn_log_error(PGconn *conn, const PGresult *res, const char *what);
/*
 * A conninfo string that reaches the same server, database dbname (NULL:
 * the same), with every option the connection used except the secret ones:
 * the password goes to *password (caller frees; NULL when none) for
 * PGPASSWORD in a child's environment.  With secrets, the others
 * (sslpassword) go to *secrets as "keyword=value" lines for a private
 * service file (caller frees; NULL when none); with secrets NULL, for
 * connections made in this process only, they stay in the string.
 */
char *conn_child_conninfo(PGconn *conn, const char *dbname, char **password, char **secrets);
/*
 * A postgresql:// URI for database dbname on conn's server, as conn's user,
 * without the password (for DATABASE_URL in a child's environment).
 */
char *conn_uri(PGconn *conn, const char *dbname);
/*
 * Whether the connection is to this machine: its host is a socket
 * directory, "localhost" or a loopback address written out
 * (conn_host_is_local), and the address actually connected to is a Unix
 * socket, 127.0.0.0/8, ::1 or ::ffff:127.x (conn_addr_is_local).  So
 * "host=localhost hostaddr=<remote>", "127.example.com" and a tunnel named
 * after its far end are all remote.
 */
bool conn_is_local(PGconn *conn);
bool conn_host_is_local(const char *host);
bool conn_addr_is_local(const struct sockaddr *sa);

#endif
