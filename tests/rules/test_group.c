/* test_group.c -- grouping by signature, common/varies, suggestions and
 * their pricing (covers, covers_high), and the packed groups view. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "broker/rules/group.h"
#include "proto/rpc.h"
#include "helpers.h"

#define NOW 1700000000000LL

struct fixture {
	groups *gs;
	ruleset *rs;
	struct subject *subj[64];
	struct group *grp[64];
	int n;
};

static struct group *
group_of_test(struct fixture *f, int i)
{
	return f->grp[i];
}

static struct group *
add(struct fixture *f, const char *session, struct subject *s, enum rule_level level, int score)
{
	struct group_member m = {
		.req = s, .id = f->n + 1, .created_ms = NOW + f->n, .session = session, .agent = "claude-code",
		.subj = s, .key_part = 0, .score = score, .level = level,
	};

	f->subj[f->n] = s;
	return f->grp[f->n++] = groups_add(f->gs, &m);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	f->rs = ruleset_new();
	f->gs = groups_new(f->rs);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	groups_free(f->gs);
	ruleset_free(f->rs);
	for (int i = 0; i < f->n; i++)
		subject_free(f->subj[i]);
	free(f);
	return 0;
}

static void
test_signatures(void **state)
{
	struct fixture *f = *state;
	struct group *g1, *g2, *g3, *g4, *g5;

	g1 = add(f, "s1", exec_subject(WS, "python repro_1.py"), RL_LOW, 10);
	g2 = add(f, "s1", exec_subject(WS, "python repro_2.py"), RL_LOW, 10);
	g3 = add(f, "s1", exec_subject(WS, "python -m pytest"), RL_LOW, 10);
	g4 = add(f, "s2", exec_subject(WS, "python repro_1.py"), RL_LOW, 10);
	g5 = add(f, "s1", exec_subject(WS, "git push origin main"), RL_MEDIUM, 40);
	assert_ptr_equal(g1, g2);              /* same program, no flags */
	assert_ptr_not_equal(g1, g3);          /* flag shape differs */
	assert_ptr_not_equal(g1, g4);          /* other session */
	assert_ptr_not_equal(g1, g5);
	assert_int_equal(group_size(g1), 2);
	assert_int_equal(groups_count(f->gs), 4);
	assert_string_not_equal(group_id(g1), group_id(g5));
	assert_ptr_equal(groups_find(f->gs, group_id(g5)), g5);
	{
		char *sig = group_signature(f->subj[4], 0);

		assert_string_equal(sig, "exec git push");
		free(sig);
		sig = group_signature(f->subj[2], 0);
		assert_string_equal(sig, "exec python [-m]");
		free(sig);
	}
	/* removing the last member frees the group and its id */
	groups_remove(f->gs, g5, f->subj[4]);
	assert_null(groups_find(f->gs, "g5"));
	assert_int_equal(groups_count(f->gs), 3);
}

static const struct group_suggestion *
find(const struct group_suggestion *sg, size_t n, const char *pat)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(sg[i].pattern, pat) == 0)
			return &sg[i];
	return NULL;
}

static void
test_exec_suggestions(void **state)
{
	struct fixture *f = *state;
	struct group_suggestion sg[GROUP_MAX_SUGGESTIONS];
	struct group *g;
	size_t n;

	g = add(f, "s1", exec_subject(WS, "python repro_issue.py"), RL_LOW, 5);
	add(f, "s1", exec_subject(WS, "python repro_issue_v2.py"), RL_LOW, 5);
	add(f, "s1", exec_subject(WS, "python check_v2.py"), RL_MEDIUM, 30);
	/* a high request in the same session that a wide suggestion would match */
	add(f, "s1", exec_subject(WS, "python -c evil"), RL_HIGH, 70);
	n = group_suggest(f->gs, g, SIZE_MAX, sg);
	assert_true(n >= 2 && n <= 3);
	/* narrowest first: the common glob, then the program */
	assert_string_equal(sg[0].pattern, "exec python *.py");
	assert_int_equal(sg[0].covers, 3);
	assert_false(sg[0].covers_high);
	assert_string_equal(sg[n - 1].pattern, "exec python *");
	assert_true(sg[n - 1].covers_high);  /* would also match python -c evil */
	assert_int_equal(sg[n - 1].covers, 3); /* but not release it: its ceiling is the group's */
	for (size_t i = 0; i < n; i++)
		assert_int_equal(sg[i].scope, SCOPE_SESSION);
	group_suggestions_free(sg, n);
}

static void
test_single_and_compound(void **state)
{
	struct fixture *f = *state;
	struct group_suggestion sg[GROUP_MAX_SUGGESTIONS];
	struct subject *s = exec_subject(WS, "cd src ; make all");
	struct group *g;
	size_t n;
	char err[256];
	struct rule_spec spec = { .effect = RULE_ALLOW, .pattern = "exec cd *", .scope = SCOPE_GLOBAL,
	                          .max_level = RL_HIGH };

	/* a single request: exact first */
	g = add(f, "s1", exec_subject(WS, "git push origin main"), RL_MEDIUM, 40);
	n = group_suggest(f->gs, g, SIZE_MAX, sg);
	assert_int_equal(n, 3);
	assert_string_equal(sg[0].pattern, "exec git push origin main");
	assert_string_equal(sg[1].pattern, "exec git push *");
	assert_string_equal(sg[2].pattern, "exec git *");
	group_suggestions_free(sg, n);
	/* a compound line is grouped by the part that needs a decision, and a
	 * suggestion counts as covering it only with the rules already there */
	assert_non_null(ruleset_add(f->rs, &spec, err, sizeof err));
	groups_rules_changed(f->gs);
	{
		struct group_member m = { .req = s, .id = 99, .created_ms = NOW, .session = "s1",
		                          .agent = "a", .subj = s, .key_part = 1, .level = RL_LOW };

		f->subj[f->n++] = s;
		g = groups_add(f->gs, &m);
	}
	n = group_suggest(f->gs, g, SIZE_MAX, sg);
	assert_non_null(find(sg, n, "exec make all"));
	assert_int_equal(find(sg, n, "exec make all")->covers, 1);
	group_suggestions_free(sg, n);
}

static void
test_file_net_mcp(void **state)
{
	struct fixture *f = *state;
	struct group_suggestion sg[GROUP_MAX_SUGGESTIONS];
	struct group *g;
	size_t n;

	g = add(f, "s1", file_subject(SK_WRITE, WS, "src/lib/a.c"), RL_LOW, 5);
	add(f, "s1", file_subject(SK_WRITE, WS, "src/lib/b.c"), RL_LOW, 5);
	n = group_suggest(f->gs, g, SIZE_MAX, sg);
	assert_int_equal(n, 3);
	assert_string_equal(sg[0].pattern, "write ./src/lib/*");
	assert_string_equal(sg[1].pattern, "write ./src/**");
	assert_string_equal(sg[2].pattern, "write ./**");
	group_suggestions_free(sg, n);

	g = add(f, "s1", net_subject("registry.npmjs.org", 443), RL_MEDIUM, 30);
	n = group_suggest(f->gs, g, SIZE_MAX, sg);
	assert_string_equal(sg[0].pattern, "net registry.npmjs.org:443");
	assert_string_equal(sg[1].pattern, "net *.npmjs.org:443");
	assert_string_equal(sg[2].pattern, "net *.npmjs.org");
	group_suggestions_free(sg, n);

	g = add(f, "s1", mcp_subject("github", "create_issue"), RL_MEDIUM, 30);
	n = group_suggest(f->gs, g, SIZE_MAX, sg);
	assert_int_equal(n, 2);
	assert_string_equal(sg[0].pattern, "mcp github.create_issue");
	assert_string_equal(sg[1].pattern, "mcp github.*");
	group_suggestions_free(sg, n);
}

/* Find key in a msgpack map. */
static const msgpack_object *
get(const msgpack_object *m, const char *key)
{
	const msgpack_object *o = rpc_map_get(m, key);

	if (o == NULL)
		fail_msg("no key %s", key);
	return o;
}

static void
test_pack(void **state)
{
	struct fixture *f = *state;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_unpacked up;
	const msgpack_object *gl, *g0, *common, *varies;
	size_t off = 0;

	add(f, "s1", exec_subject(WS, "sed -n 1,2p a.py"), RL_LOW, 5);
	add(f, "s1", exec_subject(WS, "sed -n 3,9p b.py"), RL_LOW, 5);
	add(f, "s1", exec_subject(WS, "rm -rf build"), RL_HIGH, 75);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	{
		struct groups_page q = { .limit = 100, .members_max = 100, .max_bytes = 1 << 20,
		                         .price_budget = SIZE_MAX };

		groups_pack_page(f->gs, &pk, &q);
	}
	msgpack_unpacked_init(&up);
	assert_int_equal(msgpack_unpack_next(&up, sb.data, sb.size, &off), MSGPACK_UNPACK_SUCCESS);
	gl = get(&up.data, "groups");
	assert_int_equal(gl->via.array.size, 2);
	/* riskiest first */
	g0 = &gl->via.array.ptr[0];
	assert_true(rpc_str_eq(get(g0, "max_level"), "high"));
	g0 = &gl->via.array.ptr[1];
	assert_int_equal(get(g0, "count")->via.u64, 2);
	assert_true(rpc_str_eq(get(g0, "signature"), "exec sed [-n]"));
	assert_true(rpc_str_eq(get(g0, "kind"), "exec"));
	assert_true(rpc_str_eq(get(g0, "pattern"), "exec sed -n *p *.py"));
	common = get(g0, "common");
	assert_true(rpc_str_eq(get(common, "program"), "sed"));
	assert_true(rpc_str_eq(get(common, "flags"), "-n"));
	varies = get(g0, "varies");
	assert_int_equal(varies->via.array.size, 1);
	assert_true(rpc_str_eq(get(&varies->via.array.ptr[0], "field"), "args"));
	assert_int_equal(get(&varies->via.array.ptr[0], "distinct")->via.u64, 2);
	assert_int_equal(get(g0, "members")->via.array.size, 2);
	assert_true(get(g0, "suggestions")->via.array.size >= 1);
	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&sb);
}


/* ---- incremental upkeep against a fresh build (property test) ---- */

struct live {
	struct subject *subj;
	int64_t id, created;
	const char *session;
	int score;
	enum rule_level level;
	size_t key_part;
	bool in;
	struct group *g;
};

static unsigned rnd_state = 12345;

static unsigned
rnd(unsigned n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

static struct subject *
random_subject(void)
{
	static const char *const progs[] = { "git", "python", "npm", "rm", "cat", "make" };
	static const char *const subs[] = { "status", "push", "run", "install", "-rf", "x.py" };
	static const char *const args[] = { "a.py", "b.py", "src", "origin", "main", "--force", "-n", "build" };
	char cmd[256], path[128];

	switch (rnd(6)) {
	case 0: case 1: case 2: {
		int n = snprintf(cmd, sizeof cmd, "%s %s", progs[rnd(6)], subs[rnd(6)]);

		for (unsigned k = rnd(3); k > 0; k--)
			n += snprintf(cmd + n, sizeof cmd - (size_t)n, " %s", args[rnd(8)]);
		if (rnd(4) == 0)
			snprintf(cmd + n, sizeof cmd - (size_t)n, " ; %s %s", progs[rnd(6)], args[rnd(8)]);
		return exec_subject(WS, cmd);
	}
	case 3:
		snprintf(path, sizeof path, "src/d%u/e%u/f%u.c", rnd(3), rnd(2), rnd(5));
		return file_subject(rnd(2) ? SK_WRITE : SK_EDIT, WS, path);
	case 4:
		snprintf(path, sizeof path, "h%u.reg%u.example.org", rnd(3), rnd(2));
		return net_subject(path, rnd(2) ? 443 : 80);
	default:
		snprintf(path, sizeof path, "tool%u", rnd(3));
		return mcp_subject(rnd(2) ? "github" : "linear", path);
	}
}

static struct group *
add_live(groups *gs, struct live *l)
{
	struct group_member m = {
		.req = l, .id = l->id, .created_ms = l->created, .session = l->session, .agent = "a",
		.subj = l->subj, .key_part = l->key_part, .score = l->score, .level = l->level,
	};

	struct group *g = groups_add(gs, &m);

	assert_non_null(g);
	return g;
}

static msgpack_object
pack_all(groups *gs, msgpack_sbuffer *sb, msgpack_unpacked *up)
{
	msgpack_packer pk;
	struct groups_page q = { .limit = 1000, .members_max = 10000, .max_bytes = SIZE_MAX,
	                         .price_budget = SIZE_MAX };
	size_t off = 0;

	while (groups_price(gs, SIZE_MAX))
		;
	msgpack_sbuffer_clear(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	groups_pack_page(gs, &pk, &q);
	msgpack_unpacked_init(up);
	assert_int_equal(msgpack_unpack_next(up, sb->data, sb->size, &off), MSGPACK_UNPACK_SUCCESS);
	return *get(&up->data, "groups");
}

static bool
obj_eq(const msgpack_object *a, const msgpack_object *b)
{
	return msgpack_object_equal(*a, *b);
}

/* g (incremental) and f (fresh) describe the same members. */
static void
same_group(const msgpack_object *g, const msgpack_object *f)
{
	static const char *const keys[] = { "count", "session", "agent", "kind", "signature", "pattern",
	                                     "common", "max_score", "max_level", "oldest_ms", "members",
	                                     "suggestions", "members_next" };
	const msgpack_object *vg = get(g, "varies"), *vf = get(f, "varies");

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (!obj_eq(get(g, keys[i]), get(f, keys[i])))
			fail_msg("group %.*s differs in %s", (int)get(g, "signature")->via.str.size,
			    get(g, "signature")->via.str.ptr, keys[i]);
	/* others: the same number of members with more parts (the example is
	 * one of them: which one depends on the order they joined) */
	assert_int_equal(rpc_map_get(g, "others") != NULL, rpc_map_get(f, "others") != NULL);
	if (rpc_map_get(g, "others") != NULL)
		assert_true(obj_eq(get(get(g, "others"), "requests"), get(get(f, "others"), "requests")));
	/* varies: the same fields and distinct counts; the values shown are in
	 * first-seen order, which history may change, so compare them as sets
	 * when all are shown */
	assert_int_equal(vg->via.array.size, vf->via.array.size);
	for (uint32_t i = 0; i < vg->via.array.size; i++) {
		const msgpack_object *a = &vg->via.array.ptr[i], *b = &vf->via.array.ptr[i];
		const msgpack_object *va = get(a, "values"), *vb = get(b, "values");

		assert_true(obj_eq(get(a, "field"), get(b, "field")));
		assert_true(obj_eq(get(a, "distinct"), get(b, "distinct")));
		assert_int_equal(va->via.array.size, vb->via.array.size);
		if (get(a, "distinct")->via.u64 > 10)
			continue;
		for (uint32_t k = 0; k < va->via.array.size; k++) {
			bool found = false;

			for (uint32_t j = 0; j < vb->via.array.size && !found; j++)
				found = obj_eq(&va->via.array.ptr[k], &vb->via.array.ptr[j]);
			assert_true(found);
		}
	}
}

static const msgpack_object *
by_key(const msgpack_object *list, const msgpack_object *g)
{
	for (uint32_t i = 0; i < list->via.array.size; i++) {
		const msgpack_object *o = &list->via.array.ptr[i];

		if (obj_eq(get(o, "session"), get(g, "session")) && obj_eq(get(o, "signature"), get(g, "signature")))
			return o;
	}
	fail_msg("no group %.*s in the fresh build", (int)get(g, "signature")->via.str.size,
	    get(g, "signature")->via.str.ptr);
	return NULL;
}

/* After every kind of change, what the groups hold (counts, common and
 * varies, levels, oldest, members, suggestions and their prices) equals a
 * build from scratch of the requests still pending, and the order is
 * riskiest first. */
static void
test_incremental_equals_fresh(void **state)
{
	struct fixture *f = *state;
	static struct live live[600];
	size_t nlive = 0;
	msgpack_sbuffer sa, sb;
	static const char *const sessions[] = { "s1", "s2", "s3" };
	static const char *const rules[] = { "exec git status", "write ./src/d1/**", "exec cat *",
	                                     "net *.reg0.example.org" };
	int nrules = 0;

	msgpack_sbuffer_init(&sa);
	msgpack_sbuffer_init(&sb);
	for (int step = 0; step < 2400; step++) {
		unsigned op = rnd(10);

		if ((op < 6 || nlive == 0) && nlive < 600) {
			struct live *l = &live[nlive++];

			l->subj = random_subject();
			l->id = step + 1;
			l->created = NOW + (int64_t)rnd(100000);
			l->session = sessions[rnd(3)];
			l->score = (int)rnd(101);
			l->level = (enum rule_level)rnd(4);
			l->key_part = l->subj->nparts > 1 ? rnd((unsigned)l->subj->nparts) : 0;
			l->in = true;
			l->g = add_live(f->gs, l);
		} else if (op < 9) {
			struct live *l = &live[rnd((unsigned)nlive)];

			if (l->in) {
				const struct group_member *m;

				for (m = group_first(l->g); m != NULL && m->req != l; m = group_next(m))
					;
				assert_non_null(m);
				assert_int_equal(m->id, l->id);
				groups_remove(f->gs, l->g, l);
				l->in = false;
			}
		} else if (nrules < 4) {
			char err[256];
			struct rule_spec spec = { .effect = RULE_ALLOW, .pattern = rules[nrules++], .scope = SCOPE_GLOBAL,
			                          .max_level = RL_HIGH };

			assert_non_null(ruleset_add(f->rs, &spec, err, sizeof err));
			groups_rules_changed(f->gs);
		}
		if (step % 7 == 0) /* prices are kept up to date while partly done, too */
			groups_price(f->gs, 50);
		if (step % 150 == 149) {
			groups *fresh = groups_new(f->rs);
			msgpack_unpacked ua, ub;
			msgpack_object ga, gb;
			int prev_score = 101;
			int64_t prev_oldest = 0;

			for (size_t i = 0; i < nlive; i++)
				if (live[i].in)
					add_live(fresh, &live[i]);
			ga = pack_all(f->gs, &sa, &ua);
			gb = pack_all(fresh, &sb, &ub);
			assert_int_equal(ga.via.array.size, gb.via.array.size);
			assert_int_equal(groups_count(f->gs), groups_count(fresh));
			for (uint32_t i = 0; i < ga.via.array.size; i++) {
				const msgpack_object *g = &ga.via.array.ptr[i];
				int score = (int)get(g, "max_score")->via.i64;
				int64_t oldest = get(g, "oldest_ms")->via.i64;

				same_group(g, by_key(&gb, g));
				assert_true(score < prev_score || (score == prev_score && oldest >= prev_oldest));
				prev_score = score;
				prev_oldest = oldest;
			}
			msgpack_unpacked_destroy(&ua);
			msgpack_unpacked_destroy(&ub);
			groups_free(fresh);
		}
	}
	for (size_t i = 0; i < nlive; i++)
		if (live[i].in)
			groups_remove(f->gs, live[i].g, &live[i]);
	assert_int_equal(groups_count(f->gs), 0);
	for (size_t i = 0; i < nlive; i++)
		subject_free(live[i].subj);
	msgpack_sbuffer_destroy(&sa);
	msgpack_sbuffer_destroy(&sb);
}

/* Paging: member slices, ids with gone ones, the byte cap, and the
 * changes a notification carries. */
static void
test_pages_and_changes(void **state)
{
	struct fixture *f = *state;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_unpacked up;
	const msgpack_object *r, *gl;
	struct group *g = NULL;
	size_t off;
	char gid[24];

	for (int i = 0; i < 30; i++) {
		char cmd[64];

		snprintf(cmd, sizeof cmd, "python job_%d.py", i);
		g = add(f, "s1", exec_subject(WS, cmd), RL_LOW, 5);
	}
	for (int i = 0; i < 5; i++) {
		char cmd[64];

		snprintf(cmd, sizeof cmd, "tool%d --x", i);
		add(f, "s1", exec_subject(WS, cmd), RL_MEDIUM, 40 + i);
	}
	snprintf(gid, sizeof gid, "%s", group_id(g));
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_unpacked_init(&up);

	/* a member slice of the python group */
	{
		msgpack_object ids[2] = { { .type = MSGPACK_OBJECT_STR }, { .type = MSGPACK_OBJECT_STR } };
		msgpack_object arr = { .type = MSGPACK_OBJECT_ARRAY };
		struct groups_page q = { .limit = 10, .ids = &arr, .members_offset = 10, .members_max = 8,
		                         .max_bytes = 1 << 20, .price_budget = SIZE_MAX };

		ids[0].via.str.ptr = gid;
		ids[0].via.str.size = (uint32_t)strlen(gid);
		ids[1].via.str.ptr = "g999";
		ids[1].via.str.size = 4;
		arr.via.array.ptr = ids;
		arr.via.array.size = 2;
		groups_pack_page(f->gs, &pk, &q);
		off = 0;
		assert_int_equal(msgpack_unpack_next(&up, sb.data, sb.size, &off), MSGPACK_UNPACK_SUCCESS);
		r = &up.data;
		assert_int_equal(get(r, "total")->via.i64, 2);
		assert_int_equal(get(r, "next")->via.i64, -1);
		assert_int_equal(get(r, "gone")->via.array.size, 1);
		assert_true(rpc_str_eq(&get(r, "gone")->via.array.ptr[0], "g999"));
		gl = get(r, "groups");
		assert_int_equal(gl->via.array.size, 1);
		assert_int_equal(get(&gl->via.array.ptr[0], "count")->via.i64, 30);
		assert_int_equal(get(&gl->via.array.ptr[0], "members")->via.array.size, 8);
		assert_int_equal(get(&gl->via.array.ptr[0], "members")->via.array.ptr[0].via.i64, 11);
		assert_int_equal(get(&gl->via.array.ptr[0], "members_next")->via.i64, 18);
		assert_true(get(&get(&gl->via.array.ptr[0], "suggestions")->via.array.ptr[0], "priced")->via.boolean);
	}
	/* unknown ids count against the byte cap too (a reply never outgrows it) */
	{
		static msgpack_object ids[400];
		msgpack_object arr = { .type = MSGPACK_OBJECT_ARRAY };
		struct groups_page q = { .limit = 10, .ids = &arr, .members_max = 8, .max_bytes = 1000,
		                         .price_budget = SIZE_MAX };

		for (int i = 0; i < 400; i++) {
			ids[i].type = MSGPACK_OBJECT_STR;
			ids[i].via.str.ptr = "g123456789";
			ids[i].via.str.size = 10;
		}
		arr.via.array.ptr = ids;
		arr.via.array.size = 400;
		msgpack_sbuffer_clear(&sb);
		groups_pack_page(f->gs, &pk, &q);
		assert_true(sb.size < 2000);
		off = 0;
		assert_int_equal(msgpack_unpack_next(&up, sb.data, sb.size, &off), MSGPACK_UNPACK_SUCCESS);
		assert_true(get(&up.data, "next")->via.i64 > 0);
		assert_int_equal(get(&up.data, "gone")->via.array.size, get(&up.data, "next")->via.i64);
	}
	/* the order, page by page: limit and the byte cap both end a page */
	{
		struct groups_page q = { .offset = 0, .limit = 2, .members_max = 1000, .max_bytes = 1 << 20,
		                         .price_budget = SIZE_MAX };

		msgpack_sbuffer_clear(&sb);
		groups_pack_page(f->gs, &pk, &q);
		off = 0;
		assert_int_equal(msgpack_unpack_next(&up, sb.data, sb.size, &off), MSGPACK_UNPACK_SUCCESS);
		r = &up.data;
		assert_int_equal(get(r, "total")->via.i64, 6);
		assert_int_equal(get(r, "next")->via.i64, 2);
		gl = get(r, "groups");
		assert_int_equal(get(&gl->via.array.ptr[0], "max_score")->via.i64, 44);
		assert_int_equal(get(&gl->via.array.ptr[1], "max_score")->via.i64, 43);
		q.offset = 4;
		q.limit = 100;
		q.max_bytes = 1; /* one group at least, then stop */
		msgpack_sbuffer_clear(&sb);
		groups_pack_page(f->gs, &pk, &q);
		off = 0;
		assert_int_equal(msgpack_unpack_next(&up, sb.data, sb.size, &off), MSGPACK_UNPACK_SUCCESS);
		r = &up.data;
		assert_int_equal(get(r, "groups")->via.array.size, 1);
		assert_int_equal(get(r, "next")->via.i64, 5);
		assert_int_equal(get(&get(r, "groups")->via.array.ptr[0], "max_score")->via.i64, 40);
	}
	/* changes: what changed since the last call, then nothing; a gone group */
	msgpack_sbuffer_clear(&sb);
	groups_pack_changes(f->gs, &pk, 100);
	assert_false(groups_changed(f->gs));
	groups_remove(f->gs, g, f->subj[29]);
	for (int i = 30; i < 35; i++)
		groups_remove(f->gs, groups_find(f->gs, group_id(group_of_test(f, i))), f->subj[i]);
	msgpack_sbuffer_clear(&sb);
	groups_pack_changes(f->gs, &pk, 100);
	off = 0;
	assert_int_equal(msgpack_unpack_next(&up, sb.data, sb.size, &off), MSGPACK_UNPACK_SUCCESS);
	r = &up.data;
	assert_int_equal(get(r, "changed")->via.array.size, 1);
	assert_true(rpc_str_eq(&get(r, "changed")->via.array.ptr[0], gid));
	assert_int_equal(get(r, "removed")->via.array.size, 5);
	/* more changes than a notification names: reset */
	for (int i = 0; i < 29; i++)
		groups_remove(f->gs, g, f->subj[i]);
	msgpack_sbuffer_clear(&sb);
	groups_pack_changes(f->gs, &pk, 0);
	off = 0;
	assert_int_equal(msgpack_unpack_next(&up, sb.data, sb.size, &off), MSGPACK_UNPACK_SUCCESS);
	assert_true(get(&up.data, "reset")->via.boolean);
	assert_int_equal(groups_count(f->gs), 0);
	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_signatures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_suggestions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_single_and_compound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_net_mcp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_incremental_equals_fresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pages_and_changes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
