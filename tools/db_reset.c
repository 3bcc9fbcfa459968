/*
 * db-reset — not built yet in this version; see man/db-reset.1.
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
		printf("db-reset (db-tools) %s\n", DB_TOOLS_VERSION);
		return EXIT_OK;
	}
	log_error("db-reset is not built yet in this version");
	return EXIT_FAILURE_;
}
