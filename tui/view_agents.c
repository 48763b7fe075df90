/* view_agents.c -- agents and sessions with pending requests, and counts. */
#include "tui/view.h"
#include "tui/filter.h"
#include "tui/theme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
cmp_req(const void *a, const void *b)
{
	const struct mreq *x = *(const struct mreq *const *)a, *y = *(const struct mreq *const *)b;
	int c = strcmp(x->agent, y->agent);

	return c != 0 ? c : strcmp(x->session, y->session);
}

long
view_agents_collect(model *m, const char *filter, struct agent_row **rows)
{
	size_t n = model_pending(m), nr = 0;
	const struct mreq **v = malloc((n ? n : 1) * sizeof *v);
	struct agent_row *out = malloc((n ? n : 1) * sizeof *out);

	*rows = NULL;
	if (v == NULL || out == NULL) {
		free(v);
		free(out);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = model_request_at(m, i);
	qsort(v, n, sizeof *v, cmp_req);
	for (size_t i = 0; i < n; i++) {
		const struct mreq *r = v[i];
		struct agent_row *a = nr > 0 ? &out[nr - 1] : NULL;

		if (a == NULL || strcmp(a->agent, r->agent) != 0 || strcmp(a->session, r->session) != 0) {
			struct filter_field f[2] = { { "agent", r->agent, strlen(r->agent) },
				{ "session", r->session, strlen(r->session) } };

			if (!filter_match(filter, f, 2))
				continue;
			a = &out[nr++];
			*a = (struct agent_row){ .agent = r->agent, .session = r->session, .oldest_ms = r->created_ms,
				.pid = r->pid };
		}
		a->pending++;
		if (r->shown > a->max_level)
			a->max_level = r->shown;
		if (r->created_ms < a->oldest_ms)
			a->oldest_ms = r->created_ms;
	}
	free(v);
	*rows = out;
	return (long)nr;
}

void
view_agents(lines *out, const struct agent_row *rows, size_t n, size_t top, size_t nrows,
    size_t sel, bool focused, int width, int64_t now_ms, long agents, long consoles)
{
	char buf[96], age[16];

	lines_wrap(out, 0, 0);
	lines_newline(out);
	if (agents >= 0)
		snprintf(buf, sizeof buf, " %ld agent connection%s, %ld console%s; pending by session:",
		    agents, agents == 1 ? "" : "s", consoles, consoles == 1 ? "" : "s");
	else
		snprintf(buf, sizeof buf, " pending by agent and session:");
	lines_put(out, TR_DIM, buf);
	if (n == 0) {
		lines_newline(out);
		lines_put(out, TR_DIM, " no agent is waiting for a decision");
		return;
	}
	for (size_t i = top; i < n && i + 1 < top + nrows; i++) {
		const struct agent_row *a = &rows[i];
		bool s = i == sel;
		int base = s ? TR_SELECTED : TR_NORMAL, start;

		lines_newline(out);
		lines_tag(out, (long)i);
		if (s)
			lines_fill(out, TR_SELECTED);
		lines_put(out, base, s && focused ? ">" : " ");
		lines_put(out, view_risk_role(a->max_level), view_risk_badge(a->max_level));
		snprintf(buf, sizeof buf, " %5zu ", a->pending);
		lines_put(out, base, buf);
		start = lines_col(out);
		lines_put_clip(out, base, a->agent, strlen(a->agent), 15);
		lines_pad_to(out, base, start + 16);
		lines_put_clip(out, s ? base : TR_DIM, a->session, strlen(a->session), width - lines_col(out) - 12);
		lines_pad_to(out, base, width - 12);
		view_age(age, sizeof age, now_ms - a->oldest_ms);
		snprintf(buf, sizeof buf, "%5s %6lld", age, (long long)a->pid);
		lines_put(out, s ? base : TR_DIM, buf);
	}
}
