/*
 * spool.h — a bounded in-memory buffer that spills to an unlinked
 * temporary file, so a worker can compress a member of unknown size before
 * the tar header (which needs the size) is written.  Memory per spool never
 * exceeds mem_limit.
 */
#ifndef DBT_SPOOL_H
#define DBT_SPOOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct spool {
	char *mem;          /* in-memory part, mem_limit bytes when allocated */
	size_t mem_len;
	size_t mem_limit;
	int fd;             /* spill file (unlinked), -1 until needed */
	char *dir;          /* where spill files go */
	uint64_t size;      /* total bytes written */
	uint64_t read_pos;
} spool;

void spool_init(spool *s, const char *dir, size_t mem_limit);
/* Logs on failure (disk full...). */
int spool_write(spool *s, const void *data, size_t len);
/* codec_sink-compatible wrapper around spool_write. */
int spool_sink(void *spool_ptr, const void *data, size_t len);
void spool_rewind(spool *s);
/* Read the next piece; returns bytes read, 0 at the end, -1 after logging. */
ssize_t spool_read(spool *s, void *buf, size_t len);
/* Empty it for reuse (keeps the memory, truncates the file). */
void spool_reset(spool *s);
void spool_free(spool *s);

#endif
