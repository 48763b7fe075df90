/* text.c -- escape untrusted text for display, with real display widths. */
#include "tui/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <wchar.h>

static int
is_bidi(utf8proc_int32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

/* Characters that take no visible space or could hide or reorder text. */
static int
is_invisible(utf8proc_int32_t cp)
{
	utf8proc_category_t cat = utf8proc_category(cp);

	return cat == UTF8PROC_CATEGORY_CF || cat == UTF8PROC_CATEGORY_ZL ||
	       cat == UTF8PROC_CATEGORY_ZP || cp == 0x115f || cp == 0x1160 || cp == 0x3164 ||
	       cp == 0xffa0 || (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
}

/* ---- whitespace runs ---- */

enum { WS_NONE, WS_SPACE, WS_TAB, WS_NL };

static int
ws_class(utf8proc_int32_t cp)
{
	if (cp == ' ')
		return WS_SPACE;
	if (cp == '\t')
		return WS_TAB;
	if (cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f')
		return WS_NL;
	if (cp >= 0x80 && utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS)
		return WS_SPACE;
	return WS_NONE;
}

size_t
text_ws_run(const char *s, size_t n, struct text_ws *w)
{
	size_t i = 0;

	memset(w, 0, sizeof *w);
	while (i < n) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		    (utf8proc_ssize_t)(n - i), &cp);
		int c = k > 0 ? ws_class(cp) : WS_NONE;

		if (c == WS_NONE)
			break;
		w->spaces += c == WS_SPACE;
		w->wide += c == WS_SPACE && cp != ' ';
		w->tabs += c == WS_TAB;
		w->newlines += c == WS_NL;
		i += (size_t)k;
	}
	w->bytes = i;
	return i;
}

size_t
text_ws_marker(const struct text_ws *w, char *buf, size_t cap)
{
	size_t v[3] = { w->newlines, w->tabs, w->spaces }, len = 0;
	static const char *const one[3] = { "newline", "tab", "space" };
	int r;

	if (cap < 8) {
		if (cap > 0)
			buf[0] = '\0';
		return 0;
	}
	memcpy(buf, "\xe2\x9f\xa8", 3); /* ⟨ */
	len = 3;
	for (int i = 0; i < 3; i++) {
		if (v[i] == 0)
			continue;
		r = snprintf(buf + len, cap - len, "%s%zu %s%s", len > 3 ? ", " : "", v[i], one[i],
		    v[i] == 1 ? "" : "s");
		if (r < 0 || (size_t)r >= cap - len)
			break;
		len += (size_t)r;
	}
	if (len + 4 <= cap) {
		memcpy(buf + len, "\xe2\x9f\xa9", 3); /* ⟩ */
		len += 3;
	}
	buf[len] = '\0';
	return len;
}

size_t
text_tail_marker(size_t left, char *buf, size_t cap)
{
	int r = snprintf(buf, cap, "\xe2\x80\xa6(+%zu byte%s)", left, left == 1 ? "" : "s");

	return r < 0 ? 0 : (size_t)r < cap ? (size_t)r : cap - 1;
}

size_t
text_tail_marker_short(size_t left, char *buf, size_t cap)
{
	int r = snprintf(buf, cap, "\xe2\x80\xa6(+%zuB)", left);

	return r < 0 ? 0 : (size_t)r < cap ? (size_t)r : cap - 1;
}

/* What a one-line display does with the whitespace run w starting at byte
 * at of a text of n bytes. */
enum ws_action { WS_EACH, WS_ONE_SPACE, WS_MARKER };

static enum ws_action
ws_action(const struct text_ws *w, enum text_ws_mode mode, bool at_start)
{
	size_t chars = w->spaces + w->tabs + w->newlines;

	if (mode == TEXT_WS_KEEP)
		return WS_EACH;
	if (mode == TEXT_WS_COLLAPSE && chars >= TEXT_PAD_MIN)
		return WS_MARKER;
	if (mode == TEXT_WS_COUNT && chars >= TEXT_PAD_MIN_WRAPPED &&
	    !(at_start && w->newlines == 0 && w->wide == 0))
		return WS_MARKER; /* but an indentation hides nothing */
	if (mode == TEXT_WS_COLLAPSE && w->tabs == 0 && w->newlines == 0 && chars >= 2)
		return WS_ONE_SPACE;
	return WS_EACH;
}

/* How many times the k bytes at s[i] repeat back to back (at least 1). */
static size_t
repeats(const char *s, size_t n, size_t i, size_t k)
{
	size_t r = 1;

	while (i + (r + 1) * k <= n && memcmp(s + i, s + i + r * k, k) == 0)
		r++;
	return r;
}

/* The visible stand-in of control byte c: \e, \r, \xNN. */
static int
byte_escape(unsigned char c, char *buf, size_t cap)
{
	switch (c) {
	case '\n': return snprintf(buf, cap, "\\n");
	case '\t': return snprintf(buf, cap, "\\t");
	case '\r': return snprintf(buf, cap, "\\r");
	case 0x1b: return snprintf(buf, cap, "\\e");
	default: return snprintf(buf, cap, "\\x%02x", c);
	}
}

/* One piece for a run of the same hidden character (one-line modes):
 * "<U+200B>×200"; its length, width in *cols. */
static size_t
repeat_piece(const char *esc, size_t times, char *buf, size_t cap, size_t *cols)
{
	int n = snprintf(buf, cap, "%s\xc3\x97%zu", esc, times); /* × */

	if (n < 0 || (size_t)n >= cap)
		n = 0;
	*cols = n > 0 ? (size_t)n - 1 : 0;
	return (size_t)n;
}

struct out {
	char *buf;
	size_t len, cap, cols, max_cols, reserve;
	int full;
};

/* Append a piece of cols columns; refuses (and marks full) past max_cols
 * (less reserve columns kept for a cut mark). */
static int
put(struct out *o, const char *p, size_t n, size_t cols)
{
	if (o->full)
		return -1;
	if (o->max_cols > 0 && o->cols + cols > o->max_cols - o->reserve) {
		o->full = 1;
		return -1;
	}
	if (o->len + n + 4 > o->cap) {
		size_t cap = (o->cap + n + 4) * 2;
		char *b = realloc(o->buf, cap);

		if (b == NULL)
			return -2;
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	o->cols += cols;
	return 0;
}

static int
put_control(struct out *o, unsigned char c)
{
	char tmp[8];

	switch (c) {
	case '\n': return put(o, "\\n", 2, 2);
	case '\t': return put(o, "\\t", 2, 2);
	case '\r': return put(o, "\\r", 2, 2);
	case 0x1b: return put(o, "\\e", 2, 2);
	default:
		snprintf(tmp, sizeof tmp, "\\x%02x", c);
		return put(o, tmp, 4, 4);
	}
}

/* Escape s[0..n) into o (whitespace per mode) until a piece does not fit;
 * returns the bytes of s consumed, *r < 0 on out of memory. */
static size_t
escape_into(struct out *o, const char *s, size_t n, enum text_ws_mode mode, unsigned *flags, int *rr)
{
	unsigned f = 0;
	size_t i = 0, each_until = 0;
	int r = 0;

	while (i < n && r == 0) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k;
		char tmp[64];
		struct text_ws w;

		if (i >= each_until && mode != TEXT_WS_KEEP && text_ws_run(s + i, n - i, &w) > 0) {
			enum ws_action a = ws_action(&w, mode, i == 0);

			if (a == WS_MARKER) {
				size_t ml = text_ws_marker(&w, tmp, sizeof tmp);
				size_t lead = i > 0, trail = i + w.bytes < n;
				char piece[72];

				snprintf(piece, sizeof piece, "%s%s%s", lead ? " " : "", tmp, trail ? " " : "");
				r = put(o, piece, ml + lead + trail, text_width(tmp) + lead + trail);
				if (r == 0)
					i += w.bytes;
				continue;
			}
			if (a == WS_ONE_SPACE) {
				r = put(o, " ", 1, 1);
				if (r == 0)
					i += w.bytes;
				continue;
			}
			each_until = i + w.bytes;
		}
		k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);

		if (k <= 0) {
			f |= TEXT_HAD_INVALID;
			if ((r = put_control(o, (unsigned char)s[i])) == 0)
				i++;
			continue;
		}
		if (mode != TEXT_WS_KEEP && (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
		    is_bidi(cp) || is_invisible(cp)) && repeats(s, n, i, (size_t)k) >= TEXT_REPEAT_MIN) {
			/* the same hidden character again and again: once, counted */
			size_t times = repeats(s, n, i, (size_t)k), cols, pl;
			char esc[16], piece[48];

			if (cp < 0x80)
				byte_escape((unsigned char)cp, esc, sizeof esc);
			else
				snprintf(esc, sizeof esc, "<U+%04X>", cp);
			f |= cp < 0xa0 ? TEXT_HAD_CONTROL : is_bidi(cp) ? TEXT_HAD_BIDI : TEXT_HAD_INVISIBLE;
			pl = repeat_piece(esc, times, piece, sizeof piece, &cols);
			if ((r = put(o, piece, pl, cols)) == 0)
				i += times * (size_t)k;
			continue;
		}
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			f |= TEXT_HAD_CONTROL;
			r = cp < 0x80 ? put_control(o, (unsigned char)cp)
			              : put(o, tmp, (size_t)snprintf(tmp, sizeof tmp, "<U+%04X>", cp), 8);
		} else if (is_bidi(cp) || is_invisible(cp)) {
			f |= is_bidi(cp) ? TEXT_HAD_BIDI : TEXT_HAD_INVISIBLE;
			int len = snprintf(tmp, sizeof tmp, "<U+%04X>", cp);
			r = put(o, tmp, (size_t)len, (size_t)len);
		} else {
			int cw = utf8proc_charwidth(cp);

			/* a combining mark at the start would join the previous cell */
			if (cw == 0 && o->len == 0) {
				int len = snprintf(tmp, sizeof tmp, "<U+%04X>", cp);
				r = put(o, tmp, (size_t)len, (size_t)len);
			} else {
				r = put(o, s + i, (size_t)k, (size_t)(cw < 0 ? 1 : cw));
			}
		}
		if (r == 0)
			i += (size_t)k;
	}
	*flags |= f;
	*rr = r;
	return i;
}

char *
text_escape(const char *s, size_t n, size_t max_cols, unsigned *flags)
{
	struct out o = { .max_cols = max_cols, .reserve = 1 };
	unsigned f = 0;
	int r = 0;

	o.cap = n + 16;
	o.buf = malloc(o.cap);
	if (o.buf == NULL)
		return NULL;
	escape_into(&o, s, n, TEXT_WS_KEEP, &f, &r);
	if (r == -2) {
		free(o.buf);
		return NULL;
	}
	if (o.full) {
		f |= TEXT_TRUNCATED;
		memcpy(o.buf + o.len, "\xe2\x80\xa6", 3); /* … */
		o.len += 3;
	}
	o.buf[o.len] = '\0';
	if (flags != NULL)
		*flags = f;
	return o.buf;
}

char *
text_oneline(const char *s, size_t n, size_t max_cols, unsigned *flags)
{
	struct out o = { 0 };
	unsigned f = 0;
	size_t used, mlen, mcols;
	int r = 0;
	char mark[40];

	o.cap = n + 16;
	if ((o.buf = malloc(o.cap)) == NULL)
		return NULL;
	escape_into(&o, s, n, TEXT_WS_COLLAPSE, &f, &r);
	if (r == 0 && (max_cols == 0 || o.cols <= max_cols))
		goto done;
	if (r == -2) {
		free(o.buf);
		return NULL;
	}
	/* cut: keep room for "…(+N bytes)", N at most n */
	mlen = text_tail_marker(n, mark, sizeof mark);
	mcols = mlen - 2;
	o.len = o.cols = 0;
	o.full = 0;
	f = 0;
	if (max_cols >= mcols + 6) {
		o.max_cols = max_cols - mcols;
		used = escape_into(&o, s, n, TEXT_WS_COLLAPSE, &f, &r);
		mlen = text_tail_marker(n - used, mark, sizeof mark);
	} else {
		if (max_cols >= 2) {
			o.max_cols = max_cols - 1;
			escape_into(&o, s, n, TEXT_WS_COLLAPSE, &f, &r);
		}
		mlen = 3;
		memcpy(mark, "\xe2\x80\xa6", 4); /* … */
	}
	if (r == -2) {
		free(o.buf);
		return NULL;
	}
	f |= TEXT_TRUNCATED;
	if (o.len + mlen + 1 > o.cap) {
		char *b = realloc(o.buf, o.len + mlen + 1);

		if (b == NULL) {
			free(o.buf);
			return NULL;
		}
		o.buf = b;
	}
	memcpy(o.buf + o.len, mark, mlen);
	o.len += mlen;
done:
	o.buf[o.len] = '\0';
	if (flags != NULL)
		*flags = f;
	return o.buf;
}

/* Raw copy of s[0..n) with whitespace collapsed, at most max_bytes (0: no
 * limit); returns the bytes of s consumed. */
static size_t
squeeze_into(struct out *o, const char *s, size_t n, size_t max_bytes)
{
	size_t i = 0, each_until = 0;

	while (i < n) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k;
		struct text_ws w;
		char tmp[64], piece[72];
		size_t pl;
		const char *p;

		if (i >= each_until && text_ws_run(s + i, n - i, &w) > 0) {
			enum ws_action a = ws_action(&w, TEXT_WS_COLLAPSE, i == 0);

			if (a == WS_MARKER) {
				text_ws_marker(&w, tmp, sizeof tmp);
				pl = (size_t)snprintf(piece, sizeof piece, "%s%s%s", i > 0 ? " " : "", tmp,
				    i + w.bytes < n ? " " : "");
				p = piece;
				k = (utf8proc_ssize_t)w.bytes;
			} else if (a == WS_ONE_SPACE) {
				p = " ";
				pl = 1;
				k = (utf8proc_ssize_t)w.bytes;
			} else {
				each_until = i + w.bytes;
				continue;
			}
		} else {
			k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
			if (k <= 0)
				k = 1; /* not UTF-8: the byte as it is (displays escape it) */
			p = s + i;
			pl = (size_t)k;
			if (s[i] == '\0') { /* would end the string: say it */
				p = "\\x00";
				pl = 4;
			}
		}
		if (max_bytes > 0 && o->len + pl > max_bytes) {
			o->full = 1;
			break;
		}
		if (o->len + pl + 1 > o->cap) {
			size_t cap = (o->cap + pl + 1) * 2;
			char *b = realloc(o->buf, cap);

			if (b == NULL)
				return (size_t)-1;
			o->buf = b;
			o->cap = cap;
		}
		memcpy(o->buf + o->len, p, pl);
		o->len += pl;
		i += (size_t)k;
	}
	return i;
}

char *
text_squeeze(const char *s, size_t n, size_t max_bytes)
{
	struct out o = { 0 };
	size_t used;
	char mark[40];
	size_t mlen;

	o.cap = (n < 4096 ? n : 4096) + 16;
	if ((o.buf = malloc(o.cap)) == NULL)
		return NULL;
	if (squeeze_into(&o, s, n, 0) == (size_t)-1)
		goto oom;
	if (max_bytes == 0 || o.len <= max_bytes)
		goto done;
	mlen = text_tail_marker(n, mark, sizeof mark);
	o.len = 0;
	o.full = 0;
	if (max_bytes < mlen + 1) {
		o.buf[0] = '\0';
		return o.buf;
	}
	if ((used = squeeze_into(&o, s, n, max_bytes - mlen)) == (size_t)-1)
		goto oom;
	mlen = text_tail_marker(n - used, mark, sizeof mark);
	memcpy(o.buf + o.len, mark, mlen); /* fits: max_bytes - old mlen was kept free */
	o.len += mlen;
done:
	o.buf[o.len] = '\0';
	return o.buf;
oom:
	free(o.buf);
	return NULL;
}

size_t
text_width(const char *s)
{
	size_t w = 0, n = strlen(s), i = 0;

	while (i < n) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		    (utf8proc_ssize_t)(n - i), &cp);

		if (k <= 0) {
			i++;
			w++;
			continue;
		}
		w += (size_t)(utf8proc_charwidth(cp) > 0 ? utf8proc_charwidth(cp) : 0);
		i += (size_t)k;
	}
	return w;
}

/* ---- text_scan: the console's stricter splitter ---- */

int
text_cp_width(int cp)
{
	utf8proc_category_t cat;
	int uw, cw;

	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp > 0x10ffff)
		return -1;
	if (cp < 0x7f)
		return 1;
	if (is_bidi(cp) || is_invisible(cp))
		return -1;
	cat = utf8proc_category(cp);
	if (cat == UTF8PROC_CATEGORY_CN || cat == UTF8PROC_CATEGORY_CO || cat == UTF8PROC_CATEGORY_CS)
		return -1;
	uw = utf8proc_charwidth(cp);
	cw = wcwidth((wchar_t)cp);
	if (uw < 0 || cw < 0 || uw != cw)
		return -1;
	return uw;
}

struct scan {
	text_piece_at_fn *fn;
	void *arg;
	const char *s;     /* the text scanned (for offsets) */
	const char *run;   /* start of the pending plain run */
	size_t run_len, run_cols;
	int stopped;
};

static void
flush_run(struct scan *sc)
{
	if (sc->run_len > 0 && !sc->stopped)
		sc->stopped = sc->fn(sc->arg, sc->run, sc->run_len, sc->run_cols, TEXT_PIECE_PLAIN,
		    (size_t)(sc->run - sc->s), sc->run_len);
	sc->run_len = sc->run_cols = 0;
}

/* A piece standing for s[at..at+len): escaped text, a tab, a marker. */
static void
emit(struct scan *sc, const char *p, size_t n, size_t cols, int kind, size_t at, size_t len)
{
	flush_run(sc);
	if (!sc->stopped)
		sc->stopped = sc->fn(sc->arg, p, n, cols, kind, at, len);
}

static void
emit_cp(struct scan *sc, int cp, size_t at, size_t len)
{
	char tmp[16];
	int n = snprintf(tmp, sizeof tmp, "<U+%04X>", (unsigned)cp);

	emit(sc, tmp, (size_t)n, (size_t)n, TEXT_PIECE_ESCAPED, at, len);
}

static void
emit_byte(struct scan *sc, unsigned char c, size_t at)
{
	char tmp[8];

	switch (c) {
	case '\n': emit(sc, "\\n", 2, 2, TEXT_PIECE_ESCAPED, at, 1); return;
	case '\r': emit(sc, "\\r", 2, 2, TEXT_PIECE_ESCAPED, at, 1); return;
	case 0x1b: emit(sc, "\\e", 2, 2, TEXT_PIECE_ESCAPED, at, 1); return;
	default:
		snprintf(tmp, sizeof tmp, "\\x%02x", c);
		emit(sc, tmp, 4, 4, TEXT_PIECE_ESCAPED, at, 1);
	}
}

unsigned
text_scan_at(const char *s, size_t n, enum text_ws_mode mode, text_piece_at_fn *fn, void *arg)
{
	struct scan sc = { .fn = fn, .arg = arg, .s = s };
	unsigned f = 0;
	size_t i = 0, each_until = 0;
	int marks = -1; /* combining marks since the last base character; -1: no base */

	while (i < n && !sc.stopped) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k;
		struct text_ws ws;
		int w;

		if (i >= each_until && mode != TEXT_WS_KEEP && text_ws_run(s + i, n - i, &ws) > 0) {
			enum ws_action a = ws_action(&ws, mode, i == 0);

			if (a == WS_MARKER) {
				char tmp[64];
				size_t ml = text_ws_marker(&ws, tmp, sizeof tmp);

				if (i > 0)
					emit(&sc, " ", 1, 1, TEXT_PIECE_PLAIN, i, 0);
				emit(&sc, tmp, ml, text_width(tmp), TEXT_PIECE_ESCAPED, i, ws.bytes);
				if (i + ws.bytes < n)
					emit(&sc, " ", 1, 1, TEXT_PIECE_PLAIN, i + ws.bytes, 0);
				i += ws.bytes;
				marks = -1;
				continue;
			}
			if (a == WS_ONE_SPACE) {
				emit(&sc, " ", 1, 1, TEXT_PIECE_PLAIN, i, ws.bytes);
				i += ws.bytes;
				marks = -1;
				continue;
			}
			each_until = i + ws.bytes;
		}
		k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
		if (k <= 0) {
			f |= TEXT_HAD_INVALID;
			emit_byte(&sc, (unsigned char)s[i], i);
			marks = -1;
			i++;
			continue;
		}
		if (mode != TEXT_WS_KEEP && cp != '\t' &&
		    (cp < 0x20 || cp == 0x7f || text_cp_width(cp) < 0) &&
		    repeats(s, n, i, (size_t)k) >= TEXT_REPEAT_MIN) {
			/* the same hidden character again and again: once, counted */
			size_t times = repeats(s, n, i, (size_t)k), cols, pl;
			char esc[16], piece[48];

			if (cp < 0x80)
				byte_escape((unsigned char)cp, esc, sizeof esc);
			else
				snprintf(esc, sizeof esc, "<U+%04X>", (unsigned)cp);
			f |= cp < 0x80 || (cp >= 0x80 && cp < 0xa0) ? TEXT_HAD_CONTROL
			    : is_bidi(cp) ? TEXT_HAD_BIDI : TEXT_HAD_INVISIBLE;
			pl = repeat_piece(esc, times, piece, sizeof piece, &cols);
			emit(&sc, piece, pl, cols, TEXT_PIECE_ESCAPED, i, times * (size_t)k);
			i += times * (size_t)k;
			marks = -1;
			continue;
		}
		if (cp == '\t') {
			f |= TEXT_HAD_CONTROL;
			emit(&sc, "\\t", 2, 2, TEXT_PIECE_TAB, i, 1);
			marks = -1;
		} else if (cp < 0x20 || cp == 0x7f) {
			f |= TEXT_HAD_CONTROL;
			emit_byte(&sc, (unsigned char)cp, i);
			marks = -1;
		} else if ((w = text_cp_width(cp)) < 0 || (w == 0 && (marks < 0 || marks >= 2))) {
			f |= (cp >= 0x80 && cp < 0xa0) ? TEXT_HAD_CONTROL
			    : is_bidi(cp) ? TEXT_HAD_BIDI : TEXT_HAD_INVISIBLE;
			emit_cp(&sc, cp, i, (size_t)k);
			marks = -1;
		} else {
			if (sc.run_len == 0)
				sc.run = s + i;
			sc.run_len += (size_t)k;
			sc.run_cols += (size_t)w;
			marks = w == 0 ? marks + 1 : 0;
		}
		i += (size_t)k;
	}
	flush_run(&sc);
	return f;
}

struct plain_fn {
	text_piece_fn *fn;
	void *arg;
};

static int
drop_offsets(void *arg, const char *p, size_t n, size_t cols, int kind, size_t at, size_t len)
{
	struct plain_fn *pf = arg;

	(void)at;
	(void)len;
	return pf->fn(pf->arg, p, n, cols, kind);
}

unsigned
text_scan_ws(const char *s, size_t n, enum text_ws_mode mode, text_piece_fn *fn, void *arg)
{
	struct plain_fn pf = { fn, arg };

	return text_scan_at(s, n, mode, drop_offsets, &pf);
}

unsigned
text_scan(const char *s, size_t n, text_piece_fn *fn, void *arg)
{
	return text_scan_ws(s, n, TEXT_WS_KEEP, fn, arg);
}

size_t
text_fit(const char *s, size_t n, size_t max_cols, size_t *cols)
{
	size_t i = 0, c = 0;

	while (i < n) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		    (utf8proc_ssize_t)(n - i), &cp);
		int w;

		if (k <= 0) {
			k = 1;
			w = 1;
		} else {
			w = utf8proc_charwidth(cp);
			w = w < 0 ? 1 : w;
		}
		if (c + (size_t)w > max_cols)
			break;
		c += (size_t)w;
		i += (size_t)k;
	}
	/* keep combining marks that follow the last character that fit */
	while (i < n && c > 0) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		    (utf8proc_ssize_t)(n - i), &cp);

		if (k <= 0 || utf8proc_charwidth(cp) != 0)
			break;
		i += (size_t)k;
	}
	if (cols != NULL)
		*cols = c;
	return i;
}
