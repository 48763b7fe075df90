/* arena.h -- a bump allocator for one assessment: the parse tree, resolved
 * words and the intent all live in one arena and go away together.  Every
 * allocation can fail (NULL); nothing is freed one by one. */
#ifndef SG_ARENA_H
#define SG_ARENA_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct arena arena;

/* The layout is here only for the inline fast path of arena_alloc; use the
 * functions below. */
struct arena_block {
	struct arena_block *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

struct arena {
	struct arena_block *head;   /* current block */
	struct arena_block *first;  /* kept across resets */
	struct arena_block *spare;  /* blocks a reset kept for reuse (warm memory) */
	size_t spare_bytes;
	size_t block_size;
	size_t total;
};

/* A new arena whose blocks start at block_size bytes; NULL on out of memory. */
arena *arena_new(size_t block_size);
/* Free every block. */
void arena_free(arena *a);
/* Forget every allocation but keep the first block for reuse. */
void arena_reset(arena *a);
/* n bytes aligned to 16, not zeroed; NULL on out of memory or overflow. */
void *arena_alloc_slow(arena *a, size_t n);
static inline void *
arena_alloc(arena *a, size_t n)
{
	struct arena_block *b = a->head;
	size_t need = (n + 15) & ~(size_t)15;

	/* the common case: room left in the current block */
	if (n - 1 < SIZE_MAX / 2 && b->size - b->used >= need) {
		b->used += need;
		a->total += need;
		return b->data + b->used - need;
	}
	return arena_alloc_slow(a, n);
}
/* n zeroed bytes. */
void *arena_zalloc(arena *a, size_t n);
/* A NUL-terminated copy of s[0..n). */
static inline char *
arena_strndup(arena *a, const char *s, size_t n)
{
	char *p = n < SIZE_MAX ? (char *)arena_alloc(a, n + 1) : NULL;

	if (p == NULL)
		return NULL;
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
/* Grow an array kept in the arena: when *n == *cap, copy it to twice the
 * room.  Returns the (possibly moved) array, or NULL on out of memory. */
void *arena_grow_slow(arena *a, void *arr, size_t n, size_t *cap, size_t elem);
static inline void *
arena_grow(arena *a, void *arr, size_t n, size_t *cap, size_t elem)
{
	/* Most calls find room: no call for them. */
	if (n < *cap && arr != NULL)
		return arr;
	return arena_grow_slow(a, arr, n, cap, elem);
}
/* Bytes handed out since the last reset (for limits). */
size_t arena_used(const arena *a);

/* A point to roll back to: arena_release frees everything allocated after
 * arena_mark (stack discipline). */
struct arena_mark {
	void *block;
	size_t used, total;
};
struct arena_mark arena_mark(arena *a);
void arena_release(arena *a, struct arena_mark m);

#endif
