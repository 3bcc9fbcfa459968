/*
 * test_jsoncheck.c — unit tests for jsoncheck.c: strict JSON accepted;
 * trailing bytes, duplicate keys, NaN and Infinity, invalid UTF-8, NUL,
 * lone surrogates, bad numbers and deep nesting refused; the lenient forms
 * (comments, trailing commas, single quotes) named, with their line and column.
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

/* what and where json_check_strict_at reports */
static void
expect_at(const char *text, size_t line, size_t column, const char *what)
{
	json_check_error e;

	if (json_check_strict_at(text, strlen(text), &e) != -1)
		fail_msg("accepted: %s", text);
	if (e.line != line || e.column != column || strcmp(e.what, what) != 0)
		fail_msg("%s: got %zu:%zu: %s, want %zu:%zu: %s", text, e.line, e.column, e.what,
		    line, column, what);
}

static void
test_positions(void **state)
{
	json_check_error e;
	char err[128];

	(void) state;
	expect_at("{\n  \"a\": 1,\n  \"b\": [1, 2,],\n}", 3, 13, "trailing comma");
	expect_at("{\n  \"a\": 1,\n  \"b\": 2,\n}\n", 3, 9, "trailing comma");
	expect_at("{\"a\": 1 ,  }", 1, 9, "trailing comma");
	expect_at("{\n\t'a': 1}", 2, 2, "single quotes (JSON strings take double quotes)");
	expect_at("{\"a\": 'x'}", 1, 7, "single quotes (JSON strings take double quotes)");
	expect_at("{\n  // the database\n  \"a\": 1\n}", 2, 3, "comment (JSON has none)");
	expect_at("{\"a\": 1 /* one */}", 1, 9, "comment (JSON has none)");
	expect_at("{\"a\": [1, /* x */ 2]}", 1, 11, "comment (JSON has none)");
	expect_at("{}\n// end\n", 2, 1, "comment (JSON has none)");
	expect_at("{\"jobs\": 1,\n \"x\": 2,\n \"jobs\": 3}", 3, 2, "duplicate key \"jobs\"");
	/* of several repeated keys, the first repetition in the text */
	expect_at("{\"b\": 1, \"a\": 1, \"a\": 2, \"b\": 2, \"a\": 3}", 1, 18, "duplicate key \"a\"");
	expect_at("{\"a\": 1}\n{\"b\": 2}", 2, 1, "trailing bytes after the document");
	expect_at("\xef\xbb\xbf{}", 1, 1, "byte order mark (not allowed at the start of JSON text)");
	expect_at("{\"a\": NaN}", 1, 7, "not a JSON value");
	expect_at("{\"a\": 1", 1, 8, "unexpected end");
	/* the column counts characters, not bytes */
	expect_at("{\"caf\xc3\xa9\": 1,}", 1, 11, "trailing comma");
	/* a key that cannot be shown is not */
	expect_at("{\"\xc3\xa9\": 1, \"\xc3\xa9\": 2}", 1, 10, "duplicate key in an object");

	/* json_check_strict gives the byte offset */
	assert_int_equal(json_check_strict("[1,\n2,]", 7, err, sizeof(err)), -1);
	assert_string_equal(err, "trailing comma at byte 5");
	assert_int_equal(json_check_strict_at("{\"a\": [1, 2]}\n", 14, &e), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_positions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
