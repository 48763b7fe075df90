/* sgfeed.c -- feed requests to the broker for the console tests: submit
 * each JSON request map (one per line on stdin, or --count N copies of a
 * template with {n} replaced by the copy's number) on ONE agent connection
 * without waiting, print "ok N" once all are queued, then hold the
 * connection (the requests stay pending) until SIGTERM/SIGINT or stdin EOF
 * with --until-eof.  Never installed. */
#include "proto/mpjson.h"
#include "proto/client.h"
#include "proto/paths.h"
#include "proto/rpc.h"

#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	stop = sig;
}

/* Replace every "{n}" in s by n (caller frees). */
static char *
expand(const char *s, long n)
{
	char num[24], *out;
	size_t len = 0, cap = strlen(s) * 2 + 64;
	int nl = snprintf(num, sizeof num, "%ld", n);

	out = malloc(cap);
	while (out != NULL && *s) {
		if (len + (size_t)nl + 2 >= cap && (out = realloc(out, cap *= 2)) == NULL)
			return NULL;
		if (strncmp(s, "{n}", 3) == 0) {
			memcpy(out + len, num, (size_t)nl);
			len += (size_t)nl;
			s += 3;
		} else {
			out[len++] = *s++;
		}
	}
	if (out != NULL)
		out[len] = '\0';
	return out;
}

static int
submit(sg_client *c, const char *text, long *queued)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	uint32_t id;
	msgpack_packer *pk;

	if (j == NULL || !json_is_object(j)) {
		fprintf(stderr, "sgfeed: not a JSON object: %s\n", j == NULL ? je.text : text);
		json_decref(j);
		return -1;
	}
	if (json_object_get(j, "req_id") == NULL) {
		char rid[32];

		snprintf(rid, sizeof rid, "feed-%ld", *queued);
		json_object_set_new(j, "req_id", json_string(rid));
	}
	pk = client_begin(c, "submit", &id);
	msgpack_pack_array(pk, 1);
	mpjson_pack(pk, j);
	json_decref(j);
	if (client_send(c, 10000) < 0)
		return -1;
	(*queued)++;
	return 0;
}

/* Read responses until n results came back; -1 on an error reply. */
static int
collect(sg_client *c, long n)
{
	long got = 0;

	while (got < n) {
		struct pollfd p = { .fd = client_fd(c), .events = POLLIN };
		struct client_msg m;
		size_t elen;
		const char *e;

		if (poll(&p, 1, 30000) <= 0 || client_pump(c) < 0) {
			fprintf(stderr, "sgfeed: %s\n", client_error(c));
			return -1;
		}
		while (client_next(c, &m) == 1) {
			if ((e = client_msg_error(&m, &elen)) != NULL) {
				fprintf(stderr, "sgfeed: refused: %.*s\n", (int)elen, e);
				client_msg_free(&m);
				return -1;
			}
			got++;
			client_msg_free(&m);
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char err[256], *dir = paths_runtime_dir(), *path = paths_join(dir, "agent.sock");
	sg_client *c = client_connect(path, ROLE_AGENT, "sgfeed", 5000, err, sizeof err);
	long count = 0, queued = 0;
	const char *tmpl = NULL;
	bool until_eof = false;
	struct sigaction sa = { .sa_handler = on_signal };

	free(dir);
	free(path);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--count") == 0 && i + 2 < argc) {
			count = atol(argv[++i]);
			tmpl = argv[++i];
		} else if (strcmp(argv[i], "--until-eof") == 0) {
			until_eof = true;
		} else {
			fprintf(stderr, "usage: sgfeed [--count N TEMPLATE_JSON] [--until-eof] < requests.jsonl\n");
			return 2;
		}
	}
	if (c == NULL) {
		fprintf(stderr, "sgfeed: %s\n", err);
		return 3;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (tmpl != NULL) {
		for (long n = 0; n < count; n++) {
			char *t = expand(tmpl, n);

			if (t == NULL || submit(c, t, &queued) < 0)
				return 1;
			free(t);
			/* keep the broker's replies from piling up */
			if (queued % 500 == 0 && collect(c, 500) < 0)
				return 1;
		}
		if (collect(c, queued % 500) < 0)
			return 1;
	} else {
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;

		while ((n = getline(&line, &cap, stdin)) > 0) {
			if (n <= 1)
				continue;
			if (submit(c, line, &queued) < 0)
				return 1;
		}
		free(line);
		if (collect(c, queued) < 0)
			return 1;
	}
	printf("ok %ld\n", queued);
	fflush(stdout);
	while (!stop) {
		struct pollfd p[2] = { { .fd = client_fd(c), .events = POLLIN }, { .fd = 0, .events = POLLIN } };

		if (poll(p, until_eof ? 2 : 1, -1) < 0)
			continue;
		if ((p[0].revents & (POLLIN | POLLHUP)) && client_pump(c) < 0)
			break;
		if (until_eof && (p[1].revents & (POLLIN | POLLHUP))) {
			char b[64];

			if (read(0, b, sizeof b) <= 0)
				break;
		}
		{
			struct client_msg m;

			while (client_next(c, &m) == 1)
				client_msg_free(&m);
		}
	}
	client_close(c);
	return 0;
}
