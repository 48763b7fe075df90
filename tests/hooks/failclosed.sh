#!/bin/bash
# failclosed.sh -- every way a hook can fail answers deny, never "proceed":
# broker unreachable, killed or stopping mid-wait, frozen, refusing; input
# malformed, truncated, oversized, not UTF-8, of an unknown event; the hook's
# own deadline (with the broker silent and with stdin never closing).  A
# known event gets the agent's deny JSON with exit 0; input that cannot be
# read as an event gets exit 2 (the agents' blocking status) plus a deny.
# Also: huge content is cut with its size and hash, never dropped; judged
# fields are never cut (an oversized one is named in an `oversized` notice).
. "$SG_SRC/tests/lib.sh"
Q="$SG_BUILD/tests/hooks/sg_jsonq"
unset CLAUDE_PROJECT_DIR GEMINI_PROJECT_DIR SANDGATE_HOOK_TIMEOUT || true
export SANDGATE_REVIEWER=tester
seq_id=0

# payload AGENT EVENT [TOOL_JSON]: a small valid hook input in $T/p.json.
payload() {
	local tool='"tool_name":"Bash","tool_input":{"command":"make test"}'
	[ "$1" != gemini ] || tool='"tool_name":"run_shell_command","tool_input":{"command":"make test"}'
	[ $# -lt 3 ] || tool=$3
	seq_id=$((seq_id + 1))
	case $1 in
	claude-code) printf '{"session_id":"s-fc","transcript_path":"/t.jsonl","cwd":"/w","permission_mode":"default","hook_event_name":"%s",%s,"tool_use_id":"toolu_fc%d"}' "$2" "$tool" "$seq_id" ;;
	codex) printf '{"session_id":"s-fc","turn_id":"t1","transcript_path":null,"cwd":"/w","hook_event_name":"%s","model":"gpt-5","permission_mode":"default",%s,"tool_use_id":"call_fc%d"}' "$2" "$tool" "$seq_id" ;;
	gemini) printf '{"session_id":"s-fc-%d","transcript_path":"/t.json","cwd":"/w","hook_event_name":"%s","timestamp":"2026-11-27T09:00:00Z",%s}' "$seq_id" "$2" "$tool" ;;
	esac >"$T/p.json"
}

# hook AGENT [ARGS]: run the hook on $T/p.json; sets rc, output in $T/out, $T/err.
hook() {
	rc=0
	sg hook "$@" <"$T/p.json" >"$T/out" 2>"$T/err" || rc=$?
}

# is_deny AGENT EVENT: $T/out is that agent's deny answer for EVENT, with a reason.
is_deny() {
	case "$1/$2" in
	gemini/*)
		[ "$("$Q" get "$T/out" decision)" = deny ] && [ -n "$("$Q" get "$T/out" reason)" ] ;;
	*/PermissionRequest)
		[ "$("$Q" get "$T/out" hookSpecificOutput.hookEventName)" = PermissionRequest ] &&
		    [ "$("$Q" get "$T/out" hookSpecificOutput.decision.behavior)" = deny ] &&
		    [ -n "$("$Q" get "$T/out" hookSpecificOutput.decision.message)" ] ;;
	*)
		[ "$("$Q" get "$T/out" hookSpecificOutput.hookEventName)" = PreToolUse ] &&
		    [ "$("$Q" get "$T/out" hookSpecificOutput.permissionDecision)" = deny ] &&
		    [ -n "$("$Q" get "$T/out" hookSpecificOutput.permissionDecisionReason)" ] ;;
	esac
}

# expect_deny AGENT EVENT RC WORDS [decided]: the last hook run denied as
# EVENT with exit RC and a reason containing WORDS; a fail-closed deny (not a
# broker decision) also says why on stderr.
expect_deny() {
	[ "$rc" = "$3" ] || fail "$1 $2: exit $rc, want $3 ($(cat "$T/out") $(cat "$T/err"))"
	is_deny "$1" "$2" || fail "$1 $2: not a deny answer: $(cat "$T/out")"
	grep -q -- "$4" "$T/out" || fail "$1 $2: reason lacks '$4': $(cat "$T/out")"
	[ "${5:-}" = decided ] || [ -s "$T/err" ] || fail "$1 $2: nothing said on stderr"
}

EVENTS="claude-code:PreToolUse claude-code:PermissionRequest codex:PreToolUse codex:PermissionRequest gemini:BeforeTool"
default_event() { case $1 in gemini) echo BeforeTool ;; *) echo PreToolUse ;; esac; }

# ---- no broker at all ----
for ae in $EVENTS; do
	a=${ae%%:*} e=${ae#*:}
	payload "$a" "$e"
	hook "$a"
	expect_deny "$a" "$e" 0 "broker unreachable"
done
pass "broker unreachable: deny for every agent and event"

# ---- input that cannot be read as an event: exit 2 and a deny ----
for a in claude-code codex gemini; do
	e=$(default_event "$a")
	bad() { printf '%s' "$1" >"$T/p.json"; hook "$a"; expect_deny "$a" "$e" 2 "$2"; }
	bad '' "not valid JSON"
	bad '{"hook_event_name": "PreToolUse", "tool_na' "not valid JSON"
	bad '[1,2,3]' "not a JSON object"
	bad '42' "not valid JSON"
	bad '{"session_id":"s","hook_event_name":"PreToolUse","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}' "duplicate"
	bad '{"session_id":"s","tool_name":"Bash","tool_input":{"command":"ls"}}' "no hook_event_name"
	bad '{"session_id":"s","hook_event_name":"SessionStart","source":"startup"}' "is not one"
	# a real payload cut short, at several points
	payload "$a" "$e"
	full=$(cat "$T/p.json")
	for cut in 1 2 17 $((${#full} / 2)); do
		bad "${full:0:$((${#full} - cut))}" "not valid JSON"
	done
	# invalid UTF-8 inside a string, raw binary, NUL bytes, deep nesting
	printf '{"session_id":"s","hook_event_name":"%s","tool_name":"Bash","tool_input":{"command":"ls \xff\xfe"}}' "$e" >"$T/p.json"
	hook "$a"; expect_deny "$a" "$e" 2 "not valid JSON"
	head -c 4096 /dev/urandom >"$T/p.json"
	hook "$a"; expect_deny "$a" "$e" 2 "not valid JSON"
	head -c 100 /dev/zero >"$T/p.json"
	hook "$a"; expect_deny "$a" "$e" 2 "not valid JSON"
	head -c 200000 /dev/zero | tr '\0' '[' >"$T/p.json"
	hook "$a"; expect_deny "$a" "$e" 2 "not valid JSON"
done
# an event this adapter does not answer
for x in claude-code:PostToolUse codex:Stop gemini:AfterTool gemini:PreToolUse claude-code:BeforeTool; do
	a=${x%%:*}
	payload "$a" "${x#*:}"
	hook "$a"
	expect_deny "$a" "$(default_event "$a")" 2 "is not one"
done
# more than the input cap (32 MiB)
{ printf '{"hook_event_name":"PreToolUse","session_id":"s","tool_name":"Bash","tool_input":{"command":"'; head -c 34000000 /dev/zero | tr '\0' a; printf '"}}'; } >"$T/p.json"
for a in claude-code gemini; do
	hook "$a"
	expect_deny "$a" "$(default_event "$a")" 2 "larger than"
done
pass "malformed, truncated, binary, non-UTF-8, deep, unknown-event and oversized input: exit 2 + deny"

# ---- a known event with an unusable tool: the event's deny, exit 0 ----
for ae in $EVENTS; do
	a=${ae%%:*} e=${ae#*:}
	payload "$a" "$e" '"tool_name":"Bash"'
	hook "$a"; expect_deny "$a" "$e" 0 "no tool_input object"
	payload "$a" "$e" '"tool_name":"Bash","tool_input":"ls"'
	hook "$a"; expect_deny "$a" "$e" 0 "no tool_input object"
	payload "$a" "$e" '"tool_name":"","tool_input":{}'
	hook "$a"; expect_deny "$a" "$e" 0 "no usable tool_name"
	if [ "$a" != gemini ]; then
		payload "$a" "$e" '"tool_name":"Bash","tool_input":{"command":42}'
		hook "$a"; expect_deny "$a" "$e" 0 "no command string"
	else
		payload "$a" "$e" '"tool_name":"run_shell_command","tool_input":{"cmd":"ls"}'
		hook "$a"; expect_deny "$a" "$e" 0 "no command string"
	fi
done
# a path cut at a NUL byte would show the reviewer another file
payload claude-code PreToolUse '"tool_name":"Write","tool_input":{"file_path":"/w/notes.txt\u0000/../../etc/passwd","content":"x"}'
hook claude-code; expect_deny claude-code PreToolUse 0 "no file_path string"
payload gemini BeforeTool '"tool_name":"read_file","tool_input":{"file_path":"/w/a\u0000b"}'
hook gemini; expect_deny gemini BeforeTool 0 "no file_path string"
payload codex PreToolUse '"tool_name":"apply_patch","tool_input":{"command":"*** Begin Patch\n*** Update File: a.txt\n\u0000*** Delete File: /etc/passwd\n*** End Patch"}'
hook codex; expect_deny codex PreToolUse 0 "NUL byte"
printf '%s' '{"session_id":"s","cwd":"/w\u0000/etc","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}' >"$T/p.json"
hook claude-code; expect_deny claude-code PreToolUse 0 "NUL byte in cwd"
pass "known event with an unusable tool input (or a NUL inside a path): the event's deny, exit 0"

# ---- the broker goes away or stops while the hook waits ----
has_pending() { [ "$(sg pending --json | "$Q" len - .)" -ge 1 ]; }
start_broker
for ae in $EVENTS; do
	a=${ae%%:*} e=${ae#*:}
	payload "$a" "$e"
	(hook "$a"; echo "$rc" >"$T/rc") &
	wait_for 10 has_pending
	kill -KILL "$(broker_pid)"
	wait
	rc=$(cat "$T/rc")
	expect_deny "$a" "$e" 0 "lost the broker"
	rm -f "$SANDGATE_DIR/broker.lock"
	start_broker
done
pass "broker killed mid-wait: deny"
payload claude-code PermissionRequest
(hook claude-code; echo "$rc" >"$T/rc") &
wait_for 10 has_pending
stop_broker
wait
rc=$(cat "$T/rc")
expect_deny claude-code PermissionRequest 0 "shutting down" decided
pass "broker stopping mid-wait: deny (by broker-shutdown)"

# ---- the hook's own deadline ----
start_broker
for ae in claude-code:PreToolUse codex:PermissionRequest gemini:BeforeTool; do
	a=${ae%%:*} e=${ae#*:}
	payload "$a" "$e"
	SANDGATE_HOOK_TIMEOUT=1 hook "$a"
	expect_deny "$a" "$e" 0 "deadline of 1 s"
done
payload codex PreToolUse
hook codex --timeout 1
expect_deny codex PreToolUse 0 "deadline of 1 s"
wait_for 5 '[ "$(pending_count)" = 0 ]' # the broker withdrew them when the hooks left
pass "hook deadline (SANDGATE_HOOK_TIMEOUT and --timeout): deny, request withdrawn"
# a deadline long enough: the request carries it, so the broker times it out
# first (audited `timeout`) and the agent hears the broker's answer
payload claude-code PreToolUse
sg hook claude-code --print-request --timeout 30 <"$T/p.json" >"$T/preq" 2>/dev/null || true
t=$("$Q" get "$T/preq" timeout)
[ "$t" -ge 27 ] && [ "$t" -le 29 ] || fail "the request's timeout is $t, want a second or two below the hook's 30 s"
hook claude-code --timeout 4
expect_deny claude-code PreToolUse 0 "nobody decided within" decided
grep -q "deadline of 4 s" "$T/out" && fail "the watchdog answered, not the broker: $(cat "$T/out")"
sg audit query --json >"$T/aq" 2>/dev/null || true
grep -q '"outcome": *"timeout"\|"decided_by": *"timeout"' "$T/aq" || fail "no timeout in the audit log: $(tail -c 600 "$T/aq")"
pass "hook deadline sent as the request's timeout: the broker answers timeout before the watchdog"
# stdin that never ends: the event is unknown when the deadline hits
mkfifo "$T/fifo"
exec 7<>"$T/fifo"
rc=0
SANDGATE_HOOK_TIMEOUT=1 sg hook claude-code <"$T/fifo" >"$T/out" 2>"$T/err" || rc=$?
exec 7>&-
expect_deny claude-code PreToolUse 2 "deadline of 1 s"
# a frozen broker: connected, never answered
kill -STOP "$(broker_pid)"
payload gemini BeforeTool
SANDGATE_HOOK_TIMEOUT=1 hook gemini
kill -CONT "$(broker_pid)"
expect_deny gemini BeforeTool 0 "deadline of 1 s"
pass "deadline with stdin held open (exit 2) and with a frozen broker (exit 0): deny"

# ---- the broker refuses the request ----
stop_broker
printf 'preset = none\nmax_pending = 1\n' >"$XDG_CONFIG_HOME/sandgate/config"
start_broker
payload claude-code PreToolUse
cp "$T/p.json" "$T/first.json"
(sg hook claude-code <"$T/first.json" >"$T/first.out" 2>/dev/null) &
wait_for 10 has_pending
payload codex PermissionRequest
hook codex
expect_deny codex PermissionRequest 0 "too many pending"
sg decide "$(sg pending --json | "$Q" get - 0.id)" deny >/dev/null
wait
stop_broker
printf 'preset = none\n' >"$XDG_CONFIG_HOME/sandgate/config"
pass "broker refusing (too many pending): deny"

# ---- huge and hostile tool input: cut to fit, never dropped ----
start_broker
big=3145728
{ printf '{"session_id":"s-big","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"Write","tool_use_id":"toolu_big","tool_input":{"file_path":"/w/big.txt","content":"'; head -c $big /dev/zero | tr '\0' a; printf '"}}'; } >"$T/p.json"
sum=$(head -c $big /dev/zero | tr '\0' a | sha256sum | cut -d' ' -f1)
(hook claude-code; echo "$rc" >"$T/rc") &
wait_for 10 has_pending
sg pending --json >"$T/pending.json"
[ "$("$Q" get "$T/pending.json" 0.request.content_size)" = $big ] || fail "content_size missing"
[ "$("$Q" get "$T/pending.json" 0.request.content_sha256)" = "$sum" ] || fail "content_sha256 wrong"
[ "$("$Q" get "$T/pending.json" 0.request.truncated)" = true ] || fail "truncated flag missing"
len=$("$Q" get "$T/pending.json" 0.request.content | wc -c)
[ "$len" -gt 1000 ] && [ "$len" -lt 1048576 ] || fail "cut content has $len bytes"
[ "$("$Q" get "$T/pending.json" 0.request.path)" = /w/big.txt ] || fail "path lost"
sg decide "$("$Q" get "$T/pending.json" 0.id)" allow >/dev/null
wait
[ "$(cat "$T/rc")" = 0 ] && [ "$("$Q" get "$T/out" hookSpecificOutput.permissionDecision)" = allow ] ||
    fail "3 MiB Write was not answered: $(cat "$T/out")"
pass "3 MiB Write: content cut with content_size and content_sha256, answered"

# gemini: 2 MiB of multi-byte text is cut on a character boundary
{ printf '{"session_id":"s-big2","cwd":"/w","hook_event_name":"BeforeTool","tool_name":"write_file","tool_input":{"file_path":"/w/u.txt","content":"'; for i in $(seq 1 8); do head -c 262144 /dev/zero | tr '\0' x | sed 's/x/é/g'; done; printf '"}}'; } >"$T/p.json"
(hook gemini; echo "$rc" >"$T/rc") &
wait_for 10 has_pending
sg pending --json >"$T/pending.json"
"$Q" get "$T/pending.json" 0.request.content >"$T/cut.txt"
iconv -f UTF-8 -t UTF-8 "$T/cut.txt" >/dev/null 2>&1 || fail "cut content is not valid UTF-8"
[ "$("$Q" get "$T/pending.json" 0.request.content_size)" = 4194304 ] || fail "gemini content_size wrong"
sg decide "$("$Q" get "$T/pending.json" 0.id)" deny >/dev/null
wait
[ "$("$Q" get "$T/out" decision)" = deny ] || fail "gemini big write not denied"
pass "4 MiB of UTF-8 cut on a character boundary"

# an MCP call with 40,000 arguments (~700 KB): `arguments` is judged and goes
# whole; the verbatim copy in tool_input is replaced by its size and hash
{ printf '{"session_id":"s-keys","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"mcp__db__bulk","tool_use_id":"toolu_keys","tool_input":{'; seq 1 40000 | sed 's/.*/"k&":"value-&"/' | paste -sd, -; printf '}}'; } >"$T/p.json"
(hook claude-code; echo "$rc" >"$T/rc") &
wait_for 10 has_pending
sg pending --json >"$T/pending.json"
[ "$("$Q" get "$T/pending.json" 0.request.tool_input.sandgate_omitted)" = true ] || fail "huge tool_input not digested"
[ "$("$Q" len "$T/pending.json" 0.request.arguments)" = 40000 ] || fail "arguments were not sent whole"
[ "$("$Q" get "$T/pending.json" 0.request.arguments.k40000)" = value-40000 ] || fail "last argument lost"
[ "$("$Q" get "$T/pending.json" 0.request.server)" = db ] || fail "server lost"
sg decide "$("$Q" get "$T/pending.json" 0.id)" deny >/dev/null
wait
[ "$("$Q" get "$T/out" hookSpecificOutput.permissionDecision)" = deny ] || fail "bulk MCP not denied"
pass "40,000 MCP arguments: arguments whole, tool_input replaced by size and sha256"

# 150,000 arguments (~3 MB) cannot be carried whole: the hook sends the
# oversized notice instead (never a cut-down `arguments`), and the answer is
# a deny (tests/security/oversized_hooks.sh checks the notice in detail)
{ printf '{"session_id":"s-keys","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"mcp__db__bulk","tool_use_id":"toolu_keys2","tool_input":{'; seq 1 150000 | sed 's/.*/"k&":"value-&"/' | paste -sd, -; printf '}}'; } >"$T/p.json"
rc=0
sg hook claude-code --print-request <"$T/p.json" >"$T/sent.json" 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "--print-request: exit $rc"
[ "$("$Q" get "$T/sent.json" oversized.field)" = arguments ] || fail "no oversized notice: $(head -c 300 "$T/sent.json")"
! "$Q" get "$T/sent.json" arguments >/dev/null 2>&1 || fail "a cut-down arguments was sent"
hook claude-code
expect_deny claude-code PreToolUse 0 "sandgate" decided
[ "$(pending_count)" = 0 ] || fail "the oversized request waits for a person"
pass "150,000 MCP arguments: oversized notice, denied"

# nesting deeper than the protocol allows: a verbatim tool_input is sent as
# its JSON text (display only); judged MCP arguments, and the whole input of
# an `other` request, cannot be flattened, so the hook sends the oversized
# notice; and a NUL in the command
deep=$(printf '{"a":%.0s' $(seq 1 60))1$(printf '}%.0s' $(seq 1 60))
payload codex PreToolUse "\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"ls\",\"description\":$deep}"
(hook codex; echo "$rc" >"$T/rc") &
wait_for 10 has_pending
sg pending --json >"$T/pending.json"
[ "$("$Q" get "$T/pending.json" 0.request.truncated)" = true ] || fail "deep input not marked truncated"
sg decide "$("$Q" get "$T/pending.json" 0.id)" deny >/dev/null
wait
is_deny codex PreToolUse || fail "deep tool input not denied"
payload codex PreToolUse "\"tool_name\":\"mcp__deep__call\",\"tool_input\":{\"tree\":$deep}"
rc=0
sg hook codex --print-request <"$T/p.json" >"$T/sent.json" 2>/dev/null || rc=$?
[ "$rc" = 2 ] && [ "$("$Q" get "$T/sent.json" oversized.field)" = arguments ] || fail "deep arguments: no oversized notice"
hook codex
expect_deny codex PreToolUse 0 "sandgate" decided
payload codex PreToolUse "\"tool_name\":\"Agent\",\"tool_input\":{\"tree\":$deep}"
rc=0
sg hook codex --print-request <"$T/p.json" >"$T/sent.json" 2>/dev/null || rc=$?
[ "$rc" = 2 ] && [ "$("$Q" get "$T/sent.json" oversized.field)" = tool_input ] || fail "deep input of an other request: no oversized notice"
hook codex
expect_deny codex PreToolUse 0 "sandgate" decided
payload claude-code PreToolUse '"tool_name":"Bash","tool_input":{"command":"echo a\u0000; rm -rf /"}'
(hook claude-code; echo "$rc" >"$T/rc") &
wait_for 10 has_pending
sg pending --json >"$T/pending.json"
"$Q" get "$T/pending.json" 0.request.command | matches "rm -rf /" || fail "command after the NUL lost"
sg decide "$("$Q" get "$T/pending.json" 0.id)" deny >/dev/null
wait
is_deny claude-code PreToolUse || fail "NUL command not denied"
pass "60-deep tool input flattened, 60-deep MCP arguments and other input oversized, NUL inside a command kept whole"
