/*
 * test_monotime.c — unit tests for monotime.c: it never goes back, and it
 * measures a sleep in seconds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <time.h>

#include "util/monotime.h"

static void
test_never_goes_back(void **state)
{
	double prev = monotime();

	(void) state;
	for (int i = 0; i < 100000; i++) {
		double t = monotime();

		assert_true(t >= prev);
		prev = t;
	}
}

static void
test_measures_seconds(void **state)
{
	struct timespec nap = {0, 30 * 1000 * 1000};
	double t0 = monotime(), dt;

	(void) state;
	assert_int_equal(nanosleep(&nap, NULL), 0);
	dt = monotime() - t0;
	assert_true(dt >= 0.029);
	assert_true(dt < 5.0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_never_goes_back),
		cmocka_unit_test(test_measures_seconds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
