/* group.h -- pending requests grouped by intent signature, with what their
 * members share and where they differ, and 1-3 generalisations (narrowest
 * first) a reviewer can save as a rule.
 *
 * Signature: session, kind, and for the part that needs a decision (the
 * first one no rule covers) program + subcommand + flag shape for commands,
 * the directory prefix for files, the registrable host and port for net, the
 * server and tool for MCP.  Every pending request is in exactly one group;
 * a group lives while it has members and keeps its id ("g17") meanwhile. */
#ifndef SG_GROUP_H
#define SG_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

#include "broker/rule.h"
#include "broker/subject.h"

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
	int score;
	enum rule_level level;
	bool no_allow;          /* circumvention: rules never allow it */
};

#define GROUP_MAX_SUGGESTIONS 3

struct group_suggestion {
	char *pattern;          /* malloc'd, canonical */
	enum rule_scope scope;
	int64_t covers;         /* pending requests it would release */
	bool covers_high;       /* its pattern also matches a pending high/critical request */
};

groups *groups_new(void);
void groups_free(groups *gs);

/* Signature of part key_part of s (no session); malloc'd. */
char *group_signature(const struct subject *s, size_t key_part);

/* Add m to the group of its signature (creating it); NULL on out of memory. */
struct group *groups_add(groups *gs, const struct group_member *m);
/* Remove req from g; the group is freed when it empties. */
void groups_remove(groups *gs, struct group *g, void *req);
struct group *groups_find(const groups *gs, const char *id);
size_t groups_count(const groups *gs);
/* Bumped whenever membership changes (for debounced notifications). */
uint64_t groups_version(const groups *gs);

const char *group_id(const struct group *g);
size_t group_size(const struct group *g);
const struct group_member *group_member_at(const struct group *g, size_t i);
enum rule_level group_max_level(const struct group *g);
const char *group_session(const struct group *g);

/* Suggestions for g priced against every pending request and rs at now;
 * fills out (free with group_suggestions_free); returns how many. */
size_t group_suggest(const groups *gs, const struct group *g, const ruleset *rs, int64_t now_ms,
    struct group_suggestion out[GROUP_MAX_SUGGESTIONS]);
void group_suggestions_free(struct group_suggestion *s, size_t n);

/* Pack {groups: [group]} (PROTOCOL.md), sorted by max score then age. */
void groups_pack(const groups *gs, msgpack_packer *pk, const ruleset *rs, int64_t now_ms);

#endif
