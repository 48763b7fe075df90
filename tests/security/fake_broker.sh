#!/bin/bash
# fake_broker.sh -- issue #12 item 5: another user starts a broker of their own
# where a victim's clients look for one (the default /tmp/sandgate-$UID when
# XDG_RUNTIME_DIR is unset), and the victim's hook obeys it.  Every client
# must refuse, loudly and fail closed, unless the runtime dir, the socket and
# the process listening on it are the victim's own (or root's, or a system
# broker's: tests/security/system_broker.sh).  The fake is the real sandgate
# broker run by uid 12345 (no passwd entry needed), opened up to everyone;
# the victims are root and a second, non-root uid.  Variants: the dir owned
# by the victim but the socket by the attacker, a group- or other-writable
# dir, a symlinked dir, a socket replaced by a regular file or a FIFO, another
# uid listening behind a socket path that looks like the victim's; and the
# broker's own refusals (a runtime dir, lock, log or socket file it does not
# own).  Needs root (to act as other users): exit 77 otherwise.
. "$SG_SRC/tests/lib.sh"
[ "$(id -u)" = 0 ] || { echo "skip: needs root to act as other uids"; exit 77; }
command -v setpriv >/dev/null || { echo "skip: needs setpriv"; exit 77; }
command -v sqlite3 >/dev/null || fail "sqlite3 is needed"
Q="$SG_BUILD/tests/hooks/sg_jsonq"
unset CLAUDE_PROJECT_DIR SANDGATE_HOOK_TIMEOUT SANDGATE_SYSTEM SANDGATE_CONFIG_DIR || true

ATT=12345                        # the attacker
VIC=$((23000 + RANDOM % 5000))   # a second victim, not root
while [ -e "/tmp/sandgate-$VIC" ]; do VIC=$((VIC + 1)); done
DEFAULT_DIR=/tmp/sandgate-$VIC   # where the victim's clients look by default
chmod 755 "$T"
cd "$T"

as_uid() { local u=$1; shift; setpriv --reuid "$u" --regid "$u" --clear-groups "$@"; }

# The attacker's own files: config (the default routine preset: allows what
# scores low, e.g. `echo`), database, home.
A="$T/att"
mkdir -p "$A/config" "$A/state"
chown -R "$ATT:$ATT" "$A"
chmod 755 "$A"
att() { as_uid "$ATT" env HOME="$A" XDG_CONFIG_HOME="$A/config" XDG_STATE_HOME="$A/state" \
    SANDGATE_DB="$A/state/sandgate.db" "$@"; }
fake_pids=
kill_fakes() {
	local p
	for p in $fake_pids; do kill "$p" 2>/dev/null; done
	sleep 0.2
	rm -rf "$DEFAULT_DIR"
}
at_exit kill_fakes
# fake_broker DIR: the attacker's real broker in DIR, opened to every user.
fake_broker() {
	att env SANDGATE_DIR="$1" "$SANDGATE" broker || fail "the attacker's broker did not start in $1"
	fake_pids="$fake_pids $(cat "$1/broker.lock")"
	att chmod 755 "$1"
	att chmod 666 "$1/agent.sock" "$1/console.sock"
}
audit_rows() { sqlite3 "$A/state/sandgate.db" 'select count(*) from audit'; }

# Each victim's own files (config: the default routine preset, which allows
# `echo hi`; database; home).
for u in "$VIC" 0; do
	mkdir -p "$T/vic-$u/config" "$T/vic-$u/state"
	chown -R "$u:$u" "$T/vic-$u"
done
# victim UID DIR CMD...: run sandgate as UID with runtime dir DIR ("default":
# neither SANDGATE_DIR nor XDG_RUNTIME_DIR set); sets rc, $T/out, $T/err.
victim() {
	local u=$1 d=$2 h="$T/vic-$1"
	local -a envs=(HOME="$h" XDG_CONFIG_HOME="$h/config" XDG_STATE_HOME="$h/state"
	    SANDGATE_DB="$h/state/sandgate.db")
	shift 2
	rc=0
	if [ "$d" = default ]; then
		as_uid "$u" env -u SANDGATE_DIR -u XDG_RUNTIME_DIR "${envs[@]}" "$SANDGATE" "$@" \
		    <"${IN:-/dev/null}" >"$T/out" 2>"$T/err" || rc=$?
	else
		as_uid "$u" env SANDGATE_DIR="$d" "${envs[@]}" "$SANDGATE" "$@" \
		    <"${IN:-/dev/null}" >"$T/out" 2>"$T/err" || rc=$?
	fi
}
# refused WANT_RC WORDS WHAT: the last victim run exited WANT_RC, said WORDS on
# stderr, and the attacker's broker recorded nothing new.
refused() {
	[ -z "${SHOW:-}" ] || echo "  [$3] $(cat "$T/err")"
	[ "$rc" = "$1" ] || fail "$3: exit $rc, want $1 ($(cat "$T/err"))"
	grep -q -- "$2" "$T/err" || fail "$3: stderr lacks '$2': $(cat "$T/err")"
	[ "$(wc -l <"$T/err")" -le 2 ] || fail "$3: more than a line or two on stderr: $(cat "$T/err")"
	[ "$(audit_rows)" = "$rows" ] || fail "$3: the attacker's broker got a request"
}
hook_payload() {
	printf '{"session_id":"s-fake","transcript_path":"/t.jsonl","cwd":"%s","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"echo hi"},"tool_use_id":"toolu_fake%s"}' \
	    "$T" "$RANDOM" >"$T/hook.json"
}
# hook_denied UID DIR WORDS: the Claude Code hook, run as UID against DIR,
# answers deny with WORDS in the reason.
hook_denied() {
	hook_payload
	IN="$T/hook.json" victim "$1" "$2" hook claude-code
	[ "$rc" = 0 ] || fail "hook as $1: exit $rc ($(cat "$T/err"))"
	[ "$("$Q" get "$T/out" hookSpecificOutput.permissionDecision)" = deny ] ||
	    fail "hook as $1 against $2 did not deny: $(cat "$T/out")"
	grep -q -- "$3" "$T/out" || fail "hook reason lacks '$3': $(cat "$T/out")"
	[ "$(audit_rows)" = "$rows" ] || fail "hook as $1: the attacker's broker got a request"
}

# ---- the review's attack: the attacker owns /tmp/sandgate-$VIC first ----
att mkdir "$DEFAULT_DIR"
fake_broker "$DEFAULT_DIR"
# the fake answers: the attacker's own ask is allowed (so a victim that
# trusted it would be allowed too)
att env SANDGATE_DIR="$DEFAULT_DIR" "$SANDGATE" ask -- echo hi >/dev/null 2>&1 ||
    fail "the fake broker does not allow echo: this test would prove nothing"
rows=$(audit_rows)
[ "$rows" -ge 1 ] || fail "the fake broker recorded nothing"
want="refusing $DEFAULT_DIR: owned by uid $ATT, not you: another user may be impersonating the broker"
victim "$VIC" default ask -- echo hi
refused 3 "$want" "ask as uid $VIC"
hook_denied "$VIC" default "$want"
for cmd in "pending" "status" "decide 1 allow" "pending --json" "rules list"; do
	# shellcheck disable=SC2086
	victim "$VIC" default $cmd
	refused 3 "$want" "$cmd as uid $VIC"
done
victim "$VIC" default exec -- true
refused 3 "$want" "exec as uid $VIC"
victim 0 "$DEFAULT_DIR" ask -- echo hi
refused 3 "refusing $DEFAULT_DIR: owned by uid $ATT, not you" "ask as root"
hook_denied 0 "$DEFAULT_DIR" "refusing $DEFAULT_DIR"
victim 0 "$DEFAULT_DIR" sandbox --workspace "$T" -- true
refused 3 "refusing $DEFAULT_DIR" "sandbox as root"
grep -q "nor is it a system broker's dir: its parent /tmp is writable by group or others" "$T/err" ||
    fail "the refusal does not say why it is no system broker's dir: $(cat "$T/err")"
pass "a fake broker in /tmp/sandgate-UID: ask, exec, pending, decide, status, rules, sandbox exit 3, the hook denies; nothing reaches it"

# the victim's own broker refuses that dir too
victim "$VIC" default broker
[ "$rc" = 3 ] && grep -q "refusing the runtime dir $DEFAULT_DIR: owned by uid $ATT, not us" "$T/err" ||
    fail "the victim's broker took the attacker's dir: exit $rc $(cat "$T/err")"
victim 0 "$DEFAULT_DIR" broker --foreground
[ "$rc" = 3 ] && grep -q "refusing the runtime dir $DEFAULT_DIR: owned by uid $ATT" "$T/err" ||
    fail "root's broker took the attacker's dir: exit $rc $(cat "$T/err")"
pass "the victim's broker refuses a runtime dir owned by someone else"

# ---- the dir is the victim's, the socket the attacker's ----
for u in "$VIC" 0; do
	D="$T/v2-$u"
	F="$T/att/f2-$u"
	att mkdir "$F"
	fake_broker "$F"
	mkdir -m 700 "$D"
	mv "$F/agent.sock" "$F/console.sock" "$D/" # root moves them: they stay the attacker's
	chown "$u:$u" "$D"
	victim "$u" "$D" ask -- echo hi
	refused 3 "refusing $D/agent.sock: owned by uid $ATT, not you" "socket of uid $ATT in the dir of uid $u"
	victim "$u" "$D" status
	refused 3 "refusing $D/console.sock: owned by uid $ATT, not you" "status, socket of uid $ATT"
	hook_denied "$u" "$D" "refusing $D/agent.sock"
done
pass "a socket owned by another uid in the victim's own dir is refused"

# ---- another uid listens behind files that look like the victim's ----
for u in "$VIC" 0; do
	F="$T/att/f3-$u"
	att mkdir "$F"
	fake_broker "$F"
	chown "$u:$u" "$F" "$F/agent.sock" "$F/console.sock"
	chmod 700 "$F"
	victim "$u" "$F" ask -- echo hi
	refused 3 "refusing $F/agent.sock: the process listening there (pid [0-9]*) runs as uid $ATT, not you" \
	    "peer of uid $ATT (victim $u)"
	victim "$u" "$F" pending
	refused 3 "runs as uid $ATT, not you: another user may be impersonating the broker" "pending, peer of uid $ATT"
	hook_denied "$u" "$F" "runs as uid $ATT"
done
pass "SO_PEERCRED: a listener of another uid is refused even when every file looks right"

# ---- a runtime dir others can write, or a symbolic link ----
for mode in 770 707 777 1777; do
	D="$T/v4-$mode"
	mkdir "$D"
	chown "$VIC:$VIC" "$D"
	chmod "$mode" "$D"
	victim "$VIC" "$D" ask -- echo hi
	refused 3 "refusing $D: writable by group or others (mode $(printf %04o "0$mode")): another user could put a fake broker there" "dir mode $mode"
done
D="$T/vic-$VIC/run"
victim "$VIC" "$D" broker                 # the victim's real broker: works
[ "$rc" = 0 ] || fail "the victim's own broker did not start: $(cat "$T/err")"
fake_pids="$fake_pids $(cat "$D/broker.lock")"
victim "$VIC" "$D" ask -- echo hi
[ "$rc" = 0 ] || fail "the victim's own broker: ask exit $rc ($(cat "$T/err"))"
chmod 775 "$D"
victim "$VIC" "$D" ask -- echo hi
refused 3 "refusing $D: writable by group or others (mode 0775)" "own broker, dir made group-writable"
chmod 700 "$D"
ln -s "$D" "$T/v4-link"
victim "$VIC" "$T/v4-link" ask -- echo hi
refused 3 "refusing $T/v4-link: it is a symbolic link, not a directory" "symlink to the victim's own dir"
att ln -s "$DEFAULT_DIR" "$A/link"
victim "$VIC" "$A/link" ask -- echo hi
refused 3 "refusing $A/link: it is a symbolic link" "symlink to the fake"
hook_denied "$VIC" "$A/link" "symbolic link"
victim "$VIC" "$D" ask -- echo hi
[ "$rc" = 0 ] || fail "the victim's own broker after the variants: ask exit $rc ($(cat "$T/err"))"
kill "$(cat "$D/broker.lock")"
pass "a group- or other-writable runtime dir and a symlinked one are refused; the victim's own broker works"

# ---- the socket replaced by a regular file, a FIFO, a symlink, a dir ----
D="$T/v5"
mkdir -m 700 "$D"
chown "$VIC:$VIC" "$D"
for kind in file fifo symlink dir; do
	rm -rf "${D:?}/agent.sock"
	case $kind in
	file) as_uid "$VIC" touch "$D/agent.sock"; want="a regular file, not a socket" ;;
	fifo) as_uid "$VIC" mkfifo "$D/agent.sock"; want="a FIFO, not a socket" ;;
	symlink) as_uid "$VIC" ln -s "$DEFAULT_DIR/agent.sock" "$D/agent.sock"; want="a symbolic link, not a socket" ;;
	dir) as_uid "$VIC" mkdir "$D/agent.sock"; want="a directory, not a socket" ;;
	esac
	victim "$VIC" "$D" ask -- echo hi
	refused 3 "refusing $D/agent.sock: $want" "agent.sock a $kind"
	hook_denied "$VIC" "$D" "$want"
done
pass "agent.sock that is a file, a FIFO, a symlink or a dir is refused"

# ---- the broker refuses files in its dir it did not make ----
D="$T/v6"
mkdir -m 777 "$D"                          # left open once; the attacker plants
att ln -s "$A/target" "$D/broker.lock"
victim 0 "$D" broker
[ "$rc" = 3 ] && grep -q "refusing $D/broker.lock: a symbolic link owned by uid $ATT" "$T/err" ||
    fail "broker took a planted lock symlink: exit $rc $(cat "$T/err")"
[ ! -e "$A/target" ] || fail "the broker wrote through the planted symlink"
[ "$(stat -c %a "$D")" = 700 ] || fail "the broker left its dir open"
rm "$D/broker.lock"
chmod 777 "$D"
att touch "$D/broker.lock"
victim 0 "$D" broker
[ "$rc" = 3 ] && grep -q "refusing $D/broker.lock: a file owned by uid $ATT" "$T/err" ||
    fail "broker took a planted lock file: exit $rc $(cat "$T/err")"
rm "$D/broker.lock"
chmod 777 "$D"
att ln -s "$A/target" "$D/broker.log"
victim 0 "$D" broker
[ "$rc" = 3 ] && grep -q "refusing $D/broker.log: a symbolic link" "$T/err" ||
    fail "broker took a planted log symlink: exit $rc $(cat "$T/err")"
rm "$D/broker.log"
chmod 777 "$D"
att touch "$D/agent.sock"
victim 0 "$D" broker
[ "$rc" = 3 ] && grep -q "refusing to replace $D/agent.sock: it is a file owned by uid $ATT" "$T/err" ||
    fail "broker replaced a planted agent.sock: exit $rc $(cat "$T/err")"
rm "$D/agent.sock"
ln -s "$T/v5" "$T/v6-link"
victim 0 "$T/v6-link" broker
[ "$rc" = 3 ] && grep -q "refusing the runtime dir $T/v6-link: it is a symbolic link" "$T/err" ||
    fail "broker took a symlinked runtime dir: exit $rc $(cat "$T/err")"
victim 0 "$D" broker
[ "$rc" = 0 ] || fail "broker in the cleaned dir: exit $rc $(cat "$T/err")"
fake_pids="$fake_pids $(cat "$D/broker.lock")"
victim 0 "$D" ask -- echo hi
[ "$rc" = 0 ] || fail "root's own broker: ask exit $rc ($(cat "$T/err"))"
kill "$(cat "$D/broker.lock")"
pass "the broker refuses a lock, log or socket file it does not own, and a symlinked dir"
