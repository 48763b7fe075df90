/* config.h -- the broker's settings file ($XDG_CONFIG_HOME/sandgate/config):
 * "key = value" lines, '#' comments.  Unknown keys and bad values are errors
 * naming the line, so a typo never silently weakens a setting. */
#ifndef SG_CONFIG_H
#define SG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
	/* where audit checkpoints are copied outside the DB (docs/AUDIT.md) */
	char audit_checkpoint_file[1024]; /* audit_checkpoint_file: "" = next to the DB, "none" = no file */
	bool audit_syslog;                /* audit_syslog: also send each checkpoint to syslog */
};

void config_defaults(struct config *c);
/* Parse text (len bytes, need not be NUL-terminated) into c.  0 on success,
 * -1 with "line N: reason" in err. */
int config_parse(struct config *c, const char *text, size_t len, char *err, size_t errlen);
/* Load path if it exists (a missing file is fine).  0 or -1 with err. */
int config_load(struct config *c, const char *path, char *err, size_t errlen);

#endif
