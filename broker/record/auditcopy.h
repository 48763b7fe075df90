/* auditcopy.h -- copies of the audit log's signed checkpoints outside the
 * database (docs/AUDIT.md "Outside copies"): an append-only file next to
 * the database (or where audit_checkpoint_file says) and syslog, one line
 * per checkpoint in the form ckpt_format_line writes; and reading such a
 * copy back (a file, or a journal on stdin) for `audit verify --against`
 * and the broker's start-up check.
 *
 * The database's writer cannot rewrite syslog/journald; it can rewrite the
 * file if it runs under the same uid (the docs say so). */
#ifndef SG_AUDITCOPY_H
#define SG_AUDITCOPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker/record/checkpoint.h"

struct auditcopy {
	char *path;        /* the checkpoint file, or NULL for none */
	bool syslog;       /* also syslog(3) each line (LOG_AUTHPRIV, tag "sandgate") */
	bool fsync;        /* fdatasync the file after each line (durability = fsync) */
	int64_t err_ms;    /* when a failure to write was last logged */
};

/* The checkpoint file for a database path and the audit_checkpoint_file
 * setting: "" means next to the database (sandgate.db -> sandgate.checkpoints,
 * any other name gets ".checkpoints" appended), "none" means no file (NULL
 * is returned with *none set).  Caller frees; NULL on out of memory too. */
char *auditcopy_path(const char *setting, const char *db_path, bool *none);

/* Append c's line to the file (O_APPEND, created 0600; a symlink or a file
 * owned by another uid is refused) and send it to syslog.  0, or -1 with
 * err when the file could not be written (syslog never fails). */
int auditcopy_publish(const struct auditcopy *o, const struct ckpt *c, char *err, size_t errlen);

/* Check that the file can be appended to (without writing).  0 or -1. */
int auditcopy_probe(const struct auditcopy *o, char *err, size_t errlen);

/* Send one line of text to syslog as sandgate (for warnings that should
 * outlive a rewritten database: a changed signing key, a recorded break). */
void auditcopy_syslog(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One checkpoint read from an outside copy. */
struct copy_line {
	struct ckpt c;
	int64_t lineno;
};

/* An outside copy as read: the checkpoints of one log (or of every log
 * when no log id was asked for), in the order of the copy. */
struct copy_src {
	char name[256];            /* the path, or "stdin" */
	struct copy_line *v;
	size_t n;
	int64_t lines;             /* lines read */
	int64_t bad;               /* lines that hold CKPT_LINE_MAGIC but do not parse */
	int64_t bad_line;          /* ... the first of them */
	char bad_why[160];
	int64_t other;             /* well-formed lines of other logs */
	uint8_t other_log[CKPT_LOG_ID_LEN]; /* ... the newest such log */
	int64_t other_seq, other_ms;        /* ... and its newest checkpoint's row and time */
};

/* Read path ("-" is stdin): every line holding CKPT_LINE_MAGIC (after any
 * syslog prefix) is parsed; log_id, when not NULL, keeps only that log's.
 * Refuses a path that is a symlink.  0, 1 if the file does not exist, -1
 * with err.  copy_src_free releases it (also after an error). */
int copy_src_read(const char *path, const uint8_t *log_id, struct copy_src *s, char *err, size_t errlen);
void copy_src_free(struct copy_src *s);
/* The same for len bytes in memory (the fuzz target). */
int copy_src_parse(const char *buf, size_t len, const uint8_t *log_id, struct copy_src *s, char *err, size_t errlen);

#endif
