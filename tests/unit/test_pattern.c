/*
 * test_pattern.c — unit tests for pattern.c: psql/pg_dump name patterns as
 * the regular expressions pg_dump's patternToSQLRegex makes of them, and
 * the WHERE conditions that match them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <string.h>

#include "sql/pattern.h"
#include "util/strbuf.h"

#define UTF8 6     /* PG_UTF8 */

/* Convert pattern and compare each part (NULL: the part must be absent). */
static void
check(const char *pattern, int parts, const char *db, const char *schema, const char *name, int dots)
{
	pat_regex r;

	pat_convert(pattern, parts, UTF8, &r);
	if (db)
		assert_non_null(r.db), assert_string_equal(r.db, db);
	else
		assert_null(r.db);
	if (schema)
		assert_non_null(r.schema), assert_string_equal(r.schema, schema);
	else
		assert_null(r.schema);
	assert_non_null(r.name);
	assert_string_equal(r.name, name);
	assert_int_equal(r.dots, dots);
	pat_regex_free(&r);
}

static void
test_plain_names(void **state)
{
	(void) state;
	check("film", 3, NULL, NULL, "^(film)$", 0);
	check("", 3, NULL, NULL, "^()$", 0);
	check("audit_log", 3, NULL, NULL, "^(audit_log)$", 0);
}

static void
test_case_folding(void **state)
{
	(void) state;
	/* unquoted letters fold to lower case, as SQL identifiers do */
	check("Film", 3, NULL, NULL, "^(film)$", 0);
	check("OTHER.C", 3, NULL, "^(other)$", "^(c)$", 1);
	/* quoted ones keep their case */
	check("\"Mixed Case\"", 3, NULL, NULL, "^(Mixed Case)$", 0);
	check("other.\"Mixed Case\"", 3, NULL, "^(other)$", "^(Mixed Case)$", 1);
	check("A\"B\"C", 3, NULL, NULL, "^(aBc)$", 0);
}

static void
test_wildcards(void **state)
{
	(void) state;
	check("payment*", 3, NULL, NULL, "^(payment.*)$", 0);
	check("film_?", 3, NULL, NULL, "^(film_.)$", 0);
	check("*", 3, NULL, NULL, "^(.*)$", 0);
	check("*.*", 3, NULL, "^(.*)$", "^(.*)$", 1);
	check("public.*", 3, NULL, "^(public)$", "^(.*)$", 1);
	/* inside quotes they are literal */
	check("\"a*b?\"", 3, NULL, NULL, "^(a\\*b\\?)$", 0);
}

static void
test_quotes(void **state)
{
	(void) state;
	/* "" inside quotes is one quote */
	check("\"a\"\"b\"", 3, NULL, NULL, "^(a\"b)$", 0);
	/* a dot inside quotes is part of the name, and escaped */
	check("\"a.b\"", 3, NULL, NULL, "^(a\\.b)$", 0);
	check("\"my.schema\".t", 3, NULL, "^(my\\.schema)$", "^(t)$", 1);
	/* regular expression characters inside quotes are escaped */
	check("\"x|y(z)[1]{2}^\\\"", 3, NULL, NULL, "^(x\\|y\\(z\\)\\[1\\]\\{2\\}\\^\\\\)$", 0);
	/* an unclosed quote runs to the end */
	check("\"Ab.C", 3, NULL, NULL, "^(Ab\\.C)$", 0);
}

static void
test_regex_passthrough(void **state)
{
	(void) state;
	/* outside quotes regular expression syntax passes through, as in psql */
	check("[ab]", 3, NULL, NULL, "^([ab])$", 0);
	check("a|b", 3, NULL, NULL, "^(a|b)$", 0);
	check("t+", 3, NULL, NULL, "^(t+)$", 0);
	/* but "[]" is an array type name, and "$" is always literal */
	check("int[]", 3, NULL, NULL, "^(int\\[])$", 0);
	check("a$b", 3, NULL, NULL, "^(a\\$b)$", 0);
	check("\"a$b\"", 3, NULL, NULL, "^(a\\$b)$", 0);
}

static void
test_qualified(void **state)
{
	(void) state;
	check("public.film", 3, NULL, "^(public)$", "^(film)$", 1);
	check("app.public.film", 3, "app", "^(public)$", "^(film)$", 2);
	/* the database part is a name, folded and unquoted, never a regex */
	check("App.s.t", 3, "app", "^(s)$", "^(t)$", 2);
	check("\"My DB\".s.t", 3, "My DB", "^(s)$", "^(t)$", 2);
	check("d*.s.t", 3, "d*", "^(s)$", "^(t)$", 2);
	/* more dots than parts: counted, and left in the name (the caller refuses them) */
	check("a.b.c.d", 3, "a", "^(b)$", "^(c.d)$", 3);
	/* empty parts stay empty: they match nothing */
	check(".t", 3, NULL, "^()$", "^(t)$", 1);
}

static void
test_schema_patterns(void **state)
{
	(void) state;
	/* one part: a schema pattern keeps its dots (and pg_dump refuses them) */
	check("app_*", 1, NULL, NULL, "^(app_.*)$", 0);
	check("db.schema", 1, NULL, NULL, "^(db.schema)$", 1);
	check("\"Other\"", 1, NULL, NULL, "^(Other)$", 0);
}

static void
test_multibyte(void **state)
{
	(void) state;
	/* UTF-8 passes through whole; only ASCII letters fold */
	check("caf\xc3\xa9*", 3, NULL, NULL, "^(caf\xc3\xa9.*)$", 0);
	check("\xc3\x89t\xc3\xa9", 3, NULL, NULL, "^(\xc3\x89t\xc3\xa9)$", 0);
}

/* The WHERE text for pattern (parts 3) with the usual columns. */
static void
check_where(const char *pattern, const char *want)
{
	pat_regex r;
	strbuf sb;

	pat_convert(pattern, 3, UTF8, &r);
	sb_init(&sb);
	pat_append_where(&sb, &r, "n.nspname", "c.relname", "pg_catalog.pg_table_is_visible(c.oid)");
	assert_string_equal(sb.data, want);
	sb_free(&sb);
	pat_regex_free(&r);
}

static void
test_where(void **state)
{
	(void) state;
	/* no schema part: visible relations only */
	check_where("film", " AND c.relname OPERATOR(pg_catalog.~) '^(film)$' COLLATE pg_catalog.default"
	    " AND pg_catalog.pg_table_is_visible(c.oid)");
	check_where("public.film",
	    " AND c.relname OPERATOR(pg_catalog.~) '^(film)$' COLLATE pg_catalog.default"
	    " AND n.nspname OPERATOR(pg_catalog.~) '^(public)$' COLLATE pg_catalog.default");
	/* "*" adds no condition */
	check_where("*.film", " AND c.relname OPERATOR(pg_catalog.~) '^(film)$' COLLATE pg_catalog.default");
	check_where("public.*", " AND n.nspname OPERATOR(pg_catalog.~) '^(public)$' COLLATE pg_catalog.default");
	check_where("*", " AND pg_catalog.pg_table_is_visible(c.oid)");
	/* the pattern reaches the SQL only as a quoted literal */
	check_where("o'; DROP TABLE x; --",
	    " AND c.relname OPERATOR(pg_catalog.~) '^(o''; drop table x; --)$' COLLATE pg_catalog.default"
	    " AND pg_catalog.pg_table_is_visible(c.oid)");
	check_where("a$", " AND c.relname OPERATOR(pg_catalog.~) E'^(a\\\\$)$' COLLATE pg_catalog.default"
	    " AND pg_catalog.pg_table_is_visible(c.oid)");
}

static void
test_where_schema_pattern(void **state)
{
	pat_regex r;
	strbuf sb;

	(void) state;
	pat_convert("app_*", 1, UTF8, &r);
	sb_init(&sb);
	pat_append_where(&sb, &r, NULL, "n.nspname", NULL);
	assert_string_equal(sb.data, " AND n.nspname OPERATOR(pg_catalog.~) '^(app_.*)$' COLLATE pg_catalog.default");
	sb_free(&sb);
	pat_regex_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_names),
		cmocka_unit_test(test_case_folding),
		cmocka_unit_test(test_wildcards),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_regex_passthrough),
		cmocka_unit_test(test_qualified),
		cmocka_unit_test(test_schema_patterns),
		cmocka_unit_test(test_multibyte),
		cmocka_unit_test(test_where),
		cmocka_unit_test(test_where_schema_pattern),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
