/* test_frame.c -- the incremental decoder and its size/depth guard. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/frame.h"
#include "proto/proto.h"
#include "proto/rpc.h"

/* A realistic submit request with nested maps, arrays and odd strings. */
static msgpack_sbuffer
sample(void)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	rpc_pack_request(&pk, 7, "submit");
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, 6);
	rpc_pack_kv_str(&pk, "req_id", "abc");
	rpc_pack_kv_str(&pk, "kind", "exec");
	rpc_pack_kv_str(&pk, "command", "echo 'hi there' | tr a-z A-Z \xe2\x80\xae");
	rpc_pack_kv_int(&pk, "timeout", 300);
	rpc_pack_str(&pk, "argv");
	msgpack_pack_array(&pk, 3);
	rpc_pack_str(&pk, "a");
	msgpack_pack_bin(&pk, 2);
	msgpack_pack_bin_body(&pk, "\0\1", 2);
	msgpack_pack_double(&pk, 1.5);
	rpc_pack_kv_bool(&pk, "wait", true);
	return sb;
}

static int
count_messages(frame_reader *r, msgpack_sbuffer *expect)
{
	msgpack_unpacked up;
	int n = 0, st;

	msgpack_unpacked_init(&up);
	while ((st = frame_reader_next(r, &up)) == FRAME_MESSAGE) {
		msgpack_sbuffer again;
		msgpack_packer pk;

		msgpack_sbuffer_init(&again);
		msgpack_packer_init(&pk, &again, msgpack_sbuffer_write);
		msgpack_pack_object(&pk, up.data);
		assert_int_equal(again.size, expect->size);
		assert_memory_equal(again.data, expect->data, expect->size);
		msgpack_sbuffer_destroy(&again);
		n++;
	}
	assert_int_equal(st, FRAME_AGAIN);
	msgpack_unpacked_destroy(&up);
	return n;
}

static void
split_at_every_byte(void **state)
{
	msgpack_sbuffer sb = sample();

	for (size_t cut = 0; cut <= sb.size; cut++) {
		frame_reader *r = frame_reader_new(SG_MSG_CAP);

		assert_int_equal(frame_reader_feed(r, sb.data, cut), FRAME_AGAIN);
		assert_int_equal(count_messages(r, &sb), cut == sb.size ? 1 : 0);
		assert_int_equal(frame_reader_feed(r, sb.data + cut, sb.size - cut), FRAME_AGAIN);
		assert_int_equal(count_messages(r, &sb), cut == sb.size ? 0 : 1);
		frame_reader_free(r);
	}
	msgpack_sbuffer_destroy(&sb);
}

static void
byte_by_byte_and_minus_last(void **state)
{
	msgpack_sbuffer sb = sample();
	frame_reader *r = frame_reader_new(SG_MSG_CAP);

	for (size_t i = 0; i + 1 < sb.size; i++) {
		assert_int_equal(frame_reader_feed(r, sb.data + i, 1), FRAME_AGAIN);
		assert_int_equal(count_messages(r, &sb), 0);
	}
	assert_int_equal(frame_reader_feed(r, sb.data + sb.size - 1, 1), FRAME_AGAIN);
	assert_int_equal(count_messages(r, &sb), 1);
	frame_reader_free(r);
	msgpack_sbuffer_destroy(&sb);
}

static void
many_in_one_read(void **state)
{
	msgpack_sbuffer sb = sample();
	frame_reader *r = frame_reader_new(SG_MSG_CAP);
	char *three = malloc(sb.size * 3);

	for (int i = 0; i < 3; i++)
		memcpy(three + i * sb.size, sb.data, sb.size);
	assert_int_equal(frame_reader_feed(r, three, sb.size * 3 - 1), FRAME_AGAIN);
	assert_int_equal(count_messages(r, &sb), 2);
	assert_int_equal(frame_reader_feed(r, three + sb.size * 3 - 1, 1), FRAME_AGAIN);
	assert_int_equal(count_messages(r, &sb), 1);
	free(three);
	frame_reader_free(r);
	msgpack_sbuffer_destroy(&sb);
}

/* Feeding bytes breaks the stream with the protocol error code want. */
static void
expect_error(const unsigned char *bytes, size_t n, size_t cap, const char *want)
{
	frame_reader *r = frame_reader_new(cap);
	msgpack_unpacked up;

	msgpack_unpacked_init(&up);
	assert_null(frame_reader_error_code(r));
	if (frame_reader_feed(r, bytes, n) != FRAME_ERROR)
		assert_int_equal(frame_reader_next(r, &up), FRAME_ERROR);
	assert_non_null(frame_reader_error(r));
	assert_string_equal(frame_reader_error_code(r), want);
	msgpack_unpacked_destroy(&up);
	frame_reader_free(r);
}

static void
huge_declared_lengths(void **state)
{
	/* str32 of 4 GiB, bin32, array32 and map32 of 2^32-1 items: rejected from
	 * the header alone, before any payload arrives */
	static const unsigned char str32[] = { 0xdb, 0xff, 0xff, 0xff, 0xff };
	static const unsigned char bin32[] = { 0xc6, 0x00, 0x20, 0x00, 0x00 };
	static const unsigned char arr32[] = { 0xdd, 0xff, 0xff, 0xff, 0xff };
	static const unsigned char map32[] = { 0xdf, 0x7f, 0xff, 0xff, 0xff };
	static const unsigned char ext32[] = { 0xc9, 0x10, 0x00, 0x00, 0x00, 0x01 };

	expect_error(str32, sizeof str32, SG_MSG_CAP, SG_ERR_TOO_LARGE);
	expect_error(bin32, sizeof bin32, SG_MSG_CAP, SG_ERR_TOO_LARGE);
	expect_error(arr32, sizeof arr32, SG_MSG_CAP, SG_ERR_TOO_LARGE);
	expect_error(map32, sizeof map32, SG_MSG_CAP, SG_ERR_TOO_LARGE);
	expect_error(ext32, sizeof ext32, SG_MSG_CAP, SG_ERR_TOO_LARGE);
}

static void
oversized_message(void **state)
{
	/* an array of many small strings that together pass the cap */
	size_t cap = 1000, n = 0;
	unsigned char buf[4000];

	buf[n++] = 0xdc, buf[n++] = 0x01, buf[n++] = 0x00; /* array16 of 256 */
	for (int i = 0; i < 256; i++) {
		buf[n++] = 0xa8;
		memcpy(buf + n, "12345678", 8);
		n += 8;
	}
	expect_error(buf, n, cap, SG_ERR_TOO_LARGE);
}

/* A message of exactly n bytes: [0, 1, "m", [bin of what is left]]. */
static size_t
exact_message(unsigned char *buf, size_t n)
{
	size_t hdr = 11; /* fixarray, 0, 1, "m", fixarray, bin32 header */

	buf[0] = 0x94, buf[1] = 0x00, buf[2] = 0x01, buf[3] = 0xa1, buf[4] = 'm', buf[5] = 0x91;
	buf[6] = 0xc6;
	buf[7] = (unsigned char)((n - hdr) >> 24), buf[8] = (unsigned char)((n - hdr) >> 16);
	buf[9] = (unsigned char)((n - hdr) >> 8), buf[10] = (unsigned char)(n - hdr);
	memset(buf + 11, 'x', n - 11);
	return n - hdr;
}

/* too-large for every size limit, at the cap's edge; bad-message otherwise */
static void
size_limit_codes(void **state)
{
	size_t cap = 4096;
	unsigned char *buf = malloc(cap + 64);
	frame_reader *r = frame_reader_new(cap);
	msgpack_unpacked up;

	/* exactly the cap decodes */
	msgpack_unpacked_init(&up);
	exact_message(buf, cap);
	assert_int_equal(frame_reader_feed(r, buf, cap), FRAME_AGAIN);
	assert_int_equal(frame_reader_next(r, &up), FRAME_MESSAGE);
	assert_null(frame_reader_error_code(r));
	msgpack_unpacked_destroy(&up);
	frame_reader_free(r);
	/* one byte more, declared up front: refused from the header */
	exact_message(buf, cap + 1);
	expect_error(buf, 11, cap, SG_ERR_TOO_LARGE);
	/* a str16 declaring more than is left */
	{
		static const unsigned char s16[] = { 0x94, 0x00, 0x01, 0xa1, 'm', 0x91, 0xda, 0x10, 0x00 };

		expect_error(s16, sizeof s16, cap, SG_ERR_TOO_LARGE);
	}
	/* an array16 of more items than bytes are left */
	{
		static const unsigned char a16[] = { 0x94, 0x00, 0x01, 0xa1, 'm', 0xdc, 0x10, 0x00 };

		expect_error(a16, sizeof a16, cap, SG_ERR_TOO_LARGE);
	}
	/* a map16 likewise (each pair is two items) */
	{
		static const unsigned char m16[] = { 0x94, 0x00, 0x01, 0xa1, 'm', 0x91, 0xde, 0x08, 0x01 };

		expect_error(m16, sizeof m16, cap, SG_ERR_TOO_LARGE);
	}
	/* many small items that pass the cap only together */
	{
		size_t n = 0;

		buf[n++] = 0x94, buf[n++] = 0x00, buf[n++] = 0x01, buf[n++] = 0xa1, buf[n++] = 'm';
		buf[n++] = 0xdc, buf[n++] = 0x04, buf[n++] = 0x00; /* array16 of 1024 */
		while (n + 4 < cap + 64)
			buf[n++] = 0xa3, buf[n++] = 'a', buf[n++] = 'b', buf[n++] = 'c';
		expect_error(buf, n, cap, SG_ERR_TOO_LARGE);
	}
	/* not msgpack at all */
	{
		static const unsigned char junk[] = { 0xc1, 0xc1 };

		expect_error(junk, sizeof junk, cap, SG_ERR_BAD_MESSAGE);
	}
	free(buf);
}

static void
nesting(void **state)
{
	unsigned char deep[SG_MSG_MAX_DEPTH + 2];
	frame_reader *r = frame_reader_new(SG_MSG_CAP);
	msgpack_unpacked up;

	/* exactly the limit decodes */
	memset(deep, 0x91, SG_MSG_MAX_DEPTH - 1);
	deep[SG_MSG_MAX_DEPTH - 1] = 0x90;
	msgpack_unpacked_init(&up);
	assert_int_equal(frame_reader_feed(r, deep, SG_MSG_MAX_DEPTH), FRAME_AGAIN);
	assert_int_equal(frame_reader_next(r, &up), FRAME_MESSAGE);
	msgpack_unpacked_destroy(&up);
	frame_reader_free(r);
	/* one more level is refused */
	memset(deep, 0x91, SG_MSG_MAX_DEPTH + 1);
	deep[SG_MSG_MAX_DEPTH + 1] = 0xc0;
	expect_error(deep, SG_MSG_MAX_DEPTH + 2, SG_MSG_CAP, SG_ERR_BAD_MESSAGE);
}

static void
bad_type_byte(void **state)
{
	static const unsigned char c1[] = { 0x94, 0x00, 0x01, 0xc1 };

	expect_error(c1, sizeof c1, SG_MSG_CAP, SG_ERR_BAD_MESSAGE);
}

static void
rpc_shapes(void **state)
{
	static const char *const bad[] = {
		"\x93\x00\x01\xa1m",          /* request with 3 elements */
		"\x94\x00\xff\xa1m\x90",      /* negative id */
		"\x94\x00\x01\x01\x90",       /* method not a string */
		"\x94\x00\x01\xa1m\x80",      /* params a map */
		"\x94\x05\x01\xa1m\x90",      /* unknown type */
		"\xa3\x61\x62\x63",          /* not an array */
		"\x92\x02\xa1m",              /* notify with 2 elements */
		"\x94\x00\x01\xa0\x90",       /* empty method */
	};
	static const size_t len[] = { 5, 6, 5, 6, 6, 4, 4, 5 };
	msgpack_unpacked up;
	struct rpc_msg m;
	const char *why;

	msgpack_unpacked_init(&up);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t off = 0;

		assert_int_equal(msgpack_unpack_next(&up, bad[i], len[i], &off), MSGPACK_UNPACK_SUCCESS);
		why = NULL;
		assert_int_equal(rpc_parse(&up.data, &m, &why), -1);
		assert_non_null(why);
	}
	msgpack_unpacked_destroy(&up);
}

static void
typed_fields(void **state)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_unpacked up;
	size_t off = 0;
	int64_t v;
	char *s;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 3);
	rpc_pack_kv_int(&pk, "n", -5);
	rpc_pack_str(&pk, "nul");
	rpc_pack_strn(&pk, "a\0b", 3);
	rpc_pack_kv_str(&pk, "s", "hello");
	msgpack_unpacked_init(&up);
	assert_int_equal(msgpack_unpack_next(&up, sb.data, sb.size, &off), MSGPACK_UNPACK_SUCCESS);
	assert_int_equal(rpc_get_int(rpc_map_get(&up.data, "n"), -10, 10, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(rpc_get_int(rpc_map_get(&up.data, "n"), 0, 10, &v), -1);
	assert_null(rpc_strdup(rpc_map_get(&up.data, "nul"), 100)); /* embedded NUL */
	assert_null(rpc_strdup(rpc_map_get(&up.data, "s"), 3));     /* too long */
	s = rpc_strdup(rpc_map_get(&up.data, "s"), 100);
	assert_string_equal(s, "hello");
	free(s);
	assert_null(rpc_map_get(&up.data, "missing"));
	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_at_every_byte),
		cmocka_unit_test(byte_by_byte_and_minus_last),
		cmocka_unit_test(many_in_one_read),
		cmocka_unit_test(huge_declared_lengths),
		cmocka_unit_test(oversized_message),
		cmocka_unit_test(size_limit_codes),
		cmocka_unit_test(nesting),
		cmocka_unit_test(bad_type_byte),
		cmocka_unit_test(rpc_shapes),
		cmocka_unit_test(typed_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
