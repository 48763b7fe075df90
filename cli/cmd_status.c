/* cmd_status.c -- `sandgate status`: is the broker up, and how busy. */
#include "cli/cli.h"
#include "tui/text.h"

#include <stdlib.h>
#include <string.h>

#include "proto/paths.h"

/* "sg 5 pending (1 crit, 2 high, 2 low), oldest 4m, 1 escalated" */
static void
print_tmux(json_t *j, json_int_t n)
{
	static const char *const key[] = { "critical", "high", "medium", "low" };
	static const char *const abbr[] = { "crit", "high", "med", "low" };
	json_t *lv = json_object_get(j, "levels"), *old = json_object_get(j, "oldest_ms");
	json_int_t esc = json_integer_value(json_object_get(j, "escalated"));
	int shown = 0;

	printf("sg %lld pending", (long long)n);
	for (int i = 0; i < 4; i++) {
		json_int_t c = json_integer_value(json_object_get(lv, key[i]));

		if (c > 0)
			printf("%s%lld %s", shown++ ? ", " : " (", (long long)c, abbr[i]);
	}
	if (shown)
		printf(")");
	if (json_is_integer(old)) {
		long long age = (long long)(json_integer_value(json_object_get(j, "now_ms")) - json_integer_value(old)) / 1000;

		if (age < 0)
			age = 0;
		if (age < 60)
			printf(", oldest %llds", age);
		else if (age < 3600)
			printf(", oldest %lldm", age / 60);
		else if (age < 86400)
			printf(", oldest %lldh", age / 3600);
		else
			printf(", oldest %lldd", age / 86400);
	}
	if (esc > 0)
		printf(", %lld escalated", (long long)esc);
	printf("\n");
}

static int
run(int argc, char **argv)
{
	bool json = argc > 1 && strcmp(argv[1], "--json") == 0;
	bool tmux = argc > 1 && strcmp(argv[1], "--tmux") == 0;
	struct client_msg m;
	sg_client *c;
	json_t *j;
	int rc;

	if (argc > (json || tmux ? 2 : 1)) {
		return cli_bad_arg("status", argv[json || tmux ? 2 : 1]);
	}
	if (tmux) {
		/* one short segment for tmux's status-right; never an error text */
		char *dir = paths_runtime_dir(), *path = dir ? paths_join(dir, "console.sock") : NULL;
		char err[256];

		c = path ? client_connect(path, ROLE_CONSOLE, "sandgate-status", 1000, err, sizeof err) : NULL;
		free(dir);
		free(path);
		if (c == NULL) {
			puts("sg off");
			return EXIT_UNREACHABLE;
		}
	} else if ((c = cli_connect("status", ROLE_CONSOLE, 5000)) == NULL) {
		return EXIT_UNREACHABLE;
	}
	rc = cli_call("status", c, "status", NULL, NULL, 10000, &m);
	if (rc != EXIT_OK) {
		client_close(c);
		return rc;
	}
	j = mpjson_from_msgpack(m.msg.result);
	if (tmux) {
		json_int_t n = json_integer_value(json_object_get(j, "pending"));

		if (json_is_string(json_object_get(j, "store_error")))
			printf("sg STORE ERROR, %lld pending\n", (long long)n);
		else if (n == 0)
			printf("sg ok\n");
		else
			print_tmux(j, n);
	} else if (json) {
		cli_print_json(j);
	} else {
		printf("broker pid %lld, up %llds, protocol %lld\n",
		    (long long)json_integer_value(json_object_get(j, "pid")),
		    (long long)json_integer_value(json_object_get(j, "uptime_ms")) / 1000,
		    (long long)json_integer_value(json_object_get(j, "version")));
		printf("pending %lld, decided %lld, agents %lld, consoles %lld\n",
		    (long long)json_integer_value(json_object_get(j, "pending")),
		    (long long)json_integer_value(json_object_get(j, "decided")),
		    (long long)json_integer_value(json_object_get(j, "agents")),
		    (long long)json_integer_value(json_object_get(j, "consoles")));
		printf("runtime dir %s\ndatabase %s (%s durability)\n",
		    json_string_value(json_object_get(j, "dir")),
		    json_string_value(json_object_get(j, "db")),
		    json_string_value(json_object_get(j, "durability")));
		if (json_is_string(json_object_get(j, "store_error"))) {
			char *e = text_escape(json_string_value(json_object_get(j, "store_error")),
			    strlen(json_string_value(json_object_get(j, "store_error"))), 300, NULL);

			printf("store: ERROR: %s\n", e != NULL ? e : "?");
			free(e);
		} else {
			printf("store: ok\n");
		}
	}
	json_decref(j);
	client_msg_free(&m);
	client_close(c);
	return EXIT_OK;
}

const struct cli_cmd cmd_status = {
	.name = "status",
	.args = "[--json | --tmux]",
	.summary = "show whether the broker runs and what it holds",
	.help =
	    "  --json   print the status as one JSON object\n"
	    "  --tmux   one short segment for tmux's status line, e.g.\n"
	    "           set -g status-right '#(sandgate status --tmux)'\n"
	    "           sg ok | sg off | sg 5 pending (1 crit, 2 high, 2 low), oldest 4m, 1 escalated\n"
	    "\n"
	    "Exit status: 0 running, 3 not running or unreachable.\n",
	.run = run,
};
