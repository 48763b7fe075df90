/* hook.c -- what the agent hook adapters share: parse the hook input into a
 * request, fit it in one protocol message, ask the broker, answer in the
 * agent's format, and fail closed on every path (including our own deadline,
 * enforced by a watchdog signal that needs nothing but write(2)). */
#include "cli/hook.h"
#include "proto/client.h"
#include "proto/mpjson.h"
#include "proto/paths.h"
#include "proto/proto.h"
#include "proto/rpc.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* Containers nested deeper than this inside the request map are sent as
 * their JSON text, so the message stays within SG_MSG_MAX_DEPTH. */
#define HOOK_MAX_DEPTH 24
/* Longest reason text put in an answer (Claude Code caps strings at 10,000). */
#define HOOK_REASON_MAX 2000
/* Identifiers longer than this are replaced by a hash of them. */
#define HOOK_ID_MAX 200

static const struct hook_adapter *const adapters[] = {
	&hook_claude_code,
	&hook_codex,
	&hook_gemini,
};

static const char *const event_names[] = {
	[HOOK_EVENT_NONE] = "none",
	[HOOK_EVENT_PRE_TOOL_USE] = "PreToolUse",
	[HOOK_EVENT_PERMISSION_REQUEST] = "PermissionRequest",
	[HOOK_EVENT_BEFORE_TOOL] = "BeforeTool",
	[HOOK_EVENT_PRE_SKILL_SHELL] = "PreSkillShellCommand",
};

const struct hook_adapter *
hook_adapter_find(const char *name)
{
	for (size_t i = 0; i < sizeof adapters / sizeof adapters[0]; i++)
		if (strcmp(adapters[i]->name, name) == 0)
			return adapters[i];
	return NULL;
}

const char *
hook_event_name(enum hook_event ev)
{
	return ev <= HOOK_EVENT_PRE_SKILL_SHELL ? event_names[ev] : "none";
}

/* ---- helpers for adapters ---- */

const char *
hook_str(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return json_string_value(v);
}

void
hook_copy_str(json_t *req, const char *key, const json_t *in, const char *src)
{
	json_t *v = json_object_get(in, src);

	if (json_is_string(v))
		json_object_set_new(req, key, json_stringn(json_string_value(v), json_string_length(v)));
}

void
hook_set_path(json_t *req, const char *key, const char *path, const char *cwd)
{
	char *joined;

	if (path == NULL) /* no cwd to fall back on: no path, and the broker refuses */
		return;
	if (path[0] == '/' || cwd == NULL || cwd[0] == '\0') {
		json_object_set_new(req, key, json_string(path));
		return;
	}
	joined = paths_join(cwd, path);
	json_object_set_new(req, key, json_string(joined != NULL ? joined : path));
	free(joined);
}

bool
hook_split_mcp(const char *tool_name, json_t *req)
{
	const char *server, *sep;

	if (strncmp(tool_name, "mcp__", 5) != 0)
		return false;
	server = tool_name + 5;
	sep = strstr(server, "__");
	if (sep == NULL || sep == server || sep[2] == '\0')
		return false;
	json_object_set_new(req, "server", json_stringn(server, (size_t)(sep - server)));
	json_object_set_new(req, "tool", json_string(sep + 2));
	return true;
}


/* ---- the tool tables: every tool and field an agent defines ---- */

const struct hook_tool *
hook_tool_find(const struct hook_tool *table, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

void
hook_add_url(json_t *req, const char *u, size_t n)
{
	json_t *urls = json_object_get(req, "urls"), *e;
	size_t i;

	if (n == 0 || memchr(u, '\0', n) != NULL)
		return;
	if (urls == NULL) {
		urls = json_array();
		if (urls == NULL || json_object_set_new(req, "urls", urls) < 0)
			return;
	}
	json_array_foreach(urls, i, e)
		if (json_string_length(e) == n && memcmp(json_string_value(e), u, n) == 0)
			return;
	if (json_array_size(urls) >= HOOK_URLS_MAX) {
		/* the broker lets no rule allow a request whose list is cut */
		json_t *t = json_object_get(req, "urls_total");

		json_object_set_new(req, "urls_total",
		    json_integer(t != NULL ? json_integer_value(t) + 1 : HOOK_URLS_MAX + 1));
		return;
	}
	json_array_append_new(urls, json_stringn(u, n));
}

/* The code point at s[*i] (advancing *i), or U+FFFD for a bad byte. */
static uint32_t
utf8_next(const unsigned char *s, size_t n, size_t *i)
{
	uint32_t c = s[*i];
	size_t k = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;

	(*i)++;
	if (c < 0x80 || *i + k > n)
		return c < 0x80 ? c : 0xFFFD;
	c &= 0x3Fu >> k;
	for (size_t j = 0; j < k; j++)
		c = (c << 6) | (s[(*i)++] & 0x3Fu);
	return c;
}

/* Whether tok (one whitespace-free word) is an http(s) URL as Gemini's
 * web_fetch reads its prompt: the word holds "://", and its scheme, before
 * the first ':', is http or https in any case (WHATWG URL). */
static bool
word_is_web_url(const char *tok, size_t n)
{
	const char *colon = memchr(tok, ':', n);
	size_t k;

	if (colon == NULL || (size_t)(colon - tok) + 3 > n || memcmp(colon, "://", 3) != 0)
		return false;
	k = (size_t)(colon - tok);
	return (k == 4 && strncasecmp(tok, "http", 4) == 0) || (k == 5 && strncasecmp(tok, "https", 5) == 0);
}

size_t
hook_urls_in_text(json_t *req, const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = strlen(text), i = 0, start = 0, found = 0;

	while (i <= n) {
		size_t at = i;
		bool space = i == n || hook_js_space(utf8_next(s, n, &i));

		if (at == n)
			i = n + 1;
		if (!space)
			continue;
		/* the URL parser drops C0 controls and spaces around the word
		 * (WHATWG URL), which JavaScript's \s does not split on */
		while (start < at && (unsigned char)text[start] <= 0x20)
			start++;
		while (at > start && (unsigned char)text[at - 1] <= 0x20)
			at--;
		if (at > start && word_is_web_url(text + start, at - start)) {
			hook_add_url(req, text + start, at - start);
			found++;
		}
		start = i;
	}
	return found;
}

void
hook_unlisted(json_t *req, const char *field)
{
	json_t *u = json_object_get(req, "unlisted");

	if (u == NULL) {
		u = json_array();
		if (u == NULL || json_object_set_new(req, "unlisted", u) < 0)
			return;
	}
	json_array_append_new(u, json_string(field));
	json_object_set_new(req, "kind", json_string("other"));
}

/* A string, or every string of an array, of the input's field. */
static void
each_str(const json_t *v, void (*fn)(const struct hook_input *, const struct hook_tool *, json_t *, enum hook_role, const char *),
    const struct hook_input *in, const struct hook_tool *t, json_t *req, enum hook_role role)
{
	size_t i;
	json_t *e;

	if (json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v)) {
		fn(in, t, req, role, json_string_value(v));
		return;
	}
	json_array_foreach(v, i, e)
		if (json_is_string(e) && strlen(json_string_value(e)) == json_string_length(e))
			fn(in, t, req, role, json_string_value(e));
}

static void
role_target(const struct hook_input *in, const struct hook_tool *t, json_t *req, enum hook_role role, const char *s)
{
	unsigned pf = t->plain_paths ? 0 : in->path_flags;
	char *r;

	if (s[0] == '\0')
		return;
	switch (role) {
	case HR_READ: case HR_UPLOAD:
		free(hook_file(in, pf, in->cwd, s, "read"));
		if (role == HR_UPLOAD && t->host != NULL)
			hook_add_url(req, t->host, strlen(t->host));
		break;
	case HR_WRITE:
		free(hook_file(in, pf, in->cwd, s, "write"));
		break;
	case HR_EDIT:
		free(hook_file(in, pf, in->cwd, s, "edit"));
		break;
	case HR_GLOB:
		if (in->cwd != NULL)
			hook_glob(in, HOOK_GLOB_WALK, in->cwd, s, "read");
		break;
	case HR_URL: case HR_URI:
		hook_add_url(req, s, strlen(s));
		break;
	case HR_URL_TEXT:
		hook_urls_in_text(req, s);
		break;
	case HR_ELSEWHERE:
		/* under a directory of the agent's own that the hook does not
		 * know: anywhere such a path could be */
		if (s[0] == '/') {
			hook_add_resolved(in, s, "read", hook_glob_magic(s));
		} else if (strstr(s, "..") != NULL) {
			hook_add_resolved(in, "/**", "read", true); /* it climbs: anywhere at all */
		} else if ((r = paths_join("/**", s)) != NULL) {
			hook_add_resolved(in, r, "read", true);
			free(r);
		}
		break;
	default:
		break;
	}
}

const char *
hook_map_roles(const struct hook_input *in, const struct hook_tool *t, json_t *req)
{
	for (size_t i = 0; i < HOOK_FIELDS_MAX && t->fields[i].name != NULL; i++) {
		json_t *v = json_object_get(in->tool_input, t->fields[i].name);
		enum hook_role role = t->fields[i].role;

		if (v == NULL)
			continue;
		if (role == HR_COMMAND && json_is_string(v) && json_object_get(req, "command") == NULL)
			json_object_set(req, "command", v);
		else if (role == HR_CWD && json_is_string(v) && json_string_length(v) > 0)
			hook_set_path(req, "cwd", json_string_value(v), in->cwd);
		else
			each_str(v, role_target, in, t, req, role);
	}
	return NULL;
}

bool
hook_map_table(const struct hook_input *in, json_t *req, const struct hook_tool *table, size_t n,
    const char **why)
{
	const struct hook_tool *t = hook_tool_find(table, n, in->tool_name);
	const char *k;
	json_t *v;
	bool listed = true;

	*why = NULL;
	if (t == NULL)
		return false;
	json_object_foreach(in->tool_input, k, v) {
		bool found = t->open;

		for (size_t i = 0; i < HOOK_FIELDS_MAX && t->fields[i].name != NULL && !found; i++)
			found = strcmp(t->fields[i].name, k) == 0;
		if (!found) {
			hook_unlisted(req, k);
			listed = false;
		}
	}
	if (!listed) {
		/* a field the table does not know may name anything: an
		 * `other` request, judged on its whole input, with every target
		 * the known fields name (an input the mapping cannot use is
		 * still refused) */
		*why = t->map != NULL ? t->map(in, req) : hook_map_roles(in, t, req);
		json_object_set_new(req, "kind", json_string("other"));
		return true;
	}
	json_object_set_new(req, "kind", json_string(t->kind));
	*why = t->map != NULL ? t->map(in, req) : hook_map_roles(in, t, req);
	return true;
}

/* ---- parsing ---- */

static void hex_sha256(const void *p, size_t n, char out[65]);

/* An identifier that fits the protocol: itself if short, else "h-" + hash. */
static json_t *
bounded_id(const char *s, size_t n)
{
	char hex[65], buf[48];

	if (n <= HOOK_ID_MAX && memchr(s, '\0', n) == NULL)
		return json_stringn(s, n);
	hex_sha256(s, n, hex);
	snprintf(buf, sizeof buf, "h-%.40s", hex);
	return json_string(buf);
}

/* A fresh request id when the agent gives none (libsodium only on this path:
 * its start-up cost is not paid by every hook). */
static json_t *
random_id(void)
{
	unsigned char rnd[16];
	char hex[33], buf[40];

	if (sodium_init() < 0)
		return NULL;
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
	snprintf(buf, sizeof buf, "r-%s", hex);
	return json_string(buf);
}

/* agent: the adapter's name, plus "/<agent_id>" inside a subagent. */
static json_t *
agent_name(const struct hook_adapter *a, const json_t *root)
{
	json_t *id = json_object_get(root, "agent_id");
	char buf[129];
	size_t n, k;

	if (!json_is_string(id) || json_string_length(id) == 0)
		return json_string(a->agent);
	n = (size_t)snprintf(buf, sizeof buf, "%s/", a->agent);
	k = json_string_length(id);
	if (k > sizeof buf - 1 - n)
		k = sizeof buf - 1 - n;
	while (k > 0 && ((unsigned char)json_string_value(id)[k] & 0xC0) == 0x80 &&
	    k < json_string_length(id))
		k--;
	memcpy(buf + n, json_string_value(id), k);
	buf[n + k] = '\0';
	if (strlen(buf) != n + k) /* a NUL inside the id */
		return json_string(a->agent);
	return json_string(buf);
}

static enum hook_event
event_from_name(const struct hook_adapter *a, const char *name)
{
	for (size_t i = 0; i < sizeof a->events / sizeof a->events[0]; i++)
		if (a->events[i] != HOOK_EVENT_NONE && strcmp(name, event_names[a->events[i]]) == 0)
			return a->events[i];
	return HOOK_EVENT_NONE;
}

/* Where the command runs (proto/PROTOCOL.md `sandbox`): the agent's own
 * escape flags make it unsandboxed (sent as a field of its own too, since
 * tool_input may be cut to fit a message); inside `sandgate sandbox`
 * (SANDGATE_SANDBOX) it is sandboxed; else the field is left out (unknown). */
static void
set_sandbox(json_t *req, const json_t *ti)
{
	const json_t *v;
	const char *src = NULL, *env;

	v = json_object_get(ti, "dangerouslyDisableSandbox");
	if (json_is_true(v) || (json_is_string(v) && strcmp(json_string_value(v), "true") == 0))
		src = "tool_input.dangerouslyDisableSandbox";
	v = json_object_get(ti, "sandbox_permissions");
	if (src == NULL && json_is_string(v) && strcmp(json_string_value(v), "require_escalated") == 0)
		src = "tool_input.sandbox_permissions";
	v = json_object_get(ti, "with_escalated_permissions");
	if (src == NULL && json_is_true(v))
		src = "tool_input.with_escalated_permissions";
	if (src != NULL) {
		json_object_set_new(req, "sandbox", json_string("unsandboxed"));
		json_object_set_new(req, "sandbox_source", json_string(src));
	} else if ((env = getenv("SANDGATE_SANDBOX")) != NULL && env[0] != '\0' && strcmp(env, "0") != 0) {
		json_object_set_new(req, "sandbox", json_string("sandboxed"));
		json_object_set_new(req, "sandbox_source", json_string("sandgate sandbox"));
	}
}

/* The fields every request carries, from the hook input's common fields. */
static const char *
add_common(const struct hook_adapter *a, const struct hook_input *in, json_t *req)
{
	json_t *v;
	const char *ws;

	v = json_object_get(in->root, "tool_use_id");
	json_object_set_new(req, "req_id", json_is_string(v) && json_string_length(v) > 0
	    ? bounded_id(json_string_value(v), json_string_length(v)) : random_id());
	if (json_object_get(req, "req_id") == NULL)
		return "cannot make a request id (libsodium failed)";
	v = json_object_get(in->root, "session_id");
	json_object_set_new(req, "session", json_is_string(v) && json_string_length(v) > 0
	    ? bounded_id(json_string_value(v), json_string_length(v)) : json_string("unknown"));
	json_object_set_new(req, "agent", agent_name(a, in->root));
	if (json_object_get(req, "cwd") == NULL && in->cwd != NULL && in->cwd[0] != '\0')
		json_object_set_new(req, "cwd", json_string(in->cwd));
	v = json_object_get(req, "cwd");
	if (v != NULL && (json_string_length(v) > 4096 || strlen(json_string_value(v)) != json_string_length(v)))
		return "cwd is longer than 4096 bytes or holds a NUL";
	if (a->workspace_env != NULL && (ws = getenv(a->workspace_env)) != NULL && ws[0] != '\0' &&
	    strlen(ws) <= 4096)
		json_object_set_new(req, "workspace", json_string(ws));
	json_object_set_new(req, "tool_name", json_string(in->tool_name));
	json_object_set(req, "tool_input", in->tool_input);
	json_object_set_new(req, "event", json_string(event_names[in->event]));
	hook_copy_str(req, "permission_mode", in->root, "permission_mode");
	hook_copy_str(req, "agent_type", in->root, "agent_type");
	set_sandbox(req, in->tool_input);
	return NULL;
}

json_t *
hook_parse(const struct hook_adapter *a, const char *buf, size_t len, enum hook_event *event,
    char *err, size_t errlen)
{
	struct hook_input in = { 0 };
	struct hook_fileset fs;
	json_error_t jerr;
	json_t *req = NULL;
	const char *name, *why;
	char cwd[PATH_MAX];

	*event = HOOK_EVENT_NONE;
	in.root = json_loadb(buf, len, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &jerr);
	if (in.root == NULL) {
		snprintf(err, errlen, "hook input is not valid JSON: %s (at byte %d)", jerr.text, jerr.position);
		return NULL;
	}
	if (!json_is_object(in.root)) {
		snprintf(err, errlen, "hook input is not a JSON object");
		goto out;
	}
	if ((name = hook_str(in.root, "hook_event_name")) == NULL) {
		snprintf(err, errlen, "hook input has no hook_event_name");
		goto out;
	}
	if ((in.event = event_from_name(a, name)) == HOOK_EVENT_NONE) {
		snprintf(err, errlen, "event '%.64s' is not one `sandgate hook %s` answers", name, a->name);
		goto out;
	}
	*event = in.event;
	in.tool_name = hook_str(in.root, "tool_name");
	in.tool_input = json_object_get(in.root, "tool_input");
	if (in.tool_name == NULL || in.tool_name[0] == '\0' ||
	    strlen(in.tool_name) != json_string_length(json_object_get(in.root, "tool_name")) ||
	    strlen(in.tool_name) > 256) {
		snprintf(err, errlen, "hook input has no usable tool_name");
		goto out;
	}
	if (!json_is_object(in.tool_input)) {
		snprintf(err, errlen, "hook input has no tool_input object");
		goto out;
	}
	in.cwd = hook_str(in.root, "cwd");
	if (in.cwd == NULL && json_is_string(json_object_get(in.root, "cwd"))) {
		snprintf(err, errlen, "hook input has a NUL byte in cwd");
		goto out;
	}
	if (in.cwd == NULL || in.cwd[0] == '\0')
		in.cwd = getcwd(cwd, sizeof cwd);
	req = json_object();
	hook_fileset_init(&fs);
	in.files = &fs;
	in.path_flags = a->path_flags;
	if (req == NULL || fs.seen == NULL || fs.list == NULL) {
		snprintf(err, errlen, "out of memory");
		json_decref(req);
		req = NULL;
	} else if ((why = a->map_tool(&in, req)) != NULL || (why = add_common(a, &in, req)) != NULL) {
		snprintf(err, errlen, "%s: %s", in.tool_name, why);
		json_decref(req);
		req = NULL;
	} else {
		if (!json_is_string(json_object_get(req, "kind")))
			json_object_set_new(req, "kind", json_string("other"));
		hook_fileset_put(&fs, req);
	}
	hook_fileset_free(&fs);
out:
	json_decref(in.root);
	return req;
}

/* ---- packing within the message cap ---- */

/* What a rule or the risk scorer judges: sent whole or not at all (a request
 * that cannot carry them whole names the biggest as `oversized`). */
static const char *const judged_fields[] = {
	"command", "argv", "path", "files", "url", "host", "port", "method", "server", "tool",
	"arguments", "query", "cwd", "workspace",
};
/* What is shown or kept verbatim: cut, or digested, to fit.  Any other
 * field (req_id, session, agent, kind, event, tool_name, ...) is small and
 * sent whole. */
static const char *const cut_fields[] = {
	"content", "old", "new", "patch", "justification", "tool_input", "permission_mode", "agent_type",
};
/* The fields an oversized request keeps besides `oversized`. */
static const char *const oversized_keep[] = {
	"req_id", "agent", "session", "kind", "cwd", "workspace", "tool_name", "event", "wait",
	"sandbox", "sandbox_source", "timeout",
};

static bool
in_list(const char *k, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(k, list[i]) == 0)
			return true;
	return false;
}

#define IN_LIST(k, l) in_list((k), (l), sizeof (l) / sizeof (l)[0])

struct pack_state {
	msgpack_packer pk;
	size_t strcap;          /* longest string of a cut field */
	bool cut;               /* something was cut or flattened */
};

static size_t
utf8_prefix(const char *s, size_t n, size_t cap)
{
	size_t k;

	if (n <= cap)
		return n;
	k = cap;
	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	return k;
}

static void
pack_cut_str(struct pack_state *ps, const char *s, size_t n)
{
	size_t k = utf8_prefix(s, n, ps->strcap);

	ps->cut |= k < n;
	rpc_pack_strn(&ps->pk, s, k);
}

static void pack_json(struct pack_state *ps, json_t *v, int depth);

/* A container too deep for the protocol goes as its JSON text. */
static void
pack_flat(struct pack_state *ps, json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	ps->cut = true;
	pack_cut_str(ps, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
	free(s);
}

/* Pack v; with ps->strcap SIZE_MAX nothing is cut (judged fields: their
 * depth was checked before). */
static void
pack_json(struct pack_state *ps, json_t *v, int depth)
{
	const char *k;
	json_t *e;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (depth > HOOK_MAX_DEPTH) {
			pack_flat(ps, v);
			break;
		}
		msgpack_pack_map(&ps->pk, json_object_size(v));
		json_object_foreach(v, k, e) {
			pack_cut_str(ps, k, strlen(k));
			pack_json(ps, e, depth + 1);
		}
		break;
	case JSON_ARRAY:
		if (depth > HOOK_MAX_DEPTH) {
			pack_flat(ps, v);
			break;
		}
		msgpack_pack_array(&ps->pk, json_array_size(v));
		json_array_foreach(v, i, e)
			pack_json(ps, e, depth + 1);
		break;
	case JSON_STRING: pack_cut_str(ps, json_string_value(v), json_string_length(v)); break;
	case JSON_INTEGER: msgpack_pack_int64(&ps->pk, json_integer_value(v)); break;
	case JSON_REAL: msgpack_pack_double(&ps->pk, json_real_value(v)); break;
	case JSON_TRUE: msgpack_pack_true(&ps->pk); break;
	case JSON_FALSE: msgpack_pack_false(&ps->pk); break;
	case JSON_NULL: msgpack_pack_nil(&ps->pk); break;
	}
}

/* Containers nested in v (0 for a scalar), counted up to limit + 1. */
static int
json_depth(json_t *v, int limit)
{
	const char *k;
	json_t *e;
	size_t i;
	int d = 0;

	if (limit < 0)
		return 1;
	if (json_is_object(v)) {
		json_object_foreach(v, k, e) {
			int x = json_depth(e, limit - 1);

			d = x > d ? x : d;
		}
		return d + 1;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			int x = json_depth(e, limit - 1);

			d = x > d ? x : d;
		}
		return d + 1;
	}
	return 0;
}

static void
hex_sha256(const void *p, size_t n, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, p, n);
	sodium_bin2hex(out, 65, h, sizeof h);
}

/* The bytes a field stands for in `oversized` and placeholders: a string's
 * own bytes, anything else its compact JSON.  *owned is set when the result
 * must be freed. */
static const char *
field_bytes(json_t *v, size_t *n, char **owned)
{
	*owned = NULL;
	if (json_is_string(v)) {
		*n = json_string_length(v);
		return json_string_value(v);
	}
	*owned = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	*n = *owned != NULL ? strlen(*owned) : 0;
	return *owned != NULL ? *owned : "";
}

/* SHA-256 of each top-level cut string field, computed once. */
struct cut_digest {
	const char *key;
	char sha[65];
};

/* An `other` request is judged on its whole input (docs/RULES.md): its
 * tool_input is never cut, digested or flattened. */
static bool
input_judged(json_t *req, const char *k)
{
	json_t *kind = json_object_get(req, "kind");

	return strcmp(k, "tool_input") == 0 && json_is_string(kind) && strcmp(json_string_value(kind), "other") == 0;
}

/* Pack req with the strings of cut fields at most strcap bytes; a cut
 * string F gets F_size and F_sha256.  Returns the packed size. */
static size_t
pack_with_cap(json_t *req, size_t strcap, const struct cut_digest *dg, size_t ndg, msgpack_sbuffer *out)
{
	struct pack_state ps = { .strcap = SIZE_MAX };
	msgpack_sbuffer body;
	msgpack_packer pk;
	size_t extra = 0;
	const char *k;
	json_t *v;

	msgpack_sbuffer_init(&body);
	msgpack_packer_init(&ps.pk, &body, msgpack_sbuffer_write);
	json_object_foreach(req, k, v) {
		bool cuttable = IN_LIST(k, cut_fields) && !input_judged(req, k);

		rpc_pack_str(&ps.pk, k);
		ps.strcap = cuttable ? strcap : SIZE_MAX;
		pack_json(&ps, v, cuttable ? 1 : -1000000);
	}
	msgpack_sbuffer_clear(out);
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	for (size_t i = 0; i < ndg; i++)
		if (json_string_length(json_object_get(req, dg[i].key)) > strcap)
			extra += 2;
	msgpack_pack_map(&pk, json_object_size(req) + (ps.cut ? 1 : 0) + extra);
	if (ps.cut)
		rpc_pack_kv_bool(&pk, "truncated", true);
	for (size_t i = 0; i < ndg; i++) {
		json_t *s = json_object_get(req, dg[i].key);
		char key[64];

		if (json_string_length(s) <= strcap)
			continue;
		snprintf(key, sizeof key, "%s_size", dg[i].key);
		rpc_pack_kv_int(&pk, key, (int64_t)json_string_length(s));
		snprintf(key, sizeof key, "%s_sha256", dg[i].key);
		rpc_pack_kv_str(&pk, key, dg[i].sha);
	}
	msgpack_sbuffer_write(out, body.data, body.size);
	msgpack_sbuffer_destroy(&body);
	return out->size;
}

/* Replace a big verbatim field by its size and hash. */
static void
digest_field(json_t *req, const char *key)
{
	json_t *v = json_object_get(req, key);
	char hex[65], *owned;
	const char *b;
	size_t n;

	if (v == NULL)
		return;
	b = field_bytes(v, &n, &owned);
	hex_sha256(b, n, hex);
	json_object_set_new(req, key, json_pack("{s:b,s:I,s:s}", "sandgate_omitted", 1,
	    "bytes", (json_int_t)n, "sha256", hex));
	free(owned);
}

/* The small request that stands for req when its judged field `field`
 * cannot be carried whole: the identity fields and `oversized`. */
static int
pack_oversized(json_t *req, const char *field, size_t budget, msgpack_sbuffer *out)
{
	json_t *small = json_object(), *v = json_object_get(req, field);
	char hex[65], *owned;
	const char *b;
	size_t n;
	int rc = -1;

	if (small == NULL || v == NULL)
		goto out;
	b = field_bytes(v, &n, &owned);
	hex_sha256(b, n, hex);
	free(owned);
	for (size_t i = 0; i < sizeof oversized_keep / sizeof oversized_keep[0]; i++) {
		json_t *x = json_object_get(req, oversized_keep[i]);

		if (x != NULL && strcmp(oversized_keep[i], field) != 0 &&
		    !(json_is_string(x) && json_string_length(x) > 4096))
			json_object_set(small, oversized_keep[i], x);
	}
	json_object_set_new(small, "oversized", json_pack("{s:s,s:I,s:s}", "field", field,
	    "bytes", (json_int_t)n, "sha256", hex));
	if (pack_with_cap(small, SIZE_MAX, NULL, 0, out) <= budget)
		rc = 1;
out:
	json_decref(small);
	return rc;
}

int
hook_pack_request(json_t *req, size_t budget, msgpack_sbuffer *out, char *err, size_t errlen)
{
	static const size_t caps[] = { SIZE_MAX, 262144, 65536, 16384, 4096, 1024, 256, 64 };
	struct cut_digest dg[sizeof cut_fields / sizeof cut_fields[0]];
	const char *worst = NULL;
	size_t ndg = 0, worst_size = 0;
	json_t *work = req;
	int rc = -1;

	/* a judged container nested deeper than a message may carry */
	for (size_t i = 0; i < sizeof judged_fields / sizeof judged_fields[0] && worst == NULL; i++) {
		json_t *v = json_object_get(req, judged_fields[i]);

		if (v != NULL && json_depth(v, HOOK_MAX_DEPTH) > HOOK_MAX_DEPTH)
			worst = judged_fields[i];
	}
	if (input_judged(req, "tool_input") && json_depth(json_object_get(req, "tool_input"), HOOK_MAX_DEPTH) > HOOK_MAX_DEPTH)
		worst = "tool_input";
	for (size_t i = 0; i < sizeof cut_fields / sizeof cut_fields[0]; i++) {
		json_t *v = json_object_get(req, cut_fields[i]);

		if (json_is_string(v) && json_string_length(v) > caps[sizeof caps / sizeof caps[0] - 1]) {
			dg[ndg].key = cut_fields[i];
			hex_sha256(json_string_value(v), json_string_length(v), dg[ndg].sha);
			ndg++;
		}
	}
	for (int pass = 0; pass < 2 && rc < 0 && worst == NULL; pass++) {
		if (pass == 1) {
			if (json_object_get(req, "tool_input") == NULL || input_judged(req, "tool_input") ||
			    (work = json_copy(req)) == NULL)
				break;
			digest_field(work, "tool_input");
		}
		for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
			if (pack_with_cap(work, caps[i], dg, ndg, out) <= budget) {
				rc = 0;
				break;
			}
		}
	}
	if (work != req)
		json_decref(work);
	if (rc == 0)
		return 0;
	if (worst == NULL) {
		/* the first judged field that alone cannot be carried (path
		 * before the files list holding it), else the biggest */
		for (size_t i = 0; i <= sizeof judged_fields / sizeof judged_fields[0]; i++) {
			const char *name = i < sizeof judged_fields / sizeof judged_fields[0] ? judged_fields[i] : "tool_input";
			json_t *v = json_object_get(req, name);
			msgpack_sbuffer sb;
			struct pack_state ps = { .strcap = SIZE_MAX };

			if (v == NULL || (strcmp(name, "tool_input") == 0 && !input_judged(req, name)))
				continue;
			msgpack_sbuffer_init(&sb);
			msgpack_packer_init(&ps.pk, &sb, msgpack_sbuffer_write);
			pack_json(&ps, v, -1000000);
			if (worst_size <= budget && (worst == NULL || sb.size > worst_size)) {
				worst = name;
				worst_size = sb.size;
			}
			msgpack_sbuffer_destroy(&sb);
		}
	}
	if (worst != NULL && (rc = pack_oversized(req, worst, budget, out)) == 1)
		return 1;
	snprintf(err, errlen, "the request does not fit in one protocol message%s",
	    worst == NULL ? " and names no judged field" : " even as an oversized notice");
	return -1;
}

/* ---- running: watchdog, broker round trip, answer ---- */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What the watchdog writes when the deadline passes; set with SIGALRM blocked. */
static char wd_out[HOOK_REASON_MAX * 6 + 512];
static size_t wd_out_len;
static char wd_err[512];
static size_t wd_err_len;
static int wd_code;

static void
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void
on_deadline(int sig)
{
	write_all(STDOUT_FILENO, wd_out, wd_out_len);
	write_all(STDERR_FILENO, wd_err, wd_err_len);
	_exit(wd_code);
}

static void
block_alarm(bool block)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGALRM);
	sigprocmask(block ? SIG_BLOCK : SIG_UNBLOCK, &s, NULL);
}

/* Cut reason to HOOK_REASON_MAX bytes on a character boundary. */
static json_t *
reason_text(const char *reason)
{
	size_t n = strlen(reason);
	json_t *j;

	if (n == 0)
		return json_string("denied by sandgate");
	n = utf8_prefix(reason, n, HOOK_REASON_MAX);
	if ((j = json_stringn(reason, n)) != NULL)
		return j;
	return json_string("sandgate: (reason text was not UTF-8)");
}

/* The tool input of the call being answered (borrowed from the request),
 * for the answers that hand it back; NULL before it is parsed.  cur_field:
 * the key a reviewer may narrow (issue #14), when the answer can carry it. */
static const json_t *cur_tool_input;
static const char *cur_field, *cur_kind;
static unsigned cur_offers;

/* Render the agent's answer as one line of JSON; NULL on out of memory.
 * updated: a narrowed input (allow only); context: what the model is told. */
static char *
render_verdict(const struct hook_adapter *a, enum hook_event ev, enum hook_verdict_kind kind, const char *reason,
    const json_t *updated, const char *context)
{
	json_t *r = reason_text(reason), *cx = context != NULL ? reason_text(context) : NULL;
	struct hook_verdict v = {
		.kind = kind,
		.reason = r != NULL ? json_string_value(r) : "denied by sandgate",
		.tool_input = cur_tool_input,
		.updated_input = kind == HV_ALLOW ? updated : NULL,
		.context = cx != NULL ? json_string_value(cx) : r != NULL ? json_string_value(r) : "denied by sandgate",
	};
	json_t *ans = a->answer(ev != HOOK_EVENT_NONE ? ev : a->events[0], &v);
	char *s = ans != NULL ? json_dumps(ans, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;

	json_decref(ans);
	json_decref(r);
	json_decref(cx);
	return s;
}

static char *
render_answer(const struct hook_adapter *a, enum hook_event ev, bool allow, const char *reason)
{
	return render_verdict(a, ev, allow ? HV_ALLOW : HV_DENY, reason, NULL, NULL);
}

/* Prepare the deadline's deny for ev: JSON and exit 0 for a known event,
 * exit 2 (the agents' "blocking error") when the event is not known. */
static void
watchdog_prepare(const struct hook_adapter *a, enum hook_event ev, int deadline_s)
{
	char reason[400];
	char *s;

	snprintf(reason, sizeof reason, "sandgate: no decision within the hook's deadline of %d s; "
	    "denied (fail closed). Set SANDGATE_HOOK_TIMEOUT or --timeout, below the agent's hook timeout",
	    deadline_s);
	s = render_answer(a, ev, false, reason);
	block_alarm(true);
	wd_out_len = 0;
	if (s != NULL && strlen(s) + 1 < sizeof wd_out) {
		wd_out_len = (size_t)snprintf(wd_out, sizeof wd_out, "%s\n", s);
	}
	wd_err_len = (size_t)snprintf(wd_err, sizeof wd_err, "sandgate hook: %s\n", reason + 10);
	if (wd_err_len >= sizeof wd_err)
		wd_err_len = sizeof wd_err - 1;
	wd_code = ev == HOOK_EVENT_NONE ? 2 : 0;
	block_alarm(false);
	free(s);
}

static int
watchdog_arm(int deadline_s)
{
	struct sigaction sa;
	struct itimerval it = { .it_value = { .tv_sec = deadline_s } };

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_deadline;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) < 0 || setitimer(ITIMER_REAL, &it, NULL) < 0)
		return -1;
	return 0;
}

/* Write the answer and return the exit status; the watchdog is off from here. */
static int
answer_verdict(const struct hook_adapter *a, enum hook_event ev, enum hook_verdict_kind kind, const char *reason,
    const json_t *updated, const char *context, bool fail)
{
	char *s;
	int code = ev == HOOK_EVENT_NONE ? 2 : 0;

	block_alarm(true);
	s = render_verdict(a, ev, kind, reason, updated, context);
	if (s != NULL) {
		write_all(STDOUT_FILENO, s, strlen(s));
		write_all(STDOUT_FILENO, "\n", 1);
	} else {
		/* out of memory: the blocking exit status still denies */
		code = 2;
	}
	if (fail || s == NULL)
		fprintf(stderr, "sandgate hook: %s\n", strncmp(reason, "sandgate: ", 10) == 0 ? reason + 10 : reason);
	free(s);
	return code;
}

static int
answer(const struct hook_adapter *a, enum hook_event ev, bool allow, const char *reason, bool fail)
{
	return answer_verdict(a, ev, allow ? HV_ALLOW : HV_DENY, reason, NULL, NULL, fail);
}

static int
fail_closed(const struct hook_adapter *a, enum hook_event ev, const char *fmt, const char *detail)
{
	char reason[HOOK_REASON_MAX];

	snprintf(reason, sizeof reason, fmt, detail);
	return answer(a, ev, false, reason, true);
}

/* Read all of stdin (at most HOOK_MAX_INPUT bytes); NULL with err set. */
static char *
read_input(size_t *len, char *err, size_t errlen)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap), *nb;

	while (buf != NULL) {
		ssize_t r;

		if (n == cap) {
			if (cap > HOOK_MAX_INPUT) {
				snprintf(err, errlen, "hook input is larger than %u bytes", HOOK_MAX_INPUT);
				free(buf);
				return NULL;
			}
			cap *= 2;
			if ((nb = realloc(buf, cap)) == NULL)
				break;
			buf = nb;
		}
		r = read(STDIN_FILENO, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "cannot read the hook input: %s", strerror(errno));
			free(buf);
			return NULL;
		}
		if (r == 0) {
			if (n > HOOK_MAX_INPUT) {
				snprintf(err, errlen, "hook input is larger than %u bytes", HOOK_MAX_INPUT);
				free(buf);
				return NULL;
			}
			*len = n;
			return buf;
		}
		n += (size_t)r;
	}
	free(buf);
	snprintf(err, errlen, "out of memory reading the hook input");
	return NULL;
}

/* Time left for a blocking client call: the watchdog owns the deadline, so
 * the client's own timeout is a backstop a second after it. */
static int
remaining_ms(long long deadline)
{
	long long d = deadline + 1000 - now_ms();

	return d < 1 ? 1 : (int)(d > INT_MAX ? INT_MAX : d);
}

/* The broker's decision as the agent's answer (issue #14): a narrowed
 * allow hands back the call's input with the reviewer's value (exactly what
 * the broker scored) and tells the model; `by: ask-agent` becomes the
 * agent's own "ask" where this hook offered it.  Anything it cannot apply
 * exactly is a deny. */
static int
answer_decision(const struct hook_adapter *a, enum hook_event ev, const struct client_msg *m, const char *reason)
{
	const msgpack_object *dec = rpc_map_get(m->msg.result, "decision");
	const msgpack_object *by = rpc_map_get(m->msg.result, "by");
	const msgpack_object *nar = rpc_map_get(m->msg.result, "narrowed");
	char err[200], ctx[HOOK_REASON_MAX + 2200];
	json_t *upd;
	char *vs;
	int rc;

	if (rpc_str_eq(dec, "deny") && rpc_str_eq(by, "ask-agent") && (cur_offers & HOOK_OFFER_ASK))
		return answer_verdict(a, ev, HV_ASK, reason, NULL, NULL, false);
	if (!rpc_str_eq(dec, "allow") || nar == NULL || nar->type == MSGPACK_OBJECT_NIL)
		return answer(a, ev, rpc_str_eq(dec, "allow"), reason, false);
	if (cur_field == NULL || cur_kind == NULL ||
	    (upd = hook_narrow_apply(cur_tool_input, cur_field, cur_kind, nar, err, sizeof err)) == NULL) {
		char why[HOOK_REASON_MAX];

		if (cur_field == NULL || cur_kind == NULL)
			snprintf(err, sizeof err, "the broker narrowed a call this hook did not offer to narrow");
		snprintf(why, sizeof why, "sandgate: a reviewer allowed a narrowed call, but %s; denied (fail closed)",
		    err);
		return answer(a, ev, false, why, true);
	}
	vs = json_dumps(json_object_get(upd, cur_field), JSON_ENCODE_ANY | JSON_COMPACT);
	/* the model learns what ran instead of what it asked */
	snprintf(ctx, sizeof ctx, "%s. The reviewer changed this call's %s to %.2000s; it ran with that input.",
	    reason, cur_field, vs != NULL ? vs : "(?)");
	free(vs);
	rc = answer_verdict(a, ev, HV_ALLOW, reason, upd, ctx, false);
	json_decref(upd);
	return rc;
}

/* Submit the packed request and wait for the decision; answers the agent. */
static int
ask_broker(const struct hook_adapter *a, enum hook_event ev, const msgpack_sbuffer *req,
    long long deadline)
{
	char err[512], reason[HOOK_REASON_MAX];
	char *dir = paths_runtime_dir(), *path = dir != NULL ? paths_join(dir, "agent.sock") : NULL;
	bool oom = path == NULL;
	sg_client *c;
	struct client_msg m;
	msgpack_packer *pk;
	uint32_t id;
	const msgpack_object *dec, *why;
	const char *e;
	size_t elen;
	int64_t rid = 0;
	enum client_fail fail = CLIENT_FAIL_ERROR;
	int rc;

	c = path != NULL ? client_open(path, ROLE_AGENT, "sandgate-hook", remaining_ms(deadline),
	    &fail, err, sizeof err) : NULL;
	free(dir);
	free(path);
	/* nobody listens: say how to start one (a person reads this reason in
	 * the agent's UI); a broker we refused to trust gets no such hint */
	if (c == NULL && !oom && fail == CLIENT_FAIL_UNREACHABLE)
		return fail_closed(a, ev, "sandgate: broker unreachable (%s); denied (fail closed). Start it "
		    "with `sandgate broker`, or run `sandgate` (the console starts one)", err);
	if (c == NULL)
		return fail_closed(a, ev, "sandgate: broker unreachable (%s); denied (fail closed)",
		    oom ? "out of memory" : err);
	pk = client_begin(c, "submit", &id);
	msgpack_pack_array(pk, 1);
	pk->callback(pk->data, req->data, req->size);
	if (client_send(c, remaining_ms(deadline)) < 0 ||
	    client_wait(c, id, remaining_ms(deadline), &m) < 0) {
		snprintf(err, sizeof err, "%s", client_error(c));
		client_close(c);
		return fail_closed(a, ev, "sandgate: lost the broker before a decision (%s); denied (fail closed)", err);
	}
	if ((e = client_msg_error(&m, &elen)) != NULL) {
		/* any error reply (conflict: the request id was used for other
		 * content; too many pending; bad-params; ...) is a deny */
		const msgpack_object *code = rpc_map_get(m.msg.error, "code");

		snprintf(err, sizeof err, "%.*s%s%.*s",
		    code != NULL && code->type == MSGPACK_OBJECT_STR ? (int)(code->via.str.size < 40 ? code->via.str.size : 40) : 0,
		    code != NULL && code->type == MSGPACK_OBJECT_STR ? code->via.str.ptr : "",
		    code != NULL && code->type == MSGPACK_OBJECT_STR ? ": " : "",
		    (int)(elen < 400 ? elen : 400), e);
		client_msg_free(&m);
		client_close(c);
		return fail_closed(a, ev, "sandgate: the broker refused the request (%s); denied (fail closed)", err);
	}
	dec = rpc_map_get(m.msg.result, "decision");
	why = rpc_map_get(m.msg.result, "reason");
	rpc_get_int(rpc_map_get(m.msg.result, "id"), 1, INT64_MAX, &rid);
	if (!rpc_str_eq(dec, "allow") && !rpc_str_eq(dec, "deny")) {
		client_msg_free(&m);
		client_close(c);
		return fail_closed(a, ev, "%s", "sandgate: malformed reply from the broker; denied (fail closed)");
	}
	snprintf(reason, sizeof reason, "sandgate: %.*s (request %lld)",
	    why != NULL && why->type == MSGPACK_OBJECT_STR ? (int)(why->via.str.size < 1500 ? why->via.str.size : 1500) : 0,
	    why != NULL && why->type == MSGPACK_OBJECT_STR ? why->via.str.ptr : "", (long long)rid);
	rc = answer_decision(a, ev, &m, reason);
	client_msg_free(&m);
	client_close(c);
	return rc;
}

/* Seed jansson's hash from getrandom(2) rather than its open/read/close of
 * /dev/urandom; a secret seed still keeps hash flooding out. */
static void
seed_json(void)
{
	uint32_t seed;

	if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) == (ssize_t)sizeof seed)
		json_object_seed(seed != 0 ? seed : 1);
}

/* --print-request: the packed request as JSON on stdout, nothing sent; exit
 * 2 so that an agent configured with it by mistake still blocks. */
static int
print_request(const msgpack_sbuffer *sb)
{
	msgpack_unpacked up;
	size_t off = 0;
	json_t *j;
	char *s;

	block_alarm(true);
	msgpack_unpacked_init(&up);
	if (msgpack_unpack_next(&up, sb->data, sb->size, &off) != MSGPACK_UNPACK_SUCCESS) {
		msgpack_unpacked_destroy(&up);
		fprintf(stderr, "sandgate hook: cannot decode the packed request\n");
		return 2;
	}
	j = mpjson_from_msgpack(&up.data);
	s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s != NULL) {
		write_all(STDOUT_FILENO, s, strlen(s));
		write_all(STDOUT_FILENO, "\n", 1);
	}
	fprintf(stderr, "sandgate hook: --print-request: nothing was sent to the broker (exit 2 blocks the call)\n");
	free(s);
	json_decref(j);
	msgpack_unpacked_destroy(&up);
	return 2;
}

int
hook_run(const struct hook_adapter *a, int deadline_s, bool print_only)
{
	long long deadline = now_ms() + (long long)deadline_s * 1000;
	enum hook_event ev = HOOK_EVENT_NONE;
	char err[600];
	msgpack_sbuffer sb;
	json_t *req;
	size_t len;
	char *buf;
	int rc;

	signal(SIGPIPE, SIG_IGN);
	seed_json();
	watchdog_prepare(a, HOOK_EVENT_NONE, deadline_s);
	if (watchdog_arm(deadline_s) < 0)
		return fail_closed(a, ev, "sandgate: cannot arm the hook's deadline (%s); denied (fail closed)",
		    strerror(errno));
	if ((buf = read_input(&len, err, sizeof err)) == NULL)
		return fail_closed(a, ev, "sandgate: %s; denied (fail closed)", err);
	req = hook_parse(a, buf, len, &ev, err, sizeof err);
	free(buf);
	if (ev != HOOK_EVENT_NONE)
		watchdog_prepare(a, ev, deadline_s);
	if (req == NULL)
		return fail_closed(a, ev, "sandgate: malformed hook input (%s); denied (fail closed)", err);
	cur_tool_input = json_object_get(req, "tool_input");
	{
		/* issue #14: what this event's answer can carry */
		const char *field = hook_narrow_field(req);
		unsigned off = a->offers(ev, req, field);
		json_t *acc = json_array();

		if ((off & HOOK_OFFER_NARROW) && field != NULL) {
			json_array_append_new(acc, json_string("narrow"));
			json_object_set_new(req, "narrow_field", json_string(field));
			cur_field = field;
			cur_kind = json_string_value(json_object_get(req, "kind"));
		}
		if (off & HOOK_OFFER_ASK) {
			json_array_append_new(acc, json_string("ask"));
			cur_offers |= HOOK_OFFER_ASK;
		}
		if (json_array_size(acc) > 0)
			json_object_set_new(req, "accepts", acc);
		else
			json_decref(acc);
	}
	json_object_set_new(req, "wait", json_true());
	{
		/* The broker times the request out a second before our own deadline,
		 * so it records `timeout` when the agent hears the deny, and no
		 * reviewer decides a request the agent was already told about. */
		long long left = (deadline - now_ms()) / 1000 - 1;

		if (left >= 2) /* shorter: the watchdog answers, the broker withdraws */
			json_object_set_new(req, "timeout", json_integer(left > 86400 ? 86400 : left));
	}
	msgpack_sbuffer_init(&sb);
	/* an oversized request (rc 1) is sent too: the broker denies it and
	 * records why, and the agent gets the broker's reason */
	if (hook_pack_request(req, SG_MSG_CAP - 64, &sb, err, sizeof err) < 0)
		rc = fail_closed(a, ev, "sandgate: %s; denied (fail closed)", err);
	else if (print_only)
		rc = print_request(&sb);
	else
		rc = ask_broker(a, ev, &sb, deadline);
	msgpack_sbuffer_destroy(&sb);
	json_decref(req);
	return rc;
}
