/* fuzz_shell.c -- libFuzzer target on the shell parser and everything the
 * assessment does with its tree (intent, risk, packing), plus the table
 * parser: an input starting with "#!table N\n" is loaded as user table
 * number N instead; "#!request\n" is followed by a msgpack request map
 * (files, patch, tool_input globs, MCP arguments: reqfiles.c, globclass.c,
 * selfref.c); "#!code\n" by inline code (codepaths.c).  A plain line also goes
 * through broker/rules/shape.c (how it joins its commands).  Inputs are capped
 * at 64 KiB. */
#include "broker/intent/arena.h"
#include "broker/intent/assess.h"
#include "broker/intent/codepaths.h"
#include "broker/intent/globclass.h"
#include "broker/intent/shell.h"
#include "broker/intent/tables.h"
#include "broker/rules/shape.h"
#include "proto/frame.h"
#include "proto/proto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const table_names[] = { "programs", "wrappers", "commands", "paths", "hosts", "code",
	"rules", "mcp" };

static assess_tables *tables;

static void
fuzz_table(const uint8_t *data, size_t size)
{
	char err[256], *text;
	const char *name = table_names[data[8] % 8];
	struct tables *t;

	text = malloc(size - 10 + 1);
	if (text == NULL)
		return;
	memcpy(text, data + 10, size - 10);
	text[size - 10] = '\0';
	t = tables_load_mem(&name, (const char *const *)&text, 1, "/home/fuzz", err, sizeof err);
	if (t != NULL) {
		size_t n;

		(void)tables_prog(t, "git");
		(void)tables_cmdrules(t, "git", &n);
		(void)tables_path_class(t, "/home/fuzz/.ssh/id_rsa", 22, 1);
		(void)tables_host_class(t, "example.com", 11);
		tables_free(t);
	}
	free(text);
}

static bool
count_literal(void *ctx, const char *s, size_t n)
{
	(void)s;
	*(size_t *)ctx += n;
	return true;
}

/* A request map in msgpack: the whole assessment of it. */
static void
fuzz_request(const uint8_t *data, size_t size)
{
	msgpack_unpacked u;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct assess_result res;
	frame_reader *fr = frame_reader_new(SG_MSG_CAP);

	/* through the broker's own guard: msgpack-c never allocates from a
	 * length the input declares (a map32 of 2^32 entries) */
	if (fr == NULL)
		return;
	msgpack_unpacked_init(&u);
	if (frame_reader_feed(fr, data, size) >= 0 && frame_reader_next(fr, &u) == FRAME_MESSAGE) {
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		assess_request(tables, &u.data, &pk, &res);
		if (res.score < 0 || res.score > 100 || res.level == NULL)
			abort();
		msgpack_sbuffer_destroy(&sb);
	}
	msgpack_unpacked_destroy(&u);
	frame_reader_free(fr);
}

/* Inline code: its literal paths and computed ones; and the bytes as a glob. */
static void
fuzz_code(const uint8_t *data, size_t size)
{
	const char *c = (const char *)data;
	size_t total = 0;
	bool writes;

	code_path_literals(c, size, count_literal, &total);
	(void)code_computed_paths(c, size, &writes, count_literal, &total);
	if (size > 0 && c[0] == '/' && memchr(c, '\0', size) == NULL) {
		(void)glob_could_match(c, size, "/home/fuzz/.ssh/**", false, GLOB_DOTS);
		(void)glob_could_match(c, size, "id_rsa*", true, 0);
		(void)glob_literal_dir(c, size);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct assess_result res;
	char dump[4096];
	arena *a;
	struct sh_script *sc;

	if (size > 65536)
		return 0;
	if (tables == NULL) {
		char err[256];

		setenv("HOME", "/home/fuzz", 1);
		tables = assess_tables_load(NULL, err, sizeof err);
		if (tables == NULL)
			abort();
	}
	if (size > 10 && memcmp(data, "#!table ", 8) == 0 && data[9] == '\n') {
		fuzz_table(data, size);
		return 0;
	}
	if (size >= 10 && memcmp(data, "#!request\n", 10) == 0) {
		fuzz_request(data + 10, size - 10);
		return 0;
	}
	if (size >= 7 && memcmp(data, "#!code\n", 7) == 0) {
		fuzz_code(data + 7, size - 7);
		return 0;
	}
	/* The parser alone, with its canonical dump. */
	a = arena_new(4096);
	if (a == NULL)
		return 0;
	sc = sh_parse(a, (const char *)data, size);
	if (sc != NULL)
		sh_dump(sc, dump, sizeof dump);
	arena_free(a);
	/* how the line joins its commands (group signatures, issue #16): one
	 * code per gap, whatever the count asked for */
	for (size_t k = 2; k < 6; k++) {
		char *c = shape_connectors((const char *)data, size, k);

		if (c == NULL || strlen(c) != k - 1)
			abort();
		free(c);
	}
	/* The whole assessment. */
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	assess_command(tables, (const char *)data, size, "/home/fuzz/ws", NULL, &pk, &res);
	if (res.score < 0 || res.score > 100 || res.level == NULL)
		abort();
	msgpack_sbuffer_destroy(&sb);
	return 0;
}
