/*
 * guard.h — the production guard shared by the tools that replace or drop a
 * database: the environment says "production" (the front end looks at ENV,
 * APP_ENV, RAILS_ENV and NODE_ENV and passes what it found), or the server
 * is neither local nor in the configuration's "allowed_hosts".  The tools
 * refuse unless --force.
 */
#ifndef DBT_GUARD_H
#define DBT_GUARD_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct guard_policy {
	const char *env_reason;      /* "NODE_ENV is set to \"production\"", NULL when none */
	char *const *allowed_hosts;  /* "allowed_hosts" of the configuration */
	size_t n_allowed_hosts;
	const char *config_path;     /* named in the message; NULL when there is no file */
	bool force;                  /* --force: warn instead of refusing */
} guard_policy;

/* NULL when the target looks safe; otherwise why not (caller frees). */
char *guard_production_reason(PGconn *conn, const guard_policy *g);

#endif
