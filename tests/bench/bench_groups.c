/* bench_groups.c -- the grouping view under a big queue (issue #12 item 7).
 *
 * For 1,000, 10,000 and 50,000 pending requests spread over a realistic mix
 * of groups (8 sessions, two agents; git, npm, python, cargo, make, curl,
 * rm, cat commands with varying arguments; writes under a few dozen
 * directories; fetches from several registries; MCP tools), against a real
 * broker in a temp dir:
 *
 *   - per-submit cost while the queue fills (broker CPU per submit, and the
 *     round trip of a single submit once the queue is full);
 *   - `groups` page latency, p50/p99 (random pages of 50 groups), the time
 *     to walk every page, and the biggest page;
 *   - the legacy `groups []` call (one reply with everything): its latency
 *     and size, or its error;
 *   - the worst loop stall a second agent sees meanwhile: a probe agent
 *     submits `true` (allowed by a rule, so answered at once) every 2 ms
 *     the whole time; its worst and p99 round trip per phase;
 *   - what a subscribed console fetches while the queue fills: on every
 *     `groups` notification it fetches what the protocol tells it to
 *     (every group on a broker whose notification carries nothing, else
 *     only the groups the notification names, 100 at a time, as the
 *     console does); BENCH_GROUPS_WATCH=0 leaves that console out.
 *
 * Usage: bench_groups PATH/TO/sandgate [N...]   (default 1000 10000 50000). */
#include "tests/bench/benchlib.h"
#include "tests/tools/fillmix.h"
#include "proto/client.h"
#include "proto/rpc.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE 50
#define PAGE_CALLS 100

/* ---- the probe agent ---- */

enum phase { PH_IDLE, PH_FILL, PH_PAGES, PH_LEGACY, PH_COUNT };
static const char *const phase_names[PH_COUNT] = { "idle", "fill", "pages", "legacy" };
static _Atomic int phase = PH_IDLE, probe_stop;
static double probe_max[PH_COUNT];
static double *probe_v[PH_COUNT];
static size_t probe_n[PH_COUNT], probe_cap[PH_COUNT];
static pthread_mutex_t probe_mu = PTHREAD_MUTEX_INITIALIZER;

static void
probe_note(int ph, double us)
{
	pthread_mutex_lock(&probe_mu);
	if (us > probe_max[ph])
		probe_max[ph] = us;
	if (probe_n[ph] == probe_cap[ph]) {
		probe_cap[ph] = probe_cap[ph] ? probe_cap[ph] * 2 : 1024;
		probe_v[ph] = realloc(probe_v[ph], probe_cap[ph] * sizeof *probe_v[ph]);
	}
	probe_v[ph][probe_n[ph]++] = us;
	pthread_mutex_unlock(&probe_mu);
}

static void *
probe_thread(void *arg)
{
	sg_client *c = bench_connect(ROLE_AGENT, "probe");
	int i = 0;

	(void)arg;
	while (!probe_stop) {
		struct client_msg m;
		uint32_t id;
		char rid[32];
		int ph = phase;
		msgpack_packer *pk = client_begin(c, "submit", &id);
		double s = bench_now_us();

		snprintf(rid, sizeof rid, "probe-%d", i++);
		msgpack_pack_array(pk, 1);
		msgpack_pack_map(pk, 6);
		rpc_pack_kv_str(pk, "req_id", rid);
		rpc_pack_kv_str(pk, "agent", "probe");
		rpc_pack_kv_str(pk, "session", "probe");
		rpc_pack_kv_str(pk, "kind", "exec");
		rpc_pack_kv_str(pk, "command", "true");
		rpc_pack_kv_bool(pk, "wait", true);
		if (client_send(c, 600000) < 0 || client_wait(c, id, 600000, &m) < 0) {
			fprintf(stderr, "bench: probe: %s\n", client_error(c));
			exit(1);
		}
		if (!rpc_str_eq(rpc_map_get(m.msg.result, "decision"), "allow")) {
			fprintf(stderr, "bench: probe not allowed by its rule\n");
			exit(1);
		}
		client_msg_free(&m);
		probe_note(ph, bench_now_us() - s);
		usleep(2000);
	}
	client_close(c);
	return NULL;
}

static void
probe_reset(void)
{
	for (int i = 0; i < PH_COUNT; i++) {
		free(probe_v[i]);
		probe_v[i] = NULL;
		probe_n[i] = probe_cap[i] = 0;
		probe_max[i] = 0;
	}
}

/* ---- calls ---- */

/* Call method with params (JSON-free: a packing callback); the reply in
 * *out; the reply's packed size in *bytes; -1 with the error in err. */
typedef void packfn(msgpack_packer *pk, void *arg);

static int
call(sg_client *c, const char *method, packfn *fn, void *arg, int timeout_ms, struct client_msg *out,
    size_t *bytes, char *err, size_t errlen)
{
	uint32_t id;
	msgpack_packer *pk = client_begin(c, method, &id);
	size_t elen;
	const char *e;

	fn(pk, arg);
	if (client_send(c, timeout_ms) < 0 || client_wait(c, id, timeout_ms, out) < 0) {
		snprintf(err, errlen, "%s", client_error(c));
		return -1;
	}
	if ((e = client_msg_error(out, &elen)) != NULL) {
		snprintf(err, errlen, "%.*s", (int)elen, e);
		client_msg_free(out);
		return -1;
	}
	if (bytes != NULL) {
		msgpack_sbuffer sb;
		msgpack_packer p2;

		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&p2, &sb, msgpack_sbuffer_write);
		msgpack_pack_object(&p2, *out->msg.result);
		*bytes = sb.size;
		msgpack_sbuffer_destroy(&sb);
	}
	return 0;
}

struct page_args {
	int64_t offset, limit;
	const msgpack_object *ids;
};

static void
pack_page(msgpack_packer *pk, void *arg)
{
	struct page_args *a = arg;

	msgpack_pack_array(pk, 1);
	if (a->ids != NULL) {
		msgpack_pack_map(pk, 2);
		rpc_pack_str(pk, "ids");
		msgpack_pack_object(pk, *a->ids);
		rpc_pack_kv_int(pk, "members", 10000);
		return;
	}
	msgpack_pack_map(pk, 2);
	rpc_pack_kv_int(pk, "offset", a->offset);
	rpc_pack_kv_int(pk, "limit", a->limit);
}

static void
pack_none(msgpack_packer *pk, void *arg)
{
	(void)arg;
	msgpack_pack_array(pk, 0);
}

static void
pack_rule(msgpack_packer *pk, void *arg)
{
	(void)arg;
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 3);
	rpc_pack_kv_str(pk, "effect", "allow");
	rpc_pack_kv_str(pk, "pattern", "exec true");
	rpc_pack_kv_str(pk, "scope", "global");
}

static int64_t
status_int(sg_client *c, const char *key)
{
	struct client_msg m;
	char err[256];
	int64_t v = -1;

	if (call(c, "status", pack_none, NULL, 600000, &m, NULL, err, sizeof err) == 0) {
		rpc_get_int(rpc_map_get(m.msg.result, key), INT64_MIN, INT64_MAX, &v);
		client_msg_free(&m);
	}
	return v;
}

/* ---- the refetching console ---- */

static _Atomic int watch_stop;
static size_t watch_notes, watch_fetches, watch_bytes, watch_errors;
static double watch_wait_us;

/* Walk every page of `groups` (or make the legacy call on an old broker). */
static void
fetch_all(sg_client *c, bool paged)
{
	struct page_args a = { 0, PAGE, NULL };
	struct client_msg m;
	char err[256];
	size_t bytes;

	for (;;) {
		double s = bench_now_us();
		int64_t next = -1;

		if (call(c, "groups", paged ? pack_page : pack_none, &a, 600000, &m, &bytes, err, sizeof err) < 0) {
			watch_errors++;
			return;
		}
		watch_wait_us += bench_now_us() - s;
		watch_fetches++;
		watch_bytes += bytes;
		rpc_get_int(rpc_map_get(m.msg.result, "next"), -1, INT64_MAX, &next);
		client_msg_free(&m);
		if (!paged || next <= 0)
			return;
		a.offset = next;
	}
}

static void *
watch_thread(void *arg)
{
	sg_client *c = arg;
	struct client_msg m;
	char err[256];

	if (call(c, "subscribe", pack_none, NULL, 5000, &m, NULL, err, sizeof err) == 0)
		client_msg_free(&m);
	while (!watch_stop) {
		struct pollfd p = { .fd = client_fd(c), .events = POLLIN };

		if (poll(&p, 1, 50) <= 0)
			continue;
		if (client_pump(c) < 0)
			break;
		while (client_next(c, &m) == 1) {
			if (m.msg.type == RPC_NOTIFY && m.msg.method_len == 6 && memcmp(m.msg.method, "groups", 6) == 0) {
				const msgpack_object *d = m.msg.params->via.array.size > 0
				    ? &m.msg.params->via.array.ptr[0] : NULL;
				const msgpack_object *changed = d != NULL ? rpc_map_get(d, "changed") : NULL;

				watch_notes++;
				if (changed != NULL && changed->type == MSGPACK_OBJECT_ARRAY) {
					/* as the console does: 100 ids at a time */
					for (uint32_t at = 0; at < changed->via.array.size; at += 100) {
						msgpack_object chunk = *changed;
						struct page_args a = { 0, 0, &chunk };
						struct client_msg r;
						size_t bytes;
						double s = bench_now_us();

						chunk.via.array.ptr += at;
						chunk.via.array.size -= at;
						if (chunk.via.array.size > 100)
							chunk.via.array.size = 100;
						if (call(c, "groups", pack_page, &a, 600000, &r, &bytes, err, sizeof err) < 0) {
							watch_errors++;
							break;
						}
						watch_wait_us += bench_now_us() - s;
						watch_fetches++;
						watch_bytes += bytes;
						client_msg_free(&r);
					}
				} else {
					fetch_all(c, d != NULL);
				}
			}
			client_msg_free(&m);
		}
	}
	return NULL;
}

/* ---- one run ---- */

static void
report_probe(const char *what, int ph)
{
	size_t n = probe_n[ph];

	if (n == 0) {
		printf("  probe ask during %-8s  no sample (the phase was shorter than one probe)\n", what);
		return;
	}
	bench_sort(probe_v[ph], n);
	printf("  probe ask during %-8s  %6zu asks  p50 %8.2f ms  p99 %8.2f ms  worst %9.2f ms\n", what, n,
	    bench_pct(probe_v[ph], n, 50) / 1000, bench_pct(probe_v[ph], n, 99) / 1000, probe_max[ph] / 1000);
}

static bool with_watch = true;

static void
run(int n)
{
	sg_client *agent, *console, *watcher;
	pthread_t probe, watch;
	struct client_msg m;
	char err[256];
	double t0, el, cpu0, *v;
	long pid;
	int64_t total = 0;
	bool paged = true;
	size_t bytes, maxpage = 0;
	const int window = 256;
	int sent = 0, got = 0;
	uint32_t first = 0;

	/* one agent fills the queue: lift the quotas a flood would hit (issue #12 item 8) */
	bench_env("sgbgroups", "max_pending = 1000000\nmax_pending_uid = 999999\nmax_pending_session = 999999\n");
	bench_broker_start(NULL);
	pid = bench_broker_pid();
	console = bench_connect(ROLE_CONSOLE, "bench");
	if (call(console, "rule_add", pack_rule, NULL, 5000, &m, NULL, err, sizeof err) < 0) {
		fprintf(stderr, "bench: rule_add: %s\n", err);
		exit(1);
	}
	client_msg_free(&m);
	agent = bench_connect(ROLE_AGENT, "bench");
	watcher = bench_connect(ROLE_CONSOLE, "watcher");
	probe_reset();
	probe_stop = watch_stop = 0;
	watch_notes = watch_fetches = watch_bytes = watch_errors = 0;
	watch_wait_us = 0;
	pthread_create(&probe, NULL, probe_thread, NULL);
	if (with_watch)
		pthread_create(&watch, NULL, watch_thread, watcher);
	usleep(200000);

	printf("-- %d pending --\n", n);
	/* fill, pipelined */
	phase = PH_FILL;
	cpu0 = bench_proc_cpu(pid);
	t0 = bench_now_us();
	while (got < n) {
		while (sent < n && sent - got < window) {
			uint32_t id;

			fill_mix(client_begin(agent, "submit", &id), "f", "sess", sent, 8, 86400);
			if (sent == 0)
				first = id;
			if (client_send(agent, 600000) < 0)
				exit(1);
			sent++;
		}
		if (client_wait(agent, first + (uint32_t)got, 600000, &m) < 0) {
			fprintf(stderr, "bench: %s\n", client_error(agent));
			exit(1);
		}
		if (client_msg_error(&m, &bytes) != NULL) {
			fprintf(stderr, "bench: submit %d refused\n", got);
			exit(1);
		}
		client_msg_free(&m);
		got++;
	}
	while (status_int(console, "store_backlog") > 0)
		usleep(10000);
	el = bench_now_us() - t0;
	printf("  fill: %d submits in %.2f s, broker CPU %.1f us per submit\n", n, el / 1e6,
	    (bench_proc_cpu(pid) - cpu0) * 1e6 / n);
	usleep(300000); /* the last notification and the watcher's fetch */
	watch_stop = 1;
	if (with_watch) {
		pthread_join(watch, NULL);
		printf("  console refetch while filling: %zu groups notifications, %zu fetches, %.1f MB, %.2f s "
		    "waiting%s\n", watch_notes, watch_fetches, watch_bytes / 1e6, watch_wait_us / 1e6,
		    watch_errors ? " (some fetches failed: too large)" : "");
	} else {
		printf("  (no refetching console: BENCH_GROUPS_WATCH=0)\n");
	}

	/* single submits with the queue full */
	v = calloc(200, sizeof *v);
	for (int i = 0; i < 200; i++) {
		uint32_t id;
		double s = bench_now_us();

		fill_mix(client_begin(agent, "submit", &id), "s", "sess", i * 7 + 3, 8, 86400);
		if (client_send(agent, 600000) < 0 || client_wait(agent, id, 600000, &m) < 0)
			exit(1);
		client_msg_free(&m);
		v[i] = bench_now_us() - s;
	}
	bench_sort(v, 200);
	printf("  single submit with the queue full: p50 %.1f us  p99 %.1f us\n", bench_pct(v, 200, 50),
	    bench_pct(v, 200, 99));
	free(v);

	/* pages */
	phase = PH_PAGES;
	{
		struct page_args a = { 0, PAGE, NULL };

		if (call(console, "groups", pack_page, &a, 600000, &m, &bytes, err, sizeof err) < 0) {
			printf("  groups page: %s\n", err);
			paged = false;
		} else {
			paged = rpc_map_get(m.msg.result, "total") != NULL;
			rpc_get_int(rpc_map_get(m.msg.result, "total"), 0, INT64_MAX, &total);
			client_msg_free(&m);
		}
	}
	if (paged) {
		double *lat = calloc(PAGE_CALLS, sizeof *lat), walk;
		struct page_args a = { 0, PAGE, NULL };
		int pages = 0;

		srand(7);
		for (int i = 0; i < PAGE_CALLS; i++) {
			double s = bench_now_us();

			a.offset = total > 0 ? rand() % total : 0;
			if (call(console, "groups", pack_page, &a, 600000, &m, &bytes, err, sizeof err) < 0) {
				printf("  groups page: %s\n", err);
				break;
			}
			lat[i] = bench_now_us() - s;
			if (bytes > maxpage)
				maxpage = bytes;
			client_msg_free(&m);
		}
		bench_sort(lat, PAGE_CALLS);
		printf("  groups page of %d (of %lld groups): p50 %.2f ms  p99 %.2f ms  biggest page %.1f KiB\n",
		    PAGE, (long long)total, bench_pct(lat, PAGE_CALLS, 50) / 1000, bench_pct(lat, PAGE_CALLS, 99) / 1000,
		    maxpage / 1024.0);
		free(lat);
		walk = bench_now_us();
		a.offset = 0;
		for (;;) {
			int64_t next = -1;

			if (call(console, "groups", pack_page, &a, 600000, &m, &bytes, err, sizeof err) < 0) {
				printf("  groups walk: %s\n", err);
				break;
			}
			pages++;
			rpc_get_int(rpc_map_get(m.msg.result, "next"), -1, INT64_MAX, &next);
			client_msg_free(&m);
			if (next <= 0)
				break;
			a.offset = next;
		}
		printf("  every group, page by page: %d pages in %.2f ms\n", pages, (bench_now_us() - walk) / 1000);
	}

	/* the legacy call */
	phase = PH_LEGACY;
	t0 = bench_now_us();
	if (call(console, "groups", pack_none, NULL, 600000, &m, &bytes, err, sizeof err) < 0) {
		printf("  groups [] (legacy): failed after %.2f s: %s\n", (bench_now_us() - t0) / 1e6, err);
	} else {
		const msgpack_object *g = rpc_map_get(m.msg.result, "groups");

		printf("  groups [] (legacy): %.2f ms, %.1f KiB, %u groups%s\n", (bench_now_us() - t0) / 1000,
		    bytes / 1024.0, g != NULL && g->type == MSGPACK_OBJECT_ARRAY ? g->via.array.size : 0,
		    rpc_map_get(m.msg.result, "next") != NULL ? " (first page)" : "");
		client_msg_free(&m);
	}
	phase = PH_IDLE;
	usleep(50000);
	probe_stop = 1;
	pthread_join(probe, NULL);
	report_probe("fill", PH_FILL);
	report_probe("pages", PH_PAGES);
	report_probe("legacy", PH_LEGACY);
	(void)phase_names;
	client_close(agent);
	client_close(console);
	client_close(watcher);
	bench_broker_stop();
	bench_env_remove();
}

/* Killed (a timeout on a slow run): stop the private broker too. */
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
	if (argc < 2) {
		fprintf(stderr, "usage: bench_groups PATH/TO/sandgate [N...]\n");
		return 2;
	}
	bench_sandgate = argv[1];
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	setvbuf(stdout, NULL, _IOLBF, 0); /* a run cut short keeps what it printed */
	with_watch = getenv("BENCH_GROUPS_WATCH") == NULL || strcmp(getenv("BENCH_GROUPS_WATCH"), "0") != 0;
	printf("== issue #12 item 7: groups with a big queue ==\n");
	if (argc == 2) {
		run(1000);
		run(10000);
		run(50000);
	}
	for (int i = 2; i < argc; i++)
		run(atoi(argv[i]));
	return 0;
}
