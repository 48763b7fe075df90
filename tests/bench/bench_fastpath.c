/* bench_fastpath.c -- the remembered-decision fast path (issue #4):
 * request in -> intent and risk -> rules -> decision recorded -> reply,
 * with 10 and 10,000 rules, at 1, 8 and 64 concurrent clients, next to a
 * plain echo server on the same socket type (a Unix stream socket, a libuv
 * loop answering with uv_try_write) in the same run.  Both are driven by
 * the same closed-loop client threads that write one message and read the
 * whole answer.  Prints requests/s and p50/p99.
 * Usage: bench_fastpath PATH/TO/sandgate.  Runs a real broker in a temp dir. */
#include "tests/bench/benchlib.h"
#include "broker/intent/assess.h"
#include "broker/rules/rule.h"
#include "proto/paths.h"
#include "proto/proto.h"
#include "proto/rpc.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

static const char *tmpdir;

static int
connect_path(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	for (int i = 0; i < 200; i++) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
			return fd;
		usleep(10000);
	}
	perror("bench: connect");
	exit(1);
}

static void
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			perror("bench: write");
			exit(1);
		}
		p += k;
		n -= (size_t)k;
	}
}

/* Read until one whole msgpack object is in up (using unp's buffer). */
static void
read_message(int fd, msgpack_unpacker *unp, msgpack_unpacked *up)
{
	for (;;) {
		ssize_t k;

		if (msgpack_unpacker_next(unp, up) == MSGPACK_UNPACK_SUCCESS)
			return;
		if (msgpack_unpacker_buffer_capacity(unp) < 4096 && !msgpack_unpacker_reserve_buffer(unp, 65536))
			exit(1);
		k = read(fd, msgpack_unpacker_buffer(unp), msgpack_unpacker_buffer_capacity(unp));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			fprintf(stderr, "bench: the server closed the connection\n");
			exit(1);
		}
		msgpack_unpacker_buffer_consumed(unp, (size_t)k);
	}
}

/* ---- the plain echo server (child process, libuv) ---- */

struct echo_conn {
	uv_pipe_t pipe;
	char buf[65536];
};

static void
echo_alloc(uv_handle_t *h, size_t sz, uv_buf_t *b)
{
	struct echo_conn *c = h->data;

	(void)sz;
	*b = uv_buf_init(c->buf, sizeof c->buf);
}

static void
echo_closed(uv_handle_t *h)
{
	free(h->data);
}

static void
echo_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	if (n < 0) {
		uv_close((uv_handle_t *)s, echo_closed);
		return;
	}
	if (n > 0) {
		uv_buf_t out = uv_buf_init(b->base, (unsigned)n);
		int k = uv_try_write(s, &out, 1);

		/* the reply is one small message: it always fits the socket buffer */
		if (k != (int)n)
			uv_close((uv_handle_t *)s, echo_closed);
	}
}

static void
echo_accept(uv_stream_t *srv, int status)
{
	struct echo_conn *c = calloc(1, sizeof *c);

	if (status < 0 || c == NULL)
		return;
	uv_pipe_init(srv->loop, &c->pipe, 0);
	c->pipe.data = c;
	if (uv_accept(srv, (uv_stream_t *)&c->pipe) == 0)
		uv_read_start((uv_stream_t *)&c->pipe, echo_alloc, echo_read);
	else
		uv_close((uv_handle_t *)&c->pipe, echo_closed);
}

static pid_t
start_echo(const char *path)
{
	pid_t pid = fork();

	if (pid == 0) {
		uv_loop_t *loop = uv_default_loop();
		uv_pipe_t srv;

		uv_pipe_init(loop, &srv, 0);
		unlink(path);
		if (uv_pipe_bind(&srv, path) != 0 || uv_listen((uv_stream_t *)&srv, 1024, echo_accept) != 0)
			_exit(1);
		uv_run(loop, UV_RUN_DEFAULT);
		_exit(0);
	}
	return pid;
}

/* ---- the broker ---- */

static char *
sock(const char *name)
{
	char *dir = paths_runtime_dir(), *p = paths_join(dir, name);

	free(dir);
	return p;
}

/* Say hello on fd as role and read the answer. */
static void
hello(int fd, msgpack_unpacker *unp, const char *role)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_unpacked up;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	rpc_pack_request(&pk, 0, "hello");
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, 3);
	rpc_pack_kv_int(&pk, "version", SG_PROTO_VERSION);
	rpc_pack_kv_str(&pk, "role", role);
	rpc_pack_kv_str(&pk, "client", "bench");
	write_all(fd, sb.data, sb.size);
	msgpack_unpacked_init(&up);
	read_message(fd, unp, &up);
	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&sb);
}

static const char *const progs[] = {
	"git", "npm", "cargo", "make", "python", "docker", "kubectl", "go", "pip", "yarn",
};

/* Add n rules through one console connection, pipelined; the allow that
 * the benchmark's requests hit is among them. */
static void
add_rules(int n)
{
	char *path = sock("console.sock");
	int fd = connect_path(path);
	msgpack_unpacker unp;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int sent = 0, got = 0;

	free(path);
	msgpack_unpacker_init(&unp, 65536);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	hello(fd, &unp, "console");
	while (got < n) {
		while (sent < n && sent - got < 512) {
			char pat[128];

			if (sent == 0)
				snprintf(pat, sizeof pat, "exec npm run test *");
			else if (sent % 3 == 0)
				snprintf(pat, sizeof pat, "exec %s sub%d --flag *", progs[sent % 10], sent);
			else if (sent % 3 == 1)
				snprintf(pat, sizeof pat, "exec tool%d run *", sent);
			else
				snprintf(pat, sizeof pat, "write ./dir%d/**", sent);
			rpc_pack_request(&pk, (uint32_t)sent + 1, "rule_add");
			msgpack_pack_array(&pk, 1);
			msgpack_pack_map(&pk, 4);
			rpc_pack_kv_str(&pk, "effect", sent % 7 == 0 && sent > 0 ? "deny" : "allow");
			rpc_pack_kv_str(&pk, "pattern", pat);
			rpc_pack_kv_str(&pk, "scope", "global");
			rpc_pack_kv_str(&pk, "reviewer", "bench");
			write_all(fd, sb.data, sb.size);
			msgpack_sbuffer_clear(&sb);
			sent++;
		}
		{
			msgpack_unpacked up;

			msgpack_unpacked_init(&up);
			read_message(fd, &unp, &up);
			if (up.data.via.array.ptr[2].type != MSGPACK_OBJECT_NIL) {
				fprintf(stderr, "bench: rule_add failed\n");
				exit(1);
			}
			msgpack_unpacked_destroy(&up);
			got++;
		}
	}
	close(fd);
	msgpack_unpacker_destroy(&unp);
	msgpack_sbuffer_destroy(&sb);
}

/* ---- closed-loop clients ---- */

enum target { T_ECHO, T_BROKER };

struct worker {
	enum target target;
	const char *path;
	int id, n;
	double *lat;
	pthread_barrier_t *start;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	int fd = connect_path(w->path);
	msgpack_unpacker unp;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_unpacked up;

	msgpack_unpacker_init(&unp, 65536);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_unpacked_init(&up);
	if (w->target == T_BROKER)
		hello(fd, &unp, "agent");
	pthread_barrier_wait(w->start);
	for (int i = 0; i < w->n; i++) {
		char id[32];
		double t0;

		snprintf(id, sizeof id, "c%d-%d", w->id, i);
		msgpack_sbuffer_clear(&sb);
		rpc_pack_request(&pk, (uint32_t)i + 1, "submit");
		msgpack_pack_array(&pk, 1);
		msgpack_pack_map(&pk, 8);
		rpc_pack_kv_str(&pk, "req_id", id);
		rpc_pack_kv_str(&pk, "agent", "bench");
		rpc_pack_kv_str(&pk, "session", "bench-session");
		rpc_pack_kv_str(&pk, "kind", "exec");
		rpc_pack_kv_str(&pk, "command", "npm run test -- --reporter=dot src/components/button.test.tsx");
		rpc_pack_kv_str(&pk, "cwd", "/home/dev/project");
		rpc_pack_kv_int(&pk, "timeout", 3600);
		rpc_pack_kv_bool(&pk, "wait", true);
		t0 = bench_now_us();
		write_all(fd, sb.data, sb.size);
		read_message(fd, &unp, &up);
		w->lat[i] = bench_now_us() - t0;
		if (w->target == T_BROKER) {
			const msgpack_object *res = &up.data.via.array.ptr[3];

			if (!rpc_str_eq(rpc_map_get(res, "decision"), "allow") ||
			    !rpc_str_eq(rpc_map_get(res, "by"), "rule")) {
				fprintf(stderr, "bench: request %s was not allowed by a rule\n", id);
				exit(1);
			}
		}
	}
	msgpack_unpacked_destroy(&up);
	msgpack_unpacker_destroy(&unp);
	msgpack_sbuffer_destroy(&sb);
	close(fd);
	return NULL;
}

struct result {
	double rps, p50, p99, cpu_us; /* cpu_us: server CPU time per request */
	double commits;               /* broker store transactions per request */
};

/* The broker's store_commits so far (a console status call). */
static int64_t
broker_commits(void)
{
	char *path = sock("console.sock");
	int fd = connect_path(path);
	msgpack_unpacker unp;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_unpacked up;
	int64_t v = 0;

	free(path);
	msgpack_unpacker_init(&unp, 65536);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	hello(fd, &unp, "console");
	rpc_pack_request(&pk, 7, "status");
	msgpack_pack_array(&pk, 0);
	write_all(fd, sb.data, sb.size);
	msgpack_unpacked_init(&up);
	read_message(fd, &unp, &up);
	rpc_get_int(rpc_map_get(&up.data.via.array.ptr[3], "store_commits"), 0, INT64_MAX, &v);
	msgpack_unpacked_destroy(&up);
	msgpack_unpacker_destroy(&unp);
	msgpack_sbuffer_destroy(&sb);
	close(fd);
	return v;
}

static pid_t server_pid;

static pid_t echo_pid, broker_pid;

static struct result
run(enum target target, const char *path, int clients, int per_client, int base)
{
	pthread_t t[64];
	struct worker w[64];
	pthread_barrier_t start;
	double *all = calloc((size_t)clients * (size_t)per_client, sizeof *all), t0, el, c0, c1;
	int64_t k0 = target == T_BROKER ? broker_commits() : 0;
	struct result r;
	size_t n = (size_t)clients * (size_t)per_client;

	server_pid = target == T_ECHO ? echo_pid : broker_pid;
	pthread_barrier_init(&start, NULL, (unsigned)clients + 1);
	for (int i = 0; i < clients; i++) {
		w[i] = (struct worker){ target, path, base + i, per_client, all + (size_t)i * (size_t)per_client, &start };
		pthread_create(&t[i], NULL, worker_main, &w[i]);
	}
	pthread_barrier_wait(&start);
	t0 = bench_now_us();
	c0 = bench_proc_cpu(server_pid) * 1e6;
	for (int i = 0; i < clients; i++)
		pthread_join(t[i], NULL);
	el = bench_now_us() - t0;
	c1 = bench_proc_cpu(server_pid) * 1e6;
	pthread_barrier_destroy(&start);
	bench_sort(all, n);
	r = (struct result){ n / (el / 1e6), all[n / 2], all[n * 99 / 100], (c1 - c0) / (double)n,
	                     target == T_BROKER ? (double)(broker_commits() - k0) / (double)n : 0 };
	free(all);
	return r;
}

/* ---- in-process: the rules part alone ---- */

static void
fill_rules(ruleset *rs, int n)
{
	char err[256];

	for (int i = 0; i < n; i++) {
		char pat[128];
		struct rule_spec spec = { .effect = RULE_ALLOW, .pattern = pat, .scope = SCOPE_GLOBAL,
		                          .max_level = RL_HIGH };

		if (i == 0)
			snprintf(pat, sizeof pat, "exec npm run test *");
		else if (i % 3 == 0)
			snprintf(pat, sizeof pat, "exec %s sub%d --flag *", progs[i % 10], i);
		else if (i % 3 == 1)
			snprintf(pat, sizeof pat, "exec tool%d run *", i);
		else
			snprintf(pat, sizeof pat, "write ./dir%d/**", i);
		spec.effect = i % 7 == 0 && i > 0 ? RULE_DENY : RULE_ALLOW;
		if (ruleset_add(rs, &spec, err, sizeof err) == NULL) {
			fprintf(stderr, "bench: %s\n", err);
			exit(1);
		}
	}
}

/* Per-request cost of assess, building the subject and judging it against
 * n rules, in this process (no sockets, no store). */
static void
bench_inprocess(void)
{
	static const int sizes[] = { 10, 10000 };
	char err[256];
	assess_tables *t = assess_tables_load(NULL, err, sizeof err);
	msgpack_sbuffer req, out;
	msgpack_packer pk, opk;
	msgpack_unpacked ur;
	size_t off = 0;
	const int iters = 20000;

	if (t == NULL) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	msgpack_sbuffer_init(&req);
	msgpack_packer_init(&pk, &req, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 4);
	rpc_pack_kv_str(&pk, "kind", "exec");
	rpc_pack_kv_str(&pk, "command", "npm run test -- --reporter=dot src/components/button.test.tsx");
	rpc_pack_kv_str(&pk, "cwd", "/home/dev/project");
	rpc_pack_kv_str(&pk, "session", "s");
	msgpack_unpacked_init(&ur);
	msgpack_unpack_next(&ur, req.data, req.size, &off);
	msgpack_sbuffer_init(&out);
	msgpack_packer_init(&opk, &out, msgpack_sbuffer_write);
	for (size_t k = 0; k < 2; k++) {
		ruleset *rs = ruleset_new();
		double ta = 0, tj = 0;

		fill_rules(rs, sizes[k]);
		for (int i = 0; i < iters; i++) {
			struct assess_result ar;
			msgpack_unpacked uo;
			struct subject *subj;
			struct rule_verdict v;
			struct rule_ctx c = { .session = "s", .agent = "bench", .level = RL_LOW, .now_ms = 1 };
			size_t o2 = 0;
			double t0 = bench_now_us(), t1;

			msgpack_sbuffer_clear(&out);
			assess_request(t, &ur.data, &opk, &ar);
			t1 = bench_now_us();
			msgpack_unpacked_init(&uo);
			msgpack_unpack_next(&uo, out.data, out.size, &o2);
			subj = subject_from_intent(rpc_map_get(&uo.data, "intent"), &ur.data, "/home/dev");
			c.workspace = subj->workspace;
			ruleset_eval(rs, subj, &c, NULL, &v);
			if (v.v != VERDICT_ALLOW) {
				fprintf(stderr, "bench: not allowed in process\n");
				exit(1);
			}
			subject_free(subj);
			msgpack_unpacked_destroy(&uo);
			ta += t1 - t0;
			tj += bench_now_us() - t1;
		}
		printf("in process, %5d rules: assess %.1f us, subject + rules %.1f us per request\n",
		    sizes[k], ta / iters, tj / iters);
		ruleset_free(rs);
	}
	msgpack_unpacked_destroy(&ur);
	msgpack_sbuffer_destroy(&req);
	msgpack_sbuffer_destroy(&out);
	assess_tables_free(t);
}

int
main(int argc, char **argv)
{
	static const int clients[] = { 1, 8, 64 };
	struct result echo[3], fast[3], few;
	char echo_path[256], *agent;
	int base = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_fastpath PATH/TO/sandgate\n");
		return 2;
	}
	bench_sandgate = argv[1];
	signal(SIGPIPE, SIG_IGN);
	tmpdir = bench_env("sgfast", NULL);
	bench_broker_start(NULL);
	snprintf(echo_path, sizeof echo_path, "%s/echo.sock", tmpdir);
	echo_pid = start_echo(echo_path);
	agent = sock("agent.sock");
	broker_pid = (pid_t)bench_broker_pid();

	printf("== issue #4: fast path (submit -> intent/risk -> rules -> recorded -> reply) ==\n");
	bench_inprocess();
	/* warm up, then 10 rules */
	add_rules(10);
	run(T_BROKER, agent, 1, 500, 100000);
	few = run(T_BROKER, agent, 1, 5000, base += 1000);
	add_rules(9990);
	printf("rules loaded: 10,000 (exec by program/subcommand, write by directory; 1 in 7 deny)\n");
	run(T_ECHO, echo_path, 1, 2000, 0);
	for (int i = 0; i < 3; i++) {
		int per = clients[i] == 1 ? 5000 : clients[i] == 8 ? 2000 : 300;

		echo[i] = run(T_ECHO, echo_path, clients[i], per, 0);
		fast[i] = run(T_BROKER, agent, clients[i], per, base += 1000);
	}
	printf("%-8s %-32s %9s %9s %9s %12s\n", "clients", "", "req/s", "p50 us", "p99 us",
	    "server cpu/req");
	for (int i = 0; i < 3; i++) {
		printf("%-8d %-32s %9.0f %9.1f %9.1f %9.1f us\n", clients[i], "plain echo (libuv, unix socket)",
		    echo[i].rps, echo[i].p50, echo[i].p99, echo[i].cpu_us);
		printf("%-8s %-32s %9.0f %9.1f %9.1f %9.1f us  (%.0f%% of echo's req/s; p50 %.1fx; "
		    "%.2f commits/req)\n", "", "fast path, 10,000 rules", fast[i].rps, fast[i].p50,
		    fast[i].p99, fast[i].cpu_us, 100.0 * fast[i].rps / echo[i].rps, fast[i].p50 / echo[i].p50,
		    fast[i].commits);
	}
	printf("%-8d %-32s %9.0f %9.1f %9.1f %9.1f us  (10,000 rules vs 10: p50 %.2fx, cpu %.2fx)\n", 1,
	    "fast path, 10 rules", few.rps, few.p50, few.p99, few.cpu_us, fast[0].p50 / few.p50,
	    fast[0].cpu_us / few.cpu_us);
	kill(echo_pid, SIGTERM);
	waitpid(echo_pid, NULL, 0);
	free(agent);
	bench_broker_stop();
	bench_env_remove();
	return 0;
}
