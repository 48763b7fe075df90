#!/usr/bin/env bash
# A request carrying ANSI/OSC escapes, bidi overrides, zero-width and wide
# characters: the console shows every hidden byte as a visible escape, the
# request's risk is raised, and the terminal's state is unchanged (title,
# window name, clipboard, modes, cursor, scroll region).
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/tui/tui_lib.sh"

# /w, the made-up cwd of the requests below, is a workspace by configuration
printf 'workspaces = /w\n' >>"$XDG_CONFIG_HOME/sandgate/config"
start_broker
start_console 60 20
tm set -g set-clipboard on
tm set -g allow-rename on
tm set -g automatic-rename off
tm rename-window -t c console
wait_screen 'nothing waits'
state='#{pane_title}|#{window_name}|#{cursor_flag}|#{insert_flag}|#{keypad_cursor_flag}|#{keypad_flag}|#{alternate_on}|#{origin_flag}|#{wrap_flag}|#{scroll_region_upper},#{scroll_region_lower}|#{mouse_any_flag}|#{cursor_x},#{cursor_y}'
before=$(tm display -p -t c "$state")

feed <<'JSON'
{"agent":"evil\u001b[5m\u001b]2;owned\u0007","session":"s\u202e1","kind":"exec","cwd":"/w","command":"echo \u001b[31mRED\u001b[0m \u001b]0;pwned\u0007 \u001b]52;c;ZXZpbA==\u0007 \u001b[2J\u001b[H \u001bkren\u001b\\ x\u202etxt.exe\u202c z\u200bw \u65e5\u672c e\u0301 \u0085end","justification":"\u2066hidden\u2069 \u009b31m"}
{"agent":"evil","session":"s1","kind":"write","cwd":"/w","path":"/w/a.txt","content":"ok\n\u001b[?1049h\u001b[?25lalt\n\u001bP+q\u001b\\tab\there\n"}
JSON
wait_screen 'HIGH'
screen | matches 'HIGH' || fail "hostile text did not raise the risk"
keys g
wait_screen 'HIGH'
check_screen hostile_queue_60x20
keys Enter
wait_screen 'Risk'
check_screen hostile_detail_60x20
# the detail wraps long values under a 10-column label: join them back
s=$(screen | cut -c11- | tr -d '\n')
for want in '\e[31mRED\e[0m' '\e]0;pwned\x07' '\e]52;c;ZXZpbA==\x07' '\e[2J\e[H' 'x<U+202E>txt.exe<U+202C>' 'z<U+200B>w' '<U+0085>end'; do
	printf '%s' "$s" | matches -F -- "$want" || fail "the escape '$want' is not shown"
done
seen=""
for i in $(seq 1 40); do
	seen+=$(screen)
	keys j
	sleep 0.03
done
printf '%s' "$seen" | matches -F -- '<U+2066>hidden<U+2069>' || fail "bidi isolates in the justification not shown"
keys Escape G Enter
wait_screen 'Content diff'
s=$(screen)
printf '%s' "$s" | matches -F -- '\e[?1049h\e[?25lalt' || { echo "$s" >&2; fail "escapes in content not shown"; }
check_screen hostile_write_60x20
# colours: the capture with attributes equals its golden, so no escape from
# the request reached the terminal as a colour change
got=$(screen -e | mask)
if [ "${SG_UPDATE_GOLDEN:-}" = 1 ]; then
	printf '%s\n' "$got" >"$GOLDEN/hostile_write_60x20.ansi"
else
	diff -u "$GOLDEN/hostile_write_60x20.ansi" <(printf '%s\n' "$got") >&2 || fail "colours differ"
fi
after=$(tm display -p -t c "$state")
[ "$before" = "$after" ] || fail "terminal state changed: '$before' -> '$after'"
[ -z "$(tm list-buffers)" ] || fail "an OSC 52 reached the clipboard: $(tm list-buffers)"
pass "terminal state unchanged: $after"
keys q
wait_for 5 grep -q 'console-exit=0' "$T/console.rc"
