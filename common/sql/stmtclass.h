/*
 * stmtclass.h — what one statement of pg_dump's schema output is, as far as
 * running it out of place or in parallel goes: a session setting, an
 * ownership or privilege statement (skipped unless owners are kept), an
 * index build or key constraint on one table, a foreign key between two
 * tables, a psql meta-command, or anything else (run in order).
 */
#ifndef DBT_STMTCLASS_H
#define DBT_STMTCLASS_H

#include <stdbool.h>

#include "sql/sqlscript.h"

enum stmt_class {
	STMT_RUN,            /* anything else: run where it stands */
	STMT_SKIP,           /* nothing to run: empty, \restrict, owner or privilege statement */
	STMT_SESSION,        /* SET, SELECT pg_catalog.set_config(...) */
	STMT_INDEX,          /* CREATE [UNIQUE] INDEX; ADD CONSTRAINT PRIMARY KEY | UNIQUE | EXCLUDE */
	STMT_FKEY,           /* ADD CONSTRAINT ... FOREIGN KEY ... REFERENCES */
	STMT_FOREIGN_META,   /* a psql meta-command other than \restrict and \unrestrict */
};

typedef struct stmt_kind {
	enum stmt_class cls;
	/*
	 * Tables as stmt_table_key() spells them: [0] the table an index or
	 * constraint is on, [1] the table a foreign key references; NULL where
	 * there is none.
	 */
	char *tables[2];
	bool shared_lock;    /* CREATE INDEX (SHARE lock: runs beside other index builds on its table) */
} stmt_kind;

/*
 * Classify statement st of script s.  owners: ownership and privilege
 * statements are kept (STMT_RUN) rather than skipped.  Free with
 * stmt_kind_free().
 */
void stmt_classify(const char *s, const sql_stmt *st, bool owners, stmt_kind *out);
void stmt_kind_free(stmt_kind *k);
/*
 * Whether a statement of an archive's schema is of a kind pg_dump writes
 * there: NULL when it is, else why not ("a command on the server's
 * databases, roles, tablespaces or subscriptions", ...).  Accepted:
 * CREATE and ALTER of objects in a database, COMMENT, SECURITY LABEL,
 * GRANT and REVOKE ON objects, SET (not of the role), REFRESH MATERIALIZED
 * VIEW, SELECT pg_catalog.set_config or setval on literals, and the psql
 * commands \restrict and \unrestrict.  Everything else (DROP, DO, CALL,
 * COPY, DML, queries, transaction control, other meta-commands) is not.
 */
const char *stmt_refusal(const char *s, const sql_stmt *st);
/*
 * The role of "ALTER <object> <name> OWNER TO <role>", unquoted (unquoted
 * names folded to lower case); NULL for any other statement.  Caller frees.
 */
char *stmt_owner_role(const char *s, const sql_stmt *st);

/*
 * A table's key: "schema\x1fname", unquoted.  stmt_classify() gives names
 * from SQL the same way (quotes removed, unquoted words folded to lower case).
 */
char *stmt_table_key(const char *schema, const char *name);

#endif
