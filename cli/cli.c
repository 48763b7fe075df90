/* cli.c -- helpers shared by the subcommands. */
#include "cli/cli.h"
#include "proto/paths.h"

#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
cli_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sandgate %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
cli_help(const struct cli_cmd *c, FILE *f)
{
	fprintf(f, "usage: sandgate %s %s\n\n%s\n", c->name, c->args, c->summary);
	if (c->help != NULL && *c->help != '\0')
		fprintf(f, "\n%s", c->help);
}

bool
cli_wants_help(const struct cli_cmd *c, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			cli_help(c, stdout);
			return true;
		}
	}
	return false;
}

sg_client *
cli_connect(const char *cmd, enum sg_role role, int timeout_ms)
{
	char *dir = paths_runtime_dir();
	char *path = dir ? paths_join(dir, role == ROLE_AGENT ? "agent.sock" : "console.sock") : NULL;
	char err[PATH_MAX + 512];
	enum client_fail why = CLIENT_FAIL_ERROR;
	sg_client *c = NULL;

	if (path != NULL)
		c = client_open(path, role, "sandgate-cli", timeout_ms, &why, err, sizeof err);
	else
		snprintf(err, sizeof err, "out of memory");
	if (c == NULL) {
		switch (why) {
		case CLIENT_FAIL_UNTRUSTED: /* "refusing DIR: why: what it may mean" */
		case CLIENT_FAIL_DENIED:
			cli_err(cmd, "%s", err);
			break;
		case CLIENT_FAIL_UNREACHABLE:
			cli_err(cmd, "broker unreachable: %s (start it with `sandgate broker`)", err);
			break;
		default:
			cli_err(cmd, "broker unreachable: %s", err);
			break;
		}
	}
	free(dir);
	free(path);
	return c;
}

int
cli_call(const char *cmd, sg_client *c, const char *method,
    void (*pack)(msgpack_packer *, void *), void *arg, int timeout_ms, struct client_msg *out)
{
	uint32_t id;
	msgpack_packer *pk = client_begin(c, method, &id);
	const char *e;
	size_t elen;

	if (pack != NULL)
		pack(pk, arg);
	else
		msgpack_pack_array(pk, 0);
	if (client_send(c, timeout_ms) < 0 || client_wait(c, id, timeout_ms, out) < 0) {
		cli_err(cmd, "%s", client_error(c));
		return EXIT_UNREACHABLE;
	}
	if ((e = client_msg_error(out, &elen)) != NULL) {
		cli_err(cmd, "%.*s", (int)elen, e);
		client_msg_free(out);
		return EXIT_DENIED;
	}
	return EXIT_OK;
}

void
cli_print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);

	if (s != NULL) {
		puts(s);
		free(s);
	}
}

const char *
cli_reviewer_name(void)
{
	const char *n = getenv("SANDGATE_REVIEWER");
	struct passwd *pw;

	if (n != NULL && *n != '\0')
		return n;
	pw = getpwuid(getuid());
	return pw != NULL ? pw->pw_name : "unknown";
}
