/* checkpoint.h -- signed checkpoints of the audit chain, the Ed25519 key that
 * signs them, and the text forms a checkpoint is exported in.
 *
 * A checkpoint says "row seq of audit log log_id has hash H", signed at
 * time_ms.  Version 2 checkpoints also form a chain of their own: each
 * names its place in that chain (idx, epoch), the previous checkpoint
 * (prev_seq and the digest of its signed message), the cadence the broker
 * promises until the next one (every_rows, every_ms), and what it is
 * (kind).  Version 1 checkpoints (before the chain) have none of that.  The
 * signed messages, the 7-line checkpoint file and the one-line form written
 * to the outside copies (checkpoint file, syslog) are documented in
 * docs/AUDIT.md so an auditor can check them without sandgate.
 *
 * Keys live in the config dir: audit.key (the secret seed, mode 0600, owned
 * by us; looser permissions are refused) and audit.pub (one trusted public
 * key per line; a new key is appended, so old checkpoints still verify). */
#ifndef SG_CHECKPOINT_H
#define SG_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CKPT_LOG_ID_LEN 16
#define CKPT_HASH_LEN 32
#define CKPT_PK_LEN 32
#define CKPT_SK_LEN 64
#define CKPT_SIG_LEN 64
/* Longest checkpoint file we accept (a real one is about 400 bytes). */
#define CKPT_FILE_MAX 1024
/* Longest checkpoint line (a real one is about 620 bytes). */
#define CKPT_LINE_MAX 1024
/* What every checkpoint line starts with (it may follow a syslog prefix). */
#define CKPT_LINE_MAGIC "sandgate-ckpt v2 "
/* Most trusted keys read from audit.pub. */
#define CKPT_MAX_KEYS 64

/* What a version 2 checkpoint is (signed as one byte). */
enum ckpt_kind {
	CK_START = 1,       /* the first checkpoint of an epoch (a new log, an upgrade, a recorded break) */
	CK_ROWS = 2,        /* every_rows rows passed */
	CK_TIME = 3,        /* every_ms passed with rows unsigned */
	CK_STOP = 4,        /* the broker stopped cleanly */
	CK_RESUME = 5,      /* a starting broker signs rows its predecessor left unsigned (a crash) */
	CK_KEY_CHANGED = 6, /* the first one signed by a key nothing handed over to */
	CK_ROTATE = 7,      /* signed by the old key; next_key is the new one */
	CK_KIND_END
};

struct ckpt {
	uint8_t log_id[CKPT_LOG_ID_LEN];
	int64_t seq;                  /* last row covered */
	uint8_t hash[CKPT_HASH_LEN];  /* that row's hash */
	int64_t time_ms;              /* when it was signed (wall clock) */
	uint8_t pk[CKPT_PK_LEN];      /* the signer's public key */
	uint8_t sig[CKPT_SIG_LEN];
	/* version 2 only (zero in version 1) */
	int version;                  /* 1 or 2 */
	int kind;                     /* enum ckpt_kind */
	int64_t idx;                  /* 1, 2, 3, ... over the whole log */
	int64_t epoch;                /* 1, then +1 at each recorded break */
	int64_t prev_seq;             /* the previous checkpoint's seq (0 for idx 1) */
	uint8_t prev[CKPT_HASH_LEN];  /* its digest (zero for idx 1) */
	int64_t every_rows;           /* the cadence promised until the next checkpoint */
	int64_t every_ms;
	uint8_t next_key[CKPT_PK_LEN];/* CK_ROTATE: the key that signs from now on, else zero */
	uint8_t note[CKPT_HASH_LEN];  /* CK_START after a break: digest of its audit_notes row, else zero */
};

struct ckpt_keyring {
	uint8_t pk[CKPT_MAX_KEYS][CKPT_PK_LEN];
	size_t n;
};

/* Load the signing key from dir/audit.key; with create, generate it (and
 * append its public half to dir/audit.pub) when the file does not exist.
 * Refuses a key file that is not a regular file owned by us with mode 0600
 * or stricter.  0 on success, 1 when it does not exist (and !create), -1 with
 * a one-line reason in err. */
int ckpt_key_load(const char *dir, bool create, uint8_t sk[CKPT_SK_LEN], char *err, size_t errlen);
/* Write a new key file at path (O_EXCL, mode 0600) holding seed.  0 or -1. */
int ckpt_key_write(const char *path, const uint8_t seed[32], char *err, size_t errlen);
/* Append a public key to dir/audit.pub.  0 or -1. */
int ckpt_pub_append(const char *dir, const uint8_t pk[CKPT_PK_LEN], char *err, size_t errlen);
/* Read the trusted public keys from dir/audit.pub into ring (empty if the
 * file does not exist).  0, or -1 with err on a malformed file. */
int ckpt_keyring_load(const char *dir, struct ckpt_keyring *ring, char *err, size_t errlen);
/* The same for one file of public keys; 1 if it does not exist. */
int ckpt_keyring_load_file(const char *path, struct ckpt_keyring *ring, char *err, size_t errlen);
bool ckpt_keyring_has(const struct ckpt_keyring *ring, const uint8_t pk[CKPT_PK_LEN]);

/* Parse the text of audit.key / one audit.pub line (exposed for tests and
 * the fuzz target).  0 or -1. */
int ckpt_parse_key_text(const char *buf, size_t len, uint8_t seed[32]);
int ckpt_parse_pub_line(const char *buf, size_t len, uint8_t pk[CKPT_PK_LEN]);

/* Sign c (every field but pk and sig set; version 0 counts as 1) with sk:
 * fills pk and sig. */
void ckpt_sign(struct ckpt *c, const uint8_t sk[CKPT_SK_LEN]);
/* True if c's signature is valid for c's own public key. */
bool ckpt_check(const struct ckpt *c);
/* The digest of a version 2 checkpoint: BLAKE2b-256 of its signed message
 * (what the next checkpoint's prev holds). */
void ckpt_digest(const struct ckpt *c, uint8_t out[CKPT_HASH_LEN]);
/* "start", "rows", ... for a kind; NULL if unknown.  And back: 0 if unknown. */
const char *ckpt_kind_name(int kind);
int ckpt_kind_parse(const char *s, size_t n);
/* True if all n bytes are zero. */
bool ckpt_zero(const uint8_t *p, size_t n);

/* The one-line form of a version 2 checkpoint (no newline) into buf;
 * returns the length, or 0 if cap is too small or c is not version 2. */
size_t ckpt_format_line(const struct ckpt *c, char *buf, size_t cap);
/* Parse one line (len bytes, without its newline) that starts with
 * CKPT_LINE_MAGIC.  Strict: the fields in order, one space apart, lower-case
 * hex, canonical decimals, a known kind, nothing after the signature.  Does
 * not check the signature.  0, or -1 with a one-line reason in err. */
int ckpt_parse_line(const char *buf, size_t len, struct ckpt *c, char *err, size_t errlen);

/* Write c as the checkpoint file text into buf (NUL-terminated); returns
 * the length, or 0 if cap is too small. */
size_t ckpt_format(const struct ckpt *c, char *buf, size_t cap);
/* Parse checkpoint file text (len bytes, not NUL-terminated).  Strict: the
 * exact lines in order, lower-case hex, no extra bytes.  Does not check the
 * signature.  0, or -1 with a one-line reason in err. */
int ckpt_parse(const char *buf, size_t len, struct ckpt *c, char *err, size_t errlen);
/* Read and parse a checkpoint file ("-" is stdin).  0 or -1 with err. */
int ckpt_read_file(const char *path, struct ckpt *c, char *err, size_t errlen);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void ckpt_hex(const uint8_t *p, size_t n, char *out);
/* Decode exactly 2n lower- or upper-case hex digits; 0 or -1. */
int ckpt_unhex(const char *s, size_t slen, uint8_t *out, size_t n);

#endif
