/* console.c -- the console's loop: terminal keys and broker messages in,
 * one frame out per iteration.  Key handlers return what to do; only the
 * frame code draws. */
#include "tui/console.h"
#include "proto/wallclock.h"
#include "tui/alert.h"
#include "tui/auditsrc.h"
#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/layout.h"
#include "tui/line.h"
#include "tui/narrowui.h"
#include "tui/picker.h"
#include "tui/text.h"
#include "tui/undotext.h"
#include "tui/theme.h"
#include "tui/view.h"
#include "proto/client.h"
#include "proto/paths.h"
#include "proto/rpc.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_MS 300
#define SEND_TIMEOUT_MS 1000
#define LIST_PAGE 250           /* requests per list page (each may be big) */
#define GROUPS_PAGE 200         /* groups per page of a full fetch */
#define GROUPS_MEMBERS 10000    /* member ids per group per page */
#define GROUPS_IDS 100          /* groups per fetch by id */
#define GROUPS_WANT_MAX 1000    /* ids waiting to be fetched; past this, fetch all */
#define REFETCH_DELAY_MS 150
#define DEFER_MS (10 * 60 * 1000)
#define MESSAGE_MS 6000
#define DISK_MAX (1024 * 1024)
#define AUDIT_LIMIT 500
#define DETAIL_THROTTLE_MS 250
#define DWELL_MS 400            /* a request that replaced a decided one by itself */

enum { H_NONE = 0, H_REDRAW = 1, H_QUIT = 2 };
enum view_id { V_QUEUE, V_RULES, V_AUDIT, V_AGENTS, V_COUNT };
enum cap { CAP_UNKNOWN, CAP_YES, CAP_NO };
enum modal { M_NONE, M_HELP, M_INPUT, M_PICK, M_CONFIRM, M_NARROW };
enum input_kind { IN_FILTER, IN_NOTE, IN_NARROW };
enum call_kind { CALL_SUBSCRIBE, CALL_LIST, CALL_GROUPS, CALL_GROUP_IDS, CALL_GROUP_MEMBERS,
	CALL_RULES, CALL_STATUS, CALL_DECIDE, CALL_DECIDE_GROUP, CALL_RULE_RM, CALL_ESCALATE, CALL_UNDO,
	CALL_NARROW_PREVIEW };

struct call {
	uint32_t id;
	enum call_kind kind;
	int64_t arg;              /* CALL_GROUPS, CALL_GROUP_MEMBERS: the offset asked for */
	char gid[24];             /* CALL_GROUP_MEMBERS: the group */
};

/* A decision waiting for a confirming key (critical) or being assembled
 * by the rule chooser. */
struct pending_decision {
	bool active, group, allow;
	int64_t id;             /* single request */
	char group_id[256];
	int rule;               /* suggestion index, -1 none */
	char scope[32];
	int64_t ttl_s;          /* 0: no expiry; -1: the suggestion's own */
	char level[16];         /* an allow rule's ceiling ("" : the broker's default) */
	bool critical_ok;       /* the ceiling is critical */
	char pattern[4100];     /* the suggestion's pattern as the picker showed it */
	size_t count;
	bool local;             /* local group: decide members one by one */
	char shown[65];         /* SHA-256 of the detail on screen when decided, or "" */
};

struct console {
	struct console_opts opts;
	model *m;
	theme *th;
	bool offline;
	/* broker */
	sg_client *cl;
	char sock[512], db[512];
	char conn_err[320];
	int64_t next_retry_ms, down_since_ms;
	bool ever_connected, spawned;
	pid_t broker_pid;
	int broker_err_fd;
	char broker_err[256];
	enum cap groups_cap, rules_cap;
	struct call *calls;
	size_t ncalls, capcalls;
	bool listing;
	int sync_passes;
	int64_t groups_due_ms, rules_due_ms, status_due_ms;
	/* groups: a full fetch page by page, or just the groups a notification
	 * named (PROTOCOL.md, the groups notification) */
	bool gsync_active, gsync_wanted, gids_active;
	char (*gwant)[24], (*gsent)[24];
	size_t ngwant, ngsent;
	long status_agents, status_consoles;
	size_t batch_total, batch_ok, batch_fail;
	bool batch_allow;
	/* ui */
	struct layout lay;
	enum view_id view;
	bool detail_focus;
	size_t sel[V_COUNT], top[V_COUNT];
	char sel_group[256];
	int64_t sel_member;
	size_t detail_top, help_top;
	/* issue #16: the request the detail shows (a change scrolls to the top
	 * and marks the head until the next key), which request's head and
	 * which group's row the last frame drew, and when the request shown
	 * changed by itself (the one before was decided or went away) */
	int64_t shown_rid, seen_rid, sent_rid;
	char seen_gid[256];
	bool fresh, fresh_by_itself;
	int64_t fresh_ms;
	lines *list_lines, *detail_lines, *aux_lines;
	/* detail cache */
	int64_t dk_rid, dk_built_ms;
	const void *dk_group;
	uint64_t dk_gen;
	int dk_width;
	size_t dk_nrules, dk_view_sel;
	enum view_id dk_view;
	unsigned dk_note;
	bool dk_fresh, dk_intent, show_intent;
	struct mreq const **members;
	size_t nmembers;
	/* modals */
	enum modal modal;
	enum input_kind input_kind;
	char input[1024], input_saved[1024];
	struct picker pick;
	struct pending_decision pd;
	struct narrow_ui nar;     /* issue #14: the narrowing being edited or confirmed */
	int64_t hint_rid;         /* ... and whether the request shown offers e and p */
	bool hint_narrow, hint_ask;
	char note[1024];
	/* status line */
	char msg[512];
	bool msg_error;
	int64_t msg_ms;
	int64_t undo_rule;
	char rule_desc[320];    /* the rule the last group decision saves, as the status line repeats it */
	/* issue #16: every wait that ends is said on the status line: requests
	 * denied by their deadline (counted while the message shows), deferred
	 * groups back in the queue, rules that expired */
	int64_t expired_ms, expired_first, expired_last, waits_checked_ms;
	size_t expired_n;
	/* other views */
	struct audit_rows audit;
	char audit_err[256];
	int64_t audit_loaded_ms;
	struct agent_row *agents;
	size_t nagents;
	uint64_t agents_gen;
	bool agents_valid;
	bool quit;
	long iterations;
	/* the broker's alerts (alert.h), drawn above the status line */
	struct alerts alerts;
	struct rect alert_rect;
	/* issue #15: the broker's clock minus ours (status now_ms; 0 unless it is
	 * more than 2 s off, e.g. a test clock), notify on new high/critical groups */
	int64_t skew_ms;
	bool notify_bell, notify_tmux;
	int64_t notified_ms;
};

static int64_t
cnow(const console *c)
{
	return wall_clock_ms() + c->skew_ms;
}

static volatile sig_atomic_t got_signal;

static void __attribute__((format(printf, 3, 4)))
say(console *c, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof c->msg, fmt, ap);
	va_end(ap);
	c->msg_error = error;
	c->msg_ms = cnow(c);
}

/* The "message" text of an error response, escaped, into buf. */
static const char *
error_text(const struct client_msg *m, char *buf, size_t cap)
{
	size_t n;
	const char *e = client_msg_error(m, &n);
	char *s;

	if (e == NULL)
		return NULL;
	s = text_escape(e, n, 200, NULL);
	snprintf(buf, cap, "%s", s != NULL ? s : "error");
	free(s);
	return buf;
}

static bool
error_code_is(const struct client_msg *m, const char *code)
{
	return m->msg.type == RPC_RESPONSE && m->msg.error != NULL &&
	       m->msg.error->type == MSGPACK_OBJECT_MAP && rpc_str_eq(rpc_map_get(m->msg.error, "code"), code);
}

/* ---- talking to the broker ---- */

static void
lose_connection(console *c, const char *why)
{
	if (c->cl == NULL)
		return;
	snprintf(c->conn_err, sizeof c->conn_err, "%s", why);
	client_close(c->cl);
	c->cl = NULL;
	c->ncalls = 0;
	c->listing = false;
	c->gsync_active = c->gsync_wanted = c->gids_active = false;
	c->ngwant = c->ngsent = 0;
	c->down_since_ms = cnow(c);
	c->next_retry_ms = c->down_since_ms + 200;
	model_clear(c->m);
	c->pd.active = false;
	if (c->modal != M_HELP && c->modal != M_INPUT)
		c->modal = M_NONE;
}

/* Start a call; returns the packer for its params, or NULL when offline. */
static msgpack_packer *
call_begin(console *c, const char *method, enum call_kind kind, int64_t arg)
{
	uint32_t id;
	msgpack_packer *pk;

	if (c->cl == NULL)
		return NULL;
	if (c->ncalls == c->capcalls) {
		size_t cap = c->capcalls ? c->capcalls * 2 : 32;
		struct call *v = realloc(c->calls, cap * sizeof *v);

		if (v == NULL)
			return NULL;
		c->calls = v;
		c->capcalls = cap;
	}
	pk = client_begin(c->cl, method, &id);
	c->calls[c->ncalls++] = (struct call){ id, kind, arg, "" };
	return pk;
}

static void
call_send(console *c)
{
	if (c->cl != NULL && client_send(c->cl, SEND_TIMEOUT_MS) < 0)
		lose_connection(c, client_error(c->cl));
}

static void
simple_call(console *c, const char *method, enum call_kind kind)
{
	msgpack_packer *pk = call_begin(c, method, kind, 0);

	if (pk == NULL)
		return;
	msgpack_pack_array(pk, 0);
	call_send(c);
}

static void
send_list(console *c, int64_t offset)
{
	msgpack_packer *pk = call_begin(c, "list", CALL_LIST, offset);

	if (pk == NULL)
		return;
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 2);
	rpc_pack_kv_int(pk, "offset", offset);
	rpc_pack_kv_int(pk, "limit", LIST_PAGE);
	call_send(c);
	c->listing = true;
}

/* ---- groups ---- */

static void schedule(int64_t *due, int64_t now);

/* One page of a full fetch of the groups. */
static void
send_groups_page(console *c, int64_t offset)
{
	msgpack_packer *pk = call_begin(c, "groups", CALL_GROUPS, offset);

	if (pk == NULL)
		return;
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 3);
	rpc_pack_kv_int(pk, "offset", offset);
	rpc_pack_kv_int(pk, "limit", GROUPS_PAGE);
	rpc_pack_kv_int(pk, "members", GROUPS_MEMBERS);
	call_send(c);
	c->gsync_active = true;
}

/* Fetch every group (a reset, a new connection, an old broker). */
static void
groups_full(console *c)
{
	if (c->groups_cap == CAP_NO || c->cl == NULL)
		return;
	if (c->gsync_active) {
		c->gsync_wanted = true; /* once this one is done */
		return;
	}
	c->gsync_wanted = false;
	c->ngwant = 0; /* the full fetch covers them */
	send_groups_page(c, 0);
}

/* Remember group id for the next fetch by id. */
static void
want_group(void *arg, const char *id)
{
	console *c = arg;

	if (c->gsync_wanted || strlen(id) >= sizeof c->gwant[0])
		return;
	for (size_t i = 0; i < c->ngwant; i++)
		if (strcmp(c->gwant[i], id) == 0)
			return;
	if (c->ngwant >= GROUPS_WANT_MAX) {
		c->gsync_wanted = true; /* too many: fetch them all */
		c->ngwant = 0;
		return;
	}
	if (c->gwant == NULL && (c->gwant = calloc(GROUPS_WANT_MAX, sizeof *c->gwant)) == NULL) {
		c->gsync_wanted = true;
		return;
	}
	snprintf(c->gwant[c->ngwant++], sizeof c->gwant[0], "%s", id);
}

/* Fetch the groups wanted by id (at most GROUPS_IDS at a time), and the
 * group on screen, whose suggestions' covers move with other groups. */
static void
groups_fetch_wanted(console *c)
{
	msgpack_packer *pk;
	size_t n = 0;
	bool sel = false;

	if (c->gids_active || c->gsync_active || c->groups_cap == CAP_NO || c->cl == NULL)
		return;
	if (c->gsent == NULL && (c->gsent = calloc(GROUPS_IDS + 1, sizeof *c->gsent)) == NULL)
		return;
	while (c->ngwant > 0 && n < GROUPS_IDS) {
		memcpy(c->gsent[n++], c->gwant[--c->ngwant], sizeof c->gsent[0]);
		sel |= strcmp(c->gsent[n - 1], c->sel_group) == 0;
	}
	if (!sel && c->sel_group[0] == 'g' && strlen(c->sel_group) < sizeof c->gsent[0] &&
	    model_group(c->m, c->sel_group) != NULL && !model_group(c->m, c->sel_group)->placeholder)
		memcpy(c->gsent[n++], c->sel_group, strlen(c->sel_group) + 1);
	if (n == 0 || (pk = call_begin(c, "groups", CALL_GROUP_IDS, 0)) == NULL)
		return;
	c->ngsent = n;
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 2);
	rpc_pack_str(pk, "ids");
	msgpack_pack_array(pk, n);
	for (size_t i = 0; i < n; i++)
		rpc_pack_str(pk, c->gsent[i]);
	rpc_pack_kv_int(pk, "members", GROUPS_MEMBERS);
	call_send(c);
	c->gids_active = true;
}

/* A group whose member ids did not all fit in a page: ask for the rest. */
static void
send_group_members(console *c, const char *gid, int64_t offset)
{
	msgpack_packer *pk = call_begin(c, "groups", CALL_GROUP_MEMBERS, offset);

	if (pk == NULL)
		return;
	snprintf(c->calls[c->ncalls - 1].gid, sizeof c->calls[0].gid, "%s", gid);
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 3);
	rpc_pack_str(pk, "ids");
	msgpack_pack_array(pk, 1);
	rpc_pack_str(pk, gid);
	rpc_pack_kv_int(pk, "members_offset", offset);
	rpc_pack_kv_int(pk, "members", GROUPS_MEMBERS);
	call_send(c);
}

/* Apply a groups reply; follow up on groups with more members. */
static void
apply_groups(console *c, const struct client_msg *m)
{
	const msgpack_object *a = rpc_map_get(m->msg.result, "groups");

	model_update_groups(c->m, m->msg.result);
	for (uint32_t i = 0; a != NULL && a->type == MSGPACK_OBJECT_ARRAY && i < a->via.array.size; i++) {
		const msgpack_object *g = &a->via.array.ptr[i], *id = rpc_map_get(g, "id");
		int64_t more = -1;
		char gid[24];

		if (rpc_get_int(rpc_map_get(g, "members_next"), -1, INT64_MAX, &more) < 0 || more <= 0 ||
		    id == NULL || id->type != MSGPACK_OBJECT_STR || id->via.str.size >= sizeof gid)
			continue;
		snprintf(gid, sizeof gid, "%.*s", (int)id->via.str.size, id->via.str.ptr);
		send_group_members(c, gid, more);
	}
}

static void
on_groups_reply(console *c, const struct call *k, const struct client_msg *m, int64_t now)
{
	char err[256];
	int64_t next = -1;

	if (k->kind == CALL_GROUPS)
		c->gsync_active = false;
	if (k->kind == CALL_GROUP_IDS)
		c->gids_active = false;
	if (error_code_is(m, SG_ERR_NO_METHOD)) {
		c->groups_cap = CAP_NO;
		model_use_local_groups(c->m);
		return;
	}
	if (error_text(m, err, sizeof err) != NULL || rpc_map_get(m->msg.result, "groups") == NULL) {
		if (k->kind == CALL_GROUPS)
			c->gsync_wanted = true; /* try again at the next notification */
		return;
	}
	c->groups_cap = CAP_YES;
	rpc_get_int(rpc_map_get(m->msg.result, "next"), -1, INT64_MAX, &next);
	switch (k->kind) {
	case CALL_GROUPS:
		if (k->arg == 0)
			model_groups_sync_begin(c->m);
		apply_groups(c, m);
		if (next > k->arg) {
			send_groups_page(c, next);
			return;
		}
		/* groups no page described may have moved between pages */
		model_groups_sync_end(c->m, want_group, c);
		if (c->gsync_wanted)
			groups_full(c);
		break;
	case CALL_GROUP_IDS:
		apply_groups(c, m);
		for (int64_t i = next; i >= 0 && (size_t)i < c->ngsent; i++)
			want_group(c, c->gsent[i]);
		break;
	default:
		apply_groups(c, m);
		break;
	}
	if (c->ngwant > 0 || c->gsync_wanted)
		schedule(&c->groups_due_ms, now);
}

/* [2, "groups", [{version, changed, removed} | {version, reset}]], or no
 * parameter from a broker before issue #12: fetch what it names, else all. */
static void
on_groups_note(console *c, const msgpack_object *p, int64_t now)
{
	const msgpack_object *ch = p != NULL ? rpc_map_get(p, "changed") : NULL;
	const msgpack_object *rm = p != NULL ? rpc_map_get(p, "removed") : NULL;

	if (c->groups_cap == CAP_NO)
		return;
	if (ch == NULL || ch->type != MSGPACK_OBJECT_ARRAY) {
		c->gsync_wanted = true;
	} else {
		const msgpack_object *lists[2] = { ch, rm };

		for (int l = 0; l < 2; l++)
			for (uint32_t i = 0; lists[l] != NULL && lists[l]->type == MSGPACK_OBJECT_ARRAY &&
			     i < lists[l]->via.array.size; i++) {
				const msgpack_object *o = &lists[l]->via.array.ptr[i];
				char id[24];

				if (o->type == MSGPACK_OBJECT_STR && o->via.str.size < sizeof id) {
					snprintf(id, sizeof id, "%.*s", (int)o->via.str.size, o->via.str.ptr);
					want_group(c, id);
				}
			}
	}
	schedule(&c->groups_due_ms, now);
}

static void
on_connected(console *c)
{
	c->ever_connected = true;
	c->conn_err[0] = '\0';
	c->sync_passes = 0;
	model_clear(c->m);
	memset(&c->alerts, 0, sizeof c->alerts); /* a new broker: its own store */
	simple_call(c, "subscribe", CALL_SUBSCRIBE);
	send_list(c, 0);
	groups_full(c);
	simple_call(c, "rules", CALL_RULES);
	simple_call(c, "status", CALL_STATUS);
}

/* Run `sandgate broker` (it detaches once it listens); its stderr comes
 * back on a pipe so a start-up error can be shown. */
static void
spawn_broker(console *c)
{
	int p[2], null;
	pid_t pid;

	c->spawned = true;
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		dup2(p[1], 2);
		execl("/proc/self/exe", "sandgate", "broker", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return;
	}
	c->broker_pid = pid;
	c->broker_err_fd = p[0];
	fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
	say(c, false, "no broker was running: starting one");
}

static void
read_broker_err(console *c)
{
	size_t len = strlen(c->broker_err);
	ssize_t n;

	if (c->broker_err_fd < 0)
		return;
	n = read(c->broker_err_fd, c->broker_err + len, sizeof c->broker_err - 1 - len);
	if (n > 0) {
		c->broker_err[len + (size_t)n] = '\0';
		return;
	}
	if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		close(c->broker_err_fd);
		c->broker_err_fd = -1;
	}
}

static void
reap_broker(console *c)
{
	int st;

	if (c->broker_pid <= 0 || waitpid(c->broker_pid, &st, WNOHANG) != c->broker_pid)
		return;
	c->broker_pid = 0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		char *e = text_escape(c->broker_err, strcspn(c->broker_err, "\n"), 200, NULL);

		say(c, true, "could not start the broker: %s", e != NULL && *e ? e : "it exited");
		free(e);
	}
}

static void
try_connect(console *c, int64_t now)
{
	char err[300];

	if (c->offline || c->cl != NULL || now < c->next_retry_ms)
		return;
	c->cl = client_connect(c->sock, ROLE_CONSOLE, "sandgate-console", CONNECT_TIMEOUT_MS, err, sizeof err);
	if (c->cl != NULL) {
		on_connected(c);
		return;
	}
	snprintf(c->conn_err, sizeof c->conn_err, "%s", err);
	if (c->opts.start_broker && !c->spawned && !c->ever_connected)
		spawn_broker(c);
	c->next_retry_ms = now + (c->spawned && now - c->down_since_ms < 5000 ? 100 : 1000);
}

static void
schedule(int64_t *due, int64_t now)
{
	if (*due == 0)
		*due = now + REFETCH_DELAY_MS;
}

static void
run_due(console *c, int64_t now)
{
	if (c->cl == NULL)
		return;
	if (c->groups_due_ms != 0 && now >= c->groups_due_ms) {
		c->groups_due_ms = 0;
		if (c->gsync_wanted)
			groups_full(c);
		else
			groups_fetch_wanted(c);
	}
	if (c->rules_due_ms != 0 && now >= c->rules_due_ms) {
		c->rules_due_ms = 0;
		simple_call(c, "rules", CALL_RULES);
	}
	if (c->status_due_ms != 0 && now >= c->status_due_ms) {
		c->status_due_ms = 0;
		simple_call(c, "status", CALL_STATUS);
	}
}

static void
on_list(console *c, const struct client_msg *m)
{
	const msgpack_object *reqs = rpc_map_get(m->msg.result, "requests");
	int64_t next = -1, total = -1;

	for (uint32_t i = 0; reqs != NULL && reqs->type == MSGPACK_OBJECT_ARRAY && i < reqs->via.array.size; i++)
		model_add_request(c->m, &reqs->via.array.ptr[i]);
	rpc_get_int(rpc_map_get(m->msg.result, "next"), -1, INT64_MAX, &next);
	rpc_get_int(rpc_map_get(m->msg.result, "total"), 0, INT64_MAX, &total);
	if (next > 0) {
		send_list(c, next);
		return;
	}
	c->listing = false;
	/* a request decided between two pages shifts the offsets: list again */
	if (total >= 0 && (size_t)total != model_pending(c->m) && ++c->sync_passes < 3) {
		model_clear(c->m);
		send_list(c, 0);
		return;
	}
	if (c->groups_cap == CAP_YES)
		groups_full(c); /* now that every member is known */
}

static void
on_decided(console *c, const struct call *k, const struct client_msg *m, int64_t now)
{
	char err[256];
	const char *e = error_text(m, err, sizeof err);

	if (k->kind == CALL_DECIDE && c->batch_total > 1) {
		if (e != NULL)
			c->batch_fail++;
		else
			c->batch_ok++;
		if (c->batch_ok + c->batch_fail >= c->batch_total) {
			say(c, c->batch_fail > 0, "%s %zu of %zu requests%s", c->batch_allow ? "allowed" : "denied",
			    c->batch_ok, c->batch_total, c->batch_fail ? " (the others were already decided)" : "");
			c->batch_total = c->batch_ok = c->batch_fail = 0;
		}
		return;
	}
	if (e != NULL) {
		if (k->kind == CALL_DECIDE && k->arg == c->sent_rid)
			c->sent_rid = 0; /* not decided: it may be tried again */
		say(c, true, "request #%lld: %s", (long long)k->arg, e);
		return;
	}
	if (k->kind == CALL_DECIDE) {
		const msgpack_object *d = rpc_map_get(m->msg.result, "decision");
		const msgpack_object *by = rpc_map_get(m->msg.result, "by");

		if (rpc_str_eq(by, "ask-agent"))
			say(c, false, "request #%lld handed to the agent's own permission prompt", (long long)k->arg);
		else if (rpc_map_get(m->msg.result, "narrowed") != NULL)
			say(c, false, "request #%lld allowed, narrowed", (long long)k->arg);
		else
			say(c, false, "request #%lld %s", (long long)k->arg, rpc_str_eq(d, "allow") ? "allowed" : "denied");
	} else {
		int64_t n = 0, rule = 0;

		rpc_get_int(rpc_map_get(m->msg.result, "decided"), 0, INT64_MAX, &n);
		if (rpc_get_int(rpc_map_get(m->msg.result, "rule_id"), 1, INT64_MAX, &rule) == 0) {
			char *desc = text_escape(c->rule_desc, strlen(c->rule_desc), 240, NULL);
			char also[400];

			c->undo_rule = rule;
			undo_released_text(m->msg.result, also, sizeof also); /* issue #16 */
			say(c, false, "rule #%lld remembered: %s; %lld decided, u undoes%s", (long long)rule,
			    desc != NULL ? desc : "", (long long)n, also);
			free(desc);
		} else {
			say(c, false, "decided %lld request%s of the group", (long long)n, n == 1 ? "" : "s");
		}
	}
	(void)now;
}

static void
on_response(console *c, const struct client_msg *m, int64_t now)
{
	struct call k = { 0 };
	bool found = false;
	char err[256];

	for (size_t i = 0; i < c->ncalls; i++)
		if (c->calls[i].id == m->msg.id) {
			k = c->calls[i];
			c->calls[i] = c->calls[--c->ncalls];
			found = true;
			break;
		}
	if (!found)
		return;
	switch (k.kind) {
	case CALL_SUBSCRIBE:
		if (error_text(m, err, sizeof err) != NULL)
			say(c, true, "subscribe failed: %s", err);
		break;
	case CALL_LIST:
		if (error_text(m, err, sizeof err) != NULL) {
			say(c, true, "list failed: %s", err);
			c->listing = false;
		} else {
			on_list(c, m);
		}
		break;
	case CALL_GROUPS:
	case CALL_GROUP_IDS:
	case CALL_GROUP_MEMBERS:
		on_groups_reply(c, &k, m, now);
		break;
	case CALL_RULES:
		if (error_code_is(m, SG_ERR_NO_METHOD))
			c->rules_cap = CAP_NO;
		else if (error_text(m, err, sizeof err) == NULL && model_set_rules(c->m, m->msg.result) == 0)
			c->rules_cap = CAP_YES;
		break;
	case CALL_STATUS: {
		int64_t v;

		if (rpc_get_int(rpc_map_get(m->msg.result, "agents"), 0, INT64_MAX, &v) == 0)
			c->status_agents = (long)v;
		if (rpc_get_int(rpc_map_get(m->msg.result, "consoles"), 0, INT64_MAX, &v) == 0)
			c->status_consoles = (long)v;
		alerts_on_status(&c->alerts, m->msg.result, now);
		if (rpc_get_int(rpc_map_get(m->msg.result, "now_ms"), 0, INT64_MAX, &v) == 0) {
			int64_t d = v - wall_clock_ms();

			c->skew_ms = d > 2000 || d < -2000 ? d : 0;
		}
		{
			const msgpack_object *nt = rpc_map_get(m->msg.result, "notify"), *o;

			if ((o = rpc_map_get(nt, "bell")) != NULL && o->type == MSGPACK_OBJECT_BOOLEAN)
				c->notify_bell = o->via.boolean;
			if ((o = rpc_map_get(nt, "tmux")) != NULL && o->type == MSGPACK_OBJECT_BOOLEAN)
				c->notify_tmux = o->via.boolean;
		}
		break;
	}
	case CALL_ESCALATE: {
		int64_t v = 0;

		if (error_text(m, err, sizeof err) != NULL)
			say(c, true, "could not escalate: %s", err);
		else if (rpc_get_int(rpc_map_get(m->msg.result, "escalated"), 0, INT64_MAX, &v) == 0 && v > 0)
			say(c, false, "escalated %lld request%s to on-call", (long long)v, v == 1 ? "" : "s");
		else
			say(c, false, "already escalated");
		break;
	}
	case CALL_DECIDE:
	case CALL_DECIDE_GROUP:
		on_decided(c, &k, m, now);
		break;
	case CALL_NARROW_PREVIEW: { /* issue #14: the broker scored the edit */
		const struct mreq *r = model_find(c->m, k.arg);

		if (error_text(m, err, sizeof err) != NULL) {
			say(c, true, "request #%lld: %s", (long long)k.arg, err);
		} else if (r == NULL || c->nar.id != k.arg) {
			say(c, true, "request #%lld is gone: nothing decided", (long long)k.arg);
		} else {
			narrowui_preview(&c->nar, m->msg.result, r);
			c->modal = M_NARROW;
		}
		break;
	}
	case CALL_UNDO: /* issue #16 */
		if (error_text(m, err, sizeof err) != NULL) {
			say(c, true, "could not undo rule #%lld: %s", (long long)k.arg, err);
		} else {
			char line[480];

			undo_result_text(m->msg.result, line, sizeof line);
			say(c, false, "%s", line);
		}
		if (c->undo_rule == k.arg)
			c->undo_rule = 0;
		schedule(&c->rules_due_ms, now);
		break;
	case CALL_RULE_RM:
		if (error_text(m, err, sizeof err) != NULL)
			say(c, true, "could not revoke rule #%lld: %s", (long long)k.arg, err);
		else
			say(c, false, "rule #%lld revoked", (long long)k.arg);
		if (c->undo_rule == k.arg)
			c->undo_rule = 0;
		schedule(&c->rules_due_ms, now);
		break;
	}
}

/* A new high or critical group (issue #15): a bell and a tmux message, as
 * the broker's `notify` says, at most every 2 s.  Only our own words go to
 * tmux (no agent text: display-message reads #{formats}). */
static void
notify_new(console *c, const msgpack_object *view, const char *gid, int64_t now)
{
	const msgpack_object *lv = rpc_map_get(rpc_map_get(view, "risk"), "level");
	bool crit = rpc_str_eq(lv, "critical");
	char msg[160];
	pid_t pid;

	if ((!crit && !rpc_str_eq(lv, "high")) || now - c->notified_ms < 2000)
		return;
	c->notified_ms = now;
	if (c->notify_bell)
		beep();
	if (!c->notify_tmux || getenv("TMUX") == NULL || getenv("TMUX")[0] == '\0')
		return;
	snprintf(msg, sizeof msg, "sandgate: new %s group %s waits for a decision (%zu pending)",
	    crit ? "CRITICAL" : "HIGH", strspn(gid, "gL0123456789") == strlen(gid) ? gid : "?", model_pending(c->m));
	/* fire and forget: a grandchild runs tmux, the child is reaped here */
	if ((pid = fork()) == 0) {
		if (fork() == 0) {
			int fd = open("/dev/null", O_RDWR);

			if (fd >= 0) {
				dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
				close(fd);
			}
			execlp("tmux", "tmux", "display-message", msg, (char *)NULL);
			_exit(127);
		}
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/* An "escalated" notification: mark it, and say who, when and why. */
static void
on_escalated(console *c, const msgpack_object *p)
{
	const msgpack_object *e = rpc_map_get(p, "escalation"), *by = rpc_map_get(e, "by"), *why = rpc_map_get(e, "why");
	const msgpack_object *lv = rpc_map_get(p, "level"), *g = rpc_map_get(p, "group");
	char *eby, *ewhy, *eg;
	int64_t id = 0;

	model_escalated(c->m, p);
	rpc_get_int(rpc_map_get(p, "id"), 1, INT64_MAX, &id);
	eby = by != NULL && by->type == MSGPACK_OBJECT_STR ? text_escape(by->via.str.ptr, by->via.str.size, 80, NULL) : NULL;
	ewhy = why != NULL && why->type == MSGPACK_OBJECT_STR ? text_escape(why->via.str.ptr, why->via.str.size, 200, NULL)
	                                                      : NULL;
	eg = g != NULL && g->type == MSGPACK_OBJECT_STR ? text_escape(g->via.str.ptr, g->via.str.size, 24, NULL) : NULL;
	say(c, true, "%s#%lld (%s%s%s) escalated to on-call by %s: %s", c->opts.oncall ? "ON-CALL: " : "",
	    (long long)id, lv != NULL && lv->type == MSGPACK_OBJECT_STR ? (rpc_str_eq(lv, "critical") ? "CRIT" :
	    rpc_str_eq(lv, "high") ? "HIGH" : rpc_str_eq(lv, "medium") ? "med" : "low") : "?",
	    eg != NULL ? " " : "", eg != NULL ? eg : "", eby != NULL ? eby : "?", ewhy != NULL ? ewhy : "");
	free(eby);
	free(ewhy);
	free(eg);
	if (c->opts.oncall && c->notify_bell)
		beep();
}

/* A request denied because nobody decided in time; several in a row are
 * counted on one message instead of each hiding the one before. */
static void
said_expired(console *c, int64_t id, const char *how, int64_t now)
{
	if (c->expired_n > 0 && now - c->expired_ms < MESSAGE_MS && c->msg_ms == c->expired_ms) {
		c->expired_n++;
		c->expired_first = id < c->expired_first ? id : c->expired_first;
		c->expired_last = id > c->expired_last ? id : c->expired_last;
		say(c, true, "%zu requests (#%lld to #%lld) %s: denied, nobody decided in time", c->expired_n,
		    (long long)c->expired_first, (long long)c->expired_last, how);
	} else {
		c->expired_n = 1;
		c->expired_first = c->expired_last = id;
		say(c, true, "request #%lld %s: denied, nobody decided in time", (long long)id, how);
	}
	c->expired_ms = c->msg_ms;
}

/* Waits that end without a message from the broker: a deferred group back
 * in the queue, a rule past its expiry (checked once a second). */
static void
check_waits(console *c, int64_t now)
{
	size_t back;

	if (now / 1000 == c->waits_checked_ms / 1000)
		return;
	back = c->waits_checked_ms > 0 ? model_defer_ended(c->m, c->waits_checked_ms, now) : 0;
	if (back > 0)
		say(c, false, "%zu deferred group%s back in the queue (its time to wait is over)", back,
		    back == 1 ? " is" : "s are");
	for (size_t i = 0; i < model_rule_count(c->m) && c->waits_checked_ms > 0; i++) {
		const struct mrule *r = model_rule_at(c->m, i);

		if (!r->revoked && r->expires_ms > c->waits_checked_ms && r->expires_ms <= now) {
			char *e = text_escape(r->pattern != NULL ? r->pattern : "", r->pattern != NULL ? strlen(r->pattern) : 0,
			    120, NULL);

			say(c, false, "rule #%lld expired: %s no longer answers", (long long)r->id, e != NULL ? e : "");
			free(e);
			schedule(&c->rules_due_ms, now);
		}
	}
	c->waits_checked_ms = now;
}

static bool
method_is(const struct client_msg *m, const char *name)
{
	return m->msg.method_len == strlen(name) && memcmp(m->msg.method, name, m->msg.method_len) == 0;
}

static void
on_message(console *c, const struct client_msg *m, int64_t now)
{
	const msgpack_object *p;

	if (m->msg.type == RPC_RESPONSE) {
		on_response(c, m, now);
		return;
	}
	if (m->msg.type != RPC_NOTIFY)
		return;
	p = m->msg.params->via.array.size > 0 ? &m->msg.params->via.array.ptr[0] : NULL;
	if (method_is(m, "request") && p != NULL) {
		const msgpack_object *g = rpc_map_get(p, "group");
		char gid[64] = "";
		bool known;

		if (g != NULL && g->type == MSGPACK_OBJECT_STR && g->via.str.size < sizeof gid)
			memcpy(gid, g->via.str.ptr, g->via.str.size), gid[g->via.str.size] = '\0';
		known = gid[0] != '\0' && model_group(c->m, gid) != NULL;
		if (model_add_request(c->m, p) == 1 && !known)
			notify_new(c, p, gid, now);
	} else if (method_is(m, "escalated") && p != NULL) {
		on_escalated(c, p);
		schedule(&c->status_due_ms, now); /* and learn the broker's clock */
	} else if (method_is(m, "decided") && p != NULL) {
		int64_t id;
		const msgpack_object *by = rpc_map_get(p, "by");

		if (rpc_get_int(rpc_map_get(p, "id"), 1, INT64_MAX, &id) == 0 && model_remove_request(c->m, id) == 1 &&
		    (rpc_str_eq(by, "expired") || rpc_str_eq(by, "timeout"))) {
			said_expired(c, id, rpc_str_eq(by, "expired") ? "expired" : "timed out", now);
			schedule(&c->status_due_ms, now);
		}
	} else if (method_is(m, "groups")) {
		on_groups_note(c, p, now);
	} else if (method_is(m, "rules")) {
		schedule(&c->rules_due_ms, now);
	} else if (method_is(m, "alert") && p != NULL) {
		alerts_on_alert(&c->alerts, p, now);
	} else if (method_is(m, "circumvention") && p != NULL) {
		alerts_on_circumvention(&c->alerts, p, now);
	}
}

static void
pump_broker(console *c, int64_t now)
{
	struct client_msg m;
	int r;

	if (c->cl == NULL)
		return;
	if (client_pump(c->cl) < 0) {
		/* deliver what arrived before the close first */
		while (c->cl != NULL && client_next(c->cl, &m) == 1) {
			on_message(c, &m, now);
			client_msg_free(&m);
		}
		lose_connection(c, c->cl != NULL ? client_error(c->cl) : "lost the broker");
		return;
	}
	while (c->cl != NULL && (r = client_next(c->cl, &m)) == 1) {
		on_message(c, &m, now);
		client_msg_free(&m);
	}
}

/* ---- selection ---- */

static const struct mgroup *
cur_group(console *c, int64_t now)
{
	size_t n = model_queue_len(c->m, now);
	long at;

	if (n == 0)
		return NULL;
	if (c->sel_group[0] != '\0' && (at = model_queue_find(c->m, c->sel_group)) >= 0)
		c->sel[V_QUEUE] = (size_t)at;
	if (c->sel[V_QUEUE] >= n)
		c->sel[V_QUEUE] = n - 1;
	{
		const struct mgroup *g = model_queue_at(c->m, c->sel[V_QUEUE]);

		snprintf(c->sel_group, sizeof c->sel_group, "%s", g->id);
		return g;
	}
}

static void
select_row(console *c, size_t row, int64_t now)
{
	size_t n = model_queue_len(c->m, now);

	if (n == 0)
		return;
	c->sel[V_QUEUE] = row < n ? row : n - 1;
	snprintf(c->sel_group, sizeof c->sel_group, "%s", model_queue_at(c->m, c->sel[V_QUEUE])->id);
	c->sel_member = 0;
	c->detail_top = 0;
}

static int
cmp_member(const void *a, const void *b)
{
	const struct mreq *x = *(const struct mreq *const *)a, *y = *(const struct mreq *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The group's members oldest first, and which one is shown. */
static const struct mreq *
cur_member(console *c, const struct mgroup *g, size_t *index)
{
	const struct mreq **v;

	*index = 0;
	if (g == NULL)
		return NULL;
	v = realloc(c->members, (g->n ? g->n : 1) * sizeof *v);
	if (v == NULL)
		return g->rep;
	memcpy(v, g->m, g->n * sizeof *v);
	qsort(v, g->n, sizeof *v, cmp_member);
	c->members = v;
	c->nmembers = g->n;
	for (size_t i = 0; i < g->n; i++)
		if (v[i]->id == c->sel_member) {
			*index = i;
			return v[i];
		}
	/* none chosen: the first member the filter matches, else the representative */
	for (size_t i = 0; *model_filter(c->m) != '\0' && i < g->n; i++)
		if (model_matches(c->m, g, v[i])) {
			*index = i;
			c->sel_member = v[i]->id;
			return v[i];
		}
	for (size_t i = 0; i < g->n; i++)
		if (v[i] == g->rep) {
			*index = i;
			break;
		}
	c->sel_member = g->rep != NULL ? g->rep->id : 0;
	return g->rep;
}

/* ---- detail ---- */

/* Read the target of a write/edit if it is a readable regular file of at
 * most DISK_MAX bytes; never follows a symlink, never blocks on a FIFO. */
static char *
read_target(const struct mreq *r, const msgpack_object *req, size_t *len, char *note, size_t cap)
{
	const msgpack_object *p = rpc_map_get(req, "path");
	char path[4096];
	struct stat st;
	char *buf;
	int fd;
	ssize_t n;
	size_t got = 0;

	if (p == NULL || p->type != MSGPACK_OBJECT_STR || p->via.str.size == 0 ||
	    memchr(p->via.str.ptr, '\0', p->via.str.size) != NULL) {
		snprintf(note, cap, "no usable path");
		return NULL;
	}
	if (p->via.str.ptr[0] == '/' || r->cwd == NULL)
		snprintf(path, sizeof path, "%.*s", (int)p->via.str.size, p->via.str.ptr);
	else
		snprintf(path, sizeof path, "%s/%.*s", r->cwd, (int)p->via.str.size, p->via.str.ptr);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(note, cap, "%s", errno == ENOENT ? "does not exist yet" : errno == ELOOP
		    ? "a symlink (not followed)" : strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > DISK_MAX) {
		snprintf(note, cap, "%s", !S_ISREG(st.st_mode) ? "not a regular file" : "larger than 1 MiB: not read");
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	while (buf != NULL && got < (size_t)st.st_size &&
	    (n = read(fd, buf + got, (size_t)st.st_size - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (buf == NULL)
		snprintf(note, cap, "out of memory");
	*len = got;
	return buf;
}

static unsigned
hash_str(const char *s)
{
	unsigned h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static void
build_queue_detail(console *c, int width, int64_t now)
{
	const struct mgroup *g = cur_group(c, now);
	struct detail_src src = { .now_ms = now, .note = c->note, .fresh = c->fresh, .show_intent = c->show_intent };
	msgpack_unpacked req, intent, common, varies;
	char note[128] = "";
	char *disk = NULL;

	msgpack_unpacked_init(&req);
	msgpack_unpacked_init(&intent);
	msgpack_unpacked_init(&common);
	msgpack_unpacked_init(&varies);
	src.g = g;
	src.r = cur_member(c, g, &src.member_index);
	src.members = c->members;
	src.nmembers = g != NULL ? c->nmembers : 0;
	src.rules_available = c->rules_cap == CAP_YES;
	src.nrules = model_rule_count(c->m);
	src.rules = src.nrules > 0 ? model_rule_at(c->m, 0) : NULL;
	if (src.r != NULL && src.r->raw != NULL &&
	    msgpack_unpack_next(&req, src.r->raw, src.r->raw_len, NULL) == MSGPACK_UNPACK_SUCCESS) {
		src.req = &req.data;
		if (strcmp(src.r->kind, "write") == 0 || strcmp(src.r->kind, "edit") == 0) {
			disk = read_target(src.r, src.req, &src.disk_len, note, sizeof note);
			src.disk = disk;
			src.disk_note = disk == NULL ? note : NULL;
		}
	}
	if (src.r != NULL && src.r->intent != NULL &&
	    msgpack_unpack_next(&intent, src.r->intent, src.r->intent_len, NULL) == MSGPACK_UNPACK_SUCCESS)
		src.intent = &intent.data;
	if (g != NULL && g->common != NULL &&
	    msgpack_unpack_next(&common, g->common, g->common_len, NULL) == MSGPACK_UNPACK_SUCCESS)
		src.common = &common.data;
	if (g != NULL && g->varies != NULL &&
	    msgpack_unpack_next(&varies, g->varies, g->varies_len, NULL) == MSGPACK_UNPACK_SUCCESS)
		src.varies = &varies.data;
	view_detail(c->detail_lines, &src, width);
	free(disk);
	msgpack_unpacked_destroy(&req);
	msgpack_unpacked_destroy(&intent);
	msgpack_unpacked_destroy(&common);
	msgpack_unpacked_destroy(&varies);
	c->dk_rid = src.r != NULL ? src.r->id : 0;
	c->dk_group = g;
}

static void
agents_refresh(console *c)
{
	if (c->agents_valid && c->agents_gen == model_generation(c->m))
		return;
	free(c->agents);
	c->agents = NULL;
	long n = view_agents_collect(c->m, c->view == V_AGENTS ? model_filter(c->m) : NULL, &c->agents);
	c->nagents = n > 0 ? (size_t)n : 0;
	c->agents_gen = model_generation(c->m);
	c->agents_valid = true;
}

static void
audit_refresh(console *c, int64_t now, bool force)
{
	if (!force && c->audit_loaded_ms != 0 && now - c->audit_loaded_ms < 5000)
		return;
	auditsrc_free(&c->audit);
	c->audit_err[0] = '\0';
	if (c->db[0] == '\0' || auditsrc_read(c->db, model_filter(c->m), AUDIT_LIMIT, &c->audit,
	    c->audit_err, sizeof c->audit_err) < 0) {
		if (c->audit_err[0] == '\0')
			snprintf(c->audit_err, sizeof c->audit_err, "no audit DB path");
	}
	c->audit_loaded_ms = now;
}

/* The request the queue's selection stands for (its id, 0: none).  When it
 * changes (moved to, or the one shown was decided) the detail goes back to
 * its top and its head is marked until the next key (issue #16). */
static int64_t
track_shown(console *c, int64_t now)
{
	const struct mgroup *g = cur_group(c, now);
	const struct mreq *r = c->sel_member != 0 ? model_find(c->m, c->sel_member) : NULL;
	size_t idx;
	int64_t rid;

	/* the member chosen is still in the group: no need to sort its members */
	if (r == NULL || g == NULL || r->group != g)
		r = cur_member(c, g, &idx);
	rid = r != NULL ? r->id : 0;
	if (rid != c->shown_rid) {
		c->fresh_by_itself = c->shown_rid != 0 && model_find(c->m, c->shown_rid) == NULL;
		c->shown_rid = rid;
		c->detail_top = 0;
		c->fresh = rid != 0;
		c->fresh_ms = now;
	}
	return rid;
}

/* Rebuild the detail document when what it shows changed. */
static void
detail_refresh(console *c, int width, int64_t now)
{
	const struct mgroup *g = c->view == V_QUEUE ? cur_group(c, now) : NULL;
	unsigned note = hash_str(c->note);
	int64_t rid = c->view == V_QUEUE ? track_shown(c, now) : 0;
	bool same;

	same = c->dk_view == c->view && c->dk_width == width && c->dk_note == note &&
	    c->dk_nrules == model_rule_count(c->m) && c->dk_view_sel == c->sel[c->view] &&
	    c->dk_intent == c->show_intent &&
	    (c->view != V_QUEUE || (c->dk_group == g && c->dk_rid == rid && c->dk_fresh == c->fresh));

	/* ages and time left ("4s ago", "denied in 3m") move every second */
	if (same && c->dk_gen == model_generation(c->m) && now / 1000 == c->dk_built_ms / 1000)
		return;
	if (same && now - c->dk_built_ms < DETAIL_THROTTLE_MS)
		return;
	lines_reset(c->detail_lines);
	switch (c->view) {
	case V_QUEUE:
		build_queue_detail(c, width, now);
		break;
	case V_RULES:
		view_rule_detail(c->detail_lines, model_rule_at(c->m, c->sel[V_RULES]), width, now);
		break;
	case V_AUDIT:
		view_audit_detail(c->detail_lines, c->sel[V_AUDIT] < c->audit.n ? &c->audit.v[c->sel[V_AUDIT]] : NULL,
		    width, now);
		break;
	case V_AGENTS: {
		const struct agent_row *a = c->sel[V_AGENTS] < c->nagents ? &c->agents[c->sel[V_AGENTS]] : NULL;

		lines_newline(c->detail_lines);
		if (a == NULL) {
			lines_put(c->detail_lines, TR_DIM, "no session selected");
			break;
		}
		lines_put(c->detail_lines, TR_TITLE, "pending from ");
		lines_put_clip(c->detail_lines, TR_TITLE, a->agent, strlen(a->agent), width / 2);
		for (size_t i = 0, shown = 0; i < model_pending(c->m) && shown < 200; i++) {
			const struct mreq *r = model_request_at(c->m, i);

			if (strcmp(r->agent, a->agent) != 0 || strcmp(r->session, a->session) != 0)
				continue;
			shown++;
			lines_newline(c->detail_lines);
			lines_put(c->detail_lines, view_risk_role(r->shown), view_risk_badge(r->shown));
			lines_put(c->detail_lines, TR_NORMAL, " ");
			lines_put_clip(c->detail_lines, TR_NORMAL, r->summary, strlen(r->summary), width - 6);
		}
		break;
	}
	default:
		break;
	}
	if (c->view != V_QUEUE && (c->dk_view != c->view || c->dk_view_sel != c->sel[c->view]))
		c->detail_top = 0;
	c->dk_fresh = c->fresh;
	c->dk_intent = c->show_intent;
	c->dk_view = c->view;
	c->dk_width = width;
	c->dk_note = note;
	c->dk_nrules = model_rule_count(c->m);
	c->dk_view_sel = c->sel[c->view];
	c->dk_gen = model_generation(c->m);
	c->dk_built_ms = now;
	if (c->view == V_QUEUE && c->dk_rid != 0)
		c->sel_member = c->dk_rid;
}

/* ---- actions ---- */

/* The SHA-256 (hex) of the detail document as drawn (lines_text: trailing
 * spaces and empty lines dropped, lines joined with \n) into out; false
 * when the detail is not on screen for group g (and request id, if not 0). */
static bool
shown_sha256(console *c, const struct mgroup *g, int64_t id, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	size_t n;
	char *t;

	out[0] = '\0';
	if (c->offline || c->view != V_QUEUE || c->modal == M_HELP || c->lay.mode == LAYOUT_TOO_SMALL ||
	    (c->lay.mode == LAYOUT_NARROW && !c->detail_focus) || g == NULL || c->dk_group != g ||
	    (id != 0 && c->dk_rid != id) || c->dk_view != V_QUEUE || lines_count(c->detail_lines) == 0)
		return false;
	if ((t = lines_text(c->detail_lines, &n)) == NULL)
		return false;
	crypto_hash_sha256(h, (const unsigned char *)t, n);
	sodium_bin2hex(out, 65, h, sizeof h);
	free(t);
	return true;
}

static void
send_decide_one(console *c, int64_t id, bool allow, const char *shown)
{
	msgpack_packer *pk = call_begin(c, "decide", CALL_DECIDE, id);
	bool note = c->note[0] != '\0', sha = shown != NULL && shown[0] != '\0';

	if (pk == NULL)
		return;
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 3 + note + sha);
	rpc_pack_kv_int(pk, "id", id);
	rpc_pack_kv_str(pk, "decision", allow ? "allow" : "deny");
	rpc_pack_kv_str(pk, "reviewer", c->opts.reviewer);
	if (note)
		rpc_pack_kv_str(pk, "note", c->note);
	if (sha)
		rpc_pack_kv_str(pk, "shown_sha256", shown);
	call_send(c);
}

/* Send a decision that is ready (confirmed if it had to be). */
static void
send_decision(console *c, const struct pending_decision *d, int64_t now)
{
	const struct mgroup *g;

	if (c->cl == NULL) {
		say(c, true, "not connected: nothing was decided");
		return;
	}
	if (!d->group) {
		send_decide_one(c, d->id, d->allow, d->shown);
		c->sent_rid = d->id;
	} else if (d->local || (g = model_group(c->m, d->group_id)) == NULL || g->local) {
		g = model_group(c->m, d->group_id);
		if (g == NULL) {
			say(c, true, "the group is gone (already decided?)");
			return;
		}
		c->batch_total += g->n;
		c->batch_allow = d->allow;
		for (size_t i = 0; i < g->n && c->cl != NULL; i++)
			send_decide_one(c, g->m[i]->id, d->allow, d->shown);
	} else {
		msgpack_packer *pk = call_begin(c, "decide", CALL_DECIDE_GROUP, 0);
		bool note = c->note[0] != '\0', rule = d->rule >= 0, sha = d->shown[0] != '\0';

		if (pk == NULL)
			return;
		msgpack_pack_array(pk, 1);
		bool lvl = rule && d->allow && d->level[0] != '\0', pat = rule && d->pattern[0] != '\0';

		msgpack_pack_map(pk, 3 + note + sha + (rule ? 2 + (d->ttl_s >= 0) + lvl * (1 + d->critical_ok) + pat : 0));
		rpc_pack_kv_str(pk, "group", d->group_id);
		rpc_pack_kv_str(pk, "decision", d->allow ? "allow" : "deny");
		rpc_pack_kv_str(pk, "reviewer", c->opts.reviewer);
		if (note)
			rpc_pack_kv_str(pk, "note", c->note);
		if (sha)
			rpc_pack_kv_str(pk, "shown_sha256", d->shown);
		if (rule) {
			rpc_pack_kv_int(pk, "rule", d->rule);
			rpc_pack_kv_str(pk, "scope", d->scope);
			if (d->ttl_s >= 0) /* -1: the suggestion's own; 0: no expiry */
				rpc_pack_kv_int(pk, "ttl", d->ttl_s);
			if (lvl) {
				rpc_pack_kv_str(pk, "max_level", d->level);
				if (d->critical_ok)
					rpc_pack_kv_bool(pk, "critical_ok", true);
			}
			if (pat) /* the broker refuses it if the suggestion changed since */
				rpc_pack_kv_str(pk, "pattern", d->pattern);
			snprintf(c->rule_desc, sizeof c->rule_desc, "%s%s%s %.200s (%s)", d->allow ? "allow" : "deny",
			    lvl ? " \xe2\x89\xa4" : "", lvl ? d->level : "", d->pattern, d->scope);
		}
		call_send(c);
	}
	c->note[0] = '\0';
	(void)now;
}

/* Decide now, or ask for a confirming key first when it allows something critical. */
static int
decide(console *c, struct pending_decision *d, enum risk_level level, int64_t now)
{
	if (d->allow && (level >= RISK_CRITICAL || (d->rule >= 0 && d->critical_ok))) {
		c->pd = *d;
		c->pd.active = true;
		c->modal = M_CONFIRM;
		return H_REDRAW;
	}
	send_decision(c, d, now);
	return H_REDRAW;
}

/* A decision key acts only on a request whose head (or row) was on screen,
 * and not in the first DWELL_MS after it replaced a decided one by itself:
 * else it shows the head and asks for the key again (issue #16). */
static bool
head_seen(console *c, const struct mgroup *g, const struct mreq *r, const char *key, int64_t now)
{
	bool seen = strcmp(c->seen_gid, g->id) == 0 && (r == NULL || c->seen_rid == r->id);

	if (seen && !(c->fresh_by_itself && now - c->fresh_ms < DWELL_MS))
		return true;
	c->detail_top = 0;
	c->fresh_by_itself = false;
	if (r != NULL)
		say(c, true, "#%lld %s: look first, then press %s again", (long long)r->id,
		    seen ? "just replaced the one decided" : "was not on screen", key);
	else
		say(c, true, "group %s was not on screen: look first, then press %s again", g->id, key);
	return false;
}

static int
act_decide(console *c, bool allow, bool whole_group, int64_t now)
{
	const struct mgroup *g = cur_group(c, now);
	size_t idx;
	const struct mreq *r = cur_member(c, g, &idx);
	struct pending_decision d = { .allow = allow, .rule = -1 };

	if (c->view != V_QUEUE || g == NULL || r == NULL) {
		say(c, true, "nothing selected to decide");
		return H_REDRAW;
	}
	if (!head_seen(c, g, r, whole_group ? (allow ? "A" : "D") : (allow ? "a" : "d"), now))
		return H_REDRAW;
	if (!whole_group && r->id == c->sent_rid) {
		say(c, false, "#%lld: decision sent, waiting for the broker", (long long)r->id);
		return H_REDRAW;
	}
	if (whole_group) {
		d.group = true;
		d.local = g->local || c->groups_cap != CAP_YES;
		d.count = g->n;
		snprintf(d.group_id, sizeof d.group_id, "%s", g->id);
		shown_sha256(c, g, 0, d.shown);
		return decide(c, &d, g->max_level, now);
	}
	d.id = r->id;
	d.count = 1;
	shown_sha256(c, g, r->id, d.shown);
	return decide(c, &d, r->shown, now);
}

/* issue #14: `e` edits the command, path or URL of the selected request
 * (only when its requester can apply it); `p` hands it to the agent's own
 * prompt (only where the agent has one). */
static const struct mreq *
act_target(console *c, const char *key, int64_t now)
{
	const struct mgroup *g = cur_group(c, now);
	size_t idx;
	const struct mreq *r = cur_member(c, g, &idx);

	if (c->view != V_QUEUE || g == NULL || r == NULL) {
		say(c, true, "nothing selected to decide");
		return NULL;
	}
	if (!head_seen(c, g, r, key, now))
		return NULL;
	if (r->id == c->sent_rid) {
		say(c, false, "#%lld: decision sent, waiting for the broker", (long long)r->id);
		return NULL;
	}
	return r;
}

static int
act_narrow(console *c, int64_t now)
{
	const struct mreq *r = act_target(c, "e", now);
	char err[200];

	if (r == NULL)
		return H_REDRAW;
	if (!narrowui_start(&c->nar, r, err, sizeof err)) {
		say(c, true, "#%lld cannot be narrowed: %s", (long long)r->id, err);
		return H_REDRAW;
	}
	c->modal = M_INPUT;
	c->input_kind = IN_NARROW;
	snprintf(c->input, sizeof c->input, "%s", c->nar.orig);
	return H_REDRAW;
}

/* decide allow with `narrow`: a dry run first (the preview), then for real */
static void
send_narrow(console *c, bool dry)
{
	msgpack_packer *pk = call_begin(c, "decide", dry ? CALL_NARROW_PREVIEW : CALL_DECIDE, c->nar.id);
	bool note = !dry && c->note[0] != '\0', lvl = !dry && c->nar.higher;

	if (pk == NULL) {
		say(c, true, "not connected: nothing was decided");
		return;
	}
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 4 + dry + note + lvl);
	rpc_pack_kv_int(pk, "id", c->nar.id);
	rpc_pack_kv_str(pk, "decision", "allow");
	rpc_pack_kv_str(pk, "reviewer", c->opts.reviewer);
	rpc_pack_kv_str(pk, "narrow", c->nar.text);
	if (dry)
		rpc_pack_kv_bool(pk, "dry_run", true);
	else if (note)
		rpc_pack_kv_str(pk, "note", c->note);
	if (lvl) /* the level the reviewer saw and confirmed */
		rpc_pack_kv_str(pk, "confirm_level", risk_level_name(c->nar.level));
	call_send(c);
	if (!dry) {
		c->sent_rid = c->nar.id;
		c->note[0] = '\0';
	}
}

static int
act_ask_agent(console *c, int64_t now)
{
	const struct mreq *r = act_target(c, "p", now);
	msgpack_packer *pk;
	bool note = c->note[0] != '\0';

	if (r == NULL)
		return H_REDRAW;
	if (!narrowui_accepts(r, "ask")) {
		say(c, true, "#%lld: its agent has no permission prompt sandgate can hand it to", (long long)r->id);
		return H_REDRAW;
	}
	if ((pk = call_begin(c, "decide", CALL_DECIDE, r->id)) == NULL) {
		say(c, true, "not connected: nothing was decided");
		return H_REDRAW;
	}
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 3 + note);
	rpc_pack_kv_int(pk, "id", r->id);
	rpc_pack_kv_str(pk, "decision", "ask");
	rpc_pack_kv_str(pk, "reviewer", c->opts.reviewer);
	if (note)
		rpc_pack_kv_str(pk, "note", c->note);
	call_send(c);
	c->sent_rid = r->id;
	c->note[0] = '\0';
	return H_REDRAW;
}

static int
act_rule(console *c, int64_t now)
{
	const struct mgroup *g = cur_group(c, now);

	if (c->view != V_QUEUE || g == NULL) {
		say(c, true, "select a group first");
	} else if (c->groups_cap != CAP_YES || c->rules_cap != CAP_YES || g->local) {
		say(c, true, "rules not available from this broker: decide once (a/d) or the group (A/D)");
	} else if (g->nsugg == 0) {
		say(c, true, "the broker suggested no rule for this group");
	} else if (!head_seen(c, g, cur_member(c, g, &(size_t){ 0 }), "s", now)) {
		return H_REDRAW;
	} else {
		c->modal = M_PICK;
		picker_start(&c->pick, g);
		c->pd = (struct pending_decision){ .group = true, .rule = -1, .count = g->n };
		snprintf(c->pd.group_id, sizeof c->pd.group_id, "%s", g->id);
		shown_sha256(c, g, 0, c->pd.shown);
	}
	return H_REDRAW;
}

static void
rule_rm(console *c, int64_t id)
{
	msgpack_packer *pk = call_begin(c, "rule_rm", CALL_RULE_RM, id);

	if (pk == NULL) {
		say(c, true, "not connected");
		return;
	}
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 1);
	rpc_pack_kv_int(pk, "id", id);
	call_send(c);
}

/* u: take the rule back, and the answers it still holds (issue #16). */
static void
undo_rule(console *c, int64_t id)
{
	msgpack_packer *pk = call_begin(c, "undo", CALL_UNDO, id);

	if (pk == NULL) {
		say(c, true, "not connected");
		return;
	}
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 2);
	rpc_pack_kv_int(pk, "rule_id", id);
	rpc_pack_kv_str(pk, "reviewer", c->opts.reviewer);
	call_send(c);
}

static size_t
list_len(console *c, int64_t now)
{
	switch (c->view) {
	case V_QUEUE: return model_queue_len(c->m, now);
	case V_RULES: return model_rule_count(c->m);
	case V_AUDIT: return c->audit.n;
	case V_AGENTS: return c->nagents;
	default: return 0;
	}
}

static void
move_sel(console *c, long delta, int64_t now)
{
	size_t n = list_len(c, now);
	long s = (long)c->sel[c->view] + delta;

	if (n == 0)
		return;
	if (s < 0)
		s = 0;
	if (s >= (long)n)
		s = (long)n - 1;
	if (c->view == V_QUEUE)
		select_row(c, (size_t)s, now);
	else
		c->sel[c->view] = (size_t)s;
}

static void
scroll_detail(console *c, long delta)
{
	long t = (long)c->detail_top + delta, max = (long)lines_count(c->detail_lines) - c->lay.detail.h;

	if (t > max)
		t = max;
	if (t < 0)
		t = 0;
	c->detail_top = (size_t)t;
}

/* The plain text of line i of l into buf (for n/N in the detail). */
static void
line_text(const lines *l, size_t i, char *buf, size_t cap)
{
	struct line_view v;
	size_t len = 0;

	lines_get(l, i, &v);
	buf[0] = '\0';
	for (size_t k = 0; k < v.nsp && len + 1 < cap; k++) {
		size_t n = v.sp[k].len < cap - 1 - len ? v.sp[k].len : cap - 1 - len;

		memcpy(buf + len, v.text + v.sp[k].off, n);
		len += n;
	}
	buf[len] = '\0';
}

static void
next_match(console *c, int dir, int64_t now)
{
	const char *f = model_filter(c->m);

	if (*f == '\0') {
		say(c, true, "no filter: / sets one");
		return;
	}
	if (c->detail_focus) {
		size_t n = lines_count(c->detail_lines);
		char buf[1024];

		for (size_t k = 1; k <= n; k++) {
			size_t i = (c->detail_top + (dir > 0 ? k : n - k)) % n;

			line_text(c->detail_lines, i, buf, sizeof buf);
			if (strcasestr(buf, f) != NULL) {
				c->detail_top = i;
				scroll_detail(c, 0);
				return;
			}
		}
		say(c, true, "no line of the detail contains the filter");
		return;
	}
	{
		size_t n = list_len(c, now);

		if (n > 0)
			move_sel(c, (c->sel[c->view] + (size_t)(dir > 0 ? 1 : n - 1)) % n - c->sel[c->view], now);
	}
}

static void
set_view(console *c, enum view_id v, int64_t now)
{
	c->view = v;
	c->detail_focus = false;
	if (v == V_AUDIT)
		audit_refresh(c, now, true);
	if (v == V_AGENTS) {
		c->agents_valid = false;
		c->status_due_ms = now;
	}
	if (v == V_RULES && c->rules_cap == CAP_YES)
		c->rules_due_ms = now;
}

static int
do_action(console *c, enum key_action a, int64_t now)
{
	long page = c->lay.list.h > 2 ? c->lay.list.h - 1 : 1;

	switch (a) {
	case ACT_DOWN: if (c->detail_focus) scroll_detail(c, 1); else move_sel(c, 1, now); break;
	case ACT_UP: if (c->detail_focus) scroll_detail(c, -1); else move_sel(c, -1, now); break;
	case ACT_TOP: if (c->detail_focus) c->detail_top = 0; else move_sel(c, -(long)list_len(c, now), now); break;
	case ACT_BOTTOM: if (c->detail_focus) scroll_detail(c, 1L << 30); else move_sel(c, (long)list_len(c, now), now); break;
	case ACT_PAGE_DOWN: if (c->detail_focus) scroll_detail(c, page); else move_sel(c, page, now); break;
	case ACT_PAGE_UP: if (c->detail_focus) scroll_detail(c, -page); else move_sel(c, -page, now); break;
	case ACT_FILTER:
		c->modal = M_INPUT;
		c->input_kind = IN_FILTER;
		snprintf(c->input, sizeof c->input, "%s", model_filter(c->m));
		snprintf(c->input_saved, sizeof c->input_saved, "%s", c->input);
		break;
	case ACT_NEXT_MATCH: next_match(c, 1, now); break;
	case ACT_PREV_MATCH: next_match(c, -1, now); break;
	case ACT_PANE: c->detail_focus = !c->detail_focus; break;
	case ACT_OPEN: c->detail_focus = true; c->detail_top = 0; break;
	case ACT_BACK:
		if (c->detail_focus)
			c->detail_focus = false;
		else if (*model_filter(c->m) != '\0') {
			model_set_filter(c->m, NULL);
			c->agents_valid = false;
			if (c->view == V_AUDIT)
				audit_refresh(c, now, true);
		}
		break;
	case ACT_ALLOW: return act_decide(c, true, false, now);
	case ACT_DENY: return act_decide(c, false, false, now);
	case ACT_ALLOW_GROUP: return act_decide(c, true, true, now);
	case ACT_DENY_GROUP: return act_decide(c, false, true, now);
	case ACT_RULE: return act_rule(c, now);
	case ACT_NARROW: return act_narrow(c, now);
	case ACT_ASK_AGENT: return act_ask_agent(c, now);
	case ACT_NOTE:
		c->modal = M_INPUT;
		c->input_kind = IN_NOTE;
		snprintf(c->input, sizeof c->input, "%s", c->note);
		break;
	case ACT_DEFER: {
		const struct mgroup *g = c->view == V_QUEUE ? cur_group(c, now) : NULL;

		if (g != NULL) {
			/* a defer never outlives the group's first deadline (issue #15) */
			int64_t end = model_group_end(g, NULL);

			if (end > 0 && end < now + DEFER_MS) {
				char left[16];

				view_age(left, sizeof left, end - now);
				model_defer(c->m, g->id, end);
				say(c, false, "group deferred until its deadline, in %s (capped: it is denied then; Z shows it)",
				    left);
			} else {
				model_defer(c->m, g->id, now + DEFER_MS);
				say(c, false, "group deferred for 10 minutes (Z shows it again)");
			}
			c->sel_group[0] = '\0';
		}
		break;
	}
	case ACT_ESCALATE: {
		const struct mgroup *g = c->view == V_QUEUE ? cur_group(c, now) : NULL;
		msgpack_packer *pk;

		if (g == NULL || g->local) {
			say(c, true, g == NULL ? "no group selected" : "this broker groups nothing: cannot escalate");
			break;
		}
		if ((pk = call_begin(c, "escalate", CALL_ESCALATE, 0)) == NULL) {
			say(c, true, "not connected");
			break;
		}
		msgpack_pack_array(pk, 1);
		msgpack_pack_map(pk, 3);
		rpc_pack_kv_str(pk, "group", g->id);
		rpc_pack_kv_str(pk, "reviewer", c->opts.reviewer);
		rpc_pack_kv_str(pk, "why", "escalated from the console");
		call_send(c);
		break;
	}
	case ACT_UNDEFER:
		model_undefer_all(c->m);
		say(c, false, "deferred groups shown again");
		break;
	case ACT_UNDO:
		if (c->undo_rule > 0)
			undo_rule(c, c->undo_rule);
		else
			say(c, true, "no rule to undo");
		break;
	case ACT_REVOKE: {
		const struct mrule *r = model_rule_at(c->m, c->sel[V_RULES]);

		if (c->view == V_RULES && r != NULL && !r->revoked) {
			c->pd = (struct pending_decision){ .active = true, .id = r->id, .rule = -2 };
			c->modal = M_CONFIRM;
		}
		break;
	}
	case ACT_PREV_MEMBER:
	case ACT_NEXT_MEMBER: {
		const struct mgroup *g = c->view == V_QUEUE ? cur_group(c, now) : NULL;
		size_t idx;

		if (g != NULL && cur_member(c, g, &idx) != NULL && c->nmembers > 0) {
			idx = a == ACT_NEXT_MEMBER ? (idx + 1) % c->nmembers : (idx + c->nmembers - 1) % c->nmembers;
			c->sel_member = c->members[idx]->id;
		}
		break;
	}
	case ACT_INTENT:
		c->show_intent = !c->show_intent;
		if (c->show_intent && c->view == V_QUEUE)
			say(c, false, "intent map at the end of the detail (i folds it)");
		break;
	case ACT_VIEW_QUEUE: set_view(c, V_QUEUE, now); break;
	case ACT_VIEW_RULES: set_view(c, V_RULES, now); break;
	case ACT_VIEW_AUDIT: set_view(c, V_AUDIT, now); break;
	case ACT_VIEW_AGENTS: set_view(c, V_AGENTS, now); break;
	case ACT_REFRESH:
		if (c->cl != NULL)
			on_connected(c);
		if (c->view == V_AUDIT)
			audit_refresh(c, now, true);
		if (!c->offline)
			clearok(curscr, TRUE);
		break;
	case ACT_HELP: c->modal = M_HELP; c->help_top = 0; break;
	case ACT_QUIT: return H_QUIT;
	default: return H_NONE;
	}
	return H_REDRAW;
}

/* ---- modal keys ---- */

static int
input_key(console *c, int key, int64_t now)
{
	size_t len = strlen(c->input);

	if (key == 27) {
		if (c->input_kind == IN_FILTER)
			model_set_filter(c->m, c->input_saved);
		if (c->input_kind == IN_NARROW)
			say(c, false, "cancelled: nothing decided");
		c->modal = M_NONE;
	} else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		if (c->input_kind == IN_NOTE) {
			snprintf(c->note, sizeof c->note, "%s", c->input);
			say(c, false, c->note[0] ? "note kept for the next decision" : "note cleared");
		}
		c->modal = M_NONE;
		if (c->input_kind == IN_NARROW && strcmp(c->input, c->nar.orig) == 0) {
			say(c, false, "unchanged: nothing decided (a allows it as asked)");
		} else if (c->input_kind == IN_NARROW) {
			snprintf(c->nar.text, sizeof c->nar.text, "%s", c->input);
			say(c, false, "#%lld: the broker scores the narrowed %s...", (long long)c->nar.id, c->nar.field);
			send_narrow(c, true);
		}
	} else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		if (len > 0) {
			/* drop one UTF-8 character */
			do
				len--;
			while (len > 0 && ((unsigned char)c->input[len] & 0xc0) == 0x80);
			c->input[len] = '\0';
		}
	} else if (key == ('u' & 0x1f)) {
		c->input[0] = '\0';
	} else if (key >= 0x20 && key < 0x100 && key != 0x7f && len + 1 < sizeof c->input) {
		c->input[len] = (char)key;
		c->input[len + 1] = '\0';
	} else {
		return H_NONE;
	}
	if (c->input_kind == IN_FILTER) {
		model_set_filter(c->m, c->input);
		c->sel_member = 0;
		c->agents_valid = false;
		c->sel[c->view] = 0;
		if (c->view == V_AUDIT && c->modal == M_NONE)
			audit_refresh(c, now, true);
	}
	return H_REDRAW;
}

static int
modal_key(console *c, int key, int64_t now)
{
	const struct mgroup *g;

	switch (c->modal) {
	case M_HELP:
		if (key == 'j' || key == KEY_DOWN)
			c->help_top++;
		else if ((key == 'k' || key == KEY_UP) && c->help_top > 0)
			c->help_top--;
		else if (key == ' ' || key == KEY_NPAGE)
			c->help_top += (size_t)(c->lay.list.h > 1 ? c->lay.list.h - 1 : 1);
		else
			c->modal = M_NONE;
		return H_REDRAW;
	case M_INPUT:
		return input_key(c, key, now);
	case M_PICK:
		g = model_group(c->m, c->pd.group_id);
		if (g == NULL || g->nsugg == 0) {
			c->modal = M_NONE;
			say(c, true, "the group is gone: nothing decided");
			return H_REDRAW;
		}
		if (c->pick.step != PK_CONFIRM) {
			if (picker_key(&c->pick, g, key) < 0) {
				c->modal = M_NONE;
				say(c, false, "cancelled: nothing decided");
			}
			return H_REDRAW;
		}
		c->modal = M_NONE;
		if (key == 'a' || key == 'd') {
			struct pending_decision d = c->pd;
			const struct msugg *sg = &g->sugg[c->pick.pattern < (size_t)g->nsugg ? c->pick.pattern : 0];

			d.allow = key == 'a';
			d.rule = sg->index;
			snprintf(d.scope, sizeof d.scope, "%s", picker_scope_name(c->pick.scope));
			d.ttl_s = picker_ttl_seconds(c->pick.ttl);
			snprintf(d.level, sizeof d.level, "%s", risk_level_name(picker_ceiling_level(c->pick.ceiling)));
			d.critical_ok = picker_ceiling_level(c->pick.ceiling) == RISK_CRITICAL;
			snprintf(d.pattern, sizeof d.pattern, "%s", sg->pattern);
			return decide(c, &d, g->max_level, now);
		}
		say(c, false, "cancelled: nothing decided");
		return H_REDRAW;
	case M_NARROW:
		c->modal = M_NONE;
		if (key == 'y' && model_find(c->m, c->nar.id) != NULL)
			send_narrow(c, false);
		else
			say(c, false, key == 'y' ? "the request is gone: nothing decided" : "cancelled: nothing decided");
		return H_REDRAW;
	case M_CONFIRM:
		c->modal = M_NONE;
		if (c->pd.rule == -2) {
			if (key == 'y')
				rule_rm(c, c->pd.id);
			else
				say(c, false, "cancelled: the rule stays");
		} else if (key == 'y') {
			send_decision(c, &c->pd, now);
		} else {
			say(c, false, "cancelled: nothing decided");
		}
		c->pd.active = false;
		return H_REDRAW;
	default:
		c->modal = M_NONE;
		return H_REDRAW;
	}
}

static int
mouse_key(console *c, int64_t now)
{
	MEVENT ev;
	const struct rect *l = &c->lay.list, *d = &c->lay.detail;
	bool in_list, in_detail;

	if (getmouse(&ev) != OK || c->lay.mode == LAYOUT_TOO_SMALL)
		return H_NONE;
	in_list = ev.y >= l->y && ev.y < l->y + l->h && ev.x >= l->x && ev.x < l->x + l->w &&
	    !(c->lay.mode == LAYOUT_NARROW && c->detail_focus);
	in_detail = ev.y >= d->y && ev.y < d->y + d->h && ev.x >= d->x && ev.x < d->x + d->w &&
	    (c->lay.mode == LAYOUT_WIDE || c->detail_focus);
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		long delta = ev.bstate & BUTTON4_PRESSED ? -3 : 3;

		if (in_detail)
			scroll_detail(c, delta);
		else if (in_list)
			move_sel(c, delta, now);
		return H_REDRAW;
	}
	if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_RELEASED)))
		return H_NONE;
	if (in_list) {
		struct line_view v;
		size_t row = (size_t)(ev.y - l->y);

		c->detail_focus = false;
		if (row < lines_count(c->list_lines)) {
			lines_get(c->list_lines, row, &v);
			if (v.tag >= 0 && c->view == V_QUEUE)
				select_row(c, (size_t)v.tag, now);
			else if (v.tag >= 0)
				c->sel[c->view] = (size_t)v.tag;
		}
	} else if (in_detail) {
		c->detail_focus = true;
	}
	return H_REDRAW;
}

static int
handle_key(console *c, int key, int64_t now)
{
	unsigned where;

	if (key == '\r' || key == KEY_ENTER)
		key = '\n';
	if (key == KEY_RESIZE)
		return H_REDRAW;
	if (key == KEY_MOUSE)
		return mouse_key(c, now);
	c->fresh = false; /* the head's "new" mark lasts until a key */
	if (c->modal != M_NONE)
		return modal_key(c, key, now);
	where = (c->view == V_QUEUE ? KW_QUEUE : c->view == V_RULES ? KW_RULES
	    : c->view == V_AUDIT ? KW_AUDIT : KW_AGENTS);
	if (c->detail_focus)
		where = KW_DETAIL | (c->view == V_RULES ? KW_RULES : 0);
	return do_action(c, keys_lookup(key, where), now);
}

/* ---- the frame ---- */

static void
header(console *c, int64_t now)
{
	static const char *const names[V_COUNT] = { "Queue", "Rules", "Audit", "Agents" };
	lines *l = c->aux_lines;
	char buf[160];
	size_t nq = model_queue_len(c->m, now), deferred = model_deferred(c->m, now);
	const char *state;
	int role;
	int w = c->lay.header.w;

	lines_reset(l);
	lines_newline(l);
	lines_fill(l, TR_HEADER);
	if (w >= 56 || c->opts.oncall)
		lines_put(l, TR_HEADER, c->opts.oncall ? " sandgate on-call " : " sandgate ");
	else
		lines_put(l, TR_HEADER, " ");
	/* the view tabs: named from 80 columns, the others as their keys below
	 * (issue #16: "[1 Queue] 2 3 4" stays discoverable in a side pane) */
	for (int v = 0; v < V_COUNT; v++) {
		if (w < 80 && v != (int)c->view) {
			snprintf(buf, sizeof buf, "%s%d", v > 0 ? " " : "", v + 1);
			lines_put(l, TR_HEADER, buf);
			continue;
		}
		if (w < 80 && v > 0)
			lines_put(l, TR_HEADER, " ");
		snprintf(buf, sizeof buf, v == (int)c->view ? "[%d %s]" : " %d %s ", v + 1, names[v]);
		lines_put(l, v == (int)c->view ? TR_TITLE : TR_HEADER, buf);
	}
	if (c->offline) {
		state = "offline", role = TR_HEADER;
	} else if (c->cl == NULL) {
		state = c->ever_connected ? "disconnected" : c->spawned ? "starting broker" : "disconnected";
		role = TR_DISCONNECTED;
	} else if (c->listing) {
		state = "loading", role = TR_HEADER;
	} else {
		state = "live", role = TR_HEADER;
	}
	if (c->view == V_QUEUE)
		snprintf(buf, sizeof buf, " %zu pending, %zu group%s", model_pending(c->m), nq, nq == 1 ? "" : "s");
	else if (c->view == V_RULES)
		snprintf(buf, sizeof buf, " %zu rule%s", model_rule_count(c->m), model_rule_count(c->m) == 1 ? "" : "s");
	else if (c->view == V_AUDIT)
		snprintf(buf, sizeof buf, " %zu of %lld", c->audit.n, (long long)c->audit.total);
	else
		snprintf(buf, sizeof buf, " %zu pending", model_pending(c->m));
	/* in a narrow pane the connection state must still fit: shorter counts */
	if (c->view == V_QUEUE && lines_col(l) + (int)strlen(buf) + (int)strlen(state) + 2 > w)
		snprintf(buf, sizeof buf, " %zu pending", model_pending(c->m));
	lines_put(l, TR_HEADER, buf);
	if (deferred > 0 && c->view == V_QUEUE) {
		snprintf(buf, sizeof buf, " +%zu deferred", deferred);
		lines_put(l, TR_HEADER, buf);
	}
	snprintf(buf, sizeof buf, " %s ", state);
	lines_pad_to(l, TR_HEADER, w - (int)strlen(buf));
	lines_put(l, role, buf);
	draw_line(&c->lay.header, 0, l, 0);
}

/* Names of the key(s) for hint i ("A/D" for the group pair). */
static const char *
hint_names(enum key_action a, char *names, size_t cap)
{
	if (a == ACT_ALLOW_GROUP)
		snprintf(names, cap, "A/D");
	else
		keys_names(a, names, cap);
	if (strchr(names, ',') != NULL)
		*strchr(names, ',') = '\0';
	return names;
}

static void
hints(console *c, lines *l, int w)
{
	/* in order of importance; ? and q always end the line */
	static const struct { enum key_action a; const char *what; unsigned views; } h[] = {
		{ ACT_ALLOW, "allow", 1 }, { ACT_DENY, "deny", 1 }, { ACT_NARROW, "narrow", 1 },
		{ ACT_ASK_AGENT, "agent asks", 1 }, { ACT_OPEN, "detail", 15 },
		{ ACT_ALLOW_GROUP, "group", 1 }, { ACT_RULE, "remember", 1 }, { ACT_BACK, "back", 16 },
		{ ACT_FILTER, "filter", 15 }, { ACT_REVOKE, "revoke", 2 },
	};
	/* issue #16: "? help q quit" always end the line; shorter forms keep
	 * both keys when room is short */
	static const char *const tails[] = { " ? help q quit", " ? help q", " ? q" };
	unsigned where = c->detail_focus ? 16u | (c->view == V_QUEUE ? 1u : 0u) : 1u << c->view;
	char names[32];
	int start = lines_col(l), best, counts[3];
	/* issue #14: e and p only for a request whose requester offers them */
	const struct mreq *cr = NULL;
	bool can_narrow, can_ask;

	if (c->view == V_QUEUE && c->modal == M_NONE) {
		const struct mgroup *g = cur_group(c, cnow(c));
		size_t idx;

		cr = g != NULL ? cur_member(c, g, &idx) : NULL;
	}
	/* the request map is read once per request shown, not every frame */
	if (cr != NULL && cr->id != c->hint_rid) {
		c->hint_rid = cr->id;
		c->hint_narrow = narrowui_accepts(cr, "narrow");
		c->hint_ask = narrowui_accepts(cr, "ask");
	}
	can_narrow = cr != NULL && c->hint_narrow;
	can_ask = cr != NULL && c->hint_ask;
#define HINT_HIDDEN(a) (((a) == ACT_NARROW && !can_narrow) || ((a) == ACT_ASK_AGENT && !can_ask))

	/* the keys are in order of importance: the first that does not fit
	 * ends the line; the form of ? and q that leaves the most keys (the
	 * longest one on a tie) */
	for (int t = 0; t < 3; t++) {
		int col = start, n = 0;

		for (size_t i = 0; i < sizeof h / sizeof h[0]; i++) {
			int need;

			if (!(h[i].views & where) || (c->detail_focus && h[i].a == ACT_OPEN) || HINT_HIDDEN(h[i].a))
				continue;
			need = (int)strlen(hint_names(h[i].a, names, sizeof names)) + (int)strlen(h[i].what) + 2;
			if (col + need > w - (int)strlen(tails[t]))
				break;
			col += need, n++;
		}
		counts[t] = n;
	}
	best = 0;
	for (int t = 1; t < 3; t++)
		if (counts[t] > counts[best])
			best = t;
	for (size_t i = 0, n = 0; i < sizeof h / sizeof h[0] && n < (size_t)counts[best]; i++) {
		if (!(h[i].views & where) || (c->detail_focus && h[i].a == ACT_OPEN) || HINT_HIDDEN(h[i].a))
			continue;
		hint_names(h[i].a, names, sizeof names);
		lines_put(l, TR_STATUS, " ");
		lines_put(l, TR_KEY, names);
		lines_put(l, TR_STATUS, " ");
		lines_put(l, TR_STATUS, h[i].what);
		n++;
	}
	{
		const char *t = tails[best];

		lines_put(l, TR_STATUS, " ");
		lines_put(l, TR_KEY, "?");
		if (strstr(t, "help") != NULL)
			lines_put(l, TR_STATUS, " help");
		lines_put(l, TR_STATUS, " ");
		lines_put(l, TR_KEY, "q");
		if (strstr(t, "quit") != NULL)
			lines_put(l, TR_STATUS, " quit");
	}
#undef HINT_HIDDEN
}

static void
status_line(console *c, int64_t now)
{
	lines *l = c->aux_lines;
	int w = c->lay.status.w;

	lines_reset(l);
	lines_newline(l);
	lines_fill(l, TR_STATUS);
	if (c->modal == M_INPUT) {
		lines_put(l, TR_PROMPT, c->input_kind == IN_FILTER ? "/" : c->input_kind == IN_NARROW
		    ? (strcmp(c->nar.field, "command") == 0 ? "narrow command: " : strcmp(c->nar.field, "path") == 0
		          ? "narrow path: " : "narrow url: ") : "note: ");
		lines_put_untrusted(l, TR_NORMAL, c->input, strlen(c->input));
		lines_put(l, TR_SELECTED, " ");
	} else if (c->msg[0] != '\0' && now - c->msg_ms < MESSAGE_MS) {
		lines_put(l, c->msg_error ? TR_ERROR : TR_STATUS, " ");
		lines_put_clip(l, c->msg_error ? TR_ERROR : TR_STATUS, c->msg, strlen(c->msg), w - 1);
	} else if (c->cl == NULL && !c->offline && c->conn_err[0] != '\0') {
		lines_put(l, TR_DISCONNECTED, " ");
		lines_put_clip(l, TR_DISCONNECTED, c->conn_err, strlen(c->conn_err), w - 2);
	} else {
		if (*model_filter(c->m) != '\0') {
			lines_put(l, TR_PROMPT, " /");
			lines_put_clip(l, TR_PROMPT, model_filter(c->m), strlen(model_filter(c->m)), w / 3);
		}
		if (c->note[0] != '\0')
			lines_put(l, TR_PROMPT, " [note]");
		hints(c, l, w);
	}
	draw_line(&c->lay.status, 0, l, 0);
}

/* A box over the bottom of the screen for the choosers and confirmations. */
static void
modal_box(console *c, int64_t now)
{
	lines *l = c->aux_lines;
	const struct mgroup *g = model_group(c->m, c->pd.group_id);
	int w = c->lay.cols;
	char buf[160];
	struct rect r;

	lines_reset(l);
	lines_wrap(l, w, 4);
	if (c->modal == M_PICK && g != NULL) {
		lines_wrap(l, 0, 0);
		picker_format(l, &c->pick, c->m, g, w);
	} else if (c->modal == M_NARROW) {
		narrowui_format(&c->nar, l, w);
	} else if (c->modal == M_CONFIRM) {
		lines_newline(l);
		lines_fill(l, TR_RISK_CRITICAL);
		if (c->pd.rule == -2)
			snprintf(buf, sizeof buf, " Revoke rule #%lld? y revokes, any other key keeps it", (long long)c->pd.id);
		else if (c->pd.group && c->pd.rule >= 0 && c->pd.critical_ok)
			snprintf(buf, sizeof buf, " CRITICAL: remember an allow that applies to critical requests too, "
			    "and allow all %zu? y allows, any other key cancels", c->pd.count);
		else if (c->pd.group)
			snprintf(buf, sizeof buf, " CRITICAL: allow all %zu requests of this group? y allows, any other key cancels",
			    c->pd.count);
		else
			snprintf(buf, sizeof buf, " CRITICAL: allow request #%lld? y allows, any other key cancels",
			    (long long)c->pd.id);
		lines_put(l, TR_RISK_CRITICAL, buf);
	}
	lines_wrap(l, 0, 0);
	r = (struct rect){ c->lay.status.y - (int)lines_count(l), 0, (int)lines_count(l), w };
	if (r.y < 1) {
		r.h -= 1 - r.y;
		r.y = 1;
	}
	draw_lines(&r, l, 0);
	(void)now;
}

static void
clamp_top(size_t *top, size_t sel, size_t n, int h)
{
	if (h <= 0)
		return;
	if (sel < *top)
		*top = sel;
	if (sel >= *top + (size_t)h)
		*top = sel - (size_t)h + 1;
	if (*top + (size_t)h > n)
		*top = n > (size_t)h ? n - (size_t)h : 0;
}

static void
list_pane(console *c, const struct rect *r, int64_t now)
{
	bool focused = !c->detail_focus;
	size_t n = list_len(c, now), *sel = &c->sel[c->view], *top = &c->top[c->view];

	if (c->view == V_QUEUE)
		cur_group(c, now);
	if (n > 0 && *sel >= n)
		*sel = n - 1;
	clamp_top(top, *sel, n, r->h);
	lines_reset(c->list_lines);
	switch (c->view) {
	case V_QUEUE:
		view_queue(c->list_lines, c->m, *top, (size_t)r->h, *sel, focused, r->w, now);
		if (n == 0) {
			lines_newline(c->list_lines);
			if (c->cl == NULL && !c->offline) {
				lines_put(c->list_lines, TR_DISCONNECTED, " disconnected from the broker");
				lines_newline(c->list_lines);
				lines_put(c->list_lines, TR_DIM, c->ever_connected ? " reconnecting..." : " connecting...");
			} else if (*model_filter(c->m) != '\0') {
				lines_put(c->list_lines, TR_DIM, " nothing matches the filter (Esc clears it)");
			} else {
				lines_put(c->list_lines, TR_DIM, " nothing waits for a decision");
				if (model_deferred(c->m, now) > 0) {
					lines_newline(c->list_lines);
					lines_put(c->list_lines, TR_DIM, " (deferred groups are hidden: Z shows them)");
				} else { /* first run: how requests get here (issue #16) */
					static const char *const how[] = { "", " connect an agent:",
						"   sandgate install claude-code", "   (or codex, gemini)", " or try one by hand:",
						"   sandgate ask -- npm test" };

					for (size_t i = 0; i < sizeof how / sizeof how[0]; i++) {
						lines_newline(c->list_lines);
						lines_put(c->list_lines, i == 2 || i == 5 ? TR_KEY : TR_DIM, how[i]);
					}
				}
			}
		}
		break;
	case V_RULES:
		view_rules(c->list_lines, c->m, c->rules_cap != CAP_NO, *top, (size_t)r->h, *sel, focused, r->w, now);
		break;
	case V_AUDIT:
		if (c->audit_err[0] != '\0') {
			lines_newline(c->list_lines);
			lines_put_clip(c->list_lines, TR_ERROR, c->audit_err, strlen(c->audit_err), r->w);
		} else {
			view_audit(c->list_lines, &c->audit, *top, (size_t)r->h, *sel, focused, r->w, now);
		}
		break;
	case V_AGENTS:
		view_agents(c->list_lines, c->agents, c->nagents, *top, (size_t)r->h, *sel, focused, r->w, now,
		    c->cl != NULL ? c->status_agents : -1, c->status_consoles);
		break;
	default:
		break;
	}
	draw_lines(r, c->list_lines, 0);
}

/* What the frame just drew of the queue's selection (issue #16): its row
 * (one-column list) or the detail's head (line 0 on screen). */
static void
note_seen(console *c)
{
	if (c->view != V_QUEUE || c->modal == M_HELP)
		return;
	if (c->lay.mode == LAYOUT_NARROW && !c->detail_focus) {
		snprintf(c->seen_gid, sizeof c->seen_gid, "%s", c->sel_group);
		c->seen_rid = c->shown_rid;
	} else if (c->detail_top == 0 && c->dk_view == V_QUEUE && c->dk_rid == c->shown_rid) {
		snprintf(c->seen_gid, sizeof c->seen_gid, "%s", c->sel_group);
		c->seen_rid = c->shown_rid;
	}
}

static void
frame(console *c, int64_t now)
{
	layout_compute(COLS, LINES, &c->lay);
	if (c->lay.mode == LAYOUT_TOO_SMALL) {
		erase();
		attrset(A_NORMAL);
		mvaddnstr(0, 0, "sandgate: pane too small", COLS > 0 ? COLS : 0);
		refresh();
		return;
	}
	layout_take_bottom(&c->lay, alerts_lines(&c->alerts, now), &c->alert_rect);
	if (c->view == V_AGENTS)
		agents_refresh(c);
	if (c->view == V_AUDIT)
		audit_refresh(c, now, false);
	if (c->view == V_QUEUE)
		track_shown(c, now);
	check_waits(c, now);
	header(c, now);
	if (c->modal == M_HELP) {
		struct rect r = { 1, 0, c->lay.rows - 2, c->lay.cols };

		lines_reset(c->list_lines);
		view_help(c->list_lines, r.w);
		if (c->help_top + (size_t)r.h > lines_count(c->list_lines))
			c->help_top = lines_count(c->list_lines) > (size_t)r.h ? lines_count(c->list_lines) - (size_t)r.h : 0;
		draw_lines(&r, c->list_lines, c->help_top);
	} else if (c->lay.mode == LAYOUT_NARROW && c->detail_focus) {
		detail_refresh(c, c->lay.detail.w, now);
		scroll_detail(c, 0);
		draw_lines(&c->lay.detail, c->detail_lines, c->detail_top);
	} else {
		list_pane(c, &c->lay.list, now);
		if (c->lay.mode == LAYOUT_WIDE) {
			draw_vbar(&c->lay.sep);
			detail_refresh(c, c->lay.detail.w - 1, now);
			scroll_detail(c, 0);
			{
				struct rect d = c->lay.detail;

				d.x += 1;
				d.w -= 1;
				draw_clear(&(struct rect){ d.y, d.x - 1, d.h, 1 }, TR_NORMAL);
				draw_lines(&d, c->detail_lines, c->detail_top);
			}
		}
	}
	note_seen(c);
	if (c->alert_rect.h > 0) {
		lines_reset(c->aux_lines);
		alerts_format(&c->alerts, c->aux_lines, c->alert_rect.w, now);
		draw_lines(&c->alert_rect, c->aux_lines, 0);
	}
	if (c->modal == M_PICK || c->modal == M_CONFIRM || c->modal == M_NARROW)
		modal_box(c, now);
	status_line(c, now);
	move(c->lay.rows - 1, c->lay.cols - 1);
	refresh();
}

/* ---- set-up and the loop ---- */

static void
on_signal(int sig)
{
	got_signal = sig;
}

static console *
console_new(model *m, const struct console_opts *opts, char *err, size_t errlen)
{
	console *c = calloc(1, sizeof *c);
	const char *name = opts->theme;
	const char *nc = getenv("NO_COLOR");

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->opts = *opts;
	c->notify_bell = c->notify_tmux = true; /* until the broker's status says otherwise */
	if (c->opts.reviewer == NULL)
		c->opts.reviewer = "console";
	c->broker_err_fd = -1;
	c->m = m;
	c->status_agents = c->status_consoles = -1;
	if (name == NULL)
		name = nc != NULL && *nc != '\0' ? "mono" : "dark";
	c->th = theme_load(name, err, errlen);
	c->list_lines = lines_new();
	c->detail_lines = lines_new();
	c->aux_lines = lines_new();
	if (c->th == NULL || c->m == NULL || c->list_lines == NULL || c->detail_lines == NULL ||
	    c->aux_lines == NULL) {
		if (c->th != NULL)
			snprintf(err, errlen, "out of memory");
		console_free(c);
		return NULL;
	}
	return c;
}

void
console_free(console *c)
{
	if (c == NULL)
		return;
	if (c->cl != NULL)
		client_close(c->cl);
	if (c->broker_err_fd >= 0)
		close(c->broker_err_fd);
	theme_free(c->th);
	lines_free(c->list_lines);
	lines_free(c->detail_lines);
	lines_free(c->aux_lines);
	auditsrc_free(&c->audit);
	free(c->agents);
	free(c->calls);
	free(c->gwant);
	free(c->gsent);
	free(c->members);
	if (!c->offline)
		model_free(c->m);
	free(c);
}

console *
console_offline(model *m, const struct console_opts *opts, char *err, size_t errlen)
{
	console *c = console_new(m, opts, err, errlen);

	if (c == NULL)
		return NULL;
	c->offline = true;
	draw_init(c->th, true);
	return c;
}

void
console_frame(console *c, int64_t now_ms)
{
	frame(c, now_ms);
}

int
console_key(console *c, int key)
{
	return handle_key(c, key, cnow(c)) & H_QUIT;
}

static bool
colour_wanted(const struct console_opts *opts)
{
	const char *nc = getenv("NO_COLOR");

	/* an explicit --theme overrides NO_COLOR (no-color.org) */
	return opts->theme != NULL || nc == NULL || *nc == '\0';
}

static void
setup_paths(console *c)
{
	char *dir = paths_runtime_dir(), *sock = dir ? paths_join(dir, "console.sock") : NULL;
	char *db = paths_db();

	snprintf(c->sock, sizeof c->sock, "%s", sock ? sock : "");
	snprintf(c->db, sizeof c->db, "%s", db ? db : "");
	free(dir);
	free(sock);
	free(db);
}

static int
loop(console *c)
{
	int64_t now = cnow(c);

	c->down_since_ms = now;
	while (!c->quit && got_signal == 0) {
		struct pollfd p[3];
		int np = 0, timeout = 1000 - (int)(now % 1000), ch, cfd = -1;

		try_connect(c, now);
		run_due(c, now);
		frame(c, now);
		if (c->opts.max_iterations > 0 && ++c->iterations >= c->opts.max_iterations)
			break;
		p[np++] = (struct pollfd){ .fd = 0, .events = POLLIN };
		if (c->cl != NULL) {
			cfd = np;
			p[np++] = (struct pollfd){ .fd = client_fd(c->cl), .events = POLLIN };
		} else if (c->next_retry_ms - now < timeout) {
			timeout = c->next_retry_ms > now ? (int)(c->next_retry_ms - now) : 0;
		}
		if (c->broker_err_fd >= 0)
			p[np++] = (struct pollfd){ .fd = c->broker_err_fd, .events = POLLIN };
		if (c->broker_pid > 0 && timeout > 100)
			timeout = 100;
		if (c->opts.max_iterations > 0 && timeout > 50)
			timeout = 50; /* a bounded test run: iterate quickly */
		if (c->groups_due_ms || c->rules_due_ms || c->status_due_ms)
			timeout = timeout > REFETCH_DELAY_MS ? REFETCH_DELAY_MS : timeout;
		if (poll(p, (nfds_t)np, timeout) < 0 && errno != EINTR)
			break;
		now = cnow(c);
		if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			break; /* the terminal is gone */
		while ((ch = getch()) != ERR)
			if (handle_key(c, ch, now) & H_QUIT)
				c->quit = true;
		if (cfd >= 0 && (p[cfd].revents & (POLLIN | POLLHUP | POLLERR)))
			pump_broker(c, now);
		read_broker_err(c);
		reap_broker(c);
	}
	return 0;
}

int
console_run(const struct console_opts *opts)
{
	char err[512];
	struct sigaction sa = { .sa_handler = on_signal };
	console *c;
	model *m;

	setlocale(LC_ALL, "");
	if (!isatty(0) || !isatty(1)) {
		fprintf(stderr, "sandgate console: needs a terminal on stdin and stdout "
		    "(`sandgate --help` lists the other commands)\n");
		return 2;
	}
	if ((m = model_new()) == NULL || (c = console_new(m, opts, err, sizeof err)) == NULL) {
		fprintf(stderr, "sandgate console: %s\n", m == NULL ? "out of memory" : err);
		model_free(m);
		return 2;
	}
	setup_paths(c);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	set_escdelay(25);
	if (initscr() == NULL) {
		fprintf(stderr, "sandgate console: cannot initialise the terminal\n");
		console_free(c);
		return 2;
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	draw_init(c->th, colour_wanted(opts));
	loop(c);
	endwin();
	if (c->broker_pid > 0)
		waitpid(c->broker_pid, NULL, WNOHANG);
	console_free(c);
	return 0;
}
