/*
 * sqlrun.c — running SQL scripts; see sqlrun.h.
 */
#include "pg/sqlrun.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg/conn.h"
#include "sql/sqlscript.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/strbuf.h"

int
sqlrun_run(PGconn *conn, const char *text, size_t len, const char *label)
{
	sql_stmt *st;
	size_t n;
	char err[256];
	int rc = 0, slot;
	strbuf sql;

	if (sql_split(text, len, &st, &n, err, sizeof(err)) < 0) {
		log_error("%s: %s", label, err);
		return -1;
	}
	sb_init(&sql);
	slot = intr_register_conn(conn);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		PGresult *res;

		if (st[i].meta) {
			/* the command word alone: "\\copy", not the line (or lines) after it */
			int word = (int) strcspn(text + st[i].start, " \t\r\n");

			log_error("%s, line %d: psql commands such as \"%.*s\" are not supported", label,
			    st[i].line, word < 20 ? word : 20, text + st[i].start);
			rc = -1;
			break;
		}
		sb_reset(&sql);
		sb_append_len(&sql, text + st[i].start, st[i].len);
		res = PQexec(conn, sql.data);
		if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK &&
		    intr_pending()) {
			/* cancelled by Ctrl-C: the caller says the run was interrupted */
			rc = -1;
		} else if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
			char *what = xasprintf("%s, line %d", label, st[i].line);

			conn_log_error(conn, res, what);
			log_detail("statement: %.300s%s", sql.data, sql.len > 300 ? " ..." : "");
			free(what);
			rc = -1;
		}
		PQclear(res);
		if (intr_pending())
			rc = -1;
	}
	intr_unregister_conn(slot);
	sb_free(&sql);
	free(st);
	return rc;
}

char *
sqlrun_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	strbuf sb;
	char buf[65536];
	size_t got;

	if (!f) {
		log_error("could not open \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	sb_init(&sb);
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_append_len(&sb, buf, got);
	if (ferror(f)) {
		log_error("could not read \"%s\": %s", path, strerror(errno));
		fclose(f);
		sb_free(&sb);
		return NULL;
	}
	fclose(f);
	*len = sb.len;
	return sb_steal(&sb);
}

static int
sql_file_cmp(const void *a, const void *b)
{
	return strcmp(((const sql_file *) a)->name, ((const sql_file *) b)->name);
}

void
sqlrun_files_free(sql_file *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].path);
	}
	free(v);
}

int
sqlrun_scan_dir(const char *dir, const char *what, sql_file **out, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	sql_file *v = NULL;
	size_t nv = 0, cap = 0;

	*out = NULL;
	*n = 0;
	if (!d) {
		log_error("could not open the %s directory \"%s\"", what, dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name), tlen;
		char *text;

		if (de->d_name[0] == '.' || len < 5 || strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		if (nv == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[nv].name = xstrdup(de->d_name);
		v[nv].path = xasprintf("%s/%s", dir, de->d_name);
		nv++;
		if (!(text = sqlrun_read_file(v[nv - 1].path, &tlen))) {
			closedir(d);
			sqlrun_files_free(v, nv);
			return -1;
		}
		hash_hex_of(text, tlen, v[nv - 1].sha256);
		free(text);
	}
	closedir(d);
	if (nv > 1)   /* an empty directory: v is NULL, which qsort may not be given */
		qsort(v, nv, sizeof(*v), sql_file_cmp);
	*out = v;
	*n = nv;
	return 0;
}
