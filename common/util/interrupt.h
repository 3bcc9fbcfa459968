/*
 * interrupt.h — Ctrl-C, SIGTERM and SIGHUP, handled by one thread.
 *
 * intr_install() blocks those signals in every thread created afterwards and
 * starts a thread that sigwait()s for them.  On the first signal it sets the
 * interrupted flag, cancels every registered query (PQcancel) and sends
 * SIGTERM to the process groups of registered children, so blocked work fails promptly and the
 * normal error paths clean up (remove .partial files, drop half-built
 * databases).  A second signal ends the process at once.
 */
#ifndef DBT_INTERRUPT_H
#define DBT_INTERRUPT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <sys/types.h>

int intr_install(void);
bool intr_pending(void);
/* The signal received, 0 when none. */
int intr_signal(void);
/* Register a connection whose running query is cancelled on interrupt; returns a slot or -1. */
int intr_register_conn(PGconn *conn);
void intr_unregister_conn(int slot);
void intr_register_child(pid_t pid);
void intr_unregister_child(pid_t pid);

#endif
