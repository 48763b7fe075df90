/* substlit.h -- the output of a command substitution that only prints
 * literals: $(echo ls), `echo rm -rf /`, $(printf %s x).  Such a
 * substitution is judged as the text it produces, not as a computed name. */
#ifndef SG_SUBSTLIT_H
#define SG_SUBSTLIT_H

#include <stdbool.h>
#include <stddef.h>

#include "broker/intent/arena.h"
#include "broker/intent/shell.h"

/* If l is one echo or printf whose words are all literal (no expansion)
 * and whose output sandgate can compute (echo -n/-e/-E without escapes;
 * printf with only %s, %% and \n \t \\), its output without trailing
 * newlines, allocated in a; else false. */
bool subst_literal(arena *a, const struct sh_list *l, const char **out, size_t *n);

#endif
