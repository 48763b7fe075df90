/* fsresolve.h -- a path as the file system would see it (issue #12, item 3).
 *
 * The scorer reads paths lexically: "notes.txt" in the workspace is a
 * workspace file.  When notes.txt is a symbolic link to ~/.bashrc, writing
 * it writes ~/.bashrc.  fsr_resolve() walks an absolute path one component at
 * a time with lstat(2) and readlink(2), the way the kernel's lookup does:
 * links in the middle are always followed, ".." is applied to the real
 * directory reached so far (so "linkdir/.." is the link target's parent, not
 * the lexical one), and the last component is followed only with
 * FSR_FOLLOW_LAST (writing or reading through a link touches its target;
 * `rm link` removes the link itself).  Once a component does not exist the
 * rest is appended as written; so is everything under /dev, /proc and /sys,
 * whose links (/dev/stdout, /proc/self) mean the caller's own descriptors.
 *
 * Bounds: FSR_MAX_PATH bytes of path (also after a link is expanded),
 * FSR_MAX_LINKS links followed (the kernel's own limit, ELOOP beyond it),
 * FSR_MAX_STEPS components looked at.  Nothing here allocates; a call is a
 * few system calls per component and never blocks for long on a local file
 * system (a hung network mount would block lstat as it blocks everything).
 *
 * What this cannot see: the file system as it will be when the command runs
 * (a link made after the decision), and any other view of it (a sandbox that
 * mounts things elsewhere).  See docs/RISK.md, "Paths on disk". */
#ifndef SG_FSRESOLVE_H
#define SG_FSRESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#define FSR_MAX_PATH 4096
#define FSR_MAX_LINKS 40
#define FSR_MAX_STEPS 512

enum { FSR_FOLLOW_LAST = 1 };

enum fsr_status {
	FSR_OK,       /* resolved (what does not exist yet appended as written) */
	FSR_LOOP,     /* more than FSR_MAX_LINKS links: the kernel says ELOOP */
	FSR_DENIED,   /* a component could not be looked at (EACCES, EIO, ...) */
	FSR_TOO_LONG, /* longer than FSR_MAX_PATH or FSR_MAX_STEPS, also after expanding a link */
	FSR_BAD,      /* not an absolute path, or a NUL byte in it */
};

struct fsr_result {
	enum fsr_status status;
	bool exists;          /* the resolved path exists */
	bool last_link;       /* the last component named is a symbolic link */
	bool dangling;        /* ... that points at nothing (writing it creates its target) */
	bool regular;         /* the resolved path is a regular file */
	unsigned long nlink;  /* its hard-link count (when it exists) */
	unsigned links;       /* links followed */
};

/* Resolve path[0..len) (absolute; "." and ".." allowed) into out (cap
 * bytes, NUL-terminated).  Returns the length of out, or -1 when the status
 * is FSR_BAD or out is too small.  For FSR_LOOP, FSR_DENIED and FSR_TOO_LONG
 * out still holds the best answer: what could be resolved, then the rest as
 * written. */
int fsr_resolve(const char *path, size_t len, unsigned flags, char *out, size_t cap, struct fsr_result *res);

/* Same, starting from real (an absolute path with no links in it, known to
 * exist, e.g. one fsr_resolve returned): rest[0..len) is relative to it. */
int fsr_resolve_at(const char *real, const char *rest, size_t len, unsigned flags, char *out, size_t cap,
    struct fsr_result *res);

const char *fsr_status_name(enum fsr_status s);

#endif
