/*
 * stream.c — spooling an archive that arrives on a pipe; see stream.h.
 */
#include "fe/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/format.h"
#include "util/fsutil.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"

#define STREAM_BUF (1u << 20)
#define SPACE_MARGIN (64ull << 20)     /* free space left in the spool's directory */

bool
fe_is_stream(const char *arg)
{
	struct stat st;

	if (strcmp(arg, "-") == 0)
		return true;
	return stat(arg, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

/* Copy in to out until the end of in; 0, or -1 after logging. */
static int
copy_stream(int in, const char *what, int out, const char *path, const char *dir)
{
	char *buf = xmalloc(STREAM_BUF);
	unsigned long long total = 0, checked = 0;
	int rc = -1;

	for (;;) {
		ssize_t n = read(in, buf, STREAM_BUF);
		uint64_t avail;

		if (n < 0 && errno == EINTR && !intr_pending())
			continue;
		if (n < 0 || intr_pending()) {
			log_error("could not read the archive from %s: %s", what,
			    intr_pending() ? "interrupted" : strerror(errno));
			break;
		}
		if (n == 0) {
			rc = 0;
			break;
		}
		if (fs_write_all(out, buf, (size_t) n) < 0) {
			log_error("could not write \"%s\": %s", path, strerror(errno));
			break;
		}
		total += (unsigned long long) n;
		/* every 256 MiB: stop before the spool fills its file system */
		if (total - checked >= (256ull << 20)) {
			checked = total;
			if (fs_free_bytes(dir, &avail) == 0 && avail < SPACE_MARGIN) {
				char sz[32];

				fmt_size(total, sz, sizeof(sz));
				log_error("not enough free space in \"%s\" to hold the archive (%s read so far)", dir, sz);
				log_hint("set TMPDIR to a directory with room for the whole archive");
				break;
			}
		}
	}
	free(buf);
	return rc;
}

dbt_status
fe_stream_spool(const char *arg, char **path)
{
	const char *dir = fs_temp_dir();
	const char *what = strcmp(arg, "-") == 0 ? "standard input" : arg;
	int in = strcmp(arg, "-") == 0 ? STDIN_FILENO : open(arg, O_RDONLY | O_CLOEXEC);
	int out, rc;

	*path = NULL;
	if (in < 0) {
		log_error("could not open \"%s\": %s", arg, strerror(errno));
		return DBT_FAILED;
	}
	*path = xasprintf("%s/db-restore-stream-XXXXXX", dir);
	out = mkstemp(*path);
	if (out < 0) {
		log_error("could not create a temporary file in \"%s\": %s", dir, strerror(errno));
		free(*path);
		*path = NULL;
		if (in != STDIN_FILENO)
			close(in);
		return DBT_FAILED;
	}
	log_verbose("copying the archive from %s into \"%s\"", what, *path);
	rc = copy_stream(in, what, out, *path, dir);
	if (close(out) != 0 && rc == 0) {
		log_error("could not write \"%s\": %s", *path, strerror(errno));
		rc = -1;
	}
	if (in != STDIN_FILENO)
		close(in);
	if (rc < 0) {
		fe_stream_done(path);
		return DBT_FAILED;
	}
	return DBT_OK;
}

void
fe_stream_done(char **path)
{
	if (*path && unlink(*path) != 0 && errno != ENOENT)
		log_warning("could not remove \"%s\": %s", *path, strerror(errno));
	free(*path);
	*path = NULL;
}
