/*
 * command.h — the project's own migrate or seed command (a "command" in
 * db-tools.json), run with sh -c against one database.
 */
#ifndef DBT_COMMAND_H
#define DBT_COMMAND_H

#include <libpq-fe.h>
#include <stddef.h>

/*
 * Run a migrate or seed command with sh -c, DATABASE_URL and PG* pointing
 * at database db on maint's server (the password through PGPASSWORD only),
 * plus extra "NAME=value" environment; its output goes to stderr.  what
 * names it in messages.  Returns 0, or -1 after logging its exit status.
 */
int command_run(PGconn *maint, const char *db, const char *command, const char *what,
    char **extra, size_t n_extra);

#endif
