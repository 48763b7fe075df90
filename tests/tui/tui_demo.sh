#!/usr/bin/env bash
# `sandgate demo` on a terminal opens the real console: the demo agents'
# hook payloads fill the queue, a group is decided with a key, q quits, and
# the demo stops its agents and broker and prints the tally and the audit
# log's verification.  (Without a terminal the scripted demo runs: see
# tests/integration/cli.sh.)
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/tui/tui_lib.sh"
export SANDGATE_REVIEWER=tester
demo_dir=
# on any exit: let the demo stop its agents and broker before tmux goes away
_demo_cleanup() {
	local rc=$? i=0
	set +e
	if [ ! -s "$T/demo.rc" ]; then
		tm send-keys -t c q 2>/dev/null || true
		while [ ! -s "$T/demo.rc" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	fi
	[ -z "$demo_dir" ] || rm -rf "$demo_dir"
	(exit $rc)
	_tui_cleanup
}
trap _demo_cleanup EXIT

# --- the scripted demo (no terminal): the burst is remembered, and the rule
# answers the later install by itself; the .bashrc write is refused
mkdir -p "$T/stmp"
TMPDIR=$T/stmp "$SANDGATE" demo --scripted </dev/null >"$T/scripted.out" 2>&1 || fail "scripted demo: $(cat "$T/scripted.out")"
grep -qE 'npm install dayjs@1.11.10 +-> allow \(allowed by rule [0-9]+ \(exec npm install \*\)' "$T/scripted.out" ||
	fail "the remembered rule did not answer the later install: $(cat "$T/scripted.out")"
grep -qE 'home/.bashrc +-> deny' "$T/scripted.out" || fail "the .bashrc write: $(cat "$T/scripted.out")"
grep -q '1 rule made (answering 1 later request by itself)' "$T/scripted.out" || fail "tally: $(cat "$T/scripted.out")"
rm -rf "$T/stmp"
pass "scripted demo: a grouped burst remembered, the rule answers a later request"

keep_server
# the demo keeps to its own dir under $TMPDIR, whatever SANDGATE_DIR says
mkdir -p "$T/dtmp"
tm new-session -d -x 120 -y 40 -s c \
	"env TMPDIR=$T/dtmp TERM=tmux-256color LC_ALL=C.UTF-8 $SANDGATE demo 2>$T/demo.err; echo demo-exit=\$? >$T/demo.rc; sleep 600"
wait_for 20 'ls -d "$T"/dtmp/sandgate-demo.* >/dev/null 2>&1'
own_dir=$(ls -d "$T"/dtmp/sandgate-demo.*)
export SANDGATE_DIR=$own_dir/run SANDGATE_DB=$own_dir/sandgate.db
# the queue fills as the agents' hooks ask (those a preset rule allows never
# reach the queue)
wait_screen 'git push --force' 40
wait_screen 'github.create_issue' 20
screen | head -1 | matches -E '\[1 Queue\] .* [0-9]+ pending' || fail "no queue header: $(screen | head -1)"
[ "$(sg status --json | grep -o '"pending":[0-9]*' | cut -d: -f2)" -ge 4 ] || fail "too few pending"
pass "the demo opened the console and its agents filled the queue"

# issue #16: the grouped burst (three npm installs, one row), and the write
# outside the workspace with its content diff first (against the real file)
wait_screen '3x .*npm install' 20
pass "the demo's burst of installs is one group"
keys /
keys -l 'bashrc'
keys Enter
wait_screen '1 group'
keys Enter
wait_screen 'Content diff'
wait_screen "\\+ alias npm='npx --yes npm@latest'"
d=$(screen | sed -E 's/^[^│]*│ ?//')
[ "$(echo "$d" | grep -n 'Content diff' | cut -d: -f1)" -lt "$(echo "$d" | grep -n -- '-- Risk' | cut -d: -f1 || echo 99)" ] ||
	fail "the content diff is not first: $d"
echo "$d" | matches -E '^ *1 +1 +# ~/.bashrc' || fail "no diff against the file on disk: $d"
pass "the outside-workspace write shows its content diff first"
keys Escape Escape
wait_screen 'pending'

# deny the group holding the force-push with D
keys /
keys -l 'force origin'
keys Enter
wait_screen '1 group'
keys D
wait_screen 'decided [0-9]+|denied'
keys Escape
wait_for 10 not_pending 'force origin'
row=$(sqlite3 "$SANDGATE_DB" "SELECT d.decision || '|' || d.decided_by || '|' || d.reviewer_name FROM decisions d JOIN requests r ON r.id = d.request_id WHERE r.summary LIKE 'git push --force%'")
[ "$row" = "deny|reviewer|tester" ] || fail "force-push decision not recorded: $row"
pass "a group decided with D in the demo's console"

# quit: the demo stops the agents and the broker, prints the tally
keys q
wait_for 30 grep -q 'demo-exit=' "$T/demo.rc"
grep -q 'demo-exit=0' "$T/demo.rc" || fail "demo exited: $(cat "$T/demo.rc" "$T/demo.err"; screen)"
out=$(screen)
demo_dir=$(printf '%s\n' "$out" | sed -n 's/.*the demo files stay in \(.*\)$/\1/p')
[ "$demo_dir" = "$own_dir" ] || fail "demo dir '$demo_dir' (want $own_dir) in: $out"
printf '%s\n' "$out" | matches -E '^tally: [0-9]+ allowed, [1-9][0-9]* denied \([0-9]+ timed out\), [1-9][0-9]* left undecided \(withdrawn\), 0 rules made' ||
	fail "tally line: $out"
printf '%s\n' "$out" | matches '^audit verify: .*chain and signatures verify' || fail "audit verify line: $out"
! printf '%s\n' "$out" | matches -E 'Sanitizer|runtime error' || fail "sanitizer report: $out"
printf '%s\n' "$out" | matches 'push --force origin main *-> deny (denied by reviewer tester' ||
	fail "the agent's answer is not listed: $out"
# the denial reached the agent through its hook adapter (codex, sandboxed or not)
printf '%s\n' "$out" | matches -E '^  codex +push --force' || fail "codex hook line: $out"
pass "quit: tally and verified audit log"

# nothing of the demo is left running: broker, agents, hooks, console
[ ! -S "$SANDGATE_DIR/console.sock" ] || ! sg status >/dev/null 2>&1 || fail "the demo's broker still runs"
! pgrep -f "$demo_dir" >/dev/null || fail "demo agents still run: $(pgrep -af "$demo_dir")"
withdrawn=$(sqlite3 "$SANDGATE_DB" "SELECT count(*) FROM decisions WHERE decided_by = 'withdrawn'")
[ "$withdrawn" -ge 1 ] || fail "the stopped agents' requests were not withdrawn"
pass "the demo stopped its agents ($withdrawn requests withdrawn) and broker"
