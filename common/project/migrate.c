/*
 * migrate.c — the built-in migration runner; see migrate.h.
 */
#include "project/migrate.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "pg/conn.h"
#include "pg/sqlrun.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/monotime.h"
#include "util/progress.h"

int
migrate_version_cmp(const char *a, const char *b)
{
	size_t la, lb;

	while (*a == '0' && a[1])
		a++;
	while (*b == '0' && b[1])
		b++;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

static int
file_cmp(const void *x, const void *y)
{
	const migrate_file *a = x, *b = y;
	int c = migrate_version_cmp(a->version, b->version);

	return c ? c : strcmp(a->name, b->name);
}

void
migrate_free(migrate_file *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].version);
		free(v[i].name);
		free(v[i].path);
	}
	free(v);
}

int
migrate_scan(const char *dir, migrate_file **out, size_t *n)
{
	sql_file *files;
	size_t nf;
	migrate_file *v;
	size_t nv = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (sqlrun_scan_dir(dir, "migrations", &files, &nf) < 0)
		return -1;
	v = xcalloc(nf ? nf : 1, sizeof(*v));
	for (size_t i = 0; i < nf; i++) {
		size_t digits = strspn(files[i].name, "0123456789");

		if (rc == 0 && (digits == 0 || files[i].name[digits] != '_')) {
			log_error("migration file \"%s/%s\" is not named <version>_<name>.sql", dir,
			    files[i].name);
			rc = -1;
		}
		if (rc < 0) {
			free(files[i].name);
			free(files[i].path);
			continue;
		}
		v[nv].version = xasprintf("%.*s", (int) digits, files[i].name);
		v[nv].name = files[i].name;
		v[nv].path = files[i].path;
		memcpy(v[nv].sha256, files[i].sha256, sizeof(v[nv].sha256));
		nv++;
	}
	free(files);
	if (rc == 0) {
		qsort(v, nv, sizeof(*v), file_cmp);
		for (size_t i = 1; i < nv; i++)
			if (migrate_version_cmp(v[i - 1].version, v[i].version) == 0) {
				log_error("migrations \"%s\" and \"%s\" have the same version", v[i - 1].name,
				    v[i].name);
				rc = -1;
				break;
			}
	}
	if (rc < 0) {
		migrate_free(v, nv);
		return -1;
	}
	*out = v;
	*n = nv;
	return 0;
}

static int
ensure_table(PGconn *conn)
{
	return conn_exec(conn,
	    "SET client_min_messages = warning;"
	    "CREATE TABLE IF NOT EXISTS public." MIG_TABLE " ("
	    " version numeric PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
	    " applied_at timestamptz NOT NULL DEFAULT now(), duration_ms double precision NOT NULL);"
	    "RESET client_min_messages");
}

/* The applied migrations: version -> checksum.  NULL result and *exists false when no table. */
static PGresult *
applied_rows(PGconn *conn, bool *exists)
{
	bool is_null;
	char *t = conn_query_value(conn, "SELECT pg_catalog.to_regclass('public." MIG_TABLE "')::text",
	    &is_null);

	*exists = t != NULL;
	free(t);
	if (!*exists)
		return is_null ? PQmakeEmptyPGresult(conn, PGRES_TUPLES_OK) : NULL;
	return conn_query(conn, "SELECT version::text, name, checksum FROM public." MIG_TABLE
	    " ORDER BY version");
}

static void
push(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

int
migrate_status(PGconn *conn, const migrate_file *v, size_t n, migrate_state *st)
{
	bool exists;
	PGresult *res = applied_rows(conn, &exists);
	int rows;

	memset(st, 0, sizeof(*st));
	if (!res)
		return -1;
	rows = PQntuples(res);
	if (rows > 0)
		st->head = xstrdup(PQgetvalue(res, rows - 1, 0));
	for (size_t i = 0; i < n; i++) {
		int hit = -1;

		for (int r = 0; r < rows && hit < 0; r++)
			if (migrate_version_cmp(PQgetvalue(res, r, 0), v[i].version) == 0)
				hit = r;
		if (hit < 0) {
			st->pending++;
			push(&st->pending_names, &st->n_pending_names, v[i].name);
			if (st->head && migrate_version_cmp(v[i].version, st->head) < 0)
				push(&st->gaps, &st->n_gaps, v[i].name);
		} else {
			st->applied++;
			if (strcmp(PQgetvalue(res, hit, 2), v[i].sha256) != 0)
				push(&st->changed, &st->n_changed, v[i].name);
		}
	}
	for (int r = 0; r < rows; r++) {
		bool found = false;

		for (size_t i = 0; i < n && !found; i++)
			found = migrate_version_cmp(PQgetvalue(res, r, 0), v[i].version) == 0;
		if (!found)
			push(&st->missing, &st->n_missing, PQgetvalue(res, r, 1));
	}
	PQclear(res);
	return 0;
}

void
migrate_state_free(migrate_state *st)
{
	strv_free(st->pending_names, st->n_pending_names);
	strv_free(st->changed, st->n_changed);
	strv_free(st->gaps, st->n_gaps);
	strv_free(st->missing, st->n_missing);
	free(st->head);
	memset(st, 0, sizeof(*st));
}

int
migrate_refuse(const migrate_state *st)
{
	if (st->n_changed == 0 && st->n_gaps == 0 && st->n_missing == 0)
		return 0;
	log_error("refusing to migrate: %s \"%s\"", st->n_changed ? "an applied migration has changed:" :
	    st->n_gaps ? "a pending migration is older than the newest applied one:" :
	    "an applied migration is no longer in the directory:",
	    st->n_changed ? st->changed[0] : st->n_gaps ? st->gaps[0] : st->missing[0]);
	log_hint("see db-reset --status");
	return -1;
}

/* Apply one file and record it. */
static int
apply_one(PGconn *conn, const migrate_file *m)
{
	size_t len;
	char *text = sqlrun_read_file(m->path, &len);
	bool txn;
	double t0 = monotime();
	int rc;

	if (!text)
		return -1;
	txn = !strstr(text, MIG_NO_TXN_MARKER);
	log_verbose("applying migration %s%s", m->name, txn ? "" : " (no transaction)");
	rc = txn ? conn_exec(conn, "BEGIN") : 0;
	if (rc == 0)
		rc = sqlrun_run(conn, text, len, m->path);
	if (rc == 0) {
		const char *params[4];
		char dur[32];
		PGresult *res;

		snprintf(dur, sizeof(dur), "%.3f", (monotime() - t0) * 1e3);
		params[0] = m->version;
		params[1] = m->name;
		params[2] = m->sha256;
		params[3] = dur;
		res = PQexecParams(conn, "INSERT INTO public." MIG_TABLE
		    " (version, name, checksum, duration_ms) VALUES ($1, $2, $3, $4)", 4, NULL, params, NULL,
		    NULL, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			conn_log_error(conn, res, "could not record a migration");
			rc = -1;
		}
		PQclear(res);
	}
	if (txn)
		rc = rc == 0 ? conn_exec(conn, "COMMIT") : (PQclear(PQexec(conn, "ROLLBACK")), -1);
	free(text);
	return rc;
}

int
migrate_apply(PGconn *conn, const migrate_file *v, size_t n, int *applied)
{
	migrate_state st;
	bool exists;
	PGresult *res;
	int rc = 0;

	*applied = 0;
	if (ensure_table(conn) < 0 || migrate_status(conn, v, n, &st) < 0)
		return -1;
	if (migrate_refuse(&st) < 0) {
		migrate_state_free(&st);
		return -1;
	}
	migrate_state_free(&st);
	if (!(res = applied_rows(conn, &exists)))
		return -1;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		bool done = false;

		for (int r = 0; r < PQntuples(res) && !done; r++)
			done = migrate_version_cmp(PQgetvalue(res, r, 0), v[i].version) == 0;
		if (!done) {
			rc = apply_one(conn, &v[i]);
			if (rc == 0)
				(*applied)++;
		}
		progress_item_done();
	}
	PQclear(res);
	return rc;
}

/* The newest migration in dir: its version (the leading part before '_'), compared as numbers. */
char *
migrate_newest(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *best = NULL;

	if (!d)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		char *version;

		if (de->d_name[0] == '.' || !strchr("0123456789", de->d_name[0]))
			continue;
		version = xasprintf("%.*s", (int) strcspn(de->d_name, "_.-"), de->d_name);
		/* in the runner's order: numeric, so 10_y comes after 9_x */
		if (!best || migrate_version_cmp(version, best) > 0) {
			free(best);
			best = version;
		} else
			free(version);
	}
	closedir(d);
	return best;
}
