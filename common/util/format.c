/*
 * format.c — sizes and ages for people; see format.h.
 */
#include "util/format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
fmt_age(long long s, char *buf, size_t size)
{
	/* a minute of clock skew is "0s"; more is a time that has not come yet */
	if (s < -60) {
		snprintf(buf, size, "future");
		return;
	}
	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(buf, size, "%llds", s);
	else if (s < 2 * 3600)
		snprintf(buf, size, "%lldm", s / 60);
	else if (s < 2 * 86400)
		snprintf(buf, size, "%lldh", s / 3600);
	else if (s < 14 * 86400)
		snprintf(buf, size, "%lldd", s / 86400);
	else
		snprintf(buf, size, "%lldw", s / (7 * 86400));
}

void
fmt_size(unsigned long long b, char *buf, size_t size)
{
	static const char *unit[] = {"KiB", "MiB", "GiB", "TiB"};
	double v = (double) b;
	int u = -1;

	if (b < 1024) {
		snprintf(buf, size, "%llu B", b);
		return;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, v < 10 ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

int
parse_size(const char *text, long long *bytes)
{
	static const struct {
		const char *unit;
		long long factor;
	} units[] = {
		{"", 1}, {"B", 1},
		{"kB", 1000LL}, {"KB", 1000LL}, {"MB", 1000LL * 1000}, {"GB", 1000LL * 1000 * 1000},
		{"TB", 1000LL * 1000 * 1000 * 1000},
		{"K", 1LL << 10}, {"KiB", 1LL << 10}, {"M", 1LL << 20}, {"MiB", 1LL << 20},
		{"G", 1LL << 30}, {"GiB", 1LL << 30}, {"T", 1LL << 40}, {"TiB", 1LL << 40},
	};
	char *end;
	unsigned long long n;

	if (!text || *text < '0' || *text > '9')
		return -1;
	n = strtoull(text, &end, 10);
	if (*end == ' ')
		end++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].unit) == 0) {
			if (n > (1ULL << 62) / (unsigned long long) units[i].factor)
				return -1;
			*bytes = (long long) n * units[i].factor;
			return 0;
		}
	return -1;
}
