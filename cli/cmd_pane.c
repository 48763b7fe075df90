/* cmd_pane.c -- `sandgate pane`: open the console in a tmux side pane of the
 * current window (issue #15).  The pane runs this same binary with
 * `console` (and --oncall / --theme when given); it inherits tmux's
 * environment plus SANDGATE_DIR / SANDGATE_DB / XDG_CONFIG_HOME from ours,
 * so it reaches the same broker. */
#include "cli/cli.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* 'word' for a shell command line (tmux runs the pane's command with sh). */
static void
quote(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	if (n + 1 < cap)
		out[n++] = '\'';
	for (; *s != '\0' && n + 5 < cap; s++) {
		if (*s == '\'') {
			memcpy(out + n, "'\\''", 4);
			n += 4;
		} else {
			out[n++] = *s;
		}
	}
	if (n + 1 < cap)
		out[n++] = '\'';
	out[n] = '\0';
}

static int
run(int argc, char **argv)
{
	const char *size = "40%", *theme = NULL;
	bool oncall = false, dry = false;
	char self[PATH_MAX], cmd[8192], q[PATH_MAX * 4 + 8];
	const char *envs[] = { "SANDGATE_DIR", "SANDGATE_DB", "SANDGATE_CONFIG_DIR", "XDG_CONFIG_HOME",
		"XDG_RUNTIME_DIR", "XDG_STATE_HOME", "SANDGATE_REVIEWER" };
	ssize_t n;
	size_t len = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--oncall") == 0)
			oncall = true;
		else if (strcmp(argv[i], "--dry-run") == 0)
			dry = true;
		else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc)
			size = argv[++i];
		else if (strcmp(argv[i], "--theme") == 0 && i + 1 < argc)
			theme = argv[++i];
		else {
			return cli_bad_arg("pane", argv[i]);
		}
	}
	if (strspn(size, "0123456789") == 0 || strspn(size, "0123456789%") != strlen(size) || strlen(size) > 6) {
		cli_err("pane", "--size must be columns or a percentage (e.g. 40%%)");
		return EXIT_USAGE;
	}
	if (!dry && (getenv("TMUX") == NULL || getenv("TMUX")[0] == '\0')) {
		cli_err("pane", "not inside tmux (run `sandgate console` instead, or start tmux first)");
		return EXIT_USAGE;
	}
	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) < 0) {
		cli_err("pane", "cannot find this program: %s", strerror(errno));
		return EXIT_UNREACHABLE;
	}
	self[n] = '\0';
	len += (size_t)snprintf(cmd + len, sizeof cmd - len, "env");
	for (size_t i = 0; i < sizeof envs / sizeof envs[0]; i++) {
		const char *v = getenv(envs[i]);
		char kv[PATH_MAX + 64];

		if (v == NULL || strlen(v) > PATH_MAX)
			continue;
		snprintf(kv, sizeof kv, "%s=%s", envs[i], v);
		quote(q, sizeof q, kv);
		len += (size_t)snprintf(cmd + len, sizeof cmd - len, " %s", q);
	}
	quote(q, sizeof q, self);
	len += (size_t)snprintf(cmd + len, sizeof cmd - len, " %s console%s", q, oncall ? " --oncall" : "");
	if (theme != NULL) {
		quote(q, sizeof q, theme);
		len += (size_t)snprintf(cmd + len, sizeof cmd - len, " --theme %s", q);
	}
	if (len >= sizeof cmd - 1) {
		cli_err("pane", "the environment is too long");
		return EXIT_USAGE;
	}
	if (dry) {
		printf("tmux split-window -h -d -l %s %s\n", size, cmd);
		return EXIT_OK;
	}
	/* -d: the agent's pane keeps the focus */
	execlp("tmux", "tmux", "split-window", "-h", "-d", "-l", size, cmd, (char *)NULL);
	cli_err("pane", "cannot run tmux: %s", strerror(errno));
	return EXIT_UNREACHABLE;
}

const struct cli_cmd cmd_pane = {
	.name = "pane",
	.args = "[--oncall] [--theme NAME] [--size N|N%] [--dry-run]",
	.summary = "open the console in a tmux side pane of the current window",
	.help =
	    "  --oncall       the console as an on-call reviewer's\n"
	    "  --theme NAME   the console's theme\n"
	    "  --size N|N%    the pane's width (default 40%)\n"
	    "  --dry-run      print the tmux command instead of running it\n"
	    "\n"
	    "Runs `tmux split-window -h -d` with `sandgate console` in the new pane (same\n"
	    "runtime dir, database and config). Exit status: 0 opened, 2 not in tmux, 3 tmux\n"
	    "failed.\n",
	.run = run,
};
