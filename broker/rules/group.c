/* group.c -- grouping pending requests, what they share, and suggestions,
 * kept up to date per request (group.h says how). */
#include "broker/rules/group.h"
#include "broker/rules/pattern.h"
#include "broker/rules/ranked.h"
#include "broker/rules/shape.h"
#include "broker/rules/ruleindex.h"
#include "broker/rules/suggest.h"
#include "proto/table.h"
#include "proto/rpc.h"
#include "proto/strbuf.h"
#include "proto/wallclock.h"
#include "tui/text.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD_MAX 256         /* bytes of a field value kept for display */
#define SIG_MAX 1024          /* bytes of a signature (then cut, with a mark) */
#define VARIES_SHOWN 10
#define MAX_FLAGS 8
#define SCORE_MAX 100

#define CONTAINER(p, type, field) ((type *)(void *)((char *)(p) - offsetof(type, field)))

enum field { F_PROGRAM, F_SUBCOMMAND, F_FLAGS, F_ARGS, F_COMMAND, F_CWD, F_PATH, F_DIR, F_HOST, F_PORT,
             F_SERVER, F_TOOL, F_AGENT, F_COUNT };
static const char *const field_names[F_COUNT] = {
	"program", "subcommand", "flags", "args", "command", "cwd", "path", "dir", "host", "port",
	"server", "tool", "agent",
};

/* One distinct value of one field within a group, with how many members
 * have it; kept in first-seen order (the order `varies` shows). */
struct fval {
	struct fval *prev, *next;
	size_t count, len;
	char text[];
};

struct fstat {
	table *vals;              /* text -> struct fval */
	struct fval *head, *tail;
	size_t distinct;
};

/* The session's index of its pending requests under the rule index's
 * bucket keys: a pattern is priced against its one bucket only. */
struct mbucket;
struct mentry {
	struct gmember *m;
	size_t ref;               /* index into m->refs */
};
struct mref {
	struct mbucket *b;
	size_t pos;               /* index into b->v */
};
struct mbucket {
	struct mentry *v;
	size_t n, cap;
	char *key;
	size_t klen;
	struct mbucket *prev, *next;
};

struct gmember {
	struct rnode node;        /* in its group's members, by id; val = created_ms */
	struct group_member m;
	struct group *g;
	struct fval *fv[F_COUNT];
	struct mref *refs;
	size_t nrefs, caprefs;
	struct gmember *oprev, *onext; /* in the group's list of members with other parts */
	bool others;
};

struct gsess;

/* A suggestion's pattern, priced for one session at one ceiling: which
 * pending requests of the session it would release and which high or
 * critical ones it matches.  Shared by the groups that suggest it. */
struct priced {
	struct gsess *s;
	char *key;                /* ceiling byte + pattern text */
	size_t klen;
	rule *r;
	char *bkey;               /* its bucket key (ruleindex.h) */
	size_t bklen;
	table *flags;             /* req -> PF_* bits */
	size_t covers, nhigh;
	size_t refs;
	struct group **users;
	size_t nusers, capusers;
	uint64_t gen;             /* rules generation it is priced for */
	void **scan;              /* requests still to price, or NULL */
	size_t nscan, at;
	bool queued;
	struct priced *qprev, *qnext, *aprev, *anext;
	uint64_t stamp;
};
#define PF_COVERS 1u
#define PF_HIGH 2u

struct gsess {
	char *name;
	size_t ngroups;
	table *buckets;           /* key -> struct mbucket */
	struct mbucket *bhead;
	ruleindex *pix;           /* its priced patterns */
	table *priced;            /* key -> struct priced */
};

struct group {
	char id[24];
	uint64_t seq;
	char *key;                /* session \x1f signature */
	size_t klen;
	char *sig;
	struct gsess *sess;
	struct ranked members;
	size_t level_n[RL_CRITICAL + 1];
	size_t score_n[SCORE_MAX + 1];
	struct fstat fs[F_COUNT];
	struct rnode onode;       /* in gs->order */
	int okey_score;           /* the values onode is ordered by */
	int64_t okey_oldest;
	bool sugg_ok;
	size_t nsugg;
	struct priced *sugg[GROUP_MAX_SUGGESTIONS];
	struct suggest_info sinfo; /* what offers need of the members (suggest.h) */
	bool dirty;
	struct group *dprev, *dnext;
	/* members with parts besides the one the group is about: the label
	 * (the signature) does not show those, so the view says so */
	struct gmember *ohead, *otail;
	size_t nothers;
	/* the whole shape over every member ("curl -s URL* | sh"), made
	 * when asked for after the membership changed */
	char *label;
	bool label_ok;
	/* whether each suggestion, with the rules in force, answers every part
	 * of every member, and else the first part it leaves to a person */
	bool whole_ok;
	uint64_t whole_gen;
	bool whole[GROUP_MAX_SUGGESTIONS];
	char *leaves[GROUP_MAX_SUGGESTIONS];
};

struct groups {
	table *by_key, *by_id, *by_req, *sessions;
	struct ranked order;      /* riskiest first */
	size_t count;
	uint64_t next_id, version, rules_gen, stamp;
	const ruleset *rs;
	struct group *dhead;      /* changed since the last groups_pack_changes */
	size_t ndirty;
	char (*gone)[24];
	size_t ngone, capgone;
	bool overflow;
	struct priced *qhead, *qtail; /* patterns being priced */
	struct priced *ahead;     /* every priced pattern */
	const learn *learn;       /* what offers learn from (suggest.h), or NULL */
	struct suggest_cfg scfg;
};

static struct gmember *GM(const struct rnode *n) { return n != NULL ? CONTAINER(n, struct gmember, node) : NULL; }
static struct group *GO(const struct rnode *n) { return n != NULL ? CONTAINER(n, struct group, onode) : NULL; }

static int
cmp_members(const struct rnode *a, const struct rnode *b)
{
	const struct gmember *x = GM(a), *y = GM(b);

	if (x->m.id != y->m.id)
		return x->m.id < y->m.id ? -1 : 1;
	return x->m.req < y->m.req ? -1 : x->m.req > y->m.req;
}

/* Riskiest first: max score descending, then oldest, then creation. */
static int
cmp_groups(const struct rnode *a, const struct rnode *b)
{
	const struct group *x = GO(a), *y = GO(b);

	if (x->okey_score != y->okey_score)
		return x->okey_score > y->okey_score ? -1 : 1;
	if (x->okey_oldest != y->okey_oldest)
		return x->okey_oldest < y->okey_oldest ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

groups *
groups_new(const ruleset *rs)
{
	groups *gs = calloc(1, sizeof *gs);

	if (gs == NULL)
		return NULL;
	if ((gs->by_key = table_new()) == NULL || (gs->by_id = table_new()) == NULL ||
	    (gs->by_req = table_new()) == NULL || (gs->sessions = table_new()) == NULL) {
		table_free(gs->by_key);
		table_free(gs->by_id);
		table_free(gs->by_req);
		free(gs);
		return NULL;
	}
	ranked_init(&gs->order, cmp_groups);
	gs->next_id = 1;
	gs->rs = rs;
	suggest_defaults(&gs->scfg);
	return gs;
}

struct mview {
	const struct group_member **m;
	size_t n;
};

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
		if (t[1] != '-' && len > 2 && strspn(t + 2, "0123456789") == len - 2)
			len = 2; /* a short option's attached number is its value: -j4, -j8 are one shape */
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

/* The signature and the grouping key are built together: the signature is
 * for people, the key says the same without ambiguity (every piece a
 * program, flag or path names is length-prefixed), so a program named
 * "curl | sh" never shares a key with a pipeline. */
struct sigb {
	struct strbuf lab, key;
};

static void
sig_const(struct sigb *sb, const char *t)
{
	strbuf_puts(&sb->lab, t);
	strbuf_puts(&sb->key, t);
}

static void
sig_var(struct sigb *sb, const char *t, size_t n)
{
	char len[24];

	snprintf(len, sizeof len, "%zu:", n);
	strbuf_putn(&sb->lab, t, n);
	strbuf_puts(&sb->key, len);
	strbuf_putn(&sb->key, t, n);
}

static void
sig_buf(struct sigb *sb, struct strbuf *tmp)
{
	sig_var(sb, tmp->p != NULL ? tmp->p : "", tmp->n);
	free(tmp->p);
	*tmp = (struct strbuf){ 0 };
}

/* One part of s in the signature (after its separator). */
static void
sig_part(struct sigb *sb, const struct subject *s, const struct subj_part *p, bool first)
{
	struct strbuf t = { 0 };
	char port[16];
	const char *open = "", *close = "";

	if (s->kind == SK_EXEC && p->kind != SK_EXEC) {
		/* in a command line, a file or host part says what is done to it */
		open = p->kind == SK_WRITE ? "> " : p->kind == SK_DELETE ? "(deletes " :
		    p->kind == SK_EDIT ? "(edits " : p->kind == SK_READ ? "(reads " : p->kind == SK_NET ? "(net " : "(";
		close = p->kind == SK_WRITE ? "" : ")";
	} else if (s->kind != SK_EXEC && (!first || p->kind != s->kind)) {
		open = subject_kind_name(p->kind); /* "write ./src + read ./docs" */
		sig_const(sb, open);
		open = " ";
	}
	sig_const(sb, open);
	switch (p->kind) {
	case SK_EXEC:
		sig_var(sb, p->program, strlen(p->program) < FIELD_MAX ? strlen(p->program) : FIELD_MAX);
		if (part_subcommand(p) != NULL) {
			sig_const(sb, " ");
			sig_var(sb, part_subcommand(p), strlen(part_subcommand(p)));
		}
		flag_shape(&t, p);
		if (t.n > 0)
			sig_buf(sb, &t);
		break;
	case SK_WRITE: case SK_EDIT: case SK_READ: case SK_DELETE:
		dir_prefix(&t, s, p->path);
		sig_buf(sb, &t);
		break;
	case SK_NET:
		host_domain(&t, p->host != NULL ? p->host : "?");
		snprintf(port, sizeof port, ":%d", p->port);
		strbuf_puts(&t, port);
		sig_buf(sb, &t);
		break;
	case SK_MCP: /* one group per server: its tools are asked about together (issue #17) */
		sig_var(sb, p->server != NULL ? p->server : "?", strlen(p->server != NULL ? p->server : "?"));
		break;
	default:
		sig_var(sb, p->tool != NULL ? p->tool : "?", strlen(p->tool != NULL ? p->tool : "?"));
		break;
	}
	free(t.p);
	sig_const(sb, close);
}

/* The signature of every part of s, in order: commands joined by how the
 * line joins them (conns: shape.h codes, one per gap between exec parts;
 * NULL: unknown, " + "), a command's files after it ("exec curl [-s] | sh",
 * "exec cc [-o] > ./build ; rm [-f] (deletes ./)"); *key (if key is not
 * NULL) the grouping key, which also holds key_part.  NULL on out of
 * memory. */
static char *
signature_and_key(const struct subject *s, const char *conns, size_t key_part, char **key)
{
	struct sigb sb = { { 0 }, { 0 } };
	char kp[32];
	size_t nexec = 0, nconns = conns != NULL ? strlen(conns) : 0;

	snprintf(kp, sizeof kp, "%zu\x1f", key_part);
	strbuf_puts(&sb.key, kp);
	sig_const(&sb, subject_kind_name(s->kind));
	if (s->unparsed || key_part >= s->nparts) {
		sig_const(&sb, " (not understood)");
	} else {
		for (size_t k = 0; k < s->nparts; k++) {
			const struct subj_part *p = &s->parts[k];

			if (s->kind == SK_EXEC && p->kind == SK_EXEC) {
				if (nexec > 0)
					sig_const(&sb, shape_conn_text(nexec - 1 < nconns ? conns[nexec - 1] : SHAPE_UNKNOWN));
				else
					sig_const(&sb, " ");
				nexec++;
			} else {
				sig_const(&sb, k == 0 ? " " : s->kind == SK_EXEC ? " " : " + ");
			}
			sig_part(&sb, s, p, k == 0);
		}
	}
	if (sb.lab.p != NULL && sb.lab.n > SIG_MAX) {
		size_t n = SIG_MAX;

		while (n > 0 && ((unsigned char)sb.lab.p[n] & 0xc0) == 0x80)
			n--; /* not inside a UTF-8 sequence */
		sb.lab.n = n;
		sb.lab.p[n] = '\0';
		strbuf_puts(&sb.lab, "\xe2\x80\xa6");
	}
	if (key != NULL)
		*key = strbuf_take(&sb.key);
	else
		free(sb.key.p);
	if (key != NULL && *key == NULL) {
		free(sb.lab.p);
		return NULL;
	}
	return strbuf_take(&sb.lab);
}

char *
group_signature(const struct subject *s, size_t key_part)
{
	return signature_and_key(s, NULL, key_part, NULL);
}

char *
group_signature_conns(const struct subject *s, const char *conns, size_t key_part)
{
	return signature_and_key(s, conns, key_part, NULL);
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
exec_narrow(const struct mview *v)
{
	const struct subj_part *p0 = key_part(v->m[0]);
	struct strbuf b = { 0 };
	bool same_len = true, more = false, last_any = false;
	size_t n0 = p0->nwords, lcp = 0;

	for (size_t i = 0; i < v->n; i++) {
		same_len &= key_part(v->m[i])->nwords == n0;
		more |= key_part(v->m[i])->more_args;
	}
	strbuf_puts(&b, "exec");
	if (!same_len) {
		size_t minw = n0;

		for (size_t i = 1; i < v->n; i++)
			if (key_part(v->m[i])->nwords < minw)
				minw = key_part(v->m[i])->nwords;
		for (lcp = 0; lcp < minw; lcp++) {
			bool eq = !p0->words[lcp].dynamic;

			for (size_t i = 1; i < v->n && eq; i++) {
				const struct subj_part *p = key_part(v->m[i]);

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

		for (size_t i = 1; i < v->n; i++) {
			const struct subj_part *p = key_part(v->m[i]);
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

/* A path for the label, anchored as patterns are (./ workspace, ~/ home). */
static const char *
label_anchor(const struct subject *s, const char *path, const char **mark)
{
	const char *base = NULL;

	*mark = "/";
	if (path == NULL)
		return NULL;
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

/* Path of the key part relative to its anchor, and the anchor mark. */
static const char *
anchored(const struct group_member *m, const char **mark)
{
	return label_anchor(m->subj, key_part(m)->path, mark);
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
file_suggest(const struct mview *v, char *out[GROUP_MAX_SUGGESTIONS + 2])
{
	const char *kind = subject_kind_name(key_part(v->m[0])->kind), *mark0, *mark;
	const char *r0;
	size_t lcd, nout = 0, first;
	bool same = true, same_mark = true;
	struct strbuf b = { 0 };

	/* a file named only at run time: no rule can cover it, nothing to suggest */
	for (size_t i = 0; i < v->n; i++)
		if (key_part(v->m[i])->path == NULL)
			return 0;
	r0 = anchored(v->m[0], &mark0);
	lcd = strlen(r0);

	for (size_t i = 1; i < v->n; i++) {
		const char *r = anchored(v->m[i], &mark);
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
		for (size_t i = 0; i < v->n; i++) {
			const char *r = anchored(v->m[i], &mark);

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
net_suggest(const struct mview *v, char *out[GROUP_MAX_SUGGESTIONS + 2])
{
	const struct subj_part *p0 = key_part(v->m[0]);
	bool same_host = true, same_port = true;
	struct strbuf b = { 0 };
	char port[16], *h;
	size_t nout = 0;
	bool v6 = strchr(p0->host, ':') != NULL;

	for (size_t i = 1; i < v->n; i++) {
		same_host &= strcmp(key_part(v->m[i])->host, p0->host) == 0;
		same_port &= key_part(v->m[i])->port == p0->port;
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
tool_suggest(const struct mview *v, char *out[GROUP_MAX_SUGGESTIONS + 2])
{
	const struct subj_part *p0 = key_part(v->m[0]);
	struct strbuf b = { 0 };
	bool same = true;
	size_t nout = 0;

	for (size_t i = 1; i < v->n; i++)
		same &= strcmp(key_part(v->m[i])->tool, p0->tool) == 0;
	if (p0->kind == SK_OTHER) {
		/* the tool with this very input (when every member has it),
		 * then with any input: a rule for the name alone covers only
		 * the empty input (docs/RULES.md) */
		bool same_input = p0->content != NULL && strlen(p0->content) <= 3000;

		if (!same)
			return 0;
		for (size_t i = 1; i < v->n && same_input; i++)
			same_input = key_part(v->m[i])->content != NULL &&
			    strcmp(key_part(v->m[i])->content, p0->content) == 0;
		if (same_input) {
			strbuf_puts(&b, "other ");
			glob_lit(&b, p0->tool, strlen(p0->tool));
			if (strcmp(p0->content, "{}") != 0) {
				strbuf_puts(&b, " ");
				glob_lit(&b, p0->content, strlen(p0->content));
			}
			out[nout++] = strbuf_take(&b);
			b = (struct strbuf){ 0 };
		}
		strbuf_puts(&b, "other ");
		glob_lit(&b, p0->tool, strlen(p0->tool));
		strbuf_puts(&b, " *");
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
candidates(const struct mview *v, char *out[GROUP_MAX_SUGGESTIONS + 2])
{
	const struct subj_part *p0 = key_part(v->m[0]);
	size_t n = 0;

	if (p0 == NULL || v->m[0]->subj->unparsed)
		return 0;
	for (size_t i = 1; i < v->n; i++) {
		const struct subj_part *p = key_part(v->m[i]);

		if (p == NULL || p->kind != p0->kind || v->m[i]->subj->unparsed)
			return 0;
	}
	switch (p0->kind) {
	case SK_EXEC:
		out[n++] = exec_narrow(v);
		out[n++] = exec_prefix(p0, true);
		out[n++] = exec_prefix(p0, false);
		return n;
	case SK_WRITE: case SK_EDIT: case SK_READ: case SK_DELETE:
		return file_suggest(v, out);
	case SK_NET:
		return net_suggest(v, out);
	default:
		return tool_suggest(v, out);
	}
}

/* ---- the label: every part of every member ---- */

/* The words of exec part k of every member: literal where they agree,
 * prefix*suffix or * where they differ, a final * when their lengths do. */
static void
label_words(struct strbuf *b, const struct mview *v, size_t k)
{
	const struct subj_part *p0 = &v->m[0]->subj->parts[k];
	size_t minw = p0->nwords;
	bool same_len = true, last_any = false;

	for (size_t i = 1; i < v->n; i++) {
		size_t nw = v->m[i]->subj->parts[k].nwords;

		same_len &= nw == p0->nwords;
		if (nw < minw)
			minw = nw;
	}
	for (size_t j = 0; j < minw; j++) {
		const char *w0 = word_at(p0, j);
		size_t l0 = strlen(w0), pre = l0, suf = l0, minlen = l0;
		bool dyn = p0->words[j].dynamic, eq = true;

		for (size_t i = 1; i < v->n; i++) {
			const struct subj_part *p = &v->m[i]->subj->parts[k];
			const char *w = word_at(p, j);
			size_t wl = strlen(w), q;

			dyn |= p->words[j].dynamic;
			eq &= strcmp(w, w0) == 0;
			for (q = 0; q < pre && q < wl && w[q] == w0[q]; q++)
				;
			pre = q;
			for (q = 0; q < suf && q < wl && w[wl - 1 - q] == w0[l0 - 1 - q]; q++)
				;
			suf = q;
			if (wl < minlen)
				minlen = wl;
		}
		if (j > 0)
			strbuf_putc(b, ' ');
		if (eq && !dyn) {
			char *q = pattern_quote_word(w0, l0);

			strbuf_puts(b, q != NULL ? q : "?");
			free(q);
			last_any = false;
			continue;
		}
		if (pre + suf > minlen)
			suf = minlen - pre;
		if (dyn || pre + suf == 0) {
			if (last_any)
				b->n--, b->p[b->n] = '\0'; /* one * for a run of them */
			else
				strbuf_putc(b, '*');
			last_any = true;
			continue;
		}
		glob_lit(b, w0, pre);
		strbuf_putc(b, '*');
		glob_lit(b, w0 + l0 - suf, suf);
		last_any = false;
	}
	if ((!same_len || p0->more_args) && !last_any)
		strbuf_puts(b, minw > 0 ? " *" : "*");
}

/* The path of file part k of every member: itself, or the common
 * directory with * (one level) or ** (deeper). */
static void
label_path(struct strbuf *b, const struct mview *v, size_t k)
{
	const struct subj_part *p0 = &v->m[0]->subj->parts[k];
	const char *mark0, *mark, *r0 = label_anchor(v->m[0]->subj, p0->path, &mark0);
	size_t lcd;
	bool same = true, deep = false;

	if (r0 == NULL) {
		strbuf_puts(b, "(named at run time)");
		return;
	}
	lcd = strlen(r0);
	for (size_t i = 1; i < v->n; i++) {
		const char *r = label_anchor(v->m[i]->subj, v->m[i]->subj->parts[k].path, &mark);
		size_t q;

		if (r == NULL || strcmp(mark, mark0) != 0) {
			strbuf_puts(b, "*");
			return;
		}
		same &= strcmp(r, r0) == 0;
		for (q = 0; q < lcd && r[q] == r0[q]; q++)
			;
		lcd = q;
	}
	strbuf_puts(b, mark0);
	if (same) {
		glob_lit(b, r0, strlen(r0));
		return;
	}
	while (lcd > 0 && r0[lcd] != '/')
		lcd--;
	for (size_t i = 0; i < v->n && !deep; i++) {
		const char *r = label_anchor(v->m[i]->subj, v->m[i]->subj->parts[k].path, &mark);

		deep = strchr(r + (lcd ? lcd + 1 : 0), '/') != NULL;
	}
	glob_lit(b, r0, lcd);
	strbuf_puts(b, lcd > 0 ? "/" : "");
	strbuf_puts(b, deep ? "**" : "*");
}

/* The label of the members in v, which share their signature (so their
 * parts line up): each command's words joined as the line joins them,
 * each file after the command that writes or deletes it.  NULL when the
 * parts do not line up or memory ran out. */
static char *
shape_label(const struct mview *v)
{
	const struct group_member *m0 = v->m[0];
	const struct subject *s0 = m0->subj;
	const char *conns = m0->conns;
	struct strbuf b = { 0 };
	size_t nexec = 0, nconns = conns != NULL ? strlen(conns) : 0;

	if (s0->kind != SK_EXEC || s0->unparsed || s0->nparts == 0)
		return NULL;
	for (size_t i = 1; i < v->n; i++) {
		if (v->m[i]->subj->nparts != s0->nparts || v->m[i]->subj->unparsed)
			return NULL;
		for (size_t k = 0; k < s0->nparts; k++)
			if (v->m[i]->subj->parts[k].kind != s0->parts[k].kind)
				return NULL;
	}
	for (size_t k = 0; k < s0->nparts && b.n < 4 * SIG_MAX; k++) {
		const struct subj_part *p = &s0->parts[k];

		switch (p->kind) {
		case SK_EXEC:
			if (nexec > 0)
				strbuf_puts(&b, shape_conn_text(nexec - 1 < nconns ? conns[nexec - 1] : SHAPE_UNKNOWN));
			nexec++;
			label_words(&b, v, k);
			break;
		case SK_WRITE:
			strbuf_puts(&b, " > ");
			label_path(&b, v, k);
			break;
		case SK_DELETE: case SK_EDIT: case SK_READ:
			strbuf_puts(&b, p->kind == SK_DELETE ? " (deletes " : p->kind == SK_EDIT ? " (edits " : " (reads ");
			label_path(&b, v, k);
			strbuf_putc(&b, ')');
			break;
		case SK_NET:
			strbuf_puts(&b, " (net ");
			strbuf_puts(&b, p->host != NULL ? p->host : "?");
			strbuf_putc(&b, ')');
			break;
		default:
			strbuf_puts(&b, " (");
			strbuf_puts(&b, p->tool != NULL ? p->tool : "?");
			strbuf_putc(&b, ')');
			break;
		}
	}
	if (b.p != NULL && b.n > SIG_MAX) {
		size_t n = SIG_MAX;

		while (n > 0 && ((unsigned char)b.p[n] & 0xc0) == 0x80)
			n--;
		b.n = n;
		b.p[n] = '\0';
		strbuf_puts(&b, "\xe2\x80\xa6");
	}
	return strbuf_take(&b);
}

/* One member's whole command as the label shows it. */
static char *
member_label(const struct group_member *m)
{
	const struct group_member *one[1] = { m };
	struct mview v = { one, 1 };

	return shape_label(&v);
}

/* ---- common and varies ---- */

static bool
field_applies(enum field f, enum subj_kind k)
{
	switch (f) {
	case F_PROGRAM: case F_SUBCOMMAND: case F_FLAGS: case F_ARGS: return k == SK_EXEC;
	case F_COMMAND: return true; /* a request of several parts: stats_add */
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
	case F_COMMAND:
		/* every part, as the label shows them: what differs between members
		 * of a pipeline or list group besides the part it is about */
		if (m->subj->nparts > 1 && !m->subj->unparsed) {
			char *c = member_label(m);

			strbuf_puts(&b, c != NULL ? c : "");
			free(c);
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

/* ---- field statistics (common / varies) ---- */

static struct fval *
fstat_add(struct fstat *fs, const char *v, size_t len)
{
	struct fval *x;

	if (fs->vals == NULL && (fs->vals = table_new()) == NULL)
		return NULL;
	if ((x = table_get(fs->vals, v, len)) != NULL) {
		x->count++;
		return x;
	}
	if ((x = malloc(sizeof *x + len + 1)) == NULL)
		return NULL;
	memcpy(x->text, v, len);
	x->text[len] = '\0';
	x->len = len;
	x->count = 1;
	if (table_put(fs->vals, x->text, len, x) < 0) {
		free(x);
		return NULL;
	}
	x->next = NULL;
	x->prev = fs->tail;
	if (fs->tail != NULL)
		fs->tail->next = x;
	else
		fs->head = x;
	fs->tail = x;
	fs->distinct++;
	return x;
}

static void
fstat_del(struct fstat *fs, struct fval *x)
{
	if (x == NULL || --x->count > 0)
		return;
	table_del(fs->vals, x->text, x->len);
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		fs->head = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	else
		fs->tail = x->prev;
	fs->distinct--;
	free(x);
}

static void
fstat_free(struct fstat *fs)
{
	for (struct fval *x = fs->head, *next; x != NULL; x = next) {
		next = x->next;
		free(x);
	}
	table_free(fs->vals);
	memset(fs, 0, sizeof *fs);
}

static void
stats_add(struct group *g, struct gmember *gm)
{
	const struct subj_part *p = key_part(&gm->m);
	int sc = gm->m.score < 0 ? 0 : gm->m.score > SCORE_MAX ? SCORE_MAX : gm->m.score;

	g->level_n[gm->m.level]++;
	g->score_n[sc]++;
	for (int f = 0; p != NULL && f < F_COUNT; f++) {
		char *v;

		if (f == F_COMMAND && (gm->m.subj->nparts < 2 || gm->m.subj->kind != SK_EXEC))
			continue;
		if (!field_applies((enum field)f, p->kind) || (v = field_value(&gm->m, (enum field)f)) == NULL)
			continue;
		if (*v != '\0') /* no value: neither common nor varying */
			gm->fv[f] = fstat_add(&g->fs[f], v, strlen(v));
		free(v);
	}
}

static void
stats_del(struct group *g, struct gmember *gm)
{
	int sc = gm->m.score < 0 ? 0 : gm->m.score > SCORE_MAX ? SCORE_MAX : gm->m.score;

	g->level_n[gm->m.level]--;
	g->score_n[sc]--;
	for (int f = 0; f < F_COUNT; f++) {
		fstat_del(&g->fs[f], gm->fv[f]);
		gm->fv[f] = NULL;
	}
}

int
group_max_score(const struct group *g)
{
	for (int s = SCORE_MAX; s >= 0; s--)
		if (g->score_n[s] > 0)
			return s;
	return -1;
}

enum rule_level
group_max_level(const struct group *g)
{
	for (int l = RL_CRITICAL; l > RL_LOW; l--)
		if (g->level_n[l] > 0)
			return (enum rule_level)l;
	return RL_LOW;
}

int64_t
group_oldest_ms(const struct group *g)
{
	return ranked_min(&g->members);
}

/* ---- the session's index of pending requests ---- */

struct kctx {
	struct gsess *s;
	struct gmember *gm;
	bool oom;
};

static void
bucket_free(struct gsess *s, struct mbucket *b)
{
	table_del(s->buckets, b->key, b->klen);
	if (b->prev != NULL)
		b->prev->next = b->next;
	else
		s->bhead = b->next;
	if (b->next != NULL)
		b->next->prev = b->prev;
	free(b->v);
	free(b->key);
	free(b);
}

/* v with its capacity doubled (4 at first), *cap updated; NULL when out
 * of memory (v and *cap unchanged). */
static void *
grow(void *v, size_t *cap, size_t elem)
{
	size_t n = *cap ? *cap * 2 : 4;
	void *p = realloc(v, n * elem);

	if (p != NULL)
		*cap = n;
	return p;
}

static bool
index_key(void *arg, const char *key, size_t n)
{
	struct kctx *c = arg;
	struct gmember *gm = c->gm;
	struct mbucket *b = table_get(c->s->buckets, key, n);

	if (b == NULL) {
		if ((b = calloc(1, sizeof *b)) == NULL || (b->key = malloc(n)) == NULL) {
			free(b);
			c->oom = true;
			return false;
		}
		memcpy(b->key, key, n);
		b->klen = n;
		if (table_put(c->s->buckets, b->key, n, b) < 0) {
			free(b->key);
			free(b);
			c->oom = true;
			return false;
		}
		b->next = c->s->bhead;
		if (b->next != NULL)
			b->next->prev = b;
		c->s->bhead = b;
	}
	if (b->n > 0 && b->v[b->n - 1].m == gm)
		return true; /* another part of this request, same key */
	if (b->n == b->cap) {
		struct mentry *v = grow(b->v, &b->cap, sizeof *v);

		if (v == NULL)
			return c->oom = true, false;
		b->v = v;
	}
	if (gm->nrefs == gm->caprefs) {
		struct mref *r = grow(gm->refs, &gm->caprefs, sizeof *r);

		if (r == NULL)
			return c->oom = true, false;
		gm->refs = r;
	}
	b->v[b->n] = (struct mentry){ gm, gm->nrefs };
	gm->refs[gm->nrefs++] = (struct mref){ b, b->n };
	b->n++;
	return true;
}

static void
index_remove(struct gsess *s, struct gmember *gm)
{
	while (gm->nrefs > 0) {
		struct mref r = gm->refs[--gm->nrefs];
		struct mbucket *b = r.b;

		if (r.pos != b->n - 1) {
			b->v[r.pos] = b->v[b->n - 1];
			b->v[r.pos].m->refs[b->v[r.pos].ref].pos = r.pos;
		}
		if (--b->n == 0)
			bucket_free(s, b);
	}
}

static int
index_add(struct gsess *s, struct gmember *gm)
{
	struct kctx c = { s, gm, false };
	const struct subject *subj = gm->m.subj;

	for (size_t k = 0; k < subj->nparts && !c.oom; k++)
		ruleindex_part_keys(subj, &subj->parts[k], index_key, &c);
	if (c.oom) {
		index_remove(s, gm);
		return -1;
	}
	return 0;
}

/* ---- sessions ---- */

static struct gsess *
sess_get(groups *gs, const char *name)
{
	size_t n = strlen(name);
	struct gsess *s = table_get(gs->sessions, name, n);

	if (s != NULL)
		return s;
	if ((s = calloc(1, sizeof *s)) == NULL || (s->name = strdup(name)) == NULL ||
	    (s->buckets = table_new()) == NULL || (s->pix = ruleindex_new()) == NULL ||
	    (s->priced = table_new()) == NULL || table_put(gs->sessions, s->name, n, s) < 0) {
		if (s != NULL) {
			table_free(s->buckets);
			ruleindex_free(s->pix);
			table_free(s->priced);
			free(s->name);
		}
		free(s);
		return NULL;
	}
	return s;
}

static void
sess_free(struct gsess *s)
{
	while (s->bhead != NULL)
		bucket_free(s, s->bhead);
	table_free(s->buckets);
	ruleindex_free(s->pix);
	table_free(s->priced);
	free(s->name);
	free(s);
}

static void
sess_put(groups *gs, struct gsess *s)
{
	if (--s->ngroups > 0)
		return;
	table_del(gs->sessions, s->name, strlen(s->name));
	sess_free(s);
}

/* ---- pricing ---- */

static unsigned
price_flags(const groups *gs, const struct priced *P, const struct group_member *m, int64_t now)
{
	struct rule_ctx c = { .session = m->session, .agent = m->agent, .workspace = m->subj->workspace,
	                      .level = m->level, .no_allow = m->no_allow, .now_ms = now };
	struct rule_verdict v;
	bool matched = false;
	unsigned f = 0;

	/* a pattern that matches no part can neither release the request nor
	 * warn about it: the cheap check first (a bucket holds many of those) */
	for (size_t k = 0; k < m->subj->nparts && !matched; k++)
		matched = rule_matches_part(P->r, m->subj, k);
	if (!matched)
		return 0;
	if (m->level >= RL_HIGH)
		f |= PF_HIGH;
	if (ruleset_eval(gs->rs, m->subj, &c, P->r, &v) == 0 && v.v == VERDICT_ALLOW && v.extra_used)
		f |= PF_COVERS;
	return f;
}

/* Count gm in P (once: a request already counted is left alone). */
static void
price_member(const groups *gs, struct priced *P, const struct gmember *gm, int64_t now)
{
	const void *req = gm->m.req;
	unsigned f;

	if (P->gen != gs->rules_gen || table_get(P->flags, &req, sizeof req) != NULL)
		return;
	f = price_flags(gs, P, &gm->m, now);
	if (f != 0 && table_put(P->flags, &req, sizeof req, (void *)(uintptr_t)f) == 0) {
		P->covers += (f & PF_COVERS) != 0;
		P->nhigh += (f & PF_HIGH) != 0;
	}
}

static void
unprice_member(struct priced *P, const void *req)
{
	unsigned f = (unsigned)(uintptr_t)table_del(P->flags, &req, sizeof req);

	P->covers -= (f & PF_COVERS) != 0;
	P->nhigh -= (f & PF_HIGH) != 0;
}

struct pctx {
	const groups *gs;
	const struct gmember *gm;
	uint64_t stamp;
	int64_t now;
	bool leave;
};

static bool
touch_cb(void *arg, void *item)
{
	struct pctx *c = arg;
	struct priced *P = item;

	if (P->stamp == c->stamp)
		return true; /* seen through another part */
	P->stamp = c->stamp;
	if (c->leave)
		unprice_member(P, c->gm->m.req);
	else
		price_member(c->gs, P, c->gm, c->now);
	return true;
}

/* gm joined or is leaving its session: update the patterns that may
 * match one of its parts. */
static void
price_touch(groups *gs, const struct gmember *gm, bool leave)
{
	const struct subject *subj = gm->m.subj;
	struct pctx c = { gs, gm, ++gs->stamp, wall_clock_ms(), leave };

	for (size_t k = 0; k < subj->nparts; k++)
		ruleindex_candidates(gm->g->sess->pix, subj, &subj->parts[k], touch_cb, &c);
}

static void
mark_dirty(groups *gs, struct group *g)
{
	gs->version++;
	if (g->dirty)
		return;
	g->dirty = true;
	g->dprev = NULL;
	g->dnext = gs->dhead;
	if (gs->dhead != NULL)
		gs->dhead->dprev = g;
	gs->dhead = g;
	gs->ndirty++;
}

static void
enqueue(groups *gs, struct priced *P)
{
	if (P->queued)
		return;
	P->queued = true;
	P->qnext = NULL;
	P->qprev = gs->qtail;
	if (gs->qtail != NULL)
		gs->qtail->qnext = P;
	else
		gs->qhead = P;
	gs->qtail = P;
}

static void
dequeue(groups *gs, struct priced *P)
{
	if (!P->queued)
		return;
	P->queued = false;
	if (P->qprev != NULL)
		P->qprev->qnext = P->qnext;
	else
		gs->qhead = P->qnext;
	if (P->qnext != NULL)
		P->qnext->qprev = P->qprev;
	else
		gs->qtail = P->qprev;
}

/* Price P afresh: forget its counts and list the requests its bucket
 * holds (priced by price_steps). */
static void
priced_restart(groups *gs, struct priced *P)
{
	struct mbucket *b = table_get(P->s->buckets, P->bkey, P->bklen);
	table *fresh = table_new();

	if (fresh != NULL) {
		table_free(P->flags);
		P->flags = fresh;
	} else { /* out of memory: empty the old one */
		for (struct mbucket *x = P->s->bhead; x != NULL; x = x->next)
			for (size_t i = 0; i < x->n; i++)
				table_del(P->flags, &x->v[i].m->m.req, sizeof(void *));
	}
	P->covers = P->nhigh = 0;
	P->gen = gs->rules_gen;
	free(P->scan);
	P->scan = NULL;
	P->nscan = P->at = 0;
	if (b != NULL && b->n > 0 && (P->scan = malloc(b->n * sizeof *P->scan)) != NULL) {
		for (size_t i = 0; i < b->n; i++)
			P->scan[i] = b->v[i].m->m.req;
		P->nscan = b->n;
	}
	if (P->nscan == 0) { /* nothing to price: done already */
		for (size_t i = 0; i < P->nusers; i++)
			mark_dirty(gs, P->users[i]);
		return;
	}
	enqueue(gs, P);
}

static bool
priced_done(const groups *gs, const struct priced *P)
{
	return P->gen == gs->rules_gen && P->scan == NULL;
}

/* Price P for at most budget steps; returns the steps spent. */
static size_t
price_steps(groups *gs, struct priced *P, size_t budget, int64_t now)
{
	size_t spent = 0;

	if (priced_done(gs, P) || budget == 0)
		return 0;
	if (P->gen != gs->rules_gen) {
		priced_restart(gs, P);
		spent += 1 + P->nscan / 64;
	}
	while (P->at < P->nscan && spent < budget) {
		void *req = P->scan[P->at++];
		const struct gmember *gm = table_get(gs->by_req, &req, sizeof req);

		spent++;
		if (gm != NULL && gm->g->sess == P->s) { /* still pending, same session */
			price_member(gs, P, gm, now);
			spent += gm->m.subj->nparts;
		}
	}
	if (P->at == P->nscan) {
		free(P->scan);
		P->scan = NULL;
		P->nscan = P->at = 0;
		dequeue(gs, P);
		for (size_t i = 0; i < P->nusers; i++)
			mark_dirty(gs, P->users[i]);
	}
	return spent;
}

bool
groups_price(groups *gs, size_t budget)
{
	int64_t now = wall_clock_ms();
	size_t spent = 0;

	while (gs->qhead != NULL && spent < budget) {
		struct priced *P = gs->qhead;

		spent += price_steps(gs, P, budget - spent, now) + 1;
		if (priced_done(gs, P))
			dequeue(gs, P); /* was done already */
		else if (P == gs->qhead && P->at < P->nscan) {
			/* a big one: let the others take turns */
			dequeue(gs, P);
			enqueue(gs, P);
		}
	}
	return gs->qhead != NULL;
}

bool
groups_pricing(const groups *gs)
{
	return gs->qhead != NULL;
}

void
groups_rules_changed(groups *gs)
{
	gs->rules_gen++;
	for (struct priced *P = gs->ahead; P != NULL; P = P->anext)
		enqueue(gs, P); /* restarted when its turn comes */
}

/* The priced pattern r (ceiling level) of session s, made if new; takes r. */
static struct priced *
priced_get(groups *gs, struct gsess *s, enum rule_level ceiling, rule *r)
{
	const char *text = rule_text(r);
	size_t tl = strlen(text);
	char *key = malloc(tl + 2), bkey[RULEINDEX_KEY_MAX];
	struct priced *P;

	if (key == NULL) {
		rule_free(r);
		return NULL;
	}
	key[0] = (char)('0' + ceiling);
	memcpy(key + 1, text, tl + 1);
	if ((P = table_get(s->priced, key, tl + 1)) != NULL) {
		free(key);
		rule_free(r);
		return P;
	}
	if ((P = calloc(1, sizeof *P)) == NULL || (P->flags = table_new()) == NULL) {
		free(P);
		free(key);
		rule_free(r);
		return NULL;
	}
	P->s = s;
	P->key = key;
	P->klen = tl + 1;
	P->r = r;
	P->bklen = ruleindex_pattern_key(rule_pattern(r), bkey);
	if ((P->bkey = malloc(P->bklen)) != NULL)
		memcpy(P->bkey, bkey, P->bklen);
	if (P->bkey == NULL || table_put(s->priced, key, P->klen, P) < 0) {
		table_free(P->flags);
		free(P->bkey);
		free(key);
		rule_free(r);
		free(P);
		return NULL;
	}
	if (ruleindex_add(s->pix, P, rule_pattern(r)) < 0) {
		table_del(s->priced, key, P->klen);
		table_free(P->flags);
		free(P->bkey);
		free(key);
		rule_free(r);
		free(P);
		return NULL;
	}
	P->anext = gs->ahead;
	if (gs->ahead != NULL)
		gs->ahead->aprev = P;
	gs->ahead = P;
	priced_restart(gs, P);
	return P;
}

static void
priced_free(groups *gs, struct priced *P)
{
	dequeue(gs, P);
	if (P->aprev != NULL)
		P->aprev->anext = P->anext;
	else
		gs->ahead = P->anext;
	if (P->anext != NULL)
		P->anext->aprev = P->aprev;
	ruleindex_remove(P->s->pix, P, rule_pattern(P->r));
	table_del(P->s->priced, P->key, P->klen);
	table_free(P->flags);
	free(P->scan);
	free(P->users);
	free(P->key);
	free(P->bkey);
	rule_free(P->r);
	free(P);
}

static int
priced_use(struct priced *P, struct group *g)
{
	if (P->nusers == P->capusers) {
		size_t cap = P->capusers ? P->capusers * 2 : 4;
		struct group **u = realloc(P->users, cap * sizeof *u);

		if (u == NULL)
			return -1;
		P->users = u;
		P->capusers = cap;
	}
	P->users[P->nusers++] = g;
	P->refs++;
	return 0;
}

static void
priced_release(groups *gs, struct priced *P, struct group *g)
{
	for (size_t i = 0; i < P->nusers; i++)
		if (P->users[i] == g) {
			P->users[i] = P->users[--P->nusers];
			break;
		}
	if (--P->refs == 0)
		priced_free(gs, P);
}

/* ---- suggestions per group ---- */

static enum rule_level
suggestion_ceiling(const struct group *g)
{
	enum rule_level l = group_max_level(g);

	return l > RL_HIGH ? RL_HIGH : l;
}

/* Make g's suggestions if its membership changed since they were made. */
static void
ensure_sugg(groups *gs, struct group *g)
{
	char *cand[GROUP_MAX_SUGGESTIONS + 2] = { 0 };
	struct priced *fresh[GROUP_MAX_SUGGESTIONS];
	enum rule_level ceiling = suggestion_ceiling(g);
	struct mview v = { NULL, 0 };
	size_t nc, nf = 0;

	if (g->sugg_ok)
		return;
	if ((v.m = malloc(ranked_size(&g->members) * sizeof *v.m)) == NULL)
		return; /* keep the old ones; try again next time */
	for (struct rnode *n = ranked_first(&g->members); n != NULL; n = ranked_next(n))
		v.m[v.n++] = &GM(n)->m;
	nc = v.n > 0 ? candidates(&v, cand) : 0;
	suggest_info_scan(&g->sinfo, v.m, v.n);
	for (size_t c = 0; c < nc; c++) {
		char err[256];
		struct rule_spec spec = { .effect = RULE_ALLOW, .pattern = cand[c], .scope = SCOPE_SESSION,
		                          .scope_value = g->sess->name, .max_level = ceiling };
		rule *r = nf < GROUP_MAX_SUGGESTIONS && cand[c] != NULL ? rule_new(&spec, err, sizeof err) : NULL;
		bool ok = r != NULL;
		struct priced *P;

		for (size_t i = 0; ok && i < v.n; i++)
			ok = rule_matches_part(r, v.m[i]->subj, v.m[i]->key_part);
		for (size_t k = 0; ok && k < nf; k++)
			ok = strcmp(rule_text(fresh[k]->r), rule_text(r)) != 0;
		if (ok && (P = priced_get(gs, g->sess, ceiling, r)) != NULL && priced_use(P, g) == 0)
			fresh[nf++] = P;
		else if (!ok)
			rule_free(r);
		free(cand[c]);
	}
	free(v.m);
	for (size_t k = 0; k < g->nsugg; k++)
		priced_release(gs, g->sugg[k], g);
	memcpy(g->sugg, fresh, nf * sizeof fresh[0]);
	g->nsugg = nf;
	g->sugg_ok = true;
}

/* ---- does a suggestion answer every part? ---- */

/* One part of s as a person reads it ("sh", "> /etc/x", "net x.org"). */
static char *
part_words(const struct subject *s, size_t k)
{
	const struct subj_part *p = &s->parts[k];
	struct strbuf b = { 0 };
	char port[16], *out;

	switch (p->kind) {
	case SK_EXEC:
		for (size_t w = 0; w < p->nwords; w++) {
			if (w > 0)
				strbuf_putc(&b, ' ');
			strbuf_puts(&b, p->words[w].text);
		}
		break;
	case SK_WRITE: case SK_EDIT: case SK_READ: case SK_DELETE:
		strbuf_puts(&b, subject_kind_name(p->kind));
		strbuf_putc(&b, ' ');
		strbuf_puts(&b, p->path != NULL ? p->path : "(a file named at run time)");
		break;
	case SK_NET:
		strbuf_puts(&b, "net ");
		strbuf_puts(&b, p->host != NULL ? p->host : "?");
		snprintf(port, sizeof port, ":%d", p->port);
		strbuf_puts(&b, port);
		break;
	default:
		strbuf_puts(&b, p->tool != NULL ? p->tool : "?");
		break;
	}
	if (b.p == NULL)
		return strbuf_take(&b);
	out = text_squeeze(b.p, b.n, 256);
	free(b.p);
	return out;
}

/* For each suggestion of g: would it, saved as an allow rule next to the
 * rules in force, answer every part of every member?  A pattern is about
 * one part: `exec curl *` does not answer `curl x | sh`, whose `sh` still
 * needs a person; such a suggestion is not whole and names that part. */
static void
ensure_whole(groups *gs, struct group *g)
{
	int64_t now = wall_clock_ms();
	enum rule_level ceiling = suggestion_ceiling(g);

	if (g->whole_ok && g->whole_gen == gs->rules_gen)
		return;
	for (size_t k = 0; k < GROUP_MAX_SUGGESTIONS; k++) {
		free(g->leaves[k]);
		g->leaves[k] = NULL;
		g->whole[k] = k < g->nsugg;
	}
	for (struct rnode *n = ranked_first(&g->members); n != NULL; n = ranked_next(n)) {
		const struct group_member *m = &GM(n)->m;
		struct rule_ctx c = { .session = m->session, .agent = m->agent, .workspace = m->subj->workspace,
		                      .level = m->level < ceiling ? m->level : ceiling, .now_ms = now };

		if (m->subj->nparts < 2 && !m->subj->unparsed)
			continue; /* one part: the suggestion matches it (ensure_sugg checked) */
		for (size_t k = 0; k < g->nsugg; k++) {
			struct rule_verdict v = { .first_uncovered = SIZE_MAX };
			bool ok;

			if (!g->whole[k])
				continue;
			ok = !m->subj->unparsed && ruleset_eval(gs->rs, m->subj, &c, g->sugg[k]->r, &v) == 0 &&
			    v.v != VERDICT_NONE;
			if (!ok) {
				g->whole[k] = false;
				g->leaves[k] = v.first_uncovered < m->subj->nparts ? part_words(m->subj, v.first_uncovered)
				    : strdup("(a command sandgate could not read)");
			}
		}
	}
	g->whole_ok = true;
	g->whole_gen = gs->rules_gen;
}

static const char *
group_label(struct group *g)
{
	struct mview v = { NULL, 0 };

	if (g->label_ok)
		return g->label;
	free(g->label);
	g->label = NULL;
	if ((v.m = malloc(ranked_size(&g->members) * sizeof *v.m)) == NULL)
		return NULL;
	for (struct rnode *n = ranked_first(&g->members); n != NULL; n = ranked_next(n))
		v.m[v.n++] = &GM(n)->m;
	if (v.n > 0)
		g->label = shape_label(&v);
	free(v.m);
	g->label_ok = true;
	return g->label;
}

size_t
group_suggest(groups *gs, struct group *g, size_t budget, struct group_suggestion out[GROUP_MAX_SUGGESTIONS])
{
	int64_t now = wall_clock_ms();
	size_t n = 0;

	ensure_sugg(gs, g);
	for (size_t k = 0; k < g->nsugg; k++) {
		struct priced *P = g->sugg[k];

		size_t spent = price_steps(gs, P, budget, now);

		budget = spent < budget ? budget - spent : 0;
		memset(&out[n], 0, sizeof out[n]);
		if ((out[n].pattern = strdup(rule_text(P->r))) == NULL)
			continue;
		out[n].scope = SCOPE_SESSION;
		out[n].wide = pattern_is_wide(rule_pattern(P->r));
		out[n].ceiling = suggestion_ceiling(g);
		out[n].covers = (int64_t)P->covers;
		out[n].covers_high = P->nhigh > 0;
		out[n].priced = priced_done(gs, P);
		ensure_whole(gs, g);
		out[n].whole = g->whole[k];
		out[n].leaves = g->leaves[k] != NULL ? strdup(g->leaves[k]) : NULL;
		n++;
	}
	return n;
}

void
group_suggestions_free(struct group_suggestion *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].pattern);
		free(s[i].leaves);
		free(s[i].scope_value);
		free(s[i].reason);
	}
}

size_t
group_offers(groups *gs, struct group *g, size_t budget, struct group_suggestion out[GROUP_MAX_OFFERS])
{
	struct group_suggestion base[GROUP_MAX_SUGGESTIONS];
	size_t nb = group_suggest(gs, g, budget, base), n;
	struct suggest_group sg = {
		.session = g->sess->name, .agent = group_first(g)->agent, .max_level = group_max_level(g),
		.info = &g->sinfo,
	};

	n = suggest_offers(gs->learn, &gs->scfg, &sg, base, nb, out);
	group_suggestions_free(base, nb);
	return n;
}

void
groups_set_learning(groups *gs, const struct learn *L, const struct suggest_cfg *cfg)
{
	gs->learn = L;
	if (cfg != NULL)
		gs->scfg = *cfg;
}

const char *group_run_path(const struct group *g) { return g->sinfo.run_path; }
const char *group_workspace(const struct group *g) { return g->sinfo.workspace; }

/* ---- membership ---- */

static void
reorder(groups *gs, struct group *g, bool in_order)
{
	int score = group_max_score(g);
	int64_t oldest = group_oldest_ms(g);

	if (in_order && score == g->okey_score && oldest == g->okey_oldest)
		return;
	if (in_order)
		ranked_remove(&gs->order, &g->onode);
	g->okey_score = score;
	g->okey_oldest = oldest;
	ranked_insert(&gs->order, &g->onode);
}

static struct group *
group_create(groups *gs, char *key, size_t kl, char *sig, const char *session)
{
	struct group *g = calloc(1, sizeof *g);

	if (g == NULL || (g->sess = sess_get(gs, session)) == NULL) {
		free(g);
		return NULL;
	}
	g->seq = gs->next_id++;
	snprintf(g->id, sizeof g->id, "g%llu", (unsigned long long)g->seq);
	g->key = key;
	g->klen = kl;
	g->sig = sig;
	ranked_init(&g->members, cmp_members);
	if (table_put(gs->by_key, g->key, kl, g) < 0) {
		g->sess->ngroups++;
		sess_put(gs, g->sess);
		free(g);
		return NULL;
	}
	if (table_put(gs->by_id, g->id, strlen(g->id), g) < 0) {
		table_del(gs->by_key, g->key, kl);
		g->sess->ngroups++;
		sess_put(gs, g->sess);
		free(g);
		return NULL;
	}
	g->sess->ngroups++;
	gs->count++;
	return g;
}

/* g has no members left: forget it. */
static void
group_destroy(groups *gs, struct group *g, bool in_order)
{
	for (size_t k = 0; k < g->nsugg; k++)
		priced_release(gs, g->sugg[k], g);
	if (in_order)
		ranked_remove(&gs->order, &g->onode);
	table_del(gs->by_key, g->key, g->klen);
	table_del(gs->by_id, g->id, strlen(g->id));
	if (g->dirty) {
		if (g->dprev != NULL)
			g->dprev->dnext = g->dnext;
		else
			gs->dhead = g->dnext;
		if (g->dnext != NULL)
			g->dnext->dprev = g->dprev;
		gs->ndirty--;
	}
	if (gs->ngone == gs->capgone) {
		size_t cap = gs->capgone ? gs->capgone * 2 : 64;
		char (*v)[24] = cap <= 65536 ? realloc(gs->gone, cap * sizeof *v) : NULL;

		if (v != NULL) {
			gs->gone = v;
			gs->capgone = cap;
		}
	}
	if (gs->ngone < gs->capgone)
		memcpy(gs->gone[gs->ngone++], g->id, sizeof g->id);
	else
		gs->overflow = true;
	for (int f = 0; f < F_COUNT; f++)
		fstat_free(&g->fs[f]);
	suggest_info_free(&g->sinfo);
	sess_put(gs, g->sess);
	gs->count--;
	gs->version++;
	free(g->key);
	free(g->sig);
	free(g->label);
	for (size_t k = 0; k < GROUP_MAX_SUGGESTIONS; k++)
		free(g->leaves[k]);
	free(g);
}

struct group *
groups_add(groups *gs, const struct group_member *m)
{
	char *gkey = NULL, *sig = signature_and_key(m->subj, m->conns, m->key_part, &gkey), *key;
	size_t sl, kl;
	struct group *g;
	struct gmember *gm;
	bool fresh = false;

	if (sig == NULL)
		return NULL;
	sl = strlen(m->session);
	kl = sl + 1 + strlen(gkey);
	if ((key = malloc(kl + 1)) == NULL) {
		free(sig);
		free(gkey);
		return NULL;
	}
	memcpy(key, m->session, sl);
	key[sl] = '\x1f';
	memcpy(key + sl + 1, gkey, strlen(gkey) + 1);
	free(gkey);
	if ((g = table_get(gs->by_key, key, kl)) != NULL) {
		free(key);
		free(sig);
	} else if ((g = group_create(gs, key, kl, sig, m->session)) == NULL) {
		free(key);
		free(sig);
		return NULL;
	} else {
		fresh = true;
	}
	if ((gm = calloc(1, sizeof *gm)) == NULL)
		goto fail;
	gm->m = *m;
	gm->g = g;
	gm->node.val = m->created_ms;
	if (table_put(gs->by_req, &gm->m.req, sizeof gm->m.req, gm) < 0) {
		free(gm);
		goto fail;
	}
	if (index_add(g->sess, gm) < 0) {
		table_del(gs->by_req, &gm->m.req, sizeof gm->m.req);
		free(gm);
		goto fail;
	}
	ranked_insert(&g->members, &gm->node);
	stats_add(g, gm);
	if ((gm->others = m->subj->nparts > 1)) {
		gm->oprev = g->otail;
		if (g->otail != NULL)
			g->otail->onext = gm;
		else
			g->ohead = gm;
		g->otail = gm;
		g->nothers++;
	}
	price_touch(gs, gm, false);
	g->sugg_ok = false;
	g->label_ok = g->whole_ok = false;
	reorder(gs, g, !fresh);
	mark_dirty(gs, g);
	return g;
fail:
	if (fresh)
		group_destroy(gs, g, false);
	return NULL;
}

void
groups_remove(groups *gs, struct group *g, void *req)
{
	struct gmember *gm = table_get(gs->by_req, &req, sizeof req);

	if (gm == NULL || gm->g != g)
		return;
	price_touch(gs, gm, true);
	index_remove(g->sess, gm);
	stats_del(g, gm);
	if (gm->others) {
		if (gm->oprev != NULL)
			gm->oprev->onext = gm->onext;
		else
			g->ohead = gm->onext;
		if (gm->onext != NULL)
			gm->onext->oprev = gm->oprev;
		else
			g->otail = gm->oprev;
		g->nothers--;
	}
	ranked_remove(&g->members, &gm->node);
	table_del(gs->by_req, &req, sizeof req);
	free(gm->refs);
	free(gm);
	if (ranked_size(&g->members) == 0) {
		group_destroy(gs, g, true);
		return;
	}
	g->sugg_ok = false;
	g->label_ok = g->whole_ok = false;
	reorder(gs, g, true);
	mark_dirty(gs, g);
}

void
groups_free(groups *gs)
{
	if (gs == NULL)
		return;
	while (ranked_first(&gs->order) != NULL) {
		struct group *g = GO(ranked_first(&gs->order));

		/* the last removal frees g: count, never look at g after it */
		for (size_t n = ranked_size(&g->members); n > 0; n--)
			groups_remove(gs, g, GM(ranked_first(&g->members))->m.req);
	}
	free(gs->gone);
	table_free(gs->by_key);
	table_free(gs->by_id);
	table_free(gs->by_req);
	table_free(gs->sessions);
	free(gs);
}

struct group *
groups_find(const groups *gs, const char *id)
{
	return id != NULL ? table_get(gs->by_id, id, strlen(id)) : NULL;
}

size_t groups_count(const groups *gs) { return gs->count; }
uint64_t groups_version(const groups *gs) { return gs->version; }
const char *group_id(const struct group *g) { return g->id; }
size_t group_size(const struct group *g) { return ranked_size(&g->members); }
const char *group_session(const struct group *g) { return g->sess->name; }

const struct group_member *
group_member_at(const struct group *g, size_t i)
{
	struct rnode *n = ranked_at(&g->members, i);

	return n != NULL ? &GM(n)->m : NULL;
}

const struct group_member *
group_first(const struct group *g)
{
	struct rnode *n = ranked_first(&g->members);

	return n != NULL ? &GM(n)->m : NULL;
}

const struct group_member *
group_next(const struct group_member *m)
{
	const struct gmember *gm = CONTAINER(m, const struct gmember, m);
	struct rnode *n = ranked_next(&gm->node);

	return n != NULL ? &GM(n)->m : NULL;
}

/* ---- the groups view ---- */

static void
pack_fields(msgpack_packer *pk, const struct group *g)
{
	size_t ncommon = 0, nvaries = 0;

	for (int f = 0; f < F_COUNT; f++) {
		ncommon += g->fs[f].distinct == 1;
		nvaries += g->fs[f].distinct > 1;
	}
	rpc_pack_str(pk, "common");
	msgpack_pack_map(pk, ncommon);
	for (int f = 0; f < F_COUNT; f++)
		if (g->fs[f].distinct == 1)
			rpc_pack_kv_str(pk, field_names[f], g->fs[f].head->text);
	rpc_pack_str(pk, "varies");
	msgpack_pack_array(pk, nvaries);
	for (int f = 0; f < F_COUNT; f++) {
		const struct fval *x;
		size_t shown = 0;

		if (g->fs[f].distinct <= 1)
			continue;
		msgpack_pack_map(pk, 3);
		rpc_pack_kv_str(pk, "field", field_names[f]);
		rpc_pack_str(pk, "values");
		msgpack_pack_array(pk, g->fs[f].distinct < VARIES_SHOWN ? g->fs[f].distinct : VARIES_SHOWN);
		for (x = g->fs[f].head; x != NULL && shown < VARIES_SHOWN; x = x->next, shown++)
			rpc_pack_str(pk, x->text);
		rpc_pack_kv_int(pk, "distinct", (int64_t)g->fs[f].distinct);
	}
}

/* The parts of m other than the one its group is about, as one line:
 * "rm -rf ~ ; > /etc/x" (whitespace collapsed, at most OTHERS_MAX bytes). */
#define OTHERS_MAX 256
static char *
other_parts(const struct group_member *m)
{
	const struct subject *s = m->subj;
	struct strbuf b = { 0 };
	char port[16], *out;

	for (size_t k = 0; k < s->nparts && b.n < 4 * OTHERS_MAX; k++) {
		const struct subj_part *p = &s->parts[k];

		if (k == m->key_part)
			continue;
		if (b.n > 0)
			strbuf_puts(&b, " ; ");
		switch (p->kind) {
		case SK_EXEC:
			for (size_t w = 0; w < p->nwords; w++) {
				if (w > 0)
					strbuf_putc(&b, ' ');
				strbuf_puts(&b, p->words[w].text);
			}
			break;
		case SK_WRITE: case SK_EDIT: case SK_READ: case SK_DELETE:
			/* in a command line, a file part is what a command does to it */
			if (s->kind == SK_EXEC)
				strbuf_puts(&b, p->kind == SK_WRITE ? "writes " : p->kind == SK_DELETE ? "deletes " :
				    p->kind == SK_EDIT ? "edits " : "reads ");
			strbuf_puts(&b, p->path != NULL ? p->path : "(a file named at run time)");
			break;
		case SK_NET:
			strbuf_puts(&b, p->host != NULL ? p->host : "?");
			snprintf(port, sizeof port, ":%d", p->port);
			strbuf_puts(&b, port);
			break;
		case SK_MCP:
			strbuf_puts(&b, p->server != NULL ? p->server : "?");
			strbuf_putc(&b, '.');
			strbuf_puts(&b, p->tool != NULL ? p->tool : "?");
			break;
		default:
			strbuf_puts(&b, p->tool != NULL ? p->tool : "?");
			break;
		}
	}
	if (b.p == NULL)
		return strbuf_take(&b);
	out = text_squeeze(b.p, b.n, OTHERS_MAX);
	free(b.p);
	return out;
}

/* "suggestions": the group's offers (suggest.h, PROTOCOL.md). */
static void
suggest_pack(msgpack_packer *pk, groups *gs, struct group *g)
{
	struct group_suggestion o[GROUP_MAX_OFFERS];
	size_t n = group_offers(gs, g, 0, o);

	rpc_pack_str(pk, "suggestions");
	msgpack_pack_array(pk, n);
	for (size_t i = 0; i < n; i++) {
		const char *val = o[i].scope_value;

		if (val == NULL && o[i].scope == SCOPE_SESSION)
			val = g->sess->name;
		msgpack_pack_map(pk, 14 + (o[i].leaves != NULL));
		rpc_pack_kv_int(pk, "index", (int64_t)i);
		rpc_pack_kv_str(pk, "pattern", o[i].pattern);
		rpc_pack_kv_str(pk, "scope", rule_scope_name(o[i].scope));
		rpc_pack_kv_str(pk, "scope_value", val);
		rpc_pack_str(pk, "ttl");
		if (o[i].ttl_s > 0)
			msgpack_pack_int64(pk, o[i].ttl_s);
		else
			msgpack_pack_nil(pk);
		rpc_pack_kv_str(pk, "max_level", rule_level_name(o[i].ceiling));
		rpc_pack_kv_str(pk, "reason", o[i].reason);
		rpc_pack_kv_bool(pk, "learned", o[i].learned);
		rpc_pack_kv_bool(pk, "pin", o[i].pin);
		rpc_pack_kv_str(pk, "pin_path", o[i].pin ? g->sinfo.run_path : NULL);
		rpc_pack_kv_int(pk, "covers", o[i].covers);
		rpc_pack_kv_bool(pk, "covers_high", o[i].covers_high);
		rpc_pack_kv_bool(pk, "priced", o[i].priced);
		rpc_pack_kv_bool(pk, "whole", o[i].whole);
		if (o[i].leaves != NULL)
			rpc_pack_kv_str(pk, "leaves", o[i].leaves);
	}
	group_suggestions_free(o, n);
}

static void
pack_group(groups *gs, msgpack_packer *pk, struct group *g, const struct groups_page *q, size_t *budget,
    int64_t now)
{
	const struct group_member *m0 = group_first(g);
	const struct subj_part *p0 = key_part(m0);
	size_t n = ranked_size(&g->members);
	size_t from = q->members_offset < 0 ? 0 : (size_t)q->members_offset > n ? n : (size_t)q->members_offset;
	size_t cnt = n - from;
	struct rnode *node;

	if (q->members_max >= 0 && (size_t)q->members_max < cnt)
		cnt = (size_t)q->members_max;
	ensure_sugg(gs, g);
	for (size_t k = 0; k < g->nsugg; k++) {
		size_t spent = price_steps(gs, g->sugg[k], *budget, now);

		*budget = spent < *budget ? *budget - spent : 0;
	}
	ensure_whole(gs, g);
	msgpack_pack_map(pk, 16 + (g->nothers > 0));
	rpc_pack_kv_str(pk, "id", g->id);
	rpc_pack_kv_int(pk, "count", (int64_t)n);
	rpc_pack_kv_str(pk, "session", m0->session);
	rpc_pack_kv_str(pk, "agent", m0->agent);
	rpc_pack_kv_str(pk, "kind", subject_kind_name(p0 != NULL ? p0->kind : m0->subj->kind));
	rpc_pack_kv_str(pk, "signature", g->sig);
	rpc_pack_kv_str(pk, "label", group_label(g) != NULL ? group_label(g) :
	    g->nsugg > 0 && g->whole[0] ? rule_text(g->sugg[0]->r) : g->sig);
	rpc_pack_kv_str(pk, "pattern", g->nsugg > 0 ? rule_text(g->sugg[0]->r) : NULL);
	pack_fields(pk, g);
	rpc_pack_kv_int(pk, "max_score", group_max_score(g));
	rpc_pack_kv_str(pk, "max_level", rule_level_name(group_max_level(g)));
	rpc_pack_kv_int(pk, "oldest_ms", group_oldest_ms(g));
	rpc_pack_str(pk, "members");
	msgpack_pack_array(pk, cnt);
	node = ranked_at(&g->members, from);
	for (size_t i = 0; i < cnt && node != NULL; i++, node = ranked_next(node))
		msgpack_pack_int64(pk, GM(node)->m.id);
	suggest_pack(pk, gs, g);
	rpc_pack_kv_int(pk, "members_next", from + cnt < n ? (int64_t)(from + cnt) : -1);
	if (g->nothers > 0) {
		char *ex = other_parts(&g->ohead->m);

		rpc_pack_str(pk, "others");
		msgpack_pack_map(pk, 3);
		rpc_pack_kv_int(pk, "requests", (int64_t)g->nothers);
		rpc_pack_kv_int(pk, "more", (int64_t)g->ohead->m.subj->nparts - 1);
		rpc_pack_kv_str(pk, "example", ex != NULL ? ex : "");
		free(ex);
	}
}

void
groups_pack_page(groups *gs, msgpack_packer *pk, const struct groups_page *q)
{
	msgpack_sbuffer items;
	msgpack_packer ipk;
	const msgpack_object **gone = NULL;
	size_t n = 0, ngone = 0, gone_bytes = 0, budget = q->price_budget;
	int64_t next = -1, now = wall_clock_ms(), total;

	msgpack_sbuffer_init(&items);
	msgpack_packer_init(&ipk, &items, msgpack_sbuffer_write);
	if (q->ids != NULL) {
		uint32_t nids = q->ids->via.array.size;

		total = nids;
		gone = calloc(nids ? nids : 1, sizeof *gone);
		for (int64_t i = q->offset < 0 ? 0 : q->offset; i < (int64_t)nids; i++) {
			const msgpack_object *o = &q->ids->via.array.ptr[i];
			struct group *g;

			if ((int64_t)n >= q->limit || items.size + gone_bytes >= q->max_bytes) {
				next = i;
				break;
			}
			g = o->type == MSGPACK_OBJECT_STR && o->via.str.size < 24
			    ? table_get(gs->by_id, o->via.str.ptr, o->via.str.size) : NULL;
			if (g != NULL) {
				pack_group(gs, &ipk, g, q, &budget, now);
				n++;
			} else if (gone != NULL) {
				gone[ngone++] = o;
				gone_bytes += 5 + (o->type == MSGPACK_OBJECT_STR ? o->via.str.size : 0);
			}
		}
	} else {
		struct rnode *node = q->offset < 0 ? NULL : ranked_at(&gs->order, (size_t)q->offset);

		total = (int64_t)gs->count;
		for (int64_t i = q->offset; node != NULL; node = ranked_next(node), i++) {
			if ((int64_t)n >= q->limit || items.size >= q->max_bytes) {
				next = i;
				break;
			}
			pack_group(gs, &ipk, GO(node), q, &budget, now);
			n++;
		}
	}
	msgpack_pack_map(pk, 4 + (q->ids != NULL));
	rpc_pack_kv_int(pk, "total", total);
	rpc_pack_kv_int(pk, "next", next);
	rpc_pack_kv_int(pk, "version", (int64_t)gs->version);
	if (q->ids != NULL) {
		rpc_pack_str(pk, "gone");
		msgpack_pack_array(pk, ngone);
		for (size_t i = 0; i < ngone; i++)
			msgpack_pack_object(pk, *gone[i]);
	}
	rpc_pack_str(pk, "groups");
	msgpack_pack_array(pk, n);
	pk->callback(pk->data, items.data, items.size);
	msgpack_sbuffer_destroy(&items);
	free(gone);
}

bool
groups_changed(const groups *gs)
{
	return gs->dhead != NULL || gs->ngone > 0 || gs->overflow;
}

void
groups_pack_changes(groups *gs, msgpack_packer *pk, size_t max_ids)
{
	bool reset = gs->overflow || gs->ndirty + gs->ngone > max_ids;

	msgpack_pack_map(pk, reset ? 2 : 3);
	rpc_pack_kv_int(pk, "version", (int64_t)gs->version);
	if (reset) {
		rpc_pack_kv_bool(pk, "reset", true);
	} else {
		rpc_pack_str(pk, "changed");
		msgpack_pack_array(pk, gs->ndirty);
		for (const struct group *g = gs->dhead; g != NULL; g = g->dnext)
			rpc_pack_str(pk, g->id);
		rpc_pack_str(pk, "removed");
		msgpack_pack_array(pk, gs->ngone);
		for (size_t i = 0; i < gs->ngone; i++)
			rpc_pack_str(pk, gs->gone[i]);
	}
	while (gs->dhead != NULL) {
		struct group *g = gs->dhead;

		gs->dhead = g->dnext;
		g->dirty = false;
		g->dprev = g->dnext = NULL;
	}
	gs->ndirty = 0;
	gs->ngone = 0;
	gs->overflow = false;
}
