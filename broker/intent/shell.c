/* shell.c -- recursive-descent parser for shell command lines (see shell.h).
 *
 * The grammar follows bash closely enough for risk analysis: every place a
 * command can run (lists, pipelines, substitutions, here-doc bodies with
 * expansion, compound commands, function bodies) ends up in the tree.  It
 * is a parser, not an interpreter: nothing is expanded. */
#include "broker/intent/shell.h"
#include "proto/hex.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	ST_RPAREN = 1 << 0,
	ST_RBRACE = 1 << 1,
	ST_THEN = 1 << 2,
	ST_ELIF = 1 << 3,
	ST_ELSE = 1 << 4,
	ST_FI = 1 << 5,
	ST_DO = 1 << 6,
	ST_DONE = 1 << 7,
	ST_ESAC = 1 << 8,
	ST_DSEMI = 1 << 9,
};

/* Reserved words that end a list, with the stop bit that allows them. */
static const struct {
	const char *kw;
	unsigned bit;
} stop_words[] = {
	{ "}", ST_RBRACE }, { "then", ST_THEN }, { "elif", ST_ELIF }, { "else", ST_ELSE },
	{ "fi", ST_FI }, { "do", ST_DO }, { "done", ST_DONE }, { "esac", ST_ESAC },
};

enum emb_mode {
	EMB_HEREDOC, /* here-doc body: \ escapes only $ ` \ newline; quotes are text */
	EMB_PARAM,   /* ${X:-...}: quotes count */
	EMB_ARITH,   /* $((...)): only substitutions matter */
};

struct parser {
	arena *a;
	arena *keep; /* what must outlive the tree: unescaped backquote texts */
	const char *s;
	size_t n, i;
	int nest;
	const char *err; /* first error (static text), NULL if none */
	size_t err_at;
	bool oom;
	struct sh_redir **hd; /* here-docs waiting for the next newline */
	size_t nhd, hdcap;
	char *buf;            /* scratch for literal text, used as a stack */
	size_t blen, bcap;
};

/* A word under construction. */
struct wb {
	struct sh_seg *segs;
	size_t n, cap;
	size_t base; /* where this word's literal text starts in p->buf */
	unsigned flags;
};

static struct sh_list *parse_list(struct parser *p, unsigned stop);
static struct sh_node *parse_command(struct parser *p);
static int read_word(struct parser *p, struct sh_word *out);
static int parse_dollar(struct parser *p, struct wb *w, bool quoted);
static int parse_backtick(struct parser *p, struct wb *w, bool quoted);

static inline int
ch(const struct parser *p, size_t k)
{
	size_t j = p->i + k;

	return j < p->n ? (unsigned char)p->s[j] : -1;
}

static void *
fail(struct parser *p, const char *why)
{
	if (p->err == NULL) {
		p->err = why;
		p->err_at = p->i < p->n ? p->i : p->n;
	}
	return NULL;
}

static int
failn(struct parser *p, const char *why)
{
	fail(p, why);
	return -1;
}

static int
oom(struct parser *p)
{
	p->oom = true;
	return failn(p, "out of memory");
}

static inline bool
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* Characters that end an unquoted word. */
static inline bool
is_meta(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' ||
	       c == '<' || c == '>' || c == '(' || c == ')';
}

/* A byte read_word copies as it is (its default case): not a blank, an
 * operator, a quote, an expansion, a tilde, a glob or a brace. */
static inline bool
word_plain(int c)
{
	switch (c) {
	case -1: case ' ': case '\t': case '\n': case ';': case '&': case '|': case '<': case '>': case '(': case ')':
	case '\\': case '\'': case '"': case '$': case '`': case '~': case '*': case '?': case '[': case '{': case '}':
		return false;
	default:
		return true;
	}
}

static inline bool
is_name_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static inline bool
is_name_char(int c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

bool
sh_is_name(const char *s, size_t n)
{
	if (n == 0 || !is_name_start((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_name_char((unsigned char)s[i]))
			return false;
	return true;
}

/* --- scratch text and word building ------------------------------------ */

/* Room for n more bytes of literal text. */
static int
lit_room(struct parser *p, size_t n)
{
	size_t nc = p->bcap ? p->bcap * 2 : 256;
	char *nb;

	while (nc - p->blen < n)
		nc *= 2;
	if ((nb = realloc(p->buf, nc)) == NULL)
		return oom(p);
	p->buf = nb;
	p->bcap = nc;
	return 0;
}

static inline int
lit_put(struct parser *p, char c)
{
	if (p->blen == p->bcap && lit_room(p, 1) < 0)
		return -1;
	p->buf[p->blen++] = c;
	return 0;
}

static int
lit_putn(struct parser *p, const char *s, size_t n)
{
	if (p->bcap - p->blen < n && lit_room(p, n) < 0)
		return -1;
	memcpy(p->buf + p->blen, s, n);
	p->blen += n;
	return 0;
}

static int
seg_push(struct parser *p, struct wb *w, const struct sh_seg *seg)
{
	struct sh_seg *ns = arena_grow(p->a, w->segs, w->n, &w->cap, sizeof *ns);

	if (ns == NULL)
		return oom(p);
	w->segs = ns;
	w->segs[w->n++] = *seg;
	return 0;
}

/* Turn the pending literal text of w into a segment. */
static int
lit_flush(struct parser *p, struct wb *w)
{
	struct sh_seg seg = { .kind = SH_SEG_LIT };
	char *t;

	if (p->blen <= w->base)
		return 0;
	t = arena_strndup(p->a, p->buf + w->base, p->blen - w->base);
	if (t == NULL)
		return oom(p);
	seg.s = t;
	seg.n = p->blen - w->base;
	p->blen = w->base;
	/* Merge with a literal just before (e.g. a'b'c). */
	if (w->n > 0 && w->segs[w->n - 1].kind == SH_SEG_LIT) {
		struct sh_seg *prev = &w->segs[w->n - 1];
		char *m = arena_alloc(p->a, prev->n + seg.n + 1);

		if (m == NULL)
			return oom(p);
		memcpy(m, prev->s, prev->n);
		memcpy(m + prev->n, seg.s, seg.n);
		m[prev->n + seg.n] = '\0';
		prev->s = m;
		prev->n += seg.n;
		return 0;
	}
	return seg_push(p, w, &seg);
}

static void
wb_finish(struct wb *w, struct sh_word *out, const char *raw, size_t rawlen)
{
	out->raw = raw;
	out->rawlen = rawlen;
	out->segs = w->segs;
	out->nsegs = w->n;
	out->flags = w->flags;
}

/* --- blanks, comments, newlines, here-docs ------------------------------ */

static void
skip_blanks(struct parser *p)
{
	for (;;) {
		int c = ch(p, 0);

		if (is_blank(c))
			p->i++;
		else if (c == '\\' && ch(p, 1) == '\n')
			p->i += 2;
		else
			return;
	}
}

static void
skip_comment(struct parser *p)
{
	if (ch(p, 0) != '#')
		return;
	while (p->i < p->n && p->s[p->i] != '\n')
		p->i++;
}

static int parse_embedded(struct parser *p, size_t start, size_t end, enum emb_mode mode,
    struct sh_word *out);

/* Read the bodies of the pending here-documents; p->i is just past a newline. */
static int
read_heredocs(struct parser *p)
{
	struct sh_redir **list = p->hd;
	size_t nlist = p->nhd;

	p->hd = NULL;
	p->nhd = p->hdcap = 0;
	for (size_t k = 0; k < nlist; k++) {
		struct sh_redir *r = list[k];
		size_t body_start = p->i, body_end = p->n;

		r->heredoc_unterminated = true;
		while (p->i < p->n) {
			size_t ls = p->i, le, t;
			const char *nl = memchr(p->s + ls, '\n', p->n - ls);

			le = nl != NULL ? (size_t)(nl - p->s) : p->n;
			t = ls;
			if (r->heredoc_strip)
				while (t < le && p->s[t] == '\t')
					t++;
			p->i = le < p->n ? le + 1 : p->n;
			if (le - t == r->delimlen && memcmp(p->s + t, r->delim, r->delimlen) == 0) {
				body_end = ls;
				r->heredoc_unterminated = false;
				break;
			}
		}
		if (r->heredoc_quoted) {
			struct sh_seg *seg = arena_zalloc(p->a, sizeof *seg);

			if (seg == NULL)
				return oom(p);
			seg->kind = SH_SEG_LIT;
			seg->s = p->s + body_start;
			seg->n = body_end - body_start;
			r->body.raw = seg->s;
			r->body.rawlen = seg->n;
			r->body.segs = seg;
			r->body.nsegs = 1;
			r->body.flags = SH_W_QUOTED;
		} else {
			size_t save = p->i;

			if (parse_embedded(p, body_start, body_end, EMB_HEREDOC, &r->body) < 0)
				return -1;
			p->i = save;
		}
	}
	return 0;
}

static int
consume_newline(struct parser *p)
{
	p->i++;
	if (p->nhd > 0)
		return read_heredocs(p);
	return 0;
}

/* Skip blanks, comments and newlines (reading here-docs). */
static int
skip_space_nl(struct parser *p)
{
	for (;;) {
		skip_blanks(p);
		skip_comment(p);
		if (ch(p, 0) != '\n')
			return 0;
		if (consume_newline(p) < 0)
			return -1;
	}
}

/* Does the unquoted reserved word kw start at p->i?  (Inline: the parser
 * asks for each reserved word at the start of every command.) */
static inline __attribute__((always_inline)) bool
at_word(const struct parser *p, const char *kw)
{
	size_t k;
	int c;

	/* The first byte rules out nearly every call before strlen/memcmp. */
	if (p->i >= p->n || p->s[p->i] != kw[0])
		return false;
	k = strlen(kw);
	if (p->i + k > p->n || memcmp(p->s + p->i, kw, k) != 0)
		return false;
	c = ch(p, k);
	return c == -1 || is_meta(c);
}

/* --- words --------------------------------------------------------------- */

static int
parse_squote(struct parser *p, struct wb *w)
{
	size_t start = p->i + 1;
	const char *q = start <= p->n ? memchr(p->s + start, '\'', p->n - start) : NULL;

	if (q == NULL)
		return failn(p, "unterminated single quote");
	if (lit_putn(p, p->s + start, (size_t)(q - (p->s + start))) < 0)
		return -1;
	p->i = (size_t)(q - p->s) + 1;
	w->flags |= SH_W_QUOTED;
	return 0;
}

static int
put_utf8(struct parser *p, uint32_t cp)
{
	char b[4];
	size_t n;

	if (cp > 0x10FFFF)
		cp = 0xFFFD;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return lit_putn(p, b, n);
}

/* $'...': decode the ANSI-C escapes. */
static int
parse_ansi(struct parser *p, struct wb *w)
{
	p->i += 2;
	for (;;) {
		int c = ch(p, 0), d;

		if (c == -1)
			return failn(p, "unterminated $'...'");
		if (c == '\'') {
			p->i++;
			break;
		}
		if (c != '\\') {
			if (lit_put(p, (char)c) < 0)
				return -1;
			p->i++;
			continue;
		}
		d = ch(p, 1);
		if (d == -1) {
			p->i++;
			return failn(p, "unterminated $'...'");
		}
		p->i += 2;
		switch (d) {
		case 'a': c = 7; break;
		case 'b': c = 8; break;
		case 'e': case 'E': c = 27; break;
		case 'f': c = 12; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'v': c = 11; break;
		case 'c':
			c = ch(p, 0);
			if (c == -1)
				return failn(p, "unterminated $'...'");
			p->i++;
			c &= 0x1F;
			w->flags |= SH_W_ANSI;
			break;
		case 'x': case 'u': case 'U': {
			int max = d == 'x' ? 2 : d == 'u' ? 4 : 8, k = 0, h;
			uint32_t v = 0;

			while (k < max && (h = hex_digit(ch(p, 0))) >= 0) {
				v = v * 16 + (uint32_t)h;
				p->i++;
				k++;
			}
			w->flags |= SH_W_ANSI;
			if (k == 0) {
				if (lit_put(p, '\\') < 0 || lit_put(p, (char)d) < 0)
					return -1;
				continue;
			}
			if (v < 128 && isalnum((int)v))
				w->flags |= SH_W_ANSI_PLAIN; /* a letter needs no escape: it hides a word */
			if (d == 'x') {
				c = (int)v;
				break;
			}
			if (put_utf8(p, v) < 0)
				return -1;
			continue;
		}
		default:
			if (d >= '0' && d <= '7') {
				int v = d - '0', k = 1;

				while (k < 3 && ch(p, 0) >= '0' && ch(p, 0) <= '7') {
					v = v * 8 + (ch(p, 0) - '0');
					p->i++;
					k++;
				}
				c = v & 0xFF;
				w->flags |= SH_W_ANSI;
				if (c < 128 && isalnum(c))
					w->flags |= SH_W_ANSI_PLAIN;
				break;
			}
			c = d; /* \\ \' \" \? and unknown escapes keep the char */
			if (d != '\\' && d != '\'' && d != '"' && d != '?')
				if (lit_put(p, '\\') < 0)
					return -1;
			break;
		}
		if (lit_put(p, (char)c) < 0)
			return -1;
	}
	w->flags |= SH_W_QUOTED;
	return 0;
}

static int
parse_dquote(struct parser *p, struct wb *w)
{
	size_t open = p->i;

	p->i++;
	for (;;) {
		int c = ch(p, 0);

		if (c == -1) {
			p->i = open;
			return failn(p, "unterminated double quote");
		}
		if (c == '"') {
			p->i++;
			break;
		}
		if (c == '\\') {
			int d = ch(p, 1);

			if (d == '\n') {
				p->i += 2;
				continue;
			}
			if (d == '$' || d == '`' || d == '"' || d == '\\') {
				if (lit_put(p, (char)d) < 0)
					return -1;
				p->i += 2;
				continue;
			}
			if (lit_put(p, '\\') < 0)
				return -1;
			p->i++;
			continue;
		}
		if (c == '$') {
			if (parse_dollar(p, w, true) < 0)
				return -1;
			continue;
		}
		if (c == '`') {
			if (parse_backtick(p, w, true) < 0)
				return -1;
			continue;
		}
		if (lit_put(p, (char)c) < 0)
			return -1;
		p->i++;
	}
	w->flags |= SH_W_QUOTED;
	return 0;
}

/* Index of the first ')' of the '))' closing "$((" or "((" whose inner text
 * starts at from, or SIZE_MAX when it is not arithmetic. */
static size_t
arith_end(const struct parser *p, size_t from)
{
	int depth = 0;

	for (size_t k = from; k < p->n; k++) {
		char c = p->s[k];

		if (c == '(')
			depth++;
		else if (c == ')') {
			if (depth == 0)
				return k + 1 < p->n && p->s[k + 1] == ')' ? k : SIZE_MAX;
			depth--;
		} else if (c == '\n' && depth == 0) {
			/* arithmetic rarely spans lines; a subshell often does */
		}
	}
	return SIZE_MAX;
}

/* Index of the '}' closing "${" whose inner text starts at from. */
static size_t
param_end(const struct parser *p, size_t from)
{
	int depth = 1, paren = 0;

	for (size_t k = from; k < p->n; k++) {
		char c = p->s[k];

		if (c == '\\') {
			k++;
		} else if (c == '\'' && paren == 0) {
			const char *q = memchr(p->s + k + 1, '\'', p->n - k - 1);

			if (q == NULL)
				return SIZE_MAX;
			k = (size_t)(q - p->s);
		} else if (c == '$' && k + 1 < p->n && p->s[k + 1] == '{') {
			depth++;
			k++;
		} else if (c == '$' && k + 1 < p->n && p->s[k + 1] == '(') {
			paren++;
			k++;
		} else if (c == '(' && paren > 0) {
			paren++;
		} else if (c == ')' && paren > 0) {
			paren--;
		} else if (c == '}' && paren == 0) {
			if (--depth == 0)
				return k;
		}
	}
	return SIZE_MAX;
}

static int
parse_dollar(struct parser *p, struct wb *w, bool quoted)
{
	int c1 = ch(p, 1);
	struct sh_seg seg = { .quoted = quoted };
	size_t start = p->i;
	int rc = 0;

	if (++p->nest > SH_MAX_NEST) {
		p->nest--;
		return failn(p, "nested too deeply");
	}
	if (c1 == '(') {
		size_t end = ch(p, 2) == '(' ? arith_end(p, p->i + 3) : SIZE_MAX;

		if (lit_flush(p, w) < 0)
			goto out_err;
		if (end != SIZE_MAX) {
			struct sh_word *inner = arena_zalloc(p->a, sizeof *inner);

			if (inner == NULL) {
				oom(p);
				goto out_err;
			}
			if (parse_embedded(p, p->i + 3, end, EMB_ARITH, inner) < 0)
				goto out_err;
			seg.kind = SH_SEG_ARITH;
			seg.s = p->s + p->i + 3;
			seg.n = end - (p->i + 3);
			seg.inner = inner;
			p->i = end + 2;
			w->flags |= SH_W_ARITH;
		} else {
			p->i += 2;
			seg.kind = SH_SEG_SUBST;
			seg.sub = parse_list(p, ST_RPAREN);
			if (seg.sub == NULL)
				goto out_err;
			if (ch(p, 0) != ')') {
				p->i = start;
				failn(p, "unterminated $(");
				goto out_err;
			}
			p->i++;
			seg.s = p->s + start;
			seg.n = p->i - start;
			w->flags |= SH_W_SUBST;
		}
		rc = seg_push(p, w, &seg);
	} else if (c1 == '{') {
		size_t end = param_end(p, p->i + 2), k;

		if (end == SIZE_MAX) {
			failn(p, "unterminated ${");
			goto out_err;
		}
		if (lit_flush(p, w) < 0)
			goto out_err;
		k = p->i + 2;
		if (k < end && (p->s[k] == '#' || p->s[k] == '!') && k + 1 < end)
			k++;
		seg.s = p->s + k;
		if (k < end && is_name_start((unsigned char)p->s[k])) {
			while (k < end && is_name_char((unsigned char)p->s[k]))
				k++;
		} else if (k < end) {
			k++; /* ${1} ${@} ${#} ... */
			while (k < end && p->s[k] >= '0' && p->s[k] <= '9' && seg.s[0] >= '0' && seg.s[0] <= '9')
				k++;
		}
		seg.n = (size_t)(p->s + k - seg.s);
		seg.kind = SH_SEG_VAR;
		if (k < end || seg.s != p->s + p->i + 2) {
			struct sh_word *inner = arena_zalloc(p->a, sizeof *inner);

			if (inner == NULL) {
				oom(p);
				goto out_err;
			}
			if (parse_embedded(p, k, end, EMB_PARAM, inner) < 0)
				goto out_err;
			seg.complex = 1;
			seg.inner = inner;
			w->flags |= SH_W_COMPLEX;
		}
		p->i = end + 1;
		w->flags |= SH_W_VAR;
		rc = seg_push(p, w, &seg);
	} else if (c1 == '\'' && !quoted) {
		rc = parse_ansi(p, w);
	} else if (c1 == '"' && !quoted) {
		p->i++;
		rc = parse_dquote(p, w);
	} else if (c1 != -1 && is_name_start(c1)) {
		size_t k = p->i + 1;

		if (lit_flush(p, w) < 0)
			goto out_err;
		while (k < p->n && is_name_char((unsigned char)p->s[k]))
			k++;
		seg.kind = SH_SEG_VAR;
		seg.s = p->s + p->i + 1;
		seg.n = k - (p->i + 1);
		p->i = k;
		w->flags |= SH_W_VAR;
		rc = seg_push(p, w, &seg);
	} else if (c1 != -1 && ((c1 >= '0' && c1 <= '9') || strchr("@*#?$!-", c1) != NULL)) {
		if (lit_flush(p, w) < 0)
			goto out_err;
		seg.kind = SH_SEG_VAR;
		seg.s = p->s + p->i + 1;
		seg.n = 1;
		p->i += 2;
		w->flags |= SH_W_VAR;
		rc = seg_push(p, w, &seg);
	} else {
		rc = lit_put(p, '$');
		p->i++;
	}
	p->nest--;
	return rc;
out_err:
	p->nest--;
	return -1;
}

/* Parse text[0..n) (not part of p->s) as a nested script list. */
static struct sh_list *
parse_detached(struct parser *p, const char *text, size_t n, size_t report_at)
{
	struct parser q = { .a = p->a, .keep = p->keep, .s = text, .n = n, .nest = p->nest + 1 };
	struct sh_list *l = NULL;

	if (q.nest > SH_MAX_NEST) {
		fail(p, "nested too deeply");
		return NULL;
	}
	l = parse_list(&q, 0);
	if (l != NULL && q.err == NULL && q.i < q.n) {
		l = NULL;
		fail(&q, "unexpected text");
	}
	if (q.err != NULL) {
		if (q.oom)
			p->oom = true;
		if (p->err == NULL) {
			p->err = q.err;
			p->err_at = report_at;
		}
		l = NULL;
	}
	free(q.buf);
	return l;
}

static int
parse_backtick(struct parser *p, struct wb *w, bool quoted)
{
	size_t start = p->i;
	struct sh_seg seg = { .kind = SH_SEG_SUBST, .quoted = quoted, .backtick = 1 };
	size_t base;
	char *text;

	if (lit_flush(p, w) < 0)
		return -1;
	base = p->blen;
	p->i++;
	for (;;) {
		int c = ch(p, 0), d = ch(p, 1);

		if (c == -1) {
			p->blen = base;
			p->i = start;
			return failn(p, "unterminated backquote");
		}
		if (c == '`') {
			p->i++;
			break;
		}
		if (c == '\\' && (d == '`' || d == '\\' || d == '$' || (quoted && d == '"'))) {
			if (lit_put(p, (char)d) < 0)
				return -1;
			p->i += 2;
			continue;
		}
		if (lit_put(p, (char)c) < 0)
			return -1;
		p->i++;
	}
	text = arena_strndup(p->keep, p->buf != NULL ? p->buf + base : "", p->blen - base);
	if (text == NULL)
		return oom(p);
	seg.sub = parse_detached(p, text, p->blen - base, start);
	p->blen = base;
	if (seg.sub == NULL)
		return -1;
	seg.s = p->s + start;
	seg.n = p->i - start;
	w->flags |= SH_W_SUBST;
	return seg_push(p, w, &seg);
}

/* Parse p->s[start..end) as text with expansions (here-doc body, ${...}
 * operator part, arithmetic).  p->i is left unchanged. */
static int
parse_embedded(struct parser *p, size_t start, size_t end, enum emb_mode mode, struct sh_word *out)
{
	size_t save_i = p->i, save_n = p->n;
	struct wb w = { .base = p->blen };
	int rc = 0;

	p->i = start;
	p->n = end;
	while (rc == 0 && p->i < p->n) {
		int c = ch(p, 0), d = ch(p, 1);

		if (c == '\\') {
			if (d == '\n') {
				p->i += 2;
			} else if (d != -1 && (d == '$' || d == '`' || d == '\\' || (mode == EMB_PARAM && d == '"'))) {
				rc = lit_put(p, (char)d);
				p->i += 2;
			} else {
				rc = lit_put(p, '\\');
				p->i++;
			}
		} else if (c == '$') {
			rc = parse_dollar(p, &w, true);
		} else if (c == '`') {
			rc = parse_backtick(p, &w, true);
		} else if (mode == EMB_PARAM && c == '\'') {
			rc = parse_squote(p, &w);
		} else if (mode == EMB_PARAM && c == '"') {
			rc = parse_dquote(p, &w);
		} else {
			rc = lit_put(p, (char)c);
			p->i++;
		}
	}
	if (rc == 0)
		rc = lit_flush(p, &w);
	p->blen = w.base;
	p->n = save_n;
	if (rc < 0) {
		if (p->err_at > p->n)
			p->err_at = start;
		p->i = save_i;
		return -1;
	}
	p->i = save_i;
	wb_finish(&w, out, p->s + start, end - start);
	return 0;
}

/* A process substitution <(...) or >(...) at p->i. */
static int
parse_procsubst(struct parser *p, struct wb *w)
{
	struct sh_seg seg = { .kind = ch(p, 0) == '<' ? SH_SEG_PROC_IN : SH_SEG_PROC_OUT };
	size_t start = p->i;

	if (lit_flush(p, w) < 0)
		return -1;
	if (++p->nest > SH_MAX_NEST) {
		p->nest--;
		return failn(p, "nested too deeply");
	}
	p->i += 2;
	seg.sub = parse_list(p, ST_RPAREN);
	p->nest--;
	if (seg.sub == NULL)
		return -1;
	if (ch(p, 0) != ')') {
		p->i = start;
		return failn(p, "unterminated process substitution");
	}
	p->i++;
	seg.s = p->s + start;
	seg.n = p->i - start;
	w->flags |= SH_W_SUBST;
	return seg_push(p, w, &seg);
}

/* Does the word so far (raw text from start) read "NAME=" or "NAME+="? */
static bool
assign_prefix(const struct parser *p, size_t start)
{
	size_t k = start;

	if (k >= p->i || !is_name_start((unsigned char)p->s[k]))
		return false;
	while (k < p->i && is_name_char((unsigned char)p->s[k]))
		k++;
	if (k < p->i && p->s[k] == '+')
		k++;
	return k + 1 == p->i && p->s[k] == '=';
}

/* Does the word so far start with "NAME=" (so ~ after ':' expands)? */
static bool
in_assignment(const struct parser *p, size_t start)
{
	size_t k = start;

	if (k >= p->i || !is_name_start((unsigned char)p->s[k]))
		return false;
	while (k < p->i && is_name_char((unsigned char)p->s[k]))
		k++;
	return k < p->i && p->s[k] == '=';
}

/* NAME=( elements ): read the elements into w. */
static int
parse_array(struct parser *p, struct wb *w)
{
	bool first = true;

	if (lit_put(p, '(') < 0)
		return -1;
	p->i++;
	for (;;) {
		struct sh_word e;

		if (skip_space_nl(p) < 0)
			return -1;
		if (ch(p, 0) == ')') {
			p->i++;
			break;
		}
		if (ch(p, 0) == -1 || is_meta(ch(p, 0)))
			return failn(p, "unterminated array");
		if (lit_flush(p, w) < 0 || read_word(p, &e) < 0)
			return -1;
		if (!first && lit_put(p, ' ') < 0)
			return -1;
		if (lit_flush(p, w) < 0)
			return -1;
		for (size_t k = 0; k < e.nsegs; k++)
			if (seg_push(p, w, &e.segs[k]) < 0)
				return -1;
		w->flags |= e.flags;
		first = false;
	}
	return lit_put(p, ')');
}

/* Read one word at p->i into out; the caller has checked it is not at a
 * metacharacter (except "<(" and ">("). */
static int
read_word(struct parser *p, struct sh_word *out)
{
	struct wb w = { .base = p->blen };
	size_t start = p->i;
	bool lbrace = false;

	for (;;) {
		int c = ch(p, 0), rc = 0;

		if (c == -1)
			break;
		if (word_plain(c)) {
			/* a run of bytes the switch below copies one by one, in one copy */
			size_t e = p->i + 1;

			while (e < p->n && word_plain((unsigned char)p->s[e]))
				e++;
			if (lit_putn(p, p->s + p->i, e - p->i) < 0) {
				p->blen = w.base;
				return -1;
			}
			p->i = e;
			continue;
		}
		if ((c == '<' || c == '>') && ch(p, 1) == '(' && p->i == start) {
			rc = parse_procsubst(p, &w);
		} else if (c == '(' && p->i > start && assign_prefix(p, start)) {
			rc = parse_array(p, &w);
		} else if (c == '(' && p->i > start && strchr("?*+@!", p->s[p->i - 1]) != NULL) {
			/* extglob ?(a|b) */
			int depth = 0;

			do {
				int d = ch(p, 0);

				if (d == -1) {
					p->blen = w.base;
					return failn(p, "unterminated pattern");
				}
				depth += d == '(' ? 1 : d == ')' ? -1 : 0;
				rc = lit_put(p, (char)d);
				p->i++;
			} while (rc == 0 && depth > 0);
			w.flags |= SH_W_GLOB;
		} else if (is_meta(c)) {
			break;
		} else {
			switch (c) {
			case '\\':
				if (ch(p, 1) == '\n') {
					p->i += 2;
				} else if (ch(p, 1) == -1) {
					rc = lit_put(p, '\\');
					p->i++;
				} else {
					rc = lit_put(p, (char)ch(p, 1));
					p->i += 2;
					w.flags |= SH_W_ESCAPED;
				}
				break;
			case '\'':
				rc = parse_squote(p, &w);
				break;
			case '"':
				rc = parse_dquote(p, &w);
				break;
			case '$':
				rc = parse_dollar(p, &w, false);
				break;
			case '`':
				rc = parse_backtick(p, &w, false);
				break;
			case '~':
				if (p->i == start || assign_prefix(p, start) ||
				    (p->s[p->i - 1] == ':' && in_assignment(p, start))) {
					size_t k = p->i + 1;
					struct sh_seg seg = { .kind = SH_SEG_TILDE };

					while (k < p->n && (is_name_char((unsigned char)p->s[k]) ||
					                       p->s[k] == '-' || p->s[k] == '.'))
						k++;
					if (k < p->n && !is_meta((unsigned char)p->s[k]) && p->s[k] != '/' && p->s[k] != ':') {
						rc = lit_put(p, '~');
						p->i++;
						break;
					}
					if ((rc = lit_flush(p, &w)) < 0)
						break;
					seg.s = p->s + p->i + 1;
					seg.n = k - p->i - 1;
					p->i = k;
					rc = seg_push(p, &w, &seg);
				} else {
					rc = lit_put(p, '~');
					p->i++;
				}
				break;
			case '*': case '?': case '[':
				w.flags |= SH_W_GLOB;
				rc = lit_put(p, (char)c);
				p->i++;
				break;
			case '{':
				lbrace = true;
				rc = lit_put(p, '{');
				p->i++;
				break;
			case '}':
				if (lbrace)
					w.flags |= SH_W_BRACE;
				rc = lit_put(p, '}');
				p->i++;
				break;
			default:
				rc = lit_put(p, (char)c);
				p->i++;
				break;
			}
		}
		if (rc < 0) {
			p->blen = w.base;
			return -1;
		}
	}
	if (lit_flush(p, &w) < 0)
		return -1;
	if (p->i == start)
		return failn(p, "expected a word");
	wb_finish(&w, out, p->s + start, p->i - start);
	return 0;
}

/* --- redirections -------------------------------------------------------- */

static int
push_redir(struct parser *p, struct sh_node *node, struct sh_redir *r, size_t *cap)
{
	struct sh_redir **nr = arena_grow(p->a, node->redirs, node->nredirs, cap, sizeof *nr);

	if (nr == NULL)
		return oom(p);
	node->redirs = nr;
	node->redirs[node->nredirs++] = r;
	return 0;
}

static bool
word_is_literal(const struct sh_word *w)
{
	for (size_t k = 0; k < w->nsegs; k++)
		if (w->segs[k].kind != SH_SEG_LIT)
			return false;
	return true;
}

static bool
word_is_digits(const struct sh_word *w)
{
	if (w->nsegs != 1 || w->segs[0].kind != SH_SEG_LIT || w->segs[0].n == 0)
		return false;
	for (size_t k = 0; k < w->segs[0].n; k++)
		if (w->segs[0].s[k] < '0' || w->segs[0].s[k] > '9')
			return false;
	return true;
}

/* A redirection at p->i: 1 if one was read, 0 if there is none, -1 on error. */
static int
try_redir(struct parser *p, struct sh_node *node, size_t *cap)
{
	size_t j = p->i, len;
	int fd = -1, c, c1, c2;
	enum sh_redir_op op;
	struct sh_redir *r;

	if (j < p->n && p->s[j] >= '0' && p->s[j] <= '9') {
		size_t k = j;
		long v = 0;

		while (k < p->n && p->s[k] >= '0' && p->s[k] <= '9') {
			if (v < 100000)
				v = v * 10 + (p->s[k] - '0');
			k++;
		}
		if (k >= p->n || (p->s[k] != '<' && p->s[k] != '>'))
			return 0;
		fd = (int)v;
		j = k;
	} else if (j < p->n && p->s[j] == '{') {
		size_t k = j + 1;

		while (k < p->n && is_name_char((unsigned char)p->s[k]))
			k++;
		if (k == j + 1 || k + 1 >= p->n || p->s[k] != '}' || (p->s[k + 1] != '<' && p->s[k + 1] != '>'))
			return 0;
		fd = -2;
		j = k + 1;
	}
	c = j < p->n ? (unsigned char)p->s[j] : -1;
	c1 = j + 1 < p->n ? (unsigned char)p->s[j + 1] : -1;
	c2 = j + 2 < p->n ? (unsigned char)p->s[j + 2] : -1;
	if (c == '<') {
		if (c1 == '<')
			op = c2 == '<' ? SH_R_HERESTRING : SH_R_HEREDOC, len = c2 == '<' || c2 == '-' ? 3 : 2;
		else if (c1 == '&')
			op = SH_R_DUP_IN, len = 2;
		else if (c1 == '>')
			op = SH_R_INOUT, len = 2;
		else if (c1 == '(' && fd == -1)
			return 0;
		else
			op = SH_R_IN, len = 1;
	} else if (c == '>') {
		if (c1 == '>')
			op = SH_R_APPEND, len = 2;
		else if (c1 == '&')
			op = SH_R_DUP_OUT, len = 2;
		else if (c1 == '|')
			op = SH_R_CLOBBER, len = 2;
		else if (c1 == '(' && fd == -1)
			return 0;
		else
			op = SH_R_OUT, len = 1;
	} else if (c == '&' && fd == -1 && c1 == '>') {
		op = c2 == '>' ? SH_R_APPEND_ALL : SH_R_OUT_ALL;
		len = c2 == '>' ? 3 : 2;
	} else {
		return 0;
	}
	r = arena_zalloc(p->a, sizeof *r);
	if (r == NULL)
		return oom(p);
	r->op = op;
	r->fd = fd;
	r->heredoc_strip = op == SH_R_HEREDOC && len == 3;
	p->i = j + len;
	skip_blanks(p);
	c = ch(p, 0);
	if (c == -1 || (is_meta(c) && !((c == '<' || c == '>') && ch(p, 1) == '(')))
		return failn(p, "missing redirection target");
	if (read_word(p, &r->target) < 0)
		return -1;
	if (op == SH_R_DUP_OUT && !word_is_digits(&r->target) &&
	    !(r->target.rawlen == 1 && r->target.raw[0] == '-') && fd == -1)
		r->op = SH_R_OUT_ALL;
	if (op == SH_R_HEREDOC) {
		struct sh_redir **nh;
		size_t dl = 0;
		char *d;

		/* The delimiter is the word with quotes removed; any quoting
		 * turns expansion in the body off. */
		for (size_t k = 0; k < r->target.nsegs; k++)
			dl += r->target.segs[k].kind == SH_SEG_LIT ? r->target.segs[k].n : r->target.segs[k].n + 1;
		d = arena_alloc(p->a, dl + 1);
		if (d == NULL)
			return oom(p);
		dl = 0;
		for (size_t k = 0; k < r->target.nsegs; k++) {
			const struct sh_seg *sg = &r->target.segs[k];

			if (sg->kind != SH_SEG_LIT)
				d[dl++] = '$';
			memcpy(d + dl, sg->s, sg->n);
			dl += sg->n;
		}
		d[dl] = '\0';
		r->delim = d;
		r->delimlen = dl;
		r->heredoc_quoted = (r->target.flags & (SH_W_QUOTED | SH_W_ESCAPED)) != 0 ||
		                    !word_is_literal(&r->target);
		nh = arena_grow(p->a, p->hd, p->nhd, &p->hdcap, sizeof *nh);
		if (nh == NULL)
			return oom(p);
		p->hd = nh;
		p->hd[p->nhd++] = r;
	}
	return push_redir(p, node, r, cap) < 0 ? -1 : 1;
}

/* --- commands ------------------------------------------------------------ */

static struct sh_node *
new_node(struct parser *p, enum sh_node_kind kind, size_t start)
{
	struct sh_node *n = arena_zalloc(p->a, sizeof *n);

	if (n == NULL) {
		oom(p);
		return NULL;
	}
	n->kind = kind;
	n->src = p->s + start;
	return n;
}

static int
push_word(struct parser *p, struct sh_word **arr, size_t *n, size_t *cap, const struct sh_word *w)
{
	struct sh_word *nw = arena_grow(p->a, *arr, *n, cap, sizeof *nw);

	if (nw == NULL)
		return oom(p);
	*arr = nw;
	(*arr)[(*n)++] = *w;
	return 0;
}

static int
push_list(struct parser *p, struct sh_node *node, struct sh_list *l, size_t *cap)
{
	struct sh_list **nl = arena_grow(p->a, node->lists, node->nlists, cap, sizeof *nl);

	if (nl == NULL)
		return oom(p);
	node->lists = nl;
	node->lists[node->nlists++] = l;
	return 0;
}

static bool
is_assignment(const struct sh_word *w)
{
	size_t k = 0;

	if (w->rawlen == 0 || !is_name_start((unsigned char)w->raw[0]))
		return false;
	while (k < w->rawlen && is_name_char((unsigned char)w->raw[k]))
		k++;
	if (k < w->rawlen && w->raw[k] == '[') {
		const char *e = memchr(w->raw + k, ']', w->rawlen - k);

		if (e == NULL)
			return false;
		k = (size_t)(e - w->raw) + 1;
	}
	if (k < w->rawlen && w->raw[k] == '+')
		k++;
	return k < w->rawlen && w->raw[k] == '=';
}

static int
expect_word(struct parser *p, const char *kw)
{
	if (skip_space_nl(p) < 0)
		return -1;
	if (!at_word(p, kw)) {
		if (strcmp(kw, "then") == 0)
			return failn(p, "expected 'then'");
		if (strcmp(kw, "fi") == 0)
			return failn(p, "expected 'fi'");
		if (strcmp(kw, "do") == 0)
			return failn(p, "expected 'do'");
		if (strcmp(kw, "done") == 0)
			return failn(p, "expected 'done'");
		if (strcmp(kw, "}") == 0)
			return failn(p, "expected '}'");
		if (strcmp(kw, "in") == 0)
			return failn(p, "expected 'in'");
		return failn(p, "expected a keyword");
	}
	p->i += strlen(kw);
	return 0;
}

/* Trailing redirections of a compound command. */
static int
compound_redirs(struct parser *p, struct sh_node *node)
{
	size_t cap = 0;

	for (;;) {
		int r;

		skip_blanks(p);
		r = try_redir(p, node, &cap);
		if (r <= 0)
			return r;
	}
}

static struct sh_node *
parse_function_body(struct parser *p, struct sh_node *node, const struct sh_word *name)
{
	size_t wcap = 0, lcap = 0;
	struct sh_list *l;
	struct sh_item *it;
	struct sh_pipeline *pl;
	struct sh_node *body;

	if (skip_space_nl(p) < 0)
		return NULL;
	body = parse_command(p);
	if (body == NULL)
		return NULL;
	l = arena_zalloc(p->a, sizeof *l);
	it = arena_zalloc(p->a, sizeof *it);
	pl = arena_zalloc(p->a, sizeof *pl);
	if (l == NULL || it == NULL || pl == NULL || (pl->cmds = arena_alloc(p->a, sizeof *pl->cmds)) == NULL) {
		oom(p);
		return NULL;
	}
	pl->cmds[0] = body;
	pl->ncmds = 1;
	it->pl = pl;
	l->items = it;
	l->nitems = 1;
	node->kind = SH_FUNC;
	if (push_word(p, &node->words, &node->nwords, &wcap, name) < 0 || push_list(p, node, l, &lcap) < 0)
		return NULL;
	return node;
}

static struct sh_node *
parse_simple(struct parser *p, size_t start)
{
	struct sh_node *node = new_node(p, SH_SIMPLE, start);
	size_t acap = 0, wcap = 0, rcap = 0;

	if (node == NULL)
		return NULL;
	for (;;) {
		struct sh_word w;
		int c, r;

		skip_blanks(p);
		c = ch(p, 0);
		if (c == '#' && (p->i == 0 || is_meta((unsigned char)p->s[p->i - 1]))) {
			skip_comment(p);
			c = ch(p, 0);
		}
		if (c == -1 || c == '\n' || c == ';' || c == '|' || c == ')')
			break;
		if (c == '&' && ch(p, 1) != '>')
			break;
		r = try_redir(p, node, &rcap);
		if (r < 0)
			return NULL;
		if (r > 0)
			continue;
		if (c == '(') {
			if (node->nwords == 1 && node->nassigns == 0 && node->nredirs == 0 &&
			    (node->words[0].flags & (SH_W_QUOTED | SH_W_VAR | SH_W_SUBST)) == 0) {
				struct sh_word name = node->words[0];

				p->i++;
				skip_blanks(p);
				if (ch(p, 0) != ')')
					return fail(p, "expected ')' in function definition");
				p->i++;
				node->words = NULL;
				node->nwords = 0;
				if (parse_function_body(p, node, &name) == NULL)
					return NULL;
				break;
			}
			return fail(p, "unexpected '('");
		}
		if ((c == '<' || c == '>') && ch(p, 1) != '(')
			return fail(p, "unexpected redirection");
		if (read_word(p, &w) < 0)
			return NULL;
		if (node->nwords == 0 && is_assignment(&w)) {
			if (push_word(p, &node->assigns, &node->nassigns, &acap, &w) < 0)
				return NULL;
		} else if (push_word(p, &node->words, &node->nwords, &wcap, &w) < 0) {
			return NULL;
		}
	}
	if (node->kind == SH_SIMPLE && node->nwords == 0 && node->nassigns == 0 && node->nredirs == 0)
		return fail(p, "expected a command");
	return node;
}

static struct sh_node *
parse_if(struct parser *p, struct sh_node *node)
{
	size_t cap = 0;
	struct sh_list *l;

	p->i += 2;
	for (;;) {
		if ((l = parse_list(p, ST_THEN)) == NULL || push_list(p, node, l, &cap) < 0 ||
		    expect_word(p, "then") < 0)
			return NULL;
		if ((l = parse_list(p, ST_ELIF | ST_ELSE | ST_FI)) == NULL || push_list(p, node, l, &cap) < 0)
			return NULL;
		if (at_word(p, "elif")) {
			p->i += 4;
			continue;
		}
		if (at_word(p, "else")) {
			p->i += 4;
			if ((l = parse_list(p, ST_FI)) == NULL || push_list(p, node, l, &cap) < 0)
				return NULL;
		}
		break;
	}
	if (expect_word(p, "fi") < 0)
		return NULL;
	return node;
}

static struct sh_node *
parse_loop(struct parser *p, struct sh_node *node, size_t kwlen)
{
	size_t cap = 0;
	struct sh_list *l;

	p->i += kwlen;
	if ((l = parse_list(p, ST_DO)) == NULL || push_list(p, node, l, &cap) < 0 || expect_word(p, "do") < 0)
		return NULL;
	if ((l = parse_list(p, ST_DONE)) == NULL || push_list(p, node, l, &cap) < 0 ||
	    expect_word(p, "done") < 0)
		return NULL;
	return node;
}

/* The body of for/select: do ... done, or { ... }. */
static struct sh_node *
parse_do_body(struct parser *p, struct sh_node *node)
{
	size_t cap = 0;
	struct sh_list *l;

	if (skip_space_nl(p) < 0)
		return NULL;
	if (at_word(p, "{")) {
		p->i++;
		if ((l = parse_list(p, ST_RBRACE)) == NULL || push_list(p, node, l, &cap) < 0 ||
		    expect_word(p, "}") < 0)
			return NULL;
		return node;
	}
	if (expect_word(p, "do") < 0)
		return NULL;
	if ((l = parse_list(p, ST_DONE)) == NULL || push_list(p, node, l, &cap) < 0 ||
	    expect_word(p, "done") < 0)
		return NULL;
	return node;
}

static struct sh_node *
parse_for(struct parser *p, struct sh_node *node, size_t kwlen)
{
	size_t wcap = 0;
	struct sh_word w;

	p->i += kwlen;
	skip_blanks(p);
	if (ch(p, 0) == '(' && ch(p, 1) == '(') {
		size_t end = arith_end(p, p->i + 2);

		if (end == SIZE_MAX)
			return fail(p, "unterminated for ((");
		if (parse_embedded(p, p->i + 2, end, EMB_ARITH, &w) < 0 ||
		    push_word(p, &node->words, &node->nwords, &wcap, &w) < 0)
			return NULL;
		p->i = end + 2;
		skip_blanks(p);
		if (ch(p, 0) == ';')
			p->i++;
		return parse_do_body(p, node);
	}
	if (ch(p, 0) == -1 || is_meta(ch(p, 0)))
		return fail(p, "expected a name after for");
	if (read_word(p, &w) < 0 || push_word(p, &node->words, &node->nwords, &wcap, &w) < 0)
		return NULL;
	skip_blanks(p);
	if (ch(p, 0) == ';')
		p->i++;
	if (skip_space_nl(p) < 0)
		return NULL;
	if (at_word(p, "in")) {
		p->i += 2;
		for (;;) {
			int c;

			skip_blanks(p);
			c = ch(p, 0);
			if (c == ';') {
				p->i++;
				break;
			}
			if (c == '\n') {
				if (consume_newline(p) < 0)
					return NULL;
				break;
			}
			if (c == -1 || is_meta(c))
				return fail(p, "expected 'do'");
			if (read_word(p, &w) < 0 || push_word(p, &node->words, &node->nwords, &wcap, &w) < 0)
				return NULL;
		}
	}
	return parse_do_body(p, node);
}

static struct sh_node *
parse_case(struct parser *p, struct sh_node *node)
{
	size_t wcap = 0, lcap = 0, pcap = 0, ncap = 0, npats = 0;
	struct sh_word w;

	p->i += 4;
	skip_blanks(p);
	if (ch(p, 0) == -1 || is_meta(ch(p, 0)))
		return fail(p, "expected a word after case");
	if (read_word(p, &w) < 0 || push_word(p, &node->words, &node->nwords, &wcap, &w) < 0)
		return NULL;
	if (expect_word(p, "in") < 0)
		return NULL;
	for (;;) {
		size_t count = 0;
		struct sh_list *l;
		size_t *np;

		if (skip_space_nl(p) < 0)
			return NULL;
		if (at_word(p, "esac")) {
			p->i += 4;
			break;
		}
		if (ch(p, 0) == -1)
			return fail(p, "unterminated case");
		if (ch(p, 0) == '(')
			p->i++;
		for (;;) {
			skip_blanks(p);
			if (ch(p, 0) == -1 || (is_meta(ch(p, 0)) && ch(p, 0) != '<' && ch(p, 0) != '>'))
				return fail(p, "bad case pattern");
			if (read_word(p, &w) < 0 || push_word(p, &node->pats, &npats, &pcap, &w) < 0)
				return NULL;
			count++;
			skip_blanks(p);
			if (ch(p, 0) == '|') {
				p->i++;
				continue;
			}
			if (ch(p, 0) == ')') {
				p->i++;
				break;
			}
			return fail(p, "bad case pattern");
		}
		np = arena_grow(p->a, node->npats, node->nlists, &ncap, sizeof *np);
		if (np == NULL) {
			oom(p);
			return NULL;
		}
		node->npats = np;
		node->npats[node->nlists] = count;
		if ((l = parse_list(p, ST_DSEMI | ST_ESAC)) == NULL || push_list(p, node, l, &lcap) < 0)
			return NULL;
		if (ch(p, 0) == ';' && ch(p, 1) == ';')
			p->i += ch(p, 2) == '&' ? 3 : 2;
		else if (ch(p, 0) == ';' && ch(p, 1) == '&')
			p->i += 2;
	}
	return node;
}

static struct sh_node *
parse_cond(struct parser *p, struct sh_node *node)
{
	size_t wcap = 0;

	p->i += 2;
	for (;;) {
		struct sh_word w;
		int c;

		if (skip_space_nl(p) < 0)
			return NULL;
		if (at_word(p, "]]")) {
			p->i += 2;
			return node;
		}
		c = ch(p, 0);
		if (c == -1)
			return fail(p, "unterminated [[");
		if (strchr("<>()!;", c) != NULL || ((c == '&' || c == '|') && ch(p, 1) == c) ||
		    c == '&' || c == '|') {
			struct sh_seg *seg = arena_zalloc(p->a, sizeof *seg);
			size_t len = (c == '&' || c == '|') && ch(p, 1) == c ? 2 : 1;

			if (seg == NULL) {
				oom(p);
				return NULL;
			}
			seg->kind = SH_SEG_LIT;
			seg->s = p->s + p->i;
			seg->n = len;
			w = (struct sh_word){ .raw = seg->s, .rawlen = len, .segs = seg, .nsegs = 1 };
			p->i += len;
		} else if (read_word(p, &w) < 0) {
			return NULL;
		}
		if (push_word(p, &node->words, &node->nwords, &wcap, &w) < 0)
			return NULL;
	}
}

static struct sh_node *
parse_command(struct parser *p)
{
	struct sh_node *node = NULL;
	size_t start, lcap = 0;
	bool compound = true;

	if (++p->nest > SH_MAX_NEST) {
		p->nest--;
		return fail(p, "nested too deeply");
	}
	skip_blanks(p);
	start = p->i;
	if (ch(p, 0) == '(') {
		size_t end = ch(p, 1) == '(' ? arith_end(p, p->i + 2) : SIZE_MAX;

		if (end != SIZE_MAX) {
			struct sh_word w;
			size_t wcap = 0;

			if ((node = new_node(p, SH_ARITH, start)) == NULL ||
			    parse_embedded(p, p->i + 2, end, EMB_ARITH, &w) < 0 ||
			    push_word(p, &node->words, &node->nwords, &wcap, &w) < 0)
				node = NULL;
			else
				p->i = end + 2;
		} else if ((node = new_node(p, SH_SUBSHELL, start)) != NULL) {
			struct sh_list *l;

			p->i++;
			l = parse_list(p, ST_RPAREN);
			if (l == NULL || push_list(p, node, l, &lcap) < 0)
				node = NULL;
			else if (ch(p, 0) != ')')
				node = fail(p, "expected ')'");
			else
				p->i++;
		}
	} else if (at_word(p, "{")) {
		if ((node = new_node(p, SH_GROUP, start)) != NULL) {
			struct sh_list *l;

			p->i++;
			l = parse_list(p, ST_RBRACE);
			if (l == NULL || push_list(p, node, l, &lcap) < 0 || expect_word(p, "}") < 0)
				node = NULL;
		}
	} else if (at_word(p, "if")) {
		if ((node = new_node(p, SH_IF, start)) != NULL)
			node = parse_if(p, node);
	} else if (at_word(p, "while") || at_word(p, "until")) {
		bool w = at_word(p, "while");

		if ((node = new_node(p, w ? SH_WHILE : SH_UNTIL, start)) != NULL)
			node = parse_loop(p, node, 5);
	} else if (at_word(p, "for") || at_word(p, "select")) {
		bool f = at_word(p, "for");

		if ((node = new_node(p, f ? SH_FOR : SH_SELECT, start)) != NULL)
			node = parse_for(p, node, f ? 3 : 6);
	} else if (at_word(p, "case")) {
		if ((node = new_node(p, SH_CASE, start)) != NULL)
			node = parse_case(p, node);
	} else if (at_word(p, "function")) {
		if ((node = new_node(p, SH_FUNC, start)) != NULL) {
			struct sh_word name;

			p->i += 8;
			skip_blanks(p);
			if (ch(p, 0) == -1 || is_meta(ch(p, 0)))
				node = fail(p, "expected a function name");
			else if (read_word(p, &name) < 0)
				node = NULL;
			else {
				skip_blanks(p);
				if (ch(p, 0) == '(') {
					p->i++;
					skip_blanks(p);
					if (ch(p, 0) != ')')
						node = fail(p, "expected ')' in function definition");
					else
						p->i++;
				}
				if (node != NULL)
					node = parse_function_body(p, node, &name);
			}
		}
	} else if (at_word(p, "[[")) {
		if ((node = new_node(p, SH_COND, start)) != NULL)
			node = parse_cond(p, node);
	} else {
		compound = false;
		node = parse_simple(p, start);
	}
	if (node != NULL && compound && node->kind != SH_FUNC && compound_redirs(p, node) < 0)
		node = NULL;
	if (node != NULL)
		node->srclen = p->i - start;
	p->nest--;
	return node;
}

/* --- pipelines and lists ------------------------------------------------- */

static struct sh_pipeline *
parse_pipeline(struct parser *p)
{
	struct sh_pipeline *pl = arena_zalloc(p->a, sizeof *pl);
	size_t cap = 0;

	if (pl == NULL) {
		oom(p);
		return NULL;
	}
	for (;;) {
		skip_blanks(p);
		if (at_word(p, "!")) {
			pl->negated = !pl->negated;
			p->i++;
			continue;
		}
		if (at_word(p, "time")) {
			pl->timed = true;
			p->i += 4;
			skip_blanks(p);
			if (at_word(p, "-p"))
				p->i += 2;
			continue;
		}
		break;
	}
	for (;;) {
		struct sh_node *node, **nc;

		node = parse_command(p);
		if (node == NULL)
			return NULL;
		nc = arena_grow(p->a, pl->cmds, pl->ncmds, &cap, sizeof *nc);
		if (nc == NULL) {
			oom(p);
			return NULL;
		}
		pl->cmds = nc;
		pl->cmds[pl->ncmds++] = node;
		skip_blanks(p);
		if (ch(p, 0) != '|' || ch(p, 1) == '|')
			break;
		p->i += ch(p, 1) == '&' ? 2 : 1;
		if (skip_space_nl(p) < 0)
			return NULL;
		if (ch(p, 0) == -1)
			return fail(p, "expected a command after '|'");
	}
	return pl;
}

/* Is there a reserved word at p->i that ends a list?  Returns its stop bit
 * or 0. */
static unsigned
stop_word(const struct parser *p)
{
	/* every stop word starts with one of these bytes: } t e f d */
	if (p->i >= p->n)
		return 0;
	switch (p->s[p->i]) {
	case '}': case 't': case 'e': case 'f': case 'd':
		break;
	default:
		return 0;
	}
	for (size_t k = 0; k < sizeof stop_words / sizeof stop_words[0]; k++)
		if (at_word(p, stop_words[k].kw))
			return stop_words[k].bit;
	return 0;
}

/* Parse one and-or list item and its connector into l.  *end is set when
 * the list ends here (no connector, or a stop token follows).  0 or -1. */
static int
parse_item(struct parser *p, struct sh_list *l, size_t *cap, unsigned stop, bool *end)
{
	struct sh_pipeline *pl;
	struct sh_item *ni;
	enum sh_conn conn = SH_CONN_SEQ;
	int c;

	*end = false;
	pl = parse_pipeline(p);
	if (pl == NULL)
		return -1;
	skip_blanks(p);
	c = ch(p, 0);
	if (c == '&' && ch(p, 1) == '&') {
		conn = SH_CONN_AND;
		p->i += 2;
	} else if (c == '|' && ch(p, 1) == '|') {
		conn = SH_CONN_OR;
		p->i += 2;
	} else if (c == '&') {
		conn = SH_CONN_BG;
		p->i++;
	} else if (c == ';' && ch(p, 1) != ';' && ch(p, 1) != '&') {
		p->i++;
	} else if (c == '\n') {
		if (consume_newline(p) < 0)
			return -1;
	} else {
		*end = true;
	}
	ni = arena_grow(p->a, l->items, l->nitems, cap, sizeof *ni);
	if (ni == NULL)
		return oom(p);
	l->items = ni;
	l->items[l->nitems].pl = pl;
	l->items[l->nitems].conn = conn;
	l->nitems++;
	if (conn == SH_CONN_AND || conn == SH_CONN_OR) {
		if (skip_space_nl(p) < 0)
			return -1;
		c = ch(p, 0);
		if (c == -1 || c == ')' || (c == ';' && ch(p, 1) == ';') || stop_word(p) != 0)
			return failn(p, "expected a command after && or ||");
		*end = false;
	}
	(void)stop;
	return 0;
}

static struct sh_list *
parse_list(struct parser *p, unsigned stop)
{
	struct sh_list *l = arena_zalloc(p->a, sizeof *l);
	size_t cap = 0;

	if (l == NULL) {
		oom(p);
		return NULL;
	}
	for (;;) {
		unsigned kw;
		bool end;
		int c;

		if (skip_space_nl(p) < 0)
			return NULL;
		c = ch(p, 0);
		if (c == -1)
			break;
		if (c == ')') {
			if (stop & ST_RPAREN)
				break;
			return fail(p, "unexpected ')'");
		}
		if (c == ';' && (ch(p, 1) == ';' || ch(p, 1) == '&')) {
			if (stop & ST_DSEMI)
				break;
			return fail(p, "unexpected ';;'");
		}
		if (c == ';' || c == '&' || c == '|')
			return fail(p, "unexpected operator");
		if ((kw = stop_word(p)) != 0) {
			if (stop & kw)
				break;
			return fail(p, "unexpected reserved word");
		}
		if (parse_item(p, l, &cap, stop, &end) < 0)
			return NULL;
		if (end) {
			/* Only a stop token, ')' or the end may follow. */
			skip_blanks(p);
			skip_comment(p);
			c = ch(p, 0);
			if (c != -1 && c != ')' && !(c == ';' && (ch(p, 1) == ';' || ch(p, 1) == '&')) &&
			    stop_word(p) == 0)
				return fail(p, "unexpected token");
		}
	}
	return l;
}

/* --- top level with recovery ---------------------------------------------- */

static int
add_bad(struct parser *p, struct sh_script *sc, size_t *cap, size_t off, size_t len, const char *why)
{
	struct sh_bad *nb = arena_grow(p->a, sc->bad, sc->nbad, cap, sizeof *nb);

	if (nb == NULL)
		return oom(p);
	sc->bad = nb;
	sc->bad[sc->nbad].off = off;
	sc->bad[sc->nbad].len = len;
	sc->bad[sc->nbad].why = why;
	sc->nbad++;
	return 0;
}

/* Parse the prefix src[start..end) of a line that failed; on success append
 * its items to l (what ran before the error still runs in a shell that
 * reads line by line). */
static void
salvage_prefix(struct parser *p, struct sh_list *l, size_t *cap, size_t start, size_t end)
{
	struct parser q = { .a = p->a, .keep = p->keep, .s = p->s, .n = end, .i = start };
	struct sh_list *pre;

	if (end <= start)
		return;
	pre = parse_list(&q, 0);
	if (pre != NULL && q.err == NULL && q.i >= end) {
		for (size_t k = 0; k < pre->nitems; k++) {
			struct sh_item *ni = arena_grow(p->a, l->items, l->nitems, cap, sizeof *ni);

			if (ni == NULL) {
				p->oom = true;
				break;
			}
			l->items = ni;
			l->items[l->nitems++] = pre->items[k];
		}
	}
	if (q.oom)
		p->oom = true;
	free(q.buf);
}

/* Deliver the items and bad spans so far to the callback, then roll the
 * tree back (streaming mode). */
static int
deliver(struct parser *p, struct sh_script *sc, size_t *icap, size_t *bcap, sh_batch_fn cb, void *arg,
    struct arena_mark m)
{
	int rc;

	if (sc->list->nitems == 0 && sc->nbad == 0)
		return 0;
	rc = cb(arg, sc);
	arena_release(p->a, m);
	p->hd = NULL;
	p->nhd = p->hdcap = 0;
	sc->list = arena_zalloc(p->a, sizeof *sc->list);
	sc->bad = NULL;
	sc->nbad = 0;
	*icap = *bcap = 0;
	if (sc->list == NULL)
		p->oom = true;
	return rc;
}

static struct sh_script *
parse_top(arena *tree, arena *keep, const char *src, size_t n, sh_batch_fn cb, void *arg, int *rc)
{
	struct arena_mark m0 = arena_mark(tree);
	struct sh_script *sc = arena_zalloc(keep, sizeof *sc);
	struct parser p = { .a = tree, .keep = keep, .s = src, .n = n };
	size_t icap = 0, bcap = 0;
	struct arena_mark m;

	*rc = 0;
	if (sc == NULL)
		return NULL;
	m = arena_mark(tree);
	if ((sc->list = arena_zalloc(tree, sizeof *sc->list)) == NULL)
		return NULL;
	sc->src = src;
	sc->srclen = n;
	if (n > SH_MAX_INPUT) {
		if (add_bad(&p, sc, &bcap, 0, n, "input too large to parse") < 0)
			return NULL;
		if (cb != NULL)
			*rc = deliver(&p, sc, &icap, &bcap, cb, arg, m);
		return sc;
	}
	for (;;) {
		size_t start, end;
		bool last;
		const char *nl;

		if (cb != NULL && p.nhd == 0 && (sc->list->nitems >= 256 || sc->nbad >= 16 || arena_used(tree) > (1u << 20))) {
			if ((*rc = deliver(&p, sc, &icap, &bcap, cb, arg, m)) != 0 || p.oom)
				break;
		}
		if (skip_space_nl(&p) < 0)
			goto recover_at;
		if (p.i >= p.n)
			break;
		start = p.i;
		if (ch(&p, 0) == ')' || ch(&p, 0) == ';' || ch(&p, 0) == '&' || ch(&p, 0) == '|') {
			fail(&p, ch(&p, 0) == ')' ? "unexpected ')'" : "unexpected operator");
			goto recover;
		}
		if (stop_word(&p) != 0) {
			fail(&p, "unexpected reserved word");
			goto recover;
		}
		if (parse_item(&p, sc->list, &icap, 0, &last) == 0) {
			if (!last)
				continue;
			skip_blanks(&p);
			skip_comment(&p);
			if (p.i >= p.n)
				break;
			if (ch(&p, 0) == '\n')
				continue;
			fail(&p, "unexpected token");
		}
	recover:
		if (p.oom)
			break;
		/* a dangling && or || before the error */
		if (sc->list->nitems > 0 && sc->list->items[sc->list->nitems - 1].conn != SH_CONN_BG)
			sc->list->items[sc->list->nitems - 1].conn = SH_CONN_SEQ;
		if (p.err_at > n)
			p.err_at = n;
		salvage_prefix(&p, sc->list, &icap, start, p.err_at > start ? p.err_at : start);
		end = p.err_at > p.i ? p.err_at : p.i;
		if (end < start)
			end = start;
		nl = end < p.n ? memchr(src + end, '\n', p.n - end) : NULL;
		end = nl != NULL ? (size_t)(nl - src) : p.n;
		if (add_bad(&p, sc, &bcap, start, end - start, p.err) < 0)
			break;
		p.i = end < p.n ? end + 1 : p.n;
		p.err = NULL;
		p.nest = 0;
		p.nhd = 0;
		continue;
	recover_at:
		start = p.err_at;
		goto recover;
	}
	if (cb != NULL && !p.oom && *rc == 0)
		*rc = deliver(&p, sc, &icap, &bcap, cb, arg, m);
	free(p.buf);
	if (cb != NULL)
		arena_release(tree, m0);
	return p.oom ? NULL : sc;
}

struct sh_script *
sh_parse(arena *a, const char *src, size_t n)
{
	int rc;

	return parse_top(a, a, src, n, NULL, NULL, &rc);
}

struct sh_script *
sh_parse_in(arena *tree, arena *keep, const char *src, size_t n)
{
	int rc;

	return parse_top(tree, keep, src, n, NULL, NULL, &rc);
}

int
sh_parse_stream(arena *tree, arena *keep, const char *src, size_t n, sh_batch_fn cb, void *arg)
{
	int rc;

	if (parse_top(tree, keep, src, n, cb, arg, &rc) == NULL)
		return -1;
	return rc;
}

/* --- dump ------------------------------------------------------------------- */

struct out {
	char *buf;
	size_t cap, len;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->len < o->cap) {
		size_t room = o->cap - o->len;

		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void
puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void dump_list(struct out *o, const struct sh_list *l);

static bool
safe_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("_./:=,+-@%^!?*[]{}~#", c) != NULL;
}

static void
dump_lit(struct out *o, const char *s, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		unsigned char c = (unsigned char)s[k];
		char tmp[8];

		if (c == '"' || c == '\\' || c == '$') {
			tmp[0] = '\\';
			tmp[1] = (char)c;
			put(o, tmp, 2);
		} else if (c == '\n') {
			puts_(o, "\\n");
		} else if (c == '\t') {
			puts_(o, "\\t");
		} else if (c < 0x20 || c == 0x7f) {
			static const char hex[] = "0123456789abcdef";

			tmp[0] = '\\';
			tmp[1] = 'x';
			tmp[2] = hex[c >> 4];
			tmp[3] = hex[c & 15];
			put(o, tmp, 4);
		} else {
			put(o, (const char *)&s[k], 1);
		}
	}
}

static void
dump_word(struct out *o, const struct sh_word *w)
{
	bool quote = w->nsegs == 0;

	for (size_t k = 0; k < w->nsegs && !quote; k++) {
		const struct sh_seg *sg = &w->segs[k];

		if (sg->kind != SH_SEG_LIT)
			continue;
		if (sg->n == 0)
			quote = true;
		for (size_t j = 0; j < sg->n; j++)
			if (!safe_char((unsigned char)sg->s[j]))
				quote = true;
	}
	if (quote)
		puts_(o, "\"");
	for (size_t k = 0; k < w->nsegs; k++) {
		const struct sh_seg *sg = &w->segs[k];

		switch (sg->kind) {
		case SH_SEG_LIT:
			dump_lit(o, sg->s, sg->n);
			break;
		case SH_SEG_VAR:
			puts_(o, "${");
			put(o, sg->s, sg->n);
			if (sg->complex && sg->inner != NULL)
				dump_lit(o, sg->inner->raw, sg->inner->rawlen);
			puts_(o, "}");
			break;
		case SH_SEG_SUBST:
			puts_(o, "$(");
			dump_list(o, sg->sub);
			puts_(o, ")");
			break;
		case SH_SEG_PROC_IN:
		case SH_SEG_PROC_OUT:
			puts_(o, sg->kind == SH_SEG_PROC_IN ? "<(" : ">(");
			dump_list(o, sg->sub);
			puts_(o, ")");
			break;
		case SH_SEG_ARITH:
			puts_(o, "$((");
			dump_lit(o, sg->s, sg->n);
			puts_(o, "))");
			break;
		case SH_SEG_TILDE:
			puts_(o, "~");
			put(o, sg->s, sg->n);
			break;
		}
	}
	if (quote)
		puts_(o, "\"");
}

static const char *const redir_ops[] = {
	[SH_R_IN] = "<", [SH_R_OUT] = ">", [SH_R_APPEND] = ">>", [SH_R_CLOBBER] = ">|",
	[SH_R_INOUT] = "<>", [SH_R_DUP_IN] = "<&", [SH_R_DUP_OUT] = ">&", [SH_R_OUT_ALL] = "&>",
	[SH_R_APPEND_ALL] = "&>>", [SH_R_HEREDOC] = "<<", [SH_R_HERESTRING] = "<<<",
};

static void
dump_redir(struct out *o, const struct sh_redir *r)
{
	char fd[16];

	if (r->fd >= 0) {
		int n = snprintf(fd, sizeof fd, "%d", r->fd);

		put(o, fd, (size_t)n);
	} else if (r->fd == -2) {
		puts_(o, "{var}");
	}
	puts_(o, redir_ops[r->op]);
	if (r->op == SH_R_HEREDOC) {
		if (r->heredoc_strip)
			puts_(o, "-");
		if (r->heredoc_quoted)
			puts_(o, "'");
		dump_word(o, &r->body);
		return;
	}
	dump_word(o, &r->target);
}

static void
dump_words(struct out *o, const struct sh_word *w, size_t n, const char *sep)
{
	for (size_t k = 0; k < n; k++) {
		if (k > 0)
			puts_(o, sep);
		dump_word(o, &w[k]);
	}
}

static void
dump_paren_list(struct out *o, const struct sh_list *l)
{
	puts_(o, "(");
	dump_list(o, l);
	puts_(o, ")");
}

static void
dump_node(struct out *o, const struct sh_node *n)
{
	size_t pi = 0;

	switch (n->kind) {
	case SH_SIMPLE:
		puts_(o, "[");
		for (size_t k = 0; k < n->nassigns; k++) {
			if (k > 0)
				puts_(o, " ");
			puts_(o, "{");
			dump_word(o, &n->assigns[k]);
			puts_(o, "}");
		}
		if (n->nassigns > 0 && n->nwords > 0)
			puts_(o, " ");
		dump_words(o, n->words, n->nwords, " ");
		for (size_t k = 0; k < n->nredirs; k++) {
			if (k > 0 || n->nwords > 0 || n->nassigns > 0)
				puts_(o, " ");
			dump_redir(o, n->redirs[k]);
		}
		puts_(o, "]");
		return;
	case SH_SUBSHELL:
		dump_paren_list(o, n->lists[0]);
		break;
	case SH_GROUP:
		puts_(o, "{ ");
		dump_list(o, n->lists[0]);
		puts_(o, " }");
		break;
	case SH_IF:
		puts_(o, "if");
		for (size_t k = 0; k < n->nlists; k++)
			dump_paren_list(o, n->lists[k]);
		break;
	case SH_WHILE:
	case SH_UNTIL:
		puts_(o, n->kind == SH_WHILE ? "while" : "until");
		dump_paren_list(o, n->lists[0]);
		dump_paren_list(o, n->lists[1]);
		break;
	case SH_FOR:
	case SH_SELECT:
		puts_(o, n->kind == SH_FOR ? "for " : "select ");
		if (n->nwords > 0)
			dump_word(o, &n->words[0]);
		if (n->nwords > 1) {
			puts_(o, " in ");
			dump_words(o, n->words + 1, n->nwords - 1, " ");
		}
		dump_paren_list(o, n->lists[0]);
		break;
	case SH_CASE:
		puts_(o, "case ");
		dump_word(o, &n->words[0]);
		for (size_t k = 0; k < n->nlists; k++) {
			puts_(o, " ");
			dump_words(o, n->pats + pi, n->npats[k], "|");
			pi += n->npats[k];
			dump_paren_list(o, n->lists[k]);
		}
		break;
	case SH_FUNC:
		puts_(o, "func ");
		dump_word(o, &n->words[0]);
		dump_paren_list(o, n->lists[0]);
		break;
	case SH_ARITH:
		puts_(o, "((");
		dump_lit(o, n->words[0].raw, n->words[0].rawlen);
		puts_(o, "))");
		break;
	case SH_COND:
		puts_(o, "[[ ");
		dump_words(o, n->words, n->nwords, " ");
		puts_(o, " ]]");
		break;
	}
	for (size_t k = 0; k < n->nredirs; k++) {
		puts_(o, " ");
		dump_redir(o, n->redirs[k]);
	}
}

static void
dump_list(struct out *o, const struct sh_list *l)
{
	for (size_t k = 0; l != NULL && k < l->nitems; k++) {
		const struct sh_pipeline *pl = l->items[k].pl;
		bool last = k + 1 == l->nitems;

		if (pl->timed)
			puts_(o, "time ");
		if (pl->negated)
			puts_(o, "! ");
		for (size_t j = 0; j < pl->ncmds; j++) {
			if (j > 0)
				puts_(o, " | ");
			dump_node(o, pl->cmds[j]);
		}
		switch (l->items[k].conn) {
		case SH_CONN_SEQ:
			if (!last)
				puts_(o, "; ");
			break;
		case SH_CONN_BG:
			puts_(o, last ? " &" : " & ");
			break;
		case SH_CONN_AND:
			puts_(o, " && ");
			break;
		case SH_CONN_OR:
			puts_(o, " || ");
			break;
		}
	}
}

size_t
sh_dump(const struct sh_script *s, char *buf, size_t cap)
{
	struct out o = { .buf = buf, .cap = cap };

	dump_list(&o, s->list);
	for (size_t k = 0; k < s->nbad; k++) {
		char tmp[64];
		int n = snprintf(tmp, sizeof tmp, "%s#BAD[%zu+%zu ", o.len > 0 ? " " : "", s->bad[k].off,
		    s->bad[k].len);

		put(&o, tmp, (size_t)n);
		puts_(&o, s->bad[k].why);
		puts_(&o, "]");
	}
	if (cap > 0)
		buf[o.len < cap ? o.len : cap - 1] = '\0';
	return o.len;
}
