/* intent_check.h -- the harness the family unit tests share (test_*_intent.c):
 * score a command with the real tables and check its level and one reason.
 * Include after cmocka.h and broker/intent/assess.h; the test sets AT (and may
 * point CWD/WS elsewhere) before its cases run. */
#ifndef SG_TEST_INTENT_CHECK_H
#define SG_TEST_INTENT_CHECK_H

static assess_tables *AT;
static const char *CWD = "/home/dev/proj", *WS = "/home/dev/proj";

struct got {
	char level[16];
	int score;
	char reasons[1024]; /* ",id,id," */
};

static void
score(const char *cmd, struct got *g)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct assess_result r;
	msgpack_unpacked up;
	size_t off = 0;

	memset(g, 0, sizeof *g);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	assert_int_equal(assess_command(AT, cmd, strlen(cmd), CWD, WS, &pk, &r), 0);
	snprintf(g->level, sizeof g->level, "%s", r.level);
	g->score = r.score;
	strcpy(g->reasons, ",");
	msgpack_unpacked_init(&up);
	if (msgpack_unpack_next(&up, sb.data, sb.size, &off) == MSGPACK_UNPACK_SUCCESS &&
	    up.data.type == MSGPACK_OBJECT_MAP) {
		for (uint32_t k = 0; k < up.data.via.map.size; k++) {
			const msgpack_object_kv *kv = &up.data.via.map.ptr[k];

			if (kv->key.via.str.size != 4 || memcmp(kv->key.via.str.ptr, "risk", 4) != 0)
				continue;
			for (uint32_t j = 0; j < kv->val.via.map.size; j++) {
				const msgpack_object_kv *rk = &kv->val.via.map.ptr[j];

				if (rk->key.via.str.size != 7 || memcmp(rk->key.via.str.ptr, "reasons", 7) != 0)
					continue;
				for (uint32_t q = 0; q < rk->val.via.array.size; q++) {
					const msgpack_object *o = &rk->val.via.array.ptr[q];

					for (uint32_t f = 0; f < o->via.map.size; f++)
						if (o->via.map.ptr[f].key.via.str.size == 2 &&
						    memcmp(o->via.map.ptr[f].key.via.str.ptr, "id", 2) == 0) {
							size_t l = strlen(g->reasons);

							snprintf(g->reasons + l, sizeof g->reasons - l, "%.*s,",
							    (int)o->via.map.ptr[f].val.via.str.size, o->via.map.ptr[f].val.via.str.ptr);
						}
				}
			}
		}
	}
	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&sb);
}

struct icase {
	const char *cmd;
	const char *level;  /* low medium high critical, or high+ */
	const char *reason; /* a rule id that must be among the reasons, or NULL */
};

static int
check(const struct icase *c, size_t n)
{
	int fails = 0;

	for (size_t k = 0; k < n; k++) {
		struct got g;
		bool ok;
		char want[80];

		score(c[k].cmd, &g);
		if (strcmp(c[k].level, "high+") == 0)
			ok = strcmp(g.level, "high") == 0 || strcmp(g.level, "critical") == 0;
		else
			ok = strcmp(g.level, c[k].level) == 0;
		snprintf(want, sizeof want, ",%s,", c[k].reason != NULL ? c[k].reason : "");
		if (c[k].reason != NULL && strstr(g.reasons, want) == NULL)
			ok = false;
		if (!ok) {
			print_error("want %-8s %-18s got %-8s %3d %s  %s\n", c[k].level, c[k].reason ? c[k].reason : "",
			    g.level, g.score, g.reasons, c[k].cmd);
			fails++;
		}
	}
	return fails;
}

#define CHECK(v) assert_int_equal(check(v, sizeof v / sizeof v[0]), 0)

/* The group setup and teardown: the built-in tables in AT. */
static int
intent_setup(void **state)
{
	char err[512];

	(void)state;
	AT = assess_tables_load(NULL, err, sizeof err);
	if (AT == NULL)
		fprintf(stderr, "tables: %s\n", err);
	return AT == NULL ? -1 : 0;
}

static int
intent_teardown(void **state)
{
	(void)state;
	assess_tables_free(AT);
	return 0;
}

#endif
