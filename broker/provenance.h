/* provenance.h -- which files a session created (issue #17, docs/RISK.md
 * "Files this session created").
 *
 * When a request is allowed, the broker notes every file it writes that does
 * not exist yet (a Write tool's path, `cat > x.py`, `touch`, `tee`: the
 * subject's write parts), keyed by the submitter's uid and session.  The
 * scorer asks, through a lookup callback (assess.h struct assess_prov),
 * whether a path a later request of the same session deletes or overwrites
 * is one of them; docs/RISK.md says when that lowers the score.
 *
 * Bounded: at most PROV_PER_SESSION paths per session (the oldest are
 * forgotten first) and PROV_SESSIONS sessions (the one noted least recently
 * is forgotten whole); paths longer than PROV_PATH_MAX are not kept.
 * Forgetting only takes a discount away: flooding the memory can make a
 * later request score higher, never lower.  In memory only: a restarted
 * broker knows no session's files. */
#ifndef SG_PROVENANCE_H
#define SG_PROVENANCE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROV_PER_SESSION 512
#define PROV_SESSIONS 256
#define PROV_PATH_MAX 4096

struct prov;

struct prov *prov_new(void);
void prov_free(struct prov *p);

/* Remember that request id of (uid, session) created path (absolute,
 * normalised).  0, or -1 on out of memory (then nothing changed). */
int prov_note(struct prov *p, uid_t uid, const char *session, const char *path, int64_t id);

/* The request id that created path in (uid, session), or 0. */
int64_t prov_lookup(const struct prov *p, uid_t uid, const char *session, const char *path, size_t len);

/* Paths remembered (all sessions), and sessions. */
size_t prov_count(const struct prov *p);
size_t prov_sessions(const struct prov *p);

#endif
