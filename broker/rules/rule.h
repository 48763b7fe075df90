/* rule.h -- remembered decisions: a rule set with scopes, expiry, hit counts
 * and the precedence that turns matching rules into one verdict.
 *
 * Precedence, part by part: the narrowest scope with a matching rule decides
 * (once < session < agent < workspace < global); within that scope deny
 * beats allow.  A request is allowed only when every part is allowed, denied
 * when any part is denied, and otherwise left for a person.  An allow rule
 * applies only up to its max_level: a critical request needs a rule that
 * says so explicitly (max_level critical, "critical_ok").  A request flagged
 * for circumvention is never allowed by a rule.  Expiry is fixed at
 * creation; use never extends it.
 *
 * A rule may pin the program or script it allows (issue #17): it then
 * covers an exec part only while the file that part runs is the same path
 * with the same SHA-256 (pin.h).  A part a pinned rule's pattern matched but
 * whose file changed is reported (rule_verdict.pin_changed) so that the
 * person is told "changed since you allowed it".
 *
 * No I/O here: the broker persists rules (rulestore.h); time comes in
 * through rule_ctx.now_ms so tests can move the clock, and file hashes
 * through rule_ctx.pin_hash. */
#ifndef SG_RULE_H
#define SG_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker/rules/pattern.h"
#include "broker/rules/subject.h"

enum rule_effect { RULE_ALLOW, RULE_DENY };
enum rule_scope { SCOPE_ONCE, SCOPE_SESSION, SCOPE_AGENT, SCOPE_WORKSPACE, SCOPE_GLOBAL, SCOPE_COUNT };
/* Risk levels, as the scorer names them. */
enum rule_level { RL_LOW, RL_MEDIUM, RL_HIGH, RL_CRITICAL };

typedef struct sgrule rule;
typedef struct ruleset ruleset;

/* Everything a rule is made from (strings are copied). */
struct rule_spec {
	int64_t id;               /* 0: the set assigns the next id */
	enum rule_effect effect;
	const char *pattern;
	enum rule_scope scope;
	const char *scope_value;  /* session id, agent name, workspace dir; NULL for global */
	int64_t expires_ms;       /* 0: never */
	int64_t author_uid;
	const char *author_name, *note, *origin;
	int64_t created_ms, hits, last_hit_ms, revoked_ms;
	enum rule_level max_level;/* allow rules apply up to this level */
	/* issue #17: the file it pins (resolved path, SHA-256 hex), or NULL */
	const char *pin_path, *pin_sha256;
	/* where it was made: the group's session, agent and workspace (NULL for
	 * rules not made from a group); what suggestions learn from (learn.h) */
	const char *made_session, *made_agent, *made_workspace;
};

/* The request a rule set is asked about. */
struct rule_ctx {
	const char *session, *agent, *workspace;
	enum rule_level level;    /* the request's risk level */
	bool no_allow;            /* circumvention: no allow rule applies */
	int64_t now_ms;
	/* SHA-256 hex (PIN_HEX_LEN + 1 bytes) of the file at path for pinned
	 * rules: 0, or -1 (then no pinned rule covers).  NULL: pinned rules
	 * never cover. */
	int (*pin_hash)(void *arg, const char *path, char *out);
	void *pin_arg;
};

enum verdict { VERDICT_NONE, VERDICT_ALLOW, VERDICT_DENY };

#define VERDICT_MAX_USED 16

struct rule_verdict {
	enum verdict v;
	rule *rule;               /* the deciding rule: the deny, or the first part's allow */
	rule *used[VERDICT_MAX_USED]; /* rules that covered parts (hit counting) */
	size_t nused;
	size_t first_uncovered;   /* first part no rule allowed, or nparts */
	size_t nuncovered;
	bool extra_used;          /* the hypothetical extra rule covered a part */
	bool extra_matched_any;   /* its pattern matched some part (ignoring level) */
	/* a pinned rule whose pattern matched an uncovered part whose file
	 * changed (vanished, became a link...) since the rule was made, or NULL */
	rule *pin_changed;
	size_t pin_part;
};

/* Names on the wire; parse returns -1 when unknown. */
const char *rule_scope_name(enum rule_scope s);
int rule_scope_parse(const char *s);
const char *rule_level_name(enum rule_level l);
int rule_level_parse(const char *s);
const char *rule_effect_name(enum rule_effect e);

ruleset *ruleset_new(void);
void ruleset_free(ruleset *rs);

/* A rule outside any set (a suggestion being priced); NULL with err. */
rule *rule_new(const struct rule_spec *spec, char *err, size_t errlen);
void rule_free(rule *r);

/* Add a rule (active unless spec->revoked_ms is set); NULL with err on a bad
 * pattern, a missing scope value, a duplicate id or out of memory. */
rule *ruleset_add(ruleset *rs, const struct rule_spec *spec, char *err, size_t errlen);
/* Put a rule made by rule_new into the set (id 0 gets the next id); 0, or -1
 * with err (the rule is then still the caller's). */
int ruleset_adopt(ruleset *rs, rule *r, char *err, size_t errlen);
/* Take a rule out of the set entirely (e.g. its row could not be stored). */
void ruleset_drop(ruleset *rs, rule *r);
rule *ruleset_find(const ruleset *rs, int64_t id);
/* The id the next added rule gets; ruleset_reserve_id bumps past id. */
int64_t ruleset_next_id(const ruleset *rs);
void ruleset_reserve_id(ruleset *rs, int64_t id);
size_t ruleset_count(const ruleset *rs);
/* Every rule in id order (revoked and expired ones too). */
rule *ruleset_first(const ruleset *rs);
rule *rule_next(const rule *r);

/* Judge a request.  extra (may be NULL) is a rule not in the set that is
 * considered as if it were (pricing a suggestion).  0, or -1 on a subject
 * with no parts (then v is VERDICT_NONE). */
int ruleset_eval(const ruleset *rs, const struct subject *s, const struct rule_ctx *ctx,
    const rule *extra, struct rule_verdict *out);
/* Does r's pattern match part i of s regardless of level and scope? */
bool rule_matches_part(const rule *r, const struct subject *s, size_t i);

/* Count a use: hits+1, last hit = now; a once rule is revoked by its use.
 * The rule is marked dirty for the next hit flush. */
void ruleset_hit(ruleset *rs, rule *r, int64_t now_ms);
/* Revoke: stops matching at once.  No-op if already revoked. */
void ruleset_revoke(ruleset *rs, rule *r, int64_t now_ms);
/* Drop expired rules from the index (they stay listed); returns how many. */
size_t ruleset_sweep(ruleset *rs, int64_t now_ms);
/* Move up to max dirty rules into out (clearing their flag); returns n. */
size_t ruleset_take_dirty(ruleset *rs, rule **out, size_t max);

int64_t rule_id(const rule *r);
enum rule_effect rule_effect(const rule *r);
const pattern *rule_pattern(const rule *r);
const char *rule_text(const rule *r);
enum rule_scope rule_scope(const rule *r);
const char *rule_scope_value(const rule *r);
int64_t rule_expires_ms(const rule *r);
int64_t rule_author_uid(const rule *r);
const char *rule_author_name(const rule *r);
const char *rule_note(const rule *r);
const char *rule_origin(const rule *r);
int64_t rule_created_ms(const rule *r);
int64_t rule_hits(const rule *r);
int64_t rule_last_hit_ms(const rule *r);
int64_t rule_revoked_ms(const rule *r);
enum rule_level rule_max_level(const rule *r);
bool rule_revoked(const rule *r);
const char *rule_pin_path(const rule *r);
const char *rule_pin_sha256(const rule *r);
const char *rule_made_session(const rule *r);
const char *rule_made_agent(const rule *r);
const char *rule_made_workspace(const rule *r);
/* Not revoked and not expired at now. */
bool rule_active(const rule *r, int64_t now_ms);

#endif
