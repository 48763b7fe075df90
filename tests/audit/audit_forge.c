/* audit_forge.c -- the attacker's tools for the audit rewrite tests
 * (tests/security/audit_rewrite.sh): what someone with write access to the
 * database, and perhaps the signing key, would run after editing rows.
 *
 *   audit_forge rechain DB [FROM]  drop the triggers and recompute prev_hash
 *                                  and hash of every row from FROM (default:
 *                                  the first) with the documented row hash,
 *                                  so the edited rows chain again
 *   audit_forge resign DB KEYFILE  sign every chain checkpoint again with the
 *                                  key in KEYFILE (audit.key form): each
 *                                  takes its row's current hash and links to
 *                                  the re-signed one before it
 *
 * It uses sandgate's own row hash and checkpoint code: the format is
 * public, so an attacker has it too. */
#include "broker/record/audit.h"
#include "broker/record/checkpoint.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "audit_forge: %s: %s\n", what, db != NULL ? sqlite3_errmsg(db) : "");
	return 1;
}

static int
rechain(sqlite3 *db, int64_t from)
{
	sqlite3_stmt *st, *up;
	uint8_t prev[AUDIT_HASH_LEN] = { 0 };
	char sql[2048];
	int64_t n = 0;
	bool first = true;

	if (sqlite3_exec(db, "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_prune_only;"
	        "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return die(db, "drop triggers");
	snprintf(sql, sizeof sql, "%s WHERE seq >= ? ORDER BY seq", audit_select_sql);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?", -1, &up, NULL) != SQLITE_OK)
		return die(db, "prepare");
	sqlite3_bind_int64(st, 1, from);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct audit_value v[AF_COUNT];
		uint8_t h[AUDIT_HASH_LEN];
		int64_t seq = sqlite3_column_int64(st, 0);

		if (first && sqlite3_column_bytes(st, AF_COUNT) == AUDIT_HASH_LEN)
			memcpy(prev, sqlite3_column_blob(st, AF_COUNT), sizeof prev); /* keep the link into FROM */
		if (first && seq == 1)
			memset(prev, 0, sizeof prev);
		first = false;
		audit_values_from_stmt(st, v);
		audit_row_hash(prev, v, h);
		sqlite3_bind_blob(up, 1, prev, sizeof prev, SQLITE_TRANSIENT);
		sqlite3_bind_blob(up, 2, h, sizeof h, SQLITE_TRANSIENT);
		sqlite3_bind_int64(up, 3, seq);
		if (sqlite3_step(up) != SQLITE_DONE)
			return die(db, "update");
		sqlite3_reset(up);
		memcpy(prev, h, sizeof prev);
		n++;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return die(db, "commit");
	printf("re-chained %lld rows\n", (long long)n);
	return 0;
}

static int
resign(sqlite3 *db, const char *keyfile)
{
	FILE *f = fopen(keyfile, "r");
	char text[256];
	size_t tn;
	uint8_t seed[32], pk[32], sk[64], prevd[32] = { 0 }, logid[16];
	struct ckpt last = { 0 };
	sqlite3_stmt *st, *up, *row;
	int64_t n = 0;

	if (f == NULL)
		return die(NULL, keyfile);
	tn = fread(text, 1, sizeof text, f);
	fclose(f);
	if (ckpt_parse_key_text(text, tn, seed) < 0)
		return die(NULL, "not a key file");
	crypto_sign_seed_keypair(pk, sk, seed);
	if (sqlite3_prepare_v2(db, "SELECT log_id FROM audit_meta", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		return die(db, "log id");
	memcpy(logid, sqlite3_column_blob(st, 0), 16);
	sqlite3_finalize(st);
	if (sqlite3_exec(db, "DROP TRIGGER IF EXISTS audit_checkpoints_no_update; BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT id, seq, hash, made_ms, idx, epoch, kind, every_rows, every_ms, note"
	        " FROM audit_checkpoints WHERE version = 2 ORDER BY idx", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT hash FROM audit WHERE seq = ?", -1, &row, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "UPDATE audit_checkpoints SET hash = ?, public_key = ?, signature = ?, prev = ?,"
	        " prev_seq = ?, next_key = NULL WHERE id = ?", -1, &up, NULL) != SQLITE_OK)
		return die(db, "prepare");
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct ckpt c = { .version = 2 };
		const char *kind = (const char *)sqlite3_column_text(st, 6);

		memcpy(c.log_id, logid, 16);
		c.seq = sqlite3_column_int64(st, 1);
		memcpy(c.hash, sqlite3_column_blob(st, 2), 32);
		c.time_ms = sqlite3_column_int64(st, 3);
		c.idx = sqlite3_column_int64(st, 4);
		c.epoch = sqlite3_column_int64(st, 5);
		c.kind = ckpt_kind_parse(kind, strlen(kind));
		c.every_rows = sqlite3_column_int64(st, 7);
		c.every_ms = sqlite3_column_int64(st, 8);
		if (sqlite3_column_bytes(st, 9) == 32)
			memcpy(c.note, sqlite3_column_blob(st, 9), 32);
		sqlite3_bind_int64(row, 1, c.seq);
		if (sqlite3_step(row) == SQLITE_ROW && sqlite3_column_bytes(row, 0) == 32)
			memcpy(c.hash, sqlite3_column_blob(row, 0), 32);
		sqlite3_reset(row);
		if (last.version == 2) {
			memcpy(c.prev, prevd, 32);
			c.prev_seq = last.seq;
		}
		if (c.kind == CK_KEY_CHANGED || c.kind == CK_ROTATE)
			c.kind = CK_ROWS; /* one key all along: nothing to explain */
		ckpt_sign(&c, sk);
		sqlite3_bind_blob(up, 1, c.hash, 32, SQLITE_TRANSIENT);
		sqlite3_bind_blob(up, 2, c.pk, 32, SQLITE_TRANSIENT);
		sqlite3_bind_blob(up, 3, c.sig, 64, SQLITE_TRANSIENT);
		sqlite3_bind_blob(up, 4, c.prev, 32, SQLITE_TRANSIENT);
		sqlite3_bind_int64(up, 5, c.prev_seq);
		sqlite3_bind_int64(up, 6, sqlite3_column_int64(st, 0));
		if (sqlite3_step(up) != SQLITE_DONE)
			return die(db, "update");
		sqlite3_reset(up);
		ckpt_digest(&c, prevd);
		last = c;
		n++;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(row);
	sqlite3_finalize(up);
	if (sqlite3_exec(db, "UPDATE audit_checkpoints SET kind = 'rows' WHERE kind IN ('key-changed', 'rotate');"
	        "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return die(db, "commit");
	printf("re-signed %lld checkpoints\n", (long long)n);
	return 0;
}

int
main(int argc, char **argv)
{
	sqlite3 *db;
	int rc;

	if (sodium_init() < 0 || argc < 3 || (strcmp(argv[1], "rechain") != 0 && strcmp(argv[1], "resign") != 0) ||
	    (strcmp(argv[1], "resign") == 0 && argc != 4)) {
		fprintf(stderr, "usage: audit_forge rechain DB [FROM] | resign DB KEYFILE\n");
		return 2;
	}
	if (sqlite3_open_v2(argv[2], &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		return die(db, argv[2]);
	sqlite3_busy_timeout(db, 5000);
	if (strcmp(argv[1], "rechain") == 0)
		rc = rechain(db, argc > 3 ? strtoll(argv[3], NULL, 10) : 1);
	else
		rc = resign(db, argv[3]);
	sqlite3_close(db);
	return rc;
}
