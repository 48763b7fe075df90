/* undo.h -- what each new rule answered besides what the person decided,
 * kept for `undo` (issue #16; docs/RULES.md "Side effects of a new rule").
 * The broker remembers the last UNDO_KEEP rules added (console or CLI): the
 * requests the rule's arrival answered (denied, or allowed and held for the
 * undo window) and the ones the person decided with it (a group decide). */
#ifndef SG_UNDO_H
#define SG_UNDO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

#include "broker/request.h"

#define UNDO_KEEP 64

struct undo_rec {
	int64_t rule_id;
	int64_t author_uid;           /* who added it */
	int64_t until_ms;             /* broker clock: when the held answers go out */
	struct released_list rel;     /* answered or held by the rule's arrival */
	int64_t *decided;             /* decided by the person with it (group decide) */
	size_t ndecided;
	bool undone;
};

struct undo_log {
	struct undo_rec v[UNDO_KEEP];
	size_t next, n;
};

/* Remember rule_id's side effects: rel is taken (emptied), decided copied.
 * The oldest record is forgotten past UNDO_KEEP. */
void undo_log_add(struct undo_log *l, int64_t rule_id, int64_t author_uid, int64_t until_ms,
    struct released_list *rel, const int64_t *decided, size_t ndecided);
/* The record of rule_id, or with rule_id 0 of the latest rule uid added;
 * NULL if none is remembered. */
struct undo_rec *undo_log_find(struct undo_log *l, int64_t rule_id, int64_t uid);
void undo_log_free(struct undo_log *l);

/* Pack two map entries: released: [{id, summary, level, decision, held}]
 * and undo_until_ms (nil when nothing is held). */
void undo_pack_released(msgpack_packer *pk, const struct released_list *rel, int64_t until_ms);

/* Append a copy of x to l as answered allow or deny (summary copied). */
void undo_list_add(struct released_list *l, const struct released *x, bool allow);
/* Pack one map entry: key: [{id, summary, level, decision (if decided)}]. */
void undo_pack_list(msgpack_packer *pk, const char *key, const struct released_list *l, bool decided);

#endif
