# tests/lib.sh -- sourced by every shell test.  Gives the test its own runtime
# dir, DB, config and HOME under a fresh temp dir (never the user's), and
# helpers to run the real broker.  Needs $SANDGATE (the binary; ctest sets it).
set -euo pipefail

: "${SANDGATE:?set SANDGATE to the sandgate binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/sgtest.XXXXXX")
export SANDGATE_DIR="$T/run" SANDGATE_DB="$T/state/sandgate.db"
export XDG_CONFIG_HOME="$T/config" XDG_STATE_HOME="$T/state" XDG_DATA_HOME="$T/data"
export XDG_CACHE_HOME="$T/cache" XDG_RUNTIME_DIR="$T/xdgrun" HOME="$T/home"
unset SANDGATE_SESSION SANDGATE_AGENT SANDGATE_REVIEWER SANDGATE_SYSTEM SANDGATE_CONFIG_DIR TMUX || true
mkdir -p "$HOME" "$XDG_CONFIG_HOME/sandgate"
# Tests start from an empty rule set: the shipped `routine` preset (installed
# by default) would answer their low-risk requests.  Tests of the preset, and
# tests that write their own config, say so themselves (append to this file).
# Nor do they hold what a new rule allows for the undo window (issue #16:
# `undo_window`, 5 s by default); the undo tests set it themselves.
printf 'preset = none\nundo_window = 0\n' >"$XDG_CONFIG_HOME/sandgate/config"
# SG_EXTRA_CONFIG: settings a variant of a test runs with (tests/*/CMakeLists.txt)
[ -z "${SG_EXTRA_CONFIG:-}" ] || printf '%s\n' "$SG_EXTRA_CONFIG" >>"$XDG_CONFIG_HOME/sandgate/config"

sg() { "$SANDGATE" "$@"; }
# `CMD | matches PAT` is `CMD | grep -q PAT` that reads all of its input:
# grep -q stops at the first match, and under pipefail a writer whose output
# does not fit one pipe write then dies of SIGPIPE and fails the pipeline.
matches() { grep "$@" >/dev/null; }

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok - $*"; }

# expect_rc WANT CMD...: run CMD, fail unless it exits WANT.
expect_rc() {
	local want=$1 rc=0
	shift
	"$@" || rc=$?
	[ "$rc" = "$want" ] || fail "expected exit $want, got $rc: $*"
}

# wait_for SECONDS 'SHELL CODE': retry the code (evaluated in this shell, so
# functions such as sg and pending_count work) every 50 ms until it succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until eval "$*" >/dev/null 2>&1; do
		[ $SECONDS -lt $deadline ] || fail "timed out waiting for: $*"
		sleep 0.05
	done
}

broker_pid() { cat "$SANDGATE_DIR/broker.lock" 2>/dev/null; }

# start_broker [ARGS...]: start a detached broker; returns once it listens.
start_broker() { sg broker "$@" || fail "broker did not start"; }

# remove_db: start afresh, as a new user would: the database and its audit
# checkpoint file next to it (docs/AUDIT.md; a new log beside an old log's
# checkpoints is reported as a replaced database).
remove_db() { rm -f "$SANDGATE_DB" "$SANDGATE_DB-wal" "$SANDGATE_DB-shm" "${SANDGATE_DB%.db}.checkpoints"; }

# stop_broker: SIGTERM and wait until the process is gone.
stop_broker() {
	local pid
	pid=$(broker_pid) || return 0
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	local i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "broker $pid did not stop"
		sleep 0.05
	done
}

# pending_count: number of pending requests (via the real CLI).
pending_count() { sg pending --json | grep -o '"deadline_ms":' | wc -l; }

# at_exit CMD...: run CMD (e.g. kill a helper process) when the test ends,
# before the broker stops.  Use it instead of a trap of your own: a trap
# that re-raises the status under `set -e` would skip this clean-up.
_sg_at_exit=
at_exit() { _sg_at_exit="$_sg_at_exit $*;"; }

_sg_cleanup() {
	local rc=$?
	set +e
	eval "$_sg_at_exit"
	stop_broker >/dev/null 2>&1 || true
	# a sanitizer report from the detached broker fails the test
	if [ -f "$SANDGATE_DIR/broker.log" ] &&
	   grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$SANDGATE_DIR/broker.log"; then
		echo "FAIL: sanitizer report in broker.log" >&2
		rc=1
	fi
	if [ $rc -ne 0 ] && [ -f "$SANDGATE_DIR/broker.log" ]; then
		echo "--- broker.log" >&2
		tail -n 30 "$SANDGATE_DIR/broker.log" >&2 || true
	fi
	rm -rf "$T"
	exit $rc
}
trap _sg_cleanup EXIT
