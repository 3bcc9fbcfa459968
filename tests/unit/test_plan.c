/*
 * test_plan.c — unit tests for plan.c's split policy: how large the ranges
 * of a large table are (a worker's share where CPUs are scarce, 64 MiB where
 * they are plentiful) and how many ranges a table becomes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "snapshot/job.h"

#define MiB (1ull << 20)

/* One table holds most of the data (pgbench_accounts): cut in two for two workers. */
static void
test_dominant_table_is_halved(void **state)
{
	uint64_t chunk = plan_chunk_bytes(300 * MiB, 2, false);

	(void) state;
	assert_int_equal(chunk, 150 * MiB);
	assert_int_equal(plan_table_parts(256 * MiB, chunk), 2);
	assert_int_equal(plan_table_parts(30 * MiB, chunk), 1);
}

/* A table smaller than a worker's share stays whole, however large. */
static void
test_tables_within_a_share_stay_whole(void **state)
{
	/* 5 tables: 264, 71, 35, 26, 21 MiB (the realistic benchmark dataset) */
	uint64_t chunk = plan_chunk_bytes(417 * MiB, 2, false);

	(void) state;
	assert_int_equal(plan_table_parts(264 * MiB, chunk), 2);
	assert_int_equal(plan_table_parts(71 * MiB, chunk), 1);
	/* four workers: a share is 104 MiB, the 264 MiB table becomes three ranges */
	chunk = plan_chunk_bytes(417 * MiB, 4, false);
	assert_int_equal(plan_table_parts(264 * MiB, chunk), 3);
	assert_int_equal(plan_table_parts(71 * MiB, chunk), 1);
	/* equal tables: none is larger than its share */
	chunk = plan_chunk_bytes(400 * MiB, 2, false);
	assert_int_equal(plan_table_parts(200 * MiB, chunk), 1);
}

/* Small databases are never cut below 64 MiB. */
static void
test_ranges_never_below_the_minimum(void **state)
{
	uint64_t chunk = plan_chunk_bytes(80 * MiB, 2, false);

	(void) state;
	assert_int_equal(chunk, PLAN_CHUNK_BYTES);
	assert_int_equal(plan_table_parts(60 * MiB, chunk), 1);
	assert_int_equal(plan_table_parts(70 * MiB, chunk), 2);
	assert_int_equal(plan_table_parts(64 * MiB, chunk), 1);
}

/* CPUs to spare (or a remote server): 64 MiB ranges, capped in number. */
static void
test_spread_uses_fixed_ranges(void **state)
{
	uint64_t chunk = plan_chunk_bytes(1000 * MiB, 2, true);

	(void) state;
	assert_int_equal(chunk, PLAN_CHUNK_BYTES);
	assert_int_equal(plan_table_parts(256 * MiB, chunk), 4);
	assert_int_equal(plan_table_parts(257 * MiB, chunk), 5);
	assert_int_equal(plan_table_parts(1ull << 50, chunk), PLAN_MAX_CHUNKS);
	/* 0: splitting is off */
	assert_int_equal(plan_table_parts(1ull << 40, 0), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dominant_table_is_halved),
		cmocka_unit_test(test_tables_within_a_share_stay_whole),
		cmocka_unit_test(test_ranges_never_below_the_minimum),
		cmocka_unit_test(test_spread_uses_fixed_ranges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
