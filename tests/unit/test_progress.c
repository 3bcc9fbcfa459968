/*
 * test_progress.c — unit tests for progress.c's progress_format: the label,
 * the percentage (under 100 until every item is done), the 23-character
 * bar, the size done, tables done of all, the rate and the ETA, with and
 * without bold around the percentage; fitted to a terminal's width (parts
 * given up in order, never wrapped); by items alone, and a step shown by
 * its time alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/progress.h"

#define MiB (1024ULL * 1024)

static void
check(bool color, const char *label, uint64_t bytes, uint64_t total_bytes, int64_t items,
    int64_t total_items, double elapsed, const char *want)
{
	char buf[256];

	memset(buf, 'X', sizeof(buf));
	progress_format(buf, sizeof(buf), color, 0, label, "tables", bytes, total_bytes, items, total_items, elapsed);
	assert_string_equal(buf, want);
}

/* The bar between its brackets. */
static void
bar_of(const char *line, char *bar, size_t size)
{
	const char *open = strchr(line, '[');
	const char *close = open ? strchr(open, ']') : NULL;
	size_t n;

	assert_non_null(open);
	assert_non_null(close);
	n = (size_t) (close - open - 1);
	assert_true(n < size);
	memcpy(bar, open + 1, n);
	bar[n] = '\0';
}

static void
test_start(void **state)
{
	(void) state;
	/* nothing done, no time passed: an empty bar, no rate, no ETA */
	check(false, "snapshot", 0, 1000, 0, 4, 0.0,
	    "snapshot   0% [>                      ] 0 B  0/4 tables  0 B/s  ETA --:--");
}

static void
test_halfway(void **state)
{
	(void) state;
	/* 50 MiB of 100 in 10 s: 5 MiB/s, 10 s left */
	check(false, "snapshot", 50 * MiB, 100 * MiB, 1, 4, 10.0,
	    "snapshot  50% [===========>           ] 50 MiB  1/4 tables  5.0 MiB/s  ETA 0:10");
	/* 25 MiB of 100 in 50 s: 512 KiB/s, 75 MiB left take 150 s */
	check(false, "restore", 25 * MiB, 100 * MiB, 2, 10, 50.0,
	    "restore  25% [=====>                 ] 25 MiB  2/10 tables  512 KiB/s  ETA 2:30");
	/* 10 MiB of 75 in 10 s: 1 MiB/s, 65 s left: seconds in two digits */
	check(false, "restore", 10 * MiB, 75 * MiB, 0, 3, 10.0,
	    "restore  13% [===>                   ] 10 MiB  0/3 tables  1.0 MiB/s  ETA 1:05");
}

static void
test_long_eta(void **state)
{
	(void) state;
	/* 1 MiB of 1 GiB in 1 s: 1023 s left is 17:03 */
	check(false, "snapshot", 1 * MiB, 1024 * MiB, 0, 1, 1.0,
	    "snapshot   0% [>                      ] 1.0 MiB  0/1 tables  1.0 MiB/s  ETA 17:03");
	/* over an hour stays in minutes */
	check(false, "snapshot", 1 * MiB, 4096 * MiB, 0, 1, 1.0,
	    "snapshot   0% [>                      ] 1.0 MiB  0/1 tables  1.0 MiB/s  ETA 68:15");
}

static void
test_no_rate_yet(void **state)
{
	(void) state;
	/* bytes done but too little time to tell a rate: no ETA */
	check(false, "snapshot", 500, 1000, 0, 2, 0.1,
	    "snapshot  50% [===========>           ] 500 B  0/2 tables  0 B/s  ETA --:--");
}

static void
test_capped_until_items_done(void **state)
{
	(void) state;
	/* every byte counted but a table still open: 99%, never 100 */
	check(false, "restore", 1000, 1000, 3, 4, 1.0,
	    "restore  99% [======================>] 1000 B  3/4 tables  1000 B/s  ETA --:--");
	/* more bytes than the estimate: still 99 */
	check(false, "restore", 2000, 1000, 3, 4, 2.0,
	    "restore  99% [======================>] 2.0 KiB  3/4 tables  1000 B/s  ETA --:--");
	/* every table done: 100%, a full bar */
	check(false, "restore", 1000, 1000, 4, 4, 1.0,
	    "restore 100% [=======================] 1000 B  4/4 tables  1000 B/s  ETA --:--");
	/* never past 100 */
	check(false, "restore", 2000, 1000, 4, 4, 2.0,
	    "restore 100% [=======================] 2.0 KiB  4/4 tables  1000 B/s  ETA --:--");
	/* just under 99% is not rounded up */
	check(false, "restore", 985, 1000, 1, 4, 0.0,
	    "restore  98% [======================>] 985 B  1/4 tables  0 B/s  ETA --:--");
}

static void
test_bar_width(void **state)
{
	static const uint64_t done[] = {0, 1, 99, 250, 333, 500, 999, 1000};
	char line[256], bar[64];

	(void) state;
	for (size_t i = 0; i < sizeof(done) / sizeof(done[0]); i++) {
		size_t eq;

		progress_format(line, sizeof(line), false, 0, "x", "tables", done[i], 1000, 0, 1, 0.0);
		bar_of(line, bar, sizeof(bar));
		assert_int_equal(strlen(bar), 23);
		eq = strspn(bar, "=");
		/* the bar never shows more than is done */
		assert_true((double) eq / 23.0 <= (double) done[i] / 1000.0);
		/* an arrow after the filled part, blanks after it */
		assert_int_equal(bar[eq], '>');
		assert_int_equal(strspn(bar + eq + 1, " "), 22 - eq);
	}
}

static void
test_color(void **state)
{
	char buf[256];

	(void) state;
	check(true, "snapshot", 50 * MiB, 100 * MiB, 1, 4, 10.0,
	    "snapshot \033[1m 50%\033[0m [===========>           ] 50 MiB  1/4 tables  5.0 MiB/s  ETA 0:10");
	check(true, "restore", 1000, 1000, 4, 4, 1.0,
	    "restore \033[1m100%\033[0m [=======================] 1000 B  4/4 tables  1000 B/s  ETA --:--");
	/* without color not one escape code */
	progress_format(buf, sizeof(buf), false, 0, "snapshot", "tables", 50 * MiB, 100 * MiB, 1, 4, 10.0);
	assert_null(strchr(buf, '\033'));
	progress_format(buf, sizeof(buf), false, 0, "snapshot", "tables", 0, 0, 0, 0, 0.0);
	assert_null(strchr(buf, '\033'));
}

static void
test_large_counts(void **state)
{
	(void) state;
	/* 2 TiB of 4 in 1000 s, thousands of tables */
	check(false, "snapshot", 2048ULL * 1024 * MiB, 4096ULL * 1024 * MiB, 5000, 12000, 1024.0,
	    "snapshot  50% [===========>           ] 2.0 TiB  5000/12000 tables  2.0 GiB/s  ETA 17:04");
}

static void
test_small_buffer(void **state)
{
	char buf[10];

	(void) state;
	/* cut to the buffer, still a string */
	progress_format(buf, sizeof(buf), false, 0, "snapshot", "tables", 0, 1000, 0, 4, 0.0);
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_string_equal(buf, "snapshot ");
}

/* The line at a terminal width: no longer than columns - 1, the label and percentage kept. */
static void
check_fits(int columns, const char *label, uint64_t bytes, uint64_t total_bytes, int64_t items,
    int64_t total_items, char *buf, size_t size)
{
	progress_format(buf, size, false, columns, label, "tables", bytes, total_bytes, items, total_items, 10.0);
	assert_true(strlen(buf) <= (size_t) columns - 1);
	assert_memory_equal(buf, label, strlen(label) < (size_t) columns - 1 ? strlen(label) : (size_t) columns - 1);
}

static void
test_fits_the_terminal(void **state)
{
	char buf[512], bar[64];

	(void) state;
	/* wide: everything, the bar 30 wide */
	check_fits(120, "loading", 50 * MiB, 100 * MiB, 1, 4, buf, sizeof(buf));
	assert_string_equal(buf, "loading  50% [===============>              ] 50 MiB  1/4 tables  5.0 MiB/s  ETA 0:10");
	/* 80 columns: the same parts, a narrower bar */
	check_fits(80, "loading", 50 * MiB, 100 * MiB, 1, 4, buf, sizeof(buf));
	bar_of(buf, bar, sizeof(bar));
	assert_true(strlen(bar) >= 10 && strlen(bar) < 30);
	assert_non_null(strstr(buf, "5.0 MiB/s"));
	assert_non_null(strstr(buf, "ETA 0:10"));
	/* 60 columns: the rate goes first */
	check_fits(60, "loading", 50 * MiB, 100 * MiB, 1, 4, buf, sizeof(buf));
	assert_null(strstr(buf, "MiB/s"));
	assert_non_null(strstr(buf, "1/4 tables"));
	assert_non_null(strstr(buf, "ETA 0:10"));
	bar_of(buf, bar, sizeof(bar));
	assert_true(strlen(bar) >= 10);
	/* 40 columns: only what matters most */
	check_fits(40, "loading", 50 * MiB, 100 * MiB, 1, 4, buf, sizeof(buf));
	assert_non_null(strstr(buf, " 50%"));
	assert_non_null(strstr(buf, "ETA 0:10"));
	/* narrower than anything: cut, never wrapped */
	check_fits(12, "indexes and constraints", 50 * MiB, 100 * MiB, 1, 4, buf, sizeof(buf));
	assert_string_equal(buf, "indexes and");
	/* a long label and large numbers at 60 */
	check_fits(60, "indexes and constraints", 2048ULL * 1024 * MiB, 4096ULL * 1024 * MiB, 5000, 12000,
	    buf, sizeof(buf));
}

static void
test_by_items(void **state)
{
	char buf[256];

	(void) state;
	/* no byte total: the fraction is of the items, the ETA from the time per item */
	progress_format(buf, sizeof(buf), false, 0, "migrations", "files", 0, 0, 3, 12, 6.0);
	assert_string_equal(buf, "migrations  25% [=====>                 ]  3/12 files  ETA 0:18");
	progress_format(buf, sizeof(buf), false, 0, "seeds", "files", 0, 0, 0, 4, 0.0);
	assert_string_equal(buf, "seeds   0% [>                      ]  0/4 files  ETA --:--");
	/* a step without totals: its name and how long it has taken */
	progress_format(buf, sizeof(buf), false, 0, "swapping", NULL, 0, 0, 0, 0, 65.0);
	assert_string_equal(buf, "swapping  1:05");
	progress_format(buf, sizeof(buf), false, 8, "keeping a template", NULL, 0, 0, 0, 0, 3.0);
	assert_string_equal(buf, "keeping");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_halfway),
		cmocka_unit_test(test_long_eta),
		cmocka_unit_test(test_no_rate_yet),
		cmocka_unit_test(test_capped_until_items_done),
		cmocka_unit_test(test_bar_width),
		cmocka_unit_test(test_color),
		cmocka_unit_test(test_large_counts),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_fits_the_terminal),
		cmocka_unit_test(test_by_items),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
