/*
 * db-restore — not built yet in this version; see man/db-restore.1.
 */
#include <stdio.h>
#include <string.h>

#include "exitcode.h"
#include "log.h"

int
main(int argc, char **argv)
{
	log_init(argv[0]);
	if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
		printf("db-restore (db-tools) %s\n", DB_TOOLS_VERSION);
		return EXIT_OK;
	}
	log_error("db-restore is not built yet in this version");
	log_hint("restore a snapshot's data by hand: tar xOf ARCHIVE data/MEMBER.gz | gunzip");
	return EXIT_FAILURE_;
}
