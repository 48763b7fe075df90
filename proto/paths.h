/* paths.h -- where sandgate's runtime dir, sockets, DB and config live
 * (DESIGN.md "Processes, sockets, security model").  Results are malloc'd
 * strings owned by the caller, or NULL on out of memory. */
#ifndef SG_PATHS_H
#define SG_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* System mode (`sandgate broker --system`, or SANDGATE_SYSTEM=1 in the
 * environment of any command): the defaults below become a system broker's,
 * /run/sandgate, /var/lib/sandgate/sandgate.db and /etc/sandgate
 * (docs/SYSTEM-BROKER.md).  The SANDGATE_* variables still override them. */
void paths_set_system(bool on);
bool paths_system(void);

/* $SANDGATE_DIR, else /run/sandgate in system mode, else
 * $XDG_RUNTIME_DIR/sandgate, else /tmp/sandgate-$UID. */
char *paths_runtime_dir(void);
/* $SANDGATE_DB, else /var/lib/sandgate/sandgate.db in system mode, else
 * $XDG_STATE_HOME/sandgate/sandgate.db (~/.local/state). */
char *paths_db(void);
/* $SANDGATE_CONFIG_DIR, else /etc/sandgate in system mode, else
 * $XDG_CONFIG_HOME/sandgate (~/.config/sandgate). */
char *paths_config_dir(void);
/* dir + "/" + name. */
char *paths_join(const char *dir, const char *name);
/* Fold ".", ".." and repeated slashes of an absolute path in place (lexically). */
void paths_normalize(char *path);

/* Create dir (and missing parents) with mode 0700, then check it is a
 * directory owned by us and not reachable by others.  0 on success, -1 with
 * a one-line reason in err. */
int paths_make_private_dir(const char *dir, char *err, size_t errlen);
/* The broker's runtime dir: created if missing (with missing parents, 0700,
 * unless system; in system mode only dir itself), then checked through a
 * descriptor opened without following links: a directory owned by us, which
 * is then given mode.  system: its parent must be a dir that root owns and
 * nobody else can write, or clients would not trust it (proto/trust.h).
 * Returns the open descriptor (O_DIRECTORY) or -1 with the reason in err. */
int paths_open_runtime_dir(const char *dir, mode_t mode, bool system, char *err, size_t errlen);
/* Create the parent directories of a file path (mode 0700 for new ones). */
int paths_make_parent(const char *file, char *err, size_t errlen);

#endif
