# The write-ahead log stays bounded under sustained fast-path load: the store
# worker checkpoints it between batches (never inside a request's commit),
# and truncates it once the broker is idle.  Without checkpoints the WAL
# would hold every page written since the start (several times the bound).
. "$SG_SRC/tests/lib.sh"
LOAD="$SG_BUILD/tests/audit/audit_load"
q() { sqlite3 "$SANDGATE_DB" "$1"; }
wal_size() { stat -c %s "$SANDGATE_DB-wal" 2>/dev/null || echo 0; }
BOUND=$((12 * 1024 * 1024))

start_broker
sg rules add allow write /tmp/audit-load/** >/dev/null || fail "rules add"
# 4 clients x 2500 writes of 5 KB each, every one answered by the rule
"$LOAD" load 120 4 "$T/answers" 2500 5000 &
l=$!
max=0
while kill -0 $l 2>/dev/null; do
	s=$(wal_size)
	[ "$s" -gt "$max" ] && max=$s
	sleep 0.1
done
wait $l
s=$(wal_size)
[ "$s" -gt "$max" ] && max=$s
n=$(wc -l <"$T/answers")
[ "$n" = 10000 ] || fail "expected 10000 answers, got $n"
[ "$(grep -c ' allow rule$' "$T/answers")" = 10000 ] || fail "not all answered by the rule: $(sort -k3 "$T/answers" | uniq -c -f2 | head)"
written=$(q "select sum(length(request)) from audit")
[ "$written" -gt $((3 * BOUND)) ] || fail "too little written to test the bound: $written bytes"
[ "$max" -le "$BOUND" ] || fail "the WAL grew to $max bytes (bound $BOUND)"
pass "10000 fast-path requests ($((written / 1048576)) MiB of audit rows): the WAL peaked at $((max / 1024)) KiB"

# idle: the WAL is truncated
wait_for 10 '[ "$(wal_size)" = 0 ]'
sg audit verify >/dev/null || fail "verify: $(sg audit verify 2>&1)"
[ "$(q 'select count(*) from requests')" = 0 ] || fail "rule-decided requests got request rows"
pass "idle: the WAL is truncated; the log verifies; rule decisions wrote no request rows"
