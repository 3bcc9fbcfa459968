/*
 * jsoncheck.h — strict JSON (RFC 8259) for untrusted documents, checked
 * before json-c reads them, since json-c is lenient where an attacker
 * could use it: it takes trailing bytes after the value, keeps the last of
 * two equal keys, reads NaN and Infinity, and passes invalid UTF-8 and
 * "\u0000" through.  All of these are refused here, and so are the forms
 * json-c's default mode takes from people's files (comments, trailing commas,
 * single quotes), which other JSON readers such as jq refuse.
 */
#ifndef DBT_JSONCHECK_H
#define DBT_JSONCHECK_H

#include <stddef.h>

/* Why and where json_check_strict_at refused a document. */
typedef struct json_check_error {
	size_t offset;              /* the byte at which the problem is */
	size_t line, column;        /* the same, 1-based; the column counts characters (UTF-8), a tab as one */
	char what[96];              /* the problem: "trailing comma", "duplicate key \"jobs\"" */
} json_check_error;

/* 0 when text is one strict JSON value; -1 with err saying what and at which byte. */
int json_check_strict(const char *text, size_t len, char *err, size_t errsize);
/*
 * The same, for documents people write (db-tools.json): -1 with *e filled in.
 * The forms lenient parsers take are named: comments, a trailing comma,
 * single quotes, a byte order mark, a key given twice.
 */
int json_check_strict_at(const char *text, size_t len, json_check_error *e);

#endif
