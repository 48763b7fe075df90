/* test_escpolicy.c -- the escalation policy's pure parts (issue #15): keys,
 * baselines, and resolution where scoped baselines only tighten. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "broker/config.h"

static struct config cfg;

static int
parse(const char *text, char *err, size_t errlen)
{
	config_defaults(&cfg);
	return config_parse(&cfg, text, strlen(text), err, errlen);
}

static void
test_defaults(void **state)
{
	struct esc_effective e;
	char err[256];

	(void)state;
	assert_int_equal(parse("", err, sizeof err), 0);
	escpolicy_resolve(&cfg.esc, "a", true, 1000, 1000, &e);
	assert_int_equal(e.escalate_ms[0], ESC_OFF);
	assert_int_equal(e.escalate_ms[2], 120000);
	assert_int_equal(e.escalate_ms[3], 60000);
	assert_int_equal(e.expire_ms[1], 30 * 60000);
	assert_int_equal(e.quorum[3], 1);
	assert_string_equal(e.escalate_src[2], "policy balanced (default)");
}

static void
test_explicit_and_scopes(void **state)
{
	struct esc_effective e;
	char err[256];

	(void)state;
	assert_int_equal(parse("policy = permissive\nescalate.high = 45s\nquorum.critical = 3\n"
	                       "policy.agent.bot = strict\npolicy.uid.1234 = balanced\n", err, sizeof err), 0);
	/* no scope applies */
	escpolicy_resolve(&cfg.esc, "other", true, 1, 1, &e);
	assert_int_equal(e.escalate_ms[2], 45000);
	assert_string_equal(e.escalate_src[2], "line 2: escalate.high = 45s");
	assert_int_equal(e.escalate_ms[3], 5 * 60000); /* permissive */
	assert_string_equal(e.escalate_src[3], "line 1: policy = permissive");
	assert_int_equal(e.quorum[3], 3);
	/* strict agent: earlier, never later; the larger quorum stays */
	escpolicy_resolve(&cfg.esc, "bot", true, 1, 1, &e);
	assert_int_equal(e.escalate_ms[2], 30000);
	assert_string_equal(e.escalate_src[2], "line 4: policy.agent.bot = strict");
	assert_int_equal(e.escalate_ms[3], 0);
	assert_int_equal(e.escalate_ms[1], 2 * 60000);
	assert_int_equal(e.quorum[3], 3);
	assert_string_equal(e.quorum_src[3], "line 3: quorum.critical = 3");
	/* a balanced uid baseline tightens permissive's expiries only where stricter */
	escpolicy_resolve(&cfg.esc, "other", true, 1234, 1, &e);
	assert_int_equal(e.expire_ms[0], 60 * 60000);
	assert_string_equal(e.expire_src[0], "line 5: policy.uid.1234 = balanced");
	assert_int_equal(e.escalate_ms[2], 45000); /* balanced's 2m is later: not taken */
	/* without a uid, uid scopes never apply */
	escpolicy_resolve(&cfg.esc, "other", false, 1234, 1, &e);
	assert_int_equal(e.expire_ms[0], 4 * 60 * 60000);
}

static void
test_errors(void **state)
{
	static const struct { const char *line, *want; } bad[] = {
		{ "escalate.hgh = 1s", "line 1: escalate.hgh: unknown risk level 'hgh'" },
		{ "escalate.high = 10", "must be off or a duration" },
		{ "escalate.high = 1w", "must be off or a duration" },
		{ "expire.low = 0s", "at least 1s" },
		{ "quorum.high = 0", "count of distinct approvers" },
		{ "policy = meh", "strict, balanced or permissive" },
		{ "policy.agent.x = meh", "strict, balanced or permissive" },
		{ "policy.host.x = strict", "policy.agent.NAME" },
		{ "quorum_deny = most", "any" },
		{ "notify = bell,flash", "not 'flash'" },
		{ "pager_timeout = 11m", "1s to 10m" },
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(parse(bad[i].line, err, sizeof err), -1);
		if (strstr(err, bad[i].want) == NULL || strncmp(err, "line 1: ", 8) != 0)
			fail_msg("%s: got '%s'", bad[i].line, err);
	}
	assert_int_equal(parse("escalate.high = off\nexpire.high = never\nnotify = none\npager = none\n", err,
	    sizeof err), 0);
	assert_int_equal(cfg.esc.escalate_ms[2], ESC_OFF);
	assert_false(cfg.esc.notify_bell);
	assert_string_equal(cfg.esc.pager, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_explicit_and_scopes),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
