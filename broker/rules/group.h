/* group.h -- pending requests grouped by intent signature, with what their
 * members share and where they differ, and 1-3 generalisations (narrowest
 * first) a reviewer can save as a rule.
 *
 * Signature: session, kind, and for the part that needs a decision (the
 * first one no rule covers) program + subcommand + flag shape for commands,
 * the directory prefix for files, the registrable host and port for net, the
 * server and tool for MCP.  Every pending request is in exactly one group;
 * a group lives while it has members and keeps its id ("g17") meanwhile.
 *
 * Everything is kept up to date per request, so a big queue costs nothing
 * at the time of a `groups` call:
 *   - joining or leaving updates the group's counts of each field value
 *     (common/varies), of each score and level (max_score, max_level), its
 *     members in id order with the least created_ms (oldest_ms), and the
 *     group's place in the riskiest-first order: O(log n);
 *   - suggestions are made per group when first asked for and kept until
 *     the group's membership changes; their pricing (covers, covers_high)
 *     is kept per pattern and session and updated as requests of the
 *     session come and go, looking only at the patterns that may match the
 *     request (the rule index's buckets, ruleindex.h).  A pattern seen for
 *     the first time, or after the rules changed, is priced against the
 *     pending requests it may match, in bounded steps (groups_price): until
 *     that is done its suggestion says priced = false. */
#ifndef SG_GROUP_H
#define SG_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

#include "broker/rules/rule.h"
#include "broker/rules/subject.h"

typedef struct groups groups;
struct group;

/* What grouping knows about one pending request.  Strings and the subject
 * belong to the request and must outlive its membership. */
struct group_member {
	void *req;
	int64_t id, created_ms;
	const char *session, *agent;
	const struct subject *subj;
	size_t key_part;        /* the part the group is about */
	const char *conns;      /* how its exec parts are joined (shape.h codes), or NULL */
	int score;
	enum rule_level level;
	bool no_allow;          /* circumvention: rules never allow it */
};

#define GROUP_MAX_SUGGESTIONS 3
/* what a group offers: its suggestions, and first the learned wider one (suggest.h) */
#define GROUP_MAX_OFFERS (GROUP_MAX_SUGGESTIONS + 1)

struct group_suggestion {
	char *pattern;          /* malloc'd, canonical */
	enum rule_scope scope;
	int64_t covers;         /* pending requests it would release */
	bool covers_high;       /* its pattern also matches a pending high/critical request */
	bool priced;            /* covers and covers_high are complete */
	bool whole;             /* with the rules in force it answers every part of every member */
	char *leaves;           /* else the first part it leaves to a person (malloc'd), or NULL */
	bool wide;              /* the pattern has a wildcard */
	/* offers (group_offers, issue #17): what saving it makes */
	char *scope_value;      /* malloc'd; NULL: the group's (session, agent, workspace) */
	int64_t ttl_s;          /* 0: no expiry */
	enum rule_level ceiling;/* the rule's max_level */
	char *reason;           /* malloc'd or NULL: why this scope, what keeps it narrow */
	bool learned;           /* the wider scope learnt from earlier sessions */
	bool pin;               /* the rule pins the file the members run */
};

struct learn;
struct suggest_cfg;

/* rs: the rule set suggestions are priced against (not owned; call
 * groups_rules_changed whenever it changes). */
groups *groups_new(const ruleset *rs);
void groups_free(groups *gs);
/* The rules changed: every price is redone (in groups_price steps). */
void groups_rules_changed(groups *gs);

/* Signature of s (no session): every part in order, commands joined by
 * conns (shape.h codes, one per gap between exec parts; NULL: not known,
 * " + "), e.g. "exec curl [-s] | sh"; malloc'd.  Requests share a group only
 * when their session, every part's signature, the connectors and key_part
 * are the same. */
char *group_signature(const struct subject *s, size_t key_part);
char *group_signature_conns(const struct subject *s, const char *conns, size_t key_part);

/* Add m to the group of its signature (creating it); NULL on out of memory. */
struct group *groups_add(groups *gs, const struct group_member *m);
/* Remove req from g; the group is freed when it empties. */
void groups_remove(groups *gs, struct group *g, void *req);
struct group *groups_find(const groups *gs, const char *id);
size_t groups_count(const groups *gs);
/* Bumped whenever a group changes (membership, or a price completed). */
uint64_t groups_version(const groups *gs);

const char *group_id(const struct group *g);
size_t group_size(const struct group *g);
/* Members in id order: the i-th (O(log n)), or first/next for a walk. */
const struct group_member *group_member_at(const struct group *g, size_t i);
const struct group_member *group_first(const struct group *g);
const struct group_member *group_next(const struct group_member *m);
enum rule_level group_max_level(const struct group *g);
int group_max_score(const struct group *g);
int64_t group_oldest_ms(const struct group *g);
const char *group_session(const struct group *g);

/* g's suggestions (made now if the group changed since), pricing them for
 * at most budget steps first (SIZE_MAX: to the end; 0: patterns only);
 * fills out (free with group_suggestions_free); returns how many. */
size_t group_suggest(groups *gs, struct group *g, size_t budget,
    struct group_suggestion out[GROUP_MAX_SUGGESTIONS]);
void group_suggestions_free(struct group_suggestion *s, size_t n);
/* What g offers to remember (suggest.h): group_suggest's patterns with the
 * scope, TTL, ceiling and pin saving each would make, the learned wider
 * one first; none for a critical group, only exact ones for a high one. */
size_t group_offers(groups *gs, struct group *g, size_t budget, struct group_suggestion out[GROUP_MAX_OFFERS]);
/* Learn from L (may be NULL) with cfg (copied). */
void groups_set_learning(groups *gs, const struct learn *L, const struct suggest_cfg *cfg);
/* The file every member's part runs (NULL: none, or not the same one), and
 * the workspace every member shares (NULL: none or several). */
const char *group_run_path(const struct group *g);
const char *group_workspace(const struct group *g);

/* Price queued patterns for about budget steps (one step is one part of
 * one request); returns true while work remains. */
bool groups_price(groups *gs, size_t budget);
bool groups_pricing(const groups *gs);

/* One page of the groups view (PROTOCOL.md `groups`). */
struct groups_page {
	int64_t offset;         /* into the riskiest-first order, or into ids */
	int64_t limit;          /* groups at most */
	const msgpack_object *ids; /* array of group ids, or NULL for the order */
	int64_t members_offset, members_max; /* the slice of each group's member ids */
	size_t max_bytes;       /* stop adding groups once the page is this big */
	size_t price_budget;    /* pricing steps spent on the page's suggestions */
};

/* Pack {total, next, version, groups: [group]} (+ gone: [id] with ids). */
void groups_pack_page(groups *gs, msgpack_packer *pk, const struct groups_page *q);

/* Pack the changes since the last call and forget them: {version,
 * changed: [id], removed: [id]}, or {version, reset: true} when more than
 * max_ids groups changed. */
void groups_pack_changes(groups *gs, msgpack_packer *pk, size_t max_ids);
bool groups_changed(const groups *gs);

#endif
