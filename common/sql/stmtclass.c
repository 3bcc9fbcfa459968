/*
 * stmtclass.c — classifying pg_dump's schema statements; see stmtclass.h.
 */
#include "sql/stmtclass.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

static bool
tok_seq(const char *s, const sql_token *t, size_t n, size_t at, const char *const *words)
{
	for (size_t k = 0; words[k]; k++)
		if (at + k >= n || !sql_tok_is(s, &t[at + k], words[k]))
			return false;
	return true;
}

/*
 * A qualified name starting at token *at, as "schema\x1fname" with quotes
 * removed and unquoted words folded to lower case; NULL if there is none.
 */
static char *
qualified_name(const char *s, const sql_token *t, size_t n, size_t *at)
{
	strbuf sb;
	size_t k = *at;

	sb_init(&sb);
	for (;;) {
		if (k >= n || (t[k].kind != SQL_TOK_WORD && t[k].kind != SQL_TOK_QIDENT)) {
			sb_free(&sb);
			return NULL;
		}
		if (t[k].kind == SQL_TOK_WORD)
			for (size_t c = 0; c < t[k].len; c++)
				sb_append_char(&sb, (char) tolower((unsigned char) s[t[k].start + c]));
		else
			for (size_t c = 1; c + 1 < t[k].len; c++) {
				sb_append_char(&sb, s[t[k].start + c]);
				if (s[t[k].start + c] == '"')
					c++;
			}
		k++;
		if (k < n && t[k].kind == SQL_TOK_OP && t[k].len == 1 && s[t[k].start] == '.') {
			sb_append_char(&sb, '\x1f');
			k++;
			continue;
		}
		break;
	}
	*at = k;
	return sb_steal(&sb);
}

/*
 * ALTER <object> <name> OWNER TO <role>: the role is one name, and the token
 * before OWNER ends the object's name, so "SET app.owner TO 'v'" is not one.
 */
static bool
owner_to(const char *s, const sql_token *t, size_t n)
{
	return n >= 5 && sql_tok_is(s, &t[0], "ALTER") && sql_tok_is(s, &t[n - 3], "OWNER") &&
	    sql_tok_is(s, &t[n - 2], "TO") &&
	    (t[n - 1].kind == SQL_TOK_WORD || t[n - 1].kind == SQL_TOK_QIDENT) &&
	    t[n - 4].kind != SQL_TOK_OP;
}

char *
stmt_table_key(const char *schema, const char *name)
{
	return xasprintf("%s\x1f%s", schema, name);
}

static enum stmt_class
classify(const char *s, const sql_stmt *st, bool owners, stmt_kind *out)
{
	size_t n, k;
	sql_token *t;
	enum stmt_class c = STMT_RUN;

	if (st->meta) {
		static const char *const ok[] = {"\\restrict", "\\unrestrict"};

		for (k = 0; k < 2; k++)
			if (st->len >= strlen(ok[k]) && strncmp(s + st->start, ok[k], strlen(ok[k])) == 0)
				return STMT_SKIP;
		return STMT_FOREIGN_META;
	}
	t = sql_tokens(s, st, &n);
	if (n > 0 && t[n - 1].kind == SQL_TOK_SEMI)
		n--;
	if (n == 0)
		c = STMT_SKIP;
	else if (!owners && (sql_tok_is(s, &t[0], "GRANT") || sql_tok_is(s, &t[0], "REVOKE") ||
	    tok_seq(s, t, n, 0, (const char *const[]) {"ALTER", "DEFAULT", "PRIVILEGES", NULL}) ||
	    owner_to(s, t, n)))
		c = STMT_SKIP;
	else if (sql_tok_is(s, &t[0], "SET") ||
	    (n >= 4 && sql_tok_is(s, &t[0], "SELECT") && sql_tok_is(s, &t[1], "pg_catalog") &&
	    t[2].kind == SQL_TOK_OP && sql_tok_is(s, &t[3], "set_config")))
		c = STMT_SESSION;
	else if (tok_seq(s, t, n, 0, (const char *const[]) {"CREATE", "INDEX", NULL}) ||
	    tok_seq(s, t, n, 0, (const char *const[]) {"CREATE", "UNIQUE", "INDEX", NULL})) {
		/* CREATE [UNIQUE] INDEX name ON [ONLY] table ... */
		for (k = 2; k < n && !sql_tok_is(s, &t[k], "ON"); k++)
			;
		k++;
		if (k < n && sql_tok_is(s, &t[k], "ONLY"))
			k++;
		if ((out->tables[0] = qualified_name(s, t, n, &k))) {
			c = STMT_INDEX;
			out->shared_lock = true;
		}
	} else if (tok_seq(s, t, n, 0, (const char *const[]) {"ALTER", "TABLE", NULL})) {
		/* ALTER TABLE [ONLY] table ADD CONSTRAINT name {PRIMARY KEY | UNIQUE | EXCLUDE | FOREIGN KEY} */
		char *table;

		k = 2;
		if (k < n && sql_tok_is(s, &t[k], "ONLY"))
			k++;
		table = qualified_name(s, t, n, &k);
		if (table && k + 3 < n &&
		    tok_seq(s, t, n, k, (const char *const[]) {"ADD", "CONSTRAINT", NULL})) {
			const sql_token *kind = &t[k + 3];

			if (sql_tok_is(s, kind, "PRIMARY") || sql_tok_is(s, kind, "UNIQUE") ||
			    sql_tok_is(s, kind, "EXCLUDE")) {
				out->tables[0] = table;
				table = NULL;
				c = STMT_INDEX;
			} else if (sql_tok_is(s, kind, "FOREIGN")) {
				for (k += 4; k < n && !sql_tok_is(s, &t[k], "REFERENCES"); k++)
					;
				k++;
				if ((out->tables[1] = qualified_name(s, t, n, &k))) {
					out->tables[0] = table;
					table = NULL;
					c = STMT_FKEY;
				}
			}
		}
		free(table);
	}
	free(t);
	return c;
}

/* Whether word (case-insensitive) is one of the NULL-terminated list. */
static bool
tok_in(const char *s, const sql_token *t, const char *const *words)
{
	for (; *words; words++)
		if (sql_tok_is(s, t, *words))
			return true;
	return false;
}

/*
 * SELECT pg_catalog.set_config(...) or pg_catalog.setval(...) with nothing
 * but literals for arguments: the only calls pg_dump writes on their own.
 */
static bool
literal_call(const char *s, const sql_token *t, size_t n)
{
	static const char *const fns[] = {"set_config", "setval", NULL};
	size_t k;

	if (n < 6 || !sql_tok_is(s, &t[1], "pg_catalog") || t[2].kind != SQL_TOK_OP || t[2].len != 1 ||
	    s[t[2].start] != '.' || !tok_in(s, &t[3], fns) || t[4].kind != SQL_TOK_LPAREN ||
	    t[n - 1].kind != SQL_TOK_RPAREN)
		return false;
	for (k = 5; k + 1 < n; k++) {
		bool comma = t[k].kind == SQL_TOK_OP && t[k].len == 1 && s[t[k].start] == ',';
		bool boolean = t[k].kind == SQL_TOK_WORD && (sql_tok_is(s, &t[k], "true") ||
		    sql_tok_is(s, &t[k], "false"));

		if (!comma && !boolean && t[k].kind != SQL_TOK_STRING && t[k].kind != SQL_TOK_NUMBER)
			return false;
	}
	return true;
}

/* GRANT/REVOKE of privileges ON something, not of a role's membership */
static bool
grants_on(const char *s, const sql_token *t, size_t n)
{
	for (size_t k = 1; k < n; k++)
		if (sql_tok_is(s, &t[k], "ON"))
			return true;
	return false;
}

const char *
stmt_refusal(const char *s, const sql_stmt *st)
{
	static const char *const cluster_objects[] = {"DATABASE", "ROLE", "USER", "GROUP", "TABLESPACE",
	    "SUBSCRIPTION", "SYSTEM", NULL};
	static const char *const create_modifiers[] = {"OR", "REPLACE", "UNIQUE", "UNLOGGED", "TRUSTED",
	    "PROCEDURAL", "CONSTRAINT", "DEFAULT", NULL};
	static const char *const own_sessions[] = {"ROLE", "SESSION", NULL};
	sql_token *t;
	size_t n, k;
	const char *why = NULL;

	if (st->meta) {
		static const char *const ok[] = {"\\restrict", "\\unrestrict"};

		for (k = 0; k < 2; k++)
			if (st->len >= strlen(ok[k]) && strncmp(s + st->start, ok[k], strlen(ok[k])) == 0 &&
			    (st->len == strlen(ok[k]) || isspace((unsigned char) s[st->start + strlen(ok[k])])))
				return NULL;
		return "a psql meta-command";
	}
	t = sql_tokens(s, st, &n);
	if (n > 0 && t[n - 1].kind == SQL_TOK_SEMI)
		n--;
	if (n == 0)
		why = NULL;
	else if (t[0].kind != SQL_TOK_WORD)
		why = "not a statement pg_dump writes";
	else if (sql_tok_is(s, &t[0], "CREATE")) {
		for (k = 1; k < n && tok_in(s, &t[k], create_modifiers); k++)
			;
		/* CREATE USER MAPPING belongs to a foreign server of the database */
		if (k >= n || (tok_in(s, &t[k], cluster_objects) &&
		    !(sql_tok_is(s, &t[k], "USER") && k + 1 < n && sql_tok_is(s, &t[k + 1], "MAPPING"))))
			why = "a command on the server's databases, roles, tablespaces or subscriptions";
	} else if (sql_tok_is(s, &t[0], "ALTER")) {
		if (n < 2 || tok_in(s, &t[1], cluster_objects))
			why = "a command on the server's databases, roles, tablespaces or subscriptions";
	} else if (sql_tok_is(s, &t[0], "GRANT") || sql_tok_is(s, &t[0], "REVOKE")) {
		if (!grants_on(s, t, n))
			why = "a grant of a role";
	} else if (sql_tok_is(s, &t[0], "SET")) {
		k = n > 1 && (sql_tok_is(s, &t[1], "LOCAL") || sql_tok_is(s, &t[1], "SESSION")) ? 2 : 1;
		if (n < 2 || tok_in(s, &t[k < n ? k : 1], own_sessions) ||
		    (k == 2 && sql_tok_is(s, &t[1], "SESSION") && sql_tok_is(s, &t[2], "AUTHORIZATION")))
			why = "a change of the session's role";
	} else if (sql_tok_is(s, &t[0], "SELECT")) {
		if (!literal_call(s, t, n))
			why = "a query (pg_dump writes only set_config and setval calls on literals)";
	} else if (!sql_tok_is(s, &t[0], "COMMENT") && !sql_tok_is(s, &t[0], "SECURITY") &&
	    !(n >= 3 && sql_tok_is(s, &t[0], "REFRESH") && sql_tok_is(s, &t[1], "MATERIALIZED")))
		why = "not a statement pg_dump writes";
	free(t);
	return why;
}

char *
stmt_owner_role(const char *s, const sql_stmt *st)
{
	size_t n, k;
	sql_token *t;
	char *role = NULL;

	if (st->meta)
		return NULL;
	t = sql_tokens(s, st, &n);
	if (n > 0 && t[n - 1].kind == SQL_TOK_SEMI)
		n--;
	if (owner_to(s, t, n)) {
		k = n - 1;
		role = qualified_name(s, t, n, &k);
		/* a role name is never qualified: "a.b" is not one */
		if (role && strchr(role, '\x1f')) {
			free(role);
			role = NULL;
		}
	}
	free(t);
	return role;
}

void
stmt_classify(const char *s, const sql_stmt *st, bool owners, stmt_kind *out)
{
	memset(out, 0, sizeof(*out));
	out->cls = classify(s, st, owners, out);
}

void
stmt_kind_free(stmt_kind *k)
{
	free(k->tables[0]);
	free(k->tables[1]);
	memset(k, 0, sizeof(*k));
}
