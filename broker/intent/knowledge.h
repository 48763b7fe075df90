/* knowledge.h -- low needs positive knowledge (docs/RISK.md "What sandgate
 * knows").
 *
 * After the walk and before the score, knowledge_apply() looks at what the
 * intent says sandgate understood, and makes sure nothing it did not
 * understand scores low:
 *
 *   - a program whose `programs` entry lacks the `known` flag (its risky
 *     options are not all described) is `prog-partial`;
 *   - a path known only at run time (an expansion it could not resolve) is
 *     `path-runtime`;
 *   - an opaque blob in the command text (a long base64 or hex run) is
 *     `opaque-blob`;
 *   - the workspace's own code run (a script of the workspace run directly or
 *     through a shell or interpreter, a `runs=` subcommand such as `make`,
 *     `npm run`, `cargo test`) outside a sandbox is `ws-code-unsandboxed`;
 *     when the request does not say where it runs, `ws-code-sandbox-unknown`
 *     (weight 0 in the built-in rules: see docs/RISK.md).
 *
 * These are floors, not additions: each is recorded only when nothing else
 * in the request weighs as much as it does, so they lift a request that
 * would be low to medium and leave a riskier one as it was.
 *
 * It also applies the `w=` key: a program given one of its w= options (prettier
 * --write) overwrites the files its t= spec reads. */
#ifndef SG_KNOWLEDGE_H
#define SG_KNOWLEDGE_H
#include "broker/intent/intent.h"

/* Where the request says the command runs (the request's `sandbox` field and
 * the agents' escape flags, see proto/PROTOCOL.md). */
enum sandbox_where { SB_UNKNOWN, SB_SANDBOXED, SB_UNSANDBOXED };

const char *sandbox_name(enum sandbox_where s);
/* "sandboxed" / "unsandboxed" / "unknown", else -1. */
int sandbox_by_name(const char *s, size_t n);

/* 0, or -1 on out of memory. */
int knowledge_apply(struct intent_ctx *x, const struct tables *t, enum sandbox_where sb);

#endif
