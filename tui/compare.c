/* compare.c -- token alignment (longest common subsequence with glob
 * equality) between a pattern and a request. */
#include "tui/compare.h"

#include <fnmatch.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static size_t
tokenize(const char *s, struct cmp_tok *t)
{
	size_t n = 0;

	while (*s != '\0' && n < COMPARE_MAX_TOKENS) {
		size_t k;

		while (*s == ' ')
			s++;
		if (*s == '\0')
			break;
		k = strcspn(s, " ");
		t[n++] = (struct cmp_tok){ .s = s, .n = k, .mark = '+', .pair = -1 };
		s += k;
	}
	return n;
}

/* Does request word r match pattern word p (glob)? */
static bool
word_match(const struct cmp_tok *p, const struct cmp_tok *r)
{
	char pb[512], rb[512];

	if (p->n == r->n && memcmp(p->s, r->s, p->n) == 0)
		return true;
	if (p->n >= sizeof pb || r->n >= sizeof rb || memchr(p->s, '\0', p->n) != NULL ||
	    strcspn(p->s, "*?[") >= p->n)
		return false;
	memcpy(pb, p->s, p->n);
	pb[p->n] = '\0';
	memcpy(rb, r->s, r->n);
	rb[r->n] = '\0';
	return fnmatch(pb, rb, 0) == 0;
}

static bool
is_star(const struct cmp_tok *t)
{
	return t->n == 1 && t->s[0] == '*';
}

/* Resolve the unmatched words between two matches: a bare "*" (in the gap,
 * or the match just before it) stands for any run of words, so it absorbs
 * the request's words there; otherwise words pair up as differences and
 * the rest are additions (+) or omissions (-). */
static void
resolve_gap(struct compare *c, size_t p0, size_t p1, size_t r0, size_t r1, bool star_before)
{
	bool star = star_before;

	for (size_t i = p0; i < p1; i++)
		if (is_star(&c->pat[i])) {
			star = true;
			c->pat[i].mark = '=';
		}
	if (star) {
		for (size_t j = r0; j < r1; j++)
			c->req[j].mark = '=';
		return;
	}
	while (p0 < p1 && r0 < r1) {
		c->pat[p0].mark = c->req[r0].mark = '~';
		c->pat[p0].pair = (int)r0;
		c->req[r0].pair = (int)p0;
		p0++, r0++;
	}
}

void
compare_tokens(const char *pattern, const char *request, struct compare *c)
{
	size_t np, nr;
	unsigned short *L;

	memset(c, 0, sizeof *c);
	np = c->npat = tokenize(pattern, c->pat);
	nr = c->nreq = tokenize(request, c->req);
	for (size_t i = 0; i < np; i++)
		c->pat[i].mark = '-';
	if (np == 0 || nr == 0)
		return;
	/* L[i][j]: LCS length of pat[i..] and req[j..] */
	L = calloc((np + 1) * (nr + 1), sizeof *L);
	if (L == NULL)
		return;
#define AT(i, j) L[(i) * (nr + 1) + (j)]
	for (size_t i = np; i-- > 0;)
		for (size_t j = nr; j-- > 0;)
			AT(i, j) = word_match(&c->pat[i], &c->req[j]) ? AT(i + 1, j + 1) + 1
			    : AT(i + 1, j) > AT(i, j + 1) ? AT(i + 1, j) : AT(i, j + 1);
	{
		size_t i = 0, j = 0, gp = 0, gr = 0;
		bool star_before = false;

		while (i < np && j < nr) {
			if (word_match(&c->pat[i], &c->req[j]) && AT(i, j) == AT(i + 1, j + 1) + 1) {
				resolve_gap(c, gp, i, gr, j, star_before);
				c->pat[i].mark = c->req[j].mark = '=';
				c->pat[i].pair = (int)j;
				c->req[j].pair = (int)i;
				c->matched++;
				star_before = is_star(&c->pat[i]);
				gp = ++i;
				gr = ++j;
			} else if (AT(i + 1, j) >= AT(i, j + 1)) {
				i++;
			} else {
				j++;
			}
		}
		resolve_gap(c, gp, np, gr, nr, star_before);
	}
#undef AT
	free(L);
	c->score = 2.0 * c->matched / (double)(np + nr);
}
