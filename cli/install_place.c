/* install_place.c -- see install_place.h. */
#include "cli/install_place.h"
#include "proto/client.h"
#include "proto/paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* path is dir itself or inside it (whole components). */
static bool
under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return n > 0 && strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static bool
in_temp(const char *path, char *why, size_t cap)
{
	const char *tmpdirs[] = { getenv("TMPDIR"), "/tmp", "/var/tmp", "/dev/shm" };

	for (size_t i = 0; i < sizeof tmpdirs / sizeof tmpdirs[0]; i++) {
		char real[PATH_MAX];
		const char *d = tmpdirs[i];

		if (d == NULL || d[0] != '/' || strcmp(d, "/") == 0)
			continue;
		if (under(path, d) || (realpath(d, real) != NULL && strcmp(real, "/") != 0 && under(path, real))) {
			snprintf(why, cap, "the temporary directory %s", d);
			return true;
		}
	}
	return false;
}

static bool
build_name(const char *name, size_t n)
{
	return (n == 5 && memcmp(name, "build", 5) == 0) || (n == 6 && memcmp(name, "_build", 6) == 0) ||
	    (n == 8 && memcmp(name, "builddir", 8) == 0) || (n > 12 && memcmp(name, "cmake-build-", 12) == 0);
}

static bool
in_build_tree(const char *path, char *why, size_t cap)
{
	char dir[PATH_MAX];
	char *slash;

	if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
		return false;
	/* every ancestor, nearest first */
	while ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		const char *base;
		char probe[PATH_MAX + 32];
		struct stat st;

		*slash = '\0';
		base = strrchr(dir, '/') + 1;
		if (build_name(base, strlen(base))) {
			snprintf(why, cap, "the build tree %s", dir);
			return true;
		}
		snprintf(probe, sizeof probe, "%s/CMakeCache.txt", dir);
		if (stat(probe, &st) == 0) {
			snprintf(why, cap, "the build tree %s (it holds CMakeCache.txt)", dir);
			return true;
		}
		snprintf(probe, sizeof probe, "%s/meson-private", dir);
		if (stat(probe, &st) == 0) {
			snprintf(why, cap, "the build tree %s (it holds meson-private)", dir);
			return true;
		}
	}
	return false;
}

bool
place_is_transient(const char *path, char *why, size_t cap)
{
	char real[PATH_MAX];

	if (in_temp(path, why, cap) || in_build_tree(path, why, cap))
		return true;
	/* a symlink into such a place is no better */
	return realpath(path, real) != NULL && strcmp(real, path) != 0 &&
	    (in_temp(real, why, cap) || in_build_tree(real, why, cap));
}

bool
place_broker_runs(char *why, size_t cap)
{
	char *dir = paths_runtime_dir(), *path = dir != NULL ? paths_join(dir, "agent.sock") : NULL;
	char err[PATH_MAX + 256];
	enum client_fail fail = CLIENT_FAIL_ERROR;
	sg_client *c = NULL;

	if (path != NULL)
		c = client_open(path, ROLE_AGENT, "sandgate-install", 2000, &fail, err, sizeof err);
	else
		snprintf(err, sizeof err, "out of memory");
	if (c != NULL)
		client_close(c);
	else
		snprintf(why, cap, "%s", err);
	free(dir);
	free(path);
	return c != NULL;
}
