/* paths.c -- paths: classifying them (tables, links, globs), normalising them against
 * the cwd, and adding a resolved word as a target.
 * Part of the intent walker: see walk.h and intent.h. */
#include "broker/intent/projdel.h"
#include "broker/intent/walk.h"
#include "broker/intent/fsresolve.h"
#include "broker/intent/globclass.h"
#include "broker/intent/codepaths.h"
#include "broker/intent/selfref.h"
#include "broker/intent/reqfiles.h"
#include "broker/intent/outopts.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool
under(const char *path, size_t len, const char *dir, size_t dlen)
{
	if (dir == NULL || dlen == 0)
		return false;
	if (dlen == 1 && dir[0] == '/')
		return true;
	return len >= dlen && memcmp(path, dir, dlen) == 0 && (len == dlen || path[dlen] == '/');
}

static enum pclass classify_uncached(struct intent_ctx *x, const char *p, size_t len);

enum pclass
intent_classify(struct intent_ctx *x, const char *p, size_t len)
{
	uint32_t h = 2166136261u;
	size_t slot;
	enum pclass c;
	char *copy;

	p = wk_fs_as_named(x, p, &len);
	for (size_t k = 0; k < len; k++)
		h = (h ^ (unsigned char)p[k]) * 16777619u;
	slot = h % 256;
	if (x->pcache[slot].path != NULL && x->pcache[slot].len == len && memcmp(x->pcache[slot].path, p, len) == 0)
		return x->pcache[slot].cls;
	c = classify_uncached(x, p, len);
	if (len <= 1024 && (copy = arena_strndup(x->a, p, len)) != NULL) {
		x->pcache[slot].path = copy;
		x->pcache[slot].len = len;
		x->pcache[slot].cls = c;
	}
	return c;
}

static enum pclass
classify_uncached(struct intent_ctx *x, const char *p, size_t len)
{
	const char *ws = x->in->workspace, *home = x->env.home;
	enum pclass c;

	if (len == 0)
		return PC_UNKNOWN;
	if (p[0] != '/')
		return PC_UNKNOWN; /* relative without a cwd: nobody knows where */
	if (x->env.config_dir != NULL && under(p, len, x->env.config_dir, strlen(x->env.config_dir)))
		return PC_SANDGATE;
	if (x->env.runtime_dir != NULL && under(p, len, x->env.runtime_dir, strlen(x->env.runtime_dir)))
		return PC_SANDGATE;
	if (x->env.db_path != NULL) {
		size_t dl = strlen(x->env.db_path);

		if (len >= dl && memcmp(p, x->env.db_path, dl) == 0 &&
		    (len == dl || strcmp(p + dl, "-wal") == 0 || strcmp(p + dl, "-shm") == 0 ||
		        strcmp(p + dl, "-journal") == 0))
			return PC_SANDGATE;
	}
	c = tables_path_class(x->t, p, len, 1);
	if (c != PC_COUNT && c != PC_NONE)
		return c;
	if (len == 1)
		return PC_ROOT;
	if (home != NULL && x->homelen > 1 && len == x->homelen && memcmp(p, home, len) == 0)
		return PC_HOME_ROOT;
	if (ws != NULL && x->wslen > 1) {
		if (len == x->wslen && memcmp(p, ws, len) == 0)
			return PC_WORKSPACE_ROOT;
		if (under(p, len, ws, x->wslen))
			return PC_WORKSPACE;
	}
	if (home != NULL && x->homelen > 1 && under(p, len, home, x->homelen))
		return p[x->homelen + 1] == '.' ? PC_HOME_DOTFILE : PC_HOME;
	c = tables_path_class(x->t, p, len, 2);
	if (c != PC_COUNT && c != PC_NONE)
		return c;
	if (memchr(p + 1, '/', len - 1) == NULL)
		return PC_SYSTEM; /* a direct child of / */
	return PC_OUTSIDE;
}

/* Weight of the EFFECT:CLASS rule (-1 if the tables have none). */
static int
target_weight(const struct tables *t, enum effect eff, enum pclass c)
{
	const struct rule *r = tables_target_rule(t, eff, c);

	return r != NULL ? r->weight : -1;
}

/* Could the glob reach a path under dir (or dir itself)? */
static bool
glob_reaches(const char *g, size_t len, const char *dir, unsigned flags)
{
	char pat[4200];
	size_t dl;

	if (dir == NULL || (dl = strlen(dir)) + 4 > sizeof pat)
		return false;
	memcpy(pat, dir, dl);
	memcpy(pat + dl, "/**", 4);
	return glob_could_match(g, len, pat, false, flags);
}

/* A glob target stands for every path it could match: its class is the
 * worst (by the rule weight for eff) among the classes of those paths --
 * the directory it starts in, sandgate's own files, every paths-table
 * entry it could meet, and the home directory's dot files. */
static enum pclass
classify_glob(struct intent_ctx *x, const char *g, size_t len, enum effect eff, unsigned flags)
{
	size_t dl = glob_literal_dir(g, len), n;
	enum pclass best = PC_UNKNOWN, c;
	int bw = -2;
	char *child;

#define CONSIDER(cls)                                                   \
	do {                                                                \
		enum pclass c_ = (cls);                                         \
		int w_ = target_weight(x->t, eff, c_);                          \
		if (w_ > bw) {                                                  \
			bw = w_;                                                    \
			best = c_;                                                  \
		}                                                               \
	} while (0)

	if (len == 0 || g[0] != '/')
		return PC_UNKNOWN;
	/* sandgate's own files first: naming them is what matters */
	if (glob_reaches(g, len, x->env.config_dir, flags) || glob_reaches(g, len, x->env.runtime_dir, flags))
		return PC_SANDGATE;
	if (x->env.db_path != NULL) {
		char pat[4200];
		size_t pl = strlen(x->env.db_path);

		if (pl + 2 < sizeof pat) {
			memcpy(pat, x->env.db_path, pl);
			memcpy(pat + pl, "*", 2);
			if (glob_could_match(g, len, pat, false, flags))
				return PC_SANDGATE;
		}
	}
	/* where it starts: what is directly under its literal directory */
	if (dl > 0 && (child = arena_alloc(x->tmp, dl + 3)) != NULL) {
		memcpy(child, g, dl);
		memcpy(child + (dl == 1 ? 0 : dl), "/_", 3);
		c = intent_classify(x, child, dl == 1 ? 2 : dl + 2);
		CONSIDER(c);
	}
	for (int pass = 1; pass <= 2; pass++) {
		const struct pathpat *const *v = tables_paths(x->t, pass, &n);

		for (size_t k = 0; k < n; k++) {
			if (v[k]->cls == PC_NONE || v[k]->cls == PC_SPECIAL)
				continue;
			if (target_weight(x->t, eff, v[k]->cls) <= bw)
				continue; /* cannot make it worse */
			/* a whole tree above where the glob starts (/var/STARSTAR for
			 * /var/tmp/STAR): the class of that place, found first-match
			 * above, already says what applies there */
			if (dl > 0 && v[k]->prefixlen > 0 && v[k]->prefixlen <= dl && !v[k]->base &&
			    strcmp(v[k]->pat + v[k]->prefixlen, "/**") == 0 && memcmp(g, v[k]->pat, v[k]->prefixlen) == 0 &&
			    (v[k]->prefixlen == dl || g[v[k]->prefixlen] == '/'))
				continue;
			/* a shell glob meets a base name only when it spells it (globclass.h) */
			if (glob_could_match(g, len, v[k]->pat, v[k]->base,
			        flags | (v[k]->fold ? GLOB_FOLD : 0) | ((flags & GLOB_DOTS) ? 0 : GLOB_NAMED)))
				CONSIDER(v[k]->cls);
		}
	}
	if (x->env.home != NULL && x->homelen > 1) {
		char pat[4200];

		if (x->homelen + 6 < sizeof pat) {
			memcpy(pat, x->env.home, x->homelen);
			memcpy(pat + x->homelen, "/.*/**", 7);
			if (glob_could_match(g, len, pat, false, flags))
				CONSIDER(PC_HOME_DOTFILE);
		}
		if (glob_reaches(g, len, x->env.home, flags) && !under(g, dl, x->in->workspace, x->wslen))
			CONSIDER(PC_HOME);
	}
	if (x->in->workspace != NULL && x->wslen > 1 && glob_reaches(g, len, x->in->workspace, flags))
		CONSIDER(PC_WORKSPACE);
#undef CONSIDER
	return best;
}

/* Normalise s (absolute, or relative to cwd) into an arena string. */
char *
wk_norm_path(struct intent_ctx *x, const char *cwd, const char *s, size_t n, size_t *outlen)
{
	size_t cl = cwd != NULL ? strlen(cwd) : 0, cap, o = 0;
	char *out, *tmp;
	size_t i = 0;

	char stackbuf[512];
	const char *drive;
	size_t dn;

	if (n > 8192)
		n = 8192;
	if ((drive = wk_drive_path(x, s, n, &dn)) != NULL) { /* C:/x is /c/x (pathglob.c) */
		s = drive;
		n = dn;
	}
	cap = cl + n + 2;
	if (n > 0 && s[0] == '/') {
		cl = 0;
		cap = n + 2;
	} else if (cwd == NULL) {
		/* No cwd: keep it relative (it classes as unknown). */
		*outlen = n;
		return wk_xdup(x, s, n);
	}
	tmp = cap <= sizeof stackbuf ? stackbuf : arena_alloc(x->tmp, cap);
	out = arena_alloc(x->a, cap);
	if (tmp == NULL || out == NULL) {
		wk_oomf(x);
		return NULL;
	}
	if (cl == 0) {
		memcpy(tmp, s, n);
		tmp[n] = '\0';
	} else {
		memcpy(tmp, cwd, cl);
		tmp[cl] = '/';
		memcpy(tmp + cl + 1, s, n);
		tmp[cl + 1 + n] = '\0';
	}
	out[o++] = '/';
	while (tmp[i] != '\0') {
		size_t j;

		while (tmp[i] == '/')
			i++;
		j = i;
		while (tmp[j] != '\0' && tmp[j] != '/')
			j++;
		if (j == i)
			break;
		if (j - i == 1 && tmp[i] == '.') {
			/* skip */
		} else if (j - i == 2 && tmp[i] == '.' && tmp[i + 1] == '.') {
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--;
		} else {
			if (o > 1)
				out[o++] = '/';
			memcpy(out + o, tmp + i, j - i);
			o += j - i;
		}
		i = j;
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

static enum pclass classify_glob(struct intent_ctx *x, const char *g, size_t len, enum effect eff, unsigned flags);

/* The class of a resolved word used as a path, and its normalised form. */
static enum pclass
classify_word(struct walk *w, const struct rword *r, enum effect eff, const char **path)
{
	struct intent_ctx *x = w->x;
	size_t len = 0, n = r->n;
	char *p;
	enum pclass c;

	if (r->unk_at == 0) {
		*path = wk_xdup(x, r->s, r->n);
		return PC_UNKNOWN;
	}
	/* Known up to an unknown part: classify the directory before it. */
	if (r->unk_at != SIZE_MAX) {
		const char *sl = memrchr(r->s, '/', r->unk_at);

		p = wk_norm_path(x, w->cwd, r->s, n, &len);
		*path = p;
		if (p == NULL)
			return PC_UNKNOWN;
		if (sl == NULL || sl == r->s) {
			return PC_UNKNOWN;
		}
		{
			/* what is under the known directory: classify a child of it */
			size_t dl = 0, pl = (size_t)(sl - r->s);
			char *tmp = arena_alloc(x->tmp, pl + 3), *d;

			if (tmp == NULL)
				return PC_UNKNOWN;
			memcpy(tmp, r->s, pl);
			memcpy(tmp + pl, "/_", 3);
			d = wk_norm_path(x, w->cwd, tmp, pl + 2, &dl);
			c = d != NULL ? intent_classify(x, d, dl) : PC_UNKNOWN;
			/* literal parts after the unknown one still name what it is (pathglob.c) */
			if ((d = wk_runtime_glob(x, r, &dl)) != NULL && (d = wk_norm_path(x, w->cwd, d, dl, &dl)) != NULL) {
				enum pclass gc = classify_glob(x, d, dl, eff, 0);

				if (target_weight(x->t, eff, gc) > target_weight(x->t, eff, c))
					c = gc;
			}
			return c;
		}
	}
	p = wk_norm_path(x, w->cwd, r->s, n, &len);
	*path = p;
	if (p == NULL)
		return PC_UNKNOWN;
	/* (find's DIR-and-everything-below stays classed by its directory) */
	if ((r->f & (RW_GLOB | RW_TOOLGLOB)) && glob_has_wild(p, len)) {
		c = classify_glob(x, p, len, eff, (r->f & RW_TOOLGLOB) ? GLOB_DOTS : 0);
		if (r->f & RW_GLOB) {
			/* A last segment of "*" stands for everything in the directory. */
			const char *sl = memrchr(p, '/', len);
			const char *last = sl != NULL ? sl + 1 : p;
			size_t ll = len - (size_t)(last - p);

			if ((ll == 1 && last[0] == '*') || (ll == 2 && memcmp(last, ".*", 2) == 0) ||
			    (ll == 3 && memcmp(last, "*.*", 3) == 0)) {
				size_t dl = sl != NULL && sl > p ? (size_t)(sl - p) : 1;
				enum pclass dc = intent_classify(x, p, dl);
				const struct rule *a = tables_target_rule(x->t, eff, dc), *b = tables_target_rule(x->t, eff, c);

				/* (what is in a scratch directory is scratch: /tmp/STAR is not /tmp) */
				if (a != NULL && (b == NULL || a->weight > b->weight) && c != PC_TMP && c != PC_SANDGATE)
					c = dc;
			}
		}
		return c;
	}
	return intent_classify(x, p, len);
}

static bool
is_downloaded(struct intent_ctx *x, const char *path)
{
	for (size_t k = 0; k < x->ndl; k++)
		if (strcmp(x->dl[k], path) == 0)
			return true;
	return false;
}

bool
wk_writes(enum effect e)
{
	return e == EFF_WRITE || e == EFF_OVERWRITE || e == EFF_DELETE || e == EFF_DELETE_RECURSIVE ||
	       e == EFF_CHMOD || e == EFF_CHOWN;
}

/* Record a path argument of command i. */
void
wk_add_target(struct walk *w, int i, const struct rword *r, enum effect eff)
{
	struct intent_ctx *x = w->x;
	struct intent_cmd *c = wk_cmd_at(x, i);
	const char *path = NULL;
	enum pclass cls;
	bool indirect;

	if (c == NULL || r->n == 0 || (r->n == 1 && r->s[0] == '-') || (r->f & RW_PROC))
		return;
	cls = classify_word(w, r, eff, &path);
	if (path == NULL)
		return;
	cls = wk_projdel(w, i, r, path, cls, eff); /* projdel.c: rm -rf .git, src, every entry of the root */
	/* cp x /tmp, tar -C /tmp: a file written to a directory lands inside it;
	 * LD_LIBRARY_PATH=/tmp: what runs from a directory is inside it */
	if ((eff == EFF_WRITE || eff == EFF_RUN) && r->unk_at == SIZE_MAX &&
	    !(r->f & (RW_GLOB | RW_TOOLGLOB | RW_SYNGLOB)) &&
	    (cls == PC_SYSTEM || cls == PC_HOME_ROOT || cls == PC_WORKSPACE_ROOT) &&
	    !x->env.no_resolve && outopt_is_dir(path)) {
		size_t pl = strlen(path);
		char *child = arena_alloc(x->tmp, pl + 3);

		if (child != NULL) {
			memcpy(child, path, pl);
			memcpy(child + (pl > 1 ? pl : 0), "/_", 3);
			cls = intent_classify(x, child, pl > 1 ? pl + 2 : 2);
		}
	}
	indirect = (r->f & (RW_VAR | RW_UNKNOWN)) != 0 && !(r->f & RW_TMP);
	wk_add_target_ex(x, i, path, cls, eff,
	    (indirect ? TF_INDIRECT : 0) | (r->unk_at != SIZE_MAX || path[0] != '/' ? TF_UNKNOWN : 0) |
	        ((r->f & (RW_GLOB | RW_SYNGLOB | RW_TOOLGLOB)) && glob_has_wild(path, strlen(path)) ? TF_GLOB : 0));
	wk_fs_target(w, i, r, path, eff, indirect);
	if (wk_writes(eff) && indirect && cls != PC_TMP && cls != PC_SPECIAL)
		intent_signal(x, i, "write-indirect", r->s, r->n);
	if ((eff == EFF_WRITE || eff == EFF_OVERWRITE) && (c->classes & PCL(DOWNLOAD)) && x->ndl < DL_MAX)
		x->dl[x->ndl++] = path;
	if (eff == EFF_RUN && is_downloaded(x, path)) {
		wk_add_target_raw(x, i, path, cls, EFF_DOWNLOAD_EXEC, false);
		wk_sig(x, i, "download-exec");
	}
	if (cls == PC_NETWORK) {
		/* /dev/tcp/HOST/PORT */
		const char *h = path + 9, *e = strchr(h, '/');

		if (strlen(path) > 9)
			wk_add_host_raw(x, i, h, e != NULL ? (size_t)(e - h) : strlen(h));
		wk_sig(x, i, "dev-tcp");
	}
}

static int
add_path_word(struct intent_ctx *x, int i, const char *path, size_t len, enum effect eff, unsigned rf)
{
	struct walk w = { .x = x, .cwd = x->in->cwd, .stdin_from = -1, .inter = -1 };
	struct rword r = { .s = path, .n = len, .f = rf, .unk_at = SIZE_MAX };

	if (len == 1 && path[0] == '-') {
		/* a file named "-" (no stdin/stdout here) */
		r.s = "./-";
		r.n = 3;
	}
	if (len > 0 && path[0] == '~' && (len == 1 || path[1] == '/') && x->env.home != NULL) {
		char *p = arena_alloc(x->a, x->homelen + len);

		if (p == NULL)
			return -1;
		memcpy(p, x->env.home, x->homelen);
		memcpy(p + x->homelen, path + 1, len - 1);
		r.s = p;
		r.n = x->homelen + len - 1;
	}
	wk_add_target(&w, i, &r, eff);
	return x->oom ? -1 : 0;
}

int
intent_add_path(struct intent_ctx *x, int i, const char *path, size_t len, enum effect eff)
{
	return add_path_word(x, i, path, len, eff, 0);
}

int
intent_add_glob(struct intent_ctx *x, int i, const char *glob, size_t len, enum effect eff)
{
	return add_path_word(x, i, glob, len, eff, RW_TOOLGLOB);
}
