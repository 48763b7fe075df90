/* vcs.c -- version control: what the pathspecs of a git command cover, for the
 * `spec:` condition of tables/commands (git checkout and git restore discard the
 * uncommitted changes of the files they name; naming a whole directory tree
 * discards all of them; "--" or a revision before them names them for
 * certain; without either, a word is taken as a file when one by that name
 * is in the work tree and no ref has it).  The rules and their weights are data in
 * tables/commands; this file only reads the words.
 * Part of the intent walker: see walk.h and intent.h. */
#include "broker/intent/walk.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum spec { SPEC_NONE, SPEC_PATH, SPEC_TREE };

/* What the pathspecs of one command name: the worst spec, and whether some
 * path was named for certain (after "--", or after a revision). */
struct specs {
	enum spec sp;
	bool explicit_path;
};

#define GITDIR_UP 64 /* directories looked at on the way up to the repository */

/* Read a small file whole into buf (NUL-terminated); false if it cannot. */
static bool
read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	ssize_t r;

	if (fd < 0)
		return false;
	r = read(fd, buf, cap - 1);
	close(fd);
	if (r < 0)
		return false;
	buf[r] = '\0';
	return true;
}

/* The common git directory of the repository holding dir (the .git
 * directory; for a worktree or submodule, where its "gitdir:" and
 * "commondir" lead), into out.  False when there is none or it is odd. */
static bool
common_gitdir(const char *dir, char *out, size_t cap)
{
	char cur[4096], p[4200], buf[4096];
	struct stat st;
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof cur || dir[0] != '/')
		return false;
	memcpy(cur, dir, n + 1);
	for (int up = 0; up < GITDIR_UP; up++) {
		snprintf(p, sizeof p, "%s/.git", n == 1 ? "" : cur);
		if (lstat(p, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				return (size_t)snprintf(out, cap, "%s", p) < cap;
			if (!S_ISREG(st.st_mode) || !read_small(p, buf, sizeof buf) || strncmp(buf, "gitdir: ", 8) != 0)
				return false;
			{
				char *g = buf + 8, *e = strchr(g, '\n'), cd[512];

				if (e != NULL)
					*e = '\0';
				if (g[0] != '/')
					return false; /* a relative gitdir: not worth following */
				snprintf(p, sizeof p, "%s/commondir", g);
				if (read_small(p, cd, sizeof cd)) {
					if ((e = strchr(cd, '\n')) != NULL)
						*e = '\0';
					return (size_t)(cd[0] == '/' ? snprintf(out, cap, "%s", cd)
					                              : snprintf(out, cap, "%s/%s", g, cd)) < cap;
				}
				return (size_t)snprintf(out, cap, "%s", g) < cap;
			}
		}
		if (n <= 1)
			return false;
		while (n > 1 && cur[n - 1] != '/')
			n--;
		if (n > 1)
			n--;
		cur[n] = '\0';
	}
	return false;
}

/* Does the repository of cwd have a branch, tag or remote-tracking branch
 * named name[0..n)?  (git checkout NAME takes a ref before a file.) */
static bool
git_has_ref(const char *cwd, const char *name, size_t n)
{
	static const char *const kinds[] = { "refs/heads/", "refs/tags/", "refs/remotes/origin/", "" };
	char gd[4096], p[4400], buf[65536];
	struct stat st;

	if (!common_gitdir(cwd, gd, sizeof gd))
		return false;
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		if (kinds[k][0] == '\0' && (n > 32 || memchr(name, '/', n) != NULL))
			continue; /* HEAD, ORIG_HEAD: only plain upper-case names */
		if ((size_t)snprintf(p, sizeof p, "%s/%s%.*s", gd, kinds[k], (int)n, name) < sizeof p &&
		    lstat(p, &st) == 0 && S_ISREG(st.st_mode))
			return true;
	}
	/* packed-refs: " refs/heads/NAME" lines (only the first 64 KiB are read) */
	snprintf(p, sizeof p, "%s/packed-refs", gd);
	if (read_small(p, buf, sizeof buf))
		for (size_t k = 0; k + 1 < sizeof kinds / sizeof kinds[0]; k++) {
			char pat[512];
			int pl = snprintf(pat, sizeof pat, " %s%.*s\n", kinds[k], (int)n, name);

			if (pl > 0 && (size_t)pl < sizeof pat && strstr(buf, pat) != NULL)
				return true;
		}
	return false;
}

/* What the work tree says about a plain word given to git checkout without
 * "--": 1 a file by that name exists in cwd and no ref is named so (git
 * takes the file: its changes are overwritten), 2 the same for a
 * directory, 0 there is no such file (a branch, or a deleted file brought
 * back: nothing uncommitted is lost), -1 cannot tell (no cwd to look at). */
static int
on_disk(const struct args *a, const char *s, size_t n)
{
	char p[4200];
	struct stat st;
	size_t cl;

	if (a->cwd == NULL || a->cwd[0] != '/' || n == 0 || memchr(s, '\0', n) != NULL || s[0] == '-')
		return -1;
	/* git -C DIR, --git-dir, --work-tree: the work tree is elsewhere */
	for (size_t k = 0; k < a->nopts; k++)
		if (wk_opt_is(&a->opts[k], "-C", 2) || (a->opts[k].nlen >= 9 && memcmp(a->opts[k].name, "--git-dir", 9) == 0) ||
		    (a->opts[k].nlen >= 11 && memcmp(a->opts[k].name, "--work-tree", 11) == 0))
			return -1;
	cl = strlen(a->cwd);
	if (stat(a->cwd, &st) != 0 || !S_ISDIR(st.st_mode))
		return -1;
	if (s[0] == '/')
		cl = 0;
	if (cl + n + 2 > sizeof p)
		return -1;
	snprintf(p, sizeof p, "%.*s%s%.*s", (int)cl, a->cwd, cl > 0 ? "/" : "", (int)n, s);
	if (stat(p, &st) != 0)
		return 0;
	if (git_has_ref(a->cwd, s, n))
		return 0;
	return S_ISDIR(st.st_mode) ? 2 : 1;
}

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
 * "--", the first is a revision unless it reads as a path (or, when the
 * work tree can be looked at, unless a file by that name is there and no
 * ref is), the others are paths. */
static struct specs
pathspecs(const struct args *a, size_t first)
{
	const struct rword *dd = NULL;
	struct specs out = { SPEC_NONE, false };
	enum spec sp = SPEC_NONE;
	bool rev = false;

	for (size_t k = 0; k < a->nall; k++)
		if (a->all[k].n == 2 && memcmp(a->all[k].s, "--", 2) == 0) {
			dd = &a->all[k];
			break;
		}
	/* git checkout -b NEW [START]: a branch and a revision, no paths */
	for (size_t k = 0; k < a->nopts && dd == NULL; k++)
		if (wk_opt_is(&a->opts[k], "-b", 2) || wk_opt_is(&a->opts[k], "-B", 2) ||
		    wk_opt_is(&a->opts[k], "--orphan", 8))
			return out;
	for (size_t k = first; k < a->npos; k++) {
		const struct rword *r = a->pos[k];
		bool path, dir = false;

		if (dd != NULL) {
			path = r > dd;
			rev = rev || !path;
		} else if (k > first) {
			path = true;
		} else {
			int d = (r->f & (RW_UNKNOWN | RW_VAR)) || tree_word(r->s, r->n) ? -1 : on_disk(a, r->s, r->n);

			path = d < 0 ? reads_as_path(r->s, r->n) : d > 0;
			dir = d == 2;
			rev = !path;
		}
		if (!path)
			continue;
		sp = worse(sp, (r->f & RW_UNKNOWN) || dir || tree_word(r->s, r->n) ? SPEC_TREE : SPEC_PATH);
		/* named for certain: after "--", or after a revision */
		out.explicit_path = out.explicit_path || dd != NULL || rev;
	}
	out.sp = sp;
	return out;
}

bool
wk_vcs_spec(const struct args *a, size_t first, const struct strlist *want)
{
	struct specs ss = pathspecs(a, first);
	enum spec sp = ss.sp;

	for (size_t k = 0; k < want->n; k++) {
		const char *w = want->v[k];

		if ((strcmp(w, "tree") == 0 && sp == SPEC_TREE) || (strcmp(w, "path") == 0 && sp != SPEC_NONE) ||
		    (strcmp(w, "none") == 0 && sp == SPEC_NONE) || (strcmp(w, "named") == 0 && ss.explicit_path))
			return true;
	}
	return false;
}
