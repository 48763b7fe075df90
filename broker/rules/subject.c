/* subject.c -- the matcher's view of a request: parts, words, resolved paths. */
#include "broker/rules/subject.h"
#include "broker/rules/inputtext.h"
#include "broker/intent/shell.h"
#include "broker/intent/reqfiles.h"
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
		paths_normalize(d);
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
	free(p->content);
	free(p->run_path);
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
	paths_normalize(r);
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

static int add_file_part(struct subject *s, enum subj_kind k, const char *path, size_t n, bool glob,
    bool known, unsigned marks);

/* The files of a request besides its path (broker/intent/reqfiles.h), each
 * a part of its op's kind; -1 when the list is malformed or incomplete (or
 * memory ran out). */
static int
add_req_files(struct subject *s, const msgpack_object *req)
{
	static const enum subj_kind op_kind[] = { [RQ_READ] = SK_READ, [RQ_LIST] = SK_READ, [RQ_WRITE] = SK_WRITE,
		[RQ_EDIT] = SK_EDIT, [RQ_DELETE] = SK_DELETE };
	arena *a = arena_new(4096);
	struct req_files rf;
	int rc = -1;

	if (a == NULL)
		return -1;
	if (req_files_collect(a, req, subject_kind_name(s->kind), &rf) == 0 && rf.bad == NULL) {
		rc = 0;
		for (size_t k = 0; rc == 0 && k < rf.n; k++)
			rc = add_file_part(s, op_kind[rf.v[k].op], rf.v[k].path, rf.v[k].len, rf.v[k].glob, true, 0);
	}
	arena_free(a);
	return rc;
}

/* An `other` request's input as its part's content: NULL unless the whole
 * tool_input is there (not cut, not left out) and at most OTHER_CONTENT_MAX
 * bytes as text. */
#define OTHER_CONTENT_MAX 65536

static char *
other_content(const msgpack_object *req)
{
	const msgpack_object *ti = rpc_map_get(req, "tool_input"), *tr = rpc_map_get(req, "truncated");

	if (ti == NULL || (tr != NULL && tr->type == MSGPACK_OBJECT_BOOLEAN && tr->via.boolean) ||
	    (ti->type == MSGPACK_OBJECT_MAP && rpc_map_get(ti, "sandgate_omitted") != NULL))
		return NULL;
	return input_text(ti, OTHER_CONTENT_MAX, NULL);
}

/* `urls` (an `other` request's URLs and hosts): a net part each; a list
 * that is not an array of strings, or cut (`urls_total` above its size),
 * is -1 (unparsed: no rule allows the request). */
static int
add_req_urls(struct subject *s, const msgpack_object *req)
{
	const msgpack_object *u = rpc_map_get(req, "urls"), *t = rpc_map_get(req, "urls_total");
	int64_t total = 0;

	if (u == NULL)
		return t == NULL ? 0 : -1;
	if (u->type != MSGPACK_OBJECT_ARRAY)
		return -1;
	if (t != NULL && (rpc_get_int(t, 0, INT64_MAX, &total) < 0 || total > (int64_t)u->via.array.size))
		return -1;
	for (uint32_t i = 0; i < u->via.array.size; i++) {
		const msgpack_object *e = &u->via.array.ptr[i];
		struct subj_part *p;

		if (e->type != MSGPACK_OBJECT_STR || e->via.str.size == 0 ||
		    memchr(e->via.str.ptr, '\0', e->via.str.size) != NULL || (p = subject_add_part(s, SK_NET)) == NULL ||
		    parse_host(e->via.str.ptr, e->via.str.size, &p->host, &p->port) < 0)
			return -1;
	}
	return 0;
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
		return add_req_files(s, req);
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
		if ((p->tool = get_dup(req, "tool_name")) == NULL)
			return -1;
		p->content = other_content(req);
		/* p is not used below: adding parts may move it */
		if (add_req_files(s, req) < 0)
			return -1;
		return add_req_urls(s, req);
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

/* One listed command of the intent as an exec part (its redirections are
 * among its targets, add_targets); 1 when it runs no program. */
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
	if (sc == NULL || sc->nbad > 0)
		return -1;
	if ((n = first_simple(sc->list, 0)) == NULL)
		/* a redirection alone (`>> f`, `exec > f`): no program runs; its
		 * files are among the command's targets */
		return prog != NULL && prog->type == MSGPACK_OBJECT_NIL ? 1 : -1;
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
	rc = p->program != NULL ? 0 : -1;
out:
	for (size_t i = 0; vals != NULL && i < n->nwords; i++)
		free(vals[i]);
	free(vals);
	free(w);
	free(lens);
	free(dyn);
	return rc;
}

/* A file part, unless an equal one was just added (then marks join it).
 * known false: the path is known only at run time -- a part no rule covers. */
static int
add_file_part(struct subject *s, enum subj_kind k, const char *path, size_t n, bool glob, bool known,
    unsigned marks)
{
	char *r = known ? subject_resolve(s, path, n) : NULL;
	struct subj_part *p;

	for (size_t i = s->nparts > 64 ? s->nparts - 64 : 0; i < s->nparts; i++) {
		struct subj_part *q = &s->parts[i];

		if (q->kind == k && r != NULL && q->path != NULL && q->glob == glob && strcmp(q->path, r) == 0) {
			q->marks |= marks;
			free(r);
			return 0;
		}
	}
	if ((p = subject_add_part(s, k)) == NULL) {
		free(r);
		return -1;
	}
	p->path = r;
	p->glob = glob && r != NULL;
	p->marks = marks;
	return 0;
}

static bool
writes_file(const msgpack_object *eff)
{
	static const char *const v[] = { "write", "overwrite", "delete", "delete-recursive", "chmod", "chown",
		"setuid" };

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if (str_is(eff, v[i]))
			return true;
	return false;
}

/* The part kind of a target: for an exec command only what it writes or
 * deletes (the exec rule covers running it); for a file request, a files
 * list or an MCP call every file it names, by what is done to it (an
 * effect sandgate cannot read counts as a write).  -1: no part. */
static int
target_kind(const msgpack_object *eff, const msgpack_object *cls, bool exec_cmd)
{
	if (exec_cmd) {
		if (!writes_file(eff) || str_is(cls, "special"))
			return -1;
		return str_is(eff, "delete") || str_is(eff, "delete-recursive") ? SK_DELETE : SK_WRITE;
	}
	if (str_is(eff, "view") || str_is(eff, "read") || str_is(eff, "list"))
		return SK_READ;
	if (str_is(eff, "overwrite"))
		return SK_EDIT;
	if (str_is(eff, "delete") || str_is(eff, "delete-recursive"))
		return SK_DELETE;
	return SK_WRITE;
}

static bool
is_true(const msgpack_object *o)
{
	return o != NULL && o->type == MSGPACK_OBJECT_BOOLEAN && o->via.boolean;
}

/* The parts of command c's targets; *marks gets what they say about it. */
static int
add_targets(struct subject *s, const msgpack_object *c, bool exec_cmd, unsigned *marks)
{
	const msgpack_object *tv = rpc_map_get(c, "targets");

	if (tv == NULL || tv->type != MSGPACK_OBJECT_ARRAY)
		return tv == NULL ? 0 : -1;
	for (uint32_t i = 0; i < tv->via.array.size; i++) {
		const msgpack_object *t = &tv->via.array.ptr[i], *path = rpc_map_get(t, "path");
		const msgpack_object *eff = rpc_map_get(t, "effect"), *cls = rpc_map_get(t, "class");
		unsigned m = 0;
		int k;

		if (t->type != MSGPACK_OBJECT_MAP || path == NULL || path->type != MSGPACK_OBJECT_STR)
			return -1;
		if (str_is(cls, "sandgate"))
			m |= PART_SANDGATE;
		if (writes_file(eff) && str_is(cls, "agent-config"))
			m |= PART_AGENT_CONFIG;
		if (writes_file(eff) && str_is(cls, "agent-instructions"))
			m |= PART_AGENT_INSTR;
		*marks |= m;
		/* "(names sandgate: ...)": a mention, not a file */
		if (str_is(cls, "sandgate") && (path->via.str.size == 0 || path->via.str.ptr[0] != '/'))
			continue;
		if ((k = target_kind(eff, cls, exec_cmd)) < 0)
			continue;
		if (add_file_part(s, (enum subj_kind)k, path->via.str.ptr, path->via.str.size,
		        is_true(rpc_map_get(t, "glob")),
		        !is_true(rpc_map_get(t, "unknown")) && path->via.str.size > 0 && path->via.str.ptr[0] == '/' &&
		            memchr(path->via.str.ptr, '\0', path->via.str.size) == NULL, m) < 0)
			return -1;
	}
	return 0;
}

/* The hosts of command c as net parts. */
static int
add_hosts(struct subject *s, const msgpack_object *c)
{
	const msgpack_object *hv = rpc_map_get(c, "hosts");

	if (hv == NULL || hv->type != MSGPACK_OBJECT_ARRAY)
		return hv == NULL ? 0 : -1;
	for (uint32_t i = 0; i < hv->via.array.size; i++) {
		const msgpack_object *h = rpc_map_get(&hv->via.array.ptr[i], "host");
		struct subj_part *p;

		if (h == NULL || h->type != MSGPACK_OBJECT_STR || (p = subject_add_part(s, SK_NET)) == NULL ||
		    parse_host(h->via.str.ptr, h->via.str.size, &p->host, &p->port) < 0)
			return -1;
	}
	return 0;
}

/* The file command c runs (its first target of effect "run", or where a
 * link it names leads: the target "through" it), for the exec part p. */
static int
set_run_path(struct subj_part *p, const msgpack_object *c)
{
	const msgpack_object *tv = rpc_map_get(c, "targets");
	const msgpack_object *first = NULL, *real = NULL;

	for (uint32_t i = 0; tv != NULL && tv->type == MSGPACK_OBJECT_ARRAY && i < tv->via.array.size; i++) {
		const msgpack_object *t = &tv->via.array.ptr[i], *path = rpc_map_get(t, "path");
		const msgpack_object *thr = rpc_map_get(t, "through");

		if (t->type != MSGPACK_OBJECT_MAP || !str_is(rpc_map_get(t, "effect"), "run") || path == NULL ||
		    path->type != MSGPACK_OBJECT_STR)
			continue;
		if (first == NULL) {
			if (is_true(rpc_map_get(t, "glob")) || is_true(rpc_map_get(t, "unknown")))
				return 0; /* known only at run time: nothing to pin */
			first = path;
			real = path;
		} else if (thr != NULL && thr->type == MSGPACK_OBJECT_STR && thr->via.str.size == first->via.str.size &&
		    memcmp(thr->via.str.ptr, first->via.str.ptr, first->via.str.size) == 0) {
			real = path;
		}
	}
	if (real == NULL || real->via.str.size == 0 || real->via.str.ptr[0] != '/' ||
	    memchr(real->via.str.ptr, '\0', real->via.str.size) != NULL)
		return 0;
	if ((p->run_path = strndup(real->via.str.ptr, real->via.str.size)) == NULL)
		return -1;
	paths_normalize(p->run_path);
	return 0;
}

/* A command of the intent: its exec part and the parts of its targets.
 * *carry: marks of a command without a part of its own (an sh -c wrapper),
 * given to the next exec part. */
static int
add_cmd_parts(struct subject *s, const msgpack_object *c, arena *a, bool exec_part, unsigned *carry)
{
	size_t at = s->nparts;
	unsigned marks = 0;

	if (exec_part && add_intent_cmd(s, c, a) < 0)
		return -1;
	if (exec_part && at == s->nparts)
		exec_part = false; /* no program ran: its marks go to the next part */
	if (exec_part && set_run_path(&s->parts[at], c) < 0)
		return -1;
	if (add_targets(s, c, true, &marks) < 0)
		return -1;
	if (exec_part && at < s->nparts) {
		s->parts[at].marks |= marks | *carry;
		*carry = 0;
	} else {
		*carry |= marks;
	}
	return 0;
}

/* The commands of the intent, when it is whole; NULL otherwise. */
static const msgpack_object *
whole_commands(const msgpack_object *intent)
{
	const msgpack_object *cmds = rpc_map_get(intent, "commands"), *parsed = rpc_map_get(intent, "parsed");
	const msgpack_object *total = rpc_map_get(intent, "commands_total");

	if (parsed == NULL || parsed->type != MSGPACK_OBJECT_BOOLEAN || !parsed->via.boolean ||
	    cmds == NULL || cmds->type != MSGPACK_OBJECT_ARRAY || cmds->via.array.size == 0)
		return NULL;
	/* a command we cannot see is a part nobody can cover */
	if (total == NULL || total->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    total->via.u64 != cmds->via.array.size)
		return NULL;
	for (uint32_t i = 0; i < cmds->via.array.size; i++)
		if (cmds->via.array.ptr[i].type != MSGPACK_OBJECT_MAP)
			return NULL;
	return cmds;
}

/* exec: one part per command, plus what each writes or deletes. */
static int
fill_exec(struct subject *s, const msgpack_object *cmds)
{
	arena *a;
	unsigned carry = 0;
	int rc = 0;

	if ((a = arena_new(4096)) == NULL)
		return -1;
	for (uint32_t i = 0; rc == 0 && i < cmds->via.array.size; i++) {
		const msgpack_object *c = &cmds->via.array.ptr[i];

		if (str_is(rpc_map_get(c, "context"), "files"))
			rc = add_targets(s, c, false, &carry); /* files the request lists */
		else if (shell_with_script(c) && i + 1 < cmds->via.array.size &&
		    str_is(rpc_map_get(&cmds->via.array.ptr[i + 1], "context"), "sh -c"))
			rc = add_cmd_parts(s, c, a, false, &carry); /* sh -c '...': its commands are the parts */
		else
			rc = add_cmd_parts(s, c, a, true, &carry);
		arena_reset(a);
	}
	arena_free(a);
	if (rc == 0 && carry != 0 && s->nparts > 0)
		s->parts[0].marks |= carry;
	return rc;
}

/* write, edit, read, delete: every file the request names. */
static int
fill_files(struct subject *s, const msgpack_object *cmds)
{
	unsigned marks = 0;

	for (uint32_t i = 0; i < cmds->via.array.size; i++)
		if (add_targets(s, &cmds->via.array.ptr[i], false, &marks) < 0)
			return -1;
	if (s->nparts == 0)
		return -1;
	s->parts[0].marks |= marks;
	return 0;
}

/* mcp: the tool, every file and host its arguments name, and every
 * command they carry. */
static int
fill_mcp(struct subject *s, const msgpack_object *cmds)
{
	arena *a;
	unsigned carry = 0;
	int rc = 0;

	if ((a = arena_new(4096)) == NULL)
		return -1;
	for (uint32_t i = 0; rc == 0 && i < cmds->via.array.size; i++) {
		const msgpack_object *c = &cmds->via.array.ptr[i];
		unsigned marks = 0;

		if (i == 0 || str_is(rpc_map_get(c, "context"), "files")) {
			rc = add_targets(s, c, false, &marks);
			if (rc == 0 && i == 0)
				rc = add_hosts(s, c);
			if (s->nparts > 0)
				s->parts[0].marks |= marks;
		} else {
			rc = add_cmd_parts(s, c, a, true, &carry);
		}
		arena_reset(a);
	}
	if (carry != 0 && s->nparts > 0)
		s->parts[0].marks |= carry;
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
	paths_normalize(s->workspace);
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
			paths_normalize(v);
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
	const msgpack_object *cmds;

	if (s == NULL || intent == NULL || intent->type != MSGPACK_OBJECT_MAP)
		return s;
	if (intent_workspace(s, intent) < 0) {
		subject_free(s);
		return NULL;
	}
	if (s->kind == SK_OTHER)
		return s;
	cmds = whole_commands(intent);
	switch (s->kind) {
	case SK_EXEC: case SK_WRITE: case SK_EDIT: case SK_READ: case SK_DELETE:
		/* replace what the request map alone gave with the intent's parts */
		for (size_t i = 0; i < s->nparts; i++)
			free_part(&s->parts[i]);
		s->nparts = 0;
		if (cmds == NULL)
			s->unparsed = true;
		else if (s->kind == SK_EXEC)
			s->unparsed = fill_exec(s, cmds) < 0;
		else
			s->unparsed = s->unparsed || fill_files(s, cmds) < 0;
		break;
	case SK_MCP:
		/* the tool's own part stays first */
		if (cmds == NULL || fill_mcp(s, cmds) < 0)
			s->unparsed = true;
		break;
	case SK_NET:
		/* files listed with a net request; what the URL names (a unix: socket) */
		for (uint32_t i = 0; cmds != NULL && i < cmds->via.array.size; i++) {
			unsigned marks = 0;
			const msgpack_object *c = &cmds->via.array.ptr[i];

			if (add_targets(s, c, !str_is(rpc_map_get(c, "context"), "files"), &marks) < 0)
				s->unparsed = true;
			if (s->nparts > 0)
				s->parts[0].marks |= marks;
		}
		if (cmds == NULL)
			s->unparsed = true;
		break;
	default:
		break;
	}
	/* where links lead: rules must cover both names (add_link_parts skips
	 * what the targets above already gave) */
	if (add_link_parts(s, intent) < 0) {
		subject_free(s);
		return NULL;
	}
	return s;
}
