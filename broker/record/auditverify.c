/* auditverify.c -- checking the audit log: the row hash chain, the signed
 * checkpoint chain (links, epochs, cadence, keys), recorded breaks, the
 * outside copies, and that every decided request has its row.  Used by
 * `sandgate audit verify`, `audit reseal` and the broker's start-up check.
 * docs/AUDIT.md ("What verify checks") is the specification.
 *
 * Problems are collected per epoch: an epoch is the stretch of the log
 * between two recorded breaks (epoch 0: rows written before the chain
 * existed).  Problems of the newest epoch fail; problems of an older epoch
 * fail unless a later break recorded exactly them (then they are notes).
 * Failures that no epoch explains (an untrusted key, a copy that
 * contradicts the database, a missing break record) always fail. */
#include "broker/record/audit.h"
#include "broker/record/auditcopy.h"
#include "proto/strbuf.h"
#include "proto/wallclock.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How late a due checkpoint may be before its absence is a problem. */
#define SLACK_MS 60000
/* Problems kept per epoch (the first of each check). */
#define PROB_MAX 6

struct vck {
	int64_t id;                    /* audit_checkpoints.id */
	struct ckpt c;
	bool sig_ok;
};

struct vnote {
	int64_t id, epoch, made_ms, uid;
	char *reason, *problems;
	uint8_t digest[AUDIT_HASH_LEN];
	bool ok;                       /* its start checkpoint signs this digest */
};

struct vepoch {
	int64_t n;                     /* 0: the rows before the chain */
	size_t first, count;           /* its checkpoints in ch[] */
	size_t cur;                    /* the row walk's place among them */
	int64_t start_seq, end_seq;    /* its rows: (start_seq, end_seq] */
	int64_t start_ms, end_ms;      /* its start's time; the next epoch's start time */
	int64_t last_row;              /* the last of its rows the walk saw, 0 if none */
	bool stopped;                  /* the row walk found a problem in it */
	bool truncated_said;
	int nprob;
	struct strbuf prob;            /* problems found in the database, "; " between */
	struct strbuf copyprob;        /* problems found against outside copies */
	int64_t bad_seq;
	const struct vnote *note;      /* the break that began it */
};

struct vctx {
	sqlite3 *db;
	const struct audit_verify_opts *o;
	struct audit_verify_report *r;
	int64_t now;
	struct vck *v1;                /* version 1 checkpoints, by (seq, id) */
	size_t n1;
	struct vck *ch;                /* version 2 checkpoints, by idx */
	size_t nch;
	struct vnote *notes;
	size_t nnotes;
	struct vepoch *ep;             /* ep[0]: epoch 0; then one per chain epoch */
	size_t nep;
	struct strbuf fails, gfails, cfails, notesb, keys, unacc;
	int64_t gbad_seq;
	bool in_copies;                /* vfail: a contradiction with an outside copy (listed last) */
	uint8_t prune_hash[AUDIT_HASH_LEN];
	bool read_error;
};

/* ---- reporting ---- */

static void vfail(struct vctx *x, int64_t seq, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void eprob(struct vctx *x, struct vepoch *e, int64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void enote(struct vctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
add_line(struct strbuf *b, const char *s)
{
	if (b->n > 0)
		strbuf_putc(b, '\n');
	strbuf_puts(b, s);
}

/* A failure no break can accept (listed after the epochs' problems). */
static void
vfail(struct vctx *x, int64_t seq, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	add_line(x->in_copies ? &x->cfails : &x->gfails, line);
	x->r->global_fail = true;
	if (x->gbad_seq == 0 || (x->gfails.n == 0 && !x->in_copies))
		x->gbad_seq = seq;
}

static void
vaprob(struct vepoch *e, struct strbuf *b, int64_t seq, const char *fmt, va_list ap)
{
	char line[1024];

	if (e->nprob >= PROB_MAX)
		return;
	e->nprob++;
	vsnprintf(line, sizeof line, fmt, ap);
	if (b->n > 0)
		strbuf_puts(b, "; ");
	strbuf_puts(b, line);
	if (e->bad_seq == 0)
		e->bad_seq = seq;
}

/* A problem of epoch e found in the database. */
static void
eprob(struct vctx *x, struct vepoch *e, int64_t seq, const char *fmt, ...)
{
	va_list ap;

	(void)x;
	va_start(ap, fmt);
	vaprob(e, &e->prob, seq, fmt, ap);
	va_end(ap);
}

/* A problem of epoch e found against an outside copy. */
static void ecopy(struct vepoch *e, int64_t seq, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
ecopy(struct vepoch *e, int64_t seq, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vaprob(e, &e->copyprob, seq, fmt, ap);
	va_end(ap);
}

static void
enote(struct vctx *x, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	add_line(&x->notesb, line);
}

static const char *
iso(int64_t ms, char *buf, size_t cap)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		snprintf(buf, cap, "@%lld", (long long)(ms / 1000));
	else
		strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static const char *
dur(int64_t ms, char *buf, size_t cap)
{
	if (ms % 86400000 == 0)
		snprintf(buf, cap, "%lldd", (long long)(ms / 86400000));
	else if (ms % 3600000 == 0)
		snprintf(buf, cap, "%lldh", (long long)(ms / 3600000));
	else if (ms % 60000 == 0)
		snprintf(buf, cap, "%lldm", (long long)(ms / 60000));
	else if (ms % 1000 == 0)
		snprintf(buf, cap, "%llds", (long long)(ms / 1000));
	else
		snprintf(buf, cap, "%lldms", (long long)ms);
	return buf;
}

/* The first 16 hex digits of a key: enough to tell keys apart in messages. */
const char *
audit_keyid(const uint8_t pk[CKPT_PK_LEN], char buf[17])
{
	char hex[2 * CKPT_PK_LEN + 1];

	ckpt_hex(pk, CKPT_PK_LEN, hex);
	memcpy(buf, hex, 16);
	buf[16] = '\0';
	return buf;
}

/* ---- loading ---- */

void
audit_note_digest(int64_t epoch, int64_t made_ms, int64_t uid, const char *reason,
    const char *problems, uint8_t out[AUDIT_HASH_LEN])
{
	static const char domain[] = "sandgate-audit-note-v1";
	crypto_generichash_state st;
	const char *texts[2] = { reason, problems };
	int64_t ints[3] = { epoch, made_ms, uid };
	uint8_t hd[9];

	crypto_generichash_init(&st, NULL, 0, AUDIT_HASH_LEN);
	crypto_generichash_update(&st, (const uint8_t *)domain, sizeof domain - 1);
	for (int i = 0; i < 3; i++) {
		hd[0] = 1;
		for (int k = 0; k < 8; k++)
			hd[1 + k] = (uint8_t)((uint64_t)ints[i] >> (56 - 8 * k));
		crypto_generichash_update(&st, hd, 9);
	}
	for (int i = 0; i < 2; i++) {
		size_t n = strlen(texts[i]);

		hd[0] = 2;
		for (int k = 0; k < 4; k++)
			hd[1 + k] = (uint8_t)((uint32_t)n >> (24 - 8 * k));
		crypto_generichash_update(&st, hd, 5);
		crypto_generichash_update(&st, (const uint8_t *)texts[i], n);
	}
	crypto_generichash_final(&st, out, AUDIT_HASH_LEN);
}

static bool
has_column(sqlite3 *db, const char *table, const char *col)
{
	sqlite3_stmt *st;
	bool yes = false;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
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

static bool
blob_into(sqlite3_stmt *st, int col, uint8_t *out, size_t n, bool null_is_zero)
{
	if (null_is_zero && sqlite3_column_type(st, col) == SQLITE_NULL) {
		memset(out, 0, n);
		return true;
	}
	if (sqlite3_column_type(st, col) != SQLITE_BLOB || (size_t)sqlite3_column_bytes(st, col) != n)
		return false;
	memcpy(out, sqlite3_column_blob(st, col), n);
	return true;
}

static int
push_ck(struct vck **v, size_t *n, size_t *cap, const struct vck *k)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct vck *nv = realloc(*v, nc * sizeof *nv);

		if (nv == NULL)
			return -1;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = *k;
	return 0;
}

static int
by_idx(const void *a, const void *b)
{
	const struct vck *x = a, *y = b;

	if (x->c.idx != y->c.idx)
		return x->c.idx < y->c.idx ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int
by_seq_id(const void *a, const void *b)
{
	const struct vck *x = a, *y = b;

	if (x->c.seq != y->c.seq)
		return x->c.seq < y->c.seq ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Every stored checkpoint, its signature and whether its key is trusted. */
static int
load_checkpoints(struct vctx *x)
{
	struct audit_verify_report *r = x->r;
	const struct ckpt_keyring *ring = x->o->trusted;
	sqlite3_stmt *st;
	size_t cap1 = 0, cap2 = 0;
	int64_t first_v2_id = 0;
	int rc;

	if (sqlite3_prepare_v2(x->db, r->chain
	        ? "SELECT id, seq, hash, made_ms, public_key, signature, version, idx, epoch, kind,"
	          " prev_seq, prev, every_rows, every_ms, next_key, note FROM audit_checkpoints ORDER BY id"
	        : "SELECT id, seq, hash, made_ms, public_key, signature FROM audit_checkpoints ORDER BY id",
	        -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct vck k = { .id = sqlite3_column_int64(st, 0) };
		struct ckpt *c = &k.c;
		bool v2 = r->chain && sqlite3_column_int64(st, 6) == 2, ok;

		memcpy(c->log_id, r->log_id, CKPT_LOG_ID_LEN);
		c->seq = sqlite3_column_int64(st, 1);
		c->time_ms = sqlite3_column_int64(st, 3);
		c->version = v2 ? 2 : 1;
		ok = blob_into(st, 2, c->hash, CKPT_HASH_LEN, false) && blob_into(st, 4, c->pk, CKPT_PK_LEN, false) &&
		    blob_into(st, 5, c->sig, CKPT_SIG_LEN, false);
		if (v2) {
			const char *kind = (const char *)sqlite3_column_text(st, 9);

			c->idx = sqlite3_column_int64(st, 7);
			c->epoch = sqlite3_column_int64(st, 8);
			c->kind = kind != NULL ? ckpt_kind_parse(kind, strlen(kind)) : 0;
			c->prev_seq = sqlite3_column_int64(st, 10);
			c->every_rows = sqlite3_column_int64(st, 12);
			c->every_ms = sqlite3_column_int64(st, 13);
			ok = ok && c->kind != 0 && c->idx > 0 && c->epoch > 0 &&
			    blob_into(st, 11, c->prev, CKPT_HASH_LEN, false) &&
			    blob_into(st, 14, c->next_key, CKPT_PK_LEN, true) &&
			    blob_into(st, 15, c->note, CKPT_HASH_LEN, true);
		}
		if (!ok) {
			vfail(x, c->seq, "checkpoint %s#%lld (row %lld) is malformed", v2 ? "" : "row ",
			    (long long)(v2 ? c->idx : k.id), (long long)c->seq);
			continue;
		}
		k.sig_ok = ckpt_check(c);
		if (!v2 && !k.sig_ok)
			vfail(x, c->seq, "checkpoint #%lld (row %lld): the signature does not verify (the checkpoint "
			    "was changed or forged)", (long long)k.id, (long long)c->seq);
		if (k.sig_ok && ring != NULL && ring->n > 0 && !ckpt_keyring_has(ring, c->pk))
			vfail(x, c->seq, "checkpoint #%lld (row %lld) is signed by a key that is not trusted "
			    "(not in audit.pub)", (long long)(v2 ? c->idx : k.id), (long long)c->seq);
		if (v2 && first_v2_id == 0)
			first_v2_id = k.id;
		if (!v2 && first_v2_id != 0)
			vfail(x, c->seq, "checkpoint row #%lld (row %lld) is in the old format but was written after "
			    "the checkpoint chain began", (long long)k.id, (long long)c->seq);
		if (push_ck(v2 ? &x->ch : &x->v1, v2 ? &x->nch : &x->n1, v2 ? &cap2 : &cap1, &k) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (x->nch > 1)
		qsort(x->ch, x->nch, sizeof *x->ch, by_idx);
	if (x->n1 > 1)
		qsort(x->v1, x->n1, sizeof *x->v1, by_seq_id);
	r->checkpoints = (int64_t)(x->n1 + x->nch);
	r->chain_len = (int64_t)x->nch;
	if (x->nch > 0) {
		r->have_last = true;
		r->last = x->ch[x->nch - 1].c;
		r->have_newest = true;
		r->newest = r->last;
	}
	return 0;
}

static int
load_notes(struct vctx *x)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	if (!x->r->chain)
		return 0;
	if (sqlite3_prepare_v2(x->db, "SELECT id, epoch, made_ms, uid, reason, problems FROM audit_notes ORDER BY id",
	        -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct vnote n = {
			.id = sqlite3_column_int64(st, 0), .epoch = sqlite3_column_int64(st, 1),
			.made_ms = sqlite3_column_int64(st, 2), .uid = sqlite3_column_int64(st, 3),
		};
		const char *reason = (const char *)sqlite3_column_text(st, 4);
		const char *problems = (const char *)sqlite3_column_text(st, 5);

		n.reason = strdup(reason != NULL ? reason : "");
		n.problems = strdup(problems != NULL ? problems : "");
		if (x->nnotes == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct vnote *nv = realloc(x->notes, nc * sizeof *nv);

			if (nv == NULL) {
				free(n.reason);
				free(n.problems);
				break;
			}
			x->notes = nv;
			cap = nc;
		}
		if (n.reason == NULL || n.problems == NULL) {
			free(n.reason);
			free(n.problems);
			break;
		}
		audit_note_digest(n.epoch, n.made_ms, n.uid, n.reason, n.problems, n.digest);
		x->notes[x->nnotes++] = n;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Where the rows start: after the newest prune, whose point must be a
 * signed checkpoint (of either version). */
static int
load_prunes(struct vctx *x)
{
	struct audit_verify_report *r = x->r;
	sqlite3_stmt *st;
	int rc;

	memset(x->prune_hash, 0, sizeof x->prune_hash);
	if (sqlite3_prepare_v2(x->db, "SELECT id, upto_seq, upto_hash, checkpoint_id, pruned_ms"
	        " FROM audit_prunes ORDER BY upto_seq", -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0), upto = sqlite3_column_int64(st, 1);
		int64_t cid = sqlite3_column_int64(st, 3);
		bool found = false;
		uint8_t h[AUDIT_HASH_LEN];
		bool hok = blob_into(st, 2, h, sizeof h, false);

		for (size_t i = 0; hok && !found && i < x->n1; i++)
			found = x->v1[i].id == cid && x->v1[i].sig_ok && x->v1[i].c.seq == upto &&
			    memcmp(x->v1[i].c.hash, h, sizeof h) == 0;
		for (size_t i = 0; hok && !found && i < x->nch; i++)
			found = x->ch[i].id == cid && x->ch[i].sig_ok && x->ch[i].c.seq == upto &&
			    memcmp(x->ch[i].c.hash, h, sizeof h) == 0;
		if (!found)
			vfail(x, upto, "prune #%lld (rows up to %lld) does not match a signed checkpoint",
			    (long long)id, (long long)upto);
		else
			memcpy(x->prune_hash, h, sizeof h);
		r->pruned_upto = upto;
		r->pruned_ms = sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* ---- the checkpoint chain ---- */

static struct vepoch *
epoch_of_ck(struct vctx *x, size_t i)
{
	for (size_t k = 1; k < x->nep; k++)
		if (i >= x->ep[k].first && i < x->ep[k].first + x->ep[k].count)
			return &x->ep[k];
	return &x->ep[0];
}

/* The epoch whose rows hold seq (never NULL). */
static struct vepoch *
epoch_of_seq(struct vctx *x, int64_t seq)
{
	for (size_t k = 0; k < x->nep; k++)
		if (seq > x->ep[k].start_seq && seq <= x->ep[k].end_seq)
			return &x->ep[k];
	return &x->ep[x->nep - 1];
}

static int
build_epochs(struct vctx *x)
{
	size_t n = 1;
	int64_t m = INT64_MAX, mt = INT64_MAX;

	for (size_t i = 0; i < x->nch; i++)
		if (i == 0 || x->ch[i].c.epoch != x->ch[i - 1].c.epoch)
			n++;
	if ((x->ep = calloc(n, sizeof *x->ep)) == NULL)
		return -1;
	x->nep = 1;
	for (size_t i = 0; i < x->nch; i++) {
		if (i == 0 || x->ch[i].c.epoch != x->ch[i - 1].c.epoch) {
			struct vepoch *e = &x->ep[x->nep++];

			e->n = x->ch[i].c.epoch;
			e->first = i;
			e->start_seq = x->ch[i].c.seq;
			e->start_ms = x->ch[i].c.time_ms;
		}
		x->ep[x->nep - 1].count++;
	}
	/* epoch 0 ends where the chain starts; each epoch ends where a later
	 * one starts (a break may restart below an earlier epoch's rows) */
	x->ep[0].start_seq = 0;
	x->ep[0].start_ms = 0;
	for (size_t k = x->nep; k-- > 0;) {
		x->ep[k].end_seq = m;
		x->ep[k].end_ms = mt;
		if (k > 0 || x->nep == 1) {
			if (x->ep[k].start_seq < m)
				m = x->ep[k].start_seq;
			mt = x->ep[k].start_ms;
		}
	}
	if (x->nep > 1)
		x->ep[0].end_seq = x->ep[1].start_seq < x->ep[0].end_seq ? x->ep[1].start_seq : x->ep[0].end_seq;
	return 0;
}

struct keyseg {
	uint8_t pk[CKPT_PK_LEN];
	int64_t first, last;
	char how[200];
};

static void
key_segment(struct vctx *x, struct keyseg *cur, bool *open, const struct ckpt *c, const char *how)
{
	char id[17], line[512];

	if (*open && memcmp(cur->pk, c->pk, CKPT_PK_LEN) == 0) {
		cur->last = c->idx;
		return;
	}
	if (*open) {
		snprintf(line, sizeof line, "key %s: checkpoints #%lld to #%lld (%s)", audit_keyid(cur->pk, id),
		    (long long)cur->first, (long long)cur->last, cur->how);
		add_line(&x->keys, line);
	}
	memcpy(cur->pk, c->pk, CKPT_PK_LEN);
	cur->first = cur->last = c->idx;
	snprintf(cur->how, sizeof cur->how, "%s", how);
	*open = true;
}

static const struct vnote *
note_for_epoch(struct vctx *x, int64_t epoch)
{
	for (size_t i = x->nnotes; i-- > 0;)
		if (x->notes[i].epoch == epoch)
			return &x->notes[i];
	return NULL;
}

/* Links, epochs, cadence and keys along the chain. */
static void
walk_chain(struct vctx *x)
{
	struct keyseg seg;
	bool open = false;
	char id1[17], id2[17], t1[32], t2[32], d1[32], d2[32], how[200];

	if (x->nch == 0) {
		if (x->r->chain)
			vfail(x, 0, "the audit log has no signed checkpoint chain: its checkpoints were removed "
			    "(a broker of this version starts the chain when it creates or upgrades a log)");
		return;
	}
	for (size_t i = 0; i < x->nch; i++) {
		const struct vck *k = &x->ch[i], *p = i > 0 ? &x->ch[i - 1] : NULL;
		const struct ckpt *c = &k->c;
		struct vepoch *e = epoch_of_ck(x, i);
		uint8_t d[CKPT_HASH_LEN];
		bool new_epoch = p != NULL && c->epoch != p->c.epoch;

		if (!k->sig_ok)
			eprob(x, e, c->seq, "checkpoint #%lld (row %lld): the signature does not verify (the "
			    "checkpoint was changed or forged)", (long long)c->idx, (long long)c->seq);
		if (p == NULL) {
			if (c->idx != 1)
				eprob(x, e, c->seq, "checkpoint%s #1%s%.0lld %s missing: the chain's start was removed",
				    c->idx > 2 ? "s" : "", c->idx > 2 ? " to #" : "", c->idx > 2 ? (long long)c->idx - 1 : 0,
				    c->idx > 2 ? "are" : "is");
			else if (c->epoch != 1 || c->kind != CK_START || c->prev_seq != 0 ||
			    !ckpt_zero(c->prev, CKPT_HASH_LEN))
				eprob(x, e, c->seq, "checkpoint #1 is not the start of a chain");
			key_segment(x, &seg, &open, c, "from the start of the chain");
			continue;
		}
		if (c->idx == p->c.idx) {
			eprob(x, e, c->seq, "there are two checkpoints #%lld", (long long)c->idx);
			continue;
		}
		if (c->idx != p->c.idx + 1) {
			if (new_epoch && c->kind == CK_START)
				enote(x, "checkpoint%s #%lld%s%.0lld %s not in the database (epoch %lld begins at #%lld "
				    "after a recorded break)", c->idx - p->c.idx > 2 ? "s" : "", (long long)p->c.idx + 1,
				    c->idx - p->c.idx > 2 ? " to #" : "", c->idx - p->c.idx > 2 ? (long long)c->idx - 1 : 0,
				    c->idx - p->c.idx > 2 ? "are" : "is", (long long)c->epoch, (long long)c->idx);
			else
				eprob(x, e, c->seq, "checkpoint%s #%lld%s%.0lld %s missing: the chain jumps from #%lld to #%lld",
				    c->idx - p->c.idx > 2 ? "s" : "", (long long)p->c.idx + 1,
				    c->idx - p->c.idx > 2 ? " to #" : "", c->idx - p->c.idx > 2 ? (long long)c->idx - 1 : 0,
				    c->idx - p->c.idx > 2 ? "are" : "is", (long long)p->c.idx, (long long)c->idx);
		} else {
			ckpt_digest(&p->c, d);
			if (memcmp(d, c->prev, sizeof d) != 0 || c->prev_seq != p->c.seq)
				eprob(x, e, c->seq, "checkpoint #%lld does not follow #%lld (its link to it differs): "
				    "checkpoints were replaced", (long long)c->idx, (long long)p->c.idx);
		}
		if (new_epoch) {
			const struct vnote *n = note_for_epoch(x, c->epoch);

			if (c->epoch != p->c.epoch + 1 || c->kind != CK_START) {
				eprob(x, e, c->seq, "checkpoint #%lld begins epoch %lld after epoch %lld without a "
				    "recorded break", (long long)c->idx, (long long)c->epoch, (long long)p->c.epoch);
			} else if (n == NULL || memcmp(n->digest, c->note, AUDIT_HASH_LEN) != 0) {
				vfail(x, c->seq, "checkpoint #%lld begins epoch %lld, but the record of the break it signs "
				    "(audit_notes) is missing or was changed", (long long)c->idx, (long long)c->epoch);
			} else {
				e->note = n;
				((struct vnote *)n)->ok = true;
			}
			snprintf(how, sizeof how, "from #%lld, which began epoch %lld after a recorded break",
			    (long long)c->idx, (long long)c->epoch);
			key_segment(x, &seg, &open, c, how);
			continue;
		}
		if (c->kind == CK_START)
			eprob(x, e, c->seq, "checkpoint #%lld restarts epoch %lld", (long long)c->idx, (long long)c->epoch);
		if (c->seq < p->c.seq)
			eprob(x, e, c->seq, "checkpoint #%lld signs row %lld, before row %lld of #%lld",
			    (long long)c->idx, (long long)c->seq, (long long)p->c.seq, (long long)p->c.idx);
		else if (c->seq - p->c.seq > p->c.every_rows)
			eprob(x, e, p->c.seq + 1, "rows %lld to %lld were signed only by checkpoint #%lld, but #%lld "
			    "promised a checkpoint every %lld rows: checkpoints between them were removed",
			    (long long)p->c.seq + 1, (long long)c->seq, (long long)c->idx, (long long)p->c.idx,
			    (long long)p->c.every_rows);
		if (memcmp(c->pk, p->c.pk, CKPT_PK_LEN) != 0) {
			if (memcmp(c->pk, p->c.next_key, CKPT_PK_LEN) == 0) {
				snprintf(how, sizeof how, "handed over by key %s at #%lld", audit_keyid(p->c.pk, id1),
				    (long long)p->c.idx);
			} else if (c->kind == CK_KEY_CHANGED) {
				char msg[sizeof x->r->key_warning];

				snprintf(msg, sizeof msg, "the signing key changed at checkpoint #%lld (row %lld, %s) from "
				    "%s to %s without a handover by the old key", (long long)c->idx, (long long)c->seq,
				    iso(c->time_ms, t1, sizeof t1), audit_keyid(p->c.pk, id1), audit_keyid(c->pk, id2));
				/* the broker that noticed recorded it: a starting broker
				 * reports it again but signs on; verify fails on it */
				if (x->o->quick) {
					if (e == &x->ep[x->nep - 1])
						snprintf(x->r->key_warning, sizeof x->r->key_warning, "%s", msg);
				} else
					eprob(x, e, c->seq, "%s", msg);
				snprintf(how, sizeof how, "changed at #%lld without a handover: unaccepted unless a later "
				    "break records it", (long long)c->idx);
			} else {
				eprob(x, e, c->seq, "checkpoint #%lld is signed by key %s, but #%lld by key %s, and "
				    "nothing records the change", (long long)c->idx, audit_keyid(c->pk, id1),
				    (long long)p->c.idx, audit_keyid(p->c.pk, id2));
				snprintf(how, sizeof how, "appears at #%lld with nothing recording the change", (long long)c->idx);
			}
			key_segment(x, &seg, &open, c, how);
		} else {
			key_segment(x, &seg, &open, c, "");
		}
		if (c->every_rows != p->c.every_rows || c->every_ms != p->c.every_ms)
			enote(x, "the checkpoint cadence changed at #%lld (%s): every %lld rows or %s, then every "
			    "%lld rows or %s", (long long)c->idx, iso(c->time_ms, t2, sizeof t2),
			    (long long)p->c.every_rows, dur(p->c.every_ms, d1, sizeof d1), (long long)c->every_rows,
			    dur(c->every_ms, d2, sizeof d2));
	}
	if (open) {
		char line[512];

		snprintf(line, sizeof line, "key %s: checkpoints #%lld to #%lld (%s)", audit_keyid(seg.pk, id1),
		    (long long)seg.first, (long long)seg.last, seg.how);
		add_line(&x->keys, line);
	}
	for (size_t i = 0; i < x->nnotes; i++)
		if (!x->notes[i].ok)
			vfail(x, 0, "the break record #%lld (epoch %lld) is not signed by a checkpoint that begins "
			    "its epoch: it was added or changed", (long long)x->notes[i].id,
			    (long long)x->notes[i].epoch);
}

/* ---- the rows ---- */

static int64_t
query_i64(sqlite3 *db, const char *sql, int64_t a, int64_t b, int64_t dflt)
{
	sqlite3_stmt *st;
	int64_t v = dflt;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return dflt;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Compare row seq's hash h against the checkpoints of e that sign it. */
static void
row_checkpoints(struct vctx *x, struct vepoch *e, int64_t seq, const uint8_t h[AUDIT_HASH_LEN],
    size_t *ci, int64_t *prev_ck)
{
	if (e->n == 0) {
		for (; *ci < x->n1 && x->v1[*ci].c.seq < seq; (*ci)++)
			;
		for (; *ci < x->n1 && x->v1[*ci].c.seq == seq; (*ci)++) {
			if (memcmp(x->v1[*ci].c.hash, h, AUDIT_HASH_LEN) != 0 && !e->stopped) {
				eprob(x, e, *prev_ck + 1, "checkpoint #%lld signed another hash for row %lld: rows %lld "
				    "to %lld were rewritten after they were signed", (long long)x->v1[*ci].id,
				    (long long)seq, (long long)*prev_ck + 1, (long long)seq);
				e->stopped = true;
			}
			*prev_ck = seq;
		}
		return;
	}
	/* within an epoch checkpoints sign rows in order (else the chain walk
	 * reported it): a cursor keeps this linear */
	if (e->cur < e->first)
		e->cur = e->first;
	for (; e->cur < e->first + e->count && x->ch[e->cur].c.seq < seq; e->cur++)
		;
	for (size_t i = e->cur; i < e->first + e->count && x->ch[i].c.seq == seq; i++) {
		const struct ckpt *c = &x->ch[i].c;

		if (!x->ch[i].sig_ok)
			continue;
		if (memcmp(c->hash, h, AUDIT_HASH_LEN) != 0 && !e->stopped) {
			eprob(x, e, *prev_ck + 1, "checkpoint #%lld signed another hash for row %lld: rows %lld to "
			    "%lld were rewritten after they were signed", (long long)c->idx, (long long)seq,
			    (long long)*prev_ck + 1, (long long)seq);
			e->stopped = true;
		}
		*prev_ck = seq;
	}
}

/* The checkpoints of the epoch after e (the next one with rows after e's)
 * that sign e's last row: a break signs the head it began at. */
static void
boundary_check(struct vctx *x, struct vepoch *e, int64_t seq, const uint8_t stored[AUDIT_HASH_LEN])
{
	for (size_t k = 1; k < x->nep; k++) {
		const struct vepoch *n = &x->ep[k];
		const struct ckpt *c = &x->ch[n->first].c;

		if (n == e || n->start_seq != seq || c->kind != CK_START || !x->ch[n->first].sig_ok)
			continue;
		if (memcmp(c->hash, stored, AUDIT_HASH_LEN) != 0)
			eprob(x, e, seq, "row %lld was changed after checkpoint #%lld began epoch %lld over it",
			    (long long)seq, (long long)c->idx, (long long)n->n);
	}
}

/* Walk rows [from, ...) in order with prev as the hash before from.
 * Quick mode passes the newest checkpoint's row + 1. */
static int
walk_rows(struct vctx *x, int64_t from, const uint8_t start_prev[AUDIT_HASH_LEN])
{
	struct audit_verify_report *r = x->r;
	const struct ckpt *extra = x->o->extra;
	sqlite3_stmt *st;
	char sql[1024];
	uint8_t prev[AUDIT_HASH_LEN];
	int64_t expect = from, prev_ck = from - 1;
	struct vepoch *e = NULL;
	size_t ci = 0;
	int rc;

	memcpy(prev, start_prev, sizeof prev);
	snprintf(sql, sizeof sql, "%s WHERE seq >= ?1 ORDER BY seq", audit_select_sql);
	if (sqlite3_prepare_v2(x->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, from);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_value v[AF_COUNT];
		uint8_t h[AUDIT_HASH_LEN];
		int64_t seq = sqlite3_column_int64(st, 0);
		struct vepoch *re = epoch_of_seq(x, seq);
		const void *stored_prev = sqlite3_column_blob(st, AF_COUNT);
		const void *stored = sqlite3_column_blob(st, AF_COUNT + 1);
		bool lens = sqlite3_column_bytes(st, AF_COUNT) == AUDIT_HASH_LEN &&
		    sqlite3_column_bytes(st, AF_COUNT + 1) == AUDIT_HASH_LEN;

		if (re != e) {
			/* into the next epoch: its rows chain from its start's signed hash */
			if (e != NULL && re->n > 0 && re->start_seq == expect - 1 && x->ch[re->first].c.kind == CK_START)
				memcpy(prev, x->ch[re->first].c.hash, sizeof prev);
			e = re;
			prev_ck = seq - 1;
		}
		if (r->rows == 0)
			r->first_seq = seq;
		r->rows++;
		if (seq != expect) {
			struct vepoch *me = epoch_of_seq(x, expect);

			if (!me->stopped) {
				eprob(x, me, expect, seq > expect ? "row %lld is missing: the log jumps from row %lld to row %lld"
				    : "row %lld is out of place (after row %lld comes row %lld)", (long long)expect,
				    (long long)expect - 1, (long long)seq);
				me->stopped = true;
			}
			if (seq > expect && e == me)
				e->stopped = true;
		}
		expect = seq + 1;
		e->last_row = seq;
		r->last_seq = seq;
		if (!lens) {
			if (!e->stopped)
				eprob(x, e, seq, "row %lld: its prev_hash or hash is not a %d-byte value", (long long)seq,
				    AUDIT_HASH_LEN);
			e->stopped = true;
			memset(prev, 0, sizeof prev);
			continue;
		}
		boundary_check(x, e, seq, stored);
		if (e->stopped) {
			memcpy(prev, stored, sizeof prev);
			continue;
		}
		audit_values_from_stmt(st, v);
		audit_row_hash(stored_prev, v, h);
		if (memcmp(h, stored, AUDIT_HASH_LEN) != 0) {
			eprob(x, e, seq, "row %lld: its contents do not match its hash (the row was changed after "
			    "it was written)", (long long)seq);
			e->stopped = true;
		} else if (memcmp(prev, stored_prev, AUDIT_HASH_LEN) != 0) {
			eprob(x, e, seq, "row %lld: its prev_hash does not match the hash of row %lld (rows before "
			    "it were removed, reordered or rewritten)", (long long)seq, (long long)seq - 1);
			e->stopped = true;
		} else {
			row_checkpoints(x, e, seq, h, &ci, &prev_ck);
		}
		if (extra != NULL && extra->seq == seq && memcmp(extra->hash, stored, AUDIT_HASH_LEN) != 0)
			vfail(x, seq, "the checkpoint file signed another hash for row %lld: the log was rewritten up "
			    "to there", (long long)seq);
		memcpy(prev, stored, sizeof prev);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	memcpy(r->head, prev, sizeof prev);
	return 0;
}

/* Quick mode: the stored hash of each row the newest epoch's checkpoints
 * sign, then the rows after its newest checkpoint. */
static int
quick_rows(struct vctx *x)
{
	struct vepoch *e = &x->ep[x->nep - 1];
	const struct ckpt *last = NULL;
	sqlite3_stmt *st;
	uint8_t from_hash[AUDIT_HASH_LEN];
	int64_t from;

	if (sqlite3_prepare_v2(x->db, "SELECT hash FROM audit WHERE seq = ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	for (size_t i = e->first; e->n > 0 && i < e->first + e->count; i++) {
		const struct ckpt *c = &x->ch[i].c;

		if (!x->ch[i].sig_ok)
			continue;
		last = c;
		if (c->seq <= x->r->pruned_upto || c->seq == 0)
			continue;
		sqlite3_bind_int64(st, 1, c->seq);
		if (sqlite3_step(st) == SQLITE_ROW && (sqlite3_column_bytes(st, 0) != AUDIT_HASH_LEN ||
		    memcmp(sqlite3_column_blob(st, 0), c->hash, AUDIT_HASH_LEN) != 0)) {
			eprob(x, e, c->seq, "checkpoint #%lld signed another hash for row %lld: the log was rewritten "
			    "after it was signed", (long long)c->idx, (long long)c->seq);
			e->stopped = true;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (e->stopped)
		return 0;
	if (last != NULL && last->seq >= x->r->pruned_upto) {
		from = last->seq + 1;
		memcpy(from_hash, last->hash, sizeof from_hash);
	} else {
		from = x->r->pruned_upto + 1;
		memcpy(from_hash, x->prune_hash, sizeof from_hash);
	}
	x->r->rows = 0;
	return walk_rows(x, from, from_hash);
}

/* After the walk: checkpoints past an epoch's end, and rows after its
 * newest checkpoint beyond the promised cadence. */
static void
check_tails(struct vctx *x)
{
	struct audit_verify_report *r = x->r;
	char t[32], d[32];

	for (size_t k = 0; k < x->nep; k++) {
		struct vepoch *e = &x->ep[k];
		bool last = k == x->nep - 1;
		int64_t end = e->end_seq, e_last;
		const struct ckpt *past = NULL, *newest = NULL;
		int64_t past_id = 0;

		if (x->o->quick && !last)
			continue;
		if (e->n == 0 && x->nep > 1 && e->start_seq >= e->end_seq)
			continue;
		e_last = query_i64(x->db, "SELECT max(seq) FROM audit WHERE seq > ?1 AND seq <= ?2",
		    e->start_seq, end, -1);
		if (e_last < 0)
			e_last = r->pruned_upto > e->start_seq && r->pruned_upto <= end ? r->pruned_upto : e->start_seq;
		if (e->n == 0) {
			for (size_t i = 0; i < x->n1; i++)
				if (x->v1[i].c.seq > e_last && (past == NULL || x->v1[i].c.seq > past->seq))
					past = &x->v1[i].c, past_id = x->v1[i].id;
		} else {
			for (size_t i = e->first; i < e->first + e->count; i++) {
				const struct ckpt *c = &x->ch[i].c;

				if (!x->ch[i].sig_ok)
					continue;
				if (c->seq > e_last) {
					if (past == NULL || c->seq > past->seq)
						past = c, past_id = c->idx;
				} else {
					newest = c;
				}
			}
		}
		if (past != NULL) {
			if (last)
				eprob(x, e, e_last + 1, "the log is truncated: it ends at row %lld but checkpoint #%lld signed "
				    "row %lld", (long long)e_last, (long long)past_id, (long long)past->seq);
			else
				eprob(x, e, e_last + 1, "epoch %lld ends at row %lld but its checkpoint #%lld signed row %lld: "
				    "rows were removed", (long long)e->n, (long long)e_last, (long long)past_id,
				    (long long)past->seq);
			continue;
		}
		if (newest == NULL || e_last <= newest->seq)
			continue;
		if (e_last - newest->seq >= newest->every_rows) {
			eprob(x, e, newest->seq + 1, "rows %lld to %lld follow checkpoint #%lld, which promised a "
			    "checkpoint every %lld rows: the checkpoints after it were removed", (long long)newest->seq + 1,
			    (long long)e_last, (long long)newest->idx, (long long)newest->every_rows);
		} else if (!x->o->quick) {
			int64_t rec = query_i64(x->db, "SELECT recorded_ms FROM audit WHERE seq = ?1 AND ?2 = ?2",
			    newest->seq + 1, 0, INT64_MIN);
			int64_t at = last ? x->now : e->end_ms;

			if (rec != INT64_MIN && at - rec > newest->every_ms + SLACK_MS)
				eprob(x, e, newest->seq + 1, "rows %lld to %lld are not signed, although checkpoint #%lld "
				    "promised a checkpoint within %s (row %lld was recorded at %s): the checkpoints after "
				    "it were removed, or the broker that wrote them stopped without signing them (after a "
				    "crash, a broker that starts signs them)", (long long)newest->seq + 1, (long long)e_last,
				    (long long)newest->idx, dur(newest->every_ms, d, sizeof d), (long long)newest->seq + 1,
				    iso(rec, t, sizeof t));
		}
	}
}

/* Every request recorded while pending and no longer open was decided, so
 * it must have its audit row; a missing one is a problem of the epoch it
 * was created in. */
static void
check_requests(struct vctx *x)
{
	sqlite3_stmt *st;

	if (!has_table(x->db, "requests_open"))
		return;
	if (sqlite3_prepare_v2(x->db, "SELECT id, created_ms FROM requests WHERE id NOT IN (SELECT id FROM"
	        " requests_open) AND id NOT IN (SELECT request_id FROM audit) ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0), at = sqlite3_column_int64(st, 1);
		struct vepoch *e = &x->ep[0];

		for (size_t k = 1; k < x->nep; k++)
			if (x->ep[k].start_ms <= at)
				e = &x->ep[k];
		if (strstr(e->prob.p != NULL ? e->prob.p : "", "but has no audit row") == NULL)
			eprob(x, e, 0, "request %lld was decided (it is no longer open) but has no audit row: audit "
			    "rows were removed", (long long)id);
	}
	sqlite3_finalize(st);
}

/* A log not yet migrated to 0004-fastpath has a decisions table of its own. */
static void
check_decisions(struct vctx *x)
{
	sqlite3_stmt *st;
	int64_t nd = -1, na = -1;

	if (!has_table(x->db, "decisions")) {
		check_requests(x);
		return;
	}
	if (sqlite3_prepare_v2(x->db, "SELECT (SELECT count(*) FROM decisions), (SELECT count(*) FROM audit)",
	        -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW)
		nd = sqlite3_column_int64(st, 0), na = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	if (nd == na)
		return;
	if (sqlite3_prepare_v2(x->db, "SELECT d.request_id, d.decision, d.decided_by FROM decisions d WHERE NOT EXISTS"
	        " (SELECT 1 FROM audit a WHERE a.request_id = d.request_id) ORDER BY d.seq LIMIT 1",
	        -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW)
		eprob(x, &x->ep[0], 0, "the decision for request %lld (%s by %s) has no audit row: audit rows were removed",
		    (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1), sqlite3_column_text(st, 2));
	else
		eprob(x, &x->ep[0], 0, "%lld audit rows have no decision row (the decisions table was changed)",
		    (long long)(na - nd));
	sqlite3_finalize(st);
}

/* ---- the exported version 1 checkpoint (--checkpoint FILE) ---- */

static void
extra_identity(struct vctx *x)
{
	const struct ckpt *e = x->o->extra;
	const struct ckpt_keyring *ring = x->o->trusted;
	bool known = ring != NULL && ring->n > 0 ? ckpt_keyring_has(ring, e->pk) : false;

	if (memcmp(e->log_id, x->r->log_id, CKPT_LOG_ID_LEN) != 0) {
		vfail(x, 0, "the checkpoint file belongs to another audit log (log id differs)");
		return;
	}
	if (!ckpt_check(e)) {
		vfail(x, 0, "the checkpoint file's signature does not verify");
		return;
	}
	for (size_t i = 0; !known && i < x->n1; i++)
		known = memcmp(x->v1[i].c.pk, e->pk, CKPT_PK_LEN) == 0;
	for (size_t i = 0; !known && i < x->nch; i++)
		known = memcmp(x->ch[i].c.pk, e->pk, CKPT_PK_LEN) == 0;
	if (!known && (ring == NULL || ring->n == 0) && x->n1 + x->nch == 0)
		known = true; /* nothing else to compare with: the file is the anchor */
	if (!known)
		vfail(x, 0, "the checkpoint file is signed by a key this log does not use");
}

static void
extra_tail(struct vctx *x)
{
	const struct ckpt *e = x->o->extra;
	struct audit_verify_report *r = x->r;

	if (e->seq > r->last_seq && e->seq > r->pruned_upto)
		vfail(x, r->last_seq + 1, "the log is truncated: it ends at row %lld but the checkpoint file signed "
		    "row %lld", (long long)r->last_seq, (long long)e->seq);
	else if (e->seq == r->pruned_upto && memcmp(e->hash, x->prune_hash, AUDIT_HASH_LEN) != 0)
		vfail(x, e->seq, "row %lld (pruned) had a different hash than the checkpoint file says", (long long)e->seq);
	else if (e->seq < r->pruned_upto)
		snprintf(r->note, sizeof r->note, "the checkpoint file signs row %lld, which retention has pruned "
		    "(rows up to %lld); only the rows after that were checked", (long long)e->seq,
		    (long long)r->pruned_upto);
}

/* ---- outside copies ---- */

static const struct vck *
find_idx(const struct vctx *x, int64_t idx)
{
	size_t lo = 0, hi = x->nch;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (x->ch[mid].c.idx < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < x->nch && x->ch[lo].c.idx == idx ? &x->ch[lo] : NULL;
}

static bool
same_ckpt(const struct ckpt *a, const struct ckpt *b)
{
	uint8_t da[CKPT_HASH_LEN], db[CKPT_HASH_LEN];

	ckpt_digest(a, da);
	ckpt_digest(b, db);
	return memcmp(da, db, sizeof da) == 0 && memcmp(a->pk, b->pk, CKPT_PK_LEN) == 0 &&
	    memcmp(a->sig, b->sig, CKPT_SIG_LEN) == 0;
}

struct missing {
	const struct ckpt *c;
	const char *src;
	int64_t line;
};

static int
by_missing_idx(const void *a, const void *b)
{
	const struct missing *x = a, *y = b;

	return x->c->idx < y->c->idx ? -1 : x->c->idx > y->c->idx;
}

static void
check_copies(struct vctx *x)
{
	const struct ckpt_keyring *ring = x->o->trusted;
	struct vepoch *last = &x->ep[x->nep - 1];
	struct missing *miss = NULL;
	size_t nmiss = 0, capmiss = 0;
	char id1[17], id2[17], t[32];

	x->in_copies = true;
	for (size_t s = 0; s < x->o->ncopies; s++) {
		const struct copy_src *src = &x->o->copies[s];
		int64_t forged = 0, forged_line = 0, untrusted = 0, differ = 0;

		for (size_t i = 0; i < src->n; i++) {
			const struct ckpt *c = &src->v[i].c;
			const struct vck *k;

			if (memcmp(c->log_id, x->r->log_id, CKPT_LOG_ID_LEN) != 0)
				continue;
			if (!ckpt_check(c)) {
				if (forged++ == 0)
					forged_line = src->v[i].lineno;
				continue;
			}
			if (ring != NULL && ring->n > 0 && !ckpt_keyring_has(ring, c->pk)) {
				untrusted++;
				continue;
			}
			if (!x->r->have_newest || c->idx > x->r->newest.idx) {
				x->r->newest = *c;
				x->r->have_newest = true;
			}
			if ((k = find_idx(x, c->idx)) != NULL) {
				if (same_ckpt(&k->c, c)) {
					x->r->copy_checked++;
					continue;
				}
				if (differ++ == 0)
					vfail(x, c->seq, "checkpoint #%lld differs between the database and %s (line %lld): the "
					    "database's signs row %lld with key %s, the copy's signs row %lld with key %s: the "
					    "log was rewritten and signed again", (long long)c->idx, src->name,
					    (long long)src->v[i].lineno, (long long)k->c.seq, audit_keyid(k->c.pk, id1),
					    (long long)c->seq, audit_keyid(c->pk, id2));
				continue;
			}
			if (nmiss == capmiss) {
				size_t nc = capmiss ? capmiss * 2 : 16;
				struct missing *nm = realloc(miss, nc * sizeof *nm);

				if (nm == NULL)
					break;
				miss = nm;
				capmiss = nc;
			}
			miss[nmiss++] = (struct missing){ .c = c, .src = src->name, .line = src->v[i].lineno };
		}
		if (differ > 1)
			vfail(x, 0, "%lld more checkpoints differ between the database and %s", (long long)differ - 1,
			    src->name);
		if (forged > 0)
			enote(x, "warning: %s: %lld checkpoint line%s of this log whose signature does not verify "
			    "(forged?) %s ignored; the first is line %lld", src->name, (long long)forged,
			    forged > 1 ? "s" : "", forged > 1 ? "were" : "was", (long long)forged_line);
		if (untrusted > 0)
			enote(x, "warning: %s: %lld checkpoint line%s signed by keys that are not trusted %s ignored",
			    src->name, (long long)untrusted, untrusted > 1 ? "s" : "", untrusted > 1 ? "were" : "was");
		if (src->bad > 0)
			enote(x, "warning: %s: %lld line%s that look like checkpoints do not parse and %s ignored; "
			    "the first is line %lld: %s", src->name, (long long)src->bad, src->bad > 1 ? "s" : "",
			    src->bad > 1 ? "were" : "was", (long long)src->bad_line, src->bad_why);
		if (src->other > 0) {
			char log[2 * CKPT_LOG_ID_LEN + 1];

			ckpt_hex(src->other_log, CKPT_LOG_ID_LEN, log);
			enote(x, "warning: %s holds %lld checkpoints of another audit log (log id %s, the newest signs "
			    "row %lld at %s): this database is not that log (it was replaced, or the copy is shared)",
			    src->name, (long long)src->other, log, (long long)src->other_seq,
			    iso(src->other_ms, t, sizeof t));
		}
	}
	if (nmiss > 1)
		qsort(miss, nmiss, sizeof *miss, by_missing_idx);
	{
		const struct missing *first = NULL, *lastm = NULL;
		int64_t nlost = 0;

		for (size_t i = 0; i < nmiss; i++) {
			const struct ckpt *c = miss[i].c;
			bool closed = false;
			const struct vck *next;

			if (i > 0 && miss[i - 1].c->idx == c->idx) {
				if (!same_ckpt(miss[i - 1].c, c))
					vfail(x, c->seq, "two different checkpoints #%lld are signed by trusted keys (%s line "
					    "%lld and %s line %lld): someone holding a signing key signed a second history",
					    (long long)c->idx, miss[i - 1].src, (long long)miss[i - 1].line, miss[i].src,
					    (long long)miss[i].line);
				continue;
			}
			for (size_t k = 1; k < x->nep; k++)
				closed |= x->ep[k].n > c->epoch && x->ep[k].note != NULL;
			if ((next = find_idx(x, c->idx + 1)) != NULL) {
				uint8_t d[CKPT_HASH_LEN];

				ckpt_digest(c, d);
				if (memcmp(d, next->c.prev, sizeof d) != 0)
					vfail(x, c->seq, "checkpoint #%lld of the database does not follow #%lld of %s (line %lld)",
					    (long long)next->c.idx, (long long)c->idx, miss[i].src, (long long)miss[i].line);
			}
			if (closed) {
				enote(x, "checkpoint #%lld (epoch %lld, row %lld) is in %s but not in the database; epoch "
				    "%lld was closed by a recorded break", (long long)c->idx, (long long)c->epoch,
				    (long long)c->seq, miss[i].src, (long long)c->epoch);
				continue;
			}
			if (first == NULL)
				first = &miss[i];
			lastm = &miss[i];
			nlost++;
		}
		if (nlost == 1)
			ecopy(last, first->c->seq, "the database lacks checkpoint #%lld (epoch %lld, row %lld, signed %s), "
			    "which %s holds (line %lld): the newest checkpoints were removed", (long long)first->c->idx,
			    (long long)first->c->epoch, (long long)first->c->seq, iso(first->c->time_ms, t, sizeof t),
			    first->src, (long long)first->line);
		else if (nlost > 1)
			ecopy(last, first->c->seq, "the database lacks %lld checkpoints from #%lld to #%lld (the newest: "
			    "epoch %lld, row %lld, signed %s), which %s holds (line %lld on): the newest checkpoints were "
			    "removed", (long long)nlost, (long long)first->c->idx, (long long)lastm->c->idx,
			    (long long)lastm->c->epoch, (long long)lastm->c->seq, iso(lastm->c->time_ms, t, sizeof t),
			    first->src, (long long)first->line);
	}
	x->in_copies = false;
	free(miss);
}

/* ---- the verdict ---- */

/* The problems a later break recorded for epoch n (NULL if none), and the
 * break.  The latest break that names the epoch counts. */
static const char *
recorded_for(const struct vctx *x, int64_t n, const struct vnote **which, size_t *len)
{
	char prefix[48];
	size_t pl = (size_t)snprintf(prefix, sizeof prefix, "epoch %lld: ", (long long)n);

	for (size_t i = x->nnotes; i-- > 0;) {
		const struct vnote *note = &x->notes[i];
		const char *p = note->problems;

		if (!note->ok || note->epoch <= n)
			continue;
		while (p != NULL && *p != '\0') {
			const char *nl = strchr(p, '\n');
			size_t ll = nl != NULL ? (size_t)(nl - p) : strlen(p);

			if (ll >= pl && memcmp(p, prefix, pl) == 0) {
				*which = note;
				*len = ll - pl;
				return p + pl;
			}
			p = nl != NULL ? nl + 1 : NULL;
		}
	}
	return NULL;
}

static void
verdict(struct vctx *x)
{
	struct audit_verify_report *r = x->r;
	char t[32];

	for (size_t k = 0; k < x->nep; k++) {
		struct vepoch *e = &x->ep[k];
		bool last = k == x->nep - 1;
		const char *p = e->prob.p != NULL ? e->prob.p : "", *c = e->copyprob.p != NULL ? e->copyprob.p : "";
		const struct vnote *note = NULL;
		size_t rl = 0;
		const char *rec = NULL;
		char line[2200];

		if (x->o->quick && !last)
			continue;
		if (!last) {
			rec = recorded_for(x, e->n, &note, &rl);
			if (*p == '\0') {
				if (rec != NULL)
					enote(x, "epoch %lld: the break recorded at %s no longer shows (its rows were pruned, "
					    "or it was found only against an outside copy)", (long long)e->n,
					    iso(note->made_ms, t, sizeof t));
				continue;
			}
			if (rec != NULL && strlen(p) == rl && memcmp(p, rec, rl) == 0) {
				enote(x, "warning: epoch %lld (rows %lld to %lld) has a recorded break: %s (recorded at %s by "
				    "uid %lld: %s)", (long long)e->n, (long long)e->start_seq + (e->n > 0),
				    (long long)(e->end_seq == INT64_MAX ? r->last_seq : e->end_seq), p,
				    iso(note->made_ms, t, sizeof t), (long long)note->uid, note->reason);
				continue;
			}
		}
		if (*p == '\0' && *c == '\0')
			continue;
		if (last && e->n <= 1)
			snprintf(line, sizeof line, "%s%s%s", p, *p && *c ? "; " : "", c);
		else
			snprintf(line, sizeof line, "epoch %lld: %s%s%s", (long long)e->n, p, *p && *c ? "; " : "", c);
		if (!last && rec != NULL)
			snprintf(line + strlen(line), sizeof line - strlen(line), " (the break recorded at %s said: %.*s; "
			    "the epoch changed since)", iso(note->made_ms, t, sizeof t), (int)(rl > 400 ? 400 : rl), rec);
		add_line(&x->fails, line);
		if (*p != '\0') {
			char u[2100];

			snprintf(u, sizeof u, "epoch %lld: %s", (long long)e->n, p);
			add_line(&x->unacc, u);
		}
		if (*c != '\0') {
			char u[2100];

			snprintf(u, sizeof u, "epoch %lld (outside copies): %s", (long long)e->n, c);
			add_line(&x->unacc, u);
		}
		if (r->ok) {
			r->ok = false;
			r->bad_seq = e->bad_seq;
			snprintf(r->what, sizeof r->what, "%.1000s", line);
		}
	}
}

/* ---- entry points ---- */

static void
free_ctx(struct vctx *x)
{
	for (size_t i = 0; i < x->nnotes; i++) {
		free(x->notes[i].reason);
		free(x->notes[i].problems);
	}
	for (size_t k = 0; k < x->nep; k++) {
		free(x->ep[k].prob.p);
		free(x->ep[k].copyprob.p);
	}
	free(x->notes);
	free(x->ep);
	free(x->v1);
	free(x->ch);
	free(x->fails.p);
	free(x->gfails.p);
	free(x->cfails.p);
	free(x->notesb.p);
	free(x->keys.p);
	free(x->unacc.p);
}

void
audit_verify_free(struct audit_verify_report *r)
{
	free(r->failures);
	free(r->unaccepted);
	free(r->notes);
	free(r->keys);
	r->failures = r->unaccepted = r->notes = r->keys = NULL;
}

static char *
take(struct strbuf *b)
{
	char *s;

	if (b->n == 0) {
		free(b->p);
		*b = (struct strbuf){ 0 };
		return NULL;
	}
	s = strbuf_take(b);
	*b = (struct strbuf){ 0 };
	return s;
}

int
audit_verify_in(sqlite3 *db, const struct audit_verify_opts *o, struct audit_verify_report *r)
{
	struct vctx x = { .db = db, .o = o, .r = r };
	sqlite3_stmt *st;
	uint8_t zero[AUDIT_HASH_LEN] = { 0 };
	int rc = -1;

	memset(r, 0, sizeof *r);
	r->ok = true;
	x.now = o->now_ms > 0 ? o->now_ms : wall_clock_ms();
	if (sodium_init() < 0) {
		snprintf(r->what, sizeof r->what, "libsodium failed to initialise");
		return -1;
	}
	if (sqlite3_prepare_v2(db, "SELECT log_id FROM audit_meta WHERE id = 1", -1, &st, NULL) != SQLITE_OK) {
		snprintf(r->what, sizeof r->what, "this database has no audit log (start the broker once to add "
		    "it): %s", sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == CKPT_LOG_ID_LEN)
		memcpy(r->log_id, sqlite3_column_blob(st, 0), CKPT_LOG_ID_LEN);
	else
		vfail(&x, 0, "the audit log's id (audit_meta) is missing or malformed");
	sqlite3_finalize(st);
	r->chain = has_column(db, "audit_checkpoints", "idx");
	if (load_checkpoints(&x) < 0 || load_notes(&x) < 0 || load_prunes(&x) < 0 || build_epochs(&x) < 0)
		goto readerr;
	walk_chain(&x);
	r->epochs = (int64_t)x.nep - 1;
	if (o->extra != NULL)
		extra_identity(&x);
	r->last_seq = r->pruned_upto;
	if (o->quick) {
		if (quick_rows(&x) < 0)
			goto readerr;
	} else if (walk_rows(&x, r->pruned_upto + 1, r->pruned_upto > 0 ? x.prune_hash : zero) < 0) {
		goto readerr;
	}
	check_tails(&x);
	if (o->extra != NULL)
		extra_tail(&x);
	if (!o->quick)
		check_decisions(&x);
	check_copies(&x);
	verdict(&x);
	if (!r->chain)
		enote(&x, "this log predates the signed checkpoint chain: a broker of this version adds it when "
		    "it starts");
	/* structural failures first, then the epochs', then contradictions
	 * with outside copies */
	if (x.gfails.n > 0 || x.cfails.n > 0) {
		struct strbuf all = { 0 };

		if (x.gfails.n > 0)
			add_line(&all, x.gfails.p);
		if (x.fails.n > 0)
			add_line(&all, x.fails.p);
		if (x.cfails.n > 0)
			add_line(&all, x.cfails.p);
		free(x.fails.p);
		x.fails = all;
		if (x.gfails.n > 0 || r->ok) {
			const char *nl = strchr(x.fails.p != NULL ? x.fails.p : "", '\n');

			r->ok = false;
			r->bad_seq = x.gbad_seq;
			snprintf(r->what, sizeof r->what, "%.*s",
			    (int)(nl != NULL ? nl - x.fails.p : (long)x.fails.n), x.fails.p != NULL ? x.fails.p : "");
		}
	}
	r->failures = take(&x.fails);
	r->unaccepted = take(&x.unacc);
	r->notes = take(&x.notesb);
	r->keys = take(&x.keys);
	rc = 0;
	goto out;
readerr:
	snprintf(r->what, sizeof r->what, "cannot read the audit log: %s", sqlite3_errmsg(db));
	r->ok = false;
out:
	free_ctx(&x);
	return rc;
}

int
audit_verify(sqlite3 *db, const struct audit_verify_opts *o, struct audit_verify_report *r)
{
	int rc;

	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		memset(r, 0, sizeof *r);
		snprintf(r->what, sizeof r->what, "cannot read the database: %s", sqlite3_errmsg(db));
		return -1;
	}
	rc = audit_verify_in(db, o, r);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return rc;
}
