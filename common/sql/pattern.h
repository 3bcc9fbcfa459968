/*
 * pattern.h — psql's and pg_dump's name patterns ("*", "?", double quotes,
 * "schema.table", "database.schema.table") as the regular expressions
 * PostgreSQL matches names with, converted as pg_dump converts them
 * (patternToSQLRegex and processSQLNamePattern in PostgreSQL's
 * src/fe_utils/string_utils.c), and the conditions that match them on the
 * server: OPERATOR(pg_catalog.~) against a quoted literal, never the
 * pattern's own text in the SQL.
 *
 * Outside double quotes letters are folded to lower case, "*" becomes
 * ".*", "?" becomes "." and "." separates the parts; other characters pass
 * through, so that regular expression syntax ("[ab]", "a|b") works as in
 * psql, except "$", which is always literal, and "[]".  Inside double
 * quotes every character is literal ("" is one quote).  Each part is
 * anchored: "^(...)$".
 */
#ifndef DBT_PATTERN_H
#define DBT_PATTERN_H

#include "util/strbuf.h"

typedef struct pat_regex {
	char *db;          /* the database part, as a name (not a regex); NULL without one */
	char *schema;      /* "^(...)$" for the schema part; NULL without one */
	char *name;        /* "^(...)$" for the last part */
	int dots;          /* separators outside double quotes, every one counted */
} pat_regex;

/*
 * Convert pattern.  parts: 3 for a relation pattern (up to
 * database.schema.name), 1 for a schema pattern (every "." stays in the
 * name, as pg_dump leaves it: the caller refuses dots there).  encoding is
 * the connection's client encoding (PQclientEncoding), so that a multibyte
 * character is never taken apart.
 */
void pat_convert(const char *pattern, int parts, int encoding, pat_regex *out);
void pat_regex_free(pat_regex *r);

/*
 * Append " AND ..." conditions matching r to sql: namecol against
 * r->name, and schemacol against r->schema or, when the pattern has no
 * schema part, the condition visibility (NULL: none).  A part that is
 * "^(.*)$" adds no condition, as in psql.
 */
void pat_append_where(strbuf *sql, const pat_regex *r, const char *schemacol, const char *namecol,
    const char *visibility);

#endif
