/*
 * fsutil.c — directories, fsync, free space, no-clobber rename; see fsutil.h.
 */
#include "util/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "util/log.h"
#include "util/mem.h"

int
fs_mkdir_p(const char *path, unsigned mode)
{
	char *copy = xstrdup(path);
	size_t len = strlen(copy);

	for (size_t i = 1; i <= len; i++) {
		if (copy[i] == '/' || copy[i] == '\0') {
			char saved = copy[i];
			struct stat st;

			copy[i] = '\0';
			if (mkdir(copy, mode) != 0 && errno != EEXIST) {
				log_error("could not create directory \"%s\": %s", copy, strerror(errno));
				free(copy);
				return -1;
			}
			if (stat(copy, &st) != 0 || !S_ISDIR(st.st_mode)) {
				log_error("\"%s\" is not a directory", copy);
				free(copy);
				return -1;
			}
			copy[i] = saved;
		}
	}
	free(copy);
	return 0;
}

int
fs_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) != 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return 0;
}

int
fs_free_bytes(const char *path, uint64_t *out)
{
	struct statvfs sv;

	if (statvfs(path, &sv) != 0) {
		log_error("could not check free space in \"%s\": %s", path, strerror(errno));
		return -1;
	}
	*out = (uint64_t) sv.f_bavail * (uint64_t) sv.f_frsize;
	return 0;
}

int
fs_write_new_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int rc, e;

	if (fd < 0) {
		log_error("could not create \"%s\": %s", path, strerror(errno));
		return -1;
	}
	if (fs_write_all(fd, data, len) < 0) {
		log_error("could not write \"%s\": %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	/* closed whether or not fsync worked */
	rc = fsync(fd);
	e = errno;
	if (close(fd) != 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	if (rc != 0) {
		log_error("could not write \"%s\": %s", path, strerror(e));
		return -1;
	}
	return 0;
}

int
fs_rename_noclobber(const char *from, const char *to)
{
	if (link(from, to) == 0) {
		unlink(from);
		return 0;
	}
	if (errno == EEXIST) {
		log_error("\"%s\" already exists", to);
		return -1;
	}
	/* file systems without hard links: check, then rename */
	if (access(to, F_OK) == 0) {
		log_error("\"%s\" already exists", to);
		return -1;
	}
	if (rename(from, to) != 0) {
		log_error("could not rename \"%s\" to \"%s\": %s", from, to, strerror(errno));
		return -1;
	}
	return 0;
}

int
fs_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t) n;
	}
	return 0;
}

const char *
fs_temp_dir(void)
{
	const char *tmpdir = getenv("TMPDIR");

	return tmpdir && *tmpdir ? tmpdir : "/tmp";
}
