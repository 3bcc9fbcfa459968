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
#include <unistd.h>

#include "archive/snapdir.h"
#include "fe/cache.h"
#include "fe/config.h"
#include "fe/listing.h"
#include "fe/options.h"
#include "fe/prompt.h"
#include "fe/report.h"
#include "fe/settings.h"
#include "fe/stream.h"
#include "pg/dbadmin.h"
#include "restore/restore.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/version.h"

/* What the user asked for; -1 / NULL = not given. */
struct settings {
	opt_common common;           /* -d -o -j --config --progress -q -v */
	const char *archive;         /* NAME or PATH */
	bool yes;                    /* -y */
	bool force;                  /* --force */
	bool verify;                 /* --verify */
	bool contents;               /* --contents */
	int keep_previous;           /* --keep-previous */
	bool owners;                 /* --owners */
	bool migrate;                /* --migrate */
	bool trust_archive;          /* --trust-archive */
	bool no_cache;               /* --no-cache */
	enum fe_cache_action cache;  /* --cache */
	bool json;                   /* --json */
	const char *spare_budget;    /* --spare-budget */
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "db-restore restores a db-snapshot archive beside a database, then swaps it in.\n"
	    "\n"
	    "Usage: db-restore [OPTION]... [NAME | PATH | -]\n"
	    "       db-restore --verify [OPTION]... NAME | PATH | -\n"
	    "       db-restore --contents [--json] [OPTION]... NAME | PATH | -\n"
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
	    "      --contents          show what the archive holds; restore nothing\n"
	    "      --keep-previous=N   keep N replaced copies of the target (default 1)\n"
	    "      --owners            keep owner and privilege statements\n"
	    "      --migrate           apply pending migrations before the swap\n"
	    "      --trust-archive     run schema statements pg_dump does not write, too\n"
	    "      --no-cache          neither use nor keep a template copy\n"
	    "      --cache=ACTION      list or clear the template copies on the server\n"
	    "      --spare-budget=SIZE disk the ready spares may take (default: config, else\n"
	    "                          4GiB; 0: none)\n"
	    "      --json              print a JSON summary (or listing) on stdout\n"
	    "      --config=FILE       configuration file (default: db-tools.json upwards)\n"
	    "      --progress=WHEN     progress bar: auto (on a TTY), always, never\n"
	    "  -q, --quiet             print only warnings and errors\n"
	    "  -v, --verbose           print more detail (repeat for debug)\n"
	    "  -V, --version           print the version and exit\n"
	    "  -h, --help              show this help and exit\n"
	    "\n"
	    "NAME is the newest DIR/<stamp>_NAME.tar, or a FILE from the list (with or\n"
	    "without .tar), either followed by ~N: the N-th before it (NAME~1); with no\n"
	    "argument, the snapshots are listed.  \"-\" reads the archive from standard\n"
	    "input (with --yes); a PATH that starts with '-' comes after \"--\".  The\n"
	    "replaced database is kept as <db>__pre_<stamp>.\n"
	    "Exit status: 0 success, 1 failure, 2 usage error, 3 refused, 4 integrity.\n"
	    "See db-restore(1) and db-tools(5).\n");
}

enum {
	OPT_FORCE = 256, OPT_VERIFY, OPT_KEEP_PREVIOUS, OPT_OWNERS, OPT_NO_CACHE, OPT_CACHE, OPT_JSON,
	OPT_MIGRATE, OPT_TRUST_ARCHIVE, OPT_CONTENTS, OPT_SPARE_BUDGET,
};

static int
parse_args(int argc, char **argv, struct settings *s)
{
	static const struct option longopts[] = {
		OPT_COMMON_LONGOPTS,
		{"yes", no_argument, NULL, 'y'},
		{"force", no_argument, NULL, OPT_FORCE},
		{"verify", no_argument, NULL, OPT_VERIFY},
		{"contents", no_argument, NULL, OPT_CONTENTS},
		{"spare-budget", required_argument, NULL, OPT_SPARE_BUDGET},
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
				return DBT_USAGE;
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
		case OPT_CONTENTS:
			s->contents = true;
			break;
		case OPT_SPARE_BUDGET:
			s->spare_budget = optarg;
			break;
		case OPT_KEEP_PREVIOUS:
			if (opt_parse_int(optarg, "--keep-previous", 0, 1000, &s->keep_previous) < 0)
				return DBT_USAGE;
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
			if (fe_parse_cache_action(optarg, &s->cache) < 0)
				return DBT_USAGE;
			break;
		case OPT_JSON:
			s->json = true;
			break;
		case 'V':
			printf("db-restore (db-tools) %s\n", DB_TOOLS_VERSION);
			return FE_STOP;
		case 'h':
			usage(stdout);
			return FE_STOP;
		default:
			log_hint("try \"db-restore --help\" for more information");
			return DBT_USAGE;
		}
	}
	if (optind < argc)
		s->archive = argv[optind++];
	if (optind < argc) {
		log_error("too many arguments (first extra: \"%s\")", argv[optind]);
		log_hint("try \"db-restore --help\" for more information");
		return DBT_USAGE;
	}
	if (s->cache != FE_CACHE_NONE && (s->archive || s->verify)) {
		log_error("--cache takes no archive and cannot be combined with --verify");
		return DBT_USAGE;
	}
	if (s->verify && !s->archive) {
		log_error("--verify needs an archive: NAME or PATH");
		return DBT_USAGE;
	}
	if (s->contents && !s->archive) {
		log_error("--contents needs an archive: NAME or PATH");
		return DBT_USAGE;
	}
	if (s->contents && (s->verify || s->cache != FE_CACHE_NONE || s->migrate || s->owners))
		return opt_conflict("--contents", "--verify, --cache, --migrate or --owners");
	return DBT_OK;
}

/*
 * A stream is read before anything is known of it: the question, asked first,
 * can name only the target, and needs a terminal other than the stream.
 */
static dbt_status
confirm_stream(const char *source, const char *conninfo)
{
	char *target = dbadmin_target_name(conninfo);
	char *question;
	dbt_status rc;

	if (!target)
		return DBT_FAILED;
	if (strcmp(source, "-") == 0 || !isatty(STDIN_FILENO)) {
		log_error("refusing to restore a stream without --yes: %s", strcmp(source, "-") == 0 ?
		    "the archive comes on standard input, where the question would be asked" :
		    "standard input is not a terminal");
		log_hint("pass --yes to replace \"%s\" with the streamed archive once it is checked", target);
		free(target);
		return DBT_REFUSED;
	}
	question = xasprintf("Restore the archive streamed from %s into \"%s\" (replacing it)?", source,
	    target);
	rc = fe_confirm(false, question, "restore");
	free(question);
	free(target);
	return rc;
}

int
main(int argc, char **argv)
{
	struct settings s = {.keep_previous = FE_DEFAULT_KEEP_PREVIOUS};
	cfg c;
	fe_settings fs;
	char *path = NULL, *spool = NULL, *spare_log = NULL;
	long long spare_budget = 0;
	restore_result r;
	int rc;

	log_init(argv[0]);
	opt_common_init(&s.common);
	rc = parse_args(argc, argv, &s);
	if (rc != DBT_OK)
		return rc == FE_STOP ? DBT_OK : rc;
	log_set_level(opt_common_log_level(&s.common));
	if (cfg_load(s.common.config, &c) < 0) {
		cfg_free(&c);
		return DBT_USAGE;
	}
	if (c.path)
		log_verbose("using configuration file \"%s\"", c.path);
	(void) fe_settings_resolve(&s.common, NULL, s.force, &c, &fs);
	if (fe_spare_settings(s.spare_budget, &c, &spare_budget, &spare_log) < 0) {
		rc = DBT_USAGE;
		goto done;
	}

	if (s.cache != FE_CACHE_NONE) {
		rc = fe_cache_command(fs.conninfo, "restore", s.cache, s.json, "db-restore", spare_log);
		goto done;
	}
	if (!s.archive) {
		rc = fe_list_snapshots(stdout, fs.dir, s.json) == 0 ? DBT_OK : DBT_FAILED;
		goto done;
	}
	if (strcmp(s.archive, "-") == 0)
		path = xstrdup("-");
	else if ((rc = snapdir_resolve(s.archive, fs.dir, &path)) != DBT_OK)
		goto done;
	if (intr_install() < 0) {
		log_error("could not set up signal handling");
		rc = DBT_FAILED;
		goto done;
	}
	if (fe_is_stream(path)) {
		char *source = path;

		/* asked before the stream is read, which can then only name the target */
		if (!s.verify && !s.contents && !s.yes && (rc = confirm_stream(source, fs.conninfo)) != DBT_OK)
			goto done;
		s.yes = true;
		log_info("copying the archive from %s into a temporary file", strcmp(source, "-") == 0 ?
		    "standard input" : source);
		rc = fe_stream_spool(source, &spool);
		free(source);
		path = NULL;
		if (rc != DBT_OK)
			goto done;
		path = xstrdup(spool);
	}
	if (instant_is_marker(path) && s.verify) {
		log_error("\"%s\" is an instant snapshot: a database on the server, not an archive to verify", path);
		log_hint("db-snapshot --export writes its archive, which --verify checks");
		rc = DBT_USAGE;
		goto done;
	}
	if (instant_is_marker(path) && s.contents) {
		rc = fe_print_instant(stdout, path, s.json);
		goto done;
	}
	if (s.contents) {
		meta_doc m;
		int64_t bytes;

		rc = restore_describe(path, &m, &bytes);
		if (rc == DBT_OK && fe_print_contents(stdout, !spool ? path :
		    strcmp(s.archive, "-") == 0 ? "standard input" : s.archive, bytes, &m, s.json, time(NULL)) < 0)
			rc = DBT_FAILED;
		meta_free(&m);
		goto done;
	}
	if (s.verify) {
		rc = restore_verify(path, fs.jobs, s.common.progress, s.trust_archive, &r);
		if (rc == DBT_OK)
			log_plain("archive \"%s\" is intact: %lld tables, %lld rows, %lld large objects checked in %.2f s\n",
			    path, (long long) r.tables, (long long) r.rows, (long long) r.large_objects,
			    r.seconds);
	} else {
		restore_opts o = {
			.conninfo = fs.conninfo,
			.archive = path,
			.jobs = fs.jobs,
			.guard = fs.guard,
			.owners = s.owners,
			.use_cache = !s.no_cache,
			.cache_size = fs.cache_size,
			.spare_budget = spare_budget,
			.spare_log = spare_log,
			.keep_previous = s.keep_previous,
			.migrate = s.migrate,
			.migrations_dir = c.migrations_dir,
			.migrations_command = c.migrations_command,
			.trust_archive = s.trust_archive,
			.progress = s.common.progress,
			.confirm = fe_restore_confirm,
			.confirm_arg = &s.yes,
		};

		rc = restore_run(&o, &r);
		if (rc == DBT_OK)
			fe_print_restore_summary(&r);
		else if (rc == DBT_FAILED && intr_pending())
			log_error("restore interrupted; the target was not replaced");
	}
	if (s.json && (rc == DBT_OK || rc == DBT_INTEGRITY || !s.verify) &&
	    fe_restore_json(stdout, &r) < 0 && rc == DBT_OK)
		rc = DBT_FAILED;
	restore_result_free(&r);
done:
	if (spool)
		fe_stream_done(&spool);
	free(path);
	free(spare_log);
	fe_settings_free(&fs);
	cfg_free(&c);
	return rc;
}
