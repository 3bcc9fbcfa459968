/*
 * test_tcache.c — unit tests for tcache.c's template names: "db_tools_cache_"
 * and 16 hex digits of SHA-256(role "\n" key), the same every time, a
 * different name for another role or another key, always a valid database
 * name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "pg/dbadmin.h"
#include "replace/tcache.h"
#include "util/hash.h"
#include "util/mem.h"

/* What the name must be: the prefix and the first 16 digits of SHA-256(role \n key). */
static char *
expected_name(const char *role, const char *key)
{
	char *text = xasprintf("%s\n%s", role, key);
	char hex[HASH_HEX_LEN + 1];

	hash_hex_of(text, strlen(text), hex);
	free(text);
	hex[16] = '\0';
	return xasprintf("db_tools_cache_%s", hex);
}

static void
check_name(const char *role, const char *key)
{
	char *got = tcache_db_name(role, key);
	char *want = expected_name(role, key);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	free(want);
}

static void
test_known_answer(void **state)
{
	char *got;

	(void) state;
	/* printf 'alice\nkey1' | sha256sum: c5eb9c8a262d3df9926a723b... */
	got = tcache_db_name("alice", "key1");
	assert_string_equal(got, "db_tools_cache_c5eb9c8a262d3df9");
	free(got);
}

static void
test_matches_hash(void **state)
{
	char key[HASH_HEX_LEN + 1];

	(void) state;
	hash_hex_of("some archive", 12, key);
	check_name("alice", key);
	check_name("postgres", key);
	check_name("", key);
	check_name("Bob Smith", "restore:abc");
	check_name("r\xc3\xb6le", "");
}

static void
test_shape(void **state)
{
	char key[HASH_HEX_LEN + 1];
	char *name;
	const char *digits;

	(void) state;
	hash_hex_of("k", 1, key);
	name = tcache_db_name("alice", key);
	assert_int_equal(strlen(name), strlen(TC_PREFIX) + 16);
	assert_int_equal(strncmp(name, TC_PREFIX, strlen(TC_PREFIX)), 0);
	assert_string_equal(TC_PREFIX, "db_tools_cache_");
	digits = name + strlen(TC_PREFIX);
	assert_int_equal(strspn(digits, "0123456789abcdef"), 16);
	/* usable as a database name */
	assert_null(dbadmin_name_problem(name));
	assert_true(strlen(name) <= DBA_NAME_MAX);
	free(name);
}

static void
test_deterministic(void **state)
{
	char *a = tcache_db_name("alice", "key1");
	char *b = tcache_db_name("alice", "key1");

	(void) state;
	assert_string_equal(a, b);
	assert_ptr_not_equal(a, b);
	free(a);
	free(b);
}

static void
test_differs(void **state)
{
	char *base = tcache_db_name("alice", "key1");
	char *other_role = tcache_db_name("bob", "key1");
	char *other_key = tcache_db_name("alice", "key2");
	char *role_case = tcache_db_name("Alice", "key1");
	char *swapped = tcache_db_name("key1", "alice");
	/* the separator matters: "alice" + "key1" is not "alicek" + "ey1" */
	char *shifted = tcache_db_name("alicek", "ey1");

	(void) state;
	assert_string_not_equal(base, other_role);
	assert_string_not_equal(base, other_key);
	assert_string_not_equal(other_role, other_key);
	assert_string_not_equal(base, role_case);
	assert_string_not_equal(base, swapped);
	assert_string_not_equal(base, shifted);
	free(base);
	free(other_role);
	free(other_key);
	free(role_case);
	free(swapped);
	free(shifted);
}

static void
test_not_legacy_name(void **state)
{
	char key[HASH_HEX_LEN + 1];
	char legacy[sizeof(TC_PREFIX) + 16];
	char *name;

	(void) state;
	/* names from before templates belonged to a role were the key's first digits */
	hash_hex_of("archive", 7, key);
	memcpy(legacy, TC_PREFIX, strlen(TC_PREFIX));
	memcpy(legacy + strlen(TC_PREFIX), key, 16);
	legacy[strlen(TC_PREFIX) + 16] = '\0';
	name = tcache_db_name("alice", key);
	assert_string_not_equal(name, legacy);
	free(name);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answer),
		cmocka_unit_test(test_matches_hash),
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_differs),
		cmocka_unit_test(test_not_legacy_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
