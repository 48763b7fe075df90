/* auditseal.c -- the operator's steps on the audit log, run by the CLI
 * while no broker writes it: `audit reseal` records a break (what verify
 * found, who, why) and signs the start of a new epoch over the current head;
 * `audit rotate-key` hands the signing over to a new key with a checkpoint
 * the old key signs.  Both are checkpoints of the chain, copied out like
 * every other (docs/AUDIT.md "When the log does not verify", "Keys"). */
#include "broker/record/audit.h"
#include "broker/record/auditcopy.h"
#include "proto/paths.h"
#include "proto/wallclock.h"

#include <errno.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#define REASON_MAX 1000

static int
check_reason(const char *reason, char *msg, size_t msglen)
{
	size_t n = reason != NULL ? strlen(reason) : 0;

	if (n == 0) {
		snprintf(msg, msglen, "--reason is required: say why this break is accepted (it is recorded)");
		return -1;
	}
	if (n > REASON_MAX) {
		snprintf(msg, msglen, "--reason is longer than %d bytes", REASON_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)reason[i] < 0x20 || reason[i] == 0x7f) {
			snprintf(msg, msglen, "--reason must be one line without control characters");
			return -1;
		}
	return 0;
}

static int
load_key(bool create, uint8_t sk[CKPT_SK_LEN], char *msg, size_t msglen)
{
	char *dir = paths_config_dir();
	int rc;

	if (dir == NULL) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	rc = ckpt_key_load(dir, create, sk, msg, msglen);
	if (rc == 1)
		snprintf(msg, msglen, "there is no audit signing key (%s/audit.key)", dir);
	free(dir);
	return rc == 0 ? 0 : -1;
}

static void
rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

/* Verify under the write lock; -1 with msg on a read error. */
static int
verify_locked(sqlite3 *db, const struct audit_seal_opts *o, int64_t now, struct audit_verify_report *r,
    char *msg, size_t msglen)
{
	struct audit_verify_opts vo = {
		.trusted = o->trusted, .copies = o->copies, .ncopies = o->ncopies, .now_ms = now,
	};

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(msg, msglen, "cannot lock the database for writing: %s", sqlite3_errmsg(db));
		memset(r, 0, sizeof *r);
		return -1;
	}
	if (audit_verify_in(db, &vo, r) < 0) {
		snprintf(msg, msglen, "%s", r->what);
		rollback(db);
		return -1;
	}
	if (!r->chain) {
		snprintf(msg, msglen, "this log has no checkpoint chain yet: start a broker of this version on it once");
		rollback(db);
		return -1;
	}
	return 0;
}

static void
publish(const struct audit_seal_opts *o, const struct ckpt *c, char *msg, size_t msglen)
{
	struct auditcopy copy = { .path = (char *)o->copy_path, .syslog = o->syslog };
	char err[512];

	if (auditcopy_publish(&copy, c, err, sizeof err) < 0)
		snprintf(msg + strlen(msg), msglen - strlen(msg), "; WARNING: %s", err);
}

int
audit_reseal(sqlite3 *db, const struct audit_seal_opts *o, char *msg, size_t msglen)
{
	struct audit_verify_report r;
	uint8_t sk[CKPT_SK_LEN], note[AUDIT_HASH_LEN];
	struct ckpt c;
	sqlite3_stmt *st;
	int64_t now = wall_clock_ms(), uid = (int64_t)getuid();
	char id[17];
	int rc;

	if (check_reason(o->reason, msg, msglen) < 0 || load_key(true, sk, msg, msglen) < 0)
		return -1;
	if (verify_locked(db, o, now, &r, msg, msglen) < 0) {
		sodium_memzero(sk, sizeof sk);
		audit_verify_free(&r);
		return -1;
	}
	if (r.ok) {
		snprintf(msg, msglen, "the audit log verifies: there is no break to record");
		rc = 1;
		goto done;
	}
	if (r.global_fail || r.unaccepted == NULL) {
		snprintf(msg, msglen, "a new epoch would not end this, so nothing was recorded: %s",
		    r.failures != NULL ? r.failures : r.what);
		rc = -1;
		goto done;
	}
	audit_note_digest(r.last.epoch + 1, now, uid, o->reason, r.unaccepted, note);
	if (sqlite3_prepare_v2(db, "INSERT INTO audit_notes (epoch, made_ms, uid, reason, problems)"
	        " VALUES (?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK) {
		snprintf(msg, msglen, "cannot record the break: %s", sqlite3_errmsg(db));
		rc = -1;
		goto done;
	}
	sqlite3_bind_int64(st, 1, r.last.epoch + 1);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, uid);
	sqlite3_bind_text(st, 4, o->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r.unaccepted, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	/* the new epoch follows the newest checkpoint known anywhere (a copy
	 * may hold ones the database lost) and begins at the current head */
	audit_next_checkpoint(r.log_id, &r.newest, r.last_seq, r.head, now, CK_START, o->every_rows,
	    o->every_ms, &c);
	c.epoch = r.last.epoch + 1;
	memcpy(c.note, note, sizeof note);
	ckpt_sign(&c, sk);
	if (rc != SQLITE_DONE || (rc = audit_store_checkpoint(db, NULL, &c)) != SQLITE_OK ||
	    (rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK) {
		snprintf(msg, msglen, "cannot record the break: %s", sqlite3_errmsg(db));
		rc = -1;
		goto done;
	}
	snprintf(msg, msglen, "recorded the break and began epoch %lld with checkpoint #%lld over row %lld "
	    "(key %s); what it accepts:\n%s", (long long)c.epoch, (long long)c.idx, (long long)c.seq,
	    audit_keyid(c.pk, id), r.unaccepted);
	if (o->syslog)
		auditcopy_syslog(LOG_WARNING, "audit: uid %lld recorded a break and began epoch %lld (checkpoint #%lld "
		    "over row %lld): %s -- it accepts: %.900s", (long long)uid, (long long)c.epoch, (long long)c.idx,
		    (long long)c.seq, o->reason, r.unaccepted);
	publish(o, &c, msg, msglen);
	rc = 0;
done:
	rollback(db);
	sodium_memzero(sk, sizeof sk);
	audit_verify_free(&r);
	return rc;
}

int
audit_rotate_key(sqlite3 *db, const struct audit_seal_opts *o, char *msg, size_t msglen)
{
	struct audit_verify_report r;
	uint8_t sk[CKPT_SK_LEN], seed[32], npk[CKPT_PK_LEN], nsk[CKPT_SK_LEN];
	char *dir = NULL, *keyp = NULL, *newp = NULL, id1[17], id2[17];
	int64_t now = wall_clock_ms();
	struct ckpt c;
	int rc = -1;

	if (load_key(false, sk, msg, msglen) < 0)
		return -1;
	if (verify_locked(db, o, now, &r, msg, msglen) < 0) {
		sodium_memzero(sk, sizeof sk);
		audit_verify_free(&r);
		return -1;
	}
	if (!r.ok) {
		snprintf(msg, msglen, "refusing to hand the signing over on a log that does not verify: %s", r.what);
		goto done;
	}
	if (!r.have_last || memcmp(r.last.pk, sk + 32, CKPT_PK_LEN) != 0) {
		snprintf(msg, msglen, "audit.key (key %s) is not the key that signed the newest checkpoint (#%lld, "
		    "key %s): it cannot hand over what it does not hold", audit_keyid(sk + 32, id1),
		    (long long)r.last.idx, audit_keyid(r.last.pk, id2));
		goto done;
	}
	if ((dir = paths_config_dir()) == NULL || (keyp = paths_join(dir, "audit.key")) == NULL ||
	    (newp = paths_join(dir, "audit.key.new")) == NULL) {
		snprintf(msg, msglen, "out of memory");
		goto done;
	}
	randombytes_buf(seed, sizeof seed);
	crypto_sign_seed_keypair(npk, nsk, seed);
	unlink(newp); /* ours, from a rotation that did not finish */
	if (ckpt_key_write(newp, seed, msg, msglen) < 0)
		goto done;
	audit_next_checkpoint(r.log_id, &r.last, r.last_seq, r.head, now, CK_ROTATE, o->every_rows, o->every_ms, &c);
	memcpy(c.next_key, npk, sizeof npk);
	ckpt_sign(&c, sk);
	if (audit_store_checkpoint(db, NULL, &c) != SQLITE_OK || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(msg, msglen, "cannot record the handover: %s", sqlite3_errmsg(db));
		unlink(newp);
		goto done;
	}
	/* recorded: now make the new key the one in use */
	if (ckpt_pub_append(dir, npk, msg, msglen) < 0)
		goto done;
	if (rename(newp, keyp) < 0) {
		snprintf(msg, msglen, "the handover is recorded but %s could not replace %s: %s (the old key "
		    "keeps signing; run rotate-key again)", newp, keyp, strerror(errno));
		goto done;
	}
	snprintf(msg, msglen, "key %s handed the signing over to key %s (checkpoint #%lld, row %lld); audit.pub "
	    "lists both, audit.key is the new one", audit_keyid(sk + 32, id1), audit_keyid(npk, id2),
	    (long long)c.idx, (long long)c.seq);
	if (o->syslog)
		auditcopy_syslog(LOG_NOTICE, "audit: key %s handed the signing over to key %s (checkpoint #%lld)",
		    id1, id2, (long long)c.idx);
	publish(o, &c, msg, msglen);
	rc = 0;
done:
	rollback(db);
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(nsk, sizeof nsk);
	sodium_memzero(seed, sizeof seed);
	audit_verify_free(&r);
	free(dir);
	free(keyp);
	free(newp);
	return rc;
}
