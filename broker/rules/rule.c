/* rule.c -- rule set: storage, precedence, scope, expiry, hits. */
#include "broker/rules/rule.h"
#include "broker/rules/ruleindex.h"
#include "proto/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sgrule {
	int64_t id;
	enum rule_effect effect;
	pattern *pat;
	enum rule_scope scope;
	char *scope_value, *author_name, *note, *origin;
	char *pin_path, *pin_sha256, *made_session, *made_agent, *made_workspace;
	int64_t expires_ms, author_uid, created_ms, hits, last_hit_ms, revoked_ms;
	enum rule_level max_level;
	bool indexed, dirty;
	struct sgrule *prev, *next; /* id order */
	struct sgrule *next_dirty;
};

struct ruleset {
	table *by_id;
	ruleindex *ix;
	rule *head, *tail;
	rule *dirty;
	size_t count;
	int64_t next_id;
};

static const char *const scope_names[SCOPE_COUNT] = {
	"once", "session", "agent", "workspace", "global",
};
static const char *const level_names[] = { "low", "medium", "high", "critical" };

const char *
rule_scope_name(enum rule_scope s)
{
	return (unsigned)s < SCOPE_COUNT ? scope_names[s] : "?";
}

int
rule_scope_parse(const char *s)
{
	for (int i = 0; s != NULL && i < SCOPE_COUNT; i++)
		if (strcmp(s, scope_names[i]) == 0)
			return i;
	return -1;
}

const char *
rule_level_name(enum rule_level l)
{
	return (unsigned)l <= RL_CRITICAL ? level_names[l] : "?";
}

int
rule_level_parse(const char *s)
{
	for (int i = 0; s != NULL && i <= RL_CRITICAL; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

const char *
rule_effect_name(enum rule_effect e)
{
	return e == RULE_DENY ? "deny" : "allow";
}

/* ---- construction ---- */

void
rule_free(rule *r)
{
	if (r == NULL)
		return;
	pattern_free(r->pat);
	free(r->scope_value);
	free(r->author_name);
	free(r->note);
	free(r->origin);
	free(r->pin_path);
	free(r->pin_sha256);
	free(r->made_session);
	free(r->made_agent);
	free(r->made_workspace);
	free(r);
}

static char *
dup_opt(const char *s, bool *oom)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*oom = true;
	return d;
}

rule *
rule_new(const struct rule_spec *spec, char *err, size_t errlen)
{
	rule *r;
	bool oom = false;

	if (spec->pattern == NULL) {
		snprintf(err, errlen, "a rule needs a pattern");
		return NULL;
	}
	if ((unsigned)spec->scope >= SCOPE_COUNT || (unsigned)spec->max_level > RL_CRITICAL ||
	    (spec->effect != RULE_ALLOW && spec->effect != RULE_DENY)) {
		snprintf(err, errlen, "bad effect, scope or level");
		return NULL;
	}
	if ((spec->scope == SCOPE_SESSION || spec->scope == SCOPE_AGENT ||
	    spec->scope == SCOPE_WORKSPACE) && (spec->scope_value == NULL || *spec->scope_value == '\0')) {
		snprintf(err, errlen, "scope %s needs a scope value", scope_names[spec->scope]);
		return NULL;
	}
	if ((spec->pin_path != NULL) != (spec->pin_sha256 != NULL) ||
	    (spec->pin_path != NULL && (spec->pin_path[0] != '/' || strlen(spec->pin_sha256) != 64 ||
	    strspn(spec->pin_sha256, "0123456789abcdef") != 64))) {
		snprintf(err, errlen, "a pin needs an absolute path and a SHA-256 in lower-case hex");
		return NULL;
	}
	if (spec->scope == SCOPE_WORKSPACE && spec->scope_value[0] != '/') {
		snprintf(err, errlen, "a workspace scope value must be an absolute path");
		return NULL;
	}
	if ((r = calloc(1, sizeof *r)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((r->pat = pattern_parse(spec->pattern, strlen(spec->pattern), err, errlen)) == NULL) {
		free(r);
		return NULL;
	}
	r->id = spec->id;
	r->effect = spec->effect;
	r->scope = spec->scope;
	r->scope_value = spec->scope == SCOPE_GLOBAL ? NULL : dup_opt(spec->scope_value, &oom);
	r->author_name = dup_opt(spec->author_name, &oom);
	r->note = dup_opt(spec->note, &oom);
	r->origin = dup_opt(spec->origin, &oom);
	r->pin_path = dup_opt(spec->pin_path, &oom);
	r->pin_sha256 = dup_opt(spec->pin_sha256, &oom);
	r->made_session = dup_opt(spec->made_session, &oom);
	r->made_agent = dup_opt(spec->made_agent, &oom);
	r->made_workspace = dup_opt(spec->made_workspace, &oom);
	if (r->scope == SCOPE_WORKSPACE && r->scope_value != NULL)
		paths_normalize(r->scope_value);
	r->expires_ms = spec->expires_ms;
	r->author_uid = spec->author_uid;
	r->created_ms = spec->created_ms;
	r->hits = spec->hits;
	r->last_hit_ms = spec->last_hit_ms;
	r->revoked_ms = spec->revoked_ms;
	r->max_level = spec->max_level;
	if (oom) {
		rule_free(r);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return r;
}

ruleset *
ruleset_new(void)
{
	ruleset *rs = calloc(1, sizeof *rs);

	if (rs == NULL)
		return NULL;
	if ((rs->by_id = table_new()) == NULL || (rs->ix = ruleindex_new()) == NULL) {
		table_free(rs->by_id);
		free(rs);
		return NULL;
	}
	rs->next_id = 1;
	return rs;
}

void
ruleset_free(ruleset *rs)
{
	rule *r, *next;

	if (rs == NULL)
		return;
	for (r = rs->head; r != NULL; r = next) {
		next = r->next;
		rule_free(r);
	}
	ruleindex_free(rs->ix);
	table_free(rs->by_id);
	free(rs);
}

/* Insert r in id order (rules mostly arrive in increasing order). */
static void
link_sorted(ruleset *rs, rule *r)
{
	rule *after = rs->tail;

	while (after != NULL && after->id > r->id)
		after = after->prev;
	r->prev = after;
	r->next = after != NULL ? after->next : rs->head;
	if (r->next != NULL)
		r->next->prev = r;
	else
		rs->tail = r;
	if (after != NULL)
		after->next = r;
	else
		rs->head = r;
}

int
ruleset_adopt(ruleset *rs, rule *r, char *err, size_t errlen)
{
	if (r->id <= 0)
		r->id = rs->next_id;
	if (table_get(rs->by_id, &r->id, sizeof r->id) != NULL) {
		snprintf(err, errlen, "rule %lld already exists", (long long)r->id);
		return -1;
	}
	if (table_put(rs->by_id, &r->id, sizeof r->id, r) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (r->revoked_ms == 0) {
		if (ruleindex_add(rs->ix, r, r->pat) < 0) {
			table_del(rs->by_id, &r->id, sizeof r->id);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		r->indexed = true;
	}
	link_sorted(rs, r);
	rs->count++;
	if (r->id >= rs->next_id)
		rs->next_id = r->id + 1;
	return 0;
}

rule *
ruleset_add(ruleset *rs, const struct rule_spec *spec, char *err, size_t errlen)
{
	rule *r = rule_new(spec, err, errlen);

	if (r != NULL && ruleset_adopt(rs, r, err, errlen) < 0) {
		rule_free(r);
		return NULL;
	}
	return r;
}

static void
unindex(ruleset *rs, rule *r)
{
	if (r->indexed) {
		ruleindex_remove(rs->ix, r, r->pat);
		r->indexed = false;
	}
}

void
ruleset_drop(ruleset *rs, rule *r)
{
	unindex(rs, r);
	table_del(rs->by_id, &r->id, sizeof r->id);
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		rs->head = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	else
		rs->tail = r->prev;
	if (r->dirty) {
		rule **pp = &rs->dirty;

		while (*pp != NULL && *pp != r)
			pp = &(*pp)->next_dirty;
		if (*pp == r)
			*pp = r->next_dirty;
	}
	rs->count--;
	rule_free(r);
}

rule *ruleset_find(const ruleset *rs, int64_t id) { return table_get(rs->by_id, &id, sizeof id); }
int64_t ruleset_next_id(const ruleset *rs) { return rs->next_id; }
size_t ruleset_count(const ruleset *rs) { return rs->count; }
rule *ruleset_first(const ruleset *rs) { return rs->head; }
rule *rule_next(const rule *r) { return r->next; }

void
ruleset_reserve_id(ruleset *rs, int64_t id)
{
	if (id >= rs->next_id)
		rs->next_id = id + 1;
}

/* ---- evaluation ---- */

bool
rule_active(const rule *r, int64_t now_ms)
{
	return r->revoked_ms == 0 && (r->expires_ms == 0 || now_ms < r->expires_ms);
}

static bool
scope_applies(const rule *r, const struct rule_ctx *c)
{
	switch (r->scope) {
	case SCOPE_ONCE:
		return r->scope_value == NULL || (c->session != NULL && strcmp(r->scope_value, c->session) == 0);
	case SCOPE_SESSION:
		return c->session != NULL && strcmp(r->scope_value, c->session) == 0;
	case SCOPE_AGENT:
		return c->agent != NULL && strcmp(r->scope_value, c->agent) == 0;
	case SCOPE_WORKSPACE:
		return c->workspace != NULL && subject_path_within(c->workspace, r->scope_value);
	case SCOPE_GLOBAL:
		return true;
	default:
		return false;
	}
}

/* The best rules found so far for one part. */
struct part_eval {
	const struct subject *s;
	const struct subj_part *part;
	const struct rule_ctx *ctx;
	const rule *extra;
	int best;                 /* scope rank of the best match, SCOPE_COUNT if none */
	const rule *deny, *allow;
	const rule *pin_changed;  /* a pinned rule matched, but not the file's content */
	bool extra_matched;       /* the extra rule's pattern matched (any level) */
};

/* Is the file part p runs still the one r pinned? */
static bool
pin_holds(const rule *r, const struct subj_part *p, const struct rule_ctx *c)
{
	char hex[65];

	if (r->pin_sha256 == NULL)
		return true;
	if (p->kind != SK_EXEC || p->run_path == NULL || c->pin_hash == NULL ||
	    strcmp(p->run_path, r->pin_path) != 0)
		return false;
	return c->pin_hash(c->pin_arg, p->run_path, hex) == 0 && strcmp(hex, r->pin_sha256) == 0;
}

static void
consider(struct part_eval *pe, const rule *r)
{
	if (!rule_active(r, pe->ctx->now_ms) || (int)r->scope > pe->best || !scope_applies(r, pe->ctx))
		return;
	if (r->effect == RULE_ALLOW && (pe->ctx->no_allow || pe->ctx->level > r->max_level)) {
		if (r == pe->extra && pattern_match_part(r->pat, pe->s, pe->part))
			pe->extra_matched = true;
		return;
	}
	if (!pattern_match_part(r->pat, pe->s, pe->part))
		return;
	if (r->effect == RULE_ALLOW && !pin_holds(r, pe->part, pe->ctx)) {
		if (pe->pin_changed == NULL)
			pe->pin_changed = r;
		return;
	}
	if (r == pe->extra)
		pe->extra_matched = true;
	if ((int)r->scope < pe->best) {
		pe->best = (int)r->scope;
		pe->deny = pe->allow = NULL;
	}
	if (r->effect == RULE_DENY) {
		if (pe->deny == NULL || r->id < pe->deny->id)
			pe->deny = r;
	} else if (pe->allow == NULL || r->id < pe->allow->id) {
		pe->allow = r;
	}
}

static bool
consider_cb(void *arg, void *item)
{
	consider(arg, item);
	return true;
}

static void
note_used(struct rule_verdict *out, const rule *r)
{
	for (size_t i = 0; i < out->nused; i++)
		if (out->used[i] == r)
			return;
	if (out->nused < VERDICT_MAX_USED)
		out->used[out->nused++] = (rule *)r;
}

int
ruleset_eval(const ruleset *rs, const struct subject *s, const struct rule_ctx *ctx,
    const rule *extra, struct rule_verdict *out)
{
	const rule *deny = NULL, *first_allow = NULL;

	memset(out, 0, sizeof *out);
	out->v = VERDICT_NONE;
	out->first_uncovered = s->nparts;
	if (s->unparsed || s->nparts == 0) {
		out->first_uncovered = 0;
		out->nuncovered = s->nparts ? s->nparts : 1;
		return s->nparts == 0 ? -1 : 0;
	}
	for (size_t i = 0; i < s->nparts; i++) {
		struct part_eval pe = { .s = s, .part = &s->parts[i], .ctx = ctx, .extra = extra,
		                        .best = SCOPE_COUNT };

		ruleindex_candidates(rs->ix, s, &s->parts[i], consider_cb, &pe);
		if (extra != NULL)
			consider(&pe, extra);
		out->extra_matched_any |= pe.extra_matched;
		if (pe.deny != NULL) {
			if (deny == NULL)
				deny = pe.deny;
			if (pe.deny == extra)
				out->extra_used = true;
			continue;
		}
		if (pe.allow != NULL) {
			if (pe.allow == extra)
				out->extra_used = true;
			else
				note_used(out, pe.allow);
			if (first_allow == NULL)
				first_allow = pe.allow;
			continue;
		}
		if (out->nuncovered++ == 0)
			out->first_uncovered = i;
		if (pe.pin_changed != NULL && out->pin_changed == NULL) {
			out->pin_changed = (rule *)pe.pin_changed;
			out->pin_part = i;
		}
	}
	if (deny != NULL) {
		out->v = VERDICT_DENY;
		out->rule = (rule *)deny;
		out->nused = 0;
		if (deny != extra)
			note_used(out, deny);
	} else if (out->nuncovered == 0) {
		out->v = VERDICT_ALLOW;
		out->rule = (rule *)first_allow;
	}
	return 0;
}

bool
rule_matches_part(const rule *r, const struct subject *s, size_t i)
{
	return i < s->nparts && pattern_match_part(r->pat, s, &s->parts[i]);
}

/* ---- bookkeeping ---- */

static void
mark_dirty(ruleset *rs, rule *r)
{
	if (!r->dirty) {
		r->dirty = true;
		r->next_dirty = rs->dirty;
		rs->dirty = r;
	}
}

void
ruleset_hit(ruleset *rs, rule *r, int64_t now_ms)
{
	r->hits++;
	r->last_hit_ms = now_ms;
	mark_dirty(rs, r);
	if (r->scope == SCOPE_ONCE)
		ruleset_revoke(rs, r, now_ms);
}

void
ruleset_revoke(ruleset *rs, rule *r, int64_t now_ms)
{
	if (r->revoked_ms != 0)
		return;
	r->revoked_ms = now_ms > 0 ? now_ms : 1;
	unindex(rs, r);
}

size_t
ruleset_sweep(ruleset *rs, int64_t now_ms)
{
	size_t n = 0;

	for (rule *r = rs->head; r != NULL; r = r->next) {
		if (r->indexed && !rule_active(r, now_ms)) {
			unindex(rs, r);
			n++;
		}
	}
	return n;
}

size_t
ruleset_take_dirty(ruleset *rs, rule **out, size_t max)
{
	size_t n = 0;

	while (rs->dirty != NULL && n < max) {
		rule *r = rs->dirty;

		rs->dirty = r->next_dirty;
		r->next_dirty = NULL;
		r->dirty = false;
		out[n++] = r;
	}
	return n;
}

int64_t rule_id(const rule *r) { return r->id; }
enum rule_effect rule_effect(const rule *r) { return r->effect; }
const pattern *rule_pattern(const rule *r) { return r->pat; }
const char *rule_text(const rule *r) { return pattern_text(r->pat); }
enum rule_scope rule_scope(const rule *r) { return r->scope; }
const char *rule_scope_value(const rule *r) { return r->scope_value; }
int64_t rule_expires_ms(const rule *r) { return r->expires_ms; }
int64_t rule_author_uid(const rule *r) { return r->author_uid; }
const char *rule_author_name(const rule *r) { return r->author_name; }
const char *rule_note(const rule *r) { return r->note; }
const char *rule_origin(const rule *r) { return r->origin; }
int64_t rule_created_ms(const rule *r) { return r->created_ms; }
int64_t rule_hits(const rule *r) { return r->hits; }
int64_t rule_last_hit_ms(const rule *r) { return r->last_hit_ms; }
int64_t rule_revoked_ms(const rule *r) { return r->revoked_ms; }
enum rule_level rule_max_level(const rule *r) { return r->max_level; }
bool rule_revoked(const rule *r) { return r->revoked_ms != 0; }
const char *rule_pin_path(const rule *r) { return r->pin_path; }
const char *rule_pin_sha256(const rule *r) { return r->pin_sha256; }
const char *rule_made_session(const rule *r) { return r->made_session; }
const char *rule_made_agent(const rule *r) { return r->made_agent; }
const char *rule_made_workspace(const rule *r) { return r->made_workspace; }
