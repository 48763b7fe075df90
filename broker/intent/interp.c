/* interp.c -- shells, interpreters and awk: their handlers, inline code (-e CODE),
 * code read from stdin, what echo/printf print, and the signals of code text.
 * Part of the intent walker: see walk.h and intent.h. */
#include "broker/intent/walk.h"
#include "broker/intent/db.h"
#include "broker/intent/fsresolve.h"
#include "broker/intent/globclass.h"
#include "broker/intent/codepaths.h"
#include "broker/intent/selfref.h"
#include "broker/intent/reqfiles.h"
#include "broker/intent/codecalls.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Which code signals occur in text (bit set of enum code_sig). */
uint32_t
wk_code_signals(struct intent_ctx *x, const char *text, size_t len, enum code_lang lang)
{
	uint32_t m = 0;

	for (size_t k = 0; k < len; k++) {
		size_t n;
		const struct codepat *const *v =
		    tables_code_by_pair(x->t, (unsigned char)text[k], k + 1 < len ? (unsigned char)text[k + 1] : 0, &n);

		for (size_t j = 0; j < n; j++) {
			const struct codepat *cp = v[j];

			if (cp->len > len - k || (m & (1u << cp->sig)))
				continue;
			if (cp->scope == LANG_SQL) {
				if (lang != LANG_SQL || strncasecmp(text + k, cp->text, cp->len) != 0)
					continue;
				if (cp->sig == CS_DELETEALL) {
					/* DELETE FROM t WHERE ... is not "delete all" */
					const char *end = memchr(text + k, ';', len - k);
					size_t sl = end != NULL ? (size_t)(end - (text + k)) : len - k;
					bool where = false;

					for (size_t q = 0; q + 5 <= sl; q++)
						if (strncasecmp(text + k + q, "where", 5) == 0)
							where = true;
					if (where)
						continue;
				}
			} else {
				if (cp->scope != LANG_CODE && lang != cp->scope)
					continue;
				if (memcmp(text + k, cp->text, cp->len) != 0)
					continue;
				/* sqlite3.connect('app.db') opens a local file, not a connection */
				if (cp->sig == CS_NET && cp->len == 8 && memcmp(cp->text, "connect(", 8) == 0 && k >= 8 &&
				    memcmp(text + k - 8, "sqlite3.", 8) == 0)
					continue;
			}
			m |= 1u << cp->sig;
		}
	}
	return m;
}

struct code_lits {
	struct intent_ctx *x;
	int ci;
	enum effect eff;
};

static bool
code_literal(void *ctx, const char *s, size_t n)
{
	struct code_lits *cl = ctx;
	struct intent_ctx *x = cl->x;
	struct walk w = { .x = x, .cwd = x->cwd_now != NULL ? x->cwd_now : x->in->cwd, .stdin_from = -1, .inter = -1 };
	struct rword r = { .s = s, .n = n, .unk_at = SIZE_MAX };
	char *p = NULL;

	if (s[0] == '~' && (n == 1 || s[1] == '/')) {
		if (x->env.home == NULL)
			return true;
		if ((p = arena_alloc(x->a, x->homelen + n)) == NULL) {
			wk_oomf(x);
			return false;
		}
		memcpy(p, x->env.home, x->homelen);
		memcpy(p + x->homelen, s + 1, n - 1);
		r.s = p;
		r.n = x->homelen + n - 1;
	}
	if (memchr(r.s, '*', r.n) != NULL || memchr(r.s, '?', r.n) != NULL)
		r.f |= RW_TOOLGLOB; /* glob.glob('...'): every file it could match */
	wk_add_target(&w, cl->ci, &r, cl->eff);
	return !x->oom;
}

/* Inline code that writes or deletes files: the paths it names (literal
 * strings), and a file named at run time when it builds names from pieces
 * or names none (codepaths.h). */
static void
code_writes(struct intent_ctx *x, int i, const char *text, size_t len, enum effect eff)
{
	struct code_lits cl = { x, i, eff };
	size_t found = code_path_literals(text, len, code_literal, &cl);
	bool writes, computed = code_computed_paths(text, len, &writes, code_literal, &cl);

	if (computed || (found == 0 && writes)) {
		wk_add_target_raw(x, i, "(a file the code names at run time)", PC_UNKNOWN, eff, true);
	}
}

int
intent_code(struct intent_ctx *x, int i, const char *text, size_t len, enum code_lang lang, bool written)
{
	uint32_t m = wk_code_signals(x, text, len, lang);
	const char *part = text;
	size_t pl = len > 200 ? 200 : len;
#define HAS(s) ((m & (1u << CS_##s)) != 0)

	/* what the calls run, reach and read (codecalls.c) */
	if (!written && (code_lang_general(lang) || lang == LANG_AWK) && code_calls(x, i, text, len, lang, &m) < 0)
		return -1;

	if (lang == LANG_SQL) /* statements: db.c */
		return db_text(x, i, x->t, text, len) < 0 || x->oom ? -1 : 0;
	if ((HAS(SHELL) || HAS(PRIVSHELL)) && (HAS(NET) || HAS(LISTEN))) {
		intent_signal(x, i, "code-reverse-shell", part, pl);
		intent_add_effect(x, i, EFF_SHELL);
		intent_add_effect(x, i, EFF_REMOTE_EXEC);
	} else if (!written && (HAS(EXEC) || HAS(EVAL)) && (HAS(NET) || HAS(LISTEN))) {
		intent_signal(x, i, "code-remote-exec", part, pl);
		intent_add_effect(x, i, EFF_REMOTE_EXEC);
	}
	if (HAS(PRIVSHELL)) {
		intent_signal(x, i, "code-priv-shell", part, pl);
		intent_add_effect(x, i, EFF_PRIVILEGE);
	}
	if (HAS(SETUID)) {
		intent_signal(x, i, "code-setuid", part, pl);
		intent_add_effect(x, i, EFF_PRIVILEGE);
	}
	if (HAS(SHELL)) {
		intent_signal(x, i, written ? "written-shell" : "code-shell", part, pl);
		intent_add_effect(x, i, EFF_SHELL);
	}
	if (written)
		return x->oom ? -1 : 0;
	if (HAS(LOADLIB))
		intent_signal(x, i, "code-loadlib", part, pl);
	if (HAS(DECODE) && (HAS(EXEC) || HAS(EVAL) || HAS(SHELL)))
		intent_signal(x, i, "code-decode-exec", part, pl);
	if (HAS(NET) && HAS(FILEREAD))
		intent_signal(x, i, "code-upload", part, pl), intent_add_effect(x, i, EFF_UPLOAD);
	if (HAS(LISTEN))
		intent_signal(x, i, "code-listen", part, pl), intent_add_effect(x, i, EFF_LISTEN);
	if (HAS(EXEC))
		intent_signal(x, i, "code-exec", part, pl), intent_add_effect(x, i, EFF_EXEC);
	if (HAS(NET))
		intent_signal(x, i, "code-network", part, pl), intent_add_effect(x, i, EFF_NETWORK);
	if (HAS(DELETE))
		intent_signal(x, i, "code-delete", part, pl), intent_add_effect(x, i, EFF_DELETE);
	if (HAS(EVAL))
		intent_signal(x, i, "code-eval", part, pl);
	if (HAS(FILEWRITE))
		intent_signal(x, i, "code-write", part, pl);
	if (HAS(LINK))
		intent_signal(x, i, "code-link", part, pl);
	/* a link made is a file written (codepaths.c names it) */
	if (code_lang_general(lang) && (HAS(FILEWRITE) || HAS(LINK) || HAS(DELETE)))
		code_writes(x, i, text, len, HAS(FILEWRITE) || HAS(LINK) ? EFF_WRITE : EFF_DELETE);
#undef HAS
	return x->oom ? -1 : 0;
}


static bool
csh_family(const char *prog)
{
	return prog != NULL && (strcmp(prog, "csh") == 0 || strcmp(prog, "tcsh") == 0);
}

/* A shell whose stdin is a terminal device (sh </dev/tty, exec sh 0<>/dev/pts/3)
 * reads its commands from a person: an interactive shell, not a script file. */
static bool
tty_device(const char *s, size_t n)
{
	return (n >= 8 && memcmp(s, "/dev/tty", 8) == 0) || (n > 9 && memcmp(s, "/dev/pts/", 9) == 0) ||
	       (n == 12 && memcmp(s, "/dev/console", 12) == 0) || (n == 9 && memcmp(s, "/dev/ptmx", 9) == 0);
}

/* sh/bash/zsh...: -c SCRIPT, a script file, stdin, or an interactive shell. */
void
wk_h_shell(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct args *a = an->a;
	const struct rword *script = NULL, *file = NULL;
	bool has_c = false, priv = false;

	for (size_t k = 0; k < a->nopts; k++) {
		const struct opt *o = &a->opts[k];

		if (wk_in_list(&an->pg->script, o->name, o->nlen)) {
			script = o->val;
			continue;
		}
		if (o->nlen >= 2 && o->name[1] != '-' && isalpha((unsigned char)o->name[1]) && o->nlen < 12) {
			if (memchr(o->name + 1, 'c', o->nlen - 1) != NULL && an->pg->script.n == 0)
				has_c = true;
			if (memchr(o->name + 1, 'p', o->nlen - 1) != NULL)
				priv = true;
			/* csh -b: what GTFOBins runs a set-uid csh or tcsh with (its -p) */
			if (memchr(o->name + 1, 'b', o->nlen - 1) != NULL && csh_family(wk_cmd(an)->program))
				priv = true;
			if (memchr(o->name + 1, 'i', o->nlen - 1) != NULL)
				intent_add_effect(x, an->ci, EFF_SHELL);
		}
	}
	if (has_c && a->npos > 0)
		script = a->pos[0];
	else if (!has_c && script == NULL && a->npos > 0 && !wk_has_flag(a, "-s", false))
		file = a->pos[0];
	/* bash -, sh /dev/stdin: the script comes from stdin, as with -s */
	if (file != NULL && !(file->f & RW_PROC) &&
	    (wk_word_is(file, "-") || wk_word_is(file, "/dev/stdin") || wk_word_is(file, "/dev/fd/0") ||
	        wk_word_is(file, "/proc/self/fd/0")))
		file = NULL;
	if (priv) {
		wk_sig(x, an->ci, "shell-priv");
		intent_add_effect(x, an->ci, EFF_PRIVILEGE);
		intent_add_effect(x, an->ci, EFF_SHELL);
	}
	an->code_given = script != NULL || file != NULL;
	if (script != NULL) {
		if (script->f & RW_DL) {
			wk_sig(x, an->ci, "download-exec");
			intent_add_effect(x, an->ci, EFF_DOWNLOAD_EXEC);
		}
		if (script->f & RW_DECODE)
			wk_sig(x, an->ci, "decode-exec");
		if ((script->f & RW_UNKNOWN) && !(script->f & (RW_DL | RW_DECODE)))
			intent_signal(x, an->ci, "obf-eval", script->s, script->n);
		wk_nested_script(an->lw, an->ci, script->s, script->n, "sh -c", NULL);
		return;
	}
	if (file != NULL) {
		if ((file->f & RW_PROC) && (file->f & RW_DL)) {
			wk_sig(x, an->ci, "download-exec");
			intent_add_effect(x, an->ci, EFF_DOWNLOAD_EXEC);
		} else if ((file->f & RW_PROC) && (file->f & RW_DECODE)) {
			wk_sig(x, an->ci, "decode-exec");
		} else {
			wk_add_target(an->w, an->ci, file, EFF_RUN);
		}
		return;
	}
	if (an->cc->stdin_text != NULL) {
		wk_nested_script(an->lw, an->ci, an->cc->stdin_text, an->cc->stdin_len, "sh <<", NULL);
		return;
	}
	if (an->cc->has_stdin_file && !tty_device(an->cc->stdin_file.s, an->cc->stdin_file.n)) {
		wk_add_target(an->w, an->ci, &an->cc->stdin_file, EFF_RUN);
		intent_add_effect(x, an->ci, EFF_SHELL); /* it runs whatever is in the file */
		return;
	}
	if (an->cc->stdin_from >= 0) {
		struct stdin_info si;

		wk_get_stdin_info(x, an->cc->stdin_from, &si);
		if (si.dl) {
			wk_sig(x, an->ci, "download-exec");
			intent_add_effect(x, an->ci, EFF_DOWNLOAD_EXEC);
		} else if (si.dec) {
			wk_sig(x, an->ci, "decode-exec");
			intent_add_effect(x, an->ci, EFF_EXEC);
		} else if (si.content != NULL) {
			wk_nested_script(an->lw, an->ci, si.content, si.len, "| sh", NULL);
		} else {
			wk_sig(x, an->ci, "shell-stdin");
			intent_add_effect(x, an->ci, EFF_SHELL);
		}
		intent_add_effect(x, an->ci, EFF_EXEC);
		return;
	}
	wk_sig(x, an->ci, "shell-interactive");
	intent_add_effect(x, an->ci, EFF_SHELL);
	wk_cmd(an)->interactive = true;
}

/* Code given through stdin to an interpreter or a database client. */
void
wk_code_from_stdin(struct an *an, enum code_lang lang, const char *generic_rule)
{
	struct intent_ctx *x = an->w->x;

	if (an->cc->stdin_text != NULL) {
		intent_code(x, an->ci, an->cc->stdin_text, an->cc->stdin_len, lang, false);
		return;
	}
	if (an->cc->has_stdin_file && !tty_device(an->cc->stdin_file.s, an->cc->stdin_file.n)) {
		wk_add_target(an->w, an->ci, &an->cc->stdin_file, EFF_RUN);
		if (lang == LANG_SQL) /* mysql < dump.sql: statements sandgate does not read */
			intent_signal(x, an->ci, "sql-file", an->cc->stdin_file.s, an->cc->stdin_file.n);
		return;
	}
	if (an->cc->stdin_from >= 0) {
		struct stdin_info si;

		wk_get_stdin_info(x, an->cc->stdin_from, &si);
		if (si.dl && lang != LANG_SQL) {
			wk_sig(x, an->ci, "download-exec");
			intent_add_effect(x, an->ci, EFF_DOWNLOAD_EXEC);
		} else if (si.dec && lang != LANG_SQL) {
			wk_sig(x, an->ci, "decode-exec");
		} else if (si.content != NULL) {
			intent_code(x, an->ci, si.content, si.len, lang, false);
		} else if (generic_rule != NULL) {
			wk_sig(x, an->ci, generic_rule);
		}
		return;
	}
	if (lang != LANG_SQL)
		wk_cmd(an)->interactive = true;
}

static size_t
pos_index(const struct an *an, const struct rword *r)
{
	if (r >= an->rw && r < an->rw + an->n)
		return (size_t)(r - an->rw);
	return SIZE_MAX;
}

/* python, perl, ruby, node...: -c/-e code, -m module, a script, or stdin. */

/* A script the tables know as a program (manage.py): its arguments are
 * judged by its own subcommand rules, as a command of its own. */
static void
script_program(struct an *an, const struct rword *f)
{
	struct intent_ctx *x = an->w->x;
	const char *sl = memrchr(f->s, '/', f->n), *b = sl != NULL ? sl + 1 : f->s;
	size_t at = pos_index(an, f), bl = f->n - (size_t)(b - f->s);
	char name[64];
	struct rword *rw;

	if (at == SIZE_MAX || at >= an->n || bl == 0 || bl >= sizeof name || (f->f & RW_UNKNOWN) ||
	    an->lw->depth + 1 > INTENT_MAX_DEPTH)
		return;
	memcpy(name, b, bl);
	name[bl] = '\0';
	if (tables_prog(x->t, name) == NULL || (rw = arena_alloc(x->tmp, (an->n - at) * sizeof *rw)) == NULL)
		return;
	memcpy(rw, an->rw + at, (an->n - at) * sizeof *rw);
	rw[0].s = b;
	rw[0].n = bl;
	{
		struct cmdctx cc = { .text = an->cc->text, .textlen = an->cc->textlen, .stdin_from = -1,
			.xargs_cls = PC_COUNT };
		struct walk mw = *an->lw;

		mw.depth++;
		mw.context = an->pg->name;
		wk_analyze_words(&mw, rw, an->n - at, &cc);
	}
}

/* A script named "-", /dev/stdin, /dev/fd/0 or /proc/self/fd/0 is read
 * from stdin (a here-document, a pipe). */
static bool
stdin_name(const struct rword *f)
{
	return !(f->f & RW_PROC) && (wk_word_is(f, "-") || wk_word_is(f, "/dev/stdin") || wk_word_is(f, "/dev/fd/0") ||
	                                wk_word_is(f, "/proc/self/fd/0"));
}

void
wk_h_interp(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct args *a = an->a;
	bool module = false;
	size_t first = an->first; /* deno run FILE|-: after the subcommand */

	if (an->code_given)
		first = a->npos; /* code was in options: the rest are arguments */
	for (size_t k = 0; k < a->nopts; k++)
		if (a->opts[k].nlen == 2 && memcmp(a->opts[k].name, "-m", 2) == 0 &&
		    strncmp(an->pg->name, "python", 6) == 0)
			module = true;
	if (module && a->npos > 0) {
		size_t at = pos_index(an, a->pos[0]);
		char name[128];
		size_t nl = a->pos[0]->n < sizeof name - 1 ? a->pos[0]->n : sizeof name - 1;

		memcpy(name, a->pos[0]->s, nl);
		name[nl] = '\0';
		wk_cmd(an)->sub = wk_xdup(x, name, nl);
		if (at != SIZE_MAX && (tables_prog(x->t, name) != NULL || tables_wrapper(x->t, name) != NULL)) {
			struct cmdctx cc2 = *an->cc;
			struct walk mw = *an->lw;

			mw.context = "python -m";
			wk_analyze_words(&mw, (struct rword *)an->rw + at, an->n - at, &cc2);
		}
		return;
	}
	if (an->code_given) {
		if (wk_has_flag(a, "-i", false) || wk_has_flag(a, "-pi", false))
			for (size_t k = 0; k < a->npos; k++)
				wk_add_target(an->w, an->ci, a->pos[k], EFF_OVERWRITE);
		return;
	}
	if (first < a->npos && !stdin_name(a->pos[first])) {
		const struct rword *f = a->pos[first];

		if ((f->f & RW_PROC) && (f->f & RW_DL)) {
			wk_sig(x, an->ci, "download-exec");
			intent_add_effect(x, an->ci, EFF_DOWNLOAD_EXEC);
		} else if ((f->f & RW_PROC) && (f->f & RW_DECODE)) {
			wk_sig(x, an->ci, "decode-exec");
		} else {
			wk_add_target(an->w, an->ci, f, EFF_RUN);
			script_program(an, f); /* python manage.py flush */
		}
		return;
	}
	wk_code_from_stdin(an, an->pg->lang, "interp-stdin");
}

/* awk: the program text, -f file, output redirections inside it. */
static void
awk_writes(struct an *an, const char *t, size_t n)
{
	struct intent_ctx *x = an->w->x;
	bool instr = false, print = false;

	for (size_t k = 0; k < n; k++) {
		char c = t[k];

		if (instr) {
			if (c == '\\')
				k++;
			else if (c == '"')
				instr = false;
			continue;
		}
		if (c == '"') {
			instr = true;
		} else if (c == ';' || c == '\n' || c == '{' || c == '}') {
			print = false;
		} else if ((c == 'p') && k + 5 <= n && memcmp(t + k, "print", 5) == 0 &&
		           (k == 0 || !isalnum((unsigned char)t[k - 1]))) {
			print = true;
			k += 4;
		} else if (c == '>' && print && !(k + 1 < n && t[k + 1] == '=')) {
			size_t j = k + 1;

			if (j < n && t[j] == '>')
				j++;
			while (j < n && (t[j] == ' ' || t[j] == '\t'))
				j++;
			wk_sig(x, an->ci, "awk-write");
			if (j < n && t[j] == '"') {
				const char *e = memchr(t + j + 1, '"', n - j - 1);

				if (e != NULL) {
					struct rword r = { .s = t + j + 1, .n = (size_t)(e - (t + j + 1)), .unk_at = SIZE_MAX };

					wk_add_target(an->w, an->ci, &r, EFF_WRITE);
				}
			} else {
				wk_add_target_raw(x, an->ci, "(awk expression)", PC_UNKNOWN, EFF_WRITE, true);
				intent_signal(x, an->ci, "write-indirect", t + k, n - k > 80 ? 80 : n - k);
			}
			print = false;
		}
	}
}

void
wk_h_awk(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct args *a = an->a;
	const struct rword *f = wk_opt_value(a, "-f");
	size_t k = 0;

	if (f == NULL)
		f = wk_opt_value(a, "--file");
	if (f != NULL && stdin_name(f) && an->cc->stdin_text != NULL) {
		/* awk -f - <<EOF: the program is the here-document */
		intent_code(x, an->ci, an->cc->stdin_text, an->cc->stdin_len, LANG_AWK, false);
		awk_writes(an, an->cc->stdin_text, an->cc->stdin_len);
	} else if (f != NULL) {
		wk_add_target(an->w, an->ci, f, EFF_RUN);
	} else if (a->npos > 0) {
		const struct rword *p = a->pos[0];

		intent_code(x, an->ci, p->s, p->n, LANG_AWK, false);
		awk_writes(an, p->s, p->n);
		k = 1;
	}
	for (; k < a->npos; k++)
		if (memchr(a->pos[k]->s, '=', a->pos[k]->n) == NULL)
			wk_add_target(an->w, an->ci, a->pos[k], EFF_READ);
}

/* echo, printf, cat <<EOF: what they print. */
void
wk_h_print(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	struct intent_cmd *c = wk_cmd(an);
	const char *name = an->pg->name;
	bool decode = false;

	if (strcmp(name, "cat") == 0) {
		if (an->a->npos == 0 && an->cc->stdin_text != NULL) {
			c->content = an->cc->stdin_text;
			c->contentlen = an->cc->stdin_len;
		}
	} else if (strcmp(name, "echo") == 0 || strcmp(name, "printf") == 0) {
		size_t len = 0, o = 0;
		char *s;
		size_t k = 0;

		if (strcmp(name, "echo") == 0) {
			while (k < an->n && an->rw[k].n >= 2 && an->rw[k].s[0] == '-' &&
			       strspn(an->rw[k].s + 1, "neE") == an->rw[k].n - 1) {
				if (memchr(an->rw[k].s, 'e', an->rw[k].n) != NULL)
					decode = true;
				k++;
			}
		} else {
			decode = true;
		}
		for (size_t j = k; j < an->n; j++)
			len += an->rw[j].n + 1;
		if ((s = arena_alloc(x->a, len + 1)) == NULL) {
			wk_oomf(x);
			return;
		}
		for (size_t j = k; j < an->n; j++) {
			if (j > k)
				s[o++] = ' ';
			memcpy(s + o, an->rw[j].s, an->rw[j].n);
			o += an->rw[j].n;
		}
		s[o] = '\0';
		c->content = s;
		c->contentlen = o;
		/* \x41 or \101 escapes in what is printed hide its text */
		if (decode && (memmem(s, o, "\\x", 2) != NULL || memmem(s, o, "\\0", 2) != NULL ||
		                  memmem(s, o, "\\u", 2) != NULL))
			intent_add_effect(x, an->ci, EFF_DECODE);
	}
	if (c->content != NULL && an->cc->stdout_file)
		intent_code(x, an->ci, c->content, c->contentlen, LANG_CODE, true);
}

/* Inline code in options (-e CODE) and in the first argument (awk-like). */
void
wk_inline_code(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct prog *pg = an->pg;
	const struct args *a = an->a;
	enum code_lang lang = pg->lang == LANG_SED ? LANG_CODE : pg->lang;

	for (size_t k = 0; k < a->nopts; k++) {
		const struct opt *o = &a->opts[k];

		if (o->val == NULL ||
		    !(wk_in_list(&pg->code, o->name, o->nlen) || (o->grp[0] && wk_in_list(&pg->code, o->grp, 2))))
			continue;
		an->code_given = true;
		wk_sig(x, an->ci, "inline-code");
		if (o->val->f & RW_DL) { /* python -c "$(curl ...)": fetched code runs */
			wk_sig(x, an->ci, "download-exec");
			intent_add_effect(x, an->ci, EFF_DOWNLOAD_EXEC);
		}
		intent_code(x, an->ci, o->val->s, o->val->n, lang, false);
	}
	/* "deno eval CODE", "bun -e" */
	if (pg->sub && an->first > 0 && an->first <= a->npos && wk_cmd(an)->sub != NULL &&
	    wk_in_list(&pg->code, wk_cmd(an)->sub, strlen(wk_cmd(an)->sub)) && an->first < a->npos) {
		an->code_given = true;
		wk_sig(x, an->ci, "inline-code");
		intent_code(x, an->ci, a->pos[an->first]->s, a->pos[an->first]->n, lang, false);
	}
	if (pg->code1 && pg->handler != H_AWK && a->npos > 0) {
		an->code_given = true;
		intent_code(x, an->ci, a->pos[0]->s, a->pos[0]->n, lang, false);
	}
}
