/* released.c -- printing a new rule's side effects, and `rules undo` (released.h). */
#include "cli/released.h"
#include "cli/cli.h"
#include "proto/rpc.h"
#include "tui/text.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SUMMARY_COLS 200

static void
put_str(const msgpack_object *o, size_t max)
{
	char *e = o != NULL && o->type == MSGPACK_OBJECT_STR
	    ? text_escape(o->via.str.ptr, o->via.str.size, max, NULL) : NULL;

	fputs(e != NULL ? e : "?", stdout);
	free(e);
}

/* "  also allowed #23 npm install -g npm (medium)" */
static void
print_entry(const char *what, const msgpack_object *x)
{
	int64_t id = 0;

	rpc_get_int(rpc_map_get(x, "id"), 0, INT64_MAX, &id);
	printf("%s #%lld ", what, (long long)id);
	put_str(rpc_map_get(x, "summary"), SUMMARY_COLS);
	printf(" (");
	put_str(rpc_map_get(x, "level"), 16);
	printf(")\n");
}

void
cli_print_released(const msgpack_object *result, long long rule_id)
{
	const msgpack_object *rel = rpc_map_get(result, "released");
	int64_t until = 0;
	size_t held = 0;

	if (rel == NULL || rel->type != MSGPACK_OBJECT_ARRAY)
		return;
	for (uint32_t i = 0; i < rel->via.array.size; i++) {
		const msgpack_object *x = &rel->via.array.ptr[i];
		bool allow = rpc_str_eq(rpc_map_get(x, "decision"), "allow");
		const msgpack_object *h = rpc_map_get(x, "held");

		print_entry(allow ? "also allowed" : "also denied", x);
		held += h != NULL && h->type == MSGPACK_OBJECT_BOOLEAN && h->via.boolean;
	}
	if (held > 0 && rpc_get_int(rpc_map_get(result, "undo_until_ms"), 0, INT64_MAX, &until) == 0) {
		time_t t = (time_t)(until / 1000);
		struct tm tm;
		char hhmmss[16] = "?";

		if (localtime_r(&t, &tm) != NULL)
			strftime(hhmmss, sizeof hhmmss, "%H:%M:%S", &tm);
		printf("the answer%s to %zu of them %s held until %s: `sandgate rules undo %lld` takes the rule back "
		    "and puts %s back in the queue\n", held == 1 ? "" : "s", held, held == 1 ? "is" : "are", hhmmss,
		    rule_id, held == 1 ? "it" : "them");
	}
}

struct undo_args {
	long long id;
	const char *reviewer;
};

static void
pack_undo(msgpack_packer *pk, void *arg)
{
	struct undo_args *a = arg;

	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 1 + (a->id > 0));
	rpc_pack_kv_str(pk, "reviewer", a->reviewer);
	if (a->id > 0)
		rpc_pack_kv_int(pk, "rule_id", a->id);
}

int
rules_undo(int argc, char **argv)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 } };
	struct undo_args a = { .reviewer = cli_reviewer_name() };
	struct client_msg m;
	bool json = false;
	sg_client *c;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "j", opts, NULL)) != -1) {
		if (ch != 'j')
			return EXIT_USAGE;
		json = true;
	}
	if (argc - optind > 1) {
		cli_err("rules undo", "expected at most one rule id");
		return EXIT_USAGE;
	}
	if (argc - optind == 1) {
		char *end;

		a.id = strtoll(argv[optind], &end, 10);
		if (*end != '\0' || a.id < 1) {
			cli_err("rules undo", "'%s' is not a rule id", argv[optind]);
			return EXIT_USAGE;
		}
	}
	if ((c = cli_connect("rules undo", ROLE_CONSOLE, 5000)) == NULL)
		return EXIT_UNREACHABLE;
	if ((rc = cli_call("rules undo", c, "undo", pack_undo, &a, 30000, &m)) == EXIT_OK) {
		const msgpack_object *r = m.msg.result, *ret = rpc_map_get(r, "returned");
		const msgpack_object *ans = rpc_map_get(r, "answered");
		int64_t id = 0;
		uint32_t nret = ret != NULL && ret->type == MSGPACK_OBJECT_ARRAY ? ret->via.array.size : 0;
		uint32_t nans = ans != NULL && ans->type == MSGPACK_OBJECT_ARRAY ? ans->via.array.size : 0;

		rpc_get_int(rpc_map_get(r, "rule_id"), 0, INT64_MAX, &id);
		if (json) {
			json_t *j = mpjson_from_msgpack(r);

			cli_print_json(j);
			json_decref(j);
		} else {
			const msgpack_object *err = rpc_map_get(r, "revoke_error");

			if (err != NULL && err->type == MSGPACK_OBJECT_STR) {
				printf("rule %lld: ", (long long)id);
				put_str(err, 200);
				printf("\n");
			} else {
				printf("rule %lld revoked\n", (long long)id);
			}
			for (uint32_t i = 0; i < nret; i++)
				print_entry("back in the queue:", &ret->via.array.ptr[i]);
			for (uint32_t i = 0; i < nans; i++) {
				const msgpack_object *x = &ans->via.array.ptr[i];

				print_entry(rpc_str_eq(rpc_map_get(x, "decision"), "allow")
				    ? "cannot be undone, its answer was delivered: allowed"
				    : "cannot be undone, its answer was delivered: denied", x);
			}
			if (nret == 0 && nans == 0)
				printf("it had answered no other request\n");
		}
		client_msg_free(&m);
		/* 1 when something could not be undone: an answer already went out */
		if (nans > 0)
			rc = EXIT_DENIED;
	}
	client_close(c);
	return rc;
}
