/* install_place.h -- `sandgate install` on first run: places that do not
 * last (a temp dir, a build tree) and whether a broker listens. */
#ifndef SG_INSTALL_PLACE_H
#define SG_INSTALL_PLACE_H

#include <stdbool.h>
#include <stddef.h>

/* If path (absolute) lies in a temp dir ($TMPDIR, /tmp, /var/tmp, /dev/shm)
 * or a build tree (an ancestor holds CMakeCache.txt or meson-private, or is
 * named build, _build, builddir or cmake-build-*), write what it is in (e.g.
 * "the build tree /src/x/build") to why and return true. */
bool place_is_transient(const char *path, char *why, size_t cap);

/* True when a broker answers on agent.sock of the runtime dir; else false
 * with the reason (its socket path and the error) in why. */
bool place_broker_runs(char *why, size_t cap);

#endif
