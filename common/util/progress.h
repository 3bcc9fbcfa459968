/*
 * progress.h — a progress bar on stderr: bytes and tables done, rate, ETA.
 *
 * Workers add to atomic counters; a small thread redraws at most four times
 * a second.  Shown only when enabled (a TTY, or --progress=always); log
 * messages clear the line before printing (log_set_before_print).
 */
#ifndef DBT_PROGRESS_H
#define DBT_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include <stddef.h>

/* The value of --progress (and of --split): auto (on a terminal), always, never. */
enum opt_when { WHEN_AUTO, WHEN_ALWAYS, WHEN_NEVER };

/* Whether a bar would be shown on this stderr in this mode. */
bool progress_wanted(enum opt_when mode);

/*
 * Show a bar for one step (label: "loading", "indexes", ...): by bytes when
 * total_bytes > 0, else by items when total_items > 0 (counted in unit:
 * "tables", "files"; NULL: not shown), else only the time the step takes.
 * A new start replaces the step shown.
 */
void progress_start(enum opt_when mode, const char *label, const char *unit, uint64_t total_bytes,
    int64_t total_items);
void progress_add_bytes(uint64_t n);
void progress_item_done(void);
/* Stop the thread and clear the line. */
void progress_stop(void);

/*
 * The bar's text: "LABEL  42% [=====>   ] 1.2 GiB  3/10 tables  80 MiB/s  ETA 0:15";
 * the percentage in bold when color.  elapsed in seconds.  The percentage
 * stays under 100 until every item is done.  With columns > 0 the line fits
 * in columns - 1 characters: the bar is 10 to 30 wide, and the rate, the
 * size, the items, the bar and the ETA are given up in that order; with
 * columns 0 (unknown) the line is whole and the bar 23 wide.  Without
 * totals: "LABEL  0:07", the time the step has taken.
 */
void progress_format(char *buf, size_t size, bool color, int columns, const char *label, const char *unit,
    uint64_t bytes, uint64_t total_bytes, int64_t items, int64_t total_items, double elapsed);

#endif
