# 500 concurrent `sandgate ask` processes, all decided by one console.
. "$SG_SRC/tests/lib.sh"

N=${SG_CONCURRENT:-500}
start_broker
"$SGTEST" decide-all "$N" allow >"$T/decided" & console=$!
sleep 0.2
pids=()
for i in $(seq 1 "$N"); do
	sg ask --session "s$((i % 7))" --agent "agent$((i % 5))" -- echo "$i" & pids+=($!)
done
failed=0
for p in "${pids[@]}"; do
	wait "$p" || failed=$((failed + 1))
done
wait $console || fail "console decided only $(cat "$T/decided")"
[ "$failed" = 0 ] || fail "$failed of $N asks were not allowed"
[ "$(sqlite3 "$SANDGATE_DB" "select count(*) from decisions where decision = 'allow' and decided_by = 'reviewer'")" = "$N" ] || fail "decision rows"
[ "$(pending_count)" = 0 ] || fail "requests left pending"
pass "$N concurrent asks decided by one console"
