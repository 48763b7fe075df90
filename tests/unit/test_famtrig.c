/* test_famtrig.c -- issue #13 (speed): the family triggers of
 * broker/intent/famtrig.c.  A program's mask names only families that cannot
 * apply to it, is computed after the user's tables (a user row makes its
 * family run), is ignored for a name other than the entry's, is empty with
 * SANDGATE_FAMTRIG=off; and glob_match's pre-filter for patterns with leading
 * stars gives the matcher's answer.  (That every mask leaves results as they
 * are is what ctest eval_famtrig_equiv checks on every case file.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "broker/intent/famtrig.h"
#include "broker/intent/tables.h"

static struct tables *
load(const char *name, const char *text)
{
	char err[256];
	struct tables *t = name != NULL ? tables_load_mem(&name, &text, 1, "/home/dev", err, sizeof err) :
	                                  tables_load(NULL, "/home/dev", err, sizeof err);

	if (t == NULL)
		fail_msg("tables: %s", err);
	return t;
}

static uint64_t
off_of(const struct tables *t, const char *prog)
{
	const struct prog *pg = tables_prog(t, prog);

	assert_non_null(pg);
	return famtrig_off(pg, prog);
}

static void
test_builtin_masks(void **state)
{
	struct tables *t = load(NULL, NULL);

	(void)state;
	/* ls: a t= spec, no runs rows, no Java, no database, no package runner */
	assert_true(FT_RUN(off_of(t, "ls"), SPEC));
	assert_false(FT_RUN(off_of(t, "ls"), RUNS));
	assert_false(FT_RUN(off_of(t, "ls"), JAR));
	assert_false(FT_RUN(off_of(t, "ls"), DB));
	assert_false(FT_RUN(off_of(t, "ls"), PACKAGES));
	assert_false(FT_RUN(off_of(t, "ls"), LINK));
	/* each family runs for the programs its tables or its code name */
	assert_true(FT_RUN(off_of(t, "git"), RUNS));
	assert_true(FT_RUN(off_of(t, "java"), JAR));
	assert_true(FT_RUN(off_of(t, "curl"), PACKAGES));
	assert_true(FT_RUN(off_of(t, "wget"), PACKAGES));
	assert_true(FT_RUN(off_of(t, "npx"), PACKAGES));
	assert_true(FT_RUN(off_of(t, "psql"), DB));
	assert_true(FT_RUN(off_of(t, "ln"), LINK));
	assert_true(FT_RUN(off_of(t, "cp"), LINK));
	assert_true(FT_RUN(off_of(t, "chmod"), CHMOD));
	assert_false(FT_RUN(off_of(t, "chown"), CHMOD));
	assert_true(FT_RUN(off_of(t, "python3"), INLINE));
	assert_true(FT_RUN(off_of(t, "grep"), SECRETS));
	assert_true(FT_RUN(off_of(t, "env"), SECRETS) || tables_prog(t, "env") == NULL);
	assert_true(FT_RUN(off_of(t, "rclone"), TRANSFER));
	assert_false(FT_RUN(off_of(t, "cat"), TRANSFER));
	tables_free(t);
}

/* The mask holds for the entry's own name only; nothing computed runs all. */
static void
test_fail_towards_running(void **state)
{
	struct tables *t = load(NULL, NULL);
	const struct prog *ls = tables_prog(t, "ls");
	struct prog blank;

	(void)state;
	assert_int_not_equal(ls->fam_off, 0);
	assert_int_equal(famtrig_off(ls, "LS"), 0);
	assert_int_equal(famtrig_off(ls, "lsx"), 0);
	assert_int_equal(famtrig_off(ls, NULL), 0);
	assert_int_equal(famtrig_off(NULL, "ls"), 0);
	memset(&blank, 0, sizeof blank);
	blank.name = "ls";
	assert_int_equal(famtrig_off(&blank, "ls"), 0);
	/* bits past the declared families never skip anything */
	for (int b = FT_COUNT; b < 64; b++)
		assert_int_equal(ls->fam_off & ((uint64_t)1 << b), 0);
	for (int b = 0; b < FT_COUNT; b++)
		assert_non_null(famtrig_name((enum famtrig_bit)b));
	assert_null(famtrig_name(FT_COUNT));
	tables_free(t);
}

/* A user's row for a program makes its family run for it. */
static void
test_user_rows(void **state)
{
	struct tables *t = load("runs", "ls - opt=--pager-x\n");

	(void)state;
	assert_true(FT_RUN(off_of(t, "ls"), RUNS));
	tables_free(t);
}

static void
test_switch_off(void **state)
{
	struct tables *t;

	(void)state;
	setenv("SANDGATE_FAMTRIG", "off", 1);
	assert_false(famtrig_enabled());
	t = load(NULL, NULL);
	assert_int_equal(tables_prog(t, "ls")->fam_off, 0);
	assert_int_equal(tables_prog(t, "cat")->fam_off, 0);
	tables_free(t);
	setenv("SANDGATE_FAMTRIG", "on", 1);
	assert_true(famtrig_enabled());
	unsetenv("SANDGATE_FAMTRIG");
	assert_true(famtrig_enabled());
}

/* glob_match with leading stars: the literal-byte pre-filter never changes
 * the answer. */
static void
test_glob_prefilter(void **state)
{
	static const struct {
		const char *pat, *s;
		bool fold, want;
	} c[] = {
		{ "*PRIVATE*KEY*", "b", true, false },
		{ "*PRIVATE*KEY*", "my private key", true, true },
		{ "*PRIVATE*KEY*", "KEY PRIVATE", true, false }, /* the bytes are there, the order is not */
		{ "*BEGIN*RSA*", "-----BEGIN RSA", false, true },
		{ "*BEGIN*RSA*", "-----begin rsa", false, false },
		{ "*[=:]sk-*", "x=sk-1", true, true },
		{ "*[=:]sk-*", "x sk-1", true, false },
		{ "*a?c*", "xabcx", false, true },
		{ "*a?c*", "xacx", false, false },
		{ "*/**", "abc", false, true }, /* "/" and a double star at the end match nothing */
		{ "**/x", "a/x", false, true },
		{ "*", "", false, true },
		{ "*x", "", false, false },
		{ "*token*", "GH_TOKEN", true, true },
	};

	(void)state;
	for (size_t k = 0; k < sizeof c / sizeof c[0]; k++)
		if (glob_match(c[k].pat, c[k].s, strlen(c[k].s), c[k].fold) != c[k].want)
			fail_msg("glob_match(%s, %s, fold=%d) != %d", c[k].pat, c[k].s, c[k].fold, c[k].want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_masks),
		cmocka_unit_test(test_fail_towards_running),
		cmocka_unit_test(test_user_rows),
		cmocka_unit_test(test_switch_off),
		cmocka_unit_test(test_glob_prefilter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
