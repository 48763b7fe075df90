/* ruleindex.h -- find the few rules that may match a part without scanning
 * every rule.  Rules are bucketed by kind and by their literal leading
 * words: exec by program and subcommand, files by anchor and first path
 * component, net by the host's last two labels, mcp by server, other by
 * tool; a rule with a wildcard there goes into that kind's wildcard bucket.
 * A lookup visits at most four buckets, so 10,000 rules cost about what 10
 * do unless they all share one program and subcommand.
 *
 * The index stores pointers; the rule set (rule.h) owns the rules. */
#ifndef SG_RULEINDEX_H
#define SG_RULEINDEX_H

#include <stdbool.h>

#include "broker/rules/pattern.h"
#include "broker/rules/subject.h"

typedef struct ruleindex ruleindex;

ruleindex *ruleindex_new(void);
void ruleindex_free(ruleindex *ix);

/* Index item under pattern p; 0 or -1 on out of memory. */
int ruleindex_add(ruleindex *ix, void *item, const pattern *p);
/* Remove item (indexed under p); no-op if absent. */
void ruleindex_remove(ruleindex *ix, void *item, const pattern *p);

/* Call fn(arg, item) for every item whose pattern may match part (a
 * superset: the caller still matches).  fn returns false to stop. */
typedef bool ruleindex_fn(void *arg, void *item);
void ruleindex_candidates(const ruleindex *ix, const struct subject *s,
    const struct subj_part *part, ruleindex_fn *fn, void *arg);

/* The bucket keys themselves, for indexes of other things under the same
 * keys (the grouping indexes pending requests this way to price a pattern
 * against only the requests it may match).  A pattern lives under exactly
 * one key; a part is looked up under a few, and a pattern that matches a
 * part always has its key among the part's. */
#define RULEINDEX_KEY_MAX 1024
/* The key pattern p is indexed under, into key (RULEINDEX_KEY_MAX bytes);
 * returns its length (> 0). */
size_t ruleindex_pattern_key(const pattern *p, char *key);
/* Call fn(arg, key, n) for each key ruleindex_candidates visits for part;
 * fn returns false to stop. */
typedef bool ruleindex_key_fn(void *arg, const char *key, size_t n);
void ruleindex_part_keys(const struct subject *s, const struct subj_part *part,
    ruleindex_key_fn *fn, void *arg);

#endif
