/*
 * test_jsoncheck.c — unit tests for jsoncheck.c: strict JSON accepted;
 * trailing bytes, duplicate keys, NaN and Infinity, invalid UTF-8, NUL,
 * lone surrogates, bad numbers and deep nesting refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/jsoncheck.h"

static int
check(const char *s, size_t len)
{
	char err[128];
	int rc = json_check_strict(s, len, err, sizeof(err));

	if (rc < 0)
		assert_true(err[0] != '\0');
	return rc;
}

static void
test_accepted(void **state)
{
	static const char *const ok[] = {
		"{}", "[]", "0", "-0.5e+10", "\"\"", "true", "null",
		" {\"a\": [1, 2.5, -3e2, \"x\", false, null, {\"b\": {}}]}\n",
		"{\"a\": 1, \"A\": 2, \"\\u0061\": 3}",       /* written differently: three keys */
		"\"caf\xc3\xa9 \xf0\x9f\x90\x98 \\ud83d\\udc18 \\n\\t\\\" \\/\"",
		"{\"tables\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}",   /* same key, other objects */
	};

	(void) state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (check(ok[i], strlen(ok[i])) != 0)
			fail_msg("refused: %s", ok[i]);
}

static void
test_refused(void **state)
{
	static const char *const bad[] = {
		"", " ", "{} x", "{}{}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a: 1}", "'a'",
		"{\"a\": 1, \"a\": 2}", "{\"x\": {\"k\": 1, \"j\": 2, \"k\": 3}}",
		"NaN", "[Infinity]", "-Infinity", "[nan]", "01", "1.", ".5", "1e", "+1", "0x10",
		"\"\\u0000\"", "\"a\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
		"\"\xc3\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xff\"", "\"tab\there\"",
		"\"unterminated", "[1, 2", "tru", "nul",
	};
	char deep[200];

	(void) state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (check(bad[i], strlen(bad[i])) == 0)
			fail_msg("accepted: %s", bad[i]);
	/* a NUL byte inside the text */
	assert_int_equal(check("{\"a\": \"b\0c\"}", 12), -1);
	assert_int_equal(check("{}\0", 3), -1);
	/* nesting beyond 64 */
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	assert_int_equal(check(deep, 200), -1);
	assert_int_equal(check(deep + 40, 120), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
