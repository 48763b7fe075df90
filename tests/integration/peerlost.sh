#!/bin/bash
# peerlost.sh -- disconnects with many requests of several connections in
# every state, through the real broker (issue #12: a disconnect walks only
# what that connection owns or waits for; ARCHITECTURE.md "Requests and
# connections").  What a disconnect does must not change:
#   - a pending request whose submitter disconnects is withdrawn (recorded,
#     forgotten: a retry asks afresh) unless another connection waits on it;
#   - one another connection waits on stays pending, ownerless, and its
#     waiters get the decision when it comes; the waiters' own disconnects
#     withdraw nothing;
#   - a decided request is kept: a resubmission gets the same answer;
#   - a console that disconnects before its decide replies arrive leaves
#     the decisions standing.
# Every request ends with exactly one decision row, and a sanitizer build
# (lib.sh fails the test on a report in broker.log) sees no use of a freed
# connection or request.
. "$SG_SRC/tests/lib.sh"
F="$SG_BUILD/tests/tools/sgflood"
Q="$SG_BUILD/tests/hooks/sg_jsonq"

# detached CMD...: run CMD without the write ends of the other holders'
# fifos (else a holder's stdin never reaches EOF while CMD runs).
detached() {
	local v
	for v in ${!fd_@}; do eval "exec {$v}>&-"; done
	exec "$@"
}
# run NAME MODE ARGS...: an sgflood agent that holds its connection until
# release NAME; returns once its first line (the summary of what it sent)
# is in $T/NAME.out.
run() {
	local name=$1
	shift
	mkfifo "$T/$name.hold"
	(detached "$F" "$@") <"$T/$name.hold" >"$T/$name.out" 2>"$T/$name.err" &
	eval "pid_$name=\$!"
	eval "exec {fd_$name}>\"\$T/\$name.hold\""
	at_exit "kill \$pid_$name 2>/dev/null"
	wait_for 120 "test -s \"\$T/$name.out\""
}
# release NAME: close its stdin (it disconnects) and wait until it is gone.
release() {
	eval "exec {fd_$1}>&-"
	eval "wait \$pid_$1" || fail "sgflood $1 failed: $(cat "$T/$1.err")"
}
# line NAME N PATH: field PATH of the Nth JSON line NAME printed.
line() { sed -n "$2p" "$T/$1.out" | "$Q" get - "$3"; }
npending() { sg status --json | sed -n 's/.*"pending":\([0-9]*\).*/\1/p'; }
q() { sqlite3 "$SANDGATE_DB" "$1"; }
# decided PREFIX BY: decision rows of requests PREFIX-* decided by BY
decided() {
	q "select count(*) from decisions d join requests r on r.id = d.request_id
	   where r.client_req_id like '$1-%' and d.decided_by = '$2'"
}
expect_pending() {
	wait_for 60 "[ \"\$(npending)\" = $1 ]"
}

start_broker

# ---- every state ----
run A flood A 4 400 600          # A-0..399 pending, owned by A
run B flood B 4 400 600          # B-0..399
run C flood C 4 200 600          # C-0..199
run D wait D 2 0 100 600         # D-0..99, owned by D, which also waits on them
[ "$(line A 1 pending)" = 400 ] && [ "$(line B 1 pending)" = 400 ] && [ "$(line C 1 pending)" = 200 ] ||
	fail "floods not queued: $(cat "$T/A.out" "$T/B.out" "$T/C.out")"
[ "$(line D 1 at_once)" = 0 ] || fail "D answered at once: $(cat "$T/D.out")"
run W1 wait A 4 0 200 600        # a second connection waits on A-0..199
run W2 wait A 4 100 200 600      # and a third on A-100..299
# decided and kept: B-0..99 allowed by a console that leaves at once,
# before its decide replies are written (the first reply it cannot take
# drops it, and with it the decides not handled yet), then by one that stays
"$F" decide B 0 100 allow close >"$T/dec1.out" || fail "decide B: $(cat "$T/dec1.out")"
[ "$(cat "$T/dec1.out")" = 100 ] || fail "decide B sent $(cat "$T/dec1.out")"
wait_for 60 "[ \"\$(sg status --json | grep -o '\"consoles\":[0-9]*')\" = '\"consoles\":1' ]"
"$F" decide B 0 100 allow >"$T/dec2.out" || fail "decide B again: $(cat "$T/dec2.out")"
wait_for 60 "[ \"\$(decided B reviewer)\" = 100 ]"
run W3 wait B 4 0 150 600        # B-0..99 answered at once, B-100..149 waited
[ "$(line W3 1 at_once)" = 100 ] || fail "W3: decided requests not answered at once: $(cat "$T/W3.out")"
run E wait D 2 0 50 600          # another connection waits on D-0..49
# and one waits with the wait method, by id
bid=$(q "select id from requests where client_req_id = 'B-200'")
[ -n "$bid" ] || fail "no request row for B-200"
(detached "$SGTEST" call agent wait "[$bid]") >"$T/wid.out" 2>&1 & wid=$!
at_exit "kill $wid 2>/dev/null"
expect_pending 1000              # A 400 + B 300 + C 200 + D 100
pass "1,000 pending over four owners, 601 waits over six connections, 100 decided"

# ---- disconnects ----
release C                        # nobody else waits: all 200 withdrawn
expect_pending 800
wait_for 60 "[ \"\$(decided C withdrawn)\" = 200 ]"
# a withdrawn request was forgotten: a retry asks afresh (and this
# connection's own disconnect withdraws it again)
"$SGTEST" call agent submit '[{"req_id":"C-0","agent":"sgflood","session":"C-0","kind":"exec","command":"touch /etc/sgflood-0"}]' >"$T/c0.out" ||
	fail "retry of C-0: $(cat "$T/c0.out")"
grep -q '"state":"pending"' "$T/c0.out" || fail "retry of C-0 not queued afresh: $(cat "$T/c0.out")"
wait_for 60 "[ \"\$(decided C withdrawn)\" = 201 ]"
[ "$(q "select count(*) from requests where client_req_id = 'C-0'")" = 2 ] || fail "C-0 retry is not a new request"
expect_pending 800
pass "an owner's disconnect withdraws what nobody else waits on; a retry asks afresh"

release D                        # D-0..49 still waited on by E
expect_pending 750
wait_for 60 "[ \"\$(decided D withdrawn)\" = 50 ]"
[ "$(line D 2 answered)" = 0 ] || fail "D got answers: $(cat "$T/D.out")"
release A                        # A-0..299 waited on by W1/W2
expect_pending 650
wait_for 60 "[ \"\$(decided A withdrawn)\" = 100 ]"
[ "$(q "select count(*) from decisions d join requests r on r.id = d.request_id
        where d.decided_by = 'withdrawn' and r.client_req_id like 'A-%'
        and cast(substr(r.client_req_id, 3) as integer) < 300")" = 0 ] || fail "a waited-on A request was withdrawn"
pass "an owner's disconnect leaves what another connection waits on pending"

release W2                       # a waiter leaving withdraws nothing
sleep 0.3
expect_pending 650
[ "$(line W2 2 answered)" = 0 ] || fail "W2 got answers: $(cat "$T/W2.out")"
release B                        # B-100..149 (W3) and B-200 (wait by id) stay
expect_pending 401
wait_for 60 "[ \"\$(decided B withdrawn)\" = 249 ]"
pass "waiters' disconnects withdraw nothing; owners' withdraw the rest"

# a kept decision answers a resubmission the same, even after its owner left
"$SGTEST" call agent submit '[{"req_id":"B-7","agent":"sgflood","session":"B-3","kind":"exec","command":"touch /etc/sgflood-7","wait":true}]' >"$T/b7.out" ||
	fail "resubmission of B-7: $(cat "$T/b7.out")"
grep -q '"decision":"allow"' "$T/b7.out" && grep -q '"by":"reviewer"' "$T/b7.out" ||
	fail "B-7 not answered as decided: $(cat "$T/b7.out")"
pass "a decided request answers its resubmission the same"

# ---- the ownerless requests are decided: their waiters get the answers ----
"$F" decide A 0 400 deny >"$T/decA.out" || fail "decide A: $(cat "$T/decA.out")"
"$F" decide D 0 100 deny >"$T/decD.out" || fail "decide D: $(cat "$T/decD.out")"
"$F" decide B 0 400 allow >"$T/decB.out" || fail "decide B: $(cat "$T/decB.out")"
[ "$(sed -n 1p "$T/decA.out")" = 300 ] && [ "$(sed -n 1p "$T/decD.out")" = 50 ] &&
	[ "$(sed -n 1p "$T/decB.out")" = 51 ] ||
	fail "left pending: $(cat "$T/decA.out" "$T/decD.out" "$T/decB.out")"
sed -n 2p "$T/decA.out" | matches '"decided":300,"errors":{}' || fail "decide A: $(cat "$T/decA.out")"
expect_pending 0
wait $wid || fail "wait by id: $(cat "$T/wid.out")"
grep -q '"decision":"allow"' "$T/wid.out" || fail "wait by id: $(cat "$T/wid.out")"
release W1
release W3
release E
[ "$(line W1 2 answered)" = 200 ] && [ "$(line W1 2 deny)" = 200 ] && [ "$(line W1 2 by.reviewer)" = 200 ] ||
	fail "W1: $(cat "$T/W1.out")"
[ "$(line W3 2 answered)" = 150 ] && [ "$(line W3 2 allow)" = 150 ] || fail "W3: $(cat "$T/W3.out")"
[ "$(line E 2 answered)" = 50 ] && [ "$(line E 2 deny)" = 50 ] || fail "E: $(cat "$T/E.out")"
pass "waiters of ownerless requests get the decisions"

# ---- one decision per request, nothing lost ----
wait_for 60 "[ \"\$(q 'select count(*) from decisions')\" = 1101 ]"
[ "$(q 'select count(*) from requests')" = 1101 ] || fail "requests: $(q 'select count(*) from requests')"
[ "$(q "select count(*) from requests r where (select count(*) from decisions d where d.request_id = r.id) != 1")" = 0 ] ||
	fail "a request without exactly one decision"
[ "$(q "select count(*) from decisions where decided_by = 'withdrawn'")" = 600 ] || fail "withdrawn: $(q "select count(*) from decisions where decided_by = 'withdrawn'")"
[ "$(q "select count(*) from decisions where decided_by = 'reviewer'")" = 501 ] || fail "reviewer: $(q "select count(*) from decisions where decided_by = 'reviewer'")"
sg status >/dev/null || fail "broker gone"
pass "1,101 requests, 1,101 decisions (600 withdrawn, 501 by the reviewer)"
