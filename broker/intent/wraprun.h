/* wraprun.h -- a program from outside run through a wrapper (issue #13).
 *
 * `nohup /path/to/command`, `setsid /opt/x/run`, `timeout 5 /tmp/x`, `env
 * /srv/x`: a wrapper that runs its arguments (tables/wrappers) given a program
 * the tables do not know, by a path outside the workspace, the home and the
 * standard directories of programs.  On its own such a path is `run:outside`
 * (medium); laundered through a wrapper that detaches, times or re-parents it,
 * it is what GTFOBins lists as each wrapper's "command" function:
 * `wrap-run-outside` (high).  Known programs (`nohup /usr/bin/python3`,
 * `timeout 5 /opt/homebrew/bin/rg`), workspace paths (`nohup ./build.sh`) and
 * home paths (`nice ~/.cargo/bin/cargo build`) add nothing.  Part of the
 * intent walker (analyze.c calls it where the program path becomes a run
 * target). */
#ifndef SG_WRAPRUN_H
#define SG_WRAPRUN_H

#include "broker/intent/walk.h"

/* Command ci was reached through wrappers (vialen > 0); its program was
 * given by a path, pg is its table entry or NULL, and its last target is the
 * run target of that path. */
void wk_wrapped_outside(struct intent_ctx *x, int ci, const struct prog *pg, size_t vialen, const struct rword *r);

#endif
