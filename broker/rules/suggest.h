/* suggest.h -- what a group offers to remember, and on what terms (issue
 * #17, items 1, 5 and 6).
 *
 * A group's suggestions (group.c) are patterns.  An offer is what saving
 * one makes: its scope and scope value, its TTL, its ceiling (max_level),
 * whether it pins the file the members run, and a reason.  group_offers
 * turns the patterns into offers:
 *
 *  - critical group: the patterns, session scope, saying that a rule from
 *    it may only deny.  Critical is never remembered: the broker refuses an
 *    allow rule from such a group (policy.c).
 *  - high group: only exact patterns (no wildcard), session scope, TTL
 *    remember_high_ttl (8 h), ceiling high, pinned when the members run a
 *    file (all the same one; else nothing is offered).  Never widened.
 *  - low or medium group: session scope, no TTL, the group's level as the
 *    ceiling; pinned when every member runs the same script under an
 *    agent's configuration (~/.claude, ~/.codex, ~/.gemini) or in the
 *    workspace.  When one of the patterns was allowed in learn_sessions
 *    earlier sessions (learn.h), the first offer is that pattern with the
 *    learned scope (agent or workspace), TTL learn_ttl and the reason. */
#ifndef SG_SUGGEST_H
#define SG_SUGGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker/rules/group.h"
#include "broker/rules/learn.h"

struct suggest_cfg {
	size_t learn_sessions;    /* earlier sessions a wider offer needs; 0: never */
	int64_t learn_ttl_s;      /* TTL of a learned offer (0: none) */
	int64_t high_ttl_s;       /* TTL of an offer for a high group */
};

/* What the members share, kept by the group (made when its members change). */
struct suggest_info {
	char *run_path;           /* the file every member's part runs, or NULL */
	bool run_mixed;           /* some member runs a file, but not all the same one */
	bool run_unpinnable;      /* run_path is not a regular file within PIN_MAX_BYTES now */
	char *workspace;          /* the workspace every member has, or NULL */
	char *home;
};

struct suggest_group {
	const char *session, *agent;
	enum rule_level max_level;
	const struct suggest_info *info;
};

void suggest_defaults(struct suggest_cfg *cfg);
/* Fill si from the members (replacing what it held); out of memory leaves
 * fields NULL (nothing pinned, no workspace offered). */
void suggest_info_scan(struct suggest_info *si, const struct group_member *const *m, size_t n);
void suggest_info_free(struct suggest_info *si);

/* Offers from base (nbase suggestions, narrowest first) into out
 * (GROUP_MAX_OFFERS); returns how many.  base[i].pattern etc. are copied. */
size_t suggest_offers(const learn *L, const struct suggest_cfg *cfg, const struct suggest_group *g,
    const struct group_suggestion *base, size_t nbase, struct group_suggestion *out);

/* "8 h", "30 d", "90 s": a TTL as people read it. */
void suggest_ttl_text(int64_t ttl_s, char *out, size_t cap);

#endif
