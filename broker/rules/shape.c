/* shape.c -- the connectors between the commands of a shell line (shape.h). */
#include "broker/rules/shape.h"
#include "broker/intent/arena.h"
#include "broker/intent/shell.h"

#include <stdlib.h>
#include <string.h>

#define SHAPE_DEPTH 32

struct walk {
	char *out;
	size_t cap, n;   /* simple commands seen */
	char pending;    /* the connector before the next command */
	bool over;       /* more commands than nexec, or too deep */
	arena *a;
};

static void walk_list(struct walk *w, const struct sh_list *l, int depth);

static const char *const shells[] = { "sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "fish" };

/* The literal text of a word (quotes removed) in a, or NULL when part of
 * it is known only at run time. */
static char *
literal(arena *a, const struct sh_word *wd)
{
	size_t n = 0;
	char *v;

	for (size_t i = 0; i < wd->nsegs; i++) {
		if (wd->segs[i].kind != SH_SEG_LIT)
			return NULL;
		n += wd->segs[i].n;
	}
	if ((v = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	n = 0;
	for (size_t i = 0; i < wd->nsegs; i++) {
		memcpy(v + n, wd->segs[i].s, wd->segs[i].n);
		n += wd->segs[i].n;
	}
	v[n] = '\0';
	return v;
}

/* `sh -c 'a | b'`: the script the shell runs, parsed (its commands are
 * the parts, as in the subject: subject.c shell_with_script); NULL when
 * nd is not such a shell. */
static const struct sh_list *
shell_script(struct walk *w, const struct sh_node *nd)
{
	const char *prog;
	bool is_shell = false;

	if (nd->nwords < 3 || (prog = literal(w->a, &nd->words[0])) == NULL)
		return NULL;
	if (strrchr(prog, '/') != NULL)
		prog = strrchr(prog, '/') + 1;
	for (size_t i = 0; i < sizeof shells / sizeof shells[0]; i++)
		is_shell |= strcmp(prog, shells[i]) == 0;
	for (size_t i = 1; is_shell && i + 1 < nd->nwords; i++) {
		const char *f = literal(w->a, &nd->words[i]), *body;
		const struct sh_script *sc;

		if (f == NULL || f[0] != '-' || f[1] == '-' || f[1] == '\0')
			return NULL;
		if (strchr(f, 'c') == NULL)
			continue;
		if ((body = literal(w->a, &nd->words[i + 1])) == NULL ||
		    (sc = sh_parse(w->a, body, strlen(body))) == NULL || sc->nbad > 0)
			return NULL;
		return sc->list;
	}
	return NULL;
}

static void
walk_node(struct walk *w, const struct sh_node *nd, int depth)
{
	if (nd->kind == SH_SIMPLE) {
		const struct sh_list *body;

		if (nd->nwords == 0)
			return; /* an assignment or a redirection alone runs no program */
		if (depth < SHAPE_DEPTH && (body = shell_script(w, nd)) != NULL) {
			walk_list(w, body, depth + 1);
			return;
		}
		if (w->n > 0) {
			if (w->n - 1 >= w->cap) {
				w->over = true;
				return;
			}
			w->out[w->n - 1] = w->pending;
		}
		w->n++;
		return;
	}
	for (size_t j = 0; j < nd->nlists && !w->over; j++)
		walk_list(w, nd->lists[j], depth + 1);
}

static char
conn_code(enum sh_conn c)
{
	switch (c) {
	case SH_CONN_BG: return SHAPE_BG;
	case SH_CONN_AND: return SHAPE_AND;
	case SH_CONN_OR: return SHAPE_OR;
	default: return SHAPE_SEQ;
	}
}

static void
walk_list(struct walk *w, const struct sh_list *l, int depth)
{
	if (l == NULL)
		return;
	if (depth > SHAPE_DEPTH) {
		w->over = true;
		return;
	}
	for (size_t i = 0; i < l->nitems && !w->over; i++) {
		const struct sh_pipeline *pl = l->items[i].pl;

		for (size_t k = 0; pl != NULL && k < pl->ncmds && !w->over; k++) {
			if (k > 0)
				w->pending = SHAPE_PIPE;
			walk_node(w, pl->cmds[k], depth);
		}
		w->pending = conn_code(l->items[i].conn);
	}
}

char *
shape_connectors(const char *cmd, size_t n, size_t nexec)
{
	struct walk w = { 0 };
	const struct sh_script *sc;
	arena *a;

	if (nexec < 2 || (w.out = malloc(nexec)) == NULL)
		return NULL;
	w.cap = nexec - 1;
	memset(w.out, SHAPE_UNKNOWN, w.cap);
	w.out[w.cap] = '\0';
	w.pending = SHAPE_SEQ;
	if (cmd == NULL || (a = arena_new(4096)) == NULL)
		return w.out;
	w.a = a;
	sc = sh_parse(a, cmd, n);
	if (sc != NULL && sc->nbad == 0)
		walk_list(&w, sc->list, 0);
	if (sc == NULL || sc->nbad > 0 || w.over || w.n != nexec)
		memset(w.out, SHAPE_UNKNOWN, w.cap); /* the parts do not line up: say so */
	arena_free(a);
	return w.out;
}

const char *
shape_conn_text(char code)
{
	switch (code) {
	case SHAPE_PIPE: return " | ";
	case SHAPE_SEQ: return " ; ";
	case SHAPE_BG: return " & ";
	case SHAPE_AND: return " && ";
	case SHAPE_OR: return " || ";
	default: return " + ";
	}
}
