/* cmd_sandbox.c -- `sandgate sandbox [--workspace DIR] -- CMD...`: run CMD
 * under bubblewrap: the workspace writable, the rest of the system read-only,
 * no network, sandgate's own runtime/state/config dirs hidden, and only
 * agent.sock bound back inside so CMD can still ask (e.g. `sandgate exec`).
 * How the sandbox is built: docs/integrations.md. */
#include "cli/cli.h"
#include "proto/paths.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where agent.sock appears inside the sandbox (a tmpfs hides the host's /run). */
#define SANDBOX_DIR "/run/sandgate"

/* Exit status when the sandbox cannot be set up (as `env` and `docker run`). */
#define EXIT_SANDBOX 125

struct argv_buf {
	char **v;
	int n, cap;
	bool oom;
};

static void
push(struct argv_buf *b, const char *s)
{
	if (b->n + 2 > b->cap) {
		int cap = b->cap ? b->cap * 2 : 64;
		char **nv = realloc(b->v, (size_t)cap * sizeof *nv);

		if (nv == NULL) {
			b->oom = true;
			return;
		}
		b->v = nv;
		b->cap = cap;
	}
	b->v[b->n++] = (char *)s;
	b->v[b->n] = NULL;
}

static void
push3(struct argv_buf *b, const char *opt, const char *x, const char *y)
{
	push(b, opt);
	push(b, x);
	if (y != NULL)
		push(b, y);
}

/* True if path is dir itself or below it (both canonical). */
static bool
path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Canonical form of an existing path, malloc'd; NULL if it does not exist. */
static char *
canonical(const char *p)
{
	return p != NULL ? realpath(p, NULL) : NULL;
}

/* Search $PATH (or $SANDGATE_BWRAP) for bwrap; malloc'd or NULL. */
static char *
find_bwrap(void)
{
	const char *env = getenv("SANDGATE_BWRAP"), *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *found = NULL;

	if (env != NULL && env[0] != '\0')
		return access(env, X_OK) == 0 ? strdup(env) : NULL;
	if ((copy = strdup(path != NULL && path[0] != '\0' ? path : "/usr/bin:/bin")) == NULL)
		return NULL;
	for (dir = strtok_r(copy, ":", &save); dir != NULL && found == NULL; dir = strtok_r(NULL, ":", &save)) {
		char *cand = paths_join(dir, "bwrap");

		if (cand != NULL && access(cand, X_OK) == 0)
			found = cand;
		else
			free(cand);
	}
	free(copy);
	return found;
}

struct sandbox {
	const char *workspace_arg, *agent;
	bool print;
	int argc;
	char **argv;
	/* canonical paths, malloc'd */
	char *workspace, *rundir, *sock, *statedir, *confdir, *db, *cwd;
	char session[64];
};

/* The hidden dirs must not hold the workspace: it would be hidden too. */
static int
check_workspace(const struct sandbox *s)
{
	const char *hidden[] = { s->rundir, s->statedir, s->confdir };

	if (strcmp(s->workspace, "/") == 0) {
		cli_err("sandbox", "the workspace cannot be / (everything would be writable)");
		return -1;
	}
	for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++) {
		if (hidden[i] != NULL && path_within(s->workspace, hidden[i])) {
			cli_err("sandbox", "the workspace %s is inside sandgate's own %s, which the "
			    "sandbox hides", s->workspace, hidden[i]);
			return -1;
		}
	}
	return 0;
}

/* Resolve the workspace, the broker's socket and sandgate's own dirs. */
static int
resolve(struct sandbox *s)
{
	char *dir = paths_runtime_dir(), *db = paths_db(), *conf = paths_config_dir(), *raw;
	char cwd[PATH_MAX];
	struct stat st;
	int rc = -1;

	if (dir == NULL || db == NULL || conf == NULL) {
		cli_err("sandbox", "out of memory");
		goto out;
	}
	s->workspace = canonical(s->workspace_arg != NULL ? s->workspace_arg : ".");
	if (s->workspace == NULL || stat(s->workspace, &st) < 0 || !S_ISDIR(st.st_mode)) {
		cli_err("sandbox", "workspace %s is not a directory", s->workspace_arg ? s->workspace_arg : ".");
		goto out;
	}
	s->rundir = canonical(dir);
	raw = s->rundir != NULL ? paths_join(s->rundir, "agent.sock") : NULL;
	if (raw == NULL || stat(raw, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		cli_err("sandbox", "no broker: %s/agent.sock is missing (start it with `sandgate broker`)", dir);
		free(raw);
		rc = -3;
		goto out;
	}
	s->sock = raw;
	s->db = canonical(db);
	if (s->db != NULL) {
		char *slash = strrchr(s->db, '/'), *d = strndup(s->db, slash > s->db ? (size_t)(slash - s->db) : 1);

		/* a dir of its own (the default .../sandgate/) is hidden whole */
		if (d != NULL && strcmp(strrchr(d, '/') != NULL ? strrchr(d, '/') + 1 : d, "sandgate") == 0)
			s->statedir = d;
		else
			free(d);
	}
	s->confdir = canonical(conf);
	s->cwd = getcwd(cwd, sizeof cwd) != NULL && path_within(cwd, s->workspace) ? strdup(cwd) : strdup(s->workspace);
	rc = check_workspace(s);
out:
	free(dir);
	free(db);
	free(conf);
	return rc;
}

/* Paths under /tmp and /run are not there at all inside (fresh tmpfs),
 * unless the workspace brings them back. */
static bool
needs_hiding(const struct sandbox *s, const char *path)
{
	return path_within(path, s->workspace) ||
	    !(path_within(path, "/tmp") || path_within(path, "/run"));
}

/* The database's own files, masked one by one when its dir is shared. */
static void
mask_db(struct argv_buf *b, const struct sandbox *s, char **owned, int *nowned)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };

	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		size_t n = strlen(s->db) + strlen(suffixes[i]) + 1;
		char *f = malloc(n);

		if (f == NULL)
			continue;
		snprintf(f, n, "%s%s", s->db, suffixes[i]);
		if (access(f, F_OK) == 0 && needs_hiding(s, f)) {
			push3(b, "--ro-bind", "/dev/null", f);
			owned[(*nowned)++] = f;
		} else {
			free(f);
		}
	}
}

/* The bwrap command line; the order of mounts matters: later ones cover
 * earlier ones, so the hiding tmpfs come after the workspace bind. */
static void
build(struct argv_buf *b, const char *bwrap, const struct sandbox *s, char **owned, int *nowned)
{
	push(b, bwrap);
	push3(b, "--ro-bind", "/", "/");
	push3(b, "--dev", "/dev", NULL);
	push3(b, "--proc", "/proc", NULL);
	push3(b, "--tmpfs", "/tmp", NULL);
	push3(b, "--tmpfs", "/run", NULL);
	push3(b, "--bind", s->workspace, s->workspace);
	if (needs_hiding(s, s->rundir))
		push3(b, "--tmpfs", s->rundir, NULL);
	if (s->statedir != NULL && needs_hiding(s, s->statedir))
		push3(b, "--tmpfs", s->statedir, NULL);
	else if (s->statedir == NULL && s->db != NULL)
		mask_db(b, s, owned, nowned);
	if (s->confdir != NULL && needs_hiding(s, s->confdir))
		push3(b, "--tmpfs", s->confdir, NULL);
	/* the sandgate binary itself must stay runnable inside (for `sandgate
	 * exec` and the hooks) even when it lives under a hidden /tmp or /run */
	{
		char *self = realpath("/proc/self/exe", NULL);

		if (self != NULL && *nowned < 8) {
			owned[(*nowned)++] = self;
			push3(b, "--ro-bind", self, self);
		} else {
			free(self);
		}
	}
	/* a dir of our own, 0700, for the socket: the client inside trusts the
	 * broker (whose uid may show as the overflow uid there) only in such a
	 * dir (proto/trust.h); the broker was checked before (broker_trusted) */
	push3(b, "--perms", "0700", NULL);
	push3(b, "--dir", SANDBOX_DIR, NULL);
	push3(b, "--bind", s->sock, SANDBOX_DIR "/agent.sock");
	push(b, "--unshare-all");
	push(b, "--die-with-parent");
	push(b, "--new-session");
	push3(b, "--cap-drop", "ALL", NULL);
	push3(b, "--setenv", "SANDGATE_DIR", SANDBOX_DIR);
	push3(b, "--setenv", "SANDGATE_AGENT", s->agent);
	push3(b, "--setenv", "SANDGATE_SESSION", s->session);
	push3(b, "--setenv", "SANDGATE_SANDBOX", "1");
	push3(b, "--unsetenv", "SANDGATE_DB", NULL);
	push3(b, "--unsetenv", "XDG_RUNTIME_DIR", NULL);
	push3(b, "--unsetenv", "SSH_AUTH_SOCK", NULL);
	push3(b, "--unsetenv", "DBUS_SESSION_BUS_ADDRESS", NULL);
	push3(b, "--chdir", s->cwd, NULL);
	push(b, "--");
	for (int i = 0; i < s->argc; i++)
		push(b, s->argv[i]);
}

static int
parse(struct sandbox *s, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "workspace", required_argument, NULL, 'w' },
		{ "agent", required_argument, NULL, 'a' },
		{ "print", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env;
	int c;

	optind = 1;
	while ((c = cli_getopt("sandbox", argc, argv, "+w:a:p", opts)) != -1) {
		switch (c) {
		case 'w': s->workspace_arg = optarg; break;
		case 'a': s->agent = optarg; break;
		case 'p': s->print = true; break;
		default: return -1;
		}
	}
	s->argc = argc - optind;
	s->argv = argv + optind;
	if (s->argc == 0) {
		cli_err("sandbox", "nothing to run: give the command after --");
		return -1;
	}
	if (s->agent == NULL)
		s->agent = (env = getenv("SANDGATE_AGENT")) != NULL && env[0] != '\0' ? env : "sandbox";
	if ((env = getenv("SANDGATE_SESSION")) != NULL && env[0] != '\0')
		snprintf(s->session, sizeof s->session, "%.63s", env);
	else
		snprintf(s->session, sizeof s->session, "sandbox-%ld", (long)getpid());
	return 0;
}

static void
print_argv(char **v)
{
	for (int i = 0; v[i] != NULL; i++) {
		bool plain = v[i][0] != '\0' && strspn(v[i], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == strlen(v[i]);

		if (plain) {
			fputs(v[i], stdout);
		} else {
			putchar('\'');
			for (const char *p = v[i]; *p != '\0'; p++)
				fputs(*p == '\'' ? "'\\''" : (char[]){ *p, '\0' }, stdout);
			putchar('\'');
		}
		putchar(v[i + 1] != NULL ? ' ' : '\n');
	}
}

/* Is the broker behind agent.sock one we may trust (proto/trust.h)?  Checked
 * out here, where its true uid shows, before its socket is bound inside. */
static int
broker_trusted(void)
{
	char *dir = paths_runtime_dir(), *path = dir != NULL ? paths_join(dir, "agent.sock") : NULL;
	char err[PATH_MAX + 512];
	enum client_fail why = CLIENT_FAIL_ERROR;
	sg_client *c = path != NULL ? client_open(path, ROLE_AGENT, "sandgate-sandbox", 5000, &why,
	    err, sizeof err) : NULL;

	if (c == NULL)
		cli_err("sandbox", "%s%s", why == CLIENT_FAIL_UNTRUSTED || why == CLIENT_FAIL_DENIED ? "" :
		    "broker unreachable: ", path != NULL ? err : "out of memory");
	client_close(c);
	free(dir);
	free(path);
	return c != NULL ? 0 : -1;
}

static int
run(int argc, char **argv)
{
	struct sandbox s = { 0 };
	struct argv_buf b = { 0 };
	char *bwrap = NULL, *owned[8];
	int nowned = 0, rc;

	if (parse(&s, argc, argv) < 0)
		return EXIT_USAGE;
	if ((rc = resolve(&s)) < 0) {
		rc = rc == -3 ? EXIT_UNREACHABLE : EXIT_SANDBOX;
		goto out;
	}
	if (broker_trusted() < 0) {
		rc = EXIT_UNREACHABLE;
		goto out;
	}
	if ((bwrap = find_bwrap()) == NULL) {
		cli_err("sandbox", "bubblewrap (bwrap) not found: install the bubblewrap package "
		    "or set SANDGATE_BWRAP");
		rc = EXIT_SANDBOX;
		goto out;
	}
	build(&b, bwrap, &s, owned, &nowned);
	if (b.oom) {
		cli_err("sandbox", "out of memory");
		rc = EXIT_SANDBOX;
		goto out;
	}
	if (s.print) {
		print_argv(b.v);
		rc = EXIT_OK;
		goto out;
	}
	fflush(stdout);
	execv(bwrap, b.v);
	cli_err("sandbox", "cannot run %s: %s", bwrap, strerror(errno));
	rc = EXIT_SANDBOX;
out:
	for (int i = 0; i < nowned; i++)
		free(owned[i]);
	free(b.v);
	free(bwrap);
	free(s.workspace);
	free(s.rundir);
	free(s.sock);
	free(s.statedir);
	free(s.confdir);
	free(s.db);
	free(s.cwd);
	return rc;
}

const struct cli_cmd cmd_sandbox = {
	.name = "sandbox",
	.args = "[--workspace DIR] [--agent NAME] [--print] -- CMD...",
	.summary = "run CMD under bubblewrap, able to ask the broker and nothing else",
	.help =
	    "  -w, --workspace DIR   the one writable directory (default: current dir)\n"
	    "  -a, --agent NAME      agent name for requests from inside (SANDGATE_AGENT;\n"
	    "                        default $SANDGATE_AGENT or \"sandbox\")\n"
	    "  -p, --print           print the bubblewrap command instead of running it\n"
	    "\n"
	    "Inside: / read-only, the workspace writable, fresh /tmp, /run and /dev, no\n"
	    "network (all namespaces unshared), no capabilities, a new session, killed\n"
	    "with its parent.  sandgate's runtime, state and config dirs are hidden; only\n"
	    "agent.sock is bound back, at " SANDBOX_DIR "/agent.sock (SANDGATE_DIR), so CMD\n"
	    "can ask with `sandgate exec` or `sandgate ask` but never decide.  The broker\n"
	    "is checked first, as every client checks it (not another user's).\n"
	    "Exit status: CMD's, or 3 no broker running (or not one to trust), 125 the\n"
	    "sandbox could not be set up (bwrap missing or failing).\n",
	.run = run,
};
