/* auditsrc.h -- recent decisions for the Audit view, read from the SQLite
 * audit DB opened read-only (until the broker offers an audit method).  The
 * console never writes to the DB. */
#ifndef SG_AUDITSRC_H
#define SG_AUDITSRC_H

#include <stddef.h>
#include <stdint.h>

struct audit_row {
	int64_t seq, request_id, decided_ms, created_ms, reviewer_uid;
	char *decision, *decided_by, *reviewer_name, *note;
	char *agent, *session, *kind, *summary, *risk; /* risk NULL when not recorded */
};

struct audit_rows {
	struct audit_row *v;
	size_t n;
	int64_t total;      /* decisions in the DB */
};

/* Read the newest decisions (newest first) that match filter (filter.h
 * syntax; fields agent, session, kind, decision, by, reviewer, risk, text),
 * at most limit of them, from the DB at path.  0 on success; -1 with a
 * one-line reason in err (out is then empty). */
int auditsrc_read(const char *path, const char *filter, size_t limit, struct audit_rows *out,
    char *err, size_t errlen);
void auditsrc_free(struct audit_rows *a);

#endif
