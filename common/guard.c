/*
 * guard.c — the production guard; see guard.h.
 */
#include "guard.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conn.h"
#include "strbuf.h"

char *
guard_production_reason(PGconn *conn, const cfg *c)
{
	static const char *const vars[] = {"ENV", "APP_ENV", "RAILS_ENV", "NODE_ENV"};
	const char *host;

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (v && strcasecmp(v, "production") == 0)
			return xasprintf("%s is set to \"%s\"", vars[i], v);
	}
	if (conn_is_local(conn))
		return NULL;
	host = PQhost(conn);
	for (size_t i = 0; i < c->n_allowed_hosts; i++)
		if (strcasecmp(c->allowed_hosts[i], host) == 0)
			return NULL;
	return xasprintf("the server \"%s\" is neither local nor listed in \"allowed_hosts\"%s%s",
	    host, c->path ? " in " : "", c->path ? c->path : "");
}
