/* args.c -- a command's arguments: options and their values, positionals, inline
 * values (split_args) and the helpers that ask about them.
 * Part of the intent walker: see walk.h and intent.h. */
#include "broker/intent/walk.h"
#include "broker/intent/fsresolve.h"
#include "broker/intent/globclass.h"
#include "broker/intent/codepaths.h"
#include "broker/intent/selfref.h"
#include "broker/intent/reqfiles.h"
#include "broker/intent/outopts.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool
wk_in_list(const struct strlist *l, const char *s, size_t n)
{
	/* byte by byte: most entries differ in their first two bytes, and a
	 * strlen of every entry cost more than the comparisons */
	for (size_t k = 0; k < l->n; k++) {
		const char *v = l->v[k];
		size_t i = 0;

		while (i < n && v[i] != '\0' && v[i] == s[i])
			i++;
		if (i == n && v[i] == '\0')
			return true;
	}
	return false;
}

/* Split words into options (with their values) and positional arguments. */
/* Does option s[0..n) of pg take a value? */
static bool
takes_value(const struct prog *pg, const char *s, size_t n)
{
	if (pg == NULL)
		return false;
	if (pg->abbrev && outopt_abbrev_in(&pg->v, s, n))
		return true;
	return wk_in_list(&pg->v, s, n) || wk_in_list(&pg->code, s, n) || wk_in_list(&pg->sql, s, n) ||
	       wk_in_list(&pg->up, s, n) || (pg->handler != H_SHELL && wk_in_list(&pg->script, s, n)) ||
	       (pg->handler == H_SHELL && pg->script.n > 0 && wk_in_list(&pg->script, s, n));
}

void
wk_split_args(const struct prog *pg, const struct rword *rw, size_t n, struct args *a)
{
	bool long1 = pg != NULL && pg->long1;

	a->npos = a->nopts = a->ninl = 0;
	a->all = rw;
	a->nall = n;
	a->dashdash = false;
	a->cwd = NULL;
	for (size_t k = 0; k < n; k++) {
		const struct rword *r = &rw[k];
		struct opt *o;

		if (a->dashdash || r->n < 2 || r->s[0] != '-') {
			a->pos[a->npos++] = r;
			continue;
		}
		if (r->n == 2 && r->s[1] == '-') {
			a->dashdash = true;
			continue;
		}
		o = &a->opts[a->nopts++];
		o->grp[0] = '\0';
		o->npos_before = a->npos;
		o->word = r;
		o->name = r->s;
		o->nlen = r->n;
		o->val = NULL;
		if (r->s[1] == '-' || long1) {
			const char *eq = memchr(r->s, '=', r->n);

			if (eq != NULL) {
				struct rword *iv = &a->inl[a->ninl++];

				o->nlen = (size_t)(eq - r->s);
				*iv = *r;
				iv->s = eq + 1;
				iv->n = r->n - o->nlen - 1;
				iv->unk_at = r->unk_at == SIZE_MAX || r->unk_at <= o->nlen + 1 ? (r->unk_at == SIZE_MAX ? SIZE_MAX : 0) : r->unk_at - o->nlen - 1;
				o->val = iv;
			} else if (takes_value(pg, r->s, r->n) && k + 1 < n) {
				o->val = &rw[++k];
			}
			continue;
		}
		/* Short options: "-x VALUE", "-xVALUE", or a group "-abc". */
		if (takes_value(pg, r->s, r->n)) {
			if (k + 1 < n)
				o->val = &rw[++k];
		} else if (r->n > 2 && takes_value(pg, r->s, 2)) {
			struct rword *iv = &a->inl[a->ninl++];

			o->nlen = 2;
			*iv = *r;
			iv->s = r->s + 2;
			iv->n = r->n - 2;
			iv->unk_at = r->unk_at == SIZE_MAX ? SIZE_MAX : r->unk_at > 2 ? r->unk_at - 2 : 0;
			o->val = iv;
		} else if (r->n > 2) {
			/* A group: a value-taking letter at its end takes the next word. */
			char last[3] = { '-', r->s[r->n - 1], '\0' };

			if (takes_value(pg, last, 2) && k + 1 < n) {
				o->val = &rw[++k];
				memcpy(o->grp, last, 3);
			}
		}
	}
}

/* Is flag f (from a table: "-f", "--force", "--prune*") present among
 * the options before the first `upto` positional arguments? */
bool
wk_has_flag_upto(const struct args *a, const char *f, bool long1, size_t upto)
{
	size_t fl;
	bool glob;

	if (a->nopts == 0)
		return false; /* (most commands: no strlen, no strpbrk) */
	fl = strlen(f);
	glob = strpbrk(f, "*?[") != NULL;

	for (size_t k = 0; k < a->nopts; k++) {
		const struct opt *o = &a->opts[k];

		if (o->npos_before >= upto)
			continue;

		if (glob ? glob_match(f, o->name, o->nlen, false) : (o->nlen == fl && memcmp(o->name, f, fl) == 0))
			return true;
		/* -f inside a group like -rf */
		if (!long1 && !glob && fl == 2 && f[0] == '-' && f[1] != '-' && o->nlen > 2 && o->name[1] != '-' &&
		    memchr(o->name + 1, f[1], o->nlen - 1) != NULL && isalpha((unsigned char)o->name[1]))
			return true;
	}
	return false;
}

bool
wk_has_flag(const struct args *a, const char *f, bool long1)
{
	return wk_has_flag_upto(a, f, long1, SIZE_MAX);
}

/* Is option o the one named name[0..nl)?  A group ("-qO FILE") names the
 * letter that took the value too. */
bool
wk_opt_is(const struct opt *o, const char *name, size_t nl)
{
	return (o->nlen == nl && memcmp(o->name, name, nl) == 0) ||
	    (o->grp[0] != '\0' && nl == 2 && memcmp(o->grp, name, 2) == 0);
}

const struct rword *
wk_opt_value(const struct args *a, const char *name)
{
	size_t nl;

	if (a->nopts == 0)
		return NULL;
	nl = strlen(name);

	for (size_t k = 0; k < a->nopts; k++)
		if (wk_opt_is(&a->opts[k], name, nl) && a->opts[k].val != NULL)
			return a->opts[k].val;
	return NULL;
}
