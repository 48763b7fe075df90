/* hook_narrow.c -- a reviewer's narrowed input, applied to the agent's tool
 * call (issue #14).  The hook says which key of tool_input holds the one
 * target the broker may narrow (submit's `narrow_field`); the broker scores
 * the call with that key changed; the answer hands back exactly that input.
 * docs/integrations.md, "Narrowing". */
#include "cli/hook.h"
#include "proto/rpc.h"

#include <stdio.h>
#include <string.h>

static bool
str_eq(const json_t *a, const json_t *b)
{
	return json_is_string(a) && json_is_string(b) && json_string_length(a) == json_string_length(b) &&
	    memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
}

const char *
hook_narrow_field(const json_t *req)
{
	const char *kind = json_string_value(json_object_get(req, "kind"));
	const json_t *ti = json_object_get(req, "tool_input"), *files = json_object_get(req, "files");

	if (kind == NULL || !json_is_object(ti) || json_object_get(req, "unlisted") != NULL)
		return NULL;
	if (strcmp(kind, "exec") == 0)
		return json_object_get(req, "argv") == NULL &&
		    str_eq(json_object_get(req, "command"), json_object_get(ti, "command")) ? "command" : NULL;
	if (strcmp(kind, "net") == 0)
		return str_eq(json_object_get(req, "url"), json_object_get(ti, "url")) ? "url" : NULL;
	if (strcmp(kind, "read") == 0 || strcmp(kind, "write") == 0 || strcmp(kind, "edit") == 0) {
		/* one plain file, named by the tool's one `file_path` */
		const json_t *f0 = json_array_get(files, 0);

		if (!json_is_string(json_object_get(ti, "file_path")) || json_array_size(files) != 1 ||
		    json_object_get(req, "files_total") != NULL || json_object_get(f0, "glob") != NULL ||
		    !str_eq(json_object_get(f0, "path"), json_object_get(req, "path")))
			return NULL;
		return "file_path";
	}
	return NULL;
}

json_t *
hook_narrow_apply(const json_t *tool_input, const char *field, const char *kind, const msgpack_object *narrowed,
    char *err, size_t errlen)
{
	const char *want = strcmp(kind, "exec") == 0 ? "command" : strcmp(kind, "net") == 0 ? "url" : "path";
	const msgpack_object *v;
	json_t *out, *s;

	if (field == NULL || !json_is_object(tool_input) || narrowed == NULL ||
	    narrowed->type != MSGPACK_OBJECT_MAP || narrowed->via.map.size != 1) {
		snprintf(err, errlen, "the broker narrowed a call this hook did not offer to narrow");
		return NULL;
	}
	v = rpc_map_get(narrowed, want);
	if (v == NULL || v->type != MSGPACK_OBJECT_STR || v->via.str.size == 0 ||
	    memchr(v->via.str.ptr, '\0', v->via.str.size) != NULL) {
		snprintf(err, errlen, "the narrowed input is not a %s", want);
		return NULL;
	}
	/* the broker checked it; a path every agent reads as written, again */
	if (strcmp(want, "path") == 0 && (v->via.str.ptr[0] != '/' || memchr(v->via.str.ptr, '%', v->via.str.size) ||
	    v->via.str.ptr[v->via.str.size - 1] == ' ')) {
		snprintf(err, errlen, "the narrowed path is not an absolute path the agent reads as written");
		return NULL;
	}
	if ((s = json_stringn(v->via.str.ptr, v->via.str.size)) == NULL) {
		snprintf(err, errlen, "the narrowed input is not UTF-8");
		return NULL;
	}
	if ((out = json_deep_copy(tool_input)) == NULL || json_object_set_new(out, field, s) < 0) {
		json_decref(out);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return out;
}
