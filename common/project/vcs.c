/*
 * vcs.c — git information through the git command; see vcs.h.
 */
#include "project/vcs.h"

#include <stdlib.h>
#include <string.h>

#include "util/proc.h"

void
vcs_git_info(const char *dir, char **branch, char **commit)
{
	char *inside = NULL;
	char *argv_inside[] = {"git", "rev-parse", "--is-inside-work-tree", NULL};
	char *argv_branch[] = {"git", "symbolic-ref", "--quiet", "--short", "HEAD", NULL};
	char *argv_commit[] = {"git", "rev-parse", "--verify", "--quiet", "HEAD", NULL};

	*branch = *commit = NULL;
	if (proc_capture(argv_inside, dir, 64, &inside, true) != 0 || !inside ||
	    strcmp(inside, "true") != 0) {
		free(inside);
		return;
	}
	free(inside);
	if (proc_capture(argv_branch, dir, 1024, branch, true) != 0 || (*branch && !**branch)) {
		free(*branch);
		*branch = NULL;
	}
	if (proc_capture(argv_commit, dir, 128, commit, true) != 0 || (*commit && !**commit)) {
		free(*commit);
		*commit = NULL;
	}
}
