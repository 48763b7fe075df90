/* test_localwork.c -- issue #17: MCP tools by verb and server, HTTP to
 * loopback services, and files a session created (assess_request_prov). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <msgpack.h>

#include "broker/intent/assess.h"
#include "score_res.h"

/* Score one request given as JSON-ish key/value pairs of strings (a flat
 * map; "arguments" is packed as a map of one key when args_key is set). */
static void
score_req(const char *const *kv, size_t n, const char *args_key, const char *args_val,
    const struct assess_prov *prov, struct res *out)
{
	msgpack_sbuffer rb, sb;
	msgpack_packer rp, pk;
	msgpack_unpacked up;
	struct assess_result r;
	size_t off = 0;

	msgpack_sbuffer_init(&rb);
	msgpack_packer_init(&rp, &rb, msgpack_sbuffer_write);
	msgpack_pack_map(&rp, n / 2 + (args_key != NULL));
	for (size_t k = 0; k + 1 < n; k += 2) {
		msgpack_pack_str_with_body(&rp, kv[k], strlen(kv[k]));
		msgpack_pack_str_with_body(&rp, kv[k + 1], strlen(kv[k + 1]));
	}
	if (args_key != NULL) {
		msgpack_pack_str_with_body(&rp, "arguments", 9);
		msgpack_pack_map(&rp, 1);
		msgpack_pack_str_with_body(&rp, args_key, strlen(args_key));
		msgpack_pack_str_with_body(&rp, args_val, strlen(args_val));
	}
	msgpack_unpacked_init(&up);
	assert_int_equal(msgpack_unpack_next(&up, rb.data, rb.size, &off), MSGPACK_UNPACK_SUCCESS);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	assert_int_equal(assess_request_prov(AT, &up.data, prov, &pk, &r), 0);
	parse_out(&sb, &r, out);
	msgpack_sbuffer_destroy(&sb);
	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&rb);
}

static void
mcp(const char *server, const char *tool, const char *akey, const char *aval, struct res *out)
{
	const char *kv[] = { "kind", "mcp", "server", server, "tool", tool, "cwd", WS, "workspace", WS };

	score_req(kv, 10, akey, aval, NULL, out);
}

static bool
is_low(const struct res *r)
{
	return strcmp(r->level, "low") == 0;
}

static void
test_mcp_reading_tools_low(void **state)
{
	static const char *const tools[][2] = {
		{ "github", "list_issues" }, { "github", "get_issue_comments" }, { "github", "list_workflow_runs" },
		{ "github", "github_get_file_contents" }, { "github", "search_code" }, { "fs", "readFile" },
		{ "fs", "list-directory" }, { "docs", "describe_table" }, { "playwright", "browser_snapshot" },
		{ "context7", "resolve-library-id" }, { "linear", "getIssues" }, { "sentry", "find_errors" },
		{ "mcp", "mcp_view_status" },
	};
	struct res r;

	(void)state;
	for (size_t k = 0; k < sizeof tools / sizeof tools[0]; k++) {
		mcp(tools[k][0], tools[k][1], NULL, NULL, &r);
		if (!is_low(&r))
			fail_msg("%s.%s: %s %d (%s), want low", tools[k][0], tools[k][1], r.level, r.score, r.reasons);
	}
}

static void
test_mcp_writing_and_unknown_not_low(void **state)
{
	static const char *const tools[] = { "create_issue", "update_pull_request", "add_comment", "delete_repo",
		"deletefile", "get_or_create_user", "list_and_delete", "run_tests", "browser_click", "browser_type",
		"fetch", "query", "frobnicate", "getfile", "x", "send_message", "merge_pull_request", "execute_sql",
		"push_files", "get_secret", "read_credentials", "listDeletedAndPurge", "browser_evaluate", "wipe_db",
		"kill_process", "set_config", "apply_migration", "UpdateDocument", "DELETE_ITEM", "deleting_things" };
	struct res r;

	(void)state;
	for (size_t k = 0; k < sizeof tools / sizeof tools[0]; k++) {
		mcp("srv", tools[k], NULL, NULL, &r);
		if (is_low(&r))
			fail_msg("%s: low (%s), want medium or above", tools[k], r.reasons);
	}
	mcp("github", "delete_repository", NULL, NULL, &r);
	assert_true(r.score >= 50);
	mcp("db", "drop_table", NULL, NULL, &r);
	assert_true(r.score >= 50);
	mcp("srv", "frobnicate", NULL, NULL, &r);
	assert_true(has_reason(&r, "mcp-unknown"));
}

static void
test_mcp_reading_tool_arguments_still_count(void **state)
{
	struct res r;

	(void)state;
	mcp("fs", "read_file", "path", "/home/dev/.aws/credentials", &r);
	assert_false(is_low(&r));
	assert_true(has_reason(&r, "view:secret"));
	mcp("fs", "read_file", "path", "/home/dev/proj/.env", &r);
	assert_false(is_low(&r));
	mcp("web", "get_page", "url", "http://169.254.169.254/latest/meta-data/", &r);
	assert_true(r.score >= 50);
	mcp("fs", "read_file", "path", "/home/dev/proj/src/main.c", &r);
	assert_true(is_low(&r));
}

static void
test_loopback(void **state)
{
	static const char *const low[] = { "curl -s http://localhost:8081/api/items", "curl http://127.0.0.1:3000/",
		"curl -s 'http://[::1]:8080/health'", "wget -qO- http://localhost:8080/health",
		"curl -s http://0.0.0.0:8000/", "curl -sI http://127.0.0.2:5000/" };
	static const char *const medium[] = { "curl -X POST -d '{}' http://localhost:8081/api",
		"curl -s -X POST http://localhost:8081/api -d @data.json", "curl -x http://evil.example:8080 http://localhost/",
		"HTTPS_PROXY=http://evil.example curl http://localhost/", "curl --connect-to localhost:80:evil.example:80 http://localhost/",
		"curl http://localhost.evil.example/", "curl http://127.0.0.1.nip.io/" };
	static const char *const high[] = { "curl --unix-socket /var/run/docker.sock http://localhost/containers/json",
		"curl http://localhost:2375/containers/json", "curl localhost:2375/containers/json",
		"curl -k https://127.0.0.1:10250/pods", "curl http://127.0.0.1:2379/v2/keys", "curl http://localhost:9222/json",
		"curl http://127.0.0.1:8200/v1/secret/data/x", "curl http://169.254.169.254/latest/meta-data/",
		"curl -X POST http://localhost:2375/containers/create -d '{}'" };
	static const char *const critical[] = { "curl -d @.env http://localhost:8080/",
		"curl -H \"Authorization: Bearer $GITHUB_TOKEN\" http://localhost:8080/", "curl http://localhost:8080/x.sh | sh" };
	struct res r;

	(void)state;
	for (size_t k = 0; k < sizeof low / sizeof low[0]; k++) {
		score(low[k], &r);
		if (!is_low(&r))
			fail_msg("%s: %s (%s), want low", low[k], r.level, r.reasons);
	}
	for (size_t k = 0; k < sizeof medium / sizeof medium[0]; k++) {
		score(medium[k], &r);
		if (strcmp(r.level, "medium") != 0 && strcmp(r.level, "high") != 0)
			fail_msg("%s: %s (%s), want medium or high", medium[k], r.level, r.reasons);
	}
	for (size_t k = 0; k < sizeof high / sizeof high[0]; k++) {
		score(high[k], &r);
		if (r.score < 50)
			fail_msg("%s: %s %d (%s), want high", high[k], r.level, r.score, r.reasons);
	}
	for (size_t k = 0; k < sizeof critical / sizeof critical[0]; k++) {
		score(critical[k], &r);
		if (strcmp(r.level, "critical") != 0)
			fail_msg("%s: %s (%s), want critical", critical[k], r.level, r.reasons);
	}
	/* a net request (an agent's fetch tool) the same way */
	{
		const char *get[] = { "kind", "net", "url", "http://localhost:8081/api", "cwd", WS, "workspace", WS };
		const char *post[] = { "kind", "net", "url", "http://localhost:8081/api", "method", "POST", "cwd", WS,
			"workspace", WS };
		const char *dock[] = { "kind", "net", "url", "http://127.0.0.1:2376/info", "cwd", WS, "workspace", WS };

		score_req(get, 8, NULL, NULL, NULL, &r);
		assert_true(is_low(&r));
		score_req(post, 10, NULL, NULL, NULL, &r);
		assert_string_equal(r.level, "medium");
		score_req(dock, 8, NULL, NULL, NULL, &r);
		assert_true(r.score >= 50);
	}
}

/* --- files a session created: the lookup is the broker's (provenance.c);
 * here a table of paths stands for it */

static const char *const *created_paths;

static int64_t
created(void *ctx, const char *path, size_t len)
{
	(void)ctx;
	for (size_t k = 0; created_paths[k] != NULL; k++)
		if (strlen(created_paths[k]) == len && memcmp(created_paths[k], path, len) == 0)
			return (int64_t)(k + 7);
	return 0;
}

static void
exec_prov(const char *cmd, struct res *out)
{
	const char *kv[] = { "kind", "exec", "command", cmd, "cwd", WS, "workspace", WS };
	struct assess_prov p = { .created = created };

	score_req(kv, 8, NULL, NULL, &p, out);
}

static void
test_own_files(void **state)
{
	static const char *const paths[] = { "/home/dev/proj/reproduce_issue.py", "/home/dev/proj/test_x.py",
		"/home/dev/proj/.env", "/home/dev/proj/.git/objects/ab/cd", "/home/dev/proj/CLAUDE.md",
		"/home/dev/notes.txt", "/home/dev/proj/.git/hooks/pre-commit", "/home/dev/proj/.claude/settings.json",
		NULL };
	struct res r;

	(void)state;
	created_paths = paths;
	exec_prov("rm reproduce_issue.py test_x.py", &r);
	assert_true(is_low(&r));
	assert_true(has_reason(&r, "own-file"));
	exec_prov("rm -f /home/dev/proj/test_x.py", &r);
	assert_true(is_low(&r));
	exec_prov("mv test_x.py test_y.py", &r);
	assert_true(is_low(&r));
	exec_prov("echo x > reproduce_issue.py", &r);
	assert_true(is_low(&r));
	/* not created by the session: no discount */
	exec_prov("rm other.py", &r);
	assert_string_equal(r.level, "medium");
	exec_prov("rm reproduce_issue.py other.py", &r);
	assert_string_equal(r.level, "medium");
	/* sensitive, outside, .git: each keeps its own score */
	exec_prov("rm .env", &r);
	assert_true(r.score >= 50);
	exec_prov("rm .git/objects/ab/cd", &r);
	assert_false(is_low(&r));
	exec_prov("rm .git/hooks/pre-commit", &r);
	assert_true(r.score >= 50);
	exec_prov("rm CLAUDE.md", &r);
	assert_false(is_low(&r));
	exec_prov("rm .claude/settings.json", &r);
	assert_true(r.score >= 50);
	exec_prov("rm /home/dev/notes.txt", &r);
	assert_true(r.score >= 50);
	/* named through a glob or a variable */
	exec_prov("rm reproduce_*.py", &r);
	assert_false(is_low(&r));
	exec_prov("f=test_x.py; rm \"$f\"", &r);
	assert_false(is_low(&r));
	/* the whole workspace stays what it was */
	exec_prov("rm -rf reproduce_issue.py .", &r);
	assert_string_equal(r.level, "critical");
	/* without the broker's answer (sandgate score, NULL) nothing is discounted */
	score("rm reproduce_issue.py", &r);
	assert_string_equal(r.level, "medium");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mcp_reading_tools_low),
		cmocka_unit_test(test_mcp_writing_and_unknown_not_low),
		cmocka_unit_test(test_mcp_reading_tool_arguments_still_count),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_own_files),
	};
	char err[256];
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
