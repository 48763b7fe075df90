/* hook_codex.c -- OpenAI Codex CLI's hook format (PreToolUse,
 * PermissionRequest): Claude Code's JSON plus turn_id and model; tool names
 * Bash, apply_patch and mcp__server__tool.  Codex enforces only deny in
 * PreToolUse (allow there is reported as unsupported), so an allow answers
 * with no decision; PermissionRequest carries real allow/deny.  Source:
 * openai/codex codex-rs/hooks (schema.rs, engine/output_parser.rs); see
 * docs/integrations.md. */
#include "cli/hook.h"

#include <stdlib.h>
#include <string.h>

/* One file header line of an apply_patch envelope ("*** Update File: p"). */
static const struct patch_op {
	const char *prefix, *kind;
} patch_ops[] = {
	{ .prefix = "*** Add File: ", .kind = "write" },
	{ .prefix = "*** Update File: ", .kind = "edit" },
	{ .prefix = "*** Delete File: ", .kind = "delete" },
};

/* apply_patch: the files the patch touches; kind from the first one, the
 * envelope kept whole as "patch". */
static const char *
map_patch(const struct hook_input *in, json_t *req)
{
	json_t *text = json_object_get(in->tool_input, "command");
	json_t *paths = json_array();
	const char *kind = NULL, *p;

	if (!json_is_string(text))
		text = json_object_get(in->tool_input, "patch");
	p = json_is_string(text) ? json_string_value(text) : NULL;
	if (p == NULL || strlen(p) != json_string_length(text)) {
		json_decref(paths);
		return "tool_input has no patch text in command (or it holds a NUL byte)";
	}
	for (const char *line = p; line != NULL && *line != '\0';) {
		const char *eol = strchr(line, '\n');
		size_t n = eol != NULL ? (size_t)(eol - line) : strlen(line);

		for (size_t i = 0; i < sizeof patch_ops / sizeof patch_ops[0]; i++) {
			size_t pl = strlen(patch_ops[i].prefix);

			if (n > pl && strncmp(line, patch_ops[i].prefix, pl) == 0) {
				char *file = strndup(line + pl, n - pl);
				json_t *tmp = json_object();

				if (file != NULL && file[0] != '\0') {
					hook_set_path(tmp, "p", file, in->cwd);
					json_array_append(paths, json_object_get(tmp, "p"));
					if (kind == NULL)
						kind = patch_ops[i].kind;
				}
				free(file);
				json_decref(tmp);
			}
		}
		line = eol != NULL ? eol + 1 : NULL;
	}
	if (kind == NULL) {
		json_decref(paths);
		return "the apply_patch envelope names no file";
	}
	json_object_set_new(req, "kind", json_string(kind));
	json_object_set(req, "path", json_array_get(paths, 0));
	json_object_set_new(req, "paths", paths);
	json_object_set(req, "patch", text);
	return NULL;
}

/* A managed-network approval arrives as Bash with the description
 * "network-access <host>" (NetworkAccess in an earlier schema). */
static bool
map_network(const struct hook_input *in, json_t *req)
{
	const char *d = hook_str(in->tool_input, "description");
	const char *cmd = hook_str(in->tool_input, "command");

	if (d == NULL || strncmp(d, "network-access ", 15) != 0 || d[15] == '\0')
		return false;
	json_object_set_new(req, "kind", json_string("net"));
	json_object_set_new(req, "host", json_string(d + 15));
	json_object_set_new(req, "justification", json_string(d));
	if (cmd != NULL)
		json_object_set_new(req, "command", json_string(cmd));
	return true;
}

static const char *
map_tool(const struct hook_input *in, json_t *req)
{
	bool known;
	const char *why;

	if (in->event == HOOK_EVENT_PERMISSION_REQUEST &&
	    (strcmp(in->tool_name, "Bash") == 0 || strcmp(in->tool_name, "NetworkAccess") == 0) &&
	    map_network(in, req))
		return NULL;
	if (strcmp(in->tool_name, "apply_patch") == 0)
		return map_patch(in, req);
	why = hook_map_claude_tool(in, req, &known);
	if (!known)
		json_object_set_new(req, "kind", json_string("other"));
	return why;
}

static json_t *
answer(enum hook_event ev, bool allow, const char *reason)
{
	if (ev == HOOK_EVENT_PERMISSION_REQUEST)
		return allow
		    ? json_pack("{s:{s:s,s:{s:s}}}", "hookSpecificOutput", "hookEventName",
		          "PermissionRequest", "decision", "behavior", "allow")
		    : json_pack("{s:{s:s,s:{s:s,s:s}}}", "hookSpecificOutput", "hookEventName",
		          "PermissionRequest", "decision", "behavior", "deny", "message", reason);
	if (allow) /* no decision: Codex goes on to its own approval (and PermissionRequest) */
		return json_object();
	return json_pack("{s:{s:s,s:s,s:s}}", "hookSpecificOutput", "hookEventName", "PreToolUse",
	    "permissionDecision", "deny", "permissionDecisionReason", reason);
}

const struct hook_adapter hook_codex = {
	.name = "codex",
	.agent = "codex",
	.workspace_env = NULL,
	.agent_timeout_s = 600,
	.default_deadline_s = 590,
	.events = { HOOK_EVENT_PRE_TOOL_USE, HOOK_EVENT_PERMISSION_REQUEST },
	.map_tool = map_tool,
	.answer = answer,
};
