/* runs.c -- programs that run commands, scripts or configuration named in
 * their arguments (see runs.h and tables/runs). */
#include "broker/intent/runs.h"
#include "broker/intent/intent.h"
#include "broker/intent/walk.h"
#include "broker/intent/texout.h"

#include <string.h>
#include <strings.h>

/* Is s one of the OPT parts of r's kv= items (sshfs -o)? */
static bool
kv_opt(const struct runspec *r, const char *s, size_t n)
{
	for (size_t k = 0; k < r->kv.n; k++) {
		const char *c = strchr(r->kv.v[k], ':');

		if ((size_t)(c - r->kv.v[k]) == n && memcmp(r->kv.v[k], s, n) == 0)
			return true;
	}
	return false;
}

/* Is option word s (-x, --long, or a single-dash group -dmS) in l?  A group
 * counts when one of its letters is. */
static bool
opt_or_letter(const struct strlist *l, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n);

	if (wk_in_list(l, s, eq != NULL ? (size_t)(eq - s) : n))
		return true;
	if (n > 2 && s[0] == '-' && s[1] != '-')
		for (size_t k = 1; k < n; k++) {
			char one[2] = { '-', s[k] };

			if (wk_in_list(l, one, 2))
				return true;
		}
	return false;
}

static bool
takes_value(const struct runspec *r, const char *s, size_t n)
{
	return wk_in_list(&r->v, s, n) || wk_in_list(&r->sh, s, n) || wk_in_list(&r->file, s, n) ||
	       wk_in_list(&r->cmds, s, n) || wk_in_list(&r->mk, s, n) || wk_in_list(&r->lib, s, n) ||
	       wk_in_list(&r->hook, s, n) || kv_opt(r, s, n);
}

/* A copy in the intent's arena (nested commands point into their text). */
static char *
keep(struct intent_ctx *x, const char *s, size_t n)
{
	char *p = arena_alloc(intent_arena(x), n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

#define MAX_WALKS 256 /* nested commands walked per command; more is too-large (high) */

/* nested walks of the command being analysed (the intent walk is single-
 * threaded: docs/RISK.md) */
static size_t walks;
static bool walks_flagged;

/* One more nested walk, or false (and too-large, once) when over the bound. */
static bool
walk_ok(struct intent_ctx *x, int ci, const char *s, size_t n)
{
	if (walks < MAX_WALKS) {
		walks++;
		return true;
	}
	if (!walks_flagged) {
		walks_flagged = true;
		intent_signal(x, ci, "too-large", s, n > 200 ? 200 : n);
	}
	return false;
}

static int
shell(struct intent_ctx *x, int ci, const char *s, size_t n, const char *context)
{
	char *p;

	if (n == 0 || !walk_ok(x, ci, s, n))
		return 0;
	if ((p = keep(x, s, n)) == NULL)
		return -1;
	/* screen's stuff and tmux keys spell a newline as \n or ^M */
	for (size_t k = 0; k + 1 < n; k++)
		if ((p[k] == '\\' && p[k + 1] == 'n') || (p[k] == '^' && p[k + 1] == 'M'))
			p[k] = ';', p[k + 1] = ' ';
	intent_signal(x, ci, "runs-cmd", s, n > 200 ? 200 : n);
	return intent_nested(x, ci, p, n, context);
}

/* Words as one command, each quoted; an alias= first word stands for its command. */
static int
argv_cmd(struct intent_ctx *x, int ci, const struct runspec *r, const struct runs_word *w, size_t n)
{
	size_t len = 0, o = 0;
	const char *alias = NULL;
	char *buf;

	if (n == 0 || !walk_ok(x, ci, w[0].s, w[0].n))
		return 0;
	for (size_t k = 0; k < r->alias.n; k++) {
		const char *c = strchr(r->alias.v[k], ':');

		if ((size_t)(c - r->alias.v[k]) == w[0].n && memcmp(r->alias.v[k], w[0].s, w[0].n) == 0)
			alias = c + 1;
	}
	for (size_t k = 0; k < n; k++)
		len += w[k].n * 4 + 3;
	len += alias != NULL ? strlen(alias) + 1 : 0;
	if ((buf = arena_alloc(intent_arena(x), len + 1)) == NULL)
		return -1;
	if (alias != NULL) {
		memcpy(buf, alias, strlen(alias));
		o = strlen(alias);
	}
	for (size_t k = alias != NULL ? 1 : 0; k < n; k++) {
		if (o > 0)
			buf[o++] = ' ';
		if (w[k].unknown) {
			/* a word known at run time stays an expansion */
			memcpy(buf + o, w[k].s, w[k].n);
			o += w[k].n;
			continue;
		}
		buf[o++] = '\'';
		for (size_t j = 0; j < w[k].n; j++) {
			if (w[k].s[j] == '\'') {
				memcpy(buf + o, "'\\''", 4);
				o += 4;
			} else {
				buf[o++] = w[k].s[j];
			}
		}
		buf[o++] = '\'';
	}
	buf[o] = '\0';
	intent_signal(x, ci, "runs-cmd", buf, o > 200 ? 200 : o);
	return intent_nested(x, ci, buf, o, r->prog);
}

/* Does s start with the escape prefix pat ('*' spans non-blank text)?  The
 * length matched, or 0. */
static size_t
prefix_match(const char *pat, size_t pl, const char *s, size_t n)
{
	size_t i = 0, j = 0;

	while (i < pl) {
		if (pat[i] == '*') {
			/* as few characters as let the rest match */
			for (size_t k = j; k <= n; k++) {
				size_t m = prefix_match(pat + i + 1, pl - i - 1, s + k, n - k);

				if (m > 0 || i + 1 == pl)
					return k + m;
				if (k < n && (s[k] == ' ' || s[k] == '\t'))
					break;
			}
			return 0;
		}
		if (j >= n || s[j] != pat[i])
			return 0;
		i++, j++;
	}
	return j;
}

/* A command of the program's own language (vim -c, gdb -ex, ed on stdin):
 * its escapes to a shell or to code. */
static int
own_command(struct intent_ctx *x, int ci, const struct runspec *r, const char *s, size_t n, bool scan)
{
	/* vim: ":silent !cmd", ":  !cmd" */
	for (;;) {
		while (n > 0 && (*s == ':' || *s == ' ' || *s == '\t'))
			s++, n--;
		if (n >= 7 && memcmp(s, "silent!", 7) == 0)
			s += 7, n -= 7;
		else if (n >= 7 && memcmp(s, "silent ", 7) == 0)
			s += 7, n -= 7;
		else
			break;
	}
	for (size_t k = 0; k < r->esc.n; k++) {
		const char *e = r->esc.v[k], *c = strrchr(e, ':');
		size_t m = prefix_match(e, (size_t)(c - e), s, n);

		if (m == 0)
			continue;
		if (strcmp(c + 1, "sh") == 0)
			return shell(x, ci, s + m, n - m, r->prog);
		for (int l = 0; l < LANG_COUNT; l++)
			if (strcmp(c + 1, code_lang_name((enum code_lang)l)) == 0) {
				intent_signal(x, ci, "inline-code", s, n > 200 ? 200 : n);
				return intent_code(x, ci, s + m, n - m, (enum code_lang)l, false);
			}
	}
	if (scan && r->lang != LANG_CODE)
		return intent_code(x, ci, s, n, r->lang, false);
	return 0;
}

/* make --eval TEXT: its recipes (after "target: ;" or a tab) and $(shell ...),
 * walked as one script. */
static int
makefile_text(struct intent_ctx *x, int ci, const char *s, size_t n)
{
	char *buf = arena_alloc(intent_arena(x), 2 * n + 2);
	size_t p = 0, o = 0;

	if (buf == NULL)
		return -1;
	while (p < n) {
		size_t e = p, b;
		const char *sh;

		while (e < n && s[e] != '\n')
			e++;
		b = p;
		if (s[b] == '\t') {
			b++;
		} else {
			const char *colon = memchr(s + p, ':', e - p), *semi;

			semi = colon != NULL ? memchr(colon, ';', (size_t)(s + e - colon)) : NULL;
			b = semi != NULL ? (size_t)(semi + 1 - s) : e;
		}
		while (b < e && (s[b] == '@' || s[b] == '-' || s[b] == '+' || s[b] == ' '))
			b++;
		if (b < e) {
			memcpy(buf + o, s + b, e - b);
			o += e - b;
			buf[o++] = '\n';
		}
		for (sh = s + p; (sh = memmem(sh, (size_t)(s + e - sh), "$(shell ", 8)) != NULL; sh += 8) {
			const char *q = memchr(sh, ')', (size_t)(s + e - sh));

			if (q != NULL && o + (size_t)(q - sh - 8) + 1 <= 2 * n + 2) {
				memcpy(buf + o, sh + 8, (size_t)(q - sh - 8));
				o += (size_t)(q - sh - 8);
				buf[o++] = '\n';
			}
		}
		p = e + 1;
	}
	return o > 0 ? shell(x, ci, buf, o, "make") : 0;
}

static int
file_target(struct intent_ctx *x, int ci, const char *s, size_t n)
{
	if (n == 0)
		return 0;
	intent_signal(x, ci, "runs-file", s, n > 200 ? 200 : n);
	return intent_add_path_here(x, ci, s, n, EFF_RUN);
}

/* A library (or a directory of them) the program loads, named by a path:
 * its code runs inside the program (mysql --default-auth ../x, --plugin-dir).
 * A bare plugin name (mysql_native_password) is the program's own. */
static int
lib_target(struct intent_ctx *x, int ci, const char *s, size_t n)
{
	if (n == 0 || (memchr(s, '/', n) == NULL && s[0] != '.' && s[0] != '~' && s[0] != '$'))
		return 0;
	/* the system's own plugin directories (root's files) */
	if ((n > 5 && memcmp(s, "/usr/", 5) == 0) || (n > 5 && memcmp(s, "/lib/", 5) == 0) ||
	    (n > 7 && memcmp(s, "/lib64/", 7) == 0))
		return intent_add_path_here(x, ci, s, n, EFF_RUN);
	intent_signal(x, ci, "runs-lib", s, n > 200 ? 200 : n);
	intent_add_effect(x, ci, EFF_EXEC);
	return intent_add_path_here(x, ci, s, n, EFF_RUN);
}

/* kv=OPT:KEY: the option's value is KEY=VALUE,KEY=VALUE (sshfs -o
 * ssh_command=CMD, restic -o sftp.command=CMD); KEY's value, matched without
 * regard to case, is a command line. */
static int
kv_value(struct intent_ctx *x, int ci, const struct runspec *r, const char *opt, size_t ol, const char *s, size_t n)
{
	size_t p = 0;

	while (p < n) {
		size_t e = p, eq;

		while (e < n && s[e] != ',')
			e++;
		for (eq = p; eq < e && s[eq] != '='; eq++)
			;
		for (size_t k = 0; eq < e && k < r->kv.n; k++) {
			const char *c = strchr(r->kv.v[k], ':');

			if ((size_t)(c - r->kv.v[k]) == ol && memcmp(r->kv.v[k], opt, ol) == 0 &&
			    strlen(c + 1) == eq - p && strncasecmp(c + 1, s + p, eq - p) == 0) {
				intent_add_effect(x, ci, EFF_EXEC);
				intent_signal(x, ci, "runs-hook", s + p, e - p > 200 ? 200 : e - p);
				if (shell(x, ci, s + eq + 1, e - eq - 1, r->prog) < 0)
					return -1;
			}
		}
		p = e + 1;
	}
	return 0;
}

/* embed=OPEN:CLOSE:sh: commands written inside the program's text (m4
 * esyscmd(CMD), TeX \write18{CMD}); CLOSE nests with OPEN's last character. */
static int
embedded(struct intent_ctx *x, int ci, const struct runspec *r, const char *s, size_t n)
{
	for (size_t k = 0; k < r->embed.n; k++) {
		const char *it = r->embed.v[k], *c = strrchr(it, ':');
		size_t ol = (size_t)(c - 2 - it);
		char open = it[ol - 1], close = c[-1];
		const char *p = s, *e = s + n;

		while (p < e && (p = memmem(p, (size_t)(e - p), it, ol)) != NULL) {
			const char *b = p + ol, *q = b;
			int depth = 1;

			while (q < e && depth > 0) {
				depth += *q == open ? 1 : *q == close ? -1 : 0;
				if (depth > 0)
					q++;
			}
			/* m4 quotes the command: `cmd' */
			if (q - b >= 2 && *b == '`' && q[-1] == '\'')
				b++, q--;
			intent_add_effect(x, ci, EFF_EXEC);
			intent_signal(x, ci, "runs-hook", p, (size_t)(q - p) > 200 ? 200 : (size_t)(q - p));
			if (q > b && shell(x, ci, b, (size_t)(q - b), r->prog) < 0)
				return -1;
			p = q;
		}
	}
	return 0;
}

/* repl: what one row says about a terminal: 0 nothing, 1 it reads commands
 * from the terminal, 2 the same in the background (detached) */
static int
one_row(struct intent_ctx *x, int ci, const struct runspec *r, const struct runs_call *rc, bool has_sub, int *repl)
{
	bool posseen = false, norepl = false, detach = false;
	const struct runs_word *w = rc->words;
	size_t n = rc->nwords, k = 0, npos = 0, need;
	bool stdin_cmds = wk_in_list(&r->stdin_opts, "-", 1);

	/* where the options of this row start: after the subcommand (and word) */
	if (r->subs.n > 0) {
		for (k = 0; k < n; k++) {
			if (w[k].n > 1 && w[k].s[0] == '-') {
				const char *eq = memchr(w[k].s, '=', w[k].n);

				if (eq == NULL && takes_value(r, w[k].s, w[k].n))
					k++;
				continue;
			}
			break;
		}
		if (k >= n || !wk_in_list(&r->subs, w[k].s, w[k].n))
			return 0;
		k++;
	}
	if (r->word != NULL) {
		while (k < n && w[k].n > 1 && w[k].s[0] == '-')
			k++;
		if (k >= n || strlen(r->word) != w[k].n || memcmp(r->word, w[k].s, w[k].n) != 0)
			return 0;
		k++;
	}
	need = (size_t)r->skip;
	for (; k < n; k++) {
		const char *s = w[k].s, *eq, *val = NULL;
		size_t wn = w[k].n, nl, vl = 0;
		char last[3];

		if (wn == 2 && memcmp(s, "--", 2) == 0) {
			if (wk_in_list(&r->argv, "--", 2))
				return argv_cmd(x, ci, r, w + k + 1, n - k - 1);
			k++;
			break;
		}
		if (r->embed.n > 0 && embedded(x, ci, r, s, wn) < 0)
			return -1;
		if (r->wfile.n > 0 && wk_text_outfiles(x, ci, &r->wfile, s, wn) < 0)
			return -1;
		if (r->plus && wn > 1 && s[0] == '+') {
			if (own_command(x, ci, r, s + 1, wn - 1, true) < 0)
				return -1;
			continue;
		}
		if (wn < 2 || s[0] != '-') {
			/* a positional argument */
			posseen = true;
			if (wk_in_list(&r->after, s, wn) && k + 1 < n) {
				/* fail2ban-client set JAIL action ACT actionban CMD */
				intent_add_effect(x, ci, EFF_EXEC);
				intent_signal(x, ci, "runs-hook", w[k + 1].s, w[k + 1].n > 200 ? 200 : w[k + 1].n);
				if (shell(x, ci, w[k + 1].s, w[k + 1].n, r->prog) < 0)
					return -1;
				k++;
				continue;
			}
			if (r->subs.n == 0 && r->word == NULL && has_sub && r->how == RH_NONE && !r->file1)
				break; /* program-wide options end at the subcommand */
			if (r->file1 && npos == 0 && file_target(x, ci, s, wn) < 0)
				return -1;
			if (r->how != RH_NONE && npos >= need)
				break;
			npos++;
			continue;
		}
		if (wk_in_list(&r->shesc, s, wn)) {
			/* dvips -R0, pdflatex -shell-escape: its input may run commands */
			intent_signal(x, ci, "runs-shell-escape", s, wn);
			intent_add_effect(x, ci, EFF_EXEC);
			continue;
		}
		norepl |= opt_or_letter(&r->norepl, s, wn);
		detach |= opt_or_letter(&r->detach, s, wn);
		eq = memchr(s, '=', wn);
		nl = eq != NULL && s[1] == '-' ? (size_t)(eq - s) : wn;
		if (eq != NULL && s[1] == '-') {
			val = eq + 1;
			vl = wn - nl - 1;
		} else if (!takes_value(r, s, wn) && !wk_in_list(&r->argv, s, wn) && !wk_in_list(&r->stdin_opts, s, wn) &&
		           wn > 2 && s[1] != '-' && (takes_value(r, s, 2) || wk_in_list(&r->opt, s, 2))) {
			/* -Ovalue, -xCMD */
			nl = 2;
			val = s + 2;
			vl = wn - 2;
		} else if (eq != NULL && nl == wn && s[1] != '-' && !takes_value(r, s, wn) &&
		           takes_value(r, s, (size_t)(eq - s))) {
			/* -filename=x, -shell-escape style long options with one dash */
			nl = (size_t)(eq - s);
			val = eq + 1;
			vl = wn - nl - 1;
		}
		if (wk_in_list(&r->stdin_opts, s, nl))
			stdin_cmds = true;
		if (wk_in_list(&r->argv, s, nl)) {
			if (r->esc.n > 0 && k + 1 < n) {
				/* screen -X stuff TEXT */
				for (size_t e = 0; e < r->esc.n; e++) {
					const char *c = strrchr(r->esc.v[e], ':');

					if ((size_t)(c - r->esc.v[e]) == w[k + 1].n &&
					    memcmp(r->esc.v[e], w[k + 1].s, w[k + 1].n) == 0) {
						for (size_t j = k + 2; j < n; j++)
							if (shell(x, ci, w[j].s, w[j].n, r->prog) < 0)
								return -1;
						return 0;
					}
				}
			}
			return argv_cmd(x, ci, r, w + k + 1, n - k - 1);
		}
		if (val == NULL && nl == wn && wn > 2 && s[1] != '-' && !takes_value(r, s, nl)) {
			/* a group (-dmS NAME): a value-taking letter at its end takes the next word */
			last[0] = '-';
			last[1] = s[wn - 1];
			last[2] = '\0';
			if (takes_value(r, last, 2) && k + 1 < n) {
				val = w[k + 1].s;
				vl = w[k + 1].n;
				k++;
				s = last;
				nl = 2;
			}
		}
		if (val == NULL && takes_value(r, s, nl) && !wk_in_list(&r->opt, s, nl) && k + 1 < n) {
			val = w[k + 1].s;
			vl = w[k + 1].n;
			k++;
		}
		if (val == NULL)
			continue;
		if (wk_in_list(&r->hook, s, nl)) {
			/* restic --password-command CMD: run whenever it needs one */
			intent_signal(x, ci, "runs-hook", s, wn > 200 ? 200 : wn);
			intent_add_effect(x, ci, EFF_EXEC);
			if (shell(x, ci, val, vl, r->prog) < 0)
				return -1;
		} else if (wk_in_list(&r->sh, s, nl) || wk_in_list(&r->opt, s, nl)) {
			if (shell(x, ci, val, vl, r->prog) < 0)
				return -1;
		} else if (wk_in_list(&r->file, s, nl)) {
			if (file_target(x, ci, val, vl) < 0)
				return -1;
		} else if (wk_in_list(&r->cmds, s, nl)) {
			if (own_command(x, ci, r, val, vl, false) < 0)
				return -1;
		} else if (wk_in_list(&r->mk, s, nl)) {
			if (makefile_text(x, ci, val, vl) < 0)
				return -1;
		} else if (wk_in_list(&r->lib, s, nl)) {
			if (lib_target(x, ci, val, vl) < 0)
				return -1;
		} else if (kv_opt(r, s, nl)) {
			if (kv_value(x, ci, r, s, nl, val, vl) < 0)
				return -1;
		}
		if (r->embed.n > 0 && !(val >= s && val < s + wn) && embedded(x, ci, r, val, vl) < 0)
			return -1; /* a value in the next word (a joined one was read with its option) */
		if (r->wfile.n > 0 && !(val >= s && val < s + wn) && wk_text_outfiles(x, ci, &r->wfile, val, vl) < 0)
			return -1;
	}
	if (r->repl && !norepl && !rc->code_given && !rc->stdin_any && (r->replany || !posseen) &&
	    !(k < n && r->how != RH_NONE))
		*repl = detach ? 2 : 1;
	if (k < n && r->how != RH_NONE) {
		const struct runs_word *c = w + k;
		size_t cn = n - k;

		if (r->how == RH_ARGV)
			return argv_cmd(x, ci, r, c, cn);
		if (r->how == RH_JOINED || r->how == RH_KEYS) {
			static const char *const keys[] = { "Enter", "C-m", "C-M", "C-j", "KPEnter", "Escape", "Tab",
				"Space", "BSpace", "Up", "Down", "Left", "Right", "Home", "End", "C-c", "C-d", "C-z", "C-l",
				"C-u" };
			size_t len = 0, o = 0;
			char *buf;

			for (size_t j = 0; j < cn; j++)
				len += c[j].n + 1;
			if ((buf = arena_alloc(intent_arena(x), len + 1)) == NULL)
				return -1;
			for (size_t j = 0; j < cn; j++) {
				bool key = false;

				for (size_t q = 0; r->how == RH_KEYS && q < sizeof keys / sizeof keys[0]; q++)
					key |= strlen(keys[q]) == c[j].n && memcmp(keys[q], c[j].s, c[j].n) == 0;
				if (key) {
					if (o > 0)
						buf[o++] = '\n';
					continue;
				}
				if (o > 0 && buf[o - 1] != '\n')
					buf[o++] = ' ';
				memcpy(buf + o, c[j].s, c[j].n);
				o += c[j].n;
			}
			if (o > 0 && shell(x, ci, buf, o, r->prog) < 0)
				return -1;
		}
	}
	for (size_t j = 0; j < rc->nassigns; j++) {
		const char *eq = memchr(rc->assigns[j].s, '=', rc->assigns[j].n);

		if (eq != NULL && wk_in_list(&r->env, rc->assigns[j].s, (size_t)(eq - rc->assigns[j].s)) &&
		    file_target(x, ci, eq + 1, rc->assigns[j].n - (size_t)(eq + 1 - rc->assigns[j].s)) < 0)
			return -1;
	}
	if (r->embed.n > 0 && rc->stdin_text != NULL && embedded(x, ci, r, rc->stdin_text, rc->stdin_len) < 0)
		return -1;
	if (r->wfile.n > 0 && rc->stdin_text != NULL && wk_text_outfiles(x, ci, &r->wfile, rc->stdin_text, rc->stdin_len) < 0)
		return -1;
	if (stdin_cmds && rc->stdin_text != NULL) {
		const char *s = rc->stdin_text, *e = s + rc->stdin_len;

		while (s < e) {
			const char *nl = memchr(s, '\n', (size_t)(e - s));
			size_t ln = nl != NULL ? (size_t)(nl - s) : (size_t)(e - s);

			if (own_command(x, ci, r, s, ln, true) < 0)
				return -1;
			s += ln + 1;
		}
	}
	return 0;
}

int
runs_analyze(struct intent_ctx *x, int ci, const struct runs_call *rc)
{
	const struct tables *t = intent_tables(x);
	const struct prog *pg = tables_prog(t, rc->prog);
	size_t nr;
	const struct runspec *const *rows = tables_runs(t, rc->prog, &nr);

	size_t walks_was = walks;
	bool flagged_was = walks_flagged;
	int rcode = 0;

	/* the count is per command; a nested one (tmux new 'tmux new ...')
	 * counts its own and the outer count resumes after it */
	walks = 0;
	walks_flagged = false;
	int repl = 0;

	for (size_t k = 0; k < nr && rcode == 0; k++)
		rcode = one_row(x, ci, rows[k], rc, pg != NULL && pg->sub, &repl);
	for (size_t k = 0; k < nr && rcode == 0 && walks > 0; k++)
		if (rows[k]->outside) {
			/* openvt CMD: the command runs on another console, outside the caller */
			intent_signal(x, ci, "runs-outside", rc->prog, strlen(rc->prog));
			break;
		}
	if (rcode == 0 && repl != 0 && walks == 0) {
		/* tclsh, irb, bare screen: commands typed at it run (a shell escape) */
		intent_signal(x, ci, repl == 1 ? "repl-interactive" : "repl-detached", rc->prog, strlen(rc->prog));
		intent_add_effect(x, ci, EFF_SHELL);
		if (repl == 1)
			wk_cmd_at(x, ci)->interactive = true;
	}
	walks = walks_was;
	walks_flagged = flagged_was;
	return rcode;
}

/* The family step (walk.h): hand runs_analyze this command's words. */
void
wk_runs(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	struct runs_call rc = { .prog = an->pg->name, .sub = wk_cmd(an)->sub, .nwords = an->n,
		.stdin_text = an->cc->stdin_text, .stdin_len = an->cc->stdin_len, .nassigns = an->cc->nassigns,
		.stdin_any = an->cc->stdin_text != NULL || an->cc->has_stdin_file || an->cc->stdin_from >= 0,
		.code_given = an->code_given };
	size_t nr;

	if (tables_runs(x->t, an->pg->name, &nr) == NULL)
		return;
	if (rc.stdin_text == NULL && an->cc->stdin_from >= 0) {
		/* echo 'esyscmd(id)' | m4: what the producer prints, when known */
		struct stdin_info si;

		wk_get_stdin_info(x, an->cc->stdin_from, &si);
		rc.stdin_text = si.content;
		rc.stdin_len = si.len;
	}
	if ((rc.words = arena_alloc(x->tmp, (an->n + an->cc->nassigns + 1) * sizeof *rc.words)) == NULL) {
		wk_oomf(x);
		return;
	}
	for (size_t k = 0; k < an->n; k++)
		rc.words[k] = (struct runs_word){ an->rw[k].s, an->rw[k].n, (an->rw[k].f & RW_UNKNOWN) != 0 };
	rc.assigns = rc.words + an->n;
	for (size_t k = 0; k < an->cc->nassigns; k++)
		rc.assigns[k] = (struct runs_word){ an->cc->assigns[k].s, an->cc->assigns[k].n,
			(an->cc->assigns[k].f & RW_UNKNOWN) != 0 };
	x->cwd_now = an->lw->cwd;
	x->depth_now = an->lw->depth;
	x->priv_now = an->lw->priv;
	x->remote_now = an->lw->remote;
	if (runs_analyze(x, an->ci, &rc) < 0)
		wk_oomf(x);
}
