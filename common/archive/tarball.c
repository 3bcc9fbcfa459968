/*
 * tarball.c — tar writing and member lookup through libarchive; see tarball.h.
 */
#define _GNU_SOURCE             /* copy_file_range */
#include "archive/tarball.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <unistd.h>

#include "archive/meta.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/strbuf.h"

#define COPY_BUF (256 * 1024)
#define TAR_BLOCK 512

struct tarball {
	struct archive *a;
	int fd;
	char *path;
	pthread_mutex_t lock;
	char *buf;
};

/* Start writing the archive on fd (which tb owns from here); name is for messages. */
static tarball *
start(int fd, const char *name)
{
	tarball *tb = xcalloc(1, sizeof(*tb));

	tb->fd = fd;
	tb->path = xstrdup(name);
	tb->buf = xmalloc(COPY_BUF);
	pthread_mutex_init(&tb->lock, NULL);
	tb->a = archive_write_new();
	if (!tb->a || archive_write_set_format_pax_restricted(tb->a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(tb->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(tb->a, 1) != ARCHIVE_OK ||
	    archive_write_open_fd(tb->a, tb->fd) != ARCHIVE_OK) {
		log_error("could not start archive \"%s\": %s", name,
		    tb->a ? archive_error_string(tb->a) : "out of memory");
		tarball_abort(tb);
		return NULL;
	}
	return tb;
}

tarball *
tarball_create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0) {
		log_error("could not create \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	/* held while the file is open: a live writer's file is told from a killed one's */
	(void) flock(fd, LOCK_EX | LOCK_NB);
	return start(fd, path);
}

/* Copy len bytes of in to out, both from offset 0: in the kernel when it can, else read and write. */
static int
copy_prefix(int in, int out, int64_t len)
{
	loff_t ioff = 0, ooff = 0;
	char *buf = NULL;

	while (ioff < len) {
		ssize_t n = copy_file_range(in, &ioff, out, &ooff, (size_t) (len - ioff), 0);

		if (n > 0)
			continue;
		if (n == 0) {
			errno = EIO;       /* the source is shorter than its index said */
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno != EXDEV && errno != ENOSYS && errno != EOPNOTSUPP && errno != EINVAL)
			return -1;
		break;
	}
	/* a file system (or a kernel) that cannot: an ordinary copy of the rest */
	while (ioff < len) {
		ssize_t n;

		if (!buf)
			buf = xmalloc(COPY_BUF);
		n = pread(in, buf, (size_t) (len - ioff < COPY_BUF ? len - ioff : COPY_BUF), ioff);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || lseek(out, (off_t) ooff, SEEK_SET) < 0 || fs_write_all(out, buf, (size_t) n) < 0) {
			if (n == 0)
				errno = EIO;
			free(buf);
			return -1;
		}
		ioff += n;
		ooff += n;
	}
	free(buf);
	return 0;
}

tarball *
tarball_create_from(const char *path, const char *src, int64_t prefix)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	int fd;

	if (in < 0) {
		log_error("could not open \"%s\": %s", src, strerror(errno));
		return NULL;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_error("could not create \"%s\": %s", path, strerror(errno));
		close(in);
		return NULL;
	}
	(void) flock(fd, LOCK_EX | LOCK_NB);
	if (copy_prefix(in, fd, prefix) < 0 || lseek(fd, (off_t) prefix, SEEK_SET) < 0) {
		log_error("could not copy \"%s\" to \"%s\": %s", src, path, strerror(errno));
		close(in);
		close(fd);
		unlink(path);
		return NULL;
	}
	close(in);
	return start(fd, path);
}

tarball *
tarball_open_stream(int fd, const char *name)
{
	int own = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	if (own < 0) {
		log_error("could not write to %s: %s", name, strerror(errno));
		return NULL;
	}
	return start(own, name);
}

static struct archive_entry *
new_entry(const char *member, uint64_t size, time_t mtime)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, member);
	archive_entry_set_size(e, (la_int64_t) size);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_mtime(e, mtime, 0);
	return e;
}

/*
 * Why libarchive could not write: the system's reason when it has one
 * ("No space left on device"), not its own generic "Write error".
 */
static const char *
write_error(tarball *tb)
{
	int e = archive_errno(tb->a);

	if (e > 0)
		return strerror(e);
	return archive_error_string(tb->a) ? archive_error_string(tb->a) : "unknown error";
}

static int
write_data(tarball *tb, const char *member, const void *data, size_t len)
{
	while (len > 0) {
		la_ssize_t n = archive_write_data(tb->a, data, len);

		if (n <= 0) {
			log_error("could not write member \"%s\" to \"%s\": %s", member, tb->path,
			    write_error(tb));
			return -1;
		}
		data = (const char *) data + n;
		len -= (size_t) n;
	}
	return 0;
}

static int
add_entry(tarball *tb, const char *member, uint64_t size, time_t mtime)
{
	struct archive_entry *e = new_entry(member, size, mtime);
	int rc = archive_write_header(tb->a, e);

	archive_entry_free(e);
	if (rc != ARCHIVE_OK) {
		log_error("could not write member \"%s\" to \"%s\": %s", member, tb->path, write_error(tb));
		return -1;
	}
	return 0;
}

static int
finish_entry(tarball *tb, const char *member)
{
	if (archive_write_finish_entry(tb->a) != ARCHIVE_OK) {
		log_error("could not write member \"%s\" to \"%s\": %s", member, tb->path, write_error(tb));
		return -1;
	}
	return 0;
}

int
tarball_add_spool(tarball *tb, const char *member, spool *sp, time_t mtime)
{
	int rc = -1;
	ssize_t n;

	pthread_mutex_lock(&tb->lock);
	if (add_entry(tb, member, sp->size, mtime) < 0)
		goto out;
	spool_rewind(sp);
	while ((n = spool_read(sp, tb->buf, COPY_BUF)) > 0)
		if (write_data(tb, member, tb->buf, (size_t) n) < 0)
			goto out;
	if (n < 0)
		goto out;
	rc = finish_entry(tb, member);
out:
	pthread_mutex_unlock(&tb->lock);
	return rc;
}

int
tarball_add_mem(tarball *tb, const char *member, const void *data, size_t len, time_t mtime)
{
	int rc = -1;

	pthread_mutex_lock(&tb->lock);
	if (add_entry(tb, member, len, mtime) == 0 && write_data(tb, member, data, len) == 0)
		rc = finish_entry(tb, member);
	pthread_mutex_unlock(&tb->lock);
	return rc;
}

static void
tarball_destroy(tarball *tb)
{
	if (tb->fd >= 0)
		close(tb->fd);
	pthread_mutex_destroy(&tb->lock);
	free(tb->buf);
	free(tb->path);
	free(tb);
}

int
tarball_close(tarball *tb, uint64_t *bytes)
{
	int rc = 0;

	if (archive_write_close(tb->a) != ARCHIVE_OK) {
		log_error("could not finish archive \"%s\": %s", tb->path, write_error(tb));
		rc = -1;
	}
	if (bytes)
		*bytes = (uint64_t) archive_filter_bytes(tb->a, -1);
	archive_write_free(tb->a);
	tb->a = NULL;
	/* a file is made durable; a pipe or a terminal cannot be */
	if (rc == 0 && fsync(tb->fd) != 0 && errno != EINVAL && errno != EROFS) {
		log_error("could not fsync \"%s\": %s", tb->path, strerror(errno));
		rc = -1;
	}
	if (close(tb->fd) != 0 && rc == 0) {
		log_error("could not close \"%s\": %s", tb->path, strerror(errno));
		rc = -1;
	}
	tb->fd = -1;
	tarball_destroy(tb);
	return rc;
}

void
tarball_abort(tarball *tb)
{
	if (!tb)
		return;
	if (tb->a) {
		/*
		 * No end-of-archive marker may reach the file or the stream, so that
		 * what was written reads as a truncated tar (without meta.json):
		 * what freeing the archive still writes goes to /dev/null instead
		 * (marking it failed would skip that write, and leak its buffers).
		 */
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		bool redirected = null >= 0 && tb->fd >= 0 && dup2(null, tb->fd) >= 0;

		if (null >= 0)
			close(null);
		if (!redirected)
			archive_write_fail(tb->a);
		archive_write_free(tb->a);
		tb->a = NULL;
	}
	tarball_destroy(tb);
}

int
tarball_read_member(const char *path, const char *member, size_t limit, char **out, size_t *len, char *err,
    size_t errsize)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int rc, result = 1;

	*out = NULL;
	*len = 0;
	archive_read_support_format_tar(a);
	archive_read_support_filter_none(a);
	if (archive_read_open_filename(a, path, 64 * 1024) != ARCHIVE_OK) {
		snprintf(err, errsize, "could not open archive \"%s\": %s", path, archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		la_int64_t size;
		strbuf sb;

		if (strcmp(archive_entry_pathname(e), member) != 0)
			continue;
		size = archive_entry_size(e);
		if (size < 0 || (uint64_t) size > limit) {
			snprintf(err, errsize, "member \"%s\" of \"%s\" is larger than %zu bytes", member, path, limit);
			result = -1;
			break;
		}
		sb_init(&sb);
		sb_reserve(&sb, (size_t) size);
		for (;;) {
			la_ssize_t n = archive_read_data(a, sb.data + sb.len, sb.cap - sb.len - 1);

			if (n < 0) {
				snprintf(err, errsize, "could not read member \"%s\" of \"%s\": %s", member, path,
				    archive_error_string(a));
				sb_free(&sb);
				result = -1;
				break;
			}
			if (n == 0)
				break;
			sb.len += (size_t) n;
			sb.data[sb.len] = '\0';
			if (sb.len + 1 >= sb.cap)
				sb_reserve(&sb, 64 * 1024);
			if (sb.len > limit) {
				snprintf(err, errsize, "member \"%s\" of \"%s\" is larger than %zu bytes", member, path, limit);
				sb_free(&sb);
				result = -1;
				break;
			}
		}
		if (result == -1)
			break;
		*len = sb.len;
		*out = sb_steal(&sb);
		result = 0;
		break;
	}
	if (rc != ARCHIVE_OK && rc != ARCHIVE_EOF && result == 1) {
		snprintf(err, errsize, "could not read archive \"%s\": %s", path, archive_error_string(a));
		result = -1;
	}
	archive_read_free(a);
	return result;
}

/*
 * The member at the start of buf (len bytes up to the end of the file): 0
 * when it is member, at most limit bytes, and the archive ends after it.
 */
static int
last_member_at(const char *buf, size_t len, const char *member, size_t limit, char **out, size_t *outlen)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int result = 1;

	archive_read_support_format_tar(a);
	archive_read_support_filter_none(a);
	if (archive_read_open_memory(a, buf, len) == ARCHIVE_OK &&
	    archive_read_next_header(a, &e) == ARCHIVE_OK && archive_entry_pathname(e) &&
	    strcmp(archive_entry_pathname(e), member) == 0 && archive_entry_filetype(e) == AE_IFREG &&
	    archive_entry_size_is_set(e) && archive_entry_size(e) >= 0 &&
	    (uint64_t) archive_entry_size(e) <= limit) {
		size_t size = (size_t) archive_entry_size(e), got = 0;
		char *data = xmalloc(size + 1);
		la_ssize_t n = 1;

		while (got < size && (n = archive_read_data(a, data + got, size - got)) > 0)
			got += (size_t) n;
		if (got == size && archive_read_next_header(a, &e) == ARCHIVE_EOF) {
			data[size] = '\0';
			*out = data;
			*outlen = size;
			result = 0;
		} else {
			free(data);
		}
	}
	archive_read_free(a);
	return result;
}

int
tarball_read_last(const char *path, const char *member, size_t limit, char **out, size_t *len, char *err,
    size_t errsize)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	size_t mlen = strlen(member);
	struct stat st;
	int64_t window = 64 * 1024, most;
	char *buf = NULL;
	int result = 1;

	*out = NULL;
	*len = 0;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errsize, "could not open archive \"%s\": %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || mlen == 0 || mlen >= 100) {
		close(fd);
		return 1;
	}
	/* the member, its header, an extended header, and the end blocks a tar may pad to 10 KiB */
	most = (int64_t) limit + 4 * TAR_BLOCK + 20 * 1024;
	for (;;) {
		int64_t start, size = (int64_t) st.st_size;
		ssize_t got;

		if (window > size)
			window = size;
		start = (size - window) / TAR_BLOCK * TAR_BLOCK;
		buf = xrealloc(buf, (size_t) (size - start));
		got = pread(fd, buf, (size_t) (size - start), (off_t) start);
		if (got != size - start) {
			snprintf(err, errsize, "could not read archive \"%s\": %s", path,
			    got < 0 ? strerror(errno) : "it is shorter than it was");
			result = -1;
			break;
		}
		/* a header block starts with the member's name (ustar's name field: 100 bytes, NUL-padded) */
		for (int64_t h = (size - 2 * TAR_BLOCK) / TAR_BLOCK * TAR_BLOCK; h >= start && result == 1;
		    h -= TAR_BLOCK) {
			const char *b = buf + (h - start);

			if (memcmp(b, member, mlen) == 0 && b[mlen] == '\0')
				result = last_member_at(b, (size_t) (size - h), member, limit, out, len);
		}
		if (result != 1 || start == 0 || window >= most)
			break;
		window *= 8;
	}
	free(buf);
	close(fd);
	return result;
}

/* ---- index for restore ---- */

static int64_t
padded(int64_t size)
{
	return (size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp((*(const tarball_entry *const *) a)->name, (*(const tarball_entry *const *) b)->name);
}

/* Read meta.json (entry t, at most limit bytes) into ix->meta. */
static int
read_meta(struct archive *a, const tarball_entry *t, tarball_index *ix, size_t limit, char *err,
    size_t errsize)
{
	la_ssize_t got = 0;

	if (ix->meta) {
		snprintf(err, errsize, "member \"%s\" appears twice", t->name);
		return TB_INDEX_INVALID;
	}
	if ((uint64_t) t->size > limit) {
		snprintf(err, errsize, "member \"%s\" is larger than %zu bytes", t->name, limit);
		return TB_INDEX_INVALID;
	}
	ix->meta = xmalloc((size_t) t->size + 1);
	while (got < t->size) {
		la_ssize_t n = archive_read_data(a, ix->meta + got, (size_t) (t->size - got));

		if (n <= 0) {
			snprintf(err, errsize, "member \"%s\" is truncated%s%s", t->name,
			    n < 0 ? ": " : "", n < 0 ? archive_error_string(a) : "");
			return TB_INDEX_INVALID;
		}
		got += n;
	}
	ix->meta[t->size] = '\0';
	ix->meta_len = (size_t) t->size;
	return TB_INDEX_OK;
}

/*
 * Each member's padded data ends where the next header (or the end marker,
 * pos[n]) starts: its offset, checked; then the by-name index, where a name
 * that appears twice is refused.
 */
static int
place_members(tarball_index *ix, const int64_t *pos, char *err, size_t errsize)
{
	for (size_t i = 0; i < ix->n_entries; i++) {
		tarball_entry *t = &ix->entries[i];

		t->header = pos[i];
		t->offset = pos[i + 1] - padded(t->size);
		if (t->offset < pos[i] + TAR_BLOCK || t->offset + t->size > ix->file_size) {
			snprintf(err, errsize, "member \"%s\" has an impossible position", t->name);
			return TB_INDEX_INVALID;
		}
	}
	ix->by_name = xmalloc((ix->n_entries ? ix->n_entries : 1) * sizeof(*ix->by_name));
	for (size_t i = 0; i < ix->n_entries; i++)
		ix->by_name[i] = &ix->entries[i];
	qsort(ix->by_name, ix->n_entries, sizeof(*ix->by_name), entry_cmp);
	for (size_t i = 1; i < ix->n_entries; i++)
		if (strcmp(ix->by_name[i - 1]->name, ix->by_name[i]->name) == 0) {
			snprintf(err, errsize, "member \"%s\" appears twice", ix->by_name[i]->name);
			return TB_INDEX_INVALID;
		}
	return TB_INDEX_OK;
}

int
tarball_index_open(const char *path, size_t meta_limit, tarball_index *ix, char *err, size_t errsize)
{
	struct archive *a;
	struct archive_entry *e;
	struct stat st;
	int64_t *pos = NULL;
	size_t cap = 0;
	int rc, result = TB_INDEX_OK;

	memset(ix, 0, sizeof(*ix));
	if (stat(path, &st) < 0) {
		snprintf(err, errsize, "could not open \"%s\": %s", path, strerror(errno));
		return TB_INDEX_IO;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errsize, "\"%s\" is not a regular file", path);
		return TB_INDEX_IO;
	}
	ix->file_size = (int64_t) st.st_size;
	if (access(path, R_OK) < 0) {
		snprintf(err, errsize, "could not read \"%s\": %s", path, strerror(errno));
		return TB_INDEX_IO;
	}
	a = archive_read_new();
	archive_read_support_format_tar(a);
	archive_read_support_filter_none(a);
	if (archive_read_open_filename(a, path, 64 * 1024) != ARCHIVE_OK) {
		/* the file is readable, so this is its content: not a tar */
		snprintf(err, errsize, "not a tar archive: %s", archive_error_string(a));
		archive_read_free(a);
		return TB_INDEX_INVALID;
	}
	while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		tarball_entry *t;

		if (!name || archive_entry_filetype(e) != AE_IFREG || archive_entry_sparse_count(e) > 0 ||
		    !archive_entry_size_is_set(e) || archive_entry_size(e) < 0) {
			snprintf(err, errsize, "member \"%s\" is not a plain file", name ? name : "(unnamed)");
			result = TB_INDEX_INVALID;
			break;
		}
		if (ix->n_entries == cap) {
			cap = cap ? cap * 2 : 64;
			ix->entries = xrealloc(ix->entries, cap * sizeof(*ix->entries));
			pos = xrealloc(pos, (cap + 1) * sizeof(*pos));
		}
		pos[ix->n_entries] = archive_read_header_position(a);
		t = &ix->entries[ix->n_entries++];
		t->name = xstrdup(name);
		t->size = archive_entry_size(e);
		t->offset = -1;
		if (strcmp(name, META_MEMBER) == 0 &&
		    (result = read_meta(a, t, ix, meta_limit, err, errsize)) != TB_INDEX_OK)
			break;
	}
	if (result == TB_INDEX_OK && rc != ARCHIVE_EOF) {
		const char *why = archive_error_string(a);

		snprintf(err, errsize, "not a complete tar archive%s%s", why ? ": " : "", why ? why : "");
		result = TB_INDEX_INVALID;
	}
	if (result == TB_INDEX_OK && ix->n_entries == 0) {
		snprintf(err, errsize, "not a tar archive, or an empty one");
		result = TB_INDEX_INVALID;
	}
	if (result == TB_INDEX_OK) {
		pos[ix->n_entries] = archive_read_header_position(a);
		result = place_members(ix, pos, err, errsize);
	}
	archive_read_free(a);
	free(pos);
	if (result != TB_INDEX_OK)
		tarball_index_free(ix);
	return result;
}

void
tarball_index_free(tarball_index *ix)
{
	for (size_t i = 0; i < ix->n_entries; i++)
		free(ix->entries[i].name);
	free(ix->entries);
	free(ix->by_name);
	free(ix->meta);
	memset(ix, 0, sizeof(*ix));
}

const tarball_entry *
tarball_index_find(const tarball_index *ix, const char *name)
{
	tarball_entry key = {.name = (char *) name};
	const tarball_entry *kp = &key;
	tarball_entry **hit = bsearch(&kp, ix->by_name, ix->n_entries, sizeof(*ix->by_name), entry_cmp);

	return hit ? *hit : NULL;
}
