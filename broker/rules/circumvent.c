/* circumvent.c -- circumvention signals: retries of denied requests, edits of
 * agent settings, sandbox escapes, and reaching for sandgate itself. */
#include "broker/rules/circumvent.h"
#include "proto/table.h"
#include "broker/intent/selfref.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define RETRY_WINDOW_MS (15LL * 60 * 1000)
#define DENIALS_KEPT 16
#define SESSIONS_KEPT 1024
#define TOKENS_MAX 64

struct fingerprint {
	uint64_t tok[TOKENS_MAX];   /* every token */
	bool strong[TOKENS_MAX];    /* files, hosts, MCP tools */
	bool arg[TOKENS_MAX];       /* an argument, not the program or subcommand */
	uint64_t key;               /* program + subcommand of the first command, or 0 */
	size_t n;
	bool read_only_kind;        /* a read request: file tokens do not make a retry */
};

struct denial {
	int64_t at;
	struct fingerprint fp;
};

struct sess {
	char *id;
	struct denial d[DENIALS_KEPT];
	size_t n, next;
	struct sess *prev, *next_lru;
};

struct circ {
	table *sessions;
	struct sess *lru_head, *lru_tail; /* most recent first */
	size_t nsess;
	char *runtime_dir, *db_path, *config_dir, *exe;
	char pid[24];
};

static const struct {
	const char *id, *text;
} reasons[CIRC_NSIGNALS] = {
	{ "circumvention.retry", "resembles a request denied in this session (a retry in other words?)" },
	{ "circumvention.agent-config", "changes an agent's own settings or hook files" },
	{ "circumvention.sandbox-off", "asks to run outside the sandbox" },
	{ "circumvention.sandgate", "reaches sandgate's own sockets, database, config, binary or process" },
	{ "circumvention.agent-instructions",
	  "changes instructions an agent obeys in its next session (CLAUDE.md, AGENTS.md, .cursorrules...)" },
};

const char *circ_reason_id(unsigned i) { return i < CIRC_NSIGNALS ? reasons[i].id : "?"; }
const char *circ_reason_text(unsigned i) { return i < CIRC_NSIGNALS ? reasons[i].text : "?"; }

/* Programs that only read: naming an agent's settings file is not an edit. */
static const char *const reader_programs[] = {
	"cat", "less", "more", "head", "tail", "grep", "egrep", "fgrep", "rg", "ag", "ls", "stat",
	"file", "wc", "diff", "cmp", "bat", "tree", "md5sum", "sha1sum", "sha256sum", "jq", "nl",
	"realpath", "readlink", "test", "[", "du", "echo", "printf",
};

static const char *const sandbox_flags[] = {
	"--dangerously-skip-permissions", "--dangerously-bypass-approvals-and-sandbox",
	"--allow-dangerously-skip-permissions", "danger-full-access", "bypassPermissions",
};

/* sandgate subcommands that act as a reviewer, on the broker or on the hooks. */
static const char *const console_subcommands[] = {
	"decide", "rules", "broker", "console", "pane", "pending", "status", "audit", "install", "uninstall",
	"demo",
};

static char *
dup_path(const char *p)
{
	char *d;

	if (p == NULL || p[0] != '/' || (d = strdup(p)) == NULL)
		return NULL;
	paths_normalize(d);
	return d;
}

circ *
circ_new(const struct circ_env *env)
{
	circ *c = calloc(1, sizeof *c);

	if (c == NULL || (c->sessions = table_new()) == NULL) {
		free(c);
		return NULL;
	}
	c->runtime_dir = dup_path(env->runtime_dir);
	c->db_path = dup_path(env->db_path);
	c->config_dir = dup_path(env->config_dir);
	if (env->broker_pid > 0)
		snprintf(c->pid, sizeof c->pid, "%ld", (long)env->broker_pid);
	{
		/* the broker's own binary: naming it is naming sandgate */
		char buf[4096];
		ssize_t l = readlink("/proc/self/exe", buf, sizeof buf - 1);

		if (l > 0) {
			buf[l] = '\0';
			c->exe = strdup(buf);
		}
	}
	return c;
}

void
circ_free(circ *c)
{
	struct sess *s, *next;

	if (c == NULL)
		return;
	for (s = c->lru_head; s != NULL; s = next) {
		next = s->next_lru;
		free(s->id);
		free(s);
	}
	table_free(c->sessions);
	free(c->runtime_dir);
	free(c->db_path);
	free(c->config_dir);
	free(c->exe);
	free(c);
}

static bool
in_list(const char *w, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(w, list[i]) == 0)
			return true;
	return false;
}

#define IN_LIST(w, list) in_list((w), (list), sizeof (list) / sizeof (list)[0])

/* ---- path classes ---- */

bool
circ_is_agent_config(const char *path, const char *home)
{
	static const char *const dirs[] = { ".codex", ".gemini", ".cursor", ".continue", ".aider", ".windsurf",
		".qwen", ".kiro", ".roo" };
	static const char *const files[] = { ".mcp.json", ".claude.json", ".aider.conf.yml" };
	const char *p = path;

	(void)home;
	while (*p != '\0') {
		size_t n;
		char comp[64];

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0)
			break;
		if (n < sizeof comp) {
			memcpy(comp, p, n);
			comp[n] = '\0';
			if (strcasecmp(comp, ".claude") == 0) {
				/* a worktree under .claude/worktrees is a checkout, not settings
				 * (but its own .claude is) */
				if (strncasecmp(p + n, "/worktrees/", 11) != 0 || p[n + 11] == '\0')
					return true;
				p += n + 11;
				p += strcspn(p, "/");
				continue;
			}
			for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
				if (strcasecmp(comp, dirs[i]) == 0)
					return true;
			for (size_t i = 0; p[n] == '\0' && i < sizeof files / sizeof files[0]; i++)
				if (strcasecmp(comp, files[i]) == 0)
					return true;
		}
		p += n;
	}
	return false;
}

/* Is path one of sandgate's own files? */
static bool
is_sandgate_path(const circ *c, const char *path)
{
	size_t n;

	if (path == NULL)
		return false;
	if ((c->runtime_dir != NULL && subject_path_within(path, c->runtime_dir)) ||
	    (c->config_dir != NULL && subject_path_within(path, c->config_dir)))
		return true;
	if (c->db_path == NULL)
		return false;
	n = strlen(c->db_path);
	return strncmp(path, c->db_path, n) == 0 &&
	    (path[n] == '\0' || strcmp(path + n, "-wal") == 0 || strcmp(path + n, "-shm") == 0 ||
	     strcmp(path + n, "-journal") == 0);
}

/* Does text mention dir as a path (socat UNIX-CONNECT:/run/.../console.sock)? */
static bool
mentions(const char *text, const char *dir)
{
	size_t n;
	const char *hit;

	if (dir == NULL || strcmp(dir, "/") == 0)
		return false;
	n = strlen(dir);
	for (hit = strstr(text, dir); hit != NULL; hit = strstr(hit + 1, dir)) {
		char after = hit[n];

		if (after == '\0' || after == '/' || after == '-' || after == '"' || after == '\'' ||
		    after == ' ' || after == ',')
			return true;
	}
	return false;
}

/* The resolved path a word names, if it looks like one (filled in when the
 * subject was built), or NULL. */
static const char *
word_path(const struct subj_word *w)
{
	return w->dynamic ? NULL : w->path;
}

/* ---- signals ---- */

static int
check_sandbox_off(const struct subject *s)
{
	if (s->flags & SUBJ_SANDBOX_OFF)
		return 0;
	for (size_t i = 0; i < s->nparts; i++) {
		const struct subj_part *p = &s->parts[i];

		if (p->kind != SK_EXEC)
			continue;
		for (size_t j = 1; j < p->nwords; j++) {
			const char *w = p->words[j].text;

			if (IN_LIST(w, sandbox_flags) ||
			    (strcmp(w, "--yolo") == 0 && p->program != NULL &&
			     (strcmp(p->program, "gemini") == 0 || strcmp(p->program, "codex") == 0 ||
			      strcmp(p->program, "qwen") == 0)))
				return (int)i;
		}
	}
	return -1;
}

static int
check_agent_config(const struct subject *s)
{
	for (size_t i = 0; i < s->nparts; i++) {
		const struct subj_part *p = &s->parts[i];

		if (p->marks & PART_AGENT_CONFIG)
			return (int)i; /* the scorer saw it written (tables/paths, any route) */
		if (p->kind == SK_WRITE || p->kind == SK_EDIT || p->kind == SK_DELETE) {
			if (p->path != NULL && circ_is_agent_config(p->path, s->home))
				return (int)i;
			continue;
		}
		if (p->kind != SK_EXEC || p->program == NULL || IN_LIST(p->program, reader_programs))
			continue;
		for (size_t j = 1; j < p->nwords; j++) {
			const char *path = word_path(&p->words[j]);

			/* the script the command runs (a skill under ~/.codex, issue
			 * #17): running it is rated by the scorer (run:agent-config),
			 * and a rule for it pins its content (pin.h) */
			if (path != NULL && p->run_path != NULL && strcmp(path, p->run_path) == 0)
				continue;
			if (path != NULL && circ_is_agent_config(path, s->home))
				return (int)i;
		}
	}
	return -1;
}

/* Instructions an agent obeys next session (the scorer's class
 * agent-instructions, written by any route). */
static int
check_agent_instr(const struct subject *s)
{
	for (size_t i = 0; i < s->nparts; i++)
		if (s->parts[i].marks & PART_AGENT_INSTR)
			return (int)i;
	return -1;
}

static int
check_sandgate(const circ *c, const struct subject *s)
{
	struct selfref_env env = { c->runtime_dir, c->config_dir, c->db_path, c->exe };
	const char *at;
	size_t len;

	for (size_t i = 0; i < s->nparts; i++) {
		const struct subj_part *p = &s->parts[i];

		if (p->marks & PART_SANDGATE)
			return (int)i; /* named in code, content, arguments, a glob (selfref.h) */
		if (p->kind != SK_EXEC) {
			if (is_sandgate_path(c, p->path))
				return (int)i;
			continue;
		}
		if (p->program == NULL)
			continue;
		if (strcmp(p->program, "sandgate") == 0 || (strlen(p->program) > 9 &&
		    strcmp(p->program + strlen(p->program) - 9, "/sandgate") == 0)) {
			if (p->nwords > 1 && IN_LIST(p->words[1].text, console_subcommands))
				return (int)i;
		}
		if (c->exe != NULL && strcmp(p->words[0].text, c->exe) == 0 && p->nwords > 1 &&
		    IN_LIST(p->words[1].text, console_subcommands))
			return (int)i;
		for (size_t j = 1; j < p->nwords; j++) {
			const char *t = p->words[j].text;

			if (mentions(t, c->runtime_dir) || mentions(t, c->db_path) || mentions(t, c->config_dir) ||
			    selfref_find(&env, t, strlen(t), &at, &len))
				return (int)i;
			if ((strcmp(p->program, "kill") == 0 || strcmp(p->program, "pkill") == 0 ||
			     strcmp(p->program, "killall") == 0) &&
			    ((c->pid[0] != '\0' && strcmp(t, c->pid) == 0) || strstr(t, "sandgate") != NULL))
				return (int)i;
			if (is_sandgate_path(c, word_path(&p->words[j])))
				return (int)i;
		}
	}
	return -1;
}

/* ---- retries ---- */

static uint64_t
fnv(const char *tag, const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *tag; tag++)
		h = (h ^ (unsigned char)*tag) * 1099511628211ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h ? h : 1;
}

static void
add_tok(struct fingerprint *fp, const char *tag, const char *s, bool strong)
{
	uint64_t h = fnv(tag, s);
	bool arg = tag[0] != 'p' && tag[0] != 's';

	for (size_t i = 0; i < fp->n; i++)
		if (fp->tok[i] == h) {
			fp->strong[i] |= strong;
			return;
		}
	if (fp->n < TOKENS_MAX) {
		fp->strong[fp->n] = strong;
		fp->arg[fp->n] = arg;
		fp->tok[fp->n++] = h;
	}
}

/* The host of a URL-looking word, into buf; NULL if none. */
static const char *
url_host(const char *w, char *buf, size_t cap)
{
	const char *p = strstr(w, "://");
	size_t n;

	if (p == NULL)
		return NULL;
	p += 3;
	n = strcspn(p, "/:?#@");
	if (n == 0 || n >= cap)
		return NULL;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] - 'A' + 'a' : p[i]);
	buf[n] = '\0';
	return buf;
}

static bool
boring_word(const char *t)
{
	size_t n = strlen(t), digits = 0;

	for (size_t i = 0; i < n; i++)
		digits += t[i] >= '0' && t[i] <= '9';
	return n < 3 || digits == n;
}

static void
exec_tokens(struct fingerprint *fp, const struct subject *s, const struct subj_part *p)
{
	char key[512], host[256];

	add_tok(fp, "p:", p->program, false);
	const char *sub = p->subcommand != NULL ? p->subcommand :
	    p->nwords > 1 && !p->words[1].dynamic && p->words[1].text[0] != '-' &&
	    strpbrk(p->words[1].text, "./~") == NULL ? p->words[1].text : "";

	snprintf(key, sizeof key, "%s %s", p->program, sub);
	add_tok(fp, "s:", key, false);
	if (fp->key == 0)
		fp->key = fnv("s:", key);
	for (size_t j = 1; j < p->nwords; j++) {
		const struct subj_word *w = &p->words[j];
		const char *path;

		if (w->dynamic || w->text[0] == '-' || (j == 1 && strcmp(w->text, sub) == 0))
			continue; /* the subcommand is part of the key, not an argument */
		if (url_host(w->text, host, sizeof host) != NULL) {
			add_tok(fp, "h:", host, true);
			continue;
		}
		path = word_path(w);
		if (path != NULL && strcmp(path, "/dev/null") != 0 && strcmp(path, "/tmp") != 0 &&
		    (s->cwd == NULL || strcmp(path, s->cwd) != 0) &&
		    (s->workspace == NULL || strcmp(path, s->workspace) != 0))
			add_tok(fp, "f:", path, true);
		else if (!boring_word(w->text))
			add_tok(fp, "a:", w->text, false);
	}
}

static void
fingerprint(struct fingerprint *fp, const struct subject *s)
{
	char mcp[512];

	memset(fp, 0, sizeof *fp);
	fp->read_only_kind = s->kind == SK_READ;
	for (size_t i = 0; i < s->nparts; i++) {
		const struct subj_part *p = &s->parts[i];

		switch (p->kind) {
		case SK_EXEC:
			if (p->program != NULL)
				exec_tokens(fp, s, p);
			break;
		case SK_NET:
			if (p->host != NULL)
				add_tok(fp, "h:", p->host, true);
			break;
		case SK_MCP:
			snprintf(mcp, sizeof mcp, "%s.%s", p->server ? p->server : "", p->tool ? p->tool : "");
			add_tok(fp, "m:", mcp, true);
			break;
		case SK_OTHER:
			if (p->tool != NULL)
				add_tok(fp, "o:", p->tool, false);
			break;
		default:
			if (p->path != NULL)
				add_tok(fp, "f:", p->path, true);
			break;
		}
	}
}

/* Does the new request resemble the denied one?  The same file, host or
 * tool (unless only reading it), or the same command reworded: a shared
 * argument and most tokens in common. */
static bool
resembles(const struct fingerprint *now, const struct fingerprint *then)
{
	size_t shared = 0, shared_args = 0;

	for (size_t i = 0; i < now->n; i++) {
		for (size_t j = 0; j < then->n; j++) {
			if (now->tok[i] != then->tok[j])
				continue;
			shared++;
			if (now->strong[i] && then->strong[j] && !now->read_only_kind)
				return true;
			shared_args += now->arg[i];
		}
	}
	if (shared_args == 0 || now->n + then->n == shared)
		return false;
	/* Jaccard over tokens: 0.5 with the same command, 0.7 otherwise */
	return 10 * shared >= (now->key != 0 && now->key == then->key ? 5u : 7u) * (now->n + then->n - shared);
}

static struct sess *
find_sess(circ *c, const char *session, bool create)
{
	struct sess *s = table_get(c->sessions, session, strlen(session));

	if (s == NULL && create) {
		if (c->nsess >= SESSIONS_KEPT) {
			struct sess *old = c->lru_tail;

			table_del(c->sessions, old->id, strlen(old->id));
			c->lru_tail = old->prev;
			if (c->lru_tail != NULL)
				c->lru_tail->next_lru = NULL;
			else
				c->lru_head = NULL;
			free(old->id);
			free(old);
			c->nsess--;
		}
		if ((s = calloc(1, sizeof *s)) == NULL || (s->id = strdup(session)) == NULL ||
		    table_put(c->sessions, s->id, strlen(s->id), s) < 0) {
			if (s != NULL)
				free(s->id);
			free(s);
			return NULL;
		}
		c->nsess++;
	} else if (s != NULL) {
		/* unlink to move to the front */
		if (s->prev != NULL)
			s->prev->next_lru = s->next_lru;
		else
			c->lru_head = s->next_lru;
		if (s->next_lru != NULL)
			s->next_lru->prev = s->prev;
		else
			c->lru_tail = s->prev;
	}
	if (s == NULL)
		return NULL;
	s->prev = NULL;
	s->next_lru = c->lru_head;
	if (c->lru_head != NULL)
		c->lru_head->prev = s;
	c->lru_head = s;
	if (c->lru_tail == NULL)
		c->lru_tail = s;
	return s;
}

static int
check_retry(circ *c, const char *session, const struct subject *s, int64_t now_ms)
{
	struct sess *ss = table_get(c->sessions, session, strlen(session));
	struct fingerprint fp;

	if (ss == NULL || ss->n == 0 || s->unparsed)
		return -1;
	fingerprint(&fp, s);
	for (size_t i = 0; i < ss->n; i++) {
		const struct denial *d = &ss->d[i];

		if (now_ms - d->at <= RETRY_WINDOW_MS && resembles(&fp, &d->fp))
			return 0;
	}
	return -1;
}

void
circ_note_denial(circ *c, const char *session, const struct subject *s, int64_t now_ms)
{
	struct sess *ss;

	if (s == NULL || s->unparsed || s->nparts == 0 || (ss = find_sess(c, session, true)) == NULL)
		return;
	ss->d[ss->next].at = now_ms;
	fingerprint(&ss->d[ss->next].fp, s);
	ss->next = (ss->next + 1) % DENIALS_KEPT;
	if (ss->n < DENIALS_KEPT)
		ss->n++;
}

unsigned
circ_check(circ *c, const char *session, const struct subject *s, int64_t now_ms,
    int part[CIRC_NSIGNALS])
{
	unsigned bits = 0;

	part[0] = check_retry(c, session, s, now_ms);
	part[1] = check_agent_config(s);
	part[2] = check_sandbox_off(s);
	part[3] = check_sandgate(c, s);
	part[4] = check_agent_instr(s);
	for (unsigned i = 0; i < CIRC_NSIGNALS; i++)
		if (part[i] >= 0)
			bits |= 1u << i;
	return bits;
}
