# kill -9 of the broker at random moments under load, SG_CRASH_ROUNDS times
# (default 50): every answer an agent received has its audit row with the
# seq it was given, no row is half-written, and the chain verifies after
# every restart (the requests left open become broker-restart rows).
. "$SG_SRC/tests/lib.sh"
LOAD="$SG_BUILD/tests/audit/audit_load"
q() { sqlite3 "$SANDGATE_DB" "$1"; }
ROUNDS=${SG_CRASH_ROUNDS:-50}

cat >>"$XDG_CONFIG_HOME/sandgate/config" <<'EOF'
audit_checkpoint_rows = 7
EOF
loads=
at_exit 'for p in $loads; do kill $p 2>/dev/null; done'
for r in $(seq 1 "$ROUNDS"); do
	start_broker
	if [ "$r" -gt 1 ]; then
		sg audit verify >"$T/v" 2>&1 || fail "round $r: verify after restart: $(cat "$T/v")"
	fi
	"$LOAD" load 20 4 "$T/answers" & loads=$!
	sleep "0.$(printf '%03d' $((RANDOM % 250 + 20)))"
	kill -9 "$(broker_pid)"
	wait $loads 2>/dev/null || true
	loads=
done
start_broker
sg audit verify >"$T/v" || fail "final verify: $(cat "$T/v")"
stop_broker
sg audit verify >/dev/null || fail "verify after a clean stop"

answers=$(wc -l <"$T/answers")
allows=$(grep -c " allow " "$T/answers")
[ "$allows" -gt "$ROUNDS" ] || fail "too little load: $allows allows in $ROUNDS rounds"
# every answer received is a row with that seq, request and decision
tr ' ' ',' <"$T/answers" >"$T/answers.csv"
missing=$(sqlite3 :memory: "attach '$SANDGATE_DB' as a" \
	"create table got (id integer, seq integer, decision text, by text)" \
	".mode csv" ".import $T/answers.csv got" \
	"select count(*) from got g where g.seq > 0 and not exists (select 1 from a.audit x
	   where x.seq = g.seq and x.request_id = g.id and x.decision = g.decision and x.decided_by = g.by)")
[ "$missing" = 0 ] || fail "$missing answers have no matching audit row"
[ "$(grep -c ' 0 ' "$T/answers" || true)" = 0 ] || fail "an answer without a seq (store-error?)"
[ "$(q 'pragma integrity_check')" = ok ] || fail "integrity_check: $(q 'pragma integrity_check')"
[ "$(q 'select count(*) from requests_open')" = 0 ] || fail "requests left undecided after the last restart"
# every request that went pending has exactly one audit row
[ "$(q 'create temp table d as select request_id from audit; create index temp.d_r on d(request_id);
  select count(*) from requests r where (select count(*) from temp.d where d.request_id = r.id) != 1')" = 0 ] ||
	fail "a pending request without exactly one audit row"
[ "$(q 'select count(*) from audit where hash is null or length(hash) != 32 or length(prev_hash) != 32')" = 0 ] ||
	fail "half-written rows"
restarts=$(q "select count(*) from audit where decided_by = 'broker-restart'")
pass "$ROUNDS kill -9 rounds: $answers answers ($allows allows) all recorded with their seq; $restarts broker-restart rows; chain verifies"
