/* peer.h -- one client connection: credentials from SO_PEERCRED, incremental
 * message decoding, method dispatch and buffered replies.
 *
 * Lifecycle: peer_accept creates it; peer_lost stops reading, withdraws its
 * requests and closes the handle; the struct is freed only in the close
 * callback.  Every callback checks the dead flag first. */
#ifndef SG_PEER_H
#define SG_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <msgpack.h>

#include "proto/proto.h"

struct broker;
struct peer;
struct peer_reqs;

/* Accept a pending connection on server (a uv_pipe_t) for role. */
void peer_accept(struct broker *b, void *server, enum sg_role role);

/* Queue bytes for the peer (uv_try_write first). */
void peer_send(struct peer *p, const char *data, size_t len);
/* Send a packed buffer and clear it. */
void peer_send_sbuf(struct peer *p, msgpack_sbuffer *sb);
/* Send an error response to msgid. */
void peer_reply_error(struct peer *p, uint32_t msgid, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Drop the connection (flushing what was queued); idempotent. */
void peer_lost(struct peer *p, const char *why);
/* Flush and close every peer (shutdown). */
void peer_close_all(struct broker *b);

enum sg_role peer_role(const struct peer *p);
bool peer_dead(const struct peer *p);
pid_t peer_pid(const struct peer *p);
uid_t peer_uid(const struct peer *p);
gid_t peer_gid(const struct peer *p);
uint64_t peer_id(const struct peer *p);
const char *peer_name(const struct peer *p);
bool peer_subscribed(const struct peer *p);
void peer_set_subscribed(struct peer *p, bool on);
struct peer *peer_next(const struct peer *p);
/* hello accepted; name is the client's self-description (display only). */
bool peer_greeted(const struct peer *p);
void peer_set_greeted(struct peer *p, const char *name);
/* The request table's links for this peer (request.h); request.c alone
 * reads or changes them. */
struct peer_reqs *peer_reqs(struct peer *p);

#endif
