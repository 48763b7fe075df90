/* layout.c -- compute the console's rectangles from LINES and COLS. */
#include "tui/layout.h"

void
layout_compute(int cols, int rows, struct layout *out)
{
	*out = (struct layout){ .rows = rows, .cols = cols };
	if (cols < LAYOUT_MIN_COLS || rows < LAYOUT_MIN_ROWS) {
		out->mode = LAYOUT_TOO_SMALL;
		out->status = (struct rect){ 0, 0, rows > 0 ? 1 : 0, cols > 0 ? cols : 0 };
		return;
	}
	out->header = (struct rect){ 0, 0, 1, cols };
	out->status = (struct rect){ rows - 1, 0, 1, cols };
	if (cols < LAYOUT_WIDE_COLS) {
		out->mode = LAYOUT_NARROW;
		out->list = (struct rect){ 1, 0, rows - 2, cols };
		out->detail = out->list;
		return;
	}
	out->mode = LAYOUT_WIDE;
	{
		/* issue #16: the list gives commands room (66 columns at 120) */
		int lw = cols * 55 / 100;

		if (lw < 56)
			lw = 56;
		if (lw > 96)
			lw = 96;
		out->list = (struct rect){ 1, 0, rows - 2, lw };
		out->sep = (struct rect){ 1, lw, rows - 2, 1 };
		out->detail = (struct rect){ 1, lw + 1, rows - 2, cols - lw - 1 };
	}
}

void
layout_take_bottom(struct layout *l, int n, struct rect *out)
{
	*out = (struct rect){ l->status.y, 0, 0, l->cols };
	if (l->mode == LAYOUT_TOO_SMALL || n <= 0)
		return;
	if (n > l->list.h - 2)
		n = l->list.h - 2 > 0 ? l->list.h - 2 : 0;
	l->list.h -= n;
	l->detail.h -= n;
	if (l->mode == LAYOUT_WIDE)
		l->sep.h -= n;
	*out = (struct rect){ l->status.y - n, 0, n, l->cols };
}
