#!/usr/bin/env bash
# Issue #16, item 5: the remember picker (s).  "covers N" says how many of
# those wait outside the group and lists them; a suggestion that covers
# nothing says why (the requests also run `make -j4`); the scope, expiry and
# ceiling chosen are the rule's (`sandgate rules list --json`), the rule
# releases the other request it covers, and the Rules view shows the
# ceiling with the effect ("allow ≤low").  At 80x24.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/tui/tui_lib.sh"
export SANDGATE_REVIEWER=tester

start_broker --timeout 3600
mkdir -p "$T/ws/.git"
start_console 80 24
wait_screen 'nothing waits'
feed <<JSON
{"agent":"claude-code","session":"s-3","kind":"exec","cwd":"$T/ws","command":"npm run test -- --grep api"}
{"agent":"claude-code","session":"s-3","kind":"exec","cwd":"$T/ws","command":"npm run test -- --grep db"}
{"agent":"claude-code","session":"s-3","kind":"exec","cwd":"$T/ws","command":"npm run build"}
{"agent":"codex","session":"s-4","kind":"exec","cwd":"$T/ws","command":"npm test && make -j4"}
{"agent":"codex","session":"s-4","kind":"exec","cwd":"$T/ws","command":"npm test && make -j8"}
JSON
wait_screen '5 pending'

# --- covers 0, and why
keys /
keys -l 'make'
keys Enter
wait_screen '1 group'
keys s
wait_screen 'Remember which pattern|suggested no rule'
screen | matches 'Remember which pattern' || { echo "SKIP: no suggestion for the npm test group"; exit 0; }
if screen | matches -E '^ 1 exec .* covers 0$'; then
	screen | matches 'covers 0: the requests also run make -j[48], which it does not cover' ||
		fail "covers 0 without the reason: $(screen)"
	pass "a suggestion that covers nothing says why"
	# it answers `npm test` and leaves `make` to a person: the picker says so
	screen | matches -E 'answers only part of each line: make( -j[48])? still asks a person' ||
		fail "a suggestion for one part of 'npm test && make' does not say it leaves make: $(screen)"
	pass "a suggestion for one part says which part still asks"
else
	echo "SKIP: the broker's first suggestion for 'npm test && make' covers something: $(screen)"
fi
keys Escape
wait_screen 'cancelled'
keys Escape
wait_screen '5 pending'

# --- covers N: what else it covers
keys /
keys -l 'grep'
keys Enter
wait_screen '1 group'
keys s
wait_screen 'Remember which pattern'
line=$(screen | grep -E '^ [1-3] exec npm run \* ' || true)
[ -n "$line" ] || { echo "SKIP: no 'exec npm run *' suggestion: $(screen)"; exit 0; }
num=$(echo "$line" | cut -c2)
echo "$line" | matches 'covers 3: 2 here, 1 more waiting' || fail "covers does not say how many wait outside: $line"
keys j
[ "$num" -gt 2 ] && keys j
wait_screen 'also #[0-9]+ npm run build'
pass "covers N lists what else it covers"

# --- workspace scope, no expiry, ceiling low (the suggestion's, the highest offered); allow
keys Enter
wait_screen 'For whom'
screen | matches -F "3 workspace $T/ws" || fail "the workspace scope does not name the workspace: $(screen)"
keys 3
wait_screen 'For how long'
keys 6
wait_screen 'An allow applies up to which risk'
# the suggestion's ceiling (the group's level, low) is the highest offered
screen | matches ' 2 medium' && fail "a ceiling above the suggestion's is offered: $(screen)"
keys 1
wait_screen 'Remember exec npm run \*'
screen | matches 'for workspace .*, no expiry, an allow up to low' || fail "confirmation: $(screen)"
keys a
wait_screen 'rule #[0-9]+ remembered: allow ≤low exec npm run \* \(workspace\)'
rules=$(sg rules list --json)
echo "$rules" | matches -E '"scope": ?"workspace"' || fail "not a workspace rule: $rules"
echo "$rules" | matches -F "\"$T/ws\"" || fail "the rule is not for $T/ws: $rules"
echo "$rules" | matches -E '"max_level": ?"low"' || fail "the ceiling is not low: $rules"
echo "$rules" | matches -E '"expires_ms": ?null|"expires_ms"' && ! echo "$rules" | matches -E '"expires_ms": ?[0-9]' ||
	fail "the rule expires: $rules"
sg rules list | matches workspace || fail "rules list lacks the scope: $(sg rules list)"
wait_for 10 "not_pending 'npm run build'"
pass "scope, expiry and ceiling chosen are the rule's; it released the other request it covers"

keys Escape
keys 2
wait_screen 'allow ≤low'
pass "the Rules view shows the ceiling"
keys q
wait_for 5 grep -q 'console-exit=0' "$T/console.rc"
