/* cmd_demo.c -- `sandgate demo`: a real broker in a private runtime dir, demo
 * agents sending real hook payloads (cli/demo_payloads.h) through `sandgate
 * hook ADAPTER` (inside `sandgate sandbox` when bubblewrap works), and a
 * reviewer: the real console when stdin and stdout are terminals, else a
 * scripted reviewer.  Ends with a tally and the audit log's verification. */
#include "cli/cli.h"
#include "proto/wallclock.h"
#include "cli/demo_payloads.h"
#include "proto/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Request deadlines: short for the scripted run (one request times out on
 * purpose), generous when a person decides in the console. */
#define SCRIPTED_TIMEOUT_S 4
#define CONSOLE_TIMEOUT_S 120
/* The hooks' own deadline stays above the broker's, so the broker's timeout
 * (audited) is what denies an unanswered request. */
#define HOOK_MARGIN_S 30
#define ANSWER_MAX 65536

struct demo {
	bool console, keep;
	char dir[256];           /* the demo's own temp dir */
	char self[PATH_MAX];     /* this binary, by its real path */
	char ws[PATH_MAX];       /* the sandboxed agents' workspace */
	char log[PATH_MAX];      /* agents' output while the console runs */
	int timeout_s;
	bool sandboxed;
	pid_t kids[DEMO_PAYLOADS];
	pid_t console_pid;
	int64_t start_ms;
	/* tally, from the broker's "decided" notifications */
	int decided, allowed, denied, timed_out, withdrawn;
	int64_t by_rule[32];     /* the rules that answered requests, one entry per request */
	int nby_rule, by_made_rule;
	/* the scripted reviewer's grouped burst: its groups as they arrive */
	int burst_seen;
	char burst_groups[4][32];
	int nburst_groups;
	int left;                /* agents stopped before their answer */
};

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	interrupted = sig;
}

/* Run this binary with args and wait; its exit status, or -1.  With out
 * non-NULL, its stdout and stderr are read into out (cap bytes, NUL-ended). */
static int
run_self(const char *self, char *const args[], char *out, size_t cap)
{
	int p[2] = { -1, -1 }, st;
	size_t len = 0;
	pid_t pid;

	if (out != NULL && pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		if (out != NULL) {
			dup2(p[1], 1);
			dup2(p[1], 2);
		}
		execv(self, args);
		_exit(127);
	}
	if (out != NULL) {
		close(p[1]);
		while (pid > 0) {
			ssize_t n = read(p[0], out + len, cap - 1 - len);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			len += (size_t)n;
			if (len + 1 >= cap) {
				char sink[512];

				while (read(p[0], sink, sizeof sink) > 0)
					;
				break;
			}
		}
		out[len] = '\0';
		close(p[0]);
	}
	while (pid > 0 && waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return pid > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- one demo agent: a hook fed a payload ---- */

/* The payload with every @DEMO@ replaced by the demo's dir (malloc'd). */
static char *
demo_payload_text(const struct demo *d, const char *payload)
{
	size_t n = 0, dl = strlen(d->dir);
	const char *s;
	char *out, *o;

	for (s = payload; (s = strstr(s, "@DEMO@")) != NULL; s += 6)
		n++;
	if ((out = malloc(strlen(payload) + n * dl + 1)) == NULL)
		return NULL;
	for (o = out, s = payload; *s != '\0';) {
		if (strncmp(s, "@DEMO@", 6) == 0) {
			memcpy(o, d->dir, dl);
			o += dl;
			s += 6;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

/* Feed payload to `sandgate [sandbox ... --] hook ADAPTER`; its answer into
 * out.  Returns the exit status (125: the sandbox could not be made). */
static int
run_hook(const struct demo *d, const struct demo_payload *p, bool sandboxed, char *out, size_t cap)
{
	char deadline[16];
	const char *argv[16];
	int in[2], res[2], n = 0, st;
	size_t len = 0, plen, off = 0;
	pid_t pid;
	char *payload = demo_payload_text(d, p->payload);

	if (payload == NULL)
		return -1;
	plen = strlen(payload);

	snprintf(deadline, sizeof deadline, "%d", d->timeout_s + HOOK_MARGIN_S);
	argv[n++] = "sandgate";
	if (sandboxed) {
		argv[n++] = "sandbox";
		argv[n++] = "--workspace";
		argv[n++] = d->ws;
		argv[n++] = "--agent";
		argv[n++] = p->adapter;
		argv[n++] = "--";
		argv[n++] = d->self;
	}
	argv[n++] = "hook";
	argv[n++] = p->adapter;
	argv[n++] = "--timeout";
	argv[n++] = deadline;
	argv[n] = NULL;
	if (pipe2(in, O_CLOEXEC) < 0) {
		free(payload);
		return -1;
	}
	if (pipe2(res, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		free(payload);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(res[1], 1);
		execv(d->self, (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(res[1]);
	/* payloads are far below a pipe's buffer, but write in a loop anyway */
	while (pid > 0 && off < plen) {
		ssize_t w = write(in[1], payload + off, plen - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(in[1]);
	free(payload);
	while (pid > 0 && len + 1 < cap) {
		ssize_t r = read(res[0], out + len, cap - 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	out[len] = '\0';
	close(res[0]);
	if (pid < 0)
		return -1;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The decision and reason in any adapter's answer JSON (Claude Code and
 * Codex hookSpecificOutput, Gemini's top-level decision/reason).  An empty
 * answer (Codex PreToolUse "no objection") counts as allow. */
static bool
answer_allows(const char *text, const char **reason, json_t **root)
{
	json_t *j = json_loads(text, JSON_DISABLE_EOF_CHECK, NULL), *h, *dec;
	const char *v = NULL, *why = NULL;

	*root = j;
	*reason = "no answer";
	if (!json_is_object(j))
		return false;
	h = json_object_get(j, "hookSpecificOutput");
	if (json_is_object(h)) {
		dec = json_object_get(h, "decision");
		if (json_is_object(dec)) {
			v = json_string_value(json_object_get(dec, "behavior"));
			why = json_string_value(json_object_get(dec, "message"));
		} else {
			v = json_string_value(json_object_get(h, "permissionDecision"));
			why = json_string_value(json_object_get(h, "permissionDecisionReason"));
		}
	} else if (json_object_size(j) == 0) {
		v = "allow";
	} else {
		v = json_string_value(json_object_get(j, "decision"));
		why = json_string_value(json_object_get(j, "reason"));
	}
	*reason = why != NULL ? why : "";
	if (strncmp(*reason, "sandgate: ", 10) == 0)
		*reason += 10;
	return v != NULL && strcmp(v, "allow") == 0;
}

/* One demo agent process: wait its turn, run the hook, print the answer,
 * exit 0 (allowed) or 1 (denied). */
static int
agent_main(const struct demo *d, size_t i)
{
	const struct demo_payload *p = &demo_payloads[i];
	char *out = malloc(ANSWER_MAX);
	const char *reason = "";
	bool sandboxed = d->sandboxed, allow;
	json_t *root = NULL;
	int rc;

	if (out == NULL)
		return EXIT_DENIED;
	usleep((useconds_t)((d->console ? 400000 : 150000) * i));
	/* the late install: once the burst before it was remembered */
	usleep((useconds_t)(d->console ? p->delay_ms : p->delay_scripted_ms) * 1000);
	rc = run_hook(d, p, sandboxed, out, ANSWER_MAX);
	if (sandboxed && rc == 125) {
		printf("  (note: bubblewrap could not make the sandbox for %s (exit 125); "
		    "its hook ran unsandboxed)\n", p->adapter);
		sandboxed = false;
		rc = run_hook(d, p, false, out, ANSWER_MAX);
	}
	allow = rc == 0 && answer_allows(out, &reason, &root);
	if (rc != 0 && rc != 2)
		reason = "the hook failed";
	printf("  %-11s %-28.28s -> %s%s%s%s\n", p->adapter, p->key, allow ? "allow" : "deny",
	    *reason ? " (" : "", reason, *reason ? ")" : "");
	fflush(stdout);
	json_decref(root);
	free(out);
	return allow ? EXIT_OK : EXIT_DENIED;
}

static void
start_agents(struct demo *d, sg_client *keep_out)
{
	int logfd = -1;

	if (d->console && (logfd = open(d->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		logfd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	fflush(stdout);
	for (size_t i = 0; i < DEMO_PAYLOADS; i++) {
		d->kids[i] = fork();
		if (d->kids[i] == 0) {
			/* their own process group: a Ctrl-C at the terminal is the
			 * demo's to handle, and they are stopped as one */
			setpgid(0, 0);
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			if (logfd >= 0) {
				dup2(logfd, 1);
				dup2(logfd, 2);
			}
			if (keep_out != NULL)
				close(client_fd(keep_out));
			_exit(agent_main(d, i));
		}
		if (d->kids[i] > 0)
			setpgid(d->kids[i], d->kids[i]);
	}
	if (logfd >= 0)
		close(logfd);
}

/* Reap finished agents; the number still running. */
static int
reap_agents(struct demo *d)
{
	int left = 0;

	for (size_t i = 0; i < DEMO_PAYLOADS; i++) {
		if (d->kids[i] <= 0)
			continue;
		if (waitpid(d->kids[i], NULL, WNOHANG) == d->kids[i])
			d->kids[i] = 0;
		else
			left++;
	}
	return left;
}

/* Stop the agents still waiting (their requests are withdrawn); how many. */
static int
stop_agents(struct demo *d)
{
	int left = reap_agents(d);

	for (size_t i = 0; i < DEMO_PAYLOADS; i++)
		if (d->kids[i] > 0)
			kill(-d->kids[i], SIGTERM);
	for (size_t i = 0; i < DEMO_PAYLOADS; i++)
		if (d->kids[i] > 0) {
			waitpid(d->kids[i], NULL, 0);
			d->kids[i] = 0;
		}
	return left;
}

/* ---- the reviewer side ---- */

struct decide_arg {
	int64_t id;
	const char *answer, *note;
};

static void
pack_decide(msgpack_packer *pk, void *arg)
{
	struct decide_arg *d = arg;

	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 4);
	rpc_pack_kv_int(pk, "id", d->id);
	rpc_pack_kv_str(pk, "decision", d->answer);
	rpc_pack_kv_str(pk, "reviewer", "demo-reviewer");
	rpc_pack_kv_str(pk, "note", d->note != NULL ? d->note : "scripted demo decision");
}

/* The demo payload whose key is in the request's verbatim tool_input. */
static const struct demo_payload *
match_payload(const msgpack_object *req)
{
	json_t *ti = mpjson_from_msgpack(rpc_map_get(req, "tool_input"));
	char *text = ti != NULL ? json_dumps(ti, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	const struct demo_payload *found = NULL;

	for (size_t i = 0; text != NULL && i < DEMO_PAYLOADS; i++)
		if (strstr(text, demo_payloads[i].key) != NULL) {
			found = &demo_payloads[i];
			break;
		}
	free(text);
	json_decref(ti);
	return found;
}

/* How many payloads the scripted reviewer answers as one remembered group. */
static int
burst_size(void)
{
	int n = 0;

	for (size_t i = 0; i < DEMO_PAYLOADS; i++)
		n += demo_payloads[i].answer != NULL && strcmp(demo_payloads[i].answer, "remember") == 0;
	return n;
}

struct group_arg {
	const char *group, *note, *pattern;
	int64_t rule;
};

static void
pack_group_ids(msgpack_packer *pk, void *arg)
{
	struct group_arg *g = arg;

	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 1);
	rpc_pack_str(pk, "ids");
	msgpack_pack_array(pk, 1);
	rpc_pack_str(pk, g->group);
}

static void
pack_decide_group(msgpack_packer *pk, void *arg)
{
	struct group_arg *g = arg;

	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, g->rule >= 0 ? 8 : 4);
	rpc_pack_kv_str(pk, "group", g->group);
	rpc_pack_kv_str(pk, "decision", "allow");
	rpc_pack_kv_str(pk, "reviewer", "demo-reviewer");
	rpc_pack_kv_str(pk, "note", g->note);
	if (g->rule >= 0) {
		rpc_pack_kv_int(pk, "rule", g->rule);
		rpc_pack_kv_str(pk, "pattern", g->pattern);
		rpc_pack_kv_str(pk, "scope", "session");
		rpc_pack_kv_int(pk, "ttl", 3600);
	}
}

/* Decide group gid as a person would with s in the console: allow it and
 * remember the first suggestion with a wildcard (session, 1 hour); without
 * one, allow the group once. */
static void
remember_group(sg_client *c, const char *gid, const char *note)
{
	struct group_arg a = { .group = gid, .note = note, .rule = -1 };
	struct client_msg m, r;
	const msgpack_object *gs, *sg = NULL;
	char pattern[4200] = "";

	if (cli_call("demo", c, "groups", pack_group_ids, &a, 10000, &m) != EXIT_OK)
		return;
	gs = rpc_map_get(m.msg.result, "groups");
	if (gs != NULL && gs->type == MSGPACK_OBJECT_ARRAY && gs->via.array.size > 0)
		sg = rpc_map_get(&gs->via.array.ptr[0], "suggestions");
	for (uint32_t i = 0; sg != NULL && sg->type == MSGPACK_OBJECT_ARRAY && i < sg->via.array.size; i++) {
		const msgpack_object *pt = rpc_map_get(&sg->via.array.ptr[i], "pattern");
		int64_t idx;

		if (pt != NULL && pt->type == MSGPACK_OBJECT_STR && pt->via.str.size < sizeof pattern &&
		    memchr(pt->via.str.ptr, '*', pt->via.str.size) != NULL &&
		    rpc_get_int(rpc_map_get(&sg->via.array.ptr[i], "index"), 0, 16, &idx) == 0) {
			snprintf(pattern, sizeof pattern, "%.*s", (int)pt->via.str.size, pt->via.str.ptr);
			a.rule = idx;
			a.pattern = pattern;
			break;
		}
	}
	usleep(200000); /* a person takes a moment */
	if (cli_call("demo", c, "decide", pack_decide_group, &a, 10000, &r) == EXIT_OK)
		client_msg_free(&r);
	client_msg_free(&m);
}

/* One request of the grouped burst arrived; once all have, decide their
 * group(s) and remember them. */
static void
on_burst(struct demo *d, sg_client *c, const msgpack_object *group, const struct demo_payload *p)
{
	char gid[32];
	bool known = false;

	if (group != NULL && group->type == MSGPACK_OBJECT_STR && group->via.str.size < sizeof gid) {
		snprintf(gid, sizeof gid, "%.*s", (int)group->via.str.size, group->via.str.ptr);
		for (int i = 0; i < d->nburst_groups; i++)
			known |= strcmp(d->burst_groups[i], gid) == 0;
		if (!known && d->nburst_groups < 4)
			snprintf(d->burst_groups[d->nburst_groups++], sizeof d->burst_groups[0], "%s", gid);
	}
	if (++d->burst_seen < burst_size())
		return;
	for (int i = 0; i < d->nburst_groups; i++)
		remember_group(c, d->burst_groups[i], p->note);
}

/* A "request" notification: the scripted reviewer answers it as the
 * payload table says. */
static void
on_request(struct demo *d, sg_client *c, const msgpack_object *view)
{
	const struct demo_payload *p = match_payload(rpc_map_get(view, "request"));
	int64_t id;

	if (d->console || p == NULL || p->answer == NULL || strcmp(p->answer, "rule") == 0 ||
	    rpc_get_int(rpc_map_get(view, "id"), 1, INT64_MAX, &id) != 0)
		return;
	if (strcmp(p->answer, "remember") == 0) {
		on_burst(d, c, rpc_map_get(view, "group"), p);
		return;
	}
	{
		struct decide_arg a = { id, p->answer, p->note };
		struct client_msg r;

		usleep(200000); /* a person takes a moment */
		if (cli_call("demo", c, "decide", pack_decide, &a, 10000, &r) == EXIT_OK)
			client_msg_free(&r);
	}
}

static void
on_decided(struct demo *d, const msgpack_object *dm)
{
	const msgpack_object *by = rpc_map_get(dm, "by");

	d->decided++;
	if (rpc_str_eq(rpc_map_get(dm, "decision"), "allow"))
		d->allowed++;
	else if (rpc_str_eq(by, "withdrawn"))
		d->withdrawn++;
	else
		d->denied++;
	if (rpc_str_eq(by, "timeout"))
		d->timed_out++;
	if (rpc_str_eq(by, "rule") && d->nby_rule < 32 &&
	    rpc_get_int(rpc_map_get(dm, "rule_id"), 1, INT64_MAX, &d->by_rule[d->nby_rule]) == 0)
		d->nby_rule++;
}

/* Handle what the broker sent; -1 when the connection is gone. */
static int
pump(struct demo *d, sg_client *c, int wait_ms)
{
	struct pollfd p = { .fd = client_fd(c), .events = POLLIN };
	struct client_msg m;
	int r = 0;

	if (poll(&p, 1, wait_ms) > 0 && client_pump(c) < 0)
		r = -1;
	while (client_next(c, &m) == 1) {
		const msgpack_object *arg = NULL;

		if (m.msg.type == RPC_NOTIFY && m.msg.params != NULL && m.msg.params->via.array.size == 1)
			arg = &m.msg.params->via.array.ptr[0];
		if (arg != NULL && m.msg.method_len == 7 && memcmp(m.msg.method, "request", 7) == 0)
			on_request(d, c, arg);
		else if (arg != NULL && m.msg.method_len == 7 && memcmp(m.msg.method, "decided", 7) == 0)
			on_decided(d, arg);
		client_msg_free(&m);
	}
	return r;
}

static pid_t
start_console(const struct demo *d)
{
	pid_t pid = fork();

	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execv(d->self, (char *const[]){ "sandgate", "console", "--no-start", NULL });
		_exit(127);
	}
	return pid;
}

/* Until the agents are done (scripted) or the person quits the console. */
static void
review(struct demo *d, sg_client *c)
{
	bool live = true;

	for (;;) {
		if (live && pump(d, c, 100) < 0) {
			live = false;
			cli_err("demo", "lost the broker: %s", client_error(c));
		}
		if (interrupted)
			break;
		if (d->console) {
			int st;

			if (d->console_pid > 0 && waitpid(d->console_pid, &st, WNOHANG) == d->console_pid) {
				d->console_pid = 0;
				break;
			}
			if (!live)
				usleep(100000);
		} else if (reap_agents(d) == 0) {
			break;
		} else if (!live) {
			usleep(100000);
		}
	}
	/* the last decisions' notifications may still be on their way */
	for (int64_t until = wall_clock_ms() + 2000; live && !d->console && d->decided < (int)DEMO_PAYLOADS &&
	    wall_clock_ms() < until;)
		if (pump(d, c, 50) < 0)
			break;
}

static void
pack_rules_all(msgpack_packer *pk, void *arg)
{
	(void)arg;
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 1);
	rpc_pack_kv_bool(pk, "all", true);
}

/* Rules created since the demo started; -1 if the broker cannot say. */
static int
rules_made(struct demo *d, sg_client *c)
{
	struct client_msg m;
	const msgpack_object *rules;
	int n = 0;

	if (cli_call("demo", c, "rules", pack_rules_all, NULL, 5000, &m) != EXIT_OK)
		return -1;
	rules = rpc_map_get(m.msg.result, "rules");
	for (uint32_t i = 0; rules != NULL && rules->type == MSGPACK_OBJECT_ARRAY && i < rules->via.array.size; i++) {
		const msgpack_object *r = &rules->via.array.ptr[i], *origin = rpc_map_get(r, "origin");
		int64_t t;

		/* the broker's own presets are not what the reviewer made */
		if (origin != NULL && origin->type == MSGPACK_OBJECT_STR && origin->via.str.size >= 6 &&
		    memcmp(origin->via.str.ptr, "preset", 6) == 0)
			continue;
		if (rpc_get_int(rpc_map_get(r, "created_ms"), 0, INT64_MAX, &t) == 0 && t >= d->start_ms) {
			int64_t id;

			n++;
			/* the requests it answered by itself once remembered */
			if (rpc_get_int(rpc_map_get(r, "id"), 1, INT64_MAX, &id) == 0)
				for (int k = 0; k < d->nby_rule; k++)
					d->by_made_rule += d->by_rule[k] == id;
		}
	}
	client_msg_free(&m);
	return n;
}

static void pack_none(msgpack_packer *pk, void *arg);

/* After the agents are stopped, wait (at most 5 s) until the broker has seen
 * their connections close and withdrawn what they left pending, so those
 * are recorded as withdrawn rather than as denied by the broker's stop. */
static void
wait_withdrawn(sg_client *c)
{
	for (int i = 0; i < 100; i++) {
		struct client_msg m;
		int64_t pending = -1;

		if (cli_call("demo", c, "status", pack_none, NULL, 5000, &m) != EXIT_OK)
			return;
		rpc_get_int(rpc_map_get(m.msg.result, "pending"), 0, INT64_MAX, &pending);
		client_msg_free(&m);
		if (pending == 0)
			return;
		usleep(50000);
	}
}

static void
pack_none(msgpack_packer *pk, void *arg)
{
	(void)arg;
	msgpack_pack_array(pk, 0);
}

/* SIGTERM the broker this demo started and wait until it is gone. */
static void
stop_broker(void)
{
	char *dir = paths_runtime_dir(), *lock = dir != NULL ? paths_join(dir, "broker.lock") : NULL;
	FILE *f = lock != NULL ? fopen(lock, "r") : NULL;
	long pid = 0;

	if (f != NULL && fscanf(f, "%ld", &pid) == 1 && pid > 1 && kill((pid_t)pid, SIGTERM) == 0)
		for (int i = 0; i < 100 && kill((pid_t)pid, 0) == 0; i++)
			usleep(50000);
	if (f != NULL)
		fclose(f);
	free(lock);
	free(dir);
}

/* `sandgate audit verify`: 0 and its summary in line, or nonzero. */
static int
verify_audit(const struct demo *d, char *line, size_t cap)
{
	char out[2048], *db = paths_db(), *s = out;
	int rc = run_self(d->self, (char *const[]){ "sandgate", "audit", "verify", NULL }, out, sizeof out);

	if (db != NULL && strncmp(out, db, strlen(db)) == 0 && strncmp(out + strlen(db), ": ", 2) == 0)
		s = out + strlen(db) + 2;
	if (strncmp(s, "sandgate audit: ", 16) == 0)
		s += 16;
	s[strcspn(s, "\n")] = '\0';
	snprintf(line, cap, "%.900s", *s ? s : rc == 0 ? "ok" : "failed");
	free(db);
	return rc;
}

/* Print the agents' answers collected while the console owned the screen. */
static void
print_log(const struct demo *d)
{
	char buf[4096];
	FILE *f = fopen(d->log, "r");

	if (f == NULL)
		return;
	printf("what the agents heard:\n");
	while (fgets(buf, sizeof buf, f) != NULL)
		fputs(buf, stdout);
	fclose(f);
}

/* ---- set-up ---- */

static int
parse(struct demo *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "keep", no_argument, NULL, 'k' },
		{ "scripted", no_argument, NULL, 's' },
		{ "console", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, mode = 0;

	optind = 1;
	while ((ch = cli_getopt("demo", argc, argv, "", opts)) != -1) {
		switch (ch) {
		case 'k': d->keep = true; break;
		case 's': mode = 's'; break;
		case 'c': mode = 'c'; break;
		default: return -1;
		}
	}
	if (optind != argc) {
		cli_err("demo", "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (mode == 'c' && (!isatty(0) || !isatty(1))) {
		cli_err("demo", "--console needs a terminal on stdin and stdout");
		return -1;
	}
	d->console = mode == 'c' || (mode == 0 && isatty(0) && isatty(1));
	d->timeout_s = d->console ? CONSOLE_TIMEOUT_S : SCRIPTED_TIMEOUT_S;
	return 0;
}

/* Point env var name at DIR/leaf. */
static void
set_env_path(const char *name, const char *dir, const char *leaf)
{
	char *p = paths_join(dir, leaf);

	if (p != NULL)
		setenv(name, p, 1);
	free(p);
}

static int
setup(struct demo *d)
{
	const char *tmp = getenv("TMPDIR");
	char tmpl[256];
	ssize_t n;

	if (tmp == NULL || tmp[0] != '/' || strlen(tmp) > 200)
		tmp = "/tmp";
	snprintf(tmpl, sizeof tmpl, "%s/sandgate-demo.XXXXXX", tmp);
	if (mkdtemp(tmpl) == NULL) {
		cli_err("demo", "cannot make a temporary dir: %s", strerror(errno));
		return -1;
	}
	snprintf(d->dir, sizeof d->dir, "%s", tmpl);
	if ((n = readlink("/proc/self/exe", d->self, sizeof d->self - 1)) <= 0) {
		cli_err("demo", "cannot find this binary: %s", strerror(errno));
		return -1;
	}
	d->self[n] = '\0';
	snprintf(d->ws, sizeof d->ws, "%s/shop", d->dir);
	snprintf(d->log, sizeof d->log, "%s/agents.log", d->dir);
	if (mkdir(d->ws, 0700) < 0) {
		cli_err("demo", "cannot make %s: %s", d->ws, strerror(errno));
		return -1;
	}
	/* the file the outside-workspace write rewrites, so the console has a
	 * real file to diff against */
	{
		char home[PATH_MAX + 16];
		FILE *f;

		snprintf(home, sizeof home, "%s/home", d->dir);
		if (mkdir(home, 0700) == 0) {
			snprintf(home, sizeof home, "%s/home/.bashrc", d->dir);
			if ((f = fopen(home, "w")) != NULL) {
				fputs(DEMO_BASHRC_OLD, f);
				fclose(f);
			}
		}
	}
	/* a private broker: own runtime dir, DB and config, always, so the demo
	 * never touches the user's (nor meets a broker already running there) */
	set_env_path("SANDGATE_DIR", d->dir, "run");
	set_env_path("SANDGATE_DB", d->dir, "sandgate.db");
	unsetenv("SANDGATE_SYSTEM");     /* a personal broker, even on a machine */
	unsetenv("SANDGATE_CONFIG_DIR"); /* with a system one */
	setenv("XDG_CONFIG_HOME", d->dir, 1);
	setenv("XDG_STATE_HOME", d->dir, 1);
	return 0;
}

/* Can `sandgate sandbox` run anything here? */
static bool
probe_sandbox(const struct demo *d)
{
	char out[1024];
	int rc = run_self(d->self, (char *const[]){ "sandgate", "sandbox", "--workspace", (char *)d->ws,
	    "--", "/bin/true", NULL }, out, sizeof out);

	if (rc == 0)
		return true;
	out[strcspn(out, "\n")] = '\0';
	printf("note: the demo agents run unsandboxed: `sandgate sandbox` exited %d%s%s\n", rc,
	    *out ? ": " : "", out);
	return false;
}

static void
print_tally(const struct demo *d, int rules)
{
	printf("tally: %d allowed, %d denied (%d timed out)", d->allowed, d->denied, d->timed_out);
	if (d->left > 0)
		printf(", %d left undecided (withdrawn)", d->left);
	if (rules >= 0)
		printf(", %d rule%s made", rules, rules == 1 ? "" : "s");
	if (d->by_made_rule > 0)
		printf(" (answering %d later request%s by itself)", d->by_made_rule, d->by_made_rule == 1 ? "" : "s");
	printf("; every answer was recorded before it was sent.\n");
}

static int
run(int argc, char **argv)
{
	struct demo d = { 0 };
	char timeout[16], line[1024], *dir, *db;
	struct sigaction sa = { .sa_handler = on_signal };
	sg_client *c;
	struct client_msg m;
	int rules, vrc, brc;

	if (parse(&d, argc, argv) < 0)
		return EXIT_USAGE;
	if (setup(&d) < 0)
		return EXIT_UNREACHABLE;
	dir = paths_runtime_dir();
	db = paths_db();
	printf("sandgate demo: broker in %s, audit DB %s\n", dir ? dir : "?", db ? db : "?");
	free(dir);
	free(db);
	snprintf(timeout, sizeof timeout, "%d", d.timeout_s);
	/* the broker's home is the demo's home/, so the agent's write to
	 * home/.bashrc is what it is: a shell start-up file outside the workspace */
	{
		char *home = getenv("HOME") != NULL ? strdup(getenv("HOME")) : NULL;

		set_env_path("HOME", d.dir, "home");
		brc = run_self(d.self, (char *const[]){ "sandgate", "broker", "--timeout", timeout, NULL }, NULL, 0);
		if (home != NULL)
			setenv("HOME", home, 1);
		else
			unsetenv("HOME");
		free(home);
	}
	if (brc != 0) {
		cli_err("demo", "the broker did not start (is one already running in $SANDGATE_DIR?)");
		return EXIT_UNREACHABLE;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	d.start_ms = wall_clock_ms() - 1000;
	if ((c = cli_connect("demo", ROLE_CONSOLE, 5000)) == NULL ||
	    cli_call("demo", c, "subscribe", pack_none, NULL, 5000, &m) != EXIT_OK) {
		stop_broker();
		return EXIT_UNREACHABLE;
	}
	client_msg_free(&m);
	d.sandboxed = probe_sandbox(&d);
	if (d.console) {
		printf("%zu demo agents (Claude Code, Codex, Gemini CLI hooks%s) are sending requests;\n"
		    "decide them in the console (? lists the keys, q quits; undecided ones time out\n"
		    "after %d s and are denied).  Try: s on the group of three `npm install`s remembers\n"
		    "it, and a fourth install arriving after 45 s is then answered by that rule;\n"
		    "the write to home/.bashrc is outside the workspace: its detail shows the diff...\n",
		    DEMO_PAYLOADS, d.sandboxed ? ", sandboxed" : "", d.timeout_s);
		fflush(stdout);
		usleep(1500000);
		d.console_pid = start_console(&d);
	} else {
		printf("%zu agent requests arriving through the Claude Code, Codex and Gemini CLI hooks%s;\n"
		    "the scripted reviewer allows a burst of three installs as one group and\n"
		    "remembers it (a fourth install is then answered by that rule), answers the\n"
		    "others one by one but one, which times out after %d s and is denied (fail closed):\n",
		    DEMO_PAYLOADS, d.sandboxed ? " (sandboxed)" : "", d.timeout_s);
	}
	start_agents(&d, c);
	review(&d, c);
	if (d.console_pid > 0) { /* interrupted: the console goes first */
		kill(d.console_pid, SIGTERM);
		waitpid(d.console_pid, NULL, 0);
	}
	d.left = stop_agents(&d);
	if (d.left > 0)
		wait_withdrawn(c);
	if (d.console)
		print_log(&d);
	rules = rules_made(&d, c);
	client_close(c);
	print_tally(&d, rules);
	if (d.keep) {
		printf("broker left running; reach it with:\n  SANDGATE_DIR=%s SANDGATE_DB=%s sandgate\n",
		    getenv("SANDGATE_DIR"), getenv("SANDGATE_DB"));
		return EXIT_OK;
	}
	stop_broker();
	vrc = verify_audit(&d, line, sizeof line);
	printf("audit verify: %s\n", line);
	printf("broker stopped; the demo files stay in %s\n", d.dir);
	return vrc == 0 ? EXIT_OK : EXIT_DENIED;
}

const struct cli_cmd cmd_demo = {
	.name = "demo",
	.args = "[--console|--scripted] [--keep]",
	.summary = "a real broker, demo agents sending real hook payloads, and the console",
	.help =
	    "  --console    decide in the real console (the default on a terminal)\n"
	    "  --scripted   a scripted reviewer answers (the default without a terminal)\n"
	    "  --keep       leave the demo broker running and print how to reach it\n"
	    "\n"
	    "Demo agents feed Claude Code, Codex and Gemini CLI hook payloads to\n"
	    "`sandgate hook ADAPTER`, inside `sandgate sandbox` when bubblewrap works.\n"
	    "On quitting: the agents and the broker stop, and a tally and the audit\n"
	    "log's verification are printed.  Everything lives in a fresh\n"
	    "$TMPDIR/sandgate-demo.* directory (runtime dir, database, config); your own\n"
	    "are never touched, even when SANDGATE_DIR or SANDGATE_DB are set.\n",
	.run = run,
};
