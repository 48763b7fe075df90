/* quota.c -- per-session and per-uid caps on waiting requests, with a
 * rate-limited alert when they refuse (quota.h). */
#include "broker/quota.h"
#include "broker/broker.h"
#include "proto/log.h"
#include "proto/table.h"
#include "proto/rpc.h"
#include "proto/wallclock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct quota_count {
	table *in;        /* the table it is filed in */
	size_t n;         /* requests waiting */
	size_t klen;
	char key[];
};

struct quota {
	struct broker *b;
	table *by_session, *by_uid;
	uv_timer_t timer;           /* sends the summary of a rate-limited window */
	int64_t last_alert_ms;      /* 0: never */
	uint64_t refused_total;
	uint64_t unreported;        /* refused since the last alert */
	char last_msg[320];         /* the latest refusal (for the summary) */
	pid_t last_pid;
};

struct quota *
quota_new(struct broker *b)
{
	struct quota *q = calloc(1, sizeof *q);

	if (q == NULL || (q->by_session = table_new()) == NULL || (q->by_uid = table_new()) == NULL) {
		if (q != NULL)
			table_free(q->by_session);
		free(q);
		return NULL;
	}
	q->b = b;
	uv_timer_init(b->loop, &q->timer);
	q->timer.data = q;
	return q;
}

static void
on_closed(uv_handle_t *h)
{
	struct quota *q = h->data;

	/* counts left by requests that are freed without a release (shutdown) */
	table_free(q->by_session);
	table_free(q->by_uid);
	free(q);
}

void
quota_free(struct quota *q)
{
	if (q != NULL)
		uv_close((uv_handle_t *)&q->timer, on_closed);
}

uint64_t
quota_refused_total(const struct quota *q)
{
	return q->refused_total;
}

static size_t
session_key(char *k, size_t cap, uid_t uid, const char *session)
{
	size_t sl = strlen(session);
	uint32_t u = (uint32_t)uid;

	if (sizeof u + sl > cap)
		sl = cap - sizeof u;
	memcpy(k, &u, sizeof u);
	memcpy(k + sizeof u, session, sl);
	return sizeof u + sl;
}

static size_t
count_of(table *t, const void *key, size_t klen)
{
	struct quota_count *c = table_get(t, key, klen);

	return c != NULL ? c->n : 0;
}

const char *
quota_check(struct quota *q, size_t npending, uid_t uid, const char *session, char *msg, size_t msglen)
{
	const struct config *cfg = &q->b->cfg;
	char key[4 + 256];
	uint32_t u = (uint32_t)uid;
	size_t klen = session_key(key, sizeof key, uid, session), n;

	if ((n = count_of(q->by_session, key, klen)) >= (size_t)cfg->max_pending_session) {
		snprintf(msg, msglen, "too many pending requests: session '%.64s' of uid %lu has %zu waiting "
		    "(max_pending_session); decide or cancel some first", session, (unsigned long)uid, n);
		return "max_pending_session";
	}
	if ((n = count_of(q->by_uid, &u, sizeof u)) >= (size_t)cfg->max_pending_uid) {
		snprintf(msg, msglen, "too many pending requests: uid %lu has %zu waiting (max_pending_uid); "
		    "decide or cancel some first", (unsigned long)uid, n);
		return "max_pending_uid";
	}
	if (npending >= (size_t)cfg->max_pending) {
		snprintf(msg, msglen, "too many pending requests: the broker holds %zu (max_pending)", npending);
		return "max_pending";
	}
	return NULL;
}

static struct quota_count *
take(table *t, const void *key, size_t klen)
{
	struct quota_count *c = table_get(t, key, klen);

	if (c == NULL) {
		if ((c = calloc(1, sizeof *c + klen)) == NULL)
			return NULL;
		c->in = t;
		c->klen = klen;
		memcpy(c->key, key, klen);
		if (table_put(t, key, klen, c) < 0) {
			free(c);
			return NULL;
		}
	}
	c->n++;
	return c;
}

static void
release(struct quota_count *c)
{
	if (c == NULL || --c->n > 0)
		return;
	table_del(c->in, c->key, c->klen);
	free(c);
}

int
quota_take(struct quota *q, uid_t uid, const char *session, struct quota_hold *h)
{
	char key[4 + 256];
	uint32_t u = (uint32_t)uid;
	size_t klen = session_key(key, sizeof key, uid, session);

	h->session = take(q->by_session, key, klen);
	h->uid = h->session != NULL ? take(q->by_uid, &u, sizeof u) : NULL;
	if (h->uid == NULL) {
		release(h->session);
		h->session = NULL;
		return -1;
	}
	return 0;
}

void
quota_release(struct quota *q, struct quota_hold *h)
{
	(void)q;
	release(h->session);
	release(h->uid);
	h->session = h->uid = NULL;
}

static void
send_alert(struct quota *q, int64_t now)
{
	char text[512];
	msgpack_sbuffer sb;
	msgpack_packer pk;

	if (q->unreported > 1)
		snprintf(text, sizeof text, "refused %llu requests over a quota since the last alert; latest "
		    "(pid %ld): %s", (unsigned long long)q->unreported, (long)q->last_pid, q->last_msg);
	else
		snprintf(text, sizeof text, "refused a request over a quota (pid %ld): %s",
		    (long)q->last_pid, q->last_msg);
	log_msg("quota: %s", text);
	q->last_alert_ms = now;
	q->unreported = 0;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	rpc_pack_notify(&pk, "alert");
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, 3);
	rpc_pack_kv_str(&pk, "code", "quota");
	rpc_pack_kv_str(&pk, "message", text);
	rpc_pack_kv_int(&pk, "time_ms", now);
	broker_broadcast(q->b, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
}

static void
on_timer(uv_timer_t *t)
{
	struct quota *q = t->data;

	if (q->unreported > 0)
		send_alert(q, wall_clock_ms());
}

void
quota_refused(struct quota *q, pid_t pid, const char *msg)
{
	int64_t now = wall_clock_ms();

	q->refused_total++;
	q->unreported++;
	q->last_pid = pid;
	snprintf(q->last_msg, sizeof q->last_msg, "%s", msg);
	if (q->last_alert_ms == 0 || now - q->last_alert_ms >= QUOTA_ALERT_MS || now < q->last_alert_ms)
		send_alert(q, now);
	else if (!uv_is_active((uv_handle_t *)&q->timer) && !q->b->stopping)
		uv_timer_start(&q->timer, on_timer, (uint64_t)(q->last_alert_ms + QUOTA_ALERT_MS - now), 0);
}
