#!/usr/bin/env bash
# Issue #16, item 1: after every decision (a, d, A, D, s) and every move the
# detail shows the next request from its head (kind, agent, id), marked with
# a ▶, never mid-page; a decision key typed ahead onto a request whose head
# was never on screen decides nothing and asks for the key again.  At 60x20
# and 80x24 (one column, detail after Enter) and 120x40 (list and detail).
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/tui/tui_lib.sh"
export SANDGATE_REVIEWER=tester

start_broker --timeout 3600
mkdir -p "$T/ws/.git"

# forty lines: a detail far longer than any of the panes
body=$(for i in $(seq 1 40); do printf 'line %d of the new file\\n' "$i"; done)

# feed SESSION: two groups of three writes (one file each, so the detail is
# long), and single commands of different programs
feed_set() {
	local s=$1 out=""
	for d in alpha beta; do
		for f in one two three; do
			out+="{\"agent\":\"claude-code\",\"session\":\"$s\",\"kind\":\"write\",\"cwd\":\"$T/ws\",\"path\":\"$d/$s-$f.txt\",\"content\":\"$body\",\"justification\":\"write $f\"}"$'\n'
		done
	done
	for p in cargo make ninja gradle bazel meson; do
		out+="{\"agent\":\"codex\",\"session\":\"$s\",\"kind\":\"exec\",\"cwd\":\"$T/ws\",\"command\":\"$p build --release\",\"justification\":\"$body\"}"$'\n'
	done
	printf '%s' "$out" | feed
}

# the detail's rows (the right pane when the screen is wide)
detail_rows() {
	if [ "$W" -ge 120 ]; then screen | sed -n '2,$p' | sed -E 's/^[^│]*│ ?//'; else screen | sed -n '2,$p'; fi
}
HEAD='^(▶ )?(low |med |HIGH|CRIT) +(exec|write) by (claude-code|codex) +#[0-9]+'

# head_on_top WHAT: the detail's first row is a request's head, marked new
head_on_top() {
	local first
	wait_screen 'pending'
	first=$(detail_rows | head -1)
	echo "$first" | matches -E "$HEAD" || fail "$W x $H after $1: the detail does not start at the request's head: $(screen)"
	echo "$first" | matches '^▶ ' || fail "$W x $H after $1: the new head is not marked: $first"
	pass "$W x $H: after $1 the next request's head is on top"
}

# scroll_down: focus the detail and scroll its head off screen
scroll_down() {
	if [ "$W" -ge 120 ]; then
		focus_detail
	fi
	keys G
	for _ in $(seq 1 50); do
		detail_rows | matches -E "$HEAD" || return 0
		sleep 0.1
	done
	fail "$W x $H: the detail did not scroll: $(screen)"
}

focus_detail() {
	# Tab toggles the focus (wide); Enter opens the detail (one column)
	if [ "$W" -ge 120 ]; then
		screen | matches '^>' && keys Tab
	else
		screen | matches -E "$HEAD" || keys Enter
	fi
	sleep 0.2
}

pending_now() { sg pending --json | grep -o '"deadline_ms":' | wc -l; }

decide_and_check() {
	local key=$1 before
	before=$(pending_now)
	scroll_down
	keys "$key"
	wait_for 10 test "$(pending_now)" -lt "$before"
	sleep 0.3
	head_on_top "$key"
}

n=0
for size in 60x20 80x24 120x40; do
	W=${size%x*} H=${size#*x}
	n=$((n + 1))
	start_console "$W" "$H"
	wait_screen 'nothing waits'
	feed_set "s$n"
	wait_screen "12 pending"
	keys g
	# the first group of three writes
	row=$(screen | sed -n '2,$p' | grep -n ' 3x ' | head -1 | cut -d: -f1)
	[ -n "$row" ] || fail "$W x $H: no group of three: $(screen)"
	for _ in $(seq 2 "$row"); do keys j; done
	focus_detail
	wait_screen 'by (claude-code|codex)'

	# a move: the next member of the group ([ ]), then the next row
	scroll_down
	keys ']'
	sleep 0.3
	head_on_top ']'
	scroll_down
	if [ "$W" -ge 120 ]; then keys Tab j; else keys Escape j Enter; fi
	sleep 0.3
	head_on_top 'moving to the next row'

	for k in a d A D; do
		focus_detail
		decide_and_check "$k"
	done

	# s: remember the group under the cursor (pattern, scope, expiry, ceiling
	# all as offered), deny: the next one's head is on top
	focus_detail
	before=$(pending_now)
	scroll_down
	keys s
	if wait_screen 'Remember which pattern|suggested no rule' 5 && screen | matches 'Remember which pattern'; then
		keys Enter Enter Enter Enter
		wait_screen 'and decide the group'
		keys d
		wait_for 10 test "$(pending_now)" -lt "$before"
		sleep 0.3
		head_on_top s
	else
		echo "SKIP: s (no suggestion for this group)"
	fi

	# typed ahead: a move and a decision in one write; the decision must not
	# land on a request whose head was never drawn
	if [ "$W" -lt 120 ]; then keys Escape; else screen | matches '^>' || keys Tab; fi
	sleep 0.2
	keys g
	sleep 0.3
	before=$(pending_now)
	keys -l 'ja'
	wait_screen 'was not on screen'
	sleep 0.5
	[ "$(pending_now)" = "$before" ] || fail "$W x $H: a typed-ahead decision decided a request never shown"
	keys a
	wait_for 10 test "$(pending_now)" -lt "$before"
	pass "$W x $H: a typed-ahead decision asks first, the second key decides"

	stop_console
	# what is left of this set goes, so the next size starts empty
	for id in $(sg pending --json | grep -oE '"id": ?[0-9]+' | grep -oE '[0-9]+'); do
		sg decide "$id" deny >/dev/null 2>&1 || true
	done
	wait_for 10 test "$(pending_now)" = 0
done
