/*
 * strbuf.h — a growable, always NUL-terminated byte buffer owned by its caller,
 * and printable copies of untrusted text.  Allocation goes through mem.h.
 */
#ifndef DBT_STRBUF_H
#define DBT_STRBUF_H

#include <stddef.h>

#include "util/log.h"
#include "util/mem.h"

typedef struct strbuf {
	char *data;   /* always NUL-terminated once initialised */
	size_t len;
	size_t cap;
} strbuf;

void sb_init(strbuf *sb);
void sb_free(strbuf *sb);
void sb_reset(strbuf *sb);
void sb_reserve(strbuf *sb, size_t extra);
void sb_append(strbuf *sb, const char *s);
void sb_append_len(strbuf *sb, const void *s, size_t len);
void sb_append_char(strbuf *sb, char c);
/*
 * s as one line of plain text, for printing: control characters (newline
 * and tab included, C1 as UTF-8 too) and bytes that are not UTF-8 as \xNN.
 */
void sb_append_visible(strbuf *sb, const char *s);
/*
 * Length of the valid UTF-8 sequence of 2 to 4 bytes at s (n bytes left),
 * or 0 when there is none (a stray byte, a cut or overlong sequence, a
 * surrogate, beyond U+10FFFF).
 */
size_t utf8_seq_len(const unsigned char *s, size_t n);
/* A copy of s as sb_append_visible writes it; caller frees. */
char *str_visible(const char *s);
void sb_appendf(strbuf *sb, const char *fmt, ...) LOG_PRINTF(2, 3);
/* Hand the buffer to the caller (free() it); sb is left empty. */
char *sb_steal(strbuf *sb);

#endif
