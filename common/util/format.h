/*
 * format.h — sizes and ages as people read them: "1.4 GiB", "3d".
 */
#ifndef DBT_FORMAT_H
#define DBT_FORMAT_H

#include <stddef.h>

/* "45s", "12m", "5h", "3d", "2w"; "future" for a time more than a minute ahead. */
void fmt_age(long long seconds, char *buf, size_t size);
/* "512 B", "1.5 KiB", "37 MiB" (binary units). */
void fmt_size(unsigned long long bytes, char *buf, size_t size);
/*
 * A size as people write it: a whole number of bytes, or followed by a unit,
 * with or without a space: kB MB GB TB (powers of 1000), KiB MiB GiB TiB or
 * K M G T (powers of 1024), B.  0, or -1 when malformed or over 2^62.
 */
int parse_size(const char *text, long long *bytes);

#endif
