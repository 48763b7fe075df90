/* learn.h -- what suggestions learn from the record (issue #17, item 1).
 *
 * When people allowed the same pattern in earlier sessions, a group that
 * suggests it again is offered the wider scope first: the agent's, or the
 * workspace's when every one of those sessions was in one workspace, with
 * the reason ("allowed in 4 earlier sessions of codex, by alice").
 *
 * What counts: allow rules a person saved from a group (rule_made_session
 * is set: the broker records the group's session, agent and workspace with
 * the rule, migration 0007-rules-pin-made).  Never the rules sandgate made
 * itself (presets: no session, origin "preset ..."), imported or hand-made
 * rules (no session), rules a person revoked (a used-up once rule still
 * counts), nor patterns a person denied by a rule (any deny rule with the
 * same pattern, from a group or by hand: nothing is learnt for it).
 * Sessions are distinct session ids other than the group's own; the
 * threshold (learn_sessions, at least 2) keeps a single session from ever
 * counting, whoever made it.
 *
 * Cost: an index by pattern text kept as rules are loaded, added and
 * revoked; a look-up is one hash probe and a scan of at most
 * LEARN_MAX_SESSIONS records, made when a group's suggestions are shown or
 * saved. */
#ifndef SG_LEARN_H
#define SG_LEARN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker/rules/rule.h"

#define LEARN_MAX_SESSIONS 64
#define LEARN_REASON_MAX 512

typedef struct learn learn;

learn *learn_new(void);
void learn_free(learn *L);

/* A rule was loaded or made (rules that do not count are ignored). */
void learn_add(learn *L, const rule *r);
/* A person revoked r: it no longer counts. */
void learn_revoked(learn *L, const rule *r);

struct learn_result {
	enum rule_scope scope;        /* SCOPE_AGENT or SCOPE_WORKSPACE */
	char value[4096];             /* the agent name or the workspace */
	size_t sessions;              /* distinct earlier sessions */
	enum rule_level ceiling;      /* the highest ceiling those rules had */
	char reason[LEARN_REASON_MAX];
};

/* Has pattern been allowed in at least threshold earlier sessions (not
 * session) of this agent, or in this workspace?  agent and workspace may
 * be NULL (then that scope is not offered). */
bool learn_lookup(const learn *L, const char *pat, const char *session, const char *agent,
    const char *workspace, size_t threshold, struct learn_result *out);

#endif
