/*
 * snapshot.h — taking a snapshot: one exported snapshot, parallel COPY
 * workers, pg_dump for the schema, everything streamed through the codec
 * into a tar written as .partial and renamed when complete.
 * Design notes: ../shared/DESIGN.md ("Archive format"); format: db-tools(5).
 */
#ifndef DBT_SNAPSHOT_H
#define DBT_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "archive/codec.h"
#include "archive/meta.h"
#include "util/progress.h"
#include "util/status.h"

/*
 * Where the data came from when it is not the database read: the export of
 * an instant snapshot reads a clone of its template, and the archive says
 * what the instant snapshot would (source database, time, git, database
 * settings and comment, which a clone does not carry).
 */
typedef struct snapshot_origin {
	const char *database;
	time_t created_at;
	const char *git_branch, *git_commit;
	char *const *db_settings;
	size_t n_db_settings;
	const char *db_comment;
} snapshot_origin;

typedef struct snapshot_opts {
	const char *conninfo;           /* -d, DATABASE_URL or config "database"; NULL: libpq defaults */
	const char *dir;                /* -o: where the archive goes */
	const char *file;               /* -f: the archive is this file (no sidecar), "-": stdout; NULL: in dir */
	const char *name;               /* NAME; NULL: git branch, else database name */
	int jobs;                       /* -j */
	const codec_ops *codec;         /* -Z METHOD; NULL: gzip */
	int level;                      /* -Z LEVEL, within the codec's range */
	enum opt_when progress;         /* --progress */
	enum opt_when split;            /* --split: cut large tables into ctid ranges */
	const char *pg_dump;            /* $DB_TOOLS_PG_DUMP; NULL: the newest suitable one */
	/*
	 * -t, -T, -n, -N, --exclude-table-data, -b: pg_dump's patterns and
	 * rules (filter.h), recorded in the meta as given; NULL: everything.
	 * A -t or -n pattern that matches nothing fails the run with DBT_USAGE.
	 */
	const meta_filters *filters;
	const char *dbname;             /* read this database, on conninfo's server (NULL: conninfo's) */
	const snapshot_origin *origin;  /* NULL: the database read is the source */
} snapshot_opts;

typedef struct snapshot_result {
	char *tar_path;                 /* NULL: written to standard output */
	char *meta_path;                /* NULL: no sidecar (-f) */
	char *name;
	uint64_t archive_bytes;
	int64_t raw_bytes;
	int64_t rows;
	int64_t tables;
	int64_t sequences;
	int64_t large_objects;
	int64_t data_excluded;          /* tables without their data (--exclude-table-data) */
	meta_filters filters;           /* as the meta records them (present: filtered) */
	double seconds;
} snapshot_result;

/*
 * Logs what went wrong; on failure no snapshot file is left behind.
 * DBT_USAGE: a filter pattern is malformed or selects nothing.
 */
dbt_status snapshot_run(const snapshot_opts *o, snapshot_result *r);
void snapshot_result_free(snapshot_result *r);

/* NAME's default: the git branch (made a NAME), else the database's name; caller frees. */
char *snapshot_default_name(const char *dbname, const char *branch);

/* "data/0007_public.film.gz" / "data/0007_public.film.part002.gz" (part 0: unsplit). */
char *snapshot_member_name(size_t index, const char *schema, const char *table, int part,
    const char *extension);

#endif
