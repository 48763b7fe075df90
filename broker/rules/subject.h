/* subject.h -- what a rule is matched against: one request reduced to its
 * parts.  An exec request has one part per simple command of its shell line
 * (wrappers stripped, nested `sh -c` bodies and substitutions included) plus
 * one write or delete part per file a command writes or deletes (by a
 * redirection, cp, tee, sed -i, inline code...); a file request one part per
 * file it names (its path, the files list, a patch's files, a tool's globs);
 * an MCP call its tool plus every file and host its arguments name; a net
 * request its host; an `other` request its tool (with its whole input, the
 * part's content) plus every file it lists and every URL of `urls`.  Paths are absolute and
 * normalised; a glob part keeps its pattern (subj_part.glob).  Built once per request (subject_from_intent when the scorer's
 * intent is there, subject_from_request otherwise); owned by the request.
 *
 * The struct is plain data on purpose: the matcher, the grouping and the
 * circumvention checks read it, and the unit tests build it by hand. */
#ifndef SG_SUBJECT_H
#define SG_SUBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <msgpack.h>

#include "proto/paths.h"

enum subj_kind {
	SK_EXEC,
	SK_WRITE,
	SK_EDIT,
	SK_READ,
	SK_DELETE,
	SK_NET,
	SK_MCP,
	SK_OTHER,
	SK_COUNT
};

/* Request-level signals the adapter found in the tool input. */
enum {
	SUBJ_SANDBOX_OFF = 1u << 0, /* dangerouslyDisableSandbox, require_escalated */
};

struct subj_word {
	char *text;    /* after quote removal */
	char *path;    /* absolute normalised path when the intent says this word is a file */
	bool dynamic;  /* value known only at run time ($VAR, $(...), unquoted glob) */
};

/* What the scorer found about a part (subj_part.marks). */
enum {
	PART_AGENT_CONFIG = 1u << 0, /* writes an agent's own settings or hooks */
	PART_AGENT_INSTR = 1u << 1,  /* writes instructions an agent obeys next session */
	PART_SANDGATE = 1u << 2,     /* names sandgate's own sockets, files or binary */
};

struct subj_part {
	enum subj_kind kind;
	/* exec */
	char *program;          /* name used for matching: basename for system bin dirs */
	char *subcommand;       /* from the intent when it knows the program, else NULL */
	struct subj_word *words;/* words[0] is the program as written */
	size_t nwords;
	bool more_args;         /* xargs, find -exec: arguments added at run time */
	char *run_path;         /* the file it runs (a script, a program outside the system
	                         * bin dirs) as the scorer resolved it through links, or NULL
	                         * (pinned rules compare its content: rule.h) */
	/* write, edit, read, delete (and the files an exec command writes or
	 * deletes, as SK_WRITE / SK_DELETE parts); NULL when known only at run
	 * time (no rule covers it) */
	char *path;
	bool glob;              /* path is a pattern: covered only by a rule that covers all it could match */
	unsigned marks;         /* PART_* */
	/* net */
	char *host;             /* lower case */
	int port;               /* 0 when unknown */
	/* mcp: server and tool; other: tool */
	char *server, *tool;
	/* other: the tool's whole input as canonical JSON (broker/rules/inputtext.h),
	 * what an `other` rule's input glob must match; NULL when it is not
	 * known whole (cut, too long, not JSON-like): no input glob matches */
	char *content;
};

struct subject {
	enum subj_kind kind;    /* the request's kind */
	struct subj_part *parts;
	size_t nparts, cap;
	char *cwd;              /* absolute or NULL */
	char *workspace;        /* anchor of ./ patterns: the workspace root the scorer settled on
	                         * (declared, configured or git: never the cwd); may be NULL */
	char *home;             /* anchor of ~/ patterns; may be NULL */
	bool unparsed;          /* parts unknown: no rule may allow it */
	unsigned flags;         /* SUBJ_* */
};

/* Kind names as on the wire ("exec", ...); -1 / NULL when unknown. */
int subject_kind_parse(const char *name, size_t len);
const char *subject_kind_name(enum subj_kind k);

/* A new empty subject; NULL on out of memory.  cwd, workspace and home are
 * copied (each may be NULL; a relative one is ignored). */
struct subject *subject_new(enum subj_kind kind, const char *cwd, const char *workspace,
    const char *home);
void subject_free(struct subject *s);

/* Append a zeroed part of kind k; NULL on out of memory. */
struct subj_part *subject_add_part(struct subject *s, enum subj_kind k);
/* Give an exec part its words (copied; dyn may be NULL) and derive program.
 * 0 or -1 on out of memory. */
int subject_set_words(struct subject *s, struct subj_part *p, const char *const *words,
    const size_t *lens, const bool *dyn, size_t n);

/* path resolved lexically against the subject's cwd (~ against home), with
 * . and .. and repeated slashes folded; malloc'd, or NULL when it cannot be
 * made absolute or memory ran out. */
char *subject_resolve(const struct subject *s, const char *path, size_t len);

/* Build from the submitted request map alone: argv exec requests, files,
 * hosts, MCP and other tools.  A shell command line cannot be split without
 * the intent, so it gives an unparsed subject.  It has no workspace (the
 * request's is a claim the scorer checks).  NULL on out of memory. */
struct subject *subject_from_request(const msgpack_object *req, const char *home);

/* Build from the scorer's intent map (docs/RISK.md) plus the request map;
 * falls back to subject_from_request for what the intent does not carry.
 * Every target of the intent becomes a part: each file an exec command
 * writes or deletes (SK_WRITE, SK_DELETE), each file a file request or an
 * MCP call names (by its effect), each host an MCP call names (SK_NET).
 * The workspace is the intent's (none without an intent), and every target
 * the intent reached through a link ("through") adds a part for where the
 * link leads, so that rules must cover both names. */
struct subject *subject_from_intent(const msgpack_object *intent, const msgpack_object *req,
    const char *home);

/* True if path (absolute, normalised) is dir or inside it. */
bool subject_path_within(const char *path, const char *dir);

#endif
