/* picker.c -- the remember picker (picker.h). */
#include "tui/picker.h"
#include "tui/view.h"
#include "tui/compare.h"
#include "tui/text.h"
#include "tui/theme.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const scopes[PICKER_SCOPES] = { "session", "agent", "workspace", "global" };
static const struct {
	const char *label;
	int64_t seconds;
} ttls[PICKER_TTLS] = { { "as suggested", -1 }, { "1 hour", 3600 }, { "8 hours", 28800 }, { "1 day", 86400 }, { "7 days", 604800 },
	{ "no expiry", 0 } };
static const enum risk_level ceilings[PICKER_CEILINGS] = { RISK_LOW, RISK_MEDIUM, RISK_HIGH, RISK_CRITICAL };

const char *picker_scope_name(size_t i) { return i < PICKER_SCOPES ? scopes[i] : "session"; }
const char *picker_ttl_label(size_t i) { return i < PICKER_TTLS ? ttls[i].label : "?"; }
int64_t picker_ttl_seconds(size_t i) { return i < PICKER_TTLS ? ttls[i].seconds : 0; }
enum risk_level picker_ceiling_level(size_t i) { return i < PICKER_CEILINGS ? ceilings[i] : RISK_HIGH; }

const char *
picker_scope_value(const struct mgroup *g, size_t i)
{
	const struct mreq *r = g->rep;

	switch (i) {
	case 0: return g->session != NULL ? g->session : r != NULL ? r->session : NULL;
	case 1: return g->agent != NULL ? g->agent : r != NULL ? r->agent : NULL;
	case 2: return r != NULL && r->workspace != NULL && r->workspace[0] == '/' ? r->workspace : NULL;
	default: return NULL;
	}
}

void
picker_start(struct picker *p, const struct mgroup *g)
{
	enum risk_level lv = g->max_level > RISK_HIGH ? RISK_HIGH : g->max_level;

	*p = (struct picker){ .step = PK_PATTERN, .ttl = 0, .ceiling = 2 };
	for (size_t i = 0; i < PICKER_CEILINGS; i++)
		if (ceilings[i] == lv)
			p->ceiling = i;
}

size_t
picker_options(const struct picker *p, const struct mgroup *g)
{
	switch (p->step) {
	case PK_PATTERN: return g->nsugg > 0 ? (size_t)g->nsugg : 0;
	case PK_SCOPE: return PICKER_SCOPES;
	case PK_TTL: return PICKER_TTLS;
	case PK_CEILING: /* the broker lowers a suggestion's ceiling, never raises it (issue #17) */
		if (g->nsugg > 0 && p->pattern < (size_t)g->nsugg && g->sugg[p->pattern].ceiling != NULL)
			for (size_t i = 0; i < PICKER_CEILINGS; i++)
				if (strcmp(g->sugg[p->pattern].ceiling, risk_level_name(ceilings[i])) == 0)
					return i + 1;
		return PICKER_CEILINGS;
	default: return 0;
	}
}

static size_t *
choice(struct picker *p)
{
	switch (p->step) {
	case PK_PATTERN: return &p->pattern;
	case PK_SCOPE: return &p->scope;
	case PK_TTL: return &p->ttl;
	default: return &p->ceiling;
	}
}

/* The next steps start at the suggestion's own terms (issue #17): its
 * scope (a learned suggestion's is wider) and its ceiling; the expiry
 * starts at "as suggested". */
static void
suggested_terms(struct picker *p, const struct msugg *s)
{
	for (size_t i = 0; s->scope != NULL && i < PICKER_SCOPES; i++)
		if (strcmp(s->scope, scopes[i]) == 0)
			p->scope = i;
	for (size_t i = 0; s->ceiling != NULL && i < PICKER_CEILINGS; i++)
		if (strcmp(s->ceiling, risk_level_name(ceilings[i])) == 0)
			p->ceiling = i;
	p->ttl = 0;
}

int
picker_key(struct picker *p, const struct mgroup *g, int key)
{
	size_t n = picker_options(p, g), *c = choice(p);

	if (n == 0 || p->step == PK_CONFIRM)
		return -1;
	if (key == 'j' || key == KEY_DOWN) {
		*c = (*c + 1) % n;
		return 0;
	}
	if (key == 'k' || key == KEY_UP) {
		*c = (*c + n - 1) % n;
		return 0;
	}
	if (key >= '1' && key < '1' + (int)n)
		*c = (size_t)(key - '1');
	else if (key != '\n' && key != '\r' && key != KEY_ENTER)
		return -1;
	if (p->step == PK_SCOPE && p->scope == 2 && picker_scope_value(g, 2) == NULL)
		return 0; /* no workspace to scope to: choose another */
	if (p->step == PK_PATTERN)
		suggested_terms(p, &g->sugg[p->pattern]);
	p->step++;
	return 1;
}

/* The request's words as a pattern of kind `kind` sees them: the kind
 * word, then the summary without its own kind word; a relative path of a
 * file kind gets the "./" the rule language writes. */
static void
request_words(const struct mreq *r, const char *kind, size_t kl, char *buf, size_t cap)
{
	const char *s = r->summary;
	size_t rk = strlen(r->kind);
	bool file = strcmp(r->kind, "write") == 0 || strcmp(r->kind, "edit") == 0 || strcmp(r->kind, "read") == 0 ||
	    strcmp(r->kind, "delete") == 0;

	if (strncmp(s, r->kind, rk) == 0 && s[rk] == ' ')
		s += rk + 1;
	while (*s == ' ')
		s++;
	if (file && s[0] != '/' && s[0] != '~' && s[0] != '.')
		snprintf(buf, cap, "%.*s ./%s", (int)kl, kind, s);
	else
		snprintf(buf, cap, "%.*s %s", (int)kl, kind, s);
}

bool
picker_words_cover(const char *pattern, const struct mreq *r)
{
	static char words[8192];
	static struct compare c;
	size_t kl = strcspn(pattern, " ");

	/* the kinds must agree (a write pattern also covers edits) */
	if (!(strncmp(pattern, r->kind, kl) == 0 && r->kind[kl] == '\0') &&
	    !(kl == 5 && strncmp(pattern, "write", 5) == 0 && strcmp(r->kind, "edit") == 0))
		return false;
	request_words(r, pattern, kl, words, sizeof words);
	compare_tokens(pattern, words, &c);
	if (c.nreq == 0 || c.nreq >= COMPARE_MAX_TOKENS || c.npat >= COMPARE_MAX_TOKENS)
		return false;
	for (size_t i = 0; i < c.nreq; i++)
		if (c.req[i].mark != '=')
			return false;
	for (size_t i = 0; i < c.npat; i++)
		if (c.pat[i].mark != '=' && !(c.pat[i].n == 1 && c.pat[i].s[0] == '*'))
			return false;
	return true;
}

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

size_t
picker_also(model *m, const struct mgroup *g, const char *pattern, size_t scope, const struct mreq **out,
    size_t max)
{
	size_t n = 0, total = model_pending(m);
	const char *sv = picker_scope_value(g, scope);

	for (size_t i = 0; i < total && i < 100000; i++) {
		const struct mreq *r = model_request_at(m, i);
		size_t k;

		if (r->group == g)
			continue;
		if ((scope == 0 && !same(r->session, sv)) || (scope == 1 && !same(r->agent, sv)) ||
		    (scope == 2 && (sv == NULL || r->workspace == NULL ||
		     strncmp(r->workspace, sv, strlen(sv)) != 0 ||
		     (r->workspace[strlen(sv)] != '\0' && r->workspace[strlen(sv)] != '/'))))
			continue;
		if (!picker_words_cover(pattern, r))
			continue;
		/* keep the lowest ids */
		for (k = n < max ? n : max; k > 0 && out[k - 1]->id > r->id; k--)
			if (k < max)
				out[k] = out[k - 1];
		if (k < max)
			out[k] = r;
		n++;
	}
	return n;
}

static void
option(lines *out, bool sel, const char *num, int role)
{
	lines_newline(out);
	if (sel)
		lines_fill(out, TR_SELECTED);
	lines_put(out, sel ? TR_SELECTED : TR_KEY, num);
	(void)role;
}

static void
prompt(lines *out, const char *what, size_t n, int width)
{
	char buf[200], range[24];

	/* issue #16: the prompt names as many options as there are, on one line */
	if (n > 1)
		snprintf(range, sizeof range, "1-%zu", n);
	else
		snprintf(range, sizeof range, "1");
	snprintf(buf, sizeof buf, " %s (%s, j/k, Enter; Esc cancels)", what, range);
	if ((int)strlen(buf) > width)
		snprintf(buf, sizeof buf, " %s %s, Enter, Esc", what, range);
	lines_newline(out);
	lines_put(out, TR_PROMPT, buf);
}

/* The pattern chosen, repeated on every later step. */
static void
chosen(lines *out, const struct msugg *s, const char *label)
{
	lines_newline(out);
	lines_put(out, TR_DIM, label);
	lines_put_untrusted(out, TR_TITLE, s->pattern, strlen(s->pattern));
}

/* Why a suggestion covers nothing (issue #16), when it can be told. */
static void
covers_zero(lines *out, const struct mgroup *g, const struct msugg *s)
{
	lines_newline(out);
	lines_put(out, TR_MARK_DIFFERS, "   covers 0: ");
	if (g->others_n > 0) {
		lines_put(out, TR_MARK_DIFFERS, "the requests also run ");
		lines_put_untrusted(out, TR_ESCAPED, g->others_ex != NULL ? g->others_ex : "other parts",
		    g->others_ex != NULL ? strlen(g->others_ex) : 11);
		lines_put(out, TR_MARK_DIFFERS, ", which it does not cover");
	} else if (s->covers_high) {
		lines_put(out, TR_MARK_DIFFERS, "what it matches is high or critical, above the rule's ceiling");
	} else {
		lines_put(out, TR_MARK_DIFFERS, "no waiting request matches it as a whole");
	}
}

static void
also(lines *out, model *m, const struct mgroup *g, const struct msugg *s, size_t scope, int width)
{
	const struct mreq *v[PICKER_ALSO];
	size_t n = picker_also(m, g, s->pattern, scope, v, PICKER_ALSO);
	char buf[64];

	for (size_t i = 0; i < n && i < PICKER_ALSO; i++) {
		lines_newline(out);
		snprintf(buf, sizeof buf, "   also #%lld ", (long long)v[i]->id);
		lines_put(out, TR_DIM, buf);
		lines_put_clip(out, TR_NORMAL, v[i]->summary, strlen(v[i]->summary), width - lines_col(out));
	}
	if (n > PICKER_ALSO) {
		lines_newline(out);
		snprintf(buf, sizeof buf, "   and %zu more waiting", n - PICKER_ALSO);
		lines_put(out, TR_DIM, buf);
	}
}

void
picker_leaves(lines *out, const struct msugg *s, const char *indent)
{
	if (s->whole)
		return;
	lines_newline(out);
	lines_put(out, TR_DIM, indent);
	lines_put(out, TR_MARK_DIFFERS, "answers only part of each line: ");
	if (s->leaves != NULL) {
		lines_put_untrusted(out, TR_ESCAPED, s->leaves, strlen(s->leaves));
		lines_put(out, TR_MARK_DIFFERS, " still asks a person");
	} else {
		lines_put(out, TR_MARK_DIFFERS, "the rest still asks a person");
	}
}

void
picker_format(lines *out, const struct picker *p, model *m, const struct mgroup *g, int width)
{
	const struct msugg *s = g->nsugg > 0 ? &g->sugg[p->pattern < (size_t)g->nsugg ? p->pattern : 0] : NULL;
	size_t n = picker_options(p, g);
	char buf[200];

	if (s == NULL)
		return;
	lines_wrap(out, width, 4);
	switch (p->step) {
	case PK_PATTERN:
		prompt(out, "Remember which pattern?", n, width);
		for (size_t i = 0; i < n; i++) {
			const struct msugg *o = &g->sugg[i];
			bool sel = i == p->pattern;

			snprintf(buf, sizeof buf, " %zu ", i + 1);
			option(out, sel, buf, 0);
			lines_put_untrusted(out, sel ? TR_SELECTED : TR_NORMAL, o->pattern, strlen(o->pattern));
			view_sugg_terms(buf, sizeof buf, o); /* what saving it makes (issue #17) */
			lines_put(out, sel ? TR_SELECTED : TR_DIM, buf);
			if (!o->priced)
				snprintf(buf, sizeof buf, "  covers %lld so far", (long long)o->covers);
			else if (o->covers > (int64_t)g->n)
				snprintf(buf, sizeof buf, "  covers %lld: %zu here, %lld more waiting", (long long)o->covers,
				    g->n, (long long)(o->covers - (int64_t)g->n));
			else
				snprintf(buf, sizeof buf, "  covers %lld", (long long)o->covers);
			lines_put(out, sel ? TR_SELECTED : TR_DIM, buf);
			if (o->covers_high)
				lines_put(out, TR_RISK_HIGH, " incl. high/critical");
			if (sel && o->reason != NULL) {
				lines_newline(out);
				lines_put(out, TR_DIM, "   ");
				lines_put_untrusted(out, TR_DIM, o->reason, strlen(o->reason));
			}
			if (sel)
				picker_leaves(out, o, "   ");
			if (sel && o->priced && o->covers == 0)
				covers_zero(out, g, o);
			else if (sel)
				also(out, m, g, o, 0, width);
		}
		break;
	case PK_SCOPE:
		chosen(out, s, " pattern ");
		prompt(out, "For whom?", n, width);
		for (size_t i = 0; i < n; i++) {
			const char *v = picker_scope_value(g, i);
			const struct mreq *dummy[1];
			size_t more = picker_also(m, g, s->pattern, i, dummy, 1);

			snprintf(buf, sizeof buf, " %zu ", i + 1);
			option(out, i == p->scope, buf, 0);
			snprintf(buf, sizeof buf, "%-10s", scopes[i]);
			lines_put(out, i == p->scope ? TR_SELECTED : TR_NORMAL, buf);
			if (i == 3)
				lines_put(out, i == p->scope ? TR_SELECTED : TR_DIM, "every agent and session");
			else if (v != NULL)
				lines_put_clip(out, i == p->scope ? TR_SELECTED : TR_DIM, v, strlen(v), width / 2);
			else
				lines_put(out, TR_DIM, "(none known: cannot be chosen)");
			if (more > 0) {
				snprintf(buf, sizeof buf, "  +%zu waiting", more);
				lines_put(out, i == p->scope ? TR_SELECTED : TR_DIM, buf);
			}
		}
		break;
	case PK_TTL:
		chosen(out, s, " pattern ");
		prompt(out, "For how long?", n, width);
		for (size_t i = 0; i < n; i++) {
			snprintf(buf, sizeof buf, " %zu ", i + 1);
			option(out, i == p->ttl, buf, 0);
			lines_put(out, i == p->ttl ? TR_SELECTED : TR_NORMAL, ttls[i].label);
		}
		break;
	case PK_CEILING:
		chosen(out, s, " pattern ");
		prompt(out, "An allow applies up to which risk?", n, width);
		for (size_t i = 0; i < n; i++) {
			bool sel = i == p->ceiling;

			snprintf(buf, sizeof buf, " %zu ", i + 1);
			option(out, sel, buf, 0);
			lines_put(out, sel ? TR_SELECTED : TR_NORMAL, risk_level_name(ceilings[i]));
			if (ceilings[i] == g->max_level)
				lines_put(out, sel ? TR_SELECTED : TR_DIM, "  (this group)");
			if (ceilings[i] == RISK_CRITICAL)
				lines_put(out, sel ? TR_SELECTED : TR_RISK_CRITICAL, "  asks for y");
		}
		break;
	case PK_CONFIRM: {
		const char *v = picker_scope_value(g, p->scope);

		lines_newline(out);
		lines_put(out, TR_PROMPT, " Remember ");
		lines_put_untrusted(out, TR_TITLE, s->pattern, strlen(s->pattern));
		picker_leaves(out, s, "   ");
		lines_newline(out);
		snprintf(buf, sizeof buf, "   for %s", scopes[p->scope]);
		lines_put(out, TR_NORMAL, buf);
		if (v != NULL) {
			lines_put(out, TR_NORMAL, " ");
			lines_put_clip(out, TR_NORMAL, v, strlen(v), width / 3);
		}
		snprintf(buf, sizeof buf, ", %s, an allow up to %s", ttls[p->ttl].label, risk_level_name(ceilings[p->ceiling]));
		lines_put(out, TR_NORMAL, buf);
		lines_newline(out);
		snprintf(buf, sizeof buf, "   and decide the group's %zu now: ", g->n);
		lines_put(out, TR_PROMPT, buf);
		lines_put(out, TR_KEY, "a");
		lines_put(out, TR_ALLOW, " allow  ");
		lines_put(out, TR_KEY, "d");
		lines_put(out, TR_DENY, " deny");
		if (lines_col(out) + 21 <= width)
			lines_put(out, TR_DIM, "  (other keys cancel)");
		break;
	}
	}
	lines_wrap(out, 0, 0);
}
