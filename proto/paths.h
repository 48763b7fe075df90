/* paths.h -- where sandgate's runtime dir, sockets, DB and config live
 * (DESIGN.md "Processes, sockets, security model").  Results are malloc'd
 * strings owned by the caller, or NULL on out of memory. */
#ifndef SG_PATHS_H
#define SG_PATHS_H

#include <stddef.h>

/* $SANDGATE_DIR, else $XDG_RUNTIME_DIR/sandgate, else /tmp/sandgate-$UID. */
char *paths_runtime_dir(void);
/* $SANDGATE_DB, else $XDG_STATE_HOME/sandgate/sandgate.db (~/.local/state). */
char *paths_db(void);
/* $XDG_CONFIG_HOME/sandgate (~/.config/sandgate). */
char *paths_config_dir(void);
/* dir + "/" + name. */
char *paths_join(const char *dir, const char *name);

/* Create dir (and missing parents) with mode 0700, then check it is a
 * directory owned by us and not reachable by others.  0 on success, -1 with
 * a one-line reason in err. */
int paths_make_private_dir(const char *dir, char *err, size_t errlen);
/* Create the parent directories of a file path (mode 0700 for new ones). */
int paths_make_parent(const char *file, char *err, size_t errlen);

#endif
