/* trust.h -- may a client trust the broker behind a runtime dir?  (issue #12
 * item 5: another user can create /tmp/sandgate-$UID first and run a broker of
 * their own there.)  Every client checks, through proto/client.c:
 *
 *   - the runtime dir is a real directory (not a symbolic link) that group and
 *     others cannot write;
 *   - its owner is trusted: the client's own uid, root, or a system broker's
 *     uid (the dir sits in a dir that root owns and nobody else can write, so
 *     root put it there; every ancestor is root's too, and any ancestor others
 *     can write is sticky);
 *   - the socket is a socket owned by a trusted uid;
 *   - after connect, the process listening (SO_PEERCRED) runs as a trusted uid.
 *
 * Trusted uids: the client's, 0, and the dir's owner when the dir passed as a
 * system broker's.  Inside a user namespace that does not map every uid (a
 * `sandgate sandbox`), uids from outside show as the kernel's overflow uid;
 * it is trusted only in a runtime dir of the client's own with mode 0700,
 * which only the client (its launcher) can have filled.  The exact rule is in
 * docs/SYSTEM-BROKER.md ("How a client decides to trust a broker"). */
#ifndef SG_TRUST_H
#define SG_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

enum trust_result {
	TRUST_OK = 0,
	TRUST_REFUSED = -1,  /* something is not as it must be: do not connect */
	TRUST_MISSING = -2,  /* no runtime dir or no socket: no broker there */
	TRUST_ERROR = -3,    /* cannot tell (permission, out of memory, ...) */
};

struct trust {
	int dirfd;           /* the runtime dir as checked (O_PATH), or -1 */
	uid_t self;          /* the client's effective uid */
	uid_t dir_owner;
	bool system;         /* the dir is a system broker's (placed by root) */
	bool private_dir;    /* the dir is ours, mode 0700: in a user namespace
	                      * the overflow uid is trusted (see above) */
	struct stat sock;    /* the socket, after trust_socket */
};

/* Check the runtime dir; fills t.  The reason of a refusal is one line in err
 * that says what is wrong and what it may mean.  On TRUST_OK t holds the dir
 * open: trust_done releases it. */
enum trust_result trust_dir(const char *dir, struct trust *t, char *err, size_t errlen);
void trust_done(struct trust *t);
/* Check name in the dir trust_dir opened (dir: for the message). */
enum trust_result trust_socket(struct trust *t, const char *dir, const char *name,
    char *err, size_t errlen);
/* Check the process at the other end of connected socket fd (path: for the
 * message). */
enum trust_result trust_peer(const struct trust *t, int fd, const char *path,
    char *err, size_t errlen);
bool trust_uid(const struct trust *t, uid_t uid);

/* Is dir's placement a system broker's: the parent of dir (symbolic links in
 * it resolved) and every dir above it owned by root, the parent not writable
 * by group or others, any higher one writable by them sticky?  If dev/ino are
 * given, dir itself (not followed) must also be that inode.  false with the
 * reason in err. */
bool trust_placed_by_root(const char *dir, const struct stat *expect, char *err, size_t errlen);

#endif
