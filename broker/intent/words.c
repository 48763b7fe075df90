/* words.c -- resolving words: variables, parameter expansion, command substitutions
 * and brace expansion.
 * Part of the intent walker: see walk.h and intent.h. */
#include "broker/intent/promptexp.h"
#include "broker/intent/walk.h"
#include "broker/intent/fsresolve.h"
#include "broker/intent/globclass.h"
#include "broker/intent/codepaths.h"
#include "broker/intent/selfref.h"
#include "broker/intent/reqfiles.h"
#include "broker/intent/secrets.h"
#include "broker/intent/substlit.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define VAR_MAX 4096

static struct var *
var_get(struct intent_ctx *x, const char *name, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t k = 0; k < n; k++)
		h = (h ^ (unsigned char)name[k]) * 16777619u;
	for (struct var *v = x->vars[h % VAR_BUCKETS]; v != NULL; v = v->next)
		if (strlen(v->name) == n && memcmp(v->name, name, n) == 0)
			return v;
	return NULL;
}

/* The RW_* flags of the value a variable the script set holds; 0 when unset. */
unsigned
wk_var_flags(struct intent_ctx *x, const char *name, size_t n)
{
	const struct var *v = var_get(x, name, n);

	return v != NULL ? v->flags : 0;
}

void
wk_var_set(struct intent_ctx *x, const char *name, size_t n, const char *val, size_t vlen, unsigned flags)
{
	uint32_t h = 2166136261u;
	struct var *v = var_get(x, name, n);

	if (v == NULL) {
		if (x->nvars >= VAR_MAX)
			return;
		for (size_t k = 0; k < n; k++)
			h = (h ^ (unsigned char)name[k]) * 16777619u;
		v = arena_zalloc(x->a, sizeof *v);
		if (v == NULL || (v->name = wk_xdup(x, name, n)) == NULL) {
			wk_oomf(x);
			return;
		}
		v->next = x->vars[h % VAR_BUCKETS];
		x->vars[h % VAR_BUCKETS] = v;
		x->nvars++;
	}
	if (vlen > 4096) {
		vlen = 4096;
		flags |= RW_UNKNOWN;
	}
	v->val = wk_xdup(x, val, vlen);
	v->vlen = v->val != NULL ? vlen : 0;
	v->flags = flags;
}

static bool
buf_put(struct intent_ctx *x, const char *s, size_t n, bool splittable)
{
	if (n == 0)
		return true;
	if (x->blen + n > (size_t)16 << 20)
		return false;
	if (x->blen + n > x->bcap) {
		size_t nc = x->bcap ? x->bcap : 256;
		char *nb;
		unsigned char *ns;

		while (nc < x->blen + n)
			nc *= 2;
		nb = realloc(x->buf, nc);
		if (nb == NULL)
			return wk_oomf(x);
		x->buf = nb;
		ns = realloc(x->split, nc);
		if (ns == NULL)
			return wk_oomf(x);
		x->split = ns;
		x->bcap = nc;
	}
	memcpy(x->buf + x->blen, s, n);
	memset(x->split + x->blen, splittable, n);
	x->blen += n;
	return true;
}

bool
wk_rvec_push(struct intent_ctx *x, struct rvec *v, const struct rword *r)
{
	struct rword *nv = arena_grow(x->tmp, v->v, v->n, &v->cap, sizeof *nv);

	if (nv == NULL)
		return wk_oomf(x);
	v->v = nv;
	v->v[v->n++] = *r;
	return true;
}

/* What a substitution's commands say about its output. */
static unsigned
subst_traits(struct intent_ctx *x, size_t from)
{
	unsigned f = 0;

	for (size_t k = from; k < x->in->ncmds; k++) {
		const struct intent_cmd *c = intent_cmd(x->in, k);

		if ((c->effects & ((uint64_t)1 << EFF_DOWNLOAD)) ||
		    ((c->classes & PCL(DOWNLOAD)) && c->nhosts > 0))
			f |= RW_DL;
		if (c->effects & ((uint64_t)1 << EFF_DECODE))
			f |= RW_DECODE;
		for (size_t j = 0; j < c->ntargets; j++)
			if (c->targets[j].eff == EFF_READ && (c->classes & PCL(READONLY))) {
				f |= RW_FILEREAD;
				if (c->targets[j].cls == PC_SECRET)
					f |= RW_SECRETREAD;
			}
	}
	return f;
}

/* The value of a substitution when it is obvious ($(mktemp), $(pwd), $(echo x)). */
static bool
subst_value(struct walk *w, const struct sh_list *l, const char **val, size_t *n, unsigned *f)
{
	const struct sh_node *nd;

	if (l == NULL || l->nitems != 1 || l->items[0].pl->ncmds != 1)
		return false;
	nd = l->items[0].pl->cmds[0];
	if (nd->kind != SH_SIMPLE || nd->nwords == 0 || nd->words[0].nsegs != 1 ||
	    nd->words[0].segs[0].kind != SH_SEG_LIT)
		return false;
	if (strcmp(nd->words[0].segs[0].s, "mktemp") == 0) {
		*val = "/tmp/tmp.XXXXXXXXXX";
		*n = strlen(*val);
		*f |= RW_TMP;
		return true;
	}
	if (strcmp(nd->words[0].segs[0].s, "pwd") == 0 && nd->nwords == 1 && w->cwd != NULL) {
		*val = w->cwd;
		*n = strlen(w->cwd);
		return true;
	}
	if (strcmp(nd->words[0].segs[0].s, "echo") == 0 && nd->nwords == 2 && nd->words[1].nsegs == 1 &&
	    nd->words[1].segs[0].kind == SH_SEG_LIT) {
		*val = nd->words[1].segs[0].s;
		*n = nd->words[1].segs[0].n;
		return true;
	}
	return false;
}

/* Parameter-expansion operators used to hide text: ${x:0:1} ${x//a/b} ${!x} ${x^^}. */
static bool
param_trick(const struct sh_seg *sg)
{
	const char *r = sg->inner != NULL ? sg->inner->raw : "";
	size_t n = sg->inner != NULL ? sg->inner->rawlen : 0;

	if (sg->s[-1] == '!') /* ${!x}: the name always follows "$", "{" or "!" */
		return true;
	if (n == 0)
		return false;
	if (r[0] == '/' || r[0] == '^' || r[0] == ',')
		return true;
	/* ${x@P} runs the substitutions in x's value (prompt expansion); @E, @A:
	 * the text after escapes or as an assignment */
	if (r[0] == '@' && n == 2 && (r[1] == 'P' || r[1] == 'E' || r[1] == 'A'))
		return true;
	if (r[0] == ':' && n > 1 && (isdigit((unsigned char)r[1]) || r[1] == ' ' || r[1] == '$'))
		return true;
	return false;
}

/* Append the value of seg to the scratch buffer. */
static void
resolve_seg(struct walk *w, const struct sh_seg *sg, unsigned *f, size_t *unk_at)
{
	struct intent_ctx *x = w->x;

	switch (sg->kind) {
	case SH_SEG_LIT:
		buf_put(x, sg->s, sg->n, false);
		break;
	case SH_SEG_TILDE:
		if (sg->n == 0 && x->env.home != NULL) {
			buf_put(x, x->env.home, x->homelen, false);
		} else if (sg->n == 4 && memcmp(sg->s, "root", 4) == 0) {
			buf_put(x, "/root", 5, false);
		} else {
			buf_put(x, "/home/", 6, false);
			buf_put(x, sg->s, sg->n, false);
		}
		break;
	case SH_SEG_VAR: {
		struct var *v = var_get(x, sg->s, sg->n);
		const char *dv;
		size_t dn;

		if (sg->complex && sg->inner != NULL) {
			for (size_t k = 0; k < sg->inner->nsegs; k++)
				if (sg->inner->segs[k].kind == SH_SEG_SUBST)
					wk_walk_subst(w, sg->inner->segs[k].sub, "${}");
			if (param_trick(sg))
				*f |= RW_PARAM;
			/* ${x=WORD}: x holds WORD from now on; ${x@P}: x's substitutions run (promptexp.c) */
			if (v == NULL && wk_prompt_default(sg, &dv, &dn)) {
				wk_var_set(x, sg->s, sg->n, dv, dn,
				    memchr(dv, '$', dn) != NULL || memchr(dv, '`', dn) != NULL ? RW_UNKNOWN : 0);
				v = var_get(x, sg->s, sg->n);
			} else if (v != NULL && wk_prompt_op(sg)) {
				wk_prompt_expand(w, v->val, v->vlen);
			}
		}
		/* a credential from the environment (secrets.c); one the script set holds what it was set to */
		if (v == NULL && secrets_seg_value(sg) && secrets_var_name(x->t, sg->s, sg->n))
			*f |= RW_SECRETVAR;
		if (sg->n == 3 && memcmp(sg->s, "IFS", 3) == 0) {
			*f |= RW_IFS;
			buf_put(x, " ", 1, !sg->quoted);
			break;
		}
		if (v != NULL && !(sg->complex && param_trick(sg))) {
			*f |= RW_VAR | (v->flags & (RW_UNKNOWN | RW_TMP | RW_DL | RW_DECODE | RW_SECRETVAR | RW_SECRETREAD));
			if ((v->flags & RW_UNKNOWN) && *unk_at == SIZE_MAX)
				*unk_at = x->blen;
			buf_put(x, v->val, v->vlen, !sg->quoted);
			break;
		}
		if (sg->n == 4 && memcmp(sg->s, "HOME", 4) == 0 && x->env.home != NULL) {
			buf_put(x, x->env.home, x->homelen, false);
			break;
		}
		if (sg->n == 3 && memcmp(sg->s, "PWD", 3) == 0 && w->cwd != NULL) {
			buf_put(x, w->cwd, strlen(w->cwd), false);
			break;
		}
		if (sg->n == 6 && memcmp(sg->s, "TMPDIR", 6) == 0) {
			buf_put(x, "/tmp", 4, false);
			*f |= RW_TMP;
			break;
		}
		if (sg->n == 5 && memcmp(sg->s, "SHELL", 5) == 0)
			*f |= RW_SHELLVAR;
		if (*unk_at == SIZE_MAX)
			*unk_at = x->blen;
		*f |= RW_UNKNOWN;
		buf_put(x, "$", 1, false);
		buf_put(x, sg->s, sg->n, false);
		break;
	}
	case SH_SEG_SUBST:
	case SH_SEG_PROC_IN:
	case SH_SEG_PROC_OUT: {
		size_t from = x->in->ncmds;
		const char *val = NULL;
		size_t vn = 0;

		wk_walk_subst(w, sg->sub, sg->kind == SH_SEG_SUBST ? "$()" : "<()");
		*f |= subst_traits(x, from);
		if (sg->kind != SH_SEG_SUBST) {
			*f |= RW_PROC;
			buf_put(x, "/dev/fd/63", 10, false);
			break;
		}
		/* $(echo ls), `printf %s x`: only literals inside, judged as their output (substlit.c) */
		if (subst_literal(x->tmp, sg->sub, &val, &vn)) {
			buf_put(x, val, vn, !sg->quoted);
			break;
		}
		*f |= RW_SUBST;
		if (subst_value(w, sg->sub, &val, &vn, f)) {
			buf_put(x, val, vn, !sg->quoted);
			break;
		}
		if (*unk_at == SIZE_MAX)
			*unk_at = x->blen;
		*f |= RW_UNKNOWN;
		buf_put(x, sg->s, sg->n, false);
		break;
	}
	case SH_SEG_ARITH:
		if (sg->inner != NULL)
			for (size_t k = 0; k < sg->inner->nsegs; k++)
				if (sg->inner->segs[k].kind == SH_SEG_SUBST)
					wk_walk_subst(w, sg->inner->segs[k].sub, "$(())");
		*f |= RW_ARITH;
		buf_put(x, "0", 1, false);
		break;
	}
}

/* Brace-expand a literal word with one {a,b,c} group. */
static bool
brace_expand(struct intent_ctx *x, const struct rword *r, struct rvec *out)
{
	const char *lb = memchr(r->s, '{', r->n), *rb;
	size_t pre, count = 0;

	if (lb == NULL)
		return false;
	rb = memchr(lb, '}', r->n - (size_t)(lb - r->s));
	if (rb == NULL || memchr(lb, ',', (size_t)(rb - lb)) == NULL || memchr(lb + 1, '{', (size_t)(rb - lb - 1)))
		return false;
	pre = (size_t)(lb - r->s);
	for (const char *p = lb + 1; p <= rb && count < 32; count++) {
		const char *c = memchr(p, ',', (size_t)(rb - p));
		const char *e = c != NULL ? c : rb;
		size_t sl = r->n - (size_t)(rb + 1 - r->s), len = pre + (size_t)(e - p) + sl;
		char *s = arena_alloc(x->a, len + 1);
		struct rword nw = *r;

		if (s == NULL)
			return wk_oomf(x);
		memcpy(s, r->s, pre);
		memcpy(s + pre, p, (size_t)(e - p));
		memcpy(s + pre + (size_t)(e - p), rb + 1, sl);
		s[len] = '\0';
		nw.s = s;
		nw.n = len;
		nw.f |= RW_BRACE;
		if (!wk_rvec_push(x, out, &nw))
			return false;
		p = e + 1;
	}
	return true;
}

/* Resolve a word into out: one or more words (word splitting of unquoted
 * expansions, brace expansion). */
void
wk_resolve_word(struct walk *w, const struct sh_word *wd, struct rvec *out)
{
	struct intent_ctx *x = w->x;
	size_t base = x->blen, unk = SIZE_MAX, start;
	unsigned f = 0;
	bool any_split = false;

	for (size_t k = 0; k < wd->nsegs; k++)
		resolve_seg(w, &wd->segs[k], &f, &unk);
	if (wd->flags & SH_W_GLOB)
		f |= RW_GLOB;
	if (wd->flags & SH_W_QUOTED)
		f |= RW_QUOTED;
	if (wd->flags & SH_W_ANSI)
		f |= RW_ANSI;
	if (wd->flags & SH_W_ESCAPED)
		f |= RW_ESCAPED;
	/* most words hold no split byte at all: memchr finds the first one */
	for (const unsigned char *sp = x->blen > base ? memchr(x->split + base, 1, x->blen - base) : NULL;
	     sp != NULL && !any_split;) {
		size_t k = (size_t)(sp - x->split);

		if (isspace((unsigned char)x->buf[k]))
			any_split = true;
		else
			sp = k + 1 < x->blen ? memchr(sp + 1, 1, x->blen - k - 1) : NULL;
	}
	start = base;
	for (size_t k = any_split ? base : x->blen; k <= x->blen; k++) { /* unsplit: one word */
		bool cut = k == x->blen || (any_split && x->split[k] && isspace((unsigned char)x->buf[k]));
		struct rword r;

		if (!cut)
			continue;
		if (k > start || (!any_split && k == start)) {
			r.s = wk_xdup(x, x->buf != NULL ? x->buf + start : "", k - start);
			r.n = k - start;
			r.f = f;
			r.unk_at = unk != SIZE_MAX && unk >= start && unk < k ? unk - start :
			           unk != SIZE_MAX && unk < start ? 0 : SIZE_MAX;
			r.w = wd;
			if (r.s != NULL && (wd->flags & SH_W_BRACE) && !(wd->flags & SH_W_QUOTED) &&
			    brace_expand(x, &r, out))
				;
			else if (r.s != NULL)
				wk_rvec_push(x, out, &r);
		}
		start = k + 1;
	}
	x->blen = base;
}

bool
wk_word_is(const struct rword *r, const char *s)
{
	return r->n == strlen(s) && memcmp(r->s, s, r->n) == 0;
}
