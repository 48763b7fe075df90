/* mpjson.h -- msgpack <-> JSON (jansson), for everything that prints
 * protocol messages as JSON (the CLI's --json, the test tools) or sends JSON
 * it was given (sandgate score, the test tools).  Link sg_mpjson. */
#ifndef SG_MPJSON_H
#define SG_MPJSON_H

#include <jansson.h>
#include <msgpack.h>

/* A decoded msgpack object as JSON: strings that are not UTF-8 get U+FFFD
 * for bad bytes, bin/ext become {"base64": ...}, map keys that are not
 * strings are left out.  Never NULL. */
json_t *mpjson_from_msgpack(const msgpack_object *o);
/* Pack a JSON value as msgpack. */
void mpjson_pack(msgpack_packer *pk, json_t *j);

#endif
