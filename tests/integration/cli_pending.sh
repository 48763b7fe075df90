# Issue #16 item 8: `sandgate pending` lists riskiest first with the score and
# never cuts a critical request; `pending --groups [--json]` shows each
# group's label, members, level and numbered suggestions with their scope and
# ceiling; `decide g:G --rule N` saves suggestion N counted from 1, as listed,
# and refuses a number the group does not have.
. "$SG_SRC/tests/lib.sh"
. "$SG_SRC/tests/rules/rules_lib.sh"

start_broker
export SANDGATE_SESSION=s1 SANDGATE_AGENT=tester
W=$T/ws
mkdir -p "$W/.git"
cd "$W"
TAIL=$(printf 'y%.0s' $(seq 1 400))

ask_bg low1 -- ls -la
ask_bg py1 -- python repro_issue.py
ask_bg py2 -- python check_v2.py
ask_bg med -- npm install -g npm
ask_bg crit -- "rm -rf / ; echo $TAIL"
ask_bg medlong -- "npm install -g npm-$TAIL"
ask_bg high -- cat "$HOME/.ssh/id_rsa"
wait_total 7

out=$(sg pending)
printf '%s\n' "$out" | head -n 1 | matches '^ID  *AGE  *RISK  *SCORE  *GROUP  *KIND  *AGENT  *REQUEST$' ||
	fail "pending header: $out"
# riskiest first: levels never go up down the list, scores never go up within a level
printf '%s\n' "$out" | tail -n +2 | awk '
	{ r = ($3 == "critical") ? 3 : ($3 == "high") ? 2 : ($3 == "medium") ? 1 : ($3 == "low") ? 0 : 4
	  if (NR > 1 && (r > pr || (r == pr && $4 + 0 > ps))) exit 1
	  pr = r; ps = $4 + 0 }' || fail "pending is not sorted by risk: $out"
printf '%s\n' "$out" | sed -n 2p | matches ' critical  *100  ' || fail "the critical request is not first with its score: $out"
printf '%s\n' "$out" | tail -n 1 | matches ' low  *0  ' || fail "a low request is not last: $out"
# every row has a score 0-100
[ "$(printf '%s\n' "$out" | tail -n +2 | awk '$4 ~ /^[0-9]+$/ && $4 <= 100' | wc -l)" = 7 ] ||
	fail "rows without a score: $out"
# the critical row is whole (its tail of 400 y's), the medium one is cut and says so
printf '%s\n' "$out" | grep ' critical ' | matches "echo $TAIL\$" || fail "the critical request was cut: $out"
printf '%s\n' "$out" | grep "npm-yyyy" | matches -E '…\(\+[0-9]+ bytes\)$' || fail "a long medium row is not cut: $out"
# --json: the same order, all fields
ids_text=$(printf '%s\n' "$out" | tail -n +2 | awk '{print $1}' | tr '\n' ' ')
ids_json=$(sg pending --json | grep -o '"id":[0-9]*,"agent"' | grep -o '[0-9]*' | tr '\n' ' ')
[ "$ids_text" = "$ids_json" ] || fail "pending --json order '$ids_json' differs from the text '$ids_text'"
pass "pending: riskiest first, with the score; a critical request is never cut"

# --groups: label, members, level, numbered suggestions with scope and ceiling
gtxt=$(sg pending --groups)
printf '%s\n' "$gtxt" | head -n 1 | matches '^GROUP  *COUNT  *RISK  *AGE  *SESSION  *LABEL$' || fail "groups header: $gtxt"
gp=$(group_of "exec python")
[ -n "$gp" ] || fail "no python group: $gtxt"
pyids=$(sg pending --json | grep -o '"id":[0-9]*,"agent":"tester","session":"s1","req_id":"[^"]*","kind":"exec","summary":"python [^"]*"' |
	grep -o '^"id":[0-9]*' | cut -d: -f2 | sort -n | sed 's/^/#/' | tr '\n' ' ')
block=$(printf '%s\n' "$gtxt" | awk -v g="$gp" '$1 == g {on=1; print; next} on && /^g[0-9]/ {exit} on {print}')
lvl=$(printf '%s\n' "$block" | head -n 1 | awk '{print $3}')
printf '%s\n' "$block" | head -n 1 | matches -E "^$gp +2  $lvl .* s1 +exec python" || fail "group row (count 2): $block"
[ "$(printf '%s\n' "$block" | sed -n 's/^ *members: //p') " = "$pyids" ] ||
	fail "members '$(printf '%s\n' "$block" | sed -n 's/^ *members: //p')' are not the python requests '$pyids'"
ceil=$lvl
[ "$lvl" != critical ] || ceil=high
printf '%s\n' "$block" | matches "^ *--rule 1: exec python .*  (session scope, allow ≤$ceil; covers 2)\$" ||
	fail "suggestion 1 with scope and ceiling: $block"
gc=$(printf '%s\n' "$gtxt" | awk '/^g[0-9]/ && $3 == "critical" {print $1; exit}')
[ -n "$gc" ] || fail "no critical group: $gtxt"
printf '%s\n' "$gtxt" | awk -v g="$gc" '$1 == g {on=1; next} on && /^g[0-9]/ {exit} on {print}' |
	grep -- '--rule' | grep -v 'allow ≤high;' && fail "a critical group's suggestion ceiling is not high (the cap): $gtxt"
# a critical group's label is not cut either: what else it runs is there whole
printf '%s\n' "$gtxt" | grep "^$gc " | matches "echo yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy" ||
	fail "the critical group's label was cut: $(printf '%s\n' "$gtxt" | grep "^$gc ")"
gm=$(printf '%s\n' "$gtxt" | awk '/^g[0-9]/ && $3 == "medium" {print $1; exit}')
printf '%s\n' "$gtxt" | awk -v g="$gm" '$1 == g {on=1; next} on && /^g[0-9]/ {exit} on {print}' |
	matches -- '--rule 1: .*allow ≤medium;' || fail "a medium group's ceiling: $gtxt"
# the JSON has the same numbers and ceilings
gj=$(sg pending --groups --json | sed 's/},{"id":"g/}\n{"id":"g/g') # one group a line
printf '%s\n' "$gj" | grep "^.\\?{\"id\":\"$gp\"" | matches "\"index\":0,[^}]*\"number\":1,\"ceiling\":\"$ceil\"" ||
	fail "json suggestions of $gp: $gj"
printf '%s\n' "$gj" | grep "^.\\?{\"id\":\"$gc\"" | matches '"max_level":"critical"' || fail "json group level: $gj"
printf '%s\n' "$gj" | grep "^.\\?{\"id\":\"$gc\"" | matches '"number":1,"ceiling":"high"' || fail "json ceiling capped at high: $gj"
printf '%s\n' "$gj" | matches '"index":1,[^}]*"number":2,' || fail "json number 2: $gj"
pass "pending --groups: label, members, level, numbered suggestions with scope and ceiling"

# decide --rule N saves the suggestion listed as N (not N+1 or N-1)
n=$(printf '%s\n' "$gtxt" | awk -v g="$gm" '$1 == g {on=1; next} on && /^g[0-9]/ {exit} on && /--rule/ {n++} END {print n}')
[ "$n" -ge 2 ] || fail "the medium group has $n suggestions: $gtxt"
want=$(printf '%s\n' "$gtxt" | awk -v g="$gm" '$1 == g {on=1; next} on && /^g[0-9]/ {exit} on && /--rule 2:/' |
	sed 's/^ *--rule 2: \(.*\)  (session scope.*/\1/')
expect_rc 1 sg decide "g:$gm" allow --rule $((n + 1)) 2>"$T/err"
grep -q "group $gm has $n suggested rules: --rule 1 to $n" "$T/err" || fail "--rule past the end: $(cat "$T/err")"
out=$(sg decide "g:$gm" allow --rule 2)
case $out in *"; saved rule "[0-9]*": allow ≤medium $want (session)") ;; *) fail "decide --rule 2 said: $out (want $want)" ;; esac
sg rules list | matches -F "allow ≤medium $want" || fail "rule saved is not suggestion 2 ($want): $(sg rules list)"
sg rules list | grep -F "allow ≤medium $want" | matches ' session ' || fail "scope: $(sg rules list)"
pass "decide g:G --rule N saves suggestion N as listed (from 1); a number past the end is refused"

