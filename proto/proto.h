/* proto.h -- the sandgate wire protocol: version, limits, method names, roles.
 *
 * The protocol is msgpack-rpc over a stream socket; every method and field is
 * listed in proto/PROTOCOL.md.  Bump SG_PROTO_VERSION whenever a method or a
 * field changes meaning or is removed (adding optional fields does not need a
 * bump: peers ignore map keys they do not know). */
#ifndef SG_PROTO_H
#define SG_PROTO_H

#define SG_PROTO_VERSION 1

/* Largest message the broker accepts, in bytes, checked before buffering. */
#define SG_MSG_CAP (1024u * 1024u)
/* Largest message a client accepts from the broker (which it has checked is
 * its own, proto/trust.c): a reply may carry a request near SG_MSG_CAP
 * verbatim plus its intent and risk, so replies get more room; pages of
 * `list` and `groups` stop at 512 KiB after their first item. */
#define SG_REPLY_CAP (16u * 1024u * 1024u)
/* Deepest container nesting accepted in one message. */
#define SG_MSG_MAX_DEPTH 32

/* msgpack-rpc message types. */
enum {
	RPC_REQUEST = 0,
	RPC_RESPONSE = 1,
	RPC_NOTIFY = 2,
};

/* Which socket a peer came in on; it decides which methods it may call. */
enum sg_role {
	ROLE_AGENT = 1,
	ROLE_CONSOLE = 2,
};

const char *proto_role_name(enum sg_role role);

/* Error codes carried in the "code" field of an error object. */
#define SG_ERR_BAD_MESSAGE "bad-message"
#define SG_ERR_TOO_LARGE "too-large"
#define SG_ERR_NO_METHOD "no-such-method"
#define SG_ERR_BAD_PARAMS "bad-params"
#define SG_ERR_FORBIDDEN "forbidden"
#define SG_ERR_NOT_FOUND "not-found"
#define SG_ERR_CONFLICT "conflict"
#define SG_ERR_NO_HELLO "no-hello"
#define SG_ERR_INTERNAL "internal"

#endif
