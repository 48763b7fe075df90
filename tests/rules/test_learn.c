/* test_learn.c -- issue #17: what suggestions learn from (learn.c), the
 * offers a group makes (suggest.c), pinned files (pin.c) and pinned rules
 * in the rule set (rule.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker/rules/learn.h"
#include "broker/rules/pin.h"
#include "broker/rules/rule.h"
#include "broker/rules/suggest.h"
#include "helpers.h"

#define T0 1700000000000LL

/* An allow rule saved from a group of (session, agent, workspace) by author. */
static rule *
made(ruleset *rs, enum rule_effect e, const char *pat, const char *sess, const char *agent, const char *ws,
    const char *author, const char *origin)
{
	char err[256];
	struct rule_spec spec = {
		.effect = e, .pattern = pat, .scope = SCOPE_SESSION, .scope_value = sess != NULL ? sess : "x",
		.created_ms = T0, .max_level = RL_MEDIUM, .author_name = author, .author_uid = 1000,
		.origin = origin, .made_session = sess, .made_agent = agent, .made_workspace = ws,
	};
	rule *r = ruleset_add(rs, &spec, err, sizeof err);

	if (r == NULL)
		fail_msg("rule '%s': %s", pat, err);
	return r;
}

static void
test_learn_threshold_and_scope(void **state)
{
	ruleset *rs = ruleset_new();
	learn *L = learn_new();
	struct learn_result lr;
	const char *p = "exec git push origin main";

	(void)state;
	learn_add(L, made(rs, RULE_ALLOW, p, "s1", "codex", "/w1", "alice", "group g1"));
	/* one earlier session: never */
	assert_false(learn_lookup(L, p, "s9", "codex", "/w9", 2, &lr));
	/* the same session twice is one session */
	learn_add(L, made(rs, RULE_ALLOW, p, "s1", "codex", "/w1", "alice", "group g2"));
	assert_false(learn_lookup(L, p, "s9", "codex", "/w9", 2, &lr));
	/* a threshold below 2 is never honoured */
	assert_false(learn_lookup(L, p, "s9", "codex", "/w9", 1, &lr));
	learn_add(L, made(rs, RULE_ALLOW, p, "s2", "codex", "/w2", "bob", "group g3"));
	assert_true(learn_lookup(L, p, "s9", "codex", "/w9", 2, &lr));
	assert_int_equal(lr.scope, SCOPE_AGENT);
	assert_string_equal(lr.value, "codex");
	assert_int_equal(lr.sessions, 2);
	assert_int_equal(lr.ceiling, RL_MEDIUM);
	assert_string_equal(lr.reason, "allowed in 2 earlier sessions of codex, by alice and bob");
	/* the group's own session does not count */
	assert_false(learn_lookup(L, p, "s2", "codex", "/w9", 2, &lr));
	/* another agent: nothing */
	assert_false(learn_lookup(L, p, "s9", "claude", "/w9", 2, &lr));
	/* a threshold of 3 */
	assert_false(learn_lookup(L, p, "s9", "codex", "/w9", 3, &lr));
	/* another pattern: nothing */
	assert_false(learn_lookup(L, "exec git push origin dev", "s9", "codex", "/w9", 2, &lr));
	learn_free(L);
	ruleset_free(rs);
}

static void
test_learn_workspace(void **state)
{
	ruleset *rs = ruleset_new();
	learn *L = learn_new();
	struct learn_result lr;
	const char *p = "exec make deploy";

	(void)state;
	/* the agent's sessions, all in one workspace: workspace scope */
	learn_add(L, made(rs, RULE_ALLOW, p, "s1", "codex", "/w", "alice", "group g1"));
	learn_add(L, made(rs, RULE_ALLOW, p, "s2", "codex", "/w", "alice", "group g2"));
	assert_true(learn_lookup(L, p, "s3", "codex", "/w", 2, &lr));
	assert_int_equal(lr.scope, SCOPE_WORKSPACE);
	assert_string_equal(lr.value, "/w");
	assert_string_equal(lr.reason, "allowed in 2 earlier sessions of codex, all in /w, by alice");
	/* ... asked from another workspace: the agent */
	assert_true(learn_lookup(L, p, "s3", "codex", "/other", 2, &lr));
	assert_int_equal(lr.scope, SCOPE_AGENT);
	/* other agents' sessions in this workspace: the workspace */
	assert_true(learn_lookup(L, p, "s3", "gemini", "/w", 2, &lr));
	assert_int_equal(lr.scope, SCOPE_WORKSPACE);
	assert_string_equal(lr.reason, "allowed in 2 earlier sessions in /w, by alice");
	/* no workspace, another agent: nothing */
	assert_false(learn_lookup(L, p, "s3", "gemini", NULL, 2, &lr));
	learn_free(L);
	ruleset_free(rs);
}

static void
test_learn_exclusions(void **state)
{
	ruleset *rs = ruleset_new();
	learn *L = learn_new();
	struct learn_result lr;
	rule *r;

	(void)state;
	/* presets and rules without a session (hand-made, imported) */
	learn_add(L, made(rs, RULE_ALLOW, "exec a", NULL, NULL, NULL, "sandgate", "preset routine"));
	learn_add(L, made(rs, RULE_ALLOW, "exec a", "s1", "codex", "/w1", "sandgate", "preset routine"));
	learn_add(L, made(rs, RULE_ALLOW, "exec a", "s2", "codex", "/w2", "sandgate", "preset routine"));
	learn_add(L, made(rs, RULE_ALLOW, "exec a", NULL, NULL, NULL, "alice", "import x"));
	assert_false(learn_lookup(L, "exec a", "s9", "codex", "/w9", 2, &lr));
	/* revoked by a person: not counted; a used-up once rule: counted */
	learn_add(L, made(rs, RULE_ALLOW, "exec b", "s1", "codex", "/w1", "alice", "group g1"));
	r = made(rs, RULE_ALLOW, "exec b", "s2", "codex", "/w2", "alice", "group g2");
	learn_add(L, r);
	assert_true(learn_lookup(L, "exec b", "s9", "codex", "/w9", 2, &lr));
	ruleset_revoke(rs, r, T0 + 1);
	learn_revoked(L, r);
	assert_false(learn_lookup(L, "exec b", "s9", "codex", "/w9", 2, &lr));
	/* a person's deny of the pattern: nothing is learnt, until it is revoked */
	learn_add(L, made(rs, RULE_ALLOW, "exec b", "s3", "codex", "/w3", "alice", "group g3"));
	assert_true(learn_lookup(L, "exec b", "s9", "codex", "/w9", 2, &lr));
	r = made(rs, RULE_DENY, "exec b", "s4", "codex", "/w4", "bob", "group g4");
	learn_add(L, r);
	assert_false(learn_lookup(L, "exec b", "s9", "codex", "/w9", 2, &lr));
	ruleset_revoke(rs, r, T0 + 2);
	learn_revoked(L, r);
	assert_true(learn_lookup(L, "exec b", "s9", "codex", "/w9", 2, &lr));
	/* bounded: many sessions, the record keeps LEARN_MAX_SESSIONS */
	for (int i = 0; i < 500; i++) {
		char s[16];

		snprintf(s, sizeof s, "m%d", i);
		learn_add(L, made(rs, RULE_ALLOW, "exec c", s, "codex", "/w", i % 2 ? "alice" : "carol", "group g"));
	}
	assert_true(learn_lookup(L, "exec c", "m9", "codex", "/x", 2, &lr));
	assert_int_equal(lr.sessions, LEARN_MAX_SESSIONS - 1);
	assert_string_equal(lr.reason, "allowed in 63 earlier sessions of codex, by carol and alice");
	learn_free(L);
	ruleset_free(rs);
}

/* ---- offers ---- */

static struct group_suggestion
base(const char *pat, bool wide)
{
	return (struct group_suggestion){ .pattern = (char *)pat, .scope = SCOPE_SESSION, .wide = wide,
	                                  .covers = 1, .priced = true };
}

static void
test_offers(void **state)
{
	ruleset *rs = ruleset_new();
	learn *L = learn_new();
	struct suggest_cfg cfg;
	struct suggest_info si = { .workspace = (char *)"/w9" };
	struct suggest_group g = { .session = "s9", .agent = "codex", .max_level = RL_MEDIUM, .info = &si };
	struct group_suggestion b[3] = { base("exec git push origin main", false), base("exec git push *", true),
	                                 base("exec git *", true) };
	struct group_suggestion o[GROUP_MAX_OFFERS];
	size_t n;

	(void)state;
	suggest_defaults(&cfg);
	/* nothing learnt: the suggestions, session scope, no TTL, the group's level */
	n = suggest_offers(L, &cfg, &g, b, 3, o);
	assert_int_equal(n, 3);
	assert_int_equal(o[0].scope, SCOPE_SESSION);
	assert_int_equal(o[0].ttl_s, 0);
	assert_int_equal(o[0].ceiling, RL_MEDIUM);
	assert_false(o[0].learned);
	group_suggestions_free(o, n);
	/* the second pattern learnt: first offered, agent scope, learn TTL */
	learn_add(L, made(rs, RULE_ALLOW, "exec git push *", "s1", "codex", "/w1", "alice", "group g1"));
	learn_add(L, made(rs, RULE_ALLOW, "exec git push *", "s2", "codex", "/w2", "alice", "group g2"));
	n = suggest_offers(L, &cfg, &g, b, 3, o);
	assert_int_equal(n, 4);
	assert_string_equal(o[0].pattern, "exec git push *");
	assert_int_equal(o[0].scope, SCOPE_AGENT);
	assert_string_equal(o[0].scope_value, "codex");
	assert_int_equal(o[0].ttl_s, 30 * 86400);
	assert_true(o[0].learned);
	assert_string_equal(o[0].reason, "allowed in 2 earlier sessions of codex, by alice");
	assert_string_equal(o[1].pattern, "exec git push origin main");
	assert_int_equal(o[1].scope, SCOPE_SESSION);
	group_suggestions_free(o, n);
	/* learning off */
	cfg.learn_sessions = 0;
	n = suggest_offers(L, &cfg, &g, b, 3, o);
	assert_false(o[0].learned);
	group_suggestions_free(o, n);
	suggest_defaults(&cfg);
	/* a high group: never learnt, only the exact pattern, 8 h, ceiling high */
	g.max_level = RL_HIGH;
	n = suggest_offers(L, &cfg, &g, b, 3, o);
	assert_int_equal(n, 1);
	assert_string_equal(o[0].pattern, "exec git push origin main");
	assert_int_equal(o[0].scope, SCOPE_SESSION);
	assert_int_equal(o[0].ttl_s, 8 * 3600);
	assert_int_equal(o[0].ceiling, RL_HIGH);
	assert_false(o[0].learned);
	group_suggestions_free(o, n);
	/* ... that runs a file: pinned; members running different files: nothing */
	si.run_path = (char *)"/w9/deploy.sh";
	b[0] = base("exec ./deploy.sh --prod", false);
	n = suggest_offers(L, &cfg, &g, b, 3, o);
	assert_int_equal(n, 1);
	assert_true(o[0].pin);
	group_suggestions_free(o, n);
	si.run_path = NULL;
	si.run_mixed = true;
	assert_int_equal(suggest_offers(L, &cfg, &g, b, 3, o), 0);
	si.run_mixed = false;
	/* a critical group: offers that may only deny */
	g.max_level = RL_CRITICAL;
	n = suggest_offers(L, &cfg, &g, b, 3, o);
	assert_int_equal(n, 3);
	assert_non_null(strstr(o[0].reason, "never remembered"));
	assert_false(o[0].learned);
	group_suggestions_free(o, n);
	learn_free(L);
	ruleset_free(rs);
}

/* ---- pinned files ---- */

static char dir[64];

static void
path_in(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_pin_hash(void **state)
{
	pincache *pc = pincache_new();
	char p[128], q[128], hex[PIN_HEX_LEN + 1], want[PIN_HEX_LEN + 1];
	unsigned char md[32];
	const char *why;
	int fd;

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/sg_test_learn.XXXXXX");
	assert_non_null(mkdtemp(dir));
	path_in(p, sizeof p, "run.sh");
	write_file(p, "echo hi\n");
	crypto_hash_sha256(md, (const unsigned char *)"echo hi\n", 8);
	sodium_bin2hex(want, sizeof want, md, sizeof md);
	assert_int_equal(pin_hash(pc, p, hex, &why), 0);
	assert_string_equal(hex, want);
	/* cached: the same answer */
	assert_int_equal(pin_hash(pc, p, hex, &why), 0);
	assert_string_equal(hex, want);
	/* changed (size): a new hash */
	write_file(p, "echo evil\n");
	assert_int_equal(pin_hash(pc, p, hex, &why), 0);
	assert_string_not_equal(hex, want);
	/* a link, a FIFO (never blocks), a directory, nothing, too big */
	path_in(q, sizeof q, "link.sh");
	assert_int_equal(symlink(p, q), 0);
	assert_int_equal(pin_hash(pc, q, hex, &why), -1);
	assert_string_equal(why, "is a symbolic link");
	path_in(q, sizeof q, "fifo");
	assert_int_equal(mkfifo(q, 0600), 0);
	assert_int_equal(pin_hash(pc, q, hex, &why), -1);
	assert_string_equal(why, "is not a regular file");
	assert_int_equal(pin_hash(pc, dir, hex, &why), -1);
	path_in(q, sizeof q, "none");
	assert_int_equal(pin_hash(pc, q, hex, &why), -1);
	assert_string_equal(why, "does not exist");
	assert_int_equal(pin_hash(pc, "relative", hex, &why), -1);
	path_in(q, sizeof q, "big");
	fd = open(q, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)PIN_MAX_BYTES + 1), 0);
	close(fd);
	assert_int_equal(pin_hash(pc, q, hex, &why), -1);
	assert_string_equal(why, "is larger than 1 MiB");
	/* where pins are suggested */
	assert_true(pin_suggested_path("/home/u/.codex/skills/x/run.py", "/home/u", NULL));
	assert_true(pin_suggested_path("/home/u/.claude/commands/a.sh", "/home/u", NULL));
	assert_true(pin_suggested_path("/ws/tools/a.sh", "/home/u", "/ws"));
	assert_false(pin_suggested_path("/usr/local/bin/tool", "/home/u", "/ws"));
	assert_false(pin_suggested_path("/home/u/.codexx/a.sh", "/home/u", NULL));
	pincache_free(pc);
	for (const char *const *n = (const char *const[]){ "run.sh", "link.sh", "fifo", "big", NULL }; *n; n++) {
		path_in(q, sizeof q, *n);
		unlink(q);
	}
	rmdir(dir);
}

/* ---- pinned rules ---- */

struct fake_fs {
	const char *path, *hex;
	int calls;
};

static int
fake_hash(void *arg, const char *path, char *out)
{
	struct fake_fs *f = arg;

	f->calls++;
	if (f->path == NULL || strcmp(path, f->path) != 0)
		return -1;
	snprintf(out, PIN_HEX_LEN + 1, "%s", f->hex);
	return 0;
}

static void
test_pinned_rule(void **state)
{
	static const char *const h1 = "1111111111111111111111111111111111111111111111111111111111111111";
	static const char *const h2 = "2222222222222222222222222222222222222222222222222222222222222222";
	ruleset *rs = ruleset_new();
	char err[256];
	struct rule_spec spec = {
		.effect = RULE_ALLOW, .pattern = "exec ./deploy.sh *", .scope = SCOPE_GLOBAL, .created_ms = T0,
		.max_level = RL_HIGH, .pin_path = WS "/deploy.sh", .pin_sha256 = h1,
	};
	struct fake_fs fs = { WS "/deploy.sh", h1, 0 };
	struct rule_ctx c = { .session = "s1", .agent = "a", .workspace = WS, .level = RL_HIGH, .now_ms = T0 + 1,
	                      .pin_hash = fake_hash, .pin_arg = &fs };
	struct subject *s = exec_subject(WS, "./deploy.sh --prod");
	struct rule_verdict v;
	rule *r;

	(void)state;
	s->parts[0].run_path = strdup(WS "/deploy.sh");
	r = ruleset_add(rs, &spec, err, sizeof err);
	assert_non_null(r);
	ruleset_eval(rs, s, &c, NULL, &v);
	assert_int_equal(v.v, VERDICT_ALLOW);
	assert_null(v.pin_changed);
	/* the content changed */
	fs.hex = h2;
	ruleset_eval(rs, s, &c, NULL, &v);
	assert_int_equal(v.v, VERDICT_NONE);
	assert_ptr_equal(v.pin_changed, r);
	assert_int_equal(v.pin_part, 0);
	/* vanished / unreadable */
	fs.path = NULL;
	ruleset_eval(rs, s, &c, NULL, &v);
	assert_int_equal(v.v, VERDICT_NONE);
	/* runs another file (a link swapped in) with the pinned content */
	fs.path = "/tmp/elsewhere.sh";
	fs.hex = h1;
	free(s->parts[0].run_path);
	s->parts[0].run_path = strdup("/tmp/elsewhere.sh");
	ruleset_eval(rs, s, &c, NULL, &v);
	assert_int_equal(v.v, VERDICT_NONE);
	assert_ptr_equal(v.pin_changed, r);
	/* runs no file the scorer knows of: not covered */
	free(s->parts[0].run_path);
	s->parts[0].run_path = NULL;
	ruleset_eval(rs, s, &c, NULL, &v);
	assert_int_equal(v.v, VERDICT_NONE);
	/* no hasher (pricing): a pinned rule never covers */
	s->parts[0].run_path = strdup(WS "/deploy.sh");
	fs.path = WS "/deploy.sh";
	c.pin_hash = NULL;
	ruleset_eval(rs, s, &c, NULL, &v);
	assert_int_equal(v.v, VERDICT_NONE);
	/* bad pins are refused */
	spec.pin_sha256 = "XYZ";
	assert_null(ruleset_add(rs, &spec, err, sizeof err));
	spec.pin_sha256 = NULL;
	assert_null(ruleset_add(rs, &spec, err, sizeof err));
	subject_free(s);
	ruleset_free(rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learn_threshold_and_scope),
		cmocka_unit_test(test_learn_workspace),
		cmocka_unit_test(test_learn_exclusions),
		cmocka_unit_test(test_offers),
		cmocka_unit_test(test_pin_hash),
		cmocka_unit_test(test_pinned_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
