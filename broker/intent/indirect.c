/* indirect.c -- programs named by the environment or git's configuration
 * (indirect.h). */
#include "broker/intent/indirect.h"
#include "broker/intent/walk.h"

#include <string.h>

static bool
word_in(const char *s, size_t n, const char *const *v, size_t nv)
{
	for (size_t k = 0; k < nv; k++)
		if (strlen(v[k]) == n && strncasecmp(v[k], s, n) == 0)
			return true;
	return false;
}

/* Run each part of a list of paths (a:b:c or "a b"). */
static void
run_parts(const struct hook_ops *ops, const char *s, size_t n, const char *seps)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;

		while (j < n && strchr(seps, s[j]) == NULL)
			j++;
		if (j > i)
			ops->run(ops->ctx, s + i, j - i);
		i = j + 1;
	}
}

/* Option words of an interpreter (NODE_OPTIONS='--require /tmp/x.js'):
 * paths among them are code it loads. */
static void
run_opts(const struct hook_ops *ops, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i, b;

		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		j = i;
		while (j < n && s[j] != ' ' && s[j] != '\t')
			j++;
		b = i;
		/* --require=PATH, -r PATH, -Mmodule */
		for (size_t q = i; q < j; q++)
			if (s[q] == '=') {
				b = q + 1;
				break;
			}
		if (j > b && s[b] != '-' && (memchr(s + b, '/', j - b) != NULL || s[b] == '.' || s[b] == '~'))
			ops->run(ops->ctx, s + b, j - b);
		i = j;
	}
}

static int
nested(const struct hook_ops *ops, const char *s, size_t n, const char *part, size_t partlen)
{
	struct intent *in = intent_get(ops->x);
	size_t before = in->ncmds;

	ops->script(ops->ctx, s, n);
	/* the hook holds a shell or an interpreter */
	for (size_t j = before; j < in->ncmds; j++)
		if (intent_cmd(in, j)->classes & (PCL(SHELL) | PCL(INTERP)))
			return intent_signal(ops->x, ops->ci, "shell-arg", part, partlen);
	return 0;
}

int
hook_assign(const struct hook_ops *ops, bool git, const char *name, size_t nl, const char *val, size_t vn,
    bool opaque, const char *part, size_t partlen)
{
	static const char *const boolean[] = { "true", "false", "yes", "no", "on", "off", "0", "1", "" };
	const struct hookpat *h = tables_hook(ops->t, name, nl, git);
	struct intent_ctx *x = ops->x;
	int ci = ops->ci;

	if (h == NULL)
		return 0;
	if (h->kind == HK_BOOL && !opaque && word_in(val, vn, boolean, sizeof boolean / sizeof boolean[0]))
		return 1;
	if (h->kind == HK_ALIAS && !opaque && (vn == 0 || val[0] != '!')) {
		/* alias.st=status: a git command; credential.helper=store: a helper of git's own */
		if (memchr(val, '/', vn) != NULL)
			ops->run(ops->ctx, val, vn);
		return 1;
	}
	intent_add_effect(x, ci, EFF_EXEC);
	if (h->kind == HK_LIB) {
		if (intent_signal(x, ci, "ld-preload", part, partlen) < 0)
			return -1;
	} else if (h->kind == HK_LIBDIR) {
		if (intent_signal(x, ci, "hook-libdir", part, partlen) < 0)
			return -1;
	} else if (!git && intent_signal(x, ci, "env-exec", part, partlen) < 0) {
		return -1;
	}
	if (opaque)
		return intent_signal(x, ci, "hook-opaque", part, partlen) < 0 ? -1 : 1;
	switch (h->kind) {
	case HK_CMD:
	case HK_PROG:
	case HK_BOOL:
		if (vn > 0 && nested(ops, val, vn, part, partlen) < 0)
			return -1;
		break;
	case HK_ALIAS:
		if (vn > 1 && nested(ops, val + 1, vn - 1, part, partlen) < 0)
			return -1;
		break;
	case HK_FILE:
	case HK_DIR:
		if (vn > 0)
			ops->run(ops->ctx, val, vn);
		break;
	case HK_LIB:
		run_parts(ops, val, vn, ": ");
		break;
	case HK_LIBDIR:
		run_parts(ops, val, vn, ":");
		break;
	case HK_OPTS:
		run_opts(ops, val, vn);
		break;
	case HK_CFG:
		break;
	}
	return intent_get(x) == NULL ? -1 : 1;
}

int
hook_git_config(const struct hook_ops *ops, const char *s, size_t n, bool opaque, bool from_env)
{
	const char *eq = memchr(s, '=', n);

	if (eq == NULL) /* git -c core.fsmonitor: a boolean true */
		return 0;
	return hook_assign(ops, true, s, (size_t)(eq - s), eq + 1, n - (size_t)(eq + 1 - s), opaque || from_env, s,
	    n);
}

void
wk_alias_defined(struct intent_ctx *x, int ci, const char *name, size_t nl, const char *part, size_t partlen)
{
	const struct tables *t = x->t;
	char nm[128];

	if (nl == 0 || nl >= sizeof nm)
		return;
	memcpy(nm, name, nl);
	nm[nl] = '\0';
	intent_signal(x, ci, tables_prog(t, nm) != NULL || tables_wrapper(t, nm) != NULL ? "alias-shadow" : "alias-define",
	    part, partlen);
}
