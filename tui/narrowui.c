/* narrowui.c -- the console's narrowing (narrowui.h). */
#include "tui/narrowui.h"
#include "tui/theme.h"
#include "tui/view.h"
#include "proto/rpc.h"

#include <stdio.h>
#include <string.h>

static bool
raw_map(const struct mreq *r, msgpack_zone *z, msgpack_object *out)
{
	size_t off = 0;

	return r != NULL && r->raw != NULL &&
	    msgpack_unpack(r->raw, r->raw_len, &off, z, out) == MSGPACK_UNPACK_SUCCESS &&
	    out->type == MSGPACK_OBJECT_MAP;
}

bool
narrowui_accepts(const struct mreq *r, const char *what)
{
	msgpack_zone z;
	msgpack_object m;
	const msgpack_object *a;
	bool yes = false;

	msgpack_zone_init(&z, 1024);
	if (raw_map(r, &z, &m) && (a = rpc_map_get(&m, "accepts")) != NULL && a->type == MSGPACK_OBJECT_ARRAY)
		for (uint32_t i = 0; i < a->via.array.size; i++)
			yes |= rpc_str_eq(&a->via.array.ptr[i], what);
	msgpack_zone_destroy(&z);
	return yes;
}

static const char *
field_of(const char *kind)
{
	if (kind == NULL)
		return NULL;
	if (strcmp(kind, "exec") == 0)
		return "command";
	if (strcmp(kind, "read") == 0 || strcmp(kind, "write") == 0 || strcmp(kind, "edit") == 0 ||
	    strcmp(kind, "delete") == 0)
		return "path";
	return strcmp(kind, "net") == 0 ? "url" : NULL;
}

bool
narrowui_start(struct narrow_ui *n, const struct mreq *r, char *err, size_t cap)
{
	msgpack_zone z;
	msgpack_object m;
	const msgpack_object *v;
	const char *f = field_of(r != NULL ? r->kind : NULL);
	bool ok = false;

	memset(n, 0, sizeof *n);
	if (r == NULL || !narrowui_accepts(r, "narrow")) {
		snprintf(err, cap, "its agent cannot apply a narrowed input");
		return false;
	}
	if (f == NULL) {
		snprintf(err, cap, "only a command, a file path or a URL can be narrowed");
		return false;
	}
	msgpack_zone_init(&z, 1024);
	if (!raw_map(r, &z, &m) || (v = rpc_map_get(&m, f)) == NULL || v->type != MSGPACK_OBJECT_STR)
		snprintf(err, cap, "it has no single %s to narrow", f);
	else if (v->via.str.size >= sizeof n->orig || memchr(v->via.str.ptr, '\0', v->via.str.size) != NULL)
		snprintf(err, cap, "its %s is too long to edit here: use sandgate decide %lld allow --narrow", f,
		    (long long)r->id);
	else {
		memcpy(n->orig, v->via.str.ptr, v->via.str.size);
		n->orig[v->via.str.size] = '\0';
		snprintf(n->field, sizeof n->field, "%s", f);
		n->id = r->id;
		ok = true;
	}
	msgpack_zone_destroy(&z);
	return ok;
}

/* One line per target, host and effect of an intent map, "\n"-separated. */
static void
intent_items(const msgpack_object *in, char *out, size_t cap)
{
	const msgpack_object *t = in != NULL ? rpc_map_get(in, "targets") : NULL;
	const msgpack_object *h = in != NULL ? rpc_map_get(in, "hosts") : NULL;
	const msgpack_object *e = in != NULL ? rpc_map_get(in, "effects") : NULL;
	size_t len = 0;

	out[0] = '\0';
	for (uint32_t i = 0; e != NULL && e->type == MSGPACK_OBJECT_ARRAY && i < e->via.array.size; i++)
		if (e->via.array.ptr[i].type == MSGPACK_OBJECT_STR && len < cap)
			len += (size_t)snprintf(out + len, cap - len, "effect %.*s\n", (int)e->via.array.ptr[i].via.str.size,
			    e->via.array.ptr[i].via.str.ptr);
	for (uint32_t i = 0; t != NULL && t->type == MSGPACK_OBJECT_ARRAY && i < t->via.array.size; i++) {
		const msgpack_object *p = rpc_map_get(&t->via.array.ptr[i], "path");
		const msgpack_object *ef = rpc_map_get(&t->via.array.ptr[i], "effect");

		if (p != NULL && p->type == MSGPACK_OBJECT_STR && len < cap)
			len += (size_t)snprintf(out + len, cap - len, "%.*s %.*s\n",
			    ef != NULL && ef->type == MSGPACK_OBJECT_STR ? (int)ef->via.str.size : 6,
			    ef != NULL && ef->type == MSGPACK_OBJECT_STR ? ef->via.str.ptr : "target",
			    (int)p->via.str.size, p->via.str.ptr);
	}
	for (uint32_t i = 0; h != NULL && h->type == MSGPACK_OBJECT_ARRAY && i < h->via.array.size; i++) {
		const msgpack_object *x = &h->via.array.ptr[i];

		if (x->type == MSGPACK_OBJECT_MAP)
			x = rpc_map_get(x, "host");
		if (x != NULL && x->type == MSGPACK_OBJECT_STR && len < cap)
			len += (size_t)snprintf(out + len, cap - len, "host %.*s\n", (int)x->via.str.size, x->via.str.ptr);
	}
	if (len >= cap)
		out[cap - 1] = '\0';
}

/* The lines of a not in b, each prefixed with mark, appended to out. */
static void
lines_missing(const char *a, const char *b, char mark, char *out, size_t cap)
{
	size_t len = strlen(out);

	for (const char *s = a; *s != '\0';) {
		const char *nl = strchr(s, '\n');
		size_t n = nl != NULL ? (size_t)(nl - s) : strlen(s);
		bool found = false;

		for (const char *t = b; *t != '\0' && !found;) {
			const char *tn = strchr(t, '\n');
			size_t m = tn != NULL ? (size_t)(tn - t) : strlen(t);

			found = m == n && memcmp(s, t, n) == 0;
			t += m + (tn != NULL);
		}
		if (!found && len + n + 3 < cap)
			len += (size_t)snprintf(out + len, cap - len, "%c%.*s\n", mark, (int)n, s);
		s += n + (nl != NULL);
	}
}

void
narrowui_preview(struct narrow_ui *n, const msgpack_object *res, const struct mreq *r)
{
	static char a[4096], b[4096];
	const msgpack_object *v, *o = rpc_map_get(res, "original"), *risk = rpc_map_get(res, "risk"), *rs;
	msgpack_zone z;
	msgpack_object oi;
	size_t off = 0, len = 0;
	int64_t x;

	v = rpc_map_get(res, "level");
	n->level = v != NULL && v->type == MSGPACK_OBJECT_STR ? risk_level_parse(v->via.str.ptr, v->via.str.size)
	                                                    : RISK_UNKNOWN;
	v = o != NULL ? rpc_map_get(o, "level") : NULL;
	n->olevel = v != NULL && v->type == MSGPACK_OBJECT_STR ? risk_level_parse(v->via.str.ptr, v->via.str.size)
	                                                     : RISK_UNKNOWN;
	n->score = rpc_get_int(rpc_map_get(res, "score"), -1, 100, &x) == 0 ? (int)x : -1;
	n->oscore = o != NULL && rpc_get_int(rpc_map_get(o, "score"), -1, 100, &x) == 0 ? (int)x : -1;
	v = rpc_map_get(res, "higher");
	n->higher = v != NULL && v->type == MSGPACK_OBJECT_BOOLEAN && v->via.boolean;
	/* the intent's difference: what only the request does, what only the edit does */
	msgpack_zone_init(&z, 2048);
	intent_items(r != NULL && r->intent != NULL &&
	    msgpack_unpack(r->intent, r->intent_len, &off, &z, &oi) == MSGPACK_UNPACK_SUCCESS ? &oi : NULL, a, sizeof a);
	intent_items(rpc_map_get(res, "intent"), b, sizeof b);
	msgpack_zone_destroy(&z);
	n->diff[0] = '\0';
	lines_missing(a, b, '-', n->diff, sizeof n->diff);
	lines_missing(b, a, '+', n->diff, sizeof n->diff);
	n->why[0] = '\0';
	rs = risk != NULL ? rpc_map_get(risk, "reasons") : NULL;
	for (uint32_t i = 0; rs != NULL && rs->type == MSGPACK_OBJECT_ARRAY && i < rs->via.array.size && i < 3; i++) {
		const msgpack_object *t = rpc_map_get(&rs->via.array.ptr[i], "text");

		if (t != NULL && t->type == MSGPACK_OBJECT_STR && len < sizeof n->why)
			len += (size_t)snprintf(n->why + len, sizeof n->why - len, "%s%.*s", len ? "; " : "",
			    (int)t->via.str.size, t->via.str.ptr);
	}
}

static void
row(lines *l, int role, const char *label, const char *s)
{
	lines_newline(l);
	lines_put(l, TR_DIM, label);
	lines_put_untrusted(l, role, s, strlen(s));
}

void
narrowui_format(const struct narrow_ui *n, lines *l, int width)
{
	char buf[256];

	(void)width;
	lines_newline(l);
	lines_fill(l, TR_TITLE);
	snprintf(buf, sizeof buf, " Narrow request #%lld: allow this %s instead of the one asked?", (long long)n->id,
	    n->field);
	lines_put(l, TR_TITLE, buf);
	row(l, TR_DIFF_DEL, "  asked:    ", n->orig);
	row(l, TR_DIFF_ADD, "  narrowed: ", n->text);
	lines_newline(l);
	lines_put(l, TR_DIM, "  risk:     ");
	lines_put(l, view_risk_role(n->olevel), risk_level_name(n->olevel));
	snprintf(buf, sizeof buf, " %d -> ", n->oscore);
	lines_put(l, TR_NORMAL, buf);
	lines_put(l, view_risk_role(n->level), risk_level_name(n->level));
	snprintf(buf, sizeof buf, " %d", n->score);
	lines_put(l, TR_NORMAL, buf);
	if (n->higher)
		lines_put(l, TR_RISK_CRITICAL, "  HIGHER than the request");
	if (n->why[0] != '\0')
		row(l, TR_NORMAL, "  why:      ", n->why);
	for (const char *s = n->diff; *s != '\0';) {
		const char *nl = strchr(s, '\n');
		size_t k = nl != NULL ? (size_t)(nl - s) : strlen(s);

		lines_newline(l);
		lines_put(l, TR_DIM, "  intent:   ");
		lines_putn(l, s[0] == '+' ? TR_DIFF_ADD : TR_DIFF_DEL, s, 1);
		lines_put_untrusted(l, s[0] == '+' ? TR_DIFF_ADD : TR_DIFF_DEL, s + 1, k - 1);
		s += k + (nl != NULL);
	}
	lines_newline(l);
	lines_put(l, TR_KEY, "  y");
	lines_put(l, TR_STATUS, n->higher ? " allow it at this higher risk  " : " allow it  ");
	lines_put(l, TR_KEY, "Esc");
	lines_put(l, TR_STATUS, " cancel (nothing is decided)");
}
