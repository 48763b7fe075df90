/* narrowui.h -- the console's narrowing (issue #14): `e` on a request whose
 * requester can apply a changed input opens a one-line editor with its
 * command, path or URL; Enter asks the broker to score the edit (decide's
 * dry_run) and shows what changes, the new risk, and asks to confirm.
 * `p` hands a request to the agent's own prompt where it has one.  The
 * parts without curses; console.c does the calls and keys. */
#ifndef SG_TUI_NARROWUI_H
#define SG_TUI_NARROWUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

#include "tui/line.h"
#include "tui/model.h"

struct narrow_ui {
	int64_t id;
	char field[16];            /* command, path or url */
	char orig[1024];           /* the request's value */
	char text[1024];           /* the reviewer's */
	enum risk_level level, olevel;
	int score, oscore;
	bool higher;               /* scores above the request: confirmed at its level */
	char diff[4096];           /* the intent's differences, "-…\n+…\n" */
	char why[512];             /* the narrowed risk's first reasons */
};

/* Does r's requester accept `what` ("narrow", "ask")? */
bool narrowui_accepts(const struct mreq *r, const char *what);

/* Start editing r: the field and its value; false with err when the
 * console cannot narrow it (not accepted, argv, too long to edit here). */
bool narrowui_start(struct narrow_ui *n, const struct mreq *r, char *err, size_t cap);

/* Fill the preview from decide's dry_run result and r's own intent. */
void narrowui_preview(struct narrow_ui *n, const msgpack_object *res, const struct mreq *r);

/* The confirmation box. */
void narrowui_format(const struct narrow_ui *n, lines *l, int width);

#endif
