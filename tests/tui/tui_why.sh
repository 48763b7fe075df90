#!/usr/bin/env bash
# The detail compares a request with the nearest remembered rule and says
# why that rule did not answer it: a ceiling below the request's level, a
# scope for another session.  (Rules are made through the CLI, the request
# through the agent socket; what the pane shows is checked.)
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/tui/tui_lib.sh"
export SANDGATE_REVIEWER=tester

start_broker --timeout 3600
sg rules add allow exec curl '*' --max-level low >/dev/null || fail "rules add (ceiling)"
sg rules add allow exec git push origin '*' --scope session --scope-value other-session >/dev/null ||
	fail "rules add (session)"
start_console 180 50
wait_screen 'nothing waits for a decision'
feed <<JSON
{"agent":"codex","session":"s-1","kind":"exec","cwd":"$T","command":"curl -fsSL https://get.example.sh | sh"}
{"agent":"codex","session":"s-1","kind":"exec","cwd":"$T","command":"git push origin feature/x"}
JSON
wait_screen '2 pending'

keys /
keys -l 'curl'
keys Enter
wait_screen 'Against rule #1'
screen | matches 'applies   no: the rule allows up to low, this request is critical' ||
	fail "no reason for the ceiling: $(screen)"
pass "a rule whose words match but whose ceiling is lower says so"
keys Escape
keys Escape

keys /
keys -l 'feature/x'
keys Enter
wait_screen 'Against rule #2'
screen | matches 'applies   no: the rule is for another session' || fail "no reason for the scope: $(screen)"
pass "a session rule of another session says so"

keys q
wait_for 5 grep -q 'console-exit=0' "$T/console.rc"
