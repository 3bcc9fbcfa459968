/*
 * catalog.h — what a snapshot reads from the system catalogs, inside the
 * snapshot's transaction: database facts, the tables to copy (with their
 * COPY column lists), sequence values, large objects, the migration head.
 */
#ifndef DBT_CATALOG_H
#define DBT_CATALOG_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "archive/meta.h"

typedef struct catalog_db {
	char *name;
	char *encoding;
	char *lc_collate;
	char *lc_ctype;
	char *locale_provider;       /* "libc", "icu", "builtin" */
	char *provider_locale;       /* ICU or builtin locale; NULL for libc */
	char *icu_rules;             /* NULL when none */
	char **settings;             /* ALTER DATABASE ... SET, as "name=value" */
	size_t n_settings;
	char *comment;               /* NULL when none */
	uint64_t size;               /* pg_database_size */
	char *server_version;        /* "15.18" */
	int server_version_num;      /* 150018 */
	uint32_t block_size;
} catalog_db;

typedef struct catalog_table {
	uint32_t oid;
	uint32_t nsp_oid;            /* its schema's */
	char *schema;
	char *name;
	const char *kind;            /* "table", "partition", "unlogged" */
	uint64_t heap_bytes;         /* main fork */
	uint64_t toast_bytes;
	char **columns;              /* non-generated columns in attnum order */
	size_t n_columns;
	bool data_excluded;          /* --exclude-table-data: the definition without the rows */
} catalog_table;

struct filter;

int catalog_db_info(PGconn *conn, catalog_db *db);
/*
 * Database dbname's own settings (ALTER DATABASE ... SET, as "name=value")
 * and comment (NULL when none), which a clone of it does not carry.
 */
int catalog_db_props(PGconn *conn, const char *dbname, char ***settings, size_t *n, char **comment);
void catalog_db_free(catalog_db *db);
/*
 * Every user table in every non-system schema: plain tables, leaf
 * partitions (partitioned parents have no data of their own), inheritance
 * children, unlogged tables; not temporary tables, not tables that belong
 * to an extension; views, materialized views and foreign tables are not
 * relkind 'r' and so are not listed.
 */
int catalog_tables(PGconn *conn, catalog_table **out, size_t *n);
void catalog_tables_free(catalog_table *t, size_t n);
/* What one table holds (the array is the caller's). */
void catalog_tables_free_one(catalog_table *t);
/*
 * Sequence values (last_value, is_called) of every user sequence that f
 * selects and keeps the data of (NULL: every one).
 */
int catalog_sequences(PGconn *conn, const struct filter *f, meta_sequence **out, size_t *n);
/* Large object OIDs in order, and the size of pg_largeobject on disk. */
int catalog_large_objects(PGconn *conn, uint32_t **oids, size_t *n, uint64_t *disk_bytes);
/*
 * The head of a known migration tracking table (db_tools_migrations,
 * schema_migrations, goose_db_version, alembic_version): both NULL when none.
 */
int catalog_migration_head(PGconn *conn, char **table, char **head);
/* LOCK TABLE ... IN ACCESS SHARE MODE for all of them (keeps them from being dropped). */
int catalog_lock_tables(PGconn *conn, const catalog_table *t, size_t n);

#endif
