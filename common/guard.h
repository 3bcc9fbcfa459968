/*
 * guard.h — the production guard shared by the tools that replace or drop a
 * database: the environment says "production" (ENV, APP_ENV, RAILS_ENV,
 * NODE_ENV), or the server is neither local nor in the configuration's
 * "allowed_hosts".  The tools refuse unless --force.
 */
#ifndef DBT_GUARD_H
#define DBT_GUARD_H

#include <libpq-fe.h>

#include "config.h"

/* NULL when the target looks safe; otherwise why not (caller frees). */
char *guard_production_reason(PGconn *conn, const cfg *c);

#endif
