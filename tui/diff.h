/* diff.h -- line diff (Myers) for the content view of writes and edits.
 * Works on bytes; callers escape lines before they are shown.  No curses. */
#ifndef SG_DIFF_H
#define SG_DIFF_H

#include <stddef.h>

struct diff_op {
	char op;             /* ' ' same, '-' only in old, '+' only in new */
	int old_no, new_no;  /* 1-based line numbers, 0 where the side has none */
	const char *s;       /* the line without its newline (points into a or b) */
	size_t n;
};

/* Diff a[0..an) against b[0..bn) line by line.  When the two differ in more
 * than max_edits lines the middle is shown as all removed then all added
 * (*approx set).  Returns the number of ops in *out (malloc'd, caller
 * frees), or -1 on out of memory. */
long diff_lines(const char *a, size_t an, const char *b, size_t bn, int max_edits,
    struct diff_op **out, int *approx);

#endif
