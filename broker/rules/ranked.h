/* ranked.h -- an ordered set with positions: an intrusive treap whose
 * nodes know their subtree size (the i-th element and a node's rank in
 * O(log n)) and the least "val" below them (the minimum of a per-node
 * number, kept up to date through every insert and remove).
 *
 * The grouping keeps its groups riskiest first in one (pages of `groups`
 * are ranges of it) and each group's members in id order in another (the
 * oldest member is the minimum of created_ms).  Nodes are embedded in the
 * caller's structs; the tree never allocates. */
#ifndef SG_RANKED_H
#define SG_RANKED_H

#include <stddef.h>
#include <stdint.h>

struct rnode {
	struct rnode *l, *r, *up;
	uint32_t prio;
	size_t size;
	int64_t val;   /* the caller's number (set before insert, fixed while in) */
	int64_t min;   /* least val in this subtree */
};

/* <0, 0, >0 like strcmp; must be a strict total order over the nodes in. */
typedef int ranked_cmp(const struct rnode *a, const struct rnode *b);

struct ranked {
	struct rnode *root;
	ranked_cmp *cmp;
	uint32_t seed;
};

void ranked_init(struct ranked *t, ranked_cmp *cmp);
void ranked_insert(struct ranked *t, struct rnode *n);
void ranked_remove(struct ranked *t, struct rnode *n);
size_t ranked_size(const struct ranked *t);
/* The i-th node in order (0-based), or NULL past the end. */
struct rnode *ranked_at(const struct ranked *t, size_t i);
/* Position of n (which must be in t). */
size_t ranked_rank(const struct rnode *n);
struct rnode *ranked_first(const struct ranked *t);
struct rnode *ranked_next(const struct rnode *n);
/* Least val in the tree, or INT64_MAX when empty. */
int64_t ranked_min(const struct ranked *t);

#endif
