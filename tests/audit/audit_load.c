/* audit_load.c -- drives a real broker for the audit tests (never installed).
 *
 *   audit_load load SECONDS CLIENTS OUTFILE [COUNT [CONTENT_BYTES]]
 *       CLIENTS agent connections submit requests (wait: true) in a loop
 *       while one console decides them: allow, except every 5th is denied
 *       (sending a shown_sha256 each time).  Each decision an agent receives is appended to
 *       OUTFILE as "id seq decision by" (one write per line, so a kill -9
 *       of anything leaves whole lines).  Stops after SECONDS, after COUNT
 *       requests per client (0 = no limit), or when the broker goes away.
 *       CONTENT_BYTES > 0 makes them write requests with that much content.
 *   audit_load watch SECONDS
 *       subscribe as a console and print each notification as
 *       "METHOD key=value..." (the string fields of its map) until SECONDS
 *       pass or the broker goes away. */
#include "proto/client.h"
#include "proto/paths.h"
#include "proto/rpc.h"

#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double deadline;
static int out_fd = -1;
static long per_client;
static size_t content_bytes;
static volatile int stop;
static pthread_mutex_t ready_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cv = PTHREAD_COND_INITIALIZER;
static int console_ready;

static void
set_ready(void)
{
	pthread_mutex_lock(&ready_mu);
	console_ready = 1;
	pthread_cond_signal(&ready_cv);
	pthread_mutex_unlock(&ready_mu);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static sg_client *
connect_as(enum sg_role role)
{
	char err[256], *dir = paths_runtime_dir();
	char *path = paths_join(dir, role == ROLE_AGENT ? "agent.sock" : "console.sock");
	sg_client *c = client_connect(path, role, "audit_load", 5000, err, sizeof err);

	free(dir);
	free(path);
	return c;
}

static void *
console_thread(void *arg)
{
	sg_client *c = connect_as(ROLE_CONSOLE);
	struct client_msg m;
	uint32_t id;
	long n = 0;

	(void)arg;
	if (c == NULL) {
		set_ready();
		return NULL;
	}
	msgpack_pack_array(client_begin(c, "subscribe", &id), 0);
	if (client_send(c, 5000) < 0 || client_wait(c, id, 5000, &m) < 0) {
		set_ready();
		goto out;
	}
	client_msg_free(&m);
	set_ready(); /* agents start only once we see every request */
	while (!stop && now_s() < deadline) {
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
				msgpack_pack_map(pk, 4);
				rpc_pack_kv_int(pk, "id", rid);
				rpc_pack_kv_str(pk, "decision", ++n % 5 == 0 ? "deny" : "allow");
				rpc_pack_kv_str(pk, "reviewer", "load-console");
				rpc_pack_kv_str(pk, "shown_sha256",
				    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
				client_send(c, 5000);
			}
			client_msg_free(&m);
		}
	}
out:
	client_close(c);
	return NULL;
}

static void *
agent_thread(void *arg)
{
	long w = (long)arg;
	sg_client *c = connect_as(ROLE_AGENT);
	char *content = NULL;
	long i;

	if (c == NULL)
		return NULL;
	if (content_bytes > 0 && (content = malloc(content_bytes)) != NULL)
		memset(content, 'x', content_bytes);
	for (i = 0; !stop && now_s() < deadline && (per_client == 0 || i < per_client); i++) {
		struct client_msg m;
		msgpack_packer *pk;
		char rid[64], line[160];
		int64_t id = 0, seq = -1;
		const msgpack_object *d, *by;
		uint32_t msgid;
		int n;

		snprintf(rid, sizeof rid, "%ld-%d-%ld", w, (int)getpid(), i);
		pk = client_begin(c, "submit", &msgid);
		msgpack_pack_array(pk, 1);
		msgpack_pack_map(pk, 8);
		rpc_pack_kv_str(pk, "req_id", rid);
		rpc_pack_kv_str(pk, "agent", w % 2 ? "load-odd" : "load-even");
		rpc_pack_kv_str(pk, "session", "load");
		if (content != NULL) {
			rpc_pack_kv_str(pk, "kind", "write");
			rpc_pack_kv_str(pk, "path", "/tmp/audit-load/file.txt");
			rpc_pack_str(pk, "content");
			rpc_pack_strn(pk, content, content_bytes);
		} else {
			rpc_pack_kv_str(pk, "kind", "exec");
			rpc_pack_kv_str(pk, "command", "make test -j2 && git status --short");
			rpc_pack_kv_str(pk, "cwd", "/home/dev/project");
		}
		rpc_pack_kv_int(pk, "timeout", 60);
		rpc_pack_kv_bool(pk, "wait", true);
		if (client_send(c, 5000) < 0 || client_wait(c, msgid, 30000, &m) < 0)
			break;
		if (m.msg.error->type != MSGPACK_OBJECT_NIL) {
			client_msg_free(&m);
			continue;
		}
		rpc_get_int(rpc_map_get(m.msg.result, "id"), 1, INT64_MAX, &id);
		rpc_get_int(rpc_map_get(m.msg.result, "seq"), 0, INT64_MAX, &seq);
		d = rpc_map_get(m.msg.result, "decision");
		by = rpc_map_get(m.msg.result, "by");
		n = snprintf(line, sizeof line, "%lld %lld %s %.*s\n", (long long)id, (long long)seq,
		    rpc_str_eq(d, "allow") ? "allow" : "deny", by && by->type == MSGPACK_OBJECT_STR
		    ? (int)by->via.str.size : 1, by && by->type == MSGPACK_OBJECT_STR ? by->via.str.ptr : "?");
		if (write(out_fd, line, (size_t)n) != n)
			break;
		client_msg_free(&m);
	}
	free(content);
	client_close(c);
	return NULL;
}

static int
cmd_load(double secs, long clients, const char *out)
{
	pthread_t con, t[256];

	if (clients < 1 || clients > 256)
		return 2;
	out_fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (out_fd < 0) {
		perror(out);
		return 2;
	}
	deadline = now_s() + secs;
	pthread_create(&con, NULL, console_thread, NULL);
	pthread_mutex_lock(&ready_mu);
	while (!console_ready)
		pthread_cond_wait(&ready_cv, &ready_mu);
	pthread_mutex_unlock(&ready_mu);
	for (long i = 0; i < clients; i++)
		pthread_create(&t[i], NULL, agent_thread, (void *)i);
	for (long i = 0; i < clients; i++)
		pthread_join(t[i], NULL);
	stop = 1;
	pthread_join(con, NULL);
	close(out_fd);
	return 0;
}

static int
cmd_watch(double secs)
{
	sg_client *c = connect_as(ROLE_CONSOLE);
	struct client_msg m;
	uint32_t id;

	if (c == NULL)
		return 3;
	deadline = now_s() + secs;
	msgpack_pack_array(client_begin(c, "subscribe", &id), 0);
	if (client_send(c, 5000) < 0 || client_wait(c, id, 5000, &m) < 0)
		return 3;
	client_msg_free(&m);
	puts("subscribed");
	fflush(stdout);
	while (now_s() < deadline) {
		struct pollfd p = { .fd = client_fd(c), .events = POLLIN };

		/* what came with the subscribe reply is buffered already */
		while (client_next(c, &m) == 1) {
			if (m.msg.type == RPC_NOTIFY) {
				printf("%.*s", (int)m.msg.method_len, m.msg.method);
				if (m.msg.params->via.array.size > 0 &&
				    m.msg.params->via.array.ptr[0].type == MSGPACK_OBJECT_MAP) {
					const msgpack_object *o = &m.msg.params->via.array.ptr[0];

					for (uint32_t i = 0; i < o->via.map.size; i++) {
						const msgpack_object *k = &o->via.map.ptr[i].key, *v = &o->via.map.ptr[i].val;

						if (k->type == MSGPACK_OBJECT_STR && v->type == MSGPACK_OBJECT_STR)
							printf(" %.*s=%.*s", (int)k->via.str.size, k->via.str.ptr,
							    (int)v->via.str.size, v->via.str.ptr);
					}
				}
				putchar('\n');
				fflush(stdout);
			}
			client_msg_free(&m);
		}
		if (poll(&p, 1, 100) > 0 && client_pump(c) < 0)
			break;
	}
	client_close(c);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[1], "load") == 0) {
		per_client = argc > 5 ? atol(argv[5]) : 0;
		content_bytes = argc > 6 ? (size_t)atol(argv[6]) : 0;
		return cmd_load(atof(argv[2]), atol(argv[3]), argv[4]);
	}
	if (argc == 3 && strcmp(argv[1], "watch") == 0)
		return cmd_watch(atof(argv[2]));
	fprintf(stderr, "usage: audit_load load SECONDS CLIENTS OUTFILE [COUNT [CONTENT_BYTES]] | "
	                "watch SECONDS\n");
	return 2;
}
