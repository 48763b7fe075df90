/* line.h -- attributed lines: what every view formats and draw.c paints.
 * A line is a list of spans (role + printable UTF-8 + display width).
 * Untrusted text goes in through lines_put_untrusted, which escapes it
 * (text_scan) so nothing but printable characters of known width ever
 * reaches the terminal.  No curses here. */
#ifndef SG_LINE_H
#define SG_LINE_H

#include <stddef.h>
#include <stdint.h>

#include "tui/text.h"

typedef struct lines lines;

struct span {
	uint32_t off, len;  /* bytes in the text buffer */
	uint32_t cols;      /* display width */
	uint8_t role;       /* enum theme_role */
};

/* One line as draw code sees it; pointers valid until the next change. */
struct line_view {
	const struct span *sp;
	size_t nsp;
	const char *text;   /* base of the span offsets */
	int cols;           /* total width */
	int fill;           /* role for the rest of the row, -1: normal */
	long tag;           /* caller data (e.g. which row of a list), -1 none */
};

lines *lines_new(void);
void lines_free(lines *l);
/* Forget every line, keep the memory. */
void lines_reset(lines *l);
/* Wrap at width columns, indenting continuation rows by indent (0: no wrap). */
void lines_wrap(lines *l, int width, int indent);
/* Expand tabs to spaces (1) or show them escaped as \t (0, the default). */
void lines_expand_tabs(lines *l, int on);
/* How lines_put_untrusted shows runs of whitespace (text.h): TEXT_WS_KEEP
 * (the default), or TEXT_WS_COUNT (long runs after text become a counted
 * marker, so padding cannot push what follows out of view). */
void lines_whitespace(lines *l, enum text_ws_mode mode);

/* Start a new line; its index. */
size_t lines_newline(lines *l);
void lines_fill(lines *l, int role);
void lines_tag(lines *l, long tag);
/* Our own text (printable, known width). */
void lines_put(lines *l, int role, const char *s);
void lines_putn(lines *l, int role, const char *s, size_t n);
void lines_printf(lines *l, int role, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Text that came from outside: escaped pieces get the escaped role.
 * Returns the TEXT_* flags of what was escaped. */
unsigned lines_put_untrusted(lines *l, int role, const char *s, size_t n);
/* One line of untrusted text: like lines_put_untrusted with whitespace
 * collapsed (TEXT_WS_COLLAPSE), at most max_cols columns; a cut ends in
 * "…(+N bytes)" (N: bytes not shown), or "…" in a narrow column (never
 * wraps). */
unsigned lines_put_clip(lines *l, int role, const char *s, size_t n, int max_cols);
/* Pad the current line with spaces up to column col. */
void lines_pad_to(lines *l, int role, int col);
/* Column of the end of the current line. */
int lines_col(const lines *l);

size_t lines_count(const lines *l);
void lines_get(const lines *l, size_t i, struct line_view *out);
/* The plain text of every line (no attributes), each line's trailing
 * spaces dropped, trailing empty lines dropped, joined with '\n' (no final
 * newline): what a screen capture of them reads.  malloc'd (*len bytes,
 * NUL-terminated), or NULL on out of memory. */
char *lines_text(const lines *l, size_t *len);
/* Nonzero once an allocation failed (lines are then incomplete). */
int lines_oom(const lines *l);

#endif
