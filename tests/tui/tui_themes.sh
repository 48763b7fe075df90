#!/usr/bin/env bash
# Themes: the built-ins load, --theme picks one, NO_COLOR gives monochrome,
# and a malformed or hostile theme file is refused with FILE:LINE.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/tui/tui_lib.sh"

start_broker
for t in dark light high-contrast mono; do
	start_console 60 20 --theme "$t"
	wait_screen 'nothing waits'
	keys q
	wait_for 5 grep -q 'console-exit=0' "$T/console.rc"
	stop_console
done
pass "built-in themes"

# NO_COLOR: no colour escapes in the pane, only attributes
keep_server
tm new-session -d -x 60 -y 20 -s c "env NO_COLOR=1 TERM=tmux-256color $SANDGATE console; sleep 600"
wait_screen 'nothing waits'
screen -e | matches -E $'\e\\[([0-9;]*;)?(3[0-8]|4[0-8])[;m]' && fail "colour with NO_COLOR: $(screen -e | cat -v | head -3)"
stop_console
pass "NO_COLOR"

# a user theme overrides a built-in one
mkdir -p "$XDG_CONFIG_HOME/sandgate/themes"
printf 'inherit = dark\nheader = black yellow\n' >"$XDG_CONFIG_HOME/sandgate/themes/mine.theme"
start_console 60 20 --theme mine
wait_screen 'nothing waits'
screen -e | head -1 | matches -F $'\e[30m\e[43m' || screen -e | head -1 | matches -E $'\e\\[30;43m|\e\\[43;30m' || fail "user theme not used: $(screen -e | head -1 | cat -v)"
keys q
stop_console
pass "user theme"

# malformed and hostile theme files
printf 'normal = red\nselected = purple\n' >"$XDG_CONFIG_HOME/sandgate/themes/bad.theme"
out=$(sg console --theme bad 2>&1) && fail "bad theme accepted"
echo "$out" | matches 'bad.theme:2: .purple. is not a colour' || fail "message: $out"
printf 'normal = red\x1b]0;pwned\x07\n' >"$XDG_CONFIG_HOME/sandgate/themes/evil.theme"
out=$(sg console --theme evil 2>&1) && fail "evil theme accepted"
echo "$out" | matches 'evil.theme:1: control character' || fail "message: $out"
printf '%s' "$out" | matches $'\e' && fail "an escape from the theme file reached stderr"
head -c 70000 /dev/zero | tr '\0' '#' >"$XDG_CONFIG_HOME/sandgate/themes/huge.theme"
out=$(sg console --theme huge 2>&1) && fail "huge theme accepted"
echo "$out" | matches 'at most 65536 bytes' || fail "message: $out"
out=$(sg console --theme '../../x' 2>&1) && fail "path as theme name accepted"
echo "$out" | matches 'must be 1-32 letters' || fail "message: $out"
out=$(sg console --theme nosuch 2>&1) && fail "unknown theme accepted"
echo "$out" | matches "no theme 'nosuch' (built-in: dark, high-contrast, light, mono" || fail "message: $out"
pass "theme errors"
