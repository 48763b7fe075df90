/* auditlink.h -- the audit record attached to the running broker. */
#ifndef SG_AUDITLINK_H
#define SG_AUDITLINK_H

struct broker;
struct config;
struct store_opts;

/* Hand the config's audit settings to the store and turn store health
 * changes into "alert" notifications to the consoles.  Call once after the
 * store is open. */
void audit_attach(struct broker *b);
/* Copy the config's audit settings into the store's options (broker start-up). */
void audit_store_opts(const struct config *cfg, struct store_opts *so);

#endif
