# The command surface: --help everywhere, usage errors exit 2, the demo runs.
. "$SG_SRC/tests/lib.sh"

sg --help | matches "^usage: sandgate COMMAND" || fail "sandgate --help"
for c in $(sg --help | awk '/^commands:/{on=1; next} on && !NF {exit} on {print $1}'); do
	sg "$c" --help >"$T/help" || fail "$c --help exit status"
	grep -q "^usage: sandgate $c" "$T/help" || fail "$c --help text"
done
expect_rc 2 sg frobnicate 2>/dev/null
expect_rc 2 sg ask 2>/dev/null
expect_rc 2 sg ask --timeout 0 -- ls 2>/dev/null
expect_rc 2 sg ask --bogus -- ls 2>/dev/null
expect_rc 2 sg pending --bogus 2>/dev/null
expect_rc 2 sg broker --timeout nope 2>/dev/null
sg --version | matches "^sandgate .* (protocol 1)" || fail "--version"
pass "help and usage errors"

sg demo >"$T/demo" 2>&1 || fail "demo failed: $(cat "$T/demo")"
grep -q "denied: nobody decided within" "$T/demo" || fail "demo did not show a timeout"
grep -Eq "[0-9]+ allowed, [0-9]+ denied" "$T/demo" || fail "demo summary"
db=$(sed -n 's/.*audit DB \(.*\)$/\1/p' "$T/demo")
[ "$(sqlite3 "$db" 'select count(*) from decisions')" -ge 8 ] || fail "demo decisions not recorded"
rm -rf "$(dirname "$db")"
pass "demo runs end to end"
