/*
 * sqlrun.h — running a SQL script on a connection statement by statement,
 * so that an error names the file and line (migrations, seeds).
 */
#ifndef DBT_SQLRUN_H
#define DBT_SQLRUN_H

#include <libpq-fe.h>
#include <stddef.h>

#include "util/hash.h"

/* One SQL file of a directory (migrations, seeds). */
typedef struct sql_file {
	char *name;                  /* the file name */
	char *path;
	char sha256[HASH_HEX_LEN + 1];
} sql_file;

/*
 * Run every statement of text (len bytes) on conn.  label names it in
 * messages ("db/seeds/010_users.sql").  psql meta-commands are refused.
 * Returns 0, or -1 after logging "LABEL, line N: ..." and the statement.
 */
int sqlrun_run(PGconn *conn, const char *text, size_t len, const char *label);
/*
 * The *.sql files of dir (dot files left out) in name order, each with the
 * SHA-256 of its content.  what names the directory in messages
 * ("migrations").  Returns 0, or -1 after logging.
 */
int sqlrun_scan_dir(const char *dir, const char *what, sql_file **out, size_t *n);
void sqlrun_files_free(sql_file *v, size_t n);
/* Read a whole file; caller frees.  NULL after logging. */
char *sqlrun_read_file(const char *path, size_t *len);

#endif
