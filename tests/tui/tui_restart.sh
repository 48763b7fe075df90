#!/usr/bin/env bash
# The broker restarts while the console is open: the console shows
# "disconnected", reconnects, and shows what the new broker holds.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/tui/tui_lib.sh"

start_broker
start_console 60 20
feed <<'JSON'
{"agent":"a1","session":"s1","kind":"exec","cwd":"/w","command":"make test"}
JSON
wait_screen '1 pending'
stop_broker
wait_screen 'disconnected'
check_screen restart_down_60x20
sg pending >/dev/null 2>&1 && fail "the broker is still up"
start_broker
wait_screen 'nothing waits' 10
screen | matches 'live' || fail "not live after the restart"
feed <<'JSON'
{"agent":"a2","session":"s2","kind":"exec","cwd":"/w","command":"make install"}
JSON
wait_screen 'make install'
check_screen restart_up_60x20
keys q
wait_for 5 grep -q 'console-exit=0' "$T/console.rc"
pass "reconnected after a broker restart"
