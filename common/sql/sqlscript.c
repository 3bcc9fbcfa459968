/*
 * sqlscript.c — SQL lexer and statement splitter; see sqlscript.h.
 */
#include "sql/sqlscript.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/mem.h"

void
sql_lex_init(sql_lexer *lx, const char *s, size_t len)
{
	lx->s = s;
	lx->len = len;
	lx->pos = 0;
	lx->line = 1;
	lx->at_stmt_start = true;
}

static bool
ident_start(unsigned char c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

static bool
ident_cont(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* Advance to end (exclusive), counting newlines. */
static void
advance(sql_lexer *lx, size_t end)
{
	for (size_t i = lx->pos; i < end; i++)
		if (lx->s[i] == '\n')
			lx->line++;
	lx->pos = end;
}

/* End of a quoted run starting after the opening quote q; backslash escapes when esc. SIZE_MAX if unterminated. */
static size_t
quoted_end(const char *s, size_t len, size_t i, char q, bool esc)
{
	while (i < len) {
		if (esc && s[i] == '\\') {
			i += 2;
			continue;
		}
		if (s[i] == q) {
			if (i + 1 < len && s[i + 1] == q) {
				i += 2;
				continue;
			}
			return i + 1;
		}
		i++;
	}
	return (size_t) -1;
}

/* A dollar-quote tag at i ("$$" or "$tag$"): its length, or 0. */
static size_t
dollar_tag(const char *s, size_t len, size_t i)
{
	size_t j = i + 1;

	if (j < len && s[j] == '$')
		return 2;
	if (j >= len || !ident_start((unsigned char) s[j]))
		return 0;
	while (j < len && ident_cont((unsigned char) s[j]) && s[j] != '$')
		j++;
	return j < len && s[j] == '$' ? j - i + 1 : 0;
}

enum sql_tok
sql_lex_next(sql_lexer *lx, sql_token *t)
{
	const char *s = lx->s;
	size_t len = lx->len, i = lx->pos, end;
	unsigned char c;

	t->start = i;
	t->line = lx->line;
	if (i >= len) {
		t->len = 0;
		return t->kind = SQL_TOK_EOF;
	}
	c = (unsigned char) s[i];
	if (isspace(c)) {
		end = i;
		while (end < len && isspace((unsigned char) s[end]))
			end++;
		t->kind = SQL_TOK_SPACE;
	} else if (c == '-' && i + 1 < len && s[i + 1] == '-') {
		end = i;
		while (end < len && s[end] != '\n')
			end++;
		t->kind = SQL_TOK_COMMENT;
	} else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
		int depth = 0;

		end = i;
		t->kind = SQL_TOK_ERROR;
		while (end + 1 < len) {
			if (s[end] == '/' && s[end + 1] == '*') {
				depth++;
				end += 2;
			} else if (s[end] == '*' && s[end + 1] == '/') {
				end += 2;
				if (--depth == 0) {
					t->kind = SQL_TOK_COMMENT;
					break;
				}
			} else
				end++;
		}
		if (t->kind == SQL_TOK_ERROR)
			end = len;
	} else if (c == '\\' && lx->at_stmt_start) {
		end = i;
		while (end < len && s[end] != '\n')
			end++;
		t->kind = SQL_TOK_META;
	} else if (c == '\'' || c == '"') {
		end = quoted_end(s, len, i + 1, (char) c, false);
		t->kind = c == '"' ? SQL_TOK_QIDENT : SQL_TOK_STRING;
	} else if ((c == 'E' || c == 'e') && i + 1 < len && s[i + 1] == '\'') {
		end = quoted_end(s, len, i + 2, '\'', true);
		t->kind = SQL_TOK_STRING;
	} else if (strchr("BbXxNn", c) && i + 1 < len && s[i + 1] == '\'') {
		end = quoted_end(s, len, i + 2, '\'', false);
		t->kind = SQL_TOK_STRING;
	} else if ((c == 'U' || c == 'u') && i + 2 < len && s[i + 1] == '&' &&
	    (s[i + 2] == '\'' || s[i + 2] == '"')) {
		end = quoted_end(s, len, i + 3, s[i + 2], false);
		t->kind = s[i + 2] == '"' ? SQL_TOK_QIDENT : SQL_TOK_STRING;
	} else if (c == '$' && i + 1 < len && isdigit((unsigned char) s[i + 1])) {
		end = i + 1;
		while (end < len && isdigit((unsigned char) s[end]))
			end++;
		t->kind = SQL_TOK_PARAM;
	} else if (c == '$' && (end = dollar_tag(s, len, i)) > 0) {
		size_t taglen = end;
		const char *close = NULL;

		for (size_t j = i + taglen; j + taglen <= len; j++)
			if (s[j] == '$' && memcmp(s + j, s + i, taglen) == 0) {
				close = s + j;
				break;
			}
		end = close ? (size_t) (close - s) + taglen : (size_t) -1;
		t->kind = SQL_TOK_DOLLAR;
	} else if (ident_start(c)) {
		end = i + 1;
		while (end < len && ident_cont((unsigned char) s[end]))
			end++;
		t->kind = SQL_TOK_WORD;
	} else if (isdigit(c) || (c == '.' && i + 1 < len && isdigit((unsigned char) s[i + 1]))) {
		end = i + 1;
		while (end < len && (isalnum((unsigned char) s[end]) || s[end] == '.' || s[end] == '_'))
			end++;
		t->kind = SQL_TOK_NUMBER;
	} else if (c == ';') {
		end = i + 1;
		t->kind = SQL_TOK_SEMI;
	} else if (c == '(' || c == ')') {
		end = i + 1;
		t->kind = c == '(' ? SQL_TOK_LPAREN : SQL_TOK_RPAREN;
	} else if (c == ':' && i + 1 < len && s[i + 1] == ':') {
		end = i + 2;
		t->kind = SQL_TOK_OP;
	} else if (c == ':') {
		end = i + 1;
		t->kind = SQL_TOK_COLON;
	} else {
		end = i + 1;
		t->kind = SQL_TOK_OP;
	}
	if (end == (size_t) -1) {
		end = len;
		t->kind = SQL_TOK_ERROR;
	}
	advance(lx, end);
	t->len = end - i;
	if (t->kind == SQL_TOK_SEMI || t->kind == SQL_TOK_META)
		lx->at_stmt_start = true;
	else if (t->kind != SQL_TOK_SPACE && t->kind != SQL_TOK_COMMENT)
		lx->at_stmt_start = false;
	return t->kind;
}

bool
sql_tok_is(const char *s, const sql_token *t, const char *kw)
{
	return t->kind == SQL_TOK_WORD && strlen(kw) == t->len && strncasecmp(s + t->start, kw, t->len) == 0;
}

/*
 * psqlscan.l's heuristic for SQL-standard function bodies: in a statement
 * that starts CREATE [OR REPLACE] FUNCTION|PROCEDURE, BEGIN ... END (with
 * CASE ... END inside) outside parentheses hides semicolons.
 */
typedef struct body_state {
	char first[4];   /* lower-cased first letters of the first four words */
	int words;
	int begin_depth;
} body_state;

static void
body_track(body_state *b, const char *s, const sql_token *t, int paren_depth)
{
	static const char *const lead[] = {"create", "function", "procedure", "or", "replace"};

	if (b->words < 4) {
		b->first[b->words] = '\0';
		for (size_t k = 0; k < sizeof(lead) / sizeof(lead[0]); k++)
			if (sql_tok_is(s, t, lead[k]))
				b->first[b->words] = lead[k][0];
	}
	b->words++;
	if (b->first[0] == 'c' && (b->first[1] == 'f' || b->first[1] == 'p' ||
	    (b->first[1] == 'o' && b->first[2] == 'r' && (b->first[3] == 'f' || b->first[3] == 'p'))) &&
	    paren_depth == 0) {
		if (sql_tok_is(s, t, "begin"))
			b->begin_depth++;
		else if (sql_tok_is(s, t, "case") && b->begin_depth >= 1)
			b->begin_depth++;
		else if (sql_tok_is(s, t, "end") && b->begin_depth > 0)
			b->begin_depth--;
	}
}

int
sql_split(const char *s, size_t len, sql_stmt **out, size_t *n, char *err, size_t errsize)
{
	sql_lexer lx;
	sql_token t;
	sql_stmt *v = NULL;
	size_t nv = 0, cap = 0;
	bool open = false;
	size_t start = 0, last_end = 0;
	int line = 0, paren = 0;
	body_state body;

	sql_lex_init(&lx, s, len);
	memset(&body, 0, sizeof(body));
	for (;;) {
		enum sql_tok k = sql_lex_next(&lx, &t);
		bool close = false, meta = false;

		if (k == SQL_TOK_ERROR) {
			snprintf(err, errsize, "line %d: unterminated quoted string, identifier or comment",
			    t.line);
			free(v);
			return -1;
		}
		if (k == SQL_TOK_SPACE || k == SQL_TOK_COMMENT)
			continue;
		if (k == SQL_TOK_EOF) {
			if (!open)
				break;
			close = true;
		} else {
			if (!open && k != SQL_TOK_SEMI) {
				open = true;
				start = t.start;
				line = t.line;
				paren = 0;
				memset(&body, 0, sizeof(body));
			}
			if (open)
				last_end = t.start + t.len;
			if (k == SQL_TOK_META) {
				close = true;
				meta = true;
			} else if (k == SQL_TOK_LPAREN)
				paren++;
			else if (k == SQL_TOK_RPAREN && paren > 0)
				paren--;
			else if (k == SQL_TOK_WORD)
				body_track(&body, s, &t, paren);
			else if (k == SQL_TOK_SEMI && paren == 0 && body.begin_depth == 0)
				close = open;
		}
		if (close) {
			if (nv == cap) {
				cap = cap ? cap * 2 : 64;
				v = xrealloc(v, cap * sizeof(*v));
			}
			v[nv].start = start;
			v[nv].len = last_end - start;
			v[nv].line = line;
			v[nv].meta = meta;
			nv++;
			open = false;
		}
		if (k == SQL_TOK_EOF)
			break;
	}
	*out = v;
	*n = nv;
	return 0;
}

sql_token *
sql_tokens(const char *s, const sql_stmt *st, size_t *n)
{
	sql_lexer lx;
	sql_token t, *v = NULL;
	size_t nv = 0, cap = 0;

	sql_lex_init(&lx, s + st->start, st->len);
	while (sql_lex_next(&lx, &t) != SQL_TOK_EOF) {
		if (t.kind == SQL_TOK_SPACE || t.kind == SQL_TOK_COMMENT)
			continue;
		if (nv == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		t.start += st->start;
		v[nv++] = t;
		if (t.kind == SQL_TOK_ERROR)
			break;
	}
	*n = nv;
	return v;
}
