/*
 * snapname.h — snapshot names, file names and ages.
 *
 * A snapshot is DIR/<YYYYMMDD-HHMMSS>_<NAME>.tar plus the .meta sidecar
 * (UTC time).  NAME is checked before it goes near a path or SQL.
 */
#ifndef DBT_SNAPNAME_H
#define DBT_SNAPNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define SN_NAME_MAX 100
#define SN_STAMP_LEN 15 /* YYYYMMDD-HHMMSS */

/* NULL if NAME is acceptable, else a static description of what is wrong. */
const char *snapname_name_problem(const char *name);
/* Make a NAME out of arbitrary text (a git branch): '/' and other characters become '-'. */
char *snapname_sanitize(const char *text);
/* Format t as YYYYMMDD-HHMMSS in UTC into buf (at least SN_STAMP_LEN + 1 bytes). */
void snapname_stamp(time_t t, char *buf);
/* ISO 8601 UTC "YYYY-MM-DDTHH:MM:SSZ". */
void snapname_iso8601(time_t t, char *buf, size_t size);
bool snapname_parse_iso8601(const char *s, time_t *out);
/*
 * Split a file name "<stamp>_<name>.<ext>" into its time and name (name is a
 * caller-owned copy).  Returns false for anything else.
 */
bool snapname_parse_filename(const char *file, const char *ext, time_t *when, char **name);
/*
 * An argument naming one snapshot may end in "~N", as git's revisions do: the
 * N-th snapshot before the one the rest names ("NAME~0" is NAME, "NAME~" is
 * NAME~1).  *base_len is the length of the rest, *back N (0 without "~N").
 * A '~' followed by anything but digits is part of the rest.  False when N is
 * larger than SN_BACK_MAX or the rest is empty.
 */
#define SN_BACK_MAX 1000000
bool snapname_parse_back(const char *arg, size_t *base_len, unsigned *back);
/* Parse an age such as "90m", "12h", "30d", "2w", "45s" into seconds. */
bool snapname_parse_age(const char *s, long long *seconds);

#endif
