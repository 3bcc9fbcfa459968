/*
 * test_spare.c — unit tests for spare.c's naming: a template's spare is
 * named after the template's own 16 hex digits, under the spares' prefix,
 * so that a role's spare and template go together and no other role's do.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "replace/spare.h"

static void
test_name(void **state)
{
	char *role_a = tcache_db_name("alice", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	char *role_b = tcache_db_name("bob", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	char *sa = spare_name(role_a), *sb = spare_name(role_b);

	(void) state;
	assert_true(strncmp(sa, SPARE_PREFIX, strlen(SPARE_PREFIX)) == 0);
	assert_string_equal(sa + strlen(SPARE_PREFIX), role_a + strlen(TC_PREFIX));
	/* two roles' templates of one key: two spares */
	assert_string_not_equal(sa, sb);
	/* a name without the templates' prefix keeps its whole self */
	free(sb);
	sb = spare_name("other");
	assert_string_equal(sb, SPARE_PREFIX "other");
	/* within PostgreSQL's 63 bytes */
	assert_true(strlen(sa) <= 63);
	free(sa);
	free(sb);
	free(role_a);
	free(role_b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
