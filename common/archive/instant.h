/*
 * instant.h — the marker of an instant snapshot: DIR/<stamp>_<NAME>.instant,
 * a small JSON document that names the template database on the server
 * into which db-snapshot --instant cloned the source.  The snapshot's data
 * is that database; the marker is what --list, db-restore NAME, --delete,
 * --prune, --rename and --export find in the snapshot directory.
 *
 * The template is one of the role's template cache entries of kind
 * INSTANT_KIND (replace/tcache.h), which eviction and --cache=clear leave
 * alone: it goes only with its snapshot.  A marker is untrusted text like
 * any archive's meta: it can only point at a template of the restoring
 * role's own, found by its key.  Format: db-tools(5).
 */
#ifndef DBT_INSTANT_H
#define DBT_INSTANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/hash.h"
#include "util/status.h"

#define INSTANT_EXT ".instant"
#define INSTANT_KIND "instant"
#define INSTANT_FORMAT "db-tools-instant"
#define INSTANT_FORMAT_VERSION 1
#define INSTANT_MAX_BYTES (1024 * 1024)

typedef struct instant_marker {
	char *name;
	time_t created_at;
	char *database;              /* the source database */
	char *host, *port, *user;    /* its server (host NULL: the default socket) and the role */
	char *server_version;
	int server_version_num;
	char *template_db;           /* the template's name when it was taken */
	char key[HASH_HEX_LEN + 1];  /* its key in the role's template cache */
	int64_t bytes;               /* its size on the server when it was taken */
	char *git_branch, *git_commit;
	char **db_settings;          /* ALTER DATABASE ... SET, which a clone does not carry */
	size_t n_db_settings;
	char *db_comment;
} instant_marker;

/* The marker's path for the snapshot name taken at t, in dir; caller frees. */
char *instant_path(const char *dir, const char *name, time_t t);
/* The marker as JSON text; caller frees. */
char *instant_to_json(const instant_marker *m);
/* Parse and check a marker; -1 with the reason in err. */
int instant_from_json(const char *text, size_t len, instant_marker *m, char *err, size_t errsize);
/* Read the marker at path; logs what is wrong (DBT_INTEGRITY: not a marker). */
dbt_status instant_read(const char *path, instant_marker *m);
/*
 * Write the marker as path, a new file (mode 0600): written as .partial,
 * fsynced, renamed without replacing anything, the directory fsynced.
 */
dbt_status instant_write(const char *path, const instant_marker *m);
/*
 * Log that the snapshot's template is not on the server reached as role,
 * with a hint naming where it was taken.
 */
void instant_not_here(const instant_marker *m, const char *role);
/* Whether file (a name in a directory) is a marker's: ends in INSTANT_EXT. */
bool instant_is_marker(const char *file);
void instant_free(instant_marker *m);

#endif
