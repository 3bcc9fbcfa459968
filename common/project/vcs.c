/*
 * vcs.c — git information through the git command; see vcs.h.
 */
#include "project/vcs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/strbuf.h"

void
vcs_git_info(const char *dir, char **branch, char **commit)
{
	char *argv_branch[] = {"git", "symbolic-ref", "--quiet", "--short", "HEAD", NULL};
	char *argv_commit[] = {"git", "rev-parse", "--verify", "--quiet", "HEAD", NULL};

	*branch = *commit = NULL;
	if (!vcs_in_work_tree(dir))
		return;
	if (proc_capture(argv_branch, dir, 1024, branch, true) != 0 || (*branch && !**branch)) {
		free(*branch);
		*branch = NULL;
	}
	if (proc_capture(argv_commit, dir, 128, commit, true) != 0 || (*commit && !**commit)) {
		free(*commit);
		*commit = NULL;
	}
}

bool
vcs_in_work_tree(const char *dir)
{
	char *inside = NULL;
	char *argv_inside[] = {"git", "rev-parse", "--is-inside-work-tree", NULL};
	bool yes;

	/* quiet: a machine without git is not an error, and nothing is run */
	yes = proc_capture(argv_inside, dir, 64, &inside, true) == 0 && inside && strcmp(inside, "true") == 0;
	free(inside);
	return yes;
}

int
vcs_ignore_dir(const char *dir)
{
	static const char text[] = "# Snapshots hold the database: keep them out of git (db-snapshot).\n*\n";
	char *path;
	int fd, rc = 1;

	if (!vcs_in_work_tree(dir))
		return 0;
	path = xasprintf("%s/.gitignore", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST) {
			free(path);
			return 0;
		}
		log_warning("could not create \"%s\": %s", path, strerror(errno));
		free(path);
		return -1;
	}
	/* 0644 whatever the umask: git and the user read it, it holds no data */
	if (fchmod(fd, 0644) < 0 || fs_write_all(fd, text, sizeof(text) - 1) < 0 || fsync(fd) < 0) {
		log_warning("could not write \"%s\": %s", path, strerror(errno));
		rc = -1;
	}
	if (close(fd) < 0 && rc == 1) {
		log_warning("could not write \"%s\": %s", path, strerror(errno));
		rc = -1;
	}
	if (rc == 1)
		log_verbose("wrote \"%s\": the snapshot directory is inside a git work tree", path);
	free(path);
	return rc;
}
