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

#include "meta.h"

typedef struct snap_entry {
	char *tar_path;       /* NULL when only a .meta is left */
	char *meta_path;      /* NULL when there is no sidecar */
	char *name;
	time_t when;          /* from the file name */
	long long tar_bytes;
	bool has_meta;
	snap_meta meta;       /* valid when has_meta */
} snap_entry;

/* All snapshots in dir, oldest first.  A missing dir is an empty list. */
int sd_scan(const char *dir, snap_entry **out, size_t *n);
void sd_free(snap_entry *e, size_t n);
/* A table for people, or a JSON array. */
void sd_print(FILE *f, const snap_entry *e, size_t n, bool json, time_t now);
/*
 * An archive argument: PATH (it has a '/' or ends in .tar) as it is, or
 * NAME: the newest <stamp>_NAME.tar in dir.  *path: caller frees.  Returns
 * an exit status (exitcode.h) after logging what is wrong.
 */
int sd_resolve(const char *arg, const char *dir, char **path);
/* Scan dir and print its snapshots to f; 0, or -1 after logging. */
int sd_list(FILE *f, const char *dir, bool json);

typedef struct prune_opts {
	const char *name;     /* only this NAME; NULL: every name */
	int keep;             /* keep the newest N of each name; -1: no such rule */
	long long older_than; /* seconds; -1: no such rule */
	bool dry_run;
} prune_opts;

/* Remove what the rules select; returns the number removed (or to remove), -1 on error. */
int sd_prune(const char *dir, const prune_opts *po, time_t now);

#endif
