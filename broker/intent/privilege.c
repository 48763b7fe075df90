/* privilege.c -- privilege: sudo-like wrappers judged by what runs, and environment
 * assignments that act as hooks (LD_PRELOAD, PATH, ...).
 * Part of the intent walker: see walk.h and intent.h. */
#include "broker/intent/pathvar.h"
#include "broker/intent/walk.h"
#include "broker/intent/fsresolve.h"
#include "broker/intent/globclass.h"
#include "broker/intent/codepaths.h"
#include "broker/intent/selfref.h"
#include "broker/intent/reqfiles.h"
#include "broker/intent/indirect.h"
#include "broker/intent/privwrap.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The walker's side of a hook (indirect.h): what its value runs. */
struct hook_walk {
	struct walk *w;
	int ci;
	const struct rword *val;
};

static void
hook_script(void *ctx, const char *s, size_t n)
{
	struct hook_walk *hw = ctx;

	wk_nested_script(hw->w, hw->ci, s, n, "env", NULL);
}

static void
hook_run(void *ctx, const char *s, size_t n)
{
	struct hook_walk *hw = ctx;
	struct rword r = *hw->val;

	r.s = s;
	r.n = n;
	r.w = NULL;
	wk_add_target(hw->w, hw->ci, &r, EFF_RUN);
}

/* NAME=VALUE (git: a git configuration KEY=VALUE) when NAME is a hook of
 * tables/hooks: 1, 0 if not, -1 on out of memory. */
int
wk_hook_word(struct walk *w, int ci, const struct rword *r, bool git, bool from_env)
{
	struct hook_walk hw = { w, ci, r };
	struct hook_ops ops = { w->x, w->x->t, ci, &hw, hook_script, hook_run };
	bool opaque = r->unk_at != SIZE_MAX || (r->f & (RW_UNKNOWN | RW_SUBST));
	const char *eq = memchr(r->s, '=', r->n);
	size_t nl;

	if (git)
		return hook_git_config(&ops, r->s, r->n, opaque, from_env);
	if (eq == NULL)
		return 0;
	nl = (size_t)(eq - r->s);
	if (nl > 0 && r->s[nl - 1] == '+')
		nl--;
	if (opaque && r->unk_at != SIZE_MAX && r->unk_at <= nl)
		return 0;
	return hook_assign(&ops, false, r->s, nl, eq + 1, r->n - (size_t)(eq + 1 - r->s), opaque, r->s, r->n);
}

/* Environment assignments in front of a command (or after env). */
void
wk_env_assignment(struct walk *w, int ci, const struct rword *r)
{
	struct intent_ctx *x = w->x;
	const char *eq = memchr(r->s, '=', r->n);
	size_t nl;

	if (eq == NULL)
		return;
	nl = (size_t)(eq - r->s);
	if (nl > 0 && r->s[nl - 1] == '+')
		nl--;
	if (nl == 4 && memcmp(r->s, "PATH", 4) == 0) {
		wk_path_var(w, ci, r); /* pathvar.c: which directories it puts first */
		return;
	}
	if (nl == 3 && memcmp(r->s, "IFS", 3) == 0) {
		intent_signal(x, ci, "obf-ifs", r->s, r->n);
		return;
	}
	/* PAGER, GIT_SSH_COMMAND, LD_PRELOAD, ...: tables/hooks */
	if (wk_hook_word(w, ci, r, false, false) < 0)
		wk_oomf(x);
}

/* Privilege from sudo-like wrappers, judged by what runs (privwrap.h). */
void
wk_privilege(struct an *an, const char *user, int as)
{
	struct intent_ctx *x = an->w->x;
	uint64_t cls = an->pg != NULL ? an->pg->classes : 0;

	intent_add_effect(x, an->ci, EFF_PRIVILEGE);
	wk_sig(x, an->ci, privwrap_rule(as, user,
	                      (cls & (PCL(ADMIN) | PCL(POWER))) && !(cls & (PCL(SHELL) | PCL(INTERP)))));
}
