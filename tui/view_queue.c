/* view_queue.c -- the queue: one row per group, highest risk first. */
#include "tui/view.h"
#include "tui/text.h"
#include "tui/theme.h"

#include <stdio.h>
#include <string.h>

void
view_age(char *buf, size_t cap, int64_t ms)
{
	int64_t s = ms / 1000;

	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, cap, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, cap, "%lldm", (long long)(s / 60));
	else if (s < 86400)
		snprintf(buf, cap, "%lldh", (long long)(s / 3600));
	else
		snprintf(buf, cap, "%lldd", (long long)(s / 86400 > 999 ? 999 : s / 86400));
}

int
view_risk_role(enum risk_level l)
{
	switch (l) {
	case RISK_LOW: return TR_RISK_LOW;
	case RISK_MEDIUM: return TR_RISK_MEDIUM;
	case RISK_HIGH: return TR_RISK_HIGH;
	case RISK_CRITICAL: return TR_RISK_CRITICAL;
	default: return TR_RISK_UNKNOWN;
	}
}

const char *
view_risk_badge(enum risk_level l)
{
	switch (l) {
	case RISK_LOW: return "low ";
	case RISK_MEDIUM: return "med ";
	case RISK_HIGH: return "HIGH";
	case RISK_CRITICAL: return "CRIT";
	default: return " -- ";
	}
}

/* Does a member (of the first 4096) go around the controls? */
static bool
group_circumvents(const struct mgroup *g)
{
	for (size_t i = 0; i < g->n && i < 4096; i++)
		if (g->m[i]->circ > 0)
			return true;
	return false;
}

/* One group row: marker, badge and score, count, [agent], text, time left. */
static void
queue_row(lines *out, const struct mgroup *g, bool sel, bool focused, int width, int64_t now_ms)
{
	const struct mreq *r = g->rep;
	int base = sel ? TR_SELECTED : TR_NORMAL;
	int agent_w = width >= 56 ? 12 : 0, text_end = width - 5, start;
	char num[32], left[16];
	bool esc = false;
	int64_t end = model_group_end(g, &esc);
	const char *text;

	lines_newline(out);
	if (sel)
		lines_fill(out, TR_SELECTED);
	lines_put(out, base, sel && focused ? ">" : " ");
	lines_put(out, view_risk_role(g->max_level), view_risk_badge(g->max_level));
	snprintf(num, sizeof num, g->max_score >= 0 ? "%3d" : "   ", g->max_score);
	lines_put(out, base, num);
	if (g->n <= 1)
		snprintf(num, sizeof num, "     ");
	else if (g->n < 10000)
		snprintf(num, sizeof num, "%4zux", g->n);
	else
		snprintf(num, sizeof num, "%3zukx", g->n / 1000 < 999 ? g->n / 1000 : 999);
	lines_put(out, g->n > 1 ? TR_TITLE : base, num);
	/* issue #16: a group holding a request that goes around the controls
	 * (the alert line names its id) is marked */
	if (group_circumvents(g))
		lines_put(out, TR_ALERT, "!");
	else
		lines_put(out, base, " ");
	if (agent_w > 0) {
		start = lines_col(out);
		if (r != NULL)
			lines_put_clip(out, sel ? base : TR_DIM, r->agent, strlen(r->agent), agent_w - 1);
		lines_pad_to(out, base, start + agent_w);
	}
	/* the label shows every part (`curl * | sh`); the pattern only one */
	text = g->n > 1 && g->label != NULL ? g->label : g->n > 1 && g->pattern != NULL ? g->pattern :
	    r != NULL ? r->summary : "";
	if (g->n > 1 && g->others_n > 0 && g->label == NULL) {
		/* the pattern is about one command of each member: say they have
		 * more, and show one's, giving that the room it needs first */
		int avail = text_end - lines_col(out) - 1, tw, sw;
		char buf[1200];

		if (avail < 40) /* narrow: the detail lists the members' commands */
			snprintf(buf, sizeof buf, " (+more)");
		else if (g->others_n >= (int64_t)g->n)
			snprintf(buf, sizeof buf, " (also: %s)", g->others_ex != NULL ? g->others_ex : "?");
		else
			snprintf(buf, sizeof buf, " (also in %lld: %s)", (long long)g->others_n,
			    g->others_ex != NULL ? g->others_ex : "?");
		tw = (int)text_width(text);
		sw = (int)text_width(buf);
		if (tw + sw > avail)
			tw = avail - sw > avail / 3 ? avail - sw : avail / 3;
		lines_put_clip(out, base, text, strlen(text), tw);
		lines_put_clip(out, sel ? base : TR_ESCAPED, buf, strlen(buf), text_end - lines_col(out) - 1);
	} else {
		lines_put_clip(out, base, text, strlen(text), text_end - lines_col(out) - 1);
	}
	lines_pad_to(out, base, text_end);
	/* issue #15: the time left before the group's first member is denied
	 * (its expiry or deadline; the age is in the detail), in the critical
	 * colour once the group escalated to on-call, high under a minute */
	if (end > 0)
		view_age(left, sizeof left, end - now_ms);
	else
		view_age(left, sizeof left, now_ms - g->oldest_ms);
	snprintf(num, sizeof num, "%5s", left);
	lines_put(out, esc ? TR_RISK_CRITICAL : sel ? base : end > 0 && end - now_ms < 60000 ? TR_RISK_HIGH : TR_DIM,
	    num);
}

void
view_queue(lines *out, model *m, size_t top, size_t rows, size_t sel, bool focused,
    int width, int64_t now_ms)
{
	size_t n = model_queue_len(m, now_ms);

	lines_wrap(out, 0, 0);
	for (size_t i = top; i < n && i < top + rows; i++) {
		queue_row(out, model_queue_at(m, i), i == sel, focused, width, now_ms);
		lines_tag(out, (long)i);
	}
}
