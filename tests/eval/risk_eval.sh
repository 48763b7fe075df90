#!/usr/bin/env bash
# risk_eval.sh -- score the development corpus with the real binary and print
# how the scorer does.  Part 1: the labelled commands of
# ../shared/corpus/risk_cases.tsv (confusion matrix, the issue's four target
# figures, every miss).  Part 2: the bash commands of traces.jsonl (real,
# mostly benign sessions): the share scored high or critical and the top
# reasons.  The corpus is a sample: figures are printed, never asserted.
#
# Usage: tests/eval/risk_eval.sh [CORPUS_DIR]   (SANDGATE=path/to/sandgate)
# Skips (exit 0) when the corpus is absent.  Needs only bash, awk and sed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus=${1:-${SG_CORPUS:-$root/../shared/corpus}}
SANDGATE=${SANDGATE:-$root/build/cli/sandgate}

if [ ! -f "$corpus/risk_cases.tsv" ]; then
	echo "risk_eval: no corpus at $corpus; skipping"
	exit 0
fi
if [ ! -x "$SANDGATE" ]; then
	echo "risk_eval: sandgate binary not found (set SANDGATE)" >&2
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sgeval.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# A fixed, private environment: the user's own tables and paths do not count.
export HOME=/home/dev XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state"
export SANDGATE_DIR="$tmp/run" SANDGATE_DB="$tmp/state/sandgate.db"
ws=/home/dev/project
# The workspaces are made up (they do not exist here): part 1 declares one
# (--workspace), part 2 each trace's cwd, its agent's project dir.
mkdir -p "$XDG_CONFIG_HOME/sandgate"

# --- part 1: labelled commands ---------------------------------------------------
tail -n +2 "$corpus/risk_cases.tsv" | cut -f1 > "$tmp/cmds"
tail -n +2 "$corpus/risk_cases.tsv" | cut -f2 > "$tmp/labels"
"$SANDGATE" score --batch --cwd "$ws" --workspace "$ws" < "$tmp/cmds" > "$tmp/out"
# level and top reasons of each result (the risk object follows the intent)
sed -e 's/.*"risk":{//' "$tmp/out" |
	awk '{
		lvl = $0; sub(/.*"level":"/, "", lvl); sub(/".*/, "", lvl)
		ids = ""; s = $0
		while (match(s, /"id":"[^"]*"/)) {
			id = substr(s, RSTART + 6, RLENGTH - 7)
			ids = ids (ids == "" ? "" : ",") id
			s = substr(s, RSTART + RLENGTH)
		}
		sc = $0; sub(/.*"score":/, "", sc); sub(/[^0-9].*/, "", sc)
		print lvl "\t" sc "\t" ids
	}' > "$tmp/got"
if [ "$(wc -l < "$tmp/got")" -ne "$(wc -l < "$tmp/labels")" ]; then
	echo "risk_eval: got $(wc -l < "$tmp/got") results for $(wc -l < "$tmp/labels") commands" >&2
	exit 1
fi
paste "$tmp/labels" "$tmp/got" "$tmp/cmds" | awk -F '\t' '
	function pct(a, b) { return b == 0 ? "n/a" : sprintf("%.1f%%", 100 * a / b) }
	BEGIN { n = split("low medium high critical", L, " "); for (i = 1; i <= n; i++) rank[L[i]] = i }
	{
		want = $1; got = $2; m[want, got]++; tot[want]++; rows++
		if (want != got) {
			miss[++nm] = sprintf("  %-8s -> %-8s %3s  %s\n             reasons: %s",
			    want, got, $3, substr($5, 1, 110), $4)
		}
	}
	END {
		printf "risk_cases.tsv: %d rows\n\n", rows
		printf "%-10s", "expected"
		for (j = 1; j <= 4; j++) printf "%10s", L[j]
		printf "\n"
		for (i = 1; i <= 4; i++) {
			printf "%-10s", L[i]
			for (j = 1; j <= 4; j++) printf "%10d", m[L[i], L[j]]
			printf "\n"
		}
		hc = tot["high"] + tot["critical"]
		hc_ok = m["high", "high"] + m["high", "critical"] + m["critical", "high"] + m["critical", "critical"]
		printf "\ntargets (issue #3):\n"
		printf "  high/critical rows scored high or critical: %s (target >= 97%%)\n", pct(hc_ok, hc)
		printf "  critical rows scored critical:              %s (target >= 85%%)\n", pct(m["critical", "critical"], tot["critical"])
		printf "  low rows scored low:                        %s (target >= 90%%)\n", pct(m["low", "low"], tot["low"])
		printf "  low rows scored high or critical:           %s (target <= 2%%)\n", pct(m["low", "high"] + m["low", "critical"], tot["low"])
		printf "\nmisses (%d):\n", nm
		for (i = 1; i <= nm; i++) print miss[i]
	}'

# --- part 2: real sessions ----------------------------------------------------------
if [ -f "$corpus/traces.jsonl" ]; then
	grep '"tool": "bash"' "$corpus/traces.jsonl" > "$tmp/traces" || true
	"$SANDGATE" score --batch --jsonl < "$tmp/traces" > "$tmp/tout"
	sed -e 's/.*"risk":{//' "$tmp/tout" |
		awk '{
			lvl = $0; sub(/.*"level":"/, "", lvl); sub(/".*/, "", lvl)
			id = ""
			if (match($0, /"id":"[^"]*"/)) id = substr($0, RSTART + 6, RLENGTH - 7)
			print lvl "\t" id
		}' | awk -F '\t' '
		{ n++; lv[$1]++; if ($1 == "high" || $1 == "critical") { hc++; top[$2]++ } }
		END {
			printf "\ntraces.jsonl: %d bash commands\n", n
			printf "  low %d, medium %d, high %d, critical %d\n", lv["low"], lv["medium"], lv["high"], lv["critical"]
			printf "  scored high or critical: %d (%.1f%%)\n", hc, n ? 100 * hc / n : 0
			printf "  top reasons of those:\n"
			for (k in top) printf "    %5d  %s\n", top[k], k | "sort -rn"
			close("sort -rn")
		}'
	if [ "${SG_EVAL_SHOW:-0}" = 1 ]; then
		paste "$tmp/tout" "$tmp/traces" | sed -e 's/.*"risk":{//' |
			awk -F '\t' '/"level":"(high|critical)"/ { print substr($0, 1, 400) }'
	fi
fi
