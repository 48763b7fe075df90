#!/usr/bin/env bash
# Groups end to end: pending requests grouped by signature with suggestions;
# `sandgate decide g:GROUP` decides every member and saves the chosen
# suggestion as a rule that answers later requests at once (in its scope
# only); deny without a rule; stale or bad group decisions are refused;
# import/export of real-format settings files through the real broker.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/rules/rules_lib.sh"

start_broker
export SANDGATE_SESSION=s1 SANDGATE_AGENT=tester SANDGATE_REVIEWER=bob
W=$T/ws
# the workspace is the git top level of the cwd (no agent here declares one)
mkdir -p "$W/src" "$W/.git"
cd "$W"
"$SG_BUILD/tests/rules/sg_watch" 60 >"$T/notes" &
wait_for 5 grep -q ready "$T/notes"

ask_bg p1 -- python repro_issue.py
ask_bg p2 -- python repro_issue_v2.py
ask_bg p3 -- python check_v2.py
ask_bg push -- git push origin main
ask_bg w1 --kind write -- "$W/src/a.c"
ask_bg w2 --kind write -- "$W/src/b.c"
ask_bg other -- python -u repro_issue.py
wait_total 7

groups=$("$SGTEST" call console groups '[]')
gp=$(group_of "exec python\"")
gw=$(group_of "write ./src")
gg=$(group_of "exec git push")
[ -n "$gp" ] && [ -n "$gw" ] && [ -n "$gg" ] || fail "groups missing: $groups"
printf '%s' "$groups" | matches "\"id\":\"$gp\",\"count\":3," || fail "python group should have 3 members: $groups"
printf '%s' "$groups" | matches '"pattern":"exec python \*.py","scope":"session","scope_value":"s1","ttl":null,"max_level":"low","reason":null,"learned":false,"pin":false,"pin_path":null,"covers":3' ||
	fail "narrowest python suggestion: $groups"
printf '%s' "$groups" | matches '"varies":\[{"field":"args","values":\["[a-z_0-9]*.py","[a-z_0-9]*.py","[a-z_0-9]*.py"\],"distinct":3}\]' ||
	fail "varies: $groups"
printf '%s' "$groups" | matches '"pattern":"write ./src/\*"' || fail "write suggestion: $groups"
# every pending request carries its group in the request view
"$SGTEST" call console list '[]' | matches "\"group\":\"$gp\"" || fail "request view has no group"
# ... and `sandgate pending` shows it, with the risk level, for `decide g:GROUP`
sg pending | head -n 1 | matches '^ID  *AGE  *RISK  *SCORE  *GROUP  *KIND  *AGENT  *REQUEST$' || fail "pending header: $(sg pending)"
[ "$(sg pending | grep -c " $gp  .*python ")" = 3 ] || fail "pending rows of $gp: $(sg pending)"
sg pending | matches "^[0-9]* *[0-9]*s  [a-z]*  *[0-9]*  *$gg  *exec  *tester  *git push origin main$" || fail "pending row: $(sg pending)"
wait_for 5 "grep -q '^groups \\[{\"version\":[0-9]*,\"changed\":\\[\"g' '$T/notes'"
grep -q '^request \[{"id":[0-9]*,.*"group":"g' "$T/notes" || fail "request notifications carry no group"
pass "pending requests are grouped, with common fields, what varies and suggestions"

# --- decide a group and save its narrowest suggestion as a session rule
out=$(sg decide "g:$gp" allow --rule 1)
case $out in "group $gp: allow 3 request(s); saved rule 1: allow ≤low exec python *.py (session)") ;; *) fail "decide said: $out" ;; esac
for n in p1 p2 p3; do [ "$(rc_of $n)" = 0 ] || fail "$n was not allowed"; done
still_pending other || fail "a request outside the rule was decided"
sg rules list --json | matches '"id":1,"effect":"allow","pattern":"exec python \*.py","scope":"session","scope_value":"s1"' ||
	fail "the saved rule: $(sg rules list --json)"
row=$(sqlite3 "$SANDGATE_DB" "SELECT count(*) FROM audit WHERE decided_by='reviewer' AND reviewer_name='bob' AND decision='allow'")
[ "$row" = 3 ] || fail "decision rows by the reviewer: $row"
out=$(sg ask --json -- python repro_issue_v3.py)
[ "$(json_field "$out" rule_id)" = 1 ] || fail "the saved rule did not answer a later request: $out"
ask_bg s2 --session s2 -- python repro_issue_v3.py
wait_total 5
still_pending s2 || fail "a session rule answered another session"
wait_for 5 grep -q '^rules \[\]$' "$T/notes"
grep -q '^decided \[{"id":[0-9]*,"state":"decided","decision":"allow","by":"rule",.*"rule_id":1}\]' "$T/notes" ||
	fail "no decided notification with rule_id"
pass "decide g:GROUP --rule 1 decides every member and saves a session rule"

# --- a group rule also releases other queued requests it covers (re-check)
gw=$(group_of "write ./src")
out=$(sg decide "g:$gw" allow --rule 2 --scope agent --ttl 1h)
case $out in *"allow 2 request(s); saved rule 2"*) ;; *) fail "decide said: $out" ;; esac
[ "$(rc_of w1)" = 0 ] && [ "$(rc_of w2)" = 0 ] || fail "write members not allowed"
sg rules list --json | matches '"id":2,"effect":"allow","pattern":"write ./src/\*\*","scope":"agent","scope_value":"tester","expires_ms":[0-9]' ||
	fail "agent-scoped rule with expiry: $(sg rules list --json)"
expect_rc 0 sg ask --kind write --session s9 -- "$W/src/deep/c.c"
pass "a rule saved from a group applies in its scope (agent) and expires"

# --- deny a group without a rule
gg=$(group_of "exec git push")
out=$(sg decide "g:$gg" deny --note "not on main")
case $out in "group $gg: deny 1 request(s)") ;; *) fail "decide said: $out" ;; esac
[ "$(rc_of push)" = 1 ] || fail "push not denied"
grep -q "not on main" "$T/err.push" || fail "the note did not reach the agent"
pass "decide g:GROUP deny decides without saving a rule"

# --- stale, unknown and malformed group decisions are refused
expect_rc 1 sg decide "g:$gg" allow            # the group is gone
expect_rc 1 sg decide g:g999 allow
gp=$(group_of "exec python")
expect_rc 1 sg decide "g:$gp" allow --rule 7
expect_rc 2 sg decide "g:$gp" maybe
expect_rc 2 sg decide 5 allow --rule 1        # --rule goes with g:GROUP
expect_rc 2 sg decide "g:$gp" allow --rule 0   # counted from 1
out=$("$SGTEST" call console decide "[{\"group\":\"$gp\",\"decision\":\"allow\",\"rule\":0,\"pattern\":\"exec rm *\"}]" || true)
case $out in *conflict*) ;; *) fail "a rule the reviewer did not see was saved: $out" ;; esac
out=$("$SGTEST" call console decide "[{\"group\":\"$gp\",\"decision\":\"allow\",\"members\":[424242]}]" || true)
case $out in *not-found*) ;; *) fail "decided members not in the group: $out" ;; esac
out=$("$SGTEST" call agent decide "[{\"group\":\"$gp\",\"decision\":\"allow\"}]" || true)
case $out in *forbidden*) ;; *) fail "an agent decided a group: $out" ;; esac
still_pending other || fail "a refused decision decided something"
pass "stale, unknown and malformed group decisions are refused"

# --- circumvention is flagged to consoles; a once rule is used up by one request
ask_bg circ --kind edit -- "$W/.claude/settings.local.json"
wait_for 5 grep -q '^circumvention \[{"id":[0-9]*,"session":"s1","agent":"tester","circumvention":\[{"id":"circumvention.agent-config"' "$T/notes"
still_pending circ || fail "agent settings edit decided"
sg rules add allow exec make lint --scope once --scope-value s1 >/dev/null
expect_rc 0 sg ask -- make lint
ask_bg lint2 -- make lint
wait_for 5 still_pending lint2
sleep 0.3
still_pending lint2 || fail "a once rule matched twice"
sg rules list --all --json | matches '"pattern":"exec make lint","scope":"once".*"hits":1,.*"revoked":true' ||
	fail "the once rule is not used up: $(sg rules list --all --json)"
pass "circumvention is flagged to consoles; a once rule is used up by its first match"

# --- import a real-format Claude Code project settings file and a Codex file
mkdir -p "$W/.claude"
cat >"$W/.claude/settings.json" <<'EOF'
{
  "permissions": {
    "allow": ["Bash(npm run lint:*)", "Read(./docs/**)", "WebFetch(domain:*.npmjs.org)",
              "Bash(cd x && make)", "Agent(Explore)"],
    "deny": ["Bash(curl:*)", "Bash(dangerouslyDisableSandbox:true)"],
    "ask": ["Bash(git push:*)"]
  }
}
EOF
expect_rc 1 sg rules import "$W/.claude/settings.json" >"$T/import.out" 2>"$T/import.err"
grep -q "4 rule(s) imported, 4 entries not translated" "$T/import.out" || fail "import summary: $(cat "$T/import.out")"
grep -q "not imported: Bash(cd x && make): a compound" "$T/import.err" || fail "compound not reported: $(cat "$T/import.err")"
grep -q "not imported: Agent(Explore)" "$T/import.err" || fail "Agent not reported"
grep -q "not imported: Bash(git push:\*): ask" "$T/import.err" || fail "ask not reported"
sg rules list --json | matches "\"pattern\":\"exec npm run lint \*\",\"scope\":\"workspace\",\"scope_value\":\"$(cd "$W" && pwd -P)\"" ||
	fail "project settings should import with workspace scope: $(sg rules list --json)"
expect_rc 0 sg ask --workspace "$W" -- npm run lint --fix
expect_rc 1 sg ask --workspace "$W" -- curl -s https://example.com
cat >"$T/default.rules" <<'EOF'
prefix_rule(pattern = ["gh", "pr", ["view", "list"]], decision = "allow", justification = "read-only")
prefix_rule(pattern = ["git", "reset", "--hard"], decision = "forbidden")
host_executable(name = "git", paths = ["/usr/bin/git"])
EOF
expect_rc 1 sg rules import --scope global "$T/default.rules" >/dev/null 2>"$T/codex.err"
grep -q "host_executable is not a rule" "$T/codex.err" || fail "host_executable not reported"
expect_rc 0 sg ask -- gh pr list --limit 3
expect_rc 1 sg ask -- git reset --hard HEAD~1
pass "imports Claude Code settings and Codex rules, reporting what it cannot translate"

# --- export writes them back; a sandgate export imports again
sg rules export --format claude >"$T/claude.json" 2>"$T/export.err"
grep -q '"Bash(npm run lint \*)"' "$T/claude.json" || fail "claude export: $(cat "$T/claude.json")"
grep -q '"Bash(curl \*)"' "$T/claude.json" || fail "claude export deny: $(cat "$T/claude.json")"
grep -q "not exported" "$T/export.err" || fail "export did not report what it left out"
sg rules export --format codex | matches 'prefix_rule(pattern = \["gh", "pr", "view"\], decision = "allow"' ||
	fail "codex export"
sg rules export -o "$T/all.jsonl"
n=$(wc -l <"$T/all.jsonl")
for id in $(sg rules list --json | grep -o '"id":[0-9]*' | cut -d: -f2); do sg rules rm "$id" >/dev/null; done
[ "$(sg rules list)" = "no rules" ] || fail "rules left after revoking all"
expect_rc 0 sg rules import "$T/all.jsonl" >/dev/null
[ "$(sg rules list --json | grep -o '"id":' | wc -l)" = "$n" ] || fail "round trip lost rules"
pass "export (claude, codex, sandgate) and re-import"
