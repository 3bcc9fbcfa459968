/*
 * test_tarball.c — unit tests for tarball.c's reader: tarball_index_open() finds
 * every member's data at the right offset (short and long names), reads
 * meta.json, and refuses truncated, non-tar and duplicate-member files;
 * tarball_read_last() finds meta.json from the end of the file alone (ours,
 * GNU tar's padded records, one larger than the first window, none at all);
 * tarball_create_from() copies an archive up to a member and appends.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive/tarball.h"

typedef struct fixture {
	char dir[64];
	char path[128];
} fixture;

static int
setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/db-tools-unit-tar-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/a.tar", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static const char *long_name =
    "data/0001_a_schema_with_a_rather_long_name.a_table_whose_name_is_long_enough_to_need_pax_headers.gz";

static void
write_archive(const char *path, bool duplicate)
{
	tarball *tb = tarball_create(path);

	assert_non_null(tb);
	assert_int_equal(tarball_add_mem(tb, "schema/pre-data.sql", "CREATE TABLE t ();\n", 19, 0), 0);
	assert_int_equal(tarball_add_mem(tb, long_name, "0123456789", 10, 0), 0);
	assert_int_equal(tarball_add_mem(tb, "empty", "", 0, 0), 0);
	if (duplicate)
		assert_int_equal(tarball_add_mem(tb, "empty", "", 0, 0), 0);
	assert_int_equal(tarball_add_mem(tb, "meta.json", "{\"x\": 1}\n", 9, 0), 0);
	assert_int_equal(tarball_close(tb, NULL), 0);
}

static void
expect_at(const char *path, const tarball_index *ix, const char *name, const char *content)
{
	const tarball_entry *e = tarball_index_find(ix, name);
	char buf[64] = "";
	int fd = open(path, O_RDONLY);

	assert_non_null(e);
	assert_int_equal(e->size, strlen(content));
	assert_int_equal(pread(fd, buf, (size_t) e->size, e->offset), e->size);
	assert_string_equal(buf, content);
	close(fd);
}

static void
test_index_offsets(void **state)
{
	fixture *f = *state;
	tarball_index ix;
	char err[256];

	write_archive(f->path, false);
	assert_int_equal(tarball_index_open(f->path, 1024, &ix, err, sizeof(err)), TB_INDEX_OK);
	assert_int_equal(ix.n_entries, 4);
	expect_at(f->path, &ix, "schema/pre-data.sql", "CREATE TABLE t ();\n");
	expect_at(f->path, &ix, long_name, "0123456789");
	expect_at(f->path, &ix, "empty", "");
	assert_string_equal(ix.meta, "{\"x\": 1}\n");
	assert_null(tarball_index_find(&ix, "nope"));
	tarball_index_free(&ix);
}

static void
test_index_refusals(void **state)
{
	fixture *f = *state;
	tarball_index ix;
	char err[256], cmd[512];

	write_archive(f->path, false);
	assert_int_equal(tarball_index_open(f->path, 4, &ix, err, sizeof(err)), TB_INDEX_INVALID);
	assert_non_null(strstr(err, "meta.json"));
	assert_int_equal(truncate(f->path, 1600), 0);
	assert_int_equal(tarball_index_open(f->path, 1024, &ix, err, sizeof(err)), TB_INDEX_INVALID);
	snprintf(cmd, sizeof(cmd), "head -c 5000 /dev/urandom > '%s'", f->path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(tarball_index_open(f->path, 1024, &ix, err, sizeof(err)), TB_INDEX_INVALID);
	unlink(f->path);
	assert_int_equal(tarball_index_open(f->path, 1024, &ix, err, sizeof(err)), TB_INDEX_IO);
	write_archive(f->path, true);
	assert_int_equal(tarball_index_open(f->path, 1024, &ix, err, sizeof(err)), TB_INDEX_INVALID);
	assert_non_null(strstr(err, "twice"));
}

static void
expect_last(const char *path, size_t limit, const char *content)
{
	char *out = NULL;
	size_t len = 0;
	char err[256] = "";

	assert_int_equal(tarball_read_last(path, "meta.json", limit, &out, &len, err, sizeof(err)), 0);
	assert_int_equal(len, strlen(content));
	assert_string_equal(out, content);
	free(out);
}

static void
expect_no_last(const char *path, int want)
{
	char *out = (char *) "untouched";
	size_t len = 99;
	char err[256] = "";

	assert_int_equal(tarball_read_last(path, "meta.json", 1024, &out, &len, err, sizeof(err)), want);
	assert_null(out);
	assert_int_equal(len, 0);
	if (want < 0)
		assert_true(err[0] != '\0');
}

static void
test_read_last(void **state)
{
	fixture *f = *state;
	tarball_index ix;
	char err[256], cmd[1024];
	tarball *tb;
	char *big;

	/* ours, and its header positions: meta.json's header is the block before its data */
	write_archive(f->path, false);
	expect_last(f->path, 1024, "{\"x\": 1}\n");
	assert_int_equal(tarball_index_open(f->path, 1024, &ix, err, sizeof(err)), TB_INDEX_OK);
	assert_int_equal(ix.entries[0].header, 0);
	assert_int_equal(ix.entries[3].header + 512, ix.entries[3].offset);
	tarball_index_free(&ix);
	/* a name too long for ustar has an extended header before its own */
	unlink(f->path);
	tb = tarball_create(f->path);
	assert_non_null(tb);
	memset(cmd, 'n', 150);
	cmd[150] = '\0';
	assert_int_equal(tarball_add_mem(tb, "first", "1", 1, 0), 0);
	assert_int_equal(tarball_add_mem(tb, cmd, "2", 1, 0), 0);
	assert_int_equal(tarball_close(tb, NULL), 0);
	assert_int_equal(tarball_index_open(f->path, 1024, &ix, err, sizeof(err)), TB_INDEX_OK);
	assert_int_equal(ix.entries[1].header, 1024);
	assert_true(ix.entries[1].header + 512 < ix.entries[1].offset);
	tarball_index_free(&ix);
	unlink(f->path);
	write_archive(f->path, false);
	/* too large for the limit: not taken */
	{
		char *out = NULL;
		size_t len = 0;

		assert_int_equal(tarball_read_last(f->path, "meta.json", 4, &out, &len, err, sizeof(err)), 1);
	}

	/* padded with zero blocks to a 10 KiB record, as GNU tar writes */
	snprintf(cmd, sizeof(cmd), "head -c 9216 /dev/zero >> '%s'", f->path);
	assert_int_equal(system(cmd), 0);
	expect_last(f->path, 1024, "{\"x\": 1}\n");

	/* written by tar(1) itself */
	snprintf(cmd, sizeof(cmd),
	    "cd '%s' && printf 'a' > one && printf '{\"y\": 2}\\n' > meta.json && tar -cf g.tar one meta.json",
	    f->dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/g.tar", f->dir);
	expect_last(cmd, 1024, "{\"y\": 2}\n");

	/* meta.json not last, or absent: not found at the end */
	snprintf(cmd, sizeof(cmd), "cd '%s' && tar -cf g.tar meta.json one", f->dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/g.tar", f->dir);
	expect_no_last(cmd, 1);

	/* larger than the first 64 KiB read from the end */
	unlink(f->path);
	big = malloc(200001);
	memset(big, 'x', 200000);
	big[0] = '"';
	big[199999] = '"';
	big[200000] = '\0';
	tb = tarball_create(f->path);
	assert_non_null(tb);
	assert_int_equal(tarball_add_mem(tb, "one", "1", 1, 0), 0);
	assert_int_equal(tarball_add_mem(tb, "meta.json", big, 200000, 0), 0);
	assert_int_equal(tarball_close(tb, NULL), 0);
	expect_last(f->path, 1u << 20, big);
	free(big);

	/* only the end is read: a first header that is not one does not matter (a full walk fails) */
	unlink(f->path);
	big = calloc(1, 300000);
	tb = tarball_create(f->path);
	assert_non_null(tb);
	assert_int_equal(tarball_add_mem(tb, "data", big, 300000, 0), 0);
	assert_int_equal(tarball_add_mem(tb, "meta.json", "{}", 2, 0), 0);
	assert_int_equal(tarball_close(tb, NULL), 0);
	free(big);
	snprintf(cmd, sizeof(cmd), "printf 'not a header' | dd of='%s' conv=notrunc status=none", f->path);
	assert_int_equal(system(cmd), 0);
	{
		char *out = NULL;
		size_t len = 0;

		assert_true(tarball_read_member(f->path, "meta.json", 1024, &out, &len, err, sizeof(err)) != 0);
		free(out);
	}
	expect_last(f->path, 1024, "{}");

	/* not a tar, empty, missing */
	snprintf(cmd, sizeof(cmd), "head -c 5000 /dev/urandom > '%s'", f->path);
	assert_int_equal(system(cmd), 0);
	expect_no_last(f->path, 1);
	assert_int_equal(truncate(f->path, 0), 0);
	expect_no_last(f->path, 1);
	unlink(f->path);
	expect_no_last(f->path, -1);
}

static void
test_create_from(void **state)
{
	fixture *f = *state;
	tarball_index ix, copy;
	char err[256], path[160];
	tarball *tb;

	write_archive(f->path, false);
	assert_int_equal(tarball_index_open(f->path, 1024, &ix, err, sizeof(err)), TB_INDEX_OK);
	snprintf(path, sizeof(path), "%s/b.tar", f->dir);
	tb = tarball_create_from(path, f->path, ix.entries[3].header);
	assert_non_null(tb);
	assert_int_equal(tarball_add_mem(tb, "meta.json", "{\"x\": 2}\n", 9, 0), 0);
	assert_int_equal(tarball_close(tb, NULL), 0);
	assert_int_equal(tarball_index_open(path, 1024, &copy, err, sizeof(err)), TB_INDEX_OK);
	assert_int_equal(copy.n_entries, 4);
	expect_at(path, &copy, "schema/pre-data.sql", "CREATE TABLE t ();\n");
	expect_at(path, &copy, long_name, "0123456789");
	expect_at(path, &copy, "empty", "");
	assert_string_equal(copy.meta, "{\"x\": 2}\n");
	expect_last(path, 1024, "{\"x\": 2}\n");
	tarball_index_free(&copy);
	/* the source is untouched; an existing target is refused */
	expect_last(f->path, 1024, "{\"x\": 1}\n");
	assert_null(tarball_create_from(path, f->path, ix.entries[3].header));
	tarball_index_free(&ix);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_index_offsets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_last, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_from, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
