/*
 * tarball.h — the archive container: a POSIX tar written and read with
 * libarchive.  Writes are serialised with a mutex so workers can append
 * finished members in any order.
 */
#ifndef DBT_TARBALL_H
#define DBT_TARBALL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/spool.h"

typedef struct tarball tarball;

/*
 * Create path (must not exist) with mode 0600, holding an exclusive flock on
 * it while it is open.  Logs and returns NULL on failure.
 */
tarball *tarball_create(const char *path);
/*
 * Write the archive to fd (a pipe, standard output), which stays the
 * caller's: the tarball writes through a duplicate.  name is for messages.
 */
tarball *tarball_open_stream(int fd, const char *name);
/*
 * Create path as tarball_create does, holding a copy of the first prefix
 * bytes of the archive src (whole members: a header offset from its index),
 * to which members are then added.  The copy is made in the kernel
 * (copy_file_range: a clone where the file system shares blocks).
 */
tarball *tarball_create_from(const char *path, const char *src, int64_t prefix);
int tarball_add_spool(tarball *tb, const char *member, spool *sp, time_t mtime);
int tarball_add_mem(tarball *tb, const char *member, const void *data, size_t len, time_t mtime);
/* Finish the archive, fsync and close; *bytes (may be NULL) the archive's size.  -1 after logging. */
int tarball_close(tarball *tb, uint64_t *bytes);
/*
 * Close without finishing (on failure): no end-of-archive marker is
 * written; the caller removes the file.
 */
void tarball_abort(tarball *tb);

/*
 * Read one member of an archive into memory (at most limit bytes).  Returns
 * 0, 1 when the member is absent, or -1 with err saying why (unreadable,
 * too large); nothing is logged.
 */
int tarball_read_member(const char *path, const char *member, size_t limit, char **out, size_t *len,
    char *err, size_t errsize);
/*
 * The same for a member that is the archive's last (meta.json), reading only
 * the end of the file: the last 64 KiB, more only for a larger member.  Its
 * header is found by its name at a block boundary and read by libarchive,
 * which must then find the end of the archive.  Returns 0, 1 when the
 * archive does not end with that member (or is not a tar), -1 with err when
 * the file cannot be read; nothing is logged.
 */
int tarball_read_last(const char *path, const char *member, size_t limit, char **out, size_t *len,
    char *err, size_t errsize);

/*
 * Reading an archive for restore.  tarball_index_open() walks every header once
 * (skipping data by seeking) and records where each member's bytes lie, so
 * workers can read members in parallel with pread(); meta.json is read into
 * memory on the way.  The archive is untrusted: only regular, non-sparse
 * members are accepted, names are not interpreted here, offsets are checked
 * against the file's size.
 */
typedef struct tarball_entry {
	char *name;
	int64_t header;        /* of its header (extended headers included) in the file */
	int64_t offset;        /* of the member's data in the file */
	int64_t size;
} tarball_entry;

typedef struct tarball_index {
	tarball_entry *entries;     /* in archive order */
	size_t n_entries;
	tarball_entry **by_name;    /* sorted by name, for tarball_index_find() */
	char *meta;            /* meta.json's bytes (NUL-terminated), NULL when absent */
	size_t meta_len;
	int64_t file_size;
} tarball_index;

enum tarball_index_result {
	TB_INDEX_OK = 0,
	TB_INDEX_IO = -1,        /* cannot open or read the file */
	TB_INDEX_INVALID = -2,   /* not a tar, truncated, or a member of another kind */
};
/* On failure err says what is wrong (nothing is logged). */
int tarball_index_open(const char *path, size_t meta_limit, tarball_index *ix, char *err, size_t errsize);
void tarball_index_free(tarball_index *ix);
const tarball_entry *tarball_index_find(const tarball_index *ix, const char *name);

#endif
