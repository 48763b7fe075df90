#!/usr/bin/env bash
# Reviewer narrowing in the console (issue #14): `e` on a request whose
# requester can apply a changed input (a real `sandgate hook claude-code`)
# opens a one-line editor with its command; Enter shows what the edit
# changes in the intent and its risk, and asks to confirm; Esc cancels; y
# allows the narrowed command, and the hook hands it back as updatedInput.
# A request that cannot be narrowed (a plain agent request) shows no `e`
# and refuses the key.  `p` hands a Gemini call to Gemini's own prompt.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/tui/tui_lib.sh"
export SANDGATE_REVIEWER=tester
unset CLAUDE_PROJECT_DIR GEMINI_PROJECT_DIR SANDGATE_HOOK_TIMEOUT || true

start_broker --timeout 3600
start_console 140 40
wait_screen 'nothing waits for a decision'

# a request whose requester declared nothing: no `e`, and the key refuses
feed <<JSON
{"agent":"codex","session":"s-1","kind":"exec","cwd":"$T","command":"rm -rf $T/build"}
JSON
wait_screen '1 pending'
screen | tail -1 | matches ' e narrow' && fail "e offered for a request that cannot be narrowed: $(screen | tail -1)"
keys e
wait_screen 'cannot be narrowed: its agent cannot apply a narrowed input'
pass "e is hidden and refused when the requester cannot apply a narrowed input"

# a Claude Code Bash call through the real hook
printf '{"session_id":"s1","cwd":"%s","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"rm -rf dist src","description":"clean"},"tool_use_id":"toolu_n1"}' "$T" >"$T/c1.in"
( set +e; sg hook claude-code <"$T/c1.in" >"$T/c1.out" 2>"$T/c1.err"; echo $? >"$T/c1.rc" ) &
wait_screen '2 pending'
keys /
keys -l 'dist src'
keys Enter
wait_screen 'rm -rf dist src'
# (once the last message has gone from the status line)
wait_for 15 "screen | tail -1 | matches ' e narrow'"
screen | tail -1 | matches ' p agent asks' || fail "no p hint on a Claude PreToolUse request: $(screen | tail -1)"
keys e
wait_screen 'narrow command: rm -rf dist src'
check_screen narrowing_edit
# Esc in the editor cancels
keys Escape
wait_screen 'cancelled: nothing decided'
# edit: clear the line and type the narrower command
keys e
wait_screen 'narrow command: rm -rf dist src'
keys C-u
keys -l 'rm -rf dist'
keys Enter
wait_screen 'Narrow request #[0-9]+: allow this command instead'
screen | matches 'asked:    rm -rf dist src' || fail "box: $(screen)"
screen | matches 'narrowed: rm -rf dist' || fail "box: $(screen)"
screen | matches -E 'risk: +[a-z]+ [0-9]+ -> [a-z]+ [0-9]+' || fail "box has no risk: $(screen)"
screen | matches "intent:   -delete-recursive $T/src" || fail "box has no intent diff: $(screen)"
check_screen narrowing_confirm
# Esc in the box cancels too, and the request still waits
keys Escape
wait_screen 'cancelled: nothing decided'
[ ! -s "$T/c1.rc" ] || fail "the hook was answered after a cancel: $(cat "$T/c1.out")"
keys e
wait_screen 'narrow command: rm -rf dist src'
keys C-u
keys -l 'rm -rf dist'
keys Enter
wait_screen 'Narrow request #[0-9]+'
keys y
wait_screen 'allowed, narrowed'
wait_for 10 "[ -s '$T/c1.rc' ]"
[ "$(cat "$T/c1.rc")" = 0 ] || fail "hook exit $(cat "$T/c1.rc")"
grep -q '"updatedInput":{"command":"rm -rf dist","description":"clean"}' "$T/c1.out" ||
	fail "hook output: $(cat "$T/c1.out")"
pass "e, edit, Enter, y: the hook hands back the narrowed command"
keys Escape

# p: a Gemini call handed to Gemini's own confirmation
printf '{"session_id":"g1","cwd":"%s","hook_event_name":"BeforeTool","tool_name":"run_shell_command","tool_input":{"command":"npm publish"}}' "$T" >"$T/g1.in"
( set +e; sg hook gemini <"$T/g1.in" >"$T/g1.out" 2>/dev/null; echo $? >"$T/g1.rc" ) &
wait_for 10 "sg pending --json | matches 'npm publish'"
keys /
keys -l 'npm publish'
keys Enter
wait_screen 'npm publish'
keys p
wait_screen "handed to the agent's own permission prompt"
wait_for 10 "[ -s '$T/g1.rc' ]"
grep -q '"decision":"ask"' "$T/g1.out" || fail "gemini output: $(cat "$T/g1.out")"
pass "p hands the call to the agent's own prompt"

keys Escape
keys q
wait_for 5 grep -q 'console-exit=0' "$T/console.rc"
