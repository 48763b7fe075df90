/* inputtext.c -- a msgpack value as canonical compact JSON (inputtext.h). */
#include "broker/rules/inputtext.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct out {
	char *p;
	size_t n, cap, max;
	bool bad;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->bad)
		return;
	if (o->n + n > o->max) {
		o->bad = true;
		return;
	}
	if (o->n + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 256;
		char *np;

		while (cap < o->n + n + 1)
			cap *= 2;
		if ((np = realloc(o->p, cap)) == NULL) {
			o->bad = true;
			return;
		}
		o->p = np;
		o->cap = cap;
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
}

static void
put_str(struct out *o, const char *s, size_t n)
{
	size_t run = 0;

	put(o, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		const char *e = NULL;

		if (c == '"')
			e = "\\\"";
		else if (c == '\\')
			e = "\\\\";
		else if (c == '\n')
			e = "\\n";
		else if (c == '\t')
			e = "\\t";
		else if (c == '\r')
			e = "\\r";
		else if (c == '\b')
			e = "\\b";
		else if (c == '\f')
			e = "\\f";
		else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			e = esc;
		}
		if (e == NULL)
			continue;
		put(o, s + run, i - run);
		put(o, e, strlen(e));
		run = i + 1;
	}
	put(o, s + run, n - run);
	put(o, "\"", 1);
}

static int
key_cmp(const void *a, const void *b, void *base)
{
	const msgpack_object_kv *kv = base;
	const msgpack_object_str *x = &kv[*(const uint32_t *)a].key.via.str;
	const msgpack_object_str *y = &kv[*(const uint32_t *)b].key.via.str;
	size_t n = x->size < y->size ? x->size : y->size;
	int c = memcmp(x->ptr, y->ptr, n);

	return c != 0 ? c : (x->size > y->size) - (x->size < y->size);
}

static void
put_value(struct out *o, const msgpack_object *v)
{
	char num[64];
	uint32_t *idx;

	if (o->bad)
		return;
	switch (v->type) {
	case MSGPACK_OBJECT_NIL: put(o, "null", 4); break;
	case MSGPACK_OBJECT_BOOLEAN: v->via.boolean ? put(o, "true", 4) : put(o, "false", 5); break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		put(o, num, (size_t)snprintf(num, sizeof num, "%llu", (unsigned long long)v->via.u64));
		break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		put(o, num, (size_t)snprintf(num, sizeof num, "%lld", (long long)v->via.i64));
		break;
	case MSGPACK_OBJECT_FLOAT32: case MSGPACK_OBJECT_FLOAT64: {
		int k = snprintf(num, sizeof num, "%.17g", v->via.f64);

		if (k > 0 && strpbrk(num, ".eEna") == NULL && k + 2 < (int)sizeof num)
			k += snprintf(num + k, sizeof num - (size_t)k, ".0");
		put(o, num, (size_t)k);
		break;
	}
	case MSGPACK_OBJECT_STR: put_str(o, v->via.str.ptr, v->via.str.size); break;
	case MSGPACK_OBJECT_ARRAY:
		put(o, "[", 1);
		for (uint32_t i = 0; i < v->via.array.size && !o->bad; i++) {
			if (i > 0)
				put(o, ",", 1);
			put_value(o, &v->via.array.ptr[i]);
		}
		put(o, "]", 1);
		break;
	case MSGPACK_OBJECT_MAP:
		if ((idx = malloc((v->via.map.size + 1) * sizeof *idx)) == NULL) {
			o->bad = true;
			return;
		}
		for (uint32_t i = 0; i < v->via.map.size; i++) {
			idx[i] = i;
			if (v->via.map.ptr[i].key.type != MSGPACK_OBJECT_STR)
				o->bad = true;
		}
		if (!o->bad) {
			qsort_r(idx, v->via.map.size, sizeof *idx, key_cmp, v->via.map.ptr);
			for (uint32_t i = 1; i < v->via.map.size; i++)
				if (key_cmp(&idx[i - 1], &idx[i], v->via.map.ptr) == 0)
					o->bad = true; /* a key twice: its meaning depends on the reader */
		}
		put(o, "{", 1);
		for (uint32_t i = 0; i < v->via.map.size && !o->bad; i++) {
			const msgpack_object_kv *kv = &v->via.map.ptr[idx[i]];

			if (i > 0)
				put(o, ",", 1);
			put_str(o, kv->key.via.str.ptr, kv->key.via.str.size);
			put(o, ":", 1);
			put_value(o, &kv->val);
		}
		put(o, "}", 1);
		free(idx);
		break;
	default:
		o->bad = true;
		break;
	}
}

char *
input_text(const msgpack_object *v, size_t cap, size_t *len)
{
	struct out o = { .max = cap };

	put_value(&o, v);
	put(&o, "", 0);
	if (o.bad || o.p == NULL) {
		free(o.p);
		return NULL;
	}
	o.p[o.n] = '\0';
	if (len != NULL)
		*len = o.n;
	return o.p;
}
