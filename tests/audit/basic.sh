# The audit log through the real broker and CLI: one chained row per decision
# for every way a request ends, the seq the agent gets, shown_sha256,
# checkpoints, the signing key's permissions, triggers, tail/query/verify.
. "$SG_SRC/tests/lib.sh"
LOAD="$SG_BUILD/tests/audit/audit_load"
q() { sqlite3 "$SANDGATE_DB" "$1"; }
SHOWN=aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899

cat >>"$XDG_CONFIG_HOME/sandgate/config" <<'EOF'
audit_checkpoint_rows = 3
EOF
start_broker
[ "$(stat -c %a "$XDG_CONFIG_HOME/sandgate/audit.key")" = 600 ] || fail "audit.key is not 0600"
grep -q '^sandgate-audit-pub v1 ed25519 [0-9a-f]\{64\}$' "$XDG_CONFIG_HOME/sandgate/audit.pub" ||
	fail "audit.pub: $(cat "$XDG_CONFIG_HOME/sandgate/audit.pub")"
pass "signing key generated on first start, 0600, public half in audit.pub"

# ask_bg REQ_ID [ASK OPTIONS]: a waiting `sandgate ask` in the background;
# sets $id to its request id once it is pending.
ask_bg() {
	local rid=$1
	shift
	sg ask --agent basic --session s --req-id "$rid" "$@" -- echo "$rid" >/dev/null 2>&1 &
	wait_for 5 '[ -n "$(sg pending --json | grep -o "\"id\":[0-9]*,\"agent\":\"basic\",\"session\":\"s\",\"req_id\":\"'"$rid"'\"")" ]'
	id=$(sg pending --json | grep -o "\"id\":[0-9]*,\"agent\":\"basic\",\"session\":\"s\",\"req_id\":\"$rid\"" | sed 's/"id":\([0-9]*\),.*/\1/')
}

# reviewer allow with shown_sha256: the agent's seq is the audit row's seq
"$SGTEST" call agent submit '[{"req_id":"a1","agent":"basic","session":"s","kind":"exec","command":"ls","wait":true}]' >"$T/a1" &
w=$!
wait_for 5 '[ "$(pending_count)" = 1 ]'
id=$(sg pending --json | sed -n 's/.*"id":\([0-9]*\),.*/\1/p')
expect_rc 1 "$SGTEST" call console decide "[{\"id\":$id,\"decision\":\"allow\",\"shown_sha256\":\"xyz\"}]" >"$T/out"
grep -q 'shown_sha256' "$T/out" || fail "bad shown_sha256 not refused: $(cat "$T/out")"
"$SGTEST" call console decide "[{\"id\":$id,\"decision\":\"allow\",\"reviewer\":\"alice\",\"note\":\"fine\",\"shown_sha256\":\"${SHOWN^^}\"}]" >/dev/null
wait $w
seq=$(sed -n 's/.*"seq":\([0-9]*\).*/\1/p' "$T/a1")
[ "$(q "select decision||'|'||decided_by||'|'||reviewer_name||'|'||note||'|'||shown_sha256||'|'||request_id from audit where seq=$seq")" = "allow|reviewer|alice|fine|$SHOWN|$id" ] ||
	fail "audit row $seq: $(q "select * from audit where seq=$seq")"
pass "reviewer allow: row with reviewer, note, shown_sha256 (lower-cased); agent got its seq"

# deny, cancel (withdrawn), timeout, disconnect (withdrawn)
ask_bg d1
# the risk and intent the broker attached to the request (when a scorer is
# wired in) are what its audit row records
view=$(sg pending --json)
lvl=$( (echo "$view" | grep -o '"risk":{"score":[0-9]*,"level":"[a-z]*"' || true) | head -1 | sed 's/.*"level":"\([a-z]*\)"/\1/')
has_intent=$(echo "$view" | grep -c '"intent":{' || true)
"$SGTEST" call console decide "[{\"id\":$id,\"decision\":\"deny\",\"note\":\"no\"}]" >/dev/null
[ "$(q "select coalesce(risk_level, '') from audit where request_id = $id")" = "$lvl" ] || fail "risk level"
[ "$(q "select intent is not null from audit where request_id = $id")" = "$has_intent" ] || fail "intent"
if [ -n "$lvl" ]; then
	q "select risk_reasons from audit where request_id = $id" | matches '^\[' || fail "risk reasons"
fi
ask_bg c1
"$SGTEST" call agent cancel "[$id]" >/dev/null
expect_rc 1 sg ask --agent basic --timeout 1 -- make deploy 2>/dev/null
"$SANDGATE" ask --agent basic -- sleep 100 >/dev/null 2>&1 & g=$!
wait_for 5 '[ "$(pending_count)" = 1 ]'
kill -9 $g; wait $g 2>/dev/null || true
wait_for 5 '[ "$(q "select count(*) from audit where decided_by = '"'withdrawn'"'")" = 2 ]'
[ "$(q "select count(*) from audit where decided_by = 'timeout'")" = 1 ] || fail "timeout row"
[ "$(q "select count(*) from audit where decision='deny' and decided_by='reviewer' and note='no'")" = 1 ] || fail "deny row"
pass "deny, cancel, timeout and disconnect each have their row"

# shutdown with pending requests: broker-shutdown rows; a clean stop signs the head
ask_bg p1
ask_bg p2
stop_broker
[ "$(q "select count(*) from audit where decided_by='broker-shutdown'")" = 2 ] || fail "broker-shutdown rows"
[ "$(q "select max(seq) from audit_checkpoints")" = "$(q "select max(seq) from audit")" ] ||
	fail "no checkpoint over the final head: $(q 'select seq from audit_checkpoints')"
pass "shutdown denies pending as broker-shutdown and signs a final checkpoint"

# kill -9 with pending requests: the next broker records broker-restart rows in the chain
start_broker
ask_bg k1
ask_bg k2
wait_for 5 '[ "$(q "select count(*) from requests where client_req_id like '"'k%'"'")" = 2 ]'
kill -9 "$(broker_pid)"
sleep 0.2
start_broker
[ "$(q "select count(*) from audit where decided_by='broker-restart'")" = 2 ] || fail "broker-restart rows"
[ "$(q "select count(*) from requests_open")" = 0 ] || fail "requests still open after the restart"
[ "$(q "select count(*) from audit where seq != rowid")" = 0 ] || fail "seq"
[ "$(q "select max(seq) - min(seq) + 1 = count(*) from audit")" = 1 ] || fail "gaps in seq"
pass "broker-restart rows for what a killed broker left undecided, chained"

# checkpoints every 3 rows, each verifies; verify works while the broker runs
n=$(q "select count(*) from audit")
[ "$(q "select count(*) from audit_checkpoints")" -ge $((n / 3)) ] || fail "checkpoints: $(q 'select seq from audit_checkpoints')"
sg audit verify >"$T/v" || fail "verify: $(cat "$T/v")"
grep -q "$n rows (1..$n).*chain and signatures verify" "$T/v" || fail "verify output: $(cat "$T/v")"
sg audit verify --json | matches "\"ok\":true,.*\"rows\":$n" || fail "verify --json"
pass "verify: $n rows, checkpoints every 3 rows, with the broker running"

# tail, tail -f, query filters
sg audit tail -n 3 >"$T/tail"
[ "$(wc -l <"$T/tail")" = 3 ] || fail "tail -n 3: $(cat "$T/tail")"
grep -q "broker-restart" "$T/tail" || fail "tail does not end with the newest rows"
timeout 20 "$SANDGATE" audit tail -f --json >"$T/follow" & f=$!
"$LOAD" load 3 1 "$T/load" 2 >/dev/null
wait_for 5 '[ "$(grep -c "\"agent\":\"load-even\"" "$T/follow")" = 2 ]'
kill $f; wait $f 2>/dev/null || true
pass "tail and tail -f --json"
[ "$(sg audit query --agent load-even --json | wc -l)" = 2 ] || fail "query --agent"
[ "$(sg audit query --decision deny --json | grep -c '"decision":"deny"')" = "$(q "select count(*) from audit where decision='deny'")" ] || fail "query --decision"
[ "$(sg audit query --by timeout --json | wc -l)" = 1 ] || fail "query --by"
[ "$(sg audit query --since 1h --limit 0 --json | wc -l)" = "$(q "select count(*) from audit")" ] || fail "query --since 1h"
[ "$(sg audit query --since "@$(( $(date +%s) + 3600 ))" --json | wc -l)" = 0 ] || fail "query --since future"
[ "$(sg audit query --until 2000-01-01 --json | wc -l)" = 0 ] || fail "query --until"
[ "$(sg audit query --risk high --json | wc -l)" = "$(q "select count(*) from audit where risk_level in ('high','critical')")" ] || fail "query --risk"
[ "$(sg audit query --limit 2 --json | head -1 | sed 's/^{"seq":\([0-9]*\).*/\1/')" = "$(q 'select max(seq) from audit')" ] || fail "query newest first"
expect_rc 2 sg audit query --since yesterday 2>/dev/null
expect_rc 2 sg audit query --risk extreme 2>/dev/null
expect_rc 2 sg audit export 2>/dev/null
expect_rc 2 sg audit frobnicate 2>/dev/null
sg audit --help | matches "checkpoint --export" || fail "audit --help"
pass "query filters, newest first; bad arguments exit 2"

# the triggers refuse changes through the sqlite3 CLI
refused() { # SQL: must fail; its message goes to $T/err
	if sqlite3 "$SANDGATE_DB" "$1" 2>"$T/err"; then fail "not refused: $1"; fi
}
refused "update audit set decision='allow' where seq=2"
grep -q "append-only" "$T/err" || fail "update: $(cat "$T/err")"
refused "delete from audit where seq=2"
grep -q "pruned up to a signed checkpoint" "$T/err" || fail "delete: $(cat "$T/err")"
refused "update audit_prune_gate set upto=3"
refused "delete from audit_prune_gate"
refused "delete from audit_checkpoints"
refused "update audit_checkpoints set seq=1"
refused "update audit_meta set created_ms=0"
sg audit verify >/dev/null || fail "verify after refused changes"
pass "triggers refuse UPDATE and DELETE"

# a key file others can read is refused: the broker does not start
stop_broker
chmod 644 "$XDG_CONFIG_HOME/sandgate/audit.key"
expect_rc 3 sg broker 2>"$T/err"
grep -q "audit.key has mode 0644: refusing" "$T/err" || fail "loose key: $(cat "$T/err")"
chmod 600 "$XDG_CONFIG_HOME/sandgate/audit.key"
start_broker
pass "a key file with mode 0644 is refused"

# no DB: the readers say so and exit 3
SANDGATE_DB="$T/none.db" expect_rc 3 "$SANDGATE" audit verify 2>"$T/err"
grep -q "no audit log at" "$T/err" || fail "missing db: $(cat "$T/err")"
pass "missing DB: exit 3"

# a log written before the audit table existed: its decisions get audit rows
# (in their order) and its undecided requests broker-restart rows
stop_broker
export SANDGATE_DB="$T/old.db"
sqlite3 "$SANDGATE_DB" "
CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_ms INTEGER NOT NULL);
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_migrations VALUES ('0001-requests-decisions', 0); INSERT INTO schema_version VALUES (1);
CREATE TABLE requests (id INTEGER PRIMARY KEY, created_ms INTEGER NOT NULL, client_req_id TEXT NOT NULL,
  agent TEXT NOT NULL, session TEXT NOT NULL, kind TEXT NOT NULL, summary TEXT NOT NULL, cwd TEXT, workspace TEXT,
  peer_pid INTEGER NOT NULL, peer_uid INTEGER NOT NULL, peer_gid INTEGER NOT NULL, request BLOB NOT NULL);
CREATE TABLE decisions (seq INTEGER PRIMARY KEY AUTOINCREMENT, request_id INTEGER NOT NULL REFERENCES requests(id),
  decided_ms INTEGER NOT NULL, decision TEXT NOT NULL CHECK (decision IN ('allow','deny')), decided_by TEXT NOT NULL,
  reviewer_uid INTEGER, reviewer_pid INTEGER, reviewer_name TEXT, note TEXT);
CREATE UNIQUE INDEX decisions_request ON decisions(request_id);
CREATE INDEX requests_agent ON requests(agent, id);
INSERT INTO requests VALUES (1, 1000, 'o1', 'old', 's', 'exec', 'ls', NULL, NULL, 1, 2, 3, x'80');
INSERT INTO requests VALUES (2, 2000, 'o2', 'old', 's', 'exec', 'rm', NULL, NULL, 1, 2, 3, x'80');
INSERT INTO requests VALUES (3, 3000, 'o3', 'old', 's', 'exec', 'id', NULL, NULL, 1, 2, 3, x'80');
INSERT INTO decisions (request_id, decided_ms, decision, decided_by, reviewer_uid, reviewer_name, note)
  VALUES (2, 2500, 'deny', 'reviewer', 1000, 'old-reviewer', 'no'), (1, 2600, 'allow', 'timeout', NULL, NULL, NULL);"
start_broker
[ "$(q "select group_concat(seq||':'||request_id||':'||decided_by||':'||(mono_ns is null), ' ') from audit")" = \
  "1:2:reviewer:1 2:1:timeout:1 3:3:broker-restart:0" ] || fail "migrated log: $(q 'select seq, request_id, decided_by from audit')"
sg audit verify >/dev/null || fail "verify of a migrated log"
pass "a pre-audit log gets rows for its decisions, then broker-restart rows"

# ... and it is now on the fast-path schema (0004-fastpath): decisions is a
# view of the audit rows, the request rows (history) stay, nothing is open,
# the hot-path-free indexes are gone, and new request ids continue after 3
[ "$(q "select type from sqlite_master where name = 'decisions'")" = view ] || fail "decisions is not a view"
[ "$(q "select group_concat(request_id||':'||decision||':'||coalesce(reviewer_name,'-'), ' ') from decisions")" = \
  "2:deny:old-reviewer 1:allow:- 3:deny:-" ] || fail "decisions view: $(q 'select * from decisions')"
[ "$(q "select group_concat(id||':'||created_ms, ' ') from requests")" = "1:1000 2:2000 3:3000" ] || fail "request history lost"
[ "$(q "select count(*) from requests_open")" = 0 ] || fail "open requests after recovery"
[ "$(q "select count(*) from sqlite_master where name in ('audit_request','audit_decided','requests_agent','decisions_request')")" = 0 ] ||
	fail "old indexes left: $(q "select name from sqlite_master where type = 'index'")"
# ... and the one `audit query --agent` needs is back (0005)
[ "$(q "select sql from sqlite_master where name = 'audit_agent'")" = "CREATE INDEX audit_agent ON audit(agent, seq)" ] ||
	fail "no audit_agent index: $(q "select name from sqlite_master where type = 'index'")"
[ "$(q "select group_concat(name, ' ') from (select name from schema_migrations where name in ('0004-fastpath', '0005-audit-agent-index', '0006-audit-chain') order by rowid desc)")" = "0006-audit-chain 0005-audit-agent-index 0004-fastpath" ] || fail "migrations not recorded: $(q "select name from schema_migrations")"
# ... and the checkpoint chain starts over the migrated log's head (0006)
[ "$(q "select kind||' '||idx||' '||epoch from audit_checkpoints where version = 2 order by idx limit 1")" = "start 1 1" ] ||
	fail "no chain start: $(q "select * from audit_checkpoints")"
"$SGTEST" call agent submit '[{"req_id":"after","agent":"a","session":"s","kind":"exec","command":"true","wait":false}]' >"$T/sub"
grep -q '"id":[0-9]' "$T/sub" || fail "submit after migration: $(cat "$T/sub")"
id=$(sed 's/.*"id":\([0-9]*\).*/\1/' "$T/sub")
[ "$id" -gt 3 ] || fail "request id $id reused after migration"
stop_broker
start_broker
# (sgtest hung up: the request was withdrawn)
[ "$(q "select count(*) from audit where request_id = $id")" = 1 ] ||
	fail "the request after migration: $(q 'select request_id, decided_by from audit')"
sg audit verify >/dev/null || fail "verify after more rows on the migrated log"
pass "the migrated log uses the fast-path schema: decisions view, history kept, ids continue, still verifies"
