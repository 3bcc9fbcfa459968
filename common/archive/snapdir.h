/*
 * snapdir.h — the snapshot directory: find, list and prune snapshots.
 * A snapshot is <stamp>_<name>.tar with its .meta sidecar; when the
 * sidecar is missing the tar's meta.json member describes it.
 */
#ifndef DBT_SNAPDIR_H
#define DBT_SNAPDIR_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "archive/meta.h"
#include "util/status.h"

typedef struct snapdir_entry {
	char *tar_path;       /* NULL when only a .meta is left */
	char *meta_path;      /* NULL when there is no sidecar */
	char *name;
	time_t when;          /* from the file name */
	long long tar_bytes;
	bool has_meta;
	meta_doc meta;       /* valid when has_meta */
} snapdir_entry;

/* All snapshots in dir, oldest first.  A missing dir is an empty list. */
int snapdir_scan(const char *dir, snapdir_entry **out, size_t *n);
void snapdir_free(snapdir_entry *e, size_t n);
/*
 * An archive argument: PATH (it has a '/' or ends in .tar) as it is, or
 * NAME: the newest <stamp>_NAME.tar in dir.  *path: caller frees.  Returns
 * a status after logging what is wrong.
 */
dbt_status snapdir_resolve(const char *arg, const char *dir, char **path);

typedef struct prune_opts {
	const char *name;     /* only this NAME; NULL: every name */
	int keep;             /* keep the newest N of each name; -1: no such rule */
	long long older_than; /* seconds; -1: no such rule */
	bool dry_run;
} prune_opts;

/* Remove what the rules select; returns the number removed (or to remove), -1 on error. */
int snapdir_prune(const char *dir, const prune_opts *po, time_t now);

#endif
