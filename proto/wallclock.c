/* wallclock.c -- the time of day in milliseconds (wallclock.h). */
#include "proto/wallclock.h"

#include <time.h>

int64_t
wall_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
