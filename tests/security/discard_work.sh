#!/usr/bin/env bash
# Issue #13 (del): discarding uncommitted work and force pushes.  git
# checkout -- FILE, git checkout REV FILE, git restore FILE (--worktree,
# -W, -SW), stash drop/clear, clean -f, reset --hard are high; git push with
# any option git reads as --force (--force-if-includes, --force-with-lease=,
# abbreviations, -f in a group, +refspec) is high.  git checkout NAME is
# judged on the work tree: a file by that name (and no ref) loses its
# changes, a branch (even with a file of its name) or nothing there does not.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/rules/rules_lib.sh"
source "$SG_SRC/tests/security/lib_intent.sh"

default_broker
git init -q "$W" 2>/dev/null || fail "git init"
printf 'x\n' >"$W/notes"
printf 'x\n' >"$W/topic"
mkdir -p "$W/docs" && printf 'x\n' >"$W/docs/a.md"
git -C "$W" add -A && git -C "$W" -c user.email=t@e -c user.name=t commit -qm init || fail "commit"
git -C "$W" branch topic || fail "branch"

check() { # NAME COMMAND
	held "$1" "$(exec_req "$2")"
	at_least_high "$1"
}

check "checkout -- file" "git checkout -- notes"
check "checkout HEAD -- file" "git checkout HEAD -- notes"
check "checkout REV file" "git checkout HEAD~0 notes"
check "checkout -C" "git -C . checkout -- notes"
check "checkout dot" "git checkout ."
check "checkout directory by name" "git checkout docs"
check "restore" "git restore notes"
check "restore --worktree" "git restore --worktree notes"
check "restore -W" "git restore -W notes"
check "restore -SW" "git restore -SW notes"
check "stash drop" "git stash drop"
check "stash clear" "git stash clear"
check "clean" "git clean -fdx"
check "reset hard" "git reset --hard"
check "push --force" "git push --force"
check "push --force-if-includes" "git push --force-if-includes origin main"
check "push --force-with-lease=" "git push --force-with-lease=main:abc origin main"
check "push abbreviated" "git push --forc origin main"
check "push --force-w" "git push --force-w origin main"
check "push -uf" "git push -uf origin topic"
check "push +refspec" "git push origin +main"
check "push quoted +refspec" "git push origin '+HEAD:refs/heads/main'"
check "push --mirr" "git push --mirr backup"

# git checkout NAME on the work tree: a file there loses its changes (medium)
held "checkout file by name" "$(exec_req "git checkout notes")"
[ "$LEVEL" = medium ] || fail "checkout file by name: scored '$LEVEL', want medium"
# near misses: allowed at once
allowed "checkout branch with a file of its name" "$(exec_req "git checkout topic")"
allowed "checkout name not on disk" "$(exec_req "git checkout status")"
allowed "checkout -b" "$(exec_req "git checkout -b new-topic")"
allowed "restore --staged" "$(exec_req "git restore --staged notes")"
allowed "stash" "$(exec_req "git stash")"
allowed "clean dry run" "$(exec_req "git clean -n")"
pass
