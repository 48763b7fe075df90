/* moveout.c -- mv takes its sources out of where they were.
 *
 * `mv src /tmp/`, `mv .git /tmp/`, `mv * ../new`: moving a file out of the
 * workspace removes it from the workspace as surely as `rm -r` does (and /tmp
 * is emptied on reboot).  When mv's destination (the last argument, or
 * -t/--target-directory) is outside the workspace, each source is also a
 * recursive delete of itself, so the delete families judge it (a source
 * tree, .git, every entry of the workspace, the workspace itself).  A move
 * within the workspace is a rename and stays what the table says (writes).
 * A destination known only at run time is left to the table's write.
 */
#include "broker/intent/walk.h"

#include <string.h>

/* Is the normalised path p (length n) the workspace or under it? */
static bool
in_workspace(const struct intent_ctx *x, const char *p, size_t n)
{
	const char *ws = x->in->workspace;
	size_t wl = x->wslen;

	if (ws == NULL || wl == 0 || n < wl || memcmp(p, ws, wl) != 0)
		return false;
	return n == wl || p[wl] == '/' || wl == 1;
}

void
wk_h_move(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct args *a = an->a;
	const struct rword *dest = wk_opt_value(a, "-t");
	size_t nsrc = a->npos, dl = 0;
	const char *dp;

	if (dest == NULL)
		dest = wk_opt_value(a, "--target-directory");
	if (dest == NULL) {
		if (a->npos < 2)
			return;
		dest = a->pos[a->npos - 1];
		nsrc = a->npos - 1;
	}
	if (dest->unk_at != SIZE_MAX || dest->n == 0 || an->w->cwd == NULL || x->in->workspace == NULL)
		return;
	if ((dp = wk_norm_path(x, an->w->cwd, dest->s, dest->n, &dl)) == NULL || in_workspace(x, dp, dl))
		return;
	for (size_t k = 0; k < nsrc; k++)
		wk_add_target(an->w, an->ci, a->pos[k], EFF_DELETE_RECURSIVE);
}
