#!/usr/bin/env bash
# Suggestions that learn from the record (issue #17, item 1): when people
# allowed the same suggestion in earlier sessions (learn_sessions, default 2),
# the first suggestion offered is the wider scope (the agent, or the
# workspace when all were in one), saying why; `decide g:G allow --rule 1`
# saves it with its scope, TTL and ceiling.  The family of ways to get a wide
# rule nobody chose: one session counted twice, rules sandgate or an import
# made, a high group, a pattern a person denied, another agent's sessions.
# Default settings (routine preset on).
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/rules/rules_lib.sh"

printf 'preset = routine\n' >"$XDG_CONFIG_HOME/sandgate/config"
start_broker
export SANDGATE_REVIEWER=alice
mkdir -p "$T/w1/.git" "$T/w2/.git" "$T/w3/.git" "$T/w4/.git"

# group_json G: the group G's view
group_json() { "$SGTEST" call console groups "[{\"ids\":[\"$1\"]}]"; }
# first_offer G: its first suggestion (one JSON object, no nested maps)
first_offer() { group_json "$1" | grep -o '"suggestions":\[{[^}]*}' | sed 's/^"suggestions":\[//'; }
# allow_in NAME SESSION AGENT DIR CMD...: ask in the background, then allow its
# group with suggestion 1 as the offer says; prints the decide output
allow_in() {
	local name=$1 sess=$2 agent=$3 dir=$4 g
	shift 4
	(cd "$dir" && ask_bg "$name" --session "$sess" --agent "$agent" -- "$@")
	wait_for 10 "[ -n \"\$(group_of 'exec git push')\" ]"
	g=$(group_of "exec git push")
	sg decide "g:$g" allow --rule 1
	[ "$(rc_of "$name")" = 0 ] || fail "$name was not allowed"
}

# --- two earlier sessions of codex, in two workspaces: the third is offered agent scope
allow_in a1 s1 codex "$T/w1" git push origin main >/dev/null
allow_in a2 s2 codex "$T/w2" git push origin main >/dev/null
sg rules list --json | matches '"pattern":"exec git push origin main","scope":"session","scope_value":"s1"' ||
	fail "first rule: $(sg rules list --json)"
sg rules list --json | matches '"made_session":"s2","made_agent":"codex","made_workspace":"'"$T"'/w2"' ||
	fail "a group rule does not record where it was made: $(sg rules list --json)"
(cd "$T/w3" && ask_bg a3 --session s3 --agent codex -- git push origin main)
wait_total 1
g=$(group_of "exec git push")
o=$(first_offer "$g")
case $o in
*'"pattern":"exec git push origin main","scope":"agent","scope_value":"codex","ttl":2592000,"max_level":"medium","reason":"allowed in 2 earlier sessions of codex, by alice","learned":true'*) ;;
*) fail "the first offer is not the learned agent scope: $o" ;;
esac
# the session-scoped one is still offered after it
group_json "$g" | matches '"index":1,"pattern":"exec git push origin main","scope":"session","scope_value":"s3"' ||
	fail "the session offer is gone: $(group_json "$g")"
sg pending --groups | matches -- '--rule 1: exec git push origin main  (agent scope, 30 d, allow ≤medium;' ||
	fail "pending --groups does not show the offer's terms: $(sg pending --groups)"
sg pending --groups | matches 'allowed in 2 earlier sessions of codex, by alice' ||
	fail "pending --groups does not say why: $(sg pending --groups)"
out=$(sg decide "g:$g" allow --rule 1)
case $out in *"saved rule "[0-9]*) ;; *) fail "decide: $out" ;; esac
rid=${out##*saved rule }; rid=${rid%%:*}
[ "$(rc_of a3)" = 0 ] || fail "a3 not allowed"
sg rules list --json | matches '"id":'"$rid"',"effect":"allow","pattern":"exec git push origin main","scope":"agent","scope_value":"codex","expires_ms":[0-9]' ||
	fail "the learned rule: $(sg rules list --json)"
cr=$(sqlite3 "$SANDGATE_DB" "select expires_ms - created_ms, max_level from rules where id = $rid")
[ "$cr" = "2592000000|medium" ] || fail "learned rule TTL/ceiling: $cr"
# it answers codex in a fourth workspace at once, and not another agent
(cd "$T/w4" && expect_rc 0 sg ask --session s4 --agent codex -- git push origin main)
(cd "$T/w4" && ask_bg o1 --session s5 --agent claude -- git push origin main)
wait_total 1
still_pending o1 || fail "an agent-scope rule answered another agent"
pass "allowed in 2 earlier sessions: the first offer is agent scope, with TTL, ceiling and reason; --rule 1 saves it"

# --- --scope/--ttl override the offer
g=$(group_of "exec git push")
out=$(sg decide "g:$g" allow --rule 1 --scope session --ttl 1h)
[ "$(rc_of o1)" = 0 ] || fail "o1 not allowed"
sg rules list --json | matches '"pattern":"exec git push origin main","scope":"session","scope_value":"s5","expires_ms":[0-9]' ||
	fail "--scope session did not override: $(sg rules list --json)"
pass "--scope and --ttl override the offer"

# --- one session counted twice is not two sessions; revoked rules do not count
for i in 1 2; do
	(cd "$T/w1" && ask_bg t$i --session t1 --agent aider -- git push origin dev)
	wait_total 1
	g=$(group_of "exec git push")
	sg decide "g:$g" allow --rule 1 >/dev/null
	[ "$(rc_of t$i)" = 0 ] || fail "t$i not allowed"
	# the session rule answers the same session: revoke it to be asked again
	sg rules rm "$(sg rules list --json | grep -o '"id":[0-9]*,"effect":"allow","pattern":"exec git push origin dev"' |
		tail -n 1 | grep -o '[0-9][0-9]*' | head -n 1)" >/dev/null
done
[ "$(sqlite3 "$SANDGATE_DB" "select count(*) from rules where pattern = 'exec git push origin dev' and made_session = 't1'")" = 2 ] ||
	fail "two rules in session t1 expected"
(cd "$T/w2" && ask_bg t3 --session t2 --agent aider -- git push origin dev)
wait_total 1
o=$(first_offer "$(group_of "exec git push")")
case $o in *'"learned":false'*) ;; *) fail "learned from one session (and revoked rules): $o" ;; esac
g=$(group_of "exec git push"); sg decide "g:$g" allow --rule 1 >/dev/null; rc_of t3 >/dev/null
# t1's rules were revoked by a person: t2 alone is one session
(cd "$T/w3" && ask_bg t4 --session t3 --agent aider -- git push origin dev)
wait_total 1
o=$(first_offer "$(group_of "exec git push")")
case $o in *'"learned":false'*) ;; *) fail "revoked rules counted: $o" ;; esac
g=$(group_of "exec git push"); sg decide "g:$g" allow --rule 1 >/dev/null; rc_of t4 >/dev/null
# t2 and t3 are two sessions whose rules stand: now it is learnt
(cd "$T/w4" && ask_bg t5 --session t4 --agent aider -- git push origin dev)
wait_total 1
o=$(first_offer "$(group_of "exec git push")")
case $o in *'"learned":true'*'allowed in 2 earlier sessions of aider'*|*'allowed in 2 earlier sessions of aider'*'"learned":true'*) ;;
*) fail "two standing sessions not learnt: $o" ;; esac
g=$(group_of "exec git push"); sg decide "g:$g" deny >/dev/null; rc_of t5 >/dev/null
pass "one session twice, and revoked rules, never make a wider offer"

# --- rules made by hand or imported carry no session: never learnt from
for s in h1 h2 h3; do
	sg rules add allow exec git push origin hand --scope session --scope-value $s >/dev/null
done
(cd "$T/w1" && ask_bg h4 --session h4 --agent codex -- git push origin hand)
wait_total 1
o=$(first_offer "$(group_of "exec git push")")
case $o in *'"learned":false'*) ;; *) fail "learned from hand-made rules: $o" ;; esac
g=$(group_of "exec git push"); sg decide "g:$g" deny >/dev/null; rc_of h4 >/dev/null
pass "hand-made rules are not learnt from"

# --- a pattern a person denied by a rule is never widened
allow_in d1 d1 gemini "$T/w1" git push origin release >/dev/null
allow_in d2 d2 gemini "$T/w2" git push origin release >/dev/null
(cd "$T/w3" && ask_bg d3 --session d3 --agent gemini -- git push origin release)
wait_total 1
case $(first_offer "$(group_of "exec git push")") in *'"learned":true'*) ;; *) fail "no learned offer before the deny" ;; esac
g=$(group_of "exec git push"); sg decide "g:$g" deny --rule 2 >/dev/null; rc_of d3 >/dev/null
(cd "$T/w4" && ask_bg d4 --session d4 --agent gemini -- git push origin release)
wait_total 1
case $(first_offer "$(group_of "exec git push")") in *'"learned":false'*) ;; *) fail "widened a pattern a person denied" ;; esac
g=$(group_of "exec git push"); sg decide "g:$g" deny >/dev/null; rc_of d4 >/dev/null
pass "a pattern a person denied is not widened"

# --- all earlier sessions in one workspace: workspace scope
allow_in w1 w1 qwen "$T/w1" git push origin ws >/dev/null
allow_in w2 w2 qwen "$T/w1" git push origin ws >/dev/null
(cd "$T/w1" && ask_bg w3 --session w3 --agent qwen -- git push origin ws)
wait_total 1
o=$(first_offer "$(group_of "exec git push")")
case $o in
*'"scope":"workspace","scope_value":"'"$T"'/w1"'*'"reason":"allowed in 2 earlier sessions of qwen, all in '"$T"'/w1, by alice"'*) ;;
*) fail "not the workspace offer: $o" ;;
esac
g=$(group_of "exec git push"); sg decide "g:$g" deny >/dev/null; rc_of w3 >/dev/null
pass "sessions all in one workspace: the offer is the workspace"

# --- a high group is never widened (git push --force is high)
allow_in f1 f1 codex "$T/w1" git push --force origin main >/dev/null
allow_in f2 f2 codex "$T/w2" git push --force origin main >/dev/null
(cd "$T/w3" && ask_bg f3 --session f3 --agent codex -- git push --force origin main)
wait_total 1
g=$(group_of "exec git push")
group_json "$g" | matches '"max_level":"high"' || fail "git push --force is not high: $(group_json "$g")"
o=$(first_offer "$g")
case $o in *'"scope":"session"'*'"ttl":28800,"max_level":"high"'*'"learned":false'*) ;; *) fail "a high group was widened: $o" ;; esac
group_json "$g" | matches '"learned":true' && fail "a high group has a learned offer: $(group_json "$g")"
g=$(group_of "exec git push"); sg decide "g:$g" deny >/dev/null; rc_of f3 >/dev/null
pass "a high group is never widened"

# --- what was learnt is in the database: a restarted broker offers it too
stop_broker
start_broker
(cd "$T/w1" && ask_bg w4 --session w4 --agent qwen -- git push origin ws)
wait_total 1
case $(first_offer "$(group_of "exec git push")") in *'"scope":"workspace"'*'"learned":true'*) ;;
*) fail "not learnt after a restart: $(first_offer "$(group_of "exec git push")")" ;; esac
g=$(group_of "exec git push"); sg decide "g:$g" deny >/dev/null; rc_of w4 >/dev/null
pass "a restarted broker learns from the stored rules"

# --- learn_sessions = off: never
stop_broker
printf 'preset = routine\nlearn_sessions = off\n' >"$XDG_CONFIG_HOME/sandgate/config"
start_broker
(cd "$T/w3" && ask_bg n1 --session n1 --agent gemini -- git push origin main)
wait_total 1
case $(first_offer "$(group_of "exec git push")") in *'"learned":false'*) ;; *) fail "learn_sessions = off still widened" ;; esac
printf 'learn_sessions = 1\n' >>"$XDG_CONFIG_HOME/sandgate/config"
stop_broker
expect_rc 3 sg broker 2>"$T/berr" || true
grep -q "learn_sessions" "$T/berr" || fail "learn_sessions = 1 accepted: $(cat "$T/berr")"
pass "learn_sessions is a setting; one session is refused"
