/* privwrap.h -- the level of a command run with other rights (issue #13
 * item 6).  The wrappers table says which programs run a command as root,
 * as another user, with another group (as=group: sg, newgrp) or in new
 * namespaces (as=ns: unshare); the walker analyses the wrapped command as
 * any other and these two functions weigh the rights it runs with:
 *
 *   root shell (sudo -i, sudo su, su -, sudo bash)   priv-shell   95 critical
 *   root, any program not known as routine admin     priv-root    85 critical
 *   root, routine administration (apt, systemctl)    priv-routine 50 high
 *   another user (sudo -u bob, su bob -c)            priv-user    55 high
 *   another group (sg GROUP CMD, newgrp GROUP)       priv-group   55 high
 *   new namespaces, root inside them (unshare -r)    priv-ns      30 medium
 *
 * and any of the lesser levels becomes priv-high (85, critical) when the
 * wrapped command is itself high (a reason of weight >= 50) or, for routine
 * administration, when it writes or deletes outside the workspace. */
#ifndef SG_PRIVWRAP_H
#define SG_PRIVWRAP_H

#include <stddef.h>

#include "broker/intent/intent.h"
#include "broker/intent/tables.h"

/* The rule id for running a command with these rights: as (enum wrap_as)
 * and the user named (NULL: root).  routine: the program is routine
 * administration (classes admin or power, not a shell or interpreter). */
const char *privwrap_rule(int as, const char *user, int routine);

/* After command ci and the commands nested in it (indices from first_cmd on)
 * were analysed, with signals from first_sig on: record priv-high on ci when
 * the lesser level it got understates what runs.  0, or -1 on out of memory. */
int privwrap_escalate(struct intent_ctx *x, const struct tables *t, int ci, size_t first_cmd, size_t first_sig);

#endif
