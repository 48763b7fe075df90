/* packages.h -- package runners: programs that download a package and run
 * it (npx, npm exec, pnpm dlx, yarn dlx, bunx, uvx, uv tool run, pipx run,
 * go run pkg@version, deno run URL).  What the package spec says (a URL or
 * git repository, a pinned or the newest registry version, a local path),
 * whether the runner asks first, and which program then runs.  The data is
 * tables/runners; docs/RISK.md "Package runners". */
#ifndef SG_PACKAGES_H
#define SG_PACKAGES_H

#include <stddef.h>

#include "broker/intent/tables.h"
#include "broker/intent/famword.h"

struct intent_ctx;

/* The program a runner runs: w[at..] with w[at] read as name[0..len). */
struct pkg_run {
	size_t at;        /* n when there is no program to analyse (a URL, go run) */
	const char *name; /* the program's name (the spec without its version) */
	size_t len;
};

/* prog with words w[0..n) after it: 1 if it runs a package (signals are
 * recorded on command ci and out says what runs), 0 if it does not, -1 on
 * out of memory. */
int pkg_runner(struct intent_ctx *x, int ci, const struct tables *t, const char *prog, const struct fam_word *w,
    size_t n, struct pkg_run *out);

/* wget URL, wget -P DIR URL, curl -O URL: the file a download writes
 * without naming it (the URL's last path part) becomes a write target, so
 * running it later on the same line is running downloaded code.  0, or -1
 * on out of memory. */
int pkg_download_file(struct intent_ctx *x, int ci, const char *prog, const struct fam_word *w, size_t n);

/* The walker's hook (walk.h's struct an), for every known program. */
struct an;
void wk_package_command(struct an *an);

#endif
