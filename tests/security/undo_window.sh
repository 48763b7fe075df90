#!/usr/bin/env bash
# Issue #16 item 3: a new rule answers other waiting requests besides the
# one the person decided.  With the broker's default settings (undo_window
# 5 s): the CLI reports them ("also allowed #N ..."), their answers are held
# for the window, `sandgate rules undo` within it returns them to the queue
# and they are never allowed by that rule; after the window undo says
# plainly their answers were delivered; undo racing the window's end is
# never reported as undone for a request that was allowed; a broker killed
# during the window denies the held request (broker-restart).  The broker's
# clock is moved with the test-only `clock` method, no sleeping on the window.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/rules/rules_lib.sh"

rm -f "$XDG_CONFIG_HOME/sandgate/config" # default settings: routine preset, undo_window 5s
W=$T/ws
mkdir -p "$W/.git"
cd "$W"
export SANDGATE_TEST_CLOCK=1 SANDGATE_SESSION=s1 SANDGATE_REVIEWER=bob
start_broker

# id_of TEXT: the id of the pending request whose summary is TEXT.
id_of() { "$SGTEST" call console list '[]' | grep -o "\"id\":[0-9]*,\"agent\":\"[^\"]*\",\"session\":\"[^\"]*\",\"req_id\":\"[^\"]*\",\"kind\":\"exec\",\"summary\":\"$1\"" | grep -o '^"id":[0-9]*' | cut -d: -f2; }
audit() { sqlite3 "$SANDGATE_DB" "$1"; }
advance() { "$SGTEST" call console clock "[{\"advance_ms\":$1}]" >/dev/null; }
add_rule() { sg rules add allow exec npm install '*' --scope session --scope-value s1 "$@"; }

# --- a rule added from the CLI that releases waiting requests is reported
ask_bg a1 --timeout 600 -- npm install -g npm
ask_bg a2 --timeout 600 -- npm install left-pad
wait_total 2
a1=$(id_of "npm install -g npm")
a2=$(id_of "npm install left-pad")
out=$(add_rule)
r1=$(printf '%s\n' "$out" | sed -n 's/^rule \([0-9]*\): .*/\1/p')
printf '%s\n' "$out" | matches -x "also allowed #$a1 npm install -g npm (medium)" || fail "not reported: $out"
printf '%s\n' "$out" | matches -x "also allowed #$a2 npm install left-pad (medium)" || fail "not reported: $out"
printf '%s\n' "$out" | matches "held until .*sandgate rules undo $r1" || fail "no undo hint: $out"
"$SGTEST" call console list '[]' | matches "\"held\":{\"rule_id\":$r1," || fail "the list does not say they are held"
sleep 0.3
still_pending a1 && still_pending a2 || fail "an answer went out during the undo window"
pass "rules add reports the requests it answers; their answers are held"

# --- undo within the window: back in the queue, never allowed
out=$(sg rules undo) || fail "undo within the window failed: $out"
printf '%s\n' "$out" | matches -x "rule $r1 revoked" || fail "undo said: $out"
printf '%s\n' "$out" | matches -x "back in the queue: #$a1 npm install -g npm (medium)" || fail "undo said: $out"
"$SGTEST" call console list '[]' | matches '"held"' && fail "still held after undo"
"$SGTEST" call console list '[]' | matches "\"id\":$a1,.*\"group\":\"g" || fail "request $a1 is in no group after undo"
advance 60000
sleep 0.3
still_pending a1 && still_pending a2 || fail "an undone request was answered after the window"
sg decide "$a1" deny >/dev/null
sg decide "$a2" deny >/dev/null
[ "$(rc_of a1)" = 1 ] && [ "$(rc_of a2)" = 1 ] || fail "undone requests were not denied as decided"
[ "$(audit "SELECT count(*) FROM audit WHERE request_id IN ($a1,$a2) AND decision='allow'")" = 0 ] ||
	fail "an undone request has an allow row"
[ "$(audit "SELECT count(*) FROM audit WHERE request_id IN ($a1,$a2) AND note LIKE '%held for the undo window; undone by bob%'")" = 2 ] ||
	fail "the undo is not in the audit rows: $(audit "SELECT request_id, note FROM audit")"
sg rules list --all --json | matches "\"id\":$r1,[^}]*\"revoked\":true" || fail "rule $r1 not revoked"
pass "undo within the window returns the requests to the queue and they are never allowed"

# --- undo after the window: the answer was delivered, and it says so
ask_bg b1 --timeout 600 -- npm install -g yarn
wait_total 1
b1=$(id_of "npm install -g yarn")
out=$(add_rule)
printf '%s\n' "$out" | matches -x "also allowed #$b1 npm install -g yarn (medium)" || fail "not reported: $out"
rid=$(printf '%s\n' "$out" | sed -n 's/^rule \([0-9]*\): .*/\1/p')
advance 6000
[ "$(rc_of b1)" = 0 ] || fail "the held answer did not go out after the window"
rc=0
out=$(sg rules undo "$rid") || rc=$?
[ "$rc" = 1 ] || fail "undo after the window should exit 1, got $rc: $out"
printf '%s\n' "$out" | matches -x "cannot be undone, its answer was delivered: allowed #$b1 npm install -g yarn (medium)" ||
	fail "undo after the window said: $out"
[ "$(audit "SELECT decided_by || ' ' || rule_id FROM audit WHERE request_id=$b1")" = "rule $rid" ] ||
	fail "the delivered answer's row: $(audit "SELECT * FROM audit WHERE request_id=$b1")"
pass "undo after the window says plainly that the answer was delivered"

# --- a group decision with a rule: the person's own decisions cannot be
# undone, what the rule released besides can
ask_bg c1 --timeout 600 -- npm install lodash
ask_bg c2 --timeout 600 -- npm install -g pnpm
wait_total 2
c1=$(id_of "npm install lodash")
c2=$(id_of "npm install -g pnpm")
g=$(group_of 'exec npm install"')
[ -n "$g" ] || fail "no group of npm install lodash: $("$SGTEST" call console groups '[]')"
out=$(sg decide "g:$g" allow --rule 2) || fail "decide failed: $out"
printf '%s\n' "$out" | matches "saved rule" || fail "decide said: $out"
printf '%s\n' "$out" | matches -x "also allowed #$c2 npm install -g pnpm (medium)" || fail "decide did not report #$c2: $out"
[ "$(rc_of c1)" = 0 ] || fail "the decided request was not allowed"
rc=0
out=$(sg rules undo) || rc=$?
[ "$rc" = 1 ] || fail "undo with a delivered decision should exit 1: $out"
printf '%s\n' "$out" | matches -x "back in the queue: #$c2 npm install -g pnpm (medium)" || fail "undo said: $out"
printf '%s\n' "$out" | matches -x "cannot be undone, its answer was delivered: allowed #$c1 npm install lodash (medium)" ||
	fail "undo said: $out"
advance 60000
sleep 0.3
still_pending c2 || fail "the undone request was answered"
sg decide "$c2" deny >/dev/null
[ "$(rc_of c2)" = 1 ] || fail "c2 was not denied"
pass "a group decision: the rule's other answers can be undone, the person's own cannot"

# --- undo racing the end of the window: whatever wins, nothing undone is allowed
returned=0
answered=0
for i in 1 2 3 4 5 6; do
	ask_bg "r$i" --timeout 600 -- npm install "pkg$i"
	wait_total 1
	id=$(id_of "npm install pkg$i")
	out=$(add_rule --json)
	rid=$(json_field "$out" id)
	"$SGTEST" call console clock '[{"advance_ms":5000}]' >/dev/null &
	u=$("$SGTEST" call console undo "[{\"rule_id\":$rid}]")
	wait $!
	case $u in
	*"\"returned\":[{\"id\":$id,"*)
		returned=$((returned + 1))
		advance 60000
		sleep 0.2
		still_pending "r$i" || fail "round $i: undo said request $id went back to the queue, but it was answered"
		sg decide "$id" deny >/dev/null
		[ "$(rc_of "r$i")" = 1 ] || fail "round $i: request $id not denied"
		[ "$(audit "SELECT count(*) FROM audit WHERE request_id=$id AND decision='allow'")" = 0 ] ||
			fail "round $i: undone request $id has an allow row"
		;;
	*"\"answered\":[{\"id\":$id,"*'"decision":"allow"'*)
		answered=$((answered + 1))
		[ "$(rc_of "r$i")" = 0 ] || fail "round $i: undo said request $id was allowed, the agent was not told so"
		;;
	*) fail "round $i: undo answered neither returned nor answered for $id: $u" ;;
	esac
done
echo "race: $returned undone in time, $answered already answered"
pass "undo racing the window: reported outcomes match what the agent got"

# --- `rules rm` during the window: the held answer is not given either
ask_bg d1 --timeout 600 -- npm install -g deno
wait_total 1
d1=$(id_of "npm install -g deno")
out=$(add_rule)
rid=$(printf '%s\n' "$out" | sed -n 's/^rule \([0-9]*\): .*/\1/p')
printf '%s\n' "$out" | matches -x "also allowed #$d1 npm install -g deno (medium)" || fail "not reported: $out"
sg rules rm "$rid" >/dev/null
"$SGTEST" call console list '[]' | matches '"held"' && fail "still held after rules rm"
advance 60000
sleep 0.3
still_pending d1 || fail "the request held by a revoked rule was answered"
sg decide "$d1" deny >/dev/null
[ "$(rc_of d1)" = 1 ] || fail "d1 was not denied"
[ "$(audit "SELECT count(*) FROM audit WHERE request_id=$d1 AND note LIKE '%the rule was revoked by uid%'")" = 1 ] ||
	fail "the revocation is not in d1's audit row"
pass "rules rm during the window: the held answer is not given"

# --- the broker dies during the window: the held request is denied
ask_bg k1 --timeout 600 -- npm install -g bun
wait_total 1
k1=$(id_of "npm install -g bun")
add_rule >/dev/null
"$SGTEST" call console list '[]' | matches '"held"' || fail "not held before the kill"
kill -9 "$(broker_pid)"
rk=$(rc_of k1)
[ "$rk" != 0 ] || fail "the held request was allowed although the broker died during the window"
start_broker
[ "$(audit "SELECT decision || ' ' || decided_by FROM audit WHERE request_id=$k1")" = "deny broker-restart" ] ||
	fail "the held request's row: $(audit "SELECT * FROM audit WHERE request_id=$k1")"
pass "a broker killed during the window denies the held request (broker-restart)"
