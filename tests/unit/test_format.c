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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_size),
		cmocka_unit_test(test_format_age),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
