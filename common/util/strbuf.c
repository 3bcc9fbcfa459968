/*
 * strbuf.c — growable buffers; see strbuf.h.
 */
#include "util/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
sb_init(strbuf *sb)
{
	sb->cap = 64;
	sb->len = 0;
	sb->data = xmalloc(sb->cap);
	sb->data[0] = '\0';
}

void
sb_free(strbuf *sb)
{
	free(sb->data);
	sb->data = NULL;
	sb->len = sb->cap = 0;
}

void
sb_reset(strbuf *sb)
{
	sb->len = 0;
	sb->data[0] = '\0';
}

void
sb_reserve(strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;

	if (need <= sb->cap)
		return;
	while (sb->cap < need)
		sb->cap *= 2;
	sb->data = xrealloc(sb->data, sb->cap);
}

void
sb_append_len(strbuf *sb, const void *s, size_t len)
{
	sb_reserve(sb, len);
	memcpy(sb->data + sb->len, s, len);
	sb->len += len;
	sb->data[sb->len] = '\0';
}

void
sb_append(strbuf *sb, const char *s)
{
	sb_append_len(sb, s, strlen(s));
}

void
sb_append_char(strbuf *sb, char c)
{
	sb_append_len(sb, &c, 1);
}

size_t
utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;

	if (len == 0 || len > n)
		return 0;
	for (size_t k = 1; k < len; k++)
		if ((s[k] & 0xc0) != 0x80)
			return 0;
	/* overlong three-byte forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return len;
}

void
sb_append_visible(strbuf *sb, const char *s)
{
	const unsigned char *u = (const unsigned char *) s;
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		size_t len = u[i] < 0x80 ? 1 : utf8_seq_len(u + i, n - i);

		/* one line of plain text: C0 controls (newline and tab too), DEL, C1, bad bytes */
		if (len == 0 || (len == 1 && (u[i] < 0x20 || u[i] == 0x7f)) ||
		    (len == 2 && u[i] == 0xc2 && u[i + 1] <= 0x9f)) {
			size_t bad = len ? len : 1;

			for (size_t k = 0; k < bad; k++)
				sb_appendf(sb, "\\x%02x", u[i + k]);
			i += bad;
			continue;
		}
		sb_append_len(sb, s + i, len);
		i += len;
	}
}

char *
str_visible(const char *s)
{
	strbuf sb;

	sb_init(&sb);
	sb_append_visible(&sb, s);
	return sb_steal(&sb);
}

void
sb_appendf(strbuf *sb, const char *fmt, ...)
{
	va_list ap, ap2;
	int n;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		xoom();
	sb_reserve(sb, (size_t) n);
	vsnprintf(sb->data + sb->len, (size_t) n + 1, fmt, ap);
	sb->len += (size_t) n;
	va_end(ap);
}

char *
sb_steal(strbuf *sb)
{
	char *p = sb->data;

	sb->data = NULL;
	sb->len = sb->cap = 0;
	return p;
}
