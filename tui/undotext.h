/* undotext.h -- the status line after a new rule (issue #16): what else it
 * answered ("also allowed #23 npm install -g npm") and what `u` (undo)
 * did.  Agent text is escaped here.  No curses. */
#ifndef SG_UNDOTEXT_H
#define SG_UNDOTEXT_H

#include <stddef.h>
#include <msgpack.h>

/* "; also allowed #23 npm install -g npm, #24 …" from the `released` list
 * of a rule_add or group decide answer (empty when it has none). */
void undo_released_text(const msgpack_object *result, char *buf, size_t cap);
/* One line from an `undo` answer: the rule revoked, what went back to the
 * queue, what could not be undone (answers delivered). */
void undo_result_text(const msgpack_object *result, char *buf, size_t cap);

#endif
