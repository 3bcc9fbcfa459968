/*
 * exitcode.h — the suite's exit statuses, one table for every tool and man
 * page (DESIGN.md "Exit statuses").
 */
#ifndef DBT_EXITCODE_H
#define DBT_EXITCODE_H

enum exit_code {
	EXIT_OK = 0,            /* success */
	EXIT_FAILURE_ = 1,      /* failure: connection, pg_dump, disk, interrupted */
	EXIT_USAGE = 2,         /* bad option, bad NAME, bad configuration file */
	EXIT_REFUSED = 3,       /* confirmation declined, no TTY without --yes, production guard */
	EXIT_INTEGRITY = 4,     /* corrupt, truncated or mismatching archive */
	EXIT_OK_STOP = -1,      /* internal: --help/--version done, exit 0 */
};

#endif
