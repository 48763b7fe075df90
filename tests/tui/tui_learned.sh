#!/usr/bin/env bash
# The console and learned suggestions (issue #17, item 1): a suggestion
# people allowed in two earlier sessions is offered first with the agent's
# scope, its TTL, ceiling and why; s, Enter, Enter, a saves it on exactly
# those terms.  The rules view marks a rule that may allow high requests.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/tui/tui_lib.sh"
source "$SG_SRC/tests/rules/rules_lib.sh"

printf 'preset = routine\n' >"$XDG_CONFIG_HOME/sandgate/config"
start_broker
export SANDGATE_REVIEWER=alice
for w in w1 w2 w3; do mkdir -p "$T/$w/.git"; done
for s in 1 2; do
	(cd "$T/w$s" && ask_bg e$s --session s$s --agent codex -- git push origin main)
	wait_total 1
	sg decide "g:$(group_of "exec git push")" allow --rule 1 >/dev/null
	[ "$(rc_of e$s)" = 0 ] || fail "e$s"
done
(cd "$T/w3" && ask_bg e3 --session s3 --agent codex -- git push origin main)
wait_total 1

start_console 140 60
wait_screen '1 pending'
wait_screen 'a allow d deny' 15
wait_screen 'exec git push origin main  agent, 30 d, to medium,'
screen | matches 'allowed in 2 earlier sessions of codex, by alice' || { screen >&2; fail "no reason shown"; }
keys s
wait_screen 'Remember which pattern'
screen | matches ' 1 exec git push origin main .*agent, 30 d, to medium' ||
	{ screen >&2; fail "the remember step does not show the learned offer first"; }
screen | matches 'allowed in 2 earlier sessions' || { screen >&2; fail "the remember step does not say why"; }
keys Enter
wait_screen 'For whom'
keys Enter
wait_screen 'For how long'
screen | matches ' 1 as suggested' || { screen >&2; fail "the TTL step does not start at the suggestion's"; }
keys Enter
wait_screen 'up to which risk'
keys Enter
wait_screen 'Remember exec git push origin main'
keys a
wait_screen 'rule #[0-9]+ remembered'
[ "$(rc_of e3)" = 0 ] || fail "e3 not allowed"
r=$(sqlite3 "$SANDGATE_DB" "select scope, scope_value, max_level, expires_ms - created_ms from rules order by id desc limit 1")
[ "$r" = "agent|codex|medium|2592000000" ] || fail "the console saved something else: $r"
pass "s and Enter at each step, then a, saves the learned offer with its scope, TTL and ceiling"

# --- the rules view marks rules that may allow high requests
sg rules add allow exec make deploy --max-level high >/dev/null
keys 2
wait_screen '\[2 Rules\]'
screen | matches 'exec make deploy high' || { screen >&2; fail "the rules view does not mark the high rule"; }
pass "the rules view marks high rules"
