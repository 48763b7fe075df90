/* hook_claude.c -- Claude Code's hook format (PreToolUse, PermissionRequest).
 * Input and output as documented at https://code.claude.com/docs/en/hooks;
 * see docs/integrations.md for the fields and the source read. */
#include "cli/hook.h"

static const char *
map_tool(const struct hook_input *in, json_t *req)
{
	bool known;
	const char *why = hook_map_claude_tool(in, req, &known);

	if (!known)
		json_object_set_new(req, "kind", json_string("other"));
	return why;
}

/* PreToolUse: hookSpecificOutput.permissionDecision; PermissionRequest:
 * hookSpecificOutput.decision.behavior (message only on deny). */
static json_t *
answer(enum hook_event ev, bool allow, const char *reason)
{
	if (ev == HOOK_EVENT_PERMISSION_REQUEST)
		return allow
		    ? json_pack("{s:{s:s,s:{s:s}}}", "hookSpecificOutput", "hookEventName",
		          "PermissionRequest", "decision", "behavior", "allow")
		    : json_pack("{s:{s:s,s:{s:s,s:s}}}", "hookSpecificOutput", "hookEventName",
		          "PermissionRequest", "decision", "behavior", "deny", "message", reason);
	return json_pack("{s:{s:s,s:s,s:s}}", "hookSpecificOutput", "hookEventName", "PreToolUse",
	    "permissionDecision", allow ? "allow" : "deny", "permissionDecisionReason", reason);
}

const struct hook_adapter hook_claude_code = {
	.name = "claude-code",
	.agent = "claude-code",
	.workspace_env = "CLAUDE_PROJECT_DIR",
	.agent_timeout_s = 600,
	.default_deadline_s = 590,
	/* Claude Code's expandPath: trim(), "~", relative to the session cwd */
	.path_flags = HOOK_P_TRIM_JS | HOOK_P_TILDE,
	.events = { HOOK_EVENT_PRE_TOOL_USE, HOOK_EVENT_PERMISSION_REQUEST },
	.map_tool = map_tool,
	.answer = answer,
};
