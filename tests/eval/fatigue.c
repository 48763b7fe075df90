/* fatigue.c -- the approval-fatigue evaluation (issue #4).
 *
 * Replays real agent sessions (../shared/corpus/traces.jsonl) session by
 * session through a running broker: an agent connection submits every tool
 * call of the session, and a scripted reviewer works through the groups the
 * console is shown, riskiest first: a low or medium group is allowed by
 * accepting its narrowest suggestion as a session rule (which may release
 * other queued requests at once); a high or critical group is decided once
 * without a rule (high allowed, critical denied).  Prints human decisions
 * per 100 tool calls next to per-command prompting (one prompt per
 * non-read-only tool call), and how many high or critical requests were
 * allowed without a person (must be 0: the exit status says so; with
 * SG_FATIGUE_MAX=N it also fails above N decisions per 100 tool calls).
 *
 * Usage: fatigue TRACES.jsonl   (with SANDGATE_DIR pointing at the broker) */
#include "broker/config.h"
#include "broker/intent/assess.h"
#include "broker/intent/workspace.h"
#include "proto/client.h"
#include "proto/paths.h"
#include "proto/rpc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUNDS 2000

struct call {
	json_t *row;
	int64_t id;        /* broker request id, 0 if refused */
	int level;         /* 0 low .. 3 critical, from the scorer */
};

struct session {
	char *name;
	struct call *calls;
	size_t n, cap;
};

struct totals {
	size_t calls, baseline, refused, sessions;
	size_t decisions, decided_by_person, by_rule_allow, by_rule_deny;
	size_t high, high_auto_allowed, timeouts;
	size_t group_rules;
};

static const char *const read_only_tools[] = {
	"read", "search", "todo", "task", "bash_output", "submit",
};

static bool
read_only(const char *tool)
{
	for (size_t i = 0; i < sizeof read_only_tools / sizeof read_only_tools[0]; i++)
		if (strcmp(tool, read_only_tools[i]) == 0)
			return true;
	return false;
}

static const char *
jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

/* Pack the submit map of one trace row; returns the number of keys packed
 * into a map started by the caller, via pack. */
static void
pack_request(msgpack_packer *pk, json_t *row, const char *session, int64_t seq, bool wait_flag)
{
	const char *tool = jstr(row, "tool"), *cwd = jstr(row, "cwd"), *raw = jstr(row, "raw_tool");
	const char *cmd = jstr(row, "command"), *path = jstr(row, "path"), *url = jstr(row, "url");
	const char *kind = "other";
	char req_id[32], server[128] = "", mcptool[128] = "";
	char agent[129];
	int n = 6;

	if (*cwd == '\0')
		cwd = "/testbed";
	if (strcmp(tool, "bash") == 0 && *cmd != '\0')
		kind = "exec";
	else if ((strcmp(tool, "read") == 0 || strcmp(tool, "search") == 0))
		kind = "read", path = *path ? path : cwd;
	else if (strcmp(tool, "write") == 0 && *path)
		kind = "write";
	else if (strcmp(tool, "edit") == 0 && *path)
		kind = "edit";
	else if (strcmp(tool, "web") == 0 && *url)
		kind = "net";
	else if (strcmp(tool, "mcp") == 0 && strncmp(raw, "mcp__", 5) == 0 && strstr(raw + 5, "__") != NULL) {
		const char *sep = strstr(raw + 5, "__");

		kind = "mcp";
		snprintf(server, sizeof server, "%.*s", (int)(sep - raw - 5), raw + 5);
		snprintf(mcptool, sizeof mcptool, "%s", sep + 2);
	}
	snprintf(req_id, sizeof req_id, "%lld", (long long)seq);
	snprintf(agent, sizeof agent, "%s", jstr(row, "agent"));
	if (*agent == '\0')
		snprintf(agent, sizeof agent, "trace");
	if (strcmp(kind, "exec") == 0 || strcmp(kind, "read") == 0 || strcmp(kind, "write") == 0 ||
	    strcmp(kind, "edit") == 0 || strcmp(kind, "net") == 0 || strcmp(kind, "other") == 0)
		n += 1;
	else
		n += 2;
	n += wait_flag;
	msgpack_pack_map(pk, (size_t)n);
	rpc_pack_kv_str(pk, "req_id", req_id);
	rpc_pack_kv_str(pk, "agent", agent);
	rpc_pack_kv_str(pk, "session", session);
	rpc_pack_kv_str(pk, "kind", kind);
	rpc_pack_kv_str(pk, "cwd", cwd);
	rpc_pack_kv_str(pk, "workspace", cwd);
	if (strcmp(kind, "exec") == 0)
		rpc_pack_kv_str(pk, "command", cmd);
	else if (strcmp(kind, "net") == 0)
		rpc_pack_kv_str(pk, "url", url);
	else if (strcmp(kind, "mcp") == 0) {
		rpc_pack_kv_str(pk, "server", server);
		rpc_pack_kv_str(pk, "tool", mcptool);
	} else if (strcmp(kind, "other") == 0)
		rpc_pack_kv_str(pk, "tool_name", *raw ? raw : tool);
	else
		rpc_pack_kv_str(pk, "path", path);
	if (wait_flag)
		rpc_pack_kv_bool(pk, "wait", false);
}

/* The scorer's level of a row, as the broker will see it. */
static int
level_of(const assess_tables *t, json_t *row, const char *session)
{
	msgpack_sbuffer sb, out;
	msgpack_packer pk, opk;
	msgpack_unpacked up;
	struct assess_result ar;
	size_t off = 0;
	int level = 3;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	pack_request(&pk, row, session, 0, false);
	msgpack_unpacked_init(&up);
	msgpack_sbuffer_init(&out);
	msgpack_packer_init(&opk, &out, msgpack_sbuffer_write);
	if (msgpack_unpack_next(&up, sb.data, sb.size, &off) == MSGPACK_UNPACK_SUCCESS &&
	    assess_request(t, &up.data, &opk, &ar) == 0)
		level = strcmp(ar.level, "low") == 0 ? 0 : strcmp(ar.level, "medium") == 0 ? 1 :
		    strcmp(ar.level, "high") == 0 ? 2 : 3;
	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&sb);
	msgpack_sbuffer_destroy(&out);
	return level;
}

struct call_args {
	json_t *row;
	const char *session;
	int64_t seq;
	const char *group, *decision;
	int rule;
};

static void
pack_submit(msgpack_packer *pk, void *arg)
{
	struct call_args *a = arg;

	msgpack_pack_array(pk, 1);
	pack_request(pk, a->row, a->session, a->seq, true);
}

static void
pack_group_decide(msgpack_packer *pk, void *arg)
{
	struct call_args *a = arg;

	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, a->rule >= 0 ? 5 : 3);
	rpc_pack_kv_str(pk, "group", a->group);
	rpc_pack_kv_str(pk, "decision", a->decision);
	rpc_pack_kv_str(pk, "reviewer", "scripted-reviewer");
	if (a->rule >= 0) {
		rpc_pack_kv_int(pk, "rule", a->rule);
		rpc_pack_kv_str(pk, "scope", "session");
	}
}

static void
pack_empty(msgpack_packer *pk, void *arg)
{
	(void)arg;
	msgpack_pack_array(pk, 0);
}

static void
pack_id(msgpack_packer *pk, void *arg)
{
	msgpack_pack_array(pk, 1);
	msgpack_pack_int64(pk, *(int64_t *)arg);
}

/* One call; 0 and *out (caller frees) on a result, -1 on an error reply, -2
 * when the connection failed. */
static int
call(sg_client *c, const char *method, void (*pack)(msgpack_packer *, void *), void *arg,
    struct client_msg *out)
{
	uint32_t id;
	msgpack_packer *pk = client_begin(c, method, &id);
	size_t elen;
	const char *e;

	pack(pk, arg);
	if (client_send(c, 30000) < 0 || client_wait(c, id, 120000, out) < 0) {
		fprintf(stderr, "fatigue: %s: %s\n", method, client_error(c));
		return -2;
	}
	if ((e = client_msg_error(out, &elen)) != NULL) {
		client_msg_free(out);
		return -1;
	}
	return 0;
}

static int
level_name(const msgpack_object *o)
{
	return rpc_str_eq(o, "low") ? 0 : rpc_str_eq(o, "medium") ? 1 : rpc_str_eq(o, "high") ? 2 : 3;
}

/* The reviewer works through the groups until nothing of the session is
 * pending; returns the number of decisions, or -1. */
static long
review(sg_client *console, struct totals *t)
{
	long decisions = 0;

	for (int round = 0; round < MAX_ROUNDS; round++) {
		struct client_msg m, d;
		const msgpack_object *gl, *g, *sg;
		struct call_args a = { .rule = -1 };
		char gid[32];
		int level;

		if (call(console, "groups", pack_empty, NULL, &m) != 0)
			return -1;
		gl = rpc_map_get(m.msg.result, "groups");
		if (gl == NULL || gl->type != MSGPACK_OBJECT_ARRAY || gl->via.array.size == 0) {
			client_msg_free(&m);
			return decisions;
		}
		g = &gl->via.array.ptr[0];
		snprintf(gid, sizeof gid, "%.*s", (int)rpc_map_get(g, "id")->via.str.size,
		    rpc_map_get(g, "id")->via.str.ptr);
		level = level_name(rpc_map_get(g, "max_level"));
		sg = rpc_map_get(g, "suggestions");
		if (getenv("SG_FATIGUE_VERBOSE") != NULL) {
			const msgpack_object *sig = rpc_map_get(g, "signature"), *cnt = rpc_map_get(g, "count");
			const msgpack_object *p0 = sg != NULL && sg->type == MSGPACK_OBJECT_ARRAY && sg->via.array.size > 0
			    ? rpc_map_get(&sg->via.array.ptr[0], "pattern") : NULL;

			fprintf(stderr, "group %s x%lld [%d]: %.*s -> %.*s\n", gid, (long long)cnt->via.u64, level,
			    (int)sig->via.str.size, sig->via.str.ptr, p0 ? (int)p0->via.str.size : 1,
			    p0 ? p0->via.str.ptr : "-");
		}
		a.group = gid;
		if (level <= 1 && sg != NULL && sg->type == MSGPACK_OBJECT_ARRAY && sg->via.array.size > 0) {
			a.decision = "allow";
			a.rule = 0;
			t->group_rules++;
		} else {
			a.decision = level == 3 ? "deny" : "allow";
		}
		client_msg_free(&m);
		if (call(console, "decide", pack_group_decide, &a, &d) == -2)
			return -1;
		if (d.msg.result != NULL)
			client_msg_free(&d);
		decisions++;
	}
	fprintf(stderr, "fatigue: the reviewer gave up after %d rounds\n", MAX_ROUNDS);
	return -1;
}

static int
replay(struct session *s, const assess_tables *tables, sg_client *console, struct totals *t)
{
	char err[256], *dir = paths_runtime_dir(), *path = dir ? paths_join(dir, "agent.sock") : NULL;
	sg_client *agent = path ? client_connect(path, ROLE_AGENT, "fatigue-agent", 5000, err, sizeof err) : NULL;
	long decisions;

	free(dir);
	free(path);
	if (agent == NULL) {
		fprintf(stderr, "fatigue: cannot connect as an agent: %s\n", err);
		return -1;
	}
	for (size_t i = 0; i < s->n; i++) {
		struct call_args a = { .row = s->calls[i].row, .session = s->name, .seq = (int64_t)i };
		struct client_msg m;
		int64_t id = 0;
		int rc = call(agent, "submit", pack_submit, &a, &m);

		s->calls[i].level = level_of(tables, s->calls[i].row, s->name);
		if (rc == -2)
			goto fail;
		if (rc == -1) {
			t->refused++;
			continue;
		}
		rpc_get_int(rpc_map_get(m.msg.result, "id"), 1, INT64_MAX, &id);
		s->calls[i].id = id;
		client_msg_free(&m);
	}
	if ((decisions = review(console, t)) < 0)
		goto fail;
	t->decisions += (size_t)decisions;
	for (size_t i = 0; i < s->n; i++) {
		struct client_msg m;
		const msgpack_object *by, *dec;

		if (s->calls[i].id == 0)
			continue;
		if (call(agent, "wait", pack_id, &s->calls[i].id, &m) != 0)
			goto fail;
		by = rpc_map_get(m.msg.result, "by");
		dec = rpc_map_get(m.msg.result, "decision");
		if (s->calls[i].level >= 2)
			t->high++;
		if (rpc_str_eq(by, "rule")) {
			if (rpc_str_eq(dec, "allow")) {
				t->by_rule_allow++;
				if (s->calls[i].level >= 2)
					t->high_auto_allowed++;
			} else {
				t->by_rule_deny++;
			}
		} else if (rpc_str_eq(by, "reviewer")) {
			t->decided_by_person++;
		} else {
			t->timeouts++;
		}
		client_msg_free(&m);
	}
	client_close(agent);
	return 0;
fail:
	client_close(agent);
	return -1;
}

static struct session *
find_session(struct session **v, size_t *n, size_t *cap, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].name, name) == 0)
			return &(*v)[i];
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = realloc(*v, *cap * sizeof **v);
	}
	memset(&(*v)[*n], 0, sizeof **v);
	(*v)[*n].name = strdup(name);
	return &(*v)[(*n)++];
}

int
main(int argc, char **argv)
{
	FILE *f;
	char *line = NULL, err[256], *dir, *path;
	size_t cap = 0, nsess = 0, capsess = 0;
	struct session *sess = NULL;
	struct totals t = { 0 };
	assess_tables *tables;
	sg_client *console;

	if (argc != 2) {
		fprintf(stderr, "usage: fatigue TRACES.jsonl\n");
		return 2;
	}
	if ((f = fopen(argv[1], "r")) == NULL) {
		perror(argv[1]);
		return 2;
	}
	while (getline(&line, &cap, f) > 0) {
		json_error_t je;
		json_t *row = json_loads(line, 0, &je);
		struct session *s;

		if (row == NULL || !json_is_object(row))
			continue;
		s = find_session(&sess, &nsess, &capsess, jstr(row, "session"));
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 32;
			s->calls = realloc(s->calls, s->cap * sizeof *s->calls);
		}
		s->calls[s->n++] = (struct call){ .row = row };
		t.calls++;
		if (!read_only(jstr(row, "tool")))
			t.baseline++;
	}
	free(line);
	fclose(f);
	if ((tables = assess_tables_load(NULL, err, sizeof err)) == NULL) {
		fprintf(stderr, "fatigue: %s\n", err);
		return 2;
	}
	{
		/* judge levels with the broker's workspaces (its `workspaces` setting) */
		struct config c;
		struct ws_list wl = { .n = 0 };
		char *cdir = paths_config_dir(), *cpath = cdir != NULL ? paths_join(cdir, "config") : NULL;
		int rc;

		config_defaults(&c);
		rc = cpath == NULL || config_load(&c, cpath, err, sizeof err) < 0 ||
		     config_workspaces(&c, &wl, err, sizeof err) < 0 || assess_set_workspaces(tables, &wl) < 0;
		ws_list_free(&wl);
		free(cdir);
		free(cpath);
		if (rc) {
			fprintf(stderr, "fatigue: config: %s\n", err);
			return 2;
		}
	}
	dir = paths_runtime_dir();
	path = paths_join(dir, "console.sock");
	console = client_connect(path, ROLE_CONSOLE, "fatigue-reviewer", 5000, err, sizeof err);
	free(dir);
	free(path);
	if (console == NULL) {
		fprintf(stderr, "fatigue: cannot connect as a console: %s\n", err);
		return 3;
	}
	for (size_t i = 0; i < nsess; i++) {
		if (replay(&sess[i], tables, console, &t) < 0)
			return 3;
		t.sessions++;
	}
	client_close(console);
	printf("approval-fatigue evaluation: %zu tool calls in %zu sessions (%s)\n", t.calls, t.sessions,
	    argv[1]);
	printf("  per-command prompting (one prompt per non-read-only tool call): %zu prompts, "
	    "%.1f per 100 tool calls\n", t.baseline, 100.0 * (double)t.baseline / (double)t.calls);
	printf("  sandgate, scripted reviewer on groups: %zu human decisions, %.1f per 100 tool calls\n",
	    t.decisions, 100.0 * (double)t.decisions / (double)t.calls);
	printf("    %zu requests decided by a person (in %zu group decisions, %zu of them saving a "
	    "session rule), %zu allowed and %zu denied by rules, %zu refused as malformed, %zu other\n",
	    t.decided_by_person, t.decisions, t.group_rules, t.by_rule_allow, t.by_rule_deny,
	    t.refused, t.timeouts);
	printf("  high or critical requests: %zu; allowed without a person: %zu (must be 0)\n", t.high,
	    t.high_auto_allowed);
	for (size_t i = 0; i < nsess; i++) {
		for (size_t k = 0; k < sess[i].n; k++)
			json_decref(sess[i].calls[k].row);
		free(sess[i].calls);
		free(sess[i].name);
	}
	free(sess);
	assess_tables_free(tables);
	if (t.high_auto_allowed != 0)
		return 1;
	/* SG_FATIGUE_MAX: the target for the default settings */
	if (getenv("SG_FATIGUE_MAX") != NULL &&
	    100.0 * (double)t.decisions / (double)t.calls > atof(getenv("SG_FATIGUE_MAX"))) {
		printf("  FAIL: more than %s human decisions per 100 tool calls\n", getenv("SG_FATIGUE_MAX"));
		return 1;
	}
	return 0;
}
