/* fuzz_sql.c -- libFuzzer target for the statement classifier (db.c) and
 * the db table parser.  The first byte picks: 0-1 classify the rest as
 * statements (1: a Redis-style command, first word only); 2 load the rest
 * as a user "db" table and classify a fixed text with it.  Checks: every
 * part a verdict points at lies inside the text; the classes are known
 * ones; a verdict does not change when the text is classified again. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/intent/db.h"
#include "broker/intent/tables.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tables *T;

static void
check(const char *s, size_t n, const struct db_verdict *v)
{
	if (v->classes >> DBC_COUNT)
		abort();
	for (int c = 0; c < DBC_COUNT; c++) {
		if (!(v->classes & (1u << c)))
			continue;
		if (v->part[c].s < s || v->part[c].s + v->part[c].n > s + n)
			abort();
	}
	if (v->unknown && (v->unknown_part.s < s || v->unknown_part.s + v->unknown_part.n > s + n))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	struct db_verdict v, v2;

	if (T == NULL && (T = tables_load(NULL, "/home/u", err, sizeof err)) == NULL)
		abort();
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
	case 1: {
		/* a copy of its own size: reads past it are caught */
		char *s = malloc(size - 1 ? size - 1 : 1);
		unsigned fl = data[0] % 3 == 1 ? DB_FIRST_ONLY : 0;

		if (s == NULL)
			return 0;
		memcpy(s, data + 1, size - 1);
		db_classify(T, s, size - 1, fl, &v);
		check(s, size - 1, &v);
		db_classify(T, s, size - 1, fl, &v2);
		if (v.classes != v2.classes || v.unknown != v2.unknown)
			abort();
		free(s);
		break;
	}
	case 2: {
		char *txt = malloc(size);
		const char *names[] = { "db" };
		const char *texts[1];
		struct tables *u;
		static const char probe[] = "SELECT 1; DROP TABLE t; db.x.deleteMany({}); \\! id\n.shell x";

		if (txt == NULL)
			return 0;
		memcpy(txt, data + 1, size - 1);
		txt[size - 1] = '\0';
		texts[0] = txt;
		u = tables_load_mem(names, texts, 1, "/home/u", err, sizeof err);
		if (u != NULL) {
			db_classify(u, probe, sizeof probe - 1, 0, &v);
			check(probe, sizeof probe - 1, &v);
			tables_free(u);
		}
		free(txt);
		break;
	}
	}
	return 0;
}
