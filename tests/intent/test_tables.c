/* test_tables.c -- the data tables: the built-in set loads, user files add,
 * replace and remove entries, and malformed, huge or hostile files are
 * refused with "FILE:LINE: reason". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "broker/intent/tables.h"

static struct tables *
load1(const char *name, const char *text, char *err, size_t errlen)
{
	return tables_load_mem(&name, &text, 1, "/home/dev", err, errlen);
}

/* Loading must fail with a message that contains want. */
static void
expect_error(const char *name, const char *text, const char *want)
{
	char err[512] = "";
	struct tables *t = load1(name, text, err, sizeof err);

	if (t != NULL || strstr(err, want) == NULL)
		print_error("table %s: want error containing '%s', got '%s'\n", name, want, t ? "(loaded)" : err);
	assert_null(t);
	assert_non_null(strstr(err, want));
}

static void
test_builtin(void **state)
{
	char err[256];
	struct tables *t = tables_load(NULL, "/home/dev", err, sizeof err);
	const struct prog *pg;
	size_t n;

	(void)state;
	assert_non_null(t);
	pg = tables_prog(t, "rm");
	assert_non_null(pg);
	assert_true(pg->classes & PCL(DELETE));
	assert_non_null(tables_prog(t, "mkfs.ext4")); /* a glob entry */
	assert_non_null(tables_prog(t, "python3.12"));
	assert_null(tables_prog(t, "no-such-program-xyz"));
	assert_non_null(tables_wrapper(t, "sudo"));
	assert_non_null(tables_cmdrules(t, "git", &n));
	assert_true(n > 10);
	assert_non_null(tables_rule(t, "unparsed"));
	assert_int_equal(tables_rule(t, "unparsed")->weight, 60);
	assert_non_null(tables_target_rule(t, EFF_DELETE_RECURSIVE, PC_ROOT));
	assert_int_equal(tables_path_class(t, "/home/dev/.ssh/id_rsa", 21, 1), PC_SECRET);
	assert_int_equal(tables_path_class(t, "/home/dev/.ssh", 14, 1), PC_SECRET);
	assert_int_equal(tables_path_class(t, "/home/dev/.ssh/known_hosts", 26, 1), PC_NONE);
	assert_int_equal(tables_path_class(t, "/x/.env", 7, 1), PC_SECRET);
	assert_int_equal(tables_path_class(t, "/x/.env.example", 15, 1), PC_NONE);
	assert_int_equal(tables_path_class(t, "/dev/null", 9, 1), PC_SPECIAL);
	assert_int_equal(tables_path_class(t, "/dev/sda1", 9, 1), PC_DEVICE);
	assert_int_equal(tables_path_class(t, "/w/.git/hooks/pre-commit", 24, 1), PC_PERSISTENCE);
	assert_int_equal(tables_path_class(t, "/w/.claude/settings.json", 24, 1), PC_AGENT_CONFIG);
	/* agent files match without regard to case; instructions are a class of their own */
	assert_int_equal(tables_path_class(t, "/w/.CLAUDE/settings.json", 24, 1), PC_AGENT_CONFIG);
	assert_int_equal(tables_path_class(t, "/w/CLAUDE.md", 12, 1), PC_AGENT_INSTRUCTIONS);
	assert_int_equal(tables_path_class(t, "/w/a/Claude.MD", 14, 1), PC_AGENT_INSTRUCTIONS);
	assert_int_equal(tables_path_class(t, "/w/.github/copilot-instructions.md", 34, 1), PC_AGENT_INSTRUCTIONS);
	assert_int_equal(tables_path_class(t, "/w/.cursor/rules/a.mdc", 22, 1), PC_AGENT_INSTRUCTIONS);
	assert_int_equal(tables_path_class(t, "/w/.cursor/mcp.json", 19, 1), PC_AGENT_CONFIG);
	assert_int_equal(tables_path_class(t, "/W/.ENV", 7, 1), PC_COUNT); /* secrets keep their case */
	assert_int_equal(tables_target_rule(t, EFF_WRITE, PC_AGENT_INSTRUCTIONS)->weight, 60);
	assert_int_equal(tables_path_class(t, "/etc/hosts", 10, 2), PC_SYSTEM);
	assert_int_equal(tables_path_class(t, "/tmp/x", 6, 2), PC_TMP);
	assert_int_equal(tables_host_class(t, "169.254.169.254", 15), HC_METADATA);
	assert_int_equal(tables_host_class(t, "API.GITHUB.COM", 14), HC_KNOWN);
	assert_int_equal(tables_host_class(t, "x.ngrok-free.app", 16), HC_EXFIL);
	assert_int_equal(tables_host_class(t, "10.1.2.3", 8), HC_PRIVATE);
	assert_int_equal(tables_host_class(t, "evil.example.org", 16), HC_EXTERNAL);
	assert_non_null(tables_mcp(t, "delete_file", 11));
	assert_int_equal(tables_mcp(t, "delete_file", 11)->effect, EFF_DELETE);
	tables_free(t);
}

static void
test_globs(void **state)
{
	(void)state;
	assert_true(glob_match("*.c", "a/b.c", 5, false));
	assert_false(glob_match_path("*.c", "a/b.c", 5));
	assert_true(glob_match_path("/a/**", "/a", 2));
	assert_true(glob_match_path("/a/**", "/a/b/c", 6));
	assert_false(glob_match_path("/a/**", "/ab", 3));
	assert_true(glob_match_path("**/.git/hooks/**", "/r/.git/hooks/x", 15));
	assert_true(glob_match("[a-c]x", "bx", 2, false));
	assert_false(glob_match("[!a-c]x", "bx", 2, false));
	assert_true(glob_match("A*", "abc", 3, true));
	assert_false(glob_match("A*", "abc", 3, false));
	assert_false(glob_match("[abc", "a", 1, false)); /* unterminated class */
	assert_true(glob_match("?", "/", 1, false));
	assert_false(glob_match_path("?", "/", 1));
	/* a pathological pattern against a long text ends quickly */
	{
		char s[4096];

		memset(s, 'a', sizeof s);
		assert_false(glob_match("*a*a*a*a*a*a*a*a*a*b", s, sizeof s, false));
	}
}

static void
test_override(void **state)
{
	char err[256];
	const char *names[] = { "programs", "paths", "rules", "commands", "hosts", "wrappers", "code", "mcp" };
	const char *texts[] = {
		"# mine\nmytool delete t=all:delete rec=-r\n-cat\ngit readonly\n",
		"~/.private/** secret\n.env none\n",
		"prog-unknown 40 a program nobody knows\n-shell-stdin\n",
		"my-deploy mytool deploy - publish 70 deploys to production\n",
		"evil.test exfil\n",
		"with-env env\n",
		"code shell  spawn_shell(\n",
		"*nuke* delete 90 nukes things\n",
	};
	struct tables *t = tables_load_mem(names, texts, 8, "/home/dev", err, sizeof err);
	size_t n;

	(void)state;
	if (t == NULL)
		print_error("%s\n", err);
	assert_non_null(t);
	assert_true(tables_prog(t, "mytool")->classes & PCL(DELETE));
	assert_null(tables_prog(t, "cat"));                          /* removed */
	assert_int_equal(tables_prog(t, "git")->classes, PCL(READONLY)); /* replaced */
	assert_int_equal(tables_path_class(t, "/home/dev/.private/k", 20, 1), PC_SECRET);
	assert_int_equal(tables_path_class(t, "/w/.env", 7, 1), PC_NONE); /* user line first */
	assert_int_equal(tables_rule(t, "prog-unknown")->weight, 40);
	assert_null(tables_rule(t, "shell-stdin"));
	assert_non_null(tables_cmdrules(t, "mytool", &n));
	assert_int_equal(n, 1);
	assert_int_equal(tables_host_class(t, "EVIL.test", 9), HC_EXFIL);
	assert_non_null(tables_wrapper(t, "with-env"));
	assert_int_equal(tables_mcp(t, "nuke_db", 7)->r.weight, 90);
	tables_free(t);
}

static void
test_replace(void **state)
{
	char err[256];
	struct tables *t = load1("hosts", "@replace\nonly.test known\n", err, sizeof err);

	(void)state;
	assert_non_null(t);
	assert_int_equal(tables_host_class(t, "only.test", 9), HC_KNOWN);
	assert_int_equal(tables_host_class(t, "pastebin.com", 12), HC_EXTERNAL);
	tables_free(t);
	/* @replace then one rule: every other rule is gone */
	t = load1("rules", "@replace\nunparsed 70 still high\n", err, sizeof err);
	assert_non_null(t);
	assert_int_equal(tables_rule(t, "unparsed")->weight, 70);
	assert_null(tables_rule(t, "shell-stdin"));
	assert_null(tables_target_rule(t, EFF_DELETE, PC_ROOT));
	tables_free(t);
	/* @replace is for user files only: the built-ins never use it */
	expect_error("programs", "foo readonly\n@replacex\n", "programs:2: expected NAME CLASSES");
}

static void
test_malformed(void **state)
{
	(void)state;
	expect_error("programs", "foo nosuchclass\n", "programs:1: unknown program class 'nosuchclass'");
	expect_error("programs", "\n\nfoo\n", "programs:3: expected NAME CLASSES");
	expect_error("programs", "foo readonly t=all:frobnicate\n", "programs:1: unknown effect 'frobnicate'");
	expect_error("programs", "foo readonly t=sideways:read\n", "programs:1: bad target spec");
	expect_error("programs", "foo readonly t=all\n", "bad target spec 'all'");
	expect_error("programs", "foo readonly t=all:read t=nope\n", "bad target spec"); /* a second t= adds to the first */
	expect_error("programs", "foo readonly zork=1\n", "unknown key 'zork'");
	expect_error("programs", "foo readonly zork\n", "unknown flag 'zork'");
	expect_error("programs", "foo readonly h=teleport\n", "unknown handler 'teleport'");
	expect_error("programs", "foo readonly v=\n", "empty option list");
	expect_error("programs", "foo readonly v=-a,,-b\n", "empty item in option list");
	expect_error("programs", "foo readonly lang=cobol\n", "unknown language 'cobol'");
	expect_error("programs", "\"foo readonly\n", "programs:1: unterminated quote");
	expect_error("programs", "\"foo\"bar readonly\n", "text after a closing quote");
	expect_error("wrappers", "w flying\n", "unknown wrapper kind 'flying'");
	expect_error("wrappers", "w plain skip=9\n", "skip= must be 0 to 3");
	expect_error("wrappers", "w plain noargs=dance\n", "noargs= must be 'shell'");
	expect_error("wrappers", "w plain bare\n", "expected KEY=VALUE");
	expect_error("commands", "id git push\n", "commands:1: expected ID PROGRAM SUB MATCH EFFECT WEIGHT TEXT");
	expect_error("commands", "id git push - nosuch 10 t\n", "unknown effect 'nosuch'");
	expect_error("commands", "id git push - - 101 t\n", "weight '101' is not a number from 0 to 100");
	expect_error("commands", "id git push - - -5 t\n", "weight '-5'");
	expect_error("commands", "id git push - - 1x t\n", "weight '1x'");
	expect_error("commands", "id git push flog:-f - 1 t\n", "unknown condition 'flog:-f'");
	expect_error("commands", "id git push val:-v - 1 t\n", "val: needs OPTIONS~GLOBS");
	expect_error("commands", "id git push a&b&c&d&e&f&g&h&i - 1 t\n", "too many conditions");
	expect_error("paths", "/x secrety\n", "paths:1: unknown path class 'secrety'");
	expect_error("paths", "/x root\n", "unknown path class 'root'"); /* computed classes are not settable */
	expect_error("paths", "rel/x secret\n", "must start with '/', '~/' or '**/'");
	expect_error("paths", "/x secret extra\n", "expected GLOB CLASS");
	expect_error("hosts", "x.test nowhere\n", "unknown host class 'nowhere'");
	expect_error("code", "python shell x\n", "unknown scope 'python'");
	expect_error("code", "code magic x\n", "unknown signal 'magic'");
	expect_error("code", "code shell x\n", "pattern must be 2 to 200 bytes");
	expect_error("rules", "r notanumber t\n", "weight 'notanumber'");
	expect_error("rules", "bogus:secret 10 t\n", "unknown effect 'bogus' in rule 'bogus:secret'");
	expect_error("rules", "read:nowhere 10 t\n", "unknown path class 'nowhere' in rule 'read:nowhere'");
	expect_error("mcp", "*x* delete\n", "expected GLOB EFFECT WEIGHT TEXT");
}

static void
test_hostile(void **state)
{
	char err[512];
	struct tables *t;
	char *big;
	size_t n;

	(void)state;
	/* control characters and NUL bytes */
	expect_error("programs", "foo readonly\nbar\x1b[31m readonly\n", "programs:2: control character");
	{
		const char *names[] = { "programs" };
		char text[] = "foo readonly\nb\0r readonly\n";

		/* tables_load_mem takes C strings: NUL ends the text, so check the
		 * file reader instead (below) */
		(void)names;
		(void)text;
	}
	/* a line too long */
	big = malloc(TABLE_MAX_LINE + 64);
	memset(big, 'a', TABLE_MAX_LINE + 10);
	memcpy(big + TABLE_MAX_LINE + 10, " readonly\n", 11);
	expect_error("programs", big, "programs:1: line too long");
	free(big);
	/* a file too large */
	n = TABLE_MAX_FILE + 100;
	big = malloc(n + 1);
	for (size_t k = 0; k < n; k++)
		big[k] = k % 20 == 19 ? '\n' : 'a';
	big[n] = '\0';
	expect_error("hosts", big, "file too large");
	free(big);
	/* too many fields */
	expect_error("programs", "a readonly 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31\n",
	    "too many fields");
	/* too many rows */
	n = (size_t)(2 * TABLE_MAX_ROWS + 10) * 12;
	big = malloc(n + 1);
	n = 0;
	for (int k = 0; k < 2 * TABLE_MAX_ROWS + 10; k++)
		n += (size_t)sprintf(big + n, "h%06d.x l\n", k);
	for (size_t k = 0; k < n; k++)
		if (big[k] == 'l' && big[k + 1] == '\n')
			big[k] = 'L';
	{
		/* rewrite each "L" as "local" lines are valid; use a valid class */
		char *v = malloc(n * 2 + 1);
		size_t o = 0;

		for (size_t k = 0; k < n; k++) {
			if (big[k] == 'L') {
				memcpy(v + o, "local", 5);
				o += 5;
			} else {
				v[o++] = big[k];
			}
		}
		v[o] = '\0';
		t = load1("hosts", v, err, sizeof err);
		assert_null(t);
		assert_non_null(strstr(err, "too many entries"));
		free(v);
	}
	free(big);
	/* a long option list */
	{
		char *l = malloc(TABLE_MAX_LIST * 4 + 64);
		size_t o = (size_t)sprintf(l, "foo readonly v=");

		for (int k = 0; k <= TABLE_MAX_LIST; k++)
			o += (size_t)sprintf(l + o, "-%c,", 'a' + k % 26);
		l[o - 1] = '\n';
		l[o] = '\0';
		expect_error("programs", l, "list too long");
		free(l);
	}
	/* an unknown table name (tables_load_mem only) */
	{
		const char *name = "nosuchtable", *text = "x\n";

		t = tables_load_mem(&name, &text, 1, "/home/dev", err, sizeof err);
		assert_null(t);
		assert_non_null(strstr(err, "unknown table"));
	}
	/* no HOME: "~/" patterns never match, the rest still works */
	{
		const char *name = "paths", *text = "~/.x/** secret\n/opt/y/** secret\n";

		t = tables_load_mem(&name, &text, 1, NULL, err, sizeof err);
		assert_non_null(t);
		assert_int_equal(tables_path_class(t, "/opt/y/z", 8, 1), PC_SECRET);
		tables_free(t);
	}
}

/* User files on disk: CONFIG/tables/NAME. */
static void
test_files(void **state)
{
	char dir[] = "/tmp/sgtables.XXXXXX", path[256], err[512];
	struct tables *t;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/tables", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	/* no files: the built-ins */
	t = tables_load(dir, "/home/dev", err, sizeof err);
	assert_non_null(t);
	tables_free(t);
	/* a good file */
	snprintf(path, sizeof path, "%s/tables/programs", dir);
	f = fopen(path, "w");
	fputs("frob delete t=all:delete\n", f);
	fclose(f);
	t = tables_load(dir, "/home/dev", err, sizeof err);
	assert_non_null(t);
	assert_non_null(tables_prog(t, "frob"));
	tables_free(t);
	/* a bad file: the error names the file and line */
	f = fopen(path, "w");
	fputs("frob delete\nfrob2 nope\n", f);
	fclose(f);
	t = tables_load(dir, "/home/dev", err, sizeof err);
	assert_null(t);
	{
		char want[300];

		snprintf(want, sizeof want, "%s:2: unknown program class 'nope'", path);
		assert_string_equal(err, want);
	}
	/* a NUL byte */
	f = fopen(path, "w");
	fwrite("frob delete\nfr\0b delete\n", 1, 24, f);
	fclose(f);
	t = tables_load(dir, "/home/dev", err, sizeof err);
	assert_null(t);
	assert_non_null(strstr(err, ":2: NUL byte"));
	/* a directory instead of a file */
	unlink(path);
	assert_int_equal(mkdir(path, 0700), 0);
	t = tables_load(dir, "/home/dev", err, sizeof err);
	assert_null(t);
	assert_non_null(strstr(err, "not a regular file"));
	rmdir(path);
	/* unreadable (skipped when running as root, who reads anything) */
	if (geteuid() != 0) {
		f = fopen(path, "w");
		fputs("x readonly\n", f);
		fclose(f);
		chmod(path, 0);
		t = tables_load(dir, "/home/dev", err, sizeof err);
		assert_null(t);
		assert_non_null(strstr(err, "cannot open"));
		unlink(path);
	}
	snprintf(path, sizeof path, "%s/tables", dir);
	rmdir(path);
	rmdir(dir);
}

/* The per-subcommand pre-filter keeps every rule that could match, in
 * table order: rules naming the sub, program-wide rules, glob subs, "*". */
static void
test_cmdrules_for(void **state)
{
	char err[256];
	struct tables *t = load1("commands",
	    "r1 tool - - - 10 program-wide\n"
	    "r2 tool push,pull - - 10 names push\n"
	    "r3 tool p* - - 10 a glob\n"
	    "r4 tool fetch - - 10 names fetch\n"
	    "r5 tool push - - 10 push again\n"
	    "r6 tool * - - 10 fallback\n",
	    err, sizeof err);
	const struct cmdrule *const *v;
	size_t n;

	(void)state;
	if (t == NULL)
		print_error("%s\n", err);
	assert_non_null(t);
	v = tables_cmdrules_for(t, "tool", "push", &n);
	assert_int_equal(n, 5);
	assert_string_equal(v[0]->r.id, "r1");
	assert_string_equal(v[1]->r.id, "r2");
	assert_string_equal(v[2]->r.id, "r3");
	assert_string_equal(v[3]->r.id, "r5");
	assert_string_equal(v[4]->r.id, "r6");
	v = tables_cmdrules_for(t, "tool", "status", &n); /* no rule names it */
	assert_int_equal(n, 3);
	assert_string_equal(v[1]->r.id, "r3");
	v = tables_cmdrules_for(t, "tool", NULL, &n);
	assert_int_equal(n, 3);
	(void)tables_cmdrules(t, "tool", &n);
	assert_int_equal(n, 6);
	assert_null(tables_cmdrules_for(t, "other", "push", &n));
	assert_int_equal(n, 0);
	tables_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_globs),
		cmocka_unit_test(test_override),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_cmdrules_for),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
