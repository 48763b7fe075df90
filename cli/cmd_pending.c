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

/* A string field of the broker's for one line: escaped, whitespace
 * collapsed, a cut saying how much is left out (text_oneline); "-" when
 * absent. */
static char *
field(const msgpack_object *o, size_t width)
{
	if (o == NULL || o->type != MSGPACK_OBJECT_STR)
		return strdup("-");
	return text_oneline(o->via.str.ptr, o->via.str.size, width, NULL);
}

static void
print_row(const msgpack_object *r, int64_t now_ms)
{
	const msgpack_object *id = rpc_map_get(r, "id"), *created = rpc_map_get(r, "created_ms");
	const msgpack_object *kind = rpc_map_get(r, "kind"), *agent = rpc_map_get(r, "agent");
	const msgpack_object *sum = rpc_map_get(r, "summary"), *risk = rpc_map_get(r, "risk"), *pc;
	int64_t idv = 0, c = now_ms;
	char *k, *a, *s, *lv = field(risk != NULL ? rpc_map_get(risk, "level") : NULL, 8);
	char *g = field(rpc_map_get(r, "group"), 8);

	rpc_get_int(id, 0, INT64_MAX, &idv);
	rpc_get_int(created, 0, INT64_MAX, &c);
	k = field(kind, 8);
	a = field(agent, 14);
	s = field(sum, 200);
	if (k != NULL && a != NULL && s != NULL && lv != NULL && g != NULL)
		printf("%-7lld %5llds  %-8s %-7s %-7s %-14s %s\n", (long long)idv,
		    (long long)((now_ms - c) / 1000), lv, g, k, a, s);
	/* issue #17: asked again because a pinned file changed */
	if ((pc = rpc_map_get(r, "pin_changed")) != NULL && pc->type == MSGPACK_OBJECT_MAP) {
		char *t = field(rpc_map_get(pc, "text"), 200);

		if (t != NULL)
			printf("%-7s %6s  %s\n", "", "", t);
		free(t);
	}
	free(lv);
	free(g);
	free(k);
	free(a);
	free(s);
}

/* ---- --groups ---- */

struct gpage {
	int64_t offset, members_offset;
	const char *id; /* a member slice of this group, else a page of groups */
};

static void
pack_groups(msgpack_packer *pk, void *arg)
{
	struct gpage *pg = arg;

	msgpack_pack_array(pk, 1);
	if (pg->id != NULL) {
		msgpack_pack_map(pk, 3);
		rpc_pack_str(pk, "ids");
		msgpack_pack_array(pk, 1);
		rpc_pack_str(pk, pg->id);
		rpc_pack_kv_int(pk, "members_offset", pg->members_offset);
		rpc_pack_kv_int(pk, "members", 10000);
		return;
	}
	msgpack_pack_map(pk, 3);
	rpc_pack_kv_int(pk, "offset", pg->offset);
	rpc_pack_kv_int(pk, "limit", 200);
	rpc_pack_kv_int(pk, "members", 10000);
}

static int64_t
int_of(const msgpack_object *map, const char *key, int64_t dflt)
{
	int64_t v;

	return rpc_get_int(rpc_map_get(map, key), INT64_MIN, INT64_MAX, &v) == 0 ? v : dflt;
}

/* What the group's label leaves out: members with other commands. */
static void
print_others(const msgpack_object *g)
{
	const msgpack_object *o = rpc_map_get(g, "others");
	int64_t reqs, more;
	char *ex;

	if (o == NULL || o->type != MSGPACK_OBJECT_MAP || (reqs = int_of(o, "requests", 0)) <= 0)
		return;
	more = int_of(o, "more", 0);
	ex = field(rpc_map_get(o, "example"), 60);
	if (int_of(g, "count", 0) <= 1)
		printf(" (+%lld more part%s: %s)", (long long)more, more == 1 ? "" : "s", ex != NULL ? ex : "?");
	else
		printf(" (%lld with more commands, e.g. %s)", (long long)reqs, ex != NULL ? ex : "?");
	free(ex);
}

static void
print_group(const msgpack_object *g, int64_t now_ms)
{
	const msgpack_object *sg = rpc_map_get(g, "suggestions");
	char *id = field(rpc_map_get(g, "id"), 10), *lvl = field(rpc_map_get(g, "max_level"), 8);
	char *sess = field(rpc_map_get(g, "session"), 16), *sig = field(rpc_map_get(g, "signature"), 120);
	int64_t age = (now_ms - int_of(g, "oldest_ms", now_ms)) / 1000;

	if (id != NULL && lvl != NULL && sess != NULL && sig != NULL) {
		printf("%-8s %5lld  %-8s %5llds  %-16s %s", id, (long long)int_of(g, "count", 0), lvl,
		    (long long)(age < 0 ? 0 : age), sess, sig);
		print_others(g);
		putchar('\n');
	}
	for (uint32_t i = 0; sg != NULL && sg->type == MSGPACK_OBJECT_ARRAY && i < sg->via.array.size; i++) {
		const msgpack_object *x = &sg->via.array.ptr[i], *ch = rpc_map_get(x, "covers_high");
		const msgpack_object *pr = rpc_map_get(x, "priced");
		char *pat = field(rpc_map_get(x, "pattern"), 120);
		bool priced = pr == NULL || pr->type != MSGPACK_OBJECT_BOOLEAN || pr->via.boolean;

		char *sc = field(rpc_map_get(x, "scope"), 12), *lv = field(rpc_map_get(x, "max_level"), 10);
		char *why = field(rpc_map_get(x, "reason"), 160);
		const msgpack_object *pin = rpc_map_get(x, "pin");
		int64_t ttl = int_of(x, "ttl", 0);
		char ttlb[32] = "no expiry";

		if (ttl > 0)
			snprintf(ttlb, sizeof ttlb, ttl % 86400 == 0 ? "%lld d" : ttl % 3600 == 0 ? "%lld h" : "%lld s",
			    (long long)(ttl % 86400 == 0 ? ttl / 86400 : ttl % 3600 == 0 ? ttl / 3600 : ttl));
		printf("         --rule %lld: %s  [%s, %s, up to %s%s]  (covers %s%lld%s%s)\n",
		    (long long)int_of(x, "index", i) + 1, pat != NULL ? pat : "?", sc != NULL ? sc : "?", ttlb,
		    lv != NULL ? lv : "?", pin != NULL && pin->type == MSGPACK_OBJECT_BOOLEAN && pin->via.boolean
		    ? ", pinned" : "",
		    priced ? "" : "at least ", (long long)int_of(x, "covers", 0), priced ? "" : ", still counting",
		    ch != NULL && ch->type == MSGPACK_OBJECT_BOOLEAN && ch->via.boolean
		    ? "; also matches a pending high or critical request" : "");
		if (why != NULL && strcmp(why, "-") != 0)
			printf("                  %s\n", why);
		free(pat);
		free(sc);
		free(lv);
		free(why);
	}
	free(id);
	free(lvl);
	free(sess);
	free(sig);
}

/* The rest of a group's member ids (beyond the first page's slice), into
 * the JSON group. */
static int
more_members(sg_client *c, const char *id, int64_t from, json_t *jg)
{
	json_t *mem = json_object_get(jg, "members");
	struct gpage pg = { 0, from, id };

	while (pg.members_offset > 0) {
		struct client_msg m;
		const msgpack_object *gl, *g0, *ms;
		int rc = cli_call("pending", c, "groups", pack_groups, &pg, 30000, &m);

		if (rc != EXIT_OK)
			return rc;
		gl = rpc_map_get(m.msg.result, "groups");
		if (gl == NULL || gl->type != MSGPACK_OBJECT_ARRAY || gl->via.array.size == 0) {
			client_msg_free(&m); /* decided meanwhile */
			break;
		}
		g0 = &gl->via.array.ptr[0];
		ms = rpc_map_get(g0, "members");
		for (uint32_t i = 0; ms != NULL && ms->type == MSGPACK_OBJECT_ARRAY && i < ms->via.array.size; i++)
			json_array_append_new(mem, mpjson_from_msgpack(&ms->via.array.ptr[i]));
		pg.members_offset = int_of(g0, "members_next", -1);
		client_msg_free(&m);
	}
	json_object_set_new(jg, "members_next", json_integer(-1));
	return EXIT_OK;
}

/* `pending --groups`: every group, page by page, riskiest first. */
static int
run_groups(sg_client *c, bool json)
{
	struct gpage pg = { 0, 0, NULL };
	json_t *all = json_array(), *seen = json_object();
	int64_t now = wall_clock_ms();
	int rc = EXIT_OK, printed = 0;

	for (;;) {
		struct client_msg m;
		const msgpack_object *gl;
		int64_t next;

		if ((rc = cli_call("pending", c, "groups", pack_groups, &pg, 30000, &m)) != EXIT_OK)
			break;
		gl = rpc_map_get(m.msg.result, "groups");
		for (uint32_t i = 0; gl != NULL && gl->type == MSGPACK_OBJECT_ARRAY && i < gl->via.array.size; i++) {
			const msgpack_object *g = &gl->via.array.ptr[i], *ido = rpc_map_get(g, "id");
			char id[32];

			if (ido == NULL || ido->type != MSGPACK_OBJECT_STR || ido->via.str.size >= sizeof id)
				continue;
			snprintf(id, sizeof id, "%.*s", (int)ido->via.str.size, ido->via.str.ptr);
			if (json_object_get(seen, id) != NULL)
				continue; /* it moved up between two pages */
			json_object_set_new(seen, id, json_true());
			if (json) {
				json_t *jg = mpjson_from_msgpack(g);
				int64_t more = int_of(g, "members_next", -1);

				if (more > 0 && (rc = more_members(c, id, more, jg)) != EXIT_OK) {
					json_decref(jg);
					break;
				}
				json_array_append_new(all, jg);
				continue;
			}
			if (printed++ == 0)
				printf("%-8s %5s  %-8s %6s  %-16s %s\n", "GROUP", "COUNT", "RISK", "AGE", "SESSION",
				    "SIGNATURE");
			print_group(g, now);
		}
		next = int_of(m.msg.result, "next", -1);
		client_msg_free(&m);
		if (rc != EXIT_OK || next <= pg.offset)
			break;
		pg.offset = next;
	}
	if (rc == EXIT_OK && json)
		cli_print_json(all);
	else if (rc == EXIT_OK && printed == 0)
		printf("no pending requests\n");
	json_decref(all);
	json_decref(seen);
	return rc;
}

static int
run(int argc, char **argv)
{
	bool json = false, groups = false;
	struct page pg = { 0 };
	json_t *all;
	int64_t now;
	sg_client *c;
	int rc = EXIT_OK, printed = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--groups") == 0) {
			groups = true;
		} else {
			cli_err("pending", "unexpected argument '%s'", argv[i]);
			return EXIT_USAGE;
		}
	}
	if ((c = cli_connect("pending", ROLE_CONSOLE, 5000)) == NULL)
		return EXIT_UNREACHABLE;
	if (groups) {
		rc = run_groups(c, json);
		client_close(c);
		return rc;
	}
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
	.args = "[--groups] [--json]",
	.summary = "list requests waiting for a decision",
	.help =
	    "  --groups  list the groups instead, riskiest first, each with the rules\n"
	    "            it suggests (`sandgate decide g:GROUP allow --rule N`)\n"
	    "  --json    print a JSON array of the pending requests (or of the\n"
	    "            groups, with every member id) with all their fields\n"
	    "\n"
	    "Columns: id, age, risk level, group (decide a whole group with\n"
	    "`sandgate decide g:GROUP allow|deny`), kind, agent, request.  With\n"
	    "--groups: group, count, highest risk, age of the oldest member, session,\n"
	    "signature.\n"
	    "Text from agents is shown with control characters and invisible Unicode\n"
	    "escaped; runs of whitespace are collapsed (16 or more shown as a count,\n"
	    "e.g. \"⟨200 spaces⟩\") and a cut says how many bytes it leaves out, e.g.\n"
	    "\"…(+312 bytes)\".  Exit status: 0, or 3 if the broker is unreachable.\n",
	.run = run,
};
