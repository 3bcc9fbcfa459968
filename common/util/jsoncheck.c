/*
 * jsoncheck.c — strict JSON; see jsoncheck.h.  A recursive-descent scan
 * (depth-bounded) that builds nothing but, per object, the list of its keys
 * to find duplicates (sorted: a hostile object with many keys costs
 * n log n, not n squared).
 */
#include "util/jsoncheck.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

#define MAX_DEPTH 64

typedef struct scan {
	const unsigned char *s;
	size_t len, pos;
	json_check_error *e;
	bool failed;
} scan;

typedef struct key {
	size_t start, len;           /* the raw key between its quotes */
	const unsigned char *s;
} key;

static int value(scan *sc, int depth);

static int
fail_at(scan *sc, const char *what)
{
	if (!sc->failed) {
		snprintf(sc->e->what, sizeof(sc->e->what), "%s", what);
		sc->e->offset = sc->pos;
	}
	sc->failed = true;
	return -1;
}

/* Something the grammar does not allow at pos: the forms lenient parsers take are named. */
static int
unexpected(scan *sc, const char *what)
{
	const unsigned char *p = sc->s + sc->pos;
	size_t left = sc->len - sc->pos;

	if (left == 0)
		return fail_at(sc, "unexpected end");
	if (left >= 2 && p[0] == '/' && (p[1] == '/' || p[1] == '*'))
		return fail_at(sc, "comment (JSON has none)");
	if (left >= 1 && p[0] == '\'')
		return fail_at(sc, "single quotes (JSON strings take double quotes)");
	if (sc->pos == 0 && left >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		return fail_at(sc, "byte order mark (not allowed at the start of JSON text)");
	return fail_at(sc, what);
}

static void
skip_space(scan *sc)
{
	while (sc->pos < sc->len && strchr(" \t\r\n", sc->s[sc->pos]) && sc->s[sc->pos])
		sc->pos++;
}

static int
hex4(scan *sc, unsigned *out)
{
	*out = 0;
	for (int i = 0; i < 4; i++) {
		unsigned char c = sc->pos < sc->len ? sc->s[sc->pos] : 0;
		unsigned d = c >= '0' && c <= '9' ? (unsigned) (c - '0') :
		    c >= 'a' && c <= 'f' ? (unsigned) (c - 'a') + 10u :
		    c >= 'A' && c <= 'F' ? (unsigned) (c - 'A') + 10u : 16u;

		if (d == 16)
			return fail_at(sc, "bad \\u escape");
		*out = *out * 16 + d;
		sc->pos++;
	}
	return 0;
}

/* a string at pos (at its opening quote); *start and *slen: the raw bytes between the quotes */
static int
string(scan *sc, size_t *start, size_t *slen)
{
	sc->pos++;
	*start = sc->pos;
	while (sc->pos < sc->len) {
		unsigned char c = sc->s[sc->pos];

		if (c == '"') {
			*slen = sc->pos - *start;
			sc->pos++;
			return 0;
		}
		if (c < 0x20)
			return fail_at(sc, "control character in a string");
		if (c == '\\') {
			unsigned u, lo;

			sc->pos++;
			c = sc->pos < sc->len ? sc->s[sc->pos] : 0;
			if (!c || !strchr("\"\\/bfnrtu", c))
				return fail_at(sc, "bad escape in a string");
			sc->pos++;
			if (c != 'u')
				continue;
			if (hex4(sc, &u) < 0)
				return -1;
			if (u == 0)
				return fail_at(sc, "\\u0000 in a string");
			if (u >= 0xdc00 && u <= 0xdfff)
				return fail_at(sc, "lone low surrogate in a string");
			if (u >= 0xd800 && u <= 0xdbff) {
				if (sc->pos + 1 >= sc->len || sc->s[sc->pos] != '\\' || sc->s[sc->pos + 1] != 'u')
					return fail_at(sc, "lone high surrogate in a string");
				sc->pos += 2;
				if (hex4(sc, &lo) < 0)
					return -1;
				if (lo < 0xdc00 || lo > 0xdfff)
					return fail_at(sc, "bad surrogate pair in a string");
			}
			continue;
		}
		if (c >= 0x80) {
			size_t n = utf8_seq_len(sc->s + sc->pos, sc->len - sc->pos);

			if (n == 0)
				return fail_at(sc, "invalid UTF-8 in a string");
			sc->pos += n;
			continue;
		}
		sc->pos++;
	}
	return fail_at(sc, "unterminated string");
}

static int
number(scan *sc)
{
	size_t p = sc->pos;

	if (p < sc->len && sc->s[p] == '-')
		p++;
	if (p < sc->len && sc->s[p] == '0')
		p++;
	else if (p < sc->len && sc->s[p] >= '1' && sc->s[p] <= '9')
		while (p < sc->len && sc->s[p] >= '0' && sc->s[p] <= '9')
			p++;
	else
		return fail_at(sc, "not a JSON value");
	if (p < sc->len && sc->s[p] == '.') {
		size_t d = ++p;

		while (p < sc->len && sc->s[p] >= '0' && sc->s[p] <= '9')
			p++;
		if (p == d)
			return fail_at(sc, "bad number");
	}
	if (p < sc->len && (sc->s[p] == 'e' || sc->s[p] == 'E')) {
		size_t d;

		p++;
		if (p < sc->len && (sc->s[p] == '+' || sc->s[p] == '-'))
			p++;
		d = p;
		while (p < sc->len && sc->s[p] >= '0' && sc->s[p] <= '9')
			p++;
		if (p == d)
			return fail_at(sc, "bad number");
	}
	sc->pos = p;
	return 0;
}

static int
cmp_key(const void *a, const void *b)
{
	const key *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s + x->start, y->s + y->start, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* equal keys in the order written, so that a duplicate is reported where it is repeated */
static int
cmp_key_then_place(const void *a, const void *b)
{
	const key *x = a, *y = b;
	int c = cmp_key(a, b);

	return c ? c : (x->start > y->start) - (x->start < y->start);
}

/* The first key of an object that repeats an earlier one; -1 after reporting it, else 0. */
static int
duplicate_keys(scan *sc, key *keys, size_t n)
{
	const key *dup = NULL;
	char what[96];
	bool printable = true;

	/* keys compared as written: "a" and "\u0061" count as two, which json-c keeps apart too */
	qsort(keys, n, sizeof(*keys), cmp_key_then_place);
	for (size_t i = 1; i < n; i++)
		if (cmp_key(&keys[i - 1], &keys[i]) == 0 && (!dup || keys[i].start < dup->start))
			dup = &keys[i];
	if (!dup)
		return 0;
	sc->pos = dup->start - 1;
	for (size_t i = 0; i < dup->len; i++)
		printable &= dup->s[dup->start + i] >= 0x20 && dup->s[dup->start + i] < 0x7f;
	if (printable && dup->len <= 40)
		snprintf(what, sizeof(what), "duplicate key \"%.*s\"", (int) dup->len,
		    (const char *) dup->s + dup->start);
	else
		snprintf(what, sizeof(what), "duplicate key in an object");
	return fail_at(sc, what);
}

static int
object(scan *sc, int depth)
{
	key *keys = NULL;
	size_t n = 0, cap = 0, comma = 0;
	int rc = 0;

	sc->pos++;
	skip_space(sc);
	if (sc->pos < sc->len && sc->s[sc->pos] == '}') {
		sc->pos++;
		return 0;
	}
	for (;;) {
		size_t start, slen;

		skip_space(sc);
		if (n > 0 && sc->pos < sc->len && sc->s[sc->pos] == '}') {
			sc->pos = comma;
			rc = fail_at(sc, "trailing comma");
			break;
		}
		if (sc->pos >= sc->len || sc->s[sc->pos] != '"') {
			rc = unexpected(sc, "expected a key");
			break;
		}
		if ((rc = string(sc, &start, &slen)) < 0)
			break;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			keys = xrealloc(keys, cap * sizeof(*keys));
		}
		keys[n++] = (key) {start, slen, sc->s};
		skip_space(sc);
		if (sc->pos >= sc->len || sc->s[sc->pos] != ':') {
			rc = unexpected(sc, "expected ':'");
			break;
		}
		sc->pos++;
		if ((rc = value(sc, depth + 1)) < 0)
			break;
		skip_space(sc);
		if (sc->pos < sc->len && sc->s[sc->pos] == ',') {
			comma = sc->pos++;
			continue;
		}
		if (sc->pos < sc->len && sc->s[sc->pos] == '}') {
			sc->pos++;
			break;
		}
		rc = unexpected(sc, "expected ',' or '}'");
		break;
	}
	if (rc == 0 && n > 1)
		rc = duplicate_keys(sc, keys, n);
	free(keys);
	return rc;
}

static int
array(scan *sc, int depth)
{
	sc->pos++;
	skip_space(sc);
	if (sc->pos < sc->len && sc->s[sc->pos] == ']') {
		sc->pos++;
		return 0;
	}
	for (;;) {
		size_t comma;

		if (value(sc, depth + 1) < 0)
			return -1;
		skip_space(sc);
		if (sc->pos < sc->len && sc->s[sc->pos] == ',') {
			comma = sc->pos++;
			skip_space(sc);
			if (sc->pos < sc->len && sc->s[sc->pos] == ']') {
				sc->pos = comma;
				return fail_at(sc, "trailing comma");
			}
			continue;
		}
		if (sc->pos < sc->len && sc->s[sc->pos] == ']') {
			sc->pos++;
			return 0;
		}
		return unexpected(sc, "expected ',' or ']'");
	}
}

static int
literal(scan *sc, const char *word)
{
	size_t n = strlen(word);

	if (sc->len - sc->pos < n || memcmp(sc->s + sc->pos, word, n) != 0)
		return fail_at(sc, "not a JSON value");
	sc->pos += n;
	return 0;
}

static int
value(scan *sc, int depth)
{
	size_t start, slen;

	if (depth > MAX_DEPTH)
		return fail_at(sc, "nested too deeply");
	skip_space(sc);
	if (sc->pos >= sc->len)
		return fail_at(sc, "unexpected end");
	switch (sc->s[sc->pos]) {
	case '{':
		return object(sc, depth);
	case '[':
		return array(sc, depth);
	case '"':
		return string(sc, &start, &slen);
	case 't':
		return literal(sc, "true");
	case 'f':
		return literal(sc, "false");
	case 'n':
		return literal(sc, "null");
	case '-':
		return number(sc);
	default:
		if (sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9')
			return number(sc);
		return unexpected(sc, "not a JSON value");
	}
}

/* line and column (1-based, counting characters) of byte offset */
static void
locate(const unsigned char *s, size_t offset, size_t *line, size_t *column)
{
	*line = *column = 1;
	for (size_t i = 0; i < offset; i++)
		if (s[i] == '\n') {
			(*line)++;
			*column = 1;
		} else if ((s[i] & 0xc0) != 0x80) {
			(*column)++;
		}
}

int
json_check_strict_at(const char *text, size_t len, json_check_error *e)
{
	scan sc = {(const unsigned char *) text, len, 0, e, false};

	memset(e, 0, sizeof(*e));
	if (value(&sc, 0) == 0) {
		skip_space(&sc);
		if (sc.pos == sc.len)
			return 0;
		(void) unexpected(&sc, "trailing bytes after the document");
	}
	locate(sc.s, e->offset, &e->line, &e->column);
	return -1;
}

int
json_check_strict(const char *text, size_t len, char *err, size_t errsize)
{
	json_check_error e;

	if (json_check_strict_at(text, len, &e) == 0)
		return 0;
	snprintf(err, errsize, "%s at byte %zu", e.what, e.offset);
	return -1;
}
