/* fuzz_hook.c -- libFuzzer target for the agent hook adapters: raw bytes as
 * Claude Code, Codex and Gemini hook input go through hook_parse (JSON ->
 * request map), and every map that comes out is packed with
 * hook_pack_request under a budget that the first input byte picks.  Checks:
 * a parsed request always has the protocol's required fields, the packed map
 * is one complete msgpack object within the budget and within the protocol's
 * nesting limit. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/hook.h"
#include "proto/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct hook_adapter *const adapters[] = { &hook_claude_code, &hook_codex, &hook_gemini };

static int
depth_of(const msgpack_object *o)
{
	int d = 0;

	if (o->type == MSGPACK_OBJECT_ARRAY)
		for (uint32_t i = 0; i < o->via.array.size; i++) {
			int k = depth_of(&o->via.array.ptr[i]);
			d = k > d ? k : d;
		}
	else if (o->type == MSGPACK_OBJECT_MAP)
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			int k = depth_of(&o->via.map.ptr[i].val);
			d = k > d ? k : d;
		}
	else
		return 0;
	return d + 1;
}

static void
check_packed(json_t *req, size_t budget)
{
	msgpack_sbuffer sb;
	char err[256];

	msgpack_sbuffer_init(&sb);
	if (hook_pack_request(req, budget, &sb, err, sizeof err) == 0) {
		msgpack_unpacked up;
		size_t off = 0;

		if (sb.size > budget)
			abort();
		msgpack_unpacked_init(&up);
		if (msgpack_unpack_next(&up, sb.data, sb.size, &off) != MSGPACK_UNPACK_SUCCESS ||
		    off != sb.size || up.data.type != MSGPACK_OBJECT_MAP ||
		    depth_of(&up.data) + 3 > SG_MSG_MAX_DEPTH)
			abort();
		msgpack_unpacked_destroy(&up);
	}
	msgpack_sbuffer_destroy(&sb);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t budgets[] = { SG_MSG_CAP - 64, 65536, 4096, 512 };
	size_t budget;

	if (size == 0)
		return 0;
	budget = budgets[data[0] % 4];
	data++, size--;
	for (size_t i = 0; i < sizeof adapters / sizeof adapters[0]; i++) {
		enum hook_event ev;
		char err[600];
		json_t *req = hook_parse(adapters[i], (const char *)data, size, &ev, err, sizeof err);

		if (req == NULL)
			continue;
		if (ev == HOOK_EVENT_NONE || !json_is_string(json_object_get(req, "kind")) ||
		    !json_is_string(json_object_get(req, "req_id")) ||
		    !json_is_string(json_object_get(req, "session")) ||
		    !json_is_string(json_object_get(req, "agent")))
			abort();
		check_packed(req, budget);
		json_decref(req);
	}
	return 0;
}
