/*
 * sched.h — which schema statement runs next (internal to restore/).
 *
 * A schema section is run statement by statement.  Session settings (SET,
 * set_config) are not run where they stand but replayed on a connection up
 * to the point of the statement it runs next ("epochs"), so statements can
 * run on any connection and out of place.  Index builds and primary key,
 * unique and exclusion constraints depend only on their table's data: they
 * run in parallel, and start during the data load as soon as their table is
 * complete (as pg_restore -j does).  Foreign keys run in parallel among
 * themselves, never two on the same table at once.  Everything else runs
 * in order on the first connection.
 *
 * This module holds the decisions alone (no connection, no lock of its
 * own: the caller holds the job's); schedule.c runs what they pick.
 */
#ifndef DBT_RESTORE_SCHED_H
#define DBT_RESTORE_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "archive/meta.h"
#include "sql/sqlscript.h"
#include "sql/stmtclass.h"

enum stmt_state { ST_PENDING, ST_RUNNING, ST_DONE };

typedef struct pd_stmt {
	sql_stmt st;
	stmt_kind k;                 /* its class and the tables it locks */
	int epoch;                   /* session statements before this one */
	long meta_table;             /* STMT_INDEX on a table of the archive: its index, else -1 */
	enum stmt_state state;       /* under the job's lock */
} pd_stmt;

typedef struct script {
	const meta_schema *ms;
	char *text;
	pd_stmt *v;
	size_t n;
	size_t *sessions;            /* indexes of the session statements, in order */
	size_t n_sessions;
} script;

typedef struct sched {
	const pd_stmt **busy;        /* the statements running now: n_slots slots */
	int n_slots;                 /* 2 per connection */
	const meta_table *tables;    /* the archive's: an index build weighs its table's COPY text */
	int64_t *table_left;         /* per table: members not loaded yet */
	size_t loading;              /* members being loaded now */
} sched;

/*
 * Classify the statements of sc (text and st from sql_split; sc takes st's
 * entries) and tie each index build to the archive's table it indexes.
 */
void sched_script_init(script *sc, const meta_schema *ms, char *text, const sql_stmt *st, size_t n,
    const meta_table *tables, size_t n_tables, bool owners);
void sched_script_free(script *sc);
/*
 * Would p wait for a lock a running statement holds?  CREATE INDEX takes a
 * SHARE lock, which only the exclusive kinds (adding a key or a foreign
 * key) conflict with.
 */
bool sched_conflicts(const sched *s, const pd_stmt *p);
/*
 * The first pending statement of class cls in [lo, hi) of sc whose tables
 * are free (and, when early, whose table is completely loaded); it is
 * marked running and busy.  *alone says whether it is, in effect, the only
 * work left now: nothing loading, and everything else running or pending of
 * known weight and together under an eighth of its own.  NULL when none.
 * cls is STMT_INDEX or STMT_FKEY: the classes that lock tables and run in
 * parallel (the rest run in order and are never claimed).
 */
pd_stmt *sched_claim(sched *s, script *sc, size_t lo, size_t hi, enum stmt_class cls, bool early,
    bool *alone);
/* A claimed statement finished: done, and no longer busy. */
void sched_release(sched *s, pd_stmt *p);

#endif
