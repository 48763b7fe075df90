# Issue #16 item 11: `audit verify` of a copy of a live WAL database made
# without its -wal file (0 rows, or not even the audit tables) says the copy
# looks incomplete and fails (3) instead of passing as "0 rows"; the same for
# tail, query and export; a complete copy still verifies.  `audit tail`
# labels sequence numbers (not request ids) and shows rule ids.
. "$SG_SRC/tests/lib.sh"

db_only_copy() { rm -f "$1" "$1-wal" "$1-shm"; cp "$SANDGATE_DB" "$1"; }

# a copy taken while a brand-new broker runs: everything is still in the WAL
start_broker
[ -s "$SANDGATE_DB-wal" ] || fail "precondition: the live database has no -wal file"
mkdir -p "$T/copy"
db_only_copy "$T/copy/a.db"
rc=0
SANDGATE_DB="$T/copy/a.db" sg audit verify >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 3 ] || fail "verify of a copy without its WAL (no tables) exited $rc: $(cat "$T/out" "$T/err")"
grep -q "the copy looks incomplete (WAL not copied)" "$T/err" || fail "no incomplete-copy message: $(cat "$T/err")"
grep -q "verify" "$T/out" && fail "it printed a verification: $(cat "$T/out")"
# twice: reading the copy may leave an empty -wal beside it, which is no WAL either
rc=0
SANDGATE_DB="$T/copy/a.db" sg audit verify >/dev/null 2>"$T/err" || rc=$?
[ "$rc" = 3 ] && grep -q "looks incomplete" "$T/err" || fail "second verify of the same copy: $rc $(cat "$T/err")"
grep -q "has no audit log" "$T/err" || fail "the copy had the audit tables: $(cat "$T/err")"
pass "a copy without its WAL and without the audit tables: incomplete, exit 3"

# the live log itself, empty, is no incomplete copy (whatever its -wal holds:
# a running broker may have emptied it, and holds its -shm)
sg audit verify >"$T/out" 2>"$T/err" || fail "verify of the live empty log: $(cat "$T/out" "$T/err")"
sg audit tail >/dev/null 2>"$T/err" || fail "tail of the live empty log: $(cat "$T/err")"
# the same with its -wal emptied, as a TRUNCATE checkpoint leaves it
sqlite3 "$SANDGATE_DB" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
[ -e "$SANDGATE_DB-wal" ] && [ ! -s "$SANDGATE_DB-wal" ] || fail "precondition: the -wal was not emptied"
sg audit verify >"$T/out" 2>"$T/err" || fail "verify of the live log with an empty -wal: $(cat "$T/out" "$T/err")"
pass "the live empty log verifies (also with its -wal emptied by a checkpoint)"

# a log whose tables were folded into the main file (a clean stop), then
# rows written by the next broker: the copy shows 0 rows
stop_broker
[ ! -e "$SANDGATE_DB-wal" ] || [ ! -s "$SANDGATE_DB-wal" ] || fail "precondition: a clean stop left a WAL"
start_broker
sg rules add allow exec ls >/dev/null
sg ask -- ls || fail "ask ls"
sg ask -- ls || fail "ask ls"
db_only_copy "$T/copy/b.db"
cp "$T/copy/b.db" "$T/copy/b2.db"
n=$(sqlite3 "file:$T/copy/b2.db?mode=ro" 'select count(*) from audit' 2>/dev/null || echo "?")
[ "$n" = 0 ] || fail "precondition: the main file of the database holds $n rows, not 0"
{
	for cmd in "audit verify" "audit verify --json" "audit tail" "audit query" "audit export --format jsonl"; do
		rc=0
		SANDGATE_DB="$T/copy/b.db" sg $cmd >"$T/out" 2>"$T/err" || rc=$?
		[ "$rc" = 3 ] || fail "$cmd of a 0-row copy without its WAL exited $rc: $(cat "$T/out" "$T/err")"
		grep -q "holds no audit rows.*the copy looks incomplete (WAL not copied)" "$T/err" ||
			fail "$cmd: no incomplete-copy message: $(cat "$T/err")"
		[ ! -s "$T/out" ] || fail "$cmd printed: $(cat "$T/out")"
	done
	# reseal must not start a new epoch over an incomplete copy either
	rc=0
	SANDGATE_DIR="$T/norun" SANDGATE_DB="$T/copy/b.db" sg audit reseal --reason test >/dev/null 2>"$T/err" || rc=$?
	[ "$rc" = 3 ] && grep -q "looks incomplete" "$T/err" || fail "reseal of an incomplete copy exited $rc: $(cat "$T/err")"
	pass "a 0-row copy without its WAL: verify, tail, query, export and reseal say it looks incomplete (3)"
}

# with its -wal file, the copy is whole and verifies
db_only_copy "$T/copy/c.db"
cp "$SANDGATE_DB-wal" "$T/copy/c.db-wal"
rows=$(sqlite3 "$SANDGATE_DB" 'select count(*) from audit')
SANDGATE_DB="$T/copy/c.db" sg audit verify >"$T/out" 2>"$T/err" || fail "a whole copy: $(cat "$T/out" "$T/err")"
grep -q ": $rows rows (1..$rows).*verify" "$T/out" || fail "whole copy: $(cat "$T/out")"
# and an empty log beside its own WAL is not called incomplete
sg audit verify >/dev/null || fail "the live log does not verify"
pass "a copy with its WAL verifies ($rows rows)"

# audit tail: "seq N", "request N", "rule N"
W=$T/ws
mkdir -p "$W"
cd "$W"
# a request left waiting takes an id but no row yet: ids and seqs part ways
( sg ask --timeout 120 -- curl https://example.com/x >/dev/null 2>&1 || true ) &
wait_for 10 '[ "$(pending_count)" = 1 ]'
rid=$(sg rules add allow exec make test --json | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
sg ask -- make test || fail "ask make test"
sg audit tail -n 1 >"$T/tail"
reqid=$(sqlite3 "$SANDGATE_DB" 'select request_id from audit order by seq desc limit 1')
seq=$(sqlite3 "$SANDGATE_DB" 'select max(seq) from audit')
[ "$reqid" != "$seq" ] || fail "precondition: the request id equals the sequence number ($seq)"
grep -Eq "^seq $seq +[0-9-]+ [0-9:]+  request $reqid +allow rule $rid +low .* make test$" "$T/tail" ||
	fail "tail line: $(cat "$T/tail") (seq $seq, request $reqid, rule $rid)"
grep -q "#$seq" "$T/tail" && fail "tail shows the sequence number as #N: $(cat "$T/tail")"
sg audit query --limit 1 | matches "^seq $seq .* request $reqid .*rule $rid" || fail "query line"
pass "audit tail: sequence numbers and request ids labelled, rule ids shown"
