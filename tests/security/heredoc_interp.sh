#!/usr/bin/env bash
# Issue #13 (del): here-documents fed to interpreters and shells.  The body is
# scored as that language's code, like -c/-e code: python3 <<EOF with
# shutil.rmtree("/etc") is critical like rm -rf /etc, in every delimiter
# spelling (quoted, with spaces, <<-, \EOF) and every way of naming stdin
# (-, /dev/stdin, /proc/self/fd/0, deno run -, awk -f -).  Benign bodies are
# allowed at once.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/rules/rules_lib.sh"
source "$SG_SRC/tests/security/lib_intent.sh"

default_broker

crit() { # NAME COMMAND
	held "$1" "$(exec_req "$2")"
	[ "$LEVEL" = critical ] || fail "$1: scored '$LEVEL', want critical"
}

crit "python unquoted" 'python3 <<EOF
import shutil
shutil.rmtree("/etc")
EOF'
crit "python quoted with space" 'python3 << "EOF SPACE"
import os
os.system("rm -rf ~")
EOF SPACE'
crit "python tabs" "python3 <<-EOF
	import shutil
	shutil.rmtree('/etc')
	EOF"
crit "python backslash delimiter" 'python3 <<\EOF
import shutil
shutil.rmtree("/etc")
EOF'
crit "python /dev/stdin" "python3 /dev/stdin <<'P'
import shutil; shutil.rmtree('/usr')
P"
crit "python /proc/self/fd/0" "python3 /proc/self/fd/0 <<'P'
import os; os.system('rm -rf ~')
P"
crit "bash <<-" "bash <<-EOF
	rm -rf /
	EOF"
crit "sh -s" 'sh -s <<EOF
rm -rf ~
EOF'
crit "node quoted" "node <<'JS'
require('child_process').execSync('rm -rf /etc')
JS"
crit "deno run -" "deno run - <<'TS'
Deno.removeSync('/etc', {recursive: true})
TS"
crit "ruby" 'ruby <<RB
system("rm -rf /etc")
RB'
crit "perl -" "perl - <<'PL'
unlink '/etc/passwd';
PL"
crit "awk -f -" "awk -f - <<'A'
BEGIN{system(\"rm -rf /etc\")}
A"
crit "psql" 'psql <<SQL
DROP DATABASE prod;
SQL'
crit "wrapped" 'timeout 5 python3 <<EOF
import shutil
shutil.rmtree("/etc")
EOF'

allowed "python prints" "$(exec_req 'python3 <<EOF
print("hello")
EOF')"
allowed "bash reads" "$(exec_req 'bash <<EOF
git status
EOF')"
allowed "heredoc to a file" "$(exec_req "cat <<'EOF' > gen.py
import shutil
shutil.rmtree('/etc')
EOF")"
pass
