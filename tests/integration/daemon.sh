# Broker process behaviour: single instance, stale sockets, SIGTERM, kill -9.
. "$SG_SRC/tests/lib.sh"

start_broker
pid=$(broker_pid)
expect_rc 3 sg broker 2>"$T/err"
grep -q "another sandgate broker is already running in $SANDGATE_DIR (pid $pid)" "$T/err" || fail "second broker message: $(cat "$T/err")"
kill -0 "$pid" || fail "first broker died"
pass "second broker refuses with a clear message"

# kill -9 while ask waits -> ask exits 3 (fail closed)
sg ask -- make install & ask=$!
wait_for 5 '[ "$(pending_count)" = 1 ]'
kill -9 "$pid"
expect_rc 3 wait $ask
pass "broker killed -> ask exits 3"

# the dead broker left its sockets behind; a new one replaces them
[ -S "$SANDGATE_DIR/agent.sock" ] || fail "expected a stale socket"
start_broker
sg status >/dev/null || fail "new broker not answering"
# the request the dead broker never decided is closed as broker-restart
[ "$(sqlite3 "$SANDGATE_DB" "select decided_by from decisions")" = broker-restart ] || fail "no broker-restart row"
pass "stale socket replaced; undecided request recorded as broker-restart"

# SIGTERM: pending requests are denied broker-shutdown and recorded
sg ask -- terraform apply 2>"$T/err" & ask=$!
wait_for 5 '[ "$(pending_count)" = 1 ]'
stop_broker
expect_rc 1 wait $ask
grep -q "shutting down" "$T/err" || fail "shutdown reason: $(cat "$T/err")"
[ "$(sqlite3 "$SANDGATE_DB" "select count(*) from decisions where decided_by = 'broker-shutdown'")" = 1 ] || fail "broker-shutdown not recorded"
[ ! -e "$SANDGATE_DIR/agent.sock" ] || fail "sockets not removed on clean stop"
pass "SIGTERM denies pending with broker-shutdown"

# a runtime dir owned by someone else, or with open permissions, is fixed or refused
chmod 755 "$SANDGATE_DIR"
start_broker
[ "$(stat -c %a "$SANDGATE_DIR")" = 700 ] || fail "runtime dir not tightened"
stop_broker
pass "runtime dir kept at 0700"

# a bad config file stops the broker from starting, with the line named
printf 'preset = none\ntimeout = soon\n' >"$XDG_CONFIG_HOME/sandgate/config"
expect_rc 3 sg broker 2>"$T/err"
grep -q "config: line 2: timeout must be" "$T/err" || fail "config error: $(cat "$T/err")"
printf 'preset = none\ntimeout = 1\n' >"$XDG_CONFIG_HOME/sandgate/config"
start_broker
expect_rc 1 sg ask -- true 2>/dev/null
pass "config timeout applies; bad config refused"

# schema: migrations recorded by name; a DB from a newer sandgate is refused
stop_broker
[ "$(sqlite3 "$SANDGATE_DB" 'select version from schema_version')" = "$(sqlite3 "$SANDGATE_DB" 'select count(*) from schema_migrations')" ] || fail "schema_version"
sqlite3 "$SANDGATE_DB" "insert into schema_migrations values ('9999-from-the-future', 0)"
expect_rc 3 sg broker 2>"$T/err"
grep -q "schema migration '9999-from-the-future', unknown to this sandgate" "$T/err" || fail "future schema: $(cat "$T/err")"
sqlite3 "$SANDGATE_DB" "delete from schema_migrations where name = '9999-from-the-future'"
start_broker
pass "schema migrations by name; newer DB refused"
