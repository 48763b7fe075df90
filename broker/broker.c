/* broker.c -- daemon start-up, sockets, signals and orderly shutdown. */
#include "broker/broker.h"
#include "proto/wallclock.h"
#include "broker/record/audit.h"
#include "broker/auditlink.h"
#include "proto/log.h"
#include "broker/pager.h"
#include "broker/peer.h"
#include "broker/policy.h"
#include "broker/request.h"
#include "proto/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define LISTEN_BACKLOG 1024

void
broker_broadcast(struct broker *b, const char *data, size_t len)
{
	for (struct peer *p = b->peers; p != NULL; p = peer_next(p))
		if (peer_role(p) == ROLE_CONSOLE && peer_subscribed(p))
			peer_send(p, data, len);
}

void
broker_count_peers(struct broker *b, int *agents, int *consoles)
{
	*agents = *consoles = 0;
	for (struct peer *p = b->peers; p != NULL; p = peer_next(p))
		(*(peer_role(p) == ROLE_AGENT ? agents : consoles))++;
}

static void
on_agent_conn(uv_stream_t *s, int status)
{
	struct broker *b = s->data;

	if (status == 0 && !b->stopping)
		peer_accept(b, s, ROLE_AGENT);
}

static void
on_console_conn(uv_stream_t *s, int status)
{
	struct broker *b = s->data;

	if (status == 0 && !b->stopping)
		peer_accept(b, s, ROLE_CONSOLE);
}

/* Is something accepting connections at path? */
static bool
socket_alive(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0)
		return false;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	alive = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	close(fd);
	return alive;
}

/* Who may connect to a socket: its mode, and a group to give it (-1: keep). */
struct sock_access {
	mode_t mode;
	gid_t gid;
	bool has_gid;
	const char *group; /* the group as configured, for messages */
	const char *key;   /* the config key that named it */
};

/* Bind and listen on path (mode 0600 while it is made, then acc's mode and
 * group), replacing a stale socket file of ours. */
static int
listen_on(struct broker *b, uv_pipe_t *srv, const char *path, uv_connection_cb cb,
    const struct sock_access *acc, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	struct stat st;
	mode_t old;
	int rc;

	if (strlen(path) >= sizeof sa.sun_path) {
		snprintf(err, errlen, "socket path too long (%zu bytes, limit %zu): %s",
		    strlen(path), sizeof sa.sun_path - 1, path);
		return -1;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid()) {
			snprintf(err, errlen, "refusing to replace %s: it is %s owned by uid %lu, not a socket "
			    "of ours (someone else put it there)", path, S_ISSOCK(st.st_mode) ? "a socket" :
			    S_ISLNK(st.st_mode) ? "a symbolic link" : "a file", (unsigned long)st.st_uid);
			return -1;
		}
		if (socket_alive(path)) {
			snprintf(err, errlen, "something already listens on %s", path);
			return -1;
		}
		unlink(path); /* stale, from a broker that died */
	}
	uv_pipe_init(b->loop, srv, 0);
	srv->data = b;
	old = umask(0177);
	rc = uv_pipe_bind(srv, path);
	umask(old);
	if (rc != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", path, uv_strerror(rc));
		return -1;
	}
	/* widen only now that it is ours: group first, then the mode */
	if (acc->has_gid && lchown(path, (uid_t)-1, acc->gid) < 0) {
		snprintf(err, errlen, "cannot give %s to group %s (%s = %s): %s%s", path, acc->group,
		    acc->key, acc->group, strerror(errno),
		    errno == EPERM ? " (the broker's user must be a member of that group)" : "");
		unlink(path);
		return -1;
	}
	if (chmod(path, acc->mode) < 0) {
		snprintf(err, errlen, "cannot set the mode of %s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	rc = uv_listen((uv_stream_t *)srv, LISTEN_BACKLOG, cb);
	if (rc != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", path, uv_strerror(rc));
		unlink(path);
		return -1;
	}
	return 0;
}

/* A file the broker keeps in its runtime dir (st: its lstat) must be a
 * regular file of ours with one link. */
static int
own_file(const struct stat *st, const char *dir, const char *name, char *err, size_t errlen)
{
	if (!S_ISREG(st->st_mode) || st->st_uid != geteuid() || st->st_nlink != 1) {
		snprintf(err, errlen, "refusing %s/%s: %s owned by uid %lu%s, not a file of ours "
		    "(someone else put it there)", dir, name,
		    S_ISLNK(st->st_mode) ? "a symbolic link" : S_ISREG(st->st_mode) ? "a file" : "a special file",
		    (unsigned long)st->st_uid, S_ISREG(st->st_mode) && st->st_nlink != 1 ? " with several links" : "");
		return -1;
	}
	return 0;
}

/* The same for name in dirfd, if it exists at all. */
static int
check_own_file(int dirfd, const char *dir, const char *name, char *err, size_t errlen)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	return own_file(&st, dir, name, err, errlen);
}

/* Take the runtime dir's lock so a second broker refuses to start. */
static int
take_lock(struct broker *b, int dirfd, char *err, size_t errlen)
{
	char pid[32] = "";
	struct stat st;
	ssize_t n;

	if (check_own_file(dirfd, b->dir, "broker.lock", err, errlen) < 0)
		return -1;
	b->lock_fd = openat(dirfd, "broker.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (b->lock_fd < 0) {
		snprintf(err, errlen, "cannot open %s/broker.lock: %s", b->dir, strerror(errno));
		return -1;
	}
	if (fstat(b->lock_fd, &st) < 0 || own_file(&st, b->dir, "broker.lock", err, errlen) < 0)
		return -1;
	if (fchmod(b->lock_fd, 0600) < 0)
		log_msg("cannot make %s/broker.lock private: %s", b->dir, strerror(errno));
	if (flock(b->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		n = pread(b->lock_fd, pid, sizeof pid - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		snprintf(err, errlen, "another sandgate broker is already running in %s (pid %s)",
		    b->dir, *pid ? pid : "?");
		return -1;
	}
	snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(b->lock_fd, 0) < 0 || pwrite(b->lock_fd, pid, strlen(pid), 0) < 0)
		log_msg("cannot write pid to %s/broker.lock", b->dir);
	return 0;
}

static void
on_finish(uv_timer_t *t)
{
	struct broker *b = t->data;

	peer_close_all(b);
	uv_close((uv_handle_t *)&b->sig_term, NULL);
	uv_close((uv_handle_t *)&b->sig_int, NULL);
	uv_close((uv_handle_t *)&b->finish, NULL);
	policy_stop(b);
	pager_stop(b); /* runs still going finish on their own, bounded by pager_timeout */
	store_close(b->store);
	b->store = NULL;
	request_free_all(b);
	policy_free(b);
}

int64_t
broker_now_ms(const struct broker *b)
{
	return wall_clock_ms() + b->clock_skew_ms;
}

void
broker_maybe_finish(struct broker *b)
{
	if (b->stopping && request_open_count(b) == 0 && !uv_is_active((uv_handle_t *)&b->finish))
		uv_timer_start(&b->finish, on_finish, 0, 0);
}

static void
on_signal(uv_signal_t *s, int signum)
{
	struct broker *b = s->data;

	if (b->stopping)
		return;
	log_msg("signal %d: denying %zu pending requests and stopping", signum,
	    request_pending_count(b));
	b->stopping = true;
	uv_close((uv_handle_t *)&b->agent_srv, NULL);
	uv_close((uv_handle_t *)&b->console_srv, NULL);
	unlink(b->agent_path);
	unlink(b->console_path);
	request_shutdown(b);
	broker_maybe_finish(b);
}

static void
tell_ready(int fd, const char *msg)
{
	if (fd >= 0) {
		ssize_t n = write(fd, msg, strlen(msg));

		(void)n;
		close(fd);
	}
}

/* The runtime dir's mode: private; traversable when a socket is open to a
 * group (the sockets' own modes decide who connects); open to every local
 * user's agents in system mode.  Nobody but us may ever write it. */
static mode_t
dir_mode(const struct config *cfg, bool system)
{
	if (system)
		return 0755;
	return cfg->has_console_group || cfg->has_agent_group ? 0711 : 0700;
}

/* Everything from config to listening sockets; -1 with err on failure. */
static int
setup(struct broker *b, const struct broker_opts *opts, char *err, size_t errlen)
{
	char *cfgdir, *cfg;
	struct sock_access agent_acc, console_acc;
	struct store_opts so;
	bool system;
	int rc, dirfd;

	if (opts->system)
		paths_set_system(true);
	system = paths_system();
	cfgdir = paths_config_dir();
	cfg = cfgdir ? paths_join(cfgdir, "config") : NULL;
	config_defaults(&b->cfg);
	rc = cfg != NULL ? config_load(&b->cfg, cfg, err, errlen) : -1;
	free(cfgdir);
	free(cfg);
	if (rc < 0)
		return -1;
	if (opts->timeout_s > 0)
		b->cfg.timeout_s = opts->timeout_s;
	if (opts->preset != NULL)
		snprintf(b->cfg.preset, sizeof b->cfg.preset, "%s",
		    strcmp(opts->preset, "none") == 0 ? "" : opts->preset);
	b->dir = paths_runtime_dir();
	b->db_path = paths_db();
	if (b->dir == NULL || b->db_path == NULL ||
	    (b->agent_path = paths_join(b->dir, "agent.sock")) == NULL ||
	    (b->console_path = paths_join(b->dir, "console.sock")) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((dirfd = paths_open_runtime_dir(b->dir, dir_mode(&b->cfg, system), system, err, errlen)) < 0)
		return -1;
	rc = take_lock(b, dirfd, err, errlen);
	if (rc == 0 && !opts->foreground)
		rc = check_own_file(dirfd, b->dir, "broker.log", err, errlen);
	close(dirfd);
	if (rc < 0)
		return -1;
	if (!opts->foreground) {
		char *logp = paths_join(b->dir, "broker.log");

		log_set_file(logp);
		free(logp);
	}
	if (system && geteuid() == 0)
		log_msg("warning: a system broker running as root: a flaw in it would give root to "
		    "whoever exploits it; run it as a user of its own (docs/SYSTEM-BROKER.md)");
	if (paths_make_parent(b->db_path, err, errlen) < 0)
		return -1;
	so = (struct store_opts){ .per_request_commit = b->cfg.per_request_commit, .fsync = b->cfg.fsync };
	audit_store_opts(&b->cfg, &so); /* the audit log's checks at open and its outside copies */
	if ((b->store = store_open(b->loop, b->db_path, &so, err, errlen)) == NULL)
		return -1;
	if (store_recovered(b->store) > 0)
		log_msg("recorded %lld requests left undecided by a previous broker as broker-restart",
		    (long long)store_recovered(b->store));
	if (request_init(b) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (policy_init(b, err, errlen) < 0)
		return -1;
	if (pager_init(b) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	{
		const char *tc = getenv("SANDGATE_TEST_CLOCK");

		b->test_clock = tc != NULL && strcmp(tc, "1") == 0;
		if (b->test_clock)
			log_msg("SANDGATE_TEST_CLOCK=1: consoles may move this broker's clock forward (tests only)");
	}
	agent_acc = (struct sock_access){
		.mode = b->cfg.has_agent_group ? 0660 : system ? 0666 : 0600,
		.gid = b->cfg.agent_gid, .has_gid = b->cfg.has_agent_group,
		.group = b->cfg.agent_group, .key = "agent_group",
	};
	console_acc = (struct sock_access){
		.mode = b->cfg.has_console_group ? 0660 : 0600,
		.gid = b->cfg.console_gid, .has_gid = b->cfg.has_console_group,
		.group = b->cfg.console_group, .key = "console_group",
	};
	if (listen_on(b, &b->agent_srv, b->agent_path, on_agent_conn, &agent_acc, err, errlen) < 0 ||
	    listen_on(b, &b->console_srv, b->console_path, on_console_conn, &console_acc, err, errlen) < 0)
		return -1;
	if (system || b->cfg.has_console_group || b->cfg.has_agent_group)
		log_msg("%s: agent.sock %04o%s%s, console.sock %04o%s%s", system ? "system mode" : "groups",
		    (unsigned)agent_acc.mode, agent_acc.has_gid ? " group " : "", agent_acc.has_gid ? agent_acc.group : "",
		    (unsigned)console_acc.mode, console_acc.has_gid ? " group " : "",
		    console_acc.has_gid ? console_acc.group : "");
	uv_signal_init(b->loop, &b->sig_term);
	uv_signal_init(b->loop, &b->sig_int);
	b->sig_term.data = b->sig_int.data = b;
	uv_signal_start(&b->sig_term, on_signal, SIGTERM);
	uv_signal_start(&b->sig_int, on_signal, SIGINT);
	uv_timer_init(b->loop, &b->finish);
	b->finish.data = b;
	return 0;
}

/* Detach from the terminal; the parent returns once the child is listening. */
static int
daemonize(int *ready_fd)
{
	int fds[2];
	pid_t pid;
	char buf[512];
	ssize_t n;
	size_t got = 0;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		fprintf(stderr, "sandgate broker: pipe: %s\n", strerror(errno));
		return 3;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "sandgate broker: fork: %s\n", strerror(errno));
		return 3;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		close(fds[0]);
		setsid();
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			if (null > 2)
				close(null);
		}
		*ready_fd = fds[1];
		return -1; /* child continues */
	}
	close(fds[1]);
	while (got < sizeof buf - 1 && (n = read(fds[0], buf + got, sizeof buf - 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fds[0]);
	if (strncmp(buf, "ok", 2) == 0)
		return 0;
	fprintf(stderr, "sandgate broker: %s\n", got > 0 ? buf : "the broker exited during start-up");
	return 3;
}

static void
free_paths(struct broker *b)
{
	free(b->dir);
	free(b->db_path);
	free(b->agent_path);
	free(b->console_path);
}

int
broker_main(const struct broker_opts *opts)
{
	struct broker b;
	char err[512];
	int ready_fd = opts->ready_fd;

	if (!opts->foreground) {
		int rc = daemonize(&ready_fd);

		if (rc >= 0)
			return rc;
	}
	memset(&b, 0, sizeof b);
	b.lock_fd = -1;
	b.loop = uv_default_loop();
	b.started_ms = wall_clock_ms();
	signal(SIGPIPE, SIG_IGN);
	if (setup(&b, opts, err, sizeof err) < 0) {
		/* release the lock, and remove a socket already bound (the other
		 * one failed), before the parent hears of the failure, so a retry
		 * right away is not refused as "already running" or "something
		 * already listens" while this process is still exiting */
		if (b.agent_path != NULL && uv_is_active((uv_handle_t *)&b.agent_srv))
			unlink(b.agent_path);
		if (b.console_path != NULL && uv_is_active((uv_handle_t *)&b.console_srv))
			unlink(b.console_path);
		if (b.lock_fd >= 0)
			close(b.lock_fd);
		free_paths(&b);
		if (ready_fd >= 0)
			tell_ready(ready_fd, err);
		else
			fprintf(stderr, "sandgate broker: %s\n", err);
		return 3;
	}
	if (!opts->foreground && log_fd() >= 0)
		dup2(log_fd(), 2); /* crash and sanitizer reports land in broker.log */
	log_msg("listening in %s (pid %ld, db %s)", b.dir, (long)getpid(), b.db_path);
	tell_ready(ready_fd, "ok\n");
	uv_run(b.loop, UV_RUN_DEFAULT);
	log_msg("stopped");
	uv_loop_close(b.loop);
	close(b.lock_fd);
	free_paths(&b);
	return 0;
}
