/* subject.c -- the matcher's view of a request: parts, words, resolved paths. */
#include "broker/subject.h"
#include "broker/intent/shell.h"
#include "proto/rpc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[SK_COUNT] = {
	[SK_EXEC] = "exec", [SK_WRITE] = "write", [SK_EDIT] = "edit", [SK_READ] = "read",
	[SK_DELETE] = "delete", [SK_NET] = "net", [SK_MCP] = "mcp", [SK_OTHER] = "other",
};

/* Programs found in these directories match rules by their bare name. */
static const char *const system_bin_dirs[] = {
	"/usr/bin/", "/bin/", "/usr/local/bin/", "/usr/sbin/", "/sbin/", "/usr/local/sbin/",
};

int
subject_kind_parse(const char *name, size_t len)
{
	for (int k = 0; k < SK_COUNT; k++)
		if (strlen(kind_names[k]) == len && memcmp(kind_names[k], name, len) == 0)
			return k;
	return -1;
}

const char *
subject_kind_name(enum subj_kind k)
{
	return (unsigned)k < SK_COUNT ? kind_names[k] : NULL;
}

static char *
dup_abs(const char *p)
{
	char *d;

	if (p == NULL || p[0] != '/')
		return NULL;
	if ((d = strdup(p)) != NULL)
		subject_normpath(d);
	return d;
}

struct subject *
subject_new(enum subj_kind kind, const char *cwd, const char *workspace, const char *home)
{
	struct subject *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	s->kind = kind;
	s->cwd = dup_abs(cwd);
	s->workspace = dup_abs(workspace); /* none is none: never the cwd */
	s->home = dup_abs(home);
	return s;
}

static void
free_part(struct subj_part *p)
{
	for (size_t i = 0; i < p->nwords; i++) {
		free(p->words[i].text);
		free(p->words[i].path);
	}
	free(p->words);
	free(p->program);
	free(p->subcommand);
	free(p->path);
	free(p->host);
	free(p->server);
	free(p->tool);
}

void
subject_free(struct subject *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nparts; i++)
		free_part(&s->parts[i]);
	free(s->parts);
	free(s->cwd);
	free(s->workspace);
	free(s->home);
	free(s);
}

struct subj_part *
subject_add_part(struct subject *s, enum subj_kind k)
{
	struct subj_part *p;

	if (s->nparts == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4;
		struct subj_part *np = realloc(s->parts, cap * sizeof *np);

		if (np == NULL)
			return NULL;
		s->parts = np;
		s->cap = cap;
	}
	p = &s->parts[s->nparts++];
	memset(p, 0, sizeof *p);
	p->kind = k;
	return p;
}

/* The name a rule's first word is compared with: /usr/bin/git -> git. */
static char *
program_name(const char *w)
{
	for (size_t i = 0; i < sizeof system_bin_dirs / sizeof system_bin_dirs[0]; i++) {
		size_t n = strlen(system_bin_dirs[i]);

		if (strncmp(w, system_bin_dirs[i], n) == 0 && w[n] != '\0' && strchr(w + n, '/') == NULL)
			return strdup(w + n);
	}
	return strdup(w);
}

/* Does a word read like a file name: a slash, a leading . or ~, or a short
 * extension (a.py)?  Such words get their resolved path once, here. */
static bool
pathlike(const char *t)
{
	const char *dot;
	size_t ext;

	if (t[0] == '-' || t[0] == '\0' || strstr(t, "://") != NULL)
		return false;
	if (strchr(t, '/') != NULL || t[0] == '.' || t[0] == '~')
		return true;
	dot = strrchr(t, '.');
	ext = dot != NULL ? strlen(dot + 1) : 0;
	return dot != NULL && dot != t && ext > 0 && ext <= 5;
}

int
subject_set_words(struct subject *s, struct subj_part *p, const char *const *words,
    const size_t *lens, const bool *dyn, size_t n)
{
	p->words = calloc(n ? n : 1, sizeof *p->words);
	if (p->words == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t len = lens != NULL ? lens[i] : strlen(words[i]);

		if ((p->words[i].text = strndup(words[i], len)) == NULL)
			return -1;
		p->words[i].dynamic = dyn != NULL && dyn[i];
		p->nwords = i + 1;
		if (i > 0 && !p->words[i].dynamic && pathlike(p->words[i].text))
			p->words[i].path = subject_resolve(s, p->words[i].text, len);
	}
	if (n > 0 && (p->program = program_name(p->words[0].text)) == NULL)
		return -1;
	return 0;
}

void
subject_normpath(char *path)
{
	char *out = path, *in = path;

	if (*in != '/')
		return;
	while (*in != '\0') {
		size_t len;

		while (*in == '/')
			in++;
		len = strcspn(in, "/");
		if (len == 0)
			break;
		if (len == 1 && in[0] == '.') {
			/* skip */
		} else if (len == 2 && in[0] == '.' && in[1] == '.') {
			while (out > path && *--out != '/')
				;
		} else {
			*out++ = '/';
			memmove(out, in, len);
			out += len;
		}
		in += len;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}

char *
subject_resolve(const struct subject *s, const char *path, size_t len)
{
	const char *base = NULL;
	size_t skip = 0, blen;
	char *r;

	if (len == 0 || memchr(path, '\0', len) != NULL)
		return NULL;
	if (path[0] == '/') {
		base = "";
	} else if (path[0] == '~' && (len == 1 || path[1] == '/')) {
		base = s->home;
		skip = 1;
	} else {
		base = s->cwd;
	}
	if (base == NULL)
		return NULL;
	blen = strlen(base);
	if ((r = malloc(blen + len + 2)) == NULL)
		return NULL;
	memcpy(r, base, blen);
	r[blen] = '/';
	memcpy(r + blen + 1, path + skip, len - skip);
	r[blen + 1 + len - skip] = '\0';
	subject_normpath(r);
	return r;
}

bool
subject_path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* ---- building from the request map ---- */

static bool
get_str(const msgpack_object *map, const char *key, const char **s, size_t *n)
{
	const msgpack_object *o = rpc_map_get(map, key);

	if (o == NULL || o->type != MSGPACK_OBJECT_STR)
		return false;
	*s = o->via.str.ptr;
	*n = o->via.str.size;
	return true;
}

static char *
get_dup(const msgpack_object *map, const char *key)
{
	const char *s;
	size_t n;

	if (!get_str(map, key, &s, &n) || memchr(s, '\0', n) != NULL)
		return NULL;
	return strndup(s, n);
}

/* Host and port out of a URL or host string; lower-cases the host. */
static int
parse_host(const char *s, size_t n, char **host, int *port)
{
	const char *p = s, *end = s + n, *h, *he;
	size_t i;

	for (i = 0; i + 2 < n; i++)
		if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/') {
			p = s + i + 3;
			break;
		}
	for (const char *q = p; q < end; q++)
		if (*q == '/' || *q == '?' || *q == '#') {
			end = q;
			break;
		}
	for (const char *q = end; q > p; q--)
		if (q[-1] == '@') {
			p = q;
			break;
		}
	h = p;
	if (p < end && *p == '[') {
		he = memchr(p, ']', (size_t)(end - p));
		if (he == NULL)
			return -1;
		h = p + 1;
		p = he + 1;
	} else {
		he = memchr(p, ':', (size_t)(end - p));
		if (he == NULL)
			he = end;
		p = he;
	}
	if (he == h)
		return -1;
	*port = 0;
	if (p < end && *p == ':') {
		long v = 0;

		for (p++; p < end; p++) {
			if (*p < '0' || *p > '9' || (v = v * 10 + (*p - '0')) > 65535)
				return -1;
		}
		*port = (int)v;
	} else if (n >= 8 && strncasecmp(s, "https://", 8) == 0) {
		*port = 443;
	} else if (n >= 7 && strncasecmp(s, "http://", 7) == 0) {
		*port = 80;
	}
	if ((*host = strndup(h, (size_t)(he - h))) == NULL)
		return -1;
	for (char *c = *host; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return 0;
}

static bool
sandbox_off(const msgpack_object *req)
{
	const msgpack_object *ti = rpc_map_get(req, "tool_input");
	const msgpack_object *o;

	if (ti == NULL || ti->type != MSGPACK_OBJECT_MAP)
		return false;
	o = rpc_map_get(ti, "dangerouslyDisableSandbox");
	if (o != NULL && ((o->type == MSGPACK_OBJECT_BOOLEAN && o->via.boolean) ||
	    rpc_str_eq(o, "true")))
		return true;
	return rpc_str_eq(rpc_map_get(ti, "sandbox_permissions"), "require_escalated");
}

/* Fill the one part of a non-exec request; 0, or -1 when the payload is bad. */
static int
fill_single(struct subject *s, const msgpack_object *req)
{
	struct subj_part *p = subject_add_part(s, s->kind);
	const char *str;
	size_t n;

	if (p == NULL)
		return -1;
	switch (s->kind) {
	case SK_WRITE: case SK_EDIT: case SK_READ: case SK_DELETE:
		if (!get_str(req, "path", &str, &n) || (p->path = subject_resolve(s, str, n)) == NULL)
			return -1;
		return 0;
	case SK_NET:
		if (!get_str(req, "url", &str, &n) && !get_str(req, "host", &str, &n))
			return -1;
		if (parse_host(str, n, &p->host, &p->port) < 0)
			return -1;
		if (rpc_map_get(req, "port") != NULL) {
			int64_t v;

			if (rpc_get_int(rpc_map_get(req, "port"), 1, 65535, &v) == 0)
				p->port = (int)v;
		}
		return 0;
	case SK_MCP:
		p->server = get_dup(req, "server");
		p->tool = get_dup(req, "tool");
		return p->server != NULL && p->tool != NULL ? 0 : -1;
	case SK_OTHER:
		p->tool = get_dup(req, "tool_name");
		return p->tool != NULL ? 0 : -1;
	default:
		return -1;
	}
}

static int
fill_argv(struct subject *s, const msgpack_object *argv)
{
	struct subj_part *p = subject_add_part(s, SK_EXEC);
	const char **w = calloc(argv->via.array.size, sizeof *w);
	size_t *lens = calloc(argv->via.array.size, sizeof *lens);
	int rc = -1;

	if (p == NULL || w == NULL || lens == NULL)
		goto out;
	for (uint32_t i = 0; i < argv->via.array.size; i++) {
		const msgpack_object *o = &argv->via.array.ptr[i];

		if (o->type != MSGPACK_OBJECT_STR || memchr(o->via.str.ptr, '\0', o->via.str.size))
			goto out;
		w[i] = o->via.str.ptr;
		lens[i] = o->via.str.size;
	}
	rc = subject_set_words(s, p, w, lens, NULL, argv->via.array.size);
out:
	free(w);
	free(lens);
	return rc;
}

struct subject *
subject_from_request(const msgpack_object *req, const char *home)
{
	const char *ks;
	size_t kn;
	int kind;
	char *cwd = get_dup(req, "cwd");
	struct subject *s;
	const msgpack_object *argv;

	/* no workspace: the request's own is only a claim (the scorer's intent
	 * says which one holds, subject_from_intent) */
	kind = get_str(req, "kind", &ks, &kn) ? subject_kind_parse(ks, kn) : -1;
	s = subject_new(kind < 0 ? SK_OTHER : (enum subj_kind)kind, cwd, NULL, home);
	free(cwd);
	if (s == NULL)
		return NULL;
	if (sandbox_off(req))
		s->flags |= SUBJ_SANDBOX_OFF;
	if (kind < 0) {
		s->unparsed = true;
		return s;
	}
	if (kind == SK_EXEC) {
		argv = rpc_map_get(req, "argv");
		if (argv == NULL || argv->type != MSGPACK_OBJECT_ARRAY || argv->via.array.size == 0 ||
		    fill_argv(s, argv) < 0)
			s->unparsed = true;
		return s;
	}
	if (fill_single(s, req) < 0)
		s->unparsed = true;
	return s;
}

/* ---- building from the intent (broker/intent/assess.h) ---- */

/* The assessor lists this many bytes of a command's text; a text that long
 * may have been cut, so more words may follow. */
#define INTENT_TEXT_MAX 400

static const char *const shells[] = { "sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "fish" };

static bool
str_is(const msgpack_object *o, const char *s)
{
	return o != NULL && o->type == MSGPACK_OBJECT_STR && o->via.str.size == strlen(s) &&
	    memcmp(o->via.str.ptr, s, o->via.str.size) == 0;
}

/* Is command c a shell running a -c script whose commands are listed too? */
static bool
shell_with_script(const msgpack_object *c)
{
	const msgpack_object *prog = rpc_map_get(c, "program"), *flags = rpc_map_get(c, "flags");
	bool is_shell = false;

	for (size_t i = 0; i < sizeof shells / sizeof shells[0]; i++)
		is_shell |= str_is(prog, shells[i]);
	if (!is_shell || flags == NULL || flags->type != MSGPACK_OBJECT_ARRAY)
		return false;
	for (uint32_t i = 0; i < flags->via.array.size; i++) {
		const msgpack_object *f = &flags->via.array.ptr[i];

		if (f->type == MSGPACK_OBJECT_STR && f->via.str.size >= 2 && f->via.str.ptr[0] == '-' &&
		    f->via.str.ptr[1] != '-' && memchr(f->via.str.ptr, 'c', f->via.str.size) != NULL)
			return true;
	}
	return false;
}

/* The literal value of a shell word, or NULL (*dynamic set) when part of it
 * is only known at run time. */
static char *
word_value(const struct sh_word *w, const char *home, bool *dynamic)
{
	size_t n = 0;
	char *v, *o;

	*dynamic = (w->flags & (SH_W_GLOB | SH_W_BRACE)) != 0;
	for (size_t i = 0; i < w->nsegs; i++) {
		if (w->segs[i].kind == SH_SEG_LIT)
			n += w->segs[i].n;
		else if (w->segs[i].kind == SH_SEG_TILDE && w->segs[i].n == 0 && home != NULL)
			n += strlen(home);
		else
			*dynamic = true;
	}
	if ((v = o = malloc(n + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < w->nsegs; i++) {
		if (w->segs[i].kind == SH_SEG_LIT) {
			memcpy(o, w->segs[i].s, w->segs[i].n);
			o += w->segs[i].n;
		} else if (w->segs[i].kind == SH_SEG_TILDE && w->segs[i].n == 0 && home != NULL) {
			memcpy(o, home, strlen(home));
			o += strlen(home);
		}
	}
	*o = '\0';
	return v;
}

/* The first simple command in a parsed list (depth-first). */
static const struct sh_node *
first_simple(const struct sh_list *l, int depth)
{
	for (size_t i = 0; l != NULL && depth < 16 && i < l->nitems; i++) {
		const struct sh_pipeline *pl = l->items[i].pl;

		for (size_t k = 0; pl != NULL && k < pl->ncmds; k++) {
			const struct sh_node *n = pl->cmds[k];

			if (n->kind == SH_SIMPLE && n->nwords > 0)
				return n;
			for (size_t j = 0; j < n->nlists; j++) {
				const struct sh_node *in = first_simple(n->lists[j], depth + 1);

				if (in != NULL)
					return in;
			}
		}
	}
	return NULL;
}

static const char *
base_name(const char *p)
{
	const char *slash = strrchr(p, '/');

	return slash != NULL ? slash + 1 : p;
}

/* Add the write parts of n's output redirections. */
static int
add_redirects(struct subject *s, const struct sh_node *n)
{
	for (size_t i = 0; i < n->nredirs; i++) {
		const struct sh_redir *r = n->redirs[i];
		struct subj_part *p;
		char *v;
		bool dyn;

		if (r->op != SH_R_OUT && r->op != SH_R_APPEND && r->op != SH_R_CLOBBER &&
		    r->op != SH_R_OUT_ALL && r->op != SH_R_APPEND_ALL && r->op != SH_R_INOUT)
			continue;
		if ((v = word_value(&r->target, s->home, &dyn)) == NULL)
			return -1;
		if (!dyn && (strcmp(v, "/dev/null") == 0 || strcmp(v, "/dev/stdout") == 0 ||
		    strcmp(v, "/dev/stderr") == 0 || strcmp(v, "/dev/tty") == 0)) {
			free(v);
			continue;
		}
		if ((p = subject_add_part(s, SK_WRITE)) == NULL) {
			free(v);
			return -1;
		}
		/* a target known only at run time has no path: no rule covers it */
		p->path = dyn ? NULL : subject_resolve(s, v, strlen(v));
		free(v);
	}
	return 0;
}

/* One listed command of the intent as an exec part (plus its redirections). */
static int
add_intent_cmd(struct subject *s, const msgpack_object *c, arena *a)
{
	const msgpack_object *prog = rpc_map_get(c, "program"), *sub = rpc_map_get(c, "subcommand");
	const msgpack_object *text = rpc_map_get(c, "text"), *ctx = rpc_map_get(c, "context");
	const msgpack_object *priv = rpc_map_get(c, "privileged");
	bool privileged = priv != NULL && priv->type == MSGPACK_OBJECT_BOOLEAN && priv->via.boolean;
	bool find_exec = str_is(ctx, "find -exec"), plus = false;
	const struct sh_script *sc;
	const struct sh_node *n;
	struct subj_part *p;
	const char **w;
	size_t *lens, start = 0, end, nw = 0;
	bool *dyn;
	char **vals;
	int rc = -1;

	if (text == NULL || text->type != MSGPACK_OBJECT_STR)
		return -1;
	sc = sh_parse(a, text->via.str.ptr, text->via.str.size);
	if (sc == NULL || sc->nbad > 0 || (n = first_simple(sc->list, 0)) == NULL)
		return -1;
	vals = calloc(n->nwords, sizeof *vals);
	w = calloc(n->nwords, sizeof *w);
	lens = calloc(n->nwords, sizeof *lens);
	dyn = calloc(n->nwords, sizeof *dyn);
	if (vals == NULL || w == NULL || lens == NULL || dyn == NULL)
		goto out;
	for (size_t i = 0; i < n->nwords; i++)
		if ((vals[i] = word_value(&n->words[i], s->home, &dyn[i])) == NULL)
			goto out;
	/* skip the wrappers the intent stripped (not privilege: sudo stays) */
	if (!privileged && prog != NULL && prog->type == MSGPACK_OBJECT_STR) {
		for (size_t i = 0; i < n->nwords; i++) {
			const char *b = base_name(vals[i]);

			if (!dyn[i] && strlen(b) == prog->via.str.size &&
			    memcmp(b, prog->via.str.ptr, prog->via.str.size) == 0) {
				start = i;
				break;
			}
		}
	}
	end = n->nwords;
	if (find_exec) {
		for (size_t i = start + 1; i < n->nwords; i++) {
			if (strcmp(vals[i], ";") == 0 || strcmp(vals[i], "+") == 0) {
				plus = vals[i][0] == '+';
				end = i;
				break;
			}
			if (strcmp(vals[i], "{}") == 0)
				dyn[i] = true;
		}
	}
	for (size_t i = start; i < end; i++) {
		w[nw] = vals[i];
		lens[nw] = strlen(vals[i]);
		dyn[nw] = dyn[i];
		nw++;
	}
	if ((p = subject_add_part(s, SK_EXEC)) == NULL || subject_set_words(s, p, w, lens, dyn, nw) < 0)
		goto out;
	if (nw > 0 && dyn[0]) {
		free(p->program);
		p->program = strdup("$");
	}
	p->more_args = plus || str_is(ctx, "xargs") || text->via.str.size >= INTENT_TEXT_MAX - 4;
	if (sub != NULL && sub->type == MSGPACK_OBJECT_STR && sub->via.str.size > 0)
		p->subcommand = strndup(sub->via.str.ptr, sub->via.str.size);
	rc = p->program != NULL ? add_redirects(s, n) : -1;
out:
	for (size_t i = 0; vals != NULL && i < n->nwords; i++)
		free(vals[i]);
	free(vals);
	free(w);
	free(lens);
	free(dyn);
	return rc;
}

static int
fill_from_intent(struct subject *s, const msgpack_object *intent)
{
	const msgpack_object *cmds = rpc_map_get(intent, "commands"), *parsed = rpc_map_get(intent, "parsed");
	const msgpack_object *total = rpc_map_get(intent, "commands_total");
	arena *a;
	int rc = 0;

	if (parsed == NULL || parsed->type != MSGPACK_OBJECT_BOOLEAN || !parsed->via.boolean ||
	    cmds == NULL || cmds->type != MSGPACK_OBJECT_ARRAY || cmds->via.array.size == 0)
		return -1;
	/* a command we cannot see is a part nobody can cover */
	if (total == NULL || total->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    total->via.u64 != cmds->via.array.size)
		return -1;
	if ((a = arena_new(4096)) == NULL)
		return -1;
	for (uint32_t i = 0; rc == 0 && i < cmds->via.array.size; i++) {
		const msgpack_object *c = &cmds->via.array.ptr[i];

		if (c->type != MSGPACK_OBJECT_MAP)
			rc = -1;
		else if (shell_with_script(c) && i + 1 < cmds->via.array.size &&
		    str_is(rpc_map_get(&cmds->via.array.ptr[i + 1], "context"), "sh -c"))
			continue; /* sh -c '...': its commands are the parts */
		else
			rc = add_intent_cmd(s, c, a);
		arena_reset(a);
	}
	arena_free(a);
	return rc;
}

/* ---- the workspace and where links lead (issue #12 items 3 and 9) ---- */

/* The workspace the scorer settled on (declared, configured, git), or none. */
static int
intent_workspace(struct subject *s, const msgpack_object *intent)
{
	const msgpack_object *ws = rpc_map_get(intent, "workspace");

	free(s->workspace);
	s->workspace = NULL;
	if (ws == NULL || ws->type != MSGPACK_OBJECT_STR || ws->via.str.size == 0 || ws->via.str.ptr[0] != '/' ||
	    memchr(ws->via.str.ptr, '\0', ws->via.str.size) != NULL)
		return 0;
	if ((s->workspace = strndup(ws->via.str.ptr, ws->via.str.size)) == NULL)
		return -1;
	subject_normpath(s->workspace);
	return 0;
}

/* The part kind a resolved target needs a rule of. */
static enum subj_kind
link_part_kind(const struct subject *s, const msgpack_object *eff)
{
	static const char *const writes[] = { "write", "overwrite", "chmod", "chown", "setuid", "use" };

	if (s->kind == SK_WRITE || s->kind == SK_EDIT || s->kind == SK_READ || s->kind == SK_DELETE)
		return s->kind;
	if (str_is(eff, "delete") || str_is(eff, "delete-recursive"))
		return SK_DELETE;
	for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++)
		if (str_is(eff, writes[i]))
			return SK_WRITE;
	return SK_READ;
}

/* Where a link takes a path the request names (a target with "through"),
 * the place it leads is a part of its own: rules must cover both. */
static int
add_link_parts(struct subject *s, const msgpack_object *intent)
{
	const msgpack_object *cmds = rpc_map_get(intent, "commands");

	if (cmds == NULL || cmds->type != MSGPACK_OBJECT_ARRAY)
		return 0;
	for (uint32_t i = 0; i < cmds->via.array.size; i++) {
		const msgpack_object *tg = rpc_map_get(&cmds->via.array.ptr[i], "targets");

		for (uint32_t k = 0; tg != NULL && tg->type == MSGPACK_OBJECT_ARRAY && k < tg->via.array.size; k++) {
			const msgpack_object *t = &tg->via.array.ptr[k];
			const msgpack_object *path = rpc_map_get(t, "path");
			enum subj_kind kind;
			struct subj_part *p;
			char *v;
			bool dup = false;

			if (rpc_map_get(t, "through") == NULL)
				continue;
			if (path == NULL || path->type != MSGPACK_OBJECT_STR || path->via.str.size == 0 ||
			    path->via.str.ptr[0] != '/' || memchr(path->via.str.ptr, '\0', path->via.str.size) != NULL) {
				s->unparsed = true;
				continue;
			}
			if ((v = strndup(path->via.str.ptr, path->via.str.size)) == NULL)
				return -1;
			subject_normpath(v);
			kind = link_part_kind(s, rpc_map_get(t, "effect"));
			for (size_t j = 0; j < s->nparts && !dup; j++)
				dup = s->parts[j].kind == kind && s->parts[j].path != NULL && strcmp(s->parts[j].path, v) == 0;
			if (dup || (p = subject_add_part(s, kind)) == NULL) {
				free(v);
				if (!dup)
					return -1;
				continue;
			}
			p->path = v;
		}
	}
	return 0;
}

struct subject *
subject_from_intent(const msgpack_object *intent, const msgpack_object *req, const char *home)
{
	struct subject *s = subject_from_request(req, home);

	if (s == NULL || intent == NULL || intent->type != MSGPACK_OBJECT_MAP)
		return s;
	if (intent_workspace(s, intent) < 0) {
		subject_free(s);
		return NULL;
	}
	if (s->kind == SK_EXEC) {
		/* replace what the request map alone gave with the intent's parts */
		for (size_t i = 0; i < s->nparts; i++)
			free_part(&s->parts[i]);
		s->nparts = 0;
		s->unparsed = fill_from_intent(s, intent) < 0;
	}
	if (add_link_parts(s, intent) < 0) {
		subject_free(s);
		return NULL;
	}
	return s;
}
