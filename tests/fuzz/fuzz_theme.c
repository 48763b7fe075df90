/* fuzz_theme.c -- libFuzzer target for theme files (outside input): any
 * bytes must give a theme or a one-line FILE:LINE error, never a crash, and
 * the error never carries a control byte to the terminal. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tui/theme.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	theme *t;
	char err[256];

	if (size > THEME_MAX_BYTES + 16)
		return 0;
	if ((t = theme_new()) == NULL)
		return 0;
	if (theme_apply(t, (const char *)data, size, "fuzz.theme", err, sizeof err) < 0) {
		for (const char *p = err; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				abort();
	} else {
		for (int r = 0; r < TR_COUNT; r++) {
			const struct theme_style *s = theme_style(t, (enum theme_role)r);

			if (s->fg.c256 < -1 || s->fg.c256 > 255 || s->bg.c256 < -1 || s->bg.c256 > 255)
				abort();
		}
	}
	theme_free(t);
	return 0;
}
