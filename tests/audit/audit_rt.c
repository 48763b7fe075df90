/* audit_rt.c -- an auditor's re-implementation of the row hash, written
 * from docs/AUDIT.md alone (it shares no code with broker/record/audit.c), used
 * to prove that an export carries every field exactly.
 *
 *   audit_rt JSONL [CSV]
 *
 * For every line of the jsonl export: rebuild the canonical encoding from
 * the exported fields, hash it with the exported prev_hash, and compare
 * with the exported hash; consecutive rows must link.  With CSV (the csv
 * export of the same rows): every cell must equal the jsonl value.
 * Prints "N rows ok" and exits 0, or names the first difference and
 * exits 1. */
#include <jansson.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* docs/AUDIT.md, "Canonical encoding": name and type of each field. */
static const struct {
	const char *name;
	char type;
} fields[] = {
	{ "seq", 'i' }, { "recorded_ms", 'i' }, { "mono_ns", 'i' }, { "decided_ms", 'i' },
	{ "request_id", 'i' }, { "req_id", 't' }, { "agent", 't' }, { "session", 't' },
	{ "peer_pid", 'i' }, { "peer_uid", 'i' }, { "peer_gid", 'i' }, { "kind", 't' },
	{ "cwd", 't' }, { "workspace", 't' }, { "summary", 't' }, { "request", 'b' },
	{ "request_size", 'i' }, { "request_sha256", 't' }, { "intent", 't' },
	{ "risk_score", 'i' }, { "risk_level", 't' }, { "risk_reasons", 't' },
	{ "shown_sha256", 't' }, { "decision", 't' }, { "decided_by", 't' }, { "rule_id", 'i' },
	{ "reviewer_uid", 'i' }, { "reviewer_pid", 'i' }, { "reviewer_name", 't' },
	{ "approvers", 't' }, { "escalation_level", 'i' }, { "note", 't' },
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static int
die(long line, const char *what, const char *field)
{
	fprintf(stderr, "audit_rt: line %ld: %s%s%s\n", line, what, field ? ": " : "", field ? field : "");
	return 1;
}

static size_t
unhex(const char *s, uint8_t *out, size_t max)
{
	size_t bin_len = 0;

	if (s == NULL || sodium_hex2bin(out, max, s, strlen(s), NULL, &bin_len, NULL) != 0)
		return (size_t)-1;
	return bin_len;
}

static uint8_t *
from_b64(const char *b64, size_t *n)
{
	uint8_t *p;

	if (b64 == NULL)
		return NULL;
	p = malloc(strlen(b64) + 1);
	if (sodium_base642bin(p, strlen(b64) + 1, b64, strlen(b64), NULL, n, NULL,
	        sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(p);
		return NULL;
	}
	return p;
}

/* The bytes of a text value as exported: a string, or {"base64": ...} for
 * text that is not UTF-8.  Caller frees. */
static uint8_t *
text_bytes(json_t *v, size_t *n)
{
	uint8_t *p;

	if (json_is_string(v)) {
		*n = json_string_length(v);
		p = malloc(*n + 1);
		memcpy(p, json_string_value(v), *n);
		return p;
	}
	return from_b64(json_string_value(json_object_get(v, "base64")), n);
}

static void
put_be(crypto_generichash_state *st, uint64_t v, int n)
{
	uint8_t b[8];

	for (int i = n - 1; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)(v & 0xff);
	crypto_generichash_update(st, b, (size_t)n);
}

/* Hash one exported row; 0, or -1 with *bad naming the field. */
static int
row_hash(json_t *row, uint8_t prev[32], uint8_t out[32], const char **bad)
{
	crypto_generichash_state st;
	static const char domain[] = "sandgate-audit-v1";

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *)domain, sizeof domain - 1);
	crypto_generichash_update(&st, prev, 32);
	for (size_t i = 0; i < NFIELDS; i++) {
		json_t *v = json_object_get(row, fields[i].type == 'b' ? "request_b64" : fields[i].name);
		uint8_t tag;

		*bad = fields[i].name;
		if (v == NULL)
			return -1;
		if (json_is_null(v)) {
			tag = 0;
			crypto_generichash_update(&st, &tag, 1);
		} else if (fields[i].type == 'i') {
			if (!json_is_integer(v))
				return -1;
			tag = 1;
			crypto_generichash_update(&st, &tag, 1);
			put_be(&st, (uint64_t)json_integer_value(v), 8);
		} else {
			size_t n;
			uint8_t *p = fields[i].type == 'b' ? from_b64(json_string_value(v), &n) : text_bytes(v, &n);

			if (p == NULL)
				return -1;
			tag = fields[i].type == 't' ? 2 : 3;
			crypto_generichash_update(&st, &tag, 1);
			put_be(&st, n, 4);
			crypto_generichash_update(&st, p, n);
			free(p);
		}
	}
	crypto_generichash_final(&st, out, 32);
	return 0;
}

/* ---- CSV (RFC 4180, CRLF records) ---- */

struct cell {
	char *p;
	size_t n;
	bool quoted;
};

/* Read one record; returns the number of cells, 0 at EOF, -1 on bad CSV. */
static int
csv_record(FILE *f, struct cell *cells, int max)
{
	int nc = 0, c;
	size_t cap = 0;
	bool inq = false, any = false;
	struct cell *cur = NULL;

	for (;;) {
		c = fgetc(f);
		if (c == EOF)
			return any ? -1 : 0;
		any = true;
		if (cur == NULL) {
			if (nc == max)
				return -1;
			cur = &cells[nc++];
			*cur = (struct cell){ .p = malloc(cap = 64) };
			if (c == '"') {
				cur->quoted = inq = true;
				continue;
			}
		}
		if (inq) {
			if (c == '"') {
				int d = fgetc(f);

				if (d != '"') {
					inq = false;
					if (d == EOF)
						return -1;
					c = d;
				} else {
					goto add;
				}
			} else {
				goto add;
			}
		}
		if (c == ',') {
			cur->p[cur->n] = '\0';
			cur = NULL;
			continue;
		}
		if (c == '\r') {
			if (fgetc(f) != '\n')
				return -1;
			cur->p[cur->n] = '\0';
			return nc;
		}
		if (cur->quoted)
			return -1; /* text after a closing quote */
add:
		if (cur->n + 2 > cap)
			cur->p = realloc(cur->p, cap *= 2);
		cur->p[cur->n++] = (char)c;
	}
}

static int
compare_csv(const char *path, json_t **rows, long nrows)
{
	FILE *f = fopen(path, "rb");
	struct cell head[64], rec[64];
	int nh, nr;
	long line = 1;

	if (f == NULL)
		return die(0, "cannot open", path);
	if ((nh = csv_record(f, head, 64)) <= 0)
		return die(1, "no CSV header", NULL);
	for (long r = 0; r < nrows; r++) {
		line++;
		if ((nr = csv_record(f, rec, 64)) != nh)
			return die(line, "CSV record has a different number of cells", NULL);
		for (int i = 0; i < nh; i++) {
			json_t *v = json_object_get(rows[r], head[i].p);
			char want[64];
			uint8_t *p = NULL;
			size_t n = 0;
			bool ok;

			if (v == NULL)
				return die(line, "CSV column not in the jsonl export", head[i].p);
			if (json_is_null(v)) {
				ok = rec[i].n == 0 && !rec[i].quoted;
			} else if (json_is_integer(v)) {
				snprintf(want, sizeof want, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
				ok = !rec[i].quoted && strcmp(rec[i].p, want) == 0;
			} else if (strcmp(head[i].p, "request") == 0) {
				json_t *cj = json_loadb(rec[i].p, rec[i].n, JSON_DECODE_ANY, NULL);

				ok = rec[i].quoted && cj != NULL && json_equal(cj, v);
				json_decref(cj);
			} else {
				p = text_bytes(v, &n);
				ok = p != NULL && rec[i].quoted && rec[i].n == n && memcmp(rec[i].p, p, n) == 0;
				free(p);
			}
			if (!ok)
				return die(line, "CSV cell differs from the jsonl value", head[i].p);
			free(rec[i].p);
		}
	}
	if (csv_record(f, rec, 64) != 0)
		return die(line + 1, "CSV has more records than the jsonl export", NULL);
	for (int i = 0; i < nh; i++)
		free(head[i].p);
	fclose(f);
	printf("csv: %ld records equal\n", nrows);
	return 0;
}

int
main(int argc, char **argv)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long n = 0;
	json_t **rows = NULL;
	uint8_t last[32];
	int64_t last_seq = -1;

	if (argc < 2 || argc > 3 || sodium_init() < 0) {
		fprintf(stderr, "usage: audit_rt JSONL [CSV]\n");
		return 2;
	}
	if ((f = fopen(argv[1], "r")) == NULL)
		return die(0, "cannot open", argv[1]);
	while ((len = getline(&line, &cap, f)) > 0) {
		json_error_t je;
		json_t *row = json_loadb(line, (size_t)len, 0, &je);
		uint8_t prev[32], want[32], got[32];
		const char *bad = NULL;
		int64_t seq;

		n++;
		if (row == NULL)
			return die(n, "not JSON", je.text);
		seq = json_integer_value(json_object_get(row, "seq"));
		if (unhex(json_string_value(json_object_get(row, "prev_hash")), prev, 32) != 32 ||
		    unhex(json_string_value(json_object_get(row, "hash")), want, 32) != 32)
			return die(n, "prev_hash/hash missing or malformed", NULL);
		if (row_hash(row, prev, got, &bad) < 0)
			return die(n, "field missing or of the wrong type", bad);
		if (memcmp(got, want, 32) != 0)
			return die(n, "recomputed hash differs from the exported one", NULL);
		if (last_seq >= 0 && seq == last_seq + 1 && memcmp(prev, last, 32) != 0)
			return die(n, "prev_hash does not link to the previous row", NULL);
		memcpy(last, want, 32);
		last_seq = seq;
		rows = realloc(rows, (size_t)n * sizeof *rows);
		rows[n - 1] = row;
	}
	free(line);
	fclose(f);
	printf("jsonl: %ld rows ok\n", n);
	if (argc == 3 && compare_csv(argv[2], rows, n) != 0)
		return 1;
	for (long i = 0; i < n; i++)
		json_decref(rows[i]);
	free(rows);
	return 0;
}
