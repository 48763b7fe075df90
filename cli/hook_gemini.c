/* hook_gemini.c -- Gemini CLI's BeforeTool hook: its own tool names
 * (run_shell_command, write_file, replace, read_file, web_fetch, ...) and
 * top-level decision/reason fields in the answer.  Source:
 * google-gemini/gemini-cli docs/hooks/reference.md, packages/core/src/hooks/
 * types.ts and tools/definitions/base-declarations.ts; see
 * docs/integrations.md. */
#include "cli/hook.h"
#include "proto/paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/* additional_permissions (when Gemini's tool sandbox is on): network, and
 * fileSystem.read / .write path lists.  The paths are files of the request
 * (read, write), network asks to leave the sandbox's network cut-off; all of
 * it is spelled out in `permissions` for the summary.  A member the type
 * does not have makes the call `other`. */
static void
shell_perms(const struct hook_input *in, json_t *req)
{
	json_t *ap = json_object_get(in->tool_input, "additional_permissions"), *v, *fs, *e;
	const char *k, *ops[] = { "read", "write" };
	struct strbuf_lite { char *p; size_t n; } b = { NULL, 0 };
	size_t i;

	if (ap == NULL)
		return;
	if (!json_is_object(ap)) {
		hook_unlisted(req, "additional_permissions");
		return;
	}
	json_object_foreach(ap, k, v)
		if (strcmp(k, "network") != 0 && strcmp(k, "fileSystem") != 0)
			hook_unlisted(req, "additional_permissions.*");
	fs = json_object_get(ap, "fileSystem");
	json_object_foreach(fs, k, v)
		if (strcmp(k, "read") != 0 && strcmp(k, "write") != 0)
			hook_unlisted(req, "additional_permissions.fileSystem.*");
	if (json_is_true(json_object_get(ap, "network"))) {
		json_object_set_new(req, "sandbox", json_string("unsandboxed"));
		json_object_set_new(req, "sandbox_source", json_string("tool_input.additional_permissions.network"));
		if ((b.p = strdup("network")) != NULL)
			b.n = strlen(b.p);
	}
	for (size_t o = 0; o < 2; o++) {
		json_array_foreach(json_object_get(fs, ops[o]), i, e) {
			const char *p = json_string_value(e);
			char *r, *nb;
			size_t add;

			if (p == NULL || p[0] == '\0' || strlen(p) != json_string_length(e))
				continue;
			/* absolute paths by the type; a relative one as the tool would join it */
			r = hook_file(in, 0, in->cwd, p, ops[o]);
			add = strlen(ops[o]) + 1 + strlen(r != NULL ? r : p) + 2;
			if ((nb = realloc(b.p, b.n + add + 1)) != NULL) {
				b.p = nb;
				b.n += (size_t)sprintf(b.p + b.n, "%s%s %s", b.n > 0 ? "; " : "", ops[o], r != NULL ? r : p);
			}
			free(r);
		}
	}
	if (b.p != NULL)
		json_object_set_new(req, "permissions", json_string(b.p));
	free(b.p);
}

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
	shell_perms(in, req);
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
	return hook_dir_base(in, req, first_str(in, dir_keys), flags);
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

/* web_fetch: Gemini fetches every http(s) URL of its prompt (up to 20;
 * tools/web-fetch.js parsePrompt: words split on whitespace, a word with
 * "://" parsed as a URL, http and https kept; a github.com/.../blob/ URL is
 * fetched from raw.githubusercontent.com).  One URL: a net request of it;
 * several: `other`, every URL a part of its own (`urls`), so that a rule for
 * the first host never allows the others.  The older `url` field counts too. */
/* s..e is "OWNER/REPO": two non-empty segments. */
static bool
one_slash(const char *s, const char *e)
{
	const char *sl = memchr(s, '/', (size_t)(e - s));

	return sl != NULL && sl > s && sl + 1 < e && memchr(sl + 1, '/', (size_t)(e - sl - 1)) == NULL;
}

static void
fetch_github_raw(json_t *req)
{
	json_t *urls = json_object_get(req, "urls");
	size_t i, n = json_array_size(urls);

	for (i = 0; i < n; i++) {
		const char *u = json_string_value(json_array_get(urls, i)), *h = strstr(u, "://"), *b;
		char *raw;

		/* github.com/OWNER/REPO/blob/REST is fetched as
		 * raw.githubusercontent.com/OWNER/REPO/REST */
		if (h == NULL || strncasecmp(h + 3, "github.com/", 11) != 0 || (b = strstr(h + 14, "/blob/")) == NULL ||
		    !one_slash(h + 14, b) || (raw = malloc(strlen(u) + 32)) == NULL)
			continue;
		sprintf(raw, "https://raw.githubusercontent.com/%.*s%s", (int)(b - h - 14), h + 14, b + 5);
		json_array_set_new(urls, i, json_string(raw));
		free(raw);
	}
}

static const char *
map_fetch(const struct hook_input *in, json_t *req)
{
	const char *u = hook_str(in->tool_input, "url");
	const char *p = hook_str(in->tool_input, "prompt");
	json_t *urls;

	if (u != NULL && u[0] != '\0')
		hook_add_url(req, u, strlen(u));
	if (p != NULL)
		hook_urls_in_text(req, p);
	fetch_github_raw(req);
	urls = json_object_get(req, "urls");
	if (json_array_size(urls) == 1 && json_object_get(req, "urls_total") == NULL) {
		json_object_set(req, "url", json_array_get(urls, 0));
		json_object_del(req, "urls");
		json_object_set_new(req, "method", json_string("GET"));
	} else if (json_array_size(urls) == 0) {
		/* no URL: Gemini answers from search (or fails); a fixed host */
		json_object_set_new(req, "host", json_string("web-fetch"));
		json_object_set_new(req, "method", json_string("GET"));
	} else {
		json_object_set_new(req, "kind", json_string("other"));
	}
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

/* Every tool Gemini CLI defines, with each field of its input: written from
 * @google/gemini-cli-core 0.61.0 (npm, December 2026): tools/tool-names.d.ts
 * ALL_BUILTIN_TOOL_NAMES, tools/definitions/base-declarations.js (parameter
 * names), model-family-sets/default-legacy.js and gemini-3.js (declarations),
 * dynamic-declaration-helpers.js (run_shell_command, exit_plan_mode,
 * activate_skill, update_topic), trackerTools.js, shellBackgroundTools.js,
 * agents/agent-tool.js (invoke_agent), complete-task.js; plus the older names
 * and fields earlier releases sent (search_file_content, absolute_path,
 * directory, paths, include, save_memory...). */
#define F(n, r) { (n), (r) }
#define I(n) { (n), HR_INFO }
#define OTHER(n) .name = (n), .kind = "other"
/* a tool of the browser agent, served by chrome-devtools-mcp (Node paths) */
#define BROWSER(n) OTHER(n), .plain_paths = true

const struct hook_tool hook_gemini_tools[] = {
	{ .name = "run_shell_command", .kind = "exec", .map = map_shell, .fields = {
	    F("command", HR_COMMAND), I("description"), F("dir_path", HR_CWD), I("is_background"),
	    I("delay_ms"), F("additional_permissions", HR_PERMS),
	    /* older */
	    F("directory", HR_CWD) } },
	{ .name = "write_file", .kind = "write", .map = map_write, .fields = { F("file_path", HR_WRITE),
	    I("content"), I("modified_by_user"), I("ai_proposed_content"),
	    /* older */
	    F("absolute_path", HR_WRITE) } },
	{ .name = "replace", .kind = "edit", .map = map_replace, .fields = { F("file_path", HR_EDIT),
	    I("instruction"), I("old_string"), I("new_string"), I("allow_multiple"),
	    I("modified_by_user"), I("ai_proposed_content"),
	    /* older */
	    I("expected_replacements"), F("absolute_path", HR_EDIT) } },
	{ .name = "read_file", .kind = "read", .map = map_read, .fields = { F("file_path", HR_READ),
	    I("start_line"), I("end_line"),
	    /* older */
	    F("absolute_path", HR_READ), I("offset"), I("limit") } },
	{ .name = "read_many_files", .kind = "read", .map = map_many, .fields = { F("include", HR_GLOB),
	    I("exclude"), I("recursive"), I("useDefaultExcludes"), I("file_filtering_options"),
	    /* older */
	    F("paths", HR_GLOB) } },
	{ .name = "list_directory", .kind = "read", .map = map_ls, .fields = { F("dir_path", HR_READ),
	    I("ignore"), I("file_filtering_options"),
	    /* older */
	    F("path", HR_READ) } },
	{ .name = "glob", .kind = "read", .map = map_glob, .fields = { F("pattern", HR_GLOB),
	    F("dir_path", HR_READ), I("case_sensitive"), I("respect_git_ignore"), I("respect_gemini_ignore"),
	    /* older */
	    F("path", HR_READ) } },
	{ .name = "grep_search", .kind = "read", .map = map_grep, .fields = { I("pattern"),
	    F("dir_path", HR_READ), F("include_pattern", HR_GLOB), I("exclude_pattern"), I("names_only"),
	    I("case_sensitive"), I("max_matches_per_file"), I("total_max_matches"), I("fixed_strings"), I("context"), I("after"),
	    I("before"), I("no_ignore"),
	    /* older */
	    F("include", HR_GLOB), F("path", HR_READ) } },
	/* the older name of grep_search (TOOL_LEGACY_ALIASES) */
	{ .name = "search_file_content", .kind = "read", .map = map_grep, .fields = { I("pattern"),
	    F("dir_path", HR_READ), F("include_pattern", HR_GLOB), I("exclude_pattern"), I("names_only"),
	    I("case_sensitive"), I("max_matches_per_file"), I("total_max_matches"), I("fixed_strings"), I("context"), I("after"),
	    I("before"), I("no_ignore"), F("include", HR_GLOB), F("path", HR_READ) } },
	{ .name = "web_fetch", .kind = "net", .map = map_fetch, .fields = { F("prompt", HR_URL_TEXT),
	    /* older */
	    F("url", HR_URL) } },
	{ .name = "google_web_search", .kind = "net", .map = map_search, .fields = { I("query") } },
	/* files of Gemini's own: docs shipped with it, the plans directory */
	{ OTHER("get_internal_docs"), .fields = { F("path", HR_ELSEWHERE) } },
	{ OTHER("exit_plan_mode"), .fields = { F("plan_filename", HR_ELSEWHERE) } },
	{ OTHER("enter_plan_mode"), .fields = { I("reason") } },
	/* MCP resources (the URI names the server's resource) */
	{ OTHER("read_mcp_resource"), .fields = { F("uri", HR_URI) } },
	{ OTHER("list_mcp_resources"), .fields = { F("serverName", HR_MCP) } },
	/* work done elsewhere */
	{ OTHER("invoke_agent"), .fields = { I("agent_name"), F("prompt", HR_CODE) } },
	{ OTHER("activate_skill"), .fields = { I("name") } },
	/* a subagent's result: its field is the agent's own output name */
	{ OTHER("complete_task"), .open = true, .fields = { I("result") } },
	/* background processes */
	{ OTHER("list_background_processes") },
	{ OTHER("read_background_output"), .fields = { I("pid"), I("lines"), I("delay_ms") } },
	/* task tracker, todos, topics, questions */
	{ OTHER("tracker_create_task"), .fields = { I("title"), I("description"), I("type"), I("parentId"),
	    I("dependencies") } },
	{ OTHER("tracker_update_task"), .fields = { I("id"), I("title"), I("description"), I("status"),
	    I("dependencies") } },
	{ OTHER("tracker_get_task"), .fields = { I("id") } },
	{ OTHER("tracker_list_tasks"), .fields = { I("status"), I("type"), I("parentId") } },
	{ OTHER("tracker_add_dependency"), .fields = { I("taskId"), I("dependencyId") } },
	{ OTHER("tracker_visualize") },
	{ OTHER("write_todos"), .fields = { I("todos") } },
	{ OTHER("update_topic"), .fields = { I("title"), I("summary"), I("strategic_intent") } },
	{ OTHER("ask_user"), .fields = { I("questions") } },
	/* older: a fact saved to GEMINI.md (instructions Gemini obeys later) */
	{ OTHER("save_memory"), .fields = { I("fact") } },
	/* The browser agent (invoke_agent browser_agent): its tools reach the
	 * hook under the names chrome-devtools-mcp gives them (0.19.0, the
	 * version gemini-cli-core 0.61.0 pins; agents/browser/mcpToolWrapper.js),
	 * without mcp_context, plus analyze_screenshot.  The browser may be the
	 * user's own signed-in Chrome (sessionMode "existing").  Relative file
	 * paths are the MCP server's cwd, which is Gemini's. */
	/* pages: URLs opened, scripts run in them */
	{ BROWSER("navigate_page"), .fields = { I("type"), F("url", HR_URL), I("ignoreCache"),
	    I("handleBeforeUnload"), F("initScript", HR_CODE), I("timeout") } },
	{ BROWSER("new_page"), .fields = { F("url", HR_URL), I("background"), I("isolatedContext"),
	    I("timeout") } },
	{ BROWSER("evaluate_script"), .fields = { F("function", HR_CODE), I("args") } },
	{ BROWSER("close_page"), .fields = { I("pageId") } },
	{ BROWSER("select_page"), .fields = { I("pageId"), I("bringToFront") } },
	{ BROWSER("list_pages") },
	{ BROWSER("get_tab_id"), .fields = { I("pageId") } },
	{ BROWSER("wait_for"), .fields = { I("text"), I("timeout") } },
	/* input: a local file handed to the page (it leaves the machine) */
	{ BROWSER("upload_file"), .fields = { I("uid"), F("filePath", HR_UPLOAD), I("includeSnapshot") } },
	{ BROWSER("click"), .fields = { I("uid"), I("dblClick"), I("includeSnapshot") } },
	{ BROWSER("click_at"), .fields = { I("x"), I("y"), I("dblClick"), I("includeSnapshot") } },
	{ BROWSER("drag"), .fields = { I("from_uid"), I("to_uid"), I("includeSnapshot") } },
	{ BROWSER("fill"), .fields = { I("uid"), I("value"), I("includeSnapshot") } },
	{ BROWSER("fill_form"), .fields = { I("elements"), I("includeSnapshot") } },
	{ BROWSER("hover"), .fields = { I("uid"), I("includeSnapshot") } },
	{ BROWSER("press_key"), .fields = { I("key"), I("includeSnapshot") } },
	{ BROWSER("type_text"), .fields = { I("text"), I("submitKey") } },
	{ BROWSER("handle_dialog"), .fields = { I("action"), I("promptText") } },
	{ BROWSER("emulate"), .fields = { I("networkConditions"), I("cpuThrottlingRate"), I("geolocation"),
	    I("userAgent"), I("colorScheme"), I("viewport") } },
	{ BROWSER("resize_page"), .fields = { I("width"), I("height") } },
	/* files written on this machine */
	{ BROWSER("take_screenshot"), .fields = { I("format"), I("quality"), I("uid"), I("fullPage"),
	    F("filePath", HR_WRITE) } },
	{ BROWSER("take_snapshot"), .fields = { I("verbose"), F("filePath", HR_WRITE) } },
	{ BROWSER("take_memory_snapshot"), .fields = { F("filePath", HR_WRITE) } },
	{ BROWSER("get_network_request"), .fields = { I("reqid"), F("requestFilePath", HR_WRITE),
	    F("responseFilePath", HR_WRITE) } },
	{ BROWSER("performance_start_trace"), .fields = { I("reload"), I("autoStop"),
	    F("filePath", HR_WRITE) } },
	{ BROWSER("performance_stop_trace"), .fields = { F("filePath", HR_WRITE) } },
	{ BROWSER("performance_analyze_insight"), .fields = { I("insightSetId"), I("insightName") } },
	{ BROWSER("lighthouse_audit"), .fields = { I("mode"), I("device"), F("outputDirPath", HR_WRITE) } },
	{ BROWSER("screencast_start"), .fields = { F("path", HR_WRITE) } },
	{ BROWSER("screencast_stop") },
	{ BROWSER("list_console_messages"), .fields = { I("pageSize"), I("pageIdx"), I("types"),
	    I("includePreservedMessages") } },
	{ BROWSER("get_console_message"), .fields = { I("msgid") } },
	{ BROWSER("list_network_requests"), .fields = { I("pageSize"), I("pageIdx"), I("resourceTypes"),
	    I("includePreservedRequests") } },
	/* extensions: an unpacked folder whose code the browser runs */
	{ BROWSER("install_extension"), .fields = { F("path", HR_READ) } },
	{ BROWSER("uninstall_extension"), .fields = { I("id") } },
	{ BROWSER("reload_extension"), .fields = { I("id") } },
	{ BROWSER("trigger_extension_action"), .fields = { I("id") } },
	{ BROWSER("list_extensions") },
	{ BROWSER("analyze_screenshot"), .fields = { I("instruction") } },
};
const size_t hook_gemini_ntools = sizeof hook_gemini_tools / sizeof hook_gemini_tools[0];

/* MCP tools: mcp_context (optional) names the server, the server's own tool
 * name and how the server is reached; without it the name is Gemini's
 * mcp_<server>_<tool>, read as Gemini reads it (tools/mcp-tool.js
 * parseMcpToolName: the server is the part before the first '_').  Every
 * other tool (a discovered_tool_*, anything newer) is `other`. */
static bool
map_mcp(const struct hook_input *in, json_t *req)
{
	json_t *ctx = json_object_get(in->root, "mcp_context");
	const char *server = hook_str(ctx, "server_name"), *tool = hook_str(ctx, "tool_name");
	const char *name = in->tool_name, *sep;

	if (server != NULL && server[0] != '\0' && tool != NULL && tool[0] != '\0') {
		json_object_set_new(req, "server", json_string(server));
		json_object_set_new(req, "tool", json_string(tool));
		hook_copy_str(req, "server_command", ctx, "command");
		hook_copy_str(req, "server_url", ctx, "url");
		/* McpToolContext 0.61.0 also has tcp (host:port of a TCP server) */
		if (json_object_get(req, "server_url") == NULL && hook_str(ctx, "tcp") != NULL) {
			char *u;

			if (asprintf(&u, "tcp://%s", hook_str(ctx, "tcp")) >= 0) {
				json_object_set_new(req, "server_url", json_string(u));
				free(u);
			}
		}
	} else if (strncmp(name, "mcp_", 4) == 0 && name[4] != '_' && name[4] != '\0' &&
	    (sep = strchr(name + 4, '_')) != NULL && sep[1] != '\0') {
		json_object_set_new(req, "server", json_stringn(name + 4, (size_t)(sep - name - 4)));
		json_object_set_new(req, "tool", json_string(sep + 1));
	} else {
		return false;
	}
	json_object_set_new(req, "kind", json_string("mcp"));
	json_object_set(req, "arguments", in->tool_input);
	return true;
}

static const char *
map_tool(const struct hook_input *in, json_t *req)
{
	const char *why = NULL;

	if (hook_map_table(in, req, hook_gemini_tools, hook_gemini_ntools, &why))
		return why;
	if (!map_mcp(in, req))
		json_object_set_new(req, "kind", json_string("other"));
	return NULL;
}

/* {"decision": "allow"|"deny", "reason": ...}; Gemini shows a deny's reason
 * to the model and still asks the user on allow when its policy says so.
 * A narrowed allow adds hookSpecificOutput.tool_input, the whole input with
 * the reviewer's change (Gemini builds the call from it); "ask" forces
 * Gemini's own confirmation.  Shapes: @google/gemini-cli-core 0.61.0
 * hooks/types.d.ts (BeforeToolOutput, HookDecision), scheduler/hook-utils.js. */
static json_t *
answer(enum hook_event ev, const struct hook_verdict *v)
{
	json_t *o;

	(void)ev;
	if (v->kind == HV_ASK)
		return json_pack("{s:s,s:s}", "decision", "ask", "reason", v->reason);
	o = json_pack("{s:s,s:s}", "decision", v->kind == HV_ALLOW ? "allow" : "deny", "reason", v->reason);
	if (o != NULL && v->kind == HV_ALLOW && v->updated_input != NULL &&
	    json_object_set_new(o, "hookSpecificOutput", json_pack("{s:s,s:O}", "hookEventName", "BeforeTool",
	        "tool_input", v->updated_input)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static unsigned
offers(enum hook_event ev, const json_t *req, const char *field)
{
	(void)req;
	(void)field;
	return ev == HOOK_EVENT_BEFORE_TOOL ? HOOK_OFFER_NARROW | HOOK_OFFER_ASK : 0;
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
	.offers = offers,
};
