/* test_wrap.c -- issue #13 items 5-7: indirection (variables, wrappers,
 * hooks), privilege wrappers, writes through output options.  The helpers
 * one by one; the labelled rows of tests/eval/cases/{indirection,privilege,
 * output_options}.tsv are scored by tests/eval/cases.sh (eval_cases). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "broker/intent/assess.h"
#include "broker/intent/indirect.h"
#include "broker/intent/outopts.h"
#include "broker/intent/privwrap.h"
#include "broker/intent/tables.h"

#ifndef SG_SRC
#error SG_SRC
#endif

static assess_tables *AT;

static void
test_outopt_long(void **state)
{
	(void)state;
	assert_true(outopt_long_is("--output", 8, "--output", false));
	assert_false(outopt_long_is("--outp", 6, "--output", false));
	assert_true(outopt_long_is("--outp", 6, "--output", true));
	assert_true(outopt_long_is("--ou", 4, "--output", true));
	assert_false(outopt_long_is("--o", 3, "--output", true));       /* too short: ambiguous everywhere */
	assert_false(outopt_long_is("--outputs", 9, "--output", true)); /* longer is another option */
	assert_false(outopt_long_is("-o", 2, "-o", true) == false);
	assert_false(outopt_long_is("-ou", 3, "-o", true));             /* short options are not abbreviated */
	assert_false(outopt_long_is("--oneline", 9, "--output", true));
}

static void
test_outopt_sub(void **state)
{
	const char *v[] = { "format-patch", "archive" };
	struct strlist subs = { v, 2 }, none = { NULL, 0 };

	(void)state;
	assert_true(outopt_sub_ok(&none, NULL));
	assert_true(outopt_sub_ok(&none, "log"));
	assert_true(outopt_sub_ok(&subs, "archive"));
	assert_false(outopt_sub_ok(&subs, "commit"));
	assert_false(outopt_sub_ok(&subs, NULL));
	assert_true(outopt_abbrev_in(&(struct strlist){ (const char *[]){ "-o", "--output" }, 2 }, "--outp", 6));
	assert_false(outopt_abbrev_in(&(struct strlist){ (const char *[]){ "-o", "--output" }, 2 }, "-o", 2));
	assert_true(outopt_is_dir("/"));
	assert_false(outopt_is_dir("relative"));
	assert_false(outopt_is_dir("/nonexistent-sandgate-test-dir"));
}

static void
test_privwrap_rule(void **state)
{
	(void)state;
	assert_string_equal(privwrap_rule(WA_ROOT, NULL, 0), "priv-root");
	assert_string_equal(privwrap_rule(WA_ROOT, "root", 0), "priv-root");
	assert_string_equal(privwrap_rule(WA_ROOT, "#0", 0), "priv-root");
	assert_string_equal(privwrap_rule(WA_ROOT, NULL, 1), "priv-routine");
	assert_string_equal(privwrap_rule(WA_ROOT, "bob", 1), "priv-user");
	assert_string_equal(privwrap_rule(WA_GROUP, NULL, 0), "priv-group");
	assert_string_equal(privwrap_rule(WA_NS, "root", 0), "priv-ns");
}

static void
test_hook_table(void **state)
{
	char err[256];
	struct tables *t = tables_load(NULL, "/home/dev", err, sizeof err);
	const struct hookpat *h;

	(void)state;
	assert_non_null(t);
	assert_non_null(h = tables_hook(t, "PAGER", 5, false));
	assert_int_equal(h->kind, HK_CMD);
	assert_null(tables_hook(t, "PAGER", 5, true));
	assert_null(tables_hook(t, "PAGERX", 6, false));
	assert_non_null(h = tables_hook(t, "LD_PRELOAD", 10, false));
	assert_int_equal(h->kind, HK_LIB);
	/* git keys: case does not matter, globs for subsections */
	assert_non_null(h = tables_hook(t, "Core.SSHCommand", 15, true));
	assert_int_equal(h->kind, HK_CMD);
	assert_non_null(h = tables_hook(t, "alias.co", 8, true));
	assert_int_equal(h->kind, HK_ALIAS);
	assert_non_null(h = tables_hook(t, "filter.lfs.smudge", 17, true));
	assert_null(tables_hook(t, "color.ui", 8, true));
	assert_null(tables_hook(t, "user.email", 10, true));
	tables_free(t);
}

static void
test_table_errors(void **state)
{
	char err[256];
	const char *names[] = { "hooks" }, *bad[] = { "PAGER nope\n" }, *bad2[] = { "git: cmd\n" },
	           *good[] = { "MY_TOOL_CMD cmd\n-LD_LIBRARY_PATH\n" };
	const char *wn[] = { "wrappers" }, *wbad[] = { "x priv as=other\n" }, *wbad2[] = { "x plain args=some\n" },
	           *pn[] = { "programs" }, *pbad[] = { "x - t=opt:-o:write/\n" };
	struct tables *t;

	(void)state;
	assert_null(tables_load_mem(names, bad, 1, NULL, err, sizeof err));
	assert_non_null(strstr(err, "unknown hook kind"));
	assert_null(tables_load_mem(names, bad2, 1, NULL, err, sizeof err));
	assert_null(tables_load_mem(wn, wbad, 1, NULL, err, sizeof err));
	assert_non_null(strstr(err, "as="));
	assert_null(tables_load_mem(wn, wbad2, 1, NULL, err, sizeof err));
	assert_null(tables_load_mem(pn, pbad, 1, NULL, err, sizeof err));
	assert_non_null(t = tables_load_mem(names, good, 1, NULL, err, sizeof err));
	assert_non_null(tables_hook(t, "MY_TOOL_CMD", 11, false));
	assert_null(tables_hook(t, "LD_LIBRARY_PATH", 15, false));
	tables_free(t);
}

int
main(void)
{
	char err[512];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outopt_long),
		cmocka_unit_test(test_outopt_sub),
		cmocka_unit_test(test_privwrap_rule),
		cmocka_unit_test(test_hook_table),
		cmocka_unit_test(test_table_errors),
	};
	int rc;

	AT = assess_tables_load(NULL, err, sizeof err);
	if (AT == NULL) {
		fprintf(stderr, "tables: %s\n", err);
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	assess_tables_free(AT);
	return rc;
}
