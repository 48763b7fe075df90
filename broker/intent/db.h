/* db.h -- databases: what statements sent to a database client do, and
 * which server or database they reach.
 *
 * db_classify() is the statement classifier: it cuts text (SQL, psql and
 * sqlite meta-commands, a MongoDB shell script, Redis commands) into
 * statements and words -- comments and quoted strings skipped, MySQL's
 * executable comments kept -- and matches them against tables/db.  It is
 * pure (no intent state) so it can be tested and fuzzed alone.
 *
 * db_text() records the classifier's verdict on a command as signals;
 * db_client() reads a client's options and arguments (psql -c, mysql -e,
 * sqlite3 DB SQL, redis-cli CMD, -f FILE, -h HOST, connection URIs, PGHOST=
 * and DATABASE_URL= in front of it).  See docs/RISK.md "Databases". */
#ifndef SG_DB_H
#define SG_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker/intent/tables.h"
#include "broker/intent/famword.h"

struct intent_ctx;

/* What one text does. */
struct db_verdict {
	uint32_t classes;          /* bit set of enum db_class found */
	bool unknown;              /* a statement sandgate does not understand */
	size_t statements;         /* statements seen (both readings counted once) */
	struct {
		const char *s;         /* the statement that gave the class first */
		size_t n;
	} part[DBC_COUNT], unknown_part;
};

#define DB_FIRST_ONLY 1u /* a Redis-style command: only its first word says what it does */

/* Classify text[0..len) against the tables; flags DB_FIRST_ONLY. */
void db_classify(const struct tables *t, const char *text, size_t len, unsigned flags, struct db_verdict *v);

/* Record signals (sql-*, db-*) for text run by command ci. */
int db_text(struct intent_ctx *x, int ci, const struct tables *t, const char *text, size_t len);

/* A database client's command: prog is its name, pg its programs row (may
 * be NULL), w[0..n) the words after the program, env[0..nenv) the NAME=value
 * assignments in front of it.  Statements in sql= options and arguments,
 * statement files, and the server and database it connects to. */
int db_client(struct intent_ctx *x, int ci, const struct tables *t, const char *prog, const struct prog *pg,
    const struct fam_word *w, size_t n, const struct fam_word *env, size_t nenv);

/* The walker's hook (walk.h's struct an): a command whose program is a
 * database client or a tables/db client row (schema tools). */
struct an;
void wk_db_command(struct an *an);

#endif
