#!/usr/bin/env bash
# Approval-fatigue evaluation (issues #4, #17): replay ../shared/corpus/traces.jsonl
# one tool call at a time through the real `sandgate hook claude-code` and a
# real broker, with a simulated reviewer on the console socket (tests/eval/fatigue.c
# says what it decides), and print human decisions per 100 tool calls next to
# per-command prompting and "don't ask again by command prefix".  Figures are
# printed, never asserted; the test fails only when a critical request was
# allowed without a person or a high one by a rule no person made.
#   run 1: default settings (the broker installs the `routine` preset)
#   run 2 (SG_FATIGUE_RUNS=2): preset = none (remembered decisions and groups alone)
# Each run starts one `sandgate hook` process per tool call (2,292 on the
# development corpus): 50-60 s at load 3-5 on 2 shared cores, 124 s at load 12
# (docs/BENCHMARKS.md); run 2 is left out by default to keep the test short.
# Skips (exit 77) when ../shared is absent, as in a fresh checkout.
# SG_TRACES=FILE replays another trace file (the same JSON lines).
source "$SG_SRC/tests/lib.sh"

traces=${SG_TRACES:-$SG_SRC/../shared/corpus/traces.jsonl}
if [ ! -r "$traces" ]; then
	echo "skipped: $traces not found"
	exit 77
fi
: "${SG_FATIGUE:?set SG_FATIGUE to the fatigue binary}"

# Workspaces: each trace's cwd was its agent's project dir (SWE-bench /testbed
# checkouts, temp dirs); the replay declares it as CLAUDE_PROJECT_DIR, as
# Claude Code does.  SG_FATIGUE_WS='workspaces = ...' adds a setting instead.
wsconf=${SG_FATIGUE_WS:-}
rc=0

echo "== run 1: default settings (the broker installs the routine preset)"
printf '%s\n' "$wsconf" >"$XDG_CONFIG_HOME/sandgate/config"
start_broker
"$SG_FATIGUE" "$SANDGATE" "$traces" || rc=$?
stop_broker
remove_db
[ "$rc" = 0 ] || { echo "FAIL: run 1 exited $rc"; exit "$rc"; }
[ "${SG_FATIGUE_RUNS:-1}" = 2 ] || exit 0

echo "== run 2: preset = none (remembered decisions and groups alone)"
printf 'preset = none\n%s\n' "$wsconf" >"$XDG_CONFIG_HOME/sandgate/config"
start_broker
"$SG_FATIGUE" "$SANDGATE" "$traces" || rc=$?
stop_broker
[ "$rc" = 0 ] || { echo "FAIL: run 2 exited $rc"; exit "$rc"; }
