#!/usr/bin/env bash
# 10,000 pending requests: the console lists them all, stays responsive
# (keys move the selection), and the counts are right.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/tui/tui_lib.sh"

# one session holds all 10,000: above the default per-session quota (1,000)
printf 'max_pending_session = 10000\n' >>"$XDG_CONFIG_HOME/sandgate/config"
start_broker --timeout 3600
"$SGFEED" --count 10000 '{"agent":"bulk-{n}","session":"s","kind":"exec","cwd":"/w","command":"run job {n}"}' \
	>"$T/feed.out" 2>&1 &
FEED_PIDS+=($!)
wait_for 60 grep -q '^ok 10000' "$T/feed.out"
start_console 120 40
wait_screen '10000 pending' 30
screen | head -1 | matches '10000 pending' || fail "header count"
keys G
wait_screen 'run job'
keys g
sleep 0.2
keys j j j
wait_screen 'run job'
check_screen many_120x40
keys /
keys -l 'text:9999'
keys Enter
wait_screen '10000 pending, [0-9]+ group'
wait_screen 'run job 9999'
screen | matches 'run job 9999' || fail "filter did not find job 9999"
keys q
wait_for 10 grep -q 'console-exit=0' "$T/console.rc"
pass "10000 pending requests"
# withdraw them (the feeder goes away) before the broker is stopped, so the
# shutdown stays quick even in a sanitizer build
kill "${FEED_PIDS[@]}"
FEED_PIDS=()
none_pending() { sg status --json | matches '"pending":0'; }
wait_for 90 none_pending
