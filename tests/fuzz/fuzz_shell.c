/* fuzz_shell.c -- libFuzzer target on the shell parser and everything the
 * assessment does with its tree (intent, risk, packing), plus the table
 * parser: an input starting with "#!table N\n" is loaded as user table
 * number N instead.  Inputs are capped at 64 KiB. */
#include "broker/intent/arena.h"
#include "broker/intent/assess.h"
#include "broker/intent/shell.h"
#include "broker/intent/tables.h"

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
	/* The parser alone, with its canonical dump. */
	a = arena_new(4096);
	if (a == NULL)
		return 0;
	sc = sh_parse(a, (const char *)data, size);
	if (sc != NULL)
		sh_dump(sc, dump, sizeof dump);
	arena_free(a);
	/* The whole assessment. */
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	assess_command(tables, (const char *)data, size, "/home/fuzz/ws", NULL, &pk, &res);
	if (res.score < 0 || res.score > 100 || res.level == NULL)
		abort();
	msgpack_sbuffer_destroy(&sb);
	return 0;
}
