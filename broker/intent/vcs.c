/* vcs.c -- version control: what the pathspecs of a git command cover, for the
 * `spec:` condition of tables/commands (git checkout and git restore discard the
 * uncommitted changes of the files they name; naming a whole directory tree
 * discards all of them).  The rules and their weights are data in
 * tables/commands; this file only reads the words.
 * Part of the intent walker: see walk.h and intent.h. */
#include "broker/intent/walk.h"

#include <ctype.h>
#include <string.h>

enum spec { SPEC_NONE, SPEC_PATH, SPEC_TREE };

/* Does the word name a whole directory tree: ".", "..", "./", ":/", "*",
 * "src/", "dir/.", a glob, a pathspec with magic (":(top)", ":!x")? */
static bool
tree_word(const char *s, size_t n)
{
	if (n == 0)
		return false;
	if ((n == 1 && (s[0] == '.' || s[0] == ':')) || (n == 2 && memcmp(s, "..", 2) == 0))
		return true;
	if (s[n - 1] == '/' || (n >= 2 && memcmp(s + n - 2, "/.", 2) == 0) ||
	    (n >= 3 && memcmp(s + n - 3, "/..", 3) == 0))
		return true;
	if (s[0] == ':' && n >= 2 && (s[1] == '/' || s[1] == '(' || s[1] == '!' || s[1] == '^') &&
	    (n == 2 || s[1] == '(' || s[1] == '!' || s[1] == '^' || memchr(s + 2, '.', n - 2) == NULL))
		return true;
	return memchr(s, '*', n) != NULL || memchr(s, '?', n) != NULL || memchr(s, '[', n) != NULL;
}

/* Does a plain word read as a revision: HEAD~2, @{-1}, -, a commit id, a
 * usual branch name, or a name with a dash, underscore or digit (fix-login, v2)? */
static bool
rev_word(const char *s, size_t n)
{
	static const char *const names[] = { "main", "master", "develop", "development", "dev", "trunk", "staging",
		"stage", "production", "prod", "next", "stable", "release", "HEAD", "FETCH_HEAD", "ORIG_HEAD",
		"MERGE_HEAD", "gh-pages" };
	size_t hex = 0;

	for (size_t k = 0; k < n; k++) {
		if (s[k] == '~' || s[k] == '^' || s[k] == '@' || s[k] == '-' || s[k] == '_' || isdigit((unsigned char)s[k]))
			return true;
		hex += isxdigit((unsigned char)s[k]) != 0;
	}
	if (hex == n && n >= 7)
		return true;
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
		if (strlen(names[k]) == n && memcmp(names[k], s, n) == 0)
			return true;
	return false;
}

/* Without "--", does a word read as a file rather than a branch, tag or
 * commit?  Paths start with ./ ../ / :/ ~, or their last part has an
 * extension that is not a version number (src/main.c yes; v1.2, origin/main,
 * feature/x no). */
static bool
reads_as_path(const char *s, size_t n)
{
	const char *base, *dot;
	size_t bl;

	if (n == 0)
		return false;
	if (tree_word(s, n))
		return true;
	if (s[0] == '/' || s[0] == '~' || (n > 1 && s[0] == '.' && s[1] == '/') || (n > 2 && memcmp(s, "../", 3) == 0) ||
	    (n > 1 && s[0] == ':' && s[1] == '/'))
		return true;
	/* a plain word without a slash: a branch only when it reads as one
	 * (main, v2, fix-login, HEAD~1, a commit id); status, src, Makefile
	 * may as well be files, and git takes a file when one exists */
	if (memchr(s, '/', n) == NULL && memchr(s, '.', n) == NULL && !rev_word(s, n))
		return true;
	base = memrchr(s, '/', n);
	base = base != NULL ? base + 1 : s;
	bl = n - (size_t)(base - s);
	dot = memrchr(base, '.', bl);
	if (dot == NULL || dot == base + bl - 1)
		return false;
	if (dot == base)
		return true; /* .gitignore, .env */
	for (const char *p = dot + 1; p < base + bl; p++)
		if (isalpha((unsigned char)*p))
			return true;
	return false;
}

static enum spec
worse(enum spec a, enum spec b)
{
	return a > b ? a : b;
}

/* The pathspecs after the subcommand: every positional after "--"; without
 * "--", the first is a revision unless it reads as a path, the others are
 * paths. */
static enum spec
pathspecs(const struct args *a, size_t first)
{
	const struct rword *dd = NULL;
	enum spec sp = SPEC_NONE;

	for (size_t k = 0; k < a->nall; k++)
		if (a->all[k].n == 2 && memcmp(a->all[k].s, "--", 2) == 0) {
			dd = &a->all[k];
			break;
		}
	/* git checkout -b NEW [START]: a branch and a revision, no paths */
	for (size_t k = 0; k < a->nopts && dd == NULL; k++)
		if (wk_opt_is(&a->opts[k], "-b", 2) || wk_opt_is(&a->opts[k], "-B", 2) ||
		    wk_opt_is(&a->opts[k], "--orphan", 8))
			return SPEC_NONE;
	for (size_t k = first; k < a->npos; k++) {
		const struct rword *r = a->pos[k];
		bool path;

		if (dd != NULL)
			path = r > dd;
		else
			path = k > first || reads_as_path(r->s, r->n);
		if (!path)
			continue;
		sp = worse(sp, (r->f & RW_UNKNOWN) || tree_word(r->s, r->n) ? SPEC_TREE : SPEC_PATH);
	}
	return sp;
}

bool
wk_vcs_spec(const struct args *a, size_t first, const struct strlist *want)
{
	enum spec sp = pathspecs(a, first);

	for (size_t k = 0; k < want->n; k++) {
		const char *w = want->v[k];

		if ((strcmp(w, "tree") == 0 && sp == SPEC_TREE) || (strcmp(w, "path") == 0 && sp != SPEC_NONE) ||
		    (strcmp(w, "none") == 0 && sp == SPEC_NONE))
			return true;
	}
	return false;
}
