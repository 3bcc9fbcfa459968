/*
 * test_pgdump.c — unit tests for the pure parts of pgdump.c: recognising
 * the \restrict / \unrestrict lines and parsing pg_dump --version output.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "pg/pgdump.h"

static int
restrict_line(const char *s)
{
	return pgdump_is_restrict_line(s, strlen(s));
}

static void
test_restrict_lines(void **state)
{
	(void) state;
	assert_true(restrict_line("\\restrict abc"));
	assert_true(restrict_line("\\unrestrict abc"));
	assert_true(restrict_line("\\restrict"));
	assert_true(restrict_line("\\unrestrict"));
	assert_true(restrict_line("\\restrict\tabc"));
	assert_true(restrict_line("\\restrict 4Jb3kmdqOHFSmPDYqZkUhzz3ZzuQ0rQ8mQxN3VdnzE9aKcPVy1Mh3xXs"));
}

static void
test_not_restrict_lines(void **state)
{
	(void) state;
	assert_false(restrict_line("\\restrictx"));
	assert_false(restrict_line("\\restricted abc"));
	assert_false(restrict_line("\\unrestrictx abc"));
	assert_false(restrict_line("-- \\restrict"));
	assert_false(restrict_line(" \\restrict abc"));
	assert_false(restrict_line("\\Restrict abc"));
	assert_false(restrict_line("restrict abc"));
	assert_false(restrict_line("\\restric"));
	assert_false(restrict_line("\\"));
	assert_false(restrict_line(""));
	assert_false(restrict_line("SELECT 1;"));
	assert_false(restrict_line("\\connect app"));
	assert_false(restrict_line("COPY public.t (a) FROM stdin;"));
}

static void
test_restrict_crlf(void **state)
{
	(void) state;
	assert_true(restrict_line("\\restrict abc\r"));
	assert_true(restrict_line("\\unrestrict abc\r"));
	assert_true(restrict_line("\\restrict\r"));
	assert_true(restrict_line("\\unrestrict\r"));
	assert_false(restrict_line("\\restrictx\r"));
	assert_false(restrict_line("SELECT 1;\r"));
}

static void
test_restrict_uses_len(void **state)
{
	static const char line[] = "\\restrict abc\n";

	(void) state;
	/* the caller passes the length without the newline */
	assert_true(pgdump_is_restrict_line(line, sizeof(line) - 2));
	/* a prefix shorter than the command is not the command */
	assert_false(pgdump_is_restrict_line(line, 5));
	assert_false(pgdump_is_restrict_line(line, 0));
	/* exactly the command, with more text in memory past len */
	assert_true(pgdump_is_restrict_line("\\restrictXYZ", 9));
}

static void
check_version(const char *text, const char *want, int want_major)
{
	char *version = NULL;
	int major = -7;

	assert_int_equal(pgdump_parse_version(text, &version, &major), 0);
	assert_non_null(version);
	assert_string_equal(version, want);
	assert_int_equal(major, want_major);
	free(version);
}

static void
expect_bad_version(const char *text)
{
	char *version = NULL;
	int major = -7;

	assert_int_equal(pgdump_parse_version(text, &version, &major), -1);
	assert_null(version);
	assert_int_equal(major, -7);
}

static void
test_parse_version(void **state)
{
	(void) state;
	check_version("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)", "15.18", 15);
	check_version("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n", "15.18", 15);
	check_version("pg_dump (PostgreSQL) 17devel", "17", 17);
	check_version("pg_dump (PostgreSQL) 18beta1\n", "18", 18);
	check_version("pg_dump (PostgreSQL) 16.4\n", "16.4", 16);
	check_version("pg_dump (PostgreSQL) 9.6.24", "9.6.24", 9);
	check_version("/usr/lib/postgresql/13/bin/pg_dump (PostgreSQL) 13.2", "13.2", 13);
}

static void
test_parse_version_garbage(void **state)
{
	(void) state;
	expect_bad_version("");
	expect_bad_version("garbage");
	expect_bad_version("pg_dump 15.3");
	expect_bad_version("pg_dump (PostgreSQL)");
	expect_bad_version("pg_dump (PostgreSQL) ");
	expect_bad_version("pg_dump (PostgreSQL) beta");
	expect_bad_version("pg_dump (PostgreSQL) .5");
	expect_bad_version("pg_dump (postgresql) 15.3");
	expect_bad_version("bash: pg_dump: command not found");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restrict_lines),
		cmocka_unit_test(test_not_restrict_lines),
		cmocka_unit_test(test_restrict_crlf),
		cmocka_unit_test(test_restrict_uses_len),
		cmocka_unit_test(test_parse_version),
		cmocka_unit_test(test_parse_version_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
