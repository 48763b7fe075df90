/* text.h -- hostile text made safe to show: every string that came from an
 * agent goes through text_escape before it reaches a terminal.  No curses. */
#ifndef SG_TEXT_H
#define SG_TEXT_H

#include <stddef.h>

/* What text_escape found (bit flags). */
enum {
	TEXT_HAD_CONTROL = 1 << 0,  /* C0/C1 controls, DEL, ESC sequences */
	TEXT_HAD_BIDI = 1 << 1,     /* bidi embeddings, overrides, isolates, marks */
	TEXT_HAD_INVISIBLE = 1 << 2,/* zero-width and other format characters */
	TEXT_HAD_INVALID = 1 << 3,  /* bytes that are not UTF-8 */
	TEXT_TRUNCATED = 1 << 4,
};

/* Return a malloc'd NUL-terminated copy of s[0..n) in which controls show as
 * \n \t \r \e \xNN, bidi and invisible characters as <U+XXXX>, invalid UTF-8
 * as \xNN; newlines are kept as "\n" text so the result is one line.  At most
 * max_cols display columns (0 = no limit); a cut ends in "…".  *flags (may be
 * NULL) receives TEXT_* bits.  NULL on out of memory. */
char *text_escape(const char *s, size_t n, size_t max_cols, unsigned *flags);

/* Display width of valid UTF-8 text that text_escape produced. */
size_t text_width(const char *s);

#endif
