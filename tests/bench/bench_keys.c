/* bench_keys.c -- keypress-to-screen latency of the real `sandgate console`
 * through tmux (issue #5): a real broker holds N pending requests in N/10
 * groups, the console runs in a detached tmux server at 120x40, and one tmux
 * control-mode client (attached to another session, so it never resizes the
 * console's window) sends `send-keys -t c j` (or k) and then polls
 * `capture-pane -p -t c` until the selected row (the line starting with '>')
 * has moved.  Prints p50/p90/p99 over the presses for N = 100 and 10,000,
 * and the cost of one capture-pane round trip (the poll's resolution).
 *
 * usage: bench_keys SANDGATE_BINARY [PRESSES]   (default 100 presses) */
#include "tests/bench/benchlib.h"
#include "proto/client.h"
#include "proto/rpc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run argv with stdout to /dev/null; its exit status or -1. */
static int
run(char *const argv[])
{
	pid_t p = fork();
	int st;

	if (p == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	return p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A child holding `pending` requests on one agent connection, in
 * pending/10 groups (one session per group); writes a byte to ready when
 * all are queued. */
static pid_t
feeder(const char *dir, size_t pending, int ready)
{
	pid_t p = fork();
	char path[512], err[256];
	size_t groups = pending / 10 ? pending / 10 : 1, got = 0;
	sg_client *c;

	if (p != 0)
		return p;
	snprintf(path, sizeof path, "%s/agent.sock", dir);
	if ((c = client_connect(path, ROLE_AGENT, "bench", 5000, err, sizeof err)) == NULL) {
		fprintf(stderr, "bench_keys: %s\n", err);
		_exit(1);
	}
	for (size_t i = 0; i < pending; i++) {
		uint32_t id;
		msgpack_packer *pk = client_begin(c, "submit", &id);
		char rid[32], cmd[96], sess[32];
		struct client_msg m;

		snprintf(rid, sizeof rid, "k%zu", i);
		snprintf(sess, sizeof sess, "s%zu", i % groups);
		/* medium risk: no preset rule answers these */
		snprintf(cmd, sizeof cmd, "git push origin feature/topic-%zu", i);
		msgpack_pack_array(pk, 1);
		msgpack_pack_map(pk, 6);
		rpc_pack_kv_str(pk, "req_id", rid);
		rpc_pack_kv_str(pk, "agent", i % 2 ? "claude-code" : "codex");
		rpc_pack_kv_str(pk, "session", sess);
		rpc_pack_kv_str(pk, "kind", "exec");
		rpc_pack_kv_str(pk, "cwd", "/home/dev/shop");
		rpc_pack_kv_str(pk, "command", cmd);
		if (client_send(c, 10000) < 0)
			_exit(1);
		/* keep at most 256 submits in flight */
		while (i + 1 - got > 256 || (i + 1 == pending && got < pending)) {
			while (client_next(c, &m) == 1) {
				if (m.msg.type == RPC_RESPONSE)
					got++;
				client_msg_free(&m);
			}
			if (i + 1 - got <= 256 && !(i + 1 == pending && got < pending))
				break;
			struct pollfd pf = { .fd = client_fd(c), .events = POLLIN };

			if (poll(&pf, 1, 10000) <= 0 || client_pump(c) < 0)
				_exit(1);
		}
	}
	if (write(ready, "k", 1) != 1)
		_exit(1);
	pause();
	_exit(0);
}

/* The control-mode client: commands in, %begin/%end blocks out, read
 * through our own buffer so poll() sees exactly what is unread. */
struct ctl {
	pid_t pid;
	int in, out;
	char buf[1 << 16];
	size_t off, len;
};

/* One line (with its \n) into line; 0, or -1 on EOF/timeout. */
static int
ctl_line(struct ctl *c, char *line, size_t cap)
{
	for (;;) {
		char *nl = memchr(c->buf + c->off, '\n', c->len - c->off);
		struct pollfd p = { .fd = c->out, .events = POLLIN };
		ssize_t n;

		if (nl != NULL || c->len - c->off >= cap - 1) {
			size_t k = nl != NULL ? (size_t)(nl - (c->buf + c->off)) + 1 : cap - 1;

			if (k > cap - 1)
				k = cap - 1;
			memcpy(line, c->buf + c->off, k);
			line[k] = '\0';
			c->off += k;
			return 0;
		}
		memmove(c->buf, c->buf + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
		if (poll(&p, 1, 5000) <= 0)
			return -1;
		n = read(c->out, c->buf + c->len, sizeof c->buf - c->len);
		if (n <= 0 && errno != EINTR)
			return -1;
		if (n > 0)
			c->len += (size_t)n;
	}
}

/* Send one command and collect its output block into buf; 0, or -1 on
 * error/timeout.  Notifications between blocks are skipped. */
static int
ctl_cmd(struct ctl *c, const char *cmd, char *buf, size_t cap)
{
	char line[8192];
	size_t len = 0, n = strlen(cmd);
	bool in_block = false;

	if (write(c->in, cmd, n) != (ssize_t)n || write(c->in, "\n", 1) != 1)
		return -1;
	buf[0] = '\0';
	for (;;) {
		if (ctl_line(c, line, sizeof line) < 0)
			return -1;
		if (strncmp(line, "%begin", 6) == 0) {
			in_block = true;
			len = 0;
			buf[0] = '\0';
		} else if (in_block && (strncmp(line, "%end", 4) == 0 || strncmp(line, "%error", 6) == 0)) {
			return line[1] == 'e' && line[2] == 'n' ? 0 : -1;
		} else if (in_block) {
			n = strlen(line);
			if (len + n + 1 < cap) {
				memcpy(buf + len, line, n + 1);
				len += n;
			}
		}
	}
}

/* Index of the screen line that starts with '>' (the selected row), or -1. */
static int
selected_row(const char *screen)
{
	int row = 0;

	for (const char *s = screen; *s; row++) {
		if (*s == '>')
			return row;
		s = strchr(s, '\n');
		if (s == NULL)
			break;
		s++;
	}
	return -1;
}

static void
bench(const char *sandgate, size_t pending, int presses)
{
	const char *dir = bench_env("sgkeys", NULL);
	char rundir[300], cmd[1024];
	char sock[64], want[64], *screen = malloc(1 << 20);
	double *lat = calloc((size_t)presses, sizeof *lat), cap_cost[20];
	int to[2], from[2], got = 0, missed = 0, rp[2];
	struct ctl *c = calloc(1, sizeof *c);
	pid_t feed = -1;
	char k;

	if (screen == NULL || lat == NULL || c == NULL)
		goto out_free;
	snprintf(rundir, sizeof rundir, "%s/run", dir);
	snprintf(sock, sizeof sock, "sgkeys-%d", (int)getpid());
	bench_broker_start((const char *[]){ "--timeout", "3600", NULL });
	if (pipe(rp) < 0)
		goto out;
	feed = feeder(rundir, pending, rp[1]);
	close(rp[1]);
	if (read(rp[0], &k, 1) != 1) {
		fprintf(stderr, "bench_keys: the feeder failed\n");
		close(rp[0]);
		goto out;
	}
	close(rp[0]);
	snprintf(cmd, sizeof cmd, "env TERM=tmux-256color LC_ALL=C.UTF-8 %s console --no-start", sandgate);
	if (run((char *const[]){ "tmux", "-L", sock, "-f", "/dev/null", "new-session", "-d", "-s", "keep",
	        "-x", "20", "-y", "5", "sleep 3600", NULL }) != 0 ||
	    run((char *const[]){ "tmux", "-L", sock, "new-session", "-d", "-x", "120", "-y", "40", "-s", "c",
	        cmd, NULL }) != 0) {
		fprintf(stderr, "bench_keys: tmux did not start\n");
		goto out;
	}
	if (pipe(to) < 0 || pipe(from) < 0)
		goto out;
	c->pid = fork();
	if (c->pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		close(to[1]);
		close(from[0]);
		execlp("tmux", "tmux", "-L", sock, "-C", "attach", "-t", "keep", (char *)NULL);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	c->in = to[1];
	c->out = from[0];
	/* until the console shows every request */
	snprintf(want, sizeof want, " %zu pending, %zu group", pending, pending / 10);
	for (double t0 = bench_now_us(); ; usleep(100000)) {
		if (ctl_cmd(c, "capture-pane -p -t c", screen, 1 << 20) == 0 && strstr(screen, want) != NULL &&
		    strstr(screen, " live\n") != NULL && selected_row(screen) >= 0)
			break;
		if (bench_now_us() - t0 > 120e6) {
			fprintf(stderr, "bench_keys: the console never showed '%s':\n%s\n", want, screen);
			goto out;
		}
	}
	usleep(500000);
	for (int i = 0; i < 20; i++) {
		double t0 = bench_now_us();

		ctl_cmd(c, "capture-pane -p -t c", screen, 1 << 20);
		cap_cost[i] = bench_now_us() - t0;
	}
	bench_sort(cap_cost, 20);
	for (int i = 0; i < presses; i++) {
		int before, after;
		double t0;
		/* down from the top half, up from the bottom half: the selection always moves */
		char key = 'j';

		ctl_cmd(c, "capture-pane -p -t c", screen, 1 << 20);
		before = selected_row(screen);
		if (before >= 20 || (pending <= 100 && i % 2 == 1))
			key = 'k';
		snprintf(cmd, sizeof cmd, "send-keys -t c %c", key);
		t0 = bench_now_us();
		ctl_cmd(c, cmd, screen, 1 << 20);
		for (;;) {
			if (ctl_cmd(c, "capture-pane -p -t c", screen, 1 << 20) < 0)
				goto done;
			after = selected_row(screen);
			if (after >= 0 && after != before)
				break;
			if (bench_now_us() - t0 > 2e6) {
				missed++;
				break;
			}
		}
		if (after != before)
			lat[got++] = bench_now_us() - t0;
		usleep(100000); /* idle between presses, as a person */
	}
done:
	if (got > 0) {
		bench_sort(lat, (size_t)got);
		printf("keypress to screen through tmux, %5zu pending in %4zu groups, 120x40: "
		    "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (%d presses%s)\n",
		    pending, pending / 10, lat[got / 2] / 1000, lat[got * 9 / 10] / 1000,
		    lat[got * 99 / 100] / 1000, lat[got - 1] / 1000, got, missed ? ", some never moved" : "");
		printf("  (one capture-pane round trip, the poll's resolution: p50 %.2f ms)\n", cap_cost[10] / 1000);
	} else {
		printf("keypress to screen through tmux, %zu pending: no press moved the selection\n", pending);
	}
	close(c->in);
	close(c->out);
	waitpid(c->pid, NULL, 0);
out:
	run((char *const[]){ "tmux", "-L", sock, "kill-server", NULL });
	if (feed > 0) {
		kill(feed, SIGTERM);
		waitpid(feed, NULL, 0);
	}
	bench_broker_stop();
out_free:
	bench_env_remove();
	free(c);
	free(screen);
	free(lat);
}

int
main(int argc, char **argv)
{
	int presses = argc > 2 ? atoi(argv[2]) : 100;

	if (argc < 2 || presses < 1) {
		fprintf(stderr, "usage: bench_keys SANDGATE_BINARY [PRESSES]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	bench_sandgate = argv[1];
	bench(argv[1], 100, presses);
	bench(argv[1], 10000, presses);
	return 0;
}
