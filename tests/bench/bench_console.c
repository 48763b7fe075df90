/* bench_console.c -- the console's figures (issue #5): time to build and
 * draw a frame with N pending requests in N/10 groups (curses on a
 * 120x40 screen written to /dev/null), model memory at that size, and
 * keypress-to-screen latency of the real `sandgate console` through tmux
 * (control mode: send-keys until the pane's next %output).
 *
 * usage: bench_console [SANDGATE_BINARY]   (without it, no tmux figure) */
#include "tui/console.h"
#include "tui/model.h"
#include "proto/client.h"
#include "proto/rpc.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static const char *const levels[] = { "low", "medium", "high", "critical" };

/* n requests as the broker sends them, in n/10 broker groups. */
static model *
build_model(size_t n, size_t *bytes)
{
	model *m = model_new();
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_unpacked up;
	struct mallinfo2 a = mallinfo2(), b;
	size_t ngroups = n / 10;
	int64_t t0 = wall_ms() - 3600 * 1000;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_unpacked_init(&up);
	for (size_t i = 0; i < n; i++) {
		char cmd[128], grp[32];
		size_t g = i % ngroups;

		snprintf(cmd, sizeof cmd, "git push origin feature/topic-%zu --set-upstream", i);
		snprintf(grp, sizeof grp, "g%zu", g);
		msgpack_sbuffer_clear(&sb);
		msgpack_pack_map(&pk, 13);
		rpc_pack_kv_int(&pk, "id", (int64_t)i + 1);
		rpc_pack_kv_str(&pk, "agent", g % 3 ? "claude-code" : "codex");
		rpc_pack_kv_str(&pk, "session", "s-7f3a");
		rpc_pack_kv_str(&pk, "req_id", grp);
		rpc_pack_kv_str(&pk, "kind", "exec");
		rpc_pack_kv_str(&pk, "summary", cmd);
		rpc_pack_kv_str(&pk, "cwd", "/home/dev/shop");
		rpc_pack_kv_str(&pk, "workspace", "/home/dev/shop");
		rpc_pack_kv_int(&pk, "created_ms", t0 + (int64_t)i);
		rpc_pack_kv_int(&pk, "deadline_ms", t0 + 7200 * 1000);
		rpc_pack_kv_str(&pk, "group", grp);
		rpc_pack_str(&pk, "risk");
		msgpack_pack_map(&pk, 3);
		rpc_pack_kv_int(&pk, "score", (int64_t)(g * 7 % 100));
		rpc_pack_kv_str(&pk, "level", levels[g % 4]);
		rpc_pack_str(&pk, "reasons");
		msgpack_pack_array(&pk, 1);
		msgpack_pack_map(&pk, 2);
		rpc_pack_kv_str(&pk, "id", "push");
		rpc_pack_kv_str(&pk, "text", "pushes to a remote");
		rpc_pack_str(&pk, "request");
		msgpack_pack_map(&pk, 6);
		rpc_pack_kv_str(&pk, "req_id", grp);
		rpc_pack_kv_str(&pk, "agent", "claude-code");
		rpc_pack_kv_str(&pk, "session", "s-7f3a");
		rpc_pack_kv_str(&pk, "kind", "exec");
		rpc_pack_kv_str(&pk, "command", cmd);
		rpc_pack_kv_str(&pk, "justification", "publish the topic branch");
		msgpack_unpack_next(&up, sb.data, sb.size, NULL);
		model_add_request(m, &up.data);
	}
	/* the broker's groups */
	msgpack_sbuffer_clear(&sb);
	msgpack_pack_map(&pk, 1);
	rpc_pack_str(&pk, "groups");
	msgpack_pack_array(&pk, ngroups);
	for (size_t g = 0; g < ngroups; g++) {
		char id[32];

		snprintf(id, sizeof id, "g%zu", g);
		msgpack_pack_map(&pk, 4);
		rpc_pack_kv_str(&pk, "id", id);
		rpc_pack_kv_str(&pk, "pattern", "exec git push origin feature/* --set-upstream");
		rpc_pack_str(&pk, "members");
		msgpack_pack_array(&pk, 10);
		for (size_t k = 0; k < 10; k++)
			msgpack_pack_int64(&pk, (int64_t)(g + k * ngroups + 1));
		rpc_pack_str(&pk, "suggestions");
		msgpack_pack_array(&pk, 1);
		msgpack_pack_map(&pk, 4);
		rpc_pack_kv_int(&pk, "index", 0);
		rpc_pack_kv_str(&pk, "pattern", "exec git push origin feature/*");
		rpc_pack_kv_str(&pk, "scope", "session");
		rpc_pack_kv_int(&pk, "covers", 10);
	}
	msgpack_unpack_next(&up, sb.data, sb.size, NULL);
	model_set_groups(m, &up.data);
	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&sb);
	b = mallinfo2();
	*bytes = b.uordblks - a.uordblks;
	return m;
}

/* Frame times at n pending: steady frames, and frames after a key (j/k). */
static void
bench_frames(size_t n)
{
	size_t bytes;
	double t = now_us();
	model *m = build_model(n, &bytes);
	double build_ms = (now_us() - t) / 1000;
	struct console_opts o = { .theme = "dark", .reviewer = "bench" };
	char err[256];
	console *c = console_offline(m, &o, err, sizeof err);
	enum { ROUNDS = 400 };
	double steady[ROUNDS], key[ROUNDS];

	if (c == NULL) {
		fprintf(stderr, "bench_console: %s\n", err);
		exit(1);
	}
	console_frame(c, wall_ms());
	for (int i = 0; i < ROUNDS; i++) {
		t = now_us();
		console_frame(c, wall_ms());
		steady[i] = now_us() - t;
		console_key(c, i % 2 ? 'k' : 'j');
		t = now_us();
		console_frame(c, wall_ms());
		key[i] = now_us() - t;
	}
	qsort(steady, ROUNDS, sizeof *steady, cmp_d);
	qsort(key, ROUNDS, sizeof *key, cmp_d);
	printf("%7zu pending / %5zu groups: model %6.1f MB (%4zu B/request, built in %6.1f ms); "
	       "frame p50 %4.0f p90 %4.0f p99 %6.0f us; after a key p50 %4.0f p90 %4.0f p99 %6.0f us\n",
	    n, n / 10, bytes / 1e6, bytes / n, build_ms, steady[ROUNDS / 2], steady[ROUNDS * 9 / 10], steady[ROUNDS * 99 / 100],
	    key[ROUNDS / 2], key[ROUNDS * 9 / 10], key[ROUNDS * 99 / 100]);
	console_free(c);
	model_free(m);
}

/* ---- keypress latency through tmux ---- */

static int
run(char *const argv[])
{
	pid_t p = fork();
	int st;

	if (p == 0) {
		int null = open("/dev/null", 1);

		dup2(null, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	return p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Hold `pending` requests on one agent connection (child process). */
static pid_t
feeder(const char *dir, size_t pending, int ready)
{
	pid_t p = fork();

	if (p != 0)
		return p;
	char path[512], err[256];
	sg_client *c;

	snprintf(path, sizeof path, "%s/agent.sock", dir);
	if ((c = client_connect(path, ROLE_AGENT, "bench", 5000, err, sizeof err)) == NULL) {
		fprintf(stderr, "bench_console: %s\n", err);
		_exit(1);
	}
	for (size_t i = 0; i < pending; i++) {
		uint32_t id;
		msgpack_packer *pk = client_begin(c, "submit", &id);
		char rid[32], cmd[64], sess[32];
		struct client_msg m;

		snprintf(rid, sizeof rid, "b%zu", i);
		snprintf(sess, sizeof sess, "s%zu", i % 1000); /* 1000 groups */
		snprintf(cmd, sizeof cmd, "make target-%zu", i % 997);
		msgpack_pack_array(pk, 1);
		msgpack_pack_map(pk, 5);
		rpc_pack_kv_str(pk, "req_id", rid);
		rpc_pack_kv_str(pk, "agent", i % 2 ? "claude-code" : "codex");
		rpc_pack_kv_str(pk, "session", sess);
		rpc_pack_kv_str(pk, "kind", "exec");
		rpc_pack_kv_str(pk, "command", cmd);
		if (client_send(c, 5000) < 0 || client_wait(c, id, 5000, &m) < 0)
			_exit(1);
		client_msg_free(&m);
	}
	if (write(ready, "k", 1) != 1)
		_exit(1);
	pause();
	_exit(0);
}

static void
bench_tmux(const char *sandgate, size_t pending)
{
	char tmpl[] = "/tmp/sgbench.XXXXXX", *dir = mkdtemp(tmpl), rundir[300], db[300], cmd[1024], sock[64];
	int to[2], from[2];
	pid_t feed, ctl;
	FILE *in, *out;
	enum { N = 200 };
	double lat[N];
	int got = 0;
	char line[65536];

	if (dir == NULL)
		return;
	snprintf(rundir, sizeof rundir, "%s/run", dir);
	snprintf(db, sizeof db, "%s/db", dir);
	setenv("SANDGATE_DIR", rundir, 1);
	setenv("SANDGATE_DB", db, 1);
	setenv("XDG_CONFIG_HOME", dir, 1);
	snprintf(sock, sizeof sock, "sgbench-%d", (int)getpid());
	if (run((char *const[]){ (char *)sandgate, "broker", "--timeout", "3600", NULL }) != 0) {
		fprintf(stderr, "bench_console: the broker did not start\n");
		return;
	}
	{
		int rp[2];
		char k;

		if (pipe(rp) < 0)
			return;
		feed = feeder(rundir, pending, rp[1]);
		close(rp[1]);
		if (read(rp[0], &k, 1) != 1)
			fprintf(stderr, "bench_console: the feeder failed\n");
		close(rp[0]);
	}
	snprintf(cmd, sizeof cmd, "env TERM=tmux-256color LC_ALL=C.UTF-8 %s console", sandgate);
	if (run((char *const[]){ "tmux", "-L", sock, "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y",
	        "40", "-s", "c", cmd, NULL }) != 0) {
		fprintf(stderr, "bench_console: tmux did not start\n");
		goto out;
	}
	sleep(3 + (unsigned)(pending / 1000)); /* let the console load the queue */
	if (pipe(to) < 0 || pipe(from) < 0)
		goto out;
	ctl = fork();
	if (ctl == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		close(to[1]);
		close(from[0]);
		execlp("tmux", "tmux", "-L", sock, "-C", "attach", "-t", "c", (char *)NULL);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	in = fdopen(to[1], "w");
	out = fdopen(from[0], "r");
	/* drain the attach output */
	for (int quiet = 0; quiet < 5;) {
		struct pollfd p = { .fd = from[0], .events = POLLIN };

		if (poll(&p, 1, 100) <= 0)
			quiet++;
		else if (fgets(line, sizeof line, out) == NULL)
			break;
	}
	for (int i = 0; i < N; i++) {
		double t0;

		fprintf(in, "send-keys -t c %s\n", i % 2 ? "k" : "j");
		fflush(in);
		t0 = now_us();
		for (;;) {
			struct pollfd p = { .fd = from[0], .events = POLLIN };

			if (poll(&p, 1, 5000) <= 0 || fgets(line, sizeof line, out) == NULL)
				goto done;
			if (strncmp(line, "%output", 7) == 0)
				break;
		}
		lat[got++] = now_us() - t0;
		/* let the rest of this frame's output arrive */
		for (;;) {
			struct pollfd p = { .fd = from[0], .events = POLLIN };

			if (poll(&p, 1, 30) <= 0 || fgets(line, sizeof line, out) == NULL)
				break;
		}
	}
done:
	if (got > 0) {
		qsort(lat, (size_t)got, sizeof *lat, cmp_d);
		printf("keypress to screen through tmux, %zu pending, 120x40: p50 %.2f ms, p99 %.2f ms (%d keys)\n",
		    pending, lat[got / 2] / 1000, lat[got * 99 / 100] / 1000, got);
	} else {
		printf("keypress to screen through tmux: no output seen\n");
	}
	fclose(in);
	fclose(out);
	waitpid(ctl, NULL, 0);
out:
	run((char *const[]){ "tmux", "-L", sock, "kill-server", NULL });
	kill(feed, SIGTERM);
	waitpid(feed, NULL, 0);
	{
		char lock[400], pid[32] = "";
		FILE *f;

		snprintf(lock, sizeof lock, "%s/broker.lock", rundir);
		if ((f = fopen(lock, "r")) != NULL && fgets(pid, sizeof pid, f) != NULL && atoi(pid) > 1)
			kill(atoi(pid), SIGTERM);
		if (f != NULL)
			fclose(f);
	}
	sleep(1);
	run((char *const[]){ "rm", "-rf", dir, NULL });
}

int
main(int argc, char **argv)
{
	FILE *null_out = fopen("/dev/null", "w"), *null_in = fopen("/dev/null", "r");
	SCREEN *s;

	setlocale(LC_ALL, "C.UTF-8");
	setenv("XDG_CONFIG_HOME", "/nonexistent-sandgate-bench", 1);
	if ((s = newterm("tmux-256color", null_out, null_in)) == NULL) {
		fprintf(stderr, "bench_console: no terminfo for tmux-256color\n");
		return 1;
	}
	set_term(s);
	resizeterm(40, 120);
	printf("console frame, 120x40 (list + detail), curses output to /dev/null:\n");
	bench_frames(1000);
	bench_frames(10000);
	bench_frames(100000);
	resizeterm(20, 60);
	printf("console frame, 60x20 (one column):\n");
	bench_frames(10000);
	endwin();
	delscreen(s);
	if (argc > 1) {
		bench_tmux(argv[1], 1000);
		bench_tmux(argv[1], 10000);
	}
	return 0;
}
