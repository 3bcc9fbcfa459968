/*
 * test_log.c — unit tests for log.c: the program-name prefix and label, the
 * level filter, messages (short and long) whose trailing newlines, as
 * libpq's error messages have, are left off, and control characters shown
 * as \xNN.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"

/* Run the logging calls of fn with stderr going to a file; return what was written. */
static char *
captured(void (*fn)(void))
{
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);
	char *out;
	long len;

	assert_non_null(f);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_int_equal(dup2(fileno(f), STDERR_FILENO), STDERR_FILENO);
	fn();
	fflush(stderr);
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	len = ftell(f);
	assert_true(len >= 0);
	out = calloc(1, (size_t) len + 1);
	assert_non_null(out);
	rewind(f);
	assert_int_equal(fread(out, 1, (size_t) len, f), (size_t) len);
	fclose(f);
	return out;
}

static void
short_messages(void)
{
	log_error("could not connect: %s", "FATAL:  too many connections\n");
	log_info("two lines\nkept inside \n\n");
	log_verbose("not shown at the info level");
	log_warning("%s", "\n");
}

static void
test_trailing_newlines_dropped(void **state)
{
	char *out;

	(void) state;
	log_init("/usr/bin/db-test");
	log_set_level(LOG_LEVEL_INFO);
	out = captured(short_messages);
	assert_string_equal(out,
	    "db-test: error: could not connect: FATAL:  too many connections\n"
	    "db-test: two lines\nkept inside\n"
	    "db-test: warning: \n");
	free(out);
}

static char long_text[5000];

static void
long_message(void)
{
	log_error("%s\n \n", long_text);
}

static void
test_long_message_whole(void **state)
{
	char *out;
	const char *prefix = "db-test: error: ";

	(void) state;
	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 2] = 'y';
	log_init("db-test");
	out = captured(long_message);
	assert_int_equal(strlen(out), strlen(prefix) + strlen(long_text) + 1);
	assert_memory_equal(out, prefix, strlen(prefix));
	assert_string_equal(out + strlen(out) - 2, "y\n");
	free(out);
}

static void
hostile_messages(void)
{
	/* as a database name or git branch in someone else's archive could be */
	log_warning("taken from \"%s\"", "app\033[2J\033]0;pwned\007");
	log_plain("branch %s\tnext\n", "b\302\233" "31m\177");
	log_info("caf\303\251 \302\240ok");
}

static void
test_control_characters_shown(void **state)
{
	char *out;

	(void) state;
	log_init("db-test");
	log_set_level(LOG_LEVEL_INFO);
	out = captured(hostile_messages);
	assert_string_equal(out,
	    "db-test: warning: taken from \"app\\x1b[2J\\x1b]0;pwned\\x07\"\n"
	    "branch b\\xc2\\x9b31m\\x7f\tnext\n"
	    /* UTF-8 text, and U+00A0 (not a control), pass */
	    "db-test: caf\303\251 \302\240ok\n");
	free(out);
	assert_int_equal(log_control_len("\033x", 2), 1);
	assert_int_equal(log_control_len("\302\237", 2), 2);
	assert_int_equal(log_control_len("\302", 1), 0);
	assert_int_equal(log_control_len("\n", 1), 0);
	assert_int_equal(log_control_len("a", 1), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trailing_newlines_dropped),
		cmocka_unit_test(test_long_message_whole),
		cmocka_unit_test(test_control_characters_shown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
