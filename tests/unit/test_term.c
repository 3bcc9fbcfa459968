/*
 * test_term.c — unit tests for term.c: no width for what is not a terminal
 * (a pipe, a file), whatever $COLUMNS says, so output for programs keeps
 * whole lines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/term.h"

static void
test_not_a_terminal(void **state)
{
	int fds[2];
	FILE *f = tmpfile();

	(void) state;
	assert_int_equal(pipe(fds), 0);
	setenv("COLUMNS", "60", 1);
	assert_int_equal(term_columns(fds[0]), 0);
	assert_int_equal(term_columns(fds[1]), 0);
	assert_non_null(f);
	assert_int_equal(term_columns(fileno(f)), 0);
	assert_int_equal(term_columns(-1), 0);
	close(fds[0]);
	close(fds[1]);
	fclose(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_a_terminal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
