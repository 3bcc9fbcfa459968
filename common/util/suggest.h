/*
 * suggest.h — "did you mean": the closest of a set of names to a mistyped
 * one, by edit distance (insertions, deletions, substitutions and swaps of
 * two neighbours each count one).
 */
#ifndef DBT_SUGGEST_H
#define DBT_SUGGEST_H

#include <stddef.h>

/* The edit distance between a and b (capped at 255 characters each). */
size_t suggest_distance(const char *a, const char *b);
/*
 * The candidate closest to name when it is close enough to be a typo (at
 * most 2 edits away, or a third of the name's length when that is more, and
 * fewer edits than the name has characters); NULL when none is.  The result
 * points into candidates.
 */
const char *suggest_closest(const char *name, const char *const *candidates, size_t n);

#endif
