/* privilege.c -- privilege: sudo-like wrappers judged by what runs, and environment
 * assignments that act as hooks (LD_PRELOAD, PATH, ...).
 * Part of the intent walker: see walk.h and intent.h. */
#include "broker/intent/walk.h"
#include "broker/intent/fsresolve.h"
#include "broker/intent/globclass.h"
#include "broker/intent/codepaths.h"
#include "broker/intent/selfref.h"
#include "broker/intent/reqfiles.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Environment assignments in front of a command (or after env). */
void
wk_env_assignment(struct walk *w, int ci, const struct rword *r)
{
	static const char *const exec_vars[] = { "PAGER", "GIT_PAGER", "MANPAGER", "EDITOR", "VISUAL",
		"GIT_EDITOR", "GIT_SSH_COMMAND", "GIT_SSH", "GIT_ASKPASS", "SSH_ASKPASS", "SUDO_ASKPASS",
		"BASH_ENV", "ENV", "PROMPT_COMMAND", "PERL5OPT", "PYTHONSTARTUP", "NODE_OPTIONS", "LESSOPEN",
		"LESSCLOSE", "RUBYOPT", "GIT_EXTERNAL_DIFF", "GIT_PROXY_COMMAND", "GIT_CONFIG_PARAMETERS",
		"GIT_CONFIG_GLOBAL", "PERL5DB", "PYTHONINSPECT" };
	struct intent_ctx *x = w->x;
	const char *eq = memchr(r->s, '=', r->n);
	size_t nl;

	if (eq == NULL)
		return;
	nl = (size_t)(eq - r->s);
	if (nl > 0 && r->s[nl - 1] == '+')
		nl--;
	if ((nl == 10 && memcmp(r->s, "LD_PRELOAD", 10) == 0) || (nl == 8 && memcmp(r->s, "LD_AUDIT", 8) == 0) ||
	    (nl == 21 && memcmp(r->s, "DYLD_INSERT_LIBRARIES", 21) == 0)) {
		intent_signal(x, ci, "ld-preload", r->s, r->n);
		intent_add_effect(x, ci, EFF_EXEC);
		return;
	}
	if (nl == 4 && memcmp(r->s, "PATH", 4) == 0) {
		intent_signal(x, ci, "path-override", r->s, r->n);
		return;
	}
	if (nl == 3 && memcmp(r->s, "IFS", 3) == 0) {
		intent_signal(x, ci, "obf-ifs", r->s, r->n);
		return;
	}
	for (size_t k = 0; k < sizeof exec_vars / sizeof exec_vars[0]; k++)
		if (strlen(exec_vars[k]) == nl && memcmp(r->s, exec_vars[k], nl) == 0) {
			size_t before = x->in->ncmds;

			intent_signal(x, ci, "env-exec", r->s, r->n);
			if ((size_t)(eq + 1 - r->s) < r->n)
				wk_nested_script(w, ci, eq + 1, r->n - (size_t)(eq + 1 - r->s), "env", NULL);
			/* the variable holds a shell or an interpreter */
			for (size_t j = before; j < x->in->ncmds; j++)
				if (intent_cmd(x->in, j)->classes & (PCL(SHELL) | PCL(INTERP))) {
					intent_signal(x, ci, "shell-arg", r->s, r->n);
					break;
				}
			return;
		}
}

/* Privilege from sudo-like wrappers, judged by what runs. */
void
wk_privilege(struct an *an, const char *user)
{
	struct intent_ctx *x = an->w->x;
	uint64_t cls = an->pg != NULL ? an->pg->classes : 0;

	intent_add_effect(x, an->ci, EFF_PRIVILEGE);
	if (user != NULL && strcmp(user, "root") != 0 && strcmp(user, "0") != 0)
		wk_sig(x, an->ci, "priv-user");
	else if ((cls & (PCL(ADMIN) | PCL(POWER))) && !(cls & (PCL(SHELL) | PCL(INTERP))))
		wk_sig(x, an->ci, "priv-routine");
	else
		wk_sig(x, an->ci, "priv-root");
}
