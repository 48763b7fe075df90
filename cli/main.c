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
	fprintf(f, "\nRun `sandgate COMMAND --help` for a command's options.\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return cmd_console.run(1, (char *[]){ "console", NULL });
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("sandgate %s (protocol %d)\n", SANDGATE_VERSION, SG_PROTO_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[1], commands[i]->name) != 0)
			continue;
		if (cli_wants_help(commands[i], argc - 1, argv + 1))
			return EXIT_OK;
		return commands[i]->run(argc - 1, argv + 1);
	}
	fprintf(stderr, "sandgate: unknown command '%s' (see `sandgate --help`)\n", argv[1]);
	return EXIT_USAGE;
}
