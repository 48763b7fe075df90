/* mpjson.c -- msgpack <-> JSON (mpjson.h). */
#include "proto/mpjson.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* A JSON string from bytes that may not be UTF-8: bad bytes become U+FFFD. */
static json_t *
json_string_lossy(const char *p, size_t n)
{
	json_t *j = json_stringn(p, n);
	char *buf, *w;

	if (j != NULL)
		return j;
	buf = w = malloc(n * 3 + 1);
	if (buf == NULL)
		return json_null();
	for (size_t i = 0; i < n;) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)p + i, (utf8proc_ssize_t)(n - i), &cp);

		if (k <= 0 || cp == 0) {
			memcpy(w, "\xef\xbf\xbd", 3);
			w += 3;
			i++;
		} else {
			memcpy(w, p + i, (size_t)k);
			w += k;
			i += (size_t)k;
		}
	}
	j = json_stringn(buf, (size_t)(w - buf));
	free(buf);
	return j != NULL ? j : json_null();
}

json_t *
mpjson_from_msgpack(const msgpack_object *o)
{
	json_t *j;

	switch (o->type) {
	case MSGPACK_OBJECT_NIL: return json_null();
	case MSGPACK_OBJECT_BOOLEAN: return json_boolean(o->via.boolean);
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		return o->via.u64 > (uint64_t)INT64_MAX ? json_real((double)o->via.u64)
		                                              : json_integer((json_int_t)o->via.u64);
	case MSGPACK_OBJECT_NEGATIVE_INTEGER: return json_integer(o->via.i64);
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64: return json_real(o->via.f64);
	case MSGPACK_OBJECT_STR: return json_string_lossy(o->via.str.ptr, o->via.str.size);
	case MSGPACK_OBJECT_ARRAY:
		j = json_array();
		for (uint32_t i = 0; i < o->via.array.size; i++)
			json_array_append_new(j, mpjson_from_msgpack(&o->via.array.ptr[i]));
		return j;
	case MSGPACK_OBJECT_MAP:
		j = json_object();
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			const msgpack_object *k = &o->via.map.ptr[i].key;

			if (k->type == MSGPACK_OBJECT_STR)
				json_object_setn_new(j, k->via.str.ptr, k->via.str.size,
				    mpjson_from_msgpack(&o->via.map.ptr[i].val));
		}
		return j;
	case MSGPACK_OBJECT_BIN:
	case MSGPACK_OBJECT_EXT: {
		size_t n = o->type == MSGPACK_OBJECT_BIN ? o->via.bin.size : o->via.ext.size;
		const char *p = o->type == MSGPACK_OBJECT_BIN ? o->via.bin.ptr : o->via.ext.ptr;
		size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
		char *b64 = malloc(cap);

		if (b64 == NULL)
			return json_null();
		sodium_bin2base64(b64, cap, (const unsigned char *)p, n, sodium_base64_VARIANT_ORIGINAL);
		j = json_pack("{s:s}", "base64", b64);
		free(b64);
		return j;
	}
	}
	return json_null();
}

void
mpjson_pack(msgpack_packer *pk, json_t *j)
{
	const char *key;
	size_t k;
	json_t *v;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		msgpack_pack_map(pk, (uint32_t)json_object_size(j));
		json_object_foreach(j, key, v) {
			msgpack_pack_str_with_body(pk, key, strlen(key));
			mpjson_pack(pk, v);
		}
		break;
	case JSON_ARRAY:
		msgpack_pack_array(pk, (uint32_t)json_array_size(j));
		json_array_foreach(j, k, v)
			mpjson_pack(pk, v);
		break;
	case JSON_STRING:
		msgpack_pack_str_with_body(pk, json_string_value(j), json_string_length(j));
		break;
	case JSON_INTEGER:
		msgpack_pack_int64(pk, json_integer_value(j));
		break;
	case JSON_REAL:
		msgpack_pack_double(pk, json_real_value(j));
		break;
	case JSON_TRUE:
		msgpack_pack_true(pk);
		break;
	case JSON_FALSE:
		msgpack_pack_false(pk);
		break;
	case JSON_NULL:
		msgpack_pack_nil(pk);
		break;
	}
}
