/* projdel.c -- recursive deletes of the project itself (see projdel.h). */
#include "broker/intent/projdel.h"

#include <string.h>

#include "broker/intent/globclass.h"

/* "*", "**", "*.*": every entry of a directory but its dot entries. */
static bool
all_glob(const char *s, size_t n)
{
	return (n == 1 && s[0] == '*') || (n == 2 && memcmp(s, "**", 2) == 0) || (n == 3 && memcmp(s, "*.*", 3) == 0);
}

/* A glob that matches ".git" (".*", ".[!.]*", ".??*", ".g*"). */
static bool
dot_glob(const char *s, size_t n)
{
	char pat[256];

	if (n == 0 || n >= sizeof pat || s[0] != '.' || !glob_has_wild(s, n))
		return false;
	memcpy(pat, s, n);
	pat[n] = '\0';
	return glob_match(pat, ".git", 4, false);
}

/* Is there already a recursive delete of DIR/<one of the other kind> on
 * command i?  (rm -rf * .*: both halves of the workspace.) */
static bool
other_half(struct intent_ctx *x, int i, const char *dir, size_t dl, bool want_dot)
{
	const struct intent_cmd *c = wk_cmd_at(x, i);

	for (size_t k = 0; c != NULL && k < c->ntargets; k++) {
		const struct intent_target *t = &c->targets[k];
		const char *p = t->path, *rest;
		size_t rl;

		if (t->eff != EFF_DELETE_RECURSIVE || p == NULL || strncmp(p, dir, dl) != 0 || p[dl] != '/')
			continue;
		rest = p + dl + 1;
		rl = strlen(rest);
		if (want_dot ? dot_glob(rest, rl) : all_glob(rest, rl))
			return true;
	}
	return false;
}

/* The tables/dirs row for a path under the workspace (rel[0..n)), also
 * for DIR/STAR (every entry of DIR is DIR's content). */
static const struct projpat *
row_for(const struct tables *t, const char *rel, size_t n)
{
	const struct projpat *pp = tables_project(t, rel, n);

	if (pp == NULL && n > 2 && memcmp(rel + n - 2, "/*", 2) == 0)
		pp = tables_project(t, rel, n - 2);
	return pp;
}

enum pclass
wk_projdel(struct walk *w, int i, const struct rword *r, const char *path, enum pclass cls, enum effect eff)
{
	struct intent_ctx *x = w->x;
	const char *ws = x->in->workspace, *rel;
	size_t wl = x->wslen, pl, rn;
	const struct projpat *pp;
	bool glob;

	/* (a plain delete too: shutil.rmtree and unlink-alls of inline code are
	 * deletes; rm without -r of a directory fails, rm -f STAR empties the root) */
	if ((eff != EFF_DELETE_RECURSIVE && eff != EFF_DELETE) || ws == NULL || wl <= 1 || path == NULL ||
	    (cls != PC_WORKSPACE && cls != PC_WORKSPACE_ROOT))
		return cls;
	pl = strlen(path);
	if (pl <= wl + 1 || memcmp(path, ws, wl) != 0 || path[wl] != '/')
		return cls; /* the workspace root itself: delete-recursive:workspace-root */
	rel = path + wl + 1;
	rn = pl - wl - 1;
	/* (not find's DIR-and-below pattern: what find finds is judged by its tests) */
	glob = (r->f & (RW_GLOB | RW_TOOLGLOB)) && !(r->f & RW_SYNGLOB) && glob_has_wild(rel, rn);
	if (glob && memchr(rel, '/', rn) == NULL && (all_glob(rel, rn) || dot_glob(rel, rn))) {
		bool dot = dot_glob(rel, rn);

		/* what is in the workspace, not the workspace: its own rule says how much */
		intent_signal(x, i, dot && eff == EFF_DELETE_RECURSIVE ? "delete-project-vcs" : "delete-project-all", r->s,
		    r->n);
		if (eff == EFF_DELETE_RECURSIVE && other_half(x, i, ws, wl, !dot))
			intent_signal(x, i, "delete-project-whole", r->s, r->n);
		return PC_WORKSPACE;
	}
	if (cls != PC_WORKSPACE || (pp = row_for(x->t, rel, rn)) == NULL)
		return cls;
	if (pp->kind == PJ_VCS)
		intent_signal(x, i, "delete-project-vcs", r->s, r->n);
	else if (pp->kind == PJ_SOURCE)
		intent_signal(x, i, "delete-project-src", r->s, r->n);
	return cls;
}
