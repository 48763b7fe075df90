/* line.c -- attributed lines in one growable arena. */
#include "tui/line.h"
#include "tui/text.h"
#include "tui/theme.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A cut one-line display says how much it left out when at least this
 * many columns of text remain besides "…(+N bytes)". */
#define CLIP_MIN_SHOWN 8
/* ... in the long form ("…(+312 bytes)") from this width on, else "…(+312B)". */
#define CLIP_LONG_FROM 48

struct lrec {
	size_t span0, nsp;
	int cols, fill;
	long tag;
};

struct lines {
	char *text;
	size_t tlen, tcap;
	struct span *sp;
	size_t nsp, spcap;
	struct lrec *ln;
	size_t nln, lncap;
	int wrap, indent, tabs, oom;
	enum text_ws_mode ws;
};

lines *
lines_new(void)
{
	return calloc(1, sizeof(struct lines));
}

void
lines_free(lines *l)
{
	if (l == NULL)
		return;
	free(l->text);
	free(l->sp);
	free(l->ln);
	free(l);
}

void
lines_reset(lines *l)
{
	l->tlen = l->nsp = l->nln = 0;
	l->oom = 0;
}

void lines_wrap(lines *l, int width, int indent) { l->wrap = width; l->indent = indent < width ? indent : 0; }
void lines_expand_tabs(lines *l, int on) { l->tabs = on; }
void lines_whitespace(lines *l, enum text_ws_mode mode) { l->ws = mode; }
size_t lines_count(const lines *l) { return l->nln; }
int lines_oom(const lines *l) { return l->oom; }

static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if ((q = realloc(*p, n * size)) == NULL)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

size_t
lines_newline(lines *l)
{
	if (grow((void **)&l->ln, &l->lncap, l->nln + 1, sizeof *l->ln) < 0) {
		l->oom = 1;
		return l->nln ? l->nln - 1 : 0;
	}
	l->ln[l->nln] = (struct lrec){ .span0 = l->nsp, .fill = -1, .tag = -1 };
	return l->nln++;
}

static struct lrec *
cur(lines *l)
{
	if (l->nln == 0)
		lines_newline(l);
	return l->nln ? &l->ln[l->nln - 1] : NULL;
}

void lines_fill(lines *l, int role) { struct lrec *r = cur(l); if (r) r->fill = role; }
void lines_tag(lines *l, long tag) { struct lrec *r = cur(l); if (r) r->tag = tag; }
int lines_col(const lines *l) { return l->nln ? l->ln[l->nln - 1].cols : 0; }

/* Append one span without wrapping; merges with the previous span when the
 * role is the same. */
static void
raw_put(lines *l, int role, const char *s, size_t n, size_t cols)
{
	struct lrec *r = cur(l);
	struct span *last;

	if (r == NULL || n == 0)
		return;
	if (grow((void **)&l->text, &l->tcap, l->tlen + n, 1) < 0 ||
	    grow((void **)&l->sp, &l->spcap, l->nsp + 1, sizeof *l->sp) < 0) {
		l->oom = 1;
		return;
	}
	memcpy(l->text + l->tlen, s, n);
	last = r->nsp > 0 ? &l->sp[l->nsp - 1] : NULL;
	if (last != NULL && last->role == role && last->off + last->len == l->tlen) {
		last->len += (uint32_t)n;
		last->cols += (uint32_t)cols;
	} else {
		l->sp[l->nsp++] = (struct span){ .off = (uint32_t)l->tlen, .len = (uint32_t)n,
			.cols = (uint32_t)cols, .role = (uint8_t)role };
		r->nsp++;
	}
	l->tlen += n;
	r->cols += (int)cols;
}

static void
spaces(lines *l, int role, int n)
{
	static const char sp[] = "                                ";

	while (n > 0) {
		int k = n < 32 ? n : 32;

		raw_put(l, role, sp, (size_t)k, (size_t)k);
		n -= k;
	}
}

/* Continue on a new line (wrapping), keeping the fill of the line we left. */
static void
wrap_line(lines *l)
{
	int fill = cur(l) ? cur(l)->fill : -1;
	long tag = cur(l) ? cur(l)->tag : -1;

	lines_newline(l);
	lines_fill(l, fill);
	lines_tag(l, tag);
	spaces(l, TR_DIM, l->indent);
}

/* Does a word start at s: the piece starts with a non-space and the line
 * so far ends in a space or an escape (\n, <U+200B>...)? */
static bool
at_word_start(lines *l, const char *s, size_t n)
{
	return n > 0 && s[0] != ' ' && l->tlen > 0 && cur(l)->nsp > 0 &&
	    (l->text[l->tlen - 1] == ' ' || l->sp[l->nsp - 1].role == TR_ESCAPED);
}

/* Put a plain piece, wrapping at word boundaries when it can (else at
 * character boundaries) when asked to. */
static void
put_plain(lines *l, int role, const char *s, size_t n, size_t cols)
{
	while (l->wrap > 0 && cur(l) != NULL && cur(l)->cols + (int)cols > l->wrap) {
		size_t room = cur(l)->cols < l->wrap ? (size_t)(l->wrap - cur(l)->cols) : 0, c;
		size_t k = text_fit(s, n, room, &c);

		if (k == 0 && cur(l)->cols <= l->indent) /* nothing fits a fresh row: force one char */
			k = text_fit(s, n, 2, &c);
		if (k == 0 && cur(l)->cols <= l->indent)
			break;
		if (k < n) {
			/* prefer to break after a space when one is in the part that fits */
			size_t sp = k;

			while (sp > 0 && s[sp - 1] != ' ')
				sp--;
			if (sp > 0 && sp < k) {
				k = text_fit(s, sp, (size_t)-1 / 2, &c);
			} else if (sp == 0 && cur(l)->cols > l->indent && at_word_start(l, s, n)) {
				/* a word that starts here and fits a fresh row moves there
				 * whole (word-boundary wrap across pieces) */
				size_t wl = 0, wc;

				while (wl < n && s[wl] != ' ')
					wl++;
				if (text_fit(s, wl, (size_t)-1 / 2, &wc) == wl && (int)wc <= l->wrap - l->indent) {
					wrap_line(l);
					continue;
				}
			}
		}
		raw_put(l, role, s, k, c);
		s += k;
		n -= k;
		cols -= c;
		if (n == 0)
			return;
		wrap_line(l);
	}
	raw_put(l, role, s, n, cols);
}

/* An escaped piece is atomic: move it whole to the next row if it does not fit. */
static void
put_atomic(lines *l, int role, const char *s, size_t n, size_t cols)
{
	if (l->wrap > 0 && cur(l) && cur(l)->cols + (int)cols > l->wrap && cur(l)->cols > l->indent)
		wrap_line(l);
	raw_put(l, role, s, n, cols);
}

struct untrusted {
	lines *l;
	int role;
	int budget;  /* columns left (clip), or -1 */
	int cut;
	size_t used; /* clip: bytes of the text shown so far */
};

/* Clip mode: put what fits in the budget. */
static int
clip_piece(struct untrusted *u, const char *p, size_t n, size_t cols, int kind, size_t at, size_t len)
{
	int role = kind == TEXT_PIECE_PLAIN ? u->role : TR_ESCAPED;

	if (kind == TEXT_PIECE_TAB && u->l->tabs)
		p = "        ", n = cols = (size_t)(8 - lines_col(u->l) % 8);
	if ((int)cols <= u->budget) {
		raw_put(u->l, role, p, n, cols);
		u->budget -= (int)cols;
		u->used = at + len;
		return 0;
	}
	if (kind == TEXT_PIECE_PLAIN && len == n) { /* text of s itself: a part of it */
		size_t c, k = text_fit(p, n, (size_t)u->budget, &c);

		raw_put(u->l, role, p, k, c);
		u->budget -= (int)c;
		u->used = at + k;
	} else if (kind == TEXT_PIECE_TAB && u->l->tabs) {
		raw_put(u->l, role, p, (size_t)u->budget, (size_t)u->budget);
		u->budget = 0;
	}
	u->cut = 1;
	return 1;
}

static int
on_piece(void *arg, const char *p, size_t n, size_t cols, int kind, size_t at, size_t len)
{
	struct untrusted *u = arg;

	if (u->budget >= 0)
		return clip_piece(u, p, n, cols, kind, at, len);
	if (kind == TEXT_PIECE_PLAIN)
		put_plain(u->l, u->role, p, n, cols);
	else if (kind == TEXT_PIECE_TAB && u->l->tabs)
		spaces(u->l, u->role, 8 - lines_col(u->l) % 8);
	else
		put_atomic(u->l, TR_ESCAPED, p, n, cols);
	return 0;
}

unsigned
lines_put_untrusted(lines *l, int role, const char *s, size_t n)
{
	struct untrusted u = { l, role, -1, 0, 0 };

	return text_scan_at(s, n, l->ws, on_piece, &u);
}

static int
measure_piece(void *arg, const char *p, size_t n, size_t cols, int kind)
{
	size_t *w = arg;

	*w += kind == TEXT_PIECE_TAB ? 8 : cols;
	return 0;
}

/* One line: whitespace collapsed (TEXT_WS_COLLAPSE); a cut says how much
 * is not shown, "…(+312 bytes)", or just "…" in a narrow column. */
unsigned
lines_put_clip(lines *l, int role, const char *s, size_t n, int max_cols)
{
	struct untrusted u = { l, role, 0, 0, 0 };
	size_t total = 0, mlen, mcols;
	char mark[40];
	unsigned f;

	if (max_cols <= 0)
		return 0;
	text_scan_ws(s, n, TEXT_WS_COLLAPSE, measure_piece, &total);
	if (total <= (size_t)max_cols) {
		u.budget = max_cols;
		return text_scan_at(s, n, TEXT_WS_COLLAPSE, on_piece, &u);
	}
	/* the long form in a wide column, "…(+312B)" in a narrow one */
	mlen = (max_cols >= CLIP_LONG_FROM ? text_tail_marker : text_tail_marker_short)(n, mark, sizeof mark);
	mcols = mlen - 2;
	u.budget = (size_t)max_cols >= mcols + CLIP_MIN_SHOWN ? max_cols - (int)mcols : max_cols - 1;
	f = text_scan_at(s, n, TEXT_WS_COLLAPSE, on_piece, &u);
	if ((size_t)max_cols >= mcols + CLIP_MIN_SHOWN) {
		mlen = (max_cols >= CLIP_LONG_FROM ? text_tail_marker : text_tail_marker_short)(n - u.used, mark,
		    sizeof mark);
		raw_put(l, TR_DIM, mark, mlen, mlen - 2);
	} else {
		raw_put(l, TR_DIM, "\xe2\x80\xa6", 3, 1);
	}
	return f;
}

void
lines_putn(lines *l, int role, const char *s, size_t n)
{
	lines_put_untrusted(l, role, s, n);
}

void
lines_put(lines *l, int role, const char *s)
{
	lines_put_untrusted(l, role, s, strlen(s));
}

void
lines_printf(lines *l, int role, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > 0)
		lines_put_untrusted(l, role, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

void
lines_pad_to(lines *l, int role, int col)
{
	int c = lines_col(l);

	if (c < col)
		spaces(l, role, col - c);
}

void
lines_get(const lines *l, size_t i, struct line_view *out)
{
	const struct lrec *r = &l->ln[i];

	out->sp = l->sp + r->span0;
	out->nsp = r->nsp;
	out->text = l->text;
	out->cols = r->cols;
	out->fill = r->fill;
	out->tag = r->tag;
}

char *
lines_text(const lines *l, size_t *len)
{
	size_t cap = l->tlen + l->nln + 1, n = 0, keep = 0;
	char *buf = malloc(cap);

	if (buf == NULL)
		return NULL;
	for (size_t i = 0; i < l->nln; i++) {
		const struct lrec *r = &l->ln[i];

		if (i > 0)
			buf[n++] = '\n';
		for (size_t k = 0; k < r->nsp; k++) {
			const struct span *sp = &l->sp[r->span0 + k];

			memcpy(buf + n, l->text + sp->off, sp->len);
			n += sp->len;
		}
		while (n > 0 && buf[n - 1] == ' ')
			n--;
		if (n > 0 && buf[n - 1] != '\n')
			keep = n; /* the end of the last line with text */
	}
	n = keep;
	buf[n] = '\0';
	*len = n;
	return buf;
}
