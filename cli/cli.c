/* cli.c -- helpers shared by the subcommands. */
#include "cli/cli.h"
#include "proto/paths.h"

#include <pwd.h>
#include <stdint.h>
#include <sodium.h>
#include <utf8proc.h>
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
	char err[512];
	sg_client *c = NULL;

	if (path != NULL)
		c = client_connect(path, role, "sandgate-cli", timeout_ms, err, sizeof err);
	else
		snprintf(err, sizeof err, "out of memory");
	if (c == NULL)
		cli_err(cmd, "broker unreachable: %s (start it with `sandgate broker`)", err);
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

/* A JSON string from bytes that may not be UTF-8: bad bytes become U+FFFD. */
static json_t *
json_string_lossy(const char *p, size_t n)
{
	json_t *j = json_stringn(p, n);
	char *buf, *w;

	if (j != NULL)
		return j;
	buf = w = malloc(n * 3 + 1);
	if (buf == NULL)
		return json_null();
	for (size_t i = 0; i < n;) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)p + i, (utf8proc_ssize_t)(n - i), &cp);

		if (k <= 0 || cp == 0) {
			memcpy(w, "\xef\xbf\xbd", 3);
			w += 3;
			i++;
		} else {
			memcpy(w, p + i, (size_t)k);
			w += k;
			i += (size_t)k;
		}
	}
	j = json_stringn(buf, (size_t)(w - buf));
	free(buf);
	return j != NULL ? j : json_null();
}

json_t *
cli_to_json(const msgpack_object *o)
{
	json_t *j;

	switch (o->type) {
	case MSGPACK_OBJECT_NIL: return json_null();
	case MSGPACK_OBJECT_BOOLEAN: return json_boolean(o->via.boolean);
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		return o->via.u64 > (uint64_t)INT64_MAX ? json_real((double)o->via.u64)
		                                              : json_integer((json_int_t)o->via.u64);
	case MSGPACK_OBJECT_NEGATIVE_INTEGER: return json_integer(o->via.i64);
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64: return json_real(o->via.f64);
	case MSGPACK_OBJECT_STR: return json_string_lossy(o->via.str.ptr, o->via.str.size);
	case MSGPACK_OBJECT_ARRAY:
		j = json_array();
		for (uint32_t i = 0; i < o->via.array.size; i++)
			json_array_append_new(j, cli_to_json(&o->via.array.ptr[i]));
		return j;
	case MSGPACK_OBJECT_MAP:
		j = json_object();
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			const msgpack_object *k = &o->via.map.ptr[i].key;

			if (k->type == MSGPACK_OBJECT_STR)
				json_object_setn_new(j, k->via.str.ptr, k->via.str.size,
				    cli_to_json(&o->via.map.ptr[i].val));
		}
		return j;
	case MSGPACK_OBJECT_BIN:
	case MSGPACK_OBJECT_EXT: {
		size_t n = o->type == MSGPACK_OBJECT_BIN ? o->via.bin.size : o->via.ext.size;
		const char *p = o->type == MSGPACK_OBJECT_BIN ? o->via.bin.ptr : o->via.ext.ptr;
		size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
		char *b64 = malloc(cap);

		if (b64 == NULL)
			return json_null();
		sodium_bin2base64(b64, cap, (const unsigned char *)p, n, sodium_base64_VARIANT_ORIGINAL);
		j = json_pack("{s:s}", "base64", b64);
		free(b64);
		return j;
	}
	}
	return json_null();
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
