/* compare.h -- a request against a remembered rule's (or a group's)
 * pattern, token by token: which words match (glob), which the request adds
 * (+), which the pattern has and the request lacks (-), and which differ
 * (~, e.g. "main" where the rule says "feature/..."). No curses. */
#ifndef SG_COMPARE_H
#define SG_COMPARE_H

#include <stddef.h>

#define COMPARE_MAX_TOKENS 128

struct cmp_tok {
	const char *s;   /* points into the compared string */
	size_t n;
	char mark;       /* '=' matches, '+' only in the request, '-' only in the pattern, '~' differs */
	int pair;        /* for '~': index of the token it differs from on the other side */
};

struct compare {
	struct cmp_tok pat[COMPARE_MAX_TOKENS], req[COMPARE_MAX_TOKENS];
	size_t npat, nreq;
	int matched;
	double score;    /* 0..1: share of tokens that match */
};

/* Compare request text against a pattern (both space-separated words;
 * glob characters in the pattern match as in fnmatch).  Words past
 * COMPARE_MAX_TOKENS are ignored. */
void compare_tokens(const char *pattern, const char *request, struct compare *out);

#endif
