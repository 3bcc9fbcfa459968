/*
 * suggest.c — the closest name to a typo; see suggest.h.
 */
#include "util/suggest.h"

#include <string.h>

#define SUGGEST_MAX 255

size_t
suggest_distance(const char *a, const char *b)
{
	/* optimal string alignment distance over three rows */
	size_t la = strnlen(a, SUGGEST_MAX), lb = strnlen(b, SUGGEST_MAX);
	size_t rows[3][SUGGEST_MAX + 1];
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t *t;

		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t d = prev[j] + 1;

			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (prev[j - 1] + cost < d)
				d = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

const char *
suggest_closest(const char *name, const char *const *candidates, size_t n)
{
	size_t len = strlen(name), limit = len / 3 > 2 ? len / 3 : 2, best_d = (size_t) -1;
	const char *best = NULL;

	for (size_t i = 0; i < n; i++) {
		size_t d = suggest_distance(name, candidates[i]);

		if (d <= limit && d < len && d < best_d) {
			best = candidates[i];
			best_d = d;
		}
	}
	return best;
}
