/* draw.h -- the only module (with console.c's setup) that calls curses:
 * paints attributed lines into rectangles with the theme's attributes. */
#ifndef SG_DRAW_H
#define SG_DRAW_H

#include <stdbool.h>

#include "tui/layout.h"
#include "tui/line.h"
#include "tui/theme.h"

/* Set up colour pairs for theme t (use_colour false: attributes only). */
void draw_init(const theme *t, bool use_colour);
/* Paint lines [first, first + r.h) into rectangle r; rows past the end are
 * cleared.  Each line is clipped to r.w columns. */
void draw_lines(const struct rect *r, const lines *l, size_t first);
/* Paint one line at row y of r. */
void draw_line(const struct rect *r, int y, const lines *l, size_t i);
/* Fill rectangle r with spaces in role. */
void draw_clear(const struct rect *r, int role);
/* A vertical bar in the border role down rectangle r. */
void draw_vbar(const struct rect *r);

#endif
