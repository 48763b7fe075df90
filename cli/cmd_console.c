/* cmd_console.c -- `sandgate console` (and bare `sandgate`): the TUI. */
#include "cli/cli.h"
#include "tui/console.h"
#include "tui/theme.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "oncall", no_argument, NULL, 'o' },
		{ "theme", required_argument, NULL, 't' },
		{ "no-start", no_argument, NULL, 'n' },
		{ "exit-after", required_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	struct console_opts co = { .reviewer = cli_reviewer_name(), .start_broker = true };
	char err[512];
	int ch;

	optind = 1;
	while ((ch = cli_getopt("console", argc, argv, "ot:", opts)) != -1) {
		switch (ch) {
		case 'o':
			co.oncall = true;
			break;
		case 't':
			co.theme = optarg;
			break;
		case 'n':
			co.start_broker = false;
			break;
		case 'x': {
			char *end;

			co.max_iterations = strtol(optarg, &end, 10);
			if (*end != '\0' || co.max_iterations < 1) {
				cli_err("console", "--exit-after takes a positive number of loop iterations");
				return EXIT_USAGE;
			}
			break;
		}
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		cli_err("console", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (co.theme != NULL) {
		theme *t = theme_load(co.theme, err, sizeof err);

		if (t == NULL) {
			cli_err("console", "%s", err);
			return EXIT_USAGE;
		}
		theme_free(t);
	}
	return console_run(&co);
}

const struct cli_cmd cmd_console = {
	.name = "console",
	.args = "[--oncall] [--theme NAME]",
	.summary = "the reviewer's console (also: `sandgate` with no arguments)",
	.help =
	    "  -o, --oncall       on-call reviewer (shown in the header)\n"
	    "  -t, --theme NAME   dark (default), light, high-contrast, mono, or\n"
	    "                     $XDG_CONFIG_HOME/sandgate/themes/NAME.theme\n"
	    "      --no-start     do not start a broker when none is running\n"
	    "      --exit-after N stop after N loop iterations (tests)\n"
	    "\n"
	    "Starts the broker in the background if none runs, and reconnects when it\n"
	    "restarts.  NO_COLOR (non-empty) selects the mono theme unless --theme is\n"
	    "given.  Press ? in the console for every key.  See docs/CONSOLE.md.\n",
	.run = run,
};
