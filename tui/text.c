/* text.c -- escape untrusted text for display, with real display widths. */
#include "tui/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

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
