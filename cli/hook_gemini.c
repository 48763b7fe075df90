/* hook_gemini.c -- Gemini CLI's BeforeTool hook: its own tool names
 * (run_shell_command, write_file, replace, read_file, web_fetch, ...) and
 * top-level decision/reason fields in the answer.  Source:
 * google-gemini/gemini-cli docs/hooks/reference.md, packages/core/src/hooks/
 * types.ts and tools/definitions/base-declarations.ts; see
 * docs/integrations.md. */
#include "cli/hook.h"
#include "proto/paths.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The first of keys that is a non-empty string in the tool input. */
static const char *
first_str(const struct hook_input *in, const char *const keys[])
{
	for (size_t i = 0; keys[i] != NULL; i++) {
		const char *v = hook_str(in->tool_input, keys[i]);

		if (v != NULL && v[0] != '\0')
			return v;
	}
	return NULL;
}

static const char *const file_keys[] = { "file_path", "absolute_path", "path", NULL };
static const char *const dir_keys[] = { "dir_path", "directory", "path", NULL };

static const char *
map_shell(const struct hook_input *in, json_t *req)
{
	const char *dir = first_str(in, dir_keys);

	if (!json_is_string(json_object_get(in->tool_input, "command")))
		return "tool_input has no command string";
	json_object_set(req, "command", json_object_get(in->tool_input, "command"));
	hook_copy_str(req, "justification", in->tool_input, "description");
	if (dir != NULL)
		hook_set_path(req, "cwd", dir, in->cwd);
	return NULL;
}

/* read_file, write_file, replace: resolveDefensiveToolPath (a leading '@'
 * dropped unless the literal exists) then resolveToRealPath (%XX decoded),
 * against the target dir (the hook's cwd). */
static const char *
map_file(const struct hook_input *in, json_t *req, const char *op)
{
	const char *p = first_str(in, file_keys);
	char *r;

	if (p == NULL)
		return "tool_input has no file_path string";
	if ((r = hook_file(in, in->path_flags, in->cwd, p, op)) != NULL)
		json_object_set_new(req, "path", json_string(r));
	free(r);
	return NULL;
}

static const char *
map_read(const struct hook_input *in, json_t *req)
{
	return map_file(in, req, "read");
}

static const char *
map_write(const struct hook_input *in, json_t *req)
{
	hook_copy_str(req, "content", in->tool_input, "content");
	return map_file(in, req, "write");
}

static const char *
map_replace(const struct hook_input *in, json_t *req)
{
	json_t *many = json_object_get(in->tool_input, "allow_multiple");
	json_t *count = json_object_get(in->tool_input, "expected_replacements");

	hook_copy_str(req, "old", in->tool_input, "old_string");
	hook_copy_str(req, "new", in->tool_input, "new_string");
	if (json_is_boolean(many))
		json_object_set(req, "replace_all", many);
	else if (json_is_integer(count))
		json_object_set_new(req, "replace_all", json_boolean(json_integer_value(count) > 1));
	return map_file(in, req, "edit");
}

/* The directory a listing or search starts from (dir_path, or the older
 * directory/path), resolved with flags, else the cwd: the request's path
 * and first file.  A new string, or NULL. */
static char *
dir_base(const struct hook_input *in, json_t *req, unsigned flags)
{
	const char *d = first_str(in, dir_keys);
	char *base;

	if (d != NULL) {
		base = hook_file(in, flags, in->cwd, d, "read");
	} else if (in->cwd != NULL && in->cwd[0] != '\0' && (base = strdup(in->cwd)) != NULL) {
		hook_add_resolved(in, base, "read", false);
	} else {
		base = NULL;
	}
	if (base != NULL)
		json_object_set_new(req, "path", json_string(base));
	return base;
}

/* list_directory: path.resolve(target dir, dir_path). */
static const char *
map_ls(const struct hook_input *in, json_t *req)
{
	free(dir_base(in, req, 0));
	return NULL;
}

/* glob: node-glob with the pattern relative to dir_path (resolveToRealPath),
 * else to the cwd (Gemini then searches every workspace directory; the hook
 * knows only the cwd). */
static const char *
map_glob(const struct hook_input *in, json_t *req)
{
	const char *pat = hook_str(in->tool_input, "pattern");
	char *base = dir_base(in, req, HOOK_P_PCT);

	if (base != NULL && pat != NULL && pat[0] != '\0')
		hook_glob(in, HOOK_GLOB_WALK, base, pat, "read");
	free(base);
	return NULL;
}

/* grep_search (search_file_content before): every file under dir_path,
 * narrowed by include_pattern (include before): git grep, grep --include
 * or rg --glob, all filters on the files found. */
static const char *
map_grep(const struct hook_input *in, json_t *req)
{
	const char *inc = hook_str(in->tool_input, "include_pattern");
	char *base = dir_base(in, req, HOOK_P_PCT);

	if (inc == NULL || inc[0] == '\0')
		inc = hook_str(in->tool_input, "include");
	if (base != NULL)
		hook_glob(in, HOOK_GLOB_FILTER, base, inc, "read");
	free(base);
	return NULL;
}

/* One read_many_files entry: a path, or a glob pattern when it names no
 * file (backslashes read as slashes, as Gemini does). */
static void
many_entry(const struct hook_input *in, const char *base, const char *e)
{
	char *p = strdup(e), *dir;
	struct stat st;

	if (p == NULL || p[0] == '\0') {
		free(p);
		return;
	}
	for (char *c = p; *c != '\0'; c++)
		if (*c == '\\')
			*c = '/';
	hook_glob(in, HOOK_GLOB_WALK, base, p, "read");
	/* an older read_many_files read a directory entry as all of it below */
	if (!hook_glob_magic(p) && strchr(p, '{') == NULL &&
	    (dir = p[0] == '/' ? strdup(p) : paths_join(base, p)) != NULL) {
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
			char *all = paths_join(dir, "**");

			if (all != NULL)
				hook_add_resolved(in, all, "read", true);
			free(all);
		}
		free(dir);
	}
	free(p);
}

/* read_many_files: `include` (and the older `paths`) are paths or globs
 * under the cwd; `exclude` never narrows what is judged (it cannot make a
 * request safer), it stays in tool_input. */
static const char *
map_many(const struct hook_input *in, json_t *req)
{
	static const char *const keys[] = { "include", "paths" };
	char *base = dir_base(in, req, 0);

	for (size_t k = 0; k < sizeof keys / sizeof keys[0] && base != NULL; k++) {
		json_t *v = json_object_get(in->tool_input, keys[k]), *e;
		size_t i;

		if (json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v))
			many_entry(in, base, json_string_value(v));
		json_array_foreach(v, i, e)
			if (json_is_string(e) && strlen(json_string_value(e)) == json_string_length(e))
				many_entry(in, base, json_string_value(e));
	}
	free(base);
	return NULL;
}

/* web_fetch carries its URLs inside the prompt text: take the first one. */
static const char *
map_fetch(const struct hook_input *in, json_t *req)
{
	const char *u = hook_str(in->tool_input, "url");
	const char *p = hook_str(in->tool_input, "prompt");

	json_object_set_new(req, "method", json_string("GET"));
	if (u == NULL && p != NULL) {
		const char *s = strstr(p, "https://"), *h = strstr(p, "http://");

		if (s == NULL || (h != NULL && h < s))
			s = h;
		if (s != NULL) {
			size_t n = strcspn(s, " \t\r\n\"'<>()[]{}`");

			json_object_set_new(req, "url", json_stringn(s, n));
			return NULL;
		}
	}
	if (u != NULL && u[0] != '\0')
		json_object_set_new(req, "url", json_string(u));
	else
		json_object_set_new(req, "host", json_string("web-fetch"));
	return NULL;
}

static const char *
map_search(const struct hook_input *in, json_t *req)
{
	json_object_set_new(req, "host", json_string("web-search"));
	json_object_set_new(req, "method", json_string("SEARCH"));
	hook_copy_str(req, "query", in->tool_input, "query");
	return NULL;
}

static const struct gemini_tool {
	const char *tool, *kind;
	const char *(*map)(const struct hook_input *, json_t *);
} tools[] = {
	{ .tool = "run_shell_command", .kind = "exec", .map = map_shell },
	{ .tool = "write_file", .kind = "write", .map = map_write },
	{ .tool = "replace", .kind = "edit", .map = map_replace },
	{ .tool = "read_file", .kind = "read", .map = map_read },
	{ .tool = "read_many_files", .kind = "read", .map = map_many },
	{ .tool = "list_directory", .kind = "read", .map = map_ls },
	{ .tool = "glob", .kind = "read", .map = map_glob },
	{ .tool = "grep_search", .kind = "read", .map = map_grep },
	{ .tool = "search_file_content", .kind = "read", .map = map_grep },
	{ .tool = "web_fetch", .kind = "net", .map = map_fetch },
	{ .tool = "google_web_search", .kind = "net", .map = map_search },
};

/* MCP tools: mcp_context names the server and the server's own tool name;
 * without it, the name is mcp__server__tool. */
static bool
map_mcp(const struct hook_input *in, json_t *req)
{
	json_t *ctx = json_object_get(in->root, "mcp_context");
	const char *server = hook_str(ctx, "server_name"), *tool = hook_str(ctx, "tool_name");

	if (server != NULL && server[0] != '\0' && tool != NULL && tool[0] != '\0') {
		json_object_set_new(req, "server", json_string(server));
		json_object_set_new(req, "tool", json_string(tool));
	} else if (!hook_split_mcp(in->tool_name, req)) {
		return false;
	}
	json_object_set_new(req, "kind", json_string("mcp"));
	json_object_set(req, "arguments", in->tool_input);
	return true;
}

static const char *
map_tool(const struct hook_input *in, json_t *req)
{
	for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++) {
		if (strcmp(in->tool_name, tools[i].tool) == 0) {
			json_object_set_new(req, "kind", json_string(tools[i].kind));
			return tools[i].map(in, req);
		}
	}
	if (!map_mcp(in, req))
		json_object_set_new(req, "kind", json_string("other"));
	return NULL;
}

/* {"decision": "allow"|"deny", "reason": ...}; Gemini shows a deny's reason
 * to the model and still asks the user on allow when its policy says so. */
static json_t *
answer(enum hook_event ev, bool allow, const char *reason)
{
	return json_pack("{s:s,s:s}", "decision", allow ? "allow" : "deny", "reason", reason);
}

const struct hook_adapter hook_gemini = {
	.name = "gemini",
	.agent = "gemini",
	.workspace_env = "GEMINI_PROJECT_DIR",
	.agent_timeout_s = 60,
	.default_deadline_s = 55,
	/* read_file, write_file, replace: resolveDefensiveToolPath + resolveToRealPath */
	.path_flags = HOOK_P_AT | HOOK_P_PCT,
	.events = { HOOK_EVENT_BEFORE_TOOL },
	.map_tool = map_tool,
	.answer = answer,
};
