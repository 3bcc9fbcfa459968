/*
 * mem.h — checked allocation: failure aborts (there is no sensible recovery
 * in a CLI tool); string vectors; freeing secrets so that they do not stay
 * in freed memory.
 */
#ifndef DBT_MEM_H
#define DBT_MEM_H

#include <stddef.h>

#include "util/log.h"

/* Report "out of memory" and abort. */
void xoom(void);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) LOG_PRINTF(1, 2);
/* A NULL-terminated copy of the n strings of v. */
char **strv_dup(char *const *v, size_t n);
/* Free the n strings of v, then v itself; NULL is fine. */
void strv_free(char **v, size_t n);
/* Overwrite a NUL-terminated secret (a password) with zeros, then free it; NULL is fine. */
void free_secret(char *s);

#endif
