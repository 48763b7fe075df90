/* draw.c -- paint attributed lines with curses. */
#include "tui/draw.h"
#include "tui/text.h"

#include <curses.h>
#include <string.h>

static attr_t role_attr[TR_COUNT];

/* Pick the colour for this terminal: 256-colour value, else the 16/8 one. */
static short
pick(const struct theme_color *c)
{
	if (c->c256 < 0 && c->c16 < 0)
		return -1;
	if (COLORS >= 256 && c->c256 >= 0)
		return c->c256;
	if (c->c16 >= 0)
		return COLORS >= 16 ? c->c16 : (short)(c->c16 % 8);
	return c->c256 >= 0 && c->c256 < COLORS ? c->c256 : -1;
}

void
draw_init(const theme *t, bool use_colour)
{
	bool colour = use_colour && has_colors() && start_color() == OK;

	if (colour)
		use_default_colors();
	for (int r = 0; r < TR_COUNT; r++) {
		const struct theme_style *s = theme_style(t, (enum theme_role)r);
		attr_t a = A_NORMAL;

		if (s->attrs & THEME_BOLD) a |= A_BOLD;
		if (s->attrs & THEME_DIM) a |= A_DIM;
		if (s->attrs & THEME_UNDERLINE) a |= A_UNDERLINE;
		if (s->attrs & THEME_REVERSE) a |= A_REVERSE;
		if (s->attrs & THEME_ITALIC) a |= A_ITALIC;
		if (s->attrs & THEME_STANDOUT) a |= A_STANDOUT;
		if (colour && r + 1 < COLOR_PAIRS) {
			short fg = pick(&s->fg), bg = pick(&s->bg);

			if (fg != -1 || bg != -1) {
				init_pair((short)(r + 1), fg, bg);
				a |= COLOR_PAIR(r + 1);
			}
		}
		role_attr[r] = a;
	}
}

static attr_t
attr_of(int role)
{
	return role >= 0 && role < TR_COUNT ? role_attr[role] : A_NORMAL;
}

void
draw_line(const struct rect *r, int y, const lines *l, size_t i)
{
	struct line_view v;
	int col = 0;

	lines_get(l, i, &v);
	move(r->y + y, r->x);
	for (size_t k = 0; k < v.nsp && col < r->w; k++) {
		const struct span *s = &v.sp[k];
		const char *p = v.text + s->off;
		size_t n = s->len, c = s->cols;

		if (col + (int)c > r->w)
			n = text_fit(p, n, (size_t)(r->w - col), &c);
		attrset(attr_of(s->role));
		addnstr(p, (int)n);
		col += (int)c;
		/* re-anchor after every span: a width the terminal sees otherwise
		 * could never shift what follows */
		move(r->y + y, r->x + col);
	}
	if (col < r->w)
		mvhline(r->y + y, r->x + col, ' ' | attr_of(v.fill >= 0 ? v.fill : TR_NORMAL), r->w - col);
	attrset(A_NORMAL);
}

void
draw_lines(const struct rect *r, const lines *l, size_t first)
{
	size_t n = lines_count(l);

	for (int y = 0; y < r->h; y++) {
		if (first + (size_t)y < n)
			draw_line(r, y, l, first + (size_t)y);
		else
			mvhline(r->y + y, r->x, ' ' | attr_of(TR_NORMAL), r->w);
	}
}

void
draw_clear(const struct rect *r, int role)
{
	for (int y = 0; y < r->h; y++)
		mvhline(r->y + y, r->x, ' ' | attr_of(role), r->w);
}

void
draw_vbar(const struct rect *r)
{
	mvvline(r->y, r->x, ACS_VLINE | attr_of(TR_BORDER), r->h);
}
