/* narrow.c -- a reviewer narrows a request (issue #14); narrow.h. */
#include "broker/narrow.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/rpc.h"

#define ACCEPTS_MAX 16
#define NARROW_CMD_MAX (256u * 1024u)
#define NARROW_PATH_MAX 4096u
#define NARROW_URL_MAX 8192u

const char *
narrow_parse_accepts(const msgpack_object *map, struct narrow_accepts *out)
{
	const msgpack_object *a = rpc_map_get(map, "accepts"), *f = rpc_map_get(map, "narrow_field");

	memset(out, 0, sizeof *out);
	if (a != NULL && a->type != MSGPACK_OBJECT_NIL) {
		if (a->type != MSGPACK_OBJECT_ARRAY || a->via.array.size > ACCEPTS_MAX)
			return "accepts must be an array of at most 16 strings";
		for (uint32_t i = 0; i < a->via.array.size; i++) {
			const msgpack_object *e = &a->via.array.ptr[i];

			if (e->type != MSGPACK_OBJECT_STR || e->via.str.size == 0 || e->via.str.size > 64)
				return "accepts must be an array of at most 16 strings";
			out->narrow |= rpc_str_eq(e, "narrow");
			out->ask |= rpc_str_eq(e, "ask");
		}
	}
	if (f != NULL && f->type != MSGPACK_OBJECT_NIL) {
		if (f->type != MSGPACK_OBJECT_STR || f->via.str.size == 0 || f->via.str.size > 64 ||
		    memchr(f->via.str.ptr, '\0', f->via.str.size) != NULL)
			return "narrow_field must be a string of 1 to 64 bytes";
		if (!out->narrow)
			return "narrow_field needs accepts to hold \"narrow\"";
	}
	return NULL;
}

const char *
narrow_field_of(const char *kind)
{
	if (strcmp(kind, "exec") == 0)
		return "command";
	if (strcmp(kind, "read") == 0 || strcmp(kind, "write") == 0 || strcmp(kind, "edit") == 0 ||
	    strcmp(kind, "delete") == 0)
		return "path";
	if (strcmp(kind, "net") == 0)
		return "url";
	return NULL;
}

/* An absolute path every agent reads as written: no whitespace at either
 * end (Claude Code trims), no `~` (expanded), no `%` (Gemini decodes %XX),
 * no `.`/`..`/empty components, no trailing `/`, no control characters. */
static const char *
check_path(const char *s, size_t n)
{
	if (n == 0 || s[0] != '/')
		return "a narrowed path must be absolute";
	if (n > 1 && s[n - 1] == '/')
		return "a narrowed path must not end in /";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '%')
			return "a narrowed path must not hold control characters or %";
		if (c == '/' && i + 1 < n) {
			size_t j = i + 1, k = j;

			while (k < n && s[k] != '/')
				k++;
			if (k == j || (k - j == 1 && s[j] == '.') || (k - j == 2 && s[j] == '.' && s[j + 1] == '.'))
				return "a narrowed path must be normal (no //, . or .. components)";
		}
	}
	if ((unsigned char)s[n - 1] == ' ' || (unsigned char)s[n - 1] == 0xa0)
		return "a narrowed path must not end in whitespace";
	return NULL;
}

static const char *
check_url(const char *s, size_t n)
{
	if (!((n > 7 && strncasecmp(s, "http://", 7) == 0) || (n > 8 && strncasecmp(s, "https://", 8) == 0)))
		return "a narrowed URL must be http:// or https://";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] == 0x7f)
			return "a narrowed URL must not hold spaces or control characters";
	return NULL;
}

const char *
narrow_parse(const msgpack_object *param, const char *kind, const msgpack_object *orig,
    char **value, size_t *len, bool *forbidden)
{
	const char *field = narrow_field_of(kind), *why;
	const msgpack_object *v = param, *cur;
	size_t max;

	*value = NULL;
	*len = 0;
	*forbidden = true;
	if (field == NULL)
		return "only exec, file (read, write, edit, delete) and net requests can be narrowed";
	if (param->type == MSGPACK_OBJECT_MAP) {
		if (param->via.map.size != 1 || param->via.map.ptr[0].key.type != MSGPACK_OBJECT_STR) {
			*forbidden = false;
			return "narrow must be a string or a map with one of command, path, url";
		}
		if (!rpc_str_eq(&param->via.map.ptr[0].key, field))
			return strcmp(field, "command") == 0 ? "the narrowed input is of another kind: this request "
			    "is exec, it narrows only to a command" : strcmp(field, "path") == 0
			    ? "the narrowed input is of another kind: this request names a file, it narrows only to "
			      "a path" : "the narrowed input is of another kind: this request is net, it narrows only "
			      "to a url";
		v = &param->via.map.ptr[0].val;
	}
	if (v->type != MSGPACK_OBJECT_STR || v->via.str.size == 0) {
		*forbidden = false;
		return "narrow must be a non-empty string";
	}
	cur = rpc_map_get(orig, field);
	if (cur == NULL || cur->type != MSGPACK_OBJECT_STR)
		return strcmp(field, "command") == 0 ? "this request names its command as argv: it cannot be narrowed"
		                                     : "this request has no single field to narrow";
	max = strcmp(field, "command") == 0 ? NARROW_CMD_MAX : strcmp(field, "path") == 0 ? NARROW_PATH_MAX
	                                                                                 : NARROW_URL_MAX;
	*forbidden = false;
	if (v->via.str.size > max)
		return "the narrowed input is too long";
	if (memchr(v->via.str.ptr, '\0', v->via.str.size) != NULL)
		return "the narrowed input holds a NUL byte";
	if (strcmp(field, "path") == 0 && (why = check_path(v->via.str.ptr, v->via.str.size)) != NULL)
		return why;
	if (strcmp(field, "url") == 0 && (why = check_url(v->via.str.ptr, v->via.str.size)) != NULL)
		return why;
	if (cur->via.str.size == v->via.str.size && memcmp(cur->via.str.ptr, v->via.str.ptr, v->via.str.size) == 0)
		return "the narrowed input is the request's own: allow it as it is";
	if ((*value = malloc(v->via.str.size + 1)) == NULL) {
		*forbidden = false;
		return "out of memory";
	}
	memcpy(*value, v->via.str.ptr, v->via.str.size);
	(*value)[v->via.str.size] = '\0';
	*len = v->via.str.size;
	return NULL;
}

static bool
key_is(const msgpack_object *k, const char *s)
{
	return k->type == MSGPACK_OBJECT_STR && rpc_str_eq(k, s);
}

/* tool_input with its key `field` (a string there) replaced by value. */
static void
pack_tool_input(msgpack_packer *pk, const msgpack_object *ti, const msgpack_object *field, const char *value,
    size_t len)
{
	if (ti->type != MSGPACK_OBJECT_MAP || field == NULL || field->type != MSGPACK_OBJECT_STR) {
		msgpack_pack_object(pk, *ti);
		return;
	}
	msgpack_pack_map(pk, ti->via.map.size);
	for (uint32_t i = 0; i < ti->via.map.size; i++) {
		const msgpack_object_kv *kv = &ti->via.map.ptr[i];

		msgpack_pack_object(pk, kv->key);
		if (kv->key.type == MSGPACK_OBJECT_STR && kv->val.type == MSGPACK_OBJECT_STR &&
		    kv->key.via.str.size == field->via.str.size &&
		    memcmp(kv->key.via.str.ptr, field->via.str.ptr, field->via.str.size) == 0)
			rpc_pack_strn(pk, value, len);
		else
			msgpack_pack_object(pk, kv->val);
	}
}

void
narrow_build(msgpack_packer *pk, const msgpack_object *orig, const char *kind, const char *value, size_t len)
{
	const char *field = narrow_field_of(kind);
	const msgpack_object *nf = rpc_map_get(orig, "narrow_field");
	bool path = strcmp(field, "path") == 0;

	msgpack_pack_map(pk, orig->via.map.size);
	for (uint32_t i = 0; i < orig->via.map.size; i++) {
		const msgpack_object_kv *kv = &orig->via.map.ptr[i];

		msgpack_pack_object(pk, kv->key);
		if (key_is(&kv->key, field)) {
			rpc_pack_strn(pk, value, len);
		} else if (path && key_is(&kv->key, "files")) {
			/* the one file it now touches, with the first entry's op */
			const msgpack_object *op = kv->val.type == MSGPACK_OBJECT_ARRAY && kv->val.via.array.size > 0
			    ? rpc_map_get(&kv->val.via.array.ptr[0], "op") : NULL;

			msgpack_pack_array(pk, 1);
			msgpack_pack_map(pk, 2);
			rpc_pack_str(pk, "path");
			rpc_pack_strn(pk, value, len);
			rpc_pack_str(pk, "op");
			if (op != NULL && op->type == MSGPACK_OBJECT_STR)
				msgpack_pack_object(pk, *op);
			else
				rpc_pack_str(pk, strcmp(kind, "edit") == 0 ? "edit" : kind);
		} else if (path && key_is(&kv->key, "files_total")) {
			msgpack_pack_int64(pk, 1);
		} else if (key_is(&kv->key, "tool_input")) {
			pack_tool_input(pk, &kv->val, nf, value, len);
		} else {
			msgpack_pack_object(pk, kv->val);
		}
	}
}

void
narrow_audit_intent(msgpack_packer *pk, const msgpack_object *intent, const char *kind, const char *value,
    size_t len, const msgpack_object *nintent, const msgpack_object *nrisk)
{
	uint32_t n = intent != NULL && intent->type == MSGPACK_OBJECT_MAP ? intent->via.map.size : 0;

	msgpack_pack_map(pk, n + 1);
	for (uint32_t i = 0; i < n; i++) {
		if (key_is(&intent->via.map.ptr[i].key, "narrowed")) {
			/* never from the scorer; keep the key unique anyway */
			rpc_pack_str(pk, "narrowed_scorer");
		} else {
			msgpack_pack_object(pk, intent->via.map.ptr[i].key);
		}
		msgpack_pack_object(pk, intent->via.map.ptr[i].val);
	}
	rpc_pack_str(pk, "narrowed");
	msgpack_pack_map(pk, 3);
	rpc_pack_str(pk, "input");
	msgpack_pack_map(pk, 1);
	rpc_pack_str(pk, narrow_field_of(kind));
	rpc_pack_strn(pk, value, len);
	rpc_pack_str(pk, "intent");
	if (nintent != NULL)
		msgpack_pack_object(pk, *nintent);
	else
		msgpack_pack_nil(pk);
	rpc_pack_str(pk, "risk");
	if (nrisk != NULL)
		msgpack_pack_object(pk, *nrisk);
	else
		msgpack_pack_nil(pk);
}
