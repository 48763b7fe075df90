/* theme.h -- colour themes as data: a fixed set of semantic roles, each
 * with a foreground, a background and attributes.  Theme files (themes/NAME.theme,
 * embedded in the binary at build time, or $XDG_CONFIG_HOME/sandgate/themes/
 * NAME.theme) only override roles of a monochrome-safe base.  No curses here:
 * draw.c turns styles into curses attributes. */
#ifndef SG_THEME_H
#define SG_THEME_H

#include <stdbool.h>
#include <stddef.h>

/* Semantic roles; a theme file names them in snake_case (theme_role_name). */
enum theme_role {
	TR_NORMAL,
	TR_DIM,
	TR_HEADER,
	TR_TITLE,
	TR_BORDER,
	TR_SELECTED,
	TR_STATUS,
	TR_ERROR,
	TR_KEY,
	TR_RISK_UNKNOWN,
	TR_RISK_LOW,
	TR_RISK_MEDIUM,
	TR_RISK_HIGH,
	TR_RISK_CRITICAL,
	TR_DIFF_ADD,
	TR_DIFF_DEL,
	TR_DIFF_CONTEXT,
	TR_DIFF_HUNK,
	TR_LINE_NUMBER,
	TR_ESCAPED,
	TR_MARK_ADD,
	TR_MARK_DEL,
	TR_MARK_DIFFERS,
	TR_ALLOW,
	TR_DENY,
	TR_PROMPT,
	TR_CONNECTED,
	TR_DISCONNECTED,
	TR_ALERT,          /* the broker's alerts (store errors, circumvention) */
	TR_COUNT
};

/* Attribute bits of a style. */
enum {
	THEME_BOLD = 1 << 0,
	THEME_DIM = 1 << 1,
	THEME_UNDERLINE = 1 << 2,
	THEME_REVERSE = 1 << 3,
	THEME_ITALIC = 1 << 4,
	THEME_STANDOUT = 1 << 5,
};

/* A colour: c256 is used on terminals with 256 colours, c16 (0-15) on
 * smaller ones; -1 is the terminal's default colour. */
struct theme_color {
	short c256, c16;
};

struct theme_style {
	struct theme_color fg, bg;
	unsigned attrs;
};

typedef struct theme theme;

/* Limits on theme files (outside input). */
#define THEME_MAX_BYTES (64 * 1024)
#define THEME_MAX_LINE 512
#define THEME_MAX_DEPTH 4

/* A new theme holding the monochrome-safe base; NULL on out of memory. */
theme *theme_new(void);
void theme_free(theme *t);

/* Apply theme file text (len bytes, need not be NUL-terminated) over t.
 * fname names the file in messages.  `inherit = NAME` may only name a
 * built-in theme.  0 on success, -1 with "FILE:LINE: reason" in err (t may
 * then be partly changed). */
int theme_apply(theme *t, const char *text, size_t len, const char *fname, char *err, size_t errlen);

/* Load theme NAME: $XDG_CONFIG_HOME/sandgate/themes/NAME.theme if it exists,
 * else the built-in one.  NULL with a one-line reason in err. */
theme *theme_load(const char *name, char *err, size_t errlen);

/* Name the theme was loaded as ("" for a bare base). */
const char *theme_name(const theme *t);
const struct theme_style *theme_style(const theme *t, enum theme_role r);
const char *theme_role_name(enum theme_role r);
/* Role index for a snake_case name, or -1. */
int theme_role_by_name(const char *s, size_t n);

/* Built-in themes embedded at build time. */
size_t theme_builtin_count(void);
const char *theme_builtin_name(size_t i);
/* Text of built-in theme name, or NULL. */
const char *theme_builtin_text(const char *name, size_t *len);

#endif
