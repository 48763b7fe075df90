/* view.h -- the views: each formats rows into attributed lines (line.h)
 * for draw.c to paint.  They read the model and never call curses, so the
 * benchmark and the unit tests can run them without a terminal. */
#ifndef SG_VIEW_H
#define SG_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

#include "tui/auditsrc.h"
#include "tui/line.h"
#include "tui/model.h"

/* "4s", "12m", "3h", "2d" (at most 4 columns). */
void view_age(char *buf, size_t cap, int64_t ms);
/* The role for a risk level and its 4-column badge ("crit", "high", ...). */
int view_risk_role(enum risk_level l);
const char *view_risk_badge(enum risk_level l);
/* "  agent, 30 d, to medium, pinned": what saving a suggestion
 * makes (issue #17): scope, TTL (left out when none), ceiling, pin. */
void view_sugg_terms(char *buf, size_t cap, const struct msugg *s);

/* Queue rows [top, top+rows) of the model's queue; the row at sel is
 * highlighted.  Each line's tag is its queue index. */
void view_queue(lines *out, model *m, size_t top, size_t rows, size_t sel, bool focused,
    int width, int64_t now_ms);

/* Everything the detail view shows about one group and one of its members;
 * console.c gathers it (including the file on disk). */
struct detail_src {
	const struct mgroup *g;
	const struct mreq *r;               /* the member shown */
	const struct mreq *const *members;  /* the group's members, oldest first */
	size_t nmembers, member_index;
	const msgpack_object *req;          /* r's request map, decoded, or NULL */
	const msgpack_object *intent;       /* r's intent map, or NULL */
	const msgpack_object *common, *varies; /* the group's, decoded, or NULL */
	const char *disk;                   /* the target file's bytes, or NULL */
	size_t disk_len;
	const char *disk_note;              /* why there is no disk content, or NULL */
	const struct mrule *rules;          /* the broker's rules */
	size_t nrules;
	bool rules_available;
	const char *note;                   /* note waiting for the next decision */
	bool fresh;                         /* just became the request shown: mark its head */
	bool show_intent;                   /* unfold the broker's intent map */
	int64_t now_ms;
};

/* The whole detail document at width columns (the caller scrolls it). */
void view_detail(lines *out, const struct detail_src *src, int width);

/* Rules view rows; each line's tag is the rule index.  When the broker
 * has no rules method, one line says so. */
void view_rules(lines *out, model *m, bool available, size_t top, size_t rows, size_t sel,
    bool focused, int width, int64_t now_ms);
/* "allow ≤low", "allow", "deny": a rule's effect with its ceiling (issue #16). */
void view_rule_effect(char *buf, size_t cap, const struct mrule *r);
/* Detail of one rule. */
void view_rule_detail(lines *out, const struct mrule *r, int width, int64_t now_ms);

/* Audit view rows from the recent decisions; tag = row index. */
void view_audit(lines *out, const struct audit_rows *a, size_t top, size_t rows, size_t sel,
    bool focused, int width, int64_t now_ms);
void view_audit_detail(lines *out, const struct audit_row *r, int width, int64_t now_ms);

/* Agents: pending requests per agent and session, from the model. */
struct agent_row {
	const char *agent, *session;
	size_t pending;
	enum risk_level max_level;
	int64_t oldest_ms, pid;
};
/* Aggregate the model into rows (malloc'd into *rows, sorted by agent then
 * session); returns the count, or -1 on out of memory. */
long view_agents_collect(model *m, const char *filter, struct agent_row **rows);
void view_agents(lines *out, const struct agent_row *rows, size_t n, size_t top, size_t nrows,
    size_t sel, bool focused, int width, int64_t now_ms, long brokers_agents, long consoles);

/* Help overlay: every key of the key table. */
void view_help(lines *out, int width);

#endif
