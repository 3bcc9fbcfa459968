/*
 * pgdump.h — running pg_dump for the schema sections.
 *
 * pg_dump refuses a server of a newer major version, so the program is
 * chosen to match the server: $DB_TOOLS_PG_DUMP, then
 * /usr/lib/postgresql/<major>/bin/pg_dump, then pg_dump on PATH, then any
 * newer /usr/lib/postgresql/N/bin/pg_dump.  One pg_dump run reads the
 * catalogs for both schema sections; pg_restore turns each section into SQL,
 * filtered of the psql-only \restrict / \unrestrict lines (15.14+, 16.10+,
 * 17.6+).
 */
#ifndef DBT_PGDUMP_H
#define DBT_PGDUMP_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/hash.h"
#include "util/spool.h"

typedef struct pgdump_prog {
	char *path;
	char *restore_path; /* pg_restore beside it (else from PATH) */
	char *version;     /* "15.18" */
	int major;
} pgdump_prog;

/*
 * Find a usable pg_dump for a server of server_version_num: override (the
 * front end's $DB_TOOLS_PG_DUMP) when not NULL, else the newest suitable
 * one installed.  Logs what is needed on failure.
 */
int pgdump_find(int server_version_num, const char *override, pgdump_prog *out);
void pgdump_free(pgdump_prog *p);
/* Parse "pg_dump (PostgreSQL) 15.18 (Debian ...)" into "15.18" and 15. */
int pgdump_parse_version(const char *text, char **version, int *major);

/* pg_dump's object filters, each a list of patterns. */
enum pgdump_filter_kind {
	PGDUMP_TABLE,               /* --table */
	PGDUMP_EXCLUDE_TABLE,       /* --exclude-table */
	PGDUMP_SCHEMA,              /* --schema */
	PGDUMP_EXCLUDE_SCHEMA,      /* --exclude-schema */
	PGDUMP_EXCLUDE_TABLE_DATA,  /* --exclude-table-data */
	PGDUMP_FILTER_KINDS
};

typedef struct pgdump_filters {
	char *const *patterns[PGDUMP_FILTER_KINDS];
	size_t n[PGDUMP_FILTER_KINDS];
} pgdump_filters;

/*
 * Run pg_dump once, for both schema sections, in custom format into path,
 * with --snapshot=SNAPSHOT against the database of conn (its password goes
 * through the child's environment only, never its command line).  filters
 * (NULL: none) become pg_dump's own --table, --exclude-table, --schema,
 * --exclude-schema and --exclude-table-data options, one argument each.
 */
int pgdump_dump_schema(const pgdump_prog *prog, PGconn *conn, const char *snapshot,
    const pgdump_filters *filters, const char *path);
/*
 * pg_restore one section ("pre-data" or "post-data") of that file as SQL
 * into out, \restrict lines removed; bytes and sha256 describe what was kept.
 * list_path: a pg_restore --use-list file (pgdump_write_list), NULL for all.
 */
int pgdump_restore_section(const pgdump_prog *prog, const char *path, const char *section,
    const char *list_path, spool *out, int64_t *bytes, char sha256[HASH_HEX_LEN + 1]);

/* An object of the dump, by its catalog's OID and its own (a TOC entry's "2606 16402"). */
typedef struct pgdump_obj {
	uint32_t catalog;
	uint32_t oid;
} pgdump_obj;

/* The entries a schema section leaves out. */
typedef struct pgdump_omit {
	const pgdump_obj *objs;     /* these objects */
	size_t n_objs;
	/*
	 * The entries that create schema public and comment on it, which pg_dump
	 * writes for --schema: every new database has that schema already.
	 */
	bool public_schema;
} pgdump_omit;

/*
 * toc, a table of contents as pg_restore --list prints it, with the entries
 * omit names commented out (a ';' before them); *omitted counts them.
 * Caller frees.
 */
char *pgdump_toc_omit(const char *toc, const pgdump_omit *omit, size_t *omitted);
/*
 * The table of contents of the dump at path, with the entries omit names
 * commented out, written to list_path (created, mode 0600) for
 * pgdump_restore_section.
 */
int pgdump_write_list(const pgdump_prog *prog, const char *path, const pgdump_omit *omit,
    const char *list_path);

/* True when line (without its newline) is a \restrict or \unrestrict meta-command. */
int pgdump_is_restrict_line(const char *line, size_t len);

#endif
