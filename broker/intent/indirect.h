/* indirect.h -- programs named by the environment or by git's
 * configuration (issue #13 item 5).
 *
 * tables/hooks says which variables (PAGER, GIT_SSH_COMMAND, LD_PRELOAD,
 * BASH_ENV, NODE_OPTIONS, ...) and git configuration keys (core.pager,
 * core.sshCommand, alias.*, diff.external, filter.*.clean, ...) make a
 * program run another program, and how their value names it.  hook_assign()
 * weighs one assignment (PAGER=less in front of a command, env PAGER=less,
 * export PAGER=less, git -c core.pager=less, git --config-env=KEY=VAR) and
 * hands the program the value names back to the walker, which analyses it as
 * a command (cmd) or a path that is run (prog, file, dir, lib, ...).  A value
 * known only at run time is hook-opaque (60, high): a program nobody can see
 * runs.  A hook that starts a shell or an interpreter is shell-arg (60). */
#ifndef SG_INDIRECT_H
#define SG_INDIRECT_H

#include <stdbool.h>
#include <stddef.h>

#include "broker/intent/intent.h"
#include "broker/intent/tables.h"

struct hook_ops {
	struct intent_ctx *x;
	const struct tables *t;
	int ci;       /* the command the assignment belongs to */
	void *ctx;    /* the walker's */
	/* analyse s[0..n) as a shell command line the hook runs */
	void (*script)(void *ctx, const char *s, size_t n);
	/* s[0..n) is a path the hook runs or loads code from */
	void (*run)(void *ctx, const char *s, size_t n);
};

/* NAME=VALUE (git: a git configuration KEY=VALUE): 1 if NAME is a hook (it
 * was weighed and its value analysed), 0 if not, -1 on out of memory.
 * opaque: the value is known only at run time.  part: the text to point at. */
int hook_assign(const struct hook_ops *ops, bool git, const char *name, size_t nl, const char *val, size_t vn,
    bool opaque, const char *part, size_t partlen);

/* git -c KEY=VALUE, -cKEY=VALUE, --config-env=KEY=VAR: one configuration
 * word of git (the option's value), split and weighed as hook_assign does.
 * from_env: the value names an environment variable (--config-env), so it
 * is opaque. */
int hook_git_config(const struct hook_ops *ops, const char *s, size_t n, bool opaque, bool from_env);

/* alias NAME=BODY on command ci: later commands named NAME run BODY (the
 * body itself is walked as a nested command by the caller).  A NAME the
 * tables know as a program or wrapper is alias-shadow (40), any other
 * alias-define (25): medium either way. */
void wk_alias_defined(struct intent_ctx *x, int ci, const char *name, size_t nl, const char *part, size_t partlen);

#endif
