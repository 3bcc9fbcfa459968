/*
 * test_seed.c — unit tests for seed.c: psql-style variable substitution
 * (:name, :'name', :"name") and everything it must leave alone (string
 * literals, quoted identifiers, comments, dollar quotes, :: casts, array
 * slices), unknown variables, and the setseed value.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "project/seed.h"

static seed_vars vars;

static int
setup(void **state)
{
	(void) state;
	memset(&vars, 0, sizeof(vars));
	sv_set(&vars, "users", "10");
	sv_set(&vars, "name", "O'Brien");
	sv_set(&vars, "tab", "My \"Table\"");
	sv_set(&vars, "users", "20");       /* replaces */
	return 0;
}

static int
teardown(void **state)
{
	(void) state;
	sv_free(&vars);
	return 0;
}

/* Substitute in, expect out. */
static void
expect(const char *in, const char *out)
{
	strbuf sb;
	char err[128];

	sb_init(&sb);
	assert_int_equal(seed_substitute(in, strlen(in), &vars, &sb, err, sizeof(err)), 0);
	assert_string_equal(sb.data, out);
	sb_free(&sb);
}

static void
test_plain_literal_ident(void **state)
{
	(void) state;
	expect("SELECT generate_series(1, :users);", "SELECT generate_series(1, 20);");
	expect("SELECT :'name';", "SELECT 'O''Brien';");
	expect("SELECT * FROM :\"tab\";", "SELECT * FROM \"My \"\"Table\"\"\";");
	expect("SELECT :users", "SELECT 20");
}

static void
test_left_alone(void **state)
{
	(void) state;
	expect("SELECT ':users', E'\\':users', \"col:users\";", "SELECT ':users', E'\\':users', \"col:users\";");
	expect("-- uses :users\nSELECT 1; /* :users */", "-- uses :users\nSELECT 1; /* :users */");
	expect("DO $$ BEGIN PERFORM :users; END $$;", "DO $$ BEGIN PERFORM :users; END $$;");
	expect("SELECT x::int, (:users)::bigint, a[1:2]", "SELECT x::int, (20)::bigint, a[1:2]");
	expect("SELECT : users", "SELECT : users");
}

static void
test_unknown_variable(void **state)
{
	const char *in = "SELECT 1;\nSELECT :orders;";
	strbuf sb;
	char err[128];

	(void) state;
	sb_init(&sb);
	assert_int_equal(seed_substitute(in, strlen(in), &vars, &sb, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 2"));
	assert_non_null(strstr(err, ":orders"));
	sb_free(&sb);
}

/* The names a text refers to, once each, in order; nothing from strings, comments or casts. */
static void
test_variables_used(void **state)
{
	const char *text = "-- :in_comment\n"
	    "INSERT INTO t SELECT g, :'name', :\"ident\", ':in_string' FROM generate_series(1, :users) g\n"
	    "  WHERE g < :users AND x::int > 0 AND $$ :in_body $$ <> '' AND y = :orders;";
	seed_vars names = {0};

	(void) state;
	seed_text_variables(text, strlen(text), &names);
	assert_int_equal(names.n, 4);
	assert_string_equal(names.v[0].name, "name");
	assert_string_equal(names.v[1].name, "ident");
	assert_string_equal(names.v[2].name, "users");
	assert_string_equal(names.v[3].name, "orders");
	sv_free(&names);
	seed_text_variables("SELECT 1;", 9, &names);
	assert_int_equal(names.n, 0);
}

static void
test_setseed_value(void **state)
{
	double a = seed_setseed_value(42, "010_users.sql");

	(void) state;
	assert_true(a >= -1.0 && a < 1.0);
	assert_true(a == seed_setseed_value(42, "010_users.sql"));
	assert_true(a != seed_setseed_value(43, "010_users.sql"));
	assert_true(a != seed_setseed_value(42, "020_orders.sql"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plain_literal_ident, setup, teardown),
		cmocka_unit_test_setup_teardown(test_left_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_variable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setseed_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_variables_used, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
