/*
 * meta.c — .meta serialisation and validation with json-c; see meta.h.
 */
#include "archive/meta.h"

#include <ctype.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive/snapname.h"
#include "util/jsoncheck.h"
#include "util/strbuf.h"

static const char *const filter_keys[MF_KINDS] = {
	"table", "exclude_table", "schema", "exclude_schema", "exclude_table_data",
};

const char *
meta_filter_key(enum meta_filter_kind kind)
{
	return kind < MF_KINDS ? filter_keys[kind] : "";
}

bool
meta_filters_any(const meta_filters *f)
{
	for (int k = 0; k < MF_KINDS; k++)
		if (f->n[k] > 0)
			return true;
	return false;
}

void
meta_filters_free(meta_filters *f)
{
	for (int k = 0; k < MF_KINDS; k++)
		strv_free(f->patterns[k], f->n[k]);
	memset(f, 0, sizeof(*f));
}

/* ---- writing ---- */

static json_object *
jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static void
add_member_fields(json_object *o, const char *member, int64_t rows, bool with_rows,
    int64_t raw, int64_t stored, const char *sha)
{
	json_object_object_add(o, "member", jstr(member));
	if (with_rows)
		json_object_object_add(o, "rows", json_object_new_int64(rows));
	json_object_object_add(o, with_rows ? "raw_bytes" : "bytes", json_object_new_int64(raw));
	if (stored >= 0)
		json_object_object_add(o, "stored_bytes", json_object_new_int64(stored));
	json_object_object_add(o, "sha256", jstr(sha));
}

static json_object *
schema_obj(const meta_schema *s)
{
	json_object *o = json_object_new_object();

	add_member_fields(o, s->member, 0, false, s->bytes, -1, s->sha256);
	return o;
}

void
meta_sum_tables(meta_doc *m)
{
	for (size_t i = 0; i < m->n_tables; i++) {
		meta_table *t = &m->tables[i];

		t->rows = t->raw_bytes = t->stored_bytes = 0;
		for (size_t j = 0; j < t->n_members; j++) {
			t->rows += t->members[j].rows;
			t->raw_bytes += t->members[j].raw_bytes;
			t->stored_bytes += t->members[j].stored_bytes;
		}
	}
}

void
meta_totals_of(const meta_doc *m, meta_totals *t)
{
	memset(t, 0, sizeof(*t));
	t->tables = (int64_t) m->n_tables;
	for (size_t i = 0; i < m->n_tables; i++) {
		t->data_excluded += m->tables[i].data_excluded;
		t->rows += m->tables[i].rows;
		t->raw_bytes += m->tables[i].raw_bytes;
		t->stored_bytes += m->tables[i].stored_bytes;
	}
	for (size_t i = 0; i < m->n_los; i++) {
		t->raw_bytes += m->los[i].bytes;
		t->stored_bytes += m->los[i].stored_bytes;
	}
	t->large_objects = (int64_t) m->n_los;
}

/* format, name, time, source, server, locale, settings, codec, git, migration, filters */
static void
add_header(json_object *root, const meta_doc *m)
{
	json_object *src = json_object_new_object();
	json_object *settings = json_object_new_array();
	char created[32], dur[32];

	snapname_iso8601(m->created_at, created, sizeof(created));
	json_object_object_add(root, "format", jstr(META_FORMAT));
	json_object_object_add(root, "format_version", json_object_new_int(m->format_version));
	json_object_object_add(root, "tool_version", jstr(m->tool_version));
	json_object_object_add(root, "name", jstr(m->name));
	json_object_object_add(root, "created_at", jstr(created));
	snprintf(dur, sizeof(dur), "%.3f", m->duration_seconds);
	json_object_object_add(root, "duration_seconds", json_object_new_double_s(m->duration_seconds, dur));
	json_object_object_add(src, "database", jstr(m->src_database));
	json_object_object_add(src, "host", jstr(m->src_host));
	json_object_object_add(src, "port", jstr(m->src_port));
	json_object_object_add(src, "user", jstr(m->src_user));
	json_object_object_add(root, "source", src);
	json_object_object_add(root, "server_version", jstr(m->server_version));
	json_object_object_add(root, "server_version_num", json_object_new_int(m->server_version_num));
	json_object_object_add(root, "pg_dump_version", jstr(m->pg_dump_version));
	json_object_object_add(root, "encoding", jstr(m->encoding));
	json_object_object_add(root, "lc_collate", jstr(m->lc_collate));
	json_object_object_add(root, "lc_ctype", jstr(m->lc_ctype));
	if (m->locale_provider) {
		json_object_object_add(root, "locale_provider", jstr(m->locale_provider));
		json_object_object_add(root, "provider_locale", jstr(m->provider_locale));
		json_object_object_add(root, "icu_rules", jstr(m->icu_rules));
	}
	for (size_t i = 0; i < m->n_db_settings; i++)
		json_object_array_add(settings, jstr(m->db_settings[i]));
	json_object_object_add(root, "database_settings", settings);
	json_object_object_add(root, "database_comment", jstr(m->db_comment));
	json_object_object_add(root, "codec", jstr(m->codec));
	json_object_object_add(root, "compression_level", json_object_new_int(m->compression_level));
	if (m->git_branch || m->git_commit) {
		json_object *g = json_object_new_object();

		json_object_object_add(g, "branch", jstr(m->git_branch));
		json_object_object_add(g, "commit", jstr(m->git_commit));
		json_object_object_add(root, "git", g);
	} else {
		json_object_object_add(root, "git", NULL);
	}
	if (m->migration_table) {
		json_object *mg = json_object_new_object();

		json_object_object_add(mg, "table", jstr(m->migration_table));
		json_object_object_add(mg, "head", jstr(m->migration_head));
		json_object_object_add(root, "migration", mg);
	} else {
		json_object_object_add(root, "migration", NULL);
	}
	if (m->filters.present) {
		json_object *f = json_object_new_object();

		for (int k = 0; k < MF_KINDS; k++) {
			json_object *arr = json_object_new_array();

			for (size_t i = 0; i < m->filters.n[k]; i++)
				json_object_array_add(arr, jstr(m->filters.patterns[k][i]));
			json_object_object_add(f, filter_keys[k], arr);
		}
		json_object_object_add(f, "large_objects", json_object_new_boolean(m->filters.large_objects));
		json_object_object_add(root, "filters", f);
	}
}

static json_object *
table_json(const meta_table *mt)
{
	json_object *o = json_object_new_object();
	json_object *cols = json_object_new_array();
	json_object *mems = json_object_new_array();

	json_object_object_add(o, "schema", jstr(mt->schema));
	json_object_object_add(o, "name", jstr(mt->name));
	json_object_object_add(o, "kind", jstr(mt->kind));
	if (mt->data_excluded)
		json_object_object_add(o, "data_excluded", json_object_new_boolean(true));
	for (size_t c = 0; c < mt->n_columns; c++)
		json_object_array_add(cols, jstr(mt->columns[c]));
	json_object_object_add(o, "columns", cols);
	json_object_object_add(o, "rows", json_object_new_int64(mt->rows));
	json_object_object_add(o, "raw_bytes", json_object_new_int64(mt->raw_bytes));
	json_object_object_add(o, "stored_bytes", json_object_new_int64(mt->stored_bytes));
	for (size_t j = 0; j < mt->n_members; j++) {
		const meta_member *mm = &mt->members[j];
		json_object *mo = json_object_new_object();

		add_member_fields(mo, mm->member, mm->rows, true, mm->raw_bytes, mm->stored_bytes, mm->sha256);
		json_object_array_add(mems, mo);
	}
	json_object_object_add(o, "members", mems);
	return o;
}

/* tables, sequences, large objects, totals */
static void
add_contents(json_object *root, const meta_doc *m)
{
	json_object *tables = json_object_new_array();
	json_object *seqs = json_object_new_array();
	json_object *los = json_object_new_array();
	json_object *totals = json_object_new_object();
	meta_totals t;

	for (size_t i = 0; i < m->n_tables; i++)
		json_object_array_add(tables, table_json(&m->tables[i]));
	json_object_object_add(root, "tables", tables);
	for (size_t i = 0; i < m->n_sequences; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "schema", jstr(m->sequences[i].schema));
		json_object_object_add(o, "name", jstr(m->sequences[i].name));
		json_object_object_add(o, "last_value", json_object_new_int64(m->sequences[i].last_value));
		json_object_object_add(o, "is_called", json_object_new_boolean(m->sequences[i].is_called));
		json_object_array_add(seqs, o);
	}
	json_object_object_add(root, "sequences", seqs);
	for (size_t i = 0; i < m->n_los; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "oid", json_object_new_int64(m->los[i].oid));
		add_member_fields(o, m->los[i].member, 0, false, m->los[i].bytes,
		    m->los[i].stored_bytes, m->los[i].sha256);
		json_object_array_add(los, o);
	}
	json_object_object_add(root, "large_objects", los);
	meta_totals_of(m, &t);
	json_object_object_add(totals, "tables", json_object_new_int64(t.tables));
	json_object_object_add(totals, "rows", json_object_new_int64(t.rows));
	json_object_object_add(totals, "raw_bytes", json_object_new_int64(t.raw_bytes));
	json_object_object_add(totals, "stored_bytes", json_object_new_int64(t.stored_bytes));
	json_object_object_add(totals, "large_objects", json_object_new_int64(t.large_objects));
	json_object_object_add(root, "totals", totals);
}

char *
meta_to_json(const meta_doc *m)
{
	json_object *root = json_object_new_object();
	json_object *schema = json_object_new_object();
	char *out;

	add_header(root, m);
	json_object_object_add(schema, "pre_data", schema_obj(&m->pre_data));
	json_object_object_add(schema, "post_data", schema_obj(&m->post_data));
	json_object_object_add(root, "schema", schema);
	add_contents(root, m);
	out = xasprintf("%s\n", json_object_to_json_string_ext(root,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return out;
}

/* ---- reading ---- */

typedef struct reader {
	char *err;
	size_t errsize;
	bool failed;
} reader;

static void
fail(reader *r, const char *fmt, ...) LOG_PRINTF(2, 3);

static void
fail(reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->failed)
		return;
	r->failed = true;
	va_start(ap, fmt);
	vsnprintf(r->err, r->errsize, fmt, ap);
	va_end(ap);
}

static void check_sums(reader *r, const meta_doc *m);

static json_object *
field(reader *r, json_object *o, const char *key, enum json_type type, bool nullable, const char *where)
{
	json_object *v = NULL;

	if (r->failed)
		return NULL;
	if (!json_object_object_get_ex(o, key, &v)) {
		fail(r, "%s: field \"%s\" is missing", where, key);
		return NULL;
	}
	if (!v) {
		if (!nullable)
			fail(r, "%s: field \"%s\" must not be null", where, key);
		return NULL;
	}
	if (!json_object_is_type(v, type)) {
		fail(r, "%s: field \"%s\" has the wrong type", where, key);
		return NULL;
	}
	return v;
}

static char *
str_field(reader *r, json_object *o, const char *key, bool nullable, const char *where)
{
	json_object *v = field(r, o, key, json_type_string, nullable, where);

	return v ? xstrdup(json_object_get_string(v)) : NULL;
}

/* A string field that older archives do not have: NULL when absent or null. */
static char *
opt_str_field(reader *r, json_object *o, const char *key, const char *where)
{
	json_object *v;

	if (r->failed || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return str_field(r, o, key, true, where);
}

static int64_t
int_field(reader *r, json_object *o, const char *key, int64_t lo, int64_t hi, const char *where)
{
	json_object *v = field(r, o, key, json_type_int, false, where);
	int64_t n;

	if (!v)
		return 0;
	n = json_object_get_int64(v);
	if (n < lo || n > hi)
		fail(r, "%s: field \"%s\" is out of range", where, key);
	return n;
}

static void
sha_field(reader *r, json_object *o, char out[HASH_HEX_LEN + 1], const char *where)
{
	char *s = str_field(r, o, "sha256", false, where);

	out[0] = '\0';
	if (!s)
		return;
	if (strlen(s) != HASH_HEX_LEN) {
		fail(r, "%s: \"sha256\" is not 64 hex digits", where);
	} else {
		for (int i = 0; i < HASH_HEX_LEN; i++)
			if (!isxdigit((unsigned char) s[i]) || isupper((unsigned char) s[i]))
				fail(r, "%s: \"sha256\" is not 64 lowercase hex digits", where);
		memcpy(out, s, HASH_HEX_LEN + 1);
	}
	free(s);
}

/* Member names come from the archive's own layout only: no absolute paths, no "..". */
static char *
member_field(reader *r, json_object *o, const char *prefix, const char *where)
{
	char *s = str_field(r, o, "member", false, where);

	if (!s)
		return NULL;
	if (strncmp(s, prefix, strlen(prefix)) != 0 || strstr(s, "..") || strchr(s, '\\') ||
	    strlen(s) > 255 || strchr(s + strlen(prefix), '/') || s[strlen(prefix)] == '\0') {
		fail(r, "%s: member name \"%.80s\" is not allowed", where, s);
		free(s);
		return NULL;
	}
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char) *p) && !strchr("._-/", *p)) {
			fail(r, "%s: member name \"%.80s\" is not allowed", where, s);
			free(s);
			return NULL;
		}
	return s;
}

static json_object *
array_field(reader *r, json_object *o, const char *key, const char *where)
{
	return field(r, o, key, json_type_array, false, where);
}

/* The strings of a JSON array (NULL-terminated, *n of them); NULL after fail(). */
static char **
read_strings(reader *r, json_object *arr, size_t *n, const char *what)
{
	char **v;

	*n = json_object_array_length(arr);
	v = xcalloc(*n + 1, sizeof(char *));
	for (size_t i = 0; i < *n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(e, json_type_string)) {
			fail(r, "%s must be strings", what);
			strv_free(v, i);
			*n = 0;
			return NULL;
		}
		v[i] = xstrdup(json_object_get_string(e));
	}
	return v;
}

static void
read_schema(reader *r, json_object *o, const char *key, meta_schema *s)
{
	json_object *v = field(r, o, key, json_type_object, false, "schema");

	if (!v)
		return;
	s->member = member_field(r, v, "schema/", key);
	s->bytes = int_field(r, v, "bytes", 0, INT64_MAX, key);
	sha_field(r, v, s->sha256, key);
}

static void
read_table(reader *r, json_object *o, meta_table *t, size_t idx)
{
	char where[64], what[80];
	json_object *cols, *mems;

	snprintf(where, sizeof(where), "tables[%zu]", idx);
	t->schema = str_field(r, o, "schema", false, where);
	t->name = str_field(r, o, "name", false, where);
	t->kind = str_field(r, o, "kind", false, where);
	/* archives from before --exclude-table-data have no such field */
	if (!r->failed && json_object_object_get_ex(o, "data_excluded", NULL)) {
		json_object *b = field(r, o, "data_excluded", json_type_boolean, false, where);

		t->data_excluded = b && json_object_get_boolean(b);
	}
	cols = array_field(r, o, "columns", where);
	mems = array_field(r, o, "members", where);
	if (r->failed)
		return;
	snprintf(what, sizeof(what), "%s: columns", where);
	if (!(t->columns = read_strings(r, cols, &t->n_columns, what)))
		return;
	t->n_members = json_object_array_length(mems);
	if (t->n_members == 0 && !t->data_excluded) {
		fail(r, "%s: a table needs at least one member", where);
		return;
	}
	if (t->n_members > 0 && t->data_excluded) {
		fail(r, "%s: a table whose data is excluded has no members", where);
		t->n_members = 0;
		return;
	}
	t->members = xcalloc(t->n_members ? t->n_members : 1, sizeof(meta_member));
	for (size_t j = 0; j < t->n_members && !r->failed; j++) {
		json_object *mo = json_object_array_get_idx(mems, j);
		meta_member *mm = &t->members[j];

		if (!json_object_is_type(mo, json_type_object)) {
			fail(r, "%s: members must be objects", where);
			return;
		}
		mm->member = member_field(r, mo, "data/", where);
		mm->rows = int_field(r, mo, "rows", 0, INT64_MAX, where);
		mm->raw_bytes = int_field(r, mo, "raw_bytes", 0, INT64_MAX, where);
		mm->stored_bytes = int_field(r, mo, "stored_bytes", 0, INT64_MAX, where);
		sha_field(r, mo, mm->sha256, where);
	}
	t->rows = int_field(r, o, "rows", 0, INT64_MAX, where);
	t->raw_bytes = int_field(r, o, "raw_bytes", 0, INT64_MAX, where);
	t->stored_bytes = int_field(r, o, "stored_bytes", 0, INT64_MAX, where);
}

/* Strict JSON, then json-c's tree; NULL after writing why into err. */
static json_object *
parse_root(const char *text, size_t len, char *err, size_t errsize)
{
	struct json_tokener *tok;
	json_object *root;
	char jerr[128];

	if (len > META_MAX_BYTES || len > INT32_MAX) {
		snprintf(err, errsize, "meta document is too large");
		return NULL;
	}
	/* json-c is lenient (trailing bytes, duplicate keys, NaN, bad UTF-8): strict first */
	if (json_check_strict(text, len, jerr, sizeof(jerr)) < 0) {
		snprintf(err, errsize, "meta document is not strict JSON: %s", jerr);
		return NULL;
	}
	tok = json_tokener_new();
	root = json_tokener_parse_ex(tok, text, (int) len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success) {
		snprintf(err, errsize, "meta document is not valid JSON: %s",
		    json_tokener_error_desc(json_tokener_get_error(tok)));
		json_tokener_free(tok);
		json_object_put(root);
		return NULL;
	}
	json_tokener_free(tok);
	if (!json_object_is_type(root, json_type_object)) {
		snprintf(err, errsize, "meta document is not a JSON object");
		json_object_put(root);
		return NULL;
	}
	return root;
}

/* "filters", which only filtered snapshots have: every kind's patterns and -b. */
static void
read_filters(reader *r, json_object *root, meta_filters *f)
{
	json_object *o, *b;

	if (r->failed || !json_object_object_get_ex(root, "filters", NULL))
		return;
	o = field(r, root, "filters", json_type_object, false, "meta");
	if (!o)
		return;
	f->present = true;
	for (int k = 0; k < MF_KINDS && !r->failed; k++) {
		json_object *arr = array_field(r, o, filter_keys[k], "filters");
		char what[64];

		snprintf(what, sizeof(what), "filters: %s", filter_keys[k]);
		if (arr)
			f->patterns[k] = read_strings(r, arr, &f->n[k], what);
	}
	b = field(r, o, "large_objects", json_type_boolean, false, "filters");
	f->large_objects = b && json_object_get_boolean(b);
}

/* name, time, source, server, locale, settings, codec, git, migration, filters */
static void
read_header(reader *r, json_object *root, meta_doc *m)
{
	json_object *v, *src;
	char *created;

	m->tool_version = str_field(r, root, "tool_version", false, "meta");
	m->name = str_field(r, root, "name", false, "meta");
	if (m->name && snapname_name_problem(m->name))
		fail(r, "meta: snapshot name \"%.40s\" is not valid", m->name);
	created = str_field(r, root, "created_at", false, "meta");
	if (created && !snapname_parse_iso8601(created, &m->created_at))
		fail(r, "meta: \"created_at\" is not an ISO 8601 UTC time");
	free(created);
	if (json_object_object_get_ex(root, "duration_seconds", &v) &&
	    (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		m->duration_seconds = json_object_get_double(v);
	else
		fail(r, "meta: field \"duration_seconds\" is missing or not a number");
	src = field(r, root, "source", json_type_object, false, "meta");
	if (src) {
		m->src_database = str_field(r, src, "database", false, "source");
		m->src_host = str_field(r, src, "host", true, "source");
		m->src_port = str_field(r, src, "port", true, "source");
		m->src_user = str_field(r, src, "user", true, "source");
	}
	m->server_version = str_field(r, root, "server_version", false, "meta");
	m->server_version_num = (int) int_field(r, root, "server_version_num", 0, INT32_MAX, "meta");
	m->pg_dump_version = str_field(r, root, "pg_dump_version", false, "meta");
	m->encoding = str_field(r, root, "encoding", false, "meta");
	m->lc_collate = str_field(r, root, "lc_collate", false, "meta");
	m->lc_ctype = str_field(r, root, "lc_ctype", false, "meta");
	m->locale_provider = opt_str_field(r, root, "locale_provider", "meta");
	if (m->locale_provider) {
		m->provider_locale = str_field(r, root, "provider_locale", true, "meta");
		m->icu_rules = str_field(r, root, "icu_rules", true, "meta");
	}
	if (!r->failed && json_object_object_get_ex(root, "database_settings", NULL)) {
		v = array_field(r, root, "database_settings", "meta");
		if (v)
			m->db_settings = read_strings(r, v, &m->n_db_settings, "meta: database_settings");
		m->db_comment = str_field(r, root, "database_comment", true, "meta");
	}
	m->codec = str_field(r, root, "codec", false, "meta");
	m->compression_level = (int) int_field(r, root, "compression_level", 0, 99, "meta");
	v = field(r, root, "git", json_type_object, true, "meta");
	if (v) {
		m->git_branch = str_field(r, v, "branch", true, "git");
		m->git_commit = str_field(r, v, "commit", true, "git");
	}
	v = field(r, root, "migration", json_type_object, true, "meta");
	if (v) {
		m->migration_table = str_field(r, v, "table", false, "migration");
		m->migration_head = str_field(r, v, "head", true, "migration");
	}
	read_filters(r, root, &m->filters);
}

/* schema, tables, sequences, large objects */
static void
read_contents(reader *r, json_object *root, meta_doc *m)
{
	json_object *schema, *arr;

	schema = field(r, root, "schema", json_type_object, false, "meta");
	if (schema) {
		read_schema(r, schema, "pre_data", &m->pre_data);
		read_schema(r, schema, "post_data", &m->post_data);
	}
	arr = array_field(r, root, "tables", "meta");
	if (arr) {
		m->n_tables = json_object_array_length(arr);
		m->tables = xcalloc(m->n_tables ? m->n_tables : 1, sizeof(meta_table));
		for (size_t i = 0; i < m->n_tables && !r->failed; i++) {
			json_object *o = json_object_array_get_idx(arr, i);

			if (!json_object_is_type(o, json_type_object))
				fail(r, "tables[%zu] is not an object", i);
			else
				read_table(r, o, &m->tables[i], i);
		}
	}
	arr = array_field(r, root, "sequences", "meta");
	if (arr) {
		m->n_sequences = json_object_array_length(arr);
		m->sequences = xcalloc(m->n_sequences ? m->n_sequences : 1, sizeof(meta_sequence));
		for (size_t i = 0; i < m->n_sequences && !r->failed; i++) {
			json_object *o = json_object_array_get_idx(arr, i);
			json_object *b;

			if (!json_object_is_type(o, json_type_object)) {
				fail(r, "sequences[%zu] is not an object", i);
				break;
			}
			m->sequences[i].schema = str_field(r, o, "schema", false, "sequences[]");
			m->sequences[i].name = str_field(r, o, "name", false, "sequences[]");
			m->sequences[i].last_value = int_field(r, o, "last_value", INT64_MIN, INT64_MAX, "sequences[]");
			b = field(r, o, "is_called", json_type_boolean, false, "sequences[]");
			m->sequences[i].is_called = b && json_object_get_boolean(b);
		}
	}
	arr = array_field(r, root, "large_objects", "meta");
	if (arr) {
		m->n_los = json_object_array_length(arr);
		m->los = xcalloc(m->n_los ? m->n_los : 1, sizeof(meta_lo));
		for (size_t i = 0; i < m->n_los && !r->failed; i++) {
			json_object *o = json_object_array_get_idx(arr, i);

			if (!json_object_is_type(o, json_type_object)) {
				fail(r, "large_objects[%zu] is not an object", i);
				break;
			}
			m->los[i].oid = (uint32_t) int_field(r, o, "oid", 1, UINT32_MAX, "large_objects[]");
			m->los[i].member = member_field(r, o, "large-objects/", "large_objects[]");
			m->los[i].bytes = int_field(r, o, "bytes", 0, INT64_MAX, "large_objects[]");
			m->los[i].stored_bytes = int_field(r, o, "stored_bytes", 0, INT64_MAX, "large_objects[]");
			sha_field(r, o, m->los[i].sha256, "large_objects[]");
		}
	}
}

int
meta_from_json(const char *text, size_t len, meta_doc *m, char *err, size_t errsize)
{
	json_object *root;
	reader r = {err, errsize, false};
	char *format;
	int64_t version;

	memset(m, 0, sizeof(*m));
	err[0] = '\0';
	if (!(root = parse_root(text, len, err, errsize)))
		return META_INVALID;
	format = str_field(&r, root, "format", false, "meta");
	if (format && strcmp(format, META_FORMAT) != 0)
		fail(&r, "not a db-tools snapshot (format \"%.40s\")", format);
	free(format);
	version = int_field(&r, root, "format_version", 1, INT32_MAX, "meta");
	if (!r.failed && version > META_FORMAT_VERSION) {
		snprintf(err, errsize, "archive format version %lld is newer than this program understands (%d)",
		    (long long) version, META_FORMAT_VERSION);
		json_object_put(root);
		return META_TOO_NEW;
	}
	m->format_version = (int) version;
	read_header(&r, root, m);
	read_contents(&r, root, m);
	json_object_put(root);
	if (!r.failed)
		check_sums(&r, m);
	if (r.failed) {
		meta_free(m);
		return META_INVALID;
	}
	return META_OK;
}

static int
cmp_oid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;

	return x < y ? -1 : x > y;
}

/* a + b into *sum; false (and *sum untouched) when it does not fit in int64_t */
static bool
add64(int64_t *sum, int64_t b)
{
	int64_t s;

	if (__builtin_add_overflow(*sum, b, &s))
		return false;
	*sum = s;
	return true;
}

/*
 * What the fields say of each other: a table's rows and bytes are the sums
 * of its members', every total fits in 64 bits, and no large object is
 * listed twice.
 */
static void
check_sums(reader *r, const meta_doc *m)
{
	int64_t rows = 0, raw = 0, stored = 0;
	uint32_t *oids;

	for (size_t i = 0; i < m->n_tables && !r->failed; i++) {
		const meta_table *t = &m->tables[i];
		int64_t tr = 0, traw = 0, tst = 0;

		for (size_t k = 0; k < t->n_members; k++)
			if (!add64(&tr, t->members[k].rows) || !add64(&traw, t->members[k].raw_bytes) ||
			    !add64(&tst, t->members[k].stored_bytes)) {
				fail(r, "tables[%zu]: the sums of its members overflow", i);
				return;
			}
		if (tr != t->rows || traw != t->raw_bytes || tst != t->stored_bytes)
			fail(r, "tables[%zu]: rows, raw_bytes or stored_bytes is not the sum of its members'", i);
		else if (!add64(&rows, tr) || !add64(&raw, traw) || !add64(&stored, tst))
			fail(r, "the tables' totals overflow");
	}
	for (size_t i = 0; i < m->n_los && !r->failed; i++)
		if (!add64(&raw, m->los[i].bytes) || !add64(&stored, m->los[i].stored_bytes))
			fail(r, "the large objects' totals overflow");
	if (r->failed || m->n_los < 2)
		return;
	oids = xcalloc(m->n_los, sizeof(*oids));
	for (size_t i = 0; i < m->n_los; i++)
		oids[i] = m->los[i].oid;
	qsort(oids, m->n_los, sizeof(*oids), cmp_oid);
	for (size_t i = 1; i < m->n_los && !r->failed; i++)
		if (oids[i] == oids[i - 1])
			fail(r, "large object %u is listed twice", oids[i]);
	free(oids);
}

char *
meta_renamed_json(const char *text, size_t len, const char *name, char *err, size_t errsize)
{
	meta_doc m;
	json_object *root;
	char *out;

	if (snapname_name_problem(name)) {
		snprintf(err, errsize, "\"%.40s\" is not a valid snapshot name", name);
		return NULL;
	}
	if (meta_from_json(text, len, &m, err, errsize) != META_OK)
		return NULL;
	meta_free(&m);
	if (!(root = parse_root(text, len, err, errsize)))
		return NULL;
	/* json-c replaces the value in place: the keys keep their order */
	json_object_object_add(root, "name", json_object_new_string(name));
	out = xasprintf("%s\n", json_object_to_json_string_ext(root,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	if (meta_from_json(out, strlen(out), &m, err, errsize) != META_OK) {
		free(out);
		return NULL;
	}
	meta_free(&m);
	return out;
}

void
meta_free(meta_doc *m)
{
	free(m->tool_version);
	free(m->name);
	free(m->src_database);
	free(m->src_host);
	free(m->src_port);
	free(m->src_user);
	free(m->server_version);
	free(m->pg_dump_version);
	free(m->encoding);
	free(m->lc_collate);
	free(m->lc_ctype);
	free(m->locale_provider);
	free(m->provider_locale);
	free(m->icu_rules);
	strv_free(m->db_settings, m->n_db_settings);
	free(m->db_comment);
	free(m->codec);
	free(m->git_branch);
	free(m->git_commit);
	free(m->migration_table);
	free(m->migration_head);
	meta_filters_free(&m->filters);
	free(m->pre_data.member);
	free(m->post_data.member);
	for (size_t i = 0; i < m->n_tables; i++) {
		meta_table *t = &m->tables[i];

		free(t->schema);
		free(t->name);
		free(t->kind);
		strv_free(t->columns, t->n_columns);
		for (size_t j = 0; j < t->n_members; j++)
			free(t->members[j].member);
		free(t->members);
	}
	free(m->tables);
	for (size_t i = 0; i < m->n_sequences; i++) {
		free(m->sequences[i].schema);
		free(m->sequences[i].name);
	}
	free(m->sequences);
	for (size_t i = 0; i < m->n_los; i++)
		free(m->los[i].member);
	free(m->los);
	memset(m, 0, sizeof(*m));
}
