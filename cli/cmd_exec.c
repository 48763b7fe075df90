/* cmd_exec.c -- `sandgate exec [ask options] -- CMD...`: ask the broker, and
 * run CMD (in place of this process) only if the request is allowed.  A guard
 * for scripts and for processes inside `sandgate sandbox`. */
#include "cli/cli.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static int
run(int argc, char **argv)
{
	char **words = NULL;
	int nwords = 0;
	int rc = ask_request("exec", argc, argv, &nwords, &words);

	if (rc != EXIT_OK)
		return rc;
	if (nwords <= 0 || words == NULL) {
		cli_err("exec", "nothing to run: give the command after --");
		return EXIT_USAGE;
	}
	fflush(stdout);
	/* what was asked is what runs: one word is a shell command line */
	if (nwords == 1)
		execl("/bin/sh", "sh", "-c", words[0], (char *)NULL);
	else
		execvp(words[0], words);
	cli_err("exec", "cannot run %s: %s", nwords == 1 ? "/bin/sh" : words[0], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

const struct cli_cmd cmd_exec = {
	.name = "exec",
	.args = "[--kind K] [--agent A] [--session S] [--cwd D] [--timeout SEC] [--json] -- CMD...",
	.summary = "ask the broker, then run CMD only if it is allowed",
	.help =
	    "Takes the options of `sandgate ask` (see `sandgate ask --help`).  The request\n"
	    "is kind exec by default and always carries CMD: one word after -- is a shell\n"
	    "command line run with /bin/sh -c, several words are an argv run directly, so\n"
	    "what runs is exactly what was asked.  With another --kind (e.g. --kind net\n"
	    "--url U) the request also names that target.\n"
	    "\n"
	    "Exit status: CMD's own status when allowed (sandgate exec becomes CMD);\n"
	    "otherwise 1 denied, 2 usage, 3 broker unreachable or error (treat as deny),\n"
	    "126/127 CMD could not be run.\n",
	.run = run,
};
