/*
 * test_pgdump.c — unit tests for the pure parts of pgdump.c: recognising
 * the \restrict / \unrestrict lines, parsing pg_dump --version output, and
 * leaving entries out of a pg_restore --list table of contents.
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

/* A table of contents as pg_restore --list prints it for pg_dump -n public (abridged). */
static const char toc_text[] =
    ";\n"
    "; Archive created at 2026-12-06 08:47:15 UTC\n"
    ";     dbname: app\n"
    ";\n"
    "4; 2615 2200 SCHEMA - public pg_database_owner\n"
    "3370; 0 0 COMMENT - SCHEMA public pg_database_owner\n"
    "3371; 0 0 COMMENT - SCHEMA public foo owner\n"
    "216; 1259 27388 TABLE public a postgres\n"
    "3217; 2606 27395 CONSTRAINT public a a_pkey postgres\n"
    "3220; 2606 27402 FK CONSTRAINT public b b_a_id_fkey postgres\n"
    "3221; 2606 27403 FK CONSTRAINT public b b_c_fkey postgres\n"
    "3222; 2606 27402 FK CONSTRAINT public c c_x postgres\n";

/* The lines of text that start with ';' and are not comments of the header. */
static int
count_omitted(const char *text, const char *entry)
{
	char *line = NULL;
	int n = 0;

	for (const char *l = text; *l;) {
		size_t len = strcspn(l, "\n");

		free(line);
		line = strndup(l, len);
		if (strstr(line, entry) && line[0] == ';')
			n++;
		l += len + (l[len] == '\n');
	}
	free(line);
	return n;
}

static void
test_toc_omit(void **state)
{
	const pgdump_obj objs[] = {{2606, 27402}, {1259, 99999}};
	pgdump_omit omit = {.objs = objs, .n_objs = 2, .public_schema = true};
	size_t omitted;
	char *out;

	(void) state;
	out = pgdump_toc_omit(toc_text, &omit, &omitted);
	/* the foreign key by its pg_constraint OID (wherever that OID shows up), schema public and its comment */
	assert_int_equal(omitted, 4);
	assert_int_equal(count_omitted(out, "b_a_id_fkey"), 1);
	assert_int_equal(count_omitted(out, "c c_x"), 1);
	assert_int_equal(count_omitted(out, "SCHEMA - public pg_database_owner"), 1);
	assert_int_equal(count_omitted(out, "COMMENT - SCHEMA public pg_database_owner"), 1);
	/* the rest is kept, and only the entries are touched */
	assert_int_equal(count_omitted(out, "b_c_fkey"), 0);
	assert_int_equal(count_omitted(out, "a_pkey"), 0);
	assert_int_equal(count_omitted(out, "SCHEMA public foo owner"), 0);
	assert_non_null(strstr(out, "\n216; 1259 27388 TABLE public a postgres\n"));
	assert_non_null(strstr(out, "\n;4; 2615 2200 SCHEMA - public pg_database_owner\n"));
	assert_int_equal(strlen(out), strlen(toc_text) + 4);
	free(out);

	/* without the schema entry, its comment stays (an unfiltered dump with a comment of its own) */
	omit.n_objs = 0;
	out = pgdump_toc_omit(strstr(toc_text, "3370;"), &omit, &omitted);
	assert_int_equal(omitted, 0);
	assert_string_equal(out, strstr(toc_text, "3370;"));
	free(out);

	/* nothing to leave out: the same text */
	omit.public_schema = false;
	out = pgdump_toc_omit(toc_text, &omit, &omitted);
	assert_int_equal(omitted, 0);
	assert_string_equal(out, toc_text);
	free(out);

	/* lines that are not entries are never touched, even when they look close */
	out = pgdump_toc_omit("27402; 2606\n; 2606 27402 FK\nx; 2606 27402 FK\n2606 27402 FK\n", &(pgdump_omit){
	    .objs = objs, .n_objs = 1}, &omitted);
	assert_int_equal(omitted, 0);
	free(out);
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
		cmocka_unit_test(test_toc_omit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
