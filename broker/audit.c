/* audit.c -- the tamper-evident audit log: schema, canonical row encoding,
 * the hash chain kept by the store's worker, checkpoints, retention, and
 * verification.  docs/AUDIT.md is the specification this file implements. */
#include "broker/audit.h"
#include "proto/wallclock.h"
#include "broker/broker.h"
#include "broker/log.h"
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
#include <time.h>

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
}

void
audit_commit(audit_chain *a)
{
	a->cur = a->pend;
}

void
audit_rollback(audit_chain *a)
{
	a->pend = a->cur;
}

static int
write_checkpoint(audit_chain *a, int64_t now)
{
	struct ckpt c = { .seq = a->pend.seq, .time_ms = now };
	sqlite3_stmt *st = a->ins_ckpt;
	int rc;

	memcpy(c.log_id, a->log_id, sizeof c.log_id);
	memcpy(c.hash, a->pend.hash, sizeof c.hash);
	ckpt_sign(&c, a->sk);
	sqlite3_bind_int64(st, 1, c.seq);
	sqlite3_bind_blob(st, 2, c.hash, sizeof c.hash, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, c.time_ms);
	sqlite3_bind_blob(st, 4, c.pk, sizeof c.pk, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, c.sig, sizeof c.sig, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return rc;
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
	if (a->pend.seq - a->pend.ckpt_seq >= a->pol.checkpoint_rows)
		return write_checkpoint(a, now);
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
		"SELECT c.id, c.seq, c.hash FROM audit_checkpoints c JOIN audit r ON r.seq = c.seq"
		" WHERE r.recorded_ms < ?1 AND c.seq <= ?2 ORDER BY c.seq DESC LIMIT 1",
		"SELECT c.id, c.seq, c.hash FROM audit_checkpoints c JOIN audit r ON r.seq = c.seq"
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
		due = a->cur.ckpt_ms + a->pol.checkpoint_ms;
	if (a->pol.retention_ms > 0 && a->prune_checked_ms + a->pol.checkpoint_ms < due)
		due = a->prune_checked_ms + a->pol.checkpoint_ms;
	(void)now_ms;
	return due;
}

int
audit_maintain(audit_chain *a, int64_t now, bool force)
{
	int rc;

	if (a->pend.seq > a->pend.ckpt_seq && (force || now >= a->pend.ckpt_ms + a->pol.checkpoint_ms) &&
	    (rc = write_checkpoint(a, now)) != SQLITE_OK)
		return rc;
	if (a->pol.retention_ms > 0 && !force && now >= a->prune_checked_ms + a->pol.checkpoint_ms) {
		a->prune_checked_ms = now;
		if ((rc = prune_step(a, now - a->pol.retention_ms, now)) != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/* ---- open ---- */

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
	if (sqlite3_prepare_v2(a->db, "SELECT seq, made_ms FROM audit_checkpoints"
	        " ORDER BY seq DESC, id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		goto sqlerr;
	if (sqlite3_step(st) == SQLITE_ROW) {
		a->cur.ckpt_seq = sqlite3_column_int64(st, 0);
		a->cur.ckpt_ms = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (a->cur.ckpt_seq > a->cur.seq) {
		snprintf(err, errlen, "the audit log ends at row %lld but a checkpoint signed row %lld: "
		    "rows were removed (run `sandgate audit verify`)",
		    (long long)a->cur.seq, (long long)a->cur.ckpt_seq);
		return -1;
	}
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
chain_open(sqlite3 *db, char *err, size_t errlen)
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
	    sqlite3_prepare_v2(db, "INSERT INTO audit_checkpoints (seq, hash, made_ms, public_key,"
	        " signature) VALUES (?,?,?,?,?)", -1, &a->ins_ckpt, NULL) != SQLITE_OK) {
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
audit_migrate_legacy(sqlite3 *db, char *err, size_t errlen)
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
	if ((a = chain_open(db, err, errlen)) == NULL)
		return -1;
	rc = backfill(a, err, errlen);
	audit_close(a);
	return rc < 0 ? -1 : check_all_recorded(db, err, errlen);
}

audit_chain *
audit_open(sqlite3 *db, char *err, size_t errlen)
{
	audit_chain *a = chain_open(db, err, errlen);

	if (a != NULL)
		a->prune_checked_ms = 0;
	return a;
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
	free(a);
}

/* ---- verification (any read-only connection) ---- */

struct vckpt {
	int64_t id;
	struct ckpt c;
};

static void
fail(struct audit_verify_report *r, int64_t seq, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
fail(struct audit_verify_report *r, int64_t seq, const char *fmt, ...)
{
	va_list ap;

	if (!r->ok)
		return;
	r->ok = false;
	r->bad_seq = seq;
	va_start(ap, fmt);
	vsnprintf(r->what, sizeof r->what, fmt, ap);
	va_end(ap);
}

/* Load and check every checkpoint (signature, trust, log id). */
static int
load_checkpoints(sqlite3 *db, const struct audit_verify_opts *o, struct audit_verify_report *r,
    struct vckpt **out, size_t *nout)
{
	sqlite3_stmt *st;
	struct vckpt *v = NULL;
	size_t n = 0, cap = 0;

	if (sqlite3_prepare_v2(db, "SELECT id, seq, hash, made_ms, public_key, signature"
	        " FROM audit_checkpoints ORDER BY seq, id", -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct vckpt k = { .id = sqlite3_column_int64(st, 0) };

		if (n == cap) {
			struct vckpt *nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof *v);

			if (nv == NULL) {
				sqlite3_finalize(st);
				free(v);
				return -1;
			}
			v = nv;
		}
		memcpy(k.c.log_id, r->log_id, CKPT_LOG_ID_LEN);
		k.c.seq = sqlite3_column_int64(st, 1);
		k.c.time_ms = sqlite3_column_int64(st, 3);
		if (sqlite3_column_bytes(st, 2) != CKPT_HASH_LEN || sqlite3_column_bytes(st, 4) != CKPT_PK_LEN ||
		    sqlite3_column_bytes(st, 5) != CKPT_SIG_LEN) {
			fail(r, k.c.seq, "checkpoint #%lld (row %lld) is malformed", (long long)k.id, (long long)k.c.seq);
		} else {
			memcpy(k.c.hash, sqlite3_column_blob(st, 2), CKPT_HASH_LEN);
			memcpy(k.c.pk, sqlite3_column_blob(st, 4), CKPT_PK_LEN);
			memcpy(k.c.sig, sqlite3_column_blob(st, 5), CKPT_SIG_LEN);
			if (!ckpt_check(&k.c))
				fail(r, k.c.seq, "checkpoint #%lld (row %lld): the signature does not verify "
				    "(the checkpoint was changed or forged)", (long long)k.id, (long long)k.c.seq);
			else if (o->trusted != NULL && o->trusted->n > 0 && !ckpt_keyring_has(o->trusted, k.c.pk))
				fail(r, k.c.seq, "checkpoint #%lld (row %lld) is signed by a key that is not "
				    "trusted (not in audit.pub)", (long long)k.id, (long long)k.c.seq);
		}
		v[n++] = k;
	}
	sqlite3_finalize(st);
	*out = v;
	*nout = n;
	r->checkpoints = (int64_t)n;
	return 0;
}

/* Where the chain starts: after the newest prune, whose point must be a
 * signed checkpoint. */
static int
load_start(sqlite3 *db, const struct vckpt *ck, size_t nck, struct audit_verify_report *r,
    uint8_t prev[AUDIT_HASH_LEN])
{
	sqlite3_stmt *st;
	int rc;

	memset(prev, 0, AUDIT_HASH_LEN);
	if (sqlite3_prepare_v2(db, "SELECT id, upto_seq, upto_hash, checkpoint_id, pruned_ms"
	        " FROM audit_prunes ORDER BY upto_seq", -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0), upto = sqlite3_column_int64(st, 1);
		int64_t cid = sqlite3_column_int64(st, 3);
		bool found = false;

		for (size_t i = 0; i < nck; i++)
			if (ck[i].id == cid && ck[i].c.seq == upto && sqlite3_column_bytes(st, 2) == AUDIT_HASH_LEN &&
			    memcmp(ck[i].c.hash, sqlite3_column_blob(st, 2), AUDIT_HASH_LEN) == 0)
				found = true;
		if (!found)
			fail(r, upto, "prune #%lld (rows up to %lld) does not match a signed checkpoint",
			    (long long)id, (long long)upto);
		else
			memcpy(prev, sqlite3_column_blob(st, 2), AUDIT_HASH_LEN);
		r->pruned_upto = upto;
		r->pruned_ms = sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Compare the tail against a checkpoint that signs a row past the end. */
static void
check_tail(struct audit_verify_report *r, const struct ckpt *c, const char *what)
{
	if (c->seq > r->last_seq)
		fail(r, r->last_seq + 1, "the log is truncated: it ends at row %lld but %s signed row %lld",
		    (long long)r->last_seq, what, (long long)c->seq);
}

/* Is the exported checkpoint one of this log's, validly signed by its key? */
static void
check_extra_identity(struct audit_verify_report *r, const struct audit_verify_opts *o,
    const struct vckpt *ck, size_t nck)
{
	const struct ckpt *x = o->extra;
	bool known = o->trusted != NULL && o->trusted->n > 0 ? ckpt_keyring_has(o->trusted, x->pk) : false;

	if (memcmp(x->log_id, r->log_id, CKPT_LOG_ID_LEN) != 0) {
		fail(r, 0, "the checkpoint file belongs to another audit log (log id differs)");
		return;
	}
	if (!ckpt_check(x)) {
		fail(r, 0, "the checkpoint file's signature does not verify");
		return;
	}
	for (size_t i = 0; !known && i < nck; i++)
		known = memcmp(ck[i].c.pk, x->pk, CKPT_PK_LEN) == 0;
	if (!known && (o->trusted == NULL || o->trusted->n == 0) && nck == 0)
		known = true; /* nothing else to compare with: the file is the anchor */
	if (!known)
		fail(r, 0, "the checkpoint file is signed by a key this log does not use");
}

/* Does the log still reach as far as the exported checkpoint? */
static void
check_extra_tail(struct audit_verify_report *r, const struct ckpt *x, const uint8_t pruned_hash[AUDIT_HASH_LEN])
{
	check_tail(r, x, "the checkpoint file");
	if (r->ok && x->seq == r->pruned_upto && memcmp(x->hash, pruned_hash, AUDIT_HASH_LEN) != 0)
		fail(r, x->seq, "row %lld (pruned) had a different hash than the checkpoint file says",
		    (long long)x->seq);
	else if (r->ok && x->seq < r->pruned_upto)
		snprintf(r->note, sizeof r->note, "the checkpoint file signs row %lld, which retention "
		    "has pruned (rows up to %lld); only the rows after that were checked",
		    (long long)x->seq, (long long)r->pruned_upto);
}

static bool
has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	bool yes = false;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
	        -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

/* Every request recorded while pending and no longer open was decided, so
 * it must have its audit row (schema 0004-fastpath: requests_open lists
 * the undecided ones). */
static void
check_requests(sqlite3 *db, struct audit_verify_report *r)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "SELECT id FROM requests WHERE id NOT IN (SELECT id FROM requests_open)"
	        " AND id NOT IN (SELECT request_id FROM audit) ORDER BY id LIMIT 1",
	        -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW)
		fail(r, 0, "request %lld was decided (it is no longer open) but has no audit row: audit rows "
		    "were removed", (long long)sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
}

/* Every decision must have its audit row (a cheap count first).  Only a log
 * not yet migrated to 0004-fastpath has a decisions table of its own; since
 * then `decisions` is a view of `audit`, and check_requests does this. */
static void
check_decisions(sqlite3 *db, struct audit_verify_report *r)
{
	sqlite3_stmt *st;
	int64_t nd = -1, na = -1;

	if (!has_table(db, "decisions")) {
		if (has_table(db, "requests_open"))
			check_requests(db, r);
		return;
	}
	if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM decisions), (SELECT count(*) FROM audit)",
	        -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW)
		nd = sqlite3_column_int64(st, 0), na = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	if (nd == na)
		return;
	if (sqlite3_prepare_v2(db, "SELECT d.request_id, d.decision, d.decided_by FROM decisions d WHERE NOT EXISTS"
	        " (SELECT 1 FROM audit a WHERE a.request_id = d.request_id) ORDER BY d.seq LIMIT 1",
	        -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW)
		fail(r, 0, "the decision for request %lld (%s by %s) has no audit row: audit rows were removed",
		    (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1), sqlite3_column_text(st, 2));
	else
		fail(r, 0, "%lld audit rows have no decision row (the decisions table was changed)",
		    (long long)(na - nd));
	sqlite3_finalize(st);
}

/* Walk the rows in order; the first problem ends the walk. */
static int
walk_rows(sqlite3 *db, const struct audit_verify_opts *o, struct audit_verify_report *r,
    const struct vckpt *ck, size_t nck, uint8_t prev[AUDIT_HASH_LEN])
{
	sqlite3_stmt *st;
	char sql[sizeof audit_select_sql + 32];
	int64_t expect = r->pruned_upto + 1, prev_ck = r->pruned_upto;
	size_t ci = 0;
	int rc;

	snprintf(sql, sizeof sql, "%s ORDER BY seq", audit_select_sql);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (ci < nck && ck[ci].c.seq <= r->pruned_upto)
		ci++;
	while (r->ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_value v[AF_COUNT];
		uint8_t h[AUDIT_HASH_LEN];
		int64_t seq = sqlite3_column_int64(st, 0);

		if (seq != expect) {
			fail(r, expect, seq > expect ? "row %lld is missing: the log jumps from row %lld to row %lld"
			    : "row %lld is out of place (after row %lld comes row %lld)",
			    (long long)expect, (long long)expect - 1, (long long)seq);
			break;
		}
		if (r->rows == 0)
			r->first_seq = seq;
		audit_values_from_stmt(st, v);
		if (sqlite3_column_bytes(st, AF_COUNT) != AUDIT_HASH_LEN ||
		    sqlite3_column_bytes(st, AF_COUNT + 1) != AUDIT_HASH_LEN) {
			fail(r, seq, "row %lld: its prev_hash or hash is not a %d-byte value", (long long)seq,
			    AUDIT_HASH_LEN);
			break;
		}
		audit_row_hash(sqlite3_column_blob(st, AF_COUNT), v, h);
		if (memcmp(h, sqlite3_column_blob(st, AF_COUNT + 1), AUDIT_HASH_LEN) != 0) {
			fail(r, seq, "row %lld: its contents do not match its hash (the row was changed "
			    "after it was written)", (long long)seq);
			break;
		}
		if (memcmp(prev, sqlite3_column_blob(st, AF_COUNT), AUDIT_HASH_LEN) != 0) {
			fail(r, seq, "row %lld: its prev_hash does not match the hash of row %lld (rows "
			    "before it were removed, reordered or rewritten)", (long long)seq, (long long)seq - 1);
			break;
		}
		memcpy(prev, h, AUDIT_HASH_LEN);
		for (; ci < nck && ck[ci].c.seq == seq; ci++) {
			if (memcmp(ck[ci].c.hash, h, AUDIT_HASH_LEN) != 0)
				fail(r, prev_ck + 1, "checkpoint #%lld signed another hash for row %lld: rows "
				    "%lld to %lld were rewritten after they were signed", (long long)ck[ci].id,
				    (long long)seq, (long long)prev_ck + 1, (long long)seq);
			prev_ck = seq;
		}
		if (o->extra != NULL && o->extra->seq == seq && memcmp(o->extra->hash, h, AUDIT_HASH_LEN) != 0)
			fail(r, seq, "the checkpoint file signed another hash for row %lld: the log was "
			    "rewritten up to there", (long long)seq);
		r->rows++;
		r->last_seq = seq;
		expect++;
	}
	sqlite3_finalize(st);
	if (r->rows == 0)
		r->last_seq = r->pruned_upto;
	memcpy(r->head, prev, AUDIT_HASH_LEN);
	for (; r->ok && ci < nck; ci++)
		if (ck[ci].c.seq > r->last_seq) {
			char what[64];

			snprintf(what, sizeof what, "checkpoint #%lld", (long long)ck[ci].id);
			check_tail(r, &ck[ci].c, what);
		}
	return 0;
}

int
audit_verify(sqlite3 *db, const struct audit_verify_opts *o, struct audit_verify_report *r)
{
	struct vckpt *ck = NULL;
	size_t nck = 0;
	uint8_t prev[AUDIT_HASH_LEN], pruned_hash[AUDIT_HASH_LEN];
	sqlite3_stmt *st;
	int rc = -1;

	memset(r, 0, sizeof *r);
	r->ok = true;
	if (sodium_init() < 0 || sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(r->what, sizeof r->what, "cannot read the database: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_prepare_v2(db, "SELECT log_id FROM audit_meta WHERE id = 1", -1, &st, NULL) != SQLITE_OK) {
		snprintf(r->what, sizeof r->what, "this database has no audit log (start the broker once "
		    "to add it): %s", sqlite3_errmsg(db));
		goto out;
	}
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == CKPT_LOG_ID_LEN)
		memcpy(r->log_id, sqlite3_column_blob(st, 0), CKPT_LOG_ID_LEN);
	else
		fail(r, 0, "the audit log's id (audit_meta) is missing or malformed");
	sqlite3_finalize(st);
	if (load_checkpoints(db, o, r, &ck, &nck) < 0 || load_start(db, ck, nck, r, prev) < 0) {
		snprintf(r->what, sizeof r->what, "cannot read the audit log: %s", sqlite3_errmsg(db));
		goto out;
	}
	memcpy(pruned_hash, prev, sizeof prev);
	if (r->ok && o->extra != NULL)
		check_extra_identity(r, o, ck, nck);
	if (r->ok && walk_rows(db, o, r, ck, nck, prev) < 0) {
		snprintf(r->what, sizeof r->what, "cannot read the audit log: %s", sqlite3_errmsg(db));
		goto out;
	}
	if (r->ok && o->extra != NULL)
		check_extra_tail(r, o->extra, pruned_hash);
	if (r->ok)
		check_decisions(db, r);
	rc = 0;
out:
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	free(ck);
	return rc;
}

/* ---- loop side ---- */

static void
on_health(void *arg, bool ok, const char *message)
{
	struct broker *b = arg;
	msgpack_sbuffer sb;
	msgpack_packer pk;

	log_msg("%s: %s", ok ? "store recovered" : "store error", message);
	b->store_failing = !ok;
	snprintf(b->store_error, sizeof b->store_error, "%s", ok ? "" : message);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	rpc_pack_notify(&pk, "alert");
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, 3);
	rpc_pack_kv_str(&pk, "code", ok ? "store-recovered" : "store-error");
	rpc_pack_kv_str(&pk, "message", message);
	rpc_pack_kv_int(&pk, "time_ms", wall_clock_ms());
	broker_broadcast(b, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
}

void
audit_attach(struct broker *b)
{
	struct store_tuning t = {
		.max_pages = b->cfg.db_max_pages,
		.checkpoint_rows = b->cfg.audit_checkpoint_rows,
		.checkpoint_ms = b->cfg.audit_checkpoint_ms,
		.retention_ms = b->cfg.audit_retention_ms,
	};

	store_tune(b->store, &t);
	store_on_health(b->store, on_health, b);
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
