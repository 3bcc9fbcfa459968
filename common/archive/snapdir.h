/*
 * snapdir.h — the snapshot directory: find, list, prune, delete and rename
 * snapshots.  A snapshot is <stamp>_<name>.tar with its .meta sidecar; when
 * the sidecar is missing the tar's meta.json member describes it.  Any other
 * readable archive in the directory (a teammate's "baseline.tar") is one
 * too, under the name and time its meta.json records.  An instant snapshot
 * is <stamp>_<name>.instant, the marker of a template database on the
 * server (archive/instant.h).
 */
#ifndef DBT_SNAPDIR_H
#define DBT_SNAPDIR_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "archive/instant.h"
#include "archive/meta.h"
#include "util/status.h"

typedef struct snapdir_entry {
	char *tar_path;       /* NULL when only a .meta is left */
	char *meta_path;      /* NULL when there is no sidecar */
	char *file;           /* the file's name in dir: the .tar's, else the .meta's */
	char *name;           /* from the file name when stamped, else meta.json's */
	time_t when;          /* from the file name when stamped, else meta.json's */
	bool stamped;         /* the file is named <stamp>_<name>.tar (or .meta) */
	long long tar_bytes;  /* -1 without a tar */
	bool has_meta;
	meta_doc meta;       /* valid when has_meta */
	char *instant_path;  /* an instant snapshot's marker (then no tar and no meta) */
	instant_marker instant;  /* valid when instant_path */
} snapdir_entry;

/*
 * All snapshots in dir, oldest first (by time, then name, then file).  A
 * missing dir is an empty list.  A stamped file that cannot be read is listed
 * (without has_meta); another .tar that is not a readable archive is left
 * out; both with a warning.
 */
int snapdir_scan(const char *dir, snapdir_entry **out, size_t *n);
void snapdir_free(snapdir_entry *e, size_t n);

/*
 * Which of e[0..n) (as snapdir_scan lists them; only those with a tar or an
 * instant snapshot's marker) an argument names, as a user types it:
 *   NAME                the newest snapshot named NAME (of an archive and an
 *                       instant snapshot of the same time, the instant one);
 *   FILE, FILE.tar, FILE.instant
 *                       the snapshot of that file name in the directory, such
 *                       as <stamp>_<name> (NAME wins over a FILE without its
 *                       extension; .tar wins over .instant);
 * either followed by ~N: the N-th snapshot of the same name before that one.
 * Returns the index, or one of these.
 */
enum {
	SNAPDIR_NO_MATCH = -1,   /* no snapshot has that name or file name */
	SNAPDIR_TOO_FEW = -2,    /* ~N goes past the oldest of the name */
	SNAPDIR_BAD_ARG = -3,    /* not a name: a usage error */
};
long snapdir_find(const snapdir_entry *e, size_t n, const char *arg);
/*
 * The shortest argument that names e[i]: its NAME when it is the newest of
 * the name, else its file name without .tar, else with it; NULL when none
 * does (no tar nor marker).  Caller frees.
 */
char *snapdir_shortest(const snapdir_entry *e, size_t n, size_t i);
/* snapdir_shortest for the archive at tar_path in dir; NULL when none (nothing logged). */
char *snapdir_ref(const char *dir, const char *tar_path);

/*
 * An archive argument: PATH (it has a '/', or ends in .tar or .instant and
 * exists) as it is, or an argument snapdir_find takes, in dir: the path of
 * its archive or its marker.  *path: caller frees.
 * Returns a status after logging what is wrong.
 */
dbt_status snapdir_resolve(const char *arg, const char *dir, char **path);
/*
 * The same, for --delete and --rename: the snapshot (described) in *out, which
 * the caller frees with snapdir_free(*out, 1).  A PATH is refused.
 */
dbt_status snapdir_lookup(const char *arg, const char *dir, snapdir_entry **out);
/*
 * Remove the snapshot's files (the .tar, then the .meta; or the marker) and
 * fsync dir.  An instant snapshot's template is the caller's to drop first.
 */
dbt_status snapdir_delete(const char *dir, const snapdir_entry *e);
/*
 * Give the snapshot e (in dir) the name new_name, keeping its time stamp (a
 * file without one gets that of its meta.json): meta.json's "name" changes,
 * in the tar and in the sidecar.  The new files are written beside the old
 * ones as .partial, fsynced, renamed (the .tar first: alone, it is a
 * complete snapshot), the directory fsynced, and only then are the old
 * files removed: whenever it stops, a complete snapshot is there under the
 * old name or the new one (or both, until the old is removed).  The archive
 * is copied up to its meta.json (a clone where the file system shares
 * blocks).  An instant snapshot's marker is written anew under the new name,
 * then the old one removed.  *new_path: the new archive or marker, caller
 * frees.
 */
dbt_status snapdir_rename(const char *dir, const snapdir_entry *e, const char *new_name, char **new_path);

typedef struct prune_opts {
	const char *name;     /* only this NAME; NULL: every name */
	int keep;             /* keep the newest N of each name; -1: no such rule */
	long long older_than; /* seconds; -1: no such rule */
	bool dry_run;
	/*
	 * Drop an instant snapshot's template before its marker goes: 0, or -1
	 * after logging (the marker stays).  NULL: instant snapshots are kept,
	 * with a warning.
	 */
	int (*drop_instant)(void *arg, const snapdir_entry *e);
	void *drop_arg;
} prune_opts;

/*
 * Remove what the rules select; returns the number removed (or to remove),
 * -1 on error, -2 (a usage error, logged) when po->name is not a NAME but
 * names one snapshot (NAME~N, a file name; --delete takes those).  keep
 * counts the snapshots of a name as snapdir_find counts NAME~N: those with
 * an archive, so that --keep=N keeps NAME~0 to NAME~(N-1); a .meta left
 * without its archive is never kept by it.
 */
int snapdir_prune(const char *dir, const prune_opts *po, time_t now);

#endif
