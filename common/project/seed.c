/*
 * seed.c — the built-in seed runner; see seed.h.
 */
#include "project/seed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg/conn.h"
#include "pg/sqlrun.h"
#include "sql/quote.h"
#include "sql/sqlscript.h"
#include "util/log.h"
#include "util/progress.h"

void
sv_set(seed_vars *vs, const char *name, const char *value)
{
	for (size_t i = 0; i < vs->n; i++)
		if (strcmp(vs->v[i].name, name) == 0) {
			free(vs->v[i].value);
			vs->v[i].value = xstrdup(value);
			return;
		}
	vs->v = xrealloc(vs->v, (vs->n + 1) * sizeof(*vs->v));
	vs->v[vs->n].name = xstrdup(name);
	vs->v[vs->n].value = xstrdup(value);
	vs->n++;
}

const char *
sv_get(const seed_vars *vs, const char *name)
{
	for (size_t i = 0; i < vs->n; i++)
		if (strcmp(vs->v[i].name, name) == 0)
			return vs->v[i].value;
	return NULL;
}

void
sv_free(seed_vars *vs)
{
	for (size_t i = 0; i < vs->n; i++) {
		free(vs->v[i].name);
		free(vs->v[i].value);
	}
	free(vs->v);
	vs->v = NULL;
	vs->n = 0;
}

/* A psql variable name: letters, digits, underscores (and non-ASCII bytes). */
static bool
var_name_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) s[i];

		if (!(c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || c >= 0x80))
			return false;
	}
	return len > 0;
}

/* The content of a quoted token ('x' or "x") with doubled quotes undone. */
static char *
unquote(const char *s, size_t len)
{
	strbuf sb;

	sb_init(&sb);
	for (size_t i = 1; i + 1 < len; i++) {
		sb_append_char(&sb, s[i]);
		if (s[i] == s[0] && i + 2 < len && s[i + 1] == s[0])
			i++;
	}
	return sb_steal(&sb);
}

/* One variable reference: kind 'v' (:name), 'l' (:'name') or 'i' (:"name"), text [start, end). */
typedef int (*var_fn)(void *arg, const char *name, char kind, size_t start, size_t end, int line);

/* Call fn for every variable reference in text, in order; stops at fn's first nonzero. */
static int
scan_vars(const char *text, size_t len, var_fn fn, void *arg)
{
	sql_lexer lx;
	sql_token t, next;

	sql_lex_init(&lx, text, len);
	while (sql_lex_next(&lx, &t) != SQL_TOK_EOF) {
		sql_lexer peek = lx;
		char *name;
		char kind;
		int rc;

		if (t.kind != SQL_TOK_COLON)
			continue;
		if (sql_lex_next(&peek, &next) == SQL_TOK_EOF || next.start != t.start + 1)
			continue;
		if (next.kind == SQL_TOK_WORD && var_name_ok(text + next.start, next.len)) {
			name = xasprintf("%.*s", (int) next.len, text + next.start);
			kind = 'v';
		} else if (next.kind == SQL_TOK_STRING && text[next.start] == '\'') {
			name = unquote(text + next.start, next.len);
			kind = 'l';
		} else if (next.kind == SQL_TOK_QIDENT && text[next.start] == '"') {
			name = unquote(text + next.start, next.len);
			kind = 'i';
		} else
			continue;
		rc = fn(arg, name, kind, t.start, next.start + next.len, t.line);
		free(name);
		if (rc != 0)
			return rc;
		lx = peek;
	}
	return 0;
}

typedef struct subst {
	const char *text;
	const seed_vars *vs;
	strbuf *out;
	size_t copied;
	char *err;
	size_t errsize;
} subst;

static int
subst_one(void *arg, const char *name, char kind, size_t start, size_t end, int line)
{
	subst *st = arg;
	const char *value = sv_get(st->vs, name);

	if (!value) {
		snprintf(st->err, st->errsize, "line %d: unknown variable :%s", line, name);
		return -1;
	}
	sb_append_len(st->out, st->text + st->copied, start - st->copied);
	if (kind == 'v')
		sb_append(st->out, value);
	else if (kind == 'l')
		q_literal(st->out, value);
	else
		q_ident(st->out, value);
	st->copied = end;
	return 0;
}

int
seed_substitute(const char *text, size_t len, const seed_vars *vs, strbuf *out, char *err,
    size_t errsize)
{
	subst st = {.text = text, .vs = vs, .out = out, .err = err, .errsize = errsize};

	if (scan_vars(text, len, subst_one, &st) != 0)
		return -1;
	sb_append_len(out, text + st.copied, len - st.copied);
	return 0;
}

static int
collect_one(void *arg, const char *name, char kind, size_t start, size_t end, int line)
{
	seed_vars *names = arg;

	(void) kind;
	(void) start;
	(void) end;
	(void) line;
	if (!sv_get(names, name))
		sv_set(names, name, "");
	return 0;
}

void
seed_text_variables(const char *text, size_t len, seed_vars *names)
{
	(void) scan_vars(text, len, collect_one, names);
}

int
seed_files_variables(const sql_file *v, size_t n, seed_vars *names)
{
	for (size_t i = 0; i < n; i++) {
		size_t len;
		char *text = sqlrun_read_file(v[i].path, &len);

		if (!text)
			return -1;
		seed_text_variables(text, len, names);
		free(text);
	}
	return 0;
}

double
seed_setseed_value(long long rng_seed, const char *name)
{
	char *key = xasprintf("%lld/%s", rng_seed, name);
	char hex[HASH_HEX_LEN + 1];
	unsigned long h;

	hash_hex_of(key, strlen(key), hex);
	free(key);
	hex[8] = '\0';
	h = strtoul(hex, NULL, 16);
	return (double) h / 4294967296.0 * 2.0 - 1.0;
}

int
seed_run(PGconn *conn, const sql_file *v, size_t n, const seed_vars *vs, long long rng_seed)
{
	int rc = conn_exec(conn, "SET max_parallel_workers_per_gather = 0");

	for (size_t i = 0; rc == 0 && i < n; i++) {
		size_t len;
		char *text = sqlrun_read_file(v[i].path, &len);
		char err[256], set[64];
		strbuf sql;

		if (!text)
			return -1;
		sb_init(&sql);
		if (seed_substitute(text, len, vs, &sql, err, sizeof(err)) < 0) {
			log_error("%s, %s", v[i].path, err);
			rc = -1;
		}
		snprintf(set, sizeof(set), "SELECT pg_catalog.setseed(%.12f)",
		    seed_setseed_value(rng_seed, v[i].name));
		log_verbose("seeding with %s", v[i].name);
		if (rc == 0)
			rc = conn_exec(conn, set);
		if (rc == 0)
			rc = sqlrun_run(conn, sql.data, sql.len, v[i].path);
		if (rc == 0)
			progress_item_done();
		sb_free(&sql);
		free(text);
	}
	return rc;
}

int
seed_record(PGconn *conn, const char *seed_version, const char *counts_json, long long rng_seed,
    double duration_ms, char **rows_json)
{
	PGresult *tabs;
	strbuf q;
	char *rows = NULL, seedbuf[32], dur[32];
	const char *params[5];
	PGresult *res;
	int rc;

	if (rows_json)
		*rows_json = NULL;
	tabs = conn_query(conn,
	    "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c"
	    "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	    " WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema'"
	    "   AND n.nspname !~ '^pg_' AND NOT c.relispartition"
	    "   AND c.relname NOT IN ('" SEED_TABLE "', 'db_tools_migrations')"
	    " ORDER BY 1, 2");
	if (!tabs)
		return -1;
	sb_init(&q);
	sb_append(&q, "SELECT coalesce(jsonb_object_agg(t, n), '{}')::text FROM (");
	for (int i = 0; i < PQntuples(tabs); i++) {
		strbuf name;

		sb_init(&name);
		sb_appendf(&name, "%s.%s", PQgetvalue(tabs, i, 0), PQgetvalue(tabs, i, 1));
		if (i)
			sb_append(&q, " UNION ALL ");
		sb_append(&q, "SELECT ");
		q_literal(&q, name.data);
		sb_append(&q, " AS t, count(*) AS n FROM ");
		q_qualified(&q, PQgetvalue(tabs, i, 0), PQgetvalue(tabs, i, 1));
		sb_free(&name);
	}
	if (PQntuples(tabs) == 0)
		sb_append(&q, "SELECT NULL::text AS t, 0 AS n WHERE false");
	sb_append(&q, ") s");
	PQclear(tabs);
	rows = conn_query_value(conn, q.data, NULL);
	sb_free(&q);
	if (!rows)
		return -1;
	rc = conn_exec(conn,
	    "SET client_min_messages = warning;"
	    "CREATE TABLE IF NOT EXISTS public." SEED_TABLE " ("
	    " id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, seed_version text NOT NULL,"
	    " counts jsonb NOT NULL, rng_seed bigint NOT NULL, rows jsonb NOT NULL,"
	    " seeded_at timestamptz NOT NULL DEFAULT now(), duration_ms double precision NOT NULL,"
	    " status text NOT NULL);"
	    "RESET client_min_messages");
	snprintf(seedbuf, sizeof(seedbuf), "%lld", rng_seed);
	snprintf(dur, sizeof(dur), "%.3f", duration_ms);
	params[0] = seed_version;
	params[1] = counts_json;
	params[2] = seedbuf;
	params[3] = rows;
	params[4] = dur;
	if (rc == 0) {
		res = PQexecParams(conn, "INSERT INTO public." SEED_TABLE
		    " (seed_version, counts, rng_seed, rows, duration_ms, status)"
		    " VALUES ($1, $2, $3, $4, $5, 'ok')", 5, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			conn_log_error(conn, res, "could not record the seed run");
			rc = -1;
		}
		PQclear(res);
	}
	if (rc == 0 && rows_json)
		*rows_json = rows;
	else
		free(rows);
	return rc;
}
