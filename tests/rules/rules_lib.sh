# rules_lib.sh -- helpers for the rules end-to-end tests (sourced after
# tests/lib.sh).  No python or jq: plain grep/sed on sgtest's compact JSON.

# total: how many requests are pending.
total() { "$SGTEST" call console list '[]' | grep -o '"total":[0-9]*' | cut -d: -f2; }

# ask_bg NAME ARGS...: `sandgate ask ARGS...` in the background; its exit
# status lands in $T/rc.NAME, its stdout in $T/out.NAME.
ask_bg() {
	local name=$1
	shift
	( rc=0; sg ask "$@" >"$T/out.$name" 2>"$T/err.$name" || rc=$?; echo "$rc" >"$T/rc.$name" ) &
}

# rc_of NAME: wait (up to 10 s) for ask_bg NAME to finish and print its status.
rc_of() {
	wait_for 10 test -s "$T/rc.$1"
	cat "$T/rc.$1"
}

# still_pending NAME: ask_bg NAME has not finished.
still_pending() { [ ! -s "$T/rc.$1" ]; }

# total_is N: exactly N requests are pending.
total_is() { [ "$(total)" = "$1" ]; }

# wait_total N: until N requests are pending.
wait_total() { wait_for 10 total_is "$1"; }

# group_of TEXT: id of the first group whose signature contains TEXT.
group_of() {
	"$SGTEST" call console groups '[]' | grep -o '"id":"g[0-9]*"[^{]*"signature":"[^"]*'"$1" |
		head -n 1 | sed 's/"id":"\(g[0-9]*\)".*/\1/'
}

# json_field JSON KEY: the value of a top-level scalar key (numbers, strings, null).
json_field() { printf '%s' "$1" | grep -o "\"$2\":\(\"[^\"]*\"\|[^,}]*\)" | head -n 1 | cut -d: -f2- | tr -d '"'; }
