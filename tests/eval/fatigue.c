/* fatigue.c -- the approval-fatigue evaluation (issues #4 and #17).
 *
 * Replays real agent sessions (../shared/corpus/traces.jsonl) the way an
 * agent sends them: one tool call at a time, each as a Claude Code
 * PreToolUse hook payload on the stdin of the real `sandgate hook
 * claude-code`, which submits it to the running broker and waits for its
 * answer before the next call starts.  Sessions run in the order they first
 * appear in the file, calls in trace order, against one broker that keeps
 * running, so remembered decisions of agent, workspace or global scope carry
 * over between sessions as they would for a real user.
 *
 * A simulated reviewer on the console socket decides whatever waits, using
 * only what the broker offers through the protocol (`groups`): for a low,
 * medium or high group it accepts the first offered suggestion, with the
 * scope (and TTL, when the suggestion carries one) it is offered with; a
 * critical group, or a group with no suggestion, is allowed once.
 *
 * Prints human decisions per 100 tool calls next to two baselines computed on
 * the same calls (per-command prompting; the agents' own "don't ask again"
 * by command prefix), the remaining decisions by kind and level, and the
 * most repeated decision labels.  Figures are printed, never asserted.  The
 * exit status is 1 when the broker's audit log shows a critical request
 * allowed without a person, or a high request allowed by anything but a
 * person or a rule the reviewer made; 3 when the replay itself broke.
 *
 * Usage: fatigue SANDGATE TRACES.jsonl   (SANDGATE_DIR etc. name the broker) */
#include "proto/client.h"
#include "proto/mpjson.h"
#include "proto/paths.h"
#include "proto/rpc.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REVIEWER "fatigue-reviewer"
#define HOOK_LIMIT_MS 120000 /* a call still unanswered after this breaks the replay */

enum { L_LOW, L_MEDIUM, L_HIGH, L_CRITICAL, L_N };
static const char *const level_names[L_N] = { "low", "medium", "high", "critical" };

static int
level_of(const char *s)
{
	for (int i = 0; i < L_N; i++)
		if (s != NULL && strcmp(s, level_names[i]) == 0)
			return i;
	return L_CRITICAL; /* unknown is never low */
}

struct session {
	char *name;
	size_t *rows;
	size_t n, cap;
};

/* A label and how often it was seen. */
struct tally {
	char **name;
	size_t *count;
	size_t n, cap;
};

static void
tally_add(struct tally *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->name[i], name) == 0) {
			t->count[i]++;
			return;
		}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->name = realloc(t->name, t->cap * sizeof *t->name);
		t->count = realloc(t->count, t->cap * sizeof *t->count);
		if (t->name == NULL || t->count == NULL)
			abort();
	}
	t->name[t->n] = strdup(name);
	t->count[t->n++] = 1;
}

static bool
tally_has(const struct tally *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->name[i], name) == 0)
			return true;
	return false;
}

static void
tally_free(struct tally *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->name[i]);
	free(t->name);
	free(t->count);
	memset(t, 0, sizeof *t);
}

/* Control characters of untrusted text (signatures, summaries) as '?', so a
 * label cannot move the terminal's cursor. */
static void
sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* Print "a N, b M" in the order first seen. */
static void
tally_print(const struct tally *t)
{
	for (size_t i = 0; i < t->n; i++)
		printf("%s%s %zu", i ? ", " : "", t->name[i], t->count[i]);
	if (t->n == 0)
		printf("none");
	printf("\n");
}

/* The reviewer's record. */
struct review {
	size_t decisions, with_rule, rule_refused;
	size_t by_level[L_N];
	struct tally kinds, labels, scopes;
	int64_t *rule_ids;   /* rules the reviewer made */
	char **rule_session; /* the session it was made in */
	size_t nrules, caprules;
	const char *session; /* the session being replayed */
};

static const char *
jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

/* ---- the console connection ---------------------------------------------- */

static bool pending_hint; /* a notification said something was queued */
static size_t quiet_polls; /* 250 ms without a word from the hook or the broker */

static void
note_notification(struct client_msg *m)
{
	const msgpack_object *p = m->msg.params;

	if (m->msg.type != RPC_NOTIFY)
		return;
	if (m->msg.method_len == 7 && memcmp(m->msg.method, "request", 7) == 0)
		pending_hint = true;
	else if (m->msg.method_len == 6 && memcmp(m->msg.method, "groups", 6) == 0) {
		const msgpack_object *arg = p != NULL && p->via.array.size > 0 ? &p->via.array.ptr[0] : NULL;
		const msgpack_object *ch = arg != NULL ? rpc_map_get(arg, "changed") : NULL;
		const msgpack_object *reset = arg != NULL ? rpc_map_get(arg, "reset") : NULL;

		if ((ch != NULL && ch->type == MSGPACK_OBJECT_ARRAY && ch->via.array.size > 0) ||
		    (reset != NULL && reset->type == MSGPACK_OBJECT_BOOLEAN && reset->via.boolean))
			pending_hint = true;
	}
}

/* Drain whatever the console connection holds; -1 when it broke. */
static int
drain(sg_client *c)
{
	struct client_msg m;
	int rc;

	if (client_pump(c) < 0)
		return -1;
	while ((rc = client_next(c, &m)) == 1) {
		note_notification(&m);
		client_msg_free(&m);
	}
	return rc < 0 ? -1 : 0;
}

/* Call METHOD with PARAMS (a JSON array, stolen).  Returns the result as JSON
 * (caller decrefs), or NULL: *err then holds the error reply as JSON (caller
 * decrefs) or NULL when the connection failed. */
static json_t *
rpc(sg_client *c, const char *method, json_t *params, json_t **err)
{
	uint32_t id;
	msgpack_packer *pk = client_begin(c, method, &id);
	struct client_msg m;
	json_t *out;

	*err = NULL;
	mpjson_pack(pk, params);
	json_decref(params);
	if (client_send(c, 30000) < 0 || client_wait(c, id, 120000, &m) < 0) {
		fprintf(stderr, "fatigue: %s: %s\n", method, client_error(c));
		return NULL;
	}
	if (m.msg.error->type != MSGPACK_OBJECT_NIL) {
		*err = mpjson_from_msgpack(m.msg.error);
		client_msg_free(&m);
		return NULL;
	}
	out = mpjson_from_msgpack(m.msg.result);
	client_msg_free(&m);
	return out;
}

/* ---- the simulated reviewer ------------------------------------------------ */

static void
note_rule(struct review *r, int64_t id)
{
	if (r->nrules == r->caprules) {
		r->caprules = r->caprules ? r->caprules * 2 : 64;
		r->rule_ids = realloc(r->rule_ids, r->caprules * sizeof *r->rule_ids);
		r->rule_session = realloc(r->rule_session, r->caprules * sizeof *r->rule_session);
		if (r->rule_ids == NULL || r->rule_session == NULL)
			abort();
	}
	r->rule_ids[r->nrules] = id;
	r->rule_session[r->nrules++] = strdup(r->session);
}

/* The index of rule id among the reviewer's, or -1. */
static long
reviewer_rule(const struct review *r, int64_t id)
{
	for (size_t i = 0; i < r->nrules; i++)
		if (r->rule_ids[i] == id)
			return (long)i;
	return -1;
}

/* Decide one group: 0 done, 1 the group was gone, -1 broken. */
static int
decide_group(sg_client *c, json_t *g, struct review *r)
{
	json_t *sugs = json_object_get(g, "suggestions"), *s0 = json_array_get(sugs, 0);
	int level = level_of(jstr(g, "max_level"));
	json_t *p = json_object(), *res, *err;
	bool with_rule = level != L_CRITICAL && json_is_object(s0);

	json_object_set_new(p, "group", json_string(jstr(g, "id")));
	json_object_set_new(p, "decision", json_string("allow"));
	json_object_set_new(p, "reviewer", json_string(REVIEWER));
	if (with_rule) {
		json_t *ttl = json_object_get(s0, "ttl"), *ceil = json_object_get(s0, "max_level");

		json_object_set(p, "rule", json_object_get(s0, "index"));
		if (json_is_string(json_object_get(s0, "pattern")))
			json_object_set(p, "pattern", json_object_get(s0, "pattern"));
		/* what the suggestion is offered with, handed back as offered: its
		 * scope (the value comes from the group), TTL and ceiling when it
		 * carries them (a broker ignores keys it does not know); never
		 * critical_ok */
		if (json_is_string(json_object_get(s0, "scope")))
			json_object_set(p, "scope", json_object_get(s0, "scope"));
		if (json_is_integer(ttl) && json_integer_value(ttl) > 0)
			json_object_set(p, "ttl", ttl);
		if (json_is_string(ceil) && strcmp(json_string_value(ceil), "critical") != 0)
			json_object_set(p, "max_level", ceil);
	}
	res = rpc(c, "decide", json_pack("[o]", json_deep_copy(p)), &err);
	if (res == NULL && err != NULL && with_rule) {
		const char *code = jstr(err, "code");

		if (strcmp(code, "not-found") == 0 || strcmp(code, "conflict") == 0) {
			/* decided meanwhile, or the group changed: look again */
			json_decref(err);
			json_decref(p);
			return 1;
		}
		/* the broker would not save that suggestion: allow once instead, and say so */
		fprintf(stderr, "fatigue: saving suggestion %s of group %s refused (%s: %s); allowing once\n",
		    jstr(s0, "pattern"), jstr(g, "id"), code, jstr(err, "message"));
		json_decref(err);
		r->rule_refused++;
		with_rule = false;
		json_object_del(p, "rule");
		json_object_del(p, "pattern");
		json_object_del(p, "scope");
		json_object_del(p, "ttl");
		json_object_del(p, "max_level");
		res = rpc(c, "decide", json_pack("[o]", json_deep_copy(p)), &err);
	}
	json_decref(p);
	if (res == NULL) {
		if (err != NULL && strcmp(jstr(err, "code"), "not-found") == 0) {
			json_decref(err);
			return 1;
		}
		if (err != NULL) {
			fprintf(stderr, "fatigue: decide %s: %s: %s\n", jstr(g, "id"), jstr(err, "code"),
			    jstr(err, "message"));
			json_decref(err);
		}
		return -1;
	}
	r->decisions++;
	r->by_level[level]++;
	tally_add(&r->kinds, *jstr(g, "kind") ? jstr(g, "kind") : "?");
	{
		char label[300];

		snprintf(label, sizeof label, "%s [%s]", jstr(g, "signature"), level_names[level]);
		sanitize(label);
		tally_add(&r->labels, label);
	}
	if (with_rule && json_is_integer(json_object_get(res, "rule_id"))) {
		r->with_rule++;
		note_rule(r, json_integer_value(json_object_get(res, "rule_id")));
		tally_add(&r->scopes, json_is_string(json_object_get(s0, "scope")) ?
		    jstr(s0, "scope") : "session (default)");
	} else {
		tally_add(&r->scopes, "once");
	}
	if (getenv("SG_FATIGUE_VERBOSE") != NULL)
		fprintf(stderr, "decide %s [%s] %s -> %s\n", jstr(g, "id"), level_names[level],
		    jstr(g, "signature"), with_rule ? jstr(s0, "pattern") : "once");
	json_decref(res);
	return 0;
}

/* Decide everything that waits, riskiest group first; -1 when broken. */
static int
review_pending(sg_client *c, struct review *r)
{
	for (int round = 0; round < 1000; round++) {
		json_t *err, *res = rpc(c, "groups", json_pack("[{}]"), &err);
		json_t *g;
		int rc;

		if (res == NULL) {
			json_decref(err);
			return -1;
		}
		g = json_array_get(json_object_get(res, "groups"), 0);
		if (g == NULL) {
			json_decref(res);
			return 0;
		}
		rc = decide_group(c, g, r);
		json_decref(res);
		if (rc < 0)
			return -1;
	}
	fprintf(stderr, "fatigue: the reviewer gave up after 1000 groups\n");
	return -1;
}

/* ---- the agent side: one hook process per tool call ------------------------ */

static bool read_only(const char *tool);

static char *
abs_path(const char *path, const char *cwd)
{
	char *out;

	if (*path == '/' || *path == '~')
		return strdup(path);
	if (asprintf(&out, "%s/%s", cwd, *path ? path : ".") < 0)
		abort();
	return out;
}

/* A trace row recorded from Codex CLI (its `agent` names it). */
static bool
is_codex(json_t *row)
{
	return strcasestr(jstr(row, "agent"), "codex") != NULL;
}

/* The tool's own input when the trace kept it (MCP calls). */
static json_t *
row_input(json_t *row)
{
	static const char *const keys[] = { "arguments", "tool_input", "input" };

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (json_is_object(json_object_get(row, keys[i])))
			return json_deep_copy(json_object_get(row, keys[i]));
	return json_object();
}

/* The file SWE-agent's `find_file NAME` looks for, as a Glob pattern. */
static json_t *
find_file_pattern(const char *cmd)
{
	char name[256];
	size_t n = 0;
	const char *c = strchr(cmd, ' ');

	for (c = c ? c + 1 : ""; *c == ' '; c++)
		;
	for (; *c != '\0' && *c != ' ' && *c != '\n' && n + 1 < sizeof name; c++)
		if (*c != '"' && *c != '\'')
			name[n++] = *c;
	name[n] = '\0';
	return json_sprintf("**/%s", n ? name : "*");
}

/* The PreToolUse hook payload of one trace row, mapped by its `tool` to the
 * agent's own tool (Claude Code's, or Codex's Bash, apply_patch and MCP
 * tools); *adapter is the `sandgate hook` adapter to run.  NULL when the
 * agent runs that tool without a hook (Codex's own read-only tools). */
static json_t *
hook_payload(json_t *row, const char *session, size_t n, const char **adapter)
{
	const char *tool = jstr(row, "tool"), *raw = jstr(row, "raw_tool"), *cwd = jstr(row, "cwd");
	const char *cmd = jstr(row, "command"), *path = jstr(row, "path"), *url = jstr(row, "url");
	bool codex = is_codex(row), mcp = strncmp(raw, "mcp__", 5) == 0 && strstr(raw + 5, "__") != NULL;
	char id[64], *file;
	const char *name;
	json_t *in, *p;

	if (*cwd == '\0')
		cwd = "/testbed";
	file = abs_path(path, cwd);
	*adapter = codex ? "codex" : "claude-code";
	if (mcp) {
		name = raw, in = row_input(row);
	} else if (codex && (strcmp(tool, "write") == 0 || strcmp(tool, "edit") == 0) && *path) {
		char *patch;

		if (asprintf(&patch, "*** Begin Patch\n*** %s File: %s\n%s*** End Patch\n",
		    strcmp(tool, "write") == 0 ? "Add" : "Update", path,
		    strcmp(tool, "write") == 0 ? "+\n" : "") < 0)
			abort();
		name = "apply_patch", in = json_pack("{ss}", "command", patch);
		free(patch);
	} else if (codex && (strcmp(tool, "bash") == 0 || (*cmd != '\0' && !read_only(tool)))) {
		name = "Bash", in = json_pack("{ss}", "command", cmd);
	} else if (codex) {
		free(file);
		return NULL;
	} else if (strcmp(tool, "read") == 0) {
		name = "Read", in = json_pack("{ss}", "file_path", file);
	} else if (strcmp(tool, "search") == 0) {
		json_t *pat = *jstr(row, "pattern") ? json_string(jstr(row, "pattern")) :
		    strcmp(raw, "find_file") == 0 ? find_file_pattern(cmd) : json_string("**/*");

		name = "Glob", in = json_pack("{soss}", "pattern", pat, "path", cwd);
	} else if (strcmp(tool, "write") == 0) {
		name = "Write", in = json_pack("{ssss}", "file_path", file, "content", "");
	} else if (strcmp(tool, "edit") == 0) {
		name = "Edit", in = json_pack("{ssssss}", "file_path", file, "old_string", "", "new_string", "");
	} else if (strcmp(tool, "web") == 0) {
		name = "WebFetch", in = json_pack("{ssss}", "url", url, "prompt", "");
	} else if (strcmp(tool, "todo") == 0) {
		name = "TodoWrite", in = json_pack("{s[]}", "todos");
	} else if (strcmp(tool, "task") == 0) {
		name = "Task", in = json_pack("{ssssss}", "description", "", "prompt", "", "subagent_type",
		    "general-purpose");
	} else if (strcmp(tool, "bash_output") == 0) {
		name = "BashOutput", in = json_pack("{ss}", "bash_id", "1");
	} else if (*cmd != '\0') {
		/* bash, and tools the agent runs as shell commands (SWE-agent's submit) */
		name = "Bash", in = json_pack("{ss}", "command", cmd);
	} else {
		name = *raw ? raw : tool, in = row_input(row);
	}
	free(file);
	snprintf(id, sizeof id, "%s_fatigue_%zu", codex ? "call" : "toolu", n);
	p = json_pack("{sssssssssssssoss}", "session_id", session, "transcript_path", "/dev/null",
	    "cwd", cwd, "permission_mode", "default", "hook_event_name", "PreToolUse",
	    "tool_name", name, "tool_input", in, "tool_use_id", id);
	if (codex) {
		json_object_set_new(p, "turn_id", json_sprintf("turn_%zu", n));
		json_object_set_new(p, "model", json_string(""));
	}
	if (mcp && !codex) {
		const char *sep = strstr(raw + 5, "__");

		json_object_set_new(p, "mcp_server", json_pack("{s:s%}", "name", raw + 5, (size_t)(sep - raw - 5)));
	}
	return p;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct answers {
	size_t allow, deny, none, broken, skipped;
};

/* Run one call through `sandgate hook claude-code`, deciding what waits
 * meanwhile.  0, or -1 when the replay broke. */
static int
run_call(const char *sandgate, const char *adapter, json_t *payload, const char *workspace,
    sg_client *console, struct review *r, struct answers *a)
{
	int in[2], out[2], status;
	char *text = json_dumps(payload, JSON_COMPACT), buf[4096];
	size_t len = strlen(text), off = 0, got = 0, cap = 0;
	char *answer = NULL;
	long long start = now_ms();
	pid_t pid;
	json_t *ans;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		perror("fatigue: pipe");
		return -1;
	}
	/* Claude Code declares its project dir to hooks; Codex declares none */
	if (strcmp(adapter, "claude-code") == 0)
		setenv("CLAUDE_PROJECT_DIR", workspace, 1);
	else
		unsetenv("CLAUDE_PROJECT_DIR");
	if ((pid = fork()) < 0) {
		perror("fatigue: fork");
		return -1;
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execl(sandgate, sandgate, "hook", adapter, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	while (off < len) { /* the hook reads all of stdin before it asks */
		ssize_t w = write(in[1], text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(in[1]);
	free(text);
	for (;;) {
		struct pollfd pf[2] = { { .fd = out[0], .events = POLLIN }, { .fd = client_fd(console), .events = POLLIN } };
		int n;

		if (drain(console) < 0)
			goto broken;
		if (pending_hint) {
			pending_hint = false;
			if (review_pending(console, r) < 0)
				goto broken;
			continue;
		}
		if (now_ms() - start > HOOK_LIMIT_MS) {
			fprintf(stderr, "fatigue: no answer from the hook within %d ms\n", HOOK_LIMIT_MS);
			goto broken;
		}
		n = poll(pf, 2, 250);
		if (n < 0 && errno != EINTR)
			goto broken;
		if (n == 0) { /* quiet: look for anything a notification did not announce */
			quiet_polls++;
			pending_hint = true;
			continue;
		}
		if (pf[0].revents != 0) {
			ssize_t k = read(out[0], buf, sizeof buf);

			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;
			if (got + (size_t)k + 1 > cap) {
				cap = (got + (size_t)k + 1) * 2;
				if ((answer = realloc(answer, cap)) == NULL)
					abort();
			}
			memcpy(answer + got, buf, (size_t)k);
			got += (size_t)k;
			answer[got] = '\0';
		}
	}
	close(out[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	ans = answer != NULL ? json_loads(answer, 0, NULL) : NULL;
	{
		const char *d = jstr(json_object_get(ans, "hookSpecificOutput"), "permissionDecision");

		if (strcmp(d, "allow") == 0)
			a->allow++;
		else if (strcmp(d, "deny") == 0)
			a->deny++;
		else if (json_is_object(ans) && json_object_size(ans) == 0 && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0)
			a->none++; /* Codex: an allowed call without a command gets {} */
		else
			a->broken++;
		if (strcmp(d, "allow") != 0 && getenv("SG_FATIGUE_VERBOSE") != NULL)
			fprintf(stderr, "fatigue: hook answered %s (exit %d): %s\n", *d ? d : "nothing",
			    WIFEXITED(status) ? WEXITSTATUS(status) : -1, answer ? answer : "");
	}
	json_decref(ans);
	free(answer);
	return 0;
broken:
	kill(pid, SIGKILL);
	close(out[0]);
	waitpid(pid, &status, 0);
	free(answer);
	return -1;
}

/* ---- the baselines --------------------------------------------------------- */

/* Tools the agents run without asking by default (Claude Code: Read, Glob,
 * Grep, LS, TodoWrite, Task, BashOutput). */
static bool
read_only(const char *tool)
{
	static const char *const ro[] = { "read", "search", "todo", "task", "bash_output" };

	for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++)
		if (strcmp(tool, ro[i]) == 0)
			return true;
	return false;
}

/* The "program first-argument" prefixes of the top-level simple commands of
 * a command line, the way a person reads it: split at unquoted ; & | && ||
 * and newlines, here-document bodies skipped, redirections (`> f`, `2>&1`,
 * `&> f`) and leading VAR=value words dropped, quotes removed.  Not a shell
 * parser: a plain definition of the baseline, the same for every call. */
struct pfx {
	char w[2][256];
	size_t nw, wl;
	bool inword, skip_word, assign;
	struct tally *out;
};

static void
pfx_char(struct pfx *p, char c)
{
	p->inword = true;
	if (p->nw < 2 && p->wl < 255)
		p->w[p->nw][p->wl++] = c;
}

static void
pfx_word(struct pfx *p)
{
	if (!p->inword)
		return;
	if (p->nw < 2)
		p->w[p->nw][p->wl] = '\0';
	if (p->skip_word)
		p->skip_word = false; /* a redirection's target */
	else if (!(p->nw == 0 && p->assign))
		p->nw++;
	p->inword = p->assign = false;
	p->wl = 0;
}

static void
pfx_cmd(struct pfx *p)
{
	char key[520];

	pfx_word(p);
	if (p->nw > 0) {
		snprintf(key, sizeof key, "%s%s%s", p->w[0], p->nw > 1 ? " " : "", p->nw > 1 ? p->w[1] : "");
		tally_add(p->out, key);
	}
	p->nw = 0;
	p->skip_word = false;
}

static void
prefixes(const char *s, struct tally *out)
{
	struct pfx p = { .out = out };
	char heredoc[8][64];
	size_t nheredoc = 0;

	for (const char *c = s; *c != '\0'; c++) {
		if (*c == '\'' || *c == '"') {
			char q = *c;

			p.inword = true;
			for (c++; *c != '\0' && *c != q; c++) {
				if (q == '"' && *c == '\\' && c[1] != '\0')
					c++;
				pfx_char(&p, *c);
			}
			if (*c == '\0')
				break;
		} else if (*c == '\\' && c[1] != '\0') {
			if (*++c != '\n')
				pfx_char(&p, *c);
		} else if (*c == '<' && c[1] == '<' && c[2] != '<') {
			/* here-document: note its delimiter, skip its body at the newline */
			const char *d = c + 2;
			size_t dl = 0;

			pfx_word(&p);
			d += *d == '-';
			while (*d == ' ' || *d == '\t')
				d++;
			while (*d != '\0' && strchr(" \t\n;&|<>()", *d) == NULL) {
				if (*d != '\'' && *d != '"' && *d != '\\' && dl + 1 < sizeof heredoc[0] &&
				    nheredoc < 8)
					heredoc[nheredoc][dl++] = *d;
				d++;
			}
			if (nheredoc < 8)
				heredoc[nheredoc++][dl] = '\0';
			c = d - 1;
		} else if (*c == '<' || *c == '>' || (*c == '&' && c[1] == '>')) {
			/* a redirection: drop a digit fd before it, and its target */
			bool fd = p.inword && p.nw < 2 && p.wl > 0 && strspn(p.w[p.nw], "0123456789") >= p.wl;

			if (fd)
				p.inword = false, p.wl = 0;
			else
				pfx_word(&p);
			while (c[1] == '>' || c[1] == '<' || c[1] == '&' || c[1] == '|')
				c++;
			if (*c == '&' && (c[1] == '-' || (c[1] >= '0' && c[1] <= '9'))) {
				while (c[1] == '-' || (c[1] >= '0' && c[1] <= '9'))
					c++;
			} else {
				p.skip_word = true;
			}
		} else if (*c == '\n' || *c == ';' || *c == '&' || *c == '|') {
			pfx_cmd(&p);
			if (*c == '\n' && nheredoc > 0) {
				/* skip the bodies, up to each delimiter line in turn */
				const char *line = c + 1;

				for (size_t h = 0; h < nheredoc && *line != '\0'; h++) {
					for (;;) {
						const char *nl = strchr(line, '\n'), *t = line;
						size_t ll = nl ? (size_t)(nl - line) : strlen(line);

						while (*t == '\t' && ll > 0)
							t++, ll--;
						line = nl ? nl + 1 : line + strlen(line);
						if ((ll == strlen(heredoc[h]) && strncmp(t, heredoc[h], ll) == 0) || nl == NULL)
							break;
					}
				}
				nheredoc = 0;
				c = line - 1;
			}
		} else if (*c == ' ' || *c == '\t' || *c == '(' || *c == ')' || *c == '{' || *c == '}') {
			pfx_word(&p);
		} else {
			if (*c == '=' && p.inword && p.nw == 0 && !p.skip_word)
				p.assign = true;
			pfx_char(&p, *c);
		}
	}
	pfx_cmd(&p);
}

/* The agents' own "don't ask again" memory, by command prefix: a call asks
 * unless every prefix it needs was allowed earlier in the session.  For
 * other tools the key is the tool (Claude's "allow all edits this session"
 * covers Write and Edit; WebFetch remembers the host; MCP the tool). */
static bool
prefix_asks(json_t *row, struct tally *allowed)
{
	const char *tool = jstr(row, "tool");
	struct tally need = { 0 };
	bool asks = false;

	if (read_only(tool))
		return false;
	if (strcmp(tool, "bash") == 0 || (strcmp(tool, "write") != 0 && strcmp(tool, "edit") != 0 &&
	    strcmp(tool, "web") != 0 && strcmp(tool, "mcp") != 0 && *jstr(row, "command") != '\0'))
		prefixes(jstr(row, "command"), &need);
	else if (strcmp(tool, "write") == 0 || strcmp(tool, "edit") == 0)
		tally_add(&need, "<file edits>");
	else if (strcmp(tool, "web") == 0) {
		const char *u = jstr(row, "url"), *h = strstr(u, "://");
		char key[300];

		h = h ? h + 3 : u;
		snprintf(key, sizeof key, "<web %.*s>", (int)strcspn(h, "/:?#"), h);
		tally_add(&need, key);
	} else {
		char key[300];

		snprintf(key, sizeof key, "<tool %s>", *jstr(row, "raw_tool") ? jstr(row, "raw_tool") : tool);
		tally_add(&need, key);
	}
	if (need.n == 0)
		tally_add(&need, "<empty command>");
	for (size_t i = 0; i < need.n; i++)
		if (!tally_has(allowed, need.name[i])) {
			if (getenv("SG_FATIGUE_VERBOSE") != NULL)
				fprintf(stderr, "prefix baseline asks: %s\n", need.name[i]);
			asks = true;
			tally_add(allowed, need.name[i]);
		}
	tally_free(&need);
	return asks;
}

/* ---- the audit log --------------------------------------------------------- */

struct audit_sum {
	size_t rows, by_level[L_N];
	size_t others_rules, reviewer_rule_allow, carried, person, denied, other;
	size_t critical_unattended, high_unowned;
	struct tally origins; /* allows by rules the reviewer did not make, by origin */
	struct tally fails;   /* one line per safety failure */
};

/* Where rule id came from, as `rules` says: its origin, else its author. */
static void
rule_origin(json_t *rules, int64_t id, char *out, size_t len)
{
	size_t i;
	json_t *ru;

	json_array_foreach(json_object_get(rules, "rules"), i, ru) {
		if (json_integer_value(json_object_get(ru, "id")) != id)
			continue;
		if (*jstr(ru, "origin"))
			snprintf(out, len, "%s", jstr(ru, "origin"));
		else
			snprintf(out, len, "rules by %s", *jstr(ru, "author_name") ? jstr(ru, "author_name") : "?");
		return;
	}
	snprintf(out, len, "rule %lld (unknown)", (long long)id);
}

static bool
by_person(const char *by)
{
	return strcmp(by, "reviewer") == 0 || strcmp(by, "quorum") == 0 || strcmp(by, "escalated") == 0;
}

/* Read every decision row through `sandgate audit export`; -1 on failure. */
static int
read_audit(const char *sandgate, const struct review *r, json_t *rules, struct audit_sum *s)
{
	char *cmd, *line = NULL;
	size_t cap = 0;
	FILE *f;
	int rc;

	if (asprintf(&cmd, "'%s' audit export --format jsonl", sandgate) < 0)
		return -1;
	f = popen(cmd, "r");
	free(cmd);
	if (f == NULL)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		json_t *row = json_loads(line, 0, NULL);
		const char *by = jstr(row, "decided_by"), *dec = jstr(row, "decision");
		int level = level_of(jstr(row, "risk_level"));
		json_t *rid = json_object_get(row, "rule_id");
		long ri = json_is_integer(rid) ? reviewer_rule(r, json_integer_value(rid)) : -1;

		if (row == NULL)
			continue;
		s->rows++;
		s->by_level[level]++;
		if (strcmp(dec, "allow") != 0)
			s->denied++;
		else if (by_person(by))
			s->person++;
		else if (strcmp(by, "rule") == 0 && ri >= 0) {
			s->reviewer_rule_allow++;
			if (strcmp(r->rule_session[ri], jstr(row, "session")) != 0)
				s->carried++;
		} else if (strcmp(by, "rule") == 0) {
			char o[300];

			rule_origin(rules, json_integer_value(rid), o, sizeof o);
			tally_add(&s->origins, o);
			s->others_rules++;
		} else
			s->other++;
		if (strcmp(dec, "allow") == 0 && level == L_CRITICAL && !by_person(by)) {
			char m[600];

			s->critical_unattended++;
			snprintf(m, sizeof m, "FAIL: critical request %lld allowed by %s %lld without a person: %.400s",
			    (long long)json_integer_value(json_object_get(row, "request_id")), by,
			    (long long)json_integer_value(rid), jstr(row, "summary"));
			sanitize(m);
			tally_add(&s->fails, m);
		}
		if (strcmp(dec, "allow") == 0 && level == L_HIGH && !by_person(by) && ri < 0) {
			char m[600];

			s->high_unowned++;
			snprintf(m, sizeof m, "FAIL: high request %lld allowed by %s %lld, which the reviewer did not "
			    "make: %.400s", (long long)json_integer_value(json_object_get(row, "request_id")), by,
			    (long long)json_integer_value(rid), jstr(row, "summary"));
			sanitize(m);
			tally_add(&s->fails, m);
		}
		json_decref(row);
	}
	free(line);
	rc = pclose(f);
	return rc == 0 ? 0 : -1;
}

/* ---- main ------------------------------------------------------------------ */

static struct session *
find_session(struct session **v, size_t *n, size_t *cap, const char *name)
{
	for (size_t i = *n; i-- > 0;)
		if (strcmp((*v)[i].name, name) == 0)
			return &(*v)[i];
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		if ((*v = realloc(*v, *cap * sizeof **v)) == NULL)
			abort();
	}
	memset(&(*v)[*n], 0, sizeof **v);
	(*v)[*n].name = strdup(name);
	return &(*v)[(*n)++];
}

static double
per100(size_t x, size_t calls)
{
	return calls ? 100.0 * (double)x / (double)calls : 0.0;
}

int
main(int argc, char **argv)
{
	FILE *f;
	char *line = NULL, err[256], *dir, *path;
	size_t cap = 0, nsess = 0, capsess = 0, nrows = 0, caprows = 0, calls = 0;
	size_t base_cmd = 0, base_prefix = 0, adapters[2] = { 0, 0 }, nreplay, all_sessions;
	json_t **rows = NULL, *e, *serr, *rules;
	struct session *sess = NULL;
	struct review r = { 0 };
	struct answers a = { 0 };
	struct audit_sum s = { 0 };
	sg_client *console;
	long long t0 = now_ms();
	int status = 0;

	if (argc == 3 && strcmp(argv[1], "--prefixes") == 0) { /* how the baseline reads a command */
		struct tally t = { 0 };

		prefixes(argv[2], &t);
		for (size_t i = 0; i < t.n; i++)
			printf("%s\n", t.name[i]);
		tally_free(&t);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: fatigue SANDGATE TRACES.jsonl | fatigue --prefixes COMMAND\n");
		return 2;
	}
	if ((f = fopen(argv[2], "r")) == NULL) {
		perror(argv[2]);
		return 2;
	}
	while (getline(&line, &cap, f) > 0) {
		json_t *row = json_loads(line, 0, NULL);
		struct session *se;

		if (row == NULL || !json_is_object(row)) {
			json_decref(row);
			continue;
		}
		if (nrows == caprows) {
			caprows = caprows ? caprows * 2 : 1024;
			if ((rows = realloc(rows, caprows * sizeof *rows)) == NULL)
				abort();
		}
		rows[nrows] = row;
		se = find_session(&sess, &nsess, &capsess, jstr(row, "session"));
		if (se->n == se->cap) {
			se->cap = se->cap ? se->cap * 2 : 32;
			if ((se->rows = realloc(se->rows, se->cap * sizeof *se->rows)) == NULL)
				abort();
		}
		se->rows[se->n++] = nrows++;
	}
	free(line);
	fclose(f);
	/* SG_FATIGUE_SESSIONS=N: only the first N sessions (sanitizer builds,
	 * where every hook process starts slowly) */
	if (getenv("SG_FATIGUE_SESSIONS") != NULL && atol(getenv("SG_FATIGUE_SESSIONS")) > 0 &&
	    (size_t)atol(getenv("SG_FATIGUE_SESSIONS")) < nsess) {
		all_sessions = nsess;
		nreplay = (size_t)atol(getenv("SG_FATIGUE_SESSIONS"));
	} else {
		nreplay = all_sessions = nsess;
	}

	/* baselines, on the same calls */
	for (size_t i = 0; i < nreplay; i++) {
		struct tally allowed = { 0 };

		for (size_t k = 0; k < sess[i].n; k++) {
			json_t *row = rows[sess[i].rows[k]];

			calls++;
			base_cmd += !read_only(jstr(row, "tool"));
			base_prefix += prefix_asks(row, &allowed);
		}
		tally_free(&allowed);
	}

	dir = paths_runtime_dir();
	path = paths_join(dir, "console.sock");
	console = client_connect(path, ROLE_CONSOLE, REVIEWER, 5000, err, sizeof err);
	free(dir);
	free(path);
	if (console == NULL) {
		fprintf(stderr, "fatigue: cannot connect as a console: %s\n", err);
		return 3;
	}
	if ((e = rpc(console, "subscribe", json_pack("[]"), &serr)) == NULL) {
		fprintf(stderr, "fatigue: subscribe failed\n");
		json_decref(serr);
		return 3;
	}
	json_decref(e);
	for (size_t i = 0, n = 0; i < nreplay; i++) {
		r.session = sess[i].name;
		for (size_t k = 0; k < sess[i].n; k++, n++) {
			const char *adapter;
			json_t *row = rows[sess[i].rows[k]], *p = hook_payload(row, sess[i].name, n, &adapter);
			const char *cwd = *jstr(row, "cwd") ? jstr(row, "cwd") : "/testbed";
			int rc;

			if (p == NULL) {
				a.skipped++;
				continue;
			}
			adapters[strcmp(adapter, "codex") == 0]++;
			rc = run_call(argv[1], adapter, p, cwd, console, &r, &a);

			json_decref(p);
			if (rc < 0) {
				fprintf(stderr, "fatigue: the replay broke at call %zu of session %s\n", k,
				    sess[i].name);
				return 3;
			}
		}
	}
	if ((rules = rpc(console, "rules", json_pack("[{sb}]", "all", 1), &serr)) == NULL) {
		fprintf(stderr, "fatigue: rules failed\n");
		json_decref(serr);
		return 3;
	}
	if (read_audit(argv[1], &r, rules, &s) < 0) {
		fprintf(stderr, "fatigue: cannot read the audit log\n");
		return 3;
	}

	printf("approval-fatigue evaluation: %zu tool calls in %zu sessions (%s%s), one at a time through "
	    "`sandgate hook`, %.1f s\n", calls, nreplay, argv[2],
	    nreplay < all_sessions ? ", the first sessions only (SG_FATIGUE_SESSIONS)" : "",
	    (double)(now_ms() - t0) / 1000.0);
	printf("  human decisions per 100 tool calls:\n");
	printf("    %-58s %5zu  %5.1f\n", "per-command prompting (every call but read-only tools)", base_cmd,
	    per100(base_cmd, calls));
	printf("    %-58s %5zu  %5.1f\n", "don't ask again by command prefix (per session)", base_prefix,
	    per100(base_prefix, calls));
	printf("    %-58s %5zu  %5.1f\n", "sandgate, reviewer accepts the first suggestion", r.decisions,
	    per100(r.decisions, calls));
	printf("  the reviewer's decisions by kind: ");
	tally_print(&r.kinds);
	printf("  by level: low %zu, medium %zu, high %zu, critical %zu\n", r.by_level[L_LOW],
	    r.by_level[L_MEDIUM], r.by_level[L_HIGH], r.by_level[L_CRITICAL]);
	printf("  saved as: ");
	tally_print(&r.scopes);
	if (r.rule_refused)
		printf("  suggestions the broker would not save (allowed once instead): %zu\n", r.rule_refused);
	printf("  most repeated decisions:\n");
	for (int top = 0; top < 10; top++) {
		size_t best = 0, bi = 0;

		for (size_t i = 0; i < r.labels.n; i++)
			if (r.labels.count[i] > best)
				best = r.labels.count[i], bi = i;
		if (best < 2)
			break;
		printf("    %3zu  %.160s\n", best, r.labels.name[bi]);
		r.labels.count[bi] = 0;
	}
	printf("  requests (audit log): %zu; low %zu, medium %zu, high %zu, critical %zu\n", s.rows,
	    s.by_level[L_LOW], s.by_level[L_MEDIUM], s.by_level[L_HIGH], s.by_level[L_CRITICAL]);
	printf("  allowed by the reviewer %zu, by the reviewer's rules %zu (%zu by a rule saved in an earlier "
	    "session), by other rules %zu; denied %zu; other %zu\n", s.person, s.reviewer_rule_allow, s.carried,
	    s.others_rules, s.denied, s.other);
	if (s.origins.n > 0) {
		printf("  other rules that allowed: ");
		tally_print(&s.origins);
	}
	printf("  hook runs: claude-code %zu, codex %zu; answers: allow %zu, deny %zu, no decision (Codex) %zu, "
	    "broken %zu; calls the agent makes without a hook %zu\n", adapters[0], adapters[1], a.allow, a.deny,
	    a.none, a.broken, a.skipped);
	printf("  critical allowed without a person: %zu (must be 0); high allowed by a rule no person "
	    "made: %zu (must be 0)\n", s.critical_unattended, s.high_unowned);
	if (s.rows != adapters[0] + adapters[1])
		printf("  note: %zu audit rows for %zu hook runs\n", s.rows, adapters[0] + adapters[1]);
	if (getenv("SG_FATIGUE_VERBOSE") != NULL)
		fprintf(stderr, "fatigue: %zu quiet polls of 250 ms\n", quiet_polls);
	for (size_t i = 0; i < s.fails.n; i++)
		printf("  %s\n", s.fails.name[i]);
	if (s.critical_unattended != 0 || s.high_unowned != 0)
		status = 1;
	tally_free(&s.fails);
	tally_free(&s.origins);
	json_decref(rules);

	client_close(console);
	for (size_t i = 0; i < nrows; i++)
		json_decref(rows[i]);
	free(rows);
	for (size_t i = 0; i < nsess; i++) {
		free(sess[i].rows);
		free(sess[i].name);
	}
	free(sess);
	for (size_t i = 0; i < r.nrules; i++)
		free(r.rule_session[i]);
	free(r.rule_ids);
	free(r.rule_session);
	tally_free(&r.kinds);
	tally_free(&r.labels);
	tally_free(&r.scopes);
	return status;
}
