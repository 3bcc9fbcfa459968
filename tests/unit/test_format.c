/*
 * test_format.c — unit tests for format.c: sizes in binary units and ages
 * as people read them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/format.h"

static void
check_size(unsigned long long b, const char *want)
{
	char buf[32];

	fmt_size(b, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void
test_format_size(void **state)
{
	(void) state;
	check_size(0, "0 B");
	check_size(512, "512 B");
	check_size(1023, "1023 B");
	check_size(1024, "1.0 KiB");
	check_size(1536, "1.5 KiB");
	check_size(10 * 1024, "10 KiB");
	check_size(300 * 1024, "300 KiB");
	check_size(3565158, "3.4 MiB");                 /* 3.4 * 1024 * 1024 */
	check_size(1048576, "1.0 MiB");
	check_size(5ULL << 30, "5.0 GiB");
	check_size(2ULL << 40, "2.0 TiB");
	check_size(2048ULL << 40, "2048 TiB");          /* no unit past TiB */
}

static void
check_fmt_age(long long s, const char *want)
{
	char buf[32];

	fmt_age(s, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void
test_format_age(void **state)
{
	(void) state;
	check_fmt_age(-5, "0s");
	check_fmt_age(-60, "0s");
	check_fmt_age(-61, "future");
	check_fmt_age(-86400 * 365, "future");
	check_fmt_age(0, "0s");
	check_fmt_age(12, "12s");
	check_fmt_age(119, "119s");
	check_fmt_age(120, "2m");
	check_fmt_age(5 * 60 + 59, "5m");
	check_fmt_age(2 * 3600 - 1, "119m");
	check_fmt_age(2 * 3600, "2h");
	check_fmt_age(3 * 3600 + 1800, "3h");
	check_fmt_age(2 * 86400 - 1, "47h");
	check_fmt_age(2 * 86400, "2d");
	check_fmt_age(14 * 86400 - 1, "13d");
	check_fmt_age(14 * 86400, "2w");
	check_fmt_age(6 * 7 * 86400 + 5, "6w");
}

static void
expect_size(const char *text, long long want)
{
	long long got = -7;

	assert_int_equal(parse_size(text, &got), 0);
	assert_int_equal(got, want);
}

static void
test_parse_size(void **state)
{
	long long v;

	(void) state;
	expect_size("0", 0);
	expect_size("4096", 4096);
	expect_size("512B", 512);
	expect_size("1kB", 1000);
	expect_size("1KB", 1000);
	expect_size("2 MB", 2000000);
	expect_size("4GiB", 4LL << 30);
	expect_size("4 GiB", 4LL << 30);
	expect_size("4G", 4LL << 30);
	expect_size("3T", 3LL << 40);
	expect_size("1TB", 1000LL * 1000 * 1000 * 1000);
	expect_size("10MiB", 10LL << 20);
	/* malformed: no number, unknown unit, sign, fraction, two spaces, overflow */
	assert_int_equal(parse_size("", &v), -1);
	assert_int_equal(parse_size("GiB", &v), -1);
	assert_int_equal(parse_size("4 gib", &v), -1);
	assert_int_equal(parse_size("-1", &v), -1);
	assert_int_equal(parse_size("1.5GiB", &v), -1);
	assert_int_equal(parse_size("4  GiB", &v), -1);
	assert_int_equal(parse_size("lots", &v), -1);
	assert_int_equal(parse_size("99999999999T", &v), -1);
	assert_int_equal(parse_size(NULL, &v), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_size),
		cmocka_unit_test(test_format_age),
		cmocka_unit_test(test_parse_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
