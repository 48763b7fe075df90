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
#include "proto/client.h"
#include "proto/paths.h"
#include "proto/rpc.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void
pack_mix(msgpack_packer *pk, int i, int sessions)
{
	char id[48], cmd[256], sess[32], path[256];
	int k = (i / sessions) % 23, v = i / (sessions * 23);

	snprintf(id, sizeof id, "flood-%d", i);
	snprintf(sess, sizeof sess, "flood-%d", i % sessions);
	msgpack_pack_array(pk, 1);
	if (k < 14) {
		switch (k) {
		case 0: snprintf(cmd, sizeof cmd, "git status"); break;
		case 1: snprintf(cmd, sizeof cmd, "git push origin feature/f%d", v % 40); break;
		case 2: snprintf(cmd, sizeof cmd, "git diff --stat HEAD~%d", v % 9 + 1); break;
		case 3: snprintf(cmd, sizeof cmd, "npm run test -- src/components/c%d.test.tsx", v); break;
		case 4: snprintf(cmd, sizeof cmd, "npm install left-pad-%d", v % 300); break;
		case 5: snprintf(cmd, sizeof cmd, "python3 scripts/job_%d.py --fast", v % 500); break;
		case 6: snprintf(cmd, sizeof cmd, "cargo build -p crate%d --release", v % 60); break;
		case 7: snprintf(cmd, sizeof cmd, "make -C sub%d all", v % 25); break;
		case 8: snprintf(cmd, sizeof cmd, "curl -s https://api%d.example.com/v1/items/%d", v % 20, v); break;
		case 9: snprintf(cmd, sizeof cmd, "rm -rf build/tmp%d", v); break;
		case 10: snprintf(cmd, sizeof cmd, "cat src/mod%d/file%d.c | grep -n TODO", v % 30, v); break;
		case 11: snprintf(cmd, sizeof cmd, "docker run --rm img%d:latest echo %d", v % 15, v); break;
		case 12: snprintf(cmd, sizeof cmd, "tool%d --input data/%d.json", v % 120, v); break;
		default: snprintf(cmd, sizeof cmd, "ls -la dir%d && wc -l file%d", v % 50, v); break;
		}
		msgpack_pack_map(pk, 8);
		rpc_pack_kv_str(pk, "kind", "exec");
		rpc_pack_kv_str(pk, "command", cmd);
	} else if (k < 18) {
		snprintf(path, sizeof path, "/home/dev/project/src/mod%d/sub%d/file%d.c", v % 40, k, v);
		msgpack_pack_map(pk, 9);
		rpc_pack_kv_str(pk, "kind", "write");
		rpc_pack_kv_str(pk, "path", path);
		rpc_pack_kv_str(pk, "content", "int x;\n");
	} else if (k < 21) {
		snprintf(path, sizeof path, "https://pkg%d.registry%d.example.org/p/%d", v % 10, v % 35, v);
		msgpack_pack_map(pk, 9);
		rpc_pack_kv_str(pk, "kind", "net");
		rpc_pack_kv_str(pk, "url", path);
		rpc_pack_kv_str(pk, "method", "GET");
	} else {
		snprintf(path, sizeof path, "tool_%d", v % 45);
		msgpack_pack_map(pk, 9);
		rpc_pack_kv_str(pk, "kind", "mcp");
		rpc_pack_kv_str(pk, "server", k == 21 ? "github" : "linear");
		rpc_pack_kv_str(pk, "tool", path);
	}
	rpc_pack_kv_str(pk, "req_id", id);
	rpc_pack_kv_str(pk, "agent", i % 3 == 0 ? "codex" : "claude-code");
	rpc_pack_kv_str(pk, "session", sess);
	rpc_pack_kv_str(pk, "cwd", "/home/dev/project");
	rpc_pack_kv_str(pk, "workspace", "/home/dev/project");
	rpc_pack_kv_int(pk, "timeout", 3600);
}

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

			pack_mix(client_begin(c, "submit", &id), sent, sessions);
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
