/*
 * meta.h — the snapshot's description: the .meta sidecar and the archive's
 * meta.json member (the same bytes).  Format documented in man/db-tools.5.
 *
 * meta_from_json() treats its input as untrusted: every field is type- and
 * range-checked and member names are confined to the archive's own layout.
 */
#ifndef DBT_META_H
#define DBT_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/hash.h"

#define META_FORMAT "db-tools-snapshot"
/*
 * 3: a data or large object member's sha256 is of its stored (compressed)
 * bytes; before, of the uncompressed bytes (meta_sha256_of_stored()).
 * Optional in 3: "filters" and a table's "data_excluded" (db-snapshot's
 * -t, -T, -n, -N, --exclude-table-data, -b); absent, nothing was filtered.
 */
#define META_FORMAT_VERSION 3
#define META_MEMBER "meta.json"
#define META_MAX_BYTES (64u << 20)
#define META_FIRST_STORED_SHA 3

typedef struct meta_member {
	char *member;
	int64_t rows;
	int64_t raw_bytes;
	int64_t stored_bytes;
	char sha256[HASH_HEX_LEN + 1];
} meta_member;

typedef struct meta_table {
	char *schema;
	char *name;
	char *kind;            /* "table", "partition", "unlogged" */
	/*
	 * --exclude-table-data: the table is in the schema but its rows were
	 * left out on purpose; it has no members and restores empty.
	 */
	bool data_excluded;
	char **columns;        /* COPY column list (generated columns left out) */
	size_t n_columns;
	int64_t rows, raw_bytes, stored_bytes;   /* sums over members */
	meta_member *members;
	size_t n_members;
} meta_table;

typedef struct meta_sequence {
	char *schema;
	char *name;
	int64_t last_value;
	bool is_called;
} meta_sequence;

typedef struct meta_lo {
	uint32_t oid;
	char *member;
	int64_t bytes;
	int64_t stored_bytes;
	char sha256[HASH_HEX_LEN + 1];
} meta_lo;

typedef struct meta_schema {
	char *member;
	int64_t bytes;
	char sha256[HASH_HEX_LEN + 1];
} meta_schema;

/* The filters of a snapshot, as given on its command line (pg_dump's options). */
enum meta_filter_kind {
	MF_TABLE,                   /* -t, "table" */
	MF_EXCLUDE_TABLE,           /* -T, "exclude_table" */
	MF_SCHEMA,                  /* -n, "schema" */
	MF_EXCLUDE_SCHEMA,          /* -N, "exclude_schema" */
	MF_EXCLUDE_TABLE_DATA,      /* --exclude-table-data, "exclude_table_data" */
	MF_KINDS
};

typedef struct meta_filters {
	bool present;               /* "filters" is in the meta: a pattern or -b was given */
	char **patterns[MF_KINDS];  /* each kind's patterns in the order given */
	size_t n[MF_KINDS];
	bool large_objects;         /* -b/--large-objects */
} meta_filters;

/* The key of a kind in "filters": "table", "exclude_table", ... */
const char *meta_filter_key(enum meta_filter_kind kind);
/* True when any pattern of any kind was given. */
bool meta_filters_any(const meta_filters *f);
void meta_filters_free(meta_filters *f);

typedef struct meta_doc {
	int format_version;
	char *tool_version;
	char *name;
	time_t created_at;
	double duration_seconds;
	char *src_database, *src_host, *src_port, *src_user;
	char *server_version;
	int server_version_num;
	char *pg_dump_version;
	char *encoding, *lc_collate, *lc_ctype;
	/*
	 * The database's locale provider ("libc", "icu", "builtin"), its ICU or
	 * builtin locale and ICU rules; all NULL in archives from before these
	 * were recorded, and the locale and rules NULL where they do not apply.
	 */
	char *locale_provider, *provider_locale, *icu_rules;
	/*
	 * The database's own settings (ALTER DATABASE ... SET), "name=value" as
	 * pg_db_role_setting holds them, and its comment (NULL when none); none
	 * of either in archives from before these were recorded.
	 */
	char **db_settings;
	size_t n_db_settings;
	char *db_comment;
	char *codec;
	int compression_level;
	char *git_branch, *git_commit;            /* NULL outside a git work tree */
	char *migration_table, *migration_head;   /* NULL when no tracking table */
	meta_filters filters;                      /* not present in unfiltered snapshots */
	meta_schema pre_data, post_data;
	meta_table *tables;
	size_t n_tables;
	meta_sequence *sequences;
	size_t n_sequences;
	meta_lo *los;
	size_t n_los;
} meta_doc;

typedef struct meta_totals {
	int64_t tables, rows, raw_bytes, stored_bytes, large_objects;
	int64_t data_excluded;      /* tables among them without data (--exclude-table-data) */
} meta_totals;

void meta_totals_of(const meta_doc *m, meta_totals *t);
/* Recompute each table's rows/raw_bytes/stored_bytes from its members. */
void meta_sum_tables(meta_doc *m);
/* Serialise (pretty, trailing newline); caller frees. */
char *meta_to_json(const meta_doc *m);

enum meta_parse_result {
	META_OK = 0,
	META_INVALID = -1,      /* not JSON, wrong types, unsafe member names */
	META_TOO_NEW = -2,      /* format_version newer than this build knows */
};
/* Parse and validate; on failure err describes the problem. */
int meta_from_json(const char *text, size_t len, meta_doc *m, char *err, size_t errsize);
void meta_free(meta_doc *m);
/*
 * The document text (which meta_from_json must accept) with its "name" set
 * to name and nothing else changed: every other field, known to this
 * version or not, keeps its value and its place.  Caller frees; NULL with
 * err saying why.
 */
char *meta_renamed_json(const char *text, size_t len, const char *name, char *err, size_t errsize);

#endif
