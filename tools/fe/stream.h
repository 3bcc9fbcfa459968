/*
 * stream.h — an archive that arrives on a pipe: "db-restore -" (standard
 * input), a FIFO, /dev/fd/N.  The restore reads members in parallel at
 * their offsets, which a pipe cannot give; so the stream is first copied
 * into a private temporary file (mode 0600, in $TMPDIR, else /tmp), which
 * the restore then reads and checks like any archive and which is removed
 * afterwards, whatever happens.  The copy is bounded by the free space of
 * that directory, checked as it grows.
 */
#ifndef DBT_FE_STREAM_H
#define DBT_FE_STREAM_H

#include <stdbool.h>

#include "util/status.h"

/* Whether arg names a stream: "-", or a path that is not a regular file (a FIFO, a character device). */
bool fe_is_stream(const char *arg);
/*
 * Copy the stream arg ("-": standard input) into a new private temporary
 * file; *path is its name (the caller removes it with fe_stream_done).
 * DBT_FAILED after logging (no space, a read error); the partial copy is
 * removed.
 */
dbt_status fe_stream_spool(const char *arg, char **path);
/* Remove the spool file and free *path. */
void fe_stream_done(char **path);

#endif
