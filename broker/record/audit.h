/* audit.h -- the tamper-evident audit log (docs/AUDIT.md).
 *
 * One row per decision in the append-only `audit` table, written by the
 * store's worker thread before the answer is sent; the row is the record of
 * the decision and of the request it decided (`decisions` is a view of
 * it).  Each row's hash covers a canonical encoding of the row and the previous row's hash (BLAKE2b-256);
 * every N rows or T minutes a checkpoint (seq, hash) is signed with Ed25519.
 * Retention deletes rows only up to a checkpoint, through a gate the
 * table's triggers check, so what remains still verifies.
 *
 * Worker side (audit_chain): single writer; keeps the chain head in memory,
 * loaded at open.  Reader side (audit_verify): any read-only connection,
 * also while a broker writes (WAL). */
#ifndef SG_AUDIT_H
#define SG_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker/record/checkpoint.h"
#include "broker/record/store.h"

struct sqlite3;
struct sqlite3_stmt;
struct msgpack_object;

#define AUDIT_HASH_LEN 32
/* A string or binary value in a request larger than this is stored in the
 * audit row as its SHA-256 and size (the requests table keeps it whole:
 * store.c writes a requests row for every such request). */
#define AUDIT_VALUE_CAP (64 * 1024)
/* The msgpack ext type that stands for an elided value: 8-byte big-endian
 * size followed by the 32-byte SHA-256 of the value's bytes. */
#define AUDIT_ELIDED_EXT 83

/* The hashed fields, in canonical order (docs/AUDIT.md lists them). */
enum audit_field {
	AF_SEQ, AF_RECORDED_MS, AF_MONO_NS, AF_DECIDED_MS, AF_REQUEST_ID, AF_REQ_ID,
	AF_AGENT, AF_SESSION, AF_PEER_PID, AF_PEER_UID, AF_PEER_GID, AF_KIND, AF_CWD,
	AF_WORKSPACE, AF_SUMMARY, AF_REQUEST, AF_REQUEST_SIZE, AF_REQUEST_SHA256,
	AF_INTENT, AF_RISK_SCORE, AF_RISK_LEVEL, AF_RISK_REASONS, AF_SHOWN_SHA256,
	AF_DECISION, AF_DECIDED_BY, AF_RULE_ID, AF_REVIEWER_UID, AF_REVIEWER_PID,
	AF_REVIEWER_NAME, AF_APPROVERS, AF_ESCALATION_LEVEL, AF_NOTE,
	AF_COUNT
};

/* Column name and type ('i' integer, 't' text, 'b' blob) of each field. */
struct audit_field_info {
	const char *name;
	char type;
};
extern const struct audit_field_info audit_fields[AF_COUNT];

enum audit_vtype { AV_NULL, AV_INT, AV_TEXT, AV_BLOB };

struct audit_value {
	enum audit_vtype type;
	int64_t i;
	const void *p;
	size_t n;
};

/* The schema migration (store.c applies it as "0003-audit"). */
extern const char audit_schema_sql[];
/* Migration "0004-fastpath", before the decisions table goes: write audit
 * rows for decisions recorded before the audit table existed, then check
 * that every decision has one.  Inside the caller's transaction; 0, or -1
 * with a one-line reason in err. */
int audit_migrate_legacy(struct sqlite3 *db, const struct store_opts *opts, char *err, size_t errlen);
/* "SELECT <every field>, prev_hash, hash FROM audit" for readers. */
extern const char audit_select_sql[];

/* hash = BLAKE2b-256("sandgate-audit-v1" || prev || encode(v[0..AF_COUNT))). */
void audit_row_hash(const uint8_t prev[AUDIT_HASH_LEN], const struct audit_value v[AF_COUNT],
    uint8_t out[AUDIT_HASH_LEN]);
/* Read the fields of the current row of a statement made from
 * audit_select_sql (column i = field i). */
void audit_values_from_stmt(struct sqlite3_stmt *st, struct audit_value v[AF_COUNT]);

/* ---- worker side ---- */

typedef struct audit_chain audit_chain;

/* What audit_open needs besides the database (from the config, through
 * store_opts). */
struct audit_open_opts {
	const char *db_path;      /* for the default checkpoint file next to it */
	const char *copy_setting; /* audit_checkpoint_file: NULL or "" default, "none" */
	bool syslog;              /* audit_syslog */
	bool fsync;               /* durability = fsync: fdatasync the checkpoint file too */
	int checkpoint_rows;      /* 0: the default */
	int64_t checkpoint_ms;
};

/* Load the chain head, last checkpoint and signing key (generated in the
 * config dir on first use) for db, whose schema is migrated; then the
 * start-up check: the chain must verify against its newest checkpoint and
 * the outside checkpoint file (audit_verify quick), else NULL with the
 * reason (and what an operator can do) in err.  A signing key other than
 * the one the chain expects is recorded (a key-changed checkpoint) and
 * reported loudly (audit_alert); rows a crashed broker left unsigned are
 * signed (a resume checkpoint). */
audit_chain *audit_open(struct sqlite3 *db, const struct audit_open_opts *o, char *err, size_t errlen);
void audit_close(audit_chain *a);
/* An alert for the consoles found at open (code and message), or NULL. */
const char *audit_alert(audit_chain *a, const char **code);
/* Migration "0006-audit-chain": add the chain's columns and audit_notes,
 * verify the log as it is, and sign the chain's first checkpoint over its
 * head (promising opts' cadence), inside the caller's transaction.  0 or -1
 * with err. */
int audit_migrate_chain(struct sqlite3 *db, const struct store_opts *opts, char *err, size_t errlen);
extern const char audit_chain_schema_sql[];

struct audit_policy {
	int checkpoint_rows;      /* sign a checkpoint after this many rows */
	int64_t checkpoint_ms;    /* ... or this long after the last one */
	int64_t retention_ms;     /* prune rows older than this (0: keep all) */
};
void audit_set_policy(audit_chain *a, const struct audit_policy *p);

/* Transaction bracket: the in-memory head follows commits only. */
void audit_begin(audit_chain *a);
void audit_commit(audit_chain *a);
void audit_rollback(audit_chain *a);

/* Append the audit row for decision d and its request (d->request) inside
 * the open transaction; *seq gets the row's sequence
 * number.  Signs a checkpoint when N rows have passed.  Returns an SQLite
 * result code (SQLITE_OK on success). */
int audit_append(audit_chain *a, const struct store_decision_row *d, int64_t *seq);
/* Wall-clock ms when audit_maintain has work (a timed checkpoint, a
 * retention check), or INT64_MAX. */
int64_t audit_due_ms(audit_chain *a, int64_t now_ms);
/* Timed checkpoint and retention, inside the open transaction (force: sign
 * a checkpoint now if any row is unsigned).  Returns an SQLite result code. */
int audit_maintain(audit_chain *a, int64_t now_ms, bool force);
/* Highest sequence number committed. */
int64_t audit_head_seq(audit_chain *a);

/* Fill c as the chain checkpoint that follows last (NULL or version 0: the
 * first of the chain) over row seq with the given hash: idx and prev from
 * last, its epoch (+1 for CK_START), the cadence promised.  Unsigned. */
void audit_next_checkpoint(const uint8_t log_id[CKPT_LOG_ID_LEN], const struct ckpt *last, int64_t seq,
    const uint8_t hash[AUDIT_HASH_LEN], int64_t now, int kind, int64_t every_rows, int64_t every_ms,
    struct ckpt *c);
/* Insert a signed version 2 checkpoint row inside the caller's transaction
 * (cached: a statement to reuse, or NULL).  An SQLite result code. */
int audit_store_checkpoint(struct sqlite3 *db, struct sqlite3_stmt **cached, const struct ckpt *c);

/* ---- reader side (auditverify.c) ---- */

struct copy_src;

struct audit_verify_opts {
	const struct ckpt_keyring *trusted; /* NULL or empty: no trust anchor */
	const struct ckpt *extra;           /* an exported version 1 checkpoint, or NULL */
	const struct copy_src *copies;      /* outside copies of the checkpoints to compare */
	size_t ncopies;
	bool quick;       /* the broker's start-up check: the chain, the newest epoch's
	                   * checkpoints and unsigned tail, the copies; no old rows */
	int64_t now_ms;   /* the time the tail's age is measured at; 0: now */
};

struct audit_verify_report {
	bool ok;
	int64_t rows, first_seq, last_seq, checkpoints, pruned_upto;
	int64_t pruned_ms;                  /* last prune's time, 0 if none */
	int64_t bad_seq;                    /* the first bad row, 0 if none or n/a */
	char what[1024];                    /* the first failure, one line */
	char note[512];                     /* a warning that does not fail */
	uint8_t log_id[CKPT_LOG_ID_LEN];
	uint8_t head[AUDIT_HASH_LEN];       /* hash of last_seq (or of the prune point) */
	/* the checkpoint chain (docs/AUDIT.md) */
	bool chain;                         /* the log has one (schema 0006-audit-chain) */
	int64_t epochs;                     /* epochs in it */
	int64_t chain_len;                  /* version 2 checkpoints in the database */
	bool have_last;
	struct ckpt last;                   /* the newest of them */
	bool have_newest;
	struct ckpt newest;                 /* the newest checkpoint known (database or copies) */
	int64_t copy_checked;               /* checkpoints of outside copies that matched */
	bool global_fail;                   /* a failure no recorded break can accept */
	char key_warning[400];              /* quick: an unaccepted key change in the newest epoch */
	char *failures;                     /* every failure, one per line; NULL if none */
	char *unaccepted;                   /* "epoch N: problems" lines a reseal would record */
	char *notes;                        /* recorded breaks, cadence changes, copies: one per line */
	char *keys;                         /* the signing keys, one line each, oldest first */
};

/* Check the whole log in one read transaction: every row's hash and link,
 * no gaps, the checkpoint chain (signatures, links, epochs, cadence, keys),
 * each checkpoint's hash, the tail, the outside copies and opts->extra, and
 * that every decision has its row; problems of an epoch closed by a recorded
 * break are notes when they are the ones recorded.  With opts->quick, only
 * what the broker needs before it signs again.  Returns 0 when it could
 * read the log (r->ok says if it verified), -1 with r->what on a read
 * error.  audit_verify_free releases r's lists either way. */
int audit_verify(struct sqlite3 *db, const struct audit_verify_opts *opts,
    struct audit_verify_report *r);
/* The same inside a transaction the caller holds. */
int audit_verify_in(struct sqlite3 *db, const struct audit_verify_opts *opts,
    struct audit_verify_report *r);
void audit_verify_free(struct audit_verify_report *r);
/* The first 16 hex digits of a public key (how messages name keys). */
const char *audit_keyid(const uint8_t pk[CKPT_PK_LEN], char buf[17]);

/* The digest a break record (an audit_notes row) is signed by. */
void audit_note_digest(int64_t epoch, int64_t made_ms, int64_t uid, const char *reason,
    const char *problems, uint8_t out[AUDIT_HASH_LEN]);

/* ---- operator steps (auditseal.c; the broker must be stopped) ---- */

struct audit_seal_opts {
	const char *reason;                 /* why (one line); required */
	const struct copy_src *copies;      /* the outside copies to check against */
	size_t ncopies;
	const struct ckpt_keyring *trusted;
	const char *copy_path;              /* the checkpoint file to append to, or NULL */
	bool syslog;
	int64_t every_rows, every_ms;       /* the cadence to promise */
};

/* `sandgate audit reseal`: verify the log; if it fails only in ways a new
 * epoch can end, record the problems and the reason in audit_notes and sign
 * the start of a new epoch over the current head (with audit.key, created
 * if missing), in one transaction on db (opened read-write).  Returns 0
 * (msg says what was recorded), 1 when there is nothing to record (msg
 * says why), -1 with the reason in msg. */
int audit_reseal(struct sqlite3 *db, const struct audit_seal_opts *o, char *msg, size_t msglen);
/* `sandgate audit rotate-key`: verify the log, then with the old key sign a
 * handover to a new key (kind rotate, next_key), and make the new key
 * audit.key (the old one's public half stays in audit.pub).  0 with msg, or
 * -1 with the reason in msg. */
int audit_rotate_key(struct sqlite3 *db, const struct audit_seal_opts *o, char *msg, size_t msglen);

/* Parse the optional `shown_sha256` of decide params (64 hex digits) into
 * out (lower case, NUL-terminated; "" when absent).  0 or -1 if malformed. */
int audit_shown_param(const struct msgpack_object *params_map, char out[65]);

#endif
