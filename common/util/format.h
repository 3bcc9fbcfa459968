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

#endif
