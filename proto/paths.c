/* paths.c -- runtime, state and config locations. */
#include "proto/paths.h"
#include "proto/trust.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *
xasprintf_path(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
	char *s = malloc(n);

	if (s != NULL)
		snprintf(s, n, "%s%s%s", a, b, c);
	return s;
}

char *
paths_join(const char *dir, const char *name)
{
	return xasprintf_path(dir, "/", name);
}

static const char *
nonempty_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

static const char *
home(void)
{
	const char *h = nonempty_env("HOME");

	return h != NULL ? h : "/";
}

static bool system_mode;

void
paths_set_system(bool on)
{
	system_mode = on;
}

bool
paths_system(void)
{
	const char *v = getenv("SANDGATE_SYSTEM");

	return system_mode || (v != NULL && strcmp(v, "1") == 0);
}

char *
paths_runtime_dir(void)
{
	const char *v;
	char tmp[64];

	if ((v = nonempty_env("SANDGATE_DIR")) != NULL)
		return strdup(v);
	if (paths_system())
		return strdup("/run/sandgate");
	if ((v = nonempty_env("XDG_RUNTIME_DIR")) != NULL)
		return paths_join(v, "sandgate");
	snprintf(tmp, sizeof tmp, "/tmp/sandgate-%lu", (unsigned long)getuid());
	return strdup(tmp);
}

char *
paths_db(void)
{
	const char *v;

	if ((v = nonempty_env("SANDGATE_DB")) != NULL)
		return strdup(v);
	if (paths_system())
		return strdup("/var/lib/sandgate/sandgate.db");
	if ((v = nonempty_env("XDG_STATE_HOME")) != NULL)
		return xasprintf_path(v, "/sandgate/", "sandgate.db");
	return xasprintf_path(home(), "/.local/state/sandgate/", "sandgate.db");
}

char *
paths_config_dir(void)
{
	const char *v;

	if ((v = nonempty_env("SANDGATE_CONFIG_DIR")) != NULL)
		return strdup(v);
	if (paths_system())
		return strdup("/etc/sandgate");
	if ((v = nonempty_env("XDG_CONFIG_HOME")) != NULL)
		return paths_join(v, "sandgate");
	return xasprintf_path(home(), "/.config/", "sandgate");
}

/* mkdir -p with mode 0700 for each directory created. */
static int
mkdir_p(const char *dir, char *err, size_t errlen)
{
	char *p = strdup(dir);

	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (char *s = p + 1;; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", p, strerror(errno));
			free(p);
			return -1;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return 0;
}

int
paths_open_runtime_dir(const char *dir, mode_t mode, bool system, char *err, size_t errlen)
{
	struct stat st;
	char why[PATH_MAX + 128];
	int fd;

	if (system) {
		if (mkdir(dir, mode) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create the runtime dir %s: %s (create it as root, "
			    "owned by the broker's user: `install -d -o USER -m 0755 %s`, or let systemd's "
			    "RuntimeDirectory= do it)", dir, strerror(errno), dir);
			return -1;
		}
	} else if (mkdir_p(dir, err, errlen) < 0) {
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
			snprintf(err, errlen, "refusing the runtime dir %s: it is a symbolic link (someone may "
			    "be redirecting the broker); remove it or set SANDGATE_DIR", dir);
		else if (lstat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
			snprintf(err, errlen, "refusing the runtime dir %s: not a directory", dir);
		else
			snprintf(err, errlen, "cannot open the runtime dir %s: %s", dir, strerror(e));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot stat %s: %s", dir, strerror(errno));
		close(fd);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		if (system)
			snprintf(err, errlen, "refusing the runtime dir %s: owned by uid %lu, not us (uid %lu): "
			    "a system broker runs as the dir's owner (e.g. `systemctl start sandgate`)",
			    dir, (unsigned long)st.st_uid, (unsigned long)geteuid());
		else
			snprintf(err, errlen, "refusing the runtime dir %s: owned by uid %lu, not us (uid %lu): "
			    "another user may have made it to impersonate the broker; remove it or set "
			    "SANDGATE_DIR", dir, (unsigned long)st.st_uid, (unsigned long)geteuid());
		close(fd);
		return -1;
	}
	if (system && geteuid() != 0 && !trust_placed_by_root(dir, &st, why, sizeof why)) {
		snprintf(err, errlen, "clients would not trust the runtime dir %s: %s (a system broker's "
		    "runtime dir must sit in a dir that root owns and nobody else can write, e.g. "
		    "/run/sandgate)", dir, why);
		close(fd);
		return -1;
	}
	if ((st.st_mode & 07777) != mode && fchmod(fd, mode) < 0) {
		snprintf(err, errlen, "cannot set the mode of %s: %s", dir, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
paths_make_private_dir(const char *dir, char *err, size_t errlen)
{
	int fd = paths_open_runtime_dir(dir, 0700, false, err, errlen);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int
paths_make_parent(const char *file, char *err, size_t errlen)
{
	char *d = strdup(file);
	char *slash;
	int rc = 0;

	if (d == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	slash = strrchr(d, '/');
	if (slash != NULL && slash != d) {
		*slash = '\0';
		rc = mkdir_p(d, err, errlen);
	}
	free(d);
	return rc;
}

/* Fold "." and empty components of an absolute path in place; ".." removes
 * the component before it (never above "/").  Lexical only, as node's
 * path.resolve and Codex's absolutize do; a relative path is left alone. */
void
paths_normalize(char *path)
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
