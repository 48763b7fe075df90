/* pattern.c -- parse, print and match rule patterns. */
#include "broker/rules/pattern.h"
#include "broker/rules/globcover.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum tok_type { TK_LIT, TK_GLOB, TK_PATH, TK_ANY };

/* One word of an exec body, or the path glob of a file kind.  s is the
 * literal text (TK_LIT) or a glob in which \ escapes the next character
 * (TK_GLOB, TK_PATH: the part after the anchor, no leading slash). */
struct tok {
	enum tok_type t;
	int anchor;       /* TK_PATH */
	int up;           /* TK_PATH: leading ../ components */
	char *s;
};

struct pattern {
	enum subj_kind kind;
	struct tok *toks;
	size_t ntoks;
	char *host;       /* net: lower-case glob */
	int port;         /* net: -1 = any */
	char *server, *tool; /* mcp, other (tool) */
	char *input;      /* other: a glob over the tool's input as canonical JSON, or NULL (the empty input) */
	char *text;       /* canonical */
	char *key1, *key2;
	bool wide;
};

/* ---- globs ---- */

/* Match glob g against s[0..n); * crosses anything, ? is one byte. */
static bool
glob_n(const char *g, const char *s, size_t n)
{
	const char *star_g = NULL;
	size_t i = 0, star_i = 0;

	while (i < n) {
		if (*g == '*') {
			star_g = ++g;
			star_i = i;
			continue;
		}
		if (*g == '?') {
			g++;
			i++;
			continue;
		}
		if (*g == '\\' && g[1] != '\0') {
			if (g[1] == s[i]) {
				g += 2;
				i++;
				continue;
			}
		} else if (*g != '\0' && *g == s[i]) {
			g++;
			i++;
			continue;
		}
		if (star_g == NULL)
			return false;
		g = star_g;
		i = ++star_i;
	}
	while (*g == '*')
		g++;
	return *g == '\0';
}

bool
pattern_glob(const char *glob, const char *s)
{
	return glob_n(glob, s, strlen(s));
}

static bool
has_wild(const char *g)
{
	for (; *g; g++) {
		if (*g == '\\' && g[1] != '\0')
			g++;
		else if (*g == '*' || *g == '?')
			return true;
	}
	return false;
}

/* Remove \ escapes (for literal words). */
static void
unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1] != '\0')
			s++;
		*o++ = *s;
	}
	*o = '\0';
}

/* ---- tokenizer ---- */

struct rawword {
	char *glob;         /* \ escapes *, ? and \ that were quoted or escaped */
	bool lone_star;     /* an unquoted * on its own */
	bool lead_unquoted; /* the first character was not quoted or escaped */
};

struct buf {
	char *p;
	size_t n, cap;
};

static int
buf_put(struct buf *b, char c)
{
	if (b->n + 2 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		char *np = realloc(b->p, cap);

		if (np == NULL)
			return -1;
		b->p = np;
		b->cap = cap;
	}
	b->p[b->n++] = c;
	b->p[b->n] = '\0';
	return 0;
}

/* A quoted or escaped character: keep it literal in the glob. */
static int
buf_lit(struct buf *b, char c)
{
	if ((c == '*' || c == '?' || c == '\\') && buf_put(b, '\\') < 0)
		return -1;
	return buf_put(b, c);
}

static void
free_words(struct rawword *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(w[i].glob);
	free(w);
}

/* Split s[0..n) into shell-quoted words.  Returns the count, or -1 with err. */
static int
tokenize(const char *s, size_t n, struct rawword **out, char *err, size_t errlen)
{
	struct rawword *w = calloc(PATTERN_MAX_WORDS, sizeof *w);
	size_t nw = 0, i = 0;

	if (w == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (;;) {
		struct buf b = { 0 };
		bool any_char = false, first = true, lead_unq = false, only_star = true;

		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
			i++;
		if (i >= n)
			break;
		if (nw == PATTERN_MAX_WORDS) {
			snprintf(err, errlen, "more than %d words", PATTERN_MAX_WORDS);
			goto fail;
		}
		while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') {
			char c = s[i];

			if (c == '\'' || c == '"') {
				size_t j = i + 1;

				while (j < n && s[j] != c) {
					if (c == '"' && s[j] == '\\' && j + 1 < n &&
					    strchr("\"\\$`", s[j + 1]) != NULL)
						j++;
					if (buf_lit(&b, s[j]) < 0)
						goto oom;
					j++;
				}
				if (j >= n) {
					snprintf(err, errlen, "unterminated %s quote", c == '\'' ? "single" : "double");
					free(b.p);
					goto fail;
				}
				only_star = false;
				any_char = true;
				first = false;
				i = j + 1;
				continue;
			}
			if (c == '\\') {
				if (i + 1 >= n) {
					snprintf(err, errlen, "a trailing backslash");
					free(b.p);
					goto fail;
				}
				if (buf_lit(&b, s[i + 1]) < 0)
					goto oom;
				only_star = false;
				i += 2;
			} else {
				if (first)
					lead_unq = true;
				if (c != '*')
					only_star = false;
				if (buf_put(&b, c) < 0)
					goto oom;
				i++;
			}
			any_char = true;
			first = false;
		}
		if (b.p == NULL && (b.p = calloc(1, 1)) == NULL)
			goto oom;
		w[nw].glob = b.p;
		w[nw].lone_star = any_char && only_star && strcmp(b.p, "*") == 0;
		w[nw].lead_unquoted = lead_unq;
		nw++;
		continue;
oom:
		free(b.p);
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	*out = w;
	return (int)nw;
fail:
	free_words(w, nw);
	return -1;
}

/* ---- path tokens ---- */

static bool
looks_like_path(const struct rawword *w)
{
	const char *g = w->glob;

	if (!w->lead_unquoted)
		return false;
	return g[0] == '/' || strncmp(g, "./", 2) == 0 || strncmp(g, "../", 3) == 0 ||
	    strncmp(g, "~/", 2) == 0 || strcmp(g, "~") == 0 || strcmp(g, ".") == 0 ||
	    strcmp(g, "..") == 0;
}

/* Turn a glob into a path token: anchor, leading ../ count, folded rest. */
static int
make_path_tok(struct tok *t, const char *g, char *err, size_t errlen)
{
	const char *p = g;
	char *rest, *o;
	size_t ncomp = 0;

	t->t = TK_PATH;
	if (p[0] == '~' && (p[1] == '/' || p[1] == '\0')) {
		t->anchor = PATH_ANCHOR_HOME;
		p++;
	} else if (p[0] == '/') {
		t->anchor = PATH_ANCHOR_ABS;
	} else {
		t->anchor = PATH_ANCHOR_WS;
	}
	if ((rest = o = malloc(strlen(p) + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (*p != '\0') {
		size_t len;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len == 0)
			break;
		if (len == 1 && p[0] == '.') {
			/* nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (ncomp == 0) {
				if (t->anchor != PATH_ANCHOR_ABS)
					t->up++;
			} else {
				char *last = o;

				while (last > rest && last[-1] != '/')
					last--;
				if (has_wild(last) || strcmp(last, "**") == 0) {
					free(rest);
					snprintf(err, errlen, "'..' after a wildcard in a path");
					return -1;
				}
				o = last > rest ? last - 1 : rest;
				*o = '\0';
				ncomp--;
			}
		} else {
			if (ncomp > 0)
				*o++ = '/';
			memcpy(o, p, len);
			o += len;
			*o = '\0';
			ncomp++;
		}
		p += len;
	}
	*o = '\0';
	t->s = rest;
	return 0;
}

/* ---- matching ---- */

/* Next component of path at *pp: sets *c and *n, advances; false at end. */
static bool
next_comp(const char **pp, const char **c, size_t *n)
{
	const char *p = *pp;

	while (*p == '/')
		p++;
	if (*p == '\0')
		return false;
	*c = p;
	*n = strcspn(p, "/");
	*pp = p + *n;
	return true;
}

static bool
comp_is_dstar(const char *g, size_t n)
{
	return n == 2 && g[0] == '*' && g[1] == '*';
}

/* Match one pattern component g[0..gn) against s[0..sn). */
static bool
comp_match(const char *g, size_t gn, const char *s, size_t sn)
{
	char tmp[256], *heap = NULL, *use = tmp;
	bool ok;

	if (gn >= sizeof tmp) {
		if ((heap = malloc(gn + 1)) == NULL)
			return false;
		use = heap;
	}
	memcpy(use, g, gn);
	use[gn] = '\0';
	ok = glob_n(use, s, sn);
	free(heap);
	return ok;
}

/* Component-wise glob: ** spans zero or more components. */
static bool
path_glob(const char *pat, const char *path)
{
	const char *pp = pat, *sp = path, *star_pp = NULL, *star_sp = NULL;
	const char *pc, *sc;
	size_t pn, sn;

	for (;;) {
		const char *sp_next = sp, *pp_next = pp;

		if (!next_comp(&sp_next, &sc, &sn))
			break;
		if (next_comp(&pp_next, &pc, &pn)) {
			if (comp_is_dstar(pc, pn)) {
				star_pp = pp = pp_next;
				star_sp = sp;
				continue;
			}
			if (comp_match(pc, pn, sc, sn)) {
				pp = pp_next;
				sp = sp_next;
				continue;
			}
		}
		if (star_pp == NULL)
			return false;
		next_comp(&star_sp, &sc, &sn); /* the ** takes one more component */
		pp = star_pp;
		sp = star_sp;
	}
	while (next_comp(&pp, &pc, &pn))
		if (!comp_is_dstar(pc, pn))
			return false;
	return true;
}

/* The directory a path token is anchored at, for this subject; NULL if the
 * subject has none.  Writes into buf when it must lift the anchor. */
static const char *
anchor_dir(const struct tok *t, const struct subject *s, char *buf, size_t cap)
{
	const char *base = t->anchor == PATH_ANCHOR_ABS ? "/" :
	    t->anchor == PATH_ANCHOR_HOME ? s->home : s->workspace;
	size_t n;

	if (base == NULL)
		return NULL;
	if (t->up == 0)
		return base;
	n = strlen(base);
	if (n >= cap)
		return NULL;
	memcpy(buf, base, n + 1);
	for (int i = 0; i < t->up; i++) {
		char *slash = strrchr(buf, '/');

		if (slash == NULL)
			return NULL;
		if (slash == buf)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	return buf;
}

/* Does resolved absolute path match path token t for subject s? */
static bool
path_tok_match(const struct tok *t, const struct subject *s, const char *path)
{
	char lifted[4096];
	const char *dir = anchor_dir(t, s, lifted, sizeof lifted);
	size_t dn;

	if (dir == NULL || path == NULL || !subject_path_within(path, dir))
		return false;
	dn = strcmp(dir, "/") == 0 ? 0 : strlen(dir);
	return path_glob(t->s, path + dn);
}

/* Does path token t cover every path of the part's glob (absolute)?  See
 * broker/rules/globcover.h: conservative, "not covered" when unsure. */
static bool
path_tok_covers(const struct tok *t, const struct subject *s, const char *glob)
{
	char lifted[4096];
	const char *dir = anchor_dir(t, s, lifted, sizeof lifted);
	size_t dn;

	if (dir == NULL || glob == NULL || !subject_path_within(glob, dir))
		return false;
	dn = strcmp(dir, "/") == 0 ? 0 : strlen(dir);
	return glob_covers(t->s, glob + dn);
}

/* A file part: its path, or every path its glob could match. */
static bool
file_match(const struct tok *t, const struct subject *s, const struct subj_part *part)
{
	return part->glob ? path_tok_covers(t, s, part->path) : path_tok_match(t, s, part->path);
}

static bool
word_match(const struct tok *t, const struct subject *s, const struct subj_part *part, size_t i)
{
	const struct subj_word *w = &part->words[i];

	switch (t->t) {
	case TK_LIT:
		if (w->dynamic)
			return false;
		return strcmp(t->s, i == 0 ? part->program : w->text) == 0;
	case TK_GLOB:
		return !w->dynamic && pattern_glob(t->s, i == 0 ? part->program : w->text);
	case TK_PATH: {
		char *r;
		bool ok;

		if (w->dynamic || w->text[0] == '-' || w->text[0] == '\0')
			return false;
		if (w->path != NULL)
			return path_tok_match(t, s, w->path);
		r = subject_resolve(s, w->text, strlen(w->text));
		ok = r != NULL && path_tok_match(t, s, r);
		free(r);
		return ok;
	}
	case TK_ANY:
		return true;
	}
	return false;
}

/* Word sequence match; TK_ANY spans any run of words. */
static bool
exec_match(const pattern *p, const struct subject *s, const struct subj_part *part)
{
	size_t i = 0, j = 0, star_i = SIZE_MAX, star_j = 0;

	if (part->nwords == 0 || part->program == NULL)
		return false;
	if (part->more_args && (p->ntoks == 0 || p->toks[p->ntoks - 1].t != TK_ANY))
		return false;
	while (j < part->nwords) {
		if (i < p->ntoks && p->toks[i].t == TK_ANY) {
			star_i = i++;
			star_j = j;
			continue;
		}
		if (i < p->ntoks && word_match(&p->toks[i], s, part, j)) {
			i++;
			j++;
			continue;
		}
		if (star_i == SIZE_MAX)
			return false;
		i = star_i + 1;
		j = ++star_j;
	}
	while (i < p->ntoks && p->toks[i].t == TK_ANY)
		i++;
	return i == p->ntoks;
}

/* Label-wise glob: same number of labels, each matched with * and ?. */
static bool
labels_match(const char *pat, const char *host)
{
	while (*pat != '\0' || *host != '\0') {
		size_t pl = strcspn(pat, "."), hl = strcspn(host, ".");

		if (!comp_match(pat, pl, host, hl))
			return false;
		pat += pl;
		host += hl;
		if ((*pat == '.') != (*host == '.'))
			return false;
		if (*pat == '.') {
			pat++;
			host++;
		}
	}
	return true;
}

/* Host glob: a leading "*." stands for one or more labels; any other * stays
 * inside its label. */
static bool
host_match(const char *pat, const char *host)
{
	if (strcmp(pat, "*") == 0)
		return true;
	if (strncmp(pat, "*.", 2) != 0)
		return labels_match(pat, host);
	for (const char *d = strchr(host, '.'); d != NULL; d = strchr(d + 1, '.'))
		if (d > host && labels_match(pat + 2, d + 1))
			return true;
	return false;
}

bool
pattern_match_part(const pattern *p, const struct subject *s, const struct subj_part *part)
{
	switch (p->kind) {
	case SK_EXEC:
		return part->kind == SK_EXEC && exec_match(p, s, part);
	case SK_WRITE:
		if (part->kind != SK_WRITE && part->kind != SK_EDIT)
			return false;
		return file_match(&p->toks[0], s, part);
	case SK_EDIT: case SK_READ: case SK_DELETE:
		return part->kind == p->kind && file_match(&p->toks[0], s, part);
	case SK_NET:
		return part->kind == SK_NET && part->host != NULL && host_match(p->host, part->host) &&
		    (p->port < 0 || p->port == part->port);
	case SK_MCP:
		return part->kind == SK_MCP && part->server != NULL && part->tool != NULL &&
		    pattern_glob(p->server, part->server) && pattern_glob(p->tool, part->tool);
	case SK_OTHER:
		/* the tool and its whole input: `other TOOL` alone is the tool
		 * with an empty input, `other TOOL GLOB` an input GLOB matches */
		return part->kind == SK_OTHER && part->tool != NULL && pattern_glob(p->tool, part->tool) &&
		    part->content != NULL &&
		    (p->input != NULL ? pattern_glob(p->input, part->content) : strcmp(part->content, "{}") == 0);
	default:
		return false;
	}
}

/* ---- printing ---- */

char *
pattern_quote_word(const char *w, size_t n)
{
	bool plain = n > 0 && w[0] != '~';
	char *out, *o;

	for (size_t i = 0; i < n && plain; i++)
		plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,:=+@%^/", w[i]) != NULL &&
		    w[i] != '\0';
	if (plain && (w[0] == '/' || (n >= 2 && w[0] == '.' && w[1] == '/') ||
	    (n >= 3 && memcmp(w, "../", 3) == 0) || (n == 1 && w[0] == '.') ||
	    (n == 2 && memcmp(w, "..", 2) == 0)))
		plain = false;
	if ((out = o = malloc(n * 4 + 3)) == NULL)
		return NULL;
	if (plain) {
		memcpy(out, w, n);
		out[n] = '\0';
		return out;
	}
	*o++ = '\'';
	for (size_t i = 0; i < n; i++) {
		if (w[i] == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = w[i];
		}
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

/* Print a glob so that the tokenizer reads it back unchanged. */
static int
print_glob(struct buf *b, const char *g)
{
	for (; *g; g++) {
		if (*g == '\\' && g[1] != '\0') {
			if (buf_put(b, '\\') < 0 || buf_put(b, *++g) < 0)
				return -1;
		} else if (strchr(" \t\r\n'\"", *g) != NULL) {
			if (buf_put(b, '\\') < 0 || buf_put(b, *g) < 0)
				return -1;
		} else if (buf_put(b, *g) < 0) {
			return -1;
		}
	}
	return 0;
}

static int
buf_str(struct buf *b, const char *s)
{
	for (; *s; s++)
		if (buf_put(b, *s) < 0)
			return -1;
	return 0;
}

static int
print_tok(struct buf *b, const struct tok *t)
{
	char *q;
	int rc;

	switch (t->t) {
	case TK_ANY:
		return buf_put(b, '*');
	case TK_LIT:
		if ((q = pattern_quote_word(t->s, strlen(t->s))) == NULL)
			return -1;
		rc = buf_str(b, q);
		free(q);
		return rc;
	case TK_GLOB:
		/* an escaped first character keeps it from reading as a path */
		if ((t->s[0] == '~' || t->s[0] == '/' || t->s[0] == '.') && buf_put(b, '\\') < 0)
			return -1;
		return print_glob(b, t->s);
	case TK_PATH:
		if (t->anchor == PATH_ANCHOR_HOME)
			rc = buf_str(b, t->s[0] != '\0' || t->up ? "~/" : "~");
		else if (t->anchor == PATH_ANCHOR_ABS)
			rc = buf_put(b, '/');
		else
			rc = t->up ? 0 : buf_str(b, t->s[0] != '\0' ? "./" : ".");
		for (int i = 0; rc == 0 && i < t->up; i++)
			rc = buf_str(b, i + 1 < t->up || t->s[0] != '\0' ? "../" : "..");
		return rc < 0 ? -1 : print_glob(b, t->s);
	}
	return -1;
}

static char *
canonical(const pattern *p)
{
	struct buf b = { 0 };
	int rc = buf_str(&b, subject_kind_name(p->kind));

	if (p->kind == SK_EXEC || (p->kind >= SK_WRITE && p->kind <= SK_DELETE)) {
		for (size_t i = 0; rc == 0 && i < p->ntoks; i++)
			rc = buf_put(&b, ' ') < 0 ? -1 : print_tok(&b, &p->toks[i]);
	} else if (p->kind == SK_NET) {
		bool v6 = strchr(p->host, ':') != NULL;

		rc = rc < 0 || buf_put(&b, ' ') < 0 || (v6 && buf_put(&b, '[') < 0) ||
		    print_glob(&b, p->host) < 0 || (v6 && buf_put(&b, ']') < 0) ? -1 : 0;
		if (rc == 0 && p->port >= 0) {
			char port[16];

			snprintf(port, sizeof port, ":%d", p->port);
			rc = buf_str(&b, port);
		}
	} else if (p->kind == SK_MCP) {
		rc = rc < 0 || buf_put(&b, ' ') < 0 || print_glob(&b, p->server) < 0 ||
		    buf_put(&b, '.') < 0 || print_glob(&b, p->tool) < 0 ? -1 : 0;
	} else {
		rc = rc < 0 || buf_put(&b, ' ') < 0 || print_glob(&b, p->tool) < 0 ? -1 : 0;
		if (rc == 0 && p->input != NULL)
			rc = buf_put(&b, ' ') < 0 || print_glob(&b, p->input) < 0 ? -1 : 0;
	}
	if (rc < 0) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* ---- parsing ---- */

void
pattern_free(pattern *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->ntoks; i++)
		free(p->toks[i].s);
	free(p->toks);
	free(p->host);
	free(p->server);
	free(p->tool);
	free(p->input);
	free(p->text);
	free(p->key1);
	free(p->key2);
	free(p);
}

static int
parse_exec(pattern *p, struct rawword *w, int nw, char *err, size_t errlen)
{
	if (nw == 0) {
		snprintf(err, errlen, "exec needs a command (use `exec *` for any)");
		return -1;
	}
	if ((p->toks = calloc((size_t)nw, sizeof *p->toks)) == NULL)
		goto oom;
	for (int i = 0; i < nw; i++) {
		struct tok *t = &p->toks[i];

		p->ntoks++;
		if (w[i].lone_star) {
			t->t = TK_ANY;
			p->wide = true;
			continue;
		}
		if (looks_like_path(&w[i])) {
			if (make_path_tok(t, w[i].glob, err, errlen) < 0)
				return -1;
			p->wide |= has_wild(t->s);
			continue;
		}
		if ((t->s = strdup(w[i].glob)) == NULL)
			goto oom;
		if (has_wild(t->s)) {
			t->t = TK_GLOB;
			p->wide = true;
		} else {
			t->t = TK_LIT;
			unescape(t->s);
		}
	}
	if (p->toks[0].t == TK_LIT && (p->key1 = strdup(p->toks[0].s)) == NULL)
		goto oom;
	if (p->key1 != NULL && p->ntoks > 1 && p->toks[1].t == TK_LIT &&
	    (p->key2 = strdup(p->toks[1].s)) == NULL)
		goto oom;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static int
parse_file(pattern *p, struct rawword *w, int nw, char *err, size_t errlen)
{
	struct tok *t;
	const char *first;
	size_t flen;

	if (nw != 1) {
		snprintf(err, errlen, "%s takes one path glob (quote it if it has spaces)",
		    subject_kind_name(p->kind));
		return -1;
	}
	if ((p->toks = t = calloc(1, sizeof *t)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->ntoks = 1;
	if (make_path_tok(t, w[0].glob, err, errlen) < 0)
		return -1;
	p->wide = has_wild(t->s);
	first = t->s;
	flen = strcspn(first, "/");
	if (t->up == 0 && flen > 0) {
		if ((p->key1 = strndup(first, flen)) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (has_wild(p->key1)) {
			free(p->key1);
			p->key1 = NULL;
		} else {
			unescape(p->key1);
		}
	}
	return 0;
}

/* Lower-case a glob in place (hosts compare case-insensitively). */
static void
lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* The last two labels of a host (or glob), if literal; malloc'd or NULL. */
static char *
host_key(const char *h)
{
	const char *end = h + strlen(h), *p = end;
	int dots = 0;

	while (p > h) {
		if (p[-1] == '.' && ++dots == 2)
			break;
		p--;
	}
	if (has_wild(p) || strchr(p, '\\') != NULL || *p == '\0')
		return NULL;
	return strdup(p);
}

static int
parse_net(pattern *p, struct rawword *w, int nw, char *err, size_t errlen)
{
	char *g, *colon;
	bool bracketed;

	if (nw != 1) {
		snprintf(err, errlen, "net takes one HOST[:PORT]");
		return -1;
	}
	g = w[0].glob;
	p->port = -1;
	colon = strrchr(g, ':');
	bracketed = g[0] == '[';
	if (bracketed) {
		char *rb = strchr(g, ']');

		if (rb == NULL) {
			snprintf(err, errlen, "unterminated [ in host");
			return -1;
		}
		colon = rb[1] == ':' ? rb + 1 : NULL;
		if (rb[1] != '\0' && rb[1] != ':') {
			snprintf(err, errlen, "junk after ]");
			return -1;
		}
		*rb = '\0';
		memmove(g, g + 1, strlen(g)); /* bytes after ] stay where they were */
	}
	if (colon != NULL) {
		char *end;
		long v;

		*colon = '\0';
		if (strcmp(colon + 1, "*") != 0) {
			v = strtol(colon + 1, &end, 10);
			if (colon[1] == '\0' || *end != '\0' || v < 1 || v > 65535) {
				snprintf(err, errlen, "port must be 1-65535 or *");
				return -1;
			}
			p->port = (int)v;
		}
	}
	if (g[0] == '\0' || strchr(g, '/') != NULL) {
		snprintf(err, errlen, "net takes a host name, not a URL");
		return -1;
	}
	lower(g);
	if (strspn(g, bracketed ? "0123456789abcdef:." : "abcdefghijklmnopqrstuvwxyz0123456789-._*?") !=
	    strlen(g)) {
		snprintf(err, errlen, "bad character in the host");
		return -1;
	}
	if ((p->host = strdup(g)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->wide = has_wild(p->host) || p->port < 0;
	p->key1 = host_key(p->host);
	return 0;
}

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_*?"

static int
parse_mcp(pattern *p, struct rawword *w, int nw, char *err, size_t errlen)
{
	const char *dot;

	if (nw == 2) {
		p->server = strdup(w[0].glob);
		p->tool = strdup(w[1].glob);
	} else if (nw == 1 && (dot = strchr(w[0].glob, '.')) != NULL) {
		p->server = strndup(w[0].glob, (size_t)(dot - w[0].glob));
		p->tool = strdup(dot + 1);
	} else {
		snprintf(err, errlen, "mcp takes SERVER.TOOL");
		return -1;
	}
	if (p->server == NULL || p->tool == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (p->server[0] == '\0' || p->tool[0] == '\0') {
		snprintf(err, errlen, "mcp takes SERVER.TOOL (both non-empty)");
		return -1;
	}
	if (strspn(p->server, NAME_CHARS) != strlen(p->server) ||
	    strspn(p->tool, NAME_CHARS ".") != strlen(p->tool)) {
		snprintf(err, errlen, "MCP names are letters, digits, - and _ (and * ? globs)");
		return -1;
	}
	p->wide = has_wild(p->server) || has_wild(p->tool);
	if (!has_wild(p->server)) {
		if ((p->key1 = strdup(p->server)) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		unescape(p->key1);
	}
	return 0;
}

static int
parse_other(pattern *p, struct rawword *w, int nw, char *err, size_t errlen)
{
	if (nw != 1 && nw != 2) {
		snprintf(err, errlen, "other takes a tool name and, optionally, a glob of its input (one word)");
		return -1;
	}
	if (nw == 2 && (p->input = strdup(w[1].glob)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((p->tool = strdup(w[0].glob)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (p->tool[0] == '\0' || strspn(p->tool, NAME_CHARS ".:@/+") != strlen(p->tool)) {
		snprintf(err, errlen, "a tool name is letters, digits and -_.:@/+ (and * ? globs)");
		return -1;
	}
	p->wide = has_wild(p->tool);
	if (!p->wide) {
		if ((p->key1 = strdup(p->tool)) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		unescape(p->key1);
	}
	return 0;
}

pattern *
pattern_parse(const char *text, size_t len, char *err, size_t errlen)
{
	pattern *p;
	struct rawword *w = NULL;
	size_t i = 0, k;
	int kind, nw, rc;

	if (len > PATTERN_MAX_LEN) {
		snprintf(err, errlen, "pattern longer than %d bytes", PATTERN_MAX_LEN);
		return NULL;
	}
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen, "pattern contains a NUL byte");
		return NULL;
	}
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	for (k = i; k < len && text[k] != ' ' && text[k] != '\t'; k++)
		;
	kind = subject_kind_parse(text + i, k - i);
	if (kind < 0) {
		snprintf(err, errlen, "a pattern starts with exec, write, edit, read, delete, net, mcp or other");
		return NULL;
	}
	if ((p = calloc(1, sizeof *p)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->kind = (enum subj_kind)kind;
	p->port = -1;
	if ((nw = tokenize(text + k, len - k, &w, err, errlen)) < 0) {
		pattern_free(p);
		return NULL;
	}
	if (nw == 0 && p->kind != SK_EXEC) {
		snprintf(err, errlen, "%s needs a target", subject_kind_name(p->kind));
		rc = -1;
	} else if (p->kind == SK_EXEC) {
		rc = parse_exec(p, w, nw, err, errlen);
	} else if (p->kind == SK_NET) {
		rc = parse_net(p, w, nw, err, errlen);
	} else if (p->kind == SK_MCP) {
		rc = parse_mcp(p, w, nw, err, errlen);
	} else if (p->kind == SK_OTHER) {
		rc = parse_other(p, w, nw, err, errlen);
	} else {
		rc = parse_file(p, w, nw, err, errlen);
	}
	free_words(w, (size_t)(nw > 0 ? nw : 0));
	if (rc == 0 && (p->text = canonical(p)) == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	}
	if (rc < 0) {
		pattern_free(p);
		return NULL;
	}
	return p;
}

const char *pattern_text(const pattern *p) { return p->text; }
enum subj_kind pattern_kind(const pattern *p) { return p->kind; }
bool pattern_is_wide(const pattern *p) { return p->wide; }
const char *pattern_key1(const pattern *p) { return p->key1; }
const char *pattern_key2(const pattern *p) { return p->key2; }

int
pattern_anchor(const pattern *p)
{
	return p->ntoks > 0 && p->toks[0].t == TK_PATH ? p->toks[0].anchor : -1;
}

size_t pattern_nwords(const pattern *p) { return p->ntoks; }
const char *pattern_host(const pattern *p) { return p->host; }
int pattern_port(const pattern *p) { return p->port; }
const char *pattern_server(const pattern *p) { return p->server; }
const char *pattern_tool(const pattern *p) { return p->tool; }
const char *pattern_input(const pattern *p) { return p->input; }

enum pattern_word_type
pattern_word(const pattern *p, size_t i, const char **text, int *anchor, int *up)
{
	static const enum pattern_word_type map[] = {
		[TK_LIT] = PW_LITERAL, [TK_GLOB] = PW_GLOB, [TK_PATH] = PW_PATH, [TK_ANY] = PW_ANY,
	};
	const struct tok *t = &p->toks[i];

	*text = t->s != NULL ? t->s : "*";
	*anchor = t->anchor;
	*up = t->up;
	return map[t->t];
}
