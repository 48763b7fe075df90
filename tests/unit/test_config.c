/* test_config.c -- the broker's settings parser on good, bad and hostile input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "broker/config.h"
#include "broker/intent/workspace.h"

static int
parse(struct config *c, const char *text, char *err)
{
	config_defaults(c);
	return config_parse(c, text, strlen(text), err, 256);
}

static void
good(void **state)
{
	struct config c;
	char err[256];

	assert_int_equal(parse(&c, "# comment\n\n timeout = 30 \r\ncommit=each\ndurability = fsync\n", err), 0);
	assert_int_equal(c.timeout_s, 30);
	assert_true(c.per_request_commit);
	assert_true(c.fsync);
	assert_int_equal(parse(&c, "timeout = 5", err), 0); /* no final newline */
	assert_int_equal(c.timeout_s, 5);
	/* issue #16: the undo window (default 5 s, 0 off, at most 10 min) */
	assert_int_equal(c.undo_window_ms, 5000);
	assert_int_equal(parse(&c, "undo_window = 0\n", err), 0);
	assert_int_equal(c.undo_window_ms, 0);
	assert_int_equal(parse(&c, "undo_window = 30s\n", err), 0);
	assert_int_equal(c.undo_window_ms, 30000);
	assert_int_equal(parse(&c, "undo_window = 10m\n", err), 0);
	assert_int_equal(c.undo_window_ms, 600000);
}

static void
bad(void **state)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "timeout = 0\n", "line 1: timeout must be" },
		{ "timeout = 99999999999999999999\n", "line 1: timeout must be" },
		{ "timeout = 12abc\n", "line 1: timeout must be" },
		{ "timeout =\n", "line 1: timeout must be" },
		{ "\n\ncommit = sometimes\n", "line 3: commit must be grouped or each" },
		{ "timeuot = 3\n", "line 1: unknown setting 'timeuot'" },
		{ "just words\n", "line 1: expected key = value" },
		{ "durability = fsync\x1b[31m\n", "line 1: durability must be" },
		{ "undo_window = 11m\n", "line 1: undo_window must be" },
		{ "undo_window = 5\n", "line 1: undo_window must be" },
		{ "undo_window = -1s\n", "line 1: undo_window must be" },
	};
	struct config c;
	char err[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(parse(&c, cases[i].text, err), -1);
		assert_non_null(strstr(err, cases[i].want));
	}
}

static void
hostile(void **state)
{
	struct config c;
	char err[256];
	size_t big = 300 * 1024;
	char *text = malloc(big);

	/* a NUL byte inside a line */
	config_defaults(&c);
	assert_int_equal(config_parse(&c, "timeout = 3\0 0\n", 15, err, sizeof err), -1);
	assert_non_null(strstr(err, "NUL"));
	/* an over-long line */
	memset(text, 'a', 5000);
	text[5000] = '\0';
	assert_int_equal(parse(&c, text, err), -1);
	assert_non_null(strstr(err, "longer than"));
	/* an over-large file */
	memset(text, '\n', big);
	assert_int_equal(config_parse(&c, text, big, err, sizeof err), -1);
	assert_non_null(strstr(err, "larger than"));
	/* truncated mid-key keeps the defaults of the rest */
	assert_int_equal(parse(&c, "timeout = 7\ncomm", err), -1);
	free(text);
}

/* Quotas (issue #12): defaults follow max_pending and timeout; explicit
 * values are checked against each other on the line that set them. */
static void
quotas(void **state)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "max_pending_uid = 0\n", "line 1: max_pending_uid must be a count" },
		{ "max_pending_session = -3\n", "line 1: max_pending_session must be a count" },
		{ "max_request_timeout = 86401\n", "line 1: max_request_timeout must be seconds" },
		{ "max_request_timeout = 1h\n", "line 1: max_request_timeout must be seconds" },
		{ "max_pending = 100\nmax_pending_uid = 100\n", "line 2: max_pending_uid must be less than max_pending (100)" },
		{ "max_pending_uid = 500\nmax_pending = 400\n", "line 1: max_pending_uid must be less than max_pending (400)" },
		{ "max_pending_session = 30000\n", "line 1: max_pending_session must be at most max_pending_uid (25000)" },
		{ "\nmax_pending_uid = 10\nmax_pending_session = 11\n", "line 3: max_pending_session must be at most max_pending_uid (10)" },
		{ "max_request_timeout = 60\ntimeout = 120\n", "line 1: max_request_timeout must be at least timeout (120)" },
	};
	struct config c;
	char err[256];

	config_defaults(&c);
	assert_int_equal(c.max_pending_session, 1000);
	assert_int_equal(c.max_pending_uid, 25000);
	assert_int_equal(c.max_request_timeout_s, 3600);
	assert_true(c.max_pending_uid < c.max_pending);
	assert_int_equal(parse(&c, "", err), 0);
	assert_int_equal(c.max_pending_uid, 25000);
	/* unset: a quarter of max_pending (at least 1), the session cap within it */
	assert_int_equal(parse(&c, "max_pending = 2000\n", err), 0);
	assert_int_equal(c.max_pending_uid, 500);
	assert_int_equal(c.max_pending_session, 500);
	assert_int_equal(parse(&c, "max_pending = 1\n", err), 0);
	assert_int_equal(c.max_pending_uid, 1);
	assert_int_equal(c.max_pending_session, 1);
	/* a longer default timeout raises the unset cap with it */
	assert_int_equal(parse(&c, "timeout = 7200\n", err), 0);
	assert_int_equal(c.max_request_timeout_s, 7200);
	assert_int_equal(parse(&c, "max_pending_uid = 99999\nmax_pending_session = 5\nmax_request_timeout = 300\n", err), 0);
	assert_int_equal(c.max_pending_uid, 99999);
	assert_int_equal(c.max_pending_session, 5);
	assert_int_equal(c.max_request_timeout_s, 300);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(parse(&c, cases[i].text, err), -1);
		if (strstr(err, cases[i].want) == NULL)
			fail_msg("%s: got '%s', want '%s'", cases[i].text, err, cases[i].want);
	}
}

/* workspaces = ...: entries checked one by one, lines add up, a bad one names the line */
static void
workspaces_key(void **state)
{
	struct config c;
	struct ws_list l = { .n = 0 };
	char err[256];

	(void)state;
	setenv("HOME", "/home/u", 1);
	assert_int_equal(parse(&c, "workspaces = ~/src/*, /srv/build\nworkspaces = /tmp/w\n", err), 0);
	assert_int_equal(config_workspaces(&c, &l, err, sizeof err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0], "/home/u/src/*");
	assert_string_equal(l.v[2], "/tmp/w");
	ws_list_free(&l);
	assert_int_equal(parse(&c, "", err), 0);
	assert_int_equal(config_workspaces(&c, &l, err, sizeof err), 0);
	assert_int_equal(l.n, 0);
	{
		static const char *const bad[] = { "workspaces = src\n", "workspaces = /\n", "workspaces = ~\n",
			"workspaces = /usr/*\n", "workspaces = /etc\n", "workspaces = /a/../b\n", "workspaces =\n",
			"workspaces = /home\n", "workspaces = /srv/**\n", "workspaces = /ok,,/x\n" };

		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			assert_int_equal(parse(&c, bad[i], err), -1);
			assert_non_null(strstr(err, "line 1: workspaces: "));
		}
	}
	assert_int_equal(parse(&c, "timeout = 3\nworkspaces = /ok\nworkspaces = relative\n", err), -1);
	assert_non_null(strstr(err, "line 3: workspaces: 'relative' must be an absolute path"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good),
		cmocka_unit_test(bad),
		cmocka_unit_test(hostile),
		cmocka_unit_test(quotas),
		cmocka_unit_test(workspaces_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
