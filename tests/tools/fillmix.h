/* fillmix.h -- the pending-request mix that sgfill and bench_groups submit:
 * git, npm, python, cargo, make, curl, rm, cat, docker commands with varying
 * arguments; writes under a few dozen directories; fetches; MCP tools.  Request
 * i goes to session SESS_PREFIX-(i % sessions) with req_id ID_PREFIX-i, agent
 * codex or claude-code, cwd and workspace /home/dev/project.  Never installed. */
#ifndef SG_TESTS_FILLMIX_H
#define SG_TESTS_FILLMIX_H

#include <msgpack.h>

/* Pack the params of a `submit` ([request map]) for request i. */
void fill_mix(msgpack_packer *pk, const char *id_prefix, const char *sess_prefix, int i, int sessions,
    int timeout_s);

#endif
