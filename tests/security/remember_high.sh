#!/usr/bin/env bash
# Remembering high on purpose (issue #17, item 6): a person may remember a
# high request narrowly -- the exact command (pinned when it runs a file:
# pinned_programs.sh), session or agent scope only, expiring (remember_high_ttl,
# 8 h by default); a critical request is never remembered, from the CLI or
# the console's protocol.  `rules list` marks such rules; each later allow's
# audit row names the rule and who made it.  The family: widen the pattern,
# the scope or the expiry of a high rule; remember critical by another door.
# Default settings (routine preset on).
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/rules/rules_lib.sh"

printf 'preset = routine\n' >"$XDG_CONFIG_HOME/sandgate/config"
start_broker
export SANDGATE_REVIEWER=alice SANDGATE_SESSION=h1 SANDGATE_AGENT=codex
mkdir -p "$T/ws/.git"
cd "$T/ws"
uid=$(id -u)
group_json() { "$SGTEST" call console groups "[{\"ids\":[\"$1\"]}]"; }
# group_for SESSION SUMMARY: the group of the pending request with this summary in this session
group_for() {
	"$SGTEST" call console list '[]' | sed 's/{"id":/\n/g' | grep -F "\"session\":\"$1\"" |
		grep -F "\"summary\":\"$2\"" | grep -o '"group":"g[0-9]*"' | head -n 1 | cut -d'"' -f4
}

# --- remembered narrowly, by default for the session and 8 h
ask_bg p1 -- git push --force origin main
wait_total 1
g=$(group_of "exec git push")
group_json "$g" | matches '"max_level":"high","oldest_ms"' || fail "not a high group: $(group_json "$g")"
o=$(group_json "$g" | grep -o '"suggestions":\[.*\]')
case $o in
'"suggestions":[{"index":0,"pattern":"exec git push --force origin main","scope":"session","scope_value":"h1","ttl":28800,"max_level":"high","reason":"a high request, remembered narrowly: this exact command, for this session, expires after 8 h"'*) ;;
*) fail "the high offer: $o" ;;
esac
case $o in *'"pattern":"exec git push *"'*|*'"pattern":"exec git *"'*) fail "a high group offers a wildcard: $o" ;; esac
out=$(sg decide "g:$g" allow --rule 1)
case $out in *"saved rule "[0-9]*) ;; *) fail "decide: $out" ;; esac
rid=${out##*saved rule }; rid=${rid%%:*}
[ "$(rc_of p1)" = 0 ] || fail "p1 not allowed"
r=$(sqlite3 "$SANDGATE_DB" "select scope, scope_value, max_level, expires_ms - created_ms, author_name from rules where id = $rid")
[ "$r" = "session|h1|high|28800000|alice" ] || fail "the high rule: $r"
sg rules list | matches "^$rid  *session .* [78]h  *allow ≤high exec git push --force origin main  \[h1\]  {high}$" ||
	fail "rules list does not mark the high rule with its expiry: $(sg rules list)"
sg rules list --json | matches '"id":'"$rid"',.*"max_level":"high",.*"high":true' || fail "rules --json: no high mark"
pass "a high request is remembered exactly, for the session, for 8 h, and marked"

# --- later allows name the rule and who made it; it stays narrow
expect_rc 0 sg ask -- git push --force origin main
row=$(sqlite3 "$SANDGATE_DB" "select decided_by, rule_id, note from audit order by seq desc limit 1")
[ "$row" = "rule|$rid|rule $rid made by alice (uid $uid)" ] || fail "the audit row of a later allow: $row"
ask_bg n1 -- git push --force origin dev
ask_bg n2 -- git push --force origin main --tags
ask_bg n3 --session h2 -- git push --force origin main
wait_total 3
still_pending n1 && still_pending n2 && still_pending n3 || fail "the high rule allowed something wider"
pass "each later allow's audit row names the rule and its maker; nothing wider is allowed"

# --- wider scopes are refused; several different members: nothing exact to remember
g=$(group_for h2 "git push --force origin main")
[ -n "$g" ] || fail "no group for n3"
for sc in workspace global; do
	rc=0
	out=$(sg decide "g:$g" allow --rule 1 --scope $sc 2>&1) || rc=$?
	[ "$rc" != 0 ] || fail "a high group remembered with scope $sc: $out"
	case $out in *"remembered for this session or this agent only"*) ;; *) fail "unclear refusal: $out" ;; esac
done
still_pending n3 || fail "a refused decide decided the members"
sg decide "g:$g" allow --rule 1 --scope agent >/dev/null
[ "$(rc_of n3)" = 0 ] || fail "n3"
sg rules list --json | matches '"pattern":"exec git push --force origin main","scope":"agent","scope_value":"codex","expires_ms":[0-9]' ||
	fail "agent scope with the default expiry: $(sg rules list --json)"
# n1 and n4 differ in one argument: one group, no exact pattern
ask_bg n4 -- git push --force origin feature
wait_total 3
g=$(group_for h1 "git push --force origin dev")
[ "$g" = "$(group_for h1 "git push --force origin feature")" ] || fail "n1 and n4 are not one group"
group_json "$g" | matches '"suggestions":\[\]' || fail "offers for different high commands: $(group_json "$g")"
rc=0
out=$(sg decide "g:$g" allow --rule 1 2>&1) || rc=$?
[ "$rc" != 0 ] || fail "remembered a high group without an exact pattern"
case $out in *"remembered only exactly"*|*"has no suggested rule"*) ;; *) fail "unclear refusal: $out" ;; esac
still_pending n1 || fail "a refused decide decided the members"
sg decide "g:$g" deny >/dev/null
sg decide "g:$(group_for h1 "git push --force origin main --tags")" deny >/dev/null
rc_of n1 >/dev/null; rc_of n2 >/dev/null; rc_of n4 >/dev/null
pass "workspace and global are refused for a high rule; agent is allowed; a group without an exact pattern is not remembered"

# --- it expires at its TTL
ask_bg x1 --session h3 -- git push --force origin x
wait_total 1
sg decide "g:$(group_of "exec git push")" allow --rule 1 --ttl 2 >/dev/null
[ "$(rc_of x1)" = 0 ] || fail "x1"
expect_rc 0 sg ask --session h3 -- git push --force origin x
sleep 3
ask_bg x2 --session h3 -- git push --force origin x
wait_total 1
still_pending x2 || fail "an expired high rule allowed"
sg decide "g:$(group_of "exec git push")" deny >/dev/null
rc_of x2 >/dev/null
pass "a remembered high request expires at its TTL"

# --- a medium group's rule cannot be given a high ceiling (a wide pattern remembered for high requests)
ask_bg m1 --session m1 -- git push origin topic
wait_total 1
g=$(group_for m1 "git push origin topic")
out=$("$SGTEST" call console decide "[{\"group\":\"$g\",\"decision\":\"allow\",\"rule\":2,\"max_level\":\"high\",\"reviewer\":\"alice\"}]" 2>&1 || true)
case $out in *'"code":"bad-params"'*"applies up to medium"*) ;; *) fail "a wide rule with a high ceiling was saved: $out" ;; esac
still_pending m1 || fail "m1 decided by a refused call"
sg decide "g:$g" deny >/dev/null
rc_of m1 >/dev/null
pass "a rule from a medium group cannot take a high ceiling"

# --- critical is never remembered: CLI, and the console's protocol
ask_bg c1 --session c1 -- sudo rm -rf /var/x
wait_total 1
g=$(group_of "exec sudo")
group_json "$g" | matches '"max_level":"critical"' || fail "not critical: $(group_json "$g")"
rc=0
out=$(sg decide "g:$g" allow --rule 1 2>&1) || rc=$?
[ "$rc" != 0 ] || fail "a critical group was remembered: $out"
case $out in *"critical requests are never remembered"*) ;; *) fail "unclear refusal: $out" ;; esac
for extra in '' ',"critical_ok":true' ',"scope":"once"' ',"max_level":"critical","critical_ok":true'; do
	out=$("$SGTEST" call console decide "[{\"group\":\"$g\",\"decision\":\"allow\",\"rule\":0,\"reviewer\":\"alice\"$extra}]" 2>&1 || true)
	case $out in *'"code":"bad-params"'*"critical requests are never remembered"*) ;; *) fail "protocol remembered critical ($extra): $out" ;; esac
done
still_pending c1 || fail "a refused decision decided the request"
[ "$(sqlite3 "$SANDGATE_DB" "select count(*) from rules where max_level = 'critical' or pattern like '%sudo%'")" = 0 ] ||
	fail "a rule was stored"
# a rule from it may deny
out=$(sg decide "g:$g" deny --rule 1)
case $out in *"saved rule "[0-9]*) ;; *) fail "deny with a rule: $out" ;; esac
[ "$(rc_of c1)" = 1 ] || fail "c1 not denied"
expect_rc 1 sg ask --session c1 -- sudo rm -rf /var/x
pass "critical is never remembered (CLI and protocol); a rule from it may deny"

# --- remember_high_ttl is a setting
stop_broker
printf 'preset = routine\nremember_high_ttl = 2h\n' >"$XDG_CONFIG_HOME/sandgate/config"
start_broker
ask_bg t1 --session t1 -- git push --force origin t
wait_total 1
group_json "$(group_of "exec git push")" | matches '"ttl":7200,"max_level":"high"' ||
	fail "remember_high_ttl not used: $(group_json "$(group_of "exec git push")")"
pass "remember_high_ttl sets the default expiry"
