/*
 * vcs.h — the git branch and commit of the working directory, when it is
 * inside a git work tree (recorded in the .meta, used as the default name).
 */
#ifndef DBT_VCS_H
#define DBT_VCS_H

/* Both out-parameters are caller-owned or NULL (not in a work tree, no git). */
void vcs_git_info(const char *dir, char **branch, char **commit);

#endif
