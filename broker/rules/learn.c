/* learn.c -- the index suggestions learn from (learn.h). */
#include "broker/rules/learn.h"
#include "proto/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One earlier session that allowed the pattern (its first rule's context;
 * nrules: how many of its rules count). */
struct lrec {
	int64_t nrules, author_uid;
	char *session, *agent, *workspace, *author;
	enum rule_level max_level;
};

struct lentry {
	struct lrec v[LEARN_MAX_SESSIONS];
	size_t n;
	size_t denies;            /* a person's deny rules with this pattern */
};

struct learn {
	table *by_pattern;
	struct lentry **all;      /* for freeing */
	size_t nall, capall;
};

learn *
learn_new(void)
{
	learn *L = calloc(1, sizeof *L);

	if (L != NULL && (L->by_pattern = table_new()) == NULL) {
		free(L);
		return NULL;
	}
	return L;
}

static void
rec_free(struct lrec *r)
{
	free(r->session);
	free(r->agent);
	free(r->workspace);
	free(r->author);
}

void
learn_free(learn *L)
{
	if (L == NULL)
		return;
	for (size_t i = 0; i < L->nall; i++) {
		for (size_t k = 0; k < L->all[i]->n; k++)
			rec_free(&L->all[i]->v[k]);
		free(L->all[i]);
	}
	free(L->all);
	table_free(L->by_pattern);
	free(L);
}

static struct lentry *
entry(learn *L, const char *pat, bool make)
{
	struct lentry *e = table_get(L->by_pattern, pat, strlen(pat));

	if (e != NULL || !make)
		return e;
	if (L->nall == L->capall) {
		size_t cap = L->capall ? L->capall * 2 : 64;
		struct lentry **v = realloc(L->all, cap * sizeof *v);

		if (v == NULL)
			return NULL;
		L->all = v;
		L->capall = cap;
	}
	if ((e = calloc(1, sizeof *e)) == NULL)
		return NULL;
	if (table_put(L->by_pattern, pat, strlen(pat), e) < 0) {
		free(e);
		return NULL;
	}
	L->all[L->nall++] = e;
	return e;
}

static bool
made_by_sandgate(const rule *r)
{
	const char *o = rule_origin(r);

	return o != NULL && strncmp(o, "preset", 6) == 0;
}

/* Does r count as a person's remembered allow? */
static bool
counts(const rule *r)
{
	return rule_effect(r) == RULE_ALLOW && rule_made_session(r) != NULL && !made_by_sandgate(r) &&
	    (!rule_revoked(r) || rule_scope(r) == SCOPE_ONCE);
}

static char *
dup_or_null(const char *s, bool *oom)
{
	char *d = s != NULL ? strdup(s) : NULL;

	if (s != NULL && d == NULL)
		*oom = true;
	return d;
}

void
learn_add(learn *L, const rule *r)
{
	struct lentry *e;
	struct lrec *x;
	bool oom = false;

	if (L == NULL)
		return;
	if (rule_effect(r) == RULE_DENY) {
		if (!rule_revoked(r) && !made_by_sandgate(r) && (e = entry(L, rule_text(r), true)) != NULL)
			e->denies++;
		return;
	}
	if (!counts(r) || (e = entry(L, rule_text(r), true)) == NULL)
		return;
	for (size_t i = 0; i < e->n; i++) {
		if (strcmp(e->v[i].session, rule_made_session(r)) == 0) {
			e->v[i].nrules++; /* one session is one session */
			if (rule_max_level(r) > e->v[i].max_level)
				e->v[i].max_level = rule_max_level(r);
			return;
		}
	}
	if (e->n == LEARN_MAX_SESSIONS)
		return; /* enough evidence kept: more changes nothing a threshold can say */
	x = &e->v[e->n];
	memset(x, 0, sizeof *x);
	x->nrules = 1;
	x->author_uid = rule_author_uid(r);
	x->max_level = rule_max_level(r);
	x->session = dup_or_null(rule_made_session(r), &oom);
	x->agent = dup_or_null(rule_made_agent(r), &oom);
	x->workspace = dup_or_null(rule_made_workspace(r), &oom);
	x->author = dup_or_null(rule_author_name(r), &oom);
	if (oom) {
		rec_free(x);
		return;
	}
	e->n++;
}

void
learn_revoked(learn *L, const rule *r)
{
	struct lentry *e;

	if (L == NULL || (e = entry(L, rule_text(r), false)) == NULL)
		return;
	if (rule_effect(r) == RULE_DENY) {
		if (!made_by_sandgate(r) && e->denies > 0)
			e->denies--;
		return;
	}
	if (rule_scope(r) == SCOPE_ONCE)
		return; /* used up, or revoked: a once rule was allowed once either way */
	for (size_t i = 0; rule_made_session(r) != NULL && i < e->n; i++) {
		if (strcmp(e->v[i].session, rule_made_session(r)) != 0)
			continue;
		if (--e->v[i].nrules > 0)
			return;
		rec_free(&e->v[i]);
		e->v[i] = e->v[--e->n];
		return;
	}
}

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Records of e that count for this group: another session, and the agent
 * (by_agent) or the workspace. */
static bool
relevant(const struct lrec *x, const char *session, const char *agent, const char *workspace, bool by_agent)
{
	if (x->session == NULL || same(x->session, session))
		return false;
	return by_agent ? same(x->agent, agent) : same(x->workspace, workspace);
}

/* Sessions among the relevant records (each record is one session);
 * *one_ws: all of them in workspace. */
static size_t
count_sessions(const struct lentry *e, const char *session, const char *agent, const char *workspace,
    bool by_agent, bool *one_ws, enum rule_level *ceiling)
{
	size_t n = 0;

	*one_ws = workspace != NULL;
	*ceiling = RL_LOW;
	for (size_t i = 0; i < e->n; i++) {
		const struct lrec *x = &e->v[i];

		if (!relevant(x, session, agent, workspace, by_agent))
			continue;
		if (!same(x->workspace, workspace))
			*one_ws = false;
		if (x->max_level > *ceiling)
			*ceiling = x->max_level;
		n++;
	}
	return n;
}

/* The name a record's author is shown by. */
static const char *
author_of(const struct lrec *x, char *buf, size_t cap)
{
	if (x->author != NULL && *x->author != '\0')
		return x->author;
	snprintf(buf, cap, "uid %lld", (long long)x->author_uid);
	return buf;
}

/* ", by alice, bob and 2 others" from the relevant records. */
static void
authors(const struct lentry *e, const char *session, const char *agent, const char *workspace, bool by_agent,
    char *out, size_t cap)
{
	size_t shown[3], nn = 0, more = 0, len;
	char b1[32], b2[32];

	for (size_t i = 0; i < e->n; i++) {
		const char *nm;
		bool seen = false;

		if (!relevant(&e->v[i], session, agent, workspace, by_agent))
			continue;
		nm = author_of(&e->v[i], b1, sizeof b1);
		for (size_t k = 0; k < nn && !seen; k++)
			seen = strcmp(author_of(&e->v[shown[k]], b2, sizeof b2), nm) == 0;
		/* beyond three names, count the others once each (rare: O(n) more) */
		for (size_t k = 0; k < i && !seen && nn == 3; k++)
			seen = relevant(&e->v[k], session, agent, workspace, by_agent) &&
			    strcmp(author_of(&e->v[k], b2, sizeof b2), nm) == 0;
		if (seen)
			continue;
		if (nn < 3)
			shown[nn++] = i;
		else
			more++;
	}
	len = (size_t)snprintf(out, cap, ", by");
	for (size_t k = 0; k < nn && len < cap; k++)
		len += (size_t)snprintf(out + len, cap - len, "%s %.40s",
		    k == 0 ? "" : k + 1 == nn && more == 0 ? " and" : ",", author_of(&e->v[shown[k]], b1, sizeof b1));
	if (more > 0 && len < cap)
		snprintf(out + len, cap - len, " and %zu other%s", more, more == 1 ? "" : "s");
}

bool
learn_lookup(const learn *L, const char *pat, const char *session, const char *agent,
    const char *workspace, size_t threshold, struct learn_result *out)
{
	const struct lentry *e;
	enum rule_level ceil_a = RL_LOW, ceil_w = RL_LOW;
	size_t na = 0, nw = 0;
	bool one_a = false, one_w = false, by_agent;
	char who[160];

	if (L == NULL || pat == NULL || threshold < 2)
		return false;
	if ((e = table_get(L->by_pattern, pat, strlen(pat))) == NULL || e->denies > 0)
		return false;
	if (agent != NULL)
		na = count_sessions(e, session, agent, workspace, true, &one_a, &ceil_a);
	if (workspace != NULL)
		nw = count_sessions(e, session, agent, workspace, false, &one_w, &ceil_w);
	if (na < threshold && nw < threshold)
		return false;
	memset(out, 0, sizeof *out);
	/* the agent's sessions, all in this one workspace: remember it for the
	 * workspace; spread over several, for the agent; other agents' sessions
	 * in this workspace: for the workspace */
	by_agent = na >= threshold && !(one_a && workspace != NULL);
	if (by_agent) {
		out->scope = SCOPE_AGENT;
		snprintf(out->value, sizeof out->value, "%s", agent);
		out->sessions = na;
		out->ceiling = ceil_a;
	} else {
		out->scope = SCOPE_WORKSPACE;
		snprintf(out->value, sizeof out->value, "%s", workspace);
		out->sessions = na >= threshold ? na : nw;
		out->ceiling = na >= threshold ? ceil_a : ceil_w;
	}
	authors(e, session, agent, workspace, by_agent || na >= threshold, who, sizeof who);
	if (by_agent)
		snprintf(out->reason, sizeof out->reason, "allowed in %zu earlier sessions of %.60s%s", out->sessions,
		    agent, who);
	else if (na >= threshold)
		snprintf(out->reason, sizeof out->reason, "allowed in %zu earlier sessions of %.60s, all in %.80s%s",
		    out->sessions, agent, workspace, who);
	else
		snprintf(out->reason, sizeof out->reason, "allowed in %zu earlier sessions in %.80s%s", out->sessions,
		    workspace, who);
	return true;
}
