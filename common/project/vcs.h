/*
 * vcs.h — the git branch and commit of the working directory, when it is
 * inside a git work tree (recorded in the .meta, used as the default name).
 */
#ifndef DBT_VCS_H
#define DBT_VCS_H

#include <stdbool.h>

/* Both out-parameters are caller-owned or NULL (not in a work tree, no git). */
void vcs_git_info(const char *dir, char **branch, char **commit);
/* Whether dir is inside a git work tree (false when git is not installed). */
bool vcs_in_work_tree(const char *dir);
/*
 * For a snapshot directory just made: when it is inside a git work tree,
 * write dir/.gitignore holding "*" (as Python's venv does), mode 0644,
 * unless one exists, so that the snapshots, which hold the database, are
 * never offered to "git add".  Returns 1 when written, 0 when not needed,
 * -1 after a warning.
 */
int vcs_ignore_dir(const char *dir);

#endif
