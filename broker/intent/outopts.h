/* outopts.h -- the spellings of an output option (issue #13 item 7).
 *
 * A program's table entry names the options whose value is a file it
 * writes (tables/programs: t=opt:--output:write, opt:-o:write/format-patch).
 * The walker finds their values in every spelling the program accepts:
 * "--output FILE", "--output=FILE", "-o FILE", "-oFILE", inside a group
 * ("-qO FILE"), and, for programs whose long options may be abbreviated
 * (the abbrev flag: git's parse-options, GNU getopt_long), any unambiguous
 * prefix ("--outp=FILE").  These helpers decide the matching; the walker
 * adds the targets. */
#ifndef SG_OUTOPTS_H
#define SG_OUTOPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "broker/intent/tables.h"

/* Is the option word name[0..n) (without "=value") a spelling of the long
 * option opt ("--output")?  With abbrev, a prefix of at least four bytes
 * ("--ou") counts: such a program accepts it when no other option shares it,
 * and refuses the command otherwise, so reading it as opt over-approximates
 * only commands that fail. */
bool outopt_long_is(const char *name, size_t n, const char *opt, bool abbrev);

/* Does an entry scoped to subcommands subs (empty: every subcommand) apply
 * after subcommand sub (NULL: none given)? */
bool outopt_sub_ok(const struct strlist *subs, const char *sub);

/* Does option name[0..n) take a value among the options of list l, for a
 * program with the abbrev flag?  (Exact names are the caller's test.) */
bool outopt_abbrev_in(const struct strlist *l, const char *name, size_t n);



/* Is path an existing directory (following links)?  A file written "to" a
 * directory (cp x /tmp, tar -C DIR, unzip -d DIR) lands inside it, so the
 * walker classes the write by a child of the directory. */
bool outopt_is_dir(const char *path);
#endif
