/* watch.c -- test helper: subscribe as a console and print every
 * notification as "METHOD JSON-PARAMS", one per line, for SECONDS seconds
 * (or until killed).  Prints "ready" once subscribed.  Never installed. */
#include "proto/mpjson.h"
#include "proto/client.h"
#include "proto/paths.h"
#include "proto/rpc.h"

#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
main(int argc, char **argv)
{
	char err[256], *dir = paths_runtime_dir(), *path = paths_join(dir, "console.sock");
	sg_client *c = client_connect(path, ROLE_CONSOLE, "watch", 5000, err, sizeof err);
	int secs = argc > 1 ? atoi(argv[1]) : 10;
	time_t end = time(NULL) + secs;
	struct client_msg m;
	uint32_t id;

	free(dir);
	free(path);
	if (c == NULL) {
		fprintf(stderr, "watch: %s\n", err);
		return 3;
	}
	msgpack_pack_array(client_begin(c, "subscribe", &id), 0);
	if (client_send(c, 5000) < 0 || client_wait(c, id, 5000, &m) < 0)
		return 3;
	client_msg_free(&m);
	printf("ready\n");
	fflush(stdout);
	while (time(NULL) < end) {
		struct pollfd p = { .fd = client_fd(c), .events = POLLIN };

		if (poll(&p, 1, 200) <= 0)
			continue;
		if (client_pump(c) < 0)
			break;
		while (client_next(c, &m) == 1) {
			if (m.msg.type == RPC_NOTIFY) {
				json_t *j = mpjson_from_msgpack(m.msg.params);
				char *s = json_dumps(j, JSON_COMPACT);

				printf("%.*s %s\n", (int)m.msg.method_len, m.msg.method, s != NULL ? s : "?");
				fflush(stdout);
				free(s);
				json_decref(j);
			}
			client_msg_free(&m);
		}
	}
	client_close(c);
	return 0;
}
