/* bench_hook.c -- hook latency for issue #6: wall time from fork() of the hook
 * process to its exit, answer read, for
 *   1. `sandgate hook claude-code` with a real PreToolUse payload, a real
 *      broker, and a console that allows every request the moment it is
 *      queued (stands in for a remembered rule until issue #4 lands);
 *   2. the same with a decision the broker already holds (the same
 *      tool_use_id again): the broker answers at once from memory, with no
 *      console and no SQLite write -- the shape of an answer by a
 *      remembered rule until issue #4 can be measured itself;
 *   3. `sandgate hook claude-code` with no broker (the fail-closed deny);
 *   4. a minimal Python hook that only reads the JSON and prints an allow
 *      (what people write today), with $PYTHON (default python3 on PATH;
 *      skipped when there is none);
 *   5. `sandgate --version`: the cost of starting the binary at all.
 * Usage: bench_hook PATH/TO/sandgate [ITERATIONS]   (default 300) */
#include "tests/bench/benchlib.h"
#include "proto/client.h"
#include "proto/paths.h"
#include "proto/rpc.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int stop_decider;

static void
report(const char *what, double *v, int n)
{
	if (n == 0) {
		printf("%-52s (no successful runs)\n", what);
		return;
	}
	bench_sort(v, (size_t)n);
	printf("%-52s p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  min %6.2f ms  (n=%d)\n", what,
	    v[n / 2] / 1e3, v[n * 9 / 10] / 1e3, v[n * 99 / 100] / 1e3, v[0] / 1e3, n);
}

/* Run argv with input on stdin; the answer (up to cap bytes) in out.  Returns
 * the elapsed microseconds from fork to exit, or -1. */
static double
time_process(char *const argv[], const char *input, char *out, size_t cap)
{
	int in[2], outp[2], st;
	size_t got = 0;
	double t0;
	pid_t pid;

	if (pipe(in) < 0 || pipe(outp) < 0)
		return -1;
	if (write(in[1], input, strlen(input)) != (ssize_t)strlen(input))
		return -1;
	close(in[1]);
	t0 = bench_now_us();
	if ((pid = fork()) == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(in[0], 0);
		dup2(outp[1], 1);
		if (devnull >= 0)
			dup2(devnull, 2);
		close(in[0]);
		close(outp[0]);
		close(outp[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	for (ssize_t r; (r = read(outp[0], out + got, cap - 1 - got)) > 0 && got < cap - 1;)
		got += (size_t)r;
	out[got] = '\0';
	close(outp[0]);
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return bench_now_us() - t0;
}

/* ---- broker and the console that allows at once ---- */

static const char *tmpdir;

static void
start_broker(void)
{
	tmpdir = bench_env("sgbench-hook", NULL);
	bench_broker_start(NULL);
}

static void
stop_broker(void)
{
	bench_broker_stop();
	bench_env_remove();
}

/* Allow each request as soon as its notification arrives; replies are read
 * and dropped. */
static void *
decider(void *arg)
{
	sg_client *c = arg;
	uint32_t id;
	msgpack_packer *pk = client_begin(c, "subscribe", &id);

	msgpack_pack_array(pk, 0);
	client_send(c, 5000);
	while (!stop_decider) {
		struct pollfd p = { .fd = client_fd(c), .events = POLLIN };
		struct client_msg m;

		if (poll(&p, 1, 100) <= 0)
			continue;
		if (client_pump(c) < 0)
			break;
		while (client_next(c, &m) == 1) {
			int64_t rid;

			if (m.msg.type == RPC_NOTIFY && m.msg.method_len == 7 &&
			    memcmp(m.msg.method, "request", 7) == 0 && m.msg.params->via.array.size == 1 &&
			    rpc_get_int(rpc_map_get(&m.msg.params->via.array.ptr[0], "id"), 1, INT64_MAX, &rid) == 0) {
				pk = client_begin(c, "decide", &id);
				msgpack_pack_array(pk, 1);
				msgpack_pack_map(pk, 3);
				rpc_pack_kv_int(pk, "id", rid);
				rpc_pack_kv_str(pk, "decision", "allow");
				rpc_pack_kv_str(pk, "reviewer", "bench");
				client_send(c, 5000);
			}
			client_msg_free(&m);
		}
	}
	return NULL;
}

enum mode { DECIDED_AT_ONCE, HELD, NO_BROKER };

static void
payload(char *buf, size_t n, int i)
{
	snprintf(buf, n, "{\"session_id\":\"4f1c2b7e-9d3a-4e55-b1a2-7c0d3e9f8a61\","
	    "\"transcript_path\":\"/home/dev/.claude/projects/-home-dev-shop/4f1c2b7e.jsonl\","
	    "\"cwd\":\"/home/dev/shop\",\"permission_mode\":\"default\",\"hook_event_name\":\"PreToolUse\","
	    "\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"npm test -- --watch=false\","
	    "\"description\":\"Run the unit tests\",\"timeout\":120000,\"run_in_background\":false},"
	    "\"tool_use_id\":\"toolu_bench_%d_%ld\"}", i, (long)getpid());
}

static void
bench_hook(int iters, enum mode mode)
{
	static const char *const what[] = {
		[DECIDED_AT_ONCE] = "sandgate hook, broker + console allowing at once",
		[HELD] = "sandgate hook, decision held by the broker",
		[NO_BROKER] = "sandgate hook, no broker (fail-closed deny)",
	};
	char *argv[] = { (char *)bench_sandgate, "hook", "claude-code", NULL };
	double *v = calloc((size_t)iters, sizeof *v);
	char in[1024], out[4096];
	int n = 0, wrong = 0;

	for (int i = 0; i < iters; i++) {
		double t;

		payload(in, sizeof in, mode == HELD ? -1 : i + (mode == NO_BROKER ? 1000000 : 0));
		t = time_process(argv, in, out, sizeof out);
		if (t < 0 || strstr(out, mode == NO_BROKER ? "\"deny\"" : "\"allow\"") == NULL) {
			wrong++;
			continue;
		}
		v[n++] = t;
	}
	report(what[mode], v, n);
	if (wrong > 0)
		printf("  (%d runs did not give the expected answer)\n", wrong);
	free(v);
}

static const char *
python(void)
{
	const char *p = getenv("PYTHON");

	return p != NULL && p[0] != '\0' ? p : "python3";
}

static bool
have_python(void)
{
	char *argv[] = { (char *)python(), "-c", "pass", NULL };
	char out[16];

	return time_process(argv, "", out, sizeof out) >= 0;
}

static void
bench_python(int iters)
{
	static const char script[] =
	    "import json, sys\n"
	    "data = json.load(sys.stdin)\n"
	    "print(json.dumps({\"hookSpecificOutput\": {\"hookEventName\": \"PreToolUse\",\n"
	    "    \"permissionDecision\": \"allow\", \"permissionDecisionReason\": \"ok\"}}))\n";
	char path[128], in[1024], out[4096];
	char *argv[] = { (char *)python(), path, NULL };
	char what[128];
	double *v = calloc((size_t)iters, sizeof *v);
	FILE *f;
	int n = 0;

	snprintf(path, sizeof path, "%s/hook.py", tmpdir);
	if ((f = fopen(path, "w")) == NULL)
		return;
	fputs(script, f);
	fclose(f);
	for (int i = 0; i < iters; i++) {
		double t;

		payload(in, sizeof in, i);
		if ((t = time_process(argv, in, out, sizeof out)) >= 0 && strstr(out, "allow") != NULL)
			v[n++] = t;
	}
	snprintf(what, sizeof what, "%s hook.py (read JSON, print allow)", python());
	report(what, v, n);
	free(v);
}

static void
bench_version(int iters)
{
	char *argv[] = { (char *)bench_sandgate, "--version", NULL };
	double *v = calloc((size_t)iters, sizeof *v);
	char out[256];
	int n = 0;

	for (int i = 0; i < iters; i++) {
		double t = time_process(argv, "", out, sizeof out);

		if (t >= 0)
			v[n++] = t;
	}
	report("sandgate --version (process start only)", v, n);
	free(v);
}

int
main(int argc, char **argv)
{
	int iters = argc > 2 ? atoi(argv[2]) : 300;
	pthread_t t;
	sg_client *c;

	if (argc < 2 || iters < 10) {
		fprintf(stderr, "usage: bench_hook PATH/TO/sandgate [ITERATIONS>=10]\n");
		return 2;
	}
	bench_sandgate = argv[1];
	signal(SIGPIPE, SIG_IGN);
	unsetenv("SANDGATE_HOOK_TIMEOUT");
	printf("hook latency, fork to exit with the answer read, %d runs each\n", iters);
	start_broker();
	c = bench_connect(ROLE_CONSOLE, "bench-decider");
	pthread_create(&t, NULL, decider, c);
	usleep(100000); /* the subscription is in place */
	bench_hook(iters, DECIDED_AT_ONCE);
	bench_hook(iters, HELD); /* the first run is decided by the console, the rest are held */
	stop_decider = 1;
	pthread_join(t, NULL);
	client_close(c);
	if (have_python())
		bench_python(iters);
	else
		printf("%s hook.py: skipped, %s not found (set PYTHON)\n", python(), python());
	stop_broker();
	start_broker();
	stop_broker(); /* same environment, nothing listening */
	bench_hook(iters, NO_BROKER);
	bench_version(iters);
	return 0;
}
