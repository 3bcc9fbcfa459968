/*
 * filter.c — which relations a filtered snapshot holds; see filter.h.
 */
#include "snapshot/filter.h"

#include <stdlib.h>
#include <string.h>

#include "pg/conn.h"
#include "sql/pattern.h"
#include "sql/quote.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/strbuf.h"

#define PG_CONSTRAINT_OID 2606      /* pg_constraint, the catalog of constraints */

/* How the user wrote each kind, for messages. */
static const char *const option_names[MF_KINDS] = {"-t", "-T", "-n", "-N", "--exclude-table-data"};

/*
 * The patterns run while the session's search_path is the user's (for
 * pg_table_is_visible): every name and operator is qualified.
 */
#define Q_USER_SCHEMA(n) \
	" " n ".nspname OPERATOR(pg_catalog.<>) 'information_schema'" \
	" AND NOT " n ".nspname OPERATOR(pg_catalog.~) '^pg_'"
#define Q_NOT_EXTENSION_MEMBER(col) \
	" NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d" \
	" WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass" \
	" AND d.objid OPERATOR(pg_catalog.=) " col " AND d.deptype OPERATOR(pg_catalog.=) 'e')"

static int
cmp_oid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;

	return x < y ? -1 : x > y;
}

void
oid_set_add(oid_set *s, const uint32_t *oids, size_t n)
{
	size_t k = 0;

	if (n == 0)
		return;
	s->v = xrealloc(s->v, (s->n + n) * sizeof(uint32_t));
	memcpy(s->v + s->n, oids, n * sizeof(uint32_t));
	s->n += n;
	qsort(s->v, s->n, sizeof(uint32_t), cmp_oid);
	for (size_t i = 0; i < s->n; i++)
		if (k == 0 || s->v[k - 1] != s->v[i])
			s->v[k++] = s->v[i];
	s->n = k;
}

bool
oid_set_has(const oid_set *s, uint32_t oid)
{
	return s->n > 0 && bsearch(&oid, s->v, s->n, sizeof(uint32_t), cmp_oid) != NULL;
}

bool
filter_schema_selected(const filter *f, uint32_t nsp)
{
	if (!f->active)
		return true;
	if (f->tables_given)
		return false;
	if (f->schemas_given && !oid_set_has(&f->nsp_in, nsp))
		return false;
	return !oid_set_has(&f->nsp_out, nsp);
}

bool
filter_selects(const filter *f, uint32_t rel, uint32_t nsp)
{
	bool in;

	if (!f->active)
		return true;
	in = f->tables_given ? oid_set_has(&f->rel_in, rel) : filter_schema_selected(f, nsp);
	return in && !oid_set_has(&f->rel_out, rel);
}

bool
filter_keeps_data(const filter *f, uint32_t rel)
{
	return !f->active || !oid_set_has(&f->data_out, rel);
}

bool
filter_selects_sequence(const filter *f, uint32_t seq, uint32_t nsp, uint32_t owner,
    uint32_t owner_nsp, bool identity)
{
	bool owner_in = owner != 0 && filter_selects(f, owner, owner_nsp);

	if (!f->active)
		return true;
	/* an identity sequence goes with its table, and only with it */
	if (owner != 0 && identity)
		return owner_in;
	/* a sequence owned by a selected table comes along, whatever matched the sequence */
	return owner_in || filter_selects(f, seq, nsp);
}

void
filter_tables(const filter *f, catalog_table *t, size_t *n)
{
	size_t k = 0;

	for (size_t i = 0; i < *n; i++) {
		if (!filter_selects(f, t[i].oid, t[i].nsp_oid)) {
			catalog_tables_free_one(&t[i]);
			continue;
		}
		t[i].data_excluded = !filter_keeps_data(f, t[i].oid);
		if (k != i)
			t[k] = t[i];
		k++;
	}
	*n = k;
}

void
filter_free(filter *f)
{
	oid_set *sets[] = {&f->rel_in, &f->rel_out, &f->nsp_in, &f->nsp_out, &f->data_out};

	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		free(sets[i]->v);
	memset(f, 0, sizeof(*f));
}

/* The shape of a pattern: 0, or -1 after logging (a usage error). */
static int
check_shape(enum meta_filter_kind kind, const char *pattern, const pat_regex *r, const char *dbname)
{
	bool schema_kind = kind == MF_SCHEMA || kind == MF_EXCLUDE_SCHEMA;

	if (schema_kind && r->dots > 0) {
		log_error("%s \"%s\": a schema pattern has no \".\" outside double quotes", option_names[kind],
		    pattern);
		log_hint("write a schema name or pattern; to match a dot, put it in double quotes");
		return -1;
	}
	if (r->dots > 2) {
		log_error("%s \"%s\": improper relation name (too many dotted names)", option_names[kind], pattern);
		return -1;
	}
	if (r->dots == 2 && strcmp(r->db, dbname) != 0) {
		log_error("%s \"%s\": cross-database references are not implemented (the database is \"%s\")",
		    option_names[kind], pattern, dbname);
		return -1;
	}
	return 0;
}

/*
 * The OIDs pattern matches (schemas for -n/-N, relations otherwise), added
 * to s; *matched: how many.  For -t, the schemas of the matches other than
 * public are added to *schemas.  0, or -1 after logging.
 */
static int
match_pattern(PGconn *conn, enum meta_filter_kind kind, const pat_regex *r, oid_set *s, size_t *matched,
    char ***schemas, size_t *n_schemas)
{
	bool schema_kind = kind == MF_SCHEMA || kind == MF_EXCLUDE_SCHEMA;
	strbuf sql;
	PGresult *res;
	uint32_t *oids;
	size_t n;

	sb_init(&sql);
	if (schema_kind) {
		sb_append(&sql, "SELECT n.oid, n.nspname FROM pg_catalog.pg_namespace n WHERE" Q_USER_SCHEMA("n"));
		pat_append_where(&sql, r, NULL, "n.nspname", NULL);
	} else {
		sb_append(&sql, "SELECT c.oid, n.nspname FROM pg_catalog.pg_class c"
		    " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
		    " WHERE c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'S', 'v', 'm', 'f', 'p']::pg_catalog.\"char\"[])"
		    " AND" Q_USER_SCHEMA("n") " AND" Q_NOT_EXTENSION_MEMBER("c.oid"));
		pat_append_where(&sql, r, "n.nspname", "c.relname", "pg_catalog.pg_table_is_visible(c.oid)");
	}
	res = conn_query(conn, sql.data);
	sb_free(&sql);
	if (!res)
		return -1;
	n = (size_t) PQntuples(res);
	oids = xcalloc(n ? n : 1, sizeof(uint32_t));
	for (size_t i = 0; i < n; i++) {
		const char *nsp = PQgetvalue(res, (int) i, 1);
		bool known = strcmp(nsp, "public") == 0;

		oids[i] = (uint32_t) strtoul(PQgetvalue(res, (int) i, 0), NULL, 10);
		for (size_t k = 0; schemas && !known && k < *n_schemas; k++)
			known = strcmp((*schemas)[k], nsp) == 0;
		if (schemas && !known) {
			*schemas = xrealloc(*schemas, (*n_schemas + 1) * sizeof(char *));
			(*schemas)[(*n_schemas)++] = xstrdup(nsp);
		}
	}
	oid_set_add(s, oids, n);
	free(oids);
	PQclear(res);
	*matched = n;
	return 0;
}

/*
 * Match every pattern; -1 after logging a server error, else how many
 * patterns were refused (malformed, or a -t/-n that matches nothing:
 * *unmatched counts those).
 */
static int
match_all(PGconn *conn, const char *dbname, const meta_filters *spec, filter *f, char ***schemas,
    size_t *n_schemas, int *unmatched)
{
	oid_set *sets[MF_KINDS] = {&f->rel_in, &f->rel_out, &f->nsp_in, &f->nsp_out, &f->data_out};
	int encoding = PQclientEncoding(conn), refused = 0;

	for (int k = 0; k < MF_KINDS; k++)
		for (size_t i = 0; i < spec->n[k]; i++) {
			const char *pattern = spec->patterns[k][i];
			bool schema_kind = k == MF_SCHEMA || k == MF_EXCLUDE_SCHEMA;
			pat_regex r;
			size_t matched = 0;
			int rc;

			pat_convert(pattern, schema_kind ? 1 : 3, encoding, &r);
			if (check_shape((enum meta_filter_kind) k, pattern, &r, dbname) < 0) {
				pat_regex_free(&r);
				refused++;
				continue;
			}
			rc = match_pattern(conn, (enum meta_filter_kind) k, &r, sets[k], &matched,
			    k == MF_TABLE ? schemas : NULL, n_schemas);
			pat_regex_free(&r);
			if (rc < 0)
				return -1;
			log_verbose("%s \"%s\" matches %zu %s", option_names[k], pattern, matched,
			    schema_kind ? "schemas" : "relations");
			if (matched > 0)
				continue;
			if (k == MF_TABLE || k == MF_SCHEMA) {
				log_error("%s \"%s\" matches no %s", option_names[k], pattern,
				    k == MF_SCHEMA ? "schema" : "table, view, sequence or foreign table");
				refused++;
				(*unmatched)++;
			} else
				log_warning("%s \"%s\" matches no %s: it leaves nothing out", option_names[k], pattern,
				    schema_kind ? "schema" : "table");
		}
	return refused;
}

dbt_status
filter_resolve(PGconn *conn, const char *dbname, const meta_filters *spec, filter *f)
{
	char **schemas = NULL;
	size_t n_schemas = 0;
	int refused, reset, unmatched = 0;

	memset(f, 0, sizeof(*f));
	f->large_objects = true;
	if (!spec || !meta_filters_any(spec))
		return DBT_OK;
	f->active = true;
	f->tables_given = spec->n[MF_TABLE] > 0;
	f->schemas_given = spec->n[MF_SCHEMA] > 0;
	/* pg_dump's "include everything" takes the large objects; -t and -n do not, unless -b */
	f->large_objects = (!f->tables_given && !f->schemas_given) || spec->large_objects;
	/* a name without a schema is looked up as the user would see it, like pg_dump does */
	if (conn_exec(conn, "RESET search_path") < 0)
		return DBT_FAILED;
	refused = match_all(conn, dbname, spec, f, &schemas, &n_schemas, &unmatched);
	reset = conn_exec(conn, "SELECT pg_catalog.set_config('search_path', '', false)");
	if (refused < 0 || reset < 0) {
		strv_free(schemas, n_schemas);
		return DBT_FAILED;
	}
	if (refused > 0) {
		if (unmatched > 0)
			log_hint("patterns match as in psql's \\d: letters fold to lower case unless in double quotes, "
			    "and a name without a schema matches only what the search_path shows");
		strv_free(schemas, n_schemas);
		return DBT_USAGE;
	}
	/* with -t, pg_dump writes no CREATE SCHEMA: a new database has only public */
	for (size_t i = 0; i < n_schemas; i++) {
		log_warning("schema \"%s\" is not in the snapshot: with -t, no schema is (as with pg_dump), "
		    "so restoring its tables fails", schemas[i]);
		log_hint("select the schema with -n \"%s\" instead, and leave tables out with -T", schemas[i]);
	}
	strv_free(schemas, n_schemas);
	return DBT_OK;
}

static uint32_t
oid_at(const PGresult *res, int row, int col)
{
	return (uint32_t) strtoul(PQgetvalue(res, row, col), NULL, 10);
}

/* One part of a pattern that matches name alone: as it is, or in double quotes. */
static void
append_pattern_part(strbuf *sb, const char *name)
{
	bool plain = *name != '\0';

	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			plain = false;
	if (plain)
		sb_append(sb, name);
	else
		q_ident(sb, name);      /* a pattern's quoting is an identifier's */
}

/* "schema.name" of row's columns, printable; as a pattern that matches it when pattern is true. */
static char *
relation_text(const PGresult *res, int row, int schema_col, bool pattern)
{
	strbuf sb;
	char *text;

	sb_init(&sb);
	if (pattern) {
		append_pattern_part(&sb, PQgetvalue(res, row, schema_col));
		sb_append_char(&sb, '.');
		append_pattern_part(&sb, PQgetvalue(res, row, schema_col + 1));
	} else
		sb_appendf(&sb, "%s.%s", PQgetvalue(res, row, schema_col), PQgetvalue(res, row, schema_col + 1));
	text = str_visible(sb.data);
	sb_free(&sb);
	return text;
}

/* Foreign keys that reference a table left out, or its data; added to *omit. */
static int
dangling_foreign_keys(PGconn *conn, const filter *f, pgdump_obj **omit, size_t *n_omit)
{
	PGresult *res = conn_query(conn,
	    "SELECT con.oid, con.conname, r.oid, r.relnamespace, rn.nspname, r.relname,"
	    " t.oid, t.relnamespace, tn.nspname, t.relname,"
	    " EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
	    "   WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = t.oid AND d.deptype = 'e')"
	    " FROM pg_catalog.pg_constraint con"
	    " JOIN pg_catalog.pg_class r ON r.oid = con.conrelid"
	    " JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace"
	    " JOIN pg_catalog.pg_class t ON t.oid = con.confrelid"
	    " JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace"
	    " WHERE con.contype = 'f' AND con.conparentid = 0"
	    " AND rn.nspname <> 'information_schema' AND rn.nspname !~ '^pg_'"
	    " ORDER BY rn.nspname COLLATE \"C\", r.relname COLLATE \"C\", con.conname COLLATE \"C\"");

	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		uint32_t rel = oid_at(res, i, 2), ref = oid_at(res, i, 6);
		bool ref_in = PQgetvalue(res, i, 10)[0] == 't' || filter_selects(f, ref, oid_at(res, i, 7));
		char *con, *from, *to;

		if (!filter_selects(f, rel, oid_at(res, i, 3)))
			continue;
		if (ref_in && (!filter_keeps_data(f, rel) || filter_keeps_data(f, ref)))
			continue;
		con = str_visible(PQgetvalue(res, i, 1));
		from = relation_text(res, i, 4, false);
		to = relation_text(res, i, 8, false);
		log_warning("foreign key \"%s\" of %s references %s, %s not in the snapshot: the constraint is left out",
		    con, from, to, ref_in ? "whose rows are" : "which is");
		free(con);
		free(from);
		free(to);
		*omit = xrealloc(*omit, (*n_omit + 1) * sizeof(pgdump_obj));
		(*omit)[*n_omit].catalog = PG_CONSTRAINT_OID;
		(*omit)[*n_omit].oid = oid_at(res, i, 0);
		(*n_omit)++;
	}
	PQclear(res);
	return 0;
}

/* Views and materialized views in the snapshot that use a relation it leaves out. */
static int
broken_views(PGconn *conn, const filter *f)
{
	PGresult *res = conn_query(conn,
	    "SELECT DISTINCT v.oid, v.relnamespace, vn.nspname, v.relname, v.relkind,"
	    " t.oid, t.relnamespace, tn.nspname, t.relname"
	    " FROM pg_catalog.pg_rewrite rw"
	    " JOIN pg_catalog.pg_class v ON v.oid = rw.ev_class"
	    " JOIN pg_catalog.pg_namespace vn ON vn.oid = v.relnamespace"
	    " JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass"
	    "  AND d.objid = rw.oid AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
	    "  AND d.deptype = 'n' AND d.refobjid <> rw.ev_class"
	    " JOIN pg_catalog.pg_class t ON t.oid = d.refobjid"
	    " JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace"
	    " WHERE v.relkind IN ('v', 'm')"
	    " AND vn.nspname <> 'information_schema' AND vn.nspname !~ '^pg_'"
	    " AND tn.nspname <> 'information_schema' AND tn.nspname !~ '^pg_'"
	    " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e"
	    "   WHERE e.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND e.objid = t.oid AND e.deptype = 'e')"
	    " ORDER BY 3, 4, 8, 9");

	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		char *view, *rel, *pattern;

		if (!filter_selects(f, oid_at(res, i, 0), oid_at(res, i, 1)) ||
		    filter_selects(f, oid_at(res, i, 5), oid_at(res, i, 6)))
			continue;
		view = relation_text(res, i, 2, false);
		rel = relation_text(res, i, 7, false);
		pattern = relation_text(res, i, 2, true);
		log_warning("%s %s uses %s, which is not in the snapshot: restoring the snapshot fails there",
		    PQgetvalue(res, i, 4)[0] == 'm' ? "materialized view" : "view", view, rel);
		log_hint("leave the view out too (-T '%s'), or keep %s", pattern, rel);
		free(pattern);
		free(view);
		free(rel);
	}
	PQclear(res);
	return 0;
}

int
filter_dependencies(PGconn *conn, const filter *f, pgdump_obj **omit, size_t *n_omit)
{
	*omit = NULL;
	*n_omit = 0;
	if (!f->active)
		return 0;
	if (dangling_foreign_keys(conn, f, omit, n_omit) < 0 || broken_views(conn, f) < 0) {
		free(*omit);
		*omit = NULL;
		*n_omit = 0;
		return -1;
	}
	return 0;
}
