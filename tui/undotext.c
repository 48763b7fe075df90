/* undotext.c -- status-line texts for a new rule's side effects and undo. */
#include "tui/undotext.h"
#include "tui/text.h"
#include "proto/rpc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEM_COLS 48

/* Append ", #ID SUMMARY" items of list (those whose decision is want, or
 * all with want NULL) after head; returns how many. */
static size_t
put_items(char *buf, size_t cap, size_t *len, const char *head, const msgpack_object *list, const char *want)
{
	size_t n = 0;

	if (list == NULL || list->type != MSGPACK_OBJECT_ARRAY)
		return 0;
	for (uint32_t i = 0; i < list->via.array.size; i++) {
		const msgpack_object *x = &list->via.array.ptr[i], *s = rpc_map_get(x, "summary");
		int64_t id = 0;
		char *e;

		if (want != NULL && !rpc_str_eq(rpc_map_get(x, "decision"), want))
			continue;
		rpc_get_int(rpc_map_get(x, "id"), 0, INT64_MAX, &id);
		e = s != NULL && s->type == MSGPACK_OBJECT_STR ? text_escape(s->via.str.ptr, s->via.str.size, ITEM_COLS, NULL)
		    : NULL;
		if (*len < cap)
			*len += (size_t)snprintf(buf + *len, cap - *len, "%s#%lld %s", n == 0 ? head : ", ", (long long)id,
			    e != NULL ? e : "?");
		free(e);
		n++;
	}
	return n;
}

void
undo_released_text(const msgpack_object *result, char *buf, size_t cap)
{
	const msgpack_object *rel = rpc_map_get(result, "released");
	size_t len = 0;

	buf[0] = '\0';
	if (put_items(buf, cap, &len, "; also allowed ", rel, "allow") > 0 &&
	    rpc_map_get(result, "undo_until_ms") != NULL &&
	    rpc_map_get(result, "undo_until_ms")->type == MSGPACK_OBJECT_POSITIVE_INTEGER && len < cap)
		len += (size_t)snprintf(buf + len, cap - len, " (held: u puts it back)");
	put_items(buf, cap, &len, "; also denied ", rel, "deny");
}

void
undo_result_text(const msgpack_object *result, char *buf, size_t cap)
{
	int64_t id = 0;
	size_t len = 0;
	const msgpack_object *rev = rpc_map_get(result, "revoked");

	rpc_get_int(rpc_map_get(result, "rule_id"), 0, INT64_MAX, &id);
	len = (size_t)snprintf(buf, cap, "rule #%lld %s", (long long)id,
	    rev != NULL && rev->type == MSGPACK_OBJECT_BOOLEAN && rev->via.boolean ? "revoked"
	    : "stopped (its revocation could not be recorded)");
	if (len >= cap)
		return;
	put_items(buf, cap, &len, "; back in the queue: ", rpc_map_get(result, "returned"), NULL);
	if (len < cap && put_items(buf, cap, &len, "; cannot be undone, answers delivered: ",
	        rpc_map_get(result, "answered"), NULL) == 0 && len < cap &&
	    (rpc_map_get(result, "returned") == NULL || rpc_map_get(result, "returned")->via.array.size == 0))
		snprintf(buf + len, cap - len, "; it had answered no other request");
}
