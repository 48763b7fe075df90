/* sgfill.c -- test helper: submit many pending requests over one agent
 * connection (pipelined), then keep the connection open so they stay
 * pending (a closed connection withdraws them).  Never installed.
 *
 *   sgfill N [SECONDS] [SESSIONS]
 *
 * Submits N requests spread over a realistic mix of groups (git, npm,
 * python, cargo, make, curl, rm, cat commands with varying arguments;
 * writes under a few dozen directories; fetches; MCP tools) in SESSIONS
 * sessions (default 8: "flood-0".."flood-7"), prints "submitted N" once
 * every reply is in, then holds the connection for SECONDS (default 600)
 * or until killed.  Exit 1 if the broker refused a submit (the reason on
 * stderr), 3 if it cannot be reached. */
#include "tests/tools/fillmix.h"
#include "proto/client.h"
#include "proto/paths.h"
#include "proto/rpc.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0, secs = argc > 2 ? atoi(argv[2]) : 600;
	int sessions = argc > 3 ? atoi(argv[3]) : 8, sent = 0, got = 0;
	char err[256], *dir = paths_runtime_dir(), *path = dir != NULL ? paths_join(dir, "agent.sock") : NULL;
	sg_client *c = path != NULL ? client_connect(path, ROLE_AGENT, "sgflood", 5000, err, sizeof err) : NULL;
	uint32_t first = 0;
	time_t end;

	free(dir);
	free(path);
	if (n <= 0 || sessions <= 0) {
		fprintf(stderr, "usage: sgflood N [SECONDS] [SESSIONS]\n");
		return 2;
	}
	if (c == NULL) {
		fprintf(stderr, "sgflood: %s\n", err);
		return 3;
	}
	while (got < n) {
		struct client_msg m;
		size_t elen;
		const char *e;

		while (sent < n && sent - got < 256) {
			uint32_t id;

			fill_mix(client_begin(c, "submit", &id), "flood", "flood", sent, sessions, 3600);
			if (sent == 0)
				first = id;
			if (client_send(c, 30000) < 0) {
				fprintf(stderr, "sgflood: %s\n", client_error(c));
				return 3;
			}
			sent++;
		}
		if (client_wait(c, first + (uint32_t)got, 60000, &m) < 0) {
			fprintf(stderr, "sgflood: %s\n", client_error(c));
			return 3;
		}
		if ((e = client_msg_error(&m, &elen)) != NULL) {
			fprintf(stderr, "sgflood: submit %d refused: %.*s\n", got, (int)elen, e);
			return 1;
		}
		client_msg_free(&m);
		got++;
	}
	printf("submitted %d\n", n);
	fflush(stdout);
	for (end = time(NULL) + secs; time(NULL) < end;) {
		struct pollfd p = { .fd = client_fd(c), .events = POLLIN };

		if (poll(&p, 1, 500) > 0 && client_pump(c) < 0)
			break; /* the broker went away */
		{
			struct client_msg m;

			while (client_next(c, &m) == 1)
				client_msg_free(&m);
		}
	}
	client_close(c);
	return 0;
}
