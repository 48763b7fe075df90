# tests/tui/tui_lib.sh -- drive the real console in a detached tmux server.
# Source after tests/lib.sh.  Goldens live in tests/tui/golden/; run with
# SG_UPDATE_GOLDEN=1 to write them instead of comparing.
: "${SGFEED:?set SGFEED to the sgfeed test tool}"
command -v tmux >/dev/null || { echo "SKIP: tmux not installed"; exit 0; }

TM_SOCK="sgtest-$$"
GOLDEN="$SG_SRC/tests/tui/golden"
export LC_ALL=C.UTF-8
FEED_PIDS=()

tm() { tmux -u -L "$TM_SOCK" -f /dev/null "$@"; }

_tui_cleanup() {
	local rc=$?
	# no errexit here: with it, `(exit $rc)` below would end the trap on a
	# failure before _sg_cleanup stops the broker
	set +e
	for p in "${FEED_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	# let a console still running quit on its own (a sanitizer build checks
	# for leaks at exit) before its terminal goes away
	tm send-keys -t c q 2>/dev/null || true
	sleep 0.3
	tm kill-server 2>/dev/null || true
	(exit $rc)
	_sg_cleanup
}
trap _tui_cleanup EXIT

# keep_server: a spare session keeps the server up between consoles (a
# server that exits as a new session starts makes tmux fail).
keep_server() {
	tm has-session -t keep 2>/dev/null || tm new-session -d -s keep -x 20 -y 5 "sleep 600"
}

# start_console W H [ARGS...]: the real console in a fresh tmux server.
start_console() {
	local w=$1 h=$2
	shift 2
	keep_server
	tm new-session -d -x "$w" -y "$h" -s c \
		"env TERM=tmux-256color LC_ALL=C.UTF-8 $SANDGATE console $* 2>$T/console.err; echo console-exit=\$? >$T/console.rc; sleep 600"
}

# screen [-e]: the pane as text.
screen() { tm capture-pane -p -t c "$@"; }

keys() { tm send-keys -t c "$@"; }

# stop_console: end the console's session (the server may exit with it).
stop_console() {
	tm send-keys -t c q >/dev/null 2>&1 || true
	sleep 0.3
	tm kill-session -t c >/dev/null 2>&1 || true
}

# wait_screen REGEX [SECONDS]: until the pane matches, then until it is still.
wait_screen() {
	local re=$1 deadline=$((SECONDS + ${2:-10})) a b
	until screen | matches -E -- "$re"; do
		if [ $SECONDS -ge $deadline ]; then
			screen >&2
			fail "screen never showed /$re/"
		fi
		sleep 0.05
	done
	a=$(screen)
	while sleep 0.3; b=$(screen); [ "$a" != "$b" ]; do
		a=$b
		[ $SECONDS -lt $deadline ] || break
	done
}

# mask: hide what changes from run to run (ages, pids, temp paths).
mask() {
	sed -E -e "s#$T#\$T#g" \
		-e 's/pid [0-9]+/pid N/g' \
		-e 's/(^| +)[0-9]+[smhd]( ago)?( |$|│)/ ~t\2\3/g'
}

# check_screen NAME: compare the masked pane with golden/NAME.txt.
check_screen() {
	local name=$1 got prev i
	# ages tick every second: take the masked pane once two captures agree,
	# so a frame caught half redrawn is never compared
	got=$(screen | mask)
	for i in 1 2 3 4 5 6 7 8 9 10; do
		sleep 0.2
		prev=$got
		got=$(screen | mask)
		[ "$got" = "$prev" ] && break
	done
	if [ "${SG_UPDATE_GOLDEN:-}" = 1 ]; then
		mkdir -p "$GOLDEN"
		printf '%s\n' "$got" >"$GOLDEN/$name.txt"
		echo "updated golden $name"
		return 0
	fi
	[ -f "$GOLDEN/$name.txt" ] || fail "no golden $name (run with SG_UPDATE_GOLDEN=1)"
	if ! diff -u "$GOLDEN/$name.txt" <(printf '%s\n' "$got") >&2; then
		screen >&2; fail "screen $name differs from its golden"
	fi
	pass "screen $name"
}

# feed: submit the JSON lines on stdin as pending requests held by one
# agent connection (sgfeed stays in the background).
feed() {
	local out="$T/feed.$RANDOM"
	cat >"$out.in"
	"$SGFEED" "$@" <"$out.in" >"$out" 2>&1 &
	FEED_PIDS+=($!)
	wait_for 30 grep -q '^ok' "$out"
}

# not_pending TEXT: no pending request mentions TEXT.
not_pending() { ! sg pending --json | matches -F -- "$1"; }

broker_has() { "$SGTEST" call console "$1" '[]' >/dev/null 2>&1; }
