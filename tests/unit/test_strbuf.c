/*
 * test_strbuf.c — unit tests for strbuf.c: the growable buffer, the
 * checked allocation helpers, string arrays and control characters made
 * visible.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

static void
test_init(void **state)
{
	strbuf sb;

	(void) state;
	sb_init(&sb);
	assert_non_null(sb.data);
	assert_int_equal(sb.len, 0);
	assert_true(sb.cap > 0);
	assert_string_equal(sb.data, "");
	sb_free(&sb);
	assert_null(sb.data);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.cap, 0);
}

static void
test_append(void **state)
{
	strbuf sb;

	(void) state;
	sb_init(&sb);
	sb_append(&sb, "abc");
	assert_string_equal(sb.data, "abc");
	assert_int_equal(sb.len, 3);
	sb_append(&sb, "");
	assert_int_equal(sb.len, 3);
	sb_append(&sb, "def");
	sb_append_char(&sb, '!');
	assert_string_equal(sb.data, "abcdef!");
	assert_int_equal(sb.len, 7);
	sb_free(&sb);
}

static void
test_append_growth(void **state)
{
	strbuf sb;
	char want[1001];

	(void) state;
	sb_init(&sb);
	/* one character at a time across several reallocations */
	for (int i = 0; i < 1000; i++) {
		want[i] = (char) ('a' + i % 26);
		sb_append_char(&sb, want[i]);
		assert_int_equal(sb.len, (size_t) i + 1);
		assert_true(sb.cap > sb.len);
		assert_int_equal(sb.data[sb.len], '\0');
	}
	want[1000] = '\0';
	assert_string_equal(sb.data, want);
	sb_free(&sb);
}

static void
test_appendf_growth(void **state)
{
	strbuf sb;
	char expect[512];
	const char *long_arg = "0123456789012345678901234567890123456789012345678901234567890123456789";

	(void) state;
	sb_init(&sb);
	sb_appendf(&sb, "%d-%s", 7, "x");
	assert_string_equal(sb.data, "7-x");
	/* past the initial 64 bytes in one call */
	sb_appendf(&sb, "[%s|%5d|%-4s]", long_arg, 42, "ab");
	snprintf(expect, sizeof(expect), "7-x[%s|%5d|%-4s]", long_arg, 42, "ab");
	assert_string_equal(sb.data, expect);
	assert_int_equal(sb.len, strlen(expect));
	assert_true(sb.len > 64);
	assert_true(sb.cap > sb.len);
	/* and again, far past it */
	for (int i = 0; i < 50; i++)
		sb_appendf(&sb, "%03d,", i);
	assert_int_equal(sb.len, strlen(expect) + 50 * 4);
	assert_int_equal(strncmp(sb.data + strlen(expect), "000,001,002,", 12), 0);
	assert_string_equal(sb.data + sb.len - 4, "049,");
	/* an empty format adds nothing */
	sb_appendf(&sb, "%s", "");
	assert_int_equal(sb.len, strlen(expect) + 200);
	sb_free(&sb);
}

static void
test_append_len_nul(void **state)
{
	strbuf sb;
	static const char bytes[] = {'a', '\0', 'b', '\0', 'c'};

	(void) state;
	sb_init(&sb);
	sb_append_len(&sb, bytes, sizeof(bytes));
	assert_int_equal(sb.len, 5);
	assert_memory_equal(sb.data, bytes, 5);
	assert_int_equal(sb.data[5], '\0');
	/* strlen sees only the first part; len keeps the truth */
	assert_int_equal(strlen(sb.data), 1);
	sb_append(&sb, "xyz");
	assert_int_equal(sb.len, 8);
	assert_memory_equal(sb.data + 5, "xyz", 4);
	sb_append_len(&sb, "ignored", 0);
	assert_int_equal(sb.len, 8);
	/* a NUL character through append_char counts too */
	sb_append_char(&sb, '\0');
	assert_int_equal(sb.len, 9);
	sb_free(&sb);
}

static void
test_reset(void **state)
{
	strbuf sb;
	size_t cap;

	(void) state;
	sb_init(&sb);
	for (int i = 0; i < 20; i++)
		sb_append(&sb, "0123456789");
	cap = sb.cap;
	assert_true(cap >= 201);
	sb_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.data, "");
	assert_int_equal(sb.cap, cap);         /* keeps its memory */
	sb_append(&sb, "again");
	assert_string_equal(sb.data, "again");
	assert_int_equal(sb.len, 5);
	sb_free(&sb);
}

static void
test_reserve(void **state)
{
	strbuf sb;
	char *before;

	(void) state;
	sb_init(&sb);
	sb_append(&sb, "ab");
	sb_reserve(&sb, 1000);
	assert_true(sb.cap >= 1003);
	assert_string_equal(sb.data, "ab");
	before = sb.data;
	/* no reallocation while within what was reserved */
	for (int i = 0; i < 100; i++)
		sb_append(&sb, "0123456789");
	assert_ptr_equal(sb.data, before);
	assert_int_equal(sb.len, 1002);
	sb_free(&sb);
}

static void
test_steal(void **state)
{
	strbuf sb;
	char *s;

	(void) state;
	sb_init(&sb);
	sb_appendf(&sb, "owned %d", 1);
	s = sb_steal(&sb);
	assert_string_equal(s, "owned 1");
	assert_null(sb.data);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.cap, 0);
	sb_free(&sb);          /* safe on a stolen buffer */
	free(s);

	/* an empty buffer steals as an empty string */
	sb_init(&sb);
	s = sb_steal(&sb);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
}

static void
test_xasprintf(void **state)
{
	char *s;
	char big[300];

	(void) state;
	s = xasprintf("%s-%d-%c", "snap", 42, 'z');
	assert_string_equal(s, "snap-42-z");
	free(s);
	s = xasprintf("%s", "");
	assert_string_equal(s, "");
	free(s);
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	s = xasprintf("<%s>%05.1f", big, 3.14159);
	assert_int_equal(strlen(s), 1 + 299 + 1 + 5);
	assert_int_equal(s[0], '<');
	assert_int_equal(s[300], '>');
	assert_string_equal(s + 301, "003.1");
	free(s);
}

static void
test_alloc_helpers(void **state)
{
	char *p;
	int *z;

	(void) state;
	p = xstrdup("copy me");
	assert_string_equal(p, "copy me");
	p = xrealloc(p, 4096);
	assert_string_equal(p, "copy me");
	free(p);
	z = xcalloc(100, sizeof(int));
	for (int i = 0; i < 100; i++)
		assert_int_equal(z[i], 0);
	free(z);
	/* zero sizes still give a pointer that can be freed */
	p = xmalloc(0);
	assert_non_null(p);
	free(p);
	p = xcalloc(0, 0);
	assert_non_null(p);
	free(p);
}

static void
test_visible(void **state)
{
	char *v;

	(void) state;
	/* newline and tab too: one line of text, which an archive cannot break into two */
	v = str_visible("db\033[31m\tb\302\205r \303\244\n");
	assert_string_equal(v, "db\\x1b[31m\\x09b\\xc2\\x85r \303\244\\x0a");
	free(v);
	/* bytes that are not UTF-8 (a raw C1 byte, a cut sequence, a surrogate); 4-byte ones kept */
	v = str_visible("a\233b\303 \355\240\200 \360\237\220\230 \340\240\200");
	assert_string_equal(v, "a\\x9bb\\xc3 \\xed\\xa0\\x80 \360\237\220\230 \340\240\200");
	free(v);
	v = str_visible("");
	assert_string_equal(v, "");
	free(v);
}

static void
test_strv(void **state)
{
	char *src[] = {"a", "", "c d"};
	char **d;

	(void) state;
	d = strv_dup(src, 3);
	assert_string_equal(d[0], "a");
	assert_string_equal(d[1], "");
	assert_string_equal(d[2], "c d");
	assert_null(d[3]);
	assert_ptr_not_equal(d[0], src[0]);
	strv_free(d, 3);
	d = strv_dup(NULL, 0);
	assert_null(d[0]);
	strv_free(d, 0);
	strv_free(NULL, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_append_growth),
		cmocka_unit_test(test_appendf_growth),
		cmocka_unit_test(test_append_len_nul),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_steal),
		cmocka_unit_test(test_xasprintf),
		cmocka_unit_test(test_alloc_helpers),
		cmocka_unit_test(test_visible),
		cmocka_unit_test(test_strv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
