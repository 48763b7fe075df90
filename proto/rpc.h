/* rpc.h -- msgpack-rpc message shapes: classify decoded objects, pack replies,
 * and read typed fields out of parameter maps.  No I/O here. */
#ifndef SG_RPC_H
#define SG_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

/* One decoded msgpack-rpc message; pointers alias the decoded object. */
struct rpc_msg {
	int type;                 /* RPC_REQUEST, RPC_RESPONSE, RPC_NOTIFY */
	uint32_t id;              /* request and response */
	const char *method;       /* request and notify, not NUL-terminated */
	size_t method_len;
	const msgpack_object *params; /* request and notify: always an array */
	const msgpack_object *error;  /* response: nil when none */
	const msgpack_object *result; /* response */
};

/* Check the shape of a message; 0 on success, -1 with *why set (static). */
int rpc_parse(const msgpack_object *obj, struct rpc_msg *out, const char **why);

/* Start a request [0, id, method, params]; the caller packs params (an array). */
void rpc_pack_request(msgpack_packer *pk, uint32_t id, const char *method);
/* Start a notification [2, method, params]; caller packs params. */
void rpc_pack_notify(msgpack_packer *pk, const char *method);
/* Start a success response [1, id, nil, result]; caller packs result. */
void rpc_pack_result(msgpack_packer *pk, uint32_t id);
/* Pack a whole error response [1, id, {code, message}, nil]. */
void rpc_pack_error(msgpack_packer *pk, uint32_t id, const char *code, const char *message);

/* Pack helpers for maps with string keys. */
void rpc_pack_str(msgpack_packer *pk, const char *s);
void rpc_pack_strn(msgpack_packer *pk, const char *s, size_t n);
void rpc_pack_kv_str(msgpack_packer *pk, const char *key, const char *val); /* nil if val NULL */
void rpc_pack_kv_int(msgpack_packer *pk, const char *key, int64_t val);
void rpc_pack_kv_bool(msgpack_packer *pk, const char *key, bool val);

/* Look up key in a map object; NULL if obj is not a map or the key is absent. */
const msgpack_object *rpc_map_get(const msgpack_object *map, const char *key);
/* True if o is a str equal to s. */
bool rpc_str_eq(const msgpack_object *o, const char *s);
/* Copy a str object into a new NUL-terminated string (caller frees); NULL if
 * o is not a str, contains a NUL byte, or is longer than max. */
char *rpc_strdup(const msgpack_object *o, size_t max);
/* Optional string field key of map: absent or nil gives *out NULL and 0; a
 * str of at most max bytes gives a copy in *out (caller frees) and 0;
 * anything else -1 with *bad = key. */
int rpc_opt_str(const msgpack_object *map, const char *key, size_t max, char **out, const char **bad);
/* Read an integer in [lo, hi]; 0 on success, -1 otherwise. */
int rpc_get_int(const msgpack_object *o, int64_t lo, int64_t hi, int64_t *out);

#endif
