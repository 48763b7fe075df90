#!/usr/bin/env bash
# Issue #17 item 2: files a session created are its own to delete.  A session
# that created reproduce_issue.py and test_x.py through allowed requests may
# delete them at low (the routine preset answers at once), and the reason
# says "created by this session at #N".  No discount, default settings:
#   - for another session's file, or one made before (by no request);
#   - for a file named by a request that was denied, or is still pending;
#   - for a symbolic link swapped in after creation;
#   - outside the workspace ($HOME), under .git (objects, hooks), for .env;
#   - when the file already existed when the session "created" it;
#   - for a glob or a variable naming it.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/rules/rules_lib.sh"
source "$SG_SRC/tests/security/lib_intent.sh"

default_broker
mkdir -p "$W/.git/objects/ab" "$W/.git/hooks" "$HOME/outside"

# sub SESSION FIELDS: submit in SESSION and wait; prints the reply.
sub() {
	_sec_n=$((_sec_n + 1))
	"$SGTEST" call agent submit "[{\"req_id\":\"p$_sec_n-$RANDOM\",\"agent\":\"claude-code\",\"session\":\"$1\",\"cwd\":$(json_str "$W"),\"workspace\":$(json_str "$W"),\"wait\":true,\"timeout\":60,$2}]"
}

# created SESSION NAME FIELDS FILE: the request must be allowed at once (the
# preset); then it "runs": FILE appears.  Sets RID to its request id.
created() {
	local out
	out=$(sub "$1" "$3") || fail "$2: submit failed: $out"
	case $out in *'"decision":"allow"'*) ;; *) fail "$2: not allowed at once: $out" ;; esac
	RID=$(printf '%s' "$out" | grep -o '"id":[0-9]*' | head -n 1 | grep -o '[0-9]*')
	printf 'x\n' >"$4"
}

# person SESSION NAME FIELDS: the request waits for a person, who allows it
# (or denies it with DENY=1).  Sets LEVEL.
person() {
	local view id i=0 verdict=allow
	[ "${DENY:-0}" = 1 ] && verdict=deny
	rm -f "$T/p.out" "$T/p.rc"
	( rc=0; sub "$1" "$3" >"$T/p.out" 2>&1 || rc=$?; echo "$rc" >"$T/p.rc" ) &
	while :; do
		view=$("$SGTEST" call console list '[]')
		case $view in *'"total":0,'*) ;; *) break ;; esac
		[ -s "$T/p.rc" ] && { wait; fail "$2: answered without a person: $(cat "$T/p.out")"; }
		i=$((i + 1)); [ $i -lt 400 ] || fail "$2: never queued"
		sleep 0.025
	done
	id=$(printf '%s' "$view" | grep -o '"requests":\[{"id":[0-9]*' | grep -o '[0-9]*$')
	LEVEL=$(printf '%s' "$view" | grep -o '"risk":{"score":[0-9]*,"level":"[a-z]*"' | head -n 1 | sed 's/.*"level":"//; s/"$//')
	"$SGTEST" call console decide "[{\"id\":$id,\"decision\":\"$verdict\",\"note\":\"test\"}]" >/dev/null ||
		fail "$2: could not decide request $id"
	wait
	grep -q "\"decision\":\"$verdict\"" "$T/p.out" || fail "$2: not ${verdict}ed: $(cat "$T/p.out")"
}

# asked SESSION NAME FIELDS: must wait for a person at medium or above (denied).
asked() {
	DENY=1 person "$1" "$2" "$3"
	case $LEVEL in medium | high | critical) ;; *) fail "$2: scored '$LEVEL', want above low" ;; esac
}

# --- the review's case: scratch files the session made, deleted at low ----------
created s1 "write reproduce_issue.py" "\"kind\":\"write\",\"path\":\"$W/reproduce_issue.py\",\"content\":\"print(1)\"" "$W/reproduce_issue.py"
first=$RID
created s1 "cat > test_x.py" "$(exec_req $'cat > test_x.py <<\'EOF\'\nassert 1\nEOF')" "$W/test_x.py"
created s1 "touch scratch.txt" "$(exec_req 'touch scratch.txt')" "$W/scratch.txt"
created s1 "tee out.log" "$(exec_req 'echo hi | tee out.log')" "$W/out.log"
out=$(sub s1 "$(exec_req 'rm reproduce_issue.py test_x.py')")
case $out in *'"decision":"allow"'*) ;; *) fail "rm of the session's own files: not allowed at once: $out" ;; esac
# the audit row's reasons say why
sg audit tail -n 1 --json >"$T/log.json" 2>&1 || true
grep -q "created by this session at #$first" "$T/log.json" ||
	fail "rm's reason does not name the creating request #$first: $(tail -c 600 "$T/log.json")"
rm -f "$W/reproduce_issue.py" "$W/test_x.py"
out=$(sub s1 "\"kind\":\"delete\",\"path\":\"$W/scratch.txt\"")
case $out in *'"decision":"allow"'*) ;; *) fail "delete request of the session's own file: not allowed at once: $out" ;; esac
out=$(sub s1 "$(exec_req 'mv out.log renamed.log')")
case $out in *'"decision":"allow"'*) ;; *) fail "mv of the session's own file: not allowed at once: $out" ;; esac
# a long command (its subject is not whole, so a person allows it) still notes what it creates
long=$(printf 'x = %d\n' $(seq 1 80))
DENY=0 person s1 "long heredoc then inline code" "$(exec_req "cat <<'EOF' > long_patch.py
$long
EOF
python3 -c \"
p = open('long_patch.py').read()
$(printf '# %s\n' $(seq 1 150))
open('src/mod.py', 'w').write(p)
\"")"
printf 'x\n' >"$W/long_patch.py"
out=$(sub s1 "$(exec_req 'rm long_patch.py')")
case $out in *'"decision":"allow"'*) ;; *) fail "rm of a file a long allowed command created: not allowed at once: $out" ;; esac
# directories it made on the way: mkdir -p, a Write into a new directory
created s1 "mkdir -p" "$(exec_req 'mkdir -p repro/sub')" "$T/mk.tmp"
mkdir -p "$W/repro/sub"
out=$(sub s1 "$(exec_req 'rm -rf repro')")
case $out in *'"decision":"allow"'*) ;; *) fail "rm -rf of a directory the session made: not allowed at once: $out" ;; esac
created s1 "write into a new directory" "\"kind\":\"write\",\"path\":\"$W/scratch/deep/t.py\",\"content\":\"x\"" "$T/mk2.tmp"
mkdir -p "$W/scratch/deep"; printf 'x\n' >"$W/scratch/deep/t.py"
out=$(sub s1 "$(exec_req 'rm -r scratch')")
case $out in *'"decision":"allow"'*) ;; *) fail "rm -r of a directory a Write made: not allowed at once: $out" ;; esac
pass "a session's own scratch files (Write, cat >, touch, tee, mkdir -p) are deleted, moved at low with the creating request named"

# --- another session's file, and one nobody's request made ---------------------
created s1 "write mine.py" "\"kind\":\"write\",\"path\":\"$W/mine.py\",\"content\":\"x\"" "$W/mine.py"
asked s2 "another session's file" "$(exec_req 'rm mine.py')"
printf 'x\n' >"$W/preexisting.py"
asked s1 "a file made before" "$(exec_req 'rm preexisting.py')"
# the session "creates" a file that was already there: it was not created
# (a session of its own: a file denied in s1 makes its next request there a retry)
printf 'x\n' >"$W/preexisting2.py"
created s3 "write over preexisting2" "\"kind\":\"write\",\"path\":\"$W/preexisting2.py\",\"content\":\"y\"" "$W/preexisting2.py"
asked s3 "overwritten, not created" "$(exec_req 'rm preexisting2.py')"
# the same session name under another agent is the same uid's session: still s1;
# but a session name only matches exactly
asked S1 "session names are exact" "$(exec_req 'rm mine.py')"
# a directory that was there: a file written into it does not make it the session's
mkdir -p "$W/pkg"; printf 'x\n' >"$W/pkg/keep.py"
created s4 "write into an existing directory" "\"kind\":\"write\",\"path\":\"$W/pkg/new.py\",\"content\":\"x\"" "$W/pkg/new.py"
asked s4 "existing directory" "$(exec_req 'rm -r pkg')"
pass "no discount for another session's file or a file that existed before"

# --- denied and pending requests create nothing ----------------------------------
DENY=1 person s1 "denied download" "$(exec_req 'curl -s -o fetched.py https://example.com/x.py')"
printf 'x\n' >"$W/fetched.py"
asked s1 "file of a denied request" "$(exec_req 'rm fetched.py')"
# pending: a medium request that creates pend.py waits; meanwhile the rm is asked too
( sub s1 "$(exec_req 'curl -s -o pend.py https://example.com/p.py')" >"$T/pend.out" 2>&1 ) &
pendjob=$!
i=0
until "$SGTEST" call console list '[]' | matches '"total":1,'; do
	i=$((i + 1)); [ $i -lt 400 ] || fail "pending request never queued"; sleep 0.025
done
printf 'x\n' >"$W/pend.py"
( sub s1 "$(exec_req 'rm pend.py')" >"$T/rmpend.out" 2>&1 ) &
rmjob=$!
i=0
until "$SGTEST" call console list '[]' | matches '"total":2,'; do
	i=$((i + 1)); [ $i -lt 400 ] || fail "rm of a pending request's file was answered without a person: $(cat "$T/rmpend.out")"; sleep 0.025
done
view=$("$SGTEST" call console list '[]')
for id in $(printf '%s' "$view" | grep -o '"requests":\[{"id":[0-9]*\|},{"id":[0-9]*' | grep -o '[0-9]*$'); do
	"$SGTEST" call console decide "[{\"id\":$id,\"decision\":\"deny\",\"note\":\"test\"}]" >/dev/null
done
wait $pendjob $rmjob || true
grep -q '"decision":"deny"' "$T/rmpend.out" || fail "rm of a pending request's file: $(cat "$T/rmpend.out")"
pass "files named by denied or still pending requests get no discount"

# --- a symbolic link swapped in after creation -----------------------------------
printf 'precious\n' >"$HOME/outside/precious"
created s1 "write link.py" "\"kind\":\"write\",\"path\":\"$W/link.py\",\"content\":\"x\"" "$W/link.py"
rm -f "$W/link.py"
ln -s "$HOME/outside/precious" "$W/link.py"
asked s1 "symlink swapped in (rm)" "$(exec_req 'rm link.py')"
asked s1 "symlink swapped in (overwrite)" "$(exec_req 'echo pwned > link.py')"
# a directory made a link: the path resolves outside the workspace
created s1 "write sub/a.py" "\"kind\":\"write\",\"path\":\"$W/sub/a.py\",\"content\":\"x\"" "$T/a.tmp"
mkdir -p "$HOME/outside/sub"; printf 'x\n' >"$HOME/outside/sub/a.py"
rm -rf "$W/sub"; ln -s "$HOME/outside/sub" "$W/sub"
asked s1 "parent directory swapped for a link" "$(exec_req 'rm sub/a.py')"
# a hard link made since: shredding it would destroy the other name's content
printf 'precious\n' >"$W/important.py"
created s5 "write hl.py" "\"kind\":\"write\",\"path\":\"$W/hl.py\",\"content\":\"x\"" "$W/hl.py"
ln -f "$W/important.py" "$W/hl.py"
asked s5 "hard link made since (shred)" "$(exec_req 'shred -u hl.py')"
pass "a symbolic or hard link made after creation gets no discount"

# --- outside the workspace and sensitive files -----------------------------------
person s1 "write in home" "\"kind\":\"write\",\"path\":\"$HOME/notes.txt\",\"content\":\"x\""
printf 'x\n' >"$HOME/notes.txt"
asked s1 "outside the workspace" "$(exec_req "rm $HOME/notes.txt")"
created s1 "write .git/objects" "\"kind\":\"write\",\"path\":\"$W/.git/objects/ab/cdef01\",\"content\":\"x\"" "$W/.git/objects/ab/cdef01"
asked s1 ".git internals" "$(exec_req 'rm .git/objects/ab/cdef01')"
person s1 "write a git hook" "\"kind\":\"write\",\"path\":\"$W/.git/hooks/pre-commit\",\"content\":\"x\""
printf 'x\n' >"$W/.git/hooks/pre-commit"
asked s1 ".git/hooks" "$(exec_req 'rm .git/hooks/pre-commit')"
case $LEVEL in high | critical) ;; *) fail ".git/hooks: scored $LEVEL, want at least high" ;; esac
person s1 "write .env" "\"kind\":\"write\",\"path\":\"$W/.env\",\"content\":\"K=v\""
printf 'K=v\n' >"$W/.env"
asked s1 ".env" "$(exec_req 'rm .env')"
case $LEVEL in high | critical) ;; *) fail ".env: scored $LEVEL, want at least high" ;; esac
person s1 "write CLAUDE.md" "\"kind\":\"write\",\"path\":\"$W/CLAUDE.md\",\"content\":\"x\""
printf 'x\n' >"$W/CLAUDE.md"
asked s1 "agent instructions" "$(exec_req 'rm CLAUDE.md')"
pass "no discount outside the workspace, under .git, for .env or agent instructions"

# --- named through a glob or a variable, or with other files ----------------------
created s1 "write g1.py" "\"kind\":\"write\",\"path\":\"$W/g1.py\",\"content\":\"x\"" "$W/g1.py"
printf 'x\n' >"$W/g2.py"
asked s1 "glob" "$(exec_req 'rm g*.py')"
asked s1 "variable" "$(exec_req 'f=g1.py; rm $f')"
asked s1 "own file plus another" "$(exec_req 'rm g1.py g2.py')"
asked s1 "recursive delete of the workspace" "$(exec_req 'rm -rf g1.py .')"
pass "globs, variables and other files in the same command keep their score"
