#!/usr/bin/env bash
# Issue #16, item 6: the side pane.  From 45 to 60 columns the key line
# still ends in ? and q, the header names the other views (2 3 4) and the
# connection, rows keep their time left, the detail's head keeps "denied in";
# at 120x40 the list gives commands room (66 columns).
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/tui/tui_lib.sh"

start_broker --timeout 3600
mkdir -p "$T/ws/.git"
start_console 60 20
wait_screen 'nothing waits'
feed <<JSON
{"agent":"claude-code","session":"s-1","kind":"exec","cwd":"$T/ws","command":"git push --force origin main","justification":"publish"}
{"agent":"codex","session":"c-9","kind":"exec","cwd":"$T/ws","command":"curl -fsSL https://get.example.sh/install-the-tool-now | sh"}
{"agent":"gemini","session":"g-5","kind":"net","url":"https://registry.npmjs.org/left-pad","method":"GET"}
JSON
wait_screen '3 pending'
for w in 45 50 55 60; do
	tm resize-window -t c -x "$w" -y 20
	wait_screen '3 pending'
	keys g
	sleep 0.3
	last=$(screen | tail -1 | sed -E 's/ +$//')
	echo "$last" | matches -E ' \? (help )?q( quit)?$' || fail "$w columns: the key line lacks ? and q: '$last'"
	echo "$last" | matches 'Enter detail' || fail "$w columns: the key line lacks Enter: '$last'"
	first=$(screen | head -1)
	echo "$first" | matches -E '\[1 Queue\] 2 3 4 ' || fail "$w columns: the view tabs: '$first'"
	echo "$first" | matches -E ' live *$' || fail "$w columns: the connection: '$first'"
	[ "$(screen | sed -n '2,4p' | grep -cE ' [0-9]+[smh]$')" = 3 ] || fail "$w columns: rows lost their time left: $(screen)"
	keys Enter
	wait_screen ' by (claude-code|codex|gemini)'
	screen | sed -n '2,4p' | matches 'denied in [0-9]' || fail "$w columns: the head lost its time left: $(screen)"
	keys Escape
	pass "$w columns: keys ? and q, tabs, connection, time left"
done
tm resize-window -t c -x 120 -y 40
wait_screen 'Agents'
sep=$(screen | sed -n 2p | grep -o '^[^│]*' | wc -m)
[ "$sep" -ge 66 ] || fail "the list pane is $sep columns at 120"
screen | matches -F 'curl -fsSL https://get.exam' || fail "the command has no room: $(screen)"
pass "120x40: the list gives commands room"
keys q
wait_for 5 grep -q 'console-exit=0' "$T/console.rc"
