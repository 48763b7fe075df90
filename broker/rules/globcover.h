/* globcover.h -- does a rule's path glob cover every path a glob could match?
 *
 * A request may name a pattern instead of a file (a Glob tool's `STARSTAR/x.py`,
 * a read_many_files include, `rm *.o`, the files find deletes).  A rule
 * covers such a part only when its own path glob matches every path the
 * part's glob could match.  glob_covers() decides that conservatively: it
 * answers true only when it can show the inclusion component by component
 * (a rule's double star swallows any run of the part's components, a
 * single-component wildcard covers a part component it can match in every
 * spelling); a part component it cannot read ([set], {a,b}) is covered only
 * by a lone star.  When unsure: not covered.
 *
 * (STARSTAR is a double star: C comments cannot spell it after a slash.) */
#ifndef SG_GLOBCOVER_H
#define SG_GLOBCOVER_H

#include <stdbool.h>

/* pat: a rule path glob relative to its anchor (pattern.c syntax: * and ?
 * within a component, a double-star component across components, \
 * escapes).  glob: the part's pattern relative to the same anchor (shell or
 * agent glob syntax: * ? [set] {a,b}).  Both without a leading slash. */
bool glob_covers(const char *pat, const char *glob);

#endif
