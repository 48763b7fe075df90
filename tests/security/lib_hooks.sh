# lib_hooks.sh -- what the hook attack scripts share (unknown_tools_hooks.sh,
# hooks_newtools.sh): an agent's hook input, running the real `sandgate hook`
# against the broker, and reading what it recorded.  Source after tests/lib.sh
# and start_broker, with WS set to the workspace and Q to sg_jsonq.
n=0

# payload AGENT SESSION TOOL TOOL_INPUT_JSON [EVENT] [EXTRA_JSON_MEMBERS]:
# the hook input in $T/p.json
payload() {
	local ev=${5:-PreToolUse} extra=${6:+,$6}
	n=$((n + 1))
	case $1 in
	claude-code) printf '{"session_id":"%s","transcript_path":"/t.jsonl","cwd":"%s","permission_mode":"default","hook_event_name":"%s","tool_name":"%s","tool_input":%s,"tool_use_id":"toolu_ut%d"%s}' "$2" "$WS" "$ev" "$3" "$4" "$n" "$extra" ;;
	codex) printf '{"session_id":"%s","turn_id":"t1","transcript_path":null,"cwd":"%s","hook_event_name":"%s","model":"gpt-5","permission_mode":"default","tool_name":"%s","tool_input":%s,"tool_use_id":"call_ut%d"}' "$2" "$WS" "$ev" "$3" "$4" "$n" ;;
	gemini) printf '{"session_id":"%s","transcript_path":"/t.json","cwd":"%s","hook_event_name":"BeforeTool","timestamp":"2026-11-27T09:00:00Z","tool_name":"%s","tool_input":%s%s}' "$2" "$WS" "$3" "$4" "$extra" ;;
	esac >"$T/p.json"
}

# Outputs are read whole before they are matched: under pipefail, grep -q
# (or head) stopping early could kill sg with SIGPIPE and fail the check.
pending_has() {
	local out
	out=$(sg pending --json) || return 1
	[[ $out == *"\"session\":\"$1\""* ]]
}
audit_row() {
	local out line
	out=$(sg audit query --json --limit 0) || return 1
	while IFS= read -r line; do
		if [[ $line == *"\"session\":\"$1\""* ]]; then
			printf '%s\n' "$line"
			return 0
		fi
	done <<<"$out"
	return 1
}
audited() { audit_row "$1" >/dev/null; }

# attack AGENT SESSION: run the hook on $T/p.json; OUTCOME is waits (a
# reviewer is asked; the test denies), or the broker's decision at once; the
# request in $T/rec.json (and, when it waited, its summary in $T/summary).
attack() {
	local agent=$1 sess=$2 id out
	(
		set +e
		sg hook "$agent" <"$T/p.json" >"$T/out" 2>"$T/err"
		echo $? >"$T/rc"
	) &
	wait_for 15 "pending_has $sess || audited $sess"
	if pending_has "$sess"; then
		OUTCOME=waits
		sg pending --json >"$T/pending.json"
		"$Q" dump "$T/pending.json" 0.request >"$T/rec.json"
		"$Q" get "$T/pending.json" 0.summary >"$T/summary"
		id=$("$Q" get "$T/pending.json" 0.id)
		sg decide "$id" deny --note "not covered" >/dev/null
	else
		audit_row "$sess" >"$T/row.json"
		OUTCOME=$("$Q" get "$T/row.json" decision)
		"$Q" dump "$T/row.json" request >"$T/rec.json"
	fi
	wait
	[ "$(cat "$T/rc")" = 0 ] || fail "$sess: hook exit $(cat "$T/rc"): $(cat "$T/err")"
	if [ "$OUTCOME" != allow ]; then
		out=$(cat "$T/out")
		[[ $out == *'"deny"'* ]] || fail "$sess: not allowed but the hook answered $out"
	fi
}

not_allowed() {
	[ "$OUTCOME" != allow ] || fail "$1: allowed at once by a rule that does not cover what it names"
	pass "$1: not allowed at once ($OUTCOME)"
}
kind_is() { [ "$("$Q" get "$T/rec.json" kind)" = "$1" ] || fail "$2: kind $("$Q" get "$T/rec.json" kind), want $1"; }
