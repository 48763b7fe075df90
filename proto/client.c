/* client.c -- blocking msgpack-rpc client with a non-blocking read path. */
#include "proto/client.h"
#include "proto/frame.h"
#include "proto/trust.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct queued {
	struct queued *next;
	struct client_msg m;
};

struct sg_client {
	int fd;
	uint32_t next_id;
	frame_reader *reader;
	msgpack_sbuffer out;
	msgpack_packer pk;
	struct queued *head, *tail; /* messages read but not yet handed out */
	char err[256];
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left until deadline (-1 = forever). */
static int
left_ms(long long deadline)
{
	long long d;

	if (deadline < 0)
		return -1;
	d = deadline - now_ms();
	return d < 0 ? 0 : (int)(d > 1 << 30 ? 1 << 30 : d);
}

static void
fail(sg_client *c, const char *fmt, const char *detail)
{
	snprintf(c->err, sizeof c->err, fmt, detail);
}

int
client_fd(const sg_client *c)
{
	return c->fd;
}

const char *
client_error(const sg_client *c)
{
	return c->err;
}

void
client_msg_free(struct client_msg *m)
{
	msgpack_unpacked_destroy(&m->up);
}

void
client_close(sg_client *c)
{
	struct queued *q, *next;

	if (c == NULL)
		return;
	for (q = c->head; q != NULL; q = next) {
		next = q->next;
		client_msg_free(&q->m);
		free(q);
	}
	if (c->fd >= 0)
		close(c->fd);
	frame_reader_free(c->reader);
	msgpack_sbuffer_destroy(&c->out);
	free(c);
}

msgpack_packer *
client_begin(sg_client *c, const char *method, uint32_t *id)
{
	msgpack_sbuffer_clear(&c->out);
	*id = c->next_id++;
	rpc_pack_request(&c->pk, *id, method);
	return &c->pk;
}

int
client_send(sg_client *c, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	size_t off = 0;

	if (c->out.size > SG_MSG_CAP) {
		fail(c, "%s", "request larger than the protocol's message cap");
		return -1;
	}
	while (off < c->out.size) {
		ssize_t n = send(c->fd, c->out.data + off, c->out.size - off, MSG_NOSIGNAL);

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = { .fd = c->fd, .events = POLLOUT };
			int r = poll(&p, 1, left_ms(deadline));

			if (r == 0) {
				fail(c, "%s", "timed out sending to the broker");
				return -1;
			}
			continue;
		}
		fail(c, "lost the broker: %s", strerror(errno));
		return -1;
	}
	msgpack_sbuffer_clear(&c->out);
	return 0;
}

/* Move every whole message from the reader into the queue. */
static int
drain_reader(sg_client *c)
{
	for (;;) {
		struct queued *q = calloc(1, sizeof *q);
		const char *why;
		int r;

		if (q == NULL) {
			fail(c, "%s", "out of memory");
			return -1;
		}
		msgpack_unpacked_init(&q->m.up);
		r = frame_reader_next(c->reader, &q->m.up);
		if (r != FRAME_MESSAGE) {
			client_msg_free(&q->m);
			free(q);
			if (r == FRAME_ERROR) {
				fail(c, "bad data from the broker: %s", frame_reader_error(c->reader));
				return -1;
			}
			return 0;
		}
		if (rpc_parse(&q->m.up.data, &q->m.msg, &why) < 0) {
			client_msg_free(&q->m);
			free(q);
			fail(c, "bad message from the broker: %s", why);
			return -1;
		}
		if (c->tail != NULL)
			c->tail->next = q;
		else
			c->head = q;
		c->tail = q;
	}
}

/* One read(); 1 if bytes came, 0 if none were ready, -1 on EOF/error. */
static int
read_once(sg_client *c)
{
	size_t avail;
	char *buf = frame_reader_buffer(c->reader, 65536, &avail);
	ssize_t n;

	if (buf == NULL) {
		fail(c, "%s", "out of memory");
		return -1;
	}
	do
		n = recv(c->fd, buf, avail, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n == 0) {
		fail(c, "%s", "the broker closed the connection");
		return -1;
	}
	if (n < 0) {
		fail(c, "lost the broker: %s", strerror(errno));
		return -1;
	}
	if (frame_reader_consumed(c->reader, (size_t)n) == FRAME_ERROR) {
		fail(c, "bad data from the broker: %s", frame_reader_error(c->reader));
		return -1;
	}
	return drain_reader(c) < 0 ? -1 : 1;
}

int
client_pump(sg_client *c)
{
	int r;

	while ((r = read_once(c)) > 0)
		;
	return r;
}

int
client_next(sg_client *c, struct client_msg *out)
{
	struct queued *q = c->head;

	if (q == NULL)
		return 0;
	c->head = q->next;
	if (c->head == NULL)
		c->tail = NULL;
	*out = q->m;
	free(q);
	return 1;
}

/* Take the queued response to id out of the queue, if it is there. */
static int
take_response(sg_client *c, uint32_t id, struct client_msg *out)
{
	struct queued **pp, *q;

	for (pp = &c->head; (q = *pp) != NULL; pp = &q->next) {
		if (q->m.msg.type != RPC_RESPONSE || q->m.msg.id != id)
			continue;
		*pp = q->next;
		if (c->tail == q) {
			c->tail = NULL;
			for (struct queued *t = c->head; t != NULL; t = t->next)
				c->tail = t;
		}
		*out = q->m;
		free(q);
		return 1;
	}
	return 0;
}

int
client_wait(sg_client *c, uint32_t id, int timeout_ms, struct client_msg *out)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;

	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int r;

		if (take_response(c, id, out))
			return 0;
		r = poll(&p, 1, left_ms(deadline));
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			fail(c, "%s", "timed out waiting for the broker");
			return -1;
		}
		if (read_once(c) < 0)
			return -1;
	}
}

const char *
client_msg_error(const struct client_msg *m, size_t *len)
{
	const msgpack_object *e = m->msg.error, *text;

	if (m->msg.type != RPC_RESPONSE || e == NULL || e->type == MSGPACK_OBJECT_NIL)
		return NULL;
	text = rpc_map_get(e, "message");
	if (text == NULL || text->type != MSGPACK_OBJECT_STR) {
		*len = strlen("malformed error");
		return "malformed error";
	}
	*len = text->via.str.size;
	return text->via.str.ptr;
}

/* Say hello; 0 if the broker accepted our version and role. */
static int
hello(sg_client *c, enum sg_role role, const char *name, int timeout_ms)
{
	struct client_msg m;
	uint32_t id;
	msgpack_packer *pk = client_begin(c, "hello", &id);
	const char *e;
	size_t elen;

	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 3);
	rpc_pack_kv_int(pk, "version", SG_PROTO_VERSION);
	rpc_pack_kv_str(pk, "role", proto_role_name(role));
	rpc_pack_kv_str(pk, "client", name != NULL ? name : "sandgate");
	if (client_send(c, timeout_ms) < 0 || client_wait(c, id, timeout_ms, &m) < 0)
		return -1;
	if ((e = client_msg_error(&m, &elen)) != NULL) {
		snprintf(c->err, sizeof c->err, "broker refused hello: %.*s", (int)elen, e);
		client_msg_free(&m);
		return -1;
	}
	client_msg_free(&m);
	return 0;
}

/* Why connect() said EACCES, in words. */
static void
denied(const char *path, const struct stat *st, char *err, size_t errlen)
{
	struct group *gr = getgrgid(st->st_gid);
	char gname[64];

	if (gr != NULL)
		snprintf(gname, sizeof gname, "%s", gr->gr_name);
	else
		snprintf(gname, sizeof gname, "%lu", (unsigned long)st->st_gid);
	if ((st->st_mode & 0060) == 0060 && (st->st_mode & 0006) != 0006)
		snprintf(err, errlen, "permission denied on %s: only members of group %s may use it "
		    "(mode %04o), and this process is not one", path, gname, (unsigned)(st->st_mode & 07777));
	else
		snprintf(err, errlen, "permission denied on %s (owner uid %lu, group %s, mode %04o)", path,
		    (unsigned long)st->st_uid, gname, (unsigned)(st->st_mode & 07777));
}

sg_client *
client_open(const char *path, enum sg_role role, const char *name, int timeout_ms,
    enum client_fail *why, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	enum client_fail dummy;
	enum trust_result tr;
	struct trust t;
	char *dir, *slash;
	const char *base;
	sg_client *c;

	if (why == NULL)
		why = &dummy;
	*why = CLIENT_FAIL_ERROR;
	if (strlen(path) >= sizeof sa.sun_path) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return NULL;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	/* the runtime dir and the socket, before anything is sent */
	if ((dir = strdup(path)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	slash = strrchr(dir, '/');
	if (slash == NULL) {
		base = path;
		snprintf(dir, strlen(path) + 1, ".");
	} else {
		base = path + (slash - dir) + 1;
		if (slash == dir)
			dir[1] = '\0'; /* a socket in / */
		else
			*slash = '\0';
	}
	tr = trust_dir(dir, &t, err, errlen);
	if (tr == TRUST_OK) {
		tr = trust_socket(&t, dir, base, err, errlen);
		trust_done(&t);
	}
	free(dir);
	if (tr == TRUST_MISSING) /* no dir or no socket: say it as connect() would */
		snprintf(err, errlen, "cannot connect to %s: %s", path, strerror(ENOENT));
	if (tr != TRUST_OK) {
		*why = tr == TRUST_REFUSED ? CLIENT_FAIL_UNTRUSTED : CLIENT_FAIL_UNREACHABLE;
		return NULL;
	}
	c = calloc(1, sizeof *c);
	if (c == NULL || (c->reader = frame_reader_new(SG_REPLY_CAP)) == NULL) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->next_id = 1;
	msgpack_sbuffer_init(&c->out);
	msgpack_packer_init(&c->pk, &c->out, msgpack_sbuffer_write);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		if (c->fd >= 0 && errno == EACCES) {
			denied(path, &t.sock, err, errlen);
			*why = CLIENT_FAIL_DENIED;
		} else {
			snprintf(err, errlen, "cannot connect to %s: %s", path, strerror(errno));
			*why = CLIENT_FAIL_UNREACHABLE;
		}
		client_close(c);
		return NULL;
	}
	/* what matters: who listens there, as the kernel says */
	if (trust_peer(&t, c->fd, path, err, errlen) != TRUST_OK) {
		*why = CLIENT_FAIL_UNTRUSTED;
		client_close(c);
		return NULL;
	}
	fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
	if (hello(c, role, name, timeout_ms) < 0) {
		snprintf(err, errlen, "%s", c->err);
		client_close(c);
		return NULL;
	}
	*why = CLIENT_FAIL_NONE;
	return c;
}

sg_client *
client_connect(const char *path, enum sg_role role, const char *name,
    int timeout_ms, char *err, size_t errlen)
{
	return client_open(path, role, name, timeout_ms, NULL, err, errlen);
}
