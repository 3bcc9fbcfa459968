/*
 * copy.c — COPY statements; see copy.h.
 */
#include "pg/copy.h"

#include <stdlib.h>
#include <string.h>

#include "pg/conn.h"
#include "sql/quote.h"
#include "util/log.h"

#define COPY_ABORTED "db-restore stopped this load"

/* "schema"."table" ("a", "b") — the list only when the columns are given */
static void
append_target(strbuf *sql, const copy_target *t)
{
	q_qualified(sql, t->schema, t->table);
	if (t->n_columns == 0)
		return;
	sb_append(sql, " (");
	for (size_t c = 0; c < t->n_columns; c++) {
		if (c)
			sb_append(sql, ", ");
		q_ident(sql, t->columns[c]);
	}
	sb_append(sql, ")");
}

void
copy_out_sql(strbuf *sql, const copy_target *t, bool chunk, uint32_t blk_from, uint32_t blk_to)
{
	sb_reset(sql);
	if (!chunk) {
		sb_append(sql, "COPY ");
		append_target(sql, t);
		sb_append(sql, " TO STDOUT");
		return;
	}
	sb_append(sql, "COPY (SELECT ");
	for (size_t c = 0; c < t->n_columns; c++) {
		if (c)
			sb_append(sql, ", ");
		q_ident(sql, t->columns[c]);
	}
	sb_append(sql, " FROM ONLY ");
	q_qualified(sql, t->schema, t->table);
	sb_appendf(sql, " WHERE ctid >= '(%u,0)'::pg_catalog.tid", blk_from);
	if (blk_to)
		sb_appendf(sql, " AND ctid < '(%u,0)'::pg_catalog.tid", blk_to);
	sb_append(sql, ") TO STDOUT");
}

static void
log_target(const copy_target *t)
{
	if (t->member)
		log_detail("table %s.%s, member \"%s\"", t->schema, t->table, t->member);
	else
		log_detail("table %s.%s", t->schema, t->table);
}

int
copy_in_begin(PGconn *conn, const copy_target *t, bool freeze)
{
	strbuf sql;
	PGresult *res;
	int rc = 0;

	sb_init(&sql);
	if (freeze) {
		sb_append(&sql, "BEGIN; TRUNCATE ONLY ");
		q_qualified(&sql, t->schema, t->table);
		sb_append(&sql, "; ");
	}
	sb_append(&sql, "COPY ");
	append_target(&sql, t);
	sb_append(&sql, freeze ? " FROM STDIN WITH (FREEZE)" : " FROM STDIN");
	res = PQexec(conn, sql.data);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		conn_log_error(conn, res, "could not start loading a table");
		log_target(t);
		rc = -1;
	}
	PQclear(res);
	sb_free(&sql);
	return rc;
}

int
copy_in_end(PGconn *conn, const copy_target *t, bool freeze, bool ok, bool quiet, int64_t *rows)
{
	PGresult *res;
	int rc = ok ? 0 : -1;
	bool said = quiet;

	if (PQputCopyEnd(conn, ok ? NULL : COPY_ABORTED) != 1)
		rc = -1;
	while ((res = PQgetResult(conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

			if (!said && !(msg && strstr(msg, COPY_ABORTED))) {
				conn_log_error(conn, res, "could not load a table");
				log_target(t);
				said = true;
			}
			rc = -1;
		} else
			*rows += strtoll(PQcmdTuples(res), NULL, 10);
		PQclear(res);
	}
	if (rc < 0 && !said && PQstatus(conn) == CONNECTION_BAD) {
		conn_log_error(conn, NULL, "lost the connection while loading a table");
		log_target(t);
	}
	if (freeze) {
		if (rc == 0)
			rc = conn_exec(conn, "COMMIT");
		else
			PQclear(PQexec(conn, "ROLLBACK"));
	}
	return rc;
}
