/* request.h -- the request lifecycle: submit (idempotent per uid + session +
 * client request id), queue, decide, reply, withdraw, time out.
 *
 * Handlers reply to the calling peer themselves, possibly later (after the
 * decision's row is committed). */
#ifndef SG_REQUEST_H
#define SG_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

#include "broker/rules/rule.h"

struct broker;
struct peer;

int request_init(struct broker *b);
void request_free_all(struct broker *b);

/* Agent methods. */
void request_submit(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params);
void request_wait(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params);
void request_cancel(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params);
/* Console methods. */
void request_list(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params);
void request_decide(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params);

/* issue #15: the broker's clock moved (the `clock` test method): re-arm
 * every pending request's timer. */
void request_clock_moved(struct broker *b);
/* Escalate pending request id now (by: who, why: the reason); 1 done, 0
 * already escalated, -1 no such pending request. */
int request_escalate(struct broker *b, int64_t id, const char *by, const char *why);

/* Pending requests per risk level, how many escalated, the oldest's
 * created_ms (-1: none); one walk of the queue (status). */
void request_queue_stats(struct broker *b, size_t levels[4], size_t *escalated, int64_t *oldest_ms);

/* For policy.c (rules and groups). */
struct request;
/* Re-judge every pending request against the rules: decide what a rule now
 * covers, regroup the rest. */
void request_recheck(struct broker *b);

/* issue #16: what a new rule answered besides what the person decided. */
struct released {
	int64_t id;
	char *summary;
	enum rule_level level;
	bool allow, held;         /* held: an allow whose answer waits for the undo window */
};
struct released_list {
	struct released *v;
	size_t n, cap;
};
void released_free(struct released_list *l);
/* Like request_recheck after rule rule_id was added, but every request it
 * makes a rule allow is held for hold_ms (0: answered at once) before it is
 * judged again and answered; every request decided or held is appended to
 * out (may be NULL). */
void request_recheck_new_rule(struct broker *b, int64_t rule_id, int64_t hold_ms, struct released_list *out);
/* Undo: request id, held by rule_id, goes back to the queue (note goes into
 * its audit row when it is decided).  2 returned to the queue, 1 too late
 * (answered or being recorded), 0 not held by that rule, -1 unknown. */
int request_unhold(struct broker *b, int64_t id, int64_t rule_id, const char *note);
/* -1 unknown, 0 pending, 2 held, 1 decided or being recorded (*allow says
 * how); *summary (borrowed) and *level when not NULL. */
int request_answer_state(struct broker *b, int64_t id, bool *allow, const char **summary,
    enum rule_level *level);
/* Decide the pending requests in v as reviewer (no per-request replies;
 * shown_sha256 as in decide, may be NULL); returns how many were pending. */
size_t request_decide_list(struct broker *b, struct request **v, size_t n, bool allow,
    const char *note, struct peer *reviewer, const char *reviewer_name, const char *shown_sha256);
/* Was request id's decision lost to a store error (denied instead)? */
bool request_failed(struct broker *b, int64_t id);
int64_t request_id_of(const struct request *r);

/* What the request table holds for one connection, kept by request.c and
 * embedded in the peer (peer_reqs): the pending requests it submitted
 * (linked through the requests) and every reply it waits for (a decision,
 * a decide reply, a conflict error).  A request points at a peer only
 * through these, so a disconnect costs what the peer owns and waits for,
 * and both lists are empty once request_peer_lost returned. */
struct waiter;
struct peer_reqs {
	struct request *owned, *owned_tail;
	struct waiter *waits;
};

/* The peer is gone: forget its waits, withdraw what it submitted (unless
 * another connection waits for it). */
void request_peer_lost(struct broker *b, struct peer *p);
/* Deny every pending request with "broker-shutdown". */
void request_shutdown(struct broker *b);
/* Requests still pending or with a decision being recorded. */
size_t request_open_count(struct broker *b);
size_t request_pending_count(struct broker *b);
uint64_t request_decided_total(struct broker *b);
/* Requests refused over a quota (quota.h) since start. */
uint64_t request_quota_refused(struct broker *b);

#endif
