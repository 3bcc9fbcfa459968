/*
 * filter.h — what a filtered snapshot holds (internal to snapshot/):
 * pg_dump's -t, -T, -n, -N and --exclude-table-data patterns resolved to
 * OIDs inside the snapshot's transaction, with pg_dump's rules for what
 * they select, so that the data copied is the data of the tables whose
 * definitions pg_dump writes for the same options (pgdump.c passes them
 * on to it):
 *   - a schema is selected by -n (without -n, every user schema), unless
 *     -N matches it; with -t no schema is (selectDumpableNamespace);
 *   - a relation is selected by -t (-n and -N then have no effect on
 *     relations), else by its schema; -T takes it out either way
 *     (selectDumpableTable);
 *   - a sequence owned by a selected table comes with it, and an identity
 *     sequence only with its table (getOwnedSeqs);
 *   - --exclude-table-data keeps a selected table's definition and leaves
 *     its rows out (a sequence's: its value);
 *   - the large objects only without -t and -n, or with -b.
 * Patterns are converted by sql/pattern.h and matched on the server.
 */
#ifndef DBT_FILTER_H
#define DBT_FILTER_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "archive/meta.h"
#include "pg/pgdump.h"
#include "snapshot/catalog.h"
#include "util/status.h"

typedef struct oid_set {
	uint32_t *v;            /* sorted, each once */
	size_t n;
} oid_set;

typedef struct filter {
	bool active;            /* a pattern was given; else everything is selected */
	bool tables_given;      /* -t */
	bool schemas_given;     /* -n */
	oid_set rel_in;         /* -t: the relations it matches */
	oid_set rel_out;        /* -T */
	oid_set nsp_in;         /* -n: the schemas */
	oid_set nsp_out;        /* -N */
	oid_set data_out;       /* --exclude-table-data: the relations */
	bool large_objects;     /* the large objects are copied */
} filter;

/* Add oids[0..n) to s, keeping it sorted and each OID once. */
void oid_set_add(oid_set *s, const uint32_t *oids, size_t n);
bool oid_set_has(const oid_set *s, uint32_t oid);

/* Whether the relations of schema nsp are selected by their schema. */
bool filter_schema_selected(const filter *f, uint32_t nsp);
/* Whether relation rel of schema nsp is in the snapshot. */
bool filter_selects(const filter *f, uint32_t rel, uint32_t nsp);
/* Whether a selected relation keeps its data (not --exclude-table-data). */
bool filter_keeps_data(const filter *f, uint32_t rel);
/*
 * Whether sequence seq of schema nsp is in the snapshot; owner (0: none)
 * is the table that owns it, in schema owner_nsp, identity whether it is
 * that table's identity sequence.
 */
bool filter_selects_sequence(const filter *f, uint32_t seq, uint32_t nsp, uint32_t owner,
    uint32_t owner_nsp, bool identity);
/*
 * Keep the tables of t[0..*n) that f selects (the others freed), in order,
 * and mark those whose data it leaves out.
 */
void filter_tables(const filter *f, catalog_table *t, size_t *n);

/*
 * Resolve spec's patterns on conn (inside the snapshot's transaction; the
 * session's search_path is reset for it, as pg_dump does, so that a name
 * without a schema matches what that search_path shows, and set back to
 * '' after).  DBT_USAGE, logged, for a malformed pattern (too many dots, a
 * database other than dbname, a schema pattern with a dot) and for a -t or
 * -n pattern that matches nothing; a -T, -N or --exclude-table-data pattern
 * that matches nothing is a warning.  spec NULL: everything.
 */
dbt_status filter_resolve(PGconn *conn, const char *dbname, const meta_filters *spec, filter *f);
/*
 * What the filters break, said before the snapshot is taken: foreign keys
 * of the snapshot's tables that reference a table it leaves out, or whose
 * data it leaves out while keeping the referencing rows, are left out of
 * the schema (warned; *omit gets their pg_constraint entries, the caller
 * frees); views that use a relation left out are named (restoring them
 * fails, as pg_dump's output does).  0, or -1 after logging.
 */
int filter_dependencies(PGconn *conn, const filter *f, pgdump_obj **omit, size_t *n_omit);
void filter_free(filter *f);

#endif
