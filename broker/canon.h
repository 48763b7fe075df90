/* canon.h -- the content hash that binds an idempotency key to its request.
 *
 * SHA-256 over a canonical msgpack encoding of the submitted map: every map's
 * entries sorted by the bytewise order of their keys' canonical encodings
 * (RFC 8949 4.2.1 does the same for CBOR), at every depth; integers, string,
 * binary and container headers in their shortest form (msgpack-c's packer);
 * at the top level only, the keys that may differ between retries of one
 * request (`wait`, `timeout`) left out.  So key order and encoding width never
 * change the hash, and any other difference always does. */
#ifndef SG_CANON_H
#define SG_CANON_H

#include <stddef.h>
#include <msgpack.h>

#define CANON_HASH_LEN 32

/* Hash the submitted map.  0 on success; -1 with a reason in why when a map
 * holds the same key twice (its meaning would depend on which copy a reader
 * takes) or on out of memory. */
int canon_request_hash(const msgpack_object *map, unsigned char out[CANON_HASH_LEN],
    char *why, size_t whylen);

/* The canonical encoding itself (for tests): appended to sb; same errors. */
int canon_request_encode(const msgpack_object *map, msgpack_sbuffer *sb, char *why, size_t whylen);

#endif
