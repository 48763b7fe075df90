/* globcover.c -- rule globs that cover every path of a part's glob (see globcover.h). */
#include "broker/rules/globcover.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COMPS 128

struct comp {
	const char *s;
	size_t n;
};

static size_t
split(const char *p, struct comp *v, bool *over)
{
	size_t n = 0;

	*over = false;
	while (*p != '\0') {
		size_t len;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len == 0)
			break;
		if (n == MAX_COMPS) {
			*over = true;
			break;
		}
		v[n++] = (struct comp){ p, len };
		p += len;
	}
	return n;
}

static bool
is_dstar(const struct comp *c)
{
	return c->n == 2 && c->s[0] == '*' && c->s[1] == '*';
}

/* Does rule component p (\ escapes) cover every name of part component g?
 * Tokens of g: a literal, ? (one character) or * (any run). */
static bool
comp_covers(const char *p, size_t pn, const char *g, size_t gn)
{
	char *tt, *tc;       /* rule tokens: type ('*', '?', 'c') and character */
	bool *row, *next, ok = false;
	size_t nt = 0;

	if (memchr(g, '[', gn) != NULL || memchr(g, '{', gn) != NULL) {
		/* a component we do not read: only a pattern of stars covers it */
		for (size_t k = 0; k < pn; k++)
			if (p[k] != '*')
				return false;
		return pn > 0;
	}
	tt = malloc(pn + 1);
	tc = malloc(pn + 1);
	row = calloc(gn + 1, sizeof *row);
	next = calloc(gn + 1, sizeof *next);
	if (tt == NULL || tc == NULL || row == NULL || next == NULL)
		goto out;
	for (size_t k = 0; k < pn; k++) {
		if (p[k] == '\\' && k + 1 < pn) {
			tt[nt] = 'c';
			tc[nt++] = p[++k];
		} else if (p[k] == '*' || p[k] == '?') {
			tt[nt] = p[k];
			tc[nt++] = 0;
		} else {
			tt[nt] = 'c';
			tc[nt++] = p[k];
		}
	}
	/* next[j]: tokens t+1.. cover g[j..]; start past the last token */
	next[gn] = true;
	for (size_t t = nt; t-- > 0;) {
		for (size_t j = gn + 1; j-- > 0;) {
			if (tt[t] == '*')
				row[j] = next[j] || (j < gn && row[j + 1]);
			else if (j == gn || g[j] == '*')
				row[j] = false; /* a part star may be any run: one character cannot cover it */
			else if (tt[t] == '?')
				row[j] = next[j + 1];
			else
				row[j] = g[j] != '?' && g[j] == tc[t] && next[j + 1];
		}
		memcpy(next, row, (gn + 1) * sizeof *row);
	}
	ok = next[0];
out:
	free(tt);
	free(tc);
	free(row);
	free(next);
	return ok;
}

/* covers(i, j): rule components r[i..] cover part components g[j..].
 * seen[] memoises positions already shown not to work. */
static bool
covers(const struct comp *r, size_t nr, const struct comp *g, size_t ng, size_t i, size_t j, unsigned char *seen)
{
	size_t idx = i * (ng + 1) + j;
	bool ok = false;

	if (seen[idx])
		return false;
	if (i == nr) {
		ok = j == ng;
	} else if (is_dstar(&r[i])) {
		/* ** takes any run of the part's components, double stars included */
		for (size_t k = j; k <= ng && !ok; k++)
			ok = covers(r, nr, g, ng, i + 1, k, seen);
	} else if (j < ng && !is_dstar(&g[j])) {
		ok = comp_covers(r[i].s, r[i].n, g[j].s, g[j].n) && covers(r, nr, g, ng, i + 1, j + 1, seen);
	}
	if (!ok)
		seen[idx] = 1;
	return ok;
}

bool
glob_covers(const char *pat, const char *glob)
{
	struct comp r[MAX_COMPS], g[MAX_COMPS];
	size_t nr, ng;
	bool over_r, over_g, ok;
	unsigned char *seen;

	nr = split(pat, r, &over_r);
	ng = split(glob, g, &over_g);
	if (over_r || over_g)
		return false;
	for (size_t k = 0; k < ng; k++)
		if (g[k].n == 2 && g[k].s[0] == '.' && g[k].s[1] == '.')
			return false; /* a parent after a wildcard leaves the tree */
	if ((seen = calloc((nr + 1) * (ng + 1), 1)) == NULL)
		return false;
	ok = covers(r, nr, g, ng, 0, 0, seen);
	free(seen);
	return ok;
}
