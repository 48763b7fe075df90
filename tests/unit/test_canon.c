/* test_canon.c -- the content hash that binds an idempotency key to its
 * request (broker/canon.c): equal for retries of one request, different for
 * anything else. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "broker/canon.h"

/* Hash the msgpack bytes of a map; -1 (and why) if canon refuses it. */
static int
hash_bytes(const void *bytes, size_t n, unsigned char out[CANON_HASH_LEN], char *why)
{
	msgpack_unpacked up;
	size_t off = 0;
	int rc;

	msgpack_unpacked_init(&up);
	assert_int_equal(msgpack_unpack_next(&up, bytes, n, &off), MSGPACK_UNPACK_SUCCESS);
	assert_int_equal(off, n);
	rc = canon_request_hash(&up.data, out, why, 200);
	msgpack_unpacked_destroy(&up);
	return rc;
}

/* A tiny writer of msgpack maps for the cases: "k=v" pairs of strings,
 * "k:N" integers, "k{" ... "}" nested maps, "k[" ... "]" arrays of
 * strings; order as written. */
static void
pack_spec(msgpack_packer *pk, const char *const *spec, size_t *i, size_t n)
{
	size_t count = 0, depth = 0;

	for (size_t j = *i; j < n; j++) {
		size_t len = strlen(spec[j]);

		if (strcmp(spec[j], "}") == 0 || strcmp(spec[j], "]") == 0) {
			if (depth == 0)
				break;
			depth--;
			continue;
		}
		if (depth == 0)
			count++;
		if (spec[j][len - 1] == '{' || spec[j][len - 1] == '[')
			depth++;
	}
	msgpack_pack_map(pk, count);
	while (*i < n && strcmp(spec[*i], "}") != 0) {
		const char *e = spec[*i], *sep = strpbrk(e, "=:{[");

		msgpack_pack_str_with_body(pk, e, (size_t)(sep - e));
		(*i)++;
		if (*sep == '=') {
			msgpack_pack_str_with_body(pk, sep + 1, strlen(sep + 1));
		} else if (*sep == ':') {
			msgpack_pack_int64(pk, strtoll(sep + 1, NULL, 10));
		} else if (*sep == '{') {
			pack_spec(pk, spec, i, n);
			(*i)++; /* the "}" */
		} else {
			size_t k = *i;

			while (strcmp(spec[k], "]") != 0)
				k++;
			msgpack_pack_array(pk, k - *i);
			for (; *i < k; (*i)++)
				msgpack_pack_str_with_body(pk, spec[*i], strlen(spec[*i]));
			(*i)++; /* the "]" */
		}
	}
}

static void
hash_spec(const char *const *spec, size_t n, unsigned char out[CANON_HASH_LEN])
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	size_t i = 0;
	char why[200];

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	pack_spec(&pk, spec, &i, n);
	assert_int_equal(hash_bytes(sb.data, sb.size, out, why), 0);
	msgpack_sbuffer_destroy(&sb);
}

#define HASH(out, ...) do { \
	static const char *const s_[] = { __VA_ARGS__ }; \
	hash_spec(s_, sizeof s_ / sizeof s_[0], out); \
} while (0)

static void
same_request_same_hash(void **state)
{
	unsigned char a[32], b[32];

	/* key order, at the top and nested */
	HASH(a, "req_id=k42", "session=S", "kind=exec", "command=echo step1", "tool_input{", "command=echo step1", "description=d", "}");
	HASH(b, "tool_input{", "description=d", "command=echo step1", "}", "command=echo step1", "kind=exec", "session=S", "req_id=k42");
	assert_memory_equal(a, b, 32);
	/* wait and timeout may differ between retries (top level only) */
	HASH(b, "wait:1", "req_id=k42", "session=S", "timeout:30", "kind=exec", "command=echo step1", "tool_input{", "command=echo step1", "description=d", "}");
	assert_memory_equal(a, b, 32);
}

static void
other_content_other_hash(void **state)
{
	unsigned char a[32], b[32];

	HASH(a, "req_id=k42", "session=S", "kind=exec", "command=echo step1");
	HASH(b, "req_id=k42", "session=S", "kind=exec", "command=sh -c 'echo X >> ~/.bashrc'");
	assert_memory_not_equal(a, b, 32);
	/* the same words as an argv are another request */
	HASH(b, "req_id=k42", "session=S", "kind=exec", "argv[", "echo", "step1", "]");
	assert_memory_not_equal(a, b, 32);
	/* a field added */
	HASH(b, "req_id=k42", "session=S", "kind=exec", "command=echo step1", "cwd=/");
	assert_memory_not_equal(a, b, 32);
	/* wait/timeout inside a nested map are content */
	HASH(a, "kind=mcp", "arguments{", "path=/a", "}");
	HASH(b, "kind=mcp", "arguments{", "path=/a", "timeout:5", "}");
	assert_memory_not_equal(a, b, 32);
	/* a value moved between keys */
	HASH(a, "a=xy", "b=z");
	HASH(b, "a=x", "b=yz");
	assert_memory_not_equal(a, b, 32);
	/* array order is content */
	HASH(a, "argv[", "rm", "-rf", "x", "]");
	HASH(b, "argv[", "rm", "x", "-rf", "]");
	assert_memory_not_equal(a, b, 32);
}

static void
encoding_width_does_not_matter(void **state)
{
	/* {"t":5} with 5 as a fixint, a uint8, a uint32; the key as fixstr and
	 * str8: one canonical form */
	static const unsigned char v1[] = { 0x81, 0xa1, 't', 0x05 };
	static const unsigned char v2[] = { 0x81, 0xa1, 't', 0xcc, 0x05 };
	static const unsigned char v3[] = { 0x81, 0xd9, 0x01, 't', 0xce, 0x00, 0x00, 0x00, 0x05 };
	static const unsigned char v4[] = { 0x81, 0xa1, 't', 0x06 };
	unsigned char a[32], b[32];
	char why[200];

	assert_int_equal(hash_bytes(v1, sizeof v1, a, why), 0);
	assert_int_equal(hash_bytes(v2, sizeof v2, b, why), 0);
	assert_memory_equal(a, b, 32);
	assert_int_equal(hash_bytes(v3, sizeof v3, b, why), 0);
	assert_memory_equal(a, b, 32);
	assert_int_equal(hash_bytes(v4, sizeof v4, b, why), 0);
	assert_memory_not_equal(a, b, 32);
}

static void
duplicate_keys_refused(void **state)
{
	/* {"command":"ls","command":"rm -rf ~"}: which one a reader takes
	 * decides its meaning, so there is no canonical form */
	static const unsigned char top[] = { 0x82, 0xa7, 'c', 'o', 'm', 'm', 'a', 'n', 'd', 0xa2, 'l', 's',
		0xa7, 'c', 'o', 'm', 'm', 'a', 'n', 'd', 0xa1, 'x' };
	/* the same one level down, and spelled with a str8 key the second time */
	static const unsigned char nested[] = { 0x81, 0xa1, 'a', 0x82, 0xa1, 'k', 0x01, 0xd9, 0x01, 'k', 0x02 };
	/* wait twice at the top: left out, but still a duplicate */
	static const unsigned char waits[] = { 0x82, 0xa4, 'w', 'a', 'i', 't', 0xc3, 0xa4, 'w', 'a', 'i', 't', 0xc2 };
	unsigned char h[32];
	char why[200];

	assert_int_equal(hash_bytes(top, sizeof top, h, why), -1);
	assert_non_null(strstr(why, "'command' twice"));
	assert_int_equal(hash_bytes(nested, sizeof nested, h, why), -1);
	assert_non_null(strstr(why, "'k' twice"));
	(void)waits; /* volatile keys are dropped before the check: two waits are harmless */
	assert_int_equal(hash_bytes(waits, sizeof waits, h, why), 0);
}

static void
encoding_is_what_is_hashed(void **state)
{
	/* the hash is SHA-256 of the canonical bytes, so a client can
	 * recompute it: {"b":1,"a":[true,nil]} -> {"a":[true,nil],"b":1} */
	static const unsigned char in[] = { 0x82, 0xa1, 'b', 0x01, 0xa1, 'a', 0x92, 0xc3, 0xc0 };
	static const unsigned char want[] = { 0x82, 0xa1, 'a', 0x92, 0xc3, 0xc0, 0xa1, 'b', 0x01 };
	msgpack_unpacked up;
	msgpack_sbuffer sb;
	unsigned char h[32], w[32];
	size_t off = 0;
	char why[200];

	msgpack_unpacked_init(&up);
	msgpack_sbuffer_init(&sb);
	assert_int_equal(msgpack_unpack_next(&up, (const char *)in, sizeof in, &off), MSGPACK_UNPACK_SUCCESS);
	assert_int_equal(canon_request_encode(&up.data, &sb, why, sizeof why), 0);
	assert_int_equal(sb.size, sizeof want);
	assert_memory_equal(sb.data, want, sizeof want);
	assert_int_equal(canon_request_hash(&up.data, h, why, sizeof why), 0);
	crypto_hash_sha256(w, want, sizeof want);
	assert_memory_equal(h, w, 32);
	msgpack_sbuffer_destroy(&sb);
	msgpack_unpacked_destroy(&up);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_request_same_hash),
		cmocka_unit_test(other_content_other_hash),
		cmocka_unit_test(encoding_width_does_not_matter),
		cmocka_unit_test(duplicate_keys_refused),
		cmocka_unit_test(encoding_is_what_is_hashed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
