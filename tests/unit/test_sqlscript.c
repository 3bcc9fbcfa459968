/*
 * test_sqlscript.c — unit tests for sqlscript.c: statement splitting around
 * quotes, dollar quotes, comments, parentheses, BEGIN ATOMIC bodies and psql
 * meta-commands; tokens; unterminated input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/sqlscript.h"

/* Split s and return statement k's text (static buffer); "" when out of range. */
static const char *
stmt_text(const char *s, size_t k, size_t *n_out)
{
	static char buf[1024];
	sql_stmt *st;
	size_t n;
	char err[128];

	assert_int_equal(sql_split(s, strlen(s), &st, &n, err, sizeof(err)), 0);
	*n_out = n;
	buf[0] = '\0';
	if (k < n)
		snprintf(buf, sizeof(buf), "%.*s", (int) st[k].len, s + st[k].start);
	free(st);
	return buf;
}

static void
test_plain_statements(void **state)
{
	const char *s = "-- header\nSET a = 1;\n\n/* c */ CREATE TABLE t (x int);\nSELECT 1";
	size_t n;

	(void) state;
	assert_string_equal(stmt_text(s, 0, &n), "SET a = 1;");
	assert_int_equal(n, 3);
	assert_string_equal(stmt_text(s, 1, &n), "CREATE TABLE t (x int);");
	assert_string_equal(stmt_text(s, 2, &n), "SELECT 1");
}

static void
test_semicolons_inside_quotes(void **state)
{
	const char *s = "INSERT INTO \"a;b\" VALUES ('x;y', E'it\\'s;', $$;$$, $f$ a; $$ b; $f$);"
	    " COMMENT ON TABLE t IS 'don''t; stop';";
	size_t n;

	(void) state;
	assert_string_equal(stmt_text(s, 0, &n),
	    "INSERT INTO \"a;b\" VALUES ('x;y', E'it\\'s;', $$;$$, $f$ a; $$ b; $f$);");
	assert_int_equal(n, 2);
	assert_string_equal(stmt_text(s, 1, &n), "COMMENT ON TABLE t IS 'don''t; stop';");
}

static void
test_comments_and_parens(void **state)
{
	const char *s = "SELECT 1 /* a; /* nested; */ still; */ ;"
	    "CREATE RULE r AS ON INSERT TO t DO INSTEAD (INSERT INTO u VALUES (1); DELETE FROM v);"
	    "SELECT 2 -- trailing; comment\n;";
	size_t n;

	(void) state;
	stmt_text(s, 0, &n);
	assert_int_equal(n, 3);
	assert_string_equal(stmt_text(s, 1, &n),
	    "CREATE RULE r AS ON INSERT TO t DO INSTEAD (INSERT INTO u VALUES (1); DELETE FROM v);");
}

static void
test_begin_atomic(void **state)
{
	const char *s = "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql\n"
	    "BEGIN ATOMIC\n  SELECT CASE WHEN true THEN 1 ELSE 2 END;\n  SELECT 3;\nEND;\n"
	    "BEGIN; COMMIT;";
	size_t n;

	(void) state;
	assert_string_equal(stmt_text(s, 0, &n),
	    "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql\n"
	    "BEGIN ATOMIC\n  SELECT CASE WHEN true THEN 1 ELSE 2 END;\n  SELECT 3;\nEND;");
	assert_int_equal(n, 3);
	assert_string_equal(stmt_text(s, 1, &n), "BEGIN;");
}

static void
test_meta_commands(void **state)
{
	const char *s = "\\restrict abc\nSET x = 1;\n\\unrestrict abc\nSELECT '\\n';";
	sql_stmt *st;
	size_t n;
	char err[128];

	(void) state;
	assert_int_equal(sql_split(s, strlen(s), &st, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 4);
	assert_true(st[0].meta);
	assert_int_equal(st[0].line, 1);
	assert_false(st[1].meta);
	assert_true(st[2].meta);
	assert_int_equal(st[2].line, 3);
	assert_false(st[3].meta);
	free(st);
}

static void
test_unterminated(void **state)
{
	const char *bad[] = {"SELECT 'abc", "SELECT \"abc", "SELECT $$ abc", "SELECT /* abc"};
	sql_stmt *st = NULL;
	size_t n;
	char err[128];

	(void) state;
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(sql_split(bad[i], strlen(bad[i]), &st, &n, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "line 1"));
	}
}

static void
test_tokens(void **state)
{
	const char *s = "ALTER TABLE ONLY \"My Table\" OWNER TO bob;";
	sql_stmt st = {0, strlen(s), 1, false};
	size_t n;
	sql_token *t = sql_tokens(s, &st, &n);

	(void) state;
	assert_int_equal(n, 8);
	assert_true(sql_tok_is(s, &t[0], "alter"));
	assert_int_equal(t[3].kind, SQL_TOK_QIDENT);
	assert_true(sql_tok_is(s, &t[4], "OWNER"));
	assert_false(sql_tok_is(s, &t[3], "My Table"));
	assert_int_equal(t[7].kind, SQL_TOK_SEMI);
	free(t);
}

static void
test_colons_and_params(void **state)
{
	const char *s = "SELECT :a, :'b', x::int, $1";
	sql_lexer lx;
	sql_token t;
	int colons = 0, ops = 0, params = 0;

	(void) state;
	sql_lex_init(&lx, s, strlen(s));
	while (sql_lex_next(&lx, &t) != SQL_TOK_EOF) {
		colons += t.kind == SQL_TOK_COLON;
		params += t.kind == SQL_TOK_PARAM;
		ops += t.kind == SQL_TOK_OP && t.len == 2;
	}
	assert_int_equal(colons, 2);
	assert_int_equal(ops, 1);
	assert_int_equal(params, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_statements),
		cmocka_unit_test(test_semicolons_inside_quotes),
		cmocka_unit_test(test_comments_and_parens),
		cmocka_unit_test(test_begin_atomic),
		cmocka_unit_test(test_meta_commands),
		cmocka_unit_test(test_unterminated),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_colons_and_params),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
