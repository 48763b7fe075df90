/* peer.c -- client connections on the broker's sockets. */
#include "broker/peer.h"
#include "broker/broker.h"
#include "proto/log.h"
#include "broker/methods.h"
#include "broker/request.h"
#include "proto/frame.h"
#include "proto/rpc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* A peer that has this much unsent output is not reading: drop it. */
#define PEER_MAX_BACKLOG (64u * 1024u * 1024u)
/* Messages handled from one peer before the loop turns to the others: a
 * peer that pipelines thousands of requests (a flood) is served this many at
 * a time, its reads paused (the kernel's socket buffer pushes back) until its
 * backlog is handled, so everyone else's requests keep being answered. */
#define PEER_BURST 64

struct peer {
	uv_pipe_t pipe;
	uv_idle_t more;         /* handles the rest of a burst on the next turn */
	int open_handles;       /* pipe and idle: freed when both are closed */
	uv_shutdown_t shutdown;
	struct broker *b;
	struct peer *prev, *next;
	frame_reader *reader;
	enum sg_role role;
	struct ucred cred;
	uint64_t id;
	size_t backlog;         /* bytes handed to uv_write, not yet written */
	bool dead, subscribed, greeted;
	char name[64];
	struct peer_reqs reqs;  /* request.c's: what it owns and waits for */
};

struct write_req {
	uv_write_t w;
	struct peer *p;
	size_t len;
	char data[];
};

enum sg_role peer_role(const struct peer *p) { return p->role; }
bool peer_dead(const struct peer *p) { return p->dead; }
pid_t peer_pid(const struct peer *p) { return p->cred.pid; }
uid_t peer_uid(const struct peer *p) { return p->cred.uid; }
gid_t peer_gid(const struct peer *p) { return p->cred.gid; }
uint64_t peer_id(const struct peer *p) { return p->id; }
bool peer_subscribed(const struct peer *p) { return p->subscribed; }
void peer_set_subscribed(struct peer *p, bool on) { p->subscribed = on; }
struct peer *peer_next(const struct peer *p) { return p->next; }
bool peer_greeted(const struct peer *p) { return p->greeted; }
const char *peer_name(const struct peer *p) { return p->name; }
struct peer_reqs *peer_reqs(struct peer *p) { return &p->reqs; }

void
peer_set_greeted(struct peer *p, const char *name)
{
	p->greeted = true;
	snprintf(p->name, sizeof p->name, "%s", name);
}

static void
on_closed(uv_handle_t *h)
{
	struct peer *p = h->data;

	if (--p->open_handles > 0)
		return;
	if (p->reqs.owned != NULL || p->reqs.waits != NULL) {
		/* request_peer_lost emptied both and a dead peer gets no new link:
		 * a request would point at freed memory */
		log_msg("internal error: a closed peer still owns or waits for requests");
		abort();
	}
	frame_reader_free(p->reader);
	free(p);
}

static void
close_handles(struct peer *p)
{
	uv_close((uv_handle_t *)&p->pipe, on_closed);
	uv_close((uv_handle_t *)&p->more, on_closed);
}

static void
on_shutdown(uv_shutdown_t *req, int status)
{
	struct peer *p = req->data;

	close_handles(p);
}

void
peer_lost(struct peer *p, const char *why)
{
	struct broker *b = p->b;

	if (p->dead)
		return;
	p->dead = true;
	if (why != NULL && p->role == ROLE_AGENT && strcmp(why, "eof") != 0)
		log_msg("dropping %s peer pid %d: %s", proto_role_name(p->role), (int)p->cred.pid, why);
	uv_read_stop((uv_stream_t *)&p->pipe);
	uv_idle_stop(&p->more);
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		b->peers = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	request_peer_lost(b, p);
	/* flush queued replies (e.g. the error that explains the close) first */
	p->shutdown.data = p;
	if (uv_shutdown(&p->shutdown, (uv_stream_t *)&p->pipe, on_shutdown) != 0)
		close_handles(p);
}

void
peer_close_all(struct broker *b)
{
	while (b->peers != NULL)
		peer_lost(b->peers, NULL);
}

static void
on_written(uv_write_t *w, int status)
{
	struct write_req *wr = (struct write_req *)w;

	wr->p->backlog -= wr->len;
	if (status < 0 && !wr->p->dead)
		peer_lost(wr->p, uv_strerror(status));
	free(wr);
}

void
peer_send(struct peer *p, const char *data, size_t len)
{
	struct write_req *wr;
	uv_buf_t buf;
	int n = 0;

	if (p->dead || len == 0)
		return;
	if (p->backlog == 0) {
		buf = uv_buf_init((char *)data, (unsigned)len);
		n = uv_try_write((uv_stream_t *)&p->pipe, &buf, 1);
		if (n == (int)len)
			return;
		if (n < 0 && n != UV_EAGAIN) {
			peer_lost(p, uv_strerror(n));
			return;
		}
		if (n < 0)
			n = 0;
	}
	if (p->backlog + (len - (size_t)n) > PEER_MAX_BACKLOG) {
		peer_lost(p, "not reading its replies");
		return;
	}
	wr = malloc(sizeof *wr + (len - (size_t)n));
	if (wr == NULL) {
		peer_lost(p, "out of memory");
		return;
	}
	wr->p = p;
	wr->len = len - (size_t)n;
	memcpy(wr->data, data + n, wr->len);
	buf = uv_buf_init(wr->data, (unsigned)wr->len);
	if (uv_write(&wr->w, (uv_stream_t *)&p->pipe, &buf, 1, on_written) != 0) {
		free(wr);
		peer_lost(p, "write failed");
		return;
	}
	p->backlog += wr->len;
}

void
peer_send_sbuf(struct peer *p, msgpack_sbuffer *sb)
{
	peer_send(p, sb->data, sb->size);
	msgpack_sbuffer_clear(sb);
}

void
peer_reply_error(struct peer *p, uint32_t msgid, const char *code, const char *fmt, ...)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	rpc_pack_error(&pk, msgid, code, text);
	peer_send(p, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
}

static void
on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct peer *p = h->data;
	size_t avail = 0;
	char *mem = p->dead ? NULL : frame_reader_buffer(p->reader, suggested, &avail);

	*buf = uv_buf_init(mem, mem != NULL ? (unsigned)avail : 0);
}

/* Handle up to PEER_BURST whole messages; true if that many were (more may
 * wait in the reader). */
static bool
handle_messages(struct peer *p)
{
	msgpack_unpacked up;
	int n = 0;

	msgpack_unpacked_init(&up);
	while (!p->dead && n < PEER_BURST) {
		struct rpc_msg m;
		const char *why = NULL;
		int r = frame_reader_next(p->reader, &up);

		if (r == FRAME_AGAIN)
			break;
		if (r == FRAME_ERROR) {
			peer_reply_error(p, 0, frame_reader_error_code(p->reader), "%s", frame_reader_error(p->reader));
			peer_lost(p, frame_reader_error(p->reader));
			break;
		}
		n++;
		if (rpc_parse(&up.data, &m, &why) < 0 || m.type != RPC_REQUEST) {
			peer_reply_error(p, 0, SG_ERR_BAD_MESSAGE, "%s",
			    m.type != RPC_REQUEST && why == NULL ? "only requests are accepted" : why);
			peer_lost(p, "malformed message");
			break;
		}
		methods_dispatch(p->b, p, &m);
	}
	msgpack_unpacked_destroy(&up);
	return !p->dead && n == PEER_BURST;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

/* The next burst of a paused peer; reading resumes once its backlog is done. */
static void
on_more(uv_idle_t *h)
{
	struct peer *p = h->data;

	if (p->dead || handle_messages(p))
		return;
	uv_idle_stop(&p->more);
	if (!p->dead && uv_read_start((uv_stream_t *)&p->pipe, on_alloc, on_read) != 0)
		peer_lost(p, "cannot read");
}

static void
on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct peer *p = s->data;

	if (p->dead)
		return;
	if (nread < 0) {
		peer_lost(p, nread == UV_EOF ? "eof" : uv_strerror((int)nread));
		return;
	}
	if (nread == 0)
		return; /* EAGAIN: not EOF */
	if (buf->base == NULL) {
		peer_reply_error(p, 0, SG_ERR_INTERNAL, "out of memory");
		peer_lost(p, "out of memory");
		return;
	}
	if (frame_reader_consumed(p->reader, (size_t)nread) == FRAME_ERROR) {
		/* too-large for a size limit, bad-message for the rest */
		peer_reply_error(p, 0, frame_reader_error_code(p->reader), "%s", frame_reader_error(p->reader));
		peer_lost(p, frame_reader_error(p->reader));
		return;
	}
	if (handle_messages(p)) {
		/* a burst: let the other peers have a turn, read no more meanwhile */
		uv_read_stop((uv_stream_t *)&p->pipe);
		uv_idle_start(&p->more, on_more);
	}
}

void
peer_accept(struct broker *b, void *server, enum sg_role role)
{
	struct peer *p = calloc(1, sizeof *p);
	socklen_t len = sizeof p->cred;
	uv_os_fd_t fd;

	if (p == NULL || (p->reader = frame_reader_new(SG_MSG_CAP)) == NULL) {
		free(p);
		log_msg("out of memory accepting a connection");
		return;
	}
	p->b = b;
	p->role = role;
	p->id = ++b->next_peer_id;
	uv_pipe_init(b->loop, &p->pipe, 0);
	p->pipe.data = p;
	uv_idle_init(b->loop, &p->more);
	p->more.data = p;
	p->open_handles = 2;
	if (uv_accept(server, (uv_stream_t *)&p->pipe) != 0 ||
	    uv_fileno((uv_handle_t *)&p->pipe, &fd) != 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &p->cred, &len) != 0) {
		/* no credentials, no service */
		p->dead = true;
		close_handles(p);
		return;
	}
	p->next = b->peers;
	if (b->peers != NULL)
		b->peers->prev = p;
	b->peers = p;
	if (uv_read_start((uv_stream_t *)&p->pipe, on_alloc, on_read) != 0)
		peer_lost(p, "cannot read");
}
