/* store.c -- SQLite store with a group-commit worker thread. */
#include "broker/store.h"
#include "broker/audit.h"
#include "broker/log.h"

#include <errno.h>
#include <pthread.h>
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
	"CREATE INDEX requests_agent ON requests(agent, id);" },
	{ "0002-rules",
	/* remembered decisions (broker/rule.h); decisions made by one name it */
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
	"ALTER TABLE decisions ADD COLUMN rule_id INTEGER REFERENCES rules(id);" },
	/* the tamper-evident audit log; the SQL lives with its code (audit.c) */
	{ "0003-audit", audit_schema_sql },
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
	union {
		struct store_request_row req;
		struct store_decision_row dec;
	} u;
	char *strings[10]; /* copies owned by the job */
	void *blob;
	int (*fn)(sqlite3 *db, void *arg);
	void *fn_arg;
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *ins_req, *ins_dec;
	struct store_opts opts;
	uv_async_t async;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *todo, *todo_tail; /* guarded by mu */
	struct job *done, *done_tail; /* guarded by mu */
	size_t backlog;               /* guarded by mu */
	uint64_t commits;             /* guarded by mu */
	bool stop;                    /* guarded by mu */
	int64_t last_id, recovered;
	audit_chain *audit;           /* worker thread only (and open/close) */
	struct job *deferred;         /* worker only: rows to retry, oldest first */
	size_t ndeferred, deferred_bytes;
	int64_t retry_ms;             /* worker only: next retry of deferred rows */
	int64_t maint_log_ms;         /* worker only: last logged maintenance failure */
	bool failing;                 /* worker only: health as last reported */
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

static int64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
migrate(sqlite3 *db, char *err, size_t errlen)
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
		    "SELECT count(*) FROM schema_migrations;", migrations[i].name, (long long)wall_ms());
		if (sql == NULL || exec_sql(db, "BEGIN IMMEDIATE", err, errlen) < 0) {
			sqlite3_free(sql);
			return -1;
		}
		if (exec_sql(db, migrations[i].sql, err, errlen) < 0 || exec_sql(db, sql, err, errlen) < 0) {
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
	if (sqlite3_prepare_v2(s->db, "SELECT id FROM requests r WHERE NOT EXISTS"
	        " (SELECT 1 FROM decisions d WHERE d.request_id = r.id) ORDER BY id", -1, &st, NULL) != SQLITE_OK)
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

/* Close requests a dead broker left undecided: each is denied
 * "broker-restart" with its audit row, all in one transaction. */
static int
recover(store *s, char *err, size_t errlen)
{
	size_t n;
	int64_t *ids = undecided_ids(s, &n), now = wall_ms();
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
	rc = SQLITE_OK;
	for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
		struct job j = { .kind = JOB_DECISION };

		j.u.dec = (struct store_decision_row){
			.request_id = ids[i], .decided_ms = now, .decision = "deny",
			.decided_by = "broker-restart", .reviewer_uid = -1, .reviewer_pid = -1,
			.note = "the broker stopped before a decision",
		};
		rc = run_job(s, &j);
	}
	free(ids);
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
	audit_commit(s->audit);
	s->recovered = (int64_t)n;
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

static void
bind_opt_int(sqlite3_stmt *st, int i, int64_t v)
{
	if (v < 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

/* Run one job's INSERT (a decision's with its audit row) inside the current
 * transaction; returns an SQLite result code. */
static int
run_job(store *s, struct job *j)
{
	sqlite3_stmt *st;
	int rc;

	if (j->kind == JOB_FN) {
		j->seq = 0;
		return j->fn(s->db, j->fn_arg) == 0 ? SQLITE_OK : SQLITE_ERROR;
	}
	if (j->kind == JOB_REQUEST) {
		const struct store_request_row *r = &j->u.req;

		st = s->ins_req;
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
		sqlite3_bind_blob(st, 13, r->request, (int)r->request_len, SQLITE_STATIC);
	} else {
		const struct store_decision_row *d = &j->u.dec;

		st = s->ins_dec;
		sqlite3_bind_int64(st, 1, d->request_id);
		sqlite3_bind_int64(st, 2, d->decided_ms);
		bind_text(st, 3, d->decision);
		bind_text(st, 4, d->decided_by);
		bind_opt_int(st, 5, d->reviewer_uid);
		bind_opt_int(st, 6, d->reviewer_pid);
		bind_text(st, 7, d->reviewer_name);
		bind_text(st, 8, d->note);
		bind_opt_int(st, 9, d->rule_id > 0 ? d->rule_id : -1);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return rc;
	if (j->kind == JOB_DECISION)
		return audit_append(s->audit, &j->u.dec, &j->seq);
	j->seq = sqlite3_last_insert_rowid(s->db);
	return SQLITE_OK;
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

/* Run the jobs in one transaction; their status is 0 on commit, else -1
 * with err.  Returns the SQLite result code. */
static int
run_txn(store *s, struct job *batch)
{
	int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	audit_begin(s->audit);
	for (struct job *j = batch; rc == SQLITE_OK && j != NULL; j = j->next)
		rc = run_job(s, j);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK) {
		audit_commit(s->audit);
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

	if (s->ndeferred >= DEFERRED_MAX ||
	    (j->kind == JOB_REQUEST && s->deferred_bytes + j->u.req.request_len > DEFERRED_MAX_BYTES)) {
		log_msg("store: cannot keep more unwritten rows; the %s row of request %lld is lost",
		    j->kind == JOB_REQUEST ? "request" : "decision",
		    (long long)(j->kind == JOB_REQUEST ? j->u.req.id : j->u.dec.request_id));
		return;
	}
	if (j->kind == JOB_REQUEST) {
		c = request_job(&j->u.req);
		if (c != NULL)
			s->deferred_bytes += j->u.req.request_len;
	} else if (j->kind == JOB_DECISION) {
		struct store_decision_row d = j->u.dec;

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
	if (j->kind == JOB_REQUEST)
		s->deferred_bytes -= j->u.req.request_len;
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
				    j->kind == JOB_REQUEST ? "request" : "decision",
				    (long long)(j->kind == JOB_REQUEST ? j->u.req.id : j->u.dec.request_id),
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
	int64_t now = wall_ms();
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
	int64_t now = wall_ms();
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

/* Sleep until there is work, a timed task is due, or we must stop.
 * Called and returns with mu held. */
static void
wait_for_work(store *s)
{
	while (s->todo == NULL && !s->stop && !s->tuning_dirty) {
		int64_t now = wall_ms(), due = audit_due_ms(s->audit, now);
		struct timespec ts;

		if (s->deferred != NULL && s->retry_ms < due)
			due = s->retry_ms;
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

static void *
worker(void *arg)
{
	store *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct job *batch, *last;
		struct store_tuning t;
		bool tune;
		size_t n = 0;
		int commits;

		wait_for_work(s);
		if (s->todo == NULL && s->stop)
			break;
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

		pthread_mutex_lock(&s->mu);
		s->commits += (uint64_t)commits;
		if (batch != NULL) {
			for (last = batch, n = 1; last->next != NULL; last = last->next)
				n++;
			s->backlog -= n;
			if (s->done_tail != NULL)
				s->done_tail->next = batch;
			else
				s->done = batch;
			s->done_tail = last;
		}
		pthread_mutex_unlock(&s->mu);
		uv_async_send(&s->async);
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
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
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return 0;
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

/* A job holding its own copy of a request row; NULL on out of memory. */
static struct job *
request_job(const struct store_request_row *row)
{
	struct job *j = calloc(1, sizeof *j);

	if (j == NULL || (j->blob = malloc(row->request_len ? row->request_len : 1)) == NULL) {
		free(j);
		return NULL;
	}
	j->kind = JOB_REQUEST;
	j->u.req = *row;
	j->u.req.client_req_id = keep(j, 0, row->client_req_id);
	j->u.req.agent = keep(j, 1, row->agent);
	j->u.req.session = keep(j, 2, row->session);
	j->u.req.kind = keep(j, 3, row->kind);
	j->u.req.summary = keep(j, 4, row->summary);
	j->u.req.cwd = keep(j, 5, row->cwd);
	j->u.req.workspace = keep(j, 6, row->workspace);
	memcpy(j->blob, row->request, row->request_len);
	j->u.req.request = j->blob;
	return j;
}

/* A job holding its own copy of a decision row; NULL on out of memory. */
static struct job *
decision_job(const struct store_decision_row *row)
{
	struct job *j = calloc(1, sizeof *j);

	if (j == NULL)
		return NULL;
	j->kind = JOB_DECISION;
	j->u.dec = *row;
	j->u.dec.decision = keep(j, 0, row->decision);
	j->u.dec.decided_by = keep(j, 1, row->decided_by);
	j->u.dec.reviewer_name = keep(j, 2, row->reviewer_name);
	j->u.dec.note = keep(j, 3, row->note);
	j->u.dec.intent = keep_bytes(j, 4, row->intent, row->intent_len);
	if (j->u.dec.intent == NULL)
		j->u.dec.intent_len = 0;
	j->u.dec.risk_level = keep(j, 5, row->risk_level);
	j->u.dec.shown_sha256 = keep(j, 6, row->shown_sha256);
	j->u.dec.risk_reasons = keep_bytes(j, 7, row->risk_reasons, row->risk_reasons_len);
	if (j->u.dec.risk_reasons == NULL)
		j->u.dec.risk_reasons_len = 0;
	j->u.dec.approvers = keep_bytes(j, 8, row->approvers, row->approvers_len);
	if (j->u.dec.approvers == NULL)
		j->u.dec.approvers_len = 0;
	return j;
}

int
store_put_request(store *s, const struct store_request_row *row, store_done_cb cb, void *arg)
{
	struct job *j = request_job(row);

	if (j == NULL)
		return -1;
	j->cb = cb;
	j->arg = arg;
	return enqueue(s, j);
}

int
store_put_decision(store *s, const struct store_decision_row *row, store_done_cb cb, void *arg)
{
	struct job *j = decision_job(row);

	if (j == NULL)
		return -1;
	j->cb = cb;
	j->arg = arg;
	return enqueue(s, j);
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

	if (j == NULL)
		return -1;
	j->kind = JOB_FN;
	j->fn = fn;
	j->fn_arg = arg;
	j->cb = cb;
	j->arg = cb_arg;
	return enqueue(s, j);
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

uint64_t
store_commits(store *s)
{
	uint64_t n;

	pthread_mutex_lock(&s->mu);
	n = s->commits;
	pthread_mutex_unlock(&s->mu);
	return n;
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
	    exec_sql(s->db, "PRAGMA foreign_keys=ON", err, errlen) < 0)
		return -1;
	if (migrate(s->db, err, errlen) < 0 || (s->audit = audit_open(s->db, err, errlen)) == NULL)
		return -1;
	s->last_id = query_int(s->db, "SELECT max(id) FROM requests", 0);
	if (sqlite3_prepare_v2(s->db,
	        "INSERT INTO requests (id, created_ms, client_req_id, agent, session, kind, summary,"
	        " cwd, workspace, peer_pid, peer_uid, peer_gid, request)"
	        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &s->ins_req, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
	        "INSERT INTO decisions (request_id, decided_ms, decision, decided_by,"
	        " reviewer_uid, reviewer_pid, reviewer_name, note, rule_id) VALUES (?,?,?,?,?,?,?,?,?)",
	        -1, &s->ins_dec, NULL) != SQLITE_OK) {
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
	if (open_db(s, path, err, errlen) < 0)
		goto fail;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (uv_async_init(loop, &s->async, on_async) != 0) {
		snprintf(err, errlen, "cannot create the store's wake-up handle");
		goto fail;
	}
	s->async.data = s;
	if (pthread_create(&s->thread, NULL, worker, s) != 0) {
		snprintf(err, errlen, "cannot start the store thread");
		sqlite3_finalize(s->ins_req);
		sqlite3_finalize(s->ins_dec);
		audit_close(s->audit);
		sqlite3_close(s->db);
		uv_close((uv_handle_t *)&s->async, on_async_closed);
		return NULL;
	}
	return s;
fail:
	sqlite3_finalize(s->ins_req);
	sqlite3_finalize(s->ins_dec);
	audit_close(s->audit);
	sqlite3_close(s->db);
	free(s);
	return NULL;
}

void
store_close(store *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	s->health_cb = NULL; /* the consoles are gone by now */
	deliver(s);
	sqlite3_finalize(s->ins_req);
	sqlite3_finalize(s->ins_dec);
	audit_close(s->audit);
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	uv_close((uv_handle_t *)&s->async, on_async_closed);
}
