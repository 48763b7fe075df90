/* cmd_hook.c -- `sandgate hook claude-code|codex|gemini`: the command an
 * agent runs as its pre-tool hook (hook JSON on stdin, answer on stdout). */
#include "cli/cli.h"
#include "cli/hook.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Seconds in [1, 86400] from text, or -1. */
static int
parse_seconds(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	return end != s && *end == '\0' && v >= 1 && v <= 86400 ? (int)v : -1;
}

/* Whatever goes wrong before an adapter is chosen still answers the agent
 * with a blocking status (2), which every supported agent treats as deny. */
static int
run(int argc, char **argv)
{
	const struct hook_adapter *a;
	const char *t = getenv("SANDGATE_HOOK_TIMEOUT");
	bool print_only = false;
	int deadline;

	if (argc < 2 || (a = hook_adapter_find(argv[1])) == NULL) {
		cli_err("hook", "expected claude-code, codex or gemini%s%s", argc >= 2 ? ", not " : "",
		    argc >= 2 ? argv[1] : "");
		return 2;
	}
	deadline = a->default_deadline_s;
	if (t != NULL && t[0] != '\0' && (deadline = parse_seconds(t)) < 0) {
		cli_err("hook", "SANDGATE_HOOK_TIMEOUT must be 1 to 86400 seconds; using %d",
		    a->default_deadline_s);
		deadline = a->default_deadline_s;
	}
	for (int i = 2; i < argc; i++) {
		if ((strcmp(argv[i], "--timeout") == 0 || strcmp(argv[i], "-t") == 0) && i + 1 < argc) {
			int v = parse_seconds(argv[++i]);

			if (v < 0)
				cli_err("hook", "--timeout must be 1 to 86400 seconds; using %d", deadline);
			else
				deadline = v;
		} else if (strcmp(argv[i], "--print-request") == 0) {
			print_only = true;
		} else {
			cli_err("hook", "ignoring unknown argument '%s'", argv[i]);
		}
	}
	return hook_run(a, deadline, print_only);
}

const struct cli_cmd cmd_hook = {
	.name = "hook",
	.args = "claude-code|codex|gemini [--timeout SEC] [--print-request]",
	.summary = "agent hook adapter: hook JSON on stdin, decision JSON on stdout",
	.help =
	    "  -t, --timeout SEC   the hook's own deadline from its start (also\n"
	    "                      $SANDGATE_HOOK_TIMEOUT); default 590 for claude-code and\n"
	    "                      codex (their hook timeout is 600), 55 for gemini (60).\n"
	    "                      Keep it below the agent's hook timeout.\n"
	    "  --print-request     print the request the hook would submit (JSON) and\n"
	    "                      send nothing; exits 2, which agents treat as a block.\n"
	    "\n"
	    "Events: claude-code and codex answer PreToolUse and PermissionRequest, gemini\n"
	    "answers BeforeTool.  Every failure (broker unreachable or gone, malformed or\n"
	    "oversized input, the deadline) answers deny: the agent's deny JSON with exit\n"
	    "status 0, or exit status 2 with a deny on stdout when the input could not\n"
	    "be read as one of the events.  Install with `sandgate install AGENT`.\n"
	    "Formats and sources: docs/integrations.md.\n",
	.run = run,
};
