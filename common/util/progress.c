/*
 * progress.c — rate-limited progress bar; see progress.h.
 */
#include "util/progress.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/format.h"
#include "util/log.h"
#include "util/monotime.h"

static struct {
	bool active;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stopping;
	const char *label;
	uint64_t total_bytes;
	int64_t total_items;
	atomic_uint_fast64_t bytes;
	atomic_int_fast64_t items;
	double started;
	bool drawn;
} pg = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

bool
progress_wanted(enum opt_when mode)
{
	if (mode == WHEN_NEVER || log_get_level() > LOG_LEVEL_INFO)
		return false;
	return mode == WHEN_ALWAYS || isatty(STDERR_FILENO);
}

/* Called with the log lock held. */
static void
clear_line(void)
{
	if (pg.drawn) {
		fputs("\r\033[K", stderr);
		pg.drawn = false;
	}
}

void
progress_format(char *buf, size_t size, bool color, const char *label, uint64_t bytes,
    uint64_t total_bytes, int64_t items, int64_t total_items, double elapsed)
{
	double frac = total_bytes ? (double) bytes / (double) total_bytes : 0;
	double rate = elapsed > 0.2 ? (double) bytes / elapsed : 0;
	char done[32], rate_s[32], eta[32];
	char bar[24];
	int width = (int) sizeof(bar) - 1, fill;

	if (frac > 0.99 && items < total_items)
		frac = 0.99;
	if (frac > 1)
		frac = 1;
	fill = (int) (frac * width);
	for (int i = 0; i < width; i++)
		bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
	bar[width] = '\0';
	fmt_size(bytes, done, sizeof(done));
	fmt_size((unsigned long long) rate, rate_s, sizeof(rate_s));
	if (rate > 0 && total_bytes > bytes) {
		long long s = (long long) ((double) (total_bytes - bytes) / rate);

		snprintf(eta, sizeof(eta), "ETA %lld:%02lld", s / 60, s % 60);
	} else {
		snprintf(eta, sizeof(eta), "ETA --:--");
	}
	snprintf(buf, size, "%s %s%3d%%%s [%s] %s  %lld/%lld tables  %s/s  %s",
	    label, color ? "\033[1m" : "", (int) (frac * 100), color ? "\033[0m" : "",
	    bar, done, (long long) items, (long long) total_items, rate_s, eta);
}

static void
draw(void)
{
	char line[256];

	progress_format(line, sizeof(line), log_color_enabled(), pg.label, atomic_load(&pg.bytes),
	    pg.total_bytes, atomic_load(&pg.items), pg.total_items, monotime() - pg.started);
	log_lock();
	fprintf(stderr, "\r\033[K%s", line);
	pg.drawn = true;
	log_unlock();
}

static void *
progress_thread(void *arg)
{
	(void) arg;
	pthread_mutex_lock(&pg.lock);
	while (!pg.stopping) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 250 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&pg.cond, &pg.lock, &ts);
		if (!pg.stopping) {
			pthread_mutex_unlock(&pg.lock);
			draw();
			pthread_mutex_lock(&pg.lock);
		}
	}
	pthread_mutex_unlock(&pg.lock);
	return NULL;
}

void
progress_start(enum opt_when mode, const char *label, uint64_t total_bytes, int64_t total_items)
{
	atomic_store(&pg.bytes, 0);
	atomic_store(&pg.items, 0);
	pg.total_bytes = total_bytes;
	pg.total_items = total_items;
	pg.label = label;
	pg.started = monotime();
	pg.stopping = false;
	if (!progress_wanted(mode))
		return;
	log_set_before_print(clear_line);
	if (pthread_create(&pg.thread, NULL, progress_thread, NULL) == 0)
		pg.active = true;
}

void
progress_add_bytes(uint64_t n)
{
	atomic_fetch_add(&pg.bytes, n);
}

void
progress_item_done(void)
{
	atomic_fetch_add(&pg.items, 1);
}

void
progress_stop(void)
{
	if (!pg.active)
		return;
	pthread_mutex_lock(&pg.lock);
	pg.stopping = true;
	pthread_cond_signal(&pg.cond);
	pthread_mutex_unlock(&pg.lock);
	pthread_join(pg.thread, NULL);
	pg.active = false;
	log_lock();
	clear_line();
	log_unlock();
	log_set_before_print(NULL);
}
