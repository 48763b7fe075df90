/* intent.c -- from a parsed command line (or a non-shell request) to the
 * commands it would run, what they touch, and the signals the risk scorer
 * weighs.  See intent.h. */
#include "broker/intent/intent.h"
#include "broker/intent/fsresolve.h"
#include "broker/intent/globclass.h"
#include "broker/intent/codepaths.h"
#include "broker/intent/selfref.h"
#include "broker/intent/reqfiles.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* --- context ------------------------------------------------------------------------- */

#define VAR_BUCKETS 256
#define VAR_MAX 4096
#define DL_MAX 32
#define FUNC_MAX 256

struct var {
	const char *name;
	const char *val;
	size_t vlen;
	unsigned flags; /* RW_* of the value */
	struct var *next;
};

struct intent_ctx {
	arena *a;
	arena *tmp;  /* arrays that live while one command is analysed */
	const struct tables *t;
	struct intent_env env;
	struct intent *in;
	size_t wslen, homelen;
	struct var *vars[VAR_BUCKETS];
	size_t nvars;
	const char *dl[DL_MAX]; /* files written by downloads */
	size_t ndl;
	const char *execs[DL_MAX]; /* files made executable (chmod +x) */
	size_t nexecs;
	const char *funcs[FUNC_MAX];
	size_t nfuncs;
	char *buf;              /* scratch for word resolution */
	size_t blen, bcap;
	unsigned char *split;   /* parallel to buf: 1 where word splitting applies */
	bool oom;
	bool deep_flagged, large_flagged;
	const char *cwd_now;    /* the cwd of the command being analysed (after cd) */
	struct {
		const char *path;
		size_t len;
		enum pclass cls;
	} pcache[256]; /* classified paths (scripts repeat them) */
	struct {
		const struct rule *rule;
		unsigned count;
	} rcount[512];  /* signals recorded per rule */
	struct fs_state *fs; /* paths on disk (links), NULL until first needed */
};

/* Resolved-word flags. */
enum {
	RW_UNKNOWN = 1 << 0,   /* has a part not known before run time */
	RW_VAR = 1 << 1,       /* uses a variable set by the script */
	RW_SUBST = 1 << 2,     /* has a command substitution */
	RW_DL = 1 << 3,        /* a substitution in it downloads */
	RW_DECODE = 1 << 4,    /* a substitution in it decodes */
	RW_PROC = 1 << 5,      /* process substitution */
	RW_GLOB = 1 << 6,
	RW_QUOTED = 1 << 7,
	RW_ANSI = 1 << 8,
	RW_TMP = 1 << 9,       /* from mktemp */
	RW_IFS = 1 << 10,      /* uses $IFS */
	RW_PARAM = 1 << 11,    /* parameter-expansion tricks */
	RW_BRACE = 1 << 12,    /* came from brace expansion */
	RW_ESCAPED = 1 << 13,
	RW_SHELLVAR = 1 << 14, /* $SHELL */
	RW_SECRETVAR = 1 << 15,/* a variable whose name says it holds a secret */
	RW_ARITH = 1 << 16,
	RW_FILEREAD = 1 << 17, /* a substitution in it prints a file */
	RW_SECRETREAD = 1 << 18, /* ... a file that holds secrets */
	RW_SYNGLOB = 1 << 19,  /* a pattern sandgate made (DIR and a double star: what find finds) */
	RW_TOOLGLOB = 1 << 20, /* an agent tool's glob: its wildcards may match dot names */
};

struct rword {
	const char *s;
	size_t n;
	unsigned f;
	size_t unk_at; /* offset of the first unknown part, or SIZE_MAX */
	const struct sh_word *w;
};

struct rvec {
	struct rword *v;
	size_t n, cap;
};

/* Per scope while walking the tree. */
struct walk {
	struct intent_ctx *x;
	const char *cwd;     /* absolute, or NULL when unknown */
	int depth;
	const char *context;
	const char *via;
	bool priv;
	const char *remote;
	int stdin_from;      /* for commands in a compound fed by a pipe */
	const char *func;    /* function being defined */
	int inter;           /* an interactive program just ran at this level, or -1 */
	const char *inter_end;
};

/* What the shell around a command sets up: redirections, pipe, text. */
struct cmdctx {
	const char *text;
	size_t textlen;
	int stdin_from;
	bool bg, in_pipe;
	const char *stdin_text; /* here-doc or here-string */
	size_t stdin_len;
	bool stdin_quoted;
	struct rword stdin_file;
	bool has_stdin_file;
	bool stdout_file;       /* stdout goes to a regular file */
	struct rword *assigns;  /* NAME=value prefixes (resolved) */
	size_t nassigns;
	struct rword *rtargets; /* resolved redirection targets */
	enum sh_redir_op *rops;
	size_t nr;
	enum pclass xargs_cls;  /* xargs: class of its input paths, or PC_COUNT */
	const char *xargs_dir;  /* xargs: the directory its input paths are listed from, or NULL */
};

static int analyze_words(struct walk *w, struct rword *rw, size_t n, struct cmdctx *cc);
static void walk_list(struct walk *w, const struct sh_list *l);
static int nested_script(struct walk *w, int ci, const char *src, size_t n, const char *context,
    const char *remote);

static bool
oomf(struct intent_ctx *x)
{
	x->oom = true;
	return false;
}

static char *
xdup(struct intent_ctx *x, const char *s, size_t n)
{
	char *p = arena_strndup(x->a, s, n);

	if (p == NULL)
		oomf(x);
	return p;
}

struct intent *
intent_get(struct intent_ctx *x)
{
	return x->in;
}

/* --- commands, targets, hosts, signals -------------------------------------------------- */

static struct intent_cmd *
cmd_at(struct intent_ctx *x, int i)
{
	return i >= 0 && (size_t)i < x->in->ncmds ? intent_cmd(x->in, (size_t)i) : NULL;
}

static int
new_cmd(struct walk *w, const char *text, size_t textlen, int stdin_from)
{
	struct intent_ctx *x = w->x;
	struct intent *in = x->in;
	struct intent_cmd *nc, *c;

	if (in->ncmds >= INTENT_MAX_CMDS) {
		in->dropped_cmds++;
		if (!x->large_flagged) {
			x->large_flagged = true;
			intent_signal(x, -1, "too-large", text, textlen);
		}
		return -1;
	}
	if (in->ncmds % INTENT_CHUNK == 0) {
		struct intent_cmd **nch = arena_grow(x->a, in->chunks, in->nchunks, &in->chunkcap, sizeof *nch);

		if (nch == NULL || (nc = arena_alloc(x->a, INTENT_CHUNK * sizeof *nc)) == NULL) {
			oomf(x);
			return -1;
		}
		in->chunks = nch;
		in->chunks[in->nchunks++] = nc;
	}
	c = intent_cmd(in, in->ncmds);
	memset(c, 0, sizeof *c);
	c->text = text;
	c->textlen = textlen;
	c->context = w->context;
	c->via = w->via;
	c->remote = w->remote;
	c->privileged = w->priv;
	c->depth = w->depth;
	c->stdin_from = stdin_from;
	return (int)in->ncmds++;
}

int
intent_add_cmd(struct intent_ctx *x, const char *program, const char *text, size_t textlen)
{
	struct walk w = { .x = x, .stdin_from = -1, .inter = -1 };
	int i = new_cmd(&w, text, textlen, -1);

	if (i >= 0 && program != NULL) {
		intent_cmd(x->in, (size_t)i)->program = program;
		intent_cmd(x->in, (size_t)i)->known = true;
	}
	return x->oom ? -1 : i;
}

void
intent_add_effect(struct intent_ctx *x, int i, enum effect e)
{
	struct intent_cmd *c = cmd_at(x, i);

	if (c != NULL)
		c->effects |= (uint64_t)1 << e;
}

int
intent_signal_rule(struct intent_ctx *x, int i, const struct rule *r, const char *part, size_t partlen)
{
	struct intent *in = x->in;
	struct intent_signal *ns;

	if (r == NULL)
		return 0;
	/* A few signals per rule are enough to show (they score as one). */
	{
		size_t h = ((uintptr_t)r >> 4) % 512;

		for (size_t k = 0; k < 512; k++, h = (h + 1) % 512) {
			if (x->rcount[h].rule == r) {
				if (x->rcount[h].count >= 8)
					return 0;
				x->rcount[h].count++;
				break;
			}
			if (x->rcount[h].rule == NULL) {
				x->rcount[h].rule = r;
				x->rcount[h].count = 1;
				break;
			}
		}
	}
	/* One signal per rule and command is enough. */
	for (size_t k = in->nsigs; k > 0 && k + 64 > in->nsigs; k--)
		if (in->sigs[k - 1].rule == r && in->sigs[k - 1].cmd == i)
			return 0;
	if (in->nsigs >= INTENT_MAX_SIGNALS) {
		/* Keep the strongest: replace the weakest if this one is stronger. */
		size_t weak = 0;

		for (size_t k = 1; k < in->nsigs; k++)
			if (in->sigs[k].rule->weight < in->sigs[weak].rule->weight)
				weak = k;
		if (in->sigs[weak].rule->weight < r->weight)
			in->sigs[weak] = (struct intent_signal){ r, i, part, partlen };
		return 0;
	}
	ns = arena_grow(x->a, in->sigs, in->nsigs, &in->scap, sizeof *ns);
	if (ns == NULL) {
		oomf(x);
		return -1;
	}
	in->sigs = ns;
	in->sigs[in->nsigs++] = (struct intent_signal){ r, i, part, partlen };
	return 0;
}

int
intent_signal(struct intent_ctx *x, int i, const char *rule_id, const char *part, size_t partlen)
{
	return intent_signal_rule(x, i, tables_rule(x->t, rule_id), part, partlen);
}

/* Signal about command i, pointing at its text. */
static void
sig(struct intent_ctx *x, int i, const char *rule_id)
{
	struct intent_cmd *c = cmd_at(x, i);

	intent_signal(x, i, rule_id, c != NULL ? c->text : NULL, c != NULL ? c->textlen : 0);
}

/* Target flags of add_target_ex. */
enum { TF_INDIRECT = 1 << 0, TF_GLOB = 1 << 1, TF_UNKNOWN = 1 << 2 };

static void
add_target_ex(struct intent_ctx *x, int i, const char *path, enum pclass cls, enum effect eff, unsigned tf)
{
	struct intent_cmd *c = cmd_at(x, i);
	struct intent_target *nt;
	size_t pl;

	if (c == NULL)
		return;
	/* a repeated target is usually the one just added: look back a little */
	for (size_t k = c->ntargets > 64 ? c->ntargets - 64 : 0; k < c->ntargets; k++)
		if (c->targets[k].eff == eff && strcmp(c->targets[k].path, path) == 0)
			return;
	pl = strlen(path);
	if (c->ntargets >= INTENT_MAX_TARGETS || x->in->target_bytes + pl > INTENT_MAX_TARGET_BYTES) {
		/* a file left out is a part no rule can see: the intent is not whole */
		if (!x->in->dropped_targets) {
			x->in->dropped_targets = true;
			x->in->unparsed = true;
			intent_signal(x, i, "too-large", c->text, c->textlen > 200 ? 200 : c->textlen);
		}
		return;
	}
	nt = arena_grow(x->a, c->targets, c->ntargets, &c->tcap, sizeof *nt);
	if (nt == NULL) {
		oomf(x);
		return;
	}
	x->in->target_bytes += pl;
	c->targets = nt;
	c->targets[c->ntargets++] = (struct intent_target){ .path = path, .cls = cls, .eff = eff,
		.indirect = (tf & TF_INDIRECT) != 0, .glob = (tf & TF_GLOB) != 0, .unknown = (tf & TF_UNKNOWN) != 0 };
	c->effects |= (uint64_t)1 << eff;
}

static void
add_target_raw(struct intent_ctx *x, int i, const char *path, enum pclass cls, enum effect eff,
    bool indirect)
{
	/* the pseudo-targets ("(paths from input)") name no file a rule could match */
	add_target_ex(x, i, path, cls, eff, (indirect ? TF_INDIRECT : 0) | (path[0] != '/' ? TF_UNKNOWN : 0));
}

static void
add_host_raw(struct intent_ctx *x, int i, const char *host, size_t n)
{
	struct intent_cmd *c = cmd_at(x, i);
	struct intent_host *nh;
	enum hclass cls;
	char *h;

	if (c == NULL || n == 0 || n > 255)
		return;
	for (size_t k = 0; k < c->nhosts; k++)
		if (strlen(c->hosts[k].host) == n && strncasecmp(c->hosts[k].host, host, n) == 0)
			return;
	if (c->nhosts >= 16)
		return;
	if ((h = xdup(x, host, n)) == NULL)
		return;
	cls = tables_host_class(x->t, h, n);
	nh = arena_grow(x->a, c->hosts, c->nhosts, &c->hcap, sizeof *nh);
	if (nh == NULL) {
		oomf(x);
		return;
	}
	c->hosts = nh;
	c->hosts[c->nhosts++] = (struct intent_host){ h, cls };
	if (cls == HC_METADATA)
		sig(x, i, "host-metadata");
	else if (cls == HC_EXFIL)
		sig(x, i, "host-exfil");
}

/* Host part of "scheme://[user@]host[:port]/...", "[user@]host[:port]" or
 * "user@host:path"; false if there is none. */
static bool
host_of(const char *s, size_t n, const char **h, size_t *hn, bool bare)
{
	const char *p = s, *e = s + n, *ss = NULL;

	for (const char *q = s; q + 2 < e; q++) {
		if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
			ss = q;
			break;
		}
		if (!(isalnum((unsigned char)*q) || *q == '+' || *q == '-' || *q == '.'))
			break;
	}
	if (ss != NULL && ss > s)
		p = ss + 3;
	else if (!bare)
		return false;
	{
		const char *end = p;
		const char *at;

		while (end < e && *end != '/' && *end != '?' && *end != '#')
			end++;
		at = memrchr(p, '@', (size_t)(end - p));
		if (at != NULL)
			p = at + 1;
		if (p < end && *p == '[') {
			const char *rb = memchr(p, ']', (size_t)(end - p));

			if (rb == NULL)
				return false;
			*h = p + 1;
			*hn = (size_t)(rb - p - 1);
			return *hn > 0;
		}
		{
			const char *colon = memchr(p, ':', (size_t)(end - p));

			if (colon != NULL)
				end = colon;
		}
		if (end == p)
			return false;
		for (const char *q = p; q < end; q++)
			if (!(isalnum((unsigned char)*q) || *q == '.' || *q == '-' || *q == '_' || *q == '$' || *q == '*'))
				return false;
		*h = p;
		*hn = (size_t)(end - p);
		return true;
	}
}

static bool
is_url(const char *s, size_t n)
{
	const char *h;
	size_t hn;

	return n > 3 && memmem(s, n, "://", 3) != NULL && host_of(s, n, &h, &hn, false);
}

int
intent_add_url(struct intent_ctx *x, int i, const char *url, size_t len)
{
	const char *h;
	size_t hn;

	if (host_of(url, len, &h, &hn, true))
		add_host_raw(x, i, h, hn);
	return x->oom ? -1 : 0;
}

/* --- paths ---------------------------------------------------------------------------------- */

static bool
under(const char *path, size_t len, const char *dir, size_t dlen)
{
	if (dir == NULL || dlen == 0)
		return false;
	if (dlen == 1 && dir[0] == '/')
		return true;
	return len >= dlen && memcmp(path, dir, dlen) == 0 && (len == dlen || path[dlen] == '/');
}

static enum pclass classify_uncached(struct intent_ctx *x, const char *p, size_t len);

static const char *fs_as_named(struct intent_ctx *x, const char *p, size_t *len);

enum pclass
intent_classify(struct intent_ctx *x, const char *p, size_t len)
{
	uint32_t h = 2166136261u;
	size_t slot;
	enum pclass c;
	char *copy;

	p = fs_as_named(x, p, &len);
	for (size_t k = 0; k < len; k++)
		h = (h ^ (unsigned char)p[k]) * 16777619u;
	slot = h % 256;
	if (x->pcache[slot].path != NULL && x->pcache[slot].len == len && memcmp(x->pcache[slot].path, p, len) == 0)
		return x->pcache[slot].cls;
	c = classify_uncached(x, p, len);
	if (len <= 1024 && (copy = arena_strndup(x->a, p, len)) != NULL) {
		x->pcache[slot].path = copy;
		x->pcache[slot].len = len;
		x->pcache[slot].cls = c;
	}
	return c;
}

static enum pclass
classify_uncached(struct intent_ctx *x, const char *p, size_t len)
{
	const char *ws = x->in->workspace, *home = x->env.home;
	enum pclass c;

	if (len == 0)
		return PC_UNKNOWN;
	if (p[0] != '/')
		return PC_UNKNOWN; /* relative without a cwd: nobody knows where */
	if (x->env.config_dir != NULL && under(p, len, x->env.config_dir, strlen(x->env.config_dir)))
		return PC_SANDGATE;
	if (x->env.runtime_dir != NULL && under(p, len, x->env.runtime_dir, strlen(x->env.runtime_dir)))
		return PC_SANDGATE;
	if (x->env.db_path != NULL) {
		size_t dl = strlen(x->env.db_path);

		if (len >= dl && memcmp(p, x->env.db_path, dl) == 0 &&
		    (len == dl || strcmp(p + dl, "-wal") == 0 || strcmp(p + dl, "-shm") == 0 ||
		        strcmp(p + dl, "-journal") == 0))
			return PC_SANDGATE;
	}
	c = tables_path_class(x->t, p, len, 1);
	if (c != PC_COUNT && c != PC_NONE)
		return c;
	if (len == 1)
		return PC_ROOT;
	if (home != NULL && x->homelen > 1 && len == x->homelen && memcmp(p, home, len) == 0)
		return PC_HOME_ROOT;
	if (ws != NULL && x->wslen > 1) {
		if (len == x->wslen && memcmp(p, ws, len) == 0)
			return PC_WORKSPACE_ROOT;
		if (under(p, len, ws, x->wslen))
			return PC_WORKSPACE;
	}
	if (home != NULL && x->homelen > 1 && under(p, len, home, x->homelen))
		return p[x->homelen + 1] == '.' ? PC_HOME_DOTFILE : PC_HOME;
	c = tables_path_class(x->t, p, len, 2);
	if (c != PC_COUNT && c != PC_NONE)
		return c;
	if (memchr(p + 1, '/', len - 1) == NULL)
		return PC_SYSTEM; /* a direct child of / */
	return PC_OUTSIDE;
}

/* Weight of the EFFECT:CLASS rule (-1 if the tables have none). */
static int
target_weight(const struct tables *t, enum effect eff, enum pclass c)
{
	const struct rule *r = tables_target_rule(t, eff, c);

	return r != NULL ? r->weight : -1;
}

/* Could the glob reach a path under dir (or dir itself)? */
static bool
glob_reaches(const char *g, size_t len, const char *dir, unsigned flags)
{
	char pat[4200];
	size_t dl;

	if (dir == NULL || (dl = strlen(dir)) + 4 > sizeof pat)
		return false;
	memcpy(pat, dir, dl);
	memcpy(pat + dl, "/**", 4);
	return glob_could_match(g, len, pat, false, flags);
}

/* A glob target stands for every path it could match: its class is the
 * worst (by the rule weight for eff) among the classes of those paths --
 * the directory it starts in, sandgate's own files, every paths-table
 * entry it could meet, and the home directory's dot files. */
static enum pclass
classify_glob(struct intent_ctx *x, const char *g, size_t len, enum effect eff, unsigned flags)
{
	size_t dl = glob_literal_dir(g, len), n;
	enum pclass best = PC_UNKNOWN, c;
	int bw = -2;
	char *child;

#define CONSIDER(cls)                                                   \
	do {                                                                \
		enum pclass c_ = (cls);                                         \
		int w_ = target_weight(x->t, eff, c_);                          \
		if (w_ > bw) {                                                  \
			bw = w_;                                                    \
			best = c_;                                                  \
		}                                                               \
	} while (0)

	if (len == 0 || g[0] != '/')
		return PC_UNKNOWN;
	/* sandgate's own files first: naming them is what matters */
	if (glob_reaches(g, len, x->env.config_dir, flags) || glob_reaches(g, len, x->env.runtime_dir, flags))
		return PC_SANDGATE;
	if (x->env.db_path != NULL) {
		char pat[4200];
		size_t pl = strlen(x->env.db_path);

		if (pl + 2 < sizeof pat) {
			memcpy(pat, x->env.db_path, pl);
			memcpy(pat + pl, "*", 2);
			if (glob_could_match(g, len, pat, false, flags))
				return PC_SANDGATE;
		}
	}
	/* where it starts: what is directly under its literal directory */
	if (dl > 0 && (child = arena_alloc(x->tmp, dl + 3)) != NULL) {
		memcpy(child, g, dl);
		memcpy(child + (dl == 1 ? 0 : dl), "/_", 3);
		c = intent_classify(x, child, dl == 1 ? 2 : dl + 2);
		CONSIDER(c);
	}
	for (int pass = 1; pass <= 2; pass++) {
		const struct pathpat *const *v = tables_paths(x->t, pass, &n);

		for (size_t k = 0; k < n; k++) {
			if (v[k]->cls == PC_NONE || v[k]->cls == PC_SPECIAL)
				continue;
			if (target_weight(x->t, eff, v[k]->cls) <= bw)
				continue; /* cannot make it worse */
			if (glob_could_match(g, len, v[k]->pat, v[k]->base, flags | (v[k]->fold ? GLOB_FOLD : 0)))
				CONSIDER(v[k]->cls);
		}
	}
	if (x->env.home != NULL && x->homelen > 1) {
		char pat[4200];

		if (x->homelen + 6 < sizeof pat) {
			memcpy(pat, x->env.home, x->homelen);
			memcpy(pat + x->homelen, "/.*/**", 7);
			if (glob_could_match(g, len, pat, false, flags))
				CONSIDER(PC_HOME_DOTFILE);
		}
		if (glob_reaches(g, len, x->env.home, flags) && !under(g, dl, x->in->workspace, x->wslen))
			CONSIDER(PC_HOME);
	}
	if (x->in->workspace != NULL && x->wslen > 1 && glob_reaches(g, len, x->in->workspace, flags))
		CONSIDER(PC_WORKSPACE);
#undef CONSIDER
	return best;
}

/* Normalise s (absolute, or relative to cwd) into an arena string. */
static char *
norm_path(struct intent_ctx *x, const char *cwd, const char *s, size_t n, size_t *outlen)
{
	size_t cl = cwd != NULL ? strlen(cwd) : 0, cap, o = 0;
	char *out, *tmp;
	size_t i = 0;

	char stackbuf[512];

	if (n > 8192)
		n = 8192;
	cap = cl + n + 2;
	if (n > 0 && s[0] == '/') {
		cl = 0;
		cap = n + 2;
	} else if (cwd == NULL) {
		/* No cwd: keep it relative (it classes as unknown). */
		*outlen = n;
		return xdup(x, s, n);
	}
	tmp = cap <= sizeof stackbuf ? stackbuf : arena_alloc(x->tmp, cap);
	out = arena_alloc(x->a, cap);
	if (tmp == NULL || out == NULL) {
		oomf(x);
		return NULL;
	}
	if (cl == 0) {
		memcpy(tmp, s, n);
		tmp[n] = '\0';
	} else {
		memcpy(tmp, cwd, cl);
		tmp[cl] = '/';
		memcpy(tmp + cl + 1, s, n);
		tmp[cl + 1 + n] = '\0';
	}
	out[o++] = '/';
	while (tmp[i] != '\0') {
		size_t j;

		while (tmp[i] == '/')
			i++;
		j = i;
		while (tmp[j] != '\0' && tmp[j] != '/')
			j++;
		if (j == i)
			break;
		if (j - i == 1 && tmp[i] == '.') {
			/* skip */
		} else if (j - i == 2 && tmp[i] == '.' && tmp[i + 1] == '.') {
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--;
		} else {
			if (o > 1)
				out[o++] = '/';
			memcpy(out + o, tmp + i, j - i);
			o += j - i;
		}
		i = j;
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

static enum pclass classify_glob(struct intent_ctx *x, const char *g, size_t len, enum effect eff, unsigned flags);

/* The class of a resolved word used as a path, and its normalised form. */
static enum pclass
classify_word(struct walk *w, const struct rword *r, enum effect eff, const char **path)
{
	struct intent_ctx *x = w->x;
	size_t len = 0, n = r->n;
	char *p;
	enum pclass c;

	if (r->unk_at == 0) {
		*path = xdup(x, r->s, r->n);
		return PC_UNKNOWN;
	}
	/* Known up to an unknown part: classify the directory before it. */
	if (r->unk_at != SIZE_MAX) {
		const char *sl = memrchr(r->s, '/', r->unk_at);

		p = norm_path(x, w->cwd, r->s, n, &len);
		*path = p;
		if (p == NULL)
			return PC_UNKNOWN;
		if (sl == NULL || sl == r->s) {
			return PC_UNKNOWN;
		}
		{
			/* what is under the known directory: classify a child of it */
			size_t dl = 0, pl = (size_t)(sl - r->s);
			char *tmp = arena_alloc(x->tmp, pl + 3), *d;

			if (tmp == NULL)
				return PC_UNKNOWN;
			memcpy(tmp, r->s, pl);
			memcpy(tmp + pl, "/_", 3);
			d = norm_path(x, w->cwd, tmp, pl + 2, &dl);
			return d != NULL ? intent_classify(x, d, dl) : PC_UNKNOWN;
		}
	}
	p = norm_path(x, w->cwd, r->s, n, &len);
	*path = p;
	if (p == NULL)
		return PC_UNKNOWN;
	/* (find's DIR-and-everything-below stays classed by its directory) */
	if ((r->f & (RW_GLOB | RW_TOOLGLOB)) && glob_has_wild(p, len)) {
		c = classify_glob(x, p, len, eff, (r->f & RW_TOOLGLOB) ? GLOB_DOTS : 0);
		if (r->f & RW_GLOB) {
			/* A last segment of "*" stands for everything in the directory. */
			const char *sl = memrchr(p, '/', len);
			const char *last = sl != NULL ? sl + 1 : p;
			size_t ll = len - (size_t)(last - p);

			if ((ll == 1 && last[0] == '*') || (ll == 2 && memcmp(last, ".*", 2) == 0) ||
			    (ll == 3 && memcmp(last, "*.*", 3) == 0)) {
				size_t dl = sl != NULL && sl > p ? (size_t)(sl - p) : 1;
				enum pclass dc = intent_classify(x, p, dl);
				const struct rule *a = tables_target_rule(x->t, eff, dc), *b = tables_target_rule(x->t, eff, c);

				if (a != NULL && (b == NULL || a->weight > b->weight))
					c = dc;
			}
		}
		return c;
	}
	return intent_classify(x, p, len);
}

static bool
is_downloaded(struct intent_ctx *x, const char *path)
{
	for (size_t k = 0; k < x->ndl; k++)
		if (strcmp(x->dl[k], path) == 0)
			return true;
	return false;
}

static bool
writes(enum effect e)
{
	return e == EFF_WRITE || e == EFF_OVERWRITE || e == EFF_DELETE || e == EFF_DELETE_RECURSIVE ||
	       e == EFF_CHMOD || e == EFF_CHOWN;
}

static void fs_target(struct walk *w, int i, const struct rword *r, const char *path, enum effect eff,
    bool indirect);

/* Record a path argument of command i. */
static void
add_target(struct walk *w, int i, const struct rword *r, enum effect eff)
{
	struct intent_ctx *x = w->x;
	struct intent_cmd *c = cmd_at(x, i);
	const char *path = NULL;
	enum pclass cls;
	bool indirect;

	if (c == NULL || r->n == 0 || (r->n == 1 && r->s[0] == '-') || (r->f & RW_PROC))
		return;
	cls = classify_word(w, r, eff, &path);
	if (path == NULL)
		return;
	indirect = (r->f & (RW_VAR | RW_UNKNOWN)) != 0 && !(r->f & RW_TMP);
	add_target_ex(x, i, path, cls, eff,
	    (indirect ? TF_INDIRECT : 0) | (r->unk_at != SIZE_MAX || path[0] != '/' ? TF_UNKNOWN : 0) |
	        ((r->f & (RW_GLOB | RW_SYNGLOB | RW_TOOLGLOB)) && glob_has_wild(path, strlen(path)) ? TF_GLOB : 0));
	fs_target(w, i, r, path, eff, indirect);
	if (writes(eff) && indirect && cls != PC_TMP && cls != PC_SPECIAL)
		intent_signal(x, i, "write-indirect", r->s, r->n);
	if ((eff == EFF_WRITE || eff == EFF_OVERWRITE) && (c->classes & PCL(DOWNLOAD)) && x->ndl < DL_MAX)
		x->dl[x->ndl++] = path;
	if (eff == EFF_RUN && is_downloaded(x, path)) {
		add_target_raw(x, i, path, cls, EFF_DOWNLOAD_EXEC, false);
		sig(x, i, "download-exec");
	}
	if (cls == PC_NETWORK) {
		/* /dev/tcp/HOST/PORT */
		const char *h = path + 9, *e = strchr(h, '/');

		if (strlen(path) > 9)
			add_host_raw(x, i, h, e != NULL ? (size_t)(e - h) : strlen(h));
		sig(x, i, "dev-tcp");
	}
}

/* --- variables ---------------------------------------------------------------------------- */

static struct var *
var_get(struct intent_ctx *x, const char *name, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t k = 0; k < n; k++)
		h = (h ^ (unsigned char)name[k]) * 16777619u;
	for (struct var *v = x->vars[h % VAR_BUCKETS]; v != NULL; v = v->next)
		if (strlen(v->name) == n && memcmp(v->name, name, n) == 0)
			return v;
	return NULL;
}

static void
var_set(struct intent_ctx *x, const char *name, size_t n, const char *val, size_t vlen, unsigned flags)
{
	uint32_t h = 2166136261u;
	struct var *v = var_get(x, name, n);

	if (v == NULL) {
		if (x->nvars >= VAR_MAX)
			return;
		for (size_t k = 0; k < n; k++)
			h = (h ^ (unsigned char)name[k]) * 16777619u;
		v = arena_zalloc(x->a, sizeof *v);
		if (v == NULL || (v->name = xdup(x, name, n)) == NULL) {
			oomf(x);
			return;
		}
		v->next = x->vars[h % VAR_BUCKETS];
		x->vars[h % VAR_BUCKETS] = v;
		x->nvars++;
	}
	if (vlen > 4096) {
		vlen = 4096;
		flags |= RW_UNKNOWN;
	}
	v->val = xdup(x, val, vlen);
	v->vlen = v->val != NULL ? vlen : 0;
	v->flags = flags;
}

static bool
secret_var_name(const char *s, size_t n)
{
	static const char *const pats[] = { "TOKEN", "SECRET", "PASSWORD", "PASSWD", "API_KEY", "APIKEY",
		"ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL", "AUTH" };

	for (size_t k = 0; k < sizeof pats / sizeof pats[0]; k++)
		if (memmem(s, n, pats[k], strlen(pats[k])) != NULL)
			return true;
	return false;
}

/* --- resolving words --------------------------------------------------------------------- */

static bool
buf_put(struct intent_ctx *x, const char *s, size_t n, bool splittable)
{
	if (n == 0)
		return true;
	if (x->blen + n > (size_t)16 << 20)
		return false;
	if (x->blen + n > x->bcap) {
		size_t nc = x->bcap ? x->bcap : 256;
		char *nb;
		unsigned char *ns;

		while (nc < x->blen + n)
			nc *= 2;
		nb = realloc(x->buf, nc);
		if (nb == NULL)
			return oomf(x);
		x->buf = nb;
		ns = realloc(x->split, nc);
		if (ns == NULL)
			return oomf(x);
		x->split = ns;
		x->bcap = nc;
	}
	memcpy(x->buf + x->blen, s, n);
	memset(x->split + x->blen, splittable, n);
	x->blen += n;
	return true;
}

static bool
rvec_push(struct intent_ctx *x, struct rvec *v, const struct rword *r)
{
	struct rword *nv = arena_grow(x->tmp, v->v, v->n, &v->cap, sizeof *nv);

	if (nv == NULL)
		return oomf(x);
	v->v = nv;
	v->v[v->n++] = *r;
	return true;
}

/* What a substitution's commands say about its output. */
static unsigned
subst_traits(struct intent_ctx *x, size_t from)
{
	unsigned f = 0;

	for (size_t k = from; k < x->in->ncmds; k++) {
		const struct intent_cmd *c = intent_cmd(x->in, k);

		if ((c->effects & ((uint64_t)1 << EFF_DOWNLOAD)) ||
		    ((c->classes & PCL(DOWNLOAD)) && c->nhosts > 0))
			f |= RW_DL;
		if (c->effects & ((uint64_t)1 << EFF_DECODE))
			f |= RW_DECODE;
		for (size_t j = 0; j < c->ntargets; j++)
			if (c->targets[j].eff == EFF_READ && (c->classes & PCL(READONLY))) {
				f |= RW_FILEREAD;
				if (c->targets[j].cls == PC_SECRET)
					f |= RW_SECRETREAD;
			}
	}
	return f;
}

/* The value of a substitution when it is obvious ($(mktemp), $(pwd), $(echo x)). */
static bool
subst_value(struct walk *w, const struct sh_list *l, const char **val, size_t *n, unsigned *f)
{
	const struct sh_node *nd;

	if (l == NULL || l->nitems != 1 || l->items[0].pl->ncmds != 1)
		return false;
	nd = l->items[0].pl->cmds[0];
	if (nd->kind != SH_SIMPLE || nd->nwords == 0 || nd->words[0].nsegs != 1 ||
	    nd->words[0].segs[0].kind != SH_SEG_LIT)
		return false;
	if (strcmp(nd->words[0].segs[0].s, "mktemp") == 0) {
		*val = "/tmp/tmp.XXXXXXXXXX";
		*n = strlen(*val);
		*f |= RW_TMP;
		return true;
	}
	if (strcmp(nd->words[0].segs[0].s, "pwd") == 0 && nd->nwords == 1 && w->cwd != NULL) {
		*val = w->cwd;
		*n = strlen(w->cwd);
		return true;
	}
	if (strcmp(nd->words[0].segs[0].s, "echo") == 0 && nd->nwords == 2 && nd->words[1].nsegs == 1 &&
	    nd->words[1].segs[0].kind == SH_SEG_LIT) {
		*val = nd->words[1].segs[0].s;
		*n = nd->words[1].segs[0].n;
		return true;
	}
	return false;
}

static void walk_subst(struct walk *w, const struct sh_list *l, const char *context);

/* Parameter-expansion operators used to hide text: ${x:0:1} ${x//a/b} ${!x} ${x^^}. */
static bool
param_trick(const struct sh_seg *sg)
{
	const char *r = sg->inner != NULL ? sg->inner->raw : "";
	size_t n = sg->inner != NULL ? sg->inner->rawlen : 0;

	if (sg->s[-1] == '!') /* ${!x}: the name always follows "$", "{" or "!" */
		return true;
	if (n == 0)
		return false;
	if (r[0] == '/' || r[0] == '^' || r[0] == ',')
		return true;
	if (r[0] == ':' && n > 1 && (isdigit((unsigned char)r[1]) || r[1] == ' ' || r[1] == '$'))
		return true;
	return false;
}

/* Append the value of seg to the scratch buffer. */
static void
resolve_seg(struct walk *w, const struct sh_seg *sg, unsigned *f, size_t *unk_at)
{
	struct intent_ctx *x = w->x;

	switch (sg->kind) {
	case SH_SEG_LIT:
		buf_put(x, sg->s, sg->n, false);
		break;
	case SH_SEG_TILDE:
		if (sg->n == 0 && x->env.home != NULL) {
			buf_put(x, x->env.home, x->homelen, false);
		} else if (sg->n == 4 && memcmp(sg->s, "root", 4) == 0) {
			buf_put(x, "/root", 5, false);
		} else {
			buf_put(x, "/home/", 6, false);
			buf_put(x, sg->s, sg->n, false);
		}
		break;
	case SH_SEG_VAR: {
		struct var *v = var_get(x, sg->s, sg->n);

		if (sg->complex && sg->inner != NULL) {
			for (size_t k = 0; k < sg->inner->nsegs; k++)
				if (sg->inner->segs[k].kind == SH_SEG_SUBST)
					walk_subst(w, sg->inner->segs[k].sub, "${}");
			if (param_trick(sg))
				*f |= RW_PARAM;
		}
		if (secret_var_name(sg->s, sg->n))
			*f |= RW_SECRETVAR;
		if (sg->n == 3 && memcmp(sg->s, "IFS", 3) == 0) {
			*f |= RW_IFS;
			buf_put(x, " ", 1, !sg->quoted);
			break;
		}
		if (v != NULL && !(sg->complex && param_trick(sg))) {
			*f |= RW_VAR | (v->flags & (RW_UNKNOWN | RW_TMP | RW_DL | RW_DECODE));
			if ((v->flags & RW_UNKNOWN) && *unk_at == SIZE_MAX)
				*unk_at = x->blen;
			buf_put(x, v->val, v->vlen, !sg->quoted);
			break;
		}
		if (sg->n == 4 && memcmp(sg->s, "HOME", 4) == 0 && x->env.home != NULL) {
			buf_put(x, x->env.home, x->homelen, false);
			break;
		}
		if (sg->n == 3 && memcmp(sg->s, "PWD", 3) == 0 && w->cwd != NULL) {
			buf_put(x, w->cwd, strlen(w->cwd), false);
			break;
		}
		if (sg->n == 6 && memcmp(sg->s, "TMPDIR", 6) == 0) {
			buf_put(x, "/tmp", 4, false);
			*f |= RW_TMP;
			break;
		}
		if (sg->n == 5 && memcmp(sg->s, "SHELL", 5) == 0)
			*f |= RW_SHELLVAR;
		if (*unk_at == SIZE_MAX)
			*unk_at = x->blen;
		*f |= RW_UNKNOWN;
		buf_put(x, "$", 1, false);
		buf_put(x, sg->s, sg->n, false);
		break;
	}
	case SH_SEG_SUBST:
	case SH_SEG_PROC_IN:
	case SH_SEG_PROC_OUT: {
		size_t from = x->in->ncmds;
		const char *val = NULL;
		size_t vn = 0;

		walk_subst(w, sg->sub, sg->kind == SH_SEG_SUBST ? "$()" : "<()");
		*f |= subst_traits(x, from);
		if (sg->kind != SH_SEG_SUBST) {
			*f |= RW_PROC;
			buf_put(x, "/dev/fd/63", 10, false);
			break;
		}
		*f |= RW_SUBST;
		if (subst_value(w, sg->sub, &val, &vn, f)) {
			buf_put(x, val, vn, !sg->quoted);
			break;
		}
		if (*unk_at == SIZE_MAX)
			*unk_at = x->blen;
		*f |= RW_UNKNOWN;
		buf_put(x, sg->s, sg->n, false);
		break;
	}
	case SH_SEG_ARITH:
		if (sg->inner != NULL)
			for (size_t k = 0; k < sg->inner->nsegs; k++)
				if (sg->inner->segs[k].kind == SH_SEG_SUBST)
					walk_subst(w, sg->inner->segs[k].sub, "$(())");
		*f |= RW_ARITH;
		buf_put(x, "0", 1, false);
		break;
	}
}

/* Brace-expand a literal word with one {a,b,c} group. */
static bool
brace_expand(struct intent_ctx *x, const struct rword *r, struct rvec *out)
{
	const char *lb = memchr(r->s, '{', r->n), *rb;
	size_t pre, count = 0;

	if (lb == NULL)
		return false;
	rb = memchr(lb, '}', r->n - (size_t)(lb - r->s));
	if (rb == NULL || memchr(lb, ',', (size_t)(rb - lb)) == NULL || memchr(lb + 1, '{', (size_t)(rb - lb - 1)))
		return false;
	pre = (size_t)(lb - r->s);
	for (const char *p = lb + 1; p <= rb && count < 32; count++) {
		const char *c = memchr(p, ',', (size_t)(rb - p));
		const char *e = c != NULL ? c : rb;
		size_t sl = r->n - (size_t)(rb + 1 - r->s), len = pre + (size_t)(e - p) + sl;
		char *s = arena_alloc(x->a, len + 1);
		struct rword nw = *r;

		if (s == NULL)
			return oomf(x);
		memcpy(s, r->s, pre);
		memcpy(s + pre, p, (size_t)(e - p));
		memcpy(s + pre + (size_t)(e - p), rb + 1, sl);
		s[len] = '\0';
		nw.s = s;
		nw.n = len;
		nw.f |= RW_BRACE;
		if (!rvec_push(x, out, &nw))
			return false;
		p = e + 1;
	}
	return true;
}

/* Resolve a word into out: one or more words (word splitting of unquoted
 * expansions, brace expansion). */
static void
resolve_word(struct walk *w, const struct sh_word *wd, struct rvec *out)
{
	struct intent_ctx *x = w->x;
	size_t base = x->blen, unk = SIZE_MAX, start;
	unsigned f = 0;
	bool any_split = false;

	for (size_t k = 0; k < wd->nsegs; k++)
		resolve_seg(w, &wd->segs[k], &f, &unk);
	if (wd->flags & SH_W_GLOB)
		f |= RW_GLOB;
	if (wd->flags & SH_W_QUOTED)
		f |= RW_QUOTED;
	if (wd->flags & SH_W_ANSI)
		f |= RW_ANSI;
	if (wd->flags & SH_W_ESCAPED)
		f |= RW_ESCAPED;
	for (size_t k = base; k < x->blen; k++)
		if (x->split[k] && isspace((unsigned char)x->buf[k]))
			any_split = true;
	start = base;
	for (size_t k = base; k <= x->blen; k++) {
		bool cut = k == x->blen || (any_split && x->split[k] && isspace((unsigned char)x->buf[k]));
		struct rword r;

		if (!cut)
			continue;
		if (k > start || (!any_split && k == start)) {
			r.s = xdup(x, x->buf != NULL ? x->buf + start : "", k - start);
			r.n = k - start;
			r.f = f;
			r.unk_at = unk != SIZE_MAX && unk >= start && unk < k ? unk - start :
			           unk != SIZE_MAX && unk < start ? 0 : SIZE_MAX;
			r.w = wd;
			if (r.s != NULL && (wd->flags & SH_W_BRACE) && !(wd->flags & SH_W_QUOTED) &&
			    brace_expand(x, &r, out))
				;
			else if (r.s != NULL)
				rvec_push(x, out, &r);
		}
		start = k + 1;
	}
	x->blen = base;
}

/* --- text and code scanning --------------------------------------------------------------- */

/* Decode one UTF-8 sequence; returns its length (1 for invalid bytes). */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xE0) == 0xC0)
		len = 2, *cp = c & 0x1F;
	else if ((c & 0xF0) == 0xE0)
		len = 3, *cp = c & 0x0F;
	else if ((c & 0xF8) == 0xF0)
		len = 4, *cp = c & 0x07;
	else {
		*cp = 0xFFFD;
		return 1;
	}
	if (len > n) {
		*cp = 0xFFFD;
		return 1;
	}
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		*cp = (*cp << 6) | (s[k] & 0x3F);
	}
	return len;
}

int
intent_scan_text(struct intent_ctx *x, int i, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	bool bidi = false, invis = false, ctrl = false, longl = false;
	size_t linestart = 0;

	for (size_t k = 0; k < len;) {
		uint32_t cp;
		size_t l;

		if (s[k] < 0x80) {
			unsigned char c = s[k];

			if (c == '\n') {
				if (k - linestart > 4096)
					longl = true;
				linestart = k + 1;
			} else if ((c < 0x20 && c != '\t' && !(c == '\r' && k + 1 < len && s[k + 1] == '\n')) || c == 0x7F) {
				ctrl = true;
			}
			k++;
			continue;
		}
		l = utf8_next(s + k, len - k, &cp);
		if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
		    cp == 0x200F || cp == 0x061C)
			bidi = true;
		else if ((cp >= 0x200B && cp <= 0x200D) || (cp >= 0x2060 && cp <= 0x2064) || cp == 0xFEFF ||
		         cp == 0x00AD || cp == 0x180E || cp == 0x115F || cp == 0x1160 || cp == 0x3164 ||
		         cp == 0xFFA0 || (cp >= 0xE0000 && cp <= 0xE007F))
			invis = true;
		else if (cp >= 0x80 && cp <= 0x9F)
			ctrl = true;
		k += l;
	}
	if (len - linestart > 4096)
		longl = true;
	if (bidi)
		intent_signal(x, i, "obf-bidi", text, len > 200 ? 200 : len);
	if (invis)
		intent_signal(x, i, "obf-invisible", text, len > 200 ? 200 : len);
	if (ctrl)
		intent_signal(x, i, "obf-control", text, len > 200 ? 200 : len);
	if (longl)
		intent_signal(x, i, "obf-long-line", text, 200);
	return x->oom ? -1 : 0;
}

int
intent_scan_self(struct intent_ctx *x, int i, const char *text, size_t len)
{
	struct selfref_env env = { x->env.runtime_dir, x->env.config_dir, x->env.db_path, x->env.exe };
	const char *at;
	size_t n;
	char *what;

	if (!selfref_find(&env, text, len, &at, &n))
		return 0;
	if (i < 0)
		i = x->in->ncmds > 0 ? (int)x->in->ncmds - 1 : intent_add_cmd(x, NULL, text, len > 200 ? 200 : len);
	if (i < 0)
		return x->oom ? -1 : 0;
	if (n > 160)
		n = 160;
	if ((what = arena_alloc(x->a, n + 24)) == NULL)
		return oomf(x), -1;
	memcpy(what, "(names sandgate: ", 17);
	memcpy(what + 17, at, n);
	memcpy(what + 17 + n, ")", 2);
	add_target_ex(x, i, what, PC_SANDGATE, EFF_USE, TF_UNKNOWN);
	intent_signal(x, i, "names-sandgate", at, n);
	return x->oom ? -1 : 0;
}

/* Which code signals occur in text (bit set of enum code_sig). */
static uint32_t
code_signals(struct intent_ctx *x, const char *text, size_t len, enum code_lang lang)
{
	uint32_t m = 0;

	for (size_t k = 0; k < len; k++) {
		size_t n;
		const struct codepat *const *v =
		    tables_code_by_pair(x->t, (unsigned char)text[k], k + 1 < len ? (unsigned char)text[k + 1] : 0, &n);

		for (size_t j = 0; j < n; j++) {
			const struct codepat *cp = v[j];

			if (cp->len > len - k || (m & (1u << cp->sig)))
				continue;
			if (cp->scope == LANG_SQL) {
				if (lang != LANG_SQL || strncasecmp(text + k, cp->text, cp->len) != 0)
					continue;
				if (cp->sig == CS_DELETEALL) {
					/* DELETE FROM t WHERE ... is not "delete all" */
					const char *end = memchr(text + k, ';', len - k);
					size_t sl = end != NULL ? (size_t)(end - (text + k)) : len - k;
					bool where = false;

					for (size_t q = 0; q + 5 <= sl; q++)
						if (strncasecmp(text + k + q, "where", 5) == 0)
							where = true;
					if (where)
						continue;
				}
			} else {
				if ((cp->scope == LANG_AWK || cp->scope == LANG_VIM) && lang != cp->scope)
					continue;
				if (memcmp(text + k, cp->text, cp->len) != 0)
					continue;
			}
			m |= 1u << cp->sig;
		}
	}
	return m;
}

struct code_lits {
	struct intent_ctx *x;
	int ci;
	enum effect eff;
};

static void add_target(struct walk *w, int i, const struct rword *r, enum effect eff);

static bool
code_literal(void *ctx, const char *s, size_t n)
{
	struct code_lits *cl = ctx;
	struct intent_ctx *x = cl->x;
	struct walk w = { .x = x, .cwd = x->cwd_now != NULL ? x->cwd_now : x->in->cwd, .stdin_from = -1, .inter = -1 };
	struct rword r = { .s = s, .n = n, .unk_at = SIZE_MAX };
	char *p = NULL;

	if (s[0] == '~' && (n == 1 || s[1] == '/')) {
		if (x->env.home == NULL)
			return true;
		if ((p = arena_alloc(x->a, x->homelen + n)) == NULL) {
			oomf(x);
			return false;
		}
		memcpy(p, x->env.home, x->homelen);
		memcpy(p + x->homelen, s + 1, n - 1);
		r.s = p;
		r.n = x->homelen + n - 1;
	}
	if (memchr(r.s, '*', r.n) != NULL || memchr(r.s, '?', r.n) != NULL)
		r.f |= RW_TOOLGLOB; /* glob.glob('...'): every file it could match */
	add_target(&w, cl->ci, &r, cl->eff);
	return !x->oom;
}

/* Inline code that writes or deletes files: the paths it names (literal
 * strings), and a file named at run time when it builds names from pieces
 * or names none (codepaths.h). */
static void
code_writes(struct intent_ctx *x, int i, const char *text, size_t len, enum effect eff)
{
	struct code_lits cl = { x, i, eff };
	size_t found = code_path_literals(text, len, code_literal, &cl);
	bool writes, computed = code_computed_paths(text, len, &writes, code_literal, &cl);

	if (computed || (found == 0 && writes)) {
		add_target_raw(x, i, "(a file the code names at run time)", PC_UNKNOWN, eff, true);
	}
}

int
intent_code(struct intent_ctx *x, int i, const char *text, size_t len, enum code_lang lang, bool written)
{
	uint32_t m = code_signals(x, text, len, lang);
	const char *part = text;
	size_t pl = len > 200 ? 200 : len;
#define HAS(s) ((m & (1u << CS_##s)) != 0)

	if (lang == LANG_SQL) {
		if (HAS(DBDROP))
			intent_signal(x, i, "sql-drop-db", part, pl), intent_add_effect(x, i, EFF_DB_DESTROY);
		if (HAS(TABLEDROP))
			intent_signal(x, i, "sql-drop-table", part, pl), intent_add_effect(x, i, EFF_DB_DESTROY);
		if (HAS(DELETEALL))
			intent_signal(x, i, "sql-delete-all", part, pl);
		if (HAS(GRANT))
			intent_signal(x, i, "sql-grant", part, pl), intent_add_effect(x, i, EFF_PRIVILEGE);
	}
	if ((HAS(SHELL) || HAS(PRIVSHELL)) && (HAS(NET) || HAS(LISTEN))) {
		intent_signal(x, i, "code-reverse-shell", part, pl);
		intent_add_effect(x, i, EFF_SHELL);
		intent_add_effect(x, i, EFF_REMOTE_EXEC);
	} else if (!written && (HAS(EXEC) || HAS(EVAL)) && (HAS(NET) || HAS(LISTEN))) {
		intent_signal(x, i, "code-remote-exec", part, pl);
		intent_add_effect(x, i, EFF_REMOTE_EXEC);
	}
	if (HAS(PRIVSHELL)) {
		intent_signal(x, i, "code-priv-shell", part, pl);
		intent_add_effect(x, i, EFF_PRIVILEGE);
	}
	if (HAS(SETUID)) {
		intent_signal(x, i, "code-setuid", part, pl);
		intent_add_effect(x, i, EFF_PRIVILEGE);
	}
	if (HAS(SHELL)) {
		intent_signal(x, i, written ? "written-shell" : "code-shell", part, pl);
		intent_add_effect(x, i, EFF_SHELL);
	}
	if (written)
		return x->oom ? -1 : 0;
	if (HAS(LOADLIB))
		intent_signal(x, i, "code-loadlib", part, pl);
	if (HAS(DECODE) && (HAS(EXEC) || HAS(EVAL) || HAS(SHELL)))
		intent_signal(x, i, "code-decode-exec", part, pl);
	if (HAS(NET) && HAS(FILEREAD))
		intent_signal(x, i, "code-upload", part, pl), intent_add_effect(x, i, EFF_UPLOAD);
	if (HAS(LISTEN))
		intent_signal(x, i, "code-listen", part, pl), intent_add_effect(x, i, EFF_LISTEN);
	if (HAS(EXEC))
		intent_signal(x, i, "code-exec", part, pl), intent_add_effect(x, i, EFF_EXEC);
	if (HAS(NET))
		intent_signal(x, i, "code-network", part, pl), intent_add_effect(x, i, EFF_NETWORK);
	if (HAS(DELETE))
		intent_signal(x, i, "code-delete", part, pl), intent_add_effect(x, i, EFF_DELETE);
	if (HAS(EVAL))
		intent_signal(x, i, "code-eval", part, pl);
	if (HAS(FILEWRITE))
		intent_signal(x, i, "code-write", part, pl);
	if (HAS(LINK))
		intent_signal(x, i, "code-link", part, pl);
	/* a link made is a file written (codepaths.c names it) */
	if (lang == LANG_CODE && (HAS(FILEWRITE) || HAS(LINK) || HAS(DELETE)))
		code_writes(x, i, text, len, HAS(FILEWRITE) || HAS(LINK) ? EFF_WRITE : EFF_DELETE);
#undef HAS
	return x->oom ? -1 : 0;
}

/* --- arguments ------------------------------------------------------------------------ */

struct opt {
	const char *name; /* "-o", "--output" (without "=value") */
	size_t nlen;
	char grp[3];      /* a group whose last letter takes the value ("-qO FILE"): "-O" */
	const struct rword *val; /* its value, or NULL */
	const struct rword *word;
	size_t npos_before; /* positional arguments before it */
};

struct args {
	const struct rword **pos; /* each array has room for every word */
	size_t npos;
	struct opt *opts;
	size_t nopts;
	struct rword *inl; /* values split off "--opt=value" and "-oVALUE" */
	size_t ninl;
	const struct rword *all;
	size_t nall;
	bool dashdash;
};

static bool
in_list(const struct strlist *l, const char *s, size_t n)
{
	for (size_t k = 0; k < l->n; k++)
		if (strlen(l->v[k]) == n && memcmp(l->v[k], s, n) == 0)
			return true;
	return false;
}

/* Split words into options (with their values) and positional arguments. */
/* Does option s[0..n) of pg take a value? */
static bool
takes_value(const struct prog *pg, const char *s, size_t n)
{
	if (pg == NULL)
		return false;
	return in_list(&pg->v, s, n) || in_list(&pg->code, s, n) || in_list(&pg->sql, s, n) ||
	       in_list(&pg->up, s, n) || (pg->handler != H_SHELL && in_list(&pg->script, s, n)) ||
	       (pg->handler == H_SHELL && pg->script.n > 0 && in_list(&pg->script, s, n));
}

static void
split_args(const struct prog *pg, const struct rword *rw, size_t n, struct args *a)
{
	bool long1 = pg != NULL && pg->long1;

	a->npos = a->nopts = a->ninl = 0;
	a->all = rw;
	a->nall = n;
	a->dashdash = false;
	for (size_t k = 0; k < n; k++) {
		const struct rword *r = &rw[k];
		struct opt *o;

		if (a->dashdash || r->n < 2 || r->s[0] != '-') {
			a->pos[a->npos++] = r;
			continue;
		}
		if (r->n == 2 && r->s[1] == '-') {
			a->dashdash = true;
			continue;
		}
		o = &a->opts[a->nopts++];
		o->grp[0] = '\0';
		o->npos_before = a->npos;
		o->word = r;
		o->name = r->s;
		o->nlen = r->n;
		o->val = NULL;
		if (r->s[1] == '-' || long1) {
			const char *eq = memchr(r->s, '=', r->n);

			if (eq != NULL) {
				struct rword *iv = &a->inl[a->ninl++];

				o->nlen = (size_t)(eq - r->s);
				*iv = *r;
				iv->s = eq + 1;
				iv->n = r->n - o->nlen - 1;
				iv->unk_at = r->unk_at == SIZE_MAX || r->unk_at <= o->nlen + 1 ? (r->unk_at == SIZE_MAX ? SIZE_MAX : 0) : r->unk_at - o->nlen - 1;
				o->val = iv;
			} else if (takes_value(pg, r->s, r->n) && k + 1 < n) {
				o->val = &rw[++k];
			}
			continue;
		}
		/* Short options: "-x VALUE", "-xVALUE", or a group "-abc". */
		if (takes_value(pg, r->s, r->n)) {
			if (k + 1 < n)
				o->val = &rw[++k];
		} else if (r->n > 2 && takes_value(pg, r->s, 2)) {
			struct rword *iv = &a->inl[a->ninl++];

			o->nlen = 2;
			*iv = *r;
			iv->s = r->s + 2;
			iv->n = r->n - 2;
			iv->unk_at = r->unk_at == SIZE_MAX ? SIZE_MAX : r->unk_at > 2 ? r->unk_at - 2 : 0;
			o->val = iv;
		} else if (r->n > 2) {
			/* A group: a value-taking letter at its end takes the next word. */
			char last[3] = { '-', r->s[r->n - 1], '\0' };

			if (takes_value(pg, last, 2) && k + 1 < n) {
				o->val = &rw[++k];
				memcpy(o->grp, last, 3);
			}
		}
	}
}

/* Is flag f (from a table: "-f", "--force", "--prune*") present among
 * the options before the first `upto` positional arguments? */
static bool
has_flag_upto(const struct args *a, const char *f, bool long1, size_t upto)
{
	size_t fl = strlen(f);
	bool glob = strpbrk(f, "*?[") != NULL;

	for (size_t k = 0; k < a->nopts; k++) {
		const struct opt *o = &a->opts[k];

		if (o->npos_before >= upto)
			continue;

		if (glob ? glob_match(f, o->name, o->nlen, false) : (o->nlen == fl && memcmp(o->name, f, fl) == 0))
			return true;
		/* -f inside a group like -rf */
		if (!long1 && !glob && fl == 2 && f[0] == '-' && f[1] != '-' && o->nlen > 2 && o->name[1] != '-' &&
		    memchr(o->name + 1, f[1], o->nlen - 1) != NULL && isalpha((unsigned char)o->name[1]))
			return true;
	}
	return false;
}

static bool
has_flag(const struct args *a, const char *f, bool long1)
{
	return has_flag_upto(a, f, long1, SIZE_MAX);
}

/* Is option o the one named name[0..nl)?  A group ("-qO FILE") names the
 * letter that took the value too. */
static bool
opt_is(const struct opt *o, const char *name, size_t nl)
{
	return (o->nlen == nl && memcmp(o->name, name, nl) == 0) ||
	    (o->grp[0] != '\0' && nl == 2 && memcmp(o->grp, name, 2) == 0);
}

static const struct rword *
opt_value(const struct args *a, const char *name)
{
	size_t nl = strlen(name);

	for (size_t k = 0; k < a->nopts; k++)
		if (opt_is(&a->opts[k], name, nl) && a->opts[k].val != NULL)
			return a->opts[k].val;
	return NULL;
}

static bool
any_glob(const struct strlist *l, const char *s, size_t n)
{
	for (size_t k = 0; k < l->n; k++)
		if (glob_match(l->v[k], s, n, false))
			return true;
	return false;
}

/* Does one table condition hold?  first: index of the first positional
 * after the subcommand. */
static bool
cond_holds(const struct cond *c, const struct args *a, size_t first, bool long1, bool global)
{
	bool r = false;

	switch (c->kind) {
	case CK_FLAG:
		/* a program-wide rule of a program with subcommands looks at
		 * the options before the subcommand (git -c, not git switch -c) */
		for (size_t k = 0; k < c->list.n && !r; k++)
			r = has_flag_upto(a, c->list.v[k], long1, global && first > 0 ? first : SIZE_MAX);
		break;
	case CK_ARG:
		for (size_t k = first; k < a->npos && !r; k++)
			r = any_glob(&c->list, a->pos[k]->s, a->pos[k]->n);
		break;
	case CK_ARG1:
		r = first < a->npos && any_glob(&c->list, a->pos[first]->s, a->pos[first]->n);
		break;
	case CK_LASTARG:
		r = a->nall > 0 && any_glob(&c->list, a->all[a->nall - 1].s, a->all[a->nall - 1].n);
		break;
	case CK_VAL:
		for (size_t k = 0; k < a->nopts && !r; k++) {
			const struct opt *o = &a->opts[k];

			if (o->val != NULL && in_list(&c->list, o->name, o->nlen))
				r = any_glob(&c->vals, o->val->s, o->val->n);
		}
		break;
	case CK_NOARGS:
		r = first >= a->npos;
		break;
	case CK_ARGS:
		r = first < a->npos;
		break;
	}
	return c->neg ? !r : r;
}

static bool
rule_holds(const struct cmdrule *r, const struct args *a, size_t first, bool long1)
{
	bool global = r->subs.n == 0 && !r->fallback;

	for (size_t k = 0; k < r->nconds; k++)
		if (!cond_holds(&r->conds[k], a, first, long1, global))
			return false;
	return true;
}

static void
fire(struct intent_ctx *x, int ci, const struct cmdrule *r)
{
	if (r->effect >= 0)
		intent_add_effect(x, ci, (enum effect)r->effect);
	if (r->r.weight > 0) {
		struct intent_cmd *c = cmd_at(x, ci);

		intent_signal_rule(x, ci, &r->r, c->text, c->textlen);
	}
}

/* Apply the commands table; returns true if some rule matched. */
static bool
apply_cmdrules(struct intent_ctx *x, int ci, const char *prog, const char *sub, const struct args *a,
    size_t first, bool long1)
{
	size_t n;
	const struct cmdrule *const *v = tables_cmdrules(x->t, prog, &n);
	bool specific = false, any = false, has_fallback = false;

	for (size_t k = 0; k < n; k++) {
		const struct cmdrule *r = v[k];

		if (r->fallback) {
			has_fallback = true;
			continue;
		}
		if (r->subs.n > 0 && (sub == NULL || !any_glob(&r->subs, sub, strlen(sub))))
			continue;
		if (!rule_holds(r, a, first, long1))
			continue;
		if (r->subs.n > 0)
			specific = true;
		any = true;
		fire(x, ci, r);
	}
	if (!specific && has_fallback)
		for (size_t k = 0; k < n; k++)
			if (v[k]->fallback && rule_holds(v[k], a, first, long1)) {
				fire(x, ci, v[k]);
				any = true;
			}
	return any;
}

/* --- what feeds a command's stdin ------------------------------------------------------ */

struct stdin_info {
	bool dl, dec, secret;
	const char *content; /* the direct producer's output when known */
	size_t len;
};

static void
get_stdin_info(struct intent_ctx *x, int from, struct stdin_info *si)
{
	memset(si, 0, sizeof *si);
	for (int i = from, steps = 0; i >= 0 && steps < 16; steps++) {
		const struct intent_cmd *c = cmd_at(x, i);

		if (c == NULL)
			break;
		if ((c->effects & ((uint64_t)1 << EFF_DOWNLOAD)) || ((c->classes & PCL(DOWNLOAD)) && c->nhosts > 0))
			si->dl = true;
		if (c->effects & ((uint64_t)1 << EFF_DECODE))
			si->dec = true;
		if (c->effects & (((uint64_t)1 << EFF_ENV_READ) | ((uint64_t)1 << EFF_SECRETS)))
			si->secret = true;
		for (size_t k = 0; k < c->ntargets; k++)
			if (c->targets[k].cls == PC_SECRET &&
			    (c->targets[k].eff == EFF_READ || c->targets[k].eff == EFF_USE))
				si->secret = true;
		if (steps == 0 && c->content != NULL) {
			si->content = c->content;
			si->len = c->contentlen;
		}
		i = c->stdin_from;
	}
}

/* --- nested scripts -------------------------------------------------------------------------- */

static void
report_bad(struct intent_ctx *x, int ci, const struct sh_script *sc)
{
	for (size_t k = 0; k < sc->nbad; k++) {
		const char *p = sc->src + sc->bad[k].off;
		size_t n = sc->bad[k].len;

		x->in->unparsed = true;
		if (strcmp(sc->bad[k].why, "nested too deeply") == 0)
			intent_signal(x, ci, "too-deep", p, n > 200 ? 200 : n);
		else if (strcmp(sc->bad[k].why, "input too large to parse") == 0)
			intent_signal(x, ci, "too-large", p, n > 200 ? 200 : n);
		else
			intent_signal(x, ci, "unparsed", p, n > 200 ? 200 : n);
		intent_code(x, ci, p, n, LANG_CODE, false);
	}
}

static void
walk_subst(struct walk *w, const struct sh_list *l, const char *context)
{
	struct walk sw = *w;

	sw.context = context;
	sw.stdin_from = -1;
	walk_list(&sw, l);
}

static int
nested_script(struct walk *w, int ci, const char *src, size_t n, const char *context, const char *remote)
{
	struct intent_ctx *x = w->x;
	struct sh_script *sc;
	struct walk nw = *w;

	if (w->depth + 1 > INTENT_MAX_DEPTH) {
		if (!x->deep_flagged) {
			x->deep_flagged = true;
			x->in->unparsed = true;
			intent_signal(x, ci, "too-deep", src, n > 200 ? 200 : n);
			intent_code(x, ci, src, n, LANG_CODE, false);
		}
		return 0;
	}
	sc = sh_parse_in(x->tmp, x->a, src, n);
	if (sc == NULL) {
		oomf(x);
		return -1;
	}
	nw.depth++;
	nw.context = context;
	nw.stdin_from = -1;
	nw.func = NULL;
	if (remote != NULL) {
		nw.remote = remote;
		nw.cwd = NULL;
	}
	walk_list(&nw, sc->list);
	report_bad(x, ci, sc);
	return x->oom ? -1 : 0;
}

/* --- handlers ------------------------------------------------------------------------------ */

struct an {
	struct walk *w;     /* the caller's scope (cd changes it) */
	struct walk *lw;    /* this command's scope (wrappers) */
	int ci;
	const struct prog *pg;
	struct args *a;
	struct cmdctx *cc;
	const struct rword *rw; /* the words after the program */
	size_t n;
	size_t first;       /* first positional after the subcommand */
	bool code_given;    /* code came in options or arguments */
};

static bool
word_is(const struct rword *r, const char *s)
{
	return r->n == strlen(s) && memcmp(r->s, s, r->n) == 0;
}

static struct intent_cmd *
C(struct an *an)
{
	return cmd_at(an->w->x, an->ci);
}

/* sh/bash/zsh...: -c SCRIPT, a script file, stdin, or an interactive shell. */
static void
h_shell(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct args *a = an->a;
	const struct rword *script = NULL, *file = NULL;
	bool has_c = false, priv = false;

	for (size_t k = 0; k < a->nopts; k++) {
		const struct opt *o = &a->opts[k];

		if (in_list(&an->pg->script, o->name, o->nlen)) {
			script = o->val;
			continue;
		}
		if (o->nlen >= 2 && o->name[1] != '-' && isalpha((unsigned char)o->name[1]) && o->nlen < 12) {
			if (memchr(o->name + 1, 'c', o->nlen - 1) != NULL && an->pg->script.n == 0)
				has_c = true;
			if (memchr(o->name + 1, 'p', o->nlen - 1) != NULL)
				priv = true;
			if (memchr(o->name + 1, 'i', o->nlen - 1) != NULL)
				intent_add_effect(x, an->ci, EFF_SHELL);
		}
	}
	if (has_c && a->npos > 0)
		script = a->pos[0];
	else if (!has_c && script == NULL && a->npos > 0)
		file = a->pos[0];
	if (priv) {
		sig(x, an->ci, "shell-priv");
		intent_add_effect(x, an->ci, EFF_PRIVILEGE);
		intent_add_effect(x, an->ci, EFF_SHELL);
	}
	an->code_given = script != NULL || file != NULL;
	if (script != NULL) {
		if (script->f & RW_DL) {
			sig(x, an->ci, "download-exec");
			intent_add_effect(x, an->ci, EFF_DOWNLOAD_EXEC);
		}
		if (script->f & RW_DECODE)
			sig(x, an->ci, "decode-exec");
		if ((script->f & RW_UNKNOWN) && !(script->f & (RW_DL | RW_DECODE)))
			intent_signal(x, an->ci, "obf-eval", script->s, script->n);
		nested_script(an->lw, an->ci, script->s, script->n, "sh -c", NULL);
		return;
	}
	if (file != NULL) {
		if ((file->f & RW_PROC) && (file->f & RW_DL)) {
			sig(x, an->ci, "download-exec");
			intent_add_effect(x, an->ci, EFF_DOWNLOAD_EXEC);
		} else if ((file->f & RW_PROC) && (file->f & RW_DECODE)) {
			sig(x, an->ci, "decode-exec");
		} else {
			add_target(an->w, an->ci, file, EFF_RUN);
		}
		return;
	}
	if (an->cc->stdin_text != NULL) {
		nested_script(an->lw, an->ci, an->cc->stdin_text, an->cc->stdin_len, "sh <<", NULL);
		return;
	}
	if (an->cc->has_stdin_file) {
		add_target(an->w, an->ci, &an->cc->stdin_file, EFF_RUN);
		intent_add_effect(x, an->ci, EFF_SHELL); /* it runs whatever is in the file */
		return;
	}
	if (an->cc->stdin_from >= 0) {
		struct stdin_info si;

		get_stdin_info(x, an->cc->stdin_from, &si);
		if (si.dl) {
			sig(x, an->ci, "download-exec");
			intent_add_effect(x, an->ci, EFF_DOWNLOAD_EXEC);
		} else if (si.dec) {
			sig(x, an->ci, "decode-exec");
			intent_add_effect(x, an->ci, EFF_EXEC);
		} else if (si.content != NULL) {
			nested_script(an->lw, an->ci, si.content, si.len, "| sh", NULL);
		} else {
			sig(x, an->ci, "shell-stdin");
			intent_add_effect(x, an->ci, EFF_SHELL);
		}
		intent_add_effect(x, an->ci, EFF_EXEC);
		return;
	}
	sig(x, an->ci, "shell-interactive");
	intent_add_effect(x, an->ci, EFF_SHELL);
	C(an)->interactive = true;
}

/* Code given through stdin to an interpreter or a database client. */
static void
code_from_stdin(struct an *an, enum code_lang lang, const char *generic_rule)
{
	struct intent_ctx *x = an->w->x;

	if (an->cc->stdin_text != NULL) {
		intent_code(x, an->ci, an->cc->stdin_text, an->cc->stdin_len, lang, false);
		return;
	}
	if (an->cc->has_stdin_file) {
		add_target(an->w, an->ci, &an->cc->stdin_file, EFF_RUN);
		return;
	}
	if (an->cc->stdin_from >= 0) {
		struct stdin_info si;

		get_stdin_info(x, an->cc->stdin_from, &si);
		if (si.dl && lang != LANG_SQL) {
			sig(x, an->ci, "download-exec");
			intent_add_effect(x, an->ci, EFF_DOWNLOAD_EXEC);
		} else if (si.dec && lang != LANG_SQL) {
			sig(x, an->ci, "decode-exec");
		} else if (si.content != NULL) {
			intent_code(x, an->ci, si.content, si.len, lang, false);
		} else if (generic_rule != NULL) {
			sig(x, an->ci, generic_rule);
		}
		return;
	}
	if (lang != LANG_SQL)
		C(an)->interactive = true;
}

static size_t
pos_index(const struct an *an, const struct rword *r)
{
	if (r >= an->rw && r < an->rw + an->n)
		return (size_t)(r - an->rw);
	return SIZE_MAX;
}

/* python, perl, ruby, node...: -c/-e code, -m module, a script, or stdin. */
static void
h_interp(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct args *a = an->a;
	bool module = false;
	size_t first = 0;

	if (an->code_given)
		first = a->npos; /* code was in options: the rest are arguments */
	for (size_t k = 0; k < a->nopts; k++)
		if (a->opts[k].nlen == 2 && memcmp(a->opts[k].name, "-m", 2) == 0 &&
		    strncmp(an->pg->name, "python", 6) == 0)
			module = true;
	if (module && a->npos > 0) {
		size_t at = pos_index(an, a->pos[0]);
		char name[128];
		size_t nl = a->pos[0]->n < sizeof name - 1 ? a->pos[0]->n : sizeof name - 1;

		memcpy(name, a->pos[0]->s, nl);
		name[nl] = '\0';
		C(an)->sub = xdup(x, name, nl);
		if (at != SIZE_MAX && (tables_prog(x->t, name) != NULL || tables_wrapper(x->t, name) != NULL)) {
			struct cmdctx cc2 = *an->cc;
			struct walk mw = *an->lw;

			mw.context = "python -m";
			analyze_words(&mw, (struct rword *)an->rw + at, an->n - at, &cc2);
		}
		return;
	}
	if (an->code_given) {
		if (has_flag(a, "-i", false) || has_flag(a, "-pi", false))
			for (size_t k = 0; k < a->npos; k++)
				add_target(an->w, an->ci, a->pos[k], EFF_OVERWRITE);
		return;
	}
	if (first < a->npos && !word_is(a->pos[first], "-")) {
		const struct rword *f = a->pos[first];

		if ((f->f & RW_PROC) && (f->f & RW_DL)) {
			sig(x, an->ci, "download-exec");
			intent_add_effect(x, an->ci, EFF_DOWNLOAD_EXEC);
		} else if ((f->f & RW_PROC) && (f->f & RW_DECODE)) {
			sig(x, an->ci, "decode-exec");
		} else {
			add_target(an->w, an->ci, f, EFF_RUN);
		}
		return;
	}
	code_from_stdin(an, an->pg->lang, "interp-stdin");
}

/* awk: the program text, -f file, output redirections inside it. */
static void
awk_writes(struct an *an, const char *t, size_t n)
{
	struct intent_ctx *x = an->w->x;
	bool instr = false, print = false;

	for (size_t k = 0; k < n; k++) {
		char c = t[k];

		if (instr) {
			if (c == '\\')
				k++;
			else if (c == '"')
				instr = false;
			continue;
		}
		if (c == '"') {
			instr = true;
		} else if (c == ';' || c == '\n' || c == '{' || c == '}') {
			print = false;
		} else if ((c == 'p') && k + 5 <= n && memcmp(t + k, "print", 5) == 0 &&
		           (k == 0 || !isalnum((unsigned char)t[k - 1]))) {
			print = true;
			k += 4;
		} else if (c == '>' && print && !(k + 1 < n && t[k + 1] == '=')) {
			size_t j = k + 1;

			if (j < n && t[j] == '>')
				j++;
			while (j < n && (t[j] == ' ' || t[j] == '\t'))
				j++;
			sig(x, an->ci, "awk-write");
			if (j < n && t[j] == '"') {
				const char *e = memchr(t + j + 1, '"', n - j - 1);

				if (e != NULL) {
					struct rword r = { .s = t + j + 1, .n = (size_t)(e - (t + j + 1)), .unk_at = SIZE_MAX };

					add_target(an->w, an->ci, &r, EFF_WRITE);
				}
			} else {
				add_target_raw(x, an->ci, "(awk expression)", PC_UNKNOWN, EFF_WRITE, true);
				intent_signal(x, an->ci, "write-indirect", t + k, n - k > 80 ? 80 : n - k);
			}
			print = false;
		}
	}
}

static void
h_awk(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct args *a = an->a;
	const struct rword *f = opt_value(a, "-f");
	size_t k = 0;

	if (f == NULL)
		f = opt_value(a, "--file");
	if (f != NULL) {
		add_target(an->w, an->ci, f, EFF_RUN);
	} else if (a->npos > 0) {
		const struct rword *p = a->pos[0];

		intent_code(x, an->ci, p->s, p->n, LANG_AWK, false);
		awk_writes(an, p->s, p->n);
		k = 1;
	}
	for (; k < a->npos; k++)
		if (memchr(a->pos[k]->s, '=', a->pos[k]->n) == NULL)
			add_target(an->w, an->ci, a->pos[k], EFF_READ);
}

/* sed: in-place edits and the e/w/r commands of its script. */
static void
sed_script(struct an *an, const char *t, size_t n)
{
	struct intent_ctx *x = an->w->x;
	size_t k = 0;

	while (k < n) {
		char c;

		while (k < n && (isspace((unsigned char)t[k]) || t[k] == ';' || t[k] == '{' || t[k] == '}'))
			k++;
		if (k >= n)
			break;
		/* address: N, $, /re/, \cREc, first~step, ranges, ! */
		for (int parts = 0; parts < 2 && k < n; parts++) {
			if (isdigit((unsigned char)t[k])) {
				while (k < n && (isdigit((unsigned char)t[k]) || t[k] == '~'))
					k++;
			} else if (t[k] == '$') {
				k++;
			} else if (t[k] == '/' || t[k] == '\\') {
				char d = t[k] == '\\' && k + 1 < n ? t[++k] : '/';

				for (k++; k < n && t[k] != d; k++)
					if (t[k] == '\\')
						k++;
				k++;
				while (k < n && (t[k] == 'I' || t[k] == 'M'))
					k++;
			}
			if (k < n && t[k] == ',' && parts == 0) {
				k++;
				if (k < n && (t[k] == '+' || t[k] == '~'))
					k++;
				continue;
			}
			break;
		}
		while (k < n && (t[k] == ' ' || t[k] == '!'))
			k++;
		if (k >= n)
			break;
		c = t[k++];
		if (c == 's' || c == 'y') {
			char d;
			int parts = 0;

			if (k >= n)
				break;
			d = t[k++];
			while (k < n && parts < 2) {
				if (t[k] == '\\')
					k++;
				else if (t[k] == d)
					parts++;
				k++;
			}
			while (k < n && t[k] != ';' && t[k] != '\n' && t[k] != '}') {
				if (c == 's' && t[k] == 'e') {
					sig(x, an->ci, "sed-exec");
					intent_add_effect(x, an->ci, EFF_EXEC);
				}
				if (c == 's' && t[k] == 'w') {
					const char *e = memchr(t + k, '\n', n - k);
					size_t j = k + 1;
					struct rword r;

					while (j < n && t[j] == ' ')
						j++;
					r = (struct rword){ .s = t + j, .n = (e != NULL ? (size_t)(e - t) : n) - j, .unk_at = SIZE_MAX };
					sig(x, an->ci, "sed-write");
					add_target(an->w, an->ci, &r, EFF_WRITE);
					k = e != NULL ? (size_t)(e - t) : n;
					break;
				}
				k++;
			}
			continue;
		}
		if (c == 'e' || c == 'w' || c == 'W' || c == 'r' || c == 'R') {
			const char *e = memchr(t + k, '\n', n - k);
			size_t end = e != NULL ? (size_t)(e - t) : n, j = k;
			struct rword r;

			while (j < end && t[j] == ' ')
				j++;
			r = (struct rword){ .s = t + j, .n = end - j, .unk_at = SIZE_MAX };
			if (c == 'e') {
				sig(x, an->ci, "sed-exec");
				intent_add_effect(x, an->ci, EFF_EXEC);
				if (r.n > 0)
					nested_script(an->lw, an->ci, r.s, r.n, "sed e", NULL);
			} else if (c == 'w' || c == 'W') {
				sig(x, an->ci, "sed-write");
				add_target(an->w, an->ci, &r, EFF_WRITE);
			} else {
				add_target(an->w, an->ci, &r, EFF_READ);
			}
			k = end;
			continue;
		}
		if (c == 'a' || c == 'i' || c == 'c') {
			/* text to the end of the line; a trailing backslash continues it */
			for (;;) {
				const char *e = memchr(t + k, '\n', n - k);
				size_t end = e != NULL ? (size_t)(e - t) : n;

				k = end;
				if (end == n || end == 0 || t[end - 1] != '\\')
					break;
				k = end + 1;
			}
			continue;
		}
		if (c == ':' || c == 'b' || c == 't' || c == 'T') {
			while (k < n && t[k] != ';' && t[k] != '\n')
				k++;
			continue;
		}
		/* single-letter commands: p d n q ... */
		while (k < n && t[k] != ';' && t[k] != '\n' && t[k] != '}' && !isalpha((unsigned char)t[k]))
			k++;
	}
}

static void
h_sed(struct an *an)
{
	const struct args *a = an->a;
	bool scripts = false, inplace = has_flag(a, "-i", false) || has_flag(a, "--in-place", false);
	size_t k = 0;

	for (size_t j = 0; j < a->nopts; j++) {
		const struct opt *o = &a->opts[j];

		if (o->val == NULL)
			continue;
		if ((o->nlen == 2 && memcmp(o->name, "-e", 2) == 0) ||
		    (o->nlen == 12 && memcmp(o->name, "--expression", 12) == 0)) {
			sed_script(an, o->val->s, o->val->n);
			scripts = true;
		} else if ((o->nlen == 2 && memcmp(o->name, "-f", 2) == 0) ||
		           (o->nlen == 6 && memcmp(o->name, "--file", 6) == 0)) {
			add_target(an->w, an->ci, o->val, EFF_RUN);
			scripts = true;
		}
		if (o->nlen > 2 && memcmp(o->name, "-i", 2) == 0)
			inplace = true;
	}
	if (!scripts && a->npos > 0) {
		sed_script(an, a->pos[0]->s, a->pos[0]->n);
		k = 1;
	}
	for (; k < a->npos; k++)
		add_target(an->w, an->ci, a->pos[k], inplace ? EFF_OVERWRITE : EFF_READ);
}

/* find: start paths, -delete (whole trees when before any test), -exec. */
static bool
find_is_test(const struct rword *r)
{
	static const char *const tests[] = { "-name", "-iname", "-path", "-ipath", "-wholename",
		"-iwholename", "-regex", "-iregex", "-type", "-xtype", "-size", "-empty", "-newer", "-mtime",
		"-mmin", "-atime", "-amin", "-ctime", "-cmin", "-user", "-group", "-perm", "-links", "-inum",
		"-samefile", "-lname", "-ilname", "-uid", "-gid", "-nouser", "-nogroup", "-used", "-readable",
		"-writable", "-executable", "-fstype", "-context", "-newermt", "-anewer", "-cnewer", "-false" };

	for (size_t k = 0; k < sizeof tests / sizeof tests[0]; k++)
		if (word_is(r, tests[k]))
			return true;
	return false;
}

static void
h_find(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct rword *rw = an->rw;
	size_t n = an->n, k = 0, nstart = 0;
	const struct rword *starts[16];
	struct rword dot = { .s = ".", .n = 1, .unk_at = SIZE_MAX };
	bool tests = false;

	while (k < n && (word_is(&rw[k], "-H") || word_is(&rw[k], "-L") || word_is(&rw[k], "-P")))
		k++;
	while (k < n && rw[k].n > 0 && rw[k].s[0] != '-' && !word_is(&rw[k], "(") && !word_is(&rw[k], "!") &&
	       !word_is(&rw[k], "\\(")) {
		if (nstart < 16)
			starts[nstart++] = &rw[k];
		k++;
	}
	if (nstart == 0)
		starts[nstart++] = &dot;
	for (size_t s = 0; s < nstart; s++)
		add_target(an->w, an->ci, starts[s], EFF_LIST);
	for (; k < n; k++) {
		const struct rword *r = &rw[k];

		if (find_is_test(r)) {
			tests = true;
			continue;
		}
		if (word_is(r, "-delete")) {
			for (size_t s = 0; s < nstart; s++) {
				if (!tests) {
					add_target(an->w, an->ci, starts[s], EFF_DELETE_RECURSIVE);
				} else {
					struct rword child = *starts[s];
					char *p = arena_alloc(x->a, child.n + 4);

					if (p == NULL) {
						oomf(x);
						return;
					}
					memcpy(p, child.s, child.n);
					memcpy(p + child.n, "/**", 4);
					child.s = p;
					child.n += 3;
					child.f = (child.f & ~(unsigned)RW_GLOB) | RW_SYNGLOB;
					add_target(an->w, an->ci, &child, EFF_DELETE);
				}
			}
			continue;
		}
		if ((word_is(r, "-fprint") || word_is(r, "-fprint0") || word_is(r, "-fls") || word_is(r, "-fprintf")) &&
		    k + 1 < n) {
			add_target(an->w, an->ci, &rw[k + 1], EFF_OVERWRITE);
			k += word_is(r, "-fprintf") ? 2 : 1;
			continue;
		}
		if (word_is(r, "-exec") || word_is(r, "-execdir") || word_is(r, "-ok") || word_is(r, "-okdir")) {
			size_t j = k + 1, m = 0;
			struct rword *inner;

			while (j < n && !word_is(&rw[j], ";") && !word_is(&rw[j], "+") && !word_is(&rw[j], "\\;"))
				j++;
			inner = arena_alloc(x->a, (j - k) * sizeof *inner + 1);
			if (inner == NULL) {
				oomf(x);
				return;
			}
			for (size_t q = k + 1; q < j; q++) {
				inner[m] = rw[q];
				if (memmem(rw[q].s, rw[q].n, "{}", 2) != NULL) {
					/* {} is each file found: with no test before, the
					 * start path itself and everything in it */
					const struct rword *st = starts[0];
					char *p = arena_alloc(x->a, st->n + 4);

					if (p == NULL) {
						oomf(x);
						return;
					}
					memcpy(p, st->s, st->n);
					memcpy(p + st->n, "/**", 4);
					inner[m].s = p;
					inner[m].n = tests ? st->n + 3 : st->n;
					inner[m].f = (st->f & ~(unsigned)RW_GLOB) | (tests ? RW_SYNGLOB : 0);
					inner[m].unk_at = st->unk_at;
				}
				m++;
			}
			if (m > 0) {
				struct cmdctx cc2 = { .text = an->cc->text, .textlen = an->cc->textlen, .stdin_from = -1,
					.xargs_cls = PC_COUNT };
				struct walk fw = *an->lw;

				fw.context = "find -exec";
				analyze_words(&fw, inner, m, &cc2);
			}
			k = j;
			continue;
		}
	}
}

/* tar: create, extract or list; the archive and the directory. */
static void
h_tar(struct an *an)
{
	const struct args *a = an->a;
	char mode = 0;
	const struct rword *archive = opt_value(a, "-f"), *dir = opt_value(a, "-C");
	size_t k = 0;

	if (archive == NULL)
		archive = opt_value(a, "--file");
	if (dir == NULL)
		dir = opt_value(a, "--directory");
	/* "tar xzf ARCHIVE" (bundled, no dash) */
	if (an->n > 0 && an->rw[0].n > 0 && an->rw[0].s[0] != '-' && a->npos > 0 && a->pos[0] == &an->rw[0]) {
		const struct rword *b = &an->rw[0];

		for (size_t j = 0; j < b->n; j++)
			if (strchr("cxtru", b->s[j]) != NULL && mode == 0)
				mode = b->s[j];
		k = 1;
		if (memchr(b->s, 'f', b->n) != NULL && archive == NULL && a->npos > 1) {
			archive = a->pos[1];
			k = 2;
		}
	}
	for (size_t j = 0; j < a->nopts && mode == 0; j++) {
		const struct opt *o = &a->opts[j];

		if (o->nlen >= 2 && o->name[1] != '-') {
			for (size_t q = 1; q < o->nlen; q++)
				if (strchr("cxtru", o->name[q]) != NULL) {
					mode = o->name[q];
					break;
				}
		} else if (o->nlen == 9 && memcmp(o->name, "--extract", 9) == 0) {
			mode = 'x';
		} else if (o->nlen == 8 && memcmp(o->name, "--create", 8) == 0) {
			mode = 'c';
		} else if (o->nlen == 6 && memcmp(o->name, "--list", 6) == 0) {
			mode = 't';
		}
	}
	if (mode == 'x') {
		struct rword here = { .s = ".", .n = 1, .unk_at = SIZE_MAX };

		if (archive != NULL)
			add_target(an->w, an->ci, archive, EFF_READ);
		add_target(an->w, an->ci, dir != NULL ? dir : &here, EFF_WRITE);
	} else if (mode == 'c' || mode == 'r' || mode == 'u') {
		if (archive != NULL)
			add_target(an->w, an->ci, archive, EFF_WRITE);
		for (; k < a->npos; k++)
			add_target(an->w, an->ci, a->pos[k], EFF_READ);
	} else if (archive != NULL) {
		add_target(an->w, an->ci, archive, EFF_READ);
	}
}

/* apply_patch PATCH (Codex's patch tool run as a command, the envelope as its
 * argument or on stdin): every file its headers name. */
static void
h_patch(struct an *an)
{
	static const enum effect op_eff[] = { [RQ_READ] = EFF_VIEW, [RQ_LIST] = EFF_LIST, [RQ_WRITE] = EFF_WRITE,
		[RQ_EDIT] = EFF_OVERWRITE, [RQ_DELETE] = EFF_DELETE };
	struct intent_ctx *x = an->w->x;
	const char *text = an->a->npos > 0 ? an->a->pos[0]->s : an->cc->stdin_text;
	size_t n = an->a->npos > 0 ? an->a->pos[0]->n : an->cc->stdin_len;
	struct req_files rf = { 0 };

	if (text == NULL) {
		/* the patch comes from a pipe or a file: its files are not known */
		add_target_raw(x, an->ci, "(files of a patch read at run time)", PC_UNKNOWN, EFF_WRITE, true);
		return;
	}
	if (an->a->npos > 0 && an->a->pos[0]->unk_at != SIZE_MAX)
		add_target_raw(x, an->ci, "(files of a patch built at run time)", PC_UNKNOWN, EFF_WRITE, true);
	if (req_patch_files(x->a, text, n, &rf) < 0) {
		oomf(x);
		return;
	}
	if (rf.bad != NULL) {
		x->in->unparsed = true;
		sig(x, an->ci, "unparsed");
	}
	for (size_t k = 0; k < rf.n; k++) {
		struct rword r = { .s = rf.v[k].path, .n = rf.v[k].len, .unk_at = SIZE_MAX };

		add_target(an->w, an->ci, &r, op_eff[rf.v[k].op]);
	}
}

/* ssh [options] HOST [COMMAND...] */
static void
h_ssh(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct rword *rw = an->rw;
	size_t n = an->n, k = 0;
	const char *host = NULL;

	while (k < n) {
		const struct rword *r = &rw[k];

		if (word_is(r, "--")) {
			k++;
			break;
		}
		if (r->n < 2 || r->s[0] != '-')
			break;
		if (strchr("bcDEeFIiJLlmOopQRSWw", r->s[r->n - 1]) != NULL && r->n == 2 && k + 1 < n) {
			const struct rword *v = &rw[k + 1];

			if (r->s[1] == 'o') {
				static const char *const keys[] = { "ProxyCommand", "LocalCommand", "RemoteCommand" };

				for (size_t q = 0; q < 3; q++) {
					size_t kl = strlen(keys[q]);

					if (v->n > kl + 1 && strncasecmp(v->s, keys[q], kl) == 0 &&
					    (v->s[kl] == '=' || v->s[kl] == ' '))
						nested_script(an->lw, an->ci, v->s + kl + 1, v->n - kl - 1, "ssh -o", NULL);
				}
			}
			k += 2;
			continue;
		}
		k++;
	}
	if (k < n) {
		const char *h;
		size_t hn;

		if (host_of(rw[k].s, rw[k].n, &h, &hn, true)) {
			add_host_raw(x, an->ci, h, hn);
			host = xdup(x, h, hn);
		}
		k++;
	}
	intent_add_effect(x, an->ci, EFF_REMOTE_EXEC);
	if (k < n) {
		size_t len = 0, o = 0;
		char *s;

		for (size_t j = k; j < n; j++)
			len += rw[j].n + 1;
		s = arena_alloc(x->a, len + 1);
		if (s == NULL) {
			oomf(x);
			return;
		}
		for (size_t j = k; j < n; j++) {
			memcpy(s + o, rw[j].s, rw[j].n);
			o += rw[j].n;
			s[o++] = ' ';
		}
		s[o > 0 ? o - 1 : 0] = '\0';
		sig(x, an->ci, "remote-exec");
		nested_script(an->lw, an->ci, s, o > 0 ? o - 1 : 0, "ssh", host != NULL ? host : "?");
	} else {
		sig(x, an->ci, "prog-remote");
		C(an)->interactive = an->cc->stdin_from < 0 && !an->cc->has_stdin_file && an->cc->stdin_text == NULL;
	}
}

static void check_exfil(struct an *an);

/* Is s "[user@]host:path" (scp, rsync)? */
static bool
remote_spec(const struct rword *r, const char **h, size_t *hn)
{
	const char *colon = memchr(r->s, ':', r->n), *slash = memchr(r->s, '/', r->n);

	if (colon == NULL || colon == r->s || (slash != NULL && slash < colon) || r->s[0] == '.')
		return false;
	if (r->n > 6 && memcmp(r->s, "rsync:", 6) == 0)
		return host_of(r->s, r->n, h, hn, false);
	return host_of(r->s, (size_t)(colon - r->s), h, hn, true);
}

static void
h_remote_copy(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct args *a = an->a;
	bool any = false, up = false;
	const char *h;
	size_t hn;

	for (size_t k = 0; k < a->npos; k++)
		if (remote_spec(a->pos[k], &h, &hn)) {
			add_host_raw(x, an->ci, h, hn);
			any = true;
			if (k + 1 == a->npos)
				up = true;
		}
	if (a->npos == 0)
		return;
	if (!any) {
		add_target(an->w, an->ci, a->pos[a->npos - 1], EFF_WRITE);
		for (size_t k = 0; k + 1 < a->npos; k++)
			add_target(an->w, an->ci, a->pos[k], EFF_READ);
		return;
	}
	sig(x, an->ci, "prog-transfer");
	if (up) {
		intent_add_effect(x, an->ci, EFF_UPLOAD);
		for (size_t k = 0; k + 1 < a->npos; k++)
			if (!remote_spec(a->pos[k], &h, &hn))
				add_target(an->w, an->ci, a->pos[k], EFF_READ);
		check_exfil(an);
	} else {
		intent_add_effect(x, an->ci, EFF_DOWNLOAD);
		if (!remote_spec(a->pos[a->npos - 1], &h, &hn))
			add_target(an->w, an->ci, a->pos[a->npos - 1], EFF_WRITE);
	}
}

/* --- one simple command --------------------------------------------------------------------- */

static const char *
base_name(const char *s, size_t n, size_t *bl)
{
	const char *sl = memrchr(s, '/', n);
	const char *b = sl != NULL ? sl + 1 : s;

	*bl = n - (size_t)(b - s);
	return b;
}

static bool
std_bin_dir(const char *s, size_t n)
{
	static const char *const dirs[] = { "/bin/", "/usr/bin/", "/usr/local/bin/", "/sbin/", "/usr/sbin/",
		"/usr/local/sbin/", "/opt/homebrew/bin/", "/usr/libexec/", "/run/current-system/sw/bin/" };

	for (size_t k = 0; k < sizeof dirs / sizeof dirs[0]; k++) {
		size_t dl = strlen(dirs[k]);

		if (n > dl && memcmp(s, dirs[k], dl) == 0 && memchr(s + dl, '/', n - dl) == NULL)
			return true;
	}
	return false;
}

static bool
is_function(struct intent_ctx *x, const char *name)
{
	for (size_t k = 0; k < x->nfuncs; k++)
		if (strcmp(x->funcs[k], name) == 0)
			return true;
	return false;
}

/* Environment assignments in front of a command (or after env). */
static void
env_assignment(struct walk *w, int ci, const struct rword *r)
{
	static const char *const exec_vars[] = { "PAGER", "GIT_PAGER", "MANPAGER", "EDITOR", "VISUAL",
		"GIT_EDITOR", "GIT_SSH_COMMAND", "GIT_SSH", "GIT_ASKPASS", "SSH_ASKPASS", "SUDO_ASKPASS",
		"BASH_ENV", "ENV", "PROMPT_COMMAND", "PERL5OPT", "PYTHONSTARTUP", "NODE_OPTIONS", "LESSOPEN",
		"LESSCLOSE", "RUBYOPT", "GIT_EXTERNAL_DIFF", "GIT_PROXY_COMMAND", "GIT_CONFIG_PARAMETERS",
		"GIT_CONFIG_GLOBAL", "PERL5DB", "PYTHONINSPECT" };
	struct intent_ctx *x = w->x;
	const char *eq = memchr(r->s, '=', r->n);
	size_t nl;

	if (eq == NULL)
		return;
	nl = (size_t)(eq - r->s);
	if (nl > 0 && r->s[nl - 1] == '+')
		nl--;
	if ((nl == 10 && memcmp(r->s, "LD_PRELOAD", 10) == 0) || (nl == 8 && memcmp(r->s, "LD_AUDIT", 8) == 0) ||
	    (nl == 21 && memcmp(r->s, "DYLD_INSERT_LIBRARIES", 21) == 0)) {
		intent_signal(x, ci, "ld-preload", r->s, r->n);
		intent_add_effect(x, ci, EFF_EXEC);
		return;
	}
	if (nl == 4 && memcmp(r->s, "PATH", 4) == 0) {
		intent_signal(x, ci, "path-override", r->s, r->n);
		return;
	}
	if (nl == 3 && memcmp(r->s, "IFS", 3) == 0) {
		intent_signal(x, ci, "obf-ifs", r->s, r->n);
		return;
	}
	for (size_t k = 0; k < sizeof exec_vars / sizeof exec_vars[0]; k++)
		if (strlen(exec_vars[k]) == nl && memcmp(r->s, exec_vars[k], nl) == 0) {
			size_t before = x->in->ncmds;

			intent_signal(x, ci, "env-exec", r->s, r->n);
			if ((size_t)(eq + 1 - r->s) < r->n)
				nested_script(w, ci, eq + 1, r->n - (size_t)(eq + 1 - r->s), "env", NULL);
			/* the variable holds a shell or an interpreter */
			for (size_t j = before; j < x->in->ncmds; j++)
				if (intent_cmd(x->in, j)->classes & (PCL(SHELL) | PCL(INTERP))) {
					intent_signal(x, ci, "shell-arg", r->s, r->n);
					break;
				}
			return;
		}
}

/* Redirections of the command: targets, /dev/tcp, stdout to a file. */
static void
apply_redirs(struct walk *w, int ci, struct cmdctx *cc, struct rword *targets, const enum sh_redir_op *ops,
    size_t n)
{
	for (size_t k = 0; k < n; k++) {
		enum effect e;

		switch (ops[k]) {
		case SH_R_IN:
			e = EFF_READ;
			break;
		case SH_R_OUT:
		case SH_R_CLOBBER:
		case SH_R_OUT_ALL:
			e = EFF_OVERWRITE;
			break;
		case SH_R_APPEND:
		case SH_R_APPEND_ALL:
		case SH_R_INOUT:
			e = EFF_WRITE;
			break;
		default:
			continue;
		}
		add_target(w, ci, &targets[k], e);
		if (e != EFF_READ) {
			struct intent_cmd *c = cmd_at(w->x, ci);

			if (c != NULL && c->ntargets > 0 && c->targets[c->ntargets - 1].cls != PC_SPECIAL &&
			    c->targets[c->ntargets - 1].cls != PC_NETWORK)
				cc->stdout_file = true;
		}
	}
}

/* A program's own path arguments, from its t= spec. */
static void
spec_targets(struct an *an)
{
	const struct prog *pg = an->pg;
	const struct args *a = an->a;
	size_t first = an->first, np = a->npos;
	bool rec = false;

	if (pg == NULL || pg->nt == 0)
		return;
	for (size_t k = 0; k < pg->rec.n && !rec; k++)
		rec = has_flag(a, pg->rec.v[k], pg->long1);
	for (size_t k = 0; k < pg->nt; k++) {
		const struct tspec *ts = &pg->t[k];
		bool pat_opt = false;

		if (ts->kind == TS_SKIP1 || ts->kind == TS_SKIP2) {
			for (size_t j = 0; j < pg->p.n && !pat_opt; j++)
				pat_opt = has_flag(a, pg->p.v[j], pg->long1);
			if (!pat_opt)
				first += ts->kind == TS_SKIP1 ? 1 : 2;
		}
	}
	for (size_t k = 0; k < pg->nt; k++) {
		const struct tspec *ts = &pg->t[k];
		enum effect e = ts->eff == EFF_DELETE && rec ? EFF_DELETE_RECURSIVE : ts->eff;

		/* ls, stat, du, wc: they look at files without printing them */
		if (e == EFF_READ && (pg->classes & PCL(META)))
			e = EFF_LIST;

		switch (ts->kind) {
		case TS_ALL:
			for (size_t j = first; j < np; j++)
				add_target(an->w, an->ci, a->pos[j], e);
			break;
		case TS_LAST:
			if (np > first)
				add_target(an->w, an->ci, a->pos[np - 1], e);
			break;
		case TS_REST:
			for (size_t j = first; j + 1 < np; j++)
				add_target(an->w, an->ci, a->pos[j], e);
			break;
		case TS_FIRST:
			if (np > first)
				add_target(an->w, an->ci, a->pos[first], e);
			break;
		case TS_SECOND: /* uniq IN OUT */
			if (np > first + 1)
				add_target(an->w, an->ci, a->pos[first + 1], e);
			break;
		case TS_OPT:
			for (size_t j = 0; j < a->nopts; j++)
				if (a->opts[j].val != NULL && opt_is(&a->opts[j], ts->opt, strlen(ts->opt)))
					add_target(an->w, an->ci, a->opts[j].val, e);
			break;
		case TS_KV: {
			size_t kl = strlen(ts->opt);

			for (size_t j = 0; j < a->nall; j++) {
				const struct rword *r = &a->all[j];

				if (r->n > kl && memcmp(r->s, ts->opt, kl) == 0) {
					struct rword v = *r;

					v.s += kl;
					v.n -= kl;
					v.unk_at = r->unk_at == SIZE_MAX ? SIZE_MAX : r->unk_at > kl ? r->unk_at - kl : 0;
					add_target(an->w, an->ci, &v, e);
				}
			}
			break;
		}
		case TS_SKIP1:
		case TS_SKIP2:
			break;
		}
	}
	if (an->cc->xargs_cls != PC_COUNT) {
		for (size_t k = 0; k < pg->nt; k++)
			if (pg->t[k].kind <= TS_FIRST) {
				enum effect e = pg->t[k].eff == EFF_DELETE && rec ? EFF_DELETE_RECURSIVE : pg->t[k].eff;

				if (an->cc->xargs_dir != NULL) {
					size_t dl = strlen(an->cc->xargs_dir);
					char *p = arena_alloc(an->w->x->a, dl + 4);
					struct rword r = { .s = p, .n = dl + 3, .f = RW_SYNGLOB, .unk_at = SIZE_MAX };

					if (p == NULL) {
						oomf(an->w->x);
						return;
					}
					memcpy(p, an->cc->xargs_dir, dl);
					memcpy(p + dl, "/**", 4);
					add_target(an->w, an->ci, &r, e);
				} else {
					add_target_raw(an->w->x, an->ci, "(paths from input)", an->cc->xargs_cls, e, false);
				}
				break;
			}
	}
}

/* Archivers with subcommands (7z, rar, arj, ar): "x ARCHIVE DIR" writes
 * into DIR, "a ARCHIVE FILES" writes the archive. */
static void
archive_targets(struct an *an)
{
	static const char *const extract[] = { "x", "e", "extract", "unpack" };
	static const char *const add[] = { "a", "add", "c", "create", "r", "u", "update", "q", "m" };
	const struct args *a = an->a;
	const char *sub = C(an)->sub;

	if (!(an->pg->classes & PCL(ARCHIVE)) || !an->pg->sub || sub == NULL || a->npos < 2)
		return;
	for (size_t k = 0; k < sizeof extract / sizeof extract[0]; k++)
		if (strcmp(sub, extract[k]) == 0) {
			add_target(an->w, an->ci, a->pos[1], EFF_READ);
			if (a->npos >= 3)
				add_target(an->w, an->ci, a->pos[a->npos - 1], EFF_WRITE);
			return;
		}
	for (size_t k = 0; k < sizeof add / sizeof add[0]; k++)
		if (strcmp(sub, add[k]) == 0) {
			add_target(an->w, an->ci, a->pos[1], EFF_WRITE);
			for (size_t j = 2; j < a->npos; j++)
				add_target(an->w, an->ci, a->pos[j], EFF_READ);
			return;
		}
}

/* --- paths on disk: links (issue #12 item 3; broker/intent/fsresolve.h) ---------------------------- */

#define FS_MAX_ALIAS 6
#define FS_MAX_VLINKS 16
#define FS_BUDGET 256   /* paths looked up on disk per request: a few system calls each */
#define FS_MEMO 64      /* ... and remembered within it (scripts repeat their paths) */

struct fs_state {
	struct {
		const char *real, *named;
		size_t rl, nl;
	} alias[FS_MAX_ALIAS]; /* real paths of the anchors (workspace, home, ...) -> as named */
	size_t nalias;
	struct {
		const char *link, *target;
		size_t ll;
	} vlink[FS_MAX_VLINKS]; /* links this command line makes, for the commands after them */
	size_t nvlinks;
	struct {
		const char *raw, *out;
		size_t rl;
		unsigned flags;
		int n;
		struct fsr_result res;
	} memo[FS_MEMO];
	unsigned looked;
	bool over;
	char raw[2 * FSR_MAX_PATH + 2];
	char out[FSR_MAX_PATH + 2];
};

static void
fs_alias(struct fs_state *fs, const char *real, const char *named)
{
	size_t rl, nl, k;

	if (real == NULL || named == NULL || real[0] != '/' || named[0] != '/' || strcmp(real, named) == 0 ||
	    strcmp(real, "/") == 0 || fs->nalias >= FS_MAX_ALIAS)
		return;
	rl = strlen(real);
	nl = strlen(named);
	while (nl > 1 && named[nl - 1] == '/')
		nl--;
	/* longest real path first: the workspace's may lie under the home's */
	for (k = fs->nalias; k > 0 && fs->alias[k - 1].rl < rl; k--)
		fs->alias[k] = fs->alias[k - 1];
	fs->alias[k].real = real;
	fs->alias[k].rl = rl;
	fs->alias[k].named = named;
	fs->alias[k].nl = nl;
	fs->nalias++;
}

/* The directory part of a file path (an arena string), or NULL. */
static const char *
fs_dir_of(struct intent_ctx *x, const char *p)
{
	const char *sl = p != NULL ? strrchr(p, '/') : NULL;

	if (sl == NULL || sl == p)
		return NULL;
	return arena_strndup(x->a, p, (size_t)(sl - p));
}

static struct fs_state *
fs_get(struct intent_ctx *x)
{
	struct fs_state *fs = x->fs;

	if (fs != NULL)
		return fs;
	if ((fs = arena_zalloc(x->a, sizeof *fs)) == NULL) {
		oomf(x);
		return NULL;
	}
	fs_alias(fs, x->env.workspace_real, x->in->workspace);
	fs_alias(fs, x->env.home_real, x->env.home);
	fs_alias(fs, x->env.config_real, x->env.config_dir);
	fs_alias(fs, x->env.runtime_real, x->env.runtime_dir);
	/* db_real is the real path of the database's directory */
	fs_alias(fs, x->env.db_real, fs_dir_of(x, x->env.db_path));
	x->fs = fs;
	return fs;
}

/* p with a real anchor prefix replaced by the anchor as named (so that the
 * real path of a file in a linked workspace still classes as workspace). */
static const char *
fs_as_named(struct intent_ctx *x, const char *p, size_t *len)
{
	struct fs_state *fs;
	char *q;

	if (x->env.workspace_real == NULL && x->env.home_real == NULL && x->env.config_real == NULL &&
	    x->env.runtime_real == NULL && x->env.db_real == NULL)
		return p;
	if ((fs = fs_get(x)) == NULL)
		return p;
	for (size_t k = 0; k < fs->nalias; k++) {
		size_t rl = fs->alias[k].rl, nl = fs->alias[k].nl;

		if (*len < rl || memcmp(p, fs->alias[k].real, rl) != 0 || (*len > rl && p[rl] != '/'))
			continue;
		if ((q = arena_alloc(x->a, nl + *len - rl + 1)) == NULL) {
			oomf(x);
			return p;
		}
		memcpy(q, fs->alias[k].named, nl);
		memcpy(q + nl, p + rl, *len - rl);
		*len = nl + *len - rl;
		q[*len] = '\0';
		return q;
	}
	return p;
}

/* The class of a resolved path; a glob as its last part stands for the directory. */
static enum pclass
fs_classify(struct intent_ctx *x, const char *p, size_t len, bool glob)
{
	const char *sl = memrchr(p, '/', len);

	if (glob && sl != NULL) {
		const char *last = sl + 1;
		size_t ll = len - (size_t)(last - p);

		if ((ll == 1 && last[0] == '*') || (ll == 2 && memcmp(last, ".*", 2) == 0) ||
		    (ll == 3 && memcmp(last, "*.*", 3) == 0))
			return intent_classify(x, p, sl > p ? (size_t)(sl - p) : 1);
	}
	return intent_classify(x, p, len);
}

/* /dev, /proc and /sys hold links that mean something else to the agent
 * (/dev/stdout, /proc/self); they are classed by name. */
static bool
fs_skip(const char *p)
{
	static const char *const skip[] = { "/dev", "/proc", "/sys" };

	for (size_t k = 0; k < sizeof skip / sizeof skip[0]; k++) {
		size_t n = strlen(skip[k]);

		if (strncmp(p, skip[k], n) == 0 && (p[n] == '\0' || p[n] == '/'))
			return true;
	}
	return false;
}

/* fsr_resolve into fs->out, at most FS_BUDGET times per request (each
 * distinct path once).  -2 when over the budget: the request then has one
 * path-unresolved signal, since what was not looked at is not known. */
static int
fs_lookup(struct intent_ctx *x, struct fs_state *fs, int i, const char *raw, size_t rn, unsigned flags,
    struct fsr_result *res)
{
	uint32_t h = 2166136261u;
	size_t slot;
	int n;

	for (size_t k = 0; k < rn; k++)
		h = (h ^ (unsigned char)raw[k]) * 16777619u;
	slot = (h ^ flags) % FS_MEMO;
	if (fs->memo[slot].raw != NULL && fs->memo[slot].rl == rn && fs->memo[slot].flags == flags &&
	    memcmp(fs->memo[slot].raw, raw, rn) == 0) {
		*res = fs->memo[slot].res;
		if (fs->memo[slot].n >= 0)
			memcpy(fs->out, fs->memo[slot].out, (size_t)fs->memo[slot].n + 1);
		return fs->memo[slot].n;
	}
	if (fs->looked >= FS_BUDGET) {
		static const char why[] = "(more paths than sandgate looks up on disk per request)";

		if (!fs->over)
			intent_signal(x, i, "path-unresolved", why, sizeof why - 1);
		fs->over = true;
		return -2;
	}
	fs->looked++;
	n = fsr_resolve(raw, rn, flags, fs->out, sizeof fs->out, res);
	if (rn <= 1024) {
		const char *rc = arena_strndup(x->a, raw, rn);
		const char *oc = n >= 0 ? arena_strndup(x->a, fs->out, (size_t)n) : "";

		if (rc != NULL && oc != NULL) {
			fs->memo[slot].raw = rc;
			fs->memo[slot].rl = rn;
			fs->memo[slot].flags = flags;
			fs->memo[slot].out = oc;
			fs->memo[slot].n = n;
			fs->memo[slot].res = *res;
		}
	}
	return n;
}

/* The path the agent names, as the kernel will look it up: the cwd and the
 * word joined, ".." not folded (after a link it means the link target's
 * parent).  A link this command line made earlier stands in for the file
 * system.  NULL when it cannot be built. */
static const char *
fs_raw(struct walk *w, struct fs_state *fs, const struct rword *r, const char *path, size_t *n)
{
	size_t pl = strlen(path);

	for (size_t k = fs->nvlinks; k > 0; k--) {
		size_t ll = fs->vlink[k - 1].ll, tl = strlen(fs->vlink[k - 1].target);

		if (pl < ll || memcmp(path, fs->vlink[k - 1].link, ll) != 0 || (pl > ll && path[ll] != '/'))
			continue;
		if (tl + pl - ll > 2 * FSR_MAX_PATH)
			return NULL;
		memcpy(fs->raw, fs->vlink[k - 1].target, tl);
		memcpy(fs->raw + tl, path + ll, pl - ll);
		*n = tl + pl - ll;
		fs->raw[*n] = '\0';
		return fs->raw;
	}
	if (r->s[0] == '/') {
		*n = r->n;
		return r->s;
	}
	if (w->cwd == NULL || strlen(w->cwd) + 1 + r->n > 2 * FSR_MAX_PATH)
		return NULL;
	*n = (size_t)snprintf(fs->raw, sizeof fs->raw, "%s/%.*s", w->cwd, (int)r->n, r->s);
	return fs->raw;
}

/* Resolve the path of a target against the file system; where links take
 * it elsewhere, the place they lead to is a target too (the request must be
 * judged, and covered by rules, as both). */
static void
fs_target(struct walk *w, int i, const struct rword *r, const char *path, enum effect eff, bool indirect)
{
	struct intent_ctx *x = w->x;
	struct intent_cmd *c = cmd_at(x, i);
	struct fs_state *fs;
	struct fsr_result res;
	const char *raw;
	size_t rn = 0, gl = SIZE_MAX, rlen;
	unsigned flags = FSR_FOLLOW_LAST;
	bool glob = (r->f & RW_GLOB) != 0;
	char *rp;
	const char *named;
	enum pclass rcls;
	int n;

	if (x->env.no_resolve || c == NULL || c->remote != NULL || path == NULL || path[0] != '/' ||
	    r->unk_at != SIZE_MAX || r->n == 0 || fs_skip(path) || (fs = fs_get(x)) == NULL)
		return;
	if ((raw = fs_raw(w, fs, r, path, &rn)) == NULL) {
		intent_signal(x, i, "path-unresolved", path, strlen(path));
		return;
	}
	if (glob) {
		/* resolve the directory before the first glob (a glob in a linked
		 * directory lists the link's target) */
		for (size_t k = 0; k < rn && gl == SIZE_MAX; k++)
			if (raw[k] == '*' || raw[k] == '?' || raw[k] == '[')
				gl = k;
		while (gl != SIZE_MAX && gl > 0 && raw[gl - 1] != '/')
			gl--;
		if (gl == SIZE_MAX || gl <= 1)
			return;
		n = fs_lookup(x, fs, i, raw, gl - 1, FSR_FOLLOW_LAST, &res);
	} else {
		/* `rm link` removes the link; `rm -r link/` what it points at */
		if ((eff == EFF_DELETE || eff == EFF_DELETE_RECURSIVE) && raw[rn - 1] != '/')
			flags = 0;
		n = fs_lookup(x, fs, i, raw, rn, flags, &res);
	}
	if (n == -2)
		return;
	if (n < 0 || res.status == FSR_LOOP || (res.status == FSR_DENIED && writes(eff))) {
		intent_signal(x, i, "path-unresolved", path, strlen(path));
		if (n < 0)
			return;
	}
	if (glob) {
		size_t tail = rn - gl;

		if ((size_t)n + 1 + tail >= sizeof fs->out)
			return;
		fs->out[n] = '/';
		memcpy(fs->out + n + 1, raw + gl, tail);
		n += (int)(1 + tail);
		fs->out[n] = '\0';
	}
	rlen = (size_t)n;
	named = fs_as_named(x, fs->out, &rlen);
	if (named == fs->out) {
		if ((rp = arena_strndup(x->a, fs->out, rlen)) == NULL) {
			oomf(x);
			return;
		}
		named = rp;
	}
	if (glob) {
		size_t l2;
		const char *np = norm_path(x, NULL, named, rlen, &l2);

		if (np == NULL)
			return;
		named = np;
		rlen = l2;
	}
	if ((eff == EFF_WRITE || eff == EFF_OVERWRITE) && res.exists && res.regular && res.nlink > 1)
		intent_signal(x, i, "write-hardlink", path, strlen(path));
	if (strcmp(named, path) == 0)
		return;
	rcls = fs_classify(x, named, rlen, glob);
	{
		size_t before = c->ntargets;

		add_target_ex(x, i, named, rcls, eff, (indirect ? TF_INDIRECT : 0) | (glob ? TF_GLOB : 0));
		if (c->ntargets > before) {
			c->targets[c->ntargets - 1].through = path;
		} else {
			bool dup = false;

			for (size_t k = 0; k < c->ntargets && !dup; k++)
				dup = c->targets[k].eff == eff && strcmp(c->targets[k].path, named) == 0;
			if (!dup)
				x->in->unparsed = true; /* no room to record where a link leads: a person decides */
		}
	}
}

/* --- making links: ln, link, cp -s / -l ------------------------------------------------------ */

/* The last component of a word (an arena string). */
static const char *
fs_base(struct intent_ctx *x, const struct rword *r)
{
	size_t n = r->n;
	const char *b;

	while (n > 1 && r->s[n - 1] == '/')
		n--;
	b = memrchr(r->s, '/', n);
	b = b != NULL ? b + 1 : r->s;
	return arena_strndup(x->a, b, n - (size_t)(b - r->s));
}

/* The value of -t / --target-directory, also at the end of a group (-st DIR). */
static const struct rword *
link_target_dir(const struct args *a)
{
	for (size_t k = 0; k < a->nopts; k++) {
		const struct opt *o = &a->opts[k];

		if (o->val == NULL)
			continue;
		if ((o->nlen == 18 && memcmp(o->name, "--target-directory", 18) == 0) ||
		    (o->nlen >= 2 && o->name[0] == '-' && o->name[1] != '-' && o->name[o->nlen - 1] == 't'))
			return o->val;
	}
	return NULL;
}

static bool
link_sensitive(enum pclass c)
{
	return c == PC_SECRET || c == PC_PERSISTENCE || c == PC_AGENT_CONFIG || c == PC_SANDGATE ||
	       c == PC_SYSTEM || c == PC_HOME_DOTFILE || c == PC_HOME_ROOT || c == PC_ROOT || c == PC_DEVICE;
}

/* Judge one link: link (a path as written, relative to the cwd) to target
 * (as written: relative to the link's directory for a symbolic link, to the
 * cwd for a hard link or ln -r). */
static void
link_one(struct an *an, const struct rword *target, const struct rword *link, const char *link_base, bool sym,
    bool from_cwd)
{
	struct walk *w = an->w;
	struct intent_ctx *x = w->x;
	struct fs_state *fs = fs_get(x);
	const char *lpath, *tpath, *treal = NULL, *dir;
	size_t ll, tl, rl = 0;
	enum pclass tc, rc = PC_COUNT;
	struct fsr_result res;
	char *part;
	int n;

	if (fs == NULL || w->cwd == NULL)
		return;
	if (link->unk_at != SIZE_MAX || (link->f & RW_GLOB) ||
	    (lpath = norm_path(x, w->cwd, link->s, link->n, &ll)) == NULL)
		lpath = NULL;
	if (lpath != NULL && link_base != NULL) {
		size_t bl = strlen(link_base);
		char *j = arena_alloc(x->a, ll + bl + 2);

		if (j == NULL)
			return (void)oomf(x);
		memcpy(j, lpath, ll);
		j[ll] = '/';
		memcpy(j + ll + 1, link_base, bl + 1);
		lpath = j;
		ll += bl + 1;
	}
	if (target->unk_at != SIZE_MAX || (target->f & RW_GLOB)) {
		tc = PC_UNKNOWN;
		tpath = arena_strndup(x->a, target->s, target->n);
	} else {
		dir = sym && !from_cwd && lpath != NULL && target->s[0] != '/' ? fs_dir_of(x, lpath) : w->cwd;
		if (dir == NULL)
			dir = "/";
		if ((tpath = norm_path(x, dir, target->s, target->n, &tl)) == NULL)
			return;
		tc = intent_classify(x, tpath, tl);
		/* where it really leads (the target may be a link itself) */
		n = x->env.no_resolve ? -1 : fs_lookup(x, fs, an->ci, tpath, tl, FSR_FOLLOW_LAST, &res);
		if (n > 0 && strcmp(fs->out, tpath) != 0) {
			size_t len = (size_t)n;
			const char *nm = fs_as_named(x, fs->out, &len);

			treal = nm == fs->out ? arena_strndup(x->a, fs->out, len) : nm;
			rl = len;
			if (treal != NULL && strcmp(treal, tpath) != 0)
				rc = intent_classify(x, treal, rl);
			else
				treal = NULL;
		}
	}
	if (tpath == NULL)
		return (void)oomf(x);
	/* later commands of this line write through the new link */
	if (lpath != NULL && tc != PC_UNKNOWN && fs->nvlinks < FS_MAX_VLINKS) {
		fs->vlink[fs->nvlinks].link = lpath;
		fs->vlink[fs->nvlinks].ll = strlen(lpath);
		fs->vlink[fs->nvlinks].target = treal != NULL ? treal : tpath;
		fs->nvlinks++;
	}
	{
		const char *shown = treal != NULL ? treal : tpath;
		size_t pn = strlen(lpath != NULL ? lpath : "?") + strlen(shown) + 8;

		if ((part = arena_alloc(x->a, pn)) == NULL)
			return (void)oomf(x);
		snprintf(part, pn, "%s \xe2\x86\x92 %s", lpath != NULL ? lpath : "?", shown);
	}
	if (link_sensitive(tc) || (rc != PC_COUNT && link_sensitive(rc)))
		intent_signal(x, an->ci, sym ? "link-sensitive" : "hardlink-sensitive", part, strlen(part));
	else if ((tc != PC_WORKSPACE && tc != PC_WORKSPACE_ROOT) ||
	         (rc != PC_COUNT && rc != PC_WORKSPACE && rc != PC_WORKSPACE_ROOT))
		intent_signal(x, an->ci, "link-out", part, strlen(part));
}

/* ln [-s] TARGET... LINK|DIR, ln -t DIR TARGET..., link T L, cp -s / cp -l. */
static void
link_targets(struct an *an)
{
	const struct prog *pg = an->pg;
	const struct args *a = an->a;
	const char *name = pg->name;
	bool sym = false, is_ln = strcmp(name, "ln") == 0, rel = false, into_dir = false, no_dir = false;
	const struct rword *tdir, *dest = NULL;
	size_t first = an->first, np = a->npos, last;

	if (is_ln) {
		sym = has_flag(a, "-s", false) || has_flag(a, "--symbolic", false);
		rel = has_flag(a, "-r", false) || has_flag(a, "--relative", false);
		no_dir = has_flag(a, "-T", false) || has_flag(a, "--no-target-directory", false);
	} else if (strcmp(name, "cp") == 0) {
		sym = has_flag(a, "-s", false) || has_flag(a, "--symbolic-link", false);
		if (!sym && !has_flag(a, "-l", false) && !has_flag(a, "--link", false))
			return;
	} else if (strcmp(name, "link") != 0) {
		return;
	}
	if (np <= first)
		return;
	tdir = link_target_dir(a);
	if (tdir != NULL) {
		dest = tdir;
		into_dir = true;
		last = np;
	} else if (np - first == 1) {
		/* ln -s /etc: a link named etc in the cwd */
		static const struct rword here = { .s = ".", .n = 1, .unk_at = SIZE_MAX };

		dest = &here;
		into_dir = true;
		last = np;
	} else {
		dest = a->pos[np - 1];
		last = np - 1;
		into_dir = !no_dir && (np - first > 2 || (dest->n > 0 && dest->s[dest->n - 1] == '/'));
		if (!into_dir && !no_dir && dest->unk_at == SIZE_MAX && !(dest->f & RW_GLOB) && an->w->cwd != NULL) {
			/* an existing directory gets the link inside it */
			size_t dl;
			const char *dp = norm_path(an->w->x, an->w->cwd, dest->s, dest->n, &dl);
			struct stat st;

			into_dir = dp != NULL && !an->w->x->env.no_resolve && stat(dp, &st) == 0 && S_ISDIR(st.st_mode);
		}
	}
	for (size_t k = first; k < last; k++) {
		const char *base = into_dir ? fs_base(an->w->x, a->pos[k]) : NULL;

		link_one(an, a->pos[k], dest, base, sym, rel);
	}
}

/* Upload options (curl -d @file, wget --post-file): what they send. */
static bool
upload_opts(struct an *an)
{
	static const char *const file_opts[] = { "-T", "--upload-file", "--post-file", "--body-file", "-p", "-u" };
	struct intent_ctx *x = an->w->x;
	const struct args *a = an->a;
	bool up = false;

	if (an->pg == NULL)
		return false;
	for (size_t k = 0; k < a->nopts; k++) {
		const struct opt *o = &a->opts[k];
		const struct rword *v = o->val;
		bool file = false;

		if (!in_list(&an->pg->up, o->name, o->nlen))
			continue;
		up = true;
		if (v == NULL)
			continue;
		for (size_t j = 0; j < sizeof file_opts / sizeof file_opts[0]; j++)
			if (strlen(file_opts[j]) == o->nlen && memcmp(file_opts[j], o->name, o->nlen) == 0)
				file = true;
		{
			const char *at = memchr(v->s, '@', v->n);
			struct rword f = *v;

			if (at != NULL && (at == v->s || at[-1] == '=')) {
				f.s = at + 1;
				f.n = v->n - (size_t)(at + 1 - v->s);
				f.unk_at = v->unk_at == SIZE_MAX ? SIZE_MAX : v->unk_at > (size_t)(at + 1 - v->s) ? v->unk_at - (size_t)(at + 1 - v->s) : 0;
				file = true;
			}
			if (file && word_is(&f, "-")) {
				struct stdin_info si;

				get_stdin_info(x, an->cc->stdin_from, &si);
				if (si.secret) {
					sig(x, an->ci, "exfiltrate");
					intent_add_effect(x, an->ci, EFF_EXFILTRATE);
				}
			} else if (file) {
				add_target(an->w, an->ci, &f, EFF_READ);
			}
		}
	}
	{
		const struct rword *m = opt_value(a, "-X");

		if (m == NULL)
			m = opt_value(a, "--request");
		if (m == NULL)
			m = opt_value(a, "--method");
		if (m != NULL && !word_is(m, "GET") && !word_is(m, "HEAD") && !word_is(m, "OPTIONS"))
			up = true;
	}
	return up;
}

/* Secrets among the command's read targets while it sends data out. */
static void
check_exfil(struct an *an)
{
	struct intent_cmd *c = C(an);

	for (size_t k = 0; k < c->ntargets; k++)
		if (c->targets[k].cls == PC_SECRET && c->targets[k].eff == EFF_READ) {
			sig(an->w->x, an->ci, "exfiltrate");
			intent_add_effect(an->w->x, an->ci, EFF_EXFILTRATE);
			return;
		}
}

static bool
binds_all(const struct rword *r)
{
	return word_is(r, "0.0.0.0") || word_is(r, "::") || word_is(r, "[::]") || word_is(r, "*") ||
	       (r->n > 8 && memcmp(r->s, "0.0.0.0:", 8) == 0) || (r->n > 5 && memcmp(r->s, "[::]:", 5) == 0) ||
	       (r->n > 2 && memcmp(r->s, "*:", 2) == 0);
}

/* Network behaviour: URLs, hosts, downloads, uploads, listening. */
static void
net_analysis(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct args *a = an->a;
	uint64_t cls = an->pg != NULL ? an->pg->classes : 0;
	bool listen = false, all = false, up;

	for (size_t k = 0; k < a->nall; k++)
		if (is_url(a->all[k].s, a->all[k].n))
			intent_add_url(x, an->ci, a->all[k].s, a->all[k].n);
	for (size_t k = 0; k < a->ninl; k++)
		if (is_url(a->inl[k].s, a->inl[k].n))
			intent_add_url(x, an->ci, a->inl[k].s, a->inl[k].n);
	if (an->pg == NULL)
		return;
	if (an->pg->hostfirst && a->npos > 0) {
		const char *h;
		size_t hn;

		if (host_of(a->pos[0]->s, a->pos[0]->n, &h, &hn, true))
			add_host_raw(x, an->ci, h, hn);
	}
	for (size_t k = 0; k < an->pg->listen.n; k++)
		if (has_flag(a, an->pg->listen.v[k], an->pg->long1)) {
			const struct rword *v = opt_value(a, an->pg->listen.v[k]);

			listen = true;
			if (v != NULL && binds_all(v))
				all = true;
		}
	if ((cls & PCL(SERVER)) || listen) {
		for (size_t k = 0; k < a->nopts; k++)
			if (a->opts[k].val != NULL && binds_all(a->opts[k].val))
				all = true;
		for (size_t k = 0; k < a->npos; k++)
			if (binds_all(a->pos[k]))
				all = true;
		if (strcmp(an->pg->name, "http.server") == 0 && opt_value(a, "-b") == NULL &&
		    opt_value(a, "--bind") == NULL)
			all = true;
		intent_add_effect(x, an->ci, EFF_LISTEN);
		sig(x, an->ci, all ? "listen-all" : (cls & PCL(FILESERVER)) ? "prog-fileserver" :
		               (cls & PCL(SERVER)) ? "prog-server" : "listen");
		if (cls & PCL(FILESERVER))
			sig(x, an->ci, "prog-fileserver");
	}
	up = upload_opts(an);
	if (cls & (PCL(NET) | PCL(RAWNET) | PCL(REMOTE) | PCL(TRANSFER) | PCL(MAIL)))
		for (size_t k = 0; k < a->nall; k++)
			if (a->all[k].f & RW_FILEREAD) {
				/* curl -d "$(cat f)", rlogin -l "$(cat f)": a file's contents go out */
				up = true;
				if (a->all[k].f & RW_SECRETREAD) {
					sig(x, an->ci, "exfiltrate");
					intent_add_effect(x, an->ci, EFF_EXFILTRATE);
				}
			}
	/* file:// URLs read local files */
	for (size_t k = 0; k < a->nall; k++)
		if (a->all[k].n > 7 && strncasecmp(a->all[k].s, "file://", 7) == 0) {
			struct rword f = a->all[k];

			f.s += 7;
			f.n -= 7;
			f.unk_at = f.unk_at == SIZE_MAX ? SIZE_MAX : f.unk_at > 7 ? f.unk_at - 7 : 0;
			add_target(an->w, an->ci, &f, EFF_READ);
		}
	if (cls & PCL(DOWNLOAD)) {
		if (up) {
			intent_add_effect(x, an->ci, EFF_UPLOAD);
			sig(x, an->ci, "upload");
			check_exfil(an);
		} else if (C(an)->nhosts > 0 || a->npos > 0) {
			intent_add_effect(x, an->ci, EFF_DOWNLOAD);
			sig(x, an->ci, "download");
		}
	} else if (up) {
		intent_add_effect(x, an->ci, EFF_UPLOAD);
		sig(x, an->ci, "upload");
		check_exfil(an);
	} else if ((cls & PCL(NET)) && !(cls & (PCL(SYSINFO) | PCL(VCS) | PCL(RAWNET) | PCL(REMOTE) | PCL(TRANSFER))) &&
	           C(an)->nhosts > 0) {
		intent_add_effect(x, an->ci, EFF_NETWORK);
		sig(x, an->ci, "network");
	}
}

/* Programs whose arguments are data, not commands: a shell path among
 * them is not a shell escape. */
#define DATA_ARGS                                                                                   \
	(PCL(READONLY) | PCL(META) | PCL(PRINT) | PCL(BUILTIN) | PCL(VCS) | PCL(SHELL) | PCL(DB) |      \
	    PCL(CD) | PCL(SOURCE) | PCL(EVAL) | PCL(TRAP) | PCL(INTERP) | PCL(SYSINFO))

/* Does a chmod mode add execute permission? */
static bool
makes_exec(const struct rword *m)
{
	if (m->n > 0 && isdigit((unsigned char)m->s[0])) {
		for (size_t k = m->n >= 3 ? m->n - 3 : 0; k < m->n; k++)
			if ((m->s[k] - '0') & 1)
				return true;
		return false;
	}
	return memchr(m->s, 'x', m->n) != NULL && (memchr(m->s, '+', m->n) != NULL || memchr(m->s, '=', m->n) != NULL);
}

/* Does a chmod mode give every user read or write access? */
static bool
opens_to_all(const struct rword *m)
{
	if (m->n > 0 && isdigit((unsigned char)m->s[0]))
		return (m->s[m->n - 1] - '0') & 6;
	for (size_t k = 0; k + 1 < m->n; k++)
		if ((m->s[k] == 'o' || m->s[k] == 'a' || (m->s[k] == '+' && k == 0)) &&
		    memchr(m->s + k, '+', m->n - k) != NULL &&
		    (memchr(m->s + k, 'r', m->n - k) != NULL || memchr(m->s + k, 'w', m->n - k) != NULL))
			return true;
	return false;
}

/* Is r a file this command line made executable? */
static bool
is_exec_file(struct an *an, const struct rword *r)
{
	struct intent_ctx *x = an->w->x;
	const char *p;
	size_t len;

	if (x->nexecs == 0 || r->n == 0 || r->unk_at == 0)
		return false;
	p = norm_path(x, an->w->cwd, r->s, r->n, &len);
	for (size_t k = 0; p != NULL && k < x->nexecs; k++)
		if (strcmp(x->execs[k], p) == 0)
			return true;
	return false;
}

/* Shell paths, libraries and @files among the arguments. */
static void
arg_scan(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct args *a = an->a;
	uint64_t cls = an->pg != NULL ? an->pg->classes : 0;
	bool shell = false, priv = false;

	for (size_t k = 0; k < a->nall; k++) {
		const struct rword *r = &a->all[k];

		if (!(cls & DATA_ARGS)) {
			uint32_t m = code_signals(x, r->s, r->n, LANG_CODE);

			if (m & (1u << CS_PRIVSHELL))
				priv = true;
			if ((m & (1u << CS_SHELL)) || (r->f & RW_SHELLVAR))
				shell = true;
		}
		if (!(cls & (PCL(BUILD) | PCL(TEST) | PCL(READONLY) | PCL(META) | PCL(PRINT) | PCL(FILEOPS) |
		              PCL(DELETE) | PCL(ARCHIVE) | PCL(PKG) | PCL(VCS))) &&
		    r->n > 3 && (memcmp(r->s + r->n - 3, ".so", 3) == 0 || memmem(r->s, r->n, ".so.", 4) != NULL)) {
			sig(x, an->ci, "so-arg");
			intent_add_effect(x, an->ci, EFF_EXEC);
		}
		if (!(cls & (PCL(PKG) | PCL(VCS) | PCL(CONTAINER) | PCL(CLOUD) | PCL(NET) | PCL(DB) | PCL(PRINT) |
		              PCL(BUILTIN) | PCL(DOWNLOAD))) &&
		    r->n > 1 && r->s[0] == '@' && r->s[1] != '{' && !(r->f & RW_QUOTED && r->w && r->w->raw[0] != '@')) {
			struct rword f = *r;

			f.s++;
			f.n--;
			if (f.unk_at != SIZE_MAX && f.unk_at > 0)
				f.unk_at--;
			sig(x, an->ci, "response-file");
			add_target(an->w, an->ci, &f, EFF_READ);
		}
	}
	if (x->nexecs > 0 && !(cls & (PCL(SHELL) | PCL(INTERP) | PCL(READONLY) | PCL(META) | PCL(PRINT) |
	                                 PCL(PERM) | PCL(FILEOPS) | PCL(DELETE) | PCL(BUILTIN)))) {
		bool hit = false;

		for (size_t k = 0; k < a->nall && !hit; k++)
			hit = is_exec_file(an, &a->all[k]);
		for (size_t k = 0; k < a->ninl && !hit; k++)
			hit = is_exec_file(an, &a->inl[k]);
		if (hit) {
			sig(x, an->ci, "exec-file-arg");
			intent_add_effect(x, an->ci, EFF_EXEC);
		}
	}
	if (priv) {
		sig(x, an->ci, "shell-priv");
		intent_add_effect(x, an->ci, EFF_PRIVILEGE);
	}
	if (shell || priv) {
		sig(x, an->ci, (cls & PCL(RAWNET)) ? "reverse-shell" : "shell-arg");
		intent_add_effect(x, an->ci, EFF_SHELL);
	}
}

/* echo, printf, cat <<EOF: what they print. */
static void
h_print(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	struct intent_cmd *c = C(an);
	const char *name = an->pg->name;
	bool decode = false;

	if (strcmp(name, "cat") == 0) {
		if (an->a->npos == 0 && an->cc->stdin_text != NULL) {
			c->content = an->cc->stdin_text;
			c->contentlen = an->cc->stdin_len;
		}
	} else if (strcmp(name, "echo") == 0 || strcmp(name, "printf") == 0) {
		size_t len = 0, o = 0;
		char *s;
		size_t k = 0;

		if (strcmp(name, "echo") == 0) {
			while (k < an->n && an->rw[k].n >= 2 && an->rw[k].s[0] == '-' &&
			       strspn(an->rw[k].s + 1, "neE") == an->rw[k].n - 1) {
				if (memchr(an->rw[k].s, 'e', an->rw[k].n) != NULL)
					decode = true;
				k++;
			}
		} else {
			decode = true;
		}
		for (size_t j = k; j < an->n; j++)
			len += an->rw[j].n + 1;
		if ((s = arena_alloc(x->a, len + 1)) == NULL) {
			oomf(x);
			return;
		}
		for (size_t j = k; j < an->n; j++) {
			if (j > k)
				s[o++] = ' ';
			memcpy(s + o, an->rw[j].s, an->rw[j].n);
			o += an->rw[j].n;
			if (an->rw[j].f & RW_SECRETVAR) {
				sig(x, an->ci, "env-read");
				intent_add_effect(x, an->ci, EFF_ENV_READ);
			}
		}
		s[o] = '\0';
		c->content = s;
		c->contentlen = o;
		/* \x41 or \101 escapes in what is printed hide its text */
		if (decode && (memmem(s, o, "\\x", 2) != NULL || memmem(s, o, "\\0", 2) != NULL ||
		                  memmem(s, o, "\\u", 2) != NULL))
			intent_add_effect(x, an->ci, EFF_DECODE);
	}
	if (c->content != NULL && an->cc->stdout_file)
		intent_code(x, an->ci, c->content, c->contentlen, LANG_CODE, true);
}

/* Privilege from sudo-like wrappers, judged by what runs. */
static void
privilege(struct an *an, const char *user)
{
	struct intent_ctx *x = an->w->x;
	uint64_t cls = an->pg != NULL ? an->pg->classes : 0;

	intent_add_effect(x, an->ci, EFF_PRIVILEGE);
	if (user != NULL && strcmp(user, "root") != 0 && strcmp(user, "0") != 0)
		sig(x, an->ci, "priv-user");
	else if ((cls & (PCL(ADMIN) | PCL(POWER))) && !(cls & (PCL(SHELL) | PCL(INTERP))))
		sig(x, an->ci, "priv-routine");
	else
		sig(x, an->ci, "priv-root");
}

static void
class_signals(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	uint64_t cls = an->pg->classes;
	const struct args *a = an->a;

	if (cls & PCL(SNIFFER)) {
		sig(x, an->ci, "prog-sniffer");
		intent_add_effect(x, an->ci, EFF_NETWORK);
	}
	if (cls & PCL(ACCOUNT)) {
		sig(x, an->ci, "prog-account");
		intent_add_effect(x, an->ci, EFF_PRIVILEGE);
	}
	if (cls & PCL(DISK))
		sig(x, an->ci, "prog-disk");
	if ((cls & PCL(REMOTE)) && an->pg->handler != H_SSH) {
		sig(x, an->ci, "prog-remote");
		intent_add_effect(x, an->ci, EFF_REMOTE_EXEC);
	}
	if ((cls & PCL(TRANSFER)) && an->pg->handler != H_REMOTE_COPY && !an->pg->sub) {
		sig(x, an->ci, "prog-transfer");
		intent_add_effect(x, an->ci, EFF_UPLOAD);
		intent_add_effect(x, an->ci, EFF_DOWNLOAD);
	}
	if (cls & PCL(RAWNET)) {
		sig(x, an->ci, "prog-rawnet");
		intent_add_effect(x, an->ci, EFF_NETWORK);
		if (an->cc->has_stdin_file) {
			sig(x, an->ci, "upload-stdin");
			intent_add_effect(x, an->ci, EFF_UPLOAD);
			add_target(an->w, an->ci, &an->cc->stdin_file, EFF_READ);
			check_exfil(an);
		}
	}
	if (cls & (PCL(RAWNET) | PCL(REMOTE) | PCL(TRANSFER) | PCL(MAIL) | PCL(DOWNLOAD))) {
		struct stdin_info si;

		get_stdin_info(x, an->cc->stdin_from, &si);
		if (an->cc->stdin_from >= 0 && si.secret) {
			sig(x, an->ci, "exfiltrate");
			intent_add_effect(x, an->ci, EFF_EXFILTRATE);
		}
	}
	if ((cls & (PCL(REMOTE) | PCL(MAIL) | PCL(NET))) && !(cls & PCL(RAWNET)) && an->cc->has_stdin_file &&
	    !(cls & PCL(SYSINFO))) {
		sig(x, an->ci, "upload-stdin");
		intent_add_effect(x, an->ci, EFF_UPLOAD);
		add_target(an->w, an->ci, &an->cc->stdin_file, EFF_READ);
		check_exfil(an);
	}
	if (cls & PCL(ENVDUMP)) {
		bool secret = a->npos == 0;

		/* printenv NAME prints one variable: only a secret-looking one counts */
		for (size_t k = 0; k < a->npos; k++)
			if (secret_var_name(a->pos[k]->s, a->pos[k]->n))
				secret = true;
		if (strcmp(an->pg->name, "set") == 0 && a->nall > 0)
			secret = false;
		if (secret) {
			sig(x, an->ci, "env-read");
			intent_add_effect(x, an->ci, EFF_ENV_READ);
		}
	}
	if ((cls & PCL(DEBUGGER)) && (opt_value(a, "-p") != NULL || opt_value(a, "--pid") != NULL ||
	                                 opt_value(a, "--attach-pid") != NULL))
		sig(x, an->ci, "prog-debugger-attach");
	if (cls & PCL(DB)) {
		for (size_t k = 0; k < a->nall; k++)
			intent_code(x, an->ci, a->all[k].s, a->all[k].n, LANG_SQL, false);
		for (size_t k = 0; k < a->ninl; k++)
			intent_code(x, an->ci, a->inl[k].s, a->inl[k].n, LANG_SQL, false);
		code_from_stdin(an, LANG_SQL, NULL);
	}
}

/* Inline code in options (-e CODE) and in the first argument (awk-like). */
static void
inline_code(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct prog *pg = an->pg;
	const struct args *a = an->a;
	enum code_lang lang = pg->lang == LANG_SED ? LANG_CODE : pg->lang;

	for (size_t k = 0; k < a->nopts; k++) {
		const struct opt *o = &a->opts[k];

		if (o->val == NULL || !in_list(&pg->code, o->name, o->nlen))
			continue;
		an->code_given = true;
		sig(x, an->ci, "inline-code");
		intent_code(x, an->ci, o->val->s, o->val->n, lang, false);
	}
	/* "deno eval CODE", "bun -e" */
	if (pg->sub && an->first > 0 && an->first <= a->npos && C(an)->sub != NULL &&
	    in_list(&pg->code, C(an)->sub, strlen(C(an)->sub)) && an->first < a->npos) {
		an->code_given = true;
		sig(x, an->ci, "inline-code");
		intent_code(x, an->ci, a->pos[an->first]->s, a->pos[an->first]->n, lang, false);
	}
	if (pg->code1 && pg->handler != H_AWK && a->npos > 0) {
		an->code_given = true;
		intent_code(x, an->ci, a->pos[0]->s, a->pos[0]->n, lang, false);
	}
}

/* Program names that hide what runs. */
static void
name_signals(struct intent_ctx *x, int ci, const struct rword *r)
{
	if (r->f & RW_ANSI)
		intent_signal(x, ci, "obf-ansi-cmd", r->s, r->n);
	if (r->f & RW_BRACE)
		intent_signal(x, ci, "obf-brace", r->s, r->n);
	if (r->f & (RW_SUBST | RW_UNKNOWN | RW_PARAM))
		intent_signal(x, ci, "obf-cmd-var", r->s, r->n);
	else if (r->w != NULL && (r->f & (RW_QUOTED | RW_ESCAPED)) && memchr(r->s, '/', r->n) == NULL &&
	         !(r->w->rawlen == r->n + 2 && (r->w->raw[0] == '"' || r->w->raw[0] == '\'')))
		intent_signal(x, ci, "obf-quote-cmd", r->s, r->n);
}

static size_t
join_via(char *buf, size_t cap, size_t len, const char *name)
{
	size_t nl = strlen(name);

	if (len + nl + 2 > cap)
		return len;
	if (len > 0)
		buf[len++] = ' ';
	memcpy(buf + len, name, nl);
	len += nl;
	buf[len] = '\0';
	return len;
}

static const char *const env_split_v[] = { "-S", "--split-string" };
static const struct strlist env_split = { (const char **)env_split_v, 2 };

static int
analyze_words(struct walk *w, struct rword *rw, size_t n, struct cmdctx *cc)
{
	struct intent_ctx *x = w->x;
	struct walk lw = *w;
	struct args *a;
	struct an an = { 0 };
	char via[256], name[256];
	size_t vialen = 0, k = 0, bl;
	const char *priv_user = NULL, *b;
	bool priv_here = false, script_path = false;
	const struct prog *pg;
	struct intent_cmd *c;
	int ci;

	via[0] = '\0';
	if (w->via != NULL)
		vialen = join_via(via, sizeof via, 0, w->via);
	ci = new_cmd(w, cc->text, cc->textlen, cc->stdin_from);
	if (ci < 0)
		return -1;
	x->cwd_now = w->cwd;
	apply_redirs(w, ci, cc, cc->rtargets, cc->rops, cc->nr);
	for (size_t j = 0; j < cc->nassigns; j++)
		env_assignment(w, ci, &cc->assigns[j]);
	/* The program word may hold a whole command: 'rm -rf /' quoted. */
	if (n > 0 && (rw[0].f & RW_QUOTED) && !(rw[0].f & RW_UNKNOWN) && memchr(rw[0].s, ' ', rw[0].n) != NULL &&
	    rw[0].n < 4096) {
		struct rvec v = { 0 };
		const char *p = rw[0].s, *e = rw[0].s + rw[0].n;

		while (p < e) {
			struct rword r = rw[0];

			while (p < e && isspace((unsigned char)*p))
				p++;
			if (p >= e)
				break;
			r.s = p;
			while (p < e && !isspace((unsigned char)*p))
				p++;
			r.n = (size_t)(p - r.s);
			r.w = NULL;
			if (!rvec_push(x, &v, &r))
				return -1;
		}
		for (size_t j = 1; j < n; j++)
			if (!rvec_push(x, &v, &rw[j]))
				return -1;
		rw = v.v;
		n = v.n;
	}
	/* Wrappers: sudo, env, timeout, xargs, ... */
	for (int iter = 0; k < n && iter < 16; iter++) {
		const struct rword *r = &rw[k];
		const struct wrapper *wr;
		size_t j, nl;
		bool nocmd = false, shell_opt = false;
		const struct rword *script = NULL;
		int skipped;

		b = base_name(r->s, r->n, &bl);
		if (bl == 0 || bl >= sizeof name)
			break;
		memcpy(name, b, bl);
		name[bl] = '\0';
		wr = tables_wrapper(x->t, name);
		if (wr == NULL)
			break;
		if (memchr(r->s, '/', r->n) != NULL) {
			if (r->n > 2 && r->s[0] == '.' && r->s[1] == '/' && memchr(r->s + 2, '/', r->n - 2) == NULL) {
				sig(x, ci, "suid-copy");
				intent_add_effect(x, ci, EFF_PRIVILEGE);
			} else if (!std_bin_dir(r->s, r->n)) {
				break;
			}
		}
		if (wr->sub != NULL) {
			if (k + 1 >= n || !word_is(&rw[k + 1], wr->sub))
				break;
			k++;
		}
		name_signals(x, ci, r);
		skipped = 0;
		for (j = k + 1; j < n; j++) {
			const struct rword *o = &rw[j];
			const char *eq;

			if (word_is(o, "--")) {
				j++;
				break;
			}
			if (wr->kind == WK_ENV && (eq = memchr(o->s, '=', o->n)) != NULL && eq > o->s &&
			    sh_is_name(o->s, (size_t)(eq - o->s))) {
				env_assignment(w, ci, o);
				continue;
			}
			if (o->n < 2 || o->s[0] != '-') {
				/* positional arguments of the wrapper itself (timeout 5,
				 * flock FILE); options may follow them */
				if (!wr->args_none && skipped < wr->skip) {
					skipped++;
					continue;
				}
				break;
			}
			eq = memchr(o->s, '=', o->n);
			nl = eq != NULL ? (size_t)(eq - o->s) : o->n;
			if (in_list(&wr->nocmd, o->s, nl))
				nocmd = true;
			if (in_list(&wr->shell, o->s, nl))
				shell_opt = true;
			if (in_list(&wr->script, o->s, nl) || (wr->kind == WK_ENV && in_list(&env_split, o->s, nl))) {
				script = eq != NULL ? NULL : (j + 1 < n ? &rw[j + 1] : NULL);
				if (eq != NULL) {
					struct rword *tmp = arena_alloc(x->a, sizeof *tmp);

					if (tmp == NULL)
						return oomf(x), -1;
					*tmp = *o;
					tmp->s = eq + 1;
					tmp->n = o->n - nl - 1;
					script = tmp;
				}
			}
			if (in_list(&wr->user, o->s, nl))
				priv_user = eq != NULL ? eq + 1 : (j + 1 < n ? rw[j + 1].s : NULL);
			if (eq == NULL && (in_list(&wr->v, o->s, nl) || in_list(&wr->script, o->s, nl)))
				j++;
		}
		if (wr->args_none) {
			while (j < n && !(rw[j].n > 1 && rw[j].s[0] == '-')) {
				if (wr->kind == WK_PRIV && priv_user == NULL)
					priv_user = rw[j].s;
				if (wr->files_write) /* script -c CMD FILE: the typescript */
					add_target(w, ci, &rw[j], EFF_WRITE);
				j++;
			}
			/* su USER -c CMD: options may follow the user */
			for (; j < n; j++) {
				const struct rword *o = &rw[j];

				if (in_list(&wr->script, o->s, o->n) && j + 1 < n)
					script = &rw[++j];
			}
		}
		vialen = join_via(via, sizeof via, vialen, name);
		if (wr->kind == WK_PRIV) {
			lw.priv = true;
			priv_here = true;
		}
		if (nocmd) {
			k = j; /* command -v X, sudo -l: nothing runs */
			c = cmd_at(x, ci);
			c->program = xdup(x, name, bl);
			c->known = true;
			c->via = vialen > 0 ? xdup(x, via, vialen) : NULL;
			return ci;
		}
		if (script != NULL || wr->kind == WK_JOINED || j >= n || (shell_opt && j >= n)) {
			c = cmd_at(x, ci);
			c->program = xdup(x, name, bl);
			c->known = true;
			lw.via = vialen > 0 ? xdup(x, via, vialen) : NULL;
			c->via = w->via;
			c->privileged = lw.priv;
			if (script != NULL) {
				nested_script(&lw, ci, script->s, script->n, name, NULL);
				if (priv_here)
					sig(x, ci, priv_user != NULL && strcmp(priv_user, "root") != 0 ? "priv-user" : "priv-root");
			} else if (wr->kind == WK_JOINED && j < n) {
				size_t len = 0, o = 0;
				char *s;

				for (size_t q = j; q < n; q++)
					len += rw[q].n + 1;
				if ((s = arena_alloc(x->a, len + 1)) == NULL)
					return oomf(x), -1;
				for (size_t q = j; q < n; q++) {
					memcpy(s + o, rw[q].s, rw[q].n);
					o += rw[q].n;
					s[o++] = ' ';
				}
				nested_script(&lw, ci, s, o - 1, name, NULL);
			} else if (wr->kind == WK_ENV) {
				sig(x, ci, "env-read");
				intent_add_effect(x, ci, EFF_ENV_READ);
			} else if (wr->noargs_shell || shell_opt) {
				sig(x, ci, priv_here ? "priv-shell" : "shell-interactive");
				intent_add_effect(x, ci, EFF_SHELL);
				if (priv_here)
					intent_add_effect(x, ci, EFF_PRIVILEGE);
			} else if (wr->kind == WK_XARGS) {
				c->program = "xargs";
			}
			if (priv_here)
				intent_add_effect(x, ci, EFF_PRIVILEGE);
			goto done;
		}
		if (wr->kind == WK_XARGS) {
			const struct intent_cmd *src = cmd_at(x, cc->stdin_from);

			cc->xargs_cls = PC_UNKNOWN;
			if (src != NULL && src->ntargets > 0) {
				enum pclass sc = src->targets[0].cls;

				cc->xargs_cls = sc == PC_WORKSPACE_ROOT ? PC_WORKSPACE : sc == PC_HOME_ROOT ? PC_HOME :
				                sc == PC_ROOT ? PC_SYSTEM : sc;
				/* find DIR | xargs rm: the paths are DIR and what is below it */
				if (src->ntargets == 1 && src->targets[0].eff == EFF_LIST && !src->targets[0].glob &&
				    !src->targets[0].unknown && src->targets[0].path[0] == '/')
					cc->xargs_dir = src->targets[0].path;
			}
			lw.context = "xargs";
		}
		k = j;
	}
	lw.via = vialen > 0 ? xdup(x, via, vialen) : NULL;
	c = cmd_at(x, ci);
	c->via = lw.via;
	c->privileged = lw.priv;
	c->context = lw.context;
	if (k >= n)
		goto done;
	/* The program. */
	{
		const struct rword *r = &rw[k];

		name_signals(x, ci, r);
		if ((r->f & RW_UNKNOWN) && (r->f & RW_SHELLVAR) && r->n == 6) {
			memcpy(name, "sh", 3);
			bl = 2;
		} else {
			b = base_name(r->s, r->n, &bl);
			if (bl == 0 || bl >= sizeof name) {
				b = r->s;
				bl = r->n < sizeof name - 1 ? r->n : sizeof name - 1;
			}
			memcpy(name, b, bl);
			name[bl] = '\0';
		}
		c->argv0 = xdup(x, r->s, r->n);
		c->program = xdup(x, name, bl);
		if (r->n > 1 && r->s[0] == '!') {
			sig(x, ci, "bang-escape");
			intent_add_effect(x, ci, EFF_SHELL);
			goto done;
		}
		pg = tables_prog(x->t, name);
		if (memchr(r->s, '/', r->n) != NULL && !(r->f & RW_UNKNOWN)) {
			if (r->n > 2 && r->s[0] == '.' && r->s[1] == '/' && memchr(r->s + 2, '/', r->n - 2) == NULL &&
			    (pg != NULL || tables_wrapper(x->t, name) != NULL)) {
				sig(x, ci, pg != NULL && (pg->classes & (PCL(INTERP) | PCL(BUILD) | PCL(TEST))) ?
				               "suid-copy-interp" : "suid-copy");
				intent_add_effect(x, ci, EFF_PRIVILEGE);
			} else if (!std_bin_dir(r->s, r->n)) {
				script_path = true;
				add_target(w, ci, r, EFF_RUN);
			}
		}
	}
	c = cmd_at(x, ci);
	c->known = pg != NULL || is_function(x, c->program);
	c->classes = pg != NULL ? pg->classes : 0;
	if (w->func != NULL && strcmp(c->program, w->func) == 0 && (cc->in_pipe || cc->bg)) {
		sig(x, ci, "fork-bomb");
		intent_add_effect(x, ci, EFF_KILL);
	}
	if ((a = arena_zalloc(x->tmp, sizeof *a)) == NULL ||
	    (a->pos = arena_alloc(x->tmp, (n - k) * sizeof *a->pos)) == NULL ||
	    (a->opts = arena_alloc(x->tmp, (n - k) * sizeof *a->opts)) == NULL ||
	    (a->inl = arena_alloc(x->tmp, (n - k) * sizeof *a->inl)) == NULL)
		return oomf(x), -1;
	split_args(pg, rw + k + 1, n - k - 1, a);
	an = (struct an){ .w = w, .lw = &lw, .ci = ci, .pg = pg, .a = a, .cc = cc, .rw = rw + k + 1,
		.n = n - k - 1 };
	if (pg != NULL && pg->sub && a->npos > 0) {
		c->sub = xdup(x, a->pos[0]->s, a->pos[0]->n);
		an.first = 1;
	}
	if (a->nopts > 0) {
		c->flags = arena_alloc(x->a, a->nopts * sizeof *c->flags);
		if (c->flags == NULL)
			return oomf(x), -1;
		for (size_t j = 0; j < a->nopts && j < 32; j++)
			if ((c->flags[c->nflags] = xdup(x, a->opts[j].name, a->opts[j].nlen)) != NULL)
				c->nflags++;
	}
	if (!apply_cmdrules(x, ci, pg != NULL || script_path || c->known ? c->program : "*", c->sub, a, an.first,
	        pg != NULL && pg->long1) &&
	    pg == NULL && !script_path && !c->known && tables_wrapper(x->t, c->program) == NULL) {
		sig(x, ci, "prog-unknown");
		apply_cmdrules(x, ci, "*", NULL, a, 0, false);
	}
	if (priv_here)
		privilege(&an, priv_user);
	/* Builtins that change the walk. */
	if (pg != NULL && (pg->classes & PCL(CD))) {
		if (a->npos == 0)
			w->cwd = x->env.home;
		else if (!(a->pos[0]->f & RW_UNKNOWN) && !word_is(a->pos[0], "-")) {
			size_t len;

			w->cwd = norm_path(x, w->cwd, a->pos[0]->s, a->pos[0]->n, &len);
		} else {
			w->cwd = NULL;
		}
	} else if (pg != NULL && (strcmp(pg->name, "export") == 0 || strcmp(pg->name, "declare") == 0 ||
	                             strcmp(pg->name, "typeset") == 0 || strcmp(pg->name, "local") == 0 ||
	                             strcmp(pg->name, "readonly") == 0)) {
		for (size_t j = 0; j < a->npos; j++) {
			const char *eq = memchr(a->pos[j]->s, '=', a->pos[j]->n);

			if (eq == NULL || !sh_is_name(a->pos[j]->s, (size_t)(eq - a->pos[j]->s)))
				continue;
			var_set(x, a->pos[j]->s, (size_t)(eq - a->pos[j]->s), eq + 1,
			    a->pos[j]->n - (size_t)(eq + 1 - a->pos[j]->s), a->pos[j]->f);
			if (!(eq - a->pos[j]->s == 4 && memcmp(a->pos[j]->s, "PATH", 4) == 0))
				env_assignment(w, ci, a->pos[j]);
		}
	} else if (pg != NULL && strcmp(pg->name, "alias") == 0) {
		for (size_t j = 0; j < a->npos; j++) {
			const char *eq = memchr(a->pos[j]->s, '=', a->pos[j]->n);

			if (eq != NULL && eq + 1 < a->pos[j]->s + a->pos[j]->n)
				nested_script(&lw, ci, eq + 1, a->pos[j]->n - (size_t)(eq + 1 - a->pos[j]->s), "alias", NULL);
		}
	} else if (pg != NULL && (pg->classes & PCL(EVAL))) {
		size_t len = 0, o = 0;
		char *s;
		bool unk = false;

		for (size_t j = 0; j < an.n; j++) {
			len += an.rw[j].n + 1;
			if (an.rw[j].f & (RW_UNKNOWN | RW_PARAM))
				unk = true;
		}
		if ((s = arena_alloc(x->a, len + 1)) == NULL)
			return oomf(x), -1;
		for (size_t j = 0; j < an.n; j++) {
			memcpy(s + o, an.rw[j].s, an.rw[j].n);
			o += an.rw[j].n;
			s[o++] = ' ';
		}
		sig(x, ci, unk ? "obf-eval" : "eval");
		for (size_t j = 0; j < an.n; j++)
			if (an.rw[j].f & RW_DL) {
				sig(x, ci, "download-exec");
				intent_add_effect(x, ci, EFF_DOWNLOAD_EXEC);
			}
		if (o > 0)
			nested_script(&lw, ci, s, o - 1, "eval", NULL);
	} else if (pg != NULL && (pg->classes & PCL(SOURCE))) {
		if (a->npos > 0) {
			if ((a->pos[0]->f & RW_PROC) && (a->pos[0]->f & RW_DL)) {
				sig(x, ci, "download-exec");
				intent_add_effect(x, ci, EFF_DOWNLOAD_EXEC);
			} else {
				sig(x, ci, "source-file");
				add_target(w, ci, a->pos[0], EFF_RUN);
			}
		}
	} else if (pg != NULL && (pg->classes & PCL(TRAP))) {
		if (a->npos > 1) {
			sig(x, ci, "trap-exec");
			nested_script(&lw, ci, a->pos[0]->s, a->pos[0]->n, "trap", NULL);
		}
	}
	if (pg != NULL) {
		spec_targets(&an);
		archive_targets(&an);
		link_targets(&an);
		if (strcmp(pg->name, "chmod") == 0 && a->npos > 1 && makes_exec(a->pos[0]))
			for (size_t j = 0; j < cmd_at(x, ci)->ntargets && x->nexecs < DL_MAX; j++)
				x->execs[x->nexecs++] = cmd_at(x, ci)->targets[j].path;
		if (strcmp(pg->name, "chmod") == 0 && a->npos > 1 && opens_to_all(a->pos[0]))
			for (size_t j = 0; j < cmd_at(x, ci)->ntargets; j++) {
				enum pclass tc = cmd_at(x, ci)->targets[j].cls;

				if (tc == PC_SECRET || tc == PC_SYSTEM || tc == PC_PERSISTENCE || tc == PC_SANDGATE ||
				    tc == PC_AGENT_CONFIG) {
					sig(x, ci, "chmod-open-protected");
					break;
				}
			}
		inline_code(&an);
		switch (pg->handler) {
		case H_SHELL: h_shell(&an); break;
		case H_INTERP: h_interp(&an); break;
		case H_AWK: h_awk(&an); break;
		case H_FIND: h_find(&an); break;
		case H_SED: h_sed(&an); break;
		case H_TAR: h_tar(&an); break;
		case H_SSH: h_ssh(&an); break;
		case H_REMOTE_COPY: h_remote_copy(&an); break;
		case H_PATCH: h_patch(&an); break;
		case H_NONE: break;
		}
		if (pg->classes & PCL(PRINT) || strcmp(pg->name, "cat") == 0)
			h_print(&an);
		class_signals(&an);
		if ((pg->classes & PCL(INTERACTIVE)) && !an.code_given && a->nopts == 0 &&
		    (a->npos == 0 || (pg->classes & (PCL(EDITOR) | PCL(PAGER) | PCL(TRANSFER) | PCL(REMOTE)))) &&
		    cc->stdin_from < 0 && cc->stdin_text == NULL && !cc->has_stdin_file) {
			c = cmd_at(x, ci);
			c->interactive = true;
			sig(x, ci, "prog-interactive");
		}
	} else if (!script_path) {
		/* Unknown program: path-like arguments are what it works on. */
		for (size_t j = 0; j < a->npos; j++) {
			const struct rword *p = a->pos[j];

			if (p->n > 0 && (memchr(p->s, '/', p->n) != NULL || p->s[0] == '~' ||
			                    (p->s[0] == '.' && p->n > 1)))
				add_target(w, ci, p, EFF_USE);
		}
		for (size_t j = 0; j < a->nopts; j++) {
			const struct opt *o = &a->opts[j];

			if (o->val != NULL && ((o->nlen == 2 && memcmp(o->name, "-o", 2) == 0) ||
			                          (o->nlen == 8 && memcmp(o->name, "--output", 8) == 0) ||
			                          (o->nlen == 5 && memcmp(o->name, "--out", 5) == 0)))
				add_target(w, ci, o->val, EFF_WRITE);
		}
	}
	net_analysis(&an);
	arg_scan(&an);
done:
	return ci;
}

/* --- walking the tree ------------------------------------------------------------------------ */

static int analyze_simple_in(struct walk *w, const struct sh_node *nd, int stdin_from, bool in_pipe, bool bg);

/* Analyse one simple command; its working arrays go back to tmp after. */
static int
analyze_simple(struct walk *w, const struct sh_node *nd, int stdin_from, bool in_pipe, bool bg)
{
	struct arena_mark m = arena_mark(w->x->tmp);
	int ci = analyze_simple_in(w, nd, stdin_from, in_pipe, bg);

	arena_release(w->x->tmp, m);
	return ci;
}

static int
analyze_simple_in(struct walk *w, const struct sh_node *nd, int stdin_from, bool in_pipe, bool bg)
{
	struct intent_ctx *x = w->x;
	struct cmdctx cc = { .text = nd->src, .textlen = nd->srclen, .stdin_from = stdin_from,
		.in_pipe = in_pipe, .bg = bg, .xargs_cls = PC_COUNT };
	struct rvec words = { 0 }, assigns = { 0 }, rt = { 0 };
	enum sh_redir_op *ops = NULL;
	int ci = -1;

	for (size_t k = 0; k < nd->nassigns; k++) {
		size_t before = assigns.n;

		resolve_word(w, &nd->assigns[k], &assigns);
		/* assignments are not split: glue the pieces back */
		if (assigns.n > before + 1) {
			struct rword r = assigns.v[before];
			size_t len = 0, o = 0;
			char *s;

			for (size_t j = before; j < assigns.n; j++)
				len += assigns.v[j].n + 1;
			if ((s = arena_alloc(x->a, len + 1)) == NULL)
				return oomf(x), -1;
			for (size_t j = before; j < assigns.n; j++) {
				if (j > before)
					s[o++] = ' ';
				memcpy(s + o, assigns.v[j].s, assigns.v[j].n);
				o += assigns.v[j].n;
				r.f |= assigns.v[j].f;
			}
			s[o] = '\0';
			r.s = s;
			r.n = o;
			assigns.v[before] = r;
			assigns.n = before + 1;
		}
	}
	for (size_t k = 0; k < nd->nwords; k++)
		resolve_word(w, &nd->words[k], &words);
	if (nd->nredirs > 0 && (ops = arena_alloc(x->tmp, nd->nredirs * sizeof *ops)) == NULL)
		return oomf(x), -1;
	for (size_t k = 0; k < nd->nredirs; k++) {
		const struct sh_redir *r = nd->redirs[k];
		struct rvec one = { 0 };

		if (r->op == SH_R_HEREDOC) {
			resolve_word(w, &r->body, &one);
			if (one.n > 0) {
				/* Unsplit: rebuild the body text from the word. */
				size_t len = 0, o = 0;
				char *s;

				for (size_t j = 0; j < one.n; j++)
					len += one.v[j].n + 1;
				if ((s = arena_alloc(x->a, len + 1)) == NULL)
					return oomf(x), -1;
				for (size_t j = 0; j < one.n; j++) {
					if (j > 0)
						s[o++] = ' ';
					memcpy(s + o, one.v[j].s, one.v[j].n);
					o += one.v[j].n;
				}
				s[o] = '\0';
				cc.stdin_text = r->heredoc_quoted && r->body.nsegs == 1 ? r->body.segs[0].s : s;
				cc.stdin_len = r->heredoc_quoted && r->body.nsegs == 1 ? r->body.segs[0].n : o;
			} else {
				cc.stdin_text = "";
				cc.stdin_len = 0;
			}
			cc.stdin_quoted = r->heredoc_quoted;
			continue;
		}
		resolve_word(w, &r->target, &one);
		if (one.n == 0)
			continue;
		if (r->op == SH_R_HERESTRING) {
			cc.stdin_text = one.v[0].s;
			cc.stdin_len = one.v[0].n;
			continue;
		}
		if (r->op == SH_R_IN && (r->fd == -1 || r->fd == 0)) {
			cc.stdin_file = one.v[0];
			cc.has_stdin_file = true;
		}
		if (r->op == SH_R_DUP_IN || r->op == SH_R_DUP_OUT)
			continue;
		if (!rvec_push(x, &rt, &one.v[0]))
			return -1;
		ops[rt.n - 1] = r->op;
	}
	cc.rtargets = rt.v;
	cc.rops = ops;
	cc.nr = rt.n;
	if (words.n == 0) {
		/* Assignments only (or redirections only). */
		for (size_t k = 0; k < assigns.n; k++) {
			const struct rword *r = &assigns.v[k];
			const char *eq = memchr(r->s, '=', r->n);
			size_t nl;

			if (eq == NULL)
				continue;
			nl = (size_t)(eq - r->s);
			if (nl > 0 && r->s[nl - 1] == '+')
				nl--;
			if (memchr(r->s, '[', nl) != NULL)
				continue;
			var_set(x, r->s, nl, eq + 1, r->n - (size_t)(eq + 1 - r->s), r->f);
			if (!(nl == 4 && memcmp(r->s, "PATH", 4) == 0))
				env_assignment(w, -1, r);
		}
		if (rt.n > 0 || cc.stdin_text != NULL) {
			ci = new_cmd(w, cc.text, cc.textlen, stdin_from);
			apply_redirs(w, ci, &cc, rt.v, ops, rt.n);
		}
		return ci;
	}
	cc.assigns = assigns.v;
	cc.nassigns = assigns.n;
	for (size_t k = 0; k < words.n; k++)
		if (words.v[k].f & RW_IFS) {
			intent_signal(x, -1, "obf-ifs", nd->src, nd->srclen);
			break;
		}
	for (size_t k = 0; k < words.n; k++)
		if ((words.v[k].f & RW_ANSI) && k > 0) {
			intent_signal(x, -1, "obf-ansi", words.v[k].s, words.v[k].n);
			break;
		}
	for (size_t k = 0; k < words.n; k++)
		if (words.v[k].f & RW_PARAM) {
			intent_signal(x, -1, "obf-param", nd->src, nd->srclen);
			break;
		}
	return analyze_words(w, words.v, words.n, &cc);
}

/* Commands in a compound's redirections ({ ...; } > file). */
static void
compound_redirs(struct walk *w, const struct sh_node *nd, int stdin_from)
{
	struct sh_node tmp = *nd;

	if (nd->nredirs == 0)
		return;
	tmp.kind = SH_SIMPLE;
	tmp.nwords = 0;
	tmp.nassigns = 0;
	analyze_simple(w, &tmp, stdin_from, false, false);
}

static void
walk_words(struct walk *w, const struct sh_word *v, size_t n)
{
	struct rvec tmp = { 0 };

	for (size_t k = 0; k < n; k++)
		resolve_word(w, &v[k], &tmp);
}

/* Returns the index of the last command it produced at this level, or -1. */
static int
walk_node(struct walk *w, const struct sh_node *nd, int stdin_from, bool in_pipe, bool bg)
{
	struct intent_ctx *x = w->x;
	size_t before = x->in->ncmds;
	int saved = w->stdin_from;

	if (x->oom)
		return -1;
	if (nd->kind == SH_SIMPLE)
		return analyze_simple(w, nd, stdin_from, in_pipe, bg);
	w->stdin_from = stdin_from;
	switch (nd->kind) {
	case SH_SUBSHELL: {
		struct walk sw = *w;

		walk_list(&sw, nd->lists[0]);
		break;
	}
	case SH_FUNC: {
		struct walk fw = *w;
		char *name = xdup(x, nd->words[0].raw, nd->words[0].rawlen);

		if (name != NULL && x->nfuncs < FUNC_MAX)
			x->funcs[x->nfuncs++] = name;
		fw.func = name;
		fw.stdin_from = -1;
		walk_list(&fw, nd->lists[0]);
		break;
	}
	case SH_FOR:
	case SH_SELECT:
	case SH_CASE:
	case SH_ARITH:
	case SH_COND:
		walk_words(w, nd->words, nd->nwords);
		if (nd->kind == SH_CASE) {
			size_t np = 0;

			for (size_t k = 0; k < nd->nlists; k++)
				np += nd->npats[k];
			walk_words(w, nd->pats, np);
		}
		/* fall through */
	default:
		for (size_t k = 0; k < nd->nlists; k++)
			walk_list(w, nd->lists[k]);
		break;
	}
	w->stdin_from = saved;
	compound_redirs(w, nd, stdin_from);
	return x->in->ncmds > before ? (int)x->in->ncmds - 1 : -1;
}

static bool
is_shell_cmd(const struct intent_cmd *c)
{
	return c != NULL && ((c->effects & ((uint64_t)1 << EFF_SHELL)) ||
	                        ((c->classes & PCL(SHELL)) && (c->effects & ((uint64_t)1 << EFF_EXEC))));
}

static bool
is_net_cmd(const struct intent_cmd *c)
{
	if (c == NULL)
		return false;
	if (c->classes & PCL(RAWNET))
		return true;
	for (size_t k = 0; k < c->ntargets; k++)
		if (c->targets[k].cls == PC_NETWORK)
			return true;
	return false;
}

static void
walk_pipeline(struct walk *w, const struct sh_pipeline *pl, bool bg)
{
	struct intent_ctx *x = w->x;
	int prev = w->stdin_from, mains[64];
	size_t nm = 0;

	for (size_t k = 0; k < pl->ncmds && !x->oom; k++) {
		int from = k == 0 ? w->stdin_from : prev;
		int ci = walk_node(w, pl->cmds[k], from, pl->ncmds > 1, bg);

		if (ci >= 0 && nm < 64)
			mains[nm++] = ci;
		prev = ci;
	}
	/* A shell wired to a network connection: reverse or bind shell. */
	for (size_t k = 0; k < nm; k++) {
		const struct intent_cmd *c = cmd_at(x, mains[k]);

		if (!is_shell_cmd(c))
			continue;
		for (size_t j = 0; j < nm; j++)
			if (is_net_cmd(cmd_at(x, mains[j]))) {
				sig(x, mains[k], "reverse-shell");
				intent_add_effect(x, mains[k], EFF_REMOTE_EXEC);
				break;
			}
	}
}

static bool
newline_between(const char *a, const char *b)
{
	return a != NULL && b != NULL && b > a && b - a < (1 << 20) && memchr(a, '\n', (size_t)(b - a)) != NULL;
}

/* Walk a list.  A list in a new scope starts with no interactive program
 * pending; the top level keeps its state across streamed batches. */
static void
walk_items(struct walk *w, const struct sh_list *l)
{
	struct intent_ctx *x = w->x;

	for (size_t k = 0; l != NULL && k < l->nitems && !x->oom; k++) {
		const struct sh_pipeline *pl = l->items[k].pl;
		size_t before = x->in->ncmds;

		walk_pipeline(w, pl, l->items[k].conn == SH_CONN_BG);
		if (w->inter >= 0 && x->in->ncmds > before && newline_between(w->inter_end, pl->cmds[0]->src)) {
			const struct intent_cmd *c = cmd_at(x, (int)before);

			intent_signal(x, (int)before, "interactive-input", c->text, c->textlen);
			w->inter = -1;
		}
		if (pl->ncmds == 1 && pl->cmds[0]->kind == SH_SIMPLE && x->in->ncmds > before) {
			for (size_t j = before; j < x->in->ncmds; j++)
				if (intent_cmd(x->in, j)->interactive && intent_cmd(x->in, j)->depth == w->depth) {
					w->inter = (int)j;
					w->inter_end = pl->cmds[0]->src + pl->cmds[0]->srclen;
					break;
				}
		}
	}
}

static void
walk_list(struct walk *w, const struct sh_list *l)
{
	int saved = w->inter;

	w->inter = -1;
	walk_items(w, l);
	w->inter = saved;
}

/* --- public entry points ------------------------------------------------------------------------ */

struct intent_ctx *
intent_begin(arena *a, arena *tmp, const struct tables *t, const struct intent_env *env, const char *kind,
    const char *cwd, const char *workspace)
{
	struct intent_ctx *x = arena_zalloc(a, sizeof *x);
	struct intent *in = arena_zalloc(a, sizeof *in);

	if (x == NULL || in == NULL || tmp == NULL || tmp == a)
		return NULL;
	x->a = a;
	x->tmp = tmp;
	x->t = t;
	if (env != NULL)
		x->env = *env;
	x->in = in;
	in->kind = kind;
	/* Only absolute directories count; "/" as a workspace means nothing, and
	 * without a workspace there is none (the cwd is not one). */
	if (cwd != NULL && cwd[0] == '/') {
		size_t l;

		in->cwd = norm_path(x, NULL, cwd, strlen(cwd), &l);
	}
	if (workspace != NULL && workspace[0] == '/') {
		size_t l;

		in->workspace = norm_path(x, NULL, workspace, strlen(workspace), &l);
	}
	if (in->workspace != NULL && strcmp(in->workspace, "/") == 0)
		in->workspace = NULL;
	x->wslen = in->workspace != NULL ? strlen(in->workspace) : 0;
	if (x->env.home != NULL) {
		size_t l;

		x->env.home = x->env.home[0] == '/' ? norm_path(x, NULL, x->env.home, strlen(x->env.home), &l) : NULL;
	}
	x->homelen = x->env.home != NULL ? strlen(x->env.home) : 0;
	if (x->env.home != NULL && x->homelen <= 1)
		x->env.home = NULL, x->homelen = 0;
	return x->oom ? NULL : x;
}

static void
intent_end(struct intent_ctx *x)
{
	free(x->buf);
	free(x->split);
	x->buf = NULL;
	x->split = NULL;
	x->bcap = x->blen = 0;
}

static int
walk_batch(void *arg, const struct sh_script *batch)
{
	struct walk *w = arg;

	walk_items(w, batch->list);
	report_bad(w->x, -1, batch);
	return w->x->oom ? -1 : 0;
}

int
intent_shell(struct intent_ctx *x, const char *src, size_t n)
{
	struct walk w = { .x = x, .cwd = x->in->cwd, .stdin_from = -1, .inter = -1 };
	int rc;

	intent_scan_text(x, -1, src, n);
	rc = sh_parse_stream(x->tmp, x->a, src, n, walk_batch, &w);
	intent_end(x);
	if (rc == 0 && !x->oom)
		intent_scan_self(x, -1, src, n);
	return rc < 0 || x->oom ? -1 : 0;
}

int
intent_argv(struct intent_ctx *x, const char *const *argv, const size_t *lens, size_t argc)
{
	struct walk w = { .x = x, .cwd = x->in->cwd, .stdin_from = -1, .inter = -1 };
	struct cmdctx cc = { .stdin_from = -1, .xargs_cls = PC_COUNT };
	struct rword *rw;
	size_t total = 0, o = 0;
	char *text;

	if (argc == 0)
		return 0;
	if ((rw = arena_zalloc(x->a, argc * sizeof *rw)) == NULL)
		return -1;
	for (size_t k = 0; k < argc; k++)
		total += lens[k] + 1;
	if ((text = arena_alloc(x->a, total + 1)) == NULL)
		return -1;
	for (size_t k = 0; k < argc; k++) {
		rw[k].s = argv[k];
		rw[k].n = lens[k];
		rw[k].unk_at = SIZE_MAX;
		rw[k].f = RW_QUOTED;
		memcpy(text + o, argv[k], lens[k]);
		o += lens[k];
		text[o++] = ' ';
		intent_scan_text(x, -1, argv[k], lens[k]);
	}
	text[o - 1] = '\0';
	cc.text = text;
	cc.textlen = o - 1;
	/* argv words are exact: a program word with spaces is a name, not a command */
	rw[0].f = 0;
	analyze_words(&w, rw, argc, &cc);
	intent_end(x);
	if (!x->oom)
		intent_scan_self(x, -1, text, cc.textlen);
	return x->oom ? -1 : 0;
}

static int
add_path_word(struct intent_ctx *x, int i, const char *path, size_t len, enum effect eff, unsigned rf)
{
	struct walk w = { .x = x, .cwd = x->in->cwd, .stdin_from = -1, .inter = -1 };
	struct rword r = { .s = path, .n = len, .f = rf, .unk_at = SIZE_MAX };

	if (len == 1 && path[0] == '-') {
		/* a file named "-" (no stdin/stdout here) */
		r.s = "./-";
		r.n = 3;
	}
	if (len > 0 && path[0] == '~' && (len == 1 || path[1] == '/') && x->env.home != NULL) {
		char *p = arena_alloc(x->a, x->homelen + len);

		if (p == NULL)
			return -1;
		memcpy(p, x->env.home, x->homelen);
		memcpy(p + x->homelen, path + 1, len - 1);
		r.s = p;
		r.n = x->homelen + len - 1;
	}
	add_target(&w, i, &r, eff);
	return x->oom ? -1 : 0;
}

int
intent_add_path(struct intent_ctx *x, int i, const char *path, size_t len, enum effect eff)
{
	return add_path_word(x, i, path, len, eff, 0);
}

int
intent_add_glob(struct intent_ctx *x, int i, const char *glob, size_t len, enum effect eff)
{
	return add_path_word(x, i, glob, len, eff, RW_TOOLGLOB);
}
