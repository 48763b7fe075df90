/* tools_check.c -- our own list of each agent's published tools and input
 * fields (tests/hooks/published/AGENT.txt, written from the agent's type
 * definitions, with the version read) against the adapters' tables
 * (cli/hook_claude_tools.c, cli/hook_codex.c, cli/hook_gemini.c): every tool
 * listed must be in the table, every field listed must be one of its fields
 * (or the row must take any key).  Also: every row's kind is a request kind
 * and its field names are unique.  Exit 1 naming each miss. */
#include "cli/hook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int misses;

static bool
has_field(const struct hook_tool *t, const char *f)
{
	for (size_t i = 0; i < HOOK_FIELDS_MAX && t->fields[i].name != NULL; i++)
		if (strcmp(t->fields[i].name, f) == 0)
			return true;
	return t->open;
}

static void
check_list(const char *path, const struct hook_tool *table, size_t n)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int tools = 0, fields = 0;
	bool version = false;

	if (f == NULL) {
		fprintf(stderr, "tools_check: cannot open %s\n", path);
		misses++;
		return;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		char *save, *name;
		const struct hook_tool *t;

		if (strncmp(line, "# version: ", 11) == 0)
			version = true;
		if (line[0] == '#' || (name = strtok_r(line, " \t\r\n", &save)) == NULL)
			continue;
		tools++;
		if ((t = hook_tool_find(table, n, name)) == NULL) {
			printf("MISSING: %s: tool %s is not in the table\n", path, name);
			misses++;
			continue;
		}
		for (char *w = strtok_r(NULL, " \t\r\n", &save); w != NULL; w = strtok_r(NULL, " \t\r\n", &save)) {
			fields++;
			if (!has_field(t, w)) {
				printf("MISSING: %s: %s has no field %s in the table\n", path, name, w);
				misses++;
			}
		}
	}
	fclose(f);
	if (!version) {
		printf("MISSING: %s names no version it was read from\n", path);
		misses++;
	}
	if (tools < 2) {
		printf("MISSING: %s lists %d tools\n", path, tools);
		misses++;
	}
	printf("%s: %d tools, %d fields checked\n", path, tools, fields);
}

static void
check_table(const char *agent, const struct hook_tool *table, size_t n)
{
	static const char *const kinds[] = { "exec", "write", "edit", "read", "delete", "net", "mcp", "other" };

	for (size_t i = 0; i < n; i++) {
		bool ok = false;

		for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
			ok |= strcmp(table[i].kind, kinds[k]) == 0;
		if (!ok) {
			printf("BAD: %s %s: kind %s\n", agent, table[i].name, table[i].kind);
			misses++;
		}
		if (hook_tool_find(table, n, table[i].name) != &table[i]) {
			printf("BAD: %s %s: listed twice\n", agent, table[i].name);
			misses++;
		}
		for (size_t a = 0; a < HOOK_FIELDS_MAX && table[i].fields[a].name != NULL; a++)
			for (size_t b = a + 1; b < HOOK_FIELDS_MAX && table[i].fields[b].name != NULL; b++)
				if (strcmp(table[i].fields[a].name, table[i].fields[b].name) == 0) {
					printf("BAD: %s %s: field %s twice\n", agent, table[i].name, table[i].fields[a].name);
					misses++;
				}
	}
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/hooks/published";
	char path[4096];

	snprintf(path, sizeof path, "%s/claude-code.txt", dir);
	check_list(path, hook_claude_tools, hook_claude_ntools);
	snprintf(path, sizeof path, "%s/codex.txt", dir);
	check_list(path, hook_codex_tools, hook_codex_ntools);
	snprintf(path, sizeof path, "%s/gemini.txt", dir);
	check_list(path, hook_gemini_tools, hook_gemini_ntools);
	check_table("claude-code", hook_claude_tools, hook_claude_ntools);
	check_table("codex", hook_codex_tools, hook_codex_ntools);
	check_table("gemini", hook_gemini_tools, hook_gemini_ntools);
	if (misses > 0)
		printf("%d tools or fields of the published lists are not in the tables\n", misses);
	return misses > 0;
}
