/* arena.c -- bump allocator: a chain of blocks, the newest first. */
#include "broker/intent/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* What a reset keeps besides its biggest block: the next big request then
 * reuses pages already touched instead of faulting fresh ones in (a 1 MiB
 * command of short commands spent a fifth of its time in page faults).  32
 * MiB: the biggest 1 MiB shape (sh -c nesting, about 40 MiB in all) faulted
 * 6.5 MiB of fresh pages per request with 24 (docs/BENCHMARKS.md). */
#define SPARE_MAX ((size_t)32 << 20)

/* Keep b for reuse, or free it when the spares are full. */
static void
spare_put(arena *a, struct arena_block *b)
{
	if (a->spare_bytes + b->size > SPARE_MAX) {
		free(b);
		return;
	}
	b->next = a->spare;
	a->spare = b;
	a->spare_bytes += b->size;
}

/* A spare block of at least need bytes, or NULL. */
static struct arena_block *
spare_take(arena *a, size_t need)
{
	for (struct arena_block **pp = &a->spare; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->size >= need) {
			struct arena_block *b = *pp;

			*pp = b->next;
			a->spare_bytes -= b->size;
			b->next = NULL;
			b->used = 0;
			return b;
		}
	return NULL;
}

static struct arena_block *
block_new(size_t size)
{
	struct arena_block *b;

	if (size > SIZE_MAX - sizeof *b)
		return NULL;
	b = malloc(sizeof *b + size);
	if (b == NULL)
		return NULL;
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

arena *
arena_new(size_t block_size)
{
	arena *a = calloc(1, sizeof *a);

	if (a == NULL)
		return NULL;
	a->block_size = block_size < 256 ? 256 : block_size;
	a->first = a->head = block_new(a->block_size);
	if (a->first == NULL) {
		free(a);
		return NULL;
	}
	return a;
}

static void
free_chain(struct arena_block *b, struct arena_block *stop)
{
	while (b != NULL && b != stop) {
		struct arena_block *n = b->next;

		free(b);
		b = n;
	}
}

void
arena_free(arena *a)
{
	if (a == NULL)
		return;
	free_chain(a->head, NULL);
	free_chain(a->spare, NULL);
	free(a);
}

void
arena_reset(arena *a)
{
	struct arena_block *big = a->first;

	/* Keep the biggest block, so a steady load reuses warm memory. */
	for (struct arena_block *b = a->head; b != NULL; b = b->next)
		if (b->size > big->size)
			big = b;
	for (struct arena_block *b = a->head; b != NULL;) {
		struct arena_block *n = b->next;

		if (b != big)
			spare_put(a, b);
		b = n;
	}
	a->first = a->head = big;
	big->used = 0;
	big->next = NULL;
	a->total = 0;
}

void *
arena_alloc_slow(arena *a, size_t n)
{
	struct arena_block *b = a->head;
	size_t need;

	if (n > SIZE_MAX / 2)
		return NULL;
	need = (n + 15) & ~(size_t)15;
	if (need == 0)
		need = 16;
	if (b->size - b->used < need) {
		size_t sz = a->block_size;

		/* Blocks double as the arena grows, so big inputs take few mallocs. */
		if (a->total > sz)
			sz = a->total < ((size_t)8 << 20) ? a->total : ((size_t)8 << 20);
		if (sz < need)
			sz = need;
		if ((b = spare_take(a, need)) == NULL)
			b = block_new(sz);
		if (b == NULL)
			return NULL;
		b->next = a->head;
		a->head = b;
	}
	b->used += need;
	a->total += need;
	return b->data + b->used - need;
}

void *
arena_zalloc(arena *a, size_t n)
{
	void *p = arena_alloc(a, n);

	if (p != NULL)
		memset(p, 0, n);
	return p;
}

void *
arena_grow_slow(arena *a, void *arr, size_t n, size_t *cap, size_t elem)
{
	size_t ncap;
	void *p;

	if (n < *cap && arr != NULL)
		return arr;
	/* Small arrays are the common case: start small for big elements. */
	ncap = *cap == 0 ? (elem >= 32 ? 2 : 4) : *cap * 2;
	if (ncap > SIZE_MAX / elem)
		return NULL;
	p = arena_alloc(a, ncap * elem);
	if (p == NULL)
		return NULL;
	if (n > 0)
		memcpy(p, arr, n * elem);
	*cap = ncap;
	return p;
}

size_t
arena_used(const arena *a)
{
	return a->total;
}

struct arena_mark
arena_mark(arena *a)
{
	return (struct arena_mark){ a->head, a->head->used, a->total };
}

void
arena_release(arena *a, struct arena_mark m)
{
	struct arena_block *b = a->head;

	while (b != NULL && b != (struct arena_block *)m.block)
		b = b->next;
	if (b == NULL) /* not a mark of this arena: keep everything */
		return;
	for (b = a->head; b != (struct arena_block *)m.block;) {
		struct arena_block *n = b->next;

		spare_put(a, b);
		b = n;
	}
	a->head = b;
	b->used = m.used;
	a->total = m.total;
}
