/*
 * sqlscript.h — reading SQL scripts the way psql does: a lexer that knows
 * string literals (standard and E''), quoted identifiers, dollar quotes,
 * nested block comments, line comments and psql's backslash meta-commands,
 * and a splitter that cuts a script into statements at semicolons outside
 * parentheses and outside CREATE FUNCTION ... BEGIN ATOMIC ... END bodies
 * (psqlscan.l's heuristic).
 */
#ifndef DBT_SQLSCRIPT_H
#define DBT_SQLSCRIPT_H

#include <stdbool.h>
#include <stddef.h>

enum sql_tok {
	SQL_TOK_EOF = 0,
	SQL_TOK_SPACE,
	SQL_TOK_COMMENT,     /* -- ... or a (nested) block comment */
	SQL_TOK_WORD,        /* keyword or unquoted identifier */
	SQL_TOK_NUMBER,
	SQL_TOK_QIDENT,      /* "quoted identifier" */
	SQL_TOK_STRING,      /* '...', E'...', B'...', X'...', N'...', U&'...' */
	SQL_TOK_DOLLAR,      /* $tag$ ... $tag$ */
	SQL_TOK_PARAM,       /* $1 */
	SQL_TOK_SEMI,
	SQL_TOK_LPAREN,
	SQL_TOK_RPAREN,
	SQL_TOK_COLON,       /* a single ':' (not part of '::') */
	SQL_TOK_OP,          /* any other punctuation, '::' included */
	SQL_TOK_META,        /* a psql backslash command, to the end of its line */
	SQL_TOK_ERROR,       /* unterminated quote, identifier or comment */
};

typedef struct sql_token {
	enum sql_tok kind;
	size_t start, len;   /* bytes of the script */
	int line;            /* 1-based line where the token starts */
} sql_token;

typedef struct sql_lexer {
	const char *s;
	size_t len, pos;
	int line;
	bool at_stmt_start; /* a backslash here starts a meta-command */
} sql_lexer;

void sql_lex_init(sql_lexer *lx, const char *s, size_t len);
/* The next token; SQL_TOK_EOF at the end, SQL_TOK_ERROR (covering the rest) when unterminated. */
enum sql_tok sql_lex_next(sql_lexer *lx, sql_token *t);

typedef struct sql_stmt {
	size_t start, len;   /* from the first significant token through the ';' (if any) */
	int line;
	bool meta;           /* a backslash meta-command rather than SQL */
} sql_stmt;

/*
 * Split a script into statements (comments and blank space between them are
 * dropped).  Returns 0, or -1 with err naming the line of an unterminated
 * quote or comment.
 */
int sql_split(const char *s, size_t len, sql_stmt **out, size_t *n, char *err, size_t errsize);

/* The significant tokens (no space, no comments) of one statement; caller frees. */
sql_token *sql_tokens(const char *s, const sql_stmt *st, size_t *n);
/* Case-insensitive: is token t the keyword kw? */
bool sql_tok_is(const char *s, const sql_token *t, const char *kw);

#endif
