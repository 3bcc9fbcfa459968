/*
 * quote.h — the only way names and values get into SQL text.
 *
 * Identifiers are always double-quoted (embedded quotes doubled), so no
 * keyword list is needed and the result is correct for any name.  Literals
 * use standard single quotes, switching to E'' form when a backslash is
 * present, exactly as PQescapeLiteral does, but without needing a
 * connection and into a caller-owned buffer.
 */
#ifndef DBT_QUOTE_H
#define DBT_QUOTE_H

#include "util/strbuf.h"

void q_ident(strbuf *sb, const char *name);
void q_qualified(strbuf *sb, const char *schema, const char *name);
void q_literal(strbuf *sb, const char *value);
/* Conninfo value quoting: 'value' with \ and ' escaped (libpq connection strings). */
void q_conninfo_value(strbuf *sb, const char *value);

#endif
