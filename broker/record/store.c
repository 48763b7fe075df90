/* store.c -- SQLite store: group commit, inline on the loop thread or on the
 * worker thread (store.h). */
#include "broker/record/store.h"
#include "proto/wallclock.h"
#include "broker/record/audit.h"
#include "proto/log.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Schema migrations, applied in order, each once, by name.  Never edit a
 * shipped entry: append a new one (each module adds its own, e.g.
 * "0002-rules"; names keep parallel work from colliding on numbers).  The
 * schema version is the number of migrations applied. */
static const struct migration {
	const char *name;
	const char *sql;
	/* C step run before sql in the same transaction, or NULL */
	int (*fn)(sqlite3 *db, const struct store_opts *opts, char *err, size_t errlen);
} migrations[] = {
	{ "0001-requests-decisions",
	"CREATE TABLE requests ("
	"  id INTEGER PRIMARY KEY,"
	"  created_ms INTEGER NOT NULL,"
	"  client_req_id TEXT NOT NULL,"
	"  agent TEXT NOT NULL,"
	"  session TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  summary TEXT NOT NULL,"
	"  cwd TEXT, workspace TEXT,"
	"  peer_pid INTEGER NOT NULL, peer_uid INTEGER NOT NULL, peer_gid INTEGER NOT NULL,"
	"  request BLOB NOT NULL);"
	"CREATE TABLE decisions ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  request_id INTEGER NOT NULL REFERENCES requests(id),"
	"  decided_ms INTEGER NOT NULL,"
	"  decision TEXT NOT NULL CHECK (decision IN ('allow','deny')),"
	"  decided_by TEXT NOT NULL,"
	"  reviewer_uid INTEGER, reviewer_pid INTEGER, reviewer_name TEXT,"
	"  note TEXT);"
	"CREATE UNIQUE INDEX decisions_request ON decisions(request_id);"
	"CREATE INDEX requests_agent ON requests(agent, id);", NULL },
	{ "0002-rules",
	/* remembered decisions (broker/rules/rule.h); decisions made by one name it */
	"CREATE TABLE rules ("
	"  id INTEGER PRIMARY KEY,"
	"  effect TEXT NOT NULL CHECK (effect IN ('allow','deny')),"
	"  pattern TEXT NOT NULL,"
	"  scope TEXT NOT NULL CHECK (scope IN ('once','session','agent','workspace','global')),"
	"  scope_value TEXT,"
	"  expires_ms INTEGER,"
	"  author_uid INTEGER NOT NULL,"
	"  author_name TEXT,"
	"  note TEXT,"
	"  origin TEXT,"
	"  created_ms INTEGER NOT NULL,"
	"  max_level TEXT NOT NULL CHECK (max_level IN ('low','medium','high','critical')),"
	"  hits INTEGER NOT NULL DEFAULT 0,"
	"  last_hit_ms INTEGER,"
	"  revoked_ms INTEGER,"
	"  revoked_by_uid INTEGER);"
	"ALTER TABLE decisions ADD COLUMN rule_id INTEGER REFERENCES rules(id);", NULL },
	/* the tamper-evident audit log; the SQL lives with its code (audit.c) */
	{ "0003-audit", audit_schema_sql, NULL },
	/* The fast path (issue #4): the audit row is the decision record.  Its
	 * C step first gives every old decision its audit row (a log from before
	 * 0003) and checks that each has one; then `decisions` becomes a view
	 * of `audit`, `requests` keeps only what recovery and whole request
	 * values need (requests_open lists those still undecided), and the
	 * indexes no hot-path query uses go.  Request ids are reserved in
	 * blocks in store_meta, since most requests no longer have a row. */
	{ "0004-fastpath",
	"CREATE TABLE requests_open (id INTEGER PRIMARY KEY);"
	"INSERT INTO requests_open SELECT id FROM requests r"
	"  WHERE NOT EXISTS (SELECT 1 FROM decisions d WHERE d.request_id = r.id);"
	"CREATE TABLE store_meta ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  request_id_upto INTEGER NOT NULL);"
	"INSERT INTO store_meta VALUES (1, max(coalesce((SELECT max(id) FROM requests), 0),"
	"  coalesce((SELECT max(request_id) FROM audit), 0)));"
	"DROP INDEX requests_agent;"
	"DROP TABLE decisions;"
	"CREATE VIEW decisions AS SELECT seq, request_id, decided_ms, decision, decided_by,"
	"  reviewer_uid, reviewer_pid, reviewer_name, note, rule_id FROM audit;"
	"DROP INDEX audit_agent;"
	"DROP INDEX audit_request;"
	"DROP INDEX audit_decided;", audit_migrate_legacy },
	/* One index back: `audit query --agent` (a security team's everyday
	 * question) must not read the whole log (issue #7: one agent's last 100
	 * of 1,000,000 rows under 10 ms).  It costs a rule decision about one WAL
	 * page more; an agent's entries go to the same leaf, so a batch of
	 * decisions from a few agents shares those pages. */
	{ "0005-audit-agent-index", "CREATE INDEX audit_agent ON audit(agent, seq);", NULL },
	/* The checkpoint chain (issue #12): checkpoints that link to each other
	 * and promise their cadence, records of breaks; the C step verifies the
	 * log and signs the chain's first checkpoint over its head. */
	{ "0006-audit-chain", "", audit_migrate_chain },
	/* Issue #17: a rule may pin the program it allows (the resolved path
	 * and the file's SHA-256, broker/rules/pin.h), and remembers where it
	 * was made (the group's session, agent and workspace), which is what
	 * suggestions learn from (broker/rules/learn.h).  Rules from before
	 * have NULLs: unpinned, and not learnt from. */
	{ "0007-rules-pin-made",
	"ALTER TABLE rules ADD COLUMN pin_path TEXT;"
	"ALTER TABLE rules ADD COLUMN pin_sha256 TEXT;"
	"ALTER TABLE rules ADD COLUMN made_session TEXT;"
	"ALTER TABLE rules ADD COLUMN made_agent TEXT;"
	"ALTER TABLE rules ADD COLUMN made_workspace TEXT;", NULL },
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

enum job_kind { JOB_REQUEST, JOB_DECISION, JOB_FN };

struct job {
	struct job *next;
	enum job_kind kind;
	store_done_cb cb;
	void *arg;
	int status;
	int err;           /* SQLite result code of the failure */
	bool deferred;     /* a record kept for a retry after a store failure */
	int64_t seq;
	int64_t since_seq; /* request rows: the audit head when first tried */
	struct store_request_row req; /* a request's row, or a decision's request */
	struct store_decision_row dec;
	char *strings[16]; /* copies owned by the job: 0-6 the request's, 7-15 the decision's */
	void *blob;
	int (*fn)(sqlite3 *db, void *arg);
	void *fn_arg;
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *ins_req, *ins_open, *ins_open_late, *del_open, *keep_req, *reserve;
	sqlite3_stmt *begin, *commit;   /* prepared once: sqlite3_exec parses every time */
	int64_t id_upto, id_upto_pend;  /* writer only: request ids reserved in store_meta */
	uint64_t wal_frames_total;      /* guarded by mu */
	uint64_t wal_checkpoints;       /* guarded by mu */
	int64_t wal_frames_pub;         /* guarded by mu: wal_frames for other threads */
	int64_t wal_frames;             /* writer only (wal hook): frames in the WAL now */
	int64_t wal_frames_seen;        /* writer only: wal_frames at the previous commit */
	int64_t last_work_ms;           /* writer only: when the last batch ran */
	int64_t wal_next_ckpt;          /* writer only: WAL frames that call for a checkpoint */
	struct store_opts opts;
	uv_async_t async;
	uv_prepare_t prep;            /* inline writes at the end of a loop iteration */
	bool inline_writes;           /* durability normal, grouped commits */
	pthread_t thread;
	/* wmu: held by whoever writes (the worker, or the loop thread for an
	 * inline batch); the fields marked "writer only" belong to its holder */
	pthread_mutex_t wmu;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *todo, *todo_tail; /* guarded by mu */
	struct job *done, *done_tail; /* guarded by mu */
	size_t backlog;               /* guarded by mu */
	uint64_t commits;             /* guarded by mu */
	bool stop;                    /* guarded by mu */
	bool maint_wanted;            /* guarded by mu: an inline batch left work for the worker */
	int64_t due_pub;              /* guarded by mu: when the worker must wake next */
	int64_t last_id, recovered;
	audit_chain *audit;           /* writer only (and open/close) */
	struct job *deferred;         /* writer only: rows to retry, oldest first */
	size_t ndeferred, deferred_bytes;
	int64_t retry_ms;             /* writer only: next retry of deferred rows */
	int64_t maint_log_ms;         /* writer only: last logged maintenance failure */
	bool failing;                 /* writer only: health as last reported */
	struct store_tuning tuning;   /* guarded by mu */
	bool tuning_dirty;            /* guarded by mu */
	bool health_event, health_ok; /* guarded by mu */
	char health_msg[256];         /* guarded by mu */
	store_health_cb health_cb;    /* loop thread */
	void *health_arg;
};

int
store_schema_version(void)
{
	return SCHEMA_VERSION;
}

static int
exec_sql(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s", msg != NULL ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int64_t
query_int(sqlite3 *db, const char *sql, int64_t dflt)
{
	sqlite3_stmt *st;
	int64_t v = dflt;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return dflt;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static bool
known_migration(const char *name)
{
	for (size_t i = 0; i < sizeof migrations / sizeof migrations[0]; i++)
		if (strcmp(migrations[i].name, name) == 0)
			return true;
	return false;
}

/* Refuse a DB that a newer sandgate migrated further than we know. */
static int
check_unknown(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(db, "SELECT name FROM schema_migrations", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return -1;
	}
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		if (name != NULL && !known_migration(name)) {
			snprintf(err, errlen, "database has schema migration '%s', unknown to this "
			    "sandgate (it was written by a newer version)", name);
			rc = -1;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/* Apply every migration not yet applied, one transaction each. */
static int
migrate(sqlite3 *db, const struct store_opts *opts, char *err, size_t errlen)
{
	if (exec_sql(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	        " name TEXT PRIMARY KEY, applied_ms INTEGER NOT NULL);"
	        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
	        err, errlen) < 0 || check_unknown(db, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < sizeof migrations / sizeof migrations[0]; i++) {
		sqlite3_stmt *st;
		bool done;
		char *sql;

		if (sqlite3_prepare_v2(db, "SELECT 1 FROM schema_migrations WHERE name = ?", -1, &st,
		        NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s", sqlite3_errmsg(db));
			return -1;
		}
		sqlite3_bind_text(st, 1, migrations[i].name, -1, SQLITE_STATIC);
		done = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
		if (done)
			continue;
		sql = sqlite3_mprintf("INSERT INTO schema_migrations VALUES (%Q, %lld);"
		    "DELETE FROM schema_version; INSERT INTO schema_version "
		    "SELECT count(*) FROM schema_migrations;", migrations[i].name, (long long)wall_clock_ms());
		if (sql == NULL || exec_sql(db, "BEGIN IMMEDIATE", err, errlen) < 0) {
			sqlite3_free(sql);
			return -1;
		}
		if ((migrations[i].fn != NULL && migrations[i].fn(db, opts, err, errlen) < 0) ||
		    exec_sql(db, migrations[i].sql, err, errlen) < 0 || exec_sql(db, sql, err, errlen) < 0) {
			char why[256];

			snprintf(why, sizeof why, "%s", err);
			snprintf(err, errlen, "migration %s failed: %s", migrations[i].name, why);
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			sqlite3_free(sql);
			return -1;
		}
		sqlite3_free(sql);
		if (exec_sql(db, "COMMIT", err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int run_job(store *s, struct job *j);

/* The ids of requests a dead broker left undecided (caller frees). */
static int64_t *
undecided_ids(store *s, size_t *n)
{
	sqlite3_stmt *st;
	int64_t *v = NULL;
	size_t cap = 0;

	*n = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT id FROM requests_open ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n == cap) {
			int64_t *nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof *v);

			if (nv == NULL)
				break;
			v = nv;
		}
		v[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return v;
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Deny one undecided request (its row in `requests`) as broker-restart.
 * SQLITE_DONE when the request has no row. */
static int
recover_one(store *s, sqlite3_stmt *get, int64_t id, int64_t now)
{
	struct job j = { .kind = JOB_DECISION };
	int rc;

	sqlite3_bind_int64(get, 1, id);
	if ((rc = sqlite3_step(get)) != SQLITE_ROW) {
		sqlite3_reset(get);
		return rc;
	}
	j.req = (struct store_request_row){
		.id = id, .created_ms = sqlite3_column_int64(get, 0), .client_req_id = col_text(get, 1),
		.agent = col_text(get, 2), .session = col_text(get, 3), .kind = col_text(get, 4),
		.summary = col_text(get, 5), .cwd = col_text(get, 6), .workspace = col_text(get, 7),
		.pid = (pid_t)sqlite3_column_int64(get, 8), .uid = (uid_t)sqlite3_column_int64(get, 9),
		.gid = (gid_t)sqlite3_column_int64(get, 10), .request = sqlite3_column_blob(get, 11),
		.request_len = (size_t)sqlite3_column_bytes(get, 11),
	};
	j.dec = (struct store_decision_row){
		.request_id = id, .request = &j.req, .decided_ms = now, .decision = "deny",
		.decided_by = "broker-restart", .reviewer_uid = -1, .reviewer_pid = -1,
		.note = "the broker stopped before a decision",
	};
	rc = run_job(s, &j);
	sqlite3_reset(get);
	return rc;
}

/* Close requests a dead broker left undecided: each is denied
 * "broker-restart" with its audit row, all in one transaction. */
static int
recover(store *s, char *err, size_t errlen)
{
	size_t n, lost = 0;
	int64_t *ids = undecided_ids(s, &n), now = wall_clock_ms();
	sqlite3_stmt *get = NULL;
	int rc;

	if (n == 0) {
		free(ids);
		return 0;
	}
	if (exec_sql(s->db, "BEGIN IMMEDIATE", err, errlen) < 0) {
		free(ids);
		return -1;
	}
	audit_begin(s->audit);
	s->id_upto_pend = s->id_upto;
	rc = sqlite3_prepare_v2(s->db, "SELECT created_ms, client_req_id, agent, session, kind, summary,"
	    " cwd, workspace, peer_pid, peer_uid, peer_gid, request FROM requests WHERE id = ?", -1, &get, NULL);
	for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
		rc = recover_one(s, get, ids[i], now);
		if (rc == SQLITE_DONE) { /* no request row to record: cannot be, but do not loop on it */
			lost++;
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(get);
	free(ids);
	if (rc == SQLITE_OK && lost > 0)
		rc = sqlite3_exec(s->db, "DELETE FROM requests_open", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot record the requests a previous broker left undecided: %s",
		    sqlite3_errstr(rc));
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		audit_rollback(s->audit);
		return -1;
	}
	if (lost > 0)
		log_msg("store: %zu undecided requests had no request row and were dropped", lost);
	audit_commit(s->audit);
	s->id_upto = s->id_upto_pend;
	s->recovered = (int64_t)(n - lost);
	return 0;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}


/* WAL checkpoints (checkpoint_wal): pages of 4 KiB. */
#define WAL_CHECKPOINT_FRAMES 1024     /* about 4 MiB: checkpoint when nothing is queued */
#define WAL_FORCE_FRAMES 8192          /* about 32 MiB: checkpoint even under load */
#define WAL_IDLE_MS 1000               /* truncate the WAL after a second without work */
#define WAL_SIZE_LIMIT_SQL "16777216"  /* journal_size_limit: a reset WAL file shrinks to this */

/* Request ids are reserved in blocks of this many (store_meta), in the
 * transaction of the first row that uses one. */
#define ID_BLOCK 4096

/* Make sure request id is below the reserved mark (inside the open
 * transaction), so that a restarted broker never hands it out again. */
static int
reserve_id(store *s, int64_t id)
{
	int rc;

	if (id <= s->id_upto_pend)
		return SQLITE_OK;
	sqlite3_bind_int64(s->reserve, 1, id + ID_BLOCK);
	rc = sqlite3_step(s->reserve);
	sqlite3_reset(s->reserve);
	if (rc != SQLITE_DONE)
		return rc;
	s->id_upto_pend = id + ID_BLOCK;
	return SQLITE_OK;
}

/* Insert a request's row (the request as submitted, whole). */
static int
insert_request(store *s, sqlite3_stmt *st, const struct store_request_row *r)
{
	int rc;

	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_int64(st, 2, r->created_ms);
	bind_text(st, 3, r->client_req_id);
	bind_text(st, 4, r->agent);
	bind_text(st, 5, r->session);
	bind_text(st, 6, r->kind);
	bind_text(st, 7, r->summary);
	bind_text(st, 8, r->cwd);
	bind_text(st, 9, r->workspace);
	sqlite3_bind_int64(st, 10, r->pid);
	sqlite3_bind_int64(st, 11, r->uid);
	sqlite3_bind_int64(st, 12, r->gid);
	sqlite3_bind_blob(st, 13, r->request != NULL ? r->request : (const void *)"",
	    (int)r->request_len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	(void)s;
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
step_id(sqlite3_stmt *st, int64_t id, int64_t x)
{
	int rc;

	sqlite3_bind_int64(st, 1, id);
	if (x >= 0)
		sqlite3_bind_int64(st, 2, x);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* A pending request: its row and its entry in requests_open.  A row kept
 * for a retry after a store failure is opened only if its decision has
 * not been written meanwhile (an audit row after since_seq). */
static int
run_request(store *s, struct job *j)
{
	int rc;

	if ((rc = reserve_id(s, j->req.id)) != SQLITE_OK ||
	    (rc = insert_request(s, s->ins_req, &j->req)) != SQLITE_OK)
		return rc;
	if (j->deferred)
		return step_id(s->ins_open_late, j->req.id, j->since_seq);
	return step_id(s->ins_open, j->req.id, -1);
}

/* A decision: its audit row (which carries the request), the request's
 * row when a value had to be elided from the audit row, and the request
 * closed in requests_open (a no-op for one that never went pending). */
static int
run_decision(store *s, struct job *j)
{
	const struct store_decision_row *d = &j->dec;
	int rc;

	if (d->request == NULL || d->request->id != d->request_id)
		return SQLITE_MISUSE;
	if ((rc = reserve_id(s, d->request_id)) != SQLITE_OK)
		return rc;
	if (d->request->request_len > AUDIT_VALUE_CAP &&
	    (rc = insert_request(s, s->keep_req, d->request)) != SQLITE_OK)
		return rc;
	if ((rc = step_id(s->del_open, d->request_id, -1)) != SQLITE_OK)
		return rc;
	return audit_append(s->audit, d, &j->seq);
}

/* Run one job inside the current transaction; returns an SQLite result code. */
static int
run_job(store *s, struct job *j)
{
	switch (j->kind) {
	case JOB_FN:
		j->seq = 0;
		return j->fn(s->db, j->fn_arg) == 0 ? SQLITE_OK : SQLITE_ERROR;
	case JOB_REQUEST:
		if (j->since_seq < 0)
			j->since_seq = audit_head_seq(s->audit);
		j->seq = 0;
		return run_request(s, j);
	case JOB_DECISION:
		return run_decision(s, j);
	}
	return SQLITE_MISUSE;
}

static void job_free(struct job *j);
static struct job *request_job(const struct store_request_row *row);
static struct job *decision_job(const struct store_decision_row *row);

/* Rows kept in memory while the store cannot write, at most. */
#define DEFERRED_MAX 100000
#define DEFERRED_MAX_BYTES ((size_t)64 << 20)
#define RETRY_MS 1000

/* Failures of the disk or the system, which may pass (not of the row). */
static bool
transient(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_NOMEM:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PROTOCOL:
		return true;
	}
	return false;
}

/* Run a prepared statement that returns no rows; SQLITE_OK or the error. */
static int
step_once(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Run the jobs in one transaction; their status is 0 on commit, else -1
 * with err.  Returns the SQLite result code. */
static int
run_txn(store *s, struct job *batch)
{
	int rc = step_once(s->begin);

	audit_begin(s->audit);
	s->id_upto_pend = s->id_upto;
	for (struct job *j = batch; rc == SQLITE_OK && j != NULL; j = j->next)
		rc = run_job(s, j);
	if (rc == SQLITE_OK)
		rc = step_once(s->commit);
	if (rc == SQLITE_OK) {
		audit_commit(s->audit);
		s->id_upto = s->id_upto_pend;
	} else {
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		audit_rollback(s->audit);
	}
	for (struct job *j = batch; j != NULL; j = j->next) {
		j->status = rc == SQLITE_OK ? 0 : -1;
		j->err = rc;
	}
	return rc;
}

/* Write a batch in one transaction; if that fails, retry each job alone so
 * one bad row cannot fail the others.  Returns the commits made. */
static int
run_batch(store *s, struct job *batch)
{
	int commits = 0;

	if (run_txn(s, batch) == SQLITE_OK)
		return 1;
	if (batch->next == NULL)
		return 0;
	for (struct job *j = batch; j != NULL; j = j->next) {
		struct job *next = j->next;

		j->next = NULL;
		commits += run_txn(s, j) == SQLITE_OK;
		j->next = next;
	}
	return commits;
}

/* Keep a copy of a job that could not be written, to retry: a request row
 * as it is, a decision as the store-error denial it became. */
static void
defer(store *s, const struct job *j, struct job **tail)
{
	struct job *c = NULL;
	char note[600];

	if (s->ndeferred >= DEFERRED_MAX || s->deferred_bytes + j->req.request_len > DEFERRED_MAX_BYTES) {
		log_msg("store: cannot keep more unwritten rows; the %s row of request %lld is lost",
		    j->kind == JOB_REQUEST ? "request" : "decision", (long long)j->req.id);
		return;
	}
	if (j->kind == JOB_REQUEST) {
		c = request_job(&j->req);
		if (c != NULL)
			c->since_seq = j->since_seq;
	} else if (j->kind == JOB_DECISION) {
		struct store_decision_row d = j->dec;

		if (strcmp(d.decided_by, "store-error") != 0) {
			snprintf(note, sizeof note, "could not be recorded when decided (%s by %s%s%.400s); "
			    "the requester was denied (store-error)", d.decision, d.decided_by,
			    d.note != NULL ? ": " : "", d.note != NULL ? d.note : "");
			d.decision = "deny";
			d.decided_by = "store-error";
			d.note = note;
		}
		c = decision_job(&d);
	}
	if (c == NULL)
		return;
	s->deferred_bytes += j->req.request_len;
	c->deferred = true;
	if (*tail != NULL)
		(*tail)->next = c;
	else
		s->deferred = c;
	*tail = c;
	s->ndeferred++;
}

static void
drop_deferred(store *s, struct job *j)
{
	s->ndeferred--;
	s->deferred_bytes -= j->req.request_len;
	job_free(j);
}

/* Retry the kept rows, oldest first: all in one transaction, else one by
 * one until one fails for a reason that may pass.  Rows that fail for
 * good are dropped (logged).  Returns the commits made; *bad gets the
 * transient error that stopped it, or 0. */
static int
retry_deferred(store *s, int *bad)
{
	struct job *list = s->deferred, *j, *next, *tail = NULL;
	int commits = 0, rc;

	*bad = 0;
	if (list == NULL)
		return 0;
	s->deferred = NULL;
	if ((rc = run_txn(s, list)) == SQLITE_OK) {
		for (j = list; j != NULL; j = next) {
			next = j->next;
			drop_deferred(s, j);
		}
		return 1;
	}
	for (j = list; j != NULL; j = next) {
		next = j->next;
		j->next = NULL;
		if (*bad == 0) {
			rc = run_txn(s, j);
			if (rc == SQLITE_OK) {
				commits++;
				drop_deferred(s, j);
				continue;
			}
			if (!transient(rc)) {
				log_msg("store: dropping an unwritten %s row of request %lld: %s",
				    j->kind == JOB_REQUEST ? "request" : "decision", (long long)j->req.id,
				    sqlite3_errstr(rc));
				drop_deferred(s, j);
				continue;
			}
			*bad = rc;
		}
		if (tail != NULL)
			tail->next = j;
		else
			s->deferred = j;
		tail = j;
	}
	return commits;
}

/* Tell the loop thread that the store's health changed. */
static void
set_health(store *s, bool ok, int rc)
{
	if (s->failing == !ok)
		return;
	s->failing = !ok;
	pthread_mutex_lock(&s->mu);
	s->health_event = true;
	s->health_ok = ok;
	if (ok)
		snprintf(s->health_msg, sizeof s->health_msg,
		    "the audit log is writable again; decisions are recorded and answered normally");
	else
		snprintf(s->health_msg, sizeof s->health_msg,
		    "cannot write the audit log (%s): every request is denied with store-error until "
		    "it can; unwritten rows are kept in memory and retried", sqlite3_errstr(rc));
	pthread_mutex_unlock(&s->mu);
}

/* Write kept rows (when due or with new work), then the new batch.  Jobs
 * that failed for a reason that may pass are kept for a retry.  Returns
 * the commits made. */
static int
process(store *s, struct job *batch)
{
	int64_t now = wall_clock_ms();
	int commits = 0, bad = 0;
	struct job *tail;

	if (s->deferred != NULL && (batch != NULL || now >= s->retry_ms)) {
		commits += retry_deferred(s, &bad);
		s->retry_ms = now + RETRY_MS;
	}
	if (batch != NULL)
		commits += run_batch(s, batch);
	for (tail = s->deferred; tail != NULL && tail->next != NULL; tail = tail->next)
		;
	for (struct job *j = batch; j != NULL; j = j->next) {
		/* with rows still unwritten, any failure may be caused by them */
		if (j->status != 0 && j->kind != JOB_FN && (transient(j->err) || s->deferred != NULL)) {
			if (bad == 0)
				bad = j->err;
			defer(s, j, &tail);
		}
	}
	if (bad != 0 || s->deferred != NULL)
		set_health(s, false, bad != 0 ? bad : SQLITE_FULL);
	else
		set_health(s, true, SQLITE_OK);
	return commits;
}

/* Timed checkpoint and retention in their own transaction (force: sign
 * the head now, e.g. at shutdown). */
static void
maintain(store *s, bool force)
{
	int64_t now = wall_clock_ms();
	int rc;

	if (!force && audit_due_ms(s->audit, now) > now)
		return;
	rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	audit_begin(s->audit);
	if (rc == SQLITE_OK)
		rc = audit_maintain(s->audit, now, force);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK) {
		audit_commit(s->audit);
		return;
	}
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	audit_rollback(s->audit);
	if (now - s->maint_log_ms >= 60000) {
		log_msg("store: audit checkpoint/retention failed: %s", sqlite3_errstr(rc));
		s->maint_log_ms = now;
	}
}

static void
apply_tuning(store *s, const struct store_tuning *t)
{
	char sql[64];

	if (t->max_pages > 0) {
		snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", (long long)t->max_pages);
		sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	}
	audit_set_policy(s->audit, &(struct audit_policy){
	    .checkpoint_rows = t->checkpoint_rows, .checkpoint_ms = t->checkpoint_ms,
	    .retention_ms = t->retention_ms });
}

/* Copy the WAL back into the database between batches, never inside a
 * request's transaction: PASSIVE once the WAL holds WAL_CHECKPOINT_FRAMES
 * and nothing is queued (or WAL_FORCE_FRAMES whatever is queued, so that
 * sustained load cannot grow it without bound), TRUNCATE once the broker
 * has been idle for WAL_IDLE_MS.  A checkpoint a reader kept from
 * finishing is retried after as many frames again (or idle time). */
static void
checkpoint_wal(store *s, bool queued, int64_t now)
{
	int mode, rc, log = 0, done = 0;

	if (s->wal_frames <= 0)
		return;
	if (now - s->last_work_ms >= WAL_IDLE_MS && !queued)
		mode = SQLITE_CHECKPOINT_TRUNCATE;
	else if (s->wal_frames >= s->wal_next_ckpt && (!queued || s->wal_frames >= WAL_FORCE_FRAMES))
		mode = SQLITE_CHECKPOINT_PASSIVE;
	else
		return;
	rc = sqlite3_wal_checkpoint_v2(s->db, NULL, mode, &log, &done);
	pthread_mutex_lock(&s->mu);
	s->wal_checkpoints++;
	if (rc == SQLITE_OK && done >= log)
		s->wal_frames_pub = 0;
	pthread_mutex_unlock(&s->mu);
	if (rc == SQLITE_OK && done >= log) {
		/* the next commit starts the WAL over (TRUNCATE: it is empty now) */
		s->wal_frames = s->wal_frames_seen = 0;
		s->wal_next_ckpt = WAL_CHECKPOINT_FRAMES;
		return;
	}
	/* a reader holds old frames: try again later, not after every batch */
	s->wal_next_ckpt = s->wal_frames + WAL_CHECKPOINT_FRAMES;
	if (mode == SQLITE_CHECKPOINT_TRUNCATE)
		s->last_work_ms = now;
}

/* When timed work falls due next (writer only): an audit checkpoint or
 * retention, a retry of kept rows, the idle WAL truncation. */
static int64_t
next_due(store *s, int64_t now)
{
	int64_t due = audit_due_ms(s->audit, now);

	if (s->deferred != NULL && s->retry_ms < due)
		due = s->retry_ms;
	if (s->wal_frames > 0 && s->last_work_ms + WAL_IDLE_MS < due)
		due = s->last_work_ms + WAL_IDLE_MS;
	return due;
}

/* Sleep until there is work, a timed task is due, or we must stop.
 * Called and returns with mu held. */
static void
wait_for_work(store *s)
{
	while (s->todo == NULL && !s->stop && !s->tuning_dirty && !s->maint_wanted) {
		int64_t now = wall_clock_ms(), due = s->due_pub;
		struct timespec ts;

		if (due == INT64_MAX) {
			pthread_cond_wait(&s->cv, &s->mu);
			continue;
		}
		if (due <= now)
			return;
		ts.tv_sec = (time_t)(due / 1000);
		ts.tv_nsec = (long)(due % 1000) * 1000000;
		if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) == ETIMEDOUT)
			return;
	}
}

/* Count a written batch and put its jobs on the done list, whose callbacks
 * the loop runs (deliver).  Called with mu held. */
static void
hand_back(store *s, struct job *batch, int commits)
{
	struct job *last;
	size_t n = 1;

	s->commits += (uint64_t)commits;
	if (batch == NULL)
		return;
	for (last = batch; last->next != NULL; last = last->next)
		n++;
	s->backlog -= n;
	if (s->done_tail != NULL)
		s->done_tail->next = batch;
	else
		s->done = batch;
	s->done_tail = last;
}

static void *
worker(void *arg)
{
	store *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct job *batch;
		struct store_tuning t;
		bool tune, queued, asked;
		int commits;

		wait_for_work(s);
		if (s->todo == NULL && s->stop)
			break;
		asked = s->maint_wanted;
		s->maint_wanted = false;
		pthread_mutex_unlock(&s->mu);
		pthread_mutex_lock(&s->wmu);
		pthread_mutex_lock(&s->mu);
		batch = s->todo;
		if (batch != NULL && s->opts.per_request_commit) {
			s->todo = batch->next;
			batch->next = NULL;
		} else {
			s->todo = NULL;
		}
		if (s->todo == NULL)
			s->todo_tail = NULL;
		tune = s->tuning_dirty;
		t = s->tuning;
		s->tuning_dirty = false;
		pthread_mutex_unlock(&s->mu);

		if (tune)
			apply_tuning(s, &t);
		commits = process(s, batch);
		maintain(s, false);
		if (batch != NULL)
			s->last_work_ms = wall_clock_ms();

		pthread_mutex_lock(&s->mu);
		hand_back(s, batch, commits);
		queued = s->todo != NULL;
		pthread_mutex_unlock(&s->mu);
		uv_async_send(&s->async);
		/* the replies are on their way: now the WAL may be copied back
		 * (asked: an inline batch found it past the mark, and inline
		 * writers keep the queue busy, so do not wait for a quiet one) */
		checkpoint_wal(s, queued && !asked, wall_clock_ms());
		pthread_mutex_lock(&s->mu);
		s->due_pub = next_due(s, wall_clock_ms());
		pthread_mutex_unlock(&s->mu);
		pthread_mutex_unlock(&s->wmu);
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	pthread_mutex_lock(&s->wmu);
	/* last chance for kept rows, and a checkpoint over the final head */
	if (s->deferred != NULL) {
		int bad;

		retry_deferred(s, &bad);
		if (s->ndeferred > 0)
			log_msg("store: %zu rows could not be written before the broker stopped", s->ndeferred);
		while (s->deferred != NULL) {
			struct job *next = s->deferred->next;

			drop_deferred(s, s->deferred);
			s->deferred = next;
		}
	}
	maintain(s, true);
	pthread_mutex_unlock(&s->wmu);
	return NULL;
}

static void
job_free(struct job *j)
{
	for (size_t i = 0; i < sizeof j->strings / sizeof j->strings[0]; i++)
		free(j->strings[i]);
	free(j->blob);
	free(j);
}

/* Run done callbacks on the loop thread. */
static void
deliver(store *s)
{
	struct job *j, *next;

	bool event, ok;
	char msg[sizeof s->health_msg];

	pthread_mutex_lock(&s->mu);
	j = s->done;
	s->done = s->done_tail = NULL;
	event = s->health_event;
	ok = s->health_ok;
	memcpy(msg, s->health_msg, sizeof msg);
	s->health_event = false;
	pthread_mutex_unlock(&s->mu);
	if (event && s->health_cb != NULL)
		s->health_cb(s->health_arg, ok, msg);
	for (; j != NULL; j = next) {
		next = j->next;
		if (j->cb != NULL)
			j->cb(j->arg, j->status, j->seq);
		job_free(j);
	}
}

static void
on_async(uv_async_t *a)
{
	deliver(a->data);
}

static int
enqueue(store *s, struct job *j)
{
	pthread_mutex_lock(&s->mu);
	if (s->todo_tail != NULL)
		s->todo_tail->next = j;
	else
		s->todo = j;
	s->todo_tail = j;
	s->backlog++;
	if (!s->inline_writes) /* else on_prepare writes it before the loop sleeps */
		pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

/* Inline writes (durability normal, grouped commits): just before the loop
 * waits for I/O, it writes everything queued during this iteration itself
 * in one transaction and answers at once, Redis beforeSleep style, instead
 * of waking the worker and being woken back (two thread switches per
 * request, the biggest cost left on the fast path).  The worker keeps what
 * may block for long: checkpoints, audit signing and retention, retries of
 * kept rows, fsync mode.  When it holds the writer lock, or rows are kept
 * for a retry, the batch is handed to it as before. */
static void
on_prepare(uv_prepare_t *h)
{
	store *s = h->data;

	for (int round = 0; round < 4; round++) {
		struct job *batch;
		int commits;
		bool due;
		int64_t now;

		pthread_mutex_lock(&s->mu);
		if (s->todo == NULL || s->stop) {
			pthread_mutex_unlock(&s->mu);
			return;
		}
		if (pthread_mutex_trylock(&s->wmu) != 0) {
			pthread_cond_signal(&s->cv); /* the worker is busy: it takes the batch next */
			pthread_mutex_unlock(&s->mu);
			return;
		}
		if (s->deferred != NULL) {
			pthread_mutex_unlock(&s->wmu);
			pthread_cond_signal(&s->cv);
			pthread_mutex_unlock(&s->mu);
			return;
		}
		batch = s->todo;
		s->todo = s->todo_tail = NULL;
		pthread_mutex_unlock(&s->mu);

		commits = process(s, batch);
		now = wall_clock_ms();
		s->last_work_ms = now;
		due = next_due(s, now) <= now || s->wal_frames >= s->wal_next_ckpt;
		pthread_mutex_lock(&s->mu);
		hand_back(s, batch, commits);
		s->due_pub = next_due(s, now);
		if (due || s->deferred != NULL) {
			s->maint_wanted = true;
			pthread_cond_signal(&s->cv);
		}
		pthread_mutex_unlock(&s->mu);
		pthread_mutex_unlock(&s->wmu);
		deliver(s); /* callbacks may queue more: another round */
	}
	pthread_mutex_lock(&s->mu);
	if (s->todo != NULL)
		pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Duplicate s into the job's string slots; returns the copy (NULL stays NULL). */
static const char *
keep(struct job *j, int slot, const char *str)
{
	if (str == NULL)
		return NULL;
	j->strings[slot] = strdup(str);
	return j->strings[slot] != NULL ? j->strings[slot] : "";
}

/* Duplicate n bytes into a job slot (freed with the job). */
static const void *
keep_bytes(struct job *j, int slot, const void *p, size_t n)
{
	if (p == NULL || n == 0)
		return NULL;
	if ((j->strings[slot] = malloc(n)) == NULL)
		return NULL;
	memcpy(j->strings[slot], p, n);
	return j->strings[slot];
}

/* Copy a request row into j (slots 0-6 and the blob). */
static int
copy_request(struct job *j, const struct store_request_row *row)
{
	j->req = *row;
	if ((j->blob = malloc(row->request_len ? row->request_len : 1)) == NULL)
		return -1;
	j->req.client_req_id = keep(j, 0, row->client_req_id);
	j->req.agent = keep(j, 1, row->agent);
	j->req.session = keep(j, 2, row->session);
	j->req.kind = keep(j, 3, row->kind);
	j->req.summary = keep(j, 4, row->summary);
	j->req.cwd = keep(j, 5, row->cwd);
	j->req.workspace = keep(j, 6, row->workspace);
	if (row->request_len > 0)
		memcpy(j->blob, row->request, row->request_len);
	j->req.request = j->blob;
	return 0;
}

/* A job holding its own copy of a request row; NULL on out of memory. */
static struct job *
request_job(const struct store_request_row *row)
{
	struct job *j = calloc(1, sizeof *j);

	if (j == NULL || copy_request(j, row) < 0) {
		free(j);
		return NULL;
	}
	j->kind = JOB_REQUEST;
	j->since_seq = -1;
	return j;
}

/* A job holding its own copy of a decision row and its request; NULL on
 * out of memory or without a request. */
static struct job *
decision_job(const struct store_decision_row *row)
{
	struct job *j;

	if (row->request == NULL || (j = calloc(1, sizeof *j)) == NULL)
		return NULL;
	if (copy_request(j, row->request) < 0) {
		job_free(j);
		return NULL;
	}
	j->kind = JOB_DECISION;
	j->since_seq = -1;
	j->dec = *row;
	j->dec.request = &j->req;
	j->dec.decision = keep(j, 7, row->decision);
	j->dec.decided_by = keep(j, 8, row->decided_by);
	j->dec.reviewer_name = keep(j, 9, row->reviewer_name);
	j->dec.note = keep(j, 10, row->note);
	j->dec.intent = keep_bytes(j, 11, row->intent, row->intent_len);
	if (j->dec.intent == NULL)
		j->dec.intent_len = 0;
	j->dec.risk_level = keep(j, 12, row->risk_level);
	j->dec.shown_sha256 = keep(j, 13, row->shown_sha256);
	j->dec.risk_reasons = keep_bytes(j, 14, row->risk_reasons, row->risk_reasons_len);
	if (j->dec.risk_reasons == NULL)
		j->dec.risk_reasons_len = 0;
	j->dec.approvers = keep_bytes(j, 15, row->approvers, row->approvers_len);
	if (j->dec.approvers == NULL)
		j->dec.approvers_len = 0;
	return j;
}

/* Queue job j (NULL: out of memory) with its done callback. */
static int
put(store *s, struct job *j, store_done_cb cb, void *arg)
{
	if (j == NULL)
		return -1;
	j->cb = cb;
	j->arg = arg;
	return enqueue(s, j);
}

int
store_put_request(store *s, const struct store_request_row *row, store_done_cb cb, void *arg)
{
	return put(s, request_job(row), cb, arg);
}

int
store_put_decision(store *s, const struct store_decision_row *row, store_done_cb cb, void *arg)
{
	return put(s, decision_job(row), cb, arg);
}

void
store_tune(store *s, const struct store_tuning *t)
{
	pthread_mutex_lock(&s->mu);
	s->tuning = *t;
	s->tuning_dirty = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

void
store_on_health(store *s, store_health_cb cb, void *arg)
{
	s->health_cb = cb;
	s->health_arg = arg;
}

int
store_run(store *s, int (*fn)(sqlite3 *db, void *arg), void *arg, store_done_cb cb, void *cb_arg)
{
	struct job *j = calloc(1, sizeof *j);

	if (j != NULL) {
		j->kind = JOB_FN;
		j->fn = fn;
		j->fn_arg = arg;
	}
	return put(s, j, cb, cb_arg);
}

sqlite3 *
store_reader(store *s)
{
	return s->db; /* FULLMUTEX: safe from the loop thread for rare reads */
}

size_t
store_backlog(store *s)
{
	size_t n;

	pthread_mutex_lock(&s->mu);
	n = s->backlog;
	pthread_mutex_unlock(&s->mu);
	return n;
}

const char *
store_audit_alert(store *s, const char **code)
{
	return audit_alert(s->audit, code);
}

uint64_t
store_commits(store *s)
{
	uint64_t n;

	pthread_mutex_lock(&s->mu);
	n = s->commits;
	pthread_mutex_unlock(&s->mu);
	return n;
}

void
store_wal_stats(store *s, struct store_wal_stats *out)
{
	pthread_mutex_lock(&s->mu);
	out->frames = s->wal_frames_total;
	out->checkpoints = s->wal_checkpoints;
	out->wal_frames = s->wal_frames_pub;
	pthread_mutex_unlock(&s->mu);
}

int64_t
store_last_request_id(const store *s)
{
	return s->last_id;
}

int64_t
store_recovered(const store *s)
{
	return s->recovered;
}

/* SQLite calls this on the writing thread after each commit with the
 * number of frames now in the WAL.  Installing it turns SQLite's own
 * auto-checkpoint off: the worker checkpoints between batches instead
 * (checkpoint_wal), so no request's commit pays for one. */
static int
on_wal_commit(void *arg, sqlite3 *db, const char *name, int nframes)
{
	store *s = arg;
	int64_t n = nframes;
	uint64_t added = (uint64_t)(n >= s->wal_frames_seen ? n - s->wal_frames_seen : n);

	(void)db, (void)name;
	s->wal_frames_seen = n;
	s->wal_frames = n;
	pthread_mutex_lock(&s->mu);
	s->wal_frames_total += added;
	s->wal_frames_pub = n;
	pthread_mutex_unlock(&s->mu);
	return SQLITE_OK;
}

static const char sql_ins_req[] =
	"INSERT INTO requests (id, created_ms, client_req_id, agent, session, kind, summary,"
	" cwd, workspace, peer_pid, peer_uid, peer_gid, request) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)";

static int
prepare_all(store *s)
{
	static const struct {
		size_t off;
		const char *sql;
	} stmts[] = {
		{ offsetof(store, ins_req), sql_ins_req },
		/* a pending request whose decision commits with it already has its row */
		{ offsetof(store, keep_req), "INSERT OR IGNORE INTO requests (id, created_ms, client_req_id,"
		    " agent, session, kind, summary, cwd, workspace, peer_pid, peer_uid, peer_gid, request)"
		    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)" },
		{ offsetof(store, ins_open), "INSERT INTO requests_open (id) VALUES (?)" },
		{ offsetof(store, ins_open_late), "INSERT INTO requests_open (id) SELECT ?1 WHERE NOT EXISTS"
		    " (SELECT 1 FROM audit WHERE seq > ?2 AND request_id = ?1)" },
		{ offsetof(store, del_open), "DELETE FROM requests_open WHERE id = ?" },
		{ offsetof(store, reserve), "UPDATE store_meta SET request_id_upto = ? WHERE id = 1" },
		{ offsetof(store, begin), "BEGIN IMMEDIATE" },
		{ offsetof(store, commit), "COMMIT" },
	};

	for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++)
		if (sqlite3_prepare_v2(s->db, stmts[i].sql, -1,
		        (sqlite3_stmt **)((char *)s + stmts[i].off), NULL) != SQLITE_OK)
			return -1;
	return 0;
}

static void
finalize_all(store *s)
{
	sqlite3_finalize(s->ins_req);
	sqlite3_finalize(s->keep_req);
	sqlite3_finalize(s->ins_open);
	sqlite3_finalize(s->ins_open_late);
	sqlite3_finalize(s->del_open);
	sqlite3_finalize(s->reserve);
	sqlite3_finalize(s->begin);
	sqlite3_finalize(s->commit);
	s->ins_req = s->keep_req = s->ins_open = s->ins_open_late = s->del_open = s->reserve = NULL;
	s->begin = s->commit = NULL;
}

static int
open_db(store *s, const char *path, char *err, size_t errlen)
{
	mode_t old = umask(077);
	int rc = sqlite3_open_v2(path, &s->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);

	umask(old);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
		    s->db ? sqlite3_errmsg(s->db) : "out of memory");
		return -1;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (exec_sql(s->db, "PRAGMA journal_mode=WAL", err, errlen) < 0 ||
	    exec_sql(s->db, s->opts.fsync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
	        err, errlen) < 0 ||
	    exec_sql(s->db, "PRAGMA foreign_keys=ON", err, errlen) < 0 ||
	    exec_sql(s->db, "PRAGMA journal_size_limit=" WAL_SIZE_LIMIT_SQL, err, errlen) < 0)
		return -1;
	sqlite3_wal_hook(s->db, on_wal_commit, s);
	if (migrate(s->db, &s->opts, err, errlen) < 0 ||
	    (s->audit = audit_open(s->db, &(struct audit_open_opts){ .db_path = path,
	        .copy_setting = s->opts.audit_copy, .syslog = s->opts.audit_syslog, .fsync = s->opts.fsync,
	        .checkpoint_rows = s->opts.audit_rows, .checkpoint_ms = s->opts.audit_ms }, err, errlen)) == NULL)
		return -1;
	s->last_id = s->id_upto = query_int(s->db, "SELECT request_id_upto FROM store_meta WHERE id = 1", -1);
	if (s->last_id < 0) {
		snprintf(err, errlen, "the database has no store_meta row");
		return -1;
	}
	if (prepare_all(s) < 0) {
		snprintf(err, errlen, "cannot prepare statements: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	return recover(s, err, errlen);
}

static void
on_async_closed(uv_handle_t *h)
{
	free(h->data);
}

/* The prepare handle lives in the store: close it first, then the async
 * handle whose close frees the store. */
static void
on_prep_closed(uv_handle_t *h)
{
	store *s = h->data;

	uv_close((uv_handle_t *)&s->async, on_async_closed);
}

store *
store_open(uv_loop_t *loop, const char *path, const struct store_opts *opts,
    char *err, size_t errlen)
{
	store *s = calloc(1, sizeof *s);

	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (opts != NULL)
		s->opts = *opts;
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->wmu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (open_db(s, path, err, errlen) < 0)
		goto fail;
	s->last_work_ms = wall_clock_ms();
	s->wal_next_ckpt = WAL_CHECKPOINT_FRAMES;
	s->due_pub = next_due(s, s->last_work_ms);
	s->inline_writes = !s->opts.fsync && !s->opts.per_request_commit;
	if (uv_async_init(loop, &s->async, on_async) != 0) {
		snprintf(err, errlen, "cannot create the store's wake-up handle");
		goto fail;
	}
	s->async.data = s;
	uv_prepare_init(loop, &s->prep);
	s->prep.data = s;
	if (s->inline_writes)
		uv_prepare_start(&s->prep, on_prepare);
	if (pthread_create(&s->thread, NULL, worker, s) != 0) {
		snprintf(err, errlen, "cannot start the store thread");
		finalize_all(s);
		audit_close(s->audit);
		sqlite3_close(s->db);
		uv_close((uv_handle_t *)&s->prep, on_prep_closed);
		return NULL;
	}
	return s;
fail:
	finalize_all(s);
	audit_close(s->audit);
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->mu);
	pthread_mutex_destroy(&s->wmu);
	pthread_cond_destroy(&s->cv);
	free(s);
	return NULL;
}

void
store_close(store *s)
{
	if (s == NULL)
		return;
	uv_prepare_stop(&s->prep);
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	s->health_cb = NULL; /* the consoles are gone by now */
	deliver(s);
	finalize_all(s);
	audit_close(s->audit);
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->mu);
	pthread_mutex_destroy(&s->wmu);
	pthread_cond_destroy(&s->cv);
	uv_close((uv_handle_t *)&s->prep, on_prep_closed);
}
