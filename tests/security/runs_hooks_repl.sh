#!/usr/bin/env bash
# Issue #13, runs family 1 and 2: options, environment and text that make a
# program run a command (restic --password-command, sshfs -o ssh_command,
# dnsmasq --conf-script, fail2ban actions, mysql --default-auth PATH, rg
# --pre, dvips -R0, TeX \write18, m4 esyscmd), and interpreters or terminal
# sessions started without a script (a shell escape: whatever is typed runs),
# in every spelling.  With the broker's default settings (routine preset) none
# is allowed; the near misses that run nothing stay allowed.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/rules/rules_lib.sh"
source "$SG_SRC/tests/security/lib_intent.sh"

default_broker

for cmd in \
	"restic --password-command='/bin/sh -c id' backup ." \
	"restic --password-command /path/to/command snapshots" \
	"RESTIC_PASSWORD_COMMAND=/tmp/x restic snapshots" \
	"restic -o sftp.command=/tmp/x -r sftp:h:/r snapshots" \
	"sshfs -o ssh_command=/path/to/command x: /mnt/d" \
	"sshfs -ossh_command='sh -c id' x: /mnt/d" \
	"sshfs -o reconnect,SSH_COMMAND=/tmp/x x: /mnt/d" \
	"dnsmasq --conf-script='/path/to/command 1>&2'" \
	"fail2ban-client set x action x actionban /path/to/command" \
	"mysql --default-auth ../../../../../path/to/lib" \
	"mysql --plugin-dir=/tmp/p -u root" \
	"rg --pre=./x foo" \
	"rg --hostname-bin /tmp/x foo" \
	"dvips -R0 texput.dvi" \
	"pdflatex -shell-escape x.tex" \
	"pdflatex '\\immediate\\write18{id}'" \
	"echo 'esyscmd(id)' | m4" \
	"m4 -D 'x=syscmd(id)' f.m4" \
	"screen" "screen -S w" "tmux" "tmux new -s x" "tclsh" "wish" "irb" "jshell" "python3" "node" "ncdu" "ncdu /" \
	"openvt -- /path/to/command" "systemd-run id" "systemd-run --user --scope make"; do
	held "$cmd" "$(exec_req "$cmd")"
	at_least_high "$cmd"
done
pass "commands run through other programs' options, text or terminals are at least high"

for cmd in "fail2ban-client status sshd" "rg foo src" "dvips texput.dvi" "m4 -Dx=1 f.m4" \
	"screen -ls" "tmux ls" "python3 -V" "node --version" "ncdu -o usage.json ." \
	"mysql --default-auth=mysql_native_password -u root"; do
	allowed "$cmd" "$(exec_req "$cmd")"
done
pass "near misses that run nothing stay allowed"
