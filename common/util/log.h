/*
 * log.h — the one place the library and the tools print messages for people.
 *
 * Messages go to stderr, prefixed with the program name, lowercase, no final
 * period (PostgreSQL's common/logging.h style).  Library code reports errors
 * here and returns a status; only tools/ turn statuses into exit codes.
 * Output is serialised with a mutex so worker threads can log, and the
 * progress bar (progress.h) is cleared before a message is printed.
 */
#ifndef DBT_LOG_H
#define DBT_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level {
	LOG_LEVEL_DEBUG = 0,
	LOG_LEVEL_VERBOSE,
	LOG_LEVEL_INFO,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_ERROR,
	LOG_LEVEL_SILENT,
};

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))

void log_init(const char *progname);
const char *log_progname(void);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
bool log_color_enabled(void);

void log_error(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warning(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_verbose(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
/* Continuation lines for the previous error: "DETAIL: ..." and "HINT: ...". */
void log_detail(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_hint(const char *fmt, ...) LOG_PRINTF(1, 2);
/* Plain text for people on stderr, no prefix (summaries, prompts). */
void log_plain(const char *fmt, ...) LOG_PRINTF(1, 2);
/*
 * The same, whatever the level set: what a question is about is shown even
 * with -q.  log_always prints a message of level's kind (error, warning,
 * info) that way.
 */
void log_plain_always(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_always(enum log_level level, const char *fmt, ...) LOG_PRINTF(2, 3);

/*
 * Everything printed here shows control characters as \xNN, so that text
 * from an archive someone else made cannot drive the terminal.  This gives
 * the length of the control character at s (n > 0 bytes left): 1, or 2 for
 * the UTF-8 form of a C1 control (U+0080 to U+009F); 0 when s does not
 * start with one.  Newline and tab are not counted.
 */
size_t log_control_len(const char *s, size_t n);

/* Called with the output lock held before any line is printed (progress bar clears itself). */
void log_set_before_print(void (*hook)(void));
void log_lock(void);
void log_unlock(void);

#endif
