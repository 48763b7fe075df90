/* suggest.c -- offers: what saving a group's suggestion makes (suggest.h). */
#include "broker/rules/suggest.h"
#include "broker/rules/pattern.h"
#include "broker/rules/pin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void
suggest_defaults(struct suggest_cfg *cfg)
{
	cfg->learn_sessions = 2;
	cfg->learn_ttl_s = 30LL * 86400;
	cfg->high_ttl_s = 8LL * 3600;
}

void
suggest_info_free(struct suggest_info *si)
{
	free(si->run_path);
	free(si->workspace);
	free(si->home);
	memset(si, 0, sizeof *si);
}

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static const struct subj_part *
key_part_of(const struct group_member *m)
{
	return m->key_part < m->subj->nparts ? &m->subj->parts[m->key_part] : NULL;
}

void
suggest_info_scan(struct suggest_info *si, const struct group_member *const *m, size_t n)
{
	const char *run = NULL, *ws = NULL;
	bool run_same = n > 0, ws_same = n > 0, any_run = false;

	suggest_info_free(si);
	for (size_t i = 0; i < n; i++) {
		const struct subj_part *p = key_part_of(m[i]);
		const char *rp = p != NULL && p->kind == SK_EXEC ? p->run_path : NULL;

		if (i == 0) {
			run = rp;
			ws = m[i]->subj->workspace;
		}
		run_same = run_same && same(rp, run);
		any_run = any_run || rp != NULL;
		ws_same = ws_same && same(m[i]->subj->workspace, ws);
	}
	si->run_path = run_same && run != NULL ? strdup(run) : NULL;
	si->run_mixed = any_run && si->run_path == NULL;
	if (si->run_path != NULL) {
		/* one lstat per membership change: a file a pin cannot hash is not offered pinned */
		struct stat st;

		si->run_unpinnable = lstat(si->run_path, &st) < 0 || !S_ISREG(st.st_mode) ||
		    st.st_size > (off_t)PIN_MAX_BYTES;
	}
	si->workspace = ws_same ? strdup(ws) : NULL;
	si->home = n > 0 && m[0]->subj->home != NULL ? strdup(m[0]->subj->home) : NULL;
}

void
suggest_ttl_text(int64_t ttl_s, char *out, size_t cap)
{
	if (ttl_s <= 0)
		snprintf(out, cap, "no expiry");
	else if (ttl_s % 86400 == 0)
		snprintf(out, cap, "%lld d", (long long)(ttl_s / 86400));
	else if (ttl_s % 3600 == 0)
		snprintf(out, cap, "%lld h", (long long)(ttl_s / 3600));
	else if (ttl_s % 60 == 0)
		snprintf(out, cap, "%lld min", (long long)(ttl_s / 60));
	else
		snprintf(out, cap, "%lld s", (long long)ttl_s);
}

/* Does the pattern name the file run (a literal word or path glob without
 * wildcards whose last component is the file's name)?  Only such a pattern
 * is pinned: `exec python *` means any script, and stays so. */
static bool
names_file(const char *text, const char *run)
{
	const char *base = strrchr(run, '/'), *w;
	char err[128];
	pattern *p = pattern_parse(text, strlen(text), err, sizeof err);
	bool yes = false;

	base = base != NULL ? base + 1 : run;
	for (size_t i = 0; p != NULL && !yes && pattern_kind(p) == SK_EXEC && i < pattern_nwords(p); i++) {
		int anchor, up;
		enum pattern_word_type t = pattern_word(p, i, &w, &anchor, &up);
		const char *last;

		if ((t != PW_LITERAL && t != PW_PATH) || strpbrk(w, "*?[\\") != NULL)
			continue;
		last = strrchr(w, '/');
		yes = strcmp(last != NULL ? last + 1 : w, base) == 0;
	}
	pattern_free(p);
	return yes;
}

/* Copy base into o with the offer's terms; -1 on out of memory. */
static int
offer(struct group_suggestion *o, const struct group_suggestion *base, enum rule_scope scope,
    const char *value, int64_t ttl_s, enum rule_level ceiling, const char *reason, bool learned, bool pin)
{
	*o = *base;
	o->scope = scope;
	o->ttl_s = ttl_s;
	o->ceiling = ceiling;
	o->learned = learned;
	o->pin = pin;
	o->pattern = strdup(base->pattern);
	o->scope_value = value != NULL ? strdup(value) : NULL;
	o->reason = reason != NULL ? strdup(reason) : NULL;
	o->leaves = base->leaves != NULL ? strdup(base->leaves) : NULL;
	if (o->pattern == NULL || (value != NULL && o->scope_value == NULL) || (reason != NULL && o->reason == NULL) ||
	    (base->leaves != NULL && o->leaves == NULL)) {
		free(o->pattern);
		free(o->scope_value);
		free(o->reason);
		free(o->leaves);
		return -1;
	}
	return 0;
}

size_t
suggest_offers(const learn *L, const struct suggest_cfg *cfg, const struct suggest_group *g,
    const struct group_suggestion *base, size_t nbase, struct group_suggestion *out)
{
	const struct suggest_info *si = g->info;
	const char *run = si != NULL ? si->run_path : NULL;
	bool high = g->max_level == RL_HIGH, pin;
	size_t n = 0;
	char why[LEARN_REASON_MAX + 64], ttl[32];

	if (g->max_level >= RL_CRITICAL) {
		/* critical is never remembered: what is offered may only deny */
		for (size_t k = 0; k < nbase && n < GROUP_MAX_OFFERS; k++)
			if (offer(&out[n], &base[k], SCOPE_SESSION, NULL, 0, RL_HIGH, "critical requests are never "
			        "remembered: a rule from this group may only deny", false, false) == 0)
				n++;
		return n;
	}
	if (high) {
		/* exact, pinned when it runs a file (the same one for every member) */
		bool runs_file = run != NULL;

		if (si == NULL || si->run_mixed || (runs_file && si->run_unpinnable))
			return 0; /* no one file to pin */

		suggest_ttl_text(cfg->high_ttl_s, ttl, sizeof ttl);
		snprintf(why, sizeof why, "a high request, remembered narrowly: this exact %s%s, for this session, "
		    "expires after %s", base != NULL && nbase > 0 && strncmp(base[0].pattern, "exec ", 5) == 0
		    ? "command" : "target", runs_file ? ", pinned to the file's content" : "", ttl);
		for (size_t k = 0; k < nbase && n < GROUP_MAX_OFFERS; k++) {
			if (base[k].wide || (runs_file && !names_file(base[k].pattern, run)))
				continue;
			if (offer(&out[n], &base[k], SCOPE_SESSION, NULL, cfg->high_ttl_s, RL_HIGH, why, false, runs_file) == 0)
				n++;
		}
		return n;
	}
	pin = run != NULL && !si->run_unpinnable && pin_suggested_path(run, si->home, si->workspace);
	if (L != NULL && cfg->learn_sessions >= 2) {
		for (size_t k = 0; k < nbase; k++) {
			struct learn_result lr;

			if (!learn_lookup(L, base[k].pattern, g->session, g->agent, si != NULL ? si->workspace : NULL,
			        cfg->learn_sessions, &lr))
				continue;
			bool p = pin && names_file(base[k].pattern, run);

			snprintf(why, sizeof why, "%s%s", lr.reason, p ? "; pinned to the file's current content" : "");
			if (offer(&out[n], &base[k], lr.scope, lr.value, cfg->learn_ttl_s,
			        lr.ceiling < g->max_level ? lr.ceiling : g->max_level, why, true, p) == 0)
				n++;
			break;
		}
	}
	for (size_t k = 0; k < nbase && n < GROUP_MAX_OFFERS; k++) {
		bool p = pin && names_file(base[k].pattern, run);

		if (offer(&out[n], &base[k], SCOPE_SESSION, NULL, 0, g->max_level,
		        p ? "pinned: covers this file while its content is unchanged" : NULL, false, p) == 0)
			n++;
	}
	return n;
}
