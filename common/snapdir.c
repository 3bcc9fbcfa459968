/*
 * snapdir.c — listing and pruning snapshots; see snapdir.h.
 */
#include "snapdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exitcode.h"
#include "log.h"
#include "snapname.h"
#include "strbuf.h"
#include "tarball.h"

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
load_meta(snap_entry *e)
{
	char *text = NULL;
	size_t len = 0;
	char err[256];

	if (e->meta_path)
		text = read_small_file(e->meta_path, META_MAX_BYTES, &len);
	err[0] = '\0';
	if (!text && e->tar_path &&
	    tb_read_member(e->tar_path, META_MEMBER, META_MAX_BYTES, &text, &len, err, sizeof(err)) != 0)
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
	const snap_entry *x = a, *y = b;

	if (x->when != y->when)
		return x->when < y->when ? -1 : 1;
	return strcmp(x->name, y->name);
}

static snap_entry *
find_stem(snap_entry *e, size_t n, time_t when, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (e[i].when == when && strcmp(e[i].name, name) == 0)
			return &e[i];
	return NULL;
}

int
sd_scan(const char *dir, snap_entry **out, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	snap_entry *e = NULL;
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
		snap_entry *x;
		char *path;

		struct stat st;

		if (sn_parse_filename(de->d_name, ".tar", &when, &name))
			is_tar = true;
		else if (sn_parse_filename(de->d_name, ".meta", &when, &name))
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
				e = xrealloc(e, cap * sizeof(snap_entry));
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
		qsort(e, count, sizeof(snap_entry), cmp_entries);
	*out = e;
	*n = count;
	return 0;
}

void
sd_free(snap_entry *e, size_t n)
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

static void
print_json(FILE *f, const snap_entry *e, size_t n, time_t now)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		char when[32];

		sn_iso8601(e[i].when, when, sizeof(when));
		json_object_object_add(o, "name", json_object_new_string(e[i].name));
		json_object_object_add(o, "created_at", json_object_new_string(when));
		json_object_object_add(o, "age_seconds", json_object_new_int64((int64_t) (now - e[i].when)));
		json_object_object_add(o, "archive", e[i].tar_path ? json_object_new_string(e[i].tar_path) : NULL);
		json_object_object_add(o, "meta", e[i].meta_path ? json_object_new_string(e[i].meta_path) : NULL);
		json_object_object_add(o, "size_bytes", json_object_new_int64(e[i].tar_bytes));
		if (e[i].has_meta) {
			const snap_meta *m = &e[i].meta;
			meta_totals t;

			meta_totals_of(m, &t);
			json_object_object_add(o, "database", json_object_new_string(m->src_database));
			json_object_object_add(o, "host", m->src_host ? json_object_new_string(m->src_host) : NULL);
			json_object_object_add(o, "git_branch", m->git_branch ? json_object_new_string(m->git_branch) : NULL);
			json_object_object_add(o, "tables", json_object_new_int64(t.tables));
			json_object_object_add(o, "rows", json_object_new_int64(t.rows));
			json_object_object_add(o, "raw_bytes", json_object_new_int64(t.raw_bytes));
			json_object_object_add(o, "large_objects", json_object_new_int64(t.large_objects));
		}
		json_object_object_add(o, "valid", json_object_new_boolean(e[i].has_meta && e[i].tar_path));
		json_object_array_add(arr, o);
	}
	fprintf(f, "%s\n", json_object_to_json_string_ext(arr,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
}

void
sd_print(FILE *f, const snap_entry *e, size_t n, bool json, time_t now)
{
	size_t wname = 4, wdb = 8;

	if (json) {
		print_json(f, e, n, now);
		return;
	}
	if (n == 0) {
		fprintf(f, "no snapshots\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(e[i].name);

		wname = l > wname ? l : wname;
		if (e[i].has_meta) {
			char *db = str_visible(e[i].meta.src_database);

			wdb = strlen(db) > wdb ? strlen(db) : wdb;
			free(db);
		}
	}
	if (wdb > 30)
		wdb = 30;
	fprintf(f, "%-*s  %-19s  %6s  %-*s  %-16s  %6s  %12s  %9s\n", (int) wname, "NAME", "TIME (UTC)",
	    "AGE", (int) wdb, "DATABASE", "BRANCH", "TABLES", "ROWS", "SIZE");
	for (size_t i = 0; i < n; i++) {
		char when[32], age[16], size[32];
		struct tm tm;
		meta_totals t = {0};
		char *db = NULL, *branch = NULL;

		gmtime_r(&e[i].when, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		sn_format_age((long long) (now - e[i].when), age, sizeof(age));
		if (e[i].tar_bytes >= 0)
			sn_format_size((unsigned long long) e[i].tar_bytes, size, sizeof(size));
		else
			snprintf(size, sizeof(size), "missing");
		if (e[i].has_meta) {
			meta_totals_of(&e[i].meta, &t);
			db = str_visible(e[i].meta.src_database);
			if (e[i].meta.git_branch)
				branch = str_visible(e[i].meta.git_branch);
		}
		if (e[i].has_meta)
			fprintf(f, "%-*s  %-19s  %6s  %-*.*s  %-16.16s  %6lld  %12lld  %9s\n", (int) wname,
			    e[i].name, when, age, (int) wdb, (int) wdb, db, branch ? branch : "-",
			    (long long) t.tables, (long long) t.rows, size);
		else
			fprintf(f, "%-*s  %-19s  %6s  %-*.*s  %-16.16s  %6s  %12s  %9s\n", (int) wname,
			    e[i].name, when, age, (int) wdb, (int) wdb, "?", "-", "?", "?", size);
		free(db);
		free(branch);
	}
}

static int
remove_entry(const snap_entry *e, bool dry_run)
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
sd_prune(const char *dir, const prune_opts *po, time_t now)
{
	snap_entry *e;
	size_t n;
	int removed = 0, rc = 0;

	if (sd_scan(dir, &e, &n) < 0)
		return -1;
	/* newest first within each name: walk backwards counting per name */
	for (size_t i = n; i > 0; i--) {
		snap_entry *x = &e[i - 1];
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
	sd_free(e, n);
	return rc < 0 ? -1 : removed;
}

int
sd_list(FILE *f, const char *dir, bool json)
{
	snap_entry *e;
	size_t n;

	if (sd_scan(dir, &e, &n) < 0)
		return -1;
	sd_print(f, e, n, json, time(NULL));
	sd_free(e, n);
	if (fflush(f) != 0) {
		log_error("could not write the list: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
sd_resolve(const char *arg, const char *dir, char **path)
{
	snap_entry *e;
	size_t n;
	const char *problem;
	size_t len = strlen(arg);

	*path = NULL;
	if (strchr(arg, '/') || (len > 4 && strcmp(arg + len - 4, ".tar") == 0)) {
		*path = xstrdup(arg);
		return EXIT_OK;
	}
	if ((problem = sn_name_problem(arg))) {
		log_error("invalid snapshot name \"%s\": %s", arg, problem);
		log_hint("give a NAME from \"db-snapshot --list\", or a PATH to an archive");
		return EXIT_USAGE;
	}
	if (sd_scan(dir, &e, &n) < 0)
		return EXIT_FAILURE_;
	for (size_t i = n; i-- > 0;)
		if (e[i].tar_path && strcmp(e[i].name, arg) == 0) {
			*path = xstrdup(e[i].tar_path);
			break;
		}
	sd_free(e, n);
	if (!*path) {
		log_error("no snapshot named \"%s\" in \"%s\"", arg, dir);
		log_hint("run \"db-snapshot --list -o %s\" to see them, or give a PATH", dir);
		return EXIT_FAILURE_;
	}
	return EXIT_OK;
}

