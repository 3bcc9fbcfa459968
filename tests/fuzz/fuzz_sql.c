/*
 * fuzz_sql.c — libFuzzer target: the SQL splitter (sql_split, sql_tokens)
 * and the statement classifier (stmt_classify, stmt_owner_role) on
 * untrusted schema text, as db-restore reads it from an archive.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "sql/sqlscript.h"
#include "sql/stmtclass.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	sql_stmt *st;
	size_t n;
	char err[256];

	log_set_level(LOG_LEVEL_SILENT);
	memcpy(text, data, size);
	text[size] = '\0';
	/* db-restore refuses schema text with a NUL byte; the splitter sees what precedes it */
	if (sql_split(text, strlen(text), &st, &n, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < n; i++) {
			stmt_kind k;
			char *role;

			for (int owners = 0; owners < 2; owners++) {
				stmt_classify(text, &st[i], owners, &k);
				stmt_kind_free(&k);
			}
			role = stmt_owner_role(text, &st[i]);
			free(role);
		}
		free(st);
	}
	free(text);
	return 0;
}
