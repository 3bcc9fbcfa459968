/*
 * fsutil.h — file-system steps that make outputs durable and atomic.
 */
#ifndef DBT_FSUTIL_H
#define DBT_FSUTIL_H

#include <stddef.h>
#include <stdint.h>

/* mkdir -p; new directories get mode. */
int fs_mkdir_p(const char *path, unsigned mode);
/* fsync a directory (its entries: a rename in it); -1 with errno set, nothing logged. */
int fs_fsync_dir(const char *dir);
/* Bytes available to an unprivileged writer in the file system holding path. */
int fs_free_bytes(const char *path, uint64_t *out);
/* Create path (must not exist) mode 0600, write data, fsync, close. */
int fs_write_new_file(const char *path, const void *data, size_t len);
/* Write all of data to fd, again after EINTR; -1 with errno set, nothing logged. */
int fs_write_all(int fd, const void *data, size_t len);
/* Where temporary files go: $TMPDIR when set, else /tmp. */
const char *fs_temp_dir(void);
/* Rename from to to, refusing to replace an existing to (EEXIST). */
int fs_rename_noclobber(const char *from, const char *to);

#endif
