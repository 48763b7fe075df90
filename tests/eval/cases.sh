#!/usr/bin/env bash
# cases.sh -- score the small per-family case files tests/eval/cases/*.tsv with
# the real binary and fail on any row whose level is not the expected one (or
# one of the levels its note accepts).  Format: tests/eval/cases/README.md.
#
# Usage: tests/eval/cases.sh [FILE.tsv ...]   (default: every tests/eval/cases/*.tsv)
# Environment: SANDGATE (the binary; default build/cli/sandgate).
# Exit 0 when every row matches, 1 on a mismatch or a malformed row, 2 on a
# usage error.  Needs only bash, awk, cut and paste; never reads ../shared.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
SANDGATE=${SANDGATE:-$root/build/cli/sandgate}
if [ ! -x "$SANDGATE" ]; then
	echo "cases: sandgate binary not found (set SANDGATE)" >&2
	exit 2
fi
if [ $# -gt 0 ]; then
	files=("$@")
else
	shopt -s nullglob
	files=("$here"/cases/*.tsv)
	shopt -u nullglob
fi
if [ ${#files[@]} -eq 0 ]; then
	echo "cases: no case files in $here/cases"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sgcases.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# The same fixed, private environment as risk_eval.sh: home /home/dev, a
# declared (made-up) workspace /home/dev/project; the user's tables do not count.
export HOME=/home/dev XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state"
export SANDGATE_DIR="$tmp/run" SANDGATE_DB="$tmp/state/sandgate.db"
ws=/home/dev/project
mkdir -p "$XDG_CONFIG_HOME/sandgate"

# rows: file, line, command, expected, accepted levels, note.  Blank lines,
# lines starting with # and a header line (command<TAB>expected...) are skipped.
: > "$tmp/rows"
bad=0
for f in "${files[@]}"; do
	if [ ! -f "$f" ]; then
		echo "cases: no such file: $f" >&2
		exit 2
	fi
	awk -F '\t' -v file="${f#"$root"/}" '
		/^[ \t]*$/ || /^#/ { next }
		FNR == 1 && $1 == "command" && $2 == "expected" { next }
		{
			sub(/\r$/, "")
			if (NF < 2 || NF > 3 || $1 == "" || $2 !~ /^(low|medium|high|critical)$/) {
				printf "%s:%d: malformed row (want command<TAB>low|medium|high|critical[<TAB>note])\n", file, FNR > "/dev/stderr"
				bad = 1; next
			}
			note = NF >= 3 ? $3 : ""
			ok = $2
			if (match(note, /(^|[ ;,(])ok=[a-z,]+/)) {
				ok = substr(note, RSTART, RLENGTH); sub(/.*ok=/, "", ok); sub(/,$/, "", ok)
				n = split(ok, a, ",")
				for (i = 1; i <= n; i++)
					if (a[i] !~ /^(low|medium|high|critical)$/) {
						printf "%s:%d: unknown level in ok=: %s\n", file, FNR, a[i] > "/dev/stderr"
						bad = 1; next
					}
				if (("," ok ",") !~ ("," $2 ",")) ok = $2 "," ok
			}
			print file "\t" FNR "\t" $1 "\t" $2 "\t" ok "\t" note
		}
		END { exit bad }' "$f" >> "$tmp/rows" || bad=1
done
if [ "$bad" -ne 0 ]; then
	exit 1
fi
total=$(wc -l < "$tmp/rows")
if [ "$total" -eq 0 ]; then
	echo "cases: the case files hold no rows"
	exit 0
fi

# The commands are escaped the way --batch reads them (\\ \t \r \n).
cut -f3 "$tmp/rows" > "$tmp/cmds"
"$SANDGATE" score --batch --cwd "$ws" --workspace "$ws" < "$tmp/cmds" > "$tmp/out"
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
if [ "$(wc -l < "$tmp/got")" -ne "$total" ]; then
	echo "cases: got $(wc -l < "$tmp/got") results for $total commands" >&2
	exit 1
fi

paste "$tmp/rows" "$tmp/got" | awk -F '\t' -v nfiles="${#files[@]}" '
	{
		file = $1; want = $4; ok = $5; got = $7
		rows[file]++; n++
		if (("," ok ",") !~ ("," got ",")) {
			fails[file]++; nf++
			printf "MISMATCH %s:%d: expected %s%s, got %s (%s)\n    %s\n    reasons: %s\n", file, $2, want,
			    ok != want ? " (ok=" ok ")" : "", got, $8, substr($3, 1, 300), $9
			if ($6 != "") printf "    note: %s\n", substr($6, 1, 200)
		}
	}
	END {
		for (f in rows) printf "%-40s %4d rows, %d mismatched\n", f, rows[f], fails[f] + 0 | "sort"
		close("sort")
		printf "cases: %d rows in %d files, %d mismatched\n", n, nfiles, nf
		exit nf > 0
	}'
