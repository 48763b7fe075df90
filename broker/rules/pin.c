/* pin.c -- content hashes of pinned programs (pin.h). */
#include "broker/rules/pin.h"
#include "broker/rules/subject.h"
#include "proto/table.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What identifies one version of a file without reading it. */
struct pinkey {
	uint64_t dev, ino;
	int64_t size, mtime_s, mtime_ns, ctime_s, ctime_ns;
};

struct pinval {
	struct pinkey key;
	char hex[PIN_HEX_LEN + 1];
};

struct pincache {
	table *t;
	struct pinval *ring[PIN_CACHE]; /* insertion order: the oldest goes first */
	size_t head, n;
};

pincache *
pincache_new(void)
{
	pincache *pc = calloc(1, sizeof *pc);

	if (pc != NULL && (pc->t = table_new()) == NULL) {
		free(pc);
		return NULL;
	}
	return pc;
}

void
pincache_free(pincache *pc)
{
	if (pc == NULL)
		return;
	for (size_t i = 0; i < pc->n; i++)
		free(pc->ring[(pc->head + i) % PIN_CACHE]);
	table_free(pc->t);
	free(pc);
}

static void
key_of(const struct stat *st, struct pinkey *k)
{
	memset(k, 0, sizeof *k);
	k->dev = (uint64_t)st->st_dev;
	k->ino = (uint64_t)st->st_ino;
	k->size = (int64_t)st->st_size;
	k->mtime_s = (int64_t)st->st_mtim.tv_sec;
	k->mtime_ns = (int64_t)st->st_mtim.tv_nsec;
	k->ctime_s = (int64_t)st->st_ctim.tv_sec;
	k->ctime_ns = (int64_t)st->st_ctim.tv_nsec;
}

static void
remember(pincache *pc, const struct pinkey *k, const char *hex)
{
	struct pinval *v = malloc(sizeof *v);

	if (v == NULL)
		return;
	v->key = *k;
	memcpy(v->hex, hex, sizeof v->hex);
	if (pc->n == PIN_CACHE) {
		struct pinval *old = pc->ring[pc->head];

		table_del(pc->t, &old->key, sizeof old->key);
		free(old);
		pc->head = (pc->head + 1) % PIN_CACHE;
		pc->n--;
	}
	if (table_put(pc->t, &v->key, sizeof v->key, v) < 0) {
		free(v);
		return;
	}
	pc->ring[(pc->head + pc->n) % PIN_CACHE] = v;
	pc->n++;
}

/* Read the open regular file fd (size bytes, per st) into a SHA-256. */
static int
hash_fd(int fd, const struct stat *st, char *out, const char **why)
{
	crypto_hash_sha256_state h;
	unsigned char buf[65536], md[crypto_hash_sha256_BYTES];
	int64_t total = 0;
	struct stat after;
	ssize_t n;

	crypto_hash_sha256_init(&h);
	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*why = "cannot be read";
			return -1;
		}
		if (n == 0)
			break;
		total += n;
		if (total > (int64_t)PIN_MAX_BYTES) {
			*why = "is larger than 1 MiB";
			return -1;
		}
		crypto_hash_sha256_update(&h, buf, (unsigned long long)n);
	}
	if (fstat(fd, &after) < 0 || total != (int64_t)st->st_size || after.st_size != st->st_size ||
	    after.st_mtim.tv_sec != st->st_mtim.tv_sec || after.st_mtim.tv_nsec != st->st_mtim.tv_nsec ||
	    after.st_ctim.tv_sec != st->st_ctim.tv_sec || after.st_ctim.tv_nsec != st->st_ctim.tv_nsec) {
		*why = "changed while being read";
		return -1;
	}
	crypto_hash_sha256_final(&h, md);
	sodium_bin2hex(out, PIN_HEX_LEN + 1, md, sizeof md);
	return 0;
}

int
pin_hash(pincache *pc, const char *path, char *out, const char **why)
{
	struct stat ls, fs;
	struct pinkey k;
	struct pinval *v;
	int fd, rc;

	*why = "cannot be read";
	if (path == NULL || path[0] != '/') {
		*why = "is not a file sandgate can name";
		return -1;
	}
	if (lstat(path, &ls) < 0) {
		*why = errno == ENOENT || errno == ENOTDIR ? "does not exist" : "cannot be read";
		return -1;
	}
	if (S_ISLNK(ls.st_mode)) {
		*why = "is a symbolic link";
		return -1;
	}
	if (!S_ISREG(ls.st_mode)) {
		*why = "is not a regular file";
		return -1;
	}
	if (ls.st_size > (off_t)PIN_MAX_BYTES) {
		*why = "is larger than 1 MiB";
		return -1;
	}
	key_of(&ls, &k);
	if (pc != NULL && (v = table_get(pc->t, &k, sizeof k)) != NULL) {
		memcpy(out, v->hex, PIN_HEX_LEN + 1);
		return 0;
	}
	/* O_NOFOLLOW: swapped for a link since the lstat fails; O_NONBLOCK:
	 * swapped for a FIFO never blocks the loop (and fstat then refuses it) */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)) < 0) {
		*why = errno == ELOOP ? "is a symbolic link" : errno == ENOENT ? "does not exist" : "cannot be read";
		return -1;
	}
	if (fstat(fd, &fs) < 0 || !S_ISREG(fs.st_mode) || fs.st_dev != ls.st_dev || fs.st_ino != ls.st_ino) {
		*why = "changed while being read";
		close(fd);
		return -1;
	}
	key_of(&fs, &k);
	rc = hash_fd(fd, &fs, out, why);
	close(fd);
	if (rc == 0 && pc != NULL)
		remember(pc, &k, out);
	return rc;
}

/* path is inside dir/sub (dir absolute). */
static bool
under(const char *path, const char *dir, const char *sub)
{
	char buf[4200];

	if (dir == NULL || dir[0] != '/')
		return false;
	if ((size_t)snprintf(buf, sizeof buf, "%s%s%s", dir, sub[0] ? "/" : "", sub) >= sizeof buf)
		return false;
	return subject_path_within(path, buf);
}

bool
pin_suggested_path(const char *path, const char *home, const char *workspace)
{
	static const char *const agent_dirs[] = { ".claude", ".codex", ".gemini" };

	if (path == NULL || path[0] != '/')
		return false;
	for (size_t i = 0; i < sizeof agent_dirs / sizeof agent_dirs[0]; i++)
		if (under(path, home, agent_dirs[i]))
			return true;
	return workspace != NULL && under(path, workspace, "");
}
