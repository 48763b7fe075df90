#!/usr/bin/env bash
# score_instr.sh -- instructions (valgrind callgrind's Ir) per 1 MiB shape of
# bench_score, and for the development corpus's short commands: figures that
# do not move with the machine's load, unlike bench_score's times.  Each line
# is one assessment (BENCH_ONLY=N, see bench_score.c), including about 25 M of
# loading the tables and filling the input, which the "load only" line shows.
#
# Usage: tests/bench/score_instr.sh [BENCH_SCORE] [risk_cases.tsv]
# Needs valgrind.  Figures only: no assertions.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bench=${1:-$root/build/tests/bench/bench_score}
corpus=${2:-${SG_CORPUS:-$root/../shared/corpus}/risk_cases.tsv}
command -v valgrind > /dev/null || { echo "score_instr: valgrind not installed" >&2; exit 2; }
[ -x "$bench" ] || { echo "score_instr: no bench_score at $bench" >&2; exit 2; }
names=("short commands" "one long word" "a long quoted string" "pipelines" "substitutions" "sh -c nesting"
	"assignments" "inline code" "here-document")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sginstr.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ir() {
	BENCH_ONLY=$1 valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$bench" "${@:2}" 2>&1 |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
printf '%-26s %14s\n' "input" "instructions"
printf '%-26s %14s\n' "(load the tables only)" "$(ir load | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')"
for k in "${!names[@]}"; do
	printf '%-26s %14s\n' "1 MiB ${names[$k]}" "$(ir "$k" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')"
done
if [ -f "$corpus" ]; then
	printf '%-26s %14s\n' "corpus < 200 B, each once" "$(ir corpus "$corpus" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')"
fi
