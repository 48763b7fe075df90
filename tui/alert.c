/* alert.c -- broker alerts for the console's alert lines. */
#include "tui/alert.h"
#include "tui/theme.h"
#include "proto/rpc.h"

#include <stdio.h>
#include <string.h>

/* Copy a string object into buf (at most ALERT_TEXT_MAX bytes); false if
 * o is not a string. */
static bool
copy_str(char *buf, const msgpack_object *o)
{
	size_t n;

	if (o == NULL || o->type != MSGPACK_OBJECT_STR)
		return false;
	n = o->via.str.size < ALERT_TEXT_MAX ? o->via.str.size : ALERT_TEXT_MAX;
	memcpy(buf, o->via.str.ptr, n);
	buf[n] = '\0';
	return true;
}

int
alerts_on_alert(struct alerts *a, const msgpack_object *arg, int64_t now_ms)
{
	char code[33], msg[ALERT_TEXT_MAX + 1];
	const msgpack_object *c = arg != NULL && arg->type == MSGPACK_OBJECT_MAP ? rpc_map_get(arg, "code") : NULL;

	if (c == NULL || c->type != MSGPACK_OBJECT_STR || c->via.str.size == 0 ||
	    c->via.str.size >= sizeof code || !copy_str(msg, rpc_map_get(arg, "message")))
		return -1;
	memcpy(code, c->via.str.ptr, c->via.str.size);
	code[c->via.str.size] = '\0';
	if (strcmp(code, "store-error") == 0 || strcmp(code, "store-recovered") == 0) {
		a->store_failing = code[6] == 'e';
		memcpy(a->store, msg, sizeof msg);
		a->store_ms = now_ms;
		return 0;
	}
	memcpy(a->code, code, sizeof code);
	memcpy(a->other, msg, sizeof msg);
	a->other_ms = now_ms;
	return 0;
}

int
alerts_on_status(struct alerts *a, const msgpack_object *result, int64_t now_ms)
{
	const msgpack_object *e = result != NULL && result->type == MSGPACK_OBJECT_MAP
	    ? rpc_map_get(result, "store_error") : NULL;
	char msg[ALERT_TEXT_MAX + 1];

	if (e == NULL) /* an older broker: says nothing either way */
		return 0;
	if (e->type == MSGPACK_OBJECT_NIL) {
		/* a recovery missed while disconnected: the error goes away */
		a->store_failing = false;
		return 0;
	}
	if (!copy_str(msg, e))
		return -1;
	if (!a->store_failing || strcmp(a->store, msg) != 0) {
		a->store_failing = true;
		memcpy(a->store, msg, sizeof msg);
		a->store_ms = now_ms;
	}
	return 0;
}

int
alerts_on_circumvention(struct alerts *a, const msgpack_object *arg, int64_t now_ms)
{
	const msgpack_object *sigs = arg != NULL && arg->type == MSGPACK_OBJECT_MAP
	    ? rpc_map_get(arg, "circumvention") : NULL;
	char agent[129] = "?", text[ALERT_TEXT_MAX + 1] = "";
	const msgpack_object *ag;
	int64_t id = 0;
	size_t len;

	if (sigs == NULL || sigs->type != MSGPACK_OBJECT_ARRAY || sigs->via.array.size == 0 ||
	    rpc_get_int(rpc_map_get(arg, "id"), 1, INT64_MAX, &id) != 0)
		return -1;
	ag = rpc_map_get(arg, "agent");
	if (ag != NULL && ag->type == MSGPACK_OBJECT_STR) {
		len = ag->via.str.size < sizeof agent - 1 ? ag->via.str.size : sizeof agent - 1;
		memcpy(agent, ag->via.str.ptr, len);
		agent[len] = '\0';
	}
	len = (size_t)snprintf(text, sizeof text, "#%lld %s:", (long long)id, agent);
	for (uint32_t i = 0; i < sigs->via.array.size && len < ALERT_TEXT_MAX; i++) {
		const msgpack_object *t = rpc_map_get(&sigs->via.array.ptr[i], "text");
		char one[ALERT_TEXT_MAX + 1];

		if (!copy_str(one, t))
			continue;
		len += (size_t)snprintf(text + len, sizeof text - len, "%s %s", i > 0 ? ";" : "", one);
	}
	if (len > ALERT_TEXT_MAX)
		len = ALERT_TEXT_MAX;
	text[len] = '\0';
	snprintf(a->code, sizeof a->code, "circumvention");
	memcpy(a->other, text, sizeof text);
	a->other_ms = now_ms;
	return 0;
}

static bool
store_shown(const struct alerts *a, int64_t now_ms)
{
	return a->store_ms != 0 && (a->store_failing || now_ms - a->store_ms < ALERT_SHOW_MS);
}

static bool
other_shown(const struct alerts *a, int64_t now_ms)
{
	return a->other_ms != 0 && now_ms - a->other_ms < ALERT_SHOW_MS;
}

int
alerts_lines(const struct alerts *a, int64_t now_ms)
{
	return store_shown(a, now_ms) + other_shown(a, now_ms);
}

/* " ALERT code: text" in at most width columns, the text escaped (it may
 * quote what an agent sent). */
static void
one(lines *out, int role, const char *label, const char *text, int width)
{
	int room = width - 1;

	lines_newline(out);
	lines_fill(out, role);
	if (room <= 0)
		return;
	lines_put(out, role, " ");
	if (room < (int)strlen(label) + 3) {
		lines_put_clip(out, role, label, strlen(label), room);
		return;
	}
	lines_put_clip(out, role, label, strlen(label), room);
	lines_put(out, role, ": ");
	lines_put_clip(out, role, text, strlen(text), width - lines_col(out));
}

void
alerts_format(const struct alerts *a, lines *out, int width, int64_t now_ms)
{
	char label[64];

	if (store_shown(a, now_ms))
		one(out, a->store_failing ? TR_ALERT : TR_CONNECTED,
		    a->store_failing ? "ALERT store-error (decisions are denied)" : "store recovered", a->store, width);
	if (other_shown(a, now_ms)) {
		snprintf(label, sizeof label, "ALERT %s", a->code);
		one(out, TR_ALERT, label, a->other, width);
	}
}
