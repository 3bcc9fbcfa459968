/*
 * progress.c — rate-limited progress bar; see progress.h.
 */
#include "util/progress.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/format.h"
#include "util/log.h"
#include "util/monotime.h"
#include "util/term.h"

static struct {
	bool active;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stopping;
	const char *label;
	const char *unit;
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

/* The optional parts of the line, in the order they are given up when it is too wide. */
enum { PART_RATE, PART_BYTES, PART_ITEMS, PART_BAR, PART_ETA, N_PARTS };

typedef struct text_line {
	char *buf;
	size_t size, len;            /* bytes written (may exceed size: then cut) */
	size_t visible;              /* characters shown (no escape codes) */
} text_line;

static void
line_add(text_line *l, size_t visible, const char *fmt, ...) LOG_PRINTF(3, 4);

static void
line_add(text_line *l, size_t visible, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(l->buf + (l->len < l->size ? l->len : l->size), l->len < l->size ? l->size - l->len : 0,
	    fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t) n;
	l->visible += visible;
}

/* The line from the parts kept, the bar bar_width wide (0: none); its visible length. */
static size_t
compose(char *buf, size_t size, bool color, const char *label, const char *pct, double frac,
    int bar_width, const char *const part[N_PARTS], const bool keep[N_PARTS])
{
	text_line l = {buf, size, 0, 0};

	if (size > 0)
		buf[0] = '\0';
	line_add(&l, strlen(label), "%s", label);
	line_add(&l, 1 + strlen(pct), " %s%s%s", color ? "\033[1m" : "", pct, color ? "\033[0m" : "");
	if (keep[PART_BAR] && bar_width > 0) {
		char bar[64];
		int fill = (int) (frac * bar_width);

		for (int i = 0; i < bar_width && i < (int) sizeof(bar) - 1; i++)
			bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
		bar[bar_width < (int) sizeof(bar) - 1 ? bar_width : (int) sizeof(bar) - 1] = '\0';
		line_add(&l, strlen(bar) + 3, " [%s]", bar);
	}
	if (keep[PART_BYTES] && part[PART_BYTES])
		line_add(&l, 1 + strlen(part[PART_BYTES]), " %s", part[PART_BYTES]);
	if (keep[PART_ITEMS] && part[PART_ITEMS])
		line_add(&l, 2 + strlen(part[PART_ITEMS]), "  %s", part[PART_ITEMS]);
	if (keep[PART_RATE] && part[PART_RATE])
		line_add(&l, 2 + strlen(part[PART_RATE]), "  %s", part[PART_RATE]);
	if (keep[PART_ETA] && part[PART_ETA])
		line_add(&l, 2 + strlen(part[PART_ETA]), "  %s", part[PART_ETA]);
	return l.visible;
}

/* Cut a line without escape codes to columns - 1 characters (the last column would wrap). */
static void
cut(char *buf, size_t size, int columns)
{
	if (columns > 1 && (size_t) columns - 1 < size && strlen(buf) > (size_t) columns - 1)
		buf[columns - 1] = '\0';
}

void
progress_format(char *buf, size_t size, bool color, int columns, const char *label, const char *unit,
    uint64_t bytes, uint64_t total_bytes, int64_t items, int64_t total_items, double elapsed)
{
	bool by_bytes = total_bytes > 0, by_items = !by_bytes && total_items > 0;
	double frac = by_bytes ? (double) bytes / (double) total_bytes :
	    by_items ? (double) items / (double) total_items : 0;
	double rate = elapsed > 0.2 ? (double) bytes / elapsed : 0;
	char pct[16], done[32], rate_s[40], items_s[64], eta[32], tmp[32];
	const char *part[N_PARTS] = {NULL};
	bool keep[N_PARTS];
	long long left = -1;

	if (!by_bytes && !by_items) {
		/* a step without a measure: its name and how long it has taken */
		long long s = (long long) elapsed;

		snprintf(buf, size, "%s  %lld:%02lld", label, s / 60, s % 60);
		cut(buf, size, columns);
		return;
	}
	if (frac > 0.99 && items < total_items)
		frac = 0.99;
	if (frac > 1)
		frac = 1;
	snprintf(pct, sizeof(pct), "%3d%%", (int) (frac * 100));
	if (by_bytes) {
		fmt_size(bytes, done, sizeof(done));
		fmt_size((unsigned long long) rate, tmp, sizeof(tmp));
		snprintf(rate_s, sizeof(rate_s), "%s/s", tmp);
		part[PART_BYTES] = done;
		part[PART_RATE] = rate_s;
		if (rate > 0 && total_bytes > bytes)
			left = (long long) ((double) (total_bytes - bytes) / rate);
	} else if (items > 0 && elapsed > 0.2 && total_items > items)
		left = (long long) (elapsed * (double) (total_items - items) / (double) items);
	if (unit && total_items > 0) {
		snprintf(items_s, sizeof(items_s), "%lld/%lld %s", (long long) items, (long long) total_items, unit);
		part[PART_ITEMS] = items_s;
	}
	if (left >= 0)
		snprintf(eta, sizeof(eta), "ETA %lld:%02lld", left / 60, left % 60);
	else
		snprintf(eta, sizeof(eta), "ETA --:--");
	part[PART_ETA] = eta;
	for (int k = 0; k < N_PARTS; k++)
		keep[k] = true;
	if (columns <= 0) {
		/* width unknown: the whole line, the bar 23 wide */
		(void) compose(buf, size, color, label, pct, frac, 23, part, keep);
		return;
	}
	/* give up parts, least useful first, until the line and a bar of 10 or more fit */
	for (int drop = -1; drop < N_PARTS; drop++) {
		size_t avail = (size_t) columns - 1, fixed;

		if (drop >= 0)
			keep[drop] = false;
		fixed = compose(buf, size, color, label, pct, frac, 0, part, keep);
		if (keep[PART_BAR]) {
			long w = (long) avail - (long) fixed - 3;

			if (w >= 10) {
				(void) compose(buf, size, color, label, pct, frac, w > 30 ? 30 : (int) w, part, keep);
				return;
			}
		} else if (fixed <= avail)
			return;
	}
	/* narrower than the label and the percentage: cut, without the bold */
	(void) compose(buf, size, false, label, pct, frac, 0, part, keep);
	cut(buf, size, columns);
}

/* What a drawing shows, copied under pg.lock (a new step may replace it meanwhile). */
typedef struct step {
	const char *label, *unit;
	uint64_t total_bytes;
	int64_t total_items;
	double started;
} step;

static void
draw(const step *st)
{
	char line[512];

	progress_format(line, sizeof(line), log_color_enabled(), term_columns(STDERR_FILENO), st->label,
	    st->unit, atomic_load(&pg.bytes), st->total_bytes, atomic_load(&pg.items), st->total_items,
	    monotime() - st->started);
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
			step st = {pg.label, pg.unit, pg.total_bytes, pg.total_items, pg.started};

			pthread_mutex_unlock(&pg.lock);
			draw(&st);
			pthread_mutex_lock(&pg.lock);
		}
	}
	pthread_mutex_unlock(&pg.lock);
	return NULL;
}

void
progress_start(enum opt_when mode, const char *label, const char *unit, uint64_t total_bytes,
    int64_t total_items)
{
	bool active;
	step st;

	pthread_mutex_lock(&pg.lock);
	atomic_store(&pg.bytes, 0);
	atomic_store(&pg.items, 0);
	pg.total_bytes = total_bytes;
	pg.total_items = total_items;
	pg.label = label;
	pg.unit = unit;
	pg.started = monotime();
	pg.stopping = false;
	active = pg.active;
	st = (step) {pg.label, pg.unit, pg.total_bytes, pg.total_items, pg.started};
	pthread_mutex_unlock(&pg.lock);
	if (!active) {
		if (!progress_wanted(mode))
			return;
		log_set_before_print(clear_line);
		if (pthread_create(&pg.thread, NULL, progress_thread, NULL) != 0)
			return;
		pg.active = true;
	}
	/* every step is shown, however short */
	draw(&st);
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
