/* undo.c -- the side effects of new rules, kept for undo (undo.h). */
#include "broker/undo.h"
#include "proto/rpc.h"

#include <stdlib.h>
#include <string.h>

static void
rec_clear(struct undo_rec *r)
{
	released_free(&r->rel);
	free(r->decided);
	memset(r, 0, sizeof *r);
}

void
undo_log_add(struct undo_log *l, int64_t rule_id, int64_t author_uid, int64_t until_ms,
    struct released_list *rel, const int64_t *decided, size_t ndecided)
{
	struct undo_rec *r = &l->v[l->next];

	rec_clear(r);
	r->rule_id = rule_id;
	r->author_uid = author_uid;
	r->until_ms = until_ms;
	if (rel != NULL) {
		r->rel = *rel;
		*rel = (struct released_list){ 0 };
	}
	if (ndecided > 0 && (r->decided = malloc(ndecided * sizeof *r->decided)) != NULL) {
		memcpy(r->decided, decided, ndecided * sizeof *r->decided);
		r->ndecided = ndecided;
	}
	l->next = (l->next + 1) % UNDO_KEEP;
	if (l->n < UNDO_KEEP)
		l->n++;
}

struct undo_rec *
undo_log_find(struct undo_log *l, int64_t rule_id, int64_t uid)
{
	for (size_t k = 1; k <= l->n; k++) {
		struct undo_rec *r = &l->v[(l->next + UNDO_KEEP - k) % UNDO_KEEP];

		if (rule_id == 0 ? r->author_uid == uid : r->rule_id == rule_id)
			return r;
	}
	return NULL;
}

void
undo_log_free(struct undo_log *l)
{
	for (size_t i = 0; i < UNDO_KEEP; i++)
		rec_clear(&l->v[i]);
	l->n = l->next = 0;
}

void
undo_pack_released(msgpack_packer *pk, const struct released_list *rel, int64_t until_ms)
{
	bool held = false;

	rpc_pack_str(pk, "released");
	msgpack_pack_array(pk, rel != NULL ? rel->n : 0);
	for (size_t i = 0; rel != NULL && i < rel->n; i++) {
		const struct released *x = &rel->v[i];

		held |= x->held;
		msgpack_pack_map(pk, 5);
		rpc_pack_kv_int(pk, "id", x->id);
		rpc_pack_kv_str(pk, "summary", x->summary);
		rpc_pack_kv_str(pk, "level", rule_level_name(x->level));
		rpc_pack_kv_str(pk, "decision", x->allow ? "allow" : "deny");
		rpc_pack_kv_bool(pk, "held", x->held);
	}
	rpc_pack_str(pk, "undo_until_ms");
	if (held)
		msgpack_pack_int64(pk, until_ms);
	else
		msgpack_pack_nil(pk);
}

void
undo_list_add(struct released_list *l, const struct released *x, bool allow)
{
	struct released *v;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;

		if ((v = realloc(l->v, cap * sizeof *v)) == NULL)
			return;
		l->v = v;
		l->cap = cap;
	}
	v = &l->v[l->n];
	*v = *x;
	v->allow = allow;
	v->held = false;
	if ((v->summary = strdup(x->summary != NULL ? x->summary : "")) != NULL)
		l->n++;
}

void
undo_pack_list(msgpack_packer *pk, const char *key, const struct released_list *l, bool decided)
{
	rpc_pack_str(pk, key);
	msgpack_pack_array(pk, l->n);
	for (size_t i = 0; i < l->n; i++) {
		msgpack_pack_map(pk, 3 + decided);
		rpc_pack_kv_int(pk, "id", l->v[i].id);
		rpc_pack_kv_str(pk, "summary", l->v[i].summary);
		rpc_pack_kv_str(pk, "level", rule_level_name(l->v[i].level));
		if (decided)
			rpc_pack_kv_str(pk, "decision", l->v[i].allow ? "allow" : "deny");
	}
}
