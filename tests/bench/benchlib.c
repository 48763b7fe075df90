/* benchlib.c -- shared parts of the benchmarks (benchlib.h). */
#include "tests/bench/benchlib.h"
#include "proto/paths.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *bench_sandgate;
static char tmpdir[128];

double
bench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void
bench_sort(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_d);
}

double
bench_pct(const double *sorted, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)((double)n * p / 100.0);
	return sorted[i < n ? i : n - 1];
}

double
bench_proc_cpu(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void
set_path(const char *var, const char *leaf)
{
	char path[256];

	snprintf(path, sizeof path, "%s/%s", tmpdir, leaf);
	setenv(var, path, 1);
}

const char *
bench_env(const char *prefix, const char *config)
{
	char path[256];
	FILE *f;

	snprintf(tmpdir, sizeof tmpdir, "/tmp/%s.XXXXXX", prefix);
	if (mkdtemp(tmpdir) == NULL) {
		perror("bench: mkdtemp");
		exit(1);
	}
	set_path("SANDGATE_DIR", "run");
	set_path("SANDGATE_DB", "b.db");
	set_path("XDG_CONFIG_HOME", "cfg");
	set_path("HOME", "home");
	snprintf(path, sizeof path, "%s/home", tmpdir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/cfg", tmpdir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/cfg/sandgate", tmpdir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/cfg/sandgate/config", tmpdir);
	if ((f = fopen(path, "w")) == NULL) {
		perror("bench: config");
		exit(1);
	}
	fprintf(f, "preset = none\n%s", config != NULL ? config : "");
	fclose(f);
	return tmpdir;
}

void
bench_broker_start(const char *const *args)
{
	const char *argv[16] = { "sandgate", "broker" };
	size_t n = 2;
	pid_t pid;
	int st;

	for (; args != NULL && *args != NULL && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	if ((pid = fork()) == 0) {
		execv(bench_sandgate, (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench: the broker did not start\n");
		exit(1);
	}
}

long
bench_broker_pid(void)
{
	char path[256];
	long pid = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/run/broker.lock", tmpdir);
	if ((f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return pid;
}

void
bench_broker_stop(void)
{
	long pid = bench_broker_pid();

	if (pid <= 0)
		return;
	kill((pid_t)pid, SIGTERM);
	while (kill((pid_t)pid, 0) == 0)
		usleep(10000);
}

void
bench_env_remove(void)
{
	char cmd[300];

	if (tmpdir[0] == '\0')
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench: cannot remove %s\n", tmpdir);
	tmpdir[0] = '\0';
}

sg_client *
bench_connect(enum sg_role role, const char *name)
{
	char err[256], *dir = paths_runtime_dir();
	char *path = dir != NULL ? paths_join(dir, role == ROLE_AGENT ? "agent.sock" : "console.sock") : NULL;
	sg_client *c = path != NULL ? client_connect(path, role, name, 5000, err, sizeof err) : NULL;

	if (c == NULL) {
		fprintf(stderr, "bench: cannot connect: %s\n", path != NULL ? err : "out of memory");
		exit(1);
	}
	free(dir);
	free(path);
	return c;
}
