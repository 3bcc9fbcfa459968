/*
 * catalog.c — catalog queries for snapshots; see catalog.h.
 */
#include "snapshot/catalog.h"

#include <stdlib.h>
#include <string.h>

#include "pg/conn.h"
#include "snapshot/filter.h"
#include "sql/quote.h"
#include "util/log.h"
#include "util/strbuf.h"

#define USER_SCHEMA_FILTER \
	" n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%' "
#define NOT_EXTENSION_MEMBER(col) \
	" NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass" \
	" AND d.objid = " col " AND d.deptype = 'e') "

/* datlocprovider's letter as CREATE DATABASE's LOCALE_PROVIDER spells it. */
static const char *
provider_name(const char *letter)
{
	switch (letter[0]) {
	case 'c':
		return "libc";
	case 'i':
		return "icu";
	case 'b':
		return "builtin";
	default:
		return letter;
	}
}

static char *
value_or_null(const PGresult *res, int col)
{
	return PQgetisnull(res, 0, col) ? NULL : xstrdup(PQgetvalue(res, 0, col));
}

int
catalog_db_info(PGconn *conn, catalog_db *db)
{
	int v = PQserverVersion(conn);
	/* the database's own locale provider came with 15, ICU rules with 16, datlocale with 17 */
	const char *locale_cols = v >= 170000 ? "d.datlocprovider, d.datlocale, d.daticurules" :
	    v >= 160000 ? "d.datlocprovider, d.daticulocale, d.daticurules" :
	    v >= 150000 ? "d.datlocprovider, d.daticulocale, NULL" : "'c', NULL, NULL";
	char *sql = xasprintf(
	    "SELECT d.datname, pg_catalog.pg_encoding_to_char(d.encoding), d.datcollate, d.datctype,"
	    " pg_catalog.pg_database_size(d.oid), pg_catalog.current_setting('server_version'),"
	    " pg_catalog.current_setting('block_size'), %s"
	    " FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()",
	    locale_cols);
	PGresult *res = conn_query(conn, sql);

	free(sql);
	memset(db, 0, sizeof(*db));
	if (!res)
		return -1;
	if (PQntuples(res) != 1) {
		log_error("could not read the current database's description");
		PQclear(res);
		return -1;
	}
	db->name = xstrdup(PQgetvalue(res, 0, 0));
	db->encoding = xstrdup(PQgetvalue(res, 0, 1));
	db->lc_collate = xstrdup(PQgetvalue(res, 0, 2));
	db->lc_ctype = xstrdup(PQgetvalue(res, 0, 3));
	db->size = strtoull(PQgetvalue(res, 0, 4), NULL, 10);
	db->server_version = xstrdup(PQgetvalue(res, 0, 5));
	/* "15.18 (Debian 15.18-0+deb12u1)" -> "15.18" */
	db->server_version[strcspn(db->server_version, " ")] = '\0';
	db->block_size = (uint32_t) strtoul(PQgetvalue(res, 0, 6), NULL, 10);
	db->locale_provider = xstrdup(provider_name(PQgetvalue(res, 0, 7)));
	db->provider_locale = value_or_null(res, 8);
	db->icu_rules = value_or_null(res, 9);
	db->server_version_num = v;
	PQclear(res);
	if (catalog_db_props(conn, db->name, &db->settings, &db->n_settings, &db->comment) < 0) {
		catalog_db_free(db);
		return -1;
	}
	return 0;
}

int
catalog_db_props(PGconn *conn, const char *dbname, char ***settings, size_t *n, char **comment)
{
	const char *params[1] = {dbname};
	/*
	 * One round trip: a row per setting (the database's own, setrole 0;
	 * ALTER ROLE ... IN DATABASE ones are left out), or one row with a NULL
	 * setting when there is none; the comment on every row.
	 */
	PGresult *res = conn_query_params(conn,
	    "SELECT pg_catalog.shobj_description(d.oid, 'pg_database'), u.setting"
	    " FROM pg_catalog.pg_database d"
	    " LEFT JOIN pg_catalog.pg_db_role_setting s ON s.setdatabase = d.oid AND s.setrole = 0"
	    " LEFT JOIN LATERAL pg_catalog.unnest(s.setconfig) AS u(setting) ON true"
	    " WHERE d.datname = $1", 1, params);
	int rows;

	*settings = NULL;
	*n = 0;
	*comment = NULL;
	if (!res)
		return -1;
	if ((rows = PQntuples(res)) == 0) {
		log_error("database \"%s\" does not exist", dbname);
		PQclear(res);
		return -1;
	}
	*comment = value_or_null(res, 0);
	*settings = xcalloc((size_t) rows + 1, sizeof(char *));
	for (int i = 0; i < rows; i++)
		if (!PQgetisnull(res, i, 1))
			(*settings)[(*n)++] = xstrdup(PQgetvalue(res, i, 1));
	PQclear(res);
	return 0;
}

void
catalog_db_free(catalog_db *db)
{
	free(db->name);
	free(db->encoding);
	free(db->lc_collate);
	free(db->lc_ctype);
	free(db->locale_provider);
	free(db->provider_locale);
	free(db->icu_rules);
	strv_free(db->settings, db->n_settings);
	free(db->comment);
	free(db->server_version);
	memset(db, 0, sizeof(*db));
}

static int
cmp_table_oid(const void *a, const void *b)
{
	const catalog_table *x = *(const catalog_table *const *) a, *y = *(const catalog_table *const *) b;

	return x->oid < y->oid ? -1 : x->oid > y->oid;
}

int
catalog_tables(PGconn *conn, catalog_table **out, size_t *n)
{
	PGresult *res, *cols;
	catalog_table *t;
	size_t count, ci = 0;
	int ncols;

	*out = NULL;
	*n = 0;
	res = conn_query(conn,
	    "SELECT c.oid, n.nspname, c.relname, c.relispartition, c.relpersistence,"
	    " pg_catalog.pg_relation_size(c.oid),"
	    " CASE WHEN c.reltoastrelid <> 0 THEN pg_catalog.pg_total_relation_size(c.reltoastrelid) ELSE 0 END,"
	    " c.relnamespace"
	    " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	    " WHERE c.relkind = 'r' AND c.relpersistence <> 't' AND" USER_SCHEMA_FILTER
	    " AND" NOT_EXTENSION_MEMBER("c.oid")
	    " ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\"");
	if (!res)
		return -1;
	cols = conn_query(conn,
	    "SELECT a.attrelid, a.attname FROM pg_catalog.pg_attribute a"
	    " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
	    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	    " WHERE c.relkind = 'r' AND c.relpersistence <> 't' AND" USER_SCHEMA_FILTER
	    " AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''"
	    " ORDER BY a.attrelid, a.attnum");
	if (!cols) {
		PQclear(res);
		return -1;
	}
	count = (size_t) PQntuples(res);
	ncols = PQntuples(cols);
	t = xcalloc(count ? count : 1, sizeof(catalog_table));
	for (size_t i = 0; i < count; i++) {
		int r = (int) i;

		t[i].oid = (uint32_t) strtoul(PQgetvalue(res, r, 0), NULL, 10);
		t[i].schema = xstrdup(PQgetvalue(res, r, 1));
		t[i].name = xstrdup(PQgetvalue(res, r, 2));
		t[i].kind = PQgetvalue(res, r, 3)[0] == 't' ? "partition" :
		    PQgetvalue(res, r, 4)[0] == 'u' ? "unlogged" : "table";
		t[i].heap_bytes = strtoull(PQgetvalue(res, r, 5), NULL, 10);
		t[i].toast_bytes = strtoull(PQgetvalue(res, r, 6), NULL, 10);
		t[i].nsp_oid = (uint32_t) strtoul(PQgetvalue(res, r, 7), NULL, 10);
	}
	/* columns come ordered by attrelid, tables by name: match through an oid index */
	{
		catalog_table **by_oid = xcalloc(count ? count : 1, sizeof(catalog_table *));

		for (size_t i = 0; i < count; i++)
			by_oid[i] = &t[i];
		qsort(by_oid, count, sizeof(catalog_table *), cmp_table_oid);
		for (int r = 0; r < ncols; r = (int) ci) {
			uint32_t oid = (uint32_t) strtoul(PQgetvalue(cols, r, 0), NULL, 10);
			size_t first = (size_t) r;
			catalog_table key = {.oid = oid}, *kp = &key, **found;

			ci = first;
			while (ci < (size_t) ncols &&
			    (uint32_t) strtoul(PQgetvalue(cols, (int) ci, 0), NULL, 10) == oid)
				ci++;
			found = count ? bsearch(&kp, by_oid, count, sizeof(catalog_table *), cmp_table_oid) : NULL;
			if (!found)
				continue;
			(*found)->n_columns = ci - first;
			(*found)->columns = xcalloc(ci - first + 1, sizeof(char *));
			for (size_t k = first; k < ci; k++)
				(*found)->columns[k - first] = xstrdup(PQgetvalue(cols, (int) k, 1));
		}
		free(by_oid);
	}
	PQclear(res);
	PQclear(cols);
	*out = t;
	*n = count;
	return 0;
}

void
catalog_tables_free_one(catalog_table *t)
{
	free(t->schema);
	free(t->name);
	strv_free(t->columns, t->n_columns);
	memset(t, 0, sizeof(*t));
}

void
catalog_tables_free(catalog_table *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		catalog_tables_free_one(&t[i]);
	free(t);
}

/* Whether row r of catalog_sequences' query is a sequence f keeps the value of. */
static bool
sequence_kept(const filter *f, const PGresult *res, int r)
{
	uint32_t seq = (uint32_t) strtoul(PQgetvalue(res, r, 2), NULL, 10);
	uint32_t owner = PQgetisnull(res, r, 4) ? 0 : (uint32_t) strtoul(PQgetvalue(res, r, 4), NULL, 10);

	if (!f)
		return true;
	return filter_selects_sequence(f, seq, (uint32_t) strtoul(PQgetvalue(res, r, 3), NULL, 10), owner,
	    owner ? (uint32_t) strtoul(PQgetvalue(res, r, 5), NULL, 10) : 0,
	    PQgetvalue(res, r, 6)[0] == 'i') && filter_keeps_data(f, seq);
}

int
catalog_sequences(PGconn *conn, const filter *f, meta_sequence **out, size_t *n)
{
	/* the owning table: pg_dump's getOwnedSeqs ('a': serial and OWNED BY, 'i': identity) */
	PGresult *res = conn_query(conn,
	    "SELECT n.nspname, c.relname, c.oid, c.relnamespace, d.refobjid, o.relnamespace, d.deptype"
	    " FROM pg_catalog.pg_class c"
	    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	    " LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
	    "  AND d.objid = c.oid AND d.objsubid = 0"
	    "  AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype IN ('a', 'i')"
	    " LEFT JOIN pg_catalog.pg_class o ON o.oid = d.refobjid"
	    " WHERE c.relkind = 'S' AND c.relpersistence <> 't' AND" USER_SCHEMA_FILTER
	    " AND" NOT_EXTENSION_MEMBER("c.oid")
	    " ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\"");
	size_t count, k = 0;
	meta_sequence *s;
	strbuf sql;

	*out = NULL;
	*n = 0;
	if (!res)
		return -1;
	count = (size_t) PQntuples(res);
	s = xcalloc(count ? count : 1, sizeof(meta_sequence));
	sb_init(&sql);
	for (size_t row = 0; row < count; row++) {
		size_t i = k;
		PGresult *v;

		if (!sequence_kept(f, res, (int) row))
			continue;
		k++;
		s[i].schema = xstrdup(PQgetvalue(res, (int) row, 0));
		s[i].name = xstrdup(PQgetvalue(res, (int) row, 1));
		sb_reset(&sql);
		sb_append(&sql, "SELECT last_value, is_called FROM ");
		q_qualified(&sql, s[i].schema, s[i].name);
		v = conn_query(conn, sql.data);
		if (!v || PQntuples(v) != 1) {
			PQclear(v);
			PQclear(res);
			sb_free(&sql);
			*out = s;
			*n = i + 1;
			return -1;
		}
		s[i].last_value = strtoll(PQgetvalue(v, 0, 0), NULL, 10);
		s[i].is_called = PQgetvalue(v, 0, 1)[0] == 't';
		PQclear(v);
	}
	sb_free(&sql);
	PQclear(res);
	*out = s;
	*n = k;
	return 0;
}

int
catalog_large_objects(PGconn *conn, uint32_t **oids, size_t *n, uint64_t *disk_bytes)
{
	PGresult *res = conn_query(conn,
	    "SELECT oid, pg_catalog.pg_total_relation_size('pg_catalog.pg_largeobject')"
	    " FROM pg_catalog.pg_largeobject_metadata ORDER BY oid");
	size_t count;

	*oids = NULL;
	*n = 0;
	*disk_bytes = 0;
	if (!res)
		return -1;
	count = (size_t) PQntuples(res);
	*oids = xcalloc(count ? count : 1, sizeof(uint32_t));
	for (size_t i = 0; i < count; i++)
		(*oids)[i] = (uint32_t) strtoul(PQgetvalue(res, (int) i, 0), NULL, 10);
	if (count)
		*disk_bytes = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
	*n = count;
	PQclear(res);
	return 0;
}

/* Known tracking tables and how to read their head: select, table, rest. */
static const struct {
	const char *table;
	const char *select;
	const char *rest;
} trackers[] = {
	{"db_tools_migrations", "SELECT max(version)::text FROM ", ""},
	{"schema_migrations", "SELECT max(version)::text FROM ", ""},
	{"goose_db_version", "SELECT version_id::text FROM ", " WHERE is_applied ORDER BY id DESC LIMIT 1"},
	{"alembic_version", "SELECT string_agg(version_num::text, ',' ORDER BY version_num) FROM ", ""},
};

int
catalog_migration_head(PGconn *conn, char **table, char **head)
{
	*table = *head = NULL;
	for (size_t i = 0; i < sizeof(trackers) / sizeof(trackers[0]); i++) {
		strbuf sql, qualified;
		PGresult *res;
		char *schema;

		sb_init(&sql);
		sb_append(&sql, "SELECT n.nspname FROM pg_catalog.pg_class c"
		    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
		    " WHERE c.relkind IN ('r', 'p') AND c.relname = ");
		q_literal(&sql, trackers[i].table);
		sb_append(&sql, " AND" USER_SCHEMA_FILTER
		    " ORDER BY n.nspname <> 'public', n.nspname LIMIT 1");
		res = conn_query(conn, sql.data);
		sb_free(&sql);
		if (!res)
			return -1;
		if (PQntuples(res) == 0) {
			PQclear(res);
			continue;
		}
		schema = xstrdup(PQgetvalue(res, 0, 0));
		PQclear(res);
		sb_init(&qualified);
		q_qualified(&qualified, schema, trackers[i].table);
		sb_init(&sql);
		/* a table of that name with other columns must not abort the snapshot */
		if (conn_exec(conn, "SAVEPOINT db_tools_migration_head") < 0) {
			free(schema);
			sb_free(&qualified);
			sb_free(&sql);
			return -1;
		}
		sb_append(&sql, trackers[i].select);
		sb_append(&sql, qualified.data);
		sb_append(&sql, trackers[i].rest);
		res = PQexec(conn, sql.data);
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		    !PQgetisnull(res, 0, 0)) {
			*table = xasprintf("%s.%s", schema, trackers[i].table);
			*head = xstrdup(PQgetvalue(res, 0, 0));
		} else if (PQresultStatus(res) == PGRES_TUPLES_OK) {
			*table = xasprintf("%s.%s", schema, trackers[i].table);
		} else {
			log_verbose("ignoring %s: not a recognised migration table", qualified.data);
		}
		PQclear(res);
		sb_free(&sql);
		sb_free(&qualified);
		free(schema);
		if (conn_exec(conn, "ROLLBACK TO SAVEPOINT db_tools_migration_head; "
		        "RELEASE SAVEPOINT db_tools_migration_head") < 0)
			return -1;
		if (*table)
			return 0;
	}
	return 0;
}

int
catalog_lock_tables(PGconn *conn, const catalog_table *t, size_t n)
{
	strbuf sql;
	int rc = 0;
	size_t i = 0;

	sb_init(&sql);
	while (i < n && rc == 0) {
		sb_reset(&sql);
		sb_append(&sql, "LOCK TABLE ");
		for (size_t k = 0; i < n && k < 500; k++, i++) {
			if (k)
				sb_append(&sql, ", ");
			sb_append(&sql, "ONLY ");
			q_qualified(&sql, t[i].schema, t[i].name);
		}
		sb_append(&sql, " IN ACCESS SHARE MODE");
		rc = conn_exec(conn, sql.data);
	}
	sb_free(&sql);
	return rc;
}
