/* store.c -- SQLite store with a group-commit worker thread. */
#include "broker/store.h"

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
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

enum job_kind { JOB_REQUEST, JOB_DECISION, JOB_FN };

struct job {
	struct job *next;
	enum job_kind kind;
	store_done_cb cb;
	void *arg;
	int status;
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

/* Close requests a dead broker left undecided. */
static int
recover(store *s, char *err, size_t errlen)
{
	char sql[512];

	s->recovered = query_int(s->db,
	    "SELECT count(*) FROM requests WHERE id NOT IN (SELECT request_id FROM decisions)", 0);
	if (s->recovered == 0)
		return 0;
	snprintf(sql, sizeof sql,
	    "INSERT INTO decisions (request_id, decided_ms, decision, decided_by, note) "
	    "SELECT id, %lld, 'deny', 'broker-restart', 'the broker stopped before a decision' "
	    "FROM requests WHERE id NOT IN (SELECT request_id FROM decisions) ORDER BY id",
	    (long long)wall_ms());
	return exec_sql(s->db, sql, err, errlen);
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

/* Run one job's INSERT inside the current transaction; 0 or -1. */
static int
run_job(store *s, struct job *j)
{
	sqlite3_stmt *st;
	int rc;

	if (j->kind == JOB_FN) {
		j->seq = 0;
		return j->fn(s->db, j->fn_arg);
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
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return -1;
	j->seq = sqlite3_last_insert_rowid(s->db);
	return 0;
}

/* Write a batch in one transaction; if that fails, retry each job alone so
 * one bad row cannot fail the others. */
static int
run_batch(store *s, struct job *batch)
{
	int ok = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
	int commits = 0;

	for (struct job *j = batch; ok && j != NULL; j = j->next)
		ok = run_job(s, j) == 0;
	if (ok && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) {
		for (struct job *j = batch; j != NULL; j = j->next)
			j->status = 0;
		return 1;
	}
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	if (batch->next == NULL) {
		batch->status = -1;
		return 0;
	}
	for (struct job *j = batch; j != NULL; j = j->next) {
		struct job *next = j->next;

		j->next = NULL;
		commits += run_batch(s, j);
		j->next = next;
	}
	return commits;
}

static void *
worker(void *arg)
{
	store *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct job *batch, *last;
		int commits;

		while (s->todo == NULL && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->todo == NULL)
			break;
		batch = s->todo;
		if (s->opts.per_request_commit) {
			s->todo = batch->next;
			batch->next = NULL;
		} else {
			s->todo = NULL;
		}
		if (s->todo == NULL)
			s->todo_tail = NULL;
		pthread_mutex_unlock(&s->mu);

		commits = run_batch(s, batch);

		pthread_mutex_lock(&s->mu);
		s->commits += (uint64_t)commits;
		for (last = batch; last->next != NULL; last = last->next)
			s->backlog--;
		s->backlog--;
		if (s->done_tail != NULL)
			s->done_tail->next = batch;
		else
			s->done = batch;
		s->done_tail = last;
		pthread_mutex_unlock(&s->mu);
		uv_async_send(&s->async);
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
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

	pthread_mutex_lock(&s->mu);
	j = s->done;
	s->done = s->done_tail = NULL;
	pthread_mutex_unlock(&s->mu);
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

int
store_put_request(store *s, const struct store_request_row *row, store_done_cb cb, void *arg)
{
	struct job *j = calloc(1, sizeof *j);

	if (j == NULL || (j->blob = malloc(row->request_len ? row->request_len : 1)) == NULL) {
		free(j);
		return -1;
	}
	j->kind = JOB_REQUEST;
	j->cb = cb;
	j->arg = arg;
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
	return enqueue(s, j);
}

int
store_put_decision(store *s, const struct store_decision_row *row, store_done_cb cb, void *arg)
{
	struct job *j = calloc(1, sizeof *j);

	if (j == NULL)
		return -1;
	j->kind = JOB_DECISION;
	j->cb = cb;
	j->arg = arg;
	j->u.dec = *row;
	j->u.dec.decision = keep(j, 0, row->decision);
	j->u.dec.decided_by = keep(j, 1, row->decided_by);
	j->u.dec.reviewer_name = keep(j, 2, row->reviewer_name);
	j->u.dec.note = keep(j, 3, row->note);
	return enqueue(s, j);
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
	if (migrate(s->db, err, errlen) < 0 || recover(s, err, errlen) < 0)
		return -1;
	s->last_id = query_int(s->db, "SELECT max(id) FROM requests", 0);
	if (sqlite3_prepare_v2(s->db,
	        "INSERT INTO requests (id, created_ms, client_req_id, agent, session, kind, summary,"
	        " cwd, workspace, peer_pid, peer_uid, peer_gid, request)"
	        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &s->ins_req, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
	        "INSERT INTO decisions (request_id, decided_ms, decision, decided_by,"
	        " reviewer_uid, reviewer_pid, reviewer_name, note) VALUES (?,?,?,?,?,?,?,?)",
	        -1, &s->ins_dec, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot prepare statements: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
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
		sqlite3_close(s->db);
		uv_close((uv_handle_t *)&s->async, on_async_closed);
		return NULL;
	}
	return s;
fail:
	sqlite3_finalize(s->ins_req);
	sqlite3_finalize(s->ins_dec);
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
	deliver(s);
	sqlite3_finalize(s->ins_req);
	sqlite3_finalize(s->ins_dec);
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	uv_close((uv_handle_t *)&s->async, on_async_closed);
}
