/*
 * test_suggest.c — unit tests for suggest.c: the edit distance (insertions,
 * deletions, substitutions, swapped neighbours) and the closest name to a
 * typo, or none when nothing is close.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/suggest.h"

static void
test_distance(void **state)
{
	(void) state;
	assert_int_equal(suggest_distance("users", "users"), 0);
	assert_int_equal(suggest_distance("user", "users"), 1);        /* insertion */
	assert_int_equal(suggest_distance("userss", "users"), 1);      /* deletion */
	assert_int_equal(suggest_distance("usars", "users"), 1);       /* substitution */
	assert_int_equal(suggest_distance("usres", "users"), 1);       /* swapped neighbours */
	assert_int_equal(suggest_distance("", "abc"), 3);
	assert_int_equal(suggest_distance("abc", ""), 3);
	assert_int_equal(suggest_distance("kitten", "sitting"), 3);
}

static void
test_closest(void **state)
{
	const char *const names[] = {"users", "orders", "products", "events"};

	(void) state;
	assert_string_equal(suggest_closest("user", names, 4), "users");
	assert_string_equal(suggest_closest("usr", names, 4), "users");
	assert_string_equal(suggest_closest("order", names, 4), "orders");
	assert_string_equal(suggest_closest("prodcuts", names, 4), "products");
	assert_string_equal(suggest_closest("Events", names, 4), "events");
	/* nothing close: no suggestion */
	assert_null(suggest_closest("zzzzzz", names, 4));
	assert_null(suggest_closest("ab", names, 4));
	assert_null(suggest_closest("x", names, 4));
	assert_null(suggest_closest("users", names, 0));
	/* the closest of two near ones */
	{
		const char *const two[] = {"user_count", "users"};

		assert_string_equal(suggest_closest("userz", two, 2), "users");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_closest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
