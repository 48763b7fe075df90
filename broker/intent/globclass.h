/* globclass.h -- what a glob could match.
 *
 * A glob target (`src/STARSTAR/NAME.env`, a read_many_files include, `rm *.o`) stands
 * for every path it could match, so it is classed by the worst class among
 * them.  glob_could_match() answers "could some path match both the glob
 * and this paths-table pattern?" conservatively: it says yes when unsure
 * (over-approximation), component by component, with a double star
 * spanning any number of components.  Two wildcard components are taken to
 * overlap when either matches the other's shortest spelling (`*.json` and
 * `*credentials*.json` overlap; `*.c` and `id_rsa*` do not).
 *
 * Shell globs do not match a leading dot unless the pattern spells it
 * (`*` is not `.env`); the globs of agent tools often do (GLOB_DOTS). */
#ifndef SG_GLOBCLASS_H
#define SG_GLOBCLASS_H

#include <stdbool.h>
#include <stddef.h>

/* (STARSTAR: a double star; C comments cannot spell it after a slash.) */

enum {
	GLOB_DOTS = 1 << 0, /* the glob's wildcards match names that start with a dot */
	GLOB_FOLD = 1 << 1, /* the table pattern compares without regard to case */
	GLOB_NAMED = 1 << 2, /* a base-name pattern counts only when the glob's last
	                      * component spells it (*.pem, id_*, .env*), not when
	                      * it merely could match it (*, dist/STAR, build*) */
};

/* Does s[0..n) hold a wildcard (* ? [ {)? */
bool glob_has_wild(const char *s, size_t n);

/* Length of the literal directory before the first wildcard component of
 * the absolute glob g[0..n): "/w/src/STARSTAR/x" -> 6 ("/w/src"); 1 for "/"; 0 if
 * g has no wildcard. */
size_t glob_literal_dir(const char *g, size_t n);

/* Could a path match both the absolute glob g[0..gn) and the table pattern
 * pat (absolute, or a base-name pattern when base: it may sit in any
 * directory)?  flags: GLOB_DOTS, GLOB_FOLD. */
bool glob_could_match(const char *g, size_t gn, const char *pat, bool base, unsigned flags);

#endif
