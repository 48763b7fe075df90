/* frame.c -- incremental msgpack reader with a resumable header guard. */
#include "proto/frame.h"
#include "proto/proto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FRAME_INIT_BUFFER 4096
#define FRAME_MIN_READ 4096

struct frame_reader {
	msgpack_unpacker up;
	size_t cap;
	/* scanner state, resumable across reads */
	size_t msg_bytes;                 /* bytes of the current message seen */
	uint64_t stack[SG_MSG_MAX_DEPTH]; /* items left in each open container */
	int depth;
	uint64_t skip;                    /* payload bytes still to pass over */
	unsigned char hdr[6];
	unsigned hdr_len, hdr_need;
	size_t complete;                  /* whole messages scanned, not yet taken */
	const char *error;
	const char *code;                 /* SG_ERR_* of error */
};

frame_reader *
frame_reader_new(size_t cap)
{
	frame_reader *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	if (!msgpack_unpacker_init(&r->up, FRAME_INIT_BUFFER)) {
		free(r);
		return NULL;
	}
	r->cap = cap;
	return r;
}

void
frame_reader_free(frame_reader *r)
{
	if (r == NULL)
		return;
	msgpack_unpacker_destroy(&r->up);
	free(r);
}

const char *
frame_reader_error(const frame_reader *r)
{
	return r->error;
}

const char *
frame_reader_error_code(const frame_reader *r)
{
	return r->error == NULL ? NULL : r->code != NULL ? r->code : SG_ERR_BAD_MESSAGE;
}

/* Fail the stream: why (static) and its protocol error code; returns -1. */
static int
fail(frame_reader *r, const char *code, const char *why)
{
	r->error = why;
	r->code = code;
	return -1;
}

/* Total header length for a first byte (type byte + length/type fields);
 * 0 for the one byte msgpack never uses. */
static unsigned
header_size(unsigned char b)
{
	if (b <= 0xbf || b >= 0xe0)
		return 1; /* fixint, fixmap, fixarray, fixstr, negative fixint */
	switch (b) {
	case 0xc1: return 0;
	case 0xc4: case 0xd9: return 2;            /* bin8, str8 */
	case 0xc5: case 0xda: case 0xdc: case 0xde: return 3;
	case 0xc6: case 0xdb: case 0xdd: case 0xdf: return 5;
	case 0xc7: return 3;                       /* ext8: len, type */
	case 0xc8: return 4;                       /* ext16 */
	case 0xc9: return 6;                       /* ext32 */
	default: return 1;                         /* nil, bool, numbers, fixext */
	}
}

static uint64_t
be(const unsigned char *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* One value (scalar, payload or container) is finished: close containers. */
static void
item_done(frame_reader *r)
{
	while (r->depth > 0) {
		if (--r->stack[r->depth - 1] > 0)
			return;
		r->depth--;
	}
	r->complete++;
	r->msg_bytes = 0;
}

/* Act on a complete header in r->hdr; 0 on success, -1 with r->error set. */
static int
header_done(frame_reader *r)
{
	unsigned char b = r->hdr[0];
	uint64_t payload = 0, items = 0;
	int container = 0;
	size_t room = r->cap - r->msg_bytes;

	if (b >= 0x80 && b <= 0x8f) {
		container = 1, items = (uint64_t)(b & 0x0f) * 2;
	} else if (b >= 0x90 && b <= 0x9f) {
		container = 1, items = b & 0x0f;
	} else if (b >= 0xa0 && b <= 0xbf) {
		payload = b & 0x1f;
	} else if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
		payload = 0;
	} else {
		switch (b) {
		case 0xc4: case 0xd9: payload = r->hdr[1]; break;
		case 0xc5: case 0xda: payload = be(r->hdr + 1, 2); break;
		case 0xc6: case 0xdb: payload = be(r->hdr + 1, 4); break;
		case 0xc7: payload = r->hdr[1]; break;
		case 0xc8: payload = be(r->hdr + 1, 2); break;
		case 0xc9: payload = be(r->hdr + 1, 4); break;
		case 0xca: payload = 4; break;
		case 0xcb: payload = 8; break;
		case 0xcc: case 0xd0: payload = 1; break;
		case 0xcd: case 0xd1: payload = 2; break;
		case 0xce: case 0xd2: payload = 4; break;
		case 0xcf: case 0xd3: payload = 8; break;
		case 0xd4: payload = 2; break;
		case 0xd5: payload = 3; break;
		case 0xd6: payload = 5; break;
		case 0xd7: payload = 9; break;
		case 0xd8: payload = 17; break;
		case 0xdc: container = 1, items = be(r->hdr + 1, 2); break;
		case 0xdd: container = 1, items = be(r->hdr + 1, 4); break;
		case 0xde: container = 1, items = be(r->hdr + 1, 2) * 2; break;
		case 0xdf: container = 1, items = be(r->hdr + 1, 4) * 2; break;
		default: return fail(r, SG_ERR_BAD_MESSAGE, "invalid msgpack type byte");
		}
	}
	if (container) {
		/* every item takes at least one byte, so more items than room is a lie */
		if (items > room)
			return fail(r, SG_ERR_TOO_LARGE, "message too large (declared container size)");
		if (items == 0) {
			item_done(r);
			return 0;
		}
		if (r->depth == SG_MSG_MAX_DEPTH)
			return fail(r, SG_ERR_BAD_MESSAGE, "message nested too deeply");
		r->stack[r->depth++] = items;
		return 0;
	}
	if (payload > room)
		return fail(r, SG_ERR_TOO_LARGE, "message too large (declared length)");
	r->skip = payload;
	if (payload == 0)
		item_done(r);
	return 0;
}

/* Walk n new bytes at p; 0 on success, -1 when the guard trips. */
static int
scan(frame_reader *r, const unsigned char *p, size_t n)
{
	const unsigned char *end = p + n;

	while (p < end) {
		if (r->skip > 0) {
			size_t take = (size_t)(end - p) < r->skip ? (size_t)(end - p) : r->skip;
			p += take;
			r->msg_bytes += take;
			r->skip -= take;
			if (r->skip == 0)
				item_done(r);
			continue;
		}
		if (r->hdr_len == 0) {
			r->hdr_need = header_size(*p);
			if (r->hdr_need == 0)
				return fail(r, SG_ERR_BAD_MESSAGE, "invalid msgpack type byte");
		}
		while (r->hdr_len < r->hdr_need && p < end) {
			r->hdr[r->hdr_len++] = *p++;
			r->msg_bytes++;
		}
		if (r->msg_bytes > r->cap)
			return fail(r, SG_ERR_TOO_LARGE, "message too large");
		if (r->hdr_len < r->hdr_need)
			break;
		r->hdr_len = 0;
		if (header_done(r) < 0)
			return -1;
	}
	return 0;
}

char *
frame_reader_buffer(frame_reader *r, size_t want, size_t *avail)
{
	if (want < FRAME_MIN_READ)
		want = FRAME_MIN_READ;
	if (msgpack_unpacker_buffer_capacity(&r->up) < want &&
	    !msgpack_unpacker_reserve_buffer(&r->up, want)) {
		*avail = 0;
		return NULL;
	}
	*avail = msgpack_unpacker_buffer_capacity(&r->up);
	return msgpack_unpacker_buffer(&r->up);
}

int
frame_reader_consumed(frame_reader *r, size_t n)
{
	if (r->error != NULL)
		return FRAME_ERROR;
	if (scan(r, (const unsigned char *)msgpack_unpacker_buffer(&r->up), n) < 0)
		return FRAME_ERROR;
	msgpack_unpacker_buffer_consumed(&r->up, n);
	return FRAME_AGAIN;
}

int
frame_reader_feed(frame_reader *r, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		size_t avail;
		char *buf = frame_reader_buffer(r, len, &avail);
		size_t take;

		if (buf == NULL) {
			fail(r, SG_ERR_INTERNAL, "out of memory");
			return FRAME_ERROR;
		}
		take = len < avail ? len : avail;
		memcpy(buf, p, take);
		if (frame_reader_consumed(r, take) == FRAME_ERROR)
			return FRAME_ERROR;
		p += take;
		len -= take;
	}
	return FRAME_AGAIN;
}

int
frame_reader_next(frame_reader *r, msgpack_unpacked *out)
{
	msgpack_unpack_return ret;

	if (r->error != NULL)
		return FRAME_ERROR;
	if (r->complete == 0)
		return FRAME_AGAIN;
	ret = msgpack_unpacker_next(&r->up, out);
	if (ret != MSGPACK_UNPACK_SUCCESS && ret != MSGPACK_UNPACK_EXTRA_BYTES) {
		if (ret == MSGPACK_UNPACK_NOMEM_ERROR)
			fail(r, SG_ERR_INTERNAL, "out of memory");
		else
			fail(r, SG_ERR_BAD_MESSAGE, "malformed msgpack");
		return FRAME_ERROR;
	}
	r->complete--;
	return FRAME_MESSAGE;
}
