/* cmd_install.c -- `sandgate install|uninstall claude-code|codex|gemini
 * [--project DIR | --user]`: add (or remove) the sandgate hook in the agent's
 * own settings file, merged with what is there, with a backup, idempotent,
 * and never touching a file that does not parse. */
#include "cli/cli.h"
#include "cli/hook.h"
#include "proto/paths.h"

#include <errno.h>
#include <fcntl.h>
#include "cli/install_place.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Largest settings file we agree to read. */
#define SETTINGS_MAX (16u * 1024u * 1024u)

/* Where each agent keeps its hooks, and how its handler entry looks. */
static const struct target {
	const char *agent;
	const char *home_env;        /* env var overriding the user dir, or NULL */
	const char *user_dir;        /* under $HOME */
	const char *user_file;
	const char *project_file;    /* under --project DIR */
	const char *default_events;  /* comma list */
	const char *events[3];       /* events the adapter answers */
	int timeout_unit;            /* the agent's hook timeout unit: 1 s or 1000 ms */
	bool named;                  /* handler carries "name": "sandgate" */
	/* the handler's own fail-closed setting, where the agent has one:
	 * Claude Code's onFailure "block" (a hook that cannot start, times
	 * out, exits other than 0 or 2 or prints invalid JSON counts as exit 2,
	 * a block; @anthropic-ai/claude-agent-sdk 0.3.337 sdk.d.ts, settings
	 * hooks).  Codex 0.171.0 (hook schemas in its binary) and Gemini CLI
	 * 0.61.0 (hooks/types.d.ts CommandHookConfig) have none. */
	bool on_failure_block;
} targets[] = {
	{
		.agent = "claude-code", .user_dir = ".claude", .user_file = "settings.json",
		.project_file = ".claude/settings.local.json",
		.default_events = "PreToolUse,PermissionRequest,PreSkillShellCommand",
		.events = { "PreToolUse", "PermissionRequest", "PreSkillShellCommand" }, .timeout_unit = 1,
		.on_failure_block = true,
	},
	{
		.agent = "codex", .home_env = "CODEX_HOME", .user_dir = ".codex", .user_file = "hooks.json",
		.project_file = ".codex/hooks.json",
		.default_events = "PermissionRequest",
		.events = { "PreToolUse", "PermissionRequest" }, .timeout_unit = 1,
	},
	{
		.agent = "gemini", .user_dir = ".gemini", .user_file = "settings.json",
		.project_file = ".gemini/settings.json",
		.default_events = "BeforeTool",
		.events = { "BeforeTool" }, .timeout_unit = 1000, .named = true,
	},
};

struct opts {
	const char *cmd;         /* "install" or "uninstall", for messages */
	const struct target *t;
	const char *project;
	bool user, dry_run, force;
	int timeout_s;           /* the agent-side hook timeout we write */
	char events[128];
};

/* ---- file handling ---- */

/* mkdir -p for the parents of file (mode 0755 before umask). */
static int
make_parents(const char *file)
{
	char *d = strdup(file);

	if (d == NULL)
		return -1;
	for (char *s = d + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(d, 0755) < 0 && errno != EEXIST) {
			cli_err("install", "cannot create %s: %s", d, strerror(errno));
			free(d);
			return -1;
		}
		*s = '/';
	}
	free(d);
	return 0;
}

/* Read file into *root; a missing or blank file is {}.  -1 (reported) when
 * it cannot be read or parsed, or is not a JSON object. */
static int
load(const char *path, json_t **root, bool *existed, const char *cmd)
{
	json_error_t e;
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n = 0, cap = 65536;
	bool blank = true;

	*existed = f != NULL;
	if (f == NULL) {
		if (errno != ENOENT) {
			cli_err(cmd, "cannot read %s: %s", path, strerror(errno));
			return -1;
		}
		*root = json_object();
		return 0;
	}
	if ((buf = malloc(cap)) == NULL) {
		fclose(f);
		return -1;
	}
	for (size_t r; (r = fread(buf + n, 1, cap - n, f)) > 0;) {
		n += r;
		if (n == cap) {
			char *nb = cap < SETTINGS_MAX ? realloc(buf, cap * 2) : NULL;

			if (nb == NULL) {
				cli_err(cmd, "%s is too large to be a settings file; not touching it", path);
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	for (size_t i = 0; i < n; i++)
		blank &= buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n';
	*root = blank ? json_object() : json_loadb(buf, n, JSON_REJECT_DUPLICATES, &e);
	free(buf);
	if (*root == NULL) {
		cli_err(cmd, "cannot parse %s (line %d, column %d: %s); not touching it", path,
		    e.line, e.column, e.text);
		return -1;
	}
	if (!json_is_object(*root)) {
		cli_err(cmd, "%s does not hold a JSON object; not touching it", path);
		json_decref(*root);
		return -1;
	}
	return 0;
}

/* The fewest significant digits that print every real in v exactly. */
static int
real_digits(const json_t *v, int need)
{
	const char *k;
	json_t *e;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, k, e)
			need = real_digits(e, need);
		break;
	case JSON_ARRAY:
		json_array_foreach(v, i, e)
			need = real_digits(e, need);
		break;
	case JSON_REAL:
		for (int p = need; p < 17; p++) {
			char buf[64];

			snprintf(buf, sizeof buf, "%.*g", p, json_real_value(v));
			if (strtod(buf, NULL) == json_real_value(v))
				return p;
		}
		return 17;
	default:
		break;
	}
	return need;
}

static char *
render(const json_t *root)
{
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(real_digits(root, 1)));
	char *out;
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	if ((out = realloc(s, n + 2)) == NULL) {
		free(s);
		return NULL;
	}
	out[n] = '\n';
	out[n + 1] = '\0';
	return out;
}

/* Copy path to a fresh "<path>.sandgate-backup-<time>[-N]"; its name in out. */
static int
backup(const char *path, char *out, size_t outlen, const char *cmd)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int in = -1, fd = -1, rc = -1;

	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", localtime_r(&now, &tm));
	for (int i = 0; i < 100 && fd < 0; i++) {
		if (i == 0)
			snprintf(out, outlen, "%s.sandgate-backup-%s", path, stamp);
		else
			snprintf(out, outlen, "%s.sandgate-backup-%s-%d", path, stamp, i);
		fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0 || (in = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		cli_err(cmd, "cannot back up %s: %s", path, strerror(errno));
		goto out;
	}
	for (;;) {
		char buf[65536];
		ssize_t r = read(in, buf, sizeof buf);

		if (r == 0)
			break;
		if (r < 0 || write(fd, buf, (size_t)r) != r) {
			cli_err(cmd, "cannot back up %s: %s", path, strerror(errno));
			goto out;
		}
	}
	rc = fsync(fd);
out:
	if (in >= 0)
		close(in);
	if (fd >= 0 && close(fd) < 0)
		rc = -1;
	return rc;
}

/* Replace path with text atomically (temp file in the same dir, rename),
 * keeping the old file's mode. */
static int
write_atomic(const char *path, const char *text, bool existed, const char *cmd)
{
	size_t n = strlen(path) + 32;
	char *tmp = malloc(n);
	struct stat st;
	int fd;
	size_t len = strlen(text);

	if (tmp == NULL)
		return -1;
	snprintf(tmp, n, "%s.sandgate-tmp-%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || (existed && stat(path, &st) == 0 && fchmod(fd, st.st_mode & 07777) < 0) ||
	    write(fd, text, len) != (ssize_t)len || fsync(fd) < 0 || close(fd) < 0 ||
	    rename(tmp, path) < 0) {
		cli_err(cmd, "cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

/* ---- the merge ---- */

/* Is handler one of ours (any sandgate binary running `hook AGENT`)? */
static bool
is_ours(const json_t *handler, const struct target *t)
{
	const char *cmd = hook_str(handler, "command");
	char needle[64];

	if (cmd == NULL || strstr(cmd, "sandgate") == NULL)
		return false;
	snprintf(needle, sizeof needle, " hook %s", t->agent);
	for (const char *p = strstr(cmd, needle); p != NULL; p = strstr(p + 1, needle)) {
		char end = p[strlen(needle)];

		if (end == '\0' || end == ' ' || end == '\'' || end == '"')
			return true;
	}
	return false;
}

/* Take our handlers out of every group of one event's array; groups left
 * empty by that go too.  Returns the index where the first one was, or -1. */
static int
remove_ours(json_t *groups, const struct target *t)
{
	int first = -1;

	for (size_t i = 0; i < json_array_size(groups);) {
		json_t *g = json_array_get(groups, i), *hs = json_object_get(g, "hooks");
		bool had = false;

		for (size_t j = 0; json_is_array(hs) && j < json_array_size(hs);) {
			if (is_ours(json_array_get(hs, j), t)) {
				json_array_remove(hs, j);
				had = true;
			} else {
				j++;
			}
		}
		if (had && first < 0)
			first = (int)i;
		if (had && json_array_size(hs) == 0)
			json_array_remove(groups, i);
		else
			i++;
	}
	return first;
}

/* The shell command the agent runs: this binary, by absolute path. */
static char *
hook_command(const struct opts *o)
{
	char exe[PATH_MAX], *out, *w;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	size_t cap;

	if (n <= 0)
		snprintf(exe, sizeof exe, "sandgate");
	else
		exe[n] = '\0';
	cap = strlen(exe) * 4 + 64 + strlen(o->t->agent);
	if ((out = w = malloc(cap)) == NULL)
		return NULL;
	*w++ = '\'';
	for (const char *p = exe; *p != '\0'; p++) {
		if (*p == '\'') {
			memcpy(w, "'\\''", 4);
			w += 4;
		} else {
			*w++ = *p;
		}
	}
	snprintf(w, cap - (size_t)(w - out), "' hook %s --timeout %d", o->t->agent,
	    o->timeout_s > 20 ? o->timeout_s - 10 : o->timeout_s - 1 > 0 ? o->timeout_s - 1 : 1);
	return out;
}

static json_t *
make_handler(const struct opts *o)
{
	char *cmd = hook_command(o);
	json_t *h;

	if (cmd == NULL)
		return NULL;
	h = json_pack("{s:s,s:s,s:I}", "type", "command", "command", cmd, "timeout",
	    (json_int_t)o->timeout_s * o->t->timeout_unit);
	if (o->t->named && h != NULL)
		json_object_set_new(h, "name", json_string("sandgate"));
	if (o->t->on_failure_block && h != NULL)
		json_object_set_new(h, "onFailure", json_string("block"));
	free(cmd);
	return h;
}

/* hooks object of root (created when create), or NULL if it is not one. */
static json_t *
hooks_of(json_t *root, bool create, const char *path, const char *cmd)
{
	json_t *h = json_object_get(root, "hooks");

	if (h == NULL && create) {
		h = json_object();
		json_object_set_new(root, "hooks", h);
	}
	if (h != NULL && !json_is_object(h)) {
		cli_err(cmd, "%s: \"hooks\" is not an object; not touching it", path);
		return NULL;
	}
	return h;
}

static int
merge_install(json_t *root, const struct opts *o, const char *path)
{
	json_t *hooks = hooks_of(root, true, path, "install");
	char list[128], *save = NULL;

	if (hooks == NULL)
		return -1;
	snprintf(list, sizeof list, "%s", o->events);
	for (char *ev = strtok_r(list, ",", &save); ev != NULL; ev = strtok_r(NULL, ",", &save)) {
		json_t *groups = json_object_get(hooks, ev), *g;
		int at;

		if (groups == NULL) {
			groups = json_array();
			json_object_set_new(hooks, ev, groups);
		}
		if (!json_is_array(groups)) {
			cli_err("install", "%s: hooks.%s is not an array; not touching it", path, ev);
			return -1;
		}
		at = remove_ours(groups, o->t);
		g = json_pack("{s:[o]}", "hooks", make_handler(o));
		if (g == NULL)
			return -1;
		if (at >= 0 && (size_t)at <= json_array_size(groups))
			json_array_insert_new(groups, (size_t)at, g);
		else
			json_array_append_new(groups, g);
	}
	return 0;
}

static int
merge_uninstall(json_t *root, const struct opts *o, const char *path)
{
	json_t *hooks = hooks_of(root, false, path, "uninstall"), *groups;
	const char *ev;
	void *tmp;
	bool emptied = false;

	if (json_object_get(root, "hooks") != NULL && hooks == NULL)
		return -1;
	if (hooks == NULL)
		return 0;
	json_object_foreach_safe(hooks, tmp, ev, groups) {
		if (!json_is_array(groups) || remove_ours(groups, o->t) < 0)
			continue;
		if (json_array_size(groups) == 0) {
			json_object_del(hooks, ev);
			emptied = true;
		}
	}
	if (emptied && json_object_size(hooks) == 0)
		json_object_del(root, "hooks");
	return 0;
}

/* ---- commands ---- */

static char *
settings_path(const struct opts *o)
{
	const char *home = getenv("HOME"), *base;
	char *dir, *path;

	if (o->project != NULL) {
		char *p = realpath(o->project, NULL);
		struct stat st;

		if (p == NULL || stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
			cli_err(o->cmd, "--project %s is not a directory", o->project);
			free(p);
			return NULL;
		}
		path = paths_join(p, o->t->project_file);
		free(p);
		return path;
	}
	base = o->t->home_env != NULL ? getenv(o->t->home_env) : NULL;
	if (base != NULL && base[0] != '\0')
		return paths_join(base, o->t->user_file);
	if (home == NULL || home[0] == '\0') {
		cli_err(o->cmd, "HOME is not set; use --project DIR");
		return NULL;
	}
	dir = paths_join(home, o->t->user_dir);
	path = dir != NULL ? paths_join(dir, o->t->user_file) : NULL;
	free(dir);
	return path;
}

/* Follow a symlinked settings file to the file it names (dotfile managers). */
static char *
resolve_link(char *path, const char *cmd)
{
	struct stat st;
	char *real;

	if (lstat(path, &st) < 0 || !S_ISLNK(st.st_mode))
		return path;
	if ((real = realpath(path, NULL)) == NULL) {
		cli_err(cmd, "%s is a symlink to a missing file; not touching it", path);
		free(path);
		return NULL;
	}
	free(path);
	return real;
}

/* Check a comma list of events against what the adapter answers. */
static int
check_events(struct opts *o, const char *list)
{
	char copy[128], *save = NULL;

	if (strlen(list) >= sizeof copy) {
		cli_err("install", "--events list too long");
		return -1;
	}
	snprintf(copy, sizeof copy, "%s", list);
	for (char *ev = strtok_r(copy, ",", &save); ev != NULL; ev = strtok_r(NULL, ",", &save)) {
		bool ok = false;

		for (size_t i = 0; i < 3; i++)
			ok |= o->t->events[i] != NULL && strcmp(o->t->events[i], ev) == 0;
		if (!ok) {
			cli_err("install", "%s hooks do not include event '%s'", o->t->agent, ev);
			return -1;
		}
	}
	snprintf(o->events, sizeof o->events, "%s", list);
	return o->events[0] != '\0' ? 0 : -1;
}

static int
parse(struct opts *o, const char *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "project", required_argument, NULL, 'P' }, { "user", no_argument, NULL, 'u' },
		{ "events", required_argument, NULL, 'e' }, { "hook-timeout", required_argument, NULL, 't' },
		{ "dry-run", no_argument, NULL, 'n' }, { "force", no_argument, NULL, 'f' }, { NULL, 0, NULL, 0 },
	};
	const char *events = NULL;
	char *end;
	int c;

	o->timeout_s = 600;
	optind = 1;
	while ((c = cli_getopt(cmd, argc, argv, "P:ue:t:nf", opts)) != -1) {
		switch (c) {
		case 'P': o->project = optarg; break;
		case 'u': o->user = true; break;
		case 'e': events = optarg; break;
		case 'n': o->dry_run = true; break;
		case 'f': o->force = true; break;
		case 't':
			o->timeout_s = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || o->timeout_s < 2 || o->timeout_s > 86400) {
				cli_err(cmd, "--hook-timeout must be 2 to 86400 seconds");
				return -1;
			}
			break;
		default: return -1;
		}
	}
	if (argc - optind != 1) {
		cli_err(cmd, "expected one agent: claude-code, codex or gemini");
		return -1;
	}
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
		if (strcmp(argv[optind], targets[i].agent) == 0)
			o->t = &targets[i];
	if (o->t == NULL) {
		cli_err(cmd, "unknown agent '%s' (claude-code, codex or gemini)", argv[optind]);
		return -1;
	}
	if (o->project != NULL && o->user) {
		cli_err(cmd, "--project and --user exclude each other");
		return -1;
	}
	return check_events(o, events != NULL ? events : o->t->default_events);
}

/* Gemini only runs hooks when they are enabled; say so if this file turns
 * them off. */
static void
warn_disabled(const json_t *root, const char *path)
{
	const json_t *h = json_object_get(root, "hooks");
	const json_t *t = json_object_get(root, "tools");

	if (json_is_false(json_object_get(h, "enabled")) || json_is_false(json_object_get(t, "enableHooks")))
		fprintf(stderr, "sandgate install: note: %s disables hooks (hooks.enabled or "
		    "tools.enableHooks is false); the sandgate hook will not run until they are on\n", path);
}

/* First run (issue #16): a hook that runs a binary from a build tree or a
 * temp dir breaks when that is rebuilt or cleaned, and settings written
 * there are not the ones the agent reads.  -1 after saying so. */
static int
refuse_transient(const char *settings)
{
	char exe[PATH_MAX], why[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	if (n > 0) {
		exe[n] = '\0';
		if (place_is_transient(exe, why, sizeof why)) {
			cli_err("install", "the hook would run %s, which is inside %s: it stops working (and the "
			    "agent is denied everything) when that is rebuilt or removed.  Install sandgate first "
			    "(e.g. `cmake --install build --prefix ~/.local`) and run that one's install, or pass "
			    "--force", exe, why);
			return -1;
		}
	}
	if (place_is_transient(settings, why, sizeof why)) {
		cli_err("install", "%s is inside %s: an agent started elsewhere does not read it, and it goes "
		    "away with that directory.  Name the project with --project DIR, or pass --force", settings, why);
		return -1;
	}
	return 0;
}

/* First run: the hook denies everything until a broker runs; say so. */
static void
warn_no_broker(void)
{
	char why[PATH_MAX + 256];

	if (!place_broker_runs(why, sizeof why))
		fprintf(stderr, "sandgate install: warning: no broker is running (%s): until one runs, the "
		    "hook denies every tool call.  Start it with `sandgate broker`, or run `sandgate` (the "
		    "console starts one)\n", why);
}

static int
run_cmd(int argc, char **argv, bool install)
{
	const char *cmd = install ? "install" : "uninstall";
	struct opts o = { .cmd = cmd };
	char *path = NULL, *text = NULL, bak[PATH_MAX + 64] = "";
	json_t *root = NULL, *before = NULL;
	bool existed;
	int rc = EXIT_DENIED;

	if (parse(&o, cmd, argc, argv) < 0)
		return EXIT_USAGE;
	if ((path = settings_path(&o)) == NULL || (path = resolve_link(path, cmd)) == NULL)
		return EXIT_DENIED;
	if (install && !o.force && !o.dry_run && refuse_transient(path) < 0) {
		free(path);
		return EXIT_DENIED;
	}
	if (load(path, &root, &existed, cmd) < 0)
		goto out;
	before = json_deep_copy(root);
	if ((install ? merge_install(root, &o, path) : merge_uninstall(root, &o, path)) < 0)
		goto out;
	if (json_equal(root, before) || (!install && !existed)) {
		printf("sandgate %s: %s for %s in %s (nothing changed)\n", cmd,
		    install ? "the hook is already installed" : "no sandgate hook", o.t->agent, path);
		rc = EXIT_OK;
		goto out;
	}
	if ((text = render(root)) == NULL) {
		cli_err(cmd, "out of memory");
		goto out;
	}
	if (o.dry_run) {
		fputs(text, stdout);
		rc = EXIT_OK;
		goto out;
	}
	if ((existed && backup(path, bak, sizeof bak, cmd) < 0) || (!existed && make_parents(path) < 0) ||
	    write_atomic(path, text, existed, cmd) < 0)
		goto out;
	if (install)
		printf("sandgate install: %s hook (%s) installed in %s\n", o.t->agent, o.events, path);
	else
		printf("sandgate uninstall: %s hook removed from %s\n", o.t->agent, path);
	if (bak[0] != '\0')
		printf("  previous file kept as %s\n", bak);
	if (install && strcmp(o.t->agent, "gemini") == 0)
		warn_disabled(root, path);
	rc = EXIT_OK;
out:
	if (install && rc == EXIT_OK)
		warn_no_broker();
	free(text);
	free(path);
	json_decref(root);
	json_decref(before);
	return rc;
}

static int
run_install(int argc, char **argv)
{
	return run_cmd(argc, argv, true);
}

static int
run_uninstall(int argc, char **argv)
{
	return run_cmd(argc, argv, false);
}

#define INSTALL_WHERE \
	"  -u, --user            the user's settings (default): ~/.claude/settings.json,\n" \
	"                        $CODEX_HOME/hooks.json (~/.codex), ~/.gemini/settings.json\n" \
	"  -P, --project DIR     DIR/.claude/settings.local.json, DIR/.codex/hooks.json,\n" \
	"                        DIR/.gemini/settings.json\n" \
	"  -n, --dry-run         print the new file instead of writing it\n"

const struct cli_cmd cmd_install = {
	.name = "install",
	.args = "claude-code|codex|gemini [--project DIR | --user] [--events LIST] [--hook-timeout SEC]",
	.summary = "add the sandgate hook to an agent's settings file",
	.help =
	    INSTALL_WHERE
	    "  -e, --events LIST     hook events, comma separated (default: claude-code\n"
	    "                        PreToolUse,PermissionRequest,PreSkillShellCommand;\n"
	    "                        codex PermissionRequest;\n"
	    "                        gemini BeforeTool)\n"
	    "  -t, --hook-timeout SEC  the agent's timeout for the hook (default 600); the\n"
	    "                        hook's own deadline is set 10 s below it\n"
	    "  -f, --force           write even when this binary or the settings file is in a\n"
	    "                        build tree or a temporary directory (refused otherwise)\n"
	    "\n"
	    "The entry runs this sandgate binary by absolute path: run the install of an\n"
	    "installed sandgate, not of a build tree or a temp dir (those are refused without\n"
	    "--force).  A warning says when no broker runs (the hook then denies\n"
	    "everything).  Existing settings and hooks are kept; a previous sandgate entry\n"
	    "is replaced in place, so running it twice changes nothing.  The old file is kept as FILE.sandgate-backup-TIME.  A\n"
	    "file that is not valid JSON (comments, trailing commas) is never touched.\n"
	    "Exit status: 0 done or nothing to do, 1 refused, 2 usage.\n",
	.run = run_install,
};

const struct cli_cmd cmd_uninstall = {
	.name = "uninstall",
	.args = "claude-code|codex|gemini [--project DIR | --user]",
	.summary = "remove the sandgate hook from an agent's settings file",
	.help =
	    INSTALL_WHERE
	    "\n"
	    "Removes every sandgate hook entry for that agent (other hooks stay) and keeps\n"
	    "the old file as FILE.sandgate-backup-TIME.\n"
	    "Exit status: 0 done or nothing to do, 1 refused, 2 usage.\n",
	.run = run_uninstall,
};
