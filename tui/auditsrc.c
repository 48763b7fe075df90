/* auditsrc.c -- read recent decisions from the audit DB, read-only. */
#include "tui/auditsrc.h"
#include "tui/filter.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows scanned to find `limit` matches of a filter. */
#define SCAN_MAX 20000

static char *
col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	int n = sqlite3_column_bytes(st, i);
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = malloc((size_t)n + 1)) == NULL)
		return NULL;
	memcpy(d, s, (size_t)n);
	d[n] = '\0';
	return d;
}

static void
row_free(struct audit_row *r)
{
	free(r->decision);
	free(r->decided_by);
	free(r->reviewer_name);
	free(r->note);
	free(r->agent);
	free(r->session);
	free(r->kind);
	free(r->summary);
	free(r->risk);
}

void
auditsrc_free(struct audit_rows *a)
{
	for (size_t i = 0; i < a->n; i++)
		row_free(&a->v[i]);
	free(a->v);
	memset(a, 0, sizeof *a);
}

/* Does table requests have a column named col? */
static bool
matches(const struct audit_row *r, const char *filter)
{
	struct filter_field f[8];
	size_t n = 0;

#define F(nm, v) f[n++] = filter_field(nm, v)
	F("agent", r->agent);
	F("session", r->session);
	F("kind", r->kind);
	F("decision", r->decision);
	F("by", r->decided_by);
	F("reviewer", r->reviewer_name);
	F("risk", r->risk);
	F("text", r->summary);
#undef F
	return filter_match(filter, f, n);
}

int
auditsrc_read(const char *path, const char *filter, size_t limit, struct audit_rows *out,
    char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	size_t scanned = 0, cap = 0;
	int rc;

	memset(out, 0, sizeof *out);
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open the audit DB %s read-only: %s", path,
		    db != NULL ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 200);
	/* the audit row is the decision and its request (docs/AUDIT.md); a
	 * request's creation time is not kept there, its decision time is */
	if (sqlite3_prepare_v2(db,
	        "SELECT seq, request_id, decided_ms, decision, decided_by, reviewer_uid,"
	        " reviewer_name, note, decided_ms, agent, session, kind, summary, risk_level"
	        " FROM audit ORDER BY seq DESC", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot read the audit DB %s: %s", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	while (out->n < limit && scanned < SCAN_MAX && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_row r = {
			.seq = sqlite3_column_int64(st, 0),
			.request_id = sqlite3_column_int64(st, 1),
			.decided_ms = sqlite3_column_int64(st, 2),
			.decision = col_str(st, 3),
			.decided_by = col_str(st, 4),
			.reviewer_uid = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 5),
			.reviewer_name = col_str(st, 6),
			.note = col_str(st, 7),
			.created_ms = sqlite3_column_int64(st, 8),
			.agent = col_str(st, 9),
			.session = col_str(st, 10),
			.kind = col_str(st, 11),
			.summary = col_str(st, 12),
			.risk = col_str(st, 13),
		};

		scanned++;
		if (!matches(&r, filter)) {
			row_free(&r);
			continue;
		}
		if (out->n == cap) {
			size_t c = cap ? cap * 2 : 64;
			struct audit_row *v = realloc(out->v, c * sizeof *v);

			if (v == NULL) {
				row_free(&r);
				break;
			}
			out->v = v;
			cap = c;
		}
		out->v[out->n++] = r;
	}
	sqlite3_finalize(st);
	/* seq has no gaps (retention cuts only the front): no full count needed */
	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(seq) - min(seq) + 1, 0) FROM audit", -1, &st,
	        NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		out->total = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return 0;
}
