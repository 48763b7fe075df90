/* cmd_pending.c -- `sandgate pending`: list requests waiting for a decision. */
#include "cli/cli.h"
#include "tui/text.h"
#include "proto/wallclock.h"

#include <stdlib.h>
#include <string.h>

struct page {
	int64_t offset;
};

static void
pack_list(msgpack_packer *pk, void *arg)
{
	struct page *pg = arg;

	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 2);
	rpc_pack_kv_int(pk, "offset", pg->offset);
	rpc_pack_kv_int(pk, "limit", 1000);
}

/* A short string field of the broker's, escaped; "-" when absent. */
static char *
field(const msgpack_object *o, size_t width)
{
	if (o == NULL || o->type != MSGPACK_OBJECT_STR)
		return strdup("-");
	return text_escape(o->via.str.ptr, o->via.str.size, width, NULL);
}

static void
print_row(const msgpack_object *r, int64_t now_ms)
{
	const msgpack_object *id = rpc_map_get(r, "id"), *created = rpc_map_get(r, "created_ms");
	const msgpack_object *kind = rpc_map_get(r, "kind"), *agent = rpc_map_get(r, "agent");
	const msgpack_object *sum = rpc_map_get(r, "summary"), *risk = rpc_map_get(r, "risk");
	int64_t idv = 0, c = now_ms;
	char *k, *a, *s, *lv = field(risk != NULL ? rpc_map_get(risk, "level") : NULL, 8);
	char *g = field(rpc_map_get(r, "group"), 8);

	rpc_get_int(id, 0, INT64_MAX, &idv);
	rpc_get_int(created, 0, INT64_MAX, &c);
	k = text_escape(kind && kind->type == MSGPACK_OBJECT_STR ? kind->via.str.ptr : "", kind && kind->type == MSGPACK_OBJECT_STR ? kind->via.str.size : 0, 8, NULL);
	a = text_escape(agent && agent->type == MSGPACK_OBJECT_STR ? agent->via.str.ptr : "", agent && agent->type == MSGPACK_OBJECT_STR ? agent->via.str.size : 0, 14, NULL);
	s = text_escape(sum && sum->type == MSGPACK_OBJECT_STR ? sum->via.str.ptr : "", sum && sum->type == MSGPACK_OBJECT_STR ? sum->via.str.size : 0, 200, NULL);
	if (k != NULL && a != NULL && s != NULL && lv != NULL && g != NULL)
		printf("%-7lld %5llds  %-8s %-7s %-7s %-14s %s\n", (long long)idv,
		    (long long)((now_ms - c) / 1000), lv, g, k, a, s);
	free(lv);
	free(g);
	free(k);
	free(a);
	free(s);
}

static int
run(int argc, char **argv)
{
	bool json = argc > 1 && strcmp(argv[1], "--json") == 0;
	struct page pg = { 0 };
	json_t *all;
	int64_t now;
	sg_client *c;
	int rc = EXIT_OK, printed = 0;

	if (argc > (json ? 2 : 1)) {
		cli_err("pending", "unexpected argument '%s'", argv[json ? 2 : 1]);
		return EXIT_USAGE;
	}
	if ((c = cli_connect("pending", ROLE_CONSOLE, 5000)) == NULL)
		return EXIT_UNREACHABLE;
	all = json_array();
	now = wall_clock_ms();
	for (;;) {
		struct client_msg m;
		const msgpack_object *reqs, *next;
		int64_t nxt = -1;

		if ((rc = cli_call("pending", c, "list", pack_list, &pg, 30000, &m)) != EXIT_OK)
			break;
		reqs = rpc_map_get(m.msg.result, "requests");
		next = rpc_map_get(m.msg.result, "next");
		for (uint32_t i = 0; reqs != NULL && reqs->type == MSGPACK_OBJECT_ARRAY && i < reqs->via.array.size; i++) {
			if (json) {
				json_array_append_new(all, mpjson_from_msgpack(&reqs->via.array.ptr[i]));
			} else {
				if (printed++ == 0)
					printf("%-7s %6s  %-8s %-7s %-7s %-14s %s\n", "ID", "AGE", "RISK",
					    "GROUP", "KIND", "AGENT", "REQUEST");
				print_row(&reqs->via.array.ptr[i], now);
			}
		}
		if (next == NULL || rpc_get_int(next, 0, INT64_MAX, &nxt) < 0 || nxt <= pg.offset) {
			client_msg_free(&m);
			break;
		}
		pg.offset = nxt;
		client_msg_free(&m);
	}
	if (rc == EXIT_OK && json)
		cli_print_json(all);
	else if (rc == EXIT_OK && printed == 0)
		printf("no pending requests\n");
	json_decref(all);
	client_close(c);
	return rc;
}

const struct cli_cmd cmd_pending = {
	.name = "pending",
	.args = "[--json]",
	.summary = "list requests waiting for a decision",
	.help =
	    "  --json   print a JSON array of the pending requests (all fields)\n"
	    "\n"
	    "Columns: id, age, risk level, group (decide a whole group with\n"
	    "`sandgate decide g:GROUP allow|deny`), kind, agent, request.\n"
	    "Text from agents is shown with control characters and invisible Unicode\n"
	    "escaped.  Exit status: 0, or 3 if the broker is unreachable.\n",
	.run = run,
};
