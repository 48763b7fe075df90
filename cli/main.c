/* main.c -- `sandgate` front end: dispatch to the subcommand table. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

/* Every subcommand, one entry each; `sandgate --help` lists them in order. */
static const struct cli_cmd *const commands[] = {
	&cmd_broker,
	&cmd_ask,
	&cmd_pending,
	&cmd_decide,
	&cmd_status,
	&cmd_demo,
	&cmd_console,
	&cmd_hook,
	&cmd_install,
	&cmd_uninstall,
	&cmd_exec,
	&cmd_sandbox,
	&cmd_rules,
	&cmd_audit,
	&cmd_score,
	&cmd_policy,
	&cmd_pane,
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: sandgate COMMAND [ARGS...]\n\n"
	           "sandgate brokers the permission requests of coding agents: it scores each\n"
	           "request, remembers decisions, and records every answer in an audit log.\n\n"
	           "commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\n  sandgate help COMMAND   a command's options (the same as COMMAND --help)\n"
	           "  sandgate version        the version and protocol version (also --version)\n");
	fprintf(f, "\nRun `sandgate COMMAND --help` for a command's options.  Exit status, every\n"
	           "command: 2 for a usage error (unknown command or option, a bad value);\n"
	           "3 when the broker is unreachable; 0 and 1 as each command's help says.\n");
}

static const struct cli_cmd *
find_command(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(name, commands[i]->name) == 0)
			return commands[i];
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct cli_cmd *c;

	if (argc < 2)
		return cmd_console.run(1, (char *[]){ "console", NULL });
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    (strcmp(argv[1], "help") == 0 && argc == 2)) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) { /* sandgate help CMD */
		if (argc > 3) {
			fprintf(stderr, "sandgate help: expected one command, e.g. `sandgate help rules`\n");
			return EXIT_USAGE;
		}
		if ((c = find_command(argv[2])) == NULL) {
			fprintf(stderr, "sandgate help: unknown command '%s' (see `sandgate --help`)\n", argv[2]);
			return EXIT_USAGE;
		}
		cli_help(c, stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		if (argc > 2) {
			fprintf(stderr, "sandgate version: unexpected argument '%s'\n", argv[2]);
			return EXIT_USAGE;
		}
		printf("sandgate %s (protocol %d)\n", SANDGATE_VERSION, SG_PROTO_VERSION);
		return EXIT_OK;
	}
	if ((c = find_command(argv[1])) != NULL) {
		if (cli_wants_help(c, argc - 1, argv + 1))
			return EXIT_OK;
		return c->run(argc - 1, argv + 1);
	}
	if (argv[1][0] == '-')
		fprintf(stderr, "sandgate: unknown option '%s' (see `sandgate --help`)\n", argv[1]);
	else
		fprintf(stderr, "sandgate: unknown command '%s' (see `sandgate --help`)\n", argv[1]);
	return EXIT_USAGE;
}
