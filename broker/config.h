/* config.h -- the broker's settings file ($XDG_CONFIG_HOME/sandgate/config):
 * "key = value" lines, '#' comments.  Unknown keys and bad values are errors
 * naming the line, so a typo never silently weakens a setting. */
#ifndef SG_CONFIG_H
#define SG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "broker/escpolicy.h"

struct config {
	int timeout_s;           /* default deadline of a request (timeout) */
	bool per_request_commit; /* commit = each | grouped */
	bool fsync;              /* durability = normal | fsync */
	int max_pending;         /* pending requests the broker holds at most */
	int audit_checkpoint_rows;     /* audit_checkpoint_rows: sign every N rows */
	int64_t audit_checkpoint_ms;   /* audit_checkpoint_interval: ... or this often */
	int64_t audit_retention_ms;    /* audit_retention: prune older rows (0 = forever) */
	int64_t db_max_pages;          /* db_max_pages: cap the DB size (0 = none) */
	char preset[16];               /* preset: rules installed once per DB ("" = none) */
	/* learned suggestions and remembered high requests (issue #17,
	 * broker/rules/suggest.h): learn_sessions (0 = off), learn_ttl (0 =
	 * no expiry), remember_high_ttl */
	int learn_sessions;
	int64_t learn_ttl_ms, remember_high_ttl_ms;
	/* quotas (issue #12): pending requests one session (uid + session id)
	 * and one uid may hold, and the longest timeout a request may ask for.
	 * An unset key follows the others (config_parse); quota_line[] holds
	 * the line that set each (0: not set) for the cross-key checks. */
	int max_pending_session, max_pending_uid, max_request_timeout_s;
	int quota_line[3];
	/* console_group / agent_group: the group console.sock / agent.sock is
	 * given (mode 0660) instead of 0600 / 0600 (0666 in system mode) */
	bool has_console_group, has_agent_group;
	gid_t console_gid, agent_gid;
	char console_group[64], agent_group[64]; /* as written, for messages */
	/* where audit checkpoints are copied outside the DB (docs/AUDIT.md) */
	char audit_checkpoint_file[1024]; /* audit_checkpoint_file: "" = next to the DB, "none" = no file */
	bool audit_syslog;                /* audit_syslog: also send each checkpoint to syslog */
	/* issue #16: requests a new rule allows besides the ones the person
	 * decided wait this long before their answers go out, so `u` (undo)
	 * can still take the rule back (0: answered at once) */
	int64_t undo_window_ms;
	char workspaces[4096];         /* workspaces: the entries of every such line, comma-joined */
	/* escalation, expiry, quorum, pager, baselines (issue #15, escpolicy.h) */
	struct escpolicy esc;
};

void config_defaults(struct config *c);
/* Parse text (len bytes, need not be NUL-terminated) into c.  0 on success,
 * -1 with "line N: reason" in err. */
int config_parse(struct config *c, const char *text, size_t len, char *err, size_t errlen);
/* Load path if it exists (a missing file is fine).  0 or -1 with err. */
int config_load(struct config *c, const char *path, char *err, size_t errlen);

/* The `workspaces` setting as a list (broker/intent/workspace.h), ~ taken
 * from $HOME.  0, or -1 with err. */
struct ws_list;
int config_workspaces(const struct config *c, struct ws_list *out, char *err, size_t errlen);

#endif
