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

#include "spool.h"

typedef struct tarball tarball;

/* Create path (must not exist) with mode 0600.  Logs and returns NULL on failure. */
tarball *tb_create(const char *path);
int tb_add_spool(tarball *tb, const char *member, spool *sp, time_t mtime);
int tb_add_mem(tarball *tb, const char *member, const void *data, size_t len, time_t mtime);
/* Finish the archive, fsync and close.  Returns -1 after logging. */
int tb_close(tarball *tb);
/* Close without finishing (on failure); the caller removes the file. */
void tb_abort(tarball *tb);

/*
 * Read one member of an archive into memory (at most limit bytes).  Returns
 * 0, 1 when the member is absent, or -1 after logging (unreadable, too large).
 */
int tb_read_member(const char *path, const char *member, size_t limit, char **out, size_t *len);

#endif
