/*
 * log.c — levels, program-name prefix, detail and hint lines; see log.h.
 */
#include "util/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/term.h"

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
 * vsnprintf into small, or into a malloc'd buffer when it does not fit (the
 * caller frees a result that is not small); sets *len.
 */
static char *
format_msg(char *small, size_t size, size_t *len, const char *fmt, va_list ap)
{
	char *msg = small;
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(small, size, fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t) n >= size) {
		msg = malloc((size_t) n + 1);
		if (msg)
			vsnprintf(msg, (size_t) n + 1, fmt, ap2);
		else {
			msg = small;
			n = (int) size - 1;
		}
	}
	va_end(ap2);
	*len = (size_t) n;
	return msg;
}

size_t
log_control_len(const char *s, size_t n)
{
	unsigned char c = (unsigned char) s[0];

	if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
		return 1;
	if (c == 0xc2 && n > 1 && (unsigned char) s[1] >= 0x80 && (unsigned char) s[1] <= 0x9f)
		return 2;
	return 0;
}

/*
 * Write text to stderr with its control characters shown as \xNN: names,
 * branches and server messages can come from an archive someone else made,
 * and must not move the cursor, recolour or retitle the terminal.
 */
static void
put_text(const char *s, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		size_t bad = log_control_len(s + i, n - i);

		if (!bad)
			continue;
		fwrite(s + run, 1, i - run, stderr);
		for (size_t k = 0; k < bad; k++)
			fprintf(stderr, "\\x%02x", (unsigned char) s[i + k]);
		i += bad - 1;
		run = i + 1;
	}
	fwrite(s + run, 1, n - run, stderr);
}

/* Columns a run of UTF-8 takes (continuation bytes take none). */
static size_t
text_width(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char) s[i] & 0xC0) != 0x80)
			w++;
	return w;
}

/*
 * put_text, with lines longer than the terminal (cols > 0) broken at a
 * blank and continued indent columns in; col is where the text starts.
 */
static void
put_wrapped(const char *s, size_t n, size_t col, size_t indent, int cols)
{
	size_t max = cols > 0 ? (size_t) cols - 1 : 0;

	if (max == 0 || indent + 20 > max) {
		put_text(s, n);
		return;
	}
	while (n > 0) {
		size_t line = 0, brk = 0, w = col;

		/* the longest piece up to a newline that fits, broken after a blank when it can */
		while (line < n && s[line] != '\n') {
			size_t cw = ((unsigned char) s[line] & 0xC0) != 0x80 ? 1 : 0;

			if (w + cw > max)
				break;
			w += cw;
			line++;
			if (s[line - 1] == ' ')
				brk = line;
		}
		if (line < n && s[line] != '\n' && brk > 0)
			line = brk;
		else if (line == 0)
			line = 1;
		put_text(s, line);
		s += line;
		n -= line;
		if (n > 0 && s[0] == '\n') {
			/* a newline of the text itself: the next line starts in column 0 */
			put_text(s, 1);
			s++;
			n--;
			col = 0;
			continue;
		}
		if (n > 0) {
			/* a break of ours: blanks at the break are left off, the rest indented */
			while (n > 0 && s[0] == ' ') {
				s++;
				n--;
			}
			fprintf(stderr, "\n%*s", (int) indent, "");
			col = indent;
		}
	}
}

/*
 * Where a plain line's value starts: after its label and the blanks that pad
 * it ("target      database ..."), else a small indent.
 */
static size_t
value_column(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] == ' ')
		i++;
	while (i + 1 < n && s[i] != '\n' && !(s[i] == ' ' && s[i + 1] == ' '))
		i++;
	if (i + 1 >= n || s[i] != ' ')
		return 2;
	while (i < n && s[i] == ' ')
		i++;
	return i < 40 ? text_width(s, i) : 2;
}

/*
 * Print one line; the trailing newlines and blanks of the message (libpq's
 * error messages end in one) are left off.
 */
static void
emit(enum log_level level, bool always, const char *label, const char *colour, const char *fmt,
    va_list ap)
{
	char small[1024];
	char *msg;
	size_t n, prefix;

	if (level < min_level && !always)
		return;
	msg = format_msg(small, sizeof(small), &n, fmt, ap);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	log_lock();
	if (label) {
		if (colour && log_color_enabled())
			fprintf(stderr, "%s: \033[%sm%s:\033[0m ", progname, colour, label);
		else
			fprintf(stderr, "%s: %s: ", progname, label);
		prefix = strlen(progname) + strlen(label) + 4;
	} else {
		fprintf(stderr, "%s: ", progname);
		prefix = strlen(progname) + 2;
	}
	put_wrapped(msg, n, prefix, 4, term_columns(STDERR_FILENO));
	fputc('\n', stderr);
	log_unlock();
	if (msg != small)
		free(msg);
}

#define DEFINE_LOG(fn, level, label, colour) \
	void fn(const char *fmt, ...) \
	{ \
		va_list ap; \
		va_start(ap, fmt); \
		emit(level, false, label, colour, fmt, ap); \
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
log_always(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (level >= LOG_LEVEL_ERROR)
		emit(level, true, "error", "01;31", fmt, ap);
	else if (level == LOG_LEVEL_WARNING)
		emit(level, true, "warning", "01;33", fmt, ap);
	else
		emit(level, true, NULL, NULL, fmt, ap);
	va_end(ap);
}

static void
plain(bool always, const char *fmt, va_list ap)
{
	char small[1024];
	char *msg;
	size_t n;

	if (min_level > LOG_LEVEL_INFO && !always)
		return;
	msg = format_msg(small, sizeof(small), &n, fmt, ap);
	log_lock();
	put_wrapped(msg, n, 0, value_column(msg, n), term_columns(STDERR_FILENO));
	log_unlock();
	if (msg != small)
		free(msg);
}

void
log_plain(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	plain(false, fmt, ap);
	va_end(ap);
}

void
log_plain_always(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	plain(true, fmt, ap);
	va_end(ap);
}
