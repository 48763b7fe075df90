#!/bin/sh
# cases_check.sh SANDGATE FILE.tsv... -- score the labelled commands of
# tests/eval/cases/*.tsv (command TAB expected TAB note; a header line) with
# the real binary and fail on every row whose level differs.  A note holding
# "[or LEVEL]" accepts that level too.  (Until tests/eval/cases.sh exists.)
set -eu
SG=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home/.config"
fail=0
for f in "$@"; do
	tail -n +2 "$f" | cut -f1 >"$tmp/cmds"
	tail -n +2 "$f" | cut -f2,3 >"$tmp/want"
	HOME=/home/dev XDG_CONFIG_HOME="$tmp/home/.config" "$SG" score --batch --cwd /home/dev/project \
	    --workspace /home/dev/project <"$tmp/cmds" >"$tmp/got"
	python3 - "$f" "$tmp/cmds" "$tmp/want" "$tmp/got" <<'PY' || fail=1
import json, re, sys
name, cmds, want, got = sys.argv[1:]
cmds = open(cmds).read().split("\n")
want = [l.split("\t") for l in open(want).read().split("\n") if l]
got = [json.loads(l)["risk"] for l in open(got) if l.strip()]
bad = 0
for c, (lv, note), r in zip(cmds, want, got):
    ok = {lv} | set(re.findall(r"\[or (\w+)\]", note))
    if r["level"] not in ok:
        bad += 1
        print(f"{name}: {c!r}: expected {lv}, got {r['level']} {r['score']} "
              f"{[x['id'] for x in r['reasons']][:4]}")
if len(got) != len(want):
    print(f"{name}: {len(got)} results for {len(want)} rows"); bad += 1
print(f"{name}: {len(want) - bad}/{len(want)} rows as labelled")
sys.exit(1 if bad else 0)
PY
done
exit $fail
