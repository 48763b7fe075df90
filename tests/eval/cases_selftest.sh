#!/usr/bin/env bash
# cases_selftest.sh -- the case runner itself: rows that match pass, a row
# scored off its expected level fails and is printed, ok= widens what passes,
# comments and a header are skipped, malformed rows fail.  (ctest eval_cases_runner)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sgcasest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

printf 'command\texpected\tnote\n# a comment\n\nls -la\tlow\tplain read\nrm -rf /\tcritical\troot\nrm -rf /\thigh\tok=high,critical\ncat <<EOF > notes.txt\\nhello\\nEOF\tlow\ta here-document written into the workspace\n' > "$tmp/good.tsv"
bash "$here/cases.sh" "$tmp/good.tsv" > "$tmp/out" 2>&1 || { cat "$tmp/out"; fail "matching rows did not pass"; }
grep -q 'cases: 4 rows in 1 files, 0 mismatched' "$tmp/out" || { cat "$tmp/out"; fail "wrong row count"; }

printf 'ls -la\tlow\nrm -rf /\tlow\tdeliberately wrong\n' > "$tmp/bad.tsv"
if bash "$here/cases.sh" "$tmp/good.tsv" "$tmp/bad.tsv" > "$tmp/out" 2>&1; then cat "$tmp/out"; fail "a wrong row passed"; fi
grep -q 'MISMATCH .*bad.tsv:2: expected low, got critical' "$tmp/out" || { cat "$tmp/out"; fail "the mismatch was not printed"; }
grep -q 'cases: 6 rows in 2 files, 1 mismatched' "$tmp/out" || { cat "$tmp/out"; fail "wrong summary"; }

printf 'rm -rf /\tcritical\tok=low\n' > "$tmp/okwiden.tsv"    # ok= adds levels, expected still passes
bash "$here/cases.sh" "$tmp/okwiden.tsv" > "$tmp/out" 2>&1 || { cat "$tmp/out"; fail "expected level rejected when ok= is given"; }

for row in 'ls -la' 'ls -la\tsevere' 'ls\tlow\tok=lowish'; do
	printf "$row\n" > "$tmp/malformed.tsv"
	if bash "$here/cases.sh" "$tmp/malformed.tsv" > "$tmp/out" 2>&1; then cat "$tmp/out"; fail "malformed row accepted: $row"; fi
	grep -q 'malformed row\|unknown level' "$tmp/out" || { cat "$tmp/out"; fail "no error for: $row"; }
done
echo "cases_selftest: ok"
