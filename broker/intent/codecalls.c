/* codecalls.c -- what the calls in inline code run, reach and read (see
 * codecalls.h). */
#include "broker/intent/codecalls.h"
#include "broker/intent/intent.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 16
#define MAX_SITES 256
#define MAX_WORDS 64
#define MAX_ARGTEXT 8192 /* bytes of one call's arguments that are read (bounds the work per call) */

static bool
ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Does the string literal of language lang opened by quote q interpolate
 * its text (f"{x}", `${x}`, "#{x}", "$x")? */
static bool
interpolates(const char *s, size_t n, char q, enum code_lang lang, bool fprefix)
{
	for (size_t k = 0; k + 1 < n; k++) {
		char c = s[k], d = s[k + 1];

		if (c == '\\') {
			k++;
			continue;
		}
		if (fprefix && c == '{')
			return true;
		if (q == '`' && lang == LANG_JS && c == '$' && d == '{')
			return true;
		if (q == '\'' && lang != LANG_JL)
			continue;
		if (lang == LANG_RB && c == '#' && d == '{')
			return true;
		if ((lang == LANG_PL || lang == LANG_PHP || lang == LANG_JL || lang == LANG_PS || lang == LANG_RB) &&
		    (c == '$' || (c == '@' && lang == LANG_PL)) && (ident_char(d) || d == '{' || d == '('))
			return true;
	}
	return false;
}

/* A string literal at text[p]: its body in *s and *n, the offset after it, or
 * 0 if none.  *interp when its text is computed (interpolation). */
static size_t
read_literal(const char *text, size_t len, size_t p, enum code_lang lang, const char **s, size_t *n, bool *interp)
{
	bool f = false;
	char q;

	if (lang == LANG_PY)
		for (int k = 0; k < 2 && p < len && strchr("rRbBuUfF", text[p]) != NULL && text[p] != '\0'; k++) {
			if (text[p] == 'f' || text[p] == 'F')
				f = true;
			p++;
		}
	if (p >= len || (text[p] != '\'' && text[p] != '"' && text[p] != '`'))
		return 0;
	q = text[p];
	if (p + 2 < len && text[p + 1] == q && text[p + 2] == q) { /* triple quote */
		for (size_t e = p + 3; e + 2 < len; e++)
			if (text[e] == q && text[e + 1] == q && text[e + 2] == q) {
				*s = text + p + 3;
				*n = e - (p + 3);
				*interp = interpolates(*s, *n, q, lang, f);
				return e + 3;
			}
		return 0;
	}
	for (size_t e = p + 1; e < len; e++) {
		if (text[e] == '\\') {
			e++;
			continue;
		}
		if (text[e] == q) {
			*s = text + p + 1;
			*n = e - (p + 1);
			*interp = interpolates(*s, *n, q, lang, f);
			return e + 1;
		}
	}
	return 0;
}

/* Skip a string literal or a bracketed group starting at text[p]; the
 * offset after it. */
static size_t
skip_group(const char *text, size_t len, size_t p, enum code_lang lang)
{
	const char *s;
	size_t n, e;
	bool ip;
	int depth = 0;

	if ((e = read_literal(text, len, p, lang, &s, &n, &ip)) != 0)
		return e;
	for (e = p; e < len; e++) {
		char c = text[e];

		if (c == '\'' || c == '"' || c == '`') {
			size_t e2 = read_literal(text, len, e, lang, &s, &n, &ip);

			if (e2 == 0)
				return len;
			e = e2 - 1;
			continue;
		}
		if (c == '(' || c == '[' || c == '{')
			depth++;
		else if (c == ')' || c == ']' || c == '}') {
			if (--depth <= 0)
				return e + 1;
		}
	}
	return len;
}

struct span {
	size_t s, e;
};

/* The arguments of a call whose argument list starts at text[p] (after the
 * opening bracket when paren, else up to the end of the statement). */
struct call {
	struct span a[MAX_ARGS];
	size_t n;
	size_t end;
	bool closed; /* the whole argument list was read */
};

static void
split_args(const char *text, size_t len, size_t p, bool paren, enum code_lang lang, struct call *c)
{
	size_t start = p;
	bool cut = len - p > MAX_ARGTEXT;

	if (cut)
		len = p + MAX_ARGTEXT;

	c->n = 0;
	c->closed = false;
	while (p < len) {
		char ch = text[p];

		if ((paren && ch == ')') || (!paren && (ch == ';' || ch == '\n' || ch == ')' || ch == '}'))) {
			c->closed = true;
			break;
		}
		if (ch == ',') {
			if (c->n < MAX_ARGS)
				c->a[c->n++] = (struct span){ start, p };
			start = p + 1;
			p++;
			continue;
		}
		if (ch == '\'' || ch == '"' || ch == '`' || ch == '(' || ch == '[' || ch == '{') {
			size_t e = skip_group(text, len, p, lang);

			if (e <= p)
				e = p + 1;
			p = e;
			continue;
		}
		p++;
	}
	if (p > start || c->n > 0) {
		size_t s = start, e = p;

		while (s < e && is_space(text[s]))
			s++;
		if (e > s && c->n < MAX_ARGS)
			c->a[c->n++] = (struct span){ start, p };
	}
	if (p >= len && !paren && !cut)
		c->closed = true;
	c->end = p;
}

static void
trim(const char *text, struct span *sp)
{
	while (sp->s < sp->e && is_space(text[sp->s]))
		sp->s++;
	while (sp->e > sp->s && is_space(text[sp->e - 1]))
		sp->e--;
}

/* Is the argument exactly one literal (no interpolation)? */
static bool
arg_literal(const char *text, struct span sp, enum code_lang lang, const char **s, size_t *n)
{
	bool ip = false;
	size_t e;

	trim(text, &sp);
	e = read_literal(text, sp.e, sp.s, lang, s, n, &ip);
	return e == sp.e && e != 0 && !ip;
}

/* A list of literals: [ 'a', "b" ], %w(a b), qw(a b), array('a').  Adds
 * them to words; false when it is not one. */
static bool
arg_list(const char *text, struct span sp, enum code_lang lang, const char **ws, size_t *wn, size_t *nw)
{
	size_t p, close;
	struct call c;

	trim(text, &sp);
	if (sp.e - sp.s >= 4 && (memcmp(text + sp.s, "%w(", 3) == 0 || memcmp(text + sp.s, "qw(", 3) == 0) &&
	    text[sp.e - 1] == ')') {
		p = sp.s + 3;
		while (p < sp.e - 1) {
			size_t s;

			while (p < sp.e - 1 && is_space(text[p]))
				p++;
			s = p;
			while (p < sp.e - 1 && !is_space(text[p]))
				p++;
			if (p > s && *nw < MAX_WORDS) {
				ws[*nw] = text + s;
				wn[(*nw)++] = p - s;
			}
		}
		return true;
	}
	if (sp.e - sp.s >= 7 && memcmp(text + sp.s, "array(", 6) == 0 && lang == LANG_PHP)
		p = sp.s + 6;
	else if (sp.e - sp.s >= 2 && (text[sp.s] == '[' || (text[sp.s] == '(' && lang == LANG_PL)))
		p = sp.s + 1;
	else
		return false;
	close = sp.e - 1;
	if (text[close] != ']' && text[close] != ')')
		return false;
	split_args(text, close, p, false, lang, &c);
	for (size_t k = 0; k < c.n; k++) {
		const char *s;
		size_t n;
		struct span a = c.a[k];

		trim(text, &a);
		if (a.e == a.s && k + 1 == c.n)
			break; /* a trailing comma */
		if (!arg_literal(text, a, lang, &s, &n))
			return false;
		if (*nw < MAX_WORDS) {
			ws[*nw] = s;
			wn[(*nw)++] = n;
		}
	}
	return true;
}

/* Python keyword arguments (shell=True, cwd='x', check=True). */
static bool
arg_keyword(const char *text, struct span sp)
{
	size_t k;

	trim(text, &sp);
	for (k = sp.s; k < sp.e && ident_char(text[k]); k++)
		;
	return k > sp.s && k < sp.e && text[k] == '=' && (k + 1 >= sp.e || text[k + 1] != '=');
}

/* Walk words as one command (each word quoted). */
static int
run_words(struct intent_ctx *x, int ci, const char *const *ws, const size_t *wn, size_t nw)
{
	size_t len = 0, o = 0;
	char *buf;
	int rc;

	for (size_t k = 0; k < nw; k++)
		len += wn[k] * 4 + 3;
	if (len == 0)
		return 0;
	/* the commands' texts point into it: it lives with the intent */
	if ((buf = arena_alloc(intent_arena(x), len + 1)) == NULL)
		return -1;
	for (size_t k = 0; k < nw; k++) {
		if (k > 0)
			buf[o++] = ' ';
		buf[o++] = '\'';
		for (size_t j = 0; j < wn[k]; j++) {
			if (ws[k][j] == '\'') {
				memcpy(buf + o, "'\\''", 4);
				o += 4;
			} else {
				buf[o++] = ws[k][j];
			}
		}
		buf[o++] = '\'';
	}
	rc = intent_nested(x, ci, buf, o, "inline code");
	return rc;
}

struct sites {
	struct span ok[MAX_SITES]; /* call names whose arguments were read whole */
	size_t nok;
	bool unresolved;        /* a program-running call with a computed argument */
	size_t nsites;          /* calls looked at */
	bool secret_env;
};

static void
resolved(struct sites *st, size_t s, size_t e)
{
	if (st->nok < MAX_SITES)
		st->ok[st->nok++] = (struct span){ s, e };
	else
		st->unresolved = true;
}

/* os.system('...'), subprocess.run([...]), system "...": what they run. */
static int
site_cmdarg(struct intent_ctx *x, int ci, const char *text, size_t len, size_t at, size_t pe, enum code_lang lang,
    struct sites *st)
{
	const char *ws[MAX_WORDS];
	size_t wn[MAX_WORDS], nw = 0, k;
	bool paren = pe > at && text[pe - 1] == '(', whole = true, line = false;
	struct call c;
	size_t p = pe;

	while (!paren && p < len && (text[p] == ' ' || text[p] == '\t'))
		p++;
	if (!paren && p < len && text[p] == '(') {
		paren = true;
		p++;
	}
	split_args(text, len, p, paren, lang, &c);
	for (k = 0; k < c.n; k++) {
		const char *s;
		size_t n;

		if (arg_literal(text, c.a[k], lang, &s, &n)) {
			if (nw < MAX_WORDS) {
				ws[nw] = s;
				wn[nw++] = n;
			}
			if (k == 0)
				line = true;
		} else if (arg_list(text, c.a[k], lang, ws, wn, &nw)) {
			line = false;
		} else {
			break;
		}
	}
	for (; k < c.n; k++)
		if (!(lang == LANG_PY && arg_keyword(text, c.a[k])))
			whole = false;
	if (nw == 0 || !c.closed)
		whole = false;
	if (nw == 1 && line) {
		if (intent_nested(x, ci, ws[0], wn[0], "inline code") < 0)
			return -1;
	} else if (nw > 0) {
		if (run_words(x, ci, ws, wn, nw) < 0)
			return -1;
	}
	if (whole)
		resolved(st, at, pe);
	else
		st->unresolved = true;
	return 0;
}

/* eval(...), exec(...), Function(...): one literal is read with the rest of
 * the code; exec(open('x.py').read()) runs x.py; anything else is code
 * built at run time. */
static int
site_eval(struct intent_ctx *x, int ci, const char *text, size_t len, size_t at, size_t pe, enum code_lang lang,
    struct sites *st, bool *computed)
{
	bool paren = pe > at && text[pe - 1] == '(';
	struct call c;
	size_t p = pe;
	const char *s;
	size_t n;

	while (p < len && (text[p] == ' ' || text[p] == '\t'))
		p++;
	if (!paren && p < len && text[p] == '{')
		return 0; /* perl eval { ... }: a block, not a string */
	if (!paren && p < len && text[p] == '(') {
		paren = true;
		p++;
	}
	split_args(text, len, p, paren, lang, &c);
	if (c.n == 0) {
		resolved(st, at, pe);
		return 0;
	}
	if (arg_literal(text, c.a[0], lang, &s, &n)) {
		resolved(st, at, pe);
		return 0;
	}
	{
		struct span a = c.a[0];
		size_t e;
		bool ip;

		trim(text, &a);
		if (a.e - a.s > 6 && memcmp(text + a.s, "open(", 5) == 0 &&
		    (e = read_literal(text, a.e, a.s + 5, lang, &s, &n, &ip)) != 0 && !ip && e < a.e && text[e] == ')') {
			if (intent_add_path_here(x, ci, s, n, EFF_RUN) < 0)
				return -1;
			resolved(st, at, pe);
			return 0;
		}
	}
	*computed = true;
	return 0;
}

/* getattr(os, 'system'), __import__('os'), require(x), send(:x): a literal
 * name is scanned as a call of it; a computed one hides what is called. */
static int
site_dynamic(struct intent_ctx *x, const char *text, size_t len, size_t pe, enum code_lang lang, uint32_t *m,
    bool *computed)
{
	const struct tables *t = intent_tables(x);
	struct call c;
	bool named = false;

	split_args(text, len, pe, true, lang, &c);
	for (size_t k = 0; k < c.n; k++) {
		const char *s;
		size_t n;

		if (arg_literal(text, c.a[k], lang, &s, &n)) {
			char buf[80];

			named = true;
			if (n + 2 > sizeof buf)
				continue;
			memcpy(buf, s, n);
			buf[n] = '(';
			/* the name as a call: 'system' is system(, 'popen' popen( */
			for (size_t j = 0; j + 1 <= n; j++) {
				size_t nc;
				const struct codepat *const *v =
				    tables_code_by_pair(t, (unsigned char)buf[j], (unsigned char)buf[j + 1], &nc);

				for (size_t q = 0; q < nc; q++)
					if (v[q]->len <= n + 1 - j && memcmp(buf + j, v[q]->text, v[q]->len) == 0 &&
					    (v[q]->scope == LANG_CODE || v[q]->scope == lang) && v[q]->sig != CS_DYNAMIC)
						*m |= 1u << (v[q]->sig == CS_CMDARG ? CS_EXEC : v[q]->sig);
			}
		} else if (text[c.a[k].s] == ':' && lang == LANG_RB) {
			named = true; /* send(:name) */
		}
	}
	if (!named && c.n > 0)
		*computed = true;
	return 0;
}

/* os.environ['X'], process.env.X, $ENV{X}, getenv("X"); a dump when no
 * name follows. */
static void
site_env(struct intent_ctx *x, const char *text, size_t len, size_t pe, enum code_lang lang, struct sites *st)
{
	size_t p = pe;
	const char *s = NULL;
	size_t n = 0;
	bool ip, dump = true;

	(void)x;
	if (pe > 0 && (text[pe - 1] == '(' || text[pe - 1] == '[' || text[pe - 1] == '{' || text[pe - 1] == ':' ||
	                  text[pe - 1] == ' ')) {
		/* the pattern ends where the name starts */
	} else if (p < len && (text[p] == '[' || text[p] == '{' || text[p] == '(')) {
		p++;
	} else if (p + 1 < len && text[p] == '.') {
		size_t q = p + 1, e;

		for (e = q; e < len && ident_char(text[e]); e++)
			;
		if (e < len && text[e] == '(' &&
		    ((e - q == 3 && memcmp(text + q, "get", 3) == 0) || (e - q == 5 && memcmp(text + q, "fetch", 5) == 0) ||
		        (e - q == 3 && memcmp(text + q, "pop", 3) == 0) ||
		        (e - q == 10 && memcmp(text + q, "setdefault", 10) == 0)))
			p = e + 1;
		else if (lang == LANG_JS && e > q) {
			s = text + q;
			n = e - q;
			dump = false;
		}
	}
	while (s == NULL && p < len && (text[p] == ' ' || text[p] == '\t'))
		p++;
	if (s == NULL && p < len) {
		size_t e = read_literal(text, len, p, lang, &s, &n, &ip);

		if (e != 0 && !ip) {
			dump = false;
		} else if (e == 0 && ident_char(text[p])) {
			size_t q = p;

			while (q < len && ident_char(text[q]))
				q++;
			/* $ENV{NAME}, $env:NAME, (getenv "X") -- a bare name; in
			 * other languages a variable: which one is not known */
			s = text + p;
			n = q - p;
			dump = false;
			if (lang != LANG_PL && lang != LANG_PS && !(pe > 0 && text[pe - 1] == ':'))
				s = NULL, n = 0, dump = true;
		} else if (e == 0 && (text[p] == ')' || text[p] == ']')) {
			dump = true;
		} else {
			s = NULL;
		}
	}
	if (dump || (s != NULL && intent_secret_name(x, s, n)))
		st->secret_env = true;
}

/* `cmd`, %x(cmd), qx(cmd) in ruby, perl, php, julia. */
static int
backticks(struct intent_ctx *x, int ci, const char *text, size_t len, enum code_lang lang, struct sites *st)
{
	for (size_t k = 0; k < len && st->nsites < MAX_SITES; k++) {
		char c = text[k];
		const char *s;
		size_t n, e;
		bool ip;

		if (c == '\'' || c == '"') {
			if ((e = read_literal(text, len, k, lang, &s, &n, &ip)) == 0)
				break; /* the rest is inside a string that does not end */
			k = e - 1;
			continue;
		}
		if (c == '#' && lang != LANG_PHP && lang != LANG_JL) {
			/* a comment: to the end of the line ($#array and #{ aside) */
			if (k > 0 && (text[k - 1] == '$' || text[k - 1] == '{'))
				continue;
			while (k < len && text[k] != '\n')
				k++;
			continue;
		}
		if (c == '`') {
			if ((e = read_literal(text, len, k, lang == LANG_JL ? LANG_RB : lang, &s, &n, &ip)) == 0)
				break;
			st->nsites++;
			if (ip)
				st->unresolved = true;
			else if (n > 0 && intent_nested(x, ci, s, n, "inline code") < 0)
				return -1;
			if (!ip)
				resolved(st, k, k + 1);
			k = e - 1;
			continue;
		}
		if ((lang == LANG_RB && c == '%' && k + 2 < len && text[k + 1] == 'x') ||
		    (lang == LANG_PL && c == 'q' && k + 2 < len && text[k + 1] == 'x' && (k == 0 || !ident_char(text[k - 1])) &&
		        !ident_char(text[k + 2]) && !is_space(text[k + 2]))) {
			char open = text[k + 2], close = open == '(' ? ')' : open == '{' ? '}' : open == '[' ? ']' : open;
			size_t b = k + 3;

			for (e = b; e < len && text[e] != close; e++)
				if (text[e] == '\\')
					e++;
			if (e >= len)
				break;
			st->nsites++;
			if (interpolates(text + b, e - b, '"', lang, false))
				st->unresolved = true;
			else {
				if (e > b && intent_nested(x, ci, text + b, e - b, "inline code") < 0)
					return -1;
				resolved(st, k, k + 3);
			}
			k = e;
		}
	}
	return 0;
}

static int
literal_commands(struct intent_ctx *x, int ci, const char *text, size_t len, enum code_lang lang)
{
	const struct tables *t = intent_tables(x);
	size_t walked = 0;

	for (size_t k = 0; k < len && walked < MAX_SITES; k++) {
		const char *s;
		size_t n, e, w;
		bool ip;
		char name[64];

		if (text[k] != '\'' && text[k] != '"')
			continue;
		if ((e = read_literal(text, len, k, lang, &s, &n, &ip)) == 0)
			break;
		k = e - 1;
		for (w = 0; w < n && !is_space(s[w]); w++)
			;
		if (ip || w == n || w == 0 || w >= sizeof name)
			continue;
		memcpy(name, s, w);
		name[w] = '\0';
		if (tables_prog(t, name) != NULL || tables_wrapper(t, name) != NULL) {
			walked++;
			if (intent_nested(x, ci, s, n, "inline code") < 0)
				return -1;
		}
	}
	return 0;
}

int
code_calls(struct intent_ctx *x, int ci, const char *text, size_t len, enum code_lang lang, uint32_t *m)
{
	const struct tables *t = intent_tables(x);
	struct sites *st;
	bool eval_computed = false, dyn_computed = false;
	const uint32_t want = (1u << CS_EXEC) | (1u << CS_CMDARG) | (1u << CS_ENV) | (1u << CS_EVAL) | (1u << CS_DYNAMIC);
	int rc = 0;

	if (!(*m & want) && lang != LANG_RB && lang != LANG_PL && lang != LANG_PHP && lang != LANG_JL) {
		if (*m & (1u << CS_NET))
			goto urls;
		return 0;
	}
	if ((st = calloc(1, sizeof *st)) == NULL)
		return -1;
	for (size_t k = 0; k < len && rc == 0; k++) {
		size_t n;
		const struct codepat *const *v;

		if (st->nsites >= MAX_SITES) {
			/* more calls than are read one by one: what they run is not
			 * known (code-exec stays; nothing is cleared) */
			st->unresolved = true;
			break;
		}

		if (text[k] == '\'' || text[k] == '"' || text[k] == '`') {
			/* calls are not inside string literals ("system is fine") */
			const char *ls;
			size_t ln, e;
			bool ip;

			if ((e = read_literal(text, len, k, lang, &ls, &ln, &ip)) == 0)
				break; /* the rest is inside a string that does not end */
			k = e - 1;
			continue;
		}
		v =
		    tables_code_by_pair(t, (unsigned char)text[k], k + 1 < len ? (unsigned char)text[k + 1] : 0, &n);

		for (size_t j = 0; j < n && rc == 0; j++) {
			const struct codepat *cp = v[j];

			if (!((1u << cp->sig) & want) || cp->len > len - k)
				continue;
			if (cp->scope != LANG_CODE && cp->scope != lang)
				continue;
			if (memcmp(text + k, cp->text, cp->len) != 0)
				continue;
			if (ident_char(cp->text[0]) && k > 0 && (ident_char(text[k - 1]) || text[k - 1] == '$'))
				continue;
			st->nsites++;
			switch (cp->sig) {
			case CS_CMDARG:
				*m |= 1u << CS_EXEC;
				rc = site_cmdarg(x, ci, text, len, k, k + cp->len, lang, st);
				break;
			case CS_EVAL:
				rc = site_eval(x, ci, text, len, k, k + cp->len, lang, st, &eval_computed);
				break;
			case CS_DYNAMIC:
				if (cp->text[cp->len - 1] == '(')
					rc = site_dynamic(x, text, len, k + cp->len, lang, m, &dyn_computed);
				else
					dyn_computed = true;
				break;
			case CS_ENV:
				site_env(x, text, len, k + cp->len, lang, st);
				break;
			default:
				break;
			}
		}
	}
	if (rc == 0 && (lang == LANG_RB || lang == LANG_PL || lang == LANG_PHP || lang == LANG_JL))
		rc = backticks(x, ci, text, len, lang, st);
	if (rc < 0) {
		free(st);
		return -1;
	}
	*m &= ~(1u << CS_CMDARG);
	/* Programs run through a name sandgate cannot follow (import subprocess
	 * as s; s.call(CMD)): a literal that reads as a command line of a known
	 * program may be what runs. */
	if ((*m & (1u << CS_EXEC)) && (st->unresolved || st->nok == 0) && literal_commands(x, ci, text, len, lang) < 0) {
		free(st);
		return -1;
	}
	if (eval_computed)
		intent_signal(x, ci, "code-eval-computed", text, len > 200 ? 200 : len);
	if (dyn_computed)
		intent_signal(x, ci, "code-dynamic", text, len > 200 ? 200 : len);
	if (st->secret_env) {
		intent_signal(x, ci, "code-env-secret", text, len > 200 ? 200 : len);
		intent_add_effect(x, ci, EFF_ENV_READ);
		if (*m & (1u << CS_NET)) {
			intent_signal(x, ci, "code-env-exfil", text, len > 200 ? 200 : len);
			intent_add_effect(x, ci, EFF_EXFILTRATE);
		}
	}
	free(st);
	if (!(*m & (1u << CS_NET)))
		return 0;
urls:
	/* the hosts it names */
	for (size_t k = 0; k + 8 < len; k++) {
		if (text[k] != 'h' && text[k] != 'f' && text[k] != 'w')
			continue;
		if (strncmp(text + k, "http://", 7) == 0 || strncmp(text + k, "https://", 8) == 0 ||
		    strncmp(text + k, "ftp://", 6) == 0 || strncmp(text + k, "ws://", 5) == 0 ||
		    strncmp(text + k, "wss://", 6) == 0) {
			size_t e = k;

			while (e < len && !is_space(text[e]) && text[e] != '\'' && text[e] != '"' && text[e] != '`' &&
			       text[e] != ')' && text[e] != '{' && text[e] != '$')
				e++;
			if (intent_add_url(x, ci, text + k, e - k) < 0)
				return -1;
			k = e;
		}
	}
	return 0;
}
