/* layout.h -- where each part of the console goes for a terminal size.
 * Designed for a 60x20 tmux side pane first: one column (queue, or detail
 * after Enter); two panes side by side from LAYOUT_WIDE_COLS columns; one
 * "pane too small" line below LAYOUT_MIN_COLS x LAYOUT_MIN_ROWS.  Pure. */
#ifndef SG_LAYOUT_H
#define SG_LAYOUT_H

#define LAYOUT_MIN_COLS 40
#define LAYOUT_MIN_ROWS 8
#define LAYOUT_WIDE_COLS 120

enum layout_mode { LAYOUT_TOO_SMALL, LAYOUT_NARROW, LAYOUT_WIDE };

struct rect {
	int y, x, h, w;
};

struct layout {
	enum layout_mode mode;
	int rows, cols;
	struct rect header;   /* top line: title, counts, connection */
	struct rect list;     /* queue/rules/audit/agents list */
	struct rect detail;   /* detail pane (wide: right of list; narrow: same as list) */
	struct rect sep;      /* wide: the vertical separator column */
	struct rect status;   /* bottom line: messages, prompts, key hints */
};

void layout_compute(int cols, int rows, struct layout *out);
/* Take n rows (at most what leaves the list 2 rows) from the bottom of the
 * list and detail panes for lines drawn just above the status line; their
 * rectangle into *out (h 0 when none fit). */
void layout_take_bottom(struct layout *l, int n, struct rect *out);

#endif
