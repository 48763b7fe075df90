/* test_group.c -- grouping by signature, common/varies, suggestions and
 * their pricing (covers, covers_high), and the packed groups view. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "broker/group.h"
#include "proto/rpc.h"
#include "helpers.h"

#define NOW 1700000000000LL

struct fixture {
	groups *gs;
	ruleset *rs;
	struct subject *subj[32];
	int n;
};

static struct group *
add(struct fixture *f, const char *session, struct subject *s, enum rule_level level, int score)
{
	struct group_member m = {
		.req = s, .id = f->n + 1, .created_ms = NOW + f->n, .session = session, .agent = "claude-code",
		.subj = s, .key_part = 0, .score = score, .level = level,
	};

	f->subj[f->n++] = s;
	return groups_add(f->gs, &m);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	f->gs = groups_new();
	f->rs = ruleset_new();
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
	n = group_suggest(f->gs, g, f->rs, NOW, sg);
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
	n = group_suggest(f->gs, g, f->rs, NOW, sg);
	assert_int_equal(n, 3);
	assert_string_equal(sg[0].pattern, "exec git push origin main");
	assert_string_equal(sg[1].pattern, "exec git push *");
	assert_string_equal(sg[2].pattern, "exec git *");
	group_suggestions_free(sg, n);
	/* a compound line is grouped by the part that needs a decision, and a
	 * suggestion counts as covering it only with the rules already there */
	assert_non_null(ruleset_add(f->rs, &spec, err, sizeof err));
	{
		struct group_member m = { .req = s, .id = 99, .created_ms = NOW, .session = "s1",
		                          .agent = "a", .subj = s, .key_part = 1, .level = RL_LOW };

		f->subj[f->n++] = s;
		g = groups_add(f->gs, &m);
	}
	n = group_suggest(f->gs, g, f->rs, NOW, sg);
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
	n = group_suggest(f->gs, g, f->rs, NOW, sg);
	assert_int_equal(n, 3);
	assert_string_equal(sg[0].pattern, "write ./src/lib/*");
	assert_string_equal(sg[1].pattern, "write ./src/**");
	assert_string_equal(sg[2].pattern, "write ./**");
	group_suggestions_free(sg, n);

	g = add(f, "s1", net_subject("registry.npmjs.org", 443), RL_MEDIUM, 30);
	n = group_suggest(f->gs, g, f->rs, NOW, sg);
	assert_string_equal(sg[0].pattern, "net registry.npmjs.org:443");
	assert_string_equal(sg[1].pattern, "net *.npmjs.org:443");
	assert_string_equal(sg[2].pattern, "net *.npmjs.org");
	group_suggestions_free(sg, n);

	g = add(f, "s1", mcp_subject("github", "create_issue"), RL_MEDIUM, 30);
	n = group_suggest(f->gs, g, f->rs, NOW, sg);
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
	groups_pack(f->gs, &pk, f->rs, NOW);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_signatures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_suggestions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_single_and_compound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_net_mcp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pack, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
