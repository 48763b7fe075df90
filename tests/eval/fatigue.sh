#!/usr/bin/env bash
# Approval-fatigue evaluation (issue #4): replay ../shared/corpus/traces.jsonl
# session by session through the real broker with a scripted reviewer and
# print human decisions per 100 tool calls against per-command prompting,
# and the count of high/critical requests allowed without a person (must be
# 0).  Two runs: default settings (the broker installs the `routine`
# preset), then `preset = none` (remembered decisions and groups alone).
# Skips (exit 77) when ../shared is absent, as in a fresh checkout.
source "$SG_SRC/tests/lib.sh"

traces=${SG_TRACES:-$SG_SRC/../shared/corpus/traces.jsonl}
if [ ! -r "$traces" ]; then
	echo "skipped: $traces not found"
	exit 77
fi
: "${SG_FATIGUE:?set SG_FATIGUE to the fatigue binary}"

# Workspaces.  Each trace's cwd was its agent's project dir (SWE-bench /testbed
# checkouts, temp dirs), declared by the agent (CLAUDE_PROJECT_DIR) and a git
# top level on the machine it ran on; fatigue declares it too.  Here those
# directories do not exist, so sandgate refuses the declaration (a declared
# workspace must exist, docs/RISK.md "Workspaces"); the `workspaces` setting
# says them instead, as a person would.  SG_FATIGUE_NO_WS=1 leaves them out
# (every request without a workspace).
ws=$(grep -o '"cwd": "/[^"]*"' "$traces" | sed 's/^"cwd": "//; s/"$//' | sort -u | paste -sd, -)
ws="/testbed${ws:+,$ws}" # fatigue's default cwd
wsconf="workspaces = $ws"
[ "${SG_FATIGUE_NO_WS:-0}" != 1 ] || wsconf=
echo "workspaces: ${wsconf:-(none)}"

echo "== run 1: default settings (the broker installs the routine preset: what the scorer rates low)"
printf '%s\n' "$wsconf" >"$XDG_CONFIG_HOME/sandgate/config"
start_broker
SG_FATIGUE_MAX=5 "$SG_FATIGUE" "$traces"
stop_broker
rm -f "$SANDGATE_DB" "$SANDGATE_DB-wal" "$SANDGATE_DB-shm"

echo "== run 2: preset = none (remembered decisions and groups alone; session rules from the reviewer only)"
printf 'preset = none\n%s\n' "$wsconf" >"$XDG_CONFIG_HOME/sandgate/config"
start_broker
"$SG_FATIGUE" "$traces"
stop_broker
