/* assess.h -- the one entry point the broker calls: turn a submitted
 * request into its intent and risk.  Tables are loaded once; assessing is
 * fast (tens of microseconds for a typical command) and never fails open:
 * input it cannot understand scores at least high.
 *
 * Not thread-safe: call assess_request from one thread (the broker's loop
 * thread; the CLI's main thread). */
#ifndef SG_ASSESS_H
#define SG_ASSESS_H

#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

typedef struct assess_tables assess_tables;

/* Load the built-in tables, then overrides from config_dir/tables (may be
 * NULL).  NULL and a one-line reason in err on failure. */
assess_tables *assess_tables_load(const char *config_dir, char *err, size_t errlen);
void assess_tables_free(assess_tables *t);

/* Use l (copied) as the `workspaces` setting (broker/intent/workspace.h):
 * directories whose trees are workspaces.  0, or -1 on out of memory. */
struct ws_list;
int assess_set_workspaces(assess_tables *t, const struct ws_list *l);

struct assess_result {
	int score;         /* 0-100 */
	const char *level; /* "low", "medium", "high" or "critical" (static) */
};

/* Assess one request: req is the submitted msgpack map (fields as in
 * proto/PROTOCOL.md: kind, command or argv, cwd, workspace, path, content,
 * old/new, url/host/port/method, server/tool/arguments, tool_name,
 * tool_input).  Packs ONE msgpack map into pk:
 *   {"intent": {...}, "risk": {"score": int, "level": str,
 *    "reasons": [{"id", "text", "weight", "part"}, ...]}}
 * (docs/RISK.md describes every field) and fills *out.  Returns 0, or -1
 * on out of memory (then nothing was packed and *out says critical). */
int assess_request(const assess_tables *t, const msgpack_object *req, msgpack_packer *pk,
    struct assess_result *out);

/* Which files the request's session created (issue #17; docs/RISK.md
 * "Files this session created"): created(ctx, path, len) returns the id of
 * the allowed request of the same session that created the absolute,
 * normalised path, or 0.  The broker's answer (broker/provenance.h); the
 * scorer only asks, for the files a request deletes or overwrites inside
 * its workspace. */
struct assess_prov {
	int64_t (*created)(void *ctx, const char *path, size_t len);
	void *ctx;
};

/* assess_request with the session's created files (prov may be NULL: none). */
int assess_request_prov(const assess_tables *t, const msgpack_object *req, const struct assess_prov *prov,
    msgpack_packer *pk, struct assess_result *out);

/* The same for a bare shell command line (sandgate score); cwd and
 * workspace (the declared one: checked as a request's is) may be NULL. */
int assess_command(const assess_tables *t, const char *cmd, size_t len, const char *cwd,
    const char *workspace, msgpack_packer *pk, struct assess_result *out);

#endif
