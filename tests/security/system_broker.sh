#!/bin/bash
# system_broker.sh -- issue #12 item 12: an agent running under the
# reviewer's own uid can reach console.sock and decide its own requests.
# The system-broker mode closes that: the broker runs as a user of its own
# (uid A), console.sock is open only to a reviewers' group (console_group),
# agent.sock to every local user.  Here, as root with numeric uids through
# setpriv: an agent uid B outside the group cannot list or decide (EACCES, a
# clear error) but can submit; a reviewer uid C with the group as a
# supplementary group lists and decides B's request; another agent uid D
# cannot see or cancel B's request; clients trust the broker of uid A only
# because root placed its runtime dir (a dir A owns elsewhere is refused);
# `sandgate sandbox` works against it; console_group and agent_group are
# validated (a name or a numeric gid) and applied.  Needs root: exit 77
# otherwise.
. "$SG_SRC/tests/lib.sh"
[ "$(id -u)" = 0 ] || { echo "skip: needs root to act as other uids"; exit 77; }
command -v setpriv >/dev/null || { echo "skip: needs setpriv"; exit 77; }
command -v sqlite3 >/dev/null || fail "sqlite3 is needed"
Q="$SG_BUILD/tests/hooks/sg_jsonq"
unset SANDGATE_SYSTEM SANDGATE_CONFIG_DIR SANDGATE_HOOK_TIMEOUT || true

A=12346 B=12347 C=12348 D=12350   # broker, agent, reviewer, another agent
G=12349                           # the reviewers' group (no /etc/group entry needed)
AG=12351                          # an agents' group (agent_group)
chmod 755 "$T"
cd "$T"

# The machine's layout, as root (or systemd) makes it: $S stands for / (root
# owns it, nobody else can write it); run/ is /run/sandgate, lib/ is
# /var/lib/sandgate, etc/ is /etc/sandgate.
S="$T/sys"
mkdir -m 755 "$S"
install -d -o "$A" -g "$A" -m 0755 "$S/run"
install -d -o "$A" -g "$A" -m 0700 "$S/lib" "$S/etc"
printf 'preset = none\nconsole_group = %s\n' "$G" >"$S/etc/config"
chown "$A:$A" "$S/etc/config"
SYSENV=(SANDGATE_DIR="$S/run" SANDGATE_DB="$S/lib/sandgate.db" SANDGATE_CONFIG_DIR="$S/etc")

# as UID [GROUPS] -- CMD...: run CMD as UID (primary group = UID) with those
# supplementary groups, pointed at the system broker.
as() {
	local u=$1 groups=
	shift
	if [ "$1" != -- ]; then groups=$1; shift; fi
	shift
	mkdir -p "$T/home-$u"
	chown "$u:$u" "$T/home-$u"
	if [ -n "$groups" ]; then
		setpriv --reuid "$u" --regid "$u" --groups "$groups" env HOME="$T/home-$u" "${SYSENV[@]}" "$@"
	else
		setpriv --reuid "$u" --regid "$u" --clear-groups env HOME="$T/home-$u" "${SYSENV[@]}" "$@"
	fi
}
run_as() { rc=0; as "$@" >"$T/out" 2>"$T/err" </dev/null || rc=$?; }
sys_pid() { cat "$S/run/broker.lock" 2>/dev/null; }
stop_sys() {
	local p
	p=$(sys_pid) || return 0
	[ -n "$p" ] || return 0
	kill "$p" 2>/dev/null || return 0
	for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.05; done
	fail "system broker $p did not stop"
}
at_exit stop_sys

# ---- start: the broker as uid A, a member of G ----
as "$A" "$G" -- "$SANDGATE" broker --system || fail "the system broker did not start"
[ "$(stat -c '%u %a' "$S/run")" = "$A 755" ] || fail "runtime dir: $(stat -c '%u %a' "$S/run")"
[ "$(stat -c '%u %g %a' "$S/run/agent.sock")" = "$A $A 666" ] || fail "agent.sock: $(stat -c '%u %g %a' "$S/run/agent.sock")"
[ "$(stat -c '%u %g %a' "$S/run/console.sock")" = "$A $G 660" ] || fail "console.sock: $(stat -c '%u %g %a' "$S/run/console.sock")"
grep -q "system mode: agent.sock 0666, console.sock 0660 group $G" "$S/run/broker.log" || fail "no system-mode line in the log"
pass "system broker as uid $A: dir 0755, agent.sock 0666, console.sock 0660 group $G"
# nobody else can start the system broker in A's dir
run_as "$B" -- env SANDGATE_CONFIG_DIR="$T/home-$B" "$SANDGATE" broker --system
[ "$rc" = 3 ] && grep -q "refusing the runtime dir $S/run: owned by uid $A, not us (uid $B): a system broker runs as the dir's owner" "$T/err" ||
    fail "uid $B started a broker in the system dir: exit $rc $(cat "$T/err")"

# ---- B, an agent not in G: cannot review ----
for cmd in "status" "pending" "pending --json" "decide 1 allow" "rules list"; do
	# shellcheck disable=SC2086
	run_as "$B" -- "$SANDGATE" $cmd
	[ "$rc" = 3 ] || fail "$cmd as uid $B: exit $rc, want 3 ($(cat "$T/err"))"
	grep -q "permission denied on $S/run/console.sock: only members of group $G may use it (mode 0660), and this process is not one" "$T/err" ||
	    fail "$cmd as uid $B: unclear error: $(cat "$T/err")"
done
run_as "$B" -- "$SGTEST" hold console 1   # a raw protocol client: the same
[ "$rc" = 3 ] || fail "sgtest as uid $B on console.sock: exit $rc"
pass "uid $B (not in group $G) cannot reach console.sock: exit 3, 'only members of group $G may use it'"

# ---- B submits; C (group G) lists and decides ----
(set +e; as "$B" -- "$SANDGATE" ask --session sB --timeout 60 -- make deploy >"$T/askB.out" 2>&1
    echo $? >"$T/askB.rc") &
wait_for 10 '[ "$(as "$C" "$G" -- "$SANDGATE" pending --json | "$Q" len - .)" = 1 ]'
as "$C" "$G" -- "$SANDGATE" pending --json >"$T/pend.json"
[ "$("$Q" get "$T/pend.json" 0.peer.uid)" = "$B" ] || fail "the pending request is not uid $B's: $(cat "$T/pend.json")"
idB=$("$Q" get "$T/pend.json" 0.id)
# D, another agent uid, cannot see, wait for or cancel B's request
run_as "$D" -- "$SGTEST" call agent wait "[$idB]"
[ "$rc" = 1 ] && grep -q "not-found\|not found\|no such request" "$T/out" "$T/err" ||
    fail "uid $D waited on uid $B's request: exit $rc $(cat "$T/out" "$T/err")"
run_as "$D" -- "$SGTEST" call agent cancel "[$idB]"
[ "$rc" = 1 ] || fail "uid $D cancelled uid $B's request: exit $rc $(cat "$T/out")"
# nor can B decide its own, even by name on the agent socket
run_as "$B" -- "$SGTEST" call agent decide "[{\"id\":$idB,\"decision\":\"allow\"}]"
[ "$rc" = 1 ] && grep -q forbidden "$T/out" "$T/err" || fail "uid $B decided on agent.sock: exit $rc $(cat "$T/out")"
as "$C" "$G" -- "$SANDGATE" decide "$idB" allow --note "reviewed by C" >/dev/null || fail "uid $C could not decide"
wait
[ "$(cat "$T/askB.rc")" = 0 ] || fail "B's ask after C allowed: exit $(cat "$T/askB.rc") $(cat "$T/askB.out")"
[ "$(sqlite3 "$S/lib/sandgate.db" "select peer_uid || ' ' || reviewer_uid || ' ' || decision from audit where request_id = $idB and decided_by = 'reviewer'")" = "$B $C allow" ] ||
    fail "audit row: $(sqlite3 "$S/lib/sandgate.db" "select * from audit where request_id = $idB")"
pass "uid $B submits, uid $C (group $G) lists and decides, uid $D sees nothing of it; audit: peer $B, reviewer $C"

# B waits on its own request from a second connection; D cannot
(set +e; as "$B" -- "$SGTEST" call agent submit '[{"req_id":"b2","agent":"t","session":"sB","kind":"exec","command":"make b2","wait":true}]' \
    >/dev/null 2>&1) &
wait_for 10 '[ "$(as "$C" "$G" -- "$SANDGATE" pending --json | "$Q" len - .)" = 1 ]'
idB2=$(as "$C" "$G" -- "$SANDGATE" pending --json | "$Q" get - 0.id)
run_as "$D" -- "$SGTEST" call agent wait "[$idB2]"
[ "$rc" = 1 ] || fail "uid $D waited on uid $B's request: exit $rc"
(set +e; as "$B" -- "$SGTEST" call agent wait "[$idB2]" >"$T/waitB.out" 2>&1; echo $? >"$T/waitB.rc") &
sleep 0.3
as "$C" "$G" -- "$SANDGATE" decide "$idB2" deny >/dev/null || fail "uid $C could not deny"
wait
[ "$(cat "$T/waitB.rc")" = 0 ] && [ "$("$Q" get "$T/waitB.out" decision)" = deny ] ||
    fail "uid $B's own wait: exit $(cat "$T/waitB.rc") $(cat "$T/waitB.out")"
pass "an agent waits on its own requests only"

# ---- the sandbox, for an agent of uid B ----
if command -v bwrap >/dev/null; then
	install -d -o "$B" -g "$B" "$T/wsB"
	(set +e; cd "$T/wsB" && as "$B" -- "$SANDGATE" sandbox --workspace "$T/wsB" -- "$SANDGATE" exec -- sh -c 'id -u >inside.txt' \
	    >"$T/sb.out" 2>&1; echo $? >"$T/sb.rc") &
	wait_for 15 '[ -s "$T/sb.rc" ] || [ "$(as "$C" "$G" -- "$SANDGATE" pending --json | "$Q" len - .)" = 1 ]'
	[ ! -s "$T/sb.rc" ] || fail "sandbox as uid $B: exit $(cat "$T/sb.rc") before asking: $(cat "$T/sb.out")"
	as "$C" "$G" -- "$SANDGATE" decide "$(as "$C" "$G" -- "$SANDGATE" pending --json | "$Q" get - 0.id)" allow >/dev/null
	wait
	[ "$(cat "$T/sb.rc")" = 0 ] && [ "$(cat "$T/wsB/inside.txt")" = "$B" ] ||
	    fail "sandbox as uid $B against the system broker: exit $(cat "$T/sb.rc") $(cat "$T/sb.out")"
	pass "sandgate sandbox as uid $B reaches the system broker (uid $A, unmapped inside) and asks"
else
	echo "note: bwrap missing, the sandbox part is not run"
fi

# ---- the trust rule: only a dir root placed makes uid A trusted ----
# the same broker user running in a dir of its own (not root's) is refused
install -d -o "$A" -g "$A" -m 0755 "$T/a-home"
run_as "$A" "$G" -- env SANDGATE_DIR="$T/a-home/run" "$SANDGATE" broker --system
[ "$rc" = 3 ] && grep -q "clients would not trust the runtime dir $T/a-home/run: its parent $T/a-home is owned by uid $A, not root" "$T/err" ||
    fail "--system in a dir of A's own: exit $rc $(cat "$T/err")"
as "$A" "$G" -- env SANDGATE_DIR="$T/a-home/run" SANDGATE_DB="$T/a-home/db" "$SANDGATE" broker || fail "personal broker of A"
as "$A" -- chmod 755 "$T/a-home/run"
as "$A" -- chmod 666 "$T/a-home/run/agent.sock"
run_as "$B" -- env SANDGATE_DIR="$T/a-home/run" "$SANDGATE" ask -- echo hi
kill "$(cat "$T/a-home/run/broker.lock")"
[ "$rc" = 3 ] && grep -q "refusing $T/a-home/run: owned by uid $A, not you: another user may be impersonating the broker (nor is it a system broker's dir: its parent $T/a-home is owned by uid $A, not root)" "$T/err" ||
    fail "uid $B trusted a broker dir that root did not place: exit $rc $(cat "$T/err")"
# a parent others can write (even sticky, like /tmp) is no placement by root
mkdir -m 1777 "$T/open"
install -d -o "$A" -g "$A" -m 0755 "$T/open/run"
run_as "$A" "$G" -- env SANDGATE_DIR="$T/open/run" "$SANDGATE" broker --system
[ "$rc" = 3 ] && grep -q "its parent $T/open is writable by group or others, mode 1777" "$T/err" ||
    fail "--system under a world-writable parent: exit $rc $(cat "$T/err")"
# a symlinked runtime dir, even to the real one, is refused
ln -s "$S/run" "$T/sys-link"
run_as "$B" -- env SANDGATE_DIR="$T/sys-link" "$SANDGATE" ask -- echo hi
[ "$rc" = 3 ] && grep -q "refusing $T/sys-link: it is a symbolic link" "$T/err" || fail "symlink to the system dir: exit $rc"
# another uid's socket inside the system dir is refused, even with root's placement
F="$T/fake"
install -d -o 12345 -g 12345 -m 0755 "$F"
setpriv --reuid 12345 --regid 12345 --clear-groups env SANDGATE_DIR="$F/run" SANDGATE_DB="$F/db" \
    HOME="$F" XDG_CONFIG_HOME="$F" "$SANDGATE" broker --system 2>"$T/err" && fail "--system in a dir of 12345's own started"
setpriv --reuid 12345 --regid 12345 --clear-groups env SANDGATE_DIR="$F/run" SANDGATE_DB="$F/db" \
    HOME="$F" XDG_CONFIG_HOME="$F" "$SANDGATE" broker || fail "fake broker"
fake=$(cat "$F/run/broker.lock")
chmod 666 "$F/run/agent.sock"
mv "$S/run/agent.sock" "$T/real-agent.sock"
mv "$F/run/agent.sock" "$S/run/agent.sock"
run_as "$B" -- "$SANDGATE" ask -- echo hi
mv "$S/run/agent.sock" "$F/run/agent.sock"
mv "$T/real-agent.sock" "$S/run/agent.sock"
kill "$fake"
[ "$rc" = 3 ] && grep -q "refusing $S/run/agent.sock: owned by uid 12345, not you" "$T/err" ||
    fail "a socket of uid 12345 in the system dir was trusted: exit $rc $(cat "$T/err")"
run_as "$B" -- "$SGTEST" call agent submit '[{"req_id":"b3","agent":"t","session":"sB","kind":"exec","command":"true","wait":false}]'
[ "$rc" = 0 ] || fail "the real system broker after the swap: exit $rc $(cat "$T/err")"
pass "uid $A is trusted only in a dir root placed: own parent, a writable parent, a symlink, a foreign socket are refused"
stop_sys

# ---- console_group and agent_group: validation and application ----
bad_group() {
	printf 'preset = none\n%s\n' "$1" >"$S/etc/config"
	run_as "$A" "$G" -- "$SANDGATE" broker --system
	[ "$rc" = 3 ] && grep -q "config: line 2: ${1%% =*} must be the name of an existing group or a numeric gid" "$T/err" ||
	    fail "config '$1': exit $rc $(cat "$T/err")"
}
bad_group "console_group = no-such-group-sg12"
bad_group "console_group = -1"
bad_group "console_group = 4294967295"
bad_group "console_group = a b"
bad_group "console_group ="
bad_group "agent_group = no-such-group-sg12"
# the broker's user must belong to the group it gives the socket
printf 'preset = none\nconsole_group = %s\n' "$G" >"$S/etc/config"
run_as "$A" -- "$SANDGATE" broker --system
[ "$rc" = 3 ] && grep -q "cannot give $S/run/console.sock to group $G (console_group = $G): Operation not permitted (the broker's user must be a member of that group)" "$T/err" ||
    fail "console_group without membership: exit $rc $(cat "$T/err")"
[ ! -e "$S/run/agent.sock" ] && [ ! -e "$S/run/console.sock" ] || fail "a broker that failed to start left its sockets"
# a group by name, and agent.sock limited to an agents' group
name=$(getent group | awk -F: '$3 >= 100 && $3 < 65534 { print $1 " " $3; exit }')
if [ -n "$name" ]; then
	gname=${name% *} gid=${name#* }
	printf 'preset = none\nconsole_group = %s\nagent_group = %s\n' "$gname" "$AG" >"$S/etc/config"
	as "$A" "$gid,$AG" -- "$SANDGATE" broker --system || fail "broker with console_group = $gname"
	[ "$(stat -c '%g %a' "$S/run/console.sock")" = "$gid 660" ] || fail "console.sock with a named group"
	[ "$(stat -c '%g %a' "$S/run/agent.sock")" = "$AG 660" ] || fail "agent.sock with agent_group"
	run_as "$C" "$gid" -- "$SANDGATE" status
	[ "$rc" = 0 ] || fail "member of $gname: status exit $rc $(cat "$T/err")"
	run_as "$B" -- "$SANDGATE" ask -- echo hi
	[ "$rc" = 3 ] && grep -q "permission denied on $S/run/agent.sock: only members of group $AG may use it" "$T/err" ||
	    fail "uid $B outside agent_group: exit $rc $(cat "$T/err")"
	run_as "$B" "$AG" -- "$SGTEST" call agent submit '[{"req_id":"b4","agent":"t","session":"sB","kind":"exec","command":"true","wait":false}]'
	[ "$rc" = 0 ] || fail "uid $B in agent_group: exit $rc $(cat "$T/err")"
	stop_sys
	pass "console_group by name ($gname) and agent_group ($AG) applied"
fi
pass "console_group and agent_group are validated; the broker's user must belong to them"

# ---- a personal broker with console_group: root's, reviewed by C ----
printf 'preset = none\nconsole_group = %s\n' "$G" >>"$XDG_CONFIG_HOME/sandgate/config"
start_broker
[ "$(stat -c '%a' "$SANDGATE_DIR")" = 711 ] || fail "personal dir with console_group: $(stat -c %a "$SANDGATE_DIR")"
[ "$(stat -c '%g %a' "$SANDGATE_DIR/console.sock")" = "$G 660" ] || fail "personal console.sock"
[ "$(stat -c '%a' "$SANDGATE_DIR/agent.sock")" = 600 ] || fail "personal agent.sock"
rc=0; setpriv --reuid "$C" --regid "$C" --groups "$G" "$SANDGATE" status >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 0 ] || fail "uid $C reviewing root's broker: exit $rc $(cat "$T/err")"
rc=0; setpriv --reuid "$B" --regid "$B" --clear-groups "$SANDGATE" status >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 3 ] || fail "uid $B reviewing root's broker: exit $rc"
pass "personal broker with console_group: dir 0711, console.sock 0660 to the group, agent.sock 0600"
