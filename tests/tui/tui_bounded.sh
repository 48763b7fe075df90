#!/usr/bin/env bash
# A bounded console run (--exit-after): with the ASan build in CI this runs
# the whole loop under the sanitizers and must exit 0 with no report.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/tui/tui_lib.sh"

start_broker
feed <<'JSON'
{"agent":"a","session":"s","kind":"exec","cwd":"/w","command":"ls \u001b[1m"}
{"agent":"a","session":"s","kind":"write","cwd":"/w","path":"/w/x","content":"a\nb\n"}
{"agent":"b","session":"t","kind":"edit","cwd":"/w","path":"/w/y","old":"a","new":"b"}
JSON
start_console 120 40 --exit-after 400
wait_screen '3 pending'
# walk through every view, the detail, the help and a filter while the loop runs
for k in j Enter j k Tab '?' q 2 3 4 1 / a Enter Escape G g z Z; do
	keys "$k"
	sleep 0.02
done
wait_for 60 grep -q 'console-exit=' "$T/console.rc"
grep -q 'console-exit=0' "$T/console.rc" || fail "console exited: $(cat "$T/console.rc"; cat "$T/console.err")"
grep -q 'ERROR: AddressSanitizer\|runtime error' "$T/console.err" && fail "sanitizer report: $(cat "$T/console.err")"
pass "bounded console run"
