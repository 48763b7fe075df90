#!/bin/bash
# The folders are layers (docs/ARCHITECTURE.md, "Folders and modules"):
# each may include headers only from itself and the layers below it.
# Fails naming every include that points upward.
set -u
src=${SG_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$src" || exit 1
bad=0

# check DIR ALLOWED-PREFIX...: every quoted include of DIR/*.[ch] must start
# with one of the allowed prefixes.
check() {
	local dir=$1; shift
	local f inc ok p
	for f in "$dir"/*.[ch]; do
		[ -e "$f" ] || continue
		while IFS= read -r inc; do
			ok=0
			for p in "$@"; do
				case $inc in "$p"*) ok=1 ;; esac
			done
			if [ "$ok" -eq 0 ]; then
				echo "$f includes \"$inc\": $dir may include only $*"
				bad=1
			fi
		done < <(sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
	done
}

check proto proto/
check broker/record broker/record/ proto/
check broker/intent broker/intent/ proto/
check broker/rules broker/rules/ broker/record/ broker/intent/ proto/ tui/text.h

[ "$bad" -eq 0 ] && echo "layers: every include points down or sideways"
exit "$bad"
