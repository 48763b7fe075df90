/* test_db.c -- issue #13 item 2: the statement classifier (db.c) alone and
 * the db table parser.  The labelled commands of the databases and remote
 * code families are tests/eval/cases/databases.tsv and remote_code.tsv,
 * scored with the real binary by tests/eval/cases.sh (ctest eval_cases). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "broker/intent/db.h"
#include "broker/intent/tables.h"

static struct tables *T;

static uint32_t
classes(const char *sql, bool *unknown)
{
	struct db_verdict v;

	db_classify(T, sql, strlen(sql), 0, &v);
	if (unknown != NULL)
		*unknown = v.unknown;
	return v.classes;
}

/* the worst class found */
static enum db_class
worst(const char *sql)
{
	uint32_t c = classes(sql, NULL);
	int w = DBC_NONE;

	for (int k = 0; k < DBC_COUNT; k++)
		if (c & (1u << k))
			w = k;
	return (enum db_class)w;
}

#define WORST(sql, cls) do { \
	enum db_class got_ = worst(sql); \
	if (got_ != (cls)) \
		fail_msg("%s: want %s got %s", sql, db_class_name(cls), db_class_name(got_)); \
} while (0)

static void
test_destructive(void **state)
{
	(void)state;
	WORST("DROP TABLE users", DBC_TABLEDROP);
	WORST("drop table if exists users cascade", DBC_TABLEDROP);
	WORST("DrOp   TaBlE\n\tusers", DBC_TABLEDROP);
	WORST("truncate sessions", DBC_TABLEDROP);
	WORST("DROP DATABASE app", DBC_DBDROP);
	WORST("drop schema public cascade", DBC_DBDROP);
	WORST("DELETE FROM users", DBC_DELETEALL);
	WORST("delete from users where 1=1", DBC_DELETEALL);
	WORST("DELETE FROM users WHERE TRUE", DBC_DELETEALL);
	WORST("DELETE FROM t WHERE 'a'='a'", DBC_DELETEALL);
	WORST("DELETE t1 FROM t1 JOIN t2 ON t1.id = t2.id", DBC_DELETEALL);
	WORST("UPDATE accounts SET balance = 0", DBC_UPDATEALL);
	WORST("UPDATE u SET r = (SELECT x FROM y WHERE z = 1)", DBC_UPDATEALL);
	WORST("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", DBC_DELETEALL);
	WORST("ALTER TABLE users DROP COLUMN email", DBC_ALTERDROP);
	WORST("GRANT ALL PRIVILEGES ON DATABASE app TO eve", DBC_GRANT);
	WORST("CREATE USER eve IDENTIFIED BY 'x'", DBC_GRANT);
	WORST("ALTER USER postgres PASSWORD 'x'", DBC_GRANT);
	WORST("SELECT 1; DROP TABLE t", DBC_TABLEDROP);
	WORST("db.dropDatabase()", DBC_DBDROP);
	WORST("db.getSiblingDB('x').dropDatabase()", DBC_DBDROP);
	WORST("db.users.deleteMany({})", DBC_DELETEALL);
	WORST("db.users.deleteMany( { } )", DBC_DELETEALL);
	WORST("db.users.remove({})", DBC_DELETEALL);
	WORST("db.users.drop()", DBC_TABLEDROP);
	WORST("db.runCommand({dropDatabase: 1})", DBC_DBDROP);
	WORST("FLUSHALL", DBC_DBDROP);
	WORST("SET a 1\nFLUSHDB", DBC_TABLEDROP);
}

static void
test_hidden(void **state)
{
	(void)state;
	/* MySQL runs executable comments */
	WORST("/*!50000 DROP TABLE t */ SELECT 1", DBC_TABLEDROP);
	/* "--x" is not a comment in MySQL: fail closed */
	WORST("SELECT 1 --x\nDROP TABLE t", DBC_TABLEDROP);
	/* a backslash ends the string in PostgreSQL, not in MySQL: either reading counts */
	WORST("SELECT 'a\\'; DROP TABLE t; --'", DBC_TABLEDROP);
	/* dynamic SQL: the string runs */
	WORST("DO $$ BEGIN EXECUTE 'DROP TABLE ' || 'users'; END $$", DBC_TABLEDROP);
	WORST("EXECUTE 'TRUNCATE t'", DBC_TABLEDROP);
	/* dollar quotes are read as code */
	WORST("CREATE FUNCTION f() RETURNS void AS $$ DELETE FROM t $$ LANGUAGE sql", DBC_DELETEALL);
	/* meta-commands */
	WORST("\\! rm -rf /", DBC_SHELL);
	WORST("\\o |sh", DBC_SHELL);
	WORST("\\copy t from program 'id'", DBC_SHELL);
	WORST("COPY t FROM PROGRAM 'id'", DBC_SHELL);
	WORST(".shell id", DBC_SHELL);
	WORST(".once |sh", DBC_SHELL);
	WORST("SELECT 1;\n.system id", DBC_SHELL);
	WORST("\\i drop.sql", DBC_FILE);
	WORST(".read x.sql", DBC_FILE);
	WORST("system rm -rf /", DBC_SHELL);
}

static void
test_benign(void **state)
{
	bool unk;

	(void)state;
	WORST("SELECT 1", DBC_READ);
	WORST("select * from users where name = 'drop table x'", DBC_READ);
	WORST("SELECT \"drop table\" FROM t", DBC_READ);
	WORST("-- DROP TABLE users\nSELECT 1", DBC_READ);
	WORST("/* TRUNCATE t */ SELECT now()", DBC_READ);
	WORST("SELECT * FROM t FOR UPDATE", DBC_READ);
	WORST("SELECT drop_table, truncated FROM t", DBC_READ);
	WORST("EXPLAIN SELECT 1", DBC_READ);
	WORST("\\d+ users", DBC_READ);
	WORST("\\dt", DBC_READ);
	WORST(".tables", DBC_READ);
	WORST("SHOW TABLES", DBC_READ);
	WORST("db.users.find({name: 'dropDatabase'})", DBC_READ);
	WORST("DELETE FROM sessions WHERE expires < now()", DBC_WRITE);
	WORST("DELETE FROM t WHERE 1=1 AND id = 4", DBC_WRITE);
	WORST("UPDATE t SET x = 1 WHERE id = 2", DBC_WRITE);
	WORST("DELETE FROM t LIMIT 10", DBC_WRITE);
	WORST("INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET n = 2", DBC_WRITE);
	WORST("INSERT INTO t VALUES (1) ON DUPLICATE KEY UPDATE n = n + 1", DBC_WRITE);
	WORST("CREATE TABLE t (id int REFERENCES u ON DELETE CASCADE ON UPDATE SET NULL)", DBC_WRITE);
	WORST("db.users.deleteMany({age: {$lt: 18}})", DBC_WRITE);
	WORST("BEGIN; COMMIT;", DBC_NONE);
	assert_int_equal(classes("", &unk), 0);
	assert_false(unk);
	assert_int_equal(classes("  -- only a comment\n", &unk), 0);
	assert_false(unk);
	/* what no row knows is unknown, never a read */
	classes("frobnicate the widgets", &unk);
	assert_true(unk);
	classes("\\zz", &unk);
	assert_true(unk);
}

static void
test_first_only(void **state)
{
	struct db_verdict v;

	(void)state;
	/* redis-cli SET k "drop table": a value is not a statement */
	db_classify(T, "SET k drop table x", 18, DB_FIRST_ONLY, &v);
	assert_int_equal(v.classes, 1u << DBC_WRITE);
	db_classify(T, "FlushAll", 8, DB_FIRST_ONLY, &v);
	assert_int_equal(v.classes, 1u << DBC_DBDROP);
}

/* Hostile input: long, nested, unterminated, binary.  The classifier must
 * stay bounded and never read outside the text. */
static void
test_bounds(void **state)
{
	size_t n = 1 << 20;
	char *s = malloc(n);
	struct db_verdict v;

	(void)state;
	assert_non_null(s);
	for (size_t k = 0; k < n; k++)
		s[k] = "update x "[k % 9];
	db_classify(T, s, n, 0, &v); /* a gap search from every UPDATE: budgeted */
	memset(s, '(', n);
	db_classify(T, s, n, 0, &v);
	memcpy(s, "DELETE FROM t WHERE '", 21);
	db_classify(T, s, 21, 0, &v); /* unterminated string */
	assert_true(v.classes & (1u << DBC_WRITE));
	memcpy(s, "/*", 2);
	db_classify(T, s, 2, 0, &v);
	db_classify(T, "\\", 1, 0, &v);
	db_classify(T, ".", 1, 0, &v);
	db_classify(T, "x.drop(", 7, 0, &v);
	assert_true(v.classes & (1u << DBC_TABLEDROP));
	free(s);
}

/* A user table can teach a statement or a production host. */
static void
test_user_table(void **state)
{
	const char *names[] = { "db" };
	const char *texts[] = { "sql dbdrop nuke everything\nhost prod *.corp-live.example\n-first  select\n" };
	char err[256];
	struct tables *u = tables_load_mem(names, texts, 1, "/home/dev", err, sizeof err);
	struct db_verdict v;
	bool unk;

	(void)state;
	assert_non_null(u);
	db_classify(u, "SELECT 1; NUKE  Everything", 26, 0, &v);
	assert_true(v.classes & (1u << DBC_DBDROP));
	db_classify(u, "SELECT 1", 8, 0, &v);
	unk = v.unknown;
	assert_true(unk); /* select was removed */
	tables_free(u);
	{
		const char *bad[] = { "sql nosuchclass drop table\n", "sql read * drop\n", "client x args=maybe\n",
			"host read *.x\n", "meta shell two words\n" };

		for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
			texts[0] = bad[k];
			u = tables_load_mem(names, texts, 1, "/home/dev", err, sizeof err);
			assert_null(u);
			assert_non_null(strstr(err, "db:1:"));
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_destructive),
		cmocka_unit_test(test_hidden),
		cmocka_unit_test(test_benign),
		cmocka_unit_test(test_first_only),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_user_table),
	};
	char err[256];
	int rc;

	T = tables_load(NULL, "/home/dev", err, sizeof err);
	if (T == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tables_free(T);
	return rc;
}
