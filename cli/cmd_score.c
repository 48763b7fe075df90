/* cmd_score.c -- `sandgate score`: the intent and risk of a command, offline.
 * The broker attaches the same assessment to every request it receives. */
#include "cli/cli.h"
#include "broker/config.h"
#include "broker/intent/assess.h"
#include "broker/intent/workspace.h"
#include "proto/paths.h"
#include "tui/text.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LINE ((size_t)16 << 20)

struct opts {
	bool json, batch, jsonl;
	const char *cwd, *workspace;
};

/* Decode one packed result into JSON (caller decrefs). */
static json_t *
packed_to_json(const msgpack_sbuffer *sb)
{
	msgpack_unpacked up;
	size_t off = 0;
	json_t *j = NULL;

	msgpack_unpacked_init(&up);
	if (msgpack_unpack_next(&up, sb->data, sb->size, &off) == MSGPACK_UNPACK_SUCCESS)
		j = mpjson_from_msgpack(&up.data);
	msgpack_unpacked_destroy(&up);
	return j;
}

static void
print_escaped(const char *prefix, const char *s, size_t cols)
{
	char *e = text_escape(s != NULL ? s : "", s != NULL ? strlen(s) : 0, cols, NULL);

	printf("%s%s", prefix, e != NULL ? e : "?");
	free(e);
}

/* The human-readable report. */
static void
print_text(json_t *j)
{
	json_t *risk = json_object_get(j, "risk"), *intent = json_object_get(j, "intent");
	json_t *reasons = json_object_get(risk, "reasons"), *cmds = json_object_get(intent, "commands");
	size_t k;
	json_t *v;

	printf("%s %lld\n", json_string_value(json_object_get(risk, "level")),
	    (long long)json_integer_value(json_object_get(risk, "score")));
	json_array_foreach(reasons, k, v) {
		printf("  %3lld %-24s", (long long)json_integer_value(json_object_get(v, "weight")),
		    json_string_value(json_object_get(v, "id")));
		print_escaped(" ", json_string_value(json_object_get(v, "text")), 100);
		print_escaped("\n      at: ", json_string_value(json_object_get(v, "part")), 100);
		printf("\n");
	}
	if (json_array_size(cmds) > 0)
		printf("commands:\n");
	json_array_foreach(cmds, k, v) {
		json_t *t = json_object_get(v, "targets"), *h = json_object_get(v, "hosts"), *x;
		const char *sub = json_string_value(json_object_get(v, "subcommand"));
		const char *via = json_string_value(json_object_get(v, "via"));
		const char *ctx = json_string_value(json_object_get(v, "context"));
		size_t q;

		print_escaped("  ", json_string_value(json_object_get(v, "program")), 40);
		if (sub != NULL)
			print_escaped(" ", sub, 40);
		if (via != NULL)
			print_escaped("  via ", via, 60);
		if (ctx != NULL)
			print_escaped("  in ", ctx, 40);
		printf("\n");
		json_array_foreach(t, q, x) {
			print_escaped("    ", json_string_value(json_object_get(x, "effect")), 20);
			print_escaped(" ", json_string_value(json_object_get(x, "path")), 80);
			print_escaped(" (", json_string_value(json_object_get(x, "class")), 20);
			printf(")\n");
		}
		json_array_foreach(h, q, x) {
			print_escaped("    host ", json_string_value(json_object_get(x, "host")), 80);
			print_escaped(" (", json_string_value(json_object_get(x, "class")), 20);
			printf(")\n");
		}
	}
}

/* Undo the corpus escapes: \\ \t \r \n.  In place; returns the length. */
static size_t
unescape_line(char *s, size_t n)
{
	size_t w = 0;

	for (size_t r = 0; r < n; r++) {
		if (s[r] == '\\' && r + 1 < n) {
			char d = s[r + 1];

			if (d == 'n' || d == 't' || d == 'r' || d == '\\') {
				s[w++] = d == 'n' ? '\n' : d == 't' ? '\t' : d == 'r' ? '\r' : '\\';
				r++;
				continue;
			}
		}
		s[w++] = s[r];
	}
	return w;
}

/* Assess one JSON request line (fields as in proto/PROTOCOL.md; kind
 * defaults to exec). */
static int
assess_json_line(const assess_tables *t, const char *line, size_t n, const struct opts *o,
    msgpack_sbuffer *out)
{
	json_error_t jerr;
	json_t *j = json_loadb(line, n, 0, &jerr);
	msgpack_sbuffer in;
	msgpack_packer pk, opk;
	msgpack_unpacked up;
	struct assess_result res;
	size_t off = 0;
	int rc;

	msgpack_sbuffer_init(&in);
	msgpack_packer_init(&pk, &in, msgpack_sbuffer_write);
	if (j != NULL && json_is_object(j)) {
		if (json_object_get(j, "kind") == NULL)
			json_object_set_new(j, "kind", json_string("exec"));
		if (json_object_get(j, "cwd") == NULL && o->cwd != NULL)
			json_object_set_new(j, "cwd", json_string(o->cwd));
		if (json_object_get(j, "workspace") == NULL && o->workspace != NULL)
			json_object_set_new(j, "workspace", json_string(o->workspace));
		mpjson_pack(&pk, j);
	} else {
		msgpack_pack_nil(&pk);
	}
	json_decref(j);
	msgpack_unpacked_init(&up);
	msgpack_unpack_next(&up, in.data, in.size, &off);
	msgpack_packer_init(&opk, out, msgpack_sbuffer_write);
	rc = assess_request(t, &up.data, &opk, &res);
	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&in);
	return rc;
}

static int
run_batch(const assess_tables *t, const struct opts *o)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	int rc = EXIT_OK;

	while ((got = getline(&line, &cap, stdin)) >= 0) {
		size_t n = (size_t)got;
		msgpack_sbuffer sb;
		msgpack_packer pk;
		struct assess_result res;
		json_t *j;

		if (n > 0 && line[n - 1] == '\n')
			n--;
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		if (o->jsonl) {
			if (assess_json_line(t, line, n, o, &sb) < 0)
				rc = EXIT_DENIED;
		} else {
			n = unescape_line(line, n);
			if (assess_command(t, line, n, o->cwd, o->workspace, &pk, &res) < 0)
				rc = EXIT_DENIED;
		}
		j = packed_to_json(&sb);
		if (j == NULL)
			j = json_pack("{s:{s:i,s:s,s:[]}}", "risk", "score", 100, "level", "critical", "reasons");
		cli_print_json(j);
		json_decref(j);
		msgpack_sbuffer_destroy(&sb);
		if (rc != EXIT_OK) {
			cli_err("score", "out of memory");
			break;
		}
	}
	free(line);
	if (ferror(stdin)) {
		cli_err("score", "reading stdin: %s", strerror(errno));
		return EXIT_DENIED;
	}
	return rc;
}

/* The `workspaces` setting of the config file, as the broker reads it: the
 * workspace of a command is found the same way (workspace.h). */
static int
score_workspaces(assess_tables *t, const char *config_dir, char *err, size_t errlen)
{
	struct config c;
	struct ws_list wl = { .n = 0 };
	char *path = config_dir != NULL ? paths_join(config_dir, "config") : NULL;
	int rc;

	config_defaults(&c);
	rc = path != NULL ? config_load(&c, path, err, errlen) : 0;
	free(path);
	if (rc == 0)
		rc = config_workspaces(&c, &wl, err, errlen);
	if (rc == 0 && assess_set_workspaces(t, &wl) < 0) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	}
	ws_list_free(&wl);
	return rc;
}

static int
run(int argc, char **argv)
{
	struct opts o = { 0 };
	char cwdbuf[PATH_MAX], err[512];
	assess_tables *t;
	char *config;
	int i, rc = EXIT_OK;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--json") == 0)
			o.json = true;
		else if (strcmp(argv[i], "--batch") == 0)
			o.batch = true;
		else if (strcmp(argv[i], "--jsonl") == 0)
			o.jsonl = o.batch = true;
		else if ((strcmp(argv[i], "--cwd") == 0 || strcmp(argv[i], "--workspace") == 0) && i + 1 < argc) {
			if (argv[i + 1][0] != '/') {
				cli_err("score", "%s must be an absolute path", argv[i]);
				return EXIT_USAGE;
			}
			if (argv[i][2] == 'c')
				o.cwd = argv[i + 1];
			else
				o.workspace = argv[i + 1];
			i++;
		} else if (argv[i][0] == '-') {
			cli_err("score", "unknown option '%s' (see `sandgate score --help`)", argv[i]);
			return EXIT_USAGE;
		} else {
			break;
		}
	}
	if (!o.batch && i >= argc) {
		cli_err("score", "no command given (sandgate score -- CMD...)");
		return EXIT_USAGE;
	}
	if (o.batch && i < argc) {
		cli_err("score", "--batch reads commands from stdin, not from arguments");
		return EXIT_USAGE;
	}
	if (o.cwd == NULL && getcwd(cwdbuf, sizeof cwdbuf) != NULL)
		o.cwd = cwdbuf;
	config = paths_config_dir();
	t = assess_tables_load(config, err, sizeof err);
	if (t == NULL) {
		free(config);
		cli_err("score", "%s", err);
		return EXIT_DENIED;
	}
	if (score_workspaces(t, config, err, sizeof err) < 0) {
		free(config);
		assess_tables_free(t);
		cli_err("score", "config: %s", err);
		return EXIT_DENIED;
	}
	free(config);
	if (o.batch) {
		rc = run_batch(t, &o);
	} else {
		size_t len = 0, off = 0;
		char *cmd;
		msgpack_sbuffer sb;
		msgpack_packer pk;
		struct assess_result res;
		json_t *j;

		for (int k = i; k < argc; k++)
			len += strlen(argv[k]) + 1;
		cmd = malloc(len + 1);
		if (cmd == NULL) {
			assess_tables_free(t);
			cli_err("score", "out of memory");
			return EXIT_DENIED;
		}
		for (int k = i; k < argc; k++) {
			size_t l = strlen(argv[k]);

			memcpy(cmd + off, argv[k], l);
			off += l;
			cmd[off++] = ' ';
		}
		cmd[off > 0 ? off - 1 : 0] = '\0';
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		if (assess_command(t, cmd, off > 0 ? off - 1 : 0, o.cwd, o.workspace, &pk, &res) < 0) {
			cli_err("score", "out of memory");
			rc = EXIT_DENIED;
		} else if ((j = packed_to_json(&sb)) != NULL) {
			if (o.json)
				cli_print_json(j);
			else
				print_text(j);
			json_decref(j);
		}
		msgpack_sbuffer_destroy(&sb);
		free(cmd);
	}
	assess_tables_free(t);
	return rc;
}

const struct cli_cmd cmd_score = {
	.name = "score",
	.args = "[--json] [--cwd D] [--workspace D] -- CMD... | --batch [--jsonl]",
	.summary = "show the intent and risk of a command (offline)",
	.help =
	    "  --json          print the assessment as one JSON object\n"
	    "  --cwd D         the directory the command runs in (default: this one)\n"
	    "  --workspace D   the workspace the agent declares; used only if it is an\n"
	    "                  existing directory sandgate accepts (not /, $HOME, a\n"
	    "                  system directory).  Without it: the `workspaces` setting,\n"
	    "                  else the git top level of the cwd, else none\n"
	    "  --batch         read one command per line from stdin, with \\\\ \\t \\r \\n\n"
	    "                  escaped, and write one JSON object per line\n"
	    "  --jsonl         like --batch, but each line is a JSON request object with\n"
	    "                  the fields of proto/PROTOCOL.md (kind defaults to exec)\n"
	    "\n"
	    "The words after -- are joined with spaces into one shell command line.\n"
	    "Tables come from the built-in set plus $XDG_CONFIG_HOME/sandgate/tables/\n"
	    "(see docs/RISK.md).  Exit status: 0, 1 if the tables or the config file\n"
	    "cannot be loaded,\n"
	    "2 on a usage error.\n",
	.run = run,
};
