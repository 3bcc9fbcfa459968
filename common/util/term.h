/*
 * term.h — the terminal's width, for output that must fit it.
 */
#ifndef DBT_TERM_H
#define DBT_TERM_H

/*
 * The width of the terminal on fd, or 0 when fd is not a terminal (output
 * to a file or a pipe keeps whole lines, for whatever reads it).
 */
int term_columns(int fd);

#endif
