#!/bin/bash
# oversized.sh -- what cannot be carried whole is denied, never judged on a
# part (issue #12, items 4 and 13; the broker's side).  The review: a Bash
# command of 1.1 MB ending in `; rm -rf ~` was carried as its first 256 KiB,
# scored medium, and allowed by a rule for `echo *`.
#
# - Frames over a size limit are answered `too-large` (not `bad-message`) and
#   the connection closed; other framing errors stay `bad-message`.
# - A submit carrying `oversized: {field, bytes, sha256}` needs no payload; it
#   is never matched or queued, but denied at once by policy, with a reason
#   naming the field and its size, and recorded; malformed forms are refused.
# - `sandgate ask` / `sandgate exec` with a request too big for one message
#   send that form themselves: recorded, denied, exit 1, nothing run.
# - A long command that fits is judged whole: its tail counts.
# Default settings (routine preset on), plus a rule allowing `echo *`.
. "$SG_SRC/tests/lib.sh"
Q="$SG_BUILD/tests/hooks/sg_jsonq"
printf '' >"$XDG_CONFIG_HOME/sandgate/config" # default settings: routine preset on
start_broker
pid=$(broker_pid)
sg rules add allow 'exec echo *' --scope global >/dev/null

rows() { sg audit query --limit 0 --json | wc -l; }
last_row() { sg audit query --limit 1 --json >"$T/row.json"; }
pending() { sg pending --json | "$Q" len - .; }
submit() { "$SGTEST" call agent submit "$1" >"$T/out" || true; }
SHA=0123456789abcdef0123456789abcdef0123456789abcdef0123456789ABCDEF

# ---- frames: too-large for size limits, bad-message for the rest ----
# raw_check NAME CODE: stdin is sent as is; expect an error with CODE and a close
raw_check() {
	"$SGTEST" raw agent - >"$T/raw"
	grep -q "\"code\":\"$2\"" "$T/raw" || fail "$1: want $2, got $(cat "$T/raw")"
	grep -q '^closed$' "$T/raw" || fail "$1: connection left open"
	kill -0 "$pid" || fail "$1: the broker died"
}
submit_head='\x94\x00\x02\xa6submit\x91'
{ printf "$submit_head"'\xdb\x00\x20\x00\x00'; head -c 2200000 /dev/zero; } | raw_check "a 2 MiB string" too-large
printf "$submit_head"'\xdb\x00\x10\x00\x00' | raw_check "a string declaring 1 MiB" too-large
printf "$submit_head"'\xc6\x00\x20\x00\x00' | raw_check "a 2 MiB binary" too-large
printf "$submit_head"'\xdd\x00\x20\x00\x00' | raw_check "an array declaring 2 Mi items" too-large
printf "$submit_head"'\xdf\x00\x10\x00\x00' | raw_check "a map declaring 1 Mi pairs" too-large
printf "$submit_head"'\xc9\x00\x20\x00\x00\x01' | raw_check "an ext of 2 MiB" too-large
# a million small items: each fits, together they pass 1 MiB
{ printf "$submit_head"'\xdd\x00\x0f\x42\x40'; yes "$(printf '\xb4%020d' 0)" | head -c 1500000 || true; } |
    raw_check "many small items over 1 MiB" too-large
printf '\xc1\xc1' | raw_check "not msgpack" bad-message
{ for i in $(seq 1 40); do printf '\x91'; done; printf '\xc0'; } | raw_check "nested 40 deep" bad-message
printf '\x94\x01\x00\xc0\xc0' | raw_check "a response from a client" bad-message
sg status >/dev/null || fail "the broker does not answer after the oversized frames"
pass "frames over a size limit: too-large and closed; other framing errors: bad-message"

# ---- the oversized form ----
n=$(rows)
submit "[{\"req_id\":\"o1\",\"agent\":\"a\",\"session\":\"s\",\"kind\":\"exec\",\"wait\":true,\"oversized\":{\"field\":\"command\",\"bytes\":1153433,\"sha256\":\"$SHA\"}}]"
[ "$("$Q" get "$T/out" decision)" = deny ] && [ "$("$Q" get "$T/out" by)" = policy ] || fail "oversized exec: $(cat "$T/out")"
[ "$("$Q" get "$T/out" reason)" = "denied without review: the command is 1,153,433 bytes, more than sandgate can carry whole (1 MiB)" ] ||
    fail "reason: $("$Q" get "$T/out" reason)"
seq=$("$Q" get "$T/out" seq)
[ "$(rows)" = $((n + 1)) ] || fail "not recorded"
last_row
[ "$("$Q" get "$T/row.json" seq)" = "$seq" ] && [ "$("$Q" get "$T/row.json" decided_by)" = policy ] ||
    fail "audit row: $(cat "$T/row.json")"
[ "$("$Q" get "$T/row.json" request.oversized.sha256)" = "$SHA" ] || fail "the row does not carry the request whole"
"$Q" get "$T/row.json" note | matches "the command is 1,153,433 bytes" || fail "the row's note lacks the reason"
[ "$(pending)" = 0 ] || fail "an oversized request was queued"
pass "an oversized exec is denied at once by policy and recorded (seq $seq), despite 'exec *' and 'exec echo *' rules"

# the other kinds, with and without a part of the payload
for req in \
    '"kind":"write","oversized":{"field":"path","bytes":5000000,"sha256":"'$SHA'"}' \
    '"kind":"mcp","server":"fs","tool":"write_file","oversized":{"field":"arguments","bytes":2097152,"sha256":"'$SHA'"}' \
    '"kind":"net","oversized":{"field":"url","bytes":1048577,"sha256":"'$SHA'"}' \
    '"kind":"exec","command":"echo harmless","oversized":{"field":"command","bytes":1100000,"sha256":"'$SHA'"}' \
    '"kind":"read","path":"/tmp/x","oversized":{"field":"files","bytes":0,"sha256":"'$SHA'"}'; do
	submit "[{\"req_id\":\"o-$RANDOM$RANDOM\",\"agent\":\"a\",\"session\":\"s\",\"wait\":true,$req}]"
	[ "$("$Q" get "$T/out" decision)" = deny ] && [ "$("$Q" get "$T/out" by)" = policy ] || fail "{$req}: $(cat "$T/out")"
	"$Q" get "$T/out" reason | matches "more than sandgate can carry whole" || fail "{$req}: reason"
done
[ "$(pending)" = 0 ] || fail "an oversized request was queued"
pass "oversized write, mcp, net; with a part of the payload present: denied, never judged on the part"

# a retry gets the same answer; the same key for another oversized request is a conflict
submit "[{\"req_id\":\"o1\",\"agent\":\"a\",\"session\":\"s\",\"kind\":\"exec\",\"oversized\":{\"field\":\"command\",\"bytes\":1153433,\"sha256\":\"$SHA\"}}]"
[ "$("$Q" get "$T/out" seq)" = "$seq" ] || fail "retry: $(cat "$T/out")"
submit "[{\"req_id\":\"o1\",\"agent\":\"a\",\"session\":\"s\",\"kind\":\"exec\",\"oversized\":{\"field\":\"command\",\"bytes\":1153434,\"sha256\":\"$SHA\"}}]"
grep -q '"code":"conflict"' "$T/out" || fail "other oversized content under the same key: $(cat "$T/out")"
pass "a retry of an oversized request: same answer; other content under its key: conflict"

# malformed forms: bad-params, nothing recorded
n=$(rows)
for ov in '"yes"' '{}' '{"field":"command","bytes":5}' "{\"field\":\"command\",\"bytes\":5,\"sha256\":\"${SHA:1}\"}" \
    "{\"field\":\"command\",\"bytes\":5,\"sha256\":\"${SHA:1}g\"}" "{\"field\":\"\",\"bytes\":5,\"sha256\":\"$SHA\"}" \
    "{\"field\":\"the command\",\"bytes\":5,\"sha256\":\"$SHA\"}" "{\"field\":\"c\\nmd\",\"bytes\":5,\"sha256\":\"$SHA\"}" \
    "{\"field\":\"command\",\"bytes\":-1,\"sha256\":\"$SHA\"}" "{\"field\":\"command\",\"bytes\":\"5\",\"sha256\":\"$SHA\"}" \
    "{\"field\":\"$(head -c 65 /dev/zero | tr '\0' c)\",\"bytes\":5,\"sha256\":\"$SHA\"}"; do
	submit "[{\"req_id\":\"bad\",\"agent\":\"a\",\"session\":\"s\",\"kind\":\"exec\",\"oversized\":$ov}]"
	grep -q '"code":"bad-params","message":"oversized must be {field: str, bytes: int, sha256: 64 hex digits}"' "$T/out" ||
	    fail "oversized $ov: $(cat "$T/out")"
done
[ "$(rows)" = "$n" ] || fail "a malformed oversized request was recorded"
pass "malformed oversized forms are refused (bad-params)"

# ---- sandgate ask / exec: too big for one message ----
w=$(head -c 120000 /dev/zero | tr '\0' a)
words=(echo "$w" "$w" "$w" "$w" "$w" "$w" "$w" "$w" "$w" "$w")
want_sha=$(printf '%s\0' "${words[@]}" | sha256sum | cut -d' ' -f1)
want_bytes=$(printf '%s\0' "${words[@]}" | wc -c)
n=$(rows)
expect_rc 1 sg ask -s big -- "${words[@]}" 2>"$T/err"
grep -q "^sandgate ask: denied without review: the argv is 1,200,015 bytes, more than sandgate can carry whole (1 MiB)$" "$T/err" ||
    fail "ask: $(cat "$T/err")"
[ "$(rows)" = $((n + 1)) ] || fail "the oversized ask was not recorded"
last_row
[ "$("$Q" get "$T/row.json" request.oversized.field)" = argv ] || fail "row: $(head -c 600 "$T/row.json")"
[ "$("$Q" get "$T/row.json" request.oversized.bytes)" = "$want_bytes" ] || fail "bytes: $(head -c 600 "$T/row.json")"
[ "$("$Q" get "$T/row.json" request.oversized.sha256)" = "$want_sha" ] || fail "sha256: $(head -c 600 "$T/row.json")"
! "$Q" get "$T/row.json" request.argv >/dev/null 2>&1 || fail "a part of the argv was sent"
expect_rc 1 sg exec -s big -- sh -c "touch '$T/ran'" "${words[@]}" 2>"$T/err"
[ ! -e "$T/ran" ] || fail "sandgate exec ran an oversized command"
grep -q "more than sandgate can carry whole" "$T/err" || fail "exec: $(cat "$T/err")"
pass "sandgate ask/exec too big for one message: sent as oversized, recorded, exit 1, nothing run"

# ---- a long command that fits is judged whole: its tail counts ----
# (sent raw: an argument of 900 kB is more than exec(2) passes to sgtest call)
be32() { printf '\\x%02x' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255)); }
str() { printf "\\x$(printf %02x $((0xa0 + ${#1})))%s" "$1"; } # fixstr, < 32 bytes
tail_cmd="echo $(head -c 900000 /dev/zero | tr '\0' a); rm -rf ~"
{
	printf '\x94\x00\x01'; str hello; printf '\x91\x82'; str version; printf '\x01'; str role; str agent
	printf '\x94\x00\x02'; str submit; printf '\x91\x85'
	str req_id; str long; str agent; str a; str session; str s; str kind; str exec
	str command; printf "\\xdb$(be32 ${#tail_cmd})"; printf '%s' "$tail_cmd"
} | "$SGTEST" raw agent - >"$T/raw"
! grep -q '"code"' "$T/raw" || fail "the long command: $(head -c 300 "$T/raw")"
# its client is gone now: unless something decided it first, it was withdrawn
wait_for 20 'sg audit query --json | matches "\"req_id\":\"long\""'
sg audit query --json | grep '"req_id":"long"' >"$T/row.json"
[ "$("$Q" get "$T/row.json" decision)" = deny ] && [ "$("$Q" get "$T/row.json" decided_by)" = withdrawn ] ||
    fail "a 900 kB echo ending in rm -rf ~ was decided: $(head -c 300 "$T/row.json")"
pass "a 900 kB 'echo ...; rm -rf ~' is not allowed by 'exec echo *' (it waited for a person)"
