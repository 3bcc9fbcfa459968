/*
 * test_snapdir.c — unit tests for snapdir.c: listing a snapshot directory
 * (oldest first, names and times from the file names, .meta sidecars or the
 * tar's meta.json, archives without a stamp under their meta.json's name,
 * leftovers and files that are not snapshots), finding what an argument
 * names (NAME, stamped names and file names, NAME~N), the shortest argument
 * for a snapshot, resolving NAME or PATH arguments, pruning by --keep,
 * --older-than and NAME, with and without --dry-run, deleting, and renaming
 * (and renames that fail, leaving the snapshot as it was).
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
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/instant.h"
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
	assert_string_equal(e[0].file, "20260101-100000_app.tar");
	assert_true(e[0].stamped);
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
	assert_int_equal(e[5].tar_bytes, -1);
	assert_string_equal(e[5].file, "20260401-000000_orphan.meta");
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
	assert_int_equal(snapdir_resolve("app/", "/nonexistent", &path), DBT_OK);
	assert_string_equal(path, "app/");
	free(path);
}

/* A .tar file name: a path when it exists here, else a file in the snapshot directory. */
static void
test_resolve_file_name(void **state)
{
	const char *dir = *state;
	char *path = NULL, *want, *cwd = getcwd(NULL, 0);
	char *here = xasprintf("%s/here", dir);

	assert_non_null(cwd);
	assert_int_equal(mkdir(here, 0700), 0);
	assert_int_equal(chdir(here), 0);
	write_bytes(".", "teammate.tar", "x");
	assert_int_equal(snapdir_resolve("teammate.tar", dir, &path), DBT_OK);
	assert_string_equal(path, "teammate.tar");
	free(path);
	/* in the directory, with or without .tar */
	assert_int_equal(snapdir_resolve("20260215-000000_real.tar", dir, &path), DBT_OK);
	want = xasprintf("%s/20260215-000000_real.tar", dir);
	assert_string_equal(path, want);
	free(path);
	assert_int_equal(snapdir_resolve("20260215-000000_real", dir, &path), DBT_OK);
	assert_string_equal(path, want);
	free(path);
	free(want);
	/* neither here nor there */
	path = (char *) "untouched";
	assert_int_equal(snapdir_resolve("nosuch.tar", dir, &path), DBT_FAILED);
	assert_null(path);
	assert_int_equal(chdir(cwd), 0);
	free(cwd);
	free(here);
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

	/* app: two beyond the newest; every other name has only one; a .meta alone is not kept */
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 3);
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

	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 3);
	/* both files of a snapshot go */
	assert_false(exists(dir, "20260101-100000_app.tar"));
	assert_false(exists(dir, "20260101-100000_app.meta"));
	assert_false(exists(dir, "20260201-100000_app.tar"));
	assert_true(exists(dir, "20260301-100000_app.tar"));
	assert_true(exists(dir, "20260301-100000_app.meta"));
	assert_true(exists(dir, "20260115-120000_other.tar"));
	assert_true(exists(dir, "20260215-000000_real.tar"));
	/* a .meta whose archive is gone is not a snapshot to keep */
	assert_false(exists(dir, "20260401-000000_orphan.meta"));
	assert_int_equal(count_entries(dir), 3);
	check_untouched_others(dir);

	/* again: nothing left to do */
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 0);
	/* keep 0 removes every snapshot */
	po = rules(NULL, 0, -1, false);
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 3);
	assert_int_equal(count_entries(dir), 0);
	check_untouched_others(dir);
}

static void
test_prune_keep_more_than_there_are(void **state)
{
	const char *dir = *state;
	prune_opts po = rules(NULL, 3, -1, false);

	/* only the .meta left alone */
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 1);
	assert_false(exists(dir, "20260401-000000_orphan.meta"));
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

/* ---- archives without a stamp, NAME~N, stamped names: snapdir_find ---- */

static snapdir_entry *
scan_ok(const char *dir, size_t *n)
{
	snapdir_entry *e;

	assert_int_equal(snapdir_scan(dir, &e, n), 0);
	return e;
}

static long
find_in(const char *dir, const char *arg)
{
	size_t n;
	snapdir_entry *e = scan_ok(dir, &n);
	long i = snapdir_find(e, n, arg);

	snapdir_free(e, n);
	return i;
}

/* The file name of what arg names ("" when nothing). */
static char *
found_file(const char *dir, const char *arg)
{
	size_t n;
	snapdir_entry *e = scan_ok(dir, &n);
	long i = snapdir_find(e, n, arg);
	char *file = xstrdup(i >= 0 ? e[i].file : "");

	snapdir_free(e, n);
	return file;
}

static void
expect_found(const char *dir, const char *arg, const char *file)
{
	char *got = found_file(dir, arg);

	if (strcmp(got, file) != 0)
		fail_msg("\"%s\" found \"%s\", expected \"%s\"", arg, got, file);
	free(got);
}

static void
test_find_names(void **state)
{
	const char *dir = *state;

	/* NAME and NAME~N: the newest, then older ones (only those with a tar) */
	expect_found(dir, "app", "20260301-100000_app.tar");
	expect_found(dir, "app~0", "20260301-100000_app.tar");
	expect_found(dir, "app~1", "20260201-100000_app.tar");
	expect_found(dir, "app~", "20260201-100000_app.tar");
	expect_found(dir, "app~2", "20260101-100000_app.tar");
	assert_int_equal(find_in(dir, "app~3"), SNAPDIR_TOO_FEW);
	expect_found(dir, "real", "20260215-000000_real.tar");
	assert_int_equal(find_in(dir, "real~1"), SNAPDIR_TOO_FEW);
	/* stamped names, with or without .tar, and ~N from there */
	expect_found(dir, "20260201-100000_app", "20260201-100000_app.tar");
	expect_found(dir, "20260201-100000_app.tar", "20260201-100000_app.tar");
	expect_found(dir, "20260201-100000_app~1", "20260101-100000_app.tar");
	expect_found(dir, "20260301-100000_app.tar~2", "20260101-100000_app.tar");
	assert_int_equal(find_in(dir, "20260101-100000_app~1"), SNAPDIR_TOO_FEW);
	expect_found(dir, "20260115-120000_other", "20260115-120000_other.tar");
	/* nothing to restore: a sidecar alone, a stamp that is not there, another name */
	assert_int_equal(find_in(dir, "orphan"), SNAPDIR_NO_MATCH);
	assert_int_equal(find_in(dir, "20260401-000000_orphan"), SNAPDIR_NO_MATCH);
	assert_int_equal(find_in(dir, "20260201-100001_app"), SNAPDIR_NO_MATCH);
	assert_int_equal(find_in(dir, "nosuch"), SNAPDIR_NO_MATCH);
	assert_int_equal(find_in(dir, "nosuch~2"), SNAPDIR_NO_MATCH);
	assert_int_equal(find_in(dir, "20260101-100000_app.meta"), SNAPDIR_NO_MATCH);
	/* "garbage.tar" is not an archive: not listed, not found */
	assert_int_equal(find_in(dir, "garbage.tar"), SNAPDIR_NO_MATCH);
	assert_int_equal(find_in(dir, "garbage"), SNAPDIR_NO_MATCH);
	/* not names */
	assert_int_equal(find_in(dir, "a b"), SNAPDIR_BAD_ARG);
	assert_int_equal(find_in(dir, "-x"), SNAPDIR_BAD_ARG);
	assert_int_equal(find_in(dir, "app~x"), SNAPDIR_BAD_ARG);
	assert_int_equal(find_in(dir, "app~99999999"), SNAPDIR_BAD_ARG);
	assert_int_equal(find_in(dir, "~1"), SNAPDIR_BAD_ARG);
	assert_int_equal(find_in(dir, "./app"), SNAPDIR_BAD_ARG);
	assert_int_equal(find_in(dir, ""), SNAPDIR_BAD_ARG);
}

static void
test_find_unstamped(void **state)
{
	const char *dir = *state;
	size_t n;
	snapdir_entry *e;

	/* a teammate's archive, renamed: listed under its meta.json's name and time */
	write_tar_with_meta(dir, "baseline.tar", "app", T_MAR01 + DAY);
	/* one whose file name is another snapshot's name */
	write_tar_with_meta(dir, "real.tar", "zeta", T_JAN01 - DAY);
	e = scan_ok(dir, &n);
	assert_int_equal(n, 8);
	assert_string_equal(e[0].file, "real.tar");
	assert_string_equal(e[0].name, "zeta");
	assert_false(e[0].stamped);
	assert_int_equal(e[0].when, T_JAN01 - DAY);
	assert_null(e[0].meta_path);
	assert_true(e[0].has_meta);
	assert_string_equal(e[6].file, "baseline.tar");
	assert_string_equal(e[6].name, "app");
	assert_int_equal(e[6].when, T_MAR01 + DAY);
	snapdir_free(e, n);

	/* by its meta name (the newest "app" now), its file name, with or without .tar */
	expect_found(dir, "app", "baseline.tar");
	expect_found(dir, "baseline", "baseline.tar");
	expect_found(dir, "baseline.tar", "baseline.tar");
	expect_found(dir, "app~1", "20260301-100000_app.tar");
	expect_found(dir, "baseline~1", "20260301-100000_app.tar");
	expect_found(dir, "baseline.tar~3", "20260101-100000_app.tar");
	assert_int_equal(find_in(dir, "baseline~4"), SNAPDIR_TOO_FEW);
	/* a NAME wins over a file name without .tar */
	expect_found(dir, "real", "20260215-000000_real.tar");
	expect_found(dir, "real.tar", "real.tar");
	expect_found(dir, "zeta", "real.tar");
}

static void
expect_shortest(const char *dir, const char *file, const char *want)
{
	size_t n;
	snapdir_entry *e = scan_ok(dir, &n);
	char *got = NULL;
	bool seen = false;

	for (size_t i = 0; i < n; i++)
		if (strcmp(e[i].file, file) == 0) {
			got = snapdir_shortest(e, n, i);
			seen = true;
		}
	assert_true(seen);
	if (!want)
		assert_null(got);
	else
		assert_string_equal(got, want);
	free(got);
	snapdir_free(e, n);
}

static void
test_shortest(void **state)
{
	const char *dir = *state;
	char *path, *ref;

	expect_shortest(dir, "20260301-100000_app.tar", "app");
	expect_shortest(dir, "20260201-100000_app.tar", "20260201-100000_app");
	expect_shortest(dir, "20260215-000000_real.tar", "real");
	expect_shortest(dir, "20260401-000000_orphan.meta", NULL);
	write_tar_with_meta(dir, "real.tar", "app", T_JAN01 - DAY);
	write_tar_with_meta(dir, "baseline.tar", "app", T_MAR01 + DAY);
	expect_shortest(dir, "baseline.tar", "app");
	expect_shortest(dir, "20260301-100000_app.tar", "20260301-100000_app");
	/* "real" is another snapshot's NAME: the file name with .tar */
	expect_shortest(dir, "real.tar", "real.tar");

	path = xasprintf("%s/baseline.tar", dir);
	ref = snapdir_ref(dir, path);
	assert_string_equal(ref, "app");
	free(ref);
	free(path);
	path = xasprintf("%s/nosuch.tar", dir);
	assert_null(snapdir_ref(dir, path));
	free(path);
}

static void
test_prune_names(void **state)
{
	const char *dir = *state;
	prune_opts po = rules("app~1", 0, -1, false);

	/* one snapshot, not a NAME: a usage error, nothing removed */
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), -2);
	po = rules("20260201-100000_app", 0, -1, false);
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), -2);
	po = rules("20260215-000000_real.tar", 0, -1, false);
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), -2);
	po = rules("a b", 0, -1, false);
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), -2);
	assert_int_equal(count_entries(dir), 6);
	/* NAME counts what NAME~N does: an archive without a stamp, by its meta.json's name */
	write_tar_with_meta(dir, "baseline.tar", "app", T_MAR01 + DAY);
	po = rules("app", 2, -1, false);
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 2);
	assert_true(exists(dir, "baseline.tar"));
	assert_true(exists(dir, "20260301-100000_app.tar"));
	assert_false(exists(dir, "20260201-100000_app.tar"));
	po = rules("app", 0, -1, false);
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 2);
	assert_false(exists(dir, "baseline.tar"));
	check_untouched_others(dir);
}

/* ---- deleting and renaming ---- */

static size_t
count_partials(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += strstr(de->d_name, ".partial") != NULL;
	closedir(d);
	return n;
}

static void
test_lookup_delete(void **state)
{
	const char *dir = *state;
	snapdir_entry *x;

	assert_int_equal(snapdir_lookup("app~1", dir, &x), DBT_OK);
	assert_string_equal(x->file, "20260201-100000_app.tar");
	assert_int_equal(snapdir_delete(dir, x), DBT_OK);
	snapdir_free(x, 1);
	assert_false(exists(dir, "20260201-100000_app.tar"));
	/* both files go */
	assert_int_equal(snapdir_lookup("app~1", dir, &x), DBT_OK);
	assert_string_equal(x->file, "20260101-100000_app.tar");
	assert_non_null(x->meta_path);
	assert_int_equal(snapdir_delete(dir, x), DBT_OK);
	snapdir_free(x, 1);
	assert_false(exists(dir, "20260101-100000_app.tar"));
	assert_false(exists(dir, "20260101-100000_app.meta"));
	assert_true(exists(dir, "20260301-100000_app.tar"));
	/* described, for the question */
	assert_int_equal(snapdir_lookup("real", dir, &x), DBT_OK);
	assert_true(x->has_meta);
	snapdir_free(x, 1);
	/* what names nothing, or is not a name */
	x = (snapdir_entry *) 1;
	assert_int_equal(snapdir_lookup("app~1", dir, &x), DBT_FAILED);
	assert_null(x);
	assert_int_equal(snapdir_lookup("nosuch", dir, &x), DBT_FAILED);
	assert_int_equal(snapdir_lookup("a b", dir, &x), DBT_USAGE);
	assert_int_equal(snapdir_lookup("./app", dir, &x), DBT_USAGE);
	assert_int_equal(snapdir_lookup("/x/y.tar", dir, &x), DBT_USAGE);
	check_untouched_others(dir);
}

/* The archive's meta.json from its end, and the sidecar: the same bytes, naming name. */
static void
expect_renamed(const char *dir, const char *stem, const char *name)
{
	char *tar = xasprintf("%s/%s.tar", dir, stem), *meta = xasprintf("%s/%s.meta", dir, stem);
	char *text = NULL, *side = NULL, err[256];
	size_t len = 0, slen = 0;
	meta_doc m;
	FILE *f;

	assert_int_equal(tarball_read_last(tar, META_MEMBER, META_MAX_BYTES, &text, &len, err, sizeof(err)), 0);
	f = fopen(meta, "r");
	assert_non_null(f);
	side = xmalloc(len + 2);
	slen = fread(side, 1, len + 1, f);
	fclose(f);
	assert_int_equal(slen, len);
	assert_memory_equal(side, text, len);
	assert_int_equal(meta_from_json(text, len, &m, err, sizeof(err)), META_OK);
	assert_string_equal(m.name, name);
	meta_free(&m);
	free(text);
	free(side);
	free(tar);
	free(meta);
}

static void
test_rename(void **state)
{
	const char *dir = *state;
	snapdir_entry *x;
	char *path = NULL, *want;

	/* a stamped snapshot without a sidecar: the stamp stays, both files carry the new name */
	assert_int_equal(snapdir_lookup("real", dir, &x), DBT_OK);
	assert_int_equal(snapdir_rename(dir, x, "renamed", &path), DBT_OK);
	snapdir_free(x, 1);
	want = xasprintf("%s/20260215-000000_renamed.tar", dir);
	assert_string_equal(path, want);
	free(want);
	free(path);
	assert_false(exists(dir, "20260215-000000_real.tar"));
	expect_renamed(dir, "20260215-000000_renamed", "renamed");
	expect_found(dir, "renamed", "20260215-000000_renamed.tar");
	assert_int_equal(find_in(dir, "real"), SNAPDIR_NO_MATCH);

	/* and again, now with its sidecar */
	assert_int_equal(snapdir_lookup("renamed", dir, &x), DBT_OK);
	assert_int_equal(snapdir_rename(dir, x, "again", &path), DBT_OK);
	snapdir_free(x, 1);
	free(path);
	assert_false(exists(dir, "20260215-000000_renamed.tar"));
	assert_false(exists(dir, "20260215-000000_renamed.meta"));
	expect_renamed(dir, "20260215-000000_again", "again");

	/* a file without a stamp gets its meta.json's */
	write_tar_with_meta(dir, "baseline.tar", "app", T_MAR01 + DAY);
	assert_int_equal(snapdir_lookup("baseline", dir, &x), DBT_OK);
	assert_int_equal(snapdir_rename(dir, x, "base", &path), DBT_OK);
	snapdir_free(x, 1);
	free(path);
	assert_false(exists(dir, "baseline.tar"));
	expect_renamed(dir, "20260302-100000_base", "base");

	/* the same name: nothing to do */
	assert_int_equal(snapdir_lookup("base", dir, &x), DBT_OK);
	assert_int_equal(snapdir_rename(dir, x, "base", &path), DBT_OK);
	snapdir_free(x, 1);
	free(path);
	expect_renamed(dir, "20260302-100000_base", "base");
	assert_int_equal(count_partials(dir), 0);
	check_untouched_others(dir);
}

static void
test_rename_refused(void **state)
{
	const char *dir = *state;
	snapdir_entry *x;
	char *path = (char *) "untouched";

	assert_int_equal(snapdir_lookup("real", dir, &x), DBT_OK);
	/* a new name that is not a name */
	assert_int_equal(snapdir_rename(dir, x, "a b", &path), DBT_USAGE);
	assert_null(path);
	assert_int_equal(snapdir_rename(dir, x, "", &path), DBT_USAGE);
	assert_int_equal(snapdir_rename(dir, x, "x~1", &path), DBT_USAGE);
	/* a snapshot of that name and time exists (either file) */
	write_bytes(dir, "20260215-000000_taken.meta", "{}");
	assert_int_equal(snapdir_rename(dir, x, "taken", &path), DBT_FAILED);
	assert_null(path);
	snapdir_free(x, 1);
	assert_true(exists(dir, "20260215-000000_real.tar"));
	assert_false(exists(dir, "20260215-000000_taken.tar"));
	expect_found(dir, "real", "20260215-000000_real.tar");
	/* an archive that cannot be read: an integrity failure, nothing changed */
	assert_int_equal(snapdir_lookup("app", dir, &x), DBT_OK);
	assert_int_equal(snapdir_rename(dir, x, "fixed", &path), DBT_INTEGRITY);
	snapdir_free(x, 1);
	assert_true(exists(dir, "20260301-100000_app.tar"));
	assert_true(exists(dir, "20260301-100000_app.meta"));
	assert_false(exists(dir, "20260301-100000_fixed.tar"));
	assert_false(exists(dir, "20260301-100000_fixed.meta"));
	assert_int_equal(count_partials(dir), 0);
	/* and the .meta named "taken" */
	assert_int_equal(count_entries(dir), 7);
}

/* ---- instant snapshots' markers ---- */

/* A marker named name at created (file name from them unless file is given). */
static void
write_marker(const char *dir, const char *file, const char *name, time_t created)
{
	instant_marker m;
	char *text;

	memset(&m, 0, sizeof(m));
	m.name = (char *) name;
	m.created_at = created;
	m.database = (char *) "app_dev";
	m.user = (char *) "alice";
	m.template_db = (char *) "db_tools_cache_0123456789abcdef";
	memset(m.key, 'a', HASH_HEX_LEN);
	m.bytes = 4096;
	text = instant_to_json(&m);
	write_bytes(dir, file, text);
	free(text);
}

/* The directory of dir_setup plus: an instant snapshot of app at the time of its newest archive, one named inst, and two that are skipped. */
static void
add_markers(const char *dir)
{
	write_marker(dir, "20260301-100000_app.instant", "app", T_MAR01);
	write_marker(dir, "20260320-000000_inst.instant", "inst", T_MAR01 + 19 * DAY - 36000);
	/* the file name and the marker disagree */
	write_marker(dir, "20260101-000000_wrong.instant", "other", T_JAN01);
	write_bytes(dir, "20260102-000000_junk.instant", "{\"format\": ");
}

static void
test_instant_scan_find(void **state)
{
	const char *dir = *state;
	snapdir_entry *e;
	size_t n;
	char *path;
	long i;

	add_markers(dir);
	assert_int_equal(snapdir_scan(dir, &e, &n), 0);
	assert_int_equal(n, 8);
	/* the archive and the instant snapshot of the same time: the archive first, the instant one is newer */
	assert_string_equal(e[4].file, "20260301-100000_app.tar");
	assert_string_equal(e[5].file, "20260301-100000_app.instant");
	assert_non_null(e[5].instant_path);
	assert_null(e[5].tar_path);
	assert_int_equal(e[5].instant.bytes, 4096);
	assert_string_equal(e[6].name, "inst");
	/* NAME picks the instant one; ~1 the archive; the stem picks .tar before .instant */
	assert_int_equal(snapdir_find(e, n, "app"), 5);
	assert_int_equal(snapdir_find(e, n, "app~1"), 4);
	assert_int_equal(snapdir_find(e, n, "20260301-100000_app"), 4);
	assert_int_equal(snapdir_find(e, n, "20260301-100000_app.instant"), 5);
	assert_int_equal(snapdir_find(e, n, "inst"), 6);
	assert_int_equal(snapdir_find(e, n, "20260320-000000_inst"), 6);
	assert_int_equal(snapdir_find(e, n, "wrong"), SNAPDIR_NO_MATCH);
	i = snapdir_find(e, n, "inst");
	path = snapdir_shortest(e, n, (size_t) i);
	assert_string_equal(path, "inst");
	free(path);
	path = snapdir_shortest(e, n, 4);
	assert_string_equal(path, "20260301-100000_app");
	free(path);
	snapdir_free(e, n);
	assert_int_equal(snapdir_resolve("inst", dir, &path), DBT_OK);
	assert_non_null(strstr(path, "/20260320-000000_inst.instant"));
	free(path);
}

static int drops, drop_fails;

static int
count_drop(void *arg, const snapdir_entry *e)
{
	(void) arg;
	assert_non_null(e->instant_path);
	drops++;
	return drop_fails ? -1 : 0;
}

static void
test_instant_prune_delete_rename(void **state)
{
	const char *dir = *state;
	prune_opts po = rules("inst", 0, -1, false);
	snapdir_entry *x;
	char *path;

	add_markers(dir);
	/* without a way to drop its database, an instant snapshot is kept */
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), -1);
	assert_true(exists(dir, "20260320-000000_inst.instant"));
	/* the database is dropped before the marker goes; a failed drop keeps the marker */
	po.drop_instant = count_drop;
	drop_fails = 1;
	drops = 0;
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), -1);
	assert_int_equal(drops, 1);
	assert_true(exists(dir, "20260320-000000_inst.instant"));
	/* a dry run drops nothing */
	po.dry_run = true;
	drop_fails = 0;
	drops = 0;
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 1);
	assert_int_equal(drops, 0);
	po.dry_run = false;
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 1);
	assert_int_equal(drops, 1);
	assert_false(exists(dir, "20260320-000000_inst.instant"));
	/* --keep counts both kinds of a name: keep 1 of app keeps the instant one */
	po = rules("app", 1, -1, false);
	po.drop_instant = count_drop;
	drops = 0;
	assert_int_equal(snapdir_prune(dir, &po, T_NOW), 3);
	assert_int_equal(drops, 0);
	assert_true(exists(dir, "20260301-100000_app.instant"));
	assert_false(exists(dir, "20260301-100000_app.tar"));
	/* rename: the marker written anew under the new name, with it; delete: the marker goes */
	assert_int_equal(snapdir_lookup("app", dir, &x), DBT_OK);
	assert_int_equal(snapdir_rename(dir, x, "renamed", &path), DBT_OK);
	snapdir_free(x, 1);
	assert_false(exists(dir, "20260301-100000_app.instant"));
	assert_true(exists(dir, "20260301-100000_renamed.instant"));
	free(path);
	assert_int_equal(snapdir_lookup("renamed", dir, &x), DBT_OK);
	assert_string_equal(x->instant.name, "renamed");
	assert_int_equal(x->instant.created_at, T_MAR01);
	assert_int_equal(snapdir_delete(dir, x), DBT_OK);
	snapdir_free(x, 1);
	assert_false(exists(dir, "20260301-100000_renamed.instant"));
	check_untouched_others(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scan, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_scan_missing_and_empty, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_resolve_name, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_resolve_path, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_resolve_file_name, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_find_names, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_find_unstamped, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_shortest, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_resolve_errors, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_prune_dry_run, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_prune_keep, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_prune_keep_more_than_there_are, dir_setup,
		    dir_teardown),
		cmocka_unit_test_setup_teardown(test_prune_older_than, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_prune_both_rules, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_prune_by_name, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_prune_no_rule, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_prune_names, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_lookup_delete, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_rename, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_rename_refused, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_instant_scan_find, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_instant_prune_delete_rename, dir_setup, dir_teardown),
	};

	/* the code under test logs its complaints; keep the test output readable */
	log_set_level(LOG_LEVEL_SILENT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
