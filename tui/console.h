/* console.h -- the ncurses console: one loop polling the terminal and the
 * broker's console socket; it never blocks on the broker, reconnects when
 * the broker restarts, and starts one in the background if none runs. */
#ifndef SG_CONSOLE_H
#define SG_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#include "tui/model.h"

struct console_opts {
	const char *theme;      /* --theme NAME, or NULL (dark; mono under NO_COLOR) */
	const char *reviewer;   /* display name sent with decisions */
	bool oncall;            /* on-call reviewer: say so in the header */
	bool start_broker;      /* start `sandgate broker` if none answers */
	long max_iterations;    /* stop after this many loop iterations (0: never) */
};

typedef struct console console;

/* Run the console until the reviewer quits.  Returns a process exit code;
 * on failure before curses starts, prints the reason to stderr. */
int console_run(const struct console_opts *opts);

/* Offline use (benchmark, tests): a console over model m on the curses
 * screen the caller set up, with no broker. */
console *console_offline(model *m, const struct console_opts *opts, char *err, size_t errlen);
/* Build and draw one frame at wall time now_ms. */
void console_frame(console *c, int64_t now_ms);
/* Handle one key as if typed; returns nonzero if the console would quit. */
int console_key(console *c, int key);
void console_free(console *c);

#endif
