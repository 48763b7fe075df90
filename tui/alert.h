/* alert.h -- what the broker raises for the console's alert lines:
 * "alert" notifications (store health: store-error, store-recovered, or a
 * code this console does not know) and "circumvention" notifications (a
 * queued request that goes around the controls).  A store-error stays up
 * until store-recovered; the others show for ALERT_SHOW_MS.  Texts are kept
 * raw (bounded) and escaped as hostile text when formatted.  No curses. */
#ifndef SG_ALERT_H
#define SG_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

#include "tui/line.h"

#define ALERT_SHOW_MS 30000
#define ALERT_TEXT_MAX 400

struct alerts {
	bool store_failing;              /* a store-error not yet recovered */
	char store[ALERT_TEXT_MAX + 1];  /* its message, or the recovery's */
	int64_t store_ms;                /* when the store alert arrived (0: none) */
	char code[33];                   /* the other alert's code ("circumvention", ...) */
	char other[ALERT_TEXT_MAX + 1];  /* its text */
	int64_t other_ms;                /* when it arrived (0: none) */
};

/* An "alert" notification's argument {code, message, time_ms}; 0, or -1 if
 * malformed (nothing changes). */
int alerts_on_alert(struct alerts *a, const msgpack_object *arg, int64_t now_ms);
/* A status reply's store_error (nil: the store writes; a string: why it
 * cannot), so a console that (re)connects shows a store error it missed,
 * and drops one that was resolved meanwhile; 0, or -1 if malformed. */
int alerts_on_status(struct alerts *a, const msgpack_object *result, int64_t now_ms);
/* A "circumvention" notification's argument {id, session, agent,
 * circumvention: [{id, text, part}]}; 0 or -1. */
int alerts_on_circumvention(struct alerts *a, const msgpack_object *arg, int64_t now_ms);
/* How many alert lines to show at now_ms (0-2). */
int alerts_lines(const struct alerts *a, int64_t now_ms);
/* Append those lines to out, each at most width columns. */
void alerts_format(const struct alerts *a, lines *out, int width, int64_t now_ms);

#endif
