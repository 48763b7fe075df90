/* provenance.c -- which files a session created (provenance.h). */
#include "broker/provenance.h"
#include "proto/table.h"

#include <stdlib.h>
#include <string.h>

struct pentry {
	char *path;
	size_t len;
	int64_t id;
};

struct psess {
	char *key; /* uid, NUL, session */
	size_t klen;
	table *paths;                     /* path -> struct pentry */
	struct pentry *ring[PROV_PER_SESSION]; /* oldest at head */
	size_t head, n;
	struct psess *prev, *next;        /* least recently noted first */
};

struct prov {
	table *sessions; /* key -> struct psess */
	struct psess *lru_head, *lru_tail;
	size_t npaths;
};

struct prov *
prov_new(void)
{
	struct prov *p = calloc(1, sizeof *p);

	if (p == NULL || (p->sessions = table_new()) == NULL) {
		free(p);
		return NULL;
	}
	return p;
}

static void
sess_free(struct prov *p, struct psess *s)
{
	for (size_t k = 0; k < s->n; k++) {
		struct pentry *e = s->ring[(s->head + k) % PROV_PER_SESSION];

		free(e->path);
		free(e);
	}
	p->npaths -= s->n;
	table_free(s->paths);
	free(s->key);
	free(s);
}

static void
lru_unlink(struct prov *p, struct psess *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		p->lru_head = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	else
		p->lru_tail = s->prev;
	s->prev = s->next = NULL;
}

static void
lru_push(struct prov *p, struct psess *s)
{
	s->prev = p->lru_tail;
	s->next = NULL;
	if (p->lru_tail != NULL)
		p->lru_tail->next = s;
	else
		p->lru_head = s;
	p->lru_tail = s;
}

void
prov_free(struct prov *p)
{
	if (p == NULL)
		return;
	while (p->lru_head != NULL) {
		struct psess *s = p->lru_head;

		lru_unlink(p, s);
		sess_free(p, s);
	}
	table_free(p->sessions);
	free(p);
}

/* uid, NUL, session: the key of a session (another uid's session of the same
 * name is another session). */
static char *
make_key(uid_t uid, const char *session, size_t *klen)
{
	size_t sl = strlen(session);
	char *k = malloc(sizeof uid + 1 + sl);

	if (k == NULL)
		return NULL;
	memcpy(k, &uid, sizeof uid);
	k[sizeof uid] = '\0';
	memcpy(k + sizeof uid + 1, session, sl);
	*klen = sizeof uid + 1 + sl;
	return k;
}

int
prov_note(struct prov *p, uid_t uid, const char *session, const char *path, int64_t id)
{
	size_t klen, len = strlen(path);
	char *key;
	struct psess *s;
	struct pentry *e;

	if (p == NULL || session == NULL || len == 0 || len > PROV_PATH_MAX || path[0] != '/' || id <= 0)
		return 0;
	if ((key = make_key(uid, session, &klen)) == NULL)
		return -1;
	s = table_get(p->sessions, key, klen);
	if (s == NULL) {
		if (table_count(p->sessions) >= PROV_SESSIONS && p->lru_head != NULL) {
			struct psess *old = p->lru_head;

			lru_unlink(p, old);
			table_del(p->sessions, old->key, old->klen);
			sess_free(p, old);
		}
		if ((s = calloc(1, sizeof *s)) == NULL || (s->paths = table_new()) == NULL ||
		    table_put(p->sessions, key, klen, s) < 0) {
			if (s != NULL)
				table_free(s->paths);
			free(s);
			free(key);
			return -1;
		}
		s->key = key;
		s->klen = klen;
		lru_push(p, s);
	} else {
		free(key);
		lru_unlink(p, s);
		lru_push(p, s);
	}
	if (table_get(s->paths, path, len) != NULL)
		return 0; /* the first creation is the one a reason names */
	if ((e = malloc(sizeof *e)) == NULL || (e->path = strdup(path)) == NULL) {
		free(e);
		return -1;
	}
	e->len = len;
	e->id = id;
	if (table_put(s->paths, e->path, len, e) < 0) {
		free(e->path);
		free(e);
		return -1;
	}
	if (s->n == PROV_PER_SESSION) {
		struct pentry *old = s->ring[s->head];

		table_del(s->paths, old->path, old->len);
		free(old->path);
		free(old);
		s->head = (s->head + 1) % PROV_PER_SESSION;
		s->n--;
		p->npaths--;
	}
	s->ring[(s->head + s->n) % PROV_PER_SESSION] = e;
	s->n++;
	p->npaths++;
	return 0;
}

int64_t
prov_lookup(const struct prov *p, uid_t uid, const char *session, const char *path, size_t len)
{
	size_t klen;
	char *key;
	struct psess *s;
	struct pentry *e;

	if (p == NULL || session == NULL || len == 0 || len > PROV_PATH_MAX)
		return 0;
	if ((key = make_key(uid, session, &klen)) == NULL)
		return 0;
	s = table_get(p->sessions, key, klen);
	free(key);
	if (s == NULL || (e = table_get(s->paths, path, len)) == NULL)
		return 0;
	return e->id;
}

size_t
prov_count(const struct prov *p)
{
	return p != NULL ? p->npaths : 0;
}

size_t
prov_sessions(const struct prov *p)
{
	return p != NULL ? table_count(p->sessions) : 0;
}
