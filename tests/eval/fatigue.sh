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

# Workspaces: each trace's cwd was its agent's project dir (SWE-bench /testbed
# checkouts, temp dirs), declared by the agent (CLAUDE_PROJECT_DIR); fatigue
# declares it too.  SG_FATIGUE_WS='workspaces = ...' adds a setting instead.
wsconf=${SG_FATIGUE_WS:-}

echo "== run 1: default settings (the broker installs the routine preset: what the scorer rates low)"
printf 'undo_window = 0\n%s\n' "$wsconf" >"$XDG_CONFIG_HOME/sandgate/config"
start_broker
SG_FATIGUE_MAX=5 "$SG_FATIGUE" "$traces"
stop_broker
remove_db

echo "== run 2: preset = none (remembered decisions and groups alone; session rules from the reviewer only)"
printf 'preset = none\nundo_window = 0\n%s\n' "$wsconf" >"$XDG_CONFIG_HOME/sandgate/config"
start_broker
"$SG_FATIGUE" "$traces"
stop_broker
