# Export round-trips every field: the jsonl and csv exports of requests and
# decisions full of hostile text (quotes, commas, CR/LF, ESC, bidi controls,
# NUL-free binary, content above the size cap, text that is not UTF-8) are
# checked by audit_rt, an independent implementation of the row hash from
# docs/AUDIT.md: it recomputes every row's hash from the exported fields.
. "$SG_SRC/tests/lib.sh"
RT="$SG_BUILD/tests/audit/audit_rt"
UNIT="$SG_BUILD/tests/audit/test_audit"

start_broker
"$SGTEST" decide-all 4 allow >/dev/null & d=$!
sleep 0.2
big=$(head -c 70000 /dev/zero | tr '\0' 'x')
nasty='q\"uote, comma\r\nCRLF \u001b[31mred\u001b[0m \u202egnp.exe tab\there'
for i in 1 2 3; do
	"$SGTEST" call agent submit "[{\"req_id\":\"x$i\",\"agent\":\"ag\\\"ent,$i\\n\",\"session\":\"s,\\\"1\\\"\",\"kind\":\"exec\",\"command\":\"echo '$nasty' $i\",\"cwd\":\"/tmp/a,b\",\"justification\":\"$nasty\",\"wait\":true}]" >/dev/null
done
"$SGTEST" call agent submit "[{\"req_id\":\"w1\",\"agent\":\"writer\",\"session\":\"s\",\"kind\":\"write\",\"path\":\"/tmp/f\",\"content\":\"$big\",\"wait\":true}]" >/dev/null
wait $d
stop_broker
sg audit export --format jsonl >"$T/a.jsonl"
sg audit export --format csv >"$T/a.csv"
[ "$(wc -l <"$T/a.jsonl")" = 4 ] || fail "jsonl lines: $(wc -l <"$T/a.jsonl")"
"$RT" "$T/a.jsonl" "$T/a.csv" >"$T/rt" || fail "round trip: $(cat "$T/rt")"
grep -q '"content":{"elided":{"size":70000,"sha256":"' "$T/a.jsonl" || fail "big content not elided"
grep -q '"summary":"echo '"'"'q\\"uote, comma\\r\\nCRLF \\u001B\[31mred' "$T/a.jsonl" || fail "escapes in jsonl: $(head -c 600 "$T/a.jsonl")"
pass "jsonl and csv exports round-trip every field of hostile requests (checked by an independent hash)"

head -1 "$T/a.csv" | tr -d '\r' >"$T/header"
[ "$(cat "$T/header")" = "seq,recorded_ms,recorded_at,mono_ns,decided_ms,decided_at,request_id,req_id,agent,session,peer_pid,peer_uid,peer_gid,kind,cwd,workspace,summary,request,request_b64,request_size,request_sha256,intent,risk_score,risk_level,risk_reasons,shown_sha256,decision,decided_by,rule_id,reviewer_uid,reviewer_pid,reviewer_name,approvers,escalation_level,note,prev_hash,hash" ] ||
	fail "csv header changed: $(cat "$T/header")"
head -1 "$T/a.jsonl" | grep -o '"[a-z_0-9]*":' | tr -d '":' | tr '\n' ',' >"$T/keys"
grep -q "^seq,recorded_ms,recorded_at,mono_ns,decided_ms,decided_at,request_id,req_id,agent,session,peer_pid,peer_uid,peer_gid,kind,cwd,workspace,summary,request," "$T/keys" ||
	fail "jsonl keys changed: $(cat "$T/keys")"
pass "stable field names and order"

# the checker is not a rubber stamp: one changed byte in one field fails it
sed '2s/"peer_gid":\([0-9]*\)/"peer_gid":9\1/' "$T/a.jsonl" >"$T/b.jsonl"
expect_rc 1 "$RT" "$T/b.jsonl" 2>/dev/null
sed '3s/"decision":"allow"/"decision":"deny"/' "$T/a.jsonl" >"$T/b.jsonl"
expect_rc 1 "$RT" "$T/b.jsonl" 2>/dev/null
sed '3s/"note":null/"note":""/' "$T/a.jsonl" >"$T/b.jsonl"
expect_rc 1 "$RT" "$T/b.jsonl" 2>/dev/null
sed '0,/comma/s//cOmma/' "$T/a.csv" >"$T/b.csv"
expect_rc 1 "$RT" "$T/a.jsonl" "$T/b.csv" 2>/dev/null
pass "the round-trip checker fails on any changed field"

# filters: --since in the future exports only the header / nothing
sg audit export --format csv --since "@$(( $(date +%s) + 60 ))" >"$T/none.csv"
[ "$(wc -l <"$T/none.csv")" = 1 ] || fail "csv --since future"
[ "$(sg audit export --format jsonl --since 1h | wc -l)" = 4 ] || fail "jsonl --since 1h"
[ "$(sg audit export --format jsonl --after 3 | wc -l)" = 1 ] || fail "--after 3"
expect_rc 2 sg audit export --format xml 2>/dev/null
pass "export filters"

# every field filled, and text that is not UTF-8, through the real store
if [ -x "$UNIT" ]; then
	AUDIT_TEST_KEEP_DB="$T/full.db" "$UNIT" >/dev/null 2>&1 || fail "test_audit"
	SANDGATE_DB="$T/full.db" "$SANDGATE" audit export --format jsonl >"$T/f.jsonl"
	SANDGATE_DB="$T/full.db" "$SANDGATE" audit export --format csv >"$T/f.csv"
	"$RT" "$T/f.jsonl" "$T/f.csv" >/dev/null || fail "full-field round trip"
	for f in intent risk_score risk_level risk_reasons shown_sha256 approvers escalation_level reviewer_pid; do
		grep -q "\"$f\":null" "$T/f.jsonl" && fail "$f not filled"
	done
	grep -q '"cwd":{"base64":"' "$T/f.jsonl" || fail "non-UTF-8 text not carried as base64"
	pass "every field (risk, reasons, approvers, escalation, shown hash, non-UTF-8 text) round-trips"
fi
