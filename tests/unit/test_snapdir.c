/*
 * test_snapdir.c — unit tests for snapdir.c: listing a snapshot directory
 * (oldest first, names and times from the file names, .meta sidecars or the
 * tar's meta.json, leftovers and files that are not snapshots), resolving
 * NAME or PATH arguments, and pruning by --keep, --older-than and NAME,
 * with and without --dry-run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/meta.h"
#include "archive/snapdir.h"
#include "archive/tarball.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/status.h"

/* The stamps of the snapshots made here, as seconds since the epoch (date -u +%s). */
#define T_JAN01 ((time_t) 1767261600)    /* 20260101-100000 */
#define T_JAN15 ((time_t) 1768478400)    /* 20260115-120000 */
#define T_FEB01 ((time_t) 1769940000)    /* 20260201-100000 */
#define T_FEB15 ((time_t) 1771113600)    /* 20260215-000000 */
#define T_MAR01 ((time_t) 1772359200)    /* 20260301-100000 */
#define T_APR01 ((time_t) 1775001600)    /* 20260401-000000 */
#define T_NOW   ((time_t) 1775779200)    /* 2026-04-10T00:00:00Z */
#define DAY 86400LL

#define TMP_PREFIX "/tmp/db-tools-unit-snapdir-"

/* ---- helpers ---- */

static void
write_bytes(const char *dir, const char *file, const char *text)
{
	char *path = xasprintf("%s/%s", dir, file);
	FILE *f = fopen(path, "w");

	if (!f)
		fail_msg("fopen %s: %s", path, strerror(errno));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	free(path);
}

static bool
exists(const char *dir, const char *file)
{
	char *path = xasprintf("%s/%s", dir, file);
	struct stat st;
	bool ok = lstat(path, &st) == 0;

	free(path);
	return ok;
}

/* A description that meta_from_json accepts, named name. */
static char *
meta_json(const char *name, time_t created)
{
	meta_doc m;
	char *text;

	memset(&m, 0, sizeof(m));
	m.format_version = META_FORMAT_VERSION;
	m.tool_version = (char *) "0.1.0";
	m.name = (char *) name;
	m.created_at = created;
	m.duration_seconds = 1.5;
	m.src_database = (char *) "app_dev";
	m.src_host = (char *) "localhost";
	m.src_port = (char *) "5432";
	m.src_user = (char *) "alice";
	m.server_version = (char *) "15.18";
	m.server_version_num = 150018;
	m.pg_dump_version = (char *) "15.18";
	m.encoding = (char *) "UTF8";
	m.lc_collate = (char *) "C";
	m.lc_ctype = (char *) "C";
	m.codec = (char *) "gzip";
	m.compression_level = 1;
	m.pre_data.member = (char *) "schema/pre-data.sql";
	hash_hex_of("pre", 3, m.pre_data.sha256);
	m.post_data.member = (char *) "schema/post-data.sql";
	hash_hex_of("post", 4, m.post_data.sha256);
	text = meta_to_json(&m);
	/* the test relies on it being valid */
	{
		meta_doc back;
		char err[256];

		if (meta_from_json(text, strlen(text), &back, err, sizeof(err)) != META_OK)
			fail_msg("test meta rejected: %s", err);
		meta_free(&back);
	}
	return text;
}

/* A real archive holding only meta.json. */
static void
write_tar_with_meta(const char *dir, const char *file, const char *name, time_t created)
{
	char *path = xasprintf("%s/%s", dir, file);
	char *text = meta_json(name, created);
	tarball *tb = tarball_create(path);

	assert_non_null(tb);
	assert_int_equal(tarball_add_mem(tb, META_MEMBER, text, strlen(text), created), 0);
	assert_int_equal(tarball_close(tb, NULL), 0);
	free(text);
	free(path);
}

static void
remove_tree(const char *path)
{
	char *cmd = xasprintf("rm -rf '%s'", path);

	assert_int_equal(strncmp(path, TMP_PREFIX, strlen(TMP_PREFIX)), 0);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/*
 * The directory every test starts from:
 *   app     2026-01-01 (tar, junk .meta), 2026-02-01 (junk tar, no .meta),
 *           2026-03-01 (tar, good .meta)
 *   other   2026-01-15 (tar, good .meta)
 *   real    2026-02-15 (an archive with meta.json, no .meta)
 *   orphan  2026-04-01 (a .meta alone)
 * and things that are not snapshots.
 */
static int
dir_setup(void **state)
{
	char *dir = xstrdup(TMP_PREFIX "XXXXXX");
	char *text;
	char *sub;

	if (!mkdtemp(dir))
		fail_msg("mkdtemp: %s", strerror(errno));
	write_bytes(dir, "20260101-100000_app.tar", "not a tar at all\n");
	write_bytes(dir, "20260101-100000_app.meta", "{ this is not json");
	write_bytes(dir, "20260201-100000_app.tar", "junk junk junk junk\n");
	write_bytes(dir, "20260301-100000_app.tar", "0123456789");
	text = meta_json("app", T_MAR01);
	write_bytes(dir, "20260301-100000_app.meta", text);
	free(text);
	write_bytes(dir, "20260115-120000_other.tar", "x");
	text = meta_json("other", T_JAN15);
	write_bytes(dir, "20260115-120000_other.meta", text);
	free(text);
	write_tar_with_meta(dir, "20260215-000000_real.tar", "real", T_FEB15);
	text = meta_json("orphan", T_APR01);
	write_bytes(dir, "20260401-000000_orphan.meta", text);
	free(text);
	/* not snapshots */
	write_bytes(dir, "notes.txt", "keep me");
	write_bytes(dir, "20260101-100000_app.tar.gz", "keep me");
	write_bytes(dir, "garbage.tar", "keep me");
	write_bytes(dir, "20261301-000000_badmonth.tar", "keep me");
	sub = xasprintf("%s/20260102-000000_adir.tar", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	free(sub);
	*state = dir;
	return 0;
}

static int
dir_teardown(void **state)
{
	char *dir = *state;

	remove_tree(dir);
	free(dir);
	return 0;
}

static void
check_untouched_others(const char *dir)
{
	assert_true(exists(dir, "notes.txt"));
	assert_true(exists(dir, "20260101-100000_app.tar.gz"));
	assert_true(exists(dir, "garbage.tar"));
	assert_true(exists(dir, "20261301-000000_badmonth.tar"));
	assert_true(exists(dir, "20260102-000000_adir.tar"));
}

/* ---- snapdir_scan ---- */

static void
test_scan(void **state)
{
	const char *dir = *state;
	snapdir_entry *e;
	size_t n;
	char *p;

	assert_int_equal(snapdir_scan(dir, &e, &n), 0);
	assert_int_equal(n, 6);

	/* oldest first */
	assert_string_equal(e[0].name, "app");
	assert_int_equal(e[0].when, T_JAN01);
	assert_string_equal(e[1].name, "other");
	assert_int_equal(e[1].when, T_JAN15);
	assert_string_equal(e[2].name, "app");
	assert_int_equal(e[2].when, T_FEB01);
	assert_string_equal(e[3].name, "real");
	assert_int_equal(e[3].when, T_FEB15);
	assert_string_equal(e[4].name, "app");
	assert_int_equal(e[4].when, T_MAR01);
	assert_string_equal(e[5].name, "orphan");
	assert_int_equal(e[5].when, T_APR01);
	for (size_t i = 1; i < n; i++)
		assert_true(e[i - 1].when <= e[i].when);

	/* a tar with a junk sidecar: the sidecar is not a description */
	p = xasprintf("%s/20260101-100000_app.tar", dir);
	assert_string_equal(e[0].tar_path, p);
	free(p);
	p = xasprintf("%s/20260101-100000_app.meta", dir);
	assert_string_equal(e[0].meta_path, p);
	free(p);
	assert_false(e[0].has_meta);
	assert_int_equal(e[0].tar_bytes, (long long) strlen("not a tar at all\n"));

	/* a good sidecar */
	assert_true(e[1].has_meta);
	assert_string_equal(e[1].meta.name, "other");
	assert_int_equal(e[1].meta.created_at, T_JAN15);
	assert_int_equal(e[1].tar_bytes, 1);

	/* a junk tar without a sidecar */
	assert_non_null(e[2].tar_path);
	assert_null(e[2].meta_path);
	assert_false(e[2].has_meta);

	/* no sidecar: the archive's own meta.json */
	assert_null(e[3].meta_path);
	assert_true(e[3].has_meta);
	assert_string_equal(e[3].meta.name, "real");
	assert_true(e[3].tar_bytes > 0);

	assert_true(e[4].has_meta);
	assert_string_equal(e[4].meta.name, "app");
	assert_int_equal(e[4].tar_bytes, 10);

	/* only the sidecar is left */
	assert_null(e[5].tar_path);
	p = xasprintf("%s/20260401-000000_orphan.meta", dir);
	assert_string_equal(e[5].meta_path, p);
	free(p);
	assert_true(e[5].has_meta);
	assert_string_equal(e[5].meta.name, "orphan");

	snapdir_free(e, n);
}

static void
test_scan_missing_and_empty(void **state)
{
	const char *dir = *state;
	char *missing = xasprintf("%s/no-such-dir", dir);
	char *empty = xasprintf("%s/empty", dir);
	snapdir_entry *e = (snapdir_entry *) 1;    /* must be reset: freed below */
	size_t n = 99;

	/* a missing directory is an empty list */
	assert_int_equal(snapdir_scan(missing, &e, &n), 0);
	assert_int_equal(n, 0);
	snapdir_free(e, n);

	assert_int_equal(mkdir(empty, 0700), 0);
	n = 99;
	assert_int_equal(snapdir_scan(empty, &e, &n), 0);
	assert_int_equal(n, 0);
	snapdir_free(e, n);

	/* a file is not a directory */
	{
		char *file = xasprintf("%s/notes.txt", dir);

		assert_int_equal(snapdir_scan(file, &e, &n), -1);
		free(file);
	}
	free(missing);
	free(empty);
}

/* ---- snapdir_resolve ---- */

static void
test_resolve_name(void **state)
{
	const char *dir = *state;
	char *path = NULL;
	char *want;

	/* the newest archive of that name */
	assert_int_equal(snapdir_resolve("app", dir, &path), DBT_OK);
	want = xasprintf("%s/20260301-100000_app.tar", dir);
	assert_string_equal(path, want);
	free(want);
	free(path);

	assert_int_equal(snapdir_resolve("real", dir, &path), DBT_OK);
	want = xasprintf("%s/20260215-000000_real.tar", dir);
	assert_string_equal(path, want);
	free(want);
	free(path);

	/* the newest one with a tar: a newer sidecar alone does not count */
	write_bytes(dir, "20260405-000000_app.meta", "{}");
	assert_int_equal(snapdir_resolve("app", dir, &path), DBT_OK);
	want = xasprintf("%s/20260301-100000_app.tar", dir);
	assert_string_equal(path, want);
	free(want);
	free(path);
}

static void
test_resolve_path(void **state)
{
	const char *dir = *state;
	char *path = NULL;

	/* a '/' or a .tar ending: a path, as it is, whether or not it exists */
	assert_int_equal(snapdir_resolve("./app", dir, &path), DBT_OK);
	assert_string_equal(path, "./app");
	free(path);
	assert_int_equal(snapdir_resolve("/elsewhere/x.tar", dir, &path), DBT_OK);
	assert_string_equal(path, "/elsewhere/x.tar");
	free(path);
	assert_int_equal(snapdir_resolve("teammate.tar", dir, &path), DBT_OK);
	assert_string_equal(path, "teammate.tar");
	free(path);
	assert_int_equal(snapdir_resolve("app/", "/nonexistent", &path), DBT_OK);
	assert_string_equal(path, "app/");
	free(path);
}

static void
test_resolve_errors(void **state)
{
	const char *dir = *state;
	char *path = (char *) "untouched";

	/* a valid name that no snapshot has */
	assert_int_equal(snapdir_resolve("nosuch", dir, &path), DBT_FAILED);
	assert_null(path);
	/* only a sidecar left: nothing to restore */
	path = (char *) "untouched";
	assert_int_equal(snapdir_resolve("orphan", dir, &path), DBT_FAILED);
	assert_null(path);
	/* a name that cannot be a snapshot's: a usage error */
	path = (char *) "untouched";
	assert_int_equal(snapdir_resolve("-x", dir, &path), DBT_USAGE);
	assert_null(path);
	assert_int_equal(snapdir_resolve("a b", dir, &path), DBT_USAGE);
	assert_int_equal(snapdir_resolve("", dir, &path), DBT_USAGE);
	assert_int_equal(snapdir_resolve("a..b", dir, &path), DBT_USAGE);
	/* an empty directory */
	{
		char *missing = xasprintf("%s/missing", dir);

		assert_int_equal(snapdir_resolve("app", missing, &path), DBT_FAILED);
		assert_null(path);
		free(missing);
	}
}

/* ---- snapdir_prune ---- */

static prune_opts
rules(const char *name, int keep, long long older_than, bool dry_run)
{
	prune_opts po = {.name = name, .keep = keep, .older_than = older_than, .dry_run = dry_run};

	return po;
}

static size_t
count_entries(const char *dir)
{
	snapdir_entry *e;
	size_t n;

	assert_int_equal(snapdir_scan(dir, &e, &n), 0);
	snapdir_free(e, n);
	return n;
}

static void
test_prune_dry_run(void **state)
{
	const char *dir = *state;
	prune_opts po = rules(NULL, 1, -1, true);

	/* app: two beyond the newest; every other name has only one */
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 2);
	assert_int_equal(count_entries(dir), 6);
	assert_true(exists(dir, "20260101-100000_app.tar"));
	assert_true(exists(dir, "20260101-100000_app.meta"));
	assert_true(exists(dir, "20260201-100000_app.tar"));
	po = rules(NULL, -1, 0, true);
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 6);
	assert_int_equal(count_entries(dir), 6);
	check_untouched_others(dir);
}

static void
test_prune_keep(void **state)
{
	const char *dir = *state;
	prune_opts po = rules(NULL, 1, -1, false);

	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 2);
	/* both files of a snapshot go */
	assert_false(exists(dir, "20260101-100000_app.tar"));
	assert_false(exists(dir, "20260101-100000_app.meta"));
	assert_false(exists(dir, "20260201-100000_app.tar"));
	assert_true(exists(dir, "20260301-100000_app.tar"));
	assert_true(exists(dir, "20260301-100000_app.meta"));
	assert_true(exists(dir, "20260115-120000_other.tar"));
	assert_true(exists(dir, "20260215-000000_real.tar"));
	assert_true(exists(dir, "20260401-000000_orphan.meta"));
	assert_int_equal(count_entries(dir), 4);
	check_untouched_others(dir);

	/* again: nothing left to do */
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 0);
	/* keep 0 removes every snapshot */
	po = rules(NULL, 0, -1, false);
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 4);
	assert_int_equal(count_entries(dir), 0);
	check_untouched_others(dir);
}

static void
test_prune_keep_more_than_there_are(void **state)
{
	const char *dir = *state;
	prune_opts po = rules(NULL, 3, -1, false);

	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 0);
	po = rules(NULL, 2, -1, false);
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 1);
	assert_false(exists(dir, "20260101-100000_app.tar"));
	assert_true(exists(dir, "20260201-100000_app.tar"));
}

static void
test_prune_older_than(void **state)
{
	const char *dir = *state;
	prune_opts po = rules(NULL, -1, 60 * DAY, false);

	/* older than 60 days on 2026-04-10: Jan 1, Jan 15 and Feb 1 (Feb 15 is 54 days old) */
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 3);
	assert_false(exists(dir, "20260101-100000_app.tar"));
	assert_false(exists(dir, "20260101-100000_app.meta"));
	assert_false(exists(dir, "20260115-120000_other.tar"));
	assert_false(exists(dir, "20260115-120000_other.meta"));
	assert_false(exists(dir, "20260201-100000_app.tar"));
	assert_true(exists(dir, "20260215-000000_real.tar"));
	assert_true(exists(dir, "20260301-100000_app.tar"));
	assert_true(exists(dir, "20260401-000000_orphan.meta"));
	check_untouched_others(dir);

	/* exactly that old is not older */
	po = rules(NULL, -1, (long long) (T_NOW - T_FEB15), false);
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 0);
	po = rules(NULL, -1, (long long) (T_NOW - T_FEB15) - 1, false);
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 1);
	assert_false(exists(dir, "20260215-000000_real.tar"));
	po = rules(NULL, -1, (long long) (T_NOW - T_MAR01), false);
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 0);
	po = rules(NULL, -1, (long long) (T_NOW - T_MAR01) - 1, false);
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 1);
	assert_false(exists(dir, "20260301-100000_app.tar"));
	assert_false(exists(dir, "20260301-100000_app.meta"));

	/* a sidecar left alone goes the same way */
	po = rules(NULL, -1, 5 * DAY, false);
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 1);
	assert_false(exists(dir, "20260401-000000_orphan.meta"));
	assert_int_equal(count_entries(dir), 0);
}

static void
test_prune_both_rules(void **state)
{
	const char *dir = *state;
	prune_opts po = rules(NULL, 1, 80 * DAY, false);

	/*
	 * Older than 80 days: Jan 1 (app) and Jan 15 (other); but other's is
	 * the newest of its name, and kept.
	 */
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 1);
	assert_false(exists(dir, "20260101-100000_app.tar"));
	assert_true(exists(dir, "20260115-120000_other.tar"));
	assert_true(exists(dir, "20260201-100000_app.tar"));
	assert_int_equal(count_entries(dir), 5);
}

static void
test_prune_by_name(void **state)
{
	const char *dir = *state;
	prune_opts po = rules("app", 0, -1, true);

	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 3);
	assert_int_equal(count_entries(dir), 6);
	po = rules("app", 1, -1, false);
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 2);
	po = rules("other", -1, 0, false);
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 1);
	assert_false(exists(dir, "20260115-120000_other.tar"));
	assert_true(exists(dir, "20260215-000000_real.tar"));
	po = rules("nosuch", 0, -1, false);
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 0);
	assert_int_equal(count_entries(dir), 3);
}

static void
test_prune_no_rule(void **state)
{
	const char *dir = *state;
	prune_opts po = rules(NULL, -1, -1, false);
	char *missing = xasprintf("%s/missing", dir);

	/* no rule selects nothing */
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 0);
	po = rules("app", -1, -1, false);
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 0);
	assert_int_equal(count_entries(dir), 6);
	/* a missing directory has nothing to prune */
	po = rules(NULL, 0, -1, false);
	assert_int_equal(snapdir_prune(missing, &po, T_NOW), 0);
	free(missing);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scan, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_scan_missing_and_empty, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_resolve_name, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_resolve_path, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_resolve_errors, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_prune_dry_run, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_prune_keep, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_prune_keep_more_than_there_are, dir_setup,
		    dir_teardown),
		cmocka_unit_test_setup_teardown(test_prune_older_than, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_prune_both_rules, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_prune_by_name, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_prune_no_rule, dir_setup, dir_teardown),
	};

	/* the code under test logs its complaints; keep the test output readable */
	log_set_level(LOG_LEVEL_SILENT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
