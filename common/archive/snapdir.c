/*
 * snapdir.c — listing and pruning snapshots; see snapdir.h.
 */
#include "archive/snapdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/snapname.h"
#include "archive/tarball.h"
#include "util/log.h"
#include "util/status.h"
#include "util/strbuf.h"

/* A regular file's content (up to limit bytes); NULL for anything else, without blocking on it. */
static char *
read_small_file(const char *path, size_t limit, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	strbuf sb;
	char buf[8192];
	ssize_t n;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	sb_init(&sb);
	while ((n = read(fd, buf, sizeof(buf))) > 0 && sb.len <= limit)
		sb_append_len(&sb, buf, (size_t) n);
	close(fd);
	if (sb.len > limit) {
		sb_free(&sb);
		return NULL;
	}
	*len = sb.len;
	return sb_steal(&sb);
}

static void
load_meta(snapdir_entry *e)
{
	char *text = NULL;
	size_t len = 0;
	char err[256];

	if (e->meta_path)
		text = read_small_file(e->meta_path, META_MAX_BYTES, &len);
	err[0] = '\0';
	if (!text && e->tar_path &&
	    tarball_read_member(e->tar_path, META_MEMBER, META_MAX_BYTES, &text, &len, err, sizeof(err)) != 0)
		text = NULL;
	if (!text) {
		log_warning("no readable description for snapshot \"%s\"%s%s",
		    e->tar_path ? e->tar_path : e->meta_path, err[0] ? ": " : "", err);
		return;
	}
	if (meta_from_json(text, len, &e->meta, err, sizeof(err)) == META_OK)
		e->has_meta = true;
	else
		log_warning("snapshot \"%s\": %s", e->tar_path ? e->tar_path : e->meta_path, err);
	free(text);
}

static int
cmp_entries(const void *a, const void *b)
{
	const snapdir_entry *x = a, *y = b;

	if (x->when != y->when)
		return x->when < y->when ? -1 : 1;
	return strcmp(x->name, y->name);
}

static snapdir_entry *
find_stem(snapdir_entry *e, size_t n, time_t when, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (e[i].when == when && strcmp(e[i].name, name) == 0)
			return &e[i];
	return NULL;
}

int
snapdir_scan(const char *dir, snapdir_entry **out, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	snapdir_entry *e = NULL;
	size_t count = 0, cap = 0;

	*out = NULL;
	*n = 0;
	if (!d) {
		if (errno == ENOENT)
			return 0;
		log_error("could not open directory \"%s\": %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		time_t when;
		char *name;
		bool is_tar;
		snapdir_entry *x;
		char *path;

		struct stat st;

		if (snapname_parse_filename(de->d_name, ".tar", &when, &name))
			is_tar = true;
		else if (snapname_parse_filename(de->d_name, ".meta", &when, &name))
			is_tar = false;
		else
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		/* a FIFO or a device with a snapshot's name would block whoever reads it */
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			log_verbose("skipping \"%s\": not a regular file", path);
			free(path);
			free(name);
			continue;
		}
		x = find_stem(e, count, when, name);
		if (!x) {
			if (count == cap) {
				cap = cap ? cap * 2 : 16;
				e = xrealloc(e, cap * sizeof(snapdir_entry));
			}
			x = &e[count++];
			memset(x, 0, sizeof(*x));
			x->when = when;
			x->name = name;
		} else {
			free(name);
		}
		if (is_tar) {
			x->tar_path = path;
			x->tar_bytes = (long long) st.st_size;
		} else {
			x->meta_path = path;
		}
	}
	closedir(d);
	for (size_t i = 0; i < count; i++)
		load_meta(&e[i]);
	if (count)
		qsort(e, count, sizeof(snapdir_entry), cmp_entries);
	*out = e;
	*n = count;
	return 0;
}

void
snapdir_free(snapdir_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].tar_path);
		free(e[i].meta_path);
		free(e[i].name);
		if (e[i].has_meta)
			meta_free(&e[i].meta);
	}
	free(e);
}

static int
remove_entry(const snapdir_entry *e, bool dry_run)
{
	const char *paths[2] = {e->tar_path, e->meta_path};
	int rc = 0;

	for (int k = 0; k < 2; k++) {
		if (!paths[k])
			continue;
		if (dry_run) {
			log_info("would remove \"%s\"", paths[k]);
			continue;
		}
		if (unlink(paths[k]) != 0 && errno != ENOENT) {
			log_error("could not remove \"%s\": %s", paths[k], strerror(errno));
			rc = -1;
		} else {
			log_verbose("removed \"%s\"", paths[k]);
		}
	}
	return rc;
}

int
snapdir_prune(const char *dir, const prune_opts *po, time_t now)
{
	snapdir_entry *e;
	size_t n;
	int removed = 0, rc = 0;

	if (snapdir_scan(dir, &e, &n) < 0)
		return -1;
	/* newest first within each name: walk backwards counting per name */
	for (size_t i = n; i > 0; i--) {
		snapdir_entry *x = &e[i - 1];
		int newer = 0;
		bool beyond_keep, too_old;

		if (po->name && strcmp(po->name, x->name) != 0)
			continue;
		for (size_t k = i; k < n; k++)
			if (strcmp(e[k].name, x->name) == 0)
				newer++;
		beyond_keep = po->keep < 0 || newer >= po->keep;
		too_old = po->older_than < 0 || (long long) (now - x->when) > po->older_than;
		if (po->keep < 0 && po->older_than < 0)
			continue;
		if (beyond_keep && too_old) {
			if (remove_entry(x, po->dry_run) < 0)
				rc = -1;
			removed++;
		}
	}
	snapdir_free(e, n);
	return rc < 0 ? -1 : removed;
}

dbt_status
snapdir_resolve(const char *arg, const char *dir, char **path)
{
	snapdir_entry *e;
	size_t n;
	const char *problem;
	size_t len = strlen(arg);

	*path = NULL;
	if (strchr(arg, '/') || (len > 4 && strcmp(arg + len - 4, ".tar") == 0)) {
		*path = xstrdup(arg);
		return DBT_OK;
	}
	if ((problem = snapname_name_problem(arg))) {
		log_error("invalid snapshot name \"%s\": %s", arg, problem);
		log_hint("give a NAME from \"db-snapshot --list\", or a PATH to an archive");
		return DBT_USAGE;
	}
	if (snapdir_scan(dir, &e, &n) < 0)
		return DBT_FAILED;
	for (size_t i = n; i-- > 0;)
		if (e[i].tar_path && strcmp(e[i].name, arg) == 0) {
			*path = xstrdup(e[i].tar_path);
			break;
		}
	snapdir_free(e, n);
	if (!*path) {
		log_error("no snapshot named \"%s\" in \"%s\"", arg, dir);
		log_hint("run \"db-snapshot --list -o %s\" to see them, or give a PATH", dir);
		return DBT_FAILED;
	}
	return DBT_OK;
}

