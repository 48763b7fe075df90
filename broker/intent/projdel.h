/* projdel.h -- recursive deletes of the project itself (issue #13).
 *
 * A recursive delete in the workspace is an ordinary delete (medium) unless
 * it takes the project with it: every entry of the workspace root (`rm -rf
 * STAR`, `./STAR`, "$PWD"/STAR: delete-project-all), its dot entries or its
 * repository (`.*`, `.git`, `.git/objects`: delete-project-vcs), a top-level
 * source tree (`src`, `lib`: delete-project-src), or both halves of the root
 * in one command (`rm -rf * .*`: delete-project-whole, critical like the
 * root itself).  What is a repository, a source tree or regenerable output
 * (build, dist, node_modules: they stay ordinary deletes) is data:
 * tables/dirs.  Part of the intent walker: see walk.h. */
#ifndef SG_PROJDEL_H
#define SG_PROJDEL_H

#include "broker/intent/walk.h"

/* Called for every path target of command i with its class; records the
 * signals above and returns the class to keep (a glob of every entry of the
 * root is classed as inside the workspace: the signal says how much). */
enum pclass wk_projdel(struct walk *w, int i, const struct rword *r, const char *path, enum pclass cls,
    enum effect eff);

#endif
