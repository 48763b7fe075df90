/* model.c -- requests, groups and rules from broker messages. */
#include "tui/model.h"
#include "tui/filter.h"
#include "tui/text.h"
#include "proto/rpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Raw request maps kept for the detail view, in total; past this a request
 * keeps only its summary (the detail says so). */
#define RAW_BUDGET (256u * 1024u * 1024u)
#define MAX_REASONS 32
#define MAX_DEFERRALS 4096

struct deferral {
	char *id;
	int64_t until;
};

struct model {
	/* requests: hash by id plus a dense array for iteration */
	struct mreq **rbucket;
	size_t nrbucket;
	struct mreq **all;
	size_t nall, capall;
	size_t raw_bytes;
	/* groups: hash by id plus a dense array */
	struct mgroup **gbucket;
	size_t ngbucket;
	struct mgroup **groups;
	size_t ngroups, capgroups;
	bool local;
	uint64_t sync;
	/* the queue as shown */
	struct mgroup **queue;
	size_t nqueue, capqueue;
	bool dirty;
	int64_t next_expiry;
	char *filter;
	struct deferral *def;
	size_t ndef;
	uint64_t generation;
	struct mrule *rules;
	size_t nrules;
};

/* ---- small helpers ---- */

static uint64_t
hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ull;
	return h;
}

/* Copy a str object; embedded NUL bytes become U+FFFD and set *hostile.
 * NULL for anything but a str (or out of memory). */
static char *
dup_obj_str(const msgpack_object *o, size_t max, unsigned *hostile)
{
	size_t n, extra = 0, j = 0;
	char *s;

	if (o == NULL || o->type != MSGPACK_OBJECT_STR)
		return NULL;
	n = o->via.str.size < max ? o->via.str.size : max;
	for (size_t i = 0; i < n; i++)
		extra += o->via.str.ptr[i] == '\0' ? 2 : 0;
	if ((s = malloc(n + extra + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (o->via.str.ptr[i] == '\0') {
			memcpy(s + j, "\xef\xbf\xbd", 3);
			j += 3;
			if (hostile != NULL)
				*hostile |= TEXT_HAD_CONTROL;
		} else {
			s[j++] = o->via.str.ptr[i];
		}
	}
	s[j] = '\0';
	return s;
}

static char *
field(const msgpack_object *map, const char *key, size_t max, unsigned *hostile)
{
	return dup_obj_str(rpc_map_get(map, key), max, hostile);
}

static int64_t
int_field(const msgpack_object *map, const char *key, int64_t dflt)
{
	int64_t v;

	return rpc_get_int(rpc_map_get(map, key), INT64_MIN, INT64_MAX, &v) == 0 ? v : dflt;
}

/* Pack o into a new buffer (caller frees); NULL on failure. */
static char *
pack_copy(const msgpack_object *o, size_t *len)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	if (msgpack_pack_object(&pk, *o) != 0 || sb.data == NULL) {
		msgpack_sbuffer_destroy(&sb);
		return NULL;
	}
	{
		/* the sbuffer reserves 8 KiB; keep only what the object takes */
		char *copy = malloc(sb.size ? sb.size : 1);

		if (copy != NULL)
			memcpy(copy, sb.data, sb.size);
		*len = sb.size;
		msgpack_sbuffer_destroy(&sb);
		return copy;
	}
}

static int
noop_piece(void *arg, const char *p, size_t n, size_t cols, int kind)
{
	return 0;
}

static unsigned
scan_flags(const char *s)
{
	return s != NULL ? text_scan(s, strlen(s), noop_piece, NULL) : 0;
}

const char *
risk_level_name(enum risk_level l)
{
	static const char *const names[] = { "unknown", "low", "medium", "high", "critical" };

	return l <= RISK_CRITICAL ? names[l] : "unknown";
}

enum risk_level
risk_level_parse(const char *s, size_t n)
{
	for (int l = RISK_LOW; l <= RISK_CRITICAL; l++)
		if (strlen(risk_level_name((enum risk_level)l)) == n &&
		    memcmp(risk_level_name((enum risk_level)l), s, n) == 0)
			return (enum risk_level)l;
	return RISK_UNKNOWN;
}

/* ---- model ---- */

model *
model_new(void)
{
	model *m = calloc(1, sizeof *m);

	if (m == NULL)
		return NULL;
	m->nrbucket = 1024;
	m->ngbucket = 256;
	m->rbucket = calloc(m->nrbucket, sizeof *m->rbucket);
	m->gbucket = calloc(m->ngbucket, sizeof *m->gbucket);
	m->local = true;
	m->dirty = true;
	if (m->rbucket == NULL || m->gbucket == NULL) {
		model_free(m);
		return NULL;
	}
	return m;
}

static void
free_req(struct mreq *r)
{
	free(r->agent);
	free(r->session);
	free(r->kind);
	free(r->summary);
	free(r->cwd);
	free(r->workspace);
	free(r->req_id);
	free(r->group_id);
	for (size_t i = 0; i < r->nreasons; i++) {
		free(r->reasons[i].id);
		free(r->reasons[i].text);
		free(r->reasons[i].part);
	}
	free(r->reasons);
	free(r->raw);
	free(r->intent);
	free(r->esc_by);
	free(r->esc_why);
	free(r->pin_changed);
	free(r);
}

static void
free_group(struct mgroup *g)
{
	free(g->id);
	free(g->key);
	free(g->agent);
	free(g->session);
	free(g->kind);
	free(g->pattern);
	free(g->signature);
	free(g->label);
	free(g->m);
	free(g->common);
	free(g->varies);
	free(g->others_ex);
	for (int i = 0; i < g->nsugg; i++) {
		free(g->sugg[i].pattern);
		free(g->sugg[i].scope);
		free(g->sugg[i].ceiling);
		free(g->sugg[i].reason);
		free(g->sugg[i].leaves);
	}
	free(g);
}

static void
free_rules(model *m)
{
	for (size_t i = 0; i < m->nrules; i++) {
		struct mrule *r = &m->rules[i];

		free(r->effect);
		free(r->pattern);
		free(r->scope);
		free(r->scope_value);
		free(r->author_name);
		free(r->note);
		free(r->origin);
		free(r->pin_path);
	}
	free(m->rules);
	m->rules = NULL;
	m->nrules = 0;
}

/* Drop every group (members stay, detached). */
static void
drop_groups(model *m)
{
	for (size_t i = 0; i < m->ngroups; i++)
		free_group(m->groups[i]);
	m->ngroups = 0;
	memset(m->gbucket, 0, m->ngbucket * sizeof *m->gbucket);
	for (size_t i = 0; i < m->nall; i++)
		m->all[i]->group = NULL;
	m->dirty = true;
}

void
model_clear(model *m)
{
	drop_groups(m);
	for (size_t i = 0; i < m->nall; i++)
		free_req(m->all[i]);
	m->nall = 0;
	m->raw_bytes = 0;
	memset(m->rbucket, 0, m->nrbucket * sizeof *m->rbucket);
	m->nqueue = 0;
	m->dirty = true;
	m->generation++;
}

void
model_free(model *m)
{
	if (m == NULL)
		return;
	if (m->rbucket != NULL && m->gbucket != NULL)
		model_clear(m);
	free(m->rbucket);
	free(m->gbucket);
	free(m->all);
	free(m->groups);
	free(m->queue);
	free(m->filter);
	for (size_t i = 0; i < m->ndef; i++)
		free(m->def[i].id);
	free(m->def);
	free_rules(m);
	free(m);
}

size_t model_pending(const model *m) { return m->nall; }
const struct mreq *model_request_at(const model *m, size_t i) { return i < m->nall ? m->all[i] : NULL; }
bool model_local_groups(const model *m) { return m->local; }
size_t model_group_count(const model *m) { return m->ngroups; }
size_t model_rule_count(const model *m) { return m->nrules; }
const struct mrule *model_rule_at(const model *m, size_t i) { return i < m->nrules ? &m->rules[i] : NULL; }
uint64_t model_generation(const model *m) { return m->generation; }
const char *model_filter(const model *m) { return m->filter != NULL ? m->filter : ""; }

static size_t
rslot(const model *m, int64_t id)
{
	return (size_t)(hash_bytes(&id, sizeof id) & (m->nrbucket - 1));
}

const struct mreq *
model_find(const model *m, int64_t id)
{
	for (struct mreq *r = m->rbucket[rslot(m, id)]; r != NULL; r = r->hnext)
		if (r->id == id)
			return r;
	return NULL;
}

/* Double the request hash when it holds more than two per bucket. */
static void
rgrow(model *m)
{
	size_t n = m->nrbucket * 2;
	struct mreq **b = calloc(n, sizeof *b);

	if (b == NULL)
		return;
	free(m->rbucket);
	m->rbucket = b;
	m->nrbucket = n;
	for (size_t i = 0; i < m->nall; i++) {
		size_t s = rslot(m, m->all[i]->id);

		m->all[i]->hnext = b[s];
		b[s] = m->all[i];
	}
}

static size_t
gslot(const model *m, const char *id)
{
	return (size_t)(hash_bytes(id, strlen(id)) & (m->ngbucket - 1));
}

static struct mgroup *
gfind(const model *m, const char *id)
{
	for (struct mgroup *g = m->gbucket[gslot(m, id)]; g != NULL; g = g->hnext)
		if (strcmp(g->id, id) == 0)
			return g;
	return NULL;
}

const struct mgroup *
model_group(const model *m, const char *id)
{
	return gfind(m, id);
}

static void
ggrow(model *m)
{
	size_t n = m->ngbucket * 2;
	struct mgroup **b = calloc(n, sizeof *b);

	if (b == NULL)
		return;
	free(m->gbucket);
	m->gbucket = b;
	m->ngbucket = n;
	for (size_t i = 0; i < m->ngroups; i++) {
		size_t s = gslot(m, m->groups[i]->id);

		m->groups[i]->hnext = b[s];
		b[s] = m->groups[i];
	}
}

static int
push_ptr(void ***arr, size_t *n, size_t *cap, void *p)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		void **a = realloc(*arr, c * sizeof *a);

		if (a == NULL)
			return -1;
		*arr = a;
		*cap = c;
	}
	(*arr)[(*n)++] = p;
	return 0;
}

/* A new empty group under id, in the hash and the dense array. */
static struct mgroup *
gnew(model *m, const char *id, bool local)
{
	struct mgroup *g = calloc(1, sizeof *g);
	size_t s;

	if (m->ngroups + 1 > m->ngbucket * 2)
		ggrow(m); /* before g is in `groups`: ggrow rehashes everything there */
	if (g == NULL || (g->id = strdup(id)) == NULL ||
	    push_ptr((void ***)&m->groups, &m->ngroups, &m->capgroups, g) < 0) {
		if (g != NULL)
			free(g->id);
		free(g);
		return NULL;
	}
	g->local = local;
	g->gidx = m->ngroups - 1;
	g->sync = m->sync;
	g->max_score = g->broker_score = -1;
	s = gslot(m, id);
	g->hnext = m->gbucket[s];
	m->gbucket[s] = g;
	return g;
}

static void
gdelete(model *m, struct mgroup *g)
{
	struct mgroup **pp = &m->gbucket[gslot(m, g->id)];

	while (*pp != NULL && *pp != g)
		pp = &(*pp)->hnext;
	if (*pp == g)
		*pp = g->hnext;
	if (g->gidx < m->ngroups && m->groups[g->gidx] == g) {
		m->groups[g->gidx] = m->groups[--m->ngroups];
		m->groups[g->gidx]->gidx = g->gidx;
	}
	free_group(g);
}

/* Is a better representative than b: higher shown risk, then older. */
static bool
rep_better(const struct mreq *a, const struct mreq *b)
{
	if (b == NULL)
		return true;
	if (a->shown != b->shown)
		return a->shown > b->shown;
	if (a->score != b->score)
		return a->score > b->score;
	return a->id < b->id;
}

static void
gupdate_with(struct mgroup *g, const struct mreq *r)
{
	if (rep_better(r, g->rep))
		g->rep = (struct mreq *)r;
	if (r->shown > g->max_level)
		g->max_level = r->shown;
	if (r->score > g->max_score)
		g->max_score = r->score;
	if (g->oldest_ms == 0 || r->created_ms < g->oldest_ms)
		g->oldest_ms = r->created_ms;
}

/* Recompute a group's summary from its members. */
static void
grecompute(struct mgroup *g)
{
	g->rep = NULL;
	g->max_level = g->broker_level;
	g->max_score = g->broker_score;
	g->oldest_ms = 0;
	for (size_t i = 0; i < g->n; i++)
		gupdate_with(g, g->m[i]);
}

static int
gadd(struct mgroup *g, struct mreq *r)
{
	if (push_ptr((void ***)&g->m, &g->n, &g->cap, r) < 0)
		return -1;
	r->group = g;
	r->gpos = g->n - 1;
	gupdate_with(g, r);
	return 0;
}

/* The first word of s (at most 64 bytes) into buf. */
static void
head_word(const char *s, char *buf, size_t cap)
{
	size_t n;

	while (*s == ' ')
		s++;
	n = strcspn(s, " ");
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

/* What requests of one local group share beyond agent, session and kind:
 * the program for exec, the directory for paths, the host for net. */
static void
local_head(const struct mreq *r, char *buf, size_t cap)
{
	const char *s = r->summary != NULL ? r->summary : "";

	if (strcmp(r->kind, "exec") == 0) {
		head_word(s, buf, cap);
	} else if (strcmp(r->kind, "net") == 0) {
		const char *p = strstr(s, "://");
		size_t n;

		p = p != NULL ? p + 3 : s;
		n = strcspn(p, "/:? ");
		snprintf(buf, cap, "%.*s", (int)(n < 64 ? n : 64), p);
	} else if (strchr(s, ' ') != NULL && strrchr(s, '/') > strchr(s, ' ')) {
		const char *sp = strchr(s, ' ') + 1, *sl = strrchr(s, '/');

		snprintf(buf, cap, "%.*s/", (int)(sl - sp < 200 ? sl - sp : 200), sp);
	} else {
		head_word(s, buf, cap);
	}
}

/* Put r in a group: its broker group (or a placeholder until the next
 * groups fetch), or a local group. */
static int
attach(model *m, struct mreq *r)
{
	char key[1024], head[256];
	struct mgroup *g;

	if (!m->local) {
		if (r->group_id != NULL)
			snprintf(key, sizeof key, "%s", r->group_id);
		else
			snprintf(key, sizeof key, "r%lld", (long long)r->id);
	} else {
		local_head(r, head, sizeof head);
		snprintf(key, sizeof key, "L\x1f%s\x1f%s\x1f%s\x1f%s", r->agent, r->session, r->kind, head);
	}
	if ((g = gfind(m, key)) == NULL) {
		if ((g = gnew(m, key, m->local)) == NULL)
			return -1;
		g->agent = strdup(r->agent);
		g->session = strdup(r->session);
		g->kind = strdup(r->kind);
		g->placeholder = !m->local;
		if (m->local) {
			g->key = strdup(key);
			snprintf(key, sizeof key, "%s%s", head, strcmp(r->kind, "exec") == 0 ? " *" : "*");
			g->pattern = strdup(key);
		}
	}
	return gadd(g, r);
}

static void
detach(model *m, struct mreq *r)
{
	struct mgroup *g = r->group;

	if (g == NULL)
		return;
	g->m[r->gpos] = g->m[--g->n];
	g->m[r->gpos]->gpos = r->gpos;
	r->group = NULL;
	if (g->n == 0)
		gdelete(m, g);
	else if (g->rep == r || r->shown >= g->max_level || r->created_ms <= g->oldest_ms)
		grecompute(g);
}

static void
parse_risk(struct mreq *r, const msgpack_object *risk)
{
	const msgpack_object *lv = rpc_map_get(risk, "level"), *rs = rpc_map_get(risk, "reasons");
	int64_t score;

	r->score = -1;
	r->level = RISK_UNKNOWN;
	if (risk == NULL || risk->type != MSGPACK_OBJECT_MAP)
		return;
	if (rpc_get_int(rpc_map_get(risk, "score"), 0, 100, &score) == 0)
		r->score = (int)score;
	if (lv != NULL && lv->type == MSGPACK_OBJECT_STR)
		r->level = risk_level_parse(lv->via.str.ptr, lv->via.str.size);
	if (rs == NULL || rs->type != MSGPACK_OBJECT_ARRAY || rs->via.array.size == 0)
		return;
	r->reasons = calloc(rs->via.array.size < MAX_REASONS ? rs->via.array.size : MAX_REASONS,
	    sizeof *r->reasons);
	for (uint32_t i = 0; r->reasons != NULL && i < rs->via.array.size && i < MAX_REASONS; i++) {
		const msgpack_object *o = &rs->via.array.ptr[i];
		struct mreason *x = &r->reasons[r->nreasons];

		if (o->type != MSGPACK_OBJECT_MAP)
			continue;
		x->id = field(o, "id", 128, NULL);
		x->text = field(o, "text", 1024, NULL);
		x->part = field(o, "part", 1024, NULL);
		x->weight = int_field(o, "weight", 0);
		r->nreasons++;
	}
}

/* escalate_ms, expire_ms, escalation {level, time_ms, by, why} (issue #15) */
static void
parse_escalation(struct mreq *r, const msgpack_object *v)
{
	const msgpack_object *e = rpc_map_get(v, "escalation");

	r->escalate_ms = int_field(v, "escalate_ms", -1);
	r->expire_ms = int_field(v, "expire_ms", -1);
	r->esc_level = (int)int_field(e, "level", 1);
	r->esc_ms = int_field(e, "time_ms", -1);
	free(r->esc_by);
	free(r->esc_why);
	r->esc_by = field(e, "by", 256, NULL);
	r->esc_why = field(e, "why", 512, NULL);
}

int
model_escalated(model *m, const msgpack_object *note)
{
	int64_t id;
	struct mreq *r;

	if (note == NULL || rpc_get_int(rpc_map_get(note, "id"), 1, INT64_MAX, &id) < 0 ||
	    (r = (struct mreq *)model_find(m, id)) == NULL)
		return 0;
	parse_escalation(r, note);
	m->generation++;
	return 1;
}

int64_t
model_req_end(const struct mreq *r)
{
	int64_t end = r->deadline_ms > 0 ? r->deadline_ms : -1;

	if (r->expire_ms > 0 && (end < 0 || r->expire_ms < end))
		end = r->expire_ms;
	return end;
}

int64_t
model_group_end(const struct mgroup *g, bool *esc)
{
	int64_t end = -1;

	if (esc != NULL)
		*esc = false;
	for (size_t i = 0; i < g->n && i < 4096; i++) {
		int64_t e = model_req_end(g->m[i]);

		if (e > 0 && (end < 0 || e < end))
			end = e;
		if (esc != NULL && g->m[i]->esc_level >= 2)
			*esc = true;
	}
	return end;
}

const struct mreq *
model_group_escalated(const struct mgroup *g)
{
	for (size_t i = 0; i < g->n && i < 4096; i++)
		if (g->m[i]->esc_level >= 2)
			return g->m[i];
	return NULL;
}

int
model_add_request(model *m, const msgpack_object *v)
{
	struct mreq *r;
	int64_t id;
	const msgpack_object *req;
	size_t s;

	if (v == NULL || v->type != MSGPACK_OBJECT_MAP ||
	    rpc_get_int(rpc_map_get(v, "id"), 1, INT64_MAX, &id) < 0)
		return -1;
	if (model_find(m, id) != NULL)
		return 0;
	if ((r = calloc(1, sizeof *r)) == NULL)
		return -1;
	r->id = id;
	r->agent = field(v, "agent", 1024, &r->hostile);
	r->session = field(v, "session", 1024, &r->hostile);
	r->kind = field(v, "kind", 64, &r->hostile);
	r->summary = field(v, "summary", 65536, &r->hostile);
	r->cwd = field(v, "cwd", 8192, &r->hostile);
	r->workspace = field(v, "workspace", 8192, &r->hostile);
	r->req_id = field(v, "req_id", 1024, &r->hostile);
	r->group_id = field(v, "group", 256, NULL);
	r->created_ms = int_field(v, "created_ms", 0);
	r->deadline_ms = int_field(v, "deadline_ms", 0);
	r->pid = int_field(rpc_map_get(v, "peer"), "pid", -1);
	r->uid = int_field(rpc_map_get(v, "peer"), "uid", -1);
	if (r->agent == NULL || r->session == NULL || r->kind == NULL || r->summary == NULL) {
		free_req(r);
		return -1;
	}
	parse_risk(r, rpc_map_get(v, "risk"));
	parse_escalation(r, v);
	{
		const msgpack_object *cv = rpc_map_get(v, "circumvention");

		if (cv != NULL && cv->type == MSGPACK_OBJECT_ARRAY)
			r->circ = cv->via.array.size > 99 ? 99 : (int)cv->via.array.size;
	}
	r->pin_changed = field(rpc_map_get(v, "pin_changed"), "text", 1024, NULL);
	r->hostile |= scan_flags(r->agent) | scan_flags(r->session) | scan_flags(r->summary) |
	    scan_flags(r->cwd) | scan_flags(r->workspace);
	r->shown = r->level;
	if ((r->hostile & (TEXT_HAD_CONTROL | TEXT_HAD_BIDI | TEXT_HAD_INVISIBLE | TEXT_HAD_INVALID)) &&
	    r->shown < RISK_HIGH)
		r->shown = RISK_HIGH;
	if ((req = rpc_map_get(v, "request")) != NULL && req->type == MSGPACK_OBJECT_MAP &&
	    m->raw_bytes < RAW_BUDGET) {
		r->raw = pack_copy(req, &r->raw_len);
		m->raw_bytes += r->raw_len;
	}
	if ((req = rpc_map_get(v, "intent")) != NULL && req->type == MSGPACK_OBJECT_MAP)
		r->intent = pack_copy(req, &r->intent_len);
	if (m->nall + 1 > m->nrbucket * 2)
		rgrow(m); /* before r is in `all`: rgrow rehashes everything there */
	if (push_ptr((void ***)&m->all, &m->nall, &m->capall, r) < 0) {
		free_req(r);
		return -1;
	}
	r->apos = m->nall - 1;
	s = rslot(m, id);
	r->hnext = m->rbucket[s];
	m->rbucket[s] = r;
	attach(m, r);
	m->dirty = true;
	m->generation++;
	return 1;
}

int
model_remove_request(model *m, int64_t id)
{
	struct mreq **pp = &m->rbucket[rslot(m, id)], *r;

	while ((r = *pp) != NULL && r->id != id)
		pp = &r->hnext;
	if (r == NULL)
		return 0;
	*pp = r->hnext;
	detach(m, r);
	m->all[r->apos] = m->all[--m->nall];
	m->all[r->apos]->apos = r->apos;
	if (r->raw != NULL)
		m->raw_bytes -= r->raw_len;
	free_req(r);
	m->dirty = true;
	m->generation++;
	return 1;
}

/* ---- groups from the broker ---- */

static void
parse_suggestions(struct mgroup *g, const msgpack_object *a)
{
	if (a == NULL || a->type != MSGPACK_OBJECT_ARRAY)
		return;
	for (uint32_t i = 0; i < a->via.array.size && g->nsugg < 4; i++) {
		const msgpack_object *o = &a->via.array.ptr[i];
		struct msugg *s = &g->sugg[g->nsugg];
		const msgpack_object *ch = rpc_map_get(o, "covers_high");

		if (o->type != MSGPACK_OBJECT_MAP)
			continue;
		s->index = (int)int_field(o, "index", i);
		s->pattern = field(o, "pattern", 4096, NULL);
		s->scope = field(o, "scope", 64, NULL);
		s->covers = int_field(o, "covers", 0);
		s->covers_high = ch != NULL && ch->type == MSGPACK_OBJECT_BOOLEAN && ch->via.boolean;
		ch = rpc_map_get(o, "priced");
		s->priced = ch == NULL || ch->type != MSGPACK_OBJECT_BOOLEAN || ch->via.boolean;
		/* issue #17: what saving it makes */
		s->ceiling = field(o, "max_level", 16, NULL);
		s->reason = field(o, "reason", 512, NULL);
		s->ttl_s = int_field(o, "ttl", 0);
		s->learned = (ch = rpc_map_get(o, "learned")) != NULL && ch->type == MSGPACK_OBJECT_BOOLEAN && ch->via.boolean;
		s->pin = (ch = rpc_map_get(o, "pin")) != NULL && ch->type == MSGPACK_OBJECT_BOOLEAN && ch->via.boolean;
		/* issue #16: an absent `whole` is not taken as whole */
		s->whole = (ch = rpc_map_get(o, "whole")) != NULL && ch->type == MSGPACK_OBJECT_BOOLEAN && ch->via.boolean;
		s->leaves = field(o, "leaves", 512, NULL);
		if (s->pattern == NULL || s->scope == NULL) {
			free(s->pattern);
			free(s->scope);
			free(s->ceiling);
			free(s->reason);
			free(s->leaves);
			continue;
		}
		g->nsugg++;
	}
}

/* Replace what g says about itself (strings, maps, suggestions). */
static void
clear_group_data(struct mgroup *g)
{
	free(g->agent);
	free(g->session);
	free(g->kind);
	free(g->pattern);
	free(g->signature);
	free(g->label);
	g->label = NULL;
	free(g->common);
	free(g->varies);
	free(g->others_ex);
	g->others_ex = NULL;
	g->others_n = g->others_more = 0;
	g->agent = g->session = g->kind = g->pattern = g->signature = g->common = g->varies = NULL;
	g->common_len = g->varies_len = 0;
	for (int i = 0; i < g->nsugg; i++) {
		free(g->sugg[i].pattern);
		free(g->sugg[i].scope);
		free(g->sugg[i].ceiling);
		free(g->sugg[i].reason);
		free(g->sugg[i].leaves);
	}
	g->nsugg = 0;
}

/* A group of a groups reply: described afresh, listed members moved in. */
static void
upsert_group(model *m, const msgpack_object *o)
{
	const msgpack_object *mem = rpc_map_get(o, "members"), *x;
	char *id = field(o, "id", 256, NULL);
	struct mgroup *g;
	int64_t sc;

	if (id == NULL || ((g = gfind(m, id)) == NULL && (g = gnew(m, id, false)) == NULL) || g->local) {
		free(id);
		return;
	}
	free(id);
	clear_group_data(g);
	g->agent = field(o, "agent", 1024, NULL);
	g->session = field(o, "session", 1024, NULL);
	g->kind = field(o, "kind", 64, NULL);
	g->pattern = field(o, "pattern", 8192, NULL);
	g->signature = field(o, "signature", 8192, NULL);
	g->label = field(o, "label", 8192, NULL);
	if ((x = rpc_map_get(o, "common")) != NULL && x->type == MSGPACK_OBJECT_MAP)
		g->common = pack_copy(x, &g->common_len);
	if ((x = rpc_map_get(o, "varies")) != NULL && x->type == MSGPACK_OBJECT_ARRAY)
		g->varies = pack_copy(x, &g->varies_len);
	parse_suggestions(g, rpc_map_get(o, "suggestions"));
	g->broker_level = RISK_UNKNOWN;
	g->broker_score = -1;
	if ((x = rpc_map_get(o, "max_level")) != NULL && x->type == MSGPACK_OBJECT_STR)
		g->broker_level = risk_level_parse(x->via.str.ptr, x->via.str.size);
	if (rpc_get_int(rpc_map_get(o, "max_score"), 0, 100, &sc) == 0)
		g->broker_score = (int)sc;
	if ((x = rpc_map_get(o, "others")) != NULL && x->type == MSGPACK_OBJECT_MAP) {
		g->others_n = int_field(x, "requests", 0);
		g->others_more = int_field(x, "more", 0);
		g->others_ex = field(x, "example", 1024, NULL);
	}
	g->count = int_field(o, "count", mem != NULL && mem->type == MSGPACK_OBJECT_ARRAY ? mem->via.array.size : 0);
	g->placeholder = false;
	g->sync = m->sync;
	for (uint32_t i = 0; mem != NULL && mem->type == MSGPACK_OBJECT_ARRAY && i < mem->via.array.size; i++) {
		int64_t rid;
		struct mreq *r;

		if (rpc_get_int(&mem->via.array.ptr[i], 1, INT64_MAX, &rid) < 0 ||
		    (r = (struct mreq *)model_find(m, rid)) == NULL || r->group == g)
			continue;
		detach(m, r);
		free(r->group_id);
		r->group_id = strdup(g->id);
		gadd(g, r);
	}
	grecompute(g);
}

/* Forget group g; its members wait in groups of their own ("r<id>") until
 * the broker names their group. */
static void
drop_group(model *m, struct mgroup *g)
{
	struct mreq **mem = g->n > 0 ? malloc(g->n * sizeof *mem) : NULL;
	size_t n = mem != NULL ? g->n : 0;

	if (mem != NULL)
		memcpy(mem, g->m, n * sizeof *mem);
	for (size_t i = 0; i < g->n; i++) {
		g->m[i]->group = NULL;
		free(g->m[i]->group_id);
		g->m[i]->group_id = NULL;
	}
	g->n = 0;
	gdelete(m, g);
	for (size_t i = 0; i < n; i++)
		attach(m, mem[i]);
	free(mem);
}

/* Leave local grouping: every request goes to the group the broker named. */
static void
use_broker_groups(model *m)
{
	if (!m->local)
		return;
	drop_groups(m);
	m->local = false;
	for (size_t i = 0; i < m->nall; i++)
		attach(m, m->all[i]);
}

int
model_update_groups(model *m, const msgpack_object *result)
{
	const msgpack_object *a = rpc_map_get(result, "groups"), *gone = rpc_map_get(result, "gone");

	if (a == NULL || a->type != MSGPACK_OBJECT_ARRAY)
		return -1;
	use_broker_groups(m);
	for (uint32_t i = 0; i < a->via.array.size; i++)
		if (a->via.array.ptr[i].type == MSGPACK_OBJECT_MAP)
			upsert_group(m, &a->via.array.ptr[i]);
	for (uint32_t i = 0; gone != NULL && gone->type == MSGPACK_OBJECT_ARRAY && i < gone->via.array.size; i++) {
		char *id = dup_obj_str(&gone->via.array.ptr[i], 256, NULL);
		struct mgroup *g = id != NULL ? gfind(m, id) : NULL;

		if (g != NULL && !g->local)
			drop_group(m, g);
		free(id);
	}
	m->dirty = true;
	m->generation++;
	return 0;
}

void
model_groups_sync_begin(model *m)
{
	use_broker_groups(m);
	m->sync++;
}

size_t
model_groups_sync_end(model *m, void (*fn)(void *arg, const char *id), void *arg)
{
	size_t n = 0;

	for (size_t i = 0; i < m->ngroups; i++) {
		struct mgroup *g = m->groups[i];

		if (!g->local && !g->placeholder && g->sync != m->sync) {
			fn(arg, g->id);
			n++;
		}
	}
	return n;
}

static void
no_fetch(void *arg, const char *id)
{
	(void)arg;
	(void)id;
}

int
model_set_groups(model *m, const msgpack_object *result)
{
	const msgpack_object *a = rpc_map_get(result, "groups");

	if (a == NULL || a->type != MSGPACK_OBJECT_ARRAY)
		return -1;
	model_groups_sync_begin(m);
	model_update_groups(m, result);
	model_groups_sync_end(m, no_fetch, NULL);
	/* groups this reply did not describe are gone; so are empty ones */
	for (size_t i = m->ngroups; i-- > 0;) {
		struct mgroup *g = m->groups[i];

		if (!g->local && !g->placeholder && g->sync != m->sync)
			drop_group(m, g);
	}
	for (size_t i = m->ngroups; i-- > 0;)
		if (i < m->ngroups && m->groups[i]->n == 0)
			gdelete(m, m->groups[i]);
	return 0;
}

void
model_use_local_groups(model *m)
{
	if (m->local && m->ngroups > 0)
		return;
	drop_groups(m);
	m->local = true;
	for (size_t i = 0; i < m->nall; i++)
		attach(m, m->all[i]);
	m->generation++;
}

/* ---- rules ---- */

int
model_set_rules(model *m, const msgpack_object *result)
{
	const msgpack_object *a = rpc_map_get(result, "rules");
	struct mrule *rules;
	size_t n = 0;

	if (a == NULL || a->type != MSGPACK_OBJECT_ARRAY)
		return -1;
	rules = calloc(a->via.array.size ? a->via.array.size : 1, sizeof *rules);
	if (rules == NULL)
		return -1;
	for (uint32_t i = 0; i < a->via.array.size; i++) {
		const msgpack_object *o = &a->via.array.ptr[i], *b;
		struct mrule *r = &rules[n];

		if (o->type != MSGPACK_OBJECT_MAP || rpc_get_int(rpc_map_get(o, "id"), 0, INT64_MAX, &r->id) < 0)
			continue;
		r->effect = field(o, "effect", 16, NULL);
		r->pattern = field(o, "pattern", 8192, NULL);
		r->scope = field(o, "scope", 64, NULL);
		r->scope_value = field(o, "scope_value", 4096, NULL);
		r->author_name = field(o, "author_name", 256, NULL);
		r->note = field(o, "note", 4096, NULL);
		r->origin = field(o, "origin", 512, NULL);
		r->expires_ms = int_field(o, "expires_ms", 0);
		r->created_ms = int_field(o, "created_ms", 0);
		r->hits = int_field(o, "hits", 0);
		r->last_hit_ms = int_field(o, "last_hit_ms", 0);
		r->author_uid = int_field(o, "author_uid", -1);
		r->critical_ok = (b = rpc_map_get(o, "critical_ok")) && b->type == MSGPACK_OBJECT_BOOLEAN && b->via.boolean;
		r->revoked = (b = rpc_map_get(o, "revoked")) && b->type == MSGPACK_OBJECT_BOOLEAN && b->via.boolean;
		r->high = (b = rpc_map_get(o, "high")) && b->type == MSGPACK_OBJECT_BOOLEAN && b->via.boolean;
		r->pin_path = field(o, "pin_path", 4096, NULL);
		r->max_level = (b = rpc_map_get(o, "max_level")) && b->type == MSGPACK_OBJECT_STR
		    ? risk_level_parse(b->via.str.ptr, b->via.str.size) : RISK_UNKNOWN;
		n++;
	}
	free_rules(m);
	m->rules = rules;
	m->nrules = n;
	return 0;
}

/* ---- the queue ---- */

void
model_set_filter(model *m, const char *filter)
{
	free(m->filter);
	m->filter = filter != NULL && *filter != '\0' ? strdup(filter) : NULL;
	m->dirty = true;
	m->generation++;
}

static int64_t
deferred_until(const model *m, const char *id)
{
	for (size_t i = 0; i < m->ndef; i++)
		if (strcmp(m->def[i].id, id) == 0)
			return m->def[i].until;
	return 0;
}

void
model_defer(model *m, const char *group_id, int64_t until_ms)
{
	for (size_t i = 0; i < m->ndef; i++)
		if (strcmp(m->def[i].id, group_id) == 0) {
			m->def[i].until = until_ms;
			m->dirty = true;
			m->generation++;
			return;
		}
	if (until_ms == 0 || m->ndef >= MAX_DEFERRALS)
		return;
	{
		struct deferral *d = realloc(m->def, (m->ndef + 1) * sizeof *d);

		if (d == NULL)
			return;
		m->def = d;
		if ((d[m->ndef].id = strdup(group_id)) == NULL)
			return;
		d[m->ndef++].until = until_ms;
	}
	m->dirty = true;
	m->generation++;
}

void
model_undefer_all(model *m)
{
	for (size_t i = 0; i < m->ndef; i++)
		free(m->def[i].id);
	m->ndef = 0;
	m->dirty = true;
	m->generation++;
}

size_t
model_deferred(model *m, int64_t now_ms)
{
	size_t n = 0;

	for (size_t i = 0; i < m->ndef; i++)
		if (m->def[i].until > now_ms && gfind(m, m->def[i].id) != NULL)
			n++;
	return n;
}

size_t
model_defer_ended(model *m, int64_t since_ms, int64_t now_ms)
{
	size_t n = 0;

	for (size_t i = 0; i < m->ndef; i++)
		if (m->def[i].until > since_ms && m->def[i].until <= now_ms && gfind(m, m->def[i].id) != NULL)
			n++;
	return n;
}

static int
queue_cmp(const void *a, const void *b)
{
	const struct mgroup *x = *(struct mgroup *const *)a, *y = *(struct mgroup *const *)b;

	if (x->max_level != y->max_level)
		return x->max_level > y->max_level ? -1 : 1;
	if (x->max_score != y->max_score)
		return x->max_score > y->max_score ? -1 : 1;
	if (x->oldest_ms != y->oldest_ms)
		return x->oldest_ms < y->oldest_ms ? -1 : 1;
	return strcmp(x->id, y->id);
}

static bool
request_matches(const model *m, const struct mgroup *g, const struct mreq *r)
{
	char idbuf[32];
	struct filter_field f[8];
	size_t n = 0;

	snprintf(idbuf, sizeof idbuf, "%lld", (long long)r->id);
#define F(nm, v) f[n++] = filter_field(nm, v)
	F("agent", r->agent);
	F("session", r->session);
	F("kind", r->kind);
	F("risk", risk_level_name(r->shown));
	F("text", r->summary);
	F("pattern", g->pattern);
	F("id", idbuf);
	F("group", g->local ? NULL : g->id);
#undef F
	return filter_match(m->filter, f, n);
}

bool
model_matches(const model *m, const struct mgroup *g, const struct mreq *r)
{
	return m->filter == NULL || request_matches(m, g, r);
}

/* A group matches when one of its members does. */
static bool
group_matches(const model *m, const struct mgroup *g)
{
	if (m->filter == NULL)
		return true;
	for (size_t i = 0; i < g->n; i++)
		if (request_matches(m, g, g->m[i]))
			return true;
	return false;
}

size_t
model_queue_len(model *m, int64_t now_ms)
{
	if (m->next_expiry != 0 && now_ms >= m->next_expiry)
		m->dirty = true;
	if (!m->dirty)
		return m->nqueue;
	m->nqueue = 0;
	m->next_expiry = 0;
	for (size_t i = 0; i < m->ngroups; i++) {
		struct mgroup *g = m->groups[i];
		int64_t until = m->ndef ? deferred_until(m, g->id) : 0;

		if (until > now_ms) {
			if (m->next_expiry == 0 || until < m->next_expiry)
				m->next_expiry = until;
			continue;
		}
		if (g->n == 0 || !group_matches(m, g))
			continue; /* described by the broker before its members arrived */
		if (push_ptr((void ***)&m->queue, &m->nqueue, &m->capqueue, g) < 0)
			break;
	}
	if (m->nqueue > 1)
		qsort(m->queue, m->nqueue, sizeof *m->queue, queue_cmp);
	m->dirty = false;
	return m->nqueue;
}

const struct mgroup *
model_queue_at(const model *m, size_t i)
{
	return i < m->nqueue ? m->queue[i] : NULL;
}

long
model_queue_find(const model *m, const char *id)
{
	for (size_t i = 0; i < m->nqueue; i++)
		if (strcmp(m->queue[i]->id, id) == 0)
			return (long)i;
	return -1;
}
