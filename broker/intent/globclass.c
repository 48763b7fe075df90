/* globclass.c -- what a glob could match (see globclass.h). */
#include "broker/intent/globclass.h"
#include "broker/intent/tables.h"

#include <stdlib.h>
#include <string.h>

#define MAX_COMPS 64
#define MAX_COMP 256

bool
glob_has_wild(const char *s, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (s[k] == '*' || s[k] == '?' || s[k] == '[' || s[k] == '{')
			return true;
	return false;
}

size_t
glob_literal_dir(const char *g, size_t n)
{
	size_t start = 0, lastsl = 0;

	if (!glob_has_wild(g, n))
		return 0;
	for (size_t k = 0; k <= n; k++) {
		if (k < n && g[k] != '/')
			continue;
		if (glob_has_wild(g + start, k - start))
			break;
		lastsl = k;
		start = k + 1;
	}
	return lastsl == 0 ? 1 : lastsl;
}

/* One component of a split pattern. */
struct comp {
	const char *s;
	size_t n;
	bool dstar; /* "**": any number of components */
	bool any;   /* a component we do not read ([set], {a,b}): any one name */
};

/* Split an absolute pattern into components.  A brace group holding a "/"
 * may span components: from there on the glob stands for anything (a
 * double star), which only widens it. */
static size_t
split(const char *p, size_t n, struct comp *v, bool is_glob)
{
	size_t nc = 0, k = 0;

	while (k < n && nc < MAX_COMPS) {
		size_t e;

		while (k < n && p[k] == '/')
			k++;
		if (k >= n)
			break;
		e = k;
		while (e < n && p[e] != '/')
			e++;
		v[nc] = (struct comp){ p + k, e - k, e - k == 2 && p[k] == '*' && p[k + 1] == '*', false };
		if (is_glob) {
			const char *lb = memchr(p + k, '{', e - k);

			if (lb != NULL) {
				const char *rb = memchr(lb, '}', (size_t)(p + n - lb));

				if (rb == NULL || memchr(lb, '/', (size_t)(rb - lb)) != NULL) {
					v[nc].dstar = true;
					return nc + 1;
				}
			}
			if (memchr(p + k, '[', e - k) != NULL || lb != NULL || e - k >= MAX_COMP)
				v[nc].any = true;
		}
		nc++;
		k = e;
	}
	if (k < n && nc == MAX_COMPS) /* too deep to read: anything below */
		v[nc - 1].dstar = true;
	return nc;
}

/* c[0..n) with every star removed and each ? or [set] as one character:
 * the pattern's shortest spelling. */
static bool
shortest(const char *c, size_t n, char *out)
{
	size_t o = 0;

	for (size_t k = 0; k < n; k++) {
		if (c[k] == '*')
			continue;
		if (c[k] == '?') {
			out[o++] = 'x';
		} else if (c[k] == '[') {
			const char *rb = memchr(c + k + 1, ']', n - k - 1);

			if (rb == NULL || c[k + 1] == '!' || c[k + 1] == '^')
				return false;
			out[o++] = c[k + 1];
			k = (size_t)(rb - c);
		} else {
			out[o++] = c[k];
		}
	}
	out[o] = '\0';
	return true;
}

static size_t
literal_prefix(const char *c, size_t n)
{
	size_t k = 0;

	while (k < n && c[k] != '*' && c[k] != '?' && c[k] != '[')
		k++;
	return k;
}

/* Could one name match both the glob component g and the table component t? */
static bool
comp_overlap(const struct comp *g, const struct comp *t, unsigned flags)
{
	bool fold = (flags & GLOB_FOLD) != 0;
	char gs[MAX_COMP + 1], ts[MAX_COMP + 1], gz[MAX_COMP + 1], tz[MAX_COMP + 1];
	size_t gp, tp;

	/* a shell wildcard does not match a leading dot */
	if (!(flags & GLOB_DOTS) && g->n > 0 && (g->s[0] == '*' || g->s[0] == '?' || g->s[0] == '[') &&
	    t->n > 0 && t->s[0] == '.')
		return false;
	if (g->any || t->n >= MAX_COMP)
		return true;
	memcpy(gz, g->s, g->n);
	gz[g->n] = '\0';
	memcpy(tz, t->s, t->n);
	tz[t->n] = '\0';
	if (!glob_has_wild(t->s, t->n))
		return glob_match(gz, tz, t->n, fold);
	if (!shortest(t->s, t->n, ts) || !shortest(g->s, g->n, gs))
		return true;
	if (glob_match(gz, ts, strlen(ts), fold) || glob_match(tz, gs, strlen(gs), fold))
		return true;
	/* an open end ("s*") may take any extension ("server.key"): it overlaps
	 * every pattern whose literal start agrees with its own */
	if (g->n > 0 && g->s[g->n - 1] == '*') {
		gp = literal_prefix(g->s, g->n);
		tp = literal_prefix(t->s, t->n);
		if (gp > tp)
			gp = tp;
		return fold ? strncasecmp(g->s, t->s, gp) == 0 : memcmp(g->s, t->s, gp) == 0;
	}
	return false;
}

/* Depth-first search over pairs of positions (i in the glob, j in the
 * pattern): is there a path both can reach the end with? */
static bool
walk(const struct comp *g, size_t ng, const struct comp *t, size_t nt, size_t i, size_t j, unsigned char *seen,
    unsigned flags)
{
	size_t idx = i * (nt + 1) + j;

	if (seen[idx])
		return false;
	seen[idx] = 1;
	if (i == ng && j == nt)
		return true;
	/* a double star may stand for no component */
	if (i < ng && g[i].dstar && walk(g, ng, t, nt, i + 1, j, seen, flags))
		return true;
	if (j < nt && t[j].dstar && walk(g, ng, t, nt, i, j + 1, seen, flags))
		return true;
	if (i < ng && j < nt) {
		if (g[i].dstar && !t[j].dstar) {
			/* the glob's ** takes the pattern's component (not a dot name in a shell) */
			if (((flags & GLOB_DOTS) || t[j].n == 0 || t[j].s[0] != '.') &&
			    walk(g, ng, t, nt, i, j + 1, seen, flags))
				return true;
		} else if (t[j].dstar && !g[i].dstar) {
			if (walk(g, ng, t, nt, i + 1, j, seen, flags))
				return true;
		} else if (!g[i].dstar && !t[j].dstar && comp_overlap(&g[i], &t[j], flags) &&
		           walk(g, ng, t, nt, i + 1, j + 1, seen, flags)) {
			return true;
		}
	}
	return false;
}

/* Does the glob component g spell the base-name pattern pat: its literal
 * part matches pat (*.pem: ".pem"), or, when it starts with a literal, it
 * matches pat's shortest spelling (id_*: "id_rsa")? */
static bool
names_pattern(const struct comp *g, const char *pat, unsigned flags)
{
	bool fold = (flags & GLOB_FOLD) != 0;
	char lit[MAX_COMP + 1], gz[MAX_COMP + 1], ts[MAX_COMP + 1];
	size_t ln = 0, pl = strlen(pat);

	if (g->dstar || g->any || g->n >= MAX_COMP || pl >= MAX_COMP)
		return !g->dstar;
	for (size_t k = 0; k < g->n; k++)
		if (g->s[k] != '*' && g->s[k] != '?')
			lit[ln++] = g->s[k];
	lit[ln] = '\0';
	if (ln == 0 || (ln == 1 && lit[0] == '.'))
		return false;
	if (glob_match(pat, lit, ln, fold))
		return true;
	/* a literal start of three or more: id_*, .env*, cred* (not s*) */
	if (g->s[0] == '*' || g->s[0] == '?' || ln < 3 || !shortest(pat, pl, ts))
		return false;
	memcpy(gz, g->s, g->n);
	gz[g->n] = '\0';
	return ts[0] != '\0' && glob_match(gz, ts, strlen(ts), fold);
}

bool
glob_could_match(const char *g, size_t gn, const char *pat, bool base, unsigned flags)
{
	struct comp gv[MAX_COMPS], tv[MAX_COMPS + 1];
	size_t ng, nt = 0;
	unsigned char seen[(MAX_COMPS + 1) * (MAX_COMPS + 2)];

	ng = split(g, gn, gv, true);
	/* a base name, or a name in any directory (STARSTAR/opencode.json) */
	if ((flags & GLOB_NAMED) && (base || (strncmp(pat, "**/", 3) == 0 && strchr(pat + 3, '/') == NULL)) &&
	    (ng == 0 || !names_pattern(&gv[ng - 1], base ? pat : pat + 3, flags)))
		return false;
	if (base) /* a base-name pattern: in any directory */
		tv[nt++] = (struct comp){ "**", 2, true, false };
	nt += split(pat, strlen(pat), tv + nt, false);
	memset(seen, 0, (ng + 1) * (nt + 1));
	return walk(gv, ng, tv, nt, 0, 0, seen, flags);
}
