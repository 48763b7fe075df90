/* policy.c -- rules, groups and circumvention signals inside the broker. */
#include "broker/policy.h"
#include "proto/wallclock.h"
#include "broker/record/audit.h"
#include "broker/broker.h"
#include "broker/intent/assess.h"
#include "broker/provenance.h"
#include "broker/intent/workspace.h"
#include "proto/log.h"
#include "broker/peer.h"
#include "broker/rules/preset.h"
#include "broker/request.h"
#include "broker/rules/rulestore.h"
#include "broker/rules/learn.h"
#include "broker/rules/pin.h"
#include "broker/rules/suggest.h"
#include "broker/undo.h"
#include "proto/paths.h"
#include "proto/proto.h"
#include "proto/rpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <sys/stat.h>

#define HITS_FLUSH_MS 1000
#define SWEEP_EVERY_MS 60000
#define GROUPS_HINT_MS 100
#define GROUPS_CHANGED_MAX 1000   /* ids in one groups notification, else reset */
#define GROUPS_PAGE_DEFAULT 1000
#define GROUPS_PAGE_MAX 1000
#define GROUPS_MEMBERS_DEFAULT 1000
#define GROUPS_MEMBERS_MAX 10000
#define GROUPS_PAGE_BYTES (512u * 1024u)
#define GROUPS_PRICE_CALL 500     /* pricing steps a groups call may spend (about 1 ms) */
#define GROUPS_PRICE_STEPS 256    /* pricing steps between looks at the clock */
#define GROUPS_PRICE_SLICE_NS 1000000 /* background pricing per loop turn: 1 ms */
#define HITS_BATCH 4096
#define TTL_MAX_S (10LL * 365 * 86400)
#define NOTE_MAX 4096
#define NAME_MAX_LEN 128
#define PRESET_MAX 32

/* A console call waiting for the store (rule_add, rule_rm, group decide). */
struct op {
	struct op *prev, *next;
	struct broker *b;
	struct peer *p;           /* NULL once the console is gone */
	uint32_t msgid;
	enum { OP_ADD, OP_RM, OP_GROUP, OP_UNDO } kind;
	rule *pending;            /* OP_ADD, OP_GROUP: the rule until its row commits */
	int64_t rule_id;
	bool rule_failed;
	char group[32];
	bool allow;
	int64_t *ids;             /* OP_GROUP: members decided */
	size_t nids;
	/* issue #16: what the new rule answered besides (OP_ADD, OP_GROUP), or
	 * OP_UNDO's answer: returned to the queue, already answered */
	struct released_list rel, gone;
	int64_t until_ms;
	bool seed;                /* the preset, installed at start */
};

struct policy {
	assess_tables *tables;    /* intent and risk (issue #3) */
	struct prov *prov;        /* files each session created (issue #17) */
	ruleset *rules;
	groups *groups;
	learn *learn;             /* what suggestions learn from (issue #17) */
	pincache *pins;           /* hashes of pinned files by (dev, ino, size, mtime, ctime) */
	struct suggest_cfg scfg;
	circ *circ;
	uv_timer_t hits_timer, groups_timer;
	uv_idle_t price_idle;     /* prices suggestions between loop turns */
	uint64_t groups_sent;
	int64_t last_sweep;
	struct op *ops;
	struct undo_log undo;     /* side effects of the last rules added (undo.h) */
	bool stopped;
	msgpack_sbuffer sb;
	msgpack_packer pk;
};

static struct policy *
P(struct broker *b)
{
	return b->policy;
}

/* ---- notifications ---- */

static void
broadcast_hint(struct broker *b, const char *what)
{
	struct policy *pol = P(b);

	rpc_pack_notify(&pol->pk, what);
	msgpack_pack_array(&pol->pk, 0);
	broker_broadcast(b, pol->sb.data, pol->sb.size);
	msgpack_sbuffer_clear(&pol->sb);
}

/* [2, "groups", [{version, changed, removed} | {version, reset}]]: what
 * changed since the last one, so a console fetches only those groups. */
static void
on_groups_timer(uv_timer_t *t)
{
	struct broker *b = t->data;
	struct policy *pol = P(b);

	if (groups_version(pol->groups) != pol->groups_sent || groups_changed(pol->groups)) {
		pol->groups_sent = groups_version(pol->groups);
		rpc_pack_notify(&pol->pk, "groups");
		msgpack_pack_array(&pol->pk, 1);
		groups_pack_changes(pol->groups, &pol->pk, GROUPS_CHANGED_MAX);
		broker_broadcast(b, pol->sb.data, pol->sb.size);
		msgpack_sbuffer_clear(&pol->sb);
	}
}

static void pricing_kick(struct broker *b);

void
policy_groups_changed(struct broker *b)
{
	struct policy *pol = P(b);

	if (!pol->stopped && !uv_is_active((uv_handle_t *)&pol->groups_timer))
		uv_timer_start(&pol->groups_timer, on_groups_timer, GROUPS_HINT_MS, 0);
	pricing_kick(b);
}

/* Suggestions priced a slice at a time between loop turns, so pricing a
 * big queue never holds the loop. */
static void
on_price_idle(uv_idle_t *h)
{
	struct broker *b = h->data;
	struct policy *pol = P(b);
	uint64_t v = groups_version(pol->groups), t0 = uv_hrtime();
	bool more;

	while ((more = groups_price(pol->groups, GROUPS_PRICE_STEPS)) && uv_hrtime() - t0 < GROUPS_PRICE_SLICE_NS)
		;
	if (!more)
		uv_idle_stop(h);
	if (groups_version(pol->groups) != v && !uv_is_active((uv_handle_t *)&pol->groups_timer))
		uv_timer_start(&pol->groups_timer, on_groups_timer, GROUPS_HINT_MS, 0);
}

static void
pricing_kick(struct broker *b)
{
	struct policy *pol = P(b);

	if (!pol->stopped && groups_pricing(pol->groups) && !uv_is_active((uv_handle_t *)&pol->price_idle))
		uv_idle_start(&pol->price_idle, on_price_idle);
}

/* The rule set changed: prices are redone, and consoles told. */
static void
rules_changed(struct broker *b)
{
	groups_rules_changed(P(b)->groups);
	pricing_kick(b);
}

/* ---- hits ---- */

static void
flush_hits(struct broker *b)
{
	struct policy *pol = P(b);
	rule *v[256];
	size_t n, total = 0;

	while (total < HITS_BATCH && (n = ruleset_take_dirty(pol->rules, v, 256)) > 0) {
		if (rulestore_hits(b->store, v, n) < 0)
			log_msg("rules: cannot queue hit counts");
		total += n;
	}
}

static void
on_hits_timer(uv_timer_t *t)
{
	struct broker *b = t->data;
	struct policy *pol = P(b);
	int64_t now = wall_clock_ms();

	flush_hits(b);
	if (now - pol->last_sweep >= SWEEP_EVERY_MS) {
		pol->last_sweep = now;
		if (ruleset_sweep(pol->rules, now) > 0)
			rules_changed(b); /* expired rules: prices change */
	}
}

/* ---- start and stop ---- */

static struct op *op_new(struct broker *b, struct peer *p, uint32_t msgid, int kind);
static void on_rule_added(void *arg, int status, int64_t seq);

/* Install the configured preset once per database: not if any rule (even a
 * revoked one) came from it before, so `rules rm` of a preset rule sticks.
 * Each rule becomes active when its row commits, like a console's rule_add. */
static int
seed_preset(struct broker *b)
{
	struct policy *pol = P(b);
	const struct preset *ps = b->cfg.preset[0] != '\0' ? preset_find(b->cfg.preset) : NULL;
	char origin[48], err[256];
	int64_t now = wall_clock_ms();
	rule *made[PRESET_MAX];

	if (ps == NULL)
		return 0;
	snprintf(origin, sizeof origin, "preset %s", ps->name);
	for (const rule *r = ruleset_first(pol->rules); r != NULL; r = rule_next(r))
		if (rule_origin(r) != NULL && strcmp(rule_origin(r), origin) == 0)
			return 0;
	if (ps->nrules > PRESET_MAX)
		return -1;
	for (size_t i = 0; i < ps->nrules; i++) {
		const struct preset_rule *pr = &ps->rules[i];
		int level = rule_level_parse(pr->max_level);
		struct rule_spec spec = {
			.id = ruleset_next_id(pol->rules) + (int64_t)i,
			.effect = strcmp(pr->effect, "deny") == 0 ? RULE_DENY : RULE_ALLOW,
			.pattern = pr->pattern, .scope = SCOPE_GLOBAL, .author_uid = (int64_t)geteuid(),
			.author_name = "sandgate", .note = pr->note, .origin = origin, .created_ms = now,
			.max_level = level < 0 ? RL_LOW : (enum rule_level)level,
		};

		if ((made[i] = rule_new(&spec, err, sizeof err)) == NULL) {
			log_msg("rules: preset %s: %s: %s", ps->name, pr->pattern, err);
			while (i-- > 0)
				rule_free(made[i]);
			return -1;
		}
	}
	/* all built: now they cannot fail half way */
	for (size_t i = 0; i < ps->nrules; i++) {
		struct op *o = op_new(b, NULL, 0, OP_ADD);

		ruleset_reserve_id(pol->rules, rule_id(made[i]));
		if (o == NULL) {
			rule_free(made[i]);
			continue;
		}
		o->pending = made[i];
		o->seed = true;
		if (rulestore_insert(b->store, made[i], on_rule_added, o) < 0)
			on_rule_added(o, -1, 0);
	}
	log_msg("rules: installed the %s preset (%zu rules; setting preset = none skips it)", ps->name,
	    ps->nrules);
	return 0;
}

int
policy_init(struct broker *b, char *err, size_t errlen)
{
	struct policy *pol = calloc(1, sizeof *pol);
	char *cfg = paths_config_dir();
	struct circ_env env = {
		.runtime_dir = b->dir, .db_path = b->db_path, .config_dir = cfg, .broker_pid = getpid(),
	};
	size_t skipped = 0;

	if (pol == NULL || (pol->rules = ruleset_new()) == NULL || (pol->groups = groups_new(pol->rules)) == NULL ||
	    (pol->circ = circ_new(&env)) == NULL || (pol->learn = learn_new()) == NULL ||
	    (pol->pins = pincache_new()) == NULL) {
		free(cfg);
		if (pol != NULL) {
			ruleset_free(pol->rules);
			groups_free(pol->groups);
			circ_free(pol->circ);
			learn_free(pol->learn);
			free(pol);
		}
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pol->tables = assess_tables_load(cfg, err, errlen);
	pol->prov = prov_new();
	free(cfg);
	msgpack_sbuffer_init(&pol->sb);
	msgpack_packer_init(&pol->pk, &pol->sb, msgpack_sbuffer_write);
	b->policy = pol;
	if (pol->tables == NULL || pol->prov == NULL) {
		if (pol->tables != NULL)
			snprintf(err, errlen, "out of memory");
		policy_free(b);
		return -1;
	}
	{
		/* the `workspaces` setting: where requests without a declared
		 * project dir have their workspace (broker/intent/workspace.h) */
		struct ws_list wl = { .n = 0 };
		int rc = config_workspaces(&b->cfg, &wl, err, errlen);

		if (rc == 0 && assess_set_workspaces(pol->tables, &wl) < 0) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
		}
		ws_list_free(&wl);
		if (rc < 0) {
			policy_free(b);
			return -1;
		}
	}
	if (rulestore_load(store_reader(b->store), pol->rules, &skipped, err, errlen) < 0) {
		policy_free(b);
		return -1;
	}
	if (ruleset_count(pol->rules) > 0)
		log_msg("rules: loaded %zu rules (%zu skipped)", ruleset_count(pol->rules), skipped);
	for (const rule *r = ruleset_first(pol->rules); r != NULL; r = rule_next(r))
		learn_add(pol->learn, r);
	suggest_defaults(&pol->scfg);
	pol->scfg.learn_sessions = (size_t)b->cfg.learn_sessions;
	pol->scfg.learn_ttl_s = b->cfg.learn_ttl_ms / 1000;
	pol->scfg.high_ttl_s = b->cfg.remember_high_ttl_ms / 1000;
	groups_set_learning(pol->groups, pol->learn, &pol->scfg);
	if (seed_preset(b) < 0) {
		snprintf(err, errlen, "cannot install the %s preset", b->cfg.preset);
		policy_free(b);
		return -1;
	}
	pol->last_sweep = wall_clock_ms();
	ruleset_sweep(pol->rules, pol->last_sweep);
	uv_timer_init(b->loop, &pol->hits_timer);
	uv_timer_init(b->loop, &pol->groups_timer);
	uv_idle_init(b->loop, &pol->price_idle);
	pol->hits_timer.data = pol->groups_timer.data = pol->price_idle.data = b;
	uv_timer_start(&pol->hits_timer, on_hits_timer, HITS_FLUSH_MS, HITS_FLUSH_MS);
	return 0;
}

void
policy_stop(struct broker *b)
{
	struct policy *pol = P(b);

	if (pol == NULL || pol->stopped)
		return;
	pol->stopped = true;
	flush_hits(b);
	uv_close((uv_handle_t *)&pol->hits_timer, NULL);
	uv_close((uv_handle_t *)&pol->groups_timer, NULL);
	uv_close((uv_handle_t *)&pol->price_idle, NULL);
}

static void
op_unlink(struct policy *pol, struct op *o)
{
	if (o->prev != NULL)
		o->prev->next = o->next;
	else
		pol->ops = o->next;
	if (o->next != NULL)
		o->next->prev = o->prev;
}

static void
op_free(struct op *o)
{
	rule_free(o->pending);
	free(o->ids);
	released_free(&o->rel);
	released_free(&o->gone);
	free(o);
}

void
policy_free(struct broker *b)
{
	struct policy *pol = P(b);

	if (pol == NULL)
		return;
	while (pol->ops != NULL) {
		struct op *o = pol->ops;

		op_unlink(pol, o);
		op_free(o);
	}
	undo_log_free(&pol->undo);
	ruleset_free(pol->rules);
	groups_free(pol->groups);
	learn_free(pol->learn);
	pincache_free(pol->pins);
	circ_free(pol->circ);
	assess_tables_free(pol->tables);
	prov_free(pol->prov);
	msgpack_sbuffer_destroy(&pol->sb);
	free(pol);
	b->policy = NULL;
}

void
policy_peer_lost(struct broker *b, struct peer *p)
{
	struct policy *pol = P(b);

	for (struct op *o = pol != NULL ? pol->ops : NULL; o != NULL; o = o->next)
		if (o->p == p)
			o->p = NULL;
}

static struct op *
op_new(struct broker *b, struct peer *p, uint32_t msgid, int kind)
{
	struct policy *pol = P(b);
	struct op *o = calloc(1, sizeof *o);

	if (o == NULL)
		return NULL;
	o->b = b;
	o->p = p;
	o->msgid = msgid;
	o->kind = kind;
	o->next = pol->ops;
	if (pol->ops != NULL)
		pol->ops->prev = o;
	pol->ops = o;
	return o;
}

/* ---- judging ---- */

struct prov_q {
	const struct prov *prov;
	uid_t uid;
	const char *session;
};

static int64_t
prov_created(void *ctx, const char *path, size_t len)
{
	const struct prov_q *q = ctx;

	return prov_lookup(q->prov, q->uid, q->session, path, len);
}

int
policy_assess(struct broker *b, uid_t uid, const char *session, const msgpack_object *req, msgpack_packer *pk,
    int *score, enum rule_level *level)
{
	struct assess_result ar;
	struct prov_q q = { .prov = P(b)->prov, .uid = uid, .session = session };
	struct assess_prov ap = { .created = prov_created, .ctx = &q };
	int l;

	if (assess_request_prov(P(b)->tables, req, session != NULL ? &ap : NULL, pk, &ar) < 0) {
		*score = 100;
		*level = RL_CRITICAL;
		return -1;
	}
	l = rule_level_parse(ar.level);
	*score = ar.score;
	*level = l < 0 ? RL_CRITICAL : (enum rule_level)l;
	return 0;
}

/* The missing directories above path (at most 16), which writing it creates. */
static void
note_new_parents(struct prov *pv, uid_t uid, const char *session, const char *path, int64_t id)
{
	char buf[PROV_PATH_MAX + 1];
	size_t n = strlen(path);
	struct stat st;

	if (n > PROV_PATH_MAX)
		return;
	memcpy(buf, path, n + 1);
	for (int depth = 0; depth < 16; depth++) {
		char *slash = strrchr(buf, '/');

		if (slash == NULL || slash == buf)
			return;
		*slash = '\0';
		if (lstat(buf, &st) == 0 || errno != ENOENT)
			return;
		if (prov_note(pv, uid, session, buf, id) < 0)
			return;
	}
}

void
policy_note_created(struct broker *b, uid_t uid, const char *session, const struct subject *s, int64_t id)
{
	struct prov *pv = P(b)->prov;

	/* a subject that is not whole (a command cut to fit) still lists the
	 * files its first commands write: a person allowed them */
	if (pv == NULL || s == NULL || session == NULL)
		return;
	for (size_t k = 0; k < s->nparts; k++) {
		const struct subj_part *sp = &s->parts[k];
		struct stat st;

		/* a file it writes that is not there yet: the session creates it */
		if (sp->kind != SK_WRITE || sp->path == NULL || sp->glob || sp->path[0] != '/')
			continue;
		if (lstat(sp->path, &st) == 0 || errno != ENOENT)
			continue;
		if (prov_note(pv, uid, session, sp->path, id) < 0)
			log_msg("provenance: out of memory; request %lld's files are not remembered", (long long)id);
		/* and the directories it makes on the way (mkdir -p a/b, a Write of new/x.py) */
		note_new_parents(pv, uid, session, sp->path, id);
	}
}

/* rule_ctx.pin_hash: the file's SHA-256, cached (pin.h).  Fails closed. */
static int
pin_cb(void *arg, const char *path, char *out)
{
	const char *why;

	return pin_hash(((struct policy *)arg)->pins, path, out, &why);
}

void
policy_judge(struct broker *b, const struct subject *s, const struct rule_ctx *c,
    struct rule_verdict *v)
{
	struct rule_ctx cc = *c;

	cc.pin_hash = pin_cb;
	cc.pin_arg = P(b);
	ruleset_eval(P(b)->rules, s, &cc, NULL, v);
}

static void rule_persist_revoke(struct broker *b, rule *r, int64_t by_uid, struct op *o);

void
policy_hits(struct broker *b, const struct rule_verdict *v)
{
	struct policy *pol = P(b);
	int64_t now = wall_clock_ms();
	bool used_up = false;

	for (size_t i = 0; i < v->nused; i++) {
		ruleset_hit(pol->rules, v->used[i], now);
		if (rule_scope(v->used[i]) == SCOPE_ONCE) {
			rule_persist_revoke(b, v->used[i], -1, NULL);
			used_up = true;
		}
	}
	if (used_up) {
		rules_changed(b);
		broadcast_hint(b, "rules");
	}
}

unsigned
policy_circumvention(struct broker *b, const char *session, const struct subject *s,
    int part[CIRC_NSIGNALS])
{
	return circ_check(P(b)->circ, session, s, wall_clock_ms(), part);
}

void
policy_note_denial(struct broker *b, const char *session, const struct subject *s)
{
	circ_note_denial(P(b)->circ, session, s, wall_clock_ms());
}

struct group *
policy_group_add(struct broker *b, const struct group_member *m)
{
	struct group *g = groups_add(P(b)->groups, m);

	policy_groups_changed(b);
	return g;
}

void
policy_group_remove(struct broker *b, struct group *g, void *req)
{
	groups_remove(P(b)->groups, g, req);
	policy_groups_changed(b);
}

/* ---- packing ---- */

static void
pack_rule_n(msgpack_packer *pk, const rule *r, size_t extra)
{
	msgpack_pack_map(pk, 24 + extra);
	rpc_pack_kv_int(pk, "id", rule_id(r));
	rpc_pack_kv_str(pk, "effect", rule_effect_name(rule_effect(r)));
	rpc_pack_kv_str(pk, "pattern", rule_text(r));
	rpc_pack_kv_str(pk, "scope", rule_scope_name(rule_scope(r)));
	rpc_pack_kv_str(pk, "scope_value", rule_scope_value(r));
	rpc_pack_str(pk, "expires_ms");
	if (rule_expires_ms(r) > 0)
		msgpack_pack_int64(pk, rule_expires_ms(r));
	else
		msgpack_pack_nil(pk);
	rpc_pack_kv_int(pk, "author_uid", rule_author_uid(r));
	rpc_pack_kv_str(pk, "author_name", rule_author_name(r));
	rpc_pack_kv_str(pk, "note", rule_note(r));
	rpc_pack_kv_int(pk, "created_ms", rule_created_ms(r));
	rpc_pack_kv_int(pk, "hits", rule_hits(r));
	rpc_pack_str(pk, "last_hit_ms");
	if (rule_last_hit_ms(r) > 0)
		msgpack_pack_int64(pk, rule_last_hit_ms(r));
	else
		msgpack_pack_nil(pk);
	rpc_pack_kv_bool(pk, "critical_ok", rule_max_level(r) == RL_CRITICAL);
	rpc_pack_kv_str(pk, "max_level", rule_level_name(rule_max_level(r)));
	rpc_pack_kv_bool(pk, "revoked", rule_revoked(r));
	rpc_pack_kv_bool(pk, "active", rule_active(r, wall_clock_ms()));
	rpc_pack_kv_str(pk, "origin", rule_origin(r));
	rpc_pack_kv_bool(pk, "wide", pattern_is_wide(rule_pattern(r)));
	/* issue #17: may it allow high requests; what it pins; where it was made */
	rpc_pack_kv_bool(pk, "high", rule_effect(r) == RULE_ALLOW && rule_max_level(r) >= RL_HIGH);
	rpc_pack_kv_str(pk, "pin_path", rule_pin_path(r));
	rpc_pack_kv_str(pk, "pin_sha256", rule_pin_sha256(r));
	rpc_pack_kv_str(pk, "made_session", rule_made_session(r));
	rpc_pack_kv_str(pk, "made_agent", rule_made_agent(r));
	rpc_pack_kv_str(pk, "made_workspace", rule_made_workspace(r));
}

static void
pack_rule(msgpack_packer *pk, const rule *r)
{
	pack_rule_n(pk, r, 0);
}

/* ---- console: rules ---- */

void
policy_rules(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params)
{
	struct policy *pol = P(b);
	const msgpack_object *opt = params->via.array.size > 0 ? &params->via.array.ptr[0] : NULL;
	const msgpack_object *all_o = opt != NULL ? rpc_map_get(opt, "all") : NULL;
	bool all = false;
	int64_t now = wall_clock_ms();
	size_t n = 0;

	if (opt != NULL && opt->type != MSGPACK_OBJECT_NIL && opt->type != MSGPACK_OBJECT_MAP) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "expected [{all?}]");
		return;
	}
	if (all_o != NULL && all_o->type != MSGPACK_OBJECT_NIL) {
		if (all_o->type != MSGPACK_OBJECT_BOOLEAN) {
			peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "all must be a boolean");
			return;
		}
		all = all_o->via.boolean;
	}
	for (rule *r = ruleset_first(pol->rules); r != NULL; r = rule_next(r))
		n += all || rule_active(r, now);
	rpc_pack_result(&pol->pk, msgid);
	msgpack_pack_map(&pol->pk, 1);
	rpc_pack_str(&pol->pk, "rules");
	msgpack_pack_array(&pol->pk, n);
	for (rule *r = ruleset_first(pol->rules); r != NULL; r = rule_next(r))
		if (all || rule_active(r, now))
			pack_rule(&pol->pk, r);
	peer_send_sbuf(p, &pol->sb);
}

static int
opt_bool(const msgpack_object *m, const char *key, bool *out, const char **bad)
{
	const msgpack_object *o = rpc_map_get(m, key);

	*out = false;
	if (o == NULL || o->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (o->type != MSGPACK_OBJECT_BOOLEAN) {
		*bad = key;
		return -1;
	}
	*out = o->via.boolean;
	return 0;
}

static int
opt_int(const msgpack_object *m, const char *key, int64_t lo, int64_t hi, int64_t *out,
    const char **bad)
{
	const msgpack_object *o = rpc_map_get(m, key);

	if (o == NULL || o->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (rpc_get_int(o, lo, hi, out) < 0) {
		*bad = key;
		return -1;
	}
	return 0;
}

/* Everything a rule_add or a group decision carries; strings owned. */
struct rule_params {
	char *effect, *pattern, *scope, *scope_value, *note, *reviewer, *max_level, *origin;
	int64_t ttl;
	bool critical_ok;
};

static void
rule_params_free(struct rule_params *rp)
{
	free(rp->effect);
	free(rp->pattern);
	free(rp->scope);
	free(rp->scope_value);
	free(rp->note);
	free(rp->reviewer);
	free(rp->max_level);
	free(rp->origin);
}

/* Read the optional rule fields of m; NULL or the name of a bad field. */
static const char *
read_rule_params(const msgpack_object *m, struct rule_params *rp)
{
	const char *bad = NULL;

	memset(rp, 0, sizeof *rp);
	rp->ttl = -1; /* not given; 0: no expiry */
	if (rpc_opt_str(m, "scope", 16, &rp->scope, &bad) < 0 ||
	    rpc_opt_str(m, "scope_value", 4096, &rp->scope_value, &bad) < 0 ||
	    rpc_opt_str(m, "note", NOTE_MAX, &rp->note, &bad) < 0 ||
	    rpc_opt_str(m, "reviewer", NAME_MAX_LEN, &rp->reviewer, &bad) < 0 ||
	    rpc_opt_str(m, "max_level", 16, &rp->max_level, &bad) < 0 ||
	    rpc_opt_str(m, "origin", 512, &rp->origin, &bad) < 0 ||
	    opt_int(m, "ttl", 0, TTL_MAX_S, &rp->ttl, &bad) < 0 ||
	    opt_bool(m, "critical_ok", &rp->critical_ok, &bad) < 0)
		return bad;
	return NULL;
}

/* What a rule saved from a group carries besides rp (issue #17). */
struct rule_made {
	const char *pin_path, *pin_sha256;
	const char *session, *agent, *workspace;
};

/* Build a rule (not yet in the set) from rp; NULL with err. */
static rule *
make_rule(struct broker *b, struct peer *p, const struct rule_params *rp, enum rule_effect effect,
    enum rule_level dflt_level, const struct rule_made *made, char *err, size_t errlen)
{
	struct policy *pol = P(b);
	int scope = rp->scope != NULL ? rule_scope_parse(rp->scope) : SCOPE_GLOBAL;
	int level = rp->max_level != NULL ? rule_level_parse(rp->max_level) : (int)dflt_level;
	int64_t now = wall_clock_ms();
	struct rule_spec spec;
	rule *r;

	if (scope < 0) {
		snprintf(err, errlen, "scope must be once, session, agent, workspace or global");
		return NULL;
	}
	if (level < 0) {
		snprintf(err, errlen, "max_level must be low, medium, high or critical");
		return NULL;
	}
	if (level == RL_CRITICAL && !rp->critical_ok) {
		snprintf(err, errlen, "a rule that may allow critical requests needs critical_ok: true");
		return NULL;
	}
	if (rp->critical_ok)
		level = RL_CRITICAL;
	spec = (struct rule_spec){
		.id = ruleset_next_id(pol->rules), .effect = effect, .pattern = rp->pattern,
		.scope = (enum rule_scope)scope, .scope_value = rp->scope_value,
		.expires_ms = rp->ttl > 0 ? now + rp->ttl * 1000 : 0,
		.author_uid = peer_uid(p), .author_name = rp->reviewer, .note = rp->note,
		.origin = rp->origin, .created_ms = now, .max_level = (enum rule_level)level,
	};
	if (made != NULL) {
		spec.pin_path = made->pin_path;
		spec.pin_sha256 = made->pin_sha256;
		spec.made_session = made->session;
		spec.made_agent = made->agent;
		spec.made_workspace = made->workspace;
	}
	if ((r = rule_new(&spec, err, errlen)) != NULL)
		ruleset_reserve_id(pol->rules, spec.id);
	return r;
}

/* ---- side effects of a new rule, and undo (issue #16) ---- */

/* Rule r is active: judge the queue again.  What it answers besides what
 * the person decides with it (o->ids) is listed in o->rel; its allows are
 * held for undo_window, and remembered for undo. */
static void
new_rule_side_effects(struct broker *b, struct op *o, rule *r)
{
	struct policy *pol = P(b);
	int64_t hold = rule_effect(r) == RULE_ALLOW ? b->cfg.undo_window_ms : 0;
	struct released_list copy = { 0 };

	o->until_ms = broker_now_ms(b) + hold;
	if (o->seed) {
		/* the preset, installed at start: nothing waits, nothing to undo */
		request_recheck(b);
		return;
	}
	request_recheck_new_rule(b, o->rule_id, hold, &o->rel);
	/* the log keeps its own copy: the op's goes into the reply */
	for (size_t i = 0; i < o->rel.n; i++) {
		struct released x = o->rel.v[i];

		if (copy.n == copy.cap) {
			size_t cap = copy.cap ? copy.cap * 2 : 8;
			struct released *v = realloc(copy.v, cap * sizeof *v);

			if (v == NULL)
				break;
			copy.v = v;
			copy.cap = cap;
		}
		if ((x.summary = strdup(x.summary)) == NULL)
			break;
		copy.v[copy.n++] = x;
	}
	undo_log_add(&pol->undo, o->rule_id, rule_author_uid(r), o->until_ms, &copy, o->ids, o->nids);
	released_free(&copy);
	if (o->rel.n > 0)
		log_msg("rule %lld answered %zu other waiting request(s)%s", (long long)o->rule_id, o->rel.n,
		    hold > 0 ? " (allows held for the undo window)" : "");
}

/* The rule's row is committed (or not): make it active and re-check. */
static bool
activate(struct broker *b, struct op *o, int status)
{
	struct policy *pol = P(b);
	char err[256];
	rule *r = o->pending;

	o->pending = NULL;
	if (status < 0 || pol->stopped) {
		rule_free(r);
		o->rule_failed = true;
		return false;
	}
	if (ruleset_adopt(pol->rules, r, err, sizeof err) < 0) {
		log_msg("rules: cannot activate rule %lld: %s", (long long)rule_id(r), err);
		rule_free(r);
		o->rule_failed = true;
		return false;
	}
	o->rule_id = rule_id(r);
	learn_add(pol->learn, r);
	rules_changed(b);
	new_rule_side_effects(b, o, r);
	broadcast_hint(b, "rules");
	return true;
}

static void
on_rule_added(void *arg, int status, int64_t seq)
{
	struct op *o = arg;
	struct broker *b = o->b;
	rule *r;

	(void)seq;
	if (activate(b, o, status)) {
		struct policy *pol = P(b);

		r = ruleset_find(pol->rules, o->rule_id);
		if (o->p != NULL) {
			rpc_pack_result(&pol->pk, o->msgid);
			pack_rule_n(&pol->pk, r, 2);
			undo_pack_released(&pol->pk, &o->rel, o->until_ms);
			peer_send_sbuf(o->p, &pol->sb);
		}
	} else if (o->p != NULL) {
		peer_reply_error(o->p, o->msgid, "store-error", "the rule could not be recorded");
	}
	op_unlink(P(b), o);
	op_free(o);
}

void
policy_rule_add(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params)
{
	const msgpack_object *m = &params->via.array.ptr[0];
	struct rule_params rp;
	const char *bad = NULL;
	char err[256];
	rule *r;
	struct op *o;

	if (m->type != MSGPACK_OBJECT_MAP) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS,
		    "expected [{effect, pattern, scope, scope_value?, ttl?, note?, critical_ok?}]");
		return;
	}
	if ((bad = read_rule_params(m, &rp)) != NULL ||
	    rpc_opt_str(m, "effect", 8, &rp.effect, &bad) < 0 ||
	    rpc_opt_str(m, "pattern", PATTERN_MAX_LEN, &rp.pattern, &bad) < 0) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "field '%s' has the wrong type or size", bad);
		rule_params_free(&rp);
		return;
	}
	if (rp.effect == NULL || (strcmp(rp.effect, "allow") != 0 && strcmp(rp.effect, "deny") != 0)) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "effect must be allow or deny");
		rule_params_free(&rp);
		return;
	}
	if (rp.pattern == NULL) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "pattern is required");
		rule_params_free(&rp);
		return;
	}
	if (rp.scope == NULL) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "scope is required");
		rule_params_free(&rp);
		return;
	}
	if ((r = make_rule(b, p, &rp, strcmp(rp.effect, "deny") == 0 ? RULE_DENY : RULE_ALLOW,
	         RL_HIGH, NULL, err, sizeof err)) == NULL) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "%s", err);
		rule_params_free(&rp);
		return;
	}
	rule_params_free(&rp);
	if ((o = op_new(b, p, msgid, OP_ADD)) == NULL) {
		rule_free(r);
		peer_reply_error(p, msgid, SG_ERR_INTERNAL, "out of memory");
		return;
	}
	o->pending = r;
	if (rulestore_insert(b->store, r, on_rule_added, o) < 0)
		on_rule_added(o, -1, 0);
}

static void unhold_revoked(struct broker *b, struct peer *p, int64_t id);

static void
on_rule_revoked(void *arg, int status, int64_t seq)
{
	struct op *o = arg;
	struct broker *b = o->b;
	struct policy *pol = P(b);

	(void)seq;
	if (o->p != NULL) {
		if (status < 0) {
			peer_reply_error(o->p, o->msgid, "store-error",
			    "rule %lld stopped matching but its revocation could not be recorded",
			    (long long)o->rule_id);
		} else {
			rpc_pack_result(&pol->pk, o->msgid);
			msgpack_pack_map(&pol->pk, 2);
			rpc_pack_kv_int(&pol->pk, "id", o->rule_id);
			rpc_pack_kv_bool(&pol->pk, "revoked", true);
			peer_send_sbuf(o->p, &pol->sb);
		}
	}
	op_unlink(pol, o);
	op_free(o);
}

static void
rule_persist_revoke(struct broker *b, rule *r, int64_t by_uid, struct op *o)
{
	if (rulestore_revoke(b->store, rule_id(r), rule_revoked_ms(r), by_uid,
	        o != NULL ? on_rule_revoked : NULL, o) < 0 && o != NULL)
		on_rule_revoked(o, -1, 0);
}

void
policy_rule_rm(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params)
{
	struct policy *pol = P(b);
	const msgpack_object *m = &params->via.array.ptr[0];
	int64_t id;
	rule *r;
	struct op *o;

	if (m->type != MSGPACK_OBJECT_MAP || rpc_get_int(rpc_map_get(m, "id"), 1, INT64_MAX, &id) < 0) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "expected [{id}]");
		return;
	}
	if ((r = ruleset_find(pol->rules, id)) == NULL) {
		peer_reply_error(p, msgid, SG_ERR_NOT_FOUND, "no rule %lld", (long long)id);
		return;
	}
	if ((o = op_new(b, p, msgid, OP_RM)) == NULL) {
		peer_reply_error(p, msgid, SG_ERR_INTERNAL, "out of memory");
		return;
	}
	o->rule_id = id;
	if (rule_revoked(r)) {
		on_rule_revoked(o, 0, 0);
		return;
	}
	ruleset_revoke(pol->rules, r, wall_clock_ms()); /* stops matching now */
	learn_revoked(pol->learn, r);
	rules_changed(b);
	unhold_revoked(b, p, id); /* issue #16: answers it still holds are not given */
	request_recheck(b); /* regroup: a part it covered may now need a decision */
	broadcast_hint(b, "rules");
	rule_persist_revoke(b, r, peer_uid(p), o);
}

/* ---- console: groups ---- */

/* groups [ {offset?, limit?, ids?, members_offset?, members?} ]: one page
 * (PROTOCOL.md); no argument is the first page with the defaults. */
void
policy_groups(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params)
{
	struct policy *pol = P(b);
	const msgpack_object *opt = params->via.array.size > 0 ? &params->via.array.ptr[0] : NULL, *o;
	struct groups_page q = {
		.offset = 0, .limit = GROUPS_PAGE_DEFAULT, .members_offset = 0,
		.members_max = GROUPS_MEMBERS_DEFAULT, .max_bytes = GROUPS_PAGE_BYTES,
		.price_budget = GROUPS_PRICE_CALL,
	};

	if (opt != NULL && opt->type != MSGPACK_OBJECT_NIL) {
		const char *bad = NULL;

		if (opt->type != MSGPACK_OBJECT_MAP)
			bad = "expected [{offset, limit, ids, members_offset, members}]";
		else if ((o = rpc_map_get(opt, "offset")) != NULL && rpc_get_int(o, 0, INT64_MAX, &q.offset) < 0)
			bad = "offset must be an integer >= 0";
		else if ((o = rpc_map_get(opt, "limit")) != NULL && rpc_get_int(o, 1, GROUPS_PAGE_MAX, &q.limit) < 0)
			bad = "limit must be 1-1000";
		else if ((o = rpc_map_get(opt, "members_offset")) != NULL &&
		    rpc_get_int(o, 0, INT64_MAX, &q.members_offset) < 0)
			bad = "members_offset must be an integer >= 0";
		else if ((o = rpc_map_get(opt, "members")) != NULL &&
		    rpc_get_int(o, 0, GROUPS_MEMBERS_MAX, &q.members_max) < 0)
			bad = "members must be 0-10000";
		else if ((o = rpc_map_get(opt, "ids")) != NULL && o->type != MSGPACK_OBJECT_NIL) {
			if (o->type != MSGPACK_OBJECT_ARRAY)
				bad = "ids must be an array of group ids";
			for (uint32_t i = 0; bad == NULL && i < o->via.array.size; i++)
				if (o->via.array.ptr[i].type != MSGPACK_OBJECT_STR)
					bad = "ids must be an array of group ids";
			q.ids = o;
		}
		if (bad != NULL) {
			peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "%s", bad);
			return;
		}
	}
	rpc_pack_result(&pol->pk, msgid);
	groups_pack_page(pol->groups, &pol->pk, &q);
	peer_send_sbuf(p, &pol->sb);
	pricing_kick(b);
	if (groups_changed(pol->groups))
		policy_groups_changed(b); /* prices completed while packing */
}

static int
barrier(struct sqlite3 *db, void *arg)
{
	(void)db;
	(void)arg;
	return 0;
}

static void
on_rule_for_group(void *arg, int status, int64_t seq)
{
	(void)seq;
	activate(((struct op *)arg)->b, arg, status);
}

/* Every decision of the group is recorded: answer the console. */
static void
on_group_done(void *arg, int status, int64_t seq)
{
	struct op *o = arg;
	struct broker *b = o->b;
	struct policy *pol = P(b);
	size_t failed = 0;

	(void)status;
	(void)seq;
	for (size_t i = 0; i < o->nids; i++)
		if (request_failed(b, o->ids[i]))
			failed++;
	if (o->p != NULL) {
		rpc_pack_result(&pol->pk, o->msgid);
		msgpack_pack_map(&pol->pk, 9);
		undo_pack_released(&pol->pk, &o->rel, o->until_ms);
		rpc_pack_kv_str(&pol->pk, "group", o->group);
		rpc_pack_kv_str(&pol->pk, "decision", o->allow ? "allow" : "deny");
		rpc_pack_kv_int(&pol->pk, "decided", (int64_t)(o->nids - failed));
		rpc_pack_kv_int(&pol->pk, "failed", (int64_t)failed);
		rpc_pack_str(&pol->pk, "rule_id");
		if (o->rule_id > 0)
			msgpack_pack_int64(&pol->pk, o->rule_id);
		else
			msgpack_pack_nil(&pol->pk);
		rpc_pack_kv_bool(&pol->pk, "rule_failed", o->rule_failed);
		rpc_pack_str(&pol->pk, "ids");
		msgpack_pack_array(&pol->pk, o->nids);
		for (size_t i = 0; i < o->nids; i++)
			msgpack_pack_int64(&pol->pk, o->ids[i]);
		peer_send_sbuf(o->p, &pol->sb);
	}
	op_unlink(pol, o);
	op_free(o);
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Members of g to decide: all, or those listed in members (still in g);
 * -1 on out of memory.  O((n + k) log k). */
static ssize_t
pick_members(const struct group *g, const msgpack_object *members, void **out)
{
	int64_t *want = NULL;
	size_t n = 0, nw = 0;

	if (members != NULL) {
		if ((want = malloc((members->via.array.size ? members->via.array.size : 1) * sizeof *want)) == NULL)
			return -1;
		for (uint32_t k = 0; k < members->via.array.size; k++)
			if (rpc_get_int(&members->via.array.ptr[k], 1, INT64_MAX, &want[nw]) == 0)
				nw++;
		qsort(want, nw, sizeof *want, cmp_id);
	}
	for (const struct group_member *m = group_first(g); m != NULL; m = group_next(m))
		if (members == NULL || bsearch(&m->id, want, nw, sizeof *want, cmp_id) != NULL)
			out[n++] = m->req;
	free(want);
	return (ssize_t)n;
}

/* The scope value a group rule gets for scope sc. */
static const char *
group_scope_value(const struct group *g, enum rule_scope sc)
{
	const struct group_member *m = group_first(g);

	switch (sc) {
	case SCOPE_ONCE: case SCOPE_SESSION: return m->session;
	case SCOPE_AGENT: return m->agent;
	case SCOPE_WORKSPACE: return m->subj->workspace;
	default: return NULL;
	}
}

/* Make the rule a group decision saves; NULL after replying on error.
 * The suggestion is one of the group's offers (suggest.h): its scope, TTL,
 * ceiling and pin unless scope / ttl say otherwise.  Issue #17: a critical
 * group's allow is never remembered; a high group's only narrowly (an exact
 * offer, pinned when it runs a file, once / session / agent scope, with a
 * TTL). */
static rule *
group_rule(struct broker *b, struct peer *p, uint32_t msgid, struct group *g,
    const msgpack_object *m, struct rule_params *rp, bool allow)
{
	struct policy *pol = P(b);
	struct group_suggestion sg[GROUP_MAX_OFFERS];
	size_t nsg = group_offers(pol->groups, g, 0, sg); /* patterns only */
	const struct group_suggestion *o;
	enum rule_level level = group_max_level(g);
	struct rule_made made = {
		.session = group_session(g), .agent = group_first(g)->agent, .workspace = group_workspace(g),
	};
	int64_t idx = -1;
	char *want = NULL, err[256], hex[PIN_HEX_LEN + 1];
	const char *bad = NULL, *value;
	int scope;
	rule *r = NULL;

	if (allow && (level >= RL_CRITICAL || rp->critical_ok)) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "critical requests are never remembered: decide "
		    "group %s without a rule (a rule from it may only deny)", group_id(g));
		goto out;
	}
	if (opt_int(m, "rule", 0, GROUP_MAX_OFFERS - 1, &idx, &bad) < 0 || idx < 0 || (size_t)idx >= nsg) {
		if (allow && level == RL_HIGH && nsg == 0)
			peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "a high request is remembered only exactly, "
			    "and group %s has no exact pattern%s: decide it without a rule", group_id(g),
			    group_size(g) > 1 ? " (its members differ)" : "");
		else
			peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "rule must be the index of one of the "
			    "group's %zu suggestions", nsg);
		goto out;
	}
	o = &sg[idx];
	if (rpc_opt_str(m, "pattern", PATTERN_MAX_LEN, &want, &bad) < 0 ||
	    (want != NULL && strcmp(want, o->pattern) != 0)) {
		peer_reply_error(p, msgid, SG_ERR_CONFLICT, "suggestion %lld is now '%s': refetch groups",
		    (long long)idx, o->pattern);
		goto out;
	}
	scope = rp->scope != NULL ? rule_scope_parse(rp->scope) : (int)o->scope;
	if (scope < 0) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "scope must be once, session, agent, workspace or global");
		goto out;
	}
	if (rp->max_level != NULL && (rule_level_parse(rp->max_level) < 0 ||
	    (allow && rule_level_parse(rp->max_level) > (int)o->ceiling))) {
		/* a wider ceiling would remember high requests around the checks below */
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "a rule saved from group %s applies up to %s "
		    "(its suggestion's max_level), not %s", group_id(g), rule_level_name(o->ceiling), rp->max_level);
		goto out;
	}
	if (rp->ttl < 0)
		rp->ttl = o->ttl_s; /* the offer's; 0 given: no expiry */
	if (allow && level == RL_HIGH) {
		if (scope != SCOPE_ONCE && scope != SCOPE_SESSION && scope != SCOPE_AGENT) {
			peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "a high request is remembered for this session "
			    "or this agent only (scope session or agent), not %s", rule_scope_name((enum rule_scope)scope));
			goto out;
		}
		if (rp->ttl <= 0)
			rp->ttl = pol->scfg.high_ttl_s;
	}
	if (allow && o->pin) {
		const char *why = "cannot be read";

		if (group_run_path(g) == NULL || pin_hash(pol->pins, group_run_path(g), hex, &why) < 0) {
			peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "cannot pin %s: it %s; decide without a rule",
			    group_run_path(g) != NULL ? group_run_path(g) : "the file it runs", why);
			goto out;
		}
		made.pin_path = group_run_path(g);
		made.pin_sha256 = hex;
	}
	value = scope == (int)o->scope && o->scope_value != NULL ? o->scope_value
	    : group_scope_value(g, (enum rule_scope)scope);
	free(rp->scope);
	rp->scope = strdup(rule_scope_name((enum rule_scope)scope));
	free(rp->scope_value);
	rp->scope_value = value != NULL ? strdup(value) : NULL;
	rp->pattern = strdup(o->pattern);
	free(rp->origin);
	if ((rp->origin = malloc(48)) != NULL)
		snprintf(rp->origin, 48, "group %s", group_id(g));
	if (rp->scope == NULL || rp->pattern == NULL) {
		peer_reply_error(p, msgid, SG_ERR_INTERNAL, "out of memory");
		goto out;
	}
	if ((r = make_rule(b, p, rp, allow ? RULE_ALLOW : RULE_DENY, o->ceiling, &made, err, sizeof err)) == NULL)
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "%s", err);
out:
	free(want);
	group_suggestions_free(sg, nsg);
	return r;
}

void
policy_decide_group(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *m)
{
	struct policy *pol = P(b);
	struct rule_params rp;
	const msgpack_object *dec = rpc_map_get(m, "decision"), *members = rpc_map_get(m, "members");
	const char *bad = NULL;
	char *gid = NULL, shown[65];
	struct group *g;
	void **reqs = NULL;
	rule *r = NULL;
	struct op *o = NULL;
	ssize_t n;
	bool allow;

	if ((bad = read_rule_params(m, &rp)) != NULL || rpc_opt_str(m, "group", 31, &gid, &bad) < 0 ||
	    (members != NULL && members->type != MSGPACK_OBJECT_ARRAY && members->type != MSGPACK_OBJECT_NIL)) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "field '%s' has the wrong type or size",
		    bad != NULL ? bad : "members");
		goto out;
	}
	if (members != NULL && members->type == MSGPACK_OBJECT_NIL)
		members = NULL;
	if (audit_shown_param(m, shown) < 0) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "shown_sha256 must be 64 hex digits");
		goto out;
	}
	if (!rpc_str_eq(dec, "allow") && !rpc_str_eq(dec, "deny")) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "decision must be allow or deny");
		goto out;
	}
	allow = rpc_str_eq(dec, "allow");
	if ((g = groups_find(pol->groups, gid)) == NULL) {
		peer_reply_error(p, msgid, SG_ERR_NOT_FOUND, "no group '%s' (it was decided or changed: "
		    "refetch groups)", gid != NULL ? gid : "");
		goto out;
	}
	if (rpc_map_get(m, "rule") != NULL && rpc_map_get(m, "rule")->type != MSGPACK_OBJECT_NIL &&
	    (r = group_rule(b, p, msgid, g, m, &rp, allow)) == NULL)
		goto out;
	if ((reqs = calloc(group_size(g), sizeof *reqs)) == NULL ||
	    (o = op_new(b, p, msgid, OP_GROUP)) == NULL) {
		peer_reply_error(p, msgid, SG_ERR_INTERNAL, "out of memory");
		rule_free(r);
		goto out;
	}
	if ((n = pick_members(g, members, reqs)) < 0) {
		peer_reply_error(p, msgid, SG_ERR_INTERNAL, "out of memory");
		op_unlink(pol, o);
		op_free(o);
		rule_free(r);
		goto out;
	}
	if (n == 0) {
		peer_reply_error(p, msgid, SG_ERR_NOT_FOUND, "none of the listed requests is in group %s",
		    group_id(g));
		op_unlink(pol, o);
		op_free(o);
		rule_free(r);
		goto out;
	}
	snprintf(o->group, sizeof o->group, "%s", group_id(g));
	o->allow = allow;
	if ((o->ids = calloc((size_t)n, sizeof *o->ids)) != NULL)
		for (ssize_t i = 0; i < n; i++)
			o->ids[o->nids++] = request_id_of(reqs[i]);
	/* the rule's row goes first, so it commits before the decisions */
	if (r != NULL) {
		o->pending = r;
		if (rulestore_insert(b->store, r, on_rule_for_group, o) < 0)
			activate(b, o, -1);
	}
	request_decide_list(b, (struct request **)reqs, (size_t)n, allow, rp.note, p, rp.reviewer, shown);
	if (store_run(b->store, barrier, NULL, on_group_done, o) < 0)
		on_group_done(o, -1, 0);
out:
	free(reqs);
	free(gid);
	rule_params_free(&rp);
}

/* Rule id was revoked (rules rm): the requests whose answers it still
 * holds go back to the queue, as with undo. */
static void
unhold_revoked(struct broker *b, struct peer *p, int64_t id)
{
	struct undo_rec *u = undo_log_find(&P(b)->undo, id, 0);
	char note[200];

	if (u == NULL)
		return;
	snprintf(note, sizeof note, "allowed by rule %lld and held for the undo window; the rule was revoked by "
	    "uid %lld", (long long)id, (long long)peer_uid(p));
	for (size_t i = 0; i < u->rel.n; i++)
		if (u->rel.v[i].held && request_unhold(b, u->rel.v[i].id, id, note) == 2)
			log_msg("rule %lld revoked: request %lld back in the queue", (long long)id,
			    (long long)u->rel.v[i].id);
}

/* The revocation of an undone rule is recorded: answer what undo did. */
static void
on_undo_revoked(void *arg, int status, int64_t seq)
{
	struct op *o = arg;
	struct broker *b = o->b;
	struct policy *pol = P(b);

	(void)seq;
	if (o->p != NULL) {
		rpc_pack_result(&pol->pk, o->msgid);
		msgpack_pack_map(&pol->pk, 5);
		rpc_pack_kv_int(&pol->pk, "rule_id", o->rule_id);
		rpc_pack_kv_bool(&pol->pk, "revoked", status == 0);
		rpc_pack_kv_str(&pol->pk, "revoke_error", status == 0 ? NULL :
		    "the rule stopped matching but its revocation could not be recorded");
		undo_pack_list(&pol->pk, "returned", &o->rel, false);
		undo_pack_list(&pol->pk, "answered", &o->gone, true);
		peer_send_sbuf(o->p, &pol->sb);
	}
	op_unlink(pol, o);
	op_free(o);
}

/* undo [ {rule_id?, reviewer?} ]: take back a rule just added (the latest
 * one without rule_id): revoke it, and put the requests whose answers it
 * still holds back in the queue; say which answers were already given. */
void
policy_undo(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params)
{
	struct policy *pol = P(b);
	const msgpack_object *m = params->via.array.size > 0 ? &params->via.array.ptr[0] : NULL;
	int64_t id = 0;
	char *reviewer = NULL, note[300];
	const char *bad = NULL;
	struct undo_rec *u;
	struct op *o;
	rule *r;
	bool was_revoked;

	if (m != NULL && m->type != MSGPACK_OBJECT_NIL &&
	    (m->type != MSGPACK_OBJECT_MAP ||
	     (rpc_map_get(m, "rule_id") != NULL && rpc_get_int(rpc_map_get(m, "rule_id"), 1, INT64_MAX, &id) < 0) ||
	     rpc_opt_str(m, "reviewer", NAME_MAX_LEN, &reviewer, &bad) < 0)) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "expected [{rule_id?, reviewer?}]");
		free(reviewer);
		return;
	}
	if ((u = undo_log_find(&pol->undo, id, (int64_t)peer_uid(p))) == NULL ||
	    (r = ruleset_find(pol->rules, u->rule_id)) == NULL) {
		if (id > 0 && ruleset_find(pol->rules, id) != NULL)
			peer_reply_error(p, msgid, SG_ERR_NOT_FOUND, "rule %lld was not added since the broker started "
			    "(or too long ago): nothing to undo; `sandgate rules rm %lld` revokes it", (long long)id,
			    (long long)id);
		else
			peer_reply_error(p, msgid, SG_ERR_NOT_FOUND, id > 0 ? "no rule %lld" :
			    "you added no rule since the broker started: nothing to undo", (long long)id);
		free(reviewer);
		return;
	}
	if ((o = op_new(b, p, msgid, OP_UNDO)) == NULL) {
		peer_reply_error(p, msgid, SG_ERR_INTERNAL, "out of memory");
		free(reviewer);
		return;
	}
	o->rule_id = u->rule_id;
	was_revoked = rule_revoked(r);
	/* the rule stops matching first: nothing it held can be judged allowed
	 * by it again */
	if (!was_revoked) {
		ruleset_revoke(pol->rules, r, wall_clock_ms());
		rules_changed(b);
	}
	snprintf(note, sizeof note, "allowed by rule %lld and held for the undo window; undone by %s (uid %lld)",
	    (long long)u->rule_id, reviewer != NULL ? reviewer : "(unnamed)", (long long)peer_uid(p));
	for (size_t i = 0; i < u->rel.n; i++) {
		struct released *x = &u->rel.v[i];
		int st = x->held ? request_unhold(b, x->id, u->rule_id, note) : 1;

		if (st == 2) {
			log_msg("undo of rule %lld: request %lld back in the queue", (long long)u->rule_id, (long long)x->id);
			undo_list_add(&o->rel, x, false);
		} else if (st == 1) {
			bool allow = x->allow;

			request_answer_state(b, x->id, &allow, NULL, NULL);
			undo_list_add(&o->gone, x, allow);
		}
	}
	for (size_t i = 0; i < u->ndecided; i++) {
		struct released x = { .id = u->decided[i], .summary = "" };
		const char *sum = NULL;
		bool allow = false;

		if (request_answer_state(b, x.id, &allow, &sum, &x.level) == 1) {
			x.summary = (char *)(sum != NULL ? sum : "");
			undo_list_add(&o->gone, &x, allow);
		}
	}
	u->undone = true;
	request_recheck(b); /* regroup: a part it covered needs a decision again */
	broadcast_hint(b, "rules");
	free(reviewer);
	if (was_revoked) /* revoked before (rules rm, an earlier undo): recorded then */
		on_undo_revoked(o, 0, 0);
	else if (rulestore_revoke(b->store, rule_id(r), rule_revoked_ms(r), peer_uid(p), on_undo_revoked, o) < 0)
		on_undo_revoked(o, -1, 0);
}

struct group *
policy_group_find(struct broker *b, const char *id)
{
	return P(b) != NULL ? groups_find(P(b)->groups, id) : NULL;
}
