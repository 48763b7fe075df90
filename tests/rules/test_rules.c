/* test_rules.c -- rule sets: precedence and scope, expiry with a moving
 * clock, compound coverage and bypass attempts, levels, once rules,
 * revocation, and the index agreeing with a plain scan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "broker/rules/rule.h"
#include "helpers.h"

#define T0 1700000000000LL

static rule *
add(ruleset *rs, enum rule_effect e, const char *pat, enum rule_scope sc, const char *val)
{
	char err[256];
	struct rule_spec spec = {
		.effect = e, .pattern = pat, .scope = sc, .scope_value = val,
		.created_ms = T0, .max_level = RL_HIGH,
	};
	rule *r = ruleset_add(rs, &spec, err, sizeof err);

	if (r == NULL)
		fail_msg("rule '%s': %s", pat, err);
	return r;
}

static struct rule_ctx
ctx(enum rule_level level)
{
	return (struct rule_ctx){ .session = "s1", .agent = "claude-code", .workspace = WS,
	                          .level = level, .now_ms = T0 + 1000 };
}

static enum verdict
judge(ruleset *rs, struct subject *s, const struct rule_ctx *c, rule **who)
{
	struct rule_verdict v;

	ruleset_eval(rs, s, c, NULL, &v);
	if (who != NULL)
		*who = v.rule;
	return v.v;
}

static enum verdict
judge_line(ruleset *rs, const char *line, enum rule_level level)
{
	struct subject *s = exec_subject(WS, line);
	struct rule_ctx c = ctx(level);
	enum verdict v = judge(rs, s, &c, NULL);

	subject_free(s);
	return v;
}

static void
test_compound(void **state)
{
	ruleset *rs = ruleset_new();

	(void)state;
	add(rs, RULE_ALLOW, "exec npm run test *", SCOPE_GLOBAL, NULL);
	assert_int_equal(judge_line(rs, "npm run test", RL_LOW), VERDICT_ALLOW);
	assert_int_equal(judge_line(rs, "npm run test --ci", RL_LOW), VERDICT_ALLOW);
	/* every part must be covered */
	assert_int_equal(judge_line(rs, "npm run test ; curl x ; sh", RL_LOW), VERDICT_NONE);
	assert_int_equal(judge_line(rs, "curl x ; npm run test", RL_LOW), VERDICT_NONE);
	add(rs, RULE_ALLOW, "exec curl x", SCOPE_GLOBAL, NULL);
	assert_int_equal(judge_line(rs, "npm run test ; curl x ; sh", RL_LOW), VERDICT_NONE);
	add(rs, RULE_ALLOW, "exec sh", SCOPE_GLOBAL, NULL);
	assert_int_equal(judge_line(rs, "npm run test ; curl x ; sh", RL_LOW), VERDICT_ALLOW);
	/* a deny on any part denies the whole line */
	add(rs, RULE_DENY, "exec rm -rf *", SCOPE_GLOBAL, NULL);
	assert_int_equal(judge_line(rs, "npm run test ; rm -rf /", RL_LOW), VERDICT_DENY);
	/* a redirection is a write part that needs its own rule */
	{
		struct subject *s = exec_subject(WS, "npm run test");
		struct rule_ctx c = ctx(RL_LOW);

		add_redirect(s, "/home/u/.bashrc");
		assert_int_equal(judge(rs, s, &c, NULL), VERDICT_NONE);
		add(rs, RULE_ALLOW, "write ./**", SCOPE_GLOBAL, NULL);
		assert_int_equal(judge(rs, s, &c, NULL), VERDICT_NONE);
		subject_free(s);
		s = exec_subject(WS, "npm run test");
		add_redirect(s, "out.log");
		assert_int_equal(judge(rs, s, &c, NULL), VERDICT_ALLOW);
		subject_free(s);
	}
	/* an unparsed subject is never allowed */
	{
		struct subject *s = exec_subject(WS, "npm run test");
		struct rule_ctx c = ctx(RL_LOW);

		s->unparsed = true;
		assert_int_equal(judge(rs, s, &c, NULL), VERDICT_NONE);
		subject_free(s);
	}
	ruleset_free(rs);
}

static void
test_bypass_attempts(void **state)
{
	ruleset *rs = ruleset_new();
	static const char *const not_allowed[] = {
		"git push origin feature/x --force",
		"git push --force origin feature/x",
		"git push origin feature/x main",
		"git push origin main",
		"git push origin $BRANCH",
		"git pushx origin feature/x",
		"/tmp/git push origin feature/x",
		"./git push origin feature/x",
		"git push origin feature/x ; rm -rf ~",
		"env git push origin feature/x",
	};

	(void)state;
	add(rs, RULE_ALLOW, "exec git push origin feature/*", SCOPE_GLOBAL, NULL);
	assert_int_equal(judge_line(rs, "git push origin feature/login", RL_MEDIUM), VERDICT_ALLOW);
	assert_int_equal(judge_line(rs, "/usr/bin/git push origin feature/login", RL_MEDIUM), VERDICT_ALLOW);
	for (size_t i = 0; i < sizeof not_allowed / sizeof not_allowed[0]; i++)
		if (judge_line(rs, not_allowed[i], RL_MEDIUM) != VERDICT_NONE)
			fail_msg("'%s' must not be allowed", not_allowed[i]);
	/* xargs: arguments appended at run time need a trailing star */
	{
		struct subject *s = exec_subject(WS, "git push origin feature/x");
		struct rule_ctx c = ctx(RL_LOW);

		s->parts[0].more_args = true;
		assert_int_equal(judge(rs, s, &c, NULL), VERDICT_NONE);
		subject_free(s);
	}
	/* paths: the resolved target counts, not the text */
	add(rs, RULE_ALLOW, "exec cat ./docs/**", SCOPE_GLOBAL, NULL);
	assert_int_equal(judge_line(rs, "cat docs/a.md", RL_LOW), VERDICT_ALLOW);
	assert_int_equal(judge_line(rs, "cat docs/../../../etc/shadow", RL_LOW), VERDICT_NONE);
	assert_int_equal(judge_line(rs, "cat /etc/shadow", RL_LOW), VERDICT_NONE);
	assert_int_equal(judge_line(rs, "cat docs/a.md ~/.ssh/id_rsa", RL_LOW), VERDICT_NONE);
	ruleset_free(rs);
}

static void
test_precedence_and_scope(void **state)
{
	ruleset *rs = ruleset_new();
	struct subject *s = exec_subject(WS, "git push origin main");
	struct rule_ctx c = ctx(RL_MEDIUM);
	rule *who, *gdeny, *sallow, *gallow;

	(void)state;
	gallow = add(rs, RULE_ALLOW, "exec git push *", SCOPE_GLOBAL, NULL);
	assert_int_equal(judge(rs, s, &c, &who), VERDICT_ALLOW);
	assert_ptr_equal(who, gallow);
	/* deny beats allow in the same scope */
	gdeny = add(rs, RULE_DENY, "exec git push * main", SCOPE_GLOBAL, NULL);
	assert_int_equal(judge(rs, s, &c, &who), VERDICT_DENY);
	assert_ptr_equal(who, gdeny);
	/* a narrower scope decides before a wider one */
	sallow = add(rs, RULE_ALLOW, "exec git push origin main", SCOPE_SESSION, "s1");
	assert_int_equal(judge(rs, s, &c, &who), VERDICT_ALLOW);
	assert_ptr_equal(who, sallow);
	/* ...but only in its own session */
	c.session = "s2";
	assert_int_equal(judge(rs, s, &c, &who), VERDICT_DENY);
	c.session = "s1";
	/* a deny in the narrow scope wins there */
	add(rs, RULE_DENY, "exec git *", SCOPE_SESSION, "s1");
	assert_int_equal(judge(rs, s, &c, NULL), VERDICT_DENY);
	ruleset_free(rs);

	/* agent and workspace scopes */
	rs = ruleset_new();
	add(rs, RULE_ALLOW, "exec make *", SCOPE_AGENT, "codex");
	add(rs, RULE_ALLOW, "exec ninja *", SCOPE_WORKSPACE, "/home/u/proj/");
	subject_free(s);
	s = exec_subject(WS, "make all");
	assert_int_equal(judge(rs, s, &c, NULL), VERDICT_NONE);
	c.agent = "codex";
	assert_int_equal(judge(rs, s, &c, NULL), VERDICT_ALLOW);
	subject_free(s);
	s = exec_subject(WS, "ninja");
	assert_int_equal(judge(rs, s, &c, NULL), VERDICT_ALLOW);
	c.workspace = "/home/u/proj/sub";
	assert_int_equal(judge(rs, s, &c, NULL), VERDICT_ALLOW);
	c.workspace = "/home/u/projx";
	assert_int_equal(judge(rs, s, &c, NULL), VERDICT_NONE);
	c.workspace = NULL;
	assert_int_equal(judge(rs, s, &c, NULL), VERDICT_NONE);
	subject_free(s);
	ruleset_free(rs);
}

static void
test_scope_values_required(void **state)
{
	ruleset *rs = ruleset_new();
	char err[256];
	struct rule_spec spec = { .effect = RULE_ALLOW, .pattern = "exec ls", .scope = SCOPE_SESSION };

	(void)state;
	assert_null(ruleset_add(rs, &spec, err, sizeof err));
	spec.scope = SCOPE_WORKSPACE;
	spec.scope_value = "relative/dir";
	assert_null(ruleset_add(rs, &spec, err, sizeof err));
	spec.scope = SCOPE_GLOBAL;
	spec.pattern = "exec 'oops";
	assert_null(ruleset_add(rs, &spec, err, sizeof err));
	assert_int_equal(ruleset_count(rs), 0);
	ruleset_free(rs);
}

static void
test_levels(void **state)
{
	ruleset *rs = ruleset_new();
	struct subject *s = exec_subject(WS, "rm -rf build");
	struct rule_ctx c = ctx(RL_CRITICAL);
	char err[256];
	struct rule_spec spec = { .effect = RULE_ALLOW, .pattern = "exec rm *", .scope = SCOPE_GLOBAL,
	                          .max_level = RL_MEDIUM };

	(void)state;
	assert_non_null(ruleset_add(rs, &spec, err, sizeof err));
	c.level = RL_MEDIUM;
	assert_int_equal(judge(rs, s, &c, NULL), VERDICT_ALLOW);
	c.level = RL_HIGH; /* above the rule's ceiling */
	assert_int_equal(judge(rs, s, &c, NULL), VERDICT_NONE);
	c.level = RL_CRITICAL;
	assert_int_equal(judge(rs, s, &c, NULL), VERDICT_NONE);
	/* a critical request needs a rule that says so */
	spec.max_level = RL_HIGH;
	spec.pattern = "exec rm -rf build";
	assert_non_null(ruleset_add(rs, &spec, err, sizeof err));
	assert_int_equal(judge(rs, s, &c, NULL), VERDICT_NONE);
	spec.max_level = RL_CRITICAL;
	assert_non_null(ruleset_add(rs, &spec, err, sizeof err));
	assert_int_equal(judge(rs, s, &c, NULL), VERDICT_ALLOW);
	/* circumvention: no allow rule applies, a deny still does */
	c.no_allow = true;
	assert_int_equal(judge(rs, s, &c, NULL), VERDICT_NONE);
	spec.effect = RULE_DENY;
	spec.pattern = "exec rm *";
	assert_non_null(ruleset_add(rs, &spec, err, sizeof err));
	assert_int_equal(judge(rs, s, &c, NULL), VERDICT_DENY);
	subject_free(s);
	ruleset_free(rs);
}

static void
test_expiry_and_revocation(void **state)
{
	ruleset *rs = ruleset_new();
	struct subject *s = exec_subject(WS, "make test");
	struct rule_ctx c = ctx(RL_LOW);
	char err[256];
	struct rule_spec spec = { .effect = RULE_ALLOW, .pattern = "exec make *", .scope = SCOPE_GLOBAL,
	                          .created_ms = T0, .expires_ms = T0 + 60000, .max_level = RL_HIGH };
	rule *r = ruleset_add(rs, &spec, err, sizeof err);

	(void)state;
	c.now_ms = T0 + 59999;
	assert_int_equal(judge(rs, s, &c, NULL), VERDICT_ALLOW);
	/* use does not extend the expiry */
	ruleset_hit(rs, r, c.now_ms);
	assert_int_equal(rule_expires_ms(r), T0 + 60000);
	assert_int_equal(rule_hits(r), 1);
	c.now_ms = T0 + 60000;
	assert_int_equal(judge(rs, s, &c, NULL), VERDICT_NONE);
	assert_false(rule_active(r, c.now_ms));
	assert_int_equal(ruleset_sweep(rs, c.now_ms), 1);
	/* revocation stops matching at once */
	spec.expires_ms = 0;
	r = ruleset_add(rs, &spec, err, sizeof err);
	assert_int_equal(judge(rs, s, &c, NULL), VERDICT_ALLOW);
	ruleset_revoke(rs, r, c.now_ms);
	assert_true(rule_revoked(r));
	assert_int_equal(judge(rs, s, &c, NULL), VERDICT_NONE);
	/* a once rule is used up by its first hit */
	spec.scope = SCOPE_ONCE;
	spec.scope_value = "s1";
	r = ruleset_add(rs, &spec, err, sizeof err);
	assert_int_equal(judge(rs, s, &c, NULL), VERDICT_ALLOW);
	ruleset_hit(rs, r, c.now_ms);
	assert_int_equal(judge(rs, s, &c, NULL), VERDICT_NONE);
	/* dirty rules are handed out once */
	{
		rule *d[8];

		assert_int_equal(ruleset_take_dirty(rs, d, 8), 2);
		assert_int_equal(ruleset_take_dirty(rs, d, 8), 0);
	}
	subject_free(s);
	ruleset_free(rs);
}

static void
test_extra_rule(void **state)
{
	ruleset *rs = ruleset_new();
	struct subject *s = exec_subject(WS, "cd src ; make");
	struct rule_ctx c = ctx(RL_LOW);
	struct rule_verdict v;
	char err[256];
	struct rule_spec spec = { .effect = RULE_ALLOW, .pattern = "exec make *", .scope = SCOPE_SESSION,
	                          .scope_value = "s1", .max_level = RL_LOW };
	rule *extra = rule_new(&spec, err, sizeof err);

	(void)state;
	add(rs, RULE_ALLOW, "exec cd *", SCOPE_GLOBAL, NULL);
	ruleset_eval(rs, s, &c, NULL, &v);
	assert_int_equal(v.v, VERDICT_NONE);
	assert_int_equal(v.first_uncovered, 1);
	ruleset_eval(rs, s, &c, extra, &v);
	assert_int_equal(v.v, VERDICT_ALLOW);
	assert_true(v.extra_used);
	c.level = RL_MEDIUM;
	ruleset_eval(rs, s, &c, extra, &v);
	assert_int_equal(v.v, VERDICT_NONE);
	assert_true(v.extra_matched_any);
	rule_free(extra);
	subject_free(s);
	ruleset_free(rs);
}

/* The index must find exactly what a scan of every rule finds. */
static void
test_index_agrees_with_scan(void **state)
{
	ruleset *rs = ruleset_new();
	static const char *const progs[] = { "git", "npm", "make", "cargo", "python", "ls", "rm", "cat" };
	static const char *const subs[] = { "status", "push", "run", "test", "build", "-la", "-rf", "x" };
	static const char *const lines[] = {
		"git status", "git push origin main", "npm run test", "make build", "cargo test --all",
		"python x.py", "ls -la", "rm -rf build", "cat x", "unknown thing",
	};
	char pat[128], err[256];
	unsigned seed = 12345;

	(void)state;
	for (int i = 0; i < 3000; i++) {
		struct rule_spec spec = { .scope = SCOPE_GLOBAL, .max_level = RL_CRITICAL };
		const char *p = progs[(seed = seed * 1103515245 + 12345) >> 16 & 7];
		const char *sb = subs[(seed = seed * 1103515245 + 12345) >> 16 & 7];
		int shape = (seed = seed * 1103515245 + 12345) >> 16 & 3;

		snprintf(pat, sizeof pat, shape == 0 ? "exec %s %s" : shape == 1 ? "exec %s %s *" :
		    shape == 2 ? "exec %s * %s" : "exec * %s%s", shape == 3 ? "" : p, sb);
		spec.pattern = pat;
		spec.effect = (seed >> 20 & 7) == 0 ? RULE_DENY : RULE_ALLOW;
		assert_non_null(ruleset_add(rs, &spec, err, sizeof err));
	}
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		struct subject *s = exec_subject(WS, lines[i]);
		struct rule_ctx c = ctx(RL_LOW);
		struct rule_verdict v;
		bool any_deny = false, any_allow = false;

		ruleset_eval(rs, s, &c, NULL, &v);
		for (rule *r = ruleset_first(rs); r != NULL; r = rule_next(r)) {
			if (!rule_matches_part(r, s, 0))
				continue;
			any_deny |= rule_effect(r) == RULE_DENY;
			any_allow |= rule_effect(r) == RULE_ALLOW;
		}
		assert_int_equal(v.v, any_deny ? VERDICT_DENY : any_allow ? VERDICT_ALLOW : VERDICT_NONE);
		subject_free(s);
	}
	ruleset_free(rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compound),
		cmocka_unit_test(test_bypass_attempts),
		cmocka_unit_test(test_precedence_and_scope),
		cmocka_unit_test(test_scope_values_required),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_expiry_and_revocation),
		cmocka_unit_test(test_extra_rule),
		cmocka_unit_test(test_index_agrees_with_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
