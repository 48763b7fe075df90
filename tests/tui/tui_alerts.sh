#!/usr/bin/env bash
# What the console showed is what it sends: deciding from the detail sends
# shown_sha256 = SHA-256 of the detail as drawn, which must equal the hash of
# the detail pane captured from the screen; deciding from the narrow list
# (no detail on screen) sends none.  The broker's circumvention alert shows
# on an alert line, its agent-controlled text escaped (the terminal's title
# is unchanged).
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/tui/tui_lib.sh"
export SANDGATE_REVIEWER=tester
H=60

start_broker --timeout 3600
start_console 120 $H
wait_screen 'nothing waits for a decision'
feed <<JSON
{"agent":"claude-code","session":"s-1","kind":"exec","cwd":"$T","command":"ls -la /srv/www"}
{"agent":"codex","session":"c-2","kind":"exec","cwd":"$T","command":"git push origin feature/alerts"}
JSON
wait_screen '2 pending'

# --- decide from the detail (wide layout): the hash is of the pane's text
keys /
keys -l 'ls -la'
keys Enter
wait_screen '1 group'
wait_screen 'ls -la /srv/www'
# the detail pane: what follows the separator (trailing empty lines go with $(...));
# the whole document must be on screen: the row above the status line is empty
# ages in the detail move once a second (issue #16): capture early in a
# second of the clock and decide at once, so both see the same document
until [ "$(( 10#$(date +%N) / 1000000 ))" -ge 150 ] && [ "$(( 10#$(date +%N) / 1000000 ))" -lt 400 ]; do sleep 0.02; done
shown=$(screen | grep '│' | sed -E 's/^[^│]*│ ?//')
[ -z "$(screen | sed -n "$((H - 1))p" | sed -E 's/^[^│]*│ ?//')" ] ||
	fail "the detail does not fit on the screen: the test needs a taller pane"
want=$(printf '%s' "$shown" | sha256sum | cut -d' ' -f1)
keys a
wait_screen 'allowed'
wait_for 10 not_pending 'ls -la'
got=$(sqlite3 "$SANDGATE_DB" "SELECT shown_sha256 FROM audit WHERE summary LIKE 'ls -la%'")
[ -n "$got" ] || fail "no shown_sha256 recorded"
# the detail may have been redrawn a second later than the capture (ages move
# every second): the same text with the age one or two seconds on also counts
ok=
for dt in 0 1 2; do
	v=$(printf '%s' "$shown" | perl -pe 's/(#\d+ +)(\d+)(s( ago)? )/$1.($2+'"$dt"').$3/ge' | sha256sum | cut -d' ' -f1)
	[ "$got" = "$v" ] && ok=1
done
[ -n "$ok" ] || fail "shown_sha256 $got is not the hash of the detail on screen ($want):
$shown"
pass "decided from the detail: shown_sha256 is the hash of the detail as drawn"
keys Escape

# --- decide from the narrow list: no detail on screen, no hash
tm resize-window -t c -x 60 -y 20
wait_screen '1 pending'
keys g d
wait_for 10 not_pending 'feature/alerts'
got=$(sqlite3 "$SANDGATE_DB" "SELECT coalesce(shown_sha256, 'none') FROM audit WHERE summary LIKE 'git push%'")
[ "$got" = none ] || fail "a decision from the list sent shown_sha256 $got"
pass "decided from the list: no shown_sha256"

# --- a circumvention alert with a hostile agent name
tm resize-window -t c -x 120 -y 40
title0=$(tm display-message -p -t c '#{pane_title}')
feed <<JSON
{"agent":"evil\u001b]0;pwned\u0007\u202e","session":"x-1","kind":"exec","cwd":"$T","command":"rm -f $SANDGATE_DB"}
JSON
wait_screen 'ALERT circumvention'
line=$(screen | grep 'ALERT circumvention')
printf '%s\n' "$line" | matches -F 'ALERT circumvention: #' || fail "alert line: $line"
printf '%s\n' "$line" | matches -F 'evil\e]0;pwned\x07<U+202E>: reaches sandgate' || fail "agent text not escaped: $line"
[ "$(tm display-message -p -t c '#{pane_title}')" = "$title0" ] || fail "the alert changed the terminal title"
# the alert line sits just above the status line, in the alert role (reverse video in every theme)
[ "$(screen | grep -n 'ALERT circumvention' | cut -d: -f1)" = 39 ] || fail "alert not above the status line: $(screen)"
screen -e | grep 'ALERT circumvention' | matches $'\e\[[0-9;]*7' || fail "alert line not in the alert role"
pass "circumvention alert shown, escaped, above the status line"

# issue #16: its row is marked (! after the count), and its detail says so
id=$(printf '%s\n' "$line" | sed -E 's/.*ALERT circumvention: #([0-9]+).*/\1/')
screen | grep -E '^.(CRIT|HIGH)[ 0-9]{3} {5}!' | matches -F 'rm -f' || fail "the circumvention row is not marked: $(screen)"
keys /
keys -l 'rm -f'
keys Enter
wait_screen "#$id "
screen | matches -F '! goes around the controls' || fail "the detail does not say it goes around the controls: $(screen)"
keys Escape
pass "the circumvention request's row is marked and its detail (#$id) says so"

keys q
wait_for 5 grep -q 'console-exit=0' "$T/console.rc"
