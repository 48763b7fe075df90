# The escalation policy's config keys (issue #15): a bad line is a clear
# error naming the line and the broker refuses to start on it (a typo must
# never weaken the policy); `sandgate policy show` prints each effective value
# and where it came from; per-agent/uid/group baselines only make it stricter.
. "$SG_SRC/tests/lib.sh"
cfg="$XDG_CONFIG_HOME/sandgate/config"

bad() { # bad 'LINE' 'EXPECTED TEXT'
	printf 'preset = none\n# comment\n%s\n' "$1" >"$cfg"
	expect_rc 3 sg broker 2>"$T/err"
	grep -q "line 3: " "$T/err" || fail "'$1': error does not name line 3: $(cat "$T/err")"
	grep -qF -- "$2" "$T/err" || fail "'$1': expected '$2' in: $(cat "$T/err")"
	[ ! -S "$SANDGATE_DIR/console.sock" ] || fail "'$1': broker started"
	expect_rc 1 sg policy show 2>"$T/err2"
	grep -q "line 3: " "$T/err2" || fail "policy show accepted '$1'"
}
bad 'escalate.hihg = 60s' "unknown risk level 'hihg'"
bad 'escalate.high = 60' 'must be off or a duration'
bad 'escalate.high = -5s' 'must be off or a duration'
bad 'escalate.high = 60 s' 'must be off or a duration'
bad 'escalate.high = 8d' 'must be off or a duration'
bad 'expire.medium = 0s' 'at least 1s'
bad 'expire.medium = tenminutes' 'must be off or a duration'
bad 'quorum.critical = 0' 'count of distinct approvers'
bad 'quorum.critical = two' 'count of distinct approvers'
bad 'quorum.critical = 17' 'count of distinct approvers'
bad 'quorum = 2' "unknown setting 'quorum'"
bad 'policy = lenient' 'strict, balanced or permissive'
bad 'policy = ' 'strict, balanced or permissive'
bad 'policy.uid.nosuchuser-xyz = strict' "no user named"
bad 'policy.group.nosuchgroup-xyz = strict' "no group named"
bad 'policy.team.x = strict' 'policy.agent.NAME, policy.uid.UID or policy.group.GROUP'
bad 'policy.agent. = strict' 'empty'
bad 'policy.agent.codex = loose' 'strict, balanced or permissive'
bad 'quorum_deny = some' 'any'
bad 'pager_timeout = 0s' '1s to 10m'
bad 'pager_timeout = 1h' '1s to 10m'
bad "pager = $(printf 'a\tb')" 'control character'
bad 'notify = beep' "bell, tmux (not 'beep')"
bad 'escalation.high = 60s' "unknown setting 'escalation.high'"
printf 'preset = none\npolicy.agent.codex = strict\npolicy.agent.codex = strict\n' >"$cfg"
expect_rc 3 sg broker 2>"$T/err"
grep -q 'line 3: .*already set on line 2' "$T/err" || fail "duplicate scope: $(cat "$T/err")"
pass "bad policy lines stop the broker with the line named (25 variants)"

me=$(id -u)
cat >"$cfg" <<CFG
preset = none
policy = balanced
escalate.high = 45s
expire.medium = 20m
quorum.critical = 2
pager = /bin/true
policy.agent.codex = permissive
policy.agent.newbie-bot = strict
policy.uid.$me = strict
CFG
sg policy show --agent codex --uid 65533 >"$T/show"
grep -Eq '^escalate.high +45s +# line 3: escalate.high = 45s$' "$T/show" || fail "escalate.high: $(cat "$T/show")"
grep -Eq '^expire.medium +20m +# line 4: expire.medium = 20m$' "$T/show" || fail "expire.medium"
grep -Eq '^quorum.critical +2 +# line 5: quorum.critical = 2$' "$T/show" || fail "quorum.critical"
grep -Eq '^escalate.critical +1m +# line 2: policy = balanced$' "$T/show" || fail "baseline value"
grep -Eq '^pager +/bin/true +# line 6$' "$T/show" || fail "pager"
pass "policy show: explicit keys and the baseline, each with its line"

# a permissive agent baseline never weakens what the file says
sg policy show --agent codex --uid 65533 --json >"$T/j"
python3 - "$T/j" <<'PY' || fail "permissive agent weakened the policy"
import json,sys
v={x["key"]:x for x in json.load(open(sys.argv[1]))["values"]}
assert v["escalate.high"]["value"]=="45s", v["escalate.high"]
assert v["quorum.critical"]["value"]=="2"
assert "policy.agent.codex" not in json.dumps(v), v
PY
# a strict agent baseline tightens what is looser
sg policy show --agent newbie-bot --uid 65533 >"$T/show"
grep -Eq '^escalate.high +30s +# line 8: policy.agent.newbie-bot = strict$' "$T/show" || fail "strict agent: $(cat "$T/show")"
grep -Eq '^escalate.medium +2m +# line 8: policy.agent.newbie-bot = strict$' "$T/show" || fail "strict agent medium"
grep -Eq '^expire.medium +10m +# line 8' "$T/show" || fail "strict agent expire.medium"
# the uid baseline applies to that uid only (default --uid: the caller)
sg policy show >"$T/show"
grep -Eq "^escalate.high +30s +# line 9: policy.uid.$me = strict\$" "$T/show" || fail "uid baseline: $(cat "$T/show")"
pass "per-agent and per-uid baselines only tighten, and say so"

# and the broker applies the same: a strict uid baseline escalates high at 30 s
SANDGATE_TEST_CLOCK=1 start_broker
sg ask --json -- git push --force origin main >"$T/a.json" 2>/dev/null & a=$!
wait_for 5 '[ "$(pending_count)" = 1 ]'
python3 - "$("$SGTEST" call console list '[]')" <<'PY' || fail "broker's escalate/expire times differ from policy show"
import json,sys
r=json.loads(sys.argv[1])["requests"][0]
assert r["escalate_ms"]-r["created_ms"]==30000, r["escalate_ms"]-r["created_ms"]
assert r["expire_ms"]-r["created_ms"]==300000, r["expire_ms"]-r["created_ms"]
assert r["quorum"]["need"]==1
PY
sg decide "$(sg pending --json | sed -n 's/.*"id":\([0-9]*\),"agent".*/\1/p' | head -1)" deny >/dev/null
expect_rc 1 wait $a
pass "the broker resolves the same policy per request"
