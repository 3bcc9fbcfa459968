/*
 * log.c — levels, program-name prefix, detail and hint lines; see log.h.
 */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *progname = "db-tools";
static enum log_level min_level = LOG_LEVEL_INFO;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static void (*before_print)(void);
static int color = -1;

void
log_init(const char *name)
{
	const char *slash = strrchr(name, '/');

	progname = slash ? slash + 1 : name;
}

const char *
log_progname(void)
{
	return progname;
}

void
log_set_level(enum log_level level)
{
	min_level = level;
}

enum log_level
log_get_level(void)
{
	return min_level;
}

bool
log_color_enabled(void)
{
	if (color < 0) {
		const char *nc = getenv("NO_COLOR");
		const char *term = getenv("TERM");

		color = isatty(STDERR_FILENO) && !(nc && *nc) &&
		    !(term && strcmp(term, "dumb") == 0);
	}
	return color;
}

void
log_set_before_print(void (*hook)(void))
{
	before_print = hook;
}

void
log_lock(void)
{
	pthread_mutex_lock(&out_lock);
	if (before_print)
		before_print();
}

void
log_unlock(void)
{
	fflush(stderr);
	pthread_mutex_unlock(&out_lock);
}

/*
 * Print one line; the trailing newlines and blanks of the message (libpq's
 * error messages end in one) are left off.
 */
static void
emit(enum log_level level, const char *label, const char *colour, const char *fmt, va_list ap)
{
	char small[1024];
	char *msg = small;
	size_t n;
	va_list ap2;
	int len;

	if (level < min_level)
		return;
	va_copy(ap2, ap);
	len = vsnprintf(small, sizeof(small), fmt, ap);
	if (len < 0)
		len = 0;
	if ((size_t) len >= sizeof(small)) {
		msg = malloc((size_t) len + 1);
		if (msg)
			vsnprintf(msg, (size_t) len + 1, fmt, ap2);
		else {
			msg = small;
			len = (int) sizeof(small) - 1;
		}
	}
	va_end(ap2);
	n = (size_t) len;
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	log_lock();
	if (label) {
		if (colour && log_color_enabled())
			fprintf(stderr, "%s: \033[%sm%s:\033[0m ", progname, colour, label);
		else
			fprintf(stderr, "%s: %s: ", progname, label);
	} else {
		fprintf(stderr, "%s: ", progname);
	}
	fprintf(stderr, "%.*s\n", (int) n, msg);
	log_unlock();
	if (msg != small)
		free(msg);
}

#define DEFINE_LOG(fn, level, label, colour) \
	void fn(const char *fmt, ...) \
	{ \
		va_list ap; \
		va_start(ap, fmt); \
		emit(level, label, colour, fmt, ap); \
		va_end(ap); \
	}

DEFINE_LOG(log_error, LOG_LEVEL_ERROR, "error", "01;31")
DEFINE_LOG(log_warning, LOG_LEVEL_WARNING, "warning", "01;33")
DEFINE_LOG(log_info, LOG_LEVEL_INFO, NULL, NULL)
DEFINE_LOG(log_verbose, LOG_LEVEL_VERBOSE, NULL, NULL)
DEFINE_LOG(log_debug, LOG_LEVEL_DEBUG, "debug", NULL)
DEFINE_LOG(log_detail, LOG_LEVEL_ERROR, "detail", NULL)
DEFINE_LOG(log_hint, LOG_LEVEL_ERROR, "hint", "01;36")

void
log_plain(const char *fmt, ...)
{
	va_list ap;

	if (min_level > LOG_LEVEL_INFO)
		return;
	log_lock();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	log_unlock();
}
