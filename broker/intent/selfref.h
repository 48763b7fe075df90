/* selfref.h -- text that names sandgate itself.
 *
 * An agent running as its reviewer's user can reach the console socket,
 * the database or the rules and decide for itself: `socat -
 * UNIX-CONNECT:$SANDGATE_DIR/console.sock`, a Python one-liner that
 * connects to /run/user/1000/sandgate/console.sock, a Makefile target that
 * does it later, `sqlite3 ~/.local/state/sandgate/sandgate.db`, `sandgate
 * decide 12 allow`.  Every such request must reach a person, so the
 * scorer looks for sandgate's own names in all the text a request carries
 * (the command line, inline code, the content it writes, MCP arguments):
 *
 *   - its runtime dir, config dir, database and binary as configured;
 *   - console.sock anywhere; agent.sock, audit.key, broker.lock after a
 *     "sandgate" directory; sandgate.db; the SANDGATE_DIR and SANDGATE_DB
 *     variables; the default locations (.config/sandgate, /tmp/sandgate-);
 *   - `sandgate` followed by a subcommand that acts as a reviewer or on the
 *     broker (decide, rules, console, pending, broker, status, audit,
 *     install, uninstall, demo, pane).
 *
 * Editing sandgate's own sources or docs that spell these names raises the
 * signal too: that is a request a person should see. */
#ifndef SG_SELFREF_H
#define SG_SELFREF_H

#include <stdbool.h>
#include <stddef.h>

struct selfref_env {
	const char *runtime_dir, *config_dir, *db_path, *exe; /* any may be NULL */
};

/* The first mention of sandgate in text[0..n): true with *at and *len set. */
bool selfref_find(const struct selfref_env *env, const char *text, size_t n, const char **at, size_t *len);

#endif
