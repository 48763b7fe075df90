/* sgflood.c -- a flooding agent and an alert watcher for the quota tests
 * (tests/security/flood.sh).  Never installed.
 *
 *   sgflood flood PREFIX SESSIONS COUNT HOLD_S [COMMAND]
 *       one agent connection; COUNT submits (no wait) pipelined as fast as
 *       the socket takes them, session PREFIX-(i % SESSIONS), req_id
 *       PREFIX-i, command COMMAND with %d replaced by i (default
 *       "touch /etc/sgflood-%d"); counts the answers, prints one JSON line
 *       {sent, pending, decided, errors: {code: n}, first_error, last_error, ms},
 *       then keeps the connection (so the queued requests stay queued) for
 *       HOLD_S seconds or until stdin reaches EOF.
 *   sgflood wait PREFIX SESSIONS FROM COUNT HOLD_S [COMMAND]
 *       one agent connection resubmits, with `wait`, requests PREFIX-FROM ..
 *       PREFIX-(FROM+COUNT-1) exactly as `flood` made them (same session,
 *       req_id and command: the same requests), pipelined; once the broker
 *       has handled them all it prints {sent, at_once, errors} (at_once:
 *       decisions answered at once), then waits for the decisions until
 *       stdin reaches EOF or HOLD_S seconds pass, and prints
 *       {answered, by: {decided_by: n}, allow, deny, errors} (answered
 *       counts at_once too) before it disconnects.
 *   sgflood decide PREFIX FROM COUNT allow|deny [close]
 *       a console decides every pending request whose req_id is PREFIX-i,
 *       FROM <= i < FROM+COUNT (pipelined decides) and prints how many it
 *       sent; with `close` it disconnects without reading the replies (the
 *       broker is left holding decide replies for a gone console), else it
 *       prints {decided, errors} once every reply is in.
 *   sgflood watch SECONDS
 *       a subscribed console: prints every notification whose method is
 *       "alert" as one JSON line, for SECONDS. */
#include "proto/client.h"
#include "proto/mpjson.h"
#include "proto/paths.h"
#include "proto/rpc.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static sg_client *
connect_as(enum sg_role role)
{
	char *dir = paths_runtime_dir(), err[256];
	char *path = paths_join(dir, role == ROLE_AGENT ? "agent.sock" : "console.sock");
	sg_client *c = client_connect(path, role, "sgflood", 5000, err, sizeof err);

	free(dir);
	free(path);
	if (c == NULL) {
		fprintf(stderr, "sgflood: %s\n", err);
		exit(3);
	}
	return c;
}

static void
pack_submit(msgpack_packer *pk, uint32_t id, const char *prefix, long i, long sessions, const char *cmd,
    bool wait)
{
	char rid[128], sess[128], text[512];
	const char *pct = strstr(cmd, "%d");

	snprintf(rid, sizeof rid, "%s-%ld", prefix, i);
	snprintf(sess, sizeof sess, "%s-%ld", prefix, i % sessions);
	if (pct != NULL)
		snprintf(text, sizeof text, "%.*s%ld%s", (int)(pct - cmd), cmd, i, pct + 2);
	else
		snprintf(text, sizeof text, "%s", cmd);
	rpc_pack_request(pk, id, "submit");
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, wait ? 6 : 5);
	if (wait)
		rpc_pack_kv_bool(pk, "wait", true);
	rpc_pack_kv_str(pk, "req_id", rid);
	rpc_pack_kv_str(pk, "agent", "sgflood");
	rpc_pack_kv_str(pk, "session", sess);
	rpc_pack_kv_str(pk, "kind", "exec");
	rpc_pack_kv_str(pk, "command", text);
}

static int
cmd_flood(const char *prefix, long sessions, long count, int hold_s, const char *cmd)
{
	sg_client *c = connect_as(ROLE_AGENT);
	msgpack_sbuffer sb;
	msgpack_packer pk;
	size_t off = 0;
	long answers = 0, pending = 0, decided = 0;
	json_t *errors = json_object();
	char first[512] = "", last[512] = "";
	long long t0;
	int fd = client_fd(c);
	bool broken = false;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	for (long i = 0; i < count; i++)
		pack_submit(&pk, (uint32_t)(1000 + i), prefix, i, sessions > 0 ? sessions : 1, cmd, false);
	t0 = now_ms();
	while (answers < count) {
		struct pollfd p = { .fd = fd, .events = POLLIN | (off < sb.size ? POLLOUT : 0) };
		struct client_msg m;

		if (poll(&p, 1, 60000) <= 0) {
			fprintf(stderr, "sgflood: no progress for 60 s (%ld answers)\n", answers);
			return 1;
		}
		if (p.revents & POLLOUT) {
			ssize_t n = send(fd, sb.data + off, sb.size - off, MSG_NOSIGNAL);

			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				perror("sgflood: send");
				return 1;
			}
			if (n > 0)
				off += (size_t)n;
		}
		if ((p.revents & (POLLIN | POLLHUP | POLLERR)) && client_pump(c) < 0)
			broken = true;
		while (client_next(c, &m) == 1) {
			size_t elen;
			const char *e = client_msg_error(&m, &elen);

			if (m.msg.type == RPC_RESPONSE) {
				answers++;
				if (e != NULL) {
					const msgpack_object *code = rpc_map_get(m.msg.error, "code");
					char k[64] = "?";
					json_t *v;

					if (code != NULL && code->type == MSGPACK_OBJECT_STR)
						snprintf(k, sizeof k, "%.*s", (int)code->via.str.size, code->via.str.ptr);
					v = json_object_get(errors, k);
					json_object_set_new(errors, k, json_integer((v ? json_integer_value(v) : 0) + 1));
					snprintf(first[0] ? last : first, sizeof first, "%.*s", (int)elen, e);
				} else if (rpc_str_eq(rpc_map_get(m.msg.result, "state"), "pending")) {
					pending++;
				} else {
					decided++;
				}
			}
			client_msg_free(&m);
		}
		if (broken && answers < count) {
			fprintf(stderr, "sgflood: %s (after %ld answers)\n", client_error(c), answers);
			return 1;
		}
	}
	{
		json_t *out = json_pack("{s:I, s:I, s:I, s:o, s:s, s:s, s:I}", "sent", (json_int_t)count,
		    "pending", (json_int_t)pending, "decided", (json_int_t)decided, "errors", errors,
		    "first_error", first, "last_error", last[0] ? last : first, "ms", (json_int_t)(now_ms() - t0));
		char *s = json_dumps(out, JSON_COMPACT);

		puts(s);
		fflush(stdout);
		free(s);
		json_decref(out);
	}
	msgpack_sbuffer_destroy(&sb);
	/* hold the connection: its queued requests stay until it closes */
	{
		long long end = now_ms() + (long long)hold_s * 1000;

		while (now_ms() < end) {
			struct pollfd p[2] = { { .fd = 0, .events = POLLIN }, { .fd = fd, .events = POLLIN } };
			char buf[256];

			if (poll(p, 2, (int)(end - now_ms())) <= 0)
				continue;
			if ((p[0].revents & (POLLIN | POLLHUP)) && read(0, buf, sizeof buf) <= 0)
				break;
			if (p[1].revents && client_pump(c) < 0)
				break;
		}
	}
	client_close(c);
	return 0;
}

/* Count an error reply by its code. */
static void
count_error(json_t *errors, const struct client_msg *m)
{
	const msgpack_object *code = rpc_map_get(m->msg.error, "code");
	char k[64] = "?";
	json_t *v;

	if (code != NULL && code->type == MSGPACK_OBJECT_STR)
		snprintf(k, sizeof k, "%.*s", (int)code->via.str.size, code->via.str.ptr);
	v = json_object_get(errors, k);
	json_object_set_new(errors, k, json_integer((v ? json_integer_value(v) : 0) + 1));
}

static void
print_json(json_t *out)
{
	char *s = json_dumps(out, JSON_COMPACT);

	puts(s);
	fflush(stdout);
	free(s);
	json_decref(out);
}

struct waits {
	long answered, at_once, allow, deny;
	json_t *by, *errors;
	bool barrier;       /* the broker has handled every submit */
};

#define BARRIER_ID 999u

/* A response on the waiting connection: a decision, an error, or the
 * barrier's (bad-params) reply. */
static void
wait_note(struct waits *w, const struct client_msg *m)
{
	const msgpack_object *by;
	char k[64] = "?";
	json_t *v;

	if (m->msg.type != RPC_RESPONSE)
		return;
	if (m->msg.id == BARRIER_ID) {
		w->barrier = true;
		return;
	}
	w->answered++;
	if (!w->barrier)
		w->at_once++;
	if (m->msg.error->type != MSGPACK_OBJECT_NIL) {
		count_error(w->errors, m);
		return;
	}
	if (rpc_str_eq(rpc_map_get(m->msg.result, "decision"), "allow"))
		w->allow++;
	else
		w->deny++;
	by = rpc_map_get(m->msg.result, "by");
	if (by != NULL && by->type == MSGPACK_OBJECT_STR)
		snprintf(k, sizeof k, "%.*s", (int)by->via.str.size, by->via.str.ptr);
	v = json_object_get(w->by, k);
	json_object_set_new(w->by, k, json_integer((v ? json_integer_value(v) : 0) + 1));
}

static int
cmd_wait(const char *prefix, long sessions, long from, long count, int hold_s, const char *cmd)
{
	sg_client *c = connect_as(ROLE_AGENT);
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct waits w = { .by = json_object(), .errors = json_object() };
	struct client_msg m;
	size_t off = 0;
	int fd = client_fd(c);
	long long end;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	for (long i = 0; i < count; i++)
		pack_submit(&pk, (uint32_t)(1000 + i), prefix, from + i, sessions > 0 ? sessions : 1, cmd, true);
	/* handled in order after every submit: its (error) reply is the barrier */
	rpc_pack_request(&pk, BARRIER_ID, "cancel");
	msgpack_pack_array(&pk, 1);
	msgpack_pack_int(&pk, 0);
	while (!w.barrier) {
		struct pollfd p = { .fd = fd, .events = POLLIN | (off < sb.size ? POLLOUT : 0) };

		if (poll(&p, 1, 60000) <= 0) {
			fprintf(stderr, "sgflood: no progress for 60 s\n");
			return 1;
		}
		if (p.revents & POLLOUT) {
			ssize_t n = send(fd, sb.data + off, sb.size - off, MSG_NOSIGNAL);

			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				perror("sgflood: send");
				return 1;
			}
			if (n > 0)
				off += (size_t)n;
		}
		if ((p.revents & (POLLIN | POLLHUP | POLLERR)) && client_pump(c) < 0) {
			fprintf(stderr, "sgflood: %s\n", client_error(c));
			return 1;
		}
		while (client_next(c, &m) == 1) {
			wait_note(&w, &m);
			client_msg_free(&m);
		}
	}
	msgpack_sbuffer_destroy(&sb);
	print_json(json_pack("{s:I, s:I, s:O}", "sent", (json_int_t)count, "at_once", (json_int_t)w.at_once,
	    "errors", w.errors));
	end = now_ms() + (long long)hold_s * 1000;
	while (now_ms() < end) {
		struct pollfd p[2] = { { .fd = 0, .events = POLLIN }, { .fd = fd, .events = POLLIN } };
		char buf[256];

		if (poll(p, 2, (int)(end - now_ms())) <= 0)
			continue;
		if ((p[0].revents & (POLLIN | POLLHUP)) && read(0, buf, sizeof buf) <= 0)
			break;
		if (p[1].revents && client_pump(c) < 0)
			break;
		while (client_next(c, &m) == 1) {
			wait_note(&w, &m);
			client_msg_free(&m);
		}
	}
	print_json(json_pack("{s:I, s:o, s:I, s:I, s:o}", "answered", (json_int_t)w.answered, "by", w.by,
	    "allow", (json_int_t)w.allow, "deny", (json_int_t)w.deny, "errors", w.errors));
	client_close(c);
	return 0;
}

/* Is req_id PREFIX-i with from <= i < from + count? */
static bool
in_range(const msgpack_object *rid, const char *prefix, long from, long count)
{
	size_t n = strlen(prefix);
	char digits[32], *e;
	long i;

	if (rid == NULL || rid->type != MSGPACK_OBJECT_STR || rid->via.str.size <= n + 1 ||
	    rid->via.str.size - n - 1 >= sizeof digits || memcmp(rid->via.str.ptr, prefix, n) != 0 ||
	    rid->via.str.ptr[n] != '-')
		return false;
	memcpy(digits, rid->via.str.ptr + n + 1, rid->via.str.size - n - 1);
	digits[rid->via.str.size - n - 1] = '\0';
	i = strtol(digits, &e, 10);
	return *e == '\0' && i >= from && i < from + count;
}

static int
cmd_decide(const char *prefix, long from, long count, const char *decision, bool close_at_once)
{
	sg_client *c = connect_as(ROLE_CONSOLE);
	json_t *errors = json_object();
	struct client_msg m;
	int64_t offset = 0, *rids = NULL;
	uint32_t id, *ids;
	size_t n = 0, cap = 0;
	long decided = 0;

	/* the matching ids first (a decide shrinks the queue under the pages) */
	while (offset >= 0) {
		const msgpack_object *reqs, *next;
		msgpack_packer *pk = client_begin(c, "list", &id);

		msgpack_pack_array(pk, 1);
		msgpack_pack_map(pk, 2);
		rpc_pack_kv_int(pk, "offset", offset);
		rpc_pack_kv_int(pk, "limit", 1000);
		if (client_send(c, 30000) < 0 || client_wait(c, id, 30000, &m) < 0) {
			fprintf(stderr, "sgflood: list: %s\n", client_error(c));
			return 3;
		}
		reqs = rpc_map_get(m.msg.result, "requests");
		next = rpc_map_get(m.msg.result, "next");
		for (uint32_t i = 0; reqs != NULL && reqs->type == MSGPACK_OBJECT_ARRAY && i < reqs->via.array.size; i++) {
			const msgpack_object *r = &reqs->via.array.ptr[i];

			if (!in_range(rpc_map_get(r, "req_id"), prefix, from, count))
				continue;
			if (n == cap && (rids = realloc(rids, (cap = cap ? 2 * cap : 256) * sizeof *rids)) == NULL)
				return 3;
			if (rpc_get_int(rpc_map_get(r, "id"), 1, INT64_MAX, &rids[n]) == 0)
				n++;
		}
		if (next == NULL || rpc_get_int(next, -1, INT64_MAX, &offset) < 0)
			offset = -1;
		client_msg_free(&m);
	}
	if ((ids = calloc(n + 1, sizeof *ids)) == NULL)
		return 3;
	for (size_t i = 0; i < n; i++) {
		msgpack_packer *pk = client_begin(c, "decide", &ids[i]);

		msgpack_pack_array(pk, 1);
		msgpack_pack_map(pk, 3);
		rpc_pack_kv_int(pk, "id", rids[i]);
		rpc_pack_kv_str(pk, "decision", decision);
		rpc_pack_kv_str(pk, "reviewer", "sgflood");
		if (client_send(c, 30000) < 0) {
			fprintf(stderr, "sgflood: decide: %s\n", client_error(c));
			return 3;
		}
	}
	printf("%zu\n", n);
	fflush(stdout);
	for (size_t i = 0; !close_at_once && i < n; i++) {
		size_t elen;

		if (client_wait(c, ids[i], 60000, &m) < 0) {
			fprintf(stderr, "sgflood: decide reply: %s\n", client_error(c));
			return 3;
		}
		if (client_msg_error(&m, &elen) != NULL)
			count_error(errors, &m);
		else
			decided++;
		client_msg_free(&m);
	}
	if (!close_at_once)
		print_json(json_pack("{s:I, s:O}", "decided", (json_int_t)decided, "errors", errors));
	json_decref(errors);
	free(rids);
	free(ids);
	client_close(c);
	return 0;
}

static int
cmd_watch(int secs)
{
	sg_client *c = connect_as(ROLE_CONSOLE);
	struct client_msg m;
	uint32_t id;
	long long end = now_ms() + (long long)secs * 1000;

	msgpack_pack_array(client_begin(c, "subscribe", &id), 0);
	if (client_send(c, 5000) < 0 || client_wait(c, id, 5000, &m) < 0)
		return 3;
	client_msg_free(&m);
	puts("subscribed");
	fflush(stdout);
	while (now_ms() < end) {
		struct pollfd p = { .fd = client_fd(c), .events = POLLIN };

		if (poll(&p, 1, (int)(end - now_ms())) <= 0)
			continue;
		if (client_pump(c) < 0)
			break;
		while (client_next(c, &m) == 1) {
			if (m.msg.type == RPC_NOTIFY && m.msg.method_len == 5 && memcmp(m.msg.method, "alert", 5) == 0 &&
			    m.msg.params->via.array.size == 1) {
				json_t *j = mpjson_from_msgpack(&m.msg.params->via.array.ptr[0]);
				char *s = json_dumps(j, JSON_COMPACT);

				puts(s);
				fflush(stdout);
				free(s);
				json_decref(j);
			}
			client_msg_free(&m);
		}
	}
	client_close(c);
	return 0;
}

int
main(int argc, char **argv)
{
	if ((argc == 6 || argc == 7) && strcmp(argv[1], "flood") == 0)
		return cmd_flood(argv[2], atol(argv[3]), atol(argv[4]), atoi(argv[5]),
		    argc == 7 ? argv[6] : "touch /etc/sgflood-%d");
	if ((argc == 7 || argc == 8) && strcmp(argv[1], "wait") == 0)
		return cmd_wait(argv[2], atol(argv[3]), atol(argv[4]), atol(argv[5]), atoi(argv[6]),
		    argc == 8 ? argv[7] : "touch /etc/sgflood-%d");
	if ((argc == 6 || argc == 7) && strcmp(argv[1], "decide") == 0 &&
	    (strcmp(argv[5], "allow") == 0 || strcmp(argv[5], "deny") == 0) &&
	    (argc == 6 || strcmp(argv[6], "close") == 0))
		return cmd_decide(argv[2], atol(argv[3]), atol(argv[4]), argv[5], argc == 7);
	if (argc == 3 && strcmp(argv[1], "watch") == 0)
		return cmd_watch(atoi(argv[2]));
	fprintf(stderr, "usage: sgflood flood PREFIX SESSIONS COUNT HOLD_S [COMMAND] | "
	    "wait PREFIX SESSIONS FROM COUNT HOLD_S [COMMAND] | decide PREFIX FROM COUNT allow|deny [close] | "
	    "watch SECONDS\n");
	return 2;
}
