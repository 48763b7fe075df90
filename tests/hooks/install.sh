#!/bin/bash
# install.sh -- `sandgate install|uninstall AGENT` on realistic settings files
# (tests/hooks/settings/): existing hooks, permissions and other settings are
# kept, a backup is made, a second run changes nothing, an old sandgate entry
# is replaced in place, uninstall restores the original, symlinked files are
# followed, and files that do not parse (comments, trailing commas, duplicate
# keys) or have the wrong shape are never touched.
. "$SG_SRC/tests/lib.sh"
Q="$SG_BUILD/tests/hooks/sg_jsonq"
S="$SG_SRC/tests/hooks/settings"
unset CODEX_HOME SANDGATE_HOOK_TIMEOUT || true
P="$T/project"
mkdir -p "$P"

backups() { ls "$1".sandgate-backup-* 2>/dev/null | wc -l; }
# ours FILE EVENT AGENT: how many handlers of EVENT run `sandgate hook AGENT`
ours() { "$Q" dump "$1" "hooks.$2" 2>/dev/null | grep -o "sandgate[^ ]* hook $3" | wc -l; }
same() { "$Q" eq "$1" "$2" "$3" "$2" || fail "$4: $2 changed"; }
# install from the build tree into $T (a temp dir) needs --force (issue #16;
# the refusal itself is tested in tests/integration/cli_firstrun.sh)
run() {
	rc=0
	if [ "$1" = install ]; then
		shift
		sg install --force "$@" >"$T/out" 2>"$T/err" || rc=$?
	else
		sg "$@" >"$T/out" 2>"$T/err" || rc=$?
	fi
}

# ---- claude-code, project settings (settings.local.json) ----
F="$P/.claude/settings.local.json"
mkdir -p "$P/.claude"
cp "$S/claude-settings.json" "$F"
cp "$F" "$T/orig.json"
run install claude-code --project "$P"
[ "$rc" = 0 ] || fail "install: exit $rc: $(cat "$T/err")"
grep -q "installed in $F" "$T/out" || fail "install did not say where: $(cat "$T/out")"
[ "$(backups "$F")" = 1 ] || fail "no backup"
cmp -s "$F".sandgate-backup-* "$T/orig.json" || fail "backup differs from the original"
for k in '$schema' model permissions env sandbox cleanupPeriodDays feedbackSurveyRate statusLine \
    hooks.PostToolUse hooks.Notification hooks.PreToolUse.0; do
	same "$T/orig.json" "$k" "$F" "claude install"
done
grep -q '"feedbackSurveyRate": 0.05,' "$F" || fail "0.05 was not written back as 0.05"
grep -q 'ünïcode ✓' "$F" || fail "UTF-8 text was escaped or lost"
[ "$(ours "$F" PreToolUse claude-code)" = 1 ] && [ "$(ours "$F" PermissionRequest claude-code)" = 1 ] &&
    [ "$(ours "$F" PreSkillShellCommand claude-code)" = 1 ] || fail "not exactly one sandgate handler per event"
cmd=$("$Q" get "$F" hooks.PreToolUse.1.hooks.0.command)
[ "$cmd" = "'$SANDGATE' hook claude-code --timeout 590" ] || fail "hook command is: $cmd"
[ "$("$Q" get "$F" hooks.PreToolUse.1.hooks.0.timeout)" = 600 ] || fail "timeout is not 600 s"
[ "$("$Q" get "$F" hooks.PermissionRequest.0.hooks.0.type)" = command ] || fail "handler type"
# a hook that crashes, hangs or is killed blocks the call (Claude Code's onFailure)
for ev in PreToolUse.1 PermissionRequest.0 PreSkillShellCommand.0; do
	[ "$("$Q" get "$F" "hooks.$ev.hooks.0.onFailure")" = block ] || fail "$ev: onFailure is not block"
done
pass "claude-code: merged into existing hooks and permissions, backup kept, onFailure block, PreSkillShellCommand"

cp "$F" "$T/after.json"
run install claude-code --project "$P"
[ "$rc" = 0 ] && grep -q "already installed" "$T/out" || fail "second install: $rc $(cat "$T/out")"
cmp -s "$F" "$T/after.json" || fail "second install changed the file"
[ "$(backups "$F")" = 1 ] || fail "second install made a backup"
pass "claude-code: installing twice changes nothing"

# the written command really is the hook: no broker, so it denies
printf '{"session_id":"s","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"},"tool_use_id":"t1"}' >"$T/p.json"
rc=0
sh -c "$cmd" <"$T/p.json" >"$T/hook.out" 2>/dev/null || rc=$?
[ "$rc" = 0 ] && [ "$("$Q" get "$T/hook.out" hookSpecificOutput.permissionDecision)" = deny ] ||
    fail "installed command did not answer deny: $rc $(cat "$T/hook.out")"
pass "the installed command runs the hook (deny without a broker)"

run uninstall claude-code --project "$P"
[ "$rc" = 0 ] || fail "uninstall: exit $rc: $(cat "$T/err")"
"$Q" eq "$T/orig.json" . "$F" . || fail "uninstall did not restore the original settings"
[ "$(backups "$F")" = 2 ] || fail "uninstall made no backup"
run uninstall claude-code --project "$P"
[ "$rc" = 0 ] && grep -q "nothing changed" "$T/out" || fail "second uninstall: $(cat "$T/out")"
[ "$(backups "$F")" = 2 ] || fail "second uninstall made a backup"
pass "claude-code: uninstall restores the original; twice changes nothing"

# an entry from an older sandgate is replaced where it was, not duplicated
rm -f "$F".sandgate-backup-*
cp "$S/claude-with-old-sandgate.json" "$F"
run install claude-code --project "$P"
[ "$rc" = 0 ] || fail "install over an old entry: $(cat "$T/err")"
[ "$(ours "$F" PreToolUse claude-code)" = 1 ] || fail "old entry duplicated"
"$Q" get "$F" hooks.PreToolUse.0.hooks.0.command | matches -F "'$SANDGATE' hook claude-code" || fail "old entry not replaced in place"
[ "$("$Q" get "$F" hooks.PreToolUse.1.matcher)" = Bash ] || fail "other hook moved"
same "$S/claude-with-old-sandgate.json" permissions "$F" "old entry"
pass "claude-code: an older sandgate entry is replaced in place"

# files that do not parse, or have the wrong shape, are never touched
for bad in claude-jsonc claude-hooks-array claude-duplicate; do
	rm -f "$F".sandgate-backup-*
	cp "$S/$bad.json" "$F"
	for verb in install uninstall; do
		run "$verb" claude-code --project "$P"
		[ "$rc" = 1 ] || fail "$verb $bad: exit $rc, want 1"
		grep -q "not touching it" "$T/err" || fail "$verb $bad: $(cat "$T/err")"
		cmp -s "$F" "$S/$bad.json" || fail "$verb $bad: the file was changed"
		[ "$(backups "$F")" = 0 ] || fail "$verb $bad: a backup was made"
	done
done
pass "comments, trailing commas, duplicate keys, hooks not an object: refused, untouched"

# a blank file is an empty object; --dry-run writes nothing
printf '\n' >"$F"
run install claude-code --project "$P" --dry-run
[ "$rc" = 0 ] && grep -q "hook claude-code" "$T/out" || fail "dry run printed nothing useful"
[ "$(cat "$F")" = "" ] || fail "dry run wrote the file"
run install claude-code --project "$P"
[ "$rc" = 0 ] && [ "$(ours "$F" PreToolUse claude-code)" = 1 ] || fail "install into a blank file"
pass "blank file and --dry-run"

# ---- claude-code, user settings created from nothing ----
run install claude-code --user
U="$HOME/.claude/settings.json"
[ "$rc" = 0 ] && [ -f "$U" ] || fail "user install: $(cat "$T/err")"
[ "$(backups "$U")" = 0 ] || fail "backup of a file that did not exist"
[ "$("$Q" len "$U" hooks)" = 3 ] || fail "user file should hold three events"
run uninstall claude-code
[ "$rc" = 0 ] && [ "$("$Q" len "$U" .)" = 0 ] || fail "uninstall left: $(cat "$U")"
pass "claude-code --user: ~/.claude/settings.json created, then emptied"

# ---- codex: CODEX_HOME/hooks.json, PermissionRequest by default ----
export CODEX_HOME="$T/codex-home"
mkdir -p "$CODEX_HOME"
C="$CODEX_HOME/hooks.json"
cp "$S/codex-hooks.json" "$C"
run install codex
[ "$rc" = 0 ] || fail "codex install: $(cat "$T/err")"
[ "$(ours "$C" PermissionRequest codex)" = 1 ] && [ "$(ours "$C" PreToolUse codex)" = 0 ] ||
    fail "codex default events should be PermissionRequest only"
same "$S/codex-hooks.json" hooks.PermissionRequest.0 "$C" codex
same "$S/codex-hooks.json" hooks.PreToolUse "$C" codex
same "$S/codex-hooks.json" description "$C" codex
[ "$("$Q" len "$C" .)" = 2 ] || fail "codex hooks.json root must keep only description and hooks"
[ "$("$Q" get "$C" hooks.PermissionRequest.1.hooks.0.timeout)" = 600 ] || fail "codex timeout"
# Codex has no fail-closed setting for a handler: none is written
[ "$("$Q" get "$C" hooks.PermissionRequest.1.hooks.0.onFailure 2>/dev/null)" = "" ] || fail "codex: onFailure written"
run install codex --events PreToolUse,PermissionRequest
[ "$(ours "$C" PreToolUse codex)" = 1 ] && [ "$(ours "$C" PermissionRequest codex)" = 1 ] || fail "codex --events"
run uninstall codex
"$Q" eq "$S/codex-hooks.json" . "$C" . || fail "codex uninstall did not restore"
unset CODEX_HOME
run install codex --project "$P"
[ "$rc" = 0 ] && [ "$(ours "$P/.codex/hooks.json" PermissionRequest codex)" = 1 ] || fail "codex --project"
pass "codex: CODEX_HOME and --project, PermissionRequest by default, --events, round trip"

# ---- gemini: a symlinked settings file, timeout in milliseconds ----
mkdir -p "$T/dotfiles" "$P/.gemini"
cp "$S/gemini-settings.json" "$T/dotfiles/gemini.json"
ln -s "$T/dotfiles/gemini.json" "$P/.gemini/settings.json"
G="$P/.gemini/settings.json"
run install gemini --project "$P"
[ "$rc" = 0 ] || fail "gemini install: $(cat "$T/err")"
[ -L "$G" ] || fail "the symlink was replaced by a file"
[ "$(backups "$T/dotfiles/gemini.json")" = 1 ] || fail "no backup next to the link target"
[ "$(ours "$G" BeforeTool gemini)" = 1 ] || fail "gemini handler missing"
[ "$("$Q" get "$G" hooks.BeforeTool.1.hooks.0.timeout)" = 600000 ] || fail "gemini timeout is not in ms"
[ "$("$Q" get "$G" hooks.BeforeTool.1.hooks.0.name)" = sandgate ] || fail "gemini handler has no name"
for k in general ui model tools mcpServers context hooks.enabled hooks.disabled hooks.AfterTool hooks.BeforeTool.0; do
	same "$S/gemini-settings.json" "$k" "$G" gemini
done
# (no broker runs in this test: that warning is expected, issue #16)
! grep -v "warning: no broker is running" "$T/err" | matches . || fail "unexpected warning: $(cat "$T/err")"
run uninstall gemini --project "$P"
"$Q" eq "$S/gemini-settings.json" . "$G" . || fail "gemini uninstall did not restore"
[ -L "$G" ] || fail "uninstall replaced the symlink"
printf '{"hooks": {"enabled": false}}\n' >"$T/dotfiles/gemini.json"
run install gemini --project "$P"
[ "$rc" = 0 ] && grep -q "disables hooks" "$T/err" || fail "no warning about disabled hooks"
pass "gemini: symlink followed, ms timeout, named handler, round trip, disabled-hooks warning"

# ---- usage errors ----
run install cursor; [ "$rc" = 2 ] || fail "unknown agent: exit $rc"
run install gemini --events PreToolUse; [ "$rc" = 2 ] || fail "bad event: exit $rc"
run install codex --user --project "$P"; [ "$rc" = 2 ] || fail "--user with --project: exit $rc"
run install codex --project "$T/nope"; [ "$rc" = 1 ] || fail "missing project dir: exit $rc"
run install claude-code --hook-timeout 1; [ "$rc" = 2 ] || fail "bad --hook-timeout: exit $rc"
pass "usage errors"
