# Issue #16 item 9: one exit-code convention.  Every usage error exits 2 and
# names the command ("sandgate CMD: unknown option ..."), whether getopt or a
# hand-made parser or a value check (scope, level, pattern kind, --kind)
# finds it; a refusal by the broker exits 1; `sandgate help CMD` and
# `sandgate version` work.
. "$SG_SRC/tests/lib.sh"

# usage_err 'MESSAGE REGEX' ARGS...: exit 2, one line naming the command
usage_err() {
	local want=$1 rc=0
	shift
	sg "$@" >"$T/out" 2>"$T/err" </dev/null || rc=$?
	[ "$rc" = 2 ] || fail "expected exit 2, got $rc: sandgate $* ($(cat "$T/err"))"
	grep -Eq "$want" "$T/err" || fail "sandgate $*: stderr does not match /$want/: $(cat "$T/err")"
	[ ! -s "$T/out" ] || fail "sandgate $*: a usage error printed on stdout: $(cat "$T/out")"
}

# unknown options, every command and subcommand, long, short, bundled, with =
usage_err "^sandgate: unknown option '--bogus'" --bogus
usage_err "^sandgate: unknown command 'frobnicate'" frobnicate
for c in ask exec broker decide sandbox install uninstall policy pending status pane; do
	usage_err "^sandgate $c: unknown option '--bogus' \(see \`sandgate $c --help\`\)" $c --bogus -- ls
done
usage_err "^sandgate policy: unknown option '--bogus'" policy show --bogus
usage_err "^sandgate ask: unknown option '-Z'" ask -Z -- ls
usage_err "^sandgate ask: unknown option '-Z'" ask -jZ -- ls
usage_err "^sandgate ask: option '--json' takes no value" ask --json=yes -- ls
usage_err "^sandgate ask: option '--timeout' needs a value" ask --timeout
usage_err "^sandgate ask: option '-t' needs a value" ask -t
for s in list export import; do
	usage_err "^sandgate rules $s: unknown option '--bogus' \(see \`sandgate rules --help\`\)" rules $s --bogus
done
for s in tail query export verify checkpoint reseal rotate-key; do
	usage_err "^sandgate audit $s: unknown option '--bogus' \(see \`sandgate audit --help\`\)" audit $s --bogus
done
[ "$(grep -c . "$T/err")" = 1 ] || fail "audit usage error is more than one line: $(cat "$T/err")"
pass "unknown options: exit 2, 'sandgate CMD: unknown option ...'"

# bad values are usage errors too, found before any broker is asked (none runs)
usage_err "^sandgate rules add: --scope must be once, session, agent, workspace or global, not 'everywhere'" \
	rules add allow exec ls --scope everywhere
usage_err "^sandgate rules add: --max-level must be low, medium, high or critical" rules add allow exec ls --max-level huge
usage_err "^sandgate rules add: bad pattern 'nope:ls': a pattern starts with exec" rules add allow nope:ls
usage_err "^sandgate rules add: bad pattern 'fetch x'" rules add deny fetch x
usage_err "^sandgate rules add: bad pattern .*unterminated" rules add allow 'exec "ls'
usage_err "^sandgate rules add: the effect is allow or deny" rules add permit exec ls
usage_err "^sandgate rules import: --scope must be" rules import --scope everywhere -
usage_err "^sandgate rules import: --max-level must be" rules import --max-level huge -
usage_err "^sandgate decide: --scope must be once, session, agent, workspace or global, not 'forever'" \
	decide g:g1 allow --rule 1 --scope forever
usage_err "^sandgate decide: --rule takes a suggestion number" decide g:g1 allow --rule 0
usage_err "^sandgate decide: --rule takes a suggestion number" decide g:g1 allow --rule x
usage_err "^sandgate ask: --kind must be exec, write, edit, read, delete, net, mcp or other, not 'fetch'" \
	ask --kind fetch -- https://example.com
usage_err "^sandgate exec: --kind must be" exec --kind EXEC -- ls
usage_err "^sandgate rules rm: 'x' is not a rule id" rules rm x
usage_err "^sandgate ask: kind write needs a path" ask --kind write
usage_err "^sandgate ask: kind net needs a URL" ask --kind net
usage_err "^sandgate ask: kind mcp needs --server S and --tool T" ask --kind mcp --tool t
usage_err "^sandgate exec: kind net needs a URL" exec --kind net -- ls
usage_err "^sandgate rules add: --scope session needs --scope-value" rules add allow exec ls --scope session
usage_err "^sandgate rules add: --max-level critical needs --critical-ok" rules add allow exec ls --max-level critical
pass "bad --scope, --max-level, pattern kind and --kind: exit 2 before connecting"

# help CMD and version
sg help rules >"$T/h1" && sg rules --help >"$T/h2" || fail "help rules"
cmp -s "$T/h1" "$T/h2" || fail "sandgate help rules differs from rules --help"
grep -q "^usage: sandgate rules" "$T/h1" || fail "help rules text"
sg help | matches "^usage: sandgate COMMAND" || fail "sandgate help"
usage_err "^sandgate help: unknown command 'nope'" help nope
usage_err "^sandgate help: expected one command" help rules list
[ "$(sg version)" = "$(sg --version)" ] || fail "version differs from --version"
sg version | matches -E "^sandgate [0-9]+\.[0-9]+\.[0-9]+ \(protocol [0-9]+\)$" || fail "version text"
usage_err "^sandgate version: unexpected argument" version --short
sg --help | matches "sandgate help COMMAND" || fail "--help does not mention help COMMAND"
pass "help CMD, version"

# no command's --help shows options that exist only for tests
for c in $(sg --help | awk '/^commands:/{on=1; next} on && !NF {exit} on {print $1}'); do
	sg "$c" --help | grep -Ei '\((tests?|testing|debug)\)|--exit-after' && fail "$c --help shows a test-only option"
done
pass "no test-only options in --help"

# refusals exit 1: no such rule, a rule revoked before (said so), no such request
start_broker
id=$(sg rules add allow exec ls --json | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
[ -n "$id" ] || fail "rules add"
sg rules rm "$id" | matches "^rule $id revoked$" || fail "first rm"
expect_rc 1 sg rules rm "$id" 2>"$T/err"
grep -q "^sandgate rules rm: rule $id was already revoked$" "$T/err" || fail "second rm: $(cat "$T/err")"
id2=$(sg rules add allow exec make --json | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
expect_rc 1 sg rules rm "$id" "$id2" >"$T/out" 2>"$T/err"
grep -q "^rule $id2 revoked$" "$T/out" || fail "a revoked id in the list stopped the others"
expect_rc 1 sg rules rm 9999 2>"$T/err"
grep -q "no rule 9999" "$T/err" || fail "rm of an unknown rule"
expect_rc 1 sg decide 9999 allow 2>/dev/null
expect_rc 1 sg decide g:g9999 allow 2>/dev/null
pass "refusals exit 1; rules rm of a revoked rule says so"

# broker unreachable: 3, with the way to start it
stop_broker
expect_rc 3 sg pending 2>"$T/err"
grep -q "start it with \`sandgate broker\`" "$T/err" || fail "unreachable text: $(cat "$T/err")"
expect_rc 3 sg ask -- ls 2>/dev/null
pass "broker unreachable exits 3"
