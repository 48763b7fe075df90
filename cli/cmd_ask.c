/* cmd_ask.c -- `sandgate ask`: submit one request and wait for its decision. */
#include "cli/cli.h"

#include <getopt.h>
#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ask {
	const char *kind, *agent, *session, *cwd, *workspace, *req_id, *path, *url;
	const char *server, *tool, *justification;
	const char *sandbox, *sandbox_source; /* where the command runs, and who says so */
	long timeout_s;
	bool json, quiet;
	const char *name; /* "ask", or "exec" when the words are a command to run */
	bool exec_mode;
	int argc;
	char **argv;
	char id_buf[33], session_buf[64], cwd_buf[PATH_MAX];
	/* the request does not fit in one message: it is sent without its
	 * payload, as `oversized` (the broker denies it at once, recorded) */
	bool oversized;
	const char *ov_field;
	unsigned long long ov_bytes;
	char ov_sha256[65];
};

static void
pack_submit(msgpack_packer *pk, void *arg)
{
	struct ask *a = arg;
	int n = 7;
	bool payload = !a->oversized;

	n += a->workspace != NULL;
	n += 2 * (a->sandbox != NULL);
	n += a->timeout_s > 0;
	n += payload && a->justification != NULL;
	n += payload && a->argc > 0;
	n += payload && a->path != NULL;
	n += payload && a->url != NULL;
	n += payload && a->server != NULL;
	n += payload && a->tool != NULL;
	n += a->oversized;
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, (size_t)n);
	rpc_pack_kv_str(pk, "req_id", a->req_id);
	rpc_pack_kv_str(pk, "agent", a->agent);
	rpc_pack_kv_str(pk, "session", a->session);
	rpc_pack_kv_str(pk, "kind", a->kind);
	rpc_pack_kv_str(pk, "cwd", a->cwd);
	rpc_pack_kv_bool(pk, "wait", false); /* pending: progress on stderr, then `wait` */
	rpc_pack_kv_str(pk, "tool_name", a->exec_mode ? "sandgate-exec" : "sandgate-ask");
	if (a->workspace != NULL)
		rpc_pack_kv_str(pk, "workspace", a->workspace);
	if (a->sandbox != NULL) {
		rpc_pack_kv_str(pk, "sandbox", a->sandbox);
		rpc_pack_kv_str(pk, "sandbox_source", a->sandbox_source);
	}
	if (a->timeout_s > 0)
		rpc_pack_kv_int(pk, "timeout", a->timeout_s);
	if (a->oversized) {
		rpc_pack_str(pk, "oversized");
		msgpack_pack_map(pk, 3);
		rpc_pack_kv_str(pk, "field", a->ov_field);
		rpc_pack_str(pk, "bytes");
		msgpack_pack_uint64(pk, a->ov_bytes);
		rpc_pack_kv_str(pk, "sha256", a->ov_sha256);
		return;
	}
	if (a->justification != NULL)
		rpc_pack_kv_str(pk, "justification", a->justification);
	if (a->path != NULL)
		rpc_pack_kv_str(pk, "path", a->path);
	if (a->url != NULL)
		rpc_pack_kv_str(pk, "url", a->url);
	if (a->server != NULL)
		rpc_pack_kv_str(pk, "server", a->server);
	if (a->tool != NULL)
		rpc_pack_kv_str(pk, "tool", a->tool);
	if (a->argc == 1) {
		rpc_pack_kv_str(pk, "command", a->argv[0]);
	} else if (a->argc > 1) {
		rpc_pack_str(pk, "argv");
		msgpack_pack_array(pk, (size_t)a->argc);
		for (int i = 0; i < a->argc; i++)
			rpc_pack_str(pk, a->argv[i]);
	}
}

/* The request's message size (as client_begin + pack_submit would make it). */
static size_t
message_size(struct ask *a)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	size_t n;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	rpc_pack_request(&pk, UINT32_MAX, "submit");
	pack_submit(&pk, a);
	n = sb.size;
	msgpack_sbuffer_destroy(&sb);
	return n;
}

/* When the request cannot be sent whole, describe its biggest field instead:
 * a string by its bytes, argv by its words each followed by a NUL (as in
 * /proc/PID/cmdline).  Never a part of it: the broker denies the request. */
static void
check_size(struct ask *a)
{
	struct { const char *name, *s; } one[] = {
		{ "path", a->path }, { "url", a->url }, { "server", a->server }, { "tool", a->tool },
		{ "justification", a->justification },
	};
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	unsigned long long words = 0;
	const char *best = NULL;

	if (message_size(a) <= SG_MSG_CAP)
		return;
	for (int i = 0; i < a->argc; i++)
		words += strlen(a->argv[i]) + (a->argc > 1);
	a->ov_field = a->argc == 1 ? "command" : "argv";
	a->ov_bytes = words;
	for (size_t i = 0; i < sizeof one / sizeof one[0]; i++) {
		if (one[i].s != NULL && strlen(one[i].s) > a->ov_bytes) {
			a->ov_field = one[i].name;
			a->ov_bytes = strlen(one[i].s);
			best = one[i].s;
		}
	}
	crypto_hash_sha256_init(&st);
	if (best != NULL)
		crypto_hash_sha256_update(&st, (const unsigned char *)best, a->ov_bytes);
	else
		for (int i = 0; i < a->argc; i++)
			crypto_hash_sha256_update(&st, (const unsigned char *)a->argv[i],
			    strlen(a->argv[i]) + (a->argc > 1)); /* with its NUL */
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(a->ov_sha256, sizeof a->ov_sha256, h, sizeof h);
	a->oversized = true;
}

/* The target the kind needs, as the broker checks it (a usage error here,
 * not an unreachable broker). */
static int
check_target(const struct ask *a)
{
	const char *k = a->kind;

	if ((strcmp(k, "write") == 0 || strcmp(k, "edit") == 0 || strcmp(k, "read") == 0 ||
	    strcmp(k, "delete") == 0) && a->path == NULL) {
		cli_err(a->name, "kind %s needs a path (--path P, or the path after --)", k);
		return -1;
	}
	if (strcmp(k, "net") == 0 && a->url == NULL) {
		cli_err(a->name, "kind net needs a URL (--url U, or the URL after --)");
		return -1;
	}
	if (strcmp(k, "mcp") == 0 && (a->server == NULL || a->tool == NULL)) {
		cli_err(a->name, "kind mcp needs --server S and --tool T");
		return -1;
	}
	return 0;
}

/* Fill the kind's payload from the positional words when no option gave it. */
static int
fill_payload(struct ask *a)
{
	static const char *const kinds[] = { "exec", "write", "edit", "read", "delete", "net", "mcp", "other" };
	bool exec = strcmp(a->kind, "exec") == 0, known = false;

	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		known |= strcmp(a->kind, kinds[i]) == 0;
	if (!known) {
		cli_err(a->name, "--kind must be exec, write, edit, read, delete, net, mcp or other, not '%s'", a->kind);
		return -1;
	}
	if (exec || a->exec_mode) {
		if (a->argc == 0) {
			cli_err(a->name, "nothing to ask: give the command after --");
			return -1;
		}
		return exec ? 0 : check_target(a);
	}
	if (a->argc == 1 && a->path == NULL && a->url == NULL &&
	    (strcmp(a->kind, "net") != 0 ? (a->path = a->argv[0]) : (a->url = a->argv[0])))
		a->argc = 0;
	if (a->argc > 0 && strcmp(a->kind, "other") != 0) {
		cli_err(a->name, "kind %s takes one target (a path or URL), not a command", a->kind);
		return -1;
	}
	return check_target(a);
}

static int
parse(struct ask *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' }, { "agent", required_argument, NULL, 'a' },
		{ "session", required_argument, NULL, 's' }, { "cwd", required_argument, NULL, 'C' },
		{ "workspace", required_argument, NULL, 'w' }, { "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' }, { "req-id", required_argument, NULL, 'r' },
		{ "path", required_argument, NULL, 'p' }, { "url", required_argument, NULL, 'u' },
		{ "server", required_argument, NULL, 'S' }, { "tool", required_argument, NULL, 'T' },
		{ "why", required_argument, NULL, 'y' }, { "sandboxed", no_argument, NULL, 1 },
		{ "unsandboxed", no_argument, NULL, 2 }, { "quiet", no_argument, NULL, 'q' }, { NULL, 0, NULL, 0 },
	};
	int c;
	char *end;

	optind = 1;
	while ((c = cli_getopt(a->name, argc, argv, "+k:a:s:C:w:t:jqr:p:u:S:T:y:", opts)) != -1) {
		switch (c) {
		case 'k': a->kind = optarg; break;
		case 'a': a->agent = optarg; break;
		case 's': a->session = optarg; break;
		case 'C': a->cwd = optarg; break;
		case 'w': a->workspace = optarg; break;
		case 'j': a->json = true; break;
		case 'q': a->quiet = true; break;
		case 'r': a->req_id = optarg; break;
		case 'p': a->path = optarg; break;
		case 'u': a->url = optarg; break;
		case 'S': a->server = optarg; break;
		case 'T': a->tool = optarg; break;
		case 'y': a->justification = optarg; break;
		case 1:
		case 2:
			a->sandbox = c == 1 ? "sandboxed" : "unsandboxed";
			a->sandbox_source = c == 1 ? "--sandboxed" : "--unsandboxed";
			break;
		case 't':
			a->timeout_s = strtol(optarg, &end, 10);
			if (*end != '\0' || a->timeout_s < 1 || a->timeout_s > 86400) {
				cli_err(a->name, "--timeout must be 1 to 86400 seconds");
				return -1;
			}
			break;
		default:
			return -1;
		}
	}
	a->argc = argc - optind;
	a->argv = argv + optind;
	return fill_payload(a);
}

/* The terminal's session (issue #16): "tty-pts3-4567", the controlling
 * terminal and its session id (the shell that owns it), so that every
 * request typed in one shell, or run by its scripts and pipelines, groups
 * together, and a terminal reused later is another session.  -1 without a
 * controlling terminal. */
static int
terminal_session(char *buf, size_t cap)
{
	char stat[1024], *p;
	FILE *f = fopen("/proc/self/stat", "r");
	size_t n = f != NULL ? fread(stat, 1, sizeof stat - 1, f) : 0;
	int ppid, pgrp, sid, tty = 0;
	unsigned maj, min;

	if (f != NULL)
		fclose(f);
	stat[n] = '\0';
	/* "pid (comm) state ppid pgrp session tty_nr ...": comm may hold anything */
	if ((p = strrchr(stat, ')')) == NULL || sscanf(p + 1, " %*c %d %d %d %d", &ppid, &pgrp, &sid, &tty) != 4 ||
	    tty == 0 || sid <= 0)
		return -1;
	maj = ((unsigned)tty >> 8) & 0xfff;
	min = ((unsigned)tty & 0xff) | (((unsigned)tty >> 12) & 0xfff00);
	if (maj >= 136 && maj <= 143)
		snprintf(buf, cap, "tty-pts%u-%d", (maj - 136) * 256 + min, sid);
	else if (maj == 4)
		snprintf(buf, cap, "tty-tty%u-%d", min, sid);
	else
		snprintf(buf, cap, "tty-%u.%u-%d", maj, min, sid);
	return 0;
}

static void
defaults(struct ask *a)
{
	const char *env;
	unsigned char rnd[16];

	a->kind = "exec";
	a->agent = (env = getenv("SANDGATE_AGENT")) != NULL && *env ? env : "cli";
	if ((env = getenv("SANDGATE_SESSION")) != NULL && *env) {
		a->session = env;
	} else if (terminal_session(a->session_buf, sizeof a->session_buf) == 0) {
		a->session = a->session_buf;
	} else {
		snprintf(a->session_buf, sizeof a->session_buf, "cli-%ld", (long)getppid());
		a->session = a->session_buf;
	}
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(a->id_buf, sizeof a->id_buf, rnd, sizeof rnd);
	a->req_id = a->id_buf;
	a->cwd = getcwd(a->cwd_buf, sizeof a->cwd_buf) != NULL ? a->cwd_buf : "/";
	/* inside `sandgate sandbox` (it sets SANDGATE_SANDBOX): the command
	 * runs in its bubblewrap sandbox */
	if ((env = getenv("SANDGATE_SANDBOX")) != NULL && *env != '\0' && strcmp(env, "0") != 0) {
		a->sandbox = "sandboxed";
		a->sandbox_source = "sandgate sandbox";
	}
}

/* "40 s", "5 m", "2 h" */
static void
span(char *buf, size_t cap, long long ms)
{
	long long s = ms > 0 ? (ms + 999) / 1000 : 0;

	if (s < 120)
		snprintf(buf, cap, "%lld s", s);
	else if (s < 7200)
		snprintf(buf, cap, "%lld min", s / 60);
	else
		snprintf(buf, cap, "%lld h", s / 3600);
}

static int64_t
opt_int(const msgpack_object *o, const char *key)
{
	int64_t v;

	return rpc_get_int(rpc_map_get(o, key), INT64_MIN + 1, INT64_MAX, &v) == 0 ? v : -1;
}

/* The request waits for a person (issue #15): say so on stderr, with when it
 * escalates and when it is denied if nobody answers (the broker's times,
 * relative to its clock), then wait for the decision; when the escalation
 * time passes meanwhile, say that too.  *m (the pending reply) is replaced by
 * the decision.  0, or -1 (printed) when the broker is gone. */
static int
wait_decision(struct ask *a, sg_client *c, struct client_msg *m, int64_t rid, int wait_ms)
{
	const msgpack_object *st = m->msg.result, *esc = rpc_map_get(st, "escalation");
	const msgpack_object *q = rpc_map_get(st, "quorum");
	int64_t now = opt_int(st, "now_ms"), esc_at = opt_int(st, "escalate_ms");
	int64_t exp_at = opt_int(st, "expire_ms"), dl = opt_int(st, "deadline_ms");
	int64_t level = esc != NULL ? opt_int(esc, "level") : 1, need = q != NULL ? opt_int(q, "need") : 1;
	int64_t end = dl, to_esc = -1;
	char t1[32], t2[32], quorum[64] = "";
	uint32_t id;
	msgpack_packer *pk;

	if (exp_at > 0 && (end < 0 || exp_at < end))
		end = exp_at;
	span(t2, sizeof t2, end - now);
	if (need > 1)
		snprintf(quorum, sizeof quorum, "; needs %lld approvers", (long long)need);
	if (!a->quiet && rpc_map_get(st, "waiting") != NULL && rpc_map_get(st, "waiting")->type == MSGPACK_OBJECT_BOOLEAN &&
	    rpc_map_get(st, "waiting")->via.boolean) {
		if (level >= 2) {
			fprintf(stderr, "sandgate %s: waiting for an on-call reviewer (request %lld, escalated)%s; "
			    "denied if nobody decides within %s\n", a->name, (long long)rid, quorum, t2);
		} else if (esc_at >= 0 && esc_at < end) {
			to_esc = esc_at - now;
			span(t1, sizeof t1, to_esc);
			fprintf(stderr, "sandgate %s: waiting for a reviewer (request %lld); escalates in %s%s; "
			    "denied if nobody decides within %s\n", a->name, (long long)rid, t1, quorum, t2);
		} else {
			fprintf(stderr, "sandgate %s: waiting for a reviewer (request %lld)%s; denied if nobody decides "
			    "within %s\n", a->name, (long long)rid, quorum, t2);
		}
	}
	client_msg_free(m);
	pk = client_begin(c, "wait", &id);
	msgpack_pack_array(pk, 1);
	msgpack_pack_int64(pk, rid);
	if (client_send(c, wait_ms) < 0) {
		cli_err(a->name, "%s", client_error(c));
		return -1;
	}
	if (to_esc >= 0 && (wait_ms < 0 || to_esc < wait_ms)) {
		if (client_wait(c, id, (int)(to_esc > 0 ? to_esc : 0) + 200, m) == 0)
			return 0;
		if (strstr(client_error(c), "timed out") == NULL) {
			cli_err(a->name, "%s", client_error(c));
			return -1;
		}
		span(t2, sizeof t2, end - esc_at);
		fprintf(stderr, "sandgate %s: escalated to on-call; denied if nobody decides within %s\n", a->name, t2);
		if (wait_ms >= 0)
			wait_ms -= (int)to_esc;
	}
	if (client_wait(c, id, wait_ms, m) < 0) {
		cli_err(a->name, "%s", client_error(c));
		return -1;
	}
	return 0;
}

int
ask_request(const char *name, int argc, char **argv, int *nwords, char ***words)
{
	struct ask a;
	struct client_msg m;
	sg_client *c;
	const msgpack_object *r, *err;
	msgpack_packer *pk;
	uint32_t id;
	int rc, wait_ms;

	memset(&a, 0, sizeof a);
	a.name = name;
	a.exec_mode = words != NULL;
	if (sodium_init() < 0) {
		cli_err(name, "libsodium failed to initialise");
		return EXIT_UNREACHABLE;
	}
	defaults(&a);
	if (parse(&a, argc, argv) < 0)
		return EXIT_USAGE;
	check_size(&a);
	if ((c = cli_connect(name, ROLE_AGENT, 5000)) == NULL)
		return EXIT_UNREACHABLE;
	/* the broker answers by the deadline; allow a margin, then fail closed */
	wait_ms = a.timeout_s > 0 ? (int)(a.timeout_s * 1000 + 10000) : -1;
	pk = client_begin(c, "submit", &id);
	pack_submit(pk, &a);
	if (client_send(c, wait_ms) < 0 || client_wait(c, id, wait_ms, &m) < 0) {
		cli_err(name, "%s", client_error(c));
		client_close(c);
		return EXIT_UNREACHABLE;
	}
	if ((err = m.msg.error) != NULL && err->type != MSGPACK_OBJECT_NIL) {
		size_t elen = 0;
		const char *e = client_msg_error(&m, &elen);

		/* conflict: the broker refused this request (its req_id names another
		 * request, a quota is full, it is shutting down): a deny */
		rc = rpc_str_eq(rpc_map_get(err, "code"), SG_ERR_CONFLICT) ? EXIT_DENIED : EXIT_UNREACHABLE;
		cli_err(name, "%.*s", (int)elen, e);
		client_msg_free(&m);
		client_close(c);
		return rc;
	}
	if (rpc_str_eq(rpc_map_get(m.msg.result, "state"), "pending")) {
		int64_t rid = 0;

		rpc_get_int(rpc_map_get(m.msg.result, "id"), 1, INT64_MAX, &rid);
		if (wait_decision(&a, c, &m, rid, wait_ms) < 0) {
			client_close(c);
			return EXIT_UNREACHABLE;
		}
		if ((err = m.msg.error) != NULL && err->type != MSGPACK_OBJECT_NIL) {
			size_t elen = 0;
			const char *e = client_msg_error(&m, &elen);

			cli_err(name, "%.*s", (int)elen, e);
			client_msg_free(&m);
			client_close(c);
			return EXIT_UNREACHABLE;
		}
	}
	r = m.msg.result;
	if (a.json) {
		json_t *j = mpjson_from_msgpack(r);

		cli_print_json(j);
		json_decref(j);
	}
	if (rpc_str_eq(rpc_map_get(r, "decision"), "allow")) {
		rc = EXIT_OK;
		if (words != NULL) {
			*nwords = a.argc;
			*words = a.argv;
		}
	} else if (rpc_str_eq(rpc_map_get(r, "decision"), "deny")) {
		const msgpack_object *why = rpc_map_get(r, "reason");

		if (!a.json && why != NULL && why->type == MSGPACK_OBJECT_STR)
			fprintf(stderr, "sandgate %s: %.*s\n", name, (int)why->via.str.size, why->via.str.ptr);
		rc = EXIT_DENIED;
	} else {
		cli_err(name, "malformed reply from the broker (treated as deny)");
		rc = EXIT_UNREACHABLE;
	}
	client_msg_free(&m);
	client_close(c);
	return rc;
}

static int
run(int argc, char **argv)
{
	return ask_request("ask", argc, argv, NULL, NULL);
}

const struct cli_cmd cmd_ask = {
	.name = "ask",
	.args = "[--kind K] [--agent A] [--session S] [--cwd D] [--timeout SEC] [--json] -- CMD...",
	.summary = "submit a permission request and wait for the decision",
	.help =
	    "  -k, --kind K        exec (default), write, edit, read, delete, net, mcp, other\n"
	    "  -a, --agent A       agent name (default $SANDGATE_AGENT or \"cli\")\n"
	    "  -s, --session S     session id (default $SANDGATE_SESSION, else the terminal's,\n"
	    "                      e.g. tty-pts3-4567 (terminal and its shell's session id):\n"
	    "                      what one shell asks groups together; without a\n"
	    "                      terminal cli-PPID)\n"
	    "  -C, --cwd D         working directory of the request (default: current)\n"
	    "  -w, --workspace D   workspace root\n"
	    "  -t, --timeout SEC   deny if nobody decides within SEC seconds\n"
	    "  -r, --req-id ID     idempotency key (a retry of the same request with the same\n"
	    "                      key and session gets the same answer; the key with other\n"
	    "                      content is refused and recorded); default random\n"
	    "  -p, --path P        target path (write, edit, read, delete)\n"
	    "  -u, --url U         target URL (net)\n"
	    "  -S, --server S      MCP server;  -T, --tool T  MCP tool\n"
	    "  -y, --why TEXT      justification shown to the reviewer\n"
	    "      --sandboxed     the command will run inside a sandbox (the default inside\n"
	    "                      `sandgate sandbox`, which sets SANDGATE_SANDBOX)\n"
	    "      --unsandboxed   the command will run outside any sandbox (the workspace's\n"
	    "                      own scripts then score at least medium)\n"
	    "  -j, --json          print the decision as JSON on stdout\n"
	    "  -q, --quiet         no progress lines on stderr (\"waiting for a reviewer;\n"
	    "                      escalates in 40 s\")\n"
	    "\n"
	    "For exec, one word after -- is a shell command line; several words are an argv.\n"
	    "A request too big for one message (1 MiB) is not cut: it is sent without its\n"
	    "payload, recorded and denied (exit 1).\n"
	    "Exit status: 0 allowed, 1 denied, 2 usage, 3 broker unreachable or error\n"
	    "(treat 3 as deny).\n",
	.run = run,
};
