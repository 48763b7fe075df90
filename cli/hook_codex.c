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

/* apply_patch: every file the envelope names, as Codex's own parser reads
 * it (codex-rs/apply-patch/src/parser.rs, lenient mode: header lines
 * trimmed, "*** Move to: " untrimmed, a heredoc wrapper around the
 * envelope); kind and path from the first file, the envelope kept whole as
 * "patch". */
/* "*** Environment ID: ID" (Codex 0.171.0 with several environments):
 * the patch applies in that environment, on another machine or with
 * another cwd the hook cannot see, so its files are not the ones listed:
 * the call is `other`, judged on its whole input. */
static void
patch_environment(const char *text, json_t *req)
{
	static const char mark[] = "*** Environment ID:";

	const char *l = text;

	while (l != NULL) {
		size_t n = strcspn(l, "\n"), s;

		hook_trim(l, n, hook_rust_space, &s);
		if (n - s >= sizeof mark - 1 && memcmp(l + s, mark, sizeof mark - 1) == 0) {
			hook_unlisted(req, "*** Environment ID");
			return;
		}
		l = l[n] != '\0' ? l + n + 1 : NULL;
	}
}

static const char *
map_patch(const struct hook_input *in, json_t *req)
{
	json_t *text = json_object_get(in->tool_input, "command");
	const char *op, *p;
	char *first;

	if (!json_is_string(text))
		text = json_object_get(in->tool_input, "patch");
	p = json_is_string(text) ? json_string_value(text) : NULL;
	if (p == NULL || strlen(p) != json_string_length(text))
		return "tool_input has no patch text in command (or it holds a NUL byte)";
	if (hook_patch_files(in, p, json_string_length(text), in->cwd, true, &first, &op) == 0 || first == NULL) {
		free(first);
		return "the apply_patch envelope names no file";
	}
	json_object_set_new(req, "kind", json_string(op));
	json_object_set_new(req, "path", json_string(first));
	json_object_set(req, "patch", text);
	free(first);
	patch_environment(p, req);
	return NULL;
}

static bool
word_is(const char *s, size_t n, const char *w)
{
	return n == strlen(w) && memcmp(s, w, n) == 0;
}

/* s starts with apply_patch or applypatch as a whole word. */
static bool
starts_apply(const char *s)
{
	size_t n = strcspn(s, " \t\n<;&|");

	return word_is(s, n, "apply_patch") || word_is(s, n, "applypatch");
}

/* The directory of a script's leading `cd DIR && apply_patch`, as Codex's
 * interception reads it (one word, or one quoted string without escapes or
 * expansions); NULL when the script has no such start. */
static char *
cd_prefix(const char *s)
{
	const char *t, *e;
	char *dir;

	s += strspn(s, " \t");
	if (strncmp(s, "cd", 2) != 0 || (s[2] != ' ' && s[2] != '\t'))
		return NULL;
	t = s + 2 + strspn(s + 2, " \t");
	if (*t == '\'' || *t == '"') {
		if ((e = strchr(t + 1, *t)) == NULL)
			return NULL;
		dir = strndup(t + 1, (size_t)(e - t - 1));
		e++;
	} else {
		e = t + strcspn(t, " \t\n;&|<>()");
		dir = strndup(t, (size_t)(e - t));
	}
	if (dir == NULL || dir[0] == '\0' || strpbrk(dir, "$`\\\"'\n*?[") != NULL) {
		free(dir);
		return NULL;
	}
	e += strspn(e, " \t");
	if (strncmp(e, "&&", 2) != 0 || !starts_apply(e + 2 + strspn(e + 2, " \t"))) {
		free(dir);
		return NULL;
	}
	return dir;
}

/* Codex also applies a patch handed to apply_patch through a shell: its
 * interception of `apply_patch <<'EOF' ... EOF` and `cd DIR && apply_patch
 * <<'EOF' ...` (codex-rs/apply-patch/src/invocation.rs), the argv
 * ["apply_patch", PATCH], and any other script that runs the apply_patch on
 * the PATH Codex gives its commands.  Every file of such a patch is a file
 * of the exec request; where the directory it runs in is not plain, the
 * relative ones may be anywhere. */
static void
shell_patch(const struct hook_input *in, json_t *req)
{
	json_t *cmd = json_object_get(req, "command"), *argv = json_object_get(req, "argv");
	const char *text = NULL, *op;
	char *joined = NULL, *dir = NULL, *base = NULL, *first = NULL;
	bool known = false;

	if (json_is_string(cmd)) {
		text = json_string_value(cmd);
		if (strlen(text) != json_string_length(cmd))
			return;
	} else if (json_is_array(argv)) {
		size_t n = json_array_size(argv);
		const char *a0 = json_string_value(json_array_get(argv, 0));
		const char *slash = a0 != NULL ? strrchr(a0, '/') : NULL;
		const char *name = slash != NULL ? slash + 1 : a0;

		if (n == 2 && name != NULL && (strcmp(name, "apply_patch") == 0 || strcmp(name, "applypatch") == 0)) {
			text = json_string_value(json_array_get(argv, 1));
			known = true;
		} else if (n == 3 && (strcmp(json_string_value(json_array_get(argv, 1)), "-c") == 0 ||
		    strcmp(json_string_value(json_array_get(argv, 1)), "-lc") == 0)) {
			text = json_string_value(json_array_get(argv, 2));
		} else {
			/* any other argv: all its words, the base unknown */
			size_t len = 0, i;
			json_t *w;

			json_array_foreach(argv, i, w)
				len += json_string_length(w) + 1;
			if ((joined = malloc(len + 1)) == NULL)
				return;
			len = 0;
			json_array_foreach(argv, i, w) {
				memcpy(joined + len, json_string_value(w), json_string_length(w));
				len += json_string_length(w);
				joined[len++] = '\n';
			}
			joined[len] = '\0';
			text = joined;
		}
	}
	if (text == NULL || (strstr(text, "apply_patch") == NULL && strstr(text, "applypatch") == NULL) ||
	    strstr(text, "*** Begin Patch") == NULL) {
		free(joined);
		return;
	}
	if (!known && joined == NULL) {
		const char *t = text + strspn(text, " \t");

		if (starts_apply(t)) {
			known = true;
		} else if ((dir = cd_prefix(t)) != NULL) {
			/* Codex joins the cd directory to the cwd, "~" expanded */
			struct hook_fileset scratch;
			struct hook_input tmp = *in;

			hook_fileset_init(&scratch);
			tmp.files = &scratch;
			base = hook_file(&tmp, HOOK_P_TILDE, in->cwd, dir, "read");
			hook_fileset_free(&scratch);
			known = base != NULL;
		}
	}
	hook_patch_files(in, text, strlen(text), base != NULL ? base : in->cwd, known, &first, &op);
	patch_environment(text, req);
	free(first);
	free(base);
	free(dir);
	free(joined);
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

/* Bash: the command, and the files of a patch it runs. */
static const char *
map_bash(const struct hook_input *in, json_t *req)
{
	const char *why = hook_map_exec(in, req);

	if (why == NULL)
		shell_patch(in, req);
	return why;
}

/* Every tool Codex sends to its hooks, with each field of its input: read
 * from the hook schemas built into the @openai/codex 0.171.0 linux-x64
 * binary (npm, December 2026: pre-tool-use and permission-request
 * command.input, `tool_input` free-form) and the tool handlers of
 * openai/codex codex-rs (Bash: shell and unified exec; apply_patch; MCP as
 * mcp__server__tool).  Older builds' fields are listed as such. */
#define F(n, r) { (n), (r) }
#define I(n) { (n), HR_INFO }

const struct hook_tool hook_codex_tools[] = {
	{ .name = "Bash", .kind = "exec", .map = map_bash, .fields = { F("command", HR_COMMAND),
	    I("description"),
	    /* older builds */
	    I("sandbox_permissions"), I("with_escalated_permissions"), I("justification"), I("timeout_ms") } },
	{ .name = "apply_patch", .kind = "edit", .map = map_patch, .fields = { F("command", HR_EDIT),
	    /* older builds */
	    F("patch", HR_EDIT) } },
	/* PermissionRequest of a managed-network approval, earlier schema */
	{ .name = "NetworkAccess", .kind = "other", .fields = { F("command", HR_COMMAND), I("description") } },
};
const size_t hook_codex_ntools = sizeof hook_codex_tools / sizeof hook_codex_tools[0];

static const char *
map_tool(const struct hook_input *in, json_t *req)
{
	const char *why = NULL;

	if (in->event == HOOK_EVENT_PERMISSION_REQUEST &&
	    (strcmp(in->tool_name, "Bash") == 0 || strcmp(in->tool_name, "NetworkAccess") == 0) &&
	    map_network(in, req))
		return NULL;
	if (hook_map_table(in, req, hook_codex_tools, hook_codex_ntools, &why))
		return why;
	if (!hook_claude_mcp(in, req))
		json_object_set_new(req, "kind", json_string("other"));
	return NULL;
}

/* PermissionRequest: allow or deny (Codex rejects updatedInput,
 * updatedPermissions and interrupt there).  PreToolUse: Codex enforces a
 * deny; an allow counts only with updatedInput ("PreToolUse hook returned
 * unsupported permissionDecision:allow" otherwise), and updatedInput must
 * carry a string `command` (Bash, apply_patch): the call's own input is
 * handed back unchanged, or with the reviewer's narrowed command (issue
 * #14).  Without one (an MCP call), no decision: Codex goes on to its own
 * approval, which comes back as PermissionRequest. */
static json_t *
answer(enum hook_event ev, const struct hook_verdict *v)
{
	bool allow = v->kind == HV_ALLOW;
	const json_t *in = v->updated_input != NULL ? v->updated_input : v->tool_input;

	if (ev == HOOK_EVENT_PERMISSION_REQUEST)
		return allow
		    ? json_pack("{s:{s:s,s:{s:s}}}", "hookSpecificOutput", "hookEventName",
		          "PermissionRequest", "decision", "behavior", "allow")
		    : json_pack("{s:{s:s,s:{s:s,s:s}}}", "hookSpecificOutput", "hookEventName",
		          "PermissionRequest", "decision", "behavior", "deny", "message", v->reason);
	if (allow && json_is_string(json_object_get(in, "command")))
		return json_pack("{s:{s:s,s:s,s:s,s:O}}", "hookSpecificOutput", "hookEventName", "PreToolUse",
		    "permissionDecision", "allow", "permissionDecisionReason", v->reason, "updatedInput", in);
	if (allow && v->updated_input == NULL)
		return json_object();
	return json_pack("{s:{s:s,s:s,s:s}}", "hookSpecificOutput", "hookEventName", "PreToolUse",
	    "permissionDecision", "deny", "permissionDecisionReason", v->reason);
}

/* A narrowed command on PreToolUse (Bash: updatedInput.command); nothing
 * on PermissionRequest (updatedInput is refused there), and no "ask"
 * (Codex reports it unsupported). */
static unsigned
offers(enum hook_event ev, const json_t *req, const char *field)
{
	(void)req;
	return ev == HOOK_EVENT_PRE_TOOL_USE && field != NULL && strcmp(field, "command") == 0 ? HOOK_OFFER_NARROW : 0;
}

const struct hook_adapter hook_codex = {
	.name = "codex",
	.agent = "codex",
	.workspace_env = NULL,
	.agent_timeout_s = 600,
	.default_deadline_s = 590,
	/* "~" is the home (AbsolutePathBuf); whether a tool trims is not known */
	.path_flags = HOOK_P_TILDE | HOOK_P_WS_BOTH,
	.events = { HOOK_EVENT_PRE_TOOL_USE, HOOK_EVENT_PERMISSION_REQUEST },
	.map_tool = map_tool,
	.answer = answer,
	.offers = offers,
};
