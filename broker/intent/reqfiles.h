/* reqfiles.h -- every file a request names besides its main payload.
 *
 * A tool call may touch many files: a Codex patch adds one file and updates
 * another, Gemini's read_many_files reads globs, a Grep searches a directory
 * for a glob, an MCP tool takes paths anywhere in its arguments.  Each of
 * them is a target the risk scorer weighs and a subject part a rule must
 * cover, so the scorer (assess.c) and the rule matcher's subject
 * (broker/rules/subject.c) read them with the same code:
 *
 *   files        [{path, op: read|write|edit|delete, glob?: bool}] (the hook
 *                adapters' list; at most REQ_FILES_MAX entries)
 *   files_total  int: how many files the tool call touched (more than sent:
 *                the request is not whole)
 *   paths        [str] (Codex apply_patch, older adapters): op of the kind
 *   patch        str: a Codex patch envelope (*** Add/Update/Delete File:,
 *                *** Move to:)
 *   tool_input   of the agents' multi-file tools (Glob, Grep,
 *                read_many_files, glob, search_file_content, grep_search,
 *                list_directory, LS): their globs relative to their directory
 *
 * A malformed list makes the request "bad" (never allowed by a rule, scored
 * at least high); req_files_collect says why.
 *
 * MCP arguments are walked whole (req_args_walk): every string that names a
 * path (absolute, ~/, ./, ../, file:// URIs, or the value of a key that
 * names a file, path, dir or uri), every URL, and every command under a
 * command-like key. */
#ifndef SG_REQFILES_H
#define SG_REQFILES_H

#include <stdbool.h>
#include <stddef.h>
#include <msgpack.h>

#include "broker/intent/arena.h"

#define REQ_FILES_MAX 4096       /* entries of `files` */
#define REQ_PATH_MAX 4096        /* bytes of one path */
#define REQ_ARGS_DEPTH 16        /* nesting of MCP arguments walked */
#define REQ_ARGS_VALUES 10000    /* values of MCP arguments walked */

enum req_op { RQ_READ, RQ_LIST, RQ_WRITE, RQ_EDIT, RQ_DELETE };

struct req_file {
	const char *path;  /* as sent (relative to cwd, absolute or ~/), NUL-terminated */
	size_t len;
	enum req_op op;
	bool glob;         /* a pattern: stands for every path it could match */
};

struct req_files {
	struct req_file *v;
	size_t n, cap;
	const char *bad;   /* why the list is malformed or not whole, or NULL */
};

/* Collect the files of req (a request map) into out, allocating in a.
 * kind is the request's kind ("write", ...; may be NULL).  0, or -1 on out
 * of memory.  out->bad is set for a malformed or incomplete list. */
int req_files_collect(arena *a, const msgpack_object *req, const char *kind, struct req_files *out);

/* The files of a Codex patch envelope in text[0..n) (apply_patch run as a
 * command: its argument or here-document), appended to out (zeroed or
 * filled before). */
int req_patch_files(arena *a, const char *text, size_t n, struct req_files *out);

/* What an MCP argument value names: a path its key says is a file (the
 * tool acts on it), a path-looking value under another key (a mention), a
 * glob, a URL, a shell command line, an argument vector. */
enum req_arg { RA_PATH, RA_PATH_MENTION, RA_GLOB, RA_URL, RA_COMMAND, RA_ARGV, RA_TEXT };

/* Called for each thing found; s is NUL-terminated in a (RA_ARGV: argv
 * holds n words).  Every string value is also passed as RA_TEXT first (not
 * NUL-terminated).  Return -1 to stop (out of memory). */
typedef int req_arg_fn(void *ctx, enum req_arg what, const char *s, size_t n, const char *const *argv,
    const size_t *lens, size_t argc);

/* Walk MCP arguments; 0, -1 on out of memory or when fn stopped, 1 when
 * the value is beyond the bounds (too deep, too many values): then not
 * everything was seen. */
int req_args_walk(arena *a, const msgpack_object *args, req_arg_fn *fn, void *ctx);

/* Is s[0..n) a URL with a host (scheme://host...)? */
bool req_is_url(const char *s, size_t n);

#endif
