/* auditlink.c -- the record seen from the running broker: the config's
 * audit settings handed to the store, and store health changes and
 * start-up alerts turned into "alert" notifications to the consoles.
 * broker/record/ never calls back into the broker; this file is the link. */
#include "broker/auditlink.h"
#include "broker/broker.h"
#include "broker/peer.h"
#include "broker/record/audit.h"
#include "proto/log.h"
#include "proto/rpc.h"
#include "proto/wallclock.h"

#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>


static void
on_health(void *arg, bool ok, const char *message)
{
	struct broker *b = arg;
	msgpack_sbuffer sb;
	msgpack_packer pk;

	log_msg("%s: %s", ok ? "store recovered" : "store error", message);
	b->store_failing = !ok;
	snprintf(b->store_error, sizeof b->store_error, "%s", ok ? "" : message);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	rpc_pack_notify(&pk, "alert");
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, 3);
	rpc_pack_kv_str(&pk, "code", ok ? "store-recovered" : "store-error");
	rpc_pack_kv_str(&pk, "message", message);
	rpc_pack_kv_int(&pk, "time_ms", wall_clock_ms());
	broker_broadcast(b, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
}

/* An alert found at start-up (a changed signing key, a replaced
 * database) goes to every console that subscribes while this broker runs:
 * consoles connect after start-up, and an alert only broadcast then would
 * reach nobody.  A prepare handle (run once per loop iteration, so right
 * after a subscribe is handled) looks for new subscribers; it exists only
 * while there is such an alert. */
static struct {
	uv_prepare_t handle;
	struct broker *b;
	char code[32], message[512];
	uint64_t *told;
	size_t ntold, cap;
	int64_t time_ms;
} sticky;

static void
send_alert(struct peer *p, const char *code, const char *message, int64_t time_ms)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	rpc_pack_notify(&pk, "alert");
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, 3);
	rpc_pack_kv_str(&pk, "code", code);
	rpc_pack_kv_str(&pk, "message", message);
	rpc_pack_kv_int(&pk, "time_ms", time_ms);
	peer_send(p, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
}

static void
on_sticky_closed(uv_handle_t *h)
{
	(void)h;
	free(sticky.told);
	sticky.told = NULL;
	sticky.ntold = sticky.cap = 0;
}

static void
on_sticky(uv_prepare_t *t)
{
	struct broker *b = sticky.b;

	if (b->stopping) {
		uv_prepare_stop(t);
		uv_close((uv_handle_t *)t, on_sticky_closed);
		return;
	}
	for (struct peer *p = b->peers; p != NULL; p = peer_next(p)) {
		uint64_t id = peer_id(p);
		bool told = false;

		if (peer_role(p) != ROLE_CONSOLE || !peer_subscribed(p) || peer_dead(p))
			continue;
		for (size_t i = 0; !told && i < sticky.ntold; i++)
			told = sticky.told[i] == id;
		if (told)
			continue;
		if (sticky.ntold == sticky.cap) {
			size_t nc = sticky.cap ? sticky.cap * 2 : 16;
			uint64_t *nt = realloc(sticky.told, nc * sizeof *nt);

			if (nt == NULL)
				return;
			sticky.told = nt;
			sticky.cap = nc;
		}
		sticky.told[sticky.ntold++] = id;
		send_alert(p, sticky.code, sticky.message, sticky.time_ms);
	}
}

void
audit_attach(struct broker *b)
{
	struct store_tuning t = {
		.max_pages = b->cfg.db_max_pages,
		.checkpoint_rows = b->cfg.audit_checkpoint_rows,
		.checkpoint_ms = b->cfg.audit_checkpoint_ms,
		.retention_ms = b->cfg.audit_retention_ms,
	};
	const char *code, *message;

	store_tune(b->store, &t);
	store_on_health(b->store, on_health, b);
	if ((message = store_audit_alert(b->store, &code)) != NULL && sticky.b == NULL) {
		sticky.b = b;
		snprintf(sticky.code, sizeof sticky.code, "%s", code);
		snprintf(sticky.message, sizeof sticky.message, "%s", message);
		sticky.time_ms = wall_clock_ms();
		uv_prepare_init(b->loop, &sticky.handle);
		uv_prepare_start(&sticky.handle, on_sticky);
		uv_unref((uv_handle_t *)&sticky.handle); /* never keeps the broker from stopping */
	}
}

void
audit_store_opts(const struct config *cfg, struct store_opts *so)
{
	so->audit_copy = cfg->audit_checkpoint_file;
	so->audit_syslog = cfg->audit_syslog;
	so->audit_rows = cfg->audit_checkpoint_rows;
	so->audit_ms = cfg->audit_checkpoint_ms;
}
