/* db.c -- databases: the statement classifier and database clients.  See
 * db.h and docs/RISK.md "Databases"; the data is tables/db. */
#include "broker/intent/db.h"
#include "broker/intent/walk.h"

#include <ctype.h>
#include <string.h>

/* --- the lexer ------------------------------------------------------------------------ */

enum tk { TK_END, TK_WORD, TK_STR, TK_PUNCT, TK_META };

struct tok {
	enum tk k;
	const char *s; /* TK_STR: the content between the quotes */
	size_t n;
	const char *arg; /* TK_META: the rest of its line */
	size_t argn;
};

struct lex {
	const char *s;
	size_t n, pos;
	bool bs;  /* backslash escapes in quoted strings (MySQL, E'...') */
	bool bol; /* at the beginning of a line */
};

#define WORD_MAX 64          /* longer words match no row */
#define GAP_MAX 256          /* words a "*" of a pattern may stand for */
#define SCAN_BUDGET (1L << 20) /* tokens read ahead per text (then fail closed) */
#define DYN_DEPTH 2          /* strings run as statements (EXECUTE '...') inside strings */

static bool
wordc(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c == '@' || c >= 0x80;
}

static void
lex_next(struct lex *L, struct tok *t)
{
	const char *s = L->s;
	size_t n = L->n, i = L->pos;
	bool bol;

	for (;;) {
		while (i < n && isspace((unsigned char)s[i])) {
			if (s[i] == '\n')
				L->bol = true;
			i++;
		}
		if (i >= n) {
			t->k = TK_END;
			t->s = s + n;
			t->n = 0;
			L->pos = n;
			return;
		}
		/* "-- " comments; "--x" is two minus signs in MySQL: not skipped */
		if (s[i] == '-' && i + 1 < n && s[i + 1] == '-' && (i + 2 >= n || isspace((unsigned char)s[i + 2]))) {
			const char *nl = memchr(s + i, '\n', n - i);

			i = nl != NULL ? (size_t)(nl - s) : n;
			continue;
		}
		if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
			const char *e;

			if (i + 2 < n && s[i + 2] == '!') {
				/* MySQL runs what is in an executable comment ("slash-star-bang 50001 ..."): read it as code */
				i += 3;
				while (i < n && isdigit((unsigned char)s[i]))
					i++;
				continue;
			}
			/* not nested: PostgreSQL nests them, MySQL does not; reading
			 * on after the first close can only find more */
			e = i + 2 < n ? memmem(s + i + 2, n - i - 2, "*/", 2) : NULL;
			i = e != NULL ? (size_t)(e - s) + 2 : n;
			continue;
		}
		if (s[i] == '*' && i + 1 < n && s[i + 1] == '/') {
			i += 2; /* the end of an executable comment */
			continue;
		}
		break;
	}
	bol = L->bol;
	L->bol = false;
	t->s = s + i;
	t->arg = NULL;
	t->argn = 0;
	if (s[i] == '\'' || s[i] == '"' || s[i] == '`') {
		char q = s[i];
		size_t st = ++i;

		while (i < n) {
			if (L->bs && s[i] == '\\' && q != '`' && i + 1 < n) {
				i += 2;
				continue;
			}
			if (s[i] == q) {
				if (i + 1 < n && s[i + 1] == q) {
					i += 2;
					continue;
				}
				break;
			}
			i++;
		}
		t->k = TK_STR;
		t->s = s + st;
		t->n = (i < n ? i : n) - st;
		L->pos = i < n ? i + 1 : n;
		return;
	}
	if ((s[i] == '\\' && i + 1 < n && !isspace((unsigned char)s[i + 1])) ||
	    (s[i] == '.' && bol && i + 1 < n && isalpha((unsigned char)s[i + 1]))) {
		/* psql/mysql "\cmd" (to the end of the line or "\\"), sqlite ".cmd" */
		size_t st = i++;
		const char *nl, *end;

		if (s[st] == '\\' && s[i] == '\\') { /* "\\": psql's separator */
			L->pos = i + 1;
			return lex_next(L, t);
		}
		if (isalpha((unsigned char)s[i]) || s[st] == '.')
			while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '+'))
				i++;
		else
			i++;
		t->k = TK_META;
		t->n = i - st;
		nl = memchr(s + i, '\n', n - i);
		end = nl != NULL ? nl : s + n;
		if (s[st] == '\\') {
			const char *sep = memmem(s + i, (size_t)(end - (s + i)), "\\\\", 2);

			if (sep != NULL)
				end = sep;
		}
		t->arg = s + i;
		t->argn = (size_t)(end - (s + i));
		L->pos = (size_t)(end - s);
		return;
	}
	if (wordc((unsigned char)s[i])) {
		size_t st = i;

		while (i < n && wordc((unsigned char)s[i]))
			i++;
		t->k = TK_WORD;
		t->n = i - st;
		L->pos = i;
		return;
	}
	t->k = TK_PUNCT;
	t->n = 1;
	L->pos = i + 1;
}

static bool
lower(const struct tok *t, char *buf)
{
	if (t->n == 0 || t->n >= WORD_MAX)
		return false;
	for (size_t k = 0; k < t->n; k++)
		buf[k] = (char)tolower((unsigned char)t->s[k]);
	buf[t->n] = '\0';
	return true;
}

static bool
has_ci(const char *s, size_t n, const char *w)
{
	size_t l = strlen(w);

	for (size_t k = 0; k + l <= n; k++)
		if (strncasecmp(s + k, w, l) == 0)
			return true;
	return false;
}

static bool
is_word(const struct tok *t, const char *w)
{
	return t->k == TK_WORD && t->n == strlen(w) && strncasecmp(t->s, w, t->n) == 0;
}

static bool
is_punct(const struct tok *t, char c)
{
	return t->k == TK_PUNCT && t->s[0] == c;
}

static bool
stmt_end(const struct tok *t)
{
	return t->k == TK_END || t->k == TK_META || is_punct(t, ';');
}

/* --- matching ------------------------------------------------------------------------------ */

struct pass {
	const struct tables *t;
	unsigned flags;
	bool bs;
	int depth;
	long *budget;
	struct db_verdict *v;
};

/* Do the rest of pattern p follow (words[1..])?  L is after the first word. */
static bool
match_rest(struct pass *ps, const struct dbpat *p, struct lex *L)
{
	struct tok t;

	for (size_t j = 1; j < p->nwords; j++) {
		if (strcmp(p->words[j], "*") == 0) {
			const char *want = p->words[++j];
			size_t k;

			for (k = 0; k < GAP_MAX; k++) {
				if (--*ps->budget < 0)
					return true; /* out of budget: assume the worst */
				lex_next(L, &t);
				if (stmt_end(&t))
					return false;
				if (is_word(&t, want))
					break;
			}
			if (k == GAP_MAX)
				return false;
			continue;
		}
		lex_next(L, &t);
		if (!is_word(&t, p->words[j]))
			return false;
	}
	return true;
}

/* After "DELETE FROM t" or "UPDATE t SET": is there a WHERE (that is not
 * always true) or a LIMIT at the statement's own level? */
static bool
bounded(struct pass *ps, struct lex L)
{
	struct tok t;
	int depth = 0;

	for (;;) {
		if (--*ps->budget < 0)
			return false;
		lex_next(&L, &t);
		if (stmt_end(&t))
			return false;
		if (is_punct(&t, '('))
			depth++;
		else if (is_punct(&t, ')') && --depth < 0)
			return false; /* the end of the subquery it is in */
		if (depth != 0)
			continue;
		if (is_word(&t, "limit") || is_word(&t, "top"))
			return true;
		if (is_word(&t, "where")) {
			struct tok a, op, b, after;

			lex_next(&L, &a);
			if (is_word(&a, "true")) {
				lex_next(&L, &after);
			} else {
				lex_next(&L, &op);
				if (stmt_end(&op) || is_word(&op, "or") || is_punct(&op, ')')) {
					/* WHERE 1 */
					if (a.k == TK_WORD && isdigit((unsigned char)a.s[0]) && !(a.n == 1 && a.s[0] == '0'))
						return false;
					return true;
				}
				if (!is_punct(&op, '='))
					return true;
				lex_next(&L, &b);
				if (a.k != b.k || a.n != b.n || a.k == TK_END || strncasecmp(a.s, b.s, a.n) != 0)
					return true;
				lex_next(&L, &after);
			}
			/* WHERE 1=1, WHERE 'a'='a', WHERE TRUE: every row, unless
			 * more conditions follow (AND ...) */
			return !(stmt_end(&after) || is_word(&after, "or") || is_punct(&after, ')'));
		}
	}
}

/* ".NAME(" with nothing or "{}" inside: a MongoDB call on every document. */
static bool
empty_filter(struct lex L)
{
	struct tok t;

	lex_next(&L, &t); /* "(" */
	lex_next(&L, &t);
	if (is_punct(&t, ')'))
		return true;
	if (!is_punct(&t, '{'))
		return false;
	lex_next(&L, &t);
	return is_punct(&t, '}');
}

static const struct dbpat *
lookup1(const struct tables *t, enum db_kind k, const char *w, size_t wl)
{
	char key[WORD_MAX];
	size_t n;
	const struct dbpat *const *v;

	/* exact, then rows ending in '*' that the word starts with */
	for (size_t l = wl; l > 0; l--) {
		memcpy(key, w, l);
		key[l] = '\0';
		v = tables_db(t, k, key, &n);
		for (size_t j = 0; j < n; j++)
			if (v[j]->nwords == 1 && (l == wl || v[j]->prefix))
				return v[j];
	}
	return NULL;
}

static void classify_pass(struct pass *ps, const char *text, size_t len);

/* One statement from L's position; false at the end of the text. */
static bool
statement(struct pass *ps, struct lex *L)
{
	struct db_verdict *v = ps->v;
	struct tok t, prev = { .k = TK_END };
	const char *st = NULL, *en = NULL;
	uint32_t sc = 0;
	bool first = true, matched = false, dyn = false, more = true;
	char buf[WORD_MAX];

	for (;;) {
		lex_next(L, &t);
		if (t.k == TK_END) {
			more = false;
			break;
		}
		if (is_punct(&t, ';'))
			break;
		if (t.k == TK_META) {
			/* a client command: a statement of its own, to the end of its line */
			char mb[WORD_MAX];
			const struct dbpat *p = NULL;
			enum db_class c;
			const char *a = t.arg, *ae = t.arg + t.argn;

			if (t.n < WORD_MAX) {
				for (size_t k = 0; k < t.n; k++)
					mb[k] = (char)tolower((unsigned char)t.s[k]);
				mb[t.n] = '\0';
				p = lookup1(ps->t, DBK_META, mb, t.n);
			}
			while (a < ae && isspace((unsigned char)*a))
				a++;
			c = p != NULL ? p->cls : DBC_NONE;
			/* "\o |cmd", ".once |cmd", "\copy ... program 'cmd'" run a program */
			if (p != NULL && c >= DBC_WRITE && c < DBC_SHELL &&
			    ((a < ae && *a == '|') ||
			        (t.n == 5 && strncasecmp(t.s, "\\copy", 5) == 0 && has_ci(t.arg, t.argn, "program"))))
				c = DBC_SHELL;
			if (p == NULL) {
				if (!v->unknown) {
					v->unknown_part.s = t.s;
					v->unknown_part.n = (size_t)(ae - t.s);
				}
				v->unknown = true;
			} else if (!(v->classes & (1u << c))) {
				v->classes |= 1u << c;
				v->part[c].s = t.s;
				v->part[c].n = (size_t)(ae - t.s);
			}
			if (st == NULL)
				return true; /* the meta-command was the statement */
			break;           /* "SELECT 1 \g": the statement ends here */
		}
		if (st == NULL)
			st = t.s;
		en = t.s + t.n + (t.k == TK_STR && t.s + t.n < L->s + L->n ? 1 : 0); /* the closing quote */
		if (t.k == TK_WORD && lower(&t, buf)) {
			const struct dbpat *p;
			size_t n;
			const struct dbpat *const *rows;

			if (first && (p = lookup1(ps->t, DBK_FIRST, buf, t.n)) != NULL) {
				sc |= 1u << p->cls;
				matched = true;
			}
			if (!(ps->flags & DB_FIRST_ONLY)) {
				rows = tables_db(ps->t, DBK_SQL, buf, &n);
				for (size_t j = 0; j < n; j++) {
					struct lex la = *L;
					enum db_class c = rows[j]->cls;

					if (!match_rest(ps, rows[j], &la))
						continue;
					if (c == DBC_DELETEALL || c == DBC_UPDATEALL) {
						/* ON DELETE/ON UPDATE SET NULL, DO UPDATE SET (upserts) */
						if (is_word(&prev, "on") || is_word(&prev, "do") || is_word(&prev, "for") ||
						    is_word(&prev, "of") || is_word(&prev, "or") || is_word(&prev, "before") ||
						    is_word(&prev, "after") || is_word(&prev, "instead"))
							continue;
						if (bounded(ps, la))
							c = DBC_WRITE;
					}
					sc |= 1u << c;
					matched = true;
				}
				if (is_punct(&prev, '.')) {
					struct lex la = *L;
					struct tok nx;

					lex_next(&la, &nx);
					if (is_punct(&nx, '(') && (p = lookup1(ps->t, DBK_CALL, buf, t.n)) != NULL) {
						enum db_class c = p->cls;

						if ((c == DBC_DELETEALL || c == DBC_UPDATEALL) && !empty_filter(*L))
							c = DBC_WRITE;
						sc |= 1u << c;
						matched = true;
					}
				}
				if (strcmp(buf, "execute") == 0 || strcmp(buf, "exec") == 0 || strcmp(buf, "prepare") == 0 ||
				    strcmp(buf, "do") == 0 || strcmp(buf, "sp_executesql") == 0 || strcmp(buf, "eval") == 0 ||
				    strcmp(buf, "query") == 0 || strcmp(buf, "format") == 0)
					dyn = true;
			}
		} else if (t.k == TK_STR && dyn && ps->depth < DYN_DEPTH && t.n > 0) {
			/* EXECUTE 'DROP TABLE ' || name: the string is a statement */
			struct pass sub = *ps;

			sub.depth++;
			classify_pass(&sub, t.s, t.n);
		}
		first = false;
		prev = t;
	}
	if (st == NULL)
		return more;
	v->statements++;
	if (!matched) {
		if (!v->unknown) {
			v->unknown_part.s = st;
			v->unknown_part.n = (size_t)(en - st);
		}
		v->unknown = true;
	}
	/* a statement is what its worst match says (DROP TABLE is not also a write) */
	while (sc & (sc - 1))
		sc &= sc - 1;
	for (unsigned c = 0; c < DBC_COUNT; c++)
		if ((sc & (1u << c)) && !(v->classes & (1u << c))) {
			v->classes |= 1u << c;
			v->part[c].s = st;
			v->part[c].n = (size_t)(en - st);
		}
	return more;
}

static void
classify_pass(struct pass *ps, const char *text, size_t len)
{
	struct lex L = { .s = text, .n = len, .bs = ps->bs, .bol = true };

	while (statement(ps, &L))
		;
}

void
db_classify(const struct tables *t, const char *text, size_t len, unsigned flags, struct db_verdict *v)
{
	long budget = SCAN_BUDGET;
	size_t stmts;

	memset(v, 0, sizeof *v);
	/* Two readings of quoted strings: with backslash escapes (MySQL, E'')
	 * and without (standard SQL).  What either finds counts. */
	for (int bs = 0; bs < 2; bs++) {
		struct pass ps = { .t = t, .flags = flags, .bs = bs != 0, .budget = &budget, .v = v };

		stmts = v->statements;
		v->statements = 0;
		classify_pass(&ps, text, len);
		if (stmts > v->statements)
			v->statements = stmts;
		if (memchr(text, '\\', len) == NULL)
			break; /* no backslash: both readings are the same */
	}
}

/* --- signals -------------------------------------------------------------------------------- */

static const char *const class_rule[DBC_COUNT] = {
	[DBC_READ] = "sql-read", [DBC_WRITE] = "sql-write", [DBC_FILE] = "sql-file",
	[DBC_SCHEMA] = "sql-schema", [DBC_EXEC] = "sql-exec", [DBC_ADMIN] = "db-admin",
	[DBC_PERM] = "sql-perm", [DBC_SHELL] = "sql-shell", [DBC_DELETEALL] = "sql-delete-all",
	[DBC_UPDATEALL] = "sql-update-all", [DBC_ALTERDROP] = "sql-alter-drop",
	[DBC_TABLEDROP] = "sql-drop-table", [DBC_GRANT] = "sql-grant", [DBC_DBDROP] = "sql-drop-db",
};

static void
class_effect(struct intent_ctx *x, int ci, enum db_class c)
{
	switch (c) {
	case DBC_DELETEALL: case DBC_UPDATEALL: case DBC_ALTERDROP: case DBC_TABLEDROP: case DBC_DBDROP:
		intent_add_effect(x, ci, EFF_DB_DESTROY);
		break;
	case DBC_GRANT: case DBC_PERM:
		intent_add_effect(x, ci, EFF_PRIVILEGE);
		break;
	case DBC_SHELL:
		intent_add_effect(x, ci, EFF_SHELL);
		break;
	case DBC_EXEC:
		intent_add_effect(x, ci, EFF_EXEC);
		break;
	case DBC_ADMIN:
		intent_add_effect(x, ci, EFF_SYSCONFIG);
		break;
	default:
		break;
	}
}

static size_t
cap200(size_t n)
{
	return n > 200 ? 200 : n;
}

static int
verdict_signals(struct intent_ctx *x, int ci, const struct db_verdict *v)
{
	uint32_t beyond_read = v->classes & ~((1u << DBC_NONE) | (1u << DBC_READ));

	for (unsigned c = DBC_READ; c < DBC_COUNT; c++) {
		if (!(v->classes & (1u << c)) || class_rule[c] == NULL)
			continue;
		if (c == DBC_READ && (beyond_read || v->unknown))
			continue;
		if (intent_signal(x, ci, class_rule[c], v->part[c].s, cap200(v->part[c].n)) < 0)
			return -1;
		class_effect(x, ci, (enum db_class)c);
	}
	if (v->unknown && intent_signal(x, ci, "sql-unknown", v->unknown_part.s, cap200(v->unknown_part.n)) < 0)
		return -1;
	return 0;
}

int
db_text(struct intent_ctx *x, int ci, const struct tables *t, const char *text, size_t len)
{
	struct db_verdict v;

	db_classify(t, text, len, 0, &v);
	return verdict_signals(x, ci, &v);
}

/* --- clients ----------------------------------------------------------------------------------- */

static bool
prod_name(const struct tables *t, const char *s, size_t n)
{
	size_t np;
	const struct dbpat *const *v = tables_db(t, DBK_HOST, "", &np);

	for (size_t k = 0; k < np; k++)
		if (glob_match(v[k]->words[0], s, n, true))
			return true;
	return false;
}

struct conn {
	struct intent_ctx *x;
	const struct tables *t;
	int ci;
	bool prod, remote; /* signalled once each */
};

/* A server the client connects to: "host", "host:port", "[::1]:5432", a
 * socket directory, a list "h1,h2". */
static int
conn_host(struct conn *cn, const char *s, size_t n)
{
	while (n > 0) {
		const char *comma = memchr(s, ',', n);
		size_t l = comma != NULL ? (size_t)(comma - s) : n, hl = l;
		const char *h = s;

		if (hl > 0 && h[0] == '[') {
			const char *rb = memchr(h, ']', hl);

			h++;
			hl = rb != NULL ? (size_t)(rb - h) : hl - 1;
		} else if (hl > 0 && h[0] != '/') {
			const char *colon = memchr(h, ':', hl);

			if (colon != NULL && memchr(colon + 1, ':', hl - (size_t)(colon + 1 - h)) == NULL)
				hl = (size_t)(colon - h); /* host:port (not an IPv6 address) */
		}
		if (hl > 0) {
			if (prod_name(cn->t, h, hl)) {
				if (!cn->prod && intent_signal(cn->x, cn->ci, "db-prod", h, cap200(hl)) < 0)
					return -1;
				cn->prod = true;
				intent_add_effect(cn->x, cn->ci, EFF_NETWORK);
			} else if (h[0] != '/') {
				enum hclass hc = tables_host_class(cn->t, h, hl);
				bool named = memchr(h, '.', hl) != NULL || memchr(h, ':', hl) != NULL;

				/* "db", "postgres": a compose service or /etc/hosts name */
				if (named && hc != HC_LOCAL && hc != HC_PRIVATE) {
					if (!cn->remote && intent_signal(cn->x, cn->ci, "db-remote", h, cap200(hl)) < 0)
						return -1;
					cn->remote = true;
					intent_add_effect(cn->x, cn->ci, EFF_NETWORK);
				}
			}
			if (h[0] != '/' && intent_add_url(cn->x, cn->ci, h, hl) < 0)
				return -1;
		}
		if (comma == NULL)
			break;
		n -= l + 1;
		s = comma + 1;
	}
	return 0;
}

static int
conn_db(struct conn *cn, const char *s, size_t n)
{
	if (n > 0 && !cn->prod && prod_name(cn->t, s, n)) {
		cn->prod = true;
		return intent_signal(cn->x, cn->ci, "db-prod", s, cap200(n));
	}
	return 0;
}

/* "postgres://u:p@host:5432/db?x", "mongodb+srv://...", "redis://...",
 * "jdbc:mysql://..."; or libpq's "host=H dbname=D". */
static int
conn_string(struct conn *cn, const char *s, size_t n)
{
	const char *ss = memmem(s, n, "://", 3);

	if (ss != NULL) {
		const char *p = ss + 3, *e = s + n, *end = p, *at;

		while (end < e && *end != '/' && *end != '?' && *end != '#')
			end++;
		at = memrchr(p, '@', (size_t)(end - p));
		if (at != NULL)
			p = at + 1;
		if (end > p && conn_host(cn, p, (size_t)(end - p)) < 0)
			return -1;
		if (end < e && *end == '/') {
			const char *d = end + 1, *de = d;

			while (de < e && *de != '?' && *de != '#' && *de != '/')
				de++;
			if (de > d && conn_db(cn, d, (size_t)(de - d)) < 0)
				return -1;
		}
		/* ?host=/cloudsql/... */
		{
			const char *q = memmem(s, n, "host=", 5);

			if (q != NULL) {
				const char *v = q + 5, *ve = v;

				while (ve < e && *ve != '&' && *ve != '#')
					ve++;
				if (ve > v && conn_host(cn, v, (size_t)(ve - v)) < 0)
					return -1;
			}
		}
		return 0;
	}
	for (const char *p = s, *e = s + n; p < e;) {
		const char *w = p, *we, *eq;

		while (w < e && isspace((unsigned char)*w))
			w++;
		we = w;
		while (we < e && !isspace((unsigned char)*we))
			we++;
		p = we;
		if ((eq = memchr(w, '=', (size_t)(we - w))) == NULL)
			continue;
		if ((eq - w == 4 && memcmp(w, "host", 4) == 0) || (eq - w == 8 && memcmp(w, "hostaddr", 8) == 0)) {
			if (conn_host(cn, eq + 1, (size_t)(we - eq - 1)) < 0)
				return -1;
		} else if (eq - w == 6 && memcmp(w, "dbname", 6) == 0) {
			if (conn_db(cn, eq + 1, (size_t)(we - eq - 1)) < 0)
				return -1;
		}
	}
	return 0;
}

static bool
ends_with(const char *s, size_t n, const char *suf)
{
	size_t l = strlen(suf);

	return n > l && strncasecmp(s + n - l, suf, l) == 0;
}

static int
sql_file(struct intent_ctx *x, int ci, const char *s, size_t n)
{
	return intent_signal(x, ci, "sql-file", s, cap200(n));
}

static int
statements_in(struct intent_ctx *x, int ci, const struct tables *t, const struct fam_word *w)
{
	if (w->unknown)
		return intent_signal(x, ci, "sql-unknown", w->s, cap200(w->n));
	return db_text(x, ci, t, w->s, w->n);
}

/* Environment a client reads: PGHOST, PGDATABASE, DATABASE_URL, MYSQL_HOST,
 * REDIS_URL, MONGODB_URI, ... */
static int
conn_env(struct conn *cn, const struct fam_word *e)
{
	const char *eq = memchr(e->s, '=', e->n);
	size_t nl, vl;
	const char *val;

	if (eq == NULL)
		return 0;
	nl = (size_t)(eq - e->s);
	val = eq + 1;
	vl = e->n - nl - 1;
	if (vl == 0)
		return 0;
	if (memmem(val, vl, "://", 3) != NULL)
		return conn_string(cn, val, vl);
	if (ends_with(e->s, nl, "HOST") || ends_with(e->s, nl, "HOSTADDR") || ends_with(e->s, nl, "SERVER"))
		return conn_host(cn, val, vl);
	if (ends_with(e->s, nl, "DATABASE") || ends_with(e->s, nl, "DBNAME") || ends_with(e->s, nl, "_DB"))
		return conn_db(cn, val, vl);
	/* RAILS_ENV=production, NODE_ENV=production, MIX_ENV=prod, DJANGO_SETTINGS_MODULE=app.settings.prod */
	if (ends_with(e->s, nl, "_ENV") || ends_with(e->s, nl, "ENVIRONMENT") || ends_with(e->s, nl, "SETTINGS_MODULE")) {
		const char *dot = memrchr(val, '.', vl);

		if (dot != NULL && ends_with(e->s, nl, "SETTINGS_MODULE"))
			return conn_db(cn, dot + 1, vl - (size_t)(dot + 1 - val));
		return conn_db(cn, val, vl);
	}
	return 0;
}

/* Does option s[0..n) of the client take a value? */
static bool
opt_takes(const struct prog *pg, const struct dbpat *cl, const char *s, size_t n)
{
	return (pg != NULL && (wk_in_list(&pg->v, s, n) || wk_in_list(&pg->sql, s, n) || wk_in_list(&pg->code, s, n))) ||
	       wk_in_list(&cl->host, s, n) || wk_in_list(&cl->db, s, n) || wk_in_list(&cl->file, s, n);
}

int
db_client(struct intent_ctx *x, int ci, const struct tables *t, const char *prog, const struct prog *pg,
    const struct fam_word *w, size_t n, const struct fam_word *env, size_t nenv)
{
	const struct dbpat *cl = tables_db_client(t, prog);
	struct conn cn = { .x = x, .t = t, .ci = ci };
	const struct fam_word *pos[64];
	size_t npos = 0, all_pos = 0;
	bool dashdash = false;

	if (cl == NULL)
		return 0;
	for (size_t k = 0; k < nenv; k++)
		if (conn_env(&cn, &env[k]) < 0)
			return -1;
	for (size_t k = 0; k < n; k++) {
		const struct fam_word *a = &w[k];
		const char *name = a->s, *val = NULL;
		size_t nl, vl = 0;
		char nm[64];

		if (dashdash || a->n < 2 || a->s[0] != '-') {
			if (npos < sizeof pos / sizeof pos[0])
				pos[npos++] = a;
			all_pos++;
			continue;
		}
		if (a->n == 2 && a->s[1] == '-') {
			dashdash = true;
			continue;
		}
		nl = 0;
		if (a->s[1] == '-') {
			const char *eq = memchr(a->s, '=', a->n);

			nl = eq != NULL ? (size_t)(eq - a->s) : a->n;
			if (eq != NULL) {
				val = eq + 1;
				vl = a->n - nl - 1;
			}
			if (nl >= sizeof nm || !opt_takes(pg, cl, a->s, nl))
				continue;
			memcpy(nm, a->s, nl);
		} else if (a->n < sizeof nm && opt_takes(pg, cl, a->s, a->n)) {
			nl = a->n; /* -init FILE, -cmd SQL: single-dash long options */
			memcpy(nm, a->s, nl);
		} else {
			/* "-c SQL", "-cSQL", "-qc SQL": a cluster whose letter takes a value */
			for (size_t q = 1; q < a->n && nl == 0; q++) {
				char one[2] = { '-', a->s[q] };

				if (!opt_takes(pg, cl, one, 2))
					continue;
				memcpy(nm, one, 2);
				nl = 2;
				if (q + 1 < a->n) {
					val = a->s + q + 1;
					vl = a->n - q - 1;
				}
			}
			if (nl == 0)
				continue;
		}
		nm[nl] = '\0';
		(void)name;
		{
			if (val == NULL) {
				if (k + 1 >= n)
					break;
				val = w[k + 1].s;
				vl = w[k + 1].n;
				k++;
			}
			if (pg != NULL && wk_in_list(&pg->sql, nm, nl)) {
				struct fam_word sw = { val, vl, w[k].unknown };

				if (statements_in(x, ci, t, &sw) < 0)
					return -1;
			} else if (wk_in_list(&cl->host, nm, nl)) {
				if (memmem(val, vl, "://", 3) != NULL ? conn_string(&cn, val, vl) < 0 : conn_host(&cn, val, vl) < 0)
					return -1;
			} else if (wk_in_list(&cl->db, nm, nl)) {
				if (conn_string(&cn, val, vl) < 0 || conn_db(&cn, val, vl) < 0)
					return -1;
			} else if (wk_in_list(&cl->file, nm, nl)) {
				if (sql_file(x, ci, val, vl) < 0)
					return -1;
			}
		}
	}
	if (cl->args == DBA_CMD && npos > 0) {
		/* redis-cli FLUSHALL: the first word says what the command does */
		struct db_verdict v;

		if (pos[0]->unknown) {
			if (intent_signal(x, ci, "sql-unknown", pos[0]->s, cap200(pos[0]->n)) < 0)
				return -1;
		} else {
			db_classify(t, pos[0]->s, pos[0]->n, DB_FIRST_ONLY, &v);
			if (verdict_signals(x, ci, &v) < 0)
				return -1;
		}
		return 0;
	}
	for (size_t k = 0; k < npos; k++) {
		const struct fam_word *a = pos[k];

		if (cl->args == DBA_AFTER1 && k > 0) {
			if (statements_in(x, ci, t, a) < 0)
				return -1;
			continue;
		}
		if (memmem(a->s, a->n, "://", 3) != NULL || memmem(a->s, a->n, "host=", 5) != NULL ||
		    memmem(a->s, a->n, "dbname=", 7) != NULL) {
			if (conn_string(&cn, a->s, a->n) < 0)
				return -1;
		} else if (ends_with(a->s, a->n, ".sql") || ends_with(a->s, a->n, ".js") || ends_with(a->s, a->n, ".cql") ||
		           ends_with(a->s, a->n, ".mongodb")) {
			if (cl->args != DBA_AFTER1 && sql_file(x, ci, a->s, a->n) < 0)
				return -1;
		} else if (conn_db(&cn, a->s, a->n) < 0) {
			return -1;
		}
	}
	if (all_pos > npos && intent_signal(x, ci, "sql-unknown", "(too many arguments)", 20) < 0)
		return -1;
	return 0;
}

/* --- the walker's hook ------------------------------------------------------------------------ */

/* A database client or schema tool (analyze.c's class signals): its words
 * and the NAME=value assignments in front of it go to db_client(); what
 * comes on stdin is statements too (a file or an unknown stream: sql-file). */
void
wk_db_command(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	size_t nw = an->n + an->cc->nassigns;
	struct fam_word *dw;
	bool client = (an->pg->classes & PCL(DB)) != 0;

	if (!client && tables_db_client(x->t, an->pg->name) == NULL)
		return;
	if ((dw = arena_alloc(x->tmp, (nw + 1) * sizeof *dw)) == NULL) {
		wk_oomf(x);
		return;
	}
	for (size_t k = 0; k < nw; k++) {
		const struct rword *r = k < an->n ? &an->rw[k] : &an->cc->assigns[k - an->n];

		dw[k] = (struct fam_word){ r->s, r->n, (r->f & RW_UNKNOWN) != 0 };
	}
	if (db_client(x, an->ci, x->t, an->pg->name, an->pg, dw, an->n, dw + an->n, an->cc->nassigns) < 0) {
		wk_oomf(x);
		return;
	}
	if (client)
		wk_code_from_stdin(an, LANG_SQL, "sql-file");
}
