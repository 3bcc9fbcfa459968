/*
 * reader.c — opening a restore's archive and checking it before anything
 * runs; see reader.h.
 */
#include "restore/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pg/conn.h"
#include "sql/stmtclass.h"
#include "util/log.h"
#include "util/strbuf.h"

#define SCHEMA_MAX (1024u << 20)      /* a schema section larger than this is refused */

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

dbt_status
archive_open_instant(const char *path, archive_in *a, instant_marker *im)
{
	meta_doc *m = &a->m;
	dbt_status rc;

	memset(a, 0, sizeof(*a));
	a->fd = -1;
	a->path = path;
	if ((rc = instant_read(path, im)) != DBT_OK)
		return rc;
	m->format_version = META_FORMAT_VERSION;
	m->name = xstrdup(im->name);
	m->created_at = im->created_at;
	m->src_database = xstrdup(im->database);
	m->src_host = dup_or_null(im->host);
	m->src_port = dup_or_null(im->port);
	m->src_user = dup_or_null(im->user);
	m->server_version = dup_or_null(im->server_version);
	m->server_version_num = im->server_version_num;
	m->git_branch = dup_or_null(im->git_branch);
	m->git_commit = dup_or_null(im->git_commit);
	m->db_settings = strv_dup(im->db_settings, im->n_db_settings);
	m->n_db_settings = im->n_db_settings;
	m->db_comment = dup_or_null(im->db_comment);
	a->have_meta = true;
	memcpy(a->key, im->key, sizeof(a->key));
	return DBT_OK;
}

void
archive_close(archive_in *a)
{
	if (a->fd >= 0)
		close(a->fd);
	if (a->have_meta)
		meta_free(&a->m);
	tarball_index_free(&a->ix);
	a->fd = -1;
	a->have_meta = false;
}

dbt_status
integrity_error(const char *path, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("archive \"%s\" is unusable: %s", path, msg);
	return DBT_INTEGRITY;
}

/*
 * The member must be in the tar with the size the meta gives, and be named
 * by the meta only once: claimed[] marks the tar's entries already named.
 */
static int
check_member(archive_in *a, const char *member, int64_t size, bool *claimed)
{
	const tarball_entry *e = tarball_index_find(&a->ix, member);

	if (!e)
		return integrity_error(a->path, "member \"%s\" is missing (a truncated or edited archive?)",
		    member);
	if (e->size != size) {
		return integrity_error(a->path, "member \"%s\" holds %lld bytes, its meta.json says %lld",
		    member, (long long) e->size, (long long) size);
	}
	if (claimed[e - a->ix.entries])
		return integrity_error(a->path, "member \"%s\" is listed twice in its meta.json", member);
	claimed[e - a->ix.entries] = true;
	return DBT_OK;
}

/* Every member the meta names is in the tar once, and the tar holds nothing else. */
static int
check_members(archive_in *a)
{
	const meta_doc *m = &a->m;
	bool *claimed = xcalloc(a->ix.n_entries ? a->ix.n_entries : 1, sizeof(*claimed));
	int rc = check_member(a, m->pre_data.member, m->pre_data.bytes, claimed);

	if (rc == DBT_OK)
		rc = check_member(a, m->post_data.member, m->post_data.bytes, claimed);
	for (size_t i = 0; rc == DBT_OK && i < m->n_tables; i++)
		for (size_t k = 0; rc == DBT_OK && k < m->tables[i].n_members; k++)
			rc = check_member(a, m->tables[i].members[k].member,
			    m->tables[i].members[k].stored_bytes, claimed);
	for (size_t i = 0; rc == DBT_OK && i < m->n_los; i++)
		rc = check_member(a, m->los[i].member, m->los[i].stored_bytes, claimed);
	for (size_t i = 0; rc == DBT_OK && i < a->ix.n_entries; i++)
		if (!claimed[i] && strcmp(a->ix.entries[i].name, META_MEMBER) != 0)
			rc = integrity_error(a->path, "member \"%s\" is not listed in its meta.json",
			    a->ix.entries[i].name);
	free(claimed);
	return rc;
}

/* Index the archive and check its structure.  Returns a status. */
dbt_status
archive_open(const char *path, archive_in *a)
{
	char err[512];
	int rc;

	memset(a, 0, sizeof(*a));
	a->path = path;
	a->fd = -1;
	rc = tarball_index_open(path, META_MAX_BYTES, &a->ix, err, sizeof(err));
	if (rc == TB_INDEX_IO) {
		log_error("%s", err);
		return DBT_FAILED;
	}
	if (rc != TB_INDEX_OK)
		return integrity_error(path, "%s", err);
	if (!a->ix.meta)
		return integrity_error(path, "%s",
		    "it has no meta.json member: not a db-snapshot archive, or a truncated one");
	rc = meta_from_json(a->ix.meta, a->ix.meta_len, &a->m, err, sizeof(err));
	if (rc == META_TOO_NEW)
		return integrity_error(path, "%s (install a newer db-tools to restore it)", err);
	if (rc != META_OK)
		return integrity_error(path, "meta.json: %s", err);
	a->have_meta = true;
	a->codec = codec_find(a->m.codec);
	if (!a->codec)
		return integrity_error(path, "unknown codec \"%s\"", a->m.codec);
	hash_hex_of(a->ix.meta, a->ix.meta_len, a->key);

	if ((rc = check_members(a)) != DBT_OK)
		return rc;
	a->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (a->fd < 0) {
		log_error("could not open \"%s\": %s", path, strerror(errno));
		return DBT_FAILED;
	}
	return DBT_OK;
}

/* Read a whole (small) member into memory, checking its SHA-256. */
dbt_status
read_schema(archive_in *a, const meta_schema *s, char **out)
{
	const tarball_entry *e = tarball_index_find(&a->ix, s->member);
	char sha[HASH_HEX_LEN + 1];
	char *buf;
	size_t got = 0;

	*out = NULL;
	if ((uint64_t) e->size > SCHEMA_MAX)
		return integrity_error(a->path, "member \"%s\" is too large", s->member);
	buf = xmalloc((size_t) e->size + 1);
	while (got < (size_t) e->size) {
		ssize_t n = pread(a->fd, buf + got, (size_t) e->size - got, e->offset + (off_t) got);

		if (n <= 0) {
			log_error("could not read \"%s\": %s", a->path, n < 0 ? strerror(errno) : "unexpected end of file");
			free(buf);
			return DBT_FAILED;
		}
		got += (size_t) n;
	}
	buf[got] = '\0';
	hash_hex_of(buf, got, sha);
	if (strcmp(sha, s->sha256) != 0) {
		free(buf);
		return integrity_error(a->path, "member \"%s\" does not match its SHA-256 in meta.json",
		    s->member);
	}
	/* SQL text has no NUL byte: one would end the script there, and the rest never run */
	if (memchr(buf, '\0', got)) {
		free(buf);
		return integrity_error(a->path, "member \"%s\" contains a NUL byte", s->member);
	}
	*out = buf;
	return DBT_OK;
}

/*
 * read_schema, then split the text into statements (*text and *st the
 * caller's to free).  Returns a status, the archive's faults logged.
 */
dbt_status
read_statements(archive_in *a, const meta_schema *ms, char **text, sql_stmt **st, size_t *n)
{
	char err[256];
	int rc = read_schema(a, ms, text);

	if (rc != DBT_OK)
		return rc;
	if (sql_split(*text, strlen(*text), st, n, err, sizeof(err)) < 0) {
		free(*text);
		*text = NULL;
		return integrity_error(a->path, "member \"%s\": %s", ms->member, err);
	}
	return DBT_OK;
}


/*
 * An archive's schema runs as the restoring role, so one from someone else
 * may hold only the statements pg_dump writes (stmt_refusal): anything else
 * refuses the archive (exit 4) before anything runs, unless trusted.
 */
dbt_status
check_schema_statements(archive_in *a, bool trust)
{
	const meta_schema *parts[] = {&a->m.pre_data, &a->m.post_data};
	int rc = DBT_OK;

	if (trust)
		return DBT_OK;
	for (size_t p = 0; p < 2 && rc == DBT_OK; p++) {
		char *text;
		sql_stmt *st;
		size_t n;

		if ((rc = read_statements(a, parts[p], &text, &st, &n)) != DBT_OK)
			break;
		for (size_t i = 0; i < n && rc == DBT_OK; i++) {
			const char *why = stmt_refusal(text, &st[i]);
			char *stmt, *shown;

			if (!why)
				continue;
			stmt = xasprintf("%.*s", (int) (st[i].len > 120 ? 120 : st[i].len), text + st[i].start);
			shown = str_visible(stmt);
			rc = integrity_error(a->path, "member \"%s\", line %d: %s: %s%s", parts[p]->member,
			    st[i].line, why, shown, st[i].len > 120 ? "..." : "");
			log_hint("its schema would run with your privileges; --trust-archive runs it anyway, "
			    "if you trust whoever made it");
			free(shown);
			free(stmt);
		}
		free(st);
		free(text);
	}
	return rc;
}

/* Add the roles that schema script s gives objects to (ALTER ... OWNER TO) to *roles. */
static int
collect_owner_roles(archive_in *a, const meta_schema *ms, char ***roles, size_t *n_roles)
{
	char *text;
	sql_stmt *st;
	size_t n;
	int rc = read_statements(a, ms, &text, &st, &n);

	if (rc != DBT_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		char *role = stmt_owner_role(text, &st[i]);
		bool known = false;

		for (size_t k = 0; role && k < *n_roles; k++)
			known = known || strcmp((*roles)[k], role) == 0;
		if (!role || known) {
			free(role);
			continue;
		}
		*roles = xrealloc(*roles, (*n_roles + 1) * sizeof(**roles));
		(*roles)[(*n_roles)++] = role;
	}
	free(st);
	free(text);
	return DBT_OK;
}

/*
 * --owners: every role the archive gives objects to must exist, and the
 * current role must be able to give them its objects (be a superuser or a
 * member).  Checked before anything is created.  Returns a status.
 */
dbt_status
check_owner_roles(archive_in *a, PGconn *maint)
{
	char **roles = NULL;
	size_t n_roles = 0, bad = 0;
	strbuf list;
	int rc = collect_owner_roles(a, &a->m.pre_data, &roles, &n_roles);

	if (rc == DBT_OK)
		rc = collect_owner_roles(a, &a->m.post_data, &roles, &n_roles);
	sb_init(&list);
	for (size_t i = 0; rc == DBT_OK && i < n_roles; i++) {
		const char *params[1] = {roles[i]};
		PGresult *res = PQexecParams(maint,
		    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1),"
		    "       (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)"
		    "       OR coalesce((SELECT pg_catalog.pg_has_role(oid, 'MEMBER')"
		    "                      FROM pg_catalog.pg_roles WHERE rolname = $1), false)",
		    1, NULL, params, NULL, NULL, 0);

		if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
			conn_log_error(maint, res, "could not look up the archive's owners");
			rc = DBT_FAILED;
		} else if (strcmp(PQgetvalue(res, 0, 0), "t") != 0 || strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
			char *name = str_visible(roles[i]);

			sb_appendf(&list, "%s\"%s\" (%s)", bad++ ? ", " : "", name,
			    strcmp(PQgetvalue(res, 0, 0), "t") != 0 ? "does not exist" : "not a member");
			free(name);
		}
		PQclear(res);
	}
	if (rc == DBT_OK && bad > 0) {
		log_error("--owners: role \"%s\" cannot give objects to %s of the archive's owners",
		    PQuser(maint), bad == 1 ? "one" : "some");
		log_detail("%s", list.data);
		log_hint("restore without --owners (everything then belongs to you), create the roles, "
		    "or restore as a superuser; nothing was changed");
		rc = DBT_FAILED;
	}
	sb_free(&list);
	strv_free(roles, n_roles);
	return rc;
}

