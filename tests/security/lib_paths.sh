# lib_paths.sh -- helpers of symlink.sh and workspace.sh (sourced after
# tests/lib.sh; not a test itself).  Plain grep/sed on sgtest's compact JSON.
source "$SG_SRC/tests/rules/rules_lib.sh"

# req_of SESSION: the console's view of the pending request of that session,
# one line of JSON (request, intent, risk), or nothing.
req_of() {
	"$SGTEST" call console list '[]' | sed 's/{"id":[0-9][0-9]*,"agent":/\n&/g' |
		grep "\"session\":\"$1\"" | head -n 1 || true
}

# level_of SESSION: the risk level of that pending request.
level_of() { req_of "$1" | grep -o '"risk":{"score":[0-9]*,"level":"[a-z]*"' | sed 's/.*"level":"//; s/"$//'; }

# must_wait NAME ASK-ARGS...: submit with session NAME and check that no rule
# answers it: it waits for a person.
must_wait() {
	local name=$1
	shift
	ask_bg "$name" --session "$name" "$@"
	wait_for 10 "[ -s '$T/rc.$name' ] || [ -n \"\$(req_of '$name')\" ]"
	still_pending "$name" || fail "$name was answered at once ($*): $(cat "$T/out.$name" "$T/err.$name")"
}

# must_allow NAME ASK-ARGS...: a rule allows it at once.
must_allow() {
	local name=$1 out rc=0
	shift
	out=$(sg ask --json --timeout 5 --session "$name" "$@") || rc=$?
	[ "$rc" = 0 ] || fail "$name was not allowed ($*): $out $(req_of "$name")"
	[ "$(json_field "$out" by)" = rule ] || fail "$name not allowed by a rule: $out"
}

# not_low NAME: the pending request NAME scores medium or above.
not_low() {
	local l
	l=$(level_of "$1")
	case $l in medium|high|critical) ;; *) fail "$1 scored '$l': $(req_of "$1")" ;; esac
}

# deny_all: a person denies everything pending (the background asks end).
deny_all() {
	local id
	for id in $(sg pending --json | grep -o '"id":[0-9][0-9]*,"agent"' | grep -o '[0-9][0-9]*'); do
		sg decide "$id" deny >/dev/null 2>&1 || true
	done
}

# default_settings: the broker's own defaults (the routine preset installed).
default_settings() { rm -f "$XDG_CONFIG_HOME/sandgate/config"; }
