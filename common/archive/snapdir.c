/*
 * snapdir.c — listing and pruning snapshots; see snapdir.h.
 */
#include "archive/snapdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/snapname.h"
#include "archive/tarball.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/status.h"
#include "util/strbuf.h"

/* Warn, or with quiet (a lookup, not a listing) say it only with -v. */
static void LOG_PRINTF(2, 3)
warn_or_note(bool quiet, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (quiet)
		log_verbose("%s", msg);
	else
		log_warning("%s", msg);
}

static bool
ends_in_tar(const char *s)
{
	size_t len = strlen(s);

	return len > 4 && strcmp(s + len - 4, ".tar") == 0;
}

/* A snapshot's file: an archive or an instant snapshot's marker. */
static bool
is_snapshot(const snapdir_entry *x)
{
	return x->tar_path || x->instant_path;
}

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

/*
 * The description: the sidecar, else the archive's meta.json, read from the
 * end of the tar (where it is the last member), else wherever it is.
 * False with err saying why there is none.
 */
static bool
load_meta(snapdir_entry *e, char *err, size_t errsize)
{
	char *text = NULL;
	size_t len = 0;

	err[0] = '\0';
	if (e->meta_path)
		text = read_small_file(e->meta_path, META_MAX_BYTES, &len);
	if (!text && e->tar_path) {
		int rc = tarball_read_last(e->tar_path, META_MEMBER, META_MAX_BYTES, &text, &len, err, errsize);

		if (rc == 1 && tarball_read_member(e->tar_path, META_MEMBER, META_MAX_BYTES, &text, &len, err,
		    errsize) == 1)
			snprintf(err, errsize, "it has no %s member", META_MEMBER);
	}
	if (!text) {
		if (!err[0])
			snprintf(err, errsize, "no readable description");
		return false;
	}
	if (meta_from_json(text, len, &e->meta, err, errsize) == META_OK)
		e->has_meta = true;
	free(text);
	return e->has_meta;
}

static int
cmp_entries(const void *a, const void *b)
{
	const snapdir_entry *x = a, *y = b;

	int c;

	if (x->when != y->when)
		return x->when < y->when ? -1 : 1;
	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	/* an instant snapshot and its export: the instant one is restored by NAME */
	if (!x->instant_path != !y->instant_path)
		return x->instant_path ? 1 : -1;
	return strcmp(x->file, y->file);
}

static snapdir_entry *
find_stem(snapdir_entry *e, size_t n, time_t when, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (e[i].stamped && !e[i].instant_path && e[i].when == when && strcmp(e[i].name, name) == 0)
			return &e[i];
	return NULL;
}

/*
 * Describe what needs it: every snapshot with describe (a listing), else
 * only the archives without a stamp, whose name and time are in meta.json.
 * Those that are not readable archives are left out.
 */
static size_t
describe_entries(snapdir_entry *e, size_t count, bool describe, bool quiet)
{
	size_t kept = 0;
	char err[256];

	for (size_t i = 0; i < count; i++) {
		snapdir_entry *x = &e[i];
		const char *what = x->tar_path ? x->tar_path : x->meta_path;

		if (x->instant_path) {
			/* described when it was found */
		} else if (x->stamped) {
			if (describe && !load_meta(x, err, sizeof(err)))
				warn_or_note(quiet, "snapshot \"%s\": %s", what, err);
		} else if (!load_meta(x, err, sizeof(err)) || !x->meta.name) {
			warn_or_note(quiet, "skipping \"%s\": not a snapshot archive: %s", what,
			    err[0] ? err : "it names no snapshot");
			free(x->tar_path);
			free(x->file);
			if (x->has_meta)
				meta_free(&x->meta);
			continue;
		} else {
			x->name = xstrdup(x->meta.name);
			x->when = x->meta.created_at;
		}
		e[kept++] = *x;
	}
	return kept;
}

/* An instant snapshot's marker, read (the name and time in its file name must agree). */
static void
add_instant(const char *dir, const char *file, time_t when, char *name, bool quiet, snapdir_entry **e,
    size_t *count, size_t *cap)
{
	char *path = xasprintf("%s/%s", dir, file);
	char err[256] = "";
	size_t len = 0;
	char *text = read_small_file(path, INSTANT_MAX_BYTES, &len);
	instant_marker m;
	snapdir_entry *x;

	if (!text || instant_from_json(text, len, &m, err, sizeof(err)) < 0) {
		warn_or_note(quiet, "skipping \"%s\": not an instant snapshot's marker%s%s", path, err[0] ? ": " : "",
		    err);
	} else if (m.created_at != when || strcmp(m.name, name) != 0) {
		warn_or_note(quiet, "skipping \"%s\": its file name does not match the name and time it records", path);
		instant_free(&m);
	} else {
		if (*count == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*e = xrealloc(*e, *cap * sizeof(snapdir_entry));
		}
		x = &(*e)[(*count)++];
		memset(x, 0, sizeof(*x));
		x->when = when;
		x->name = name;
		x->stamped = true;
		x->tar_bytes = -1;
		x->file = xstrdup(file);
		x->instant_path = path;
		x->instant = m;
		free(text);
		return;
	}
	free(text);
	free(path);
	free(name);
}

static int
scan(const char *dir, bool describe, bool quiet, snapdir_entry **out, size_t *n)
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
		time_t when = 0;
		char *name = NULL;
		bool is_tar, stamped = true;
		snapdir_entry *x;
		char *path;
		struct stat st;

		if (snapname_parse_filename(de->d_name, INSTANT_EXT, &when, &name)) {
			add_instant(dir, de->d_name, when, name, quiet, &e, &count, &cap);
			continue;
		}
		if (snapname_parse_filename(de->d_name, ".tar", &when, &name))
			is_tar = true;
		else if (snapname_parse_filename(de->d_name, ".meta", &when, &name))
			is_tar = false;
		else if (de->d_name[0] != '.' && ends_in_tar(de->d_name)) {
			is_tar = true;
			stamped = false;
		} else
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		/* a FIFO or a device with a snapshot's name would block whoever reads it */
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			log_verbose("skipping \"%s\": not a regular file", path);
			free(path);
			free(name);
			continue;
		}
		x = stamped ? find_stem(e, count, when, name) : NULL;
		if (!x) {
			if (count == cap) {
				cap = cap ? cap * 2 : 16;
				e = xrealloc(e, cap * sizeof(snapdir_entry));
			}
			x = &e[count++];
			memset(x, 0, sizeof(*x));
			x->when = when;
			x->name = name;
			x->stamped = stamped;
			x->tar_bytes = -1;
		} else {
			free(name);
		}
		if (is_tar) {
			x->tar_path = path;
			x->tar_bytes = (long long) st.st_size;
			free(x->file);
			x->file = xstrdup(de->d_name);
		} else {
			x->meta_path = path;
			if (!x->file)
				x->file = xstrdup(de->d_name);
		}
	}
	closedir(d);
	count = describe_entries(e, count, describe, quiet);
	if (count)
		qsort(e, count, sizeof(snapdir_entry), cmp_entries);
	else {
		free(e);
		e = NULL;
	}
	*out = e;
	*n = count;
	return 0;
}

int
snapdir_scan(const char *dir, snapdir_entry **out, size_t *n)
{
	return scan(dir, true, false, out, n);
}

void
snapdir_free(snapdir_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].tar_path);
		free(e[i].meta_path);
		free(e[i].file);
		free(e[i].name);
		if (e[i].has_meta)
			meta_free(&e[i].meta);
		if (e[i].instant_path)
			instant_free(&e[i].instant);
		free(e[i].instant_path);
	}
	free(e);
}

static int
remove_entry(const snapdir_entry *e, bool dry_run)
{
	const char *paths[3] = {e->tar_path, e->meta_path, e->instant_path};
	int rc = 0;

	for (int k = 0; k < 3; k++) {
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

/* ---- names ---- */

static bool
named(const snapdir_entry *x, const char *name)
{
	return is_snapshot(x) && strcmp(x->name, name) == 0;
}

/* The back-th snapshot named name before index before (back 0: the newest). */
static long
step_back(const snapdir_entry *e, size_t before, const char *name, unsigned back)
{
	for (size_t i = before; i-- > 0;)
		if (named(&e[i], name) && back-- == 0)
			return (long) i;
	return SNAPDIR_TOO_FEW;
}

static long
by_name(const snapdir_entry *e, size_t n, const char *name, unsigned back)
{
	for (size_t i = 0; i < n; i++)
		if (named(&e[i], name))
			return step_back(e, n, name, back);
	return SNAPDIR_NO_MATCH;
}

static long
by_file(const snapdir_entry *e, size_t n, const char *file, unsigned back)
{
	for (size_t i = 0; i < n; i++)
		if (is_snapshot(&e[i]) && strcmp(e[i].file, file) == 0)
			return back == 0 ? (long) i : step_back(e, i, e[i].name, back - 1);
	return SNAPDIR_NO_MATCH;
}

long
snapdir_find(const snapdir_entry *e, size_t n, const char *arg)
{
	size_t blen;
	unsigned back;
	char *base;
	long r;

	if (strchr(arg, '/') || !snapname_parse_back(arg, &blen, &back))
		return SNAPDIR_BAD_ARG;
	base = xasprintf("%.*s", (int) blen, arg);
	if (ends_in_tar(base) || instant_is_marker(base)) {
		/* a file name; or a NAME ending in .tar, which a snapshot may have */
		r = by_file(e, n, base, back);
		if (r == SNAPDIR_NO_MATCH && !snapname_name_problem(base))
			r = by_name(e, n, base, back);
	} else if (snapname_name_problem(base)) {
		r = SNAPDIR_BAD_ARG;
	} else {
		char *file = xasprintf("%s.tar", base);
		char *marker = xasprintf("%s" INSTANT_EXT, base);

		r = by_name(e, n, base, back);
		if (r == SNAPDIR_NO_MATCH)
			r = by_file(e, n, file, back);
		if (r == SNAPDIR_NO_MATCH)
			r = by_file(e, n, marker, back);
		free(file);
		free(marker);
	}
	free(base);
	return r;
}

char *
snapdir_shortest(const snapdir_entry *e, size_t n, size_t i)
{
	char *stem;

	if (!is_snapshot(&e[i]))
		return NULL;
	if (snapdir_find(e, n, e[i].name) == (long) i)
		return xstrdup(e[i].name);
	stem = xasprintf("%.*s", (int) (strlen(e[i].file) - (e[i].tar_path ? 4 : strlen(INSTANT_EXT))), e[i].file);
	if (snapdir_find(e, n, stem) == (long) i)
		return stem;
	free(stem);
	if (snapdir_find(e, n, e[i].file) == (long) i)
		return xstrdup(e[i].file);
	return NULL;
}

char *
snapdir_ref(const char *dir, const char *tar_path)
{
	snapdir_entry *e;
	size_t n;
	char *ref = NULL;

	if (scan(dir, false, true, &e, &n) < 0)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((e[i].tar_path && strcmp(e[i].tar_path, tar_path) == 0) ||
		    (e[i].instant_path && strcmp(e[i].instant_path, tar_path) == 0))
			ref = snapdir_shortest(e, n, i);
	snapdir_free(e, n);
	return ref;
}

/* Log why arg names no snapshot (why: what snapdir_find returned); the status to return. */
static dbt_status
not_found(const char *arg, const char *dir, long why, bool here_too)
{
	size_t blen;
	unsigned back;

	if (why == SNAPDIR_BAD_ARG) {
		if (!snapname_parse_back(arg, &blen, &back)) {
			log_error("invalid snapshot \"%s\": \"~\" takes a number from 0 to %d", arg, SN_BACK_MAX);
		} else {
			char *base = xasprintf("%.*s", (int) blen, arg);
			const char *problem = snapname_name_problem(base);

			log_error("invalid snapshot name \"%s\": %s", base, problem ? problem : "it contains '/'");
			free(base);
		}
		log_hint("give a NAME or a FILE from \"db-snapshot --list\" (NAME~N: the N-th before the newest)%s",
		    here_too ? ", or a PATH to an archive" : "");
		return DBT_USAGE;
	}
	if (why == SNAPDIR_TOO_FEW)
		log_error("no snapshot \"%s\" in \"%s\": there are not that many of that name", arg, dir);
	else if (ends_in_tar(arg))
		log_error("no archive \"%s\"%s in \"%s\"", arg, here_too ? " here or" : "", dir);
	else
		log_error("no snapshot named \"%s\" in \"%s\"", arg, dir);
	log_hint("run \"db-snapshot --list -o %s\" to see them%s", dir, here_too ? ", or give a PATH" : "");
	return DBT_FAILED;
}

/* NAME picked the newest of the name: say so when a file NAME.tar is another snapshot. */
static void
note_other_file(const snapdir_entry *e, size_t n, const char *arg, long picked)
{
	char *file;
	long other;

	if (picked < 0 || strcmp(e[picked].name, arg) != 0)
		return;
	file = xasprintf("%s.tar", arg);
	other = by_file(e, n, file, 0);
	if (other >= 0 && other != picked)
		log_info("note: \"%s\" is the newest snapshot of that name, \"%s\"; \"%s\" is another one",
		    arg, e[picked].file, file);
	free(file);
}

dbt_status
snapdir_resolve(const char *arg, const char *dir, char **path)
{
	snapdir_entry *e;
	size_t n;
	struct stat st;
	long i;
	dbt_status rc;

	*path = NULL;
	if (strchr(arg, '/') || ((ends_in_tar(arg) || instant_is_marker(arg)) && stat(arg, &st) == 0)) {
		*path = xstrdup(arg);
		return DBT_OK;
	}
	if (scan(dir, false, true, &e, &n) < 0)
		return DBT_FAILED;
	i = snapdir_find(e, n, arg);
	if (i >= 0) {
		note_other_file(e, n, arg, i);
		*path = xstrdup(e[i].tar_path ? e[i].tar_path : e[i].instant_path);
		rc = DBT_OK;
	} else {
		rc = not_found(arg, dir, i, true);
	}
	snapdir_free(e, n);
	return rc;
}

dbt_status
snapdir_lookup(const char *arg, const char *dir, snapdir_entry **out)
{
	snapdir_entry *e;
	size_t n;
	long i;
	dbt_status rc = DBT_OK;

	*out = NULL;
	if (strchr(arg, '/')) {
		log_error("\"%s\" is a path; a snapshot is named here by its NAME or its FILE in \"%s\"", arg, dir);
		log_hint("run \"db-snapshot --list -o %s\" to see them; -o names another directory", dir);
		return DBT_USAGE;
	}
	if (scan(dir, true, true, &e, &n) < 0)
		return DBT_FAILED;
	i = snapdir_find(e, n, arg);
	if (i >= 0) {
		note_other_file(e, n, arg, i);
		*out = xmalloc(sizeof(**out));
		**out = e[i];
		memset(&e[i], 0, sizeof(e[i]));
	} else {
		rc = not_found(arg, dir, i, false);
	}
	snapdir_free(e, n);
	return rc;
}

/* ---- removing ---- */

static void
fsync_or_warn(const char *dir)
{
	if (fs_fsync_dir(dir) < 0)
		log_warning("could not make the change durable (fsync of \"%s\": %s)", dir, strerror(errno));
}

dbt_status
snapdir_delete(const char *dir, const snapdir_entry *e)
{
	if (remove_entry(e, false) < 0)
		return DBT_FAILED;
	fsync_or_warn(dir);
	return DBT_OK;
}

int
snapdir_prune(const char *dir, const prune_opts *po, time_t now)
{
	snapdir_entry *e;
	size_t n;
	int removed = 0, rc = 0;

	if (snapdir_scan(dir, &e, &n) < 0)
		return -1;
	if (po->name) {
		/* a NAME (however many it has, none included), not one snapshot */
		bool any = false;
		long one = snapdir_find(e, n, po->name);

		for (size_t i = 0; i < n && !any; i++)
			any = strcmp(e[i].name, po->name) == 0;
		if (!any && (one >= 0 || one == SNAPDIR_TOO_FEW || strchr(po->name, '~'))) {
			log_error("\"%s\" names one snapshot, not a NAME: --prune takes the name of snapshots", po->name);
			log_hint("to remove that one: db-snapshot --delete %s", po->name);
			snapdir_free(e, n);
			return -2;
		}
		if (!any && one == SNAPDIR_BAD_ARG) {
			(void) not_found(po->name, dir, one, false);
			snapdir_free(e, n);
			return -2;
		}
	}
	/* newest first within each name: walk backwards counting per name */
	for (size_t i = n; i > 0; i--) {
		snapdir_entry *x = &e[i - 1];
		int newer = 0;
		bool beyond_keep, too_old;

		if (po->name && strcmp(po->name, x->name) != 0)
			continue;
		for (size_t k = i; k < n; k++)
			if (named(&e[k], x->name))
				newer++;
		/* a .meta without its archive is not a snapshot to keep */
		beyond_keep = po->keep < 0 || !is_snapshot(x) || newer >= po->keep;
		too_old = po->older_than < 0 || (long long) (now - x->when) > po->older_than;
		if (po->keep < 0 && po->older_than < 0)
			continue;
		if (beyond_keep && too_old) {
			if (x->instant_path && !po->dry_run && (!po->drop_instant ||
			    po->drop_instant(po->drop_arg, x) < 0)) {
				if (!po->drop_instant)
					log_warning("keeping the instant snapshot \"%s\": its database is not dropped here",
					    x->file);
				rc = -1;
				continue;
			}
			if (remove_entry(x, po->dry_run) < 0)
				rc = -1;
			removed++;
		}
	}
	if (removed > 0 && !po->dry_run)
		fsync_or_warn(dir);
	snapdir_free(e, n);
	return rc < 0 ? -1 : removed;
}

/* ---- renaming ---- */

/* The new files of a rename, and which of them exist so far. */
typedef struct rename_files {
	char *tar, *meta, *tar_tmp, *meta_tmp;
	bool tar_tmp_made, meta_tmp_made;
} rename_files;

static void
rename_files_free(rename_files *f)
{
	if (f->tar_tmp_made)
		unlink(f->tar_tmp);
	if (f->meta_tmp_made)
		unlink(f->meta_tmp);
	free(f->tar);
	free(f->meta);
	free(f->tar_tmp);
	free(f->meta_tmp);
}

/* Write the new archive (the old one up to meta.json, then json) and its sidecar as .partial files. */
static dbt_status
write_renamed(const char *dir, const snapdir_entry *e, const tarball_index *ix, const char *json,
    time_t mtime, rename_files *f)
{
	const tarball_entry *last = &ix->entries[ix->n_entries - 1];
	size_t len = strlen(json);
	tarball *tb;
	tarball_index check;
	char err[256];
	uint64_t avail;

	if (fs_free_bytes(dir, &avail) == 0 && avail < (uint64_t) last->header + len + (1u << 20)) {
		log_error("not enough free space to rename \"%s\": the archive is copied (%lld bytes), %llu are free",
		    e->tar_path, (long long) last->header, (unsigned long long) avail);
		return DBT_FAILED;
	}
	/* the tar first: a snapshot run cleaning up leaves .partial files alone while their tar is locked */
	if (!(tb = tarball_create_from(f->tar_tmp, e->tar_path, last->header)))
		return DBT_FAILED;
	f->tar_tmp_made = true;
	if (fs_write_new_file(f->meta_tmp, json, len) < 0) {
		tarball_abort(tb);
		return DBT_FAILED;
	}
	f->meta_tmp_made = true;
	if (tarball_add_mem(tb, META_MEMBER, json, len, mtime) < 0) {
		tarball_abort(tb);
		return DBT_FAILED;
	}
	if (tarball_close(tb, NULL) < 0)
		return DBT_FAILED;
	/* read back: the same members, ending with the new description */
	if (tarball_index_open(f->tar_tmp, META_MAX_BYTES, &check, err, sizeof(err)) != TB_INDEX_OK) {
		log_error("the renamed archive \"%s\" does not read back: %s", f->tar_tmp, err);
		return DBT_FAILED;
	}
	if (check.n_entries != ix->n_entries || !check.meta || check.meta_len != len ||
	    memcmp(check.meta, json, len) != 0) {
		log_error("the renamed archive \"%s\" does not read back as written", f->tar_tmp);
		tarball_index_free(&check);
		return DBT_FAILED;
	}
	tarball_index_free(&check);
	return DBT_OK;
}

/* An instant snapshot's rename: its marker written anew, then the old one removed. */
static dbt_status
rename_instant(const char *dir, const snapdir_entry *e, const char *new_name, char **new_path)
{
	instant_marker m = e->instant;
	char *path;

	if (strcmp(e->name, new_name) == 0) {
		log_info("\"%s\" is already named \"%s\"; nothing was changed", e->file, new_name);
		*new_path = xstrdup(e->instant_path);
		return DBT_OK;
	}
	path = instant_path(dir, new_name, e->when);
	if (access(path, F_OK) == 0) {
		log_error("\"%s\" already exists", path);
		log_hint("choose another name, or delete that snapshot first (db-snapshot --delete)");
		free(path);
		return DBT_FAILED;
	}
	m.name = (char *) new_name;
	if (instant_write(path, &m) != DBT_OK) {
		free(path);
		return DBT_FAILED;
	}
	if (unlink(e->instant_path) != 0 && errno != ENOENT)
		log_warning("renamed to \"%s\", but could not remove \"%s\": %s", path, e->instant_path,
		    strerror(errno));
	fsync_or_warn(dir);
	*new_path = path;
	return DBT_OK;
}

dbt_status
snapdir_rename(const char *dir, const snapdir_entry *e, const char *new_name, char **new_path)
{
	const char *problem = snapname_name_problem(new_name);
	char stamp[SN_STAMP_LEN + 1];
	rename_files f = {0};
	tarball_index ix;
	meta_doc m;
	char err[256];
	char *json = NULL;
	dbt_status rc;

	*new_path = NULL;
	if (problem) {
		log_error("invalid snapshot name \"%s\": %s", new_name, problem);
		log_hint("use letters, digits, '.', '_' and '-', at most %d characters", SN_NAME_MAX);
		return DBT_USAGE;
	}
	if (e->instant_path)
		return rename_instant(dir, e, new_name, new_path);
	if (!e->tar_path) {
		log_error("\"%s\" has no archive, only its .meta: nothing to rename", e->file);
		return DBT_FAILED;
	}
	if (e->stamped && strcmp(e->name, new_name) == 0) {
		log_info("\"%s\" is already named \"%s\"; nothing was changed", e->file, new_name);
		*new_path = xstrdup(e->tar_path);
		return DBT_OK;
	}
	snapname_stamp(e->when, stamp);
	f.tar = xasprintf("%s/%s_%s.tar", dir, stamp, new_name);
	f.meta = xasprintf("%s/%s_%s.meta", dir, stamp, new_name);
	f.tar_tmp = xasprintf("%s.partial", f.tar);
	f.meta_tmp = xasprintf("%s.partial", f.meta);
	if (access(f.tar, F_OK) == 0 || access(f.meta, F_OK) == 0) {
		log_error("\"%s\" already exists", access(f.tar, F_OK) == 0 ? f.tar : f.meta);
		log_hint("choose another name, or delete that snapshot first (db-snapshot --delete)");
		rename_files_free(&f);
		return DBT_FAILED;
	}
	if (tarball_index_open(e->tar_path, META_MAX_BYTES, &ix, err, sizeof(err)) != TB_INDEX_OK) {
		log_error("archive \"%s\" is unusable: %s", e->tar_path, err);
		rename_files_free(&f);
		return DBT_INTEGRITY;
	}
	if (!ix.meta || strcmp(ix.entries[ix.n_entries - 1].name, META_MEMBER) != 0 ||
	    !(json = meta_renamed_json(ix.meta, ix.meta_len, new_name, err, sizeof(err)))) {
		log_error("archive \"%s\" is unusable: %s", e->tar_path,
		    !ix.meta ? "it has no meta.json member" : !json && err[0] ? err : "meta.json is not its last member");
		tarball_index_free(&ix);
		rename_files_free(&f);
		return DBT_INTEGRITY;
	}
	(void) meta_from_json(json, strlen(json), &m, err, sizeof(err));   /* accepted by meta_renamed_json */
	rc = write_renamed(dir, e, &ix, json, m.created_at, &f);
	meta_free(&m);
	tarball_index_free(&ix);
	free(json);
	/* the new .tar alone is a complete snapshot; the old one stays until both new files are in place */
	if (rc == DBT_OK && fs_rename_noclobber(f.tar_tmp, f.tar) < 0)
		rc = DBT_FAILED;
	if (rc != DBT_OK) {
		rename_files_free(&f);
		return rc;
	}
	f.tar_tmp_made = false;
	if (fs_rename_noclobber(f.meta_tmp, f.meta) < 0)
		log_warning("the renamed archive is complete but has no .meta sidecar; its meta.json member describes it");
	else
		f.meta_tmp_made = false;
	fsync_or_warn(dir);
	if ((e->meta_path && unlink(e->meta_path) != 0 && errno != ENOENT) ||
	    (unlink(e->tar_path) != 0 && errno != ENOENT))
		log_warning("renamed to \"%s\", but could not remove the old files: %s", f.tar, strerror(errno));
	fsync_or_warn(dir);
	*new_path = f.tar;
	f.tar = NULL;
	rename_files_free(&f);
	return DBT_OK;
}
