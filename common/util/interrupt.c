/*
 * interrupt.c — signal handling thread; see interrupt.h.
 */
#include "util/interrupt.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"

#define MAX_SLOTS 256

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static PGcancel *cancels[MAX_SLOTS];
static pid_t children[MAX_SLOTS];
static atomic_int received;
static bool installed;

static void
cancel_all(void)
{
	char errbuf[256];

	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_SLOTS; i++) {
		if (cancels[i])
			(void) PQcancel(cancels[i], errbuf, sizeof(errbuf));
		if (children[i] > 0)
			kill(-children[i], SIGTERM);   /* the child's process group */
	}
	pthread_mutex_unlock(&lock);
}

static void *
signal_thread(void *arg)
{
	sigset_t *set = arg;
	int sig;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		if (atomic_load(&received)) {
			/* second signal: stop now */
			signal(sig, SIG_DFL);
			pthread_sigmask(SIG_UNBLOCK, set, NULL);
			raise(sig);
			_exit(128 + sig);
		}
		atomic_store(&received, sig);
		log_error("interrupted by signal %d (%s), cleaning up", sig, strsignal(sig));
		cancel_all();
	}
	return NULL;
}

int
intr_install(void)
{
	static sigset_t set;
	pthread_t tid;

	if (installed)
		return 0;
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	/* a signal the caller chose to ignore (nohup, a background job) stays ignored */
	for (int i = 0; i < 3; i++) {
		static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
		struct sigaction old;

		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaddset(&set, sigs[i]);
	}
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	if (pthread_create(&tid, NULL, signal_thread, &set) != 0)
		return -1;
	pthread_detach(tid);
	installed = true;
	return 0;
}

bool
intr_pending(void)
{
	return atomic_load(&received) != 0;
}

int
intr_signal(void)
{
	return atomic_load(&received);
}

int
intr_register_conn(PGconn *conn)
{
	PGcancel *c = PQgetCancel(conn);
	int slot = -1;

	if (!c)
		return -1;
	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_SLOTS; i++) {
		if (!cancels[i]) {
			cancels[i] = c;
			slot = i;
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	if (slot < 0)
		PQfreeCancel(c);
	return slot;
}

void
intr_unregister_conn(int slot)
{
	PGcancel *c = NULL;

	if (slot < 0 || slot >= MAX_SLOTS)
		return;
	pthread_mutex_lock(&lock);
	c = cancels[slot];
	cancels[slot] = NULL;
	pthread_mutex_unlock(&lock);
	if (c)
		PQfreeCancel(c);
}

void
intr_register_child(pid_t pid)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_SLOTS; i++) {
		if (children[i] == 0) {
			children[i] = pid;
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	/* a signal that arrived before registration must still reach the child */
	if (intr_pending())
		kill(-pid, SIGTERM);
}

void
intr_unregister_child(pid_t pid)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_SLOTS; i++)
		if (children[i] == pid)
			children[i] = 0;
	pthread_mutex_unlock(&lock);
}
