/* mcpverb.h -- what an MCP tool does, from its verb (docs/RISK.md "MCP tools").
 *
 * A tool's name is split into words (snake_case, kebab-case, dotted and
 * camelCase); leading words that repeat the server's name (github_list_issues
 * of server github) or say "mcp" are skipped, as is a first word that
 * names what the server drives (browser_click, page_get_text), and the next word is the verb.
 * The verb is looked up among the word rows of tables/mcp (rows without a
 * wildcard: `list`, `get`, `delete`...):
 *
 *   - a reading verb (effect "-") makes the tool read-only, unless another
 *     word of the name is a strong writing word (get_or_create_x,
 *     list_and_delete) or names a secret (get_secret, read_credentials:
 *     mcp-secret-read);
 *   - a writing verb applies its row (effect and weight), as does a strong
 *     writing word anywhere in the name;
 *   - a name whose verb is not a word row (deletefile, frobnicate_x) is
 *     matched against the wildcard rows (`*delete*`...); a reading or the
 *     catch-all row there is not trusted: mcp-unknown (medium), never low. */
#ifndef SG_MCPVERB_H
#define SG_MCPVERB_H

#include <stddef.h>

#include "broker/intent/intent.h"
#include "broker/intent/tables.h"

/* Classify tool (of server, may be NULL) as command ci: records its rule
 * and effect on ci and sets *peff to what the tool does to the paths its
 * arguments name (view for a reading tool, write or delete for those,
 * else use).  0, or -1 on out of memory. */
int mcp_verb_apply(struct intent_ctx *x, const struct tables *t, int ci, const char *server, size_t sn,
    const char *tool, size_t tn, enum effect *peff);

#endif
