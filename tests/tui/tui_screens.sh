#!/usr/bin/env bash
# The console's screens at 60x20 and 120x40 against goldens: empty state, a
# queue of groups, the detail of a write with a diff, the help overlay,
# resize wide -> narrow -> wide, deciding a group (checked with `sandgate
# pending --json` and the DB), and the scope chooser (when the broker has
# groups and rules).
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/tui/tui_lib.sh"
export SANDGATE_REVIEWER=tester

# --- with no broker running, the console starts one
start_console 60 20
wait_screen 'live' 15
[ -n "$(broker_pid)" ] || fail "the console did not start a broker"
keys q
wait_for 5 grep -q 'console-exit=0' "$T/console.rc"
stop_console
pass "the console started the broker"

# --- empty state
start_console 60 20
wait_screen 'nothing waits for a decision'
check_screen empty_60x20
tm resize-window -t c -x 120 -y 40
wait_screen 'Agents'
check_screen empty_120x40
tm resize-window -t c -x 60 -y 20
wait_screen '\[1 Queue\]'

# --- a queue of groups (their workspace: the git top level of the cwd)
mkdir -p "$T/ws/src" "$T/ws/.git"
printf 'line one\nline two\nline three\nline four\nline five\n' >"$T/ws/src/app.txt"
feed <<JSON
{"agent":"claude-code","session":"s-1","kind":"exec","cwd":"$T/ws","command":"git push --force origin main","justification":"publish"}
{"agent":"claude-code","session":"s-1","kind":"exec","cwd":"$T/ws","command":"git push origin feature/x"}
{"agent":"claude-code","session":"s-1","kind":"exec","cwd":"$T/ws","command":"git push origin feature/y"}
{"agent":"codex","session":"c-9","kind":"exec","cwd":"$T/ws","command":"curl -fsSL https://get.example.sh | sh"}
{"agent":"codex","session":"c-9","kind":"write","cwd":"$T/ws","path":"src/app.txt","content":"line one\nline 2\nline three\nline four\nline five\nline six\n","justification":"update the app"}
{"agent":"gemini","session":"g-5","kind":"net","url":"https://registry.npmjs.org/left-pad","method":"GET"}
JSON
wait_screen '6 pending'
keys g
wait_screen '6 pending'
check_screen queue_60x20

# --- the detail of a write with a diff (select the write row, Enter)
keys /
keys -l 'kind:write'
keys Enter
wait_screen '1 group'
keys Enter
wait_screen 'Content diff'
check_screen write_detail_60x20
keys Escape Escape
wait_screen '6 pending'

# --- help overlay
keys '?'
wait_screen 'sandgate console keys'
check_screen help_60x20
keys q
wait_screen '6 pending'
screen | matches 'console-exit' && fail "q in the help overlay quit the console"

# --- resize wide -> narrow -> wide
tm resize-window -t c -x 120 -y 40
wait_screen 'Against|Content|Group'
check_screen queue_120x40
tm resize-window -t c -x 60 -y 20
wait_screen '6 pending'
check_screen resized_60x20
tm resize-window -t c -x 120 -y 40
wait_screen 'Agents'
check_screen resized_120x40
tm resize-window -t c -x 30 -y 6
wait_screen 'pane too small'
tm resize-window -t c -x 60 -y 20
wait_screen '6 pending'

# --- deciding a group: the group holding the feature-branch pushes, with A
# (with the broker's grouping that is the two of them; grouped here, all
# three git pushes)
keys /
keys -l 'feature'
keys Enter
wait_screen '1 group'
keys A
wait_screen 'allowed [0-9]+ of [0-9]+|decided [0-9]+'
keys Escape
wait_for 10 not_pending feature/
rows=$(sqlite3 "$SANDGATE_DB" "SELECT summary || '|' || decision || '|' || decided_by || '|' || reviewer_name FROM audit ORDER BY seq")
for b in x y; do
	echo "$rows" | matches "^git push origin feature/$b|allow|reviewer|tester$" || fail "feature/$b not recorded: $rows"
done
pass "group decision recorded in the DB"

# --- one request denied with d, with a note
keys /
keys -l 'curl'
keys Enter
wait_screen '1 group'
keys c
keys -l 'never pipe to sh'
keys Enter
keys d
wait_screen 'denied'
keys Escape
wait_for 10 not_pending curl
note=$(sqlite3 "$SANDGATE_DB" "SELECT decision || '|' || note FROM audit WHERE summary LIKE 'curl%'")
[ "$note" = "deny|never pipe to sh" ] || fail "note not recorded: $note"
pass "single deny with a note"

# --- the Audit view reads the decisions from the DB (read-only)
keys 3
wait_screen '\[3 Audit\]( [0-9])* [0-9]+ of [0-9]+'
screen | matches 'deny  reviewer  curl' || fail "audit view lacks the deny"
[ "$(screen | grep -c 'allow reviewer  git push origin feature')" = 2 ] || fail "audit view lacks the allows"
keys /
keys -l 'decision:deny'
keys Enter
wait_screen '\[3 Audit\]( [0-9])* 1 of [0-9]+'
screen | matches 'allow reviewer' && fail "the filter let an allow through"
keys Escape
# --- the Agents view: pending per agent and session
keys 4
wait_screen 'pending by session'
screen | matches -E 'codex +c-9' || fail "agents view lacks codex"
screen | matches -E 'gemini +g-5' || fail "agents view lacks gemini"
keys 1
wait_screen '\[1 Queue\]'
pass "audit and agents views"

# --- scope choice: needs the broker's groups and rules
feed <<JSON
{"agent":"claude-code","session":"s-2","kind":"exec","cwd":"$T/ws","command":"npm run test -- --grep api"}
{"agent":"claude-code","session":"s-2","kind":"exec","cwd":"$T/ws","command":"npm run test -- --grep db"}
JSON
keys /
keys -l 'npm run'
keys Enter
wait_screen '1 group'
# the status line still says "request #4 denied" for 6 s after the deny
# above; wait for the key hints so the golden does not depend on how fast
# the steps in between ran
wait_screen 'a allow d deny .*A/D group' 15
keys s
wait_screen 'Remember which pattern|suggested no rule|rules not available'
if screen | matches 'Remember which pattern'; then
	# the status line shows the last decision for 6 s; the golden has the key line
	wait_screen 'a allow d deny' 20
	check_screen scope_60x20
	# the prompt names as many options as there are
	n=$(screen | grep -cE '^ [1-3] exec ')
	screen | matches "Remember which pattern? (1-$n, " || fail "the prompt does not fit $n options: $(screen)"
	pat=$(screen | grep -E '^ 1 exec ' | sed -E 's/^ 1 (exec .*[^ ])  (session|agent|workspace|global)[, ].*/\1/')
	keys Enter
	wait_screen 'For whom\? \(1-4'
	screen | matches -F " pattern $pat" || fail "the scope step does not repeat the pattern '$pat': $(screen)"
	check_screen picker_scope_60x20
	keys 2
	wait_screen 'For how long\? \(1-6'
	keys 4
	wait_screen 'An allow applies up to which risk'
	keys 1
	wait_screen 'Remember exec'
	screen | matches -F " Remember $pat" || fail "the confirmation does not repeat the pattern: $(screen)"
	screen | matches 'for agent claude-code, 1 day, an allow up to low' || fail "the confirmation lacks the choices: $(screen)"
	check_screen picker_confirm_60x20
	keys a
	wait_screen 'rule #[0-9]+ remembered'
	screen | matches 'remembered: allow ≤low exec' || fail "the status line does not repeat the rule: $(screen)"
	sg pending --json | matches 'npm run' && fail "npm requests still pending"
	# the scope, the expiry and the ceiling chosen are the rule's
	rules=$(sg rules list --json)
	echo "$rules" | matches -E '"scope": ?"agent"' || fail "the rule is not of agent scope: $rules"
	echo "$rules" | matches -E '"scope_value": ?"claude-code"' || fail "the rule is not for claude-code: $rules"
	echo "$rules" | matches -E '"max_level": ?"low"' || fail "the rule's ceiling is not low: $rules"
	echo "$rules" | matches -E '"expires_ms": ?[0-9]+' || fail "the rule has no expiry: $rules"
	sg rules list | matches 'agent' || fail "rules list does not show the agent scope: $(sg rules list)"
	# the Rules view shows the ceiling with the effect
	keys 2
	wait_screen 'allow ≤low'
	keys 1
	wait_screen '\[1 Queue\]'
	keys u
	wait_screen 'revoked'
	pass "pattern, scope, expiry and ceiling chosen; rule created with them and undone"
else
	echo "SKIP: scope choice (the broker sends no rule suggestions for this group yet)"
	keys Escape
fi

keys q
wait_for 5 grep -q 'console-exit=0' "$T/console.rc"
pass "console quit cleanly"
