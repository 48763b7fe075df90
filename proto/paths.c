/* paths.c -- runtime, state and config locations. */
#include "proto/paths.h"

#include <errno.h>
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

char *
paths_runtime_dir(void)
{
	const char *v;
	char tmp[64];

	if ((v = nonempty_env("SANDGATE_DIR")) != NULL)
		return strdup(v);
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
	if ((v = nonempty_env("XDG_STATE_HOME")) != NULL)
		return xasprintf_path(v, "/sandgate/", "sandgate.db");
	return xasprintf_path(home(), "/.local/state/sandgate/", "sandgate.db");
}

char *
paths_config_dir(void)
{
	const char *v;

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
paths_make_private_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir_p(dir, err, errlen) < 0)
		return -1;
	if (lstat(dir, &st) < 0) {
		snprintf(err, errlen, "cannot stat %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is not a directory", dir);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s is owned by uid %lu, not by us", dir,
		    (unsigned long)st.st_uid);
		return -1;
	}
	if ((st.st_mode & 077) != 0 && chmod(dir, 0700) < 0) {
		snprintf(err, errlen, "cannot make %s private: %s", dir, strerror(errno));
		return -1;
	}
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
