/* filter.h -- the `/` filter: space-separated words that must all match
 * (case-insensitive).  "field:value" matches that field only; a bare word
 * matches any field.  For risk a value also matches every higher level
 * ("risk:high" shows high and critical).  No curses. */
#ifndef SG_FILTER_H
#define SG_FILTER_H

#include <stdbool.h>
#include <stddef.h>

struct filter_field {
	const char *name;   /* e.g. "agent", "kind", "risk", "decision", "text" */
	const char *value;  /* may be NULL */
	size_t len;
};

/* A field from a NUL-terminated value (NULL allowed). */
struct filter_field filter_field(const char *name, const char *value);

/* True if every word of filter matches; an empty filter matches all. */
bool filter_match(const char *filter, const struct filter_field *f, size_t n);

#endif
