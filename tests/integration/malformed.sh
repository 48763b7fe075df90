# A hostile client never crashes or stalls the broker: every malformed frame
# gets an error or a close of that connection only.
. "$SG_SRC/tests/lib.sh"

start_broker
pid=$(broker_pid)
# held for longer than the test can take (a sanitizer build under load: minutes); killed at the end
"$SGTEST" hold agent 600 >"$T/hold" & hold=$!
at_exit "kill $hold 2>/dev/null"
wait_for 5 grep -q connected "$T/hold"

raw() { "$SGTEST" raw "$@"; }
hello='940000a568656c6c6f9183a776657273696f6e01a4726f6c65a56167656e74a6636c69656e74a174'

check_closed() { # NAME HEX: expect an error reply and a close
	raw agent "$2" >"$T/out"
	grep -q '"code"' "$T/out" || fail "$1: no error reply: $(cat "$T/out")"
	grep -q '^closed$' "$T/out" || fail "$1: connection left open"
	kill -0 "$pid" || fail "$1: broker died"
}
check_open() { # NAME HEX: expect an error reply, connection stays usable
	raw agent "$2" >"$T/out"
	grep -q "\"code\":\"$3\"" "$T/out" || fail "$1: expected $3: $(cat "$T/out")"
	kill -0 "$pid" || fail "$1: broker died"
}

check_closed "invalid byte" c1c1c1
check_closed "not an array" a3616263
check_closed "str32 4GiB" dbffffffff
check_closed "array32 huge" ddffffffff
check_closed "map32 huge" dfffffffff
check_closed "bin32 2MiB" c600200000
check_closed "deep nesting" "$(printf '91%.0s' $(seq 1 40))c0"
check_closed "response from client" 9401000000c0c0
check_closed "short request" 9100
check_open "no hello" 940001a673746174757390 no-hello
check_open "unknown method" "${hello}940002a3666f6f90" no-such-method
check_open "wrong arity" "${hello}940002a67375626d69749291c0c0" bad-params
check_open "params wrong type" "${hello}940002a67375626d697491a3616263" bad-params
check_open "bad version" "940000a568656c6c6f9182a776657273696f6e63a4726f6c65a56167656e74" bad-params
check_open "role mismatch" "940000a568656c6c6f9182a776657273696f6e01a4726f6c65a7636f6e736f6c65" forbidden
pass "malformed frames answered with errors"

# truncated message then close
raw agent "${hello}940002a67375626d6974" >/dev/null
# random bytes
for i in $(seq 1 30); do
	head -c $((RANDOM % 4096 + 1)) /dev/urandom | raw agent - >/dev/null
done
# more than the 1 MiB cap in one message (declared and real)
{ printf '\x94\x00\x02\xa6submit\x91\xdb\x00\x20\x00\x00'; head -c 2200000 /dev/zero; } | raw agent - >"$T/out"
grep -q '"code":"too-large","message":"message too large' "$T/out" || fail "2 MiB string not refused as too-large: $(cat "$T/out")"
pass "random, truncated and oversized input"

# bad submit fields
for params in '[{}]' '[{"req_id":"r","agent":"a","session":"s","kind":"nuke","command":"x"}]' \
	'[{"req_id":"r","agent":"a","session":"s","kind":"exec"}]' \
	'[{"req_id":"r","agent":"a","session":"s","kind":"exec","argv":[]}]' \
	'[{"req_id":"r","agent":"a","session":"s","kind":"exec","argv":["ls",3]}]' \
	'[{"req_id":"r","agent":"a","session":"s","kind":"write"}]' \
	'[{"req_id":"r","agent":"a","session":"s","kind":"exec","command":"x","timeout":0}]' \
	'[{"req_id":"r","agent":"a","session":"s","kind":"exec","command":"x","timeout":"soon"}]' \
	'[{"req_id":"r","agent":"a","session":"s","kind":"exec","command":"x","wait":1}]' \
	"[{\"req_id\":\"$(head -c 300 /dev/zero | tr '\0' r)\",\"agent\":\"a\",\"session\":\"s\",\"kind\":\"exec\",\"command\":\"x\"}]"; do
	expect_rc 1 "$SGTEST" call agent submit "$params" >"$T/out"
	grep -q '"code":"bad-params"' "$T/out" || fail "submit $params: $(cat "$T/out")"
done
[ "$(pending_count)" = 0 ] || fail "a bad submit was queued"
pass "bad submit fields refused, nothing queued"

# the other client was never disturbed, and the broker still answers
kill -0 $hold || fail "held connection was dropped"
sg status >/dev/null || fail "broker does not answer after the malformed suite"
sg ask --timeout 1 -- true 2>/dev/null && fail "ask after suite should time out (deny)"
"$SGTEST" call agent submit '[{"req_id":"ok","agent":"a","session":"s","kind":"exec","command":"echo ok"}]' | matches '"state":"pending"' || fail "well-formed submit after the suite"
kill $hold 2>/dev/null || true
pass "broker still answers a well-formed request"
