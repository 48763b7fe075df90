/* narrow.h -- a reviewer narrows a request (issue #14): the requester says
 * it can apply a changed input (`accepts: ["narrow"]`), the reviewer's
 * `decide` names the narrower command, path or URL, and the broker judges
 * that input as a request of its own before it allows it.  Also the
 * requester's `accepts: ["ask"]`: a reviewer may hand the call to the
 * agent's own permission prompt.  proto/PROTOCOL.md, "Narrowing". */
#ifndef SG_NARROW_H
#define SG_NARROW_H

#include <stdbool.h>
#include <stddef.h>
#include <msgpack.h>

/* What a requester accepts (submit's `accepts`, `narrow_field`). */
struct narrow_accepts {
	bool narrow, ask;
};

/* Check submit's `accepts` (array of strings; "narrow", "ask", others
 * ignored) and `narrow_field` (a key of tool_input, only with "narrow").
 * NULL when well formed, else the bad-params text. */
const char *narrow_parse_accepts(const msgpack_object *map, struct narrow_accepts *out);

/* The one field of a kind a reviewer may narrow: exec `command`, file kinds
 * `path`, net `url`; NULL for the others. */
const char *narrow_field_of(const char *kind);

/* Read decide's `narrow` (a string: the kind's field; or a map holding that
 * one field) against the request's kind and submitted map.  On success
 * *value is a malloc'd copy (NUL-terminated, *len bytes) and NULL is
 * returned; else the error text and *forbidden says which error code. */
const char *narrow_parse(const msgpack_object *param, const char *kind, const msgpack_object *orig,
    char **value, size_t *len, bool *forbidden);

/* The narrowed request: orig with the kind's field replaced by value, its
 * `files` (one entry) and tool_input[narrow_field] following it, packed
 * into pk. */
void narrow_build(msgpack_packer *pk, const msgpack_object *orig, const char *kind, const char *value,
    size_t len);

/* The audit row's intent for a narrowed allow: the original intent map (or
 * an empty one) plus `narrowed: {input: {FIELD: value}, intent, risk}`. */
void narrow_audit_intent(msgpack_packer *pk, const msgpack_object *intent, const char *kind,
    const char *value, size_t len, const msgpack_object *nintent, const msgpack_object *nrisk);

#endif
