/* substlit.c -- the output of a literal-only command substitution (see
 * substlit.h). */
#include "broker/intent/substlit.h"

#include <string.h>

#define OUT_MAX 4096

struct obuf {
	char b[OUT_MAX];
	size_t n;
};

static bool
put(struct obuf *o, const char *s, size_t n)
{
	if (o->n + n > OUT_MAX)
		return false;
	memcpy(o->b + o->n, s, n);
	o->n += n;
	return true;
}

/* A word made only of literal segments, joined into buf. */
static bool
lit_word(const struct sh_word *w, char *buf, size_t cap, size_t *len)
{
	size_t o = 0;

	for (size_t k = 0; k < w->nsegs; k++) {
		if (w->segs[k].kind != SH_SEG_LIT || o + w->segs[k].n >= cap)
			return false;
		memcpy(buf + o, w->segs[k].s, w->segs[k].n);
		o += w->segs[k].n;
	}
	buf[o] = '\0';
	*len = o;
	return true;
}

/* printf's format, once, consuming arguments from *ai; false for what is
 * not computed here. */
static bool
printf_once(struct obuf *o, const char *f, size_t fn, const struct sh_word *args, size_t nargs, size_t *ai,
    bool *used)
{
	char w[OUT_MAX];
	size_t wl;

	for (size_t k = 0; k < fn; k++) {
		if (f[k] == '%') {
			if (k + 1 < fn && f[k + 1] == '%') {
				if (!put(o, "%", 1))
					return false;
				k++;
				continue;
			}
			if (k + 1 >= fn || f[k + 1] != 's')
				return false;
			k++;
			*used = true;
			if (*ai < nargs) {
				if (!lit_word(&args[*ai], w, sizeof w, &wl) || !put(o, w, wl))
					return false;
				(*ai)++;
			}
			continue;
		}
		if (f[k] == '\\') {
			const char *e;

			if (k + 1 >= fn)
				return false;
			e = f[k + 1] == 'n' ? "\n" : f[k + 1] == 't' ? "\t" : f[k + 1] == '\\' ? "\\" : NULL;
			if (e == NULL || !put(o, e, 1))
				return false;
			k++;
			continue;
		}
		if (!put(o, f + k, 1))
			return false;
	}
	return true;
}

bool
subst_literal(arena *a, const struct sh_list *l, const char **out, size_t *n)
{
	const struct sh_node *nd;
	static __thread struct obuf o;
	char w[OUT_MAX];
	size_t wl, k = 1;
	char *r;

	if (l == NULL || l->nitems != 1 || l->items[0].pl->ncmds != 1 || l->items[0].pl->negated)
		return false;
	nd = l->items[0].pl->cmds[0];
	if (nd->kind != SH_SIMPLE || nd->nwords == 0 || nd->nassigns > 0 || nd->nredirs > 0)
		return false;
	if (!lit_word(&nd->words[0], w, sizeof w, &wl))
		return false;
	o.n = 0;
	if (strcmp(w, "echo") == 0) {
		bool esc = false;

		for (; k < nd->nwords; k++) {
			if (!lit_word(&nd->words[k], w, sizeof w, &wl))
				return false;
			if (wl < 2 || w[0] != '-' || strspn(w + 1, "neE") != wl - 1)
				break;
			esc |= strchr(w, 'e') != NULL;
		}
		for (size_t j = k; j < nd->nwords; j++) {
			if (!lit_word(&nd->words[j], w, sizeof w, &wl) || (esc && memchr(w, '\\', wl) != NULL))
				return false;
			if ((j > k && !put(&o, " ", 1)) || !put(&o, w, wl))
				return false;
		}
	} else if (strcmp(w, "printf") == 0) {
		char f[OUT_MAX];
		size_t fl, ai = 2;
		bool used = false;

		if (nd->nwords < 2 || !lit_word(&nd->words[1], f, sizeof f, &fl) || (fl > 0 && f[0] == '-'))
			return false;
		do {
			used = false;
			if (!printf_once(&o, f, fl, nd->words, nd->nwords, &ai, &used))
				return false;
		} while (used && ai < nd->nwords);
	} else {
		return false;
	}
	while (o.n > 0 && o.b[o.n - 1] == '\n')
		o.n--;
	if ((r = arena_alloc(a, o.n + 1)) == NULL)
		return false;
	memcpy(r, o.b, o.n);
	r[o.n] = '\0';
	*out = r;
	*n = o.n;
	return true;
}
