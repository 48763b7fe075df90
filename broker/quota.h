/* quota.h -- how many requests may wait at once, per session and per uid.
 *
 * A request that must wait for a person is queued only while its session
 * (peer uid + session id: another uid cannot spend your session's share)
 * holds fewer than max_pending_session, its uid fewer than max_pending_uid,
 * and the broker fewer than max_pending.  max_pending_uid < max_pending, so
 * one uid can never take the last places: they are the other uids' reserve.
 * A refusal writes no audit row (a flood must not fill the disk); it is
 * logged and raised to consoles as one `alert` (code `quota`) at most every
 * QUOTA_ALERT_MS, with a count of what was refused since. */
#ifndef SG_QUOTA_H
#define SG_QUOTA_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define QUOTA_ALERT_MS 10000

struct broker;
struct quota;
struct quota_count;

/* What a queued request holds (both NULL when it holds nothing). */
struct quota_hold {
	struct quota_count *session, *uid;
};

struct quota *quota_new(struct broker *b);
/* Close the alert timer; the rest is freed with it (loop still running). */
void quota_free(struct quota *q);

/* Would one more waiting request of (uid, session) break a cap, with npending
 * requests waiting in all?  NULL if not; else the setting's name, with the
 * refusal's text (starting "too many pending requests") in msg. */
const char *quota_check(struct quota *q, size_t npending, uid_t uid, const char *session,
    char *msg, size_t msglen);
/* Count a request that is queued; -1 on out of memory (nothing counted). */
int quota_take(struct quota *q, uid_t uid, const char *session, struct quota_hold *h);
/* It is no longer waiting. */
void quota_release(struct quota *q, struct quota_hold *h);
/* A request was refused with msg (from quota_check): log and alert,
 * rate-limited. */
void quota_refused(struct quota *q, pid_t pid, const char *msg);
/* Requests refused over a quota since start. */
uint64_t quota_refused_total(const struct quota *q);

#endif
