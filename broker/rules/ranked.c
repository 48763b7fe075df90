/* ranked.c -- an order-statistic treap with a running minimum (ranked.h). */
#include "broker/rules/ranked.h"

static size_t size_of(const struct rnode *n) { return n != NULL ? n->size : 0; }
static int64_t min_of(const struct rnode *n) { return n != NULL ? n->min : INT64_MAX; }

static void
pull(struct rnode *n)
{
	int64_t m = n->val;

	n->size = 1 + size_of(n->l) + size_of(n->r);
	if (min_of(n->l) < m)
		m = min_of(n->l);
	if (min_of(n->r) < m)
		m = min_of(n->r);
	n->min = m;
}

void
ranked_init(struct ranked *t, ranked_cmp *cmp)
{
	t->root = NULL;
	t->cmp = cmp;
	t->seed = 2463534242u;
}

static uint32_t
next_prio(struct ranked *t)
{
	uint32_t x = t->seed;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return t->seed = x;
}

/* Replace child `old` of parent p (or the root) with n. */
static void
relink(struct ranked *t, struct rnode *p, struct rnode *old, struct rnode *n)
{
	if (p == NULL)
		t->root = n;
	else if (p->l == old)
		p->l = n;
	else
		p->r = n;
	if (n != NULL)
		n->up = p;
}

/* Rotate x above its parent. */
static void
rotate_up(struct ranked *t, struct rnode *x)
{
	struct rnode *p = x->up, *g = p->up;

	if (p->l == x) {
		p->l = x->r;
		if (x->r != NULL)
			x->r->up = p;
		x->r = p;
	} else {
		p->r = x->l;
		if (x->l != NULL)
			x->l->up = p;
		x->l = p;
	}
	relink(t, g, p, x);
	p->up = x;
	pull(p);
	pull(x);
}

void
ranked_insert(struct ranked *t, struct rnode *n)
{
	struct rnode *p = NULL, **at = &t->root;

	n->l = n->r = NULL;
	n->size = 1;
	n->min = n->val;
	n->prio = next_prio(t);
	while (*at != NULL) {
		p = *at;
		p->size++;
		if (n->val < p->min)
			p->min = n->val;
		at = t->cmp(n, p) < 0 ? &p->l : &p->r;
	}
	*at = n;
	n->up = p;
	while (n->up != NULL && n->up->prio < n->prio)
		rotate_up(t, n);
}

void
ranked_remove(struct ranked *t, struct rnode *n)
{
	struct rnode *p;

	/* rotate n down until it has at most one child */
	while (n->l != NULL && n->r != NULL)
		rotate_up(t, n->l->prio > n->r->prio ? n->l : n->r);
	p = n->up;
	relink(t, p, n, n->l != NULL ? n->l : n->r);
	for (; p != NULL; p = p->up)
		pull(p);
	n->l = n->r = n->up = NULL;
}

size_t
ranked_size(const struct ranked *t)
{
	return size_of(t->root);
}

struct rnode *
ranked_at(const struct ranked *t, size_t i)
{
	struct rnode *n = t->root;

	while (n != NULL) {
		size_t ls = size_of(n->l);

		if (i < ls) {
			n = n->l;
		} else if (i == ls) {
			return n;
		} else {
			i -= ls + 1;
			n = n->r;
		}
	}
	return NULL;
}

size_t
ranked_rank(const struct rnode *n)
{
	size_t r = size_of(n->l);

	for (; n->up != NULL; n = n->up)
		if (n->up->r == n)
			r += size_of(n->up->l) + 1;
	return r;
}

struct rnode *
ranked_first(const struct ranked *t)
{
	struct rnode *n = t->root;

	while (n != NULL && n->l != NULL)
		n = n->l;
	return n;
}

struct rnode *
ranked_next(const struct rnode *n)
{
	if (n->r != NULL) {
		n = n->r;
		while (n->l != NULL)
			n = n->l;
		return (struct rnode *)n;
	}
	while (n->up != NULL && n->up->r == n)
		n = n->up;
	return n->up;
}

int64_t
ranked_min(const struct ranked *t)
{
	return min_of(t->root);
}
