/*
 * prompt.h — asking before a database is replaced: the plan is shown (even
 * with -q when a question follows), then "QUESTION [y/N]" on the terminal;
 * -y answers for the user, and without a terminal the answer is no.
 */
#ifndef DBT_FE_PROMPT_H
#define DBT_FE_PROMPT_H

#include <stdbool.h>

#include "util/status.h"

/* Ask "QUESTION [y/N]" on the terminal: 1 yes, 0 no, -1 no terminal on stdin. */
int fe_ask(const char *question);
/*
 * Unless yes, ask question: DBT_OK on "y", DBT_REFUSED (after saying why)
 * on anything else or without a terminal.  verb: "restore", "reset".
 */
dbt_status fe_confirm(bool yes, const char *question, const char *verb);
/* Whether a plan is shown: always before a question, else unless -q. */
bool fe_plan_shown(bool yes);

#endif
