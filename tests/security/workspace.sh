#!/usr/bin/env bash
# Issue #12 item 9: the workspace is whatever cwd the agent sends.  With no
# project dir declared, `cp /tmp/x ls` in cwd /usr/local/bin was a
# "workspace write" and the routine preset allowed it.  The workspace now
# comes from a declared project dir that is checked (absolute, existing, not
# /, $HOME or a system dir), the `workspaces` setting, or the git top level
# (not $HOME, not /); otherwise there is none and writes are weighed by path.
# Run with the broker's default settings (the routine preset installed).
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/security/lib_paths.sh"

export SANDGATE_AGENT=attacker
mkdir -p "$T/src/app/sub" "$T/plain" "$T/repo/sub" "$T/wt/sub" "$T/proj" "$HOME/notes" "$HOME/.config/x"
mkdir -p "$T/repo/.git" "$HOME/.git"                 # a repository, and a dotfiles repository in $HOME
printf 'gitdir: /elsewhere/.git/worktrees/wt\n' >"$T/wt/.git" # a git worktree: .git is a file
ln -s /etc "$T/etclink"
ln -s "$T/proj" "$T/projlink"
printf 'x\n' >/tmp/sg-ws-$$.x
at_exit rm -f /tmp/sg-ws-$$.x

default_settings
start_broker

# --- the review's attack and its variants: no workspace, writes weighed by path
must_wait cp1 --cwd /usr/local/bin -- cp /tmp/sg-ws-$$.x ls
not_low cp1
req_of cp1 | matches '"workspace":null' || fail "cwd /usr/local/bin became the workspace: $(req_of cp1)"
req_of cp1 | matches '"workspace_source":"none"' || fail "no workspace_source none: $(req_of cp1)"
req_of cp1 | matches '"path":"/usr/local/bin/ls","class":"system"' || fail "ls not classed system: $(req_of cp1)"
must_wait cp2 --cwd /usr/local/bin -- sh -c 'cat /tmp/x > ./ls'
must_wait cp3 --cwd /usr/local/bin --kind write -- ls
must_wait cp4 --cwd /usr/local/bin --workspace /usr/local/bin -- cp /tmp/x ls
req_of cp4 | matches '"workspace_ignored":"/usr/local/bin: a system directory"' ||
	fail "a declared system dir was not refused: $(req_of cp4)"
must_wait cp5 --cwd /usr/local/bin --workspace / -- cp /tmp/x ls
req_of cp5 | matches '"workspace_ignored":"/: the root directory"' || fail "/ accepted: $(req_of cp5)"
must_wait cp6 --cwd /etc --workspace "$T/etclink" -- cp /tmp/x hosts
req_of cp6 | matches '"workspace":null' || fail "a declared link to /etc counted: $(req_of cp6)"
# a declared dir not made yet counts by name, but writes outside it are still
# judged by their path; one whose existing ancestors lead into /etc is refused
must_wait cp7 --cwd /usr/local/bin --workspace "$T/nothing" -- cp /tmp/x ls
req_of cp7 | matches '"workspace_source":"declared"' || fail "a missing declared dir was refused: $(req_of cp7)"
not_low cp7
must_wait cp8 --cwd /etc --workspace "$T/etclink/newproj" -- cp /tmp/x hosts
req_of cp8 | matches '"workspace":null' || fail "a missing declared dir under a link to /etc counted: $(req_of cp8)"
not_low cp8
# $HOME is never the workspace, declared or as the top of a dotfiles repository
must_wait home1 --cwd "$HOME" --workspace "$HOME" -- touch notes.txt
req_of home1 | matches '"workspace_ignored":"[^"]*: the home directory"' || fail "\$HOME accepted: $(req_of home1)"
not_low home1
must_wait home2 --cwd "$HOME/notes" -- touch todo.txt
req_of home2 | matches '"workspace":null' || fail "the dotfiles repository became a workspace: $(req_of home2)"
not_low home2
must_wait home3 --cwd "$HOME/.config/x" --workspace "$HOME/.config" -- touch y
req_of home3 | matches 'a hidden directory of the home directory' || fail "~/.config accepted: $(req_of home3)"
deny_all
pass "no workspace: cp into /usr/local/bin, /, \$HOME, ~/.config, a link to /etc or a missing dir as the declared workspace all wait"

# --- a git repository is a workspace (also a worktree's .git file)
must_allow git1 --cwd "$T/repo/sub" -- cp /tmp/sg-ws-$$.x ls
out=$(sg score --json --cwd "$T/repo/sub" -- cp /tmp/x ls)
printf '%s' "$out" | matches "\"workspace\":\"$T/repo\",\"workspace_source\":\"git\"" || fail "git workspace: $out"
printf '%s' "$out" | matches "\"path\":\"$T/repo/sub/ls\",\"class\":\"workspace\"" || fail "not a workspace write: $out"
must_wait git2 --cwd "$T/wt/sub" -- rm -f old.o
req_of git2 | matches "\"workspace\":\"$T/wt\",\"workspace_source\":\"git\"" || fail "worktree: $(req_of git2)"
req_of git2 | matches '"class":"workspace"' || fail "worktree file not in the workspace: $(req_of git2)"
# the same delete without a workspace is weighed by its path (here /tmp: scratch)
out=$(sg score --json --cwd "$T/plain" -- rm -f old.o)
printf '%s' "$out" | matches '"workspace":null' || fail "plain dir became a workspace: $out"
printf '%s' "$out" | matches '"class":"tmp"' || fail "plain dir under /tmp: $out"
deny_all
pass "the git top level (a .git directory or a gitdir: file) is the workspace"

# --- a declared workspace that passes the checks (also through a link)
must_wait decl1 --cwd "$T/proj" --workspace "$T/proj" -- rm -f old.o
req_of decl1 | matches "\"workspace\":\"$T/proj\",\"workspace_source\":\"declared\"" || fail "declared: $(req_of decl1)"
must_allow decl2 --cwd "$T/projlink" --workspace "$T/projlink" --kind write -- new.c
deny_all
pass "a declared project dir that exists is the workspace"

# --- ./ patterns and the workspace scope anchor nowhere without a workspace
stop_broker
remove_db
printf 'preset = none\n' >"$XDG_CONFIG_HOME/sandgate/config"
start_broker
sg rules add allow 'write ./**' >/dev/null
sg rules add allow 'exec make *' --scope workspace --scope-value "$T/plain" >/dev/null
sg rules add allow 'exec make *' --scope workspace --scope-value "$T/repo" >/dev/null
must_allow anchor1 --cwd "$T/repo" --kind write -- a.c
must_wait anchor2 --cwd "$T/plain" --kind write -- a.c
must_wait anchor3 --cwd /usr/local/bin --kind write -- a.c
must_allow scope1 --cwd "$T/repo/sub" -- make all
must_wait scope2 --cwd "$T/plain" -- make all
deny_all
pass "write ./** and workspace-scoped rules need a workspace (the cwd is not one)"

# --- the workspaces setting
stop_broker
printf 'preset = none\nworkspaces = %s/src/*, /srv/nothing-here\n' "$T" >"$XDG_CONFIG_HOME/sandgate/config"
start_broker
must_allow conf1 --cwd "$T/src/app/sub" --kind write -- a.c
must_wait conf2 --cwd "$T/src/app/sub" -- rm -f a.o
req_of conf2 | matches "\"workspace\":\"$T/src/app\",\"workspace_source\":\"configured\"" || fail "configured: $(req_of conf2)"
must_wait conf3 --cwd "$T/src" --kind write -- a.c
deny_all
stop_broker
out=$(sg score --json --cwd "$T/src/app" -- touch a.c)
printf '%s' "$out" | matches '"workspace_source":"configured"' || fail "score ignores the workspaces setting: $out"
pass "the workspaces setting makes each match a workspace (broker and score)"

# --- bad settings stop the broker with the line named
for bad in 'relative/dir' '/' '~' '/usr/*' '/etc' '/home/*/..' '/*' '/srv/**'; do
	printf 'preset = none\nworkspaces = %s\n' "$bad" >"$XDG_CONFIG_HOME/sandgate/config"
	expect_rc 3 sg broker 2>"$T/err"
	grep -q "config: line 2: workspaces: " "$T/err" || fail "workspaces = $bad: $(cat "$T/err")"
	expect_rc 1 sg score -- ls 2>/dev/null
done
pass "a bad workspaces line stops the broker (and score) with the line named"

# --- the offline scorer decides the same way
printf 'preset = none\n' >"$XDG_CONFIG_HOME/sandgate/config"
out=$(sg score --json --cwd /usr/local/bin -- cp /tmp/x ls)
printf '%s' "$out" | matches '"workspace":null' || fail "score: $out"
printf '%s' "$out" | matches '"level":"critical"' || fail "score: cp into /usr/local/bin not critical: $out"
pass "sandgate score --cwd uses the same workspace rules"
