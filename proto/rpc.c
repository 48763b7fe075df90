/* rpc.c -- msgpack-rpc message shapes and typed field access. */
#include "proto/rpc.h"
#include "proto/proto.h"

#include <stdlib.h>
#include <string.h>

int
rpc_parse(const msgpack_object *obj, struct rpc_msg *out, const char **why)
{
	const msgpack_object *a;
	uint32_t n;

	memset(out, 0, sizeof *out);
	if (obj->type != MSGPACK_OBJECT_ARRAY) {
		*why = "message is not an array";
		return -1;
	}
	a = obj->via.array.ptr;
	n = obj->via.array.size;
	if (n < 3 || a[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
		*why = "message has no type";
		return -1;
	}
	out->type = (int)a[0].via.u64;
	switch (a[0].via.u64) {
	case RPC_REQUEST:
	case RPC_RESPONSE:
		if (n != 4) {
			*why = "request and response need 4 elements";
			return -1;
		}
		if (a[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER || a[1].via.u64 > UINT32_MAX) {
			*why = "message id is not a 32-bit unsigned integer";
			return -1;
		}
		out->id = (uint32_t)a[1].via.u64;
		if (out->type == RPC_RESPONSE) {
			out->error = &a[2];
			out->result = &a[3];
			return 0;
		}
		a++;
		break;
	case RPC_NOTIFY:
		if (n != 3) {
			*why = "notification needs 3 elements";
			return -1;
		}
		break;
	default:
		*why = "unknown message type";
		return -1;
	}
	if (a[1].type != MSGPACK_OBJECT_STR || a[1].via.str.size == 0) {
		*why = "method is not a string";
		return -1;
	}
	if (a[2].type != MSGPACK_OBJECT_ARRAY) {
		*why = "params is not an array";
		return -1;
	}
	out->method = a[1].via.str.ptr;
	out->method_len = a[1].via.str.size;
	out->params = &a[2];
	return 0;
}

void
rpc_pack_str(msgpack_packer *pk, const char *s)
{
	rpc_pack_strn(pk, s, strlen(s));
}

void
rpc_pack_strn(msgpack_packer *pk, const char *s, size_t n)
{
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

void
rpc_pack_request(msgpack_packer *pk, uint32_t id, const char *method)
{
	msgpack_pack_array(pk, 4);
	msgpack_pack_uint8(pk, RPC_REQUEST);
	msgpack_pack_uint32(pk, id);
	rpc_pack_str(pk, method);
}

void
rpc_pack_notify(msgpack_packer *pk, const char *method)
{
	msgpack_pack_array(pk, 3);
	msgpack_pack_uint8(pk, RPC_NOTIFY);
	rpc_pack_str(pk, method);
}

void
rpc_pack_result(msgpack_packer *pk, uint32_t id)
{
	msgpack_pack_array(pk, 4);
	msgpack_pack_uint8(pk, RPC_RESPONSE);
	msgpack_pack_uint32(pk, id);
	msgpack_pack_nil(pk);
}

void
rpc_pack_error(msgpack_packer *pk, uint32_t id, const char *code, const char *message)
{
	msgpack_pack_array(pk, 4);
	msgpack_pack_uint8(pk, RPC_RESPONSE);
	msgpack_pack_uint32(pk, id);
	msgpack_pack_map(pk, 2);
	rpc_pack_kv_str(pk, "code", code);
	rpc_pack_kv_str(pk, "message", message);
	msgpack_pack_nil(pk);
}

void
rpc_pack_kv_str(msgpack_packer *pk, const char *key, const char *val)
{
	rpc_pack_str(pk, key);
	if (val == NULL)
		msgpack_pack_nil(pk);
	else
		rpc_pack_str(pk, val);
}

void
rpc_pack_kv_int(msgpack_packer *pk, const char *key, int64_t val)
{
	rpc_pack_str(pk, key);
	msgpack_pack_int64(pk, val);
}

void
rpc_pack_kv_bool(msgpack_packer *pk, const char *key, bool val)
{
	rpc_pack_str(pk, key);
	if (val)
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
}

bool
rpc_str_eq(const msgpack_object *o, const char *s)
{
	size_t n = strlen(s);

	return o != NULL && o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
	       memcmp(o->via.str.ptr, s, n) == 0;
}

const msgpack_object *
rpc_map_get(const msgpack_object *map, const char *key)
{
	if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
		return NULL;
	for (uint32_t i = 0; i < map->via.map.size; i++) {
		if (rpc_str_eq(&map->via.map.ptr[i].key, key))
			return &map->via.map.ptr[i].val;
	}
	return NULL;
}

char *
rpc_strdup(const msgpack_object *o, size_t max)
{
	char *s;

	if (o == NULL || o->type != MSGPACK_OBJECT_STR || o->via.str.size > max)
		return NULL;
	if (memchr(o->via.str.ptr, '\0', o->via.str.size) != NULL)
		return NULL;
	s = malloc(o->via.str.size + 1);
	if (s == NULL)
		return NULL;
	memcpy(s, o->via.str.ptr, o->via.str.size);
	s[o->via.str.size] = '\0';
	return s;
}

int
rpc_get_int(const msgpack_object *o, int64_t lo, int64_t hi, int64_t *out)
{
	int64_t v;

	if (o == NULL)
		return -1;
	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
		if (o->via.u64 > INT64_MAX)
			return -1;
		v = (int64_t)o->via.u64;
	} else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
		v = o->via.i64;
	} else {
		return -1;
	}
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

const char *
proto_role_name(enum sg_role role)
{
	return role == ROLE_AGENT ? "agent" : role == ROLE_CONSOLE ? "console" : "unknown";
}

int
rpc_opt_str(const msgpack_object *map, const char *key, size_t max, char **out, const char **bad)
{
	const msgpack_object *o = rpc_map_get(map, key);

	*out = NULL;
	if (o == NULL || o->type == MSGPACK_OBJECT_NIL)
		return 0;
	if ((*out = rpc_strdup(o, max)) == NULL) {
		*bad = key;
		return -1;
	}
	return 0;
}
