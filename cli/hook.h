/* hook.h -- agent hook adapters: a coding agent's pre-tool hook JSON (stdin)
 * becomes a sandgate request, and the broker's decision becomes the agent's
 * answer JSON (stdout).  One const adapter per agent format (hook_claude.c,
 * hook_codex.c, hook_gemini.c); the machinery they share lives in hook.c.
 * Formats and sources: docs/integrations.md. */
#ifndef SG_HOOK_H
#define SG_HOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include <msgpack.h>

/* Largest hook input read from stdin; more is refused (denied). */
#define HOOK_MAX_INPUT (32u * 1024u * 1024u)

/* Hook events the adapters answer. */
enum hook_event {
	HOOK_EVENT_NONE = 0,          /* unknown: input unreadable or event unsupported */
	HOOK_EVENT_PRE_TOOL_USE,      /* Claude Code, Codex */
	HOOK_EVENT_PERMISSION_REQUEST,/* Claude Code, Codex */
	HOOK_EVENT_BEFORE_TOOL,       /* Gemini CLI */
};

/* The parts of a hook input every adapter reads (borrowed from root). */
struct hook_input {
	json_t *root;
	enum hook_event event;
	const char *tool_name;
	json_t *tool_input;     /* always a JSON object */
	const char *cwd;        /* "cwd" of the input, or the hook's own cwd */
};

struct hook_adapter {
	const char *name;            /* `sandgate hook NAME` */
	const char *agent;           /* agent name in requests */
	const char *workspace_env;   /* env var the agent sets to the project root, or NULL */
	int agent_timeout_s;         /* the agent's default hook timeout */
	int default_deadline_s;      /* our deadline when no flag or env sets one */
	enum hook_event events[3];   /* answered events; events[0] shapes the answer
	                                 to input that cannot be read */
	/* Add kind and payload fields for in's tool to req; NULL or an error. */
	const char *(*map_tool)(const struct hook_input *in, json_t *req);
	/* The agent's answer for ev (a new reference); reason is never empty. */
	json_t *(*answer)(enum hook_event ev, bool allow, const char *reason);
};

extern const struct hook_adapter hook_claude_code, hook_codex, hook_gemini;

/* Adapter named name, or NULL. */
const struct hook_adapter *hook_adapter_find(const char *name);
/* "PreToolUse" etc. */
const char *hook_event_name(enum hook_event ev);

/* Parse raw hook input into a request map (a new JSON object holding every
 * submit field except wait).  Returns NULL with a one-line reason in err;
 * *event is set as soon as the event is known (HOOK_EVENT_NONE before). */
json_t *hook_parse(const struct hook_adapter *a, const char *buf, size_t len,
    enum hook_event *event, char *err, size_t errlen);

/* Pack req as a msgpack map that fits in budget bytes, cutting long strings
 * (with content_size/content_sha256 for a cut content, truncated: true) and
 * flattening containers nested too deep for the protocol.  0 on success. */
int hook_pack_request(json_t *req, size_t budget, msgpack_sbuffer *out, char *err, size_t errlen);

/* Run one hook: read stdin, ask the broker, answer on stdout.  deadline_s is
 * the hook's own deadline from process start.  Returns the exit status. */
int hook_run(const struct hook_adapter *a, int deadline_s);

/* ---- helpers for the adapters (hook.c) ---- */

/* String member of obj, or NULL when absent, not a string, or holding a NUL
 * byte (a path or name cut at a NUL would mislead the reviewer). */
const char *hook_str(const json_t *obj, const char *key);
/* Set req[key] to a copy of the string member in[src] if it is a string. */
void hook_copy_str(json_t *req, const char *key, const json_t *in, const char *src);
/* Set req[key] to path, joined to cwd when relative; nothing if path is NULL. */
void hook_set_path(json_t *req, const char *key, const char *path, const char *cwd);
/* Split "mcp__server__tool" into req's server and tool; false if not MCP. */
bool hook_split_mcp(const char *tool_name, json_t *req);
/* Map Claude Code's tool vocabulary (Bash, Write, Edit, MultiEdit, Read,
 * WebFetch, mcp__server__tool, ...) into req.  *known says whether the tool is
 * one of them; returns NULL, or an error when its tool_input is unusable. */
const char *hook_map_claude_tool(const struct hook_input *in, json_t *req, bool *known);

#endif
