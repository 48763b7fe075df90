/* walk.h -- the intent walker's internal header: the context, resolved words,
 * the walk over the shell tree, a command's arguments and a handler's view of
 * one command, shared by the files of broker/intent/ that build an intent
 * (intent.c, words.c, paths.c, args.c, analyze.c and the families fs.c,
 * net.c, interp.c, privilege.c).  Not part of the public API (intent.h).
 * Shared functions carry a wk_ (or intent_) prefix; everything else is
 * static in its file.
 *
 * How one simple command is analysed: intent.c walks the tree and resolves
 * its words (words.c); analyze.c's wk_analyze_words peels wrappers, looks the
 * program up, splits its arguments (args.c), applies the cmdrules and calls
 * the program's handler (tables `handler`: wk_h_* in the family files) and
 * the family steps (wk_spec_targets, wk_link_targets, wk_net_analysis, ...).
 * A new family is a file named for it with a wk_ entry point declared here
 * and one call from analyze.c (aw_known_program) or its handler case. */
#ifndef SANDGATE_INTENT_WALK_H
#define SANDGATE_INTENT_WALK_H

#include "broker/intent/intent.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fs_state;

#define VAR_BUCKETS 256
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
	int depth_now;          /* ... its nesting depth, privilege and ssh host (intent_nested) */
	bool priv_now;
	const char *remote_now;
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

/* Target flags of add_target_ex. */
enum { TF_INDIRECT = 1 << 0, TF_GLOB = 1 << 1, TF_UNKNOWN = 1 << 2 };

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
	const char *cwd; /* where the command runs, for checks on disk (vcs.c); NULL: do not look */
};

struct stdin_info {
	bool dl, dec, secret;
	const char *content; /* the direct producer's output when known */
	size_t len;
};

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

/* --- shared functions, by the file that defines them ---------------------------------------- */

/* intent.c */
bool wk_oomf(struct intent_ctx *x);
char *wk_xdup(struct intent_ctx *x, const char *s, size_t n);
struct intent_cmd *wk_cmd_at(struct intent_ctx *x, int i);
int wk_new_cmd(struct walk *w, const char *text, size_t textlen, int stdin_from);
void wk_sig(struct intent_ctx *x, int i, const char *rule_id);
/* loopback.c: a local URL or host:port s of command i naming a daemon's API port */
void wk_loopback_port(struct intent_ctx *x, int i, const char *s, size_t n);
void wk_add_target_ex(struct intent_ctx *x, int i, const char *path, enum pclass cls, enum effect eff, unsigned tf);
void wk_add_target_raw(struct intent_ctx *x, int i, const char *path, enum pclass cls, enum effect eff,
    bool indirect);
void wk_get_stdin_info(struct intent_ctx *x, int from, struct stdin_info *si);
void wk_walk_subst(struct walk *w, const struct sh_list *l, const char *context);
int wk_nested_script(struct walk *w, int ci, const char *src, size_t n, const char *context, const char *remote);
struct intent_cmd *wk_cmd(struct an *an);
void wk_apply_redirs(struct walk *w, int ci, struct cmdctx *cc, struct rword *targets, const enum sh_redir_op *ops,
    size_t n);

/* words.c */
void wk_var_set(struct intent_ctx *x, const char *name, size_t n, const char *val, size_t vlen, unsigned flags);
bool wk_rvec_push(struct intent_ctx *x, struct rvec *v, const struct rword *r);
void wk_resolve_word(struct walk *w, const struct sh_word *wd, struct rvec *out);
bool wk_word_is(const struct rword *r, const char *s);

/* paths.c */
char *wk_norm_path(struct intent_ctx *x, const char *cwd, const char *s, size_t n, size_t *outlen);
/* pathglob.c: a word's unknown parts as "*" when literal text follows them, or NULL */
char *wk_runtime_glob(struct intent_ctx *x, const struct rword *r, size_t *outlen);
/* pathglob.c: C:/x or C:\\x as /c/x, or NULL */
char *wk_drive_path(struct intent_ctx *x, const char *s, size_t n, size_t *outlen);
bool wk_writes(enum effect e);
void wk_add_target(struct walk *w, int i, const struct rword *r, enum effect eff);

/* args.c */
bool wk_in_list(const struct strlist *l, const char *s, size_t n);
void wk_split_args(const struct prog *pg, const struct rword *rw, size_t n, struct args *a);
bool wk_has_flag_upto(const struct args *a, const char *f, bool long1, size_t upto);
bool wk_has_flag(const struct args *a, const char *f, bool long1);
bool wk_opt_is(const struct opt *o, const char *name, size_t nl);
const struct rword *wk_opt_value(const struct args *a, const char *name);

/* analyze.c */
int wk_analyze_words(struct walk *w, struct rword *rw, size_t n, struct cmdctx *cc);

/* fs.c */
void wk_h_sed(struct an *an);
void wk_h_find(struct an *an);
/* moveout.c */
void wk_h_move(struct an *an);
void wk_h_tar(struct an *an);
void wk_h_patch(struct an *an);
void wk_spec_targets(struct an *an);
void wk_archive_targets(struct an *an);
const char *wk_fs_as_named(struct intent_ctx *x, const char *p, size_t *len);
void wk_fs_target(struct walk *w, int i, const struct rword *r, const char *path, enum effect eff, bool indirect);
void wk_link_targets(struct an *an);
void wk_chmod_targets(struct an *an);

/* net.c */
void wk_add_host_raw(struct intent_ctx *x, int i, const char *host, size_t n);
void wk_h_ssh(struct an *an);
void wk_h_remote_copy(struct an *an);
void wk_check_exfil(struct an *an);
void wk_net_analysis(struct an *an);
/* transfer.c: storage and backup copies (tables/services copy rows): 2 upload, 4 download, 0 neither */
int wk_transfer(struct an *an);
/* netsend.c: line-protocol and raw-socket senders: 2 a file goes out, 4 one comes in, 3 text in a URL, 1 text sent, 0 */
int wk_net_send(struct an *an);
/* netexfil.c: command output or credentials written into a host name or URL */
void wk_net_exfil(struct an *an);

/* interp.c */
uint32_t wk_code_signals(struct intent_ctx *x, const char *text, size_t len, enum code_lang lang);
void wk_h_shell(struct an *an);
void wk_code_from_stdin(struct an *an, enum code_lang lang, const char *generic_rule);
void wk_h_interp(struct an *an);
void wk_h_awk(struct an *an);
void wk_h_print(struct an *an);
void wk_inline_code(struct an *an);

/* analyze.c: the commands table for program prog (a Windows command's lower-case name) */
bool wk_apply_cmdrules(struct intent_ctx *x, int ci, const char *prog, const char *sub, const struct args *a,
    size_t first, bool long1);

/* vcs.c: the spec: condition of the commands table (git pathspecs) */
bool wk_vcs_spec(const struct args *a, size_t first, const struct strlist *want);

/* spelling.c: look-alike dashes in option position, programs and subcommands in odd case */
void wk_spell_dashes(struct intent_ctx *x, int ci, struct rword *rw, size_t n);
const struct prog *wk_spell_program(struct intent_ctx *x, int ci, char *name, size_t bl);
void wk_spell_sub(struct intent_ctx *x, int ci, struct args *a);

/* services.c: remote-service CLIs by verb (tables/services), HTTP DELETE.  Called by
 * the commands table step; true when it classified the command (the table's "*"
 * fallback rules are then not used). */
bool wk_services(struct intent_ctx *x, int ci, const char *prog, const struct args *a, size_t first,
    bool specific, bool has_fallback);

/* jarcli.c: java -jar CLI.jar ARGS, scored as the CLI's tables entry (jenkins-cli) */
void wk_jar_cli(struct an *an);

/* windows.c: a cmd or PowerShell command (tables/windows); true when handled as one */
bool wk_windows(struct an *an, const char *program);
/* runs.c: programs that run commands or files named in their arguments */
void wk_runs(struct an *an);

/* privilege.c */
void wk_env_assignment(struct walk *w, int ci, const struct rword *r);
void wk_privilege(struct an *an, const char *user, int as);
/* git -c KEY=VALUE (git) or NAME=VALUE: a hook of tables/hooks (indirect.h) */
int wk_hook_word(struct walk *w, int ci, const struct rword *r, bool git, bool from_env);

/* memmem for words: glibc's general algorithm costs about 200 instructions a
 * call on short haystacks; this scans with memchr for the first byte. */
static inline const char *
wk_find(const char *s, size_t n, const char *nd, size_t nl)
{
	while (nl > 0 && n >= nl) {
		const char *p = memchr(s, nd[0], n - nl + 1);

		if (p == NULL)
			return NULL;
		if (memcmp(p, nd, nl) == 0)
			return p;
		n -= (size_t)(p - s) + 1;
		s = p + 1;
	}
	return nl == 0 ? s : NULL;
}

#endif
