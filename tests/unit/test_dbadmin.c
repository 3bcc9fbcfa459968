/*
 * test_dbadmin.c — unit tests for the parts of dbadmin.c that need no
 * server: database name validation, names derived within 63 bytes, and the
 * CREATE DATABASE statement for each locale provider and server version,
 * and ALTER DATABASE ... SET for the settings pg_db_role_setting holds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "pg/dbadmin.h"

static void
test_name_problem(void **state)
{
	char long_name[80];

	(void) state;
	memset(long_name, 'a', 64);
	long_name[64] = '\0';
	assert_non_null(dbadmin_name_problem(""));
	assert_non_null(dbadmin_name_problem(NULL));
	assert_non_null(dbadmin_name_problem(long_name));
	long_name[63] = '\0';
	assert_null(dbadmin_name_problem(long_name));
	assert_null(dbadmin_name_problem("my app; DROP"));
}

static void
test_derived_short(void **state)
{
	char *n = dbadmin_derived_name("shop", "__pre_20261122-101500");

	(void) state;
	assert_string_equal(n, "shop__pre_20261122-101500");
	free(n);
}

static void
test_derived_long_ascii(void **state)
{
	char base[64];
	char *n;

	(void) state;
	memset(base, 'b', 63);
	base[63] = '\0';
	n = dbadmin_derived_name(base, "__pre_20261122-101500");
	assert_int_equal(strlen(n), DBA_NAME_MAX);
	assert_string_equal(n + DBA_NAME_MAX - 21, "__pre_20261122-101500");
	free(n);
}

static void
test_derived_keeps_utf8_whole(void **state)
{
	/* 20 two-byte characters (40 bytes) + a 30-byte suffix: 33 bytes of base fit, 32 are kept */
	char base[64] = "";
	const char *suffix = "__restoring_20261122-101500_99";
	char *n;

	(void) state;
	for (int i = 0; i < 20; i++)
		strcat(base, "\xc3\xa9");
	n = dbadmin_derived_name(base, suffix);
	assert_true(strlen(n) <= DBA_NAME_MAX);
	assert_int_equal(strlen(n) - strlen(suffix), 32);
	assert_string_equal(n + 32, suffix);
	free(n);
}

static void
test_create_sql(void **state)
{
	static const dbadmin_locale libc = {"UTF8", "en_US.UTF-8", "C", "libc", NULL, NULL};
	static const dbadmin_locale icu = {"UTF8", "C.UTF-8", "C.UTF-8", "icu", "sv-SE", NULL};
	static const dbadmin_locale rules = {"UTF8", "C", "C", "icu", "und", "&a < 'b'"};
	static const dbadmin_locale builtin = {"UTF8", "C.UTF-8", "C.UTF-8", "builtin", "C.UTF-8", NULL};
	static const dbadmin_locale old = {"LATIN1", "de_DE", "de_DE", NULL, NULL, NULL};
	static const dbadmin_locale enc = {.encoding = "UTF8"};
	static const struct {
		const char *template;
		const dbadmin_locale *loc;
		int version;
		const char *want;        /* after CREATE DATABASE "new db" TEMPLATE */
	} cases[] = {
		{"tmpl", &icu, 150000, "\"tmpl\" STRATEGY FILE_COPY"},
		/* before 15 every clone is a file copy, and STRATEGY does not exist */
		{"tmpl", NULL, 140010, "\"tmpl\""},
		{"tmpl", NULL, 130023, "\"tmpl\""},
		{NULL, NULL, 150000, "template0"},
		{NULL, &enc, 150000, "template0 ENCODING 'UTF8'"},
		/* an archive from before the provider was recorded: the server's default provider */
		{NULL, &old, 150000, "template0 ENCODING 'LATIN1' LC_COLLATE 'de_DE' LC_CTYPE 'de_DE'"},
		{NULL, &libc, 150000,
		    "template0 ENCODING 'UTF8' LC_COLLATE 'en_US.UTF-8' LC_CTYPE 'C' LOCALE_PROVIDER 'libc'"},
		/* before 15 libc is the only provider, and the option does not exist */
		{NULL, &libc, 140010, "template0 ENCODING 'UTF8' LC_COLLATE 'en_US.UTF-8' LC_CTYPE 'C'"},
		{NULL, &icu, 150018, "template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
		    " LOCALE_PROVIDER 'icu' ICU_LOCALE 'sv-SE'"},
		/* asked for on 14 too, for the server to refuse */
		{NULL, &icu, 140010, "template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
		    " LOCALE_PROVIDER 'icu' ICU_LOCALE 'sv-SE'"},
		{NULL, &rules, 160000, "template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
		    " LOCALE_PROVIDER 'icu' ICU_LOCALE 'und' ICU_RULES '&a < ''b'''"},
		{NULL, &builtin, 170000, "template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
		    " LOCALE_PROVIDER 'builtin' BUILTIN_LOCALE 'C.UTF-8'"},
	};

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strbuf sql, want;

		sb_init(&sql);
		sb_init(&want);
		sb_appendf(&want, "CREATE DATABASE \"new db\" TEMPLATE %s", cases[i].want);
		dbadmin_create_sql(&sql, "new db", cases[i].template, cases[i].loc, cases[i].version);
		assert_string_equal(sql.data, want.data);
		sb_free(&sql);
		sb_free(&want);
	}
}

static void
test_setting_sql(void **state)
{
	static const struct {
		const char *setting;
		const char *want;        /* after ALTER DATABASE "db" SET; NULL: refused */
	} cases[] = {
		{"work_mem=8MB", "\"work_mem\" TO '8MB'"},
		{"TimeZone=Asia/Tokyo", "\"TimeZone\" TO 'Asia/Tokyo'"},
		{"myapp.flag=it's on", "\"myapp.flag\" TO 'it''s on'"},
		{"statement_timeout=", "\"statement_timeout\" TO ''"},
		{"x=a=b", "\"x\" TO 'a=b'"},
		/* lists, element by element, as pg_dump writes them */
		{"search_path=\"$user\", public", "\"search_path\" TO '$user', 'public'"},
		{"search_path=app, \"My \"\"Schema\"\"\",public",
		    "\"search_path\" TO 'app', 'My \"Schema\"', 'public'"},
		{"SEARCH_PATH=\"\"", "\"SEARCH_PATH\" TO ''"},
		{"temp_tablespaces=fast", "\"temp_tablespaces\" TO 'fast'"},
		/* a list that does not parse goes as one literal */
		{"search_path=\"open", "\"search_path\" TO '\"open'"},
		{"search_path=a,", "\"search_path\" TO 'a,'"},
		{"search_path=a b", "\"search_path\" TO 'a b'"},
		{"no equals sign", NULL},
		{"=value", NULL},
	};

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strbuf sql, want;

		sb_init(&sql);
		sb_init(&want);
		if (!cases[i].want) {
			assert_int_equal(dbadmin_setting_sql(&sql, "db", cases[i].setting), -1);
			assert_int_equal(sql.len, 0);
		} else {
			sb_appendf(&want, "ALTER DATABASE \"db\" SET %s", cases[i].want);
			assert_int_equal(dbadmin_setting_sql(&sql, "db", cases[i].setting), 0);
			assert_string_equal(sql.data, want.data);
		}
		sb_free(&sql);
		sb_free(&want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_problem),
		cmocka_unit_test(test_derived_short),
		cmocka_unit_test(test_derived_long_ascii),
		cmocka_unit_test(test_derived_keeps_utf8_whole),
		cmocka_unit_test(test_create_sql),
		cmocka_unit_test(test_setting_sql),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
