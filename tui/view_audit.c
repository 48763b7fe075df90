/* view_audit.c -- recent decisions from the audit log. */
#include "tui/view.h"
#include "tui/theme.h"

#include <stdio.h>
#include <string.h>

void
view_audit(lines *out, const struct audit_rows *a, size_t top, size_t rows, size_t sel,
    bool focused, int width, int64_t now_ms)
{
	char buf[64], age[16];

	lines_wrap(out, 0, 0);
	if (a->n == 0) {
		lines_newline(out);
		lines_put(out, TR_DIM, " no decisions recorded yet (or none match the filter)");
		return;
	}
	for (size_t i = top; i < a->n && i < top + rows; i++) {
		const struct audit_row *r = &a->v[i];
		bool s = i == sel, allow = r->decision != NULL && strcmp(r->decision, "allow") == 0;
		int base = s ? TR_SELECTED : TR_NORMAL, start;

		lines_newline(out);
		lines_tag(out, (long)i);
		if (s)
			lines_fill(out, TR_SELECTED);
		lines_put(out, base, s && focused ? ">" : " ");
		view_age(age, sizeof age, now_ms - r->decided_ms);
		snprintf(buf, sizeof buf, "%4s ", age);
		lines_put(out, s ? base : TR_DIM, buf);
		lines_put(out, allow ? TR_ALLOW : TR_DENY, allow ? "allow " : "deny  ");
		start = lines_col(out);
		lines_put_clip(out, s ? base : TR_DIM, r->decided_by ? r->decided_by : "?",
		    r->decided_by ? strlen(r->decided_by) : 1, 9);
		lines_pad_to(out, base, start + 10);
		if (width >= 70) {
			start = lines_col(out);
			lines_put_clip(out, s ? base : TR_DIM, r->agent ? r->agent : "", r->agent ? strlen(r->agent) : 0, 11);
			lines_pad_to(out, base, start + 12);
		}
		lines_put_clip(out, base, r->summary ? r->summary : "", r->summary ? strlen(r->summary) : 0,
		    width - lines_col(out));
	}
}

void
view_audit_detail(lines *out, const struct audit_row *r, int width, int64_t now_ms)
{
	char buf[160], age[16];

	lines_wrap(out, 0, 0);
	if (r == NULL) {
		lines_newline(out);
		lines_put(out, TR_DIM, "no decision selected");
		return;
	}
	lines_newline(out);
	snprintf(buf, sizeof buf, "audit seq %lld, request #%lld", (long long)r->seq, (long long)r->request_id);
	lines_put(out, TR_TITLE, buf);
	lines_wrap(out, width, 10);
#define ROW(label, v) do { lines_newline(out); lines_put(out, TR_DIM, label); lines_pad_to(out, TR_DIM, 10); \
	if ((v) != NULL) lines_put_untrusted(out, TR_NORMAL, (v), strlen(v)); } while (0)
	ROW("decision", r->decision);
	ROW("by", r->decided_by);
	ROW("reviewer", r->reviewer_name);
	ROW("note", r->note);
	ROW("agent", r->agent);
	ROW("session", r->session);
	ROW("kind", r->kind);
	ROW("request", r->summary);
	ROW("risk", r->risk != NULL ? r->risk : "(not recorded)");
#undef ROW
	view_age(age, sizeof age, now_ms - r->decided_ms);
	snprintf(buf, sizeof buf, "%s ago", age);
	lines_newline(out);
	lines_put(out, TR_DIM, "decided");
	lines_pad_to(out, TR_DIM, 10);
	lines_put(out, TR_NORMAL, buf);
	lines_wrap(out, width, 0);
}
