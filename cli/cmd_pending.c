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

static int64_t
int_of(const msgpack_object *map, const char *key, int64_t dflt)
{
	int64_t v;

	return rpc_get_int(rpc_map_get(map, key), INT64_MIN, INT64_MAX, &v) == 0 ? v : dflt;
}

/* The rank of a level name, low 0 to critical 3; -1 for anything else
 * (cmp_risk sorts that with critical, and print_row never cuts it). */
static int
level_of(const msgpack_object *name)
{
	static const char *const names[] = { "low", "medium", "high", "critical" };

	for (int i = 3; i >= 0; i--)
		if (rpc_str_eq(name, names[i]))
			return i;
	return -1;
}

static int
level_rank(const msgpack_object *risk)
{
	return level_of(rpc_map_get(risk, "level"));
}

/* Riskiest first: level, then score, then the oldest (lowest id). */
static int
cmp_risk(const void *pa, const void *pb)
{
	const msgpack_object *a = *(const msgpack_object *const *)pa, *b = *(const msgpack_object *const *)pb;
	const msgpack_object *ra = rpc_map_get(a, "risk"), *rb = rpc_map_get(b, "risk");
	int la = level_rank(ra), lb = level_rank(rb);
	int64_t sa = int_of(ra, "score", -1), sb = int_of(rb, "score", -1);
	int64_t ia = int_of(a, "id", 0), ib = int_of(b, "id", 0);

	/* an unknown level sorts with critical: a person must look at it */
	la = la < 0 ? 4 : la;
	lb = lb < 0 ? 4 : lb;
	if (la != lb)
		return lb - la;
	if (sa != sb)
		return sb > sa ? 1 : -1;
	return ia < ib ? -1 : ia > ib;
}

static void
print_row(const msgpack_object *r, int64_t now_ms)
{
	const msgpack_object *id = rpc_map_get(r, "id"), *created = rpc_map_get(r, "created_ms");
	const msgpack_object *kind = rpc_map_get(r, "kind"), *agent = rpc_map_get(r, "agent");
	const msgpack_object *sum = rpc_map_get(r, "summary"), *risk = rpc_map_get(r, "risk"), *pc;
	int64_t idv = 0, c = now_ms, score = int_of(risk, "score", -1);
	int rank = level_rank(risk);
	char *k, *a, *s, *lv = field(risk != NULL ? rpc_map_get(risk, "level") : NULL, 8);
	char *g = field(rpc_map_get(r, "group"), 8), sc[8] = "?";

	rpc_get_int(id, 0, INT64_MAX, &idv);
	rpc_get_int(created, 0, INT64_MAX, &c);
	if (score >= 0 && score <= 100)
		snprintf(sc, sizeof sc, "%lld", (long long)score);
	k = field(kind, 8);
	a = field(agent, 14);
	/* a critical request (or one of unknown level) is shown whole: nobody
	 * should approve what they could not read */
	s = field(sum, rank == 3 || rank < 0 ? 0 : 200);
	if (k != NULL && a != NULL && s != NULL && lv != NULL && g != NULL)
		printf("%-7lld %5llds  %-8s %5s  %-7s %-7s %-14s %s\n", (long long)idv,
		    (long long)((now_ms - c) / 1000), lv, sc, g, k, a, s);
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

/* What the group's label leaves out: members with other commands. */
static void
print_others(const msgpack_object *g, size_t width)
{
	const msgpack_object *o = rpc_map_get(g, "others");
	int64_t reqs, more;
	char *ex;

	if (o == NULL || o->type != MSGPACK_OBJECT_MAP || (reqs = int_of(o, "requests", 0)) <= 0)
		return;
	more = int_of(o, "more", 0);
	ex = field(rpc_map_get(o, "example"), width);
	if (int_of(g, "count", 0) <= 1)
		printf(" (+%lld more part%s: %s)", (long long)more, more == 1 ? "" : "s", ex != NULL ? ex : "?");
	else
		printf(" (%lld with more commands, e.g. %s)", (long long)reqs, ex != NULL ? ex : "?");
	free(ex);
}

/* The ceiling of an allow rule saved from a group's suggestion: the group's
 * level, at most high (PROTOCOL.md, decide with `rule`). */
static const char *
ceiling_of(int rank)
{
	static const char *const names[] = { "low", "medium", "high", "high" };

	return rank >= 0 && rank <= 3 ? names[rank] : "high";
}

/* The JSON group as the text shows it: each suggestion also has its
 * `number` (what --rule takes, from 1) and `ceiling`. */
static void
json_number_suggestions(json_t *jg, const msgpack_object *g)
{
	json_t *sg = json_object_get(jg, "suggestions"), *x;
	const char *ceiling = ceiling_of(level_of(rpc_map_get(g, "max_level")));
	size_t i;

	json_array_foreach(sg, i, x) {
		json_t *ix = json_object_get(x, "index");

		json_object_set_new(x, "number", json_integer(json_is_integer(ix) ? json_integer_value(ix) + 1
		    : (json_int_t)i + 1));
		json_t *ml = json_object_get(x, "max_level");

		json_object_set_new(x, "ceiling", json_is_string(ml) ? json_copy(ml) : json_string(ceiling));
	}
}

/* The members' ids, up to 20 ("+N more" after them). */
static void
print_members(const msgpack_object *g)
{
	const msgpack_object *ms = rpc_map_get(g, "members");
	int64_t count = int_of(g, "count", 0);
	uint32_t shown = 0;

	if (ms == NULL || ms->type != MSGPACK_OBJECT_ARRAY)
		return;
	printf("         members:");
	for (uint32_t i = 0; i < ms->via.array.size && shown < 20; i++) {
		int64_t id;

		if (rpc_get_int(&ms->via.array.ptr[i], 1, INT64_MAX, &id) == 0) {
			printf(" #%lld", (long long)id);
			shown++;
		}
	}
	if (count > (int64_t)shown)
		printf(" (+%lld more; --json lists every id)", (long long)(count - shown));
	putchar('\n');
}

static void
print_group(const msgpack_object *g, int64_t now_ms)
{
	const msgpack_object *sg = rpc_map_get(g, "suggestions");
	char *id = field(rpc_map_get(g, "id"), 10), *lvl = field(rpc_map_get(g, "max_level"), 8);
	int rank = level_of(rpc_map_get(g, "max_level"));
	/* a critical group's label is never cut (the broker bounds it: 1 KiB) */
	char *sess = field(rpc_map_get(g, "session"), 16);
	char *sig = field(rpc_map_get(g, "signature"), rank == 3 || rank < 0 ? 0 : 120);
	int64_t age = (now_ms - int_of(g, "oldest_ms", now_ms)) / 1000;
	/* a rule saved from a suggestion answers up to the group's level, at
	 * most high (PROTOCOL.md, decide with `rule`) */
	const char *ceiling = ceiling_of(rank);

	if (id != NULL && lvl != NULL && sess != NULL && sig != NULL) {
		printf("%-8s %5lld  %-8s %5llds  %-16s %s", id, (long long)int_of(g, "count", 0), lvl,
		    (long long)(age < 0 ? 0 : age), sess, sig);
		print_others(g, rank == 3 || rank < 0 ? 0 : 60);
		putchar('\n');
	}
	print_members(g);
	for (uint32_t i = 0; sg != NULL && sg->type == MSGPACK_OBJECT_ARRAY && i < sg->via.array.size; i++) {
		const msgpack_object *x = &sg->via.array.ptr[i], *ch = rpc_map_get(x, "covers_high");
		const msgpack_object *pr = rpc_map_get(x, "priced");
		char *pat = field(rpc_map_get(x, "pattern"), 120), *scope = field(rpc_map_get(x, "scope"), 12);
		bool priced = pr == NULL || pr->type != MSGPACK_OBJECT_BOOLEAN || pr->via.boolean;

		char *lv = field(rpc_map_get(x, "max_level"), 10);
		char *why = field(rpc_map_get(x, "reason"), 160);
		const msgpack_object *pin = rpc_map_get(x, "pin");
		int64_t ttl = int_of(x, "ttl", 0);
		char ttlb[32] = "";

		/* the terms saving it makes: scope, expiry, ceiling (issue #17) */
		if (ttl > 0)
			snprintf(ttlb, sizeof ttlb, ttl % 86400 == 0 ? ", %lld d" : ttl % 3600 == 0 ? ", %lld h" : ", %lld s",
			    (long long)(ttl % 86400 == 0 ? ttl / 86400 : ttl % 3600 == 0 ? ttl / 3600 : ttl));
		printf("         --rule %lld: %s  (%s scope%s, allow ≤%s%s; covers %s%lld%s%s)\n",
		    (long long)int_of(x, "index", i) + 1, pat != NULL ? pat : "?", scope != NULL ? scope : "?", ttlb,
		    lv != NULL ? lv : ceiling, pin != NULL && pin->type == MSGPACK_OBJECT_BOOLEAN && pin->via.boolean
		    ? ", pinned" : "",
		    priced ? "" : "at least ", (long long)int_of(x, "covers", 0), priced ? "" : ", still counting",
		    ch != NULL && ch->type == MSGPACK_OBJECT_BOOLEAN && ch->via.boolean
		    ? "; also matches a pending high or critical request" : "");
		if (why != NULL && strcmp(why, "-") != 0)
			printf("                  %s\n", why);
		free(pat);
		free(scope);
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

				json_number_suggestions(jg, g);
				if (more > 0 && (rc = more_members(c, id, more, jg)) != EXIT_OK) {
					json_decref(jg);
					break;
				}
				json_array_append_new(all, jg);
				continue;
			}
			if (printed++ == 0)
				printf("%-8s %5s  %-8s %6s  %-16s %s\n", "GROUP", "COUNT", "RISK", "AGE", "SESSION",
				    "LABEL");
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
	struct client_msg *pages = NULL;
	const msgpack_object **rows = NULL;
	size_t npages = 0, nrows = 0;
	int64_t now;
	sg_client *c;
	int rc = EXIT_OK;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--groups") == 0) {
			groups = true;
		} else {
			return cli_bad_arg("pending", argv[i]);
		}
	}
	if ((c = cli_connect("pending", ROLE_CONSOLE, 5000)) == NULL)
		return EXIT_UNREACHABLE;
	if (groups) {
		rc = run_groups(c, json);
		client_close(c);
		return rc;
	}
	now = wall_clock_ms();
	for (;;) {
		const msgpack_object *reqs, *next;
		int64_t nxt = -1;
		struct client_msg *pm;

		if ((pm = realloc(pages, (npages + 1) * sizeof *pages)) == NULL) {
			cli_err("pending", "out of memory");
			rc = EXIT_UNREACHABLE;
			break;
		}
		pages = pm;
		if ((rc = cli_call("pending", c, "list", pack_list, &pg, 30000, &pages[npages])) != EXIT_OK)
			break;
		reqs = rpc_map_get(pages[npages].msg.result, "requests");
		next = rpc_map_get(pages[npages].msg.result, "next");
		npages++;
		for (uint32_t i = 0; reqs != NULL && reqs->type == MSGPACK_OBJECT_ARRAY && i < reqs->via.array.size; i++) {
			const msgpack_object **nr = nrows % 256 == 0
			    ? realloc(rows, (nrows + 256) * sizeof *rows) : rows;

			if (nr == NULL) {
				cli_err("pending", "out of memory");
				rc = EXIT_UNREACHABLE;
				break;
			}
			rows = nr;
			rows[nrows++] = &reqs->via.array.ptr[i];
		}
		if (rc != EXIT_OK || next == NULL || rpc_get_int(next, 0, INT64_MAX, &nxt) < 0 || nxt <= pg.offset)
			break;
		pg.offset = nxt;
	}
	if (rc == EXIT_OK) {
		if (nrows > 1)
			qsort(rows, nrows, sizeof *rows, cmp_risk);
		if (json) {
			json_t *all = json_array();

			for (size_t i = 0; i < nrows; i++)
				json_array_append_new(all, mpjson_from_msgpack(rows[i]));
			cli_print_json(all);
			json_decref(all);
		} else if (nrows == 0) {
			printf("no pending requests\n");
		} else {
			printf("%-7s %6s  %-8s %5s  %-7s %-7s %-14s %s\n", "ID", "AGE", "RISK", "SCORE",
			    "GROUP", "KIND", "AGENT", "REQUEST");
			for (size_t i = 0; i < nrows; i++)
				print_row(rows[i], now);
		}
	}
	free(rows);
	for (size_t i = 0; i < npages; i++)
		client_msg_free(&pages[i]);
	free(pages);
	client_close(c);
	return rc;
}

const struct cli_cmd cmd_pending = {
	.name = "pending",
	.args = "[--groups] [--json]",
	.summary = "list requests waiting for a decision",
	.help =
	    "  --groups  list the groups instead, riskiest first: each with its label,\n"
	    "            members, highest level, and the rules it suggests, numbered\n"
	    "            from 1 as `sandgate decide g:GROUP allow --rule N` takes them\n"
	    "            (and as the console shows them), with the scope they are saved\n"
	    "            with (--scope changes it) and the ceiling of the allow rule\n"
	    "            (the group's level, at most high)\n"
	    "  --json    print a JSON array of the pending requests (or of the\n"
	    "            groups, with every member id, each suggestion with its\n"
	    "            `number` and `ceiling`) with all their fields\n"
	    "\n"
	    "Requests are listed riskiest first (level, then score, then the oldest).\n"
	    "Columns: id, age, risk level and score (0-100), group (decide a whole\n"
	    "group with `sandgate decide g:GROUP allow|deny`), kind, agent, request.\n"
	    "A critical request (and a critical group's label) is never cut; others are\n"
	    "cut at 200 columns (labels at 120) and say how much they leave out.  With\n"
	    "--groups: group, count, highest risk, age of the oldest member, session,\n"
	    "label.\n"
	    "Text from agents is shown with control characters and invisible Unicode\n"
	    "escaped; runs of whitespace are collapsed (16 or more shown as a count,\n"
	    "e.g. \"⟨200 spaces⟩\") and a cut says how many bytes it leaves out, e.g.\n"
	    "\"…(+312 bytes)\".  Exit status: 0, or 3 if the broker is unreachable.\n",
	.run = run,
};
