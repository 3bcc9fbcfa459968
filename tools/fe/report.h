/*
 * report.h — what the tools tell people about a snapshot, a restore or a
 * reset: the plan before the question, the summary after, and the JSON
 * document of --json.  Text from an archive is shown as one line of plain text.
 */
#ifndef DBT_FE_REPORT_H
#define DBT_FE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "reset/reset.h"
#include "restore/restore.h"
#include "snapshot/clone.h"
#include "snapshot/snapshot.h"
#include "util/status.h"

/*
 * The confirm hooks of restore_opts and reset_opts: show the plan (always
 * before a question, else unless -q) and ask unless *(bool *) yes.
 */
dbt_status fe_restore_confirm(void *yes, const restore_plan *p);
dbt_status fe_reset_confirm(void *yes, const reset_plan *p);

void fe_print_restore_plan(const restore_plan *p);
void fe_print_reset_plan(const reset_plan *p);
/*
 * dir: the snapshot directory; dir_given: it came from -o (the db-restore
 * command suggested then names it too).
 */
void fe_print_snapshot_summary(const snapshot_result *r, const char *dir, bool dir_given);
/* db-snapshot --instant: show the plan (unless -y quiets it) and ask. */
dbt_status fe_clone_confirm(void *yes, const clone_plan *p);
/* After an instant snapshot: where it is, and the commands that restore and export it. */
void fe_print_clone_summary(const clone_result *r, const char *dir, bool dir_given);
void fe_print_restore_summary(const restore_result *r);
void fe_print_reset_summary(const reset_result *r);

/* The result as a JSON document on f; 0, or -1 when f could not be written. */
int fe_restore_json(FILE *f, const restore_result *r);
int fe_reset_json(FILE *f, const reset_result *r);

#endif
