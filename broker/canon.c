/* canon.c -- canonical msgpack encoding and hash of a submitted request. */
#include "broker/canon.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Top-level keys that legitimately differ between retries of one request:
 * `wait` (whether the answer comes at once) and `timeout` (how long the
 * client is willing to wait).  Neither changes what is asked. */
static const char *const volatile_keys[] = { "wait", "timeout" };

struct entry {
	const msgpack_object_kv *kv;
	size_t off, len;   /* the key's canonical encoding in the scratch buffer */
	const char *enc;   /* ... once every key is packed (the buffer may move) */
};

struct canon {
	msgpack_packer out;
	char *why;
	size_t whylen;
};

static int pack(struct canon *c, const msgpack_object *o, bool top);

static bool
is_volatile(const msgpack_object *k)
{
	if (k->type != MSGPACK_OBJECT_STR)
		return false;
	for (size_t i = 0; i < sizeof volatile_keys / sizeof volatile_keys[0]; i++)
		if (k->via.str.size == strlen(volatile_keys[i]) &&
		    memcmp(k->via.str.ptr, volatile_keys[i], k->via.str.size) == 0)
			return true;
	return false;
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int d = memcmp(x->enc, y->enc, n);

	if (d != 0)
		return d;
	return x->len < y->len ? -1 : x->len > y->len;
}

static int
fail_dup(struct canon *c, const msgpack_object *k)
{
	if (k->type == MSGPACK_OBJECT_STR)
		snprintf(c->why, c->whylen, "a map holds the key '%.*s' twice",
		    (int)(k->via.str.size < 64 ? k->via.str.size : 64), k->via.str.ptr);
	else
		snprintf(c->why, c->whylen, "a map holds the same key twice");
	return -1;
}

static int
pack_map(struct canon *c, const msgpack_object *o, bool top)
{
	uint32_t n = o->via.map.size, kept = 0;
	struct entry *e = n > 0 ? calloc(n, sizeof *e) : NULL;
	msgpack_sbuffer keys;
	struct canon kc = { .why = c->why, .whylen = c->whylen };
	int rc = 0;

	if (n > 0 && e == NULL) {
		snprintf(c->why, c->whylen, "out of memory");
		return -1;
	}
	msgpack_sbuffer_init(&keys);
	msgpack_packer_init(&kc.out, &keys, msgpack_sbuffer_write);
	for (uint32_t i = 0; i < n && rc == 0; i++) {
		const msgpack_object_kv *kv = &o->via.map.ptr[i];

		if (top && is_volatile(&kv->key))
			continue;
		e[kept].kv = kv;
		e[kept].off = keys.size;
		rc = pack(&kc, &kv->key, false);
		e[kept].len = keys.size - e[kept].off;
		kept++;
	}
	if (rc == 0 && keys.size > 0 && keys.data == NULL) {
		snprintf(c->why, c->whylen, "out of memory");
		rc = -1;
	}
	for (uint32_t i = 0; rc == 0 && i < kept; i++)
		e[i].enc = keys.data + e[i].off;
	if (rc == 0 && kept > 1) {
		qsort(e, kept, sizeof *e, cmp_entry);
		for (uint32_t i = 1; i < kept && rc == 0; i++)
			if (cmp_entry(&e[i - 1], &e[i]) == 0)
				rc = fail_dup(c, &e[i].kv->key);
	}
	if (rc == 0) {
		msgpack_pack_map(&c->out, kept);
		for (uint32_t i = 0; i < kept && rc == 0; i++) {
			c->out.callback(c->out.data, e[i].enc, e[i].len);
			rc = pack(c, &e[i].kv->val, false);
		}
	}
	msgpack_sbuffer_destroy(&keys);
	free(e);
	return rc;
}

static int
pack(struct canon *c, const msgpack_object *o, bool top)
{
	if (o->type == MSGPACK_OBJECT_MAP)
		return pack_map(c, o, top);
	if (o->type == MSGPACK_OBJECT_ARRAY) {
		msgpack_pack_array(&c->out, o->via.array.size);
		for (uint32_t i = 0; i < o->via.array.size; i++)
			if (pack(c, &o->via.array.ptr[i], false) < 0)
				return -1;
		return 0;
	}
	/* scalars: msgpack-c packs integers and headers in their shortest form */
	msgpack_pack_object(&c->out, *o);
	return 0;
}

static int
hash_write(void *data, const char *buf, size_t len)
{
	crypto_hash_sha256_update(data, (const unsigned char *)buf, len);
	return 0;
}

int
canon_request_hash(const msgpack_object *map, unsigned char out[CANON_HASH_LEN], char *why, size_t whylen)
{
	crypto_hash_sha256_state st;
	struct canon c = { .why = why, .whylen = whylen };

	crypto_hash_sha256_init(&st);
	msgpack_packer_init(&c.out, &st, hash_write);
	if (pack(&c, map, true) < 0)
		return -1;
	crypto_hash_sha256_final(&st, out);
	return 0;
}

int
canon_request_encode(const msgpack_object *map, msgpack_sbuffer *sb, char *why, size_t whylen)
{
	struct canon c = { .why = why, .whylen = whylen };

	msgpack_packer_init(&c.out, sb, msgpack_sbuffer_write);
	return pack(&c, map, true);
}
