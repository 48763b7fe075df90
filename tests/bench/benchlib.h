/* benchlib.h -- what the benchmarks share: a clock, percentiles, process
 * CPU time, and a real broker in a private temp dir (runtime dir, DB,
 * config and HOME under it; never the user's).  Brokers started here run
 * with `preset = none` plus the config text given, so every figure is of
 * the rules the benchmark adds itself. */
#ifndef SG_BENCHLIB_H
#define SG_BENCHLIB_H

#include "proto/client.h"

#include <stddef.h>

double bench_now_us(void);
/* Sort ascending, then the p-th percentile (0..100) of n values. */
void bench_sort(double *v, size_t n);
double bench_pct(const double *sorted, size_t n, double p);
/* CPU seconds (user + system) process pid has used so far; 0 if unknown. */
double bench_proc_cpu(long pid);

/* Make a temp dir named /tmp/PREFIX.XXXXXX, point SANDGATE_DIR, SANDGATE_DB,
 * XDG_CONFIG_HOME and HOME into it and write "preset = none\n" + config
 * (may be NULL) as the broker's config.  Exits on failure.  Returns the dir. */
const char *bench_env(const char *prefix, const char *config);
/* Run `sandgate broker ARGS...` (NULL-terminated, may be NULL); exits if it
 * does not start.  bench_sandgate must be set. */
void bench_broker_start(const char *const *args);
/* The running broker's pid from its lock file, or 0. */
long bench_broker_pid(void);
/* SIGTERM the broker and wait until it is gone. */
void bench_broker_stop(void);
/* Remove the temp dir of bench_env. */
void bench_env_remove(void);
/* Connect to the broker as role; exits on failure. */
sg_client *bench_connect(enum sg_role role, const char *name);

extern const char *bench_sandgate;

#endif
