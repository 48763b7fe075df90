/* shell.h -- a parser for the POSIX/bash shell language as agents write it.
 *
 * sh_parse() turns a command line into a tree: lists (; & && || newline),
 * pipelines (| |&), simple commands (assignments, words, redirections,
 * here-docs), subshells, groups, if/while/until/for/select/case, functions,
 * [[ ]] and (( )).  Words keep their structure as segments: literal text
 * (quotes removed, $'...' decoded), variables, command and process
 * substitutions (parsed recursively), arithmetic and tildes.
 *
 * It never executes or expands anything.  Input it cannot parse is not an
 * error: the statement is recorded as a "bad" span (offset, length, reason)
 * and parsing resumes on the next line, so one odd line cannot hide the
 * rest.  Nesting depth and input size are bounded.  The tree lives in the
 * caller's arena. */
#ifndef SG_SHELL_H
#define SG_SHELL_H

#include <stdbool.h>
#include <stddef.h>

#include "broker/intent/arena.h"

#define SH_MAX_INPUT ((size_t)4 << 20) /* bytes; longer input is not parsed */
#define SH_MAX_NEST 64                  /* syntactic nesting: (), $(), quotes, if... */

enum sh_seg_kind {
	SH_SEG_LIT,      /* literal text after quote removal */
	SH_SEG_VAR,      /* $NAME, ${NAME}, ${NAME...}: s/n is the name */
	SH_SEG_SUBST,    /* $(...) or `...`: sub is the parsed body */
	SH_SEG_PROC_IN,  /* <(...) */
	SH_SEG_PROC_OUT, /* >(...) */
	SH_SEG_ARITH,    /* $((...)): s/n is the expression */
	SH_SEG_TILDE,    /* ~ or ~user at the start of a word: s/n is the user */
};

struct sh_list;
struct sh_word;

struct sh_seg {
	enum sh_seg_kind kind;
	unsigned quoted : 1;   /* inside double quotes (VAR/SUBST: no word splitting) */
	unsigned complex : 1;  /* VAR: ${...} with an operator, e.g. ${X:-y} ${X//a/b} */
	unsigned backtick : 1; /* SUBST: written with backticks */
	const char *s;
	size_t n;
	struct sh_list *sub;   /* SUBST, PROC_IN, PROC_OUT */
	struct sh_word *inner; /* complex VAR: the operator part (may hold substitutions) */
};

enum {
	SH_W_QUOTED = 1 << 0,  /* some part was quoted */
	SH_W_VAR = 1 << 1,     /* has a variable expansion */
	SH_W_SUBST = 1 << 2,   /* has a command or process substitution */
	SH_W_GLOB = 1 << 3,    /* unquoted * ? [ */
	SH_W_ANSI = 1 << 4,    /* $'...' with \x, octal or \u escapes */
	SH_W_BRACE = 1 << 5,   /* unquoted {a,b} or {1..9} */
	SH_W_ESCAPED = 1 << 6, /* a backslash outside quotes */
	SH_W_ARITH = 1 << 7,   /* $((...)) */
	SH_W_COMPLEX = 1 << 8, /* ${...} with an operator */
	SH_W_ANSI_PLAIN = 1 << 9, /* $'...' with an escape that spells a letter or digit ($'\x72m') */
};

struct sh_word {
	const char *raw; /* the source text of the word */
	size_t rawlen;
	struct sh_seg *segs;
	size_t nsegs;
	unsigned flags; /* SH_W_* */
};

enum sh_redir_op {
	SH_R_IN,          /* <      */
	SH_R_OUT,         /* >      */
	SH_R_APPEND,      /* >>     */
	SH_R_CLOBBER,     /* >|     */
	SH_R_INOUT,       /* <>     */
	SH_R_DUP_IN,      /* <&     */
	SH_R_DUP_OUT,     /* >&     */
	SH_R_OUT_ALL,     /* &> (and >&file) */
	SH_R_APPEND_ALL,  /* &>>    */
	SH_R_HEREDOC,     /* << <<- */
	SH_R_HERESTRING,  /* <<<    */
};

struct sh_redir {
	enum sh_redir_op op;
	int fd;                 /* explicit fd, or -1 */
	struct sh_word target;  /* file, fd number, delimiter, or here-string */
	/* here-documents */
	struct sh_word body;    /* the body; one literal segment when quoted */
	bool heredoc_quoted;    /* delimiter was quoted: no expansion in body */
	bool heredoc_strip;     /* <<- */
	bool heredoc_unterminated;
	const char *delim;
	size_t delimlen;
};

enum sh_node_kind {
	SH_SIMPLE,
	SH_SUBSHELL, /* ( list ) */
	SH_GROUP,    /* { list; } */
	SH_IF,       /* lists: cond, then, [cond, then]..., [else] */
	SH_WHILE,    /* lists: cond, body */
	SH_UNTIL,
	SH_FOR,      /* words: name, in-words...; lists: body */
	SH_SELECT,
	SH_CASE,     /* words: subject; lists: one per branch; patterns in pats */
	SH_FUNC,     /* words: name; lists: body (as a one-item list) */
	SH_ARITH,    /* (( expr )) or for (( ;; )): words[0] the expression */
	SH_COND,     /* [[ ... ]]: words */
};

struct sh_node {
	enum sh_node_kind kind;
	const char *src; /* the source text of the whole command */
	size_t srclen;
	struct sh_word *assigns; /* SIMPLE: NAME=value prefixes */
	size_t nassigns;
	struct sh_word *words;
	size_t nwords;
	struct sh_redir **redirs;
	size_t nredirs;
	struct sh_list **lists;
	size_t nlists;
	struct sh_word *pats;   /* CASE: patterns of every branch, in order */
	size_t *npats;          /* CASE: how many patterns each branch has */
};

struct sh_pipeline {
	struct sh_node **cmds;
	size_t ncmds;
	bool negated; /* ! */
	bool timed;   /* time */
};

enum sh_conn {
	SH_CONN_SEQ, /* ; or newline, or end */
	SH_CONN_BG,  /* & */
	SH_CONN_AND, /* && */
	SH_CONN_OR,  /* || */
};

struct sh_item {
	struct sh_pipeline *pl;
	enum sh_conn conn; /* what follows this pipeline */
};

struct sh_list {
	struct sh_item *items;
	size_t nitems;
};

/* A span of the input that could not be parsed. */
struct sh_bad {
	size_t off, len;
	const char *why; /* static text */
};

struct sh_script {
	struct sh_list *list;
	struct sh_bad *bad;
	size_t nbad;
	const char *src;
	size_t srclen;
};

/* Parse src[0..n) into a.  Returns NULL only on out of memory.  Input
 * longer than SH_MAX_INPUT is one bad span. */
struct sh_script *sh_parse(arena *a, const char *src, size_t n);
/* The same with the tree in one arena and what must outlive it (unescaped
 * backquote texts the tree's text pointers may point into) in keep. */
struct sh_script *sh_parse_in(arena *tree, arena *keep, const char *src, size_t n);

/* Streaming: parse top-level items and hand them to cb in batches (the
 * script holds the batch's items and bad spans; src is the whole input).
 * After cb returns, everything the batch allocated in tree is released, so
 * memory stays bounded by the largest batch.  A nonzero cb return stops.
 * Returns 0, cb's nonzero value, or -1 on out of memory. */
typedef int (*sh_batch_fn)(void *arg, const struct sh_script *batch);
int sh_parse_stream(arena *tree, arena *keep, const char *src, size_t n, sh_batch_fn cb, void *arg);

/* Is name a valid shell variable name (s[0..n))? */
bool sh_is_name(const char *s, size_t n);

/* Append a one-line canonical rendering of the script to buf (for tests and
 * debugging): "[echo hi] | [wc -l] && [ls]".  Returns the length it needed
 * (like snprintf); buf is always NUL-terminated when cap > 0. */
size_t sh_dump(const struct sh_script *s, char *buf, size_t cap);

#endif
