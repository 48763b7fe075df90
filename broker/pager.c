/* pager.c -- running the pager command off the loop thread (pager.h). */
#include "broker/pager.h"
#include "broker/broker.h"
#include "proto/log.h"
#include "proto/rpc.h"
#include "proto/wallclock.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGER_MAX_RUNNING 4

extern char **environ;

struct pager_page {
	struct pager_page *next;    /* active pages (refs > 0) */
	char gid[32];
	int refs;                   /* pending requests paged under it */
	int jobs;                   /* runs queued or going */
	bool active;
	char failure[256];
};

struct job {
	struct job *next;
	struct pager_page *pg;
	const char *event;          /* "trigger" or "resolve" */
	char *json;
	uv_process_t proc;
	uv_pipe_t in;
	uv_timer_t kill;
	uv_write_t wr;
	int open_handles;
	bool spawned, started, killed, exited;
	int64_t status;
	int term_signal;
};

struct pager {
	struct broker *b;
	struct pager_page *pages;   /* active */
	struct job *queue, *queue_tail; /* not started */
	struct job *running;        /* started */
	int nrunning;
	bool stopping;
};

int
pager_init(struct broker *b)
{
	struct pager *pg = calloc(1, sizeof *pg);

	if (pg == NULL)
		return -1;
	pg->b = b;
	b->pager = pg;
	return 0;
}

static void
maybe_free(struct pager *pgr)
{
	if (pgr->stopping && pgr->queue == NULL && pgr->running == NULL) {
		struct pager_page *p;

		while ((p = pgr->pages) != NULL) {
			pgr->pages = p->next;
			free(p);
		}
		free(pgr);
	}
}

void
pager_stop(struct broker *b)
{
	struct pager *pgr = b->pager;

	if (pgr == NULL)
		return;
	b->pager = NULL;
	pgr->stopping = true;
	maybe_free(pgr);
}

const char *
pager_failure(const struct pager_page *pg)
{
	return pg != NULL ? pg->failure : "";
}

static void
alert(struct broker *b, const char *text)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;

	log_msg("pager: %s", text);
	if (b == NULL)
		return;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	rpc_pack_notify(&pk, "alert");
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, 3);
	rpc_pack_kv_str(&pk, "code", "pager");
	rpc_pack_kv_str(&pk, "message", text);
	rpc_pack_kv_int(&pk, "time_ms", wall_clock_ms());
	broker_broadcast(b, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
}

static void start_jobs(struct pager *pgr);

static void
page_unref_job(struct pager *pgr, struct pager_page *p)
{
	if (--p->jobs == 0 && !p->active) {
		free(p);
	}
	(void)pgr;
}

static void
job_done(struct pager *pgr, struct job *j)
{
	struct job **pp;
	struct broker *b = pgr->stopping ? NULL : pgr->b;
	char text[400] = "";

	for (pp = &pgr->running; *pp != NULL; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	pgr->nrunning--;
	if (!j->started)
		snprintf(text, sizeof text, "%s for group %s: the command could not be started", j->event, j->pg->gid);
	else if (j->killed)
		snprintf(text, sizeof text, "%s for group %s: killed after %lld s (pager_timeout)", j->event,
		    j->pg->gid, (long long)(pgr->b->cfg.esc.pager_timeout_ms / 1000));
	else if (j->term_signal != 0)
		snprintf(text, sizeof text, "%s for group %s: killed by signal %d", j->event, j->pg->gid,
		    j->term_signal);
	else if (j->status != 0)
		snprintf(text, sizeof text, "%s for group %s: exit status %lld", j->event, j->pg->gid,
		    (long long)j->status);
	if (text[0] != '\0') {
		size_t have = strlen(j->pg->failure);

		if (have + 2 < sizeof j->pg->failure) {
			/* what does not fit is cut (the log and the alert have it whole) */
			size_t room = sizeof j->pg->failure - have - 1, n;

			if (have > 0)
				memcpy(j->pg->failure + have, "; ", 2), have += 2, room -= 2;
			n = strlen(text) < room ? strlen(text) : room;
			memcpy(j->pg->failure + have, text, n);
			j->pg->failure[have + n] = '\0';
		}
		alert(b, text);
	} else {
		log_msg("pager: %s for group %s done", j->event, j->pg->gid);
	}
	page_unref_job(pgr, j->pg);
	free(j->json);
	free(j);
	start_jobs(pgr);
	maybe_free(pgr);
}

static void
on_handle_closed(uv_handle_t *h)
{
	struct job *j = h->data;

	if (--j->open_handles == 0)
		job_done((struct pager *)j->wr.data, j);
}

static void
close_job(struct job *j)
{
	if (j->open_handles == 0) {
		job_done((struct pager *)j->wr.data, j);
		return;
	}
	if (j->spawned && !uv_is_closing((uv_handle_t *)&j->proc))
		uv_close((uv_handle_t *)&j->proc, on_handle_closed);
	if (!uv_is_closing((uv_handle_t *)&j->in))
		uv_close((uv_handle_t *)&j->in, on_handle_closed);
	if (!uv_is_closing((uv_handle_t *)&j->kill))
		uv_close((uv_handle_t *)&j->kill, on_handle_closed);
}

static void
on_child_exit(uv_process_t *proc, int64_t status, int term_signal)
{
	struct job *j = proc->data;

	j->exited = true;
	j->status = status;
	j->term_signal = term_signal;
	/* the whole process group goes (a hung child of the command too) */
	if (proc->pid > 0)
		kill(-proc->pid, SIGKILL);
	close_job(j);
}

static void
on_kill(uv_timer_t *t)
{
	struct job *j = t->data;

	if (j->exited)
		return;
	j->killed = true;
	if (j->proc.pid > 0)
		kill(-j->proc.pid, SIGKILL);
}

static void
on_written(uv_write_t *w, int status)
{
	struct job *j = w->handle->data;

	(void)status; /* a command that does not read its stdin is its own business */
	if (!uv_is_closing((uv_handle_t *)&j->in))
		uv_close((uv_handle_t *)&j->in, on_handle_closed);
}

static bool
group_running(struct pager *pgr, const struct pager_page *p)
{
	for (struct job *j = pgr->running; j != NULL; j = j->next)
		if (j->pg == p)
			return true;
	return false;
}

static void
start_one(struct pager *pgr, struct job *j)
{
	const char *cmd = pgr->b->cfg.esc.pager;
	char *args[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	char ev[64], grp[64], **env;
	size_t n = 0;
	uv_process_options_t o;
	uv_stdio_container_t io[3];
	uv_buf_t buf;
	int rc;

	j->next = pgr->running;
	pgr->running = j;
	pgr->nrunning++;
	j->wr.data = pgr;
	while (environ[n] != NULL)
		n++;
	env = calloc(n + 3, sizeof *env);
	if (env == NULL) {
		close_job(j);
		return;
	}
	n = 0;
	for (char **e = environ; *e != NULL; e++)
		if (strncmp(*e, "SANDGATE_EVENT=", 15) != 0 && strncmp(*e, "SANDGATE_GROUP=", 15) != 0)
			env[n++] = *e;
	snprintf(ev, sizeof ev, "SANDGATE_EVENT=%s", j->event);
	snprintf(grp, sizeof grp, "SANDGATE_GROUP=%s", j->pg->gid);
	env[n++] = ev;
	env[n++] = grp;
	env[n] = NULL;
	uv_pipe_init(pgr->b->loop, &j->in, 0);
	j->in.data = j;
	uv_timer_init(pgr->b->loop, &j->kill);
	j->kill.data = j;
	j->open_handles = 2;
	io[0].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
	io[0].data.stream = (uv_stream_t *)&j->in;
	io[1].flags = UV_INHERIT_FD;
	io[1].data.fd = 2;
	io[2].flags = UV_INHERIT_FD;
	io[2].data.fd = 2;
	memset(&o, 0, sizeof o);
	o.file = args[0];
	o.args = args;
	o.env = env;
	o.exit_cb = on_child_exit;
	o.stdio_count = 3;
	o.stdio = io;
	o.flags = UV_PROCESS_DETACHED; /* its own process group, killed as one */
	j->proc.data = j;
	rc = uv_spawn(pgr->b->loop, &j->proc, &o);
	free(env);
	j->spawned = true; /* initialised even when it failed: closed like the others */
	j->open_handles = 3;
	if (rc < 0) {
		log_msg("pager: cannot start %s: %s", cmd, uv_strerror(rc));
		close_job(j);
		return;
	}
	j->started = true;
	uv_timer_start(&j->kill, on_kill, (uint64_t)pgr->b->cfg.esc.pager_timeout_ms, 0);
	buf = uv_buf_init(j->json, (unsigned)strlen(j->json));
	if (uv_write(&j->wr, (uv_stream_t *)&j->in, &buf, 1, on_written) < 0)
		uv_close((uv_handle_t *)&j->in, on_handle_closed);
	j->wr.data = pgr; /* uv_write does not touch data */
}

static void
start_jobs(struct pager *pgr)
{
	struct job **pp = &pgr->queue, *j;

	while ((j = *pp) != NULL && pgr->nrunning < PAGER_MAX_RUNNING) {
		if (group_running(pgr, j->pg)) {
			pp = &j->next;
			continue;
		}
		*pp = j->next;
		if (pgr->queue_tail == j) {
			struct job *t = pgr->queue;

			while (t != NULL && t->next != NULL)
				t = t->next;
			pgr->queue_tail = t;
		}
		j->next = NULL;
		start_one(pgr, j);
	}
}

static void
enqueue(struct pager *pgr, struct pager_page *p, const char *event, char *json)
{
	struct job *j = calloc(1, sizeof *j);

	if (j == NULL) {
		free(json);
		log_msg("pager: out of memory: %s for group %s not sent", event, p->gid);
		return;
	}
	j->pg = p;
	j->event = event;
	j->json = json;
	p->jobs++;
	if (pgr->queue_tail != NULL)
		pgr->queue_tail->next = j;
	else
		pgr->queue = j;
	pgr->queue_tail = j;
	start_jobs(pgr);
}

struct pager_page *
pager_page(struct broker *b, const char *group_id, char *json)
{
	struct pager *pgr = b->pager;
	struct pager_page *p;

	if (pgr == NULL || b->cfg.esc.pager[0] == '\0') {
		free(json);
		return NULL;
	}
	for (p = pgr->pages; p != NULL; p = p->next)
		if (strcmp(p->gid, group_id) == 0) {
			p->refs++;
			free(json);
			return p;
		}
	if ((p = calloc(1, sizeof *p)) == NULL) {
		free(json);
		log_msg("pager: out of memory: group %s not paged", group_id);
		return NULL;
	}
	snprintf(p->gid, sizeof p->gid, "%s", group_id);
	p->refs = 1;
	p->active = true;
	p->next = pgr->pages;
	pgr->pages = p;
	enqueue(pgr, p, "trigger", json);
	return p;
}

void
pager_release(struct broker *b, struct pager_page *p, const char *outcome)
{
	struct pager *pgr = b->pager;
	struct pager_page **pp;
	char *json;
	size_t n;

	if (p == NULL || --p->refs > 0)
		return;
	if (pgr == NULL) /* stopping: nothing more is started */
		return;
	for (pp = &pgr->pages; *pp != NULL; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	p->active = false;
	n = 160 + strlen(outcome);
	if ((json = malloc(n)) != NULL)
		snprintf(json, n, "{\"event\":\"resolve\",\"group\":\"%s\",\"outcome\":\"%s\",\"time_ms\":%lld}\n",
		    p->gid, outcome, (long long)wall_clock_ms());
	if (json == NULL) {
		log_msg("pager: out of memory: resolve for group %s not sent", p->gid);
		if (p->jobs == 0)
			free(p);
		return;
	}
	enqueue(pgr, p, "resolve", json);
}
