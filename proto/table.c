/* table.c -- chained hash table (FNV-1a, doubling at load 1). */
#include "proto/table.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	struct entry *next;
	uint64_t hash;
	void *val;
	size_t klen;
	unsigned char key[];
};

struct table {
	struct entry **slots;
	size_t nslots, count;
};

static uint64_t
hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

table *
table_new(void)
{
	table *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	t->nslots = 64;
	t->slots = calloc(t->nslots, sizeof *t->slots);
	if (t->slots == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void
table_free(table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nslots; i++) {
		struct entry *e = t->slots[i], *next;

		for (; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(t->slots);
	free(t);
}

static struct entry **
find(const table *t, const void *key, size_t klen, uint64_t h)
{
	struct entry **pp = &t->slots[h & (t->nslots - 1)];

	for (; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->hash == h && (*pp)->klen == klen && memcmp((*pp)->key, key, klen) == 0)
			break;
	}
	return pp;
}

static void
grow(table *t)
{
	size_t n = t->nslots * 2;
	struct entry **slots = calloc(n, sizeof *slots);

	if (slots == NULL)
		return; /* keep working at a higher load */
	for (size_t i = 0; i < t->nslots; i++) {
		struct entry *e = t->slots[i], *next;

		for (; e != NULL; e = next) {
			next = e->next;
			e->next = slots[e->hash & (n - 1)];
			slots[e->hash & (n - 1)] = e;
		}
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = n;
}

int
table_put(table *t, const void *key, size_t klen, void *val)
{
	uint64_t h = hash(key, klen);
	struct entry **pp = find(t, key, klen, h), *e;

	if (*pp != NULL) {
		(*pp)->val = val;
		return 0;
	}
	e = malloc(sizeof *e + klen);
	if (e == NULL)
		return -1;
	e->next = NULL;
	e->hash = h;
	e->val = val;
	e->klen = klen;
	memcpy(e->key, key, klen);
	*pp = e;
	if (++t->count > t->nslots)
		grow(t);
	return 0;
}

void *
table_get(const table *t, const void *key, size_t klen)
{
	struct entry *e = *find(t, key, klen, hash(key, klen));

	return e != NULL ? e->val : NULL;
}

void *
table_del(table *t, const void *key, size_t klen)
{
	struct entry **pp = find(t, key, klen, hash(key, klen)), *e = *pp;
	void *val;

	if (e == NULL)
		return NULL;
	*pp = e->next;
	val = e->val;
	free(e);
	t->count--;
	return val;
}

size_t
table_count(const table *t)
{
	return t->count;
}
