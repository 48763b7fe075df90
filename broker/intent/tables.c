/* tables.c -- parse, merge and index the data tables (see tables.h). */
#include "broker/intent/tables.h"
#include "broker/intent/arena.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The built-in tables, generated from broker/intent/tables/ at build time. */
struct table_blob {
	const char *name;
	const unsigned char *data;
	size_t len;
};
extern const struct table_blob sg_builtin_tables[];
extern const size_t sg_builtin_tables_count;

/* --- vocabularies ------------------------------------------------------------ */

static const char *const effect_names[EFF_COUNT] = {
	[EFF_READ] = "read", [EFF_VIEW] = "view", [EFF_WRITE] = "write",
	[EFF_OVERWRITE] = "overwrite", [EFF_DELETE] = "delete",
	[EFF_DELETE_RECURSIVE] = "delete-recursive", [EFF_CHMOD] = "chmod", [EFF_CHOWN] = "chown",
	[EFF_SETUID] = "setuid", [EFF_USE] = "use", [EFF_RUN] = "run", [EFF_DOWNLOAD] = "download",
	[EFF_UPLOAD] = "upload", [EFF_NETWORK] = "network", [EFF_LISTEN] = "listen",
	[EFF_REMOTE_EXEC] = "remote-exec", [EFF_PRIVILEGE] = "privilege",
	[EFF_PERSISTENCE] = "persistence", [EFF_PACKAGE_INSTALL] = "package-install",
	[EFF_DOWNLOAD_EXEC] = "download-exec", [EFF_KILL] = "kill",
	[EFF_HISTORY_REWRITE] = "history-rewrite", [EFF_DISCARD] = "discard",
	[EFF_FORCE_PUSH] = "force-push", [EFF_PUBLISH] = "publish", [EFF_DB_DESTROY] = "db-destroy",
	[EFF_CLOUD_DESTROY] = "cloud-destroy", [EFF_CLUSTER_DESTROY] = "cluster-destroy",
	[EFF_EXEC] = "exec", [EFF_SHELL] = "shell", [EFF_POWER] = "power",
	[EFF_SYSCONFIG] = "sysconfig", [EFF_DECODE] = "decode", [EFF_EXFILTRATE] = "exfiltrate",
	[EFF_SECRETS] = "secrets", [EFF_ENV_READ] = "env-read", [EFF_LIST] = "list",
};

static const char *const pclass_names[PC_COUNT + 1] = {
	[PC_SANDGATE] = "sandgate", [PC_DEVICE] = "device", [PC_SPECIAL] = "special",
	[PC_NETWORK] = "network", [PC_SECRET] = "secret", [PC_AGENT_CONFIG] = "agent-config",
	[PC_AGENT_INSTRUCTIONS] = "agent-instructions",
	[PC_PERSISTENCE] = "persistence", [PC_ROOT] = "root", [PC_HOME_ROOT] = "home-root",
	[PC_WORKSPACE_ROOT] = "workspace-root", [PC_WORKSPACE] = "workspace", [PC_TMP] = "tmp",
	[PC_SYSTEM] = "system", [PC_HOME_DOTFILE] = "home-dotfile", [PC_HOME] = "home",
	[PC_OUTSIDE] = "outside", [PC_UNKNOWN] = "unknown", [PC_NONE] = "none",
};

static const char *const hclass_names[HC_COUNT] = {
	[HC_LOCAL] = "local", [HC_PRIVATE] = "private", [HC_METADATA] = "metadata",
	[HC_KNOWN] = "known", [HC_EXFIL] = "exfil", [HC_EXTERNAL] = "external",
};

static const char *const pcl_names[PCL_COUNT] = {
	[PCL_SHELL] = "shell", [PCL_INTERP] = "interp", [PCL_INTERACTIVE] = "interactive",
	[PCL_READONLY] = "readonly", [PCL_META] = "meta", [PCL_DEBUGGER] = "debugger",
	[PCL_EDITOR] = "editor", [PCL_PAGER] = "pager", [PCL_BUILD] = "build", [PCL_TEST] = "test",
	[PCL_NET] = "net", [PCL_DOWNLOAD] = "download", [PCL_RAWNET] = "rawnet",
	[PCL_REMOTE] = "remote", [PCL_TRANSFER] = "transfer", [PCL_MAIL] = "mail",
	[PCL_SERVER] = "server", [PCL_CFGMGMT] = "cfgmgmt", [PCL_SNIFFER] = "sniffer",
	[PCL_PRINT] = "print", [PCL_BUILTIN] = "builtin", [PCL_CD] = "cd", [PCL_SOURCE] = "source",
	[PCL_EVAL] = "eval", [PCL_TRAP] = "trap", [PCL_SYSINFO] = "sysinfo",
	[PCL_ENVDUMP] = "envdump", [PCL_ADMIN] = "admin", [PCL_DELETE] = "delete",
	[PCL_FILEOPS] = "fileops", [PCL_PERM] = "perm", [PCL_ARCHIVE] = "archive",
	[PCL_VCS] = "vcs", [PCL_PKG] = "pkg", [PCL_CONTAINER] = "container", [PCL_CLOUD] = "cloud",
	[PCL_IAC] = "iac", [PCL_SECRETS] = "secrets", [PCL_DB] = "db", [PCL_KILL] = "kill",
	[PCL_SERVICE] = "service", [PCL_POWER] = "power", [PCL_SCHED] = "sched",
	[PCL_ACCOUNT] = "account", [PCL_DISK] = "disk", [PCL_FIREWALL] = "firewall",
	[PCL_FILESERVER] = "fileserver",
};

static const char *const code_lang_names[LANG_COUNT] = {
	[LANG_CODE] = "code", [LANG_AWK] = "awk", [LANG_SED] = "sed", [LANG_SQL] = "sql", [LANG_VIM] = "vim",
	[LANG_PY] = "py", [LANG_JS] = "js", [LANG_RB] = "rb", [LANG_PL] = "pl", [LANG_PHP] = "php",
	[LANG_LUA] = "lua", [LANG_R] = "r", [LANG_JL] = "jl", [LANG_OSA] = "osa", [LANG_PS] = "ps",
	[LANG_EL] = "el",
};

static const char *const code_sig_names[CS_COUNT] = {
	[CS_SHELL] = "shell", [CS_PRIVSHELL] = "privshell", [CS_EXEC] = "exec", [CS_EVAL] = "eval",
	[CS_NET] = "net", [CS_LISTEN] = "listen", [CS_SETUID] = "setuid", [CS_LOADLIB] = "loadlib",
	[CS_FILEREAD] = "fileread", [CS_FILEWRITE] = "filewrite", [CS_DELETE] = "delete",
	[CS_DECODE] = "decode", [CS_DBDROP] = "dbdrop", [CS_TABLEDROP] = "tabledrop",
	[CS_DELETEALL] = "deleteall", [CS_GRANT] = "grant", [CS_LINK] = "link",
	[CS_CMDARG] = "cmdarg", [CS_ENV] = "env", [CS_DYNAMIC] = "dynamic",
};

static const struct {
	const char *name;
	enum handler h;
} handler_names[] = {
	{ "shell", H_SHELL }, { "interp", H_INTERP }, { "awk", H_AWK }, { "find", H_FIND },
	{ "sed", H_SED }, { "tar", H_TAR }, { "ssh", H_SSH }, { "remote-copy", H_REMOTE_COPY }, { "move", H_MOVE },
	{ "patch", H_PATCH },
};

const char *
effect_name(enum effect e)
{
	return (unsigned)e < EFF_COUNT ? effect_names[e] : "?";
}

const char *
pclass_name(enum pclass c)
{
	return (unsigned)c <= PC_COUNT ? pclass_names[c] : "?";
}

const char *
hclass_name(enum hclass c)
{
	return (unsigned)c < HC_COUNT ? hclass_names[c] : "?";
}

const char *
code_sig_name(enum code_sig s)
{
	return (unsigned)s < CS_COUNT ? code_sig_names[s] : "?";
}

const char *
code_lang_name(enum code_lang l)
{
	return (unsigned)l < LANG_COUNT ? code_lang_names[l] : "?";
}

static int
name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t k = 0; k < n; k++)
		if (names[k] != NULL && strcmp(names[k], s) == 0)
			return (int)k;
	return -1;
}

int
effect_by_name(const char *s)
{
	return name_index(effect_names, EFF_COUNT, s);
}

/* --- a string map (open addressing) ---------------------------------------------- */

struct smap {
	const char **keys;
	void **vals;
	size_t cap, n;
};

static uint32_t
hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static int
smap_put(arena *a, struct smap *m, const char *key, void *val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 64;
		const char **nk = arena_zalloc(a, nc * sizeof *nk);
		void **nv = arena_zalloc(a, nc * sizeof *nv);

		if (nk == NULL || nv == NULL)
			return -1;
		for (size_t k = 0; k < m->cap; k++) {
			if (m->keys[k] == NULL)
				continue;
			i = hash_str(m->keys[k]) & (nc - 1);
			while (nk[i] != NULL)
				i = (i + 1) & (nc - 1);
			nk[i] = m->keys[k];
			nv[i] = m->vals[k];
		}
		m->keys = nk;
		m->vals = nv;
		m->cap = nc;
	}
	i = hash_str(key) & (m->cap - 1);
	while (m->keys[i] != NULL) {
		if (strcmp(m->keys[i], key) == 0) {
			m->vals[i] = val;
			return 0;
		}
		i = (i + 1) & (m->cap - 1);
	}
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return 0;
}

static void *
smap_get(const struct smap *m, const char *key)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	i = hash_str(key) & (m->cap - 1);
	while (m->keys[i] != NULL) {
		if (strcmp(m->keys[i], key) == 0)
			return m->vals[i];
		i = (i + 1) & (m->cap - 1);
	}
	return NULL;
}

/* --- globs -------------------------------------------------------------------------- */

static inline bool
ceq(char a, char b, bool fold)
{
	return a == b || (fold && tolower((unsigned char)a) == tolower((unsigned char)b));
}

/* Match with a total step budget: a pattern with many stars against a long
 * text gives up (no match) instead of taking exponential time. */
static bool
gm(const char *p, const char *s, const char *e, bool fold, bool path, long *budget)
{
	while (*p != '\0') {
		if (--*budget <= 0)
			return false;
		if (p[0] == '/' && p[1] == '*' && p[2] == '*' && p[3] == '\0' && s == e)
			return true;
		if (*p == '*') {
			bool dbl = p[1] == '*';

			p += dbl ? 2 : 1;
			if (!path)
				dbl = true;
			if (*p == '\0')
				return dbl || memchr(s, '/', (size_t)(e - s)) == NULL;
			for (const char *t = s; t <= e; t++) {
				if (gm(p, t, e, fold, path, budget))
					return true;
				if (*budget <= 0)
					return false;
				if (t < e && !dbl && *t == '/')
					break;
			}
			return false;
		}
		if (s >= e)
			return false;
		if (*p == '?') {
			if (*s == '/' && path)
				return false;
		} else if (*p == '[') {
			const char *q = p + 1;
			bool neg = *q == '!' || *q == '^', hit = false;

			if (neg)
				q++;
			do {
				if (q[0] != '\0' && q[1] == '-' && q[2] != ']' && q[2] != '\0') {
					char lo = q[0], hi = q[2], c = *s;

					if (fold) {
						lo = (char)tolower((unsigned char)lo);
						hi = (char)tolower((unsigned char)hi);
						c = (char)tolower((unsigned char)c);
					}
					if (c >= lo && c <= hi)
						hit = true;
					q += 3;
				} else {
					if (ceq(*q, *s, fold))
						hit = true;
					q++;
				}
			} while (*q != ']' && *q != '\0');
			if (*q != ']')
				return false; /* unterminated class: never matches */
			if (hit == neg)
				return false;
			p = q;
		} else if (!ceq(*p, *s, fold)) {
			return false;
		}
		p++;
		s++;
	}
	return s == e;
}

bool
glob_match(const char *pat, const char *s, size_t n, bool fold)
{
	long budget = 200000;

	/* A literal first byte that differs decides most table lookups (a
	 * program's rules against its subcommand) without the matcher. */
	if (!fold && glob_first_differs(pat, s, n))
		return false;
	return gm(pat, s, s + n, fold, false, &budget);
}

bool
glob_match_path(const char *pat, const char *s, size_t n)
{
	long budget = 200000;

	return gm(pat, s, s + n, false, true, &budget);
}

bool
strlist_has(const struct strlist *l, const char *s)
{
	for (size_t k = 0; k < l->n; k++)
		if (strcmp(l->v[k], s) == 0)
			return true;
	return false;
}

static bool
has_wild(const char *s)
{
	const char *b = strchr(s, '[');

	/* "[" alone (the test builtin) is a name, not an unclosed set */
	return strpbrk(s, "*?") != NULL || (b != NULL && strchr(b + 1, ']') != NULL);
}

/* --- the loaded set ------------------------------------------------------------------ */

static inline unsigned
code_key(unsigned char c0, unsigned char c1)
{
	return ((unsigned)c0 * 31u + c1) & 4095u;
}

enum tbl { T_PROGRAMS, T_WRAPPERS, T_COMMANDS, T_PATHS, T_HOSTS, T_CODE, T_RULES, T_MCP, T_HOOKS, T_SECRETS, T_DB, T_RUNNERS, T_RUNS, T_SERVICES, T_WINDOWS, T_DIRS, T_COUNT };

struct entry {
	const char *key;
	void *item;
	const char *file;
	int line;
	bool dead;
	bool front; /* a new user entry of a first-match table */
};

struct tvec {
	struct entry *e;
	size_t n, cap;
	struct smap bykey; /* key -> entry index + 1 */
};

struct cmdlist {
	const struct cmdrule **v;
	size_t n, cap;
	/* A pre-filter built after loading: for a literal subcommand, the rules
	 * that name it plus every rule that can match any subcommand (none
	 * named, "*", a glob), in table order; wild holds the latter alone. */
	struct smap bysub;
	struct cmdlist *wild;
};

struct tables {
	arena *a;
	const char *home;
	struct tvec tv[T_COUNT];
	/* indexes */
	struct smap progs, wrappers, cmds, rules;
	const struct prog **globprogs;
	size_t nglobprogs;
	const struct rule *tmat[EFF_COUNT][PC_COUNT];
	const struct pathpat **paths1, **paths2;
	size_t npaths1, npaths2;
	const struct hostpat **hosts;
	size_t nhosts;
	const struct mcppat **mcps;
	size_t nmcps;
	const struct hookpat **hooks;
	size_t nhooks;
	const struct projpat **dirs; /* tables/dirs, in order (first match) */
	size_t ndirs;
	const struct secretpat **secrets;
	size_t nsecrets;
	const struct codepat **code[4096]; /* by the hash of the first two bytes */
	size_t ncode[4096];
	struct smap svcs[SVK_COUNT];     /* services rows by kind and name */
	struct smap svcprogs[SVK_COUNT]; /* the program (first dotted word) of each row, by kind */
	const struct svcrow **svcglobs;  /* cli rows whose name is a glob */
	size_t nsvcglobs;
	struct smap wins;                /* windows rows by each name */
	struct smap db[DBK_COUNT];   /* tables/db: first word -> struct plist (DBK_HOST: "") */
	struct smap dbclients, runners;
	struct smap runs; /* program -> struct runlist */
};

struct runlist {
	const struct runspec **v;
	size_t n, cap;
};

/* A list of row pointers (an index entry). */
struct plist {
	const void **v;
	size_t n, cap;
};

struct loader {
	struct tables *t;
	const char *file;
	int line;
	bool user;
	char *err;
	size_t errlen;
};

static int
lerr(struct loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
lerr(struct loader *L, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(L->err, L->errlen, "%s:%d: ", L->file, L->line);

	if (n >= 0 && (size_t)n < L->errlen) {
		va_start(ap, fmt);
		vsnprintf(L->err + n, L->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int
loom(struct loader *L)
{
	return lerr(L, "out of memory");
}

/* Split a line into fields; a field may be "double quoted" with \" and \\
 * escapes.  rest[k] is the offset of field k in the line, for free text. */
#define MAXF 32
struct fields {
	char *f[MAXF];
	size_t rest[MAXF];
	int n;
};

static int
split(struct loader *L, char *line, size_t len, struct fields *fl, int maxf)
{
	size_t i = 0;

	fl->n = 0;
	for (;;) {
		char *w;

		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= len)
			return 0;
		if (fl->n == maxf) {
			/* the rest of the line is free text */
			fl->rest[fl->n] = i;
			fl->f[fl->n++] = line + i;
			return 0;
		}
		if (fl->n == MAXF - 1 && maxf >= MAXF)
			return lerr(L, "too many fields (max %d)", MAXF - 1);
		fl->rest[fl->n] = i;
		if (line[i] == '"') {
			size_t o = i + 1, j = i + 1;

			w = line + i;
			for (;;) {
				if (j >= len)
					return lerr(L, "unterminated quote");
				if (line[j] == '"')
					break;
				if (line[j] == '\\' && j + 1 < len)
					j++;
				line[o++ - 1] = line[j++];
			}
			line[o - 1] = '\0';
			(void)w;
			fl->f[fl->n++] = line + i;
			i = j + 1;
			if (i < len && line[i] != ' ' && line[i] != '\t')
				return lerr(L, "text after a closing quote");
			continue;
		}
		w = line + i;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		fl->f[fl->n++] = w;
		if (i < len)
			line[i++] = '\0';
	}
}

static char *
ldup(struct loader *L, const char *s)
{
	return arena_strndup(L->t->a, s, strlen(s));
}

/* Parse a comma list into l. */
static int
parse_list(struct loader *L, const char *s, struct strlist *l, const char *what)
{
	size_t n = 1, k = 0;
	const char *p;

	if (*s == '\0')
		return lerr(L, "empty %s list", what);
	for (p = s; *p; p++)
		n += *p == ',';
	if (n > TABLE_MAX_LIST)
		return lerr(L, "%s list too long (max %d)", what, TABLE_MAX_LIST);
	l->v = arena_alloc(L->t->a, n * sizeof *l->v);
	if (l->v == NULL)
		return loom(L);
	for (p = s;;) {
		const char *c = strchr(p, ',');
		size_t len = c != NULL ? (size_t)(c - p) : strlen(p);

		if (len == 0)
			return lerr(L, "empty item in %s list", what);
		if ((l->v[k++] = arena_strndup(L->t->a, p, len)) == NULL)
			return loom(L);
		if (c == NULL)
			break;
		p = c + 1;
	}
	l->n = k;
	return 0;
}

/* A list key given again on the same line adds to the first (so keys can be
 * appended to a line without rewriting it). */
static int
append_list(struct loader *L, const char *s, struct strlist *l)
{
	struct strlist more;
	const char **v;

	if (parse_list(L, s, &more, "option") < 0)
		return -1;
	if (l->n == 0) {
		*l = more;
		return 0;
	}
	if (l->n + more.n > TABLE_MAX_LIST)
		return lerr(L, "option list too long (max %d)", TABLE_MAX_LIST);
	if ((v = arena_alloc(L->t->a, (l->n + more.n) * sizeof *v)) == NULL)
		return loom(L);
	memcpy(v, l->v, l->n * sizeof *v);
	memcpy(v + l->n, more.v, more.n * sizeof *v);
	l->v = v;
	l->n += more.n;
	return 0;
}

static int
parse_weight(struct loader *L, const char *s, int *w)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 0 || v > 100)
		return lerr(L, "weight '%s' is not a number from 0 to 100", s);
	*w = (int)v;
	return 0;
}

static int
parse_effect(struct loader *L, const char *s, int *e)
{
	if (strcmp(s, "-") == 0) {
		*e = -1;
		return 0;
	}
	if ((*e = effect_by_name(s)) < 0)
		return lerr(L, "unknown effect '%s'", s);
	return 0;
}

static const char *
rest_text(const char *pristine, const struct fields *fl, int k)
{
	return k < fl->n ? pristine + fl->rest[k] : "";
}

/* --- row parsers ------------------------------------------------------------------------ */

static int
parse_tspec(struct loader *L, const char *s, struct prog *pg)
{
	struct strlist items;

	struct tspec *old = pg->t;

	if (parse_list(L, s, &items, "t=") < 0)
		return -1;
	if (pg->nt + items.n > TABLE_MAX_LIST)
		return lerr(L, "t= list too long (max %d)", TABLE_MAX_LIST);
	pg->t = arena_zalloc(L->t->a, (pg->nt + items.n) * sizeof *pg->t);
	if (pg->t == NULL)
		return loom(L);
	if (pg->nt > 0)
		memcpy(pg->t, old, pg->nt * sizeof *pg->t);
	for (size_t k = 0; k < items.n; k++) {
		const char *it = items.v[k], *colon = strrchr(it, ':');
		struct tspec *ts = &pg->t[pg->nt + k];
		int e = 0;

		if (strcmp(it, "skip1") == 0 || strcmp(it, "skip2") == 0) {
			ts->kind = it[4] == '1' ? TS_SKIP1 : TS_SKIP2;
			continue;
		}
		if (colon == NULL)
			return lerr(L, "bad target spec '%s'", it);
		{
			/* EFF/SUB|SUB: the option means this only after those subcommands */
			const char *slash = strchr(colon + 1, '/');
			char effs[32];

			if (slash != NULL) {
				size_t el = (size_t)(slash - colon - 1);
				char *subs = arena_strndup(L->t->a, slash + 1, strlen(slash + 1));

				if (subs == NULL)
					return loom(L);
				for (char *q = subs; *q != '\0'; q++)
					if (*q == '|')
						*q = ',';
				if (el >= sizeof effs || parse_list(L, subs, &ts->subs, "subcommand") < 0)
					return el >= sizeof effs ? lerr(L, "bad target spec '%s'", it) : -1;
				memcpy(effs, colon + 1, el);
				effs[el] = '\0';
				if (parse_effect(L, effs, &e) < 0)
					return -1;
			} else if (parse_effect(L, colon + 1, &e) < 0) {
				return -1;
			}
		}
		if (e < 0)
			return lerr(L, "target spec '%s' needs an effect", it);
		ts->eff = (enum effect)e;
		if (strncmp(it, "all:", 4) == 0 && it + 3 == colon)
			ts->kind = TS_ALL;
		else if (strncmp(it, "last:", 5) == 0 && it + 4 == colon)
			ts->kind = TS_LAST;
		else if (strncmp(it, "rest:", 5) == 0 && it + 4 == colon)
			ts->kind = TS_REST;
		else if (strncmp(it, "first:", 6) == 0 && it + 5 == colon)
			ts->kind = TS_FIRST;
		else if (strncmp(it, "second:", 7) == 0 && it + 6 == colon)
			ts->kind = TS_SECOND;
		else if ((strncmp(it, "opt:", 4) == 0 || strncmp(it, "kv:", 3) == 0) && colon > strchr(it, ':') + 1) {
			const char *o = strchr(it, ':') + 1;

			ts->kind = it[0] == 'o' ? TS_OPT : TS_KV;
			if ((ts->opt = arena_strndup(L->t->a, o, (size_t)(colon - o))) == NULL)
				return loom(L);
		} else {
			return lerr(L, "bad target spec '%s'", it);
		}
	}
	pg->nt += items.n;
	return 0;
}

static int
parse_program(struct loader *L, struct fields *fl, const char *pristine, void **out, const char **key)
{
	struct prog *pg = arena_zalloc(L->t->a, sizeof *pg);

	(void)pristine;
	if (pg == NULL)
		return loom(L);
	if (fl->n < 2)
		return lerr(L, "expected NAME CLASSES [KEY=VALUE...]");
	if ((pg->name = ldup(L, fl->f[0])) == NULL)
		return loom(L);
	if (strcmp(fl->f[1], "-") != 0) {
		struct strlist cl;

		if (parse_list(L, fl->f[1], &cl, "class") < 0)
			return -1;
		for (size_t k = 0; k < cl.n; k++) {
			int c = name_index(pcl_names, PCL_COUNT, cl.v[k]);

			if (c < 0)
				return lerr(L, "unknown program class '%s'", cl.v[k]);
			pg->classes |= (uint64_t)1 << c;
		}
	}
	for (int k = 2; k < fl->n; k++) {
		const char *f = fl->f[k], *eq = strchr(f, '=');
		const char *val = eq != NULL ? eq + 1 : NULL;
		size_t kl = eq != NULL ? (size_t)(eq - f) : strlen(f);
		struct strlist *lst = NULL;

#define KEY(s) (kl == sizeof(s) - 1 && strncmp(f, s, kl) == 0)
		if (val == NULL) {
			if (KEY("code1"))
				pg->code1 = true;
			else if (KEY("long1"))
				pg->long1 = true;
			else if (KEY("sub"))
				pg->sub = true;
			else if (KEY("abbrev"))
				pg->abbrev = true;
			else if (KEY("known"))
				pg->known = true;
			else
				return lerr(L, "unknown flag '%s'", f);
			continue;
		}
		if (KEY("t")) {
			/* given twice: the second adds to the first (keys appended to a line) */
			if (parse_tspec(L, val, pg) < 0)
				return -1;
			continue;
		}
		if (KEY("v"))
			lst = &pg->v;
		else if (KEY("rec"))
			lst = &pg->rec;
		else if (KEY("up"))
			lst = &pg->up;
		else if (KEY("code"))
			lst = &pg->code;
		else if (KEY("sql"))
			lst = &pg->sql;
		else if (KEY("script"))
			lst = &pg->script;
		else if (KEY("listen"))
			lst = &pg->listen;
		else if (KEY("p"))
			lst = &pg->p;
		else if (KEY("w"))
			lst = &pg->w;
		else if (KEY("runs"))
			lst = &pg->runs;
		if (lst != NULL) {
			if (append_list(L, val, lst) < 0)
				return -1;
			continue;
		}
		if (KEY("lang")) {
			int li = name_index(code_lang_names, LANG_COUNT, val);

			if (li < 0)
				return lerr(L, "unknown language '%s'", val);
			pg->lang = (enum code_lang)li;
		} else if (KEY("h")) {
			size_t h;

			for (h = 0; h < sizeof handler_names / sizeof handler_names[0]; h++)
				if (strcmp(handler_names[h].name, val) == 0)
					break;
			if (h == sizeof handler_names / sizeof handler_names[0])
				return lerr(L, "unknown handler '%s'", val);
			pg->handler = handler_names[h].h;
		} else if (KEY("host")) {
			if (strcmp(val, "first") != 0)
				return lerr(L, "host= must be 'first'");
			pg->hostfirst = true;
		} else {
			return lerr(L, "unknown key '%.*s'", (int)kl, f);
		}
#undef KEY
	}
	*out = pg;
	*key = pg->name;
	return 0;
}

static int
parse_wrapper(struct loader *L, struct fields *fl, const char *pristine, void **out, const char **key)
{
	static const char *const kinds[] = { "plain", "priv", "env", "xargs", "joined" };
	struct wrapper *w = arena_zalloc(L->t->a, sizeof *w);
	int kind;

	(void)pristine;
	if (w == NULL)
		return loom(L);
	if (fl->n < 2)
		return lerr(L, "expected NAME KIND [KEY=VALUE...]");
	if ((kind = name_index(kinds, 5, fl->f[1])) < 0)
		return lerr(L, "unknown wrapper kind '%s'", fl->f[1]);
	w->kind = (enum wrap_kind)kind;
	if ((w->name = ldup(L, fl->f[0])) == NULL)
		return loom(L);
	for (int k = 2; k < fl->n; k++) {
		const char *f = fl->f[k], *eq = strchr(f, '=');
		struct strlist *lst = NULL;
		size_t kl;

		if (eq == NULL)
			return lerr(L, "expected KEY=VALUE, not '%s'", f);
		kl = (size_t)(eq - f);
#define KEY(s) (kl == sizeof(s) - 1 && strncmp(f, s, kl) == 0)
		if (KEY("v"))
			lst = &w->v;
		else if (KEY("nocmd"))
			lst = &w->nocmd;
		else if (KEY("script"))
			lst = &w->script;
		else if (KEY("shell"))
			lst = &w->shell;
		else if (KEY("user"))
			lst = &w->user;
		else if (KEY("cmd"))
			lst = &w->cmdopt;
		else if (KEY("cmdwith"))
			lst = &w->cmdwith;
		else if (KEY("edit"))
			lst = &w->edit;
		else if (KEY("out"))
			lst = &w->out;
		if (lst != NULL) {
			if (parse_list(L, eq + 1, lst, "option") < 0)
				return -1;
		} else if (KEY("skip")) {
			if (eq[1] < '0' || eq[1] > '3' || eq[2] != '\0')
				return lerr(L, "skip= must be 0 to 3");
			w->skip = eq[1] - '0';
		} else if (KEY("sub")) {
			if ((w->sub = ldup(L, eq + 1)) == NULL)
				return loom(L);
		} else if (KEY("noargs")) {
			if (strcmp(eq + 1, "shell") != 0)
				return lerr(L, "noargs= must be 'shell'");
			w->noargs_shell = true;
		} else if (KEY("args")) {
			if (strcmp(eq + 1, "none") == 0)
				w->args_none = true;
			else if (strcmp(eq + 1, "joined") == 0)
				w->args_joined = true;
			else if (strcmp(eq + 1, "edit") == 0)
				w->args_edit = w->args_none = true;
			else
				return lerr(L, "args= must be 'none', 'joined' or 'edit'");
		} else if (KEY("as")) {
			if (strcmp(eq + 1, "root") == 0)
				w->as = WA_ROOT;
			else if (strcmp(eq + 1, "group") == 0)
				w->as = WA_GROUP;
			else if (strcmp(eq + 1, "ns") == 0)
				w->as = WA_NS;
			else
				return lerr(L, "as= must be 'root', 'group' or 'ns'");
		} else if (KEY("files")) {
			if (strcmp(eq + 1, "write") != 0)
				return lerr(L, "files= must be 'write'");
			w->files_write = true;
		} else {
			return lerr(L, "unknown key '%.*s'", (int)kl, f);
		}
#undef KEY
	}
	*out = w;
	*key = w->name;
	return 0;
}

static int
parse_cond(struct loader *L, const char *s, struct cond *c)
{
	static const struct {
		const char *p;
		enum cond_kind k;
	} kinds[] = {
		{ "flag:", CK_FLAG }, { "arg1:", CK_ARG1 }, { "arg:", CK_ARG },
		{ "lastarg:", CK_LASTARG }, { "val:", CK_VAL }, { "spec:", CK_SPEC },
	};

	c->neg = *s == '!';
	s += c->neg;
	if (strcmp(s, "noargs") == 0) {
		c->kind = CK_NOARGS;
		return 0;
	}
	if (strcmp(s, "args") == 0) {
		c->kind = CK_ARGS;
		return 0;
	}
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		size_t pl = strlen(kinds[k].p);

		if (strncmp(s, kinds[k].p, pl) != 0)
			continue;
		c->kind = kinds[k].k;
		if (c->kind == CK_VAL) {
			const char *tilde = strchr(s + pl, '~');
			char *opts;

			if (tilde == NULL)
				return lerr(L, "val: needs OPTIONS~GLOBS");
			if ((opts = arena_strndup(L->t->a, s + pl, (size_t)(tilde - s - pl))) == NULL)
				return loom(L);
			return parse_list(L, opts, &c->list, "option") < 0 ||
			               parse_list(L, tilde + 1, &c->vals, "glob") < 0
			           ? -1
			           : 0;
		}
		if (parse_list(L, s + pl, &c->list, "match") < 0)
			return -1;
		for (size_t j = 0; c->kind == CK_SPEC && j < c->list.n; j++)
			if (strcmp(c->list.v[j], "tree") != 0 && strcmp(c->list.v[j], "path") != 0 &&
			    strcmp(c->list.v[j], "none") != 0 && strcmp(c->list.v[j], "named") != 0)
				return lerr(L, "spec: takes tree, path, named or none, not '%s'", c->list.v[j]);
		return 0;
	}
	return lerr(L, "unknown condition '%s'", s);
}

static int
parse_command(struct loader *L, struct fields *fl, const char *pristine, void **out, const char **key)
{
	struct cmdrule *r = arena_zalloc(L->t->a, sizeof *r);
	const char *text;

	if (r == NULL)
		return loom(L);
	if (fl->n < 7)
		return lerr(L, "expected ID PROGRAM SUB MATCH EFFECT WEIGHT TEXT");
	if ((r->r.id = ldup(L, fl->f[0])) == NULL)
		return loom(L);
	if (parse_list(L, fl->f[1], &r->progs, "program") < 0)
		return -1;
	if (strcmp(fl->f[2], "*") == 0)
		r->fallback = true;
	else if (strcmp(fl->f[2], "-") != 0 && parse_list(L, fl->f[2], &r->subs, "subcommand") < 0)
		return -1;
	if (strcmp(fl->f[3], "-") != 0) {
		const char *m = fl->f[3];
		size_t n = 1;

		for (const char *p = m; *p; p++)
			n += *p == '&';
		if (n > 8)
			return lerr(L, "too many conditions (max 8)");
		r->conds = arena_zalloc(L->t->a, n * sizeof *r->conds);
		if (r->conds == NULL)
			return loom(L);
		for (const char *p = m;;) {
			const char *amp = strchr(p, '&');
			char *one = arena_strndup(L->t->a, p, amp != NULL ? (size_t)(amp - p) : strlen(p));

			if (one == NULL)
				return loom(L);
			if (parse_cond(L, one, &r->conds[r->nconds++]) < 0)
				return -1;
			if (amp == NULL)
				break;
			p = amp + 1;
		}
	}
	if (parse_effect(L, fl->f[4], &r->effect) < 0 || parse_weight(L, fl->f[5], &r->r.weight) < 0)
		return -1;
	text = rest_text(pristine, fl, 6);
	if ((r->r.text = ldup(L, text)) == NULL)
		return loom(L);
	*out = r;
	*key = r->r.id;
	return 0;
}

static int
parse_path(struct loader *L, struct fields *fl, const char *pristine, void **out, const char **key)
{
	static const enum pclass allowed[] = { PC_SECRET, PC_AGENT_CONFIG, PC_AGENT_INSTRUCTIONS, PC_PERSISTENCE, PC_DEVICE,
		PC_SPECIAL, PC_NETWORK, PC_SYSTEM, PC_TMP, PC_HOME_ROOT, PC_NONE };
	struct pathpat *pp = arena_zalloc(L->t->a, sizeof *pp);
	const char *g;
	int c;
	size_t k;

	(void)pristine;
	if (pp == NULL)
		return loom(L);
	if (fl->n != 2)
		return lerr(L, "expected GLOB CLASS");
	c = name_index(pclass_names, PC_COUNT + 1, fl->f[1]);
	for (k = 0; c >= 0 && k < sizeof allowed / sizeof allowed[0]; k++)
		if (allowed[k] == (enum pclass)c)
			break;
	if (c < 0 || k == sizeof allowed / sizeof allowed[0])
		return lerr(L, "unknown path class '%s'", fl->f[1]);
	pp->cls = (enum pclass)c;
	/* an agent reads CLAUDE.md as Claude.MD on a case-insensitive file system */
	pp->fold = pp->cls == PC_AGENT_CONFIG || pp->cls == PC_AGENT_INSTRUCTIONS;
	g = fl->f[0];
	if (strlen(g) > 1024)
		return lerr(L, "pattern too long");
	if ((*key = ldup(L, g)) == NULL)
		return loom(L);
	if (g[0] == '~' && (g[1] == '/' || g[1] == '\0')) {
		size_t hl, gl = strlen(g);
		char *p;

		if (L->t->home == NULL) {
			*out = NULL; /* no home: the pattern cannot match */
			return 0;
		}
		hl = strlen(L->t->home);
		while (hl > 1 && L->t->home[hl - 1] == '/')
			hl--;
		p = arena_alloc(L->t->a, hl + gl);
		if (p == NULL)
			return loom(L);
		memcpy(p, L->t->home, hl);
		memcpy(p + hl, g + 1, gl);
		pp->pat = p;
	} else if (g[0] != '/' && strchr(g, '/') != NULL && strncmp(g, "**/", 3) != 0) {
		return lerr(L, "a pattern with '/' must start with '/', '~/' or '**/'");
	} else if ((pp->pat = ldup(L, g)) == NULL) {
		return loom(L);
	}
	pp->base = strchr(pp->pat, '/') == NULL;
	pp->prefixlen = strcspn(pp->pat, "*?[");
	/* a pattern for a directory tree also matches the directory itself: */
	/* leave its last slash out of the quick prefix check */
	if (pp->prefixlen > 1 && pp->pat[pp->prefixlen - 1] == '/')
		pp->prefixlen--;
	pp->prefix = pp->pat;
	/* The longest run without wildcards must occur in any match. */
	for (const char *q = pp->pat; *q;) {
		size_t run = strcspn(q, "*?[");

		if (run > pp->mustlen) {
			pp->must = q;
			pp->mustlen = run;
		}
		q += run;
		if (*q == '[') {
			const char *e = strchr(q, ']');

			q = e != NULL ? e + 1 : q + strlen(q);
		} else if (*q) {
			q++;
		}
	}
	*out = pp;
	return 0;
}

static int
parse_host(struct loader *L, struct fields *fl, const char *pristine, void **out, const char **key)
{
	struct hostpat *hp = arena_zalloc(L->t->a, sizeof *hp);
	int c;
	char *p;

	(void)pristine;
	if (hp == NULL)
		return loom(L);
	if (fl->n != 2)
		return lerr(L, "expected GLOB CLASS");
	if ((c = name_index(hclass_names, HC_COUNT, fl->f[1])) < 0)
		return lerr(L, "unknown host class '%s'", fl->f[1]);
	hp->cls = (enum hclass)c;
	if ((p = ldup(L, fl->f[0])) == NULL)
		return loom(L);
	for (char *q = p; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	hp->pat = p;
	*out = hp;
	*key = p;
	return 0;
}

static int
parse_code(struct loader *L, struct fields *fl, const char *pristine, void **out, const char **key)
{
	struct codepat *cp = arena_zalloc(L->t->a, sizeof *cp);
	const char *text;
	size_t tl;
	int sc, sg;
	char *k;

	if (cp == NULL)
		return loom(L);
	if (fl->n < 3)
		return lerr(L, "expected SCOPE SIGNAL TEXT");
	sc = name_index(code_lang_names, LANG_COUNT, fl->f[0]);
	if (sc < 0 || sc == LANG_SED)
		return lerr(L, "unknown scope '%s' (code, awk, vim, sql or a language: py js rb pl php lua r jl osa ps el)",
		    fl->f[0]);
	if ((sg = name_index(code_sig_names, CS_COUNT, fl->f[1])) < 0)
		return lerr(L, "unknown signal '%s'", fl->f[1]);
	cp->scope = (enum code_lang)sc;
	cp->sig = (enum code_sig)sg;
	text = rest_text(pristine, fl, 2);
	tl = strlen(text);
	while (tl > 0 && (text[tl - 1] == ' ' || text[tl - 1] == '\t'))
		tl--;
	if (tl < 2 || tl > 200)
		return lerr(L, "pattern must be 2 to 200 bytes");
	if ((cp->text = arena_strndup(L->t->a, text, tl)) == NULL)
		return loom(L);
	if (tl > 2 && memcmp(cp->text + tl - 2, "\\s", 2) == 0) {
		/* a trailing \s is a blank ("system " in ruby) */
		((char *)cp->text)[tl - 2] = ' ';
		((char *)cp->text)[--tl] = '\0';
	}
	cp->len = tl;
	if (cp->scope == LANG_SQL)
		for (char *q = (char *)cp->text; *q; q++)
			*q = (char)tolower((unsigned char)*q);
	k = arena_alloc(L->t->a, tl + 8);
	if (k == NULL)
		return loom(L);
	snprintf(k, tl + 8, "%s %s", fl->f[0], cp->text);
	*out = cp;
	*key = k;
	return 0;
}

static int
parse_rule(struct loader *L, struct fields *fl, const char *pristine, void **out, const char **key)
{
	struct rule *r = arena_zalloc(L->t->a, sizeof *r);

	if (r == NULL)
		return loom(L);
	if (fl->n < 2)
		return lerr(L, "expected ID WEIGHT TEXT");
	if (parse_weight(L, fl->f[1], &r->weight) < 0)
		return -1;
	if ((r->id = ldup(L, fl->f[0])) == NULL || (r->text = ldup(L, rest_text(pristine, fl, 2))) == NULL)
		return loom(L);
	if (strchr(r->id, ':') != NULL) {
		const char *colon = strchr(r->id, ':');
		char eff[64];
		size_t el = (size_t)(colon - r->id);

		if (el >= sizeof eff)
			return lerr(L, "unknown effect in rule '%s'", r->id);
		memcpy(eff, r->id, el);
		eff[el] = '\0';
		if (effect_by_name(eff) < 0)
			return lerr(L, "unknown effect '%s' in rule '%s'", eff, r->id);
		if (name_index(pclass_names, PC_COUNT, colon + 1) < 0)
			return lerr(L, "unknown path class '%s' in rule '%s'", colon + 1, r->id);
	}
	*out = r;
	*key = r->id;
	return 0;
}

static int
parse_mcp(struct loader *L, struct fields *fl, const char *pristine, void **out, const char **key)
{
	struct mcppat *m = arena_zalloc(L->t->a, sizeof *m);
	char *p;

	if (m == NULL)
		return loom(L);
	if (fl->n < 3)
		return lerr(L, "expected GLOB EFFECT WEIGHT TEXT");
	if (parse_effect(L, fl->f[1], &m->effect) < 0 || parse_weight(L, fl->f[2], &m->r.weight) < 0)
		return -1;
	if ((p = ldup(L, fl->f[0])) == NULL || (m->r.text = ldup(L, rest_text(pristine, fl, 3))) == NULL)
		return loom(L);
	for (char *q = p; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	m->pat = p;
	{
		size_t n = strlen(p) + 5;
		char *id = arena_alloc(L->t->a, n);

		if (id == NULL)
			return loom(L);
		snprintf(id, n, "mcp:%s", p);
		m->r.id = id;
	}
	*out = m;
	*key = p;
	return 0;
}

/* services: KIND NAME [VALUE] [KEY=VALUE...] (docs/RISK.md "Tables"). */
static int
parse_service(struct loader *L, struct fields *fl, const char *pristine, void **out, const char **key)
{
	static const char *const kinds[SVK_COUNT] = { "cli", "verb", "noun", "scope", "prod", "http", "copy", "send",
		"addr" };
	static const char *const classes[] = { "-", "list", "read", "write", "exec", "destroy", "store", "secret" };
	struct svcrow *r = arena_zalloc(L->t->a, sizeof *r);
	int kind, k = 2;
	char *name, *kb;
	size_t kl;

	(void)pristine;
	if (r == NULL)
		return loom(L);
	if (fl->n < 2 || (kind = name_index(kinds, SVK_COUNT, fl->f[0])) < 0)
		return lerr(L, "expected KIND NAME ... with KIND one of cli verb noun scope prod http copy send addr");
	r->kind = (enum svc_kind)kind;
	if ((name = ldup(L, fl->f[1])) == NULL)
		return loom(L);
	for (char *q = name; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	r->name = name;
	if (r->kind == SVK_VERB || r->kind == SVK_NOUN) {
		int c = fl->n > 2 ? name_index(classes, sizeof classes / sizeof classes[0], fl->f[2]) : -1;

		if (c <= 0 || (r->kind == SVK_NOUN) != (c == SVC_STORE || c == SVC_SECRET))
			return lerr(L, r->kind == SVK_VERB ? "expected verb WORD list|read|write|exec|destroy"
			                                   : "expected noun WORD store|secret");
		r->cls = (enum svc_class)c;
		k = 3;
	}
	if (r->kind == SVK_ADDR) {
		static const char *const addrs[] = { "-", "file", "connect", "listen", "stdio" };
		int c = fl->n > 2 ? name_index(addrs, sizeof addrs / sizeof addrs[0], fl->f[2]) : -1;

		if (c <= 0)
			return lerr(L, "expected addr WORD file|connect|listen|stdio");
		r->dir = c;
		k = 3;
	}
	r->depth = 4;
	for (; k < fl->n; k++) {
		const char *f = fl->f[k], *eq = strchr(f, '=');
		struct strlist *lst = NULL;

		kl = eq != NULL ? (size_t)(eq - f) : strlen(f);
#define KEY(s) (kl == sizeof(s) - 1 && strncmp(f, s, kl) == 0)
		if (r->kind == SVK_CLI && eq == NULL && KEY("secrets")) {
			r->secrets = true;
			continue;
		}
		if (r->kind == SVK_HTTP && eq == NULL && KEY("first")) {
			r->method_first = true;
			continue;
		}
		if (eq == NULL)
			return lerr(L, "unknown flag '%s'", f);
		if (r->kind == SVK_COPY && KEY("dir")) {
			if (strcmp(eq + 1, "up") != 0 && strcmp(eq + 1, "down") != 0)
				return lerr(L, "dir= must be up or down");
			r->dir = eq[1] == 'u' ? 1 : 2;
			continue;
		}
		if (r->kind == SVK_COPY && KEY("to") && strcmp(eq + 1, "first") == 0) {
			r->to_first = true;
			continue;
		}
		if (r->kind == SVK_CLI && KEY("depth")) {
			char *end;
			long d = strtol(eq + 1, &end, 10);

			if (*end != '\0' || d < 0 || d > 16)
				return lerr(L, "depth= must be 0 to 16");
			r->depth = (int)d;
			continue;
		}
		if (r->kind == SVK_CLI && KEY("nouns"))
			lst = &r->nouns;
		else if (r->kind == SVK_CLI && KEY("store"))
			lst = &r->store;
		else if (r->kind == SVK_CLI && KEY("secret"))
			lst = &r->secret;
		else if (r->kind == SVK_CLI && KEY("v"))
			lst = &r->v;
		else if (r->kind == SVK_HTTP && KEY("method"))
			lst = &r->method;
		else if (r->kind == SVK_COPY && KEY("remote"))
			lst = &r->remote;
		else if (r->kind == SVK_COPY && KEY("to"))
			lst = &r->to;
		else if (r->kind == SVK_COPY && KEY("from"))
			lst = &r->from;
		else if (r->kind == SVK_SEND && KEY("host"))
			lst = &r->host;
		else if (r->kind == SVK_SEND && KEY("data"))
			lst = &r->data;
		else if (r->kind == SVK_SEND && KEY("file"))
			lst = &r->file;
		else if (r->kind == SVK_SEND && KEY("safe"))
			lst = &r->safe;
#undef KEY
		if (lst == NULL)
			return lerr(L, "unknown key '%.*s'", (int)kl, f);
		if (parse_list(L, eq + 1, lst, "word") < 0)
			return -1;
	}
	kl = strlen(kinds[kind]) + strlen(name) + 2;
	if ((kb = arena_alloc(L->t->a, kl)) == NULL)
		return loom(L);
	snprintf(kb, kl, "%s %s", kinds[kind], name);
	*out = r;
	*key = kb;
	return 0;
}

/* windows: NAMES ARGS [KEY=VALUE...] (docs/RISK.md "Tables"). */
static int
parse_windows(struct loader *L, struct fields *fl, const char *pristine, void **out, const char **key)
{
	static const char *const args[] = { "none", "delete", "read", "write", "chown", "chmod", "cmd", "pwsh",
		"eval", "use" };
	struct winrow *r = arena_zalloc(L->t->a, sizeof *r);
	char *names;
	int a;

	(void)pristine;
	if (r == NULL)
		return loom(L);
	if (fl->n < 2 || (a = name_index(args, sizeof args / sizeof args[0], fl->f[1])) < 0)
		return lerr(L, "expected NAMES ARGS with ARGS one of none delete read write chown chmod cmd pwsh eval use");
	if ((names = ldup(L, fl->f[0])) == NULL)
		return loom(L);
	for (char *q = names; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	r->names = names;
	r->args = (enum win_args)a;
	if (parse_list(L, names, &r->name, "name") < 0)
		return -1;
	for (int k = 2; k < fl->n; k++) {
		const char *f = fl->f[k], *eq = strchr(f, '=');
		size_t kl = eq != NULL ? (size_t)(eq - f) : strlen(f);
		struct strlist *lst = NULL;

#define KEY(s) (kl == sizeof(s) - 1 && strncmp(f, s, kl) == 0)
		if (eq == NULL && KEY("dual")) {
			r->dual = true;
			continue;
		}
		if (eq != NULL && KEY("rec"))
			lst = &r->rec;
		else if (eq != NULL && KEY("v"))
			lst = &r->v;
		else if (eq != NULL && KEY("path"))
			lst = &r->path;
#undef KEY
		if (lst == NULL)
			return lerr(L, "unknown key '%.*s'", (int)kl, f);
		if (parse_list(L, eq + 1, lst, "switch") < 0)
			return -1;
		for (size_t j = 0; j < lst->n; j++)
			for (char *q = (char *)lst->v[j]; *q; q++)
				*q = (char)tolower((unsigned char)*q);
	}
	*out = r;
	*key = r->names;
	return 0;
}

static int
parse_hook(struct loader *L, struct fields *fl, const char *pristine, void **out, const char **key)
{
	static const char *const kinds[] = { "cmd", "prog", "file", "lib", "libdir", "opts", "dir", "alias",
		"bool", "cfg" };
	struct hookpat *h = arena_zalloc(L->t->a, sizeof *h);
	const char *name;
	int kind;

	(void)pristine;
	if (h == NULL)
		return loom(L);
	if (fl->n != 2)
		return lerr(L, "expected NAME KIND");
	if ((kind = name_index(kinds, sizeof kinds / sizeof kinds[0], fl->f[1])) < 0)
		return lerr(L, "unknown hook kind '%s'", fl->f[1]);
	h->kind = (enum hook_kind)kind;
	name = fl->f[0];
	if (strncmp(name, "git:", 4) == 0) {
		h->git = true;
		name += 4;
		if (*name == '\0')
			return lerr(L, "empty git configuration key");
	}
	if ((h->pat = ldup(L, name)) == NULL || (*key = ldup(L, fl->f[0])) == NULL)
		return loom(L);
	*out = h;
	return 0;
}

/* dirs: KIND GLOB (kinds vcs source regen bin) */
static int
parse_dirs(struct loader *L, struct fields *fl, const char *pristine, void **out, const char **key)
{
	static const char *const kinds[PJ_COUNT] = { "vcs", "source", "regen", "bin" };
	struct projpat *pp = arena_zalloc(L->t->a, sizeof *pp);
	int kd;
	const char *g;

	(void)pristine;
	if (pp == NULL)
		return loom(L);
	if (fl->n != 2)
		return lerr(L, "expected KIND GLOB");
	if ((kd = name_index(kinds, PJ_COUNT, fl->f[0])) < 0)
		return lerr(L, "unknown kind '%s' (vcs, source, regen or bin)", fl->f[0]);
	g = fl->f[1];
	pp->kind = (enum projkind)kd;
	if (pp->kind == PJ_BIN) {
		pp->home = strncmp(g, "~/", 2) == 0;
		if (pp->home)
			g += 2;
		else if (g[0] != '/')
			return lerr(L, "a bin GLOB is absolute or starts with ~/, not '%s'", fl->f[1]);
	} else {
		pp->anchored = strncmp(g, "./", 2) == 0;
		if (pp->anchored)
			g += 2;
		if (*g == '\0' || (!pp->anchored && strchr(g, '/') != NULL) || g[0] == '/')
			return lerr(L, "GLOB is a base name or ./PATH under the workspace, not '%s'", fl->f[1]);
	}
	if ((pp->pat = ldup(L, g)) == NULL || (*key = ldup(L, fl->f[1])) == NULL)
		return loom(L);
	*out = pp;
	return 0;
}

/* secrets: KIND PATTERN CLASS (kinds name word search; classes secret none) */
static int
parse_secret(struct loader *L, struct fields *fl, const char *pristine, void **out, const char **key)
{
	static const char *const kinds[] = { "name", "word", "search" };
	struct secretpat *sp = arena_zalloc(L->t->a, sizeof *sp);
	int kd;
	char *p, *k;
	size_t pl;

	(void)pristine;
	if (sp == NULL)
		return loom(L);
	if (fl->n != 3)
		return lerr(L, "expected KIND PATTERN CLASS");
	if ((kd = name_index(kinds, 3, fl->f[0])) < 0)
		return lerr(L, "unknown kind '%s' (name, word or search)", fl->f[0]);
	if (strcmp(fl->f[2], "secret") != 0 && strcmp(fl->f[2], "none") != 0)
		return lerr(L, "unknown class '%s' (secret or none)", fl->f[2]);
	pl = strlen(fl->f[1]);
	if (pl == 0 || pl > 200)
		return lerr(L, "pattern must be 1 to 200 bytes");
	if ((p = ldup(L, fl->f[1])) == NULL)
		return loom(L);
	if (kd != SK_SEARCH)
		for (char *q = p; *q; q++)
			*q = (char)toupper((unsigned char)*q);
	sp->kind = (enum secret_kind)kd;
	sp->pat = p;
	sp->secret = strcmp(fl->f[2], "secret") == 0;
	if ((k = arena_alloc(L->t->a, pl + 8)) == NULL)
		return loom(L);
	snprintf(k, pl + 8, "%s %s", kinds[kd], p);
	*out = sp;
	*key = k;
	return 0;
}

static const char *const db_kind_names[DBK_COUNT] = { "first", "sql", "meta", "call", "host", "client" };
static const char *const db_class_names[DBC_COUNT] = { "none", "read", "write", "file", "schema", "exec",
	"admin", "perm", "shell", "deleteall", "updateall", "alterdrop", "tabledrop", "grant", "dbdrop", "prod" };

const char *
db_class_name(enum db_class c)
{
	return (unsigned)c < DBC_COUNT ? db_class_names[c] : "?";
}

/* tables/db: "KIND CLASS TEXT..." or "client NAME KEY=VALUE...". */
static int
parse_db(struct loader *L, struct fields *fl, const char *pristine, void **out, const char **key)
{
	struct dbpat *dp = arena_zalloc(L->t->a, sizeof *dp);
	int k, c;
	size_t tl = 0, o = 0;
	char *text, *kb;

	(void)pristine;
	if (dp == NULL)
		return loom(L);
	if (fl->n < 3)
		return lerr(L, "expected KIND CLASS TEXT or client NAME KEY=VALUE...");
	if ((k = name_index(db_kind_names, DBK_COUNT, fl->f[0])) < 0)
		return lerr(L, "unknown kind '%s' (first, sql, meta, call, host or client)", fl->f[0]);
	dp->kind = (enum db_kind)k;
	if (dp->kind == DBK_CLIENT) {
		if ((dp->text = ldup(L, fl->f[1])) == NULL)
			return loom(L);
		for (int j = 2; j < fl->n; j++) {
			const char *f = fl->f[j];

			if (strncmp(f, "args=", 5) == 0) {
				if (strcmp(f + 5, "none") == 0)
					dp->args = DBA_NONE;
				else if (strcmp(f + 5, "cmd") == 0)
					dp->args = DBA_CMD;
				else if (strcmp(f + 5, "after1") == 0)
					dp->args = DBA_AFTER1;
				else
					return lerr(L, "args must be none, cmd or after1");
			} else if (strncmp(f, "host=", 5) == 0) {
				if (parse_list(L, f + 5, &dp->host, "host") < 0)
					return -1;
			} else if (strncmp(f, "db=", 3) == 0) {
				if (parse_list(L, f + 3, &dp->db, "db") < 0)
					return -1;
			} else if (strncmp(f, "file=", 5) == 0) {
				if (parse_list(L, f + 5, &dp->file, "file") < 0)
					return -1;
			} else {
				return lerr(L, "unknown client key '%s'", f);
			}
		}
		if ((kb = arena_alloc(L->t->a, strlen(dp->text) + 8)) == NULL)
			return loom(L);
		snprintf(kb, strlen(dp->text) + 8, "client %s", dp->text);
		*out = dp;
		*key = kb;
		return 0;
	}
	if ((c = name_index(db_class_names, DBC_COUNT, fl->f[1])) < 0)
		return lerr(L, "unknown class '%s'", fl->f[1]);
	if ((dp->kind == DBK_HOST) != (c == DBC_PROD))
		return lerr(L, "class prod is for host rows, and host rows are class prod");
	dp->cls = (enum db_class)c;
	for (int j = 2; j < fl->n; j++)
		tl += strlen(fl->f[j]) + 1;
	if (tl > 201)
		return lerr(L, "pattern longer than 200 bytes");
	if (dp->kind != DBK_SQL && dp->kind != DBK_FIRST && fl->n > 3)
		return lerr(L, "%s rows name one word", db_kind_names[k]);
	if ((text = arena_alloc(L->t->a, tl)) == NULL ||
	    (dp->words = arena_alloc(L->t->a, (size_t)(fl->n - 2) * sizeof *dp->words)) == NULL)
		return loom(L);
	for (int j = 2; j < fl->n; j++) {
		size_t wl = strlen(fl->f[j]);
		char *w = arena_alloc(L->t->a, wl + 1);

		if (w == NULL)
			return loom(L);
		for (size_t q = 0; q <= wl; q++)
			w[q] = (char)tolower((unsigned char)fl->f[j][q]);
		memcpy(text + o, w, wl);
		o += wl;
		text[o++] = ' ';
		if (strcmp(w, "*") == 0 && (j == 2 || j == fl->n - 1 || dp->kind != DBK_SQL))
			return lerr(L, "'*' stands between two words of a sql pattern");
		if (dp->kind != DBK_HOST && dp->kind != DBK_SQL && wl > 1 && w[wl - 1] == '*' && j == fl->n - 1) {
			w[wl - 1] = '\0';
			dp->prefix = true;
		}
		dp->words[dp->nwords++] = w;
	}
	text[o - 1] = '\0';
	dp->text = text;
	if ((kb = arena_alloc(L->t->a, strlen(text) + 16)) == NULL)
		return loom(L);
	snprintf(kb, strlen(text) + 16, "%s %s", db_kind_names[k], text);
	*out = dp;
	*key = kb;
	return 0;
}

/* tables/runners: "NAME SUBS ECO [yes=LIST] [pkg=LIST] [v=LIST] [ask] [local]". */
static int
parse_runner(struct loader *L, struct fields *fl, const char *pristine, void **out, const char **key)
{
	static const char *const ecos[RE_COUNT] = { "npm", "py", "go", "url" };
	struct runner *r = arena_zalloc(L->t->a, sizeof *r);
	int e;
	char *kb;

	(void)pristine;
	if (r == NULL)
		return loom(L);
	if (fl->n < 3)
		return lerr(L, "expected NAME SUBCOMMANDS ECOSYSTEM [KEY=VALUE...]");
	if ((r->name = ldup(L, fl->f[0])) == NULL)
		return loom(L);
	if (strcmp(fl->f[1], "-") != 0 && parse_list(L, fl->f[1], &r->subs, "subcommand") < 0)
		return -1;
	if ((e = name_index(ecos, RE_COUNT, fl->f[2])) < 0)
		return lerr(L, "unknown ecosystem '%s' (npm, py, go or url)", fl->f[2]);
	r->eco = (enum runner_eco)e;
	for (int j = 3; j < fl->n; j++) {
		const char *f = fl->f[j];

		if (strncmp(f, "yes=", 4) == 0) {
			if (parse_list(L, f + 4, &r->yes, "yes") < 0)
				return -1;
		} else if (strncmp(f, "pkg=", 4) == 0) {
			if (parse_list(L, f + 4, &r->pkg, "pkg") < 0)
				return -1;
		} else if (strncmp(f, "v=", 2) == 0) {
			if (parse_list(L, f + 2, &r->v, "v") < 0)
				return -1;
		} else if (strcmp(f, "ask") == 0) {
			r->ask = true;
		} else if (strcmp(f, "local") == 0) {
			r->local = true;
		} else {
			return lerr(L, "unknown runner key '%s'", f);
		}
	}
	if ((kb = arena_alloc(L->t->a, strlen(fl->f[0]) + strlen(fl->f[1]) + 2)) == NULL)
		return loom(L);
	snprintf(kb, strlen(fl->f[0]) + strlen(fl->f[1]) + 2, "%s %s", fl->f[0], fl->f[1]);
	*out = r;
	*key = kb;
	return 0;
}

/* runs: PROGRAM SUB [KEY=VALUE | FLAG]... (see tables/runs) */
static int
parse_runs(struct loader *L, struct fields *fl, const char *pristine, void **out, const char **key)
{
	static const char *const hows[] = { "none", "argv", "joined", "keys" };
	struct runspec *r = arena_zalloc(L->t->a, sizeof *r);
	char *k;
	size_t kl;

	(void)pristine;
	if (r == NULL)
		return loom(L);
	if (fl->n < 2)
		return lerr(L, "expected PROGRAM SUB [KEY=VALUE...]");
	if ((r->prog = ldup(L, fl->f[0])) == NULL)
		return loom(L);
	if (strcmp(fl->f[1], "-") != 0 && parse_list(L, fl->f[1], &r->subs, "subcommand") < 0)
		return -1;
	r->lang = LANG_CODE;
	for (int j = 2; j < fl->n; j++) {
		const char *f = fl->f[j], *eq = strchr(f, '=');
		struct strlist *lst = NULL;
		size_t fl2 = eq != NULL ? (size_t)(eq - f) : strlen(f);

#define KEY(s) (fl2 == sizeof(s) - 1 && strncmp(f, s, fl2) == 0)
		if (eq == NULL) {
			if (KEY("plus"))
				r->plus = true;
			else if (KEY("file1"))
				r->file1 = true;
			else if (KEY("repl"))
				r->repl = true;
			else if (KEY("replany"))
				r->repl = r->replany = true;
			else if (KEY("outside"))
				r->outside = true;
			else
				return lerr(L, "unknown flag '%s' (plus, file1, repl, replany, outside)", f);
			continue;
		}
		if (KEY("v"))
			lst = &r->v;
		else if (KEY("sh"))
			lst = &r->sh;
		else if (KEY("argv"))
			lst = &r->argv;
		else if (KEY("file"))
			lst = &r->file;
		else if (KEY("cmds"))
			lst = &r->cmds;
		else if (KEY("mk"))
			lst = &r->mk;
		else if (KEY("env"))
			lst = &r->env;
		else if (KEY("esc"))
			lst = &r->esc;
		else if (KEY("stdin"))
			lst = &r->stdin_opts;
		else if (KEY("opt"))
			lst = &r->opt;
		else if (KEY("alias"))
			lst = &r->alias;
		else if (KEY("kv"))
			lst = &r->kv;
		else if (KEY("hook"))
			lst = &r->hook;
		else if (KEY("after"))
			lst = &r->after;
		else if (KEY("lib"))
			lst = &r->lib;
		else if (KEY("shesc"))
			lst = &r->shesc;
		else if (KEY("embed"))
			lst = &r->embed;
		else if (KEY("norepl"))
			lst = &r->norepl;
		else if (KEY("detach"))
			lst = &r->detach;
		if (lst != NULL) {
			if (parse_list(L, eq + 1, lst, "option") < 0)
				return -1;
			if (lst == &r->alias)
				for (size_t q = 0; q < lst->n; q++)
					if (strchr(lst->v[q], ':') == NULL)
						return lerr(L, "alias= items are WORD:COMMAND, not '%s'", lst->v[q]);
			if (lst == &r->kv)
				for (size_t q = 0; q < lst->n; q++) {
					const char *c = strchr(lst->v[q], ':');

					if (c == NULL || c == lst->v[q] || c[1] == '\0')
						return lerr(L, "kv= items are OPTION:KEY, not '%s'", lst->v[q]);
				}
			if (lst == &r->embed)
				for (size_t q = 0; q < lst->n; q++) {
					const char *c = strrchr(lst->v[q], ':');

					/* OPEN (at least one character), ':', CLOSE, ':sh' */
					if (c == NULL || strcmp(c + 1, "sh") != 0 || c - lst->v[q] < 3 || c[-2] != ':')
						return lerr(L, "embed= items are OPEN:CLOSE:sh (CLOSE one character), not '%s'",
						    lst->v[q]);
				}
			if (lst == &r->esc)
				for (size_t q = 0; q < lst->n; q++) {
					const char *c = strrchr(lst->v[q], ':');

					if (c == NULL || c == lst->v[q] ||
					    (strcmp(c + 1, "sh") != 0 && name_index(code_lang_names, LANG_COUNT, c + 1) < 0))
						return lerr(L, "esc= items are PREFIX:LANG (sh or a code language), not '%s'",
						    lst->v[q]);
				}
		} else if (KEY("how")) {
			int h = name_index(hows, 4, eq + 1);

			if (h < 0)
				return lerr(L, "how= must be none, argv, joined or keys");
			r->how = (enum run_how)h;
		} else if (KEY("skip")) {
			if (eq[1] < '0' || eq[1] > '3' || eq[2] != '\0')
				return lerr(L, "skip= must be 0 to 3");
			r->skip = eq[1] - '0';
		} else if (KEY("word")) {
			if ((r->word = ldup(L, eq + 1)) == NULL)
				return loom(L);
		} else if (KEY("lang")) {
			int li = name_index(code_lang_names, LANG_COUNT, eq + 1);

			if (li < 0)
				return lerr(L, "unknown language '%s'", eq + 1);
			r->lang = (enum code_lang)li;
		} else {
			return lerr(L, "unknown key '%.*s'", (int)fl2, f);
		}
#undef KEY
	}
	kl = strlen(fl->f[0]) + strlen(fl->f[1]) + 2;
	if ((k = arena_alloc(L->t->a, kl)) == NULL)
		return loom(L);
	snprintf(k, kl, "%s %s", fl->f[0], fl->f[1]);
	*out = r;
	*key = k;
	return 0;
}

typedef int (*row_parser)(struct loader *, struct fields *, const char *, void **, const char **);

static const struct table_def {
	const char *name;
	row_parser parse;
	bool first_match; /* new user entries go before the built-in ones */
	int fields;       /* fields before free text, or MAXF */
} table_defs[T_COUNT] = {
	[T_PROGRAMS] = { "programs", parse_program, false, MAXF },
	[T_WRAPPERS] = { "wrappers", parse_wrapper, false, MAXF },
	[T_COMMANDS] = { "commands", parse_command, false, 6 },
	[T_PATHS] = { "paths", parse_path, true, MAXF },
	[T_HOSTS] = { "hosts", parse_host, true, MAXF },
	[T_CODE] = { "code", parse_code, false, 2 },
	[T_RULES] = { "rules", parse_rule, false, 2 },
	[T_MCP] = { "mcp", parse_mcp, true, 3 },
	[T_SERVICES] = { "services", parse_service, false, MAXF },
	[T_WINDOWS] = { "windows", parse_windows, false, MAXF },
	[T_HOOKS] = { "hooks", parse_hook, true, MAXF },
	[T_SECRETS] = { "secrets", parse_secret, true, MAXF },
	[T_DB] = { "db", parse_db, false, MAXF },
	[T_RUNNERS] = { "runners", parse_runner, false, MAXF },
	[T_RUNS] = { "runs", parse_runs, false, MAXF },
	[T_DIRS] = { "dirs", parse_dirs, true, MAXF },
};

/* --- merging --------------------------------------------------------------------------- */

static size_t
tvec_find(const struct tvec *tv, const char *key)
{
	size_t idx = (size_t)(uintptr_t)smap_get(&tv->bykey, key);

	if (idx != 0 && !tv->e[idx - 1].dead && strcmp(tv->e[idx - 1].key, key) == 0)
		return idx;
	return 0;
}

static int
tvec_add(struct loader *L, struct tvec *tv, const char *key, void *item, bool front)
{
	struct entry *ne;
	size_t idx = tvec_find(tv, key);

	if (idx != 0) {
		/* Same key: replace in place. */
		tv->e[idx - 1].item = item;
		tv->e[idx - 1].file = L->file;
		tv->e[idx - 1].line = L->line;
		return 0;
	}
	if (tv->n >= 2 * TABLE_MAX_ROWS)
		return lerr(L, "too many entries (max %d)", TABLE_MAX_ROWS);
	ne = arena_grow(L->t->a, tv->e, tv->n, &tv->cap, sizeof *ne);
	if (ne == NULL)
		return loom(L);
	tv->e = ne;
	/* front: new user entries come before the built-in ones (in
	 * first-match tables); the indexes take them first. */
	tv->e[tv->n] = (struct entry){ .key = key, .item = item, .file = L->file, .line = L->line, .front = front };
	tv->n++;
	if (smap_put(L->t->a, &tv->bykey, key, (void *)(uintptr_t)tv->n) < 0)
		return loom(L);
	return 0;
}

static void
tvec_remove(struct loader *L, struct tvec *tv, const char *key)
{
	size_t idx = tvec_find(tv, key);

	if (idx != 0) {
		tv->e[idx - 1].dead = true;
		(void)smap_put(L->t->a, &tv->bykey, tv->e[idx - 1].key, NULL);
	}
}

/* Parse one table file's text. */
static int
load_text(struct loader *L, enum tbl which, const char *text, size_t len)
{
	const struct table_def *def = &table_defs[which];
	struct tvec *tv = &L->t->tv[which];
	char line[TABLE_MAX_LINE + 1], pristine[TABLE_MAX_LINE + 1];
	size_t pos = 0;

	L->line = 0;
	{
		const char *f = ldup(L, L->file);

		if (f == NULL)
			return loom(L);
		L->file = f;
	}
	if (len > TABLE_MAX_FILE)
		return lerr(L, "file too large (max %zu bytes)", TABLE_MAX_FILE);
	if (memchr(text, '\0', len) != NULL) {
		const char *z = memchr(text, '\0', len);

		for (const char *p = text; p < z; p++)
			L->line += *p == '\n';
		L->line++;
		return lerr(L, "NUL byte in table file");
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t ll = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		struct fields fl;
		const char *key = NULL;
		void *item = NULL;
		size_t s = 0;

		L->line++;
		if (ll > TABLE_MAX_LINE)
			return lerr(L, "line too long (max %d bytes)", TABLE_MAX_LINE);
		memcpy(line, text + pos, ll);
		if (ll > 0 && line[ll - 1] == '\r')
			ll--;
		line[ll] = '\0';
		memcpy(pristine, line, ll + 1);
		pos = nl != NULL ? (size_t)(nl - text) + 1 : len;
		while (s < ll && (line[s] == ' ' || line[s] == '\t'))
			s++;
		if (s == ll || line[s] == '#')
			continue;
		for (size_t k = s; k < ll; k++)
			if ((unsigned char)line[k] < 0x20 && line[k] != '\t')
				return lerr(L, "control character in table file");
		if (strcmp(line + s, "@replace") == 0) {
			if (!L->user)
				return lerr(L, "@replace is for user tables");
			for (size_t k = 0; k < tv->n; k++) {
				tv->e[k].dead = true;
				(void)smap_put(L->t->a, &tv->bykey, tv->e[k].key, NULL);
			}
			continue;
		}
		if (line[s] == '-' && L->user && line[s + 1] != '\0') {
			/* "-KEY": remove an entry. */
			char *k = line + s + 1;
			char *e = k + strlen(k);

			while (e > k && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = '\0';
			if (which == T_HOSTS || which == T_MCP)
				for (char *q = k; *q; q++)
					*q = (char)tolower((unsigned char)*q);
			if (which == T_DB || which == T_RUNNERS) {
				/* "-KIND TEXT": one space between words, as in the key */
				char *o = k;

				for (char *q = k; *q; q++) {
					if (*q == ' ' || *q == '\t') {
						if (o > k && o[-1] != ' ')
							*o++ = ' ';
						continue;
					}
					*o++ = which == T_DB && strncmp(k, "client ", 7) != 0 ? (char)tolower((unsigned char)*q) : *q;
				}
				*o = '\0';
			}
			if (which == T_CODE || which == T_SECRETS) {
				/* "-SCOPE TEXT": one space between, as in the key */
				char *sp = k + strcspn(k, " \t");
				char *tx = sp + strspn(sp, " \t");

				if (*sp != '\0' && tx > sp + 1)
					memmove(sp + 1, tx, strlen(tx) + 1);
				if (*sp == '\t')
					*sp = ' ';
			}
			tvec_remove(L, tv, k);
			continue;
		}
		if (split(L, line, ll, &fl, def->fields) < 0)
			return -1;
		if (def->parse(L, &fl, pristine, &item, &key) < 0)
			return -1;
		if (item == NULL)
			continue;
		if (tvec_add(L, tv, key, item, L->user && def->first_match) < 0)
			return -1;
	}
	return 0;
}

/* --- indexes ------------------------------------------------------------------------------- */

static int
push_ptr(arena *a, const void ***arr, size_t *n, size_t *cap, const void *p)
{
	const void **na = arena_grow(a, (void *)*arr, *n, cap, sizeof *na);

	if (na == NULL)
		return -1;
	*arr = na;
	(*arr)[(*n)++] = p;
	return 0;
}

static bool
cmdrule_any_sub(const struct cmdrule *r)
{
	if (r->fallback || r->subs.n == 0)
		return true;
	for (size_t k = 0; k < r->subs.n; k++)
		if (strpbrk(r->subs.v[k], "*?[\\") != NULL)
			return true;
	return false;
}

/* Build each program's per-subcommand pre-filter (struct cmdlist). */
static int
index_cmdlists(struct tables *t)
{
	arena *a = t->a;

	for (size_t i = 0; i < t->cmds.cap; i++) {
		struct cmdlist *cl = t->cmds.vals[i];

		if (t->cmds.keys[i] == NULL || cl == NULL)
			continue;
		if ((cl->wild = arena_zalloc(a, sizeof *cl->wild)) == NULL)
			return -1;
		for (size_t k = 0; k < cl->n; k++) {
			const struct cmdrule *r = cl->v[k];

			if (cmdrule_any_sub(r)) {
				/* into wild and into every sub list made so far and later */
				if (push_ptr(a, (const void ***)&cl->wild->v, &cl->wild->n, &cl->wild->cap, r) < 0)
					return -1;
				for (size_t j = 0; j < cl->bysub.cap; j++) {
					struct cmdlist *f = cl->bysub.vals[j];

					if (cl->bysub.keys[j] != NULL &&
					    push_ptr(a, (const void ***)&f->v, &f->n, &f->cap, r) < 0)
						return -1;
				}
				continue;
			}
			for (size_t q = 0; q < r->subs.n; q++) {
				struct cmdlist *f = smap_get(&cl->bysub, r->subs.v[q]);

				if (f == NULL) {
					/* a new sub starts with the wild rules seen so far */
					if ((f = arena_zalloc(a, sizeof *f)) == NULL ||
					    smap_put(a, &cl->bysub, r->subs.v[q], f) < 0)
						return -1;
					for (size_t w = 0; w < cl->wild->n; w++)
						if (push_ptr(a, (const void ***)&f->v, &f->n, &f->cap, cl->wild->v[w]) < 0)
							return -1;
				}
				if (f->n == 0 || f->v[f->n - 1] != r) /* a rule naming one sub twice */
					if (push_ptr(a, (const void ***)&f->v, &f->n, &f->cap, r) < 0)
						return -1;
			}
		}
	}
	return 0;
}

static int
build_indexes(struct loader *L)
{
	struct tables *t = L->t;
	arena *a = t->a;
	size_t cap1 = 0, cap2 = 0, caph = 0, capm = 0, capg = 0, capk = 0, caps = 0, capsv = 0, capj = 0, capc[4096] = { 0 };

	for (size_t step = 0; step < 2 * T_COUNT; step++) {
		enum tbl w = (enum tbl)(step / 2);
		bool front_pass = step % 2 == 0;
		struct tvec *tv = &t->tv[w];

		for (size_t k = 0; k < tv->n; k++) {
			struct entry *e = &tv->e[k];

			if (e->dead || e->front != front_pass)
				continue;
			L->file = e->file;
			L->line = e->line;
			switch (w) {
			case T_PROGRAMS: {
				struct prog *pg = e->item;

				/* "[" (test) is a name, not an unclosed bracket */
				if (has_wild(pg->name) && strcmp(pg->name, "[") != 0) {
					if (push_ptr(a, (const void ***)&t->globprogs, &t->nglobprogs, &capg, pg) < 0)
						return loom(L);
				} else if (smap_put(a, &t->progs, pg->name, pg) < 0) {
					return loom(L);
				}
				break;
			}
			case T_WRAPPERS:
				if (smap_put(a, &t->wrappers, ((struct wrapper *)e->item)->name, e->item) < 0)
					return loom(L);
				break;
			case T_COMMANDS: {
				struct cmdrule *r = e->item;

				for (size_t p = 0; p < r->progs.n; p++) {
					struct cmdlist *cl = smap_get(&t->cmds, r->progs.v[p]);

					if (cl == NULL) {
						if ((cl = arena_zalloc(a, sizeof *cl)) == NULL ||
						    smap_put(a, &t->cmds, r->progs.v[p], cl) < 0)
							return loom(L);
					}
					if (push_ptr(a, (const void ***)&cl->v, &cl->n, &cl->cap, r) < 0)
						return loom(L);
				}
				break;
			}
			case T_PATHS: {
				struct pathpat *pp = e->item;
				bool late = pp->cls == PC_SYSTEM || pp->cls == PC_TMP;

				if (push_ptr(a, (const void ***)(late ? &t->paths2 : &t->paths1),
				        late ? &t->npaths2 : &t->npaths1, late ? &cap2 : &cap1, pp) < 0)
					return loom(L);
				break;
			}
			case T_HOSTS:
				if (push_ptr(a, (const void ***)&t->hosts, &t->nhosts, &caph, e->item) < 0)
					return loom(L);
				break;
			case T_CODE: {
				struct codepat *cp = e->item;
				unsigned char c0 = (unsigned char)cp->text[0], c1 = (unsigned char)cp->text[1];
				unsigned keys[4];
				size_t nk = 0;

				/* patterns are at least two bytes (one-byte ones hash with c1 = 0) */
				keys[nk++] = code_key(c0, c1);
				if (cp->scope == LANG_SQL) {
					keys[nk++] = code_key((unsigned char)toupper(c0), c1);
					keys[nk++] = code_key(c0, (unsigned char)toupper(c1));
					keys[nk++] = code_key((unsigned char)toupper(c0), (unsigned char)toupper(c1));
				}
				for (size_t q = 0; q < nk; q++) {
					bool dup = false;

					for (size_t r = 0; r < q; r++)
						dup |= keys[r] == keys[q];
					if (!dup && push_ptr(a, (const void ***)&t->code[keys[q]], &t->ncode[keys[q]], &capc[keys[q]], cp) < 0)
						return loom(L);
				}
				break;
			}
			case T_RULES: {
				struct rule *r = e->item;
				const char *colon = strchr(r->id, ':');

				if (smap_put(a, &t->rules, r->id, r) < 0)
					return loom(L);
				if (colon != NULL) {
					char eff[64];
					size_t el = (size_t)(colon - r->id);
					int ef, pc;

					memcpy(eff, r->id, el);
					eff[el] = '\0';
					ef = effect_by_name(eff);
					pc = name_index(pclass_names, PC_COUNT, colon + 1);
					if (ef >= 0 && pc >= 0)
						t->tmat[ef][pc] = r;
				}
				break;
			}
			case T_MCP:
				if (push_ptr(a, (const void ***)&t->mcps, &t->nmcps, &capm, e->item) < 0)
					return loom(L);
				break;
			case T_SERVICES: {
				struct svcrow *r = e->item;

				if (r->kind == SVK_CLI && has_wild(r->name)) {
					if (push_ptr(a, (const void ***)&t->svcglobs, &t->nsvcglobs, &capsv, r) < 0)
						return loom(L);
				} else if (smap_put(a, &t->svcs[r->kind], r->name, r) < 0) {
					return loom(L);
				} else {
					const char *dot = strchr(r->name, '.');
					char *prog = dot != NULL ? arena_strndup(a, r->name, (size_t)(dot - r->name)) : NULL;

					if (smap_put(a, &t->svcprogs[r->kind], prog != NULL ? prog : r->name, r) < 0)
						return loom(L);
				}
				break;
			}
			case T_WINDOWS: {
				struct winrow *r = e->item;

				for (size_t q = 0; q < r->name.n; q++)
					if (smap_put(a, &t->wins, r->name.v[q], r) < 0)
						return loom(L);
				break;
			}
			case T_HOOKS:
				if (push_ptr(a, (const void ***)&t->hooks, &t->nhooks, &capk, e->item) < 0)
					return loom(L);
				break;
			case T_DIRS:
				if (push_ptr(a, (const void ***)&t->dirs, &t->ndirs, &capj, e->item) < 0)
					return loom(L);
				break;
			case T_SECRETS:
				if (push_ptr(a, (const void ***)&t->secrets, &t->nsecrets, &caps, e->item) < 0)
					return loom(L);
				break;
			case T_DB: {
				struct dbpat *dp = e->item;
				struct smap *m = &t->db[dp->kind];
				const char *dk = dp->kind == DBK_HOST || dp->kind == DBK_CLIENT ? "" : dp->words[0];
				struct plist *pl;

				if (dp->kind == DBK_CLIENT) {
					if (smap_put(a, &t->dbclients, dp->text, dp) < 0)
						return loom(L);
					break;
				}
				if ((pl = smap_get(m, dk)) == NULL &&
				    ((pl = arena_zalloc(a, sizeof *pl)) == NULL || smap_put(a, m, dk, pl) < 0))
					return loom(L);
				if (push_ptr(a, &pl->v, &pl->n, &pl->cap, dp) < 0)
					return loom(L);
				break;
			}
			case T_RUNNERS: {
				struct runner *r = e->item;
				struct plist *pl = smap_get(&t->runners, r->name);

				if (pl == NULL && ((pl = arena_zalloc(a, sizeof *pl)) == NULL ||
				                      smap_put(a, &t->runners, r->name, pl) < 0))
					return loom(L);
				if (push_ptr(a, &pl->v, &pl->n, &pl->cap, r) < 0)
					return loom(L);
				break;
			}
			case T_RUNS: {
				const struct runspec *r = e->item;
				struct runlist *rl = smap_get(&t->runs, r->prog);

				if (rl == NULL) {
					if ((rl = arena_zalloc(a, sizeof *rl)) == NULL || smap_put(a, &t->runs, r->prog, rl) < 0)
						return loom(L);
				}
				if (push_ptr(a, (const void ***)&rl->v, &rl->n, &rl->cap, r) < 0)
					return loom(L);
				break;
			}
			case T_COUNT:
				break;
			}
		}
	}
	if (index_cmdlists(t) < 0)
		return loom(L);
	return 0;
}

/* --- loading ---------------------------------------------------------------------------------- */

static struct tables *
tables_new(const char *home)
{
	struct tables *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	t->a = arena_new(64 * 1024);
	if (t->a == NULL) {
		free(t);
		return NULL;
	}
	if (home != NULL && *home != '\0' && (t->home = arena_strndup(t->a, home, strlen(home))) == NULL) {
		tables_free(t);
		return NULL;
	}
	return t;
}

static int
load_builtin(struct loader *L)
{
	for (size_t k = 0; k < sg_builtin_tables_count; k++) {
		const struct table_blob *b = &sg_builtin_tables[k];
		char label[96];
		int w;

		for (w = 0; w < T_COUNT; w++)
			if (strcmp(table_defs[w].name, b->name) == 0)
				break;
		if (w == T_COUNT)
			continue;
		snprintf(label, sizeof label, "builtin:%s", b->name);
		L->file = label;
		L->user = false;
		if (load_text(L, (enum tbl)w, (const char *)b->data, b->len) < 0)
			return -1;
	}
	return 0;
}

/* Read a user table file; 1 if it does not exist. */
static int
read_user_file(struct loader *L, const char *path, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	size_t got = 0;

	L->line = 0;
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		return lerr(L, "cannot open: %s", strerror(errno));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return lerr(L, "not a regular file");
	}
	if ((size_t)st.st_size > TABLE_MAX_FILE) {
		close(fd);
		return lerr(L, "file too large (max %zu bytes)", TABLE_MAX_FILE);
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (*buf == NULL) {
		close(fd);
		return loom(L);
	}
	while (got <= (size_t)st.st_size) {
		ssize_t r = read(fd, *buf + got, (size_t)st.st_size + 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(*buf);
			close(fd);
			return lerr(L, "cannot read: %s", strerror(errno));
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got > (size_t)st.st_size) {
		free(*buf);
		return lerr(L, "file grew while reading");
	}
	*len = got;
	return 0;
}

struct tables *
tables_load(const char *config_dir, const char *home, char *err, size_t errlen)
{
	struct tables *t = tables_new(home);
	struct loader L = { .t = t, .err = err, .errlen = errlen };

	if (t == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (load_builtin(&L) < 0)
		goto fail;
	if (config_dir != NULL) {
		for (int w = 0; w < T_COUNT; w++) {
			size_t n = strlen(config_dir) + strlen(table_defs[w].name) + 16, len = 0;
			char *path = malloc(n), *buf = NULL;
			int rc;

			if (path == NULL) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			snprintf(path, n, "%s/tables/%s", config_dir, table_defs[w].name);
			L.file = path;
			L.user = true;
			rc = read_user_file(&L, path, &buf, &len);
			if (rc == 0)
				rc = load_text(&L, (enum tbl)w, buf, len);
			free(buf);
			free(path);
			if (rc < 0)
				goto fail;
		}
	}
	if (build_indexes(&L) < 0)
		goto fail;
	return t;
fail:
	tables_free(t);
	return NULL;
}

struct tables *
tables_load_mem(const char *const *names, const char *const *texts, size_t n, const char *home,
    char *err, size_t errlen)
{
	struct tables *t = tables_new(home);
	struct loader L = { .t = t, .err = err, .errlen = errlen };

	if (t == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (load_builtin(&L) < 0)
		goto fail;
	for (size_t k = 0; k < n; k++) {
		int w;

		for (w = 0; w < T_COUNT; w++)
			if (strcmp(table_defs[w].name, names[k]) == 0)
				break;
		L.file = names[k];
		L.user = true;
		L.line = 0;
		if (w == T_COUNT) {
			lerr(&L, "unknown table");
			goto fail;
		}
		if (load_text(&L, (enum tbl)w, texts[k], strlen(texts[k])) < 0)
			goto fail;
	}
	if (build_indexes(&L) < 0)
		goto fail;
	return t;
fail:
	tables_free(t);
	return NULL;
}

void
tables_free(struct tables *t)
{
	if (t == NULL)
		return;
	arena_free(t->a);
	free(t);
}

/* --- lookups ------------------------------------------------------------------------------------- */

const struct prog *
tables_prog(const struct tables *t, const char *name)
{
	const struct prog *pg = smap_get(&t->progs, name);

	if (pg != NULL)
		return pg;
	for (size_t k = 0; k < t->nglobprogs; k++)
		if (glob_match(t->globprogs[k]->name, name, strlen(name), false))
			return t->globprogs[k];
	return NULL;
}

const struct wrapper *
tables_wrapper(const struct tables *t, const char *name)
{
	return smap_get(&t->wrappers, name);
}

const struct runspec *const *
tables_runs(const struct tables *t, const char *prog, size_t *n)
{
	const struct runlist *rl = smap_get(&t->runs, prog);

	*n = rl != NULL ? rl->n : 0;
	return rl != NULL ? rl->v : NULL;
}

const struct cmdrule *const *
tables_cmdrules_for(const struct tables *t, const char *prog, const char *sub, size_t *n)
{
	const struct cmdlist *cl = smap_get(&t->cmds, prog);

	if (cl != NULL && cl->wild != NULL) {
		const struct cmdlist *f = sub != NULL ? smap_get(&cl->bysub, sub) : NULL;

		cl = f != NULL ? f : cl->wild;
	}
	*n = cl != NULL ? cl->n : 0;
	return cl != NULL ? cl->v : NULL;
}

const struct cmdrule *const *
tables_cmdrules(const struct tables *t, const char *prog, size_t *n)
{
	const struct cmdlist *cl = smap_get(&t->cmds, prog);

	*n = cl != NULL ? cl->n : 0;
	return cl != NULL ? cl->v : NULL;
}

const struct svcrow *
tables_svc(const struct tables *t, enum svc_kind k, const char *name, size_t n)
{
	char buf[128];
	const struct svcrow *r;

	if (k >= SVK_COUNT || n == 0 || n >= sizeof buf)
		return NULL;
	memcpy(buf, name, n);
	buf[n] = '\0';
	if ((r = smap_get(&t->svcs[k], buf)) != NULL || k != SVK_CLI)
		return r;
	for (size_t j = 0; j < t->nsvcglobs; j++)
		if (glob_match(t->svcglobs[j]->name, buf, n, false))
			return t->svcglobs[j];
	return NULL;
}

bool
tables_svc_prog(const struct tables *t, enum svc_kind k, const char *prog)
{
	return k < SVK_COUNT && smap_get(&t->svcprogs[k], prog) != NULL;
}

const struct winrow *
tables_win(const struct tables *t, const char *name)
{
	return smap_get(&t->wins, name);
}

const struct secretpat *const *
tables_secrets(const struct tables *t, size_t *n)
{
	*n = t->nsecrets;
	return t->secrets;
}

const struct rule *
tables_rule(const struct tables *t, const char *id)
{
	return smap_get(&t->rules, id);
}

const struct rule *
tables_target_rule(const struct tables *t, enum effect e, enum pclass c)
{
	if ((unsigned)e >= EFF_COUNT || (unsigned)c >= PC_COUNT)
		return NULL;
	return t->tmat[e][c];
}

/* memmem without regard to ASCII case. */
static const char *
memcasemem(const char *h, size_t hn, const char *n, size_t nn)
{
	if (nn == 0)
		return h;
	for (size_t k = 0; k + nn <= hn; k++)
		if (strncasecmp(h + k, n, nn) == 0)
			return h + k;
	return NULL;
}

static bool
path_pat_match(const struct pathpat *pp, const char *path, size_t len, const char *base, size_t blen)
{
	const char *s = pp->base ? base : path;
	size_t n = pp->base ? blen : len;
	long budget = 200000;

	if (pp->mustlen > 0) {
		size_t ml = pp->mustlen;
		bool hit = pp->fold ? memcasemem(s, n, pp->must, ml) != NULL : memmem(s, n, pp->must, ml) != NULL;

		/* a tree pattern (x/ and a double star) also matches the directory x */
		if (!hit && ml > 1 && pp->must[ml - 1] == '/')
			hit = pp->fold ? memcasemem(s, n, pp->must, ml - 1) != NULL : memmem(s, n, pp->must, ml - 1) != NULL;
		if (!hit)
			return false;
	}
	if (pp->prefixlen > n ||
	    (pp->fold ? strncasecmp(s, pp->prefix, pp->prefixlen) : memcmp(s, pp->prefix, pp->prefixlen)) != 0)
		return false;
	return gm(pp->pat, s, s + n, pp->fold, true, &budget);
}

enum pclass
tables_path_class(const struct tables *t, const char *path, size_t len, int pass)
{
	const struct pathpat *const *v = pass == 1 ? t->paths1 : t->paths2;
	size_t n = pass == 1 ? t->npaths1 : t->npaths2;
	const char *slash = len > 0 ? memrchr(path, '/', len) : NULL;
	const char *base = slash != NULL ? slash + 1 : path;
	size_t blen = len - (size_t)(base - path);

	for (size_t k = 0; k < n; k++)
		if (path_pat_match(v[k], path, len, base, blen))
			return v[k]->cls;
	return PC_COUNT;
}

const struct pathpat *const *
tables_paths(const struct tables *t, int pass, size_t *n)
{
	*n = pass == 1 ? t->npaths1 : t->npaths2;
	return pass == 1 ? t->paths1 : t->paths2;
}

enum hclass
tables_host_class(const struct tables *t, const char *host, size_t len)
{
	for (size_t k = 0; k < t->nhosts; k++)
		if (glob_match(t->hosts[k]->pat, host, len, true))
			return t->hosts[k]->cls;
	return HC_EXTERNAL;
}

const struct mcppat *
tables_mcp(const struct tables *t, const char *tool, size_t len)
{
	for (size_t k = 0; k < t->nmcps; k++)
		if (glob_match(t->mcps[k]->pat, tool, len, true))
			return t->mcps[k];
	return NULL;
}

const struct mcppat *
tables_mcp_word(const struct tables *t, const char *word, size_t len)
{
	for (size_t k = 0; k < t->nmcps; k++) {
		const char *p = t->mcps[k]->pat;

		if (strlen(p) == len && memcmp(p, word, len) == 0 && strpbrk(p, "*?[") == NULL)
			return t->mcps[k];
	}
	return NULL;
}

const struct codepat *const *
tables_code_by_pair(const struct tables *t, unsigned char c0, unsigned char c1, size_t *n)
{
	unsigned k = code_key(c0, c1);

	*n = t->ncode[k];
	return t->code[k];
}

const struct dbpat *const *
tables_db(const struct tables *t, enum db_kind k, const char *w, size_t *n)
{
	const struct plist *pl = (unsigned)k < DBK_COUNT ? smap_get(&t->db[k], w) : NULL;

	*n = pl != NULL ? pl->n : 0;
	return pl != NULL ? (const struct dbpat *const *)pl->v : NULL;
}

const struct dbpat *
tables_db_client(const struct tables *t, const char *prog)
{
	return smap_get(&t->dbclients, prog);
}

const struct runner *const *
tables_runners(const struct tables *t, const char *prog, size_t *n)
{
	const struct plist *pl = smap_get(&t->runners, prog);

	*n = pl != NULL ? pl->n : 0;
	return pl != NULL ? (const struct runner *const *)pl->v : NULL;
}

const struct projpat *
tables_project(const struct tables *t, const char *rel, size_t n)
{
	const char *base = memrchr(rel, '/', n);

	base = base != NULL ? base + 1 : rel;
	for (size_t k = 0; k < t->ndirs; k++) {
		const struct projpat *pp = t->dirs[k];

		if (pp->kind == PJ_BIN)
			continue;
		if (pp->anchored ? glob_match_path(pp->pat, rel, n) : glob_match(pp->pat, base, n - (size_t)(base - rel), false))
			return pp;
	}
	return NULL;
}

bool
tables_bindir(const struct tables *t, const char *path, size_t n)
{
	size_t hl = t->home != NULL ? strlen(t->home) : 0;

	while (n > 1 && path[n - 1] == '/')
		n--;
	for (size_t k = 0; k < t->ndirs; k++) {
		const struct projpat *pp = t->dirs[k];

		if (pp->kind != PJ_BIN)
			continue;
		if (!pp->home ? glob_match_path(pp->pat, path, n)
		              : hl > 1 && n > hl + 1 && memcmp(path, t->home, hl) == 0 && path[hl] == '/' &&
		                    glob_match_path(pp->pat, path + hl + 1, n - hl - 1))
			return true;
	}
	return false;
}

const struct hookpat *
tables_hook(const struct tables *t, const char *name, size_t len, bool git)
{
	for (size_t k = 0; k < t->nhooks; k++)
		if (t->hooks[k]->git == git && glob_match(t->hooks[k]->pat, name, len, git))
			return t->hooks[k];
	return NULL;
}
