/* checkpoint.h -- signed checkpoints of the audit chain, the Ed25519 key that
 * signs them, and the text file a checkpoint is exported to.
 *
 * A checkpoint says "row seq of audit log log_id has hash H", signed at
 * time_ms.  The signed message and the file format are documented in
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
/* Most trusted keys read from audit.pub. */
#define CKPT_MAX_KEYS 64

struct ckpt {
	uint8_t log_id[CKPT_LOG_ID_LEN];
	int64_t seq;                  /* last row covered */
	uint8_t hash[CKPT_HASH_LEN];  /* that row's hash */
	int64_t time_ms;              /* when it was signed (wall clock) */
	uint8_t pk[CKPT_PK_LEN];      /* the signer's public key */
	uint8_t sig[CKPT_SIG_LEN];
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

/* Sign c (log_id, seq, hash, time_ms set) with sk: fills pk and sig. */
void ckpt_sign(struct ckpt *c, const uint8_t sk[CKPT_SK_LEN]);
/* True if c's signature is valid for c's own public key. */
bool ckpt_check(const struct ckpt *c);

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
