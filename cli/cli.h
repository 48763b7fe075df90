/* cli.h -- shared pieces of the command front ends: the subcommand table
 * entry, exit codes, connecting to the broker, JSON output. */
#ifndef SG_CLI_H
#define SG_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <getopt.h>
#include <jansson.h>
#include <msgpack.h>

#include "proto/client.h"
#include "proto/mpjson.h"

/* Exit codes (DESIGN.md): ask uses 0 allowed, 1 denied, 3 unreachable/error. */
enum {
	EXIT_OK = 0,
	EXIT_DENIED = 1,   /* also: the operation was refused */
	EXIT_USAGE = 2,
	EXIT_UNREACHABLE = 3,
};

struct cli_cmd {
	const char *name;
	const char *args;    /* one-line synopsis after the name */
	const char *summary; /* one line for `sandgate --help` */
	const char *help;    /* the full --help text (options); a line ending in
	                      * "(tests)" is an option for the test suite and is
	                      * not printed */
	int (*run)(int argc, char **argv);
};

/* Print "sandgate NAME: message" to stderr. */
void cli_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* getopt_long with the CLI's own messages (opterr is off): an unknown option
 * prints "sandgate CMD: unknown option '--x' (see `sandgate CMD --help`)", a
 * missing value "sandgate CMD: option '--x' needs a value"; both return '?'
 * (the caller returns EXIT_USAGE).  optstring as for getopt_long (a leading
 * '+' stops at the first word that is not an option). */
int cli_getopt(const char *cmd, int argc, char **argv, const char *optstring, const struct option *longopts);
/* Report a word a hand-made parser does not take: "unknown option" for
 * -x/--x, else "unexpected argument"; returns EXIT_USAGE. */
int cli_bad_arg(const char *cmd, const char *arg);
/* Value checks of options that name a rule scope or a risk level: false
 * after printing "sandgate CMD: OPT must be ..., not 'x'" (a usage error). */
bool cli_check_scope(const char *cmd, const char *opt, const char *s);
bool cli_check_level(const char *cmd, const char *opt, const char *s);
/* Print the command's --help text to f. */
void cli_help(const struct cli_cmd *c, FILE *f);
/* True if argv has -h/--help before "--"; prints help to stdout. */
bool cli_wants_help(const struct cli_cmd *c, int argc, char **argv);
/* Connect to the broker's socket for role; prints the reason and returns NULL
 * when it is unreachable. */
sg_client *cli_connect(const char *cmd, enum sg_role role, int timeout_ms);

/* Call method with a params buffer already packed by pack (may be NULL for
 * []); 0 and *out on success; on an error reply or failure prints it and
 * returns EXIT_DENIED (error reply) or EXIT_UNREACHABLE. */
int cli_call(const char *cmd, sg_client *c, const char *method,
    void (*pack)(msgpack_packer *, void *), void *arg, int timeout_ms, struct client_msg *out);

/* Print a JSON value on one line to stdout. */
void cli_print_json(json_t *j);

/* The reviewer's display name: $SANDGATE_REVIEWER, else the login name. */
const char *cli_reviewer_name(void);

extern const struct cli_cmd cmd_broker, cmd_ask, cmd_pending, cmd_decide, cmd_status, cmd_demo, cmd_score;
extern const struct cli_cmd cmd_console;
extern const struct cli_cmd cmd_hook, cmd_install, cmd_uninstall, cmd_exec, cmd_sandbox;
extern const struct cli_cmd cmd_rules;
extern const struct cli_cmd cmd_audit;
extern const struct cli_cmd cmd_policy, cmd_pane;
/* `sandgate ask` as a function (cmd_ask.c): name prefixes errors; with words
 * non-NULL the positional words are a command to run (exec), handed back in
 * (*words, *nwords) when allowed.  Returns ask's exit status. */
int ask_request(const char *name, int argc, char **argv, int *nwords, char ***words);

#endif
