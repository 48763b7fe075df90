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

struct out {
	char *buf;
	size_t len, cap, cols, max_cols;
	int full;
};

/* Append a piece of cols columns; refuses (and marks full) past max_cols. */
static int
put(struct out *o, const char *p, size_t n, size_t cols)
{
	if (o->full)
		return -1;
	if (o->max_cols > 0 && o->cols + cols > o->max_cols - 1) {
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

char *
text_escape(const char *s, size_t n, size_t max_cols, unsigned *flags)
{
	struct out o = { .max_cols = max_cols };
	unsigned f = 0;
	size_t i = 0;
	int r = 0;

	o.cap = n + 16;
	o.buf = malloc(o.cap);
	if (o.buf == NULL)
		return NULL;
	while (i < n && r == 0) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		    (utf8proc_ssize_t)(n - i), &cp);
		char tmp[16];

		if (k <= 0) {
			f |= TEXT_HAD_INVALID;
			r = put_control(&o, (unsigned char)s[i]);
			i++;
			continue;
		}
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			f |= TEXT_HAD_CONTROL;
			r = cp < 0x80 ? put_control(&o, (unsigned char)cp)
			              : put(&o, tmp, (size_t)snprintf(tmp, sizeof tmp, "<U+%04X>", cp), 8);
		} else if (is_bidi(cp) || is_invisible(cp)) {
			f |= is_bidi(cp) ? TEXT_HAD_BIDI : TEXT_HAD_INVISIBLE;
			int len = snprintf(tmp, sizeof tmp, "<U+%04X>", cp);
			r = put(&o, tmp, (size_t)len, (size_t)len);
		} else {
			int w = utf8proc_charwidth(cp);

			/* a combining mark at the start would join the previous cell */
			if (w == 0 && o.len == 0) {
				int len = snprintf(tmp, sizeof tmp, "<U+%04X>", cp);
				r = put(&o, tmp, (size_t)len, (size_t)len);
			} else {
				r = put(&o, s + i, (size_t)k, (size_t)(w < 0 ? 1 : w));
			}
		}
		i += (size_t)k;
	}
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
	text_piece_fn *fn;
	void *arg;
	const char *run;   /* start of the pending plain run */
	size_t run_len, run_cols;
	int stopped;
};

static void
flush_run(struct scan *sc)
{
	if (sc->run_len > 0 && !sc->stopped)
		sc->stopped = sc->fn(sc->arg, sc->run, sc->run_len, sc->run_cols, TEXT_PIECE_PLAIN);
	sc->run_len = sc->run_cols = 0;
}

static void
emit(struct scan *sc, const char *p, size_t n, int kind)
{
	flush_run(sc);
	if (!sc->stopped)
		sc->stopped = sc->fn(sc->arg, p, n, n, kind);
}

static void
emit_cp(struct scan *sc, int cp)
{
	char tmp[16];
	int len = snprintf(tmp, sizeof tmp, "<U+%04X>", (unsigned)cp);

	emit(sc, tmp, (size_t)len, TEXT_PIECE_ESCAPED);
}

static void
emit_byte(struct scan *sc, unsigned char c)
{
	char tmp[8];

	switch (c) {
	case '\n': emit(sc, "\\n", 2, TEXT_PIECE_ESCAPED); return;
	case '\r': emit(sc, "\\r", 2, TEXT_PIECE_ESCAPED); return;
	case 0x1b: emit(sc, "\\e", 2, TEXT_PIECE_ESCAPED); return;
	default:
		snprintf(tmp, sizeof tmp, "\\x%02x", c);
		emit(sc, tmp, 4, TEXT_PIECE_ESCAPED);
	}
}

unsigned
text_scan(const char *s, size_t n, text_piece_fn *fn, void *arg)
{
	struct scan sc = { .fn = fn, .arg = arg };
	unsigned f = 0;
	size_t i = 0;
	int marks = -1; /* combining marks since the last base character; -1: no base */

	while (i < n && !sc.stopped) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		    (utf8proc_ssize_t)(n - i), &cp);
		int w;

		if (k <= 0) {
			f |= TEXT_HAD_INVALID;
			emit_byte(&sc, (unsigned char)s[i]);
			marks = -1;
			i++;
			continue;
		}
		if (cp == '\t') {
			f |= TEXT_HAD_CONTROL;
			emit(&sc, "\\t", 2, TEXT_PIECE_TAB);
			marks = -1;
		} else if (cp < 0x20 || cp == 0x7f) {
			f |= TEXT_HAD_CONTROL;
			emit_byte(&sc, (unsigned char)cp);
			marks = -1;
		} else if ((w = text_cp_width(cp)) < 0 || (w == 0 && (marks < 0 || marks >= 2))) {
			f |= (cp >= 0x80 && cp < 0xa0) ? TEXT_HAD_CONTROL
			    : is_bidi(cp) ? TEXT_HAD_BIDI : TEXT_HAD_INVISIBLE;
			emit_cp(&sc, cp);
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
