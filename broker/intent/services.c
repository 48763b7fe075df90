/* services.c -- remote services and infrastructure by verb: the command words of
 * a CLI listed in tables/services (aws, gcloud, velero, nats, kafka-topics,
 * rabbitmqctl, vault, doppler, ...) carry a verb (delete, get, create, ssh), and
 * the verb says what the command does to the service: destroys (high; critical
 * when it names a whole store, covers everything, or names production), reads
 * (low; a read of stored secrets is high), changes (medium), runs commands
 * (medium).  HTTP clients' DELETE is a remote delete too.
 *
 * Called from the commands-table step (analyze.c): a rule of tables/commands for
 * the actual subcommand wins; the verb replaces the table's "*" fallback rules.
 * The vocabulary and the weights are data (tables/services, tables/rules).
 * Part of the intent walker: see walk.h and intent.h. */
#include "broker/intent/walk.h"

#include <ctype.h>
#include <string.h>

#define SEP(c) ((c) == '-' || (c) == '_' || (c) == ':' || (c) == '.')

struct verdict {
	enum svc_class verb; /* the first verb */
	bool store, secret, scope, prod;
};

static bool
listed(const struct strlist *l, const char *s, size_t n)
{
	for (size_t k = 0; k < l->n; k++)
		if (strlen(l->v[k]) == n && strncasecmp(l->v[k], s, n) == 0)
			return true;
	return false;
}

static const struct svcrow *
lookup(const struct tables *t, enum svc_kind k, const char *s, size_t n)
{
	char low[128];

	if (n == 0 || n >= sizeof low)
		return NULL;
	for (size_t j = 0; j < n; j++)
		low[j] = (char)tolower((unsigned char)s[j]);
	return tables_svc(t, k, low, n);
}

/* A word that names an object, not a command: a path, URL, ARN, key=value,
 * an address, a number. */
static bool
object_word(const struct rword *r)
{
	if (r->n == 0 || (r->f & RW_UNKNOWN) || isdigit((unsigned char)r->s[0]))
		return true;
	for (size_t k = 0; k < r->n; k++)
		if (r->s[k] == '/' || r->s[k] == '=' || r->s[k] == '@' || r->s[k] == ' ')
			return true;
	return false;
}

/* The nouns among the parts of s[0..n). */
static void
nouns_of(const struct tables *t, const struct svcrow *cli, const char *s, size_t n, struct verdict *v)
{
	for (size_t i = 0; i < n;) {
		size_t j = i;
		const struct svcrow *r;

		while (j < n && !SEP(s[j]))
			j++;
		if (j > i) {
			if ((r = lookup(t, SVK_NOUN, s + i, j - i)) != NULL) {
				v->store |= r->cls == SVC_STORE;
				v->secret |= r->cls == SVC_SECRET;
			}
			v->store |= listed(&cli->store, s + i, j - i);
			v->secret |= listed(&cli->secret, s + i, j - i);
		}
		i = j + 1;
	}
}

/* The first verb among the parts of s[0..n), or SVC_NONE. */
static enum svc_class
verb_of(const struct tables *t, const struct svcrow *cli, const char *s, size_t n)
{
	const struct svcrow *r;

	if (listed(&cli->nouns, s, n))
		return SVC_NONE;
	if ((r = lookup(t, SVK_VERB, s, n)) != NULL) /* port-forward */
		return r->cls;
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && !SEP(s[j]))
			j++;
		if (j > i && !listed(&cli->nouns, s + i, j - i) && (r = lookup(t, SVK_VERB, s + i, j - i)) != NULL)
			return r->cls;
		i = j + 1;
	}
	return SVC_NONE;
}

/* Does any part of s[0..n) name production? */
static bool
prod_in(const struct tables *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && (isalnum((unsigned char)s[j]) || (unsigned char)s[j] >= 0x80))
			j++;
		if (j > i && lookup(t, SVK_PROD, s + i, j - i) != NULL)
			return true;
		i = j + 1;
	}
	return false;
}

static bool
wide_object(const struct rword *r)
{
	return (r->n == 1 && r->s[0] == '*') || memmem(r->s, r->n, "_all", 4) != NULL ||
	       (r->n > 0 && r->s[r->n - 1] == '*');
}

static bool
scope_opt(const struct tables *t, const struct opt *o)
{
	if (lookup(t, SVK_SCOPE, o->name, o->nlen) != NULL)
		return true;
	/* a group of short options: -rf */
	if (o->nlen > 2 && o->nlen <= 4 && o->name[0] == '-' && o->name[1] != '-' && o->val == NULL)
		for (size_t k = 1; k < o->nlen; k++) {
			char one[2] = { '-', o->name[k] };

			if (lookup(t, SVK_SCOPE, one, 2) != NULL)
				return true;
		}
	return false;
}

static void
verdict(const struct tables *t, const struct svcrow *cli, const char *prog, const struct args *a, struct verdict *v)
{
	size_t pl = strlen(prog), upto;
	bool verb_seen = false;

	/* the program's own name: kafka-delete-records, kafka-topics */
	if (memchr(prog, '-', pl) != NULL || memchr(prog, '_', pl) != NULL) {
		v->verb = verb_of(t, cli, prog, pl);
		nouns_of(t, cli, prog, pl, v);
		verb_seen = v->verb != SVC_NONE;
	}
	upto = a->npos < (size_t)cli->depth ? a->npos : (size_t)cli->depth;
	for (size_t k = 0; k < upto && !verb_seen; k++) {
		const struct rword *r = a->pos[k];

		if (object_word(r))
			continue;
		nouns_of(t, cli, r->s, r->n, v);
		if ((v->verb = verb_of(t, cli, r->s, r->n)) != SVC_NONE)
			verb_seen = true;
	}
	/* kafka-topics --delete --topic x: a verb as an option */
	for (size_t k = 0; k < a->nopts && !verb_seen; k++) {
		const struct opt *o = &a->opts[k];
		size_t s = o->nlen > 1 && o->name[1] == '-' ? 2 : 1, e = s;

		while (e < o->nlen && !SEP(o->name[e]))
			e++;
		if (e > s && (v->verb = verb_of(t, cli, o->name + s, e - s)) != SVC_NONE) {
			verb_seen = true;
			for (size_t j = 0; j < a->nopts; j++)
				nouns_of(t, cli, a->opts[j].name, a->opts[j].nlen, v);
		}
	}
	for (size_t k = 0; k < a->nopts; k++) {
		v->scope |= scope_opt(t, &a->opts[k]);
		if (a->opts[k].val != NULL)
			v->prod |= prod_in(t, a->opts[k].val->s, a->opts[k].val->n);
	}
	for (size_t k = 0; k < a->npos; k++) {
		v->scope |= k > 0 && wide_object(a->pos[k]);
		v->prod |= prod_in(t, a->pos[k]->s, a->pos[k]->n);
	}
}

static void
fire(struct intent_ctx *x, int ci, const char *rule, enum effect e)
{
	struct intent_cmd *c = wk_cmd_at(x, ci);

	intent_add_effect(x, ci, e);
	intent_signal(x, ci, rule, c->text, c->textlen);
}

/* HTTP DELETE: curl -X DELETE, http DELETE URL, wget --method=DELETE. */
static void
http_method(struct intent_ctx *x, int ci, const struct svcrow *h, const struct args *a)
{
	const struct rword *m = NULL;
	struct rword joined = { 0 };
	bool all = false;

	if (h->method_first && a->npos > 0)
		m = a->pos[0];
	for (size_t k = 0; k < a->nopts && m == NULL; k++)
		if (a->opts[k].val != NULL && listed(&h->method, a->opts[k].name, a->opts[k].nlen))
			m = a->opts[k].val;
	/* curl -XDELETE: the value joined to a short option */
	for (size_t k = 0; k < a->nopts && m == NULL; k++) {
		const struct opt *o = &a->opts[k];

		if (o->nlen > 2 && o->name[1] != '-' && listed(&h->method, o->name, 2)) {
			joined.s = o->name + 2;
			joined.n = o->nlen - 2;
			m = &joined;
		}
	}
	if (m == NULL || m->n != 6 || strncasecmp(m->s, "delete", 6) != 0)
		return;
	for (size_t k = 0; k < a->nall; k++) {
		const struct rword *r = &a->all[k];
		const char *p = memmem(r->s, r->n, "://", 3);
		const char *path = p != NULL ? memchr(p + 3, '/', r->n - (size_t)(p + 3 - r->s)) : NULL;

		if (path == NULL && r->n > 0 && r->s[0] != '-')
			path = memchr(r->s, '/', r->n);
		if (path == NULL)
			continue;
		{
			size_t pn = r->n - (size_t)(path - r->s);

			if (memmem(path, pn, "/_all", 5) != NULL || memchr(path, '*', pn) != NULL ||
			    memmem(path, pn, "%2a", 3) != NULL || memmem(path, pn, "%2A", 3) != NULL)
				all = true;
		}
	}
	fire(x, ci, all ? "http-delete-all" : "http-delete", EFF_CLOUD_DESTROY);
}

bool
wk_services(struct intent_ctx *x, int ci, const char *prog, const struct args *a, size_t first, bool specific,
    bool has_fallback)
{
	const struct tables *t = x->t;
	size_t pl = strlen(prog);
	const struct svcrow *cli, *h;
	struct verdict v = { 0 };
	struct intent_cmd *c;

	(void)first;
	if ((h = tables_svc(t, SVK_HTTP, prog, pl)) != NULL)
		http_method(x, ci, h, a);
	if ((cli = tables_svc(t, SVK_CLI, prog, pl)) == NULL)
		return false;
	verdict(t, cli, prog, a, &v);
	c = wk_cmd_at(x, ci);
	if (specific) {
		/* the commands table knew the subcommand; production names raise its delete */
		uint64_t destroys = (uint64_t)1 << EFF_CLOUD_DESTROY | (uint64_t)1 << EFF_CLUSTER_DESTROY |
		                    (uint64_t)1 << EFF_DB_DESTROY | (uint64_t)1 << EFF_DELETE;

		/* the commands table knew the subcommand; production names and a
		 * scope option (gsutil rm -r) raise its delete */
		if (v.scope && (c->effects & destroys) && !(c->effects & ((uint64_t)1 << EFF_CLUSTER_DESTROY)))
			fire(x, ci, "svc-destroy-all", EFF_CLOUD_DESTROY);
		if (v.prod && (c->effects & destroys))
			fire(x, ci, "svc-destroy-prod", EFF_CLOUD_DESTROY);
		return false;
	}
	switch (v.verb) {
	case SVC_DESTROY:
		fire(x, ci, v.store || v.scope ? "svc-destroy-all" : v.prod ? "svc-destroy-prod" : "svc-destroy",
		    EFF_CLOUD_DESTROY);
		if ((v.store || v.scope) && v.prod)
			fire(x, ci, "svc-destroy-prod", EFF_CLOUD_DESTROY);
		return true;
	case SVC_EXEC:
		fire(x, ci, "svc-exec", EFF_REMOTE_EXEC);
		return true;
	case SVC_WRITE:
		fire(x, ci, "svc-write", EFF_NETWORK);
		return true;
	case SVC_READ:
		if (cli->secrets || v.secret)
			fire(x, ci, "svc-secret", EFF_SECRETS);
		return true;
	case SVC_LIST:
		return true;
	case SVC_NONE:
	case SVC_STORE:
	case SVC_SECRET:
		break;
	}
	/* doppler secrets: a secret manager's secrets without a verb shows them */
	if (cli->secrets && v.secret) {
		fire(x, ci, "svc-secret", EFF_SECRETS);
		return true;
	}
	if (has_fallback)
		return false;
	fire(x, ci, "svc-other", EFF_NETWORK);
	return true;
}
