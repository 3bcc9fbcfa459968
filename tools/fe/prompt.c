/*
 * prompt.c — confirmation on the terminal; see prompt.h.
 */
#include "fe/prompt.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"

int
fe_ask(const char *question)
{
	char line[64];

	if (!isatty(STDIN_FILENO))
		return -1;
	log_plain_always("%s [y/N] ", question);
	if (!fgets(line, sizeof(line), stdin)) {
		/* Ctrl-D: end the prompt's line, so what follows starts on its own */
		log_plain_always("\n");
		return 0;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "y") == 0 || strcmp(line, "Y") == 0 || strcmp(line, "yes") == 0 ||
	    strcmp(line, "YES") == 0 || strcmp(line, "Yes") == 0;
}

dbt_status
fe_confirm(bool yes, const char *question, const char *verb)
{
	int answer;

	if (yes)
		return DBT_OK;
	answer = fe_ask(question);
	if (answer < 0) {
		log_error("refusing to %s without confirmation: standard input is not a terminal", verb);
		log_hint("pass --yes to %s without being asked", verb);
		return DBT_REFUSED;
	}
	if (answer == 0) {
		log_info("nothing was changed");
		return DBT_REFUSED;
	}
	return DBT_OK;
}

bool
fe_plan_shown(bool yes)
{
	return !yes || log_get_level() <= LOG_LEVEL_INFO;
}
