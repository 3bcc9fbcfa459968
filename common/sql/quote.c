/*
 * quote.c — identifier, literal and conninfo quoting; see quote.h.
 */
#include "sql/quote.h"

#include <string.h>

void
q_ident(strbuf *sb, const char *name)
{
	sb_append_char(sb, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			sb_append_char(sb, '"');
		sb_append_char(sb, *p);
	}
	sb_append_char(sb, '"');
}

void
q_qualified(strbuf *sb, const char *schema, const char *name)
{
	q_ident(sb, schema);
	sb_append_char(sb, '.');
	q_ident(sb, name);
}

void
q_literal(strbuf *sb, const char *value)
{
	if (strchr(value, '\\'))
		sb_append(sb, "E");
	sb_append_char(sb, '\'');
	for (const char *p = value; *p; p++) {
		if (*p == '\'' || *p == '\\')
			sb_append_char(sb, *p);
		sb_append_char(sb, *p);
	}
	sb_append_char(sb, '\'');
}

void
q_conninfo_value(strbuf *sb, const char *value)
{
	sb_append_char(sb, '\'');
	for (const char *p = value; *p; p++) {
		if (*p == '\'' || *p == '\\')
			sb_append_char(sb, '\\');
		sb_append_char(sb, *p);
	}
	sb_append_char(sb, '\'');
}
