#!/usr/bin/env bash
# Issue #13 items 5-7: an agent hides what runs or what is written behind a
# variable, a wrapper, a hook that names a program, other rights, or an
# output option spelled another way.  With the default settings (routine
# preset: what scores low is allowed) none of these may be allowed without
# a person, and each is at least high; the benign near misses still are.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/rules/rules_lib.sh"
source "$SG_SRC/tests/security/lib_intent.sh"

default_broker

high() { held "$1" "$(exec_req "$1")"; at_least_high "$1"; }

# --- item 5: indirection
high 'C=rm; $C -rf ~'
high 'read C; $C'
high 'C=sh; nohup "$C"'
high 'C=sh; split --filter=$C /dev/stdin'
high 'C=sh; pidstat -e $C'
high 'chronic rm -rf ~'
high 'systemd-run --user --scope rm -rf ~'
high 'script -qc "rm -rf ~" /dev/null'
high 'CRASHPAGER=/tmp/x ls'
high 'GIT_SSH_COMMAND="$X" git fetch'
high 'LD_PRELOAD=/tmp/x.so ls'
high 'NODE_OPTIONS="--require /tmp/x.js" node app.js'
high "git -c core.pager='sh -c id' log"
high 'git -c core.sshCommand=$(cat /tmp/c) fetch'
high "git -c alias.x='!rm -rf ~' x"
high 'git --config-env=core.pager=EVIL log'
pass "variables, wrappers and hooks that name a program"

# --- item 6: privilege
high 'sudo ls /root'
high 'sg docker "docker ps"'
high 'newgrp docker'
high 'runuser -u bob -- ls'
high 'sudoedit /etc/hosts'
high 'sudo -e /etc/hosts'
high 'machinectl shell'
high 'capsh --'
held 'unshare' "$(exec_req 'unshare -r id')"
not_low 'unshare -r id'
pass "privilege wrappers"

# --- item 7: output options
high 'git log --output /etc/hosts'
high 'git log --outp=/etc/hosts'
high 'git format-patch -o ~/.ssh HEAD~1'
high '7z x -o/etc a.7z'
high 'curl --output-dir /etc -O https://example.com/a'
high 'wget --directory-p=/etc https://example.com/a'
high 'strace -o/etc/ld.so.preload ls'
high 'sort -o/etc/passwd x'
high 'install -D x -t /usr/local/bin'
high 'go build -o /usr/local/bin/x .'
high 'pandoc x.md --output=/etc/motd'
pass "writes through output options in every spelling"

# --- near misses stay allowed
allowed "timeout" "$(exec_req 'timeout 60 make test')"
allowed "git log output" "$(exec_req 'git log --output=changes.txt')"
allowed "tar into /tmp" "$(exec_req 'tar -xf a.tar -C /tmp')"
allowed "sort -o" "$(exec_req 'sort -o out.txt in.txt')"
allowed "sudo -l" "$(exec_req 'sudo -l')"
pass "benign near misses are allowed by the routine preset"
