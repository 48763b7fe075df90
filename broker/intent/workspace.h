/* workspace.h -- which directory is a request's workspace (issue #12, item 9).
 *
 * "Workspace" lowers the risk of writes (a new file in the workspace is low)
 * and anchors `./` rule patterns and the `workspace` rule scope, so it must
 * not be whatever cwd an agent sends.  In this order, the workspace is:
 *
 *   declared    the request's `workspace` field (adapters fill it from the
 *               agent's project-dir variable, e.g. CLAUDE_PROJECT_DIR), if it
 *               is an absolute, existing directory that is not refused (below);
 *   configured  the deepest entry of the `workspaces` setting that holds the
 *               cwd (every child of ~/src, /srv/build: see docs/RISK.md);
 *   git         the top level of the git repository holding the cwd (a `.git`
 *               directory, or a `.git` file starting "gitdir:"), unless that is
 *               $HOME or / (dotfiles repositories) or refused;
 *   none        otherwise: nothing is "workspace", `./` patterns match nothing,
 *               and writes are weighed by their path alone.
 *
 * Refused (never a workspace): /, $HOME and its ancestors, the system trees
 * (/usr, /etc, /bin, /sbin, /lib*, /boot, /dev, /proc, /sys, /run, /var except
 * /var/tmp/X, /var/www/X and /var/home/X), /tmp, /var/tmp, /home, /root, /opt,
 * /srv, /mnt, /media, /snap themselves, sandgate's own directories, and --
 * for declared and git workspaces, which an agent can influence -- anything
 * in a dot-directory of $HOME and anything the path tables class as secret,
 * agent configuration, persistence, device or system.  A workspace is
 * checked both as named and after resolving its links. */
#ifndef SG_WORKSPACE_H
#define SG_WORKSPACE_H

#include <stdbool.h>
#include <stddef.h>

#include "broker/intent/fsresolve.h"

struct tables;

enum ws_source { WS_NONE, WS_DECLARED, WS_CONFIGURED, WS_GIT };

#define WS_MAX_ENTRIES 64

/* The `workspaces` setting: absolute globs, ~ expanded, normalised. */
struct ws_list {
	char *v[WS_MAX_ENTRIES];
	size_t n;
};

struct ws_env {
	const char *home;           /* may be NULL */
	const char *home_real;      /* its real path, or NULL */
	const char *const *own;     /* sandgate's directories: NULL-terminated, may be NULL */
	const struct tables *t;     /* path classes, or NULL */
};

struct ws_result {
	enum ws_source source;
	char path[FSR_MAX_PATH + 1];   /* the workspace ("" for none) */
	char real[FSR_MAX_PATH + 1];   /* its real path when it differs and exists, else "" */
	char ignored[FSR_MAX_PATH + 96]; /* a declared workspace that was refused, and why, or "" */
};

const char *ws_source_name(enum ws_source s);

/* Add the comma-separated entries of one `workspaces = ...` value.  0, or -1
 * with a reason in err (the list is left as it was). */
int ws_list_add(struct ws_list *l, const char *value, const char *home, char *err, size_t errlen);
void ws_list_free(struct ws_list *l);
/* A copy of src into dst (dst is freed first); -1 on out of memory. */
int ws_list_copy(struct ws_list *dst, const struct ws_list *src);

/* Why dir (absolute, normalised) can never be a workspace, or NULL.  strict:
 * the stricter checks for declared and git workspaces. */
const char *ws_refused(const struct ws_env *e, const char *dir, bool strict);

/* Determine the workspace of a request; declared and cwd may be NULL. */
void ws_determine(const struct ws_env *e, const struct ws_list *cfg, const char *declared, const char *cwd,
    struct ws_result *out);

#endif
