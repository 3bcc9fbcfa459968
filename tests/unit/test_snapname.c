/*
 * test_snapname.c — unit tests for snapname.c: snapshot name validation and
 * sanitising, file-name stamps (and stamped names typed without an
 * extension), "NAME~N" arguments, ISO 8601 times and --older-than ages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archive/snapname.h"

/* 2026-11-22T03:10:24Z */
#define T_SAMPLE ((time_t) 1795317024)
/* 2024-02-29T00:00:00Z */
#define T_LEAP ((time_t) 1709164800)

static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void
test_name_accepts(void **state)
{
	char *max = repeat('a', SN_NAME_MAX);

	(void) state;
	assert_null(snapname_name_problem("before-payments"));
	assert_null(snapname_name_problem("v1.2_x"));
	assert_null(snapname_name_problem("A"));
	assert_null(snapname_name_problem("x-"));
	assert_null(snapname_name_problem("x."));
	assert_null(snapname_name_problem("_underscore_first"));
	assert_int_equal(strlen(max), 100);
	assert_null(snapname_name_problem(max));
	free(max);
}

static void
test_name_rejects(void **state)
{
	char *too_long = repeat('a', SN_NAME_MAX + 1);

	(void) state;
	assert_non_null(snapname_name_problem(NULL));
	assert_non_null(snapname_name_problem(""));
	assert_non_null(snapname_name_problem(".hidden"));
	assert_non_null(snapname_name_problem("-x"));
	assert_non_null(snapname_name_problem("a/b"));
	assert_non_null(snapname_name_problem("a..b"));
	assert_non_null(snapname_name_problem(".."));
	assert_non_null(snapname_name_problem("a b"));
	assert_non_null(snapname_name_problem("\xc3\xbc"));           /* ü */
	assert_non_null(snapname_name_problem("caf\xc3\xa9"));
	assert_non_null(snapname_name_problem("a\\b"));
	assert_non_null(snapname_name_problem("a\nb"));
	assert_non_null(snapname_name_problem("x;drop"));
	assert_int_equal(strlen(too_long), 101);
	assert_non_null(snapname_name_problem(too_long));
	free(too_long);
}

static void
test_name_problem_messages(void **state)
{
	(void) state;
	assert_non_null(strstr(snapname_name_problem(""), "empty"));
	assert_non_null(strstr(snapname_name_problem("a..b"), ".."));
}

static void
check_sanitize(const char *in, const char *want)
{
	char *out = snapname_sanitize(in);

	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

static void
test_sanitize(void **state)
{
	char *out;
	char *longin;

	(void) state;
	out = snapname_sanitize("feature/PAY-12 new");
	assert_null(snapname_name_problem(out));
	assert_string_equal(out, "feature-PAY-12-new");
	free(out);

	check_sanitize("main", "main");
	check_sanitize("release/v1.2..3", "release-v1.2.3");
	check_sanitize("--.x", "x");
	check_sanitize("a//b", "a-b");
	check_sanitize("trailing/", "trailing");
	check_sanitize("dot.", "dot");
	check_sanitize("caf\xc3\xa9 au lait", "caf-au-lait");

	/* long input is cut to a valid name */
	longin = repeat('b', 250);
	out = snapname_sanitize(longin);
	assert_int_equal(strlen(out), SN_NAME_MAX);
	assert_null(snapname_name_problem(out));
	free(out);
	free(longin);

	/* the cut must not leave a trailing separator either */
	longin = repeat('c', 250);
	longin[99] = '/';
	out = snapname_sanitize(longin);
	assert_int_equal(strlen(out), 99);
	assert_null(snapname_name_problem(out));
	free(out);
	free(longin);
}

static void
test_stamp(void **state)
{
	char buf[SN_STAMP_LEN + 1];

	(void) state;
	snapname_stamp(T_SAMPLE, buf);
	assert_string_equal(buf, "20261122-031024");
	snapname_stamp(0, buf);
	assert_string_equal(buf, "19700101-000000");
	snapname_stamp(T_LEAP + 86399, buf);
	assert_string_equal(buf, "20240229-235959");
}

static void
test_parse_filename_round_trip(void **state)
{
	char file[128];
	char stamp[SN_STAMP_LEN + 1];
	time_t when = 0;
	char *name = NULL;

	(void) state;
	assert_true(snapname_parse_filename("20261122-031024_name.tar", ".tar", &when, &name));
	assert_int_equal(when, T_SAMPLE);
	assert_string_equal(name, "name");
	free(name);
	name = NULL;

	/* stamp -> file name -> parse gives the same time and name back */
	snapname_stamp(T_LEAP + 3723, stamp);
	snprintf(file, sizeof(file), "%s_%s.meta", stamp, "before-payments.v2");
	assert_true(snapname_parse_filename(file, ".meta", &when, &name));
	assert_int_equal(when, T_LEAP + 3723);
	assert_string_equal(name, "before-payments.v2");
	free(name);
}

static void
expect_bad_filename(const char *file, const char *ext)
{
	time_t when = 12345;
	char *name = (char *) "untouched";

	if (snapname_parse_filename(file, ext, &when, &name))
		fail_msg("\"%s\" (ext \"%s\") should have been rejected", file, ext);
	assert_string_equal(name, "untouched");
}

static void
test_parse_filename_rejects(void **state)
{
	(void) state;
	/* bad stamps */
	expect_bad_filename("20261322-031024_name.tar", ".tar");    /* month 13 */
	expect_bad_filename("20261100-031024_name.tar", ".tar");    /* day 0 */
	expect_bad_filename("20261122-241024_name.tar", ".tar");    /* hour 24 */
	expect_bad_filename("20261122-036024_name.tar", ".tar");    /* minute 60 */
	expect_bad_filename("19691231-235959_name.tar", ".tar");    /* before 1970 */
	expect_bad_filename("2026112-2031024_name.tar", ".tar");
	expect_bad_filename("20261122_031024_name.tar", ".tar");
	expect_bad_filename("2026112x-031024_name.tar", ".tar");
	expect_bad_filename("+0261122-031024_name.tar", ".tar");
	expect_bad_filename("20261122-031024-name.tar", ".tar");
	expect_bad_filename("20261122-031024name.tar", ".tar");
	expect_bad_filename("20260230-000000_name.tar", ".tar");    /* 30 February */
	expect_bad_filename("20250229-000000_name.tar", ".tar");    /* not a leap year */
	expect_bad_filename("20261131-000000_name.tar", ".tar");    /* 31 November */
	/* wrong or missing extension */
	expect_bad_filename("20261122-031024_name.tar.gz", ".tar");
	expect_bad_filename("20261122-031024_name.meta", ".tar");
	expect_bad_filename("20261122-031024_name", ".tar");
	expect_bad_filename("20261122-031024_name.TAR", ".tar");
	/* no name or an invalid one */
	expect_bad_filename("20261122-031024_.tar", ".tar");
	expect_bad_filename("20261122-031024.tar", ".tar");
	expect_bad_filename("20261122-031024_.hidden.tar", ".tar");
	expect_bad_filename("20261122-031024_-x.tar", ".tar");
	expect_bad_filename("20261122-031024_a..b.tar", ".tar");
	expect_bad_filename("20261122-031024_a b.tar", ".tar");
	expect_bad_filename("20261122-031024_\xc3\xbc.tar", ".tar");
	expect_bad_filename("", ".tar");
	expect_bad_filename(".tar", ".tar");
}

static void
test_iso8601(void **state)
{
	char buf[32];
	time_t t = 0;

	(void) state;
	snapname_iso8601(T_SAMPLE, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-22T03:10:24Z");
	assert_true(snapname_parse_iso8601(buf, &t));
	assert_int_equal(t, T_SAMPLE);

	assert_true(snapname_parse_iso8601("2024-02-29T00:00:00Z", &t));
	assert_int_equal(t, T_LEAP);
	assert_true(snapname_parse_iso8601("1970-01-01T00:00:00Z", &t));
	assert_int_equal(t, 0);
	assert_true(snapname_parse_iso8601("2026-12-31T23:59:59Z", &t));
	snapname_iso8601(t, buf, sizeof(buf));
	assert_string_equal(buf, "2026-12-31T23:59:59Z");
}

static void
expect_bad_iso(const char *s)
{
	time_t t = 777;

	if (snapname_parse_iso8601(s, &t))
		fail_msg("\"%s\" should have been rejected", s);
}

static void
test_iso8601_rejects(void **state)
{
	(void) state;
	expect_bad_iso("");
	expect_bad_iso("garbage");
	expect_bad_iso("2026-11-22T03:10:24");         /* no Z */
	expect_bad_iso("2026-11-22 03:10:24Z");
	expect_bad_iso("2026-11-22T03:10:24+01:00");
	expect_bad_iso("2026-11-22T03:10:24.5Z");
	expect_bad_iso("2026-11-22T03:10:24ZZ");
	expect_bad_iso("2026-11-22t03:10:24Z");
	expect_bad_iso("20261122T031024Z");
	expect_bad_iso("2026-13-01T00:00:00Z");
	expect_bad_iso("2026-00-01T00:00:00Z");
	expect_bad_iso("2026-11-00T00:00:00Z");
	expect_bad_iso("2026-11-32T00:00:00Z");
	expect_bad_iso("2026-11-22T24:00:00Z");
	expect_bad_iso("2026-11-22T03:60:00Z");
	expect_bad_iso("1969-12-31T23:59:59Z");
	expect_bad_iso("2026-02-30T00:00:00Z");
	expect_bad_iso("2025-02-29T00:00:00Z");
	expect_bad_iso("2100-02-29T00:00:00Z");         /* century, not a leap year */
	expect_bad_iso("2026-04-31T00:00:00Z");
	/* sscanf leniency must not leak through: signs and blanks are not digits */
	expect_bad_iso("2026-+1-22T03:10:24Z");
	expect_bad_iso("2026- 1-22T03:10:24Z");
	expect_bad_iso("2026-11-22T-3:10:24Z");
	expect_bad_iso(" 2026-11-22T03:10:24");
}

static void
check_age(const char *s, long long want)
{
	long long got = -42;

	if (!snapname_parse_age(s, &got))
		fail_msg("\"%s\" should have parsed", s);
	assert_int_equal(got, want);
}

static void
expect_bad_age(const char *s)
{
	long long got = -42;

	if (snapname_parse_age(s, &got))
		fail_msg("\"%s\" should have been rejected (got %lld)", s ? s : "(null)", got);
}

static void
test_parse_age(void **state)
{
	(void) state;
	check_age("45s", 45);
	check_age("90m", 90 * 60);
	check_age("12h", 12 * 3600);
	check_age("30d", 30 * 86400);
	check_age("2w", 2 * 7 * 86400);
	check_age("0s", 0);
	check_age("1d", 86400);
	check_age("007m", 7 * 60);
	/* the largest number of weeks that fits in a long long */
	check_age("15250284452471w", 15250284452471LL * 604800);
}

static void
test_parse_age_rejects(void **state)
{
	(void) state;
	expect_bad_age(NULL);
	expect_bad_age("");
	expect_bad_age("10");
	expect_bad_age("x");
	expect_bad_age("d");
	expect_bad_age("-5d");
	expect_bad_age("+5d");
	expect_bad_age(" 5d");
	expect_bad_age("5 d");
	expect_bad_age("5y");
	expect_bad_age("5D");
	expect_bad_age("5dd");
	expect_bad_age("5d ");
	expect_bad_age("1.5h");
	/* overflow: of strtoll itself and of the unit multiplication */
	expect_bad_age("99999999999999999999s");
	expect_bad_age("9223372036854775807m");
	expect_bad_age("15250284452472w");
	expect_bad_age("106751991167301d");
}

/* ---- NAME~N ---- */

static void
expect_back(const char *arg, const char *base, unsigned back)
{
	size_t len = 99;
	unsigned n = 99;

	if (!snapname_parse_back(arg, &len, &n))
		fail_msg("\"%s\" rejected", arg);
	assert_int_equal(len, strlen(base));
	assert_memory_equal(arg, base, len);
	assert_int_equal(n, back);
}

static void
test_parse_back(void **state)
{
	(void) state;
	/* no suffix: the whole argument, 0 back */
	expect_back("feature-x", "feature-x", 0);
	expect_back("20261206-015154_feature-x", "20261206-015154_feature-x", 0);
	expect_back("baseline.tar", "baseline.tar", 0);
	/* as git: ~N is N back, ~ alone is ~1, ~0 the same as none */
	expect_back("feature-x~1", "feature-x", 1);
	expect_back("feature-x~0", "feature-x", 0);
	expect_back("feature-x~", "feature-x", 1);
	expect_back("feature-x~12", "feature-x", 12);
	expect_back("feature-x~007", "feature-x", 7);
	expect_back("baseline.tar~2", "baseline.tar", 2);
	expect_back("20261206-015154_feature-x~3", "20261206-015154_feature-x", 3);
	expect_back("a~1000000", "a", 1000000);
	/* only the last '~' counts; one followed by other text is part of the name */
	expect_back("a~1~2", "a~1", 2);
	expect_back("backup~old.tar", "backup~old.tar", 0);
	expect_back("x~1.tar", "x~1.tar", 0);
	expect_back("a~-1", "a~-1", 0);
	expect_back("a~ 1", "a~ 1", 0);
}

static void
test_parse_back_rejects(void **state)
{
	size_t len;
	unsigned n;

	(void) state;
	assert_false(snapname_parse_back("", &len, &n));
	assert_false(snapname_parse_back("~", &len, &n));
	assert_false(snapname_parse_back("~1", &len, &n));
	assert_false(snapname_parse_back("a~1000001", &len, &n));
	assert_false(snapname_parse_back("a~99999999", &len, &n));
	assert_false(snapname_parse_back("a~99999999999999999999999", &len, &n));
}

/* A stamped name as --list shows it in FILE, typed without .tar: a file name with no extension. */
static void
test_parse_stamped_name(void **state)
{
	time_t when;
	char *name = NULL;

	(void) state;
	assert_true(snapname_parse_filename("20261122-031024_before-payments", "", &when, &name));
	assert_int_equal(when, T_SAMPLE);
	assert_string_equal(name, "before-payments");
	free(name);
	assert_true(snapname_parse_filename("20261122-031024_feature-x.tar", "", &when, &name));
	assert_string_equal(name, "feature-x.tar");
	free(name);
	/* a stamp and nothing after it, a bad stamp, or no stamp: not a stamped name */
	assert_false(snapname_parse_filename("20261122-031024_", "", &when, &name));
	assert_false(snapname_parse_filename("20261122-031024", "", &when, &name));
	assert_false(snapname_parse_filename("20261322-031024_x", "", &when, &name));
	assert_false(snapname_parse_filename("2026112-031024_xx", "", &when, &name));
	assert_false(snapname_parse_filename("feature-x", "", &when, &name));
	assert_false(snapname_parse_filename("20261122-031024_a~1", "", &when, &name));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_accepts),
		cmocka_unit_test(test_name_rejects),
		cmocka_unit_test(test_name_problem_messages),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_stamp),
		cmocka_unit_test(test_parse_filename_round_trip),
		cmocka_unit_test(test_parse_filename_rejects),
		cmocka_unit_test(test_iso8601),
		cmocka_unit_test(test_iso8601_rejects),
		cmocka_unit_test(test_parse_age),
		cmocka_unit_test(test_parse_age_rejects),
		cmocka_unit_test(test_parse_back),
		cmocka_unit_test(test_parse_back_rejects),
		cmocka_unit_test(test_parse_stamped_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
