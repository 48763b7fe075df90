/* hook.h -- agent hook adapters: a coding agent's pre-tool hook JSON (stdin)
 * becomes a sandgate request, and the broker's decision becomes the agent's
 * answer JSON (stdout).  One const adapter per agent format (hook_claude.c,
 * hook_codex.c, hook_gemini.c); the machinery they share lives in hook.c.
 * Formats and sources: docs/integrations.md. */
#ifndef SG_HOOK_H
#define SG_HOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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
	HOOK_EVENT_PRE_SKILL_SHELL,   /* Claude Code: a shell command inside a skill */
};

/* At most this many entries go in a request's `files`; more are counted in
 * `files_total` (and the broker lets no rule allow such a request). */
#define HOOK_FILES_MAX 4096

/* The files a tool call touches, collected while it is mapped. */
struct hook_fileset {
	json_t *seen;           /* "op:g|p:path" -> true, every distinct entry */
	json_t *list;           /* the first HOOK_FILES_MAX entries, in order */
	size_t total;           /* distinct entries */
};

/* The parts of a hook input every adapter reads (borrowed from root). */
struct hook_input {
	json_t *root;
	enum hook_event event;
	const char *tool_name;
	json_t *tool_input;     /* always a JSON object */
	const char *cwd;        /* "cwd" of the input, or the hook's own cwd */
	unsigned path_flags;    /* the adapter's HOOK_P_* for its tools' paths */
	struct hook_fileset *files;
};

/* How an agent turns a path string of a tool input into a file. */
#define HOOK_P_TRIM_JS  0x01u /* JavaScript trim() first (Claude Code's expandPath) */
#define HOOK_P_TILDE    0x02u /* "~" and "~/..." are the home directory */
#define HOOK_P_AT       0x04u /* Gemini: a leading '@' dropped unless the literal exists */
#define HOOK_P_PCT      0x08u /* Gemini: %XX decoded after joining (decodeURIComponent) */
#define HOOK_P_WS_BOTH  0x10u /* not known whether the agent trims: list both spellings */

/* What a glob pattern means to the tool. */
enum hook_globsem {
	HOOK_GLOB_WALK,   /* node-glob: a path pattern relative to the base (or absolute) */
	HOOK_GLOB_FILTER, /* rg --glob, grep --include: a filter on the files under the base */
};

/* What the broker answered, as the adapter renders it (issue #14). */
enum hook_verdict_kind {
	HV_DENY = 0,
	HV_ALLOW,
	HV_ASK,       /* a reviewer handed the call to the agent's own permission prompt */
};

struct hook_verdict {
	enum hook_verdict_kind kind;
	const char *reason;           /* never empty */
	const json_t *tool_input;     /* the call's input (NULL when unknown), for the agents
	                               * that allow only by handing it back (Codex's updatedInput) */
	const json_t *updated_input;  /* allow: the reviewer's narrowed input (the call's input
	                               * with one field changed, as the broker scored it), or NULL */
	const char *context;          /* allow: what the model is told (additionalContext) */
};

/* What an answer can carry beyond allow/deny (hook_adapter.offers). */
#define HOOK_OFFER_NARROW 0x1u  /* a changed tool input (updatedInput, tool_input) */
#define HOOK_OFFER_ASK    0x2u  /* "ask": the agent's own permission prompt decides */

/* The tool_input key holding the request's one narrowable target (exec
 * `command`, a single file's `file_path`, net `url`), if the input names it
 * exactly as the request does; else NULL (hook_narrow.c). */
const char *hook_narrow_field(const json_t *req);
/* The call's input with field set to the decision's narrowed value
 * (`narrowed: {command|path|url: str}`), checked again here; NULL with err
 * set when the decision cannot be applied exactly (then: deny). */
json_t *hook_narrow_apply(const json_t *tool_input, const char *field, const char *kind,
    const msgpack_object *narrowed, char *err, size_t errlen);

struct hook_adapter {
	const char *name;            /* `sandgate hook NAME` */
	const char *agent;           /* agent name in requests */
	const char *workspace_env;   /* env var the agent sets to the project root, or NULL */
	int agent_timeout_s;         /* the agent's default hook timeout */
	int default_deadline_s;      /* our deadline when no flag or env sets one */
	unsigned path_flags;         /* HOOK_P_* for paths in its tool inputs */
	enum hook_event events[3];   /* answered events; events[0] shapes the answer
	                                 to input that cannot be read */
	/* Add kind and payload fields for in's tool to req; NULL or an error. */
	const char *(*map_tool)(const struct hook_input *in, json_t *req);
	/* The agent's answer for ev (a new reference); v->reason is never empty. */
	json_t *(*answer)(enum hook_event ev, const struct hook_verdict *v);
	/* HOOK_OFFER_* the agent's answer to ev can carry for this request
	 * (field: the tool_input key a narrowing would change, or NULL). */
	unsigned (*offers)(enum hook_event ev, const json_t *req, const char *field);
};

/* What a field of a tool's input names, and so how it maps to the request
 * (docs/integrations.md, "Every tool, every field"). */
enum hook_role {
	HR_INFO = 0,  /* names no target: text, flags, counts, ids (still in the content a rule matches) */
	HR_COMMAND,   /* a shell command line the tool runs: `command` */
	HR_CWD,       /* the directory a command runs in: `cwd` */
	HR_READ,      /* a file or directory read: `files` read (string or array) */
	HR_WRITE,     /* a file written: `files` write */
	HR_EDIT,      /* a file edited: `files` edit */
	HR_GLOB,      /* a glob (or array) of files read: `files` globs */
	HR_UPLOAD,    /* a local file (or array) sent off the machine: `files` read, plus the tool's host in `urls` */
	HR_URL,       /* a URL the tool opens: `urls` (`url` for a net request) */
	HR_URL_TEXT,  /* free text whose URLs the tool fetches: every one in `urls` */
	HR_URI,       /* a resource URI (MCP): `urls` */
	HR_ELSEWHERE, /* a path under a directory of the agent's own (docs, plans): `files` read, anywhere */
	HR_CODE,      /* code or a definition the tool runs (not a shell line): judged by content only */
	HR_NESTED,    /* an object the tool's mapper reads member by member (unknown members: `other`) */
	HR_MCP,       /* an MCP server name */
	HR_PERMS,     /* permissions the call asks for (Gemini additional_permissions) */
};

#define HOOK_FIELDS_MAX 24

/* One tool an agent defines: its request kind, how it is mapped and every
 * field of its input.  A field of the input that is not listed (and is not
 * allowed by `open`) makes the call an `other` request. */
struct hook_tool {
	const char *name;
	const char *kind;   /* the request's kind */
	/* the mapping; NULL: by the fields' roles (hook_map_roles) */
	const char *(*map)(const struct hook_input *in, json_t *req);
	const char *host;   /* where HR_UPLOAD files go (a host of the agent's vendor), or NULL */
	bool open;          /* the agent's type takes any other key ([k: string]: unknown) */
	bool plain_paths;   /* paths resolved as Node's path.resolve does (a tool served by
	                     * another program), not with the adapter's path_flags */
	struct {
		const char *name;
		enum hook_role role;
	} fields[HOOK_FIELDS_MAX];
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

/* Pack req as a msgpack map that fits in budget bytes.  Judged fields
 * (command, argv, path, files, url, host, port, method, server, tool,
 * arguments, query, cwd, workspace, and the identity fields) are never cut;
 * display fields are cut (F_size/F_sha256 for a cut string F, truncated:
 * true), tool_input last replaced by a placeholder.  When the judged fields
 * alone do not fit, out holds instead the small request that names the
 * oversized field ({oversized: {field, bytes, sha256}}).  Returns 0 packed
 * whole or cut, 1 packed as oversized, -1 with err set (out of memory). */
int hook_pack_request(json_t *req, size_t budget, msgpack_sbuffer *out, char *err, size_t errlen);

/* Run one hook: read stdin, ask the broker, answer on stdout.  deadline_s is
 * the hook's own deadline from process start.  With print_request, the
 * request is printed as JSON on stdout instead of being sent, and the exit
 * status is 2 (the agents' blocking status). */
int hook_run(const struct hook_adapter *a, int deadline_s, bool print_request);

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
/* ---- files (hook_files.c) ---- */

void hook_fileset_init(struct hook_fileset *fs);
void hook_fileset_free(struct hook_fileset *fs);
/* Put the collected list in req as `files` (and `files_total` past the cap). */
void hook_fileset_put(struct hook_fileset *fs, json_t *req);
/* Add one already resolved entry (deduplicated; counted past the cap). */
void hook_add_resolved(const struct hook_input *in, const char *path, const char *op, bool glob);
/* Add the file raw names, resolved against base with flags (HOOK_P_*), and
 * every other spelling the agent might resolve it to; returns the path the
 * agent uses (a new string, for `path`), NULL on out of memory. */
char *hook_file(const struct hook_input *in, unsigned flags, const char *base, const char *raw,
    const char *op);
/* The directory a search or listing tool reads: dir resolved like a file
 * (flags HOOK_P_*), or the cwd when dir is NULL or empty; added as read,
 * set as req's `path`; a new string, or NULL. */
char *hook_dir_base(const struct hook_input *in, json_t *req, const char *dir, unsigned flags);
/* Add the files a glob pattern can reach from base (braces expanded). */
void hook_glob(const struct hook_input *in, enum hook_globsem sem, const char *base,
    const char *pattern, const char *op);
/* Whether s has a glob character (* ? [ or an extglob). */
bool hook_glob_magic(const char *s);
/* Add every file of a Codex apply_patch envelope in text (Add: write,
 * Update: edit, Delete: delete, Update + Move to: source delete and target
 * write), parsed as Codex's own lenient parser does.  Relative paths are
 * resolved against base when base_known, else listed as "/" + "**" + path
 * globs.  Returns the number of file headers; *first (a new string) and
 * *first_op are the first file and its operation, or NULL. */
size_t hook_patch_files(const struct hook_input *in, const char *text, size_t len, const char *base,
    bool base_known, char **first, const char **first_op);
/* JavaScript's \s (String.prototype.trim, split(/\s+/)). */
bool hook_js_space(uint32_t c);
/* Rust's char::is_whitespace. */
bool hook_rust_space(uint32_t c);
/* Trim s[0..n) of characters for which space() holds; returns the length
 * left and its start in *start. */
size_t hook_trim(const char *s, size_t n, bool (*space)(uint32_t), size_t *start);

/* Map in's tool through table: false when the tool is not in it.  A tool
 * whose input holds a field the table does not list becomes `other`, with
 * `unlisted` naming the fields; else the row's kind and mapping.  *why is an
 * error for an unusable input, else NULL. */
bool hook_map_table(const struct hook_input *in, json_t *req, const struct hook_tool *table, size_t n,
    const char **why);
/* The row of table for name, or NULL. */
const struct hook_tool *hook_tool_find(const struct hook_tool *table, size_t n, const char *name);
/* The targets of in's input by the roles of t's fields: `files`, `urls`,
 * `command`, `cwd`.  Used for `other` requests and tools mapped by roles. */
const char *hook_map_roles(const struct hook_input *in, const struct hook_tool *t, json_t *req);
/* Add the URL u to req's `urls` (deduplicated, at most HOOK_URLS_MAX). */
void hook_add_url(json_t *req, const char *u, size_t n);
/* Add every http(s) URL in text to req's `urls`; returns how many. */
size_t hook_urls_in_text(json_t *req, const char *text);
/* Mark req as an `other` request because of field (added to `unlisted`). */
void hook_unlisted(json_t *req, const char *field);

#define HOOK_URLS_MAX 64

extern const struct hook_tool hook_claude_tools[], hook_codex_tools[], hook_gemini_tools[];
extern const size_t hook_claude_ntools, hook_codex_ntools, hook_gemini_ntools;

/* Map Claude Code's tool vocabulary (Bash, Write, Edit, MultiEdit, Read,
 * WebFetch, mcp__server__tool, ...) into req.  *known says whether the tool is
 * one of them; returns NULL, or an error when its tool_input is unusable. */
const char *hook_map_claude_tool(const struct hook_input *in, json_t *req, bool *known);
/* An MCP call named mcp__SERVER__TOOL: kind mcp, server (Claude Code's
 * `mcp_server.name` when the input has it), tool, arguments; false if the
 * name is not one. */
bool hook_claude_mcp(const struct hook_input *in, json_t *req);
/* Bash and PowerShell: `command` (or `argv`) and `justification`. */
const char *hook_map_exec(const struct hook_input *in, json_t *req);

#endif
