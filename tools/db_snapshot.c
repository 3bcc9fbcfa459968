/*
 * db-snapshot — take a consistent, parallel, streaming snapshot of a
 * PostgreSQL database into DIR/<stamp>_<NAME>.tar with a .meta sidecar;
 * list, prune, delete and rename snapshots.  Manual: man/db-snapshot.1.
 */
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "archive/snapdir.h"
#include "archive/snapname.h"
#include "fe/config.h"
#include "fe/listing.h"
#include "fe/options.h"
#include "fe/prompt.h"
#include "fe/report.h"
#include "fe/settings.h"
#include "snapshot/clone.h"
#include "snapshot/snapshot.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/version.h"

enum mode { MODE_SNAPSHOT, MODE_LIST, MODE_PRUNE, MODE_DELETE, MODE_RENAME, MODE_INSTANT, MODE_EXPORT };

/* What the user asked for; -1 / NULL = not given. */
struct settings {
	enum mode mode;              /* --list, --prune, --delete, --rename, --instant, --export */
	opt_common common;           /* -d -o -j --config --progress -q -v */
	const char *name;            /* NAME */
	const char *new_name;        /* --rename's NEWNAME */
	bool yes;                    /* -y: --delete and --instant without asking */
	bool force;                  /* --force: --instant of a database that looks like production */
	const char *compress;        /* -Z METHOD[:LEVEL] or a gzip LEVEL; NULL: not given */
	const char *file;            /* -f FILE or -: the archive there, no sidecar */
	bool json;                   /* --json */
	int keep;                    /* --keep */
	long long older_than;        /* --older-than */
	bool dry_run;                /* --dry-run */
	meta_filters filters;        /* -t -T -n -N --exclude-table-data -b (patterns point into argv) */
	enum opt_when split;         /* --split */
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "db-snapshot takes a consistent snapshot of a PostgreSQL database.\n"
	    "\n"
	    "Usage: db-snapshot [OPTION]... [NAME]\n"
	    "       db-snapshot -f FILE|- [OPTION]... [NAME]\n"
	    "       db-snapshot --instant [-y] [--force] [OPTION]... [NAME]\n"
	    "       db-snapshot --export [OPTION]... SNAPSHOT\n"
	    "       db-snapshot --list [--json] [OPTION]...\n"
	    "       db-snapshot --prune {--keep=N | --older-than=AGE} [--dry-run] [NAME]\n"
	    "       db-snapshot --delete [-y] SNAPSHOT\n"
	    "       db-snapshot --rename SNAPSHOT NEWNAME\n"
	    "\n"
	    "Options:\n"
	    "  -d, --dbname=CONNINFO   database: a name, \"key=value\" conninfo or URI\n"
	    "  -o, --dir=DIR           snapshot directory (default: config, else ./backups)\n"
	    "  -f, --file=FILE         write the archive to FILE (no .meta sidecar); \"-\" for\n"
	    "                          standard output, to pipe it (not to a terminal)\n"
	    "  -j, --jobs=N            worker connections, 1-64 (default: config, else 2)\n"
	    "  -Z, --compress=METHOD[:LEVEL]\n"
	    "                          gzip[:0-9], zstd[:1-19] or none; a bare number is a\n"
	    "                          gzip level (default: config, else gzip:1)\n"
	    "      --config=FILE       configuration file (default: db-tools.json upwards)\n"
	    "      --instant           copy the database into a template on its server (a\n"
	    "                          file copy: seconds), ending its sessions; asks first\n"
	    "      --force             with --instant: even of a database that looks like\n"
	    "                          production\n"
	    "      --export            write the archive of the instant snapshot SNAPSHOT\n"
	    "      --list              list the snapshots in the directory\n"
	    "      --json              with --list: print JSON instead of a table\n"
	    "      --prune             remove old snapshots (rules below, or the config's)\n"
	    "      --keep=N            with --prune: keep the newest N of each name\n"
	    "      --older-than=AGE    with --prune: remove those older than AGE (30d, 12h)\n"
	    "      --dry-run           with --prune: show what would go, remove nothing\n"
	    "      --delete            remove SNAPSHOT (asks first on a terminal)\n"
	    "  -y, --yes               with --delete or --instant: do not ask\n"
	    "      --rename            give SNAPSHOT the name NEWNAME (its time stays)\n"
	    "  -t, --table=PATTERN     only the tables (views, sequences) PATTERN matches\n"
	    "  -T, --exclude-table=PATTERN\n"
	    "                          leave out the tables PATTERN matches\n"
	    "  -n, --schema=PATTERN    only the schemas PATTERN matches\n"
	    "  -N, --exclude-schema=PATTERN\n"
	    "                          leave out the schemas PATTERN matches\n"
	    "      --exclude-table-data=PATTERN\n"
	    "                          keep the definition of the tables PATTERN matches,\n"
	    "                          leave their rows out (each of these five repeatable;\n"
	    "                          pg_dump's patterns and meanings)\n"
	    "  -b, --large-objects     with -t or -n: copy the large objects too\n"
	    "      --split=WHEN        split large tables among workers: auto, always, never\n"
	    "      --progress=WHEN     progress bar: auto (on a TTY), always, never\n"
	    "  -q, --quiet             print only warnings and errors\n"
	    "  -v, --verbose           print more detail (repeat for debug)\n"
	    "  -V, --version           print the version and exit\n"
	    "  -h, --help              show this help and exit\n"
	    "\n"
	    "NAME defaults to the current git branch, else the database name.\n"
	    "SNAPSHOT is a NAME (the newest of that name), a FILE from --list (with or\n"
	    "without .tar), either followed by ~N: the N-th before it (NAME~1).\n"
	    "Exit status: 0 success, 1 failure, 2 usage error, 3 refused, 4 integrity.\n"
	    "See db-snapshot(1) and db-tools(5).\n");
}

/* The filters' options without a short form, apart from the others. */
enum { OPT_EXCLUDE_TABLE_DATA = 300, OPT_DRY_RUN };

/* -t -T -n -N --exclude-table-data PATTERN: one more of that kind. */
static int
add_filter(struct settings *s, enum meta_filter_kind kind, char *pattern, const char *option)
{
	meta_filters *f = &s->filters;

	if (opt_nonempty(pattern, option) < 0)
		return -1;
	f->patterns[kind] = xrealloc(f->patterns[kind], (f->n[kind] + 2) * sizeof(char *));
	f->patterns[kind][f->n[kind]++] = pattern;
	f->patterns[kind][f->n[kind]] = NULL;
	f->present = true;
	return 0;
}

/* The arrays of -t -T -n -N --exclude-table-data (the patterns are argv's). */
static void
free_filters(struct settings *s)
{
	for (int k = 0; k < MF_KINDS; k++)
		free(s->filters.patterns[k]);
	memset(&s->filters, 0, sizeof(s->filters));
}

enum {
	OPT_LIST = 256, OPT_JSON, OPT_PRUNE, OPT_KEEP, OPT_OLDER_THAN, OPT_SPLIT, OPT_DELETE, OPT_RENAME, OPT_INSTANT,
	OPT_EXPORT, OPT_FORCE,
};

/* --list, --prune, --delete, --rename: one of them. */
static int
set_mode(struct settings *s, enum mode m, const char *option)
{
	if (s->mode != MODE_SNAPSHOT && s->mode != m) {
		log_error("%s cannot be combined with another of --list, --prune, --delete, --rename, --instant and "
		    "--export", option);
		return -1;
	}
	s->mode = m;
	return 0;
}

static int
parse_args(int argc, char **argv, struct settings *s)
{
	static const struct option longopts[] = {
		OPT_COMMON_LONGOPTS,
		{"compress", required_argument, NULL, 'Z'},
		{"file", required_argument, NULL, 'f'},
		{"list", no_argument, NULL, OPT_LIST},
		{"json", no_argument, NULL, OPT_JSON},
		{"prune", no_argument, NULL, OPT_PRUNE},
		{"keep", required_argument, NULL, OPT_KEEP},
		{"older-than", required_argument, NULL, OPT_OLDER_THAN},
		{"dry-run", no_argument, NULL, OPT_DRY_RUN},
		{"table", required_argument, NULL, 't'},
		{"exclude-table", required_argument, NULL, 'T'},
		{"schema", required_argument, NULL, 'n'},
		{"exclude-schema", required_argument, NULL, 'N'},
		{"exclude-table-data", required_argument, NULL, OPT_EXCLUDE_TABLE_DATA},
		{"large-objects", no_argument, NULL, 'b'},
		{"split", required_argument, NULL, OPT_SPLIT},
		{"delete", no_argument, NULL, OPT_DELETE},
		{"rename", no_argument, NULL, OPT_RENAME},
		{"instant", no_argument, NULL, OPT_INSTANT},
		{"export", no_argument, NULL, OPT_EXPORT},
		{"force", no_argument, NULL, OPT_FORCE},
		{"yes", no_argument, NULL, 'y'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, OPT_COMMON_SHORTOPTS "Z:f:yVht:T:n:N:b", longopts, NULL)) != -1) {
		int common = opt_common_parse(c, optarg, &s->common);

		if (common != 0) {
			if (common < 0)
				return DBT_USAGE;
			continue;
		}
		switch (c) {
		case 'Z':
			if (opt_nonempty(optarg, "-Z/--compress") < 0)
				return DBT_USAGE;
			s->compress = optarg;
			break;
		case 'f':
			if (opt_nonempty(optarg, "-f/--file") < 0)
				return DBT_USAGE;
			s->file = optarg;
			break;
		case OPT_LIST:
			if (set_mode(s, MODE_LIST, "--list") < 0)
				return DBT_USAGE;
			break;
		case OPT_JSON:
			s->json = true;
			break;
		case OPT_PRUNE:
			if (set_mode(s, MODE_PRUNE, "--prune") < 0)
				return DBT_USAGE;
			break;
		case OPT_DELETE:
			if (set_mode(s, MODE_DELETE, "--delete") < 0)
				return DBT_USAGE;
			break;
		case OPT_RENAME:
			if (set_mode(s, MODE_RENAME, "--rename") < 0)
				return DBT_USAGE;
			break;
		case OPT_INSTANT:
			if (set_mode(s, MODE_INSTANT, "--instant") < 0)
				return DBT_USAGE;
			break;
		case OPT_EXPORT:
			if (set_mode(s, MODE_EXPORT, "--export") < 0)
				return DBT_USAGE;
			break;
		case OPT_FORCE:
			s->force = true;
			break;
		case 'y':
			s->yes = true;
			break;
		case OPT_KEEP:
			if (opt_parse_int(optarg, "--keep", 0, INT_MAX, &s->keep) < 0)
				return DBT_USAGE;
			break;
		case OPT_OLDER_THAN:
			if (!snapname_parse_age(optarg, &s->older_than)) {
				log_error("invalid value \"%s\" for option --older-than", optarg);
				log_hint("use a number followed by s, m, h, d or w, e.g. 30d");
				return DBT_USAGE;
			}
			break;
		case OPT_DRY_RUN:
			s->dry_run = true;
			break;
		case 't':
			if (add_filter(s, MF_TABLE, optarg, "-t/--table") < 0)
				return DBT_USAGE;
			break;
		case 'T':
			if (add_filter(s, MF_EXCLUDE_TABLE, optarg, "-T/--exclude-table") < 0)
				return DBT_USAGE;
			break;
		case 'n':
			if (add_filter(s, MF_SCHEMA, optarg, "-n/--schema") < 0)
				return DBT_USAGE;
			break;
		case 'N':
			if (add_filter(s, MF_EXCLUDE_SCHEMA, optarg, "-N/--exclude-schema") < 0)
				return DBT_USAGE;
			break;
		case OPT_EXCLUDE_TABLE_DATA:
			if (add_filter(s, MF_EXCLUDE_TABLE_DATA, optarg, "--exclude-table-data") < 0)
				return DBT_USAGE;
			break;
		case 'b':
			s->filters.large_objects = true;
			s->filters.present = true;
			break;
		case OPT_SPLIT:
			if (opt_parse_when(optarg, "--split", &s->split) < 0)
				return DBT_USAGE;
			break;
		case 'V':
			printf("db-snapshot (db-tools) %s\n", DB_TOOLS_VERSION);
			return FE_STOP;
		case 'h':
			usage(stdout);
			return FE_STOP;
		default:
			log_hint("try \"db-snapshot --help\" for more information");
			return DBT_USAGE;
		}
	}
	if (optind < argc)
		s->name = argv[optind++];
	if (optind < argc && s->mode == MODE_RENAME)
		s->new_name = argv[optind++];
	if (optind < argc) {
		log_error("too many arguments (first extra: \"%s\")", argv[optind]);
		log_hint("try \"db-snapshot --help\" for more information");
		return DBT_USAGE;
	}
	return DBT_OK;
}

/* Cross-option checks: what belongs to which mode. */
static int
check_args(const struct settings *s)
{
	const char *problem;

	if (s->json && s->mode != MODE_LIST)
		return opt_conflict("--json", "--list");
	if ((s->keep >= 0 || s->older_than >= 0 || s->dry_run) && s->mode != MODE_PRUNE)
		return opt_conflict(s->keep >= 0 ? "--keep" : s->older_than >= 0 ? "--older-than" : "--dry-run",
		    "--prune");
	if (s->filters.present && s->mode != MODE_SNAPSHOT) {
		log_error("-t, -T, -n, -N, --exclude-table-data and -b choose what a snapshot holds: "
		    "they cannot be combined with --list, --prune, --delete, --rename, --instant or --export");
		if (s->mode == MODE_INSTANT)
			log_hint("an instant snapshot is a copy of the whole database");
		if (s->mode == MODE_PRUNE && s->filters.n[MF_SCHEMA] > 0)
			log_hint("-n is --schema, as in pg_dump; --prune's dry run is --dry-run");
		return DBT_USAGE;
	}
	if (s->file && s->mode != MODE_SNAPSHOT && s->mode != MODE_EXPORT) {
		log_error("-f/--file writes an archive: it cannot be combined with --list, --prune, --delete, --rename "
		    "or --instant");
		return DBT_USAGE;
	}
	if (s->mode == MODE_INSTANT && (s->compress || s->common.jobs >= 0 || s->split != WHEN_AUTO)) {
		log_error("--instant copies the database on its server: -Z, -j and --split do not apply");
		return DBT_USAGE;
	}
	if (s->file && s->common.dir) {
		log_error("-f/--file and -o/--dir cannot be combined: -f names the archive itself");
		return DBT_USAGE;
	}
	if (s->common.dir && strcmp(s->common.dir, "-") == 0) {
		log_error("\"-o -\" would make a directory named \"-\"");
		log_hint("use -f - to write the archive to standard output");
		return DBT_USAGE;
	}
	if (s->file && strcmp(s->file, "-") == 0 && isatty(STDOUT_FILENO)) {
		log_error("refusing to write an archive to a terminal");
		log_hint("pipe it (db-snapshot -f - | ...) or name a file with -f FILE");
		return DBT_USAGE;
	}
	if (s->mode == MODE_LIST && s->name) {
		log_error("--list takes no NAME");
		return DBT_USAGE;
	}
	if (s->yes && s->mode != MODE_DELETE && s->mode != MODE_INSTANT)
		return opt_conflict("-y/--yes", "--delete or --instant");
	if (s->force && s->mode != MODE_INSTANT)
		return opt_conflict("--force", "--instant");
	if ((s->mode == MODE_DELETE || s->mode == MODE_RENAME || s->mode == MODE_EXPORT) &&
	    (!s->name || (s->mode == MODE_RENAME && !s->new_name))) {
		log_error("%s", s->mode == MODE_DELETE ? "--delete needs the SNAPSHOT to remove" :
		    s->mode == MODE_EXPORT ? "--export needs the instant SNAPSHOT to write an archive of" :
		    "--rename needs the SNAPSHOT and its NEWNAME");
		log_hint("give a NAME or a FILE from \"db-snapshot --list\"");
		return DBT_USAGE;
	}
	/* --prune, --delete and --rename look their SNAPSHOT up (snapdir_find) */
	if ((s->mode == MODE_SNAPSHOT || s->mode == MODE_INSTANT) && s->name &&
	    (problem = snapname_name_problem(s->name))) {
		log_error("invalid snapshot name \"%s\": %s", s->name, problem);
		log_hint("use letters, digits, '.', '_' and '-', at most %d characters", SN_NAME_MAX);
		return DBT_USAGE;
	}
	return DBT_OK;
}

/* --prune and --delete of an instant snapshot: its database on the server goes first. */
static int
drop_instant(void *conninfo, const snapdir_entry *e)
{
	return clone_drop(conninfo, &e->instant) == DBT_OK ? 0 : -1;
}

static int
run_prune(const struct settings *s, const cfg *c, const fe_settings *fs)
{
	prune_opts po = {
		.name = s->name,
		.keep = s->keep,
		.older_than = s->older_than,
		.dry_run = s->dry_run,
		.drop_instant = drop_instant,
		.drop_arg = (void *) fs->conninfo,
	};
	const char *dir = fs->dir;
	int n;

	if (po.keep < 0 && po.older_than < 0) {
		po.keep = c->retention_keep;
		po.older_than = c->retention_age;
	}
	if (po.keep < 0 && po.older_than < 0) {
		log_error("--prune needs --keep=N or --older-than=AGE (or \"retention\" in the configuration file)");
		return DBT_USAGE;
	}
	n = snapdir_prune(dir, &po, time(NULL));
	if (n < 0)
		return n == -2 ? DBT_USAGE : DBT_FAILED;
	log_info("%s %d snapshot%s", s->dry_run ? "would remove" : "removed", n, n == 1 ? "" : "s");
	return DBT_OK;
}

/* --delete SNAPSHOT: show it, ask (unless -y), remove its files (and an instant one's database). */
static int
run_delete(const struct settings *s, const fe_settings *fs)
{
	const char *dir = fs->dir;
	snapdir_entry *e;
	dbt_status rc = snapdir_lookup(s->name, dir, &e);

	if (rc != DBT_OK)
		return rc;
	if (fe_plan_shown(s->yes))
		fe_print_snapshot(e, time(NULL));
	rc = fe_confirm(s->yes, "Delete this snapshot?", "delete");
	if (rc == DBT_OK && e->instant_path)
		rc = clone_drop(fs->conninfo, &e->instant);
	if (rc == DBT_OK && (rc = snapdir_delete(dir, e)) == DBT_OK)
		log_info("deleted \"%s\"", e->file);
	snapdir_free(e, 1);
	return rc;
}

/* --rename SNAPSHOT NEWNAME; the new archive's path on stdout, as after a snapshot. */
static int
run_rename(const struct settings *s, const char *dir)
{
	snapdir_entry *e;
	char *path = NULL;
	dbt_status rc = snapdir_lookup(s->name, dir, &e);

	if (rc != DBT_OK)
		return rc;
	rc = snapdir_rename(dir, e, s->new_name, &path);
	if (rc == DBT_OK) {
		log_info("renamed \"%s\" to \"%s\"", e->file, path);
		printf("%s\n", path);
		if (fflush(stdout) != 0)
			rc = DBT_FAILED;
	}
	free(path);
	snapdir_free(e, 1);
	return rc;
}

/* --instant [NAME]: the plan, the question, the copy; the marker's path on stdout. */
static int
run_instant(const struct settings *s, const cfg *c, const fe_settings *fs)
{
	bool yes = s->yes;
	long long budget = 0;
	char *spare_log = NULL;
	clone_opts o = {
		.conninfo = fs->conninfo, .dir = fs->dir, .name = s->name, .guard = fs->guard,
		.progress = s->common.progress, .confirm = fe_clone_confirm, .confirm_arg = &yes,
	};
	clone_result r;
	dbt_status rc;

	o.guard.force = s->force;
	if (fe_spare_settings(NULL, c, &budget, &spare_log) < 0)
		return DBT_USAGE;
	o.spare_budget = budget;
	o.spare_log = spare_log;
	if (intr_install() < 0) {
		log_error("could not set up signal handling");
		free(spare_log);
		return DBT_FAILED;
	}
	rc = clone_take(&o, &r);
	if (rc == DBT_OK) {
		fe_print_clone_summary(&r, fs->dir, s->common.dir != NULL);
		printf("%s\n", r.marker_path);
		if (fflush(stdout) != 0)
			rc = DBT_FAILED;
		clone_result_free(&r);
	}
	free(spare_log);
	return rc;
}

/* --export SNAPSHOT: the instant snapshot's archive, as db-snapshot writes one; its path on stdout. */
static int
run_export(const struct settings *s, const fe_settings *fs)
{
	snapdir_entry *e;
	snapshot_opts o = {
		.conninfo = fs->conninfo, .dir = fs->dir, .file = s->file, .jobs = fs->jobs, .codec = fs->codec,
		.level = fs->level, .pg_dump = fs->pg_dump, .progress = s->common.progress, .split = s->split,
	};
	snapshot_result r;
	dbt_status rc = snapdir_lookup(s->name, fs->dir, &e);

	if (rc != DBT_OK)
		return rc;
	if (!e->instant_path) {
		log_error("\"%s\" is an archive already: --export writes the archive of an instant snapshot", e->file);
		snapdir_free(e, 1);
		return DBT_USAGE;
	}
	if (intr_install() < 0) {
		log_error("could not set up signal handling");
		snapdir_free(e, 1);
		return DBT_FAILED;
	}
	rc = clone_export(&o, &e->instant, &r);
	if (rc == DBT_OK) {
		fe_print_snapshot_summary(&r, fs->dir, s->common.dir != NULL);
		if (r.tar_path)
			printf("%s\n", r.tar_path);
		if (fflush(stdout) != 0)
			rc = DBT_FAILED;
		snapshot_result_free(&r);
	} else if (rc != DBT_USAGE) {
		log_error("export %s; nothing was written", intr_pending() ? "interrupted" : "failed");
		rc = DBT_FAILED;
	}
	snapdir_free(e, 1);
	return rc;
}

int
main(int argc, char **argv)
{
	struct settings s = {.keep = -1, .older_than = -1, .split = WHEN_AUTO};
	cfg c;
	fe_settings fs;
	int rc;

	log_init(argv[0]);
	opt_common_init(&s.common);
	rc = parse_args(argc, argv, &s);
	if (rc != DBT_OK) {
		free_filters(&s);
		return rc == FE_STOP ? DBT_OK : rc;
	}
	log_set_level(opt_common_log_level(&s.common));
	rc = check_args(&s);
	if (rc != DBT_OK) {
		free_filters(&s);
		return rc;
	}
	if (cfg_load(s.common.config, &c) < 0) {
		free_filters(&s);
		cfg_free(&c);
		return DBT_USAGE;
	}
	if (c.path)
		log_verbose("using configuration file \"%s\"", c.path);
	if (fe_settings_resolve(&s.common, s.compress, false, &c, &fs) < 0) {
		free_filters(&s);
		fe_settings_free(&fs);
		cfg_free(&c);
		return DBT_USAGE;
	}

	switch (s.mode) {
	case MODE_LIST:
		rc = fe_list_snapshots(stdout, fs.dir, s.json) == 0 ? DBT_OK : DBT_FAILED;
		break;
	case MODE_PRUNE:
		rc = run_prune(&s, &c, &fs);
		break;
	case MODE_DELETE:
		rc = run_delete(&s, &fs);
		break;
	case MODE_INSTANT:
		rc = run_instant(&s, &c, &fs);
		break;
	case MODE_EXPORT:
		rc = run_export(&s, &fs);
		break;
	case MODE_RENAME:
		rc = run_rename(&s, fs.dir);
		break;
	case MODE_SNAPSHOT: {
		snapshot_opts o = {
			.conninfo = fs.conninfo,
			.dir = fs.dir,
			.file = s.file,
			.name = s.name,
			.jobs = fs.jobs,
			.codec = fs.codec,
			.level = fs.level,
			.pg_dump = fs.pg_dump,
			.progress = s.common.progress,
			.split = s.split,
			.filters = s.filters.present ? &s.filters : NULL,
		};
		snapshot_result r;
		dbt_status st;

		if (intr_install() < 0) {
			log_error("could not set up signal handling");
			rc = DBT_FAILED;
			break;
		}
		if ((st = snapshot_run(&o, &r)) == DBT_OK) {
			fe_print_snapshot_summary(&r, fs.dir, s.common.dir != NULL);
			/* the archive's path on stdout, unless stdout carried the archive itself */
			if (r.tar_path)
				printf("%s\n", r.tar_path);
			rc = fflush(stdout) == 0 ? DBT_OK : DBT_FAILED;
			snapshot_result_free(&r);
		} else {
			bool stream = s.file && strcmp(s.file, "-") == 0;

			log_error("snapshot %s; %s", intr_pending() ? "interrupted" : "failed",
			    stream ? "the stream written so far is cut short, without meta.json and the tar's end, "
			    "so no reader takes it for an archive" : "nothing was written");
			rc = st == DBT_USAGE ? DBT_USAGE : DBT_FAILED;
		}
		break;
	}
	}
	free_filters(&s);
	fe_settings_free(&fs);
	cfg_free(&c);
	return rc;
}
