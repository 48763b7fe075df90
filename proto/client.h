/* client.h -- the small msgpack-rpc client every front end uses (CLI, console,
 * hook adapters).  One connection, blocking calls with timeouts, plus a
 * non-blocking read path (client_fd + client_pump + client_next) for event
 * loops such as the console's. */
#ifndef SG_CLIENT_H
#define SG_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

#include "proto/proto.h"
#include "proto/rpc.h"

typedef struct sg_client sg_client;

/* A decoded message; msg's pointers live as long as up (client_msg_free). */
struct client_msg {
	msgpack_unpacked up;
	struct rpc_msg msg;
};

/* Why client_open failed. */
enum client_fail {
	CLIENT_FAIL_NONE = 0,
	CLIENT_FAIL_UNREACHABLE, /* no runtime dir, no socket, or nobody listening */
	CLIENT_FAIL_UNTRUSTED,   /* refused: not a broker we may trust (proto/trust.h) */
	CLIENT_FAIL_DENIED,      /* the socket's permissions keep us out (EACCES) */
	CLIENT_FAIL_ERROR,       /* hello refused, timed out, out of memory, ... */
};

/* Connect to the socket at path and say hello as role.  Before and after the
 * connect it checks that the broker is one we may trust (proto/trust.h: the
 * runtime dir path's parent, the socket's owner and kind, the peer's uid) and
 * refuses otherwise.  On failure returns NULL, writes a one-line reason to
 * err and, if why is not NULL, what kind of failure it was.  timeout_ms < 0
 * waits forever. */
sg_client *client_open(const char *path, enum sg_role role, const char *name,
    int timeout_ms, enum client_fail *why, char *err, size_t errlen);
/* client_open without the kind of failure. */
sg_client *client_connect(const char *path, enum sg_role role, const char *name,
    int timeout_ms, char *err, size_t errlen);
void client_close(sg_client *c);
int client_fd(const sg_client *c);
/* Last error on this connection (static or internal buffer). */
const char *client_error(const sg_client *c);

/* Start a request: packs [0, id, method, and returns the packer for the caller
 * to pack the params array into; *id receives the message id. */
msgpack_packer *client_begin(sg_client *c, const char *method, uint32_t *id);
/* Send what client_begin started.  0 on success, -1 on error. */
int client_send(sg_client *c, int timeout_ms);

/* Wait for the response to id.  Notifications that arrive meanwhile are kept
 * for client_next.  0 on success (the caller must client_msg_free), -1 on
 * timeout, disconnect or error (client_error says which). */
int client_wait(sg_client *c, uint32_t id, int timeout_ms, struct client_msg *out);

/* Read whatever the socket has without blocking.  Returns 0, or -1 when the
 * connection is closed or broken. */
int client_pump(sg_client *c);
/* Next queued message (notification or response), if any: 1 and fills out,
 * 0 when none is queued, -1 on a broken stream. */
int client_next(sg_client *c, struct client_msg *out);
void client_msg_free(struct client_msg *m);

/* If m is an error response, a pointer to its "message" text (not
 * NUL-terminated, *len set); else NULL. */
const char *client_msg_error(const struct client_msg *m, size_t *len);

#endif
