/* pin.h -- content hashes of the programs and scripts a rule pins (issue
 * #17, item 5).
 *
 * A pinned rule covers an exec part only while the file that part runs
 * (subj_part.run_path: the scorer's target of effect "run", resolved through
 * links by broker/intent/fsresolve.c) is the same path and has the same
 * SHA-256 (libsodium) as when the rule was made.  A file that changed,
 * vanished, became a link, a FIFO or a device, grew past the size cap, or
 * could not be read is not covered: the request is asked again.
 *
 * Cost, and where it runs: on the broker's loop thread, since rules are
 * judged there.  Each look-up is one lstat(2); the hash itself is read only
 * when the file's (device, inode, size, mtime, ctime) is not in the cache
 * (PIN_CACHE entries, the oldest dropped first), so a pinned rule checked
 * against every queued request on each recheck reads a file once per
 * change.  A read is bounded: regular files only, at most PIN_MAX_BYTES,
 * opened O_NOFOLLOW|O_NONBLOCK (a file swapped for a link or a FIFO between
 * the lstat and the open fails, it never blocks), and checked with fstat
 * before and after (a file written while being read fails).  Fail closed:
 * every error is "not the pinned file".
 *
 * What a pin cannot see: the file changing after the decision, before or
 * while the agent runs it (the same window every check-then-run has), and
 * what the script itself runs or sources. */
#ifndef SG_PIN_H
#define SG_PIN_H

#include <stdbool.h>
#include <stddef.h>

#define PIN_MAX_BYTES (1u << 20) /* hashing 1 MiB takes a few ms of the loop, once per change */
#define PIN_CACHE 4096
#define PIN_HEX_LEN 64

typedef struct pincache pincache;

pincache *pincache_new(void);
void pincache_free(pincache *pc);

/* SHA-256 of the regular file at path (absolute) as lower-case hex into
 * out (PIN_HEX_LEN + 1 bytes).  0, or -1 with *why (a static phrase: "is a
 * symbolic link", "is not a regular file", "is larger than 1 MiB", "does not
 * exist", "cannot be read", "changed while being read"). */
int pin_hash(pincache *pc, const char *path, char *out, const char **why);

/* Where pins are suggested: a script under an agent's configuration
 * (~/.claude, ~/.codex, ~/.gemini: their skills, commands, hooks...) or
 * inside the workspace.  home and workspace may be NULL. */
bool pin_suggested_path(const char *path, const char *home, const char *workspace);

#endif
