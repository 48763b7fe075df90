/* fuzz_hook.c -- libFuzzer target for the agent hook adapters: raw bytes as
 * Claude Code, Codex and Gemini hook input go through hook_parse (JSON ->
 * request map), and every map that comes out is packed with
 * hook_pack_request under a budget that the first input byte picks.  Checks:
 * a parsed request always has the protocol's required fields; `files`
 * entries are well formed ({path, op read|write|edit|delete, glob?}, at most
 * 4096, files_total counting the rest); the packed map is one complete
 * msgpack object within the budget and the protocol's nesting limit; and no
 * judged field is ever cut: the packed map carries each one byte for byte,
 * or it is the small `oversized` notice naming one of them, without any
 * judged payload. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/hook.h"
#include "proto/mpjson.h"
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

static const char *const judged[] = {
	"command", "argv", "path", "files", "url", "host", "port", "method", "server", "tool",
	"arguments", "query", "cwd", "workspace",
};

static void
check_files(json_t *req)
{
	json_t *files = json_object_get(req, "files"), *e, *total = json_object_get(req, "files_total");
	size_t i;

	if (files == NULL) {
		if (total != NULL)
			abort();
		return;
	}
	if (!json_is_array(files) || json_array_size(files) == 0 || json_array_size(files) > HOOK_FILES_MAX)
		abort();
	if (total != NULL && (!json_is_integer(total) || json_integer_value(total) <= HOOK_FILES_MAX))
		abort();
	json_array_foreach(files, i, e) {
		const char *op = json_string_value(json_object_get(e, "op"));
		json_t *p = json_object_get(e, "path"), *g = json_object_get(e, "glob");

		if (!json_is_string(p) || json_string_length(p) == 0 ||
		    strlen(json_string_value(p)) != json_string_length(p) || op == NULL ||
		    (strcmp(op, "read") != 0 && strcmp(op, "write") != 0 && strcmp(op, "edit") != 0 &&
		        strcmp(op, "delete") != 0) ||
		    (g != NULL && !json_is_true(g)) || json_object_size(e) != (g != NULL ? 3u : 2u))
			abort();
	}
}

static void
check_packed(json_t *req, size_t budget)
{
	msgpack_sbuffer sb;
	char err[256];
	int rc;

	msgpack_sbuffer_init(&sb);
	if ((rc = hook_pack_request(req, budget, &sb, err, sizeof err)) >= 0) {
		msgpack_unpacked up;
		size_t off = 0;
		json_t *got;

		if (sb.size > budget)
			abort();
		msgpack_unpacked_init(&up);
		if (msgpack_unpack_next(&up, sb.data, sb.size, &off) != MSGPACK_UNPACK_SUCCESS ||
		    off != sb.size || up.data.type != MSGPACK_OBJECT_MAP ||
		    depth_of(&up.data) + 3 > SG_MSG_MAX_DEPTH)
			abort();
		got = mpjson_from_msgpack(&up.data);
		for (size_t i = 0; i < sizeof judged / sizeof judged[0]; i++) {
			json_t *want = json_object_get(req, judged[i]), *have = json_object_get(got, judged[i]);

			if (rc == 0 && want != NULL && !json_equal(want, have))
				abort(); /* a judged field was cut or changed */
			if (rc == 1 && have != NULL && strcmp(judged[i], "cwd") != 0 &&
			    strcmp(judged[i], "workspace") != 0)
				abort(); /* the notice carries a judged payload */
		}
		if (rc == 1) {
			const char *f = json_string_value(json_object_get(json_object_get(got, "oversized"), "field"));

			if (f == NULL || json_object_get(req, f) == NULL)
				abort();
		}
		json_decref(got);
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
		check_files(req);
		check_packed(req, budget);
		json_decref(req);
	}
	return 0;
}
