/*
 * test_instant.c — unit tests for instant.c, the marker of an instant
 * snapshot: what it writes reads back the same; a marker that is not one
 * (another format, a newer version, a bad name, key or time, a missing
 * field, lenient or oversized JSON) is refused with the reason; a marker is
 * written as a new private file, never over another.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/instant.h"
#include "util/log.h"
#include "util/mem.h"

#define KEY "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void
sample(instant_marker *m)
{
	static char *settings[] = {(char *) "work_mem=7MB", (char *) "search_path=app, public"};

	memset(m, 0, sizeof(*m));
	m->name = (char *) "baseline";
	m->created_at = (time_t) 1767261600;
	m->database = (char *) "shop \"dev\"";
	m->host = (char *) "/run/postgresql";
	m->port = (char *) "5432";
	m->user = (char *) "alice";
	m->server_version = (char *) "15.18";
	m->server_version_num = 150018;
	m->template_db = (char *) "db_tools_cache_0123456789abcdef";
	memcpy(m->key, KEY, sizeof(m->key));
	m->bytes = 123456789012;
	m->git_branch = (char *) "feature/x";
	m->db_settings = settings;
	m->n_db_settings = 2;
	m->db_comment = (char *) "the shop";
}

static void
test_round_trip(void **state)
{
	instant_marker m, back;
	char err[256];
	char *text;

	(void) state;
	sample(&m);
	text = instant_to_json(&m);
	assert_int_equal(instant_from_json(text, strlen(text), &back, err, sizeof(err)), 0);
	assert_string_equal(back.name, "baseline");
	assert_int_equal(back.created_at, m.created_at);
	assert_string_equal(back.database, "shop \"dev\"");
	assert_string_equal(back.host, "/run/postgresql");
	assert_string_equal(back.port, "5432");
	assert_string_equal(back.user, "alice");
	assert_string_equal(back.server_version, "15.18");
	assert_int_equal(back.server_version_num, 150018);
	assert_string_equal(back.template_db, m.template_db);
	assert_string_equal(back.key, KEY);
	assert_int_equal(back.bytes, 123456789012);
	assert_string_equal(back.git_branch, "feature/x");
	assert_null(back.git_commit);
	assert_int_equal(back.n_db_settings, 2);
	assert_string_equal(back.db_settings[1], "search_path=app, public");
	assert_string_equal(back.db_comment, "the shop");
	instant_free(&back);
	free(text);
	/* without the optional fields */
	sample(&m);
	m.host = NULL;
	m.git_branch = NULL;
	m.n_db_settings = 0;
	m.db_comment = NULL;
	text = instant_to_json(&m);
	assert_int_equal(instant_from_json(text, strlen(text), &back, err, sizeof(err)), 0);
	assert_null(back.host);
	assert_null(back.db_comment);
	assert_int_equal(back.n_db_settings, 0);
	instant_free(&back);
	free(text);
}

/* The sample's JSON with from replaced by to (which must occur). */
static char *
edited(const char *from, const char *to)
{
	instant_marker m;
	char *text, *at, *out;

	sample(&m);
	text = instant_to_json(&m);
	at = strstr(text, from);
	if (!at)
		fail_msg("\"%s\" is not in the marker: %s", from, text);
	out = xasprintf("%.*s%s%s", (int) (at - text), text, to, at + strlen(from));
	free(text);
	return out;
}

static void
expect_refused(const char *from, const char *to, const char *reason)
{
	instant_marker m;
	char err[256] = "";
	char *text = edited(from, to);

	if (instant_from_json(text, strlen(text), &m, err, sizeof(err)) == 0)
		fail_msg("accepted with \"%s\" as \"%s\"", from, to);
	if (!strstr(err, reason))
		fail_msg("refused for \"%s\", not \"%s\"", err, reason);
	free(text);
}

static void
test_refused(void **state)
{
	instant_marker m;
	char err[256];
	char *big;

	(void) state;
	expect_refused("\"db-tools-instant\"", "\"db-tools-archive\"", "not an instant snapshot's marker");
	expect_refused("\"format_version\": 1", "\"format_version\": 2", "newer than this version reads");
	expect_refused("\"format_version\": 1", "\"format_version\": \"1\"", "not an integer");
	expect_refused("\"name\": \"baseline\"", "\"name\": \"../x\"", "invalid name");
	expect_refused("\"name\": \"baseline\"", "\"name\": null", "field \"name\" is missing");
	expect_refused("\"created_at\": \"2026-01-01T10:00:00Z\"", "\"created_at\": \"yesterday\"", "ISO 8601");
	expect_refused("\"key\": \"0123", "\"key\": \"X123", "64 lower-case hex digits");
	expect_refused("\"key\": \"0123", "\"key\": \"0123A", "64 lower-case hex digits");
	expect_refused("\"user\": \"alice\"", "\"user\": 7", "not a string");
	expect_refused("\"bytes\": 123456789012", "\"bytes\": -1", "out of range");
	expect_refused("\"server\": {", "\"server\": 1, \"x\": {", "\"server\" is missing or not an object");
	expect_refused("\"database_settings\": [", "\"database_settings\": [ 1, ", "something other than a string");
	/* lenient JSON: a trailing comma, a duplicate key */
	expect_refused("\"bytes\": 123456789012", "\"bytes\": 123456789012, ", "");
	expect_refused("\"bytes\": 123456789012", "\"bytes\": 1, \"bytes\": 2", "");
	assert_int_equal(instant_from_json("[]", 2, &m, err, sizeof(err)), -1);
	assert_int_equal(instant_from_json("", 0, &m, err, sizeof(err)), -1);
	big = xcalloc(INSTANT_MAX_BYTES + 2, 1);
	memset(big, ' ', INSTANT_MAX_BYTES + 1);
	assert_int_equal(instant_from_json(big, INSTANT_MAX_BYTES + 1, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too large"));
	free(big);
}

static void
test_write_read(void **state)
{
	char dir[] = "/tmp/db-tools-unit-instant-XXXXXX";
	instant_marker m, back;
	struct stat st;
	char *path, *partial;

	(void) state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/20260101-100000_baseline.instant", dir);
	partial = xasprintf("%s.partial", path);
	sample(&m);
	assert_int_equal(instant_write(path, &m), DBT_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_not_equal(access(partial, F_OK), 0);
	assert_int_equal(instant_read(path, &back), DBT_OK);
	assert_string_equal(back.key, KEY);
	instant_free(&back);
	/* never over another marker */
	m.name = (char *) "other";
	assert_int_equal(instant_write(path, &m), DBT_FAILED);
	assert_int_equal(instant_read(path, &back), DBT_OK);
	assert_string_equal(back.name, "baseline");
	instant_free(&back);
	assert_int_not_equal(access(partial, F_OK), 0);
	/* not a marker: an integrity failure; not there: a failure */
	assert_int_equal(unlink(path), 0);
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs("{\"format\": \"db-tools-instant\"}", f);
		fclose(f);
	}
	assert_int_equal(instant_read(path, &back), DBT_INTEGRITY);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(instant_read(path, &back), DBT_FAILED);
	assert_true(instant_is_marker("20260101-100000_baseline.instant"));
	assert_false(instant_is_marker(".instant"));
	assert_false(instant_is_marker("x.instant.partial"));
	assert_int_equal(rmdir(dir), 0);
	free(path);
	free(partial);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_write_read),
	};

	log_set_level(LOG_LEVEL_SILENT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
