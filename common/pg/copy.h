/*
 * copy.h — the COPY statements of the suite, built in one place: the
 * snapshot's COPY ... TO STDOUT (a whole table, or a ctid range of one) and
 * the restore's COPY ... FROM STDIN (optionally FREEZE), with its end.
 * Every name is quoted; the column list keeps the order the archive records.
 */
#ifndef DBT_COPY_H
#define DBT_COPY_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

typedef struct copy_target {
	const char *schema, *table;
	char *const *columns;        /* n_columns names; 0: every column, in the table's order */
	size_t n_columns;
	const char *member;          /* the archive member, named in messages; NULL: none */
} copy_target;

/*
 * COPY t TO STDOUT into sql (reset first).  With chunk, only the rows in
 * blocks [blk_from, blk_to) (blk_to 0: to the end) of the table itself
 * (not its children), through a SELECT of the columns.
 */
void copy_out_sql(strbuf *sql, const copy_target *t, bool chunk, uint32_t blk_from,
    uint32_t blk_to);

/*
 * Start COPY t FROM STDIN on conn.  With freeze the COPY runs in a
 * transaction that first truncates the (empty) table, so that COPY FREEZE
 * writes the rows frozen: the index builds and foreign key checks that read
 * them next need not set hint bits (copy_in_end commits).  0, or -1 after
 * logging.
 */
int copy_in_begin(PGconn *conn, const copy_target *t, bool freeze);
/*
 * End the COPY (aborting it unless ok) and add the rows the server loaded
 * to *rows; commit or roll back copy_in_begin's transaction when freeze.
 * Unless quiet, says why the load failed on the server's side: its error
 * (not the abort asked for here), or the connection lost.  0 or -1.
 */
int copy_in_end(PGconn *conn, const copy_target *t, bool freeze, bool ok, bool quiet,
    int64_t *rows);

#endif
