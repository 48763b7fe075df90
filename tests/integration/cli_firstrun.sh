# Issue #16 item 10: the first run.  `sandgate broker` says its pid and
# runtime dir (on a terminal also its database, log and what to do next);
# the hook's "broker unreachable" reason says how to start one; `install`
# refuses to point an agent at a binary in a build tree or a temp dir
# without --force and warns when no broker runs; `ask` defaults its session
# to the terminal's, so one shell's requests group.
. "$SG_SRC/tests/lib.sh"
command -v tmux >/dev/null || { echo "SKIP: tmux not installed"; exit 0; }
export LC_ALL=C.UTF-8
TM_SOCK="sgfirst-$$"
tm() { tmux -u -L "$TM_SOCK" -f /dev/null "$@"; }
at_exit 'tm kill-server 2>/dev/null'
ENVS="SANDGATE_DIR=$SANDGATE_DIR SANDGATE_DB=$SANDGATE_DB XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_STATE_HOME=$XDG_STATE_HOME XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR HOME=$HOME"

# ---- the hook without a broker: deny, and how to start one
printf '%s' '{"hook_event_name":"PreToolUse","session_id":"s","cwd":"/","tool_name":"Bash","tool_input":{"command":"ls"}}' |
	sg hook claude-code >"$T/hook.out" 2>/dev/null || true
grep -q '"permissionDecision":"deny"' "$T/hook.out" || fail "hook did not deny: $(cat "$T/hook.out")"
grep -q 'broker unreachable.*Start it with `sandgate broker`, or run `sandgate`' "$T/hook.out" ||
	fail "the unreachable reason does not say how to start the broker: $(cat "$T/hook.out")"
pass "hook: broker unreachable says how to start it"

# ---- install: from the build tree it is refused; --force writes, with a warning that no broker runs
P=$T/project
mkdir -p "$P"
expect_rc 1 sg install claude-code --project "$P" >"$T/out" 2>"$T/err"
# (a checkout under /tmp is named by the temporary-directory reason instead)
grep -qE "^sandgate install: the hook would run $SANDGATE, which is inside the (build tree|temporary directory) " "$T/err" ||
	fail "install from the build tree: $(cat "$T/err")"
grep -q -- "--force" "$T/err" || fail "the refusal does not name --force"
[ ! -e "$P/.claude/settings.local.json" ] || fail "a refused install wrote the settings"
# a copy of the binary in a temp dir is refused the same way
mkdir -p "$T/bin"
cp "$SANDGATE" "$T/bin/sandgate"
expect_rc 1 "$T/bin/sandgate" install codex --project "$P" >/dev/null 2>"$T/err"
grep -q "which is inside the temporary directory" "$T/err" || fail "install from a temp dir: $(cat "$T/err")"
# --dry-run writes nothing and is not refused
sg install claude-code --project "$P" --dry-run >"$T/dry" 2>/dev/null || fail "dry run refused"
grep -q "hook claude-code" "$T/dry" || fail "dry run output"
sg install claude-code --project "$P" --force >"$T/out" 2>"$T/err" || fail "install --force: $(cat "$T/err")"
[ -f "$P/.claude/settings.local.json" ] || fail "install --force wrote nothing"
grep -q "^sandgate install: warning: no broker is running (.*$SANDGATE_DIR/agent.sock.*Start it with \`sandgate broker\`" "$T/err" ||
	fail "no warning without a broker: $(cat "$T/err")"
sg uninstall claude-code --project "$P" >/dev/null 2>"$T/err" || fail "uninstall refused: $(cat "$T/err")"
pass "install: refused from a build tree or temp dir without --force; warns when no broker runs"

# ---- sandgate broker: pid and runtime dir (one line when not on a terminal)
out=$(sg broker) || fail "broker did not start"
[ "$out" = "sandgate broker: running, pid $(broker_pid), runtime dir $SANDGATE_DIR" ] ||
	fail "broker said: $out (pid $(broker_pid))"
sg install claude-code --project "$P" --force >/dev/null 2>"$T/err" || fail "install with a broker"
grep -q "no broker" "$T/err" && fail "warned with a broker running: $(cat "$T/err")"
stop_broker
# on a terminal: the whole first-run text
tm new-session -d -x 120 -y 30 -s b "env $ENVS $SANDGATE broker; echo rc=\$?; sleep 60"
wait_for 10 'tm capture-pane -p -t b | matches "^rc="'
scr=$(tm capture-pane -p -J -t b)
printf '%s\n' "$scr" | matches "^rc=0" || fail "broker on a terminal: $scr"
printf '%s\n' "$scr" | matches "^sandgate broker: running, pid $(broker_pid)$" || fail "pid line: $scr"
printf '%s\n' "$scr" | matches "^  runtime dir $SANDGATE_DIR (agent.sock for agents, console.sock for reviewers)" || fail "dir line: $scr"
printf '%s\n' "$scr" | matches "^  database    $SANDGATE_DB$" || fail "db line: $scr"
printf '%s\n' "$scr" | matches "sandgate install claude-code" || fail "no next step: $scr"
pass "broker prints its pid and runtime dir (and on a terminal the database, log and next steps)"

# ---- ask: one terminal's requests share a session; another terminal is another one
tm new-session -d -x 100 -y 10 -s t1 "env $ENVS $SANDGATE ask --timeout 60 -- make one; sleep 60"
tm new-window -d -t t1 "env $ENVS $SANDGATE ask --timeout 60 -- make two; sleep 60"
tm new-session -d -x 100 -y 10 -s t2 "env $ENVS $SANDGATE ask --timeout 60 -- make three; sleep 60"
# without a terminal (a new session, no controlling tty): cli-PPID as before
( setsid "$SANDGATE" ask --timeout 60 -- make four >/dev/null 2>&1 || true ) &
wait_for 10 '[ "$(pending_count)" = 4 ]'
json=$(sg pending --json)
sess() { printf '%s' "$json" | grep -o "\"session\":\"[^\"]*\",\"req_id\":\"[^\"]*\",\"kind\":\"exec\",\"summary\":\"$1\"" | cut -d'"' -f4 || true; }
s1=$(sess "make one") s2=$(sess "make two") s3=$(sess "make three") s4=$(sess "make four")
case $s1 in tty-pts[0-9]*-[0-9]*) ;; *) fail "session of a terminal's request: '$s1'" ;; esac
case $s2 in tty-pts[0-9]*-[0-9]*) ;; *) fail "session of a second window: '$s2'" ;; esac
[ "$s2" != "$s1" ] || fail "two tmux windows (two terminals) share a session: $s1"
case $s3 in tty-pts[0-9]*-[0-9]*) ;; *) fail "session of the second terminal: '$s3'" ;; esac
[ "$s3" != "$s1" ] || fail "two terminals share a session: $s1"
case $s4 in cli-[0-9]*) ;; *) fail "session without a terminal: '$s4'" ;; esac
# the same shell: two requests of one pane
tm new-session -d -x 100 -y 10 -s t3 "env $ENVS sh -c '$SANDGATE ask --timeout 60 -- python five.py & $SANDGATE ask --timeout 60 -- python six.py; sleep 60'"
wait_for 10 '[ "$(pending_count)" = 6 ]'
json=$(sg pending --json)
s5=$(sess "python five.py") s6=$(sess "python six.py")
case $s5 in tty-pts[0-9]*-[0-9]*) ;; *) fail "session of the shell's first request: '$s5'" ;; esac
[ "$s5" = "$s6" ] || fail "one shell's requests in two sessions: $s5 / $s6"
# ... and so they group
sg pending --groups | matches " 2  .* $s5 .*exec python" || fail "the shell's two requests are not one group: $(sg pending --groups)"
pass "ask: the session is the terminal's (tty-ptsN-SID); one shell's requests group; no terminal: cli-PPID"

# ---- the README's side-pane recipe: `sandgate pane --size 60` inside tmux
tm new-session -d -x 160 -y 30 -s p "env $ENVS TERM=tmux-256color sh -c '$SANDGATE pane --size 60; echo pane-rc=\$?; sleep 60'"
wait_for 10 '[ "$(tm list-panes -t p -F "#{pane_width}" | wc -l)" = 2 ]'
tm list-panes -t p -F '#{pane_width}' | matches -x 60 || fail "no 60-column pane: $(tm list-panes -t p -F '#{pane_width}')"
tm capture-pane -p -t p.0 | matches "pane-rc=0" || fail "sandgate pane failed: $(tm capture-pane -p -t p.0)"
# the new pane runs the console against the same broker (its queue shows the requests)
wait_for 10 'tm capture-pane -p -t p.1 | matches "make one\|python five"'
pass "README recipe: sandgate pane --size 60 opens the console in a 60-column side pane"
