/* cmd_decide.c -- `sandgate decide`: answer a pending request. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

struct decision {
	long long id;
	const char *decision, *note, *reviewer;
};

static void
pack_decide(msgpack_packer *pk, void *arg)
{
	struct decision *d = arg;

	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, d->note != NULL ? 4 : 3);
	rpc_pack_kv_int(pk, "id", d->id);
	rpc_pack_kv_str(pk, "decision", d->decision);
	rpc_pack_kv_str(pk, "reviewer", d->reviewer);
	if (d->note != NULL)
		rpc_pack_kv_str(pk, "note", d->note);
}

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "note", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct decision d = { .reviewer = cli_reviewer_name() };
	struct client_msg m;
	bool json = false;
	sg_client *c;
	char *end;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "n:j", opts, NULL)) != -1) {
		if (ch == 'n')
			d.note = optarg;
		else if (ch == 'j')
			json = true;
		else
			return EXIT_USAGE;
	}
	if (argc - optind != 2) {
		cli_err("decide", "expected ID allow|deny");
		return EXIT_USAGE;
	}
	d.id = strtoll(argv[optind], &end, 10);
	if (*end != '\0' || d.id < 1) {
		cli_err("decide", "'%s' is not a request id", argv[optind]);
		return EXIT_USAGE;
	}
	d.decision = argv[optind + 1];
	if (strcmp(d.decision, "allow") != 0 && strcmp(d.decision, "deny") != 0) {
		cli_err("decide", "decision must be allow or deny, not '%s'", d.decision);
		return EXIT_USAGE;
	}
	if ((c = cli_connect("decide", ROLE_CONSOLE, 5000)) == NULL)
		return EXIT_UNREACHABLE;
	rc = cli_call("decide", c, "decide", pack_decide, &d, 30000, &m);
	if (rc == EXIT_OK) {
		json_t *j = cli_to_json(m.msg.result);

		if (json)
			cli_print_json(j);
		else
			printf("request %lld: %s (audit seq %lld)\n", d.id, d.decision,
			    (long long)json_integer_value(json_object_get(j, "seq")));
		json_decref(j);
		client_msg_free(&m);
	}
	client_close(c);
	return rc;
}

const struct cli_cmd cmd_decide = {
	.name = "decide",
	.args = "ID allow|deny [--note TEXT] [--json]",
	.summary = "allow or deny a pending request",
	.help =
	    "  -n, --note TEXT   note recorded with the decision and shown to the agent\n"
	    "  -j, --json        print the recorded decision as JSON\n"
	    "\n"
	    "The reviewer is you (peer uid); the name shown is $SANDGATE_REVIEWER or your\n"
	    "login name.  Exit status: 0 recorded, 1 refused (unknown or already decided),\n"
	    "2 usage, 3 broker unreachable.\n",
	.run = run,
};
