/*
 * test_tarball.c — unit tests for tarball.c's reader: tarball_index_open() finds
 * every member's data at the right offset (short and long names), reads
 * meta.json, and refuses truncated, non-tar and duplicate-member files.
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_index_offsets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_refusals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
