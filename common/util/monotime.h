/*
 * monotime.h — elapsed time for durations and timeouts.
 */
#ifndef DBT_MONOTIME_H
#define DBT_MONOTIME_H

/* Seconds on the monotonic clock, from an arbitrary start: only differences mean anything. */
double monotime(void);

#endif
