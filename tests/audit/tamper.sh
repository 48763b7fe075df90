# Tampering with the audit log through the sqlite3 CLI must make
# `sandgate audit verify` fail and name the place: a value edit, a row
# deleted with the triggers dropped, reordered rows, a truncated tail (caught
# by the log's own checkpoints, and by the checkpoint file or an exported
# checkpoint when those are gone too), forged checkpoints and checkpoint
# files.  (Rewrites that re-chain the rows: tests/security/audit_rewrite.sh.)
. "$SG_SRC/tests/lib.sh"
LOAD="$SG_BUILD/tests/audit/audit_load"
q() { sqlite3 "$SANDGATE_DB" "$1"; }

cat >>"$XDG_CONFIG_HOME/sandgate/config" <<'EOF'
audit_checkpoint_rows = 5
EOF
start_broker
# verify keeps passing while a load writes (WAL readers see a consistent snapshot)
"$LOAD" load 30 2 "$T/load" 10 & l=$!
for _ in 1 2 3 4 5 6; do
	sg audit verify >/dev/null || fail "verify during load: $(sg audit verify 2>&1)"
done
wait $l
stop_broker
rows=$(q "select count(*) from audit")
[ "$rows" = 20 ] || fail "expected 20 rows, got $rows"
sg audit verify >/dev/null || fail "pristine log does not verify"
sg audit checkpoint --export "$T/ck20" | matches "checkpoint of row 20" || fail "export"
cp "$SANDGATE_DB" "$T/pristine.db"
pass "20 rows from 2 clients; verify passes during the load and after; checkpoint exported"

# tamper SQL... : restore the pristine log, apply the SQL, expect verify to
# fail with a message matching the pattern
tamper() {
	local sql=$1 want=$2 rc=0
	shift 2
	cp "$T/pristine.db" "$SANDGATE_DB"
	rm -f "$SANDGATE_DB-wal" "$SANDGATE_DB-shm"
	sqlite3 "$SANDGATE_DB" "$sql" || fail "sqlite3: $sql"
	sg audit verify "$@" >"$T/out" 2>&1 || rc=$?
	[ $rc = 1 ] || fail "verify exit $rc after: $sql ($(cat "$T/out"))"
	grep -q -- "$want" "$T/out" || fail "after: $sql: wanted '$want', got: $(cat "$T/out")"
}
DROP="drop trigger audit_no_update; drop trigger audit_prune_only;"

tamper "$DROP update audit set decision = case decision when 'allow' then 'deny' else 'allow' end where seq=7" "row 7: its contents do not match its hash"
tamper "$DROP update audit set note='ok' where seq=1" "row 1: its contents"
tamper "$DROP update audit set request=x'80' where seq=12" "row 12: its contents"
tamper "$DROP update audit set decided_ms=decided_ms+1 where seq=20" "row 20: its contents"
tamper "$DROP update audit set reviewer_uid=reviewer_uid+1 where seq=3" "row 3: its contents"
tamper "$DROP update audit set summary=cast(summary as blob) where seq=4" "row 4: its contents"
pass "a changed value is found, and its row named"

tamper "$DROP delete from audit where seq=9" "row 9 is missing: the log jumps from row 8 to row 10"
tamper "$DROP delete from audit where seq=1" "row 1 is missing"
pass "a deleted row is found"

tamper "$DROP update audit set seq=-4 where seq=4; update audit set seq=4 where seq=3; update audit set seq=3 where seq=-4" \
	"row 3: its contents do not match"
tamper "$DROP update audit set hash=(select hash from audit where seq=6), prev_hash=(select prev_hash from audit where seq=6) where seq=5" \
	"row 5: its contents"
# a row's hash replaced by a well-formed other one: the next link breaks
tamper "$DROP update audit set hash=randomblob(32) where seq=14" "row 14: its contents"
pass "reordered rows are found"

tamper "$DROP delete from audit where seq > 17" "the log is truncated: it ends at row 17 but checkpoint #[0-9]* signed row 20"
# ...and with its checkpoints and requests gone too, the checkpoint file next
# to the database knows, and so does an exported checkpoint
cp "$T/pristine.db" "$SANDGATE_DB"
sqlite3 "$SANDGATE_DB" "$DROP drop trigger audit_checkpoints_no_delete;
  delete from requests where id in (select request_id from audit where seq > 17);
  delete from audit where seq > 17; delete from audit_checkpoints where seq > 17"
expect_rc 1 sg audit verify 2>"$T/out"
grep -q "the database lacks checkpoint #[0-9]* (epoch 1, row 20, signed [^)]*), which $T/state/sandgate.checkpoints holds" "$T/out" ||
	fail "cut tail, checkpoint file: $(cat "$T/out")"
sg audit verify --no-copy >/dev/null || fail "a cleanly cut log verifies on its own (expected)"
expect_rc 1 sg audit verify --no-copy --checkpoint "$T/ck20" 2>"$T/out"
grep -q "truncated: it ends at row 17 but the checkpoint file signed row 20" "$T/out" || fail "cut tail: $(cat "$T/out")"
pass "a truncated tail is found by the log's checkpoints, the checkpoint file, or an exported checkpoint"

# decided requests whose audit rows vanished (the request rows remain)
tamper "$DROP drop trigger audit_checkpoints_no_delete; delete from audit where seq > 18; delete from audit_checkpoints where seq > 18" \
	"request [0-9]* was decided (it is no longer open) but has no audit row"
pass "a decided request without its audit row is found"

# checkpoints: a changed one, a forged key, a foreign or damaged file
# (checkpoint #1 starts the chain at row 0; #2 signs row 5, #3 row 10)
tamper "drop trigger audit_checkpoints_no_update; update audit_checkpoints set hash=randomblob(32) where idx=3" \
	"checkpoint #3 (row 10): the signature does not verify"
tamper "drop trigger audit_checkpoints_no_update; update audit_checkpoints set made_ms=made_ms+1 where idx=2" \
	"checkpoint #2 (row 5): the signature"
cp "$T/pristine.db" "$SANDGATE_DB"
mv "$XDG_CONFIG_HOME/sandgate/audit.pub" "$T/audit.pub"
echo "sandgate-audit-pub v1 ed25519 $(printf '%064d' 0)" >"$XDG_CONFIG_HOME/sandgate/audit.pub"
expect_rc 1 sg audit verify 2>"$T/out"
grep -q "signed by a key that is not trusted" "$T/out" || fail "untrusted key: $(cat "$T/out")"
expect_rc 0 sg audit verify --key "$T/audit.pub" >/dev/null
mv "$T/audit.pub" "$XDG_CONFIG_HOME/sandgate/audit.pub"
awk '/^hash /{c=substr($2,1,1); $2=(c=="0"?"1":"0") substr($2,2)} {print}' "$T/ck20" >"$T/ck-bad"
cmp -s "$T/ck20" "$T/ck-bad" && fail "sed did not change the checkpoint"
expect_rc 1 sg audit verify --checkpoint "$T/ck-bad" 2>"$T/out"
grep -q "signature does not verify\|another hash" "$T/out" || fail "damaged file: $(cat "$T/out")"
printf 'not a checkpoint\n' >"$T/junk"
expect_rc 2 sg audit verify --checkpoint "$T/junk" 2>"$T/out"
grep -q "not a sandgate audit checkpoint" "$T/out" || fail "junk file: $(cat "$T/out")"
head -c 100000 /dev/urandom >"$T/huge"
expect_rc 2 sg audit verify --checkpoint "$T/huge" 2>/dev/null
# a checkpoint of another log (another DB, same key) is recognised as such
(
	export SANDGATE_DIR="$T/run2" SANDGATE_DB="$T/other.db"
	start_broker
	sg ask --timeout 1 -- true 2>/dev/null || true
	stop_broker
	sg audit checkpoint --export "$T/ck-other" >/dev/null
)
expect_rc 1 sg audit verify --checkpoint "$T/ck-other" 2>"$T/out"
grep -q "belongs to another audit log" "$T/out" || fail "foreign checkpoint: $(cat "$T/out")"
sg audit verify --checkpoint "$T/ck20" | matches "and so does the checkpoint file" || fail "good file"
pass "changed checkpoints, untrusted keys, foreign, damaged and junk checkpoint files are refused"
