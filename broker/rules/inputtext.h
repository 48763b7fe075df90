/* inputtext.h -- a tool's input as one canonical line of JSON: what the
 * summary of an `other` request shows and what an `other` rule's input glob
 * is matched against (docs/RULES.md).  Compact, map keys sorted by their
 * bytes, strings escaped as JSON requires (", \, control characters) and
 * otherwise kept as they are (UTF-8 stays UTF-8): the text `jq -cS` prints. */
#ifndef SG_INPUTTEXT_H
#define SG_INPUTTEXT_H

#include <stddef.h>
#include <msgpack.h>

/* The text of o (malloc'd, NUL-terminated, *len its length), or NULL when
 * it would be longer than cap bytes, holds a value JSON has no form for
 * (binary, extension, a key that is not a string, a key twice) or memory
 * ran out. */
char *input_text(const msgpack_object *o, size_t cap, size_t *len);

#endif
