/* test_runs_intent.c -- issue #13, the runs families (broker/intent/runs.c,
 * tables/runs, and the rules of tables/commands they go with): options,
 * environment and text that make a program run a command; interpreters and
 * terminal sessions started without a script; local package files; tunnels,
 * listeners and containers with host paths.  Positive cases, near misses that
 * must stay low, hostile spellings, and the table's new keys (good and bad). */
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


/* --- family 1: options, environment and text that run a command ------------------------ */

static void
test_hooks(void **state)
{
	static const struct icase c[] = {
		{ "restic --password-command='sh -c id' backup .", "high+", "runs-hook" },
		{ "restic --password-command /tmp/x snapshots", "high+", "runs-hook" },
		{ "restic --password-command=/tmp/x snapshots", "high+", "runs-hook" },
		{ "RESTIC_PASSWORD_COMMAND=/tmp/x restic snapshots", "high+", "env-exec" },
		{ "restic -o sftp.command=/tmp/x snapshots", "high+", "runs-hook" },
		{ "restic snapshots", "medium", NULL },
		{ "sshfs -o ssh_command=/tmp/x h: ./m", "high+", "runs-hook" },
		{ "sshfs -ossh_command=/tmp/x h: ./m", "high+", "runs-hook" },
		{ "sshfs -o reconnect,SSH_Command=/tmp/x h: ./m", "high+", "runs-hook" },
		{ "sshfs -o reconnect,idmap=user h: ./m", "low", NULL },
		{ "dnsmasq --conf-script='/tmp/x 1>&2'", "high+", "runs-hook" },
		{ "fail2ban-client set x action x actionban /tmp/x", "high+", "runs-hook" },
		{ "fail2ban-client status", "low", NULL },
		{ "mysql --default-auth ../../lib/x", "high+", "runs-lib" },
		{ "mysql --plugin-dir=/tmp/p", "high+", "runs-lib" },
		{ "mysql --plugin-dir=/usr/lib/mysql/plugin -u x", "low", NULL },
		{ "mysql --default-auth=caching_sha2_password -u x", "low", NULL },
		{ "dvips -R0 x.dvi", "high", "runs-shell-escape" },
		{ "dvips x.dvi", "low", NULL },
		{ "pdflatex --shell-escape x.tex", "high", "runs-shell-escape" },
		{ "pdflatex '\\write18{rm -rf ~}'", "critical", "runs-hook" },
		{ "echo 'esyscmd(id)' | m4", "high", "runs-hook" },
		{ "m4 <<< 'syscmd(`rm -rf /'\"'\"')'", "critical", "runs-hook" },
		{ "m4 -Dx='esyscmd(id)' f.m4", "high", "runs-hook" },
		{ "m4 -Dx=1 f.m4", "low", NULL },
	};

	(void)state;
	CHECK(c);
}

/* --- family 2: interpreters and sessions started without a script ---------------------- */

static void
test_repl(void **state)
{
	static const struct icase c[] = {
		{ "screen", "high", "repl-interactive" },
		{ "screen -S w", "high", "repl-interactive" },
		{ "screen -dmS w", "medium", "repl-detached" },
		{ "screen -ls", "low", NULL },
		{ "screen -dm id", "low", "runs-cmd" },
		{ "tmux", "high", "repl-interactive" },
		{ "tmux new-session -s x", "high", "repl-interactive" },
		{ "tmux new -d", "medium", "repl-detached" },
		{ "tmux ls", "low", NULL },
		{ "tmux new 'make test'", "low", "runs-cmd" },
		{ "tclsh", "high", "repl-interactive" },
		{ "tclsh x.tcl", "low", NULL },
		{ "irb", "high", "repl-interactive" },
		{ "python3", "high", "repl-interactive" },
		{ "python3 -q", "high", "repl-interactive" },
		{ "python3 --version", "low", NULL },
		{ "python3 x.py", "low", NULL },
		{ "python3 < x.py", "low", NULL },
		{ "echo 1 | node", "low", NULL },
		{ "ncdu /", "high", "repl-interactive" },
		{ "ncdu -o x.json .", "low", NULL },
		{ "sudo tclsh", "critical", NULL },
		{ "systemd-run id", "high", "runs-outside" },
		{ "systemd-run --user -- rm -rf ~", "critical", "runs-outside" },
		{ "openvt -- /tmp/x", "high", "runs-outside" },
		{ "rlwrap -l /etc/x cat", "high+", NULL },
		{ "rlwrap cat", "low", NULL },
	};

	(void)state;
	CHECK(c);
}

/* --- family 3 and 4: local package files, tunnels, listeners, host mounts ---------------- */

static void
test_packages_listen(void **state)
{
	static const struct icase c[] = {
		{ "dpkg -i x.deb", "high", "dpkg-local" },
		{ "dpkg -l", "low", NULL },
		{ "apt install ./x.deb", "high", "pkg-local-file" },
		{ "apt install jq", "medium", NULL },
		{ "rpm -Uvh x.rpm", "high", "rpm-install" },
		{ "rpm -qa", "low", NULL },
		{ "snap install --dangerous x.snap", "high", "snap-local" },
		{ "snap install hello", "medium", NULL },
		{ "code tunnel", "critical", "code-tunnel" },
		{ "code tunnel status", "low", NULL },
		{ "ssh -NR 80:localhost:80 h", "critical", "ssh-reverse" },
		{ "tailscale funnel 80", "critical", "tailscale-funnel" },
		{ "tailscale status", "low", NULL },
		{ "kubectl proxy --address=0.0.0.0", "high", "kubectl-proxy-all" },
		{ "fzf --listen", "high", "fzf-listen" },
		{ "fzf -f x", "low", NULL },
		{ "docker run --mount type=bind,src=/,dst=/h alpine", "critical", "docker-bind-root" },
		{ "docker run --mount type=bind,source=/,target=/h alpine", "critical", "docker-bind-root" },
		{ "docker run --mount type=bind,src=/srv/x,dst=/h alpine", "medium", NULL },
		{ "ctr run --mount type=bind,src=/,dst=/,options=rbind alpine x", "critical", "docker-bind-root" },
		{ "git apply --unsafe-paths --directory / x.patch", "high", "git-apply-unsafe" },
	};

	(void)state;
	CHECK(c);
}

static struct tables *
load(const char *name, const char *text, char *err, size_t errlen)
{
	return tables_load_mem(&name, &text, 1, "/home/dev", err, errlen);
}

static void
test_runs_table(void **state)
{
	char err[256];
	struct tables *t;
	size_t n;
	const struct runspec *const *r;

	(void)state;
	t = load("runs", "zz - hook=--run kv=-o:cmd after=do lib=--lib shesc=-X \"embed=call(:):sh\" repl norepl=-v "
	                 "detach=-d outside\n",
	    err, sizeof err);
	assert_non_null(t);
	r = tables_runs(t, "zz", &n);
	assert_non_null(r);
	assert_true(r[n - 1]->repl && r[n - 1]->outside);
	assert_int_equal(r[n - 1]->kv.n, 1);
	assert_int_equal(r[n - 1]->embed.n, 1);
	tables_free(t);
	assert_null(load("runs", "zz - kv=-o\n", err, sizeof err));
	assert_non_null(strstr(err, "kv="));
	assert_null(load("runs", "zz - embed=call(:)\n", err, sizeof err));
	assert_null(load("runs", "zz - embed=call(:):py\n", err, sizeof err));
	assert_null(load("runs", "zz - embed=:):sh\n", err, sizeof err));
	assert_null(load("runs", "zz - replay\n", err, sizeof err));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hooks),
		cmocka_unit_test(test_repl),
		cmocka_unit_test(test_packages_listen),
		cmocka_unit_test(test_runs_table),
	};

	return cmocka_run_group_tests(tests, intent_setup, intent_teardown);
}
