/* fuzz_frame.c -- libFuzzer target for the protocol decoder: the frame guard,
 * msgpack-c's unpacker and the msgpack-rpc shape check, fed in chunks whose
 * sizes come from the input itself. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "proto/frame.h"
#include "proto/proto.h"
#include "proto/rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	frame_reader *r = frame_reader_new(64 * 1024);
	msgpack_unpacked up;
	size_t chunk;

	if (r == NULL || size == 0)
		goto out;
	chunk = 1 + data[0] % 64; /* vary the read sizes */
	data++, size--;
	msgpack_unpacked_init(&up);
	while (size > 0) {
		size_t n = size < chunk ? size : chunk;
		int st = frame_reader_feed(r, data, n);

		data += n, size -= n;
		if (st == FRAME_ERROR)
			break;
		while ((st = frame_reader_next(r, &up)) == FRAME_MESSAGE) {
			struct rpc_msg m;
			const char *why;

			if (rpc_parse(&up.data, &m, &why) == 0 && m.type == RPC_REQUEST) {
				char *s = rpc_strdup(rpc_map_get(&m.params->via.array.ptr[0], "kind"), 64);
				int64_t v;

				rpc_get_int(rpc_map_get(&m.params->via.array.ptr[0], "timeout"), 1, 86400, &v);
				free(s);
			}
		}
		if (st == FRAME_ERROR)
			break;
	}
	msgpack_unpacked_destroy(&up);
out:
	frame_reader_free(r);
	return 0;
}
