/*
 * snapname.c — snapshot names, file names and ages; see snapname.h.
 */
#include "archive/snapname.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

static bool
name_char(char c)
{
	return isascii((unsigned char) c) &&
	    (isalnum((unsigned char) c) || c == '.' || c == '_' || c == '-');
}

const char *
snapname_name_problem(const char *name)
{
	size_t len;

	if (!name || !*name)
		return "it is empty";
	len = strlen(name);
	if (len > SN_NAME_MAX)
		return "it is longer than 100 characters";
	if (name[0] == '.' || name[0] == '-')
		return "it starts with '.' or '-'";
	if (strstr(name, ".."))
		return "it contains \"..\"";
	for (size_t i = 0; i < len; i++)
		if (!name_char(name[i]))
			return "only letters, digits, '.', '_' and '-' are allowed";
	return NULL;
}

char *
snapname_sanitize(const char *text)
{
	strbuf sb;

	sb_init(&sb);
	for (const char *p = text; *p && sb.len < SN_NAME_MAX; p++) {
		char c = name_char(*p) ? *p : '-';

		/* no "..", no leading '.' or '-', no runs of '-' */
		if ((c == '.' && sb.len > 0 && sb.data[sb.len - 1] == '.') ||
		    (sb.len == 0 && (c == '.' || c == '-')) ||
		    (c == '-' && sb.len > 0 && sb.data[sb.len - 1] == '-'))
			continue;
		sb_append_char(&sb, c);
	}
	while (sb.len > 0 && (sb.data[sb.len - 1] == '-' || sb.data[sb.len - 1] == '.'))
		sb.data[--sb.len] = '\0';
	return sb_steal(&sb);
}

void
snapname_stamp(time_t t, char *buf)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, SN_STAMP_LEN + 1, "%Y%m%d-%H%M%S", &tm);
}

void
snapname_iso8601(time_t t, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* iso: "YYYY-MM-DDTHH:MM:SSZ"; else the file-name stamp "YYYYMMDD-HHMMSS_". */
static bool
parse_fields(const char *s, bool iso, time_t *out)
{
	struct tm tm;
	char tail;
	int n;

	memset(&tm, 0, sizeof(tm));
	if (iso)
		n = sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &tail);
	else
		n = sscanf(s, "%4d%2d%2d-%2d%2d%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &tail);
	if (n != 7)
		return false;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60 || tm.tm_year < 1970)
		return false;
	/* timegm() would silently turn 30 February into 2 March */
	{
		static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
		int y = tm.tm_year;
		bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

		if (tm.tm_mday > mdays[tm.tm_mon - 1] + (tm.tm_mon == 2 && leap))
			return false;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = timegm(&tm);
	return *out != (time_t) -1;
}

bool
snapname_parse_iso8601(const char *s, time_t *out)
{
	/* digits where digits belong: sscanf's %d would also take signs and blanks */
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";

	if (strlen(s) != 20)
		return false;
	for (int i = 0; i < 20; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char) s[i]) : s[i] != shape[i])
			return false;
	return parse_fields(s, true, out);
}

bool
snapname_parse_filename(const char *file, const char *ext, time_t *when, char **name)
{
	size_t len = strlen(file), elen = strlen(ext);
	char stamp[SN_STAMP_LEN + 2];
	char *n;

	if (len <= SN_STAMP_LEN + 1 + elen || file[SN_STAMP_LEN] != '_' ||
	    strcmp(file + len - elen, ext) != 0)
		return false;
	for (int i = 0; i < SN_STAMP_LEN; i++)
		if (i == 8 ? file[i] != '-' : !isdigit((unsigned char) file[i]))
			return false;
	/* "YYYYMMDD-HHMMSS" + a sentinel so parse_fields sees its 7th field */
	memcpy(stamp, file, SN_STAMP_LEN);
	stamp[SN_STAMP_LEN] = '_';
	stamp[SN_STAMP_LEN + 1] = '\0';
	if (!parse_fields(stamp, false, when))
		return false;
	n = xmalloc(len - SN_STAMP_LEN - 1 - elen + 1);
	memcpy(n, file + SN_STAMP_LEN + 1, len - SN_STAMP_LEN - 1 - elen);
	n[len - SN_STAMP_LEN - 1 - elen] = '\0';
	if (snapname_name_problem(n)) {
		free(n);
		return false;
	}
	*name = n;
	return true;
}

bool
snapname_parse_back(const char *arg, size_t *base_len, unsigned *back)
{
	const char *tilde = strrchr(arg, '~');
	unsigned long n = 1;

	*base_len = strlen(arg);
	*back = 0;
	if (!tilde || strspn(tilde + 1, "0123456789") != strlen(tilde + 1))
		return *base_len > 0;
	if (tilde[1]) {
		/* at most 7 digits, so that no overflow is possible */
		if (strlen(tilde + 1) > 7)
			return false;
		n = strtoul(tilde + 1, NULL, 10);
	}
	if (n > SN_BACK_MAX || tilde == arg)
		return false;
	*base_len = (size_t) (tilde - arg);
	*back = (unsigned) n;
	return true;
}

bool
snapname_parse_age(const char *s, long long *seconds)
{
	char *end;
	long long n, mult;

	if (!s || !isdigit((unsigned char) *s))
		return false;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno || end == s)
		return false;
	if (strcmp(end, "s") == 0)
		mult = 1;
	else if (strcmp(end, "m") == 0)
		mult = 60;
	else if (strcmp(end, "h") == 0)
		mult = 3600;
	else if (strcmp(end, "d") == 0)
		mult = 86400;
	else if (strcmp(end, "w") == 0)
		mult = 7 * 86400;
	else
		return false;
	if (n > LLONG_MAX / mult)
		return false;
	*seconds = n * mult;
	return true;
}
