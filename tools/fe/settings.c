/*
 * settings.c — precedence and defaults; see settings.h.
 */
#include "fe/settings.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pg/sqlrun.h"
#include "util/format.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/strbuf.h"
#include "util/suggest.h"

int
fe_settings_resolve(const opt_common *oc, const char *compression, bool force, const cfg *c,
    fe_settings *out)
{
	const char *spec = compression ? compression : c->compression ? c->compression :
	    FE_DEFAULT_COMPRESSION;
	char why[160];

	memset(out, 0, sizeof(*out));
	out->conninfo = cfg_pick_str(oc->dbname, "DATABASE_URL", c->database, NULL);
	out->dir = cfg_pick_str(oc->dir, NULL, c->backups_dir, FE_DEFAULT_DIR);
	out->jobs = cfg_pick_int(oc->jobs, c->jobs, FE_DEFAULT_JOBS);
	out->cache_size = cfg_pick_int(-1, c->cache_size, FE_DEFAULT_CACHE_SIZE);
	out->pg_dump = getenv("DB_TOOLS_PG_DUMP");
	if (out->pg_dump && !*out->pg_dump)
		out->pg_dump = NULL;
	out->env_reason = fe_production_env();
	out->guard.env_reason = out->env_reason;
	out->guard.allowed_hosts = c->allowed_hosts;
	out->guard.n_allowed_hosts = c->n_allowed_hosts;
	out->guard.config_path = c->path;
	out->guard.force = force;
	if (codec_parse_spec(spec, &out->codec, &out->level, why, sizeof(why)) < 0) {
		log_error("%s%s", compression ? "invalid value for -Z: " : "configuration: \"compression\": ", why);
		log_hint("use a gzip level (0-9), or METHOD[:LEVEL]: gzip:1, zstd:3, none");
		return -1;
	}
	return 0;
}

void
fe_settings_free(fe_settings *s)
{
	free(s->env_reason);
	memset(s, 0, sizeof(*s));
}

char *
fe_production_env(void)
{
	static const char *const vars[] = {"ENV", "APP_ENV", "RAILS_ENV", "NODE_ENV"};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (v && strcasecmp(v, "production") == 0)
			return xasprintf("%s is set to \"%s\"", vars[i], v);
	}
	return NULL;
}

int
fe_seed_counts(const seed_vars *cli, const cfg *c, seed_vars *out)
{
	for (size_t i = 0; i < c->n_counts; i++) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%lld", c->count_values[i]);
		sv_set(out, c->count_names[i], buf);
	}
	for (size_t i = 0; i < out->n; i++) {
		char *var = xasprintf("SEED_%s_COUNT", out->v[i].name);
		const char *env;

		for (char *p = var; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char) (*p - 'a' + 'A');
		env = getenv(var);
		if (env && *env) {
			if (strspn(env, "0123456789") != strlen(env) || strlen(env) > 18) {
				log_error("invalid count \"%s\" in %s: must be a whole number, 0 or more", env, var);
				free(var);
				return -1;
			}
			sv_set(out, out->v[i].name, env);
		}
		free(var);
	}
	for (size_t i = 0; i < cli->n; i++)
		sv_set(out, cli->v[i].name, cli->v[i].value);
	return 0;
}

int
fe_check_counts(const seed_vars *cli, const char *seeds_dir)
{
	sql_file *files = NULL;
	size_t n_files = 0;
	seed_vars used = {0};
	const char **names;
	int rc = 0;

	if (!seeds_dir || cli->n == 0)
		return 0;
	if (sqlrun_scan_dir(seeds_dir, "seeds", &files, &n_files) < 0 ||
	    seed_files_variables(files, n_files, &used) < 0) {
		sqlrun_files_free(files, n_files);
		return -1;
	}
	names = xcalloc(used.n + 1, sizeof(*names));
	for (size_t i = 0; i < used.n; i++)
		names[i] = used.v[i].name;
	for (size_t i = 0; i < cli->n && rc == 0; i++) {
		const char *near;

		if (sv_get(&used, cli->v[i].name))
			continue;
		log_error("no seed file in %s uses a count named \"%s\"", seeds_dir, cli->v[i].name);
		if ((near = suggest_closest(cli->v[i].name, names, used.n)))
			log_hint("did you mean -c %s=%s?", near, cli->v[i].value);
		else if (used.n > 0) {
			strbuf all;

			sb_init(&all);
			for (size_t k = 0; k < used.n; k++)
				sb_appendf(&all, "%s%s", k ? ", " : "", used.v[k].name);
			log_hint("the seed files use: %s (--set gives a variable of any name)", all.data);
			sb_free(&all);
		} else
			log_hint("the seed files use no variables");
		rc = -1;
	}
	free(names);
	sv_free(&used);
	sqlrun_files_free(files, n_files);
	return rc;
}

int
fe_spare_settings(const char *flag, const cfg *c, long long *budget, char **log)
{
	const char *env = getenv("DB_TOOLS_SPARE_BUDGET"), *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	const char *given = flag ? flag : env && *env ? env : NULL;
	char *dir;

	*log = NULL;
	if (given && parse_size(given, budget) < 0) {
		log_error("invalid size \"%s\" for %s: use a number of bytes or a size such as 4GiB (0: no spares)",
		    given, flag ? "--spare-budget" : "DB_TOOLS_SPARE_BUDGET");
		return -1;
	}
	if (!given)
		*budget = c->spare_budget >= 0 ? c->spare_budget : FE_DEFAULT_SPARE_BUDGET;
	/* quietly none where the state directory cannot be had */
	if (state && *state == '/' && (access(state, W_OK) == 0 || mkdir(state, 0700) == 0))
		dir = xasprintf("%s/db-tools", state);
	else if (home && *home == '/' && access(home, W_OK) == 0)
		dir = xasprintf("%s/.local/state/db-tools", home);
	else
		return 0;
	if (fs_mkdir_p(dir, 0700) == 0)
		*log = xasprintf("%s/spares.log", dir);
	free(dir);
	return 0;
}

int
fe_rng_seed(long long cli, const cfg *c, long long *out)
{
	const char *env = getenv("SEED_RNG_SEED");
	int n;

	if (cli >= 0)
		*out = cli;
	else if (env && *env) {
		if (opt_parse_int(env, "SEED_RNG_SEED", 0, INT_MAX, &n) < 0)
			return -1;
		*out = n;
	} else
		*out = c->rng_seed >= 0 ? c->rng_seed : 0;
	return 0;
}
