/*
 * test_replace.c — unit tests for replace.c's replace_copy_prefix: what the
 * names of a target's copies (<db>__restoring_<stamp>, <db>__pre_<stamp>)
 * start with: the target and the suffix when a stamp and "_NNN" fit after
 * them in 63 bytes, else the target shortened (never inside a UTF-8
 * character), "_", 8 hex digits of SHA-256(target) and the suffix.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "pg/dbadmin.h"
#include "replace/replace.h"
#include "util/hash.h"
#include "util/mem.h"
#include "util/strbuf.h"

/* What replace_fresh_name puts after the prefix at most: a stamp and "_NNN". */
#define STAMP_AND_COUNTER "20261122-031024_999"
#define ROOM (DBA_NAME_MAX - (int) (sizeof(STAMP_AND_COUNTER) - 1))   /* 44 */

static char *
repeat(const char *unit, size_t times)
{
	strbuf sb;

	sb_init(&sb);
	for (size_t i = 0; i < times; i++)
		sb_append(&sb, unit);
	return sb_steal(&sb);
}

static void
check_short(const char *target, const char *suffix)
{
	char *got = replace_copy_prefix(target, suffix);
	char *want = xasprintf("%s%s", target, suffix);

	assert_string_equal(got, want);
	free(got);
	free(want);
}

/*
 * A long target's prefix: a start of the target, "_", the hash's first 8
 * digits, the suffix; with the stamp and counter within 63 bytes.  Returns
 * how many bytes of the target it kept.
 */
static size_t
check_long(const char *target, const char *suffix)
{
	char *got = replace_copy_prefix(target, suffix);
	char hex[HASH_HEX_LEN + 1];
	char *tail;
	size_t kept;
	char *full;

	hash_hex_of(target, strlen(target), hex);
	tail = xasprintf("_%.8s%s", hex, suffix);
	assert_true(strlen(got) > strlen(tail));
	kept = strlen(got) - strlen(tail);
	/* ends with the tag and the suffix */
	assert_string_equal(got + kept, tail);
	/* starts with the target, shortened */
	assert_true(kept > 0);
	assert_true(kept < strlen(target));
	assert_int_equal(strncmp(got, target, kept), 0);
	/* room left for the stamp and a counter */
	assert_true(strlen(got) + strlen(STAMP_AND_COUNTER) <= DBA_NAME_MAX);
	full = xasprintf("%s%s", got, STAMP_AND_COUNTER);
	assert_null(dbadmin_name_problem(full));
	free(full);
	free(tail);
	free(got);
	return kept;
}

static void
test_short_targets(void **state)
{
	(void) state;
	check_short("app_dev", RP_SUFFIX_BUILDING);
	check_short("app_dev", RP_SUFFIX_PREVIOUS);
	check_short("a", RP_SUFFIX_PREVIOUS);
	check_short("My App", RP_SUFFIX_BUILDING);
	{
		char *got = replace_copy_prefix("app_dev", RP_SUFFIX_BUILDING);

		assert_string_equal(got, "app_dev__restoring_");
		free(got);
		got = replace_copy_prefix("app_dev", RP_SUFFIX_PREVIOUS);
		assert_string_equal(got, "app_dev__pre_");
		free(got);
	}
}

static void
test_boundary(void **state)
{
	/* 63 - 19 (stamp and "_NNN") - 12 ("__restoring_") = 32 bytes fit as they are */
	size_t fit_building = (size_t) ROOM - strlen(RP_SUFFIX_BUILDING);
	size_t fit_previous = (size_t) ROOM - strlen(RP_SUFFIX_PREVIOUS);
	char *t;

	(void) state;
	assert_int_equal(fit_building, 32);
	assert_int_equal(fit_previous, 38);

	t = repeat("a", fit_building);
	check_short(t, RP_SUFFIX_BUILDING);
	free(t);
	t = repeat("a", fit_building + 1);
	check_long(t, RP_SUFFIX_BUILDING);
	/* the same target still fits with the shorter suffix */
	check_short(t, RP_SUFFIX_PREVIOUS);
	free(t);

	t = repeat("b", fit_previous);
	check_short(t, RP_SUFFIX_PREVIOUS);
	free(t);
	t = repeat("b", fit_previous + 1);
	check_long(t, RP_SUFFIX_PREVIOUS);
	free(t);
}

static void
test_long_targets(void **state)
{
	char *t = repeat("x", DBA_NAME_MAX);
	size_t kept;

	(void) state;
	/* shortened only as far as needed: the prefix uses all the room there is */
	kept = check_long(t, RP_SUFFIX_BUILDING);
	assert_int_equal(kept + 1 + 8 + strlen(RP_SUFFIX_BUILDING), ROOM);
	kept = check_long(t, RP_SUFFIX_PREVIOUS);
	assert_int_equal(kept + 1 + 8 + strlen(RP_SUFFIX_PREVIOUS), ROOM);
	free(t);

	/* longer than a database name can be, too */
	t = repeat("long_name_", 20);
	check_long(t, RP_SUFFIX_BUILDING);
	free(t);
}

static void
test_long_names_alike(void **state)
{
	char *base = repeat("customer_analytics_", 3);     /* 57 bytes */
	char *a = xasprintf("%s_eu", base);
	char *b = xasprintf("%s_us", base);
	char *pa, *pb, *pa2;

	(void) state;
	pa = replace_copy_prefix(a, RP_SUFFIX_PREVIOUS);
	pb = replace_copy_prefix(b, RP_SUFFIX_PREVIOUS);
	pa2 = replace_copy_prefix(a, RP_SUFFIX_PREVIOUS);
	/* the shortened parts are the same; the names are not */
	check_long(a, RP_SUFFIX_PREVIOUS);
	check_long(b, RP_SUFFIX_PREVIOUS);
	assert_string_not_equal(pa, pb);
	assert_int_equal(strlen(pa), strlen(pb));
	/* and the same target always gets the same prefix */
	assert_string_equal(pa, pa2);
	/* the two suffixes give two prefixes */
	free(pa2);
	pa2 = replace_copy_prefix(a, RP_SUFFIX_BUILDING);
	assert_string_not_equal(pa, pa2);
	free(base);
	free(a);
	free(b);
	free(pa);
	free(pb);
	free(pa2);
}

static void
test_utf8_cut(void **state)
{
	/* 30 two-byte characters: 60 bytes */
	char *t = repeat("\xc3\xa9", 30);
	size_t kept;

	(void) state;
	kept = check_long(t, RP_SUFFIX_BUILDING);
	/* whole characters only */
	assert_int_equal(kept % 2, 0);
	kept = check_long(t, RP_SUFFIX_PREVIOUS);
	assert_int_equal(kept % 2, 0);
	free(t);

	/* fourteen three-byte characters after one ASCII byte: 43 bytes */
	{
		char *euros = repeat("\xe2\x82\xac", 14);

		t = xasprintf("a%s", euros);
		free(euros);
	}
	assert_int_equal(strlen(t), 43);
	kept = check_long(t, RP_SUFFIX_BUILDING);
	assert_int_equal((kept - 1) % 3, 0);
	kept = check_long(t, RP_SUFFIX_PREVIOUS);
	assert_int_equal((kept - 1) % 3, 0);
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_targets),
		cmocka_unit_test(test_boundary),
		cmocka_unit_test(test_long_targets),
		cmocka_unit_test(test_long_names_alike),
		cmocka_unit_test(test_utf8_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
