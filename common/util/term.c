/*
 * term.c — the terminal's width; see term.h.
 */
#include "util/term.h"

#include <sys/ioctl.h>

int
term_columns(int fd)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}
