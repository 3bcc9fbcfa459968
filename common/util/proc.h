/*
 * proc.h — child processes (pg_dump, git): spawn with extra environment,
 * read their stdout as a stream, keep their stderr for the error message.
 */
#ifndef DBT_PROC_H
#define DBT_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct proc {
	pid_t pid;
	int out_fd;      /* read end of the child's stdout, -1 when closed */
	int err_fd;      /* unlinked temporary file holding the child's stderr */
} proc;

/*
 * Start argv[0] (searched in PATH) with env_add ("NAME=value" strings,
 * NULL-terminated, may be NULL) added to our environment, stdin from
 * /dev/null, in a process group of its own (proc_close and interrupts signal
 * the whole group).  When cwd is non-NULL the child runs there.  Returns 0 or -1
 * after logging.
 */
int proc_start(proc *p, char *const argv[], char *const env_add[], const char *cwd);
/*
 * Wait for the child.  Returns its exit status (0..255), or 128+signal, or
 * -1 on a wait error.  Closes out_fd.
 */
int proc_wait(proc *p);
/* Copy of what the child wrote on stderr (at most limit bytes, trailing newlines trimmed). */
char *proc_stderr(proc *p, size_t limit);
void proc_close(proc *p);

/*
 * Run a short command and capture its stdout (up to limit bytes, trailing
 * newline trimmed).  Returns the exit status as proc_wait; *out is NULL unless 0.
 */
int proc_capture(char *const argv[], const char *cwd, size_t limit, char **out, bool quiet);

#endif
