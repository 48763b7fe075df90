#!/bin/bash
# cases.sh -- every payload in tests/hooks/cases/AGENT/*.json, in that agent's
# real hook format, through the real `sandgate hook AGENT` and a real broker:
# the submitted request must hold the expected fields, the test answers with
# `sandgate decide`, and the hook's stdout must be exactly the expected JSON
# (@ID@ is the request id) with exit status 0.  @HOME@ in an expected request
# is the home directory "~" resolves to.
. "$SG_SRC/tests/lib.sh"
Q="$SG_BUILD/tests/hooks/sg_jsonq"
unset CLAUDE_PROJECT_DIR GEMINI_PROJECT_DIR SANDGATE_HOOK_TIMEOUT || true
export SANDGATE_REVIEWER=tester
start_broker

has_pending() { [ "$(sg pending --json | "$Q" len - .)" -ge 1 ]; }

total=0
for agent in claude-code codex gemini; do
	n=0
	for c in "$SG_SRC"/tests/hooks/cases/$agent/*.json; do
		name="$agent/$(basename "$c" .json)"
		"$Q" dump "$c" input >"$T/in.json"
		decision=$("$Q" get "$c" decide)
		note=$("$Q" get "$c" note)
		(
			set +e
			sg hook "$agent" <"$T/in.json" >"$T/out.json" 2>"$T/err"
			echo $? >"$T/rc"
		) &
		hook=$!
		wait_for 10 has_pending
		sg pending --json >"$T/pending.json"
		[ "$("$Q" len "$T/pending.json" .)" = 1 ] || fail "$name: expected one pending request"
		id=$("$Q" get "$T/pending.json" 0.id)
		# @HOME@: the home directory the hook expands "~" to (the test's $HOME)
		"$Q" dump "$c" request | sed "s|@HOME@|$HOME|g" >"$T/want_req.json"
		"$Q" sub "$T/want_req.json" . "$T/pending.json" 0.request || fail "$name: the submitted request differs"
		# narrow_*.json (issue #14): the reviewer narrows with `decide --narrow`
		narrow=$("$Q" get "$c" narrow 2>/dev/null) || narrow=
		if [ -n "$narrow" ]; then
			sg decide "$id" "$decision" --note "$note" --narrow "$narrow" >/dev/null || fail "$name: decide --narrow failed"
		else
			sg decide "$id" "$decision" --note "$note" >/dev/null || fail "$name: decide failed"
		fi
		wait "$hook"
		[ "$(cat "$T/rc")" = 0 ] || fail "$name: exit $(cat "$T/rc"): $(cat "$T/err")"
		[ "$(wc -l <"$T/out.json")" = 1 ] || fail "$name: stdout is not one line: $(cat "$T/out.json")"
		"$Q" dump "$c" output | sed "s/@ID@/$id/g" >"$T/want.json"
		"$Q" eq "$T/want.json" . "$T/out.json" . || fail "$name: the answer differs"
		n=$((n + 1))
	done
	[ "$n" -ge 30 ] || fail "$agent: only $n payloads (want at least 30)"
	pass "$agent: $n payloads answered as expected"
	total=$((total + n))
done
pass "$total hook payloads through the real binary and broker"
