/* test_provenance.c -- the broker's memory of the files each session created
 * (broker/provenance.h): keyed by uid and session, bounded, forgetting only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "broker/provenance.h"

static int64_t
look(const struct prov *p, uid_t uid, const char *session, const char *path)
{
	return prov_lookup(p, uid, session, path, strlen(path));
}

static void
test_keyed_by_uid_and_session(void **state)
{
	struct prov *p = prov_new();

	(void)state;
	assert_non_null(p);
	assert_int_equal(prov_note(p, 1000, "s1", "/ws/a.py", 5), 0);
	assert_int_equal(look(p, 1000, "s1", "/ws/a.py"), 5);
	assert_int_equal(look(p, 1000, "s2", "/ws/a.py"), 0);
	assert_int_equal(look(p, 1001, "s1", "/ws/a.py"), 0);
	assert_int_equal(look(p, 1000, "s1", "/ws/a.pyc"), 0);
	assert_int_equal(look(p, 1000, "s1", "/ws/a.p"), 0);
	/* the first creation is the one named */
	assert_int_equal(prov_note(p, 1000, "s1", "/ws/a.py", 9), 0);
	assert_int_equal(look(p, 1000, "s1", "/ws/a.py"), 5);
	/* not kept: relative, empty, no id */
	assert_int_equal(prov_note(p, 1000, "s1", "rel.py", 3), 0);
	assert_int_equal(prov_note(p, 1000, "s1", "/ws/b.py", 0), 0);
	assert_int_equal(look(p, 1000, "s1", "rel.py"), 0);
	assert_int_equal(look(p, 1000, "s1", "/ws/b.py"), 0);
	assert_int_equal(prov_count(p), 1);
	prov_free(p);
}

static void
test_bounded_per_session(void **state)
{
	struct prov *p = prov_new();
	char path[64];

	(void)state;
	for (int i = 1; i <= PROV_PER_SESSION + 100; i++) {
		snprintf(path, sizeof path, "/ws/f%d", i);
		assert_int_equal(prov_note(p, 1, "s", path, i), 0);
	}
	assert_int_equal(prov_count(p), PROV_PER_SESSION);
	/* the oldest are forgotten: no discount for them any more */
	assert_int_equal(look(p, 1, "s", "/ws/f1"), 0);
	assert_int_equal(look(p, 1, "s", "/ws/f100"), 0);
	assert_int_equal(look(p, 1, "s", "/ws/f101"), 101);
	snprintf(path, sizeof path, "/ws/f%d", PROV_PER_SESSION + 100);
	assert_int_equal(look(p, 1, "s", path), PROV_PER_SESSION + 100);
	prov_free(p);
}

static void
test_bounded_sessions(void **state)
{
	struct prov *p = prov_new();
	char sess[32];

	(void)state;
	for (int i = 0; i < PROV_SESSIONS + 10; i++) {
		snprintf(sess, sizeof sess, "s%d", i);
		assert_int_equal(prov_note(p, 1, sess, "/ws/x", i + 1), 0);
		if (i == PROV_SESSIONS - 1) /* s0 noted again: it is recent now */
			assert_int_equal(prov_note(p, 1, "s0", "/ws/y", 99), 0);
	}
	assert_int_equal(prov_sessions(p), PROV_SESSIONS);
	assert_int_equal(look(p, 1, "s0", "/ws/y"), 99);
	assert_int_equal(look(p, 1, "s1", "/ws/x"), 0); /* the least recently noted went first */
	snprintf(sess, sizeof sess, "s%d", PROV_SESSIONS + 9);
	assert_int_equal(look(p, 1, sess, "/ws/x"), PROV_SESSIONS + 10);
	prov_free(p);
}

static void
test_long_path_not_kept(void **state)
{
	struct prov *p = prov_new();
	char *path = malloc(PROV_PATH_MAX + 2);

	(void)state;
	assert_non_null(path);
	memset(path, 'a', PROV_PATH_MAX + 1);
	path[0] = '/';
	path[PROV_PATH_MAX + 1] = '\0';
	assert_int_equal(prov_note(p, 1, "s", path, 4), 0);
	assert_int_equal(look(p, 1, "s", path), 0);
	assert_int_equal(prov_count(p), 0);
	free(path);
	prov_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keyed_by_uid_and_session),
		cmocka_unit_test(test_bounded_per_session),
		cmocka_unit_test(test_bounded_sessions),
		cmocka_unit_test(test_long_path_not_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
