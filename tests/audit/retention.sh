# Retention prunes audit rows only up to a signed checkpoint, through the
# gate the triggers check; what remains still verifies, as does a checkpoint
# exported before the prune; the chain continues across restarts even when
# every row was pruned.
. "$SG_SRC/tests/lib.sh"
LOAD="$SG_BUILD/tests/audit/audit_load"
q() { sqlite3 "$SANDGATE_DB" "$1"; }

cat >>"$XDG_CONFIG_HOME/sandgate/config" <<'EOF'
audit_checkpoint_rows = 5
audit_checkpoint_interval = 1s
audit_retention = 2s
EOF
start_broker
"$LOAD" load 10 1 "$T/load" 12 >/dev/null
[ "$(q 'select count(*) from audit')" = 12 ] || fail "12 rows"
wait_for 5 '[ "$(q "select max(seq) from audit_checkpoints")" = 12 ]'
sg audit checkpoint --export "$T/ck12" >/dev/null
wait_for 10 '[ "$(q "select coalesce(max(upto_seq),0) from audit_prunes")" = 12 ]'
"$LOAD" load 10 1 "$T/load" 6 >/dev/null
sg audit verify >"$T/v" || fail "verify after a prune: $(cat "$T/v")"
grep -q "rows up to 12 were pruned by retention" "$T/v" || fail "verify output: $(cat "$T/v")"
sg audit verify --checkpoint "$T/ck12" >/dev/null || fail "a checkpoint of the prune point no longer verifies"
[ "$(q 'select count(*) from requests where id <= 12')" = 0 ] || fail "requests of pruned rows kept"
[ "$(q 'select upto from audit_prune_gate')" = 0 ] || fail "the gate was left open"
pass "rows up to a checkpoint pruned with their decisions; the rest and the old checkpoint verify"

# the gate opens only for a recorded prune, and only up to a checkpoint
if sqlite3 "$SANDGATE_DB" "update audit_prune_gate set upto = 15" 2>/dev/null; then fail "gate opened"; fi
forge="insert into audit_prunes (upto_seq, upto_hash, checkpoint_id, pruned_ms, rows)
    values (14, zeroblob(32), 1, 0, 1)"
if sqlite3 "$SANDGATE_DB" "begin; $forge; update audit_prune_gate set upto = 14;
    delete from audit where seq = 14; commit" 2>"$T/err"; then
	fail "row 14 (no checkpoint) pruned"
fi
grep -q "pruned up to a signed checkpoint" "$T/err" || fail "trigger message: $(cat "$T/err")"
# a forged prune record alone is caught by verify
sqlite3 "$SANDGATE_DB" ".backup $T/copy.db"
sqlite3 "$T/copy.db" "$forge"
SANDGATE_DB="$T/copy.db" expect_rc 1 "$SANDGATE" audit verify 2>"$T/err"
grep -q "prune #2 (rows up to 14) does not match a signed checkpoint" "$T/err" || fail "forged prune: $(cat "$T/err")"
if sqlite3 "$SANDGATE_DB" "delete from audit where seq = (select max(seq) from audit)" 2>/dev/null; then fail "tail row deleted"; fi
sg audit verify >/dev/null || fail "verify after refused prunes"
pass "the triggers refuse pruning outside the gate or not at a checkpoint"

# retention empties the log; after a restart the chain continues from the prune point
wait_for 15 '[ "$(q "select count(*) from audit")" = 0 ]'
top=$(q 'select max(upto_seq) from audit_prunes')
[ "$top" = 18 ] || fail "pruned up to $top"
stop_broker
start_broker
"$LOAD" load 10 1 "$T/load" 1 >/dev/null
[ "$(q 'select min(seq) from audit')" = 19 ] || fail "seq after restart: $(q 'select min(seq) from audit')"
sg audit verify >"$T/v" || fail "verify after restart: $(cat "$T/v")"
grep -q "1 rows (19..19)" "$T/v" || fail "verify output: $(cat "$T/v")"
pass "an emptied log continues its chain after a restart"
