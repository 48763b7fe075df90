/* view_help.c -- the help overlay, built from the key table. */
#include "tui/view.h"
#include "tui/keys.h"
#include "tui/theme.h"

#include <string.h>

void
view_help(lines *out, int width)
{
	size_t n;
	const struct key_binding *k = keys_table(&n);

	lines_wrap(out, 0, 0);
	lines_newline(out);
	lines_put(out, TR_TITLE, " sandgate console keys");
	lines_put(out, TR_DIM, "   (any key closes)");
	for (size_t i = 0; i < n; i++) {
		char names[64] = "";
		bool seen = false;

		/* one row per action: all its keys together */
		for (size_t j = 0; j < i; j++)
			seen |= k[j].action == k[i].action;
		if (seen)
			continue;
		keys_names(k[i].action, names, sizeof names);
		lines_newline(out);
		lines_wrap(out, width, 17);
		lines_put(out, TR_NORMAL, " ");
		lines_put(out, TR_KEY, names);
		lines_pad_to(out, TR_NORMAL, 17);
		lines_put(out, TR_NORMAL, k[i].help);
		lines_wrap(out, width, 0);
	}
	lines_newline(out);
	lines_wrap(out, width, 17);
	lines_put(out, TR_NORMAL, " ");
	lines_put(out, TR_KEY, "mouse");
	lines_pad_to(out, TR_NORMAL, 17);
	lines_put(out, TR_NORMAL, "click selects a row or focuses a pane; the wheel scrolls");
	lines_wrap(out, width, 0);
}
