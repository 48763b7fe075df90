/* pathvar.h -- PATH set on the command line (issue #13).
 *
 * `export PATH=DIR:$PATH`, `PATH=DIR:$PATH` and `PATH=DIR cmd` make later
 * commands (or this one) resolve their programs in DIR first: `ls` may then
 * be DIR/ls.  Each entry of the value is judged: the previous value
 * ($PATH), a standard directory of programs (tables/dirs, kind bin) and a
 * directory in the workspace add nothing; any other directory, one named at
 * run time, or a relative one when the cwd is not known is `path-override`
 * (medium), with the entry as its part.  Part of the intent walker. */
#ifndef SG_PATHVAR_H
#define SG_PATHVAR_H

#include "broker/intent/walk.h"

/* r is the assignment word "PATH=VALUE" (or "PATH+=VALUE") of command ci. */
void wk_path_var(struct walk *w, int ci, const struct rword *r);

#endif
