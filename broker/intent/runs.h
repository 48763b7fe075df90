/* runs.h -- programs that run commands, scripts or configuration named in
 * their arguments: multiplexers (tmux new CMD, tmux send-keys, screen -dm
 * CMD, screen -X stuff), pagers and editors with command escapes (man -P,
 * vim +'!cmd', ex/ed on stdin), debuggers and profilers (gdb -ex 'shell
 * ...', gdb --args, lldb --, valgrind, perf stat), VCS and build tools that
 * run commands (git bisect run, git grep -O, git -c alias.x='!cmd', git
 * rebase --exec, make --eval, cmake -E/-P), and code or configuration taken
 * from a file (make -f, gdb -x, curl -K, GIT_DIR=, --git-dir).
 *
 * What each program does is data: tables/runs.  A command found is walked
 * as a nested command (so its own risk counts); a file is a `run` target
 * weighed by its class (a file in the workspace costs nothing, one in /tmp
 * or the home directory does). */
#ifndef SG_RUNS_H
#define SG_RUNS_H

#include <stdbool.h>
#include <stddef.h>

struct intent_ctx;

struct runs_word {
	const char *s;
	size_t n;
	bool unknown; /* known only at run time */
};

struct runs_call {
	const char *prog;            /* the program's base name */
	const char *sub;             /* its subcommand as intent.c saw it, or NULL */
	struct runs_word *words;     /* the words after the program */
	size_t nwords;
	struct runs_word *assigns;   /* NAME=value prefixes */
	size_t nassigns;
	const char *stdin_text;      /* a here-document or here-string, or NULL */
	size_t stdin_len;
	bool stdin_any;              /* stdin is not the terminal: a pipe, a file, a here-document */
	bool code_given;             /* its handler found code or a script to run (python -c, x.py) */
};

/* Apply the runs rows of rc->prog to command ci.  0, or -1 on out of memory. */
int runs_analyze(struct intent_ctx *x, int ci, const struct runs_call *rc);

#endif
