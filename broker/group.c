/* group.c -- grouping pending requests, what they share, and suggestions. */
#include "broker/group.h"
#include "proto/strbuf.h"
#include "broker/pattern.h"
#include "broker/table.h"
#include "proto/rpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD_MAX 256         /* bytes of a field value kept for display */
#define VARIES_SHOWN 10
#define PRICE_BUDGET 5000     /* members a suggestion is priced against at most */
#define MAX_FLAGS 8

struct group {
	char id[24];
	char *key;                /* session \x1f signature */
	char *sig;
	struct group_member *m;
	size_t n, cap;
	struct group *prev, *next;
};

struct groups {
	table *by_key, *by_id;
	struct group *head, *tail;
	size_t count;
	uint64_t next_id, version;
};

groups *
groups_new(void)
{
	groups *gs = calloc(1, sizeof *gs);

	if (gs == NULL)
		return NULL;
	if ((gs->by_key = table_new()) == NULL || (gs->by_id = table_new()) == NULL) {
		table_free(gs->by_key);
		free(gs);
		return NULL;
	}
	gs->next_id = 1;
	return gs;
}

static void
group_free(struct group *g)
{
	free(g->key);
	free(g->sig);
	free(g->m);
	free(g);
}

void
groups_free(groups *gs)
{
	struct group *g, *next;

	if (gs == NULL)
		return;
	for (g = gs->head; g != NULL; g = next) {
		next = g->next;
		group_free(g);
	}
	table_free(gs->by_key);
	table_free(gs->by_id);
	free(gs);
}

/* ---- signatures ---- */

/* A word that reads like a subcommand: lower-case letters, digits, - and _. */
static bool
subcommand_like(const struct subj_word *w)
{
	size_t n = strlen(w->text);

	if (w->dynamic || n == 0 || n > 24 || w->text[0] < 'a' || w->text[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyz0123456789-_:", w->text[i]) == NULL)
			return false;
	return true;
}

/* The subcommand of an exec part: the intent's, else a subcommand-like
 * second word. */
static const char *
part_subcommand(const struct subj_part *p)
{
	if (p->subcommand != NULL)
		return p->subcommand;
	if (p->nwords > 1 && subcommand_like(&p->words[1]))
		return p->words[1].text;
	return NULL;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted unique flags of an exec part, "--opt=v" as "--opt", comma-joined. */
static void
flag_shape(struct strbuf *b, const struct subj_part *p)
{
	char *flags[MAX_FLAGS];
	size_t nf = 0;

	for (size_t i = 1; i < p->nwords && nf < MAX_FLAGS; i++) {
		const char *t = p->words[i].text;
		size_t len;
		bool dup = false;

		if (p->words[i].dynamic || t[0] != '-' || t[1] == '\0' || strcmp(t, "--") == 0)
			continue;
		len = strcspn(t, "=");
		if (len > 32)
			len = 32;
		for (size_t k = 0; k < nf && !dup; k++)
			dup = strlen(flags[k]) == len && memcmp(flags[k], t, len) == 0;
		if (!dup && (flags[nf] = strndup(t, len)) != NULL)
			nf++;
	}
	qsort(flags, nf, sizeof flags[0], cmp_str);
	for (size_t k = 0; k < nf; k++) {
		strbuf_puts(b, k == 0 ? " [" : ",");
		strbuf_puts(b, flags[k]);
		free(flags[k]);
	}
	if (nf > 0)
		strbuf_puts(b, "]");
}

/* Directory prefix (two components) of path, relative to the workspace or
 * home when inside them. */
static void
dir_prefix(struct strbuf *b, const struct subject *s, const char *path)
{
	const char *base = NULL, *rest = path, *mark = "/";
	size_t n = 0;
	int comps = 0;

	if (path == NULL) { /* a file named only at run time ($OUT, computed by code) */
		strbuf_puts(b, "(named at run time)");
		return;
	}
	if (s->workspace != NULL && subject_path_within(path, s->workspace))
		base = s->workspace, mark = "./";
	else if (s->home != NULL && subject_path_within(path, s->home))
		base = s->home, mark = "~/";
	if (base != NULL)
		rest = path + (strcmp(base, "/") == 0 ? 0 : strlen(base));
	while (*rest == '/')
		rest++;
	/* keep up to two directory components (not the file name) */
	for (const char *p = rest; *p != '\0' && comps < 2; ) {
		size_t len = strcspn(p, "/");

		if (p[len] == '\0')
			break;
		n = (size_t)(p + len - rest);
		comps++;
		p += len + 1;
	}
	strbuf_puts(b, mark);
	strbuf_putn(b, rest, n < FIELD_MAX ? n : FIELD_MAX);
}

static void
host_domain(struct strbuf *b, const char *host)
{
	const char *p = host + strlen(host);
	int dots = 0;

	while (p > host) {
		if (p[-1] == '.' && ++dots == 2)
			break;
		p--;
	}
	strbuf_puts(b, p);
}

char *
group_signature(const struct subject *s, size_t key_part)
{
	struct strbuf b = { 0 };
	const struct subj_part *p;
	char port[16];

	strbuf_puts(&b, subject_kind_name(s->kind));
	if (s->unparsed || key_part >= s->nparts) {
		strbuf_puts(&b, " (not understood)");
		return strbuf_take(&b);
	}
	p = &s->parts[key_part];
	switch (p->kind) {
	case SK_EXEC:
		strbuf_puts(&b, " ");
		strbuf_putn(&b, p->program, strlen(p->program) < FIELD_MAX ? strlen(p->program) : FIELD_MAX);
		if (part_subcommand(p) != NULL) {
			strbuf_puts(&b, " ");
			strbuf_puts(&b, part_subcommand(p));
		}
		flag_shape(&b, p);
		break;
	case SK_WRITE: case SK_EDIT: case SK_READ: case SK_DELETE:
		if (s->kind == SK_EXEC)
			strbuf_puts(&b, p->kind == SK_WRITE ? " > " : " ");
		else
			strbuf_puts(&b, " ");
		dir_prefix(&b, s, p->path);
		break;
	case SK_NET:
		strbuf_puts(&b, " ");
		host_domain(&b, p->host);
		snprintf(port, sizeof port, ":%d", p->port);
		strbuf_puts(&b, port);
		break;
	case SK_MCP:
		strbuf_puts(&b, " ");
		strbuf_puts(&b, p->server);
		strbuf_puts(&b, ".");
		strbuf_puts(&b, p->tool);
		break;
	default:
		strbuf_puts(&b, " ");
		strbuf_puts(&b, p->tool != NULL ? p->tool : "?");
		break;
	}
	return strbuf_take(&b);
}

/* ---- membership ---- */

struct group *
groups_add(groups *gs, const struct group_member *m)
{
	char *sig = group_signature(m->subj, m->key_part), *key;
	size_t sl, kl;
	struct group *g;

	if (sig == NULL)
		return NULL;
	sl = strlen(m->session);
	kl = sl + 1 + strlen(sig);
	if ((key = malloc(kl + 1)) == NULL) {
		free(sig);
		return NULL;
	}
	memcpy(key, m->session, sl);
	key[sl] = '\x1f';
	memcpy(key + sl + 1, sig, strlen(sig) + 1);
	g = table_get(gs->by_key, key, kl);
	if (g == NULL) {
		if ((g = calloc(1, sizeof *g)) == NULL)
			goto oom;
		snprintf(g->id, sizeof g->id, "g%llu", (unsigned long long)gs->next_id++);
		g->key = key;
		g->sig = sig;
		key = sig = NULL;
		if (table_put(gs->by_key, g->key, kl, g) < 0) {
			group_free(g);
			goto oom;
		}
		if (table_put(gs->by_id, g->id, strlen(g->id), g) < 0) {
			table_del(gs->by_key, g->key, kl);
			group_free(g);
			goto oom;
		}
		g->prev = gs->tail;
		if (gs->tail != NULL)
			gs->tail->next = g;
		else
			gs->head = g;
		gs->tail = g;
		gs->count++;
	}
	free(key);
	free(sig);
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 4;
		struct group_member *nm = realloc(g->m, cap * sizeof *nm);

		if (nm == NULL) {
			if (g->n == 0)
				groups_remove(gs, g, NULL);
			return NULL;
		}
		g->m = nm;
		g->cap = cap;
	}
	g->m[g->n++] = *m;
	gs->version++;
	return g;
oom:
	free(key);
	free(sig);
	return NULL;
}

void
groups_remove(groups *gs, struct group *g, void *req)
{
	for (size_t i = 0; i < g->n; i++) {
		if (g->m[i].req == req) {
			memmove(&g->m[i], &g->m[i + 1], (g->n - i - 1) * sizeof g->m[0]);
			g->n--;
			gs->version++;
			break;
		}
	}
	if (g->n > 0)
		return;
	table_del(gs->by_key, g->key, strlen(g->key));
	table_del(gs->by_id, g->id, strlen(g->id));
	if (g->prev != NULL)
		g->prev->next = g->next;
	else
		gs->head = g->next;
	if (g->next != NULL)
		g->next->prev = g->prev;
	else
		gs->tail = g->prev;
	gs->count--;
	gs->version++;
	group_free(g);
}

struct group *
groups_find(const groups *gs, const char *id)
{
	return id != NULL ? table_get(gs->by_id, id, strlen(id)) : NULL;
}

size_t groups_count(const groups *gs) { return gs->count; }
uint64_t groups_version(const groups *gs) { return gs->version; }
const char *group_id(const struct group *g) { return g->id; }
size_t group_size(const struct group *g) { return g->n; }
const char *group_session(const struct group *g) { return g->n ? g->m[0].session : ""; }

const struct group_member *
group_member_at(const struct group *g, size_t i)
{
	return i < g->n ? &g->m[i] : NULL;
}

enum rule_level
group_max_level(const struct group *g)
{
	enum rule_level l = RL_LOW;

	for (size_t i = 0; i < g->n; i++)
		if (g->m[i].level > l)
			l = g->m[i].level;
	return l;
}

/* ---- suggestions ---- */

static const struct subj_part *
key_part(const struct group_member *m)
{
	return m->key_part < m->subj->nparts ? &m->subj->parts[m->key_part] : NULL;
}

/* Append text as a glob fragment: wildcard and quoting characters escaped. */
static void
glob_lit(struct strbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strchr("*?\\ \t\r\n'\"", s[i]) != NULL || (i == 0 && b->n > 0 && b->p[b->n - 1] == ' ' && s[i] == '~'))
			strbuf_putn(b, "\\", 1);
		strbuf_putn(b, s + i, 1);
	}
}

static void
put_word(struct strbuf *b, const char *w)
{
	char *q = pattern_quote_word(w, strlen(w));

	strbuf_puts(b, " ");
	if (q == NULL)
		b->oom = true;
	else
		strbuf_puts(b, q);
	free(q);
}

static const char *
word_at(const struct subj_part *p, size_t j)
{
	return j == 0 ? p->program : p->words[j].text;
}

/* Narrowest exec pattern covering every member's key part. */
static char *
exec_narrow(const struct group *g)
{
	const struct subj_part *p0 = key_part(&g->m[0]);
	struct strbuf b = { 0 };
	bool same_len = true, more = false, last_any = false;
	size_t n0 = p0->nwords, lcp = 0;

	for (size_t i = 0; i < g->n; i++) {
		same_len &= key_part(&g->m[i])->nwords == n0;
		more |= key_part(&g->m[i])->more_args;
	}
	strbuf_puts(&b, "exec");
	if (!same_len) {
		size_t minw = n0;

		for (size_t i = 1; i < g->n; i++)
			if (key_part(&g->m[i])->nwords < minw)
				minw = key_part(&g->m[i])->nwords;
		for (lcp = 0; lcp < minw; lcp++) {
			bool eq = !p0->words[lcp].dynamic;

			for (size_t i = 1; i < g->n && eq; i++) {
				const struct subj_part *p = key_part(&g->m[i]);

				eq = !p->words[lcp].dynamic && strcmp(word_at(p, lcp), word_at(p0, lcp)) == 0;
			}
			if (!eq)
				break;
			put_word(&b, word_at(p0, lcp));
		}
		strbuf_puts(&b, " *");
		return strbuf_take(&b);
	}
	for (size_t j = 0; j < n0; j++) {
		const char *w0 = word_at(p0, j);
		size_t pre = strlen(w0), suf = strlen(w0), minlen = strlen(w0);
		bool dyn = p0->words[j].dynamic, eq = true;

		for (size_t i = 1; i < g->n; i++) {
			const struct subj_part *p = key_part(&g->m[i]);
			const char *w = word_at(p, j);
			size_t wl = strlen(w), k;

			dyn |= p->words[j].dynamic;
			eq &= strcmp(w, w0) == 0;
			for (k = 0; k < pre && k < wl && w[k] == w0[k]; k++)
				;
			pre = k;
			for (k = 0; k < suf && k < wl && w[wl - 1 - k] == w0[strlen(w0) - 1 - k]; k++)
				;
			suf = k;
			if (wl < minlen)
				minlen = wl;
		}
		if (!dyn && eq) {
			put_word(&b, w0);
			last_any = false;
			continue;
		}
		if (pre + suf > minlen)
			suf = minlen - pre;
		if (dyn || pre + suf == 0) {
			if (!last_any)
				strbuf_puts(&b, " *");
			last_any = true;
			continue;
		}
		strbuf_puts(&b, " ");
		glob_lit(&b, w0, pre);
		strbuf_puts(&b, "*");
		glob_lit(&b, w0 + strlen(w0) - suf, suf);
		last_any = false;
	}
	if (more && !last_any)
		strbuf_puts(&b, " *");
	return strbuf_take(&b);
}

static char *
exec_prefix(const struct subj_part *p, bool with_sub)
{
	struct strbuf b = { 0 };
	const char *sub = part_subcommand(p);

	strbuf_puts(&b, "exec");
	put_word(&b, p->program);
	if (with_sub) {
		if (sub == NULL || p->nwords < 2 || strcmp(p->words[1].text, sub) != 0) {
			free(b.p);
			return NULL;
		}
		put_word(&b, sub);
	}
	strbuf_puts(&b, " *");
	return strbuf_take(&b);
}

/* Path of the key part relative to its anchor, and the anchor mark. */
static const char *
anchored(const struct group_member *m, const char **mark)
{
	const struct subject *s = m->subj;
	const char *path = key_part(m)->path, *base = NULL;

	*mark = "/";
	if (s->workspace != NULL && subject_path_within(path, s->workspace))
		base = s->workspace, *mark = "./";
	else if (s->home != NULL && subject_path_within(path, s->home))
		base = s->home, *mark = "~/";
	if (base != NULL)
		path += strcmp(base, "/") == 0 ? 0 : strlen(base);
	while (*path == '/')
		path++;
	return path;
}

static void
file_pattern(struct strbuf *b, const char *kind, const char *mark, const char *rel, size_t n,
    const char *tail)
{
	strbuf_puts(b, kind);
	strbuf_puts(b, " ");
	strbuf_puts(b, mark);
	glob_lit(b, rel, n);
	if (n > 0 && *tail != '\0')
		strbuf_puts(b, "/");
	strbuf_puts(b, tail);
}

static size_t
file_suggest(const struct group *g, char *out[GROUP_MAX_SUGGESTIONS + 2])
{
	const char *kind = subject_kind_name(key_part(&g->m[0])->kind), *mark0, *mark;
	const char *r0;
	size_t lcd, nout = 0, first;
	bool same = true, same_mark = true;
	struct strbuf b = { 0 };

	/* a file named only at run time: no rule can cover it, nothing to suggest */
	for (size_t i = 0; i < g->n; i++)
		if (key_part(&g->m[i])->path == NULL)
			return 0;
	r0 = anchored(&g->m[0], &mark0);
	lcd = strlen(r0);

	for (size_t i = 1; i < g->n; i++) {
		const char *r = anchored(&g->m[i], &mark);
		size_t k;

		same_mark &= strcmp(mark, mark0) == 0;
		same &= strcmp(r, r0) == 0;
		for (k = 0; k < lcd && r[k] == r0[k]; k++)
			;
		lcd = k;
	}
	if (!same_mark)
		return 0;
	/* cut the common prefix back to a directory boundary */
	if (!same) {
		while (lcd > 0 && r0[lcd] != '/')
			lcd--;
	}
	if (same) {
		file_pattern(&b, kind, mark0, r0, strlen(r0), "");
	} else {
		bool same_dir = true;
		for (size_t i = 0; i < g->n; i++) {
			const char *r = anchored(&g->m[i], &mark);

			same_dir &= strchr(r + (lcd ? lcd + 1 : 0), '/') == NULL;
		}
		file_pattern(&b, kind, mark0, r0, lcd, same_dir ? "*" : "**");
	}
	out[nout++] = strbuf_take(&b);
	first = strcspn(r0, "/");
	if (r0[first] == '/') {
		b = (struct strbuf){ 0 };
		file_pattern(&b, kind, mark0, r0, first, "**");
		out[nout++] = strbuf_take(&b);
	}
	if (strcmp(mark0, "./") == 0) {
		b = (struct strbuf){ 0 };
		file_pattern(&b, kind, mark0, "", 0, "**");
		out[nout++] = strbuf_take(&b);
	}
	return nout;
}

static size_t
net_suggest(const struct group *g, char *out[GROUP_MAX_SUGGESTIONS + 2])
{
	const struct subj_part *p0 = key_part(&g->m[0]);
	bool same_host = true, same_port = true;
	struct strbuf b = { 0 };
	char port[16], *h;
	size_t nout = 0;
	bool v6 = strchr(p0->host, ':') != NULL;

	for (size_t i = 1; i < g->n; i++) {
		same_host &= strcmp(key_part(&g->m[i])->host, p0->host) == 0;
		same_port &= key_part(&g->m[i])->port == p0->port;
	}
	snprintf(port, sizeof port, ":%d", p0->port);
	if (same_host) {
		strbuf_puts(&b, v6 ? "net [" : "net ");
		strbuf_puts(&b, p0->host);
		strbuf_puts(&b, v6 ? "]" : "");
		if (same_port && p0->port > 0)
			strbuf_puts(&b, port);
		out[nout++] = strbuf_take(&b);
	}
	b = (struct strbuf){ 0 };
	host_domain(&b, p0->host);
	h = strbuf_take(&b);
	if (h != NULL && !v6 && strcmp(h, p0->host) != 0) {
		b = (struct strbuf){ 0 };
		strbuf_puts(&b, "net *.");
		strbuf_puts(&b, h);
		if (same_port && p0->port > 0)
			strbuf_puts(&b, port);
		out[nout++] = strbuf_take(&b);
		b = (struct strbuf){ 0 };
		strbuf_puts(&b, "net *.");
		strbuf_puts(&b, h);
		out[nout++] = strbuf_take(&b);
	} else if (same_host) {
		b = (struct strbuf){ 0 };
		strbuf_puts(&b, v6 ? "net [" : "net ");
		strbuf_puts(&b, p0->host);
		strbuf_puts(&b, v6 ? "]" : "");
		out[nout++] = strbuf_take(&b);
	}
	free(h);
	return nout;
}

static size_t
tool_suggest(const struct group *g, char *out[GROUP_MAX_SUGGESTIONS + 2])
{
	const struct subj_part *p0 = key_part(&g->m[0]);
	struct strbuf b = { 0 };
	bool same = true;
	size_t nout = 0;

	for (size_t i = 1; i < g->n; i++)
		same &= strcmp(key_part(&g->m[i])->tool, p0->tool) == 0;
	if (p0->kind == SK_OTHER) {
		if (!same)
			return 0;
		strbuf_puts(&b, "other ");
		glob_lit(&b, p0->tool, strlen(p0->tool));
		out[nout++] = strbuf_take(&b);
		return nout;
	}
	if (same) {
		strbuf_puts(&b, "mcp ");
		glob_lit(&b, p0->server, strlen(p0->server));
		strbuf_puts(&b, ".");
		glob_lit(&b, p0->tool, strlen(p0->tool));
		out[nout++] = strbuf_take(&b);
		b = (struct strbuf){ 0 };
	}
	strbuf_puts(&b, "mcp ");
	glob_lit(&b, p0->server, strlen(p0->server));
	strbuf_puts(&b, ".*");
	out[nout++] = strbuf_take(&b);
	return nout;
}

/* Candidate pattern texts, narrowest first (may repeat; may be NULL). */
static size_t
candidates(const struct group *g, char *out[GROUP_MAX_SUGGESTIONS + 2])
{
	const struct subj_part *p0 = key_part(&g->m[0]);
	size_t n = 0;

	if (p0 == NULL || g->m[0].subj->unparsed)
		return 0;
	for (size_t i = 1; i < g->n; i++) {
		const struct subj_part *p = key_part(&g->m[i]);

		if (p == NULL || p->kind != p0->kind || g->m[i].subj->unparsed)
			return 0;
	}
	switch (p0->kind) {
	case SK_EXEC:
		out[n++] = exec_narrow(g);
		out[n++] = exec_prefix(p0, true);
		out[n++] = exec_prefix(p0, false);
		return n;
	case SK_WRITE: case SK_EDIT: case SK_READ: case SK_DELETE:
		return file_suggest(g, out);
	case SK_NET:
		return net_suggest(g, out);
	default:
		return tool_suggest(g, out);
	}
}

static enum rule_level
suggestion_ceiling(const struct group *g)
{
	enum rule_level l = group_max_level(g);

	return l > RL_HIGH ? RL_HIGH : l;
}

/* Price one pattern: pending requests it would release, and whether it
 * matches a pending high or critical one. */
static void
price(const groups *gs, const struct group *g, const ruleset *rs, int64_t now_ms, rule *extra,
    struct group_suggestion *sg)
{
	size_t budget = PRICE_BUDGET;
	const char *session = group_session(g);

	for (struct group *o = gs->head; o != NULL && budget > 0; o = o->next) {
		if (strcmp(group_session(o), session) != 0)
			continue;
		for (size_t i = 0; i < o->n && budget > 0; i++, budget--) {
			const struct group_member *m = &o->m[i];
			struct rule_ctx c = { .session = m->session, .agent = m->agent,
			                      .workspace = m->subj->workspace, .level = m->level,
			                      .no_allow = m->no_allow, .now_ms = now_ms };
			struct rule_verdict v;

			if (ruleset_eval(rs, m->subj, &c, extra, &v) == 0 && v.v == VERDICT_ALLOW && v.extra_used)
				sg->covers++;
			if (m->level >= RL_HIGH && !sg->covers_high)
				for (size_t k = 0; k < m->subj->nparts && !sg->covers_high; k++)
					sg->covers_high = rule_matches_part(extra, m->subj, k);
		}
	}
}

size_t
group_suggest(const groups *gs, const struct group *g, const ruleset *rs, int64_t now_ms,
    struct group_suggestion out[GROUP_MAX_SUGGESTIONS])
{
	char *cand[GROUP_MAX_SUGGESTIONS + 2] = { 0 };
	size_t nc = g->n > 0 ? candidates(g, cand) : 0, n = 0;

	for (size_t c = 0; c < nc; c++) {
		char err[256];
		struct rule_spec spec = { .effect = RULE_ALLOW, .pattern = cand[c], .scope = SCOPE_SESSION,
		                          .scope_value = group_session(g), .max_level = suggestion_ceiling(g) };
		rule *r = n < GROUP_MAX_SUGGESTIONS && cand[c] != NULL ? rule_new(&spec, err, sizeof err) : NULL;
		bool covers_all = r != NULL, dup = false;

		for (size_t i = 0; covers_all && i < g->n; i++)
			covers_all = rule_matches_part(r, g->m[i].subj, g->m[i].key_part);
		for (size_t k = 0; covers_all && k < n && !dup; k++)
			dup = strcmp(out[k].pattern, rule_text(r)) == 0;
		if (covers_all && !dup && (out[n].pattern = strdup(rule_text(r))) != NULL) {
			out[n].scope = SCOPE_SESSION;
			out[n].covers = 0;
			out[n].covers_high = false;
			price(gs, g, rs, now_ms, r, &out[n]);
			n++;
		}
		rule_free(r);
		free(cand[c]);
	}
	return n;
}

void
group_suggestions_free(struct group_suggestion *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i].pattern);
}

/* ---- common and varies ---- */

enum field { F_PROGRAM, F_SUBCOMMAND, F_FLAGS, F_ARGS, F_CWD, F_PATH, F_DIR, F_HOST, F_PORT,
             F_SERVER, F_TOOL, F_AGENT, F_COUNT };
static const char *const field_names[F_COUNT] = {
	"program", "subcommand", "flags", "args", "cwd", "path", "dir", "host", "port",
	"server", "tool", "agent",
};

static bool
field_applies(enum field f, enum subj_kind k)
{
	switch (f) {
	case F_PROGRAM: case F_SUBCOMMAND: case F_FLAGS: case F_ARGS: return k == SK_EXEC;
	case F_CWD: case F_AGENT: return true;
	case F_PATH: case F_DIR: return k >= SK_WRITE && k <= SK_DELETE;
	case F_HOST: case F_PORT: return k == SK_NET;
	case F_SERVER: return k == SK_MCP;
	case F_TOOL: return k == SK_MCP || k == SK_OTHER;
	default: return false;
	}
}

/* The value of field f for member m, malloc'd ("" when it has none). */
static char *
field_value(const struct group_member *m, enum field f)
{
	const struct subj_part *p = key_part(m);
	struct strbuf b = { 0 };
	char num[16];

	if (p == NULL)
		return strdup("");
	switch (f) {
	case F_PROGRAM: strbuf_puts(&b, p->program ? p->program : ""); break;
	case F_SUBCOMMAND: strbuf_puts(&b, part_subcommand(p) ? part_subcommand(p) : ""); break;
	case F_FLAGS:
		flag_shape(&b, p);
		if (b.p != NULL && b.n >= 3) { /* " [a,b]" -> "a,b" */
			memmove(b.p, b.p + 2, b.n - 3);
			b.p[b.n - 3] = '\0';
		}
		break;
	case F_ARGS:
		for (size_t i = 1; i < p->nwords && b.n < FIELD_MAX; i++) {
			if (p->words[i].text[0] == '-' && p->words[i].text[1] != '\0')
				continue;
			if (i == 1 && part_subcommand(p) != NULL && strcmp(p->words[1].text, part_subcommand(p)) == 0)
				continue;
			if (b.n > 0)
				strbuf_puts(&b, " ");
			strbuf_puts(&b, p->words[i].text);
		}
		break;
	case F_CWD: strbuf_puts(&b, m->subj->cwd ? m->subj->cwd : ""); break;
	case F_PATH: strbuf_puts(&b, p->path ? p->path : ""); break;
	case F_DIR:
		if (p->path != NULL) {
			const char *slash = strrchr(p->path, '/');

			strbuf_putn(&b, p->path, slash > p->path ? (size_t)(slash - p->path) : 1);
		}
		break;
	case F_HOST: strbuf_puts(&b, p->host ? p->host : ""); break;
	case F_PORT: snprintf(num, sizeof num, "%d", p->port); strbuf_puts(&b, num); break;
	case F_SERVER: strbuf_puts(&b, p->server ? p->server : ""); break;
	case F_TOOL: strbuf_puts(&b, p->tool ? p->tool : ""); break;
	case F_AGENT: strbuf_puts(&b, m->agent); break;
	default: break;
	}
	if (b.p != NULL && b.n > FIELD_MAX)
		b.p[FIELD_MAX] = '\0';
	return strbuf_take(&b);
}

struct field_stat {
	char *shown[VARIES_SHOWN];
	size_t nshown, distinct;
};

static void
stat_field(const struct group *g, enum field f, struct field_stat *st)
{
	table *seen = table_new();

	memset(st, 0, sizeof *st);
	for (size_t i = 0; i < g->n; i++) {
		char *v = field_value(&g->m[i], f);

		if (v == NULL)
			continue;
		if (*v == '\0') { /* no value: not shown as common nor varying */
			free(v);
			continue;
		}
		if (seen != NULL && table_get(seen, v, strlen(v)) == NULL &&
		    table_put(seen, v, strlen(v), (void *)1) == 0) {
			st->distinct++;
			if (st->nshown < VARIES_SHOWN) {
				st->shown[st->nshown++] = v;
				continue;
			}
		}
		free(v);
	}
	table_free(seen);
}

static void
pack_fields(msgpack_packer *pk, const struct group *g)
{
	struct field_stat st[F_COUNT];
	enum subj_kind k = key_part(&g->m[0]) ? key_part(&g->m[0])->kind : g->m[0].subj->kind;
	size_t ncommon = 0, nvaries = 0;

	for (int f = 0; f < F_COUNT; f++) {
		if (!field_applies((enum field)f, k)) {
			st[f].distinct = 0;
			st[f].nshown = 0;
			continue;
		}
		stat_field(g, (enum field)f, &st[f]);
		if (st[f].distinct == 1)
			ncommon++;
		else if (st[f].distinct > 1)
			nvaries++;
	}
	rpc_pack_str(pk, "common");
	msgpack_pack_map(pk, ncommon);
	for (int f = 0; f < F_COUNT; f++)
		if (st[f].distinct == 1)
			rpc_pack_kv_str(pk, field_names[f], st[f].shown[0]);
	rpc_pack_str(pk, "varies");
	msgpack_pack_array(pk, nvaries);
	for (int f = 0; f < F_COUNT; f++) {
		if (st[f].distinct <= 1)
			continue;
		msgpack_pack_map(pk, 3);
		rpc_pack_kv_str(pk, "field", field_names[f]);
		rpc_pack_str(pk, "values");
		msgpack_pack_array(pk, st[f].nshown);
		for (size_t i = 0; i < st[f].nshown; i++)
			rpc_pack_str(pk, st[f].shown[i]);
		rpc_pack_kv_int(pk, "distinct", (int64_t)st[f].distinct);
	}
	for (int f = 0; f < F_COUNT; f++)
		for (size_t i = 0; i < st[f].nshown; i++)
			free(st[f].shown[i]);
}

/* ---- the groups view ---- */

struct sorted {
	const struct group *g;
	int max_score;
	enum rule_level max_level;
	int64_t oldest;
};

static int
cmp_groups(const void *a, const void *b)
{
	const struct sorted *x = a, *y = b;

	if (x->max_score != y->max_score)
		return x->max_score > y->max_score ? -1 : 1;
	if (x->oldest != y->oldest)
		return x->oldest < y->oldest ? -1 : 1;
	return strcmp(x->g->id, y->g->id);
}

static void
pack_group(const groups *gs, msgpack_packer *pk, const struct sorted *s, const ruleset *rs,
    int64_t now_ms)
{
	const struct group *g = s->g;
	struct group_suggestion sg[GROUP_MAX_SUGGESTIONS];
	size_t nsg = group_suggest(gs, g, rs, now_ms, sg);
	const struct subj_part *p0 = key_part(&g->m[0]);

	msgpack_pack_map(pk, 14);
	rpc_pack_kv_str(pk, "id", g->id);
	rpc_pack_kv_int(pk, "count", (int64_t)g->n);
	rpc_pack_kv_str(pk, "session", g->m[0].session);
	rpc_pack_kv_str(pk, "agent", g->m[0].agent);
	rpc_pack_kv_str(pk, "kind", subject_kind_name(p0 != NULL ? p0->kind : g->m[0].subj->kind));
	rpc_pack_kv_str(pk, "signature", g->sig);
	rpc_pack_kv_str(pk, "pattern", nsg > 0 ? sg[0].pattern : NULL);
	pack_fields(pk, g);
	rpc_pack_kv_int(pk, "max_score", s->max_score);
	rpc_pack_kv_str(pk, "max_level", rule_level_name(s->max_level));
	rpc_pack_kv_int(pk, "oldest_ms", s->oldest);
	rpc_pack_str(pk, "members");
	msgpack_pack_array(pk, g->n);
	for (size_t i = 0; i < g->n; i++)
		msgpack_pack_int64(pk, g->m[i].id);
	rpc_pack_str(pk, "suggestions");
	msgpack_pack_array(pk, nsg);
	for (size_t i = 0; i < nsg; i++) {
		msgpack_pack_map(pk, 5);
		rpc_pack_kv_int(pk, "index", (int64_t)i);
		rpc_pack_kv_str(pk, "pattern", sg[i].pattern);
		rpc_pack_kv_str(pk, "scope", rule_scope_name(sg[i].scope));
		rpc_pack_kv_int(pk, "covers", sg[i].covers);
		rpc_pack_kv_bool(pk, "covers_high", sg[i].covers_high);
	}
	group_suggestions_free(sg, nsg);
}

void
groups_pack(const groups *gs, msgpack_packer *pk, const ruleset *rs, int64_t now_ms)
{
	struct sorted *v = calloc(gs->count ? gs->count : 1, sizeof *v);
	size_t n = 0;

	msgpack_pack_map(pk, 1);
	rpc_pack_str(pk, "groups");
	if (v == NULL) {
		msgpack_pack_array(pk, 0);
		return;
	}
	for (const struct group *g = gs->head; g != NULL; g = g->next) {
		v[n] = (struct sorted){ .g = g, .max_score = -1, .oldest = INT64_MAX };
		for (size_t i = 0; i < g->n; i++) {
			if (g->m[i].score > v[n].max_score)
				v[n].max_score = g->m[i].score;
			if (g->m[i].level > v[n].max_level)
				v[n].max_level = g->m[i].level;
			if (g->m[i].created_ms < v[n].oldest)
				v[n].oldest = g->m[i].created_ms;
		}
		n++;
	}
	qsort(v, n, sizeof *v, cmp_groups);
	msgpack_pack_array(pk, n);
	for (size_t i = 0; i < n; i++)
		pack_group(gs, pk, &v[i], rs, now_ms);
	free(v);
}
