/*
 * test_filter.c — unit tests for the pure parts of filter.c: OID sets and
 * pg_dump's rules for what -t, -T, -n, -N and --exclude-table-data select
 * (schemas, relations, owned and identity sequences, the tables' data).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "snapshot/filter.h"
#include "util/mem.h"

/* Schemas 10 (public) and 20 (app); relations 100.. in public, 200.. in app. */
enum { PUBLIC = 10, APP = 20 };

static void
set(oid_set *s, uint32_t a, uint32_t b)
{
	uint32_t v[2] = {a, b};

	oid_set_add(s, v, b ? 2 : 1);
}

static void
test_oid_set(void **state)
{
	oid_set s = {0};
	uint32_t v[] = {5, 3, 5, 9, 1, 3};

	(void) state;
	assert_false(oid_set_has(&s, 1));
	oid_set_add(&s, v, 6);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.v[0], 1);
	assert_int_equal(s.v[3], 9);
	assert_true(oid_set_has(&s, 3));
	assert_false(oid_set_has(&s, 4));
	oid_set_add(&s, v, 0);
	set(&s, 4, 9);
	assert_int_equal(s.n, 5);
	assert_true(oid_set_has(&s, 4));
	free(s.v);
}

static void
test_no_filters(void **state)
{
	filter f = {0};

	(void) state;
	assert_true(filter_schema_selected(&f, PUBLIC));
	assert_true(filter_selects(&f, 100, PUBLIC));
	assert_true(filter_keeps_data(&f, 100));
	assert_true(filter_selects_sequence(&f, 150, PUBLIC, 100, PUBLIC, true));
}

static void
test_schemas(void **state)
{
	filter f = {.active = true, .schemas_given = true};

	(void) state;
	/* -n app: only app's relations */
	set(&f.nsp_in, APP, 0);
	assert_true(filter_schema_selected(&f, APP));
	assert_false(filter_schema_selected(&f, PUBLIC));
	assert_true(filter_selects(&f, 200, APP));
	assert_false(filter_selects(&f, 100, PUBLIC));
	/* -n app -T app.x */
	set(&f.rel_out, 201, 0);
	assert_false(filter_selects(&f, 201, APP));
	/* -n app -N app: nothing of app */
	set(&f.nsp_out, APP, 0);
	assert_false(filter_selects(&f, 200, APP));
	filter_free(&f);

	/* -N app alone: everything else */
	f.active = true;
	set(&f.nsp_out, APP, 0);
	assert_true(filter_selects(&f, 100, PUBLIC));
	assert_false(filter_selects(&f, 200, APP));
	filter_free(&f);
}

static void
test_tables(void **state)
{
	filter f = {.active = true, .tables_given = true, .schemas_given = true};

	(void) state;
	/* -t public.a -n app -N public: -t alone decides, -n and -N have no effect on relations */
	set(&f.rel_in, 100, 0);
	set(&f.nsp_in, APP, 0);
	set(&f.nsp_out, PUBLIC, 0);
	assert_true(filter_selects(&f, 100, PUBLIC));
	assert_false(filter_selects(&f, 200, APP));
	assert_false(filter_selects(&f, 101, PUBLIC));
	/* and no schema is selected by its schema */
	assert_false(filter_schema_selected(&f, APP));
	/* -T takes out what -t matched */
	set(&f.rel_out, 100, 0);
	assert_false(filter_selects(&f, 100, PUBLIC));
	filter_free(&f);
}

static void
test_data(void **state)
{
	filter f = {.active = true};

	(void) state;
	set(&f.data_out, 101, 0);
	assert_true(filter_selects(&f, 101, PUBLIC));
	assert_false(filter_keeps_data(&f, 101));
	assert_true(filter_keeps_data(&f, 100));
	filter_free(&f);
}

static void
test_sequences(void **state)
{
	filter f = {.active = true, .tables_given = true};

	(void) state;
	/* -t public.a: a's serial sequence (150) comes along; a free sequence (160) does not */
	set(&f.rel_in, 100, 0);
	assert_true(filter_selects_sequence(&f, 150, PUBLIC, 100, PUBLIC, false));
	assert_true(filter_selects_sequence(&f, 151, PUBLIC, 100, PUBLIC, true));
	assert_false(filter_selects_sequence(&f, 160, PUBLIC, 0, 0, false));
	/* a sequence -t matches itself, owned by a table it leaves out: serial yes, identity no */
	set(&f.rel_in, 152, 153);
	assert_true(filter_selects_sequence(&f, 152, PUBLIC, 101, PUBLIC, false));
	assert_false(filter_selects_sequence(&f, 153, PUBLIC, 101, PUBLIC, true));
	filter_free(&f);

	/* -T public.a: its serial sequence stays (pg_dump keeps it), its identity sequence goes */
	f.active = true;
	set(&f.rel_out, 100, 0);
	assert_true(filter_selects_sequence(&f, 150, PUBLIC, 100, PUBLIC, false));
	assert_false(filter_selects_sequence(&f, 151, PUBLIC, 100, PUBLIC, true));
	/* -N app: a sequence in app owned by a table in public comes with the table */
	set(&f.nsp_out, APP, 0);
	assert_true(filter_selects_sequence(&f, 250, APP, 101, PUBLIC, false));
	assert_false(filter_selects_sequence(&f, 251, APP, 0, 0, false));
	filter_free(&f);
}

static catalog_table
table(uint32_t oid, uint32_t nsp, const char *name)
{
	catalog_table t = {.oid = oid, .nsp_oid = nsp, .kind = "table"};

	t.schema = xstrdup(nsp == PUBLIC ? "public" : "app");
	t.name = xstrdup(name);
	t.n_columns = 1;
	t.columns = xcalloc(2, sizeof(char *));
	t.columns[0] = xstrdup("id");
	return t;
}

static void
test_filter_tables(void **state)
{
	filter f = {.active = true};
	catalog_table *t = xcalloc(4, sizeof(catalog_table));
	size_t n = 4;

	(void) state;
	t[0] = table(100, PUBLIC, "a");
	t[1] = table(101, PUBLIC, "b");
	t[2] = table(200, APP, "c");
	t[3] = table(201, APP, "d");
	/* -T public.b -N app --exclude-table-data public.a: a without its data */
	set(&f.rel_out, 101, 0);
	set(&f.nsp_out, APP, 0);
	set(&f.data_out, 100, 0);
	filter_tables(&f, t, &n);
	assert_int_equal(n, 1);
	assert_string_equal(t[0].name, "a");
	assert_true(t[0].data_excluded);
	catalog_tables_free(t, n);
	filter_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oid_set),
		cmocka_unit_test(test_no_filters),
		cmocka_unit_test(test_schemas),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_sequences),
		cmocka_unit_test(test_filter_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
