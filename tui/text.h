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

/* What text_scan hands its callback. */
enum text_piece_kind {
	TEXT_PIECE_PLAIN,   /* printable text, shown as is */
	TEXT_PIECE_ESCAPED, /* a visible stand-in for hidden bytes: \e, \x07, <U+202E> */
	TEXT_PIECE_TAB,     /* a tab: the caller expands it (p is "\t") */
};

/* Called for each piece: p[0..n) is printable UTF-8 that takes cols
 * columns.  Return nonzero to stop the scan. */
typedef int text_piece_fn(void *arg, const char *p, size_t n, size_t cols, int kind);

/* Split untrusted s[0..n) into printable pieces for a terminal.  Stricter
 * than text_escape: besides controls, bidi and invisible characters it also
 * escapes code points the C library and utf8proc disagree on the width of
 * (or that are unassigned, private or surrogates), and runs of more than two
 * combining marks, so a piece's cols is exactly what the terminal draws.
 * Needs a UTF-8 LC_CTYPE to pass non-ASCII text through.  Returns TEXT_*
 * flags of what was escaped. */
unsigned text_scan(const char *s, size_t n, text_piece_fn *fn, void *arg);

/* Width of one code point as text_scan lets it through, or -1 when it
 * would be escaped. */
int text_cp_width(int cp);

/* Longest prefix of s[0..n) (a plain piece from text_scan, or our own
 * text) that fits in max_cols columns; returns its length in bytes and its
 * width in *cols.  Never splits a character. */
size_t text_fit(const char *s, size_t n, size_t max_cols, size_t *cols);

#endif
