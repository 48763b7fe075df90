/* test_multi_target.c -- every file a request touches is a part a rule must
 * cover (issue #12 items 2, 10, 12): the files list, Codex patches, the
 * multi-file tools' globs, MCP arguments walked whole, globs judged by what
 * they could match, the circumvention signals the scorer's classes and
 * mentions raise.  Requests are written as JSON, assessed by the real
 * scorer, turned into a subject and judged by a real rule set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/rules/circumvent.h"
#include "broker/rules/globcover.h"
#include "broker/intent/assess.h"
#include "broker/intent/codepaths.h"
#include "broker/intent/reqfiles.h"
#include "broker/rules/rule.h"
#include "proto/mpjson.h"
#include "proto/rpc.h"

#define WS "/home/u/proj"
#define HOME_DIR "/home/u"
#define RUNDIR "/run/user/1000/sandgate"
#define CFG "/home/u/.config/sandgate"
#define DB "/home/u/.local/state/sandgate/sandgate.db"

static assess_tables *tables;

struct eval {
	char level[16];
	char *intent;          /* the intent as JSON text */
	struct subject *s;
	unsigned circ;
};

/* Assess a request given as JSON (cwd and workspace WS unless given). */
static void
assess_json(const char *json, struct eval *e)
{
	json_error_t je;
	json_t *j = json_loads(json, 0, &je);
	msgpack_sbuffer req, out;
	msgpack_packer pk, opk;
	msgpack_unpacked ureq, uout;
	struct assess_result ar;
	size_t off = 0, off2 = 0;
	int part[CIRC_NSIGNALS];
	struct circ_env env = { .runtime_dir = RUNDIR, .db_path = DB, .config_dir = CFG, .broker_pid = 4242 };
	circ *c = circ_new(&env);
	json_t *ij;

	if (j == NULL)
		fail_msg("bad test JSON: %s: %s", je.text, json);
	if (json_object_get(j, "cwd") == NULL)
		json_object_set_new(j, "cwd", json_string(WS));
	if (json_object_get(j, "workspace") == NULL)
		json_object_set_new(j, "workspace", json_string(WS));
	msgpack_sbuffer_init(&req);
	msgpack_packer_init(&pk, &req, msgpack_sbuffer_write);
	mpjson_pack(&pk, j);
	json_decref(j);
	msgpack_unpacked_init(&ureq);
	assert_int_equal(msgpack_unpack_next(&ureq, req.data, req.size, &off), MSGPACK_UNPACK_SUCCESS);
	msgpack_sbuffer_init(&out);
	msgpack_packer_init(&opk, &out, msgpack_sbuffer_write);
	assert_int_equal(assess_request(tables, &ureq.data, &opk, &ar), 0);
	msgpack_unpacked_init(&uout);
	assert_int_equal(msgpack_unpack_next(&uout, out.data, out.size, &off2), MSGPACK_UNPACK_SUCCESS);
	snprintf(e->level, sizeof e->level, "%s", ar.level);
	ij = mpjson_from_msgpack(rpc_map_get(&uout.data, "intent"));
	e->intent = json_dumps(ij, JSON_COMPACT);
	json_decref(ij);
	e->s = subject_from_intent(rpc_map_get(&uout.data, "intent"), &ureq.data, HOME_DIR);
	assert_non_null(e->s);
	e->circ = circ_check(c, "s1", e->s, 1, part);
	circ_free(c);
	msgpack_unpacked_destroy(&ureq);
	msgpack_unpacked_destroy(&uout);
	msgpack_sbuffer_destroy(&req);
	msgpack_sbuffer_destroy(&out);
}

static void
done(struct eval *e)
{
	free(e->intent);
	subject_free(e->s);
}

static ruleset *
rules(const char *const *patterns, enum rule_level max)
{
	ruleset *rs = ruleset_new();
	char err[256];

	for (; *patterns != NULL; patterns++) {
		struct rule_spec spec = { .effect = RULE_ALLOW, .pattern = *patterns, .scope = SCOPE_GLOBAL, .max_level = max };

		if (ruleset_add(rs, &spec, err, sizeof err) == NULL)
			fail_msg("rule %s: %s", *patterns, err);
	}
	return rs;
}

/* The verdict of rs on a request, as the broker judges it (its level, no
 * allow for a circumvention signal). */
static enum verdict
judge(ruleset *rs, const char *json)
{
	struct eval e;
	struct rule_verdict v;
	struct rule_ctx c = { .session = "s", .agent = "a", .workspace = WS, .now_ms = 1 };

	assess_json(json, &e);
	c.level = (enum rule_level)rule_level_parse(e.level);
	c.no_allow = e.circ != 0;
	ruleset_eval(rs, e.s, &c, NULL, &v);
	done(&e);
	return v.v;
}

static bool
has_part(const struct subject *s, enum subj_kind k, const char *path, bool glob)
{
	for (size_t i = 0; i < s->nparts; i++)
		if (s->parts[i].kind == k && s->parts[i].glob == glob &&
		    ((path == NULL && s->parts[i].path == NULL) ||
		     (path != NULL && s->parts[i].path != NULL && strcmp(s->parts[i].path, path) == 0)))
			return true;
	return false;
}

static void
want_level(const char *json, const char *const *levels)
{
	struct eval e;

	assess_json(json, &e);
	for (; *levels != NULL; levels++)
		if (strcmp(*levels, e.level) == 0) {
			done(&e);
			return;
		}
	fail_msg("%s: level %s\n  intent %s", json, e.level, e.intent);
}

static const char *const HIGH[] = { "high", "critical", NULL };
static const char *const NOT_LOW[] = { "medium", "high", "critical", NULL };
static const char *const LOW[] = { "low", NULL };

/* ---- files, paths, patch ---- */

static void
test_files_list(void **state)
{
	struct eval e;
	static const char *const preset[] = { "exec *", "read /**", "write ./**", "write /tmp/**", NULL };
	ruleset *rs = rules(preset, RL_LOW);

	(void)state;
	assess_json("{\"kind\":\"write\",\"path\":\"src/ok.c\",\"files\":[{\"path\":\"src/ok.c\",\"op\":\"write\"},"
	            "{\"path\":\"~/.ssh/authorized_keys\",\"op\":\"write\"},{\"path\":\"old.c\",\"op\":\"delete\"},"
	            "{\"path\":\"src/b.c\",\"op\":\"edit\"},{\"path\":\"README\",\"op\":\"read\"}]}", &e);
	assert_false(e.s->unparsed);
	assert_true(has_part(e.s, SK_WRITE, WS "/src/ok.c", false));
	assert_true(has_part(e.s, SK_WRITE, HOME_DIR "/.ssh/authorized_keys", false));
	assert_true(has_part(e.s, SK_DELETE, WS "/old.c", false));
	assert_true(has_part(e.s, SK_EDIT, WS "/src/b.c", false));
	assert_true(has_part(e.s, SK_READ, WS "/README", false));
	assert_non_null(strstr(e.intent, "\"persistence\""));
	assert_string_equal(e.level, "high");
	done(&e);
	/* the review's attack against the preset */
	assert_int_equal(judge(rs, "{\"kind\":\"write\",\"path\":\"src/ok.c\",\"files\":[{\"path\":\"src/ok.c\",\"op\":\"write\"},"
	                           "{\"path\":\"~/.ssh/authorized_keys\",\"op\":\"write\"}]}"), VERDICT_NONE);
	assert_int_equal(judge(rs, "{\"kind\":\"write\",\"path\":\"src/ok.c\",\"files\":[{\"path\":\"src/ok.c\",\"op\":\"write\"},"
	                           "{\"path\":\"src/ok.h\",\"op\":\"write\"}]}"), VERDICT_ALLOW);
	/* incomplete or malformed: unparsed, at least high */
	assess_json("{\"kind\":\"write\",\"path\":\"a\",\"files\":[{\"path\":\"a\",\"op\":\"write\"}],\"files_total\":2}", &e);
	assert_true(e.s->unparsed);
	assert_string_equal(e.level, "high");
	done(&e);
	want_level("{\"kind\":\"write\",\"path\":\"a\",\"files\":[{\"path\":\"a\",\"op\":\"write\"}],\"files_total\":1}", LOW);
	want_level("{\"kind\":\"write\",\"path\":\"a\",\"files\":{\"path\":\"a\"}}", HIGH);
	want_level("{\"kind\":\"write\",\"path\":\"a\",\"files\":[{\"path\":\"\",\"op\":\"write\"}]}", HIGH);
	want_level("{\"kind\":\"write\",\"path\":\"a\",\"files\":[{\"path\":\"b\",\"op\":\"move\"}]}", HIGH);
	want_level("{\"kind\":\"write\",\"path\":\"a\",\"files\":[{\"path\":\"b\",\"op\":\"write\",\"glob\":\"yes\"}]}", HIGH);
	want_level("{\"kind\":\"write\",\"path\":\"a\",\"files\":[],\"files_total\":\"3\"}", HIGH);
	assert_int_equal(judge(rs, "{\"kind\":\"write\",\"path\":\"a\",\"files\":[{\"path\":\"a\",\"op\":\"write\"}],\"files_total\":9}"),
	    VERDICT_NONE);
	ruleset_free(rs);
}

static void
test_patch_envelope(void **state)
{
	struct eval e;

	(void)state;
	assess_json("{\"kind\":\"edit\",\"path\":\"src/a.c\",\"patch\":\"*** Begin Patch\\n*** Add File: src/n.c\\n+x\\n"
	            "*** Update File: src/a.c\\n*** Move to: /home/u/.bashrc\\n@@\\n-a\\n+b\\n*** Delete File: gone.c\\r\\n"
	            "*** End Patch\"}", &e);
	assert_false(e.s->unparsed);
	assert_true(has_part(e.s, SK_WRITE, WS "/src/n.c", false));
	assert_true(has_part(e.s, SK_EDIT, WS "/src/a.c", false));
	assert_true(has_part(e.s, SK_WRITE, HOME_DIR "/.bashrc", false));  /* the Move's target */
	assert_true(has_part(e.s, SK_WRITE, WS "/src/a.c", false));        /* ... and its source (as mv) */
	assert_true(has_part(e.s, SK_DELETE, WS "/gone.c", false));
	assert_string_equal(e.level, "high");
	done(&e);
	assess_json("{\"kind\":\"write\",\"path\":\"a.c\",\"paths\":[\"" WS "/a.c\",\"/etc/cron.d/x\"]}", &e);
	assert_true(has_part(e.s, SK_WRITE, "/etc/cron.d/x", false));
	done(&e);
	want_level("{\"kind\":\"write\",\"path\":\"a.c\",\"patch\":\"*** Add File: \\n\"}", HIGH);
	/* apply_patch run as a command */
	assess_json("{\"kind\":\"exec\",\"command\":\"apply_patch '*** Begin Patch\\n*** Add File: src/ok.c\\n+x\\n"
	            "*** Add File: /home/u/.ssh/authorized_keys\\n+k\\n*** End Patch'\"}", &e);
	assert_true(has_part(e.s, SK_WRITE, WS "/src/ok.c", false));
	assert_true(has_part(e.s, SK_WRITE, HOME_DIR "/.ssh/authorized_keys", false));
	assert_string_equal(e.level, "high");
	done(&e);
	want_level("{\"kind\":\"exec\",\"command\":\"apply_patch <<'EOF'\\n*** Begin Patch\\n*** Add File: src/x.c\\n+x\\n*** End Patch\\nEOF\"}", LOW);
	want_level("{\"kind\":\"exec\",\"command\":\"cat p.diff | apply_patch\"}", HIGH);
	want_level("{\"kind\":\"write\",\"path\":\"a.c\",\"paths\":[1]}", HIGH);
}

/* ---- globs ---- */

static void
test_glob_targets(void **state)
{
	struct eval e;
	static const char *const src_rules[] = { "read ./src/**", "write ./src/*", NULL };
	ruleset *rs = rules(src_rules, RL_HIGH);

	(void)state;
	/* classed by the worst class they could match */
	want_level("{\"kind\":\"read\",\"path\":\"" WS "\",\"tool_name\":\"read_many_files\",\"tool_input\":{\"include\":[\"**/.env\"]}}", NOT_LOW);
	want_level("{\"kind\":\"read\",\"path\":\"" WS "\",\"files\":[{\"path\":\"**/*\",\"op\":\"read\",\"glob\":true}]}", NOT_LOW);
	want_level("{\"kind\":\"read\",\"path\":\"" WS "\",\"files\":[{\"path\":\"~/.ssh/*\",\"op\":\"read\",\"glob\":true}]}", NOT_LOW);
	want_level("{\"kind\":\"read\",\"path\":\"" WS "\",\"files\":[{\"path\":\"s*\",\"op\":\"read\",\"glob\":true}]}", NOT_LOW);
	want_level("{\"kind\":\"write\",\"path\":\"a.c\",\"files\":[{\"path\":\"**/*.json\",\"op\":\"write\",\"glob\":true}]}", HIGH);
	want_level("{\"kind\":\"read\",\"path\":\"" WS "\",\"tool_name\":\"Glob\",\"tool_input\":{\"pattern\":\"**/*.py\"}}", LOW);
	want_level("{\"kind\":\"read\",\"path\":\"" WS "\",\"tool_name\":\"Grep\",\"tool_input\":{\"pattern\":\"x\",\"glob\":\"*.c\"}}", LOW);
	want_level("{\"kind\":\"read\",\"path\":\"" WS "\",\"tool_name\":\"Grep\",\"tool_input\":{\"pattern\":\"x\",\"glob\":\"*.key\"}}", NOT_LOW);
	want_level("{\"kind\":\"read\",\"path\":\"" WS "\",\"tool_name\":\"read_many_files\",\"truncated\":true,\"tool_input\":{\"include\":[\"a\"]}}", HIGH);
	want_level("{\"kind\":\"read\",\"path\":\"" WS "\",\"tool_name\":\"Glob\",\"tool_input\":{\"sandgate_omitted\":true}}", HIGH);
	/* the part keeps the pattern */
	assess_json("{\"kind\":\"read\",\"path\":\"" WS "/src\",\"tool_name\":\"Grep\",\"tool_input\":{\"path\":\"src\",\"glob\":\"*.c\"}}", &e);
	assert_true(has_part(e.s, SK_READ, WS "/src/**/*.c", true));
	done(&e);
	/* covered only by a rule that covers all it could match */
	assert_int_equal(judge(rs, "{\"kind\":\"read\",\"path\":\"src/a.c\",\"files\":[{\"path\":\"src/**/*.c\",\"op\":\"read\",\"glob\":true}]}"), VERDICT_ALLOW);
	assert_int_equal(judge(rs, "{\"kind\":\"read\",\"path\":\"src/a.c\",\"files\":[{\"path\":\"**/*.c\",\"op\":\"read\",\"glob\":true}]}"), VERDICT_NONE);
	assert_int_equal(judge(rs, "{\"kind\":\"write\",\"path\":\"src/a.c\",\"files\":[{\"path\":\"src/*.c\",\"op\":\"write\",\"glob\":true}]}"), VERDICT_ALLOW);
	assert_int_equal(judge(rs, "{\"kind\":\"write\",\"path\":\"src/a.c\",\"files\":[{\"path\":\"src/**/x.c\",\"op\":\"write\",\"glob\":true}]}"), VERDICT_NONE);
	assert_int_equal(judge(rs, "{\"kind\":\"write\",\"path\":\"src/a.c\",\"files\":[{\"path\":\"src/*/../../x\",\"op\":\"write\",\"glob\":true}]}"), VERDICT_NONE);
	/* an exec glob (rm of the .o files in src) is a delete part; delete rules decide */
	assess_json("{\"kind\":\"exec\",\"command\":\"rm src/*.o\"}", &e);
	assert_true(has_part(e.s, SK_DELETE, WS "/src/*.o", true));
	done(&e);
	ruleset_free(rs);
}

static void
test_glob_covers(void **state)
{
	(void)state;
	assert_true(glob_covers("**", "**/.env"));
	assert_true(glob_covers("**", "a/b/*.c"));
	assert_true(glob_covers("src/**", "src/**/*.c"));
	assert_false(glob_covers("src/**", "**/*.c"));
	assert_true(glob_covers("src/*", "src/*.c"));
	assert_false(glob_covers("src/*", "src/**"));
	assert_false(glob_covers("src/*", "src/*/x"));
	assert_true(glob_covers("src/*.c", "src/a*.c"));
	assert_false(glob_covers("src/a*", "src/*"));
	assert_false(glob_covers("*.c", "*.?"));
	assert_true(glob_covers("x?", "x?"));
	assert_true(glob_covers("*", "{a,b}.c"));
	assert_false(glob_covers("*.c", "{a,b}.c"));    /* a spelling it cannot read: not covered */
	assert_false(glob_covers("*.c", "[ab].c"));
	assert_false(glob_covers("a\\*", "a*"));         /* a literal star covers no pattern */
	assert_false(glob_covers("**", "a/*/../../b"));
	assert_true(glob_covers("**/*.c", "x/**/*.c"));
	assert_false(glob_covers("**/*.c", "x/**/*"));
	assert_true(glob_covers("a/**/b/**", "a/b/**"));
	assert_false(glob_covers("a/**/b", "a/**"));
}

/* ---- MCP arguments ---- */

static void
test_mcp_arguments(void **state)
{
	struct eval e;
	static const char *const tool[] = { "mcp fs.*", "mcp runner.*", NULL };
	ruleset *rs = rules(tool, RL_HIGH);

	(void)state;
	assess_json("{\"kind\":\"mcp\",\"server\":\"fs\",\"tool\":\"read_file\",\"arguments\":{\"opts\":{\"list\":"
	            "[{\"filePath\":\"~/.ssh/id_rsa\"},{\"note\":\"see /etc/shadow\"}]},\"uri\":\"file:///etc/passwd\","
	            "\"more\":[[\"https://paste.example.org/x\"]],\"cmd\":\"rm -rf ~\"}}", &e);
	assert_false(e.s->unparsed);
	assert_true(has_part(e.s, SK_MCP, NULL, false) || e.s->parts[0].kind == SK_MCP);
	assert_true(has_part(e.s, SK_READ, HOME_DIR "/.ssh/id_rsa", false));
	assert_true(has_part(e.s, SK_READ, "/etc/passwd", false));
	assert_true(has_part(e.s, SK_DELETE, HOME_DIR, false)); /* rm -rf ~ from the cmd argument */
	{
		bool net = false;

		for (size_t i = 0; i < e.s->nparts; i++)
			net |= e.s->parts[i].kind == SK_NET && strcmp(e.s->parts[i].host, "paste.example.org") == 0;
		assert_true(net);
	}
	assert_string_equal(e.level, "critical");
	done(&e);
	/* a rule for the tool does not cover what its arguments name */
	assert_int_equal(judge(rs, "{\"kind\":\"mcp\",\"server\":\"fs\",\"tool\":\"list_allowed_directories\",\"arguments\":{}}"),
	    VERDICT_ALLOW);
	assert_int_equal(judge(rs, "{\"kind\":\"mcp\",\"server\":\"fs\",\"tool\":\"read_file\",\"arguments\":{\"path\":\"/etc/hosts\"}}"),
	    VERDICT_NONE);
	assert_int_equal(judge(rs, "{\"kind\":\"mcp\",\"server\":\"runner\",\"tool\":\"list\",\"arguments\":{\"a\":{\"command\":[\"ls\",\"-la\"]}}}"),
	    VERDICT_NONE);
	/* beyond the bounds: not everything was seen */
	{
		char deep[1024] = "{\"kind\":\"mcp\",\"server\":\"fs\",\"tool\":\"list\",\"arguments\":";
		size_t n = strlen(deep);

		for (int i = 0; i < 20; i++)
			n += (size_t)snprintf(deep + n, sizeof deep - n, "{\"a\":");
		n += (size_t)snprintf(deep + n, sizeof deep - n, "1");
		for (int i = 0; i < 21; i++)
			n += (size_t)snprintf(deep + n, sizeof deep - n, "}");
		want_level(deep, HIGH);
		assert_int_equal(judge(rs, deep), VERDICT_NONE);
	}
	ruleset_free(rs);
}

/* ---- exec: what commands write, and the signals ---- */

static void
test_exec_writes_and_signals(void **state)
{
	struct eval e;
	static const char *const prog[] = { "exec *", "write ./**", NULL };
	ruleset *rs = rules(prog, RL_HIGH);

	(void)state;
	assert_int_equal(judge(rs, "{\"kind\":\"exec\",\"command\":\"cp a b && tee c < d\"}"), VERDICT_ALLOW);
	assert_int_equal(judge(rs, "{\"kind\":\"exec\",\"command\":\"cp a ~/.profile\"}"), VERDICT_NONE);
	assert_int_equal(judge(rs, "{\"kind\":\"exec\",\"command\":\"wget -qO /tmp/x https://example.com\"}"), VERDICT_NONE);
	assert_int_equal(judge(rs, "{\"kind\":\"exec\",\"command\":\"bash -c 'ls' > ~/.bashrc\"}"), VERDICT_NONE);
	assert_int_equal(judge(rs, "{\"kind\":\"exec\",\"command\":\"cd /tmp && echo x > f\"}"), VERDICT_NONE);
	assert_int_equal(judge(rs, "{\"kind\":\"exec\",\"command\":\">> notes.txt\"}"), VERDICT_ALLOW);
	/* item 10: agent settings and instructions by any route */
	assess_json("{\"kind\":\"exec\",\"command\":\"python3 -c \\\"open('.claude/settings.json','w').write('{}')\\\"\"}", &e);
	assert_true(e.circ & CIRC_AGENT_CONFIG);
	done(&e);
	assess_json("{\"kind\":\"exec\",\"command\":\"node -e \\\"require('fs').writeFileSync('sub/AGENTS.md','x')\\\"\"}", &e);
	assert_true(e.circ & CIRC_AGENT_INSTR);
	done(&e);
	assess_json("{\"kind\":\"exec\",\"command\":\"echo x >> Claude.MD\"}", &e);
	assert_true(e.circ & CIRC_AGENT_INSTR);
	done(&e);
	assess_json("{\"kind\":\"exec\",\"command\":\"cat CLAUDE.md\"}", &e);
	assert_int_equal(e.circ, 0);
	done(&e);
	assess_json("{\"kind\":\"write\",\"path\":\".github/copilot-instructions.md\",\"content\":\"x\"}", &e);
	assert_true(e.circ & CIRC_AGENT_INSTR);
	done(&e);
	assess_json("{\"kind\":\"exec\",\"command\":\"python3 -c \\\"p='.clau'+'de/x.json'; open(p,'w').write('1')\\\"\"}", &e);
	assert_string_equal(e.level, "high");
	assert_true(has_part(e.s, SK_WRITE, NULL, false)); /* a file named at run time: no rule covers it */
	done(&e);
	/* item 12: sandgate named in code, content, arguments */
	assess_json("{\"kind\":\"exec\",\"command\":\"socat - UNIX-CONNECT:$SANDGATE_DIR/console.sock\"}", &e);
	assert_true(e.circ & CIRC_SANDGATE);
	done(&e);
	assess_json("{\"kind\":\"write\",\"path\":\"Makefile\",\"content\":\"all:\\n\\tnc -U " RUNDIR "/console.sock\\n\"}", &e);
	assert_true(e.circ & CIRC_SANDGATE);
	done(&e);
	assess_json("{\"kind\":\"mcp\",\"server\":\"x\",\"tool\":\"run\",\"arguments\":{\"code\":\"s.connect('/tmp/sandgate-1000/console.sock')\"}}", &e);
	assert_true(e.circ & CIRC_SANDGATE);
	done(&e);
	assess_json("{\"kind\":\"read\",\"path\":\"" WS "\",\"files\":[{\"path\":\"/home/u/.config/**\",\"op\":\"read\",\"glob\":true}]}", &e);
	assert_true(e.circ & CIRC_SANDGATE);
	done(&e);
	assess_json("{\"kind\":\"exec\",\"command\":\"sh -c 'sqlite3 " DB "-wal'\"}", &e);
	assert_true(e.circ & CIRC_SANDGATE);
	done(&e);
	assess_json("{\"kind\":\"exec\",\"command\":\"sandgate ask -- ls\"}", &e);
	assert_false(e.circ & CIRC_SANDGATE);
	done(&e);
	ruleset_free(rs);
}

/* ---- the pieces: code paths and the request file list ---- */

static bool
collect(void *ctx, const char *s, size_t n)
{
	char *buf = ctx;

	strncat(buf, s, n);
	strcat(buf, "|");
	return true;
}

static void
test_code_paths(void **state)
{
	char buf[512];
	bool writes;
	const char *c;

	(void)state;
	buf[0] = '\0';
	c = "open('out.txt','w').write(json.dumps({'a': 1})); open(\"/etc/x\")";
	code_path_literals(c, strlen(c), collect, buf);
	assert_string_equal(buf, "out.txt|/etc/x|");
	assert_false(code_computed_paths(c, strlen(c), &writes, NULL, NULL));
	assert_true(writes);
	c = "p = 'a' + 'b'; open(p, 'w')";
	assert_true(code_computed_paths(c, strlen(c), &writes, NULL, NULL));
	c = "f = 'notes'; open(f, 'w')";
	buf[0] = '\0';
	assert_false(code_computed_paths(c, strlen(c), &writes, collect, buf));
	assert_string_equal(buf, "notes|");
	c = "import sys; sys.stdout.write('x')";
	assert_false(code_computed_paths(c, strlen(c), &writes, NULL, NULL));
	assert_false(writes);
	c = "(Path.home() / '.bashrc').write_text('x')";
	assert_true(code_computed_paths(c, strlen(c), &writes, NULL, NULL));
	c = "Path('a.txt').write_text('x')";
	assert_false(code_computed_paths(c, strlen(c), &writes, NULL, NULL));
	c = "fs.writeFileSync(path.join(os.homedir(), '.bashrc'), s)";
	assert_true(code_computed_paths(c, strlen(c), &writes, NULL, NULL));
	c = "shutil.copy('a', dst)";
	assert_true(code_computed_paths(c, strlen(c), &writes, NULL, NULL));
	c = "x = open(name).read()";
	assert_false(code_computed_paths(c, strlen(c), &writes, NULL, NULL)); /* reading */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files_list),
		cmocka_unit_test(test_patch_envelope),
		cmocka_unit_test(test_glob_targets),
		cmocka_unit_test(test_glob_covers),
		cmocka_unit_test(test_mcp_arguments),
		cmocka_unit_test(test_exec_writes_and_signals),
		cmocka_unit_test(test_code_paths),
	};
	char err[256];
	int rc;

	setenv("HOME", HOME_DIR, 1);
	setenv("XDG_CONFIG_HOME", HOME_DIR "/.config", 1);
	setenv("SANDGATE_DIR", RUNDIR, 1);
	setenv("SANDGATE_DB", DB, 1);
	tables = assess_tables_load(NULL, err, sizeof err);
	if (tables == NULL) {
		fprintf(stderr, "tables: %s\n", err);
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	assess_tables_free(tables);
	return rc;
}
