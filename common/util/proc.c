/*
 * proc.c — child processes; see proc.h.
 */
#define _GNU_SOURCE
#include "util/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/strbuf.h"

extern char **environ;

static int
tmp_fd(void)
{
	char *path = xasprintf("%s/db-tools-XXXXXX", fs_temp_dir());
	int fd = mkstemp(path);

	if (fd >= 0)
		unlink(path);
	free(path);
	return fd;
}

/* Our environment plus env_add; entries of env_add replace same-named ones. */
static char **
build_env(char *const env_add[])
{
	size_t n = 0, m = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	while (env_add && env_add[m])
		m++;
	env = xcalloc(n + m + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		bool replaced = false;

		for (size_t j = 0; j < m; j++) {
			size_t len = strcspn(env_add[j], "=");

			if (strncmp(environ[i], env_add[j], len) == 0 && environ[i][len] == '=')
				replaced = true;
		}
		if (!replaced)
			env[k++] = environ[i];
	}
	for (size_t j = 0; j < m; j++)
		env[k++] = env_add[j];
	env[k] = NULL;
	return env;
}

/* proc_start; quiet: a program that cannot be run is not an error to log (a probe) */
static int
spawn(proc *p, char *const argv[], char *const env_add[], const char *cwd, bool quiet)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	int pipefd[2];
	char **env;
	int rc;

	p->pid = -1;
	p->out_fd = p->err_fd = -1;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		log_error("could not create a pipe: %s", strerror(errno));
		return -1;
	}
	p->err_fd = tmp_fd();
	if (p->err_fd < 0) {
		log_error("could not create a temporary file: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, p->err_fd, STDERR_FILENO);
	if (cwd)
		posix_spawn_file_actions_addchdir_np(&fa, cwd);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	/* its own process group, so that stopping it reaches whatever it started too */
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
	env = build_env(env_add);
	rc = posix_spawnp(&p->pid, argv[0], &fa, &attr, argv, env);
	free(env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(pipefd[1]);
	if (rc != 0) {
		if (!quiet)
			log_error("could not run \"%s\": %s", argv[0], strerror(rc));
		close(pipefd[0]);
		close(p->err_fd);
		p->err_fd = -1;
		p->pid = -1;
		return -1;
	}
	p->out_fd = pipefd[0];
	intr_register_child(p->pid);
	return 0;
}

int
proc_start(proc *p, char *const argv[], char *const env_add[], const char *cwd)
{
	return spawn(p, argv, env_add, cwd, false);
}

int
proc_wait(proc *p)
{
	int status;

	if (p->out_fd >= 0) {
		close(p->out_fd);
		p->out_fd = -1;
	}
	if (p->pid <= 0)
		return -1;
	while (waitpid(p->pid, &status, 0) < 0) {
		if (errno != EINTR) {
			log_error("could not wait for child process: %s", strerror(errno));
			return -1;
		}
	}
	intr_unregister_child(p->pid);
	p->pid = -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

char *
proc_stderr(proc *p, size_t limit)
{
	strbuf sb;
	char buf[4096];
	ssize_t n;

	sb_init(&sb);
	if (p->err_fd >= 0 && lseek(p->err_fd, 0, SEEK_SET) == 0) {
		while (sb.len < limit && (n = read(p->err_fd, buf, sizeof(buf))) > 0)
			sb_append_len(&sb, buf, (size_t) n);
	}
	if (sb.len > limit) {
		sb.len = limit;
		sb.data[limit] = '\0';
	}
	while (sb.len > 0 && (sb.data[sb.len - 1] == '\n' || sb.data[sb.len - 1] == '\r'))
		sb.data[--sb.len] = '\0';
	return sb_steal(&sb);
}

void
proc_close(proc *p)
{
	if (p->out_fd >= 0)
		close(p->out_fd);
	if (p->err_fd >= 0)
		close(p->err_fd);
	p->out_fd = p->err_fd = -1;
	if (p->pid > 0) {
		kill(-p->pid, SIGTERM);
		(void) proc_wait(p);
	}
}

int
proc_capture(char *const argv[], const char *cwd, size_t limit, char **out, bool quiet)
{
	proc p;
	strbuf sb;
	char buf[4096];
	ssize_t n;
	int status;

	*out = NULL;
	status = spawn(&p, argv, NULL, cwd, quiet);
	if (status < 0)
		return -1;
	sb_init(&sb);
	while ((n = read(p.out_fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (sb.len < limit)
			sb_append_len(&sb, buf, (size_t) n);
	}
	status = proc_wait(&p);
	proc_close(&p);
	while (sb.len > 0 && (sb.data[sb.len - 1] == '\n' || sb.data[sb.len - 1] == '\r'))
		sb.data[--sb.len] = '\0';
	if (status == 0)
		*out = sb_steal(&sb);
	else
		sb_free(&sb);
	return status;
}
