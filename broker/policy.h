/* policy.h -- the broker's remembered decisions at work: the rule set loaded
 * at start-up, judging each request, keeping pending requests grouped,
 * circumvention signals, and the console methods for rules and groups.
 *
 * Rules become active once their row is committed; a new rule is then
 * re-checked against everything queued.  A revoked rule stops matching at
 * once (before its row is written).  Hit counts are kept in memory and
 * written in batches every second, never a commit per request. */
#ifndef SG_POLICY_H
#define SG_POLICY_H

#include <stdint.h>
#include <sys/types.h>
#include <msgpack.h>

#include "broker/rules/circumvent.h"
#include "broker/rules/group.h"
#include "broker/rules/rule.h"
#include "broker/rules/subject.h"

struct broker;
struct peer;

/* Load rules and start the timers; 0 or -1 with err. */
int policy_init(struct broker *b, char *err, size_t errlen);
/* Flush hit counts and close the timers (shutdown, before the store closes). */
void policy_stop(struct broker *b);
void policy_free(struct broker *b);

/* A console went away: its pending rule/group calls get no reply. */
void policy_peer_lost(struct broker *b, struct peer *p);

/* ---- for request.c ---- */

/* Intent and risk of a submitted request map: packs {intent, risk} into pk
 * (broker/intent/assess.h) and gives the score and level.  -1 on out of
 * memory (then nothing was packed and the level is critical). */
int policy_assess(struct broker *b, uid_t uid, const char *session, const msgpack_object *req, msgpack_packer *pk,
    int *score, enum rule_level *level);
/* An allowed request (id, of uid's session) is delivered: remember the files
 * its write parts create, those not there yet (broker/provenance.h), so
 * that the session's later deletes and overwrites of them score lower. */
void policy_note_created(struct broker *b, uid_t uid, const char *session, const struct subject *s, int64_t id);

/* Judge a request against the rules (no side effects). */
void policy_judge(struct broker *b, const struct subject *s, const struct rule_ctx *c,
    struct rule_verdict *v);
/* Count the hits of a verdict's rules (once rules are used up). */
void policy_hits(struct broker *b, const struct rule_verdict *v);
/* Circumvention signals of a new request (circumvent.h). */
unsigned policy_circumvention(struct broker *b, const char *session, const struct subject *s,
    int part[CIRC_NSIGNALS]);
/* A request of session was denied by a person or a rule. */
void policy_note_denial(struct broker *b, const char *session, const struct subject *s);
/* Group membership of pending requests; add returns NULL on out of memory. */
struct group *policy_group_add(struct broker *b, const struct group_member *m);
void policy_group_remove(struct broker *b, struct group *g, void *req);
/* The pending group named id, or NULL (issue #15: escalate a group). */
struct group *policy_group_find(struct broker *b, const char *id);
/* Tell consoles (debounced) that groups changed. */
void policy_groups_changed(struct broker *b);

/* ---- console methods ---- */
void policy_rules(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params);
void policy_rule_add(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params);
void policy_rule_rm(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params);
/* issue #16: undo [{rule_id?}]: revoke a rule just added and return the
 * requests whose answers it still holds to the queue (docs/RULES.md). */
void policy_undo(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params);
void policy_groups(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params);
/* decide [{group, decision, ...}]: m is the params map. */
void policy_decide_group(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *m);

#endif
