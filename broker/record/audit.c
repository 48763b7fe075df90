/* audit.c -- the tamper-evident audit log: schema, canonical row encoding,
 * the hash chain kept by the store's worker, checkpoints, retention, and
 * verification.  docs/AUDIT.md is the specification this file implements. */
#include "broker/record/audit.h"
#include "proto/wallclock.h"
#include "broker/record/auditcopy.h"
#include "proto/log.h"
#include "proto/paths.h"
#include "proto/rpc.h"
#include "proto/strbuf.h"

#include <msgpack.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define HASH_DOMAIN "sandgate-audit-v1"
/* Rows deleted by one retention step at most (keeps transactions short). */
#define PRUNE_STEP_ROWS 100000
#define JSON_MAX_DEPTH 32

const struct audit_field_info audit_fields[AF_COUNT] = {
	[AF_SEQ] = { "seq", 'i' },
	[AF_RECORDED_MS] = { "recorded_ms", 'i' },
	[AF_MONO_NS] = { "mono_ns", 'i' },
	[AF_DECIDED_MS] = { "decided_ms", 'i' },
	[AF_REQUEST_ID] = { "request_id", 'i' },
	[AF_REQ_ID] = { "req_id", 't' },
	[AF_AGENT] = { "agent", 't' },
	[AF_SESSION] = { "session", 't' },
	[AF_PEER_PID] = { "peer_pid", 'i' },
	[AF_PEER_UID] = { "peer_uid", 'i' },
	[AF_PEER_GID] = { "peer_gid", 'i' },
	[AF_KIND] = { "kind", 't' },
	[AF_CWD] = { "cwd", 't' },
	[AF_WORKSPACE] = { "workspace", 't' },
	[AF_SUMMARY] = { "summary", 't' },
	[AF_REQUEST] = { "request", 'b' },
	[AF_REQUEST_SIZE] = { "request_size", 'i' },
	[AF_REQUEST_SHA256] = { "request_sha256", 't' },
	[AF_INTENT] = { "intent", 't' },
	[AF_RISK_SCORE] = { "risk_score", 'i' },
	[AF_RISK_LEVEL] = { "risk_level", 't' },
	[AF_RISK_REASONS] = { "risk_reasons", 't' },
	[AF_SHOWN_SHA256] = { "shown_sha256", 't' },
	[AF_DECISION] = { "decision", 't' },
	[AF_DECIDED_BY] = { "decided_by", 't' },
	[AF_RULE_ID] = { "rule_id", 'i' },
	[AF_REVIEWER_UID] = { "reviewer_uid", 'i' },
	[AF_REVIEWER_PID] = { "reviewer_pid", 'i' },
	[AF_REVIEWER_NAME] = { "reviewer_name", 't' },
	[AF_APPROVERS] = { "approvers", 't' },
	[AF_ESCALATION_LEVEL] = { "escalation_level", 'i' },
	[AF_NOTE] = { "note", 't' },
};

#define NO_CHANGE(t) \
	"CREATE TRIGGER " t "_no_update BEFORE UPDATE ON " t \
	" BEGIN SELECT RAISE(ABORT, 'sandgate: " t " is append-only'); END;" \
	"CREATE TRIGGER " t "_no_delete BEFORE DELETE ON " t \
	" BEGIN SELECT RAISE(ABORT, 'sandgate: " t " is append-only'); END;"

const char audit_schema_sql[] =
	"CREATE TABLE audit_meta ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  log_id BLOB NOT NULL CHECK (length(log_id) = 16),"
	"  created_ms INTEGER NOT NULL);"
	"INSERT INTO audit_meta VALUES (1, randomblob(16),"
	"  CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));"
	"CREATE TABLE audit ("
	"  seq INTEGER PRIMARY KEY,"
	"  prev_hash BLOB NOT NULL,"
	"  recorded_ms INTEGER NOT NULL,"
	"  mono_ns INTEGER,"
	"  decided_ms INTEGER NOT NULL,"
	"  request_id INTEGER NOT NULL,"
	"  req_id TEXT NOT NULL,"
	"  agent TEXT NOT NULL,"
	"  session TEXT NOT NULL,"
	"  peer_pid INTEGER NOT NULL, peer_uid INTEGER NOT NULL, peer_gid INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  cwd TEXT, workspace TEXT,"
	"  summary TEXT NOT NULL,"
	"  request BLOB NOT NULL,"
	"  request_size INTEGER NOT NULL,"
	"  request_sha256 TEXT NOT NULL,"
	"  intent TEXT,"
	"  risk_score INTEGER, risk_level TEXT, risk_reasons TEXT,"
	"  shown_sha256 TEXT,"
	"  decision TEXT NOT NULL CHECK (decision IN ('allow','deny')),"
	"  decided_by TEXT NOT NULL,"
	"  rule_id INTEGER,"
	"  reviewer_uid INTEGER, reviewer_pid INTEGER, reviewer_name TEXT,"
	"  approvers TEXT,"
	"  escalation_level INTEGER,"
	"  note TEXT,"
	"  hash BLOB NOT NULL);"
	"CREATE INDEX audit_agent ON audit(agent, seq);"
	"CREATE INDEX audit_request ON audit(request_id);"
	"CREATE INDEX audit_decided ON audit(decided_ms);"
	"CREATE TABLE audit_checkpoints ("
	"  id INTEGER PRIMARY KEY,"
	"  seq INTEGER NOT NULL,"
	"  hash BLOB NOT NULL,"
	"  made_ms INTEGER NOT NULL,"
	"  public_key BLOB NOT NULL,"
	"  signature BLOB NOT NULL);"
	"CREATE INDEX audit_checkpoints_seq ON audit_checkpoints(seq);"
	"CREATE TABLE audit_prunes ("
	"  id INTEGER PRIMARY KEY,"
	"  upto_seq INTEGER NOT NULL,"
	"  upto_hash BLOB NOT NULL,"
	"  checkpoint_id INTEGER NOT NULL,"
	"  pruned_ms INTEGER NOT NULL,"
	"  rows INTEGER NOT NULL);"
	"CREATE INDEX audit_prunes_upto ON audit_prunes(upto_seq);"
	/* Retention opens this gate inside its own transaction, deletes, and
	 * closes it again; the triggers below let a row go only through it. */
	"CREATE TABLE audit_prune_gate (id INTEGER PRIMARY KEY CHECK (id = 1), upto INTEGER NOT NULL);"
	"INSERT INTO audit_prune_gate VALUES (1, 0);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'sandgate: audit rows are append-only'); END;"
	"CREATE TRIGGER audit_prune_only BEFORE DELETE ON audit"
	" WHEN OLD.seq > (SELECT upto FROM audit_prune_gate WHERE id = 1)"
	"  OR NOT EXISTS (SELECT 1 FROM audit_prunes p JOIN audit_checkpoints c ON c.id = p.checkpoint_id"
	"   WHERE p.upto_seq = (SELECT upto FROM audit_prune_gate WHERE id = 1)"
	"    AND c.seq = p.upto_seq AND c.hash = p.upto_hash)"
	" BEGIN SELECT RAISE(ABORT, 'sandgate: audit rows can only be pruned up to a signed checkpoint'); END;"
	"CREATE TRIGGER audit_prune_gate_guard BEFORE UPDATE ON audit_prune_gate"
	" WHEN NEW.id <> 1 OR (NEW.upto <> 0 AND NOT EXISTS"
	"  (SELECT 1 FROM audit_prunes WHERE upto_seq = NEW.upto))"
	" BEGIN SELECT RAISE(ABORT, 'sandgate: the prune gate opens only for a recorded prune'); END;"
	"CREATE TRIGGER audit_prune_gate_no_delete BEFORE DELETE ON audit_prune_gate"
	" BEGIN SELECT RAISE(ABORT, 'sandgate: audit_prune_gate is permanent'); END;"
	NO_CHANGE("audit_meta")
	NO_CHANGE("audit_checkpoints")
	NO_CHANGE("audit_prunes");

/* Migration 0006-audit-chain: the checkpoint chain's fields (version 1
 * rows keep NULL in them) and the record of each break that began an epoch. */
const char audit_chain_schema_sql[] =
	"ALTER TABLE audit_checkpoints ADD COLUMN version INTEGER NOT NULL DEFAULT 1;"
	"ALTER TABLE audit_checkpoints ADD COLUMN idx INTEGER;"
	"ALTER TABLE audit_checkpoints ADD COLUMN epoch INTEGER;"
	"ALTER TABLE audit_checkpoints ADD COLUMN kind TEXT;"
	"ALTER TABLE audit_checkpoints ADD COLUMN prev_seq INTEGER;"
	"ALTER TABLE audit_checkpoints ADD COLUMN prev BLOB;"
	"ALTER TABLE audit_checkpoints ADD COLUMN every_rows INTEGER;"
	"ALTER TABLE audit_checkpoints ADD COLUMN every_ms INTEGER;"
	"ALTER TABLE audit_checkpoints ADD COLUMN next_key BLOB;"
	"ALTER TABLE audit_checkpoints ADD COLUMN note BLOB;"
	"CREATE UNIQUE INDEX audit_checkpoints_idx ON audit_checkpoints(idx) WHERE idx IS NOT NULL;"
	"CREATE TABLE audit_notes ("
	"  id INTEGER PRIMARY KEY,"
	"  epoch INTEGER NOT NULL UNIQUE,"
	"  made_ms INTEGER NOT NULL,"
	"  uid INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  problems TEXT NOT NULL);"
	NO_CHANGE("audit_notes");

const char audit_select_sql[] =
	"SELECT seq, recorded_ms, mono_ns, decided_ms, request_id, req_id, agent, session,"
	" peer_pid, peer_uid, peer_gid, kind, cwd, workspace, summary, request, request_size,"
	" request_sha256, intent, risk_score, risk_level, risk_reasons, shown_sha256, decision,"
	" decided_by, rule_id, reviewer_uid, reviewer_pid, reviewer_name, approvers,"
	" escalation_level, note, prev_hash, hash FROM audit";

/* ---- canonical encoding ---- */

struct hasher {
	crypto_generichash_state st;
	uint8_t buf[4096];
	size_t n;
};

static void
h_flush(struct hasher *h)
{
	crypto_generichash_update(&h->st, h->buf, h->n);
	h->n = 0;
}

static void
h_put(struct hasher *h, const void *p, size_t n)
{
	if (h->n + n > sizeof h->buf) {
		h_flush(h);
		if (n > sizeof h->buf) {
			crypto_generichash_update(&h->st, p, n);
			return;
		}
	}
	memcpy(h->buf + h->n, p, n);
	h->n += n;
}

static void
put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

void
audit_row_hash(const uint8_t prev[AUDIT_HASH_LEN], const struct audit_value v[AF_COUNT],
    uint8_t out[AUDIT_HASH_LEN])
{
	struct hasher h;

	crypto_generichash_init(&h.st, NULL, 0, AUDIT_HASH_LEN);
	h.n = 0;
	h_put(&h, HASH_DOMAIN, sizeof HASH_DOMAIN - 1);
	h_put(&h, prev, AUDIT_HASH_LEN);
	for (int i = 0; i < AF_COUNT; i++) {
		uint8_t hd[9];

		switch (v[i].type) {
		case AV_NULL:
			hd[0] = 0;
			h_put(&h, hd, 1);
			break;
		case AV_INT:
			hd[0] = 1;
			put_be(hd + 1, (uint64_t)v[i].i, 8);
			h_put(&h, hd, 9);
			break;
		case AV_TEXT:
		case AV_BLOB:
			hd[0] = v[i].type == AV_TEXT ? 2 : 3;
			put_be(hd + 1, (uint64_t)v[i].n, 4);
			h_put(&h, hd, 5);
			h_put(&h, v[i].p, v[i].n);
			break;
		}
	}
	h_flush(&h);
	crypto_generichash_final(&h.st, out, AUDIT_HASH_LEN);
}

void
audit_values_from_stmt(sqlite3_stmt *st, struct audit_value v[AF_COUNT])
{
	for (int i = 0; i < AF_COUNT; i++) {
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			v[i] = (struct audit_value){ .type = AV_INT, .i = sqlite3_column_int64(st, i) };
			break;
		case SQLITE_TEXT:
			v[i].type = AV_TEXT;
			v[i].p = sqlite3_column_text(st, i);
			v[i].n = (size_t)sqlite3_column_bytes(st, i);
			break;
		case SQLITE_BLOB:
			v[i].type = AV_BLOB;
			v[i].p = sqlite3_column_blob(st, i);
			v[i].n = (size_t)sqlite3_column_bytes(st, i);
			break;
		case SQLITE_FLOAT:
			/* never written by sandgate: hash its text form so it cannot match */
			v[i].type = AV_TEXT;
			v[i].p = sqlite3_column_text(st, i);
			v[i].n = (size_t)sqlite3_column_bytes(st, i);
			break;
		default:
			v[i] = (struct audit_value){ .type = AV_NULL };
		}
	}
}

/* ---- msgpack helpers: JSON text, elision ---- */

static void
jb_str(struct strbuf *b, const char *s, size_t n)
{
	strbuf_putn(b, "\"", 1);
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		size_t k = 0;

		if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = (char)c;
			strbuf_putn(b, esc, 2);
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			strbuf_putn(b, esc, 6);
			i++;
			continue;
		}
		if (c < 0x80) {
			strbuf_putn(b, s + i, 1);
			i++;
			continue;
		}
		/* multi-byte UTF-8: copy if well formed, else U+FFFD */
		if (c >= 0xc2 && c <= 0xdf)
			k = 2;
		else if (c >= 0xe0 && c <= 0xef)
			k = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 4;
		if (k > 0 && i + k <= n) {
			bool ok = true;
			unsigned cp = c & (0xff >> (k + 1));

			for (size_t j = 1; j < k; j++) {
				ok &= ((unsigned char)s[i + j] & 0xc0) == 0x80;
				cp = cp << 6 | ((unsigned char)s[i + j] & 0x3f);
			}
			ok &= !(k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)));
			ok &= !(k == 4 && (cp < 0x10000 || cp > 0x10ffff));
			if (ok) {
				strbuf_putn(b, s + i, k);
				i += k;
				continue;
			}
		}
		strbuf_putn(b, "\\ufffd", 6);
		i++;
	}
	strbuf_putn(b, "\"", 1);
}

static void
jb_b64(struct strbuf *b, const char *key, const void *p, size_t n)
{
	size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *s = malloc(cap);

	if (s == NULL) {
		b->oom = true;
		return;
	}
	sodium_bin2base64(s, cap, p, n, sodium_base64_VARIANT_ORIGINAL);
	strbuf_putn(b, "{\"", 2);
	strbuf_putn(b, key, strlen(key));
	strbuf_putn(b, "\":\"", 3);
	strbuf_putn(b, s, strlen(s));
	strbuf_putn(b, "\"}", 2);
	free(s);
}

/* Compact JSON text for a msgpack value: bin becomes {"base64": ...},
 * ext {"ext_base64": ...}, non-string map keys their JSON text. */
static void
jb_value(struct strbuf *b, const msgpack_object *o, int depth)
{
	char num[48];

	if (depth > JSON_MAX_DEPTH) {
		strbuf_putn(b, "null", 4);
		return;
	}
	switch (o->type) {
	case MSGPACK_OBJECT_NIL: strbuf_putn(b, "null", 4); break;
	case MSGPACK_OBJECT_BOOLEAN: strbuf_putn(b, o->via.boolean ? "true" : "false", o->via.boolean ? 4 : 5); break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		strbuf_putn(b, num, (size_t)snprintf(num, sizeof num, "%llu", (unsigned long long)o->via.u64));
		break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		strbuf_putn(b, num, (size_t)snprintf(num, sizeof num, "%lld", (long long)o->via.i64));
		break;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		if (o->via.f64 != o->via.f64 || o->via.f64 > 1e308 || o->via.f64 < -1e308)
			strbuf_putn(b, "null", 4);
		else
			strbuf_putn(b, num, (size_t)snprintf(num, sizeof num, "%.17g", o->via.f64));
		break;
	case MSGPACK_OBJECT_STR: jb_str(b, o->via.str.ptr, o->via.str.size); break;
	case MSGPACK_OBJECT_BIN: jb_b64(b, "base64", o->via.bin.ptr, o->via.bin.size); break;
	case MSGPACK_OBJECT_EXT: jb_b64(b, "ext_base64", o->via.ext.ptr, o->via.ext.size); break;
	case MSGPACK_OBJECT_ARRAY:
		strbuf_putn(b, "[", 1);
		for (uint32_t i = 0; i < o->via.array.size; i++) {
			if (i > 0)
				strbuf_putn(b, ",", 1);
			jb_value(b, &o->via.array.ptr[i], depth + 1);
		}
		strbuf_putn(b, "]", 1);
		break;
	case MSGPACK_OBJECT_MAP:
		strbuf_putn(b, "{", 1);
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			const msgpack_object *k = &o->via.map.ptr[i].key;

			if (i > 0)
				strbuf_putn(b, ",", 1);
			if (k->type == MSGPACK_OBJECT_STR) {
				jb_str(b, k->via.str.ptr, k->via.str.size);
			} else {
				struct strbuf kb = { 0 };

				jb_value(&kb, k, depth + 1);
				jb_str(b, kb.p != NULL ? kb.p : "", kb.n);
				b->oom |= kb.oom;
				free(kb.p);
			}
			strbuf_putn(b, ":", 1);
			jb_value(b, &o->via.map.ptr[i].val, depth + 1);
		}
		strbuf_putn(b, "}", 1);
		break;
	}
}

/* JSON text of msgpack bytes; NULL if they are not one msgpack value or on
 * out of memory.  Caller frees. */
static char *
msgpack_to_json(const void *p, size_t n)
{
	msgpack_unpacked up;
	size_t off = 0;
	struct strbuf b = { 0 };

	msgpack_unpacked_init(&up);
	if (msgpack_unpack_next(&up, p, n, &off) != MSGPACK_UNPACK_SUCCESS || off != n) {
		msgpack_unpacked_destroy(&up);
		return NULL;
	}
	jb_value(&b, &up.data, 0);
	msgpack_unpacked_destroy(&up);
	return strbuf_take(&b);
}

/* JSON text of risk reasons: the array itself, or the "reasons" of a risk
 * map.  NULL when absent or malformed.  Caller frees. */
static char *
reasons_to_json(const void *p, size_t n)
{
	msgpack_unpacked up;
	const msgpack_object *o;
	size_t off = 0;
	struct strbuf b = { 0 };

	msgpack_unpacked_init(&up);
	if (msgpack_unpack_next(&up, p, n, &off) != MSGPACK_UNPACK_SUCCESS) {
		msgpack_unpacked_destroy(&up);
		return NULL;
	}
	o = up.data.type == MSGPACK_OBJECT_MAP ? rpc_map_get(&up.data, "reasons") : &up.data;
	if (o != NULL)
		jb_value(&b, o, 0);
	msgpack_unpacked_destroy(&up);
	return strbuf_take(&b);
}

static void
pack_elided(msgpack_packer *pk, const void *p, size_t n)
{
	uint8_t payload[8 + 32];

	put_be(payload, (uint64_t)n, 8);
	crypto_hash_sha256(payload + 8, p, n);
	msgpack_pack_ext(pk, sizeof payload, AUDIT_ELIDED_EXT);
	msgpack_pack_ext_body(pk, payload, sizeof payload);
}

/* Re-pack o with every string, binary or ext value (or key) larger than
 * AUDIT_VALUE_CAP replaced by an elision ext. */
static void
pack_capped(msgpack_packer *pk, const msgpack_object *o)
{
	switch (o->type) {
	case MSGPACK_OBJECT_STR:
		if (o->via.str.size > AUDIT_VALUE_CAP)
			pack_elided(pk, o->via.str.ptr, o->via.str.size);
		else
			msgpack_pack_object(pk, *o);
		break;
	case MSGPACK_OBJECT_BIN:
		if (o->via.bin.size > AUDIT_VALUE_CAP)
			pack_elided(pk, o->via.bin.ptr, o->via.bin.size);
		else
			msgpack_pack_object(pk, *o);
		break;
	case MSGPACK_OBJECT_EXT:
		if (o->via.ext.size > AUDIT_VALUE_CAP)
			pack_elided(pk, o->via.ext.ptr, o->via.ext.size);
		else
			msgpack_pack_object(pk, *o);
		break;
	case MSGPACK_OBJECT_ARRAY:
		msgpack_pack_array(pk, o->via.array.size);
		for (uint32_t i = 0; i < o->via.array.size; i++)
			pack_capped(pk, &o->via.array.ptr[i]);
		break;
	case MSGPACK_OBJECT_MAP:
		msgpack_pack_map(pk, o->via.map.size);
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			pack_capped(pk, &o->via.map.ptr[i].key);
			pack_capped(pk, &o->via.map.ptr[i].val);
		}
		break;
	default:
		msgpack_pack_object(pk, *o);
	}
}

/* ---- the chain (worker thread) ---- */

struct head {
	int64_t seq;                   /* last row written */
	uint8_t hash[AUDIT_HASH_LEN];
	int64_t ckpt_seq, ckpt_ms;     /* last checkpoint */
	struct ckpt last;              /* the newest chain checkpoint (version 0: none yet) */
};

struct audit_chain {
	sqlite3 *db;
	sqlite3_stmt *ins, *ins_ckpt;
	uint8_t sk[CKPT_SK_LEN];
	uint8_t log_id[CKPT_LOG_ID_LEN];
	struct head cur, pend;         /* committed, and inside the open transaction */
	struct audit_policy pol;
	int64_t prune_checked_ms;
	msgpack_sbuffer sb;
	bool legacy;                   /* a log before the chain (0004's backfill): no checkpoints */
	struct auditcopy copy;         /* where checkpoints go besides the database */
	struct ckpt *pub;              /* checkpoints made in the open transaction, */
	size_t npub, cappub;           /* published to the copies once it commits */
	char alert_code[32];           /* an alert for the consoles found at open */
	char alert_msg[512];
};

int64_t
audit_head_seq(audit_chain *a)
{
	return a->cur.seq;
}

void
audit_set_policy(audit_chain *a, const struct audit_policy *p)
{
	a->pol = *p;
	if (a->pol.checkpoint_rows < 1)
		a->pol.checkpoint_rows = 1000;
	if (a->pol.checkpoint_ms < 1000)
		a->pol.checkpoint_ms = 10 * 60 * 1000;
	if (a->pol.retention_ms < 0)
		a->pol.retention_ms = 0;
}

void
audit_begin(audit_chain *a)
{
	a->pend = a->cur;
	a->npub = 0;
}

/* Send the checkpoints of a committed transaction to the outside copies. */
static void
publish(audit_chain *a)
{
	char err[512];

	for (size_t i = 0; i < a->npub; i++) {
		if (auditcopy_publish(&a->copy, &a->pub[i], err, sizeof err) < 0) {
			int64_t now = wall_clock_ms();

			if (now - a->copy.err_ms >= 60000) {
				log_msg("audit: %s (the checkpoint stays in the database; the copy misses it)", err);
				if (a->copy.syslog)
					auditcopy_syslog(LOG_ERR, "audit: %s", err);
				a->copy.err_ms = now;
			}
		}
	}
	a->npub = 0;
}

void
audit_commit(audit_chain *a)
{
	a->cur = a->pend;
	publish(a);
}

void
audit_rollback(audit_chain *a)
{
	a->pend = a->cur;
	a->npub = 0;
}

/* The cadence in force until the next checkpoint: the configured one, but
 * never looser than what the newest checkpoint promised. */
static int64_t
due_rows(const audit_chain *a, const struct head *h)
{
	int64_t n = a->pol.checkpoint_rows;

	if (h->last.version == 2 && h->last.every_rows < n)
		n = h->last.every_rows;
	return n;
}

static int64_t
due_ms(const audit_chain *a, const struct head *h)
{
	int64_t n = a->pol.checkpoint_ms;

	if (h->last.version == 2 && h->last.every_ms < n)
		n = h->last.every_ms;
	return n;
}

static const char ins_ckpt_sql[] =
	"INSERT INTO audit_checkpoints (seq, hash, made_ms, public_key, signature, version, idx, epoch,"
	" kind, prev_seq, prev, every_rows, every_ms, next_key, note)"
	" VALUES (?,?,?,?,?,2,?,?,?,?,?,?,?,?,?)";

int
audit_store_checkpoint(sqlite3 *db, sqlite3_stmt **cached, const struct ckpt *c)
{
	sqlite3_stmt *st = cached != NULL ? *cached : NULL;
	int rc;

	if (st == NULL && (rc = sqlite3_prepare_v2(db, ins_ckpt_sql, -1, &st, NULL)) != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, c->seq);
	sqlite3_bind_blob(st, 2, c->hash, sizeof c->hash, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, c->time_ms);
	sqlite3_bind_blob(st, 4, c->pk, sizeof c->pk, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, c->sig, sizeof c->sig, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, c->idx);
	sqlite3_bind_int64(st, 7, c->epoch);
	sqlite3_bind_text(st, 8, ckpt_kind_name(c->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, c->prev_seq);
	sqlite3_bind_blob(st, 10, c->prev, sizeof c->prev, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, c->every_rows);
	sqlite3_bind_int64(st, 12, c->every_ms);
	if (ckpt_zero(c->next_key, sizeof c->next_key))
		sqlite3_bind_null(st, 13);
	else
		sqlite3_bind_blob(st, 13, c->next_key, sizeof c->next_key, SQLITE_STATIC);
	if (ckpt_zero(c->note, sizeof c->note))
		sqlite3_bind_null(st, 14);
	else
		sqlite3_bind_blob(st, 14, c->note, sizeof c->note, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (cached != NULL) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		*cached = st;
	} else {
		sqlite3_finalize(st);
	}
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The next chain checkpoint over the head h (kind, epoch as the last one's
 * unless a start), unsigned. */
void
audit_next_checkpoint(const uint8_t log_id[CKPT_LOG_ID_LEN], const struct ckpt *last, int64_t seq,
    const uint8_t hash[AUDIT_HASH_LEN], int64_t now, int kind, int64_t every_rows, int64_t every_ms,
    struct ckpt *c)
{
	memset(c, 0, sizeof *c);
	c->version = 2;
	c->kind = kind;
	memcpy(c->log_id, log_id, CKPT_LOG_ID_LEN);
	c->seq = seq;
	memcpy(c->hash, hash, CKPT_HASH_LEN);
	c->time_ms = now;
	c->every_rows = every_rows;
	c->every_ms = every_ms;
	if (last != NULL && last->version == 2) {
		c->idx = last->idx + 1;
		c->epoch = last->epoch + (kind == CK_START);
		c->prev_seq = last->seq;
		ckpt_digest(last, c->prev);
	} else {
		c->idx = 1;
		c->epoch = 1;
	}
}

static int
write_checkpoint(audit_chain *a, int64_t now, int kind)
{
	struct ckpt c;
	int rc;

	if (a->legacy)
		return SQLITE_OK; /* the chain starts with migration 0006, which signs this head */
	audit_next_checkpoint(a->log_id, &a->pend.last, a->pend.seq, a->pend.hash, now, kind,
	    a->pol.checkpoint_rows, a->pol.checkpoint_ms, &c);
	ckpt_sign(&c, a->sk);
	if ((rc = audit_store_checkpoint(a->db, &a->ins_ckpt, &c)) != SQLITE_OK)
		return rc;
	if (a->npub == a->cappub) {
		size_t nc = a->cappub ? a->cappub * 2 : 4;
		struct ckpt *np = realloc(a->pub, nc * sizeof *np);

		if (np == NULL)
			return SQLITE_NOMEM;
		a->pub = np;
		a->cappub = nc;
	}
	a->pub[a->npub++] = c;
	a->pend.last = c;
	a->pend.ckpt_seq = c.seq;
	a->pend.ckpt_ms = now;
	return SQLITE_OK;
}

static void
text_value(struct audit_value *v, const char *s)
{
	if (s == NULL)
		*v = (struct audit_value){ .type = AV_NULL };
	else
		*v = (struct audit_value){ .type = AV_TEXT, .p = s, .n = strlen(s) };
}

static void
int_value(struct audit_value *v, int64_t i, bool present)
{
	*v = present ? (struct audit_value){ .type = AV_INT, .i = i } : (struct audit_value){ .type = AV_NULL };
}

static void
bind_value(sqlite3_stmt *st, int col, const struct audit_value *v)
{
	switch (v->type) {
	case AV_NULL: sqlite3_bind_null(st, col); break;
	case AV_INT: sqlite3_bind_int64(st, col, v->i); break;
	case AV_TEXT: sqlite3_bind_text(st, col, v->p, (int)v->n, SQLITE_STATIC); break;
	case AV_BLOB: sqlite3_bind_blob(st, col, v->p, (int)v->n, SQLITE_STATIC); break;
	}
}

/* The stored form of a request: itself, or with big values elided (then
 * in a->sb).  NULL on a value that is not msgpack (stored as is). */
static const void *
capped_request(audit_chain *a, const void *raw, size_t n, size_t *outn)
{
	msgpack_unpacked up;
	msgpack_packer pk;
	size_t off = 0;

	*outn = n;
	if (n <= AUDIT_VALUE_CAP)
		return raw;
	msgpack_unpacked_init(&up);
	if (msgpack_unpack_next(&up, raw, n, &off) != MSGPACK_UNPACK_SUCCESS) {
		msgpack_unpacked_destroy(&up);
		return raw;
	}
	msgpack_sbuffer_clear(&a->sb);
	msgpack_packer_init(&pk, &a->sb, msgpack_sbuffer_write);
	pack_capped(&pk, &up.data);
	msgpack_unpacked_destroy(&up);
	*outn = a->sb.size;
	return a->sb.data;
}

/* Fill the request's fields from the decided request r. */
static void
request_values(audit_chain *a, const struct store_request_row *r, struct audit_value v[AF_COUNT],
    char sha_hex[65])
{
	const void *raw = r->request != NULL ? r->request : (const void *)"", *stored;
	size_t n = r->request != NULL ? r->request_len : 0, sn;
	uint8_t sha[32];

	text_value(&v[AF_REQ_ID], r->client_req_id);
	text_value(&v[AF_AGENT], r->agent);
	text_value(&v[AF_SESSION], r->session);
	int_value(&v[AF_PEER_PID], r->pid, true);
	int_value(&v[AF_PEER_UID], r->uid, true);
	int_value(&v[AF_PEER_GID], r->gid, true);
	text_value(&v[AF_KIND], r->kind);
	text_value(&v[AF_CWD], r->cwd);
	text_value(&v[AF_WORKSPACE], r->workspace);
	text_value(&v[AF_SUMMARY], r->summary);
	crypto_hash_sha256(sha, raw, n);
	ckpt_hex(sha, sizeof sha, sha_hex);
	stored = capped_request(a, raw, n, &sn);
	v[AF_REQUEST] = (struct audit_value){ .type = AV_BLOB, .p = stored, .n = sn };
	int_value(&v[AF_REQUEST_SIZE], (int64_t)n, true);
	text_value(&v[AF_REQUEST_SHA256], sha_hex);
}

static int
append_row(audit_chain *a, const struct store_decision_row *d, bool live, int64_t *seq)
{
	struct audit_value v[AF_COUNT];
	char sha_hex[65], *reasons = NULL, *approvers = NULL, *intent = NULL;
	uint8_t hash[AUDIT_HASH_LEN];
	struct timespec mono;
	int64_t now = wall_clock_ms();
	int rc;

	if (d->request == NULL || d->request->client_req_id == NULL || d->request->agent == NULL ||
	    d->request->session == NULL || d->request->kind == NULL || d->request->summary == NULL ||
	    d->decision == NULL || d->decided_by == NULL)
		return SQLITE_CONSTRAINT;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	int_value(&v[AF_SEQ], a->pend.seq + 1, true);
	int_value(&v[AF_RECORDED_MS], now, true);
	int_value(&v[AF_MONO_NS], (int64_t)mono.tv_sec * 1000000000 + mono.tv_nsec, live);
	int_value(&v[AF_DECIDED_MS], d->decided_ms, true);
	int_value(&v[AF_REQUEST_ID], d->request_id, true);
	request_values(a, d->request, v, sha_hex);
	if (d->risk_reasons != NULL && d->risk_reasons_len > 0)
		reasons = reasons_to_json(d->risk_reasons, d->risk_reasons_len);
	if (d->intent != NULL && d->intent_len > 0)
		intent = msgpack_to_json(d->intent, d->intent_len);
	if (d->approvers != NULL && d->approvers_len > 0)
		approvers = msgpack_to_json(d->approvers, d->approvers_len);
	text_value(&v[AF_INTENT], intent);
	int_value(&v[AF_RISK_SCORE], d->risk_score, d->risk_level != NULL);
	text_value(&v[AF_RISK_LEVEL], d->risk_level);
	text_value(&v[AF_RISK_REASONS], reasons);
	text_value(&v[AF_SHOWN_SHA256], d->shown_sha256);
	text_value(&v[AF_DECISION], d->decision);
	text_value(&v[AF_DECIDED_BY], d->decided_by);
	int_value(&v[AF_RULE_ID], d->rule_id, d->rule_id > 0);
	int_value(&v[AF_REVIEWER_UID], d->reviewer_uid, d->reviewer_uid >= 0);
	int_value(&v[AF_REVIEWER_PID], d->reviewer_pid, d->reviewer_pid >= 0);
	text_value(&v[AF_REVIEWER_NAME], d->reviewer_name);
	text_value(&v[AF_APPROVERS], approvers);
	int_value(&v[AF_ESCALATION_LEVEL], d->escalation_level, d->escalation_level > 0);
	text_value(&v[AF_NOTE], d->note);
	audit_row_hash(a->pend.hash, v, hash);

	for (int i = 0; i < AF_COUNT; i++)
		bind_value(a->ins, i + 1, &v[i]);
	sqlite3_bind_blob(a->ins, AF_COUNT + 1, a->pend.hash, AUDIT_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(a->ins, AF_COUNT + 2, hash, AUDIT_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(a->ins);
	sqlite3_reset(a->ins);
	sqlite3_clear_bindings(a->ins);
	free(reasons);
	free(approvers);
	free(intent);
	if (rc != SQLITE_DONE)
		return rc;
	a->pend.seq++;
	memcpy(a->pend.hash, hash, sizeof hash);
	*seq = a->pend.seq;
	if (a->pend.seq - a->pend.ckpt_seq >= due_rows(a, &a->pend))
		return write_checkpoint(a, now, CK_ROWS);
	return SQLITE_OK;
}

int
audit_append(audit_chain *a, const struct store_decision_row *d, int64_t *seq)
{
	return append_row(a, d, true, seq);
}

/* ---- retention ---- */

static int
exec1(sqlite3 *db, const char *sql, int64_t x)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, x);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int64_t
first_row(sqlite3 *db)
{
	sqlite3_stmt *st;
	int64_t v = 0;

	if (sqlite3_prepare_v2(db, "SELECT min(seq) FROM audit", -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The checkpoint to prune up to: the newest one whose row is older than
 * cutoff and at most PRUNE_STEP_ROWS past the first row, else the oldest
 * one older than cutoff.  *upto stays 0 when there is none. */
static int
prune_point(audit_chain *a, int64_t cutoff, int64_t *cid, int64_t *upto, uint8_t hash[AUDIT_HASH_LEN])
{
	static const char *const sql[2] = {
		"SELECT c.id, c.seq, c.hash FROM audit_checkpoints c JOIN audit r ON r.seq = c.seq AND r.hash = c.hash"
		" WHERE r.recorded_ms < ?1 AND c.seq <= ?2 ORDER BY c.seq DESC LIMIT 1",
		"SELECT c.id, c.seq, c.hash FROM audit_checkpoints c JOIN audit r ON r.seq = c.seq AND r.hash = c.hash"
		" WHERE r.recorded_ms < ?1 ORDER BY c.seq ASC LIMIT 1",
	};
	int64_t first = first_row(a->db);

	*upto = 0;
	for (int pass = 0; pass < 2 && *upto == 0 && first > 0; pass++) {
		sqlite3_stmt *st;
		int rc;

		if ((rc = sqlite3_prepare_v2(a->db, sql[pass], -1, &st, NULL)) != SQLITE_OK)
			return rc;
		sqlite3_bind_int64(st, 1, cutoff);
		if (pass == 0)
			sqlite3_bind_int64(st, 2, first + PRUNE_STEP_ROWS);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 2) == AUDIT_HASH_LEN) {
			*cid = sqlite3_column_int64(st, 0);
			*upto = sqlite3_column_int64(st, 1);
			memcpy(hash, sqlite3_column_blob(st, 2), AUDIT_HASH_LEN);
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return rc;
	}
	return SQLITE_OK;
}

/* One retention step: record the prune, open the gate, delete the rows up
 * to a checkpoint older than cutoff (with their decision and request rows),
 * close the gate -- all inside the caller's transaction. */
static int
prune_step(audit_chain *a, int64_t cutoff, int64_t now)
{
	int64_t upto, cid = 0, pruned = 0;
	uint8_t hash[AUDIT_HASH_LEN];
	sqlite3_stmt *st;
	int rc;

	if ((rc = prune_point(a, cutoff, &cid, &upto, hash)) != SQLITE_OK || upto == 0)
		return rc;
	pruned = upto - first_row(a->db) + 1;
	if ((rc = sqlite3_prepare_v2(a->db, "INSERT INTO audit_prunes (upto_seq, upto_hash,"
	        " checkpoint_id, pruned_ms, rows) VALUES (?,?,?,?,?)", -1, &st, NULL)) != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, upto);
	sqlite3_bind_blob(st, 2, hash, AUDIT_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, cid);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, pruned);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc;
	if ((rc = exec1(a->db, "UPDATE audit_prune_gate SET upto = ? WHERE id = 1", upto)) != SQLITE_OK ||
	    (rc = exec1(a->db, "DELETE FROM requests WHERE id IN"
	        " (SELECT request_id FROM audit WHERE seq <= ?)", upto)) != SQLITE_OK ||
	    (rc = exec1(a->db, "DELETE FROM audit WHERE seq <= ?", upto)) != SQLITE_OK ||
	    (rc = exec1(a->db, "UPDATE audit_prune_gate SET upto = ? WHERE id = 1", 0)) != SQLITE_OK)
		return rc;
	return SQLITE_OK;
}

int64_t
audit_due_ms(audit_chain *a, int64_t now_ms)
{
	int64_t due = INT64_MAX;

	if (a->cur.seq > a->cur.ckpt_seq)
		due = a->cur.ckpt_ms + due_ms(a, &a->cur);
	if (a->pol.retention_ms > 0 && a->prune_checked_ms + a->pol.checkpoint_ms < due)
		due = a->prune_checked_ms + a->pol.checkpoint_ms;
	(void)now_ms;
	return due;
}

int
audit_maintain(audit_chain *a, int64_t now, bool force)
{
	int rc;

	if (a->pend.seq > a->pend.ckpt_seq && (force || now >= a->pend.ckpt_ms + due_ms(a, &a->pend)) &&
	    (rc = write_checkpoint(a, now, force ? CK_STOP : CK_TIME)) != SQLITE_OK)
		return rc;
	if (a->pol.retention_ms > 0 && !force && now >= a->prune_checked_ms + a->pol.checkpoint_ms) {
		a->prune_checked_ms = now;
		if ((rc = prune_step(a, now - a->pol.retention_ms, now)) != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/* ---- open ---- */

#define CKPT_COLS "seq, made_ms, hash, public_key, signature, idx, epoch, kind, prev_seq, prev," \
	" every_rows, every_ms, next_key, note"

/* A version 2 checkpoint from a row of "SELECT " CKPT_COLS; 0 or -1. */
static int
ckpt_from_row(const uint8_t log_id[CKPT_LOG_ID_LEN], sqlite3_stmt *st, struct ckpt *c)
{
	const char *kind = (const char *)sqlite3_column_text(st, 7);

	memset(c, 0, sizeof *c);
	memcpy(c->log_id, log_id, CKPT_LOG_ID_LEN);
	c->version = 2;
	c->seq = sqlite3_column_int64(st, 0);
	c->time_ms = sqlite3_column_int64(st, 1);
	c->idx = sqlite3_column_int64(st, 5);
	c->epoch = sqlite3_column_int64(st, 6);
	c->kind = kind != NULL ? ckpt_kind_parse(kind, strlen(kind)) : 0;
	c->prev_seq = sqlite3_column_int64(st, 8);
	c->every_rows = sqlite3_column_int64(st, 10);
	c->every_ms = sqlite3_column_int64(st, 11);
	if (sqlite3_column_bytes(st, 2) != CKPT_HASH_LEN || sqlite3_column_bytes(st, 3) != CKPT_PK_LEN ||
	    sqlite3_column_bytes(st, 4) != CKPT_SIG_LEN || sqlite3_column_bytes(st, 9) != CKPT_HASH_LEN ||
	    (sqlite3_column_type(st, 12) != SQLITE_NULL && sqlite3_column_bytes(st, 12) != CKPT_PK_LEN) ||
	    (sqlite3_column_type(st, 13) != SQLITE_NULL && sqlite3_column_bytes(st, 13) != CKPT_HASH_LEN) ||
	    c->kind == 0)
		return -1;
	memcpy(c->hash, sqlite3_column_blob(st, 2), CKPT_HASH_LEN);
	memcpy(c->pk, sqlite3_column_blob(st, 3), CKPT_PK_LEN);
	memcpy(c->sig, sqlite3_column_blob(st, 4), CKPT_SIG_LEN);
	memcpy(c->prev, sqlite3_column_blob(st, 9), CKPT_HASH_LEN);
	if (sqlite3_column_type(st, 12) != SQLITE_NULL)
		memcpy(c->next_key, sqlite3_column_blob(st, 12), CKPT_PK_LEN);
	if (sqlite3_column_type(st, 13) != SQLITE_NULL)
		memcpy(c->note, sqlite3_column_blob(st, 13), CKPT_HASH_LEN);
	return 0;
}

static int
load_head(audit_chain *a, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	memset(&a->cur, 0, sizeof a->cur);
	if (sqlite3_prepare_v2(a->db, "SELECT log_id FROM audit_meta WHERE id = 1", -1, &st, NULL) != SQLITE_OK)
		goto sqlerr;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW || sqlite3_column_bytes(st, 0) != CKPT_LOG_ID_LEN) {
		sqlite3_finalize(st);
		snprintf(err, errlen, "the audit log has no valid log id (audit_meta)");
		return -1;
	}
	memcpy(a->log_id, sqlite3_column_blob(st, 0), CKPT_LOG_ID_LEN);
	sqlite3_finalize(st);
	/* the head: the last row, else the last prune point, else genesis */
	if (sqlite3_prepare_v2(a->db,
	        "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		goto sqlerr;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 1) == AUDIT_HASH_LEN) {
		a->cur.seq = sqlite3_column_int64(st, 0);
		memcpy(a->cur.hash, sqlite3_column_blob(st, 1), AUDIT_HASH_LEN);
	}
	sqlite3_finalize(st);
	if (a->cur.seq == 0) {
		if (sqlite3_prepare_v2(a->db, "SELECT upto_seq, upto_hash FROM audit_prunes"
		        " ORDER BY upto_seq DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
			goto sqlerr;
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 1) == AUDIT_HASH_LEN) {
			a->cur.seq = sqlite3_column_int64(st, 0);
			memcpy(a->cur.hash, sqlite3_column_blob(st, 1), AUDIT_HASH_LEN);
		}
		sqlite3_finalize(st);
	}
	a->cur.ckpt_ms = wall_clock_ms();
	if (sqlite3_prepare_v2(a->db, a->legacy ? "SELECT seq, made_ms FROM audit_checkpoints"
	        " ORDER BY seq DESC, id DESC LIMIT 1" : "SELECT " CKPT_COLS " FROM audit_checkpoints"
	        " WHERE version = 2 ORDER BY idx DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		goto sqlerr;
	if (sqlite3_step(st) == SQLITE_ROW) {
		a->cur.ckpt_seq = sqlite3_column_int64(st, 0);
		a->cur.ckpt_ms = sqlite3_column_int64(st, 1);
		if (!a->legacy && ckpt_from_row(a->log_id, st, &a->cur.last) < 0) {
			sqlite3_finalize(st);
			snprintf(err, errlen, "the newest audit checkpoint is malformed (run `sandgate audit verify`)");
			return -1;
		}
	}
	sqlite3_finalize(st);
	a->pend = a->cur;
	return 0;
sqlerr:
	snprintf(err, errlen, "cannot read the audit log: %s", sqlite3_errmsg(a->db));
	return -1;
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Audit rows for decisions recorded before the audit table existed (a log
 * that has none yet), inside the caller's transaction. */
static int
backfill(audit_chain *a, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int64_t n = 0, seq;
	int rc = SQLITE_OK;

	if (sqlite3_prepare_v2(a->db, "SELECT EXISTS (SELECT 1 FROM audit) OR EXISTS (SELECT 1 FROM audit_prunes)"
	        " OR NOT EXISTS (SELECT 1 FROM decisions)", -1, &st, NULL) != SQLITE_OK)
		goto sqlerr;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (n > 0)
		return 0;
	audit_begin(a);
	if (sqlite3_prepare_v2(a->db, "SELECT d.request_id, d.decided_ms, d.decision, d.decided_by,"
	        " d.reviewer_uid, d.reviewer_pid, d.reviewer_name, d.note, r.created_ms, r.client_req_id,"
	        " r.agent, r.session, r.kind, r.summary, r.cwd, r.workspace, r.peer_pid, r.peer_uid,"
	        " r.peer_gid, r.request FROM decisions d JOIN requests r ON r.id = d.request_id ORDER BY d.seq",
	        -1, &st, NULL) != SQLITE_OK)
		goto sqlerr;
	while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		struct store_request_row req = {
			.id = sqlite3_column_int64(st, 0), .created_ms = sqlite3_column_int64(st, 8),
			.client_req_id = col_text(st, 9), .agent = col_text(st, 10), .session = col_text(st, 11),
			.kind = col_text(st, 12), .summary = col_text(st, 13), .cwd = col_text(st, 14),
			.workspace = col_text(st, 15), .pid = (pid_t)sqlite3_column_int64(st, 16),
			.uid = (uid_t)sqlite3_column_int64(st, 17), .gid = (gid_t)sqlite3_column_int64(st, 18),
			.request = sqlite3_column_blob(st, 19), .request_len = (size_t)sqlite3_column_bytes(st, 19),
		};
		struct store_decision_row d = {
			.request_id = req.id,
			.request = &req,
			.decided_ms = sqlite3_column_int64(st, 1),
			.decision = col_text(st, 2),
			.decided_by = col_text(st, 3),
			.reviewer_uid = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4),
			.reviewer_pid = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 5),
			.reviewer_name = col_text(st, 6),
			.note = col_text(st, 7),
		};

		rc = append_row(a, &d, false, &seq);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot write audit rows for earlier decisions: %s", sqlite3_errstr(rc));
		audit_rollback(a);
		return -1;
	}
	audit_commit(a);
	return 0;
sqlerr:
	snprintf(err, errlen, "cannot read the audit log: %s", sqlite3_errmsg(a->db));
	return -1;
}

/* Refuse to drop the decisions table while a decision has no audit row. */
static int
check_all_recorded(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT d.request_id FROM decisions d WHERE NOT EXISTS"
	        " (SELECT 1 FROM audit a WHERE a.request_id = d.request_id) LIMIT 1", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot read the decisions: %s", sqlite3_errmsg(db));
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(err, errlen, "the decision for request %lld has no audit row (run `sandgate audit "
		    "verify`); the decisions table is kept", (long long)sqlite3_column_int64(st, 0));
	else if (rc != SQLITE_DONE)
		snprintf(err, errlen, "cannot read the decisions: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The chain's state and statements for db (schema 0003 or later). */
static audit_chain *
chain_open(sqlite3 *db, bool legacy, char *err, size_t errlen)
{
	audit_chain *a = calloc(1, sizeof *a);
	char *dir = paths_config_dir();
	char ins[1024];
	size_t n;

	if (a == NULL || dir == NULL) {
		snprintf(err, errlen, "out of memory");
		free(a);
		free(dir);
		return NULL;
	}
	a->db = db;
	a->legacy = legacy;
	msgpack_sbuffer_init(&a->sb);
	audit_set_policy(a, &(struct audit_policy){ 0 });
	if (ckpt_key_load(dir, true, a->sk, err, errlen) != 0) {
		free(dir);
		audit_close(a);
		return NULL;
	}
	free(dir);
	n = (size_t)snprintf(ins, sizeof ins, "INSERT INTO audit (");
	for (int i = 0; i < AF_COUNT; i++)
		n += (size_t)snprintf(ins + n, sizeof ins - n, "%s, ", audit_fields[i].name);
	n += (size_t)snprintf(ins + n, sizeof ins - n, "prev_hash, hash) VALUES (");
	for (int i = 0; i < AF_COUNT + 2; i++)
		n += (size_t)snprintf(ins + n, sizeof ins - n, i > 0 ? ",?" : "?");
	snprintf(ins + n, sizeof ins - n, ")");
	if (sqlite3_prepare_v2(db, ins, -1, &a->ins, NULL) != SQLITE_OK ||
	    (!legacy && sqlite3_prepare_v2(db, ins_ckpt_sql, -1, &a->ins_ckpt, NULL) != SQLITE_OK)) {
		snprintf(err, errlen, "cannot prepare the audit statements: %s", sqlite3_errmsg(db));
		audit_close(a);
		return NULL;
	}
	if (load_head(a, err, errlen) < 0) {
		audit_close(a);
		return NULL;
	}
	return a;
}

int
audit_migrate_legacy(sqlite3 *db, const struct store_opts *opts, char *err, size_t errlen)
{
	audit_chain *a;
	sqlite3_stmt *st;
	bool any = false;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT EXISTS (SELECT 1 FROM decisions)", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot read the decisions: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		any = sqlite3_column_int(st, 0) != 0;
	sqlite3_finalize(st);
	if (!any)
		return 0;
	if ((a = chain_open(db, true, err, errlen)) == NULL)
		return -1;
	rc = backfill(a, err, errlen);
	audit_close(a);
	return rc < 0 ? -1 : check_all_recorded(db, err, errlen);
}

/* The chain's first checkpoint, inside the migration's transaction. */
int
audit_migrate_chain(sqlite3 *db, const struct store_opts *opts, char *err, size_t errlen)
{
	struct audit_verify_opts o = { 0 };
	struct audit_verify_report r;
	audit_chain *a;
	int rc;

	/* a log that does not verify as it is must not be vouched for */
	if (audit_verify_in(db, &o, &r) < 0) {
		snprintf(err, errlen, "%s", r.what);
		audit_verify_free(&r);
		return -1;
	}
	if (!r.ok) {
		snprintf(err, errlen, "the audit log does not verify, so it is not upgraded to the signed checkpoint "
		    "chain: %.300s (run `sandgate audit verify`; keep this database as evidence and move it aside "
		    "to start a new log)", r.what);
		audit_verify_free(&r);
		return -1;
	}
	audit_verify_free(&r);
	/* a database whose chain was taken away (its columns dropped, this
	 * migration undone) must not get a new one over a rewritten log: the
	 * checkpoint file remembers the old chain */
	{
		const char *dbp = sqlite3_db_filename(db, "main");
		struct copy_src src = { .n = 0 };
		bool none;
		char *path = auditcopy_path(opts != NULL ? opts->audit_copy : NULL, dbp != NULL ? dbp : "", &none);
		char e2[256];

		if (path != NULL && dbp != NULL && *dbp != '\0' &&
		    copy_src_read(path, r.log_id, &src, e2, sizeof e2) == 0 && src.n > 0) {
			snprintf(err, errlen, "the checkpoint file %s holds this log's signed checkpoint chain (up to #%lld), "
			    "but the database has none: the chain was removed from the database (run `sandgate audit "
			    "verify --against %s` with a database that has it)", path, (long long)src.v[src.n - 1].c.idx, path);
			copy_src_free(&src);
			free(path);
			return -1;
		}
		copy_src_free(&src);
		free(path);
	}
	if (sqlite3_exec(db, audit_chain_schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return -1;
	}
	if ((a = chain_open(db, false, err, errlen)) == NULL)
		return -1;
	audit_set_policy(a, &(struct audit_policy){ .checkpoint_rows = opts != NULL ? opts->audit_rows : 0,
	    .checkpoint_ms = opts != NULL ? opts->audit_ms : 0 });
	audit_begin(a);
	rc = write_checkpoint(a, wall_clock_ms(), CK_START);
	a->npub = 0; /* audit_open copies the newest checkpoint out */
	audit_close(a);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot sign the chain's first checkpoint: %s", sqlite3_errstr(rc));
		return -1;
	}
	return 0;
}

/* Say it where a person sees it: the log, the terminal that started the
 * broker (a daemon's stderr until it is listening), syslog. */
static void
loud(audit_chain *a, int prio, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
loud(audit_chain *a, int prio, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_msg("%s", msg);
	if (log_fd() >= 0)
		fprintf(stderr, "sandgate broker: %s\n", msg);
	if (a->copy.syslog)
		auditcopy_syslog(prio, "%s", msg);
}

static void
set_alert(audit_chain *a, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
set_alert(audit_chain *a, const char *code, const char *fmt, ...)
{
	va_list ap;

	if (a->alert_code[0] != '\0')
		return; /* the first one found is the most important */
	snprintf(a->alert_code, sizeof a->alert_code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(a->alert_msg, sizeof a->alert_msg, fmt, ap);
	va_end(ap);
}

/* Copy the database's chain checkpoints the file has not seen (a crash
 * between a commit and its copy); a file that holds none of this log's
 * gets only the newest: what the copy can vouch for starts there. */
static int
sync_copy(audit_chain *a, const struct copy_src *src, char *errout, size_t errlen)
{
	int64_t have = 0;
	sqlite3_stmt *st;
	char err[512];
	int rc = 0;

	if (a->copy.path == NULL || a->cur.last.version != 2)
		return 0;
	for (size_t i = 0; src != NULL && i < src->n; i++)
		if (src->v[i].c.idx > have)
			have = src->v[i].c.idx;
	if (have == 0) {
		if (src != NULL && src->other > 0) {
			loud(a, LOG_WARNING, "WARNING: the checkpoint file %s holds %lld checkpoints of another audit log "
			    "and none of this one: the database was replaced since (if nobody here started a new log on "
			    "purpose, someone else did); this log's checkpoints are appended from #%lld on",
			    a->copy.path, (long long)src->other, (long long)a->cur.last.idx);
			set_alert(a, "audit-log-replaced", "the audit database was replaced: %s holds checkpoints of "
			    "another log", a->copy.path);
		}
		rc = auditcopy_publish(&a->copy, &a->cur.last, err, sizeof err);
	} else if (have < a->cur.last.idx &&
	    sqlite3_prepare_v2(a->db, "SELECT " CKPT_COLS " FROM audit_checkpoints WHERE version = 2 AND idx > ?"
	        " ORDER BY idx", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, have);
		while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
			struct ckpt c;

			if (ckpt_from_row(a->log_id, st, &c) == 0)
				rc = auditcopy_publish(&a->copy, &c, err, sizeof err);
		}
		sqlite3_finalize(st);
	}
	if (rc == 0)
		rc = auditcopy_probe(&a->copy, err, sizeof err);
	/* a copy that cannot be written is a weaker log than the config
	 * asked for: say so and do not start */
	if (rc < 0)
		snprintf(errout, errlen, "%s (fix it, or set audit_checkpoint_file to another path or to none)", err);
	return rc;
}

/* The broker's start-up check and what it records (audit_open). */
static int
startup(audit_chain *a, char *err, size_t errlen)
{
	struct copy_src src;
	struct audit_verify_opts o = { .quick = true };
	struct audit_verify_report r;
	const uint8_t *pk = a->sk + 32;
	const struct ckpt *last = &a->cur.last;
	char e2[512], id1[17], id2[17];
	int kind = 0, rc = 0;

	memset(&src, 0, sizeof src);
	if (a->copy.path != NULL) {
		rc = copy_src_read(a->copy.path, a->log_id, &src, e2, sizeof e2);
		if (rc < 0) {
			snprintf(err, errlen, "the audit checkpoint file: %s", e2);
			copy_src_free(&src);
			return -1;
		}
		if (rc == 0) {
			o.copies = &src;
			o.ncopies = 1;
		}
	}
	if (audit_verify(a->db, &o, &r) < 0) {
		snprintf(err, errlen, "%s", r.what);
		audit_verify_free(&r);
		copy_src_free(&src);
		return -1;
	}
	if (!r.ok) {
		log_msg("audit: the start-up check failed: %s", r.failures != NULL ? r.failures : r.what);
		if (a->copy.syslog)
			auditcopy_syslog(LOG_ERR, "audit: the broker refused to start: %.900s", r.what);
		snprintf(err, errlen, "the audit log does not verify against its newest checkpoint, so this broker "
		    "will not sign over it: %.200s -- nothing was written; `sandgate audit verify` reports it all; "
		    "to go on with this log, record the break with `sandgate audit reseal --reason TEXT` (signed "
		    "and copied out), or restore the database", r.what);
		audit_verify_free(&r);
		copy_src_free(&src);
		return -1;
	}
	for (const char *p = r.notes; p != NULL && *p != '\0';) {
		const char *nl = strchr(p, '\n');
		int n = nl != NULL ? (int)(nl - p) : (int)strlen(p);

		if (strncmp(p, "warning: ", 9) == 0)
			loud(a, LOG_WARNING, "audit: %.*s", n, p + 9);
		p = nl != NULL ? nl + 1 : NULL;
	}
	if (r.key_warning[0] != '\0' && memcmp(pk, last->pk, CKPT_PK_LEN) == 0) {
		loud(a, LOG_WARNING, "WARNING: %s, and no operator has accepted it yet: `sandgate audit verify` fails "
		    "until one who knows why runs `sandgate audit reseal --reason TEXT`", r.key_warning);
		set_alert(a, "audit-key-changed", "%s: not accepted yet", r.key_warning);
	}
	audit_verify_free(&r);
	if (sync_copy(a, rc == 0 ? &src : NULL, err, errlen) < 0) {
		copy_src_free(&src);
		return -1;
	}
	copy_src_free(&src);

	if (last->version == 2 && memcmp(pk, last->pk, CKPT_PK_LEN) != 0) {
		if (memcmp(pk, last->next_key, CKPT_PK_LEN) == 0) {
			log_msg("audit: signing with key %s, handed over by key %s at checkpoint #%lld",
			    audit_keyid(pk, id1), audit_keyid(last->pk, id2), (long long)last->idx);
		} else {
			kind = CK_KEY_CHANGED;
			loud(a, LOG_WARNING, "WARNING: the audit signing key audit.key (key %s) is not the key that signed "
			    "the newest checkpoint (#%lld, key %s), and that key did not hand over to it: the key was "
			    "replaced or lost. The change is recorded in the audit log (checkpoint #%lld, kind key-changed), "
			    "and `sandgate audit verify` fails until an operator who knows why accepts it with `sandgate "
			    "audit reseal --reason TEXT`. If nobody here replaced the key, someone else did.",
			    audit_keyid(pk, id1), (long long)last->idx, audit_keyid(last->pk, id2), (long long)last->idx + 1);
			set_alert(a, "audit-key-changed", "the audit signing key changed (key %s, was %s) without a "
			    "handover: recorded; `sandgate audit verify` fails until it is accepted", id1, id2);
		}
	}
	if (last->version == 2 && (a->pol.checkpoint_rows > last->every_rows || a->pol.checkpoint_ms > last->every_ms))
		log_msg("audit: the configured checkpoint cadence (every %d rows or %lld ms) is looser than the newest "
		    "checkpoint promised (every %lld rows or %lld ms): the promise is kept until the next checkpoint, "
		    "which records the new cadence", a->pol.checkpoint_rows, (long long)a->pol.checkpoint_ms,
		    (long long)last->every_rows, (long long)last->every_ms);
	if (kind == 0 && a->cur.seq > a->cur.ckpt_seq) {
		kind = CK_RESUME;
		log_msg("audit: signing rows %lld to %lld, which the previous broker left unsigned (it stopped "
		    "without signing them: a crash?); they continue the chain from checkpoint #%lld",
		    (long long)a->cur.ckpt_seq + 1, (long long)a->cur.seq, (long long)last->idx);
	}
	if (kind != 0) {
		int64_t now = wall_clock_ms();

		rc = sqlite3_exec(a->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		audit_begin(a);
		if (rc == SQLITE_OK)
			rc = write_checkpoint(a, now, kind);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			if (!sqlite3_get_autocommit(a->db))
				sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
			audit_rollback(a);
			snprintf(err, errlen, "cannot write the audit checkpoint at start-up: %s", sqlite3_errstr(rc));
			return -1;
		}
		audit_commit(a);
	}
	return 0;
}

audit_chain *
audit_open(sqlite3 *db, const struct audit_open_opts *o, char *err, size_t errlen)
{
	audit_chain *a = chain_open(db, false, err, errlen);
	const char *dbp;
	bool none;

	if (a == NULL)
		return NULL;
	a->prune_checked_ms = 0;
	audit_set_policy(a, &(struct audit_policy){ .checkpoint_rows = o != NULL ? o->checkpoint_rows : 0,
	    .checkpoint_ms = o != NULL ? o->checkpoint_ms : 0 });
	dbp = o != NULL && o->db_path != NULL ? o->db_path : sqlite3_db_filename(db, "main");
	a->copy.path = auditcopy_path(o != NULL ? o->copy_setting : NULL, dbp != NULL ? dbp : "sandgate.db", &none);
	if (a->copy.path == NULL && !none) {
		snprintf(err, errlen, "out of memory");
		audit_close(a);
		return NULL;
	}
	a->copy.syslog = o != NULL && o->syslog;
	a->copy.fsync = o != NULL && o->fsync;
	if (startup(a, err, errlen) < 0) {
		audit_close(a);
		return NULL;
	}
	return a;
}

const char *
audit_alert(audit_chain *a, const char **code)
{
	*code = a->alert_code;
	return a->alert_code[0] != '\0' ? a->alert_msg : NULL;
}

void
audit_close(audit_chain *a)
{
	if (a == NULL)
		return;
	sqlite3_finalize(a->ins);
	sqlite3_finalize(a->ins_ckpt);
	msgpack_sbuffer_destroy(&a->sb);
	sodium_memzero(a->sk, sizeof a->sk);
	free(a->copy.path);
	free(a->pub);
	free(a);
}

int
audit_shown_param(const msgpack_object *m, char out[65])
{
	const msgpack_object *o = rpc_map_get(m, "shown_sha256");
	uint8_t h[32];

	out[0] = '\0';
	if (o == NULL || o->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (o->type != MSGPACK_OBJECT_STR || ckpt_unhex(o->via.str.ptr, o->via.str.size, h, sizeof h) < 0)
		return -1;
	ckpt_hex(h, sizeof h, out);
	return 0;
}
