/* circumvent.h -- signals that an agent is going around the controls:
 *   retry      a request resembling one denied in the same session lately
 *              (same file, host or tool, or the same command reworded);
 *   agent-config  writing an agent's own settings or hook files
 *              (~/.claude, .claude/settings*.json, .codex, .gemini, .mcp.json...);
 *   agent-instructions  writing instructions an agent obeys in its next
 *              session (CLAUDE.md, AGENTS.md, GEMINI.md, .cursorrules, ...: the
 *              scorer's path class agent-instructions, tables/paths);
 *   sandbox-off   asking to run outside the sandbox (dangerouslyDisableSandbox,
 *              require_escalated, --dangerously-* flags);
 *   sandgate   reaching sandgate's own sockets, database, config, binary or
 *              process (also named inside code, a written file, MCP arguments:
 *              the scorer marks those, broker/intent/selfref.h).
 * A flagged request is never allowed by a rule and is shown to consoles. */
#ifndef SG_CIRCUMVENT_H
#define SG_CIRCUMVENT_H

#include <stdint.h>
#include <sys/types.h>

#include "broker/rules/subject.h"

enum {
	CIRC_RETRY = 1u << 0,
	CIRC_AGENT_CONFIG = 1u << 1,
	CIRC_SANDBOX_OFF = 1u << 2,
	CIRC_SANDGATE = 1u << 3,
	CIRC_AGENT_INSTR = 1u << 4,
	CIRC_NSIGNALS = 5,
};

/* Where sandgate's own files live (strings copied; any may be NULL). */
struct circ_env {
	const char *runtime_dir, *db_path, *config_dir;
	pid_t broker_pid;
};

typedef struct circ circ;

circ *circ_new(const struct circ_env *env);
void circ_free(circ *c);

/* The signals s raises in session at now.  part[i] (for each signal bit i)
 * receives the index of the part that raised it, or -1. */
unsigned circ_check(circ *c, const char *session, const struct subject *s, int64_t now_ms,
    int part[CIRC_NSIGNALS]);
/* Remember that a request of session was denied (by a person or a deny rule). */
void circ_note_denial(circ *c, const char *session, const struct subject *s, int64_t now_ms);

/* Reason id ("circumvention.retry") and one-line text for signal bit i. */
const char *circ_reason_id(unsigned i);
const char *circ_reason_text(unsigned i);

/* Is path (absolute) an agent's own settings or hook file?  Compared
 * without regard to case (.CLAUDE on a case-insensitive file system). */
bool circ_is_agent_config(const char *path, const char *home);

#endif
