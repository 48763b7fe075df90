/* packages.c -- package runners (npx, pnpm dlx, uvx, ...).  See packages.h
 * and tables/runners. */
#include "broker/intent/packages.h"
#include "broker/intent/walk.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

enum spec { SP_NONE, SP_LOCAL, SP_PINNED, SP_REGISTRY, SP_URL };

static bool
starts(const char *s, size_t n, const char *p)
{
	size_t l = strlen(p);

	return n >= l && strncasecmp(s, p, l) == 0;
}

static bool
ends(const char *s, size_t n, const char *p)
{
	size_t l = strlen(p);

	return n >= l && strncasecmp(s + n - l, p, l) == 0;
}

static bool
has(const char *s, size_t n, const char *p)
{
	return memmem(s, n, p, strlen(p)) != NULL;
}

static bool
local_path(const char *s, size_t n)
{
	return starts(s, n, "./") || starts(s, n, "../") || starts(s, n, "/") || starts(s, n, "~/") ||
	       starts(s, n, "file:") || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.');
}

static bool
remote_spec(const char *s, size_t n)
{
	return has(s, n, "://") || starts(s, n, "git+") || starts(s, n, "git:") || starts(s, n, "git@") ||
	       starts(s, n, "github:") || starts(s, n, "gitlab:") || starts(s, n, "bitbucket:") ||
	       starts(s, n, "gist:") || starts(s, n, "hg+") || starts(s, n, "svn+") || starts(s, n, "bzr+");
}

static bool
archive(const char *s, size_t n)
{
	return ends(s, n, ".tgz") || ends(s, n, ".tar.gz") || ends(s, n, ".tar") || ends(s, n, ".whl") ||
	       ends(s, n, ".zip") || ends(s, n, ".tar.bz2") || ends(s, n, ".tar.xz");
}

/* "1.2.3", "1.2.3-rc.1", "v1.2.3", "0.4.1+local": an exact version. */
static bool
exact_version(const char *s, size_t n)
{
	size_t k = 0, dots = 0;

	if (k < n && (s[k] == 'v' || s[k] == 'V'))
		k++;
	if (k >= n || !isdigit((unsigned char)s[k]))
		return false;
	for (; k < n && (isdigit((unsigned char)s[k]) || s[k] == '.'); k++)
		dots += s[k] == '.';
	if (dots < 2 && k < n)
		return false;
	for (; k < n; k++)
		if (!(isalnum((unsigned char)s[k]) || s[k] == '.' || s[k] == '-' || s[k] == '+'))
			return false;
	return dots >= 1;
}

/* npm: name, name@1.2.3, @scope/name@tag, u/r (GitHub), URL, tarball. */
static enum spec
spec_npm(const char *s, size_t n, size_t *namelen)
{
	const char *at;

	*namelen = n;
	if (n == 0)
		return SP_NONE;
	if (local_path(s, n))
		return SP_LOCAL;
	if (remote_spec(s, n) || archive(s, n))
		return SP_URL;
	if (s[0] != '@' && memchr(s, '/', n) != NULL)
		return SP_URL; /* user/repo: GitHub */
	at = n > 1 ? memchr(s + 1, '@', n - 1) : NULL;
	if (at == NULL)
		return SP_REGISTRY;
	*namelen = (size_t)(at - s);
	{
		const char *v = at + 1;
		size_t vl = n - *namelen - 1;

		if (memchr(v, ':', vl) != NULL || memchr(v, '/', vl) != NULL)
			return SP_URL; /* name@github:u/r, name@https://... */
		return exact_version(v, vl) ? SP_PINNED : SP_REGISTRY;
	}
}

/* Python: name, name==1.2.3, name@1.2.3, name[extra]>=1, git+URL, URL, wheel. */
static enum spec
spec_py(const char *s, size_t n, size_t *namelen)
{
	const char *eq = memmem(s, n, "==", 2), *at = memchr(s, '@', n);
	size_t k;

	*namelen = n;
	if (n == 0)
		return SP_NONE;
	if (local_path(s, n))
		return SP_LOCAL;
	if (remote_spec(s, n) || archive(s, n) || (at != NULL && has(s, n, "://")))
		return SP_URL;
	for (k = 0; k < n && (isalnum((unsigned char)s[k]) || s[k] == '-' || s[k] == '_' || s[k] == '.'); k++)
		;
	*namelen = k;
	if (eq != NULL && exact_version(eq + 2, n - (size_t)(eq + 2 - s)))
		return SP_PINNED;
	if (at != NULL && exact_version(at + 1, n - (size_t)(at + 1 - s)))
		return SP_PINNED;
	return SP_REGISTRY;
}

/* Go: path@version fetches; a path without a version is the project's. */
static enum spec
spec_go(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);

	if (n == 0)
		return SP_NONE;
	if (at == NULL || local_path(s, n))
		return SP_LOCAL;
	return exact_version(at + 1, n - (size_t)(at + 1 - s)) ? SP_PINNED : SP_REGISTRY;
}

/* deno run: URLs and npm:/jsr: specifiers fetch; files are the project's. */
static enum spec
spec_url(const char *s, size_t n, size_t *namelen)
{
	*namelen = n;
	if (starts(s, n, "http://") || starts(s, n, "https://"))
		return SP_URL;
	if (starts(s, n, "npm:") || starts(s, n, "jsr:")) {
		enum spec sp = spec_npm(s + 4, n - 4, namelen);

		return sp == SP_LOCAL ? SP_URL : sp;
	}
	return SP_LOCAL;
}

static bool
in(const struct strlist *l, const char *s, size_t n)
{
	for (size_t k = 0; k < l->n; k++)
		if (strlen(l->v[k]) == n && memcmp(l->v[k], s, n) == 0)
			return true;
	return false;
}

/* Does word w name one of subs ("tool:run" spans two words)? 0 or the
 * number of words it takes. */
static size_t
sub_match(const struct strlist *subs, const struct fam_word *w, size_t n)
{
	for (size_t k = 0; k < subs->n; k++) {
		const char *s = subs->v[k], *colon = strchr(s, ':');

		if (colon == NULL) {
			if (w[0].n == strlen(s) && memcmp(w[0].s, s, w[0].n) == 0)
				return 1;
		} else if (n > 1 && w[0].n == (size_t)(colon - s) && memcmp(w[0].s, s, w[0].n) == 0 &&
		           w[1].n == strlen(colon + 1) && memcmp(w[1].s, colon + 1, w[1].n) == 0) {
			return 2;
		}
	}
	return 0;
}

static enum spec
classify(enum runner_eco eco, const struct fam_word *w, size_t *namelen)
{
	*namelen = w->n;
	if (w->unknown)
		return SP_REGISTRY; /* named at run time: not known to be pinned or local */
	switch (eco) {
	case RE_NPM: return spec_npm(w->s, w->n, namelen);
	case RE_PY: return spec_py(w->s, w->n, namelen);
	case RE_GO: return spec_go(w->s, w->n);
	case RE_URL: return spec_url(w->s, w->n, namelen);
	case RE_COUNT: break;
	}
	return SP_NONE;
}

int
pkg_runner(struct intent_ctx *x, int ci, const struct tables *t, const char *prog, const struct fam_word *w,
    size_t n, struct pkg_run *out)
{
	size_t nr, k = 0, first = n, binlen = 0;
	const struct runner *const *rows = tables_runners(t, prog, &nr);
	const struct runner *r = NULL;
	const struct fam_word *worst_w = NULL, *bin = NULL;
	enum spec worst = SP_NONE;
	bool yes = false, pkgopt = false;
	char name[128];

	out->at = n;
	out->name = NULL;
	out->len = 0;
	if (nr == 0)
		return 0;
	/* the subcommand: the first word that is not an option */
	for (k = 0; k < n && w[k].n > 1 && w[k].s[0] == '-'; k++)
		;
	for (size_t j = 0; j < nr && r == NULL; j++) {
		if (rows[j]->subs.n == 0) {
			r = rows[j];
			k = 0;
		} else if (k < n) {
			size_t used = sub_match(&rows[j]->subs, &w[k], n - k);

			if (used > 0) {
				r = rows[j];
				k += used;
			}
		}
	}
	if (r == NULL)
		return 0;
	for (; k < n; k++) {
		const struct fam_word *a = &w[k];
		const char *eq;
		size_t nl;

		if (a->n == 2 && a->s[0] == '-' && a->s[1] == '-') {
			if (k + 1 < n)
				first = k + 1;
			break;
		}
		if (a->n < 2 || a->s[0] != '-') {
			first = k;
			break;
		}
		eq = memchr(a->s, '=', a->n);
		nl = eq != NULL ? (size_t)(eq - a->s) : a->n;
		if (in(&r->yes, a->s, nl))
			yes = true;
		if (in(&r->pkg, a->s, nl)) {
			const struct fam_word *v = eq != NULL ? NULL : k + 1 < n ? &w[k + 1] : NULL;
			struct fam_word iv;
			size_t dummy;
			enum spec sp;

			if (eq != NULL) {
				iv = (struct fam_word){ eq + 1, a->n - nl - 1, a->unknown };
				v = &iv;
			}
			if (v != NULL) {
				pkgopt = true;
				sp = classify(r->eco, v, &dummy);
				if (sp > worst) {
					worst = sp;
					worst_w = v == &iv ? a : v;
				}
			}
			if (eq == NULL)
				k++;
			continue;
		}
		if (eq == NULL && in(&r->v, a->s, nl))
			k++;
	}
	if (first < n) {
		size_t nl;
		enum spec sp = classify(r->eco, &w[first], &nl);

		bin = &w[first];
		binlen = pkgopt ? w[first].n : nl;
		if (!pkgopt && sp > worst) {
			worst = sp;
			worst_w = &w[first];
		}
	}
	if (worst == SP_NONE)
		return 0; /* npx --version: nothing is fetched or run */
	{
		const char *rule, *bname = NULL;
		size_t bnl = 0;
		bool known = false;

		if (bin != NULL && binlen > 0 && binlen < sizeof name) {
			const char *b = bin->s;
			size_t bl = binlen;

			/* @scope/name: the program is usually called name */
			if (!pkgopt && bl > 1 && b[0] == '@' && memchr(b, '/', bl) != NULL) {
				const char *sl = memchr(b, '/', bl);

				bl -= (size_t)(sl + 1 - b);
				b = sl + 1;
			}
			memcpy(name, b, bl);
			name[bl] = '\0';
			known = !bin->unknown && tables_prog(t, name) != NULL;
			bname = b;
			bnl = bl;
		}
		switch (worst) {
		case SP_URL:
			rule = "runner-url";
			intent_add_effect(x, ci, EFF_DOWNLOAD_EXEC);
			intent_add_effect(x, ci, EFF_DOWNLOAD);
			break;
		case SP_PINNED:
			rule = "runner-pinned";
			intent_add_effect(x, ci, EFF_PACKAGE_INSTALL);
			break;
		case SP_REGISTRY:
			if (!yes && r->local && known)
				rule = "runner-local";
			else if (!yes && r->ask)
				rule = "runner-maybe-fetch";
			else
				rule = "runner-fetch";
			if (strcmp(rule, "runner-local") != 0)
				intent_add_effect(x, ci, EFF_PACKAGE_INSTALL);
			break;
		default:
			rule = "runner-local";
			break;
		}
		if (intent_signal(x, ci, rule, worst_w->s, worst_w->n > 200 ? 200 : worst_w->n) < 0)
			return -1;
		/* a program sandgate does not know adds nothing the runner's
		 * reason does not say; one it knows (prisma, tsc) is judged */
		if (worst == SP_URL || r->eco == RE_GO || r->eco == RE_URL || bname == NULL || bnl == 0 || !known)
			return 1;
		out->at = (size_t)(bin - w);
		out->name = bname;
		out->len = bnl;
		return 1;
	}
}

/* --- downloads that name no file ------------------------------------------------------------ */

/* A URL written without a scheme, as curl and wget take it: HOST[:PORT][/PATH]
 * ("example.com/x.sh", "host/x.sh", "malware.sh"); a word without a slash must
 * have a dot.  Not a path: "./x", "/x", "~/x". */
static bool
bare_url(const char *u, size_t n)
{
	const char *e = u + n, *q = u;

	if (n == 0 || !(isalnum((unsigned char)u[0])))
		return false;
	while (q < e && (isalnum((unsigned char)*q) || *q == '.' || *q == '-' || *q == '_' || *q == ':' || *q == '@'))
		q++;
	if (q < e && *q != '/' && *q != '?')
		return false;
	return q < e || memchr(u, '.', n) != NULL;
}

/* The file name a URL is saved under: the last part of its path (for a URL
 * without a scheme and without a path, the word itself: what the command line
 * goes on to run by that name is what it believes it downloaded). */
static size_t
url_base(const char *u, size_t n, const char **b)
{
	const char *p = memmem(u, n, "://", 3), *e = u + n, *q, *sl;

	if (p == NULL) {
		if (!bare_url(u, n))
			return 0;
		if (memchr(u, '/', n) == NULL) {
			*b = u;
			return n;
		}
		p = u;
	} else {
		p += 3;
	}
	for (q = p; q < e && *q != '?' && *q != '#'; q++)
		;
	e = q;
	sl = memrchr(p, '/', (size_t)(e - p));
	if (sl == NULL)
		return 0;
	*b = sl + 1;
	return (size_t)(e - (sl + 1));
}

static int
implied_file(struct intent_ctx *x, int ci, const char *dir, size_t dl, const char *b, size_t bl, bool wget)
{
	char path[4096];
	size_t o = 0;

	if (bl == 0 && wget) {
		b = "index.html";
		bl = 10;
	}
	if (bl == 0 || memchr(b, '/', bl) != NULL || dl + bl + 2 > sizeof path || (bl <= 2 && b[0] == '.'))
		return 0;
	if (dl > 0) {
		memcpy(path, dir, dl);
		o = dl;
		if (path[o - 1] != '/')
			path[o++] = '/';
	}
	memcpy(path + o, b, bl);
	return intent_add_path_here(x, ci, path, o + bl, EFF_WRITE); /* relative to a cd before it */
}

int
pkg_download_file(struct intent_ctx *x, int ci, const char *prog, const struct fam_word *w, size_t n)
{
	/* options that take a value, so their value is not read as a URL */
	static const char wget_v[] = "O,o,P,i,U,e,t,T,Q,l,w,A,R,D,X,I,a,B";
	static const char curl_v[] = "o,H,d,F,T,u,A,e,b,c,x,K,m,w,E,r,D,U,Y,y,z,C,X,h";
	bool wget = strcmp(prog, "wget") == 0, remote = false;
	const char *dir = NULL, *lv = wget ? wget_v : curl_v;
	size_t dl = 0;

	if (!wget && strcmp(prog, "curl") != 0)
		return 0;
	for (size_t k = 0; k < n; k++) {
		const struct fam_word *a = &w[k];

		if (a->n < 2 || a->s[0] != '-') {
			const char *b;
			size_t bl;

			if (a->unknown || (!wget && !remote) ||
			    (memmem(a->s, a->n, "://", 3) == NULL && !bare_url(a->s, a->n)))
				continue;
			bl = url_base(a->s, a->n, &b);
			if (implied_file(x, ci, dir, dl, bl > 0 ? b : "", bl, wget) < 0)
				return -1;
			continue;
		}
		if (a->s[1] == '-') {
			const char *eq = memchr(a->s, '=', a->n);
			size_t nl = eq != NULL ? (size_t)(eq - a->s) : a->n;
			const char *v = eq != NULL ? eq + 1 : k + 1 < n ? w[k + 1].s : NULL;
			size_t vl = eq != NULL ? a->n - nl - 1 : k + 1 < n ? w[k + 1].n : 0;

#define IS(lit) (nl == sizeof(lit) - 1 && memcmp(a->s, lit, nl) == 0)
			if (IS("--output-document") || IS("--input-file") || IS("--spider") || IS("--output") ||
			    IS("--remote-header-name") || IS("--config"))
				return 0; /* named elsewhere (or not known) */
			if (IS("--remote-name") || IS("--remote-name-all"))
				remote = true;
			if ((IS("--directory-prefix") || IS("--output-dir")) && v != NULL) {
				dir = v;
				dl = vl;
			}
			if (eq == NULL && (IS("--directory-prefix") || IS("--output-dir") || IS("--header") ||
			                      IS("--user-agent") || IS("--post-data") || IS("--post-file") ||
			                      IS("--body-data") || IS("--body-file") || IS("--method") || IS("--user") ||
			                      IS("--password") || IS("--referer") || IS("--data") || IS("--request") ||
			                      IS("--form") || IS("--upload-file") || IS("--cookie") || IS("--proxy") ||
			                      IS("--execute") || IS("--data-raw") || IS("--data-binary") || IS("--json") ||
			                      IS("--url")))
				k++;
#undef IS
			continue;
		}
		/* a cluster: "-qO-", "-fsSLO", "-P/tmp" */
		for (size_t q = 1; q < a->n; q++) {
			char c = a->s[q];
			bool takes = strchr(lv, c) != NULL && c != ',';

			if (wget && (c == 'O' || c == 'i'))
				return 0;
			if (!wget && (c == 'o' || c == 'J' || c == 'K'))
				return 0;
			if (!wget && c == 'O')
				remote = true;
			if (!takes)
				continue;
			if (wget && c == 'P') {
				dir = q + 1 < a->n ? a->s + q + 1 : k + 1 < n ? w[k + 1].s : NULL;
				dl = q + 1 < a->n ? a->n - q - 1 : k + 1 < n ? w[k + 1].n : 0;
			}
			if (q + 1 == a->n)
				k++;
			break;
		}
	}
	return 0;
}

/* --- the walker's hook ------------------------------------------------------------------------ */

/* After a known program's handlers (analyze.c): the file a download names by
 * its URL, and a package runner's package; the program it runs is analysed
 * as a command of its own, via the runner (npx prisma migrate reset). */
void
wk_package_command(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	struct fam_word *fw = arena_alloc(x->tmp, (an->n + 1) * sizeof *fw);
	struct pkg_run pr;
	struct rword *rw;
	int rc;

	if (fw == NULL) {
		wk_oomf(x);
		return;
	}
	for (size_t k = 0; k < an->n; k++)
		fw[k] = (struct fam_word){ an->rw[k].s, an->rw[k].n, (an->rw[k].f & RW_UNKNOWN) != 0 };
	if (pkg_download_file(x, an->ci, an->pg->name, fw, an->n) < 0 ||
	    (rc = pkg_runner(x, an->ci, x->t, an->pg->name, fw, an->n, &pr)) < 0) {
		wk_oomf(x);
		return;
	}
	if (rc == 0 || pr.at >= an->n || an->lw->depth + 1 > INTENT_MAX_DEPTH)
		return;
	if ((rw = arena_alloc(x->tmp, (an->n - pr.at) * sizeof *rw)) == NULL) {
		wk_oomf(x);
		return;
	}
	memcpy(rw, an->rw + pr.at, (an->n - pr.at) * sizeof *rw);
	rw[0].s = pr.name;
	rw[0].n = pr.len;
	rw[0].f &= ~(unsigned)(RW_QUOTED | RW_ESCAPED);
	{
		struct cmdctx cc = { .text = an->cc->text, .textlen = an->cc->textlen, .stdin_from = -1,
			.xargs_cls = PC_COUNT };
		struct walk nw = *an->lw;
		size_t via = (an->lw->via != NULL ? strlen(an->lw->via) + 1 : 0) + strlen(an->pg->name) + 1;
		char *v = arena_alloc(x->a, via);

		if (v == NULL) {
			wk_oomf(x);
			return;
		}
		snprintf(v, via, "%s%s%s", an->lw->via != NULL ? an->lw->via : "", an->lw->via != NULL ? " " : "",
		    an->pg->name);
		nw.depth++;
		nw.via = v; /* npx prisma ...: prisma runs via npx */
		wk_analyze_words(&nw, rw, an->n - pr.at, &cc);
	}
}
