/*
 * pattern.c — name patterns as regular expressions; see pattern.h.
 */
#include "sql/pattern.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sql/quote.h"

#define PAT_ANY "^(.*)$"

void
pat_convert(const char *pattern, int parts, int encoding, pat_regex *out)
{
	strbuf buf[3], literal;
	int cur = 0, last = parts >= 3 ? 2 : parts == 2 ? 1 : 0;
	bool inquotes = false, left = true;
	const char *cp = pattern;

	memset(out, 0, sizeof(*out));
	sb_init(&literal);
	sb_init(&buf[0]);
	sb_append(&buf[0], "^(");
	while (*cp) {
		char ch = *cp;

		if (ch == '"') {
			if (inquotes && cp[1] == '"') {
				/* "" inside quotes: one quote, still inside */
				sb_append_char(&buf[cur], '"');
				if (left)
					sb_append_char(&literal, '"');
				cp++;
			} else
				inquotes = !inquotes;
			cp++;
		} else if (!inquotes && ch >= 'A' && ch <= 'Z') {
			char lower = (char) (ch - 'A' + 'a');

			sb_append_char(&buf[cur], lower);
			if (left)
				sb_append_char(&literal, lower);
			cp++;
		} else if (!inquotes && ch == '*') {
			sb_append(&buf[cur], ".*");
			if (left)
				sb_append_char(&literal, '*');
			cp++;
		} else if (!inquotes && ch == '?') {
			sb_append_char(&buf[cur], '.');
			if (left)
				sb_append_char(&literal, '?');
			cp++;
		} else if (!inquotes && ch == '.') {
			left = false;
			out->dots++;
			if (cur < last) {
				sb_append(&buf[cur], ")$");
				cur++;
				sb_init(&buf[cur]);
				sb_append(&buf[cur], "^(");
			} else
				sb_append_char(&buf[cur], '.');
			cp++;
		} else if (ch == '$') {
			/* allowed in identifiers, and meaningless in an anchored pattern: always literal */
			sb_append(&buf[cur], "\\$");
			if (left)
				sb_append_char(&literal, '$');
			cp++;
		} else {
			int len;

			/*
			 * Inside quotes every regular expression character is literal;
			 * outside, they keep their meaning, except "[]" (an array type
			 * name rather than a bracket expression).
			 */
			if (inquotes && strchr("|*+?()[]{}.^$\\", ch))
				sb_append_char(&buf[cur], '\\');
			else if (ch == '[' && cp[1] == ']')
				sb_append_char(&buf[cur], '\\');
			len = PQmblenBounded(cp, encoding);
			if (len < 1)
				len = 1;
			while (len-- > 0 && *cp) {
				if (left)
					sb_append_char(&literal, *cp);
				sb_append_char(&buf[cur], *cp++);
			}
		}
	}
	sb_append(&buf[cur], ")$");
	out->name = sb_steal(&buf[cur]);
	if (cur > 0) {
		out->schema = sb_steal(&buf[cur - 1]);
		if (cur > 1) {
			/* the database part is a name to compare, not a regular expression */
			out->db = sb_steal(&literal);
			sb_free(&buf[0]);
		}
	}
	sb_free(&literal);
}

void
pat_regex_free(pat_regex *r)
{
	free(r->db);
	free(r->schema);
	free(r->name);
	memset(r, 0, sizeof(*r));
}

static void
append_match(strbuf *sql, const char *col, const char *regex)
{
	sb_appendf(sql, " AND %s OPERATOR(pg_catalog.~) ", col);
	q_literal(sql, regex);
	/* the database's collation decides what classes like \w match, not the "C" of name columns */
	sb_append(sql, " COLLATE pg_catalog.default");
}

void
pat_append_where(strbuf *sql, const pat_regex *r, const char *schemacol, const char *namecol,
    const char *visibility)
{
	if (r->name && strcmp(r->name, PAT_ANY) != 0)
		append_match(sql, namecol, r->name);
	if (r->schema && schemacol) {
		if (strcmp(r->schema, PAT_ANY) != 0)
			append_match(sql, schemacol, r->schema);
	} else if (visibility)
		sb_appendf(sql, " AND %s", visibility);
}
