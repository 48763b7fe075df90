/* bench_console.c -- the console's figures (issue #5): time to build and
 * draw a frame with N pending requests in N/10 groups (curses on a
 * 120x40 screen written to /dev/null) and model memory at that size.
 * Keypress-to-screen latency through tmux is bench_keys.c.
 *
 * usage: bench_console */
#include "tests/bench/benchlib.h"
#include "tui/console.h"
#include "tui/model.h"
#include "proto/rpc.h"

#include <curses.h>
#include <locale.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
	double t = bench_now_us();
	model *m = build_model(n, &bytes);
	double build_ms = (bench_now_us() - t) / 1000;
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
		t = bench_now_us();
		console_frame(c, wall_ms());
		steady[i] = bench_now_us() - t;
		console_key(c, i % 2 ? 'k' : 'j');
		t = bench_now_us();
		console_frame(c, wall_ms());
		key[i] = bench_now_us() - t;
	}
	bench_sort(steady, ROUNDS);
	bench_sort(key, ROUNDS);
	printf("%7zu pending / %5zu groups: model %6.1f MB (%4zu B/request, built in %6.1f ms); "
	       "frame p50 %4.0f p90 %4.0f p99 %6.0f us; after a key p50 %4.0f p90 %4.0f p99 %6.0f us\n",
	    n, n / 10, bytes / 1e6, bytes / n, build_ms, steady[ROUNDS / 2], steady[ROUNDS * 9 / 10], steady[ROUNDS * 99 / 100],
	    key[ROUNDS / 2], key[ROUNDS * 9 / 10], key[ROUNDS * 99 / 100]);
	console_free(c);
	model_free(m);
}

int
main(void)
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
	return 0;
}
