/*
 * test_quote.c — unit tests for quote.c: identifier, literal and conninfo
 * value quoting.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "sql/quote.h"
#include "util/strbuf.h"

typedef void (*quote_fn)(strbuf *sb, const char *s);

/* Quote s into a fresh buffer and compare with want. */
static void
check(quote_fn fn, const char *s, const char *want)
{
	strbuf sb;

	sb_init(&sb);
	fn(&sb, s);
	assert_string_equal(sb.data, want);
	assert_int_equal(sb.len, strlen(want));
	sb_free(&sb);
}

static void
test_ident_plain(void **state)
{
	(void) state;
	check(q_ident, "users", "\"users\"");
	check(q_ident, "order", "\"order\"");       /* a keyword needs no special case */
	check(q_ident, "a b", "\"a b\"");
}

static void
test_ident_mixed_case(void **state)
{
	(void) state;
	/* case is preserved, never folded */
	check(q_ident, "MyTable", "\"MyTable\"");
	check(q_ident, "UPPER", "\"UPPER\"");
}

static void
test_ident_embedded_quotes(void **state)
{
	(void) state;
	check(q_ident, "a\"b", "\"a\"\"b\"");
	check(q_ident, "\"", "\"\"\"\"");
	check(q_ident, "\"\"x\"", "\"\"\"\"\"x\"\"\"");
	/* single quotes and backslashes are not special in identifiers */
	check(q_ident, "it's\\", "\"it's\\\"");
}

static void
test_ident_empty(void **state)
{
	(void) state;
	check(q_ident, "", "\"\"");
}

static void
test_ident_unicode(void **state)
{
	(void) state;
	/* UTF-8 bytes pass through untouched */
	check(q_ident, "caf\xc3\xa9", "\"caf\xc3\xa9\"");
	check(q_ident, "\xe6\x97\xa5\xe6\x9c\xac\"x", "\"\xe6\x97\xa5\xe6\x9c\xac\"\"x\"");
}

static void
test_ident_appends(void **state)
{
	strbuf sb;

	(void) state;
	sb_init(&sb);
	sb_append(&sb, "SELECT * FROM ");
	q_ident(&sb, "t");
	sb_append(&sb, ", ");
	q_ident(&sb, "u\"v");
	assert_string_equal(sb.data, "SELECT * FROM \"t\", \"u\"\"v\"");
	sb_free(&sb);
}

static void
test_qualified(void **state)
{
	strbuf sb;

	(void) state;
	sb_init(&sb);
	q_qualified(&sb, "public", "users");
	assert_string_equal(sb.data, "\"public\".\"users\"");
	sb_reset(&sb);
	q_qualified(&sb, "My Schema", "we\"ird.name");
	assert_string_equal(sb.data, "\"My Schema\".\"we\"\"ird.name\"");
	sb_reset(&sb);
	q_qualified(&sb, "", "");
	assert_string_equal(sb.data, "\"\".\"\"");
	sb_free(&sb);
}

static void
test_literal_plain(void **state)
{
	(void) state;
	check(q_literal, "hello", "'hello'");
	check(q_literal, "say \"hi\"", "'say \"hi\"'");
}

static void
test_literal_single_quotes(void **state)
{
	(void) state;
	check(q_literal, "it's", "'it''s'");
	check(q_literal, "'", "''''");
	check(q_literal, "''", "''''''");
}

static void
test_literal_backslashes(void **state)
{
	(void) state;
	/* a backslash switches to E'' form and is doubled */
	check(q_literal, "a\\b", "E'a\\\\b'");
	check(q_literal, "\\", "E'\\\\'");
	check(q_literal, "C:\\dir\\it's", "E'C:\\\\dir\\\\it''s'");
	/* no backslash, no E prefix */
	check(q_literal, "plain's", "'plain''s'");
}

static void
test_literal_empty(void **state)
{
	(void) state;
	check(q_literal, "", "''");
}

static void
test_literal_unicode(void **state)
{
	(void) state;
	check(q_literal, "gr\xc3\xbc\xc3\x9f", "'gr\xc3\xbc\xc3\x9f'");
}

static void
test_conninfo_value(void **state)
{
	(void) state;
	check(q_conninfo_value, "secret", "'secret'");
	check(q_conninfo_value, "with space", "'with space'");
	check(q_conninfo_value, "it's", "'it\\'s'");
	check(q_conninfo_value, "back\\slash", "'back\\\\slash'");
	check(q_conninfo_value, "a b'c\\d", "'a b\\'c\\\\d'");
	check(q_conninfo_value, "", "''");
	/* double quotes and '=' are not special inside a quoted value */
	check(q_conninfo_value, "x=\"y\"", "'x=\"y\"'");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ident_plain),
		cmocka_unit_test(test_ident_mixed_case),
		cmocka_unit_test(test_ident_embedded_quotes),
		cmocka_unit_test(test_ident_empty),
		cmocka_unit_test(test_ident_unicode),
		cmocka_unit_test(test_ident_appends),
		cmocka_unit_test(test_qualified),
		cmocka_unit_test(test_literal_plain),
		cmocka_unit_test(test_literal_single_quotes),
		cmocka_unit_test(test_literal_backslashes),
		cmocka_unit_test(test_literal_empty),
		cmocka_unit_test(test_literal_unicode),
		cmocka_unit_test(test_conninfo_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
