#!/usr/bin/env bash
# Issue #12 item 7: a flood of pending requests must not take the grouping
# view, or the broker, down with it.  With 10,000 pending the old `groups`
# call took seconds and held the broker's loop (other agents' `ask` timed
# out, the console showed "nothing waits"), and from 5,000 its reply broke
# the 1 MiB frame cap ("message too large").
#
# 10,000+ requests from one agent (a realistic mix over 32 sessions, each within its quota) wait;
# then: `groups` answers (the old call without arguments, pages, pages by
# id, member slices), nothing is "too large"; while consoles keep walking
# every page, another session's `sandgate ask` is answered by a person's
# decision in the real console (tmux) or, without tmux, by `sandgate
# decide`; `sandgate pending --groups` lists every group.  Default
# settings (the routine preset answers the low-risk part of the flood).
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/rules/rules_lib.sh"

: >"$XDG_CONFIG_HOME/sandgate/config" # default settings
start_broker
SGFILL="$SG_BUILD/tests/tools/sgfill"
pending() { "$SGTEST" call console status '[]' | grep -o '"pending":[0-9]*' | cut -d: -f2; }

# ~21,000 submits leave 10,000+ pending once the preset has answered the rest
"$SGFILL" 21000 600 32 >"$T/flood.out" 2>"$T/flood.err" &
FLOOD=$!
at_exit "kill $FLOOD 2>/dev/null"
wait_for 120 "grep -q '^submitted' '$T/flood.out' || ! kill -0 $FLOOD"
grep -q '^submitted 21000' "$T/flood.out" || fail "the flood was refused: $(cat "$T/flood.err")"
n=$(pending)
[ "$n" -ge 10000 ] || fail "only $n pending"
pass "$n requests pending"

# ---- groups answers, whatever the queue holds, never "too large"
out=$("$SGTEST" call console groups '[]') || fail "groups []: $out"
printf '%s' "$out" | matches '"total":[0-9]*,"next":' || fail "groups [] is not a page: ${out:0:200}"
total=$(printf '%s' "$out" | grep -o '"total":[0-9]*' | head -n 1 | cut -d: -f2)
[ "$total" -gt 100 ] || fail "only $total groups"
off=0 pages=0 seen=0
while [ "$off" -ge 0 ]; do
	page=$("$SGTEST" call console groups "[{\"offset\":$off,\"limit\":1000,\"members\":10000}]") ||
		fail "page at $off: ${page:0:300}"
	seen=$((seen + $(printf '%s' "$page" | grep -o '"members_next":' | wc -l)))
	off=$(printf '%s' "$page" | grep -o '"next":-\?[0-9]*' | head -n 1 | cut -d: -f2)
	pages=$((pages + 1))
	[ "$pages" -lt 1000 ] || fail "pages never end"
done
[ "$seen" -ge "$total" ] || fail "the pages hold $seen of $total groups"
# the biggest group, by id, one member slice at a time
big=$(printf '%s' "$out" | grep -o '"id":"g[0-9]*","count":[0-9]*' | sort -t: -k3 -n | tail -n 1)
gid=$(printf '%s' "$big" | grep -o 'g[0-9]*')
cnt=${big##*:}
got=0 moff=0
while [ "$moff" -ge 0 ]; do
	sl=$("$SGTEST" call console groups "[{\"ids\":[\"$gid\",\"g0\"],\"members_offset\":$moff,\"members\":7}]") ||
		fail "members of $gid: $sl"
	printf '%s' "$sl" | matches '"gone":\["g0"\]' || fail "an unknown id is not reported gone: ${sl:0:200}"
	got=$((got + $(printf '%s' "$sl" | grep -o '"members":\[[0-9,]*\]' | tr -cd ',' | wc -c) + 1))
	moff=$(printf '%s' "$sl" | grep -o '"members_next":-\?[0-9]*' | cut -d: -f2)
done
[ "$got" -eq "$cnt" ] || fail "member slices of $gid hold $got of $cnt ids"
for bad in '[{"limit":0}]' '[{"members":100001}]' '[{"ids":"g1"}]' '[{"offset":-1}]' '["x"]'; do
	r=$("$SGTEST" call console groups "$bad" || true)
	case $r in *bad-params*) ;; *) fail "groups $bad: $r" ;; esac
done
pass "groups pages (old call, $pages pages of $total groups, member slices, by id); bad pages refused"

# ---- consoles keep walking every group meanwhile
(
	while :; do
		sg pending --groups >"$T/walk.out" 2>"$T/walk.err" || { echo "walk failed: $(cat "$T/walk.err")" >>"$T/walk.fail"; }
		sleep 0.2
	done
) &
WALK=$!
at_exit "kill $WALK 2>/dev/null"

# ---- another session's ask is answered by a person's decision
ask_bg other --session other-agent --timeout 120 -- curl -s https://data.example/x -o /tmp/x.bin
if command -v tmux >/dev/null; then
	export SGFEED="${SGFEED:-$SG_BUILD/tests/tui/sgfeed}"
	source "$SG_SRC/tests/tui/tui_lib.sh"
	start_console 100 30
	wait_screen '[0-9]{5} pending' 60
	screen | matches 'nothing waits' && fail "the console shows nothing waiting"
	keys /
	keys -l 'session:other-agent'
	keys Enter
	wait_screen 'curl -s https://data' 60
	keys a
	[ "$(rc_of other)" = 0 ] || fail "the ask was not allowed: $(cat "$T/err.other")"
	screen | matches 'request #[0-9]* allowed' || fail "the console did not say it allowed it: $(screen)"
	how="the console (tmux)"
else
	id=$(sg pending --json | grep -o '"id":[0-9]*,"agent":"cli","session":"other-agent"' | grep -o '^"id":[0-9]*' | cut -d: -f2)
	[ -n "$id" ] || fail "the ask is not pending"
	sg decide "$id" allow >/dev/null
	[ "$(rc_of other)" = 0 ] || fail "the ask was not allowed: $(cat "$T/err.other")"
	how="sandgate decide (no tmux)"
fi
row=$(sqlite3 "$SANDGATE_DB" "SELECT decision, decided_by FROM audit WHERE session='other-agent'")
[ "$row" = "allow|reviewer" ] || fail "the decision recorded: $row"
pass "another session's ask was answered by a reviewer through $how during the flood"

# ---- sandgate pending --groups works, page by page
kill "$WALK" 2>/dev/null || true
wait "$WALK" 2>/dev/null || true
[ ! -s "$T/walk.fail" ] || fail "a walk of every page failed: $(head -n 3 "$T/walk.fail")"
sg pending --groups >"$T/groups.txt" || fail "pending --groups failed"
lines=$(grep -c '^g[0-9]' "$T/groups.txt")
total=$("$SGTEST" call console groups '[{"limit":1}]' | grep -o '"total":[0-9]*' | cut -d: -f2)
[ "$lines" -ge $((total - 20)) ] && [ "$lines" -le $((total + 20)) ] ||
	fail "pending --groups listed $lines of $total groups"
sg pending --groups --json >"$T/groups.json" || fail "pending --groups --json failed"
members=$(grep -o '"members":\[[0-9,]*\]' "$T/groups.json" | tr -cd ',[' | tr -d '\n' | wc -c)
[ "$members" -ge "$n" ] || fail "pending --groups --json lists $members member ids for $n pending"
grep -qi 'too large' "$T"/*.out "$T"/*.txt 2>/dev/null && fail "something was too large"
pass "pending --groups lists every group ($lines), --json every member"
