#!/usr/bin/env bash
# The console and escalation (issue #15), driven through tmux with the
# broker's test clock: each row shows its time left; E escalates the group
# now and the detail says who, when and why; an on-call console gets a
# status-line message when a request escalates and when one expires; z never
# defers a group past its first deadline (it says so and caps).
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/tui/tui_lib.sh"
export SANDGATE_REVIEWER=tester
cat >>"$XDG_CONFIG_HOME/sandgate/config" <<'CFG'
escalate.high = 2m
expire.high = 4m
escalate.medium = off
expire.medium = 1h
notify = none
CFG
SANDGATE_TEST_CLOCK=1 start_broker --timeout 3600
clock() { "$SGTEST" call console clock "[{\"advance_ms\":$1}]" >/dev/null || fail "clock $1"; }
start_console 120 30 --oncall
wait_screen 'nothing waits for a decision'
feed <<JSON
{"agent":"codex","session":"c-1","kind":"exec","cwd":"$T","command":"git push --force origin main"}
{"agent":"gemini","session":"g-1","kind":"exec","cwd":"$T","command":"npm install leftpad"}
JSON
wait_screen '2 pending'
# time left per row: the high one expires in 4m (3m after a moment), the medium in 1h (59m)
screen | matches -E 'HIGH .*git push --force .* +[34]m│' || { screen >&2; fail "high row: time left"; }
screen | matches -E 'med .*npm install leftpad +(59m|1h)│' || { screen >&2; fail "medium row: time left"; }
pass "each row shows its time left"

# E on the high group: escalated now, by the console's reviewer and uid
keys /
keys -l 'force origin'
keys Enter
wait_screen '1 group'
keys E
wait_screen 'escalated 1 request to on-call|ON-CALL: #[0-9]+ \(HIGH g[0-9]+\) escalated to on-call by tester'
wait_screen "escalated +[0-9]+s ago by tester \(uid $(id -u)\): escalated by"
screen | matches "escalated from the console" || fail "why"
screen | matches -E "(by|^.*│ +)hand: escalated from the console" || fail "how: $(screen)"
pass "E escalates the group now; the detail says who, when and why"
keys Escape
keys Escape

# the medium one: z defers for 10 minutes (its deadline is later)
keys /
keys -l leftpad
keys Enter
wait_screen '1 group'
keys z
wait_screen 'group deferred for 10 minutes'
keys Z
wait_screen 'deferred groups shown again'
keys Escape
keys Escape
# the high one is 1 minute from its expiry: z caps at the deadline
clock 190000
keys /
keys -l 'force origin'
keys Enter
wait_screen '1 group'
keys z
wait_screen 'group deferred until its deadline, in [0-9]+[sm] \(capped'
keys Escape
keys Escape
pass "z never defers past the group's deadline (it says so)"

# the expiry: the on-call console says so on its status line
clock 60000
wait_screen 'request #[0-9]+ expired: denied, nobody decided in time'
wait_for 5 not_pending 'force origin'
pass "an expiry shows on the status line"

# the medium one escalates by its own timer when escalate.medium allows it:
# here it does not (off); a new high request escalates after 2m with a message
feed <<JSON
{"agent":"codex","session":"c-2","kind":"exec","cwd":"$T","command":"git push --force origin dev"}
JSON
wait_screen '2 pending'
clock 121000
wait_screen 'ON-CALL: #[0-9]+ \(HIGH g[0-9]+\) escalated to on-call by broker: unanswered for 120 s \(escalate.high\)'
pass "an escalation by the timer shows on the on-call console's status line"
