/* test_knowledge.c -- low needs positive knowledge (broker/intent/knowledge.c,
 * docs/RISK.md "What sandgate knows") (its labelled rows,
 * tests/eval/cases/unknown.tsv, are scored by eval_cases): the programs-table keys (known, w=, runs=,
 * second:, keys given twice), the floors and the request's sandbox field. */
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
#include <msgpack.h>

#include "broker/intent/assess.h"
#include "broker/intent/risk.h"
#include "broker/intent/workspace.h"

#ifndef SG_SRC
#error SG_SRC must name the source tree
#endif

#include "score_res.h"

/* An exec request with extra fields: sandbox (or NULL), sandbox_source (or
 * NULL) and a tool_input flag (key, or NULL) with a bool or string value. */
static void
request(const char *cmd, const char *sandbox, const char *source, const char *ti_key, int ti_bool,
    const char *ti_str, struct res *out)
{
	msgpack_sbuffer sb, ob;
	msgpack_packer pk, op;
	msgpack_unpacked up;
	struct assess_result r;
	size_t off = 0;
	int n = 4 + (sandbox != NULL) + (source != NULL) + (ti_key != NULL);

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, (size_t)n);
#define KV(k, v)                                            \
	do {                                                    \
		msgpack_pack_str_with_body(&pk, k, strlen(k));      \
		msgpack_pack_str_with_body(&pk, v, strlen(v));      \
	} while (0)
	KV("kind", "exec");
	KV("command", cmd);
	KV("cwd", WS);
	KV("workspace", WS);
	if (sandbox != NULL)
		KV("sandbox", sandbox);
	if (source != NULL)
		KV("sandbox_source", source);
	if (ti_key != NULL) {
		msgpack_pack_str_with_body(&pk, "tool_input", 10);
		msgpack_pack_map(&pk, 1);
		msgpack_pack_str_with_body(&pk, ti_key, strlen(ti_key));
		if (ti_str != NULL)
			msgpack_pack_str_with_body(&pk, ti_str, strlen(ti_str));
		else if (ti_bool)
			msgpack_pack_true(&pk);
		else
			msgpack_pack_false(&pk);
	}
#undef KV
	msgpack_unpacked_init(&up);
	assert_int_equal(msgpack_unpack_next(&up, sb.data, sb.size, &off), MSGPACK_UNPACK_SUCCESS);
	msgpack_sbuffer_init(&ob);
	msgpack_packer_init(&op, &ob, msgpack_sbuffer_write);
	assert_int_equal(assess_request(AT, &up.data, &op, &r), 0);
	parse_out(&ob, &r, out);
	msgpack_sbuffer_destroy(&ob);
	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&sb);
}

/* The floors: lift to medium, never more, and only what would be low. */
static void
test_floors(void **state)
{
	struct res r;

	(void)state;
	score("yq -i .a=1 x.yaml", &r);
	assert_string_equal(r.level, "medium");
	assert_true(has_reason(&r, "prog-partial"));
	/* a request already medium keeps its score: no floor is added */
	score("rm build/a.o && yq . x.yaml", &r);
	assert_false(has_reason(&r, "prog-partial"));
	{
		struct res plain;

		score("rm build/a.o", &plain);
		assert_int_equal(plain.score, r.score);
	}
	/* several kinds of unknown stay medium (at most two floors) */
	score("yq . $CFG; man x; echo SGVsbG8sIHRoaXMgaXMgYW4gb3BhcXVlIGJsb2IgdGhhdCBoaWRlcyBhIHByb2dyYW0gZnJvbQ== | cat",
	    &r);
	assert_string_equal(r.level, "medium");
	/* variables: quoted, braced, defaulted, positional; not $(...) of a known command */
	score("cat \"$FILE\"", &r);
	assert_true(has_reason(&r, "path-runtime"));
	score("cat ${FILE}", &r);
	assert_true(has_reason(&r, "path-runtime"));
	score("ls \"${DIR:-.}\"", &r);
	assert_string_equal(r.level, "medium");
	score("wc -l $(git ls-files)", &r);
	assert_string_equal(r.level, "low");
	score("F=notes.txt; cat $F", &r); /* resolved: known */
	assert_string_equal(r.level, "low");
	/* blobs: base64 of random bytes, long hex; not hashes, paths or words */
	score("echo 'q9Zr1M8vXw2LkPpA7cT4nYbE0uJhGf6sDiR3oKmW5xVzQa8yNe1tBgC2dHj9lOw4Ur7Sk0F3' | base64 -d > x",
	    &r);
	assert_true(has_reason(&r, "opaque-blob") || strcmp(r.level, "low") != 0);
	score("ls src/components/navigation/sidebar/items/NavigationSidebarItemComponent2.test.tsx", &r);
	assert_string_equal(r.level, "low");
	score("docker pull alpine@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", &r);
	assert_false(has_reason(&r, "opaque-blob"));
	score("echo ThisIsAVeryLongCamelCaseIdentifierWithoutAnyDigitsThatGoesOnAndOnAndOnForever", &r);
	assert_string_equal(r.level, "low");
	/* an unknown program run by path from a system directory */
	score("/opt/tools/bin/frobnicate --all", &r);
	assert_string_equal(r.level, "medium");
	score("/usr/bin/ls -la", &r);
	assert_string_equal(r.level, "low");
}

/* Keys of the programs table: known, w=, runs=, second:, keys given twice. */
static void
test_table_keys(void **state)
{
	char dir[] = "/tmp/sgknow.XXXXXX", path[256], err[256];
	assess_tables *at;
	FILE *f;
	struct res r;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/tables", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/tables/programs", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("shipit readonly t=all:read known t=opt:-o:write v=-o w=--fix,-F\n"
	      "halfway readonly t=all:read\n"
	      "dup2 readonly t=first:read,second:write known\n"
	      "mybuild build known runs=go,test\n",
	    f);
	fclose(f);
	at = assess_tables_load(dir, err, sizeof err);
	assert_non_null(at);
	{
		struct ws_list wl = { .n = 0 };

		assert_int_equal(ws_list_add(&wl, WS, "/home/dev", err, sizeof err), 0);
		assert_int_equal(assess_set_workspaces(at, &wl), 0);
		ws_list_free(&wl);
	}
	score_with(at, "shipit src/a", &r);
	assert_string_equal(r.level, "low");
	score_with(at, "shipit -o /etc/cron.d/x src/a", &r); /* the t= given second counts */
	assert_true(r.score >= RISK_HIGH);
	score_with(at, "shipit --fix ~/.bashrc", &r); /* w=: reads become overwrites */
	assert_true(has_reason(&r, "overwrite:persistence"));
	score_with(at, "shipit -F ~/.bashrc", &r);
	assert_true(has_reason(&r, "overwrite:persistence"));
	score_with(at, "shipit ~/.bashrc", &r);
	assert_false(has_reason(&r, "overwrite:persistence"));
	score_with(at, "halfway src/a", &r); /* no known flag */
	assert_string_equal(r.level, "medium");
	assert_true(has_reason(&r, "prog-partial"));
	score_with(at, "dup2 a /etc/passwd", &r); /* second: the second argument */
	assert_true(r.score >= RISK_HIGH);
	score_with(at, "dup2 /etc/passwd", &r);
	assert_string_equal(r.level, "low");
	assess_tables_free(at);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

/* Where it runs: the request's sandbox field and the agents' escape flags. */
static void
test_sandbox(void **state)
{
	struct res r;
	static const char *const ws_code[] = { "./build.sh", "bash scripts/x.sh", "make", "make -j4 test",
		"npm run build", "python3 tools/x.py", "cargo test", "go test ./...", "pytest -x", "just lint" };

	(void)state;
	for (size_t k = 0; k < sizeof ws_code / sizeof ws_code[0]; k++) {
		request(ws_code[k], NULL, NULL, NULL, 0, NULL, &r);
		assert_string_equal(r.level, "low");
		assert_string_equal(r.sandbox, "unknown");
		request(ws_code[k], "sandboxed", "test", NULL, 0, NULL, &r);
		assert_string_equal(r.level, "low");
		assert_string_equal(r.sandbox, "sandboxed");
		request(ws_code[k], "unsandboxed", NULL, NULL, 0, NULL, &r);
		if (strcmp(r.level, "medium") != 0 || !has_reason(&r, "ws-code-unsandboxed"))
			fail_msg("%s unsandboxed: %s%s", ws_code[k], r.level, r.reasons);
	}
	/* not the workspace's code: no sandbox reason */
	request("ls -la", "unsandboxed", NULL, NULL, 0, NULL, &r);
	assert_string_equal(r.level, "low");
	request("npm ls", "unsandboxed", NULL, NULL, 0, NULL, &r);
	assert_string_equal(r.level, "low");
	request("/tmp/x.sh", "sandboxed", NULL, NULL, 0, NULL, &r); /* outside the workspace anyway */
	assert_string_equal(r.level, "medium");
	/* asking to leave the sandbox */
	request("ls", NULL, NULL, "dangerouslyDisableSandbox", 1, NULL, &r);
	assert_true(has_reason(&r, "sandbox-escape"));
	assert_string_equal(r.sandbox, "unsandboxed");
	request("ls", "sandboxed", NULL, "dangerouslyDisableSandbox", 0, "true", &r);
	assert_string_equal(r.sandbox, "unsandboxed"); /* the escape flag wins */
	request("ls", NULL, NULL, "dangerouslyDisableSandbox", 0, NULL, &r);
	assert_string_equal(r.level, "low");
	request("ls", NULL, NULL, "sandbox_permissions", 0, "require_escalated", &r);
	assert_true(has_reason(&r, "sandbox-escape"));
	request("ls", NULL, NULL, "sandbox_permissions", 0, "use_default", &r);
	assert_string_equal(r.level, "low");
	request("ls", NULL, NULL, "with_escalated_permissions", 1, NULL, &r);
	assert_true(has_reason(&r, "sandbox-escape"));
	/* the adapter's copy of the flag, when tool_input was cut */
	request("ls", "unsandboxed", "tool_input.dangerouslyDisableSandbox", NULL, 0, NULL, &r);
	assert_true(has_reason(&r, "sandbox-escape"));
	/* a value sandgate does not know: fail closed */
	request("ls", "Sandboxed", NULL, NULL, 0, NULL, &r);
	assert_true(r.score >= RISK_HIGH);
	request("ls", "", NULL, NULL, 0, NULL, &r);
	assert_true(r.score >= RISK_HIGH);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_floors),
		cmocka_unit_test(test_table_keys),
		cmocka_unit_test(test_sandbox),
	};
	char err[256];
	int rc;
	struct ws_list wl = { .n = 0 };

	AT = assess_tables_load(NULL, err, sizeof err);
	if (AT == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	/* the project dir is made up: a workspace by configuration */
	if (ws_list_add(&wl, WS, "/home/dev", err, sizeof err) < 0 || assess_set_workspaces(AT, &wl) < 0) {
		fprintf(stderr, "workspaces: %s\n", err);
		return 1;
	}
	ws_list_free(&wl);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	assess_tables_free(AT);
	return rc;
}
