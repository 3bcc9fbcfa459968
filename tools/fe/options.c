/*
 * options.c — option-parsing helpers; see options.h.
 */
#include "fe/options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/status.h"

int
opt_parse_int(const char *value, const char *option, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || end == value || *end != '\0' || v < lo || v > hi) {
		log_error("invalid value \"%s\" for option %s: must be an integer from %d to %d",
		    value, option, lo, hi);
		return -1;
	}
	*out = (int) v;
	return 0;
}

int
opt_nonempty(const char *value, const char *option)
{
	if (!value || !*value) {
		log_error("option %s needs a non-empty value", option);
		return -1;
	}
	return 0;
}

int
opt_conflict(const char *option, const char *other)
{
	log_error("%s can only be used with %s", option, other);
	return DBT_USAGE;
}

int
opt_parse_when(const char *value, const char *option, enum opt_when *out)
{
	if (strcmp(value, "auto") == 0)
		*out = WHEN_AUTO;
	else if (strcmp(value, "always") == 0)
		*out = WHEN_ALWAYS;
	else if (strcmp(value, "never") == 0)
		*out = WHEN_NEVER;
	else {
		log_error("invalid value \"%s\" for option %s", value, option);
		log_hint("use auto, always or never");
		return -1;
	}
	return 0;
}

void
opt_common_init(opt_common *o)
{
	memset(o, 0, sizeof(*o));
	o->jobs = -1;
	o->progress = WHEN_AUTO;
}

int
opt_common_parse(int c, const char *arg, opt_common *o)
{
	switch (c) {
	case 'd':
		if (opt_nonempty(arg, "-d/--dbname") < 0)
			return -1;
		o->dbname = arg;
		return 1;
	case 'o':
		if (opt_nonempty(arg, "-o/--dir") < 0)
			return -1;
		o->dir = arg;
		return 1;
	case 'j':
		return opt_parse_int(arg, "-j/--jobs", 1, 64, &o->jobs) < 0 ? -1 : 1;
	case OPT_COMMON_CONFIG:
		if (opt_nonempty(arg, "--config") < 0)
			return -1;
		o->config = arg;
		return 1;
	case OPT_COMMON_PROGRESS:
		return opt_parse_when(arg, "--progress", &o->progress) < 0 ? -1 : 1;
	case 'q':
		o->quiet = true;
		return 1;
	case 'v':
		o->verbose++;
		return 1;
	default:
		return 0;
	}
}

int
opt_common_log_level(const opt_common *o)
{
	return o->quiet ? LOG_LEVEL_WARNING :
	    o->verbose >= 2 ? LOG_LEVEL_DEBUG : o->verbose == 1 ? LOG_LEVEL_VERBOSE : LOG_LEVEL_INFO;
}
