/* hook_claude_tools.c -- every tool Claude Code defines, each field of its
 * input, and how it maps to a request (docs/integrations.md, "Every tool,
 * every field").  The table was written from the tool input types in
 * @anthropic-ai/claude-agent-sdk 0.3.337 (sdk-tools.d.ts, npm, December
 * 2026; field names are facts cited from it), the tools the Claude Code
 * binary itself defines beyond those types (@anthropic-ai/claude-code-linux-x64
 * 2.1.332: its tool names, aliases and input schemas), plus the older tools a
 * Claude Code of mid-2025 still sends (LS, MultiEdit, Task, ...).  Codex
 * reuses Bash and the MCP naming through hook_map_claude_tool.  A field the
 * table does not list makes the call an `other` request (hook_map_table). */
#include "cli/hook.h"
#include "proto/paths.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Bash, PowerShell: a shell command line (or an argv, as old Codex sent). */
const char *
hook_map_exec(const struct hook_input *in, json_t *req)
{
	json_t *cmd = json_object_get(in->tool_input, "command");

	if (json_is_array(cmd) && json_array_size(cmd) > 0) {
		size_t i;
		json_t *w;

		json_array_foreach(cmd, i, w)
			if (!json_is_string(w))
				return "tool_input.command is an array with a non-string word";
		json_object_set(req, "argv", cmd);
	} else if (json_is_string(cmd)) {
		json_object_set(req, "command", cmd);
	} else {
		return "tool_input has no command string";
	}
	hook_copy_str(req, "justification", in->tool_input, "description");
	return NULL;
}

/* Set req.path to p (taken over) when p is not NULL. */
static void
set_path(json_t *req, char *p)
{
	if (p != NULL)
		json_object_set_new(req, "path", json_string(p));
	free(p);
}

/* The file named by tool_input[field], resolved as the agent does, as the
 * request's path and first file. */
static const char *
need_path(const struct hook_input *in, json_t *req, const char *field, const char *op)
{
	const char *p = hook_str(in->tool_input, field);

	if (p == NULL || p[0] == '\0')
		return field;
	set_path(req, hook_file(in, in->path_flags, in->cwd, p, op));
	return NULL;
}

static const char *
map_write(const struct hook_input *in, json_t *req)
{
	if (need_path(in, req, "file_path", "write") != NULL)
		return "tool_input has no file_path string";
	hook_copy_str(req, "content", in->tool_input, "content");
	return NULL;
}

static const char *
map_edit(const struct hook_input *in, json_t *req)
{
	json_t *all = json_object_get(in->tool_input, "replace_all");

	if (need_path(in, req, "file_path", "edit") != NULL)
		return "tool_input has no file_path string";
	hook_copy_str(req, "old", in->tool_input, "old_string");
	hook_copy_str(req, "new", in->tool_input, "new_string");
	if (json_is_boolean(all))
		json_object_set(req, "replace_all", all);
	return NULL;
}

/* Append s to the string at req[key], separated by a newline. */
static void
append_str(json_t *req, const char *key, json_t *s)
{
	json_t *cur = json_object_get(req, key);
	size_t a, b;
	char *buf;

	if (cur == NULL) {
		json_object_set_new(req, key, json_stringn(json_string_value(s), json_string_length(s)));
		return;
	}
	a = json_string_length(cur);
	b = json_string_length(s);
	if ((buf = malloc(a + b + 2)) == NULL)
		return;
	memcpy(buf, json_string_value(cur), a);
	buf[a] = '\n';
	memcpy(buf + a + 1, json_string_value(s), b);
	json_object_set_new(req, key, json_stringn(buf, a + b + 1));
	free(buf);
}

/* MultiEdit: one path, every edit's old and new strings in order. */
static const char *
map_multiedit(const struct hook_input *in, json_t *req)
{
	json_t *edits = json_object_get(in->tool_input, "edits"), *e;
	size_t i;

	if (need_path(in, req, "file_path", "edit") != NULL)
		return "tool_input has no file_path string";
	if (!json_is_array(edits))
		return "tool_input has no edits array";
	json_array_foreach(edits, i, e) {
		json_t *o = json_object_get(e, "old_string"), *n = json_object_get(e, "new_string");

		if (!json_is_string(o) || !json_is_string(n))
			return "an edit has no old_string/new_string";
		append_str(req, "old", o);
		append_str(req, "new", n);
		if (json_is_true(json_object_get(e, "replace_all")))
			json_object_set_new(req, "replace_all", json_true());
	}
	return NULL;
}

static const char *
map_notebook(const struct hook_input *in, json_t *req)
{
	if (need_path(in, req, "notebook_path", "edit") != NULL)
		return "tool_input has no notebook_path string";
	hook_copy_str(req, "new", in->tool_input, "new_source");
	return NULL;
}

static const char *
map_read(const struct hook_input *in, json_t *req)
{
	return need_path(in, req, "file_path", "read") != NULL ? "tool_input has no file_path string" : NULL;
}

/* The directory a search tool starts from: tool_input[field] resolved as
 * the agent does, else the session's cwd.  It is the request's path and its
 * first file (a directory read); returns it (a new string) or NULL. */
static char *
search_base(const struct hook_input *in, json_t *req, const char *field)
{
	return hook_dir_base(in, req, hook_str(in->tool_input, field), in->path_flags);
}

/* Grep (rg PATH --glob G): a file is read alone; a directory is searched
 * through, narrowed by the glob filter when there is one. */
static const char *
map_grep(const struct hook_input *in, json_t *req)
{
	char *base = search_base(in, req, "path");
	struct stat st;

	if (base != NULL && !(stat(base, &st) == 0 && S_ISREG(st.st_mode)))
		hook_glob(in, HOOK_GLOB_FILTER, base, hook_str(in->tool_input, "glob"), "read");
	free(base);
	return NULL;
}

/* Glob: `rg --files --glob PATTERN` in path (else cwd); an absolute pattern
 * brings its own directory, everything before the component holding the
 * first glob character (Claude Code's own split). */
static const char *
map_glob(const struct hook_input *in, json_t *req)
{
	const char *pat = hook_str(in->tool_input, "pattern");
	char *base;

	if (pat != NULL && pat[0] == '/') {
		size_t m = strcspn(pat, "*?[{"), cut;
		char *dir;

		if (pat[m] == '\0') { /* no glob character: dirname and basename */
			const char *slash = strrchr(pat, '/');

			cut = (size_t)(slash - pat);
		} else {
			cut = m;
			while (cut > 0 && pat[cut] != '/')
				cut--;
		}
		dir = cut == 0 ? strdup("/") : strndup(pat, cut);
		if (dir != NULL) {
			hook_add_resolved(in, dir, "read", false);
			json_object_set_new(req, "path", json_string(dir));
			hook_glob(in, HOOK_GLOB_FILTER, dir, pat + cut + 1, "read");
		}
		free(dir);
		return NULL;
	}
	base = search_base(in, req, "path");
	if (base != NULL)
		hook_glob(in, HOOK_GLOB_FILTER, base, pat, "read");
	free(base);
	return NULL;
}

/* LS (older Claude Code): one directory listed. */
static const char *
map_ls(const struct hook_input *in, json_t *req)
{
	free(search_base(in, req, "path"));
	return NULL;
}

static const char *
map_webfetch(const struct hook_input *in, json_t *req)
{
	const char *u = hook_str(in->tool_input, "url");

	if (u == NULL || u[0] == '\0')
		return "tool_input has no url string";
	json_object_set_new(req, "url", json_string(u));
	json_object_set_new(req, "method", json_string("GET"));
	return NULL;
}

/* A web search has no URL: the host is a fixed name and the query rides along. */
static const char *
map_websearch(const struct hook_input *in, json_t *req)
{
	json_object_set_new(req, "host", json_string("web-search"));
	json_object_set_new(req, "method", json_string("SEARCH"));
	hook_copy_str(req, "query", in->tool_input, "query");
	return NULL;
}

/* Monitor: a shell command whose output lines are events (exec), or a
 * WebSocket to watch (net).  ws holds url and protocols; any other member
 * makes it `other`. */
static const char *
map_monitor(const struct hook_input *in, json_t *req)
{
	json_t *ws = json_object_get(in->tool_input, "ws"), *v;
	const char *u = hook_str(ws, "url"), *k;

	if (json_is_string(json_object_get(in->tool_input, "command"))) {
		if (ws != NULL) /* "cannot be combined": both are targets */
			hook_unlisted(req, "ws");
		if (ws != NULL && u != NULL)
			hook_add_url(req, u, strlen(u));
		return hook_map_exec(in, req);
	}
	if (u == NULL || u[0] == '\0')
		return "tool_input has neither a command nor a ws.url";
	json_object_foreach(ws, k, v)
		if (strcmp(k, "url") != 0 && strcmp(k, "protocols") != 0)
			hook_unlisted(req, "ws.*");
	if (strcmp(json_string_value(json_object_get(req, "kind")), "other") == 0) {
		hook_add_url(req, u, strlen(u));
		return NULL;
	}
	json_object_set_new(req, "kind", json_string("net"));
	json_object_set_new(req, "url", json_string(u));
	json_object_set_new(req, "method", json_string("GET"));
	hook_copy_str(req, "justification", in->tool_input, "description");
	return NULL;
}

/* CronCreate: with durable true the job is written to the project's
 * .claude/scheduled_tasks.json (an agent's own settings) and fires its
 * prompt in later sessions. */
static const char *
map_cron(const struct hook_input *in, json_t *req)
{
	if (json_is_true(json_object_get(in->tool_input, "durable")) && in->cwd != NULL) {
		char *f = paths_join(in->cwd, ".claude/scheduled_tasks.json");

		if (f != NULL)
			hook_add_resolved(in, f, "write", false);
		free(f);
	}
	return NULL;
}

/* ExitWorktree: "remove" deletes the worktree the session is in (the cwd)
 * and its branch. */
static const char *
map_exit_worktree(const struct hook_input *in, json_t *req)
{
	const char *a = hook_str(in->tool_input, "action");
	char *all;

	(void)req;
	if (a != NULL && strcmp(a, "keep") != 0 && in->cwd != NULL && (all = paths_join(in->cwd, "**")) != NULL) {
		hook_add_resolved(in, in->cwd, "delete", false);
		hook_add_resolved(in, all, "delete", true);
		free(all);
	}
	return NULL;
}

/* ShareOnboardingGuide: every mode but delete uploads ONBOARDING.md of the
 * session's directory to claude.ai (a fixed file the input does not name). */
static const char *
map_onboarding(const struct hook_input *in, json_t *req)
{
	const char *m = hook_str(in->tool_input, "mode");
	char *f;

	if ((m == NULL || strcmp(m, "delete") != 0) && in->cwd != NULL &&
	    (f = paths_join(in->cwd, "ONBOARDING.md")) != NULL) {
		hook_add_resolved(in, f, "read", false);
		hook_add_url(req, "claude.ai", strlen("claude.ai"));
		free(f);
	}
	return NULL;
}

/* PublishPlugin: the folder and every file below it are uploaded. */
static const char *
map_publish(const struct hook_input *in, json_t *req)
{
	const char *p = hook_str(in->tool_input, "path");
	char *dir, *all;

	hook_map_roles(in, hook_tool_find(hook_claude_tools, hook_claude_ntools, in->tool_name), req);
	if (p != NULL && p[0] != '\0' && (dir = hook_file(in, in->path_flags, in->cwd, p, "read")) != NULL) {
		if ((all = paths_join(dir, "**")) != NULL)
			hook_add_resolved(in, all, "read", true);
		free(all);
		free(dir);
	}
	return NULL;
}

/* Requests of kind `other` for the tools below: the tool name and its whole
 * input are what a rule matches (docs/RULES.md), and every file and URL its
 * fields name is a part of its own (`files`, `urls`). */
#define OTHER(n) .name = (n), .kind = "other"
#define F(n, r) { (n), (r) }
#define I(n) { (n), HR_INFO }

const struct hook_tool hook_claude_tools[] = {
	/* shell */
	{ .name = "Bash", .kind = "exec", .map = hook_map_exec, .fields = { F("command", HR_COMMAND),
	    I("timeout"), I("description"), I("run_in_background"), I("dangerouslyDisableSandbox") } },
	/* not in the SDK's types; Claude Code on Windows (same fields as Bash) */
	{ .name = "PowerShell", .kind = "exec", .map = hook_map_exec, .fields = { F("command", HR_COMMAND),
	    I("timeout"), I("description"), I("run_in_background"), I("dangerouslyDisableSandbox") } },
	{ .name = "Monitor", .kind = "exec", .map = map_monitor, .fields = { I("description"),
	    I("timeout_ms"), F("command", HR_COMMAND), F("ws", HR_NESTED) } },
	/* files */
	{ .name = "Read", .kind = "read", .map = map_read, .fields = { F("file_path", HR_READ),
	    I("offset"), I("limit"), I("pages"), I("allow_large") } },
	{ .name = "Write", .kind = "write", .map = map_write, .fields = { F("file_path", HR_WRITE),
	    I("content") } },
	{ .name = "Edit", .kind = "edit", .map = map_edit, .fields = { F("file_path", HR_EDIT),
	    I("old_string"), I("new_string"), I("replace_all") } },
	{ .name = "MultiEdit", .kind = "edit", .map = map_multiedit, .fields = { F("file_path", HR_EDIT),
	    I("edits") } },
	{ .name = "NotebookEdit", .kind = "edit", .map = map_notebook, .fields = {
	    F("notebook_path", HR_EDIT), I("cell_id"), I("new_source"), I("cell_type"), I("edit_mode") } },
	{ .name = "Glob", .kind = "read", .map = map_glob, .fields = { F("pattern", HR_GLOB),
	    F("path", HR_READ) } },
	{ .name = "Grep", .kind = "read", .map = map_grep, .fields = { I("pattern"), F("path", HR_READ),
	    F("glob", HR_GLOB), I("output_mode"), I("-B"), I("-A"), I("-C"), I("context"), I("-n"),
	    I("-i"), I("-o"), I("type"), I("head_limit"), I("offset"), I("multiline") } },
	{ .name = "LS", .kind = "read", .map = map_ls, .fields = { F("path", HR_READ), I("ignore") } },
	/* web */
	{ .name = "WebFetch", .kind = "net", .map = map_webfetch, .fields = { F("url", HR_URL),
	    I("prompt"), I("offset") } },
	{ .name = "WebSearch", .kind = "net", .map = map_websearch, .fields = { I("query"),
	    I("allowed_domains"), I("blocked_domains") } },
	/* uploads to claude.ai: the local files are read and leave the machine */
	{ OTHER("Artifact"), .host = "claude.ai", .fields = { I("action"), F("file_path", HR_UPLOAD),
	    I("favicon"), I("icon"), I("limit"), I("page_token"), I("scope"), I("title"),
	    I("description"), I("label"), F("url", HR_URL), I("prompt"), I("force"), I("pin"),
	    F("out_dir", HR_WRITE), F("file_paths", HR_UPLOAD), I("asset_id"), I("after"),
	    F("capabilities", HR_CODE), I("contract") } },
	{ OTHER("Projects"), .host = "claude.ai", .fields = { I("method"), I("path"), I("content"),
	    F("local_path", HR_UPLOAD), I("present_to_user"), I("query"), I("n") } },
	{ OTHER("SendFeedback"), .fields = { I("type"), I("title"), I("details"), I("area"),
	    I("failure_mode"), I("task_category") } },
	{ OTHER("ClaudeDesign"), .fields = { I("operation"), F("arguments", HR_CODE) } },
	/* MCP resources: the server and the URI it serves */
	{ OTHER("ReadMcpResourceTool"), .fields = { F("server", HR_MCP), F("uri", HR_URI) } },
	{ OTHER("ReadMcpResourceDirTool"), .fields = { F("server", HR_MCP), F("uri", HR_URI) } },
	{ OTHER("ListMcpResourcesTool"), .fields = { F("server", HR_MCP) } },
	{ OTHER("RefreshMcpTools"), .fields = { F("server", HR_MCP) } },
	/* code and work that runs later or elsewhere */
	{ OTHER("Workflow"), .fields = { F("script", HR_CODE), I("name"), I("description"), I("title"),
	    F("args", HR_CODE), F("scriptPath", HR_READ), I("resumeFromRunId") } },
	{ OTHER("CronCreate"), .map = map_cron, .fields = { I("cron"), F("prompt", HR_CODE),
	    I("recurring"), I("durable") } },
	{ OTHER("CronDelete"), .fields = { I("id") } },
	{ OTHER("CronList") },
	{ OTHER("ScheduleWakeup"), .fields = { I("delaySeconds"), I("reason"), F("prompt", HR_CODE),
	    I("stop"), I("noop") } },
	{ OTHER("RemoteTrigger"), .fields = { I("action"), I("trigger_id"), I("session_id"), I("cursor"),
	    F("body", HR_CODE) } },
	{ OTHER("Agent"), .fields = { I("description"), F("prompt", HR_CODE), I("subagent_type"),
	    I("model"), I("effort"), I("run_in_background"), I("name"), I("team_name"), I("mode"),
	    I("isolation") } },
	/* the name before Agent */
	{ OTHER("Task"), .fields = { I("description"), F("prompt", HR_CODE), I("subagent_type"),
	    I("model"), I("run_in_background"), I("name"), I("team_name"), I("mode") } },
	{ OTHER("Skill"), .fields = { I("skill"), I("args") } },
	{ OTHER("SlashCommand"), .fields = { I("command") } },
	/* worktrees: a switch of directory, and a removal of the current one */
	{ OTHER("EnterWorktree"), .fields = { I("name"), F("path", HR_READ) } },
	{ OTHER("ExitWorktree"), .map = map_exit_worktree, .fields = { I("action"),
	    I("discard_changes") } },
	/* no target: plans, tasks, questions, notifications */
	{ OTHER("ExitPlanMode"), .open = true, .fields = { I("allowedPrompts"), I("plan"),
	    I("planFilePath") } },
	{ OTHER("EnterPlanMode") },
	{ OTHER("TodoWrite"), .fields = { I("todos") } },
	{ OTHER("TaskCreate"), .fields = { I("subject"), I("description"), I("activeForm"),
	    I("metadata") } },
	{ OTHER("TaskGet"), .fields = { I("taskId") } },
	{ OTHER("TaskUpdate"), .fields = { I("taskId"), I("subject"), I("description"), I("activeForm"),
	    I("status"), I("addBlocks"), I("addBlockedBy"), I("owner"), I("metadata") } },
	{ OTHER("TaskList") },
	{ OTHER("TaskStop"), .fields = { I("task_id"), I("shell_id") } },
	{ OTHER("TaskOutput"), .fields = { I("task_id"), I("block"), I("timeout") } },
	{ OTHER("KillShell"), .fields = { I("shell_id") } },
	{ OTHER("BashOutput"), .fields = { I("bash_id"), I("filter") } },
	{ OTHER("AskUserQuestion"), .fields = { I("questions"), I("answers"), I("annotations"),
	    I("metadata") } },
	{ OTHER("ReportFindings"), .fields = { I("level"), I("findings") } },
	{ OTHER("ShowOnboardingRolePicker") },
	{ OTHER("OfferChromeSetup"), .fields = { I("reason") } },
	{ OTHER("ReadNotifications") },
	/* a SKILL.md for the user to review and save (its shell commands reach
	 * sandgate as PreSkillShellCommand when the skill runs) */
	{ OTHER("propose_skills"), .fields = { F("proposals", HR_CODE) } },
	{ OTHER("SetGoal"), .fields = { I("condition"), I("ask_user") } },
	/* the name before SetGoal */
	{ OTHER("ProposeGoal"), .fields = { I("condition"), I("ask_user") } },
	{ OTHER("PushNotification"), .fields = { I("message"), I("status") } },
	/* Defined by the Claude Code 2.1.332 binary, not in sdk-tools.d.ts. */
	/* code intelligence on a file */
	{ OTHER("LSP"), .fields = { I("operation"), F("filePath", HR_READ), I("line"), I("character"),
	    I("query") } },
	/* JavaScript run with the session's tools; JavaScript of an artifact's SDK */
	{ OTHER("REPL"), .fields = { F("code", HR_CODE), I("description"), I("timeout") } },
	{ OTHER("AppifactRepl"), .fields = { I("skill"), I("artifact"), F("code", HR_CODE) } },
	/* local files leaving the session: to the user, to another session */
	{ OTHER("SendUserFile"), .host = "claude.ai", .fields = { F("files", HR_UPLOAD), I("caption"),
	    I("status"), I("display") } },
	{ OTHER("SendUserMessage"), .host = "claude.ai", .fields = { I("message"),
	    F("attachments", HR_UPLOAD), I("status") } },
	{ OTHER("SendFile"), .host = "claude.ai", .fields = { I("to"), F("files", HR_UPLOAD),
	    I("message") } },
	/* a plugin's folder, all of it, to the organization's library */
	{ OTHER("PublishPlugin"), .host = "claude.ai", .map = map_publish, .fields = {
	    F("path", HR_UPLOAD), I("destination"), I("description"), I("replace"), I("shown"),
	    I("question") } },
	/* ONBOARDING.md of the session's directory to a share link */
	{ OTHER("ShareOnboardingGuide"), .map = map_onboarding, .fields = { I("mode"),
	    I("short_code") } },
	/* a self-hosted runner's log file */
	{ OTHER("self_hosted_runner_tail_log"), .fields = { F("log_path", HR_READ), I("bytes") } },
	/* a document in a remote memory store (not a local path) */
	{ OTHER("memory_write"), .fields = { I("store"), I("path"), I("content"), I("if_version") } },
	{ OTHER("ListAgents"), .fields = { I("channel"), I("q"), I("cursor") } },
	{ OTHER("SubagentHandback"), .fields = { I("message") } },
	{ OTHER("ToolSearch"), .fields = { I("query"), I("max_results") } },
	{ OTHER("EndConversation") },
};
const size_t hook_claude_ntools = sizeof hook_claude_tools / sizeof hook_claude_tools[0];

/* Claude Code's `mcp_server` (PreToolUse, PermissionRequest): the server's
 * config key, where it was defined, and whether the app says it is its own.
 * The tool is what follows "mcp__" + the server name (as written, or with
 * the characters Claude Code replaces in tool names made "_") + "__"; a
 * name that does not start so keeps the rest whole as the tool, so that
 * no rule for a real tool of the server matches it. */
bool
hook_claude_mcp(const struct hook_input *in, json_t *req)
{
	json_t *prov = json_object_get(in->root, "mcp_server");
	const char *name = hook_str(prov, "name"), *rest = NULL;

	if (strncmp(in->tool_name, "mcp__", 5) != 0)
		return false;
	if (name == NULL || name[0] == '\0') {
		if (!hook_split_mcp(in->tool_name, req))
			return false;
		goto mcp;
	}
	for (int pass = 0; pass < 2 && rest == NULL; pass++) {
		size_t n = strlen(name);
		char *norm = strdup(name);

		if (norm == NULL)
			return false;
		for (char *c = norm; pass == 1 && *c != '\0'; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
			    *c == '_' || *c == '-'))
				*c = '_';
		if (strncmp(in->tool_name + 5, norm, n) == 0 && strncmp(in->tool_name + 5 + n, "__", 2) == 0 &&
		    in->tool_name[7 + n] != '\0')
			rest = in->tool_name + 7 + n;
		free(norm);
	}
	json_object_set_new(req, "server", json_string(name));
	json_object_set_new(req, "tool", json_string(rest != NULL ? rest : in->tool_name + 5));
	hook_copy_str(req, "server_source", prov, "source");
	if (json_is_true(json_object_get(prov, "built_in")))
		json_object_set_new(req, "server_built_in", json_true());
mcp:
	json_object_set_new(req, "kind", json_string("mcp"));
	json_object_set(req, "arguments", in->tool_input);
	return true;
}

const char *
hook_map_claude_tool(const struct hook_input *in, json_t *req, bool *known)
{
	const char *why = NULL;

	*known = hook_map_table(in, req, hook_claude_tools, hook_claude_ntools, &why);
	if (!*known)
		*known = hook_claude_mcp(in, req);
	return why;
}
