/* bench_audit.c -- figures for the audit log (issue #7):
 *   1. decisions recorded per second (agent submits and waits, a console
 *      allows, the decision + audit row commit, the agent gets its answer),
 *      group commit vs one commit per row, durability normal vs fsync, with
 *      1 and 64 agent connections, against real brokers;
 *   2. a 1,000,000-row log written in-process through the real store and
 *      audit append code (store_put_request + store_put_decision: the same
 *      worker, transactions and hash chain as the broker), then
 *      `sandgate audit verify` over it and `sandgate audit query` for one
 *      agent's last 100 decisions, both as real processes.
 * Usage: bench_audit PATH/TO/sandgate [decisions|million]
 * BENCH_AUDIT_ROWS overrides the 1,000,000; BENCH_AUDIT_SECONDS the 3 s
 * per decision-rate run; BENCH_AUDIT_DB=PATH keeps the big log there (and
 * reuses it when it exists, skipping the writing). */
#include "tests/bench/benchlib.h"
#include "broker/record/store.h"
#include "proto/client.h"
#include "proto/paths.h"
#include "proto/rpc.h"

#include <poll.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>


static double
now_s(void)
{
	return bench_now_us() / 1e6;
}

static double last_cpu; /* user + system seconds of the last run_cli child */

/* Run sandgate with args, stdout to /dev/null; returns wall seconds (or -1)
 * and leaves the child's CPU time in last_cpu (the machine may be shared:
 * CPU time is what the work costs, wall time what this run waited). */
static double
run_cli(char *const args[])
{
	double t0 = now_s();
	pid_t pid = fork();
	struct rusage ru;
	int st;

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execv(bench_sandgate, args);
		_exit(127);
	}
	wait4(pid, &st, 0, &ru);
	last_cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return now_s() - t0;
}

/* ---- 1. decisions per second through real brokers ---- */

static volatile int stop_all;
static long decided[64];

static void *
console_thread(void *arg)
{
	sg_client *c = arg;
	struct client_msg m;
	uint32_t id;

	while (!stop_all) {
		struct pollfd p = { .fd = client_fd(c), .events = POLLIN };

		if (poll(&p, 1, 50) <= 0)
			continue;
		if (client_pump(c) < 0)
			break;
		while (client_next(c, &m) == 1) {
			if (m.msg.type == RPC_NOTIFY && m.msg.method_len == 7 && memcmp(m.msg.method, "request", 7) == 0) {
				int64_t rid = 0;
				msgpack_packer *pk;

				rpc_get_int(rpc_map_get(&m.msg.params->via.array.ptr[0], "id"), 1, INT64_MAX, &rid);
				pk = client_begin(c, "decide", &id);
				msgpack_pack_array(pk, 1);
				msgpack_pack_map(pk, 3);
				rpc_pack_kv_int(pk, "id", rid);
				rpc_pack_kv_str(pk, "decision", "allow");
				rpc_pack_kv_str(pk, "shown_sha256",
				    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
				client_send(c, 5000);
			}
			client_msg_free(&m);
		}
	}
	return NULL;
}

static void *
agent_thread(void *arg)
{
	long w = (long)arg;
	sg_client *c = bench_connect(ROLE_AGENT, "bench");

	for (long i = 0; !stop_all; i++) {
		struct client_msg m;
		msgpack_packer *pk;
		uint32_t id;
		char rid[48];

		snprintf(rid, sizeof rid, "b%ld-%ld", w, i);
		pk = client_begin(c, "submit", &id);
		msgpack_pack_array(pk, 1);
		msgpack_pack_map(pk, 7);
		rpc_pack_kv_str(pk, "req_id", rid);
		rpc_pack_kv_str(pk, "agent", "bench");
		rpc_pack_kv_str(pk, "session", "bench-session");
		rpc_pack_kv_str(pk, "kind", "exec");
		rpc_pack_kv_str(pk, "command", "npm run test -- --reporter=dot src/components/button.test.tsx");
		rpc_pack_kv_str(pk, "cwd", "/home/dev/project");
		rpc_pack_kv_bool(pk, "wait", true);
		if (client_send(c, 5000) < 0 || client_wait(c, id, 60000, &m) < 0)
			break;
		if (rpc_str_eq(rpc_map_get(m.msg.result, "decision"), "allow"))
			decided[w]++;
		client_msg_free(&m);
	}
	client_close(c);
	return NULL;
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
bench_decisions(const char *commit, const char *durability, int clients, double secs)
{
	char config[128];
	pthread_t con, t[64];
	sg_client *console, *status;
	long total = 0;
	int64_t c0, c1;
	double t0, el, cpu0, cpu1;
	long pid;

	snprintf(config, sizeof config, "commit = %s\ndurability = %s\n", commit, durability);
	bench_env("sgbench-audit", config);
	bench_broker_start(NULL);
	console = bench_connect(ROLE_CONSOLE, "bench");
	status = bench_connect(ROLE_CONSOLE, "bench");
	stop_all = 0;
	memset(decided, 0, sizeof decided);
	{
		struct client_msg m;
		uint32_t id;

		/* subscribed before the first request, so the console sees them all */
		msgpack_pack_array(client_begin(console, "subscribe", &id), 0);
		if (client_send(console, 5000) < 0 || client_wait(console, id, 5000, &m) < 0)
			exit(1);
		client_msg_free(&m);
	}
	pthread_create(&con, NULL, console_thread, console);
	c0 = status_int(status, "store_commits");
	pid = bench_broker_pid();
	cpu0 = bench_proc_cpu(pid);
	t0 = now_s();
	for (long i = 0; i < clients; i++)
		pthread_create(&t[i], NULL, agent_thread, (void *)i);
	usleep((useconds_t)(secs * 1e6));
	stop_all = 1;
	for (int i = 0; i < clients; i++)
		pthread_join(t[i], NULL);
	el = now_s() - t0;
	cpu1 = bench_proc_cpu(pid);
	c1 = status_int(status, "store_commits");
	pthread_join(con, NULL);
	for (int i = 0; i < clients; i++)
		total += decided[i];
	printf("  commit=%-7s durability=%-6s clients=%2d  %6.0f decisions/s  (%ld in %.1f s, %.2f commits"
	    " and %.0f us of broker CPU per decision)\n", commit, durability, clients, total / el, total, el,
	    total ? (double)(c1 - c0) / total : 0, total ? (cpu1 - cpu0) * 1e6 / total : 0);
	fflush(stdout);
	client_close(console);
	client_close(status);
	bench_broker_stop();
	bench_env_remove();
}

/* ---- 2. a million rows ---- */

static long done_jobs;

static void
on_done(void *arg, int status, int64_t seq)
{
	(void)arg, (void)seq;
	if (status != 0) {
		fprintf(stderr, "bench: a row failed\n");
		exit(1);
	}
	done_jobs++;
}

static void
bench_million(long rows)
{
	char err[256], agent[32], rid[32], *db_path = getenv("SANDGATE_DB");
	uv_loop_t loop;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	store *s;
	struct store_request_row rr;
	double t0, el, best, best_cpu;
	long sent = 0;
	char *verify[] = { (char *)"sandgate", (char *)"audit", (char *)"verify", NULL };
	char *query[] = { (char *)"sandgate", (char *)"audit", (char *)"query", (char *)"--agent",
		(char *)"agent-7", (char *)"--limit", (char *)"100", (char *)"--json", NULL };
	char *rare[] = { (char *)"sandgate", (char *)"audit", (char *)"query", (char *)"--agent",
		(char *)"no-such-agent", (char *)"--limit", (char *)"100", (char *)"--json", NULL };
	sqlite3 *db;
	sqlite3_stmt *st;

	if (getenv("BENCH_AUDIT_DB") != NULL) {
		db_path = getenv("BENCH_AUDIT_DB");
		setenv("SANDGATE_DB", db_path, 1);
		if (access(db_path, F_OK) == 0 && sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
			if (sqlite3_prepare_v2(db, "SELECT count(*) FROM audit", -1, &st, NULL) == SQLITE_OK &&
			    sqlite3_step(st) == SQLITE_ROW)
				rows = (long)sqlite3_column_int64(st, 0);
			sqlite3_finalize(st);
			sqlite3_close(db);
			printf("  reusing %s (%ld rows)\n", db_path, rows);
			goto measure;
		}
	}
	uv_loop_init(&loop);
	if ((s = store_open(&loop, db_path, NULL, err, sizeof err)) == NULL) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	msgpack_sbuffer_init(&sb);
	t0 = now_s();
	while (sent < rows) {
		for (int k = 0; k < 20000 && sent < rows; k++, sent++) {
			snprintf(agent, sizeof agent, "agent-%ld", sent % 1000);
			snprintf(rid, sizeof rid, "r%ld", sent);
			msgpack_sbuffer_clear(&sb);
			msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
			msgpack_pack_map(&pk, 6);
			rpc_pack_kv_str(&pk, "req_id", rid);
			rpc_pack_kv_str(&pk, "agent", agent);
			rpc_pack_kv_str(&pk, "session", "bench-session");
			rpc_pack_kv_str(&pk, "kind", "exec");
			rpc_pack_kv_str(&pk, "command", "npm run test -- --reporter=dot src/components/button.test.tsx");
			rpc_pack_kv_str(&pk, "cwd", "/home/dev/project");
			rr = (struct store_request_row){
			    .id = sent + 1, .created_ms = 1700000000000 + sent, .client_req_id = rid,
			    .agent = agent, .session = "bench-session", .kind = "exec",
			    .summary = "npm run test -- --reporter=dot src/components/button.test.tsx",
			    .cwd = "/home/dev/project", .pid = 4242, .uid = 1000, .gid = 1000,
			    .request = sb.data, .request_len = sb.size };
			/* a reviewed request: recorded while pending, then decided */
			store_put_request(s, &rr, on_done, NULL);
			store_put_decision(s, &(struct store_decision_row){
			    .request_id = sent + 1, .request = &rr, .decided_ms = 1700000000000 + sent,
			    .decision = sent % 7 ? "allow" : "deny", .decided_by = "reviewer",
			    .reviewer_uid = 1000, .reviewer_pid = 4343, .reviewer_name = "alice",
			    .risk_level = sent % 5 ? "low" : "high", .risk_score = sent % 5 ? 10 : 70,
			    .shown_sha256 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff" },
			    on_done, NULL);
		}
		while (done_jobs < 2 * sent - 20000)
			uv_run(&loop, UV_RUN_ONCE);
	}
	while (done_jobs < 2 * sent)
		uv_run(&loop, UV_RUN_ONCE);
	el = now_s() - t0;
	printf("  wrote %ld decisions (request + decision + audit row each) through the store in %.1f s: %.0f/s,"
	    " %llu transactions\n", rows, el, rows / el, (unsigned long long)store_commits(s));
	store_close(s);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	msgpack_sbuffer_destroy(&sb);
	{
		char cmd[300];

		snprintf(cmd, sizeof cmd, "ls -l %s | awk '{printf \"  database size: %%.0f MB\\n\", $5/1e6}'", db_path);
		if (system(cmd) != 0)
			fprintf(stderr, "bench: ls failed\n");
	}
measure:
	best = best_cpu = 1e9;
	for (int i = 0; i < 3; i++) {
		double t = run_cli(verify);

		if (t < 0) {
			fprintf(stderr, "bench: verify failed\n");
			exit(1);
		}
		if (t < best)
			best = t;
		if (last_cpu < best_cpu)
			best_cpu = last_cpu;
	}
	printf("  sandgate audit verify over %ld rows: %.2f s wall, %.2f s CPU (best of 3)\n", rows, best, best_cpu);
	best = best_cpu = 1e9;
	for (int i = 0; i < 20; i++) {
		double t = run_cli(query);

		if (t >= 0 && t < best)
			best = t;
		if (t >= 0 && last_cpu < best_cpu)
			best_cpu = last_cpu;
	}
	printf("  sandgate audit query --agent agent-7 --limit 100 --json (whole process): %.2f ms wall,"
	    " %.2f ms CPU (best of 20)\n", best * 1e3, best_cpu * 1e3);
	/* the worst case: no secondary index on audit, an agent with no rows reads them all */
	best = best_cpu = 1e9;
	for (int i = 0; i < 3; i++) {
		double t = run_cli(rare);

		if (t >= 0 && t < best)
			best = t;
		if (t >= 0 && last_cpu < best_cpu)
			best_cpu = last_cpu;
	}
	printf("  sandgate audit query --agent no-such-agent (reads every row): %.2f s wall, %.2f s CPU"
	    " (best of 3)\n", best, best_cpu);
	/* the query itself, without process start-up */
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT * FROM audit WHERE agent = ? ORDER BY seq DESC LIMIT 100", -1, &st,
	        NULL) == SQLITE_OK) {
		int n = 0;

		best = 1e9;
		for (int i = 0; i < 20; i++) {
			double t = now_s();

			sqlite3_bind_text(st, 1, "agent-7", -1, SQLITE_STATIC);
			for (n = 0; sqlite3_step(st) == SQLITE_ROW; n++)
				;
			sqlite3_reset(st);
			t = now_s() - t;
			if (t < best)
				best = t;
		}
		printf("  the same query in-process (SQLite, %d rows): %.3f ms (best of 20)\n", n, best * 1e3);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
}

int
main(int argc, char **argv)
{
	const char *only = argc > 2 ? argv[2] : "";
	const char *e = getenv("BENCH_AUDIT_ROWS");
	long rows = e != NULL ? atol(e) : 1000000;
	double secs = getenv("BENCH_AUDIT_SECONDS") ? atof(getenv("BENCH_AUDIT_SECONDS")) : 3;
	static const char *const commits[] = { "grouped", "each" }, *const modes[] = { "normal", "fsync" };
	static const int clients[] = { 1, 64 };

	if (argc < 2) {
		fprintf(stderr, "usage: bench_audit PATH/TO/sandgate [decisions|million]\n");
		return 2;
	}
	bench_sandgate = argv[1];
	signal(SIGPIPE, SIG_IGN);
	if (*only == '\0' || strcmp(only, "decisions") == 0) {
		printf("decisions recorded per second (submit+wait, console allows, decision+audit row committed, reply):\n");
		for (int m = 0; m < 2; m++)
			for (int c = 0; c < 2; c++)
				for (int k = 0; k < 2; k++)
					bench_decisions(commits[c], modes[m], clients[k], secs);
	}
	if (*only == '\0' || strcmp(only, "million") == 0) {
		printf("a %ld-row audit log:\n", rows);
		bench_env("sgbench-audit", NULL);
		bench_million(rows);
		bench_env_remove();
	}
	return 0;
}
