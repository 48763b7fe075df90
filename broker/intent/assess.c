/* assess.c -- requests in, intent and risk out (see assess.h). */
#include "broker/intent/assess.h"
#include "broker/intent/arena.h"
#include "broker/intent/intent.h"
#include "broker/intent/reqfiles.h"
#include "broker/intent/knowledge.h"
#include "broker/intent/mcpverb.h"
#include "broker/intent/secrets.h"
#include "broker/intent/risk.h"
#include "broker/intent/tables.h"
#include "broker/intent/workspace.h"
#include "proto/paths.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#define MAX_FIELD 4096           /* cwd, workspace, path, url */
#define MAX_LISTED_CMDS 256      /* commands listed in the intent */
#define MAX_PART 200             /* bytes of a reason's part */

struct assess_tables {
	struct tables *t;
	char *home, *config_dir, *db, *runtime, *exe;
	/* their real paths where links make them differ (else NULL; for the
	 * database, its directory's), and sandgate's dirs as no workspace may be */
	char *home_real, *config_real, *db_real, *runtime_real, *db_dir;
	const char *own[5];
	struct ws_list workspaces; /* the `workspaces` setting */
	struct ws_cache *wsc;      /* recent workspace answers */
	arena *scratch; /* reused by every call */
	arena *tmp;     /* short-lived working memory of a call */
};

static char *
dup_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? strdup(v) : NULL;
}

/* The real path of p when it exists and differs from p, else NULL. */
static char *
real_if_differs(const char *p)
{
	char *r = p != NULL && p[0] == '/' ? realpath(p, NULL) : NULL;

	if (r != NULL && strcmp(r, p) == 0) {
		free(r);
		r = NULL;
	}
	return r;
}

/* Where sandgate's files are, named and real (for workspace refusal and
 * for classing a resolved path). */
static void
own_paths(assess_tables *at)
{
	size_t n = 0;

	if (at->db != NULL && strrchr(at->db, '/') != NULL && strrchr(at->db, '/') != at->db)
		at->db_dir = strndup(at->db, (size_t)(strrchr(at->db, '/') - at->db));
	at->home_real = real_if_differs(at->home);
	at->config_real = real_if_differs(at->config_dir);
	at->runtime_real = real_if_differs(at->runtime);
	at->db_real = real_if_differs(at->db_dir);
	if (at->config_dir != NULL)
		at->own[n++] = at->config_dir;
	if (at->runtime != NULL)
		at->own[n++] = at->runtime;
	if (at->config_real != NULL)
		at->own[n++] = at->config_real;
	if (at->runtime_real != NULL)
		at->own[n++] = at->runtime_real;
	at->own[n] = NULL;
}

/* --- the workspace of a request, with a short memory ----------------------------------------
 * Finding it costs a dozen system calls (stat of the declared directory,
 * the git walk, realpath), and an agent sends the same cwd again and again,
 * so answers are kept for WS_CACHE_MS.  A stale answer cannot make a file
 * the workspace that is not: every target is resolved afresh, and the
 * workspace's real path only maps itself back to its name. */

#define WS_CACHE 8
#define WS_CACHE_MS 1000

struct ws_cache {
	struct {
		char *declared, *cwd;
		struct ws_result *r;
		int64_t at_ms;
	} e[WS_CACHE];
	unsigned next;
};

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
ws_cache_clear(struct ws_cache *c)
{
	for (unsigned i = 0; c != NULL && i < WS_CACHE; i++) {
		free(c->e[i].declared);
		free(c->e[i].cwd);
		free(c->e[i].r);
		c->e[i].declared = c->e[i].cwd = NULL;
		c->e[i].r = NULL;
	}
}

static void
workspace_of(const assess_tables *at, const char *declared, const char *cwd, struct ws_result *out)
{
	struct ws_cache *c = at->wsc;
	struct ws_env we = { .home = at->home, .home_real = at->home_real, .own = at->own, .t = at->t };
	int64_t now = mono_ms();
	unsigned k;

	for (unsigned i = 0; c != NULL && i < WS_CACHE; i++)
		if (c->e[i].r != NULL && now - c->e[i].at_ms < WS_CACHE_MS && now >= c->e[i].at_ms &&
		    same(c->e[i].declared, declared) && same(c->e[i].cwd, cwd)) {
			memcpy(out, c->e[i].r, sizeof *out);
			return;
		}
	ws_determine(&we, &at->workspaces, declared, cwd, out);
	if (c == NULL)
		return;
	k = c->next++ % WS_CACHE;
	free(c->e[k].declared);
	free(c->e[k].cwd);
	c->e[k].declared = declared != NULL ? strdup(declared) : NULL;
	c->e[k].cwd = cwd != NULL ? strdup(cwd) : NULL;
	if (c->e[k].r == NULL)
		c->e[k].r = malloc(sizeof *c->e[k].r);
	if (c->e[k].r == NULL || (declared != NULL && c->e[k].declared == NULL) || (cwd != NULL && c->e[k].cwd == NULL)) {
		free(c->e[k].r);
		c->e[k].r = NULL;
		return;
	}
	memcpy(c->e[k].r, out, sizeof *out);
	c->e[k].at_ms = now;
}

int
assess_set_workspaces(assess_tables *at, const struct ws_list *l)
{
	ws_cache_clear(at->wsc);
	return ws_list_copy(&at->workspaces, l);
}

assess_tables *
assess_tables_load(const char *config_dir, char *err, size_t errlen)
{
	assess_tables *at = calloc(1, sizeof *at);

	if (at == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	at->home = dup_env("HOME");
	at->config_dir = config_dir != NULL ? strdup(config_dir) : paths_config_dir();
	at->db = paths_db();
	at->runtime = paths_runtime_dir();
	own_paths(at);
	at->wsc = calloc(1, sizeof *at->wsc);
	{
		char buf[4096];
		ssize_t l = readlink("/proc/self/exe", buf, sizeof buf - 1);

		if (l > 0) {
			buf[l] = '\0';
			at->exe = strdup(buf);
		}
	}
	at->scratch = arena_new(64 * 1024);
	at->tmp = arena_new(64 * 1024);
	if (at->scratch == NULL || at->tmp == NULL) {
		snprintf(err, errlen, "out of memory");
		assess_tables_free(at);
		return NULL;
	}
	at->t = tables_load(config_dir, at->home, err, errlen);
	if (at->t == NULL) {
		assess_tables_free(at);
		return NULL;
	}
	return at;
}

void
assess_tables_free(assess_tables *at)
{
	if (at == NULL)
		return;
	tables_free(at->t);
	arena_free(at->scratch);
	arena_free(at->tmp);
	free(at->home);
	free(at->config_dir);
	free(at->db);
	free(at->runtime);
	free(at->home_real);
	free(at->config_real);
	free(at->runtime_real);
	free(at->db_real);
	free(at->db_dir);
	ws_list_free(&at->workspaces);
	ws_cache_clear(at->wsc);
	free(at->wsc);
	free(at->exe);
	free(at);
}

/* --- reading the request ----------------------------------------------------------- */

static const msgpack_object *
field(const msgpack_object *map, const char *key)
{
	size_t kl = strlen(key);

	if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
		return NULL;
	for (uint32_t k = 0; k < map->via.map.size; k++) {
		const msgpack_object *o = &map->via.map.ptr[k].key;

		if (o->type == MSGPACK_OBJECT_STR && o->via.str.size == kl && memcmp(o->via.str.ptr, key, kl) == 0)
			return &map->via.map.ptr[k].val;
	}
	return NULL;
}

/* A str field as an arena string (NUL-free, at most max bytes), or NULL. */
static const char *
str_field(arena *a, const msgpack_object *map, const char *key, size_t max, size_t *len, bool *bad)
{
	const msgpack_object *o = field(map, key);

	if (o == NULL || o->type == MSGPACK_OBJECT_NIL)
		return NULL;
	if ((o->type != MSGPACK_OBJECT_STR && o->type != MSGPACK_OBJECT_BIN) ||
	    (o->type == MSGPACK_OBJECT_STR ? o->via.str.size : o->via.bin.size) > max) {
		*bad = true;
		return NULL;
	}
	{
		const char *p = o->type == MSGPACK_OBJECT_STR ? o->via.str.ptr : o->via.bin.ptr;
		size_t n = o->type == MSGPACK_OBJECT_STR ? o->via.str.size : o->via.bin.size;

		if (len != NULL)
			*len = n;
		else if (memchr(p, '\0', n) != NULL) {
			*bad = true;
			return NULL;
		}
		return arena_strndup(a, p, n);
	}
}

/* --- packing ------------------------------------------------------------------------ */

static void
pstr(msgpack_packer *pk, const char *s)
{
	if (s == NULL)
		msgpack_pack_nil(pk);
	else
		msgpack_pack_str_with_body(pk, s, strlen(s));
}

/* At most max bytes, cut at a UTF-8 boundary. */
static void
pstrn(msgpack_packer *pk, const char *s, size_t n, size_t max)
{
	if (s == NULL) {
		msgpack_pack_nil(pk);
		return;
	}
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	msgpack_pack_str_with_body(pk, s, n);
}

static void
pkey(msgpack_packer *pk, const char *k)
{
	msgpack_pack_str_with_body(pk, k, strlen(k));
}

static size_t
count_bits(uint64_t v)
{
	size_t n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

static void
pack_effects(msgpack_packer *pk, uint64_t eff)
{
	msgpack_pack_array(pk, (uint32_t)count_bits(eff));
	for (int e = 0; e < EFF_COUNT; e++)
		if (eff & ((uint64_t)1 << e))
			pstr(pk, effect_name((enum effect)e));
}

static void
pack_target(msgpack_packer *pk, const struct intent_target *t)
{
	size_t pl = strlen(t->path);
	/* a path cut to fit is not the path: no rule may match it */
	bool unknown = t->unknown || pl > MAX_FIELD;

	msgpack_pack_map(pk, 3 + t->indirect + t->glob + unknown + (t->through != NULL));
	pkey(pk, "path");
	pstrn(pk, t->path, pl, MAX_FIELD);
	if (t->through != NULL) {
		pkey(pk, "through");
		pstrn(pk, t->through, strlen(t->through), MAX_FIELD);
	}
	pkey(pk, "class");
	pstr(pk, pclass_name(t->cls));
	pkey(pk, "effect");
	pstr(pk, effect_name(t->eff));
	if (t->indirect) {
		pkey(pk, "indirect");
		msgpack_pack_true(pk);
	}
	if (t->glob) {
		pkey(pk, "glob");
		msgpack_pack_true(pk);
	}
	if (unknown) {
		pkey(pk, "unknown");
		msgpack_pack_true(pk);
	}
}

static void
pack_targets(msgpack_packer *pk, const struct intent_target *t, size_t n)
{
	msgpack_pack_array(pk, (uint32_t)n);
	for (size_t k = 0; k < n; k++)
		pack_target(pk, &t[k]);
}

static void
pack_hosts(msgpack_packer *pk, const struct intent_host *h, size_t n)
{
	msgpack_pack_array(pk, (uint32_t)n);
	for (size_t k = 0; k < n; k++) {
		msgpack_pack_map(pk, 2);
		pkey(pk, "host");
		pstr(pk, h[k].host);
		pkey(pk, "class");
		pstr(pk, hclass_name(h[k].cls));
	}
}

static void
pack_cmd(msgpack_packer *pk, const struct intent_cmd *c)
{
	uint32_t n = 7 + (c->via != NULL) + (c->context != NULL) + (c->remote != NULL) + (c->privileged ? 1 : 0) +
	             (c->interactive ? 1 : 0);

	msgpack_pack_map(pk, n);
	pkey(pk, "program");
	pstr(pk, c->program);
	pkey(pk, "subcommand");
	pstr(pk, c->sub);
	pkey(pk, "flags");
	msgpack_pack_array(pk, (uint32_t)c->nflags);
	for (size_t k = 0; k < c->nflags; k++)
		pstrn(pk, c->flags[k], strlen(c->flags[k]), 100);
	pkey(pk, "targets");
	pack_targets(pk, c->targets, c->ntargets);
	pkey(pk, "hosts");
	pack_hosts(pk, c->hosts, c->nhosts);
	pkey(pk, "effects");
	pack_effects(pk, c->effects);
	pkey(pk, "text");
	pstrn(pk, c->text, c->textlen, 400);
	if (c->via != NULL) {
		pkey(pk, "via");
		pstr(pk, c->via);
	}
	if (c->context != NULL) {
		pkey(pk, "context");
		pstr(pk, c->context);
	}
	if (c->remote != NULL) {
		pkey(pk, "remote");
		pstr(pk, c->remote);
	}
	if (c->privileged) {
		pkey(pk, "privileged");
		msgpack_pack_true(pk);
	}
	if (c->interactive) {
		pkey(pk, "interactive");
		msgpack_pack_true(pk);
	}
}

static void
pack_intent(msgpack_packer *pk, const struct intent *in)
{
	uint64_t eff = 0;
	size_t nt = 0, nh = 0, listed = in->ncmds < MAX_LISTED_CMDS ? in->ncmds : MAX_LISTED_CMDS;
	const struct intent_target *tv[64];
	const struct intent_host *hv[32];

	for (size_t k = 0; k < in->ncmds; k++) {
		const struct intent_cmd *c = intent_cmd(in, k);

		eff |= c->effects;
		for (size_t j = 0; j < c->ntargets && nt < 64; j++) {
			bool dup = false;

			for (size_t q = 0; q < nt && !dup; q++)
				dup = tv[q]->eff == c->targets[j].eff && strcmp(tv[q]->path, c->targets[j].path) == 0;
			if (!dup)
				tv[nt++] = &c->targets[j];
		}
		for (size_t j = 0; j < c->nhosts && nh < 32; j++) {
			bool dup = false;

			for (size_t q = 0; q < nh && !dup; q++)
				dup = strcmp(hv[q]->host, c->hosts[j].host) == 0;
			if (!dup)
				hv[nh++] = &c->hosts[j];
		}
	}
	msgpack_pack_map(pk, 11 + (in->workspace_ignored != NULL) + (in->sandbox_source != NULL));
	pkey(pk, "kind");
	pstr(pk, in->kind);
	pkey(pk, "cwd");
	pstr(pk, in->cwd);
	pkey(pk, "workspace");
	pstr(pk, in->workspace);
	pkey(pk, "workspace_source");
	pstr(pk, in->workspace_source != NULL ? in->workspace_source : ws_source_name(WS_NONE));
	if (in->workspace_ignored != NULL) {
		pkey(pk, "workspace_ignored");
		pstrn(pk, in->workspace_ignored, strlen(in->workspace_ignored), MAX_FIELD);
	}
	pkey(pk, "sandbox");
	pstr(pk, in->sandbox != NULL ? in->sandbox : sandbox_name(SB_UNKNOWN));
	if (in->sandbox_source != NULL) {
		pkey(pk, "sandbox_source");
		pstrn(pk, in->sandbox_source, strlen(in->sandbox_source), 256);
	}
	pkey(pk, "parsed");
	if (in->unparsed)
		msgpack_pack_false(pk);
	else
		msgpack_pack_true(pk);
	pkey(pk, "effects");
	pack_effects(pk, eff);
	pkey(pk, "targets");
	msgpack_pack_array(pk, (uint32_t)nt);
	for (size_t k = 0; k < nt; k++)
		pack_target(pk, tv[k]);
	pkey(pk, "hosts");
	msgpack_pack_array(pk, (uint32_t)nh);
	for (size_t k = 0; k < nh; k++) {
		msgpack_pack_map(pk, 2);
		pkey(pk, "host");
		pstr(pk, hv[k]->host);
		pkey(pk, "class");
		pstr(pk, hclass_name(hv[k]->cls));
	}
	pkey(pk, "commands");
	msgpack_pack_array(pk, (uint32_t)listed);
	for (size_t k = 0; k < listed; k++)
		pack_cmd(pk, intent_cmd(in, k));
	pkey(pk, "commands_total");
	msgpack_pack_uint64(pk, in->ncmds + in->dropped_cmds);
}

static void
pack_risk(msgpack_packer *pk, const struct risk *r)
{
	msgpack_pack_map(pk, 3);
	pkey(pk, "score");
	msgpack_pack_int(pk, r->score);
	pkey(pk, "level");
	pstr(pk, r->level);
	pkey(pk, "reasons");
	msgpack_pack_array(pk, (uint32_t)r->nreasons);
	for (size_t k = 0; k < r->nreasons; k++) {
		const struct risk_reason *rr = &r->reasons[k];

		msgpack_pack_map(pk, 4);
		pkey(pk, "id");
		pstr(pk, rr->id);
		pkey(pk, "text");
		pstr(pk, rr->text);
		pkey(pk, "weight");
		msgpack_pack_int(pk, rr->weight);
		pkey(pk, "part");
		pstrn(pk, rr->part, rr->partlen, MAX_PART);
	}
}

/* --- request kinds -------------------------------------------------------------------- */

struct req {
	const assess_tables *at;
	arena *a;
	struct intent_ctx *x;
	const msgpack_object *map;
	bool bad;
};

static void
bad_request(struct req *r, const char *why)
{
	intent_signal(r->x, -1, "request-bad", why, strlen(why));
	intent_get(r->x)->unparsed = true;
}

static int
kind_exec(struct req *r)
{
	size_t n = 0;
	const char *cmd = str_field(r->a, r->map, "command", SH_MAX_INPUT * 2, &n, &r->bad);
	const msgpack_object *argv = field(r->map, "argv");

	if (cmd != NULL)
		return intent_shell(r->x, cmd, n);
	if (argv != NULL && argv->type == MSGPACK_OBJECT_ARRAY && argv->via.array.size > 0 &&
	    argv->via.array.size <= 65536) {
		uint32_t c = argv->via.array.size;
		const char **v = arena_alloc(r->a, c * sizeof *v);
		size_t *lens = arena_alloc(r->a, c * sizeof *lens);

		if (v == NULL || lens == NULL)
			return -1;
		for (uint32_t k = 0; k < c; k++) {
			const msgpack_object *o = &argv->via.array.ptr[k];

			if (o->type != MSGPACK_OBJECT_STR) {
				bad_request(r, "argv holds a value that is not a string");
				return 0;
			}
			v[k] = o->via.str.ptr;
			lens[k] = o->via.str.size;
		}
		return intent_argv(r->x, v, lens, c);
	}
	bad_request(r, "exec without a command or argv");
	return 0;
}

static enum effect
op_effect(enum req_op op)
{
	switch (op) {
	case RQ_READ: return EFF_VIEW;
	case RQ_LIST: return EFF_LIST;
	case RQ_EDIT: return EFF_OVERWRITE;
	case RQ_DELETE: return EFF_DELETE;
	case RQ_WRITE: break;
	}
	return EFF_WRITE;
}

/* Every file the request names besides its main payload (reqfiles.h), as
 * targets of command ci (-1: a command of its own, context "files"). */
static int
add_req_files(struct req *r, int ci, const char *kind)
{
	struct req_files rf;

	if (req_files_collect(r->a, r->map, kind, &rf) < 0)
		return -1;
	if (rf.bad != NULL)
		bad_request(r, rf.bad);
	if (rf.n == 0)
		return 0;
	if (ci < 0) {
		if ((ci = intent_add_cmd(r->x, NULL, "(files)", 7)) < 0)
			return -1;
		intent_cmd(intent_get(r->x), (size_t)ci)->context = "files";
	}
	for (size_t k = 0; k < rf.n; k++) {
		const struct req_file *f = &rf.v[k];
		enum effect e = op_effect(f->op);

		if (intent_scan_text(r->x, ci, f->path, f->len) < 0 || intent_scan_self(r->x, ci, f->path, f->len) < 0 ||
		    (f->glob ? intent_add_glob(r->x, ci, f->path, f->len, e) : intent_add_path(r->x, ci, f->path, f->len, e)) < 0)
			return -1;
	}
	return 0;
}

/* An other request's `urls` (hook adapters list every URL, resource URI or
 * upload host the tool's input names), as hosts of one command of their own. */
static int
add_req_urls(struct req *r)
{
	const msgpack_object *u = field(r->map, "urls");
	int ci;

	if (u == NULL || u->type != MSGPACK_OBJECT_ARRAY || u->via.array.size == 0)
		return 0;
	if ((ci = intent_add_cmd(r->x, NULL, "(urls)", 6)) < 0)
		return -1;
	intent_cmd(intent_get(r->x), (size_t)ci)->context = "urls";
	for (uint32_t k = 0; k < u->via.array.size; k++) {
		const msgpack_object *e = &u->via.array.ptr[k];

		if (e->type != MSGPACK_OBJECT_STR || e->via.str.size == 0 || e->via.str.size > MAX_FIELD)
			continue; /* the request check already made such a request unparsed */
		if (intent_scan_text(r->x, ci, e->via.str.ptr, e->via.str.size) < 0 ||
		    intent_add_url(r->x, ci, e->via.str.ptr, e->via.str.size) < 0)
			return -1;
	}
	return 0;
}

/* An other tool is not understood field by field: when its files hold a
 * secret and its URLs name a host off this machine, it may well send the
 * one to the other (an `Artifact` upload of ~/.aws/credentials), so it is
 * judged as exfiltration until a person says otherwise. */
static void
other_secret_remote(struct intent_ctx *x)
{
	const struct intent *in = intent_get(x);
	int secret = -1, remote = -1;

	for (size_t i = 0; i < in->ncmds; i++) {
		const struct intent_cmd *c = intent_cmd(in, i);

		for (size_t k = 0; k < c->ntargets && secret < 0; k++)
			if (c->targets[k].cls == PC_SECRET)
				secret = (int)i;
		for (size_t k = 0; k < c->nhosts && remote < 0; k++)
			if (c->hosts[k].cls != HC_LOCAL)
				remote = (int)i;
	}
	if (secret >= 0 && remote >= 0) {
		const struct intent_cmd *c = intent_cmd(in, (size_t)remote);

		intent_signal(x, remote, "exfiltrate", c->text, c->textlen);
		intent_add_effect(x, remote, EFF_EXFILTRATE);
	}
}

static int
kind_path(struct req *r, const char *kind)
{
	size_t n = 0;
	const char *path = str_field(r->a, r->map, "path", MAX_FIELD, &n, &r->bad);
	int ci;

	if (path == NULL) {
		path = str_field(r->a, field(r->map, "tool_input"), "file_path", MAX_FIELD, &n, &r->bad);
		if (path == NULL) {
			bad_request(r, "request without a path");
			return 0;
		}
	}
	if (n == 0 || memchr(path, '\0', n) != NULL) {
		bad_request(r, "the path is empty or holds a NUL byte");
		return 0;
	}
	ci = intent_add_cmd(r->x, NULL, path, n);
	if (ci < 0)
		return -1;
	intent_scan_text(r->x, ci, path, n);
	if (intent_scan_self(r->x, ci, path, n) < 0)
		return -1;
	if (strcmp(kind, "read") == 0) {
		intent_add_path(r->x, ci, path, n, EFF_VIEW);
	} else if (strcmp(kind, "delete") == 0) {
		const msgpack_object *rec = field(r->map, "recursive");

		intent_add_path(r->x, ci, path, n,
		    rec != NULL && rec->type == MSGPACK_OBJECT_BOOLEAN && rec->via.boolean ? EFF_DELETE_RECURSIVE : EFF_DELETE);
	} else {
		size_t cl = 0;
		const char *content = str_field(r->a, r->map, strcmp(kind, "edit") == 0 ? "new" : "content",
		    (size_t)64 << 20, &cl, &r->bad);

		intent_add_path(r->x, ci, path, n, strcmp(kind, "edit") == 0 ? EFF_OVERWRITE : EFF_WRITE);
		if (content != NULL) {
			intent_scan_text(r->x, ci, content, cl > 65536 ? 65536 : cl);
			/* a Makefile or script that reaches sandgate when it runs later */
			if (intent_scan_self(r->x, ci, content, cl) < 0)
				return -1;
		}
	}
	if (add_req_files(r, ci, kind) < 0)
		return -1;
	if (strcmp(kind, "read") == 0) {
		/* an agent's Grep or Glob tool: what it looks for (secrets.c) */
		bool odd = false; /* a field of another shape is not this tool's */
		const char *tool = str_field(r->a, r->map, "tool_name", MAX_FIELD, NULL, &odd);
		size_t pn = 0;
		const char *pat = str_field(r->a, field(r->map, "tool_input"), "pattern", MAX_FIELD, &pn, &odd);

		secrets_tool_search(r->x, ci, tool, pat, pn);
	}
	return 0;
}

static int
kind_net(struct req *r)
{
	size_t n = 0;
	const char *url = str_field(r->a, r->map, "url", MAX_FIELD, &n, &r->bad);
	const char *method = str_field(r->a, r->map, "method", 32, NULL, &r->bad);
	int ci;

	if (url == NULL)
		url = str_field(r->a, r->map, "host", 255, &n, &r->bad);
	if (url == NULL) {
		bad_request(r, "net request without url or host");
		return 0;
	}
	ci = intent_add_cmd(r->x, NULL, url, n);
	if (ci < 0)
		return -1;
	intent_scan_text(r->x, ci, url, n);
	if (intent_scan_self(r->x, ci, url, n) < 0)
		return -1;
	intent_add_url(r->x, ci, url, n);
	if (method != NULL && strcasecmp(method, "GET") != 0 && strcasecmp(method, "HEAD") != 0 &&
	    strcasecmp(method, "OPTIONS") != 0) {
		intent_add_effect(r->x, ci, EFF_UPLOAD);
		intent_signal(r->x, ci, "upload", url, n);
	} else {
		intent_add_effect(r->x, ci, EFF_DOWNLOAD);
		intent_signal(r->x, ci, "download", url, n);
	}
	return 0;
}

struct mcp_walk {
	struct req *r;
	int ci;
	enum effect peff; /* what the tool does to the paths its keys name */
};

static int
mcp_arg(void *ctx, enum req_arg what, const char *s, size_t n, const char *const *argv, const size_t *lens,
    size_t argc)
{
	struct mcp_walk *mw = ctx;
	struct intent_ctx *x = mw->r->x;

	switch (what) {
	case RA_PATH:
		return intent_add_path(x, mw->ci, s, n, mw->peff);
	case RA_PATH_MENTION:
		return intent_add_path(x, mw->ci, s, n, EFF_USE);
	case RA_GLOB:
		return intent_add_glob(x, mw->ci, s, n, mw->peff);
	case RA_URL:
		return intent_add_url(x, mw->ci, s, n);
	case RA_COMMAND:
		return intent_shell(x, s, n);
	case RA_ARGV:
		return intent_argv(x, argv, lens, argc);
	case RA_TEXT:
		return intent_scan_self(x, mw->ci, s, n);
	}
	return 0;
}

static int
kind_mcp(struct req *r)
{
	size_t sn = 0, tn = 0;
	const char *server = str_field(r->a, r->map, "server", 256, &sn, &r->bad);
	const char *tool = str_field(r->a, r->map, "tool", 256, &tn, &r->bad);
	const msgpack_object *args = field(r->map, "arguments");
	struct mcp_walk mw = { .r = r, .peff = EFF_USE };
	int ci, rc;

	if (tool == NULL) {
		bad_request(r, "mcp request without a tool");
		return 0;
	}
	ci = intent_add_cmd(r->x, NULL, tool, tn);
	if (ci < 0)
		return -1;
	intent_cmd(intent_get(r->x), (size_t)ci)->program = server != NULL ? server : NULL;
	intent_cmd(intent_get(r->x), (size_t)ci)->sub = tool;
	intent_scan_text(r->x, ci, tool, tn);
	/* the tool's verb and the server (mcpverb.h) */
	if (mcp_verb_apply(r->x, r->at->t, ci, server, sn, tool, tn, &mw.peff) < 0)
		return -1;
	mw.ci = ci;
	/* every value of the arguments: paths, globs, URLs, commands */
	rc = req_args_walk(r->a, args, mcp_arg, &mw);
	if (rc < 0)
		return -1;
	if (rc > 0)
		bad_request(r, "the MCP arguments are nested too deeply or too many to read whole");
	return add_req_files(r, ci, NULL);
}

static int
assess_kind(struct req *r, const char *kind)
{
	if (kind == NULL) {
		bad_request(r, "request without a kind");
		return 0;
	}
	if (strcmp(kind, "exec") == 0)
		return kind_exec(r);
	if (strcmp(kind, "write") == 0 || strcmp(kind, "edit") == 0 || strcmp(kind, "read") == 0 ||
	    strcmp(kind, "delete") == 0)
		return kind_path(r, kind);
	if (strcmp(kind, "net") == 0)
		return kind_net(r);
	if (strcmp(kind, "mcp") == 0)
		return kind_mcp(r);
	/* "other" and kinds we do not know: at least high. */
	intent_signal(r->x, -1, "request-unknown", kind, strlen(kind));
	intent_get(r->x)->unparsed = true;
	{
		const msgpack_object *ti = field(r->map, "tool_input");
		size_t cn = 0;
		const char *c = str_field(r->a, ti, "command", SH_MAX_INPUT, &cn, &r->bad);

		if (c != NULL)
			return intent_shell(r->x, c, cn);
	}
	return 0;
}

static void
fail_result(struct assess_result *out)
{
	out->score = 100;
	out->level = "critical";
}

/* Is there a .git component in path (a repository's internals: hooks,
 * config, objects)? */
static bool
in_git_dir(const char *path)
{
	for (const char *p = path; (p = strstr(p, "/.git")) != NULL; p += 5)
		if (p[5] == '/' || p[5] == '\0')
			return true;
	return false;
}

/* Files this session created (assess.h struct assess_prov; docs/RISK.md
 * "Files this session created"): a delete or overwrite of one inside the
 * workspace is marked with the request that created it.  Only a plain
 * workspace file: not outside it, not one of a sensitive class (those are
 * not PC_WORKSPACE), not under .git, not named through a link, a variable
 * or a glob, and not a symbolic link now (one swapped in since) nor a file
 * with other hard links. */
static void
provenance_apply(struct intent_ctx *x, const struct assess_prov *prov)
{
	const struct intent *in = intent_get(x);

	if (prov == NULL || prov->created == NULL)
		return;
	for (size_t i = 0; i < in->ncmds; i++) {
		struct intent_cmd *c = intent_cmd(in, i);

		for (size_t k = 0; k < c->ntargets; k++) {
			struct intent_target *tg = &c->targets[k];
			struct stat st;

			if ((tg->eff != EFF_DELETE && tg->eff != EFF_DELETE_RECURSIVE && tg->eff != EFF_OVERWRITE &&
			        tg->eff != EFF_WRITE) ||
			    tg->cls != PC_WORKSPACE || tg->indirect || tg->glob || tg->unknown || tg->through != NULL ||
			    tg->path[0] != '/' || in_git_dir(tg->path))
				continue;
			/* a link swapped in, or a hard link made since (`ln -f important.py
			 * x.py` then `shred x.py` would destroy important.py's content) */
			if (lstat(tg->path, &st) == 0 && (S_ISLNK(st.st_mode) || (!S_ISDIR(st.st_mode) && st.st_nlink > 1)))
				continue;
			tg->created_at = prov->created(prov->ctx, tg->path, strlen(tg->path));
		}
	}
}

static int
finish(const assess_tables *at, arena *a, struct intent_ctx *x, const struct assess_prov *prov, msgpack_packer *pk,
    struct assess_result *out)
{
	struct risk rk;
	const char *sb = intent_get(x)->sandbox;
	int where = sb != NULL ? sandbox_by_name(sb, strlen(sb)) : -1;

	secrets_finish(x);
	provenance_apply(x, prov);
	/* HTTP to this machine's own services (loopback.c) */
	if (intent_loopback_apply(x) < 0) {
		fail_result(out);
		return -1;
	}
	/* low needs positive knowledge (knowledge.h): after every other signal */
	if (knowledge_apply(x, at->t, where < 0 ? SB_UNKNOWN : (enum sandbox_where)where) < 0 ||
	    risk_score(a, at->t, intent_get(x), &rk) < 0) {
		fail_result(out);
		return -1;
	}
	msgpack_pack_map(pk, 2);
	pkey(pk, "intent");
	pack_intent(pk, intent_get(x));
	pkey(pk, "risk");
	pack_risk(pk, &rk);
	out->score = rk.score;
	out->level = rk.level;
	return 0;
}

/* Start the intent of a request: its workspace is what ws_determine finds
 * from the declared one, the `workspaces` setting and git (never the cwd
 * alone). */
static struct intent_ctx *
begin(const assess_tables *at, arena *a, const char *kind, const char *cwd, const char *declared)
{
	struct intent_env env = { .home = at->home, .config_dir = at->config_dir, .db_path = at->db,
		.runtime_dir = at->runtime, .exe = at->exe };
	struct ws_result *wr = arena_alloc(a, sizeof *wr);
	struct intent_ctx *x;

	arena_reset(at->tmp);
	if (wr == NULL)
		return NULL;
	workspace_of(at, declared, cwd, wr);
	env.workspace_real = wr->real[0] != '\0' ? wr->real : NULL;
	env.home_real = at->home_real;
	env.config_real = at->config_real;
	env.runtime_real = at->runtime_real;
	env.db_real = at->db_real;
	x = intent_begin(a, at->tmp, at->t, &env, kind, cwd, wr->source != WS_NONE ? wr->path : NULL);
	if (x != NULL) {
		intent_get(x)->workspace_source = ws_source_name(intent_get(x)->workspace != NULL ? wr->source : WS_NONE);
		if (wr->ignored[0] != '\0')
			intent_get(x)->workspace_ignored = wr->ignored;
	}
	return x;
}

/* A boolean flag, or the string "true" (as some adapters pass it). */
static bool
flag_true(const msgpack_object *o)
{
	return o != NULL && ((o->type == MSGPACK_OBJECT_BOOLEAN && o->via.boolean) ||
	                        (o->type == MSGPACK_OBJECT_STR && o->via.str.size == 4 &&
	                            memcmp(o->via.str.ptr, "true", 4) == 0));
}

/* Where the command runs: the agent's own escape flags in tool_input
 * (Claude Code's dangerouslyDisableSandbox, Codex's sandbox_permissions:
 * require_escalated and with_escalated_permissions) make it unsandboxed, a
 * request to leave the sandbox (sandbox-escape); otherwise the request's
 * `sandbox` field (with `sandbox_source`) says, else it is unknown. */
static void
sandbox_of(struct req *r, const msgpack_object *req, const msgpack_object *ti)
{
	static const char *const escapes[] = { "dangerouslyDisableSandbox", "sandbox_permissions",
		"with_escalated_permissions" };
	struct intent *in = intent_get(r->x);
	const msgpack_object *o;
	const char *s, *src;
	size_t n;

	for (size_t k = 0; k < sizeof escapes / sizeof escapes[0]; k++) {
		o = field(ti, escapes[k]);
		if (k == 1 ? !(o != NULL && o->type == MSGPACK_OBJECT_STR && o->via.str.size == 17 &&
		                  memcmp(o->via.str.ptr, "require_escalated", 17) == 0) :
		             !flag_true(o))
			continue;
		intent_signal(r->x, -1, "sandbox-escape", escapes[k], strlen(escapes[k]));
		in->sandbox = sandbox_name(SB_UNSANDBOXED);
		in->sandbox_source = k == 0 ? "tool_input.dangerouslyDisableSandbox" :
		                     k == 1 ? "tool_input.sandbox_permissions" : "tool_input.with_escalated_permissions";
		return;
	}
	s = str_field(r->a, req, "sandbox", 32, &n, &r->bad);
	src = str_field(r->a, req, "sandbox_source", 256, NULL, &r->bad);
	if (s == NULL)
		return;
	if (sandbox_by_name(s, n) < 0) {
		r->bad = true; /* fail closed: a value sandgate does not know */
		return;
	}
	in->sandbox = s;
	in->sandbox_source = src != NULL ? src : "request";
	/* an adapter says the agent asked to leave its sandbox, and the tool
	 * input that said so was cut to fit the message */
	if (strcmp(s, "unsandboxed") == 0 && src != NULL && strncmp(src, "tool_input.", 11) == 0)
		intent_signal(r->x, -1, "sandbox-escape", in->sandbox_source, strlen(in->sandbox_source));
}

int
assess_request(const assess_tables *at, const msgpack_object *req, msgpack_packer *pk, struct assess_result *out)
{
	return assess_request_prov(at, req, NULL, pk, out);
}

int
assess_request_prov(const assess_tables *at, const msgpack_object *req, const struct assess_prov *prov,
    msgpack_packer *pk, struct assess_result *out)
{
	arena *a = at->scratch;
	struct req r = { .at = at, .a = a, .map = req };
	const char *kind, *cwd, *ws;
	const msgpack_object *ti;
	int rc;

	arena_reset(a);
	if (req == NULL || req->type != MSGPACK_OBJECT_MAP) {
		r.x = begin(at, a, NULL, NULL, NULL);
		if (r.x == NULL) {
			fail_result(out);
			return -1;
		}
		bad_request(&r, "request is not a map");
		return finish(at, a, r.x, prov, pk, out);
	}
	kind = str_field(a, req, "kind", 32, NULL, &r.bad);
	cwd = str_field(a, req, "cwd", MAX_FIELD, NULL, &r.bad);
	ws = str_field(a, req, "workspace", MAX_FIELD, NULL, &r.bad);
	r.x = begin(at, a, kind, cwd, ws);
	if (r.x == NULL) {
		fail_result(out);
		return -1;
	}
	rc = assess_kind(&r, kind);
	if (rc == 0 && kind != NULL &&
	    (strcmp(kind, "exec") == 0 || strcmp(kind, "net") == 0 || strcmp(kind, "other") == 0))
		rc = add_req_files(&r, -1, kind); /* files listed with a command: each one counts */
	if (rc == 0 && kind != NULL && strcmp(kind, "other") == 0 && (rc = add_req_urls(&r)) == 0)
		other_secret_remote(r.x); /* a tool naming a secret and a remote host may send one to the other */
	if (rc < 0) {
		fail_result(out);
		return -1;
	}
	ti = field(req, "tool_input");
	sandbox_of(&r, req, ti);
	if (r.bad)
		bad_request(&r, "a field has the wrong type or size");
	return finish(at, a, r.x, prov, pk, out);
}

int
assess_command(const assess_tables *at, const char *cmd, size_t len, const char *cwd, const char *workspace,
    msgpack_packer *pk, struct assess_result *out)
{
	arena *a = at->scratch;
	struct intent_ctx *x;

	arena_reset(a);
	x = begin(at, a, "exec", cwd, workspace);
	if (x == NULL || intent_shell(x, cmd, len) < 0) {
		fail_result(out);
		return -1;
	}
	return finish(at, a, x, NULL, pk, out);
}
