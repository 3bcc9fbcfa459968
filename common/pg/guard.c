/*
 * guard.c — the production guard; see guard.h.
 */
#include "pg/guard.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pg/conn.h"
#include "util/mem.h"

char *
guard_production_reason(PGconn *conn, const guard_policy *g)
{
	const char *host;

	if (g->env_reason)
		return xstrdup(g->env_reason);
	if (conn_is_local(conn))
		return NULL;
	host = PQhost(conn);
	for (size_t i = 0; i < g->n_allowed_hosts; i++)
		if (strcasecmp(g->allowed_hosts[i], host) == 0)
			return NULL;
	return xasprintf("the server \"%s\" is neither local nor listed in \"allowed_hosts\"%s%s",
	    host, g->config_path ? " in " : "", g->config_path ? g->config_path : "");
}
