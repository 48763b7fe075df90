# lib_intent.sh -- helpers for the security tests of what a request touches
# (sourced after tests/lib.sh).  Requests go in through sgtest (the protocol
# client) so they can carry any field the hook adapters send; no python or
# jq: plain grep/sed on sgtest's compact JSON.

# default_broker: start a broker with the default settings (the routine
# preset installed), in workspace $W (created), and cd there.
default_broker() {
	rm -f "$XDG_CONFIG_HOME/sandgate/config"
	W=$T/ws
	mkdir -p "$W/src"
	cd "$W"
	start_broker
}

_sec_n=0

# json_str TEXT: TEXT as a JSON string (quotes, backslashes, newlines, tabs).
json_str() {
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	s=${s//$'\n'/\\n}
	s=${s//$'\t'/\\t}
	s=${s//$'\r'/\\r}
	printf '"%s"' "$s"
}

# submit FIELDS: submit {req_id, agent, session ($SEC_SESSION, else s1), cwd, workspace, FIELDS} and
# wait for the decision (a pending request is withdrawn when its
# connection closes); prints the reply.
submit() {
	"$SGTEST" call agent submit "[{\"req_id\":\"sec$_sec_n-$RANDOM\",\"agent\":\"attacker\",\"session\":\"${SEC_SESSION:-s1}\",\"cwd\":$(json_str "$W"),\"workspace\":$(json_str "$W"),\"wait\":true,\"timeout\":60,$1}]"
}

# held NAME FIELDS: the request must wait for a person.  Sets LEVEL (its
# risk level) and CIRC (its circumvention ids, space-separated), then denies
# it so the next check starts from an empty queue.
held() {
	local name=$1 out view id i=0
	_sec_n=$((_sec_n + 1))
	rm -f "$T/held.out" "$T/held.rc"
	( rc=0; submit "$2" >"$T/held.out" 2>&1 || rc=$?; echo "$rc" >"$T/held.rc" ) &
	while :; do
		view=$("$SGTEST" call console list '[]')
		case $view in *'"total":0,'*) ;; *) break ;; esac
		if [ -s "$T/held.rc" ]; then
			wait
			fail "$name: answered without a person: $(cat "$T/held.out")"
		fi
		i=$((i + 1))
		[ $i -lt 400 ] || fail "$name: never queued"
		sleep 0.025
	done
	id=$(printf '%s' "$view" | grep -o '"requests":\[{"id":[0-9]*' | grep -o '[0-9]*$')
	LEVEL=$(printf '%s' "$view" | grep -o '"risk":{"score":[0-9]*,"level":"[a-z]*"' | head -n 1 | sed 's/.*"level":"//; s/"$//' || true)
	CIRC=$(printf '%s' "$view" | grep -o '"circumvention":\[[^]]*\]' | grep -o 'circumvention\.[a-z-]*' | sort -u | tr '\n' ' ' || true)
	"$SGTEST" call console decide "[{\"id\":$id,\"decision\":\"deny\",\"note\":\"test\"}]" >/dev/null ||
		fail "$name: could not deny request $id"
	wait
	grep -q '"by":"reviewer"' "$T/held.out" || fail "$name: not decided by the reviewer: $(cat "$T/held.out")"
}

# allowed NAME FIELDS: the request must be answered allow at once (by a rule).
allowed() {
	local out
	_sec_n=$((_sec_n + 1))
	# a session of its own: files denied in s1 would make it a retry
	out=$(SEC_SESSION=ok$_sec_n submit "$2") || fail "$1: submit failed: $out"
	case $out in
	*'"decision":"allow"'*) ;;
	*) fail "$1: not allowed at once: $out" ;;
	esac
}

# at_least_high NAME: LEVEL (from held) is high or critical.
at_least_high() {
	case $LEVEL in high | critical) ;; *) fail "$1: scored '$LEVEL', want at least high" ;; esac
}

# is_critical NAME: LEVEL (from held) is critical.
is_critical() {
	case $LEVEL in critical) ;; *) fail "$1: scored '$LEVEL', want critical" ;; esac
}

# not_low NAME: LEVEL (from held) is medium or above.
not_low() {
	case $LEVEL in medium | high | critical) ;; *) fail "$1: scored '$LEVEL', want above low" ;; esac
}

# flagged NAME ID: CIRC (from held) holds circumvention.ID.
flagged() {
	case " $CIRC " in *" circumvention.$2 "*) ;; *) fail "$1: no circumvention.$2 (got: '$CIRC', level $LEVEL)" ;; esac
}

# exec_req CMD: the FIELDS of an exec request for a shell command line.
exec_req() { printf '"kind":"exec","command":%s' "$(json_str "$1")"; }
