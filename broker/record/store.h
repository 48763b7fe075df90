/* store.h -- the SQLite store: pending requests and decisions (audit rows),
 * written with group commit.  With durability normal and grouped commits the
 * loop thread writes each loop iteration's rows itself just before it waits
 * for I/O (no thread switch per request); a worker thread does what may
 * block for long (fsync mode, checkpoints, audit signing, retries) and takes
 * over whenever it holds the writer lock.
 *
 * Every store_put_* copies its row, queues it and returns at once; the done
 * callback runs later on the loop thread, after the row's transaction has
 * committed (status 0) or failed (status -1).
 *
 * A decision carries its whole request: its audit row is the record of
 * both.  Only a request that goes pending is written on its own
 * (store_put_request), so that a broker killed before the decision can
 * record it as broker-restart at the next start. */
#ifndef SG_STORE_H
#define SG_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

typedef struct store store;

struct store_opts {
	bool per_request_commit; /* one transaction per row (benchmarks/comparison) */
	bool fsync;              /* synchronous=FULL: survive power loss, not only crashes */
	/* the audit log's settings at open (audit_store_opts fills them from the config) */
	const char *audit_copy;  /* audit_checkpoint_file: NULL/"" next to the DB, "none" */
	bool audit_syslog;       /* copy each checkpoint to syslog */
	int audit_rows;          /* audit_checkpoint_rows (0: default) */
	int64_t audit_ms;        /* audit_checkpoint_interval (0: default) */
};

struct store_request_row {
	int64_t id;
	int64_t created_ms;
	const char *client_req_id, *agent, *session, *kind, *summary, *cwd, *workspace;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	const void *request; /* the submitted params map, msgpack bytes */
	size_t request_len;
};

struct store_decision_row {
	int64_t request_id;
	/* The request decided (its id is request_id); required.  Its audit row
	 * copies these fields; a request with a value larger than
	 * AUDIT_VALUE_CAP also gets a `requests` row keeping it whole. */
	const struct store_request_row *request;
	int64_t decided_ms;
	const char *decision; /* "allow" or "deny" */
	const char *decided_by; /* reviewer, timeout, withdrawn, broker-shutdown, ... */
	int64_t reviewer_uid, reviewer_pid; /* -1 when not a person */
	const char *reviewer_name, *note;
	int64_t rule_id;      /* the rule that decided (decided_by "rule"), else 0 */
	/* Audit-only fields (docs/AUDIT.md); zero/NULL means "not recorded". */
	const void *intent;          /* the scorer's intent map, msgpack (stored as JSON text) */
	size_t intent_len;
	const char *risk_level;      /* low|medium|high|critical; NULL: no risk recorded */
	int risk_score;              /* 0-100, only with risk_level */
	const void *risk_reasons;    /* msgpack: the reasons array, or the whole risk map
	                              * {score, level, reasons} (its reasons are kept);
	                              * stored as JSON text */
	size_t risk_reasons_len;
	const char *shown_sha256;    /* 64 hex digits: hash of what the reviewer was shown */
	const void *approvers;       /* quorum: msgpack array of {uid, name} (stored as JSON text) */
	size_t approvers_len;
	int escalation_level;        /* 1 = first level; 0 = not recorded */
};

/* seq is the audit sequence number of a decision's row (0 for other rows). */
typedef void (*store_done_cb)(void *arg, int status, int64_t seq);

/* Open (creating and migrating) the DB at path and start the worker.  Requests
 * left undecided by a previous broker are recorded as denied "broker-restart".
 * NULL with a one-line reason in err on failure. */
store *store_open(uv_loop_t *loop, const char *path, const struct store_opts *opts,
    char *err, size_t errlen);
/* Finish every queued write, stop the worker and close the DB.  Done callbacks
 * of the last batch run before this returns. */
void store_close(store *s);

/* Highest request id ever recorded (new ids continue after it). */
int64_t store_last_request_id(const store *s);
/* Rows recorded undecided at open and now closed as broker-restart. */
int64_t store_recovered(const store *s);
/* Rows queued and not yet committed. */
size_t store_backlog(store *s);
/* Transactions committed so far (for status and benchmarks). */
uint64_t store_commits(store *s);

/* Write-ahead log counters (for status and benchmarks). */
struct store_wal_stats {
	uint64_t frames;      /* WAL frames (pages) written by commits so far */
	uint64_t checkpoints; /* checkpoints run by the worker so far */
	int64_t wal_frames;   /* frames in the WAL after the last commit */
};
void store_wal_stats(store *s, struct store_wal_stats *out);

/* A request that goes pending: its row, so that a crash before its decision
 * is recorded as broker-restart at the next start.  Queue it before the
 * request's decision (the FIFO keeps that order in the DB). */
int store_put_request(store *s, const struct store_request_row *row, store_done_cb cb, void *arg);
/* A decision with its request (row->request), written as one audit row;
 * the pending request's row, if any, is closed in the same transaction. */
int store_put_decision(store *s, const struct store_decision_row *row, store_done_cb cb, void *arg);

/* Run fn(db, arg) on the worker thread inside the next group-commit
 * transaction; fn returns 0, or -1 to fail only its own job (its writes are
 * then rolled back with the batch and retried alone).  Lets other modules
 * (rules, audit) keep their SQL next to their logic without touching the
 * loop thread.  cb (may be NULL) runs on the loop thread afterwards. */
struct sqlite3;
int store_run(store *s, int (*fn)(struct sqlite3 *db, void *arg), void *arg,
    store_done_cb cb, void *cb_arg);

/* Read-only query on the loop thread's own connection (start-up loading of
 * rules and the like; never on a hot path).  Returns the sqlite3 handle. */
struct sqlite3 *store_reader(store *s);

/* Settings that can change after open (from the config file). */
struct store_tuning {
	int64_t max_pages;        /* PRAGMA max_page_count; 0: no limit */
	int checkpoint_rows;      /* audit checkpoint every N rows */
	int64_t checkpoint_ms;    /* ... or T ms after the last one */
	int64_t retention_ms;     /* prune audit rows older than this; 0: keep */
};
void store_tune(store *s, const struct store_tuning *t);

/* Called on the loop thread when writing starts failing for a reason that
 * may pass (disk full, I/O error: ok false) and when it works again (ok
 * true).  While failing, rows that could not be written are kept in memory
 * (bounded) and retried; decisions are still answered, as denied by
 * store-error. */
typedef void (*store_health_cb)(void *arg, bool ok, const char *message);
void store_on_health(store *s, store_health_cb cb, void *arg);

/* An alert the audit log raised at open (a changed signing key, a replaced
 * database): its message and *code, or NULL. */
const char *store_audit_alert(store *s, const char **code);

/* The schema version this build writes. */
int store_schema_version(void);

#endif
