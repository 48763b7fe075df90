/* sgtest.c -- a protocol-level test client: call any method with JSON params,
 * send raw bytes, hold connections, or act as a console that decides
 * everything.  Used by the shell tests; never installed. */
#include "proto/mpjson.h"
#include "proto/client.h"
#include "proto/paths.h"
#include "proto/rpc.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static char *
sock_path(const char *which)
{
	char *dir = paths_runtime_dir();
	char name[64];
	char *p;

	snprintf(name, sizeof name, "%s.sock", which);
	p = paths_join(dir, name);
	free(dir);
	return p;
}

static void
print_obj(const msgpack_object *o)
{
	json_t *j = mpjson_from_msgpack(o);
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);

	puts(s);
	free(s);
	json_decref(j);
}

/* call ROLE METHOD JSON: exit 0 result, 1 error reply, 3 connection trouble. */
static int
cmd_call(const char *role, const char *method, const char *params)
{
	char err[256], *path = sock_path(role);
	enum sg_role r = strcmp(role, "agent") == 0 ? ROLE_AGENT : ROLE_CONSOLE;
	sg_client *c = client_connect(path, r, "sgtest", 5000, err, sizeof err);
	json_error_t je;
	json_t *j = json_loads(params, JSON_DECODE_ANY, &je);
	struct client_msg m;
	uint32_t id;
	msgpack_packer *pk;
	int rc;

	free(path);
	if (c == NULL) {
		fprintf(stderr, "sgtest: %s\n", err);
		return 3;
	}
	if (j == NULL || !json_is_array(j)) {
		fprintf(stderr, "sgtest: params must be a JSON array: %s\n", je.text);
		return 2;
	}
	pk = client_begin(c, method, &id);
	mpjson_pack(pk, j);
	json_decref(j);
	if (client_send(c, 5000) < 0 || client_wait(c, id, 30000, &m) < 0) {
		fprintf(stderr, "sgtest: %s\n", client_error(c));
		client_close(c);
		return 3;
	}
	rc = m.msg.error->type == MSGPACK_OBJECT_NIL ? 0 : 1;
	print_obj(rc == 0 ? m.msg.result : m.msg.error);
	client_msg_free(&m);
	client_close(c);
	return rc;
}

static int
raw_connect(const char *role)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *path = sock_path(role);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	free(path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		perror("sgtest: connect");
		exit(3);
	}
	return fd;
}

/* raw ROLE HEX: send bytes (hex, or "-" for stdin), then print what comes
 * back until the broker closes or 2 s pass.  Prints "closed" if it closed. */
static int
cmd_raw(const char *role, const char *hex)
{
	int fd = raw_connect(role);
	unsigned char *buf;
	size_t n = 0, cap = 1 << 16;
	char got[65536];
	size_t have = 0;
	bool closed = false;

	buf = malloc(cap);
	if (strcmp(hex, "-") == 0) {
		ssize_t k;

		while ((k = read(0, buf + n, cap - n)) > 0) {
			n += (size_t)k;
			if (n == cap)
				buf = realloc(buf, cap *= 2);
		}
	} else {
		for (const char *p = hex; p[0] && p[1]; p += 2) {
			unsigned v;

			sscanf(p, "%2x", &v);
			buf[n++] = (unsigned char)v;
			if (n == cap)
				buf = realloc(buf, cap *= 2);
		}
	}
	for (size_t off = 0; off < n;) {
		ssize_t k = send(fd, buf + off, n - off, MSG_NOSIGNAL);

		if (k <= 0)
			break; /* the broker may close before we finish: fine */
		off += (size_t)k;
	}
	free(buf);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t k;

		/* wait up to 2 s for a reply, then 200 ms for more (or the close) */
		if (poll(&p, 1, have > 0 ? 200 : 2000) <= 0)
			break;
		k = recv(fd, got + have, sizeof got - have, 0);
		if (k <= 0) {
			closed = true;
			break;
		}
		have += (size_t)k;
	}
	if (have > 0) {
		msgpack_unpacked up;
		size_t off = 0;

		msgpack_unpacked_init(&up);
		while (msgpack_unpack_next(&up, got, have, &off) == MSGPACK_UNPACK_SUCCESS)
			print_obj(&up.data);
		msgpack_unpacked_destroy(&up);
	}
	if (closed)
		puts("closed");
	close(fd);
	return 0;
}

static void
pack_empty(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 0);
}

/* decide-all N DECISION: as a console, decide requests as they arrive until
 * N were decided; prints the count. */
static int
cmd_decide_all(long want, const char *decision)
{
	char err[256], *path = sock_path("console");
	sg_client *c = client_connect(path, ROLE_CONSOLE, "sgtest", 5000, err, sizeof err);
	struct client_msg m;
	uint32_t id;
	long decided = 0;

	free(path);
	if (c == NULL) {
		fprintf(stderr, "sgtest: %s\n", err);
		return 3;
	}
	pack_empty(client_begin(c, "subscribe", &id));
	if (client_send(c, 5000) < 0 || client_wait(c, id, 5000, &m) < 0)
		return 3;
	client_msg_free(&m);
	/* requests queued before we subscribed */
	msgpack_packer *pk = client_begin(c, "list", &id);
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 1);
	rpc_pack_kv_int(pk, "limit", 100000);
	if (client_send(c, 5000) < 0 || client_wait(c, id, 30000, &m) < 0)
		return 3;
	{
		const msgpack_object *reqs = rpc_map_get(m.msg.result, "requests");
		for (uint32_t i = 0; reqs && i < reqs->via.array.size; i++) {
			int64_t rid;

			rpc_get_int(rpc_map_get(&reqs->via.array.ptr[i], "id"), 1, INT64_MAX, &rid);
			pk = client_begin(c, "decide", &id);
			msgpack_pack_array(pk, 1);
			msgpack_pack_map(pk, 3);
			rpc_pack_kv_int(pk, "id", rid);
			rpc_pack_kv_str(pk, "decision", decision);
			rpc_pack_kv_str(pk, "reviewer", "sgtest");
			client_send(c, 5000);
		}
	}
	client_msg_free(&m);
	while (decided < want) {
		struct pollfd p = { .fd = client_fd(c), .events = POLLIN };

		if (poll(&p, 1, 60000) <= 0 || client_pump(c) < 0)
			break;
		while (client_next(c, &m) == 1) {
			if (m.msg.type == RPC_NOTIFY && m.msg.method_len == 7 &&
			    memcmp(m.msg.method, "request", 7) == 0) {
				int64_t rid;

				rpc_get_int(rpc_map_get(&m.msg.params->via.array.ptr[0], "id"), 1, INT64_MAX, &rid);
				pk = client_begin(c, "decide", &id);
				msgpack_pack_array(pk, 1);
				msgpack_pack_map(pk, 3);
				rpc_pack_kv_int(pk, "id", rid);
				rpc_pack_kv_str(pk, "decision", decision);
				rpc_pack_kv_str(pk, "reviewer", "sgtest");
				client_send(c, 5000);
			} else if (m.msg.type == RPC_RESPONSE && m.msg.error->type == MSGPACK_OBJECT_NIL) {
				decided++;
			}
			client_msg_free(&m);
		}
	}
	printf("%ld\n", decided);
	client_close(c);
	return decided >= want ? 0 : 1;
}

/* hold ROLE SECONDS: connect, say hello, keep the connection open. */
static int
cmd_hold(const char *role, int secs)
{
	char err[256], *path = sock_path(role);
	sg_client *c = client_connect(path, strcmp(role, "agent") == 0 ? ROLE_AGENT : ROLE_CONSOLE,
	    "sgtest", 5000, err, sizeof err);

	free(path);
	if (c == NULL)
		return 3;
	puts("connected");
	fflush(stdout);
	sleep((unsigned)secs);
	client_close(c);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "call") == 0)
		return cmd_call(argv[2], argv[3], argv[4]);
	if (argc == 4 && strcmp(argv[1], "raw") == 0)
		return cmd_raw(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "decide-all") == 0)
		return cmd_decide_all(atol(argv[2]), argv[3]);
	if (argc == 4 && strcmp(argv[1], "hold") == 0)
		return cmd_hold(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: sgtest call ROLE METHOD JSON | raw ROLE HEX|- | "
	                "decide-all N allow|deny | hold ROLE SECONDS\n");
	return 2;
}
