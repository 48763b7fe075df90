/* rulestore.h -- rules in SQLite (table "rules", migration 0002-rules):
 * loaded once at start-up on the loop thread, written through store_run on
 * the store's worker inside its group commit.  Every write copies what it
 * needs, so the rule may change or go away meanwhile. */
#ifndef SG_RULESTORE_H
#define SG_RULESTORE_H

#include <stddef.h>
#include <stdint.h>

#include "broker/rules/rule.h"
#include "broker/record/store.h"

struct sqlite3;

/* Load every stored rule into rs.  A stored deny rule that no longer parses
 * is an error (a deny that cannot be enforced must not be dropped silently);
 * such allow rules are skipped and counted in *skipped.  0 or -1 with err. */
int rulestore_load(struct sqlite3 *db, ruleset *rs, size_t *skipped, char *err, size_t errlen);

/* Insert r; cb(arg, 0|-1, 0) on the loop thread once committed or failed. */
int rulestore_insert(store *st, const rule *r, store_done_cb cb, void *arg);
/* Record a revocation. */
int rulestore_revoke(store *st, int64_t id, int64_t revoked_ms, int64_t by_uid,
    store_done_cb cb, void *arg);
/* Write the hit counts of n rules (values copied now). */
int rulestore_hits(store *st, rule *const *v, size_t n);

#endif
