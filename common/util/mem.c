/*
 * mem.c — checked allocation, string vectors, wiping secrets; see mem.h.
 */
#include "util/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
xoom(void)
{
	fputs("out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		xoom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		xoom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		xoom();
	return p;
}

char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		xoom();
	return d;
}

char **
strv_dup(char *const *v, size_t n)
{
	char **d = xcalloc(n + 1, sizeof(char *));

	for (size_t i = 0; i < n; i++)
		d[i] = xstrdup(v[i]);
	return d;
}

void
strv_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap, ap2;
	int n;
	char *s;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		xoom();
	s = xmalloc((size_t) n + 1);
	vsnprintf(s, (size_t) n + 1, fmt, ap);
	va_end(ap);
	return s;
}

void
free_secret(char *s)
{
	if (!s)
		return;
	/* memset before free could be dropped by the compiler; explicit_bzero cannot */
	explicit_bzero(s, strlen(s));
	free(s);
}
