/* reqfiles.c -- every file a request names (see reqfiles.h). */
#include "broker/intent/reqfiles.h"
#include "proto/rpc.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

static const msgpack_object *
get(const msgpack_object *map, const char *key)
{
	return map != NULL && map->type == MSGPACK_OBJECT_MAP ? rpc_map_get(map, key) : NULL;
}

static bool
str_is(const msgpack_object *o, const char *s)
{
	return o != NULL && o->type == MSGPACK_OBJECT_STR && o->via.str.size == strlen(s) &&
	    memcmp(o->via.str.ptr, s, o->via.str.size) == 0;
}

/* A usable path string: 1..REQ_PATH_MAX bytes, no NUL. */
static bool
path_ok(const msgpack_object *o)
{
	return o != NULL && o->type == MSGPACK_OBJECT_STR && o->via.str.size > 0 && o->via.str.size <= REQ_PATH_MAX &&
	    memchr(o->via.str.ptr, '\0', o->via.str.size) == NULL;
}

static int
push(arena *a, struct req_files *out, const char *s, size_t n, enum req_op op, bool glob)
{
	struct req_file *nv;
	char *p;

	if (out->n >= REQ_FILES_MAX * 2) {
		out->bad = "the request names too many files";
		return 0;
	}
	if ((p = arena_strndup(a, s, n)) == NULL)
		return -1;
	if ((nv = arena_grow(a, out->v, out->n, &out->cap, sizeof *nv)) == NULL)
		return -1;
	out->v = nv;
	out->v[out->n++] = (struct req_file){ p, n, op, glob };
	return 0;
}

static bool
has_wild(const char *s, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (s[k] == '*' || s[k] == '?' || s[k] == '[' || s[k] == '{')
			return true;
	return false;
}

static int
op_of_kind(const char *kind)
{
	if (kind == NULL)
		return RQ_WRITE;
	if (strcmp(kind, "read") == 0)
		return RQ_READ;
	if (strcmp(kind, "edit") == 0)
		return RQ_EDIT;
	if (strcmp(kind, "delete") == 0)
		return RQ_DELETE;
	return RQ_WRITE;
}

/* files: [{path, op, glob?}], files_total. */
static int
files_field(arena *a, const msgpack_object *req, struct req_files *out)
{
	const msgpack_object *f = get(req, "files"), *tot = get(req, "files_total");
	uint32_t n = 0;

	if (f != NULL && f->type != MSGPACK_OBJECT_NIL) {
		if (f->type != MSGPACK_OBJECT_ARRAY) {
			out->bad = "files is not an array";
			return 0;
		}
		if (f->via.array.size > REQ_FILES_MAX) {
			out->bad = "files has more entries than a request may carry";
			return 0;
		}
		n = f->via.array.size;
		for (uint32_t k = 0; k < n; k++) {
			const msgpack_object *e = &f->via.array.ptr[k], *p = get(e, "path"), *op = get(e, "op"),
			                     *g = get(e, "glob");
			static const char *const ops[] = { "read", "list", "write", "edit", "delete" };
			int o = -1;

			if (e->type != MSGPACK_OBJECT_MAP || !path_ok(p)) {
				out->bad = "a files entry has no usable path";
				return 0;
			}
			for (int q = 0; q < 5; q++)
				if (str_is(op, ops[q]))
					o = q;
			if (o < 0) {
				out->bad = "a files entry has no op (read, write, edit, delete)";
				return 0;
			}
			if (g != NULL && g->type != MSGPACK_OBJECT_BOOLEAN && g->type != MSGPACK_OBJECT_NIL) {
				out->bad = "a files entry's glob is not a boolean";
				return 0;
			}
			if (push(a, out, p->via.str.ptr, p->via.str.size, (enum req_op)o,
			        g != NULL && g->type == MSGPACK_OBJECT_BOOLEAN && g->via.boolean) < 0)
				return -1;
		}
	}
	if (tot != NULL && tot->type != MSGPACK_OBJECT_NIL) {
		int64_t v;

		if (rpc_get_int(tot, 0, INT64_MAX, &v) < 0)
			out->bad = "files_total is not a count";
		else if ((uint64_t)v > n)
			out->bad = "the tool call touches more files than the request lists (files_total)";
	}
	return 0;
}

/* paths: [str] with the request's op. */
static int
paths_field(arena *a, const msgpack_object *req, const char *kind, struct req_files *out)
{
	const msgpack_object *p = get(req, "paths");

	if (p == NULL || p->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (p->type != MSGPACK_OBJECT_ARRAY || p->via.array.size > REQ_FILES_MAX) {
		out->bad = "paths is not an array of paths";
		return 0;
	}
	for (uint32_t k = 0; k < p->via.array.size; k++) {
		if (!path_ok(&p->via.array.ptr[k])) {
			out->bad = "paths holds a value that is not a path";
			return 0;
		}
		if (push(a, out, p->via.array.ptr[k].via.str.ptr, p->via.array.ptr[k].via.str.size,
		        (enum req_op)op_of_kind(kind), false) < 0)
			return -1;
	}
	return 0;
}

/* The headers of a Codex patch envelope. */
int
req_patch_files(arena *a, const char *text, size_t n, struct req_files *out)
{
	static const struct {
		const char *head;
		enum req_op op;
	} heads[] = {
		{ "*** Add File: ", RQ_WRITE }, { "*** Update File: ", RQ_EDIT },
		{ "*** Delete File: ", RQ_DELETE }, { "*** Move to: ", RQ_WRITE },
	};
	const char *s = text, *e = text + n, *upd = NULL;
	size_t updn = 0;

	while (s < e) {
		const char *nl = memchr(s, '\n', (size_t)(e - s)), *le = nl != NULL ? nl : e;

		for (size_t k = 0; k < sizeof heads / sizeof heads[0]; k++) {
			size_t hl = strlen(heads[k].head) - 1; /* without its space */
			const char *ps = s + hl, *pe = le;

			if ((size_t)(le - s) < hl || memcmp(s, heads[k].head, hl) != 0)
				continue;
			while (pe > ps && (pe[-1] == '\r' || pe[-1] == ' ' || pe[-1] == '\t'))
				pe--;
			while (ps < pe && (*ps == ' ' || *ps == '\t'))
				ps++;
			if (pe == ps || (size_t)(pe - ps) > REQ_PATH_MAX || memchr(ps, '\0', (size_t)(pe - ps)) != NULL) {
				out->bad = "a patch header names no usable path";
				return 0;
			}
			if (push(a, out, ps, (size_t)(pe - ps), heads[k].op, false) < 0)
				return -1;
			if (heads[k].op == RQ_EDIT) {
				upd = ps;
				updn = (size_t)(pe - ps);
			} else if (k == 3 && upd != NULL) {
				/* the updated file moves away: its old name changes too (as mv's) */
				if (push(a, out, upd, updn, RQ_WRITE, false) < 0)
					return -1;
			}
			break;
		}
		s = le + 1;
	}
	return 0;
}

/* patch: the request's patch envelope. */
static int
patch_field(arena *a, const msgpack_object *req, struct req_files *out)
{
	const msgpack_object *p = get(req, "patch");

	if (p == NULL || p->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (p->type != MSGPACK_OBJECT_STR) {
		out->bad = "patch is not a string";
		return 0;
	}
	return req_patch_files(a, p->via.str.ptr, p->via.str.size, out);
}

/* dir + "/" + (a name-only glob: any depth) + glob, or glob itself when it
 * is absolute or from home. */
static int
push_glob(arena *a, struct req_files *out, const msgpack_object *dir, const char *g, size_t gn, bool any_depth,
    enum req_op op)
{
	const char *d = dir != NULL && dir->type == MSGPACK_OBJECT_STR ? dir->via.str.ptr : ".";
	size_t dn = dir != NULL && dir->type == MSGPACK_OBJECT_STR ? dir->via.str.size : 1, o = 0;
	bool deep = any_depth && memchr(g, '/', gn) == NULL;
	char *s;

	if (gn == 0)
		return 0;
	if (g[0] == '/' || (g[0] == '~' && (gn == 1 || g[1] == '/')))
		return push(a, out, g, gn, op, has_wild(g, gn));
	if (dn == 0 || dn > REQ_PATH_MAX || memchr(d, '\0', dn) != NULL) {
		d = ".";
		dn = 1;
	}
	if ((s = arena_alloc(a, dn + gn + 5)) == NULL)
		return -1;
	memcpy(s, d, dn);
	o = dn;
	if (s[o - 1] != '/')
		s[o++] = '/';
	if (deep) {
		memcpy(s + o, "**/", 3);
		o += 3;
	}
	memcpy(s + o, g, gn);
	o += gn;
	return push(a, out, s, o, op, has_wild(s, o));
}

/* One glob or an array of them in tool_input[key]. */
static int
tool_globs(arena *a, const msgpack_object *ti, const char *key, const msgpack_object *dir, bool any_depth,
    enum req_op op, struct req_files *out)
{
	const msgpack_object *v = get(ti, key);

	if (v == NULL || v->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (v->type == MSGPACK_OBJECT_STR) {
		if (memchr(v->via.str.ptr, '\0', v->via.str.size) != NULL || v->via.str.size > REQ_PATH_MAX) {
			out->bad = "a tool glob is not usable";
			return 0;
		}
		return push_glob(a, out, dir, v->via.str.ptr, v->via.str.size, any_depth, op);
	}
	if (v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size > REQ_FILES_MAX) {
		out->bad = "a tool's globs are not strings";
		return 0;
	}
	for (uint32_t k = 0; k < v->via.array.size; k++) {
		const msgpack_object *e = &v->via.array.ptr[k];

		if (!path_ok(e)) {
			out->bad = "a tool's globs are not strings";
			return 0;
		}
		if (push_glob(a, out, dir, e->via.str.ptr, e->via.str.size, any_depth, op) < 0)
			return -1;
	}
	return 0;
}

/* The multi-file tools of the agents, by their own tool names. */
static int
tool_input_files(arena *a, const msgpack_object *req, struct req_files *out)
{
	const msgpack_object *tn = get(req, "tool_name"), *ti = get(req, "tool_input"), *tr = get(req, "truncated");
	const msgpack_object *dir;
	static const char *const tools[] = { "Glob", "Grep", "LS", "glob", "search_file_content", "grep_search",
		"read_many_files", "list_directory" };
	bool known = false;

	for (size_t k = 0; k < sizeof tools / sizeof tools[0]; k++)
		known |= str_is(tn, tools[k]);
	if (!known)
		return 0;
	if (ti == NULL || ti->type != MSGPACK_OBJECT_MAP || get(ti, "sandgate_omitted") != NULL ||
	    (tr != NULL && tr->type == MSGPACK_OBJECT_BOOLEAN && tr->via.boolean)) {
		out->bad = "the tool's input was cut or left out, so its files are not known";
		return 0;
	}
	dir = get(ti, "path");
	if (dir == NULL || dir->type != MSGPACK_OBJECT_STR)
		dir = get(ti, "dir_path");
	if (dir != NULL && dir->type != MSGPACK_OBJECT_STR)
		dir = NULL;
	if (str_is(tn, "Glob") || str_is(tn, "glob"))
		return tool_globs(a, ti, "pattern", dir, false, RQ_LIST, out);
	if (str_is(tn, "Grep"))
		return tool_globs(a, ti, "glob", dir, true, RQ_READ, out);
	if (str_is(tn, "search_file_content") || str_is(tn, "grep_search"))
		return tool_globs(a, ti, "include", dir, true, RQ_READ, out);
	if (str_is(tn, "read_many_files")) {
		if (tool_globs(a, ti, "paths", NULL, false, RQ_READ, out) < 0)
			return -1;
		return tool_globs(a, ti, "include", NULL, true, RQ_READ, out);
	}
	/* LS, list_directory: the directory (and what it ignores does not narrow it) */
	if (dir != NULL && path_ok(dir))
		return push(a, out, dir->via.str.ptr, dir->via.str.size, RQ_LIST, false);
	return 0;
}

int
req_files_collect(arena *a, const msgpack_object *req, const char *kind, struct req_files *out)
{
	memset(out, 0, sizeof *out);
	if (req == NULL || req->type != MSGPACK_OBJECT_MAP)
		return 0;
	if (files_field(a, req, out) < 0 || paths_field(a, req, kind, out) < 0 || patch_field(a, req, out) < 0 ||
	    tool_input_files(a, req, out) < 0)
		return -1;
	return 0;
}

/* ---- MCP arguments ---- */

bool
req_is_url(const char *s, size_t n)
{
	size_t k = 0;

	while (k < n && (isalnum((unsigned char)s[k]) || s[k] == '+' || s[k] == '-' || s[k] == '.'))
		k++;
	return k > 0 && isalpha((unsigned char)s[0]) && k + 3 < n && memcmp(s + k, "://", 3) == 0 &&
	    s[k + 3] != '/' && s[k + 3] != ' ';
}

/* key, lower-cased without '_' and '-', into buf. */
static void
norm_key(const msgpack_object *k, char *buf, size_t cap)
{
	size_t o = 0;

	buf[0] = '\0';
	if (k == NULL || k->type != MSGPACK_OBJECT_STR)
		return;
	for (uint32_t i = 0; i < k->via.str.size && o + 1 < cap; i++) {
		char c = k->via.str.ptr[i];

		if (c == '_' || c == '-' || c == ' ')
			continue;
		buf[o++] = (char)tolower((unsigned char)c);
	}
	buf[o] = '\0';
}

static bool
ends_with_any(const char *k, const char *const *v, size_t n)
{
	size_t kl = strlen(k);

	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(v[i]);

		if (kl >= l && strcmp(k + kl - l, v[i]) == 0)
			return true;
	}
	return false;
}

static bool
path_key(const char *k)
{
	static const char *const v[] = { "path", "paths", "file", "files", "filename", "filenames", "dir", "dirs",
		"directory", "directories", "folder", "folders", "uri", "uris", "cwd", "workdir",
		"workingdirectory", "source", "destination", "dest" };

	return k[0] != '\0' && strcmp(k, "profile") != 0 && ends_with_any(k, v, sizeof v / sizeof v[0]);
}

static bool
glob_key(const char *k)
{
	static const char *const v[] = { "glob", "globs", "include", "includes", "filepattern", "filepatterns" };

	return k[0] != '\0' && ends_with_any(k, v, sizeof v / sizeof v[0]);
}

static bool
command_key(const char *k)
{
	static const char *const v[] = { "command", "cmd", "script", "shellcommand", "commandline", "bash", "shell",
		"sh", "commands" };

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if (strcmp(k, v[i]) == 0)
			return true;
	return false;
}

/* Does a string value read as a path whatever its key? */
static bool
looks_like_path(const char *s, size_t n)
{
	if (n == 0 || memchr(s, '\n', n) != NULL)
		return false;
	if (s[0] == '/')
		return n > 1 && s[1] != '/' && memchr(s, ' ', n) == NULL;
	if (s[0] == '~')
		return n == 1 || s[1] == '/';
	if (s[0] == '.')
		return (n == 1) || (n >= 2 && s[1] == '/') || (n == 2 && s[1] == '.') || (n >= 3 && s[1] == '.' && s[2] == '/');
	return false;
}

struct walker {
	arena *a;
	req_arg_fn *fn;
	void *ctx;
	size_t count;
	int over;
};

static int
emit(struct walker *w, enum req_arg what, const char *s, size_t n)
{
	char *p = arena_strndup(w->a, s, n);

	if (p == NULL)
		return -1;
	return w->fn(w->ctx, what, p, n, NULL, NULL, 0);
}

static int
walk_str(struct walker *w, const char *key, const char *s, size_t n)
{
	if (w->fn(w->ctx, RA_TEXT, s, n, NULL, NULL, 0) < 0)
		return -1;
	if (memchr(s, '\0', n) != NULL)
		return 0;
	if (command_key(key))
		return emit(w, RA_COMMAND, s, n);
	if (n > REQ_PATH_MAX)
		return 0;
	if (n > 7 && strncasecmp(s, "file://", 7) == 0) {
		const char *p = s + 7, *e = s + n;

		if (p < e && *p != '/') { /* file://host/path */
			const char *sl = memchr(p, '/', (size_t)(e - p));

			p = sl != NULL ? sl : e;
		}
		return p < e ? emit(w, path_key(key) ? RA_PATH : RA_PATH_MENTION, p, (size_t)(e - p)) : 0;
	}
	if (n > 5 && strncasecmp(s, "unix:", 5) == 0) {
		/* unix:/run/.../console.sock, unix:///run/... */
		size_t skip = n > 7 && s[5] == '/' && s[6] == '/' && s[7] == '/' ? 7 : 5;

		return emit(w, RA_PATH_MENTION, s + skip, n - skip);
	}
	if (req_is_url(s, n))
		return emit(w, RA_URL, s, n);
	if (glob_key(key) && has_wild(s, n))
		return emit(w, RA_GLOB, s, n);
	if (path_key(key))
		return emit(w, has_wild(s, n) ? RA_GLOB : RA_PATH, s, n);
	if (looks_like_path(s, n))
		return emit(w, RA_PATH_MENTION, s, n);
	return 0;
}

static int
walk_obj(struct walker *w, const msgpack_object *o, const char *key, int depth)
{
	if (++w->count > REQ_ARGS_VALUES || depth > REQ_ARGS_DEPTH) {
		w->over = 1;
		return 0;
	}
	switch (o->type) {
	case MSGPACK_OBJECT_STR:
		return walk_str(w, key, o->via.str.ptr, o->via.str.size);
	case MSGPACK_OBJECT_ARRAY:
		if (command_key(key) && o->via.array.size > 0 && o->via.array.size <= 4096) {
			const char **v = arena_alloc(w->a, o->via.array.size * sizeof *v);
			size_t *lens = arena_alloc(w->a, o->via.array.size * sizeof *lens);
			bool all = v != NULL && lens != NULL;

			if (!all)
				return -1;
			for (uint32_t i = 0; i < o->via.array.size && all; i++) {
				const msgpack_object *e = &o->via.array.ptr[i];

				all = e->type == MSGPACK_OBJECT_STR && memchr(e->via.str.ptr, '\0', e->via.str.size) == NULL;
				if (all) {
					v[i] = e->via.str.ptr;
					lens[i] = e->via.str.size;
				}
			}
			if (all) {
				w->count += o->via.array.size;
				return w->fn(w->ctx, RA_ARGV, NULL, 0, v, lens, o->via.array.size);
			}
		}
		for (uint32_t i = 0; i < o->via.array.size && !w->over; i++)
			if (walk_obj(w, &o->via.array.ptr[i], key, depth + 1) < 0)
				return -1;
		return 0;
	case MSGPACK_OBJECT_MAP:
		for (uint32_t i = 0; i < o->via.map.size && !w->over; i++) {
			char k[64];

			norm_key(&o->via.map.ptr[i].key, k, sizeof k);
			if (walk_obj(w, &o->via.map.ptr[i].val, k, depth + 1) < 0)
				return -1;
		}
		return 0;
	default:
		return 0;
	}
}

int
req_args_walk(arena *a, const msgpack_object *args, req_arg_fn *fn, void *ctx)
{
	struct walker w = { .a = a, .fn = fn, .ctx = ctx };

	if (args == NULL)
		return 0;
	if (walk_obj(&w, args, "", 0) < 0)
		return -1;
	return w.over;
}
