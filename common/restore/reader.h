/*
 * reader.h — a restore's archive (internal to restore/): index the tar
 * (headers only), parse and check meta.json, check that the member list is
 * exactly the meta's; read and check the schema sections; refuse what an
 * untrusted schema may not run.  Every function returns a status
 * (DBT_INTEGRITY for the archive's faults), having logged what is wrong.
 */
#ifndef DBT_RESTORE_READER_H
#define DBT_RESTORE_READER_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "archive/codec.h"
#include "archive/instant.h"
#include "archive/meta.h"
#include "archive/tarball.h"
#include "sql/sqlscript.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/status.h"

typedef struct archive_in {
	const char *path;
	tarball_index ix;
	meta_doc m;
	bool have_meta;
	const codec_ops *codec;
	char key[HASH_HEX_LEN + 1];    /* SHA-256 of meta.json: the cache key */
	int fd;
} archive_in;

/* Index the archive at path and check its structure. */
dbt_status archive_open(const char *path, archive_in *a);
/*
 * An instant snapshot's marker at path, as an archive without members: its
 * description in a->m (no tables: the data is the template's), its
 * template's key in a->key; the marker itself in *im (instant_free it).
 */
dbt_status archive_open_instant(const char *path, archive_in *a, instant_marker *im);
void archive_close(archive_in *a);
/* Log "archive PATH is unusable: ..." and return DBT_INTEGRITY. */
dbt_status integrity_error(const char *path, const char *fmt, ...) LOG_PRINTF(2, 3);
/* Read a whole schema member into memory (*out), checking its SHA-256. */
dbt_status read_schema(archive_in *a, const meta_schema *s, char **out);
/* read_schema, then split into statements (*text and *st the caller's to free). */
dbt_status read_statements(archive_in *a, const meta_schema *ms, char **text, sql_stmt **st,
    size_t *n);
/* Unless trust, refuse a schema holding statements pg_dump does not write. */
dbt_status check_schema_statements(archive_in *a, bool trust);
/* With --owners: every role the schema names must exist on the server. */
dbt_status check_owner_roles(archive_in *a, PGconn *maint);

#endif
