/* broker.h -- the broker daemon: its shared state and entry point.
 *
 * The loop thread owns everything here; only the store's worker thread runs
 * elsewhere, and it talks back through store callbacks on the loop. */
#ifndef SG_BROKER_H
#define SG_BROKER_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>
#include <msgpack.h>

#include "broker/config.h"
#include "broker/record/store.h"

struct peer;
struct reqstate;
struct policy;

struct broker_opts {
	bool foreground;
	int timeout_s;     /* >0 overrides the config's default request timeout */
	const char *preset;/* non-NULL overrides the config's preset ("none": no preset) */
	int ready_fd;      /* write "ok\n" or an error line here once listening (-1: none) */
	bool system;       /* --system: system paths and socket modes (docs/SYSTEM-BROKER.md) */
};

struct broker {
	uv_loop_t *loop;
	uv_pipe_t agent_srv, console_srv;
	uv_signal_t sig_term, sig_int;
	uv_timer_t finish;
	store *store;
	struct reqstate *reqs;
	struct policy *policy;       /* rules, groups, circumvention (policy.h) */
	struct peer *peers;          /* every live connection */
	struct config cfg;
	char *dir, *agent_path, *console_path, *db_path;
	int lock_fd;
	int64_t started_ms;
	uint64_t next_peer_id;
	bool stopping;
	bool store_failing;          /* the last store health event was an error */
	char store_error[256];       /* ... and its message (for status) */
	/* issue #15 */
	struct pager *pager;         /* the pager command's runs (pager.h) */
	int64_t clock_skew_ms;       /* added to the wall clock (broker_now_ms) */
	bool test_clock;             /* SANDGATE_TEST_CLOCK=1: the `clock` method may move it */
};

/* The broker's clock for deadlines, escalation and expiry: the wall clock,
 * moved forward by the `clock` method in tests (SANDGATE_TEST_CLOCK=1). */
int64_t broker_now_ms(const struct broker *b);

/* Run the broker until SIGTERM/SIGINT; returns the process exit code. */
int broker_main(const struct broker_opts *opts);

/* Send a packed message to every console that subscribed. */
void broker_broadcast(struct broker *b, const char *data, size_t len);
/* Called when the last pending work is done during shutdown. */
void broker_maybe_finish(struct broker *b);
/* Connected peers by role (for status). */
void broker_count_peers(struct broker *b, int *agents, int *consoles);


#endif
