/* methods.c -- the method table and the handlers that are not about requests. */
#include "broker/methods.h"
#include "proto/wallclock.h"
#include "broker/broker.h"
#include "broker/peer.h"
#include "broker/policy.h"
#include "broker/request.h"
#include "proto/log.h"
#include "proto/rpc.h"
#include "proto/proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FOR_AGENT (1u << ROLE_AGENT)
#define FOR_CONSOLE (1u << ROLE_CONSOLE)

typedef void method_fn(struct broker *, struct peer *, uint32_t, const msgpack_object *);

static method_fn m_hello, m_subscribe, m_status, m_escalate, m_clock;

/* One entry per method; PROTOCOL.md documents each. */
static const struct method {
	const char *name;
	unsigned roles;
	unsigned min_params, max_params;
	method_fn *handler;
} methods[] = {
	{ .name = "hello", .roles = FOR_AGENT | FOR_CONSOLE, .min_params = 1, .max_params = 1, .handler = m_hello },
	{ .name = "submit", .roles = FOR_AGENT, .min_params = 1, .max_params = 1, .handler = request_submit },
	{ .name = "wait", .roles = FOR_AGENT, .min_params = 1, .max_params = 1, .handler = request_wait },
	{ .name = "cancel", .roles = FOR_AGENT, .min_params = 1, .max_params = 1, .handler = request_cancel },
	{ .name = "list", .roles = FOR_CONSOLE, .min_params = 0, .max_params = 1, .handler = request_list },
	{ .name = "subscribe", .roles = FOR_CONSOLE, .min_params = 0, .max_params = 1, .handler = m_subscribe },
	{ .name = "decide", .roles = FOR_CONSOLE, .min_params = 1, .max_params = 1, .handler = request_decide },
	{ .name = "status", .roles = FOR_CONSOLE, .min_params = 0, .max_params = 0, .handler = m_status },
	{ .name = "groups", .roles = FOR_CONSOLE, .min_params = 0, .max_params = 1, .handler = policy_groups },
	{ .name = "rules", .roles = FOR_CONSOLE, .min_params = 0, .max_params = 1, .handler = policy_rules },
	{ .name = "rule_add", .roles = FOR_CONSOLE, .min_params = 1, .max_params = 1, .handler = policy_rule_add },
	{ .name = "rule_rm", .roles = FOR_CONSOLE, .min_params = 1, .max_params = 1, .handler = policy_rule_rm },
	{ .name = "undo", .roles = FOR_CONSOLE, .min_params = 0, .max_params = 1, .handler = policy_undo },
	/* issue #15 */
	{ .name = "escalate", .roles = FOR_CONSOLE, .min_params = 1, .max_params = 1, .handler = m_escalate },
	{ .name = "clock", .roles = FOR_CONSOLE, .min_params = 1, .max_params = 1, .handler = m_clock },
};

static void
m_hello(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params)
{
	const msgpack_object *m = &params->via.array.ptr[0];
	const msgpack_object *client = rpc_map_get(m, "client");
	int64_t version;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	char name[64] = "?";

	if (peer_greeted(p)) {
		peer_reply_error(p, msgid, SG_ERR_CONFLICT, "hello was already said");
		return;
	}
	if (rpc_get_int(rpc_map_get(m, "version"), 0, INT32_MAX, &version) < 0) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "hello needs {version, role}");
		return;
	}
	if (version != SG_PROTO_VERSION) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS,
		    "protocol version %lld is not supported (this broker speaks %d)",
		    (long long)version, SG_PROTO_VERSION);
		return;
	}
	if (!rpc_str_eq(rpc_map_get(m, "role"), proto_role_name(peer_role(p)))) {
		peer_reply_error(p, msgid, SG_ERR_FORBIDDEN, "this socket serves the %s role only",
		    proto_role_name(peer_role(p)));
		return;
	}
	if (client != NULL && client->type == MSGPACK_OBJECT_STR)
		memcpy(name, client->via.str.ptr, client->via.str.size < 63 ? client->via.str.size : 63),
		    name[client->via.str.size < 63 ? client->via.str.size : 63] = '\0';
	peer_set_greeted(p, name);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	rpc_pack_result(&pk, msgid);
	msgpack_pack_map(&pk, 4);
	rpc_pack_kv_int(&pk, "version", SG_PROTO_VERSION);
	rpc_pack_kv_str(&pk, "role", proto_role_name(peer_role(p)));
	rpc_pack_kv_int(&pk, "broker_pid", getpid());
	rpc_pack_kv_int(&pk, "max_message", SG_MSG_CAP);
	peer_send(p, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	(void)b;
}

static void
m_subscribe(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;

	peer_set_subscribed(p, true);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	rpc_pack_result(&pk, msgid);
	msgpack_pack_map(&pk, 1);
	rpc_pack_kv_int(&pk, "pending", (int64_t)request_pending_count(b));
	peer_send(p, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
}

static void
m_status(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int agents, consoles;

	broker_count_peers(b, &agents, &consoles);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	rpc_pack_result(&pk, msgid);
	msgpack_pack_map(&pk, 16 + 5);
	rpc_pack_kv_int(&pk, "version", SG_PROTO_VERSION);
	rpc_pack_kv_int(&pk, "pid", getpid());
	rpc_pack_kv_int(&pk, "started_ms", b->started_ms);
	rpc_pack_kv_int(&pk, "uptime_ms", wall_clock_ms() - b->started_ms);
	rpc_pack_kv_int(&pk, "pending", (int64_t)request_pending_count(b));
	rpc_pack_kv_int(&pk, "decided", (int64_t)request_decided_total(b));
	rpc_pack_kv_int(&pk, "agents", agents);
	rpc_pack_kv_int(&pk, "consoles", consoles);
	rpc_pack_kv_str(&pk, "dir", b->dir);
	rpc_pack_kv_str(&pk, "db", b->db_path);
	rpc_pack_kv_int(&pk, "store_backlog", (int64_t)store_backlog(b->store));
	rpc_pack_kv_int(&pk, "store_commits", (int64_t)store_commits(b->store));
	/* what a console that (re)connects would otherwise only learn from the
	 * next alert: nil while the store writes, else why it cannot */
	rpc_pack_str(&pk, "store_error");
	if (b->store_failing)
		rpc_pack_str(&pk, b->store_error);
	else
		msgpack_pack_nil(&pk);
	rpc_pack_kv_int(&pk, "default_timeout_s", b->cfg.timeout_s);
	rpc_pack_kv_str(&pk, "durability", b->cfg.fsync ? "fsync" : "normal");
	/* issue #12: the caps on waiting requests, and how many were refused */
	rpc_pack_str(&pk, "quotas");
	msgpack_pack_map(&pk, 5);
	rpc_pack_kv_int(&pk, "max_pending", b->cfg.max_pending);
	rpc_pack_kv_int(&pk, "max_pending_uid", b->cfg.max_pending_uid);
	rpc_pack_kv_int(&pk, "max_pending_session", b->cfg.max_pending_session);
	rpc_pack_kv_int(&pk, "max_request_timeout_s",
	    b->cfg.max_request_timeout_s > b->cfg.timeout_s ? b->cfg.max_request_timeout_s : b->cfg.timeout_s);
	rpc_pack_kv_int(&pk, "refused", (int64_t)request_quota_refused(b));
	/* issue #15: the queue by level, the escalated, the oldest; notify */
	{
		size_t lv[4], esc;
		int64_t oldest;

		request_queue_stats(b, lv, &esc, &oldest);
		rpc_pack_str(&pk, "levels");
		msgpack_pack_map(&pk, 4);
		rpc_pack_kv_int(&pk, "low", (int64_t)lv[0]);
		rpc_pack_kv_int(&pk, "medium", (int64_t)lv[1]);
		rpc_pack_kv_int(&pk, "high", (int64_t)lv[2]);
		rpc_pack_kv_int(&pk, "critical", (int64_t)lv[3]);
		rpc_pack_kv_int(&pk, "escalated", (int64_t)esc);
		rpc_pack_str(&pk, "oldest_ms");
		if (oldest >= 0)
			msgpack_pack_int64(&pk, oldest);
		else
			msgpack_pack_nil(&pk);
		rpc_pack_kv_int(&pk, "now_ms", broker_now_ms(b));
		rpc_pack_str(&pk, "notify");
		msgpack_pack_map(&pk, 2);
		rpc_pack_kv_bool(&pk, "bell", b->cfg.esc.notify_bell);
		rpc_pack_kv_bool(&pk, "tmux", b->cfg.esc.notify_tmux);
	}
	peer_send(p, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
}

void
methods_dispatch(struct broker *b, struct peer *p, const struct rpc_msg *m)
{
	const struct method *meth = NULL;
	uint32_t nparams = m->params->via.array.size;

	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		if (strlen(methods[i].name) == m->method_len &&
		    memcmp(methods[i].name, m->method, m->method_len) == 0) {
			meth = &methods[i];
			break;
		}
	}
	if (meth == NULL) {
		peer_reply_error(p, m->id, SG_ERR_NO_METHOD, "no method '%.*s'",
		    (int)(m->method_len < 64 ? m->method_len : 64), m->method);
		return;
	}
	if (!peer_greeted(p) && meth->handler != m_hello) {
		peer_reply_error(p, m->id, SG_ERR_NO_HELLO, "say hello first");
		return;
	}
	if ((meth->roles & (1u << peer_role(p))) == 0) {
		peer_reply_error(p, m->id, SG_ERR_FORBIDDEN, "'%s' is not allowed on the %s socket",
		    meth->name, proto_role_name(peer_role(p)));
		return;
	}
	if (nparams < meth->min_params || nparams > meth->max_params) {
		peer_reply_error(p, m->id, SG_ERR_BAD_PARAMS, "'%s' takes %u to %u params, got %u",
		    meth->name, meth->min_params, meth->max_params, nparams);
		return;
	}
	meth->handler(b, p, m->id, m->params);
}

/* escalate [{id | group, why?, reviewer?}]: to the on-call level now. */
static void
m_escalate(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params)
{
	const msgpack_object *m = &params->via.array.ptr[0];
	char *gid = NULL, *why = NULL, *name = NULL, by[160], reason[400];
	const char *bad = NULL;
	int64_t id = 0;
	int n = 0, found = 0;
	msgpack_sbuffer sb;
	msgpack_packer pk;

	if (m->type != MSGPACK_OBJECT_MAP || rpc_opt_str(m, "group", 64, &gid, &bad) < 0 ||
	    rpc_opt_str(m, "why", 300, &why, &bad) < 0 || rpc_opt_str(m, "reviewer", 128, &name, &bad) < 0 ||
	    (gid == NULL && rpc_get_int(rpc_map_get(m, "id"), 1, INT64_MAX, &id) < 0)) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "expected [{id | group, why?, reviewer?}]");
		goto out;
	}
	snprintf(by, sizeof by, "%s (uid %lu)", name != NULL && name[0] != '\0' ? name : "reviewer",
	    (unsigned long)peer_uid(p));
	snprintf(reason, sizeof reason, "escalated by hand%s%s", why != NULL ? ": " : "", why != NULL ? why : "");
	if (gid != NULL) {
		struct group *g = policy_group_find(b, gid);
		int64_t ids[4096];
		size_t k = 0;

		for (const struct group_member *gm = g != NULL ? group_first(g) : NULL; gm != NULL && k < 4096;
		     gm = group_next(gm))
			ids[k++] = gm->id;
		for (size_t i = 0; i < k; i++) {
			int rc = request_escalate(b, ids[i], by, reason);

			found += rc >= 0;
			n += rc > 0;
		}
		if (g == NULL) {
			peer_reply_error(p, msgid, SG_ERR_NOT_FOUND, "no group %s", gid);
			goto out;
		}
	} else {
		int rc = request_escalate(b, id, by, reason);

		if (rc < 0) {
			peer_reply_error(p, msgid, SG_ERR_NOT_FOUND, "no pending request %lld", (long long)id);
			goto out;
		}
		found = 1;
		n = rc;
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	rpc_pack_result(&pk, msgid);
	msgpack_pack_map(&pk, 2);
	rpc_pack_kv_int(&pk, "escalated", n);
	rpc_pack_kv_int(&pk, "already", found - n);
	peer_send(p, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
out:
	free(gid);
	free(why);
	free(name);
}

/* clock [{advance_ms}]: tests only (SANDGATE_TEST_CLOCK=1 at start): move
 * the broker's clock forward; every pending request's timer is re-armed. */
static void
m_clock(struct broker *b, struct peer *p, uint32_t msgid, const msgpack_object *params)
{
	const msgpack_object *m = &params->via.array.ptr[0];
	int64_t adv;
	msgpack_sbuffer sb;
	msgpack_packer pk;

	if (!b->test_clock) {
		peer_reply_error(p, msgid, SG_ERR_FORBIDDEN, "the clock moves only in a broker started with "
		    "SANDGATE_TEST_CLOCK=1 (tests)");
		return;
	}
	if (m->type != MSGPACK_OBJECT_MAP || rpc_get_int(rpc_map_get(m, "advance_ms"), 0, 86400000LL * 30, &adv) < 0) {
		peer_reply_error(p, msgid, SG_ERR_BAD_PARAMS, "expected [{advance_ms: 0..30 days}]");
		return;
	}
	b->clock_skew_ms += adv;
	log_msg("test clock: moved forward %lld ms (now %+lld ms)", (long long)adv, (long long)b->clock_skew_ms);
	request_clock_moved(b);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	rpc_pack_result(&pk, msgid);
	msgpack_pack_map(&pk, 1);
	rpc_pack_kv_int(&pk, "now_ms", broker_now_ms(b));
	peer_send(p, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
}
