# A store that cannot be written: requests are denied with store-error, the
# consoles get an "alert", the broker keeps serving, and once space returns
# the rows kept in memory are written (the store-error denials included) and
# decisions are recorded again.  Space is capped with the db_max_pages
# config key (works anywhere) and comes back through retention; when run as
# root, a second round fills a real tmpfs and frees it again.
. "$SG_SRC/tests/lib.sh"
LOAD="$SG_BUILD/tests/audit/audit_load"
q() { sqlite3 "$SANDGATE_DB" "$1"; }
watch= mnt="$T/mnt"
# on any exit: the watcher, the broker and the tmpfs go before lib.sh's cleanup
at_exit '[ -z "$watch" ] || kill $watch 2>/dev/null; stop_broker >/dev/null 2>&1 || true
	umount "$mnt" 2>/dev/null || true'

# run_full LABEL FREE_SPACE_CMD: load until store-error, free space, check recovery
run_full() {
	local label=$1 free=$2
	rm -f "$T/out" "$T/out2"
	"$LOAD" watch 90 >"$T/alerts" 2>&1 & watch=$!
	wait_for 5 'grep -q subscribed "$T/alerts"'
	"$LOAD" load 60 1 "$T/out" 16 70000
	grep -q " deny store-error$" "$T/out" || fail "$label: no store-error denial: $(cat "$T/out")"
	grep -q " allow reviewer$" "$T/out" || fail "$label: nothing was allowed before the store filled up"
	wait_for 5 'grep -q "^alert code=store-error message=cannot write the audit log" "$T/alerts"'
	sg status >/dev/null || fail "$label: broker not serving while the store fails"
	# a console or script that asks now learns it too, not only from the alert
	sg status --json | matches '"store_error":"cannot write the audit log' ||
	    fail "$label: status does not report the store error: $(sg status --json)"
	sg status | matches '^store: ERROR: cannot write the audit log' || fail "$label: status text: $(sg status)"
	[ "$(sg status --tmux)" = "sg STORE ERROR, 0 pending" ] || fail "$label: status --tmux: $(sg status --tmux)"
	# store-error answers never carry a seq: nothing was recorded for them
	awk '$3 == "deny" && $4 == "store-error" && $2 != 0 { exit 1 }' "$T/out" || fail "$label: store-error with a seq"
	pass "$label: full store -> store-error denials, an alert, the broker keeps serving"

	eval "$free"
	wait_for 30 'grep -q "^alert code=store-recovered" "$T/alerts"'
	sg status --json | matches '"store_error":null' || fail "$label: status after recovery: $(sg status --json)"
	sg status | matches '^store: ok$' || fail "$label: status text after recovery: $(sg status)"
	"$LOAD" load 10 1 "$T/out2" 3
	[ "$(grep -c " reviewer$" "$T/out2")" = 3 ] || fail "$label: after recovery: $(cat "$T/out2")"
	late=$(grep -c " deny store-error$" "$T/out")
	[ "$(q "select count(*) from audit where decided_by='store-error'")" -ge 1 ] || fail "$label: no store-error rows"
	[ "$(q "select count(*) from audit where decided_by='store-error'")" -le "$late" ] || fail "$label: too many store-error rows"
	# every allow the client received has its row (unless retention pruned it)
	pruned=$(q "select coalesce(max(upto_seq), 0) from audit_prunes")
	while read -r id seq dec by; do
		[ "$dec" = allow ] && [ "$seq" -gt "$pruned" ] || continue
		[ "$(q "select decision from audit where seq=$seq and request_id=$id")" = allow ] || fail "$label: allow $id/$seq has no row"
	done <"$T/out"
	sg audit verify >/dev/null || fail "$label: verify after recovery: $(sg audit verify 2>&1)"
	kill $watch 2>/dev/null || true
	wait $watch 2>/dev/null || true
	watch=
	pass "$label: space returns -> alert, kept rows written ($late store-error denials), decisions recorded, log verifies"
}

# 1. db_max_pages; retention frees the space
cat >>"$XDG_CONFIG_HOME/sandgate/config" <<'EOF'
db_max_pages = 260
audit_checkpoint_rows = 4
audit_checkpoint_interval = 1s
audit_retention = 2s
EOF
start_broker
run_full "db_max_pages" ":"
grep -q "store error: cannot write the audit log" "$SANDGATE_DIR/broker.log" || fail "no store error in broker.log"
stop_broker

# 2. a real full disk (tmpfs), when we may mount one
mkdir -p "$mnt"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=3m sandgate-test "$mnt" 2>/dev/null; then
	export SANDGATE_DB="$mnt/sandgate.db" SANDGATE_DIR="$T/run-tmpfs"
	printf 'preset = none\n' >"$XDG_CONFIG_HOME/sandgate/config"
	start_broker
	avail=$(df --output=avail -k "$mnt" | tail -1)
	dd if=/dev/zero of="$mnt/ballast" bs=1k count=$((avail - 700)) status=none 2>/dev/null || true
	run_full "tmpfs" 'rm -f "$mnt/ballast"'
	stop_broker
	umount "$mnt"
else
	echo "ok - tmpfs round skipped (needs root and mount)"
fi
