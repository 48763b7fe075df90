/* pager.h -- the configured pager command (issue #15; `pager = COMMAND`).
 *
 * A request that escalates pages its group once: `/bin/sh -c COMMAND` runs
 * with SANDGATE_EVENT=trigger and the group's JSON on stdin; when the last
 * request paged under that group id is decided (by anyone or anything:
 * reviewer, quorum, expiry, timeout, withdrawal, shutdown), it runs again
 * with SANDGATE_EVENT=resolve.  The group id is the dedup key
 * (SANDGATE_GROUP).  Runs are child processes watched by the loop (never
 * waited for on it), one at a time per group (resolve after its trigger),
 * each killed (its whole process group) at pager_timeout.  A failure (exit
 * status, signal, killed at the limit, cannot start) is logged, raised as an
 * `alert` (code `pager`) and noted on the requests paged under the group, so
 * their audit rows say so; it never decides anything. */
#ifndef SG_PAGER_H
#define SG_PAGER_H

#include <stdbool.h>
#include <stddef.h>

struct broker;
struct pager;

int pager_init(struct broker *b);
/* The broker stops: runs still going finish (bounded by their limit); the
 * state is freed once the last one is done. */
void pager_stop(struct broker *b);

/* A request of group_id escalated: trigger the group unless a trigger for
 * it is outstanding (then only count the request).  json (taken) is the
 * text for stdin.  Returns a handle for pager_release (NULL: no pager). */
struct pager_page *pager_page(struct broker *b, const char *group_id, char *json);
/* A request paged under pg is decided (outcome: its `by`); the last one
 * resolves the group. */
void pager_release(struct broker *b, struct pager_page *pg, const char *outcome);
/* What went wrong with pg's runs so far ("" if nothing): for audit notes. */
const char *pager_failure(const struct pager_page *pg);

#endif
