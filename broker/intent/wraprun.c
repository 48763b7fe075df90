/* wraprun.c -- a program from outside run through a wrapper (wraprun.h). */
#include "broker/intent/wraprun.h"

void
wk_wrapped_outside(struct intent_ctx *x, int ci, const struct prog *pg, size_t vialen, const struct rword *r)
{
	const struct intent_cmd *c = intent_cmd(x->in, (size_t)ci);
	enum pclass cls;

	if (vialen == 0 || pg != NULL || c == NULL || c->ntargets == 0 || c->targets[c->ntargets - 1].eff != EFF_RUN)
		return;
	cls = c->targets[c->ntargets - 1].cls;
	if (cls == PC_OUTSIDE || cls == PC_TMP || cls == PC_UNKNOWN)
		intent_signal(x, ci, "wrap-run-outside", r->s, r->n);
}
