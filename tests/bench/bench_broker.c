/* bench_broker.c -- figures for the walking skeleton (issue #2):
 *   1. raw Unix-socket round trip vs submit -> decide -> reply through the
 *      client library with a console that decides at once;
 *   2. broker memory per pending request with 10,000 pending;
 *   3. requests recorded per second, grouped commits vs one per request.
 * Usage: bench_broker PATH/TO/sandgate.  Runs real brokers in temp dirs. */
#include "tests/bench/benchlib.h"
#include "proto/client.h"
#include "proto/paths.h"
#include "proto/rpc.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void
report(const char *what, double *v, int n, double total_us)
{
	bench_sort(v, (size_t)n);
	printf("%-44s p50 %7.1f us  p99 %7.1f us  %8.0f/s\n", what, v[n / 2], v[n * 99 / 100],
	    n / (total_us / 1e6));
}

/* ---- 1a. raw round trip ---- */

static void *
echo_thread(void *arg)
{
	int fd = *(int *)arg;
	char buf[256];
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (write(fd, buf, (size_t)n) != n)
			break;
	return NULL;
}

static void
bench_raw(int iters)
{
	int sv[2];
	pthread_t t;
	char msg[96] = { 0 }, back[96];
	double *v = calloc((size_t)iters, sizeof *v), t0;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pthread_create(&t, NULL, echo_thread, &sv[1]);
	t0 = bench_now_us();
	for (int i = 0; i < iters; i++) {
		double s = bench_now_us();

		if (write(sv[0], msg, sizeof msg) != sizeof msg || read(sv[0], back, sizeof back) <= 0)
			break;
		v[i] = bench_now_us() - s;
	}
	report("raw unix socket echo (96 B)", v, iters, bench_now_us() - t0);
	close(sv[0]);
	pthread_join(t, NULL);
	close(sv[1]);
	free(v);
}

/* ---- brokers ---- */

static void
start_broker(const char *config)
{
	bench_env("sgbench", config);
	bench_broker_start(NULL);
}

static void
stop_broker(void)
{
	bench_broker_stop();
	bench_env_remove();
}

static void
pack_submit(msgpack_packer *pk, int worker, int i, bool wait)
{
	char id[48];

	snprintf(id, sizeof id, "w%d-%d", worker, i);
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 8);
	rpc_pack_kv_str(pk, "req_id", id);
	rpc_pack_kv_str(pk, "agent", "bench");
	rpc_pack_kv_str(pk, "session", "bench-session");
	rpc_pack_kv_str(pk, "kind", "exec");
	rpc_pack_kv_str(pk, "command", "npm run test -- --reporter=dot src/components/button.test.tsx");
	rpc_pack_kv_str(pk, "cwd", "/home/dev/project");
	rpc_pack_kv_int(pk, "timeout", 3600);
	rpc_pack_kv_bool(pk, "wait", wait);
}

/* ---- 1b. submit -> decide -> reply ---- */

static volatile int console_stop;

static void *
console_thread(void *arg)
{
	sg_client *c = arg;
	struct client_msg m;
	uint32_t id;

	msgpack_pack_array(client_begin(c, "subscribe", &id), 0);
	client_send(c, 5000);
	while (!console_stop) {
		struct pollfd p = { .fd = client_fd(c), .events = POLLIN };

		if (poll(&p, 1, 100) <= 0)
			continue;
		if (client_pump(c) < 0)
			break;
		while (client_next(c, &m) == 1) {
			if (m.msg.type == RPC_NOTIFY && m.msg.method_len == 7 &&
			    memcmp(m.msg.method, "request", 7) == 0) {
				int64_t rid = 0;
				msgpack_packer *pk;

				rpc_get_int(rpc_map_get(&m.msg.params->via.array.ptr[0], "id"), 1, INT64_MAX, &rid);
				pk = client_begin(c, "decide", &id);
				msgpack_pack_array(pk, 1);
				msgpack_pack_map(pk, 2);
				rpc_pack_kv_int(pk, "id", rid);
				rpc_pack_kv_str(pk, "decision", "allow");
				client_send(c, 5000);
			}
			client_msg_free(&m);
		}
	}
	return NULL;
}

static void
bench_decide(int iters)
{
	sg_client *agent, *console;
	pthread_t t;
	double *v = calloc((size_t)iters, sizeof *v), t0;

	start_broker("commit = grouped\n");
	console = bench_connect(ROLE_CONSOLE, "bench");
	agent = bench_connect(ROLE_AGENT, "bench");
	console_stop = 0;
	pthread_create(&t, NULL, console_thread, console);
	usleep(100000);
	t0 = bench_now_us();
	for (int i = 0; i < iters; i++) {
		struct client_msg m;
		uint32_t id;
		double s = bench_now_us();

		pack_submit(client_begin(agent, "submit", &id), 0, i, true);
		if (client_send(agent, 5000) < 0 || client_wait(agent, id, 10000, &m) < 0) {
			fprintf(stderr, "bench: %s\n", client_error(agent));
			exit(1);
		}
		if (!rpc_str_eq(rpc_map_get(m.msg.result, "decision"), "allow")) {
			fprintf(stderr, "bench: not allowed\n");
			exit(1);
		}
		client_msg_free(&m);
		v[i] = bench_now_us() - s;
	}
	report("submit->console decide->recorded->reply", v, iters, bench_now_us() - t0);
	console_stop = 1;
	pthread_join(t, NULL);
	client_close(agent);
	client_close(console);
	stop_broker();
	free(v);
}

/* ---- 2. memory per pending ---- */

static long
rss_kb(long pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%ld/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Pipeline n submits on c (no wait) and collect every reply. */
static void
submit_many(sg_client *c, int worker, int n)
{
	const int window = 256;
	int sent = 0, got = 0;
	uint32_t first = 0;

	while (got < n) {
		while (sent < n && sent - got < window) {
			uint32_t id;

			pack_submit(client_begin(c, "submit", &id), worker, sent, false);
			if (sent == 0)
				first = id;
			if (client_send(c, 10000) < 0)
				exit(1);
			sent++;
		}
		{
			struct client_msg m;

			if (client_wait(c, first + (uint32_t)got, 30000, &m) < 0) {
				fprintf(stderr, "bench: %s\n", client_error(c));
				exit(1);
			}
			client_msg_free(&m);
			got++;
		}
	}
}

static int64_t
status_int(sg_client *c, const char *key)
{
	struct client_msg m;
	uint32_t id;
	int64_t v = -1;

	msgpack_pack_array(client_begin(c, "status", &id), 0);
	if (client_send(c, 5000) == 0 && client_wait(c, id, 5000, &m) == 0) {
		rpc_get_int(rpc_map_get(m.msg.result, key), INT64_MIN, INT64_MAX, &v);
		client_msg_free(&m);
	}
	return v;
}

static void
bench_memory(int n)
{
	sg_client *agent, *console;
	long before, after, pid;

	start_broker("commit = grouped\n");
	pid = bench_broker_pid();
	agent = bench_connect(ROLE_AGENT, "bench");
	console = bench_connect(ROLE_CONSOLE, "bench");
	before = rss_kb(pid);
	submit_many(agent, 0, n);
	while (status_int(console, "store_backlog") > 0)
		usleep(10000);
	after = rss_kb(pid);
	printf("%-44s %ld kB -> %ld kB: %.0f bytes per pending request\n",
	    "broker RSS with 10,000 pending", before, after, (after - before) * 1024.0 / n);
	client_close(agent);
	client_close(console);
	stop_broker();
}

/* ---- 3. records per second ---- */

struct writer {
	int worker, n;
	sg_client *c; /* kept open: a disconnect would withdraw (and record) */
};

static void *
writer_thread(void *arg)
{
	struct writer *w = arg;

	w->c = bench_connect(ROLE_AGENT, "bench");
	submit_many(w->c, w->worker, w->n);
	return NULL;
}

static void
bench_records(const char *mode, int clients, int total)
{
	char cfg[64];
	pthread_t t[64];
	struct writer w[64];
	sg_client *console;
	double t0, el;
	int64_t commits;

	snprintf(cfg, sizeof cfg, "commit = %s\n", mode);
	start_broker(cfg);
	console = bench_connect(ROLE_CONSOLE, "bench");
	t0 = bench_now_us();
	for (int i = 0; i < clients; i++) {
		w[i] = (struct writer){ i, total / clients, NULL };
		pthread_create(&t[i], NULL, writer_thread, &w[i]);
	}
	for (int i = 0; i < clients; i++)
		pthread_join(t[i], NULL);
	while (status_int(console, "store_backlog") > 0)
		usleep(1000);
	el = bench_now_us() - t0;
	commits = status_int(console, "store_commits");
	for (int i = 0; i < clients; i++)
		client_close(w[i].c);
	printf("records/s, %-8s commits, %2d clients       %8.0f rows/s (%lld transactions for %d rows)\n",
	    mode, clients, total / (el / 1e6), (long long)commits, total);
	client_close(console);
	stop_broker();
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bench_broker PATH/TO/sandgate\n");
		return 2;
	}
	bench_sandgate = argv[1];
	signal(SIGPIPE, SIG_IGN);
	printf("== issue #2: broker round trip, memory, recording ==\n");
	bench_raw(20000);
	bench_decide(3000);
	bench_memory(10000);
	bench_records("grouped", 1, 5000);
	bench_records("each", 1, 5000);
	bench_records("grouped", 8, 16000);
	bench_records("each", 8, 16000);
	return 0;
}
