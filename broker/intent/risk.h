/* risk.h -- weigh an intent: every signal, every target (effect x path
 * class) and every host becomes a reason with a rule id, a text, a weight
 * and the part of the request it points at.  The score is the riskiest
 * reason plus a share of other, different reasons of at least medium
 * weight; only a critical reason makes a request critical. */
#ifndef SG_RISK_H
#define SG_RISK_H

#include <stddef.h>

#include "broker/intent/arena.h"
#include "broker/intent/intent.h"
#include "broker/intent/tables.h"

#define RISK_MAX_REASONS 24 /* reasons kept, strongest first */

enum { RISK_MEDIUM = 25, RISK_HIGH = 50, RISK_CRITICAL = 80 };

struct risk_reason {
	const char *id;
	const char *text;
	int weight;
	const char *part;
	size_t partlen;
};

struct risk {
	int score;
	const char *level; /* static */
	struct risk_reason *reasons;
	size_t nreasons;
	size_t dropped; /* reasons beyond RISK_MAX_REASONS */
};

/* Score in; reasons live in a.  0, or -1 on out of memory. */
int risk_score(arena *a, const struct tables *t, const struct intent *in, struct risk *out);
/* "low", "medium", "high" or "critical". */
const char *risk_level(int score);

#endif
