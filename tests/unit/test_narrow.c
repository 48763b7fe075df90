/* test_narrow.c -- a reviewer's narrowed input (broker/narrow.c, issue #14):
 * what `accepts` may hold, which narrowed values are refused (another kind,
 * paths an agent would read differently, the request's own value, argv),
 * and that the narrowed map changes exactly the kind's field, its files and
 * the declared tool_input key. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "broker/narrow.h"
#include "proto/mpjson.h"

struct obj {
	msgpack_sbuffer sb;
	msgpack_zone z;
	msgpack_object o;
};

static void
obj_from(struct obj *x, const char *json)
{
	json_error_t e;
	json_t *j = json_loads(json, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	msgpack_packer pk;
	size_t off = 0;

	assert_non_null(j);
	msgpack_sbuffer_init(&x->sb);
	msgpack_packer_init(&pk, &x->sb, msgpack_sbuffer_write);
	mpjson_pack(&pk, j);
	json_decref(j);
	msgpack_zone_init(&x->z, 1024);
	assert_int_equal(msgpack_unpack(x->sb.data, x->sb.size, &off, &x->z, &x->o), MSGPACK_UNPACK_SUCCESS);
}

static void
obj_free(struct obj *x)
{
	msgpack_zone_destroy(&x->z);
	msgpack_sbuffer_destroy(&x->sb);
}

/* narrow_parse of param (JSON) against the request (JSON) of kind: the
 * error text or NULL; *forbidden as returned. */
static const char *
parse(const char *kind, const char *req, const char *param, bool *forbidden, char **value)
{
	struct obj r, p;
	size_t len;
	const char *why;

	obj_from(&r, req);
	obj_from(&p, param);
	why = narrow_parse(&p.o, kind, &r.o, value, &len, forbidden);
	if (why == NULL)
		assert_int_equal(len, strlen(*value));
	obj_free(&r);
	obj_free(&p);
	return why;
}

static void
test_accepts(void **state)
{
	struct narrow_accepts a;
	struct obj o;

	(void)state;
	obj_from(&o, "{\"accepts\":[\"narrow\",\"future\"],\"narrow_field\":\"command\"}");
	assert_null(narrow_parse_accepts(&o.o, &a));
	assert_true(a.narrow);
	assert_false(a.ask);
	obj_free(&o);
	obj_from(&o, "{\"accepts\":[\"ask\"]}");
	assert_null(narrow_parse_accepts(&o.o, &a));
	assert_true(a.ask);
	assert_false(a.narrow);
	obj_free(&o);
	static const char *const bad[] = {
		"{\"accepts\":\"narrow\"}", "{\"accepts\":[1]}", "{\"accepts\":[\"\"]}",
		"{\"accepts\":[\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\"]}",
		"{\"narrow_field\":\"command\"}", "{\"accepts\":[\"narrow\"],\"narrow_field\":7}",
		"{\"accepts\":[\"narrow\"],\"narrow_field\":\"\"}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		obj_from(&o, bad[i]);
		assert_non_null(narrow_parse_accepts(&o.o, &a));
		obj_free(&o);
	}
}

static void
test_kinds(void **state)
{
	bool forbidden;
	char *v = NULL;
	const char *exec = "{\"kind\":\"exec\",\"command\":\"rm -rf build dist\"}";

	(void)state;
	assert_null(parse("exec", exec, "\"rm -rf dist\"", &forbidden, &v));
	assert_string_equal(v, "rm -rf dist");
	free(v);
	assert_null(parse("exec", exec, "{\"command\":\"rm -rf dist\"}", &forbidden, &v));
	free(v);
	/* another kind */
	assert_non_null(parse("exec", exec, "{\"path\":\"/etc/hosts\"}", &forbidden, &v));
	assert_true(forbidden);
	assert_non_null(parse("read", "{\"path\":\"/a/.env\"}", "{\"command\":\"cat /a/x\"}", &forbidden, &v));
	assert_true(forbidden);
	assert_non_null(parse("net", "{\"url\":\"https://a.example/\"}", "{\"path\":\"/a\"}", &forbidden, &v));
	assert_true(forbidden);
	/* kinds without one field, argv, the request's own value */
	assert_non_null(parse("mcp", "{\"server\":\"s\",\"tool\":\"t\"}", "\"x\"", &forbidden, &v));
	assert_true(forbidden);
	assert_non_null(parse("other", "{\"tool_name\":\"T\"}", "\"x\"", &forbidden, &v));
	assert_non_null(parse("exec", "{\"argv\":[\"rm\",\"-rf\",\"x\"]}", "\"rm -rf x/y\"", &forbidden, &v));
	assert_true(forbidden);
	assert_non_null(parse("exec", exec, "\"rm -rf build dist\"", &forbidden, &v));
	/* malformed */
	assert_non_null(parse("exec", exec, "\"\"", &forbidden, &v));
	assert_false(forbidden);
	assert_non_null(parse("exec", exec, "7", &forbidden, &v));
	assert_non_null(parse("exec", exec, "{\"command\":\"a\",\"path\":\"/b\"}", &forbidden, &v));
	assert_non_null(parse("exec", exec, "\"rm\\u0000 -rf /\"", &forbidden, &v));
}

static void
test_paths(void **state)
{
	static const char *const bad[] = {
		"\"src/a.ts\"", "\"~/a\"", "\"/a/../etc/passwd\"", "\"/a/./b\"", "\"/a//b\"", "\"/a/b/\"",
		"\"/a/b \"", "\"/a/%2e%2e/b\"", "\"/a/\\u001bb\"", "\"/a/b\\u00a0\"", "\"/a/..\"", "\"/a/.\"",
	};
	const char *req = "{\"path\":\"/a/.env\",\"files\":[{\"path\":\"/a/.env\",\"op\":\"read\"}]}";
	bool forbidden;
	char *v = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_non_null(parse("read", req, bad[i], &forbidden, &v));
		assert_false(forbidden);
	}
	assert_null(parse("read", req, "\"/a/.env.example\"", &forbidden, &v));
	free(v);
	assert_null(parse("write", req, "\"/\"", &forbidden, &v));
	free(v);
	/* URLs */
	assert_non_null(parse("net", "{\"url\":\"https://a.example/\"}", "\"file:///etc/passwd\"", &forbidden, &v));
	assert_non_null(parse("net", "{\"url\":\"https://a.example/\"}", "\"https://a.example/ x\"", &forbidden, &v));
	assert_null(parse("net", "{\"url\":\"https://a.example/\"}", "\"HTTPS://a.example/doc\"", &forbidden, &v));
	free(v);
}

static json_t *
built(const char *kind, const char *req, const char *value)
{
	struct obj r, out;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	size_t off = 0;
	json_t *j;

	obj_from(&r, req);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	narrow_build(&pk, &r.o, kind, value, strlen(value));
	msgpack_zone_init(&out.z, 1024);
	assert_int_equal(msgpack_unpack(sb.data, sb.size, &off, &out.z, &out.o), MSGPACK_UNPACK_SUCCESS);
	j = mpjson_from_msgpack(&out.o);
	msgpack_zone_destroy(&out.z);
	msgpack_sbuffer_destroy(&sb);
	obj_free(&r);
	return j;
}

static void
assert_json(json_t *got, const char *want)
{
	json_t *w = json_loads(want, 0, NULL);

	assert_non_null(w);
	if (!json_equal(got, w)) {
		char *g = json_dumps(got, JSON_SORT_KEYS);

		fail_msg("got %s", g);
	}
	json_decref(w);
	json_decref(got);
}

static void
test_build(void **state)
{
	(void)state;
	assert_json(built("exec", "{\"kind\":\"exec\",\"command\":\"rm -rf a b\",\"cwd\":\"/w\",\"narrow_field\":\"command\","
	    "\"tool_input\":{\"command\":\"rm -rf a b\",\"description\":\"d\",\"dangerouslyDisableSandbox\":true}}",
	    "rm -rf a"),
	    "{\"kind\":\"exec\",\"command\":\"rm -rf a\",\"cwd\":\"/w\",\"narrow_field\":\"command\","
	    "\"tool_input\":{\"command\":\"rm -rf a\",\"description\":\"d\",\"dangerouslyDisableSandbox\":true}}");
	/* a path: its files become that one file with the first entry's op */
	assert_json(built("write", "{\"kind\":\"write\",\"path\":\"/w/a\",\"files\":[{\"path\":\"/w/a\",\"op\":\"write\"}],"
	    "\"narrow_field\":\"file_path\",\"tool_input\":{\"file_path\":\"a\",\"content\":\"x\"}}", "/w/b"),
	    "{\"kind\":\"write\",\"path\":\"/w/b\",\"files\":[{\"path\":\"/w/b\",\"op\":\"write\"}],"
	    "\"narrow_field\":\"file_path\",\"tool_input\":{\"file_path\":\"/w/b\",\"content\":\"x\"}}");
	/* no narrow_field: tool_input stays as it was */
	assert_json(built("net", "{\"kind\":\"net\",\"url\":\"https://a/\",\"tool_input\":{\"url\":\"https://a/\"}}",
	    "https://a/b"), "{\"kind\":\"net\",\"url\":\"https://a/b\",\"tool_input\":{\"url\":\"https://a/\"}}");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
