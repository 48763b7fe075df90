/* escpolicy.h -- the escalation policy (issue #15): per risk level, when an
 * unanswered request escalates (escalate.LEVEL), when it expires and is
 * denied (expire.LEVEL), how many distinct approvers (by uid) allow it
 * (quorum.LEVEL); the baseline it starts from (policy = strict | balanced |
 * permissive), stricter baselines per agent, uid or group, the pager.
 *
 * Resolution of one value for a request (escpolicy_resolve): the global
 * baseline's value, replaced by an explicit key (escalate.high = 60s), then
 * each scoped baseline that applies (policy.agent.NAME, policy.uid.N,
 * policy.group.NAME) may only make it stricter: an earlier escalation, an
 * earlier expiry, a larger quorum.  So a per-user baseline can never weaken
 * what the file says for everyone.  Each value keeps where it came from. */
#ifndef SG_ESCPOLICY_H
#define SG_ESCPOLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ESC_LEVELS 4            /* low, medium, high, critical (enum rule_level) */
#define ESC_OFF (-1)            /* escalate / expire: never */
#define ESC_MAX_SCOPES 64
#define ESC_MAX_MEMBERS 64

enum esc_base { ESC_STRICT, ESC_BALANCED, ESC_PERMISSIVE };
enum esc_scope_kind { ESC_SCOPE_AGENT, ESC_SCOPE_UID, ESC_SCOPE_GROUP };

struct esc_scope {
	enum esc_scope_kind kind;
	char name[64];           /* agent name, uid or group as written */
	uid_t uid;
	gid_t gid;
	uid_t members[ESC_MAX_MEMBERS]; /* a group's members (from the group database at load) */
	int nmembers;
	enum esc_base base;
	int line;
};

struct escpolicy {
	enum esc_base base;
	int base_line;                      /* 0: the default (balanced) */
	int64_t escalate_ms[ESC_LEVELS];    /* explicit keys; valid where *_line > 0 */
	int64_t expire_ms[ESC_LEVELS];
	int quorum[ESC_LEVELS];
	int escalate_line[ESC_LEVELS], expire_line[ESC_LEVELS], quorum_line[ESC_LEVELS];
	bool quorum_deny_any;               /* quorum_deny = any (default) | all */
	int quorum_deny_line;
	char pager[1024];                   /* pager = COMMAND ("" = none) */
	int pager_line;
	int64_t pager_timeout_ms;           /* pager_timeout = DURATION (default 10s) */
	int pager_timeout_line;
	bool notify_bell, notify_tmux;      /* notify = bell,tmux | none (console-side) */
	int notify_line;
	struct esc_scope scopes[ESC_MAX_SCOPES];
	int nscopes;
};

/* One effective value and its origin ("policy balanced (default)",
 * "line 4: escalate.high = 60s", "line 9: policy.uid.1001 = strict"). */
struct esc_effective {
	int64_t escalate_ms[ESC_LEVELS], expire_ms[ESC_LEVELS];
	int quorum[ESC_LEVELS];
	char escalate_src[ESC_LEVELS][128], expire_src[ESC_LEVELS][128], quorum_src[ESC_LEVELS][128];
};

void escpolicy_defaults(struct escpolicy *p);
/* Is key one of the policy's keys?  (config.c routes it here.) */
bool escpolicy_key(const char *key);
/* Apply key = value from line lineno; 0, or -1 with why (no "line N"). */
int escpolicy_set(struct escpolicy *p, const char *key, const char *value, int lineno,
    char *why, size_t whylen);
/* The policy for a request of agent (may be NULL) from uid/gid. */
void escpolicy_resolve(const struct escpolicy *p, const char *agent, bool has_uid, uid_t uid,
    gid_t gid, struct esc_effective *out);
const char *esc_base_name(enum esc_base b);
const char *esc_level_name(int level);
/* "60s", "10m", "off" */
void esc_format_ms(int64_t ms, char *buf, size_t cap);

#endif
