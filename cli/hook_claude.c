/* hook_claude.c -- Claude Code's hook format (PreToolUse, PermissionRequest).
 * Input and output as documented at https://code.claude.com/docs/en/hooks;
 * see docs/integrations.md for the fields and the source read. */
#include "cli/hook.h"

#include <stdio.h>

/* PreSkillShellCommand: a shell command in a skill's (or custom command's)
 * text, with its arguments filled in, about to run through Bash or
 * PowerShell (tool_input.command); command_name is the skill, invoked_by
 * who loaded it (sdk.d.ts PreSkillShellCommandHookInput, claude-agent-sdk
 * 0.3.337).  An exec request like any other command. */
static const char *
map_skill_shell(const struct hook_input *in, json_t *req)
{
	const char *name = hook_str(in->root, "command_name"), *by = hook_str(in->root, "invoked_by");
	char just[512];
	bool known;
	const char *why = hook_map_claude_tool(in, req, &known);

	if (!known || why != NULL || !json_is_string(json_object_get(req, "command")))
		return why != NULL ? why : "PreSkillShellCommand without a Bash or PowerShell command";
	snprintf(just, sizeof just, "shell command of skill %.200s (loaded by %.20s)", name != NULL ? name : "?",
	    by != NULL ? by : "?");
	json_object_set_new(req, "justification", json_string(just));
	hook_copy_str(req, "skill", in->root, "command_name");
	hook_copy_str(req, "skill_source", in->root, "command_source");
	return NULL;
}

static const char *
map_tool(const struct hook_input *in, json_t *req)
{
	bool known;
	const char *why;

	if (in->event == HOOK_EVENT_PRE_SKILL_SHELL)
		return map_skill_shell(in, req);
	why = hook_map_claude_tool(in, req, &known);
	if (!known)
		json_object_set_new(req, "kind", json_string("other"));
	return why;
}

/* PreToolUse and PreSkillShellCommand: hookSpecificOutput.permissionDecision
 * (an allowed PreToolUse also passes the reviewer's reason and note to the
 * model as additionalContext; a narrowed one hands back updatedInput, the
 * whole input with the reviewer's change, and says so in additionalContext);
 * PermissionRequest: hookSpecificOutput.decision.behavior (message only on
 * deny, updatedInput on a narrowed allow).  "ask" (PreToolUse only): the
 * reviewer handed the call to Claude Code's own prompt.  Shapes: sdk.d.ts of
 * @anthropic-ai/claude-agent-sdk 0.3.337 (PreToolUseHookSpecificOutput,
 * PermissionRequestHookSpecificOutput). */
static json_t *
answer(enum hook_event ev, const struct hook_verdict *v)
{
	bool allow = v->kind == HV_ALLOW;
	json_t *o;

	if (ev == HOOK_EVENT_PERMISSION_REQUEST) {
		if (!allow)
			return json_pack("{s:{s:s,s:{s:s,s:s}}}", "hookSpecificOutput", "hookEventName",
			    "PermissionRequest", "decision", "behavior", "deny", "message", v->reason);
		if (v->updated_input != NULL)
			return json_pack("{s:{s:s,s:{s:s,s:O}}}", "hookSpecificOutput", "hookEventName",
			    "PermissionRequest", "decision", "behavior", "allow", "updatedInput", v->updated_input);
		return json_pack("{s:{s:s,s:{s:s}}}", "hookSpecificOutput", "hookEventName",
		    "PermissionRequest", "decision", "behavior", "allow");
	}
	if (ev == HOOK_EVENT_PRE_SKILL_SHELL)
		return json_pack("{s:{s:s,s:s,s:s}}", "hookSpecificOutput", "hookEventName", "PreSkillShellCommand",
		    "permissionDecision", allow ? "allow" : "deny", "permissionDecisionReason", v->reason);
	if (v->kind == HV_ASK)
		return json_pack("{s:{s:s,s:s,s:s}}", "hookSpecificOutput", "hookEventName", "PreToolUse",
		    "permissionDecision", "ask", "permissionDecisionReason", v->reason);
	if (!allow)
		return json_pack("{s:{s:s,s:s,s:s}}", "hookSpecificOutput", "hookEventName", "PreToolUse",
		    "permissionDecision", "deny", "permissionDecisionReason", v->reason);
	o = json_pack("{s:{s:s,s:s,s:s,s:s}}", "hookSpecificOutput", "hookEventName", "PreToolUse",
	    "permissionDecision", "allow", "permissionDecisionReason", v->reason, "additionalContext", v->context);
	if (o != NULL && v->updated_input != NULL &&
	    json_object_set(json_object_get(o, "hookSpecificOutput"), "updatedInput", (json_t *)v->updated_input) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* PreToolUse: a narrowed input (updatedInput) and "ask"; PermissionRequest:
 * a narrowed input only (it is the prompt); PreSkillShellCommand: neither
 * (its updatedInput is never applied, and ask keeps the command from running). */
static unsigned
offers(enum hook_event ev, const json_t *req, const char *field)
{
	(void)req;
	(void)field;
	if (ev == HOOK_EVENT_PRE_TOOL_USE)
		return HOOK_OFFER_NARROW | HOOK_OFFER_ASK;
	if (ev == HOOK_EVENT_PERMISSION_REQUEST)
		return HOOK_OFFER_NARROW;
	return 0;
}

const struct hook_adapter hook_claude_code = {
	.name = "claude-code",
	.agent = "claude-code",
	.workspace_env = "CLAUDE_PROJECT_DIR",
	.agent_timeout_s = 600,
	.default_deadline_s = 590,
	/* Claude Code's expandPath: trim(), "~", relative to the session cwd */
	.path_flags = HOOK_P_TRIM_JS | HOOK_P_TILDE,
	.events = { HOOK_EVENT_PRE_TOOL_USE, HOOK_EVENT_PERMISSION_REQUEST, HOOK_EVENT_PRE_SKILL_SHELL },
	.map_tool = map_tool,
	.answer = answer,
	.offers = offers,
};
