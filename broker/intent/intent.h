/* intent.h -- what a request would really do.
 *
 * intent_shell() walks a parsed command line (shell.h) and turns every
 * simple command it would run -- including the ones hidden in
 * substitutions, sh -c strings, eval, xargs, find -exec, wrappers such as
 * sudo or timeout, and ssh remote commands -- into an intent_cmd: program,
 * subcommand, flags, targets (normalised, classified paths with what is done
 * to them), hosts, effects, and the context it runs in.  Along the way it
 * records signals: named observations (rules from the tables) that the risk
 * scorer weighs.  Non-shell requests (write, edit, read, delete, net, mcp)
 * become one intent_cmd through the intent_add_* helpers.
 *
 * Everything lives in the caller's arena. */
#ifndef SG_INTENT_H
#define SG_INTENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker/intent/arena.h"
#include "broker/intent/shell.h"
#include "broker/intent/tables.h"

#define INTENT_MAX_CMDS 100000   /* simple commands analysed per request */
#define INTENT_MAX_DEPTH 8       /* nested scripts: sh -c "sh -c '...'" */
#define INTENT_MAX_SIGNALS 4096
#define INTENT_MAX_TARGETS 8192  /* targets of one command (a request's files, rm a b c ...) */
#define INTENT_MAX_TARGET_BYTES ((size_t)1 << 20) /* path bytes of all targets */

/* Where a request runs and where sandgate's own files are. */
struct intent_env {
	const char *home;        /* may be NULL */
	const char *config_dir;  /* sandgate's, may be NULL */
	const char *db_path;     /* may be NULL */
	const char *runtime_dir; /* may be NULL */
	/* Real paths (links resolved) of the directories above, where they
	 * differ: a resolved path under one is classed as under its named form.
	 * Each may be NULL. */
	const char *workspace_real, *home_real, *config_real, *runtime_real, *db_real;
	bool no_resolve;         /* never look at the file system (paths stay lexical) */
	const char *exe;         /* sandgate's binary, may be NULL */
};

struct intent_target {
	const char *path;  /* normalised; may contain $VAR or globs */
	enum pclass cls;
	enum effect eff;
	bool indirect;     /* named through a variable */
	const char *through; /* where a link leads: the path as named (the target before it) */
	bool glob;         /* a pattern: stands for every path it could match (cls is the worst) */
	bool unknown;      /* part of the path is known only at run time */
	int64_t created_at; /* the request of this session that created it (assess_prov), else 0 */
};

struct intent_host {
	const char *host;
	enum hclass cls;
};

struct intent_cmd {
	const char *program;  /* base name after wrappers, or NULL */
	const char *argv0;    /* as written (resolved) */
	const char *sub;      /* subcommand, or NULL */
	const char **flags;
	size_t nflags;
	struct intent_target *targets;
	size_t ntargets, tcap;
	struct intent_host *hosts;
	size_t nhosts, hcap;
	uint64_t effects;     /* 1 << enum effect */
	uint64_t classes;     /* program classes */
	const char *via;      /* wrappers, e.g. "sudo timeout", or NULL */
	const char *context;  /* how it is reached: NULL (top level), "$()", "sh -c", ... */
	const char *remote;   /* ssh host it runs on, or NULL */
	const char *text;     /* its source text */
	size_t textlen;
	const char *content;  /* what it writes to stdout when known (echo, cat <<EOF) */
	size_t contentlen;
	int stdin_from;       /* index of the command feeding its stdin, or -1 */
	int depth;
	bool known;           /* program is in the tables */
	bool privileged;
	bool interactive;     /* waits for keyboard input */
};

struct intent_signal {
	const struct rule *rule;
	int cmd;              /* index of the command it is about, or -1 */
	const char *part;     /* the text it points at */
	size_t partlen;
};

#define INTENT_CHUNK 256

struct intent {
	const char *kind;
	const char *cwd, *workspace;
	const char *workspace_source;  /* declared, configured, git, none (set by assess) */
	const char *workspace_ignored; /* a declared workspace that was refused, and why */
	const char *sandbox;           /* where it runs: sandboxed, unsandboxed, unknown (set by assess) */
	const char *sandbox_source;    /* what said so, or NULL (knowledge.h) */
	struct intent_cmd **chunks; /* commands, INTENT_CHUNK per chunk */
	size_t nchunks, chunkcap;
	size_t ncmds;
	struct intent_signal *sigs;
	size_t nsigs, scap;
	size_t dropped_cmds;  /* beyond INTENT_MAX_CMDS */
	size_t target_bytes;  /* path bytes of every target */
	bool dropped_targets; /* a target was left out (bounds): the intent is not whole */
	bool unparsed;
};

/* Command i (i < in->ncmds). */
static inline struct intent_cmd *
intent_cmd(const struct intent *in, size_t i)
{
	return &in->chunks[i / INTENT_CHUNK][i % INTENT_CHUNK];
}

struct intent_ctx;

/* Start an intent for one request in arena a; tmp, a second arena, holds
 * short-lived working memory and is left as it was found.  cwd and
 * workspace may be NULL; a NULL workspace means none (the cwd is not one:
 * see workspace.h for who decides).  NULL on out of memory. */
struct intent_ctx *intent_begin(arena *a, arena *tmp, const struct tables *t, const struct intent_env *env,
    const char *kind, const char *cwd, const char *workspace);
struct intent *intent_get(struct intent_ctx *x);

/* Analyse a shell command line. 0, or -1 on out of memory. */
int intent_shell(struct intent_ctx *x, const char *src, size_t n);
/* Analyse an argument vector (exec with argv). */
int intent_argv(struct intent_ctx *x, const char *const *argv, const size_t *lens, size_t argc);
/* Add a command for a non-shell request; returns its index or -1. */
int intent_add_cmd(struct intent_ctx *x, const char *program, const char *text, size_t textlen);
/* Add a classified path target to command i. */
int intent_add_path(struct intent_ctx *x, int i, const char *path, size_t len, enum effect eff);
/* The same for a glob pattern (a multi-file tool's include, a Glob tool's
 * pattern): classed by the worst class of what it could match. */
int intent_add_glob(struct intent_ctx *x, int i, const char *glob, size_t len, enum effect eff);
/* Add a host (from a URL or host name) to command i. */
int intent_add_url(struct intent_ctx *x, int i, const char *url, size_t len);
/* Add effect e to command i. */
void intent_add_effect(struct intent_ctx *x, int i, enum effect e);
/* Record the rule with this id about command i (ignored if the tables lack it). */
int intent_signal(struct intent_ctx *x, int i, const char *rule_id, const char *part, size_t partlen);
/* loopback.c: after the walk, HTTP to this machine's own services is scored
 * as local (download-local, upload-local), except daemons' API ports and
 * sockets (local-daemon, local-socket).  0, or -1 on out of memory. */
int intent_loopback_apply(struct intent_ctx *x);
int intent_signal_rule(struct intent_ctx *x, int i, const struct rule *r, const char *part, size_t partlen);
/* Scan text as program code of language lang; records code-* signals on
 * command i.  written: the code is written to a file, not run. */
int intent_code(struct intent_ctx *x, int i, const char *text, size_t len, enum code_lang lang, bool written);
/* Flag obfuscation in raw text (control, bidi, invisible characters, long lines). */
int intent_scan_text(struct intent_ctx *x, int i, const char *text, size_t len);
/* Record a mention of sandgate itself (selfref.h) in text, about command i
 * (-1: the last command): a target of class sandgate and the
 * names-sandgate signal.  0, or -1 on out of memory. */
int intent_scan_self(struct intent_ctx *x, int i, const char *text, size_t len);
/* For the family handlers (codecalls.c, runs.c), while command i is being
 * analysed: walk src as a shell script that command i runs (context says
 * how: "os.system", "tmux new", ...); add a path it names, relative to its
 * cwd ("~/" expanded); is a variable name a credential's (tables/secrets);
 * the tables.  0 or -1 on out of memory. */
int intent_nested(struct intent_ctx *x, int i, const char *src, size_t n, const char *context);
int intent_add_path_here(struct intent_ctx *x, int i, const char *path, size_t len, enum effect eff);
bool intent_secret_name(const struct intent_ctx *x, const char *s, size_t n);
const struct tables *intent_tables(const struct intent_ctx *x);
arena *intent_arena(struct intent_ctx *x);
/* Classify an absolute, normalised path. */
enum pclass intent_classify(struct intent_ctx *x, const char *path, size_t len);

#endif
