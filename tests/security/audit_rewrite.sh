# Issue #12 item 6 and item 13 (audit.key): rewriting the audit log without
# (or with) the signing key.  Each attack is made with the sqlite3 CLI and
# tests/audit/audit_forge (which re-chains rows and re-signs checkpoints the
# way an attacker would), then:
#   - `sandgate audit verify` fails and says why (with the database alone
#     where that can see it, else with the checkpoint file next to it, or
#     with a copy kept elsewhere through --against, as a journal would be);
#   - a new broker refuses to sign over it (exit 3, a clear message, and not
#     one checkpoint written);
# and the operator's way forward (audit reseal, audit rotate-key) is itself
# recorded.  Attacks: delete every checkpoint and re-chain; keep only the
# chain's start; re-chain from row 1 keeping the checkpoints; delete the
# newest checkpoint (cadence by rows, by time); truncate after it together
# with the checkpoint file; replace the key and re-sign everything; replace
# the key only; loosen the cadence in the database or in the config; forge a
# break record.  The first part runs with the broker's default settings.
. "$SG_SRC/tests/lib.sh"
LOAD="$SG_BUILD/tests/audit/audit_load"
FORGE="$SG_BUILD/tests/audit/audit_forge"
CFG="$XDG_CONFIG_HOME/sandgate/config"
CK="$T/state/sandgate.checkpoints"
q() { sqlite3 "$SANDGATE_DB" "$1"; }

# default settings: no preset line, default cadence (1000 rows or 10 minutes)
: >"$CFG"

# save NAME / restore NAME: the database, the checkpoint file and the config
# dir (keys) as they were
save() {
	stop_broker
	rm -rf "$T/saved-$1" && mkdir "$T/saved-$1"
	cp "$SANDGATE_DB" "$CK" "$T/saved-$1/"
	cp -r "$XDG_CONFIG_HOME/sandgate" "$T/saved-$1/cfg"
}
restore() {
	stop_broker
	rm -f "$SANDGATE_DB" "$SANDGATE_DB-wal" "$SANDGATE_DB-shm"
	cp "$T/saved-$1/sandgate.db" "$SANDGATE_DB"
	cp "$T/saved-$1/sandgate.checkpoints" "$CK"
	rm -rf "$XDG_CONFIG_HOME/sandgate" && cp -r "$T/saved-$1/cfg" "$XDG_CONFIG_HOME/sandgate"
}

# verify_fails PATTERN [VERIFY ARGS...]: exit 1 naming PATTERN
verify_fails() {
	local want=$1 rc=0
	shift
	sg audit verify "$@" >"$T/vout" 2>"$T/verr" || rc=$?
	[ $rc = 1 ] || fail "verify $* exit $rc, wanted a failure matching '$want': $(cat "$T/vout" "$T/verr")"
	grep -q -- "$want" "$T/verr" || fail "verify $*: wanted '$want', got: $(cat "$T/verr")"
}

# refused PATTERN: a new broker will not start over this log, and writes nothing
refused() {
	local want=$1 rc=0 before after
	before=$(q "select count(*) || '/' || count(distinct idx) from audit_checkpoints")
	sg broker 2>"$T/berr" || rc=$?
	[ $rc = 3 ] || { stop_broker; fail "a broker started over the rewritten log ($want)"; }
	grep -q "will not sign over it" "$T/berr" || fail "refusal message: $(cat "$T/berr")"
	grep -q -- "$want" "$T/berr" || fail "refusal should name '$want': $(cat "$T/berr")"
	grep -q "sandgate audit reseal --reason" "$T/berr" || fail "no way forward named: $(cat "$T/berr")"
	after=$(q "select count(*) || '/' || count(distinct idx) from audit_checkpoints")
	[ "$before" = "$after" ] || fail "the refusing broker wrote checkpoints ($before -> $after)"
	[ ! -S "$SANDGATE_DIR/agent.sock" ] || fail "the refusing broker left a socket"
}

# ---------------------------------------------------------------- defaults
start_broker
"$LOAD" load 60 4 "$T/load" 252 >/dev/null
stop_broker
[ "$(q 'select count(*) from audit')" = 1008 ] || fail "1008 rows: $(q 'select count(*) from audit')"
[ "$(q "select group_concat(kind || ':' || seq, ' ') from audit_checkpoints order by idx")" = "start:0 rows:1000 stop:1008" ] ||
	fail "default cadence: $(q 'select idx, kind, seq from audit_checkpoints')"
[ "$(wc -l <"$CK")" = 3 ] || fail "checkpoint file: $(cat "$CK")"
sg audit verify >/dev/null || fail "pristine log: $(sg audit verify 2>&1)"
save defaults
pass "default settings: 1008 rows, the chain's start, a checkpoint at row 1000 and at the clean stop, each in $CK"

# the review's attack: delete the checkpoints, rewrite a row (here: hide
# what row 500 ran, and who allowed it), re-chain; verify passed and a new
# broker signed over it
EDIT="drop trigger audit_no_update; update audit set summary = 'ls', decided_by = 'reviewer' where seq = 500"
q "drop trigger audit_checkpoints_no_delete; delete from audit_checkpoints; $EDIT"
"$FORGE" rechain "$SANDGATE_DB" >/dev/null
verify_fails "the audit log has no signed checkpoint chain: its checkpoints were removed" --no-copy
verify_fails "the audit log has no signed checkpoint chain"
refused "no signed checkpoint chain"
pass "every checkpoint deleted and the rows re-chained: verify fails, a new broker refuses"

# ...keeping only the chain's start: the rows outrun its promised cadence
restore defaults
q "drop trigger audit_checkpoints_no_delete; delete from audit_checkpoints where idx > 1; $EDIT"
"$FORGE" rechain "$SANDGATE_DB" >/dev/null
verify_fails "rows 1 to 1008 follow checkpoint #1, which promised a checkpoint every 1000 rows: the checkpoints after it were removed" --no-copy
refused "rows 1 to 1008 follow checkpoint #1"
pass "all but the chain's start deleted: 1008 rows under a promise of 1000 fail"

# ...re-chained from row 1, checkpoints kept: they signed other hashes
restore defaults
q "$EDIT"
"$FORGE" rechain "$SANDGATE_DB" >/dev/null
verify_fails "checkpoint #2 signed another hash for row 1000: rows 1 to 1000 were rewritten after they were signed" --no-copy
refused "checkpoint #2 signed another hash for row 1000"
pass "rows rewritten and re-chained under their checkpoints: verify names them, a new broker refuses"

# ...the newest checkpoint deleted: the database alone sees it only once its
# promise is overdue; the checkpoint file at once
restore defaults
q "drop trigger audit_checkpoints_no_delete; delete from audit_checkpoints where idx = 3"
sg audit verify --no-copy >/dev/null || fail "8 rows under a 1000-row promise, just written: the database alone cannot tell (expected)"
verify_fails "the database lacks checkpoint #3 (epoch 1, row 1008, signed [^)]*), which $CK holds (line 3): the newest checkpoints were removed"
refused "the database lacks checkpoint #3"
# the same rows two hours old: overdue by the 10-minute promise
q "drop trigger audit_no_update; update audit set recorded_ms = recorded_ms - 7200000 where seq > 1000"
"$FORGE" rechain "$SANDGATE_DB" 1001 >/dev/null
verify_fails "rows 1001 to 1008 are not signed, although checkpoint #2 promised a checkpoint within 10m" --no-copy
pass "the newest checkpoint deleted: the checkpoint file finds it at once, the database alone once the promise is overdue"

# ------------------------------------------------- the rest: a short cadence
restore defaults
printf 'audit_checkpoint_rows = 5\n' >>"$CFG"
start_broker
"$LOAD" load 60 1 "$T/load" 12 >/dev/null
stop_broker
save small
# the 1000-row promise of #3 gives way to 5 rows: #4 at row 1013, #5 at 1018, #6 (stop) at 1020
[ "$(q "select group_concat(kind || ':' || seq, ' ') from audit_checkpoints where idx > 3 order by idx")" = "rows:1013 rows:1018 stop:1020" ] ||
	fail "checkpoints: $(q 'select idx, kind, seq, every_rows from audit_checkpoints')"

# delete the newest "rows" checkpoint: 5 rows after #4 with none after them
q "drop trigger audit_checkpoints_no_delete; delete from audit_checkpoints where idx >= 5"
verify_fails "rows 1014 to 1020 follow checkpoint #4, which promised a checkpoint every 5 rows" --no-copy
refused "rows 1014 to 1020 follow checkpoint #4"
pass "the newest checkpoints deleted under a 5-row cadence: the database alone fails"

# truncate after it: the newest checkpoints and the rows they covered, and
# the same lines cut from the checkpoint file.  The database and the file now
# agree; a copy kept elsewhere (what syslog/journald or a shipped export
# holds) does not.
restore small
sg audit export --checkpoint >"$T/shipped"
cp "$CK" "$T/journal"
q "drop trigger audit_checkpoints_no_delete; delete from audit_checkpoints where idx >= 6;
   drop trigger audit_prune_only; delete from audit where seq > 1018;
   delete from requests where id not in (select request_id from audit)"
head -n 5 "$CK" >"$T/cut" && cat "$T/cut" >"$CK"
sg audit verify >/dev/null || fail "the database and the checkpoint file cut together agree (expected: they are writable by the same uid)"
verify_fails "the database lacks checkpoint #6 (epoch 1, row 1020, signed [^)]*), which $T/journal holds (line 6)" --against "$T/journal"
verify_fails "the database lacks checkpoint #6" --against "$T/shipped"
verify_fails "which stdin holds (line 6)" --against - <"$T/journal"
# journald's form: `journalctl -t sandgate -o cat`, or a syslog file's prefix
sed 's/^/Dec  6 04:49:29 host sandgate[4090]: /' "$T/journal" >"$T/authlog"
verify_fails "which $T/authlog holds (line 6)" --against "$T/authlog"
pass "the log and its checkpoint file truncated together: verify --against a kept copy (file, stdin, syslog lines) fails"

# a new broker reads the checkpoint file, not the journal: with the file cut
# too it starts, and that is what only an outside copy can catch (docs)
restore small
q "drop trigger audit_checkpoints_no_delete; delete from audit_checkpoints where idx = 6"
refused "the database lacks checkpoint #6"
rm -f "$CK"
start_broker
stop_broker
verify_fails "checkpoint #6 differs between the database and $T/journal (line 6)" --against "$T/journal"
pass "a broker refuses while its checkpoint file knows; a kept copy still catches what it then signed over"

# replace the key and re-sign every checkpoint (the attacker holds a key the
# database trusts: audit.pub lists it): only copies signed by the old key know
restore small
cp "$XDG_CONFIG_HOME/sandgate/audit.pub" "$T/audit.pub.kept"
q "drop trigger audit_no_update; update audit set summary = 'ls' where seq = 1003"
"$FORGE" rechain "$SANDGATE_DB" >/dev/null
rm "$XDG_CONFIG_HOME/sandgate/audit.key"
( umask 077; printf 'sandgate-audit-key v1 ed25519 %s\n' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
	>"$XDG_CONFIG_HOME/sandgate/audit.key" )
"$FORGE" resign "$SANDGATE_DB" "$XDG_CONFIG_HOME/sandgate/audit.key" >/dev/null
sg audit export --checkpoint | sed -n 's/.* key=\([0-9a-f]*\) .*/sandgate-audit-pub v1 ed25519 \1/p' | sort -u \
	>>"$XDG_CONFIG_HOME/sandgate/audit.pub"
sg audit verify --no-copy >/dev/null || fail "re-signed with a trusted key: the database alone verifies (expected)"
verify_fails "checkpoint #1 differs between the database and $CK (line 1): the database's signs row 0 with key [0-9a-f]*, the copy's signs row 0 with key [0-9a-f]*: the log was rewritten and signed again"
verify_fails "is signed by a key that is not trusted" --no-copy --key "$T/audit.pub.kept"
refused "checkpoint #1 differs between the database and"
pass "rows rewritten, key replaced, every checkpoint re-signed: the checkpoint file and a kept audit.pub catch it"

# replace the key only: the broker starts (its log is intact), says so loudly,
# records the change, tells every console, and verify fails until accepted
restore small
rm "$XDG_CONFIG_HOME/sandgate/audit.key"
sg broker 2>"$T/berr" || fail "broker with a new key did not start: $(cat "$T/berr")"
grep -q "WARNING: the audit signing key audit.key (key [0-9a-f]*) is not the key that signed the newest checkpoint (#6" "$T/berr" ||
	fail "no warning on stderr: $(cat "$T/berr")"
grep -q "WARNING: the audit signing key" "$SANDGATE_DIR/broker.log" || fail "no warning in broker.log"
"$LOAD" watch 2 >"$T/watch" &
w=$!
wait $w || true
grep -q "^alert code=audit-key-changed message=the audit signing key changed" "$T/watch" ||
	fail "a console that connected later got no alert: $(cat "$T/watch")"
"$SGTEST" raw console 940001a568656c6c6f9182a776657273696f6e01a4726f6c65a7636f6e736f6c65940002a973756273637269626590 >"$T/raw"
grep -q "audit-key-changed" "$T/raw" || fail "a second console got no alert: $(cat "$T/raw")"
[ "$(q "select kind from audit_checkpoints where idx = 7")" = key-changed ] || fail "the change is not recorded: $(q 'select idx, kind from audit_checkpoints')"
"$LOAD" load 60 1 "$T/load" 6 >/dev/null
verify_fails "the signing key changed at checkpoint #7 (row 1020, [^)]*) from [0-9a-f]* to [0-9a-f]* without a handover by the old key"
grep -q "^key [0-9a-f]*: checkpoints #1 to #6 (from the start of the chain)" "$T/vout" || fail "key history: $(cat "$T/vout")"
grep -q "^key [0-9a-f]*: checkpoints #7 to #8 (changed at #7 without a handover" "$T/vout" || fail "key history: $(cat "$T/vout")"
# a restart before anyone accepted it: the broker signs on and says it again
stop_broker
sg broker 2>"$T/berr" || fail "restart after a recorded key change: $(cat "$T/berr")"
grep -q "WARNING: the signing key changed at checkpoint #7 .* and no operator has accepted it yet" "$T/berr" ||
	fail "no warning at the restart: $(cat "$T/berr")"
"$SGTEST" raw console 940001a568656c6c6f9182a776657273696f6e01a4726f6c65a7636f6e736f6c65940002a973756273637269626590 >"$T/raw"
grep -q "audit-key-changed" "$T/raw" || fail "no alert after the restart: $(cat "$T/raw")"
pass "a replaced audit.key: loud warning, alert to consoles that connect later, recorded as key-changed, verify fails, said again at each start"

# the operator's step: reseal, refused while the broker runs, recorded when stopped
expect_rc 1 sg audit reseal --reason "the key was rotated by hand" 2>"$T/err"
grep -q "a broker is running" "$T/err" || fail "reseal with a broker: $(cat "$T/err")"
stop_broker
expect_rc 2 sg audit reseal 2>/dev/null
sg audit reseal --reason "ops ticket 42: audit.key rotated by hand" >"$T/out" || fail "reseal: $(cat "$T/out")"
grep -q "recorded the break and began epoch 2 with checkpoint #10" "$T/out" || fail "reseal output: $(cat "$T/out")"
sg audit verify >"$T/vout" 2>&1 || fail "verify after the reseal: $(cat "$T/vout")"
grep -q "^warning: epoch 1 (rows 1 to 1026) has a recorded break: the signing key changed at checkpoint #7 .* by uid [0-9]*: ops ticket 42: audit.key rotated by hand)" "$T/vout" ||
	fail "the break is not reported: $(cat "$T/vout")"
tail -n 1 "$CK" | matches " n=10 epoch=2 kind=start " || fail "the epoch's start is not in the checkpoint file"
sg audit reseal --reason again | matches "there is no break to record" || fail "a second reseal"
start_broker
stop_broker
sg audit verify >/dev/null || fail "verify after the new epoch's first run"
pass "audit reseal: refused under a broker, needs a reason, records the break, starts epoch 2; verify reports it and passes"

# a recorded handover (rotate-key) is no break
sg audit rotate-key >"$T/out" || fail "rotate-key: $(cat "$T/out")"
grep -q "handed the signing over to key" "$T/out" || fail "rotate-key output: $(cat "$T/out")"
start_broker 2>"$T/berr"
! grep -q WARNING "$T/berr" || fail "a rotated key was reported as changed: $(cat "$T/berr")"
"$LOAD" load 60 1 "$T/load" 5 >/dev/null
stop_broker
sg audit verify >"$T/vout" || fail "verify after rotate-key: $(cat "$T/vout")"
grep -q "handed over by key [0-9a-f]* at #11" "$T/vout" || fail "handover not in the key history: $(cat "$T/vout")"
pass "audit rotate-key: the old key signs the handover; the new key signs on; verify passes and shows it"

# a forged break: an audit_notes row the attacker adds without a key
restore small
q "drop trigger audit_notes_no_update; insert into audit_notes (epoch, made_ms, uid, reason, problems)
   values (2, 0, 0, 'nothing to see', 'epoch 1: everything')"
verify_fails "the break record #1 (epoch 2) is not signed by a checkpoint that begins its epoch"
refused "the break record #1 (epoch 2)"
pass "a break record nobody signed is refused"

# undo the chain: a log made to look as if it predated the chain would get a
# new chain from the migration, over whatever it holds now
restore small
q "drop trigger audit_checkpoints_no_delete; delete from audit_checkpoints; drop index audit_checkpoints_idx;
   alter table audit_checkpoints drop column version; alter table audit_checkpoints drop column idx;
   alter table audit_checkpoints drop column epoch; alter table audit_checkpoints drop column kind;
   alter table audit_checkpoints drop column prev_seq; alter table audit_checkpoints drop column prev;
   alter table audit_checkpoints drop column every_rows; alter table audit_checkpoints drop column every_ms;
   alter table audit_checkpoints drop column next_key; alter table audit_checkpoints drop column note;
   drop table audit_notes; delete from schema_migrations where name = '0006-audit-chain';
   delete from schema_version; insert into schema_version select count(*) from schema_migrations; $EDIT"
"$FORGE" rechain "$SANDGATE_DB" >/dev/null
sg audit verify --no-copy >"$T/vout" 2>&1 || fail "a pre-chain log verifies on its own (expected): $(cat "$T/vout")"
verify_fails "the database lacks 6 checkpoints from #1 to #6 (the newest: epoch 1, row 1020, signed [^)]*), which $CK holds"
expect_rc 3 sg broker 2>"$T/berr"
grep -q "migration 0006-audit-chain failed: the checkpoint file $CK holds this log's signed checkpoint chain (up to #6), but the database has none" "$T/berr" ||
	fail "downgrade: $(cat "$T/berr")"
[ "$(q "select count(*) from schema_migrations where name = '0006-audit-chain'")" = 0 ] || fail "the refused migration was kept"
pass "a log stripped of its chain is not given a new one while the checkpoint file remembers it"

# loosen the cadence: in the database (a signed field) or in the config (the
# broker keeps the promise it made, then signs the new cadence, which verify shows)
restore small
q "drop trigger audit_checkpoints_no_update; update audit_checkpoints set every_rows = 10000000 where idx = 4"
verify_fails "checkpoint #4 (row 1013): the signature does not verify"
refused "checkpoint #4 (row 1013): the signature does not verify"
restore small
sed -i 's/^audit_checkpoint_rows = 5$/audit_checkpoint_rows = 10000000/' "$CFG"
start_broker
"$LOAD" load 60 1 "$T/load" 7 >/dev/null
[ "$(q "select kind || ':' || seq || ':' || every_rows from audit_checkpoints where idx = 7")" = "rows:1025:10000000" ] ||
	fail "the promise of 5 rows was not kept: $(q 'select idx, kind, seq, every_rows from audit_checkpoints')"
stop_broker
sg audit verify >"$T/vout" || fail "verify: $(cat "$T/vout")"
grep -q "the checkpoint cadence changed at #7 ([^)]*): every 5 rows or 10m, then every 10000000 rows or 10m" "$T/vout" ||
	fail "cadence change not shown: $(cat "$T/vout")"
pass "a loosened cadence: forged in the database it breaks a signature; from the config it is kept for one more interval and shown"

# a checkpoint file that cannot be written: the broker does not start with
# a weaker log than configured
restore small
printf 'audit_checkpoint_file = %s/no/such/dir/ck\n' "$T" >>"$CFG"
expect_rc 3 sg broker 2>"$T/berr"
grep -q "cannot open the checkpoint file $T/no/such/dir/ck" "$T/berr" || fail "unwritable copy: $(cat "$T/berr")"
sed -i '/^audit_checkpoint_file/d' "$CFG"
# ... also one that is up to date (nothing to append at start) but not a file of ours
restore small
mv "$CK" "$CK.real" && mkfifo "$CK"
expect_rc 3 sg broker 2>"$T/berr"
grep -q "not a regular file" "$T/berr" || fail "a FIFO as the checkpoint file: $(cat "$T/berr")"
rm -f "$CK" && mv "$CK.real" "$CK"
pass "an unwritable checkpoint file stops the broker at start-up"

# a crash leaves rows unsigned: the next broker signs them (resume) after
# checking they continue the chain
restore small
start_broker
"$LOAD" load 60 1 "$T/load" 3 >/dev/null
kill -9 "$(broker_pid)"
wait_for 5 '! kill -0 $(broker_pid) 2>/dev/null'
[ "$(q 'select max(seq) from audit')" -gt "$(q 'select max(seq) from audit_checkpoints')" ] || fail "no unsigned tail"
start_broker
[ "$(q 'select kind from audit_checkpoints order by idx desc limit 1')" = resume ] || fail "no resume checkpoint"
grep -q "which the previous broker left unsigned" "$SANDGATE_DIR/broker.log" || fail "resume not logged"
stop_broker
sg audit verify >/dev/null || fail "verify after resume"
pass "rows a killed broker left unsigned are signed at the next start (kind resume)"
