/*
 * test_dbadmin.c — unit tests for the parts of dbadmin.c that need no
 * server: database name validation and names derived within 63 bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dbadmin.h"

static void
test_name_problem(void **state)
{
	char long_name[80];

	(void) state;
	memset(long_name, 'a', 64);
	long_name[64] = '\0';
	assert_non_null(dba_name_problem(""));
	assert_non_null(dba_name_problem(NULL));
	assert_non_null(dba_name_problem(long_name));
	long_name[63] = '\0';
	assert_null(dba_name_problem(long_name));
	assert_null(dba_name_problem("my app; DROP"));
}

static void
test_derived_short(void **state)
{
	char *n = dba_derived_name("shop", "__pre_20261122-101500");

	(void) state;
	assert_string_equal(n, "shop__pre_20261122-101500");
	free(n);
}

static void
test_derived_long_ascii(void **state)
{
	char base[64];
	char *n;

	(void) state;
	memset(base, 'b', 63);
	base[63] = '\0';
	n = dba_derived_name(base, "__pre_20261122-101500");
	assert_int_equal(strlen(n), DBA_NAME_MAX);
	assert_string_equal(n + DBA_NAME_MAX - 21, "__pre_20261122-101500");
	free(n);
}

static void
test_derived_keeps_utf8_whole(void **state)
{
	/* 20 two-byte characters (40 bytes) + a 30-byte suffix: 33 bytes of base fit, 32 are kept */
	char base[64] = "";
	const char *suffix = "__restoring_20261122-101500_99";
	char *n;

	(void) state;
	for (int i = 0; i < 20; i++)
		strcat(base, "\xc3\xa9");
	n = dba_derived_name(base, suffix);
	assert_true(strlen(n) <= DBA_NAME_MAX);
	assert_int_equal(strlen(n) - strlen(suffix), 32);
	assert_string_equal(n + 32, suffix);
	free(n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_problem),
		cmocka_unit_test(test_derived_short),
		cmocka_unit_test(test_derived_long_ascii),
		cmocka_unit_test(test_derived_keeps_utf8_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
