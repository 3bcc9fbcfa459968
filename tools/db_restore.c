/*
 * db-restore — restore a db-snapshot archive beside the target database,
 * verify it, then swap it into place; repeat restores clone a cached
 * template.  Manual: man/db-restore.1.
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
#include "restore.h"
#include "snapdir.h"
#include "snapname.h"
#include "strbuf.h"
#include "tcache.h"

/* What the user asked for; -1 / NULL = not given. */
struct settings {
	opt_common common;           /* -d -o -j --config --progress -q -v */
	const char *archive;         /* NAME or PATH */
	bool yes;                    /* -y */
	bool force;                  /* --force */
	bool verify;                 /* --verify */
	int keep_previous;           /* --keep-previous */
	bool owners;                 /* --owners */
	bool migrate;                /* --migrate */
	bool trust_archive;          /* --trust-archive */
	bool no_cache;               /* --no-cache */
	enum tc_action cache;        /* --cache */
	bool json;                   /* --json */
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "db-restore restores a db-snapshot archive beside a database, then swaps it in.\n"
	    "\n"
	    "Usage: db-restore [OPTION]... [NAME | PATH]\n"
	    "       db-restore --verify [OPTION]... NAME | PATH\n"
	    "       db-restore --cache=list|clear [OPTION]...\n"
	    "\n"
	    "Options:\n"
	    "  -d, --dbname=CONNINFO   target database: a name, \"key=value\" conninfo or URI\n"
	    "  -o, --dir=DIR           snapshot directory (default: config, else ./backups)\n"
	    "  -j, --jobs=N            connections loading data and building indexes, 1-64\n"
	    "                          (default: config, else 2)\n"
	    "  -y, --yes               do not ask for confirmation\n"
	    "      --force             restore even into a target that looks like production\n"
	    "      --verify            check the archive completely; restore nothing\n"
	    "      --keep-previous=N   keep N replaced copies of the target (default 1)\n"
	    "      --owners            keep owner and privilege statements\n"
	    "      --migrate           apply pending migrations before the swap\n"
	    "      --trust-archive     run schema statements pg_dump does not write, too\n"
	    "      --no-cache          neither use nor keep a template copy\n"
	    "      --cache=ACTION      list or clear the template copies on the server\n"
	    "      --json              print a JSON summary (or listing) on stdout\n"
	    "      --config=FILE       configuration file (default: db-tools.json upwards)\n"
	    "      --progress=WHEN     progress bar: auto (on a TTY), always, never\n"
	    "  -q, --quiet             print only errors\n"
	    "  -v, --verbose           print more detail (repeat for debug)\n"
	    "  -V, --version           print the version and exit\n"
	    "  -h, --help              show this help and exit\n"
	    "\n"
	    "NAME is the newest DIR/<stamp>_NAME.tar; with no argument, the snapshots are\n"
	    "listed.  The replaced database is kept as <db>__pre_<stamp>.\n"
	    "Exit status: 0 success, 1 failure, 2 usage error, 3 refused, 4 integrity.\n"
	    "See db-restore(1) and db-tools(5).\n");
}

enum {
	OPT_FORCE = 256, OPT_VERIFY, OPT_KEEP_PREVIOUS, OPT_OWNERS, OPT_NO_CACHE, OPT_CACHE, OPT_JSON,
	OPT_MIGRATE, OPT_TRUST_ARCHIVE,
};

static int
parse_args(int argc, char **argv, struct settings *s)
{
	static const struct option longopts[] = {
		OPT_COMMON_LONGOPTS,
		{"yes", no_argument, NULL, 'y'},
		{"force", no_argument, NULL, OPT_FORCE},
		{"verify", no_argument, NULL, OPT_VERIFY},
		{"keep-previous", required_argument, NULL, OPT_KEEP_PREVIOUS},
		{"owners", no_argument, NULL, OPT_OWNERS},
		{"migrate", no_argument, NULL, OPT_MIGRATE},
		{"trust-archive", no_argument, NULL, OPT_TRUST_ARCHIVE},
		{"no-cache", no_argument, NULL, OPT_NO_CACHE},
		{"cache", required_argument, NULL, OPT_CACHE},
		{"json", no_argument, NULL, OPT_JSON},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, OPT_COMMON_SHORTOPTS "yVh", longopts, NULL)) != -1) {
		int common = opt_common_parse(c, optarg, &s->common);

		if (common != 0) {
			if (common < 0)
				return EXIT_USAGE;
			continue;
		}
		switch (c) {
		case 'y':
			s->yes = true;
			break;
		case OPT_FORCE:
			s->force = true;
			break;
		case OPT_VERIFY:
			s->verify = true;
			break;
		case OPT_KEEP_PREVIOUS:
			if (opt_parse_int(optarg, "--keep-previous", 0, 1000, &s->keep_previous) < 0)
				return EXIT_USAGE;
			break;
		case OPT_OWNERS:
			s->owners = true;
			break;
		case OPT_TRUST_ARCHIVE:
			s->trust_archive = true;
			break;
		case OPT_MIGRATE:
			s->migrate = true;
			break;
		case OPT_NO_CACHE:
			s->no_cache = true;
			break;
		case OPT_CACHE:
			if (tc_parse_action(optarg, &s->cache) < 0)
				return EXIT_USAGE;
			break;
		case OPT_JSON:
			s->json = true;
			break;
		case 'V':
			printf("db-restore (db-tools) %s\n", DB_TOOLS_VERSION);
			return EXIT_OK_STOP;
		case 'h':
			usage(stdout);
			return EXIT_OK_STOP;
		default:
			log_hint("try \"db-restore --help\" for more information");
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		s->archive = argv[optind++];
	if (optind < argc) {
		log_error("too many arguments (first extra: \"%s\")", argv[optind]);
		log_hint("try \"db-restore --help\" for more information");
		return EXIT_USAGE;
	}
	if (s->cache != TC_ACTION_NONE && (s->archive || s->verify)) {
		log_error("--cache takes no archive and cannot be combined with --verify");
		return EXIT_USAGE;
	}
	if (s->verify && !s->archive) {
		log_error("--verify needs an archive: NAME or PATH");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static void
print_summary(const rst_result *r)
{
	char size[32];

	sn_format_size((unsigned long long) r->bytes, size, sizeof(size));
	log_plain("restored \"%s\" into \"%s\" in %.2f s%s\n", r->archive, r->target, r->seconds,
	    r->from_cache ? " (from the cached template)" : "");
	log_plain("  contents  %lld tables, %lld rows, %lld sequences, %lld large objects, %s\n",
	    (long long) r->tables, (long long) r->rows, (long long) r->sequences,
	    (long long) r->large_objects, size);
	if (r->previous)
		log_plain("  previous  kept as \"%s\"\n", r->previous);
	else if (r->target_existed)
		log_plain("  previous  dropped (--keep-previous=0)\n");
	if (r->previous_dropped > 0)
		log_plain("  pruned    %d older cop%s\n", r->previous_dropped,
		    r->previous_dropped == 1 ? "y" : "ies");
	if (r->migrations > 0)
		log_plain("  migrated  %d pending migration%s applied before the swap\n", r->migrations,
		    r->migrations == 1 ? "" : "s");
	if (r->cached)
		log_plain("  cache     kept a template: restoring this archive again is a file copy\n");
}

int
main(int argc, char **argv)
{
	struct settings s = {.keep_previous = 1};
	cfg c;
	const char *dir, *conninfo;
	char *path = NULL;
	rst_result r;
	int rc;

	log_init(argv[0]);
	opt_common_init(&s.common);
	rc = parse_args(argc, argv, &s);
	if (rc != EXIT_OK)
		return rc == EXIT_OK_STOP ? EXIT_OK : rc;
	log_set_level(opt_common_log_level(&s.common));
	if (cfg_load(s.common.config, &c) < 0) {
		cfg_free(&c);
		return EXIT_USAGE;
	}
	if (c.path)
		log_verbose("using configuration file \"%s\"", c.path);
	dir = cfg_pick_str(s.common.dir, NULL, c.backups_dir, "backups");
	conninfo = cfg_pick_str(s.common.dbname, "DATABASE_URL", c.database, NULL);

	if (s.cache != TC_ACTION_NONE) {
		rc = tc_manage(conninfo, "restore", s.cache, s.json, "db-restore");
		goto done;
	}
	if (!s.archive) {
		rc = sd_list(stdout, dir, s.json) == 0 ? EXIT_OK : EXIT_FAILURE_;
		goto done;
	}
	if ((rc = sd_resolve(s.archive, dir, &path)) != EXIT_OK)
		goto done;
	if (intr_install() < 0) {
		log_error("could not set up signal handling");
		rc = EXIT_FAILURE_;
		goto done;
	}
	if (s.verify) {
		rc = rst_verify(path, cfg_pick_int(s.common.jobs, c.jobs, 2), s.common.progress,
		    s.trust_archive, &r);
		if (rc == EXIT_OK)
			log_plain("archive \"%s\" is intact: %lld tables, %lld rows, %lld large objects checked in %.2f s\n",
			    path, (long long) r.tables, (long long) r.rows, (long long) r.large_objects,
			    r.seconds);
	} else {
		rst_opts o = {
			.conninfo = conninfo,
			.archive = path,
			.jobs = cfg_pick_int(s.common.jobs, c.jobs, 2),
			.yes = s.yes,
			.force = s.force,
			.owners = s.owners,
			.use_cache = !s.no_cache,
			.cache_size = cfg_pick_int(-1, c.cache_size, 3),
			.keep_previous = s.keep_previous,
			.migrate = s.migrate,
			.trust_archive = s.trust_archive,
			.progress = s.common.progress,
			.cfg = &c,
		};

		rc = rst_run(&o, &r);
		if (rc == EXIT_OK)
			print_summary(&r);
		else if (rc == EXIT_FAILURE_ && intr_pending())
			log_error("restore interrupted; the target was not replaced");
	}
	if (s.json && (rc == EXIT_OK || rc == EXIT_INTEGRITY || !s.verify)) {
		char *js = rst_result_json(&r);

		fputs(js, stdout);
		free(js);
		if (fflush(stdout) != 0 && rc == EXIT_OK)
			rc = EXIT_FAILURE_;
	}
	rst_result_free(&r);
done:
	free(path);
	cfg_free(&c);
	return rc;
}
