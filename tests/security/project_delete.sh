#!/usr/bin/env bash
# Issue #13 (del): deleting the project itself.  A recursive delete of the
# workspace root is critical; of every entry of it (rm -rf *, ./*, "$PWD"/*),
# of its dot entries or its repository (.*, .git, .git/objects, through find
# or inline code) or of a top-level source tree it is high; both halves in one
# command are critical.  With the broker's default settings each waits for a
# person; regenerable output (build, node_modules) stays an ordinary delete in
# the workspace (held, medium), and reads of the same directories are allowed.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/rules/rules_lib.sh"
source "$SG_SRC/tests/security/lib_intent.sh"

default_broker
mkdir -p "$W/.git/objects" "$W/build" "$W/node_modules"

level_is() { # NAME WANT...
	local name=$1 w
	shift
	for w in "$@"; do [ "$LEVEL" = "$w" ] && return 0; done
	fail "$name: scored '$LEVEL', want $*"
}
check() { # NAME COMMAND LEVEL...
	local name=$1 cmd=$2
	shift 2
	held "$name" "$(exec_req "$cmd")"
	level_is "$name" "$@"
}

check "root" "rm -rf ." critical
check "root slash" "rm -rf ./" critical
check "root by PWD" 'rm -rf "$PWD"' critical
check "root by path" "rm -rf $W" critical
check "root after cd" "cd .. && rm -rf ws" critical
check "both halves" "rm -rf * .*" critical
check "both halves reversed" "rm -rf .[!.]* ./*" critical
check "every entry" "rm -rf *" high
check "every entry ./" "rm -rf ./*" high
check "every entry PWD" 'rm -rf "$PWD"/*' high
check "every entry pwd" 'rm -fr "$(pwd)"/*' high
check "every entry --" "rm -r -f -- *" high
check "every file" "rm -f *" high
check "dot entries" "rm -rf .*" high
check "repository" "rm -rf .git" high
check "repository slash" "rm -rf ./.git/" high
check "repository objects" "rm -rf .git/objects" high
check "repository by find" "find .git -delete" high
check "repository by python" "python3 -c 'import shutil; shutil.rmtree(\".git\")'" high
check "source tree" "rm -rf src" high
check "source tree content" "cd src && rm -rf *" high
# near misses: ordinary deletes in the workspace wait for a person at medium
check "build output" "rm -rf build" medium
check "node_modules" "rm -rf node_modules dist" medium
check "caches" "rm -rf __pycache__ .pytest_cache .venv" medium
check "scratch dir" "rm -rf new_docs" medium
check "tmp delete" "rm -rf /tmp/example" medium
# reads of the same places stay low
allowed "ls .git" "$(exec_req "ls -la .git")"
allowed "du build" "$(exec_req "du -sh build node_modules")"
pass
