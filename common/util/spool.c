/*
 * spool.c — memory-then-file spool; see spool.h.
 */
#include "util/spool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "util/log.h"
#include "util/mem.h"

void
spool_init(spool *s, const char *dir, size_t mem_limit)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->dir = xstrdup(dir ? dir : "/tmp");
	s->mem_limit = mem_limit;
}

static int
open_spill(spool *s)
{
	char *path = xasprintf("%s/.db-tools-spool-XXXXXX", s->dir);

	s->fd = mkstemp(path);
	if (s->fd < 0) {
		log_error("could not create a temporary file in \"%s\": %s", s->dir, strerror(errno));
		free(path);
		return -1;
	}
	unlink(path);
	free(path);
	return 0;
}

int
spool_write(spool *s, const void *data, size_t len)
{
	const char *p = data;

	if (s->fd < 0 && s->mem_len + len <= s->mem_limit) {
		if (!s->mem)
			s->mem = xmalloc(s->mem_limit ? s->mem_limit : 1);
		memcpy(s->mem + s->mem_len, p, len);
		s->mem_len += len;
		s->size += len;
		return 0;
	}
	if (s->fd < 0 && open_spill(s) < 0)
		return -1;
	if (fs_write_all(s->fd, p, len) < 0) {
		log_error("could not write a temporary file in \"%s\": %s", s->dir, strerror(errno));
		return -1;
	}
	s->size += len;
	return 0;
}

int
spool_sink(void *spool_ptr, const void *data, size_t len)
{
	return spool_write(spool_ptr, data, len);
}

void
spool_rewind(spool *s)
{
	s->read_pos = 0;
}

ssize_t
spool_read(spool *s, void *buf, size_t len)
{
	if (s->read_pos < s->mem_len) {
		size_t n = s->mem_len - (size_t) s->read_pos;

		if (n > len)
			n = len;
		memcpy(buf, s->mem + s->read_pos, n);
		s->read_pos += n;
		return (ssize_t) n;
	}
	if (s->fd < 0 || s->read_pos >= s->size)
		return 0;
	for (;;) {
		ssize_t n = pread(s->fd, buf, len, (off_t) (s->read_pos - s->mem_len));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_error("could not read a temporary file: %s", strerror(errno));
			return -1;
		}
		s->read_pos += (uint64_t) n;
		return n;
	}
}

void
spool_reset(spool *s)
{
	s->mem_len = 0;
	s->size = 0;
	s->read_pos = 0;
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
}

void
spool_free(spool *s)
{
	spool_reset(s);
	free(s->mem);
	free(s->dir);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}
