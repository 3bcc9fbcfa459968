/*
 * db-reset — rebuild a development database from its migrations and seeds
 * beside the target, then swap it in; --fast clones the cached result of
 * the same inputs.  Manual: man/db-reset.1.
 */
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "dbadmin.h"
#include "exitcode.h"
#include "interrupt.h"
#include "log.h"
#include "options.h"
#include "reset.h"
#include "restore.h"
#include "snapdir.h"
#include "snapshot.h"
#include "seed.h"
#include "snapname.h"
#include "strbuf.h"
#include "tcache.h"

/* What the user asked for; -1 / NULL = not given. */
struct settings {
	opt_common common;           /* -d -o -j --config --progress -q -v */
	seed_vars counts;            /* -c */
	seed_vars sets;              /* --set */
	long long rng_seed;          /* --rng-seed */
	bool no_seed;                /* --no-seed */
	bool yes;                    /* -y */
	bool fast;                   /* --fast */
	bool status;                 /* --status */
	bool force;                  /* --force */
	int keep_previous;           /* --keep-previous */
	bool no_cache;               /* --no-cache */
	enum tc_action cache;        /* --cache */
	bool json;                   /* --json */
	const char *from;            /* --from */
	bool snapshot_first;         /* --snapshot-first */
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "db-reset rebuilds a development database from its migrations and seeds.\n"
	    "\n"
	    "Usage: db-reset [OPTION]...\n"
	    "       db-reset --status [OPTION]...\n"
	    "       db-reset --cache=list|clear [OPTION]...\n"
	    "\n"
	    "Options:\n"
	    "  -d, --dbname=CONNINFO   target database: a name, \"key=value\" conninfo or URI\n"
	    "  -c, --count=NAME=N      a seed count, repeatable (default: SEED_<NAME>_COUNT,\n"
	    "                          else the config)\n"
	    "      --set=NAME=VALUE    another variable for the seed files (repeatable)\n"
	    "      --rng-seed=N        seed of the random generator (default: config, else 0)\n"
	    "      --no-seed           migrate only\n"
	    "      --fast              clone the cached result when the inputs are unchanged\n"
	    "      --from=NAME|PATH    reset to a snapshot instead (as db-restore does)\n"
	    "      --snapshot-first    take a db-snapshot of the database before resetting\n"
	    "  -y, --yes               do not ask for confirmation\n"
	    "      --force             reset even a target that looks like production\n"
	    "      --keep-previous=N   keep N replaced copies of the target (default 1)\n"
	    "      --no-cache          do not keep the result for --fast\n"
	    "      --cache=ACTION      list or clear the cached results on the server\n"
	    "      --status            show applied, pending, changed migrations; last seed\n"
	    "      --json              print a JSON summary on stdout\n"
	    "  -o, --dir=DIR           snapshot directory (default: config, else ./backups)\n"
	    "  -j, --jobs=N            worker connections, 1-64 (default: config, else 2)\n"
	    "      --config=FILE       configuration file (default: db-tools.json upwards)\n"
	    "      --progress=WHEN     progress bar: auto (on a TTY), always, never\n"
	    "  -q, --quiet             print only errors\n"
	    "  -v, --verbose           print more detail (repeat for debug)\n"
	    "  -V, --version           print the version and exit\n"
	    "  -h, --help              show this help and exit\n"
	    "\n"
	    "Migrations and seeds come from the configuration (\"migrations\", \"seeds\").\n"
	    "Exit status: 0 success, 1 failure, 2 usage error, 3 refused, 4 integrity.\n"
	    "See db-reset(1) and db-tools(5).\n");
}

enum {
	OPT_SET = 256, OPT_RNG_SEED, OPT_NO_SEED, OPT_FAST, OPT_STATUS, OPT_FORCE, OPT_KEEP_PREVIOUS,
	OPT_NO_CACHE, OPT_CACHE, OPT_JSON, OPT_FROM, OPT_SNAPSHOT_FIRST,
};

/* NAME=VALUE into vars; logs and returns -1 when malformed. */
static int
parse_assignment(const char *arg, const char *option, bool integer, seed_vars *vars)
{
	const char *eq = strchr(arg, '=');
	char *name;
	int rc = 0;

	if (!eq || eq == arg) {
		log_error("invalid value \"%s\" for option %s: use NAME=%s", arg, option, integer ? "N" : "VALUE");
		return -1;
	}
	name = xasprintf("%.*s", (int) (eq - arg), arg);
	for (const char *c = name; *c; c++)
		if (!(*c == '_' || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9')))
			rc = -1;
	if (rc < 0)
		log_error("invalid name \"%s\" for option %s: use letters, digits and '_'", name, option);
	else if (integer && (eq[1] == '\0' || strspn(eq + 1, "0123456789") != strlen(eq + 1) ||
	    strlen(eq + 1) > 18)) {
		log_error("invalid count \"%s\" for option %s: must be a whole number, 0 or more", eq + 1, option);
		rc = -1;
	} else
		sv_set(vars, name, eq + 1);
	free(name);
	return rc;
}

static int
parse_args(int argc, char **argv, struct settings *s)
{
	static const struct option longopts[] = {
		OPT_COMMON_LONGOPTS,
		{"count", required_argument, NULL, 'c'},
		{"set", required_argument, NULL, OPT_SET},
		{"rng-seed", required_argument, NULL, OPT_RNG_SEED},
		{"no-seed", no_argument, NULL, OPT_NO_SEED},
		{"fast", no_argument, NULL, OPT_FAST},
		{"yes", no_argument, NULL, 'y'},
		{"force", no_argument, NULL, OPT_FORCE},
		{"keep-previous", required_argument, NULL, OPT_KEEP_PREVIOUS},
		{"no-cache", no_argument, NULL, OPT_NO_CACHE},
		{"cache", required_argument, NULL, OPT_CACHE},
		{"status", no_argument, NULL, OPT_STATUS},
		{"json", no_argument, NULL, OPT_JSON},
		{"from", required_argument, NULL, OPT_FROM},
		{"snapshot-first", no_argument, NULL, OPT_SNAPSHOT_FIRST},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, n;

	while ((c = getopt_long(argc, argv, OPT_COMMON_SHORTOPTS "c:yVh", longopts, NULL)) != -1) {
		int common = opt_common_parse(c, optarg, &s->common);

		if (common != 0) {
			if (common < 0)
				return EXIT_USAGE;
			continue;
		}
		switch (c) {
		case 'c':
			if (parse_assignment(optarg, "-c/--count", true, &s->counts) < 0)
				return EXIT_USAGE;
			break;
		case OPT_SET:
			if (parse_assignment(optarg, "--set", false, &s->sets) < 0)
				return EXIT_USAGE;
			break;
		case OPT_RNG_SEED:
			if (opt_parse_int(optarg, "--rng-seed", 0, INT_MAX, &n) < 0)
				return EXIT_USAGE;
			s->rng_seed = n;
			break;
		case OPT_NO_SEED:
			s->no_seed = true;
			break;
		case OPT_FAST:
			s->fast = true;
			break;
		case 'y':
			s->yes = true;
			break;
		case OPT_FORCE:
			s->force = true;
			break;
		case OPT_KEEP_PREVIOUS:
			if (opt_parse_int(optarg, "--keep-previous", 0, 1000, &s->keep_previous) < 0)
				return EXIT_USAGE;
			break;
		case OPT_NO_CACHE:
			s->no_cache = true;
			break;
		case OPT_CACHE:
			if (tc_parse_action(optarg, &s->cache) < 0)
				return EXIT_USAGE;
			break;
		case OPT_STATUS:
			s->status = true;
			break;
		case OPT_JSON:
			s->json = true;
			break;
		case OPT_FROM:
			if (opt_nonempty(optarg, "--from") < 0)
				return EXIT_USAGE;
			s->from = optarg;
			break;
		case OPT_SNAPSHOT_FIRST:
			s->snapshot_first = true;
			break;
		case 'V':
			printf("db-reset (db-tools) %s\n", DB_TOOLS_VERSION);
			return EXIT_OK_STOP;
		case 'h':
			usage(stdout);
			return EXIT_OK_STOP;
		default:
			log_hint("try \"db-reset --help\" for more information");
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument \"%s\"", argv[optind]);
		log_hint("try \"db-reset --help\" for more information");
		return EXIT_USAGE;
	}
	if (s->fast && s->no_cache)
		return opt_conflict("--no-cache", "a full reset (not --fast)");
	if (s->from && (s->fast || s->no_seed || s->counts.n || s->sets.n || s->rng_seed >= 0)) {
		log_error("--from restores a snapshot: it cannot be combined with --fast, --no-seed, -c, --set or --rng-seed");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/*
 * Counts: -c > SEED_<NAME>_COUNT > the configuration.  Every name the
 * configuration or the command line knows is looked up in the environment.
 */
static int
merge_counts(const struct settings *s, const cfg *c, seed_vars *out)
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
	for (size_t i = 0; i < s->counts.n; i++)
		sv_set(out, s->counts.v[i].name, s->counts.v[i].value);
	return 0;
}

/* --snapshot-first: a db-snapshot named "before-reset" of the target, when it exists. */
static int
snapshot_first(const char *conninfo, const char *dir, const cfg *c, const opt_common *oc)
{
	char *target = dba_target_name(conninfo);
	PGconn *maint = target ? dba_connect_maintenance(conninfo, target, "db-reset") : NULL;
	int exists = maint ? dba_exists(maint, target) : -1;
	snap_opts so = {
		.conninfo = conninfo,
		.dir = dir,
		.name = "before-reset",
		.jobs = cfg_pick_int(oc->jobs, c->jobs, 2),
		.level = cfg_pick_int(-1, c->compression, 1),
		.progress = oc->progress,
		.split = WHEN_AUTO,
	};
	snap_result sr;
	int rc = EXIT_FAILURE_;

	PQfinish(maint);
	if (exists == 0) {
		log_info("--snapshot-first: \"%s\" does not exist yet; nothing to keep", target);
		rc = EXIT_OK;
	} else if (exists == 1) {
		if (snap_run(&so, &sr) == 0) {
			log_info("snapshot of \"%s\" taken first: %s", target, sr.tar_path);
			snap_result_free(&sr);
			rc = EXIT_OK;
		} else
			log_error("the snapshot failed; nothing was reset");
	}
	free(target);
	return rc;
}

/* --from: the db-restore path. */
static int
reset_from(const struct settings *s, const cfg *c, const char *conninfo, const char *dir)
{
	char *path;
	rst_result rr;
	rst_opts ro = {
		.conninfo = conninfo,
		.jobs = cfg_pick_int(s->common.jobs, c->jobs, 2),
		.yes = s->yes,
		.force = s->force,
		.use_cache = !s->no_cache,
		.cache_size = cfg_pick_int(-1, c->cache_size, 3),
		.keep_previous = s->keep_previous,
		.progress = s->common.progress,
		.cfg = c,
	};
	int rc = sd_resolve(s->from, dir, &path);

	if (rc != EXIT_OK)
		return rc;
	ro.archive = path;
	rc = rst_run(&ro, &rr);
	if (rc == EXIT_OK)
		log_plain("reset \"%s\" to snapshot \"%s\" in %.2f s%s\n", rr.target, path, rr.seconds,
		    rr.from_cache ? " (from the cached template)" : "");
	if (s->json) {
		char *js = rst_result_json(&rr);

		fputs(js, stdout);
		free(js);
	}
	rst_result_free(&rr);
	free(path);
	return rc;
}

static void
print_summary(const rs_result *r)
{
	log_plain("reset \"%s\" in %.2f s%s\n", r->target, r->seconds,
	    r->from_cache ? " (a clone of the cached result)" : "");
	if (!r->from_cache)
		log_plain("  steps     create %.2f s, migrate %.2f s (%d applied), seed %.2f s, keep for --fast %.2f s, swap %.2f s\n",
		    r->t_create, r->t_migrate, r->migrations, r->t_seed, r->t_cache, r->t_swap);
	else
		log_plain("  steps     clone %.2f s, swap %.2f s\n", r->t_create, r->t_swap);
	if (r->rows_json)
		log_plain("  rows      %s\n", r->rows_json);
	if (r->previous)
		log_plain("  previous  kept as \"%s\"\n", r->previous);
}

int
main(int argc, char **argv)
{
	struct settings s = {.rng_seed = -1, .keep_previous = 1};
	cfg c;
	const char *conninfo;
	rs_opts o;
	rs_result r;
	int rc;

	log_init(argv[0]);
	memset(&o, 0, sizeof(o));
	opt_common_init(&s.common);
	rc = parse_args(argc, argv, &s);
	if (rc == EXIT_OK) {
		log_set_level(opt_common_log_level(&s.common));
		if (cfg_load(s.common.config, &c) < 0) {
			cfg_free(&c);
			rc = EXIT_USAGE;
		}
	}
	if (rc != EXIT_OK) {
		sv_free(&s.counts);
		sv_free(&s.sets);
		return rc == EXIT_OK_STOP ? EXIT_OK : rc;
	}
	if (c.path)
		log_verbose("using configuration file \"%s\"", c.path);
	conninfo = cfg_pick_str(s.common.dbname, "DATABASE_URL", c.database, NULL);
	if (s.status) {
		rc = rs_status(conninfo, &c);
		goto done;
	}
	if (s.cache != TC_ACTION_NONE) {
		rc = tc_manage(conninfo, "reset", s.cache, s.json, "db-reset");
		goto done;
	}
	if (intr_install() < 0) {
		log_error("could not set up signal handling");
		rc = EXIT_FAILURE_;
		goto done;
	}
	if (s.snapshot_first &&
	    (rc = snapshot_first(conninfo, cfg_pick_str(s.common.dir, NULL, c.backups_dir, "backups"), &c,
	    &s.common)) != EXIT_OK)
		goto done;
	if (s.from) {
		rc = reset_from(&s, &c, conninfo, cfg_pick_str(s.common.dir, NULL, c.backups_dir, "backups"));
		goto done;
	}
	if (merge_counts(&s, &c, &o.counts) < 0) {
		rc = EXIT_USAGE;
		goto done;
	}
	for (size_t i = 0; i < s.sets.n; i++)
		sv_set(&o.sets, s.sets.v[i].name, s.sets.v[i].value);
	if (s.rng_seed >= 0)
		o.rng_seed = s.rng_seed;
	else if (getenv("SEED_RNG_SEED") && *getenv("SEED_RNG_SEED")) {
		int n;

		if (opt_parse_int(getenv("SEED_RNG_SEED"), "SEED_RNG_SEED", 0, INT_MAX, &n) < 0) {
			rc = EXIT_USAGE;
			goto done;
		}
		o.rng_seed = n;
	} else
		o.rng_seed = c.rng_seed >= 0 ? c.rng_seed : 0;
	o.conninfo = conninfo;
	o.cfg = &c;
	o.no_seed = s.no_seed;
	o.yes = s.yes;
	o.force = s.force;
	o.fast = s.fast;
	o.use_cache = !s.no_cache;
	o.cache_size = cfg_pick_int(-1, c.cache_size, 3);
	o.keep_previous = s.keep_previous;
	o.progress = s.common.progress;
	{
		rc = rs_run(&o, &r);
		if (rc == EXIT_OK)
			print_summary(&r);
		else if (rc == EXIT_FAILURE_ && intr_pending())
			log_error("reset interrupted; the target was not replaced");
		if (s.json) {
			char *js = rs_result_json(&r);

			fputs(js, stdout);
			free(js);
		}
		rs_result_free(&r);
	}
done:
	sv_free(&o.counts);
	sv_free(&o.sets);
	sv_free(&s.counts);
	sv_free(&s.sets);
	cfg_free(&c);
	return rc;
}
