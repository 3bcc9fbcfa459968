/*
 * pgdump.c — pg_dump selection and schema sections; see pgdump.h.
 */
#include "pg/pgdump.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pg/conn.h"
#include "util/fsutil.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/strbuf.h"

int
pgdump_parse_version(const char *text, char **version, int *major)
{
	const char *p = strstr(text, "(PostgreSQL) ");
	size_t n;

	if (!p)
		return -1;
	p += strlen("(PostgreSQL) ");
	n = strspn(p, "0123456789.");
	if (n == 0 || !isdigit((unsigned char) *p))
		return -1;
	*version = xmalloc(n + 1);
	memcpy(*version, p, n);
	(*version)[n] = '\0';
	*major = atoi(*version);
	return 0;
}

static int
probe(const char *path, pgdump_prog *out)
{
	char *argv[] = {(char *) path, "--version", NULL};
	char *text = NULL;

	if (strchr(path, '/') && access(path, X_OK) != 0)
		return -1;
	if (proc_capture(argv, NULL, 4096, &text, true) != 0 || !text) {
		free(text);
		return -1;
	}
	if (pgdump_parse_version(text, &out->version, &out->major) != 0) {
		free(text);
		return -1;
	}
	free(text);
	out->path = xstrdup(path);
	/* pg_restore of the same installation reads what this pg_dump writes */
	if (strchr(path, '/')) {
		const char *slash = strrchr(path, '/');

		out->restore_path = xasprintf("%.*s/pg_restore", (int) (slash - path), path);
		if (access(out->restore_path, X_OK) != 0) {
			free(out->restore_path);
			out->restore_path = xstrdup("pg_restore");
		}
	} else {
		out->restore_path = xstrdup("pg_restore");
	}
	return 0;
}

/* Remember a pg_dump that was found but is too old, for the message. */
static void
note_rejected(strbuf *rejected, const pgdump_prog *p)
{
	if (!p->path || strstr(rejected->data ? rejected->data : "", p->path))
		return;
	sb_appendf(rejected, "%s%s (%s)", rejected->len ? ", " : "", p->path, p->version);
}

int
pgdump_find(int server_version_num, const char *override, pgdump_prog *out)
{
	int server_major = server_version_num / 10000;
	char *candidate;
	pgdump_prog best = {0};
	strbuf rejected;
	DIR *d;

	memset(out, 0, sizeof(*out));
	if (override && *override) {
		if (probe(override, out) != 0) {
			log_error("DB_TOOLS_PG_DUMP=\"%s\" is not a working pg_dump", override);
			return -1;
		}
		if (out->major < server_major) {
			log_error("DB_TOOLS_PG_DUMP=\"%s\" is pg_dump %s, but the server is PostgreSQL %d",
			    override, out->version, server_major);
			log_hint("pg_dump %d or newer is needed", server_major);
			pgdump_free(out);
			return -1;
		}
		return 0;
	}
	candidate = xasprintf("/usr/lib/postgresql/%d/bin/pg_dump", server_major);
	if (probe(candidate, out) == 0 && out->major == server_major) {
		free(candidate);
		return 0;
	}
	pgdump_free(out);
	free(candidate);
	sb_init(&rejected);
	if (probe("pg_dump", out) == 0) {
		if (out->major >= server_major) {
			sb_free(&rejected);
			return 0;
		}
		note_rejected(&rejected, out);
	}
	pgdump_free(out);
	/* any newer installed major version */
	d = opendir("/usr/lib/postgresql");
	if (d) {
		struct dirent *de;

		while ((de = readdir(d))) {
			pgdump_prog p = {0};
			int major = atoi(de->d_name);

			if (major <= 0)
				continue;
			candidate = xasprintf("/usr/lib/postgresql/%s/bin/pg_dump", de->d_name);
			if (probe(candidate, &p) == 0 && p.major >= server_major &&
			    (!best.path || p.major < best.major)) {
				pgdump_free(&best);
				best = p;
			} else {
				note_rejected(&rejected, &p);
				pgdump_free(&p);
			}
			free(candidate);
		}
		closedir(d);
	}
	if (best.path) {
		*out = best;
		sb_free(&rejected);
		return 0;
	}
	log_error("no pg_dump for PostgreSQL %d found", server_major);
	log_detail("the server runs PostgreSQL %d; pg_dump refuses servers newer than itself", server_major);
	if (rejected.len)
		log_detail("found only older ones: %s", rejected.data);
	sb_free(&rejected);
	log_hint("install postgresql-client-%d, or set DB_TOOLS_PG_DUMP to a pg_dump of version %d or newer",
	    server_major, server_major);
	return -1;
}

void
pgdump_free(pgdump_prog *p)
{
	free(p->path);
	free(p->restore_path);
	free(p->version);
	memset(p, 0, sizeof(*p));
}

int
pgdump_is_restrict_line(const char *line, size_t len)
{
	static const char *const cmds[] = {"\\restrict", "\\unrestrict"};

	for (int i = 0; i < 2; i++) {
		size_t n = strlen(cmds[i]);

		if (len >= n && memcmp(line, cmds[i], n) == 0 &&
		    (len == n || line[n] == ' ' || line[n] == '\t' || line[n] == '\r'))
			return 1;
	}
	return 0;
}

/*
 * Run argv (a pg_dump or pg_restore command line) with env; when out is
 * non-NULL its standard output goes there, \restrict lines removed, and
 * bytes/sha256 describe what was kept.
 */
static int
run_tool(char *const argv[], char *const env[], const char *what, spool *out, int64_t *bytes,
    char sha256[HASH_HEX_LEN + 1])
{
	hash_ctx *h = hash_new();
	proc p;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int status, rc = -1;

	if (bytes)
		*bytes = 0;
	if (proc_start(&p, argv, env, NULL) < 0)
		goto out;
	f = fdopen(p.out_fd, "r");
	if (!f) {
		log_error("could not read the output of %s: %s", what, strerror(errno));
		proc_close(&p);
		goto out;
	}
	p.out_fd = -1;   /* owned by f now */
	rc = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		size_t content = (size_t) len - (line[len - 1] == '\n');

		if (!out || pgdump_is_restrict_line(line, content))
			continue;
		if (rc == 0 && spool_write(out, line, (size_t) len) < 0)
			rc = -1;   /* keep reading so the child can finish */
		hash_update(h, line, (size_t) len);
		*bytes += len;
	}
	fclose(f);
	status = proc_wait(&p);
	if (status != 0) {
		char *err = proc_stderr(&p, 8192);

		if (intr_pending())
			log_error("%s was interrupted", what);
		else {
			log_error("%s failed with exit status %d", what, status);
			if (*err)
				log_detail("%s", err);
			/* its lock wait gave up (--lock-wait-timeout): a session queued for a table */
			if (strstr(err, "LOCK TABLE") && (strstr(err, "statement timeout") ||
			    strstr(err, "could not obtain lock")))
				log_hint("another session is waiting to change a table (ALTER, TRUNCATE, DROP ...); "
				    "take the snapshot again once it is done");
		}
		free(err);
		rc = -1;
	}
	proc_close(&p);
out:
	if (sha256)
		hash_final_hex(h, sha256);
	hash_free(h);
	free(line);
	return rc;
}

/*
 * A service file "[db_tools]" holding lines (keyword=value), mode 0600 in
 * TMPDIR; its path (caller unlinks and frees), or NULL after logging.
 */
static char *
write_service_file(const char *lines)
{
	char *path = xasprintf("%s/db-tools-service-XXXXXX", fs_temp_dir());
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!f || fprintf(f, "[db_tools]\n%s", lines) < 0 || fclose(f) != 0) {
		log_error("could not write a service file for pg_dump in \"%s\": %s",
		    fs_temp_dir(), strerror(errno));
		if (f)
			(void) fclose(f);
		else if (fd >= 0)
			close(fd);
		if (fd >= 0)
			unlink(path);
		free(path);
		return NULL;
	}
	return path;
}

/* pg_dump's spelling of each filter */
static const char *const filter_options[PGDUMP_FILTER_KINDS] = {
	"--table", "--exclude-table", "--schema", "--exclude-schema", "--exclude-table-data",
};

/*
 * argv with the filters' "--option=PATTERN" arguments inserted before its
 * last n_tail arguments: one argument each, so that no pattern is ever
 * taken for an option or split.  *n_added says how many were added (they
 * are the caller's to free); the array is the caller's too.
 */
static char **
with_filters(char *const *argv, size_t argc, size_t n_tail, const pgdump_filters *f, size_t *n_added)
{
	size_t n = 0, k = 0;
	char **v;

	for (int kind = 0; f && kind < PGDUMP_FILTER_KINDS; kind++)
		n += f->n[kind];
	v = xcalloc(argc + n + 1, sizeof(char *));
	for (size_t i = 0; i < argc - n_tail; i++)
		v[k++] = argv[i];
	for (int kind = 0; f && kind < PGDUMP_FILTER_KINDS; kind++)
		for (size_t i = 0; i < f->n[kind]; i++)
			v[k++] = xasprintf("%s=%s", filter_options[kind], f->patterns[kind][i]);
	for (size_t i = argc - n_tail; i < argc; i++)
		v[k++] = argv[i];
	*n_added = n;
	return v;
}

int
pgdump_dump_schema(const pgdump_prog *prog, PGconn *conn, const char *snapshot,
    const pgdump_filters *filters, const char *path)
{
	char *password = NULL, *secrets = NULL, *service_file = NULL;
	char *conninfo = conn_child_conninfo(conn, NULL, &password, &secrets);
	char *snapshot_arg = xasprintf("--snapshot=%s", snapshot);
	char *dbname_arg = xasprintf("--dbname=%s", conninfo);
	char *file_arg = xasprintf("--file=%s", path);
	/*
	 * Both schema sections in one catalog pass.  Not --schema-only: that
	 * would drop the REFRESH MATERIALIZED VIEW entries post-data needs;
	 * leaving out the data section keeps table data out.  Large objects
	 * are copied by the workers (--no-blobs).  The snapshot already holds
	 * ACCESS SHARE on every table, so pg_dump waits for a lock only behind
	 * a session that waits for the snapshot: it gives up at once instead
	 * (see lock_table_nowait in snapshot.c).
	 */
	char *base[] = {prog->path, "--format=custom", "--compress=0", "--section=pre-data",
	    "--section=post-data", "--no-blobs", "--lock-wait-timeout=1000", snapshot_arg,
	    "--no-password", file_arg, dbname_arg};
	size_t n_filters;
	char **argv = with_filters(base, sizeof(base) / sizeof(base[0]), 2, filters, &n_filters);
	char *pw_env = password ? xasprintf("PGPASSWORD=%s", password) : NULL;
	char *env[4] = {NULL};
	int rc, fd, ne = 0;

	if (pw_env)
		env[ne++] = pw_env;
	/* the other secrets reach pg_dump through a private service file, not argv */
	if (secrets && !(service_file = write_service_file(secrets))) {
		rc = -1;
		goto out;
	}
	if (service_file) {
		env[ne++] = xasprintf("PGSERVICEFILE=%s", service_file);
		env[ne++] = xstrdup("PGSERVICE=db_tools");
	}

	/* pg_dump would create the file with the umask's mode: private from the start */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0600) < 0) {
		log_error("could not create \"%s\": %s", path, strerror(errno));
		rc = -1;
	} else
		rc = run_tool(argv, ne ? env : NULL, "pg_dump", NULL, NULL, NULL);
	if (fd >= 0)
		close(fd);
out:
	if (service_file) {
		unlink(service_file);
		free(service_file);
		free(env[ne - 2]);
		free(env[ne - 1]);
	}
	free_secret(secrets);
	for (size_t i = 0; i < n_filters; i++)
		free(argv[sizeof(base) / sizeof(base[0]) - 2 + i]);
	free(argv);
	free(snapshot_arg);
	free(dbname_arg);
	free(file_arg);
	free(conninfo);
	free_secret(pw_env);
	free_secret(password);
	return rc;
}

int
pgdump_restore_section(const pgdump_prog *prog, const char *path, const char *section,
    const char *list_path, spool *out, int64_t *bytes, char sha256[HASH_HEX_LEN + 1])
{
	char *section_arg = xasprintf("--section=%s", section);
	char *what = xasprintf("pg_restore --section=%s", section);
	char *list_arg = list_path ? xasprintf("--use-list=%s", list_path) : NULL;
	/* "--": a path that starts with '-' is not taken for an option */
	char *argv[] = {prog->restore_path, section_arg, "--file=-", "--", (char *) path, NULL, NULL};
	int rc;

	if (list_arg) {
		/* the list's option goes before "--" */
		argv[5] = argv[4];
		argv[4] = argv[3];
		argv[3] = list_arg;
	}
	rc = run_tool(argv, NULL, what, out, bytes, sha256);
	free(list_arg);
	free(section_arg);
	free(what);
	return rc;
}

/*
 * A TOC line "ID; CATALOG OID DESC..." (pg_restore --list): the two OIDs and
 * where the description starts; false for comments and anything else.
 */
static bool
toc_entry(const char *line, size_t len, pgdump_obj *obj, const char **desc)
{
	const char *p = line, *end = line + len;
	unsigned long v[2];

	if (p == end || !isdigit((unsigned char) *p))
		return false;
	while (p < end && isdigit((unsigned char) *p))
		p++;
	if (end - p < 2 || p[0] != ';' || p[1] != ' ')
		return false;
	p += 2;
	for (int i = 0; i < 2; i++) {
		const char *start = p;

		v[i] = 0;
		while (p < end && isdigit((unsigned char) *p) && v[i] <= UINT32_MAX)
			v[i] = v[i] * 10 + (unsigned long) (*p++ - '0');
		if (p == start || p == end || *p != ' ' || v[i] > UINT32_MAX)
			return false;
		p++;
	}
	obj->catalog = (uint32_t) v[0];
	obj->oid = (uint32_t) v[1];
	*desc = p;
	return true;
}

/* desc (up to end) is what, followed by the end or one more word (the owner) */
static bool
desc_is(const char *desc, const char *end, const char *what)
{
	size_t n = strlen(what);

	if ((size_t) (end - desc) < n || memcmp(desc, what, n) != 0)
		return false;
	if (desc + n == end)
		return true;
	return desc[n] == ' ' && !memchr(desc + n + 1, ' ', (size_t) (end - desc) - n - 1);
}

/* Whether a TOC entry is one omit names; *schema: it creates schema public. */
static bool
toc_omitted(const char *line, size_t len, const pgdump_omit *omit, bool public_seen, bool *schema)
{
	pgdump_obj obj;
	const char *desc, *end = line + len;

	*schema = false;
	if (!toc_entry(line, len, &obj, &desc))
		return false;
	for (size_t i = 0; i < omit->n_objs; i++)
		if (omit->objs[i].catalog == obj.catalog && omit->objs[i].oid == obj.oid && obj.oid != 0)
			return true;
	if (!omit->public_schema)
		return false;
	if (desc_is(desc, end, "SCHEMA - public")) {
		*schema = true;
		return true;
	}
	return public_seen && desc_is(desc, end, "COMMENT - SCHEMA public");
}

char *
pgdump_toc_omit(const char *toc, const pgdump_omit *omit, size_t *omitted)
{
	strbuf out;
	bool public_seen = false, schema;

	*omitted = 0;
	/* the comment on schema public goes only with the entry that creates it */
	for (const char *l = toc; *l;) {
		size_t len = strcspn(l, "\n");

		if (toc_omitted(l, len, omit, false, &schema) && schema)
			public_seen = true;
		l += len + (l[len] == '\n');
	}
	sb_init(&out);
	for (const char *l = toc; *l;) {
		size_t len = strcspn(l, "\n");

		if (toc_omitted(l, len, omit, public_seen, &schema)) {
			sb_append_char(&out, ';');
			(*omitted)++;
		}
		sb_append_len(&out, l, len);
		sb_append_char(&out, '\n');
		l += len + (l[len] == '\n');
	}
	return sb_steal(&out);
}

int
pgdump_write_list(const pgdump_prog *prog, const char *path, const pgdump_omit *omit,
    const char *list_path)
{
	/* "--": a path that starts with '-' is not taken for an option */
	char *argv[] = {prog->restore_path, "--list", "--", (char *) path, NULL};
	proc p;
	strbuf toc;
	char buf[8192], *list;
	ssize_t n;
	size_t omitted;
	int status, rc;

	if (proc_start(&p, argv, NULL, NULL) < 0)
		return -1;
	sb_init(&toc);
	while ((n = read(p.out_fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		sb_append_len(&toc, buf, (size_t) n);
	}
	status = proc_wait(&p);
	if (status != 0) {
		char *err = proc_stderr(&p, 8192);

		log_error("pg_restore --list failed with exit status %d", status);
		if (*err)
			log_detail("%s", err);
		free(err);
		proc_close(&p);
		sb_free(&toc);
		return -1;
	}
	proc_close(&p);
	list = pgdump_toc_omit(toc.data, omit, &omitted);
	sb_free(&toc);
	log_debug("leaving %zu entries of the schema out", omitted);
	rc = fs_write_new_file(list_path, list, strlen(list));
	free(list);
	return rc;
}
