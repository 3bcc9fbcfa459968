/*
 * test_spool.c — unit tests for spool.c: the memory-then-file buffer,
 * reading back across the memory/file boundary, reset and size accounting.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/spool.h"
#include "util/strbuf.h"

#define LIMIT 1000

typedef struct fixture {
	char dir[64];
	spool s;
	strbuf expect;      /* everything written, in order */
} fixture;

static int
setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/db-tools-unit-spool-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	spool_init(&f->s, f->dir, LIMIT);
	sb_init(&f->expect);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fixture *f = *state;
	int rc;

	spool_free(&f->s);
	sb_free(&f->expect);
	rc = rmdir(f->dir);     /* fails if a spill file was left behind */
	free(f);
	return rc;
}

/* Entries in dir other than . and .. */
static int
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* Write len bytes of a pattern that depends on the offset, remembering them. */
static void
put(fixture *f, size_t len)
{
	char *buf = xmalloc(len ? len : 1);

	for (size_t i = 0; i < len; i++) {
		size_t off = f->expect.len + i;

		buf[i] = (char) ((off * 131 + off / 251) & 0xff);
	}
	assert_int_equal(spool_write(&f->s, buf, len), 0);
	sb_append_len(&f->expect, buf, len);
	free(buf);
}

/* Rewind and read everything back with reads of at most step bytes. */
static void
read_back(fixture *f, size_t step)
{
	char *buf = xmalloc(step);
	strbuf got;
	ssize_t n;

	sb_init(&got);
	spool_rewind(&f->s);
	while ((n = spool_read(&f->s, buf, step)) > 0) {
		assert_true((size_t) n <= step);
		sb_append_len(&got, buf, (size_t) n);
		assert_true(got.len <= f->expect.len);
	}
	assert_int_equal(n, 0);
	assert_int_equal(got.len, f->expect.len);
	if (got.len)
		assert_memory_equal(got.data, f->expect.data, got.len);
	/* at the end it stays at the end */
	assert_int_equal(spool_read(&f->s, buf, step), 0);
	sb_free(&got);
	free(buf);
}

static void
test_init_state(void **state)
{
	fixture *f = *state;
	char buf[16];

	assert_int_equal(f->s.fd, -1);
	assert_int_equal(f->s.size, 0);
	assert_int_equal(f->s.mem_len, 0);
	assert_int_equal(f->s.mem_limit, LIMIT);
	assert_string_equal(f->s.dir, f->dir);
	spool_rewind(&f->s);
	assert_int_equal(spool_read(&f->s, buf, sizeof(buf)), 0);
}

static void
test_memory_only(void **state)
{
	fixture *f = *state;

	put(f, 400);
	put(f, 500);
	assert_int_equal(f->s.fd, -1);
	assert_int_equal(f->s.mem_len, 900);
	assert_int_equal(f->s.size, 900);
	/* exactly up to the limit still fits */
	put(f, 100);
	assert_int_equal(f->s.fd, -1);
	assert_int_equal(f->s.mem_len, LIMIT);
	assert_int_equal(f->s.size, LIMIT);
	assert_int_equal(count_entries(f->dir), 0);
	read_back(f, 1);
	read_back(f, 7);
	read_back(f, 65536);
}

static void
test_spill(void **state)
{
	fixture *f = *state;

	put(f, 600);
	assert_int_equal(f->s.fd, -1);
	put(f, 600);                       /* does not fit: goes to the file */
	assert_true(f->s.fd >= 0);
	assert_int_equal(f->s.mem_len, 600);
	assert_int_equal(f->s.size, 1200);
	put(f, 1);                         /* once spilled, everything goes to the file */
	put(f, 100000);
	put(f, 3);
	assert_int_equal(f->s.mem_len, 600);
	assert_true(f->s.mem_len <= f->s.mem_limit);
	assert_int_equal(f->s.size, 600 + 600 + 1 + 100000 + 3);
	/* the spill file is unlinked at once */
	assert_int_equal(count_entries(f->dir), 0);

	read_back(f, 1);
	read_back(f, 7);
	read_back(f, 599);
	read_back(f, 601);
	read_back(f, 4096);
	read_back(f, 1u << 20);
}

static void
test_read_partial_then_rewind(void **state)
{
	fixture *f = *state;
	char buf[700];

	put(f, 800);
	put(f, 5000);
	spool_rewind(&f->s);
	/* a large read may stop at the memory/file boundary but never crosses the data */
	assert_true(spool_read(&f->s, buf, sizeof(buf)) > 0);
	assert_memory_equal(buf, f->expect.data, 700);
	assert_true(spool_read(&f->s, buf, sizeof(buf)) > 0);
	/* rewinding starts over from the first byte */
	spool_rewind(&f->s);
	assert_int_equal(spool_read(&f->s, buf, 10), 10);
	assert_memory_equal(buf, f->expect.data, 10);
	read_back(f, 333);
}

static void
test_reset_reuse(void **state)
{
	fixture *f = *state;

	put(f, 900);
	put(f, 20000);
	assert_true(f->s.fd >= 0);
	read_back(f, 4096);

	spool_reset(&f->s);
	sb_reset(&f->expect);
	assert_int_equal(f->s.size, 0);
	assert_int_equal(f->s.mem_len, 0);
	assert_int_equal(f->s.fd, -1);
	read_back(f, 64);                  /* empty */

	/* small again: back in memory, nothing of the old contents */
	put(f, 50);
	assert_int_equal(f->s.fd, -1);
	assert_int_equal(f->s.size, 50);
	read_back(f, 16);

	/* and spilling works a second time */
	put(f, 2000);
	assert_true(f->s.fd >= 0);
	assert_int_equal(f->s.size, 2050);
	read_back(f, 1000);
	assert_int_equal(count_entries(f->dir), 0);
}

static void
test_sink(void **state)
{
	fixture *f = *state;
	static const char a[] = "through the codec_sink interface";

	assert_int_equal(spool_sink(&f->s, a, sizeof(a)), 0);
	sb_append_len(&f->expect, a, sizeof(a));
	assert_int_equal(f->s.size, sizeof(a));
	read_back(f, 5);
}

static void
test_zero_limit(void **state)
{
	spool s;
	char buf[8];

	(void) state;
	spool_init(&s, "/tmp", 0);
	assert_int_equal(spool_write(&s, "", 0), 0);
	assert_int_equal(s.size, 0);
	assert_int_equal(spool_write(&s, "abc", 3), 0);
	assert_true(s.fd >= 0);             /* nothing fits in no memory */
	assert_int_equal(s.size, 3);
	spool_rewind(&s);
	assert_int_equal(spool_read(&s, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "abc", 3);
	assert_int_equal(spool_read(&s, buf, sizeof(buf)), 0);
	spool_free(&s);
	assert_int_equal(s.fd, -1);
}

static void
test_default_dir(void **state)
{
	spool s;

	(void) state;
	spool_init(&s, NULL, 10);
	assert_string_equal(s.dir, "/tmp");
	spool_free(&s);
}

static void
test_unwritable_dir(void **state)
{
	fixture *f = *state;
	char *missing = xasprintf("%s/does-not-exist", f->dir);
	spool s;

	spool_init(&s, missing, 4);
	assert_int_equal(spool_write(&s, "ab", 2), 0);        /* memory is fine */
	assert_int_equal(spool_write(&s, "cdefgh", 6), -1);   /* the spill file is not */
	assert_int_equal(s.size, 2);
	spool_free(&s);
	free(missing);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_partial_then_rewind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sink, setup, teardown),
		cmocka_unit_test(test_zero_limit),
		cmocka_unit_test(test_default_dir),
		cmocka_unit_test_setup_teardown(test_unwritable_dir, setup, teardown),
	};

	/* the code under test logs its complaints; keep the test output readable */
	log_set_level(LOG_LEVEL_SILENT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
