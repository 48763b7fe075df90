/* test_wrap.c -- issue #13 items 5-7: indirection (variables, wrappers,
 * hooks), privilege wrappers, writes through output options.  The helpers
 * one by one, then the labelled cases of tests/eval/cases/{indirection,
 * privilege,output_options}.tsv scored with the real tables: a row may be
 * off only as far as its note allows ("ok=LEVEL,...", as tests/eval/cases.sh reads it). */
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

#ifndef SG_SOURCE_DIR
#error SG_SOURCE_DIR
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

/* --- the labelled cases ------------------------------------------------------------------ */

static const char *const LEVELS[] = { "low", "medium", "high", "critical" };

static int
level_index(const char *s, size_t n)
{
	for (int k = 0; k < 4; k++)
		if (strlen(LEVELS[k]) == n && memcmp(LEVELS[k], s, n) == 0)
			return k;
	return -1;
}

/* Is got acceptable for want (and "ok=a,b" in the note)? */
static bool
level_ok(const char *want, const char *note, const char *got)
{
	const char *al;

	if (strcmp(want, got) == 0)
		return true;
	if ((al = strstr(note, "ok=")) != NULL) {
		const char *p = al + 3;

		while (*p != '\0' && *p != ' ') {
			size_t n = strcspn(p, ", ");

			if (n == strlen(got) && memcmp(p, got, n) == 0)
				return true;
			p += n;
			if (*p == ',')
				p++;
		}
	}
	return false;
}

static char *
unescape(const char *s)
{
	char *o = malloc(strlen(s) + 1), *q = o;

	for (; *s; s++) {
		if (s[0] == '\\' && (s[1] == 'n' || s[1] == 't' || s[1] == '\\')) {
			*q++ = s[1] == 'n' ? '\n' : s[1] == 't' ? '\t' : '\\';
			s++;
		} else {
			*q++ = *s;
		}
	}
	*q = '\0';
	return o;
}

static void
run_cases(const char *name)
{
	char path[512], line[4096];
	FILE *f;
	int rows = 0, fails = 0, lows = 0;

	snprintf(path, sizeof path, "%s/tests/eval/cases/%s", SG_SOURCE_DIR, name);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		char *t1, *t2, *cmd, *note;
		struct assess_result r;
		msgpack_sbuffer sb;
		msgpack_packer pk;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		t1 = strchr(line, '\t');
		assert_non_null(t1);
		*t1 = '\0';
		t2 = strchr(t1 + 1, '\t');
		note = t2 != NULL ? t2 + 1 : "";
		if (t2 != NULL)
			*t2 = '\0';
		assert_true(level_index(t1 + 1, strlen(t1 + 1)) >= 0);
		cmd = unescape(line);
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		assert_int_equal(assess_command(AT, cmd, strlen(cmd), "/home/dev/project", "/home/dev/project", &pk, &r), 0);
		rows++;
		lows += strcmp(t1 + 1, "low") == 0;
		if (!level_ok(t1 + 1, note, r.level)) {
			print_error("%s: want %-8s got %-8s %3d  %s\n", name, t1 + 1, r.level, r.score, cmd);
			fails++;
		}
		msgpack_sbuffer_destroy(&sb);
		free(cmd);
	}
	fclose(f);
	if (fails > 0)
		print_error("%s: %d of %d rows scored differently\n", name, fails, rows);
	assert_true(rows >= 30);
	assert_true(lows >= 5); /* benign near misses are part of every family */
	assert_int_equal(fails, 0);
}

static void
test_cases_indirection(void **state)
{
	(void)state;
	run_cases("indirection.tsv");
}

static void
test_cases_privilege(void **state)
{
	(void)state;
	run_cases("privilege.tsv");
}

static void
test_cases_output_options(void **state)
{
	(void)state;
	run_cases("output_options.tsv");
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
		cmocka_unit_test(test_cases_indirection),
		cmocka_unit_test(test_cases_privilege),
		cmocka_unit_test(test_cases_output_options),
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
