#!/usr/bin/env bash
# Issue #13 item 11 and "unknown is never low": the routine preset's `exec *`
# allows what scores low, so low must need positive knowledge.  Against the
# real broker with its default settings (routine preset on): a program the
# tables do not know, one they name without saying what its options do, a
# path only known at run time, an opaque blob, and the workspace's own code
# run outside a sandbox all wait for a person (at least medium); a program
# whose options the tables describe, used plainly, is answered by the preset.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/security/lib_intent.sh"

default_broker
printf 'all:\n\ttrue\n' >"$W/Makefile"
printf '#!/bin/sh\ntrue\n' >"$W/build.sh"
chmod +x "$W/build.sh"

# --- known programs used plainly: the preset answers
allowed "ls" "$(exec_req 'ls -la src')"
allowed "cat" "$(exec_req 'cat Makefile')"
allowed "grep | head" "$(exec_req 'grep -rn TODO src | head -20')"
allowed "git status" "$(exec_req 'git status --short')"
allowed "sed -n" "$(exec_req 'sed -n 1,20p Makefile')"
allowed "sort | uniq" "$(exec_req 'sort Makefile | uniq -c')"
allowed "make" "$(exec_req 'make')"
allowed "./build.sh, sandbox unknown" "$(exec_req './build.sh')"
allowed "./build.sh, sandboxed" "$(exec_req './build.sh'),\"sandbox\":\"sandboxed\""
allowed "test builtin [" "$(exec_req '[ -d src ] && echo yes')"
allowed "command substitution of a lister" "$(exec_req 'wc -l $(git ls-files)')"
pass "known programs used plainly are allowed by the routine preset"

# --- programs the tables do not know, in several spellings
for c in 'frobnicate --all' '/usr/bin/frobnicate x' 'FOO=1 frobnicate' 'timeout 5 frobnicate' \
	'ls | frobnicate' 'echo $(frobnicate)' 'sh -c "frobnicate -q"' "'frobnicate' x"; do
	held "unknown: $c" "$(exec_req "$c")"
	not_low "unknown: $c"
done
pass "a program the tables do not know waits for a person"

# --- programs the tables name but do not fully describe
for c in 'yq -i .a=1 x.yaml' 'more Makefile' 'rename s/a/b/ x' 'patch -p1 < fix.diff' 'hyperfine "ls"'; do
	held "partial: $c" "$(exec_req "$c")"
	not_low "partial: $c"
done
pass "a program whose options sandgate does not all know waits for a person"

# --- a path known only at run time
for c in 'cat $FILE' 'cat "${FILE}"' 'ls "$1"' 'head -5 $HOME_DIR/x' 'wc -l ${F:-x}'; do
	held "runtime path: $c" "$(exec_req "$c")"
	not_low "runtime path: $c"
done
pass "an expansion that cannot be resolved in path position waits for a person"

# --- opaque blobs
b64=$(head -c 96 /dev/urandom | base64 -w0 | tr -d '\n')
hex=$(head -c 80 /dev/urandom | od -An -tx1 | tr -d ' \n')
held "base64 blob" "$(exec_req "echo $b64 > blob.txt")"
not_low "base64 blob"
held "base64 blob quoted" "$(exec_req "printf '%s' '$b64' > blob.txt")"
not_low "base64 blob quoted"
held "hex blob" "$(exec_req "echo $hex > blob.hex")"
not_low "hex blob"
allowed "a commit hash is not a blob" "$(exec_req 'git show 3f2a9c1e4b5d6a7f8e9d0c1b2a3f4e5d6c7b8a9f --stat')"
pass "an opaque blob waits for a person; a hash does not"

# --- where it runs
held "./build.sh unsandboxed" "$(exec_req './build.sh'),\"sandbox\":\"unsandboxed\""
not_low "./build.sh unsandboxed"
held "make unsandboxed" "$(exec_req 'make'),\"sandbox\":\"unsandboxed\""
not_low "make unsandboxed"
held "python script unsandboxed" "$(exec_req 'python3 tools/x.py'),\"sandbox\":\"unsandboxed\""
not_low "python script unsandboxed"
allowed "ls unsandboxed" "$(exec_req 'ls'),\"sandbox\":\"unsandboxed\""
for ti in '{"dangerouslyDisableSandbox":true}' '{"sandbox_permissions":"require_escalated"}' \
	'{"with_escalated_permissions":true}'; do
	held "escape $ti" "$(exec_req 'ls'),\"tool_name\":\"Bash\",\"tool_input\":$ti"
	not_low "escape $ti"
done
held "escape, tool input cut" "$(exec_req 'ls'),\"sandbox\":\"unsandboxed\",\"sandbox_source\":\"tool_input.dangerouslyDisableSandbox\""
not_low "escape, tool input cut"
held "bad sandbox value" "$(exec_req 'ls'),\"sandbox\":\"mostly\""
at_least_high "bad sandbox value"
pass "the workspace's own code outside a sandbox, and asking to leave one, wait for a person"

# --- the CLI: sandgate ask --unsandboxed / --sandboxed, and inside sandgate sandbox
out=$(sg ask --workspace "$W" --timeout 1 --unsandboxed -- ./build.sh 2>&1) && fail "ask --unsandboxed ./build.sh was allowed: $out"
sg ask --workspace "$W" --timeout 5 --sandboxed -- ./build.sh >/dev/null || fail "ask --sandboxed ./build.sh was not allowed"
SANDGATE_SANDBOX=1 sg ask --workspace "$W" --timeout 5 -- ./build.sh >/dev/null || fail "ask inside the sandbox was not allowed"
out=$(SANDGATE_SANDBOX=1 sg ask --workspace "$W" --timeout 1 --unsandboxed -- ./build.sh 2>&1) &&
	fail "--unsandboxed did not win over SANDGATE_SANDBOX: $out"
out=$(sg ask --workspace "$W" --timeout 1 -- frobnicate 2>&1) && fail "ask frobnicate was allowed: $out"
pass "sandgate ask --sandboxed/--unsandboxed and SANDGATE_SANDBOX reach the broker"
