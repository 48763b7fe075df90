/* hook_files.c -- the `files` list of a request (proto/PROTOCOL.md, "Fields
 * sent by the hook adapters"): every file a tool call touches, each path
 * resolved the way the agent itself resolves it (trimming, "~", the base
 * directory, Gemini's '@' and %XX quirks), and glob patterns written so that
 * they name at least every file the tool can reach.  Where the agent's own
 * resolution depends on something the hook cannot know for sure, every
 * candidate is listed: an extra file only makes the request stricter, a
 * missing one would let a rule allow what it never covered. */
#include "cli/hook.h"
#include "proto/hex.h"
#include "proto/paths.h"

#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Alternatives one pattern may expand to before it is listed as "anything" (/ + **). */
#define HOOK_BRACE_MAX 256

/* ---- the list ---- */

void
hook_fileset_init(struct hook_fileset *fs)
{
	fs->seen = json_object();
	fs->list = json_array();
	fs->total = 0;
}

void
hook_fileset_free(struct hook_fileset *fs)
{
	json_decref(fs->seen);
	json_decref(fs->list);
	fs->seen = fs->list = NULL;
}

void
hook_fileset_put(struct hook_fileset *fs, json_t *req)
{
	if (fs->list == NULL || json_array_size(fs->list) == 0)
		return;
	json_object_set(req, "files", fs->list);
	if (fs->total > json_array_size(fs->list))
		json_object_set_new(req, "files_total", json_integer((json_int_t)fs->total));
}

/* The real path of p with symbolic links followed (its parent's when p
 * does not exist yet, as for a file to be written); a new string or NULL. */
static char *
real_of(const char *p)
{
	char *r = realpath(p, NULL), *dir, *slash, *rd;

	if (r != NULL || errno != ENOENT || (dir = strdup(p)) == NULL)
		return r;
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if ((rd = realpath(dir, NULL)) != NULL) {
			r = paths_join(rd, slash + 1);
			free(rd);
		}
	}
	free(dir);
	return r;
}

static bool
under(const char *p, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(p, dir, n) == 0 && (p[n] == '/' || p[n] == '\0' || (n == 1 && dir[0] == '/'));
}

static void add_entry(const struct hook_input *in, const char *path, const char *op, bool glob);

void
hook_add_resolved(const struct hook_input *in, const char *path, const char *op, bool glob)
{
	char *real, *rcwd;
	bool inside;

	add_entry(in, path, op, glob);
	/* a symbolic link (or a link among its directories) leading out of
	 * the working directory: the file really touched is a target too, so
	 * a rule for the workspace never covers a link to ~/.ssh in it */
	if (glob || path[0] != '/' || (real = real_of(path)) == NULL)
		return;
	if (strcmp(real, path) != 0) {
		rcwd = in->cwd != NULL ? realpath(in->cwd, NULL) : NULL;
		inside = rcwd != NULL && under(real, rcwd);
		free(rcwd);
		if (!inside)
			add_entry(in, real, op, false);
	}
	free(real);
}

static void
add_entry(const struct hook_input *in, const char *path, const char *op, bool glob)
{
	struct hook_fileset *fs = in->files;
	size_t n = strlen(path) + strlen(op) + 4;
	char *key;

	if (fs == NULL || fs->seen == NULL || fs->list == NULL || (key = malloc(n)) == NULL)
		return;
	/* one entry per distinct (op, glob, path); paths never hold a NUL */
	snprintf(key, n, "%s:%c:%s", op, glob ? 'g' : 'p', path);
	if (json_object_get(fs->seen, key) == NULL) {
		json_object_set_new(fs->seen, key, json_true());
		fs->total++;
		if (json_array_size(fs->list) < HOOK_FILES_MAX)
			json_array_append_new(fs->list, glob
			    ? json_pack("{s:s,s:s,s:b}", "path", path, "op", op, "glob", 1)
			    : json_pack("{s:s,s:s}", "path", path, "op", op));
	}
	free(key);
}

/* ---- whitespace as JavaScript and Rust trim it ---- */

/* Decode one UTF-8 sequence at s (valid UTF-8: jansson checked it). */
static uint32_t
utf8_at(const unsigned char *s, size_t *len)
{
	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	if ((s[0] & 0xE0) == 0xC0 && s[1] != 0) {
		*len = 2;
		return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
	}
	if ((s[0] & 0xF0) == 0xE0 && s[1] != 0 && s[2] != 0) {
		*len = 3;
		return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
	}
	if ((s[0] & 0xF8) == 0xF0 && s[1] != 0 && s[2] != 0 && s[3] != 0) {
		*len = 4;
		return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
		    ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
	}
	*len = 1;
	return 0xFFFD;
}

/* JavaScript's String.prototype.trim (WhiteSpace and LineTerminator). */
bool
hook_js_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0xA0 || c == 0x1680 ||
	    (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
	    c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

/* Rust's char::is_whitespace (Unicode White_Space). */
bool
hook_rust_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
	    (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
	    c == 0x205F || c == 0x3000;
}

size_t
hook_trim(const char *s, size_t n, bool (*space)(uint32_t), size_t *start)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t a = 0, b = n, k;

	while (a < n && space(utf8_at(u + a, &k)))
		a += k;
	/* from the end: step back to each character's first byte */
	while (b > a) {
		size_t p = b - 1;

		while (p > a && (u[p] & 0xC0) == 0x80)
			p--;
		if (!space(utf8_at(u + p, &k)))
			break;
		b = p;
	}
	*start = a;
	return b - a;
}

/* ---- one path ---- */

/* The agent's home: $HOME when set and absolute (what node's os.homedir()
 * and Rust's home_dir() read first), else the password entry when $HOME is
 * unset; NULL when unknown, and then "~/..." goes to the broker as is. */
static const char *
home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h != NULL && h[0] != '\0')
		return h[0] == '/' ? h : NULL;
	pw = getpwuid(getuid());
	return pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
}


static char *
join(const char *base, const char *p)
{
	char *r = p[0] == '/' || base == NULL || base[0] == '\0' ? strdup(p) : paths_join(base, p);

	if (r != NULL)
		paths_normalize(r);
	return r;
}

/* JavaScript's decodeURIComponent: NULL when it would throw (a '%' not
 * followed by two hex digits, or bytes that are not UTF-8), or when the
 * result holds a NUL; else the decoded string. */
static char *
uri_decode(const char *s)
{
	size_t n = strlen(s), o = 0;
	char *r;

	if (strchr(s, '%') == NULL || (r = malloc(n + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%') {
			r[o++] = s[i];
			continue;
		}
		if (i + 2 >= n || hex_digit((unsigned char)s[i + 1]) < 0 || hex_digit((unsigned char)s[i + 2]) < 0) {
			free(r);
			return NULL;
		}
		r[o++] = (char)(hex_digit((unsigned char)s[i + 1]) * 16 + hex_digit((unsigned char)s[i + 2]));
		i += 2;
	}
	r[o] = '\0';
	{
		json_t *chk = strlen(r) == o ? json_stringn(r, o) : NULL; /* NULL: not UTF-8 */

		if (chk == NULL) {
			free(r);
			return NULL;
		}
		json_decref(chk);
	}
	return r;
}

/* Resolve p as the agent would (flags HOOK_P_*), without the '@' and
 * whitespace variants; a new string. */
static char *
resolve_one(unsigned flags, const char *base, const char *p)
{
	const char *home;
	char *r, *d;

	if ((flags & HOOK_P_TILDE) && p[0] == '~' && (p[1] == '\0' || p[1] == '/') &&
	    (home = home_dir()) != NULL) {
		r = p[1] == '\0' ? strdup(home) : paths_join(home, p + 2);
		if (r != NULL)
			paths_normalize(r);
	} else if ((flags & HOOK_P_TILDE) && p[0] == '~' && (p[1] == '\0' || p[1] == '/')) {
		r = strdup(p); /* the broker reads "~" as the home directory */
	} else {
		r = join(base, p);
	}
	if (r != NULL && (flags & HOOK_P_PCT) && (d = uri_decode(r)) != NULL) {
		free(r);
		r = d;
		paths_normalize(r);
	}
	return r;
}

static bool
exists(const char *base, const char *p)
{
	struct stat st;
	char *f = join(base, p);
	bool yes = f != NULL && stat(f, &st) == 0;

	free(f);
	return yes;
}

/* Gemini's resolveDefensiveToolPath: a leading '@' (the CLI's file-mention
 * syntax) is dropped unless the literal path, or a first segment spelled
 * with the '@', exists.  Returns the path Gemini uses now (pointing into p
 * or into *alt_out), and in *alt_out the other spelling, or NULL. */
static const char *
gemini_at(const char *base, const char *p, const char **alt_out)
{
	const char *stripped;
	char first[4096];
	size_t fl;

	*alt_out = NULL;
	if (p[0] != '@' || p[1] == '\0')
		return p;
	stripped = p + 1;
	while (*stripped == '/' || *stripped == '\\')
		stripped++;
	if (*stripped == '\0')
		return p;
	*alt_out = stripped;
	if (exists(base, p))
		return p;
	if (p[1] == '/' || p[1] == '\\') {
		*alt_out = p;
		return stripped;
	}
	fl = strcspn(stripped, "/\\");
	if (fl + 2 > sizeof first)
		return p;
	first[0] = '@';
	memcpy(first + 1, stripped, fl);
	first[fl + 1] = '\0';
	if (exists(base, first))
		return p;
	*alt_out = p;
	return stripped;
}

char *
hook_file(const struct hook_input *in, unsigned flags, const char *base, const char *raw, const char *op)
{
	char *buf = NULL, *primary, *r;
	const char *p = raw, *alt = NULL;
	size_t start, n;

	if (flags & HOOK_P_TRIM_JS) {
		n = hook_trim(raw, strlen(raw), hook_js_space, &start);
		if ((buf = strndup(raw + start, n)) == NULL)
			return NULL;
		p = buf;
		if (p[0] == '\0') { /* Claude's expandPath: an empty path is the base */
			primary = strdup(base != NULL && base[0] != '\0' ? base : ".");
			if (primary != NULL)
				hook_add_resolved(in, primary, op, false);
			free(buf);
			return primary;
		}
	}
	if (flags & HOOK_P_AT)
		p = gemini_at(base, p, &alt);
	primary = resolve_one(flags, base, p);
	if (primary == NULL) {
		free(buf);
		return NULL;
	}
	hook_add_resolved(in, primary, op, false);
	if (alt != NULL && (r = resolve_one(flags, base, alt)) != NULL) {
		hook_add_resolved(in, r, op, false);
		free(r);
	}
	if (flags & HOOK_P_WS_BOTH) { /* unsure whether the agent trims: both */
		n = hook_trim(p, strlen(p), hook_rust_space, &start);
		if (n != strlen(p) && n > 0) {
			char *t = strndup(p + start, n);

			if (t != NULL && (r = resolve_one(flags, base, t)) != NULL) {
				hook_add_resolved(in, r, op, false);
				free(r);
			}
			free(t);
		}
	}
	free(buf);
	return primary;
}

/* ---- glob patterns ---- */

bool
hook_glob_magic(const char *s)
{
	return strpbrk(s, "*?[") != NULL || strstr(s, "+(") != NULL || strstr(s, "@(") != NULL ||
	    strstr(s, "!(") != NULL;
}

/* A growable list of strings for brace expansion. */
struct strs {
	char **v;
	size_t n, cap;
	bool over; /* more than HOOK_BRACE_MAX alternatives */
};

static void
strs_push(struct strs *l, char *s)
{
	char **nv;

	if (s == NULL) {
		l->over = true;
		return;
	}
	if (l->n >= HOOK_BRACE_MAX) {
		l->over = true;
		free(s);
		return;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;

		if ((nv = realloc(l->v, cap * sizeof *nv)) == NULL) {
			l->over = true;
			free(s);
			return;
		}
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = s;
}

static void
strs_free(struct strs *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

static char *
cat3(const char *a, size_t an, const char *b, size_t bn, const char *c, size_t cn)
{
	char *r = malloc(an + bn + cn + 1);

	if (r == NULL)
		return NULL;
	memcpy(r, a, an);
	memcpy(r + an, b, bn);
	memcpy(r + an + bn, c, cn);
	r[an + bn + cn] = '\0';
	return r;
}

/* The matching '}' of the '{' at s[open], skipping backslash escapes; 0 if none. */
static size_t
brace_close(const char *s, size_t open)
{
	int depth = 0;

	for (size_t i = open; s[i] != '\0'; i++) {
		if (s[i] == '\\' && s[i + 1] != '\0') {
			i++;
			continue;
		}
		if (s[i] == '{')
			depth++;
		else if (s[i] == '}' && --depth == 0)
			return i;
	}
	return 0;
}

/* Numeric ({1..5}, {-3..3..2}, {01..10}) or letter ({a..e}) sequence: the
 * items, as the brace-expansion package makes them; false if body is not one. */
static bool
brace_seq(const char *body, size_t n, struct strs *out)
{
	char b[128], *p, *e;
	long x, y, step = 1;
	bool alpha;
	int width = 0;

	if (n >= sizeof b)
		return false;
	memcpy(b, body, n);
	b[n] = '\0';
	alpha = n >= 4 && ((b[0] >= 'a' && b[0] <= 'z') || (b[0] >= 'A' && b[0] <= 'Z')) &&
	    b[1] == '.' && b[2] == '.' && ((b[3] >= 'a' && b[3] <= 'z') || (b[3] >= 'A' && b[3] <= 'Z'));
	if (alpha) {
		x = b[0];
		y = b[3];
		p = b + 4;
	} else {
		x = strtol(b, &e, 10);
		if (e == b || e[0] != '.' || e[1] != '.')
			return false;
		if ((b[0] == '0' && e - b > 1) || (b[0] == '-' && b[1] == '0' && e - b > 2))
			width = (int)(e - b);
		p = e + 2;
		y = strtol(p, &e, 10);
		if (e == p)
			return false;
		if ((p[0] == '0' && e - p > 1) || (p[0] == '-' && p[1] == '0' && e - p > 2))
			width = (int)(e - p) > width ? (int)(e - p) : width;
		p = e;
	}
	if (p[0] == '.' && p[1] == '.') {
		step = strtol(p + 2, &e, 10);
		if (e == p + 2)
			return false;
		p = e;
		step = step < 0 ? -step : step;
		if (step == 0)
			step = 1;
	}
	if (*p != '\0')
		return false;
	for (long v = x, k = 0; (x <= y ? v <= y : v >= y); v += x <= y ? step : -step, k++) {
		char item[32];

		if (k >= HOOK_BRACE_MAX) {
			out->over = true;
			break;
		}
		if (alpha)
			snprintf(item, sizeof item, "%c", (char)v);
		else
			snprintf(item, sizeof item, "%0*ld", width, v);
		strs_push(out, strdup(item));
	}
	return true;
}

static void brace_expand(const char *s, struct strs *out, int depth);

/* Expand every alternative of pre + {body} + post into out. */
static void
brace_combine(const char *pre, size_t pn, struct strs *alts, const char *post, struct strs *out, int depth)
{
	struct strs tails = { 0 };

	brace_expand(post, &tails, depth + 1);
	out->over |= tails.over;
	for (size_t i = 0; i < alts->n && !out->over; i++)
		for (size_t j = 0; j < tails.n && !out->over; j++)
			strs_push(out, cat3(pre, pn, alts->v[i], strlen(alts->v[i]), tails.v[j], strlen(tails.v[j])));
	strs_free(&tails);
}

/* Bash-style brace expansion as node-glob (minimatch) does it: {a,b},
 * nested braces, sequences; "{x}" and "${x}" stay as they are. */
static void
brace_expand(const char *s, struct strs *out, int depth)
{
	size_t from = 0;

	if (depth > 32) {
		out->over = true;
		return;
	}
	for (;;) {
		const char *o = strchr(s + from, '{');
		size_t open, close;

		while (o != NULL && o > s && o[-1] == '\\')
			o = strchr(o + 1, '{');
		if (o == NULL) {
			strs_push(out, strdup(s));
			return;
		}
		open = (size_t)(o - s);
		if ((close = brace_close(s, open)) == 0) {
			strs_push(out, strdup(s));
			return;
		}
		if (open > 0 && s[open - 1] == '$') {
			from = close + 1;
			continue;
		}
		{
			const char *body = s + open + 1;
			size_t bn = close - open - 1, start = 0;
			struct strs alts = { 0 };
			int d = 0;
			bool comma = false;

			for (size_t i = 0; i < bn; i++) {
				if (body[i] == '\\' && i + 1 < bn) {
					i++;
				} else if (body[i] == '{') {
					d++;
				} else if (body[i] == '}') {
					d--;
				} else if (body[i] == ',' && d == 0) {
					char *part = strndup(body + start, i - start);

					comma = true;
					if (part != NULL)
						brace_expand(part, &alts, depth + 1);
					else
						alts.over = true;
					free(part);
					start = i + 1;
				}
			}
			if (comma) {
				char *part = strndup(body + start, bn - start);

				if (part != NULL)
					brace_expand(part, &alts, depth + 1);
				else
					alts.over = true;
				free(part);
			} else if (!brace_seq(body, bn, &alts)) {
				strs_free(&alts);
				from = close + 1; /* "{x}": literal */
				continue;
			}
			out->over |= alts.over;
			if (!out->over)
				brace_combine(s, open, &alts, s + close + 1, out, depth);
			strs_free(&alts);
			return;
		}
	}
}

/* A ".." segment after a segment with a glob character: where it leads
 * depends on what "**" matched, which no lexical path can say. */
static bool
dotdot_after_magic(const char *p)
{
	bool magic = false;

	while (*p != '\0') {
		size_t n = strcspn(p, "/");
		char seg[4096];

		if (n < sizeof seg) {
			memcpy(seg, p, n);
			seg[n] = '\0';
			if (n == 2 && seg[0] == '.' && seg[1] == '.' && magic)
				return true;
			if (hook_glob_magic(seg) || strchr(seg, '{') != NULL)
				magic = true;
		} else {
			magic = true;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	return false;
}

static void
add_pattern(const struct hook_input *in, const char *base, const char *pat, const char *op)
{
	char *r;

	if (dotdot_after_magic(pat)) {
		hook_add_resolved(in, "/**", op, true);
		return;
	}
	if ((r = join(base, pat)) != NULL)
		hook_add_resolved(in, r, op, hook_glob_magic(pat));
	free(r);
}

void
hook_glob(const struct hook_input *in, enum hook_globsem sem, const char *base, const char *pattern,
    const char *op)
{
	struct strs alts = { 0 };
	char *r;

	if (sem == HOOK_GLOB_FILTER) {
		/* a filter on the files found under base: it can narrow to a
		 * name at any depth, never reach outside base; a leading
		 * "**" + "/" is the same as none (gitignore rules) */
		while (pattern != NULL && strncmp(pattern, "**/", 3) == 0)
			pattern += 3;
		if (pattern == NULL || pattern[0] == '\0' || pattern[0] == '!' ||
		    strpbrk(pattern, "/\\") != NULL) {
			if ((r = join(base, "**")) != NULL)
				hook_add_resolved(in, r, op, true);
			free(r);
			return;
		}
		brace_expand(pattern, &alts, 0);
		for (size_t i = 0; i < alts.n && !alts.over; i++) {
			char *sub = paths_join("**", alts.v[i]);

			if (sub != NULL && strpbrk(alts.v[i], "/\\") == NULL && (r = join(base, sub)) != NULL) {
				hook_add_resolved(in, r, op, true);
				free(r);
			} else if (sub != NULL && (r = join(base, "**")) != NULL) {
				hook_add_resolved(in, r, op, true);
				free(r);
			}
			free(sub);
		}
		if (alts.over && (r = join(base, "**")) != NULL) {
			hook_add_resolved(in, r, op, true);
			free(r);
		}
		strs_free(&alts);
		return;
	}
	/* node-glob: the pattern is a path relative to base (or absolute),
	 * braces expanded before anything is matched */
	brace_expand(pattern, &alts, 0);
	if (alts.over)
		hook_add_resolved(in, "/**", op, true);
	else
		for (size_t i = 0; i < alts.n; i++)
			add_pattern(in, base, alts.v[i], op);
	strs_free(&alts);
}

/* ---- Codex apply_patch envelopes ---- */

static bool
starts(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && memcmp(s, prefix, k) == 0;
}

/* One file: resolved against base as Codex does ("~" is the home
 * directory), or, when base is not known (the patch runs after commands
 * that may change directory), anywhere: "/", "**", then the relative path. */
static char *
patch_file(const struct hook_input *in, const char *base, bool base_known, const char *p, size_t n,
    const char *op)
{
	char *raw = strndup(p, n), *r = NULL;

	if (raw == NULL)
		return NULL;
	if (base_known || raw[0] == '/' || (raw[0] == '~' && (raw[1] == '\0' || raw[1] == '/'))) {
		r = resolve_one(HOOK_P_TILDE, base, raw);
		if (r != NULL)
			hook_add_resolved(in, r, op, false);
	} else {
		bool up = strcmp(raw, "..") == 0 || strncmp(raw, "../", 3) == 0 ||
		    strstr(raw, "/../") != NULL || (n >= 3 && strcmp(raw + n - 3, "/..") == 0);

		r = up ? strdup("/**") : paths_join("/**", raw);
		if (r != NULL)
			hook_add_resolved(in, r, op, true);
	}
	free(raw);
	return r;
}

size_t
hook_patch_files(const struct hook_input *in, const char *text, size_t len, const char *base,
    bool base_known, char **first, const char **first_op)
{
	static const struct {
		const char *marker, *op;
	} heads[] = {
		{ "*** Add File: ", "write" },
		{ "*** Delete File: ", "delete" },
		{ "*** Update File: ", "edit" },
	};
	static const char move[] = "*** Move to: ";
	size_t count = 0, pos = 0;

	*first = NULL;
	*first_op = NULL;
	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - line) : len - pos, s, tn;
		size_t next = pos + n + 1;

		if (n > 0 && line[n - 1] == '\r') /* Rust's str::lines() */
			n--;
		tn = hook_trim(line, n, hook_rust_space, &s);
		for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
			size_t ml = strlen(heads[i].marker);
			const char *op = heads[i].op;
			char *r;

			if (!starts(line + s, tn, heads[i].marker) || tn == ml)
				continue;
			/* Update File followed at once by Move to: a rename, the
			 * source is removed and the target written */
			if (i == 2 && next < len) {
				const char *l2 = text + next, *nl2 = memchr(l2, '\n', len - next);
				size_t n2 = nl2 != NULL ? (size_t)(nl2 - l2) : len - next;

				if (n2 > 0 && l2[n2 - 1] == '\r')
					n2--;
				if (starts(l2, n2, move))
					op = "delete";
			}
			r = patch_file(in, base, base_known, line + s + ml, tn - ml, op);
			if (r != NULL && *first == NULL) {
				*first = r;
				*first_op = op;
			} else {
				free(r);
			}
			count++;
		}
		/* Codex reads "*** Move to: " untrimmed; anywhere but right after
		 * an Update header it fails the patch, listed all the same */
		if (starts(line, n, move)) {
			char *r = patch_file(in, base, base_known, line + strlen(move), n - strlen(move), "write");

			if (r != NULL && *first == NULL) {
				*first = r;
				*first_op = "write";
			} else {
				free(r);
			}
			count++;
		}
		pos = next;
	}
	return count;
}

char *
hook_dir_base(const struct hook_input *in, json_t *req, const char *dir, unsigned flags)
{
	char *base = NULL;

	if (dir != NULL && dir[0] != '\0') {
		base = hook_file(in, flags, in->cwd, dir, "read");
	} else if (in->cwd != NULL && in->cwd[0] != '\0' && (base = strdup(in->cwd)) != NULL) {
		hook_add_resolved(in, base, "read", false);
	}
	if (base != NULL)
		json_object_set_new(req, "path", json_string(base));
	return base;
}
