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

/* ---- whitespace: runs of it must not hide what follows (issue #12) ----
 *
 * A whitespace run is a stretch of spaces, tabs, line breaks (\n \r \v \f)
 * and Unicode spaces (category Zs, e.g. U+00A0, U+3000).  One-line displays
 * collapse runs: a run of 2 to 15 spaces becomes one space, and a run of
 * TEXT_PAD_MIN or more characters of any whitespace becomes a counted marker,
 * " ⟨200 spaces⟩ " or " ⟨3 newlines, 40 spaces⟩ ", so padding can neither
 * push a command's tail out of view nor pass unnoticed.  Shorter runs with
 * tabs or line breaks are shown escaped as before (\t, \n). */
#define TEXT_PAD_MIN 16
/* The same kind of padding with hidden characters: in those modes a run of
 * this many or more of the same escaped character (zero-width space, bidi
 * mark, control) shows once with a count, "<U+200B>×200". */
#define TEXT_REPEAT_MIN 4
/* In wrapped multi-line views (the console's detail, TEXT_WS_COUNT) a run
 * is counted from this length; a leading run of ASCII spaces and tabs (an
 * indentation, as in a diff) is kept. */
#define TEXT_PAD_MIN_WRAPPED 32

struct text_ws {
	size_t bytes;     /* length of the run in bytes */
	size_t spaces, tabs, newlines;
	size_t wide;      /* of the spaces, how many are Unicode spaces (not ' ') */
};

/* If s[0..n) starts with whitespace, describe the run and return its byte
 * length; else 0. */
size_t text_ws_run(const char *s, size_t n, struct text_ws *w);
/* The counted marker for run w ("⟨200 spaces⟩"), NUL-terminated, into buf
 * (64 bytes are enough); returns its length. */
size_t text_ws_marker(const struct text_ws *w, char *buf, size_t cap);

enum text_ws_mode {
	TEXT_WS_KEEP,      /* every character as it is (content, diffs) */
	TEXT_WS_COUNT,     /* runs of TEXT_PAD_MIN_WRAPPED or more after other text become a marker */
	TEXT_WS_COLLAPSE,  /* one-line displays: also 2-15 spaces become one */
};

/* text_scan with whitespace runs handled per mode (text_scan is KEEP).  A
 * marker is handed over as one TEXT_PIECE_ESCAPED piece. */
unsigned text_scan_ws(const char *s, size_t n, enum text_ws_mode mode, text_piece_fn *fn, void *arg);

/* text_scan_ws that also says which bytes of s each piece stands for:
 * s[at..at+len) (len 0 for a space put around a marker). */
typedef int text_piece_at_fn(void *arg, const char *p, size_t n, size_t cols, int kind, size_t at,
    size_t len);
unsigned text_scan_at(const char *s, size_t n, enum text_ws_mode mode, text_piece_at_fn *fn, void *arg);

/* The tail marker of a display cut for width: "…(+312 bytes)" (left is the
 * number of bytes of the text not shown), into buf (32 bytes are enough);
 * returns its length.  Its width is its length minus 2 (the "…"). */
size_t text_tail_marker(size_t left, char *buf, size_t cap);
/* The same for a narrow column: "…(+312B)". */
size_t text_tail_marker_short(size_t left, char *buf, size_t cap);

/* One line of untrusted text for a terminal: escaped like text_escape,
 * whitespace collapsed (TEXT_WS_COLLAPSE), and when it is cut for width
 * (max_cols, 0 = no limit) it ends in "…(+N bytes)" (just "…" when
 * max_cols is too small for that), so a hidden tail is announced.
 * malloc'd; NULL on out of memory. */
char *text_oneline(const char *s, size_t n, size_t max_cols, unsigned *flags);

/* s[0..n) with whitespace runs collapsed as TEXT_WS_COLLAPSE does but
 * nothing escaped (the text stays raw: a display escapes it later), cut to
 * at most max_bytes bytes on a character boundary with "…(+N bytes)" at
 * the end when it does not fit; a NUL byte becomes the text \x00.  For the
 * broker's one-line summary.
 * malloc'd; NULL on out of memory. */
char *text_squeeze(const char *s, size_t n, size_t max_bytes);

/* Width of one code point as text_scan lets it through, or -1 when it
 * would be escaped. */
int text_cp_width(int cp);

/* Longest prefix of s[0..n) (a plain piece from text_scan, or our own
 * text) that fits in max_cols columns; returns its length in bytes and its
 * width in *cols.  Never splits a character. */
size_t text_fit(const char *s, size_t n, size_t max_cols, size_t *cols);

#endif
