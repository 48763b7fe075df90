/* wallclock.h -- the time of day in milliseconds since the epoch: what the
 * protocol's *_ms fields, the audit rows and rule expiry hold.  (Intervals
 * use the loop's or CLOCK_MONOTONIC instead.) */
#ifndef SG_WALLCLOCK_H
#define SG_WALLCLOCK_H

#include <stdint.h>

int64_t wall_clock_ms(void);

#endif
