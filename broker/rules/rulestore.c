/* rulestore.c -- the rules table: load, insert, revoke, hit counts. */
#include "broker/rules/rulestore.h"
#include "proto/log.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One queued write: what the worker needs, plus the caller's callback. */
struct job {
	enum { J_INSERT, J_REVOKE, J_HITS } kind;
	store_done_cb cb;
	void *arg;
	int64_t id, a, b;          /* revoke: revoked_ms, by_uid */
	struct rule_spec spec;     /* insert: strings below are owned */
	char *pattern, *scope_value, *author_name, *note, *origin;
	char *pin_path, *pin_sha256, *made_session, *made_agent, *made_workspace;
	size_t n;                  /* hits */
	int64_t *ids, *hits, *last;
};

static void
job_free(struct job *j)
{
	free(j->pattern);
	free(j->scope_value);
	free(j->author_name);
	free(j->note);
	free(j->origin);
	free(j->pin_path);
	free(j->pin_sha256);
	free(j->made_session);
	free(j->made_agent);
	free(j->made_workspace);
	free(j->ids);
	free(j->hits);
	free(j->last);
	free(j);
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
bind_int_or_null(sqlite3_stmt *st, int i, int64_t v)
{
	if (v <= 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

static int
step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
do_insert(sqlite3 *db, const struct job *j)
{
	sqlite3_stmt *st;
	const struct rule_spec *s = &j->spec;

	if (sqlite3_prepare_v2(db,
	        "INSERT INTO rules (id, effect, pattern, scope, scope_value, expires_ms, author_uid,"
	        " author_name, note, origin, created_ms, max_level, hits, last_hit_ms, revoked_ms,"
	        " pin_path, pin_sha256, made_session, made_agent, made_workspace)"
	        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, s->id);
	bind_text(st, 2, rule_effect_name(s->effect));
	bind_text(st, 3, j->pattern);
	bind_text(st, 4, rule_scope_name(s->scope));
	bind_text(st, 5, j->scope_value);
	bind_int_or_null(st, 6, s->expires_ms);
	sqlite3_bind_int64(st, 7, s->author_uid);
	bind_text(st, 8, j->author_name);
	bind_text(st, 9, j->note);
	bind_text(st, 10, j->origin);
	sqlite3_bind_int64(st, 11, s->created_ms);
	bind_text(st, 12, rule_level_name(s->max_level));
	sqlite3_bind_int64(st, 13, s->hits);
	bind_int_or_null(st, 14, s->last_hit_ms);
	bind_int_or_null(st, 15, s->revoked_ms);
	bind_text(st, 16, j->pin_path);
	bind_text(st, 17, j->pin_sha256);
	bind_text(st, 18, j->made_session);
	bind_text(st, 19, j->made_agent);
	bind_text(st, 20, j->made_workspace);
	return step_done(st);
}

static int
do_revoke(sqlite3 *db, const struct job *j)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "UPDATE rules SET revoked_ms = ?, revoked_by_uid = ?"
	        " WHERE id = ? AND revoked_ms IS NULL", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, j->a);
	if (j->b >= 0)
		sqlite3_bind_int64(st, 2, j->b);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_int64(st, 3, j->id);
	return step_done(st);
}

static int
do_hits(sqlite3 *db, const struct job *j)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(db, "UPDATE rules SET hits = ?, last_hit_ms = ? WHERE id = ?", -1, &st,
	        NULL) != SQLITE_OK)
		return -1;
	for (size_t i = 0; i < j->n && rc == 0; i++) {
		sqlite3_bind_int64(st, 1, j->hits[i]);
		bind_int_or_null(st, 2, j->last[i]);
		sqlite3_bind_int64(st, 3, j->ids[i]);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Worker thread. */
static int
run(sqlite3 *db, void *arg)
{
	struct job *j = arg;

	switch (j->kind) {
	case J_INSERT: return do_insert(db, j);
	case J_REVOKE: return do_revoke(db, j);
	default: return do_hits(db, j);
	}
}

/* Loop thread, after the commit. */
static void
done(void *arg, int status, int64_t seq)
{
	struct job *j = arg;

	(void)seq;
	if (status < 0)
		log_msg("rules: could not record %s of rule %lld",
		    j->kind == J_INSERT ? "the creation" : j->kind == J_REVOKE ? "the revocation" : "hits",
		    (long long)j->id);
	if (j->cb != NULL)
		j->cb(j->arg, status, 0);
	job_free(j);
}

static int
submit(store *st, struct job *j)
{
	if (store_run(st, run, j, done, j) < 0) {
		job_free(j);
		return -1;
	}
	return 0;
}

static char *
dup_opt(const char *s, bool *oom)
{
	char *d = s != NULL ? strdup(s) : NULL;

	if (s != NULL && d == NULL)
		*oom = true;
	return d;
}

int
rulestore_insert(store *st, const rule *r, store_done_cb cb, void *arg)
{
	struct job *j = calloc(1, sizeof *j);
	bool oom = false;

	if (j == NULL)
		return -1;
	j->kind = J_INSERT;
	j->cb = cb;
	j->arg = arg;
	j->id = rule_id(r);
	j->pattern = dup_opt(rule_text(r), &oom);
	j->scope_value = dup_opt(rule_scope_value(r), &oom);
	j->author_name = dup_opt(rule_author_name(r), &oom);
	j->note = dup_opt(rule_note(r), &oom);
	j->origin = dup_opt(rule_origin(r), &oom);
	j->pin_path = dup_opt(rule_pin_path(r), &oom);
	j->pin_sha256 = dup_opt(rule_pin_sha256(r), &oom);
	j->made_session = dup_opt(rule_made_session(r), &oom);
	j->made_agent = dup_opt(rule_made_agent(r), &oom);
	j->made_workspace = dup_opt(rule_made_workspace(r), &oom);
	j->spec = (struct rule_spec){
		.id = rule_id(r), .effect = rule_effect(r), .scope = rule_scope(r),
		.expires_ms = rule_expires_ms(r), .author_uid = rule_author_uid(r),
		.created_ms = rule_created_ms(r), .hits = rule_hits(r),
		.last_hit_ms = rule_last_hit_ms(r), .revoked_ms = rule_revoked_ms(r),
		.max_level = rule_max_level(r),
	};
	if (oom) {
		job_free(j);
		return -1;
	}
	return submit(st, j);
}

int
rulestore_revoke(store *st, int64_t id, int64_t revoked_ms, int64_t by_uid,
    store_done_cb cb, void *arg)
{
	struct job *j = calloc(1, sizeof *j);

	if (j == NULL)
		return -1;
	j->kind = J_REVOKE;
	j->cb = cb;
	j->arg = arg;
	j->id = id;
	j->a = revoked_ms;
	j->b = by_uid;
	return submit(st, j);
}

int
rulestore_hits(store *st, rule *const *v, size_t n)
{
	struct job *j = calloc(1, sizeof *j);

	if (j == NULL || n == 0 || (j->ids = calloc(n, sizeof *j->ids)) == NULL ||
	    (j->hits = calloc(n, sizeof *j->hits)) == NULL ||
	    (j->last = calloc(n, sizeof *j->last)) == NULL) {
		if (j != NULL)
			job_free(j);
		return n == 0 ? 0 : -1;
	}
	j->kind = J_HITS;
	j->n = n;
	for (size_t i = 0; i < n; i++) {
		j->ids[i] = rule_id(v[i]);
		j->hits[i] = rule_hits(v[i]);
		j->last[i] = rule_last_hit_ms(v[i]);
	}
	return submit(st, j);
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int64_t
col_int(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, i);
}

int
rulestore_load(sqlite3 *db, ruleset *rs, size_t *skipped, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc = 0, step;

	*skipped = 0;
	if (sqlite3_prepare_v2(db,
	        "SELECT id, effect, pattern, scope, scope_value, expires_ms, author_uid, author_name,"
	        " note, origin, created_ms, max_level, hits, last_hit_ms, revoked_ms, pin_path, pin_sha256,"
	        " made_session, made_agent, made_workspace FROM rules ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot read rules: %s", sqlite3_errmsg(db));
		return -1;
	}
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		char why[256];
		int scope = rule_scope_parse(col_text(st, 3)), level = rule_level_parse(col_text(st, 11));
		struct rule_spec spec = {
			.id = col_int(st, 0),
			.effect = col_text(st, 1) != NULL && strcmp(col_text(st, 1), "deny") == 0
			    ? RULE_DENY : RULE_ALLOW,
			.pattern = col_text(st, 2), .scope = scope < 0 ? SCOPE_GLOBAL : (enum rule_scope)scope,
			.scope_value = col_text(st, 4), .expires_ms = col_int(st, 5),
			.author_uid = col_int(st, 6), .author_name = col_text(st, 7), .note = col_text(st, 8),
			.origin = col_text(st, 9), .created_ms = col_int(st, 10),
			.max_level = level < 0 ? RL_LOW : (enum rule_level)level,
			.hits = col_int(st, 12), .last_hit_ms = col_int(st, 13), .revoked_ms = col_int(st, 14),
			.pin_path = col_text(st, 15), .pin_sha256 = col_text(st, 16),
			.made_session = col_text(st, 17), .made_agent = col_text(st, 18),
			.made_workspace = col_text(st, 19),
		};

		ruleset_reserve_id(rs, spec.id);
		if (scope < 0 || level < 0) {
			snprintf(why, sizeof why, "unknown scope or level");
		} else if (ruleset_add(rs, &spec, why, sizeof why) != NULL) {
			continue;
		}
		if (spec.revoked_ms == 0 && spec.effect == RULE_DENY) {
			snprintf(err, errlen, "stored deny rule %lld cannot be loaded (%s); fix or revoke it "
			    "(sqlite3 DB \"UPDATE rules SET revoked_ms=1 WHERE id=%lld\") before starting",
			    (long long)spec.id, why, (long long)spec.id);
			rc = -1;
		} else {
			log_msg("rules: skipping stored rule %lld: %s", (long long)spec.id, why);
			(*skipped)++;
		}
	}
	if (rc == 0 && step != SQLITE_DONE) {
		snprintf(err, errlen, "cannot read rules: %s", sqlite3_errmsg(db));
		rc = -1;
	}
	sqlite3_finalize(st);
	return rc;
}
