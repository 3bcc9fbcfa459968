/*
 * status.h — the one status every job entry point returns (snapshot_run,
 * restore_run, reset_run, replace_run...).  Helpers below them return 0
 * or -1 after logging.  Only the tools turn a status into an exit status:
 * the values are the documented exit statuses (db-snapshot(1) and the
 * others, "EXIT STATUS"), so that the mapping is one table.
 */
#ifndef DBT_STATUS_H
#define DBT_STATUS_H

typedef enum dbt_status {
	DBT_OK = 0,             /* success */
	DBT_FAILED = 1,         /* failure: connection, pg_dump, disk, interrupted */
	DBT_USAGE = 2,          /* bad option, bad NAME, bad configuration file */
	DBT_REFUSED = 3,        /* confirmation declined, no TTY without --yes, production guard */
	DBT_INTEGRITY = 4,      /* corrupt, truncated or mismatching archive */
} dbt_status;

#endif
