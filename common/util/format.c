/*
 * format.c — sizes and ages for people; see format.h.
 */
#include "util/format.h"

#include <stdio.h>

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
