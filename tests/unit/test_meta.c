/*
 * test_meta.c — unit tests for meta.c: building a snapshot description,
 * totals, JSON serialisation and the validating parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"
#include "archive/meta.h"
#include "util/strbuf.h"

/* 2026-11-22T03:10:24Z */
#define T_SAMPLE ((time_t) 1795317024)

/* ---- building a description in memory ---- */

static void
set_sha(char out[HASH_HEX_LEN + 1], const char *seed)
{
	hash_hex_of(seed, strlen(seed), out);
}

static void
set_member(meta_member *mm, const char *member, int64_t rows, int64_t raw, int64_t stored)
{
	mm->member = xstrdup(member);
	mm->rows = rows;
	mm->raw_bytes = raw;
	mm->stored_bytes = stored;
	set_sha(mm->sha256, member);
}

/*
 * Two tables (the second with two members), a column name with a double
 * quote, two sequences (one negative and not called), one large object.
 * git and migration only when asked for.
 */
static void
build_meta(meta_doc *m, bool with_git, bool with_migration)
{
	meta_table *t;

	memset(m, 0, sizeof(*m));
	m->format_version = META_FORMAT_VERSION;
	m->tool_version = xstrdup("0.1.0");
	m->name = xstrdup("before-payments");
	m->created_at = T_SAMPLE;
	m->duration_seconds = 12.25;
	m->src_database = xstrdup("app_dev");
	m->src_host = xstrdup("localhost");
	m->src_port = xstrdup("5432");
	m->src_user = xstrdup("alice");
	m->server_version = xstrdup("15.18 (Debian 15.18-0+deb12u1)");
	m->server_version_num = 150018;
	m->pg_dump_version = xstrdup("15.18");
	m->encoding = xstrdup("UTF8");
	m->lc_collate = xstrdup("en_US.UTF-8");
	m->lc_ctype = xstrdup("C");
	m->locale_provider = xstrdup("icu");
	m->provider_locale = xstrdup("sv-SE");
	m->codec = xstrdup("gzip");
	m->compression_level = 6;
	if (with_git) {
		m->git_branch = xstrdup("feature/PAY-12");
		m->git_commit = xstrdup("0123456789abcdef0123456789abcdef01234567");
	}
	if (with_migration) {
		m->migration_table = xstrdup("public.schema_migrations");
		m->migration_head = xstrdup("20261101120000_add_payments");
	}
	m->pre_data.member = xstrdup("schema/pre-data.sql");
	m->pre_data.bytes = 4321;
	set_sha(m->pre_data.sha256, "pre");
	m->post_data.member = xstrdup("schema/post-data.sql");
	m->post_data.bytes = 876;
	set_sha(m->post_data.sha256, "post");

	m->n_tables = 2;
	m->tables = xcalloc(2, sizeof(meta_table));
	t = &m->tables[0];
	t->schema = xstrdup("public");
	t->name = xstrdup("users");
	t->kind = xstrdup("table");
	t->n_columns = 3;
	t->columns = xcalloc(4, sizeof(char *));
	t->columns[0] = xstrdup("id");
	t->columns[1] = xstrdup("we\"ird name");
	t->columns[2] = xstrdup("email");
	t->n_members = 1;
	t->members = xcalloc(1, sizeof(meta_member));
	set_member(&t->members[0], "data/0000_public.users.copy.gz", 3, 100, 60);

	t = &m->tables[1];
	t->schema = xstrdup("Sales");
	t->name = xstrdup("orders_2026");
	t->kind = xstrdup("partition");
	t->n_columns = 1;
	t->columns = xcalloc(2, sizeof(char *));
	t->columns[0] = xstrdup("id");
	t->n_members = 2;
	t->members = xcalloc(2, sizeof(meta_member));
	set_member(&t->members[0], "data/0001_sales.orders_2026.1.copy.gz", 10, 1000, 300);
	set_member(&t->members[1], "data/0001_sales.orders_2026.2.copy.gz", 5, 500, 150);

	m->n_sequences = 2;
	m->sequences = xcalloc(2, sizeof(meta_sequence));
	m->sequences[0].schema = xstrdup("public");
	m->sequences[0].name = xstrdup("users_id_seq");
	m->sequences[0].last_value = 42;
	m->sequences[0].is_called = true;
	m->sequences[1].schema = xstrdup("Sales");
	m->sequences[1].name = xstrdup("countdown");
	m->sequences[1].last_value = -9000000000LL;
	m->sequences[1].is_called = false;

	m->n_los = 1;
	m->los = xcalloc(1, sizeof(meta_lo));
	m->los[0].oid = 4000000000u;
	m->los[0].member = xstrdup("large-objects/4000000000.gz");
	m->los[0].bytes = 5000;
	m->los[0].stored_bytes = 2000;
	set_sha(m->los[0].sha256, "lo");

	meta_sum_tables(m);
}

static void
assert_str_or_null(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void
assert_meta_equal(const meta_doc *a, const meta_doc *b)
{
	assert_int_equal(a->format_version, b->format_version);
	assert_string_equal(a->tool_version, b->tool_version);
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->created_at, b->created_at);
	assert_true(a->duration_seconds > b->duration_seconds - 0.0005 &&
	    a->duration_seconds < b->duration_seconds + 0.0005);
	assert_str_or_null(a->src_database, b->src_database);
	assert_str_or_null(a->src_host, b->src_host);
	assert_str_or_null(a->src_port, b->src_port);
	assert_str_or_null(a->src_user, b->src_user);
	assert_string_equal(a->server_version, b->server_version);
	assert_int_equal(a->server_version_num, b->server_version_num);
	assert_string_equal(a->pg_dump_version, b->pg_dump_version);
	assert_string_equal(a->encoding, b->encoding);
	assert_string_equal(a->lc_collate, b->lc_collate);
	assert_string_equal(a->lc_ctype, b->lc_ctype);
	assert_str_or_null(a->locale_provider, b->locale_provider);
	assert_str_or_null(a->provider_locale, b->provider_locale);
	assert_str_or_null(a->icu_rules, b->icu_rules);
	assert_int_equal(a->n_db_settings, b->n_db_settings);
	for (size_t i = 0; i < a->n_db_settings; i++)
		assert_string_equal(a->db_settings[i], b->db_settings[i]);
	assert_str_or_null(a->db_comment, b->db_comment);
	assert_string_equal(a->codec, b->codec);
	assert_int_equal(a->compression_level, b->compression_level);
	assert_str_or_null(a->git_branch, b->git_branch);
	assert_str_or_null(a->git_commit, b->git_commit);
	assert_str_or_null(a->migration_table, b->migration_table);
	assert_str_or_null(a->migration_head, b->migration_head);

	assert_string_equal(a->pre_data.member, b->pre_data.member);
	assert_int_equal(a->pre_data.bytes, b->pre_data.bytes);
	assert_string_equal(a->pre_data.sha256, b->pre_data.sha256);
	assert_string_equal(a->post_data.member, b->post_data.member);
	assert_int_equal(a->post_data.bytes, b->post_data.bytes);
	assert_string_equal(a->post_data.sha256, b->post_data.sha256);

	assert_int_equal(a->n_tables, b->n_tables);
	for (size_t i = 0; i < a->n_tables; i++) {
		const meta_table *ta = &a->tables[i], *tb = &b->tables[i];

		assert_string_equal(ta->schema, tb->schema);
		assert_string_equal(ta->name, tb->name);
		assert_string_equal(ta->kind, tb->kind);
		assert_int_equal(ta->n_columns, tb->n_columns);
		for (size_t c = 0; c < ta->n_columns; c++)
			assert_string_equal(ta->columns[c], tb->columns[c]);
		assert_int_equal(ta->rows, tb->rows);
		assert_int_equal(ta->raw_bytes, tb->raw_bytes);
		assert_int_equal(ta->stored_bytes, tb->stored_bytes);
		assert_int_equal(ta->n_members, tb->n_members);
		for (size_t j = 0; j < ta->n_members; j++) {
			assert_string_equal(ta->members[j].member, tb->members[j].member);
			assert_int_equal(ta->members[j].rows, tb->members[j].rows);
			assert_int_equal(ta->members[j].raw_bytes, tb->members[j].raw_bytes);
			assert_int_equal(ta->members[j].stored_bytes, tb->members[j].stored_bytes);
			assert_string_equal(ta->members[j].sha256, tb->members[j].sha256);
		}
	}
	assert_int_equal(a->n_sequences, b->n_sequences);
	for (size_t i = 0; i < a->n_sequences; i++) {
		assert_string_equal(a->sequences[i].schema, b->sequences[i].schema);
		assert_string_equal(a->sequences[i].name, b->sequences[i].name);
		assert_true(a->sequences[i].last_value == b->sequences[i].last_value);
		assert_int_equal(a->sequences[i].is_called, b->sequences[i].is_called);
	}
	assert_int_equal(a->n_los, b->n_los);
	for (size_t i = 0; i < a->n_los; i++) {
		assert_int_equal(a->los[i].oid, b->los[i].oid);
		assert_string_equal(a->los[i].member, b->los[i].member);
		assert_int_equal(a->los[i].bytes, b->los[i].bytes);
		assert_int_equal(a->los[i].stored_bytes, b->los[i].stored_bytes);
		assert_string_equal(a->los[i].sha256, b->los[i].sha256);
	}
}

/* ---- sums and totals ---- */

static void
test_sum_tables(void **state)
{
	meta_doc m;

	(void) state;
	build_meta(&m, false, false);
	assert_int_equal(m.tables[0].rows, 3);
	assert_int_equal(m.tables[0].raw_bytes, 100);
	assert_int_equal(m.tables[0].stored_bytes, 60);
	assert_int_equal(m.tables[1].rows, 15);
	assert_int_equal(m.tables[1].raw_bytes, 1500);
	assert_int_equal(m.tables[1].stored_bytes, 450);

	/* sums are recomputed, not accumulated onto stale values */
	m.tables[1].rows = 999;
	m.tables[1].members[1].rows = 7;
	meta_sum_tables(&m);
	assert_int_equal(m.tables[1].rows, 17);
	meta_free(&m);
}

static void
test_totals(void **state)
{
	meta_doc m;
	meta_totals t;

	(void) state;
	build_meta(&m, false, false);
	meta_totals_of(&m, &t);
	assert_int_equal(t.tables, 2);
	assert_int_equal(t.rows, 18);
	/* large objects count towards the bytes but not the rows */
	assert_int_equal(t.raw_bytes, 100 + 1500 + 5000);
	assert_int_equal(t.stored_bytes, 60 + 450 + 2000);
	assert_int_equal(t.large_objects, 1);
	meta_free(&m);

	memset(&m, 0, sizeof(m));
	meta_totals_of(&m, &t);
	assert_int_equal(t.tables, 0);
	assert_int_equal(t.rows, 0);
	assert_int_equal(t.raw_bytes, 0);
	assert_int_equal(t.large_objects, 0);
}

/* ---- serialisation ---- */

static void
round_trip(bool with_git, bool with_migration)
{
	meta_doc m, back;
	char err[256];
	char *json, *again;

	build_meta(&m, with_git, with_migration);
	json = meta_to_json(&m);
	assert_non_null(json);
	assert_int_equal(json[strlen(json) - 1], '\n');
	assert_int_equal(meta_from_json(json, strlen(json), &back, err, sizeof(err)), META_OK);
	assert_string_equal(err, "");
	assert_meta_equal(&m, &back);
	/* and serialising the parsed copy gives the same bytes */
	again = meta_to_json(&back);
	assert_string_equal(again, json);
	free(again);
	free(json);
	meta_free(&back);
	meta_free(&m);
}

static void
test_round_trip_plain(void **state)
{
	(void) state;
	round_trip(false, false);
}

static void
test_round_trip_git_migration(void **state)
{
	(void) state;
	round_trip(true, true);
}

static void
test_round_trip_partial(void **state)
{
	meta_doc m, back;
	char err[256];
	char *json;

	(void) state;
	/* detached HEAD (no branch), a migration table with no head yet, no host/port/user */
	build_meta(&m, false, false);
	m.git_commit = xstrdup("89abcdef");
	m.migration_table = xstrdup("schema_migrations");
	free(m.src_host);
	free(m.src_port);
	free(m.src_user);
	m.src_host = m.src_port = m.src_user = NULL;
	json = meta_to_json(&m);
	assert_int_equal(meta_from_json(json, strlen(json), &back, err, sizeof(err)), META_OK);
	assert_null(back.git_branch);
	assert_string_equal(back.git_commit, "89abcdef");
	assert_string_equal(back.migration_table, "schema_migrations");
	assert_null(back.migration_head);
	assert_null(back.src_host);
	assert_meta_equal(&m, &back);
	free(json);
	meta_free(&back);
	meta_free(&m);
}

static void
test_round_trip_locales(void **state)
{
	meta_doc m, back;
	char err[256];
	char *json;

	(void) state;
	/* ICU with rules */
	build_meta(&m, false, false);
	m.icu_rules = xstrdup("&a < b");
	json = meta_to_json(&m);
	assert_int_equal(meta_from_json(json, strlen(json), &back, err, sizeof(err)), META_OK);
	assert_string_equal(back.locale_provider, "icu");
	assert_string_equal(back.provider_locale, "sv-SE");
	assert_string_equal(back.icu_rules, "&a < b");
	free(json);
	meta_free(&back);
	/* libc: the provider is written, its locale and rules as null */
	free(m.locale_provider);
	free(m.provider_locale);
	free(m.icu_rules);
	m.locale_provider = xstrdup("libc");
	m.provider_locale = m.icu_rules = NULL;
	json = meta_to_json(&m);
	assert_non_null(strstr(json, "\"locale_provider\": \"libc\""));
	assert_non_null(strstr(json, "\"provider_locale\": null"));
	assert_int_equal(meta_from_json(json, strlen(json), &back, err, sizeof(err)), META_OK);
	assert_meta_equal(&m, &back);
	free(json);
	meta_free(&back);
	meta_free(&m);
}

static void
test_round_trip_db_properties(void **state)
{
	meta_doc m, back;
	char err[256];
	char *json;

	(void) state;
	build_meta(&m, false, false);
	m.n_db_settings = 2;
	m.db_settings = xcalloc(3, sizeof(char *));
	m.db_settings[0] = xstrdup("search_path=app, \"$user\"");
	m.db_settings[1] = xstrdup("TimeZone=UTC");
	m.db_comment = xstrdup("the app's \"dev\" database");
	json = meta_to_json(&m);
	assert_int_equal(meta_from_json(json, strlen(json), &back, err, sizeof(err)), META_OK);
	assert_int_equal(back.n_db_settings, 2);
	assert_string_equal(back.db_settings[0], "search_path=app, \"$user\"");
	assert_string_equal(back.db_settings[1], "TimeZone=UTC");
	assert_null(back.db_settings[2]);
	assert_string_equal(back.db_comment, "the app's \"dev\" database");
	assert_meta_equal(&m, &back);
	free(json);
	meta_free(&back);
	meta_free(&m);
}

static void
test_json_content(void **state)
{
	meta_doc m;
	json_object *root, *v, *o;
	char *json;

	(void) state;
	build_meta(&m, false, false);
	json = meta_to_json(&m);
	assert_null(strstr(json, "password"));
	assert_null(strstr(json, "PASSWORD"));
	assert_non_null(strstr(json, "\"created_at\": \"2026-11-22T03:10:24Z\""));
	assert_non_null(strstr(json, "\"format\": \"db-tools-snapshot\""));
	/* no escaped slashes in member names */
	assert_non_null(strstr(json, "\"schema/pre-data.sql\""));

	root = json_tokener_parse(json);
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "git", &v));
	assert_null(v);
	assert_true(json_object_object_get_ex(root, "migration", &v));
	assert_null(v);
	assert_true(json_object_object_get_ex(root, "format_version", &v));
	assert_int_equal(json_object_get_int(v), META_FORMAT_VERSION);
	assert_true(json_object_object_get_ex(root, "totals", &o));
	assert_true(json_object_object_get_ex(o, "rows", &v));
	assert_int_equal(json_object_get_int64(v), 18);
	assert_true(json_object_object_get_ex(o, "raw_bytes", &v));
	assert_int_equal(json_object_get_int64(v), 6600);
	assert_true(json_object_object_get_ex(o, "large_objects", &v));
	assert_int_equal(json_object_get_int64(v), 1);
	json_object_put(root);
	free(json);
	meta_free(&m);
}

/* ---- rejections ---- */

/*
 * Edit the JSON document of a valid description: at path (dot-separated,
 * numbers index arrays) put value (JSON text; "null" for null) or, when
 * value is NULL, remove the key.
 */
static char *
edited_json(bool with_git, bool with_migration, const char *path, const char *value)
{
	meta_doc m;
	char *json, *out, *copy, *seg, *next;
	json_object *root, *cur;

	build_meta(&m, with_git, with_migration);
	json = meta_to_json(&m);
	meta_free(&m);
	root = json_tokener_parse(json);
	free(json);
	assert_non_null(root);

	copy = xstrdup(path);
	cur = root;
	seg = copy;
	while ((next = strchr(seg, '.')) != NULL) {
		*next = '\0';
		if (json_object_is_type(cur, json_type_array))
			cur = json_object_array_get_idx(cur, (size_t) atoi(seg));
		else if (!json_object_object_get_ex(cur, seg, &cur))
			cur = NULL;
		if (!cur)
			fail_msg("path %s not found at %s", path, seg);
		seg = next + 1;
	}
	if (json_object_is_type(cur, json_type_array)) {
		json_object *nv = json_tokener_parse(value);

		assert_non_null(value);
		json_object_array_put_idx(cur, (size_t) atoi(seg), nv);
	} else if (!value) {
		if (!json_object_object_get_ex(cur, seg, NULL))
			fail_msg("key %s not present", path);
		json_object_object_del(cur, seg);
	} else {
		json_object *nv = json_tokener_parse(value);

		if (!nv && strcmp(value, "null") != 0)
			fail_msg("bad test value %s", value);
		json_object_object_add(cur, seg, nv);
	}
	out = xstrdup(json_object_to_json_string(root));
	json_object_put(root);
	free(copy);
	return out;
}

static int
parse_text(const char *json, meta_doc *m, char *err, size_t errsize)
{
	return meta_from_json(json, strlen(json), m, err, errsize);
}

static void
expect_result(const char *json, int want, const char *what)
{
	meta_doc m;
	char err[256];
	int rc = parse_text(json, &m, err, sizeof(err));

	if (rc != want)
		fail_msg("%s: got %d, wanted %d (err \"%s\")", what, rc, want, err);
	if (want != META_OK) {
		if (err[0] == '\0')
			fail_msg("%s: no error message", what);
		/* on failure nothing is left allocated */
		assert_null(m.name);
		assert_null(m.tables);
		assert_int_equal(m.n_tables, 0);
	}
	meta_free(&m);
}

static void
expect_edit(const char *path, const char *value, int want)
{
	char *json = edited_json(true, true, path, value);
	char what[1024];

	snprintf(what, sizeof(what), "%s = %s", path, value ? value : "(removed)");
	expect_result(json, want, what);
	free(json);
}

static void
test_reject_not_json(void **state)
{
	(void) state;
	expect_result("", META_INVALID, "empty");
	expect_result("not json", META_INVALID, "text");
	expect_result("{\"format\": \"db-tools-snapshot\"", META_INVALID, "unterminated");
	expect_result("[1, 2]", META_INVALID, "array");
	expect_result("\"db-tools-snapshot\"", META_INVALID, "string");
	expect_result("{}", META_INVALID, "empty object");
}

static void
test_reject_truncated(void **state)
{
	meta_doc m, back;
	char err[256];
	char *json;

	(void) state;
	build_meta(&m, true, true);
	json = meta_to_json(&m);
	/* the same bytes cut short */
	assert_int_equal(meta_from_json(json, strlen(json) / 2, &back, err, sizeof(err)), META_INVALID);
	assert_true(err[0] != '\0');
	assert_int_equal(meta_from_json(json, 1, &back, err, sizeof(err)), META_INVALID);
	assert_int_equal(meta_from_json(json, strlen(json), &back, err, sizeof(err)), META_OK);
	meta_free(&back);
	free(json);
	meta_free(&m);
}

static void
test_reject_format(void **state)
{
	(void) state;
	expect_edit("format", "\"pg_dump\"", META_INVALID);
	expect_edit("format", "\"DB-TOOLS-SNAPSHOT\"", META_INVALID);
	expect_edit("format", "1", META_INVALID);
	expect_edit("format", NULL, META_INVALID);
	expect_edit("format_version", "4", META_TOO_NEW);
	expect_edit("format_version", "2", META_OK);
	expect_edit("format_version", "1", META_OK);
	expect_edit("format_version", "1000", META_TOO_NEW);
	expect_edit("format_version", "0", META_INVALID);
	expect_edit("format_version", "-1", META_INVALID);
	expect_edit("format_version", "\"1\"", META_INVALID);
	expect_edit("format_version", "1.5", META_INVALID);
	expect_edit("format_version", NULL, META_INVALID);
}

static void
test_too_new_message(void **state)
{
	meta_doc m;
	char err[256];
	char *json = edited_json(false, false, "format_version", "4");

	(void) state;
	assert_int_equal(parse_text(json, &m, err, sizeof(err)), META_TOO_NEW);
	assert_non_null(strstr(err, "newer"));
	meta_free(&m);
	free(json);
}

static void
test_reject_missing(void **state)
{
	(void) state;
	expect_edit("name", NULL, META_INVALID);
	expect_edit("tool_version", NULL, META_INVALID);
	expect_edit("created_at", NULL, META_INVALID);
	expect_edit("duration_seconds", NULL, META_INVALID);
	expect_edit("source", NULL, META_INVALID);
	expect_edit("source.database", NULL, META_INVALID);
	expect_edit("source.host", NULL, META_INVALID);
	expect_edit("server_version_num", NULL, META_INVALID);
	expect_edit("codec", NULL, META_INVALID);
	expect_edit("git", NULL, META_INVALID);
	expect_edit("migration", NULL, META_INVALID);
	expect_edit("migration.table", NULL, META_INVALID);
	expect_edit("schema", NULL, META_INVALID);
	expect_edit("schema.post_data", NULL, META_INVALID);
	expect_edit("schema.pre_data.sha256", NULL, META_INVALID);
	expect_edit("tables", NULL, META_INVALID);
	expect_edit("tables.1.columns", NULL, META_INVALID);
	expect_edit("tables.1.members.1.rows", NULL, META_INVALID);
	expect_edit("tables.0.stored_bytes", NULL, META_INVALID);
	expect_edit("sequences", NULL, META_INVALID);
	expect_edit("sequences.1.is_called", NULL, META_INVALID);
	expect_edit("sequences.0.last_value", NULL, META_INVALID);
	expect_edit("large_objects", NULL, META_INVALID);
	expect_edit("large_objects.0.oid", NULL, META_INVALID);
	/* totals are derived; a reader does not need them */
	expect_edit("totals", NULL, META_OK);
}

static void
test_reject_wrong_types(void **state)
{
	(void) state;
	expect_edit("name", "5", META_INVALID);
	expect_edit("name", "null", META_INVALID);
	expect_edit("name", "\".hidden\"", META_INVALID);
	expect_edit("tool_version", "[\"0.1.0\"]", META_INVALID);
	expect_edit("duration_seconds", "\"12.5\"", META_INVALID);
	expect_edit("source", "\"app_dev\"", META_INVALID);
	expect_edit("source.database", "null", META_INVALID);
	expect_edit("source.host", "5432", META_INVALID);
	expect_edit("server_version_num", "\"150018\"", META_INVALID);
	expect_edit("server_version_num", "-1", META_INVALID);
	expect_edit("compression_level", "100", META_INVALID);
	expect_edit("compression_level", "6.0", META_INVALID);
	expect_edit("git", "\"main\"", META_INVALID);
	expect_edit("git.branch", "7", META_INVALID);
	expect_edit("migration", "[]", META_INVALID);
	expect_edit("migration.table", "null", META_INVALID);
	expect_edit("schema.pre_data", "\"schema/pre-data.sql\"", META_INVALID);
	expect_edit("schema.pre_data.bytes", "-1", META_INVALID);
	expect_edit("tables", "{}", META_INVALID);
	expect_edit("tables.0", "\"users\"", META_INVALID);
	expect_edit("tables.0.columns", "[\"id\", 2]", META_INVALID);
	expect_edit("tables.0.columns", "\"id\"", META_INVALID);
	expect_edit("tables.0.rows", "\"3\"", META_INVALID);
	expect_edit("tables.1.members.0", "\"data/x.gz\"", META_INVALID);
	expect_edit("tables.1.members.0.rows", "-1", META_INVALID);
	expect_edit("tables.1.members.1.raw_bytes", "1.5", META_INVALID);
	expect_edit("sequences.0", "42", META_INVALID);
	expect_edit("sequences.0.is_called", "\"true\"", META_INVALID);
	expect_edit("sequences.0.is_called", "1", META_INVALID);
	expect_edit("sequences.0.last_value", "\"42\"", META_INVALID);
	expect_edit("large_objects.0.oid", "0", META_INVALID);
	expect_edit("large_objects.0.oid", "4294967296", META_INVALID);
	expect_edit("large_objects.0", "[]", META_INVALID);
}

static void
test_accept_variants(void **state)
{
	(void) state;
	expect_edit("git", "null", META_OK);
	expect_edit("migration", "null", META_OK);
	expect_edit("migration.head", "null", META_OK);
	expect_edit("source.user", "null", META_OK);
	expect_edit("duration_seconds", "3", META_OK);
	expect_edit("tables", "[]", META_OK);
	expect_edit("sequences", "[]", META_OK);
	expect_edit("large_objects", "[]", META_OK);
	expect_edit("tables.0.columns", "[]", META_OK);
	expect_edit("sequences.0.last_value", "-9223372036854775808", META_OK);
	expect_edit("large_objects.0.oid", "4294967295", META_OK);
	/* archives from before the locale provider was recorded */
	expect_edit("locale_provider", NULL, META_OK);
	expect_edit("locale_provider", "null", META_OK);
	expect_edit("icu_rules", "\"&a < b\"", META_OK);
	/* archives from before the database's settings and comment were recorded */
	expect_edit("database_settings", NULL, META_OK);
	expect_edit("database_settings", "[\"work_mem=8MB\"]", META_OK);
	expect_edit("database_comment", "\"dev\"", META_OK);
}

static void
test_database_fields_checked(void **state)
{
	(void) state;
	expect_edit("locale_provider", "3", META_INVALID);
	expect_edit("provider_locale", "[]", META_INVALID);
	/* with a provider, its locale and rules are there, if only as null */
	expect_edit("provider_locale", NULL, META_INVALID);
	expect_edit("icu_rules", NULL, META_INVALID);
	expect_edit("database_settings", "\"work_mem=8MB\"", META_INVALID);
	expect_edit("database_settings", "[1]", META_INVALID);
	expect_edit("database_settings", "[\"a=1\", null]", META_INVALID);
	expect_edit("database_settings", "null", META_INVALID);
	expect_edit("database_comment", NULL, META_INVALID);
	expect_edit("database_comment", "[]", META_INVALID);
}

static void
test_reject_sha256(void **state)
{
	(void) state;
	/* 63 and 65 characters */
	expect_edit("tables.0.members.0.sha256",
	    "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\"", META_INVALID);
	expect_edit("tables.0.members.0.sha256",
	    "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0\"", META_INVALID);
	/* uppercase and non-hex */
	expect_edit("schema.pre_data.sha256",
	    "\"0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef\"", META_INVALID);
	expect_edit("large_objects.0.sha256",
	    "\"0123456789abcdeg0123456789abcdef0123456789abcdef0123456789abcdef\"", META_INVALID);
	expect_edit("tables.1.members.1.sha256", "\"\"", META_INVALID);
	expect_edit("tables.1.members.1.sha256", "null", META_INVALID);
	/* a correct one is accepted */
	expect_edit("tables.0.members.0.sha256",
	    "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"", META_OK);
}

static void
test_reject_member_names(void **state)
{
	(void) state;
	expect_edit("tables.0.members.0.member", "\"../etc/passwd\"", META_INVALID);
	expect_edit("tables.0.members.0.member", "\"/abs\"", META_INVALID);
	expect_edit("tables.0.members.0.member", "\"/data/x.gz\"", META_INVALID);
	expect_edit("tables.0.members.0.member", "\"data/../x\"", META_INVALID);
	expect_edit("tables.0.members.0.member", "\"data/..\"", META_INVALID);
	expect_edit("tables.0.members.0.member", "\"data/a/b.gz\"", META_INVALID);
	expect_edit("tables.0.members.0.member", "\"schema/\"", META_INVALID);
	expect_edit("tables.0.members.0.member", "\"schema/x.sql\"", META_INVALID);
	expect_edit("tables.0.members.0.member", "\"data/\"", META_INVALID);
	expect_edit("tables.0.members.0.member", "\"data\"", META_INVALID);
	expect_edit("tables.0.members.0.member", "\"data/a\\\\b\"", META_INVALID);
	expect_edit("tables.0.members.0.member", "\"data/a b\"", META_INVALID);
	expect_edit("tables.1.members.1.member", "\"data/caf\\u00e9\"", META_INVALID);
	expect_edit("tables.1.members.1.member", "5", META_INVALID);
	expect_edit("schema.pre_data.member", "\"data/pre-data.sql\"", META_INVALID);
	expect_edit("schema.post_data.member", "\"schema/../../post\"", META_INVALID);
	expect_edit("schema.post_data.member", "\"schema/\"", META_INVALID);
	expect_edit("large_objects.0.member", "\"data/16385.gz\"", META_INVALID);
	expect_edit("large_objects.0.member", "\"large-objects/a/b\"", META_INVALID);
	/* names in the right place are fine */
	expect_edit("tables.0.members.0.member", "\"data/0000_x-y.z_1.copy\"", META_OK);
	expect_edit("large_objects.0.member", "\"large-objects/16385\"", META_OK);
}

static void
test_reject_long_member_name(void **state)
{
	char value[400];

	(void) state;
	/* 5 + 250 = 255 characters is the limit */
	snprintf(value, sizeof(value), "\"data/%0250d\"", 7);
	expect_edit("tables.0.members.0.member", value, META_OK);
	snprintf(value, sizeof(value), "\"data/%0251d\"", 7);
	expect_edit("tables.0.members.0.member", value, META_INVALID);
}

static void
test_reject_created_at(void **state)
{
	(void) state;
	expect_edit("created_at", "\"2026-11-22 03:10:24\"", META_INVALID);
	expect_edit("created_at", "\"2026-11-22T03:10:24\"", META_INVALID);
	expect_edit("created_at", "\"2026-11-22T03:10:24+00:00\"", META_INVALID);
	expect_edit("created_at", "\"2026-13-22T03:10:24Z\"", META_INVALID);
	expect_edit("created_at", "\"2026-02-30T03:10:24Z\"", META_INVALID);
	expect_edit("created_at", "\"yesterday\"", META_INVALID);
	expect_edit("created_at", "\"\"", META_INVALID);
	expect_edit("created_at", "1795317024", META_INVALID);
	expect_edit("created_at", "\"2024-02-29T00:00:00Z\"", META_OK);
}

static void
test_reject_table_without_members(void **state)
{
	(void) state;
	expect_edit("tables.1.members", "[]", META_INVALID);
	expect_edit("tables.0.members", "[]", META_INVALID);
	expect_edit("tables.0.members", "null", META_INVALID);
}

static void
test_reject_inconsistent_sums(void **state)
{
	static const char lo_twice[] = "{\"oid\": 4000000000, \"member\": \"large-objects/4000000001.gz\","
	    " \"bytes\": 1, \"stored_bytes\": 1, \"sha256\":"
	    " \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}";

	(void) state;
	/* a table's rows and bytes are its members' sums (15 rows, 1500 and 450 bytes) */
	expect_edit("tables.1.rows", "16", META_INVALID);
	expect_edit("tables.1.raw_bytes", "1499", META_INVALID);
	expect_edit("tables.1.stored_bytes", "0", META_INVALID);
	expect_edit("tables.1.rows", "15", META_OK);
	/* sums that do not fit in 64 bits */
	expect_edit("tables.1.members.0.rows", "9223372036854775807", META_INVALID);
	expect_edit("tables.0.members.0.raw_bytes", "9223372036854775807", META_INVALID);
	expect_edit("large_objects.0.bytes", "9223372036854775807", META_INVALID);
	/* one large object listed twice */
	expect_edit("large_objects.1", lo_twice, META_INVALID);
}

/* ---- filters: "filters" and a table's "data_excluded" ---- */

/* build_meta's description, filtered: patterns of three kinds, -b, and a third table without data. */
static void
build_filtered(meta_doc *m)
{
	meta_table *t;

	build_meta(m, true, true);
	m->filters.present = true;
	m->filters.large_objects = true;
	m->filters.n[MF_EXCLUDE_TABLE] = 2;
	m->filters.patterns[MF_EXCLUDE_TABLE] = xcalloc(3, sizeof(char *));
	m->filters.patterns[MF_EXCLUDE_TABLE][0] = xstrdup("audit_log");
	m->filters.patterns[MF_EXCLUDE_TABLE][1] = xstrdup("\"Sales\".\"Old \"\"x\"\"\"*");
	m->filters.n[MF_SCHEMA] = 1;
	m->filters.patterns[MF_SCHEMA] = xcalloc(2, sizeof(char *));
	m->filters.patterns[MF_SCHEMA][0] = xstrdup("app_?");
	m->filters.n[MF_EXCLUDE_TABLE_DATA] = 1;
	m->filters.patterns[MF_EXCLUDE_TABLE_DATA] = xcalloc(2, sizeof(char *));
	m->filters.patterns[MF_EXCLUDE_TABLE_DATA][0] = xstrdup("events");
	m->tables = xrealloc(m->tables, 3 * sizeof(meta_table));
	t = &m->tables[2];
	memset(t, 0, sizeof(*t));
	t->schema = xstrdup("public");
	t->name = xstrdup("events");
	t->kind = xstrdup("table");
	t->data_excluded = true;
	t->n_columns = 1;
	t->columns = xcalloc(2, sizeof(char *));
	t->columns[0] = xstrdup("payload");
	m->n_tables = 3;
	meta_sum_tables(m);
}

static void
test_round_trip_filters(void **state)
{
	meta_doc m, back;
	meta_totals t;
	char err[256];
	char *json, *again;

	(void) state;
	build_filtered(&m);
	meta_totals_of(&m, &t);
	assert_int_equal(t.tables, 3);
	assert_int_equal(t.data_excluded, 1);
	json = meta_to_json(&m);
	assert_non_null(strstr(json, "\"filters\": {"));
	assert_non_null(strstr(json, "\"data_excluded\": true"));
	assert_int_equal(meta_from_json(json, strlen(json), &back, err, sizeof(err)), META_OK);
	assert_meta_equal(&m, &back);
	assert_true(back.filters.present);
	assert_true(back.filters.large_objects);
	for (int k = 0; k < MF_KINDS; k++) {
		assert_int_equal(back.filters.n[k], m.filters.n[k]);
		for (size_t i = 0; i < m.filters.n[k]; i++)
			assert_string_equal(back.filters.patterns[k][i], m.filters.patterns[k][i]);
	}
	assert_false(back.tables[0].data_excluded);
	assert_true(back.tables[2].data_excluded);
	assert_int_equal(back.tables[2].n_members, 0);
	again = meta_to_json(&back);
	assert_string_equal(again, json);
	free(again);
	free(json);
	meta_free(&back);
	meta_free(&m);

	/* an unfiltered description says nothing about filters: older readers' documents stay as they were */
	build_meta(&m, false, false);
	json = meta_to_json(&m);
	assert_null(strstr(json, "filters"));
	assert_null(strstr(json, "data_excluded"));
	assert_int_equal(meta_from_json(json, strlen(json), &back, err, sizeof(err)), META_OK);
	assert_false(back.filters.present);
	free(json);
	meta_free(&back);
	meta_free(&m);
}

static void
test_filters_checked(void **state)
{
	static const char ok[] = "{\"table\": [], \"exclude_table\": [\"a\"], \"schema\": [],"
	    " \"exclude_schema\": [], \"exclude_table_data\": [\"b*\"], \"large_objects\": false}";
	static const char empty_table[] = "{\"schema\": \"public\", \"name\": \"events\", \"kind\": \"table\","
	    " \"data_excluded\": true, \"columns\": [\"id\"], \"rows\": 0, \"raw_bytes\": 0,"
	    " \"stored_bytes\": 0, \"members\": []}";

	(void) state;
	expect_edit("filters", ok, META_OK);
	/* strict: an object with every kind, each an array of strings, and large_objects a boolean */
	expect_edit("filters", "null", META_INVALID);
	expect_edit("filters", "[]", META_INVALID);
	expect_edit("filters", "{}", META_INVALID);
	expect_edit("filters", "{\"table\": [], \"exclude_table\": [\"a\"], \"schema\": [],"
	    " \"exclude_schema\": [], \"exclude_table_data\": [], \"large_objects\": 0}", META_INVALID);
	expect_edit("filters", "{\"table\": [1], \"exclude_table\": [], \"schema\": [],"
	    " \"exclude_schema\": [], \"exclude_table_data\": [], \"large_objects\": true}", META_INVALID);
	expect_edit("filters", "{\"table\": \"a\", \"exclude_table\": [], \"schema\": [],"
	    " \"exclude_schema\": [], \"exclude_table_data\": [], \"large_objects\": true}", META_INVALID);
	expect_edit("filters", "{\"exclude_table\": [], \"schema\": [],"
	    " \"exclude_schema\": [], \"exclude_table_data\": [], \"large_objects\": true}", META_INVALID);
	/* a table without members only when its data was excluded, and then without any */
	expect_edit("tables.0", empty_table, META_OK);
	expect_edit("tables.0.data_excluded", "true", META_INVALID);
	expect_edit("tables.0.data_excluded", "false", META_OK);
	expect_edit("tables.0.data_excluded", "\"yes\"", META_INVALID);
	expect_edit("tables.0.data_excluded", "null", META_INVALID);
	expect_edit("tables.0.members", "[]", META_INVALID);
}

/* ---- renaming: meta_renamed_json ---- */

static void
test_renamed_json(void **state)
{
	meta_doc m, back;
	char err[256];
	char *json, *renamed, *again, *edited;

	(void) state;
	build_meta(&m, true, true);
	json = meta_to_json(&m);
	renamed = meta_renamed_json(json, strlen(json), "after-rename", err, sizeof(err));
	assert_non_null(renamed);
	assert_int_equal(renamed[strlen(renamed) - 1], '\n');
	assert_int_equal(meta_from_json(renamed, strlen(renamed), &back, err, sizeof(err)), META_OK);
	assert_string_equal(back.name, "after-rename");
	/* nothing else changed: the same document but for the name, and renaming back gives the same bytes */
	free(back.name);
	back.name = xstrdup(m.name);
	assert_meta_equal(&m, &back);
	meta_free(&back);
	again = meta_renamed_json(renamed, strlen(renamed), m.name, err, sizeof(err));
	assert_non_null(again);
	assert_string_equal(again, json);
	free(again);
	free(renamed);

	/* fields this version does not know keep their value and their place */
	edited = edited_json(true, true, "x_later", "{\"list\": [1, 2.50, \"\\u00e9\"]}");
	renamed = meta_renamed_json(edited, strlen(edited), "other", err, sizeof(err));
	assert_non_null(renamed);
	assert_non_null(strstr(renamed, "\"x_later\": {"));
	assert_non_null(strstr(renamed, "2.50"));
	assert_true(strstr(renamed, "\"name\": \"other\"") < strstr(renamed, "\"created_at\""));
	assert_true(strstr(renamed, "\"migration\"") < strstr(renamed, "\"x_later\""));
	free(renamed);
	free(edited);

	/* refusals: a name that is not one, a document that is not a description */
	assert_null(meta_renamed_json(json, strlen(json), "a b", err, sizeof(err)));
	assert_null(meta_renamed_json(json, strlen(json), "", err, sizeof(err)));
	assert_null(meta_renamed_json("{}", 2, "ok", err, sizeof(err)));
	assert_true(err[0] != '\0');
	assert_null(meta_renamed_json(json, strlen(json) - 3, "ok", err, sizeof(err)));
	free(json);
	meta_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sum_tables),
		cmocka_unit_test(test_totals),
		cmocka_unit_test(test_round_trip_plain),
		cmocka_unit_test(test_round_trip_git_migration),
		cmocka_unit_test(test_round_trip_partial),
		cmocka_unit_test(test_round_trip_locales),
		cmocka_unit_test(test_round_trip_db_properties),
		cmocka_unit_test(test_json_content),
		cmocka_unit_test(test_reject_not_json),
		cmocka_unit_test(test_reject_truncated),
		cmocka_unit_test(test_reject_format),
		cmocka_unit_test(test_too_new_message),
		cmocka_unit_test(test_reject_missing),
		cmocka_unit_test(test_reject_wrong_types),
		cmocka_unit_test(test_accept_variants),
		cmocka_unit_test(test_database_fields_checked),
		cmocka_unit_test(test_reject_sha256),
		cmocka_unit_test(test_reject_member_names),
		cmocka_unit_test(test_reject_long_member_name),
		cmocka_unit_test(test_reject_created_at),
		cmocka_unit_test(test_reject_table_without_members),
		cmocka_unit_test(test_reject_inconsistent_sums),
		cmocka_unit_test(test_round_trip_filters),
		cmocka_unit_test(test_filters_checked),
		cmocka_unit_test(test_renamed_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
