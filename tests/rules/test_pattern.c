/* test_pattern.c -- the pattern language: parsing, canonical text, matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "broker/rules/pattern.h"
#include "helpers.h"

static pattern *
P(const char *text)
{
	char err[256];
	pattern *p = pattern_parse(text, strlen(text), err, sizeof err);

	if (p == NULL)
		fail_msg("pattern '%s' did not parse: %s", text, err);
	return p;
}

/* Does pattern text match every part of the exec line? (one part expected) */
static bool
exec_matches(const char *pat, const char *cwd, const char *cmd)
{
	pattern *p = P(pat);
	struct subject *s = exec_subject(cwd, cmd);
	bool ok = s->nparts == 1 && pattern_match_part(p, s, &s->parts[0]);

	subject_free(s);
	pattern_free(p);
	return ok;
}

static bool
file_matches(const char *pat, enum subj_kind k, const char *cwd, const char *path)
{
	pattern *p = P(pat);
	struct subject *s = file_subject(k, cwd, path);
	bool ok = pattern_match_part(p, s, &s->parts[0]);

	subject_free(s);
	pattern_free(p);
	return ok;
}

static void
test_parse_errors(void **state)
{
	static const char *const bad[] = {
		"", "   ", "bash ls", "execs ls", "exec 'unterminated", "exec \"also",
		"exec trailing\\", "write", "write a b", "net", "net a b", "net host:0",
		"net host:70000", "net host:x", "net https://example.com/x", "net [::1",
		"mcp", "mcp serveronly", "mcp .tool", "mcp server.", "other", "other a b c",
		"write ./a/*/../b", "exec", "delete",
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		pattern *p = pattern_parse(bad[i], strlen(bad[i]), err, sizeof err);

		if (p != NULL)
			fail_msg("'%s' should not parse (got '%s')", bad[i], pattern_text(p));
		assert_true(strlen(err) > 0);
	}
	/* NUL inside, too long, too many words */
	assert_null(pattern_parse("exec a\0b", 8, err, sizeof err));
	{
		char *big = malloc(PATTERN_MAX_LEN + 10);

		memset(big, 'a', PATTERN_MAX_LEN + 9);
		memcpy(big, "exec ", 5);
		big[PATTERN_MAX_LEN + 9] = '\0';
		assert_null(pattern_parse(big, strlen(big), err, sizeof err));
		for (size_t i = 5; i + 1 < 600; i += 2)
			big[i] = 'a', big[i + 1] = ' ';
		big[600] = '\0';
		assert_null(pattern_parse(big, 600, err, sizeof err));
		free(big);
	}
}

static void
test_canonical(void **state)
{
	static const char *const cases[][2] = {
		{ "exec   npm  run test   *", "exec npm run test *" },
		{ "exec git push origin 'feature/*'", "exec git push origin 'feature/*'" },
		{ "exec git push origin feature/*", "exec git push origin feature/*" },
		{ "exec echo \"a b\"", "exec echo 'a b'" },
		{ "exec echo it\\'s", "exec echo 'it'\\''s'" },
		{ "write ./src/**", "write ./src/**" },
		{ "write src/**", "write ./src/**" },
		{ "write ./src/../lib/*.c", "write ./lib/*.c" },
		{ "read ~/.aws/**", "read ~/.aws/**" },
		{ "read //etc/passwd", "read /etc/passwd" },
		{ "read ../shared/**", "read ../shared/**" },
		{ "net *.NPMJS.org:443", "net *.npmjs.org:443" },
		{ "net [::1]:8080", "net [::1]:8080" },
		{ "net [::1]", "net [::1]" },
		{ "mcp github.create_issue", "mcp github.create_issue" },
		{ "mcp github create_issue", "mcp github.create_issue" },
		{ "other WebSearch", "other WebSearch" },
		{ "other Frob '{\"path\":\"a b\"}'", "other Frob {\\\"path\\\":\\\"a\\ b\\\"}" },
		{ "other Frob *", "other Frob *" },
		{ "other Frob '{\"n\":*}'", "other Frob {\\\"n\\\":\\*}" },
		{ "exec cat 'my file.txt'", "exec cat 'my file.txt'" },
		{ "exec cat my\\ dir/*", "exec cat my\\ dir/*" },
		{ "exec ls '/etc'", "exec ls '/etc'" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		pattern *p = P(cases[i][0]), *again;

		assert_string_equal(pattern_text(p), cases[i][1]);
		again = P(pattern_text(p)); /* reads back the same */
		assert_string_equal(pattern_text(again), cases[i][1]);
		pattern_free(again);
		pattern_free(p);
	}
}

static void
test_exec_words(void **state)
{
	(void)state;
	assert_true(exec_matches("exec npm run test *", WS, "npm run test"));
	assert_true(exec_matches("exec npm run test *", WS, "npm run test --watch foo"));
	assert_false(exec_matches("exec npm run test *", WS, "npm run testx"));
	assert_false(exec_matches("exec npm run test *", WS, "npm run build"));
	assert_false(exec_matches("exec npm run test", WS, "npm run test --watch"));
	assert_true(exec_matches("exec npm run test", WS, "npm run test"));
	/* word boundaries: a glob inside a word stays in that word */
	assert_true(exec_matches("exec git push origin feature/*", WS, "git push origin feature/login"));
	assert_true(exec_matches("exec git push origin feature/*", WS, "git push origin feature/a/b"));
	assert_false(exec_matches("exec git push origin feature/*", WS, "git push origin feature/x main"));
	assert_false(exec_matches("exec git push origin feature/*", WS, "git push origin main"));
	assert_false(exec_matches("exec git push origin feature/*", WS, "git push --force origin feature/x"));
	assert_false(exec_matches("exec ls *", WS, "lsof -i"));
	assert_true(exec_matches("exec ls *", WS, "ls -la"));
	assert_true(exec_matches("exec ls* *", WS, "lsof -i"));
	/* star anywhere */
	assert_true(exec_matches("exec git * main", WS, "git push origin main"));
	assert_false(exec_matches("exec git * main", WS, "git push origin main2"));
	assert_true(exec_matches("exec * install", WS, "npm install"));
	assert_true(exec_matches("exec *", WS, "anything at all"));
	/* a quoted star is literal */
	assert_true(exec_matches("exec echo '*'", WS, "echo *"));
	assert_false(exec_matches("exec echo '*'", WS, "echo hello"));
	/* programs from system dirs match by name, others do not */
	assert_true(exec_matches("exec git status", WS, "/usr/bin/git status"));
	assert_false(exec_matches("exec git status", WS, "./git status"));
	assert_false(exec_matches("exec git status", WS, "/tmp/evil/git status"));
	assert_true(exec_matches("exec /usr/bin/git status", WS, "/usr/bin/git status"));
	/* dynamic words only match a spanning star */
	assert_false(exec_matches("exec echo hi", WS, "echo $X"));
	assert_false(exec_matches("exec echo h*", WS, "echo $X"));
	assert_true(exec_matches("exec echo *", WS, "echo $X"));
}

static void
test_exec_paths(void **state)
{
	(void)state;
	/* path words compare resolved paths */
	assert_true(exec_matches("exec cat ./src/*", WS, "cat src/a.c"));
	assert_true(exec_matches("exec cat ./src/*", WS "/src", "cat a.c"));
	assert_true(exec_matches("exec cat ./src/*", WS, "cat " WS "/src/a.c"));
	assert_false(exec_matches("exec cat ./src/*", WS, "cat src/../../etc/passwd"));
	assert_false(exec_matches("exec cat ./src/*", WS, "cat src/sub/a.c"));
	assert_true(exec_matches("exec cat ./src/**", WS, "cat src/sub/a.c"));
	assert_false(exec_matches("exec cat ./src/**", WS, "cat -n"));
	assert_true(exec_matches("exec rm -rf ./build/**", WS "/sub", "rm -rf ../build/x"));
	assert_false(exec_matches("exec rm -rf ./build/**", WS, "rm -rf /build/x"));
	assert_true(exec_matches("exec cat ~/notes/*", WS, "cat ~/notes/a"));
	assert_true(exec_matches("exec cat ~/notes/*", WS, "cat /home/u/notes/a"));
	assert_false(exec_matches("exec cat ~/notes/*", WS, "cat ~/notes/../.ssh/id_rsa"));
	assert_true(exec_matches("exec cat /etc/*.conf", "/", "cat etc/x.conf"));
}

static void
test_more_args(void **state)
{
	pattern *exact = P("exec rm foo"), *prefix = P("exec rm *");
	struct subject *s = exec_subject(WS, "rm foo");

	(void)state;
	s->parts[0].more_args = true; /* xargs rm foo: more words come later */
	assert_false(pattern_match_part(exact, s, &s->parts[0]));
	assert_true(pattern_match_part(prefix, s, &s->parts[0]));
	subject_free(s);
	pattern_free(exact);
	pattern_free(prefix);
}

static void
test_files(void **state)
{
	(void)state;
	assert_true(file_matches("write ./src/**", SK_WRITE, WS, "src/a/b.c"));
	assert_true(file_matches("write ./src/**", SK_EDIT, WS, "src/a.c"));  /* write covers edit */
	assert_false(file_matches("edit ./src/**", SK_WRITE, WS, "src/a.c"));
	assert_false(file_matches("write ./src/**", SK_WRITE, WS, "lib/a.c"));
	assert_false(file_matches("write ./src/**", SK_WRITE, WS, "src/../../x"));
	assert_false(file_matches("write ./src/**", SK_READ, WS, "src/a.c"));
	assert_true(file_matches("write ./src/*.c", SK_WRITE, WS, "src/a.c"));
	assert_false(file_matches("write ./src/*.c", SK_WRITE, WS, "src/x/a.c"));
	assert_true(file_matches("write ./src/**/*.c", SK_WRITE, WS, "src/a.c"));
	assert_true(file_matches("write ./src/**/*.c", SK_WRITE, WS, "src/x/y/a.c"));
	assert_false(file_matches("write ./src/**/*.c", SK_WRITE, WS, "src/x/y/a.h"));
	assert_true(file_matches("read ~/.aws/**", SK_READ, WS, "/home/u/.aws/credentials"));
	assert_true(file_matches("read ~/.aws/**", SK_READ, "/", "~/.aws/config"));
	assert_false(file_matches("read ~/.aws/**", SK_READ, WS, "/home/u/.awsx/c"));
	assert_true(file_matches("read /etc/**", SK_READ, WS, "/etc/ssl/certs/x"));
	assert_true(file_matches("delete /tmp/build/**", SK_DELETE, WS, "/tmp/build/x"));
	assert_false(file_matches("delete /tmp/build/**", SK_DELETE, WS, "/tmp/buildx"));
	assert_true(file_matches("read ../shared/*", SK_READ, WS, "/home/u/shared/x"));
	assert_true(file_matches("read **", SK_READ, WS, "deep/in/the/tree"));
	assert_false(file_matches("read **", SK_READ, WS, "/etc/passwd"));
	assert_true(file_matches("read /**", SK_READ, WS, "/etc/passwd"));
	/* a request without a workspace cannot match workspace-relative globs */
	{
		pattern *p = P("write ./**");
		struct subject *s = subject_new(SK_WRITE, NULL, NULL, HOME_DIR);
		struct subj_part *part = subject_add_part(s, SK_WRITE);

		part->path = strdup("/x/y");
		assert_false(pattern_match_part(p, s, part));
		subject_free(s);
		pattern_free(p);
	}
}

static void
test_net_mcp_other(void **state)
{
	struct {
		const char *pat, *host;
		int port;
		bool want;
	} net[] = {
		{ "net *.npmjs.org:443", "registry.npmjs.org", 443, true },
		{ "net *.npmjs.org:443", "a.b.npmjs.org", 443, true },
		{ "net *.npmjs.org:443", "npmjs.org", 443, false },
		{ "net *.npmjs.org:443", "registry.npmjs.org", 80, false },
		{ "net *.npmjs.org:443", "evilnpmjs.org", 443, false },
		{ "net *.npmjs.org:443", "registry.npmjs.org.evil.com", 443, false },
		{ "net *.npmjs.org", "registry.npmjs.org", 8443, true },
		{ "net example.com", "example.com", 443, true },
		{ "net example.com", "www.example.com", 443, false },
		{ "net api-*.github.com:*", "api-v3.github.com", 1, true },
		{ "net api-*.github.com", "api.v3.github.com", 443, false },
		{ "net *", "anything.example", 1, true },
	};
	pattern *p;
	struct subject *s;

	(void)state;
	for (size_t i = 0; i < sizeof net / sizeof net[0]; i++) {
		p = P(net[i].pat);
		s = net_subject(net[i].host, net[i].port);
		if (pattern_match_part(p, s, &s->parts[0]) != net[i].want)
			fail_msg("%s vs %s:%d should be %d", net[i].pat, net[i].host, net[i].port, net[i].want);
		subject_free(s);
		pattern_free(p);
	}
	p = P("mcp github.create_*");
	s = mcp_subject("github", "create_issue");
	assert_true(pattern_match_part(p, s, &s->parts[0]));
	subject_free(s);
	s = mcp_subject("gitlab", "create_issue");
	assert_false(pattern_match_part(p, s, &s->parts[0]));
	subject_free(s);
	pattern_free(p);
	/* a pattern of one kind never matches another kind's part */
	p = P("exec github");
	s = mcp_subject("github", "x");
	assert_false(pattern_match_part(p, s, &s->parts[0]));
	subject_free(s);
	pattern_free(p);
}

/* A packed request map {kind: other, tool_name, tool_input: TI (JSON-ish
 * built with msgpack), urls?} turned into its subject. */
static struct subject *
other_subject(const char *tool, void (*pack_input)(msgpack_packer *), bool truncated)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_unpacked up;
	struct subject *s;
	size_t off = 0;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, truncated ? 4 : 3);
	msgpack_pack_str_with_body(&pk, "kind", 4);
	msgpack_pack_str_with_body(&pk, "other", 5);
	msgpack_pack_str_with_body(&pk, "tool_name", 9);
	msgpack_pack_str_with_body(&pk, tool, strlen(tool));
	msgpack_pack_str_with_body(&pk, "tool_input", 10);
	pack_input(&pk);
	if (truncated) {
		msgpack_pack_str_with_body(&pk, "truncated", 9);
		msgpack_pack_true(&pk);
	}
	msgpack_unpacked_init(&up);
	assert_int_equal(msgpack_unpack_next(&up, sb.data, sb.size, &off), MSGPACK_UNPACK_SUCCESS);
	s = subject_from_request(&up.data, HOME_DIR);
	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&sb);
	return s;
}

/* {"to":"https://x","file":"a \"b\"\n"} with its keys out of order */
static void
pack_upload(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 2);
	msgpack_pack_str_with_body(pk, "to", 2);
	msgpack_pack_str_with_body(pk, "https://x", 9);
	msgpack_pack_str_with_body(pk, "file", 4);
	msgpack_pack_str_with_body(pk, "a \"b\"\n", 6);
}

static void
pack_empty(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 0);
}

static void
pack_dup(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 2);
	msgpack_pack_str_with_body(pk, "a", 1);
	msgpack_pack_int(pk, 1);
	msgpack_pack_str_with_body(pk, "a", 1);
	msgpack_pack_int(pk, 2);
}

/* issue #14: an `other` rule names the tool and its whole input */
static void
test_other_input(void **state)
{
	struct {
		const char *pat;
		bool want;
	} up[] = {
		{ "other Upload", false },           /* the name alone: the empty input only */
		{ "other Upload *", true },
		{ "other Up*", false },
		{ "other Up* *", true },
		{ "other Upload '{\"file\":\"a \\\"b\\\"\\n\",\"to\":\"https://x\"}'", true }, /* keys sorted, JSON escapes */
		{ "other Upload '{\"to\":\"https://x\",\"file\":\"a \\\"b\\\"\\n\"}'", false }, /* as sent: not canonical */
		{ "other Upload '{\"file\":'*", true },
		{ "other Upload '{\"file\":\"notes.md\"'*", false },
		{ "other Upload *'\"to\":\"https://x\"}'", true },
		{ "other Other *", false },
	};
	struct subject *s;
	pattern *p;

	(void)state;
	s = other_subject("Upload", pack_upload, false);
	assert_non_null(s);
	assert_false(s->unparsed);
	assert_string_equal(s->parts[0].content, "{\"file\":\"a \\\"b\\\"\\n\",\"to\":\"https://x\"}");
	for (size_t i = 0; i < sizeof up / sizeof up[0]; i++) {
		p = P(up[i].pat);
		if (pattern_match_part(p, s, &s->parts[0]) != up[i].want)
			fail_msg("%s vs %s should be %d", up[i].pat, s->parts[0].content, up[i].want);
		pattern_free(p);
	}
	subject_free(s);
	/* the empty input: the name alone covers it */
	s = other_subject("Upload", pack_empty, false);
	p = P("other Upload");
	assert_true(pattern_match_part(p, s, &s->parts[0]));
	subject_free(s);
	/* an input that was cut, or holds a key twice, is matched by no input glob */
	s = other_subject("Upload", pack_upload, true);
	assert_null(s->parts[0].content);
	assert_false(pattern_match_part(p, s, &s->parts[0]));
	pattern_free(p);
	p = P("other Upload *");
	assert_false(pattern_match_part(p, s, &s->parts[0]));
	subject_free(s);
	s = other_subject("Upload", pack_dup, false);
	assert_null(s->parts[0].content);
	assert_false(pattern_match_part(p, s, &s->parts[0]));
	subject_free(s);
	pattern_free(p);
}

static void
test_keys(void **state)
{
	pattern *p;

	(void)state;
	p = P("exec git push origin *");
	assert_string_equal(pattern_key1(p), "git");
	assert_string_equal(pattern_key2(p), "push");
	assert_true(pattern_is_wide(p));
	pattern_free(p);
	p = P("exec git");
	assert_false(pattern_is_wide(p));
	assert_null(pattern_key2(p));
	pattern_free(p);
	p = P("exec * install");
	assert_null(pattern_key1(p));
	pattern_free(p);
	p = P("write ./src/**");
	assert_string_equal(pattern_key1(p), "src");
	assert_int_equal(pattern_anchor(p), PATH_ANCHOR_WS);
	pattern_free(p);
	p = P("net *.npmjs.org:443");
	assert_string_equal(pattern_key1(p), "npmjs.org");
	pattern_free(p);
}

static void
test_normpath(void **state)
{
	static const char *const cases[][2] = {
		{ "/a/b/../c", "/a/c" }, { "/../..", "/" }, { "//a//b/", "/a/b" },
		{ "/a/./b/.", "/a/b" }, { "/", "/" }, { "/a/..", "/" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[64];

		strcpy(buf, cases[i][0]);
		paths_normalize(buf);
		assert_string_equal(buf, cases[i][1]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_exec_words),
		cmocka_unit_test(test_exec_paths),
		cmocka_unit_test(test_more_args),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_net_mcp_other),
		cmocka_unit_test(test_other_input),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_normpath),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
