/* fsresolve.c -- resolve a path against the real file system (see fsresolve.h). */
#include "broker/intent/fsresolve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/openat2.h>
#endif

const char *
fsr_status_name(enum fsr_status s)
{
	switch (s) {
	case FSR_OK: return "ok";
	case FSR_LOOP: return "too many symbolic links (a loop)";
	case FSR_DENIED: return "a directory could not be looked at";
	case FSR_TOO_LONG: return "too long to resolve";
	case FSR_BAD: return "not an absolute path";
	}
	return "?";
}

struct walk {
	char cur[FSR_MAX_PATH + 2];  /* resolved so far ("" is the root) */
	size_t cl;
	char rest[FSR_MAX_PATH + 2]; /* still to walk */
	size_t rl, rp;
	char link[FSR_MAX_PATH + 1];
	bool missing;                /* a component was not there: the rest is lexical */
};

/* Drop the last component of cur. */
static void
pop(struct walk *w)
{
	while (w->cl > 0 && w->cur[w->cl - 1] != '/')
		w->cl--;
	if (w->cl > 0)
		w->cl--;
	w->cur[w->cl] = '\0';
}

static bool
only_slashes(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != '/')
			return false;
	return true;
}

static bool
opaque(const char *cur, size_t cl)
{
	return (cl == 4 && memcmp(cur, "/dev", 4) == 0) || (cl == 5 && memcmp(cur, "/proc", 5) == 0) ||
	       (cl == 4 && memcmp(cur, "/sys", 4) == 0);
}

static int
run(struct walk *w, unsigned flags, char *out, size_t cap, struct fsr_result *res)
{
	size_t steps = 0;

	while (w->rp < w->rl) {
		size_t cs, cn;
		bool last;
		struct stat st;

		while (w->rp < w->rl && w->rest[w->rp] == '/')
			w->rp++;
		if (w->rp >= w->rl)
			break;
		cs = w->rp;
		while (w->rp < w->rl && w->rest[w->rp] != '/')
			w->rp++;
		cn = w->rp - cs;
		last = only_slashes(w->rest + w->rp, w->rl - w->rp);
		if (++steps > FSR_MAX_STEPS) {
			res->status = FSR_TOO_LONG;
			return -1;
		}
		if (cn == 1 && w->rest[cs] == '.')
			continue;
		if (cn == 2 && w->rest[cs] == '.' && w->rest[cs + 1] == '.') {
			/* cur is real up to the first missing component: its parent is
			 * where ".." leads (after that, the kernel would fail anyway) */
			pop(w);
			continue;
		}
		if (w->cl + 1 + cn > FSR_MAX_PATH) {
			res->status = FSR_TOO_LONG;
			return -1;
		}
		w->cur[w->cl++] = '/';
		memcpy(w->cur + w->cl, w->rest + cs, cn);
		w->cl += cn;
		w->cur[w->cl] = '\0';
		if (w->missing)
			continue;
		if (opaque(w->cur, w->cl)) {
			/* /dev/stdout, /proc/self: links that mean the broker's own
			 * descriptors and process; the rest is taken by name */
			w->missing = true;
			continue;
		}
		if (lstat(w->cur, &st) < 0) {
			if (errno != ENOENT && errno != ENOTDIR)
				res->status = FSR_DENIED;
			w->missing = true;
			continue;
		}
		if (S_ISLNK(st.st_mode) && last)
			res->last_link = true;
		if (S_ISLNK(st.st_mode) && (!last || (flags & FSR_FOLLOW_LAST))) {
			ssize_t n;
			size_t tail = w->rl - w->rp;

			if (++res->links > FSR_MAX_LINKS) {
				res->status = FSR_LOOP;
				w->missing = true;
				continue;
			}
			n = readlink(w->cur, w->link, sizeof w->link - 1);
			if (n <= 0) {
				res->status = FSR_DENIED;
				w->missing = true;
				continue;
			}
			if ((size_t)n + 1 + tail > FSR_MAX_PATH) {
				res->status = FSR_TOO_LONG;
				return -1;
			}
			/* the link's text, then what followed it */
			memmove(w->rest + n + 1, w->rest + w->rp, tail);
			memcpy(w->rest, w->link, (size_t)n);
			w->rest[n] = '/';
			w->rl = (size_t)n + 1 + tail;
			w->rest[w->rl] = '\0';
			w->rp = 0;
			w->cl -= cn + 1;
			w->cur[w->cl] = '\0';
			if (w->link[0] == '/') {
				w->cl = 0;
				w->cur[0] = '\0';
			}
			continue;
		}
		if (last) {
			res->regular = S_ISREG(st.st_mode);
			res->nlink = (unsigned long)st.st_nlink;
		}
	}
	res->exists = !w->missing;
	res->dangling = res->last_link && (flags & FSR_FOLLOW_LAST) && !res->exists;
	if (w->cl == 0) {
		w->cur[0] = '/';
		w->cur[1] = '\0';
		w->cl = 1;
	}
	if (w->cl + 1 > cap)
		return -1;
	memcpy(out, w->cur, w->cl + 1);
	return (int)w->cl;
}

int
fsr_resolve_at(const char *real, const char *rest, size_t len, unsigned flags, char *out, size_t cap,
    struct fsr_result *res)
{
	struct walk w;
	size_t pl = real != NULL ? strlen(real) : 0;

	memset(res, 0, sizeof *res);
	if (real == NULL || real[0] != '/' || memchr(rest, '\0', len) != NULL) {
		res->status = FSR_BAD;
		return -1;
	}
	if (pl > FSR_MAX_PATH || len > FSR_MAX_PATH) {
		res->status = FSR_TOO_LONG;
		return -1;
	}
	while (pl > 0 && real[pl - 1] == '/')
		pl--;
	memcpy(w.cur, real, pl);
	w.cur[pl] = '\0';
	w.cl = pl;
	memcpy(w.rest, rest, len);
	w.rest[len] = '\0';
	w.rl = len;
	w.rp = 0;
	w.missing = false;
	return run(&w, flags, out, cap, res);
}

/* Is path (absolute) already in normal form: no empty, "." or ".."
 * component and no trailing slash? */
static bool
normal_form(const char *path, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (path[i] != '/')
			continue;
		if (i + 1 == len && len > 1)
			return false;
		if (i + 1 < len && path[i + 1] == '/')
			return false;
		if (i + 1 < len && path[i + 1] == '.' &&
		    (i + 2 == len || path[i + 2] == '/' || (path[i + 2] == '.' && (i + 3 == len || path[i + 3] == '/'))))
			return false;
	}
	return true;
}

/* The common case in three system calls instead of one per component: the
 * directory is opened with links refused anywhere on the way (openat2,
 * RESOLVE_NO_SYMLINKS), then the last component is looked at.  1 when that
 * answered, 0 to walk component by component (a link on the way, a missing
 * directory, no openat2). */
static int
fast(const char *path, size_t len, unsigned flags, char *out, size_t cap, struct fsr_result *res)
{
#if defined(__linux__) && defined(SYS_openat2) && defined(RESOLVE_NO_SYMLINKS)
	static atomic_bool unsupported;
	char dir[FSR_MAX_PATH + 1];
	const char *last;
	size_t dl;
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	struct stat st;
	int fd, rc;

	if (atomic_load(&unsupported) || len < 2 || len > FSR_MAX_PATH || len + 1 > cap || !normal_form(path, len))
		return 0;
	last = memrchr(path, '/', len);
	dl = last == path ? 1 : (size_t)(last - path);
	memcpy(dir, path, dl);
	dir[dl] = '\0';
	last++;
	fd = (int)syscall(SYS_openat2, AT_FDCWD, dir, &how, sizeof how);
	if (fd < 0) {
		if (errno == ENOSYS || errno == EPERM || errno == E2BIG)
			atomic_store(&unsupported, true);
		return 0;
	}
	{
		char name[FSR_MAX_PATH + 1];
		size_t nl = len - (size_t)(last - path);

		memcpy(name, last, nl);
		name[nl] = '\0';
		rc = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW);
	}
	close(fd);
	memset(res, 0, sizeof *res);
	if (rc < 0) {
		if (errno != ENOENT)
			return 0;
		res->exists = false;
	} else if (S_ISLNK(st.st_mode) && (flags & FSR_FOLLOW_LAST)) {
		return 0;
	} else {
		res->last_link = S_ISLNK(st.st_mode);
		res->exists = true;
		res->regular = S_ISREG(st.st_mode);
		res->nlink = (unsigned long)st.st_nlink;
	}
	res->status = FSR_OK;
	memcpy(out, path, len);
	out[len] = '\0';
	return (int)len;
#else
	(void)path, (void)len, (void)flags, (void)out, (void)cap, (void)res;
	return 0;
#endif
}

int
fsr_resolve(const char *path, size_t len, unsigned flags, char *out, size_t cap, struct fsr_result *res)
{
	int n;

	if (len == 0 || path[0] != '/' || memchr(path, '\0', len) != NULL) {
		memset(res, 0, sizeof *res);
		res->status = FSR_BAD;
		return -1;
	}
	if ((n = fast(path, len, flags, out, cap, res)) > 0)
		return n;
	return fsr_resolve_at("/", path, len, flags, out, cap, res);
}
