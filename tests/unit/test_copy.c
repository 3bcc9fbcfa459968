/*
 * test_copy.c — unit tests for copy.c's copy_out_sql: the snapshot's
 * COPY ... TO STDOUT of a whole table (with or without a column list) and
 * of a range of blocks of the table itself, every name quoted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "pg/copy.h"
#include "util/strbuf.h"

static char *users_cols[] = {"id", "email"};
static char *odd_cols[] = {"Select", "we\"ird", "plain col", "\xc3\xa9t\xc3\xa9"};

static void
check(const copy_target *t, bool chunk, uint32_t from, uint32_t to, const char *want)
{
	strbuf sql;

	sb_init(&sql);
	/* whatever the buffer held is replaced */
	sb_append(&sql, "left over from the last table; ");
	copy_out_sql(&sql, t, chunk, from, to);
	assert_string_equal(sql.data, want);
	assert_int_equal(sql.len, strlen(want));
	sb_free(&sql);
}

static void
test_whole_table(void **state)
{
	copy_target all = {.schema = "public", .table = "users"};
	copy_target cols = {.schema = "public", .table = "users", .columns = users_cols, .n_columns = 2};

	(void) state;
	check(&all, false, 0, 0, "COPY \"public\".\"users\" TO STDOUT");
	check(&cols, false, 0, 0, "COPY \"public\".\"users\" (\"id\", \"email\") TO STDOUT");
	/* the block range means nothing for a whole table */
	check(&cols, false, 10, 20, "COPY \"public\".\"users\" (\"id\", \"email\") TO STDOUT");
	/* a member name is for messages only */
	all.member = "data/0000_public.users.copy.gz";
	check(&all, false, 0, 0, "COPY \"public\".\"users\" TO STDOUT");
}

static void
test_one_column(void **state)
{
	copy_target t = {.schema = "s", .table = "t", .columns = users_cols, .n_columns = 1};

	(void) state;
	check(&t, false, 0, 0, "COPY \"s\".\"t\" (\"id\") TO STDOUT");
	check(&t, true, 0, 0,
	    "COPY (SELECT \"id\" FROM ONLY \"s\".\"t\" WHERE ctid >= '(0,0)'::pg_catalog.tid) TO STDOUT");
}

static void
test_chunks(void **state)
{
	copy_target t = {.schema = "public", .table = "events", .columns = users_cols, .n_columns = 2};

	(void) state;
	/* the first range, to the end of the table */
	check(&t, true, 0, 0,
	    "COPY (SELECT \"id\", \"email\" FROM ONLY \"public\".\"events\""
	    " WHERE ctid >= '(0,0)'::pg_catalog.tid) TO STDOUT");
	/* blocks [0, 1000) */
	check(&t, true, 0, 1000,
	    "COPY (SELECT \"id\", \"email\" FROM ONLY \"public\".\"events\""
	    " WHERE ctid >= '(0,0)'::pg_catalog.tid AND ctid < '(1000,0)'::pg_catalog.tid) TO STDOUT");
	/* a middle range */
	check(&t, true, 1000, 2500,
	    "COPY (SELECT \"id\", \"email\" FROM ONLY \"public\".\"events\""
	    " WHERE ctid >= '(1000,0)'::pg_catalog.tid AND ctid < '(2500,0)'::pg_catalog.tid) TO STDOUT");
	/* the last range, to the end */
	check(&t, true, 2500, 0,
	    "COPY (SELECT \"id\", \"email\" FROM ONLY \"public\".\"events\""
	    " WHERE ctid >= '(2500,0)'::pg_catalog.tid) TO STDOUT");
	/* block numbers are unsigned 32-bit */
	check(&t, true, 4000000000u, UINT32_MAX,
	    "COPY (SELECT \"id\", \"email\" FROM ONLY \"public\".\"events\""
	    " WHERE ctid >= '(4000000000,0)'::pg_catalog.tid"
	    " AND ctid < '(4294967295,0)'::pg_catalog.tid) TO STDOUT");
}

static void
test_quoting(void **state)
{
	copy_target t = {.schema = "Sales", .table = "order \"lines\"", .columns = odd_cols,
	    .n_columns = 4};
	copy_target kw = {.schema = "select", .table = "from"};

	(void) state;
	/* keywords, capitals, blanks, quotes and non-ASCII all quoted; quotes doubled */
	check(&t, false, 0, 0,
	    "COPY \"Sales\".\"order \"\"lines\"\"\" (\"Select\", \"we\"\"ird\", \"plain col\","
	    " \"\xc3\xa9t\xc3\xa9\") TO STDOUT");
	check(&t, true, 7, 9,
	    "COPY (SELECT \"Select\", \"we\"\"ird\", \"plain col\", \"\xc3\xa9t\xc3\xa9\""
	    " FROM ONLY \"Sales\".\"order \"\"lines\"\"\""
	    " WHERE ctid >= '(7,0)'::pg_catalog.tid AND ctid < '(9,0)'::pg_catalog.tid) TO STDOUT");
	check(&kw, false, 0, 0, "COPY \"select\".\"from\" TO STDOUT");
}

static void
test_injection_stays_quoted(void **state)
{
	static char *cols[] = {"a\"); DROP TABLE x; --"};
	copy_target t = {.schema = "public", .table = "t\" TO PROGRAM 'rm' --", .columns = cols,
	    .n_columns = 1};

	(void) state;
	check(&t, false, 0, 0,
	    "COPY \"public\".\"t\"\" TO PROGRAM 'rm' --\" (\"a\"\"); DROP TABLE x; --\") TO STDOUT");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_table),
		cmocka_unit_test(test_one_column),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_injection_stays_quoted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
