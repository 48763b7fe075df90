/* promptexp.h -- bash prompt expansion ${x@P} (issue #13).
 *
 * ${x@P} expands x's value as a prompt string: backslash escapes first
 * (\nnn octal: \140 is a backquote), then parameter expansion and command
 * substitution.  So `x='$(id)'; echo ${x@P}` runs id, and
 * `echo "${v=\140env\140}${v@P}"` runs env.  When the value is known (set
 * earlier on the command line, or by ${x=WORD} / ${x:=WORD} in the same
 * line), wk_prompt_expand decodes its escapes and, if the result holds a
 * command substitution, walks it as one (context "${@P}"), with the signal
 * prompt-subst (55): the substitution is hidden.  Part of the intent walker. */
#ifndef SG_PROMPTEXP_H
#define SG_PROMPTEXP_H

#include "broker/intent/walk.h"

/* Is the operator of this ${...} "@P"? */
bool wk_prompt_op(const struct sh_seg *sg);

/* ${NAME=WORD}, ${NAME:=WORD}: the WORD as written (its escapes kept:
 * prompt expansion decodes them later) a variable not set yet gets. */
bool wk_prompt_default(const struct sh_seg *sg, const char **val, size_t *n);

/* x's value val[0..n): decode its prompt escapes and walk the command
 * substitutions it then holds. */
void wk_prompt_expand(struct walk *w, const char *val, size_t n);

#endif
