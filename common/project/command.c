/*
 * command.c — running the project's migrate or seed command; see command.h.
 */
#include "project/command.h"

#include <stdlib.h>
#include <unistd.h>

#include "pg/conn.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/proc.h"

int
command_run(PGconn *maint, const char *db, const char *command, const char *what, char **extra,
    size_t n_extra)
{
	char *password = NULL;
	char *ci = conn_child_conninfo(maint, db, &password, NULL);
	char *uri = conn_uri(maint, db);
	char **env = xcalloc(n_extra + 8, sizeof(char *));
	size_t ne = 0;
	char *argv[] = {"sh", "-c", (char *) command, NULL};
	proc p;
	int status;
	char buf[8192];
	ssize_t got;

	env[ne++] = xasprintf("DATABASE_URL=%s", uri);
	env[ne++] = xasprintf("PGHOST=%s", PQhost(maint));
	env[ne++] = xasprintf("PGPORT=%s", PQport(maint));
	env[ne++] = xasprintf("PGUSER=%s", PQuser(maint));
	env[ne++] = xasprintf("PGDATABASE=%s", db);
	if (password)
		env[ne++] = xasprintf("PGPASSWORD=%s", password);
	for (size_t i = 0; i < n_extra; i++)
		env[ne++] = xstrdup(extra[i]);
	env[ne] = NULL;
	log_info("running the %s command: %s", what, command);
	status = proc_start(&p, argv, env, NULL);
	if (status == 0) {
		while ((got = read(p.out_fd, buf, sizeof(buf))) > 0)
			if (write(STDERR_FILENO, buf, (size_t) got) < 0)
				break;
		status = proc_wait(&p);
		if (status != 0) {
			char *err = proc_stderr(&p, 4000);

			log_error("the %s command failed with exit status %d: %s", what, status, command);
			if (err && *err)
				log_detail("%s", err);
			free(err);
		} else {
			char *err = proc_stderr(&p, 4000);

			if (err && *err)
				log_plain("%s\n", err);
			free(err);
		}
		proc_close(&p);
	} else
		status = -1;
	for (size_t i = 0; i < ne; i++)
		free_secret(env[i]);
	free(env);
	free(uri);
	free(ci);
	free_secret(password);
	return status == 0 ? 0 : -1;
}
