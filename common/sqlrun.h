/*
 * sqlrun.h — running a SQL script on a connection statement by statement,
 * so that an error names the file and line (migrations, seeds).
 */
#ifndef DBT_SQLRUN_H
#define DBT_SQLRUN_H

#include <libpq-fe.h>
#include <stddef.h>

/*
 * Run every statement of text (len bytes) on conn.  label names it in
 * messages ("db/seeds/010_users.sql").  psql meta-commands are refused.
 * Returns 0, or -1 after logging "LABEL, line N: ..." and the statement.
 */
int sr_run(PGconn *conn, const char *text, size_t len, const char *label);
/* Read a whole file; caller frees.  NULL after logging. */
char *sr_read_file(const char *path, size_t *len);

#endif
