/* checkpoint.c -- Ed25519 keys, signed checkpoints and their file format. */
#include "broker/record/checkpoint.h"
#include "proto/hex.h"
#include "proto/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_PREFIX "sandgate-audit-key v1 ed25519 "
#define PUB_PREFIX "sandgate-audit-pub v1 ed25519 "
#define FILE_MAGIC "sandgate-audit-checkpoint v1"
#define SIGN_DOMAIN "sandgate-checkpoint-v1"
#define SIGN_DOMAIN2 "sandgate-checkpoint-v2"
#define KEY_FILE_MAX 256
#define PUB_FILE_MAX (64 * 1024)

void
ckpt_hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int
ckpt_unhex(const char *s, size_t slen, uint8_t *out, size_t n)
{
	if (slen != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Only lower-case hex in files we parse strictly. */
static int
unhex_lower(const char *s, size_t slen, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < slen; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return -1;
	return ckpt_unhex(s, slen, out, n);
}

static void
put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

static const char *const kind_names[CK_KIND_END] = {
	[CK_START] = "start", [CK_ROWS] = "rows", [CK_TIME] = "time", [CK_STOP] = "stop",
	[CK_RESUME] = "resume", [CK_KEY_CHANGED] = "key-changed", [CK_ROTATE] = "rotate",
};

const char *
ckpt_kind_name(int kind)
{
	return kind > 0 && kind < CK_KIND_END ? kind_names[kind] : NULL;
}

int
ckpt_kind_parse(const char *s, size_t n)
{
	for (int k = 1; k < CK_KIND_END; k++)
		if (strlen(kind_names[k]) == n && memcmp(kind_names[k], s, n) == 0)
			return k;
	return 0;
}

bool
ckpt_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

#define SIGNED_MAX 256

/* The exact bytes that are signed (docs/AUDIT.md "Checkpoints"). */
static size_t
signed_message(const struct ckpt *c, uint8_t *m)
{
	size_t n;

	if (c->version != 2) {
		n = sizeof SIGN_DOMAIN - 1;
		memcpy(m, SIGN_DOMAIN, n);
		memcpy(m + n, c->log_id, CKPT_LOG_ID_LEN);
		n += CKPT_LOG_ID_LEN;
		put_be64(m + n, (uint64_t)c->seq);
		n += 8;
		memcpy(m + n, c->hash, CKPT_HASH_LEN);
		n += CKPT_HASH_LEN;
		put_be64(m + n, (uint64_t)c->time_ms);
		return n + 8;
	}
	n = sizeof SIGN_DOMAIN2 - 1;
	memcpy(m, SIGN_DOMAIN2, n);
	memcpy(m + n, c->log_id, CKPT_LOG_ID_LEN);
	n += CKPT_LOG_ID_LEN;
	put_be64(m + n, (uint64_t)c->idx);
	put_be64(m + n + 8, (uint64_t)c->epoch);
	m[n + 16] = (uint8_t)c->kind;
	n += 17;
	put_be64(m + n, (uint64_t)c->seq);
	n += 8;
	memcpy(m + n, c->hash, CKPT_HASH_LEN);
	n += CKPT_HASH_LEN;
	put_be64(m + n, (uint64_t)c->time_ms);
	put_be64(m + n + 8, (uint64_t)c->prev_seq);
	n += 16;
	memcpy(m + n, c->prev, CKPT_HASH_LEN);
	n += CKPT_HASH_LEN;
	put_be64(m + n, (uint64_t)c->every_rows);
	put_be64(m + n + 8, (uint64_t)c->every_ms);
	n += 16;
	memcpy(m + n, c->next_key, CKPT_PK_LEN);
	n += CKPT_PK_LEN;
	memcpy(m + n, c->note, CKPT_HASH_LEN);
	return n + CKPT_HASH_LEN;
}

void
ckpt_sign(struct ckpt *c, const uint8_t sk[CKPT_SK_LEN])
{
	uint8_t m[SIGNED_MAX];
	size_t n;

	if (c->version == 0)
		c->version = 1;
	n = signed_message(c, m);
	memcpy(c->pk, sk + 32, CKPT_PK_LEN); /* libsodium keeps the public key in the second half */
	crypto_sign_detached(c->sig, NULL, m, n, sk);
}

bool
ckpt_check(const struct ckpt *c)
{
	uint8_t m[SIGNED_MAX];
	size_t n = signed_message(c, m);

	return crypto_sign_verify_detached(c->sig, m, n, c->pk) == 0;
}

void
ckpt_digest(const struct ckpt *c, uint8_t out[CKPT_HASH_LEN])
{
	uint8_t m[SIGNED_MAX];
	size_t n = signed_message(c, m);

	crypto_generichash(out, CKPT_HASH_LEN, m, n, NULL, 0);
}

bool
ckpt_keyring_has(const struct ckpt_keyring *ring, const uint8_t pk[CKPT_PK_LEN])
{
	for (size_t i = 0; i < ring->n; i++)
		if (sodium_memcmp(ring->pk[i], pk, CKPT_PK_LEN) == 0)
			return true;
	return false;
}

/* ---- key files ---- */

int
ckpt_parse_key_text(const char *buf, size_t len, uint8_t seed[32])
{
	size_t plen = sizeof KEY_PREFIX - 1;

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len != plen + 64 || memcmp(buf, KEY_PREFIX, plen) != 0)
		return -1;
	return unhex_lower(buf + plen, 64, seed, 32);
}

int
ckpt_parse_pub_line(const char *buf, size_t len, uint8_t pk[CKPT_PK_LEN])
{
	size_t plen = sizeof PUB_PREFIX - 1;

	if (len != plen + 64 || memcmp(buf, PUB_PREFIX, plen) != 0)
		return -1;
	return unhex_lower(buf + plen, 64, pk, CKPT_PK_LEN);
}

/* Read at most max bytes of an open file; -1 if it is longer. */
static ssize_t
read_small(int fd, char *buf, size_t max)
{
	size_t got = 0;

	for (;;) {
		ssize_t n = read(fd, buf + got, max + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return (ssize_t)got;
		got += (size_t)n;
		if (got > max)
			return -1;
	}
}

int
ckpt_pub_append(const char *dir, const uint8_t pk[CKPT_PK_LEN], char *err, size_t errlen)
{
	char *path = paths_join(dir, "audit.pub");
	char line[sizeof PUB_PREFIX + 66], hex[65];
	int fd, rc = 0;

	if (path == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ckpt_hex(pk, CKPT_PK_LEN, hex);
	snprintf(line, sizeof line, "%s%s\n", PUB_PREFIX, hex);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || write(fd, line, strlen(line)) != (ssize_t)strlen(line) || fsync(fd) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		rc = -1;
	}
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

int
ckpt_key_write(const char *path, const uint8_t seed[32], char *err, size_t errlen)
{
	char text[sizeof KEY_PREFIX + 66], hex[65];
	mode_t old;
	int fd;

	old = umask(077);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	umask(old);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	ckpt_hex(seed, 32, hex);
	snprintf(text, sizeof text, "%s%s\n", KEY_PREFIX, hex);
	sodium_memzero(hex, sizeof hex);
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fsync(fd) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		sodium_memzero(text, sizeof text);
		close(fd);
		unlink(path);
		return -1;
	}
	sodium_memzero(text, sizeof text);
	close(fd);
	return 0;
}

/* Create dir/audit.key with a fresh seed (O_EXCL: a racing creator wins and
 * we load its key instead).  0, 1 if it appeared meanwhile, -1 with err. */
static int
generate_key(const char *dir, const char *path, char *err, size_t errlen)
{
	uint8_t seed[32], pk[CKPT_PK_LEN], sk[CKPT_SK_LEN];
	char text[sizeof KEY_PREFIX + 66], hex[65];
	int fd;
	mode_t old;

	if (paths_make_parent(path, err, errlen) < 0)
		return -1;
	old = umask(077);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	umask(old);
	if (fd < 0 && errno == EEXIST)
		return 1;
	if (fd < 0) {
		snprintf(err, errlen, "cannot create the audit signing key %s: %s", path, strerror(errno));
		return -1;
	}
	randombytes_buf(seed, sizeof seed);
	crypto_sign_seed_keypair(pk, sk, seed);
	ckpt_hex(seed, sizeof seed, hex);
	snprintf(text, sizeof text, "%s%s\n", KEY_PREFIX, hex);
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(sk, sizeof sk);
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fsync(fd) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	sodium_memzero(text, sizeof text);
	close(fd);
	return ckpt_pub_append(dir, pk, err, errlen);
}

/* Open path and check it is a regular file of ours that only we can read. */
static int
open_private(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "the audit signing key %s is not a regular file", path);
	} else if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "the audit signing key %s belongs to uid %lu, not to us (uid %lu)",
		    path, (unsigned long)st.st_uid, (unsigned long)geteuid());
	} else if ((st.st_mode & 077) != 0) {
		snprintf(err, errlen, "the audit signing key %s has mode %04o: refusing to use it; "
		    "it must be readable by its owner only (chmod 600 %s)", path,
		    (unsigned)(st.st_mode & 07777), path);
	} else {
		return fd;
	}
	close(fd);
	errno = EPERM;
	return -2;
}

int
ckpt_key_load(const char *dir, bool create, uint8_t sk[CKPT_SK_LEN], char *err, size_t errlen)
{
	char *path, buf[KEY_FILE_MAX + 1];
	uint8_t seed[32], pk[CKPT_PK_LEN];
	ssize_t n;
	int fd, tries = 0;

	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to initialise");
		return -1;
	}
	if ((path = paths_join(dir, "audit.key")) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while ((fd = open_private(path, err, errlen)) == -1 && errno == ENOENT && create && tries++ < 2) {
		if (generate_key(dir, path, err, errlen) < 0) {
			free(path);
			return -1;
		}
	}
	if (fd < 0) {
		int e = errno;

		if (fd == -1 && e == ENOENT && !create) {
			free(path);
			return 1;
		}
		if (fd == -1)
			snprintf(err, errlen, "cannot open the audit signing key %s: %s", path, strerror(e));
		free(path);
		return -1;
	}
	n = read_small(fd, buf, KEY_FILE_MAX);
	close(fd);
	if (n < 0 || ckpt_parse_key_text(buf, (size_t)n, seed) < 0) {
		snprintf(err, errlen, "the audit signing key %s is malformed", path);
		sodium_memzero(buf, sizeof buf);
		free(path);
		return -1;
	}
	sodium_memzero(buf, sizeof buf);
	crypto_sign_seed_keypair(pk, sk, seed);
	sodium_memzero(seed, sizeof seed);
	free(path);
	return 0;
}

int
ckpt_keyring_load_file(const char *path, struct ckpt_keyring *ring, char *err, size_t errlen)
{
	char *buf = malloc(PUB_FILE_MAX + 1);
	ssize_t n;
	int fd, lineno = 0;
	size_t pos = 0;

	ring->n = 0;
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		free(buf);
		if (e == ENOENT)
			return 1;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(e));
		return -1;
	}
	n = read_small(fd, buf, PUB_FILE_MAX);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "%s is unreadable or larger than %d bytes", path, PUB_FILE_MAX);
		goto bad;
	}
	while (pos < (size_t)n) {
		const char *nl = memchr(buf + pos, '\n', (size_t)n - pos);
		size_t len = nl != NULL ? (size_t)(nl - (buf + pos)) : (size_t)n - pos;

		lineno++;
		if (len > 0 && buf[pos] != '#') {
			if (ring->n == CKPT_MAX_KEYS ||
			    ckpt_parse_pub_line(buf + pos, len, ring->pk[ring->n]) < 0) {
				snprintf(err, errlen, "%s: line %d is not a sandgate audit public key", path, lineno);
				goto bad;
			}
			ring->n++;
		}
		pos += len + 1;
	}
	free(buf);
	return 0;
bad:
	ring->n = 0;
	free(buf);
	return -1;
}

int
ckpt_keyring_load(const char *dir, struct ckpt_keyring *ring, char *err, size_t errlen)
{
	char *path = paths_join(dir, "audit.pub");
	int rc;

	if (path == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = ckpt_keyring_load_file(path, ring, err, errlen);
	free(path);
	return rc < 0 ? -1 : 0;
}

/* ---- checkpoint files ---- */

size_t
ckpt_format(const struct ckpt *c, char *buf, size_t cap)
{
	char log[2 * CKPT_LOG_ID_LEN + 1], hash[2 * CKPT_HASH_LEN + 1], pk[2 * CKPT_PK_LEN + 1];
	char sig[2 * CKPT_SIG_LEN + 1];
	int n;

	if (c->version == 2)
		return 0; /* the 7-line file is version 1's form; version 2 has ckpt_format_line */
	ckpt_hex(c->log_id, CKPT_LOG_ID_LEN, log);
	ckpt_hex(c->hash, CKPT_HASH_LEN, hash);
	ckpt_hex(c->pk, CKPT_PK_LEN, pk);
	ckpt_hex(c->sig, CKPT_SIG_LEN, sig);
	n = snprintf(buf, cap, FILE_MAGIC "\nlog %s\nseq %" PRId64 "\nhash %s\ntime_ms %" PRId64
	    "\nkey %s\nsig %s\n", log, c->seq, hash, c->time_ms, pk, sig);
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* A decimal in [lo, INT64_MAX]: digits only, no leading zeros. */
static int
parse_dec(const char *s, size_t n, int64_t lo, int64_t *out)
{
	int64_t v = 0;

	if (n == 0 || n > 19 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (INT64_MAX - (s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < lo)
		return -1;
	*out = v;
	return 0;
}

int
ckpt_parse(const char *buf, size_t len, struct ckpt *c, char *err, size_t errlen)
{
	static const char *const names[] = { "log", "seq", "hash", "time_ms", "key", "sig" };
	size_t pos = 0, line = 0;

	memset(c, 0, sizeof *c);
	if (len > CKPT_FILE_MAX) {
		snprintf(err, errlen, "not a checkpoint: longer than %d bytes", CKPT_FILE_MAX);
		return -1;
	}
	for (line = 0; line < 7; line++) {
		const char *p = buf + pos, *nl = memchr(p, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - p) : len - pos, klen, vlen;
		const char *v;
		int bad;

		if (pos >= len) {
			snprintf(err, errlen, "checkpoint truncated after line %zu", line);
			return -1;
		}
		if (nl == NULL && line < 6) {
			snprintf(err, errlen, "checkpoint truncated in line %zu", line + 1);
			return -1;
		}
		pos += n + (nl != NULL);
		if (line == 0) {
			if (n != sizeof FILE_MAGIC - 1 || memcmp(p, FILE_MAGIC, n) != 0) {
				snprintf(err, errlen, "not a sandgate audit checkpoint (first line must be '%s')", FILE_MAGIC);
				return -1;
			}
			continue;
		}
		klen = strlen(names[line - 1]);
		if (n <= klen + 1 || memcmp(p, names[line - 1], klen) != 0 || p[klen] != ' ') {
			snprintf(err, errlen, "checkpoint line %zu must start with '%s '", line + 1, names[line - 1]);
			return -1;
		}
		v = p + klen + 1;
		vlen = n - klen - 1;
		switch (line) {
		case 1: bad = unhex_lower(v, vlen, c->log_id, CKPT_LOG_ID_LEN); break;
		case 2: bad = parse_dec(v, vlen, 1, &c->seq); break;
		case 3: bad = unhex_lower(v, vlen, c->hash, CKPT_HASH_LEN); break;
		case 4: bad = parse_dec(v, vlen, 0, &c->time_ms); break;
		case 5: bad = unhex_lower(v, vlen, c->pk, CKPT_PK_LEN); break;
		default: bad = unhex_lower(v, vlen, c->sig, CKPT_SIG_LEN); break;
		}
		if (bad) {
			snprintf(err, errlen, "checkpoint line %zu: bad %s value", line + 1, names[line - 1]);
			return -1;
		}
	}
	if (pos != len) {
		snprintf(err, errlen, "checkpoint has extra bytes after the signature");
		return -1;
	}
	c->version = 1;
	return 0;
}

/* ---- the one-line form (outside copies) ---- */

size_t
ckpt_format_line(const struct ckpt *c, char *buf, size_t cap)
{
	char log[2 * CKPT_LOG_ID_LEN + 1], hash[2 * CKPT_HASH_LEN + 1], prev[2 * CKPT_HASH_LEN + 1];
	char next[2 * CKPT_PK_LEN + 1], note[2 * CKPT_HASH_LEN + 1], pk[2 * CKPT_PK_LEN + 1];
	char sig[2 * CKPT_SIG_LEN + 1];
	const char *kind = ckpt_kind_name(c->kind);
	int n;

	if (c->version != 2 || kind == NULL)
		return 0;
	ckpt_hex(c->log_id, CKPT_LOG_ID_LEN, log);
	ckpt_hex(c->hash, CKPT_HASH_LEN, hash);
	ckpt_hex(c->prev, CKPT_HASH_LEN, prev);
	ckpt_hex(c->next_key, CKPT_PK_LEN, next);
	ckpt_hex(c->note, CKPT_HASH_LEN, note);
	ckpt_hex(c->pk, CKPT_PK_LEN, pk);
	ckpt_hex(c->sig, CKPT_SIG_LEN, sig);
	n = snprintf(buf, cap, CKPT_LINE_MAGIC "log=%s n=%" PRId64 " epoch=%" PRId64 " kind=%s seq=%" PRId64
	    " hash=%s time_ms=%" PRId64 " prev_seq=%" PRId64 " prev=%s every_rows=%" PRId64
	    " every_ms=%" PRId64 " next_key=%s note=%s key=%s sig=%s", log, c->idx, c->epoch, kind,
	    c->seq, hash, c->time_ms, c->prev_seq, prev, c->every_rows, c->every_ms, next, note, pk, sig);
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

int
ckpt_parse_line(const char *buf, size_t len, struct ckpt *c, char *err, size_t errlen)
{
	/* name, then how to read the value: 'x' hex into a field, 'd' a
	 * decimal (with its minimum), 'k' the kind */
	static const struct { const char *name; char how; int64_t min; } fields[] = {
		{ "log", 'x', 0 }, { "n", 'd', 1 }, { "epoch", 'd', 1 }, { "kind", 'k', 0 },
		{ "seq", 'd', 0 }, { "hash", 'x', 0 }, { "time_ms", 'd', 0 }, { "prev_seq", 'd', 0 },
		{ "prev", 'x', 0 }, { "every_rows", 'd', 1 }, { "every_ms", 'd', 1 },
		{ "next_key", 'x', 0 }, { "note", 'x', 0 }, { "key", 'x', 0 }, { "sig", 'x', 0 },
	};
	size_t nf = sizeof fields / sizeof fields[0], pos = sizeof CKPT_LINE_MAGIC - 1;

	memset(c, 0, sizeof *c);
	if (len > CKPT_LINE_MAX) {
		snprintf(err, errlen, "checkpoint line longer than %d bytes", CKPT_LINE_MAX);
		return -1;
	}
	if (len < pos || memcmp(buf, CKPT_LINE_MAGIC, pos) != 0) {
		snprintf(err, errlen, "not a checkpoint line (it must start with '%s')", CKPT_LINE_MAGIC);
		return -1;
	}
	for (size_t f = 0; f < nf; f++) {
		const char *p = buf + pos, *end = memchr(p, ' ', len - pos);
		size_t klen = strlen(fields[f].name), n = end != NULL ? (size_t)(end - p) : len - pos, vlen;
		const char *v = p + klen + 1;
		int64_t d = 0;
		int bad = 0;

		if (pos >= len) {
			snprintf(err, errlen, "checkpoint line truncated before '%s='", fields[f].name);
			return -1;
		}
		if ((end == NULL) != (f == nf - 1)) {
			snprintf(err, errlen, end == NULL ? "checkpoint line truncated after '%s'"
			    : "checkpoint line has more after '%s'", fields[f].name);
			return -1;
		}
		if (n <= klen + 1 || memcmp(p, fields[f].name, klen) != 0 || p[klen] != '=') {
			snprintf(err, errlen, "checkpoint line: field %zu must be '%s='", f + 1, fields[f].name);
			return -1;
		}
		vlen = n - klen - 1;
		pos += n + 1;
		if (fields[f].how == 'd') {
			bad = parse_dec(v, vlen, fields[f].min, &d);
		} else if (fields[f].how == 'k') {
			c->kind = ckpt_kind_parse(v, vlen);
			bad = c->kind == 0 ? -1 : 0;
		} else {
			switch (f) {
			case 0: bad = unhex_lower(v, vlen, c->log_id, CKPT_LOG_ID_LEN); break;
			case 5: bad = unhex_lower(v, vlen, c->hash, CKPT_HASH_LEN); break;
			case 8: bad = unhex_lower(v, vlen, c->prev, CKPT_HASH_LEN); break;
			case 11: bad = unhex_lower(v, vlen, c->next_key, CKPT_PK_LEN); break;
			case 12: bad = unhex_lower(v, vlen, c->note, CKPT_HASH_LEN); break;
			case 13: bad = unhex_lower(v, vlen, c->pk, CKPT_PK_LEN); break;
			default: bad = unhex_lower(v, vlen, c->sig, CKPT_SIG_LEN); break;
			}
		}
		if (bad) {
			snprintf(err, errlen, "checkpoint line: bad %s value", fields[f].name);
			return -1;
		}
		switch (f) {
		case 1: c->idx = d; break;
		case 2: c->epoch = d; break;
		case 4: c->seq = d; break;
		case 6: c->time_ms = d; break;
		case 7: c->prev_seq = d; break;
		case 9: c->every_rows = d; break;
		case 10: c->every_ms = d; break;
		default: break;
		}
	}
	c->version = 2;
	return 0;
}

int
ckpt_read_file(const char *path, struct ckpt *c, char *err, size_t errlen)
{
	char buf[CKPT_FILE_MAX + 1], why[200];
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	n = read_small(fd, buf, CKPT_FILE_MAX);
	if (fd != 0)
		close(fd);
	if (n < 0) {
		snprintf(err, errlen, "%s: unreadable or longer than %d bytes", path, CKPT_FILE_MAX);
		return -1;
	}
	if ((size_t)n >= sizeof CKPT_LINE_MAGIC - 1 && memcmp(buf, CKPT_LINE_MAGIC, sizeof CKPT_LINE_MAGIC - 1) == 0) {
		/* one checkpoint line (what `audit checkpoint --export` writes
		 * without the signing key, or a line of an outside copy) */
		if (n > 0 && buf[n - 1] == '\n')
			n--;
		if (ckpt_parse_line(buf, (size_t)n, c, why, sizeof why) < 0) {
			snprintf(err, errlen, "%s: %s", path, why);
			return -1;
		}
		return 0;
	}
	if (ckpt_parse(buf, (size_t)n, c, why, sizeof why) < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		return -1;
	}
	return 0;
}
