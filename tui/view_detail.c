/* view_detail.c -- one group and one of its requests: what it is, why it
 * is risky, and the three diff-of-intent views (content diff; against the
 * nearest rule or the group's pattern; common and varying across the group). */
#include "tui/view.h"
#include "tui/compare.h"
#include "tui/diff.h"
#include "tui/picker.h"
#include "tui/text.h"
#include "tui/theme.h"
#include "proto/rpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIFF_CONTEXT 3
#define DIFF_MAX_EDITS 2000
#define DIFF_MAX_LINES 5000
#define MEMBERS_SHOWN 30
#define OBJ_MAX_DEPTH 6

/* A str or bin field of the request map. */
static bool
get_bytes(const msgpack_object *map, const char *key, const char **p, size_t *n)
{
	const msgpack_object *o = rpc_map_get(map, key);

	if (o != NULL && o->type == MSGPACK_OBJECT_STR) {
		*p = o->via.str.ptr;
		*n = o->via.str.size;
		return true;
	}
	if (o != NULL && o->type == MSGPACK_OBJECT_BIN) {
		*p = o->via.bin.ptr;
		*n = o->via.bin.size;
		return true;
	}
	return false;
}

static void
section(lines *out, const char *title, int width)
{
	lines_newline(out);
	lines_newline(out);
	lines_put(out, TR_BORDER, "-- ");
	lines_put(out, TR_TITLE, title);
	lines_put(out, TR_BORDER, " ");
	while (lines_col(out) < width)
		lines_put(out, TR_BORDER, "-");
}

/* "label  value" with the value escaped and wrapped under itself. */
static void
kv(lines *out, const char *label, const char *v, size_t n, int width)
{
	lines_newline(out);
	lines_wrap(out, width, 10);
	lines_put(out, TR_DIM, label);
	lines_pad_to(out, TR_DIM, 10);
	lines_put_untrusted(out, TR_NORMAL, v, n);
	lines_wrap(out, width, 0);
}

/* Any msgpack value as compact text, strings escaped. */
static void
put_obj(lines *out, const msgpack_object *o, int depth)
{
	char num[48];

	if (depth > OBJ_MAX_DEPTH) {
		lines_put(out, TR_DIM, "...");
		return;
	}
	switch (o->type) {
	case MSGPACK_OBJECT_NIL: lines_put(out, TR_DIM, "nil"); break;
	case MSGPACK_OBJECT_BOOLEAN: lines_put(out, TR_NORMAL, o->via.boolean ? "true" : "false"); break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		snprintf(num, sizeof num, "%llu", (unsigned long long)o->via.u64);
		lines_put(out, TR_NORMAL, num);
		break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		snprintf(num, sizeof num, "%lld", (long long)o->via.i64);
		lines_put(out, TR_NORMAL, num);
		break;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		snprintf(num, sizeof num, "%g", o->via.f64);
		lines_put(out, TR_NORMAL, num);
		break;
	case MSGPACK_OBJECT_STR:
		lines_put_untrusted(out, TR_NORMAL, o->via.str.ptr, o->via.str.size);
		break;
	case MSGPACK_OBJECT_BIN:
		snprintf(num, sizeof num, "<%u bytes>", o->via.bin.size);
		lines_put(out, TR_DIM, num);
		break;
	case MSGPACK_OBJECT_ARRAY:
		lines_put(out, TR_DIM, "[");
		for (uint32_t i = 0; i < o->via.array.size && i < 64; i++) {
			if (i > 0)
				lines_put(out, TR_DIM, ", ");
			put_obj(out, &o->via.array.ptr[i], depth + 1);
		}
		lines_put(out, TR_DIM, o->via.array.size > 64 ? ", ...]" : "]");
		break;
	case MSGPACK_OBJECT_MAP:
		lines_put(out, TR_DIM, "{");
		for (uint32_t i = 0; i < o->via.map.size && i < 64; i++) {
			if (i > 0)
				lines_put(out, TR_DIM, ", ");
			put_obj(out, &o->via.map.ptr[i].key, depth + 1);
			lines_put(out, TR_DIM, ": ");
			put_obj(out, &o->via.map.ptr[i].val, depth + 1);
		}
		lines_put(out, TR_DIM, o->via.map.size > 64 ? ", ...}" : "}");
		break;
	default:
		lines_put(out, TR_DIM, "<ext>");
	}
}

static void
kv_obj(lines *out, const char *label, const msgpack_object *o, int width)
{
	lines_newline(out);
	lines_wrap(out, width, 10);
	lines_put(out, TR_DIM, label);
	lines_pad_to(out, TR_DIM, 10);
	put_obj(out, o, 0);
	lines_wrap(out, width, 0);
}

/* ---- the request ---- */

static void
head(lines *out, const struct detail_src *s, int width)
{
	const struct mreq *r = s->r;
	char age[16], left[16], buf[160];

	lines_newline(out);
	/* the head wraps rather than cut its time left in a narrow pane */
	lines_wrap(out, width, 2);
	if (s->fresh) /* issue #16: another request than a moment ago */
		lines_put(out, TR_PROMPT, "\xe2\x96\xb6 "); /* ▶ */
	lines_put(out, view_risk_role(r->shown), view_risk_badge(r->shown));
	lines_put(out, TR_NORMAL, " ");
	lines_put(out, TR_TITLE, r->kind);
	lines_put(out, TR_DIM, " by ");
	lines_put_clip(out, TR_NORMAL, r->agent, strlen(r->agent), width / 3);
	view_age(age, sizeof age, s->now_ms - r->created_ms);
	snprintf(buf, sizeof buf, "  #%lld  %s ago", (long long)r->id, age);
	lines_put(out, TR_DIM, buf);
	if (model_req_end(r) > 0) {
		view_age(left, sizeof left, model_req_end(r) - s->now_ms);
		snprintf(buf, sizeof buf, "  denied in %s", left);
		lines_put(out, TR_DIM, buf);
	}
	lines_wrap(out, width, 0);
	if (r->esc_level >= 2) {
		/* issue #15: who escalated it, when and why */
		char when[16], what[600];

		view_age(when, sizeof when, s->now_ms - r->esc_ms);
		snprintf(what, sizeof what, "%s ago by %s: %s", when, r->esc_by != NULL ? r->esc_by : "?",
		    r->esc_why != NULL ? r->esc_why : "");
		kv(out, "escalated", what, strlen(what), width);
	} else if (r->escalate_ms > 0 && r->escalate_ms < model_req_end(r)) {
		view_age(left, sizeof left, r->escalate_ms - s->now_ms);
		snprintf(buf, sizeof buf, "to on-call in %s (E: now)", left);
		kv(out, "escalates", buf, strlen(buf), width);
	}
	if (r->circ > 0) {
		lines_newline(out);
		lines_put(out, TR_ALERT, "! goes around the controls");
		lines_put(out, TR_DIM, " (circumvention: see Risk)");
	}
	if (r->pin_changed != NULL) /* issue #17: why a remembered program is asked again */
		kv(out, "asked again", r->pin_changed, strlen(r->pin_changed), width);
}

/* What the request is: its command, path, URL... (first, under the head). */
static void
key_fields(lines *out, const struct detail_src *s, int width)
{
	static const struct { const char *key, *label; } fields[] = {
		{ "command", "command" }, { "path", "path" }, { "url", "url" }, { "host", "host" },
		{ "method", "method" }, { "server", "server" }, { "tool", "tool" },
		{ "tool_name", "tool name" }, { "justification", "why" },
	};
	const msgpack_object *q = s->req, *o;
	const char *p;
	size_t n;

	if (q == NULL) {
		kv(out, "request", s->r->summary, strlen(s->r->summary), width);
		lines_newline(out);
		lines_put(out, TR_DIM, "(full request not kept: memory budget)");
		return;
	}
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (rpc_map_get(q, fields[i].key) != NULL && get_bytes(q, fields[i].key, &p, &n))
			kv(out, fields[i].label, p, n, width);
	if ((o = rpc_map_get(q, "port")) != NULL)
		kv_obj(out, "port", o, width);
}

/* The rest of the request: where it came from, argv, raw inputs. */
static void
request_fields(lines *out, const struct detail_src *s, int width)
{
	const msgpack_object *q = s->req, *o;
	char buf[96];

	section(out, "Request", width);
	kv(out, "session", s->r->session, strlen(s->r->session), width);
	snprintf(buf, sizeof buf, "pid %lld  uid %lld", (long long)s->r->pid, (long long)s->r->uid);
	kv(out, "peer", buf, strlen(buf), width);
	if (s->r->cwd != NULL)
		kv(out, "cwd", s->r->cwd, strlen(s->r->cwd), width);
	if (s->r->workspace != NULL)
		kv(out, "workspace", s->r->workspace, strlen(s->r->workspace), width);
	if (q == NULL)
		return;
	if ((o = rpc_map_get(q, "argv")) != NULL && o->type == MSGPACK_OBJECT_ARRAY) {
		lines_newline(out);
		lines_wrap(out, width, 10);
		lines_put(out, TR_DIM, "argv");
		lines_pad_to(out, TR_DIM, 10);
		for (uint32_t i = 0; i < o->via.array.size; i++) {
			const msgpack_object *w = &o->via.array.ptr[i];

			if (i > 0)
				lines_put(out, TR_NORMAL, " ");
			lines_put(out, TR_DIM, "\xe2\x9f\xa8"); /* ⟨ */
			if (w->type == MSGPACK_OBJECT_STR)
				lines_put_untrusted(out, TR_NORMAL, w->via.str.ptr, w->via.str.size);
			lines_put(out, TR_DIM, "\xe2\x9f\xa9"); /* ⟩ */
		}
		lines_wrap(out, width, 0);
	}
	if ((o = rpc_map_get(q, "arguments")) != NULL)
		kv_obj(out, "arguments", o, width);
	if ((o = rpc_map_get(q, "tool_input")) != NULL)
		kv_obj(out, "tool input", o, width);
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Is part the whole request (its summary, give or take surrounding space)? */
static bool
whole_request(const struct mreq *r, const char *part)
{
	size_t pl = strlen(part), sl;
	const char *sm = r->summary;

	while (pl > 0 && part[pl - 1] == ' ')
		pl--;
	while (pl > 0 && *part == ' ')
		part++, pl--;
	sl = strlen(sm);
	while (sl > 0 && sm[sl - 1] == ' ')
		sl--;
	while (sl > 0 && *sm == ' ')
		sm++, sl--;
	return pl == sl && memcmp(part, sm, pl) == 0;
}

static void
risk(lines *out, const struct detail_src *s, int width)
{
	const struct mreq *r = s->r;
	char buf[64];

	section(out, "Risk", width);
	lines_newline(out);
	lines_put(out, view_risk_role(r->shown), risk_level_name(r->shown));
	if (r->score >= 0) {
		snprintf(buf, sizeof buf, "  score %d", r->score);
		lines_put(out, TR_NORMAL, buf);
	} else {
		lines_put(out, TR_DIM, "  (the broker sent no risk score)");
	}
	for (size_t i = 0; i < r->nreasons; i++) {
		const struct mreason *x = &r->reasons[i];
		bool dup = false;

		/* issue #16: the same reason twice (same words, weight and part) once */
		for (size_t j = 0; j < i && !dup; j++)
			dup = same_str(r->reasons[j].text != NULL ? r->reasons[j].text : r->reasons[j].id,
			          x->text != NULL ? x->text : x->id) &&
			    r->reasons[j].weight == x->weight && same_str(r->reasons[j].part, x->part);
		if (dup)
			continue;
		lines_newline(out);
		lines_wrap(out, width, 4);
		lines_put(out, TR_DIM, "  * ");
		if (x->text != NULL)
			lines_put_untrusted(out, TR_NORMAL, x->text, strlen(x->text));
		else if (x->id != NULL)
			lines_put_untrusted(out, TR_NORMAL, x->id, strlen(x->id));
		if (x->weight != 0) {
			snprintf(buf, sizeof buf, " (%+lld)", (long long)x->weight);
			lines_put(out, TR_DIM, buf);
		}
		/* the part it is about, unless that is the whole request (the
		 * command is shown above); a long part on one clipped line */
		if (x->part != NULL && *x->part != '\0' && !whole_request(r, x->part)) {
			int room = width - lines_col(out) - 4;

			if (room < 20) { /* too little room left: on a row of its own */
				lines_newline(out);
				lines_put(out, TR_DIM, "      in ");
			} else {
				lines_put(out, TR_DIM, " in ");
			}
			room = width - lines_col(out);
			lines_put_clip(out, TR_NORMAL, x->part, strlen(x->part), room > 40 ? 40 : room);
		}
		lines_wrap(out, width, 0);
	}
	if (r->hostile & (TEXT_HAD_CONTROL | TEXT_HAD_BIDI | TEXT_HAD_INVISIBLE | TEXT_HAD_INVALID)) {
		lines_newline(out);
		lines_wrap(out, width, 4);
		lines_put(out, TR_ERROR, "  ! ");
		lines_put(out, TR_ERROR, "its text hides characters (");
		{
			static const struct { unsigned bit; const char *name; } kinds[] = {
				{ TEXT_HAD_BIDI, "bidi" }, { TEXT_HAD_CONTROL, "control" },
				{ TEXT_HAD_INVISIBLE, "invisible" }, { TEXT_HAD_INVALID, "non-UTF-8" },
			};
			int k = 0;

			for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
				if (r->hostile & kinds[i].bit) {
					lines_put(out, TR_ERROR, k++ ? ", " : "");
					lines_put(out, TR_ERROR, kinds[i].name);
				}
		}
		lines_put(out, TR_ERROR, "); shown escaped, risk at least high");
		lines_wrap(out, width, 0);
	}
}

/* ---- diff-of-intent (2): against the nearest rule or the pattern ---- */

/* Words of the request as rules see them: "KIND summary" unless the
 * summary already starts with the kind. */
static void
request_words(const struct mreq *r, char *buf, size_t cap, bool with_kind)
{
	size_t kl = strlen(r->kind);

	if (with_kind && !(strncmp(r->summary, r->kind, kl) == 0 && r->summary[kl] == ' '))
		snprintf(buf, cap, "%s %s", r->kind, r->summary);
	else
		snprintf(buf, cap, "%s", r->summary);
}

static bool
starts_with_kind(const char *p)
{
	static const char *const kinds[] = { "exec", "write", "edit", "read", "delete", "net", "mcp", "other" };

	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		size_t n = strlen(kinds[i]);

		if (strncmp(p, kinds[i], n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return true;
	}
	return false;
}

static void
put_tokens(lines *out, const struct cmp_tok *t, size_t n, bool request)
{
	for (size_t i = 0; i < n; i++) {
		int role = t[i].mark == '=' ? TR_NORMAL : t[i].mark == '~' ? TR_MARK_DIFFERS
		    : request ? TR_MARK_ADD : TR_MARK_DEL;

		if (i > 0)
			lines_put(out, TR_NORMAL, " ");
		lines_put_untrusted(out, role, t[i].s, t[i].n);
	}
}

/* Why a rule whose words match did not answer this request, if it can be
 * told from here: its ceiling, its scope, its expiry. */
static void
why_not(lines *out, const struct mrule *ru, const struct detail_src *s)
{
	const struct mreq *r = s->r;
	const char *v = ru->scope_value;
	char buf[160];

	buf[0] = '\0';
	if (ru->expires_ms > 0 && ru->expires_ms <= s->now_ms)
		snprintf(buf, sizeof buf, "no: expired");
	else if (ru->effect != NULL && strcmp(ru->effect, "allow") == 0 && ru->max_level != RISK_UNKNOWN &&
	    r->shown > ru->max_level)
		snprintf(buf, sizeof buf, "no: the rule allows up to %s, this request is %s",
		    risk_level_name(ru->max_level), risk_level_name(r->shown));
	else if (ru->scope != NULL && v != NULL &&
	    ((strcmp(ru->scope, "session") == 0 && (r->session == NULL || strcmp(v, r->session) != 0)) ||
	     (strcmp(ru->scope, "agent") == 0 && (r->agent == NULL || strcmp(v, r->agent) != 0))))
		snprintf(buf, sizeof buf, "no: the rule is for another %s", ru->scope);
	if (buf[0] == '\0')
		return;
	lines_newline(out);
	lines_put(out, TR_DIM, "applies");
	lines_pad_to(out, TR_DIM, 10);
	lines_put(out, TR_MARK_DIFFERS, buf);
}

/* Is the rule about the request's kind (a write rule also covers edits)? */
static bool
rule_same_kind(const struct mrule *ru, const struct mreq *r)
{
	size_t n = strcspn(ru->pattern, " ");

	if (!starts_with_kind(ru->pattern))
		return true; /* a pattern without a kind word: the broker's own */
	if (strncmp(ru->pattern, r->kind, n) == 0 && r->kind[n] == '\0')
		return true;
	return n == 5 && strncmp(ru->pattern, "write", 5) == 0 && strcmp(r->kind, "edit") == 0;
}

/* A preset's catch-all (exec STAR, read /STARSTAR...): comparing words with it
 * says nothing (issue #16). */
static bool
rule_catch_all(const struct mrule *ru)
{
	const char *body = ru->pattern + strcspn(ru->pattern, " ");

	while (*body == ' ')
		body++;
	return ru->origin != NULL && strncmp(ru->origin, "preset ", 7) == 0 &&
	    (strcmp(body, "*") == 0 || strcmp(body, "/**") == 0 || strcmp(body, "./**") == 0 || strcmp(body, "**") == 0);
}

static void
against(lines *out, const struct detail_src *s, int width)
{
	static char words[8192];
	const struct mrule *best = NULL;
	struct compare *c = malloc(sizeof *c), *tmp = malloc(sizeof *tmp);
	const char *pattern = NULL, *title;
	char tbuf[160];

	if (c == NULL || tmp == NULL)
		goto out;
	for (size_t i = 0; i < s->nrules; i++) {
		const struct mrule *ru = &s->rules[i];

		if (ru->revoked || ru->pattern == NULL || !rule_same_kind(ru, s->r) || rule_catch_all(ru))
			continue;
		request_words(s->r, words, sizeof words, starts_with_kind(ru->pattern));
		compare_tokens(ru->pattern, words, tmp);
		if (tmp->matched > 0 && (best == NULL || tmp->score > c->score)) {
			*c = *tmp;
			best = ru;
		}
	}
	if (best != NULL) {
		char eff[48];

		view_rule_effect(eff, sizeof eff, best);
		snprintf(tbuf, sizeof tbuf, "Against rule #%lld (%s, %s)", (long long)best->id, eff,
		    best->scope ? best->scope : "?");
		title = tbuf;
		pattern = best->pattern;
		/* c holds the best comparison, but its tokens point into words,
		 * which the loop overwrote: compare again */
		request_words(s->r, words, sizeof words, starts_with_kind(pattern));
		compare_tokens(pattern, words, c);
	} else if (s->g->pattern != NULL && s->g->n > 1) {
		title = s->g->local ? "Against the group's pattern (grouped here)" : "Against the group's pattern";
		pattern = s->g->pattern;
		request_words(s->r, words, sizeof words, starts_with_kind(pattern));
		compare_tokens(pattern, words, c);
	} else {
		goto out;
	}
	section(out, title, width);
	lines_newline(out);
	lines_wrap(out, width, 10);
	lines_put(out, TR_DIM, best != NULL ? (best->effect && strcmp(best->effect, "deny") == 0 ? "denied" : "allowed")
	    : "pattern");
	lines_pad_to(out, TR_DIM, 10);
	put_tokens(out, c->pat, c->npat, false);
	lines_newline(out);
	lines_put(out, TR_DIM, "this");
	lines_pad_to(out, TR_DIM, 10);
	put_tokens(out, c->req, c->nreq, true);
	lines_newline(out);
	lines_pad_to(out, TR_DIM, 10);
	{
		int marks = 0;

		for (size_t i = 0; i < c->nreq; i++) {
			if (c->req[i].mark == '+') {
				lines_put(out, TR_MARK_ADD, marks++ ? "  + " : "+ ");
				lines_put_untrusted(out, TR_MARK_ADD, c->req[i].s, c->req[i].n);
			} else if (c->req[i].mark == '~' && c->req[i].pair >= 0) {
				const struct cmp_tok *p = &c->pat[c->req[i].pair];

				if (marks++)
					lines_put(out, TR_NORMAL, "  ");
				lines_put_untrusted(out, TR_MARK_DIFFERS, c->req[i].s, c->req[i].n);
				lines_put(out, TR_MARK_DIFFERS, " \xe2\x89\xa0 "); /* ≠ */
				lines_put_untrusted(out, TR_MARK_DIFFERS, p->s, p->n);
			}
		}
		for (size_t i = 0; i < c->npat; i++)
			if (c->pat[i].mark == '-') {
				lines_put(out, TR_MARK_DEL, marks++ ? "  - " : "- ");
				lines_put_untrusted(out, TR_MARK_DEL, c->pat[i].s, c->pat[i].n);
			}
		if (marks == 0)
			lines_put(out, TR_DIM, "every word matches");
	}
	if (best != NULL)
		why_not(out, best, s);
	lines_wrap(out, width, 0);
out:
	free(c);
	free(tmp);
}

/* ---- diff-of-intent (1): content ---- */

/* "@@ -3,7 +3,8 @@" for ops[a..b] (unified diff: a count of 1 is left
 * out; an empty side names the line before it, count 0). */
static void
hunk_header(char *buf, size_t cap, const struct diff_op *ops, long a, long b)
{
	int os = 0, ns = 0, oc = 0, nc = 0, obefore = 0, nbefore = 0;
	char o[32], n[32];

	for (long k = a - 1; k >= 0 && (obefore == 0 || nbefore == 0); k--) {
		if (obefore == 0 && ops[k].old_no)
			obefore = ops[k].old_no;
		if (nbefore == 0 && ops[k].new_no)
			nbefore = ops[k].new_no;
	}
	for (long k = a; k <= b; k++) {
		if (ops[k].op != '+') {
			if (oc++ == 0)
				os = ops[k].old_no;
		}
		if (ops[k].op != '-') {
			if (nc++ == 0)
				ns = ops[k].new_no;
		}
	}
	if (oc == 0)
		os = obefore;
	if (nc == 0)
		ns = nbefore;
	snprintf(o, sizeof o, oc == 1 ? "%d" : "%d,%d", os, oc);
	snprintf(n, sizeof n, nc == 1 ? "%d" : "%d,%d", ns, nc);
	snprintf(buf, cap, "@@ -%s +%s @@", o, n);
}

static void
put_diff(lines *out, const char *a, size_t an, const char *b, size_t bn, int width)
{
	struct diff_op *ops;
	int approx;
	long n = diff_lines(a, an, b, bn, DIFF_MAX_EDITS, &ops, &approx);
	int maxno = 1, nw, gutter, shown = 0;
	char buf[96];
	bool *show;

	if (n < 0 || (show = calloc((size_t)n + 1, sizeof *show)) == NULL) {
		if (n >= 0)
			free(ops);
		lines_newline(out);
		lines_put(out, TR_ERROR, "out of memory computing the diff");
		return;
	}
	for (long i = 0; i < n; i++)
		maxno = ops[i].old_no > maxno ? ops[i].old_no : ops[i].new_no > maxno ? ops[i].new_no : maxno;
	nw = snprintf(buf, sizeof buf, "%d", maxno);
	gutter = 2 * nw + 4;
	if (approx) {
		lines_newline(out);
		lines_put(out, TR_DIM, "(too many changes for a line-by-line match: old then new)");
	}
	/* the changed lines and DIFF_CONTEXT lines around each */
	for (long i = 0; i < n; i++)
		if (ops[i].op != ' ')
			for (long k = i - DIFF_CONTEXT; k <= i + DIFF_CONTEXT; k++)
				if (k >= 0 && k < n)
					show[k] = true;
	lines_expand_tabs(out, 1);
	for (long i = 0; i < n && shown < DIFF_MAX_LINES; i++) {
		if (!show[i])
			continue;
		if (i == 0 || !show[i - 1]) {
			long end = i;

			while (end + 1 < n && show[end + 1])
				end++;
			hunk_header(buf, sizeof buf, ops, i, end);
			lines_newline(out);
			lines_put(out, TR_DIFF_HUNK, buf);
		}
		lines_newline(out);
		lines_wrap(out, width, gutter);
		if (ops[i].old_no)
			snprintf(buf, sizeof buf, "%*d ", nw, ops[i].old_no);
		else
			snprintf(buf, sizeof buf, "%*s ", nw, "");
		lines_put(out, TR_LINE_NUMBER, buf);
		if (ops[i].new_no)
			snprintf(buf, sizeof buf, "%*d ", nw, ops[i].new_no);
		else
			snprintf(buf, sizeof buf, "%*s ", nw, "");
		lines_put(out, TR_LINE_NUMBER, buf);
		{
			int role = ops[i].op == '+' ? TR_DIFF_ADD : ops[i].op == '-' ? TR_DIFF_DEL : TR_DIFF_CONTEXT;
			char mark[3] = { ops[i].op, ' ', '\0' };

			lines_put(out, role, mark);
			lines_put_untrusted(out, role, ops[i].s, ops[i].n);
		}
		lines_wrap(out, width, 0);
		shown++;
	}
	lines_expand_tabs(out, 0);
	if (shown >= DIFF_MAX_LINES) {
		lines_newline(out);
		lines_put(out, TR_DIM, "(diff cut here)");
	}
	if (n > 0 && shown == 0) {
		lines_newline(out);
		lines_put(out, TR_DIM, "no change: the new content equals the file on disk");
	}
	free(show);
	free(ops);
}

/* Replace the first (or every) occurrence of old in disk by new; malloc'd. */
static char *
apply_edit(const char *disk, size_t dn, const char *old, size_t on, const char *nw, size_t nn,
    bool all, size_t *outlen, int *found)
{
	size_t cap = dn + nn + 1, len = 0, i = 0;
	char *buf;

	*found = 0;
	if (on == 0 || (buf = malloc(cap)) == NULL)
		return NULL;
	while (i < dn) {
		const char *hit = on <= dn - i ? memmem(disk + i, dn - i, old, on) : NULL;

		if (hit == NULL || (!all && *found)) {
			hit = NULL;
		}
		if (hit == NULL) {
			size_t rest = dn - i;

			if (len + rest + 1 > cap) {
				char *b = realloc(buf, cap = len + rest + 1);
				if (b == NULL) { free(buf); return NULL; }
				buf = b;
			}
			memcpy(buf + len, disk + i, rest);
			len += rest;
			break;
		}
		{
			size_t pre = (size_t)(hit - (disk + i));

			if (len + pre + nn + (dn - i) + 1 > cap) {
				char *b = realloc(buf, cap = (len + pre + nn + (dn - i) + 1) * 2);
				if (b == NULL) { free(buf); return NULL; }
				buf = b;
			}
			memcpy(buf + len, disk + i, pre);
			len += pre;
			memcpy(buf + len, nw, nn);
			len += nn;
			i += pre + on;
			(*found)++;
		}
	}
	*outlen = len;
	return buf;
}

static bool
is_binary(const char *p, size_t n)
{
	return memchr(p, '\0', n < 8192 ? n : 8192) != NULL;
}

static void
content(lines *out, const struct detail_src *s, int width)
{
	const msgpack_object *q = s->req, *o;
	const char *p, *old, *nw;
	size_t n, on, nn;
	char buf[200];

	if (q == NULL)
		return;
	if (strcmp(s->r->kind, "write") == 0 && get_bytes(q, "content", &p, &n)) {
		section(out, "Content diff", width);
		if ((o = rpc_map_get(q, "content_size")) != NULL) {
			int64_t full = 0;

			rpc_get_int(o, 0, INT64_MAX, &full);
			snprintf(buf, sizeof buf, "the agent cut the content to %zu of %lld bytes", n, (long long)full);
			lines_newline(out);
			lines_put(out, TR_ERROR, buf);
		}
		if (is_binary(p, n) || (s->disk != NULL && is_binary(s->disk, s->disk_len))) {
			snprintf(buf, sizeof buf, "binary content, %zu bytes (file on disk: %s)", n,
			    s->disk != NULL ? "binary or text" : s->disk_note ? s->disk_note : "none");
			lines_newline(out);
			lines_put(out, TR_DIM, buf);
			return;
		}
		lines_newline(out);
		lines_wrap(out, width, 2);
		if (s->disk != NULL) {
			snprintf(buf, sizeof buf, "against the file on disk (%zu bytes)", s->disk_len);
			lines_put(out, TR_DIM, buf);
		} else {
			lines_put(out, TR_DIM, "new file: ");
			lines_put(out, TR_DIM, s->disk_note != NULL ? s->disk_note : "not on disk");
		}
		lines_wrap(out, width, 0);
		put_diff(out, s->disk != NULL ? s->disk : "", s->disk != NULL ? s->disk_len : 0, p, n, width);
	} else if (strcmp(s->r->kind, "edit") == 0 && get_bytes(q, "old", &old, &on) &&
	    get_bytes(q, "new", &nw, &nn)) {
		const msgpack_object *ra = rpc_map_get(q, "replace_all");
		bool all = ra != NULL && ra->type == MSGPACK_OBJECT_BOOLEAN && ra->via.boolean;
		int found = 0;
		size_t after_len = 0;
		char *after = s->disk != NULL && !is_binary(s->disk, s->disk_len)
		    ? apply_edit(s->disk, s->disk_len, old, on, nw, nn, all, &after_len, &found) : NULL;

		section(out, "Content diff", width);
		lines_newline(out);
		lines_wrap(out, width, 2);
		if (after != NULL && found) {
			snprintf(buf, sizeof buf, "against the file on disk: %d replacement%s%s", found,
			    found == 1 ? "" : "s", all ? " (replace all)" : "");
			lines_put(out, TR_DIM, buf);
			lines_wrap(out, width, 0);
			put_diff(out, s->disk, s->disk_len, after, after_len, width);
		} else {
			if (s->disk != NULL)
				lines_put(out, TR_ERROR, "the old text is not in the file on disk; old and new text:");
			else {
				lines_put(out, TR_DIM, "old and new text (file: ");
				lines_put(out, TR_DIM, s->disk_note != NULL ? s->disk_note : "not read");
				lines_put(out, TR_DIM, ")");
			}
			lines_wrap(out, width, 0);
			put_diff(out, old, on, nw, nn, width);
		}
		free(after);
	}
}

/* The broker's intent map, field by field (after the views that matter most). */
static void
intent(lines *out, const struct detail_src *s, int width)
{
	if (s->intent == NULL || s->intent->type != MSGPACK_OBJECT_MAP)
		return;
	if (!s->show_intent) {
		/* issue #16: the raw dump is folded; i unfolds it */
		section(out, "Intent (i shows it)", width);
		return;
	}
	section(out, "Intent (i folds it)", width);
	for (uint32_t i = 0; i < s->intent->via.map.size && i < 40; i++) {
		const msgpack_object *k = &s->intent->via.map.ptr[i].key;
		char label[16] = "?";

		if (k->type == MSGPACK_OBJECT_STR)
			snprintf(label, sizeof label, "%.*s", (int)(k->via.str.size < 9 ? k->via.str.size : 9),
			    k->via.str.ptr);
		for (char *c = label; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
				*c = '?';
		kv_obj(out, label, &s->intent->via.map.ptr[i].val, width);
	}
}

/* ---- diff-of-intent (3): the group ---- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Common value or the varying values of one field across the members. */
static void
local_field(lines *out, const struct detail_src *s, const char *label, size_t off, int width)
{
	size_t n = s->nmembers, distinct = 0;
	const char **v = malloc(n * sizeof *v);

	if (v == NULL || n == 0) {
		free(v);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *f = *(const char *const *)((const char *)s->members[i] + off);

		v[i] = f != NULL ? f : "";
	}
	qsort(v, n, sizeof *v, cmp_str);
	for (size_t i = 0; i < n; i++)
		distinct += i == 0 || strcmp(v[i], v[i - 1]) != 0;
	lines_newline(out);
	lines_wrap(out, width, 12);
	lines_put(out, TR_DIM, distinct == 1 ? "  same  " : "  varies ");
	lines_put(out, TR_DIM, label);
	lines_pad_to(out, TR_DIM, 20);
	if (distinct == 1) {
		lines_put_untrusted(out, TR_NORMAL, v[0], strlen(v[0]));
	} else {
		char buf[48];
		size_t shown = 0;

		snprintf(buf, sizeof buf, "%zu values: ", distinct);
		lines_put(out, TR_MARK_DIFFERS, buf);
		for (size_t i = 0; i < n && shown < 10; i++)
			if (i == 0 || strcmp(v[i], v[i - 1]) != 0) {
				if (shown++ > 0)
					lines_put(out, TR_DIM, " \xc2\xa6 "); /* ¦: " | " would read as a pipe */
				lines_put_untrusted(out, TR_NORMAL, v[i], strlen(v[i]));
			}
		if (distinct > shown)
			lines_put(out, TR_DIM, " \xc2\xa6 ...");
	}
	lines_wrap(out, width, 0);
	free(v);
}

static void
group(lines *out, const struct detail_src *s, int width)
{
	const struct mgroup *g = s->g;
	char buf[200];

	snprintf(buf, sizeof buf, "Group: %zu request%s%s", g->n, g->n == 1 ? "" : "s",
	    g->local ? " (grouped here)" : "");
	section(out, buf, width);
	if (g->pattern != NULL)
		kv(out, "pattern", g->pattern, strlen(g->pattern), width);
	if (s->common != NULL && s->common->type == MSGPACK_OBJECT_MAP) {
		for (uint32_t i = 0; i < s->common->via.map.size && i < 32; i++) {
			lines_newline(out);
			lines_wrap(out, width, 20);
			lines_put(out, TR_DIM, "  same  ");
			put_obj(out, &s->common->via.map.ptr[i].key, 1);
			lines_pad_to(out, TR_DIM, 20);
			put_obj(out, &s->common->via.map.ptr[i].val, 1);
			lines_wrap(out, width, 0);
		}
	}
	if (s->varies != NULL && s->varies->type == MSGPACK_OBJECT_ARRAY) {
		for (uint32_t i = 0; i < s->varies->via.array.size && i < 32; i++) {
			const msgpack_object *vv = &s->varies->via.array.ptr[i], *f, *vals;
			int64_t distinct = 0;

			f = rpc_map_get(vv, "field");
			vals = rpc_map_get(vv, "values");
			rpc_get_int(rpc_map_get(vv, "distinct"), 0, INT64_MAX, &distinct);
			lines_newline(out);
			lines_wrap(out, width, 20);
			lines_put(out, TR_DIM, "  varies ");
			if (f != NULL)
				put_obj(out, f, 1);
			lines_pad_to(out, TR_DIM, 20);
			snprintf(buf, sizeof buf, "%lld values: ", (long long)distinct);
			lines_put(out, TR_MARK_DIFFERS, buf);
			for (uint32_t j = 0; vals != NULL && vals->type == MSGPACK_OBJECT_ARRAY && j < vals->via.array.size && j < 10; j++) {
				if (j > 0)
					lines_put(out, TR_DIM, " \xc2\xa6 "); /* ¦: " | " would read as a pipe */
				put_obj(out, &vals->via.array.ptr[j], 1);
			}
			lines_wrap(out, width, 0);
		}
	}
	if (s->common == NULL && s->varies == NULL && g->n > 1) {
		local_field(out, s, "agent", offsetof(struct mreq, agent), width);
		local_field(out, s, "session", offsetof(struct mreq, session), width);
		local_field(out, s, "kind", offsetof(struct mreq, kind), width);
		local_field(out, s, "cwd", offsetof(struct mreq, cwd), width);
		local_field(out, s, "request", offsetof(struct mreq, summary), width);
	}
	for (size_t i = 0; i < s->nmembers && i < MEMBERS_SHOWN; i++) {
		const struct mreq *m = s->members[i];
		char age[16];
		bool cur = i == s->member_index;

		lines_newline(out);
		view_age(age, sizeof age, s->now_ms - m->created_ms);
		snprintf(buf, sizeof buf, "%s#%-6lld %4s ", cur ? "> " : "  ", (long long)m->id, age);
		lines_put(out, cur ? TR_TITLE : TR_DIM, buf);
		lines_put(out, view_risk_role(m->shown), view_risk_badge(m->shown));
		lines_put(out, TR_NORMAL, " ");
		lines_put_clip(out, cur ? TR_TITLE : TR_NORMAL, m->summary, strlen(m->summary), width - lines_col(out));
	}
	if (s->nmembers > MEMBERS_SHOWN) {
		lines_newline(out);
		snprintf(buf, sizeof buf, "  ... and %zu more ([ and ] step through them)", s->nmembers - MEMBERS_SHOWN);
		lines_put(out, TR_DIM, buf);
	}
	if (g->nsugg > 0) {
		section(out, "Remember (s)", width);
		for (int i = 0; i < g->nsugg; i++) {
			const struct msugg *sg = &g->sugg[i];

			lines_newline(out);
			lines_wrap(out, width, 4);
			snprintf(buf, sizeof buf, "  %d ", i + 1);
			lines_put(out, TR_KEY, buf);
			lines_put_untrusted(out, TR_NORMAL, sg->pattern, strlen(sg->pattern));
			view_sugg_terms(buf, sizeof buf, sg);
			lines_put(out, sg->learned ? TR_TITLE : TR_DIM, buf);
			snprintf(buf, sizeof buf, ", covers %lld", (long long)sg->covers);
			lines_put(out, sg->learned ? TR_TITLE : TR_DIM, buf);
			if (sg->covers_high)
				lines_put(out, TR_RISK_HIGH, " incl. high/critical");
			if (sg->reason != NULL) {
				lines_newline(out);
				lines_put(out, TR_DIM, "      ");
				lines_put_untrusted(out, TR_DIM, sg->reason, strlen(sg->reason));
			}
			picker_leaves(out, sg, "      ");
			lines_wrap(out, width, 0);
		}
	}
}

void
view_detail(lines *out, const struct detail_src *s, int width)
{
	lines_wrap(out, 0, 0);
	if (s->r == NULL || s->g == NULL) {
		lines_newline(out);
		lines_put(out, TR_DIM, "nothing selected");
		return;
	}
	/* padding must not push what follows out of view: long runs of
	 * whitespace after text are shown as a count (text.h) */
	lines_whitespace(out, TEXT_WS_COUNT);
	/* issue #16: what it is first; for a write or edit the content diff
	 * right under it, then why it is risky, then the rest */
	head(out, s, width);
	key_fields(out, s, width);
	content(out, s, width);
	risk(out, s, width);
	against(out, s, width);
	group(out, s, width);
	request_fields(out, s, width);
	intent(out, s, width);
	if (s->note != NULL && *s->note != '\0') {
		section(out, "Note for the next decision", width);
		lines_newline(out);
		lines_wrap(out, width, 2);
		lines_put_untrusted(out, TR_NORMAL, s->note, strlen(s->note));
		lines_wrap(out, width, 0);
	}
	lines_whitespace(out, TEXT_WS_KEEP);
}
