#!/bin/bash
# sandbox.sh -- `sandgate exec` and `sandgate sandbox`: a script inside a real
# bubblewrap sandbox can reach agent.sock and nothing else of sandgate's (no
# console.sock, no DB, no config), has no network, a read-only system and a
# writable workspace, and gets allowed and denied through `sandgate exec`
# (and a hook) answered from outside; as root and as an ordinary user.
. "$SG_SRC/tests/lib.sh"
Q="$SG_BUILD/tests/hooks/sg_jsonq"
unset SANDGATE_HOOK_TIMEOUT || true
export SANDGATE_REVIEWER=tester
command -v bwrap >/dev/null || fail "bubblewrap (bwrap) is needed for the sandbox tests"
W="$T/ws"
mkdir -p "$W"

run() { rc=0; sg "$@" >"$T/out" 2>"$T/err" || rc=$?; }
has_pending() { [ "$(sg pending --json | "$Q" len - .)" -ge 1 ]; }
# next_request: id of the single pending request, its view in $T/pending.json
next_request() {
	wait_for 10 has_pending
	sg pending --json >"$T/pending.json"
	[ "$("$Q" len "$T/pending.json" .)" = 1 ] || fail "expected one pending request"
	"$Q" get "$T/pending.json" 0.id
}

# ---- no broker: exec and sandbox refuse ----
run exec -- true
[ "$rc" = 3 ] || fail "exec without a broker: exit $rc, want 3"
run sandbox --workspace "$W" -- true
[ "$rc" = 3 ] && grep -q "agent.sock is missing" "$T/err" || fail "sandbox without a broker: exit $rc $(cat "$T/err")"
pass "no broker: exec exits 3, sandbox exits 3"

start_broker

# ---- sandgate exec outside a sandbox ----
(set +e; sg exec -- sh -c 'exit 7'; echo $? >"$T/rc") &
id=$(next_request)
[ "$("$Q" get "$T/pending.json" 0.request.tool_name)" = sandgate-exec ] || fail "exec tool_name"
"$Q" dump "$T/pending.json" 0.request.argv | matches '\["sh","-c","exit 7"\]' || fail "exec argv not sent"
sg decide "$id" allow >/dev/null
wait
[ "$(cat "$T/rc")" = 7 ] || fail "allowed exec did not return CMD's status: $(cat "$T/rc")"
(set +e; sg exec -- "echo one-word > $T/oneword"; echo $? >"$T/rc") &
id=$(next_request)
[ "$("$Q" get "$T/pending.json" 0.request.command)" = "echo one-word > $T/oneword" ] || fail "exec command line"
sg decide "$id" allow >/dev/null
wait
[ "$(cat "$T/rc")" = 0 ] && [ "$(cat "$T/oneword")" = one-word ] || fail "one word did not run as a shell line"
(set +e; sg exec -- touch "$T/denied"; echo $? >"$T/rc") &
id=$(next_request)
sg decide "$id" deny --note "no" >/dev/null
wait
[ "$(cat "$T/rc")" = 1 ] && [ ! -e "$T/denied" ] || fail "denied exec ran or exit $(cat "$T/rc")"
(set +e; sg exec --kind net --url https://registry.npmjs.org/ -- curl -s https://registry.npmjs.org/; echo $? >"$T/rc") &
id=$(next_request)
[ "$("$Q" get "$T/pending.json" 0.request.url)" = https://registry.npmjs.org/ ] &&
    [ "$("$Q" get "$T/pending.json" 0.kind)" = net ] || fail "exec --kind net"
sg decide "$id" deny >/dev/null
wait
[ "$(cat "$T/rc")" = 1 ] || fail "exec --kind net denied: exit $(cat "$T/rc")"
run exec; [ "$rc" = 2 ] || fail "exec without a command: exit $rc"
pass "exec: runs CMD only when allowed (its own status), 1 denied, 2 usage, 3 unreachable"

# ---- sandbox set-up refusals ----
run sandbox --workspace / -- true
[ "$rc" = 125 ] || fail "workspace /: exit $rc"
run sandbox --workspace "$SANDGATE_DIR" -- true
[ "$rc" = 125 ] || fail "workspace inside the runtime dir: exit $rc"
SANDGATE_BWRAP=/nonexistent/bwrap run sandbox --workspace "$W" -- true
[ "$rc" = 125 ] || fail "missing bwrap: exit $rc"
run sandbox --workspace "$W"
[ "$rc" = 2 ] || fail "sandbox without a command: exit $rc"
run sandbox --workspace "$W" --print -- true
grep -q -- "--unshare-all" "$T/out" && grep -q -- "--tmpfs /run" "$T/out" ||
    fail "--print shows no bwrap command: $(cat "$T/out")"
pass "sandbox refuses / and sandgate's own dirs as workspace, a missing bwrap, no command"

# ---- a scripted agent inside the sandbox ----
cat >"$W/agent.sh" <<'EOF'
#!/bin/sh
# Runs inside `sandgate sandbox`: each check appends PASS or FAIL to results.
R="$PWD/results"
check() { name=$1; shift; if "$@" >/dev/null 2>&1; then echo "PASS $name" >>"$R"; else echo "FAIL $name" >>"$R"; fi; }
no() { ! "$@"; }
check sandgate-dir test "$SANDGATE_DIR" = /run/sandgate
check agent-sock test -S /run/sandgate/agent.sock
check run-has-only-the-socket test "$(find /run -mindepth 1 | sort | tr '\n' ' ')" = "/run/sandgate /run/sandgate/agent.sock "
check no-console-sock-here no test -e /run/sandgate/console.sock
check no-host-runtime-dir no test -e "$REAL_DIR/console.sock"
check console-unreachable-host-path sh -c 'SANDGATE_DIR="$REAL_DIR" "$SANDGATE" pending; test $? = 3'
check console-unreachable sh -c '"$SANDGATE" pending; test $? = 3'
check no-db sh -c 'test ! -s "$REAL_DB"'
check no-config sh -c 'test -z "$(ls -A "$REAL_CONF" 2>/dev/null)"'
check no-network sh -c 'test -z "$(tail -n +3 /proc/net/dev | grep -v "^ *lo:")"'
check no-broker-process no kill -0 "$BROKER_PID"
check no-capabilities grep -q "^CapEff:[[:space:]]*0000000000000000" /proc/self/status
check workspace-writable sh -c 'echo ok >"$PWD/written"'
check etc-read-only no touch /etc/sandgate-probe
check usr-read-only no touch /usr/sandgate-probe
check private-tmp sh -c 'echo inside >/tmp/sg-inside-only'
check exec-allowed "$SANDGATE" exec -- sh -c 'echo ran >allowed.txt'
check exec-allowed-ran test -f allowed.txt
check exec-denied sh -c '"$SANDGATE" exec -- touch denied.txt; test $? = 1'
check exec-denied-did-not-run no test -e denied.txt
printf '{"session_id":"s-in","cwd":"%s","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"make"},"tool_use_id":"toolu_in1"}' "$PWD" >payload.json
check hook-inside sh -c '"$SANDGATE" hook claude-code <payload.json | grep "\"permissionDecision\":\"allow\"" >/dev/null'
grep -q FAIL "$R" && exit 1
exit 0
EOF
chmod +x "$W/agent.sh"
(
	set +e
	cd "$W"
	REAL_DIR="$SANDGATE_DIR" REAL_DB="$SANDGATE_DB" REAL_CONF="$XDG_CONFIG_HOME/sandgate" BROKER_PID=$(broker_pid) \
	    sg sandbox --workspace "$W" --agent scripted-agent -- ./agent.sh
	echo $? >"$T/rc"
) >"$T/sandbox.out" 2>&1 &
id=$(next_request)
[ "$("$Q" get "$T/pending.json" 0.agent)" = scripted-agent ] || fail "agent name inside the sandbox"
"$Q" get "$T/pending.json" 0.session | matches '^sandbox-' || fail "session of the sandbox"
"$Q" dump "$T/pending.json" 0.request.argv | matches 'allowed.txt' || fail "first request is not the allowed exec"
sg decide "$id" allow >/dev/null
id=$(next_request)
"$Q" dump "$T/pending.json" 0.request.argv | matches 'denied.txt' || fail "second request is not the denied exec"
sg decide "$id" deny --note "not in the sandbox" >/dev/null
id=$(next_request)
[ "$("$Q" get "$T/pending.json" 0.agent)" = claude-code ] || fail "third request is not the hook"
sg decide "$id" allow >/dev/null
wait
if [ "$(cat "$T/rc")" != 0 ]; then
	cat "$W/results" "$T/sandbox.out" >&2
	fail "the scripted agent failed inside the sandbox"
fi
[ "$(grep -c PASS "$W/results")" = 21 ] || fail "not every check ran: $(cat "$W/results")"
[ -f "$W/allowed.txt" ] && [ ! -e "$W/denied.txt" ] && [ -f "$W/written" ] || fail "workspace effects"
[ ! -e /tmp/sg-inside-only ] || { rm -f /tmp/sg-inside-only; fail "the sandbox /tmp leaked to the host"; }
pass "scripted agent in bubblewrap: only agent.sock reachable, allowed and denied through it (21 checks)"

# ---- the same as an ordinary user ----
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	U=$(mktemp -d /tmp/sgtest-user.XXXXXX)
	chown 65534:65534 "$U"
	as_user() {
		env SANDGATE_DIR="$U/run" SANDGATE_DB="$U/state/sandgate.db" XDG_CONFIG_HOME="$U/config" \
		    XDG_STATE_HOME="$U/state" HOME="$U" SANDGATE_REVIEWER=user \
		    setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	}
	user_cleanup() {
		local p
		p=$(cat "$U/run/broker.lock" 2>/dev/null) && kill "$p" 2>/dev/null
		sleep 0.2
		rm -rf "$U"
	}
	at_exit user_cleanup
	as_user mkdir -p "$U/ws"
	as_user "$SANDGATE" broker --preset none || fail "broker as an ordinary user did not start"
	(set +e; cd "$U/ws" && as_user "$SANDGATE" sandbox --workspace "$U/ws" -- "$SANDGATE" exec -- sh -c 'id -u >by-user.txt'
	    echo $? >"$T/rc") &
	wait_for 10 '[ "$(as_user "$SANDGATE" pending --json | "$Q" len - .)" = 1 ]'
	as_user "$SANDGATE" decide "$(as_user "$SANDGATE" pending --json | "$Q" get - 0.id)" allow >/dev/null
	wait
	[ "$(cat "$T/rc")" = 0 ] && [ "$(cat "$U/ws/by-user.txt")" = 65534 ] ||
	    fail "sandbox as uid 65534: exit $(cat "$T/rc"), $(cat "$U/ws/by-user.txt" 2>&1)"
	pass "sandbox and exec as an ordinary user (uid 65534)"
fi
