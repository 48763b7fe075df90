#!/usr/bin/env bash
# risk_eval.sh -- score the labelled command set with the real binary and print
# how the scorer does, per source and overall, with leave-one-source-out.
#
# The set is tests/eval/corpus/labelled.tsv (columns command, expected, source,
# kind, note; see tests/eval/corpus/README.md).  When ../shared/corpus exists,
# the rows of its risk_cases.tsv that the set does not already hold are added as
# the group "shared-dev", and its traces.jsonl is scored as part 2 (share of
# real, mostly benign commands scored high or critical).
#
# A "source" here is a group of rows: the kind column (peer-codex, peer-gemini,
# peer-continue, peer-dcg, gtfobins, trace, incident, dev-corpus, ...).  The scorer is
# developed against some groups and measured on the others, so:
#   --hold-out GROUP  prints the misses of every OTHER group (what a developer
#                     may look at) and only the four figures of GROUP (what is
#                     measured); a developer never reads GROUP's rows.
#   (no --hold-out)   prints a table: each group's figures, which are its figures
#                     when it is the one held out, and the overall figures.
# Targets per group: >= 97% of high/critical rows scored high or critical,
# >= 85% of critical rows critical, >= 90% of low rows low, <= 2% of low rows
# high or critical.  Figures are printed, not asserted: exit 0, unless --check is
# given, which exits 1 when any group misses a target (n/a counts as met).
#
# Usage: tests/eval/risk_eval.sh [--hold-out GROUP] [--check] [--misses]
#            [--no-speed] [--set FILE] [CORPUS_DIR]
#   --misses    also print every miss (without --hold-out)
#   --no-speed  skip the speed line (it runs build/tests/bench/bench_score)
#   --set FILE  score another labelled file of the same format
# Environment: SANDGATE (binary), BENCH_SCORE (bench binary), SG_CORPUS.
# Needs only bash, awk, sed, cut and paste.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
holdout="" check=0 showmiss=0 speed=1 set="$here/corpus/labelled.tsv" corpus=""
while [ $# -gt 0 ]; do
	case "$1" in
	--hold-out) [ $# -ge 2 ] || { echo "risk_eval: --hold-out needs a group" >&2; exit 2; }
		holdout=$2; shift 2 ;;
	--hold-out=*) holdout=${1#--hold-out=}; shift ;;
	--check) check=1; shift ;;
	--misses) showmiss=1; shift ;;
	--no-speed) speed=0; shift ;;
	--set) [ $# -ge 2 ] || { echo "risk_eval: --set needs a file" >&2; exit 2; }
		set=$2; shift 2 ;;
	-h|--help) sed -n '2,32p' "$0"; exit 0 ;;
	-*) echo "risk_eval: unknown option $1" >&2; exit 2 ;;
	*) corpus=$1; shift ;;
	esac
done
corpus=${corpus:-${SG_CORPUS:-$root/../shared/corpus}}
SANDGATE=${SANDGATE:-$root/build/cli/sandgate}
BENCH_SCORE=${BENCH_SCORE:-$(dirname "$SANDGATE")/../tests/bench/bench_score}

if [ ! -x "$SANDGATE" ]; then
	echo "risk_eval: sandgate binary not found (set SANDGATE)" >&2
	exit 2
fi
if [ ! -f "$set" ]; then
	echo "risk_eval: no labelled set at $set" >&2
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sgeval.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# A fixed, private environment: the user's own tables and paths do not count.
export HOME=/home/dev XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state"
export SANDGATE_DIR="$tmp/run" SANDGATE_DB="$tmp/state/sandgate.db"
ws=/home/dev/project
# The workspace is made up (it does not exist here) and declared (--workspace);
# for the traces of part 2, each trace's cwd.
mkdir -p "$XDG_CONFIG_HOME/sandgate"

# --- the rows: command, expected, source, group --------------------------------
tail -n +2 "$set" | awk -F '\t' 'NF >= 4 && $1 != "" { print $1 "\t" $2 "\t" $3 "\t" $4 }' > "$tmp/rows"
if [ -f "$corpus/risk_cases.tsv" ]; then
	# rows of the shared development corpus the set does not hold yet
	tail -n +2 "$corpus/risk_cases.tsv" | awk -F '\t' '
		NR == FNR { have[$1] = 1; next }
		!($1 in have) && $1 != "" { print $1 "\t" $2 "\t" $4 "\tshared-dev" }' "$tmp/rows" - >> "$tmp/rows"
fi
bad=$(awk -F '\t' '$2 !~ /^(low|medium|high|critical)$/' "$tmp/rows" | head -3)
if [ -n "$bad" ]; then
	echo "risk_eval: rows with an unknown expected level:" >&2
	printf '%s\n' "$bad" | cut -c1-200 >&2
	exit 2
fi
if [ -n "$holdout" ] && ! cut -f4 "$tmp/rows" | grep -qxF -- "$holdout"; then
	echo "risk_eval: no group '$holdout'; groups: $(cut -f4 "$tmp/rows" | sort -u | tr '\n' ' ')" >&2
	exit 2
fi

# The set's commands are escaped the way --batch reads them (\\ \t \r \n).
cut -f1 "$tmp/rows" > "$tmp/cmds"
"$SANDGATE" score --batch --cwd "$ws" --workspace "$ws" < "$tmp/cmds" > "$tmp/out"
# level, score and reason ids of each result (the risk object follows the intent)
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
if [ "$(wc -l < "$tmp/got")" -ne "$(wc -l < "$tmp/rows")" ]; then
	echo "risk_eval: got $(wc -l < "$tmp/got") results for $(wc -l < "$tmp/rows") commands" >&2
	exit 1
fi

# rows: command expected source group | got: level score reasons
paste "$tmp/rows" "$tmp/got" | awk -F '\t' -v holdout="$holdout" -v showmiss="$showmiss" \
    -v check="$check" -v setname="${set#"$root"/}" '
	function pct(a, b) { return b == 0 ? "n/a" : sprintf("%.1f%%", 100 * a / b) }
	# the four figures of group g; sets ok[g] to 0 when one misses its target
	function figures(g,   hc, hcok, cr, lo) {
		hc = n[g, "high"] + n[g, "critical"]
		hcok = m[g, "high", "high"] + m[g, "high", "critical"] + m[g, "critical", "high"] + m[g, "critical", "critical"]
		cr = n[g, "critical"]; lo = n[g, "low"]
		f1[g] = pct(hcok, hc); f2[g] = pct(m[g, "critical", "critical"], cr)
		f3[g] = pct(m[g, "low", "low"], lo); f4[g] = pct(m[g, "low", "high"] + m[g, "low", "critical"], lo)
		ok[g] = 1
		if (hc > 0 && 100 * hcok < 97 * hc) { ok[g] = 0; miss1[g] = "*" }
		if (cr > 0 && 100 * m[g, "critical", "critical"] < 85 * cr) { ok[g] = 0; miss2[g] = "*" }
		if (lo > 0 && 100 * m[g, "low", "low"] < 90 * lo) { ok[g] = 0; miss3[g] = "*" }
		if (lo > 0 && 100 * (m[g, "low", "high"] + m[g, "low", "critical"]) > 2 * lo) { ok[g] = 0; miss4[g] = "*" }
	}
	function addrow(g, want, got) { n[g, want]++; m[g, want, got]++; rows[g]++ }
	function matrix(g,   i, j) {
		printf "%-10s", "expected"
		for (j = 1; j <= 4; j++) printf "%10s", L[j]
		printf "\n"
		for (i = 1; i <= 4; i++) {
			printf "%-10s", L[i]
			for (j = 1; j <= 4; j++) printf "%10d", m[g, L[i], L[j]]
			printf "\n"
		}
	}
	BEGIN { split("low medium high critical", L, " "); ALL = "(all)" }
	{
		cmd = $1; want = $2; src = $3; g = $4; got = $5
		if (!(g in seen)) { seen[g] = 1; order[++ng] = g }
		addrow(g, want, got); addrow(ALL, want, got)
		if (g != holdout) addrow("(others)", want, got)
		if (want != got && g != holdout) {
			nm++
			mg[nm] = g
			mt[nm] = sprintf("  %-8s -> %-8s %3s  [%s] %s\n             reasons: %s\n             source: %s",
			    want, got, $6, g, substr(cmd, 1, 140), $7, substr(src, 1, 160))
		}
	}
	END {
		for (i = 1; i <= ng; i++) figures(order[i])
		figures(ALL)
		if (holdout != "") {
			figures("(others)")
			printf "%s: held out: %s (%d rows); the other groups: %d rows\n\n", setname, holdout, rows[holdout], rows["(others)"]
			printf "misses of the other groups (%d):\n", nm
			for (i = 1; i <= nm; i++) print mt[i]
			printf "\nthe other groups together:\n"
			matrix("(others)")
			printf "  high/critical -> high or critical %s, critical -> critical %s, low -> low %s, low -> high/critical %s\n",
			    f1["(others)"], f2["(others)"], f3["(others)"], f4["(others)"]
			printf "\nheld-out figures of %s (%d rows: low %d, medium %d, high %d, critical %d):\n", holdout, rows[holdout],
			    n[holdout, "low"], n[holdout, "medium"], n[holdout, "high"], n[holdout, "critical"]
			printf "  high/critical rows scored high or critical: %6s (target >= 97%%)%s\n", f1[holdout], miss1[holdout] ? "  MISSED" : ""
			printf "  critical rows scored critical:              %6s (target >= 85%%)%s\n", f2[holdout], miss2[holdout] ? "  MISSED" : ""
			printf "  low rows scored low:                        %6s (target >= 90%%)%s\n", f3[holdout], miss3[holdout] ? "  MISSED" : ""
			printf "  low rows scored high or critical:           %6s (target <= 2%%)%s\n", f4[holdout], miss4[holdout] ? "  MISSED" : ""
			failed = !ok[holdout]
		} else {
			printf "%s: %d rows\n\n", setname, rows[ALL]
			matrix(ALL)
			printf "\nper group (a group'"'"'s figures are its held-out figures; * = target missed)\n"
			printf "%-15s %5s %5s %5s %5s %5s   %8s %8s %8s %8s\n", "group", "rows", "low", "med", "high", "crit",
			    "hc>=97", "crit>=85", "low>=90", "lowhc<=2"
			for (i = 1; i <= ng + 1; i++) {
				g = i <= ng ? order[i] : ALL
				if (i == ng + 1) printf "%s\n", "-----------------------------------------------------------------------------------"
				printf "%-15s %5d %5d %5d %5d %5d   %7s%1s %7s%1s %7s%1s %7s%1s\n", g, rows[g], n[g, "low"], n[g, "medium"],
				    n[g, "high"], n[g, "critical"], f1[g], miss1[g], f2[g], miss2[g], f3[g], miss3[g], f4[g], miss4[g]
			}
			for (i = 1; i <= ng; i++) if (!ok[order[i]]) failed = 1
			if (showmiss) {
				printf "\nmisses (%d):\n", nm
				for (i = 1; i <= nm; i++) print mt[i]
			}
		}
		if (check && failed) { printf "\nrisk_eval: --check: a target is missed\n"; exit 1 }
	}' || status=$?
status=${status:-0}

# --- speed ------------------------------------------------------------------------
if [ "$speed" = 1 ]; then
	if [ -x "$BENCH_SCORE" ]; then
		"$BENCH_SCORE" "$set" > "$tmp/bench" 2>&1 || true
		med=$(grep -m1 'commands under 200 bytes' "$tmp/bench" | sed -e 's/.*median \([0-9.]*\) us.*/\1/')
		mib=$(grep -m1 '^ *1024 KiB' "$tmp/bench" | awk '{ print $3 }')
		worst=$(sed -n '/^1 MiB inputs:/,$p' "$tmp/bench" | awk 'NR > 1 && $(NF-1) + 0 > w { w = $(NF-1) + 0 } END { print w }')
		printf "\nspeed (%s, thread CPU time): median %s us per command under 200 bytes (target <= 20); 1 MiB of short commands %s ms, slowest 1 MiB shape %s ms (target <= 100)\n" \
		    "${BENCH_SCORE##*/}" "${med:-?}" "${mib:-?}" "${worst:-?}"
	else
		printf "\nspeed: %s not built (cmake --build build --target bench_score)\n" "$BENCH_SCORE"
	fi
fi

# --- part 2: real sessions ------------------------------------------------------------
if [ -f "$corpus/traces.jsonl" ] && [ -z "$holdout" ]; then
	# each trace declares its cwd, its agent's project dir, as the workspace
	grep '"tool": "bash"' "$corpus/traces.jsonl" |
		sed -e 's/"cwd": \("[^"]*"\)/"cwd": \1, "workspace": \1/' > "$tmp/traces" || true
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
			printf "\ntraces.jsonl (../shared, every bash command, each in its own cwd): %d commands\n", n
			printf "  low %d, medium %d, high %d, critical %d; scored high or critical: %d (%.1f%%)\n",
			    lv["low"], lv["medium"], lv["high"], lv["critical"], hc, n ? 100 * hc / n : 0
			for (k in top) printf "    %5d  %s\n", top[k], k | "sort -rn"
			close("sort -rn")
		}'
fi
exit "$status"
