/* request.c -- request lifecycle, pending queue and idempotency index. */
#include "broker/request.h"
#include "broker/rules/inputtext.h"
#include "broker/rules/shape.h"
#include "proto/wallclock.h"
#include "broker/record/audit.h"
#include "broker/auditlink.h"
#include "broker/broker.h"
#include "broker/canon.h"
#include "proto/log.h"
#include "broker/pager.h"
#include "broker/escpolicy.h"
#include "broker/narrow.h"
#include "proto/mpjson.h"
#include "broker/peer.h"
#include "broker/policy.h"
#include "broker/quota.h"
#include "proto/table.h"
#include "proto/proto.h"
#include "proto/rpc.h"
#include "proto/strbuf.h"
#include "tui/text.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decided requests kept in memory so a resubmission gets the same answer. */
#define DONE_KEEP 10000
#define SUMMARY_MAX 4096
#define LIST_DEFAULT_LIMIT 1000
#define QUORUM_MAX_VOTES 32
#define LIST_MAX_BYTES (512u * 1024u) /* a page stops past this (after its first item) */

enum req_state { REQ_PENDING, REQ_RECORDING, REQ_DONE };

/* A reply a connection waits for.  It is linked twice: in its request (one
 * of r->waiters, malloc'd, for the decision; or r->decider / r->refused,
 * slots inside the request) and in the peer's waits (struct peer_reqs), so
 * that the request being freed or the peer going away unlinks it in O(1)
 * and neither side ever points at the other once it is gone. */
struct waiter {
	struct peer *p;               /* NULL: an empty slot */
	uint32_t msgid;
	bool listed;                  /* in r->waiters (and malloc'd), else a slot */
	struct waiter *rnext, **rpprev; /* r->waiters (listed ones only) */
	struct waiter *pnext, **ppprev; /* peer_reqs(p)->waits */
};

struct request {
	struct broker *b;
	int64_t id;
	char *key;                    /* idempotency key: uid, session, req_id */
	size_t key_len;
	char *req_id, *agent, *session, *kind, *summary, *cwd, *workspace;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	struct peer *owner;           /* connection that submitted, while pending and */
	struct request *own_prev, *own_next; /* connected: peer_reqs(owner)->owned */
	char *raw;                    /* the submitted params map, msgpack */
	size_t raw_len;
	int64_t created_ms, deadline_ms;
	uv_timer_t timer;
	enum req_state state;
	bool allow;
	const char *by;               /* static string: reviewer, timeout, ... */
	char *note, *reviewer_name;
	int64_t reviewer_uid, reviewer_pid, seq;
	struct waiter *waiters;       /* agents waiting for the decision */
	struct waiter decider;        /* console waiting for its decide reply */
	struct request *prev, *next;  /* pending list, or the done FIFO */
	/* what rules, grouping and circumvention checks see (policy.h) */
	struct subject *subj;
	char *intent, *risk;          /* packed maps from the scorer, or NULL */
	size_t intent_len, risk_len;
	enum rule_level level;
	int score;
	unsigned circ;                /* CIRC_* signals */
	int circ_part[CIRC_NSIGNALS];
	struct group *group;          /* while pending */
	size_t key_part;              /* the part its group is about */
	char *conns;                  /* how its commands are joined (shape.h), or NULL */
	/* issue #16: allowed by a rule just added, its answer held for the undo
	 * window (undo_window); still pending, in no group, until then */
	int64_t held_rule, held_until_ms;
	char *undo_note;              /* a hold that was undone: said in its audit row's note */
	int64_t rule_id;              /* decided by this rule (by "rule") */
	char *rule_text;
	int64_t pin_rule_id;          /* a pinned rule matched, but the file changed (issue #17) */
	char *pin_path;
	char shown_sha256[65];        /* decide's shown_sha256 (audit), or "" */
	/* issue #12 */
	unsigned char hash[CANON_HASH_LEN]; /* of the canonical request: binds the key */
	int64_t timeout_s;            /* the deadline's distance (after the cap) */
	int64_t timeout_asked_s;      /* the request's own timeout when it was capped, else 0 */
	char *reason;                 /* a "policy" denial's reason (also its note) */
	int64_t conflict_with;        /* refused: its key belongs to this earlier request */
	struct waiter refused;        /* ... and the submitter, answered with a conflict error */
	struct quota_hold quota;      /* while waiting */
	/* issue #15: escalation, expiry, quorum (docs/POLICY.md) */
	int64_t escalate_at_ms, expire_at_ms; /* broker clock; -1: never */
	int quorum;                   /* distinct approving uids needed to allow */
	int esc_level;                /* 1 first level (local console), 2 escalated (on-call) */
	int64_t esc_ms;               /* when it escalated */
	char *esc_by, *esc_why;       /* who (a reviewer's name and uid, or "broker") and why */
	struct pager_page *page;      /* the pager run its group was paged with */
	struct vote { int64_t uid, pid, ms; bool allow; char name[64]; } *votes; /* malloc'd at the first */
	int nvotes;
	/* issue #14: what the requester accepts, and a reviewer's narrowing (narrow.h) */
	struct narrow_accepts acc;
	char *narrowed;               /* the narrowed command, path or URL, or NULL */
	size_t narrowed_len;
	struct subject *nsubj;        /* the narrowed request's subject */
	enum rule_level nlevel;
	int nscore;
	char *aintent;                /* the audit row's intent: the original's plus `narrowed` */
	size_t aintent_len;
};

struct reqstate {
	table *by_id, *by_key;
	struct request *pending_head, *pending_tail;
	struct request *done_head, *done_tail;
	struct request *rec_head, *rec_tail; /* decision row being committed */
	size_t npending, ndone, nrecording;
	uint64_t decided_total;
	int64_t next_id;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer asb;           /* scratch for the scorer's output */
	msgpack_packer apk;
	msgpack_zone azone;            /* and for unpacking it */
	msgpack_sbuffer ksb;           /* scratch for the parts a request keeps */
	msgpack_packer kpk;
	struct quota *quota;           /* per-session and per-uid caps (quota.h) */
};

static const char *const kinds[] = { "exec", "write", "edit", "read", "delete", "net", "mcp", "other" };

int
request_init(struct broker *b)
{
	struct reqstate *rs = calloc(1, sizeof *rs);

	if (rs == NULL || (rs->by_id = table_new()) == NULL || (rs->by_key = table_new()) == NULL ||
	    (rs->quota = quota_new(b)) == NULL) {
		if (rs != NULL) {
			table_free(rs->by_id);
			table_free(rs->by_key);
		}
		free(rs);
		return -1;
	}
	rs->next_id = store_last_request_id(b->store) + 1;
	msgpack_sbuffer_init(&rs->sb);
	msgpack_packer_init(&rs->pk, &rs->sb, msgpack_sbuffer_write);
	msgpack_sbuffer_init(&rs->asb);
	msgpack_packer_init(&rs->apk, &rs->asb, msgpack_sbuffer_write);
	msgpack_zone_init(&rs->azone, 8192);
	msgpack_sbuffer_init(&rs->ksb);
	msgpack_packer_init(&rs->kpk, &rs->ksb, msgpack_sbuffer_write);
	b->reqs = rs;
	audit_attach(b); /* audit settings to the store; store-error alerts to consoles */
	return 0;
}

size_t request_pending_count(struct broker *b) { return b->reqs->npending; }
uint64_t request_quota_refused(struct broker *b) { return quota_refused_total(b->reqs->quota); }
size_t request_open_count(struct broker *b) { return b->reqs->npending + b->reqs->nrecording; }
uint64_t request_decided_total(struct broker *b) { return b->reqs->decided_total; }

/* ---- lists ---- */

static void
list_push(struct request **head, struct request **tail, struct request *r)
{
	r->next = NULL;
	r->prev = *tail;
	if (*tail != NULL)
		(*tail)->next = r;
	else
		*head = r;
	*tail = r;
}

static void
list_remove(struct request **head, struct request **tail, struct request *r)
{
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		*head = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	else
		*tail = r->prev;
	r->prev = r->next = NULL;
}

/* ---- who owns, who waits (struct peer_reqs) ----
 *
 * Every pointer from a request to a peer is also a link in that peer's
 * struct peer_reqs, and only the functions below make or break one:
 * own_set / own_clear (r->owner, in the peer's owned list), and wait_link /
 * wait_unlink (struct waiter, in the peer's waits) under add_waiter /
 * waiter_free / wait_slot / slot_take.  A disconnect walks only what the
 * peer itself owns or waits for (request_peer_lost); request_destroy
 * unlinks whatever the request still holds.  A dead peer gets no new link,
 * so nothing points at a peer once it is freed. */

/* r is owned by p (its submitter) while pending; the owned list is in
 * submission order, so a disconnect withdraws oldest first. */
static void
own_set(struct request *r, struct peer *p)
{
	struct peer_reqs *pr = peer_reqs(p);

	if (peer_dead(p))
		return;
	r->owner = p;
	r->own_next = NULL;
	r->own_prev = pr->owned_tail;
	if (pr->owned_tail != NULL)
		pr->owned_tail->own_next = r;
	else
		pr->owned = r;
	pr->owned_tail = r;
}

static void
own_clear(struct request *r)
{
	struct peer_reqs *pr;

	if (r->owner == NULL)
		return;
	pr = peer_reqs(r->owner);
	if (r->own_prev != NULL)
		r->own_prev->own_next = r->own_next;
	else
		pr->owned = r->own_next;
	if (r->own_next != NULL)
		r->own_next->own_prev = r->own_prev;
	else
		pr->owned_tail = r->own_prev;
	r->owner = NULL;
	r->own_prev = r->own_next = NULL;
}

/* Put w (in its request already) on p's waits. */
static void
wait_link(struct waiter *w, struct peer *p, uint32_t msgid)
{
	struct peer_reqs *pr = peer_reqs(p);

	w->p = p;
	w->msgid = msgid;
	w->pnext = pr->waits;
	if (pr->waits != NULL)
		pr->waits->ppprev = &w->pnext;
	pr->waits = w;
	w->ppprev = &pr->waits;
}

/* Take w off its peer's waits. */
static void
wait_unlink(struct waiter *w)
{
	*w->ppprev = w->pnext;
	if (w->pnext != NULL)
		w->pnext->ppprev = w->ppprev;
	w->p = NULL;
	w->pnext = NULL;
	w->ppprev = NULL;
}

/* p waits for r's decision, answered to msgid; -1 on out of memory.  A
 * peer already gone waits for nothing. */
static int
add_waiter(struct request *r, struct peer *p, uint32_t msgid)
{
	struct waiter *w;

	if (peer_dead(p))
		return 0;
	if ((w = calloc(1, sizeof *w)) == NULL)
		return -1;
	w->listed = true;
	w->rnext = r->waiters;
	if (r->waiters != NULL)
		r->waiters->rpprev = &w->rnext;
	r->waiters = w;
	w->rpprev = &r->waiters;
	wait_link(w, p, msgid);
	return 0;
}

/* Unlink a waiter of r->waiters from both sides and free it. */
static void
waiter_free(struct waiter *w)
{
	wait_unlink(w);
	*w->rpprev = w->rnext;
	if (w->rnext != NULL)
		w->rnext->rpprev = w->rpprev;
	free(w);
}

/* Slot (r->decider or r->refused) now waits for p's msgid; p NULL (or
 * gone): for nobody. */
static void
wait_slot(struct waiter *slot, struct peer *p, uint32_t msgid)
{
	if (slot->p != NULL)
		wait_unlink(slot);
	if (p != NULL && !peer_dead(p))
		wait_link(slot, p, msgid);
}

/* Who waits on slot w (*p, NULL if nobody, and *msgid), taken off both
 * sides before the answer goes out: an answer can drop its peer (a failed
 * write), which walks the peer's waits. */
static void
slot_take(struct waiter *w, struct peer **p, uint32_t *msgid)
{
	*p = w->p;
	*msgid = w->msgid;
	if (w->p != NULL)
		wait_unlink(w);
}

/* ---- freeing ---- */

static void
on_timer_closed(uv_handle_t *h)
{
	struct request *r = h->data;

	free(r->key);
	free(r->req_id);
	free(r->agent);
	free(r->session);
	free(r->kind);
	free(r->summary);
	free(r->cwd);
	free(r->workspace);
	free(r->raw);
	free(r->note);
	free(r->reviewer_name);
	subject_free(r->subj);
	free(r->intent);
	free(r->risk);
	free(r->rule_text);
	free(r->conns);
	free(r->undo_note);
	free(r->pin_path);
	free(r->reason);
	free(r->esc_by);
	free(r->esc_why);
	free(r->votes);
	free(r->narrowed);
	subject_free(r->nsubj);
	free(r->aintent);
	free(r);
}

/* Drop r from the indexes and free it once its timer handle is closed. */
static void
request_destroy(struct broker *b, struct request *r)
{
	struct reqstate *rs = b->reqs;

	table_del(rs->by_id, &r->id, sizeof r->id);
	if (table_get(rs->by_key, r->key, r->key_len) == r)
		table_del(rs->by_key, r->key, r->key_len);
	own_clear(r);
	while (r->waiters != NULL)
		waiter_free(r->waiters);
	wait_slot(&r->decider, NULL, 0);
	wait_slot(&r->refused, NULL, 0);
	uv_close((uv_handle_t *)&r->timer, on_timer_closed);
}

void
request_free_all(struct broker *b)
{
	struct reqstate *rs = b->reqs;
	struct request *r;

	if (rs == NULL)
		return;
	while ((r = rs->done_head) != NULL) {
		list_remove(&rs->done_head, &rs->done_tail, r);
		request_destroy(b, r);
	}
	while ((r = rs->pending_head) != NULL) {
		list_remove(&rs->pending_head, &rs->pending_tail, r);
		request_destroy(b, r);
	}
	while ((r = rs->rec_head) != NULL) {
		list_remove(&rs->rec_head, &rs->rec_tail, r);
		request_destroy(b, r);
	}
	table_free(rs->by_id);
	table_free(rs->by_key);
	msgpack_sbuffer_destroy(&rs->sb);
	msgpack_sbuffer_destroy(&rs->asb);
	msgpack_zone_destroy(&rs->azone);
	msgpack_sbuffer_destroy(&rs->ksb);
	quota_free(rs->quota);
	free(rs);
	b->reqs = NULL;
}

/* ---- packing ---- */

static void
pack_decision(msgpack_packer *pk, const struct request *r)
{
	char reason[600];

	if ((strcmp(r->by, "reviewer") == 0 || strcmp(r->by, "escalated") == 0) && r->narrowed != NULL)
		snprintf(reason, sizeof reason, "allowed, narrowed by %sreviewer %s (the %s was changed)%s%s",
		    strcmp(r->by, "escalated") == 0 ? "on-call " : "",
		    r->reviewer_name != NULL ? r->reviewer_name : "(unnamed)", narrow_field_of(r->kind),
		    r->note != NULL ? ": " : "", r->note != NULL ? r->note : "");
	else if (strcmp(r->by, "reviewer") == 0 || strcmp(r->by, "escalated") == 0)
		snprintf(reason, sizeof reason, "%s by %sreviewer %s%s%s", r->allow ? "allowed" : "denied",
		    strcmp(r->by, "escalated") == 0 ? "on-call " : "",
		    r->reviewer_name != NULL ? r->reviewer_name : "(unnamed)",
		    r->note != NULL ? ": " : "", r->note != NULL ? r->note : "");
	else if (strcmp(r->by, "ask-agent") == 0)
		snprintf(reason, sizeof reason, "reviewer %s handed the call to the agent's own permission prompt%s%s",
		    r->reviewer_name != NULL ? r->reviewer_name : "(unnamed)",
		    r->note != NULL ? ": " : "", r->note != NULL ? r->note : "");
	else if (strcmp(r->by, "quorum") == 0)
		snprintf(reason, sizeof reason, "%s by a quorum of %d reviewers (last: %s)%s%s",
		    r->allow ? "allowed" : "denied", r->quorum,
		    r->reviewer_name != NULL ? r->reviewer_name : "(unnamed)",
		    r->note != NULL ? ": " : "", r->note != NULL ? r->note : "");
	else if (strcmp(r->by, "expired") == 0)
		snprintf(reason, sizeof reason, "denied: nobody decided within %lld s (expire.%s)%s",
		    (long long)((r->expire_at_ms - r->created_ms) / 1000), rule_level_name(r->level),
		    r->esc_level >= 2 ? ", after escalating to on-call" : "");
	else if (strcmp(r->by, "timeout") == 0 && r->timeout_asked_s > 0)
		snprintf(reason, sizeof reason, "denied: nobody decided within %lld s (the request asked for "
		    "%lld s; max_request_timeout caps it)", (long long)r->timeout_s, (long long)r->timeout_asked_s);
	else if (strcmp(r->by, "timeout") == 0)
		snprintf(reason, sizeof reason, "denied: nobody decided within %lld s",
		    (long long)((r->deadline_ms - r->created_ms) / 1000));
	else if (strcmp(r->by, "policy") == 0 && r->reason != NULL)
		snprintf(reason, sizeof reason, "%s", r->reason);
	else if (strcmp(r->by, "broker-shutdown") == 0)
		snprintf(reason, sizeof reason, "denied: the sandgate broker is shutting down");
	else if (strcmp(r->by, "store-error") == 0)
		snprintf(reason, sizeof reason, "denied: the decision could not be recorded (no audit, no allow)");
	else if (strcmp(r->by, "withdrawn") == 0)
		snprintf(reason, sizeof reason, "withdrawn by the requester");
	else if (strcmp(r->by, "rule") == 0)
		snprintf(reason, sizeof reason, "%s by rule %lld (%.500s)", r->allow ? "allowed" : "denied",
		    (long long)r->rule_id, r->rule_text != NULL ? r->rule_text : "?");
	else
		snprintf(reason, sizeof reason, "%s by %s", r->allow ? "allowed" : "denied", r->by);

	msgpack_pack_map(pk, 8 + (r->rule_id > 0) + 2 * (r->narrowed != NULL && r->allow));
	rpc_pack_kv_int(pk, "id", r->id);
	rpc_pack_kv_str(pk, "state", "decided");
	rpc_pack_kv_str(pk, "decision", r->allow ? "allow" : "deny");
	rpc_pack_kv_str(pk, "by", r->by);
	rpc_pack_kv_str(pk, "reason", reason);
	rpc_pack_kv_str(pk, "note", r->note);
	rpc_pack_kv_str(pk, "reviewer", r->reviewer_name);
	rpc_pack_kv_int(pk, "seq", r->seq);
	if (r->rule_id > 0)
		rpc_pack_kv_int(pk, "rule_id", r->rule_id);
	if (r->narrowed != NULL && r->allow) {
		/* issue #14: what the requester must run instead of what it asked */
		rpc_pack_str(pk, "narrowed");
		msgpack_pack_map(pk, 1);
		rpc_pack_str(pk, narrow_field_of(r->kind));
		rpc_pack_strn(pk, r->narrowed, r->narrowed_len);
		rpc_pack_str(pk, "narrowed_risk");
		msgpack_pack_map(pk, 2);
		rpc_pack_kv_int(pk, "score", r->nscore);
		rpc_pack_kv_str(pk, "level", rule_level_name(r->nlevel));
	}
}

/* The view of a request that consoles see (list and notifications). */
static void
pack_circumvention(msgpack_packer *pk, const struct request *r)
{
	size_t n = 0;

	for (unsigned i = 0; i < CIRC_NSIGNALS; i++)
		n += (r->circ >> i) & 1;
	rpc_pack_str(pk, "circumvention");
	msgpack_pack_array(pk, n);
	for (unsigned i = 0; i < CIRC_NSIGNALS; i++) {
		if (!((r->circ >> i) & 1))
			continue;
		msgpack_pack_map(pk, 3);
		rpc_pack_kv_str(pk, "id", circ_reason_id(i));
		rpc_pack_kv_str(pk, "text", circ_reason_text(i));
		rpc_pack_kv_int(pk, "part", r->circ_part[i]);
	}
}

/* issue #15: escalate_ms, expire_ms (broker clock, nil: never),
 * escalation {level, time_ms, by, why}, quorum {need, approved: [...]} */
static void
pack_opt_time(msgpack_packer *pk, const char *key, int64_t ms)
{
	rpc_pack_str(pk, key);
	if (ms >= 0)
		msgpack_pack_int64(pk, ms);
	else
		msgpack_pack_nil(pk);
}

static void
pack_escalation(msgpack_packer *pk, const struct request *r)
{
	int n = 0;

	pack_opt_time(pk, "escalate_ms", r->esc_level >= 2 ? r->esc_ms : r->escalate_at_ms);
	pack_opt_time(pk, "expire_ms", r->expire_at_ms);
	rpc_pack_str(pk, "escalation");
	msgpack_pack_map(pk, 4);
	rpc_pack_kv_int(pk, "level", r->esc_level);
	pack_opt_time(pk, "time_ms", r->esc_level >= 2 ? r->esc_ms : -1);
	rpc_pack_kv_str(pk, "by", r->esc_by);
	rpc_pack_kv_str(pk, "why", r->esc_why);
	rpc_pack_str(pk, "quorum");
	msgpack_pack_map(pk, 2);
	rpc_pack_kv_int(pk, "need", r->quorum);
	for (int i = 0; i < r->nvotes; i++)
		n += r->votes[i].allow;
	rpc_pack_str(pk, "approved");
	msgpack_pack_array(pk, n);
	for (int i = 0; i < r->nvotes; i++) {
		if (!r->votes[i].allow)
			continue;
		msgpack_pack_map(pk, 3);
		rpc_pack_kv_int(pk, "uid", r->votes[i].uid);
		rpc_pack_kv_str(pk, "name", r->votes[i].name);
		rpc_pack_kv_int(pk, "time_ms", r->votes[i].ms);
	}
}

static void
pack_request(msgpack_packer *pk, const struct request *r)
{
	msgpack_pack_map(pk, 13 + (r->group != NULL) + (r->circ != 0) + (r->risk != NULL) +
	    (r->intent != NULL) + (r->timeout_asked_s > 0) + (r->held_rule > 0) + (r->pin_rule_id > 0) + 4);
	rpc_pack_kv_int(pk, "id", r->id);
	rpc_pack_kv_str(pk, "agent", r->agent);
	rpc_pack_kv_str(pk, "session", r->session);
	rpc_pack_kv_str(pk, "req_id", r->req_id);
	rpc_pack_kv_str(pk, "kind", r->kind);
	rpc_pack_kv_str(pk, "summary", r->summary);
	rpc_pack_kv_str(pk, "cwd", r->cwd);
	rpc_pack_kv_str(pk, "workspace", r->workspace);
	rpc_pack_kv_int(pk, "created_ms", r->created_ms);
	rpc_pack_kv_int(pk, "deadline_ms", r->deadline_ms);
	rpc_pack_kv_int(pk, "timeout_s", r->timeout_s);
	if (r->timeout_asked_s > 0) /* the request asked for longer: capped */
		rpc_pack_kv_int(pk, "timeout_asked_s", r->timeout_asked_s);
	rpc_pack_str(pk, "peer");
	msgpack_pack_map(pk, 3);
	rpc_pack_kv_int(pk, "pid", r->pid);
	rpc_pack_kv_int(pk, "uid", r->uid);
	rpc_pack_kv_int(pk, "gid", r->gid);
	rpc_pack_str(pk, "request");
	pk->callback(pk->data, r->raw, r->raw_len);
	if (r->group != NULL)
		rpc_pack_kv_str(pk, "group", group_id(r->group));
	if (r->held_rule > 0) { /* issue #16: allowed by a new rule, answer held for the undo window */
		rpc_pack_str(pk, "held");
		msgpack_pack_map(pk, 2);
		rpc_pack_kv_int(pk, "rule_id", r->held_rule);
		rpc_pack_kv_int(pk, "until_ms", r->held_until_ms);
	}
	if (r->circ != 0)
		pack_circumvention(pk, r);
	if (r->pin_rule_id > 0) { /* issue #17: asked again, the pinned file changed */
		char text[600];

		snprintf(text, sizeof text, "%.400s changed since you allowed it (rule %lld)",
		    r->pin_path != NULL ? r->pin_path : "the file it runs", (long long)r->pin_rule_id);
		rpc_pack_str(pk, "pin_changed");
		msgpack_pack_map(pk, 3);
		rpc_pack_kv_int(pk, "rule_id", r->pin_rule_id);
		rpc_pack_kv_str(pk, "path", r->pin_path);
		rpc_pack_kv_str(pk, "text", text);
	}
	if (r->risk != NULL) {
		rpc_pack_str(pk, "risk");
		pk->callback(pk->data, r->risk, r->risk_len);
	}
	if (r->intent != NULL) {
		rpc_pack_str(pk, "intent");
		pk->callback(pk->data, r->intent, r->intent_len);
	}
	pack_escalation(pk, r); /* issue #15: last, four keys */
}

static void
reply_decision(struct broker *b, struct peer *p, uint32_t msgid, const struct request *r)
{
	struct reqstate *rs = b->reqs;

	rpc_pack_result(&rs->pk, msgid);
	pack_decision(&rs->pk, r);
	peer_send_sbuf(p, &rs->sb);
}

/* ---- deciding ---- */

static void finish_decision(void *arg, int status, int64_t seq);

/* The store's view of r (pointing into r). */
static struct store_request_row
request_row(const struct request *r)
{
	return (struct store_request_row){
		.id = r->id, .created_ms = r->created_ms, .client_req_id = r->req_id,
		.agent = r->agent, .session = r->session, .kind = r->kind,
		.summary = r->summary, .cwd = r->cwd, .workspace = r->workspace,
		.pid = r->pid, .uid = r->uid, .gid = r->gid,
		.request = r->raw, .request_len = r->raw_len,
	};
}

/* Record a decision for a pending request; replies go out once its row is
 * committed.  by must be a static string; reviewer (may be NULL) is who
 * decided, reply_to (may be NULL) the connection answered at msgid. */
static void
decide(struct broker *b, struct request *r, bool allow, const char *by, const char *note,
    struct peer *reviewer, struct peer *reply_to, uint32_t msgid, const char *reviewer_name)
{
	struct reqstate *rs = b->reqs;
	struct store_request_row req = request_row(r);
	struct store_decision_row row;
	msgpack_sbuffer vsb;
	msgpack_packer vpk;
	char *anote = NULL;

	/* a person deciding after the escalation to on-call is its own outcome */
	if (strcmp(by, "reviewer") == 0 && r->esc_level >= 2)
		by = "escalated";
	list_remove(&rs->pending_head, &rs->pending_tail, r);
	rs->npending--;
	r->held_rule = 0; /* decided: whatever held it no longer does */
	own_clear(r); /* a decided request is nobody's to withdraw */
	quota_release(rs->quota, &r->quota);
	if (r->group != NULL) {
		policy_group_remove(b, r->group, r);
		r->group = NULL;
	}
	if (!allow && (strcmp(by, "reviewer") == 0 || strcmp(by, "rule") == 0 || strcmp(by, "escalated") == 0 ||
	    strcmp(by, "quorum") == 0))
		policy_note_denial(b, r->session, r->subj);
	list_push(&rs->rec_head, &rs->rec_tail, r);
	rs->nrecording++;
	uv_timer_stop(&r->timer);
	r->state = REQ_RECORDING;
	r->allow = allow;
	r->by = by;
	r->note = note != NULL ? strdup(note) : NULL;
	r->reviewer_name = reviewer_name != NULL ? strdup(reviewer_name) : NULL;
	r->reviewer_uid = reviewer != NULL ? (int64_t)peer_uid(reviewer) : -1;
	r->reviewer_pid = reviewer != NULL ? (int64_t)peer_pid(reviewer) : -1;
	wait_slot(&r->decider, reply_to, msgid);
	/* the audit row's note: the reviewer's, plus how it escalated and what
	 * the pager did (so far) */
	if (r->esc_level >= 2 || r->undo_note != NULL) {
		struct strbuf nb = { 0 };
		const char *pf = pager_failure(r->page);

		if (r->note != NULL)
			strbuf_puts(&nb, r->note), strbuf_puts(&nb, "; ");
		if (r->undo_note != NULL)
			strbuf_puts(&nb, r->undo_note);
		if (r->esc_level < 2)
			goto note_done;
		if (r->undo_note != NULL)
			strbuf_puts(&nb, "; ");
		strbuf_puts(&nb, "escalated by ");
		strbuf_puts(&nb, r->esc_by != NULL ? r->esc_by : "?");
		strbuf_puts(&nb, ": ");
		strbuf_puts(&nb, r->esc_why != NULL ? r->esc_why : "");
		if (pf[0] != '\0')
			strbuf_puts(&nb, "; pager failed: "), strbuf_puts(&nb, pf);
note_done:
		anote = strbuf_take(&nb);
	}
	if (r->narrowed != NULL && allow) {
		/* issue #14: the row says what ran instead (whole in its intent) */
		struct strbuf nb = { 0 };
		const char *base = anote != NULL ? anote : r->note;

		if (base != NULL)
			strbuf_puts(&nb, base), strbuf_puts(&nb, "; ");
		strbuf_puts(&nb, "narrowed the ");
		strbuf_puts(&nb, narrow_field_of(r->kind));
		strbuf_puts(&nb, " to: ");
		{
			size_t cut = r->narrowed_len;

			if (cut > 1024) /* on a UTF-8 character's start */
				for (cut = 1024; cut > 0 && ((unsigned char)r->narrowed[cut] & 0xc0) == 0x80; cut--)
					;
			strbuf_putn(&nb, r->narrowed, cut);
		}
		if (r->narrowed_len > 1024)
			strbuf_puts(&nb, "…");
		free(anote);
		anote = strbuf_take(&nb);
	}
	msgpack_sbuffer_init(&vsb);
	msgpack_packer_init(&vpk, &vsb, msgpack_sbuffer_write);
	if (r->nvotes > 0) {
		msgpack_pack_array(&vpk, (uint32_t)r->nvotes);
		for (int i = 0; i < r->nvotes; i++) {
			msgpack_pack_map(&vpk, 5);
			rpc_pack_kv_int(&vpk, "uid", r->votes[i].uid);
			rpc_pack_kv_int(&vpk, "pid", r->votes[i].pid);
			rpc_pack_kv_str(&vpk, "name", r->votes[i].name);
			rpc_pack_kv_str(&vpk, "vote", r->votes[i].allow ? "allow" : "deny");
			rpc_pack_kv_int(&vpk, "time_ms", r->votes[i].ms);
		}
	}
	pager_release(b, r->page, by);
	r->page = NULL;
	row = (struct store_decision_row){
		.request_id = r->id,
		.request = &req,
		.decided_ms = wall_clock_ms(),
		.decision = allow ? "allow" : "deny",
		.decided_by = by,
		.reviewer_uid = r->reviewer_uid,
		.reviewer_pid = r->reviewer_pid,
		.reviewer_name = r->reviewer_name,
		.note = anote != NULL ? anote : r->note,
		.approvers = vsb.size > 0 ? vsb.data : NULL, .approvers_len = vsb.size,
		.escalation_level = r->esc_level,
		.rule_id = r->rule_id,
		.risk_level = r->score >= 0 ? rule_level_name(r->level) : NULL,
		.risk_score = r->score,
		.risk_reasons = r->risk, .risk_reasons_len = r->risk_len,
		.intent = r->aintent != NULL ? r->aintent : r->intent,
		.intent_len = r->aintent != NULL ? r->aintent_len : r->intent_len,
		.shown_sha256 = r->shown_sha256[0] != '\0' ? r->shown_sha256 : NULL,
	};
	if (store_put_decision(b->store, &row, finish_decision, r) < 0) {
		free(anote);
		msgpack_sbuffer_destroy(&vsb);
		finish_decision(r, -1, 0);
		return;
	}
	free(anote);
	msgpack_sbuffer_destroy(&vsb);
}

/* The decision's row is committed (status 0) or could not be (-1): answer
 * everyone who waits, tell the consoles, and keep the request for retries. */
static void
finish_decision(void *arg, int status, int64_t seq)
{
	struct request *r = arg;
	struct broker *b = r->b;
	struct reqstate *rs = b->reqs;
	struct peer *p;
	uint32_t msgid;
	bool was_allow = r->allow;

	list_remove(&rs->rec_head, &rs->rec_tail, r);
	rs->nrecording--;
	r->state = REQ_DONE;
	if (status < 0) {
		log_msg("cannot record the decision for request %lld", (long long)r->id);
		r->allow = false;
		r->by = "store-error";
		r->seq = 0;
	} else {
		r->seq = seq;
		if (r->allow) /* the files it creates are this session's (issue #17); a
		               * narrowed one's are those of what runs (issue #14) */
			policy_note_created(b, r->uid, r->session, r->nsubj != NULL ? r->nsubj : r->subj, r->id);
	}
	rs->decided_total++;
	while (r->waiters != NULL) {
		p = r->waiters->p;
		msgid = r->waiters->msgid;
		waiter_free(r->waiters); /* first: see slot_take */
		reply_decision(b, p, msgid, r);
	}
	slot_take(&r->refused, &p, &msgid);
	if (p != NULL) {
		/* its req_id belonged to another request: an error, not a decision */
		if (status < 0)
			peer_reply_error(p, msgid, SG_ERR_CONFLICT,
			    "req_id '%.64s' in session '%.64s' was already used for request %lld with different "
			    "content; this request (%lld) was denied, but the denial could not be recorded (store error)",
			    r->req_id, r->session, (long long)r->conflict_with, (long long)r->id);
		else
			peer_reply_error(p, msgid, SG_ERR_CONFLICT,
			    "req_id '%.64s' in session '%.64s' was already used for request %lld with different "
			    "content; this request was denied and recorded as request %lld (audit seq %lld)",
			    r->req_id, r->session, (long long)r->conflict_with, (long long)r->id, (long long)r->seq);
	}
	slot_take(&r->decider, &p, &msgid);
	if (p != NULL) {
		if (status < 0)
			peer_reply_error(p, msgid, "store-error",
			    "the decision could not be recorded; request %lld was denied%s",
			    (long long)r->id, was_allow ? " instead of allowed" : "");
		else
			reply_decision(b, p, msgid, r);
	}
	rpc_pack_notify(&rs->pk, "decided");
	msgpack_pack_array(&rs->pk, 1);
	pack_decision(&rs->pk, r);
	broker_broadcast(b, rs->sb.data, rs->sb.size);
	msgpack_sbuffer_clear(&rs->sb);

	if (strcmp(r->by, "withdrawn") == 0) {
		request_destroy(b, r); /* a retry after a disconnect asks afresh */
	} else {
		list_push(&rs->done_head, &rs->done_tail, r);
		if (++rs->ndone > DONE_KEEP) {
			struct request *old = rs->done_head;

			list_remove(&rs->done_head, &rs->done_tail, old);
			rs->ndone--;
			request_destroy(b, old);
		}
	}
	if (b->stopping)
		broker_maybe_finish(b);
}

/* ---- escalation, expiry, quorum (issue #15; docs/POLICY.md) ---- */

static void on_timer(uv_timer_t *t);
static void hold_end(struct broker *b, struct request *r);

/* The policy in force for r (its agent, uid, gid and risk level). */
static void
esc_setup(struct broker *b, struct request *r)
{
	struct esc_effective e;
	int l = (int)r->level;

	escpolicy_resolve(&b->cfg.esc, r->agent, true, r->uid, r->gid, &e);
	r->escalate_at_ms = e.escalate_ms[l] >= 0 ? r->created_ms + e.escalate_ms[l] : -1;
	r->expire_at_ms = e.expire_ms[l] >= 0 ? r->created_ms + e.expire_ms[l] : -1;
	r->quorum = e.quorum[l];
	r->esc_level = 1;
}

/* The timer at r's next event: escalation, expiry or the deadline. */
static void
arm(struct request *r)
{
	int64_t now = broker_now_ms(r->b), next = r->deadline_ms;

	if (r->expire_at_ms >= 0 && r->expire_at_ms < next)
		next = r->expire_at_ms;
	/* a held request does not escalate (a rule answered it; on_timer) */
	if (r->esc_level < 2 && r->held_rule == 0 && r->escalate_at_ms >= 0 && r->escalate_at_ms < next)
		next = r->escalate_at_ms;
	if (r->held_rule > 0 && r->held_until_ms < next)
		next = r->held_until_ms;
	uv_timer_start(&r->timer, on_timer, next > now ? (uint64_t)(next - now) : 0, 0);
}

/* The pager's trigger text: the group and the request that escalated. */
static char *
trigger_json(struct broker *b, struct request *r, const char *gid)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_zone z;
	msgpack_object o;
	size_t off = 0;
	char *text = NULL;
	char host[256] = "";

	gethostname(host, sizeof host - 1);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 9);
	rpc_pack_kv_str(&pk, "event", "trigger");
	rpc_pack_kv_str(&pk, "group", gid);
	rpc_pack_kv_str(&pk, "host", host);
	rpc_pack_kv_int(&pk, "time_ms", broker_now_ms(b));
	rpc_pack_kv_str(&pk, "level", rule_level_name(r->level));
	rpc_pack_kv_int(&pk, "group_size", r->group != NULL ? (int64_t)group_size(r->group) : 1);
	rpc_pack_kv_str(&pk, "escalated_by", r->esc_by);
	rpc_pack_kv_str(&pk, "why", r->esc_why);
	rpc_pack_str(&pk, "request");
	pack_request(&pk, r);
	msgpack_zone_init(&z, 4096);
	if (msgpack_unpack(sb.data, sb.size, &off, &z, &o) == MSGPACK_UNPACK_SUCCESS) {
		json_t *j = mpjson_from_msgpack(&o);
		char *d = json_dumps(j, JSON_COMPACT);

		json_decref(j);
		if (d != NULL) {
			size_t n = strlen(d);

			if ((text = malloc(n + 2)) != NULL) {
				memcpy(text, d, n);
				text[n] = '\n', text[n + 1] = '\0';
			}
			free(d);
		}
	}
	msgpack_zone_destroy(&z);
	msgpack_sbuffer_destroy(&sb);
	return text;
}

/* r goes to the on-call level: consoles are told (notification
 * `escalated`), the pager triggered for its group (once per group). */
static void
escalate(struct broker *b, struct request *r, const char *by, const char *why)
{
	struct reqstate *rs = b->reqs;
	char gid[32];
	char *json;

	if (r->state != REQ_PENDING || r->esc_level >= 2)
		return;
	r->esc_level = 2;
	r->esc_ms = broker_now_ms(b);
	free(r->esc_by);
	free(r->esc_why);
	r->esc_by = strdup(by);
	r->esc_why = strdup(why);
	log_msg("request %lld (%s, group %s) escalated by %s: %s", (long long)r->id, rule_level_name(r->level),
	    r->group != NULL ? group_id(r->group) : "-", by, why);
	rpc_pack_notify(&rs->pk, "escalated");
	msgpack_pack_array(&rs->pk, 1);
	msgpack_pack_map(&rs->pk, 5 + 4); /* + pack_escalation's four */
	rpc_pack_kv_int(&rs->pk, "id", r->id);
	rpc_pack_kv_str(&rs->pk, "group", r->group != NULL ? group_id(r->group) : NULL);
	rpc_pack_kv_str(&rs->pk, "level", rule_level_name(r->level));
	rpc_pack_kv_str(&rs->pk, "summary", r->summary);
	rpc_pack_kv_int(&rs->pk, "deadline_ms", r->deadline_ms);
	pack_escalation(&rs->pk, r);
	broker_broadcast(b, rs->sb.data, rs->sb.size);
	msgpack_sbuffer_clear(&rs->sb);
	if (b->cfg.esc.pager[0] != '\0') {
		if (r->group != NULL)
			snprintf(gid, sizeof gid, "%s", group_id(r->group));
		else
			snprintf(gid, sizeof gid, "r%lld", (long long)r->id);
		json = trigger_json(b, r, gid);
		if (json == NULL)
			log_msg("pager: out of memory: request %lld not paged", (long long)r->id);
		else
			r->page = pager_page(b, gid, json);
	}
	arm(r);
}

static void
on_timer(uv_timer_t *t)
{
	struct request *r = t->data;
	struct broker *b = r->b;
	int64_t now = broker_now_ms(b);

	if (r->state != REQ_PENDING)
		return;
	if (r->esc_level < 2 && r->held_rule == 0 && r->escalate_at_ms >= 0 && now >= r->escalate_at_ms) {
		char why[160];

		snprintf(why, sizeof why, "unanswered for %lld s (escalate.%s)",
		    (long long)((r->escalate_at_ms - r->created_ms) / 1000), rule_level_name(r->level));
		escalate(b, r, "broker", why);
	}
	if (r->expire_at_ms >= 0 && now >= r->expire_at_ms && r->expire_at_ms <= r->deadline_ms)
		decide(b, r, false, "expired", NULL, NULL, NULL, 0, NULL);
	else if (now >= r->deadline_ms)
		decide(b, r, false, "timeout", NULL, NULL, NULL, 0, NULL);
	else if (r->held_rule > 0 && now >= r->held_until_ms)
		hold_end(b, r);
	else
		arm(r);
}

void
request_clock_moved(struct broker *b)
{
	for (struct request *r = b->reqs->pending_head; r != NULL; r = r->next)
		arm(r);
}

void
request_queue_stats(struct broker *b, size_t levels[4], size_t *escalated, int64_t *oldest_ms)
{
	memset(levels, 0, 4 * sizeof levels[0]);
	*escalated = 0;
	*oldest_ms = b->reqs->pending_head != NULL ? b->reqs->pending_head->created_ms : -1;
	for (struct request *r = b->reqs->pending_head; r != NULL; r = r->next) {
		levels[r->level <= RL_CRITICAL ? r->level : RL_CRITICAL]++;
		*escalated += r->esc_level >= 2;
		if (r->created_ms < *oldest_ms)
			*oldest_ms = r->created_ms;
	}
}

int
request_escalate(struct broker *b, int64_t id, const char *by, const char *why)
{
	struct request *r = table_get(b->reqs->by_id, &id, sizeof id);

	if (r == NULL || r->state != REQ_PENDING)
		return -1;
	if (r->esc_level >= 2)
		return 0;
	escalate(b, r, by, why);
	return 1;
}

/* A console's vote on r (quorum > 1): the requester's uid never counts, nor
 * a second vote of one uid (whatever name it gives).  Returns the outcome:
 * 1 decided (by quorum, or a deny), 0 counted and still pending, -1 not
 * counted (why says so). */
static int
vote(struct broker *b, struct request *r, bool allow, const char *note, struct peer *p, struct peer *reply_to,
    uint32_t msgid, const char *name, char *why, size_t whylen)
{
	int64_t uid = (int64_t)peer_uid(p);
	int yes = 0, no = 0;
	struct vote *v;

	if (allow && uid == (int64_t)r->uid) {
		snprintf(why, whylen, "request %lld needs %d approvers other than its requester (uid %lld): "
		    "your approval is not counted", (long long)r->id, r->quorum, (long long)uid);
		return -1;
	}
	for (int i = 0; i < r->nvotes; i++)
		if (r->votes[i].uid == uid && r->votes[i].allow == allow) {
			snprintf(why, whylen, "uid %lld already %s request %lld (as '%s'); a reviewer name is not an "
			    "identity: this vote is not counted", (long long)uid, allow ? "approved" : "denied",
			    (long long)r->id, r->votes[i].name);
			return -1;
		}
	if (r->nvotes >= QUORUM_MAX_VOTES) {
		snprintf(why, whylen, "request %lld has too many votes", (long long)r->id);
		return -1;
	}
	if (r->votes == NULL && (r->votes = calloc(QUORUM_MAX_VOTES, sizeof *r->votes)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	v = &r->votes[r->nvotes++];
	v->uid = uid;
	v->pid = (int64_t)peer_pid(p);
	v->ms = broker_now_ms(b);
	v->allow = allow;
	snprintf(v->name, sizeof v->name, "%s", name != NULL ? name : "");
	for (int i = 0; i < r->nvotes; i++) {
		if (r->votes[i].allow)
			yes++;
		else if (r->votes[i].uid != (int64_t)r->uid)
			no++;
	}
	log_msg("request %lld: %s by uid %lld (%s), %d of %d approvals", (long long)r->id,
	    allow ? "approved" : "denied", (long long)uid, name != NULL ? name : "", yes, r->quorum);
	if (!allow && (b->cfg.esc.quorum_deny_any || uid == (int64_t)r->uid || no >= r->quorum)) {
		decide(b, r, false, r->esc_level >= 2 ? "escalated" : "reviewer", note, p, reply_to, msgid, name);
		return 1;
	}
	if (allow && yes >= r->quorum) {
		decide(b, r, true, "quorum", note, p, reply_to, msgid, name);
		return 1;
	}
	snprintf(why, whylen, "recorded: %d of %d approvals", yes, r->quorum);
	return 0;
}

/* ---- rules and groups (policy.h) ---- *//* ---- rules and groups (policy.h) ---- */

/* What the rule set says about r now; a pinned rule that would have
 * covered it but for a changed file is kept for the view (pin_changed). */
static void
judge(struct broker *b, struct request *r, struct rule_verdict *v)
{
	struct rule_ctx c = {
		.session = r->session, .agent = r->agent, .workspace = r->subj->workspace,
		.level = r->level, .no_allow = r->circ != 0, .now_ms = wall_clock_ms(),
	};

	policy_judge(b, r->subj, &c, v);
	if (v->v == VERDICT_NONE && v->pin_changed != NULL && r->pin_rule_id != rule_id(v->pin_changed)) {
		free(r->pin_path);
		r->pin_path = strdup(rule_pin_path(v->pin_changed));
		r->pin_rule_id = rule_id(v->pin_changed);
	}
}

static void
decide_by_rule(struct broker *b, struct request *r, const struct rule_verdict *v)
{
	char note[300];

	r->rule_id = rule_id(v->rule);
	r->rule_text = strdup(rule_text(v->rule));
	/* the audit row names the rule and who made it (issue #17) */
	if (rule_author_name(v->rule) != NULL && rule_author_name(v->rule)[0] != '\0')
		snprintf(note, sizeof note, "rule %lld made by %.200s (uid %lld)", (long long)rule_id(v->rule),
		    rule_author_name(v->rule), (long long)rule_author_uid(v->rule));
	else
		snprintf(note, sizeof note, "rule %lld made by uid %lld", (long long)rule_id(v->rule),
		    (long long)rule_author_uid(v->rule));
	policy_hits(b, v);
	decide(b, r, v->v == VERDICT_ALLOW, "rule", note, NULL, NULL, 0, NULL);
}

/* Put pending r in the group of the part that needs a decision. */
static void
join_group(struct broker *b, struct request *r, size_t key_part)
{
	struct group_member m = {
		.req = r, .id = r->id, .created_ms = r->created_ms, .session = r->session,
		.agent = r->agent, .subj = r->subj, .key_part = key_part, .score = r->score,
		.level = r->level, .no_allow = r->circ != 0, .conns = r->conns,
	};

	if (r->group != NULL)
		policy_group_remove(b, r->group, r);
	r->key_part = key_part;
	r->group = policy_group_add(b, &m);
}

/* Copy what sb holds into a new buffer of its size; -1 on out of memory. */
static int
take_bytes(msgpack_sbuffer *sb, char **out, size_t *len)
{
	*out = sb->size > 0 ? malloc(sb->size) : NULL;
	if (*out != NULL)
		memcpy(*out, sb->data, sb->size);
	*len = sb->size;
	msgpack_sbuffer_clear(sb);
	return *out != NULL ? 0 : -1;
}

/* Pack o alone into a new buffer (*out, *len); -1 on out of memory. */
static int
keep_object(struct reqstate *rs, const msgpack_object *o, char **out, size_t *len)
{
	msgpack_sbuffer_clear(&rs->ksb);
	msgpack_pack_object(&rs->kpk, *o);
	return take_bytes(&rs->ksb, out, len);
}

/* A short text naming part i (for a risk reason's "part"). */
static void
part_text(const struct subject *s, int i, char *buf, size_t cap)
{
	const struct subj_part *p = i >= 0 && (size_t)i < s->nparts ? &s->parts[i] : NULL;
	size_t n = 0;

	buf[0] = '\0';
	if (p == NULL)
		return;
	if (p->kind == SK_EXEC) {
		for (size_t k = 0; k < p->nwords && n + 2 < cap; k++)
			n += (size_t)snprintf(buf + n, cap - n, "%s%s", k ? " " : "", p->words[k].text);
	} else {
		snprintf(buf, cap, "%s", p->path != NULL ? p->path : p->host != NULL ? p->host :
		    p->tool != NULL ? p->tool : "");
	}
}

/* The scorer's risk with the circumvention signals added as reasons: at
 * least high, the signals first. */
static int
keep_risk(struct reqstate *rs, struct request *r, const msgpack_object *risk)
{
	const msgpack_object *reasons = rpc_map_get(risk, "reasons");
	uint32_t nold = reasons != NULL && reasons->type == MSGPACK_OBJECT_ARRAY ? reasons->via.array.size : 0;
	msgpack_packer *pk = &rs->kpk;
	size_t ncirc = 0;

	if (r->circ == 0)
		return keep_object(rs, risk, &r->risk, &r->risk_len);
	for (unsigned i = 0; i < CIRC_NSIGNALS; i++)
		ncirc += (r->circ >> i) & 1;
	if (r->level < RL_HIGH)
		r->level = RL_HIGH;
	if (r->score < 60)
		r->score = 60;
	msgpack_sbuffer_clear(&rs->ksb);
	msgpack_pack_map(pk, 3);
	rpc_pack_kv_int(pk, "score", r->score);
	rpc_pack_kv_str(pk, "level", rule_level_name(r->level));
	rpc_pack_str(pk, "reasons");
	msgpack_pack_array(pk, ncirc + nold);
	for (unsigned i = 0; i < CIRC_NSIGNALS; i++) {
		char part[256];

		if (!((r->circ >> i) & 1))
			continue;
		part_text(r->subj, r->circ_part[i], part, sizeof part);
		msgpack_pack_map(pk, 4);
		rpc_pack_kv_str(pk, "id", circ_reason_id(i));
		rpc_pack_kv_str(pk, "text", circ_reason_text(i));
		rpc_pack_kv_int(pk, "weight", 60);
		rpc_pack_kv_str(pk, "part", part);
	}
	for (uint32_t i = 0; i < nold; i++)
		msgpack_pack_object(pk, reasons->via.array.ptr[i]);
	return take_bytes(&rs->ksb, &r->risk, &r->risk_len);
}

/* How the commands of an exec request's line are joined (shape.h), for
 * its group's signature; NULL for one command or another kind. */
static char *
request_conns(const msgpack_object *map, const struct subject *s)
{
	const msgpack_object *cmd = rpc_map_get(map, "command"), *argv = rpc_map_get(map, "argv");
	size_t nexec = 0;

	if (s == NULL || s->kind != SK_EXEC)
		return NULL;
	for (size_t k = 0; k < s->nparts; k++)
		nexec += s->parts[k].kind == SK_EXEC;
	if (cmd != NULL && cmd->type == MSGPACK_OBJECT_STR)
		return shape_connectors(cmd->via.str.ptr, cmd->via.str.size, nexec);
	/* an argument vector such as [bash, -c, SCRIPT]: the script's line */
	if (argv != NULL && argv->type == MSGPACK_OBJECT_ARRAY && argv->via.array.size == 3 &&
	    argv->via.array.ptr[2].type == MSGPACK_OBJECT_STR && argv->via.array.ptr[1].type == MSGPACK_OBJECT_STR &&
	    argv->via.array.ptr[1].via.str.size == 2 && memcmp(argv->via.array.ptr[1].via.str.ptr, "-c", 2) == 0)
		return shape_connectors(argv->via.array.ptr[2].via.str.ptr, argv->via.array.ptr[2].via.str.size, nexec);
	return nexec > 1 ? shape_connectors(NULL, 0, nexec) : NULL;
}

/* The intent, risk, subject and circumvention signals of a new request,
 * computed once; -1 on out of memory. */
static int
prepare(struct broker *b, struct request *r, const msgpack_object *map)
{
	struct reqstate *rs = b->reqs;
	msgpack_object out;
	const msgpack_object *intent = NULL, *risk = NULL;
	size_t off = 0;
	int rc = 0;

	msgpack_sbuffer_clear(&rs->asb);
	msgpack_zone_clear(&rs->azone);
	if (policy_assess(b, r->uid, r->session, map, &rs->apk, &r->score, &r->level) == 0 &&
	    msgpack_unpack(rs->asb.data, rs->asb.size, &off, &rs->azone, &out) == MSGPACK_UNPACK_SUCCESS) {
		intent = rpc_map_get(&out, "intent");
		risk = rpc_map_get(&out, "risk");
	}
	r->subj = subject_from_intent(intent, map, getenv("HOME"));
	if (r->subj == NULL)
		rc = -1;
	else
		r->circ = policy_circumvention(b, r->session, r->subj, r->circ_part);
	if (rc == 0 && intent != NULL && keep_object(rs, intent, &r->intent, &r->intent_len) < 0)
		rc = -1;
	if (rc == 0 && risk != NULL && keep_risk(rs, r, risk) < 0)
		rc = -1;
	if (rc == 0 && risk == NULL && r->circ != 0 && r->level < RL_HIGH)
		r->level = RL_HIGH;
	if (rc == 0)
		r->conns = request_conns(map, r->subj);
	return rc;
}

void
request_recheck(struct broker *b)
{
	struct reqstate *rs = b->reqs;
	struct request *r, *next;

	for (r = rs->pending_head; r != NULL; r = next) {
		struct rule_verdict v;

		next = r->next;
		if (r->held_rule > 0)
			continue; /* judged again when its hold ends */
		judge(b, r, &v);
		if (v.v == VERDICT_ALLOW && r->quorum > 1)
			continue; /* a quorum is never replaced by a rule */
		if (v.v != VERDICT_NONE)
			decide_by_rule(b, r, &v);
		else if (v.first_uncovered < r->subj->nparts && v.first_uncovered != r->key_part)
			join_group(b, r, v.first_uncovered);
	}
}

/* ---- answers held for the undo window (issue #16) ---- */

static int
add_released(struct released_list *out, const struct request *r, bool allow, bool held)
{
	struct released *v;

	if (out == NULL)
		return 0;
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 8;

		if ((v = realloc(out->v, cap * sizeof *v)) == NULL)
			return -1;
		out->v = v;
		out->cap = cap;
	}
	v = &out->v[out->n];
	if ((v->summary = strdup(r->summary != NULL ? r->summary : "")) == NULL)
		return -1;
	v->id = r->id;
	v->level = r->level;
	v->allow = allow;
	v->held = held;
	out->n++;
	return 0;
}

void
released_free(struct released_list *l)
{
	for (size_t i = 0; l != NULL && i < l->n; i++)
		free(l->v[i].summary);
	if (l != NULL) {
		free(l->v);
		*l = (struct released_list){ 0 };
	}
}

/* The hold of r ends: judged again now (the rule may have been revoked,
 * or another may deny it), answered if a rule still decides it, else
 * back in the queue. */
static void
hold_end(struct broker *b, struct request *r)
{
	struct rule_verdict v;

	r->held_rule = 0;
	judge(b, r, &v);
	if (v.v != VERDICT_NONE && !(v.v == VERDICT_ALLOW && r->quorum > 1)) {
		decide_by_rule(b, r, &v);
		return;
	}
	join_group(b, r, v.first_uncovered < r->subj->nparts ? v.first_uncovered : r->key_part);
	arm(r);
}

void
request_recheck_new_rule(struct broker *b, int64_t rule_id, int64_t hold_ms, struct released_list *out)
{
	struct reqstate *rs = b->reqs;
	struct request *r, *next;
	int64_t until = broker_now_ms(b) + hold_ms;

	for (r = rs->pending_head; r != NULL; r = next) {
		struct rule_verdict v;

		next = r->next;
		if (r->held_rule > 0)
			continue;
		judge(b, r, &v);
		if (v.v == VERDICT_ALLOW && r->quorum > 1)
			continue; /* a quorum is never replaced by a rule */
		if (v.v == VERDICT_ALLOW && hold_ms > 0) {
			/* answered by the new rule: held, so the person can still undo it */
			if (add_released(out, r, true, true) < 0)
				log_msg("out of memory: request %lld not listed as released", (long long)r->id);
			if (r->group != NULL) {
				policy_group_remove(b, r->group, r);
				r->group = NULL;
			}
			r->held_rule = rule_id;
			r->held_until_ms = until;
			arm(r);
		} else if (v.v != VERDICT_NONE) {
			if (add_released(out, r, v.v == VERDICT_ALLOW, false) < 0)
				log_msg("out of memory: request %lld not listed as released", (long long)r->id);
			decide_by_rule(b, r, &v);
		} else if (v.first_uncovered < r->subj->nparts && v.first_uncovered != r->key_part) {
			join_group(b, r, v.first_uncovered);
		}
	}
}

int
request_unhold(struct broker *b, int64_t id, int64_t rule_id, const char *note)
{
	struct request *r = table_get(b->reqs->by_id, &id, sizeof id);
	struct rule_verdict v;

	if (r == NULL)
		return -1;
	if (r->state != REQ_PENDING)
		return 1; /* its answer is out, or being recorded: too late */
	if (r->held_rule != rule_id)
		return 0; /* pending already (or held by another rule) */
	r->held_rule = 0;
	free(r->undo_note);
	r->undo_note = note != NULL ? strdup(note) : NULL;
	/* back in the queue, never judged again here: a person decides it (or
	 * a later rule change does, as for any pending request) */
	judge(b, r, &v);
	join_group(b, r, v.first_uncovered < r->subj->nparts ? v.first_uncovered : r->key_part);
	arm(r);
	return 2;
}

int
request_answer_state(struct broker *b, int64_t id, bool *allow, const char **summary, enum rule_level *level)
{
	struct request *r = table_get(b->reqs->by_id, &id, sizeof id);

	if (r == NULL)
		return -1;
	*allow = r->allow;
	if (summary != NULL)
		*summary = r->summary;
	if (level != NULL)
		*level = r->level;
	if (r->state != REQ_PENDING)
		return 1;
	return r->held_rule > 0 ? 2 : 0;
}

size_t
request_decide_list(struct broker *b, struct request **v, size_t n, bool allow, const char *note,
    struct peer *reviewer, const char *reviewer_name, const char *shown_sha256)
{
	size_t done = 0;

	for (size_t i = 0; i < n; i++) {
		if (v[i]->state != REQ_PENDING)
			continue;
		snprintf(v[i]->shown_sha256, sizeof v[i]->shown_sha256, "%s",
		    shown_sha256 != NULL ? shown_sha256 : "");
		/* the group's answer goes to the console, not one per request */
		if (v[i]->quorum > 1 && reviewer != NULL) {
			char why[300];

			if (vote(b, v[i], allow, note, reviewer, NULL, 0, reviewer_name, why, sizeof why) > 0)
				done++;
			continue;
		}
		decide(b, v[i], allow, "reviewer", note, reviewer, NULL, 0, reviewer_name);
		done++;
	}
	return done;
}

bool
request_failed(struct broker *b, int64_t id)
{
	struct request *r = table_get(b->reqs->by_id, &id, sizeof id);

	return r != NULL && r->state == REQ_DONE && strcmp(r->by, "store-error") == 0;
}

int64_t
request_id_of(const struct request *r)
{
	return r->id;
}

/* ---- submit ---- */

struct submit_fields {
	const msgpack_object *map;
	char *req_id, *agent, *session, *kind, *cwd, *workspace;
	int64_t timeout_s;
	bool wait;
	/* `oversized`: the client could not carry this field whole */
	bool oversized;
	char ov_field[65];
	int64_t ov_bytes;
	struct narrow_accepts acc;    /* issue #14: accepts, narrow_field */
};

static void
free_fields(struct submit_fields *f)
{
	free(f->req_id);
	free(f->agent);
	free(f->session);
	free(f->kind);
	free(f->cwd);
	free(f->workspace);
}

static int
req_str(const msgpack_object *map, const char *key, size_t max, char **out, const char **bad)
{
	if (rpc_opt_str(map, key, max, out, bad) < 0)
		return -1;
	if (*out == NULL || **out == '\0') {
		*bad = key;
		return -1;
	}
	return 0;
}

static bool
is_str(const msgpack_object *o)
{
	return o != NULL && o->type == MSGPACK_OBJECT_STR;
}

/* Check that the kind's payload is present and well typed. */
static const char *
check_payload(const msgpack_object *map, const char *kind)
{
	const msgpack_object *o;

	if (strcmp(kind, "exec") == 0) {
		o = rpc_map_get(map, "argv");
		if (o != NULL) {
			if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size == 0)
				return "argv must be a non-empty array of strings";
			for (uint32_t i = 0; i < o->via.array.size; i++)
				if (!is_str(&o->via.array.ptr[i]))
					return "argv must be a non-empty array of strings";
			return NULL;
		}
		return is_str(rpc_map_get(map, "command")) ? NULL : "exec needs command or argv";
	}
	if (strcmp(kind, "write") == 0 || strcmp(kind, "edit") == 0 ||
	    strcmp(kind, "read") == 0 || strcmp(kind, "delete") == 0)
		return is_str(rpc_map_get(map, "path")) ? NULL : "this kind needs a path";
	if (strcmp(kind, "net") == 0)
		return is_str(rpc_map_get(map, "url")) || is_str(rpc_map_get(map, "host"))
		    ? NULL : "net needs url or host";
	if (strcmp(kind, "mcp") == 0)
		return is_str(rpc_map_get(map, "server")) && is_str(rpc_map_get(map, "tool"))
		    ? NULL : "mcp needs server and tool";
	/* other: the URLs and hosts its input names (a malformed list makes
	 * the subject unparsed, subject.c); a tool name to match rules on */
	return is_str(rpc_map_get(map, "tool_name")) ? NULL : "other needs tool_name";
}

/* `oversized: {field, bytes, sha256}`: the request stands for one whose
 * field (named in plain ASCII, at most 64 bytes) was too big to send whole;
 * bytes and sha256 (64 hex digits) describe it.  NULL if well formed. */
static const char *
parse_oversized(const msgpack_object *o, struct submit_fields *f)
{
	const msgpack_object *field = rpc_map_get(o, "field"), *bytes = rpc_map_get(o, "bytes");
	const msgpack_object *sha = rpc_map_get(o, "sha256");
	static const char *const bad = "oversized must be {field: str, bytes: int, sha256: 64 hex digits}";

	if (o->type != MSGPACK_OBJECT_MAP || !is_str(field) || field->via.str.size == 0 ||
	    field->via.str.size >= sizeof f->ov_field || rpc_get_int(bytes, 0, INT64_MAX, &f->ov_bytes) < 0 ||
	    !is_str(sha) || sha->via.str.size != 64)
		return bad;
	for (uint32_t i = 0; i < field->via.str.size; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
		        field->via.str.ptr[i]) == NULL || field->via.str.ptr[i] == '\0')
			return bad;
	for (uint32_t i = 0; i < 64; i++)
		if (strchr("0123456789abcdefABCDEF", sha->via.str.ptr[i]) == NULL || sha->via.str.ptr[i] == '\0')
			return bad;
	memcpy(f->ov_field, field->via.str.ptr, field->via.str.size);
	f->ov_field[field->via.str.size] = '\0';
	f->oversized = true;
	return NULL;
}

static const char *
parse_submit(const msgpack_object *params, struct submit_fields *f)
{
	const char *bad = NULL;
	const msgpack_object *o;
	bool kind_ok = false;

	memset(f, 0, sizeof *f);
	if (params->via.array.size != 1 || params->via.array.ptr[0].type != MSGPACK_OBJECT_MAP)
		return "submit takes one map";
	f->map = &params->via.array.ptr[0];
	if (req_str(f->map, "req_id", 256, &f->req_id, &bad) < 0 ||
	    req_str(f->map, "agent", 128, &f->agent, &bad) < 0 ||
	    req_str(f->map, "session", 256, &f->session, &bad) < 0 ||
	    req_str(f->map, "kind", 16, &f->kind, &bad) < 0 ||
	    rpc_opt_str(f->map, "cwd", 4096, &f->cwd, &bad) < 0 ||
	    rpc_opt_str(f->map, "workspace", 4096, &f->workspace, &bad) < 0) {
		static char why[64];

		snprintf(why, sizeof why, "field '%s' is missing or not a valid string", bad);
		return why;
	}
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		kind_ok |= strcmp(f->kind, kinds[i]) == 0;
	if (!kind_ok)
		return "kind must be exec, write, edit, read, delete, net, mcp or other";
	if ((o = rpc_map_get(f->map, "timeout")) != NULL && o->type != MSGPACK_OBJECT_NIL &&
	    rpc_get_int(o, 1, 86400, &f->timeout_s) < 0)
		return "timeout must be 1 to 86400 seconds";
	if ((o = rpc_map_get(f->map, "wait")) != NULL && o->type != MSGPACK_OBJECT_NIL) {
		if (o->type != MSGPACK_OBJECT_BOOLEAN)
			return "wait must be a boolean";
		f->wait = o->via.boolean;
	}
	{
		const char *why = narrow_parse_accepts(f->map, &f->acc);

		if (why != NULL)
			return why;
	}
	/* a request that stands for one too big to carry needs no payload: it
	 * is denied at once (request_submit) */
	if ((o = rpc_map_get(f->map, "oversized")) != NULL && o->type != MSGPACK_OBJECT_NIL)
		return parse_oversized(o, f);
	return check_payload(f->map, f->kind);
}

/* Append s to b, quoting it shell-style if it has characters a reader
 * could misread. */
static void
append_word(struct strbuf *b, const char *s, size_t n)
{
	bool plain = n > 0;

	for (size_t i = 0; i < n; i++)
		plain &= strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%", s[i]) != NULL && s[i] != '\0';
	if (b->n > 0)
		strbuf_putc(b, ' ');
	if (plain) {
		strbuf_putn(b, s, n);
		return;
	}
	strbuf_putc(b, '\'');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\'')
			strbuf_puts(b, "'\\''");
		else
			strbuf_putc(b, s[i]);
	}
	strbuf_putc(b, '\'');
}

static void
str_field(const msgpack_object *map, const char *key, const char **s, size_t *n)
{
	const msgpack_object *o = rpc_map_get(map, key);

	*s = is_str(o) ? o->via.str.ptr : "";
	*n = is_str(o) ? o->via.str.size : 0;
}

/* One line a person can read at a glance (issue #12): the whole command,
 * path, URL or tool, with runs of whitespace collapsed (2-15 spaces become
 * one, 16 or more whitespace characters a count such as "⟨200 spaces⟩",
 * tui/text.h) so padding cannot hide what follows, and cut at SUMMARY_MAX
 * bytes with "…(+N bytes)" saying how much is left out.  Control characters
 * are kept (the console escapes them when it draws). */
static char *
make_summary(const struct submit_fields *f)
{
	struct strbuf b = { 0 };
	const char *s;
	size_t n;
	const msgpack_object *argv = rpc_map_get(f->map, "argv");
	char *raw, *sum;

	if (strcmp(f->kind, "exec") == 0 && argv != NULL) {
		for (uint32_t i = 0; i < argv->via.array.size; i++)
			append_word(&b, argv->via.array.ptr[i].via.str.ptr, argv->via.array.ptr[i].via.str.size);
	} else if (strcmp(f->kind, "exec") == 0) {
		str_field(f->map, "command", &s, &n);
		strbuf_putn(&b, s, n);
	} else if (strcmp(f->kind, "net") == 0) {
		const char *m, *u;
		size_t mn, un;

		str_field(f->map, "method", &m, &mn);
		str_field(f->map, "url", &u, &un);
		if (un == 0)
			str_field(f->map, "host", &u, &un);
		strbuf_putn(&b, m, mn < 32 ? mn : 32);
		if (mn > 0)
			strbuf_putc(&b, ' ');
		strbuf_putn(&b, u, un);
	} else if (strcmp(f->kind, "mcp") == 0) {
		const char *t;
		size_t tn;

		str_field(f->map, "server", &s, &n);
		str_field(f->map, "tool", &t, &tn);
		strbuf_puts(&b, "mcp ");
		strbuf_putn(&b, s, n);
		strbuf_putc(&b, '.');
		strbuf_putn(&b, t, tn);
	} else if (strcmp(f->kind, "other") == 0) {
		/* a tool sandgate cannot read: its name and its whole input */
		const msgpack_object *ti = rpc_map_get(f->map, "tool_input");
		char *in = ti != NULL ? input_text(ti, (size_t)4 << 20, NULL) : NULL;

		str_field(f->map, "tool_name", &s, &n);
		strbuf_puts(&b, "other ");
		strbuf_putn(&b, s, n);
		strbuf_putc(&b, ' ');
		strbuf_puts(&b, in != NULL ? in : ti != NULL ? "(an input with no JSON form)" : "(no input)");
		free(in);
	} else {
		str_field(f->map, "path", &s, &n);
		strbuf_puts(&b, f->kind);
		strbuf_putc(&b, ' ');
		strbuf_putn(&b, s, n);
	}
	if (strcmp(f->kind, "exec") == 0) {
		/* what the command asks of its sandbox (Gemini additional_permissions) */
		str_field(f->map, "permissions", &s, &n);
		if (n > 0) {
			strbuf_puts(&b, " [asks for: ");
			strbuf_putn(&b, s, n);
			strbuf_putc(&b, ']');
		}
	}
	n = b.n;
	if ((raw = strbuf_take(&b)) == NULL)
		return NULL;
	sum = text_squeeze(raw, n, SUMMARY_MAX); /* NUL bytes become the text \x00 */
	free(raw);
	return sum;
}

static char *
make_key(uid_t uid, const char *session, const char *req_id, size_t *len)
{
	size_t n = 24 + strlen(session) + strlen(req_id);
	char *k = malloc(n);

	if (k == NULL)
		return NULL;
	*len = (size_t)snprintf(k, n, "%lu", (unsigned long)uid) + 1;
	memcpy(k + *len, session, strlen(session) + 1);
	*len += strlen(session) + 1;
	memcpy(k + *len, req_id, strlen(req_id));
	*len += strlen(req_id);
	return k;
}

static void
reply_state(struct broker *b, struct peer *p, uint32_t msgid, const struct request *r)
{
	struct reqstate *rs = b->reqs;

	rpc_pack_result(&rs->pk, msgid);
	msgpack_pack_map(&rs->pk, 5 + 4);
	rpc_pack_kv_int(&rs->pk, "id", r->id);
	rpc_pack_kv_str(&rs->pk, "state", "pending");
	/* false: decided already (a rule), its row being recorded */
	rpc_pack_kv_bool(&rs->pk, "waiting", r->state == REQ_PENDING);
	rpc_pack_kv_int(&rs->pk, "now_ms", broker_now_ms(b));
	rpc_pack_kv_int(&rs->pk, "deadline_ms", r->deadline_ms);
	pack_escalation(&rs->pk, r);
	peer_send_sbuf(p, &rs->sb);
}

/* Flag a request that goes around the controls to every console. */
static void
notify_circumvention(struct broker *b, const struct request *r)
{
	struct reqstate *rs = b->reqs;

	rpc_pack_notify(&rs->pk, "circumvention");
	msgpack_pack_array(&rs->pk, 1);
	msgpack_pack_map(&rs->pk, 4);
	rpc_pack_kv_int(&rs->pk, "id", r->id);
	rpc_pack_kv_str(&rs->pk, "session", r->session);
	rpc_pack_kv_str(&rs->pk, "agent", r->agent);
	pack_circumvention(&rs->pk, r);
	broker_broadcast(b, rs->sb.data, rs->sb.size);
	msgpack_sbuffer_clear(&rs->sb);
}

/* An existing request under the same key: answer as if it were new. */
static void
resubmitted(struct broker *b, struct peer *p, uint32_t msgid, struct request *r, bool wait)
{
	if (r->state == REQ_DONE)
		reply_decision(b, p, msgid, r);
	else if (!wait)
		reply_state(b, p, msgid, r);
	else if (add_waiter(r, p, msgid) < 0)
		peer_reply_error(p, msgid, SG_ERR_INTERNAL, "out of memory");
}

static struct request *
new_request(struct broker *b, struct peer *p, struct submit_fields *f, char *key, size_t klen)
{
	struct request *r = calloc(1, sizeof *r);
	msgpack_sbuffer raw;
	msgpack_packer pk;

	if (r == NULL)
		return NULL;
	msgpack_sbuffer_init(&raw);
	msgpack_packer_init(&pk, &raw, msgpack_sbuffer_write);
	msgpack_pack_object(&pk, *f->map);
	/* the sbuffer reserves 8 KiB; keep only what the request needs */
	r->raw = raw.size > 0 ? malloc(raw.size) : NULL;
	if (r->raw != NULL)
		memcpy(r->raw, raw.data, raw.size);
	msgpack_sbuffer_destroy(&raw);
	r->raw_len = raw.size;
	r->summary = make_summary(f);
	if (r->raw == NULL || r->summary == NULL) {
		free(r->raw);
		free(r->summary);
		free(r);
		return NULL;
	}
	r->b = b;
	r->key = key;
	r->key_len = klen;
	r->req_id = f->req_id, f->req_id = NULL;
	r->agent = f->agent, f->agent = NULL;
	r->session = f->session, f->session = NULL;
	r->kind = f->kind, f->kind = NULL;
	r->cwd = f->cwd, f->cwd = NULL;
	r->workspace = f->workspace, f->workspace = NULL;
	r->acc = f->acc;
	r->pid = peer_pid(p);
	r->uid = peer_uid(p);
	r->gid = peer_gid(p);
	own_set(r, p);
	r->created_ms = broker_now_ms(b);
	r->escalate_at_ms = r->expire_at_ms = -1;
	r->quorum = 1;
	r->timeout_s = f->timeout_s > 0 ? f->timeout_s : b->cfg.timeout_s;
	{
		/* an agent may not ask to be waited for longer than the cap (nor
		 * than the broker's own default, should that be longer) */
		int64_t cap = b->cfg.max_request_timeout_s > b->cfg.timeout_s ? b->cfg.max_request_timeout_s
		                                                               : b->cfg.timeout_s;

		if (r->timeout_s > cap) {
			r->timeout_asked_s = r->timeout_s;
			r->timeout_s = cap;
		}
	}
	r->deadline_ms = r->created_ms + 1000 * r->timeout_s;
	r->score = -1; /* not assessed (yet) */
	r->state = REQ_PENDING;
	uv_timer_init(b->loop, &r->timer);
	r->timer.data = r;
	return r;
}

/* "1,153,433" */
static void
group_digits(char *buf, size_t cap, int64_t v)
{
	char d[32];
	int n = snprintf(d, sizeof d, "%" PRId64, v), o = 0;

	for (int i = 0; i < n && (size_t)o + 2 < cap; i++) {
		if (i > 0 && d[i - 1] != '-' && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = d[i];
	}
	buf[o] = '\0';
}

/* Deny a new request at once "by policy" (no rule, no person): recorded like
 * any decision, with reason as its reason and note. */
static void
deny_now(struct broker *b, struct request *r, const char *reason)
{
	struct reqstate *rs = b->reqs;

	r->reason = strdup(reason);
	list_push(&rs->pending_head, &rs->pending_tail, r);
	rs->npending++;
	decide(b, r, false, "policy", reason, NULL, NULL, 0, NULL);
}

/* Give an admitted request its id and file it (by id; by key unless keyless). */
static int
admit(struct reqstate *rs, struct request *r, bool keyed)
{
	r->id = rs->next_id++;
	if (table_put(rs->by_id, &r->id, sizeof r->id, r) < 0)
		return -1;
	if (keyed && table_put(rs->by_key, r->key, r->key_len, r) < 0) {
		table_del(rs->by_id, &r->id, sizeof r->id);
		return -1;
	}
	return 0;
}

/* The key of f is taken by request old, submitted with other content: deny
 * this one at once and record it whole (so it is never "recorded nowhere"),
 * then answer its submitter with a conflict error naming old and the audit
 * seq (finish_decision).  Takes key. */
static void
refuse_reused_key(struct broker *b, struct peer *p, uint32_t msgid, struct submit_fields *f,
    char *key, size_t klen, const unsigned char hash[CANON_HASH_LEN], const struct request *old)
{
	struct reqstate *rs = b->reqs;
	struct request *r = new_request(b, p, f, key, klen);
	char reason[400];

	if (r == NULL) {
		free(key);
		peer_reply_error(p, msgid, SG_ERR_INTERNAL, "out of memory");
		return;
	}
	memcpy(r->hash, hash, CANON_HASH_LEN);
	r->conflict_with = old->id;
	if (!f->oversized && prepare(b, r, f->map) < 0)
		r->score = -1; /* recorded without a risk rather than not at all */
	if (admit(rs, r, false) < 0) {
		request_destroy(b, r);
		peer_reply_error(p, msgid, SG_ERR_INTERNAL, "out of memory");
		return;
	}
	wait_slot(&r->refused, p, msgid);
	snprintf(reason, sizeof reason, "denied without review: req_id '%.64s' of session '%.64s' was already "
	    "used for request %lld with different content (a request id names one request)",
	    r->req_id, r->session, (long long)old->id);
	log_msg("request %lld (uid %lu, pid %ld) reuses the req_id of request %lld with different content: denied",
	    (long long)r->id, (unsigned long)r->uid, (long)r->pid, (long long)old->id);
	deny_now(b, r, reason);
}

/* The request's workspace is the one the scorer settled on (declared,
 * configured, git: intent.workspace_source says which), or none; what the
 * agent sent stays in the request map. */
static int
settle_workspace(struct request *r)
{
	free(r->workspace);
	r->workspace = NULL;
	if (r->subj->workspace != NULL && (r->workspace = strdup(r->subj->workspace)) == NULL)
		return -1;
	return 0;
}

void
request_submit(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params)
{
	struct reqstate *rs = b->reqs;
	struct submit_fields f;
	const char *why = parse_submit(params, &f);
	struct request *r;
	struct store_request_row row;
	struct rule_verdict verdict;
	unsigned char hash[CANON_HASH_LEN];
	char *key, err[200];
	size_t klen;

	if (why != NULL) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "%s", why);
		goto out;
	}
	if (canon_request_hash(f.map, hash, err, sizeof err) < 0) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "%s", err);
		goto out;
	}
	if ((key = make_key(peer_uid(p), f.session, f.req_id, &klen)) == NULL) {
		peer_reply_error(p, msgid, SG_ERR_INTERNAL, "out of memory");
		goto out;
	}
	if ((r = table_get(rs->by_key, key, klen)) != NULL &&
	    memcmp(r->hash, hash, CANON_HASH_LEN) == 0) {
		/* a retry of the same request: the same answer */
		free(key);
		resubmitted(b, p, msgid, r, f.wait);
		goto out;
	}
	if (b->stopping) {
		free(key);
		peer_reply_error(p, msgid, SG_ERR_CONFLICT, "the broker is shutting down");
		goto out;
	}
	if (r != NULL) {
		refuse_reused_key(b, p, msgid, &f, key, klen, hash, r);
		goto out;
	}
	if ((r = new_request(b, p, &f, key, klen)) == NULL) {
		free(key);
		peer_reply_error(p, msgid, SG_ERR_INTERNAL, "out of memory");
		goto out;
	}
	memcpy(r->hash, hash, CANON_HASH_LEN);
	if (f.oversized) {
		/* it could not be carried whole: nothing to judge, never a part */
		char n[32], text[400], *sum;

		group_digits(n, sizeof n, f.ov_bytes);
		snprintf(text, sizeof text, "denied without review: the %s is %s bytes, more than sandgate can "
		    "carry whole (%u MiB)", f.ov_field, n, SG_MSG_CAP >> 20);
		if ((sum = strdup(text + strlen("denied without review: "))) != NULL) {
			free(r->summary);
			r->summary = sum;
		}
		if (admit(rs, r, true) < 0 || (f.wait && add_waiter(r, p, msgid) < 0)) {
			request_destroy(b, r);
			peer_reply_error(p, msgid, SG_ERR_INTERNAL, "out of memory");
			goto out;
		}
		deny_now(b, r, text);
		if (!f.wait)
			reply_state(b, p, msgid, r);
		goto out;
	}
	if (prepare(b, r, f.map) < 0 || settle_workspace(r) < 0) {
		request_destroy(b, r);
		peer_reply_error(p, msgid, SG_ERR_INTERNAL, "out of memory");
		goto out;
	}
	esc_setup(b, r);
	judge(b, r, &verdict);
	if (verdict.v == VERDICT_ALLOW && r->quorum > 1) {
		/* a level that needs a quorum is never allowed by a rule */
		verdict.v = VERDICT_NONE;
		verdict.first_uncovered = 0;
	}
	if (verdict.v == VERDICT_NONE) {
		/* it would wait for a person: within the quotas only (quota.h); a
		 * refusal is not recorded, so a flood cannot fill the disk */
		char msg[400];

		if (quota_check(rs->quota, rs->npending, r->uid, r->session, msg, sizeof msg) != NULL) {
			quota_refused(rs->quota, r->pid, msg);
			request_destroy(b, r);
			peer_reply_error(p, msgid, SG_ERR_CONFLICT, "%s", msg);
			goto out;
		}
		if (quota_take(rs->quota, r->uid, r->session, &r->quota) < 0) {
			request_destroy(b, r);
			peer_reply_error(p, msgid, SG_ERR_INTERNAL, "out of memory");
			goto out;
		}
	}
	if (admit(rs, r, true) < 0 || (f.wait && add_waiter(r, p, msgid) < 0)) {
		quota_release(rs->quota, &r->quota);
		request_destroy(b, r);
		peer_reply_error(p, msgid, SG_ERR_INTERNAL, "out of memory");
		goto out;
	}
	list_push(&rs->pending_head, &rs->pending_tail, r);
	rs->npending++;
	if (verdict.v != VERDICT_NONE) {
		/* a remembered decision: recorded (one audit row, which carries the
		 * request), then answered, never queued */
		decide_by_rule(b, r, &verdict);
		if (!f.wait)
			reply_state(b, p, msgid, r);
		goto out;
	}
	/* The request waits: its row goes first (the FIFO keeps any decision
	 * behind it), so that a broker killed meanwhile records it at restart. */
	row = request_row(r);
	store_put_request(b->store, &row, NULL, NULL);
	join_group(b, r, verdict.first_uncovered < r->subj->nparts ? verdict.first_uncovered : 0);
	arm(r);
	if (!f.wait)
		reply_state(b, p, msgid, r);
	if (r->circ != 0)
		notify_circumvention(b, r);
	rpc_pack_notify(&rs->pk, "request");
	msgpack_pack_array(&rs->pk, 1);
	pack_request(&rs->pk, r);
	broker_broadcast(b, rs->sb.data, rs->sb.size);
	msgpack_sbuffer_clear(&rs->sb);
out:
	free_fields(&f);
}

/* Find the request named by params [id] that p may see; replies on failure. */
static struct request *
lookup_own(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params)
{
	int64_t id;
	struct request *r;

	if (params->via.array.size != 1 || rpc_get_int(&params->via.array.ptr[0], 1, INT64_MAX, &id) < 0) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "expected [id]");
		return NULL;
	}
	r = table_get(b->reqs->by_id, &id, sizeof id);
	if (r == NULL || r->uid != peer_uid(p)) {
		peer_reply_error(p, msgid, SG_ERR_NOT_FOUND, "no request %lld of yours", (long long)id);
		return NULL;
	}
	return r;
}

void
request_wait(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params)
{
	struct request *r = lookup_own(b, p, msgid, params);

	if (r == NULL)
		return;
	if (r->state == REQ_DONE)
		reply_decision(b, p, msgid, r);
	else if (add_waiter(r, p, msgid) < 0)
		peer_reply_error(p, msgid, SG_ERR_INTERNAL, "out of memory");
}

void
request_cancel(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params)
{
	struct request *r = lookup_own(b, p, msgid, params);

	if (r == NULL)
		return;
	if (r->state != REQ_PENDING) {
		peer_reply_error(p, msgid, SG_ERR_CONFLICT, "request %lld is already decided", (long long)r->id);
		return;
	}
	decide(b, r, false, "withdrawn", "cancelled by the requester", p, p, msgid, NULL);
}

/* ---- console methods ---- */

void
request_list(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params)
{
	struct reqstate *rs = b->reqs;
	const msgpack_object *opt = params->via.array.size > 0 ? &params->via.array.ptr[0] : NULL;
	int64_t offset = 0, limit = LIST_DEFAULT_LIMIT, i = 0, n = 0;
	struct request *r;
	msgpack_sbuffer items;
	msgpack_packer ipk;

	if (opt != NULL && opt->type != MSGPACK_OBJECT_NIL) {
		const msgpack_object *o;

		if (opt->type != MSGPACK_OBJECT_MAP ||
		    ((o = rpc_map_get(opt, "offset")) != NULL && rpc_get_int(o, 0, INT64_MAX, &offset) < 0) ||
		    ((o = rpc_map_get(opt, "limit")) != NULL && rpc_get_int(o, 1, 100000, &limit) < 0)) {
			peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "expected [{offset, limit}]");
			return;
		}
	}
	msgpack_sbuffer_init(&items);
	msgpack_packer_init(&ipk, &items, msgpack_sbuffer_write);
	for (r = rs->pending_head; r != NULL && n < limit && items.size < LIST_MAX_BYTES; r = r->next) {
		if (i++ < offset)
			continue;
		pack_request(&ipk, r);
		n++;
	}
	rpc_pack_result(&rs->pk, msgid);
	msgpack_pack_map(&rs->pk, 3);
	rpc_pack_kv_int(&rs->pk, "total", (int64_t)rs->npending);
	rpc_pack_kv_int(&rs->pk, "next", r != NULL ? offset + n : -1);
	rpc_pack_str(&rs->pk, "requests");
	msgpack_pack_array(&rs->pk, (size_t)n);
	msgpack_sbuffer_write(&rs->sb, items.data, items.size);
	peer_send_sbuf(p, &rs->sb);
	msgpack_sbuffer_destroy(&items);
}

/* ---- narrowing (issue #14; narrow.h) ---- */

/* The narrowed request judged as one of its own: the same map with the
 * kind's field (and its files, tool_input field) changed, the same uid,
 * session, cwd, workspace and sandbox.  t gets subj, intent, risk, level
 * and score; -1 on out of memory (t is then freed). */
static int
narrow_judge(struct broker *b, const struct request *r, const char *value, size_t len, struct request *t)
{
	msgpack_zone z;
	msgpack_object orig, nm;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	size_t off = 0, off2 = 0;
	int rc = -1;

	memset(t, 0, sizeof *t);
	t->b = b;
	t->uid = r->uid;
	t->session = r->session;
	t->score = -1;
	msgpack_zone_init(&z, 2048);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	if (msgpack_unpack(r->raw, r->raw_len, &off, &z, &orig) == MSGPACK_UNPACK_SUCCESS &&
	    orig.type == MSGPACK_OBJECT_MAP) {
		narrow_build(&pk, &orig, r->kind, value, len);
		if (msgpack_unpack(sb.data, sb.size, &off2, &z, &nm) == MSGPACK_UNPACK_SUCCESS)
			rc = prepare(b, t, &nm);
	}
	free(t->conns);
	t->conns = NULL;
	if (rc < 0) {
		subject_free(t->subj);
		free(t->intent);
		free(t->risk);
		t->subj = NULL, t->intent = t->risk = NULL;
	}
	msgpack_sbuffer_destroy(&sb);
	msgpack_zone_destroy(&z);
	return rc;
}

static void
narrow_free(struct request *t)
{
	subject_free(t->subj);
	free(t->intent);
	free(t->risk);
}

/* The audit intent of r narrowed to value (t: its judgement). */
static int
narrow_keep(struct request *r, const struct request *t, char *value, size_t len)
{
	msgpack_zone z;
	msgpack_object oi, ni, nr;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	size_t o1 = 0, o2 = 0, o3 = 0;
	bool hoi, hni, hnr;

	msgpack_zone_init(&z, 2048);
	hoi = r->intent != NULL && msgpack_unpack(r->intent, r->intent_len, &o1, &z, &oi) == MSGPACK_UNPACK_SUCCESS;
	hni = t->intent != NULL && msgpack_unpack(t->intent, t->intent_len, &o2, &z, &ni) == MSGPACK_UNPACK_SUCCESS;
	hnr = t->risk != NULL && msgpack_unpack(t->risk, t->risk_len, &o3, &z, &nr) == MSGPACK_UNPACK_SUCCESS;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	narrow_audit_intent(&pk, hoi ? &oi : NULL, r->kind, value, len, hni ? &ni : NULL, hnr ? &nr : NULL);
	msgpack_zone_destroy(&z);
	free(r->aintent);
	r->aintent = sb.size > 0 ? malloc(sb.size) : NULL;
	if (r->aintent == NULL) {
		msgpack_sbuffer_destroy(&sb);
		return -1;
	}
	memcpy(r->aintent, sb.data, sb.size);
	r->aintent_len = sb.size;
	msgpack_sbuffer_destroy(&sb);
	r->narrowed = value;
	r->narrowed_len = len;
	r->nsubj = t->subj;
	r->nlevel = t->level;
	r->nscore = t->score;
	return 0;
}

/* decide's dry run: what the narrowed request would be, for the console's
 * confirmation (nothing is decided). */
static void
reply_narrow_preview(struct broker *b, struct peer *p, uint32_t msgid, const struct request *r,
    const struct request *t, const char *value, size_t len)
{
	struct reqstate *rs = b->reqs;

	rpc_pack_result(&rs->pk, msgid);
	msgpack_pack_map(&rs->pk, 9);
	rpc_pack_kv_int(&rs->pk, "id", r->id);
	rpc_pack_kv_str(&rs->pk, "field", narrow_field_of(r->kind));
	rpc_pack_str(&rs->pk, "intent");
	if (t->intent != NULL)
		rs->pk.callback(rs->pk.data, t->intent, t->intent_len);
	else
		msgpack_pack_nil(&rs->pk);
	rpc_pack_str(&rs->pk, "narrowed");
	rpc_pack_strn(&rs->pk, value, len);
	rpc_pack_kv_int(&rs->pk, "score", t->score);
	rpc_pack_kv_str(&rs->pk, "level", rule_level_name(t->level));
	rpc_pack_str(&rs->pk, "original");
	msgpack_pack_map(&rs->pk, 2);
	rpc_pack_kv_int(&rs->pk, "score", r->score);
	rpc_pack_kv_str(&rs->pk, "level", rule_level_name(r->level));
	rpc_pack_kv_bool(&rs->pk, "higher", t->level > r->level);
	rpc_pack_str(&rs->pk, "risk");
	if (t->risk != NULL)
		rs->pk.callback(rs->pk.data, t->risk, t->risk_len);
	else
		msgpack_pack_nil(&rs->pk);
	peer_send_sbuf(p, &rs->sb);
}

/* decide with `narrow` on pending request r (allow only). */
static void
decide_narrowed(struct broker *b, struct peer *p, uint32_t msgid, struct request *r, const msgpack_object *m,
    const char *note, const char *name)
{
	const msgpack_object *np = rpc_map_get(m, "narrow"), *dry = rpc_map_get(m, "dry_run");
	const msgpack_object *cl = rpc_map_get(m, "confirm_level");
	enum rule_level confirmed = RL_LOW;
	msgpack_zone z;
	msgpack_object orig;
	size_t off = 0, len = 0;
	char *value = NULL;
	const char *why;
	bool forbidden = false;
	struct request t;

	if (dry != NULL && dry->type != MSGPACK_OBJECT_NIL && dry->type != MSGPACK_OBJECT_BOOLEAN) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "dry_run must be a boolean");
		return;
	}
	if (cl != NULL && cl->type != MSGPACK_OBJECT_NIL) {
		char lv[16] = "";

		if (cl->type == MSGPACK_OBJECT_STR && cl->via.str.size < sizeof lv)
			memcpy(lv, cl->via.str.ptr, cl->via.str.size);
		if (rule_level_parse(lv) < 0) {
			peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "confirm_level must be low, medium, high or critical");
			return;
		}
		confirmed = (enum rule_level)rule_level_parse(lv);
	}
	if (!r->acc.narrow) {
		peer_reply_error(p, msgid, SG_ERR_FORBIDDEN, "request %lld cannot be narrowed: its requester did not "
		    "say it can apply a changed input (accepts \"narrow\")", (long long)r->id);
		return;
	}
	if (r->quorum > 1) {
		peer_reply_error(p, msgid, SG_ERR_FORBIDDEN, "request %lld needs a quorum of %d: it cannot be narrowed",
		    (long long)r->id, r->quorum);
		return;
	}
	msgpack_zone_init(&z, 1024);
	if (msgpack_unpack(r->raw, r->raw_len, &off, &z, &orig) != MSGPACK_UNPACK_SUCCESS ||
	    orig.type != MSGPACK_OBJECT_MAP)
		why = "the request cannot be read", forbidden = false;
	else
		why = narrow_parse(np, r->kind, &orig, &value, &len, &forbidden);
	msgpack_zone_destroy(&z);
	if (why != NULL) {
		peer_reply_error(p, msgid, forbidden ? SG_ERR_FORBIDDEN : SG_ERR_BAD_PARAMS, "%s", why);
		return;
	}
	if (narrow_judge(b, r, value, len, &t) < 0) {
		free(value);
		peer_reply_error(p, msgid, SG_ERR_INTERNAL, "out of memory");
		return;
	}
	if (dry != NULL && dry->type == MSGPACK_OBJECT_BOOLEAN && dry->via.boolean) {
		reply_narrow_preview(b, p, msgid, r, &t, value, len);
		narrow_free(&t);
		free(value);
		return;
	}
	if (t.level > r->level && t.level > confirmed) {
		peer_reply_error(p, msgid, SG_ERR_FORBIDDEN, "the narrowed %s scores %s (%d), above the request's %s "
		    "(%d): nothing was decided; confirm it with confirm_level %s", narrow_field_of(r->kind),
		    rule_level_name(t.level), t.score, rule_level_name(r->level), r->score, rule_level_name(t.level));
		narrow_free(&t);
		free(value);
		return;
	}
	if (narrow_keep(r, &t, value, len) < 0) {
		narrow_free(&t);
		free(value);
		peer_reply_error(p, msgid, SG_ERR_INTERNAL, "out of memory");
		return;
	}
	free(t.intent);
	free(t.risk);
	decide(b, r, true, "reviewer", note, p, p, msgid, name);
}

void
request_decide(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params)
{
	const msgpack_object *m, *o;
	int64_t id;
	char *note = NULL, *name = NULL, shown[65];
	const char *bad = NULL;
	struct request *r;
	const msgpack_object *narrow;
	bool allow, ask;

	if (params->via.array.size == 1 && params->via.array.ptr[0].type == MSGPACK_OBJECT_MAP &&
	    rpc_map_get(&params->via.array.ptr[0], "group") != NULL) {
		policy_decide_group(b, p, msgid, &params->via.array.ptr[0]);
		return;
	}
	if (params->via.array.size != 1 || (m = &params->via.array.ptr[0])->type != MSGPACK_OBJECT_MAP ||
	    rpc_get_int(rpc_map_get(m, "id"), 1, INT64_MAX, &id) < 0) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "expected [{id, decision, note?, reviewer?}]");
		return;
	}
	o = rpc_map_get(m, "decision");
	if (!rpc_str_eq(o, "allow") && !rpc_str_eq(o, "deny") && !rpc_str_eq(o, "ask")) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "decision must be allow, deny or ask");
		return;
	}
	allow = rpc_str_eq(o, "allow");
	ask = rpc_str_eq(o, "ask");
	narrow = rpc_map_get(m, "narrow");
	if (narrow != NULL && narrow->type == MSGPACK_OBJECT_NIL)
		narrow = NULL;
	if (narrow != NULL && !allow) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "narrow goes only with decision allow");
		return;
	}
	if (narrow == NULL && (rpc_map_get(m, "dry_run") != NULL || rpc_map_get(m, "confirm_level") != NULL)) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "dry_run and confirm_level go only with narrow");
		return;
	}
	if (rpc_opt_str(m, "note", 4096, &note, &bad) < 0 || rpc_opt_str(m, "reviewer", 128, &name, &bad) < 0) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "%s must be a string", bad);
		free(note);
		return;
	}
	if (audit_shown_param(m, shown) < 0) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "shown_sha256 must be 64 hex digits");
		free(note);
		free(name);
		return;
	}
	r = table_get(b->reqs->by_id, &id, sizeof id);
	if (r == NULL)
		peer_reply_error(p, msgid, SG_ERR_NOT_FOUND, "no request %lld", (long long)id);
	else if (r->state != REQ_PENDING)
		peer_reply_error(p, msgid, SG_ERR_CONFLICT, "request %lld is already decided", (long long)id);
	else if (ask && !r->acc.ask)
		peer_reply_error(p, msgid, SG_ERR_FORBIDDEN, "request %lld cannot be handed to its agent: its "
		    "requester did not say the agent has a prompt for it (accepts \"ask\")", (long long)id);
	else if (ask && r->quorum > 1)
		peer_reply_error(p, msgid, SG_ERR_FORBIDDEN, "request %lld needs a quorum of %d: it cannot be "
		    "handed to one person at the agent", (long long)id, r->quorum);
	else if (ask) {
		memcpy(r->shown_sha256, shown, sizeof shown);
		decide(b, r, false, "ask-agent", note, p, p, msgid, name);
	} else if (narrow != NULL) {
		memcpy(r->shown_sha256, shown, sizeof shown);
		decide_narrowed(b, p, msgid, r, m, note, name);
	} else if (r->quorum > 1) {
		char why[300];
		int rc;

		memcpy(r->shown_sha256, shown, sizeof shown);
		rc = vote(b, r, allow, note, p, p, msgid, name, why, sizeof why);
		if (rc < 0)
			peer_reply_error(p, msgid, SG_ERR_FORBIDDEN, "%s", why);
		else if (rc == 0)
			reply_state(b, p, msgid, r);
	} else {
		memcpy(r->shown_sha256, shown, sizeof shown);
		decide(b, r, allow, "reviewer", note, p, p, msgid, name);
	}
	free(note);
	free(name);
}

/* ---- peers and shutdown ---- */

/* The peer is gone: drop every reply it waits for, then withdraw each
 * request it still owns (all pending) that nobody else waits for.  Costs
 * what the peer owns and waits for, nothing else. */
void
request_peer_lost(struct broker *b, struct peer *p)
{
	struct peer_reqs *pr = peer_reqs(p);
	struct request *r;

	if (b->reqs == NULL)
		return;
	policy_peer_lost(b, p);
	while (pr->waits != NULL) {
		if (pr->waits->listed)
			waiter_free(pr->waits);
		else
			wait_unlink(pr->waits);
	}
	while ((r = pr->owned) != NULL) {
		own_clear(r);
		if (r->waiters == NULL)
			decide(b, r, false, "withdrawn", "the requester disconnected", NULL, NULL, 0, NULL);
	}
}

void
request_shutdown(struct broker *b)
{
	struct reqstate *rs = b->reqs;

	while (rs->pending_head != NULL)
		decide(b, rs->pending_head, false, "broker-shutdown", NULL, NULL, NULL, 0, NULL);
}
