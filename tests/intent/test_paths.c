/* test_paths.c -- paths on disk (issue #12 items 3 and 9): fsr_resolve
 * against a real tree of links in a temp dir, the workspace rules
 * (declared, configured, git, none; what is refused), and the intent's
 * targets through links and links being made. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker/intent/arena.h"
#include "broker/intent/fsresolve.h"
#include "broker/intent/intent.h"
#include "broker/intent/tables.h"
#include "broker/intent/workspace.h"

static char D[PATH_MAX];  /* the temp dir (its real path) */
static char H[PATH_MAX + 8];  /* a home inside it */
static struct tables *T;
static arena *A, *TMP;

static const char *
at(const char *rel)
{
	static char buf[4][2 * PATH_MAX];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", D, rel);
	return buf[k];
}

static void
mkdirs(const char *rel)
{
	char p[2 * PATH_MAX];

	snprintf(p, sizeof p, "%s/%s", D, rel);
	for (char *s = p + strlen(D) + 1; *s != '\0'; s++)
		if (*s == '/') {
			*s = '\0';
			(void)mkdir(p, 0700);
			*s = '/';
		}
	(void)mkdir(p, 0700);
}

static void
touch(const char *rel, const char *text)
{
	FILE *f = fopen(at(rel), "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
link_to(const char *target, const char *rel)
{
	assert_int_equal(symlink(target, at(rel)), 0);
}

static int
setup(void **state)
{
	char tmpl[] = "/tmp/sgpaths.XXXXXX", err[256];

	(void)state;
	if (mkdtemp(tmpl) == NULL || realpath(tmpl, D) == NULL)
		return -1;
	snprintf(H, sizeof H, "%s/home", D);
	mkdirs("home/.ssh");
	mkdirs("ws/src");
	mkdirs("ws/.git");
	mkdirs("wt/deep/er");
	mkdirs("plain/x");
	mkdirs("home/proj/.git");
	mkdirs("home/.git");
	mkdirs("home/notes");
	mkdirs("cfg/a/b/c");
	touch("home/.bashrc", "x\n");
	touch("home/.ssh/id_ed25519", "k\n");
	touch("ws/src/a.c", "int a;\n");
	touch("wt/.git", "gitdir: /x/.git/worktrees/wt\n");
	touch("plain/.git", "not a git file\n");
	link_to("../home/.bashrc", "ws/notes.txt");
	link_to("/etc", "ws/etc");
	link_to(at("home/.profile"), "ws/dangling");
	link_to("loop2", "ws/loop1");
	link_to("loop1", "ws/loop2");
	link_to("src", "ws/srclink");
	link_to("/etc/ssh", "ws/sshdir");
	link_to(at("ws"), "wslink");
	assert_int_equal(link(at("home/.bashrc"), at("ws/hard.txt")), 0);
	T = tables_load(NULL, H, err, sizeof err);
	A = arena_new(1 << 16);
	TMP = arena_new(1 << 16);
	return T != NULL && A != NULL && TMP != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[PATH_MAX + 32];

	(void)state;
	tables_free(T);
	arena_free(A);
	arena_free(TMP);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", D);
	return system(cmd) == 0 ? 0 : -1;
}

/* --- fsr_resolve ----------------------------------------------------------------------- */

static const char *
res(const char *path, unsigned flags, struct fsr_result *r)
{
	static char out[FSR_MAX_PATH + 1];
	int n = fsr_resolve(path, strlen(path), flags, out, sizeof out, r);

	return n < 0 ? NULL : out;
}

static void
test_resolve(void **state)
{
	struct fsr_result r;
	char want[2 * PATH_MAX];

	(void)state;
	/* nothing to follow */
	assert_string_equal(res(at("ws/src/a.c"), FSR_FOLLOW_LAST, &r), at("ws/src/a.c"));
	assert_true(r.exists && r.regular && r.nlink == 1 && r.status == FSR_OK);
	assert_string_equal(res(at("ws/src/new/deeper.c"), FSR_FOLLOW_LAST, &r), at("ws/src/new/deeper.c"));
	assert_false(r.exists);
	/* a link as the last component: followed for writes, not for rm */
	assert_string_equal(res(at("ws/notes.txt"), FSR_FOLLOW_LAST, &r), at("home/.bashrc"));
	assert_true(r.last_link && r.exists);
	assert_string_equal(res(at("ws/notes.txt"), 0, &r), at("ws/notes.txt"));
	assert_true(r.last_link);
	/* a link in the middle is always followed */
	assert_string_equal(res(at("ws/etc/passwd"), 0, &r), "/etc/passwd");
	assert_string_equal(res(at("ws/etc/nonexistent/x"), FSR_FOLLOW_LAST, &r), "/etc/nonexistent/x");
	/* ".." after a link is the link target's parent (the kernel's view) */
	assert_string_equal(res(at("ws/sshdir/../passwd"), FSR_FOLLOW_LAST, &r), "/etc/passwd");
	assert_string_equal(res(at("ws/src/../src/a.c"), FSR_FOLLOW_LAST, &r), at("ws/src/a.c"));
	/* dangling: writing it creates the target */
	assert_string_equal(res(at("ws/dangling"), FSR_FOLLOW_LAST, &r), at("home/.profile"));
	assert_true(r.dangling && !r.exists);
	/* loops */
	res(at("ws/loop1"), FSR_FOLLOW_LAST, &r);
	assert_int_equal(r.status, FSR_LOOP);
	res(at("ws/loop1/x"), 0, &r);
	assert_int_equal(r.status, FSR_LOOP);
	/* hard links */
	res(at("ws/hard.txt"), FSR_FOLLOW_LAST, &r);
	assert_true(r.regular && r.nlink == 2);
	/* a linked directory as a whole */
	snprintf(want, sizeof want, "%s", at("ws/src/a.c"));
	assert_string_equal(res(at("wslink/srclink/a.c"), FSR_FOLLOW_LAST, &r), want);
	assert_int_equal(r.links, 2);
	/* bounds and bad input */
	assert_null(res("relative/path", 0, &r));
	assert_int_equal(r.status, FSR_BAD);
	{
		char *longp = malloc(FSR_MAX_PATH + 100);

		memset(longp, 'a', FSR_MAX_PATH + 99);
		longp[0] = '/';
		longp[FSR_MAX_PATH + 99] = '\0';
		assert_null(res(longp, 0, &r));
		assert_int_equal(r.status, FSR_TOO_LONG);
		for (size_t i = 0; i + 2 < FSR_MAX_PATH; i += 2)
			longp[i] = '/', longp[i + 1] = 'b';
		longp[FSR_MAX_PATH - 1] = '\0';
		assert_null(res(longp, 0, &r)); /* more than FSR_MAX_STEPS components */
		assert_int_equal(r.status, FSR_TOO_LONG);
		free(longp);
	}
	/* /dev and /proc links are the resolver's own: taken by name */
	link_to("/dev", "ws/devlink");
	assert_string_equal(res(at("ws/devlink/stdout"), FSR_FOLLOW_LAST, &r), "/dev/stdout");
	assert_string_equal(res("/proc/self/fd/1", FSR_FOLLOW_LAST, &r), "/proc/self/fd/1");
	assert_string_equal(res("/", 0, &r), "/");
	assert_string_equal(res("/..", 0, &r), "/");
}

/* --- workspaces --------------------------------------------------------------------------- */

static const struct ws_result *
ws(const struct ws_list *cfg, const char *declared, const char *cwd)
{
	static struct ws_result r;
	const char *own[] = { at("cfg"), NULL };
	struct ws_env e = { .home = H, .own = own, .t = T };

	ws_determine(&e, cfg, declared, cwd, &r);
	return &r;
}

static void
test_workspace(void **state)
{
	struct ws_list l = { .n = 0 };
	char err[256];
	const struct ws_result *r;

	(void)state;
	/* declared: checked */
	r = ws(NULL, at("ws"), at("ws/src"));
	assert_int_equal(r->source, WS_DECLARED);
	assert_string_equal(r->path, at("ws"));
	r = ws(NULL, at("wslink"), at("wslink/src"));
	assert_int_equal(r->source, WS_DECLARED);
	assert_string_equal(r->real, at("ws"));
	for (size_t i = 0; i < 9; i++) {
		static const char *const bad[] = { "/", "/usr/local/bin", "/etc", "/tmp", "/var/lib/x", "relative", "/proc/1",
			"/home", "/var" };

		r = ws(NULL, bad[i], "/nonexistent-cwd");
		assert_int_equal(r->source, WS_NONE);
		assert_true(r->ignored[0] != '\0');
	}
	r = ws(NULL, H, H);
	assert_int_equal(r->source, WS_NONE);
	assert_non_null(strstr(r->ignored, "the home directory"));
	r = ws(NULL, at("home/.ssh"), at("home/.ssh"));
	assert_int_equal(r->source, WS_NONE);
	r = ws(NULL, at("cfg/a"), at("cfg/a"));
	assert_non_null(strstr(r->ignored, "sandgate"));
	r = ws(NULL, at("ws/src/a.c"), at("ws"));
	assert_non_null(strstr(r->ignored, "not a directory"));
	assert_int_equal(r->source, WS_GIT); /* then git still applies */
	/* git: a directory or a gitdir: file; not $HOME (dotfiles), not a fake */
	r = ws(NULL, NULL, at("ws/src"));
	assert_int_equal(r->source, WS_GIT);
	assert_string_equal(r->path, at("ws"));
	r = ws(NULL, NULL, at("wt/deep/er"));
	assert_int_equal(r->source, WS_GIT);
	assert_string_equal(r->path, at("wt"));
	r = ws(NULL, NULL, at("home/notes"));
	assert_int_equal(r->source, WS_NONE);
	r = ws(NULL, NULL, at("home/proj"));
	assert_int_equal(r->source, WS_GIT);
	r = ws(NULL, NULL, at("plain/x"));
	assert_int_equal(r->source, WS_NONE);
	r = ws(NULL, NULL, NULL);
	assert_int_equal(r->source, WS_NONE);
	/* configured: the deepest match; globs stay in one component, never a dot-dir */
	assert_int_equal(ws_list_add(&l, "~/src/*, /srv/build", H, err, sizeof err), 0);
	assert_int_equal(ws_list_add(&l, "~/src/big/*", H, err, sizeof err), 0);
	assert_int_equal(l.n, 3);
	r = ws(&l, NULL, at("home/src/app/sub"));
	assert_int_equal(r->source, WS_CONFIGURED);
	assert_string_equal(r->path, at("home/src/app"));
	r = ws(&l, NULL, at("home/src/big/one/two"));
	assert_string_equal(r->path, at("home/src/big/one"));
	r = ws(&l, NULL, "/srv/build/x");
	assert_string_equal(r->path, "/srv/build");
	r = ws(&l, NULL, at("home/src/.hidden/x"));
	assert_int_not_equal(r->source, WS_CONFIGURED);
	r = ws(&l, NULL, "/srv/buildx");
	assert_int_equal(r->source, WS_NONE);
	ws_list_free(&l);
	/* bad entries: refused with a reason, the list left as it was */
	{
		static const char *const bad[] = { "relative", "/", "~", "/usr/*", "/etc", "/a/../b", "/*", "/srv/**",
			"/ok, /etc", "", "/x,,/y" };

		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			err[0] = '\0';
			assert_int_equal(ws_list_add(&l, bad[i], H, err, sizeof err), -1);
			assert_true(err[0] != '\0');
			assert_int_equal(l.n, 0);
		}
	}
	assert_int_equal(ws_list_add(&l, "/tmp/*, /var/www/*", H, err, sizeof err), 0);
	ws_list_free(&l);
}

/* --- the intent: targets through links, links being made ------------------------------------ */

static struct intent *
run(const char *cwd, const char *wsdir, const char *cmd)
{
	static char cfg[2 * PATH_MAX], db[2 * PATH_MAX], rt[2 * PATH_MAX];
	struct intent_env env = { .home = H, .config_dir = cfg, .db_path = db, .runtime_dir = rt };
	struct intent_ctx *x;

	snprintf(cfg, sizeof cfg, "%s/cfg", D);
	snprintf(db, sizeof db, "%s/cfg/db", D);
	snprintf(rt, sizeof rt, "%s/cfg/run", D);
	arena_reset(A);
	arena_reset(TMP);
	x = intent_begin(A, TMP, T, &env, "exec", cwd, wsdir);
	assert_non_null(x);
	assert_int_equal(intent_shell(x, cmd, strlen(cmd)), 0);
	return intent_get(x);
}

static const struct intent_target *
target(const struct intent *in, const char *path)
{
	for (size_t k = 0; k < in->ncmds; k++) {
		const struct intent_cmd *c = intent_cmd(in, k);

		for (size_t j = 0; j < c->ntargets; j++)
			if (strcmp(c->targets[j].path, path) == 0)
				return &c->targets[j];
	}
	return NULL;
}

static bool
has_signal(const struct intent *in, const char *id)
{
	for (size_t k = 0; k < in->nsigs; k++)
		if (strcmp(in->sigs[k].rule->id, id) == 0)
			return true;
	return false;
}

static void
test_intent_links(void **state)
{
	char W[2 * PATH_MAX];
	const struct intent *in;
	const struct intent_target *t;

	(void)state;
	snprintf(W, sizeof W, "%s", at("ws"));
	in = run(W, W, "echo x >> notes.txt");
	t = target(in, at("home/.bashrc"));
	assert_non_null(t);
	assert_string_equal(t->through, at("ws/notes.txt"));
	assert_int_equal(t->cls, PC_PERSISTENCE);
	assert_non_null(target(in, at("ws/notes.txt")));
	/* rm of the link itself: no target behind it */
	in = run(W, W, "rm notes.txt");
	assert_null(target(in, at("home/.bashrc")));
	in = run(W, W, "rm -r etc/");
	assert_non_null(target(in, "/etc"));
	/* a glob in a linked directory */
	in = run(W, W, "rm -rf etc/*");
	assert_non_null(target(in, "/etc/*"));
	/* nothing behind a plain path, a $VAR or a remote command */
	in = run(W, W, "echo x > src/new.c; echo y > $F; ssh host 'echo x > notes.txt'");
	for (size_t k = 0; k < in->ncmds; k++)
		for (size_t j = 0; j < intent_cmd(in, k)->ntargets; j++)
			assert_null(intent_cmd(in, k)->targets[j].through);
	/* hard links, loops */
	in = run(W, W, "echo x >> hard.txt");
	assert_true(has_signal(in, "write-hardlink"));
	in = run(W, W, "echo x > loop1");
	assert_true(has_signal(in, "path-unresolved"));
	/* making links */
	in = run(W, W, "ln -s ~/.bashrc n2");
	assert_true(has_signal(in, "link-sensitive"));
	in = run(W, W, "ln -s /tmp/x n3");
	assert_true(has_signal(in, "link-out"));
	assert_false(has_signal(in, "link-sensitive"));
	in = run(W, W, "ln -s src/a.c b.c; ln -sr src/a.c src/b.c; ln -s ../src/a.c src/c.c; cp -s a.c x");
	assert_false(has_signal(in, "link-out"));
	assert_false(has_signal(in, "link-sensitive"));
	in = run(W, W, "ln -s ../../etc/passwd src/x");
	assert_true(has_signal(in, "link-out") || has_signal(in, "link-sensitive"));
	in = run(W, W, "ln -st src /etc/hosts");
	assert_true(has_signal(in, "link-sensitive"));
	in = run(W, W, "ln ~/.ssh/id_ed25519 k; cp -l ~/.bashrc r");
	assert_true(has_signal(in, "hardlink-sensitive"));
	in = run(W, NULL, "ln -s src/a.c b.c");
	assert_true(has_signal(in, "link-out")); /* no workspace: every link leaves it */
	in = run(W, W, "ln -s $T l");
	assert_true(has_signal(in, "link-out"));
	in = run(W, W, "python3 -c \"import os; os.symlink('/etc', 'e')\"");
	assert_true(has_signal(in, "code-link"));
	/* a link made earlier in the line is followed by the commands after it */
	in = run(W, W, "ln -s ~/.ssh k && cat k/id_ed25519");
	t = target(in, at("home/.ssh/id_ed25519"));
	assert_non_null(t);
	assert_int_equal(t->cls, PC_SECRET);
	/* the workspace behind a link: its files are still the workspace */
	{
		char real[2 * PATH_MAX], cwd[2 * PATH_MAX], wsl[2 * PATH_MAX];
		struct intent_env env = { .home = H, .workspace_real = real };
		struct intent_ctx *x;

		snprintf(real, sizeof real, "%s", at("ws"));
		snprintf(cwd, sizeof cwd, "%s", at("wslink/src"));
		snprintf(wsl, sizeof wsl, "%s", at("wslink"));
		arena_reset(A);
		arena_reset(TMP);
		x = intent_begin(A, TMP, T, &env, "exec", cwd, wsl);
		assert_int_equal(intent_shell(x, "echo x > new.c", 14), 0);
		in = intent_get(x);
		assert_int_equal(intent_cmd(in, 0)->ntargets, 1);
		assert_int_equal(intent_cmd(in, 0)->targets[0].cls, PC_WORKSPACE);
	}
	/* no_resolve: lexical only */
	{
		struct intent_env env = { .home = H, .no_resolve = true };
		struct intent_ctx *x;

		arena_reset(A);
		arena_reset(TMP);
		x = intent_begin(A, TMP, T, &env, "exec", W, W);
		assert_int_equal(intent_shell(x, "echo x > notes.txt", 18), 0);
		assert_null(target(intent_get(x), at("home/.bashrc")));
	}
	/* a bounded number of look-ups per request; what is over is said */
	{
		char big[300 * 24];
		size_t o = 0;

		for (int k = 0; k < 300; k++)
			o += (size_t)snprintf(big + o, sizeof big - o, "echo x > f%d; ", k);
		in = run(W, W, big);
		assert_true(has_signal(in, "path-unresolved"));
		in = run(W, W, "echo a > same; echo b > same; cat same; echo c >> same");
		assert_false(has_signal(in, "path-unresolved"));
	}
	/* without a workspace a relative path and no cwd is unknown, never workspace */
	in = run(NULL, NULL, "echo x > a.txt");
	assert_int_equal(intent_cmd(in, 0)->targets[0].cls, PC_UNKNOWN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_workspace),
		cmocka_unit_test(test_intent_links),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
