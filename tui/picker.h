/* picker.h -- the remember picker (s): which of the broker's suggested
 * patterns, for whom (session, agent, workspace, global), for how long, and
 * up to which risk an allow applies; then a confirmation that repeats it
 * all before a or d decides the group and saves the rule (issue #16).
 * Formats into lines like the views; no curses, no I/O. */
#ifndef SG_PICKER_H
#define SG_PICKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/line.h"
#include "tui/model.h"

enum picker_step { PK_PATTERN, PK_SCOPE, PK_TTL, PK_CEILING, PK_CONFIRM };

#define PICKER_SCOPES 4
#define PICKER_TTLS 6
#define PICKER_CEILINGS 4
#define PICKER_ALSO 3

struct picker {
	enum picker_step step;
	size_t pattern, scope, ttl, ceiling; /* the choice at each step */
};

/* Start: the first suggestion, session, 8 hours, the group's level (at most high). */
void picker_start(struct picker *p, const struct mgroup *g);
/* How many options the current step has (0 at PK_CONFIRM). */
size_t picker_options(const struct picker *p, const struct mgroup *g);
/* A key at a choosing step: 1 moved on (or chose), 0 stayed (j/k), -1
 * cancelled.  Not for PK_CONFIRM. */
int picker_key(struct picker *p, const struct mgroup *g, int key);

const char *picker_scope_name(size_t i);        /* "session", "agent", "workspace", "global" */
const char *picker_ttl_label(size_t i);         /* "as suggested", "1 hour" ... "no expiry" */
int64_t picker_ttl_seconds(size_t i);           /* 0: no expiry; -1: the suggestion's own */
enum risk_level picker_ceiling_level(size_t i); /* low ... critical */
/* The scope value the broker will take from the group for scope i (its
 * session, agent, or the representative's workspace), NULL for global or
 * when the group has none (the scope cannot be chosen then). */
const char *picker_scope_value(const struct mgroup *g, size_t i);

/* Does the request's text match the pattern word for word (globs and bare
 * stars as in the rule language)?  What the console can tell by itself;
 * the broker's covers count is the authority. */
bool picker_words_cover(const char *pattern, const struct mreq *r);
/* Pending requests outside g that pattern matches word for word, of g's
 * session (scope 0), agent (1), workspace (2) or any (3): their count, the
 * first max of them (lowest ids first) into out. */
size_t picker_also(model *m, const struct mgroup *g, const char *pattern, size_t scope,
    const struct mreq **out, size_t max);

/* The picker box at width columns. */
/* A suggestion that does not answer every part of every member (issue #16):
 * "leaves `sh` to a person", on a new line at indent.  Nothing when whole. */
void picker_leaves(lines *out, const struct msugg *s, const char *indent);

void picker_format(lines *out, const struct picker *p, model *m, const struct mgroup *g, int width);

#endif
