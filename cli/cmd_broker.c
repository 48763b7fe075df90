/* cmd_broker.c -- `sandgate broker`: run the daemon. */
#include "cli/cli.h"
#include "broker/broker.h"
#include "broker/rules/preset.h"

#include "proto/paths.h"

#include <getopt.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

/* First run (issue #16): where the detached broker is and what to do next. */
static void
say_started(bool system)
{
	char *dir, *db, *lock;
	char pid[32] = "?";
	FILE *f;

	if (system)
		paths_set_system(true);
	dir = paths_runtime_dir();
	db = paths_db();
	lock = dir != NULL ? paths_join(dir, "broker.lock") : NULL;
	if (lock != NULL && (f = fopen(lock, "r")) != NULL) {
		if (fgets(pid, sizeof pid, f) == NULL)
			snprintf(pid, sizeof pid, "?");
		pid[strcspn(pid, "\n")] = '\0';
		fclose(f);
	}
	if (!isatty(STDOUT_FILENO)) /* a script: one line */
		printf("sandgate broker: running, pid %s, runtime dir %s\n", pid, dir != NULL ? dir : "?");
	else
		printf("sandgate broker: running, pid %s\n"
		       "  runtime dir %s (agent.sock for agents, console.sock for reviewers)\n"
		       "  database    %s\n"
		       "  log         %s/broker.log\n"
		       "next: `sandgate` opens the console (in tmux: `sandgate pane`); connect an agent\n"
		       "with `sandgate install claude-code` (or codex, gemini); try `sandgate ask -- npm test`\n",
		    pid, dir != NULL ? dir : "?", db != NULL ? db : "?", dir != NULL ? dir : "?");
	free(dir);
	free(db);
	free(lock);
}

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ "preset", required_argument, NULL, 'p' },
		{ "system", no_argument, NULL, 'S' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct broker_opts bo = { .ready_fd = -1 };
	pid_t self;
	bool quiet = false;
	int c, rc;

	optind = 1;
	while ((c = cli_getopt("broker", argc, argv, "+ft:p:q", opts)) != -1) {
		switch (c) {
		case 'f':
			bo.foreground = true;
			break;
		case 'S':
			bo.system = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 't': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end != '\0' || v < 1 || v > 86400) {
				cli_err("broker", "--timeout must be 1 to 86400 seconds");
				return EXIT_USAGE;
			}
			bo.timeout_s = (int)v;
			break;
		}
		case 'p':
			if (strcmp(optarg, "none") != 0 && preset_find(optarg) == NULL) {
				cli_err("broker", "--preset must be none or one of: %s", preset_names());
				return EXIT_USAGE;
			}
			bo.preset = optarg;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		cli_err("broker", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	self = getpid();
	rc = broker_main(&bo);
	/* the detached broker's own return (after it stopped) prints nothing */
	if (rc == EXIT_OK && !bo.foreground && !quiet && getpid() == self)
		say_started(bo.system);
	return rc;
}

const struct cli_cmd cmd_broker = {
	.name = "broker",
	.args = "[--foreground] [--system] [--timeout SEC] [--preset NAME|none] [--quiet]",
	.summary = "run the broker daemon (detaches unless --foreground)",
	.help =
	    "  -f, --foreground   stay attached and log to stderr\n"
	    "  -t, --timeout SEC  default deadline of a request (config key `timeout`)\n"
	    "  -q, --quiet        print nothing once started (detached)\n"
	    "  -p, --preset NAME  rules installed once per database, or none (config key\n"
	    "                     `preset`, default routine: allow what the scorer rates low)\n"
	    "      --system       the machine's broker, run as a user of its own: runtime dir\n"
	    "                     /run/sandgate (0755; its parent must be root's), agent.sock\n"
	    "                     0666 for every local user (or 0660 to `agent_group`),\n"
	    "                     console.sock 0660 to `console_group` (else 0600), DB\n"
	    "                     /var/lib/sandgate/sandgate.db, config /etc/sandgate/config\n"
	    "                     (SANDGATE_SYSTEM=1 does the same; docs/SYSTEM-BROKER.md)\n"
	    "\n"
	    "The broker listens on agent.sock and console.sock in the runtime dir\n"
	    "($SANDGATE_DIR, else $XDG_RUNTIME_DIR/sandgate, else /tmp/sandgate-$UID) and\n"
	    "records to $SANDGATE_DB (else $XDG_STATE_HOME/sandgate/sandgate.db); its config\n"
	    "is $SANDGATE_CONFIG_DIR/config (else $XDG_CONFIG_HOME/sandgate/config).  It\n"
	    "refuses a runtime dir, lock or socket file that is not its own.\n"
	    "Detached, it prints its pid and runtime dir once it listens (on a terminal\n"
	    "also its database, log, and how to connect an agent).\n"
	    "Exit status: 0 started (detached) or after a clean stop (SIGTERM, --foreground),\n"
	    "2 usage, 3 if it could not start (e.g. one already runs in that runtime dir).\n",
	.run = run,
};
