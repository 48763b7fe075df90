/* rules_import.c -- Claude Code / Codex / sandgate rule files to patterns and
 * back. */
#include "cli/rules_import.h"
#include "proto/wallclock.h"
#include "proto/strbuf.h"
#include "broker/rules/pattern.h"

#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENTRY_MAX 4096

/* Append a path or word with pattern-special characters escaped. */
static void
sb_escaped(struct strbuf *b, const char *s, size_t n, bool keep_globs)
{
	for (size_t i = 0; i < n; i++) {
		if (strchr(" \t'\"\\", s[i]) != NULL || (!keep_globs && (s[i] == '*' || s[i] == '?')))
			strbuf_putc(b, '\\');
		strbuf_putc(b, s[i]);
	}
}

/* ---- results ---- */

void
ri_result_free(struct ri_result *r)
{
	for (size_t i = 0; i < r->nrules; i++) {
		free(r->rules[i].effect);
		free(r->rules[i].pattern);
		free(r->rules[i].note);
		free(r->rules[i].scope);
		free(r->rules[i].scope_value);
		free(r->rules[i].max_level);
	}
	for (size_t i = 0; i < r->nskips; i++) {
		free(r->skips[i].entry);
		free(r->skips[i].why);
	}
	free(r->rules);
	free(r->skips);
	free(r->scope);
	free(r->scope_value);
	memset(r, 0, sizeof *r);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static int
add_skip(struct ri_result *r, const char *entry, size_t n, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	if (r->nskips == r->capskips) {
		size_t cap = r->capskips ? r->capskips * 2 : 8;
		struct ri_skip *ns = realloc(r->skips, cap * sizeof *ns);

		if (ns == NULL)
			return -1;
		r->skips = ns;
		r->capskips = cap;
	}
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	r->skips[r->nskips].entry = strndup(entry, n > 200 ? 200 : n);
	r->skips[r->nskips].why = strdup(why);
	r->nskips++;
	return 0;
}

/* Add a rule; the pattern is parsed and stored in canonical form. */
static int
add_rule(struct ri_result *r, const char *effect, const char *pat, const char *note,
    const char *entry, size_t entry_len)
{
	char err[256];
	pattern *p = pattern_parse(pat, strlen(pat), err, sizeof err);
	struct ri_rule *x;

	if (p == NULL)
		return add_skip(r, entry, entry_len, "translates to an invalid pattern '%s': %s", pat, err);
	if (r->nrules == r->caprules) {
		size_t cap = r->caprules ? r->caprules * 2 : 8;
		struct ri_rule *nr = realloc(r->rules, cap * sizeof *nr);

		if (nr == NULL) {
			pattern_free(p);
			return -1;
		}
		r->rules = nr;
		r->caprules = cap;
	}
	x = &r->rules[r->nrules++];
	memset(x, 0, sizeof *x);
	x->effect = strdup(effect);
	x->pattern = strdup(pattern_text(p));
	x->note = dup_or_null(note);
	x->scope = dup_or_null(r->scope);
	x->scope_value = dup_or_null(r->scope_value);
	pattern_free(p);
	return 0;
}

int
ri_format_parse(const char *name)
{
	static const char *const names[] = { "auto", "sandgate", "claude", "codex" };

	for (int i = 0; name != NULL && i < 4; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

enum ri_format
ri_detect(const char *path, const char *text, size_t len)
{
	size_t n = path != NULL ? strlen(path) : 0;
	size_t i = 0;

	if (n >= 6 && strcmp(path + n - 6, ".rules") == 0)
		return RI_CODEX;
	if (n >= 6 && strcmp(path + n - 6, ".jsonl") == 0)
		return RI_NATIVE;
	while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r'))
		i++;
	if (i < len && text[i] == '{') {
		/* one JSON object per line with "effect" keys: sandgate's own */
		const char *nl = memchr(text + i, '\n', len - i);
		size_t line = nl != NULL ? (size_t)(nl - (text + i)) : len - i;

		if (memmem(text + i, line, "\"effect\"", 8) != NULL &&
		    memmem(text + i, line, "\"permissions\"", 13) == NULL)
			return RI_NATIVE;
		return RI_CLAUDE;
	}
	return RI_CODEX;
}

/* ---- Claude Code entries ---- */

static bool
has_any(const char *s, const char *const *needles, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(s, needles[i]) != NULL)
			return true;
	return false;
}

static bool
ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Bash(spec) to an exec pattern. */
static char *
claude_bash(const char *spec, bool deny, char *why, size_t whylen)
{
	static const char *const ops[] = { "&&", "||", ";", "|", "`", "$(", ">", "<", "\n", "&", "\r" };
	static const char *const params[] = { "dangerouslyDisableSandbox", "run_in_background",
	                                       "timeout", "description" };
	size_t n = strlen(spec), idl = 0;
	struct strbuf b = { 0 };
	char *body, *tok, *next, *save = NULL;

	while (idl < n && ident_char(spec[idl]))
		idl++;
	if (idl > 0 && idl < n && spec[idl] == ':') {
		for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
			if (strlen(params[i]) == idl && strncmp(spec, params[i], idl) == 0) {
				snprintf(why, whylen, "%s", i == 0
				    ? "parameter rule: sandgate flags every dangerouslyDisableSandbox request "
				      "itself (circumvention.sandbox-off) and never lets a rule allow it"
				    : "parameter rules (name:value) have no sandgate equivalent");
				return NULL;
			}
		}
	}
	if (n == 0 || strcmp(spec, "*") == 0)
		return strdup("exec *");
	if (has_any(spec, ops, sizeof ops / sizeof ops[0])) {
		snprintf(why, whylen, "a compound or redirected command: sandgate matches each part of a "
		    "command line separately; add one rule per part");
		return NULL;
	}
	if ((body = strdup(spec)) == NULL)
		return NULL;
	if (n >= 2 && strcmp(body + n - 2, ":*") == 0)
		memcpy(body + n - 2, " *", 3);
	if (strstr(body, ":*") != NULL) {
		free(body);
		snprintf(why, whylen, "':*' is only understood at the end");
		return NULL;
	}
	strbuf_puts(&b, "exec");
	for (tok = strtok_r(body, " \t", &save); tok != NULL; tok = next) {
		char *star = strchr(tok, '*');

		next = strtok_r(NULL, " \t", &save);
		strbuf_putc(&b, ' ');
		strbuf_puts(&b, tok);
		if (star == NULL || strcmp(tok, "*") == 0)
			continue;
		/* A star glued to a word spans words in Claude Code: "ls*" is
		 * ls, lsof and their arguments.  At the end of the last word that
		 * is "ls* *"; anywhere else only a narrower in-word glob can be
		 * said, which is fine for an allow and not for a deny. */
		if (next == NULL && star == tok + strlen(tok) - 1) {
			strbuf_puts(&b, " *");
			continue;
		}
		if (deny || next != NULL) {
			free(body);
			free(b.p);
			snprintf(why, whylen, "a '*' inside a word spans words in Claude Code; sandgate "
			    "cannot say that without %s", deny ? "narrowing this deny" : "guessing");
			return NULL;
		}
	}
	free(body);
	return strbuf_take(&b);
}

/* A gitignore-style Claude path to a sandgate path glob (body only). */
static char *
claude_path(const char *spec, const char *root, char *why, size_t whylen)
{
	struct strbuf b = { 0 };
	size_t n = strlen(spec);

	if (n == 0) {
		snprintf(why, whylen, "empty path");
		return NULL;
	}
	if (strncmp(spec, "//", 2) == 0) {
		sb_escaped(&b, spec + 1, n - 1, true);
	} else if (strncmp(spec, "~/", 2) == 0 || strcmp(spec, "~") == 0) {
		strbuf_puts(&b, "~");
		sb_escaped(&b, spec + 1, n - 1, true);
	} else if (spec[0] == '/') {
		if (root == NULL) {
			snprintf(why, whylen, "'/path' is relative to the settings file's project, which is "
			    "unknown for this file (use //path for an absolute path)");
			return NULL;
		}
		sb_escaped(&b, root, strlen(root), false);
		sb_escaped(&b, spec, n, true);
	} else if (strncmp(spec, "./", 2) == 0 || strncmp(spec, "../", 3) == 0) {
		sb_escaped(&b, spec, n, true);
	} else if (memchr(spec, '/', n - 1) != NULL) {
		/* a slash before the end anchors it at the project (gitignore) */
		strbuf_puts(&b, "./");
		sb_escaped(&b, spec, n, true);
	} else {
		/* no slash: gitignore matches the name at any depth */
		strbuf_puts(&b, "./**/");
		sb_escaped(&b, spec, n, true);
	}
	if (b.p != NULL && b.n > 0 && b.p[b.n - 1] == '/')
		strbuf_puts(&b, "**");
	return strbuf_take(&b);
}

static bool
valid_name(const char *s, const char *extra)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!ident_char(*s) && *s != '-' && strchr(extra, *s) == NULL)
			return false;
	return true;
}

static char *
claude_mcp(const char *name, bool deny, char *why, size_t whylen)
{
	const char *rest = name + 5, *sep = strstr(rest, "__");
	char server[256], tool[256];
	struct strbuf b = { 0 };
	size_t sl = sep != NULL ? (size_t)(sep - rest) : strlen(rest);

	if (sl == 0 || sl >= sizeof server || (sep != NULL && strlen(sep + 2) >= sizeof tool)) {
		snprintf(why, whylen, "not an mcp__server__tool name");
		return NULL;
	}
	memcpy(server, rest, sl);
	server[sl] = '\0';
	snprintf(tool, sizeof tool, "%s", sep != NULL && sep[2] != '\0' ? sep + 2 : "*");
	if (!valid_name(server, deny ? "*" : "") || !valid_name(tool, "*")) {
		snprintf(why, whylen, deny ? "unusual characters in the MCP name"
		    : "an allow for MCP tools needs a literal server name");
		return NULL;
	}
	strbuf_puts(&b, "mcp ");
	strbuf_puts(&b, server);
	strbuf_putc(&b, '.');
	strbuf_puts(&b, tool);
	return strbuf_take(&b);
}

char *
ri_claude_entry(const char *entry, const char *root, bool deny, char *why, size_t whylen)
{
	const char *paren = strchr(entry, '('), *spec = NULL;
	char tool[64], specbuf[ENTRY_MAX + 1], *body = NULL;
	size_t tl, n = strlen(entry);
	struct strbuf b = { 0 };

	if (n == 0 || n > ENTRY_MAX) {
		snprintf(why, whylen, n == 0 ? "empty entry" : "entry longer than %d bytes", ENTRY_MAX);
		return NULL;
	}
	tl = paren != NULL ? (size_t)(paren - entry) : n;
	if (tl == 0 || tl >= sizeof tool) {
		snprintf(why, whylen, "not a Tool or Tool(specifier) entry");
		return NULL;
	}
	memcpy(tool, entry, tl);
	tool[tl] = '\0';
	if (paren != NULL) {
		if (entry[n - 1] != ')') {
			snprintf(why, whylen, "unbalanced parenthesis");
			return NULL;
		}
		memcpy(specbuf, paren + 1, n - tl - 2);
		specbuf[n - tl - 2] = '\0';
		spec = specbuf;
	}
	if (strncmp(tool, "mcp__", 5) == 0 && spec == NULL)
		return claude_mcp(tool, deny, why, whylen);
	if (strcmp(tool, "Bash") == 0)
		return claude_bash(spec != NULL ? spec : "", deny, why, whylen);
	if (strcmp(tool, "Read") == 0 || strcmp(tool, "Edit") == 0 || strcmp(tool, "Write") == 0 ||
	    strcmp(tool, "MultiEdit") == 0 || strcmp(tool, "NotebookEdit") == 0) {
		const char *kind = strcmp(tool, "Read") == 0 ? "read " : "write ";

		if (spec == NULL || strcmp(spec, "*") == 0 || strcmp(spec, "**") == 0) {
			strbuf_puts(&b, kind);
			strbuf_puts(&b, "/**");
			return strbuf_take(&b);
		}
		if ((body = claude_path(spec, root, why, whylen)) == NULL)
			return NULL;
		strbuf_puts(&b, kind);
		strbuf_puts(&b, body);
		free(body);
		return strbuf_take(&b);
	}
	if (strcmp(tool, "WebFetch") == 0) {
		if (spec == NULL || strcmp(spec, "*") == 0)
			return strdup("net *");
		if (strncmp(spec, "domain:", 7) != 0 || !valid_name(spec + 7, ".*")) {
			snprintf(why, whylen, "only WebFetch(domain:HOST) is understood");
			return NULL;
		}
		strbuf_puts(&b, "net ");
		strbuf_puts(&b, spec + 7);
		return strbuf_take(&b);
	}
	/* a web search reaches sandgate as net web-search (docs/integrations.md) */
	if ((strcmp(tool, "WebSearch") == 0) && spec == NULL)
		return strdup("net web-search");
	if (strcmp(tool, "Agent") == 0 || strcmp(tool, "Task") == 0) {
		snprintf(why, whylen, "subagents are not something sandgate is asked about");
		return NULL;
	}
	if (strcmp(tool, "Glob") == 0 || strcmp(tool, "Grep") == 0 || strcmp(tool, "LS") == 0) {
		snprintf(why, whylen, "searches reach sandgate as reads; write a Read(path) rule instead");
		return NULL;
	}
	if (strchr(tool, '*') != NULL) {
		snprintf(why, whylen, "tool-name globs have no sandgate equivalent");
		return NULL;
	}
	snprintf(why, whylen, "unknown tool '%s'", tool);
	return NULL;
}

/* Is path a project's .claude/settings*.json?  Sets the project root. */
static bool
project_settings(const char *path, char *root, size_t cap)
{
	char abs[PATH_MAX];
	char *slash, *dir;

	if (path == NULL || realpath(path, abs) == NULL)
		return false;
	if ((slash = strrchr(abs, '/')) == NULL)
		return false;
	*slash = '\0';
	dir = strrchr(abs, '/');
	if (dir == NULL || strcmp(dir, "/.claude") != 0)
		return false;
	*dir = '\0';
	if (strlen(abs) + 1 > cap)
		return false;
	snprintf(root, cap, "%s", abs[0] != '\0' ? abs : "/");
	return true;
}

static int
parse_claude(const char *path, const char *home, const char *text, size_t len,
    struct ri_result *out, char *err, size_t errlen)
{
	static const char *const lists[] = { "allow", "deny", "ask" };
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je), *perms;
	char proj[PATH_MAX];
	bool is_project = project_settings(path, proj, sizeof proj);
	bool is_user = is_project && home != NULL && strcmp(proj, home) == 0;

	if (root == NULL || !json_is_object(root)) {
		snprintf(err, errlen, "not a JSON settings object (line %d: %s)", je.line,
		    root == NULL ? je.text : "top level is not an object");
		json_decref(root);
		return -1;
	}
	if (is_project && !is_user) {
		out->scope = strdup("workspace");
		out->scope_value = strdup(proj);
	}
	perms = json_object_get(root, "permissions");
	if (perms == NULL || !json_is_object(perms)) {
		add_skip(out, "permissions", 11, "the file has no permissions object");
		json_decref(root);
		return 0;
	}
	for (size_t l = 0; l < 3; l++) {
		json_t *arr = json_object_get(perms, lists[l]), *v;
		size_t i;

		if (arr == NULL)
			continue;
		if (!json_is_array(arr)) {
			add_skip(out, lists[l], strlen(lists[l]), "permissions.%s is not a list", lists[l]);
			continue;
		}
		json_array_foreach(arr, i, v) {
			char why[512], note[300], *pat;
			const char *e = json_string_value(v);

			if (e == NULL) {
				add_skip(out, "(not a string)", 14, "permissions.%s[%zu] is not a string", lists[l], i);
				continue;
			}
			if (l == 2) {
				add_skip(out, e, strlen(e), "ask: sandgate already asks whenever no rule allows "
				    "a request");
				continue;
			}
			if ((pat = ri_claude_entry(e, is_project ? proj : NULL, l == 1, why, sizeof why)) == NULL) {
				add_skip(out, e, strlen(e), "%s", why);
				continue;
			}
			snprintf(note, sizeof note, "Claude Code %s %.200s", lists[l], e);
			add_rule(out, l == 0 ? "allow" : "deny", pat, note, e, strlen(e));
			free(pat);
		}
	}
	{
		const char *k;
		json_t *v;

		json_object_foreach(perms, k, v) {
			if (strcmp(k, "allow") != 0 && strcmp(k, "deny") != 0 && strcmp(k, "ask") != 0)
				add_skip(out, k, strlen(k), "permissions.%s is not a rule list (not imported)", k);
		}
	}
	json_decref(root);
	return 0;
}

/* ---- Codex .rules (a Starlark subset) ---- */

enum tk { T_EOF, T_NAME, T_STR, T_NUM, T_LP, T_RP, T_LB, T_RB, T_COMMA, T_EQ, T_ERR };

struct lexer {
	const char *s, *end;
	int line;
	enum tk t;
	char *text;     /* T_NAME, T_STR, T_NUM: malloc'd */
	const char *err;
};

static void
lex_next(struct lexer *lx)
{
	free(lx->text);
	lx->text = NULL;
	for (;;) {
		while (lx->s < lx->end && strchr(" \t\r\n", *lx->s) != NULL) {
			if (*lx->s == '\n')
				lx->line++;
			lx->s++;
		}
		if (lx->s < lx->end && *lx->s == '#') {
			while (lx->s < lx->end && *lx->s != '\n')
				lx->s++;
			continue;
		}
		break;
	}
	if (lx->s >= lx->end) {
		lx->t = T_EOF;
		return;
	}
	switch (*lx->s) {
	case '(': lx->t = T_LP; lx->s++; return;
	case ')': lx->t = T_RP; lx->s++; return;
	case '[': lx->t = T_LB; lx->s++; return;
	case ']': lx->t = T_RB; lx->s++; return;
	case ',': lx->t = T_COMMA; lx->s++; return;
	case '=': lx->t = T_EQ; lx->s++; return;
	default: break;
	}
	if (*lx->s == '"' || *lx->s == '\'') {
		char q = *lx->s;
		bool triple = lx->end - lx->s >= 3 && lx->s[1] == q && lx->s[2] == q;
		struct strbuf b = { 0 };

		lx->s += triple ? 3 : 1;
		for (;;) {
			if (lx->s >= lx->end) {
				free(b.p);
				lx->t = T_ERR;
				lx->err = "unterminated string";
				return;
			}
			if (triple ? (lx->end - lx->s >= 3 && lx->s[0] == q && lx->s[1] == q && lx->s[2] == q)
			           : *lx->s == q) {
				lx->s += triple ? 3 : 1;
				break;
			}
			if (!triple && *lx->s == '\n') {
				free(b.p);
				lx->t = T_ERR;
				lx->err = "newline in a string";
				return;
			}
			if (*lx->s == '\\' && lx->s + 1 < lx->end) {
				char c = lx->s[1];

				strbuf_putc(&b, c == 'n' ? '\n' : c == 't' ? '\t' : c);
				lx->s += 2;
				continue;
			}
			if (*lx->s == '\n')
				lx->line++;
			strbuf_putc(&b, *lx->s++);
		}
		if (b.p == NULL && !b.oom)
			b.p = strdup("");
		lx->text = b.p;
		lx->t = lx->text != NULL ? T_STR : T_ERR;
		lx->err = "out of memory";
		return;
	}
	if (ident_char(*lx->s) || *lx->s == '-') {
		const char *st = lx->s;
		bool num = (*st >= '0' && *st <= '9') || *st == '-';

		while (lx->s < lx->end && (ident_char(*lx->s) || *lx->s == '.' || *lx->s == '-'))
			lx->s++;
		lx->text = strndup(st, (size_t)(lx->s - st));
		lx->t = lx->text == NULL ? T_ERR : num ? T_NUM : T_NAME;
		lx->err = "out of memory";
		return;
	}
	lx->t = T_ERR;
	lx->err = "unexpected character";
}

struct val {
	enum { V_STR, V_LIST, V_OTHER } type;
	char *s;
	struct val *items;
	size_t n;
};

static void
val_free(struct val *v)
{
	for (size_t i = 0; i < v->n; i++)
		val_free(&v->items[i]);
	free(v->items);
	free(v->s);
	memset(v, 0, sizeof *v);
}

static int parse_value(struct lexer *lx, struct val *out, int depth);

static int
parse_list(struct lexer *lx, struct val *out, int depth)
{
	out->type = V_LIST;
	lex_next(lx);
	while (lx->t != T_RB) {
		struct val *ni;

		if (out->n >= 4096) {
			lx->err = "list too long";
			return -1;
		}
		if ((ni = realloc(out->items, (out->n + 1) * sizeof *ni)) == NULL) {
			lx->err = "out of memory";
			return -1;
		}
		out->items = ni;
		memset(&out->items[out->n], 0, sizeof out->items[0]);
		if (parse_value(lx, &out->items[out->n++], depth + 1) < 0)
			return -1;
		if (lx->t == T_COMMA)
			lex_next(lx);
		else if (lx->t != T_RB) {
			lx->err = "expected , or ]";
			return -1;
		}
	}
	lex_next(lx);
	return 0;
}

static int
parse_value(struct lexer *lx, struct val *out, int depth)
{
	if (depth > 8) {
		lx->err = "nested too deep";
		return -1;
	}
	switch (lx->t) {
	case T_STR:
		out->type = V_STR;
		out->s = lx->text;
		lx->text = NULL;
		lex_next(lx);
		return 0;
	case T_LB:
		return parse_list(lx, out, depth);
	case T_NUM: case T_NAME:
		out->type = V_OTHER;
		out->s = lx->text;
		lx->text = NULL;
		lex_next(lx);
		return 0;
	default:
		if (lx->t != T_ERR)
			lx->err = "expected a value";
		return -1;
	}
}

struct call {
	char *name;
	char *keys[16];
	struct val vals[16];
	size_t n;
};

static void
call_free(struct call *c)
{
	free(c->name);
	for (size_t i = 0; i < c->n; i++) {
		free(c->keys[i]);
		val_free(&c->vals[i]);
	}
	memset(c, 0, sizeof *c);
}

static const struct val *
call_arg(const struct call *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->keys[i] != NULL && strcmp(c->keys[i], key) == 0)
			return &c->vals[i];
	return NULL;
}

/* NAME ( [key =] value, ... ) */
static int
parse_call(struct lexer *lx, struct call *c)
{
	if (lx->t != T_NAME) {
		lx->err = "expected a function call";
		return -1;
	}
	c->name = lx->text;
	lx->text = NULL;
	lex_next(lx);
	if (lx->t != T_LP) {
		lx->err = "expected (";
		return -1;
	}
	lex_next(lx);
	while (lx->t != T_RP) {
		if (c->n == 16) {
			lx->err = "too many arguments";
			return -1;
		}
		if (lx->t == T_NAME) {
			char *name = lx->text;
			const char *save = lx->s;
			int line = lx->line;

			lx->text = NULL;
			lex_next(lx);
			if (lx->t == T_EQ) {
				c->keys[c->n] = name;
				lex_next(lx);
			} else {
				/* a bare name as a positional value */
				free(lx->text);
				lx->text = name;
				lx->s = save;
				lx->line = line;
				lx->t = T_NAME;
			}
		}
		if (parse_value(lx, &c->vals[c->n], 0) < 0) {
			c->n++;
			return -1;
		}
		c->n++;
		if (lx->t == T_COMMA)
			lex_next(lx);
		else if (lx->t != T_RP) {
			lx->err = "expected , or )";
			return -1;
		}
	}
	lex_next(lx);
	return 0;
}

/* Expand a prefix_rule pattern (strings or lists of alternatives) into
 * exec patterns. */
static int
expand(const struct val *pat, size_t i, struct strbuf *prefix, struct ri_result *out,
    const char *effect, const char *note, const char *entry, size_t *count)
{
	if (i == pat->n) {
		char *text;

		if (++*count > RI_MAX_EXPAND)
			return -1;
		strbuf_puts(prefix, " *");
		text = prefix->oom ? NULL : prefix->p;
		if (text != NULL)
			add_rule(out, effect, text, note, entry, strlen(entry));
		prefix->n -= 2;
		prefix->p[prefix->n] = '\0';
		return 0;
	}
	for (size_t k = 0; k < (pat->items[i].type == V_LIST ? pat->items[i].n : 1); k++) {
		const struct val *alt = pat->items[i].type == V_LIST ? &pat->items[i].items[k] : &pat->items[i];
		size_t mark = prefix->n;
		char *q;

		if (alt->type != V_STR || alt->s[0] == '\0')
			return -2;
		if ((q = pattern_quote_word(alt->s, strlen(alt->s))) == NULL)
			return -1;
		strbuf_putc(prefix, ' ');
		strbuf_puts(prefix, q);
		free(q);
		if (prefix->oom)
			return -1;
		if (expand(pat, i + 1, prefix, out, effect, note, entry, count) < 0)
			return -1;
		prefix->n = mark;
		prefix->p[mark] = '\0';
	}
	return 0;
}

static void
codex_rule(const struct call *c, struct ri_result *out, const char *entry)
{
	const struct val *pat = call_arg(c, "pattern"), *dec = call_arg(c, "decision");
	const struct val *just = call_arg(c, "justification");
	const char *d = dec != NULL && dec->type == V_STR ? dec->s : "allow";
	struct strbuf prefix = { 0 };
	size_t count = 0, before = out->nrules;
	char note[600];
	int rc;

	if (pat == NULL && c->n > 0 && c->keys[0] == NULL)
		pat = &c->vals[0];
	if (pat == NULL || pat->type != V_LIST || pat->n == 0) {
		add_skip(out, entry, strlen(entry), "prefix_rule needs a non-empty pattern list");
		return;
	}
	if (strcmp(d, "prompt") == 0) {
		add_skip(out, entry, strlen(entry), "decision prompt: sandgate already asks whenever no "
		    "rule allows a request");
		return;
	}
	if (strcmp(d, "allow") != 0 && strcmp(d, "forbidden") != 0) {
		add_skip(out, entry, strlen(entry), "unknown decision '%.40s'", d);
		return;
	}
	snprintf(note, sizeof note, "Codex prefix_rule%s%.500s", just != NULL && just->type == V_STR ? ": " : "",
	    just != NULL && just->type == V_STR ? just->s : "");
	strbuf_puts(&prefix, "exec");
	rc = expand(pat, 0, &prefix, out, strcmp(d, "allow") == 0 ? "allow" : "deny", note, entry, &count);
	free(prefix.p);
	if (rc < 0) {
		/* drop a partial expansion: all or nothing */
		while (out->nrules > before) {
			struct ri_rule *x = &out->rules[--out->nrules];

			free(x->effect);
			free(x->pattern);
			free(x->note);
			free(x->scope);
			free(x->scope_value);
			free(x->max_level);
		}
		add_skip(out, entry, strlen(entry), rc == -2 ? "pattern tokens must be non-empty strings"
		    : "the pattern expands to more than %d rules", RI_MAX_EXPAND);
	}
}

static int
parse_codex(const char *text, size_t len, struct ri_result *out, char *err, size_t errlen)
{
	struct lexer lx = { .s = text, .end = text + len, .line = 1 };

	lex_next(&lx);
	while (lx.t != T_EOF) {
		struct call c = { 0 };
		const char *start = lx.s;
		int line = lx.line;
		char entry[128];

		if (parse_call(&lx, &c) < 0) {
			snprintf(entry, sizeof entry, "line %d", line);
			add_skip(out, entry, strlen(entry), "syntax error: %s; the rest of the file was not read",
			    lx.err != NULL ? lx.err : "unexpected token");
			call_free(&c);
			break;
		}
		snprintf(entry, sizeof entry, "line %d: %s(...)", line, c.name);
		(void)start;
		if (strcmp(c.name, "prefix_rule") == 0)
			codex_rule(&c, out, entry);
		else
			add_skip(out, entry, strlen(entry), "%s is not a rule sandgate can use", c.name);
		call_free(&c);
	}
	free(lx.text);
	(void)err;
	(void)errlen;
	return 0;
}

/* ---- sandgate's own JSON lines ---- */

static int
parse_native(const char *text, size_t len, struct ri_result *out)
{
	const char *p = text, *end = text + len;
	int line = 0;
	int64_t now = wall_clock_ms();
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		json_error_t je;
		json_t *o;
		char entry[32];

		line++;
		snprintf(entry, sizeof entry, "line %d", line);
		if (n > 0 && strspn(p, " \t\r") < n) {
			const char *eff, *pat;

			o = json_loadb(p, n, 0, &je);
			eff = json_string_value(json_object_get(o, "effect"));
			pat = json_string_value(json_object_get(o, "pattern"));
			if (o == NULL || eff == NULL || pat == NULL ||
			    (strcmp(eff, "allow") != 0 && strcmp(eff, "deny") != 0)) {
				add_skip(out, entry, strlen(entry), "not a rule object {effect, pattern, ...}");
			} else {
				json_int_t exp = json_integer_value(json_object_get(o, "expires_ms"));
				const char *sc = json_string_value(json_object_get(o, "scope"));
				const char *sv = json_string_value(json_object_get(o, "scope_value"));
				const char *ml = json_string_value(json_object_get(o, "max_level"));
				size_t before = out->nrules;

				if (exp > 0 && exp <= now) {
					add_skip(out, entry, strlen(entry), "expired");
				} else if (add_rule(out, eff, pat, json_string_value(json_object_get(o, "note")),
				               entry, strlen(entry)) == 0 && out->nrules > before) {
					struct ri_rule *x = &out->rules[out->nrules - 1];

					x->expires_ms = exp > 0 ? exp : 0;
					if (sc != NULL) {
						free(x->scope);
						x->scope = strdup(sc);
						free(x->scope_value);
						x->scope_value = dup_or_null(sv);
					}
					x->max_level = dup_or_null(ml);
				}
			}
			json_decref(o);
		}
		p += n + (nl != NULL);
	}
	return 0;
}

int
ri_parse(enum ri_format fmt, const char *path, const char *home, const char *text, size_t len,
    struct ri_result *out, char *err, size_t errlen)
{
	if (len > RI_MAX_INPUT) {
		snprintf(err, errlen, "file larger than %u bytes", RI_MAX_INPUT);
		return -1;
	}
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen, "file contains NUL bytes");
		return -1;
	}
	if (fmt == RI_AUTO)
		fmt = ri_detect(path, text, len);
	switch (fmt) {
	case RI_CLAUDE: return parse_claude(path, home, text, len, out, err, errlen);
	case RI_CODEX: return parse_codex(text, len, out, err, errlen);
	default: return parse_native(text, len, out);
	}
}

/* ---- export ---- */

static bool
plain_glob(const char *g)
{
	return strchr(g, '\\') == NULL;
}

char *
ri_to_claude(const char *text, bool deny, char *why, size_t whylen)
{
	char err[256];
	pattern *p = pattern_parse(text, strlen(text), err, sizeof err);
	struct strbuf b = { 0 };
	const char *w;
	int anchor, up;
	char *out = NULL;

	if (p == NULL) {
		snprintf(why, whylen, "%s", err);
		return NULL;
	}
	switch (pattern_kind(p)) {
	case SK_EXEC:
		strbuf_puts(&b, "Bash(");
		for (size_t i = 0; i < pattern_nwords(p); i++) {
			enum pattern_word_type t = pattern_word(p, i, &w, &anchor, &up);

			if (i > 0)
				strbuf_putc(&b, ' ');
			if (t == PW_ANY) {
				strbuf_putc(&b, '*');
			} else if (t == PW_LITERAL) {
				if (strpbrk(w, " \t'\"*()") != NULL) {
					strbuf_putc(&b, '"');
					for (; *w; w++) {
						if (*w == '"' || *w == '\\')
							strbuf_putc(&b, '\\');
						strbuf_putc(&b, *w);
					}
					strbuf_putc(&b, '"');
				} else {
					strbuf_puts(&b, w);
				}
			} else if (!deny) {
				snprintf(why, whylen, "Claude Code's * spans words and paths are not resolved, so "
				    "this allow would widen");
				goto out;
			} else if (t == PW_GLOB && plain_glob(w)) {
				for (; *w; w++)
					strbuf_putc(&b, *w == '?' ? '*' : *w);
			} else {
				snprintf(why, whylen, "paths inside commands are not resolved by Claude Code, so "
				    "this deny would narrow");
				goto out;
			}
		}
		strbuf_putc(&b, ')');
		break;
	case SK_READ: case SK_WRITE: case SK_EDIT:
		if (pattern_kind(p) == SK_EDIT && !deny) {
			snprintf(why, whylen, "Claude Code's Edit() also covers Write, which this rule does not");
			goto out;
		}
		pattern_word(p, 0, &w, &anchor, &up);
		if (!plain_glob(w)) {
			snprintf(why, whylen, "escaped characters in the path");
			goto out;
		}
		strbuf_puts(&b, pattern_kind(p) == SK_READ ? "Read(" : "Edit(");
		if (anchor == PATH_ANCHOR_ABS)
			strbuf_puts(&b, "//");
		else if (anchor == PATH_ANCHOR_HOME)
			strbuf_puts(&b, "~/");
		else if (up == 0)
			strbuf_puts(&b, "./");
		for (int i = 0; i < up; i++)
			strbuf_puts(&b, "../");
		strbuf_puts(&b, w);
		strbuf_putc(&b, ')');
		break;
	case SK_NET:
		if (pattern_port(p) >= 0 && !deny) {
			snprintf(why, whylen, "Claude Code domain rules have no port, so this allow would widen");
			goto out;
		}
		if (strcmp(pattern_host(p), "*") == 0) {
			strbuf_puts(&b, "WebFetch");
			break;
		}
		strbuf_puts(&b, "WebFetch(domain:");
		strbuf_puts(&b, pattern_host(p));
		strbuf_putc(&b, ')');
		break;
	case SK_MCP:
		if (strpbrk(pattern_server(p), "*?\\") != NULL ||
		    (strpbrk(pattern_tool(p), "*?\\") != NULL && strcmp(pattern_tool(p), "*") != 0 && !deny)) {
			snprintf(why, whylen, "Claude Code MCP rules take a literal server and a tool or *");
			goto out;
		}
		strbuf_puts(&b, "mcp__");
		strbuf_puts(&b, pattern_server(p));
		strbuf_puts(&b, "__");
		strbuf_puts(&b, strpbrk(pattern_tool(p), "*?") != NULL ? "*" : pattern_tool(p));
		break;
	case SK_OTHER:
		if (!valid_name(pattern_tool(p), "")) {
			snprintf(why, whylen, "not a plain tool name");
			goto out;
		}
		/* Claude Code's tool rule covers every input: an allow only for
		 * `other TOOL *`; a deny of any input glob (wider, stricter) */
		if (!deny && (pattern_input(p) == NULL || strcmp(pattern_input(p), "*") != 0)) {
			snprintf(why, whylen, "Claude Code's tool rules cover any input, so this allow would widen");
			goto out;
		}
		strbuf_puts(&b, pattern_tool(p));
		break;
	default:
		snprintf(why, whylen, "Claude Code has no %s rules", subject_kind_name(pattern_kind(p)));
		goto out;
	}
	out = strbuf_take(&b);
	b.p = NULL;
out:
	free(b.p);
	pattern_free(p);
	return out;
}

static void
sb_pystr(struct strbuf *b, const char *s)
{
	strbuf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_putc(b, '\\');
		if (*s == '\n')
			strbuf_puts(b, "\\n");
		else
			strbuf_putc(b, *s);
	}
	strbuf_putc(b, '"');
}

char *
ri_to_codex(const char *text, bool deny, const char *note, char *why, size_t whylen)
{
	char err[256];
	pattern *p = pattern_parse(text, strlen(text), err, sizeof err);
	struct strbuf b = { 0 };
	size_t n;
	const char *w;
	int anchor, up;
	char *out = NULL;

	if (p == NULL) {
		snprintf(why, whylen, "%s", err);
		return NULL;
	}
	if (pattern_kind(p) != SK_EXEC) {
		snprintf(why, whylen, "Codex rules only cover commands");
		goto out;
	}
	n = pattern_nwords(p);
	if (pattern_word(p, n - 1, &w, &anchor, &up) == PW_ANY)
		n--;
	else if (!deny) {
		snprintf(why, whylen, "Codex prefix rules also match longer commands, so this exact allow "
		    "would widen");
		goto out;
	}
	if (n == 0 || n + 1 > PATTERN_MAX_WORDS) {
		snprintf(why, whylen, n == 0 ? "Codex prefix rules need a literal program" : "too many words");
		goto out;
	}
	strbuf_puts(&b, "prefix_rule(pattern = [");
	for (size_t i = 0; i < n; i++) {
		if (pattern_word(p, i, &w, &anchor, &up) != PW_LITERAL || *w == '\0') {
			snprintf(why, whylen, "Codex prefix rules only take literal, non-empty words");
			goto out;
		}
		if (i > 0)
			strbuf_puts(&b, ", ");
		sb_pystr(&b, w);
	}
	strbuf_puts(&b, "], decision = ");
	sb_pystr(&b, deny ? "forbidden" : "allow");
	if (note != NULL && *note != '\0') {
		strbuf_puts(&b, ", justification = ");
		sb_pystr(&b, note);
	}
	strbuf_puts(&b, ")");
	out = strbuf_take(&b);
	b.p = NULL;
out:
	free(b.p);
	pattern_free(p);
	return out;
}
