/* ruleindex.c -- rule buckets keyed by kind and literal leading words. */
#include "broker/rules/ruleindex.h"
#include "proto/table.h"

#include <stdlib.h>
#include <string.h>

struct bucket {
	void **v;
	size_t n, cap;
	struct bucket *next; /* every bucket, for freeing; empty ones are kept */
};

struct ruleindex {
	table *buckets;
	struct bucket *all;
};

#define KEY_MAX RULEINDEX_KEY_MAX

/* Key bytes: a tag byte, then NUL-separated fields.  "*" marks a wildcard
 * slot; literal fields are prefixed with '=' so no literal can collide. */
static size_t
make_key(char *buf, char tag, const char *a, const char *b, const char *c)
{
	const char *f[3] = { a, b, c };
	size_t n = 0;

	buf[n++] = tag;
	for (int i = 0; i < 3 && f[i] != NULL; i++) {
		size_t len = strlen(f[i]);

		if (n + len + 3 > KEY_MAX)
			return 0;
		buf[n++] = '\0';
		memcpy(buf + n, f[i], len);
		n += len;
	}
	return n;
}

/* A literal slot ("=x") or the wildcard slot ("*"), in tmp. */
static const char *
slot(char *tmp, size_t cap, const char *lit)
{
	size_t n;

	if (lit == NULL)
		return "*";
	n = strlen(lit);
	if (n + 2 > cap)
		return NULL;
	tmp[0] = '=';
	memcpy(tmp + 1, lit, n + 1);
	return tmp;
}

static const char *const anchor_names[] = { "abs", "ws", "home" };

/* The bucket key a pattern goes in; 0 if a field is too long (then it goes
 * in the kind's wildcard bucket). */
static size_t
pattern_bucket(char *key, const pattern *p)
{
	char t1[KEY_MAX], t2[KEY_MAX], kind[2] = { (char)('0' + pattern_kind(p)), 0 };
	const char *k1 = slot(t1, sizeof t1, pattern_key1(p));
	const char *k2 = slot(t2, sizeof t2, pattern_key2(p));
	size_t n = 0;

	switch (pattern_kind(p)) {
	case SK_EXEC:
		if (k1 != NULL && k2 != NULL)
			n = make_key(key, 'x', k1, k1[0] == '*' ? NULL : k2, NULL);
		return n ? n : make_key(key, 'x', "*", NULL, NULL);
	case SK_WRITE: case SK_EDIT: case SK_READ: case SK_DELETE:
		if (k1 != NULL && k1[0] != '*' && pattern_anchor(p) >= 0)
			n = make_key(key, 'f', kind, anchor_names[pattern_anchor(p)], k1);
		return n ? n : make_key(key, 'f', kind, "*", NULL);
	default:
		if (k1 != NULL)
			n = make_key(key, 'k', kind, k1, NULL);
		return n ? n : make_key(key, 'k', kind, "*", NULL);
	}
}

ruleindex *
ruleindex_new(void)
{
	ruleindex *ix = calloc(1, sizeof *ix);

	if (ix == NULL || (ix->buckets = table_new()) == NULL) {
		free(ix);
		return NULL;
	}
	return ix;
}

static struct bucket *
get_bucket(const ruleindex *ix, const char *key, size_t n)
{
	return n == 0 ? NULL : table_get(ix->buckets, key, n);
}

int
ruleindex_add(ruleindex *ix, void *item, const pattern *p)
{
	char key[KEY_MAX];
	size_t n = pattern_bucket(key, p);
	struct bucket *b = get_bucket(ix, key, n);

	if (n == 0)
		return -1;
	if (b == NULL) {
		if ((b = calloc(1, sizeof *b)) == NULL)
			return -1;
		if (table_put(ix->buckets, key, n, b) < 0) {
			free(b);
			return -1;
		}
		b->next = ix->all;
		ix->all = b;
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4;
		void **nv = realloc(b->v, cap * sizeof *nv);

		if (nv == NULL)
			return -1;
		b->v = nv;
		b->cap = cap;
	}
	b->v[b->n++] = item;
	return 0;
}

void
ruleindex_remove(ruleindex *ix, void *item, const pattern *p)
{
	char key[KEY_MAX];
	size_t n = pattern_bucket(key, p);
	struct bucket *b = get_bucket(ix, key, n);

	if (b == NULL)
		return;
	for (size_t i = 0; i < b->n; i++) {
		if (b->v[i] == item) {
			b->v[i] = b->v[--b->n];
			break;
		}
	}
}

/* A bucket key for ruleindex_part_keys; false if fn asked to stop.  A key
 * too long to build (n == 0) is skipped: such a part is still found under
 * the kind's wildcard key, which is always short. */
static bool
emit(ruleindex_key_fn *fn, void *arg, const char *key, size_t n)
{
	return n == 0 || fn(arg, key, n);
}

/* First component of path below dir ("" if path is dir), into buf. */
static const char *
first_comp_below(char *buf, size_t cap, const char *path, const char *dir)
{
	size_t dn, n;
	const char *rest;

	if (dir == NULL || path == NULL || !subject_path_within(path, dir))
		return NULL;
	dn = strcmp(dir, "/") == 0 ? 0 : strlen(dir);
	rest = path + dn;
	while (*rest == '/')
		rest++;
	n = strcspn(rest, "/");
	if (n + 2 > cap)
		return NULL;
	buf[0] = '=';
	memcpy(buf + 1, rest, n);
	buf[n + 1] = '\0';
	return buf;
}

static bool
file_keys(const struct subject *s, int pk, const char *path, ruleindex_key_fn *fn, void *arg)
{
	char key[KEY_MAX], comp[KEY_MAX], kind[2] = { (char)('0' + pk), 0 };
	const char *dirs[3] = { "/", s->workspace, s->home };
	const char *c;

	for (int a = 0; a < 3; a++) {
		if ((c = first_comp_below(comp, sizeof comp, path, dirs[a])) == NULL || c[1] == '\0')
			continue;
		if (!emit(fn, arg, key, make_key(key, 'f', kind, anchor_names[a], c)))
			return false;
	}
	return emit(fn, arg, key, make_key(key, 'f', kind, "*", NULL));
}

/* The last two labels of host, '='-prefixed, in buf. */
static const char *
host_slot(char *buf, size_t cap, const char *host)
{
	const char *p = host + strlen(host);
	int dots = 0;

	while (p > host) {
		if (p[-1] == '.' && ++dots == 2)
			break;
		p--;
	}
	return slot(buf, cap, p);
}

void
ruleindex_part_keys(const struct subject *s, const struct subj_part *part, ruleindex_key_fn *fn,
    void *arg)
{
	char key[KEY_MAX], t1[KEY_MAX], t2[KEY_MAX], kind[2] = { (char)('0' + part->kind), 0 };
	const char *k1, *k2;

	switch (part->kind) {
	case SK_EXEC:
		if (part->program != NULL && (k1 = slot(t1, sizeof t1, part->program)) != NULL) {
			if (part->nwords > 1 && !part->words[1].dynamic &&
			    (k2 = slot(t2, sizeof t2, part->words[1].text)) != NULL &&
			    !emit(fn, arg, key, make_key(key, 'x', k1, k2, NULL)))
				return;
			if (!emit(fn, arg, key, make_key(key, 'x', k1, "*", NULL)))
				return;
		}
		emit(fn, arg, key, make_key(key, 'x', "*", NULL, NULL));
		return;
	case SK_WRITE: case SK_READ: case SK_DELETE:
		file_keys(s, part->kind, part->path, fn, arg);
		return;
	case SK_EDIT:
		if (file_keys(s, SK_EDIT, part->path, fn, arg))
			file_keys(s, SK_WRITE, part->path, fn, arg);
		return;
	case SK_NET:
		k1 = part->host != NULL ? host_slot(t1, sizeof t1, part->host) : NULL;
		break;
	case SK_MCP:
		k1 = part->server != NULL ? slot(t1, sizeof t1, part->server) : NULL;
		break;
	case SK_OTHER:
		k1 = part->tool != NULL ? slot(t1, sizeof t1, part->tool) : NULL;
		break;
	default:
		return;
	}
	if (k1 != NULL && k1[0] == '=' && !emit(fn, arg, key, make_key(key, 'k', kind, k1, NULL)))
		return;
	emit(fn, arg, key, make_key(key, 'k', kind, "*", NULL));
}

size_t
ruleindex_pattern_key(const pattern *p, char *key)
{
	return pattern_bucket(key, p);
}

struct visit_arg {
	const ruleindex *ix;
	ruleindex_fn *fn;
	void *arg;
};

/* Visit one bucket; false if fn asked to stop. */
static bool
visit_key(void *arg, const char *key, size_t n)
{
	struct visit_arg *v = arg;
	struct bucket *b = get_bucket(v->ix, key, n);

	for (size_t i = 0; b != NULL && i < b->n; i++)
		if (!v->fn(v->arg, b->v[i]))
			return false;
	return true;
}

void
ruleindex_candidates(const ruleindex *ix, const struct subject *s,
    const struct subj_part *part, ruleindex_fn *fn, void *arg)
{
	struct visit_arg v = { ix, fn, arg };

	ruleindex_part_keys(s, part, visit_key, &v);
}

void
ruleindex_free(ruleindex *ix)
{
	if (ix == NULL)
		return;
	for (struct bucket *b = ix->all, *next; b != NULL; b = next) {
		next = b->next;
		free(b->v);
		free(b);
	}
	table_free(ix->buckets);
	free(ix);
}
