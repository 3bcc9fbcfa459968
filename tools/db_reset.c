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

#include "archive/snapdir.h"
#include "fe/cache.h"
#include "fe/config.h"
#include "fe/listing.h"
#include "fe/options.h"
#include "fe/report.h"
#include "fe/settings.h"
#include "pg/dbadmin.h"
#include "project/seed.h"
#include "reset/reset.h"
#include "restore/restore.h"
#include "snapshot/snapshot.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/version.h"

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
	enum fe_cache_action cache;  /* --cache */
	bool json;                   /* --json */
	const char *from;            /* --from */
	bool snapshot_first;         /* --snapshot-first */
	bool migrate;                /* --migrate */
	const char *spare_budget;    /* --spare-budget */
	long long spare_bytes;       /* the spares' budget, resolved */
	char *spare_log;             /* their builders' log */
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "db-reset rebuilds a development database from its migrations and seeds.\n"
	    "\n"
	    "Usage: db-reset [OPTION]...\n"
	    "       db-reset --migrate [OPTION]...\n"
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
	    "      --migrate           apply the pending migrations in place, without a reset\n"
	    "      --snapshot-first    take a db-snapshot of the database before resetting\n"
	    "  -y, --yes               do not ask for confirmation\n"
	    "      --force             reset even a target that looks like production\n"
	    "      --keep-previous=N   keep N replaced copies of the target (default 1)\n"
	    "      --no-cache          do not keep the result for --fast\n"
	    "      --cache=ACTION      list or clear the cached results on the server\n"
	    "      --spare-budget=SIZE disk the ready spares may take (default: config, else\n"
	    "                          4GiB; 0: none)\n"
	    "      --status            show applied, pending, changed migrations; last seed\n"
	    "      --json              print a JSON summary on stdout\n"
	    "  -o, --dir=DIR           snapshot directory (default: config, else ./backups)\n"
	    "  -j, --jobs=N            worker connections, 1-64 (default: config, else 2)\n"
	    "      --config=FILE       configuration file (default: db-tools.json upwards)\n"
	    "      --progress=WHEN     progress bar: auto (on a TTY), always, never\n"
	    "  -q, --quiet             print only warnings and errors\n"
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
	OPT_NO_CACHE, OPT_CACHE, OPT_JSON, OPT_FROM, OPT_SNAPSHOT_FIRST, OPT_MIGRATE, OPT_SPARE_BUDGET,
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
		{"migrate", no_argument, NULL, OPT_MIGRATE},
		{"spare-budget", required_argument, NULL, OPT_SPARE_BUDGET},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, n;

	while ((c = getopt_long(argc, argv, OPT_COMMON_SHORTOPTS "c:yVh", longopts, NULL)) != -1) {
		int common = opt_common_parse(c, optarg, &s->common);

		if (common != 0) {
			if (common < 0)
				return DBT_USAGE;
			continue;
		}
		switch (c) {
		case 'c':
			if (parse_assignment(optarg, "-c/--count", true, &s->counts) < 0)
				return DBT_USAGE;
			break;
		case OPT_SET:
			if (parse_assignment(optarg, "--set", false, &s->sets) < 0)
				return DBT_USAGE;
			break;
		case OPT_RNG_SEED:
			if (opt_parse_int(optarg, "--rng-seed", 0, INT_MAX, &n) < 0)
				return DBT_USAGE;
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
				return DBT_USAGE;
			break;
		case OPT_NO_CACHE:
			s->no_cache = true;
			break;
		case OPT_CACHE:
			if (fe_parse_cache_action(optarg, &s->cache) < 0)
				return DBT_USAGE;
			break;
		case OPT_STATUS:
			s->status = true;
			break;
		case OPT_JSON:
			s->json = true;
			break;
		case OPT_FROM:
			if (opt_nonempty(optarg, "--from") < 0)
				return DBT_USAGE;
			s->from = optarg;
			break;
		case OPT_SNAPSHOT_FIRST:
			s->snapshot_first = true;
			break;
		case OPT_MIGRATE:
			s->migrate = true;
			break;
		case OPT_SPARE_BUDGET:
			s->spare_budget = optarg;
			break;
		case 'V':
			printf("db-reset (db-tools) %s\n", DB_TOOLS_VERSION);
			return FE_STOP;
		case 'h':
			usage(stdout);
			return FE_STOP;
		default:
			log_hint("try \"db-reset --help\" for more information");
			return DBT_USAGE;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument \"%s\"", argv[optind]);
		log_hint("try \"db-reset --help\" for more information");
		return DBT_USAGE;
	}
	if (s->fast && s->no_cache)
		return opt_conflict("--no-cache", "a full reset (not --fast)");
	if (s->migrate && (s->from || s->fast || s->no_seed || s->counts.n || s->sets.n || s->rng_seed >= 0 ||
	    s->no_cache || s->status)) {
		log_error("--migrate applies the pending migrations to the database as it is: it cannot be "
		    "combined with --from, --fast, --no-seed, --no-cache, --status, -c, --set or --rng-seed");
		return DBT_USAGE;
	}
	if (s->from && (s->fast || s->no_seed || s->counts.n || s->sets.n || s->rng_seed >= 0)) {
		log_error("--from restores a snapshot: it cannot be combined with --fast, --no-seed, -c, --set or --rng-seed");
		return DBT_USAGE;
	}
	return DBT_OK;
}

/* --snapshot-first: a db-snapshot named "before-reset" of the target, when it exists. */
static int
snapshot_first(const fe_settings *fs, const opt_common *oc)
{
	char *target = dbadmin_target_name(fs->conninfo);
	PGconn *maint = target ? dbadmin_connect_maintenance(fs->conninfo, target, "db-reset") : NULL;
	int exists = maint ? dbadmin_exists(maint, target) : -1;
	snapshot_opts so = {
		.conninfo = fs->conninfo,
		.dir = fs->dir,
		.name = "before-reset",
		.jobs = fs->jobs,
		.codec = fs->codec,
		.level = fs->level,
		.pg_dump = fs->pg_dump,
		.progress = oc->progress,
		.split = WHEN_AUTO,
	};
	snapshot_result sr;
	int rc = DBT_FAILED;

	PQfinish(maint);
	if (exists == 0) {
		log_info("--snapshot-first: \"%s\" does not exist yet; nothing to keep", target);
		rc = DBT_OK;
	} else if (exists == 1) {
		if (snapshot_run(&so, &sr) == DBT_OK) {
			log_info("snapshot of \"%s\" taken first: %s", target, sr.tar_path);
			snapshot_result_free(&sr);
			rc = DBT_OK;
		} else
			log_error("the snapshot failed; nothing was reset");
	}
	free(target);
	return rc;
}

/* --from: the db-restore path. */
static int
reset_from(struct settings *s, const cfg *c, const fe_settings *fs)
{
	char *path;
	restore_result rr;
	restore_opts ro = {
		.conninfo = fs->conninfo,
		.jobs = fs->jobs,
		.guard = fs->guard,
		.use_cache = !s->no_cache,
		.cache_size = fs->cache_size,
		.spare_budget = s->spare_bytes,
		.spare_log = s->spare_log,
		.keep_previous = s->keep_previous,
		.migrations_dir = c->migrations_dir,
		.migrations_command = c->migrations_command,
		.progress = s->common.progress,
		.confirm = fe_restore_confirm,
		.confirm_arg = &s->yes,
	};
	int rc = snapdir_resolve(s->from, fs->dir, &path);

	if (rc != DBT_OK)
		return rc;
	ro.archive = path;
	rc = restore_run(&ro, &rr);
	if (rc == DBT_OK)
		log_plain("reset \"%s\" to snapshot \"%s\" in %.2f s%s\n", rr.target, path, rr.seconds,
		    rr.from_cache ? " (from the cached template)" : "");
	if (s->json)
		(void) fe_restore_json(stdout, &rr);
	restore_result_free(&rr);
	free(path);
	return rc;
}

/* --migrate: the pending migrations, on the database as it is. */
static int
migrate_in_place(struct settings *s, const cfg *c, const fe_settings *fs)
{
	reset_opts o = {
		.conninfo = fs->conninfo,
		.guard = fs->guard,
		.migrations_dir = c->migrations_dir,
		.migrations_command = c->migrations_command,
		.progress = s->common.progress,
		.confirm = fe_reset_confirm,
		.confirm_arg = &s->yes,
	};
	reset_result r;
	int rc = reset_migrate(&o, &r);

	if (rc == DBT_OK && c->migrations_command)
		log_plain("migrated \"%s\" in place in %.2f s: the migrations command ran\n", r.target, r.seconds);
	else if (rc == DBT_OK && r.migrations > 0)
		log_plain("migrated \"%s\" in place in %.2f s: %d migration%s applied\n", r.target, r.seconds,
		    r.migrations, r.migrations == 1 ? "" : "s");
	if (s->json)
		(void) fe_reset_json(stdout, &r);
	reset_result_free(&r);
	return rc;
}

int
main(int argc, char **argv)
{
	struct settings s = {.rng_seed = -1, .keep_previous = FE_DEFAULT_KEEP_PREVIOUS};
	cfg c;
	fe_settings fs;
	reset_opts o;
	reset_result r;
	char *project = NULL;        /* the configuration file's absolute path */
	int rc;

	log_init(argv[0]);
	memset(&o, 0, sizeof(o));
	opt_common_init(&s.common);
	rc = parse_args(argc, argv, &s);
	if (rc == DBT_OK) {
		log_set_level(opt_common_log_level(&s.common));
		if (cfg_load(s.common.config, &c) < 0) {
			cfg_free(&c);
			rc = DBT_USAGE;
		}
	}
	if (rc != DBT_OK) {
		sv_free(&s.counts);
		sv_free(&s.sets);
		return rc == FE_STOP ? DBT_OK : rc;
	}
	if (c.path)
		log_verbose("using configuration file \"%s\"", c.path);
	(void) fe_settings_resolve(&s.common, NULL, s.force, &c, &fs);
	if (fe_spare_settings(s.spare_budget, &c, &s.spare_bytes, &s.spare_log) < 0) {
		rc = DBT_USAGE;
		goto done;
	}
	if (s.status) {
		reset_state st;

		rc = reset_status(fs.conninfo, c.migrations_dir, &st);
		if (rc == DBT_OK && fe_print_reset_status(stdout, &st, c.migrations_command) < 0)
			rc = DBT_FAILED;
		reset_state_free(&st);
		goto done;
	}
	if (s.cache != FE_CACHE_NONE) {
		rc = fe_cache_command(fs.conninfo, "reset", s.cache, s.json, "db-reset", s.spare_log);
		goto done;
	}
	/* a mistyped count is a usage error, before anything is done (--snapshot-first) */
	if (!s.no_seed && fe_check_counts(&s.counts, c.seeds_dir) < 0) {
		rc = DBT_USAGE;
		goto done;
	}
	if (intr_install() < 0) {
		log_error("could not set up signal handling");
		rc = DBT_FAILED;
		goto done;
	}
	if (s.snapshot_first && (rc = snapshot_first(&fs, &s.common)) != DBT_OK)
		goto done;
	if (s.from) {
		rc = reset_from(&s, &c, &fs);
		goto done;
	}
	if (s.migrate) {
		rc = migrate_in_place(&s, &c, &fs);
		goto done;
	}
	if (fe_seed_counts(&s.counts, &c, &o.counts) < 0 || fe_rng_seed(s.rng_seed, &c, &o.rng_seed) < 0) {
		rc = DBT_USAGE;
		goto done;
	}
	for (size_t i = 0; i < s.sets.n; i++)
		sv_set(&o.sets, s.sets.v[i].name, s.sets.v[i].value);
	project = c.path ? realpath(c.path, NULL) : NULL;
	o.conninfo = fs.conninfo;
	o.guard = fs.guard;
	o.migrations_dir = c.migrations_dir;
	o.migrations_command = c.migrations_command;
	o.seeds_dir = c.seeds_dir;
	o.seeds_command = c.seeds_command;
	o.no_seed = s.no_seed;
	o.fast = s.fast;
	o.project = project;
	o.use_cache = !s.no_cache;
	o.cache_size = fs.cache_size;
	o.spare_budget = s.spare_bytes;
	o.spare_log = s.spare_log;
	o.keep_previous = s.keep_previous;
	o.progress = s.common.progress;
	o.confirm = fe_reset_confirm;
	o.confirm_arg = &s.yes;
	rc = reset_run(&o, &r);
	if (rc == DBT_OK)
		fe_print_reset_summary(&r);
	else if (rc == DBT_FAILED && intr_pending())
		log_error("reset interrupted; the target was not replaced");
	if (s.json)
		(void) fe_reset_json(stdout, &r);
	reset_result_free(&r);
done:
	free(project);
	free(s.spare_log);
	sv_free(&o.counts);
	sv_free(&o.sets);
	sv_free(&s.counts);
	sv_free(&s.sets);
	fe_settings_free(&fs);
	cfg_free(&c);
	return rc;
}
