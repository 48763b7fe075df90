/* methods.h -- the broker's method table: which role may call what, with
 * which arity, and the handler for each. */
#ifndef SG_METHODS_H
#define SG_METHODS_H

#include "proto/rpc.h"

struct broker;
struct peer;

/* Handle one decoded request from p; replies (now or later) go to p. */
void methods_dispatch(struct broker *b, struct peer *p, const struct rpc_msg *m);

#endif
