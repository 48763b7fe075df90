/* test_import.c -- Claude Code settings and Codex .rules files to sandgate
 * patterns (with the entries that cannot be translated reported), and back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker/rules/pattern.h"
#include "cli/rules_import.h"

/* A settings file in the shape Claude Code writes (project settings). */
static const char claude_settings[] =
    "{\n"
    "  \"$schema\": \"https://json.schemastore.org/claude-code-settings.json\",\n"
    "  \"permissions\": {\n"
    "    \"allow\": [\n"
    "      \"Bash(npm run test:*)\",\n"
    "      \"Bash(npm run build)\",\n"
    "      \"Bash(git diff *)\",\n"
    "      \"Bash(ls*)\",\n"
    "      \"Read(./src/**)\",\n"
    "      \"Read(~/.zshrc)\",\n"
    "      \"Edit(/docs/**)\",\n"
    "      \"Read(//etc/hosts)\",\n"
    "      \"Read(*.md)\",\n"
    "      \"WebFetch(domain:example.com)\",\n"
    "      \"WebFetch(domain:*.npmjs.org)\",\n"
    "      \"mcp__github__create_issue\",\n"
    "      \"mcp__puppeteer\",\n"
    "      \"WebSearch\",\n"
    "      \"Bash(cd src && make)\",\n"
    "      \"Bash(run_in_background:true)\",\n"
    "      \"Agent(Explore)\",\n"
    "      \"Grep\",\n"
    "      \"Frobnicate(x)\",\n"
    "      42\n"
    "    ],\n"
    "    \"deny\": [\n"
    "      \"Bash(curl:*)\",\n"
    "      \"Read(./.env)\",\n"
    "      \"Bash(dangerouslyDisableSandbox:true)\",\n"
    "      \"Bash(git*--force)\",\n"
    "      \"mcp__*\"\n"
    "    ],\n"
    "    \"ask\": [\"Bash(git push:*)\"],\n"
    "    \"defaultMode\": \"acceptEdits\",\n"
    "    \"additionalDirectories\": [\"../docs/\"]\n"
    "  },\n"
    "  \"hooks\": {}\n"
    "}\n";

static char dir[PATH_MAX];

static int
setup(void **state)
{
	char path[PATH_MAX + 64];
	FILE *f;

	(void)state;
	snprintf(dir, sizeof dir, "%s/sgimport.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/.claude", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/.claude/settings.json", dir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(claude_settings, f);
	fclose(f);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[PATH_MAX + 32];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const struct ri_rule *
find_rule(const struct ri_result *r, const char *effect, const char *pat)
{
	for (size_t i = 0; i < r->nrules; i++)
		if (strcmp(r->rules[i].effect, effect) == 0 && strcmp(r->rules[i].pattern, pat) == 0)
			return &r->rules[i];
	return NULL;
}

static const struct ri_skip *
find_skip(const struct ri_result *r, const char *entry)
{
	for (size_t i = 0; i < r->nskips; i++)
		if (strcmp(r->skips[i].entry, entry) == 0)
			return &r->skips[i];
	return NULL;
}

static void
test_claude_settings(void **state)
{
	struct ri_result r = { 0 };
	char path[PATH_MAX + 64], real[PATH_MAX], want[PATH_MAX + 64], err[256];
	static const char *const allowed[] = {
		"exec npm run test *", "exec npm run build", "exec git diff *", "exec ls* *",
		"read ./src/**", "read ~/.zshrc", "read /etc/hosts", "read ./**/*.md",
		"net example.com", "net *.npmjs.org", "mcp github.create_issue", "mcp puppeteer.*",
		"net web-search",
	};
	static const char *const denied[] = { "exec curl *", "read ./.env", "mcp *.*" };
	static const char *const skipped[] = {
		"Bash(cd src && make)", "Bash(run_in_background:true)", "Agent(Explore)", "Grep",
		"Frobnicate(x)", "(not a string)", "Bash(dangerouslyDisableSandbox:true)",
		"Bash(git*--force)", "Bash(git push:*)", "defaultMode", "additionalDirectories",
	};

	(void)state;
	snprintf(path, sizeof path, "%s/.claude/settings.json", dir);
	assert_int_equal(ri_parse(RI_AUTO, path, "/nonexistent-home", claude_settings,
	    strlen(claude_settings), &r, err, sizeof err), 0);
	for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
		if (find_rule(&r, "allow", allowed[i]) == NULL)
			fail_msg("missing allow '%s'", allowed[i]);
	for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++)
		if (find_rule(&r, "deny", denied[i]) == NULL)
			fail_msg("missing deny '%s'", denied[i]);
	/* "/docs/..." is relative to the project the settings file belongs to */
	assert_non_null(realpath(dir, real));
	snprintf(want, sizeof want, "write %s/docs/**", real);
	assert_non_null(find_rule(&r, "allow", want));
	for (size_t i = 0; i < sizeof skipped / sizeof skipped[0]; i++) {
		const struct ri_skip *s = find_skip(&r, skipped[i]);

		if (s == NULL)
			fail_msg("'%s' should be reported as not translated", skipped[i]);
		assert_true(strlen(s->why) > 5);
	}
	assert_int_equal(r.nrules, 17);
	/* project settings import with the project as workspace scope */
	assert_string_equal(r.rules[0].scope, "workspace");
	assert_string_equal(r.rules[0].scope_value, real);
	assert_non_null(strstr(r.rules[0].note, "Bash(npm run test:*)"));
	ri_result_free(&r);
}

static void
test_claude_entries(void **state)
{
	static const char *const ok[][2] = {
		{ "Bash", "exec *" }, { "Bash(*)", "exec *" }, { "Bash(* install)", "exec * install" },
		{ "Bash(git * main)", "exec git * main" },
		{ "Bash(git push origin feature/*)", "exec git push origin feature/* *" },
		{ "Bash(echo \"a b\")", "exec echo 'a b'" },
		{ "Read", "read /**" }, { "Edit(src/)", "write ./**/src/**" }, { "Edit(a/b/)", "write ./a/b/**" }, { "Write(./out.txt)", "write ./out.txt" },
		{ "WebFetch", "net *" }, { "mcp__srv__*", "mcp srv.*" },
		{ "Read(my file.txt)", "read ./**/my\\ file.txt" },
	};
	static const char *const bad[] = {
		"", "Bash(", "Bash(a:*b)", "Bash(a | b)", "Bash(x > y)", "Bash(`id`)", "Bash($(id))",
		"WebFetch(https://x)", "Read(/abs)", "(x)", "mcp__", "mcp____x",
	};
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		char *p = ri_claude_entry(ok[i][0], NULL, false, why, sizeof why);

		if (p == NULL)
			fail_msg("'%s' did not translate: %s", ok[i][0], why);
		/* compare canonical forms */
		{
			char err[128];
			pattern *got = pattern_parse(p, strlen(p), err, sizeof err);

			if (got == NULL || strcmp(pattern_text(got), ok[i][1]) != 0)
				fail_msg("'%s' -> '%s', want '%s'", ok[i][0], p, ok[i][1]);
			pattern_free(got);
		}
		free(p);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *p = ri_claude_entry(bad[i], NULL, false, why, sizeof why);

		if (p != NULL)
			fail_msg("'%s' should not translate (got '%s')", bad[i], p);
	}
	/* an allow may be narrowed, a deny may not */
	{
		char *p = ri_claude_entry("Bash(git push origin feature/*x)", NULL, false, why, sizeof why);

		assert_non_null(p);
		free(p);
		assert_null(ri_claude_entry("Bash(git push origin feature/*x)", NULL, true, why, sizeof why));
	}
}

static const char codex_rules[] =
    "# ~/.codex/rules/default.rules\n"
    "prefix_rule(\n"
    "    pattern = [\"gh\", \"pr\", \"view\"],\n"
    "    decision = \"allow\",\n"
    "    justification = \"Viewing PRs is fine\",\n"
    "    match = [\"gh pr view 7888\"],\n"
    "    not_match = [\"gh pr --repo openai/codex view 7888\"],\n"
    ")\n"
    "prefix_rule(pattern = [\"git\", [\"status\", \"log\"]])\n"
    "prefix_rule(pattern = [\"rm\", \"-rf\"], decision = \"forbidden\")\n"
    "prefix_rule(pattern = [\"git\", \"push\"], decision = \"prompt\")\n"
    "host_executable(name = \"git\", paths = [\"/usr/bin/git\"])\n"
    "prefix_rule(pattern = [], decision = \"allow\")\n"
    "prefix_rule(pattern = [\"echo\", \"*\"], decision = 'allow')\n"
    "prefix_rule(pattern = [\"x\"], decision = \"maybe\")\n"
    "prefix_rule(pattern = [\"unterminated\n";

static void
test_codex(void **state)
{
	struct ri_result r = { 0 };
	char err[256];
	const struct ri_rule *x;

	(void)state;
	assert_int_equal(ri_parse(RI_AUTO, "default.rules", NULL, codex_rules, strlen(codex_rules), &r,
	    err, sizeof err), 0);
	x = find_rule(&r, "allow", "exec gh pr view *");
	assert_non_null(x);
	assert_non_null(strstr(x->note, "Viewing PRs is fine"));
	assert_non_null(find_rule(&r, "allow", "exec git status *"));
	assert_non_null(find_rule(&r, "allow", "exec git log *"));
	assert_non_null(find_rule(&r, "deny", "exec rm -rf *"));
	/* Codex tokens are literal: a "*" token stays a literal star */
	assert_non_null(find_rule(&r, "allow", "exec echo '*' *"));
	assert_int_equal(r.nrules, 5);
	/* prompt, host_executable, empty pattern, unknown decision, syntax error */
	assert_int_equal(r.nskips, 5);
	assert_non_null(strstr(r.skips[r.nskips - 1].why, "syntax error"));
	ri_result_free(&r);
}

static void
test_hostile(void **state)
{
	static const char *const docs[] = {
		"", "{", "[]", "{\"permissions\": 7}", "{\"permissions\": {\"allow\": \"Bash\"}}",
		"prefix_rule(((((", "prefix_rule(pattern = [[[[[[[[[[[[\"x\"]]]]]]]]]]]])",
		"prefix_rule(pattern=[\"a\"],", "\xff\xfe", "prefix_rule(pattern = [\"a\", [\"b\", 3]])",
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		for (int fmt = RI_NATIVE; fmt <= RI_CODEX; fmt++) {
			struct ri_result r = { 0 };

			ri_parse((enum ri_format)fmt, "x", NULL, docs[i], strlen(docs[i]), &r, err, sizeof err);
			ri_result_free(&r);
		}
	}
	/* a NUL inside, and a file over the limit */
	{
		struct ri_result r = { 0 };
		char *big = calloc(1, RI_MAX_INPUT + 2);

		assert_int_equal(ri_parse(RI_CLAUDE, "x", NULL, "{\0}", 3, &r, err, sizeof err), -1);
		memset(big, ' ', RI_MAX_INPUT + 1);
		assert_int_equal(ri_parse(RI_CLAUDE, "x", NULL, big, RI_MAX_INPUT + 1, &r, err, sizeof err), -1);
		free(big);
		ri_result_free(&r);
	}
	/* an expansion that would explode is refused whole */
	{
		struct ri_result r = { 0 };
		const char *boom = "prefix_rule(pattern = [[\"a\",\"b\",\"c\",\"d\"],[\"a\",\"b\",\"c\",\"d\"],"
		    "[\"a\",\"b\",\"c\",\"d\"],[\"a\",\"b\",\"c\",\"d\"],[\"a\",\"b\"]])";

		ri_parse(RI_CODEX, "x", NULL, boom, strlen(boom), &r, err, sizeof err);
		assert_int_equal(r.nrules, 0);
		assert_int_equal(r.nskips, 1);
		ri_result_free(&r);
	}
}

static void
test_export(void **state)
{
	static const char *const claude_ok[][3] = {
		{ "exec npm run test *", "a", "Bash(npm run test *)" },
		{ "exec npm run build", "a", "Bash(npm run build)" },
		{ "read ./src/**", "a", "Read(./src/**)" },
		{ "read ~/.aws/**", "d", "Read(~/.aws/**)" },
		{ "write /etc/**", "d", "Edit(//etc/**)" },
		{ "net *.npmjs.org", "a", "WebFetch(domain:*.npmjs.org)" },
		{ "net *.npmjs.org:443", "d", "WebFetch(domain:*.npmjs.org)" },
		{ "mcp github.create_issue", "a", "mcp__github__create_issue" },
		{ "mcp github.*", "a", "mcp__github__*" },
		{ "other WebSearch *", "a", "WebSearch" },
		{ "other Frob", "d", "Frob" },
		{ "exec git push origin feature/*", "d", "Bash(git push origin feature/*)" },
	};
	static const char *const claude_refused[][2] = {
		{ "exec git push origin feature/*", "a" }, /* the * would span words */
		{ "exec cat ./src/*", "a" },
		{ "net *.npmjs.org:443", "a" },
		{ "delete /tmp/**", "a" },
		{ "edit ./x", "a" },
		{ "other WebSearch", "a" }, /* the empty input only; Claude's rule is any input */
		{ "other Frob {\\\"a\\\":*}", "a" },
	};
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof claude_ok / sizeof claude_ok[0]; i++) {
		char *s = ri_to_claude(claude_ok[i][0], claude_ok[i][1][0] == 'd', why, sizeof why);

		if (s == NULL || strcmp(s, claude_ok[i][2]) != 0)
			fail_msg("%s -> %s, want %s (%s)", claude_ok[i][0], s ? s : "NULL", claude_ok[i][2], why);
		free(s);
	}
	for (size_t i = 0; i < sizeof claude_refused / sizeof claude_refused[0]; i++) {
		char *s = ri_to_claude(claude_refused[i][0], claude_refused[i][1][0] == 'd', why, sizeof why);

		if (s != NULL)
			fail_msg("%s should not export to Claude (got %s)", claude_refused[i][0], s);
	}
	{
		char *s = ri_to_codex("exec gh pr view *", false, "why \"not\"", why, sizeof why);

		assert_string_equal(s, "prefix_rule(pattern = [\"gh\", \"pr\", \"view\"], decision = \"allow\", "
		    "justification = \"why \\\"not\\\"\")");
		free(s);
		assert_null(ri_to_codex("exec gh pr view", false, NULL, why, sizeof why));
		s = ri_to_codex("exec rm -rf", true, NULL, why, sizeof why);
		assert_string_equal(s, "prefix_rule(pattern = [\"rm\", \"-rf\"], decision = \"forbidden\")");
		free(s);
		assert_null(ri_to_codex("exec git push origin feature/*", false, NULL, why, sizeof why));
		assert_null(ri_to_codex("read ./x", false, NULL, why, sizeof why));
	}
	/* round trip: export to Codex, import again, same pattern */
	{
		char *line = ri_to_codex("exec gh pr view *", false, NULL, why, sizeof why), err[128];
		struct ri_result r = { 0 };

		ri_parse(RI_CODEX, "x.rules", NULL, line, strlen(line), &r, err, sizeof err);
		assert_int_equal(r.nrules, 1);
		assert_string_equal(r.rules[0].pattern, "exec gh pr view *");
		ri_result_free(&r);
		free(line);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claude_settings),
		cmocka_unit_test(test_claude_entries),
		cmocka_unit_test(test_codex),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_export),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
