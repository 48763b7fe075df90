/* texout.h -- files a program's own text writes (issue #13).
 *
 * TeX writes a file opened with `\openout\HANDLE=NAME` (also `\openout3 NAME`,
 * `\openout\h{NAME}`) and filled by `\write\HANDLE{...}`: a document given on
 * the command line, in an option value or on stdin writes NAME like a
 * redirect.  tables/runs names the prefix (`wfile=\openout`); each NAME after
 * it is a `write` target weighed by its path's class, so `\openout\f=out.tex`
 * in the workspace adds nothing and `\openout\f=/home/dev/.bashrc` is a write
 * outside it.  A name TeX computes (`\jobname.aux`) is the job's own file in the
 * directory TeX runs in: no target.  Part of the intent walker (runs.c calls it). */
#ifndef SG_TEXOUT_H
#define SG_TEXOUT_H

#include "broker/intent/walk.h"

/* The names written after each prefix of pre in s[0..n) of command ci; -1 on
 * out of memory. */
int wk_text_outfiles(struct intent_ctx *x, int ci, const struct strlist *pre, const char *s, size_t n);

#endif
