/* cmd_decide.c -- `sandgate decide`: answer a pending request. */
#include "cli/cli.h"
#include "cli/released.h"
#include "tui/text.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

struct decision {
	long long id;
	const char *decision, *note, *reviewer;
	const char *narrow, *confirm_level; /* issue #14: allow a narrower command, path or URL */
	/* g:GROUP form (issue #4) */
	const char *group, *scope;
	long long ttl, rule;      /* ttl -1: the suggestion's own; 0: never */
	char *pattern; /* suggestion `rule` as fetched: the broker refuses if it changed */
	char ceiling[16]; /* an allow rule's: the suggestion's max_level (else the group's, at most high) */
	char sscope[16];  /* the suggestion's scope, used when --scope is not given */
};

static void
pack_decide(msgpack_packer *pk, void *arg)
{
	struct decision *d = arg;

	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 3 + (d->note != NULL) + (d->narrow != NULL) + (d->confirm_level != NULL));
	rpc_pack_kv_int(pk, "id", d->id);
	rpc_pack_kv_str(pk, "decision", d->decision);
	rpc_pack_kv_str(pk, "reviewer", d->reviewer);
	if (d->note != NULL)
		rpc_pack_kv_str(pk, "note", d->note);
	if (d->narrow != NULL)
		rpc_pack_kv_str(pk, "narrow", d->narrow);
	if (d->confirm_level != NULL)
		rpc_pack_kv_str(pk, "confirm_level", d->confirm_level);
}

static void
pack_decide_group(msgpack_packer *pk, void *arg)
{
	struct decision *d = arg;

	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 3 + (d->note != NULL) + (d->scope != NULL) + (d->ttl >= 0) + (d->rule >= 0) +
	    (d->pattern != NULL));
	rpc_pack_kv_str(pk, "group", d->group);
	rpc_pack_kv_str(pk, "decision", d->decision);
	rpc_pack_kv_str(pk, "reviewer", d->reviewer);
	if (d->note != NULL)
		rpc_pack_kv_str(pk, "note", d->note);
	if (d->scope != NULL)
		rpc_pack_kv_str(pk, "scope", d->scope);
	if (d->ttl >= 0)
		rpc_pack_kv_int(pk, "ttl", d->ttl);
	if (d->rule >= 0)
		rpc_pack_kv_int(pk, "rule", d->rule);
	if (d->pattern != NULL)
		rpc_pack_kv_str(pk, "pattern", d->pattern);
}

static void
pack_group_query(msgpack_packer *pk, void *arg)
{
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 2);
	rpc_pack_str(pk, "ids");
	msgpack_pack_array(pk, 1);
	rpc_pack_str(pk, (const char *)arg);
	rpc_pack_kv_int(pk, "members", 0);
}

/* --rule N: fetch the group's suggestions, check that N names one (they are
 * numbered from 1, as `pending --groups` and the console show them) and keep
 * its pattern, so that a group that changed meanwhile is refused (conflict)
 * rather than saving a rule nobody saw.  EXIT_OK, or the exit status after
 * printing why. */
static int
pick_suggestion(sg_client *c, struct decision *d)
{
	struct client_msg m;
	const msgpack_object *gl, *sg = NULL, *pat;
	int rc = cli_call("decide", c, "groups", pack_group_query, (void *)d->group, 30000, &m);
	uint32_t n;

	if (rc != EXIT_OK)
		return rc;
	gl = rpc_map_get(m.msg.result, "groups");
	if (gl != NULL && gl->type == MSGPACK_OBJECT_ARRAY && gl->via.array.size > 0)
		sg = rpc_map_get(&gl->via.array.ptr[0], "suggestions");
	if (gl == NULL || gl->type != MSGPACK_OBJECT_ARRAY || gl->via.array.size == 0) {
		cli_err("decide", "no group '%s' (it was decided or changed: see `sandgate pending --groups`)",
		    d->group);
		rc = EXIT_DENIED;
	} else if ((n = sg != NULL && sg->type == MSGPACK_OBJECT_ARRAY ? sg->via.array.size : 0) <= (uint32_t)d->rule) {
		if (n == 0)
			cli_err("decide", "group %s has no suggested rule: decide it without --rule, or add "
			    "one with `sandgate rules add`", d->group);
		else
			cli_err("decide", "group %s has %u suggested rule%s: --rule 1%s%u (see `sandgate pending "
			    "--groups`)", d->group, n, n == 1 ? "" : "s", n == 1 ? "" : " to ", n == 1 ? 1 : n);
		rc = EXIT_DENIED;
	} else if ((pat = rpc_map_get(&sg->via.array.ptr[d->rule], "pattern")) != NULL &&
	    pat->type == MSGPACK_OBJECT_STR) {
		const msgpack_object *x = &sg->via.array.ptr[d->rule], *lv = rpc_map_get(x, "max_level");
		const msgpack_object *sc = rpc_map_get(x, "scope");

		if (lv == NULL || lv->type != MSGPACK_OBJECT_STR)
			lv = rpc_map_get(&gl->via.array.ptr[0], "max_level");
		d->pattern = strndup(pat->via.str.ptr, pat->via.str.size);
		snprintf(d->ceiling, sizeof d->ceiling, "%s", rpc_str_eq(lv, "low") ? "low"
		    : rpc_str_eq(lv, "medium") ? "medium" : "high");
		snprintf(d->sscope, sizeof d->sscope, "%s", rpc_str_eq(sc, "once") ? "once" : rpc_str_eq(sc, "agent") ?
		    "agent" : rpc_str_eq(sc, "workspace") ? "workspace" : rpc_str_eq(sc, "global") ? "global" : "session");
	}
	client_msg_free(&m);
	return rc;
}

/* Seconds from "90", "90s", "10m", "2h", "7d"; -1 if malformed. */
static long long
ttl_seconds(const char *s)
{
	char *end;
	long long v, mul = 1;

	if (strcmp(s, "never") == 0)
		return 0;
	v = strtoll(s, &end, 10);
	if (end == s || v <= 0 || v > 315360000LL)
		return -1;
	if (*end == 'm')
		mul = 60;
	else if (*end == 'h')
		mul = 3600;
	else if (*end == 'd')
		mul = 86400;
	else if (*end != 's' && *end != '\0')
		return -1;
	if (*end != '\0' && end[1] != '\0')
		return -1;
	return v * mul <= 315360000LL ? v * mul : -1;
}

/* "; saved rule 7: allow ≤medium exec npm install * (session)": the rule as
 * `rules list` shows it (the pattern escaped: it holds an agent's words). */
static void
print_saved(const struct decision *d, long long id)
{
	char *e = d->pattern != NULL ? text_escape(d->pattern, strlen(d->pattern), 200, NULL) : NULL;

	printf("; saved rule %lld", id);
	if (e != NULL)
		printf(": %s%s%s %s (%s)", d->decision, strcmp(d->decision, "allow") == 0 ? " ≤" : "",
		    strcmp(d->decision, "allow") == 0 ? d->ceiling : "", e, d->scope != NULL ? d->scope :
		    d->sscope[0] != '\0' ? d->sscope : "session");
	free(e);
}

/* decide g:GROUP allow|deny [--scope S] [--ttl T] [--rule N]: every member
 * of a group, optionally saving one of its suggestions as a rule. */
static int
decide_group(struct decision *d, bool json)
{
	struct client_msg m;
	sg_client *c;
	int rc;

	if ((c = cli_connect("decide", ROLE_CONSOLE, 5000)) == NULL)
		return EXIT_UNREACHABLE;
	rc = d->rule >= 0 ? pick_suggestion(c, d) : EXIT_OK;
	if (rc == EXIT_OK)
		rc = cli_call("decide", c, "decide", pack_decide_group, d, 30000, &m);
	if (rc == EXIT_OK) {
		json_t *j = mpjson_from_msgpack(m.msg.result);
		json_t *rid = json_object_get(j, "rule_id");

		if (json) {
			cli_print_json(j);
		} else {
			printf("group %s: %s %lld request(s)", d->group, d->decision,
			    (long long)json_integer_value(json_object_get(j, "decided")));
			if (json_integer_value(json_object_get(j, "failed")) > 0)
				printf(", %lld could not be recorded (denied)",
				    (long long)json_integer_value(json_object_get(j, "failed")));
			if (json_is_integer(rid))
				print_saved(d, (long long)json_integer_value(rid));
			else if (json_is_true(json_object_get(j, "rule_failed")))
				printf("; the rule could not be recorded");
			printf("\n");
			cli_print_released(m.msg.result, json_is_integer(rid) ? (long long)json_integer_value(rid) : 0);
		}
		json_decref(j);
		client_msg_free(&m);
	}
	client_close(c);
	free(d->pattern);
	return rc;
}

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "note", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "scope", required_argument, NULL, 's' },
		{ "ttl", required_argument, NULL, 't' },
		{ "rule", required_argument, NULL, 'r' },
		{ "narrow", required_argument, NULL, 'N' },
		{ "confirm-level", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	struct decision d = { .reviewer = cli_reviewer_name(), .rule = -1, .ttl = -1 };
	struct client_msg m;
	bool json = false;
	sg_client *c;
	char *end;
	int ch, rc;

	optind = 1;
	while ((ch = cli_getopt("decide", argc, argv, "n:js:t:r:N:L:", opts)) != -1) {
		if (ch == 'n')
			d.note = optarg;
		else if (ch == 'j')
			json = true;
		else if (ch == 's' && !cli_check_scope("decide", "--scope", optarg))
			return EXIT_USAGE;
		else if (ch == 's')
			d.scope = optarg;
		else if (ch == 't' && (d.ttl = ttl_seconds(optarg)) < 0) {
			cli_err("decide", "--ttl takes seconds, a number with s, m, h or d, or never");
			return EXIT_USAGE;
		} else if (ch == 'r' && ((d.rule = strtoll(optarg, &end, 10) - 1) < 0 || *end != '\0' || end == optarg)) {
			/* counted from 1, as the console and `pending --groups` number them
			 * (DESIGN.md); the protocol's `rule` is the 0-based index */
			cli_err("decide", "--rule takes a suggestion number (1 to 4, as `pending --groups` lists them)");
			return EXIT_USAGE;
		} else if (ch == 'N') {
			d.narrow = optarg;
		} else if (ch == 'L') {
			if (strcmp(optarg, "low") != 0 && strcmp(optarg, "medium") != 0 && strcmp(optarg, "high") != 0 &&
			    strcmp(optarg, "critical") != 0) {
				cli_err("decide", "--confirm-level takes low, medium, high or critical");
				return EXIT_USAGE;
			}
			d.confirm_level = optarg;
		} else if (ch != 't' && ch != 'r')
			return EXIT_USAGE;
	}
	if (argc - optind != 2) {
		cli_err("decide", "expected ID allow|deny (or g:GROUP allow|deny)");
		return EXIT_USAGE;
	}
	if (strncmp(argv[optind], "g:", 2) == 0) {
		d.group = argv[optind] + 2;
		d.decision = argv[optind + 1];
		if (strcmp(d.decision, "allow") != 0 && strcmp(d.decision, "deny") != 0) {
			cli_err("decide", "decision must be allow or deny, not '%s'", d.decision);
			return EXIT_USAGE;
		}
		if (d.narrow != NULL || d.confirm_level != NULL) {
			cli_err("decide", "--narrow goes with one request, not a group");
			return EXIT_USAGE;
		}
		return decide_group(&d, json);
	}
	if (d.scope != NULL || d.ttl >= 0 || d.rule >= 0) {
		cli_err("decide", "--scope, --ttl and --rule go with g:GROUP (they save a rule)");
		return EXIT_USAGE;
	}
	d.id = strtoll(argv[optind], &end, 10);
	if (*end != '\0' || d.id < 1) {
		cli_err("decide", "'%s' is not a request id", argv[optind]);
		return EXIT_USAGE;
	}
	d.decision = argv[optind + 1];
	if (strcmp(d.decision, "allow") != 0 && strcmp(d.decision, "deny") != 0 && strcmp(d.decision, "ask") != 0) {
		cli_err("decide", "decision must be allow, deny or ask, not '%s'", d.decision);
		return EXIT_USAGE;
	}
	if ((d.narrow != NULL || d.confirm_level != NULL) && strcmp(d.decision, "allow") != 0) {
		cli_err("decide", "--narrow and --confirm-level go with allow");
		return EXIT_USAGE;
	}
	if (d.confirm_level != NULL && d.narrow == NULL) {
		cli_err("decide", "--confirm-level goes with --narrow");
		return EXIT_USAGE;
	}
	if ((c = cli_connect("decide", ROLE_CONSOLE, 5000)) == NULL)
		return EXIT_UNREACHABLE;
	rc = cli_call("decide", c, "decide", pack_decide, &d, 30000, &m);
	if (rc == EXIT_OK) {
		json_t *j = mpjson_from_msgpack(m.msg.result);

		json_t *q = json_object_get(j, "quorum");

		if (json)
			cli_print_json(j);
		else if (json_is_string(json_object_get(j, "state")) &&
		    strcmp(json_string_value(json_object_get(j, "state")), "pending") == 0)
			/* a vote that does not complete a quorum (issue #15) */
			printf("request %lld: %s recorded; still pending (%zu of %lld approvals)\n", d.id, d.decision,
			    json_array_size(json_object_get(q, "approved")),
			    (long long)json_integer_value(json_object_get(q, "need")));
		else if (json_is_object(json_object_get(j, "narrowed")))
			printf("request %lld: allow, narrowed (it scores %s; audit seq %lld)\n", d.id,
			    json_string_value(json_object_get(json_object_get(j, "narrowed_risk"), "level")),
			    (long long)json_integer_value(json_object_get(j, "seq")));
		else if (strcmp(d.decision, "ask") == 0)
			printf("request %lld: handed to the agent's own prompt (audit seq %lld)\n", d.id,
			    (long long)json_integer_value(json_object_get(j, "seq")));
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
	.args = "ID|g:GROUP allow|deny|ask [--note TEXT] [--narrow TEXT [--confirm-level L]] [--scope S] [--ttl T] [--rule N] [--json]",
	.summary = "allow or deny a pending request",
	.help =
	    "  -n, --note TEXT   note recorded with the decision and shown to the agent\n"
	    "  -j, --json        print the recorded decision as JSON\n"
	    "  --narrow TEXT     allow a narrower command (exec), absolute path (file kinds) or\n"
	    "                    URL (net) instead of the one asked; only for requests whose\n"
	    "                    requester can apply it (the console's `n`).  The broker scores\n"
	    "                    it; one scoring above the request is refused (exit 1, the\n"
	    "                    score printed) unless --confirm-level names its level\n"
	    "  ask               hand the call to the agent's own permission prompt (only for\n"
	    "                    requests whose agent has one); recorded as its own outcome\n"
	    "  g:GROUP           decide every member of a group (`sandgate pending` shows groups)\n"
	    "  -r, --rule N      with g:GROUP: also save the group's suggestion N as a rule,\n"
	    "                    numbered from 1 as `sandgate pending --groups` and the console\n"
	    "                    show them (refused if the group's suggestions changed since)\n"
	    "  -s, --scope S     the rule's scope: once, session, agent, workspace, global\n"
	    "                    (default: the suggestion's, as `pending --groups` shows it)\n"
	    "  -t, --ttl T       the rule expires after T (90, 90s, 10m, 2h, 7d, never; default:\n"
	    "                    the suggestion's); use never extends it.  A high group's rule is\n"
	    "                    exact, session or agent scope, and always expires (8 h by\n"
	    "                    default); a critical group's rule may only deny\n"
	    "\n"
	    "The reviewer is you (peer uid); the name shown is $SANDGATE_REVIEWER or your\n"
	    "login name.  Exit status: 0 recorded, 1 refused (unknown or already decided),\n"
	    "2 usage, 3 broker unreachable.\n",
	.run = run,
};
