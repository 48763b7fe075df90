/* test_hook_files.c -- unit tests of the hook adapters' file lists
 * (cli/hook_files.c) and of the packing rule (cli/hook.c): paths resolved
 * as each agent resolves them, glob patterns and brace expansion, Codex
 * apply_patch envelopes, and a property test that no judged field is ever
 * cut: for random requests, the packed message either carries every judged
 * field byte for byte or is the small `oversized` notice naming one whose
 * size and SHA-256 are right. */
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
#include <sodium.h>

#include "cli/hook.h"
#include "proto/mpjson.h"
#include "proto/proto.h"

struct ctx {
	struct hook_fileset fs;
	struct hook_input in;
};

static struct ctx *
ctx_new(const char *cwd, unsigned flags)
{
	struct ctx *c = calloc(1, sizeof *c);

	hook_fileset_init(&c->fs);
	c->in.files = &c->fs;
	c->in.cwd = cwd;
	c->in.path_flags = flags;
	return c;
}

static void
ctx_free(struct ctx *c)
{
	hook_fileset_free(&c->fs);
	free(c);
}

/* The list as compact JSON text, for comparison. */
static char *
files_json(struct ctx *c)
{
	return json_dumps(c->fs.list, JSON_COMPACT);
}

#define EXPECT_FILES(c, want)                                     \
	do {                                                      \
		char *got_ = files_json(c);                       \
		assert_string_equal(got_, (want));                \
		free(got_);                                       \
	} while (0)

static void
test_claude_paths(void **state)
{
	struct ctx *c = ctx_new("/w/p", HOOK_P_TRIM_JS | HOOK_P_TILDE);
	char *r;

	(void)state;
	setenv("HOME", "/home/u", 1);
	r = hook_file(&c->in, c->in.path_flags, c->in.cwd, " \xc2\xa0~/.bashrc\n\xef\xbb\xbf", "write");
	assert_string_equal(r, "/home/u/.bashrc");
	free(r);
	r = hook_file(&c->in, c->in.path_flags, c->in.cwd, "src/../../x", "read");
	assert_string_equal(r, "/w/x");
	free(r);
	r = hook_file(&c->in, c->in.path_flags, c->in.cwd, "   ", "read"); /* empty after trim: the cwd */
	assert_string_equal(r, "/w/p");
	free(r);
	r = hook_file(&c->in, c->in.path_flags, c->in.cwd, "~", "read");
	assert_string_equal(r, "/home/u");
	free(r);
	r = hook_file(&c->in, c->in.path_flags, c->in.cwd, "~user/x", "read"); /* not the home: relative */
	assert_string_equal(r, "/w/p/~user/x");
	free(r);
	EXPECT_FILES(c, "[{\"path\":\"/home/u/.bashrc\",\"op\":\"write\"},{\"path\":\"/w/x\",\"op\":\"read\"},"
	    "{\"path\":\"/w/p\",\"op\":\"read\"},{\"path\":\"/home/u\",\"op\":\"read\"},"
	    "{\"path\":\"/w/p/~user/x\",\"op\":\"read\"}]");
	ctx_free(c);
	/* no usable home: "~/" goes to the broker as it is */
	c = ctx_new("/w", HOOK_P_TILDE);
	setenv("HOME", "relative", 1);
	r = hook_file(&c->in, c->in.path_flags, c->in.cwd, "~/.ssh/id_rsa", "read");
	assert_string_equal(r, "~/.ssh/id_rsa");
	free(r);
	setenv("HOME", "/home/u", 1);
	ctx_free(c);
}

static void
test_codex_both_spellings(void **state)
{
	struct ctx *c = ctx_new("/w", HOOK_P_TILDE | HOOK_P_WS_BOTH);
	char *r;

	(void)state;
	r = hook_file(&c->in, c->in.path_flags, c->in.cwd, " /etc/passwd\t", "read");
	assert_string_equal(r, "/w/ /etc/passwd\t");
	free(r);
	EXPECT_FILES(c, "[{\"path\":\"/w/ /etc/passwd\\t\",\"op\":\"read\"},{\"path\":\"/etc/passwd\",\"op\":\"read\"}]");
	ctx_free(c);
}

static void
test_gemini_paths(void **state)
{
	struct ctx *c = ctx_new("/nonexistent-ws", HOOK_P_AT | HOOK_P_PCT);
	char *r;

	(void)state;
	r = hook_file(&c->in, c->in.path_flags, c->in.cwd, "%2e%2e/%2E%2e/etc/shadow", "read");
	assert_string_equal(r, "/etc/shadow");
	free(r);
	/* decoded only after the first normalisation, as Gemini does */
	r = hook_file(&c->in, c->in.path_flags, c->in.cwd, "a%2fb/../c", "read");
	assert_string_equal(r, "/nonexistent-ws/c");
	free(r);
	/* not decodable (bad escape, not UTF-8, a NUL): kept as written */
	r = hook_file(&c->in, c->in.path_flags, c->in.cwd, "100%", "read");
	assert_string_equal(r, "/nonexistent-ws/100%");
	free(r);
	r = hook_file(&c->in, c->in.path_flags, c->in.cwd, "x%ff", "read");
	assert_string_equal(r, "/nonexistent-ws/x%ff");
	free(r);
	r = hook_file(&c->in, c->in.path_flags, c->in.cwd, "x%00y", "read");
	assert_string_equal(r, "/nonexistent-ws/x%00y");
	free(r);
	/* '@': the stripped spelling first (nothing exists here), both listed */
	r = hook_file(&c->in, c->in.path_flags, c->in.cwd, "@src/a.ts", "read");
	assert_string_equal(r, "/nonexistent-ws/src/a.ts");
	free(r);
	r = hook_file(&c->in, c->in.path_flags, c->in.cwd, "@/etc/passwd", "read");
	assert_string_equal(r, "/nonexistent-ws/etc/passwd");
	free(r);
	r = hook_file(&c->in, c->in.path_flags, c->in.cwd, "~/x", "read"); /* Gemini does not expand ~ */
	assert_string_equal(r, "/nonexistent-ws/~/x");
	free(r);
	EXPECT_FILES(c, "[{\"path\":\"/etc/shadow\",\"op\":\"read\"},{\"path\":\"/nonexistent-ws/c\",\"op\":\"read\"},"
	    "{\"path\":\"/nonexistent-ws/100%\",\"op\":\"read\"},{\"path\":\"/nonexistent-ws/x%ff\",\"op\":\"read\"},"
	    "{\"path\":\"/nonexistent-ws/x%00y\",\"op\":\"read\"},"
	    "{\"path\":\"/nonexistent-ws/src/a.ts\",\"op\":\"read\"},{\"path\":\"/nonexistent-ws/@src/a.ts\",\"op\":\"read\"},"
	    "{\"path\":\"/nonexistent-ws/etc/passwd\",\"op\":\"read\"},{\"path\":\"/nonexistent-ws/@/etc/passwd\",\"op\":\"read\"},"
	    "{\"path\":\"/nonexistent-ws/~/x\",\"op\":\"read\"}]");
	ctx_free(c);
}

static void
test_glob_walk(void **state)
{
	struct ctx *c = ctx_new("/w", 0);

	(void)state;
	hook_glob(&c->in, HOOK_GLOB_WALK, "/w", "{src,lib}/**/*.{c,h}", "read");
	EXPECT_FILES(c, "[{\"path\":\"/w/src/**/*.c\",\"op\":\"read\",\"glob\":true},"
	    "{\"path\":\"/w/src/**/*.h\",\"op\":\"read\",\"glob\":true},"
	    "{\"path\":\"/w/lib/**/*.c\",\"op\":\"read\",\"glob\":true},"
	    "{\"path\":\"/w/lib/**/*.h\",\"op\":\"read\",\"glob\":true}]");
	ctx_free(c);
	/* braces can make ".." segments: expanded first, then normalised */
	c = ctx_new("/w/p", 0);
	hook_glob(&c->in, HOOK_GLOB_WALK, "/w/p", "{..,x}/../secret", "read");
	hook_glob(&c->in, HOOK_GLOB_WALK, "/w/p", "{,.}./etc/passwd", "read");
	EXPECT_FILES(c, "[{\"path\":\"/secret\",\"op\":\"read\"},{\"path\":\"/w/p/secret\",\"op\":\"read\"},"
	    "{\"path\":\"/w/p/etc/passwd\",\"op\":\"read\"},{\"path\":\"/w/etc/passwd\",\"op\":\"read\"}]");
	ctx_free(c);
	/* ".." after a glob segment: anywhere; too many alternatives: anywhere */
	c = ctx_new("/w", 0);
	hook_glob(&c->in, HOOK_GLOB_WALK, "/w", "**/../../x", "read");
	hook_glob(&c->in, HOOK_GLOB_WALK, "/w", "f{1..1000}", "read");
	hook_glob(&c->in, HOOK_GLOB_WALK, "/w", "f{01..03}{a..b}", "write");
	hook_glob(&c->in, HOOK_GLOB_WALK, "/w", "${HOME}/{x}", "read");
	hook_glob(&c->in, HOOK_GLOB_WALK, "/w", "/etc/*.conf", "read");
	EXPECT_FILES(c, "[{\"path\":\"/**\",\"op\":\"read\",\"glob\":true},"
	    "{\"path\":\"/w/f01a\",\"op\":\"write\"},{\"path\":\"/w/f01b\",\"op\":\"write\"},"
	    "{\"path\":\"/w/f02a\",\"op\":\"write\"},{\"path\":\"/w/f02b\",\"op\":\"write\"},"
	    "{\"path\":\"/w/f03a\",\"op\":\"write\"},{\"path\":\"/w/f03b\",\"op\":\"write\"},"
	    "{\"path\":\"/w/${HOME}/{x}\",\"op\":\"read\"},"
	    "{\"path\":\"/etc/*.conf\",\"op\":\"read\",\"glob\":true}]");
	ctx_free(c);
}

/* A path leading through a symlink out of the cwd lists its real path too
 * (the file written through a linked directory as well); one staying
 * inside, or a glob, does not. */
static void
test_symlink_out(void **state)
{
	char tmpl[] = "/tmp/sg-hookfiles-XXXXXX", ws[256], out[256], link[512], want[4096];
	char *d = mkdtemp(tmpl), *real;
	struct ctx *c;
	FILE *f;

	(void)state;
	assert_non_null(d);
	real = realpath(d, NULL); /* /tmp may itself be a link */
	assert_non_null(real);
	snprintf(ws, sizeof ws, "%s/ws", real);
	snprintf(out, sizeof out, "%s/secret", real);
	assert_int_equal(mkdir(ws, 0700), 0);
	assert_int_equal(mkdir(out, 0700), 0);
	snprintf(link, sizeof link, "%s/key", out);
	assert_non_null(f = fopen(link, "w"));
	fclose(f);
	snprintf(link, sizeof link, "%s/k", ws);
	assert_int_equal(symlink("../secret/key", link), 0);
	snprintf(link, sizeof link, "%s/d", ws);
	assert_int_equal(symlink(out, link), 0);
	snprintf(link, sizeof link, "%s/in", ws);
	assert_int_equal(symlink(".", link), 0);

	c = ctx_new(ws, 0);
	free(hook_file(&c->in, 0, ws, "k", "read"));
	free(hook_file(&c->in, 0, ws, "d/new.txt", "write"));
	free(hook_file(&c->in, 0, ws, "in/x", "read"));
	snprintf(link, sizeof link, "%s/d/**", ws);
	hook_add_resolved(&c->in, link, "read", true);
	snprintf(want, sizeof want, "[{\"path\":\"%s/k\",\"op\":\"read\"},{\"path\":\"%s/key\",\"op\":\"read\"},"
	    "{\"path\":\"%s/d/new.txt\",\"op\":\"write\"},{\"path\":\"%s/new.txt\",\"op\":\"write\"},"
	    "{\"path\":\"%s/in/x\",\"op\":\"read\"},{\"path\":\"%s/d/**\",\"op\":\"read\",\"glob\":true}]",
	    ws, out, ws, out, ws, ws);
	EXPECT_FILES(c, want);
	ctx_free(c);
	snprintf(link, sizeof link, "rm -rf '%s'", real);
	assert_int_equal(system(link), 0);
	free(real);
}

static void
test_glob_filter(void **state)
{
	struct ctx *c = ctx_new("/w", 0);

	(void)state;
	hook_glob(&c->in, HOOK_GLOB_FILTER, "/w", "*.{ts,tsx}", "read");
	hook_glob(&c->in, HOOK_GLOB_FILTER, "/h", "**/**/*.pem", "read");
	hook_glob(&c->in, HOOK_GLOB_FILTER, "/a", "src/*.ts", "read");   /* anchored: all of /a */
	hook_glob(&c->in, HOOK_GLOB_FILTER, "/b", "!*.md", "read");      /* an exclusion */
	hook_glob(&c->in, HOOK_GLOB_FILTER, "/c", NULL, "read");
	hook_glob(&c->in, HOOK_GLOB_FILTER, "/d", "../../*", "read");    /* cannot leave /d */
	EXPECT_FILES(c, "[{\"path\":\"/w/**/*.ts\",\"op\":\"read\",\"glob\":true},"
	    "{\"path\":\"/w/**/*.tsx\",\"op\":\"read\",\"glob\":true},"
	    "{\"path\":\"/h/**/*.pem\",\"op\":\"read\",\"glob\":true},"
	    "{\"path\":\"/a/**\",\"op\":\"read\",\"glob\":true},{\"path\":\"/b/**\",\"op\":\"read\",\"glob\":true},"
	    "{\"path\":\"/c/**\",\"op\":\"read\",\"glob\":true},{\"path\":\"/d/**\",\"op\":\"read\",\"glob\":true}]");
	ctx_free(c);
}

static void
test_patch(void **state)
{
	static const char patch[] =
	    "<<'EOF'\n*** Begin Patch\r\n"
	    "*** Update File: a.c\r\n*** Move to: ~/b.c\r\n@@\n-x\n+y\n"
	    " *** Add File: context-line.c\n"        /* a context line Codex reads as such: listed anyway */
	    "+*** Add File: content.c\n"              /* content of an Add: never a header */
	    "\t*** Delete File: /etc/x \n"
	    "*** Add File: \n"                        /* trimmed, no longer a header */
	    "*** Update File: a.c\n@@\n-y\n+z\n"      /* the same file again: listed once */
	    "*** End Patch\nEOF\n";
	struct ctx *c = ctx_new("/w", 0);
	const char *op;
	char *first;
	size_t n;

	(void)state;
	setenv("HOME", "/home/u", 1);
	n = hook_patch_files(&c->in, patch, strlen(patch), "/w", true, &first, &op);
	assert_int_equal(n, 5);
	assert_string_equal(first, "/w/a.c");
	assert_string_equal(op, "delete");
	free(first);
	EXPECT_FILES(c, "[{\"path\":\"/w/a.c\",\"op\":\"delete\"},{\"path\":\"/home/u/b.c\",\"op\":\"write\"},"
	    "{\"path\":\"/w/context-line.c\",\"op\":\"write\"},{\"path\":\"/etc/x\",\"op\":\"delete\"},"
	    "{\"path\":\"/w/a.c\",\"op\":\"edit\"}]");
	ctx_free(c);
	/* base not known: relative files anywhere, absolute and ~ as they are */
	c = ctx_new("/w", 0);
	n = hook_patch_files(&c->in, "*** Add File: x/y.c\n*** Add File: ../z\n*** Add File: /abs\n*** Add File: ~/k\n",
	    strlen("*** Add File: x/y.c\n*** Add File: ../z\n*** Add File: /abs\n*** Add File: ~/k\n"), "/w", false, &first, &op);
	assert_int_equal(n, 4);
	free(first);
	EXPECT_FILES(c, "[{\"path\":\"/**/x/y.c\",\"op\":\"write\",\"glob\":true},{\"path\":\"/**\",\"op\":\"write\",\"glob\":true},"
	    "{\"path\":\"/abs\",\"op\":\"write\"},{\"path\":\"/home/u/k\",\"op\":\"write\"}]");
	ctx_free(c);
	/* nothing that is a header */
	c = ctx_new("/w", 0);
	assert_int_equal(hook_patch_files(&c->in, "*** Begin Patch\n*** End Patch\n", 30, "/w", true, &first, &op), 0);
	assert_null(first);
	ctx_free(c);
}

static void
test_cap(void **state)
{
	struct ctx *c = ctx_new("/w", 0);
	json_t *req = json_object();
	char p[64];

	(void)state;
	for (int i = 0; i < HOOK_FILES_MAX + 10; i++) {
		snprintf(p, sizeof p, "/w/f%d", i);
		hook_add_resolved(&c->in, p, "write", false);
		hook_add_resolved(&c->in, p, "write", false); /* duplicates are not counted */
	}
	hook_fileset_put(&c->fs, req);
	assert_int_equal(json_array_size(json_object_get(req, "files")), HOOK_FILES_MAX);
	assert_int_equal(json_integer_value(json_object_get(req, "files_total")), HOOK_FILES_MAX + 10);
	json_decref(req);
	ctx_free(c);
}

/* ---- packing: judged fields are never cut ---- */

static const char *const judged[] = {
	"command", "argv", "path", "files", "url", "host", "port", "method", "server", "tool",
	"arguments", "query", "cwd", "workspace",
};

static json_t *
unpack(const msgpack_sbuffer *sb)
{
	msgpack_unpacked up;
	size_t off = 0;
	json_t *j;

	msgpack_unpacked_init(&up);
	assert_int_equal(msgpack_unpack_next(&up, sb->data, sb->size, &off), MSGPACK_UNPACK_SUCCESS);
	assert_int_equal(off, sb->size);
	j = mpjson_from_msgpack(&up.data);
	msgpack_unpacked_destroy(&up);
	return j;
}

static json_t *
rand_str(size_t n)
{
	char *s = malloc(n + 1);
	uint32_t off = randombytes_uniform(26);
	json_t *j;

	for (size_t i = 0; i < n; i++)
		s[i] = (char)('a' + (i * 7 + off) % 26);
	s[n] = '\0';
	j = json_stringn(s, n);
	free(s);
	return j;
}

/* A size that is often small, sometimes near or over the message cap. */
static size_t
rand_size(void)
{
	switch (randombytes_uniform(6)) {
	case 0: return randombytes_uniform(64);
	case 1: return randombytes_uniform(4096);
	case 2: return randombytes_uniform(300000);
	case 3: return 400000 + randombytes_uniform(400000);
	case 4: return 900000 + randombytes_uniform(300000);
	default: return randombytes_uniform(100);
	}
}

static void
test_pack_property(void **state)
{
	(void)state;
	assert_true(sodium_init() >= 0);
	for (int round = 0; round < 60; round++) {
		json_t *req = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "req_id", "r-1", "session", "s",
		    "agent", "claude-code", "kind", "exec", "event", "PreToolUse", "tool_name", "Bash", "wait", 1);
		json_t *ti = json_object(), *got;
		msgpack_sbuffer sb;
		char err[256];
		int rc;

		/* some judged fields, some display fields, random sizes */
		if (randombytes_uniform(2))
			json_object_set_new(req, "command", rand_str(rand_size()));
		if (randombytes_uniform(3) == 0)
			json_object_set_new(req, "path", rand_str(rand_size()));
		if (randombytes_uniform(3) == 0) {
			json_t *files = json_array();
			size_t nf = randombytes_uniform(2000);

			for (size_t i = 0; i < nf; i++)
				json_array_append_new(files, json_pack("{s:o,s:s}", "path", rand_str(randombytes_uniform(400)), "op", "read"));
			json_object_set_new(req, "files", files);
		}
		if (randombytes_uniform(3) == 0) {
			json_t *args = json_object();
			size_t na = randombytes_uniform(5000);

			for (size_t i = 0; i < na; i++) {
				char k[32];

				snprintf(k, sizeof k, "k%zu", i);
				json_object_set_new(args, k, rand_str(randombytes_uniform(200)));
			}
			json_object_set_new(req, "arguments", args);
		}
		json_object_set_new(req, "cwd", json_string("/w"));
		json_object_set_new(req, "content", rand_str(rand_size()));
		json_object_set_new(req, "justification", rand_str(rand_size()));
		json_object_set_new(ti, "command", rand_str(rand_size()));
		json_object_set_new(ti, "dangerouslyDisableSandbox", json_true());
		json_object_set_new(req, "tool_input", ti);

		msgpack_sbuffer_init(&sb);
		rc = hook_pack_request(req, SG_MSG_CAP - 64, &sb, err, sizeof err);
		assert_true(rc == 0 || rc == 1);
		assert_true(sb.size <= SG_MSG_CAP - 64);
		got = unpack(&sb);
		if (rc == 0) {
			/* every judged field whole, byte for byte */
			for (size_t i = 0; i < sizeof judged / sizeof judged[0]; i++) {
				json_t *want = json_object_get(req, judged[i]);

				if (want != NULL)
					assert_true(json_equal(want, json_object_get(got, judged[i])));
			}
			assert_null(json_object_get(got, "oversized"));
			/* a cut content says what it stood for */
			if (json_string_length(json_object_get(got, "content")) <
			    json_string_length(json_object_get(req, "content"))) {
				unsigned char h[32];
				char hex[65];

				crypto_hash_sha256(h, (const unsigned char *)json_string_value(json_object_get(req, "content")),
				    json_string_length(json_object_get(req, "content")));
				sodium_bin2hex(hex, sizeof hex, h, sizeof h);
				assert_string_equal(json_string_value(json_object_get(got, "content_sha256")), hex);
				assert_true(json_is_true(json_object_get(got, "truncated")));
			}
		} else {
			/* the notice: small, no judged payload, the field's size and hash */
			const char *field = json_string_value(json_object_get(json_object_get(got, "oversized"), "field"));
			json_t *v;
			char *text = NULL, hex[65];
			unsigned char h[32];
			const char *b;
			size_t n;

			assert_non_null(field);
			assert_true(sb.size < 2048);
			v = json_object_get(req, field);
			assert_non_null(v);
			if (json_is_string(v)) {
				b = json_string_value(v);
				n = json_string_length(v);
			} else {
				text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
				b = text;
				n = strlen(text);
			}
			crypto_hash_sha256(h, (const unsigned char *)b, n);
			sodium_bin2hex(hex, sizeof hex, h, sizeof h);
			assert_string_equal(json_string_value(json_object_get(json_object_get(got, "oversized"), "sha256")), hex);
			assert_int_equal(json_integer_value(json_object_get(json_object_get(got, "oversized"), "bytes")), n);
			free(text);
			for (size_t i = 0; i < sizeof judged / sizeof judged[0]; i++)
				if (strcmp(judged[i], "cwd") != 0 && strcmp(judged[i], "workspace") != 0)
					assert_null(json_object_get(got, judged[i]));
			assert_string_equal(json_string_value(json_object_get(got, "req_id")), "r-1");
			assert_string_equal(json_string_value(json_object_get(got, "kind")), "exec");
		}
		json_decref(got);
		msgpack_sbuffer_destroy(&sb);
		json_decref(req);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claude_paths),
		cmocka_unit_test(test_codex_both_spellings),
		cmocka_unit_test(test_gemini_paths),
		cmocka_unit_test(test_glob_walk),
		cmocka_unit_test(test_glob_filter),
		cmocka_unit_test(test_symlink_out),
		cmocka_unit_test(test_patch),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_pack_property),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
