/* model.h -- what the console knows: pending requests, their groups, rules
 * and broker status, built from broker messages.  No curses, no I/O.
 *
 * Records (struct mreq, mgroup, mrule) are owned by the model and read-only
 * outside model.c; a pointer stays valid until the next model_* call that
 * changes the model. */
#ifndef SG_MODEL_H
#define SG_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

enum risk_level { RISK_UNKNOWN, RISK_LOW, RISK_MEDIUM, RISK_HIGH, RISK_CRITICAL };

struct mreason {
	char *id, *text, *part;
	int64_t weight;
};

struct mgroup;

struct mreq {
	int64_t id;
	char *agent, *session, *kind, *summary, *cwd, *workspace, *req_id, *group_id;
	int64_t created_ms, deadline_ms, pid, uid;
	int score;                 /* broker's 0-100, -1 when it sent none */
	enum risk_level level;     /* broker's */
	enum risk_level shown;     /* raised to high when its text hides characters */
	struct mreason *reasons;
	size_t nreasons;
	unsigned hostile;          /* TEXT_* flags found in its strings */
	char *raw;                 /* the submitted request map, msgpack (NULL: over budget) */
	size_t raw_len;
	char *intent;              /* the broker's intent map, msgpack, or NULL */
	size_t intent_len;
	/* issue #15: escalation and expiry (broker clock; -1: never / not sent) */
	int64_t escalate_ms, expire_ms, esc_ms;
	int esc_level;             /* 1 first level, 2 escalated to on-call */
	char *esc_by, *esc_why;    /* who and why, once escalated (untrusted-free: the broker's) */
	int circ;                  /* circumvention signals the broker found (issue #16: the row is marked) */
	char *pin_changed;         /* issue #17: asked again, a pinned file changed (the broker's text) */
	/* model bookkeeping */
	struct mgroup *group;
	size_t gpos, apos;
	struct mreq *hnext;
};

struct msugg {
	int index;
	char *pattern, *scope;
	char *ceiling, *reason;    /* issue #17: the rule's max_level; why this scope (or NULL) */
	int64_t ttl_s;             /* the rule's TTL (0: none) */
	bool learned, pin;
	int64_t covers;
	bool covers_high;
	bool priced;               /* covers is complete (false: still being counted) */
	bool whole;                /* answers every part of every member (issue #16) */
	char *leaves;              /* else the first part it leaves to a person, or NULL */
};

struct mgroup {
	char *id;                  /* broker's group id, or "L<n>" for a local group */
	bool local;                /* grouped by the console: the broker sent no groups */
	char *key;                 /* what members share (local grouping key) */
	char *agent, *session, *kind, *pattern, *signature;
	char *label;               /* the whole shape of its members (every part), or NULL */
	struct mreq **m;           /* members, unordered */
	size_t n, cap;
	struct mreq *rep;          /* highest risk, then oldest member */
	enum risk_level max_level; /* over shown levels */
	int max_score;
	int64_t oldest_ms;
	enum risk_level broker_level; /* the broker's max_level/max_score for the group */
	int broker_score;
	char *common, *varies;     /* broker's maps/arrays, msgpack, or NULL */
	size_t common_len, varies_len;
	struct msugg sugg[4];
	int nsugg;
	int64_t count;             /* the broker's count (0 for local groups) */
	int64_t others_n, others_more; /* members with commands besides the one the label shows */
	char *others_ex;           /* those commands of one of them, one line, or NULL */
	bool placeholder;          /* named by a request, not described by the broker yet */
	/* model bookkeeping */
	uint64_t sync;             /* the full fetch that last described it */
	size_t gidx;
	struct mgroup *hnext;
};

struct mrule {
	int64_t id, expires_ms, created_ms, hits, last_hit_ms, author_uid;
	char *effect, *pattern, *scope, *scope_value, *author_name, *note, *origin;
	bool critical_ok, revoked;
	bool high;                  /* issue #17: an allow that may allow high requests */
	char *pin_path;             /* the file it pins, or NULL */
	enum risk_level max_level;  /* an allow applies up to this level (unknown: not said) */
};

typedef struct model model;

model *model_new(void);
void model_free(model *m);
/* Forget every request and group (before a fresh list). */
void model_clear(model *m);

/* Add a request view (list result item or "request" notification).
 * 1 added, 0 already known, -1 malformed (ignored). */
int model_add_request(model *m, const msgpack_object *view);
/* An "escalated" notification: mark the request escalated.  1 if known. */
int model_escalated(model *m, const msgpack_object *note);
/* When request r is denied if nobody decides (its deadline or expiry). */
int64_t model_req_end(const struct mreq *r);
/* Over (up to 4096 of) g's members: the earliest end, and whether any
 * escalated (*esc, may be NULL); the escalated member, if any. */
int64_t model_group_end(const struct mgroup *g, bool *esc);
const struct mreq *model_group_escalated(const struct mgroup *g);
/* A "decided" notification: drop the request.  1 if it was known. */
int model_remove_request(model *m, int64_t id);
const struct mreq *model_find(const model *m, int64_t id);
size_t model_pending(const model *m);
/* Every request, unordered (i < model_pending). */
const struct mreq *model_request_at(const model *m, size_t i);

/* Install the broker's groups ({groups: [...]}) as the whole set (groups
 * it does not name are dropped); switches to broker grouping.  0, or -1 if
 * malformed (the model keeps what it had). */
int model_set_groups(model *m, const msgpack_object *result);
/* One page of a groups reply ({groups: [...], gone?: [id]}): each group
 * named is described afresh and the members it lists are moved into it
 * (members it does not list stay where they are: a page may carry only a
 * slice of them); groups in gone are dropped and their members wait in a
 * group of their own until a group names them.  Switches to broker
 * grouping.  0, or -1 if malformed. */
int model_update_groups(model *m, const msgpack_object *result);
/* A full fetch, page by page: begin, model_update_groups per page, end.
 * end calls fn for every broker group no page described (it may have
 * moved between pages: fetch it by id; a gone one is dropped then). */
void model_groups_sync_begin(model *m);
size_t model_groups_sync_end(model *m, void (*fn)(void *arg, const char *id), void *arg);
/* The broker has no groups: group locally (agent, session, kind, head word). */
void model_use_local_groups(model *m);
bool model_local_groups(const model *m);
size_t model_group_count(const model *m);
const struct mgroup *model_group(const model *m, const char *id);

/* Rules ({rules: [...]}); 0 or -1 if malformed. */
int model_set_rules(model *m, const msgpack_object *result);
size_t model_rule_count(const model *m);
const struct mrule *model_rule_at(const model *m, size_t i);

/* The queue as shown: groups not deferred at now_ms that match the filter,
 * sorted by risk (highest first) then age (oldest first).  Recomputed only
 * when something changed. */
size_t model_queue_len(model *m, int64_t now_ms);
const struct mgroup *model_queue_at(const model *m, size_t i);
/* Position of group id in the queue, or -1. */
long model_queue_find(const model *m, const char *id);
void model_set_filter(model *m, const char *filter);
/* Does request r of group g match the filter (true when there is none)? */
bool model_matches(const model *m, const struct mgroup *g, const struct mreq *r);
const char *model_filter(const model *m);
/* Hide a group until until_ms (0: show again). */
void model_defer(model *m, const char *group_id, int64_t until_ms);
void model_undefer_all(model *m);
size_t model_deferred(model *m, int64_t now_ms);
/* Groups still here whose deferral ended in (since_ms, now_ms]. */
size_t model_defer_ended(model *m, int64_t since_ms, int64_t now_ms);
/* Counter that changes whenever the queue's content may have changed. */
uint64_t model_generation(const model *m);

const char *risk_level_name(enum risk_level l);
enum risk_level risk_level_parse(const char *s, size_t n);

#endif
