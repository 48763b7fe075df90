#!/bin/bash
# oversized_hooks.sh -- issue #12 item 4: a hook input too big for one
# protocol message was cut and judged on its start.  A 1.1 MB Bash command
# ending in `; rm -rf ~` was carried as its first 256 KiB and allowed by a
# rule `exec echo *`, and the agent ran the whole line.  Now the fields a
# decision rests on (command, argv, path, files, url, host, arguments, ...)
# are never cut: a request that cannot carry them whole is sent as an
# `oversized` notice {field, bytes, sha256} without the payload, which the
# broker denies at once; the hook answers deny.  Display fields may still be
# cut (content, tool_input), never a judged one.  Variants: each adapter,
# commands, paths, URLs, hosts, a patch naming a huge file, MCP arguments, a
# command just under the cap (sent whole), and broker errors (deny).
. "$SG_SRC/tests/lib.sh"
Q="$SG_BUILD/tests/hooks/sg_jsonq"
unset CLAUDE_PROJECT_DIR GEMINI_PROJECT_DIR SANDGATE_HOOK_TIMEOUT || true
export SANDGATE_REVIEWER=tester

: >"$XDG_CONFIG_HOME/sandgate/config" # default settings: routine preset on
start_broker
sg rules add allow exec echo '*' --note "the review's rule" >/dev/null
WS="$T/ws"
mkdir -p "$WS"
BIG=1100000

# big N: N bytes of 'a'.
big() { head -c "$1" /dev/zero | tr '\0' a; }

# payload AGENT SESSION TOOL PREFIX SUFFIX [EVENT]: hook input whose tool
# input is PREFIX + $BIG bytes of 'a' + SUFFIX (raw JSON text around them).
payload() {
	local ev=${6:-PreToolUse}
	{
		case $1 in
		claude-code) printf '{"session_id":"%s","transcript_path":"/t.jsonl","cwd":"%s","permission_mode":"default","hook_event_name":"%s","tool_name":"%s","tool_use_id":"toolu_%s","tool_input":' "$2" "$WS" "$ev" "$3" "$2" ;;
		codex) printf '{"session_id":"%s","turn_id":"t1","transcript_path":null,"cwd":"%s","hook_event_name":"%s","model":"gpt-5","permission_mode":"default","tool_name":"%s","tool_use_id":"call_%s","tool_input":' "$2" "$WS" "$ev" "$3" "$2" ;;
		gemini) printf '{"session_id":"%s","transcript_path":"/t.json","cwd":"%s","hook_event_name":"BeforeTool","timestamp":"2026-11-27T09:00:00Z","tool_name":"%s","tool_input":' "$2" "$WS" "$3" ;;
		esac
		printf '%s' "$4"
		big $BIG
		printf '%s}}' "$5"
	} >"$T/p.json"
}

# sent AGENT: the request the hook would submit for $T/p.json, in $T/sent.json.
sent() {
	local rc=0
	sg hook "$1" --print-request <"$T/p.json" >"$T/sent.json" 2>/dev/null || rc=$?
	[ "$rc" = 2 ] || fail "--print-request exit $rc"
}

# is_deny AGENT: $T/out is that agent's deny.
is_deny() {
	case $1 in
	gemini) [ "$("$Q" get "$T/out" decision)" = deny ] ;;
	*) grep -q '"deny"' "$T/out" ;;
	esac
}

# oversized AGENT SESSION FIELD SHA BYTES KIND: the sent request is the
# notice for FIELD (of BYTES bytes hashing to SHA), carries no judged payload,
# and the real hook against the broker answers deny.
oversized() {
	local agent=$1 sess=$2 field=$3 sha=$4 bytes=$5 kind=$6 f
	sent "$agent"
	[ "$("$Q" get "$T/sent.json" oversized.field)" = "$field" ] || fail "$sess: not an oversized notice for $field: $(head -c 400 "$T/sent.json")"
	[ "$("$Q" get "$T/sent.json" oversized.bytes)" = "$bytes" ] || fail "$sess: oversized.bytes $("$Q" get "$T/sent.json" oversized.bytes), want $bytes"
	[ "$("$Q" get "$T/sent.json" oversized.sha256)" = "$sha" ] || fail "$sess: oversized.sha256 is not the field's hash"
	[ "$("$Q" get "$T/sent.json" kind)" = "$kind" ] || fail "$sess: kind changed"
	[ "$("$Q" get "$T/sent.json" cwd)" = "$WS" ] || fail "$sess: cwd lost"
	for f in command argv path files url host port method server tool arguments query content tool_input patch; do
		! "$Q" get "$T/sent.json" "$f" >/dev/null 2>&1 || fail "$sess: the notice carries $f"
	done
	[ "$(wc -c <"$T/sent.json")" -lt 2000 ] || fail "$sess: the notice is not small"
	# the real hook, the real broker
	rc=0
	sg hook "$agent" <"$T/p.json" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" = 0 ] || fail "$sess: hook exit $rc"
	is_deny "$agent" || fail "$sess: the hook answered $(cat "$T/out")"
	[ "$(pending_count)" = 0 ] || fail "$sess: the oversized request waits for a person"
	{ sg audit query --json --limit 0 | grep -F "\"session\":\"$sess\"" || true; } | head -n 1 >"$T/row.json"
	[ -s "$T/row.json" ] || fail "$sess: the oversized request was not recorded"
	[ "$("$Q" get "$T/row.json" decision)" = deny ] || fail "$sess: recorded as $("$Q" get "$T/row.json" decision)"
	[ "$("$Q" get "$T/row.json" request.oversized.field)" = "$field" ] || fail "$sess: the record lacks the notice"
}

sha_of_big() { { printf '%s' "$1"; big $BIG; printf '%s' "$2"; } | sha256sum | cut -d' ' -f1; }

# ---- the review's attack, through each adapter: a 1.1 MB command ----
tail_cmd=' ; rm -rf ~'
want_sha=$(sha_of_big 'echo ' "$tail_cmd")
want_bytes=$((5 + BIG + ${#tail_cmd}))
payload claude-code big-claude Bash '{"command":"echo ' "$tail_cmd"'","description":"print"'
oversized claude-code big-claude command "$want_sha" $want_bytes exec
payload codex big-codex Bash '{"command":"echo ' "$tail_cmd"'"'
oversized codex big-codex command "$want_sha" $want_bytes exec
payload codex big-codex-perm Bash '{"command":"echo ' "$tail_cmd"'","description":"needs approval"' PermissionRequest
oversized codex big-codex-perm command "$want_sha" $want_bytes exec
payload gemini big-gemini run_shell_command '{"command":"echo ' "$tail_cmd"'","description":"print"'
oversized gemini big-gemini command "$want_sha" $want_bytes exec
pass "1.1 MB command ending in '; rm -rf ~': oversized notice (size, sha256), never a cut command, denied — every adapter"

# an argv (old Codex): the array as compact JSON
{ printf '{"session_id":"big-argv","turn_id":"t1","transcript_path":null,"cwd":"%s","hook_event_name":"PreToolUse","model":"gpt-5","permission_mode":"default","tool_name":"Bash","tool_use_id":"call_argv","tool_input":{"command":["echo","' "$WS"; big $BIG; printf '","rm","-rf","~"]}}'; } >"$T/p.json"
argv_sha=$({ printf '["echo","'; big $BIG; printf '","rm","-rf","~"]'; } | sha256sum | cut -d' ' -f1)
oversized codex big-argv argv "$argv_sha" $((8 + BIG + 18)) exec
pass "1.1 MB argv: oversized notice over its compact JSON"

# ---- paths ----
payload claude-code big-path Read '{"file_path":"/tmp/' '"'
oversized claude-code big-path path "$(sha_of_big '/tmp/' '')" $((5 + BIG)) read
payload gemini big-gpath read_file '{"file_path":"/tmp/' '"'
oversized gemini big-gpath path "$(sha_of_big '/tmp/' '')" $((5 + BIG)) read
payload claude-code big-wpath Write '{"content":"x","file_path":"/tmp/' '"'
oversized claude-code big-wpath path "$(sha_of_big '/tmp/' '')" $((5 + BIG)) write
pass "1.1 MB paths (Read, read_file, Write): oversized notice, denied"
# a patch naming a huge file: the files list is what cannot be carried
payload codex big-patch apply_patch '{"command":"*** Begin Patch\n*** Add File: src/ok.c\n+x\n*** Add File: /tmp/' '\n+x\n*** End Patch"'
sent codex
f=$("$Q" get "$T/sent.json" oversized.field)
case $f in path | files) ;; *) fail "big patch: oversized field '$f'" ;; esac
! "$Q" get "$T/sent.json" files >/dev/null 2>&1 || fail "big patch: files sent cut"
rc=0
sg hook codex <"$T/p.json" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 0 ] && is_deny codex || fail "big patch: not denied: $(cat "$T/out")"
pass "apply_patch naming a 1.1 MB file: oversized notice ($f), denied"

# ---- URLs and hosts ----
payload claude-code big-url WebFetch '{"prompt":"summarise","url":"https://example.com/' '"'
oversized claude-code big-url url "$(sha_of_big 'https://example.com/' '')" $((20 + BIG)) net
payload gemini big-gurl web_fetch '{"prompt":"summarise https://example.com/' ' please"'
oversized gemini big-gurl url "$(sha_of_big 'https://example.com/' '')" $((20 + BIG)) net
payload codex big-host Bash '{"command":"curl x","description":"network-access ' 'x.example"' PermissionRequest
oversized codex big-host host "$(sha_of_big '' 'x.example')" $((BIG + 9)) net
pass "1.1 MB URL (WebFetch, web_fetch) and host (Codex network approval): oversized notice, denied"

# ---- MCP: arguments are judged (the broker walks them for paths) ----
payload claude-code big-mcp mcp__fs__write '{"path":"~/.ssh/authorized_keys","blob":"' '"'
sent claude-code
[ "$("$Q" get "$T/sent.json" oversized.field)" = arguments ] || fail "big MCP: not an arguments notice"
rc=0
sg hook claude-code <"$T/p.json" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 0 ] && is_deny claude-code || fail "big MCP: not denied"
pass "1.1 MB MCP arguments: oversized notice, denied"

# ---- just under the cap: judged fields whole, display fields cut ----
BIG=900000
payload claude-code near-claude Bash '{"description":"print","dangerouslyDisableSandbox":true,"command":"echo ' "$tail_cmd"'"'
sent claude-code
[ "$("$Q" get "$T/sent.json" command | wc -c)" = $((5 + BIG + ${#tail_cmd} + 1)) ] || fail "900 KB command not sent whole"
"$Q" get "$T/sent.json" command | tail -c 12 | matches -F 'rm -rf ~' || fail "the command's tail was lost"
[ "$("$Q" get "$T/sent.json" truncated)" = true ] || fail "tool_input was not cut"
[ "$("$Q" get "$T/sent.json" tool_input.dangerouslyDisableSandbox)" = true ] || fail "a cut tool_input lost dangerouslyDisableSandbox"
! "$Q" get "$T/sent.json" oversized >/dev/null 2>&1 || fail "a command that fits was sent as oversized"
(
	set +e
	sg hook claude-code <"$T/p.json" >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
) &
wait_for 15 '[ "$(pending_count)" = 1 ] || sg audit query --json --limit 0 | matches -F "\"session\":\"near-claude\""'
if [ "$(pending_count)" = 1 ]; then
	sg pending --json >"$T/pending.json"
	[ "$("$Q" get "$T/pending.json" 0.request.command | wc -c)" = $((5 + BIG + ${#tail_cmd} + 1)) ] ||
	    fail "the broker did not receive the whole command"
	sg decide "$("$Q" get "$T/pending.json" 0.id)" deny >/dev/null
fi
wait
is_deny claude-code || fail "900 KB '...; rm -rf ~' was allowed: $(cat "$T/out")"
pass "900 KB command: sent whole (tail included), tool_input cut, flags kept; not allowed by 'exec echo *'"

# ---- any broker error is a deny with its message ----
BIG=10
payload claude-code err-busy Bash '{"command":"echo ' '"'
stop_broker
printf 'max_pending = 1\n' >>"$XDG_CONFIG_HOME/sandgate/config"
start_broker
printf '{"session_id":"err-hold","cwd":"%s","hook_event_name":"PreToolUse","tool_name":"Bash","tool_use_id":"toolu_hold","tool_input":{"command":"rm -rf build"}}' "$WS" >"$T/hold.json"
(sg hook claude-code <"$T/hold.json" >/dev/null 2>&1) &
wait_for 10 '[ "$(pending_count)" = 1 ]'
payload claude-code err-busy Bash '{"command":"rm -rf ' '"'
rc=0
sg hook claude-code <"$T/p.json" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 0 ] && is_deny claude-code || fail "broker refusal was not a deny"
grep -q 'conflict: too many pending' "$T/out" || fail "the reason lacks the broker's error: $(cat "$T/out")"
sg decide "$(sg pending --json | "$Q" get - 0.id)" deny >/dev/null
wait
pass "a broker error reply (conflict: too many pending) is a deny quoting it"
# a reused request id with other content: refused by the broker (item 1)
printf '{"session_id":"err-reuse","cwd":"%s","hook_event_name":"PreToolUse","tool_name":"Bash","tool_use_id":"toolu_k42","tool_input":{"command":"echo step1"}}' "$WS" >"$T/a.json"
printf '{"session_id":"err-reuse","cwd":"%s","hook_event_name":"PreToolUse","tool_name":"Bash","tool_use_id":"toolu_k42","tool_input":{"command":"sh -c '"'"'echo X >> ~/.bashrc'"'"'"}}' "$WS" >"$T/b.json"
sg hook claude-code <"$T/a.json" >"$T/out" 2>/dev/null || true
grep -q '"allow"' "$T/out" || fail "echo step1 was not allowed by the rule"
rc=0
sg hook claude-code <"$T/b.json" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 0 ] || fail "reused id: exit $rc"
is_deny claude-code || fail "a reused request id replayed the old allow for another command"
pass "a reused request id with other content: deny ($(head -c 160 "$T/out"))"
