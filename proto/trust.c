/* trust.c -- the client's checks of the runtime dir, the socket and the peer
 * before it believes a broker (rule in trust.h and docs/SYSTEM-BROKER.md). */
#include "proto/trust.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define IMPERSONATION "another user may be impersonating the broker"

static const char *
kind_name(mode_t m)
{
	if (S_ISREG(m))
		return "a regular file";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a file of a known kind";
}

/* Read a small /proc file into buf (NUL-terminated); length or -1. */
static ssize_t
read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* In a user namespace that leaves some uids unmapped, the kernel's overflow
 * uid stands for them; *overflow receives it.  false in the initial
 * namespace (or when /proc cannot tell). */
static bool
partial_userns(uid_t *overflow)
{
	char buf[512];
	unsigned long in, out, len;
	char *end;
	long ov;

	if (read_small("/proc/self/uid_map", buf, sizeof buf) <= 0)
		return false;
	if (sscanf(buf, "%lu %lu %lu", &in, &out, &len) == 3 && in == 0 && out == 0 &&
	    len == 4294967295UL)
		return false;
	if (read_small("/proc/sys/kernel/overflowuid", buf, sizeof buf) <= 0)
		return false;
	ov = strtol(buf, &end, 10);
	if (end == buf || ov < 0)
		return false;
	*overflow = (uid_t)ov;
	return true;
}

bool
trust_uid(const struct trust *t, uid_t uid)
{
	uid_t overflow;

	if (uid == t->self || uid == 0 || (t->system && uid == t->dir_owner))
		return true;
	/* asked only when nothing else vouches for uid: /proc is read then */
	return t->private_dir && partial_userns(&overflow) && uid == overflow;
}

/* dir without trailing slashes, and its last component. */
static char *
strip_slashes(const char *dir)
{
	char *d = strdup(dir);
	size_t n;

	if (d == NULL)
		return NULL;
	n = strlen(d);
	while (n > 1 && d[n - 1] == '/')
		d[--n] = '\0';
	return d;
}

bool
trust_placed_by_root(const char *dir, const struct stat *expect, char *err, size_t errlen)
{
	char *d = strip_slashes(dir), *slash, *base, *parent = NULL, *up;
	struct stat st;
	bool ok = false;
	int pfd = -1;

	if (d == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	slash = strrchr(d, '/');
	base = slash != NULL ? slash + 1 : d;
	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		snprintf(err, errlen, "%s has no parent of its own", dir);
		goto out;
	}
	if (slash == d)
		parent = realpath("/", NULL);
	else if (slash != NULL) {
		*slash = '\0';
		parent = realpath(d, NULL);
		*slash = '/';
	} else {
		parent = realpath(".", NULL);
	}
	if (parent == NULL) {
		snprintf(err, errlen, "cannot resolve the parent of %s: %s", dir, strerror(errno));
		goto out;
	}
	pfd = open(parent, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0 || fstat(pfd, &st) < 0) {
		snprintf(err, errlen, "cannot open %s: %s", parent, strerror(errno));
		goto out;
	}
	if (st.st_uid != 0) {
		snprintf(err, errlen, "its parent %s is owned by uid %lu, not root", parent,
		    (unsigned long)st.st_uid);
		goto out;
	}
	if ((st.st_mode & 022) != 0) {
		snprintf(err, errlen, "its parent %s is writable by group or others, mode %04o", parent,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (expect != NULL) {
		struct stat here;

		if (fstatat(pfd, base, &here, AT_SYMLINK_NOFOLLOW) < 0 || here.st_dev != expect->st_dev ||
		    here.st_ino != expect->st_ino) {
			snprintf(err, errlen, "%s changed while it was being checked", dir);
			goto out;
		}
	}
	/* every dir above: root's, and sticky where others may write */
	for (up = parent; strcmp(up, "/") != 0;) {
		char *s = strrchr(up, '/');

		if (s == up)
			s[1] = '\0';
		else
			*s = '\0';
		if (lstat(up, &st) < 0 || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "cannot check %s", up);
			goto out;
		}
		if (st.st_uid != 0) {
			snprintf(err, errlen, "%s above it is owned by uid %lu, not root", up,
			    (unsigned long)st.st_uid);
			goto out;
		}
		if ((st.st_mode & 022) != 0 && (st.st_mode & S_ISVTX) == 0) {
			snprintf(err, errlen, "%s above it is writable by group or others and not sticky", up);
			goto out;
		}
	}
	ok = true;
out:
	if (pfd >= 0)
		close(pfd);
	free(parent);
	free(d);
	return ok;
}

enum trust_result
trust_dir(const char *dir, struct trust *t, char *err, size_t errlen)
{
	struct stat st;
	char why[PATH_MAX + 128];
	int fd;

	memset(t, 0, sizeof *t);
	t->dirfd = -1;
	t->self = geteuid();
	fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		if (lstat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (S_ISLNK(st.st_mode))
				snprintf(err, errlen, "refusing %s: it is a symbolic link, not a directory: "
				    "another user may be redirecting you to their broker", dir);
			else
				snprintf(err, errlen, "refusing %s: %s, not a directory: " IMPERSONATION, dir,
				    kind_name(st.st_mode));
			return TRUST_REFUSED;
		}
		snprintf(err, errlen, "cannot open the runtime dir %s: %s", dir, strerror(e));
		return e == ENOENT || e == ENOTDIR ? TRUST_MISSING : TRUST_ERROR;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot stat %s: %s", dir, strerror(errno));
		close(fd);
		return TRUST_ERROR;
	}
	t->dir_owner = st.st_uid;
	if ((st.st_mode & 022) != 0) {
		snprintf(err, errlen, "refusing %s: writable by group or others (mode %04o): another user "
		    "could put a fake broker there", dir, (unsigned)(st.st_mode & 07777));
		close(fd);
		return TRUST_REFUSED;
	}
	t->private_dir = st.st_uid == t->self && (st.st_mode & 077) == 0;
	if (st.st_uid != t->self && st.st_uid != 0) {
		if (!trust_placed_by_root(dir, &st, why, sizeof why)) {
			snprintf(err, errlen, "refusing %s: owned by uid %lu, not you: " IMPERSONATION
			    " (nor is it a system broker's dir: %s)", dir, (unsigned long)st.st_uid, why);
			close(fd);
			return TRUST_REFUSED;
		}
		t->system = true;
	}
	t->dirfd = fd;
	return TRUST_OK;
}

void
trust_done(struct trust *t)
{
	if (t->dirfd >= 0)
		close(t->dirfd);
	t->dirfd = -1;
}

enum trust_result
trust_socket(struct trust *t, const char *dir, const char *name, char *err, size_t errlen)
{
	/* in the dir trust_dir opened: not a path that may have changed since */
	if (t->dirfd < 0 || fstatat(t->dirfd, name, &t->sock, AT_SYMLINK_NOFOLLOW) < 0) {
		int e = t->dirfd < 0 ? EBADF : errno;

		snprintf(err, errlen, "cannot find %s/%s: %s", dir, name, strerror(e));
		return e == ENOENT ? TRUST_MISSING : TRUST_ERROR;
	}
	if (!S_ISSOCK(t->sock.st_mode)) {
		snprintf(err, errlen, "refusing %s/%s: %s, not a socket: " IMPERSONATION, dir, name,
		    kind_name(t->sock.st_mode));
		return TRUST_REFUSED;
	}
	if (!trust_uid(t, t->sock.st_uid)) {
		snprintf(err, errlen, "refusing %s/%s: owned by uid %lu, not you: " IMPERSONATION, dir, name,
		    (unsigned long)t->sock.st_uid);
		return TRUST_REFUSED;
	}
	return TRUST_OK;
}

enum trust_result
trust_peer(const struct trust *t, int fd, const char *path, char *err, size_t errlen)
{
	struct ucred cred;
	socklen_t len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof cred) {
		snprintf(err, errlen, "refusing %s: cannot read who listens there: %s", path, strerror(errno));
		return TRUST_REFUSED;
	}
	if (!trust_uid(t, cred.uid)) {
		snprintf(err, errlen, "refusing %s: the process listening there (pid %ld) runs as uid %lu, "
		    "not you: " IMPERSONATION, path, (long)cred.pid, (unsigned long)cred.uid);
		return TRUST_REFUSED;
	}
	return TRUST_OK;
}
