/* bench_disconnect.c -- what a short-lived connection costs the broker
 * with a big queue (issue #12: a disconnect used to walk every pending
 * request).  Every `sandgate ask` and hook call is one connection, so with
 * N pending requests held by another agent (0, 10,000, 50,000 by default;
 * quotas lifted) it measures the broker's CPU time per
 *
 *   - connect + hello + close (nothing submitted);
 *   - connect + submit `true` with wait (answered at once by a rule, one
 *     audit row) + close: the common hook call;
 *   - connect + submit a request that waits for a person + close: the
 *     request is withdrawn at the disconnect (recorded);
 *
 * plus the client's round trip per connection (p50/p99).  Each figure is the
 * broker's user+system CPU (from /proc) over ITERS connections, divided by
 * ITERS; the broker has handled every disconnect before the clock is read.
 *
 * Usage: bench_disconnect PATH/TO/sandgate [N...]   (default 0 10000 50000);
 * BENCH_DISCONNECT_ITERS sets ITERS (default 3000). */
#include "tests/bench/benchlib.h"
#include "proto/client.h"
#include "proto/rpc.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int iters = 3000;

static void
pack_request(msgpack_packer *pk, const char *req_id, const char *session, const char *command, bool wait)
{
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, wait ? 6 : 5);
	rpc_pack_kv_str(pk, "req_id", req_id);
	rpc_pack_kv_str(pk, "agent", "bench");
	rpc_pack_kv_str(pk, "session", session);
	rpc_pack_kv_str(pk, "kind", "exec");
	rpc_pack_kv_str(pk, "command", command);
	if (wait)
		rpc_pack_kv_bool(pk, "wait", true);
}

/* Call method (params packed by the caller after client_begin) and check
 * the reply is not an error; exits otherwise. */
static void
expect_result(sg_client *c, uint32_t id, const char *what, struct client_msg *m)
{
	size_t elen;
	const char *e;

	if (client_send(c, 600000) < 0 || client_wait(c, id, 600000, m) < 0) {
		fprintf(stderr, "bench: %s: %s\n", what, client_error(c));
		exit(1);
	}
	if ((e = client_msg_error(m, &elen)) != NULL) {
		fprintf(stderr, "bench: %s: %.*s\n", what, (int)elen, e);
		exit(1);
	}
}

static int64_t
status_int(sg_client *console, const char *key)
{
	struct client_msg m;
	uint32_t id;
	int64_t v = -1;

	msgpack_pack_array(client_begin(console, "status", &id), 0);
	expect_result(console, id, "status", &m);
	rpc_get_int(rpc_map_get(m.msg.result, key), INT64_MIN, INT64_MAX, &v);
	client_msg_free(&m);
	return v;
}

/* n pending requests over one agent connection (pipelined, 256 in flight),
 * 8 sessions; the connection is returned open (closing it withdraws them). */
static sg_client *
fill(int n)
{
	sg_client *agent = bench_connect(ROLE_AGENT, "filler");
	const int window = 256;
	int sent = 0, got = 0;
	uint32_t first = 0;

	while (got < n) {
		while (sent < n && sent - got < window) {
			char rid[32], sess[32], cmd[64];
			uint32_t id;

			snprintf(rid, sizeof rid, "fill-%d", sent);
			snprintf(sess, sizeof sess, "fill-%d", sent % 8);
			snprintf(cmd, sizeof cmd, "make -C sub%d deploy-%d", sent % 50, sent);
			pack_request(client_begin(agent, "submit", &id), rid, sess, cmd, false);
			if (sent == 0)
				first = id;
			if (client_send(agent, 600000) < 0)
				exit(1);
			sent++;
		}
		{
			struct client_msg m;
			size_t elen;

			if (client_wait(agent, first + (uint32_t)got, 600000, &m) < 0) {
				fprintf(stderr, "bench: fill: %s\n", client_error(agent));
				exit(1);
			}
			if (client_msg_error(&m, &elen) != NULL) {
				fprintf(stderr, "bench: fill: submit %d refused\n", got);
				exit(1);
			}
			client_msg_free(&m);
		}
		got++;
	}
	return agent;
}

enum what { CONNECT_ONLY, ASK_RULE, ASK_WITHDRAWN };
static const char *const what_text[] = {
	"connect + hello + close",
	"connect + submit `true` (rule, wait) + close",
	"connect + submit (pending) + close: withdrawn",
};

/* One measured connection; its round trip in us. */
static double
one(enum what w, int i)
{
	double s = bench_now_us();
	sg_client *c = bench_connect(ROLE_AGENT, "bench");
	struct client_msg m;
	char rid[32];
	uint32_t id;

	snprintf(rid, sizeof rid, "m%d-%d", (int)w, i);
	if (w == ASK_RULE) {
		pack_request(client_begin(c, "submit", &id), rid, "bench", "true", true);
		expect_result(c, id, "ask", &m);
		if (!rpc_str_eq(rpc_map_get(m.msg.result, "decision"), "allow")) {
			fprintf(stderr, "bench: `true` was not allowed by its rule\n");
			exit(1);
		}
		client_msg_free(&m);
	} else if (w == ASK_WITHDRAWN) {
		pack_request(client_begin(c, "submit", &id), rid, "bench", "make deploy", false);
		expect_result(c, id, "submit", &m);
		client_msg_free(&m);
	}
	client_close(c);
	return bench_now_us() - s;
}

static void
measure(enum what w, long pid, sg_client *console, int64_t agents_idle)
{
	double *v = calloc((size_t)iters, sizeof *v), cpu0;

	cpu0 = bench_proc_cpu(pid);
	for (int i = 0; i < iters; i++)
		v[i] = one(w, i);
	/* every disconnect handled, every row written */
	while (status_int(console, "agents") != agents_idle || status_int(console, "store_backlog") > 0)
		usleep(2000);
	bench_sort(v, (size_t)iters);
	printf("  %-48s broker CPU %7.1f us per connection   round trip p50 %7.1f us  p99 %8.1f us\n",
	    what_text[w], (bench_proc_cpu(pid) - cpu0) * 1e6 / iters, bench_pct(v, (size_t)iters, 50),
	    bench_pct(v, (size_t)iters, 99));
	free(v);
}

static void
run(int n)
{
	sg_client *console, *filler = NULL;
	struct client_msg m;
	uint32_t id;
	msgpack_packer *pk;
	long pid;
	double t0;

	bench_env("sgbdisc", "max_pending = 1000000\nmax_pending_uid = 999999\nmax_pending_session = 999999\n");
	bench_broker_start(NULL);
	pid = bench_broker_pid();
	console = bench_connect(ROLE_CONSOLE, "bench");
	pk = client_begin(console, "rule_add", &id);
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 3);
	rpc_pack_kv_str(pk, "effect", "allow");
	rpc_pack_kv_str(pk, "pattern", "exec true");
	rpc_pack_kv_str(pk, "scope", "global");
	expect_result(console, id, "rule_add", &m);
	client_msg_free(&m);
	t0 = bench_now_us();
	if (n > 0)
		filler = fill(n);
	while (status_int(console, "store_backlog") > 0)
		usleep(10000);
	printf("-- %d pending (filled in %.1f s) --\n", (int)status_int(console, "pending"), (bench_now_us() - t0) / 1e6);
	for (enum what w = CONNECT_ONLY; w <= ASK_WITHDRAWN; w++)
		measure(w, pid, console, n > 0 ? 1 : 0);
	if (status_int(console, "pending") != n)
		fprintf(stderr, "bench: the queue changed: %lld pending\n", (long long)status_int(console, "pending"));
	if (filler != NULL)
		client_close(filler);
	client_close(console);
	bench_broker_stop();
	bench_env_remove();
}

static void
on_signal(int sig)
{
	(void)sig;
	bench_broker_stop();
	bench_env_remove();
	_exit(1);
}

int
main(int argc, char **argv)
{
	const char *e = getenv("BENCH_DISCONNECT_ITERS");

	if (argc < 2) {
		fprintf(stderr, "usage: bench_disconnect PATH/TO/sandgate [N...]\n");
		return 2;
	}
	bench_sandgate = argv[1];
	if (e != NULL && atoi(e) > 0)
		iters = atoi(e);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("== issue #12: a short-lived connection's cost with a big queue (%d connections per line) ==\n", iters);
	if (argc == 2) {
		run(0);
		run(10000);
		run(50000);
	}
	for (int i = 2; i < argc; i++)
		run(atoi(argv[i]));
	return 0;
}
