/* test_tui.c -- unit tests of the console's curses-free parts: hostile
 * text, lines, theme files (malformed, huge, hostile), layout, diff,
 * pattern comparison, filter, key table, the model, broker alerts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/alert.h"
#include "tui/compare.h"
#include "tui/diff.h"
#include "tui/filter.h"
#include "tui/keys.h"
#include "tui/layout.h"
#include "tui/line.h"
#include "tui/model.h"
#include "tui/picker.h"
#include "tui/text.h"
#include "tui/theme.h"
#include "tui/view.h"
#include "proto/rpc.h"

/* ---- text_scan ---- */

struct collect {
	char buf[1024];
	size_t cols;
	int escaped;
};

static int
collect_piece(void *arg, const char *p, size_t n, size_t cols, int kind)
{
	struct collect *c = arg;

	strncat(c->buf, p, n);
	c->cols += cols;
	c->escaped += kind != TEXT_PIECE_PLAIN;
	return 0;
}

static unsigned
scan(const char *s, size_t n, struct collect *c)
{
	memset(c, 0, sizeof *c);
	return text_scan(s, n, collect_piece, c);
}

/* Only printable ASCII or multi-byte UTF-8, no byte below 0x20 or 0x7f. */
static void
assert_printable(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		assert_true(*p >= 0x20 && *p != 0x7f);
}

static void
test_scan_escapes(void **state)
{
	struct collect c;
	unsigned f;
	/* ANSI colour, OSC title + OSC 52 clipboard, cursor move, bell, C1 CSI */
	const char hostile[] = "ok\x1b[31mred\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x1b\\\x1b[2J\x1b[H\xc2\x9b" "1m";

	f = scan(hostile, sizeof hostile - 1, &c);
	assert_true(f & TEXT_HAD_CONTROL);
	assert_printable(c.buf);
	assert_non_null(strstr(c.buf, "\\e[31m"));
	assert_non_null(strstr(c.buf, "\\e]0;pwned\\x07"));
	assert_non_null(strstr(c.buf, "<U+009B>"));
	assert_int_equal(c.cols, strlen(c.buf));
	(void)state;
}

static void
test_scan_bidi_invisible(void **state)
{
	struct collect c;
	/* RLO makes "txt.exe" look like "exe.txt"; ZWSP, ZWJ, BOM hide; LRI/PDI */
	const char s[] = "a\xe2\x80\xae" "exe.txt b\xe2\x80\x8b c\xe2\x80\x8d d\xef\xbb\xbf e\xe2\x81\xa6x\xe2\x81\xa9";
	unsigned f = scan(s, sizeof s - 1, &c);

	assert_true(f & TEXT_HAD_BIDI);
	assert_true(f & TEXT_HAD_INVISIBLE);
	assert_non_null(strstr(c.buf, "<U+202E>"));
	assert_non_null(strstr(c.buf, "<U+200B>"));
	assert_non_null(strstr(c.buf, "<U+200D>"));
	assert_non_null(strstr(c.buf, "<U+FEFF>"));
	assert_non_null(strstr(c.buf, "<U+2066>"));
	assert_null(strstr(c.buf, "\xe2\x80\xae"));
	(void)state;
}

static void
test_scan_widths(void **state)
{
	struct collect c;
	unsigned f;

	/* wide CJK: 2 columns each */
	f = scan("\xe6\x97\xa5\xe6\x9c\xac", 6, &c);
	assert_int_equal(f, 0);
	assert_int_equal(c.cols, 4);
	/* e + combining acute: one column */
	f = scan("e\xcc\x81", 3, &c);
	assert_int_equal(c.cols, 1);
	assert_int_equal(c.escaped, 0);
	/* a combining mark with no base, and a pile of 5 marks: escaped */
	scan("\xcc\x81x", 3, &c);
	assert_int_equal(c.escaped, 1);
	scan("e\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81", 11, &c);
	assert_int_equal(c.escaped, 3);
	/* invalid UTF-8 and a NUL byte */
	f = scan("a\xff\x00z", 4, &c);
	assert_true(f & TEXT_HAD_INVALID);
	assert_true(f & TEXT_HAD_CONTROL);
	assert_string_equal(c.buf, "a\\xff\\x00z");
	/* unassigned and private-use code points */
	scan("\xf3\xb0\x80\x80", 4, &c);
	assert_int_equal(c.escaped, 1);
	(void)state;
}

static void
test_text_fit(void **state)
{
	size_t cols;

	assert_int_equal(text_fit("abcdef", 6, 3, &cols), 3);
	assert_int_equal(cols, 3);
	/* never splits a wide character */
	assert_int_equal(text_fit("\xe6\x97\xa5\xe6\x9c\xac", 6, 3, &cols), 3);
	assert_int_equal(cols, 2);
	/* keeps combining marks with their base */
	assert_int_equal(text_fit("e\xcc\x81z", 4, 1, &cols), 3);
	/* the old text_escape keeps its behaviour */
	{
		unsigned f;
		char *e = text_escape("a\x1b[1mb", 6, 0, &f);

		assert_string_equal(e, "a\\e[1mb");
		assert_true(f & TEXT_HAD_CONTROL);
		free(e);
	}
	(void)state;
}

/* ---- lines ---- */

static void
line_string(const lines *l, size_t i, char *buf, size_t cap)
{
	struct line_view v;

	lines_get(l, i, &v);
	buf[0] = '\0';
	for (size_t k = 0; k < v.nsp; k++)
		strncat(buf, v.text + v.sp[k].off, v.sp[k].len < cap - strlen(buf) - 1 ? v.sp[k].len : cap - strlen(buf) - 1);
}

static void
test_lines_clip_wrap(void **state)
{
	lines *l = lines_new();
	char buf[256];
	struct line_view v;

	lines_newline(l);
	lines_put_clip(l, TR_NORMAL, "hello world", 11, 8);
	line_string(l, 0, buf, sizeof buf);
	assert_string_equal(buf, "hello w\xe2\x80\xa6");
	lines_get(l, 0, &v);
	assert_int_equal(v.cols, 8);
	/* an escape never gets cut in half */
	lines_newline(l);
	lines_put_clip(l, TR_NORMAL, "ab\xe2\x80\xae", 5, 6);
	line_string(l, 1, buf, sizeof buf);
	assert_string_equal(buf, "ab\xe2\x80\xa6");
	/* wrapping at 10 with indent 2 */
	lines_reset(l);
	lines_wrap(l, 10, 2);
	lines_newline(l);
	lines_put(l, TR_NORMAL, "0123456789abcdefghij");
	assert_int_equal(lines_count(l), 3);
	line_string(l, 1, buf, sizeof buf);
	assert_string_equal(buf, "  abcdefgh");
	for (size_t i = 0; i < lines_count(l); i++) {
		lines_get(l, i, &v);
		assert_true(v.cols <= 10);
	}
	/* escaped pieces get the escaped role */
	lines_reset(l);
	lines_wrap(l, 0, 0);
	lines_newline(l);
	lines_put_untrusted(l, TR_NORMAL, "x\x1by", 3);
	lines_get(l, 0, &v);
	assert_int_equal(v.nsp, 3);
	assert_int_equal(v.sp[1].role, TR_ESCAPED);
	lines_free(l);
	(void)state;
}


/* ---- whitespace runs and hidden tails (issue #12) ---- */

static void
test_padding_oneline(void **state)
{
	char pad[256], cmd[512], *t;
	unsigned f;

	memset(pad, ' ', 200);
	pad[200] = '\0';
	snprintf(cmd, sizeof cmd, "echo ok%s; rm -rf ~", pad);
	/* the review's attack: the tail stays in view, the padding is counted */
	t = text_oneline(cmd, strlen(cmd), 0, &f);
	assert_string_equal(t, "echo ok \xe2\x9f\xa8" "200 spaces\xe2\x9f\xa9 ; rm -rf ~");
	free(t);
	/* 2-15 spaces become one; tabs and newlines stay visible as escapes */
	t = text_oneline("a   b\tc\nd", 9, 0, &f);
	assert_string_equal(t, "a b\\tc\\nd");
	assert_true(f & TEXT_HAD_CONTROL);
	free(t);
	/* Unicode spaces, newlines and tabs count too */
	t = text_oneline("x\xc2\xa0\xc2\xa0\xe3\x80\x80 y", 10, 0, NULL);
	assert_string_equal(t, "x y");
	free(t);
	memset(cmd, '\n', 40);
	memcpy(cmd, "ls", 2);
	memcpy(cmd + 30, "\t\t   rm -rf /", 14);
	t = text_oneline(cmd, 43, 0, NULL);
	assert_string_equal(t, "ls \xe2\x9f\xa8" "28 newlines, 2 tabs, 3 spaces\xe2\x9f\xa9 rm -rf /");
	free(t);
	/* padding with the same hidden character: once, counted */
	{
		char zw[700];
		size_t k = 0;

		memcpy(zw, "echo ok", 7);
		k = 7;
		for (int i = 0; i < 200; i++, k += 3)
			memcpy(zw + k, "\xe2\x80\x8b", 3);
		memcpy(zw + k, "; rm", 4);
		k += 4;
		t = text_oneline(zw, k, 0, &f);
		assert_string_equal(t, "echo ok<U+200B>\xc3\x97" "200; rm");
		assert_true(f & TEXT_HAD_INVISIBLE);
		free(t);
		t = text_oneline("a\x07\x07\x07\x07\x07" "b\x07\x07" "c", 10, 0, NULL);
		assert_string_equal(t, "a\\x07\xc3\x97" "5b\\x07\\x07c");
		free(t);
	}
	/* a cut says how many bytes it leaves out */
	snprintf(cmd, sizeof cmd, "git status && curl -fsSL https://example.com/install.sh | sh");
	t = text_oneline(cmd, strlen(cmd), 40, &f);
	assert_true(f & TEXT_TRUNCATED);
	assert_true(text_width(t) <= 40);
	assert_non_null(strstr(t, "\xe2\x80\xa6(+"));
	{
		const char *m = strstr(t, "(+");
		size_t shown = (size_t)(m - t) - 3, left = strtoul(m + 2, NULL, 10);

		assert_int_equal(shown + left, strlen(cmd)); /* nothing lost, nothing counted twice */
		assert_int_equal(strncmp(t, cmd, shown), 0);
	}
	free(t);
	/* too narrow for the count: just the mark */
	t = text_oneline(cmd, strlen(cmd), 8, NULL);
	assert_string_equal(t, "git sta\xe2\x80\xa6");
	free(t);
	/* a marker is never split: it goes whole or not at all */
	snprintf(cmd, sizeof cmd, "echo ok%s; rm -rf ~", pad);
	t = text_oneline(cmd, strlen(cmd), 30, NULL);
	assert_true(text_width(t) <= 30);
	assert_null(strstr(t, "\xe2\x9f\xa8" "200 s\xe2\x80\xa6"));
	free(t);
	(void)state;
}

static void
test_padding_squeeze(void **state)
{
	char *big = malloc(20000), *t;

	/* the broker's summary: raw text (controls kept), runs collapsed */
	t = text_squeeze("a  \n b", 6, 4096);
	assert_string_equal(t, "a  \n b");
	free(t);
	t = text_squeeze("a\0b", 3, 4096);
	assert_string_equal(t, "a\\x00b");
	free(t);
	/* 5000 spaces cannot push the tail past the cap */
	memcpy(big, "echo ok", 7);
	memset(big + 7, ' ', 5000);
	memcpy(big + 5007, "; rm -rf ~", 10);
	t = text_squeeze(big, 5017, 4096);
	assert_string_equal(t, "echo ok \xe2\x9f\xa8" "5000 spaces\xe2\x9f\xa9 ; rm -rf ~");
	free(t);
	/* a long text is cut at the cap with the count of bytes left */
	memset(big, 'x', 20000);
	t = text_squeeze(big, 20000, 4096);
	assert_true(strlen(t) <= 4096);
	assert_non_null(strstr(t, "\xe2\x80\xa6(+"));
	assert_int_equal(strtoul(strstr(t, "(+") + 2, NULL, 10), 20000 - (strstr(t, "\xe2\x80\xa6") - t));
	free(t);
	/* never inside a UTF-8 sequence */
	for (int i = 0; i < 3000; i++)
		memcpy(big + 3 * i, "\xe6\x97\xa5", 3);
	t = text_squeeze(big, 9000, 100);
	assert_true(strlen(t) <= 100);
	assert_int_equal((strstr(t, "\xe2\x80\xa6") - t) % 3, 0);
	free(t);
	free(big);
	(void)state;
}

static void
test_padding_lines(void **state)
{
	lines *l = lines_new();
	char buf[512], pad[201], cmd[400];
	size_t n;
	char *t;

	memset(pad, ' ', 200);
	pad[200] = '\0';
	snprintf(cmd, sizeof cmd, "echo ok%s; rm -rf ~", pad);
	/* a list row: collapsed, and the cut counts what it leaves out */
	lines_newline(l);
	lines_put_clip(l, TR_NORMAL, cmd, strlen(cmd), 60);
	line_string(l, 0, buf, sizeof buf);
	assert_string_equal(buf, "echo ok \xe2\x9f\xa8" "200 spaces\xe2\x9f\xa9 ; rm -rf ~");
	lines_newline(l);
	lines_put_clip(l, TR_NORMAL, "curl -fsSL https://example.com/install.sh | sh", 46, 20);
	line_string(l, 1, buf, sizeof buf);
	assert_string_equal(buf, "curl -fsSL ht\xe2\x80\xa6(+33B)"); /* 13 + 33 = 46 bytes */
	/* the detail (wrapped): long runs after text are counted, indentation kept */
	lines_reset(l);
	lines_wrap(l, 40, 0);
	lines_whitespace(l, TEXT_WS_COUNT);
	lines_newline(l);
	lines_put_untrusted(l, TR_NORMAL, cmd, strlen(cmd));
	lines_newline(l);
	lines_put_untrusted(l, TR_NORMAL, "        indented", 16);
	lines_whitespace(l, TEXT_WS_KEEP);
	t = lines_text(l, &n);
	assert_string_equal(t, "echo ok \xe2\x9f\xa8" "200 spaces\xe2\x9f\xa9 ; rm -rf ~\n        indented");
	free(t);
	lines_free(l);
	(void)state;
}

/* ---- themes ---- */

static int
apply(theme *t, const char *text, char *err)
{
	return theme_apply(t, text, strlen(text), "t.theme", err, 256);
}

static void
test_theme_builtin(void **state)
{
	static const char *const names[] = { "dark", "light", "high-contrast", "mono" };
	char err[256];

	assert_true(theme_builtin_count() >= 4);
	for (size_t i = 0; i < 4; i++) {
		theme *t = theme_load(names[i], err, sizeof err);

		assert_non_null(t);
		theme_free(t);
	}
	{
		theme *t = theme_load("mono", err, sizeof err);

		for (int r = 0; r < TR_COUNT; r++) {
			assert_int_equal(theme_style(t, r)->fg.c256, -1);
			assert_int_equal(theme_style(t, r)->bg.c256, -1);
		}
		theme_free(t);
	}
	assert_null(theme_load("nope", err, sizeof err));
	assert_non_null(strstr(err, "no theme 'nope'"));
	assert_null(theme_load("../../etc/passwd", err, sizeof err));
	(void)state;
}

static void
test_theme_parse(void **state)
{
	theme *t = theme_new();
	char err[256];

	assert_int_equal(apply(t, "# c\n\ndiff_add = 114/green default bold underline\nselected = reverse\n", err), 0);
	assert_int_equal(theme_style(t, TR_DIFF_ADD)->fg.c256, 114);
	assert_int_equal(theme_style(t, TR_DIFF_ADD)->fg.c16, 2);
	assert_int_equal(theme_style(t, TR_DIFF_ADD)->bg.c256, -1);
	assert_int_equal(theme_style(t, TR_DIFF_ADD)->attrs, THEME_BOLD | THEME_UNDERLINE);
	assert_int_equal(theme_style(t, TR_SELECTED)->attrs, THEME_REVERSE);
	assert_int_equal(apply(t, "inherit = light\nnormal = red\n", err), 0);
	assert_int_equal(theme_style(t, TR_NORMAL)->fg.c16, 1);
	theme_free(t);
	(void)state;
}

static void
test_theme_malformed(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "nonsense\n", "t.theme:1: expected" },
		{ "\n\nfoo = red\n", "t.theme:3: unknown role 'foo'" },
		{ "normal = purple\n", "t.theme:1: 'purple' is not a colour" },
		{ "normal = 256\n", "'256' is not a colour" },
		{ "normal = red blue green\n", "'green' is not a colour" },
		{ "normal = bold red\n", "'red' is not a colour" },
		{ "normal =\n", "has no value" },
		{ "normal = 1/200\n", "is not a colour" },
		{ "normal = 1/2/3\n", "is not a colour" },
		{ "inherit = nope\n", "no built-in theme 'nope'" },
		{ "inherit = dark extra\n", "one built-in theme name" },
		{ "normal = red\x1b]0;pwned\x07\n", "t.theme:1: control character" },
		{ "\x1b[2Jbad = red\n", "control character" },
		{ "b\xe2\x80\xae" "ad = red\n", "unknown role 'b<U+202E>ad'" },
	};
	char err[256];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		theme *t = theme_new();

		assert_int_equal(apply(t, bad[i].text, err), -1);
		if (strstr(err, bad[i].want) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err, bad[i].want);
		for (const char *p = err; *p; p++)
			assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
		theme_free(t);
	}
	(void)state;
}

static void
test_theme_huge_truncated(void **state)
{
	theme *t = theme_new();
	char err[256], *big = malloc(THEME_MAX_BYTES + 2), line[THEME_MAX_LINE + 20];

	memset(big, '#', THEME_MAX_BYTES + 1);
	big[THEME_MAX_BYTES + 1] = '\0';
	assert_int_equal(theme_apply(t, big, THEME_MAX_BYTES + 1, "big", err, sizeof err), -1);
	assert_non_null(strstr(err, "larger than"));
	memset(line, 'x', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	assert_int_equal(apply(t, line, err), -1);
	assert_non_null(strstr(err, "longer than"));
	/* NUL inside */
	assert_int_equal(theme_apply(t, "normal = red\0x", 14, "nul", err, sizeof err), -1);
	/* truncated: a file cut mid-line is still parsed line by line */
	assert_int_equal(theme_apply(t, "normal = re", 11, "cut", err, sizeof err), -1);
	assert_int_equal(theme_apply(t, "normal = red\ndim = bo", 21, "cut", err, sizeof err), -1);
	assert_non_null(strstr(err, "cut:2:"));
	/* no trailing newline is fine */
	assert_int_equal(theme_apply(t, "normal = red", 12, "ok", err, sizeof err), 0);
	free(big);
	theme_free(t);
	(void)state;
}

/* ---- layout ---- */

static void
test_layout(void **state)
{
	struct layout l;

	layout_compute(60, 20, &l);
	assert_int_equal(l.mode, LAYOUT_NARROW);
	assert_int_equal(l.list.h, 18);
	assert_int_equal(l.list.w, 60);
	assert_int_equal(l.status.y, 19);
	layout_compute(120, 40, &l);
	assert_int_equal(l.mode, LAYOUT_WIDE);
	assert_int_equal(l.list.w + l.sep.w + l.detail.w, 120);
	assert_int_equal(l.detail.x, l.list.w + 1);
	layout_compute(39, 20, &l);
	assert_int_equal(l.mode, LAYOUT_TOO_SMALL);
	layout_compute(80, 7, &l);
	assert_int_equal(l.mode, LAYOUT_TOO_SMALL);
	layout_compute(0, 0, &l);
	assert_int_equal(l.mode, LAYOUT_TOO_SMALL);
	(void)state;
}

/* ---- diff ---- */

static void
test_diff(void **state)
{
	struct diff_op *ops;
	int approx;
	const char *a = "one\ntwo\nthree\nfour\n", *b = "one\n2\nthree\nfour\nfive\n";
	long n = diff_lines(a, strlen(a), b, strlen(b), 100, &ops, &approx);
	char got[64] = "";

	assert_int_equal(n, 6);
	for (long i = 0; i < n; i++)
		strncat(got, &ops[i].op, 1);
	assert_string_equal(got, " -+  +");
	assert_int_equal(ops[1].old_no, 2);
	assert_int_equal(ops[2].new_no, 2);
	assert_int_equal(ops[5].new_no, 5);
	free(ops);
	/* empty old: everything added */
	n = diff_lines("", 0, "x\ny", 3, 100, &ops, &approx);
	assert_int_equal(n, 2);
	assert_int_equal(ops[0].op, '+');
	free(ops);
	/* too different: old then new, marked approximate */
	{
		char A[4000] = "", B[4000] = "";

		for (int i = 0; i < 200; i++) {
			sprintf(A + strlen(A), "a%d\n", i);
			sprintf(B + strlen(B), "b%d\n", i);
		}
		n = diff_lines(A, strlen(A), B, strlen(B), 50, &ops, &approx);
		assert_int_equal(n, 400);
		assert_int_equal(approx, 1);
		free(ops);
	}
	/* interleaved edits match the minimal diff size */
	{
		const char *x = "a\nb\nc\nd\ne\nf\n", *y = "a\nx\nc\ny\ne\nz\n";
		int changes = 0;

		n = diff_lines(x, strlen(x), y, strlen(y), 100, &ops, &approx);
		for (long i = 0; i < n; i++)
			changes += ops[i].op != ' ';
		assert_int_equal(changes, 6);
		assert_int_equal(approx, 0);
		free(ops);
	}
	(void)state;
}

/* ---- compare ---- */

static void
test_compare(void **state)
{
	struct compare c;

	compare_tokens("exec git push origin feature/*", "exec git push --force origin main", &c);
	assert_int_equal(c.nreq, 6);
	assert_int_equal(c.req[3].mark, '+');  /* --force */
	assert_int_equal(c.req[5].mark, '~');  /* main */
	assert_int_equal(c.pat[c.req[5].pair].n, strlen("feature/*"));
	compare_tokens("exec git push origin feature/*", "exec git push origin feature/x", &c);
	for (size_t i = 0; i < c.nreq; i++)
		assert_int_equal(c.req[i].mark, '=');
	/* a bare * matches any run of words */
	compare_tokens("exec npm run test *", "exec npm run test --watch=false -x", &c);
	for (size_t i = 0; i < c.nreq; i++)
		assert_int_equal(c.req[i].mark, '=');
	compare_tokens("exec rm -rf build", "exec rm build", &c);
	assert_int_equal(c.pat[2].mark, '-');
	(void)state;
}

/* ---- filter ---- */

static void
test_filter(void **state)
{
	struct filter_field f[] = { filter_field("agent", "claude-code"), filter_field("risk", "high"),
		filter_field("text", "git push --force") };

	assert_true(filter_match("", f, 3));
	assert_true(filter_match("push", f, 3));
	assert_true(filter_match("agent:claude PUSH", f, 3));
	assert_false(filter_match("agent:codex", f, 3));
	assert_true(filter_match("risk:med", f, 3));
	assert_false(filter_match("risk:critical", f, 3));
	assert_false(filter_match("push nothere", f, 3));
	(void)state;
}

/* ---- keys ---- */

static void
test_keys(void **state)
{
	size_t n;
	const struct key_binding *k = keys_table(&n);

	/* one place, no key bound twice where both apply */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (k[i].key == k[j].key)
				assert_int_equal(k[i].where & k[j].where, 0);
	assert_int_equal(keys_lookup('j', KW_QUEUE), ACT_DOWN);
	assert_int_equal(keys_lookup('q', KW_DETAIL), ACT_QUIT);
	assert_int_equal(keys_lookup('x', KW_QUEUE), ACT_NONE);
	assert_int_equal(keys_lookup('\r', KW_QUEUE), ACT_OPEN);
	/* the help lists every action of the table */
	{
		lines *l = lines_new();
		char all[8192] = "", buf[512];

		view_help(l, 200);
		for (size_t i = 0; i < lines_count(l); i++) {
			line_string(l, i, buf, sizeof buf);
			strncat(all, buf, sizeof all - strlen(all) - 1);
		}
		for (size_t i = 0; i < n; i++)
			assert_non_null(strstr(all, k[i].help));
		lines_free(l);
	}
	(void)state;
}

/* ---- model ---- */

static msgpack_sbuffer sb;
static msgpack_packer pk;

static msgpack_object
view_obj(msgpack_unpacked *up, int64_t id, const char *agent, const char *summary, const char *level,
    const char *group)
{
	msgpack_sbuffer_clear(&sb);
	msgpack_pack_map(&pk, 9 + (level != NULL) + (group != NULL));
	rpc_pack_kv_int(&pk, "id", id);
	rpc_pack_kv_str(&pk, "agent", agent);
	rpc_pack_kv_str(&pk, "session", "s1");
	rpc_pack_kv_str(&pk, "req_id", "r");
	rpc_pack_kv_str(&pk, "kind", "exec");
	rpc_pack_kv_str(&pk, "summary", summary);
	rpc_pack_kv_int(&pk, "created_ms", 1000 + id);
	rpc_pack_kv_int(&pk, "deadline_ms", 100000);
	rpc_pack_str(&pk, "request");
	msgpack_pack_map(&pk, 1);
	rpc_pack_kv_str(&pk, "command", summary);
	if (level != NULL) {
		rpc_pack_str(&pk, "risk");
		msgpack_pack_map(&pk, 2);
		rpc_pack_kv_int(&pk, "score", strcmp(level, "critical") == 0 ? 95 : 20);
		rpc_pack_kv_str(&pk, "level", level);
	}
	if (group != NULL)
		rpc_pack_kv_str(&pk, "group", group);
	msgpack_unpacked_init(up);
	msgpack_unpack_next(up, sb.data, sb.size, NULL);
	return up->data;
}

static void
add(model *m, int64_t id, const char *agent, const char *summary, const char *level)
{
	msgpack_unpacked up;
	msgpack_object o = view_obj(&up, id, agent, summary, level, NULL);

	assert_int_equal(model_add_request(m, &o), 1);
	msgpack_unpacked_destroy(&up);
}

static void
test_model(void **state)
{
	model *m = model_new();
	msgpack_unpacked up;
	msgpack_object o;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	add(m, 1, "a", "git status", "low");
	add(m, 2, "a", "git push", "low");
	add(m, 3, "a", "rm -rf /", "critical");
	add(m, 4, "b", "ls \x1b[2J", "low");
	/* a duplicate is ignored, garbage is refused */
	o = view_obj(&up, 1, "a", "git status", "low", NULL);
	assert_int_equal(model_add_request(m, &o), 0);
	msgpack_unpacked_destroy(&up);
	o = (msgpack_object){ .type = MSGPACK_OBJECT_NIL };
	assert_int_equal(model_add_request(m, &o), -1);
	assert_int_equal(model_pending(m), 4);
	/* local groups: git (2), rm, ls; critical first, the hostile one raised to high */
	assert_int_equal(model_queue_len(m, 5000), 3);
	assert_int_equal(model_queue_at(m, 0)->max_level, RISK_CRITICAL);
	assert_int_equal(model_queue_at(m, 1)->max_level, RISK_HIGH);
	assert_int_equal(model_queue_at(m, 2)->n, 2);
	assert_true(model_find(m, 4)->hostile & TEXT_HAD_CONTROL);
	/* filter and defer */
	model_set_filter(m, "push");
	assert_int_equal(model_queue_len(m, 5000), 1);
	model_set_filter(m, NULL);
	model_defer(m, model_queue_at(m, 0)->id, 10000);
	assert_int_equal(model_queue_len(m, 5000), 2);
	assert_int_equal(model_deferred(m, 5000), 1);
	assert_int_equal(model_queue_len(m, 10001), 3);
	/* removal shrinks and drops groups */
	assert_int_equal(model_remove_request(m, 3), 1);
	assert_int_equal(model_remove_request(m, 3), 0);
	assert_int_equal(model_queue_len(m, 20000), 2);
	/* broker groups take over */
	msgpack_sbuffer_clear(&sb);
	msgpack_pack_map(&pk, 1);
	rpc_pack_str(&pk, "groups");
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, 4);
	rpc_pack_kv_str(&pk, "id", "g7");
	rpc_pack_kv_str(&pk, "pattern", "exec git *");
	rpc_pack_str(&pk, "members");
	msgpack_pack_array(&pk, 3);
	msgpack_pack_int64(&pk, 1);
	msgpack_pack_int64(&pk, 2);
	msgpack_pack_int64(&pk, 4);
	rpc_pack_str(&pk, "suggestions");
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, 4);
	rpc_pack_kv_int(&pk, "index", 0);
	rpc_pack_kv_str(&pk, "pattern", "exec git *");
	rpc_pack_kv_str(&pk, "scope", "session");
	rpc_pack_kv_int(&pk, "covers", 3);
	msgpack_unpacked_init(&up);
	msgpack_unpack_next(&up, sb.data, sb.size, NULL);
	assert_int_equal(model_set_groups(m, &up.data), 0);
	msgpack_unpacked_destroy(&up);
	assert_false(model_local_groups(m));
	assert_int_equal(model_queue_len(m, 20000), 1);
	assert_int_equal(model_queue_at(m, 0)->n, 3);
	assert_int_equal(model_queue_at(m, 0)->nsugg, 1);
	/* a new request naming an unknown group gets a placeholder */
	o = view_obj(&up, 9, "a", "make", "medium", "g8");
	assert_int_equal(model_add_request(m, &o), 1);
	msgpack_unpacked_destroy(&up);
	assert_non_null(model_group(m, "g8"));
	model_free(m);
	/* growth: the hashes rehash past 1024 requests and 256 groups */
	m = model_new();
	for (int64_t i = 1; i <= 5000; i++) {
		char cmd[32];

		snprintf(cmd, sizeof cmd, "prog%lld x", (long long)(i % 700));
		add(m, i, "a", cmd, "low");
	}
	for (int64_t i = 1; i <= 5000; i++)
		assert_non_null(model_find(m, i));
	assert_null(model_find(m, 5001));
	assert_int_equal(model_group_count(m), 700);
	assert_int_equal(model_queue_len(m, 0), 700);
	for (int64_t i = 1; i <= 5000; i += 2)
		assert_int_equal(model_remove_request(m, i), 1);
	assert_int_equal(model_pending(m), 2500);
	model_free(m);
	msgpack_sbuffer_destroy(&sb);
	(void)state;
}


/* Pack a groups reply: each group "id:m1,m2,..." (members) into sb. */
static msgpack_object
groups_obj(msgpack_unpacked *up, const char *const *spec, size_t n, const char *const *gone, size_t ngone)
{
	msgpack_sbuffer_clear(&sb);
	msgpack_pack_map(&pk, 2 + (gone != NULL));
	rpc_pack_kv_int(&pk, "next", -1);
	if (gone != NULL) {
		rpc_pack_str(&pk, "gone");
		msgpack_pack_array(&pk, ngone);
		for (size_t i = 0; i < ngone; i++)
			rpc_pack_str(&pk, gone[i]);
	}
	rpc_pack_str(&pk, "groups");
	msgpack_pack_array(&pk, n);
	for (size_t i = 0; i < n; i++) {
		char id[16];
		const char *colon = strchr(spec[i], ':'), *p;
		size_t nm = 0;

		snprintf(id, sizeof id, "%.*s", (int)(colon - spec[i]), spec[i]);
		for (p = colon + 1; *p; p++)
			nm += *p == ',';
		msgpack_pack_map(&pk, 4);
		rpc_pack_kv_str(&pk, "id", id);
		rpc_pack_kv_int(&pk, "count", 99);
		rpc_pack_str(&pk, "members");
		msgpack_pack_array(&pk, colon[1] ? nm + 1 : 0);
		for (p = colon + 1; *p; p = *p == ',' ? p + 1 : p)
			msgpack_pack_int64(&pk, strtoll(p, (char **)&p, 10));
		rpc_pack_str(&pk, "others");
		msgpack_pack_map(&pk, 3);
		rpc_pack_kv_int(&pk, "requests", 1);
		rpc_pack_kv_int(&pk, "more", 1);
		rpc_pack_kv_str(&pk, "example", "rm -rf ~");
	}
	msgpack_unpacked_init(up);
	msgpack_unpack_next(up, sb.data, sb.size, NULL);
	return up->data;
}

static void
note_id(void *arg, const char *id)
{
	strcat((char *)arg, id);
	strcat((char *)arg, " ");
}

/* Groups page by page and by id (issue #12): a page describes the groups
 * it names and moves the members it lists; members it does not list stay;
 * gone groups are dropped; a full fetch names the groups no page described. */
static void
test_model_group_pages(void **state)
{
	model *m = model_new();
	msgpack_unpacked up;
	msgpack_object o;
	const char *p1[] = { "g1:1,2", "g2:3" }, *p2[] = { "g2:4" }, *p3[] = { "g3:2" }, *p4[] = { "g1:1" }, *gone[] = { "g2" };
	char unseen[64] = "";

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	for (int64_t i = 1; i <= 4; i++) {
		o = view_obj(&up, i, "a", "echo ok ; rm -rf ~", "low", i <= 2 ? "g1" : "g2");
		assert_int_equal(model_add_request(m, &o), 1);
		msgpack_unpacked_destroy(&up);
	}
	model_groups_sync_begin(m);
	o = groups_obj(&up, p1, 2, NULL, 0);
	assert_int_equal(model_update_groups(m, &o), 0);
	msgpack_unpacked_destroy(&up);
	o = groups_obj(&up, p2, 1, NULL, 0); /* a member slice of g2 */
	assert_int_equal(model_update_groups(m, &o), 0);
	msgpack_unpacked_destroy(&up);
	assert_int_equal(model_groups_sync_end(m, note_id, unseen), 0);
	assert_int_equal(model_group(m, "g1")->n, 2);
	assert_int_equal(model_group(m, "g2")->n, 2);
	assert_int_equal(model_group(m, "g1")->others_n, 1);
	assert_string_equal(model_group(m, "g1")->others_ex, "rm -rf ~");
	assert_false(model_group(m, "g1")->placeholder);
	/* request 2 moved to g3 (a rule changed its key part) */
	o = groups_obj(&up, p3, 1, NULL, 0);
	model_update_groups(m, &o);
	msgpack_unpacked_destroy(&up);
	assert_int_equal(model_group(m, "g1")->n, 1);
	assert_int_equal(model_group(m, "g3")->n, 1);
	assert_string_equal(model_find(m, 2)->group_id, "g3");
	/* g2 is gone: its members wait in groups of their own */
	o = groups_obj(&up, NULL, 0, gone, 1);
	model_update_groups(m, &o);
	msgpack_unpacked_destroy(&up);
	assert_null(model_group(m, "g2"));
	assert_non_null(model_group(m, "r3"));
	assert_int_equal(model_queue_len(m, 0), 4);
	/* a full fetch that misses g3 names it (to fetch by id) */
	model_groups_sync_begin(m);
	o = groups_obj(&up, p4, 1, NULL, 0);
	model_update_groups(m, &o);
	msgpack_unpacked_destroy(&up);
	assert_int_equal(model_groups_sync_end(m, note_id, unseen), 1);
	assert_string_equal(unseen, "g3 ");
	model_free(m);
	msgpack_sbuffer_destroy(&sb);
	(void)state;
}

/* ---- alerts, lines_text, layout_take_bottom ---- */

/* Decode the msgpack built by fn into up; returns its root object. */
static const msgpack_object *
build(msgpack_unpacked *up, msgpack_sbuffer *msb, void (*fn)(msgpack_packer *, const void *), const void *arg)
{
	msgpack_packer mpk;

	msgpack_sbuffer_init(msb);
	msgpack_packer_init(&mpk, msb, msgpack_sbuffer_write);
	fn(&mpk, arg);
	msgpack_unpacked_init(up);
	assert_int_equal(msgpack_unpack_next(up, msb->data, msb->size, NULL), MSGPACK_UNPACK_SUCCESS);
	return &up->data;
}

struct alert_arg {
	const char *code, *message;
	size_t message_len;
	int code_type; /* 0 str, 1 int */
};

static void
pack_alert(msgpack_packer *mpk, const void *arg)
{
	const struct alert_arg *a = arg;

	msgpack_pack_map(mpk, 3);
	rpc_pack_str(mpk, "code");
	if (a->code_type == 1)
		msgpack_pack_int(mpk, 7);
	else
		rpc_pack_str(mpk, a->code);
	rpc_pack_str(mpk, "message");
	if (a->message == NULL)
		msgpack_pack_nil(mpk);
	else
		rpc_pack_strn(mpk, a->message, a->message_len ? a->message_len : strlen(a->message));
	rpc_pack_kv_int(mpk, "time_ms", 1);
}

static int
alert_of(struct alerts *al, struct alert_arg a, int64_t now)
{
	msgpack_unpacked up;
	msgpack_sbuffer msb;
	int rc = alerts_on_alert(al, build(&up, &msb, pack_alert, &a), now);

	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&msb);
	return rc;
}

struct circ_arg {
	const char *agent;
	int nsig;       /* -1: not an array */
	bool with_id;
};

static void
pack_circ(msgpack_packer *mpk, const void *arg)
{
	const struct circ_arg *a = arg;

	msgpack_pack_map(mpk, 3 + a->with_id);
	if (a->with_id)
		rpc_pack_kv_int(mpk, "id", 42);
	rpc_pack_kv_str(mpk, "session", "s");
	rpc_pack_kv_str(mpk, "agent", a->agent);
	rpc_pack_str(mpk, "circumvention");
	if (a->nsig < 0) {
		rpc_pack_str(mpk, "not an array");
		return;
	}
	msgpack_pack_array(mpk, (size_t)a->nsig);
	for (int i = 0; i < a->nsig; i++) {
		msgpack_pack_map(mpk, 2);
		rpc_pack_kv_str(mpk, "id", "circumvention.sandgate");
		rpc_pack_kv_str(mpk, "text", i == 0 ? "reaches sandgate's own sockets" : "asks to run outside the sandbox");
	}
}

static int
circ_of(struct alerts *al, struct circ_arg a, int64_t now)
{
	msgpack_unpacked up;
	msgpack_sbuffer msb;
	int rc = alerts_on_circumvention(al, build(&up, &msb, pack_circ, &a), now);

	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&msb);
	return rc;
}

/* The formatted alert lines joined with '|'. */
static void
alert_text(const struct alerts *al, int width, int64_t now, char *buf, size_t cap)
{
	lines *l = lines_new();
	char one[1024];

	alerts_format(al, l, width, now);
	buf[0] = '\0';
	for (size_t i = 0; i < lines_count(l); i++) {
		struct line_view v;

		lines_get(l, i, &v);
		assert_true(v.cols <= width);
		line_string(l, i, one, sizeof one);
		if (i > 0)
			strncat(buf, "|", cap - strlen(buf) - 1);
		strncat(buf, one, cap - strlen(buf) - 1);
	}
	lines_free(l);
}

struct status_arg {
	int kind; /* 0: no store_error key, 1: nil, 2: string, 3: a number */
	const char *error;
};

static void
pack_status(msgpack_packer *mpk, const void *arg)
{
	const struct status_arg *a = arg;

	msgpack_pack_map(mpk, a->kind == 0 ? 1 : 2);
	rpc_pack_kv_int(mpk, "pending", 3);
	if (a->kind == 0)
		return;
	rpc_pack_str(mpk, "store_error");
	if (a->kind == 1)
		msgpack_pack_nil(mpk);
	else if (a->kind == 2)
		rpc_pack_str(mpk, a->error);
	else
		msgpack_pack_int(mpk, 5);
}

static int
status_of(struct alerts *al, struct status_arg a, int64_t now)
{
	msgpack_unpacked up;
	msgpack_sbuffer msb;
	int rc = alerts_on_status(al, build(&up, &msb, pack_status, &a), now);

	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&msb);
	return rc;
}

/* A console that (re)connects learns the store's state from status. */
static void
test_alerts_status(void **state)
{
	struct alerts al = { 0 };
	char buf[4096];

	(void)state;
	assert_int_equal(alerts_on_status(&al, NULL, 1000), 0);
	assert_int_equal(status_of(&al, (struct status_arg){ .kind = 0 }, 1000), 0);
	assert_int_equal(status_of(&al, (struct status_arg){ .kind = 1 }, 1000), 0);
	assert_int_equal(alerts_lines(&al, 1000), 0);
	assert_int_equal(status_of(&al, (struct status_arg){ .kind = 3 }, 1000), -1);
	assert_false(al.store_failing);
	/* an error missed while disconnected: shown, escaped, and it stays */
	assert_int_equal(status_of(&al, (struct status_arg){ .kind = 2,
	    .error = "cannot write the audit log (database or disk is full)\x1b[2J" }, 2000), 0);
	assert_true(al.store_failing);
	assert_int_equal(alerts_lines(&al, 2000 + 10 * ALERT_SHOW_MS), 1);
	alert_text(&al, 200, 3000, buf, sizeof buf);
	assert_non_null(strstr(buf, "disk is full"));
	assert_null(strchr(buf, 0x1b));
	/* the same error again keeps its time; a recovery missed meanwhile clears it */
	assert_int_equal(status_of(&al, (struct status_arg){ .kind = 2,
	    .error = "cannot write the audit log (database or disk is full)\x1b[2J" }, 9000), 0);
	assert_int_equal(al.store_ms, 2000);
	assert_int_equal(status_of(&al, (struct status_arg){ .kind = 1 }, 10000), 0);
	assert_false(al.store_failing);
}

static void
test_alerts(void **state)
{
	struct alerts al = { 0 };
	char buf[4096], huge[5000];

	assert_int_equal(alerts_lines(&al, 1000), 0);
	/* malformed: nothing changes */
	assert_int_equal(alerts_on_alert(&al, NULL, 1000), -1);
	assert_int_equal(alert_of(&al, (struct alert_arg){ .code = "store-error", .code_type = 1, .message = "x" }, 1000), -1);
	assert_int_equal(alert_of(&al, (struct alert_arg){ .code = "store-error" }, 1000), -1);
	assert_int_equal(alert_of(&al, (struct alert_arg){ .code = "", .message = "x" }, 1000), -1);
	assert_int_equal(alert_of(&al, (struct alert_arg){ .code = "a-code-far-longer-than-thirty-two-bytes", .message = "x" }, 1000), -1);
	assert_int_equal(circ_of(&al, (struct circ_arg){ .agent = "a", .nsig = 1, .with_id = false }, 1000), -1);
	assert_int_equal(circ_of(&al, (struct circ_arg){ .agent = "a", .nsig = 0, .with_id = true }, 1000), -1);
	assert_int_equal(circ_of(&al, (struct circ_arg){ .agent = "a", .nsig = -1, .with_id = true }, 1000), -1);
	assert_int_equal(alerts_lines(&al, 1000), 0);

	/* a store error stays up (hostile message escaped) until recovered */
	assert_int_equal(alert_of(&al, (struct alert_arg){ .code = "store-error",
	    .message = "disk I/O error \x1b]0;pwned\x07\x1b[2J" }, 1000), 0);
	assert_int_equal(alerts_lines(&al, 1000 + 10 * ALERT_SHOW_MS), 1);
	alert_text(&al, 200, 2000, buf, sizeof buf);
	assert_non_null(strstr(buf, "ALERT store-error"));
	assert_non_null(strstr(buf, "disk I/O error \\e]0;pwned\\x07\\e[2J"));
	assert_null(strchr(buf, 0x1b));
	assert_null(strchr(buf, 0x07));
	assert_int_equal(alert_of(&al, (struct alert_arg){ .code = "store-recovered", .message = "written" }, 5000), 0);
	alert_text(&al, 200, 5000, buf, sizeof buf);
	assert_non_null(strstr(buf, "store recovered: written"));
	assert_int_equal(alerts_lines(&al, 5000 + ALERT_SHOW_MS), 0);

	/* circumvention, with a hostile agent name, next to a store alert */
	assert_int_equal(alert_of(&al, (struct alert_arg){ .code = "store-error", .message = "full" }, 6000), 0);
	assert_int_equal(circ_of(&al, (struct circ_arg){ .agent = "evil\xe2\x80\xae\x1b[31m", .nsig = 2, .with_id = true }, 6000), 0);
	assert_int_equal(alerts_lines(&al, 6000), 2);
	alert_text(&al, 300, 6000, buf, sizeof buf);
	assert_non_null(strstr(buf, "|"));
	assert_non_null(strstr(buf, "ALERT circumvention: #42 evil<U+202E>\\e[31m: reaches sandgate's own sockets; asks to run outside the sandbox"));
	assert_int_equal(alerts_lines(&al, 6000 + ALERT_SHOW_MS), 1);

	/* a huge message is cut, and a narrow pane clips every line to its width */
	memset(huge, 'm', sizeof huge - 1);
	huge[sizeof huge - 1] = '\0';
	assert_int_equal(alert_of(&al, (struct alert_arg){ .code = "made-up", .message = huge }, 7000), 0);
	assert_int_equal(strlen(al.other), ALERT_TEXT_MAX);
	alert_text(&al, 40, 7000, buf, sizeof buf);
	assert_non_null(strstr(buf, "ALERT made-up: mmm"));
	alert_text(&al, 3, 7000, buf, sizeof buf);
	(void)state;
}

static void
test_lines_text(void **state)
{
	lines *l = lines_new();
	size_t n;
	char *t;

	lines_newline(l);
	lines_put(l, TR_NORMAL, "one  ");
	lines_newline(l);
	lines_newline(l);
	lines_put_untrusted(l, TR_NORMAL, "two\x1b", 4);
	lines_pad_to(l, TR_NORMAL, 20);
	lines_newline(l);
	lines_put(l, TR_NORMAL, "   ");
	lines_newline(l);
	t = lines_text(l, &n);
	assert_string_equal(t, "one\n\ntwo\\e");
	assert_int_equal(n, strlen(t));
	free(t);
	lines_reset(l);
	t = lines_text(l, &n);
	assert_string_equal(t, "");
	free(t);
	lines_free(l);
	(void)state;
}

static void
test_layout_take_bottom(void **state)
{
	struct layout lay;
	struct rect r;

	layout_compute(120, 40, &lay);
	layout_take_bottom(&lay, 2, &r);
	assert_int_equal(r.y, 37);
	assert_int_equal(r.h, 2);
	assert_int_equal(r.w, 120);
	assert_int_equal(lay.list.h, 36);
	assert_int_equal(lay.detail.h, 36);
	assert_int_equal(lay.sep.h, 36);
	layout_compute(40, 8, &lay);
	layout_take_bottom(&lay, 9, &r);
	assert_int_equal(lay.list.h, 2);
	assert_int_equal(r.h, 4);
	assert_int_equal(r.y + r.h, lay.status.y);
	layout_compute(20, 5, &lay);
	layout_take_bottom(&lay, 1, &r);
	assert_int_equal(r.h, 0);
	(void)state;
}


/* ---- issue #16: detail order, hunk headers, word wrap, picker, ceilings ---- */

static char *
doc_text(const struct detail_src *src, int width)
{
	lines *l = lines_new();
	size_t n;
	char *t;

	view_detail(l, src, width);
	t = lines_text(l, &n);
	lines_free(l);
	return t;
}

/* A write request of content against disk, in a group of one. */
static char *
write_doc(const char *disk, const char *content, bool fresh, struct mreason *reasons, size_t nreasons)
{
	static struct mreq r;
	static struct mgroup g;
	const struct mreq *members[1] = { &r };
	msgpack_sbuffer b;
	msgpack_packer p;
	msgpack_unpacked up;
	struct detail_src src;
	char *t;

	r = (struct mreq){ .id = 7, .agent = "codex", .session = "s", .kind = "write", .summary = "write a.txt",
		.score = 5, .level = RISK_LOW, .shown = RISK_LOW, .reasons = reasons, .nreasons = nreasons,
		.created_ms = 1000, .deadline_ms = 0, .expire_ms = -1, .escalate_ms = -1 };
	g = (struct mgroup){ .id = "g1", .n = 1, .rep = &r, .max_level = RISK_LOW };
	msgpack_sbuffer_init(&b);
	msgpack_packer_init(&p, &b, msgpack_sbuffer_write);
	msgpack_pack_map(&p, 2);
	rpc_pack_kv_str(&p, "path", "a.txt");
	rpc_pack_kv_str(&p, "content", content);
	msgpack_unpacked_init(&up);
	msgpack_unpack_next(&up, b.data, b.size, NULL);
	src = (struct detail_src){ .g = &g, .r = &r, .members = members, .nmembers = 1, .req = &up.data,
		.disk = disk, .disk_len = disk != NULL ? strlen(disk) : 0, .now_ms = 5000, .fresh = fresh };
	t = doc_text(&src, 60);
	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&b);
	return t;
}

static void
test_detail_issue16(void **state)
{
	char old[512] = "", nw[512] = "", *t;
	struct mreason dup[3] = {
		{ .text = "overwrites a file", .weight = 5, .part = "write a.txt" },
		{ .text = "overwrites a file", .weight = 5, .part = "write a.txt" },
		{ .text = "outside the workspace", .weight = 30, .part = "../x" },
	};

	for (int i = 1; i <= 20; i++) {
		char line[32];

		snprintf(line, sizeof line, "l%d\n", i);
		strcat(old, line);
		snprintf(line, sizeof line, i == 10 ? "ten\n" : i == 20 ? "twenty\n" : "l%d\n", i);
		strcat(nw, line);
	}
	t = write_doc(old, nw, true, dup, 3);
	/* hunks with their line counts; the head marked; the diff before the risk */
	assert_non_null(strstr(t, "@@ -7,7 +7,7 @@"));
	assert_non_null(strstr(t, "@@ -17,4 +17,4 @@"));
	assert_true(strncmp(t, "\xe2\x96\xb6 low  write by codex", strlen("\xe2\x96\xb6 low  write by codex")) == 0);
	assert_true(strstr(t, "Content diff") < strstr(t, "-- Risk"));
	/* the same reason once; a part that is the whole request is not repeated */
	assert_non_null(strstr(t, "overwrites a file (+5)\n"));
	assert_null(strstr(strstr(t, "overwrites a file") + 1, "overwrites a file"));
	assert_non_null(strstr(t, "outside the workspace (+30) in ../x"));
	free(t);
	/* lines only added at the end: -1,3 +1,4; a new file: -0,0 */
	t = write_doc("a\nb\nc\n", "a\nb\nc\nd\n", false, NULL, 0);
	assert_non_null(strstr(t, "@@ -1,3 +1,4 @@"));
	assert_true(strncmp(t, "low  write", 10) == 0);
	free(t);
	t = write_doc(NULL, "x\n", false, NULL, 0);
	assert_non_null(strstr(t, "@@ -0,0 +1 @@"));
	free(t);
	(void)state;
}

static void
test_wrap_words(void **state)
{
	lines *l = lines_new();
	size_t n;
	char *t;

	lines_wrap(l, 20, 0);
	lines_newline(l);
	lines_put(l, TR_NORMAL, "label     ");
	lines_put(l, TR_NORMAL, "supercalifragilistic");   /* 20: moves to its own row whole */
	lines_put(l, TR_NORMAL, " and more words here");
	t = lines_text(l, &n);
	assert_string_equal(t, "label\nsupercalifragilistic\n and more words here");
	free(t);
	/* after an escape, a word moves whole too */
	lines_reset(l);
	lines_wrap(l, 12, 0);
	lines_newline(l);
	lines_put_untrusted(l, TR_NORMAL, "line one\nline two", 17);
	t = lines_text(l, &n);
	assert_string_equal(t, "line one\\n\nline two");
	free(t);
	lines_free(l);
	(void)state;
}

static void
test_picker(void **state)
{
	model *m = model_new();
	struct mgroup g;
	struct picker p;
	const struct mreq *also[3];
	lines *l = lines_new();
	size_t n;
	char *t;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	add(m, 1, "a", "npm run test -- --grep api", "low");
	add(m, 2, "a", "npm run build", "low");
	add(m, 3, "a", "npm test && make -j4", "low");
	/* word-for-word coverage as the rule language reads it */
	assert_true(picker_words_cover("exec npm run *", model_find(m, 2)));
	assert_true(picker_words_cover("exec npm run test -- --grep *", model_find(m, 1)));
	assert_false(picker_words_cover("exec npm run test -- --grep *", model_find(m, 2)));
	assert_false(picker_words_cover("exec npm test", model_find(m, 3)));
	assert_false(picker_words_cover("write ./**", model_find(m, 2)));
	/* a group of request 1 with two suggestions */
	g = (struct mgroup){ .id = "g1", .session = "s1", .agent = "a", .n = 1, .max_level = RISK_MEDIUM,
		.rep = (struct mreq *)model_find(m, 1), .nsugg = 2 };
	g.m = (struct mreq **)&g.rep;
	g.sugg[0] = (struct msugg){ .index = 0, .pattern = "exec npm run test -- --grep *", .scope = "session",
		.covers = 1, .priced = true, .whole = true };
	g.sugg[1] = (struct msugg){ .index = 1, .pattern = "exec npm run *", .scope = "session", .covers = 2,
		.priced = true, .whole = true };
	((struct mreq *)model_find(m, 1))->group = &g;
	assert_int_equal(picker_also(m, &g, "exec npm run *", 0, also, 3), 1);
	assert_int_equal(also[0]->id, 2);
	assert_int_equal(picker_also(m, &g, "exec npm run *", 1, also, 3), 1);
	picker_start(&p, &g);
	assert_int_equal(p.step, PK_PATTERN);
	assert_int_equal(picker_ceiling_level(p.ceiling), RISK_MEDIUM); /* the group's level */
	picker_format(l, &p, m, &g, 80);
	t = lines_text(l, &n);
	assert_non_null(strstr(t, "Remember which pattern? (1-2, j/k, Enter; Esc cancels)"));
	free(t);
	/* j moves, Enter chooses; scope 3 (workspace) cannot be chosen without one */
	assert_int_equal(picker_key(&p, &g, 'j'), 0);
	lines_reset(l);
	picker_format(l, &p, m, &g, 80);
	t = lines_text(l, &n);
	assert_non_null(strstr(t, "covers 2: 1 here, 1 more waiting\n   also #2 npm run build"));
	free(t);
	assert_int_equal(picker_key(&p, &g, '\n'), 1);
	assert_int_equal(p.step, PK_SCOPE);
	assert_int_equal(picker_key(&p, &g, '3'), 0);
	assert_int_equal(p.step, PK_SCOPE);
	assert_int_equal(picker_key(&p, &g, '2'), 1);
	assert_string_equal(picker_scope_name(p.scope), "agent");
	assert_int_equal(picker_key(&p, &g, '6'), 1);
	assert_int_equal(picker_ttl_seconds(p.ttl), 0);
	assert_int_equal(picker_key(&p, &g, '1'), 1);
	assert_int_equal(p.step, PK_CONFIRM);
	lines_reset(l);
	picker_format(l, &p, m, &g, 80);
	t = lines_text(l, &n);
	assert_non_null(strstr(t, " Remember exec npm run *\n   for agent a, no expiry, an allow up to low"));
	free(t);
	/* Esc (or any other key) cancels a choosing step */
	picker_start(&p, &g);
	assert_int_equal(picker_key(&p, &g, 27), -1);
	/* covers 0 says why */
	g.sugg[0].covers = 0;
	g.others_n = 1;
	g.others_ex = "make -j4";
	picker_start(&p, &g);
	lines_reset(l);
	picker_format(l, &p, m, &g, 100);
	t = lines_text(l, &n);
	assert_non_null(strstr(t, "covers 0: the requests also run make -j4, which it does not cover"));
	assert_null(strstr(t, "answers only part"));
	free(t);
	/* a suggestion for one part of the line says which part still asks */
	g.sugg[0].whole = false;
	g.sugg[0].leaves = "make";
	lines_reset(l);
	picker_format(l, &p, m, &g, 100);
	t = lines_text(l, &n);
	assert_non_null(strstr(t, "answers only part of each line: make still asks a person"));
	free(t);
	g.sugg[0].leaves = NULL;
	lines_reset(l);
	picker_format(l, &p, m, &g, 100);
	t = lines_text(l, &n);
	assert_non_null(strstr(t, "answers only part of each line: the rest still asks a person"));
	free(t);
	((struct mreq *)model_find(m, 1))->group = NULL;
	lines_free(l);
	model_free(m);
	msgpack_sbuffer_destroy(&sb);
	(void)state;
}

static void
test_rule_effect(void **state)
{
	struct mrule r = { .effect = "allow", .max_level = RISK_LOW };
	char buf[32];
	struct layout lay;

	view_rule_effect(buf, sizeof buf, &r);
	assert_string_equal(buf, "allow \xe2\x89\xa4low");
	r.max_level = RISK_CRITICAL;
	view_rule_effect(buf, sizeof buf, &r);
	assert_string_equal(buf, "allow \xe2\x89\xa4" "crit");
	r.effect = "deny";
	view_rule_effect(buf, sizeof buf, &r);
	assert_string_equal(buf, "deny");
	r = (struct mrule){ .effect = "allow" };
	view_rule_effect(buf, sizeof buf, &r);
	assert_string_equal(buf, "allow");
	/* the list gives commands room at 120 columns */
	layout_compute(120, 40, &lay);
	assert_int_equal(lay.list.w, 66);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_escapes), cmocka_unit_test(test_scan_bidi_invisible),
		cmocka_unit_test(test_scan_widths), cmocka_unit_test(test_text_fit),
		cmocka_unit_test(test_lines_clip_wrap), cmocka_unit_test(test_theme_builtin),
		cmocka_unit_test(test_padding_oneline), cmocka_unit_test(test_padding_squeeze),
		cmocka_unit_test(test_padding_lines),
		cmocka_unit_test(test_theme_parse), cmocka_unit_test(test_theme_malformed),
		cmocka_unit_test(test_theme_huge_truncated), cmocka_unit_test(test_layout),
		cmocka_unit_test(test_diff), cmocka_unit_test(test_compare), cmocka_unit_test(test_filter),
		cmocka_unit_test(test_keys), cmocka_unit_test(test_model), cmocka_unit_test(test_model_group_pages),
		cmocka_unit_test(test_alerts), cmocka_unit_test(test_alerts_status),
		cmocka_unit_test(test_lines_text),
		cmocka_unit_test(test_layout_take_bottom),
		cmocka_unit_test(test_detail_issue16), cmocka_unit_test(test_wrap_words),
		cmocka_unit_test(test_picker), cmocka_unit_test(test_rule_effect),
	};

	setlocale(LC_ALL, "C.UTF-8");
	setenv("XDG_CONFIG_HOME", "/nonexistent-sandgate-test", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
