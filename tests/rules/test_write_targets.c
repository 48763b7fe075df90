/* test_write_targets.c -- property test: no written file is lost between the
 * shell parser and the rule matcher.
 *
 * Random command lines are built from a grammar: writers (redirections
 * > >> 2> &> >|, tee, cp, mv, install, dd of=, sed -i, ln -s, touch,
 * truncate, rm, mkdir, chmod, python -c open(...,'w') with a literal path,
 * output options (curl -o, wget -qO, sort -o, tar -C), apply_patch, awk and
 * sed writes, compound redirections, script -c CMD FILE)
 * aimed at targets drawn from workspace paths, home dotfiles, secrets,
 * system and scratch paths in plain, quoted and escaped spellings, wrapped
 * in wrappers (sudo, env VAR=x, timeout 5, nice, nohup, stdbuf, xargs,
 * sh -c '...', bash -lc "...", $(...), backticks, subshells, groups,
 * pipelines, && || ; &, find -exec, here-documents, if/for, eval, cd).  The
 * generator knows every path the line writes or deletes; each must be a
 * write or delete part of the subject the broker builds (and a write-like
 * target of the intent) with the right absolute path.
 *
 * SG_PROP_SEED changes the seed (default fixed), SG_PROP_CASES the number
 * of cases.  A failure prints the seed, the case and the command.
 * SG_PROP_DUMP=1 writes every generated line to stdout (NUL-separated), to
 * check the generator against a real shell (bash -n). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/intent/assess.h"
#include "broker/rules/subject.h"
#include "proto/rpc.h"

#define WS "/home/u/proj"
#define HOME_DIR "/home/u"
#define MAXT 32
#define CMDMAX 8192

static assess_tables *tables;
static uint64_t rng;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned
pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

/* ---- a growing string ---- */

struct str {
	char *s;
	size_t n, cap;
};

static void
put(struct str *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		assert_non_null(b->s);
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void
puts_(struct str *b, const char *s)
{
	put(b, s, strlen(s));
}

static void
putf(struct str *b, const char *fmt, ...)
{
	char tmp[CMDMAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof tmp);
	put(b, tmp, (size_t)n);
}

/* ---- targets ---- */

struct spelling {
	const char *text;  /* as written in the shell, relative spellings resolve against the cwd */
	const char *path;  /* the file, relative to the cwd ("" prefix) or absolute */
	bool literal;      /* usable as a Python string literal (no shell syntax) */
};

static const struct spelling spellings[] = {
	{ "out.txt", "out.txt", true },
	{ "./build/o.log", "build/o.log", true },
	{ "src/../gen.c", "gen.c", true },
	{ "\"my file.txt\"", "my file.txt", false },
	{ "'single q.txt'", "single q.txt", false },
	{ "o\\ut.txt", "out.txt", false },
	{ "$'\\x2e'env", ".env", false },
	{ ".env", ".env", true },
	{ "\"$PWD\"/p.txt", "p.txt", false },
	{ "~/.bashrc", HOME_DIR "/.bashrc", false },
	{ "$HOME/.profile", HOME_DIR "/.profile", false },
	{ "\"$HOME\"/.zshrc", HOME_DIR "/.zshrc", false },
	{ "${HOME}/.ssh/authorized_keys", HOME_DIR "/.ssh/authorized_keys", false },
	{ "~/.aws/credentials", HOME_DIR "/.aws/credentials", false },
	{ HOME_DIR "/.config/autostart/x.desktop", HOME_DIR "/.config/autostart/x.desktop", true },
	{ "'/etc/cron.d/job'", "/etc/cron.d/job", false },
	{ "/etc/profile.d/z.sh", "/etc/profile.d/z.sh", true },
	{ "/usr/local/bin/tool", "/usr/local/bin/tool", true },
	{ "/tmp/x.txt", "/tmp/x.txt", true },
	{ "/tmp/a/../b.txt", "/tmp/b.txt", true },
	{ "\"/var/tmp/v w\"", "/var/tmp/v w", false },
	{ ".git/hooks/pre-commit", ".git/hooks/pre-commit", true },
	{ "CLAUDE.md", "CLAUDE.md", true },
	{ ".claude/settings.json", ".claude/settings.json", true },
};
#define NSPELL (sizeof spellings / sizeof spellings[0])

enum want_kind { W_WRITE, W_DELETE, W_EITHER };

struct want {
	char path[1024];
	enum want_kind kind; /* written (a write part), deleted (a delete part), moved away (either) */
};

struct gen {
	struct want w[MAXT];
	size_t n;
	char cwd[512];
};

static void
expect_path(struct gen *g, const char *cwd, const struct spelling *sp, enum want_kind kind)
{
	char buf[1024];

	if (g->n == MAXT)
		return;
	if (sp->path[0] == '/')
		snprintf(buf, sizeof buf, "%s", sp->path);
	else
		snprintf(buf, sizeof buf, "%s/%s", cwd, sp->path);
	paths_normalize(buf);
	snprintf(g->w[g->n].path, sizeof g->w[g->n].path, "%s", buf);
	g->w[g->n].kind = kind;
	g->n++;
}

static const struct spelling *
target(bool literal)
{
	for (;;) {
		const struct spelling *sp = &spellings[pick(NSPELL)];

		if (!literal || sp->literal)
			return sp;
	}
}

/* ---- writers: a simple command (no shell syntax of its own when simple) ---- */

/* Writers with output options, archives, in-place editors, compound
 * redirections and interpreters fed a here-document. */
static void
more_writer(struct gen *g, struct str *b, const char *cwd, bool simple)
{
	const struct spelling *t = target(false), *l = target(true), *u;

	switch (pick(simple ? 14 : 38)) {
	case 0: putf(b, "tar -xf a.tar -C %s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 1: putf(b, "unzip -o a.zip -d %s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 2: putf(b, "curl -sSo %s https://example.com/x", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 3: putf(b, "wget -qO %s https://example.com/x", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 4: putf(b, "sort -o %s in.txt", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 5: putf(b, "cp -t %s src/a.c", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 6:
		u = target(false);
		putf(b, "mv -t %s %s", t->text, u->text);
		expect_path(g, cwd, t, W_WRITE);
		expect_path(g, cwd, u, W_EITHER);
		break;
	case 7: putf(b, "rsync -a src/ %s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 8: putf(b, "perl -pi -e 's/a/b/' %s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 9: putf(b, "ln src/a.c %s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 10: putf(b, "patch -o %s a.c fix.diff", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 11: putf(b, "node -e \"require('fs').writeFileSync('%s','x')\"", l->path); expect_path(g, cwd, l, W_WRITE); break;
	case 12: putf(b, "shred -u %s", t->text); expect_path(g, cwd, t, W_DELETE); break;
	case 13: putf(b, "unlink %s", t->text); expect_path(g, cwd, t, W_DELETE); break;
	case 14: putf(b, "awk '{print > \"%s\"}' in.txt", l->path); expect_path(g, cwd, l, W_WRITE); break;
	case 15: putf(b, "sed -n 's/x/y/w %s' in.txt", l->path); expect_path(g, cwd, l, W_WRITE); break;
	case 16: putf(b, "exec > %s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 17: putf(b, ": > %s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 18: putf(b, ">> %s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 19: putf(b, "printf x | dd of=%s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 20:
		putf(b, "python3 - <<'PY'\nopen('%s', 'w').write('x')\nPY\ntrue", l->path);
		expect_path(g, cwd, l, W_WRITE);
		break;
	case 21: putf(b, "script -q -c true %s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 22: putf(b, "echo x > >(tee %s)", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 23: putf(b, "{ echo x; } > %s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 24: putf(b, "( echo x ) >> %s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 25: putf(b, "while read l; do echo \"$l\"; done < in.txt > %s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 26: putf(b, "gzip -c a >%s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 28: putf(b, "F=%s; echo x > \"$F\"", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 29: putf(b, "export G=%s\ntee -a \"$G\" <<< x", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 30: putf(b, "{ ! tee %s </dev/null >/dev/null; }", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 31: putf(b, "case x in x) touch %s;; esac", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 32: putf(b, "f() { tee %s; }; f", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 33: putf(b, "until false; do rm -f %s; break; done", t->text); expect_path(g, cwd, t, W_DELETE); break;
	case 34: putf(b, "[[ -n x ]] && touch \\\n  %s # a comment\ntrue", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 35: {
		static const struct spelling ab[] = { { "a.txt", "a.txt", true }, { "b.txt", "b.txt", true } };

		puts_(b, "touch {a,b}.txt");
		expect_path(g, cwd, &ab[0], W_WRITE);
		expect_path(g, cwd, &ab[1], W_WRITE);
		break;
	}
	case 36:
		putf(b, "apply_patch $'*** Begin Patch\\n*** Add File: %s\\n+x\\n*** End Patch'", l->path);
		expect_path(g, cwd, l, W_WRITE);
		break;
	default: putf(b, "echo x 2>&1 >%s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	}
}

/* The program word in one of the spellings a shell accepts for it. */
static const char *
prog(const char *name)
{
	static char buf[8][64];
	static unsigned slot;
	char *o = buf[slot++ % 8];

	switch (pick(6)) {
	case 0: snprintf(o, 64, "\"%s\"", name); break;
	case 1: snprintf(o, 64, "\\%s", name); break;
	case 2: snprintf(o, 64, "/usr/bin/%s", name); break;
	case 3: snprintf(o, 64, "'%s'", name); break;
	default: snprintf(o, 64, "%s", name); break;
	}
	return o;
}

/* Emit one writer into b; simple: words only (no redirections), for
 * xargs, find -exec and the prefix wrappers. */
static void
writer(struct gen *g, struct str *b, const char *cwd, bool simple)
{
	const struct spelling *t = target(false), *u;
	unsigned k = pick(simple ? 15 : 20);

	/* more writers (a second draw keeps the first twenty as common) */
	if (pick(3) == 0) {
		more_writer(g, b, cwd, simple);
		return;
	}

	switch (k) {
	case 0: putf(b, "%s %s", prog("tee"), t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 1:
		u = target(false);
		putf(b, "tee -a %s %s", t->text, u->text);
		expect_path(g, cwd, t, W_WRITE);
		expect_path(g, cwd, u, W_WRITE);
		break;
	case 2: putf(b, "%s -r src/a.c %s", prog("cp"), t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 3:
		u = target(false);
		putf(b, "%s %s %s", prog("mv"), u->text, t->text);
		expect_path(g, cwd, t, W_WRITE);
		expect_path(g, cwd, u, W_EITHER); /* moved away: written or deleted */
		break;
	case 4: putf(b, "install -m 644 src/a.c %s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 5: putf(b, "dd if=/dev/zero of=%s bs=1 count=1", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 6: putf(b, "%s -i 's/a/b/' %s", prog("sed"), t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 7: putf(b, "sed -i.bak -e 's/x/y/g' %s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 8: putf(b, "ln -sf /tmp/evil %s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 9: putf(b, "%s %s", prog("touch"), t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 10: putf(b, "truncate -s 0 %s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 11: putf(b, "%s -f %s", prog("rm"), t->text); expect_path(g, cwd, t, W_DELETE); break;
	case 12: putf(b, "%s -rf -- %s", prog("rm"), t->text); expect_path(g, cwd, t, W_DELETE); break;
	case 13: putf(b, "mkdir -p %s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 14: putf(b, "chmod 600 %s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 15: putf(b, "echo x > %s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 16: putf(b, "echo x >> %s", t->text); expect_path(g, cwd, t, W_WRITE); break;
	case 17: {
		static const char *const ops[] = { "2>", "&>", ">|", "1>", "&>>", "2>>" };

		putf(b, "ls %s %s", ops[pick(6)], t->text);
		expect_path(g, cwd, t, W_WRITE);
		break;
	}
	case 18:
		t = target(true);
		putf(b, "python3 -c \"open('%s','w').write('x')\"", t->path);
		expect_path(g, cwd, t, W_WRITE);
		break;
	default:
		u = target(false);
		putf(b, "printf '%%s' x > %s 2>%s", t->text, u->text);
		expect_path(g, cwd, t, W_WRITE);
		expect_path(g, cwd, u, W_WRITE);
		break;
	}
}

/* ---- quoting for one more shell level ---- */

static void
squote(struct str *b, const char *s)
{
	puts_(b, "'");
	for (; *s; s++) {
		if (*s == '\'')
			puts_(b, "'\\''");
		else
			put(b, s, 1);
	}
	puts_(b, "'");
}

static void
dquote(struct str *b, const char *s)
{
	puts_(b, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\' || *s == '$' || *s == '`')
			puts_(b, "\\");
		put(b, s, 1);
	}
	puts_(b, "\"");
}

/* ---- wrappers ---- */

static void command(struct gen *g, struct str *b, const char *cwd, int depth, bool simple);

/* Generate a nested command into a fresh string. */
static char *
inner(struct gen *g, const char *cwd, int depth, bool simple)
{
	struct str t = { 0 };

	command(g, &t, cwd, depth, simple);
	return t.s;
}

static void
command(struct gen *g, struct str *b, const char *cwd, int depth, bool simple)
{
	char *in;
	char sub[600];

	if (depth <= 0 || pick(4) == 0) {
		writer(g, b, cwd, simple);
		return;
	}
	if (simple) {
		/* prefix wrappers keep a simple command simple */
		static const char *const pre[] = { "sudo ", "env FOO=1 ", "timeout 5 ", "nice ", "nice -n 5 ",
			"nohup ", "stdbuf -o0 ", "command ", "sudo -u root ", "doas ", "env -i PATH=/bin ", "setsid ",
			"ionice -c3 ", "flock /tmp/l ", "strace -f -o /dev/null ", "unbuffer ", "sudo -E -- ", "time -p ",
			"chrt -i 0 ", "faketime 2020-01-01 " };

		puts_(b, pre[pick(20)]);
		command(g, b, cwd, depth - 1, true);
		return;
	}
	switch (pick(26)) {
	case 22: puts_(b, "echo a | xargs -I{} "); command(g, b, cwd, depth - 1, true); break;
	case 23:
		in = inner(g, cwd, depth - 1, false);
		puts_(b, "bash -o pipefail -c ");
		squote(b, in);
		puts_(b, " bash arg1");
		free(in);
		break;
	case 24:
		in = inner(g, cwd, depth - 1, false);
		puts_(b, "script -q -c ");
		squote(b, in);
		puts_(b, " /dev/null");
		free(in);
		break;
	case 25:
		/* watch joins its words into one shell line: quote it whole */
		in = inner(g, cwd, depth - 1, false);
		puts_(b, "watch -n 1 ");
		squote(b, in);
		free(in);
		break;
	case 0: case 1: {
		static const char *const pre[] = { "sudo ", "env VAR=x ", "timeout 5 ", "nice ", "nohup ",
			"stdbuf -oL ", "time " };

		puts_(b, pre[pick(7)]);
		command(g, b, cwd, depth - 1, true);
		break;
	}
	case 2: puts_(b, "echo a | xargs "); command(g, b, cwd, depth - 1, true); break;
	case 3:
		in = inner(g, cwd, depth - 1, false);
		puts_(b, "sh -c ");
		squote(b, in);
		free(in);
		break;
	case 4:
		in = inner(g, cwd, depth - 1, false);
		puts_(b, "bash -lc ");
		dquote(b, in);
		free(in);
		break;
	case 5:
		in = inner(g, cwd, depth - 1, false);
		putf(b, "echo \"$( %s )\"", in);
		free(in);
		break;
	case 6:
		in = inner(g, cwd, depth - 1, false);
		if (strchr(in, '`') == NULL && strchr(in, '\\') == NULL && strchr(in, '$') == NULL) {
			putf(b, "x=`%s`", in);
		} else {
			putf(b, "x=$( %s )", in);
		}
		free(in);
		break;
	case 7: in = inner(g, cwd, depth - 1, false); putf(b, "( %s )", in); free(in); break;
	case 8: in = inner(g, cwd, depth - 1, false); putf(b, "{ %s; }", in); free(in); break;
	case 9: in = inner(g, cwd, depth - 1, false); putf(b, "true | %s", in); free(in); break;
	case 10: in = inner(g, cwd, depth - 1, false); putf(b, "%s | cat", in); free(in); break;
	case 11: in = inner(g, cwd, depth - 1, false); putf(b, "true && %s", in); free(in); break;
	case 12: in = inner(g, cwd, depth - 1, false); putf(b, "false || %s", in); free(in); break;
	case 13: in = inner(g, cwd, depth - 1, false); putf(b, "%s; true", in); free(in); break;
	case 14: in = inner(g, cwd, depth - 1, false); putf(b, "%s & wait", in); free(in); break;
	case 15: puts_(b, "find . -maxdepth 0 -exec "); command(g, b, cwd, depth - 1, true); puts_(b, " \\;"); break;
	case 16:
		in = inner(g, cwd, depth - 1, false);
		if (strstr(in, "EOF") == NULL) {
			/* the terminator stands alone on its line; what follows goes on the next */
			putf(b, "%s <<'EOF'\n%s\nEOF\ntrue", pick(2) ? "sh" : "bash", in);
		} else {
			puts_(b, "sh -c ");
			squote(b, in);
		}
		free(in);
		break;
	case 17: in = inner(g, cwd, depth - 1, false); putf(b, "if true; then %s; fi", in); free(in); break;
	case 18: in = inner(g, cwd, depth - 1, false); putf(b, "for i in 1 2; do %s; done", in); free(in); break;
	case 19:
		in = inner(g, cwd, depth - 1, false);
		puts_(b, "eval ");
		squote(b, in);
		free(in);
		break;
	case 20:
		/* cd moves the cwd for what follows */
		snprintf(sub, sizeof sub, "%s/sub", cwd);
		in = inner(g, sub, depth - 1, false);
		putf(b, "cd sub && %s", in);
		free(in);
		break;
	default:
		snprintf(sub, sizeof sub, "%s/sub", cwd);
		in = inner(g, sub, depth - 1, false);
		putf(b, "( cd sub; %s ); ", in);
		free(in);
		/* ... and not out of the subshell */
		command(g, b, cwd, depth - 1, false);
		break;
	}
}

/* ---- the check ---- */

static bool
str_is(const msgpack_object *o, const char *s)
{
	return o != NULL && o->type == MSGPACK_OBJECT_STR && o->via.str.size == strlen(s) &&
	    memcmp(o->via.str.ptr, s, o->via.str.size) == 0;
}

/* Is path a write-like target of some command of the intent? */
static bool
intent_has(const msgpack_object *intent, const char *path)
{
	static const char *const effs[] = { "write", "overwrite", "delete", "delete-recursive", "chmod" };
	const msgpack_object *cmds = rpc_map_get(intent, "commands");

	for (uint32_t i = 0; cmds != NULL && i < cmds->via.array.size; i++) {
		const msgpack_object *tv = rpc_map_get(&cmds->via.array.ptr[i], "targets");

		for (uint32_t j = 0; tv != NULL && j < tv->via.array.size; j++) {
			const msgpack_object *t = &tv->via.array.ptr[j];

			if (!str_is(rpc_map_get(t, "path"), path))
				continue;
			for (size_t e = 0; e < sizeof effs / sizeof effs[0]; e++)
				if (str_is(rpc_map_get(t, "effect"), effs[e]))
					return true;
		}
	}
	return false;
}

static void
show_parts(const struct subject *s)
{
	fprintf(stderr, "  subject (%s):\n", s->unparsed ? "unparsed" : "parsed");
	for (size_t i = 0; i < s->nparts; i++) {
		const struct subj_part *p = &s->parts[i];

		fprintf(stderr, "    %s %s%s\n", subject_kind_name(p->kind),
		    p->kind == SK_EXEC ? (p->program ? p->program : "?") : (p->path ? p->path : "(no path)"),
		    p->glob ? " (glob)" : "");
	}
}

/* One case: build, assess, check.  Returns false (and prints) on a loss. */
static bool
one_case(uint64_t seed, unsigned i)
{
	struct gen g = { .n = 0 };
	struct str cmd = { 0 };
	msgpack_sbuffer req, out;
	msgpack_packer pk, opk;
	msgpack_unpacked ureq, uout;
	struct assess_result ar;
	const msgpack_object *intent;
	struct subject *s;
	size_t off = 0, off2 = 0;
	bool ok = true;

	command(&g, &cmd, WS, 3, false);
	if (getenv("SG_PROP_DUMP") != NULL) /* the generated lines, NUL-separated (to check them with bash -n) */
		fwrite(cmd.s, 1, cmd.n + 1, stdout);
	msgpack_sbuffer_init(&req);
	msgpack_packer_init(&pk, &req, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 4);
	rpc_pack_kv_str(&pk, "kind", "exec");
	rpc_pack_kv_str(&pk, "command", cmd.s);
	rpc_pack_kv_str(&pk, "cwd", WS);
	rpc_pack_kv_str(&pk, "workspace", WS);
	msgpack_unpacked_init(&ureq);
	assert_int_equal(msgpack_unpack_next(&ureq, req.data, req.size, &off), MSGPACK_UNPACK_SUCCESS);
	msgpack_sbuffer_init(&out);
	msgpack_packer_init(&opk, &out, msgpack_sbuffer_write);
	assert_int_equal(assess_request(tables, &ureq.data, &opk, &ar), 0);
	msgpack_unpacked_init(&uout);
	assert_int_equal(msgpack_unpack_next(&uout, out.data, out.size, &off2), MSGPACK_UNPACK_SUCCESS);
	intent = rpc_map_get(&uout.data, "intent");
	s = subject_from_intent(intent, &ureq.data, HOME_DIR);
	assert_non_null(s);
	if (s->unparsed) {
		fprintf(stderr, "seed %llu case %u: the subject is unparsed for a valid line:\n  %s\n",
		    (unsigned long long)seed, i, cmd.s);
		ok = false;
	}
	for (size_t k = 0; ok && k < g.n; k++) {
		bool found = false;

		for (size_t p = 0; p < s->nparts && !found; p++)
			found = s->parts[p].path != NULL && !s->parts[p].glob && strcmp(s->parts[p].path, g.w[k].path) == 0 &&
			    (g.w[k].kind == W_WRITE ? s->parts[p].kind == SK_WRITE :
			     g.w[k].kind == W_DELETE ? s->parts[p].kind == SK_DELETE :
			     s->parts[p].kind == SK_WRITE || s->parts[p].kind == SK_DELETE);
		if (!found) {
			fprintf(stderr, "seed %llu case %u: %s %s is not a %s part of:\n  %s\n",
			    (unsigned long long)seed, i, g.w[k].kind == W_DELETE ? "deleted" : "written", g.w[k].path,
			    g.w[k].kind == W_WRITE ? "write" : g.w[k].kind == W_DELETE ? "delete" : "write or delete", cmd.s);
			show_parts(s);
			ok = false;
		} else if (!intent_has(intent, g.w[k].path)) {
			fprintf(stderr, "seed %llu case %u: %s is not a write target of the intent of:\n  %s\n",
			    (unsigned long long)seed, i, g.w[k].path, cmd.s);
			ok = false;
		}
	}
	subject_free(s);
	msgpack_unpacked_destroy(&ureq);
	msgpack_unpacked_destroy(&uout);
	msgpack_sbuffer_destroy(&req);
	msgpack_sbuffer_destroy(&out);
	free(cmd.s);
	return ok;
}

static void
test_no_target_lost(void **state)
{
	const char *se = getenv("SG_PROP_SEED"), *ce = getenv("SG_PROP_CASES");
	uint64_t seed = se != NULL && *se ? strtoull(se, NULL, 10) : 20261212;
	unsigned cases = ce != NULL && *ce ? (unsigned)strtoul(ce, NULL, 10) : 10000, failed = 0;

	(void)state;
	rng = seed ? seed : 1;
	for (unsigned i = 0; i < cases && failed < 10; i++)
		if (!one_case(seed, i))
			failed++;
	if (failed > 0)
		fail_msg("%u of %u cases lost a written file (seed %llu; SG_PROP_SEED=N to vary)", failed, cases,
		    (unsigned long long)seed);
	printf("%u cases, seed %llu: every written or deleted file is a subject part\n", cases,
	    (unsigned long long)seed);
}

static int
setup(void **state)
{
	char err[256];

	(void)state;
	setenv("HOME", HOME_DIR, 1);
	tables = assess_tables_load(NULL, err, sizeof err);
	return tables != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	assess_tables_free(tables);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_target_lost),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
