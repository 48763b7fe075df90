/* workspace.c -- which directory is a request's workspace (see workspace.h). */
#include "broker/intent/workspace.h"
#include "broker/intent/tables.h"
#include "proto/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WS_MAX_DEPTH 128 /* directories the git walk looks at */

const char *
ws_source_name(enum ws_source s)
{
	switch (s) {
	case WS_DECLARED: return "declared";
	case WS_CONFIGURED: return "configured";
	case WS_GIT: return "git";
	case WS_NONE: break;
	}
	return "none";
}

/* Fold ".", ".." and repeated slashes of an absolute path, in place; no
 * trailing slash (but "/"). */

static bool
within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Trees that hold the operating system: never a workspace, nor anything in them. */
static const char *const system_trees[] = {
	"/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot", "/dev",
	"/proc", "/sys", "/run", "/var", "/System", "/Library", "/private/etc", "/private/var",
};
/* ... except these, whose children are people's files. */
static const char *const user_trees[] = { "/var/tmp", "/var/www", "/var/home", "/private/var/tmp" };
/* Directories that are never a workspace themselves (their children may be). */
static const char *const shared_dirs[] = {
	"/tmp", "/var/tmp", "/home", "/root", "/opt", "/srv", "/mnt", "/media", "/snap", "/Users",
	"/private/tmp", "/var/www", "/var/home", "/lost+found",
};

const char *
ws_refused(const struct ws_env *e, const char *dir, bool strict)
{
	if (dir == NULL || dir[0] != '/')
		return "not an absolute path";
	if (strcmp(dir, "/") == 0)
		return "the root directory";
	for (size_t i = 0; i < 2; i++) {
		const char *h = i == 0 ? e->home : e->home_real;

		if (h == NULL || h[0] != '/' || strcmp(h, "/") == 0)
			continue;
		if (strcmp(dir, h) == 0)
			return "the home directory";
		if (within(h, dir))
			return "a directory that holds the home directory";
		/* a dot-directory of $HOME (~/.config, ~/.ssh, a dotfiles repository) */
		if (strict && within(dir, h) && dir[strlen(h)] == '/' && dir[strlen(h) + 1] == '.')
			return "a hidden directory of the home directory";
	}
	for (size_t i = 0; i < sizeof shared_dirs / sizeof shared_dirs[0]; i++)
		if (strcmp(dir, shared_dirs[i]) == 0)
			return "a shared system directory";
	for (size_t i = 0; i < sizeof system_trees / sizeof system_trees[0]; i++) {
		bool user = false;

		if (!within(dir, system_trees[i]))
			continue;
		for (size_t k = 0; k < sizeof user_trees / sizeof user_trees[0] && !user; k++)
			user = within(dir, user_trees[k]) && strcmp(dir, user_trees[k]) != 0;
		if (!user)
			return "a system directory";
	}
	for (size_t i = 0; e->own != NULL && e->own[i] != NULL; i++)
		if (e->own[i][0] == '/' && within(dir, e->own[i]))
			return "sandgate's own directory";
	if (strict && e->t != NULL) {
		size_t len = strlen(dir);
		enum pclass c = tables_path_class(e->t, dir, len, 1);

		if (c == PC_SECRET || c == PC_AGENT_CONFIG || c == PC_PERSISTENCE || c == PC_DEVICE ||
		    c == PC_SPECIAL || c == PC_NETWORK)
			return "a directory of secrets, agent settings or startup files";
		if (c == PC_COUNT && tables_path_class(e->t, dir, len, 2) == PC_SYSTEM)
			return "a system directory";
	}
	return NULL;
}

/* --- the `workspaces` setting ----------------------------------------------------------- */

void
ws_list_free(struct ws_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

int
ws_list_copy(struct ws_list *dst, const struct ws_list *src)
{
	ws_list_free(dst);
	for (size_t i = 0; i < src->n; i++) {
		if ((dst->v[i] = strdup(src->v[i])) == NULL) {
			ws_list_free(dst);
			return -1;
		}
		dst->n = i + 1;
	}
	return 0;
}

static bool
has_glob(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[')
			return true;
	return false;
}

/* Check one entry (NUL-terminated, trimmed); a new normalised string or NULL with err. */
static char *
parse_entry(const char *s, const char *home, char *err, size_t errlen)
{
	size_t n = strlen(s), hl = home != NULL ? strlen(home) : 0;
	char *p, *q;
	const char *why;
	struct ws_env e = { .home = home };

	if (n == 0) {
		snprintf(err, errlen, "an empty entry");
		return NULL;
	}
	if (s[0] == '~' && (s[1] == '/' || s[1] == '\0')) {
		if (home == NULL || home[0] != '/') {
			snprintf(err, errlen, "'%.200s': ~ needs $HOME", s);
			return NULL;
		}
		if ((p = malloc(hl + n + 1)) == NULL)
			goto oom;
		memcpy(p, home, hl);
		memcpy(p + hl, s + 1, n);
	} else if (s[0] == '/') {
		if ((p = strdup(s)) == NULL)
			goto oom;
	} else {
		snprintf(err, errlen, "'%.200s' must be an absolute path or start with ~/", s);
		return NULL;
	}
	if (strlen(p) > FSR_MAX_PATH) {
		snprintf(err, errlen, "'%.200s...' is longer than %d bytes", s, FSR_MAX_PATH);
		free(p);
		return NULL;
	}
	/* no "." or ".." components, no "**": each component is one directory */
	for (q = p; *q != '\0';) {
		size_t cl;

		while (*q == '/')
			q++;
		cl = strcspn(q, "/");
		if ((cl == 1 && q[0] == '.') || (cl == 2 && q[0] == '.' && q[1] == '.')) {
			snprintf(err, errlen, "'%.200s': no . or .. components", s);
			free(p);
			return NULL;
		}
		for (size_t i = 0; i + 1 < cl; i++)
			if (q[i] == '*' && q[i + 1] == '*') {
				snprintf(err, errlen, "'%.200s': ** is not allowed (a * stays inside one directory name)", s);
				free(p);
				return NULL;
			}
		for (size_t i = 0; i < cl; i++)
			if ((unsigned char)q[i] < 0x20 || q[i] == 0x7f) {
				snprintf(err, errlen, "'%.200s': control characters are not allowed", s);
				free(p);
				return NULL;
			}
		q += cl;
	}
	paths_normalize(p);
	/* a literal entry must not be refused; for a glob, what it can match
	 * must not be (probed with a child of the directory before the first
	 * glob: /usr/x is refused, ~/src/x and /var/www/x are not) */
	{
		size_t fl = 0;
		char *probe;

		for (q = p; *q != '\0';) {
			size_t cl;

			while (*q == '/')
				q++;
			cl = strcspn(q, "/");
			if (has_glob(q, cl)) {
				fl = (size_t)(q - p) - 1;
				break;
			}
			q += cl;
		}
		if (*q == '\0') {
			why = ws_refused(&e, p, false);
		} else if (fl == 0) {
			why = "a glob right under / (name the directories)";
		} else if ((probe = malloc(fl + 3)) == NULL) {
			free(p);
			goto oom;
		} else {
			memcpy(probe, p, fl);
			memcpy(probe + fl, "/x", 3);
			why = ws_refused(&e, probe, false);
			free(probe);
		}
		if (why != NULL) {
			snprintf(err, errlen, "'%.200s' cannot be a workspace: %s", s, why);
			free(p);
			return NULL;
		}
	}
	return p;
oom:
	snprintf(err, errlen, "out of memory");
	return NULL;
}

int
ws_list_add(struct ws_list *l, const char *value, const char *home, char *err, size_t errlen)
{
	size_t start = l->n;
	const char *s = value;

	for (;;) {
		const char *e = strchr(s, ',');
		size_t n = e != NULL ? (size_t)(e - s) : strlen(s);
		char *entry, *p;

		while (n > 0 && (*s == ' ' || *s == '\t'))
			s++, n--;
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if ((entry = strndup(s, n)) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		p = parse_entry(entry, home, err, errlen);
		free(entry);
		if (p == NULL)
			goto fail;
		if (l->n >= WS_MAX_ENTRIES) {
			free(p);
			snprintf(err, errlen, "more than %d entries", WS_MAX_ENTRIES);
			goto fail;
		}
		l->v[l->n++] = p;
		if (e == NULL)
			break;
		s = e + 1;
	}
	return 0;
fail:
	while (l->n > start)
		free(l->v[--l->n]);
	return -1;
}

/* --- determining a request's workspace ------------------------------------------------------ */

/* Is the entry a match for a leading part of cwd?  Returns the number of
 * bytes of cwd it covers, or 0. */
static size_t
entry_match(const char *entry, const char *cwd)
{
	const char *e = entry, *c = cwd;
	char ec[256], cc[256];

	for (;;) {
		size_t el, cl;

		while (*e == '/')
			e++;
		if (*e == '\0')
			return (size_t)(c - cwd);
		while (*c == '/')
			c++;
		if (*c == '\0')
			return 0;
		el = strcspn(e, "/");
		cl = strcspn(c, "/");
		if (el >= sizeof ec || cl >= sizeof cc)
			return 0;
		memcpy(ec, e, el);
		ec[el] = '\0';
		memcpy(cc, c, cl);
		cc[cl] = '\0';
		if (fnmatch(ec, cc, FNM_PERIOD) != 0)
			return 0;
		e += el;
		c += cl;
	}
}

/* Fill out->real from out->path where it differs: links followed as far as
 * the path exists, the rest as written (a project dir that is not made yet
 * is judged by where its existing ancestors lead). */
static void
set_real(struct ws_result *out)
{
	char r[FSR_MAX_PATH + 1];
	struct fsr_result res;

	out->real[0] = '\0';
	if (fsr_resolve(out->path, strlen(out->path), FSR_FOLLOW_LAST, r, sizeof r, &res) > 0 &&
	    res.status == FSR_OK && strcmp(r, out->path) != 0)
		snprintf(out->real, sizeof out->real, "%s", r);
}

static bool
accept(const struct ws_env *e, struct ws_result *out, bool strict, const char **why)
{
	*why = ws_refused(e, out->path, strict);
	if (*why == NULL) {
		set_real(out);
		if (out->real[0] != '\0')
			*why = ws_refused(e, out->real, strict);
	}
	return *why == NULL;
}

static bool
is_gitdir(const char *dir, size_t dl)
{
	char p[FSR_MAX_PATH + 8], head[8];
	struct stat st;
	int fd;
	ssize_t n;

	if (dl + 6 > FSR_MAX_PATH)
		return false;
	memcpy(p, dir, dl);
	memcpy(p + dl, dl == 1 ? ".git" : "/.git", dl == 1 ? 5 : 6);
	if (stat(p, &st) < 0)
		return false;
	if (S_ISDIR(st.st_mode))
		return true;
	if (!S_ISREG(st.st_mode) || (fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) < 0)
		return false;
	n = read(fd, head, sizeof head);
	close(fd);
	return n >= 7 && memcmp(head, "gitdir:", 7) == 0;
}

void
ws_determine(const struct ws_env *e, const struct ws_list *cfg, const char *declared, const char *cwd,
    struct ws_result *out)
{
	char c[FSR_MAX_PATH + 1];
	const char *why;
	struct stat st;

	memset(out, 0, sizeof *out);
	out->path[0] = out->real[0] = out->ignored[0] = '\0';
	if (declared != NULL && declared[0] != '\0') {
		if (declared[0] != '/' || strlen(declared) > FSR_MAX_PATH) {
			why = "not an absolute path";
		} else {
			snprintf(out->path, sizeof out->path, "%s", declared);
			paths_normalize(out->path);
			int rc = stat(out->path, &st);

			if (rc < 0 && errno != ENOENT)
				why = "cannot be looked at";
			else if (rc == 0 && !S_ISDIR(st.st_mode))
				why = "not a directory";
			else
				(void)accept(e, out, true, &why);
		}
		if (why == NULL) {
			out->source = WS_DECLARED;
			return;
		}
		snprintf(out->ignored, sizeof out->ignored, "%.4096s: %s", declared, why);
		out->path[0] = out->real[0] = '\0';
	}
	if (cwd == NULL || cwd[0] != '/' || strlen(cwd) > FSR_MAX_PATH)
		return;
	snprintf(c, sizeof c, "%s", cwd);
	paths_normalize(c);
	if (cfg != NULL) {
		size_t best = 0;

		for (size_t i = 0; i < cfg->n; i++) {
			size_t m = entry_match(cfg->v[i], c);

			if (m > best) {
				memcpy(out->path, c, m);
				out->path[m] = '\0';
				if (accept(e, out, false, &why))
					best = m;
			}
		}
		if (best > 0) {
			memcpy(out->path, c, best);
			out->path[best] = '\0';
			set_real(out);
			out->source = WS_CONFIGURED;
			return;
		}
		out->path[0] = out->real[0] = '\0';
	}
	/* the git top level: the nearest directory with a .git */
	{
		size_t len = strlen(c);

		for (int depth = 0; depth < WS_MAX_DEPTH && len > 1; depth++) {
			if (is_gitdir(c, len)) {
				memcpy(out->path, c, len);
				out->path[len] = '\0';
				if (accept(e, out, true, &why)) {
					out->source = WS_GIT;
					return;
				}
				break; /* $HOME's dotfiles, /etc's etckeeper: no workspace */
			}
			while (len > 1 && c[len - 1] != '/')
				len--;
			if (len > 1)
				len--;
		}
	}
	out->path[0] = out->real[0] = '\0';
	out->source = WS_NONE;
}
